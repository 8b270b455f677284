//! Counts as news reports write them: "16", "1,200", "nine", "twenty-five", "two dozen",
//! "dozens", "at least 16", "more than 20", "nearly 300".
//!
//! This module reads *numbers*; whether a number counts casualties is the extractor's call (a
//! "28-point plan" and "16 drones" are numbers too). Hyphenated modifiers such as "28-point" or
//! "34-year-old" are reported as [`NumberMention::modifier`] so callers can skip them.

use crate::segment::{Document, TokenKind};
use sitrep_model::{Count, Qualifier, Span};

/// A number found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberMention {
    pub count: Count,
    /// From the first qualifier word to the last number word.
    pub span: Span,
    /// Token index range `[first, end)`, qualifier included.
    pub first: usize,
    pub end: usize,
    /// A hyphenated modifier ("28-point", "34-year-old"): a number, never a headcount.
    pub modifier: bool,
    /// A vague quantity ("dozens", "several"): value is a conventional lower bound.
    pub vague: bool,
    /// Four digits between 1900 and 2100 with nothing else: probably a year.
    pub year_like: bool,
}

const QUALIFIERS: &[(&[&str], Qualifier)] = &[
    (&["at", "least"], Qualifier::AtLeast),
    (&["no", "fewer", "than"], Qualifier::AtLeast),
    (&["no", "less", "than"], Qualifier::AtLeast),
    (&["more", "than"], Qualifier::AtLeast),
    (&["over"], Qualifier::AtLeast),
    (&["upwards", "of"], Qualifier::AtLeast),
    (&["in", "excess", "of"], Qualifier::AtLeast),
    (&["at", "most"], Qualifier::AtMost),
    (&["up", "to"], Qualifier::AtMost),
    (&["as", "many", "as"], Qualifier::AtMost),
    (&["fewer", "than"], Qualifier::AtMost),
    (&["less", "than"], Qualifier::AtMost),
    (&["no", "more", "than"], Qualifier::AtMost),
    (&["nearly"], Qualifier::Approximately),
    (&["almost"], Qualifier::Approximately),
    (&["about"], Qualifier::Approximately),
    (&["around"], Qualifier::Approximately),
    (&["roughly"], Qualifier::Approximately),
    (&["approximately"], Qualifier::Approximately),
    (&["some"], Qualifier::Approximately),
    (&["an", "estimated"], Qualifier::Approximately),
    (&["close", "to"], Qualifier::Approximately),
];

