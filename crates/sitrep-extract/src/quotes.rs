//! Direct quotations and who said them.
//!
//! Quotation marks are paired inside a paragraph (curly, straight and guillemets). A quote left
//! open at the end of a paragraph and picked up by an opening mark at the start of the next is one
//! quotation, as wire style writes long ones: it is reported as one [`Quote`] per paragraph, the
//! later ones marked `continues`, all with the speaker found anywhere in it. A short quoted phrase in a sentence with no speech
//! cue ("members of the “coalition of the willing”") is a *term*, not a quotation.
//!
//! Who spoke, and whether a lone stretch is a quotation or a term, are learned decisions
//! ([`crate::speakers`]: a ranking of the names, pronouns and role nouns around the quote, trained
//! on PolNeAR). The rule below (the subject of the nearest speech verb: “…,” Tkachenko said; “…,”
//! said the spokesperson; Zelenskyy said … “…”) is one of the ranker's features, and names the
//! speaker where the ranker names nobody. A short stretch with no speech cue in its sentence and
//! no speaker named by a cue stays a term, as above.

use crate::lexicon::Lexicon;
use crate::mentions::{Recognized, Referent};
use crate::speakers;
use sitrep_model::{Quote, Source, Span};
use sitrep_text::{Document, TokenKind};

pub mod indirect;

/// One stretch between quotation marks.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// The content, marks excluded.
    content: Span,
    /// Span including the marks (or to the paragraph end when never closed).
    outer: Span,
    closed: bool,
    paragraph: usize,
}

/// Quotations and terms found in a report.
#[derive(Debug, Default)]
pub struct Quoted {
    pub quotes: Vec<Quote>,
    /// Scare-quoted names and terms, by content span.
    pub terms: Vec<Span>,
    /// Every quoted stretch including marks, sorted: event extraction skips these.
    pub masked: Vec<Span>,
    /// Quotes never closed (a warning), by opening position.
    pub unclosed: Vec<Span>,
    /// Reported speech without quotation marks ([`indirect`]), by position.
    pub indirect: Vec<Quote>,
}

impl Quoted {
    /// Is byte `offset` inside quotation marks?
    pub fn is_masked(&self, offset: u32) -> bool {
        let i = self.masked.partition_point(|s| s.end <= offset);
        i < self.masked.len() && self.masked[i].start <= offset
    }
}

fn pieces(doc: &Document) -> Vec<Piece> {
    let mut out = Vec::new();
    for (pi, p) in doc.paragraphs.iter().enumerate() {
        let text = doc.slice(*p);
        let base = p.start as usize;
        let mut open: Option<(usize, char)> = None;
        // A curly quotation inside a straight one ("… the film “Jaws” …"): its closing mark
        // closes it, not the straight one.
        let mut nested = false;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (n, &(i, ch)) in chars.iter().enumerate() {
            let prev = n.checked_sub(1).map(|p| chars[p].1);
            let next = chars.get(n + 1).map(|x| x.1);
            // Single quotes open only at a word start and close only at a word end, so the
            // apostrophes of "people's" and "Kam'yanka" are never quotation marks.
            let word_start = prev.is_none_or(|p| p.is_whitespace() || p == '(')
                && next.is_some_and(char::is_alphanumeric);
            let word_end = prev.is_some_and(|p| !p.is_whitespace())
                && next.is_none_or(|x| !x.is_alphanumeric());
            match (open, ch) {
                (None, '“' | '«' | '„' | '"') => open = Some((i, ch)),
                (None, '‘' | '\'') if word_start => open = Some((i, ch)),
                (Some((_, '"')), '“') => nested = true,
                (Some((_, '"')), '”') if nested => nested = false,
                (Some((o, oc)), '”' | '»' | '"' | '’' | '\'') => {
                    let pairs = closes(oc, ch, word_end);
                    if pairs {
                        let content = Span::new(base + o + oc.len_utf8(), base + i);
                        out.push(Piece {
                            content,
                            outer: Span::new(base + o, base + i + ch.len_utf8()),
                            closed: true,
                            paragraph: pi,
                        });
                        open = None;
                        nested = false;
                    }
                }
                _ => {}
            }
        }
        if let Some((o, oc)) = open {
            out.push(Piece {
                content: Span::new(base + o + oc.len_utf8(), base + text.len()),
                outer: Span::new(base + o, base + text.len()),
                closed: false,
                paragraph: pi,
            });
        }
    }
    out
}

