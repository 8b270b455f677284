//! `sitrep ingest`, `sitrep events`, `sitrep export`, `sitrep why`: the store from the command line.

use crate::input::{self, Meta};
use anyhow::{Context, Result};
use rayon::prelude::*;
use sitrep_ingest::{Body, Fetcher, Limits, PrivateAddresses, Sources};
use sitrep_store::{
    ContentHash, Format, Incident, IncidentId, NewReport, PutOutcome, SqliteStore, Store,
};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// The extractor version recorded with every stored report.
pub const EXTRACTOR: &str = concat!("sitrep-extract/", env!("CARGO_PKG_VERSION"));

/// Open the store at `db`.
pub fn open(db: &Path) -> Result<SqliteStore> {
    Ok(SqliteStore::open(db)
        .with_context(|| format!("opening the store {}", db.display()))?
        .with_extractor(EXTRACTOR))
}

/// Totals printed at the end of an ingest.
#[derive(Debug, Default)]
pub struct Summary {
    pub read: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub near_duplicates: usize,
    pub failed: usize,
    /// Reports stored whose extraction failed (an `extraction_failed` warning and no facts):
    /// kept, so a re-run skips them; `--reextract` tries them again after an upgrade.
    pub extraction_failed: usize,
    pub events: usize,
    pub new_incidents: usize,
    pub merged: usize,
    /// Reports extracted: those read, less what failed or was found already stored.
    pub extracted: usize,
    /// Whether a writer thread stored while the next batch was extracted (more than one core).
    pub writer_thread: bool,
    pub stages: Stages,
}

/// Where an ingest's time went. Extraction and preparing are summed over the threads that did
/// them, so with several cores the stages add up to more than the elapsed time.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stages {
    /// Reading inputs, normalising and hashing their text, asking the store what it holds.
    pub read: Duration,
    /// `sitrep_extract::extract`.
    pub extract: Duration,
    /// Making an extraction ready to store: encoded, compressed, its words and simhash.
    pub prepare: Duration,
    /// Storing and merging, commits included.
    pub store: Duration,
    /// Closing the store, whose last checkpoint copies the WAL into the database file.
    pub close: Duration,
}

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |d: Duration| d.as_secs_f64();
        write!(
            f,
            "reading {:.3} s, extracting {:.3} s, preparing {:.3} s, storing {:.3} s, closing {:.3} s",
            s(self.read),
            s(self.extract),
            s(self.prepare),
            s(self.store),
            s(self.close)
        )
    }
}

/// What the writer thread stored.
#[derive(Debug, Default)]
struct Written {
    stored: usize,
    duplicates: usize,
    near_duplicates: usize,
    events: usize,
    new_incidents: usize,
    merged: usize,
    /// Time spent in `put_batch`.
    storing: Duration,
    /// Time spent closing the store (its checkpoint thread stopped and joined).
    closing: Duration,
}

impl Written {
    /// Store one batch in one transaction and count what happened to it.
    fn store(&mut self, store: &mut SqliteStore, batch: &[NewReport]) -> Result<()> {
        let t = Instant::now();
        let outcomes = store.put_batch(batch).context("storing a batch")?;
        self.storing += t.elapsed();
        for o in outcomes {
            match o {
                PutOutcome::Stored {
                    events: n,
                    new_incidents,
                    merged,
                    ..
                } => {
                    self.stored += 1;
                    self.events += n;
                    self.new_incidents += new_incidents;
                    self.merged += merged;
                }
                PutOutcome::Duplicate { .. } => self.duplicates += 1,
                PutOutcome::NearDuplicate { .. } => self.near_duplicates += 1,
            }
        }
        Ok(())
    }

    /// Close the store, timed.
    fn close(mut self, store: SqliteStore) -> Self {
        let t = Instant::now();
        drop(store);
        self.closing += t.elapsed();
        self
    }
}

