//! The sitrep store: reports, their events, and *incidents*, the same happening merged across
//! reports with every source and every figure kept.
//!
//! [`Store`] is what the pipeline and the server see; [`SqliteStore`] is the embedded
//! implementation (one file, WAL, versioned migrations in `migrations/`). A PostgreSQL backend
//! implements the same trait without touching the pipeline.
//!
//! Merging is incremental: a new event is compared only with the incidents an R*Tree returns for
//! its place and time window ([`merge`] explains the rule), and every decision is recorded so
//! `sitrep why` can show it.
//!
//! Architecture invariant: knows the model and SQL; knows nothing of text processing, HTTP or the
//! command line. Every write of one report is one transaction: a crash leaves it all or nothing.

mod body;
pub mod merge;
mod query;
pub mod simhash;
mod sqlite;
mod words;

pub use query::{Filters, Format, InvalidFilter, Query, MAX_LIMIT};
pub use sqlite::SqliteStore;

use serde::Serialize;
use sitrep_model::{Evidence, Extraction};

/// The id of a stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct StoredReportId(pub i64);

/// The id of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

/// Why a store operation failed, with what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error while {doing}: {source}")]
    Sql {
        doing: &'static str,
        source: rusqlite::Error,
    },
    #[error("the store {path} has schema version {found}, newer than this sitrep ({known}); upgrade sitrep")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("{doing}: {source}")]
    Io {
        doing: &'static str,
        source: std::io::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The file is not a sitrep store, or is damaged where opening can tell (header, length).
    #[error("{path} is not a usable sitrep store: {reason}")]
    NotAStore { path: String, reason: String },
    /// Opened for reading, but there is no file at the path: reading never creates a store.
    #[error("there is no store at {path}")]
    Missing { path: String },
}

/// Result of store operations.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The hash under which a report's text is known: SHA-256 over its words, so texts that differ
/// only in whitespace are the same report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hash a text.
    pub fn of(text: &str) -> ContentHash {
        use sha2::{Digest, Sha256};
        // The words, each followed by one space, hashed in one piece.
        let mut words = Vec::with_capacity(text.len() + 1);
        // `str::split_whitespace`, with ASCII classified a byte at a time.
        words::runs(
            text,
            |b| !matches!(b, b'\t'..=b'\r' | b' '),
            |c| !c.is_whitespace(),
            |w, _| {
                words.extend_from_slice(w.as_bytes());
                words.push(b' ');
            },
        );
        let h = Sha256::new_with_prefix(&words);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hex = h
            .finalize()
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect();
        ContentHash(hex)
    }

    /// The hex digest, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A report ready to store: its text, the text's hash (computed once, by whoever first needs
/// it), its extraction, and the work of storing it that needs no database (the encoded
/// extraction, the words to index, the simhash), done where the report is made, so a writer
/// thread is left with the writing.
#[derive(Debug, Clone)]
pub struct NewReport {
    text: String,
    hash: ContentHash,
    extraction: Extraction,
    prepared: Prepared,
}

/// What storing a report computes before it touches the database.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub simhash: u64,
    /// The extraction, encoded (`body.rs`).
    pub body: Vec<u8>,
    /// Title and text as the full-text index receives them (`words.rs`).
    pub index_title: String,
    pub index_text: String,
}

impl Prepared {
    pub(crate) fn of(text: &str, x: &Extraction) -> Prepared {
        Prepared {
            simhash: simhash::simhash(text),
            body: body::encode(x),
            index_title: words::index_text(x.report.title.as_deref().unwrap_or_default()),
            index_text: words::index_text(text),
        }
    }
}

impl NewReport {
    /// A report whose hash is computed now.
    pub fn new(text: String, extraction: Extraction) -> NewReport {
        let hash = ContentHash::of(&text);
        NewReport::with_hash(text, hash, extraction)
    }

