//! Reports that once panicked the extractor and stopped a whole ingest: a page whose script
//! holds a multi-byte character after "</", and a page dated in year 9999 that says "On March
//! 5" and "Next year". Each must now be read (or flagged) and the rest of the batch stored.

mod common;

use common::{bin, tmp};

const SCRIPT_PAGE: &str =
    "<html><head><title>Shelling</title></head><body><script>var s = '</\u{e9}t\u{e9}';</script>\
<p>Shelling killed two people in Kharkiv on Monday, officials said.</p></body></html>";

const FAR_FUTURE_PAGE: &str = "<html><head><meta property=\"article:published_time\" content=\"9999-12-31T10:00:00Z\">\
</head><body><p>On March 5 shelling killed three people in Sumy. Next year talks may resume.</p></body></html>";

#[test]
fn pages_that_once_panicked_are_extracted_with_a_warning_not_a_crash() {
    for page in [SCRIPT_PAGE, FAR_FUTURE_PAGE] {
        let dir = tmp("hostile-extract");
        let f = dir.join("page.html");
        std::fs::write(&f, page).unwrap();
        let out = bin().args(["extract"]).arg(&f).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let x: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!x["events"].as_array().unwrap().is_empty(), "{x}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn an_ingest_with_hostile_pages_stores_the_whole_batch() {
    let dir = tmp("hostile-ingest");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::write(reports.join("a.html"), SCRIPT_PAGE).unwrap();
    std::fs::write(reports.join("b.html"), FAR_FUTURE_PAGE).unwrap();
    std::fs::write(
        reports.join("c.txt"),
        "Shelling killed one person in Odesa.",
    )
    .unwrap();
    let db = dir.join("s.db");
    let out = bin()
        .args(["ingest", "--no-fetch"])
        .arg(&reports)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("3 stored"), "{err}");
    // A re-run finds everything stored and extracts nothing again.
    let again = bin()
        .args(["ingest", "--no-fetch"])
        .arg(&reports)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        again.status.success() && err.contains("3 already stored"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