/// Does mark `ch` close a quotation opened by `oc`? Curly and straight double marks close each
/// other as news copy mixes them (“…," said X); a straight one closes a curly one only at a word
/// end, where it cannot be opening the next quotation.
fn closes(oc: char, ch: char, word_end: bool) -> bool {
    match oc {
        '"' => matches!(ch, '"' | '”'),
        '‘' | '\'' => matches!(ch, '’' | '\'') && word_end,
        '“' => ch == '”' || ch == '"' && word_end,
        _ => matches!(ch, '”' | '»'),
    }
}

/// Trim spaces and the trailing comma or full stop that wire style puts inside the marks.
fn trim_content(doc: &Document, s: Span) -> Span {
    let t = doc.slice(s);
    let lead = t.len() - t.trim_start().len();
    let body = t.trim();
    let body = body.trim_end_matches([',', '.', ';', ':']).trim_end();
    Span::new(
        s.start as usize + lead,
        s.start as usize + lead + body.len(),
    )
}

/// The report's evidence of gender by first name and title word (see
/// [`speakers::Index::gender_evidence`]), for learning a lexicon of it.
pub fn gender_evidence(doc: &Document, lex: &Lexicon, rec: &Recognized) -> Vec<(String, u8)> {
    let masked: Vec<Span> = pieces(doc).iter().map(|p| p.outer).collect();
    let idx = speakers::Index::new(doc, lex, rec, &masked);
    idx.gender_evidence(lex, &rec.low)
        .map(|(w, g)| (w.to_string(), g))
        .collect()
}

/// Every quoted stretch of a report with its marks, sorted (what [`Quoted::masked`] holds).
pub fn masked(doc: &Document) -> Vec<Span> {
    pieces(doc).iter().map(|p| p.outer).collect()
}

/// Find quotations and attribute them.
pub fn find(doc: &Document, lex: &Lexicon, rec: &Recognized) -> Quoted {
    find_with(doc, lex, rec, crate::speakers::model(), None)
}

