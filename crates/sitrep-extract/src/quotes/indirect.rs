//! Reported speech without quotation marks: "The ministry said that 12 soldiers were killed",
//! "Russia has denied targeting civilians, a spokesman said", "According to the governor, …".
//!
//! Whether a word is an attribution cue in its sentence is learned (`models/cues.slm`, `sitrep
//! train cues` on PolNeAR's annotated cue spans): each word outside quotation marks is scored
//! against a constant "no cue" ([`cue_features`]); `data/reporting_verbs.txt` is one of its
//! features. The reported content is cut by clause rules ([`content_of`]): after the cue ("said
//! (that) …"), or before it when the cue and its subject close the sentence after a comma ("…,
//! a spokesman said"; "…, according to X"). Its speaker is found as a direct quote's is: the
//! subject of the cue (a name, a pronoun, a title, "the ministry") is the rule's pick, fed to
//! the learned ranking of [`crate::speakers`] with the content as the quote's place. An indirect
//! quote never overlaps a direct one (a content running into quotation marks stops before them).

use super::{subject_before, Quoted};
use crate::mentions::Referent;
use crate::speakers::{self, Ctx, Decisions, GoldQuote, Said, Site};
use sitrep_learn::{rank, Features, Model};
use sitrep_model::{Quote, Source, Span};
use sitrep_text::TokenKind;
use std::sync::OnceLock;

static MODEL_BYTES: &[u8] = include_bytes!("../../models/cues.slm");

/// The embedded cue model, loaded once.
pub fn cue_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(MODEL_BYTES).expect("models/cues.slm is a model"))
}

/// Most tokens of a reported content (an endless sentence is read near its cue only).
const MAX_TOKENS: usize = 150;
/// Fewest words a reported content has.
const MIN_WORDS: usize = 3;
/// Most tokens that may follow a closing cue ("…, he said on Monday in a statement.").
const TAIL: usize = 8;
/// Most tokens between a cue and the "that" opening its content ("told reporters on Monday that").
const THAT_WINDOW: usize = 8;

/// The constant rival of [`cue_features`].
pub fn no_cue_features() -> Vec<u32> {
    let mut f = Features::new();
    f.flag("nocue");
    f.into_ids()
}

/// The features of "word `k` is an attribution cue": the word, its neighbours, whether the
/// reporting-verb list has it, what precedes it (a name, a pronoun, a comma) and what follows
/// it ("that", a comma, the sentence end).
pub fn cue_features(ctx: &Ctx, k: usize) -> Vec<u32> {
    let low = |j: usize| ctx.rec.low.get(j).map_or("</s>", String::as_str);
    let sent = ctx
        .doc
        .sentence_at(ctx.doc.tokens[k].span.start)
        .map_or(k..k + 1, |s| ctx.doc.sentences[s].tokens.clone());
    let prev = |d: usize| {
        if k >= sent.start + d {
            low(k - d)
        } else {
            "<s>"
        }
    };
    let next = |d: usize| if k + d < sent.end { low(k + d) } else { "</s>" };
    let w = low(k);
    let listed = if ctx.lex.reporting_verbs.contains(w) {
        "1"
    } else {
        "0"
    };
    let mut f = Features::new();
    f.flag("cue");
    f.add("cw", w);
    f.add("cl", listed);
    f.add2(
        "cls",
        listed,
        if ctx.lex.speech_verbs.contains(w) {
            "s"
        } else {
            "-"
        },
    );
    f.add2("cp1", prev(1), w);
    f.add2("cn1", w, next(1));
    f.add2("clp1", listed, prev(1));
    f.add2("cln1", listed, next(1));
    f.add2("clp2", listed, &format!("{} {}", prev(2), prev(1)));
    f.add2("cln2", listed, &format!("{} {}", next(1), next(2)));
    let suffix: String = w.chars().rev().take(3).collect();
    f.add("csuf", &suffix);
    let that = (1..=3).any(|d| next(d) == "that");
    f.add2("cthat", listed, if that { "1" } else { "0" });
    let tail = sent.end.saturating_sub(k + 1).min(TAIL + 1);
    f.add2("ctail", listed, &tail.to_string());
    let subject = ctx
        .rec
        .ending_at(k)
        .is_some_and(|m| !matches!(m.referent, Referent::Place(_)));
    f.add2("csubj", listed, if subject { "1" } else { "0" });
    let cap = ctx.doc.tok(k).starts_with(char::is_uppercase);
    f.add2("ccap", listed, if cap { "1" } else { "0" });
    f.into_ids()
}

