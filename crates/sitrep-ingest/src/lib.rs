//! Where reports come from: files, folders, JSON Lines, RSS/Atom feeds, http(s) URLs.
//!
//! [`Sources`] turns command-line inputs into a stream of [`Item`]s, each a report's raw body with
//! what is known about it. Bodies stay bytes: decoding, HTML stripping and extraction are later
//! stages' business. Every limit is explicit ([`Limits`]); hostile input (entity bombs, huge items,
//! wrong encodings, malformed XML) yields an error item or a flagged partial result, never a panic
//! or unbounded memory.
//!
//! Architecture invariant: knows nothing of extraction or storage.

mod feed;
mod fetch;
mod lines;
#[cfg(test)]
mod test_server;

pub use feed::{parse_feed, FeedItem};
pub use fetch::{is_public, Fetcher, PrivateAddresses};
pub use lines::{read_line_capped, LineRead, MAX_RECORD_BYTES};

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A report's body as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Text(Vec<u8>),
    Html(Vec<u8>),
}

/// What is known about a report before reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Meta {
    pub id: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

/// One report found in the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Where it came from: a path, "path:line", a URL, "feed#item".
    pub origin: String,
    pub meta: Meta,
    pub body: Body,
    /// Something the reader should know (a feed in a wrong encoding, a truncated item).
    pub warnings: Vec<String>,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{origin}: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
    #[error("{origin}: {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        origin: String,
        size: u64,
        limit: u64,
    },
    #[error("{origin}:{line}: not a report record: {detail}")]
    BadRecord {
        origin: String,
        line: usize,
        detail: String,
    },
    #[error("{origin}: not a readable feed: {detail}")]
    BadFeed { origin: String, detail: String },
    #[error("{origin}: fetch failed: {detail}")]
    Fetch { origin: String, detail: String },
    #[error("{origin}: URLs are not fetched in this mode")]
    NoNetwork { origin: String },
    #[error("{origin}: not a regular file (a FIFO, socket or device); not read")]
    NotAFile { origin: String },
}

/// Bounds on what one input may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file or download read, in bytes.
    pub max_bytes: u64,
    /// Most items read from one feed.
    pub max_feed_items: usize,
    /// Feed items with less text than this are followed to their page.
    pub follow_below_chars: usize,
    /// How long one feed's item pages may take in all; pages not fetched by then are left,
    /// and their items keep the feed's text, with a warning.
    pub feed_deadline: Duration,
    /// Item pages of one feed fetched at once.
    pub fetch_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_feed_items: 10_000,
            follow_below_chars: 400,
            feed_deadline: Duration::from_secs(120),
            fetch_concurrency: 6,
        }
    }
}

/// File extensions read from folders.
const EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "html", "htm", "xhtml", "jsonl", "xml", "rss", "atom",
];

/// Expands inputs into items, lazily, in a stable order.
///
/// A JSON Lines record may give its text as a file instead of inline (`"text_file"`, the gold
/// format's name, or `"file"`, as in `examples/reports/index.jsonl`), relative to the JSONL file
/// and inside its folder: a JSONL cannot make ingest read files elsewhere. The file is read with
/// the record's metadata, and a folder walk that meets it afterwards skips it, so it is not read
/// a second time without its date and title. A folder's JSONL files are therefore read before
/// its other files.
///
/// A walk reads regular files only: FIFOs, sockets and devices are skipped, and never opened.
/// Symbolic links met in a walk are skipped with a warning unless [`Sources::follow_symlinks`]
/// allows them; then a folder met a second time (a link loop) is skipped. Paths given as inputs
/// are followed when they are links, since the user named them.
pub struct Sources {
    pending: Vec<PathOrUrl>,
    queue: std::collections::VecDeque<Queued>,
    /// Files that records have pointed at and that were read (canonical paths).
    claimed: std::collections::HashSet<PathBuf>,
    /// Folders walked so far, so that links cannot walk one twice.
    walked: std::collections::HashSet<DirKey>,
    follow_symlinks: bool,
    fetcher: Option<Fetcher>,
    limits: Limits,
}