/// [`find`] with a given speaker model; with `train`, also collects the training decisions
/// of each quote against gold quotes (see [`crate::speakers`]).
pub fn find_with(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    model: &sitrep_learn::Model,
    mut train: Option<(&[speakers::GoldQuote], &mut speakers::Decisions)>,
) -> Quoted {
    let ps = pieces(doc);
    let mut out = Quoted {
        masked: ps.iter().map(|p| p.outer).collect(),
        ..Default::default()
    };
    // Group continued quotes: an unclosed piece followed by a piece opening the next paragraph.
    let mut groups: Vec<Vec<Piece>> = Vec::new();
    for p in ps {
        let continues = groups.last().and_then(|g| g.last()).is_some_and(|last| {
            !last.closed
                && last.paragraph + 1 == p.paragraph
                && p.outer.start == doc.paragraphs[p.paragraph].start
        });
        match groups.last_mut() {
            Some(g) if continues => g.push(p),
            _ => groups.push(vec![p]),
        }
    }
    let mut last_speaker: Option<(Source, Option<Span>, usize)> = None; // speaker, mention, paragraph of quote end
    let masked = out.masked.clone();
    let idx = speakers::Index::new(doc, lex, rec, &masked);
    let ctx = speakers::Ctx {
        doc,
        lex,
        rec,
        masked: &masked,
        idx: &idx,
        model,
    };
    let mut said = speakers::Said::default();
    let mut cue_of_sentence: Vec<Option<bool>> = vec![None; doc.sentences.len()];
    let mut learned_cue_of_sentence: Vec<Option<bool>> = vec![None; doc.sentences.len()];
    for g in groups {
        let first = g[0];
        let last = *g.last().expect("groups are never empty");
        if !last.closed {
            out.unclosed.push(last.outer);
        }
        let text: Vec<&str> = g
            .iter()
            .map(|p| doc.slice(trim_content(doc, p.content)))
            .collect();
        let joined = text.join(" ");
        if joined.trim().is_empty() {
            continue;
        }
        let sentence = doc.sentence_at(first.outer.start);
        let speaker = g.iter().find_map(|p| attribute(doc, lex, rec, &out, *p));
        let has_cue = sentence.is_some_and(|s| {
            *cue_of_sentence[s].get_or_insert_with(|| sentence_has_cue(doc, lex, rec, &out, s))
        });
        // The learned decisions: who spoke (the rule's pick is one of its features), and
        // whether a lone short stretch is a quotation or a term.
        let site = speakers::Site {
            outer: first.outer,
            paragraph: first.paragraph,
            indirect: false,
        };
        let rule = speaker.as_ref().and_then(|s| s.1);
        let contents: Vec<Span> = g.iter().map(|p| trim_content(doc, p.content)).collect();
        let found = ctx.attribute(model, &site, rule, &said);
        if let Some((gold, dec)) = train.as_mut() {
            ctx.decisions(&site, &contents, has_cue, rule, &said, &found, (gold, dec));
        }
        // A short stretch with no speech cue in its sentence (a listed speech verb, a colon or a
        // word the model learnt as a cue), and no speaker but one named in that sentence
        // without a speech verb, is a term whatever the model says: PolNeAR counts every quoted stretch inside reported content as a
        // quote, a title or scare quote included, which is not what sitrep calls a quotation.
        let words = joined.split_whitespace().count();
        let bare = words <= 5
            && !has_cue
            && speaker.is_none()
            && (found.speaker.is_none() || found.same_sentence && !found.cued)
            && !sentence.is_some_and(|s| {
                *learned_cue_of_sentence[s]
                    .get_or_insert_with(|| ctx.sentence_has_learned_cue(model, s))
            });
        let is_quote = g.len() > 1
            || !bare && {
                let qf = ctx.quote_features(&site, contents[0], has_cue, &found);
                sitrep_learn::rank::score(model, &qf)
                    > sitrep_learn::rank::score(model, &speakers::term_features())
            };
        // The predicted speaker, in training as at run time (the gold one would teach the
        // model to trust a previous speaker more than its own predictions deserve).
        said.record(found.key.as_deref());
        said.note_gender(found.key.as_deref(), found.pronoun_gender);
        if !is_quote {
            out.terms.push(contents[0]);
            continue;
        }
        // Where the model names nobody, the rule's pick stands (reports unlike the training news).
        let speaker = found.speaker.or(speaker);
        // A paragraph that is all quotation, right after a quote by someone, continues them.
        let speaker = speaker.or_else(|| {
            let (s, m, para) = last_speaker.as_ref()?;
            let whole_para = first.outer.start == doc.paragraphs[first.paragraph].start;
            ((whole_para && first.paragraph <= para + 1) || first.paragraph == *para)
                .then(|| (s.clone(), *m))
        });
        if let Some((s, m)) = &speaker {
            last_speaker = Some((s.clone(), *m, last.paragraph));
        }
        // One quote per paragraph piece, so every span is contiguous; later pieces say they continue.
        for (k, p) in g.iter().enumerate() {
            let span = trim_content(doc, p.content);
            if span.is_empty() {
                continue;
            }
            out.quotes.push(Quote {
                text: doc.slice(span).to_string(),
                start: span.start,
                end: span.end,
                speaker: speaker.as_ref().map(|s| s.0.clone()),
                speaker_mention: speaker.as_ref().and_then(|s| s.1),
                continues: k > 0,
                indirect: false,
            });
        }
    }
    out.terms.sort();
    out.indirect = indirect::find(&ctx, &out, (indirect::cue_model(), model), train);
    out
}