/// Is word `k` (outside quotation marks) a cue, by `model`?
pub fn is_cue(ctx: &Ctx, model: &Model, k: usize, none: f32) -> bool {
    rank::score(model, &cue_features(ctx, k)) > none
}

/// The reported content of the cue at tokens `[c0, c1)`, as a token range, and whether it
/// stands before the cue; `None` when the sentence has no clause to report.
pub fn content_of(ctx: &Ctx, c0: usize, c1: usize) -> Option<(usize, usize, bool)> {
    let low = |j: usize| ctx.rec.low[j].as_str();
    let si = ctx.doc.sentence_at(ctx.doc.tokens[c0].span.start)?;
    let sent = ctx.doc.sentences[si].tokens.clone();
    let mut end = sent.end;
    while end > c1 && ctx.doc.tokens[end - 1].kind == TokenKind::Punct {
        end -= 1;
    }
    // The clause after the cue, up to a comma: short and without "that" when the cue and its
    // subject close the report ("…, said X, a senior official", "…, he said on Monday").
    let tail_end = (c1..end)
        .take(TAIL + 1)
        .find(|&j| low(j) == ",")
        .unwrap_or(end);
    let tail_ok = tail_end - c1 <= TAIL && !(c1..tail_end).any(|j| low(j) == "that");
    let comma_before = c0 > sent.start && low(c0 - 1) == ",";
    // Where a content before the cue at most begins (an endless sentence is read near its cue).
    let from = |e: usize| sent.start.max(e.saturating_sub(MAX_TOKENS));
    let comma_back =
        |from: usize, n: usize| (sent.start..from).rev().take(n).find(|&j| low(j) == ",");
    if low(c0) == "according" {
        return if c0 == sent.start {
            // "According to X, …": the content follows the comma after the source.
            let comma = (c1..end).take(12).find(|&j| low(j) == ",")?;
            Some((comma + 1, end.min(comma + 1 + MAX_TOKENS), false))
        } else {
            (comma_before && tail_ok).then_some((from(c0 - 1), c0 - 1, true))
        };
    }
    if comma_before && tail_ok {
        if names_after(ctx, c1) {
            // "…, said the spokesman."
            return Some((from(c0 - 1), c0 - 1, true));
        }
        // "…, Jane Doe, a spokeswoman, said.": past the appositive and the name.
        let open = comma_back(c0 - 1, 25).filter(|_| tail_end == end);
        if let Some(c) = open.and_then(|o| comma_back(o, TAIL)) {
            return Some((from(c), c, true));
        }
    }
    if let Some(comma) = comma_back(c0, TAIL).filter(|_| !comma_before && tail_ok) {
        let words = (from(comma)..comma)
            .filter(|&j| ctx.doc.tokens[j].kind == TokenKind::Word)
            .count();
        // "…, a spokesman said."; "…, he said Friday, as …"; "The test, X said, was its
        // biggest": a content too short before the cue goes on after it.
        if tail_end == end || words > MIN_WORDS {
            return Some((from(comma), comma, true));
        }
        if tail_end == c1 {
            return Some((from(comma), end.min(comma + MAX_TOKENS), true));
        }
    }
    // "X said (that) …": the rest of the sentence, from "that" when it comes soon.
    let start = (c1..end.min(c1 + THAT_WINDOW))
        .find(|&j| low(j) == "that")
        .unwrap_or(c1);
    Some((start, end.min(start + MAX_TOKENS), false))
}

/// Does a speaker follow the cue ending at `c1`: a capitalised word, a title, a person noun or
/// a pronoun, after an article ("said the spokesman", "said Jane Doe")?
fn names_after(ctx: &Ctx, c1: usize) -> bool {
    let n = ctx.doc.tokens.len();
    let mut j = c1;
    if j < n && matches!(ctx.rec.low[j].as_str(), "the" | "a" | "an" | "to") {
        j += 1;
    }
    j < n && {
        let w = ctx.rec.low[j].as_str();
        ctx.doc.tok(j).starts_with(char::is_uppercase)
            || ctx.lex.titles.contains(w)
            || ctx.lex.person_nouns.contains(w)
            || matches!(w, "he" | "she" | "they")
    }
}

