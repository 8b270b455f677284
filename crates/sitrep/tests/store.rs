//! The store through the real binary: merging across reports, idempotence, crash safety, feeds.

mod common;

use common::{bin, root, skipped, tmp};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run sitrep");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn incidents(db: &Path) -> Vec<Value> {
    serde_json::from_str(&run(bin()
        .args(["events", "--format", "json", "--db"])
        .arg(db)))
    .expect("incident json")
}

fn counts(db: &Path) -> (i64, i64, i64, i64) {
    let c = rusqlite::Connection::open(db).expect("open db");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(ok, "ok");
    let n = |q: &str| c.query_row(q, [], |r| r.get::<_, i64>(0)).expect(q);
    (
        n("SELECT COUNT(*) FROM reports"),
        n("SELECT COUNT(*) FROM events"),
        n("SELECT COUNT(*) FROM incidents"),
        n("SELECT COUNT(*) FROM quotes"),
    )
}

/// Follow-up reports written for this test: a higher toll the next day, the other side's account
/// of a strike, and a re-published copy of a wire story.
fn follow_ups(dir: &Path) -> PathBuf {
    let mogadishu =
        std::fs::read_to_string(root().join("examples/reports/11-mogadishu-car-bomb.txt"))
            .expect("example 11");
    let mut lines: Vec<&str> = mogadishu.lines().collect();
    lines[0] = "Somalia: suicide bomber strikes checkpoint near parliament";
    let mut republished = lines.join("\n");
    republished.push_str("\nThis story has been updated with a statement from the police.\n");
    let records = [
        serde_json::json!({"id": "mogadishu-toll-rises", "published": "2025-10-29", "source": "Test Wire",
            "text": "Death toll from Mogadishu car bombing rises to 12\nThe death toll from Tuesday's suicide car bombing at a security checkpoint near the parliament in Mogadishu has risen to 12, police said on Wednesday, after five of the wounded died in hospital."}),
        serde_json::json!({"id": "nabatieh-other-side", "published": "2026-02-25", "source": "Test Wire",
            "text": "Israeli military says it hit weapons depot in south Lebanon\nThe Israeli military said its aircraft struck a Hezbollah weapons depot in Nabatieh on Tuesday, killing two militants."}),
        serde_json::json!({"id": "mogadishu-republished", "published": "2025-10-28", "source": "Other Wire", "text": republished}),
    ];
    let path = dir.join("followups.jsonl");
    std::fs::write(
        &path,
        records
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .expect("write follow-ups");
    path
}

#[test]
fn reports_of_one_incident_merge_and_keep_every_figure() {
    let dir = tmp("merge");
    let db = dir.join("s.db");
    let all = root().join("examples/all.jsonl");
    run(bin().arg("ingest").arg(&all).arg("--db").arg(&db));
    let before = incidents(&db);
    let out = bin()
        .arg("ingest")
        .arg(follow_ups(&dir))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("ingest");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("1 near-duplicates linked"), "{summary}");
    let after = incidents(&db);
    // The toll update and the other side's account join existing incidents; nothing new appears.
    assert_eq!(before.len(), after.len(), "{summary}");
    let mog = after
        .iter()
        .find(|i| i["location"] == "Mogadishu" && i["type"] == "suicide_bomb")
        .expect("Mogadishu incident");
    // The shipped examples already tell it twice (11, then 18's higher toll); this test adds a third.
    assert_eq!(mog["sources"], 3, "{mog:#}");
    assert_eq!(mog["killed"]["low"], 7);
    assert_eq!(
        mog["killed"]["best"], 12,
        "a later, higher toll supersedes for best"
    );
    assert_eq!(mog["killed"]["high"], 12);
    let nab = after
        .iter()
        .find(|i| i["country"] == "LB" && i["killed"]["high"] == 3)
        .expect("Nabatieh incident");
    assert_eq!(nab["sources"], 2);
    assert_eq!(nab["killed"]["low"], 2);
    // `why` names both reports and the rule that joined them.
    let why = run(bin().args(["why", &mog["id"].to_string(), "--db"]).arg(&db));
    assert!(
        why.contains("mogadishu") || why.contains("Mogadishu"),
        "{why}"
    );
    assert!(why.contains("\"decision\":\"merged\""), "{why}");
    // Exports open in analyst tools: ACLED's columns, GeoJSON points.
    let acled = run(bin()
        .args(["export", "--format", "acled-csv", "--db"])
        .arg(&db));
    assert!(acled.starts_with("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"));
    assert!(acled.contains(",Somalia,"), "country names, not codes");
    let geo: Value = serde_json::from_str(&run(bin()
        .args(["export", "--format", "geojson", "--db"])
        .arg(&db)))
    .expect("geojson");
    assert_eq!(geo["type"], "FeatureCollection");
    assert!(geo["features"][0]["geometry"]["coordinates"][0].is_f64());
    place_as_written_in_every_export(&db, &geo, &acled);
}