/// Where extracted batches go: a writer thread that owns the store's write connection and
/// stores each batch while the next is extracted, or, on a machine (or under an affinity mask)
/// of a single core, this thread: a writer thread there would only add context switches and
/// colder caches to the same work.
enum Sink<'scope> {
    Inline(Box<SqliteStore>, Written),
    Writer {
        send: std::sync::mpsc::SyncSender<Vec<NewReport>>,
        thread: std::thread::ScopedJoinHandle<'scope, Result<Written>>,
    },
}

impl<'scope> Sink<'scope> {
    fn start<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        mut store: SqliteStore,
        events: &'scope std::sync::atomic::AtomicUsize,
    ) -> Result<Sink<'scope>> {
        if std::thread::available_parallelism().map_or(1, usize::from) == 1 {
            return Ok(Sink::Inline(Box::new(store), Written::default()));
        }
        // Two batches may wait for the writer: enough to overlap, bounded in memory.
        let (send, batches) = std::sync::mpsc::sync_channel::<Vec<NewReport>>(2);
        let thread = std::thread::Builder::new()
            .name("sitrep-writer".into())
            .spawn_scoped(scope, move || {
                let mut w = Written::default();
                for batch in batches {
                    w.store(&mut store, &batch)?;
                    events.store(w.events, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(w.close(store))
            })
            .context("starting the writer thread")?;
        Ok(Sink::Writer { send, thread })
    }

    /// Hand a batch over. False when the writer has stopped (its error comes from `finish`).
    fn put(
        &mut self,
        batch: Vec<NewReport>,
        events: &std::sync::atomic::AtomicUsize,
    ) -> Result<bool> {
        match self {
            Sink::Inline(store, w) => {
                w.store(store, &batch)?;
                events.store(w.events, std::sync::atomic::Ordering::Relaxed);
                Ok(true)
            }
            Sink::Writer { send, .. } => Ok(send.send(batch).is_ok()),
        }
    }

    fn finish(self) -> Result<Written> {
        match self {
            Sink::Inline(store, w) => Ok(w.close(*store)),
            Sink::Writer { send, thread } => {
                drop(send);
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
            }
        }
    }
}

/// How `sitrep ingest` reads its inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Fetch URLs and follow thin feed items to their pages.
    pub fetch: bool,
    /// Let fetches reach loopback, private and other non-public addresses.
    pub allow_private_addresses: bool,
    /// Follow symbolic links met in folders.
    pub follow_symlinks: bool,
    /// How long one feed's item pages may take in all.
    pub feed_deadline: Duration,
}

impl ReadOptions {
    /// The defaults, fetching or not.
    pub fn new(fetch: bool) -> ReadOptions {
        ReadOptions {
            fetch,
            allow_private_addresses: false,
            follow_symlinks: false,
            feed_deadline: Limits::default().feed_deadline,
        }
    }

    fn sources(&self, inputs: &[String]) -> Sources {
        let private = if self.allow_private_addresses {
            PrivateAddresses::Allowed
        } else {
            PrivateAddresses::Refused
        };
        let fetcher = self
            .fetch
            .then(|| Fetcher::new(Duration::from_secs(20), private));
        let limits = Limits {
            feed_deadline: self.feed_deadline,
            ..Limits::default()
        };
        Sources::new(inputs, fetcher, limits).follow_symlinks(self.follow_symlinks)
    }
}

/// Ingest every input with the default [`ReadOptions`], fetching or not.
pub fn ingest(db: &Path, inputs: &[String], fetch: bool, batch: usize) -> Result<Summary> {
    ingest_with(db, inputs, &ReadOptions::new(fetch), batch)
}