/// The speaker the rule reads for a cue at `[c0, c1)`: the subject before it, else the name
/// after it ("said the spokesman", "according to X").
fn rule_speaker(
    ctx: &Ctx,
    q: &Quoted,
    c0: usize,
    c1: usize,
    floor: usize,
) -> Option<(Source, Option<Span>)> {
    if let Some(s) = subject_before(ctx.doc, ctx.lex, ctx.rec, c0, floor) {
        return Some(s);
    }
    let low = |j: usize| ctx.rec.low.get(j).map_or("", String::as_str);
    if matches!(low(c0), "told" | "tells" | "asked") {
        return None;
    }
    let mut j = c1;
    if low(j) == "to" {
        j += 1;
    }
    if low(j) == "the" {
        j += 1;
    }
    let m = ctx
        .rec
        .starting_at(j)
        .filter(|m| !matches!(m.referent, Referent::Place(_)))?;
    (!q.is_masked(m.span.start))
        .then(|| {
            ctx.rec
                .source_of(ctx.lex, ctx.doc, m)
                .map(|s| (s, Some(m.span)))
        })
        .flatten()
}

/// The cue runs of a report (token ranges of consecutive cue words outside quotation marks).
fn cue_runs(ctx: &Ctx, q: &Quoted, model: &Model) -> Vec<(usize, usize)> {
    let none = rank::score(model, &no_cue_features());
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for k in 0..ctx.doc.tokens.len() {
        let t = ctx.doc.tokens[k];
        if t.kind != TokenKind::Word || q.is_masked(t.span.start) || !is_cue(ctx, model, k, none) {
            continue;
        }
        match runs.last_mut() {
            Some(r) if r.1 == k => r.1 = k + 1,
            _ => runs.push((k, k + 1)),
        }
    }
    runs
}

/// Does byte span `s` overlap a direct quote or any quotation marks?
fn overlaps_direct(q: &Quoted, s: Span) -> bool {
    let i = q.masked.partition_point(|m| m.end <= s.start);
    i < q.masked.len() && q.masked[i].start < s.end
}

/// Cuts a content short of the first quotation marks inside it.
fn before_marks(q: &Quoted, s: Span) -> Span {
    let i = q.masked.partition_point(|m| m.end <= s.start);
    match q.masked.get(i) {
        Some(m) if m.start < s.end && m.start > s.start => {
            Span::new(s.start as usize, m.start as usize)
        }
        _ => s,
    }
}

/// Does content `span`, of the cue at byte `cue`, overlap the earlier content `o` other than as
/// a report inside it ("X said that Y claimed that …": Y's claim is X's content and a content
/// of its own)?
/// `cue` is `None` for a cue that may not nest.
fn overlaps_unnested(o: &Quote, span: Span, cue: Option<u32>) -> bool {
    let nested = cue.is_some_and(|cue| {
        o.start <= cue && cue < o.end && o.start <= span.start && span.end <= o.end
    });
    o.start < span.end && span.start < o.end && !nested
}

/// Where the subject of the cue at `c0` may begin, and the span the speaker ranking reads as
/// the quote's, for the content `(a, b, before)` at byte span `span`. A content before the cue
/// has its subject after its comma; one that runs on past the cue ("The test, X said, was its
/// biggest") is read as its part before the comma, so that the subject between that comma and
/// the cue stays a candidate, as after a quotation ("“…,” X said"). A content after the cue
/// has its subject in the cue's sentence.
fn subject_floor(
    ctx: &Ctx,
    q: &Quoted,
    (a, b, before): (usize, usize, bool),
    c0: usize,
    span: Span,
) -> (usize, Span) {
    let sent = ctx
        .doc
        .sentence_at(ctx.doc.tokens[c0].span.start)
        .map_or(0..0, |si| ctx.doc.sentences[si].tokens.clone());
    if !before {
        return (sent.start, span);
    }
    if b <= c0 {
        return (b + 1, span);
    }
    let comma = (a.max(sent.start)..c0)
        .rev()
        .find(|&j| ctx.rec.low[j] == ",");
    match comma.filter(|&c| c > a) {
        Some(c) => {
            let head = Span::new(
                ctx.doc.tokens[a].span.start as usize,
                ctx.doc.tokens[c - 1].span.end as usize,
            );
            (c + 1, before_marks(q, head))
        }
        None => (sent.start, span),
    }
}

