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

/// The error for a store that does not exist where a command only reads one.
pub fn missing_store(db: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "there is no store at {0}: only `sitrep ingest` creates one (sitrep ingest --db {0} PATH...); is --db right?",
        db.display()
    )
}

/// Open an existing store read-only (to list, export, explain or serve it); a missing one is
/// [`missing_store`], never a new empty store.
pub fn open_existing(db: &Path) -> Result<SqliteStore> {
    match SqliteStore::open_read_only(db) {
        Err(sitrep_store::StoreError::Missing { .. }) => Err(missing_store(db)),
        r => r.with_context(|| format!("opening the store {}", db.display())),
    }
}

/// Totals printed at the end of an ingest.
#[derive(Debug, Default)]
pub struct Summary {
    pub read: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub near_duplicates: usize,
    /// Stored reports a later copy gave the metadata they lacked (a date re-dates their events).
    pub updated: usize,
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
    updated: usize,
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
                PutOutcome::Updated { .. } => self.updated += 1,
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
///
/// A store this call creates is removed again when the ingest fails (an error, or no input read
/// and something failed) leaving it without a report: a failed first ingest leaves no empty store
/// behind for later commands to read as if it were real.
pub fn ingest_with(
    db: &Path,
    inputs: &[String],
    read: &ReadOptions,
    batch: usize,
) -> Result<Summary> {
    let created = !db.exists();
    let result = ingest_into(db, inputs, read, batch);
    let failed = match &result {
        Err(_) => true,
        Ok(s) => s.failed > 0 && s.stored + s.duplicates + s.near_duplicates + s.updated == 0,
    };
    if created && failed {
        remove_if_empty(db);
    }
    result
}

/// Remove the store at `db` (and its WAL and shared-memory files) if it holds no report.
fn remove_if_empty(db: &Path) {
    let empty = SqliteStore::open_read_only(db)
        .and_then(|s| s.counts())
        .is_ok_and(|c| c.reports == 0 && c.near_duplicates == 0);
    if !empty {
        return;
    }
    for suffix in ["-wal", "-shm", ""] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(&p);
    }
}

fn ingest_into(db: &Path, inputs: &[String], read: &ReadOptions, batch: usize) -> Result<Summary> {
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
                        // A stored copy is skipped, unless this one brings metadata it lacks
                        // (a date, a title...): then it is extracted, to update the report.
                        Ok((i, hash)) => match lookup.find(i.meta.url.as_deref(), &hash)? {
                            Some(id) if !lookup.would_improve(id, &hash, &i.meta)? => {
                                sum.duplicates += 1
                            }
                            _ => todo.push((i, hash)),
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
    sum.updated = written.updated;
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
                "{:>6}  {:<10}  {:<34}  {:<32}  {:>4}  {:<16}  {:>7}",
                "id", "date", "type", "location", "cc", "killed", "reports"
            )?;
            for i in incidents {
                let t = format!("{}/{}", short_family(&i.family), i.event_type);
                writeln!(
                    out,
                    "{:>6}  {:<10}  {:<34}  {:<32}  {:>4}  {:<16}  {:>7}",
                    i.id.0,
                    i.date_start.as_deref().unwrap_or("?"),
                    trunc(&t, 34),
                    trunc(&place_label(i), 32),
                    i.country.as_deref().unwrap_or("-"),
                    estimate(&i.killed),
                    i.sources
                )?;
            }
        }
        Format::Csv => {
            writeln!(out, "id,date_start,date_end,family,type,location,location_as_written,place_kind,country,admin1,lat,lon,precision,initiator,target,killed_low,killed_best,killed_high,injured_low,injured_best,injured_high,reports")?;
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
                    i.location_as_written.clone().unwrap_or_default(),
                    i.place_kind.clone().unwrap_or_default(),
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
            let unplaced = incidents
                .iter()
                .filter(|i| i.lat.is_none() || i.lon.is_none())
                .count();
            if unplaced > 0 {
                eprintln!(
                    "geojson: left out {unplaced} of {} incidents without coordinates (the \"unplaced\" property counts them)",
                    incidents.len()
                );
            }
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
                &serde_json::json!({"type": "FeatureCollection", "unplaced": unplaced, "features": features}),
            )?;
            writeln!(out)?;
        }
        Format::AcledCsv => write_acled(store, incidents, true, out)?,
    }
    Ok(())
}

/// ACLED's export columns, in ACLED's order.
pub const ACLED_COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// A text cell as a spreadsheet must read it: one that begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be run as a formula, so it gets a leading `'` (OWASP's advice).
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// ISO 3166 alpha-3 codes by alpha-2, from the gazetteer's country table.
fn iso3(iso2: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            include_str!("../../../data/gazetteer/countries.tsv")
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let mut f = l.split('\t');
                    Some((f.next()?, f.next()?))
                })
                .collect()
        })
        .get(iso2)
        .copied()
}