/// Ingest every input: read, extract on all cores, and store in batches (one transaction each),
/// on a writer thread of its own when there is more than one core, so storing one batch overlaps
/// extracting the next.
pub fn ingest_with(
    db: &Path,
    inputs: &[String],
    read: &ReadOptions,
    batch: usize,
) -> Result<Summary> {
    let store = open(db)?.with_background_checkpoints()?;
    // A second connection answers "already stored?" before extraction; the writer checks again
    // inside its transaction, so a report still in flight is never stored twice.
    let lookup = open(db)?;
    let mut sources = read.sources(inputs);
    let progress = crate::progress_bar(None, "reports");
    let mut sum = Summary::default();
    let events = std::sync::atomic::AtomicUsize::new(0);
    let written = std::thread::scope(|scope| -> Result<Written> {
        let mut sink = Sink::start(scope, store, &events)?;
        sum.writer_thread = matches!(sink, Sink::Writer { .. });
        loop {
            let reading = Instant::now();
            let chunk: Vec<_> = sources.by_ref().take(batch.max(1)).collect();
            if chunk.is_empty() {
                break;
            }
            sum.read += chunk.len();
            // Read and extract in parallel, in input order; skip what is already stored before
            // paying for extraction, which makes re-runs after a crash cheap.
            let prepared: Vec<Result<(sitrep_extract::Input, ContentHash)>> = chunk
                .into_par_iter()
                .map(|item| {
                    let item = item.map_err(anyhow::Error::from)?;
                    let meta = item.meta.clone();
                    let (bytes, html) = match &item.body {
                        Body::Text(b) => (b, false),
                        Body::Html(b) => (b, true),
                    };
                    // An unreadable date in a feed is flagged, not fatal: the report is kept undated.
                    let prepared = match input::prepare_contained(bytes, meta.clone(), html) {
                        Err(e) if e.to_string().contains("unknown publication date") => {
                            input::prepare_contained(
                                bytes,
                                Meta {
                                    published: None,
                                    ..meta
                                },
                                html,
                            )
                        }
                        other => other,
                    };
                    let input = prepared.with_context(|| item.origin.clone())?;
                    let hash = ContentHash::of(&input.text);
                    Ok((input, hash))
                })
                .collect();
            let mut todo = Vec::new();
            // One read transaction for the whole chunk's lookups.
            lookup.snapshot(|lookup| -> Result<()> {
                for p in prepared {
                    match p {
                        Err(e) => {
                            sum.failed += 1;
                            progress.suspend(|| eprintln!("skipped: {e:#}"));
                        }
                        Ok((i, hash)) => match lookup.find(i.meta.url.as_deref(), &hash)? {
                            Some(_) => sum.duplicates += 1,
                            None => todo.push((i, hash)),
                        },
                    }
                }
                Ok(())
            })??;
            sum.stages.read += reading.elapsed();
            // Extraction, and the part of storing that needs no database, on every core.
            type Done = (NewReport, Duration, Duration, Option<String>);
            let done: Vec<Done> = todo
                .into_par_iter()
                .map(|(i, hash)| {
                    let text = i.text.clone();
                    let t = Instant::now();
                    let x = sitrep_extract::extract(i);
                    let extracted = Instant::now();
                    let failed = x
                        .warnings
                        .iter()
                        .any(|w| w.code == sitrep_model::WarningCode::ExtractionFailed)
                        .then(|| {
                            x.report
                                .url
                                .clone()
                                .unwrap_or_else(|| x.report.id.0.clone())
                        });
                    let report = NewReport::with_hash(text, hash, x);
                    (report, extracted - t, extracted.elapsed(), failed)
                })
                .collect();
            sum.extracted += done.len();
            let mut extracted = Vec::with_capacity(done.len());
            for (report, extracting, preparing, failed) in done {
                if let Some(origin) = failed {
                    sum.extraction_failed += 1;
                    progress.suspend(|| {
                        eprintln!("extraction failed, stored with a warning: {origin}")
                    });
                }
                sum.stages.extract += extracting;
                sum.stages.prepare += preparing;
                extracted.push(report);
            }
            if !sink.put(extracted, &events)? {
                break; // the writer failed: its error is returned below
            }
            progress.set_position(sum.read as u64);
            progress.set_message(format!(
                "reports, {} events",
                events.load(std::sync::atomic::Ordering::Relaxed)
            ));
        }
        sink.finish()
    })?;
    progress.finish_and_clear();
    // The last connection to close checkpoints the WAL.
    let t = Instant::now();
    drop(lookup);
    sum.stages.store = written.storing;
    sum.stages.close = written.closing + t.elapsed();
    sum.stored = written.stored;
    sum.duplicates += written.duplicates;
    sum.near_duplicates = written.near_duplicates;
    sum.events = written.events;
    sum.new_incidents = written.new_incidents;
    sum.merged = written.merged;
    Ok(sum)
}

