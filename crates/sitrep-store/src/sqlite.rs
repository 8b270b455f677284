//! The embedded SQLite store.

use crate::merge::{compatible, radius_km, Footprint, Reason};
use crate::simhash::{bands, NEAR};
use crate::Prepared;
use crate::*;
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use sitrep_model::{Event, EventActor, Role};
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_nowhere_by_start.sql"),
    include_str!("../migrations/0003_bodies_apart.sql"),
    include_str!("../migrations/0004_incremental_figures.sql"),
    include_str!("../migrations/0005_whole_extractions.sql"),
    include_str!("../migrations/0006_copies.sql"),
    include_str!("../migrations/0007_location_as_written.sql"),
    include_str!("../migrations/0008_indirect_quotes.sql"),
];

/// The schema version whose migration recreates the full-text index, which the store then refills
/// (words are split in Rust, which SQL cannot do).
const FTS_REFILLED_AT: usize = 3;

/// Index every stored report's title and text again.
fn refill_fts(tx: &Connection) -> Result<()> {
    let mut read = tx
        .prepare("SELECT r.id, r.title, b.text FROM reports r JOIN report_bodies b ON b.report_id = r.id")
        .map_err(sql("reading reports to index"))?;
    let rows = read
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(sql("reading reports to index"))?;
    for row in rows {
        let (id, title, text) = row.map_err(sql("reading a report to index"))?;
        index_report(
            tx,
            id,
            &crate::words::index_text(title.as_deref().unwrap_or_default()),
            &crate::words::index_text(&text),
        )?;
    }
    Ok(())
}

/// The schema version that gives incidents the place name as written and the place's kind, which
/// the store then fills from stored extractions.
const PLACES_WRITTEN_AT: usize = 7;

/// Give each placed incident the name its root events' reports wrote for its place, and the
/// place's kind: from the first root event (by report) whose first location is the incident's.
/// Each report's extraction is decoded once.
fn fill_places_as_written(tx: &Connection) -> Result<()> {
    let mut read = tx
        .prepare(
            "SELECT e.incident_id, i.location, e.local_id, e.report_id, b.extraction
             FROM events e JOIN incidents i ON i.id = e.incident_id
             JOIN report_bodies b ON b.report_id = e.report_id
             WHERE i.location IS NOT NULL AND e.part_of IS NULL ORDER BY e.report_id, e.id",
        )
        .map_err(sql("reading events to name places"))?;
    let mut rows = read
        .query([])
        .map_err(sql("reading events to name places"))?;
    let mut body: Option<(i64, serde_json::Value)> = None;
    while let Some(r) = rows
        .next()
        .map_err(sql("reading an event to name its place"))?
    {
        let row = (|| Ok::<_, rusqlite::Error>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))();
        let (incident, location, local, report): (i64, String, String, i64) =
            row.map_err(sql("reading an event to name its place"))?;
        if body.as_ref().is_none_or(|(id, _)| *id != report) {
            let raw = r.get_ref(4).map_err(sql("reading an extraction"))?;
            let x = crate::body::decode(raw, report).unwrap_or(serde_json::Value::Null);
            body = Some((report, x));
        }
        let Some((_, x)) = body.as_ref() else {
            continue;
        };
        let loc = x["events"]
            .as_array()
            .and_then(|es| es.iter().find(|e| e["id"] == local.as_str()))
            .map(|e| &e["locations"][0])
            .filter(|l| l["name"] == location.as_str());
        let Some(loc) = loc else { continue };
        exec(
            tx,
            "UPDATE incidents SET location_written = ?, place_kind = ?
             WHERE id = ? AND location_written IS NULL AND place_kind IS NULL",
            params![loc["mention"].as_str(), loc["kind"].as_str(), incident],
        )
        .map_err(sql("naming an incident's place as written"))?;
    }
    Ok(())
}

/// A place's kind as stored: its JSON name ("admin1", "settlement").
fn place_kind(l: &sitrep_model::Location) -> Option<String> {
    let v = serde_json::to_value(l.kind?).ok()?;
    v.as_str().map(str::to_owned)
}

/// Add one report to the full-text index: its title and text as `words::index_text` gives them.
fn index_report(tx: &Connection, id: i64, title_words: &str, text_words: &str) -> Result<()> {
    exec(
        tx,
        "INSERT INTO reports_fts (rowid, title, text) VALUES (?, ?, ?)",
        params![id, title_words, text_words],
    )
    .map_err(sql("indexing report text"))?;
    Ok(())
}

/// The SQLite store: one file, WAL journal so readers never block the writer.
pub struct SqliteStore {
    /// Declared first so it stops (and closes its connection) before `conn` closes.
    checkpointer: Option<Checkpointer>,
    conn: Connection,
    /// For messages.
    path: String,
    /// The database file itself (None in memory), for the checkpoint connection.
    file: Option<std::path::PathBuf>,
    extractor: String,
}

/// Copies the WAL back into the database file from a thread and connection of its own, so a
/// long write session never waits for checkpoints. Stopped and joined when dropped.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often the background checkpointer runs. A checkpoint copies every page written since the
/// last one, and ingest rewrites the same index pages batch after batch: once a second copies
/// them once a second, and keeps the WAL to about a second of writing.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

fn sql(doing: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sql { doing, source }
}

/// A figure as SQLite stores it: numbers beyond i64 (absurd, but text can say anything) saturate.
fn saturate(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn julian(d: Option<time::Date>) -> Option<i64> {
    d.map(|d| i64::from(d.to_julian_day()))
}

fn date_text(day: i64) -> Option<String> {
    time::Date::from_julian_day(day as i32)
        .ok()
        .map(sitrep_model::opt_date::format)
}

impl SqliteStore {
    /// Open (creating if needed) the store at `path`, and migrate it. A file that is not an
    /// SQLite database, or is shorter than its header says, is refused before anything is
    /// written to it.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        check_file(path)?;
        let conn = Connection::open(path).map_err(sql("opening the database"))?;
        let mut s = Self::init(conn, path.display().to_string())?;
        s.file = Some(path.to_path_buf());
        Ok(s)
    }

    /// Open the store at `path` for reading only: it works where the folder or the file is
    /// read-only (SQLite's WAL index is made beside the file only where it can be). A missing
    /// file is an error, not a new store. A store of an older schema is migrated first, which
    /// needs write access once.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore> {
        let s = Self::open_read_only_as(path, ReadOnly::Shared)?;
        if s.schema_version()? < MIGRATIONS.len() as i64 {
            drop(s);
            drop(Self::open(path)?);
            return Self::open_read_only_as(path, ReadOnly::Shared);
        }
        Ok(s)
    }

    /// Open read-only with `how`; `Shared` falls back to `Immutable` when SQLite cannot open
    /// the file shared (no WAL index can be read or made beside it).
    fn open_read_only_as(path: &Path, how: ReadOnly) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        check_file(path)?;
        if !path.is_file() {
            return Err(StoreError::NotAStore {
                path: path.display().to_string(),
                reason: "no such file".into(),
            });
        }
        let uri = file_uri(path, how);
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened = Connection::open_with_flags(&uri, flags)
            .map_err(sql("opening the database read-only"))
            .and_then(|conn| {
                let s = Self::setup(conn, path.display().to_string(), false)?;
                s.schema_version()?;
                Ok(s)
            });
        let mut s = match (opened, how) {
            (Err(StoreError::Sql { source, .. }), ReadOnly::Shared) if cannot_share(&source) => {
                tracing::info!(
                    "{}: cannot share it read-only ({source}); reading it as immutable",
                    path.display()
                );
                return Self::open_read_only_as(path, ReadOnly::Immutable);
            }
            (r, _) => r?,
        };
        s.check_schema()?;
        s.file = Some(path.to_path_buf());
        Ok(s)
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory().map_err(sql("opening an in-memory database"))?;
        Self::init(conn, ":memory:".into())
    }

    /// For a long write session (ingest): checkpoints run on a thread of their own instead of
    /// inside the commits that fill the WAL. The writer still checkpoints itself past 256 MiB of
    /// WAL, should the thread fall behind. A store in memory has no WAL and is left as it is.
    pub fn with_background_checkpoints(mut self) -> Result<Self> {
        if self.path == ":memory:" {
            return Ok(self);
        }
        let conn =
            Connection::open(&self.path).map_err(sql("opening the checkpoint connection"))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql("setting the busy timeout"))?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 65_536)
            .map_err(sql("sizing the WAL"))?;
        // A write session touches more pages than a reader: a 256 MiB page cache for this
        // connection only (readers keep 64 MiB each).
        self.conn
            .pragma_update(None, "cache_size", -262_144)
            .map_err(sql("sizing the page cache"))?;
        // The writer reads what it writes through that cache; mapping the file as well only
        // adds page faults.
        self.conn
            .pragma_update(None, "mmap_size", 0)
            .map_err(sql("disabling memory-mapped reads"))?;
        // Once a checkpoint has caught up, the WAL file shrinks back to 64 MiB.
        self.conn
            .pragma_update(None, "journal_size_limit", 64_i64 << 20)
            .map_err(sql("limiting the WAL file"))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sitrep-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    // PASSIVE never blocks the writer or readers; whatever it cannot copy now
                    // it copies next time.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!("background checkpoint: {e}");
                    }
                }
            })
            .map_err(|source| StoreError::Io {
                doing: "starting the checkpoint thread",
                source,
            })?;
        self.checkpointer = Some(Checkpointer {
            stop,
            thread: Some(thread),
        });
        Ok(self)
    }

    /// Run `f` inside one read transaction: every query it makes sees the same snapshot, however
    /// many writes land meanwhile.
    pub fn snapshot<T>(&self, f: impl FnOnce(&Self) -> T) -> Result<T> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql("starting a read transaction"))?;
        let out = f(self);
        tx.finish().map_err(sql("ending a read transaction"))?;
        Ok(out)
    }

    /// Whether a copy of stored report `id` (the same text, `hash`) with metadata `meta` would
    /// improve it: a date, title, source or URL it lacks (see [`PutOutcome::Updated`]). Asked
    /// before extraction, so a copy that only repeats what is stored is not extracted.
    pub fn would_improve(
        &self,
        id: StoredReportId,
        hash: &ContentHash,
        meta: &sitrep_model::ReportMeta,
    ) -> Result<bool> {
        Ok(improves(&stored_meta(&self.conn, id)?, hash, meta))
    }

    /// Name the extractor whose output is being stored (recorded with every report).
    pub fn with_extractor(mut self, extractor: &str) -> Self {
        self.extractor = extractor.to_string();
        self
    }

    fn init(conn: Connection, path: String) -> Result<SqliteStore> {
        let mut s = Self::setup(conn, path, true)?;
        s.check_schema()?;
        s.migrate()?;
        Ok(s)
    }

    /// Connection settings; `writable` connections also switch the file to WAL. The busy
    /// timeout comes first: another process creating or migrating the same store holds locks
    /// that the rest must wait for, not fail on.
    fn setup(conn: Connection, path: String, writable: bool) -> Result<SqliteStore> {
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql("setting the busy timeout"))?;
        if writable {
            enable_wal(&conn)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql("setting synchronous"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql("enabling foreign keys"))?;
        // A growing store must not read its indexes through system calls on every insert: a
        // 64 MiB page cache and memory-mapped reads keep the merge cost flat as it grows.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(sql("sizing the page cache"))?;
        conn.pragma_update(None, "mmap_size", 1_i64 << 30)
            .map_err(sql("enabling memory-mapped reads"))?;
        // Ingest writes in bursts: a larger WAL between checkpoints (64 MiB) copies a page that
        // many batches touch (index and incident pages) once, not once per batch.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .map_err(sql("sizing the WAL"))?;
        // Storing one report runs about twenty distinct statements; rusqlite's default cache of
        // 16 would re-prepare some of them for every report.
        conn.set_prepared_statement_cache_capacity(64);
        // Great-circle distance for the exact `near` filter; NULL when a place is unknown.
        conn.create_scalar_function(
            "distance_km",
            4,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let v = |i| ctx.get::<Option<f64>>(i);
                Ok(match (v(0)?, v(1)?, v(2)?, v(3)?) {
                    (Some(a), Some(b), Some(c), Some(d)) => {
                        Some(sitrep_gazetteer::distance_km(a, b, c, d))
                    }
                    _ => None,
                })
            },
        )
        .map_err(sql("registering distance_km"))?;
        Ok(SqliteStore {
            checkpointer: None,
            conn,
            path,
            file: None,
            extractor: "unknown".into(),
        })
    }

    /// The schema version the file records (`PRAGMA user_version`). Reading it reads the
    /// header and the schema: a file that is not a database fails here.
    fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|source| match source.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                    StoreError::NotAStore {
                        path: self.path.clone(),
                        reason: source.to_string(),
                    }
                }
                _ => StoreError::Sql {
                    doing: "reading the schema version",
                    source,
                },
            })
    }

    /// Refuse a store newer than this build, and one whose schema cannot be read.
    ///
    /// `PRAGMA quick_check` would find more, but it reads the whole file (60 ms per 100 MB
    /// warm, far more cold), on every open of every reader: opening checks what is bounded
    /// (header, length, schema) and leaves page-level damage to the queries that meet it.
    fn check_schema(&self) -> Result<()> {
        let version = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        self.conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("its schema cannot be read: {e}"),
            })?;
        Ok(())
    }

    /// Apply the migrations the store lacks, each in an IMMEDIATE transaction that reads the
    /// version again once it holds the write lock: processes creating or upgrading the same
    /// store at once apply each migration exactly once, the others waiting for it.
    fn migrate(&mut self) -> Result<()> {
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(sql("starting a migration"))?;
            let version: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(sql("reading the schema version"))?;
            let Some(m) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            else {
                return Ok(());
            };
            tx.execute_batch(m).map_err(sql("applying a migration"))?;
            if version as usize + 1 == FTS_REFILLED_AT {
                refill_fts(&tx)?;
            }
            if version as usize + 1 == PLACES_WRITTEN_AT {
                fill_places_as_written(&tx)?;
            }
            tx.pragma_update(None, "user_version", version + 1)
                .map_err(sql("recording the schema version"))?;
            tx.commit().map_err(sql("committing a migration"))?;
        }
    }

    /// Run `f` inside one transaction.
    fn in_tx<T>(&mut self, f: impl FnOnce(&Transaction, &str) -> Result<T>) -> Result<T> {
        // IMMEDIATE: take the write lock up front, so a concurrent writer (the server's, another
        // ingest) makes this wait out the busy timeout instead of failing on the upgrade from
        // read to write.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("starting a transaction"))?;
        let out = f(&tx, &self.extractor)?;
        tx.commit().map_err(sql("committing"))?;
        Ok(out)
    }
}