/// The example placed at Tadmur wrote "Palmyra": every export gives both names, and what the
/// place is where the format has room for it.
fn place_as_written_in_every_export(db: &Path, geo: &Value, acled: &str) {
    let export = |format: &str| run(bin().args(["export", "--format", format, "--db"]).arg(db));
    let jsonl = export("jsonl");
    let tadmur: Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .find(|i| i["location"] == "Tadmur")
        .expect("jsonl: an incident at Tadmur");
    assert_eq!(tadmur["location_as_written"], "Palmyra", "{tadmur}");
    assert_eq!(tadmur["place_kind"], "settlement", "{tadmur}");
    let feature = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["location"] == "Tadmur")
        .expect("geojson: a feature at Tadmur");
    assert_eq!(feature["properties"]["location_as_written"], "Palmyra");
    assert_eq!(feature["properties"]["place_kind"], "settlement");
    let csv = export("csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (at, kind) = (
        header.iter().position(|c| *c == "location_as_written"),
        header.iter().position(|c| *c == "place_kind"),
    );
    let (at, kind) = (at.expect("csv column"), kind.expect("csv column"));
    let row: Vec<&str> = csv
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r.contains(&"Tadmur"))
        .expect("csv: a row at Tadmur");
    assert_eq!((row[at], row[kind]), ("Palmyra", "settlement"), "{row:?}");
    let table = run(bin().args(["events", "--db"]).arg(db));
    assert!(table.contains("Tadmur (Palmyra)"), "{table}");
    // ACLED's columns stay ACLED's: the name as written goes into the notes.
    let acled_row = acled
        .lines()
        .find(|l| l.contains(",Tadmur,"))
        .expect("acled: a row at Tadmur");
    assert!(
        acled_row.contains("[Location as written: Palmyra.]"),
        "{acled_row}"
    );
}

