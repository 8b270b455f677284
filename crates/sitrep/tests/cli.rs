//! The real binary on real inputs, good and hostile.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sitrep(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sitrep");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // Write on a thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("sitrep finishes");
    writer.join().expect("writer thread");
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn extract_reads_stdin_and_writes_the_schema() {
    let out = sitrep(
        &["extract", "-", "--published", "2025-02-03"],
        "Shelling killed two civilians in Kherson on Sunday.".as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["schema"], "sitrep.extract/1");
    assert_eq!(v["events"][0]["casualties"]["killed"]["value"], 2);
    assert_eq!(v["events"][0]["when"]["start"], "2025-02-02");
}

#[test]
fn empty_input_is_a_clear_error() {
    let out = sitrep(&["extract", "-"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("input is empty"));
}

#[test]
fn binary_input_is_refused() {
    let mut junk = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    junk.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
    let out = sitrep(&["extract", "-"], &junk);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));
}

#[test]
fn invalid_utf8_is_decoded_with_a_warning() {
    let out = sitrep(
        &["extract", "-"],
        b"Clashes erupted near Goma \xff\xfe on Monday.",
    );
    assert!(out.status.success());
    let v = json(&out);
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "invalid_utf8"));
}

#[test]
fn an_unknown_publication_date_is_a_usage_error_not_a_guess() {
    let out = sitrep(&["extract", "-", "--published", "the day after"], b"Text.");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown publication date"));
}

