//! Paragraphs, sentences and tokens with byte offsets into the original text.

use sitrep_model::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, possibly with inner hyphens or apostrophes ("Rostov-on-Don", "O'Neill").
    Word,
    /// Starts with a digit ("1,200", "28-point", "2025").
    Number,
    /// A possessive ending split off its word ("’s", "'s", or a bare "’" after a plural).
    Possessive,
    /// Any other single character that is not whitespace.
    Punct,
}

/// One token of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

/// One sentence: its span, its paragraph and its token range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub paragraph: usize,
    /// Index range into [`Document::tokens`].
    pub tokens: std::ops::Range<usize>,
}

/// A segmented text: paragraphs, sentences and tokens, all with byte spans into `text`.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub paragraphs: Vec<Span>,
    pub sentences: Vec<Sentence>,
    pub tokens: Vec<Token>,
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm",
    "brig", "cmdr", "gov", "sen", "rep", "st", "mt", "ft", "jr", "sr", "no", "vs", "etc", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd",
    "co", "corp", "u.s", "u.k", "u.n", "e.g", "i.e", "approx", "est", "pres", "rev", "hon", "fig",
    "al",
];

impl Document {
    /// Segment `text`. Paragraphs are separated by newlines; sentences end at `.`, `!`, `?` or `…`
    /// followed by space and a capital, a digit or an opening quote, except after abbreviations and
    /// initials, and never inside a quotation that closes later in the same paragraph.
    pub fn new(text: String) -> Document {
        let paragraphs = paragraphs(&text);
        let tokens = tokenize(&text);
        let mut sentences = Vec::new();
        let mut t = 0;
        for (pi, p) in paragraphs.iter().enumerate() {
            for s in sentence_spans(&text, *p) {
                while t < tokens.len() && tokens[t].span.end <= s.start {
                    t += 1;
                }
                let first = t;
                while t < tokens.len() && tokens[t].span.start < s.end {
                    t += 1;
                }
                sentences.push(Sentence {
                    span: s,
                    paragraph: pi,
                    tokens: first..t,
                });
            }
        }
        Document {
            text,
            paragraphs,
            sentences,
            tokens,
        }
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    /// The text of token `i`.
    pub fn tok(&self, i: usize) -> &str {
        self.slice(self.tokens[i].span)
    }

    /// The index of the sentence containing byte `offset`.
    pub fn sentence_at(&self, offset: u32) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= offset);
        (i < self.sentences.len() && self.sentences[i].span.start <= offset).then_some(i)
    }

    /// The index of the first token starting at or after byte `offset`.
    pub fn token_at(&self, offset: u32) -> usize {
        self.tokens.partition_point(|t| t.span.start < offset)
    }
}

fn paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            out.push(Span::new(start + lead, start + lead + trimmed.len()));
        }
        start += line.len() + 1;
    }
    out
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '”' | '»')
}

fn sentence_spans(text: &str, para: Span) -> Vec<Span> {
    let p = &text[para.range()];
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    // Where the paragraph's last closing quotation mark is: "closes later" is then one comparison.
    let last_close = p.rfind(['”', '"', '»']);
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut in_quote = false; // inside a double quotation
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c == '"' {
            in_quote = !in_quote;
        } else if is_open_quote(c) {
            in_quote = true;
        } else if is_close_quote(c) {
            in_quote = false;
        }
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        // Skip closing quotes and brackets right after the terminator.
        let mut j = k + 1;
        let mut closes_quote = false;
        while j < chars.len() && matches!(chars[j].1, '”' | '"' | '’' | '\'' | ')' | ']' | '»')
        {
            if matches!(chars[j].1, '”' | '"' | '»') {
                closes_quote = true;
            }
            j += 1;
        }
        if j >= chars.len() || !chars[j].1.is_whitespace() {
            continue;
        }
        let mut n = j;
        while n < chars.len() && chars[n].1.is_whitespace() {
            n += 1;
        }
        let Some(&(_, next)) = chars.get(n) else {
            continue;
        };
        if !(next.is_uppercase()
            || next.is_ascii_digit()
            || is_open_quote(next)
            || next == '"'
            || next == '‘')
        {
            continue;
        }
        if c == '.' && is_abbreviation(p, i) {
            continue;
        }
        // Inside a quotation that the paragraph closes later, the sentence goes on.
        let quote_open_after = in_quote && !closes_quote;
        if quote_open_after && last_close.is_some_and(|lc| lc >= chars[j].0) {
            continue;
        }
        let end = chars.get(j).map_or(p.len(), |&(b, _)| b);
        out.push(Span::new(
            para.start as usize + start,
            para.start as usize + end,
        ));
        start = chars[n].0;
        if closes_quote {
            in_quote = false;
        }
    }
    if start < p.len() {
        out.push(Span::new(para.start as usize + start, para.end as usize));
    }
    out
}