/// What identifies a folder however it is reached.
#[cfg(unix)]
type DirKey = (u64, u64);
#[cfg(not(unix))]
type DirKey = PathBuf;

#[cfg(unix)]
fn dir_key(_path: &Path, meta: &std::fs::Metadata) -> Option<DirKey> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_key(path: &Path, _meta: &std::fs::Metadata) -> Option<DirKey> {
    path.canonicalize().ok()
}

/// An item ready, or a file a record pointed at, read when its turn comes.
enum Queued {
    Ready(Result<Item, IngestError>),
    File {
        path: PathBuf,
        meta: Meta,
        /// The JSONL file and line of the record.
        jsonl: String,
        line: usize,
    },
}

enum PathOrUrl {
    /// A path, and whether the user named it (else a walk met it).
    Path(PathBuf, bool),
    Url(String),
}

/// An item's page, fetched or not.
enum Page {
    NotFollowed,
    Fetched(Vec<u8>),
    Failed(String),
    Late,
}

impl Sources {
    /// Inputs are paths (files or folders, recursively) or http(s) URLs. URLs and feed links are
    /// fetched only with a `fetcher`.
    pub fn new(inputs: &[String], fetcher: Option<Fetcher>, limits: Limits) -> Sources {
        let mut pending: Vec<PathOrUrl> = inputs
            .iter()
            .map(|s| {
                if s.starts_with("http://") || s.starts_with("https://") {
                    PathOrUrl::Url(s.clone())
                } else {
                    PathOrUrl::Path(PathBuf::from(s), true)
                }
            })
            .collect();
        pending.reverse();
        Sources {
            pending,
            queue: Default::default(),
            claimed: Default::default(),
            walked: Default::default(),
            follow_symlinks: false,
            fetcher,
            limits,
        }
    }

    /// Follow symbolic links met in folders (off by default: a link may lead out of the
    /// folder). Folders reached twice are walked once, so link loops end.
    pub fn follow_symlinks(mut self, follow: bool) -> Sources {
        self.follow_symlinks = follow;
        self
    }

    fn ready(&mut self, item: Result<Item, IngestError>) {
        self.queue.push_back(Queued::Ready(item));
    }

    fn expand(&mut self, next: PathOrUrl) {
        match next {
            PathOrUrl::Url(u) => match &self.fetcher {
                None => self.ready(Err(IngestError::NoNetwork { origin: u })),
                Some(f) => match f.get(&u, self.limits.max_bytes) {
                    Err(e) => self.ready(Err(e)),
                    Ok((bytes, ctype)) => {
                        let kind = sniff(&bytes, ctype.as_deref(), None);
                        self.read_bytes(&u, bytes, kind, Some(&u));
                    }
                },
            },
            PathOrUrl::Path(p, named) => self.expand_path(p, named),
        }
    }