    /// A report whose text was hashed already (to skip stored reports before extracting them).
    pub fn with_hash(text: String, hash: ContentHash, extraction: Extraction) -> NewReport {
        debug_assert_eq!(
            hash,
            ContentHash::of(&text),
            "a report's hash is its text's"
        );
        NewReport {
            prepared: Prepared::of(&text, &extraction),
            text,
            hash,
            extraction,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn hash(&self) -> &ContentHash {
        &self.hash
    }

    pub fn extraction(&self) -> &Extraction {
        &self.extraction
    }

    pub(crate) fn prepared(&self) -> &Prepared {
        &self.prepared
    }
}

/// What happened to a report handed to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PutOutcome {
    /// New: stored, its events merged into incidents.
    Stored {
        report: StoredReportId,
        events: usize,
        new_incidents: usize,
        merged: usize,
    },
    /// The same report (same URL, or the same text) is already stored.
    Duplicate { of: StoredReportId },
    /// A near-copy of a stored report (a re-published wire story): stored and linked, its events
    /// not counted again.
    NearDuplicate {
        report: StoredReportId,
        of: StoredReportId,
    },
    /// The same text is stored, and this copy says what the stored one did not (its date, title,
    /// source or URL): the report took those, and what depends on them was derived again (a new
    /// date re-dates its events and re-merges them).
    Updated {
        report: StoredReportId,
        /// Whether the copy gave it a date, so its events were dated and merged again.
        dated: bool,
    },
}

/// A casualty figure across sources, UCDP style: lowest, best and highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub low: u64,
    /// The latest report's figure: a later official toll supersedes an earlier one.
    pub best: u64,
    pub high: u64,
}

/// One incident as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: IncidentId,
    pub family: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// The gazetteer's (canonical) name of the place.
    pub location: Option<String>,
    /// The place's name as the report that placed the incident wrote it ("Palmyra" for Tadmur).
    pub location_as_written: Option<String>,
    /// What the place is: country, admin1, admin2, settlement or feature.
    pub place_kind: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: Option<String>,
    pub date_start: Option<String>,
    pub date_end: Option<String>,
    pub initiator: Option<String>,
    pub initiator_country: Option<String>,
    pub target: Option<String>,
    pub killed: Option<Estimate>,
    pub injured: Option<Estimate>,
    /// Number of reports behind it.
    pub sources: u32,
    pub summary: Option<String>,
}

/// One report's account of an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentSource {
    pub report: StoredReportId,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    /// The event's id inside that report's extraction ("e2").
    pub event: String,
    pub killed: Option<u64>,
    pub injured: Option<u64>,
    pub evidence: Vec<Evidence>,
    /// Why the event joined this incident.
    pub merge_reason: serde_json::Value,
    /// The event as extracted.
    pub extracted: serde_json::Value,
    /// Copies of this report stored as near-duplicates (the same story re-published by another
    /// outlet): linked to it, their events not counted again.
    pub copies: Vec<ReportCopy>,
}

/// A near-duplicate copy of a source report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportCopy {
    pub report: StoredReportId,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
}

/// An incident with every source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: Incident,
    pub reports: Vec<IncidentSource>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReport {
    pub id: StoredReportId,
    pub ext_id: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub text: String,
    pub duplicate_of: Option<StoredReportId>,
    pub extraction: serde_json::Value,
}

/// A stored report without its text: what `GET /api/reports/{id}` answers by default, so one
/// large report cannot make a response of its size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportInfo {
    pub id: StoredReportId,
    pub ext_id: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    /// The text's length in UTF-8 bytes (the unit of every span and of text paging).
    pub text_bytes: u64,
    pub duplicate_of: Option<StoredReportId>,
    pub extraction: serde_json::Value,
}

/// A piece of a report's text, cut at character boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChunk {
    /// Where the piece starts, in bytes.
    pub offset: u64,
    pub text: String,
    /// The whole text's length in bytes.
    pub total: u64,
    /// Where the next piece starts; `None` after the last one.
    pub next_offset: Option<u64>,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub reports: u64,
    pub near_duplicates: u64,
    pub events: u64,
    pub incidents: u64,
}