/// Bytes read past a chunk's limit: up to three to reach the first character boundary after an
/// offset inside a character, up to three to finish the last character.
const CHUNK_SLACK: usize = 6;

/// The part of `bytes` (UTF-8 read from an arbitrary byte offset, `limit + CHUNK_SLACK` bytes
/// asked for) a text chunk returns: `(skip, take)`. It starts at the first character boundary
/// and ends at the last boundary within `limit` bytes, or after one whole character when the
/// limit is smaller than that character.
fn text_window(bytes: &[u8], limit: usize) -> (usize, usize) {
    let boundary = |b: u8| (b as i8) >= -0x40; // not a continuation byte (0b10xx_xxxx)
                                               // Fewer bytes than asked for: the text ends with them.
    let ended = bytes.len() < limit + CHUNK_SLACK;
    let skip = bytes
        .iter()
        .position(|&b| boundary(b))
        .unwrap_or(bytes.len());
    let rest = &bytes[skip..];
    let cut = |i: usize| {
        if i == rest.len() {
            ended
        } else {
            boundary(rest[i])
        }
    };
    let mut end = limit.min(rest.len());
    while end > 0 && !cut(end) {
        end -= 1;
    }
    if end == 0 {
        end = (1..=rest.len()).find(|&i| cut(i)).unwrap_or(0);
    }
    (skip, end)
}

/// Switch the file to WAL (a no-op once it is). SQLite does not wait on its busy handler for
/// the lock this needs when another connection is creating the same file, so a busy answer is
/// retried here, for as long as the busy timeout would wait.
fn enable_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => {
                return Err(StoreError::Sql {
                    doing: "enabling WAL",
                    source: e,
                })
            }
        }
    }
}

/// How a read-only connection opens the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadOnly {
    /// `mode=ro`: sees what writers commit, through the WAL index beside the file.
    Shared,
    /// `immutable=1`: no locks and no WAL index; for a file nothing can be writing (its folder
    /// is read-only), when the shared way cannot open it.
    Immutable,
}

/// The `file:` URI of `path` for a read-only open; `?`, `#` and `%` in the path are escaped.
fn file_uri(path: &Path, how: ReadOnly) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '?' | '#' | '%' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str(match how {
        ReadOnly::Shared => "?mode=ro",
        ReadOnly::Immutable => "?mode=ro&immutable=1",
    });
    uri
}

/// Whether a read-only open failed for want of a shared WAL index (not for a damaged file).
fn cannot_share(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::PermissionDenied
                | rusqlite::ErrorCode::SystemIoFailure
                | rusqlite::ErrorCode::DatabaseBusy
        )
    )
}

/// The SQLite file header's magic string.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuse, before SQLite touches it, a file that is not an SQLite database or is shorter than
/// its header says (truncated): SQLite would read the missing pages as empty and let writes
/// land on a damaged store. A missing or empty file is a new store.
fn check_file(path: &Path) -> Result<()> {
    use std::io::Read;
    let refuse = |reason: String| StoreError::NotAStore {
        path: path.display().to_string(),
        reason,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        // Unreadable: SQLite says why when it opens it.
        Err(_) => return Ok(()),
    };
    let len = file.metadata().map_err(|source| StoreError::Io {
        doing: "reading the store's size",
        source,
    })?;
    if len.is_dir() {
        return Err(refuse("it is a folder".into()));
    }
    let len = len.len();
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    if len < header.len() as u64 {
        return Err(refuse(format!("{len} bytes is too short for a database")));
    }
    file.read_exact(&mut header)
        .map_err(|source| StoreError::Io {
            doing: "reading the store's header",
            source,
        })?;
    header_problem(&header, len, wal_has_frames(path)).map_or(Ok(()), |r| Err(refuse(r)))
}

/// Whether a WAL with content sits beside the file (pages may live there, not in the file).
fn wal_has_frames(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(&wal).is_ok_and(|m| m.len() > 32)
}

/// What is wrong with a database header, given the file's length; `None` when nothing is.
fn header_problem(header: &[u8; 100], len: u64, wal_has_frames: bool) -> Option<String> {
    if &header[..16] != MAGIC {
        return Some("it is not an SQLite database (no SQLite header)".into());
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => return Some(format!("its header gives an impossible page size ({n})")),
    };
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    // The page count is trusted only when the header says it is current (SQLite's own rule).
    let pages = u64::from(be32(28));
    let current = be32(24) == be32(92);
    let expected = pages * page_size;
    if current && pages > 0 && len < expected && !wal_has_frames {
        return Some(format!(
            "it is truncated: {len} bytes where its header says {expected}"
        ));
    }
    None
}

/// One row through the statement cache.
fn one<T, P: rusqlite::Params>(
    conn: &Connection,
    statement: &str,
    p: P,
    f: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(statement)?.query_row(p, f)
}

/// Execute through the statement cache: ingest runs the same few statements thousands of times.
fn exec(conn: &Connection, statement: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(statement)?.execute(p)
}

fn find_in(
    tx: &Connection,
    url: Option<&str>,
    hash: &ContentHash,
) -> Result<Option<StoredReportId>> {
    if let Some(u) = url {
        let hit: Option<i64> = one(tx, "SELECT id FROM reports WHERE url = ?", [u], |r| {
            r.get(0)
        })
        .optional()
        .map_err(sql("looking up a URL"))?;
        if let Some(id) = hit {
            return Ok(Some(StoredReportId(id)));
        }
    }
    one(
        tx,
        "SELECT id FROM reports WHERE content_hash = ?",
        [hash.as_str()],
        |r| r.get(0),
    )
    .optional()
    .map(|o| o.map(StoredReportId))
    .map_err(sql("looking up a text hash"))
}