    /// A path: a folder is walked, a regular file read, anything else skipped.
    fn expand_path(&mut self, p: PathBuf, named: bool) {
        let origin = p.display().to_string();
        let follow = named || self.follow_symlinks;
        let stat = if follow {
            std::fs::metadata(&p)
        } else {
            std::fs::symlink_metadata(&p)
        };
        let meta = match stat {
            Ok(m) => m,
            Err(source) => return self.ready(Err(IngestError::Io { origin, source })),
        };
        if meta.file_type().is_symlink() {
            tracing::warn!(
                "{origin}: a symbolic link, not followed (--follow-symlinks follows links)"
            );
            return;
        }
        if meta.is_dir() {
            return self.walk(&p, &meta);
        }
        if !meta.is_file() {
            if named {
                self.ready(Err(IngestError::NotAFile { origin }));
            } else {
                tracing::warn!("{origin}: not a regular file (a FIFO, socket or device); skipped");
            }
            return;
        }
        if !named && !has_report_extension(&p) {
            return; // a link whose name says it is no report
        }
        if !self.claimed.is_empty() && p.canonicalize().is_ok_and(|c| self.claimed.contains(&c)) {
            return; // read already, with its record's metadata
        }
        match read_capped(&p, self.limits.max_bytes) {
            Err(e) => self.ready(Err(e)),
            Ok(bytes) => {
                let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase());
                let kind = sniff(&bytes, None, ext.as_deref());
                self.read_bytes(&origin, bytes, kind, None);
            }
        }
    }

    /// Queue a folder's entries: JSONL files first, since their records may point at the
    /// folder's other files, then the rest by name. Hidden entries and files of other
    /// extensions are left out; links are kept for [`Sources::expand_path`] to judge.
    fn walk(&mut self, dir: &Path, meta: &std::fs::Metadata) {
        if let Some(key) = dir_key(dir, meta) {
            if !self.walked.insert(key) {
                tracing::warn!(
                    "{}: a folder already walked (a link loop?); skipped",
                    dir.display()
                );
                return;
            }
        }
        let rd = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(source) => {
                return self.ready(Err(IngestError::Io {
                    origin: dir.display().to_string(),
                    source,
                }))
            }
        };
        let mut entries: Vec<(bool, PathBuf)> = rd
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(|e| {
                let t = e.file_type().ok()?;
                let path = e.path();
                let keep = t.is_dir() || t.is_symlink() || has_report_extension(&path);
                let jsonl = t.is_file() && is_jsonl(&path);
                keep.then_some((!jsonl, path))
            })
            .collect();
        entries.sort();
        for (_, e) in entries.into_iter().rev() {
            self.pending.push(PathOrUrl::Path(e, false));
        }
    }

    fn read_bytes(&mut self, origin: &str, bytes: Vec<u8>, kind: Kind, url: Option<&str>) {
        let stem = Path::new(origin)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        let meta = Meta {
            id: if url.is_some() { None } else { stem },
            url: url.map(str::to_string),
            ..Meta::default()
        };
        match kind {
            Kind::Text => self.ready(Ok(Item {
                origin: origin.into(),
                meta,
                body: Body::Text(bytes),
                warnings: vec![],
            })),
            Kind::Html => self.ready(Ok(Item {
                origin: origin.into(),
                meta,
                body: Body::Html(bytes),
                warnings: vec![],
            })),
            Kind::Jsonl => self.read_jsonl(origin, &bytes, url),
            Kind::Feed => self.read_feed(origin, &bytes),
        }
    }

    fn read_jsonl(&mut self, origin: &str, bytes: &[u8], url: Option<&str>) {
        #[derive(Deserialize)]
        struct Rec {
            #[serde(flatten)]
            meta: Meta,
            text: Option<String>,
            html: Option<String>,
            /// A file holding the text, relative to the JSONL file (the gold files' name).
            text_file: Option<String>,
            /// The same (`examples/reports/index.jsonl`'s name).
            file: Option<String>,
        }
        let mut reader = bytes;
        let mut buf = Vec::new();
        let mut n = 0;
        // Reading from memory cannot fail.
        while let Ok(Some(read)) = read_line_capped(&mut reader, MAX_RECORD_BYTES, &mut buf) {
            n += 1;
            let bad = |detail: String| IngestError::BadRecord {
                origin: origin.into(),
                line: n,
                detail,
            };
            if let LineRead::TooLong(len) = read {
                self.ready(Err(bad(format!(
                    "{len} bytes, over the limit of {MAX_RECORD_BYTES} bytes for one record; skipped"
                ))));
                continue;
            }
            let line = String::from_utf8_lossy(&buf);
            if line.trim().is_empty() {
                continue;
            }
            let rec = match serde_json::from_str::<Rec>(&line) {
                Ok(r) => r,
                Err(e) => {
                    self.ready(Err(bad(e.to_string())));
                    continue;
                }
            };
            let body = match (rec.text, rec.html, rec.text_file.or(rec.file)) {
                (Some(t), _, _) => Body::Text(t.into_bytes()),
                (None, Some(h), _) => Body::Html(h.into_bytes()),
                (None, None, Some(f)) => {
                    match referenced(origin, url, &f) {
                        Ok(path) => {
                            self.queue.push_back(Queued::File {
                                path,
                                meta: rec.meta,
                                jsonl: origin.into(),
                                line: n,
                            });
                        }
                        Err(detail) => self.ready(Err(bad(detail))),
                    }
                    continue;
                }
                (None, None, None) => {
                    self.ready(Err(bad(
                        "neither \"text\", \"html\" nor \"text_file\"".into()
                    )));
                    continue;
                }
            };
            self.ready(Ok(Item {
                origin: format!("{origin}:{n}"),
                meta: rec.meta,
                body,
                warnings: vec![],
            }));
        }
    }

    /// Read a file a record pointed at, as a report with the record's metadata. A record
    /// without an id takes the file's name, as the file alone would.
    fn read_referenced(
        &self,
        path: &Path,
        mut meta: Meta,
        jsonl: String,
        line: usize,
    ) -> Result<Item, IngestError> {
        if meta.id.is_none() {
            meta.id = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
        let bytes = read_capped(path, self.limits.max_bytes)?;
        let ext = path.extension().map(|x| x.to_string_lossy().to_lowercase());
        let body = match sniff(&bytes, None, ext.as_deref()) {
            Kind::Html => Body::Html(bytes),
            Kind::Text => Body::Text(bytes),
            Kind::Jsonl | Kind::Feed => {
                return Err(IngestError::BadRecord {
                    origin: jsonl,
                    line,
                    detail: format!("{} is not a report's text or page", path.display()),
                })
            }
        };
        Ok(Item {
            origin: format!("{jsonl}:{line} ({})", path.display()),
            meta,
            body,
            warnings: vec![],
        })
    }

    fn read_feed(&mut self, origin: &str, bytes: &[u8]) {
        let (items, warnings) = match parse_feed(bytes, self.limits.max_feed_items) {
            Ok(x) => x,
            Err(detail) => {
                self.ready(Err(IngestError::BadFeed {
                    origin: origin.into(),
                    detail,
                }));
                return;
            }
        };
        let links: Vec<Option<String>> = items.iter().map(|it| self.to_follow(it)).collect();
        let pages = match &self.fetcher {
            Some(f) => fetch_pages(f, &links, &self.limits),
            None => links.iter().map(|_| Page::NotFollowed).collect(),
        };
        let deadline = self.limits.feed_deadline.as_secs_f64();
        for (k, (it, page)) in items.into_iter().zip(pages).enumerate() {
            let meta = Meta {
                id: it.id.clone(),
                published: it.published.clone(),
                source: None,
                url: it.link.clone(),
                title: it.title.clone(),
            };
            let mut warnings = warnings.clone();
            let body = match page {
                Page::Fetched(page) => page,
                Page::NotFollowed => it.body.into_bytes(),
                Page::Failed(e) => {
                    warnings.push(format!(
                        "item page not fetched ({e}); using the feed's summary"
                    ));
                    it.body.into_bytes()
                }
                Page::Late => {
                    warnings.push(format!(
                        "item page not fetched within the feed's deadline of {deadline:.0} s; using the feed's summary"
                    ));
                    it.body.into_bytes()
                }
            };
            self.ready(Ok(Item {
                origin: format!("{origin}#{}", k + 1),
                meta,
                body: Body::Html(body),
                warnings,
            }));
        }
    }

    /// The page to fetch for a feed item with too little text of its own.
    fn to_follow(&self, it: &FeedItem) -> Option<String> {
        self.fetcher.as_ref()?;
        let link = it
            .link
            .as_ref()
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"))?;
        let text = sitrep_text::html::main_text(&it.body).text;
        (text.chars().count() < self.limits.follow_below_chars).then(|| link.clone())
    }
}

