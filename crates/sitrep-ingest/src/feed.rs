//! RSS 2.0, RSS 1.0 (RDF) and Atom feeds, read defensively.
//!
//! No DTD is processed and no entity but the five predefined ones and character references is
//! expanded, so an entity bomb ("billion laughs") expands to nothing. Text fields are capped, and
//! so is the number of items. A feed is read in the encoding its byte order mark or XML
//! declaration names (UTF-16, windows-1251, ISO-8859-1…); an undeclared one that is not UTF-8 is
//! guessed, with a warning.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One feed entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedItem {
    pub id: Option<String>,
    pub title: Option<String>,
    pub link: Option<String>,
    pub published: Option<String>,
    /// The richest body the item carries (content, else description/summary), as HTML.
    pub body: String,
}

/// Longest text kept from one field.
const MAX_FIELD: usize = 2 * 1024 * 1024;

/// Decode feed bytes as [`sitrep_text::text_of`] does: a byte order mark (UTF-16 feeds
/// included), else UTF-8, else the XML declaration's encoding, else a guess, warned.
fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> String {
    let read = sitrep_text::text_of(bytes);
    if let Some(note) = read.note() {
        warnings.push(format!("feed: {note}"));
    }
    read.text
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or(&s).to_ascii_lowercase()
}

fn push_capped(buf: &mut String, s: &str) {
    if buf.len() < MAX_FIELD {
        let room = MAX_FIELD - buf.len();
        let mut cut = s.len().min(room);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        buf.push_str(&s[..cut]);
    }
}

