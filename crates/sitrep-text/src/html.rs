//! The main text of an HTML page: article text kept, scripts, styles and page furniture dropped.
//!
//! A single forward scan, no DOM and no recursion, so malformed or absurdly nested markup costs
//! linear time and constant stack. Block elements become paragraph breaks (a `<br>` is a space,
//! two in a row a paragraph break); when the page has
//! `<article>` (or `<main>`) text, only that text is kept.

/// What a page yields: its main text and the metadata found in its head.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Page {
    /// Paragraphs separated by `\n`, whitespace collapsed, entities decoded.
    pub text: String,
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// `article:published_time` or a similar meta tag, verbatim.
    pub published: Option<String>,
    /// `og:site_name`.
    pub site: Option<String>,
}

/// Elements whose content is never text.
const RAW: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "textarea",
    "select",
];
/// Page furniture around the article.
const FURNITURE: &[&str] = &[
    "nav", "header", "footer", "aside", "form", "menu", "button", "dialog",
];
/// Elements that end a paragraph.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "article",
    "section",
    "main",
    "tr",
    "table",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "figure",
    "body",
    "td",
    "th",
    "caption",
];
/// Elements whose text is the article when present.
const CONTAINER: &[&str] = &["article", "main"];

/// Heuristic: does this look like HTML rather than plain text?
pub fn looks_like_html(s: &str) -> bool {
    let mut cut = s.len().min(2048);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &s[..cut].to_ascii_lowercase();
    head.contains("<html")
        || head.contains("<!doctype html")
        || head.contains("<body")
        || head.contains("<p>")
        || head.contains("<article")
        || head.contains("<div")
}

/// Extract the main text and metadata of an HTML document.
pub fn main_text(html: &str) -> Page {
    let mut page = Page::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    // Text blocks and whether each was inside an article/main container.
    let mut blocks: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut furniture_depth = 0usize;
    let mut container_depth = 0usize;
    let mut in_title = false;
    let mut in_h1 = false;
    let mut title_text = String::new();
    let mut h1_text = String::new();
    // Where the text after the last `<br>` begins in `cur`, while no block has ended since.
    let mut br_mark: Option<usize> = None;
    let flush = |cur: &mut String, inside: bool, blocks: &mut Vec<(String, bool)>| {
        let t = collapse_ws(cur);
        if !t.is_empty() {
            blocks.push((t, inside));
        }
        cur.clear();
    };
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if html[i..].starts_with("<!--") {
                i = html[i + 4..]
                    .find("-->")
                    .map_or(bytes.len(), |p| i + 4 + p + 3);
                continue;
            }
            let Some(tag) = parse_tag(html, i) else {
                // A lone '<' is text.
                if furniture_depth == 0 {
                    cur.push('<');
                }
                i += 1;
                continue;
            };
            i = tag.end;
            let name = tag.name.as_str();
            if tag.closing {
                if FURNITURE.contains(&name) {
                    furniture_depth = furniture_depth.saturating_sub(1);
                }
                if CONTAINER.contains(&name) {
                    container_depth = container_depth.saturating_sub(1);
                }
                if name == "title" {
                    in_title = false;
                }
                if name == "h1" {
                    in_h1 = false;
                }
            } else {
                if RAW.contains(&name) && !tag.self_closing {
                    i = skip_raw(html, i, name);
                    continue;
                }
                match name {
                    "meta" => read_meta(&tag.attrs, &mut page),
                    "title" => in_title = true,
                    "h1" => in_h1 = h1_text.is_empty(),
                    _ => {}
                }
                if FURNITURE.contains(&name) && !tag.self_closing {
                    furniture_depth += 1;
                }
                if CONTAINER.contains(&name) && !tag.self_closing {
                    container_depth += 1;
                }
            }
            if BLOCK.contains(&name) {
                flush(&mut cur, container_depth > 0, &mut blocks);
                br_mark = None;
            } else if name == "br" && furniture_depth == 0 {
                // One line break is a space (a sentence may run across it); two in a row, with
                // nothing but whitespace between, end a paragraph.
                match br_mark {
                    Some(m) if cur[m..].trim().is_empty() => {
                        flush(&mut cur, container_depth > 0, &mut blocks);
                        br_mark = None;
                    }
                    _ => {
                        cur.push(' ');
                        br_mark = Some(cur.len());
                    }
                }
            }
            continue;
        }
        let next = html[i..].find('<').map_or(bytes.len(), |p| i + p);
        let chunk = &html[i..next];
        if in_title {
            title_text.push_str(chunk);
        } else if furniture_depth == 0 {
            decode_entities_into(chunk, &mut cur);
            if in_h1 {
                decode_entities_into(chunk, &mut h1_text);
            }
        }
        i = next;
    }
    flush(&mut cur, container_depth > 0, &mut blocks);
    let any_inside = blocks.iter().any(|(_, inside)| *inside);
    let kept: Vec<&str> = blocks
        .iter()
        .filter(|(_, inside)| *inside || !any_inside)
        .map(|(t, _)| t.as_str())
        .collect();
    page.text = kept.join("\n");
    if page.title.is_none() {
        let mut t = String::new();
        decode_entities_into(&title_text, &mut t);
        let t = collapse_ws(&t);
        let h1 = collapse_ws(&h1_text);
        page.title = [t, h1].into_iter().find(|s| !s.is_empty());
    }
    page
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
    end: usize,
}

