//! Untrusted bytes to a `String`, with what went wrong said, not hidden.

use sitrep_model::{Warning, WarningCode};

/// Inputs larger than this are truncated (at a char boundary) with a warning: 8 MiB of text is
/// far beyond any news report, and bounding it bounds memory.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// Why bytes could not be read as a report at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("input is empty")]
    Empty,
    #[error("input looks like binary data ({nul} NUL and {control} control bytes in the first {sample} bytes), not text")]
    Binary {
        nul: usize,
        control: usize,
        sample: usize,
    },
}

/// Decoded text and the warnings decoding raised.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub warnings: Vec<Warning>,
}

/// How the encoding of some bytes was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A byte order mark (UTF-8, UTF-16LE, UTF-16BE).
    Bom,
    /// No mark, and the bytes are valid UTF-8 (ASCII included).
    Utf8,
    /// The charset the document declares: `<?xml … encoding>`, `<meta charset>` or
    /// `<meta http-equiv="Content-Type" content="…; charset=…">`.
    Declared,
    /// Guessed from the bytes (chardetng): nothing was declared and they are not UTF-8.
    Detected,
}

/// Bytes read as text, and how.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    /// The encoding the bytes were read in (`UTF-8`, `windows-1256`, `UTF-16LE`…).
    pub encoding: &'static encoding_rs::Encoding,
    pub found: Found,
    /// Bytes that were not valid in that encoding became U+FFFD.
    pub had_errors: bool,
}

impl Text {
    /// What a reader should be told about how the text was read, if anything: a guessed
    /// encoding, or bytes that were not valid in the one used.
    pub fn note(&self) -> Option<String> {
        let name = self.encoding.name();
        match (self.found, self.had_errors) {
            (Found::Detected, _) => Some(format!(
                "input is not UTF-8 and declares no charset; decoded as {name} (detected)"
            )),
            (_, true) => Some(format!(
                "input is not valid {name} ({}); bad bytes decoded as U+FFFD",
                match self.found {
                    Found::Bom => "marked so",
                    Found::Declared => "declared so",
                    _ => "read as such",
                }
            )),
            _ => None,
        }
    }
}

/// How far into a document a charset declaration is looked for.
const DECLARATION_WINDOW: usize = 4096;

/// How much of an undeclared, non-UTF-8 input the detector reads.
const DETECTION_WINDOW: usize = 1 << 20;

/// Read bytes as text in the encoding they carry: a byte order mark first; else UTF-8 when they
/// are valid UTF-8 (text that reached sitrep already decoded, as in JSON Lines or feed items, keeps
/// a page's stale declaration and must not be read twice); else the charset the document
/// declares (XML declaration, `<meta charset>`, `http-equiv`); else a guess from the bytes.
pub fn text_of(bytes: &[u8]) -> Text {
    use encoding_rs::{Encoding, UTF_8};
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Text {
            text: text.into_owned(),
            encoding,
            found: Found::Bom,
            had_errors,
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Text {
            text: s.to_string(),
            encoding: UTF_8,
            found: Found::Utf8,
            had_errors: false,
        };
    }
    let (encoding, found) = match declared(bytes) {
        Some(e) => (e, Found::Declared),
        None => {
            let mut detector = chardetng::EncodingDetector::new();
            let sample = &bytes[..bytes.len().min(DETECTION_WINDOW)];
            detector.feed(sample, sample.len() == bytes.len());
            (detector.guess(None, false), Found::Detected)
        }
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Text {
        text: text.into_owned(),
        encoding,
        found,
        had_errors,
    }
}

/// The charset a document declares near its start, as the Encoding Standard names it: an XML
/// declaration's `encoding`, or a `<meta>` tag's `charset` (its own attribute or inside
/// `content`). A declared UTF-16 is read as UTF-8 (bytes a declaration can be read in are not
/// UTF-16), `x-user-defined` as windows-1252, and labels of no encoding are ignored.
pub fn declared(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    use encoding_rs::{
        Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED,
    };
    let head = bytes[..bytes.len().min(DECLARATION_WINDOW)].to_ascii_lowercase();
    let value_after = |from: usize, key: &[u8]| -> Option<&[u8]> {
        let at = find(&head[from..], key)? + from + key.len();
        let rest = &head[at..];
        let rest = &rest[rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'"' | b'\''))
            .count()..];
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
            .count();
        (len > 0).then(|| &rest[..len])
    };
    let mut label = None;
    let start = head.iter().take_while(|b| b.is_ascii_whitespace()).count();
    if head[start..].starts_with(b"<?xml") {
        let end = find(&head, b"?>").unwrap_or(head.len());
        label = value_after(start, b"encoding=")
            .filter(|_| find(&head[start..end], b"encoding=").is_some());
    }
    let mut from = 0;
    while label.is_none() {
        let Some(at) = find(&head[from..], b"<meta") else {
            break;
        };
        let tag_start = from + at;
        let tag_end = find(&head[tag_start..], b">").map_or(head.len(), |e| tag_start + e);
        if find(&head[tag_start..tag_end], b"charset").is_some() {
            // A `charset=` that names no encoding (in some other meta's content) is passed over.
            label =
                value_after(tag_start, b"charset=").filter(|l| Encoding::for_label(l).is_some());
        }
        from = tag_end;
    }
    let encoding = Encoding::for_label(label?)?;
    Some(match encoding {
        e if e == UTF_16LE || e == UTF_16BE => UTF_8,
        e if e == X_USER_DEFINED => WINDOWS_1252,
        e if e == REPLACEMENT => return None,
        e => e,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A body whose `Content-Type` (an HTTP header) declares a charset, re-encoded as UTF-8 behind a
/// UTF-8 byte order mark, so that what reads it later ([`text_of`]) takes the header's word over
/// the document's own declaration, as browsers do. A byte order mark in the body still wins.
/// Bodies without a charset, declared UTF-8, or with a charset of no known encoding, come back
/// as they were.
pub fn with_declared_charset(body: Vec<u8>, content_type: Option<&str>) -> Vec<u8> {
    let label = content_type.and_then(|ct| {
        ct.split(';').skip(1).find_map(|param| {
            let (k, v) = param.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches(['"', '\'']))
        })
    });
    let Some(encoding) = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) else {
        return body;
    };
    // UTF-8 is what every reader tries first anyway; JSON Lines (UTF-8 by definition) stay
    // without a mark their parser would trip on.
    if encoding == encoding_rs::REPLACEMENT || encoding == encoding_rs::UTF_8 {
        return body;
    }
    let (text, _, _) = encoding.decode(&body);
    let mut out = Vec::with_capacity(text.len() + 3);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    out.extend_from_slice(text.as_bytes());
    out
}