/// Does sentence `si` have a speech verb outside quotation marks, or a colon before a quote?
fn sentence_has_cue(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    q: &Quoted,
    si: usize,
) -> bool {
    doc.sentences[si].tokens.clone().any(|k| {
        let t = doc.tokens[k];
        !q.is_masked(t.span.start)
            && (lex.speech_verbs.contains(rec.low[k].as_str()) || doc.tok(k) == ":")
    })
}

/// How many tokens before or after a quote its speech verb may stand.
const CUE_WINDOW: usize = 40;

/// The speaker of one quoted piece, from its sentence.
fn attribute(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    q: &Quoted,
    piece: Piece,
) -> Option<(Source, Option<Span>)> {
    let si = doc.sentence_at(piece.outer.start)?;
    let sent = &doc.sentences[si];
    let low = |k: usize| rec.low[k].as_str();
    let outside = |k: usize| !q.is_masked(doc.tokens[k].span.start);
    let mention_starting_at = |k: usize| {
        rec.starting_at(k)
            .filter(|m| !matches!(m.referent, Referent::Place(_)))
    };
    let after = doc.token_at(piece.outer.end);
    let before_end = doc.token_at(piece.outer.start);
    // Verbs after the quote, up to the next quote; a cue is near its quote, so the search looks
    // at most CUE_WINDOW tokens either side (which keeps a sentence of many quotes linear).
    let after_end = sent.tokens.end.min(after + CUE_WINDOW);
    let mut k = after;
    while k < after_end && outside(k) {
        if lex.speech_verbs.contains(low(k)) {
            if let Some(s) = subject_before(doc, lex, rec, k, after) {
                return Some(s);
            }
            // "said Tkachenko", "said the spokesperson", "according to Khaled Obeid"; never "told X",
            // whose X is the listener.
            if matches!(low(k), "told" | "tells" | "asked") {
                k += 1;
                continue;
            }
            let mut j = k + 1;
            if low(k) == "according" && j < sent.tokens.end && low(j) == "to" {
                j += 1;
            }
            if j < sent.tokens.end && low(j) == "the" {
                j += 1;
            }
            if j < sent.tokens.end {
                if let Some(m) = mention_starting_at(j) {
                    return rec.source_of(lex, doc, m).map(|s| (s, Some(m.span)));
                }
                if lex.titles.contains(low(j)) {
                    return by_title(rec, low(j), doc.tokens[k].span.start)
                        .map(|s| (s, Some(doc.tokens[j].span)));
                }
            }
        }
        k += 1;
    }
    // Verbs before the quote in the sentence, nearest first.
    for k in (sent.tokens.start.max(before_end.saturating_sub(CUE_WINDOW))..before_end).rev() {
        if outside(k) && lex.speech_verbs.contains(low(k)) {
            if let Some(s) = subject_before(doc, lex, rec, k, sent.tokens.start) {
                return Some(s);
            }
        }
    }
    None
}