/// Parse the tag starting at `start` (a '<'); `None` if it is not a tag.
fn parse_tag(html: &str, start: usize) -> Option<Tag> {
    let b = html.as_bytes();
    let mut i = start + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    if b.get(i) == Some(&b'!') || b.get(i) == Some(&b'?') {
        // Doctype, CDATA or processing instruction: skip to '>'.
        let end = html[i..].find('>').map_or(b.len(), |p| i + p + 1);
        return Some(Tag {
            name: String::new(),
            closing: false,
            self_closing: true,
            attrs: vec![],
            end,
        });
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = html[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => {
                return Some(Tag {
                    name,
                    closing,
                    self_closing,
                    attrs,
                    end: b.len(),
                })
            }
            Some(b'>') => {
                return Some(Tag {
                    name,
                    closing,
                    self_closing,
                    attrs,
                    end: i + 1,
                })
            }
            Some(b'/') => {
                self_closing = true;
                i += 1;
            }
            Some(_) => {
                let k0 = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'=' | b'>' | b'/')
                {
                    i += 1;
                }
                let key = html[k0..i].to_ascii_lowercase();
                let mut value = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    match b.get(i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let v0 = i + 1;
                            let v1 = html[v0..].find(q as char).map_or(b.len(), |p| v0 + p);
                            value = html[v0..v1].to_string();
                            i = (v1 + 1).min(b.len());
                        }
                        _ => {
                            let v0 = i;
                            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                i += 1;
                            }
                            value = html[v0..i].to_string();
                        }
                    }
                }
                if k0 == i {
                    i += 1; // never stall on an unexpected byte
                }
                attrs.push((key, value));
            }
        }
    }
}

/// Skip the content of a raw-text element up to and including its closing tag.
fn skip_raw(html: &str, from: usize, name: &str) -> usize {
    let needle = format!("</{name}");
    let b = html.as_bytes();
    let mut i = from;
    while let Some(p) = html[i..].find("</") {
        let at = i + p;
        // Compared as bytes: the text after "</" may be a multi-byte character.
        if b.get(at..at + needle.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(needle.as_bytes()))
        {
            return html[at..].find('>').map_or(b.len(), |q| at + q + 1);
        }
        i = at + 2;
    }
    b.len()
}

fn read_meta(attrs: &[(String, String)], page: &mut Page) {
    let get = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
    let key = get("property")
        .or_else(|| get("name"))
        .or_else(|| get("itemprop"))
        .unwrap_or("");
    let Some(content) = get("content") else {
        return;
    };
    let mut decoded = String::new();
    decode_entities_into(content, &mut decoded);
    let value = collapse_ws(&decoded);
    if value.is_empty() {
        return;
    }
    match key.to_ascii_lowercase().as_str() {
        "og:title" | "twitter:title" if page.title.is_none() => page.title = Some(value),
        "article:published_time"
        | "datepublished"
        | "date"
        | "pubdate"
        | "dc.date"
        | "publish-date"
            if page.published.is_none() =>
        {
            page.published = Some(value)
        }
        "og:site_name" if page.site.is_none() => page.site = Some(value),
        _ => {}
    }
}