/// The kind and country of an actor by its canonical name in `data/actors.tsv`.
fn actor_kind(name: &str) -> Option<(&'static str, &'static str)> {
    static TABLE: std::sync::OnceLock<
        std::collections::HashMap<&'static str, (&'static str, &'static str)>,
    > = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            include_str!("../../../data/actors.tsv")
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let f: Vec<&str> = l.split('\t').collect();
                    Some((*f.get(3)?, (*f.get(1)?, *f.get(2)?)))
                })
                .collect()
        })
        .get(name)
        .copied()
}

/// ACLED's actor type code (`inter1`, `inter2`) for an actor, where its name says it: 1 state
/// forces (of the incident's country), 2 rebel groups (sitrep's armed groups), 5 rioters,
/// 6 protesters, 7 civilians, 8 external forces (a state acting outside its country). None
/// when the name does not tell (ACLED's 3 and 4, militias, are not told apart here).
pub(crate) fn inter_code(
    actor: &str,
    actor_country: Option<&str>,
    country: Option<&str>,
) -> Option<u8> {
    let state = |home: Option<&str>| {
        if home.is_some() && country.is_some() && home != country {
            8
        } else {
            1
        }
    };
    if actor.starts_with("Protesters") {
        return Some(6);
    }
    if actor.starts_with("Rioters") {
        return Some(5);
    }
    if actor.starts_with("Civilians") {
        return Some(7);
    }
    for prefix in ["Military Forces of ", "Police Forces of "] {
        if let Some(rest) = actor.strip_prefix(prefix) {
            let home = actor_country.or_else(|| actor_kind(rest).map(|(_, c)| c));
            return Some(state(home.filter(|c| !c.is_empty())));
        }
    }
    match actor_kind(actor) {
        Some(("state" | "military" | "government_body", home)) => Some(state(
            actor_country.or(Some(home)).filter(|c| !c.is_empty()),
        )),
        Some(("armed_group", _)) => Some(2),
        _ => None,
    }
}

/// The actor types (`inter`) the extractor gave an incident's initiator and target, read from
/// the extraction of the first of its reports (at most three are read) whose event names them.
fn typed_inters(
    store: &SqliteStore,
    detail: Option<&sitrep_store::IncidentDetail>,
    i: &Incident,
) -> (Option<u8>, Option<u8>) {
    use sitrep_model::Role;
    let mut found = (None, None);
    for src in detail.iter().flat_map(|d| d.reports.iter()).take(3) {
        let Ok(Some(info)) = store.report_info(src.report) else {
            continue;
        };
        let events = info.extraction["events"].as_array().cloned();
        let Some(ev) = events
            .unwrap_or_default()
            .into_iter()
            .find(|e| e["id"].as_str() == Some(src.event.as_str()))
        else {
            continue;
        };
        let actors: Vec<sitrep_model::EventActor> =
            serde_json::from_value(ev["actors"].clone()).unwrap_or_default();
        for a in actors {
            let (slot, name) = match a.role {
                Role::Initiator => (&mut found.0, &i.initiator),
                Role::Target => (&mut found.1, &i.target),
                Role::Participant => continue,
            };
            if slot.is_none() && name.as_deref() == Some(a.name.as_str()) {
                *slot = a.inter;
            }
        }
        if found.0.is_some() || found.1.is_some() {
            break;
        }
    }
    found
}

/// ACLED's disorder type for an event type.
fn disorder_type(
    family: sitrep_model::Family,
    kind: Option<sitrep_model::EventType>,
) -> &'static str {
    use sitrep_model::{EventType, Family};
    match (family, kind) {
        (Family::StrategicDevelopments | Family::Diplomacy, _) => "Strategic developments",
        (Family::Protests, Some(EventType::ExcessiveForceAgainstProtesters)) => {
            "Political violence; Demonstrations"
        }
        (Family::Protests, _) | (Family::Riots, Some(EventType::ViolentDemonstration)) => {
            "Demonstrations"
        }
        _ => "Political violence",
    }
}