/// Incidents grouped by one key, with their summed best casualty figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The day (`YYYY-MM-DD`), family or country code.
    pub key: Option<String>,
    pub incidents: u64,
    pub killed: u64,
    pub injured: u64,
}

/// What a set of incidents adds up to, for the timeline and summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub incidents: u64,
    /// Sum of best estimates.
    pub killed: u64,
    pub injured: u64,
    /// Incidents with no known date (counted in the totals, not in `by_day`).
    pub undated: u64,
    /// By first day, oldest first.
    pub by_day: Vec<Bucket>,
    pub by_family: Vec<Bucket>,
    pub by_type: Vec<Bucket>,
    /// By ISO alpha-2 code; incidents with no country are left out.
    pub by_country: Vec<Bucket>,
}

/// The store the pipeline writes to and the server reads from.
pub trait Store {
    /// Store one report and its extraction and merge its events, atomically.
    fn put(&mut self, text: &str, x: &Extraction) -> Result<PutOutcome>;
    /// Store many reports in one transaction (faster; still all or nothing).
    fn put_batch(&mut self, items: &[NewReport]) -> Result<Vec<PutOutcome>>;
    /// The stored report with this URL or this text hash, if any.
    fn find(&self, url: Option<&str>, hash: &ContentHash) -> Result<Option<StoredReportId>>;
    /// Incidents matching a query.
    fn incidents(&self, q: &Query) -> Result<Vec<Incident>>;
    /// How many incidents match a query (ignoring its limit and offset), for paging.
    fn count_incidents(&self, q: &Query) -> Result<u64>;
    /// Counts and casualty sums of the incidents matching a query, by day, family and country.
    fn stats(&self, q: &Query) -> Result<Stats>;
    /// One incident with its sources.
    fn incident(&self, id: IncidentId) -> Result<Option<IncidentDetail>>;
    /// One report with its text.
    fn report(&self, id: StoredReportId) -> Result<Option<StoredReport>>;
    /// One report's metadata and extraction, without its text.
    fn report_info(&self, id: StoredReportId) -> Result<Option<ReportInfo>>;
    /// At most `limit` bytes of a report's text from byte `offset` (a character boundary),
    /// shortened to end on one; never reads more of the text than that into the response.
    fn report_text(&self, id: StoredReportId, offset: u64, limit: u32)
        -> Result<Option<TextChunk>>;
    /// What the store holds.
    fn counts(&self) -> Result<Counts>;
    /// Every stored report's text and metadata, for re-extraction.
    fn all_reports(&self) -> Result<Vec<StoredReport>>;
    /// Replace every event and incident with those derived from new extractions, in one transaction.
    fn rebuild(&mut self, extractions: &[(StoredReportId, Extraction)]) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, written plainly: stored hashes were made with it, so the fast version
    /// must give the same digests.
    fn reference(text: &str) -> String {
        use sha2::{Digest, Sha256};
        let words: String = text.split_whitespace().map(|w| format!("{w} ")).collect();
        Sha256::digest(words.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn content_hash_is_sha256_of_the_words() {
        // Computed apart (Python splits these spaces as Rust does): ASCII and Unicode spaces,
        // NBSP, the ideographic space.
        assert_eq!(
            ContentHash::of("Shelling  hit\tKharkiv.\u{a0}Four\u{3000}killed").as_str(),
            "6d18566e2d09e56307993c46eb735f7fc02ad09aa8b6d3b2e2d34ccfd47fd3c7"
        );
        for t in [
            "",
            " ",
            "one",
            "a\u{b}b\u{c}c\rd\ne\u{1c}f\u{85}g\u{2028}h",
            "  Київ’s ΟΔΟΣ\u{a0}\u{a0}x ",
        ] {
            assert_eq!(ContentHash::of(t).as_str(), reference(t), "{t:?}");
        }
    }
}