/// Collapse runs of whitespace to one space and trim.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Decode HTML character references in `s`, appending to `out`, as HTML5 reads them in text:
/// every named reference of the HTML5 table, the legacy names (`&amp`, `&eacute`) also without
/// their `;`, numeric references with or without `;` (the C1 range read as windows-1252 does).
/// What is not a reference stays as written.
pub fn decode_entities_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        match reference(rest, out) {
            Some(len) => rest = &rest[len..],
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The HTML5 named character references: `data/html_entities.tsv`, generated by
/// `scripts/gen_html_entities.py` from the WHATWG table (Python's `html.entities.html5`).
const ENTITIES_TSV: &str = include_str!("../data/html_entities.tsv");

/// The longest name in the table, `;` included (`&CounterClockwiseContourIntegral;`).
const LONGEST_ENTITY: usize = 33;

/// The longest legacy name, read without its `;` (`&curren`, `&middot`).
const LONGEST_LEGACY: usize = 6;

/// The table, sorted by name: each name as written after `&` (with its `;`, or without it for
/// a legacy name) and what it stands for. Parsed once (about 2,200 lines).
fn entities() -> &'static [(&'static str, Box<str>)] {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, Box<str>)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(&'static str, Box<str>)> = ENTITIES_TSV
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (name, points) = l.split_once('\t')?;
                let text: Option<String> = points
                    .split(' ')
                    .map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
                    .collect();
                Some((name, text?.into_boxed_str()))
            })
            .collect();
        table.sort_unstable_by(|a, b| a.0.cmp(b.0));
        table
    })
}

/// What the named reference `name` (after `&`, with its `;` if it has one) stands for.
fn named(name: &str) -> Option<&'static str> {
    let table = entities();
    table
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| &*table[i].1)
}

/// Decode the character reference at the start of `s` (which begins with `&`) into `out`: the
/// bytes it spans, or `None` (nothing written) when the `&` is just an ampersand. A name is
/// matched whole with its `;`, else as the longest legacy name that begins it (`&notit;` is
/// `¬it;`), as HTML5 does.
fn reference(s: &str, out: &mut String) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (radix, start) = match b.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = b[start.min(b.len())..]
            .iter()
            .take_while(|c| (**c as char).is_digit(radix))
            .count();
        if digits == 0 {
            return None;
        }
        let mut end = start + digits;
        let code = b[start..end].iter().fold(0u32, |acc, c| {
            let d = (*c as char).to_digit(radix).unwrap_or(0);
            acc.saturating_mul(radix).saturating_add(d)
        });
        if b.get(end) == Some(&b';') {
            end += 1;
        }
        out.push(numeric(code));
        return Some(end);
    }
    let run = b[1..]
        .iter()
        .take(LONGEST_ENTITY)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if run == 0 {
        return None;
    }
    if b.get(1 + run) == Some(&b';') {
        if let Some(text) = named(&s[1..run + 2]) {
            out.push_str(text);
            return Some(run + 2);
        }
    }
    for len in (2..=run.min(LONGEST_LEGACY)).rev() {
        if let Some(text) = named(&s[1..1 + len]) {
            out.push_str(text);
            return Some(1 + len);
        }
    }
    None
}