fn near_duplicate(tx: &Connection, h: u64) -> Result<Option<StoredReportId>> {
    let b = bands(h);
    let mut stmt = tx
        .prepare_cached(
            "SELECT report_id, simhash FROM simhash_bands WHERE band = 0 AND value = ?1
             UNION SELECT report_id, simhash FROM simhash_bands WHERE band = 1 AND value = ?2
             UNION SELECT report_id, simhash FROM simhash_bands WHERE band = 2 AND value = ?3
             UNION SELECT report_id, simhash FROM simhash_bands WHERE band = 3 AND value = ?4
             ORDER BY 1",
        )
        .map_err(sql("preparing the near-duplicate search"))?;
    let rows = stmt
        .query_map(params![b[0], b[1], b[2], b[3]], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(sql("searching near-duplicates"))?;
    for row in rows {
        let (id, other) = row.map_err(sql("reading a near-duplicate"))?;
        if ((other as u64) ^ h).count_ones() <= NEAR {
            return Ok(Some(StoredReportId(id)));
        }
    }
    Ok(None)
}

fn put_in(
    tx: &Connection,
    extractor: &str,
    text: &str,
    hash: &ContentHash,
    x: &Extraction,
    prepared: &Prepared,
) -> Result<PutOutcome> {
    let url = x.report.url.as_deref();
    if let Some(of) = find_in(tx, url, hash)? {
        return match fill_metadata(tx, extractor, of, hash, x, prepared)? {
            Some(dated) => Ok(PutOutcome::Updated { report: of, dated }),
            None => Ok(PutOutcome::Duplicate { of }),
        };
    }
    let sh = prepared.simhash;
    let near = near_duplicate(tx, sh)?;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    exec(tx,
        "INSERT INTO reports (ext_id, url, source, title, published, content_hash, simhash, duplicate_of, extractor, ingested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            Some(x.report.id.0.as_str()).filter(|s| !s.is_empty()),
            url,
            x.report.source,
            x.report.title,
            x.report.published.map(sitrep_model::opt_date::format),
            hash.as_str(),
            sh as i64,
            near.map(|n| n.0),
            extractor,
            now
        ],
    )
    .map_err(sql("storing a report"))?;
    let report = tx.last_insert_rowid();
    exec(
        tx,
        "INSERT INTO report_bodies (report_id, text, extraction) VALUES (?, ?, ?)",
        params![report, text, prepared.body],
    )
    .map_err(sql("storing a report's text"))?;
    // Only originals are candidates for later near-duplicates.
    if near.is_none() {
        for (band, value) in bands(sh).iter().enumerate() {
            exec(
                tx,
                "INSERT INTO simhash_bands (band, value, report_id, simhash) VALUES (?, ?, ?, ?)",
                params![band as i64, value, report, sh as i64],
            )
            .map_err(sql("storing simhash bands"))?;
        }
    }
    index_report(tx, report, &prepared.index_title, &prepared.index_text)?;
    for q in &x.quotes {
        exec(tx,
            "INSERT INTO quotes (report_id, text, start, end, speaker, speaker_title, indirect) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![report, q.text, q.start, q.end, q.speaker.as_ref().map(|s| &s.name), q.speaker.as_ref().and_then(|s| s.title.as_ref()), q.indirect],
        )
        .map_err(sql("storing quotes"))?;
    }
    if let Some(of) = near {
        return Ok(PutOutcome::NearDuplicate {
            report: StoredReportId(report),
            of,
        });
    }
    let (events, new_incidents, merged) = merge_events(tx, report, x)?;
    Ok(PutOutcome::Stored {
        report: StoredReportId(report),
        events,
        new_incidents,
        merged,
    })
}

/// A stored report's metadata, as `improves` compares it.
struct StoredMeta {
    url: Option<String>,
    source: Option<String>,
    title: Option<String>,
    published: Option<String>,
    content_hash: String,
}

fn stored_meta(tx: &Connection, id: StoredReportId) -> Result<StoredMeta> {
    one(
        tx,
        "SELECT url, source, title, published, content_hash FROM reports WHERE id = ?",
        [id.0],
        |r| {
            Ok(StoredMeta {
                url: r.get(0)?,
                source: r.get(1)?,
                title: r.get(2)?,
                published: r.get(3)?,
                content_hash: r.get(4)?,
            })
        },
    )
    .map_err(sql("reading a report's metadata"))
}

/// Whether a copy of a stored report with the same text, and metadata `new`, says something the
/// stored one does not: a date, title, source or URL where it has none. A copy whose date differs
/// from a stored date improves nothing (which date is right cannot be told).
fn improves(stored: &StoredMeta, hash: &ContentHash, new: &sitrep_model::ReportMeta) -> bool {
    let published = new.published.map(sitrep_model::opt_date::format);
    if stored.content_hash != hash.as_str() {
        return false;
    }
    if stored.published.is_some() && published.is_some() && stored.published != published {
        return false;
    }
    let fills = |old: &Option<String>, new: &Option<String>| old.is_none() && new.is_some();
    fills(&stored.published, &published)
        || fills(&stored.title, &new.title)
        || fills(&stored.source, &new.source)
        || fills(&stored.url, &new.url)
}

/// Give stored report `id` the metadata a later copy of the same text (`x`) has and it lacks,
/// with `x` as its extraction (made with that metadata): None if nothing was filled, else
/// whether a date was (`Some(true)`). A new date
/// re-derives the events of every report ([`remerge_all`], once per transaction, by the caller),
/// since this report's events move and the incidents' figures order by date.
fn fill_metadata(
    tx: &Connection,
    extractor: &str,
    id: StoredReportId,
    hash: &ContentHash,
    x: &Extraction,
    prepared: &Prepared,
) -> Result<Option<bool>> {
    let stored = stored_meta(tx, id)?;
    if !improves(&stored, hash, &x.report) {
        return Ok(None);
    }
    let dated = stored.published.is_none() && x.report.published.is_some();
    let mut merged = x.clone();
    let m = &mut merged.report;
    m.url = stored.url.clone().or(m.url.take());
    m.source = stored.source.clone().or(m.source.take());
    m.title = stored.title.clone().or(m.title.take());
    exec(
        tx,
        "UPDATE reports SET url = ?, source = ?, title = ?, published = ?, extractor = ? WHERE id = ?",
        params![
            m.url,
            m.source,
            m.title,
            m.published.map(sitrep_model::opt_date::format),
            extractor,
            id.0
        ],
    )
    .map_err(sql("updating a report's metadata"))?;
    exec(
        tx,
        "UPDATE report_bodies SET extraction = ? WHERE report_id = ?",
        params![crate::body::encode(&merged), id.0],
    )
    .map_err(sql("updating an extraction"))?;
    if stored.title.is_none() && merged.report.title.is_some() {
        // The contentless index forgets a row only when told the words it was given.
        exec(
            tx,
            "INSERT INTO reports_fts (reports_fts, rowid, title, text) VALUES ('delete', ?, '', ?)",
            params![id.0, prepared.index_text],
        )
        .map_err(sql("unindexing a report"))?;
        let title = crate::words::index_text(merged.report.title.as_deref().unwrap_or_default());
        index_report(tx, id.0, &title, &prepared.index_text)?;
    }
    exec(tx, "DELETE FROM quotes WHERE report_id = ?", [id.0]).map_err(sql("replacing quotes"))?;
    for q in &merged.quotes {
        exec(tx,
            "INSERT INTO quotes (report_id, text, start, end, speaker, speaker_title, indirect) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![id.0, q.text, q.start, q.end, q.speaker.as_ref().map(|s| &s.name), q.speaker.as_ref().and_then(|s| s.title.as_ref()), q.indirect],
        )
        .map_err(sql("storing quotes"))?;
    }
    Ok(Some(dated))
}

/// Derive events and incidents again from every stored extraction, in report order, as the
/// reports first arrived: after a report got a date, its events and the figures of the
/// incidents they joined (best is the latest report's) change, and so may every later merge.
fn remerge_all(tx: &Connection) -> Result<()> {
    tx.execute_batch("DELETE FROM event_actors; DELETE FROM events; DELETE FROM incident_box; DELETE FROM incidents;")
        .map_err(sql("clearing derived data"))?;
    let mut stmt = tx
        .prepare("SELECT r.id, b.extraction FROM reports r JOIN report_bodies b ON b.report_id = r.id WHERE r.duplicate_of IS NULL ORDER BY r.id")
        .map_err(sql("listing extractions"))?;
    let mut rows = stmt.query([]).map_err(sql("listing extractions"))?;
    while let Some(row) = rows.next().map_err(sql("reading an extraction"))? {
        let id: i64 = row.get(0).map_err(sql("reading an extraction"))?;
        let value = crate::body::decode(row.get_ref(1).map_err(sql("reading an extraction"))?, id)?;
        let x: Extraction = serde_json::from_value(value)
            .map_err(|e| StoreError::Corrupt(format!("report {id}'s extraction: {e}")))?;
        merge_events(tx, id, &x)?;
    }
    Ok(())
}

fn initiator(e: &Event) -> Option<&EventActor> {
    e.actors.iter().find(|a| a.role == Role::Initiator)
}

/// Store the events of report `report` and merge their roots into incidents.
fn merge_events(tx: &Connection, report: i64, x: &Extraction) -> Result<(usize, usize, usize)> {
    let published = julian(x.report.published);
    let (mut new, mut merged) = (0, 0);
    // The incident each event of this report went to. This report's events are stored only here,
    // so an incident holds one of them exactly when it is in this list.
    let mut incident_of: Vec<(sitrep_model::EventId, i64)> = Vec::new();
    // Only what the report asserts happened is an incident: a planned, conditional,
    // hypothetical, denied or habitual act (`modality`) stays in the report's extraction only,
    // and so do its parts.
    let asserted = |id: &sitrep_model::EventId| {
        x.events
            .iter()
            .any(|e| e.id == *id && e.modality.is_asserted())
    };
    // Roots first, so parts find their parent's incident.
    let mut order: Vec<&Event> = x
        .events
        .iter()
        .filter(|e| e.part_of.is_none() && e.modality.is_asserted())
        .collect();
    order.extend(
        x.events
            .iter()
            .filter(|e| e.part_of.as_ref().is_some_and(asserted) && e.modality.is_asserted()),
    );
    // Where this report sorts among an incident's sources: the latest report's figure is best.
    let report_key = format!(
        "{}{report:020}",
        x.report
            .published
            .map(sitrep_model::opt_date::format)
            .unwrap_or_default()
    );
    for e in order {
        let loc = e.locations.first();
        let precision = loc.map(|l| l.precision.as_str());
        let (ds, de) = match (julian(e.when.start), julian(e.when.end)) {
            (Some(s), Some(en)) => (Some(s), Some(en)),
            _ => (published, published),
        };
        let init = initiator(e);
        let fp = Footprint {
            family: e.family.as_str(),
            event_type: e.event_type.as_str(),
            lat: loc.map(|l| l.lat),
            lon: loc.map(|l| l.lon),
            precision,
            day_start: ds.unwrap_or(0),
            day_end: de.unwrap_or(0),
            initiator_country: init.and_then(|a| a.country.as_deref()),
        };
        let (incident, reason) = match e.part_of {
            Some(p) => {
                let parent = incident_of.iter().find(|(id, _)| *id == p).map(|x| x.1);
                match parent {
                    Some(i) => (
                        i,
                        Reason::PartOf {
                            event: p.to_string(),
                        },
                    ),
                    None => {
                        return Err(StoreError::Corrupt(format!(
                            "event {} is part of {p}, which the report does not have",
                            e.id
                        )))
                    }
                }
            }
            // A root event is the first of its report in its incident (incidents holding an
            // event of this report are never candidates): its figures count as one more source.
            None => {
                // Undated events never merge: there is no window to compare.
                let (found, n) = if ds.is_some() {
                    let own: Vec<i64> = incident_of.iter().map(|x| x.1).collect();
                    best_candidate(tx, &fp, &own)?
                } else {
                    (None, 0)
                };
                match found {
                    Some(c) => {
                        merged += 1;
                        merge_into(tx, &c, &fp, e, &report_key)?;
                        (
                            c.id,
                            Reason::Merged {
                                incident: c.id,
                                distance_km: c.distance_km.map(|d| (d * 10.0).round() / 10.0),
                                day_gap: c.day_gap,
                                same_type: c.same_type,
                                candidates: n,
                                rule: "same family, compatible type and initiator, overlapping days, within radius".into(),
                            },
                        )
                    }
                    None => {
                        new += 1;
                        (
                            create_incident(tx, &fp, e, ds.is_some(), &report_key)?,
                            Reason::New { candidates: n },
                        )
                    }
                }
            }
        };
        incident_of.push((e.id, incident));
        exec(tx,
            "INSERT INTO events (report_id, local_id, part_of, incident_id, family, type, lat, lon, country, day_start, day_end, killed, killed_at_least, injured, injured_at_least, initiator_country, merge_reason)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                report,
                e.id.to_string(),
                e.part_of.map(|p| p.to_string()),
                incident,
                e.family.as_str(),
                e.event_type.as_str(),
                fp.lat,
                fp.lon,
                loc.and_then(|l| l.country.clone()),
                ds,
                de,
                e.casualties.killed.map(|c| saturate(c.value)),
                e.casualties.killed.map(|c| c.at_least()),
                e.casualties.injured.map(|c| saturate(c.value)),
                e.casualties.injured.map(|c| c.at_least()),
                fp.initiator_country,
                serde_json::to_string(&reason).expect("reasons serialise"),
            ],
        )
        .map_err(sql("storing an event"))?;
        let event_id = tx.last_insert_rowid();
        for a in &e.actors {
            let role = match a.role {
                Role::Initiator => "initiator",
                Role::Target => "target",
                Role::Participant => "participant",
            };
            exec(
                tx,
                "INSERT INTO event_actors (event_id, name, country, role) VALUES (?, ?, ?, ?)",
                params![event_id, a.name, a.country, role],
            )
            .map_err(sql("storing actors"))?;
        }
    }
    Ok((x.events.len(), new, merged))
}

