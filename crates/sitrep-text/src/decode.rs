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

/// Decode untrusted bytes: refuse binary data, decode invalid UTF-8 lossily with a warning,
/// truncate oversized input with a warning, normalise line endings to `\n` and drop a BOM.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
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
        warnings.push(Warning {
            code: WarningCode::Truncated,
            message: format!(
                "input of {} bytes truncated to {} bytes",
                body.len(),
                MAX_INPUT_BYTES
            ),
            span: None,
        });
        // Cut at a char boundary when the text is UTF-8, so truncation alone raises no other warning.
        let mut cut = MAX_INPUT_BYTES;
        while cut > MAX_INPUT_BYTES - 4 && (body[cut] & 0xC0) == 0x80 {
            cut -= 1;
        }
        &body[..cut]
    } else {
        body
    };
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(e) => {
            warnings.push(Warning {
                code: WarningCode::InvalidUtf8,
                message: format!(
                    "input is not valid UTF-8 (first bad byte at offset {}); decoded lossily with U+FFFD",
                    e.valid_up_to()
                ),
                span: None,
            });
            String::from_utf8_lossy(body).into_owned()
        }
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(Decoded { text, warnings })
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
    fn invalid_utf8_decodes_lossily_with_a_warning() {
        let d = decode(b"Kyiv \xff\xfe struck").unwrap();
        assert!(d.text.contains('\u{FFFD}'));
        assert_eq!(d.warnings[0].code, WarningCode::InvalidUtf8);
    }

    #[test]
    fn crlf_becomes_lf_and_bom_is_dropped() {
        let d = decode(b"\xEF\xBB\xBFa\r\nb\rc").unwrap();
        assert_eq!(d.text, "a\nb\nc");
        assert!(d.warnings.is_empty());
    }
}
