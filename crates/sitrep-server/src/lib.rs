//! The sitrep HTTP JSON API and the map page.
//!
//! [`router`] builds the axum application over a store file; [`serve`] runs it until a shutdown
//! signal. Reads go through a small pool of SQLite connections on blocking threads (WAL lets them
//! run beside an ingest); the number of reads in flight is bounded so a burst of connections
//! queues instead of opening unbounded database handles. Writes (`POST /api/reports`) exist only
//! when the server was given a [`Writer`]: a bearer token and the pipeline to run.
//!
//! Architecture invariant: reads through the `Store` trait and knows nothing of extraction; the
//! binary injects the pipeline as a function. Article text is data: the page renders it with
//! `textContent`, never as HTML.

mod api;
mod assets;
mod conn;
mod excerpt;
mod labels;

pub use api::{Submission, MAX_TEXT_CHUNK};
pub use conn::{serve_with, Limits};

use axum::Router;
use sitrep_model::Extraction;
use sitrep_store::{SqliteStore, StoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Largest request body accepted (a report of the largest size the pipeline reads, in JSON).
pub const MAX_BODY: usize = 9 << 20;

/// The pipeline that turns a submitted report into text and its extraction, or says why not.
pub type Pipeline = dyn Fn(Submission) -> Result<(String, Extraction), String> + Send + Sync;

/// What the server needs to accept reports.
pub struct Writer {
    /// Clients send `Authorization: Bearer <token>`.
    pub token: String,
    pub pipeline: Box<Pipeline>,
    /// The extractor's name and version, recorded with every report stored.
    pub extractor: String,
}

/// How to serve.
pub struct Config {
    /// The store file; it must exist (run `sitrep ingest` first).
    pub db: PathBuf,
    /// `None`: `POST /api/reports` answers 403.
    pub writer: Option<Writer>,
    /// Reads in flight at once (each holds one pooled connection).
    pub readers: usize,
    /// The names an `actor` filter stands for (its aliases resolved by the binary's actor
    /// dictionary: "RSF" is "Rapid Support Forces"); `None` matches the typed text only.
    pub actor_names: Option<ActorNames>,
}

/// Resolves an actor filter to the names it stands for.
pub type ActorNames = fn(&str) -> Vec<String>;

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("no store at {0}: create one with `sitrep ingest --db {0} PATH...`")]
    NoStore(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) struct State {
    db: PathBuf,
    pool: Mutex<Vec<SqliteStore>>,
    readers: usize,
    permits: Arc<Semaphore>,
    writer: Option<(Writer, Mutex<SqliteStore>)>,
    actor_names: Option<ActorNames>,
}

/// The application: the API under `/api/`, the page at `/`, its assets under `/assets/`.
pub fn router(config: Config) -> Result<Router, ServerError> {
    if !config.db.is_file() {
        return Err(ServerError::NoStore(config.db.display().to_string()));
    }
    // The writer's open migrates an older store before any reader sees it; readers open the
    // file read-only, so a read-only server works where the file or its folder is read-only.
    let writer = match config.writer {
        Some(w) => {
            let store = SqliteStore::open(&config.db)?.with_extractor(&w.extractor);
            Some((w, Mutex::new(store)))
        }
        None => None,
    };
    let first = SqliteStore::open_read_only(&config.db)?;
    let readers = config.readers.max(1);
    let state = Arc::new(State {
        db: config.db,
        pool: Mutex::new(vec![first]),
        readers,
        permits: Arc::new(Semaphore::new(readers)),
        writer,
        actor_names: config.actor_names,
    });
    Ok(api::routes(state.clone())
        .merge(assets::routes())
        .layer(axum::middleware::map_response(assets::secured)))
}

/// Serve `app` on `listener` with the default [`Limits`] until `shutdown` completes, then
/// finish the requests in flight (for at most the default grace period).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, Limits::default(), shutdown).await
}
