//! Reading JSON Lines one bounded line at a time.
//!
//! A line is read into memory only up to a cap; a longer one is skipped to its end without being
//! held, so one huge record costs a fixed amount of memory and the lines after it are still read.

use std::io::{BufRead, ErrorKind, Read};

/// Longest JSON Lines record read: twice the text decoder's limit (JSON escapes lengthen text)
/// and a little room for the metadata. Text beyond the decoder's limit would be cut anyway.
pub const MAX_RECORD_BYTES: usize = 2 * sitrep_text::MAX_INPUT_BYTES + 64 * 1024;

/// What [`read_line_capped`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// The line is in the buffer, without its line ending.
    Fits,
    /// The line was longer than the cap; it was skipped and the buffer holds nothing of use.
    /// The line's length in bytes, without its newline.
    TooLong(u64),
}

/// Read the next line into `buf` (cleared first), holding at most `cap` bytes of it: `None` at
/// the end of input. A longer line is read past, up to and including its newline.
pub fn read_line_capped(
    reader: &mut impl BufRead,
    cap: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<LineRead>> {
    buf.clear();
    let n = reader
        .by_ref()
        .take(cap as u64 + 1)
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(LineRead::Fits));
    }
    if buf.len() <= cap {
        return Ok(Some(LineRead::Fits)); // the last line, without a newline
    }
    let mut len = buf.len() as u64;
    buf.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                len += i as u64;
                reader.consume(i + 1);
                break;
            }
            None => {
                let k = available.len();
                len += k as u64;
                reader.consume(k);
            }
        }
    }
    Ok(Some(LineRead::TooLong(len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], cap: usize) -> Vec<(LineRead, Vec<u8>)> {
        let mut reader = std::io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(r) = read_line_capped(&mut reader, cap, &mut buf).unwrap() {
            out.push((r, buf.clone()));
        }
        out
    }

    #[test]
    fn an_overlong_line_is_skipped_and_the_next_one_read() {
        let lines = all(b"short\r\nmuch too long a line\nnext\nlast", 10);
        assert_eq!(
            lines,
            vec![
                (LineRead::Fits, b"short".to_vec()),
                (LineRead::TooLong(20), vec![]),
                (LineRead::Fits, b"next".to_vec()),
                (LineRead::Fits, b"last".to_vec()),
            ]
        );
    }

    #[test]
    fn a_line_of_exactly_the_cap_fits() {
        let lines = all(b"0123456789\n0123456789", 10);
        assert!(lines
            .iter()
            .all(|(r, b)| *r == LineRead::Fits && b.len() == 10));
        assert_eq!(all(b"0123456789a", 10)[0].0, LineRead::TooLong(11));
    }
}