/// The nearest compatible incident among those the R*Tree returns, and how many it returned.
fn best_candidate(
    tx: &Connection,
    fp: &Footprint,
    own: &[i64],
) -> Result<(Option<Candidate>, usize)> {
    let rows: Vec<FootprintRow> = match (fp.lat, fp.lon) {
        (Some(lat), Some(lon)) => {
            let km = radius_km(fp.precision).max(150.0);
            let dlat = km / 111.0;
            let dlon = km / (111.0 * lat.to_radians().cos().abs().max(0.01));
            let mut stmt = tx
                .prepare_cached(
                    "SELECT i.id, i.family, i.type, i.lat, i.lon, i.precision, i.day_start, i.day_end, i.initiator_country
                     FROM incident_box b JOIN incidents i ON i.id = b.id
                     WHERE b.day_max >= ?1 AND b.day_min <= ?2 AND b.lat_max >= ?3 AND b.lat_min <= ?4 AND b.lon_max >= ?5 AND b.lon_min <= ?6",
                )
                .map_err(sql("preparing the candidate search"))?;
            let r = stmt
                .query_map(
                    params![
                        fp.day_start - 1,
                        fp.day_end + 1,
                        lat - dlat,
                        lat + dlat,
                        lon - dlon,
                        lon + dlon
                    ],
                    footprint_row,
                )
                .map_err(sql("searching candidate incidents"))?
                .collect::<std::result::Result<_, _>>()
                .map_err(sql("reading candidate incidents"))?;
            r
        }
        _ => {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, family, type, lat, lon, precision, day_start, day_end, initiator_country FROM incidents
                     WHERE lat IS NULL AND family = ?1 AND type = ?2 AND day_start BETWEEN ?3 - ?5 AND ?4 AND day_end >= ?3",
                )
                .map_err(sql("preparing the candidate search"))?;
            let r = stmt
                .query_map(
                    params![
                        fp.family,
                        fp.event_type,
                        fp.day_start - 1,
                        fp.day_end + 1,
                        MAX_INCIDENT_DAYS
                    ],
                    footprint_row,
                )
                .map_err(sql("searching candidate incidents"))?
                .collect::<std::result::Result<_, _>>()
                .map_err(sql("reading candidate incidents"))?;
            r
        }
    };
    let n = rows.len();
    let mut best: Option<Candidate> = None;
    for (id, family, t, lat, lon, precision, s, e, init) in rows {
        // The extractor already told this report's events apart: never merge two of them.
        if own.contains(&id) {
            continue;
        }
        let other = Footprint {
            family: &family,
            event_type: &t,
            lat,
            lon,
            precision: precision.as_deref(),
            day_start: s,
            day_end: e,
            initiator_country: init.as_deref(),
        };
        if let Some((d, gap)) = compatible(fp, &other) {
            let key = (d.unwrap_or(0.0), gap);
            if best
                .as_ref()
                .is_none_or(|b| (b.distance_km.unwrap_or(0.0), b.day_gap) > key)
            {
                best = Some(Candidate {
                    id,
                    distance_km: d,
                    day_gap: gap,
                    same_type: t == fp.event_type,
                    day_start: s,
                    day_end: e,
                    precision,
                    place: lat.zip(lon),
                });
            }
        }
    }
    Ok((best, n))
}

/// Incidents longer than this are not found by place-less candidate search (which bounds its
/// index range by start day); merging only ever widens an incident by a day or so at a time.
const MAX_INCIDENT_DAYS: i64 = 31;

/// The incident an event joins, with what merging needs to know of it.
struct Candidate {
    id: i64,
    /// From the event's place; None when neither has one.
    distance_km: Option<f64>,
    day_gap: i64,
    same_type: bool,
    day_start: i64,
    day_end: i64,
    precision: Option<String>,
    /// The incident's place, when it has one.
    place: Option<(f64, f64)>,
}
/// An incident's footprint as read for candidate search.
type FootprintRow = (
    i64,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<String>,
    i64,
    i64,
    Option<String>,
);

fn footprint_row(r: &rusqlite::Row) -> rusqlite::Result<FootprintRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

/// The SET clauses that fold a root event's figures (`:killed`, `:injured`) into its incident:
/// low and high widen, best follows the latest report (by `:key`), and the report counts as one
/// more source.
macro_rules! fold_figures {
    () => {
        "killed_low = CASE WHEN :killed IS NULL THEN killed_low ELSE MIN(COALESCE(killed_low, :killed), :killed) END,
         killed_high = CASE WHEN :killed IS NULL THEN killed_high ELSE MAX(COALESCE(killed_high, :killed), :killed) END,
         killed_best = CASE WHEN :killed IS NOT NULL AND (killed_best_key IS NULL OR :key >= killed_best_key) THEN :killed ELSE killed_best END,
         killed_best_key = CASE WHEN :killed IS NOT NULL AND (killed_best_key IS NULL OR :key >= killed_best_key) THEN :key ELSE killed_best_key END,
         injured_low = CASE WHEN :injured IS NULL THEN injured_low ELSE MIN(COALESCE(injured_low, :injured), :injured) END,
         injured_high = CASE WHEN :injured IS NULL THEN injured_high ELSE MAX(COALESCE(injured_high, :injured), :injured) END,
         injured_best = CASE WHEN :injured IS NOT NULL AND (injured_best_key IS NULL OR :key >= injured_best_key) THEN :injured ELSE injured_best END,
         injured_best_key = CASE WHEN :injured IS NOT NULL AND (injured_best_key IS NULL OR :key >= injured_best_key) THEN :key ELSE injured_best_key END,
         sources = sources + 1"
    };
}

/// A new incident from a root event, its figures those of the event's report.
fn create_incident(
    tx: &Connection,
    fp: &Footprint,
    e: &Event,
    dated: bool,
    report_key: &str,
) -> Result<i64> {
    let (ds, de) = if dated {
        (Some(fp.day_start), Some(fp.day_end))
    } else {
        (None, None)
    };
    let loc = e.locations.first();
    let target = e
        .actors
        .iter()
        .find(|a| a.role == Role::Target)
        .map(|a| a.name.as_str());
    let summary = e
        .evidence
        .first()
        .map(|ev| ev.text.chars().take(400).collect::<String>());
    let killed = e.casualties.killed.map(|c| saturate(c.value));
    let injured = e.casualties.injured.map(|c| saturate(c.value));
    exec(tx,
        "INSERT INTO incidents (family, type, location, location_written, place_kind, country, admin1, lat, lon, precision, day_start, day_end, date_start, date_end, initiator, initiator_country, target, summary,
                                killed_low, killed_best, killed_high, killed_best_key, injured_low, injured_best, injured_high, injured_best_key, sources)
         VALUES (:family, :type, :location, :written, :kind, :country, :admin1, :lat, :lon, :precision, :ds, :de, :dts, :dte, :initiator, :initiator_country, :target, :summary,
                 :killed, :killed, :killed, CASE WHEN :killed IS NULL THEN NULL ELSE :key END,
                 :injured, :injured, :injured, CASE WHEN :injured IS NULL THEN NULL ELSE :key END, 1)",
        rusqlite::named_params! {
            ":family": fp.family,
            ":type": fp.event_type,
            ":location": loc.map(|l| &l.name),
            ":written": loc.map(|l| &l.mention),
            ":kind": loc.and_then(place_kind),
            ":country": loc.and_then(|l| l.country.as_ref()),
            ":admin1": loc.and_then(|l| l.admin1.as_ref()),
            ":lat": fp.lat,
            ":lon": fp.lon,
            ":precision": fp.precision,
            ":ds": ds,
            ":de": de,
            ":dts": ds.and_then(date_text),
            ":dte": de.and_then(date_text),
            ":initiator": initiator(e).map(|a| &a.name),
            ":initiator_country": fp.initiator_country,
            ":target": target,
            ":summary": summary,
            ":killed": killed,
            ":injured": injured,
            ":key": report_key,
        },
    )
    .map_err(sql("creating an incident"))?;
    let id = tx.last_insert_rowid();
    if let (Some(lat), Some(lon), true) = (fp.lat, fp.lon, dated) {
        exec(
            tx,
            "INSERT INTO incident_box VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![id, fp.day_start, fp.day_end, lat, lat, lon, lon],
        )
        .map_err(sql("indexing an incident"))?;
    }
    Ok(id)
}

/// How fine a place is: lower is finer.
fn rank(precision: Option<&str>) -> u8 {
    match precision {
        Some("district") => 0,
        Some("settlement") => 1,
        Some("region") => 2,
        Some("country") => 3,
        _ => 4,
    }
}