/// The value of a number word ("nine" → 9, "twenty" → 20). Case-insensitive.
pub fn word_value(w: &str) -> Option<u64> {
    let w = w.to_ascii_lowercase();
    Some(match w.as_str() {
        "zero" | "no" => 0,
        "one" | "a" | "an" | "single" => 1,
        "two" | "both" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn multiplier(w: &str) -> Option<u64> {
    Some(match w.to_ascii_lowercase().as_str() {
        "hundred" => 100,
        "thousand" => 1_000,
        "million" => 1_000_000,
        "dozen" => 12,
        _ => return None,
    })
}

/// Vague quantities and the lower bound ACLED codes for them (dozens 12, hundreds 100).
fn vague(w: &str) -> Option<(u64, Qualifier)> {
    Some(match w.to_ascii_lowercase().as_str() {
        "dozens" => (12, Qualifier::AtLeast),
        "scores" => (20, Qualifier::AtLeast),
        "hundreds" => (100, Qualifier::AtLeast),
        "thousands" => (1_000, Qualifier::AtLeast),
        "several" => (3, Qualifier::AtLeast),
        "numerous" | "many" => (3, Qualifier::AtLeast),
        _ => return None,
    })
}

/// Parse a written number like "1,200", "3.5" (→ 3) or a number word; `None` otherwise.
fn token_value(tok: &str, kind: TokenKind) -> Option<u64> {
    if kind == TokenKind::Number {
        if tok.contains('-') {
            return None;
        }
        let int = tok.split('.').next().unwrap_or(tok).replace(',', "");
        return int.parse().ok();
    }
    if let Some(v) = word_value(tok) {
        return Some(v);
    }
    // "twenty-five"
    let (a, b) = tok.split_once(['-', '‑'])?;
    let (x, y) = (word_value(a)?, word_value(b)?);
    (x >= 20 && x % 10 == 0 && y < 10).then_some(x + y)
}

/// Read the number starting at token `i` (a qualifier, a digit or a number word).
///
/// ```
/// use sitrep_text::{Document, numbers::parse_at};
/// let d = Document::new("at least 16 injured".into());
/// let n = parse_at(&d, 0).unwrap();
/// assert_eq!((n.count.value, n.count.at_least()), (16, true));
/// ```
pub fn parse_at(doc: &Document, i: usize) -> Option<NumberMention> {
    let (qualifier, j) = qualifier_at(doc, i);
    if let Some(r) = range_at(doc, i, j) {
        return Some(r);
    }
    let t = doc.tokens.get(j)?;
    let text = doc.tok(j);
    if t.kind == TokenKind::Number && text.contains('-') {
        // A hyphenated numeric modifier: "28-point", "34-year-old".
        let value = text
            .split('-')
            .next()
            .unwrap_or("")
            .replace(',', "")
            .parse()
            .ok()?;
        let count = Count { value, qualifier };
        return Some(NumberMention {
            modifier: true,
            ..mention(doc, i, j + 1, count)
        });
    }
    if let Some((value, q)) = vague(text) {
        let qualifier = if qualifier == Qualifier::Exact {
            q
        } else {
            qualifier
        };
        let count = Count { value, qualifier };
        return Some(NumberMention {
            vague: true,
            ..mention(doc, i, j + 1, count)
        });
    }
    if let Some(n) = decimal_multiple(doc, i, j, qualifier) {
        return Some(n);
    }
    let (value, last) = multiplied(doc, j)?;
    let (value, last) = and_tail(doc, value, last);
    let year_like =
        t.kind == TokenKind::Number && text.len() == 4 && (1900..=2100).contains(&value);
    // "8 - 14 civilians", "one or two soldiers": a range (not "from 5 to 12", a change).
    let from = i > 0 && doc.tok(i - 1).eq_ignore_ascii_case("from");
    if let Some(end) = range_end(doc, last + 1, value, false).filter(|_| !from && !year_like) {
        return Some(range(doc, i, end, value));
    }
    let count = Count { value, qualifier };
    Some(NumberMention {
        year_like,
        ..mention(doc, i, last + 1, count)
    })
}

/// The qualifier phrase at token `i` ("at least", "nearly"; exact when none) and the token
/// after it.
fn qualifier_at(doc: &Document, i: usize) -> (Qualifier, usize) {
    let n = doc.tokens.len();
    QUALIFIERS
        .iter()
        .find(|(words, _)| {
            i + words.len() < n
                && (words.iter().enumerate()).all(|(k, w)| doc.tok(i + k).eq_ignore_ascii_case(w))
        })
        .map_or((Qualifier::Exact, i), |(words, q)| (*q, i + words.len()))
}

/// A mention of `count` over tokens `[first, end)`, neither modifier, vague nor a year.
fn mention(doc: &Document, first: usize, end: usize, count: Count) -> NumberMention {
    NumberMention {
        count,
        span: Span::new(
            doc.tokens[first].span.start as usize,
            doc.tokens[end - 1].span.end as usize,
        ),
        first,
        end,
        modifier: false,
        vague: false,
        year_like: false,
    }
}

/// "1.5 million": digits with a decimal point at `j`, times the multiplier after them.
fn decimal_multiple(
    doc: &Document,
    i: usize,
    j: usize,
    qualifier: Qualifier,
) -> Option<NumberMention> {
    let text = doc.tok(j);
    let kind = doc.tokens[j].kind;
    if kind != TokenKind::Number || !text.contains('.') || token_value(text, kind).is_none() {
        return None;
    }
    let m = doc
        .tokens
        .get(j + 1)
        .and_then(|_| multiplier(doc.tok(j + 1)))?;
    let f: f64 = text.replace(',', "").parse().ok()?;
    let count = Count {
        value: (f * m as f64) as u64,
        qualifier,
    };
    Some(mention(doc, i, j + 2, count))
}

/// The value of the number at `j` times the multipliers after it ("two hundred", "three
/// thousand", "two dozen", "a dozen"), and the index of its last token. "No", "both" and
/// "single" alone are not read here: only in the company of a qualifier or noun.
fn multiplied(doc: &Document, j: usize) -> Option<(u64, usize)> {
    let text = doc.tok(j);
    if text.eq_ignore_ascii_case("a") || text.eq_ignore_ascii_case("an") {
        let m = doc
            .tokens
            .get(j + 1)
            .and_then(|_| multiplier(doc.tok(j + 1)))?;
        return Some((m, j + 1));
    }
    let mut value = token_value(text, doc.tokens[j].kind)?;
    if ["no", "both", "single"]
        .iter()
        .any(|w| text.eq_ignore_ascii_case(w))
    {
        return None;
    }
    let mut last = j;
    while let Some(m) = doc
        .tokens
        .get(last + 1)
        .and_then(|_| multiplier(doc.tok(last + 1)))
    {
        value = value.saturating_mul(m);
        last += 1;
    }
    Some((value, last))
}

/// "two hundred and fifty": hundreds or more, then "and" and a number below a hundred.
fn and_tail(doc: &Document, value: u64, last: usize) -> (u64, usize) {
    let small = doc
        .tokens
        .get(last + 2)
        .filter(|_| value >= 100 && doc.tok(last + 1).eq_ignore_ascii_case("and"))
        .and_then(|t| token_value(doc.tok(last + 2), t.kind))
        .filter(|&v| v < 100);
    small.map_or((value, last), |v| (value + v, last + 2))
}

/// A range starting at token `i` whose number starts at `j`, counted by its lower bound:
/// "between 35 and 45", "between two to three", "2-3", "33-40".
fn range_at(doc: &Document, i: usize, j: usize) -> Option<NumberMention> {
    let t = doc.tokens.get(j)?;
    if let Some(low) = hyphen_range(doc.tok(j)).filter(|_| t.kind == TokenKind::Number) {
        return Some(range(doc, i, j + 1, low));
    }
    if j + 3 >= doc.tokens.len() || !doc.tok(j).eq_ignore_ascii_case("between") {
        return None;
    }
    let n = parse_at(doc, j + 1).filter(|n| !n.modifier && !n.vague)?;
    let inner_range = n.count.at_least() && n.first == j + 1;
    let end = range_end(doc, n.end, n.count.value, true).or(inner_range.then_some(n.end))?;
    Some(range(doc, i, end, n.count.value))
}

/// The low end of a range written in one token ("2-3", "33-40"), if the high end is larger.
fn hyphen_range(text: &str) -> Option<u64> {
    let (a, b) = text.split_once('-')?;
    let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
    (a < b).then_some(a)
}

/// The token after a range's high end, when the tokens from `j` on are "to", "or", a dash (or,
/// after "between", "and") and a number larger than `low`.
fn range_end(doc: &Document, j: usize, low: u64, between: bool) -> Option<usize> {
    let link = doc.tokens.get(j).map(|_| doc.tok(j).to_ascii_lowercase())?;
    if !(matches!(link.as_str(), "to" | "or" | "-" | "–") || (between && link == "and")) {
        return None;
    }
    let t = doc.tokens.get(j + 1)?;
    let high = token_value(doc.tok(j + 1), t.kind)?;
    let next_is_multiplier = doc
        .tokens
        .get(j + 2)
        .is_some_and(|_| multiplier(doc.tok(j + 2)).is_some());
    (high > low && !next_is_multiplier).then_some(j + 2)
}

/// A range from token `i` to `end` (exclusive), counted by its lower bound `low`.
fn range(doc: &Document, i: usize, end: usize, low: u64) -> NumberMention {
    let count = Count {
        value: low,
        qualifier: Qualifier::AtLeast,
    };
    mention(doc, i, end, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(s: &str) -> Option<(u64, Qualifier, bool)> {
        let d = Document::new(s.to_string());
        parse_at(&d, 0).map(|n| (n.count.value, n.count.qualifier, n.modifier))
    }

    #[test]
    fn at_least_sixteen_is_a_lower_bound() {
        assert_eq!(
            read("at least 16 injured"),
            Some((16, Qualifier::AtLeast, false))
        );
    }

    #[test]
    fn number_words_and_compounds_are_read() {
        assert_eq!(read("nine people"), Some((9, Qualifier::Exact, false)));
        assert_eq!(
            read("twenty-five dead"),
            Some((25, Qualifier::Exact, false))
        );
        assert_eq!(read("two dozen"), Some((24, Qualifier::Exact, false)));
        assert_eq!(read("a dozen"), Some((12, Qualifier::Exact, false)));
        assert_eq!(
            read("three hundred and twelve"),
            Some((312, Qualifier::Exact, false))
        );
        assert_eq!(read("1,200 homes"), Some((1200, Qualifier::Exact, false)));
        assert_eq!(
            read("1.5 million"),
            Some((1_500_000, Qualifier::Exact, false))
        );
    }

    #[test]
    fn qualifiers_set_the_bound() {
        assert_eq!(read("more than 20"), Some((20, Qualifier::AtLeast, false)));
        assert_eq!(
            read("nearly 300"),
            Some((300, Qualifier::Approximately, false))
        );
        assert_eq!(read("up to 40"), Some((40, Qualifier::AtMost, false)));
    }

    #[test]
    fn vague_quantities_get_conventional_lower_bounds() {
        assert_eq!(read("dozens of"), Some((12, Qualifier::AtLeast, false)));
        assert_eq!(read("hundreds"), Some((100, Qualifier::AtLeast, false)));
    }

    #[test]
    fn hyphenated_modifiers_are_flagged() {
        assert_eq!(read("28-point plan"), Some((28, Qualifier::Exact, true)));
        assert_eq!(read("34-year-old"), Some((34, Qualifier::Exact, true)));
    }

    #[test]
    fn ranges_count_their_lower_bound() {
        let low = Some((2, Qualifier::AtLeast, false));
        assert_eq!(read("2-3 soldiers"), low);
        assert_eq!(
            read("at least 33-40"),
            Some((33, Qualifier::AtLeast, false))
        );
        assert_eq!(read("2 - 3 soldiers"), low);
        assert_eq!(read("between two and three"), low);
        assert_eq!(read("between 2 to 3"), low);
        assert_eq!(read("two or three"), low);
        assert_eq!(read("2 and 3"), Some((2, Qualifier::Exact, false)));
        assert_eq!(read("2022-06-01"), Some((2022, Qualifier::Exact, true)));
        let d = Document::new("rose from 5 to 12".to_string());
        assert_eq!(parse_at(&d, 2).map(|n| n.count.value), Some(5));
        assert_eq!(parse_at(&d, 2).map(|n| n.end), Some(3));
    }

    #[test]
    fn plain_words_are_not_numbers() {
        assert_eq!(read("people"), None);
        assert_eq!(read("at least people"), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_reads_plain_integers(n in 0u64..10_000_000, junk in "\\PC{0,40}") {
            let d = Document::new(format!("{n} {junk}"));
            let m = parse_at(&d, 0).unwrap();
            prop_assert_eq!(m.count.value, n);
            let d = Document::new(junk);
            for i in 0..d.tokens.len() { let _ = parse_at(&d, i); }
        }
    }
}