/// Re-extract every stored report with this extractor and rebuild events and incidents.
pub fn reextract(db: &Path) -> Result<usize> {
    let mut store = open(db)?;
    let reports = store.all_reports()?;
    let n = reports.len();
    let xs: Vec<_> = reports
        .into_par_iter()
        .map(|r| {
            let meta = Meta {
                id: r.ext_id.clone(),
                published: r.published.clone(),
                source: r.source.clone(),
                url: r.url.clone(),
                title: r.title.clone(),
            };
            let input = input::prepare(r.text.as_bytes(), meta, false)
                .with_context(|| format!("report {}", r.id.0))?;
            Ok((r.id, sitrep_extract::extract(input)))
        })
        .collect::<Result<Vec<_>>>()?;
    store.rebuild(&xs)?;
    Ok(n)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv_row(out: &mut dyn Write, row: &[String]) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        row.iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
    )
}

fn country_name(cc: Option<&str>) -> String {
    cc.map(|c| {
        sitrep_gazetteer::Gazetteer::global()
            .country(c)
            .map_or(c.to_string(), |p| p.name.to_string())
    })
    .unwrap_or_default()
}

fn estimate(e: &Option<sitrep_store::Estimate>) -> String {
    match e {
        None => String::new(),
        Some(e) if e.low == e.high => e.best.to_string(),
        Some(e) => format!("{}–{} (best {})", e.low, e.high, e.best),
    }
}

/// Write incidents in a format.
pub fn write_incidents(
    store: &SqliteStore,
    incidents: &[Incident],
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, incidents)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for i in incidents {
                writeln!(out, "{}", serde_json::to_string(i)?)?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{:>6}  {:<10}  {:<34}  {:<24}  {:>4}  {:<16}  {:>7}",
                "id", "date", "type", "location", "cc", "killed", "reports"
            )?;
            for i in incidents {
                let t = format!("{}/{}", short_family(&i.family), i.event_type);
                writeln!(
                    out,
                    "{:>6}  {:<10}  {:<34}  {:<24}  {:>4}  {:<16}  {:>7}",
                    i.id.0,
                    i.date_start.as_deref().unwrap_or("?"),
                    trunc(&t, 34),
                    trunc(i.location.as_deref().unwrap_or("-"), 24),
                    i.country.as_deref().unwrap_or("-"),
                    estimate(&i.killed),
                    i.sources
                )?;
            }
        }
        Format::Csv => {
            writeln!(out, "id,date_start,date_end,family,type,location,country,admin1,lat,lon,precision,initiator,target,killed_low,killed_best,killed_high,injured_low,injured_best,injured_high,reports")?;
            for i in incidents {
                let k = i
                    .killed
                    .map(|e| (e.low.to_string(), e.best.to_string(), e.high.to_string()))
                    .unwrap_or_default();
                let j = i
                    .injured
                    .map(|e| (e.low.to_string(), e.best.to_string(), e.high.to_string()))
                    .unwrap_or_default();
                let row = [
                    i.id.0.to_string(),
                    i.date_start.clone().unwrap_or_default(),
                    i.date_end.clone().unwrap_or_default(),
                    i.family.clone(),
                    i.event_type.clone(),
                    i.location.clone().unwrap_or_default(),
                    i.country.clone().unwrap_or_default(),
                    i.admin1.clone().unwrap_or_default(),
                    i.lat.map(|v| v.to_string()).unwrap_or_default(),
                    i.lon.map(|v| v.to_string()).unwrap_or_default(),
                    i.precision.clone().unwrap_or_default(),
                    i.initiator.clone().unwrap_or_default(),
                    i.target.clone().unwrap_or_default(),
                    k.0,
                    k.1,
                    k.2,
                    j.0,
                    j.1,
                    j.2,
                    i.sources.to_string(),
                ];
                write_csv_row(out, &row)?;
            }
        }
        Format::Geojson => {
            let features: Vec<serde_json::Value> = incidents
                .iter()
                .filter_map(|i| {
                    let (lat, lon) = i.lat.zip(i.lon)?;
                    Some(serde_json::json!({
                        "type": "Feature",
                        "id": i.id.0,
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "properties": i,
                    }))
                })
                .collect();
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({"type": "FeatureCollection", "features": features}),
            )?;
            writeln!(out)?;
        }
        Format::AcledCsv => {
            writeln!(out, "event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities")?;
            for i in incidents {
                let detail = store.incident(i.id)?;
                let mut sources: Vec<String> = detail
                    .iter()
                    .flat_map(|d| d.reports.iter().filter_map(|r| r.source.clone()))
                    .collect();
                sources.sort();
                sources.dedup();
                let family = sitrep_model::Family::parse(&i.family);
                let kind = sitrep_model::EventType::parse(&i.event_type);
                let geo = match i.precision.as_deref() {
                    Some("district" | "settlement") => "1",
                    Some("region") => "2",
                    _ => "3",
                };
                let row = [
                    format!("{}{}", i.country.as_deref().unwrap_or("XX"), i.id.0),
                    i.date_start.clone().unwrap_or_default(),
                    i.date_start
                        .as_deref()
                        .and_then(|d| d.get(..4))
                        .unwrap_or("")
                        .to_string(),
                    if i.date_start == i.date_end {
                        "1".into()
                    } else {
                        "2".into()
                    },
                    family.map_or(i.family.clone(), |f| f.acled_label().to_string()),
                    kind.map_or(i.event_type.clone(), |t| t.label().to_string()),
                    i.initiator.clone().unwrap_or_default(),
                    i.target.clone().unwrap_or_default(),
                    country_name(i.country.as_deref()),
                    i.admin1.clone().unwrap_or_default(),
                    i.location.clone().unwrap_or_default(),
                    i.lat.map(|v| format!("{v:.4}")).unwrap_or_default(),
                    i.lon.map(|v| format!("{v:.4}")).unwrap_or_default(),
                    geo.to_string(),
                    sources.join("; "),
                    i.summary.clone().unwrap_or_default(),
                    i.killed
                        .map(|e| e.low.to_string())
                        .unwrap_or_else(|| "0".into()),
                ];
                write_csv_row(out, &row)?;
            }
        }
    }
    Ok(())
}