/// Merge a root event into incident `c`, in one UPDATE: widen its days to cover the event, take
/// the event's place when it is finer, fold in its figures. The R*Tree box moves only when the
/// days or the place changed.
fn merge_into(
    tx: &Connection,
    c: &Candidate,
    fp: &Footprint,
    e: &Event,
    report_key: &str,
) -> Result<()> {
    let (s, en) = (c.day_start.min(fp.day_start), c.day_end.max(fp.day_end));
    let killed = e.casualties.killed.map(|c| saturate(c.value));
    let injured = e.casualties.injured.map(|c| saturate(c.value));
    let finer = rank(fp.precision) < rank(c.precision.as_deref());
    let loc = e.locations.first();
    exec(
        tx,
        concat!(
            "UPDATE incidents SET day_start = :ds, day_end = :de, date_start = :dts, date_end = :dte,
                 location = CASE WHEN :finer THEN :location ELSE location END,
                 location_written = CASE WHEN :finer THEN :written ELSE location_written END,
                 place_kind = CASE WHEN :finer THEN :kind ELSE place_kind END,
                 country = CASE WHEN :finer THEN :country ELSE country END,
                 admin1 = CASE WHEN :finer THEN :admin1 ELSE admin1 END,
                 lat = CASE WHEN :finer THEN :lat ELSE lat END,
                 lon = CASE WHEN :finer THEN :lon ELSE lon END,
                 precision = CASE WHEN :finer THEN :precision ELSE precision END, ",
            fold_figures!(),
            " WHERE id = :id"
        ),
        rusqlite::named_params! {
            ":ds": s,
            ":de": en,
            ":dts": date_text(s),
            ":dte": date_text(en),
            ":finer": finer,
            ":location": loc.map(|l| &l.name),
            ":written": loc.map(|l| &l.mention),
            ":kind": loc.and_then(place_kind),
            ":country": loc.and_then(|l| l.country.as_ref()),
            ":admin1": loc.and_then(|l| l.admin1.as_ref()),
            ":lat": fp.lat,
            ":lon": fp.lon,
            ":precision": fp.precision,
            ":killed": killed,
            ":injured": injured,
            ":key": report_key,
            ":id": c.id,
        },
    )
    .map_err(sql("merging into an incident"))?;
    let place = if finer {
        fp.lat.zip(fp.lon).or(c.place)
    } else {
        c.place
    };
    let widened = (s, en) != (c.day_start, c.day_end);
    let Some((lat, lon)) = place.filter(|_| finer || widened) else {
        return Ok(());
    };
    exec(
        tx,
        "INSERT OR REPLACE INTO incident_box VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![c.id, s, en, lat, lat, lon, lon],
    )
    .map_err(sql("re-indexing an incident"))?;
    Ok(())
}

const INCIDENT_COLUMNS: &str = "i.id, i.family, i.type, i.location, i.country, i.admin1, i.lat, i.lon, i.precision, i.date_start, i.date_end, i.initiator, i.initiator_country, i.target, i.killed_low, i.killed_best, i.killed_high, i.injured_low, i.injured_best, i.injured_high, i.sources, i.summary, i.location_written, i.place_kind";

fn incident_row(r: &rusqlite::Row) -> rusqlite::Result<Incident> {
    let est = |a: Option<i64>, b: Option<i64>, c: Option<i64>| match (a, b, c) {
        (Some(low), Some(best), Some(high)) => Some(Estimate {
            low: low as u64,
            best: best as u64,
            high: high as u64,
        }),
        _ => None,
    };
    Ok(Incident {
        id: IncidentId(r.get(0)?),
        family: r.get(1)?,
        event_type: r.get(2)?,
        location: r.get(3)?,
        country: r.get(4)?,
        admin1: r.get(5)?,
        lat: r.get(6)?,
        lon: r.get(7)?,
        precision: r.get(8)?,
        date_start: r.get(9)?,
        date_end: r.get(10)?,
        initiator: r.get(11)?,
        initiator_country: r.get(12)?,
        target: r.get(13)?,
        killed: est(r.get(14)?, r.get(15)?, r.get(16)?),
        injured: est(r.get(17)?, r.get(18)?, r.get(19)?),
        sources: r.get::<_, i64>(20)? as u32,
        summary: r.get(21)?,
        location_as_written: r.get(22)?,
        place_kind: r.get(23)?,
    })
}

fn report_row(r: &rusqlite::Row) -> rusqlite::Result<StoredReport> {
    let id = r.get(0)?;
    // A damaged extraction leaves the report readable (its text, for re-extraction above all),
    // its extraction null, and a warning in the log.
    let extraction = crate::body::decode(r.get_ref(8)?, id).unwrap_or_else(|e| {
        tracing::warn!("{e}");
        serde_json::Value::Null
    });
    Ok(StoredReport {
        id: StoredReportId(id),
        ext_id: r.get(1)?,
        url: r.get(2)?,
        source: r.get(3)?,
        title: r.get(4)?,
        published: r.get(5)?,
        text: r.get(6)?,
        duplicate_of: r.get::<_, Option<i64>>(7)?.map(StoredReportId),
        extraction,
    })
}

const REPORT_COLUMNS: &str =
    "r.id, r.ext_id, r.url, r.source, r.title, r.published, b.text, r.duplicate_of, b.extraction";

impl Store for SqliteStore {
    fn put(&mut self, text: &str, x: &Extraction) -> Result<PutOutcome> {
        let hash = ContentHash::of(text);
        let prepared = Prepared::of(text, x);
        self.in_tx(|tx, ex| {
            let outcome = put_in(tx, ex, text, &hash, x, &prepared)?;
            if matches!(outcome, PutOutcome::Updated { dated: true, .. }) {
                remerge_all(tx)?;
            }
            Ok(outcome)
        })
    }

    fn put_batch(&mut self, items: &[NewReport]) -> Result<Vec<PutOutcome>> {
        self.in_tx(|tx, ex| {
            let outcomes: Vec<PutOutcome> = items
                .iter()
                .map(|r| put_in(tx, ex, r.text(), r.hash(), r.extraction(), r.prepared()))
                .collect::<Result<_>>()?;
            // Once for the batch, whatever number of reports it updated.
            if outcomes
                .iter()
                .any(|o| matches!(o, PutOutcome::Updated { dated: true, .. }))
            {
                remerge_all(tx)?;
            }
            Ok(outcomes)
        })
    }

    fn find(&self, url: Option<&str>, hash: &ContentHash) -> Result<Option<StoredReportId>> {
        find_in(&self.conn, url, hash)
    }

    fn incidents(&self, q: &Query) -> Result<Vec<Incident>> {
        let (w, mut p) = q.sql();
        p.push(rusqlite::types::Value::Integer(
            q.limit.map_or(-1, i64::from),
        ));
        p.push(rusqlite::types::Value::Integer(i64::from(
            q.offset.unwrap_or(0),
        )));
        let text = format!("SELECT {INCIDENT_COLUMNS} FROM incidents i WHERE {w} ORDER BY i.date_start DESC, i.id DESC LIMIT ? OFFSET ?");
        let mut stmt = self
            .conn
            .prepare_cached(&text)
            .map_err(sql("preparing an incident query"))?;
        let rows = stmt
            .query_map(params_from_iter(p), incident_row)
            .map_err(sql("querying incidents"))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(sql("reading an incident"))
    }

    fn count_incidents(&self, q: &Query) -> Result<u64> {
        let (w, p) = q.sql();
        self.conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM incidents i WHERE {w}"))
            .and_then(|mut s| s.query_row(params_from_iter(p), |r| r.get::<_, i64>(0)))
            .map(|n| n as u64)
            .map_err(sql("counting incidents"))
    }

