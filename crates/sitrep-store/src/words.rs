//! The words full-text search indexes and looks up, defined once for both sides.
//!
//! SQLite's own tokenizer and Rust's character classes disagree on marks (Devanagari viramas,
//! Thai and Arabic vowel signs), so the store splits text itself: the index receives words
//! separated by spaces and an `ascii` tokenizer that only splits on them, and a query is split by
//! the same function. A word is a run of ASCII letters and digits, or of non-ASCII characters
//! that are neither spaces nor common punctuation; words are lowercased.

/// Non-ASCII punctuation that separates words (quotation marks, dashes, ellipsis, CJK, Arabic,
/// Devanagari marks of punctuation).
const PUNCTUATION: &[char] = &[
    '\u{a0}', '«', '»', '‘', '’', '‚', '‛', '“', '”', '„', '‟', '‹', '›', '–', '—', '―', '…', '·',
    '•', '′', '″', '¡', '¿', '§', '¶', '،', '؛', '؟', '۔', '।', '॥', '、', '。', '「', '」', '『',
    '』', '【', '】', '《', '》', '〈', '〉', '！', '？', '，', '：', '；', '（', '）', '　',
];

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !c.is_whitespace() && !c.is_control() && !PUNCTUATION.contains(&c)
    }
}

/// The words of a text, lowercased, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A text as the index receives it: its words, lowercased as [`words`] does, separated by
/// single spaces. ASCII words are lowercased in place, without a string each.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    runs(
        text,
        |b| b.is_ascii_alphanumeric(),
        is_word_char,
        |w, ascii| {
            if !out.is_empty() {
                out.push(' ');
            }
            if ascii {
                let start = out.len();
                out.push_str(w);
                out[start..].make_ascii_lowercase();
            } else {
                out.push_str(&w.to_lowercase());
            }
        },
    );
    out
}

/// Call `f` with every maximal run of word characters in `text`, and whether the run is all
/// ASCII. An ASCII byte is a word character when `ascii` says so, any other character when
/// `other` does. ASCII is classified a byte at a time, without decoding characters: the
/// hashing and indexing of every stored report goes through here.
pub(crate) fn runs(
    text: &str,
    ascii: impl Fn(u8) -> bool,
    other: impl Fn(char) -> bool,
    mut f: impl FnMut(&str, bool),
) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A run of word characters from `i` (perhaps empty)...
        let start = i;
        let mut run_ascii = true;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                if !ascii(b) {
                    break;
                }
                i += 1;
            } else {
                let c = text[i..]
                    .chars()
                    .next()
                    .expect("i is at a character boundary");
                if !other(c) {
                    break;
                }
                run_ascii = false;
                i += c.len_utf8();
            }
        }
        if i > start {
            f(&text[start..i], run_ascii);
        }
        // ...then the separator that ended it.
        if let Some(&b) = bytes.get(i) {
            i += if b.is_ascii() {
                1
            } else {
                text[i..].chars().next().map_or(1, char::len_utf8)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_marks_and_drop_punctuation() {
        let got: Vec<String> = words("«El-Fasher» — विस्फोट, ระเบิด; Київ’s “6”").collect();
        assert_eq!(got, ["el", "fasher", "विस्फोट", "ระเบิด", "київ", "s", "6"]);
    }

    #[test]
    fn runs_split_as_str_split_does() {
        let sep = |c: char| !c.is_alphanumeric();
        for t in [
            "",
            "a",
            " a ",
            "Київ’s 6-storey, ΟΔΟΣ\u{85}x\u{a0}y  z",
            "ünï ü a1 ,",
            "ZÜRICH StraÉ aÑb",
            "ñ",
        ] {
            let mut got = Vec::new();
            runs(
                t,
                |b| b.is_ascii_alphanumeric(),
                char::is_alphanumeric,
                |w, ascii| {
                    assert_eq!(ascii, w.is_ascii(), "{w:?}");
                    got.push(w.to_string());
                },
            );
            let want: Vec<&str> = t.split(sep).filter(|w| !w.is_empty()).collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn the_index_holds_exactly_the_words_a_query_looks_for() {
        for t in [
            "«El-Fasher» — विस्फोट, ระเบิด; Київ’s “6”",
            "ΟΔΟΣ Σ ΣΑΣ MixedCase",
            "ZÜRICH StraÉ aÑb Ωmega",
            "",
            "  ,, ",
        ] {
            assert_eq!(
                index_text(t),
                words(t).collect::<Vec<_>>().join(" "),
                "{t:?}"
            );
        }
    }
}