/// Decode untrusted bytes: refuse binary data; read the encoding from a byte order mark, else
/// UTF-8, else the charset the document declares, else a guess (with a warning; see
/// [`text_of`]); truncate oversized input with a warning; normalise line endings to `\n`.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    // UTF-16 (marked) is read first, then checked as the UTF-8 it became.
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let mut warnings = Vec::new();
            let mut body = &bytes[bom..];
            if body.len() > MAX_INPUT_BYTES {
                body = &body[..MAX_INPUT_BYTES];
                warnings.push(truncated(bytes.len()));
            }
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            let mut d = decode(text.as_bytes())?;
            if had_errors {
                warnings.push(Warning {
                    code: WarningCode::InvalidUtf8,
                    message: format!(
                        "input is not valid {} (marked so); bad bytes decoded as U+FFFD",
                        encoding.name()
                    ),
                    span: None,
                });
            }
            d.warnings.splice(0..0, warnings);
            return Ok(d);
        }
    }
    let mut warnings = Vec::new();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    let sample = &body[..body.len().min(8192)];
    let nul = sample.iter().filter(|&&b| b == 0).count();
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if nul > 0 || control * 20 > sample.len() {
        return Err(DecodeError::Binary {
            nul,
            control,
            sample: sample.len(),
        });
    }
    let body = if body.len() > MAX_INPUT_BYTES {
        warnings.push(truncated(body.len()));
        // Cut at a char boundary when the text is UTF-8, so truncation alone raises no other warning.
        let mut cut = MAX_INPUT_BYTES;
        while cut > MAX_INPUT_BYTES - 4 && (body[cut] & 0xC0) == 0x80 {
            cut -= 1;
        }
        &body[..cut]
    } else {
        body
    };
    let read = text_of(body);
    if let Some(message) = read.note() {
        warnings.push(Warning {
            code: WarningCode::InvalidUtf8,
            message,
            span: None,
        });
    }
    let text = read.text;
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(Decoded { text, warnings })
}

