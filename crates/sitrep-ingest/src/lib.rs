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

pub use feed::{parse_feed, FeedItem};
pub use fetch::Fetcher;

use serde::Deserialize;
use std::path::{Path, PathBuf};

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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_feed_items: 10_000,
            follow_below_chars: 400,
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
pub struct Sources {
    pending: Vec<PathOrUrl>,
    queue: std::collections::VecDeque<Queued>,
    /// Files that records have pointed at and that were read (canonical paths).
    claimed: std::collections::HashSet<PathBuf>,
    fetcher: Option<Fetcher>,
    limits: Limits,
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
    Path(PathBuf),
    Url(String),
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
                    PathOrUrl::Path(PathBuf::from(s))
                }
            })
            .collect();
        pending.reverse();
        Sources {
            pending,
            queue: Default::default(),
            claimed: Default::default(),
            fetcher,
            limits,
        }
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
            PathOrUrl::Path(p) => {
                if p.is_dir() {
                    let mut entries: Vec<PathBuf> = match std::fs::read_dir(&p) {
                        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                        Err(source) => {
                            self.ready(Err(IngestError::Io {
                                origin: p.display().to_string(),
                                source,
                            }));
                            return;
                        }
                    };
                    entries.retain(|e| {
                        let hidden = e
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                        !hidden
                            && (e.is_dir()
                                || e.extension().is_some_and(|x| {
                                    EXTENSIONS
                                        .contains(&x.to_string_lossy().to_lowercase().as_str())
                                }))
                    });
                    // JSONL first: its records may point at the folder's other files.
                    entries.sort_by_cached_key(|e| (!is_jsonl(e), e.clone()));
                    for e in entries.into_iter().rev() {
                        self.pending.push(PathOrUrl::Path(e));
                    }
                    return;
                }
                if !self.claimed.is_empty()
                    && p.canonicalize().is_ok_and(|c| self.claimed.contains(&c))
                {
                    return; // read already, with its record's metadata
                }
                let origin = p.display().to_string();
                match read_capped(&p, self.limits.max_bytes) {
                    Err(e) => self.ready(Err(e)),
                    Ok(bytes) => {
                        let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase());
                        let kind = sniff(&bytes, None, ext.as_deref());
                        self.read_bytes(&origin, bytes, kind, None);
                    }
                }
            }
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
        let text = String::from_utf8_lossy(bytes);
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = |detail: String| IngestError::BadRecord {
                origin: origin.into(),
                line: n + 1,
                detail,
            };
            let rec = match serde_json::from_str::<Rec>(line) {
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
                                line: n + 1,
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
                origin: format!("{origin}:{}", n + 1),
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
        for (k, it) in items.into_iter().enumerate() {
            let body_text = sitrep_text::html::main_text(&it.body).text;
            let thin = body_text.chars().count() < self.limits.follow_below_chars;
            let link = it
                .link
                .clone()
                .filter(|l| l.starts_with("http://") || l.starts_with("https://"));
            let meta = Meta {
                id: it.id.clone(),
                published: it.published.clone(),
                source: None,
                url: it.link.clone(),
                title: it.title.clone(),
            };
            let mut warnings = warnings.clone();
            let body = match (&self.fetcher, thin, &link) {
                (Some(f), true, Some(l)) => match f.get(l, self.limits.max_bytes) {
                    Ok((page, _)) => Body::Html(page),
                    Err(e) => {
                        warnings.push(format!(
                            "item page not fetched ({e}); using the feed's summary"
                        ));
                        Body::Html(it.body.into_bytes())
                    }
                },
                _ => Body::Html(it.body.into_bytes()),
            };
            self.ready(Ok(Item {
                origin: format!("{origin}#{}", k + 1),
                meta,
                body,
                warnings,
            }));
        }
    }
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
        && p.is_file()
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
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
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

fn read_capped(p: &Path, max: u64) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let origin = p.display().to_string();
    let f = std::fs::File::open(p).map_err(|source| IngestError::Io {
        origin: origin.clone(),
        source,
    })?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
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
}
