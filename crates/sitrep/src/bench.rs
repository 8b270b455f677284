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
    /// Also measure `ingest` (extract + store + merge) against `extract` alone, on one core.
    #[arg(long)]
    ingest: bool,
    /// Measure merge cost as the store grows: insert rate at 1k, 10k and 100k stored reports
    /// (synthetic extractions spread over places and dates; extraction not included).
    #[arg(long)]
    scale: bool,
    /// Load-test the HTTP API on loopback instead: --connections clients each send --requests
    /// requests to a server over --db (default: a store built from the corpus).
    #[arg(long)]
    serve: bool,
    #[arg(long, default_value_t = 200)]
    connections: usize,
    #[arg(long, default_value_t = 25)]
    requests: usize,
    /// The store to serve for --serve.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Time extraction of pathological reports (repeated quotation marks, speaker lookups, one
    /// endless sentence, ...) at 100 KB, 1 MB and 4 MB, and nothing else.
    #[arg(long)]
    shapes: bool,
    /// Largest store size for --scale.
    #[arg(long, default_value_t = 100_000)]
    scale_max: usize,
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
        // A closing line makes every synthetic report's text distinct (rewrites of one story stay
        // near-duplicates, as re-published wire copy is).
        paras.push(format!("Filed by desk {i}."));
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
    extract_doc(d).events.len()
}

/// One corpus report extracted, its publication date resolved as ingest would.
fn extract_doc(d: &Doc) -> sitrep_model::Extraction {
    let published = d
        .published
        .as_deref()
        .and_then(sitrep_text::timex::parse_date);
    sitrep_extract::extract(sitrep_extract::Input {
        meta: sitrep_model::ReportMeta {
            published,
            ..Default::default()
        },
        text: d.text.clone(),
        warnings: vec![],
    })
}

pub fn run(args: Args) -> Result<()> {
    if args.shapes {
        crate::bench_shapes::run();
        return Ok(());
    }
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
        write_corpus(&docs, out)?;
        say!("wrote {name} to {}", out.display());
        return Ok(());
    }
    if args.serve {
        return serve(&args, &docs, &name);
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    // Warm-up pass, then the measured single-core pass.
    let _ = extract_all(&docs[..docs.len().min(50)]);
    let t = Instant::now();
    let cpu0 = cpu_secs();
    let events = extract_all(&docs);
    let one = t.elapsed().as_secs_f64();
    let one_cpu = cpu_secs().zip(cpu0).map(|(b, a)| b - a);
    let cores = rayon::current_num_threads();
    let t = Instant::now();
    let _: usize = docs.par_iter().map(extract_one).sum();
    let all = t.elapsed().as_secs_f64();
    say!("corpus: {name} ({:.2} MB of text)", bytes as f64 / 1e6);
    say!(
        "start-up (lexicons + gazetteer + first report): {:.1} ms",
        startup.as_secs_f64() * 1e3
    );
    say!(
        "one core:  {:8.0} reports/s  {:6.2} MB/s  ({events} events)",
        docs.len() as f64 / one,
        bytes as f64 / 1e6 / one
    );
    say!(
        "{cores} cores: {:8.0} reports/s  {:6.2} MB/s  (speed-up {:.2}x)",
        docs.len() as f64 / all,
        bytes as f64 / 1e6 / all,
        one / all
    );
    if args.ingest {
        bench_ingest(&docs, one, one_cpu)?;
    }
    if args.scale {
        bench_scale(args.scale_max)?;
    }
    if let Some(mb) = peak_rss_mb() {
        say!("peak memory (VmHWM): {mb:.0} MB");
    }
    Ok(())
}

fn temp_dir(tag: &str) -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("sitrep-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    Ok(d)
}

