//! Turning raw report bytes and metadata into an extractor [`Input`].

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use sitrep_extract::Input;
use sitrep_model::{ReportId, ReportMeta};
use sitrep_text::{decode, html, timex};

/// Metadata given on the command line or in a JSONL record: the same as an ingested item's.
pub use sitrep_ingest::Meta;

/// One line of `--jsonl` input.
#[derive(Debug, Deserialize)]
pub struct JsonlRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Parse a publication date or fail with a message that says what is accepted.
pub fn parse_published(s: &str) -> Result<time::Date> {
    match timex::parse_date(s) {
        Some(d) => Ok(d),
        None => bail!("unknown publication date {s:?}: use YYYY-MM-DD, RFC 3339 (2025-11-25T08:00:00Z) or RFC 2822"),
    }
}

/// Build an extractor input from bytes: decode, strip HTML when it is HTML (or `force_html`),
/// and fill metadata the page itself carries when the caller gave none.
pub fn prepare(bytes: &[u8], meta: Meta, force_html: bool) -> Result<Input> {
    let decoded = decode(bytes).context("cannot read the report")?;
    let mut meta = meta;
    let mut text = decoded.text;
    if force_html || html::looks_like_html(&text) {
        let page = html::main_text(&text);
        meta.title = meta.title.or(page.title);
        meta.published = meta.published.or(page.published);
        meta.source = meta.source.or(page.site);
        text = page.text;
    }
    let published = meta.published.as_deref().map(parse_published).transpose()?;
    Ok(Input {
        meta: ReportMeta {
            id: ReportId(meta.id.unwrap_or_default()),
            published,
            source: meta.source,
            url: meta.url,
            title: meta.title,
        },
        text,
        warnings: decoded.warnings,
    })
}

/// [`prepare`], with a panic in the HTML or text readers turned into this report's error, so
/// one hostile page never stops a batch.
pub fn prepare_contained(bytes: &[u8], meta: Meta, force_html: bool) -> Result<Input> {
    std::panic::catch_unwind(|| prepare(bytes, meta, force_html)).unwrap_or_else(|_| {
        bail!("the report could not be read (an internal error in the text reader; it was skipped)")
    })
}

/// Build an input from one JSONL record.
pub fn from_record(rec: JsonlRecord) -> Result<Input> {
    match (rec.text, rec.html) {
        (Some(t), _) => prepare(t.as_bytes(), rec.meta, false),
        (None, Some(h)) => prepare(h.as_bytes(), rec.meta, true),
        (None, None) => bail!("record has neither \"text\" nor \"html\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_input_takes_title_and_date_from_the_page() {
        let html = br#"<html><head><title>Shelling in Sumy</title><meta property="article:published_time" content="2025-03-02T08:00:00Z"></head><body><p>Two died.</p></body></html>"#;
        let input = prepare(html, Meta::default(), false).unwrap();
        assert_eq!(input.text, "Two died.");
        assert_eq!(input.meta.title.as_deref(), Some("Shelling in Sumy"));
        assert_eq!(input.meta.published.unwrap().to_string(), "2025-03-02");
    }

    #[test]
    fn an_unknown_date_is_a_clear_error() {
        let err = prepare(
            b"text",
            Meta {
                published: Some("last Tuesday-ish".into()),
                ..Meta::default()
            },
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown publication date"),
            "{err}"
        );
    }
}
