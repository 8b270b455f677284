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
    for w in text
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        if w.is_ascii() {
            let start = out.len();
            out.push_str(w);
            out[start..].make_ascii_lowercase();
        } else {
            out.push_str(&w.to_lowercase());
        }
    }
    out
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
    fn the_index_holds_exactly_the_words_a_query_looks_for() {
        for t in [
            "«El-Fasher» — विस्फोट, ระเบิด; Київ’s “6”",
            "ΟΔΟΣ Σ ΣΑΣ MixedCase",
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