/// Write incidents as ACLED writes its export: ACLED's 31 columns in ACLED's order and its codes.
/// Diplomacy (which ACLED lacks) is written under Strategic developments / Other, sitrep's own
/// type kept in `tags`, unless `diplomacy` is false. Incidents without a date, a country or
/// coordinates are left out (ACLED has none such), with a count on stderr. Every text cell is
/// guarded against spreadsheet formulas.
pub fn write_acled(
    store: &SqliteStore,
    incidents: &[Incident],
    diplomacy: bool,
    out: &mut dyn Write,
) -> Result<()> {
    use sitrep_model::{EventType, Family};
    write_csv_row(out, &ACLED_COLUMNS.map(String::from))?;
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (mut unplaced, mut undated, mut diplomatic) = (0usize, 0usize, 0usize);
    for i in incidents {
        let family = Family::parse(&i.family);
        let kind = EventType::parse(&i.event_type);
        if family == Some(Family::Diplomacy) && !diplomacy {
            diplomatic += 1;
            continue;
        }
        let (Some(family), Some(kind)) = (family, kind) else {
            continue; // not sitrep's ontology: nothing ACLED could read
        };
        let (Some(lat), Some(lon), Some(cc), Some(cc3)) = (
            i.lat,
            i.lon,
            i.country.as_deref(),
            i.country.as_deref().and_then(iso3),
        ) else {
            unplaced += 1;
            continue;
        };
        let Some(start) = i
            .date_start
            .as_deref()
            .and_then(sitrep_text::timex::parse_date)
        else {
            undated += 1;
            continue;
        };
        let end = i
            .date_end
            .as_deref()
            .and_then(sitrep_text::timex::parse_date)
            .unwrap_or(start);
        let days = (end - start).whole_days();
        let time_precision = match days {
            0 => 1,
            1..=6 => 2,
            _ => 3,
        };
        let detail = store.incident(i.id)?;
        let mut sources: Vec<String> = detail
            .iter()
            .flat_map(|d| d.reports.iter().filter_map(|r| r.source.clone()))
            .collect();
        sources.sort();
        sources.dedup();
        let country = country_name(Some(cc));
        let (event_type, sub_event_type, tags) = if family == Family::Diplomacy {
            let sub = if kind == EventType::Agreement {
                "Agreement"
            } else {
                "Other"
            };
            let tags = format!("sitrep type=diplomacy/{}", kind.as_str());
            (Family::StrategicDevelopments.acled_label(), sub, tags)
        } else {
            (family.acled_label(), kind.label(), String::new())
        };
        // ACLED's generic actors where a type implies them and no actor was named.
        let actor1 = i.initiator.clone().or_else(|| match family {
            Family::Protests => Some(format!("Protesters ({country})")),
            Family::Riots => Some(format!("Rioters ({country})")),
            _ => None,
        });
        let actor2 = i.target.clone().or_else(|| {
            (family == Family::ViolenceAgainstCivilians).then(|| format!("Civilians ({country})"))
        });
        // The extractor's learned actor types where it gave them, else what the name says.
        let (typed1, typed2) = typed_inters(store, detail.as_ref(), i);
        let inter1 = typed1.or_else(|| {
            actor1
                .as_deref()
                .and_then(|a| inter_code(a, i.initiator_country.as_deref(), Some(cc)))
        });
        let inter2 = match &actor2 {
            None => Some(0),
            Some(a) => typed2.or_else(|| inter_code(a, None, Some(cc))),
        };
        let interaction = match (inter1, inter2) {
            (Some(a), Some(0)) => Some(a * 10),
            (Some(a), Some(b)) => Some(a.min(b) * 10 + a.max(b)),
            _ => None,
        };
        let code = |c: Option<u8>| c.map(|c| c.to_string()).unwrap_or_default();
        let geo_precision = match i.precision.as_deref() {
            Some("district" | "settlement") => "1",
            Some("region") => "2",
            _ => "3",
        };
        let row = [
            format!("{cc3}{}", i.id.0),
            start.to_string(),
            start.year().to_string(),
            time_precision.to_string(),
            text_cell(disorder_type(family, Some(kind))),
            text_cell(event_type),
            text_cell(sub_event_type),
            text_cell(actor1.as_deref().unwrap_or("")),
            String::new(),
            code(inter1),
            text_cell(actor2.as_deref().unwrap_or("")),
            String::new(),
            code(inter2),
            code(interaction),
            if family == Family::ViolenceAgainstCivilians {
                "Civilian targeting".into()
            } else {
                String::new()
            },
            String::new(),
            String::new(),
            text_cell(&country),
            text_cell(i.admin1.as_deref().unwrap_or("")),
            String::new(),
            String::new(),
            text_cell(i.location.as_deref().unwrap_or("")),
            format!("{lat:.4}"),
            format!("{lon:.4}"),
            geo_precision.to_string(),
            text_cell(&sources.join("; ")),
            String::new(),
            text_cell(&acled_notes(i)),
            i.killed
                .map(|e| e.low.to_string())
                .unwrap_or_else(|| "0".into()),
            text_cell(&tags),
            timestamp.to_string(),
        ];
        write_csv_row(out, &row)?;
    }
    if unplaced + undated > 0 {
        eprintln!(
            "acled-csv: left out {unplaced} incidents without coordinates or a country and {undated} without a date (ACLED rows need them)"
        );
    }
    if diplomatic > 0 {
        eprintln!("acled-csv: left out {diplomatic} diplomacy incidents (--no-diplomacy)");
    }
    Ok(())
}