#[test]
fn ingest_is_idempotent_and_queries_filter() {
    let dir = tmp("idem");
    let db = dir.join("s.db");
    let all = root().join("examples/all.jsonl");
    run(bin().arg("ingest").arg(&all).arg("--db").arg(&db));
    let first = counts(&db);
    let out = bin()
        .arg("ingest")
        .arg("-v")
        .env_remove("RUST_LOG")
        .arg(&all)
        .arg(root().join("examples/reports"))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("re-ingest");
    assert!(out.status.success());
    assert_eq!(counts(&db), first, "the same reports twice are stored once");
    // What is already stored is recognised from its text before any extraction.
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("reports extracted; time: reading"))
        .unwrap_or_else(|| panic!("no stage times in {err}"));
    assert!(
        line.contains(" 0 reports extracted"),
        "a re-run extracted again: {line}"
    );
    // The folder's index.jsonl points at its .txt files: read with their dates, not as failures,
    // and the files are not read a second time on their own.
    assert!(
        err.contains("read 38 reports") && err.contains(" 0 failed"),
        "{err}"
    );
    let near = incidents_filtered(&db, &["--near", "2.04,45.34", "--km", "30"]);
    assert!(near.iter().all(|i| i["country"] == "SO") && !near.is_empty());
    let killed = incidents_filtered(&db, &["--min-killed", "10"]);
    assert!(killed
        .iter()
        .all(|i| i["killed"]["best"].as_u64().unwrap() >= 10));
    let text = incidents_filtered(&db, &["--text", "Kenscoff"]);
    assert!(
        !text.is_empty() && text.iter().all(|i| i["country"] == "HT"),
        "{text:?}"
    );
    let fam = incidents_filtered(
        &db,
        &[
            "--family",
            "diplomacy",
            "--since",
            "2025-01-01",
            "--until",
            "2025-12-31",
        ],
    );
    assert!(fam.iter().all(
        |i| i["family"] == "diplomacy" && i["date_start"].as_str().unwrap().starts_with("2025")
    ));
    let bad = bin()
        .args(["events", "--family", "weather", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
}

fn incidents_filtered(db: &Path, args: &[&str]) -> Vec<Value> {
    serde_json::from_str(&run(bin()
        .args(["events", "--format", "json"])
        .args(args)
        .arg("--db")
        .arg(db)))
    .expect("json")
}

#[test]
fn killing_ingest_midway_loses_nothing_and_a_rerun_finishes_the_job() {
    let dir = tmp("kill");
    let corpus = dir.join("corpus.jsonl");
    run(bin()
        .args(["bench", "--reports", "1500", "--write-corpus"])
        .arg(&corpus));
    let reference = dir.join("ref.db");
    run(bin()
        .arg("ingest")
        .arg(&corpus)
        .arg("--db")
        .arg(&reference)
        .args(["--batch", "16"]));
    let expected = counts(&reference);
    let db = dir.join("killed.db");
    let mut killed_midway = false;
    for wait_ms in [300u64, 800, 1500] {
        let _ = std::fs::remove_file(&db);
        let mut child = bin()
            .arg("ingest")
            .arg(&corpus)
            .arg("--db")
            .arg(&db)
            .args(["--batch", "16"])
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let finished = child.try_wait().expect("poll").is_some();
        let _ = child.kill(); // SIGKILL on Unix: no chance to clean up
        let _ = child.wait();
        if finished || !db.exists() {
            continue;
        }
        let partial = counts(&db);
        if partial.0 > 0 && partial.0 < expected.0 {
            killed_midway = true;
            break;
        }
    }
    assert!(
        killed_midway,
        "could not stop ingest midway; machine too fast or too slow for this test"
    );
    run(bin()
        .arg("ingest")
        .arg(&corpus)
        .arg("--db")
        .arg(&db)
        .args(["--batch", "16"]));
    assert_eq!(
        counts(&db),
        expected,
        "after a kill -9 and a re-run the store equals one clean run"
    );
}

#[test]
fn hostile_feeds_are_read_safely() {
    let dir = tmp("feeds");
    let mut bomb = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        bomb.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    bomb.push_str("]><rss><channel><item><title>&lol9;</title><description>Shelling killed three people in Kherson on Monday.</description><pubDate>Tue, 04 Mar 2025 08:00:00 GMT</pubDate></item></channel></rss>");
    std::fs::write(dir.join("bomb.rss"), bomb).unwrap();
    let huge = format!("<rss><channel><item><title>big</title><description>{}</description></item></channel></rss>", "Talks continued in Doha. ".repeat(200_000));
    std::fs::write(dir.join("huge.rss"), huge).unwrap();
    std::fs::write(dir.join("broken.xml"), "<rss><channel><item><title>a</title><description>Clashes near Goma killed two soldiers on Friday.</description></item><item><tit").unwrap();
    let mut latin = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item><title>Bogot\xe1</title><description>Protesters marched in Bogot\xe1 on Monday.</description><pubDate>2025-03-03</pubDate></item></channel></rss>".to_vec();
    latin.extend_from_slice(b"\n");
    std::fs::write(dir.join("latin.rss"), latin).unwrap();
    std::fs::write(dir.join("junk.rss"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let db = dir.join("s.db");
    let out = bin()
        .arg("ingest")
        .arg(&dir)
        .arg("--db")
        .arg(&db)
        .arg("--no-fetch")
        .output()
        .expect("ingest feeds");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("junk.rss") && err.contains("not a readable feed"),
        "{err}"
    );
    let (reports, _, _, _) = counts(&db);
    assert_eq!(reports, 4, "{err}");
    let x = run(bin()
        .args(["events", "--format", "json", "--country", "UA", "--db"])
        .arg(&db));
    assert!(x.contains("Kherson"), "{x}");
}

#[test]
fn a_reader_holding_a_transaction_does_not_block_ingest() {
    let dir = tmp("readers");
    let db = dir.join("s.db");
    let all = root().join("examples/all.jsonl");
    run(bin().arg("ingest").arg(&all).arg("--db").arg(&db));
    // A reader in the middle of a long read transaction…
    let reader = rusqlite::Connection::open(&db).expect("open reader");
    reader.execute_batch("BEGIN").expect("begin");
    let before: i64 = reader
        .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
        .expect("read");
    // …while more reports are ingested: WAL lets the writer commit, and the reader keeps its snapshot.
    let out = bin()
        .arg("ingest")
        .arg(follow_ups(&dir))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let during: i64 = reader
        .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
        .expect("read");
    assert_eq!(before, during, "the reader's snapshot is stable");
    reader.execute_batch("COMMIT").expect("end read");
    assert_eq!(counts(&db).0, before + 3);
}

#[test]
fn an_ingest_that_reads_nothing_fails_clearly() {
    let dir = tmp("nothing");
    let out = bin()
        .args([
            "ingest",
            "https://example.invalid/feed.xml",
            "--no-fetch",
            "--db",
        ])
        .arg(dir.join("s.db"))
        .output()
        .expect("ingest");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not fetched") && err.contains("no input could be read"),
        "{err}"
    );
}

#[test]
fn the_ingest_benchmark_runs_the_commands_it_compares() {
    let out = run(bin().args(["bench", "--ingest", "--reports", "40"]));
    // The figures are printed for the record, not asserted: timing belongs in benchmarks.
    println!("{out}");
    assert!(out.contains("storing alone"), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("commands, "))
        .unwrap_or_else(|| panic!("no command comparison in {out}"));
    assert!(
        line.contains("7 interleaved rounds")
            && line.contains("% of extract --jsonl by elapsed time"),
        "{line}"
    );
}

/// A folder with one short report to ingest.
fn one_report(dir: &Path) -> PathBuf {
    let f = dir.join("one.txt");
    std::fs::write(
        &f,
        "Shelling killed two civilians in Kharkiv on Monday, officials said.\n",
    )
    .expect("write report");
    f
}

#[test]
fn ingest_into_junk_or_a_truncated_store_fails_and_writes_nothing() {
    let dir = tmp("corrupt");
    let report = one_report(&dir);
    let junk = dir.join("junk.db");
    let bytes = b"not a database at all, just text that is long enough for a header\n".repeat(50);
    std::fs::write(&junk, &bytes).expect("write junk");

    let truncated = dir.join("truncated.db");
    run(bin()
        .args(["ingest", "--db"])
        .arg(&truncated)
        .arg(root().join("examples/all.jsonl")));
    let len = std::fs::metadata(&truncated).expect("store").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&truncated)
        .expect("open store")
        .set_len(len / 2)
        .expect("truncate");

    for (db, why) in [(&junk, "not an SQLite database"), (&truncated, "truncated")] {
        let before = std::fs::read(db).expect("read store");
        let out = bin()
            .args(["ingest", "--db"])
            .arg(db)
            .arg(&report)
            .output()
            .expect("ingest");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", db.display());
        assert!(err.contains(why), "{}: {err}", db.display());
        assert_eq!(std::fs::read(db).expect("read store"), before, "untouched");
    }
}

