//! Golden tests: each report's whole extraction against a reviewed JSON file.
//!
//! `UPDATE_GOLDEN=1 cargo test -p sitrep-extract --test golden` rewrites the files; review the
//! diff line by line before committing. Our own example reports live in `examples/reports`; the
//! canonical article is read from `../shared/examples` when present (the test says when it skips)
//! and, since its text is not ours to copy, its golden file keeps offsets but not the quoted text.

use serde_json::Value;
use sitrep_extract::{extract, Input};
use sitrep_model::{ReportId, ReportMeta};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn meta(id: &str, published: &str, source: Option<&str>, title: Option<&str>) -> ReportMeta {
    ReportMeta {
        id: ReportId(id.to_string()),
        published: sitrep_text::timex::parse_date(published),
        source: source.map(str::to_string),
        url: None,
        title: title.map(str::to_string),
    }
}

/// Replace every string under a "text" or "mention" key with its length: offsets stay checkable.
fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if matches!(k.as_str(), "text" | "mention") {
                    if let Value::String(s) = x {
                        *x = Value::String(format!("<{} bytes>", s.len()));
                        continue;
                    }
                }
                redact(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Compare with the golden file, or write it under UPDATE_GOLDEN=1. Returns a failure message.
fn check(name: &str, actual: &Value) -> Option<String> {
    let path = root()
        .join("crates/sitrep-extract/tests/golden")
        .join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(actual).expect("json") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).expect("write golden file");
        return None;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(e) => e,
        Err(e) => {
            return Some(format!(
                "{name}: no golden file {} ({e}); run with UPDATE_GOLDEN=1 and review it",
                path.display()
            ))
        }
    };
    if expected == text {
        return None;
    }
    let first = expected
        .lines()
        .zip(text.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b);
    Some(match first {
        Some((n, (e, a))) => format!(
            "{name}: line {} differs\n  expected: {e}\n  actual:   {a}",
            n + 1
        ),
        None => format!(
            "{name}: lengths differ ({} vs {} lines)",
            expected.lines().count(),
            text.lines().count()
        ),
    })
}

#[test]
fn example_reports_match_their_golden_extractions() {
    let index = std::fs::read_to_string(root().join("examples/reports/index.jsonl"))
        .expect("examples/reports/index.jsonl");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in index.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).expect("index line");
        let s = |k: &str| rec.get(k).and_then(Value::as_str);
        let id = s("id").expect("id");
        let text = std::fs::read_to_string(
            root()
                .join("examples/reports")
                .join(s("file").expect("file")),
        )
        .expect("report text");
        let x = extract(Input {
            meta: meta(
                id,
                s("published").expect("published"),
                s("source"),
                s("title"),
            ),
            text,
            warnings: vec![],
        });
        failures.extend(check(id, &serde_json::to_value(&x).expect("json")));
        n += 1;
    }
    assert!(n >= 15, "expected at least 15 example reports, found {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn canonical_article_matches_its_golden_extraction() {
    let path = root().join("../shared/examples/kyiv-strikes-geneva-talks.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        let why = format!(
            "{} is not present; the canonical article's golden test did not run",
            path.display()
        );
        eprintln!("SKIPPED: {why}");
        // Cargo hides a passing test's output: the line in target/skipped-tests.txt is what
        // `.ci/run` prints at its end.
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root().join("target"), |t| root().join(t));
        let _ = std::fs::create_dir_all(&target);
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(target.join("skipped-tests.txt"))
        {
            use std::io::Write;
            let _ = writeln!(
                f,
                "sitrep-extract golden::canonical_article_matches_its_golden_extraction: {why}"
            );
        }
        return;
    };
    let x = extract(Input {
        meta: meta("kyiv-strikes-geneva-talks", "2025-11-25", None, None),
        text,
        warnings: vec![],
    });
    // The facts a golden file regenerated by mistake would hide: the "at least nine" killed is
    // a total of the strikes on Kyiv and on Russia, never an event of its own, and no death is
    // counted twice.
    let nine = x
        .totals
        .iter()
        .find(|t| t.kind == sitrep_model::CasualtyKind::Killed && t.count.value == 9);
    assert!(
        nine.is_some_and(|t| t.covers.len() == 2 && t.consistent),
        "{:?}",
        x.totals
    );
    let roots: u64 = x
        .events
        .iter()
        .filter(|e| e.part_of.is_none())
        .filter_map(|e| e.casualties.killed.map(|c| c.value))
        .sum();
    assert_eq!(roots, 9, "{:?}", x.events);
    let mut v = serde_json::to_value(&x).expect("json");
    redact(&mut v);
    if let Some(f) = check("kyiv-strikes-geneva-talks.redacted", &v) {
        panic!("{f}");
    }
}