/// The subject of the speech verb at token `verb`: a name, a pronoun or "the <title>" just before
/// it, or, for participles ("…, saying"), the nearest name before in the sentence.
fn subject_before(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    verb: usize,
    floor: usize,
) -> Option<(Source, Option<Span>)> {
    let low = |k: usize| rec.low[k].as_str();
    let speakers = |m: &&crate::mentions::Mention| !matches!(m.referent, Referent::Place(_));
    if verb == 0 || verb <= floor {
        return None;
    }
    let end = crate::mentions::subject_end(&rec.low, floor, verb);
    if end == 0 || end <= floor {
        return None;
    }
    let k = end - 1;
    let t = low(k);
    if let Some(m) = rec
        .ending_at(k + 1)
        .filter(|m| m.first >= floor && speakers(m))
    {
        return rec.source_of(lex, doc, m).map(|s| (s, Some(m.span)));
    }
    if matches!(t, "he" | "she") {
        let p = rec.last_person_before(doc.tokens[k].span.start, |_| true)?;
        return Some((p.source(), Some(doc.tokens[k].span)));
    }
    if crate::mentions::is_title(lex, t) && k > 0 && matches!(low(k - 1), "the" | "a") {
        return by_title(rec, t, doc.tokens[k].span.start).map(|s| (s, Some(doc.tokens[k].span)));
    }
    // "the group said", "the army said": the last actor of that kind named before.
    if k > 0 && low(k - 1) == "the" {
        let kinds: &[sitrep_model::ActorKind] = match t {
            "group" | "movement" | "militia" | "rebels" | "faction" | "organisation"
            | "organization" => &[
                sitrep_model::ActorKind::ArmedGroup,
                sitrep_model::ActorKind::Organisation,
            ],
            "army" | "military" | "forces" | "junta" => &[sitrep_model::ActorKind::Military],
            "ministry" | "government" | "agency" | "council" | "office" => &[
                sitrep_model::ActorKind::GovernmentBody,
                sitrep_model::ActorKind::State,
                sitrep_model::ActorKind::Organisation,
            ],
            _ => &[],
        };
        if !kinds.is_empty() {
            let at = doc.tokens[k].span.start;
            let m = rec.mentions.iter().filter(|m| m.span.end <= at).rfind(|m| matches!(m.referent, Referent::Actor { actor, .. } if kinds.contains(&lex.actors[actor].kind)))?;
            return rec
                .source_of(lex, doc, m)
                .map(|s| (s, Some(doc.tokens[k].span)));
        }
    }
    // "…, saying": the last speaker named before in the sentence.
    if t == "," && matches!(low(verb), "saying" | "calling" | "describing" | "adding") {
        return rec
            .within(floor.max(verb.saturating_sub(CUE_WINDOW)), verb)
            .filter(speakers)
            .filter(|m| {
                m.end <= verb && m.first >= floor && doc.tokens[m.first].kind == TokenKind::Word
            })
            .filter(|m| matches!(m.referent, Referent::Person(_) | Referent::Actor { .. }))
            .last()
            .and_then(|m| rec.source_of(lex, doc, m).map(|s| (s, Some(m.span))));
    }
    None
}

/// The person last named before byte `at` whose title contains `noun`.
fn by_title(rec: &Recognized, noun: &str, at: u32) -> Option<Source> {
    rec.last_person_before(at, |p| {
        p.title
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains(noun))
    })
    .map(|p| p.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curly_and_straight_double_marks_close_each_other() {
        let doc = Document::new("“We disagree,\" said Jane Doe. \"It is wrong,” she said.".into());
        let got: Vec<&str> = pieces(&doc)
            .iter()
            .map(|p| doc.slice(trim_content(&doc, p.content)))
            .collect();
        assert_eq!(got, ["We disagree", "It is wrong"]);
        assert!(pieces(&doc).iter().all(|p| p.closed));
    }

    #[test]
    fn a_straight_mark_opening_a_word_does_not_close_a_curly_quote() {
        let doc = Document::new("“He called it \"fake news” today.".into());
        let ps = pieces(&doc);
        assert_eq!(ps.len(), 1);
        assert_eq!(doc.slice(ps[0].content), "He called it \"fake news");
    }

    #[test]
    fn a_curly_quotation_inside_a_straight_one_closes_only_itself() {
        let doc = Document::new("\"He watched “Jaws” twice,” she said.".into());
        let ps = pieces(&doc);
        assert_eq!(ps.len(), 1);
        assert_eq!(doc.slice(ps[0].content), "He watched “Jaws” twice,");
    }
}
