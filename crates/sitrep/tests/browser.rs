//! The map page in headless Chromium: `sitrep demo` serves the example reports plus one whose
//! text carries `<script>` and `<img onerror>`; `web/e2e/page.mjs` (playwright-core) checks the
//! markers, a click on one, the highlighted sentence, the timeline and that the markup stays text,
//! and writes screenshots to `target/e2e/`.
//!
//! Needs Debian's chromium and `npm ci` in `web/e2e` (`.ci/run` installs both). Without them the
//! test says SKIPPED, unless `SITREP_REQUIRE_BROWSER=1`, which makes their absence a failure.

mod common;

use common::{bin, root, serving, skipped, tmp, Killed};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The browser run may not hang the suite: it is killed after this long.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH".into());
    }
    if !root().join("web/e2e/node_modules/playwright-core").is_dir() {
        return Some("playwright-core is not installed (npm ci --prefix web/e2e)".into());
    }
    None
}

#[test]
fn the_page_shows_markers_highlights_sentences_and_keeps_markup_as_text() {
    if let Some(why) = missing() {
        assert!(
            std::env::var("SITREP_REQUIRE_BROWSER").is_err(),
            "SITREP_REQUIRE_BROWSER is set but {why}"
        );
        skipped(
            "sitrep browser::the_page_shows_markers_highlights_sentences_and_keeps_markup_as_text",
            &why,
        );
        return;
    }
    let dir = tmp("browser");
    let (demo, url) = serving(
        bin()
            .args(["demo", "--addr", "127.0.0.1:0", "--db"])
            .arg(dir.join("demo.db"))
            .arg(root().join("crates/sitrep/tests/fixtures/hostile-report.jsonl")),
    );
    let out_dir = root().join("target/e2e");
    let mut node = Killed(
        Command::new("node")
            .arg(root().join("web/e2e/page.mjs"))
            .arg(&url)
            .arg(&out_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run node"),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.0.try_wait().expect("wait for node") {
            break status;
        }
        assert!(
            started.elapsed() < BROWSER_TIMEOUT,
            "the browser test did not finish in {BROWSER_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let _ = node
        .0
        .stdout
        .take()
        .map(|mut o| o.read_to_string(&mut stdout));
    let _ = node
        .0
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    drop(demo);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{stdout}");
    assert!(
        status.success(),
        "browser checks failed:\n{stdout}\n{stderr}"
    );
    for shot in ["page.png", "incident.png"] {
        let meta = std::fs::metadata(out_dir.join(shot)).expect("screenshot written");
        assert!(meta.len() > 10_000, "{shot} is too small to show the page");
    }
}