    fn stats(&self, q: &Query) -> Result<Stats> {
        let (w, p) = q.sql();
        let mut stats = Stats::default();
        let group = |key: &str| -> Result<Vec<Bucket>> {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {key}, COUNT(*), CAST(TOTAL(i.killed_best) AS INTEGER), CAST(TOTAL(i.injured_best) AS INTEGER)
                     FROM incidents i WHERE {w} GROUP BY 1 ORDER BY 1"
                ))
                .map_err(sql("preparing a statistics query"))?;
            let rows = stmt
                .query_map(params_from_iter(p.iter()), |r| {
                    Ok(Bucket {
                        key: r.get(0)?,
                        incidents: r.get::<_, i64>(1)? as u64,
                        killed: r.get::<_, i64>(2)? as u64,
                        injured: r.get::<_, i64>(3)? as u64,
                    })
                })
                .map_err(sql("computing statistics"))?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(sql("computing statistics"))
        };
        stats.by_day = group("i.date_start")?;
        stats.by_family = group("i.family")?;
        stats.by_type = group("i.type")?;
        stats.by_country = group("i.country")?;
        for b in &stats.by_family {
            stats.incidents += b.incidents;
            stats.killed = stats.killed.saturating_add(b.killed);
            stats.injured = stats.injured.saturating_add(b.injured);
        }
        // Undated or unplaced incidents are counted in the totals, not in a day or country.
        stats.undated = stats
            .by_day
            .iter()
            .filter(|b| b.key.is_none())
            .map(|b| b.incidents)
            .sum();
        stats.by_day.retain(|b| b.key.is_some());
        stats.by_country.retain(|b| b.key.is_some());
        Ok(stats)
    }

    fn incident(&self, id: IncidentId) -> Result<Option<IncidentDetail>> {
        let inc = self
            .conn
            .query_row(
                &format!("SELECT {INCIDENT_COLUMNS} FROM incidents i WHERE i.id = ?"),
                [id.0],
                incident_row,
            )
            .optional()
            .map_err(sql("reading an incident"))?;
        let Some(incident) = inc else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.title, r.source, r.url, r.published, e.local_id, e.killed, e.injured, e.merge_reason, b.extraction
                 FROM events e JOIN reports r ON r.id = e.report_id JOIN report_bodies b ON b.report_id = r.id
                 WHERE e.incident_id = ? ORDER BY COALESCE(r.published, ''), r.id, e.id",
            )
            .map_err(sql("preparing incident sources"))?;
        let mut rows = stmt
            .query([id.0])
            .map_err(sql("reading incident sources"))?;
        let mut reports = Vec::new();
        // A report's events sit together in the order: its extraction is decoded once.
        let mut body: Option<(i64, serde_json::Value)> = None;
        while let Some(r) = rows.next().map_err(sql("reading incident sources"))? {
            let report: i64 = r.get(0).map_err(sql("reading incident sources"))?;
            let local: String = r.get(5).map_err(sql("reading incident sources"))?;
            if body.as_ref().is_none_or(|(id, _)| *id != report) {
                let raw = r.get_ref(9).map_err(sql("reading incident sources"))?;
                body = Some((
                    report,
                    crate::body::decode(raw, report).unwrap_or_else(|e| {
                        tracing::warn!("{e}");
                        serde_json::Value::Null
                    }),
                ));
            }
            // The source stays listed with its figures even if its extraction cannot be read.
            let extracted = body
                .as_ref()
                .and_then(|(_, x)| x["events"].as_array())
                .and_then(|es| es.iter().find(|e| e["id"] == local.as_str()))
                .cloned()
                .unwrap_or_else(|| {
                    tracing::warn!("report {report}'s extraction has no event {local}");
                    serde_json::Value::Null
                });
            let evidence = extracted
                .get("evidence")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            let get = |i| r.get(i).map_err(sql("reading incident sources"));
            let reason: Option<String> = get(8)?;
            reports.push(IncidentSource {
                report: StoredReportId(report),
                title: get(1)?,
                source: get(2)?,
                url: get(3)?,
                published: get(4)?,
                event: local,
                killed: r
                    .get::<_, Option<i64>>(6)
                    .map_err(sql("reading incident sources"))?
                    .map(|v| v as u64),
                injured: r
                    .get::<_, Option<i64>>(7)
                    .map_err(sql("reading incident sources"))?
                    .map(|v| v as u64),
                evidence,
                merge_reason: reason
                    .and_then(|j| serde_json::from_str(&j).ok())
                    .unwrap_or(serde_json::Value::Null),
                extracted,
                copies: Vec::new(),
            });
        }
        fill_copies(&self.conn, &mut reports)?;
        Ok(Some(IncidentDetail { incident, reports }))
    }

    fn report(&self, id: StoredReportId) -> Result<Option<StoredReport>> {
        let r = self
            .conn
            .query_row(
                &format!("SELECT {REPORT_COLUMNS} FROM reports r JOIN report_bodies b ON b.report_id = r.id WHERE r.id = ?"),
                [id.0],
                report_row,
            )
            .optional()
            .map_err(sql("reading a report"))?;
        Ok(r)
    }

    fn report_info(&self, id: StoredReportId) -> Result<Option<ReportInfo>> {
        self.conn
            .query_row(
                "SELECT r.id, r.ext_id, r.url, r.source, r.title, r.published, octet_length(b.text), r.duplicate_of, b.extraction
                 FROM reports r JOIN report_bodies b ON b.report_id = r.id WHERE r.id = ?",
                [id.0],
                |r| {
                    let id = r.get(0)?;
                    Ok(ReportInfo {
                        id: StoredReportId(id),
                        ext_id: r.get(1)?,
                        url: r.get(2)?,
                        source: r.get(3)?,
                        title: r.get(4)?,
                        published: r.get(5)?,
                        text_bytes: r.get::<_, i64>(6)?.max(0) as u64,
                        duplicate_of: r.get::<_, Option<i64>>(7)?.map(StoredReportId),
                        extraction: crate::body::decode(r.get_ref(8)?, id).unwrap_or_else(|e| {
                            tracing::warn!("{e}");
                            serde_json::Value::Null
                        }),
                    })
                },
            )
            .optional()
            .map_err(sql("reading a report"))
    }

    fn report_text(
        &self,
        id: StoredReportId,
        offset: u64,
        limit: u32,
    ) -> Result<Option<TextChunk>> {
        let row = self
            .conn
            .query_row(
                "SELECT octet_length(text), substr(CAST(text AS BLOB), ?, ?) FROM report_bodies WHERE report_id = ?",
                params![saturate(offset).saturating_add(1), i64::from(limit) + CHUNK_SLACK as i64, id.0],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?)),
            )
            .optional()
            .map_err(sql("reading a report's text"))?;
        let Some((total, bytes)) = row else {
            return Ok(None);
        };
        let total = total.max(0) as u64;
        let bytes = bytes.unwrap_or_default();
        let (skip, take) = text_window(&bytes, limit as usize);
        let text = String::from_utf8(bytes[skip..skip + take].to_vec()).map_err(|e| {
            StoreError::Corrupt(format!("report {}'s text is not UTF-8: {e}", id.0))
        })?;
        let start = offset.min(total) + skip as u64;
        let end = start + take as u64;
        Ok(Some(TextChunk {
            offset: start,
            text,
            total,
            next_offset: (end < total).then_some(end),
        }))
    }

    fn counts(&self) -> Result<Counts> {
        let one = |q: &str| -> Result<u64> {
            self.conn
                .query_row(q, [], |r| r.get::<_, i64>(0))
                .map(|v| v as u64)
                .map_err(sql("counting"))
        };
        Ok(Counts {
            reports: one("SELECT COUNT(*) FROM reports")?,
            near_duplicates: one("SELECT COUNT(*) FROM reports WHERE duplicate_of IS NOT NULL")?,
            events: one("SELECT COUNT(*) FROM events")?,
            incidents: one("SELECT COUNT(*) FROM incidents")?,
        })
    }

    fn all_reports(&self) -> Result<Vec<StoredReport>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {REPORT_COLUMNS} FROM reports r JOIN report_bodies b ON b.report_id = r.id ORDER BY r.id"))
            .map_err(sql("listing reports"))?;
        let rows = stmt
            .query_map([], report_row)
            .map_err(sql("listing reports"))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(sql("reading reports"))
    }

    fn rebuild(&mut self, extractions: &[(StoredReportId, Extraction)]) -> Result<()> {
        self.in_tx(|tx, ex| {
            tx.execute_batch("DELETE FROM event_actors; DELETE FROM events; DELETE FROM incident_box; DELETE FROM incidents;").map_err(sql("clearing derived data"))?;
            for (id, x) in extractions {
                exec(tx, "UPDATE report_bodies SET extraction = ? WHERE report_id = ?", params![crate::body::encode(x), id.0]).map_err(sql("updating an extraction"))?;
                exec(tx, "UPDATE reports SET extractor = ? WHERE id = ?", params![ex, id.0]).map_err(sql("recording the extractor"))?;
                let dup: Option<i64> = one(tx, "SELECT duplicate_of FROM reports WHERE id = ?", [id.0], |r| r.get(0)).map_err(sql("reading a report"))?;
                if dup.is_none() {
                    merge_events(tx, id.0, x)?;
                }
            }
            Ok(())
        })
    }
}

