//! The map page in headless Chromium: `sitrep demo` serves the example reports plus one whose
//! text carries `<script>` and `<img onerror>`; `web/e2e/page.mjs` (playwright-core) checks the
//! legend and its human labels, the markers and clusters (two incidents at one point each
//! clickable), that opening an incident flies to it and highlights it on the map, in the list and
//! in its sentence, that a click on the timeline keeps the list and a drag filters it, the phone
//! layout at 400x850, and that the markup stays text. It writes screenshots at 1400x900 and
//! 400x850 to `target/screenshots/`, which this test checks again (PNG of the expected size).
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
fn the_page_has_a_legend_clusters_highlights_a_selection_fits_a_phone_and_keeps_markup_as_text() {
    if let Some(why) = missing() {
        assert!(
            std::env::var("SITREP_REQUIRE_BROWSER").is_err(),
            "SITREP_REQUIRE_BROWSER is set but {why}"
        );
        skipped(
            "sitrep browser::the_page_has_a_legend_clusters_highlights_a_selection_fits_a_phone_and_keeps_markup_as_text",
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
    let out_dir = root().join("target/screenshots");
    std::fs::create_dir_all(&out_dir).expect("screenshot folder");
    let out_dir = out_dir.canonicalize().expect("screenshot folder");
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
    drop(dir);
    println!("{stdout}");
    assert!(
        status.success(),
        "browser checks failed:\n{stdout}\n{stderr}"
    );
    for (shot, size) in SCREENSHOTS {
        let path = out_dir.join(shot);
        let png = std::fs::read(&path).expect("screenshot written");
        assert_eq!(
            png_size(&png),
            Some(size),
            "{} is not a {size:?} PNG",
            path.display()
        );
        assert!(
            png.len() > 20_000,
            "{} is too small to show the page",
            path.display()
        );
        println!("screenshot: {}", path.display());
    }
}

/// The screenshots `page.mjs` writes, with their (width, height): desktop and phone.
const SCREENSHOTS: [(&str, (u32, u32)); 3] = [
    ("desktop.png", (1400, 900)),
    ("phone.png", (400, 850)),
    ("phone-map.png", (400, 850)),
];

/// Width and height from a PNG's header, or `None` when `png` is not one.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| Some(u32::from_be_bytes(png.get(at..at + 4)?.try_into().ok()?));
    (png.starts_with(b"\x89PNG\r\n\x1a\n") && png.get(12..16) == Some(b"IHDR"))
        .then(|| Some((be(16)?, be(20)?)))
        .flatten()
}

#[test]
fn png_size_reads_the_header_and_refuses_other_files() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(1400u32.to_be_bytes());
    png.extend(900u32.to_be_bytes());
    assert_eq!(png_size(&png), Some((1400, 900)));
    assert_eq!(png_size(&png[..20]), None);
    assert_eq!(
        png_size(b"GIF89a\0\0\0\0\0\0IHDR\0\0\0\x01\0\0\0\x01"),
        None
    );
}
