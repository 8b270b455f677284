//! `sitrep serve` and `sitrep demo`: the HTTP API and the map page.

use crate::input::{self, Meta};
use anyhow::{Context, Result};
use sitrep_server::{Config, Limits, Submission, Writer};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Our own example reports, embedded so `sitrep demo` works from any directory.
const EXAMPLES: &str = include_str!("../../../examples/all.jsonl");

/// Where `../shared/examples` is when the binary runs from this checkout.
const SHARED_EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/examples");

/// How to serve.
pub struct Options {
    pub db: PathBuf,
    pub addr: SocketAddr,
    pub allow_write: bool,
    /// The write token from the command line (visible in `ps`: warned about); then
    /// `token_file`, then `SITREP_TOKEN`; generated and printed when writing is allowed and
    /// none is given.
    pub token: Option<String>,
    /// A file holding the write token (one line).
    pub token_file: Option<PathBuf>,
    /// Connection cap and timeouts.
    pub limits: Limits,
}

/// The environment variable a write token can come from (invisible to `ps`, unlike `--token`).
pub const TOKEN_ENV: &str = "SITREP_TOKEN";

/// The write token given, if any: `--token-file`, `--token` or `SITREP_TOKEN`, checked.
fn given_token(flag: Option<String>, file: Option<&Path>) -> Result<Option<String>> {
    if let Some(path) = file {
        let t = std::fs::read_to_string(path)
            .with_context(|| format!("reading the write token from {}", path.display()))?;
        return check_token(t.trim_end_matches(['\n', '\r'])).map(Some);
    }
    if let Some(t) = flag {
        eprintln!(
            "warning: --token shows the write token to every user of this machine (ps); \
             set {TOKEN_ENV} or use --token-file instead"
        );
        return check_token(&t).map(Some);
    }
    match std::env::var(TOKEN_ENV) {
        Ok(t) => check_token(&t).map(Some),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{TOKEN_ENV} is not valid UTF-8"),
    }
}

/// A token clients can send as `Authorization: Bearer <token>`: one word of at least 16
/// printable ASCII characters.
fn check_token(t: &str) -> Result<String> {
    anyhow::ensure!(
        !t.chars().any(char::is_whitespace),
        "the write token contains whitespace: no client could send it in a Bearer header"
    );
    anyhow::ensure!(
        t.bytes().all(|b| b.is_ascii_graphic()),
        "the write token must be printable ASCII: it travels in an HTTP header"
    );
    anyhow::ensure!(
        t.len() >= 16,
        "the write token must be at least 16 characters ({} given)",
        t.len()
    );
    Ok(t.to_string())
}

/// The pipeline the server runs on a submitted report: the same as `sitrep extract`.
fn pipeline(s: Submission) -> Result<(String, sitrep_model::Extraction), String> {
    let meta = Meta {
        id: s.id,
        published: s.published,
        source: s.source,
        url: s.url,
        title: s.title,
    };
    let prepared = input::prepare(s.text.as_bytes(), meta, s.html).map_err(|e| format!("{e:#}"))?;
    let text = prepared.text.clone();
    Ok((text, sitrep_extract::extract(prepared)))
}

/// 128 random bits from the operating system (`getrandom`), as hex.
fn random_token() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| {
        anyhow::anyhow!(
            "no randomness from the operating system for a write token ({e}); pass --token instead"
        )
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The async runtime the server runs on (one worker per core).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Serve the store until Ctrl-C or SIGTERM. Prints the URL on stdout once listening.
pub fn serve(o: Options) -> Result<()> {
    if !o.db.exists() {
        return Err(crate::store_cmd::missing_store(&o.db));
    }
    let writer = if o.allow_write {
        let token = match given_token(o.token, o.token_file.as_deref())? {
            Some(t) => t,
            None => {
                let t = random_token()?;
                eprintln!(
                    "writing allowed: send 'Authorization: Bearer {t}' with POST /api/reports"
                );
                t
            }
        };
        Some(Writer {
            token,
            pipeline: Box::new(pipeline),
            extractor: crate::store_cmd::EXTRACTOR.to_string(),
        })
    } else {
        None
    };
    let app = sitrep_server::router(Config {
        db: o.db.clone(),
        writer,
        readers: 8,
        actor_names: Some(crate::actors::actor_names),
    })?;
    let limits = o.limits;
    let rt = runtime()?;
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(o.addr)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (in use? try --addr 127.0.0.1:0)",
                    o.addr
                )
            })?;
        let local = listener.local_addr()?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "serving {} at http://{local}/ (Ctrl-C to stop)",
            o.db.display()
        )?;
        out.flush()?;
        drop(out);
        sitrep_server::serve_with(listener, app, limits, shutdown_signal())
            .await
            .context("serving")
    });
    // Requests still running on blocking threads after the grace period are not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("stopping: finishing requests in flight");
}

/// Build a fresh store from the example reports (ours, `../shared/examples` when present, and
/// `extra`), then serve it. Without `--db` the store lives in a private temporary folder that is
/// removed on exit; a `--db` the user names must not exist yet, and is kept.
pub fn demo(db: Option<PathBuf>, addr: SocketAddr, extra: &[String]) -> Result<()> {
    // A new folder of our own: created fresh under a random name (never a path another user
    // could have prepared), readable only by us on Unix, removed when the demo ends.
    let mut builder = tempfile::Builder::new();
    builder.prefix("sitrep-demo-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = builder
        .tempdir()
        .context("creating the demo's private folder")?;
    let db = match db {
        Some(db) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = db.clone().into_os_string();
                p.push(suffix);
                if Path::new(&p).exists() {
                    anyhow::bail!(
                        "{} exists: the demo builds a fresh store; remove it or choose another --db",
                        Path::new(&p).display()
                    );
                }
            }
            db
        }
        None => dir.path().join("demo.db"),
    };
    let examples = dir.path().join("examples.jsonl");
    std::fs::write(&examples, EXAMPLES)
        .with_context(|| format!("writing {}", examples.display()))?;
    let mut inputs = vec![examples.display().to_string()];
    for shared in [Path::new(SHARED_EXAMPLES), Path::new("../shared/examples")] {
        if shared.is_dir() {
            inputs.push(shared.display().to_string());
            break;
        }
    }
    if inputs.len() == 1 {
        eprintln!("../shared/examples not found: the demo has the built-in example reports only");
    }
    inputs.extend(extra.iter().cloned());
    let s = crate::store_cmd::ingest(&db, &inputs, false, 64)?;
    eprintln!(
        "demo store {}: {} reports, {} events, {} incidents",
        db.display(),
        s.stored + s.near_duplicates,
        s.events,
        s.new_incidents
    );
    serve(Options {
        db,
        addr,
        allow_write: false,
        token: None,
        token_file: None,
        limits: Limits::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_with_whitespace_is_refused() {
        let e = check_token("secret token 0123456789")
            .unwrap_err()
            .to_string();
        assert!(e.contains("whitespace"), "{e}");
        assert!(check_token("secret-token-0123456789\t").is_err());
    }

    #[test]
    fn a_token_shorter_than_sixteen_characters_is_refused() {
        let e = check_token("short").unwrap_err().to_string();
        assert!(e.contains("at least 16"), "{e}");
        assert!(check_token("exactly-16-chars").is_ok());
    }

    #[test]
    fn a_token_file_may_end_with_a_newline() {
        let path = std::env::temp_dir().join(format!("sitrep-token-{}", std::process::id()));
        std::fs::write(&path, "from-a-file-0123456789\r\n").unwrap();
        let t = given_token(None, Some(&path)).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(t.as_deref(), Some("from-a-file-0123456789"));
    }
}
