//! The HTTP API against a real `sitrep serve` on loopback: every endpoint, filters, paging,
//! errors, the write token, and a bounded load test.

mod common;

use common::{bin, root, serving, tmp, Killed, Tmp};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOKEN: &str = "test-token-0123456789abcdef";

/// A store of the example reports, built once per test that asks, in a folder removed when the
/// guard returned with it is dropped.
fn store(name: &str) -> (Tmp, PathBuf) {
    let dir = tmp(name);
    let db = dir.join("api.db");
    let out = bin()
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(root().join("examples/all.jsonl"))
        .output()
        .expect("run ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

/// A running server; killed when dropped.
struct Server {
    _process: Killed,
    base: String,
}

fn serve(db: &Path, write: bool) -> Server {
    let args: &[&str] = if write {
        &["--allow-write", "--token", TOKEN]
    } else {
        &[]
    };
    serve_with(db, args)
}

/// `sitrep serve` on `db` with more arguments.
fn serve_with(db: &Path, args: &[&str]) -> Server {
    let mut cmd = bin();
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(args);
    let (process, url) = serving(&mut cmd);
    Server {
        _process: process,
        base: url.trim_end_matches('/').to_string(),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Server {
    fn get(&self, path: &str) -> (u16, Value) {
        let mut r = agent()
            .get(&format!("{}{path}", self.base))
            .call()
            .expect("request");
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().expect("body");
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// `host:port`, for raw sockets.
    fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// A report's whole text, read a piece at a time as clients must.
    fn text(&self, report: &Value) -> String {
        let (mut text, mut offset) = (String::new(), Some(0));
        while let Some(o) = offset {
            let c = self.ok(&format!("/api/reports/{report}?text=1&offset={o}"));
            text.push_str(c["text"].as_str().expect("text"));
            offset = c["next_offset"].as_u64();
        }
        text
    }

    fn ok(&self, path: &str) -> Value {
        let (status, v) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    fn post(&self, token: Option<&str>, body: &str) -> (u16, Value) {
        let mut req = agent()
            .post(&format!("{}/api/reports", self.base))
            .header("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let mut r = req.send(body).expect("request");
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().expect("body");
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }
}

fn ids(page: &Value) -> Vec<i64> {
    page["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

/// An error must be JSON with the status repeated and a message.
fn assert_error(s: &Server, path: &str, status: u16, needle: &str) {
    let (got, v) = s.get(path);
    assert_eq!(got, status, "GET {path}: {v}");
    assert_eq!(v["error"]["status"], status, "{v}");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(msg.contains(needle), "GET {path}: {msg:?} lacks {needle:?}");
}

/// The example placed at Tadmur wrote "Palmyra": the list and the incident say both, and what
/// the place is.
fn place_as_written(s: &Server, all: &Value) {
    let tadmur = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["location"] == "Tadmur")
        .expect("an incident at Tadmur");
    assert_eq!(tadmur["location_as_written"], "Palmyra", "{tadmur}");
    assert_eq!(tadmur["place_kind"], "settlement", "{tadmur}");
    let one = s.ok(&format!("/api/incidents/{}", tadmur["id"]));
    assert_eq!(one["location"], "Tadmur");
    assert_eq!(one["location_as_written"], "Palmyra", "{one}");
    assert_eq!(one["place_kind"], "settlement");
}

#[test]
fn every_read_endpoint_filters_pages_and_errors() {
    let (_dir, db) = store("read");
    let s = serve(&db, false);

    let health = s.ok("/api/health");
    let total = health["incidents"].as_u64().expect("count");
    assert!(total > 20, "{health}");
    assert_eq!(health["writable"], false);

    // Paging: pages of 7 concatenate to the whole list, in order, without overlap.
    let all = s.ok("/api/incidents?limit=1000");
    assert_eq!(all["total"].as_u64(), Some(total));
    let every = ids(&all);
    assert_eq!(every.len() as u64, total);
    let mut paged = Vec::new();
    for offset in (0..total).step_by(7) {
        let p = s.ok(&format!("/api/incidents?limit=7&offset={offset}"));
        assert_eq!(p["total"].as_u64(), Some(total));
        paged.extend(ids(&p));
    }
    assert_eq!(paged, every);
    place_as_written(&s, &all);
    let first = s.ok("/api/incidents");
    assert_eq!(first["limit"], 100, "default page size");
    assert_eq!(ids(&first).len() as u64, total.min(100));

    // Filters agree with what each incident says.
    let list = |q: &str| {
        s.ok(&format!("/api/incidents?limit=1000&{q}"))["incidents"]
            .as_array()
            .unwrap()
            .clone()
    };
    let so = list("country=SO");
    assert!(!so.is_empty() && so.iter().all(|i| i["country"] == "SO"));
    let battles = list("family=battles");
    assert!(!battles.is_empty() && battles.iter().all(|i| i["family"] == "battles"));
    let dated = list("since=2025-01-01&until=2025-12-31");
    assert!(!dated.is_empty());
    for i in &dated {
        assert!(
            i["date_end"].as_str().unwrap() >= "2025-01-01"
                && i["date_start"].as_str().unwrap() <= "2025-12-31",
            "{i}"
        );
    }
    let deadly = list("min_killed=10");
    assert!(
        !deadly.is_empty()
            && deadly
                .iter()
                .all(|i| i["killed"]["best"].as_u64().unwrap() >= 10)
    );
    // Mogadishu, 30 km: only incidents within 30 km of it.
    let near = list("near=2.04,45.34&km=30");
    assert!(!near.is_empty());
    for i in &near {
        let (lat, lon) = (i["lat"].as_f64().unwrap(), i["lon"].as_f64().unwrap());
        assert!((lat - 2.04).abs() < 0.3 && (lon - 45.34).abs() < 0.3, "{i}");
    }
    // A box around the Horn of Africa holds the Somali incidents and nothing in the Americas.
    let horn = list("bbox=40,-2,52,12");
    assert!(horn.iter().any(|i| i["country"] == "SO"));
    for i in &horn {
        let (lat, lon) = (i["lat"].as_f64().unwrap(), i["lon"].as_f64().unwrap());
        assert!(
            (40.0..=52.0).contains(&lon) && (-2.0..=12.0).contains(&lat),
            "{i}"
        );
    }
    // Full text: every incident found has a source report containing the word; some do not.
    let text = list("text=ceasefire");
    assert!(!text.is_empty() && text.len() < every.len());
    for i in &text {
        let d = s.ok(&format!("/api/incidents/{}", i["id"]));
        let found = d["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| s.text(&r["report"]).to_lowercase().contains("ceasefire"));
        assert!(found, "incident {} has no report saying ceasefire", i["id"]);
    }
    let rsf = list("actor=rapid%20support");
    assert!(!rsf.is_empty() && rsf.len() < every.len());
    assert!(
        list("actor=_").is_empty(),
        "_ is a character, not a LIKE wildcard"
    );

    // Stats add up to the incident count, by family and by day (plus undated).
    let stats = s.ok("/api/stats");
    assert_eq!(stats["incidents"].as_u64(), Some(total));
    let sum = |k: &str| {
        stats[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["incidents"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(sum("by_family"), total);
    assert_eq!(sum("by_type"), total);
    assert_eq!(sum("by_day") + stats["undated"].as_u64().unwrap(), total);
    let so_stats = s.ok("/api/stats?country=SO");
    assert_eq!(so_stats["incidents"].as_u64(), Some(so.len() as u64));

    // An incident: its sources, the sentence behind each figure, cut into segments that
    // reproduce the report text at the excerpt's span.
    let deadliest = &deadly[0];
    let d = s.ok(&format!("/api/incidents/{}", deadliest["id"]));
    assert_eq!(d["id"], deadliest["id"]);
    let src = &d["reports"][0];
    let report = s.ok(&format!("/api/reports/{}", src["report"]));
    let text = s.text(&src["report"]);
    let text = text.as_bytes();
    let x = &src["excerpts"][0];
    let joined: String = x["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["text"].as_str().unwrap())
        .collect();
    let (a, b) = (
        x["start"].as_u64().unwrap() as usize,
        x["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(joined.as_bytes(), &text[a..b]);
    let killed_marks: Vec<&str> = src["excerpts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["segments"].as_array().unwrap())
        .filter(|g| g["mark"] == "killed")
        .map(|g| g["text"].as_str().unwrap())
        .collect();
    assert!(!killed_marks.is_empty(), "the killed figure is marked: {x}");
    assert!(src["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(report["extraction"]["events"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));

    // OpenAPI: valid JSON naming every route.
    let doc = s.ok("/api/openapi.json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let fields = &doc["components"]["schemas"]["Incident"]["properties"];
    for f in ["location", "location_as_written", "place_kind"] {
        assert!(fields.get(f).is_some(), "openapi's Incident lacks {f}");
    }
    for p in [
        "/api/incidents",
        "/api/incidents/{id}",
        "/api/reports",
        "/api/reports/{id}",
        "/api/stats",
        "/api/health",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi lacks {p}");
    }

    // Errors: JSON, with the right status and a useful message.
    assert_error(&s, "/api/incidents/999999", 404, "no incident");
    assert_error(&s, "/api/reports/999999", 404, "no report");
    assert_error(&s, "/api/incidents/abc", 400, "");
    assert_error(&s, "/api/incidents?since=yesterday", 400, "since");
    assert_error(&s, "/api/incidents?family=wars", 400, "family");
    assert_error(&s, "/api/incidents?limit=5000", 400, "limit");
    assert_error(&s, "/api/incidents?bbox=1,2,3", 400, "bbox");
    assert_error(&s, "/api/incidents?near=100,0", 400, "near");
    assert_error(&s, "/api/incidents?colour=red", 400, "colour");
    assert_error(&s, "/api/nothing", 404, "openapi");
    let (status, v) = s.post(Some(TOKEN), "{}");
    assert_eq!(status, 403, "a read-only server refuses writes: {v}");

    // The page and its bundled assets.
    let mut page = agent().get(&format!("{}/", s.base)).call().expect("page");
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(page
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("/assets/app.js"));
    for a in [
        "app.js",
        "app.css",
        "leaflet.js",
        "leaflet.css",
        "topojson-client.min.js",
        "countries-50m.json",
    ] {
        let r = agent()
            .get(&format!("{}/assets/{a}", s.base))
            .call()
            .expect("asset");
        assert_eq!(r.status(), 200, "{a}");
    }
}

#[test]
fn writes_need_the_token_and_land_in_the_store() {
    let (_dir, db) = store("write");
    let s = serve(&db, true);
    let before = s.ok("/api/health")["reports"].as_u64().unwrap();
    let report = serde_json::json!({
        "text": "Gunmen killed four villagers in Kidal on Saturday, local officials said.\nThe attackers fled on motorbikes.",
        "published": "2026-02-02",
        "source": "Desk test",
        "title": "Four killed in Kidal"
    })
    .to_string();

    let (status, v) = s.post(None, &report);
    assert_eq!(status, 401, "{v}");
    // Same length as the real token, one byte different: the bytes are compared, not the length.
    let mut wrong = TOKEN.to_string();
    wrong.replace_range(TOKEN.len() - 1.., "x");
    let (status, v) = s.post(Some(&wrong), &report);
    assert_eq!(status, 401, "{v}");
    let (status, v) = s.post(Some(TOKEN), "{not json");
    assert_eq!(status, 400, "{v}");
    let (status, v) = s.post(Some(TOKEN), r#"{"text": "x", "colour": "red"}"#);
    assert_eq!(status, 422, "unknown fields are refused: {v}");
    let (status, v) = s.post(Some(TOKEN), &serde_json::json!({"text": "   "}).to_string());
    assert_eq!(status, 422, "an empty report is refused: {v}");
    let huge = serde_json::json!({"text": "a".repeat(sitrep_server::MAX_BODY + 1)}).to_string();
    // Over the limit: 413, or, when the server answers and closes before the client has written
    // the rest, a broken pipe on the client's side. Either way nothing is stored (checked below).
    let over = agent()
        .post(&format!("{}/api/reports", s.base))
        .header("Content-Type", "application/json")
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .send(&huge);
    match over {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(ureq::Error::Io(e)) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{e}"
        ),
        Err(e) => panic!("{e}"),
    }
    let (status, v) = s.post(None, "{not json");
    assert_eq!(
        status, 401,
        "without the token the body is not even parsed: {v}"
    );
    assert_eq!(
        s.ok("/api/health")["reports"].as_u64(),
        Some(before),
        "refused writes store nothing"
    );

    let (status, v) = s.post(Some(TOKEN), &report);
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["outcome"], "stored", "{v}");
    assert_eq!(s.ok("/api/health")["reports"].as_u64(), Some(before + 1));
    let kidal = s.ok("/api/incidents?text=Kidal");
    assert_eq!(kidal["total"], 1, "{kidal}");
    assert_eq!(kidal["incidents"][0]["killed"]["best"], 4);
    let extractor: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT extractor FROM reports ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        extractor.starts_with("sitrep-extract/"),
        "the extractor is recorded: {extractor}"
    );

    let (status, v) = s.post(Some(TOKEN), &report);
    assert_eq!(status, 200, "the same report again is a duplicate: {v}");
    assert_eq!(v["outcome"], "duplicate");
}

#[test]
fn two_hundred_concurrent_connections_get_no_errors() {
    let (_dir, db) = store("load");
    let out = bin()
        .args([
            "bench",
            "--serve",
            "--connections",
            "200",
            "--requests",
            "10",
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("run bench --serve");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The figures are printed for the record, not asserted: timing belongs in benchmarks.
    println!("{stdout}");
    assert!(
        stdout.contains("200 connections: 2000 requests") && stdout.contains("; 0 errors"),
        "{stdout}"
    );
}

/// Connect to `addr`, send `sent`, and wait (at most 20 s) for the server to answer or close:
/// what it sent back and how long that took.
fn half_sent(addr: &str, sent: &[u8]) -> (String, std::time::Duration) {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(addr).expect("connect");
    c.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    c.write_all(sent).expect("send");
    let t = std::time::Instant::now();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    (String::from_utf8_lossy(&got).into_owned(), t.elapsed())
}

#[test]
fn slow_clients_are_cut_off_and_idle_ones_do_not_starve_the_rest() {
    let (_dir, db) = store("slow");
    let s = serve_with(
        &db,
        &[
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
            "--max-connections",
            "8",
            "--allow-write",
            "--token",
            TOKEN,
        ],
    );
    // Half a request head: closed after the header timeout, not held for ever.
    let (_, took) = half_sent(&s.addr(), b"GET /api/health HTTP/1.1\r\nHost: x\r\n");
    assert!(took < std::time::Duration::from_secs(8), "{took:?}");
    // A whole head, then a body that never comes: 408 (or closed) after the body timeout.
    let head = format!(
        "POST /api/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"text\": \""
    );
    let (answer, took) = half_sent(&s.addr(), head.as_bytes());
    assert!(took < std::time::Duration::from_secs(8), "{took:?}");
    assert!(answer.is_empty() || answer.contains(" 408 "), "{answer}");
    // Five times the connection cap of silent sockets: a normal request is still answered.
    let idle: Vec<_> = (0..40)
        .map(|_| std::net::TcpStream::connect(s.addr()).expect("connect"))
        .collect();
    let t = std::time::Instant::now();
    assert_eq!(s.ok("/api/health")["status"], "ok");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        t.elapsed()
    );
    drop(idle);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_within_its_grace_while_a_request_is_half_sent() {
    use std::io::Write;
    let (_dir, db) = store("sigterm");
    let mut s = serve_with(&db, &["--header-timeout", "120", "--shutdown-grace", "1"]);
    let mut held = std::net::TcpStream::connect(s.addr()).expect("connect");
    held.write_all(b"GET /api/health HTTP/1.1\r\nHost:")
        .expect("send");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let pid = s._process.0.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let t = std::time::Instant::now();
    let status = loop {
        if let Some(status) = s._process.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "still running {:?} after SIGTERM",
            t.elapsed()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    drop(held);
}

#[test]
fn a_large_report_is_answered_in_bounded_pieces_that_join_to_its_text() {
    let (_dir, db) = store("large");
    // A 3 MB text of one-, two-, three- and four-byte characters, put in place of report 1's.
    let text = "Shelling hit Київ and 東京 🚀; ".repeat(3_000_000 / 36);
    assert!(text.len() > 3_000_000 - 100);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE report_bodies SET text = ? WHERE report_id = 1",
            [&text],
        )
        .unwrap();
    let s = serve(&db, false);
    let body = |path: &str| {
        let mut r = agent()
            .get(&format!("{}{path}", s.base))
            .call()
            .expect("request");
        assert_eq!(r.status(), 200, "{path}");
        r.body_mut()
            .with_config()
            .limit(8 << 20)
            .read_to_string()
            .expect("body")
    };
    let meta = body("/api/reports/1");
    assert!(
        meta.len() < 1 << 20,
        "{} bytes without asking for the text",
        meta.len()
    );
    let meta: Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["text_bytes"].as_u64(), Some(text.len() as u64));
    assert!(meta.get("text").is_none());
    let (mut joined, mut offset, mut pieces) = (String::new(), Some(0u64), 0);
    while let Some(o) = offset {
        let piece = body(&format!("/api/reports/1?text=1&offset={o}"));
        assert!(
            piece.len() < (1 << 20) + 4096,
            "{} bytes in one piece",
            piece.len()
        );
        let piece: Value = serde_json::from_str(&piece).unwrap();
        assert_eq!(piece["offset"].as_u64(), Some(o));
        assert_eq!(piece["total"].as_u64(), Some(text.len() as u64));
        joined.push_str(piece["text"].as_str().unwrap());
        offset = piece["next_offset"].as_u64();
        pieces += 1;
    }
    // Pieces end on characters, so a few bytes short of 1 MiB: at most one piece more.
    let whole = text.len().div_ceil(1 << 20);
    assert!((whole..=whole + 1).contains(&pieces), "{pieces} pieces");
    assert!(joined == text, "the pieces join to the text");
    let small = s.ok("/api/reports/1?text=1&offset=13&limit=5");
    assert_eq!(small["text"], "Ки", "five bytes end on a character: four");
    assert_error(&s, "/api/reports/1?text=1&limit=2000000", 400, "limit");
    assert_error(&s, "/api/reports/1?offset=5", 400, "text=1");
}

#[test]
fn an_internal_error_answers_a_request_id_and_no_sql() {
    let (_dir, db) = store("internal");
    let s = serve(&db, false);
    // The store loses a table under the running server: every report read now fails in SQL.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE report_bodies")
        .unwrap();
    let (status, v) = s.get("/api/reports/1");
    assert_eq!(status, 500, "{v}");
    assert_eq!(v["error"]["message"], "internal error", "{v}");
    assert!(
        v["error"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{v}"
    );
    let body = v.to_string();
    for leak in ["report_bodies", "SELECT", "no such table", "database"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
}

#[test]
fn a_store_where_no_wal_index_can_be_made_is_served() {
    let (_dir, db) = store("no-shm");
    let mut shm = db.clone().into_os_string();
    shm.push("-shm");
    let _ = std::fs::remove_file(&shm);
    std::fs::create_dir(&shm).expect("block the WAL index");
    let s = serve(&db, false);
    assert!(s.ok("/api/health")["incidents"].as_u64().unwrap() > 0);
}

#[test]
fn the_write_token_comes_from_the_environment_or_a_file_and_must_be_one_long_word() {
    let (_dir, db) = store("token");
    for (bad, why) in [
        ("has spaces 0123456789", "whitespace"),
        ("short", "at least 16"),
    ] {
        let out = bin()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--allow-write",
                "--token",
                bad,
                "--db",
            ])
            .arg(&db)
            .output()
            .expect("serve");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(why), "{err}");
    }
    let check = |s: &Server| {
        assert_eq!(
            s.post(Some(TOKEN), "{not json").0,
            400,
            "the token is accepted"
        );
        assert_eq!(s.post(Some("wrong-token-0123456789"), "{}").0, 401);
    };
    let mut cmd = bin();
    cmd.env("SITREP_TOKEN", TOKEN)
        .args(["serve", "--addr", "127.0.0.1:0", "--allow-write", "--db"])
        .arg(&db);
    let (process, url) = serving(&mut cmd);
    check(&Server {
        _process: process,
        base: url.trim_end_matches('/').to_string(),
    });
    let file = db.with_file_name("token.txt");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let s = serve_with(
        &db,
        &["--allow-write", "--token-file", file.to_str().unwrap()],
    );
    check(&s);
}