fn truncated(len: usize) -> Warning {
    Warning {
        code: WarningCode::Truncated,
        message: format!("input of {len} bytes truncated to {MAX_INPUT_BYTES} bytes"),
        span: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_inputs_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b" \n\t ").unwrap_err(), DecodeError::Empty);
    }

    #[test]
    fn binary_input_is_refused() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0";
        assert!(matches!(decode(png), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn invalid_utf8_under_a_utf8_declaration_decodes_lossily_with_a_warning() {
        let d = decode(b"<meta charset=\"utf-8\"><p>Kyiv \xff\xfe struck</p>").unwrap();
        assert!(d.text.contains('\u{FFFD}'));
        assert_eq!(d.warnings[0].code, WarningCode::InvalidUtf8);
    }

    const ARABIC: &str =
        "قال مسؤولون إن غارة جوية أسفرت عن مقتل ثلاثة مدنيين في مدينة حلب يوم الأحد.";
    const RUSSIAN: &str =
        "В результате обстрела Харькова погибли два человека, сообщили власти в воскресенье.";

    fn encode(text: &str, label: &str) -> Vec<u8> {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{label} cannot encode the test sentence");
        bytes.into_owned()
    }

    #[test]
    fn a_page_declaring_windows_1256_in_meta_is_read_as_arabic() {
        for head in [
            "<html><head><meta charset=\"windows-1256\"><title>x</title></head><body><p>",
            "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1256\"></head><body><p>",
        ] {
            let mut page = head.as_bytes().to_vec();
            page.extend(encode(ARABIC, "windows-1256"));
            page.extend_from_slice(b"</p></body></html>");
            let d = decode(&page).unwrap();
            assert!(d.text.contains(ARABIC), "{}", d.text);
            assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        }
    }

    #[test]
    fn a_charset_word_in_another_meta_does_not_hide_the_declaration() {
        let mut page = b"<meta name=\"description\" content=\"charset=none\"><meta charset=\"windows-1256\"><p>".to_vec();
        page.extend(encode(ARABIC, "windows-1256"));
        let t = text_of(&page);
        assert_eq!(
            (t.encoding.name(), t.found),
            ("windows-1256", Found::Declared)
        );
    }

    #[test]
    fn an_xml_declaration_names_the_encoding() {
        let mut xml =
            b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><item><title>".to_vec();
        xml.extend(encode(RUSSIAN, "windows-1251"));
        xml.extend_from_slice(b"</title></item></rss>");
        let t = text_of(&xml);
        assert_eq!(
            (t.encoding.name(), t.found),
            ("windows-1251", Found::Declared)
        );
        assert!(t.text.contains(RUSSIAN));
    }

    #[test]
    fn undeclared_legacy_encodings_are_detected_with_a_warning() {
        for (text, label) in [
            (ARABIC, "windows-1256"),
            (RUSSIAN, "windows-1251"),
            (RUSSIAN, "koi8-r"),
        ] {
            let bytes = encode(&format!("{text} {text}"), label);
            let d = decode(&bytes).unwrap();
            assert!(d.text.contains(text), "{label}: {}", d.text);
            assert_eq!(d.warnings.len(), 1, "{label}");
            assert!(
                d.warnings[0].message.contains("detected"),
                "{:?}",
                d.warnings
            );
        }
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        for (bom, le) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
            let mut bytes = bom.to_vec();
            for unit in RUSSIAN.encode_utf16() {
                bytes.extend(if le {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            let d = decode(&bytes).unwrap();
            assert_eq!(d.text, RUSSIAN);
            assert!(d.warnings.is_empty());
        }
    }

    #[test]
    fn valid_utf8_wins_over_a_stale_declaration() {
        let page = format!("<meta charset=\"windows-1251\"><p>{RUSSIAN}</p>");
        let d = decode(page.as_bytes()).unwrap();
        assert!(d.text.contains(RUSSIAN));
    }

    #[test]
    fn a_content_type_charset_is_applied_and_wins_over_the_page() {
        let mut page = b"<meta charset=\"utf-8\"><p>".to_vec();
        page.extend(encode(ARABIC, "windows-1256"));
        let body = with_declared_charset(page.clone(), Some("text/html; charset=\"Windows-1256\""));
        assert!(decode(&body).unwrap().text.contains(ARABIC));
        assert_eq!(with_declared_charset(page.clone(), Some("text/html")), page);
        assert_eq!(with_declared_charset(page.clone(), None), page);
        let jsonl = b"{\"text\": \"x\"}\n".to_vec();
        let same = with_declared_charset(jsonl.clone(), Some("application/json; charset=utf-8"));
        assert_eq!(same, jsonl);
    }

    #[test]
    fn crlf_becomes_lf_and_bom_is_dropped() {
        let d = decode(b"\xEF\xBB\xBFa\r\nb\rc").unwrap();
        assert_eq!(d.text, "a\nb\nc");
        assert!(d.warnings.is_empty());
    }
}