/// The place's name as the report wrote it, where it is not the canonical name told another way
/// only in letter case.
fn written_otherwise(i: &Incident) -> Option<&str> {
    let written = i.location_as_written.as_deref()?;
    let canonical = i.location.as_deref()?;
    (!written.trim().is_empty() && written.to_lowercase() != canonical.to_lowercase())
        .then_some(written)
}

/// The incident's place for the table: the canonical name, and the name as written beside it
/// where it differs ("Tadmur (Palmyra)").
fn place_label(i: &Incident) -> String {
    match (i.location.as_deref(), written_otherwise(i)) {
        (None, _) => "-".into(),
        (Some(l), None) => l.into(),
        (Some(l), Some(w)) => format!("{l} ({w})"),
    }
}

/// ACLED's notes: the incident's summary, then the place's name as the report wrote it where that
/// is not the `location` column's (ACLED's columns have no place for it; notes are free text).
fn acled_notes(i: &Incident) -> String {
    let summary = i.summary.as_deref().unwrap_or("").trim_end();
    match written_otherwise(i) {
        None => summary.into(),
        Some(w) if summary.is_empty() => format!("Location as written: {w}."),
        Some(w) => format!("{summary} [Location as written: {w}.]"),
    }
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
    let store = open_existing(db)?;
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
        for c in &r.copies {
            writeln!(
                out,
                "    copy: report {} {} [{}] {} (a near-duplicate, not counted again)",
                c.report.0,
                c.published.as_deref().unwrap_or("undated"),
                c.source.as_deref().unwrap_or("?"),
                c.title.as_deref().unwrap_or(""),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(location: Option<&str>, written: Option<&str>, summary: Option<&str>) -> Incident {
        Incident {
            id: IncidentId(1),
            family: "battles".into(),
            event_type: "armed_clash".into(),
            location: location.map(String::from),
            location_as_written: written.map(String::from),
            place_kind: Some("settlement".into()),
            country: None,
            admin1: None,
            lat: None,
            lon: None,
            precision: None,
            date_start: None,
            date_end: None,
            initiator: None,
            initiator_country: None,
            target: None,
            killed: None,
            injured: None,
            sources: 1,
            summary: summary.map(String::from),
        }
    }

    #[test]
    fn the_name_as_written_shows_beside_the_canonical_one_only_where_it_differs() {
        let palmyra = at(Some("Tadmur"), Some("Palmyra"), Some("Clashes. "));
        assert_eq!(place_label(&palmyra), "Tadmur (Palmyra)");
        assert_eq!(
            acled_notes(&palmyra),
            "Clashes. [Location as written: Palmyra.]"
        );
        let same = at(Some("Kismayo"), Some("KISMAYO"), Some("Clashes."));
        assert_eq!(place_label(&same), "Kismayo");
        assert_eq!(acled_notes(&same), "Clashes.");
        let no_summary = at(Some("Tadmur"), Some("Palmyra"), None);
        assert_eq!(acled_notes(&no_summary), "Location as written: Palmyra.");
        assert_eq!(place_label(&at(None, Some("Palmyra"), None)), "-");
        assert_eq!(place_label(&at(Some("Tadmur"), None, None)), "Tadmur");
    }

    #[test]
    fn the_acled_export_takes_the_actor_type_the_extractor_gave() {
        let text = "Russian forces shelled Kharkiv on Monday, killing three people.";
        let mut x = sitrep_extract::extract(sitrep_extract::Input {
            text: text.into(),
            meta: sitrep_model::ReportMeta {
                id: sitrep_model::ReportId("r".into()),
                published: sitrep_text::timex::parse_date("2022-03-01"),
                ..Default::default()
            },
            ..Default::default()
        });
        // A code no name rule gives a state's forces: only the extraction can have said it.
        for a in x.events.iter_mut().flat_map(|e| e.actors.iter_mut()) {
            a.inter = Some(4);
        }
        let mut store = SqliteStore::open_in_memory().expect("a store");
        store.put(text, &x).expect("stored");
        let incidents = store
            .incidents(&sitrep_store::Query::default())
            .expect("incidents");
        let i = incidents
            .iter()
            .find(|i| i.initiator.is_some())
            .expect("an incident with an initiator");
        let detail = store.incident(i.id).expect("read");
        assert_eq!(typed_inters(&store, detail.as_ref(), i).0, Some(4));
        let mut out = Vec::new();
        write_acled(&store, std::slice::from_ref(i), true, &mut out).expect("written");
        let csv = String::from_utf8(out).expect("utf-8");
        let row = csv.lines().nth(1).expect("a row");
        let at = ACLED_COLUMNS.iter().position(|c| *c == "inter1").unwrap();
        assert_eq!(row.split(',').nth(at), Some("4"), "{row}");
    }
}
