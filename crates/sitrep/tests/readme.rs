//! Every command in the README, run on the shipped data as a new user would run it: in a fresh
//! folder holding a copy of `examples/`, in the README's order, each checked against what the
//! README says it shows. The commands are read from the README's code blocks, so a new one is
//! run without touching this file; the few that need the network or run for minutes are skipped
//! by name and listed in `target/skipped-tests.txt`. `serve` and `demo` are started on a free
//! port, queried and stopped; `curl` lines are sent to the server started last.
//!
//! Also here: `examples/all.jsonl` is the folder `examples/reports` as one batch
//! (`UPDATE_EXAMPLES=1` rewrites it), and the demo shows an incident told by several reports.

mod common;

use common::{bin, root, serving, skipped, tmp, Killed};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// One command line of the README: environment assignments, words, and a `> file` redirect.
#[derive(Debug, Default, PartialEq)]
struct Line {
    text: String,
    env: Vec<(String, String)>,
    argv: Vec<String>,
    stdout_to: Option<String>,
}

/// Commands skipped, with why: network, minutes of run time, or the test suite itself.
const SKIP: &[(&str, &str)] = &[
    ("cargo test", "the test suite runs this test"),
    ("https://", "needs the network"),
    ("bench --ingest", "a benchmark of minutes"),
    ("bench --shapes", "a benchmark of minutes"),
    ("bench --serve", "a load test of minutes"),
    (
        "sitrep train",
        "retrains from ../shared/data and rewrites a model",
    ),
];

/// The command lines of the README's shell code blocks (fenced with no language, `sh`, `bash` or
/// `shell`), comments and blank lines left out.
fn readme_lines(readme: &str) -> Vec<Line> {
    let (mut in_block, mut shell) = (false, false);
    let mut lines = Vec::new();
    for l in readme.lines() {
        if let Some(info) = l.trim_start().strip_prefix("```") {
            in_block = !in_block;
            shell = in_block && matches!(info.trim(), "" | "sh" | "bash" | "shell");
            continue;
        }
        if !shell {
            continue;
        }
        let l = l.trim();
        if in_block && !l.is_empty() && !l.starts_with('#') {
            lines.push(parse_line(l));
        }
    }
    lines
}

/// Split a line as a shell would for these commands: quotes, a trailing `# comment`, leading
/// `NAME=value` assignments and a `> file` redirect.
fn parse_line(text: &str) -> Line {
    let mut words: Vec<String> = Vec::new();
    let (mut cur, mut quote, mut started) = (String::new(), None, false);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => (quote, started) = (Some(c), true),
            (None, '#') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut cur));
                }
                started = false;
            }
            (None, c) => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(cur);
    }
    let mut line = Line {
        text: text.to_string(),
        ..Line::default()
    };
    let mut it = words.into_iter().peekable();
    while let Some((k, v)) = it.peek().and_then(|w| assignment(w)) {
        line.env.push((k, v));
        it.next();
    }
    while let Some(w) = it.next() {
        if w == ">" {
            line.stdout_to = it.next();
        } else {
            line.argv.push(w);
        }
    }
    line
}

fn assignment(word: &str) -> Option<(String, String)> {
    let (k, v) = word.split_once('=')?;
    let name = !k.is_empty() && k.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    name.then(|| (k.to_string(), v.to_string()))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// What the README says a command shows, keyed by a piece of its line; each must match one line.
type Check = fn(&Path, &str, &str) -> Result<(), String>;

fn has(hay: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !hay.contains(*n)) {
        Some(n) => Err(format!("{n:?} not in:\n{hay}")),
        None => Ok(()),
    }
}

