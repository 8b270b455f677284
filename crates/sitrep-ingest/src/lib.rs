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
pub struct Sources {
    pending: Vec<PathOrUrl>,
    queue: std::collections::VecDeque<Result<Item, IngestError>>,
    fetcher: Option<Fetcher>,
    limits: Limits,
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
            fetcher,
            limits,
        }
    }

    fn expand(&mut self, next: PathOrUrl) {
        match next {
            PathOrUrl::Url(u) => match &self.fetcher {
                None => self
                    .queue
                    .push_back(Err(IngestError::NoNetwork { origin: u })),
                Some(f) => match f.get(&u, self.limits.max_bytes) {
                    Err(e) => self.queue.push_back(Err(e)),
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
                            self.queue.push_back(Err(IngestError::Io {
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
                    entries.sort();
                    for e in entries.into_iter().rev() {
                        self.pending.push(PathOrUrl::Path(e));
                    }
                    return;
                }
                let origin = p.display().to_string();
                match read_capped(&p, self.limits.max_bytes) {
                    Err(e) => self.queue.push_back(Err(e)),
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
            Kind::Text => self.queue.push_back(Ok(Item {
                origin: origin.into(),
                meta,
                body: Body::Text(bytes),
                warnings: vec![],
            })),
            Kind::Html => self.queue.push_back(Ok(Item {
                origin: origin.into(),
                meta,
                body: Body::Html(bytes),
                warnings: vec![],
            })),
            Kind::Jsonl => self.read_jsonl(origin, &bytes),
            Kind::Feed => self.read_feed(origin, &bytes),
        }
    }

    fn read_jsonl(&mut self, origin: &str, bytes: &[u8]) {
        #[derive(Deserialize)]
        struct Rec {
            #[serde(flatten)]
            meta: Meta,
            text: Option<String>,
            html: Option<String>,
        }
        let text = String::from_utf8_lossy(bytes);
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let item = serde_json::from_str::<Rec>(line)
                .map_err(|e| IngestError::BadRecord {
                    origin: origin.into(),
                    line: n + 1,
                    detail: e.to_string(),
                })
                .and_then(|r| {
                    let body = match (r.text, r.html) {
                        (Some(t), _) => Body::Text(t.into_bytes()),
                        (None, Some(h)) => Body::Html(h.into_bytes()),
                        _ => {
                            return Err(IngestError::BadRecord {
                                origin: origin.into(),
                                line: n + 1,
                                detail: "neither \"text\" nor \"html\"".into(),
                            })
                        }
                    };
                    Ok(Item {
                        origin: format!("{origin}:{}", n + 1),
                        meta: r.meta,
                        body,
                        warnings: vec![],
                    })
                });
            self.queue.push_back(item);
        }
    }

    fn read_feed(&mut self, origin: &str, bytes: &[u8]) {
        let (items, warnings) = match parse_feed(bytes, self.limits.max_feed_items) {
            Ok(x) => x,
            Err(detail) => {
                self.queue.push_back(Err(IngestError::BadFeed {
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
            self.queue.push_back(Ok(Item {
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
            if let Some(x) = self.queue.pop_front() {
                return Some(x);
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