/// The indirect quotes of a report: one per cue run whose content has at least [`MIN_WORDS`]
/// words, none overlapping a direct quote, no two overlapping but a listed reporting verb's
/// content inside an earlier one; the speaker ranking reads them with weights of their own
/// ([`Site::indirect`]).
/// With `train`, also collects the speaker decisions of the contents that match a gold
/// attribution without quotation marks.
pub fn find(
    ctx: &Ctx,
    q: &Quoted,
    (model, speaker_model): (&Model, &Model),
    mut train: Option<(&[GoldQuote], &mut Decisions)>,
) -> Vec<Quote> {
    let mut out: Vec<Quote> = Vec::new();
    let said = Said::default();
    for (c0, c1) in cue_runs(ctx, q, model) {
        let Some((a, b, before)) = content_of(ctx, c0, c1) else {
            continue;
        };
        if b <= a
            || (a..b)
                .filter(|&j| ctx.doc.tokens[j].kind == TokenKind::Word)
                .count()
                < MIN_WORDS
        {
            continue;
        }
        let span = Span::new(
            ctx.doc.tokens[a].span.start as usize,
            ctx.doc.tokens[b - 1].span.end as usize,
        );
        // Cut short of quotation marks (dropping such a content instead measured lower).
        let span = before_marks(q, span);
        let text = ctx.doc.slice(span).trim_end_matches([',', ' ', ';', ':']);
        let span = Span::new(span.start as usize, span.start as usize + text.len());
        // A listed reporting verb may report inside an earlier content (measured: any cue
        // there lowered the dev compartment's F1, 69.1 -> 65.5; listed ones raised it).
        let nests = ctx
            .lex
            .reporting_verbs
            .contains(ctx.rec.low[c0].as_str())
            .then_some(ctx.doc.tokens[c0].span.start);
        if span.is_empty()
            || text.split_whitespace().count() < MIN_WORDS
            || overlaps_direct(q, span)
            || out
                .iter()
                .rev()
                .take(8)
                .any(|o| overlaps_unnested(o, span, nests))
        {
            continue;
        }
        let (floor, site_span) = subject_floor(ctx, q, (a, b, before), c0, span);
        let rule = rule_speaker(ctx, q, c0, c1, floor);
        let site = Site {
            outer: site_span,
            paragraph: ctx.doc.sentences[ctx.doc.sentence_at(span.start).unwrap_or(0)].paragraph,
            indirect: true,
        };
        if let Some((gold, dec)) = train.as_mut() {
            ctx.indirect_decisions(&site, span, rule.as_ref().and_then(|r| r.1), gold, dec);
        }
        let found = ctx.attribute(speaker_model, &site, rule.as_ref().and_then(|r| r.1), &said);
        // The ranker's pick, else the rule's: the ranker first measured better on PolNeAR, and
        // so did keeping a place it picks (a state named as a place speaks for itself; again
        // with reported speech's own ranker: dev speaker 79.7 % either way).
        let speaker = found.speaker.or(rule);
        out.push(Quote {
            text: text.to_string(),
            start: span.start,
            end: span.end,
            speaker: speaker.as_ref().map(|s| s.0.clone()),
            speaker_mention: speaker.as_ref().and_then(|s| s.1),
            continues: false,
            indirect: true,
        });
    }
    out.sort_by_key(|q| q.start);
    out
}