#[test]
fn bad_arguments_exit_with_two() {
    let out = sitrep(&["extract", "--no-such-flag"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn deeply_nested_html_is_read_without_a_crash() {
    let html = format!("<html><body>{}<p>Airstrikes hit Idlib on Friday, killing three people.</p>{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let out = sitrep(
        &["extract", "-", "--published", "2024-01-06"],
        html.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["events"][0]["casualties"]["killed"]["value"], 3);
}

#[test]
fn a_hundred_megabyte_input_is_truncated_with_a_warning() {
    let para = "Residents said the market reopened on Tuesday after weeks of calm.\n";
    let big = para.repeat(100 * 1024 * 1024 / para.len() + 1);
    let out = sitrep(&["extract", "-"], big.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "truncated"));
}

#[test]
fn jsonl_batch_keeps_input_order_and_reports_bad_lines_in_place() {
    let mut input = String::new();
    for i in 0..40 {
        input.push_str(&serde_json::json!({"id": format!("r{i}"), "text": format!("Clashes near Beni killed {} soldiers on Monday.", i + 2), "published": "2024-05-08"}).to_string());
        input.push('\n');
        if i == 7 {
            input.push_str("{not json\n");
        }
    }
    let out = sitrep(&["extract", "--jsonl", "-"], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 41);
    assert!(lines[8]["error"].is_string());
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["report"]["id"].as_str())
        .collect();
    let expected: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(lines[0]["events"][0]["casualties"]["killed"]["value"], 2);
}

#[test]
fn text_format_is_for_people() {
    let out = sitrep(
        &[
            "extract",
            "-",
            "--format",
            "text",
            "--published",
            "2025-02-03",
        ],
        "Shelling killed two civilians in Kherson on Sunday.".as_bytes(),
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Events (1)") && s.contains("killed: 2"), "{s}");
}

#[test]
fn jsonl_batch_skips_an_overlong_line_by_number_and_reads_on() {
    let mut input =
        serde_json::json!({"id": "huge", "text": "Clashes near Beni. ".repeat(1_100_000)})
            .to_string();
    input.push('\n');
    input.push_str(&serde_json::json!({"id": "next", "text": "Clashes near Beni killed 3 soldiers on Monday.", "published": "2024-05-08"}).to_string());
    input.push('\n');
    assert!(input.len() > 20_000_000);
    let out = sitrep(&["extract", "--jsonl", "-"], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    let error = lines[0]["error"].as_str().expect("an error for line 1");
    assert!(
        error.contains("line 1") && error.contains("over the limit"),
        "{error}"
    );
    assert_eq!(lines[1]["report"]["id"], "next");
}

/// Answer every request on a loopback port with `body`; the port, and a count of requests.
fn loopback_server(body: &'static str) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("an address").port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = hits.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut reader = BufReader::new(conn.try_clone().expect("a second handle"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, hits)
}

#[test]
fn ingest_refuses_loopback_urls_unless_allowed() {
    let (port, hits) = loopback_server("Shelling killed two civilians in Kherson on Sunday.");
    let dir = Folder::new("ssrf");
    let db = dir.0.join("s.db");
    let url = format!("http://127.0.0.1:{port}/internal");
    let refused = sitrep(&["ingest", &url, "--db", db.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("non-public address"), "{stderr}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    let allowed = sitrep(
        &[
            "ingest",
            &url,
            "--db",
            db.to_str().unwrap(),
            "--allow-private-addresses",
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&allowed.stderr);
    assert!(allowed.status.success(), "{stderr}");
    assert!(stderr.contains("1 stored"), "{stderr}");
}

/// A fresh empty folder for one test, removed when dropped.
struct Folder(std::path::PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let d = std::env::temp_dir().join(format!("sitrep-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("a temp folder");
        Folder(d)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn reading_commands_refuse_a_store_that_does_not_exist_and_create_none() {
    let dir = Folder::new("missing-store");
    let db = dir.0.join("mistyped.db");
    let db = db.to_str().unwrap();
    for args in [
        vec!["events", "--db", db],
        vec!["export", "--db", db],
        vec!["export", "--db", db, "--format", "geojson"],
        vec!["why", "1", "--db", db],
        vec!["serve", "--db", db, "--addr", "127.0.0.1:0"],
        vec!["ingest", "--reextract", "--db", db],
    ] {
        let out = sitrep(&args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(db) && stderr.contains("only `sitrep ingest` creates one"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} wrote output");
        let left: Vec<_> = std::fs::read_dir(&dir.0).unwrap().flatten().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}

#[test]
fn a_failed_ingest_leaves_no_new_store_but_keeps_an_existing_one() {
    let dir = Folder::new("failed-ingest");
    let db = dir.0.join("new.db");
    let missing = dir.0.join("no-such-report.txt");
    let out = sitrep(
        &[
            "ingest",
            missing.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&dir.0).unwrap().flatten().collect();
    assert!(left.is_empty(), "a failed ingest left {left:?}");
    // A store that holds reports stays when a later ingest into it fails.
    let report = dir.0.join("report.txt");
    std::fs::write(
        &report,
        "Shelling killed two civilians in Kherson on Sunday.",
    )
    .unwrap();
    let db = db.to_str().unwrap();
    let out = sitrep(&["ingest", report.to_str().unwrap(), "--db", db], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sitrep(&["ingest", missing.to_str().unwrap(), "--db", db], b"");
    assert_eq!(out.status.code(), Some(1));
    let out = sitrep(&["events", "--db", db, "--format", "json"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out).as_array().map(Vec::len), Some(1));
}

#[test]
fn a_utf16_feed_is_ingested() {
    let dir = Folder::new("utf16-feed");
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel><item><title>Kherson</title>\
               <pubDate>Mon, 03 Feb 2025 08:00:00 GMT</pubDate><description>Shelling killed two \
               civilians in Kherson on Sunday, the regional governor said.</description></item></channel></rss>";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in xml.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let feed = dir.0.join("feed.xml");
    std::fs::write(&feed, bytes).unwrap();
    let db = dir.0.join("s.db");
    let db = db.to_str().unwrap();
    let out = sitrep(
        &["ingest", feed.to_str().unwrap(), "--db", db, "--no-fetch"],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("1 stored"),
        "{stderr}"
    );
    let out = sitrep(&["events", "--db", db, "--format", "json"], b"");
    let v = json(&out);
    assert_eq!(v[0]["killed"]["best"], 2, "{v}");
}

/// RFC 4180 records: fields separated by commas, quoted fields may hold commas, quotes (doubled)
/// and line breaks; records end with CRLF or LF.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "an unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
fn acled_csv_has_acleds_columns_and_codes_and_no_formula_cells() {
    // ACLED's export columns, in ACLED's order (its codebook).
    const ACLED: [&str; 31] = [
        "event_id_cnty",
        "event_date",
        "year",
        "time_precision",
        "disorder_type",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "inter1",
        "actor2",
        "assoc_actor_2",
        "inter2",
        "interaction",
        "civilian_targeting",
        "iso",
        "region",
        "country",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "source_scale",
        "notes",
        "fatalities",
        "tags",
        "timestamp",
    ];
    let dir = Folder::new("acled");
    let db = dir.0.join("s.db");
    let db = db.to_str().unwrap();
    let hostile = dir.0.join("hostile.jsonl");
    std::fs::write(
        &hostile,
        serde_json::json!({"id": "formula", "published": "2025-02-03", "source": "=cmd|' /C calc'!A0",
            "text": "@SUM(A1) Shelling killed two civilians in Kherson on Sunday, officials said."})
        .to_string(),
    )
    .unwrap();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/all.jsonl");
    let out = sitrep(
        &["ingest", examples, hostile.to_str().unwrap(), "--db", db],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let incidents = json(&sitrep(&["events", "--db", db, "--format", "json"], b""));
    let incidents = incidents.as_array().unwrap();
    let placed = incidents.iter().filter(|i| i["lat"].is_f64()).count();
    let diplomacy_placed = incidents
        .iter()
        .filter(|i| i["lat"].is_f64() && i["family"] == "diplomacy")
        .count();
    assert!(placed < incidents.len() && diplomacy_placed > 0);

    let out = sitrep(&["export", "--db", db, "--format", "acled-csv"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "left out {} incidents without coordinates",
            incidents.len() - placed
        )),
        "{stderr}"
    );
    let rows = read_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows[0], ACLED);
    let rows = &rows[1..];
    assert_eq!(rows.len(), placed, "one row per placed incident");
    let col = |name: &str| ACLED.iter().position(|c| *c == name).unwrap();
    let mut tagged = 0;
    for row in rows {
        assert_eq!(row.len(), 31, "{row:?}");
        for (name, cell) in ACLED.iter().zip(row) {
            if matches!(*name, "latitude" | "longitude") {
                assert!(cell.parse::<f64>().is_ok(), "{name}: {cell:?}");
            } else {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name} is a formula cell: {cell:?}"
                );
            }
        }
        let id = &row[col("event_id_cnty")];
        assert!(
            id.len() > 3
                && id[..3].bytes().all(|b| b.is_ascii_uppercase())
                && id[3..].bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
        assert_eq!(row[col("year")], row[col("event_date")][..4]);
        assert!(["1", "2", "3"].contains(&row[col("time_precision")].as_str()));
        assert!(["1", "2", "3"].contains(&row[col("geo_precision")].as_str()));
        assert!(
            [
                "Battles",
                "Explosions/Remote violence",
                "Violence against civilians",
                "Protests",
                "Riots",
                "Strategic developments"
            ]
            .contains(&row[col("event_type")].as_str()),
            "{row:?}"
        );
        for inter in ["inter1", "inter2"] {
            let v = &row[col(inter)];
            assert!(
                v.is_empty() || ("0".."9").contains(&v.as_str()),
                "{inter}: {v}"
            );
        }
        if row[col("tags")].contains("sitrep type=diplomacy/") {
            tagged += 1;
            assert_eq!(row[col("event_type")], "Strategic developments");
        }
    }
    assert_eq!(tagged, diplomacy_placed);
    let kherson = rows
        .iter()
        .find(|r| r[col("location")] == "Kherson")
        .expect("the Kherson row");
    assert_eq!(kherson[col("source")], "'=cmd|' /C calc'!A0");
    assert_eq!(kherson[col("event_id_cnty")][..3], *"UKR");
    assert!(kherson[col("notes")].starts_with("'@SUM"), "{kherson:?}");

    let out = sitrep(&["export", "--db", db, "--no-diplomacy"], b"");
    let rows = read_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows.len() - 1, placed - diplomacy_placed);

    let out = sitrep(&["export", "--db", db, "--format", "geojson"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let geo = json(&out);
    let unplaced = incidents.len() - placed;
    assert_eq!(geo["unplaced"], unplaced);
    assert_eq!(geo["features"].as_array().unwrap().len(), placed);
    assert!(
        stderr.contains(&format!("left out {unplaced} of")),
        "{stderr}"
    );
}

#[test]
fn a_later_dated_copy_dates_a_stored_report_and_its_events() {
    let dir = Folder::new("later-copy");
    let text = "Shelling killed two civilians in Kherson on Sunday, the regional governor said.";
    let undated = dir.0.join("kherson.txt");
    std::fs::write(&undated, format!("{text}\n")).unwrap();
    let db = dir.0.join("s.db");
    let db = db.to_str().unwrap();
    let out = sitrep(&["ingest", undated.to_str().unwrap(), "--db", db], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = json(&sitrep(&["events", "--db", db, "--format", "json"], b""));
    assert_eq!(before.as_array().unwrap().len(), 1);
    assert!(before[0]["date_start"].is_null(), "{before}");

    let index = dir.0.join("index.jsonl");
    let record = serde_json::json!({"id": "kherson", "text": text, "published": "2025-02-03",
        "title": "Two killed in Kherson", "source": "Test Wire"});
    std::fs::write(&index, record.to_string()).unwrap();
    let out = sitrep(&["ingest", index.to_str().unwrap(), "--db", db], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 stored reports took a date"), "{stderr}");
    let after = json(&sitrep(&["events", "--db", db, "--format", "json"], b""));
    assert_eq!(after.as_array().unwrap().len(), 1, "{after}");
    assert_eq!(after[0]["date_start"], "2025-02-02", "{after}");
    assert_eq!(after[0]["killed"]["best"], 2);
    let id = after[0]["id"].to_string();
    let why = sitrep(&["why", &id, "--db", db], b"");
    let why = String::from_utf8_lossy(&why.stdout);
    assert!(
        why.contains("2025-02-03")
            && why.contains("Test Wire")
            && why.contains("Two killed in Kherson"),
        "{why}"
    );
    // The same copy again changes nothing.
    let out = sitrep(&["ingest", index.to_str().unwrap(), "--db", db], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 already stored") && !stderr.contains("took a date"),
        "{stderr}"
    );
}

#[test]
fn no_unmaintained_progress_bar_dependency_is_locked() {
    // indicatif 0.17 pulled number_prefix, unmaintained (RUSTSEC-2025-0119); 0.18 dropped it.
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
        .expect("Cargo.lock");
    assert!(!lock.contains("name = \"number_prefix\""));
    assert!(lock.contains("name = \"indicatif\"\nversion = \"0.18."));
}

#[cfg(unix)]
#[test]
fn the_demo_keeps_its_store_in_a_private_folder_removed_on_exit() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(["demo", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut folder = None;
    for line in stderr.lines().map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("demo store ") {
            let db = rest.split(':').next().unwrap();
            folder = std::path::Path::new(db).parent().map(|p| p.to_path_buf());
            break;
        }
    }
    let mut serving = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut serving)
        .unwrap();
    let folder = folder.expect("the demo names its store");
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    // Stop it as Ctrl-C would, so it cleans up.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
    assert_eq!(mode, 0o700, "{}", folder.display());
    assert!(name.starts_with("sitrep-demo-"), "{name}");
    assert!(serving.contains("http://"), "{serving}");
    assert!(!folder.exists(), "{} was left behind", folder.display());
}