fn file(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

const CHECKS: &[(&str, Check)] = &[
    ("11-mogadishu-car-bomb.txt", |_, out, _| {
        has(out, &["\"suicide_bomb\"", "Mogadishu", "Indian Ocean Wire"])
    }),
    ("--format text", |_, out, _| {
        has(out, &["(2024-08-07)", "RSF shelling kills", "El Fasher"])
    }),
    ("extract --jsonl", |dir, _, _| {
        let n = file(dir, "extractions.jsonl").lines().count();
        let want = file(dir, "examples/all.jsonl").lines().count();
        (n == want && n > 0)
            .then_some(())
            .ok_or(format!("{n} lines"))
    }),
    ("ingest examples/reports", |_, _, err| {
        has(
            err,
            &["18 stored, 0 already stored, 1 near-duplicates linked, 0 failed"],
        )
    }),
    ("--reextract", |_, _, err| {
        has(err, &["re-extracted 19 reports"])
    }),
    ("ingest -v examples/all.jsonl", |_, _, err| {
        has(err, &["0 stored, 19 already stored", "time: reading"])
    }),
    ("--country SO --min-killed 5", |_, out, _| {
        let l = out.lines().find(|l| l.contains("suicide_bomb"));
        has(l.unwrap_or(out), &["Mogadishu", "7–12 (best 12)", " 2"])
    }),
    ("--near 2.04,45.34", |dir, _, _| {
        let g: Value =
            serde_json::from_str(&file(dir, "mogadishu.geojson")).map_err(|e| e.to_string())?;
        let f = g["features"].as_array().cloned().unwrap_or_default();
        let ok = !f.is_empty() && f.iter().all(|f| f["properties"]["country"] == "SO");
        ok.then_some(()).ok_or(format!("{g}"))
    }),
    ("--actor RSF", |_, out, _| {
        has(out, &["Rapid Support Forces", "El Fasher"])
    }),
    ("export --format acled-csv", |dir, _, _| {
        let csv = file(dir, "incidents.csv");
        csv.starts_with("event_id_cnty,").then_some(()).ok_or(csv)
    }),
    ("sitrep why", |_, out, _| {
        has(out, &["incident 42:", "report ", "why:"])
    }),
    ("eval --gold", |_, out, _| has(out, &["events"])),
    ("geoparse --help", |_, out, _| has(out, &["Usage"])),
    ("actor=RSF", |_, out, _| {
        has(out, &["Rapid Support Forces", "El Fasher"])
    }),
    ("bbox=20,5,40,25", |_, out, _| {
        has(out, &["Port Sudan", "\"total\""])
    }),
    ("incidents/42", |_, out, _| {
        has(out, &["\"sources\"", "\"excerpts\""])
    }),
    ("openapi.json", |_, out, _| has(out, &["\"openapi\""])),
];

/// A server started by a README line, for the `curl` lines after it; stopped when dropped.
struct Running {
    process: Killed,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        stop(&mut self.process);
    }
}