/// Write a corpus as JSON Lines, the format `extract --jsonl` and `ingest` read.
fn write_corpus(docs: &[Doc], path: &Path) -> Result<()> {
    let lines: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| serde_json::json!({"id": format!("bench-{i}"), "text": d.text, "published": d.published}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n")
        .with_context(|| format!("writing {}", path.display()))
}

/// The median of some measurements, sorting them in place; None when there are none.
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// CPU time this process has used so far (user + system, all threads), from /proc.
fn cpu_secs() -> Option<f64> {
    stat_secs(11)
}

/// CPU time of this process's finished and waited-for children (user + system), from /proc.
fn children_cpu_secs() -> Option<f64> {
    stat_secs(13)
}

/// Two adjacent tick counts of /proc/self/stat, from field `at` after the command name, in
/// seconds.
fn stat_secs(at: usize) -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(at)?.parse::<f64>().ok()? + f.get(at + 1)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// How the command comparison keeps its children to one core: pinned with `taskset` where that
/// works, else with one extraction thread (storing may then use a second core).
struct OneCore {
    pinned: bool,
}

impl OneCore {
    fn probe() -> OneCore {
        let pinned = std::process::Command::new("taskset")
            .args(["-c", "0", "true"])
            .status()
            .is_ok_and(|s| s.success());
        OneCore { pinned }
    }

    fn describe(&self) -> &'static str {
        if self.pinned {
            "pinned to one core (taskset -c 0)"
        } else {
            "one extraction thread (`taskset -c 0` failed here; storing may use a second core)"
        }
    }

    /// Run `exe ARGS` as a child on one core, its output discarded: its elapsed and CPU seconds.
    fn time(&self, exe: &Path, args: &[&std::ffi::OsStr]) -> Result<(f64, f64)> {
        let mut cmd = if self.pinned {
            let mut c = std::process::Command::new("taskset");
            c.args(["-c", "0"]).arg(exe);
            c
        } else {
            let mut c = std::process::Command::new(exe);
            c.env("RAYON_NUM_THREADS", "1");
            c
        };
        // Standard error is kept for the message should the child fail (without a terminal it
        // prints no progress, only its summary).
        cmd.args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let cpu0 = children_cpu_secs().context("reading child CPU time from /proc")?;
        let t = Instant::now();
        let out = cmd.output().context("running a sitrep child")?;
        let secs = t.elapsed().as_secs_f64();
        anyhow::ensure!(
            out.status.success(),
            "sitrep {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        let cpu = children_cpu_secs().context("reading child CPU time from /proc")? - cpu0;
        Ok((secs, cpu))
    }
}

/// The issue's own comparison: the commands `sitrep extract --jsonl CORPUS` (output discarded)
/// and `sitrep ingest CORPUS` into a fresh store, each in a child process on one core, in
/// interleaved rounds so a busy moment on the machine hits both alike. Throughput ratios per
/// round (extract time over ingest time), by elapsed and by CPU time: median and range.
fn bench_commands(corpus: &Path, dir: &Path, rounds: usize) -> Result<()> {
    let exe = std::env::current_exe().context("finding the sitrep executable")?;
    let one = OneCore::probe();
    let (mut by_time, mut by_cpu, mut cpu_x, mut cpu_i) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let (xs, xc) = one.time(
            &exe,
            &["extract".as_ref(), "--jsonl".as_ref(), corpus.as_ref()],
        )?;
        let db = dir.join(format!("commands-{round}.db"));
        let (is, ic) = one.time(
            &exe,
            &[
                "ingest".as_ref(),
                "--db".as_ref(),
                db.as_ref(),
                corpus.as_ref(),
            ],
        )?;
        by_time.push(100.0 * xs / is);
        by_cpu.push(100.0 * xc / ic.max(0.01));
        cpu_x.push(xc);
        cpu_i.push(ic);
    }
    // The median, and the range: `median` leaves the values sorted.
    let spread = |v: &mut Vec<f64>| {
        let m = median(v).unwrap_or(f64::NAN);
        (m, v[0], v[v.len() - 1])
    };
    let ((t, t0, t1), (c, c0, c1)) = (spread(&mut by_time), spread(&mut by_cpu));
    say!(
        "commands, {}, {rounds} interleaved rounds: extract --jsonl {:.2} s CPU, ingest {:.2} s CPU (medians); ingest throughput {t:.0}% of extract --jsonl by elapsed time ({t0:.0}-{t1:.0}%), {c:.0}% by CPU time ({c0:.0}-{c1:.0}%)",
        one.describe(),
        median(&mut cpu_x).unwrap_or(f64::NAN),
        median(&mut cpu_i).unwrap_or(f64::NAN),
    );
    Ok(())
}