/// Fetch the pages `links` name, `limits.fetch_concurrency` at once, until the feed's deadline.
/// Workers are detached threads: one still waiting at the deadline gives up by itself (its
/// request's timeout ends at the deadline) and its answer is dropped.
fn fetch_pages(fetcher: &Fetcher, links: &[Option<String>], limits: &Limits) -> Vec<Page> {
    use std::sync::{mpsc, Arc, Mutex};
    let mut pages: Vec<Page> = links
        .iter()
        .map(|l| {
            if l.is_some() {
                Page::Late
            } else {
                Page::NotFollowed
            }
        })
        .collect();
    let jobs: std::collections::VecDeque<(usize, String)> = links
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.clone().map(|l| (i, l)))
        .collect();
    let total = jobs.len();
    if total == 0 {
        return pages;
    }
    let deadline = Instant::now() + limits.feed_deadline;
    let jobs = Arc::new(Mutex::new(jobs));
    let (send, receive) = mpsc::channel();
    for _ in 0..limits.fetch_concurrency.clamp(1, total) {
        let (jobs, send, fetcher) = (jobs.clone(), send.clone(), fetcher.clone());
        let max_bytes = limits.max_bytes;
        let worker = move || {
            while Instant::now() < deadline {
                let Some((i, url)) = jobs.lock().ok().and_then(|mut q| q.pop_front()) else {
                    break;
                };
                let page = fetcher.get_before(&url, max_bytes, Some(deadline));
                if send.send((i, page)).is_err() {
                    break;
                }
            }
        };
        // A worker that cannot be started leaves its share to the others, or to the deadline.
        let _ = std::thread::Builder::new()
            .name("sitrep-fetch".into())
            .spawn(worker);
    }
    drop(send);
    for _ in 0..total {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((i, page)) = receive.recv_timeout(left) else {
            break; // the deadline, or no worker left
        };
        pages[i] = match page {
            Ok((body, _)) => Page::Fetched(body),
            Err(_) if Instant::now() >= deadline => Page::Late,
            Err(e) => Page::Failed(e.to_string()),
        };
    }
    pages
}