fn short_family(f: &str) -> &str {
    match f {
        "explosions_remote_violence" => "explosions",
        "violence_against_civilians" => "vac",
        "strategic_developments" => "strategic",
        other => other,
    }
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// `sitrep why`: which reports make an incident and why each joined it.
pub fn why(db: &Path, id: i64, out: &mut dyn Write) -> Result<()> {
    let store = open(db)?;
    let d = store
        .incident(IncidentId(id))?
        .with_context(|| format!("no incident {id} in {}", db.display()))?;
    let i = &d.incident;
    writeln!(
        out,
        "incident {}: {}/{} at {} ({}) {}..{}, killed {}, injured {}",
        i.id.0,
        i.family,
        i.event_type,
        i.location.as_deref().unwrap_or("?"),
        i.country.as_deref().unwrap_or("?"),
        i.date_start.as_deref().unwrap_or("?"),
        i.date_end.as_deref().unwrap_or("?"),
        if i.killed.is_some() {
            estimate(&i.killed)
        } else {
            "-".into()
        },
        if i.injured.is_some() {
            estimate(&i.injured)
        } else {
            "-".into()
        },
    )?;
    for r in &d.reports {
        writeln!(
            out,
            "  report {} {} [{}] {} — event {}: killed {}, injured {}",
            r.report.0,
            r.published.as_deref().unwrap_or("undated"),
            r.source.as_deref().unwrap_or("?"),
            r.title.as_deref().unwrap_or(""),
            r.event,
            r.killed.map_or("-".into(), |v| v.to_string()),
            r.injured.map_or("-".into(), |v| v.to_string()),
        )?;
        writeln!(out, "    why: {}", r.merge_reason)?;
        for ev in r.evidence.iter().take(1) {
            writeln!(out, "    > {}", ev.text)?;
        }
    }
    Ok(())
}