#[test]
fn processes_creating_one_new_store_at_once_all_succeed() {
    let dir = tmp("create-race");
    let report = one_report(&dir);
    for round in 0..6 {
        let db = dir.join(format!("new-{round}.db"));
        let children: Vec<_> = (0..3)
            .map(|_| {
                bin()
                    .args(["ingest", "--db"])
                    .arg(&db)
                    .arg(&report)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start ingest")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("ingest");
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(counts(&db).0, 1, "one report, stored once");
    }
}

#[test]
fn a_store_where_no_wal_index_can_be_made_is_listed_and_exported() {
    let dir = tmp("no-shm");
    let db = dir.join("s.db");
    run(bin()
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(root().join("examples/all.jsonl")));
    let listed = incidents(&db).len();
    // A reader leaves an empty WAL and its index; nothing has the store open now.
    for f in ["s.db-wal", "s.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    // What a read-only folder does to a writer: no `-shm` file can be created beside the store.
    // A folder in its place does the same, and also for root, whom chmod does not stop.
    std::fs::create_dir(dir.join("s.db-shm")).expect("block the WAL index");
    assert_eq!(incidents(&db).len(), listed);
    let csv = run(bin().args(["export", "--db"]).arg(&db));
    assert!(csv.lines().count() > 1, "{csv}");
}

#[cfg(unix)]
#[test]
fn a_store_in_a_read_only_folder_is_listed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp("ro-folder");
    let inner = dir.join("ro");
    std::fs::create_dir(&inner).expect("folder");
    let db = inner.join("s.db");
    run(bin()
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(root().join("examples/all.jsonl")));
    let listed = incidents(&db).len();
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(inner.join("probe"), b"").is_ok() {
        skipped(
            "sitrep store::a_store_in_a_read_only_folder_is_listed",
            "this user (root?) writes into read-only folders; \
             a_store_where_no_wal_index_can_be_made_is_listed_and_exported covers the same path",
        );
        return;
    }
    let out = bin()
        .args(["events", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .expect("events");
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.len(), listed);
}

#[test]
fn a_tests_temporary_folder_is_removed_when_it_is_done() {
    let path = {
        let dir = tmp("guard");
        std::fs::create_dir(dir.join("inner")).unwrap();
        std::fs::write(dir.join("inner/s.db"), b"x").unwrap();
        dir.to_path_buf()
    };
    assert!(!path.exists(), "{} was left behind", path.display());
}

#[test]
fn a_skipped_test_leaves_a_line_for_the_summary() {
    let dir = tmp("skip-list");
    let list = dir.join("skipped-tests.txt");
    common::record_skip(&list, "a", "no browser");
    common::record_skip(&list, "b", "no data");
    let text = std::fs::read_to_string(&list).unwrap();
    assert_eq!(text, "a: no browser\nb: no data\n");
}