/// Each source's near-duplicate copies (through the index of copies: one lookup a source).
fn fill_copies(conn: &Connection, sources: &mut [IncidentSource]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, title, source, url, published FROM reports WHERE duplicate_of = ? ORDER BY id",
        )
        .map_err(sql("preparing copies"))?;
    for s in sources.iter_mut() {
        s.copies = stmt
            .query_map([s.report.0], |r| {
                Ok(ReportCopy {
                    report: StoredReportId(r.get(0)?),
                    title: r.get(1)?,
                    source: r.get(2)?,
                    url: r.get(3)?,
                    published: r.get(4)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("reading copies"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store holding bare incidents at these (lat, lon) points, with these best death tolls.
    fn store_with(points: &[(f64, f64, i64)]) -> SqliteStore {
        let s = SqliteStore::open_in_memory().unwrap();
        for (lat, lon, killed) in points {
            s.conn
                .execute(
                    "INSERT INTO incidents (family, type, lat, lon, date_start, date_end, killed_low, killed_best, killed_high, sources)
                     VALUES ('battles', 'armed_clash', ?, ?, '2025-01-01', '2025-01-01', ?, ?, ?, 1)",
                    params![lat, lon, killed, killed, killed],
                )
                .unwrap();
        }
        s
    }

    fn near(s: &SqliteStore, lat: f64, lon: f64, km: f64) -> Vec<(f64, f64)> {
        let q = Query {
            near: Some((lat, lon, km)),
            ..Default::default()
        };
        let found: Vec<_> = s
            .incidents(&q)
            .unwrap()
            .iter()
            .map(|i| (i.lat.unwrap(), i.lon.unwrap()))
            .collect();
        assert_eq!(
            s.count_incidents(&q).unwrap(),
            found.len() as u64,
            "count agrees with the list"
        );
        found
    }

    #[test]
    fn near_finds_places_across_the_antimeridian_and_the_poles() {
        // Fiji straddles 180°: Suva side and Taveuni side, about 25 km apart across the line.
        let s = store_with(&[
            (-17.0, 179.9, 1),
            (-17.0, -179.9, 1),
            (-17.0, 170.0, 1),
            (89.9, 0.0, 1),
            (89.9, 120.0, 1),
        ]);
        assert_eq!(near(&s, -17.0, 179.95, 50.0).len(), 2);
        assert_eq!(near(&s, -17.0, -179.95, 50.0).len(), 2);
        assert_eq!(
            near(&s, 89.95, 60.0, 50.0).len(),
            2,
            "both points near the pole, at any longitude"
        );
        let boxed = Query {
            bbox: Some((-20.0, 179.0, -10.0, -179.0)),
            ..Default::default()
        };
        assert_eq!(
            s.incidents(&boxed).unwrap().len(),
            2,
            "a box crossing the antimeridian"
        );
    }

    #[test]
    fn full_text_finds_words_in_any_script_and_hyphenated_names() {
        let s = store_with(&[(0.0, 0.0, 1), (1.0, 1.0, 1), (2.0, 2.0, 1)]);
        for (id, text) in [
            (1, "Shelling in El-Fasher overnight"),
            (2, "दिल्ली में विस्फोट, पुलिस ने कहा"),
            (3, "เกิดเหตุ ระเบิด ในกรุงเทพ"),
        ] {
            s.conn
                .execute_batch(&format!(
                    "INSERT INTO reports (id, content_hash, simhash, extractor, ingested_at) VALUES ({id}, 'h{id}', 0, 't', 'now');
                     INSERT INTO events (report_id, local_id, incident_id, family, type) VALUES ({id}, 'e1', {id}, 'battles', 'armed_clash');"
                ))
                .unwrap();
            index_report(&s.conn, id, "", &crate::words::index_text(text)).unwrap();
        }
        let found = |t: &str| {
            let q = Query {
                text: Some(t.into()),
                ..Default::default()
            };
            s.incidents(&q)
                .unwrap()
                .iter()
                .map(|i| i.id.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("El-Fasher"), [1]);
        assert_eq!(found("el fasher overnight"), [1]);
        assert_eq!(found("विस्फोट"), [2]);
        assert_eq!(found("ระเบิด"), [3]);
        assert!(
            found("\"OR\" NEAR(").is_empty(),
            "FTS syntax in user text is only words"
        );
        assert_eq!(
            found("\" ระเบิด -"),
            [3],
            "stray quotes and dashes are dropped"
        );
    }

    #[test]
    fn absurd_figures_do_not_break_statistics() {
        let s = store_with(&[(0.0, 0.0, i64::MAX), (1.0, 1.0, i64::MAX)]);
        let stats = s.stats(&Query::default()).unwrap();
        assert_eq!(stats.incidents, 2);
        assert!(
            stats.killed >= i64::MAX as u64,
            "saturates instead of failing"
        );
        let q = Query {
            min_killed: Some(u64::MAX),
            ..Default::default()
        };
        assert_eq!(
            s.count_incidents(&q).unwrap(),
            2,
            "u64::MAX is not read as -1"
        );
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    /// A report with one shelling event at a place of this precision, on 2025-03-02.
    fn report(
        id: &str,
        place: &str,
        lat: f64,
        lon: f64,
        precision: &str,
        killed: u64,
    ) -> Extraction {
        serde_json::from_value(serde_json::json!({
            "schema": "sitrep.extract/1",
            "report": {"id": id, "published": "2025-03-02", "source": null, "url": null, "title": null},
            "events": [{
                "id": "e1", "family": "explosions_remote_violence", "type": "shelling_artillery_missile_attack",
                "part_of": null, "actors": [],
                "locations": [{"name": place, "mention": place, "span": {"start": 0, "end": 4}, "geonames_id": null,
                               "lat": lat, "lon": lon, "country": "UA", "admin1": null, "feature": "PPL", "precision": precision}],
                "when": {"start": "2025-03-02", "end": "2025-03-02", "precision": "day", "mention": null, "span": null},
                "weapons": [], "casualties": {"killed": {"value": killed, "at_least": false, "qualifier": "exact"}, "injured": null},
                "figures": [], "attributed_to": [], "evidence": []
            }],
            "totals": [], "quotes": [], "entities": [], "warnings": []
        }))
        .unwrap()
    }

    #[test]
    fn reported_speech_survives_a_round_trip_as_reported_speech() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut x = report("q", "Kharkiv", 49.99, 36.23, "settlement", 2);
        x.quotes = serde_json::from_value(serde_json::json!([
            {"text": "We stay", "start": 1, "end": 8, "speaker": null, "speaker_mention": null},
            {"text": "two were killed", "start": 20, "end": 35, "speaker": null,
             "speaker_mention": null, "indirect": true}
        ]))
        .unwrap();
        let PutOutcome::Stored { report: id, .. } = s
            .put("“We stay,” he said. Officials said two were killed.", &x)
            .unwrap()
        else {
            panic!("stored")
        };
        let flags: Vec<i64> = s
            .conn
            .prepare("SELECT indirect FROM quotes WHERE report_id = ? ORDER BY start")
            .unwrap()
            .query_map([id.0], |r| r.get(0))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(flags, [0, 1]);
        let back = s.report(id).unwrap().expect("the report").extraction;
        let quotes = back["quotes"].as_array().expect("quotes");
        assert!(quotes[0].get("indirect").is_none(), "{quotes:?}");
        assert_eq!(quotes[1]["indirect"], true);
    }

    #[test]
    fn a_finer_place_moves_the_incident_and_its_box_and_figures_fold_in() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        s.put(
            "Shelling in Kharkiv oblast killed two.",
            &report("a", "Kharkiv Oblast", 49.9, 36.3, "region", 2),
        )
        .unwrap();
        s.put(
            "Shelling in Kharkiv city killed three.",
            &report("b", "Kharkiv", 49.99, 36.23, "settlement", 3),
        )
        .unwrap();
        let all = s.incidents(&Query::default()).unwrap();
        assert_eq!(all.len(), 1, "{all:?}");
        let i = &all[0];
        assert_eq!(i.location.as_deref(), Some("Kharkiv"));
        assert_eq!(i.precision.as_deref(), Some("settlement"));
        assert_eq!(i.sources, 2);
        let k = i.killed.expect("figures");
        assert_eq!((k.low, k.best, k.high), (2, 3, 3));
        let boxed: (f64, f64) = s
            .conn
            .query_row(
                "SELECT lat_min, lon_min FROM incident_box WHERE id = ?",
                [i.id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(
            (boxed.0 - 49.99).abs() < 1e-3 && (boxed.1 - 36.23).abs() < 1e-3,
            "{boxed:?}"
        );
        // A coarser report after that leaves the finer place.
        s.put(
            "Shelling in the oblast killed four.",
            &report("c", "Kharkiv Oblast", 49.9, 36.3, "region", 4),
        )
        .unwrap();
        let i = &s.incidents(&Query::default()).unwrap()[0];
        assert_eq!(i.location.as_deref(), Some("Kharkiv"));
        assert_eq!(i.sources, 3);
    }

    #[test]
    fn a_flagged_event_is_no_incident() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut x = report("a", "Kharkiv", 49.99, 36.23, "settlement", 0);
        x.events[0].modality = sitrep_model::Modality::Future;
        s.put("Russia vowed to shell Kharkiv.", &x).unwrap();
        assert!(s.incidents(&Query::default()).unwrap().is_empty());
        let asserted = report("b", "Kharkiv", 49.99, 36.23, "settlement", 2);
        s.put("Shelling in Kharkiv killed two.", &asserted).unwrap();
        assert_eq!(s.incidents(&Query::default()).unwrap().len(), 1);
    }

    /// `report` with the place written as `mention` and resolved to a place of `kind`.
    fn written(
        id: &str,
        place: &str,
        mention: &str,
        kind: sitrep_model::PlaceKind,
        precision: &str,
    ) -> Extraction {
        let mut x = report(id, place, 49.9, 36.3, precision, 1);
        let l = &mut x.events[0].locations[0];
        l.mention = mention.into();
        l.kind = Some(kind);
        x
    }

    #[test]
    fn an_incident_keeps_its_place_as_written_and_its_kind_and_both_move_with_a_finer_place() {
        use sitrep_model::PlaceKind;
        let mut s = SqliteStore::open_in_memory().unwrap();
        let oblast = written(
            "a",
            "Kharkiv Oblast",
            "Kharkov region",
            PlaceKind::Admin1,
            "region",
        );
        s.put("Shelling in the Kharkov region killed one.", &oblast)
            .unwrap();
        let i = &s.incidents(&Query::default()).unwrap()[0];
        assert_eq!(i.location_as_written.as_deref(), Some("Kharkov region"));
        assert_eq!(i.place_kind.as_deref(), Some("admin1"));
        let city = written(
            "b",
            "Kharkiv",
            "Kharkov",
            PlaceKind::Settlement,
            "settlement",
        );
        s.put("Shelling in Kharkov killed one.", &city).unwrap();
        let again = written(
            "c",
            "Kharkiv Oblast",
            "the oblast",
            PlaceKind::Admin1,
            "region",
        );
        s.put("Shelling in the oblast killed one more.", &again)
            .unwrap();
        let all = s.incidents(&Query::default()).unwrap();
        assert_eq!(all.len(), 1, "{all:?}");
        let i = &all[0];
        assert_eq!(i.location.as_deref(), Some("Kharkiv"));
        assert_eq!(i.location_as_written.as_deref(), Some("Kharkov"));
        assert_eq!(i.place_kind.as_deref(), Some("settlement"));
        let d = s.incident(i.id).unwrap().unwrap();
        assert_eq!(d.incident, *i, "the detail lists the same incident");
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    /// A fresh folder holding `old.db`, a store as schema `version` made it, and its connection.
    fn old_store(
        tag: &str,
        version: usize,
    ) -> (std::path::PathBuf, std::path::PathBuf, Connection) {
        let dir = std::env::temp_dir().join(format!("sitrep-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        let c = Connection::open(&path).unwrap();
        for m in &MIGRATIONS[..version] {
            c.execute_batch(m).unwrap();
        }
        c.pragma_update(None, "user_version", version as i64)
            .unwrap();
        (dir, path, c)
    }

    #[test]
    fn a_store_of_schema_2_keeps_every_report_and_event_through_migrations_3_to_5() {
        let (dir, path, c) = old_store("migrate", 2);
        {
            let c = c; // closed before the store opens the file
                       // A store as schema 2 wrote it: text and JSON inline.
            c.execute_batch(
                "INSERT INTO reports (id, title, text, content_hash, simhash, extractor, extraction, ingested_at)
                     VALUES (1, 'Old title', 'Shelling hit the old town overnight.', 'h1', 42, 'old', '{\"quotes\":[]}', 'then');
                 INSERT INTO reports (id, title, text, content_hash, simhash, duplicate_of, extractor, extraction, ingested_at)
                     VALUES (2, 'Copy', 'Shelling hit the old town overnight!', 'h2', 43, 1, 'old', '{}', 'then');
                 INSERT INTO reports_fts (rowid, title, text) VALUES (1, 'Old title', 'Shelling hit the old town overnight.');
                 INSERT INTO simhash_bands (band, value, report_id) VALUES (0, 42, 1), (0, 43, 2);
                 INSERT INTO incidents (id, family, type, sources) VALUES (7, 'battles', 'armed_clash', 1);
                 INSERT INTO events (id, report_id, local_id, incident_id, family, type, killed, json, merge_reason)
                     VALUES (1, 1, 'e1', 7, 'battles', 'armed_clash', 5, '{\"id\":\"e1\"}', '{\"decision\":\"new\",\"candidates\":0}');
                 INSERT INTO events (id, report_id, local_id, part_of, incident_id, family, type, json, merge_reason)
                     VALUES (2, 1, 'e10', 'e1', 7, 'battles', 'armed_clash', '{\"id\":\"e10\"}', '{\"decision\":\"part_of\",\"event\":\"e1\"}'),
                            (3, 1, 'e2', 'e1', 7, 'battles', 'armed_clash', '{\"id\":\"e2\"}', '{\"decision\":\"part_of\",\"event\":\"e1\"}');",
            )
            .unwrap();
        }
        let mut s = SqliteStore::open(&path).unwrap();
        let r = s.report(StoredReportId(1)).unwrap().expect("report 1");
        assert_eq!(r.text, "Shelling hit the old town overnight.");
        let ids: Vec<&str> = r.extraction["events"]
            .as_array()
            .expect("events are back in the extraction")
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["e1", "e2", "e10"], "in the extractor's order");
        let d = s.incident(IncidentId(7)).unwrap().expect("incident 7");
        let reasons: Vec<(&str, &str)> = d
            .reports
            .iter()
            .map(|r| {
                (
                    r.extracted["id"].as_str().unwrap(),
                    r.merge_reason["decision"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            [("e1", "new"), ("e10", "part_of"), ("e2", "part_of")],
            "each source event keeps its JSON and why it joined"
        );
        let q = Query {
            text: Some("shelling".into()),
            ..Default::default()
        };
        assert_eq!(s.count_incidents(&q).unwrap(), 1, "full text is rebuilt");
        let bands: Vec<(i64, i64)> = s
            .conn
            .prepare("SELECT report_id, simhash FROM simhash_bands")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(
            bands,
            [(1, 42)],
            "only originals keep bands, with their simhash"
        );
        let key: Option<String> = s
            .conn
            .query_row(
                "SELECT killed_best_key FROM incidents WHERE id = 7",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            key.as_deref(),
            Some("00000000000000000001"),
            "best keys are backfilled"
        );
        // New reports are stored compressed beside the old plain ones; both read back.
        let text = "Shelling hit the new town overnight, killing two.";
        let x: Extraction = serde_json::from_value(serde_json::json!({
            "schema": "sitrep.extract/1",
            "report": {"id": "new", "published": null, "source": null, "url": null, "title": "New"},
            "events": [], "totals": [], "quotes": [], "entities": [], "warnings": []
        }))
        .unwrap();
        let PutOutcome::Stored { report, .. } = s.put(text, &x).unwrap() else {
            panic!("a new text is stored")
        };
        let kind: String = s
            .conn
            .query_row(
                "SELECT typeof(extraction) FROM report_bodies WHERE report_id = ?",
                [report.0],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kind, "blob");
        let back = s.report(report).unwrap().unwrap();
        assert_eq!(back.extraction["report"]["title"], "New");
        assert_eq!(back.text, text);
        // A damaged body leaves the report readable, text and all, for re-extraction.
        s.conn
            .execute(
                "UPDATE report_bodies SET extraction = x'ffffff7f00' WHERE report_id = ?",
                [report.0],
            )
            .unwrap();
        let damaged = s.report(report).unwrap().unwrap();
        assert_eq!(damaged.text, text);
        assert!(damaged.extraction.is_null());
        assert_eq!(s.all_reports().unwrap().len(), 3);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// One event's extraction placed at `name`, written `mention`, of kind `kind`.
    fn placed(name: &str, mention: &str, kind: &str) -> String {
        serde_json::json!({"events": [{"id": "e1", "locations": [
            {"name": name, "mention": mention, "kind": kind}]}]})
        .to_string()
    }

    #[test]
    fn a_store_of_schema_6_gets_its_incidents_places_as_written_from_their_extractions() {
        let (dir, path, c) = old_store("migrate7", 6);
        {
            let c = c; // closed before the store opens the file
                       // Report 1's body compressed (schema 5 on), report 2's plain JSON (before).
            let compressed = lz4_flex::compress_prepend_size(
                placed("Tadmur", "Palmyra", "settlement").as_bytes(),
            );
            c.execute_batch(
                "INSERT INTO reports (id, content_hash, simhash, extractor, ingested_at)
                     VALUES (1, 'h1', 1, 'old', 'then'), (2, 'h2', 2, 'old', 'then'), (3, 'h3', 3, 'old', 'then');
                 INSERT INTO incidents (id, family, type, location, sources)
                     VALUES (7, 'battles', 'armed_clash', 'Tadmur', 1),
                            (8, 'battles', 'armed_clash', 'Homs', 1),
                            (9, 'battles', 'armed_clash', NULL, 1);
                 INSERT INTO events (id, report_id, local_id, incident_id, family, type, merge_reason)
                     VALUES (1, 1, 'e1', 7, 'battles', 'armed_clash', '{}'),
                            (2, 2, 'e1', 8, 'battles', 'armed_clash', '{}'),
                            (3, 3, 'e1', 9, 'battles', 'armed_clash', '{}');",
            )
            .unwrap();
            let body =
                "INSERT INTO report_bodies (report_id, text, extraction) VALUES (?, 'text', ?)";
            c.execute(body, params![1, compressed]).unwrap();
            // Report 2 placed its event elsewhere than incident 8 now is: nothing to take.
            c.execute(body, params![2, placed("Hama", "Hamah", "settlement")])
                .unwrap();
            c.execute(body, params![3, placed("Idlib", "Idleb", "admin1")])
                .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        let get = |id| s.incident(IncidentId(id)).unwrap().unwrap().incident;
        let tadmur = get(7);
        assert_eq!(tadmur.location_as_written.as_deref(), Some("Palmyra"));
        assert_eq!(tadmur.place_kind.as_deref(), Some("settlement"));
        for id in [8, 9] {
            let i = get(id);
            assert_eq!((i.location_as_written, i.place_kind), (None, None), "{id}");
        }
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod open_tests {
    use super::*;

    /// An empty temporary folder, removed with its contents when dropped.
    struct Dir(std::path::PathBuf);

    impl std::ops::Deref for Dir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl AsRef<Path> for Dir {
        fn as_ref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("sitrep-open-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    /// Say a test did not run where the summary shows it: a line of `target/skipped-tests.txt`
    /// (which `.ci/run` prints at its end), and stderr.
    fn skipped(test: &str, why: &str) {
        use std::io::Write;
        eprintln!("SKIPPED {test}: {why}");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root.join("target"), |t| root.join(t));
        let _ = std::fs::create_dir_all(&target);
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(target.join("skipped-tests.txt"))
        {
            let _ = writeln!(f, "{test}: {why}");
        }
    }

    fn no_events(id: &str) -> Extraction {
        serde_json::from_value(serde_json::json!({
            "schema": "sitrep.extract/1",
            "report": {"id": id, "published": null, "source": null, "url": null, "title": null},
            "events": [], "totals": [], "quotes": [], "entities": [], "warnings": []
        }))
        .unwrap()
    }

    /// A closed store holding one report of `text`.
    fn store_with(path: &Path, text: &str) {
        let mut s = SqliteStore::open(path).unwrap();
        s.put(text, &no_events("r")).unwrap();
    }

    fn not_a_store(r: Result<SqliteStore>) -> String {
        match r {
            Err(e @ StoreError::NotAStore { .. }) => e.to_string(),
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("opened"),
        }
    }

    #[test]
    fn a_file_of_junk_is_refused_and_left_as_it_was() {
        let d = dir("junk");
        let path = d.join("junk.db");
        let junk =
            b"this is not a database, only some text long enough to have a header. ".repeat(20);
        std::fs::write(&path, &junk).unwrap();
        let msg = not_a_store(SqliteStore::open(&path));
        assert!(msg.contains("not an SQLite database"), "{msg}");
        not_a_store(SqliteStore::open_read_only(&path));
        assert_eq!(std::fs::read(&path).unwrap(), junk);
    }

    #[test]
    fn a_truncated_store_is_refused() {
        let d = dir("truncated");
        let path = d.join("t.db");
        store_with(&path, &"Shelling hit the town. ".repeat(20_000));
        let len = std::fs::metadata(&path).unwrap().len();
        assert!(len > 100_000, "a store of many pages: {len}");
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        let msg = not_a_store(SqliteStore::open(&path));
        assert!(msg.contains("truncated"), "{msg}");
        not_a_store(SqliteStore::open_read_only(&path));
    }

    #[test]
    fn an_empty_file_is_a_new_store() {
        let d = dir("empty");
        let path = d.join("e.db");
        std::fs::write(&path, b"").unwrap();
        SqliteStore::open(&path).unwrap();
    }

    #[test]
    fn processes_creating_one_new_store_at_once_all_succeed() {
        let d = dir("race");
        for round in 0..25 {
            let path = d.join(format!("new-{round}.db"));
            let start = std::sync::Barrier::new(3);
            std::thread::scope(|s| {
                let openers: Vec<_> = (0..3)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            SqliteStore::open(&path).map(|_| ())
                        })
                    })
                    .collect();
                for o in openers {
                    o.join()
                        .unwrap()
                        .unwrap_or_else(|e| panic!("round {round}: {e}"));
                }
            });
            let s = SqliteStore::open_read_only(&path).unwrap();
            assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        }
    }

    #[test]
    fn a_store_whose_wal_index_cannot_be_created_opens_read_only() {
        let d = dir("noshm");
        let path = d.join("s.db");
        store_with(&path, "Shelling hit the town.");
        // A folder where the WAL index would go: no process, root included, can create it.
        std::fs::create_dir(d.join("s.db-shm")).unwrap();
        assert!(
            SqliteStore::open(&path).is_err(),
            "a writable open needs the WAL index"
        );
        for s in [
            SqliteStore::open_read_only(&path).unwrap(),
            SqliteStore::open_read_only_as(&path, ReadOnly::Immutable).unwrap(),
        ] {
            assert_eq!(s.counts().unwrap().reports, 1);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_store_in_a_read_only_folder_opens_read_only() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("rodir");
        let path = d.join("s.db");
        store_with(&path, "Shelling hit the town.");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = d.join("probe");
        if std::fs::write(&probe, b"").is_ok() {
            let _ = std::fs::remove_file(&probe);
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
            skipped(
                "sitrep-store a_store_in_a_read_only_folder_opens_read_only",
                "this user writes into read-only folders (root); \
                 a_store_whose_wal_index_cannot_be_created_opens_read_only covers the fallback",
            );
            return;
        }
        let read = SqliteStore::open_read_only(&path).map(|s| s.counts().map(|c| c.reports));
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(read.unwrap().unwrap(), 1);
    }

    #[test]
    fn opening_a_missing_store_to_read_is_an_error_that_creates_nothing() {
        let d = dir("missing");
        let path = d.join("typo.db");
        match SqliteStore::open_read_only(&path) {
            Err(e @ StoreError::Missing { .. }) => {
                assert!(e.to_string().contains("typo.db"), "{e}")
            }
            Err(e) => panic!("not the missing-store error: {e}"),
            Ok(_) => panic!("a missing store opened"),
        }
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
    }

    #[test]
    fn file_uris_escape_what_sqlite_would_read_as_query_or_fragment() {
        assert_eq!(
            file_uri(Path::new("/tmp/a?b#c%d.db"), ReadOnly::Shared),
            "file:/tmp/a%3Fb%23c%25d.db?mode=ro"
        );
    }

    #[test]
    fn text_chunks_end_on_characters_and_reassemble_the_text() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let text = "Київ: 5 killed 🚀 near Харків. ".repeat(500);
        let PutOutcome::Stored { report, .. } = s.put(&text, &no_events("r")).unwrap() else {
            panic!("stored")
        };
        for limit in [1u32, 2, 3, 5, 7, 64, 1000, 100_000] {
            let (mut got, mut at) = (String::new(), Some(0));
            while let Some(offset) = at {
                let c = s.report_text(report, offset, limit).unwrap().unwrap();
                assert_eq!(c.offset, offset);
                assert_eq!(c.total, text.len() as u64);
                assert!(
                    c.text.len() <= (limit as usize).max(4),
                    "{limit}: {}",
                    c.text.len()
                );
                assert!(!c.text.is_empty(), "progress at {offset}");
                got.push_str(&c.text);
                at = c.next_offset;
            }
            assert_eq!(got, text, "limit {limit}");
        }
        // An offset inside a character starts at the next one.
        let c = s.report_text(report, 1, 10).unwrap().unwrap();
        assert_eq!(c.offset, 2);
        assert!(c.text.starts_with('и'), "{}", c.text);
        let past = s.report_text(report, 1 << 40, 10).unwrap().unwrap();
        assert_eq!((past.text.as_str(), past.next_offset), ("", None));
        assert!(s.report_text(StoredReportId(999), 0, 10).unwrap().is_none());
        let info = s.report_info(report).unwrap().unwrap();
        assert_eq!(info.text_bytes, text.len() as u64);
    }
}