/// Stop a server as Ctrl-C would (SIGTERM), so `demo` removes its private folder; it is killed
/// if it has not ended within five seconds.
fn stop(p: &mut Killed) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &p.0.id().to_string()])
        .status();
    for _ in 0..50 {
        if matches!(p.0.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Start `sitrep serve` (or `demo`) as the line says, on a free port instead of 8080.
fn start(dir: &Path, line: &Line) -> Running {
    let mut cmd = bin();
    cmd.current_dir(dir);
    let mut args = line.argv[1..].iter();
    while let Some(a) = args.next() {
        if a == "--addr" {
            args.next();
        } else {
            cmd.arg(a);
        }
    }
    cmd.args(["--addr", "127.0.0.1:0"]);
    for (k, _) in &line.env {
        cmd.env(k, "readme-test-token-0123456789");
    }
    let (process, url) = serving(&mut cmd);
    Running {
        process,
        base: url.trim_end_matches('/').to_string(),
    }
}

fn get(url: &str) -> Result<String, String> {
    let mut r = ureq::get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    r.body_mut().read_to_string().map_err(|e| e.to_string())
}

/// The argument list of a `sitrep` command (`cargo run --release -- demo` is `sitrep demo`).
fn sitrep_args(line: &Line) -> Option<Vec<String>> {
    match line.argv.first().map(String::as_str) {
        Some("sitrep") => Some(line.argv[1..].to_vec()),
        Some("cargo") => {
            let dashes = line.argv.iter().position(|a| a == "--")?;
            Some(line.argv[dashes + 1..].to_vec())
        }
        _ => None,
    }
}

/// Run one README line in `dir`: its stdout and stderr, or why it failed.
fn run(dir: &Path, line: &Line, server: &mut Option<Running>) -> Result<(String, String), String> {
    if line.argv.first().is_some_and(|c| c == "curl") {
        let s = server.as_ref().ok_or("curl before any serve line")?;
        let url = line.argv.last().ok_or("curl without a URL")?;
        let path = url
            .split_once("/api/")
            .map(|(_, p)| p)
            .ok_or("not an API URL")?;
        return get(&format!("{}/api/{path}", s.base)).map(|b| (b, String::new()));
    }
    let args = sitrep_args(line).ok_or("not a sitrep command")?;
    if matches!(args.first().map(String::as_str), Some("serve" | "demo")) {
        let mut l = Line {
            argv: std::iter::once("sitrep".to_string()).chain(args).collect(),
            ..Line::default()
        };
        l.env.clone_from(&line.env);
        let started = start(dir, &l);
        get(&format!("{}/api/incidents", started.base))?;
        *server = Some(started);
        return Ok((String::new(), String::new()));
    }
    let out = bin()
        .current_dir(dir)
        .args(&args)
        .envs(line.env.iter().map(|(k, v)| (k, v)))
        .env_remove("RUST_LOG")
        .output()
        .map_err(|e| e.to_string())?;
    let (stdout, stderr) = text(&out);
    if !out.status.success() {
        return Err(format!("exit {:?}: {stderr}", out.status.code()));
    }
    if let Some(to) = &line.stdout_to {
        std::fs::write(dir.join(to), &stdout).map_err(|e| e.to_string())?;
    } else if stdout.is_empty() && stderr.is_empty() {
        return Err("printed nothing".into());
    }
    Ok((stdout, stderr))
}

/// Copy a folder tree (the shipped examples) into the test's folder.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read examples") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

#[test]
fn every_readme_command_shows_what_the_readme_says() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme_lines(&readme);
    assert!(lines.len() >= 20, "{lines:#?}");
    let dir = tmp("readme");
    copy_tree(&root().join("examples"), &dir.join("examples"));
    let (mut server, mut failures, mut checked) = (None, Vec::new(), vec![0; CHECKS.len()]);
    for line in &lines {
        if let Some((_, why)) = SKIP.iter().find(|(k, _)| line.text.contains(k)) {
            skipped(&format!("README command `{}`", line.argv.join(" ")), why);
            continue;
        }
        let (out, err) = match run(&dir, line, &mut server) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("`{}`: {e}", line.text));
                continue;
            }
        };
        for (i, (key, check)) in CHECKS.iter().enumerate() {
            if line.text.contains(key) {
                checked[i] += 1;
                if let Err(e) = check(&dir, &out, &err) {
                    failures.push(format!(
                        "`{}` does not show what the README says: {e}",
                        line.text
                    ));
                }
            }
        }
    }
    for (n, (key, _)) in checked.iter().zip(CHECKS) {
        if *n != 1 {
            failures.push(format!(
                "the check for {key:?} matched {n} README lines, not one"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn readme_lines_split_as_a_shell_would() {
    let l = parse_line(
        r#"SITREP_TOKEN=x sitrep events --text "El Fasher" --format geojson > k.geojson  # c"#,
    );
    assert_eq!(l.env, [("SITREP_TOKEN".to_string(), "x".to_string())]);
    assert_eq!(
        l.argv,
        [
            "sitrep",
            "events",
            "--text",
            "El Fasher",
            "--format",
            "geojson"
        ]
    );
    assert_eq!(l.stdout_to.as_deref(), Some("k.geojson"));
    let l = parse_line("curl 'http://h/api/incidents?a=1&b=2'   # the API");
    assert_eq!(l.argv, ["curl", "http://h/api/incidents?a=1&b=2"]);
    let md =
        "text\n```\n# a comment\nsitrep why 1\n\n```\nsitrep not in a block\n```json\n{}\n```\n";
    assert_eq!(readme_lines(md).len(), 1);
}

#[test]
fn a_missing_gold_file_is_a_clear_error() {
    let out = bin()
        .args(["eval", "--gold", "no/such/gold.jsonl"])
        .output()
        .expect("run eval");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no/such/gold.jsonl") && err.contains("not found"),
        "{err}"
    );
    assert_eq!(
        err.lines().count(),
        1,
        "one line, the cause said once: {err}"
    );
}

/// The batch as the folder describes it: each file in name order, as its `index.jsonl` record
/// with the text inlined, or (not indexed) as its text or HTML under its stem.
fn batch_of(folder: &Path) -> Vec<Value> {
    let index = std::fs::read_to_string(folder.join("index.jsonl")).expect("index.jsonl");
    let records: Vec<Value> = index
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("index line"))
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .expect("examples/reports")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .filter(|n| n != "index.jsonl")
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|name| {
            let body = std::fs::read_to_string(folder.join(&name)).expect("report");
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            match records.iter().find(|r| r["file"] == name.as_str()) {
                Some(r) => {
                    let mut r = r.clone();
                    let o = r.as_object_mut().expect("object");
                    o.remove("file");
                    o.insert("text".into(), body.into());
                    r
                }
                None if name.ends_with(".html") => serde_json::json!({"id": stem, "html": body}),
                None => serde_json::json!({"id": stem, "text": body}),
            }
        })
        .collect()
}

#[test]
fn the_examples_batch_is_the_examples_folder() {
    let want = batch_of(&root().join("examples/reports"));
    let path = root().join("examples/all.jsonl");
    if std::env::var_os("UPDATE_EXAMPLES").is_some() {
        let lines: Vec<String> = want.iter().map(Value::to_string).collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("write examples/all.jsonl");
    }
    let have: Vec<Value> = std::fs::read_to_string(&path)
        .expect("examples/all.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("batch line"))
        .collect();
    assert_eq!(
        have, want,
        "examples/all.jsonl differs from examples/reports: UPDATE_EXAMPLES=1 cargo test -p sitrep --test readme"
    );
    assert!(
        !root().join("examples/reports/all.jsonl").exists(),
        "a second batch in the folder makes `ingest examples/reports` read every report twice"
    );
}

#[test]
fn the_demo_shows_an_incident_told_by_several_reports_with_a_range_of_figures() {
    let (mut demo, url) = serving(bin().args(["demo", "--addr", "127.0.0.1:0"]));
    let page: Value =
        serde_json::from_str(&get(&format!("{url}api/incidents?limit=1000")).expect("incidents"))
            .expect("json");
    stop(&mut demo);
    let incidents = page["incidents"].as_array().expect("incidents");
    let ranged = incidents.iter().find(|i| {
        let k = &i["killed"];
        let range = (k["low"].as_u64(), k["high"].as_u64());
        i["sources"].as_u64() >= Some(2) && matches!(range, (Some(l), Some(h)) if l < h)
    });
    assert!(
        ranged.is_some(),
        "no incident with 2 sources and low < high: {page:#}"
    );
}

#[test]
fn a_republished_copy_is_listed_under_the_report_it_copies() {
    let dir = tmp("copies");
    let db = dir.join("s.db");
    let out = bin()
        .arg("ingest")
        .arg(root().join("examples/reports"))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("ingest");
    assert!(out.status.success(), "{}", text(&out).1);
    let listed = bin()
        .args(["events", "--format", "json", "--text", "El Fasher", "--db"])
        .arg(&db)
        .output()
        .expect("events");
    let incidents: Vec<Value> = serde_json::from_slice(&listed.stdout).expect("json");
    let shelling = incidents
        .iter()
        .find(|i| i["location"] == "El Fasher" && i["family"] == "explosions_remote_violence")
        .expect("the El Fasher shelling");
    assert_eq!(shelling["sources"], 1, "a copy is not a second source");
    let why = bin()
        .args(["why", &shelling["id"].to_string(), "--db"])
        .arg(&db)
        .output()
        .expect("why");
    let (why, _) = text(&why);
    assert!(
        why.contains("copy: report") && why.contains("[Sahara Courier]"),
        "{why}"
    );
}
