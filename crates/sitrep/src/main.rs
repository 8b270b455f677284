//! `sitrep`: the command line. Thin glue over the pipeline crates.

/// `println!` that never panics: a reader that stopped early (`sitrep train ner | head`) ends
/// what is printed, not the work (a model is still written). Reports and tables go through it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod actors;
mod bench;
mod bench_shapes;
mod geoparse;
mod input;
mod load;
mod serve_cmd;
mod store_cmd;
mod train;

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
    /// Train a learned stage from the dev sets in ../shared/data and print its scores.
    Train(train::TrainArgs),
    /// Resolve given place-name spans to gazetteer places (resolution alone; JSONL in and out).
    Geoparse(geoparse::Args),
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
        /// Let fetches reach loopback, private, link-local and other non-public addresses
        /// (refused by default, after DNS and on every redirect).
        #[arg(long)]
        allow_private_addresses: bool,
        /// Follow symbolic links met in folders (skipped with a warning by default).
        #[arg(long)]
        follow_symlinks: bool,
        /// Seconds one feed's item pages may take in all; items not fetched by then keep the
        /// feed's text, with a warning.
        #[arg(long, default_value_t = 120, value_name = "SECS")]
        feed_deadline: u64,
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
    /// Export every incident (ACLED's CSV columns and codes, GeoJSON, JSON Lines, CSV).
    Export {
        #[arg(long, default_value = "sitrep.db")]
        db: PathBuf,
        #[arg(long, value_enum, default_value = "acled-csv")]
        format: ExportFormat,
        /// acled-csv: leave diplomacy out (by default written as Strategic developments / Other,
        /// sitrep's type in `tags`).
        #[arg(long)]
        no_diplomacy: bool,
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
        /// The write token (16 or more printable characters, no spaces). Visible to other users
        /// in `ps`: prefer the SITREP_TOKEN environment variable or --token-file. Generated and
        /// printed when none is given.
        #[arg(long, requires = "allow_write", conflicts_with = "token_file")]
        token: Option<String>,
        /// Read the write token from this file (its first line).
        #[arg(long, requires = "allow_write")]
        token_file: Option<PathBuf>,
        /// Connections served at once; more wait in the listen backlog.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_connections: u32,
        /// Seconds a client has to send a request's headers (and an idle keep-alive connection stays open).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        header_timeout: u64,
        /// Seconds a client has to send a request's body.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
        body_timeout: u64,
        /// Seconds a response may wait on a client that does not read it.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
        send_timeout: u64,
        /// On Ctrl-C or SIGTERM, seconds to finish requests in flight before stopping anyway.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
        shutdown_grace: u64,
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
    /// Actor name (substring), an alias or demonym the actor dictionary knows ("RSF"), or a
    /// country code.
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
        Command::Train(args) => train::run(args),
        Command::Geoparse(args) => geoparse::run(args),
        Command::Ingest {
            inputs,
            db,
            reextract,
            no_fetch,
            allow_private_addresses,
            follow_symlinks,
            feed_deadline,
            batch,
        } => {
            if reextract {
                if !db.exists() {
                    return Err(store_cmd::missing_store(&db));
                }
                let n = store_cmd::reextract(&db)?;
                eprintln!("re-extracted {n} reports with {}", store_cmd::EXTRACTOR);
                if inputs.is_empty() {
                    return Ok(());
                }
            }
            let t = std::time::Instant::now();
            let read = store_cmd::ReadOptions {
                allow_private_addresses,
                follow_symlinks,
                feed_deadline: std::time::Duration::from_secs(feed_deadline),
                ..store_cmd::ReadOptions::new(!no_fetch)
            };
            let s = store_cmd::ingest_with(&db, &inputs, &read, batch)?;
            let secs = t.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "read {} reports in {:.1}s ({:.0}/s): {} stored, {} already stored, {} near-duplicates linked, {} failed; {} events, {} new incidents, {} merged into existing ones",
                s.read, secs, s.read as f64 / secs, s.stored, s.duplicates, s.near_duplicates, s.failed, s.events, s.new_incidents, s.merged
            );
            if s.updated > 0 {
                eprintln!(
                    "{} stored reports took a date, title, source or URL they lacked from a later copy (events re-derived)",
                    s.updated
                );
            }
            if s.extraction_failed > 0 {
                eprintln!(
                    "{} stored reports failed extraction and carry an extraction_failed warning (no events); `sitrep ingest --reextract` retries them",
                    s.extraction_failed
                );
            }
            tracing::info!("{} reports extracted; time: {}", s.extracted, s.stages);
            anyhow::ensure!(
                s.failed == 0 || s.stored + s.duplicates + s.near_duplicates + s.updated > 0,
                "no input could be read ({} failed)",
                s.failed
            );
            Ok(())
        }
        Command::Events { filters: f, format } => {
            let mut q = sitrep_store::Filters {
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
            if let Some(a) = &q.actor {
                q.actor_names = actors::actor_names(a);
            }
            let store = open_for_reading(&f.db)?;
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
        Command::Export {
            db,
            format,
            no_diplomacy,
        } => {
            let store = open_for_reading(&db)?;
            let incidents =
                sitrep_store::Store::incidents(&store, &sitrep_store::Query::default())?;
            if let ExportFormat::AcledCsv = format {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                store_cmd::write_acled(&store, &incidents, !no_diplomacy, &mut out)?;
                out.flush()?;
                return Ok(());
            }
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
            token_file,
            max_connections,
            header_timeout,
            body_timeout,
            send_timeout,
            shutdown_grace,
        } => serve_cmd::serve(serve_cmd::Options {
            db,
            addr,
            allow_write,
            token,
            token_file,
            limits: sitrep_server::Limits {
                max_connections: max_connections as usize,
                header_timeout: std::time::Duration::from_secs(header_timeout),
                body_timeout: std::time::Duration::from_secs(body_timeout),
                send_timeout: std::time::Duration::from_secs(send_timeout),
                shutdown_grace: std::time::Duration::from_secs(shutdown_grace),
            },
        }),
        Command::Demo { addr, db, extra } => serve_cmd::demo(db, addr, &extra),
        Command::Why { incident, db } => {
            let mut out = std::io::stdout().lock();
            store_cmd::why(&db, incident, &mut out)
        }
    }
}