/// [`find`] with the embedded models, for a report's direct quotes `q`.
pub fn find_embedded(ctx: &Ctx, q: &Quoted) -> Vec<Quote> {
    find(ctx, q, (cue_model(), speakers::model()), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::mentions;
    use sitrep_gazetteer::Gazetteer;
    use sitrep_text::Document;

    /// The content `content_of` cuts for the cue word `cue` of `text`, and whether it stands
    /// before the cue.
    fn content(text: &str, cue: &str) -> Option<(String, bool)> {
        let doc = Document::new(text.to_string());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        let masked = super::super::masked(&doc);
        let idx = speakers::Index::new(&doc, lex, &rec, &masked);
        let ctx = Ctx::new(&doc, lex, &rec, &masked, &idx);
        let k = (0..doc.tokens.len()).find(|&k| rec.low[k] == cue)?;
        let end = if cue == "according" { k + 2 } else { k + 1 };
        let (a, b, before) = content_of(&ctx, k, end)?;
        let s = Span::new(
            doc.tokens[a].span.start as usize,
            doc.tokens[b - 1].span.end as usize,
        );
        Some((doc.slice(s).to_string(), before))
    }

    fn indirect(text: &str) -> Vec<Quote> {
        let doc = Document::new(text.to_string());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        super::super::find(&doc, lex, &rec).indirect
    }

    #[test]
    fn the_content_of_said_that_is_the_rest_of_the_sentence() {
        let got = content(
            "The ministry said that 12 soldiers were killed near the border.",
            "said",
        );
        assert_eq!(
            got,
            Some(("that 12 soldiers were killed near the border".into(), false))
        );
    }

    #[test]
    fn a_cue_closing_the_sentence_after_a_comma_reports_what_precedes_it() {
        let got = content(
            "Russia has denied targeting civilians, a spokesman said on Monday.",
            "said",
        );
        assert_eq!(
            got,
            Some(("Russia has denied targeting civilians".into(), true))
        );
        let got = content(
            "The bridge was destroyed overnight, according to the governor.",
            "according",
        );
        assert_eq!(
            got,
            Some(("The bridge was destroyed overnight".into(), true))
        );
    }

    #[test]
    fn according_to_opening_a_sentence_reports_what_follows_the_comma() {
        let got = content(
            "According to the governor, the bridge was destroyed overnight.",
            "according",
        );
        assert_eq!(
            got,
            Some(("the bridge was destroyed overnight".into(), false))
        );
    }

    #[test]
    fn reported_speech_is_found_with_its_speaker() {
        let q = indirect("Jane Ortiz said that the talks with the rebels had failed again.");
        assert_eq!(q.len(), 1, "{q:?}");
        assert!(q[0].indirect);
        assert!(
            q[0].text.contains("the talks with the rebels had failed"),
            "{q:?}"
        );
        assert_eq!(
            q[0].speaker.as_ref().map(|s| s.name.as_str()),
            Some("Jane Ortiz")
        );
    }

    #[test]
    fn a_cue_inside_its_content_has_the_subject_before_it_as_speaker() {
        let q = indirect("The latest test, Jane Ortiz said, was the biggest of the year.");
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(
            q[0].speaker.as_ref().map(|s| s.name.as_str()),
            Some("Jane Ortiz")
        );
    }

    #[test]
    fn a_content_may_hold_another_report_but_not_cross_one() {
        let outer = Quote {
            text: String::new(),
            start: 10,
            end: 60,
            speaker: None,
            speaker_mention: None,
            continues: false,
            indirect: true,
        };
        // "X said that Y claimed that …": the claim's cue and content lie in X's content.
        assert!(!overlaps_unnested(&outer, Span::new(30, 60), Some(20)));
        // A cue that may not nest, or a content running past the earlier one, overlaps.
        assert!(overlaps_unnested(&outer, Span::new(30, 60), None));
        assert!(overlaps_unnested(&outer, Span::new(30, 70), Some(20)));
        assert!(!overlaps_unnested(&outer, Span::new(60, 70), None));
    }

    #[test]
    fn reported_speech_never_overlaps_a_quotation() {
        let text = "Jane Ortiz said the army “will not retreat from the city” this week.";
        let doc = Document::new(text.to_string());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        let q = super::super::find(&doc, lex, &rec);
        for i in &q.indirect {
            assert!(
                q.masked
                    .iter()
                    .all(|m| m.end <= i.start || i.end <= m.start),
                "{i:?}"
            );
        }
    }

    #[test]
    fn a_quotation_serialises_without_the_indirect_field() {
        let mut q = Quote {
            text: "We will stay".into(),
            start: 0,
            end: 12,
            speaker: None,
            speaker_mention: None,
            continues: false,
            indirect: false,
        };
        let json = serde_json::to_string(&q).expect("json");
        assert!(!json.contains("indirect"), "{json}");
        q.indirect = true;
        let json = serde_json::to_string(&q).expect("json");
        assert!(json.contains("\"indirect\":true"), "{json}");
        let back: Quote = serde_json::from_str(&json).expect("back");
        assert_eq!(back, q);
    }
}