/// Parse a feed: its items (at most `max_items`) and warnings. An error for what is not a feed.
pub fn parse_feed(bytes: &[u8], max_items: usize) -> Result<(Vec<FeedItem>, Vec<String>), String> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings);
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = false;
    let mut items = Vec::new();
    let mut cur: Option<FeedItem> = None;
    let mut field: Option<String> = None;
    let mut buf = String::new();
    let mut content = String::new();
    let mut summary = String::new();
    let mut saw_root = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                if items.is_empty() && cur.is_none() {
                    return Err(format!(
                        "XML error at byte {}: {e}",
                        reader.buffer_position()
                    ));
                }
                warnings.push(format!("feed is malformed after {} items (XML error at byte {}: {e}); kept what was read", items.len(), reader.buffer_position()));
                break;
            }
        };
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = local(e.name().as_ref());
                if matches!(name.as_str(), "rss" | "feed" | "rdf") {
                    saw_root = true;
                }
                if matches!(name.as_str(), "item" | "entry") {
                    cur = Some(FeedItem::default());
                    content.clear();
                    summary.clear();
                    continue;
                }
                if let Some(it) = cur.as_mut() {
                    if name == "link" {
                        // Atom: <link href="…" rel="alternate"/>
                        let mut href = None;
                        let mut rel = None;
                        for a in e.attributes().flatten() {
                            let key = local(a.key.as_ref());
                            let v = String::from_utf8_lossy(&a.value).into_owned();
                            match key.as_str() {
                                "href" => href = Some(v),
                                "rel" => rel = Some(v),
                                _ => {}
                            }
                        }
                        if let Some(h) = href {
                            if it.link.is_none() && rel.as_deref().is_none_or(|r| r == "alternate")
                            {
                                it.link = Some(h);
                            }
                        }
                    }
                    field = Some(name);
                    buf.clear();
                }
            }
            Event::Text(t) if field.is_some() => {
                push_capped(&mut buf, &String::from_utf8_lossy(t.as_ref()));
            }
            Event::CData(t) if field.is_some() => {
                push_capped(&mut buf, &String::from_utf8_lossy(t.as_ref()));
            }
            Event::GeneralRef(r) if field.is_some() => {
                {
                    // Only character references and the predefined entities; anything a DTD would
                    // define is dropped, which is what defuses entity bombs.
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let c = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        n if n.starts_with('#') => {
                            let v = n
                                .strip_prefix("#x")
                                .or_else(|| n.strip_prefix("#X"))
                                .map(|h| u32::from_str_radix(h, 16).ok())
                                .unwrap_or_else(|| n[1..].parse().ok());
                            // A reference to a character XML forbids (`&#0;`) is dropped,
                            // not the item.
                            v.and_then(char::from_u32).filter(|&c| is_xml_char(c))
                        }
                        _ => None,
                    };
                    if let Some(c) = c {
                        push_capped(&mut buf, c.encode_utf8(&mut [0; 4]));
                    }
                }
            }
            Event::End(e) => {
                let name = local(e.name().as_ref());
                if matches!(name.as_str(), "item" | "entry") {
                    if let Some(mut it) = cur.take() {
                        it.body = if content.trim().is_empty() {
                            summary.clone()
                        } else {
                            content.clone()
                        };
                        items.push(it);
                        if items.len() >= max_items {
                            warnings.push(format!(
                                "feed has more than {max_items} items; the rest were not read"
                            ));
                            break;
                        }
                    }
                    field = None;
                    continue;
                }
                if let (Some(it), Some(f)) = (cur.as_mut(), field.as_deref()) {
                    if f == name {
                        let value = buf.trim().to_string();
                        match f {
                            "title" => it.title = Some(value).filter(|v| !v.is_empty()),
                            "link" if it.link.is_none() && !value.is_empty() => {
                                it.link = Some(value)
                            }
                            "guid" | "id" => it.id = Some(value).filter(|v| !v.is_empty()),
                            "pubdate" | "published" | "date" | "updated"
                                if it.published.is_none() =>
                            {
                                it.published = Some(value).filter(|v| !v.is_empty())
                            }
                            "encoded" | "content" => content = value,
                            "description" | "summary" => summary = value,
                            _ => {}
                        }
                        field = None;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root && items.is_empty() {
        return Err("no <rss>, <feed> or <rdf:RDF> root".into());
    }
    Ok((items, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_carry_title_link_date_and_body() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>x</title>
          <item><title>Strikes on Sumy</title><link>https://news.example/a</link><pubDate>Tue, 25 Nov 2025 08:00:00 GMT</pubDate>
          <description>Short &amp; sharp</description><content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded></item>
          <item><title>Second</title><description>Only a summary &#8212; here</description></item></channel></rss>"#;
        let (items, warnings) = parse_feed(rss, 100).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title.as_deref(), Some("Strikes on Sumy"));
        assert_eq!(items[0].link.as_deref(), Some("https://news.example/a"));
        assert_eq!(items[0].body, "<p>Full <b>text</b></p>");
        assert_eq!(items[1].body, "Only a summary — here");
    }

    #[test]
    fn a_reference_to_a_forbidden_character_is_dropped_and_the_item_kept() {
        let rss = b"<rss><channel><item><title>Strikes&#0; on &#x1;Sumy&#xFFFE;</title>\
            <description>Two&#0; died &#65;nd &#x10FFFF;</description></item></channel></rss>";
        let (items, _) = parse_feed(rss, 10).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title.as_deref(), Some("Strikes on Sumy"));
        assert_eq!(items[0].body, "Two died And \u{10FFFF}");
    }

    #[test]
    fn atom_entries_take_the_alternate_link() {
        let atom =
            br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:1</id><title>T</title>
          <link rel="self" href="https://x.example/self"/><link href="https://x.example/page"/>
          <published>2025-11-25T08:00:00Z</published><summary>S</summary></entry></feed>"#;
        let (items, _) = parse_feed(atom, 100).unwrap();
        assert_eq!(items[0].link.as_deref(), Some("https://x.example/page"));
        assert_eq!(items[0].published.as_deref(), Some("2025-11-25T08:00:00Z"));
    }

    #[test]
    fn an_entity_bomb_expands_to_nothing() {
        let mut bomb = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            bomb.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", i - 1)
                    .repeat(10)
                    .replace("&lol0;", "&lol;")
            ));
        }
        bomb.push_str("]><rss><channel><item><title>&lol9;</title><description>ok</description></item></channel></rss>");
        let (items, _) = parse_feed(bomb.as_bytes(), 100).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, None);
    }

    #[test]
    fn latin1_feeds_are_decoded_and_bad_utf8_is_flagged() {
        let mut latin =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>Bogot"
                .to_vec();
        latin.push(0xe1);
        latin.extend_from_slice(b"</title></item></channel></rss>");
        let (items, _) = parse_feed(&latin, 10).unwrap();
        assert_eq!(items[0].title.as_deref(), Some("Bogotá"));
        let mut bad = b"<rss><channel><item><title>x".to_vec();
        bad.push(0xff);
        bad.extend_from_slice(b"</title></item></channel></rss>");
        let (_, w) = parse_feed(&bad, 10).unwrap();
        assert!(
            w[0].contains("not UTF-8") && w[0].contains("detected"),
            "{w:?}"
        );
    }

    const RUSSIAN: &str = "В результате обстрела Харькова погибли два человека.";

    fn feed_with_title(title: &str, encoding: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><rss><channel><item><title>{title}</title>\
             <description>{title}</description></item></channel></rss>"
        )
    }

    #[test]
    fn a_windows_1251_feed_is_read_in_cyrillic() {
        let xml = feed_with_title(RUSSIAN, "windows-1251");
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&xml);
        let (items, warnings) = parse_feed(&bytes, 10).unwrap();
        assert_eq!(items[0].title.as_deref(), Some(RUSSIAN));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_utf16_feed_is_read() {
        let xml = feed_with_title(RUSSIAN, "UTF-16");
        for le in [true, false] {
            let mut bytes = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in xml.encode_utf16() {
                bytes.extend(if le {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            let (items, warnings) = parse_feed(&bytes, 10).unwrap();
            assert_eq!(items[0].title.as_deref(), Some(RUSSIAN));
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    #[test]
    fn malformed_and_non_feeds_fail_clearly_and_huge_feeds_are_capped() {
        assert!(parse_feed(b"<html><body>no</body></html>", 10).is_err());
        assert!(parse_feed(b"\x00\x01 binary", 10).is_err());
        let (items, w) = parse_feed(
            b"<rss><channel><item><title>a</title></item><item><title>b</ti",
            10,
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert!(w.iter().any(|x| x.contains("malformed")), "{w:?}");
        let many = format!(
            "<rss><channel>{}</channel></rss>",
            "<item><title>t</title></item>".repeat(50)
        );
        let (items, w) = parse_feed(many.as_bytes(), 10).unwrap();
        assert_eq!(items.len(), 10);
        assert!(w.iter().any(|x| x.contains("more than 10")));
        let huge = format!(
            "<rss><channel><item><description>{}</description></item></channel></rss>",
            "a".repeat(3 * MAX_FIELD)
        );
        let (items, _) = parse_feed(huge.as_bytes(), 10).unwrap();
        assert_eq!(items[0].body.len(), MAX_FIELD);
    }
}
