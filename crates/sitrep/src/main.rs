//! `sitrep`: the command line. Thin glue over the pipeline crates.

mod bench;
mod input;
mod load;
mod serve_cmd;
mod store_cmd;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use input::{JsonlRecord, Meta};
use rayon::prelude::*;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sitrep",
    version,
    about = "Turn news reports about wars and diplomacy into a sourced, geocoded event database."
)]
struct Cli {
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Text,
}

#[derive(Subcommand)]
enum Command {
    /// Read one report (text or HTML, file or stdin) and write its events, quotes and places.
    Extract {
        /// The report file, or - for stdin. Omit with --jsonl.
        #[arg(required_unless_present = "jsonl")]
        file: Option<PathBuf>,
        /// Batch mode: JSON Lines {"id","text"|"html","published","source","url","title"}, or - for stdin.
        #[arg(long, conflicts_with = "file")]
        jsonl: Option<PathBuf>,
        /// Publication date (YYYY-MM-DD or RFC 3339); relative times resolve against it.
        #[arg(long)]
        published: Option<String>,
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// Report id (default: the file stem).
        #[arg(long)]
        id: Option<String>,
        /// Treat the input as HTML even if it does not look like it.
        #[arg(long)]
        html: bool,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// Score the extractor against a gold file (../shared/data/README.md format).
    Eval {
        /// One or more gold JSONL files.
        #[arg(long, required = true)]
        gold: Vec<PathBuf>,
        /// Print scores as JSON.
        #[arg(long)]
        json: bool,
        /// Also print each report's extraction summary.
        #[arg(long)]
        details: bool,
    },
    /// Measure throughput, start-up time and memory on a corpus of reports.
    Bench(bench::Args),
    /// Read reports (files, folders, .jsonl, RSS/Atom feeds, http(s) URLs) into the store and
    /// merge their events into incidents. Safe to re-run: what is stored is skipped.
    Ingest {
        /// Files, folders (recursive), feeds or URLs. Omit with --reextract.
        #[arg(required_unless_present = "reextract")]
        inputs: Vec<String>,
        #[arg(long, default_value = "sitrep.db")]
        db: PathBuf,
        /// Re-extract every stored report with this version and rebuild events and incidents.
        #[arg(long)]
        reextract: bool,
        /// Do not fetch URLs or follow feed links.
        #[arg(long)]
        no_fetch: bool,
        /// Reports per transaction.
        #[arg(long, default_value_t = 64)]
        batch: usize,
    },
    /// List incidents in the store.
    Events {
        #[command(flatten)]
        filters: Filters,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Export every incident (ACLED-style CSV, GeoJSON, JSON Lines, CSV).
    Export {
        #[arg(long, default_value = "sitrep.db")]
        db: PathBuf,
        #[arg(long, value_enum, default_value = "acled-csv")]
        format: ExportFormat,
    },
    /// Serve the HTTP JSON API and the map page over a store.
    Serve {
        #[arg(long, default_value = "sitrep.db")]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Accept reports on POST /api/reports (with a bearer token).
        #[arg(long)]
        allow_write: bool,
        /// The write token (at least 16 characters); generated and printed when omitted.
        #[arg(long, env = "SITREP_TOKEN", requires = "allow_write")]
        token: Option<String>,
    },
    /// Build a store from the example reports and serve the map page.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Where to build the store (must not exist yet; kept). Default: a private temporary folder, removed on exit.
        #[arg(long)]
        db: Option<PathBuf>,
        /// More reports to load with the examples (files, folders, JSON Lines, feeds).
        extra: Vec<String>,
    },
    /// Explain an incident: the reports merged into it and why.
    Why {
        incident: i64,
        #[arg(long, default_value = "sitrep.db")]
        db: PathBuf,
    },
}

#[derive(clap::Args)]
struct Filters {
    #[arg(long, default_value = "sitrep.db")]
    db: PathBuf,
    /// Incidents ending on or after this date (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Incidents starting on or before this date.
    #[arg(long)]
    until: Option<String>,
    #[arg(long)]
    family: Option<String>,
    #[arg(long = "type")]
    event_type: Option<String>,
    /// ISO 3166 alpha-2 country code.
    #[arg(long)]
    country: Option<String>,
    /// Actor name (substring) or country code.
    #[arg(long)]
    actor: Option<String>,
    /// LAT,LON; with --km.
    #[arg(long, allow_hyphen_values = true)]
    near: Option<String>,
    #[arg(long, default_value_t = 50.0)]
    km: f64,
    /// WEST,SOUTH,EAST,NORTH in degrees.
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    #[arg(long)]
    min_killed: Option<u64>,
    /// Full-text search in the reports behind an incident.
    #[arg(long)]
    text: Option<String>,
    #[arg(long)]
    limit: Option<u32>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
    Jsonl,
    Csv,
    Geojson,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    AcledCsv,
    Geojson,
    Jsonl,
    Csv,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_logging(cli.verbose);
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`| head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Extract {
            file,
            jsonl,
            published,
            source,
            url,
            title,
            id,
            html,
            format,
        } => {
            if let Some(path) = jsonl {
                return extract_jsonl(&path, format);
            }
            let file = file.expect("clap requires a file without --jsonl");
            let bytes = read_input(&file)?;
            let id = id.or_else(|| {
                (file.to_str() != Some("-"))
                    .then(|| file.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .flatten()
            });
            let meta = Meta {
                id,
                published,
                source,
                url,
                title,
            };
            let input = input::prepare(&bytes, meta, html)
                .with_context(|| format!("reading {}", file.display()))?;
            let x = sitrep_extract::extract(input);
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &x)?;
                    writeln!(out)?;
                }
                Format::Text => write!(out, "{}", sitrep_extract::render_text(&x))?,
            }
            Ok(())
        }
        Command::Eval {
            gold,
            json,
            details,
        } => eval(&gold, json, details),
        Command::Bench(args) => bench::run(args),
        Command::Ingest {
            inputs,
            db,
            reextract,
            no_fetch,
            batch,
        } => {
            if reextract {
                let n = store_cmd::reextract(&db)?;
                eprintln!("re-extracted {n} reports with {}", store_cmd::EXTRACTOR);
                if inputs.is_empty() {
                    return Ok(());
                }
            }
            let t = std::time::Instant::now();
            let s = store_cmd::ingest(&db, &inputs, !no_fetch, batch)?;
            let secs = t.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "read {} reports in {:.1}s ({:.0}/s): {} stored, {} already stored, {} near-duplicates linked, {} failed; {} events, {} new incidents, {} merged into existing ones",
                s.read, secs, s.read as f64 / secs, s.stored, s.duplicates, s.near_duplicates, s.failed, s.events, s.new_incidents, s.merged
            );
            tracing::info!("{} reports extracted; time: {}", s.extracted, s.stages);
            anyhow::ensure!(
                s.failed == 0 || s.stored + s.duplicates + s.near_duplicates > 0,
                "no input could be read ({} failed)",
                s.failed
            );
            Ok(())
        }
        Command::Events { filters: f, format } => {
            let q = sitrep_store::Filters {
                since: f.since,
                until: f.until,
                family: f.family,
                event_type: f.event_type,
                country: f.country,
                actor: f.actor,
                near: f.near,
                km: Some(f.km),
                bbox: f.bbox,
                min_killed: f.min_killed,
                text: f.text,
                limit: f.limit,
                offset: None,
            }
            .check()?;
            let store = store_cmd::open(&f.db)?;
            let incidents = sitrep_store::Store::incidents(&store, &q)?;
            let format = match format {
                ListFormat::Table => sitrep_store::Format::Table,
                ListFormat::Json => sitrep_store::Format::Json,
                ListFormat::Jsonl => sitrep_store::Format::Jsonl,
                ListFormat::Csv => sitrep_store::Format::Csv,
                ListFormat::Geojson => sitrep_store::Format::Geojson,
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            store_cmd::write_incidents(&store, &incidents, format, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Command::Export { db, format } => {
            let store = store_cmd::open(&db)?;
            let incidents =
                sitrep_store::Store::incidents(&store, &sitrep_store::Query::default())?;
            let format = match format {
                ExportFormat::AcledCsv => sitrep_store::Format::AcledCsv,
                ExportFormat::Geojson => sitrep_store::Format::Geojson,
                ExportFormat::Jsonl => sitrep_store::Format::Jsonl,
                ExportFormat::Csv => sitrep_store::Format::Csv,
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            store_cmd::write_incidents(&store, &incidents, format, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Command::Serve {
            db,
            addr,
            allow_write,
            token,
        } => serve_cmd::serve(serve_cmd::Options {
            db,
            addr,
            allow_write,
            token,
        }),
        Command::Demo { addr, db, extra } => serve_cmd::demo(db, addr, &extra),
        Command::Why { incident, db } => {
            let mut out = std::io::stdout().lock();
            store_cmd::why(&db, incident, &mut out)
        }
    }
}

/// Read a whole file or stdin, refusing inputs too large to be a report.
fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    // Read one byte past the cap so truncation can be reported by the decoder.
    let cap = sitrep_text::MAX_INPUT_BYTES as u64 + 1;
    let mut buf = Vec::new();
    if path.to_str() == Some("-") {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut buf)
            .context("reading stdin")?;
    } else {
        let f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        f.take(cap)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    Ok(buf)
}

/// Batch extraction: in input order, on all cores, one output line per input line.
fn extract_jsonl(path: &PathBuf, format: Format) -> Result<()> {
    let reader: Box<dyn BufRead> = if path.to_str() == Some("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        ))
    };
    let progress = progress_bar(None, "reports");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut lines = reader.lines().enumerate();
    let (mut ok, mut failed) = (0usize, 0usize);
    loop {
        let chunk: Vec<(usize, std::io::Result<String>)> = lines.by_ref().take(512).collect();
        if chunk.is_empty() {
            break;
        }
        let results: Vec<String> = chunk
            .into_par_iter()
            .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
            .map(|(n, line)| {
                let res = line
                    .map_err(anyhow::Error::from)
                    .and_then(|l| {
                        serde_json::from_str::<JsonlRecord>(&l).context("not a report record")
                    })
                    .and_then(|rec| {
                        let id = rec.meta.id.clone();
                        input::from_record(rec).map(|mut i| {
                            if i.meta.id.0.is_empty() {
                                i.meta.id.0 = id.unwrap_or_else(|| format!("line-{}", n + 1));
                            }
                            i
                        })
                    })
                    .map(sitrep_extract::extract);
                match (res, format) {
                    (Ok(x), Format::Json) => {
                        serde_json::to_string(&x).expect("extractions always serialise")
                    }
                    (Ok(x), Format::Text) => sitrep_extract::render_text(&x),
                    (Err(e), _) => {
                        serde_json::json!({"line": n + 1, "error": format!("{e:#}")}).to_string()
                    }
                }
            })
            .collect();
        for r in results {
            if r.starts_with("{\"error\"") || r.starts_with("{\"line\"") {
                failed += 1;
            } else {
                ok += 1;
            }
            writeln!(out, "{r}")?;
            progress.inc(1);
        }
    }
    out.flush()?;
    progress.finish_and_clear();
    tracing::info!(ok, failed, "batch done");
    if failed > 0 {
        eprintln!("{ok} reports extracted, {failed} lines failed (see their \"error\" records)");
    }
    Ok(())
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress_bar(len: Option<u64>, unit: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if len.is_some() {
        "{bar:40} {pos}/{len} {msg} ({per_sec}, eta {eta})"
    } else {
        "{spinner} {pos} {msg} ({per_sec})"
    };
    pb.set_style(indicatif::ProgressStyle::with_template(template).expect("a valid template"));
    pb.set_message(unit.to_string());
    pb
}

fn eval(gold: &[PathBuf], json: bool, details: bool) -> Result<()> {
    let mut scores = sitrep_eval::Scores::default();
    for path in gold {
        let records = sitrep_eval::load(path)?;
        let progress = progress_bar(Some(records.len() as u64), "reports");
        let results: Vec<_> = records
            .par_iter()
            .map(|g| {
                let meta = Meta {
                    id: Some(g.record.id.clone()),
                    published: g.record.published.clone(),
                    ..Meta::default()
                };
                let input = input::prepare(g.text.as_bytes(), meta, false)
                    .with_context(|| format!("gold record {}", g.record.id))?;
                let x = sitrep_extract::extract(input);
                progress.inc(1);
                Ok::<_, anyhow::Error>(x)
            })
            .collect();
        progress.finish_and_clear();
        for (g, x) in records.iter().zip(results) {
            let x = x?;
            if details {
                println!("{}", sitrep_extract::render_text(&x));
            }
            sitrep_eval::score_one(&g.record, &x, &mut scores);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        println!("{scores}");
    }
    Ok(())
}