/// The character of a numeric reference, as HTML5 reads it: NUL, surrogates and numbers beyond
/// Unicode are U+FFFD; 0x80 to 0x9F are the windows-1252 characters pages mean by them.
fn numeric(code: u32) -> char {
    const C1: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match code {
        0 => '\u{FFFD}',
        0x80..=0x9F => C1[(code - 0x80) as usize],
        _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_and_navigation_are_dropped() {
        let page = main_text(
            "<html><head><title>T &amp; U</title><style>p{}</style></head><body><nav>Home | World</nav>\
             <p>Shelling hit <b>Kharkiv</b>.</p><script>alert('x < y')</script><p>Two died.</p></body></html>",
        );
        assert_eq!(page.text, "Shelling hit Kharkiv.\nTwo died.");
        assert_eq!(page.title.as_deref(), Some("T & U"));
    }

    #[test]
    fn article_text_wins_over_the_rest_of_the_page() {
        let page = main_text("<div>Subscribe now</div><article><h1>Head</h1><p>Body &#8220;q&#x201D;</p></article><div>Related</div>");
        assert_eq!(page.text, "Head\nBody “q”");
    }

    #[test]
    fn meta_tags_give_title_and_date() {
        let page = main_text(
            r#"<meta property="og:title" content="Strikes hit Sumy"><meta property="article:published_time" content="2025-03-02T08:00:00Z"><p>x</p>"#,
        );
        assert_eq!(page.title.as_deref(), Some("Strikes hit Sumy"));
        assert_eq!(page.published.as_deref(), Some("2025-03-02T08:00:00Z"));
    }

    #[test]
    fn deeply_nested_and_unclosed_markup_is_linear_and_safe() {
        let html = format!(
            "{}<p>deep</p>{}<div <<< &bogus; <a href='x",
            "<div>".repeat(200_000),
            "</span>".repeat(1000)
        );
        let page = main_text(&html);
        assert!(page.text.starts_with("deep"));
    }

    proptest::proptest! {
        #[test]
        fn any_markup_is_read_without_panicking(s in "(<[a-z/!]{0,6}[^>]{0,12}>?|&[#a-z0-9]{0,6};?|[^<&]{0,20}){0,60}") {
            let page = main_text(&s);
            proptest::prop_assert!(page.text.len() <= s.len() * 4 + 16);
        }
    }

    #[test]
    fn sniffing_stops_at_a_char_boundary() {
        let s = format!("{}é<p>", "a".repeat(2047));
        assert!(!looks_like_html(&s));
    }

    #[test]
    fn a_script_with_a_multibyte_character_after_a_closing_slash_is_skipped() {
        let page = main_text("<p>a</p><script>x = '</é'; y = \"</€\";</script><p>b</p><script></ü");
        assert_eq!(page.text, "a\nb");
    }

    #[test]
    fn unclosed_script_swallows_the_rest_without_panicking() {
        assert_eq!(main_text("<p>a</p><script>never closed").text, "a");
    }

    fn decoded(s: &str) -> String {
        let mut out = String::new();
        decode_entities_into(s, &mut out);
        out
    }

    #[test]
    fn the_whole_html5_entity_table_is_read() {
        // The WHATWG table has 2,231 names (legacy ones counted with and without `;`).
        assert_eq!(entities().len(), 2231);
        assert!(entities().windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(decoded("&Eacute;mile Zola"), "Émile Zola");
        assert_eq!(decoded("&Scaron;abac, &ccaron;, &dstrok;"), "Šabac, č, đ");
        assert_eq!(decoded("&rarr; &euro; &hearts;"), "→ € ♥");
        // Some names stand for two code points.
        assert_eq!(decoded("&NotEqualTilde;"), "\u{2242}\u{338}");
        assert_eq!(decoded("&CounterClockwiseContourIntegral;"), "∳");
    }

    #[test]
    fn legacy_entities_are_read_without_their_semicolon_as_html5_does() {
        assert_eq!(decoded("Caf&eacute au lait &amp co"), "Café au lait & co");
        assert_eq!(decoded("&copy2024 &lt;b&gt"), "©2024 <b>");
        // The longest legacy name that begins the run, the rest kept.
        assert_eq!(decoded("&notit; &notin;"), "¬it; ∉");
        // Names that need their `;` are not read without it.
        assert_eq!(decoded("&Scaron and &rarr"), "&Scaron and &rarr");
    }

    #[test]
    fn numeric_references_follow_html5() {
        assert_eq!(decoded("&#233;t&#xE9 &#150; &#146;"), "été – ’");
        assert_eq!(
            decoded("&#0; &#xD800; &#99999999999;"),
            "\u{FFFD} \u{FFFD} \u{FFFD}"
        );
    }

    #[test]
    fn what_is_not_a_reference_stays_as_written() {
        assert_eq!(
            decoded("AT&T & co &bogus; &#; &#x; &"),
            "AT&T & co &bogus; &#; &#x; &"
        );
    }

    #[test]
    fn a_line_break_inside_a_sentence_is_a_space_and_two_end_a_paragraph() {
        let page = main_text("<p>Shelling killed two<br>civilians in Kherson.</p>");
        assert_eq!(page.text, "Shelling killed two civilians in Kherson.");
        let page = main_text("<div>First paragraph.<br/>\n <br>Second one.<br><br/>Third.</div>");
        assert_eq!(page.text, "First paragraph.\nSecond one.\nThird.");
    }
}