impl Iterator for Sources {
    type Item = Result<Item, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.queue.pop_front() {
                Some(Queued::Ready(x)) => return Some(x),
                Some(Queued::File {
                    path,
                    meta,
                    jsonl,
                    line,
                }) => {
                    let item = self.read_referenced(&path, meta, jsonl, line);
                    // Claimed once read: a file the record could not use is still the walk's.
                    if item.is_ok() {
                        self.claimed.insert(path);
                    }
                    return Some(item);
                }
                None => {}
            }
            let next = self.pending.pop()?;
            self.expand(next);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Html,
    Jsonl,
    Feed,
}

fn is_jsonl(p: &Path) -> bool {
    p.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("jsonl"))
}

/// Whether a file's extension is one a walk reads.
fn has_report_extension(p: &Path) -> bool {
    p.extension()
        .is_some_and(|x| EXTENSIONS.contains(&x.to_string_lossy().to_lowercase().as_str()))
}

/// The file a record of the JSONL at `origin` points at: relative to the JSONL's folder and
/// inside it. A JSONL fetched from a URL may not point at local files.
fn referenced(origin: &str, url: Option<&str>, file: &str) -> Result<PathBuf, String> {
    if url.is_some() {
        return Err(format!(
            "\"{file}\": a record fetched from a URL cannot point at a local file"
        ));
    }
    // "index.jsonl" has the empty path as its parent: the working folder.
    let folder = match Path::new(origin).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let inside = folder
        .canonicalize()
        .map_err(|e| format!("the folder of {origin}: {e}"))?;
    let path = folder
        .join(file)
        .canonicalize()
        .map_err(|e| format!("text file \"{file}\": {e}"))?;
    if !path.starts_with(&inside) {
        return Err(format!(
            "text file \"{file}\" is outside the folder of {origin}"
        ));
    }
    if !path.is_file() {
        return Err(format!("text file \"{file}\" is not a file"));
    }
    Ok(path)
}

/// Decide what bytes are from the extension, the content type and the first bytes.
fn sniff(bytes: &[u8], content_type: Option<&str>, ext: Option<&str>) -> Kind {
    let head = match bytes.get(..2) {
        // A UTF-16 file (marked) is sniffed in its characters, not its bytes.
        Some([0xFF, 0xFE] | [0xFE, 0xFF]) => {
            sitrep_text::text_of(&bytes[..bytes.len().min(2048)]).text
        }
        _ => String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).into_owned(),
    }
    .to_ascii_lowercase();
    let feedish = head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf");
    match ext {
        Some("jsonl") => return Kind::Jsonl,
        Some("rss" | "atom") => return Kind::Feed,
        Some("xml") if feedish => return Kind::Feed,
        Some("txt" | "text" | "md") => return Kind::Text,
        Some("html" | "htm" | "xhtml") => return Kind::Html,
        _ => {}
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("rss") || ct.contains("atom") || feedish {
        return Kind::Feed;
    }
    if ct.contains("html")
        || head.contains("<html")
        || head.contains("<!doctype html")
        || head.contains("<body")
    {
        return Kind::Html;
    }
    Kind::Text
}

