//! `sitrep bench`: throughput, start-up and memory, measured on a named corpus.
//!
//! Figures are printed, never asserted: timing belongs in benchmarks, not tests.

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Corpus: a JSONL file of reports ({"id","text","published"}) or a folder of .txt reports.
    /// Default: examples/reports, expanded to --reports synthetic reports.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Number of reports to generate from a folder corpus.
    #[arg(long, default_value_t = 1000)]
    reports: usize,
    /// Write the generated corpus as JSONL to this file and stop.
    #[arg(long)]
    write_corpus: Option<PathBuf>,
}

/// The folder of example reports shipped with the repo.
pub fn examples_dir() -> PathBuf {
    let local = PathBuf::from("examples/reports");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reports")
}

struct Doc {
    text: String,
    published: Option<String>,
}

/// Expand a folder of reports into `n` distinct synthetic ones: each is a rotation of one
/// report's paragraphs followed by a paragraph from another, so sizes and content vary.
fn synthesize(dir: &Path, n: usize) -> Result<(Vec<Doc>, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read corpus folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no .txt reports in {}", dir.display());
    }
    let bases: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f).map(|t| {
                t.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect()
            })
        })
        .collect::<Result<_, _>>()?;
    let mut docs = Vec::with_capacity(n);
    for i in 0..n {
        let base = &bases[i % bases.len()];
        let other = &bases[(i / bases.len() + 1 + i) % bases.len()];
        let rot = (i / bases.len()) % base.len().max(1);
        let mut paras: Vec<String> = base[rot..].iter().chain(&base[..rot]).cloned().collect();
        paras.push(other[(i * 7) % other.len()].clone());
        docs.push(Doc {
            text: paras.join("\n"),
            published: Some(format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28)),
        });
    }
    Ok((
        docs,
        format!(
            "{} synthetic reports from the {} reports in {}",
            n,
            files.len(),
            dir.display()
        ),
    ))
}

fn load_jsonl(path: &Path) -> Result<(Vec<Doc>, String)> {
    let data =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut docs = Vec::new();
    for (i, line) in data
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), i + 1))?;
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .with_context(|| format!("{}:{}: no text", path.display(), i + 1))?;
        docs.push(Doc {
            text: text.to_string(),
            published: v
                .get("published")
                .and_then(|p| p.as_str())
                .map(str::to_string),
        });
    }
    let name = format!("{} reports from {}", docs.len(), path.display());
    Ok((docs, name))
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn extract_all(docs: &[Doc]) -> usize {
    docs.iter().map(extract_one).sum()
}

fn extract_one(d: &Doc) -> usize {
    let published = d
        .published
        .as_deref()
        .and_then(sitrep_text::timex::parse_date);
    let meta = sitrep_model::ReportMeta {
        published,
        ..Default::default()
    };
    let x = sitrep_extract::extract(sitrep_extract::Input {
        meta,
        text: d.text.clone(),
        warnings: vec![],
    });
    x.events.len()
}

pub fn run(args: Args) -> Result<()> {
    let t0 = Instant::now();
    // Start-up: the first extraction pays for the lexicons and the gazetteer.
    sitrep_extract::extract(sitrep_extract::Input {
        text: "Shelling hit Kharkiv overnight.".into(),
        ..Default::default()
    });
    let startup = t0.elapsed();
    let (docs, name) = match &args.corpus {
        Some(p) if p.is_file() => load_jsonl(p)?,
        Some(p) => synthesize(p, args.reports)?,
        None => synthesize(&examples_dir(), args.reports)?,
    };
    if let Some(out) = &args.write_corpus {
        let lines: Vec<String> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| serde_json::json!({"id": format!("bench-{i}"), "text": d.text, "published": d.published}).to_string())
            .collect();
        std::fs::write(out, lines.join("\n") + "\n")
            .with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {name} to {}", out.display());
        return Ok(());
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    // Warm-up pass, then the measured single-core pass.
    let _ = extract_all(&docs[..docs.len().min(50)]);
    let t = Instant::now();
    let events = extract_all(&docs);
    let one = t.elapsed().as_secs_f64();
    let cores = rayon::current_num_threads();
    let t = Instant::now();
    let _: usize = docs.par_iter().map(extract_one).sum();
    let all = t.elapsed().as_secs_f64();
    println!("corpus: {name} ({:.2} MB of text)", bytes as f64 / 1e6);
    println!(
        "start-up (lexicons + gazetteer + first report): {:.1} ms",
        startup.as_secs_f64() * 1e3
    );
    println!(
        "one core:  {:8.0} reports/s  {:6.2} MB/s  ({events} events)",
        docs.len() as f64 / one,
        bytes as f64 / 1e6 / one
    );
    println!(
        "{cores} cores: {:8.0} reports/s  {:6.2} MB/s  (speed-up {:.2}x)",
        docs.len() as f64 / all,
        bytes as f64 / 1e6 / all,
        one / all
    );
    if let Some(mb) = peak_rss_mb() {
        println!("peak memory (VmHWM): {mb:.0} MB");
    }
    Ok(())
}