/// Is the '.' at byte `dot` of `p` the end of an abbreviation or an initial?
fn is_abbreviation(p: &str, dot: usize) -> bool {
    let before = &p[..dot];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '“' || c == '"')
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    // A single capital letter is an initial ("Donald J. Trump").
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_uppercase();
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Split text into tokens. Hyphenated compounds stay one token; a possessive `'s`/`’s` is split off.
fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_alphanumeric() {
            let kind = if c.is_ascii_digit() {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    chars.next();
                    continue;
                }
                // Inner joiners: hyphen, apostrophe, and for numbers comma/point between digits.
                let joiner = matches!(d, '-' | '\'' | '’' | '‐' | '‑')
                    || (kind == TokenKind::Number && matches!(d, ',' | '.'));
                if !joiner {
                    break;
                }
                let after = text[j + d.len_utf8()..].chars().next();
                let Some(a) = after else { break };
                if !a.is_alphanumeric() {
                    break;
                }
                if matches!(d, '\'' | '’') {
                    // "’s" at a word end is a possessive, not part of the word.
                    let rest = &text[j + d.len_utf8()..];
                    let s_end = rest.chars().nth(1);
                    if (a == 's' || a == 'S') && s_end.is_none_or(|x| !x.is_alphanumeric()) {
                        break;
                    }
                }
                if kind == TokenKind::Number && matches!(d, ',' | '.') && !a.is_ascii_digit() {
                    break;
                }
                chars.next();
                end = j + d.len_utf8();
            }
            out.push(Token {
                span: Span::new(i, end),
                kind,
            });
            continue;
        }
        if matches!(c, '\'' | '’') {
            let prev_word = out
                .last()
                .is_some_and(|t: &Token| t.span.end as usize == i && t.kind == TokenKind::Word);
            if prev_word {
                let rest = &text[i + c.len_utf8()..];
                let mut r = rest.chars();
                let s = r.next();
                if matches!(s, Some('s' | 'S')) && r.next().is_none_or(|x| !x.is_alphanumeric()) {
                    let end = i + c.len_utf8() + 1;
                    out.push(Token {
                        span: Span::new(i, end),
                        kind: TokenKind::Possessive,
                    });
                    chars.next();
                    continue;
                }
                // Plural possessive ("Russians’ demands"): the apostrophe after an s.
                let prev = &text[..i];
                if prev.ends_with(['s', 'S']) && s.is_some_and(char::is_whitespace) {
                    out.push(Token {
                        span: Span::new(i, i + c.len_utf8()),
                        kind: TokenKind::Possessive,
                    });
                    continue;
                }
            }
        }
        out.push(Token {
            span: Span::new(i, i + c.len_utf8()),
            kind: TokenKind::Punct,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sentences(text: &str) -> Vec<String> {
        let d = Document::new(text.to_string());
        d.sentences
            .iter()
            .map(|s| d.slice(s.span).to_string())
            .collect()
    }

    fn words(text: &str) -> Vec<String> {
        let d = Document::new(text.to_string());
        d.tokens
            .iter()
            .map(|t| d.slice(t.span).to_string())
            .collect()
    }

    #[test]
    fn splits_at_full_stops_but_not_after_titles_or_initials() {
        assert_eq!(
            sentences(
                "Gen. Ali spoke. Donald J. Trump met U.S. envoys in St. Petersburg. Talks ended."
            ),
            [
                "Gen. Ali spoke.",
                "Donald J. Trump met U.S. envoys in St. Petersburg.",
                "Talks ended."
            ]
        );
    }

    #[test]
    fn a_quotation_spanning_sentences_stays_in_one_sentence() {
        assert_eq!(
            sentences("“We will rebuild. We always do,” she said. Then she left."),
            [
                "“We will rebuild. We always do,” she said.",
                "Then she left."
            ]
        );
    }

    #[test]
    fn a_sentence_may_end_inside_a_closing_quote() {
        assert_eq!(
            sentences("He called it “terror.” Later he left."),
            ["He called it “terror.”", "Later he left."]
        );
    }

    #[test]
    fn paragraphs_are_lines() {
        let d = Document::new("One.\n\n  Two.  \nThree".to_string());
        let ps: Vec<&str> = d.paragraphs.iter().map(|p| d.slice(*p)).collect();
        assert_eq!(ps, ["One.", "Two.", "Three"]);
    }

    #[test]
    fn tokens_keep_compounds_and_split_possessives() {
        assert_eq!(
            words("Washington’s 28-point plan hit Rostov-on-Don; 1,200.5 fled. Russians’ demands"),
            [
                "Washington",
                "’s",
                "28-point",
                "plan",
                "hit",
                "Rostov-on-Don",
                ";",
                "1,200.5",
                "fled",
                ".",
                "Russians",
                "’",
                "demands"
            ]
        );
    }

    #[test]
    fn apostrophes_inside_names_stay() {
        assert_eq!(words("Kam'yanka O’Neill"), ["Kam'yanka", "O’Neill"]);
    }

    proptest! {
        #[test]
        fn spans_are_ordered_char_boundaries(s in "\\PC{0,200}") {
            let d = Document::new(s.clone());
            let mut last = 0u32;
            for t in &d.tokens {
                prop_assert!(t.span.start >= last && t.span.end > t.span.start);
                prop_assert!(s.is_char_boundary(t.span.start as usize) && s.is_char_boundary(t.span.end as usize));
                last = t.span.end;
            }
            for sent in &d.sentences {
                prop_assert!(s.is_char_boundary(sent.span.start as usize) && s.is_char_boundary(sent.span.end as usize));
                prop_assert!(sent.span.start <= sent.span.end);
                for ti in sent.tokens.clone() {
                    prop_assert!(sent.span.contains(d.tokens[ti].span));
                }
            }
        }

        #[test]
        fn every_word_token_lies_in_some_sentence(s in "[A-Za-z .!?“”\"\n]{0,120}") {
            let d = Document::new(s);
            let covered: usize = d.sentences.iter().map(|x| x.tokens.len()).sum();
            prop_assert_eq!(covered, d.tokens.len());
        }
    }
}