/// Open a store to list or export it: read-only, so a store in a read-only folder works, and a
/// missing one is an error (only `ingest` creates a store).
fn open_for_reading(db: &std::path::Path) -> Result<sitrep_store::SqliteStore> {
    store_cmd::open_existing(db)
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
    let mut lines = JsonlLines::new(reader);
    let (mut ok, mut failed) = (0usize, 0usize);
    loop {
        let chunk = lines.chunk()?;
        if chunk.is_empty() {
            break;
        }
        let results: Vec<String> = chunk
            .into_par_iter()
            .map(|(n, line)| {
                let res = line
                    .and_then(|l| {
                        serde_json::from_str::<JsonlRecord>(&l).context("not a report record")
                    })
                    .and_then(|rec| {
                        let id = rec.meta.id.clone();
                        input::from_record(rec).map(|mut i| {
                            if i.meta.id.0.is_empty() {
                                i.meta.id.0 = id.unwrap_or_else(|| format!("line-{n}"));
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
                        serde_json::json!({"line": n, "error": format!("{e:#}")}).to_string()
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

/// The lines of a JSON Lines input, a chunk at a time, each line read only up to
/// [`sitrep_ingest::MAX_RECORD_BYTES`]: a longer one is skipped (an error for its line number)
/// without being held in memory, and the lines after it are read.
struct JsonlLines {
    reader: Box<dyn BufRead>,
    /// Lines read so far, blank ones included, so errors name the line of the input.
    line: usize,
    buf: Vec<u8>,
}

impl JsonlLines {
    /// Lines extracted in parallel at once.
    const CHUNK_LINES: usize = 512;
    /// Bytes of lines held at once, at most (give or take one line).
    const CHUNK_BYTES: usize = 64 * 1024 * 1024;

    fn new(reader: Box<dyn BufRead>) -> JsonlLines {
        JsonlLines {
            reader,
            line: 0,
            buf: Vec::new(),
        }
    }

    /// The next lines that are not blank, numbered from 1; empty at the end of the input.
    fn chunk(&mut self) -> Result<Vec<(usize, Result<String>)>> {
        use sitrep_ingest::{read_line_capped, LineRead, MAX_RECORD_BYTES};
        let mut chunk = Vec::new();
        let mut bytes = 0;
        while chunk.len() < Self::CHUNK_LINES && bytes < Self::CHUNK_BYTES {
            let read = read_line_capped(&mut self.reader, MAX_RECORD_BYTES, &mut self.buf)
                .with_context(|| format!("reading line {}", self.line + 1))?;
            let Some(read) = read else { break };
            self.line += 1;
            let n = self.line;
            if let LineRead::TooLong(len) = read {
                let e = anyhow::anyhow!(
                    "line {n} is {len} bytes, over the limit of {MAX_RECORD_BYTES} bytes for one record; skipped"
                );
                chunk.push((n, Err(e)));
                continue;
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            bytes += self.buf.len();
            let line = String::from_utf8(std::mem::take(&mut self.buf))
                .map_err(|_| anyhow::anyhow!("line {n} is not valid UTF-8"));
            chunk.push((n, line));
        }
        Ok(chunk)
    }
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
        anyhow::ensure!(
            path.is_file(),
            "gold file {} not found (gold files: examples/gold/reports.gold.jsonl, ../shared/data/*.jsonl)",
            path.display()
        );
        // The error names its file and cause in one line: its source would repeat the cause.
        let records = sitrep_eval::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
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
                say!("{}", sitrep_extract::render_text(&x));
            }
            sitrep_eval::score_one(&g.record, &x, &mut scores);
        }
    }
    if json {
        say!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        say!("{scores}");
    }
    Ok(())
}