/// Read a regular file of at most `max` bytes. Callers check that a path is a regular file
/// before opening it (opening a FIFO would wait for a writer); the check here, on the opened
/// file, refuses a device put in its place in between.
fn read_capped(p: &Path, max: u64) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let origin = p.display().to_string();
    let f = std::fs::File::open(p).map_err(|source| IngestError::Io {
        origin: origin.clone(),
        source,
    })?;
    let meta = f.metadata().map_err(|source| IngestError::Io {
        origin: origin.clone(),
        source,
    })?;
    if !meta.is_file() {
        return Err(IngestError::NotAFile { origin });
    }
    let size = meta.len();
    if size > max {
        return Err(IngestError::TooLarge {
            origin,
            size,
            limit: max,
        });
    }
    let mut buf = Vec::with_capacity(size as usize);
    f.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|source| IngestError::Io {
            origin: origin.clone(),
            source,
        })?;
    if buf.len() as u64 > max {
        return Err(IngestError::TooLarge {
            origin,
            size: buf.len() as u64,
            limit: max,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_order_and_files_read_by_kind() {
        let dir = std::env::temp_dir().join(format!("sitrep-ingest-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "Shelling hit Sumy.").unwrap();
        std::fs::write(dir.join("a.html"), "<p>Clashes in Goma.</p>").unwrap();
        std::fs::write(
            dir.join("sub/c.jsonl"),
            "{\"id\":\"x\",\"text\":\"one\"}\n{bad\n",
        )
        .unwrap();
        std::fs::write(dir.join("ignored.bin"), [0u8, 1, 2]).unwrap();
        let items: Vec<_> =
            Sources::new(&[dir.display().to_string()], None, Limits::default()).collect();
        assert_eq!(items.len(), 4);
        assert!(matches!(
            &items[0],
            Ok(Item {
                body: Body::Html(_),
                ..
            })
        ));
        assert!(matches!(
            &items[1],
            Ok(Item {
                body: Body::Text(_),
                ..
            })
        ));
        assert_eq!(items[2].as_ref().unwrap().meta.id.as_deref(), Some("x"));
        assert!(matches!(
            &items[3],
            Err(IngestError::BadRecord { line: 2, .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_may_point_at_text_files_beside_them_which_a_walk_then_skips() {
        let root = std::env::temp_dir().join(format!("sitrep-sidecar-{}", std::process::id()));
        let dir = root.join("reports");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(root.join("outside.txt"), "Not for this folder.").unwrap();
        std::fs::write(dir.join("a.txt"), "Shelling hit Sumy.").unwrap();
        std::fs::write(dir.join("sub/b.html"), "<p>Clashes in Goma.</p>").unwrap();
        std::fs::write(dir.join("z.txt"), "Talks resumed in Doha.").unwrap();
        std::fs::write(
            dir.join("index.jsonl"),
            [
                r#"{"id":"a","file":"a.txt","published":"2024-05-01","title":"Sumy"}"#,
                r#"{"id":"b","text_file":"sub/b.html","source":"Wire"}"#,
                r#"{"id":"c","file":"../outside.txt"}"#,
                r#"{"id":"d","file":"missing.txt"}"#,
            ]
            .join("\n"),
        )
        .unwrap();
        let items: Vec<_> =
            Sources::new(&[dir.display().to_string()], None, Limits::default()).collect();
        assert_eq!(items.len(), 5, "{items:#?}");
        let a = items[0].as_ref().unwrap();
        assert_eq!(a.meta.id.as_deref(), Some("a"));
        assert_eq!(a.meta.published.as_deref(), Some("2024-05-01"));
        assert_eq!(a.body, Body::Text(b"Shelling hit Sumy.".to_vec()));
        let b = items[1].as_ref().unwrap();
        assert_eq!(b.meta.source.as_deref(), Some("Wire"));
        assert!(matches!(b.body, Body::Html(_)));
        match &items[2] {
            Err(IngestError::BadRecord {
                line: 3, detail, ..
            }) => {
                assert!(detail.contains("outside the folder"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            &items[3],
            Err(IngestError::BadRecord { line: 4, .. })
        ));
        // The walk reads the one file no record claimed, under its own name, and nothing twice.
        assert_eq!(items[4].as_ref().unwrap().meta.id.as_deref(), Some("z"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_file_a_record_cannot_use_is_still_read_by_the_walk() {
        let dir = std::env::temp_dir().join(format!("sitrep-claim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.jsonl"), r#"{"id":"x","file":"more.jsonl"}"#).unwrap();
        std::fs::write(
            dir.join("more.jsonl"),
            r#"{"id":"y","text":"Clashes in Goma."}"#,
        )
        .unwrap();
        let items: Vec<_> =
            Sources::new(&[dir.display().to_string()], None, Limits::default()).collect();
        assert!(matches!(
            &items[0],
            Err(IngestError::BadRecord { line: 1, .. })
        ));
        assert_eq!(items.len(), 2, "{items:#?}");
        assert_eq!(items[1].as_ref().unwrap().meta.id.as_deref(), Some("y"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_fetched_jsonl_may_not_point_at_local_files() {
        let mut s = Sources::new(&[], None, Limits::default());
        let url = "https://example.invalid/reports.jsonl";
        s.read_jsonl(url, br#"{"id":"x","file":"/etc/hostname"}"#, Some(url));
        match s.next() {
            Some(Err(IngestError::BadRecord { detail, .. })) => {
                assert!(detail.contains("cannot point at a local file"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        assert!(s.next().is_none());
    }

    #[test]
    fn urls_without_a_fetcher_are_refused_clearly() {
        let items: Vec<_> = Sources::new(
            &["https://example.invalid/feed".into()],
            None,
            Limits::default(),
        )
        .collect();
        assert!(matches!(&items[0], Err(IngestError::NoNetwork { .. })));
    }

    #[test]
    fn oversized_files_are_refused() {
        let p = std::env::temp_dir().join(format!("sitrep-big-{}.txt", std::process::id()));
        std::fs::write(&p, vec![b'a'; 2048]).unwrap();
        let items: Vec<_> = Sources::new(
            &[p.display().to_string()],
            None,
            Limits {
                max_bytes: 1024,
                ..Limits::default()
            },
        )
        .collect();
        assert!(matches!(&items[0], Err(IngestError::TooLarge { .. })));
        std::fs::remove_file(&p).unwrap();
    }

    /// A fresh, empty folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sitrep-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Run `f` on a thread and fail (rather than hang) when it takes longer than `secs`.
    fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(f()));
        receive
            .recv_timeout(Duration::from_secs(secs))
            .expect("finished in time")
    }

    fn ids(items: &[Result<Item, IngestError>]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Ok(i) => i.meta.id.clone().unwrap_or_default(),
                Err(e) => format!("error: {e}"),
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_folder_to_a_file_outside_it_is_not_read() {
        let root = scratch("symlink-out");
        let dir = root.join("reports");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(root.join("secret.txt"), "Not a report.").unwrap();
        std::fs::write(dir.join("a.txt"), "Shelling hit Sumy.").unwrap();
        std::os::unix::fs::symlink(root.join("secret.txt"), dir.join("b.txt")).unwrap();
        std::os::unix::fs::symlink(&root, dir.join("up")).unwrap();
        let items: Vec<_> =
            Sources::new(&[dir.display().to_string()], None, Limits::default()).collect();
        assert_eq!(ids(&items), ["a"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_when_asked_and_a_link_loop_ends() {
        let dir = scratch("symlink-loop");
        std::fs::write(dir.join("a.txt"), "Shelling hit Sumy.").unwrap();
        std::os::unix::fs::symlink(".", dir.join("l1")).unwrap();
        std::os::unix::fs::symlink(".", dir.join("l2")).unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/b.txt"), "Clashes in Goma.").unwrap();
        std::os::unix::fs::symlink("sub/b.txt", dir.join("c.txt")).unwrap();
        let input = dir.display().to_string();
        let followed = within(20, move || {
            Sources::new(&[input], None, Limits::default())
                .follow_symlinks(true)
                .collect::<Vec<_>>()
        });
        // The file behind c.txt is read under the link's name, and the folder only once.
        assert_eq!(ids(&followed), ["a", "c", "b"]);
        let input = dir.display().to_string();
        let items: Vec<_> = Sources::new(&[input], None, Limits::default()).collect();
        assert_eq!(ids(&items), ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_never_opened() {
        let dir = scratch("fifo");
        std::fs::write(dir.join("a.txt"), "Shelling hit Sumy.").unwrap();
        let fifo = dir.join("x.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable; skipped");
            return;
        }
        let inputs = vec![dir.display().to_string(), fifo.display().to_string()];
        let items = within(20, move || {
            Sources::new(&inputs, None, Limits::default()).collect::<Vec<_>>()
        });
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().meta.id.as_deref(), Some("a"));
        assert!(matches!(&items[1], Err(IngestError::NotAFile { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_overlong_jsonl_record_is_refused_and_the_next_one_read() {
        let mut jsonl = format!(
            "{{\"id\":\"big\",\"text\":\"{}\"}}\n",
            "a".repeat(MAX_RECORD_BYTES)
        );
        jsonl.push_str("{\"id\":\"small\",\"text\":\"Clashes in Goma.\"}\n");
        let mut s = Sources::new(&[], None, Limits::default());
        s.read_jsonl("big.jsonl", jsonl.as_bytes(), None);
        let items: Vec<_> = s.collect();
        match &items[0] {
            Err(IngestError::BadRecord {
                line: 1, detail, ..
            }) => assert!(detail.contains("over the limit"), "{detail}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(items[1].as_ref().unwrap().meta.id.as_deref(), Some("small"));
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn feed_pages_are_fetched_at_once_and_slow_ones_left_at_the_deadline() {
        use test_server::Server;
        let server = Server::start(|path| {
            let delay = if path.starts_with("/slow") { 10_000 } else { 0 };
            (
                200,
                vec![],
                format!("<p>page {path}</p>").into_bytes(),
                delay,
            )
        });
        let items: String = (0..24)
            .map(|i| {
                let kind = if i < 12 { "fast" } else { "slow" };
                format!(
                    "<item><title>{i}</title><link>{}</link><description>Brief.</description></item>",
                    server.url(&format!("/{kind}/{i}"))
                )
            })
            .collect();
        let dir = scratch("slow-feed");
        let feed = dir.join("feed.rss");
        std::fs::write(&feed, format!("<rss><channel>{items}</channel></rss>")).unwrap();
        let limits = Limits {
            feed_deadline: Duration::from_millis(1500),
            fetch_concurrency: 4,
            ..Limits::default()
        };
        let fetcher = Fetcher::new(Duration::from_secs(20), PrivateAddresses::Allowed);
        let input = feed.display().to_string();
        let started = Instant::now();
        let items = within(60, move || {
            Sources::new(&[input], Some(fetcher), limits).collect::<Vec<_>>()
        });
        let took = started.elapsed();
        let items: Vec<Item> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(items.len(), 24);
        let fetched = items.iter().filter(|i| i.warnings.is_empty()).count();
        let late = items
            .iter()
            .filter(|i| i.warnings.iter().any(|w| w.contains("deadline")))
            .count();
        assert_eq!((fetched, late), (12, 12), "{items:#?}");
        assert_eq!(items[0].body, Body::Html(b"<p>page /fast/0</p>".to_vec()));
        assert_eq!(items[23].body, Body::Html(b"Brief.".to_vec()));
        // Twelve slow pages one after another would take two minutes.
        assert!(took < Duration::from_secs(10), "{took:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