/// Ingest the corpus into a fresh store with one extraction thread and compare with extraction
/// alone: by elapsed time (the writer thread overlaps storing with extracting) and by CPU time
/// (what ingest would cost pinned to a single core).
fn bench_ingest(docs: &[Doc], extract_secs: f64, extract_cpu: Option<f64>) -> Result<()> {
    let dir = temp_dir("ingest")?;
    let corpus = dir.join("corpus.jsonl");
    write_corpus(docs, &corpus)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .context("a one-thread pool")?;
    let db = dir.join("bench.db");
    let t = Instant::now();
    let cpu0 = cpu_secs();
    let s =
        pool.install(|| crate::store_cmd::ingest(&db, &[corpus.display().to_string()], false, 64))?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs().zip(cpu0).map(|(b, a)| b - a);
    say!(
        "ingest, one extraction thread + writer: {:8.0} reports/s ({} stored, {} near-duplicates); {:.0}% of extract-only throughput",
        docs.len() as f64 / secs,
        s.stored,
        s.near_duplicates,
        100.0 * extract_secs / secs
    );
    say!(
        "  where its time went ({}): {}",
        if s.writer_thread {
            "the writer on a thread of its own"
        } else {
            "storing on the extraction thread"
        },
        s.stages
    );
    if let (Some(x), Some(i)) = (extract_cpu, cpu) {
        say!(
            "ingest CPU time: {:.2} ms/report against {:.2} ms/report for extraction alone: {:.0}% of extract-only throughput on a single core",
            1e3 * i / docs.len() as f64,
            1e3 * x / docs.len() as f64,
            100.0 * x / i
        );
    }
    bench_store(docs, &dir)?;
    bench_commands(&corpus, &dir, 7)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Storing alone: the corpus extracted beforehand, then stored and merged into a fresh store in
/// batches of 64 by this thread, as the ingest writer does. Reported per report, by elapsed and
/// CPU time (the checkpoint thread included), to set against extraction's.
fn bench_store(docs: &[Doc], dir: &Path) -> Result<()> {
    use sitrep_store::Store;
    let extracted: Vec<(String, sitrep_model::Extraction)> = docs
        .par_iter()
        .map(|d| (d.text.clone(), extract_doc(d)))
        .collect();
    // Five rounds, each into a fresh store; the median, so a busy moment does not decide it.
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for round in 0..5 {
        let db = dir.join(format!("store-alone-{round}.db"));
        let mut store = crate::store_cmd::open(&db)?.with_background_checkpoints()?;
        let reports = extracted.clone();
        let t = Instant::now();
        let cpu0 = cpu_secs();
        // Preparing a report for the store (hash, encoded extraction, index words, simhash) is
        // part of storing it, though ingest does it on the extraction threads.
        let mut reports = reports.into_iter();
        loop {
            let batch: Vec<sitrep_store::NewReport> = reports
                .by_ref()
                .take(64)
                .map(|(text, x)| sitrep_store::NewReport::new(text, x))
                .collect();
            if batch.is_empty() {
                break;
            }
            store.put_batch(&batch)?;
        }
        drop(store);
        wall.push(t.elapsed().as_secs_f64());
        if let Some(c) = cpu_secs().zip(cpu0).map(|(b, a)| b - a) {
            cpu.push(c);
        }
    }
    let per = |secs: f64| 1e3 * secs / docs.len() as f64;
    say!(
        "storing alone (extracted beforehand; batches of 64; median of 5): {:.3} ms/report elapsed{}",
        per(median(&mut wall).expect("five rounds")),
        median(&mut cpu)
            .map(|c| format!(", {:.3} ms/report CPU", per(c)))
            .unwrap_or_default()
    );
    Ok(())
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// How the generated reports of `--scale` are spread in time.
#[derive(Clone, Copy)]
enum Arrival {
    /// As a store grows: about 55 reports a day, each published up to six days after the day
    /// its place in the stream stands for. 100k reports span five years; the number of
    /// incidents near a new report stays the same however many are stored.
    Chronological,
    /// Every report on a random day of the same five years, whatever the store's size: 100k
    /// reports are 100 times as dense as 1k, so a new report has more neighbours to compare.
    SameFiveYears,
}

impl Arrival {
    const DAYS: u64 = 1_800;
    /// Reports a day when arriving chronologically: 100k reports over the five years.
    const PER_DAY: usize = 55;

    fn day(self, i: usize, rng: &mut Rng) -> i64 {
        match self {
            Arrival::Chronological => (i / Self::PER_DAY) as i64 + (rng.next() % 7) as i64,
            Arrival::SameFiveYears => (rng.next() % Self::DAYS) as i64,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Arrival::Chronological => "arriving in time order, 55 a day",
            Arrival::SameFiveYears => {
                "stress: each on a random day of the same five years, denser as the store grows"
            }
        }
    }
}

/// Insert rate (reports/s) when the store holds 1k, 10k, 100k reports, for each way of arriving.
fn bench_scale(max: usize) -> Result<()> {
    // Real extractions of the example reports are the templates; each synthetic report moves its
    // events to another place and day, so the R*Tree, not luck, keeps candidate sets small.
    let templates: Vec<sitrep_model::Extraction> = synthesize(&examples_dir(), 16)?
        .0
        .iter()
        .map(extract_doc)
        .collect();
    say!("merge scaling (synthetic extractions from examples/reports; median of three 1,000-report probes at each size):");
    for arrival in [Arrival::Chronological, Arrival::SameFiveYears] {
        say!("  {}:", arrival.label());
        scale_one(&templates, arrival, max)?;
    }
    Ok(())
}

/// One `--scale` run, in a store of its own.
fn scale_one(templates: &[sitrep_model::Extraction], arrival: Arrival, max: usize) -> Result<()> {
    use sitrep_store::Store;
    let dir = temp_dir("scale")?;
    let db = dir.join("scale.db");
    let mut store = crate::store_cmd::open(&db)?.with_background_checkpoints()?;
    let words: Vec<&str> = "shelling talks drone border convoy village market hospital ministry ceasefire fighters army rebels district province report officials residents displaced aid road bridge town city airstrike mortar rocket agreement statement council"
        .split(' ')
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let make = |i: usize, rng: &mut Rng| -> (String, sitrep_model::Extraction) {
        let mut x = templates[i % templates.len()].clone();
        let (dlat, dlon) = (rng.unit() * 40.0 - 20.0, rng.unit() * 80.0 - 40.0);
        let day = time::Date::from_calendar_date(2020, time::Month::January, 1).expect("a date")
            + time::Duration::days(arrival.day(i, rng));
        x.report.published = Some(day);
        x.report.id = sitrep_model::ReportId(format!("scale-{i}"));
        for e in &mut x.events {
            for l in &mut e.locations {
                l.lat = (l.lat + dlat).clamp(-80.0, 80.0);
                l.lon = ((l.lon + dlon + 180.0).rem_euclid(360.0)) - 180.0;
            }
            e.when.start = Some(day);
            e.when.end = Some(day);
        }
        // Distinct texts, as distinct as real reports: common words mixed with rarer tokens.
        let text: Vec<String> = (0..120)
            .map(|k| {
                if k % 4 != 0 {
                    format!("w{}", rng.next() % 50_000)
                } else {
                    words[(rng.next() % words.len() as u64) as usize].to_string()
                }
            })
            .collect();
        (format!("synthetic report {i}: {}", text.join(" ")), x)
    };
    // Preparing a report (hash, encoded extraction, index words, simhash) is timed with storing
    // it, as storing alone is: it is the same work whichever thread does it.
    let prepare = |batch: Vec<(String, sitrep_model::Extraction)>| -> Vec<sitrep_store::NewReport> {
        batch
            .into_iter()
            .map(|(text, x)| sitrep_store::NewReport::new(text, x))
            .collect()
    };
    let mut stored = 0usize;
    let mut checkpoints = vec![1_000usize, 10_000, 100_000];
    checkpoints.retain(|c| *c <= max);
    let mut first_rate = None;
    let mut first_cpu_rate = None;
    for target in checkpoints {
        while stored < target {
            let n = (target - stored).min(500);
            let batch: Vec<_> = (stored..stored + n).map(|i| make(i, &mut rng)).collect();
            store.put_batch(&prepare(batch))?;
            stored += n;
        }
        // Three probes of 1,000 reports each; the median rate, so one checkpoint or a busy
        // moment on the machine does not decide the figure.
        let (mut rates, mut cpu_rates) = (Vec::with_capacity(3), Vec::with_capacity(3));
        for _ in 0..3 {
            let probe: Vec<_> = (stored..stored + 1_000)
                .map(|i| make(i, &mut rng))
                .collect();
            let t = Instant::now();
            let cpu0 = cpu_secs();
            let mut probe = probe.into_iter();
            loop {
                let chunk: Vec<_> = probe.by_ref().take(100).collect();
                if chunk.is_empty() {
                    break;
                }
                store.put_batch(&prepare(chunk))?;
            }
            rates.push(1_000.0 / t.elapsed().as_secs_f64());
            if let Some(cpu) = cpu_secs().zip(cpu0).map(|(b, a)| b - a) {
                cpu_rates.push(1_000.0 / cpu.max(0.01));
            }
            stored += 1_000;
        }
        let rate = median(&mut rates).expect("three probes");
        let cpu_rate = median(&mut cpu_rates);
        let base = *first_rate.get_or_insert(rate);
        let cpu_base = *first_cpu_rate.get_or_insert(cpu_rate);
        let by_cpu = cpu_rate
            .zip(cpu_base)
            .map(|(r, b)| format!("; per CPU second {r:.0}/s, {:.2}x", r / b))
            .unwrap_or_default();
        let mb = |suffix: &str| {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6)
        };
        say!(
            "    {target:>7} stored: {rate:8.0} reports/s stored and merged ({:.2}x the 1k rate{by_cpu}); store {:.0} MB + WAL {:.0} MB",
            rate / base,
            mb(""),
            mb("-wal")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `--serve`: build (or take) a store, load-test the API, print the figures.
fn serve(args: &Args, docs: &[Doc], name: &str) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("sitrep-bench-serve-{}", std::process::id()));
    let (db, what) = match &args.db {
        Some(db) => (db.clone(), format!("the store {}", db.display())),
        None => {
            std::fs::create_dir_all(&tmp)?;
            let corpus = tmp.join("corpus.jsonl");
            write_corpus(docs, &corpus)?;
            let db = tmp.join("bench.db");
            crate::store_cmd::ingest(&db, &[corpus.display().to_string()], false, 256)?;
            (db, format!("a store of {name}"))
        }
    };
    let r = crate::load::run(&db, args.connections.max(1), args.requests.max(1));
    let _ = std::fs::remove_dir_all(&tmp);
    let r = r?;
    say!("serve: {what}");
    say!(
        "serve, {} connections: {} requests in {:.2}s = {:.0} requests/s; latency p50 {:.1} ms, p99 {:.1} ms; {} errors",
        r.connections,
        r.requests,
        r.seconds,
        r.requests as f64 / r.seconds,
        r.p50.as_secs_f64() * 1e3,
        r.p99.as_secs_f64() * 1e3,
        r.errors
    );
    if let Some(e) = r.first_error {
        bail!(
            "{} of {} requests failed; the first: {e}",
            r.errors,
            r.requests
        );
    }
    Ok(())
}
