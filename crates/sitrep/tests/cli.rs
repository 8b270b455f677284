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
    let dir = std::env::temp_dir().join(format!("sitrep-cli-ssrf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("s.db");
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
    std::fs::remove_dir_all(&dir).unwrap();
}
