//! Who said a quote, learned: the speaker expressions near a quote are ranked, pronouns and role
//! nouns are resolved to a named antecedent, and quoted stretches are told from titles and scare
//! quotes.
//!
//! Three decisions share one ranking model (`models/speakers.slm`, trained by `sitrep train
//! speakers` from PolNeAR's hand-annotated attributions; their features live in disjoint
//! namespaces):
//!
//! 1. **Speaker**: the candidates are every name run (capitalised words, a title before them
//!    kept apart), pronoun and role noun ("the senator", "officials", "the campaign") outside
//!    quotation marks in the quote's paragraph and the paragraph before, plus "nobody". Features:
//!    side of the quote, sentence and token distance, the words between (", said", ":"), the
//!    words around the candidate, whether a speech verb follows or precedes it, shape, what the
//!    recogniser made of it (evidence only).
//! 2. **Antecedent**: a pronoun or role noun chosen as speaker is resolved to one of the ten
//!    names last mentioned before it, or to nobody: recency, sentence distance, the pronoun with
//!    the antecedent's first name and title (so gender is learnt, not listed), whether it spoke
//!    the previous quote; its agreement with a gendered pronoun (from the pronouns after its own
//!    mention, else after its name in the report, else a lexicon of first names and titles learnt
//!    from the training articles and kept in the model, see [`gender_word_id`]) and its rank
//!    among the names that agree and among the sentence subjects; each of those sources of
//!    gender is also read apart (`speakers/gender`), so that a stray pronoun after one mention
//!    does not outweigh what the rest of the report says. A pronoun is never evidence of its own
//!    antecedent's gender; a capitalised word the report also writes in lower case and the
//!    recogniser makes nothing of ("Later", "Speaking") is no candidate; every feature is read
//!    with the anaphor's word and with its class alone (gendered pronoun, other pronoun, role
//!    noun), so that "she" and rare role nouns learn from the others.
//!
//! An affiliation, a role and a name ("Cruz spokeswoman Catherine Frazier", "Smith campaign
//! spokesman Hogan Gidley": a body noun is one of the role's words) are one expression whose
//! name starts after the role.
//! 3. **Quote or term**: a stretch in quotation marks is a quotation or a term (a title of a
//!    work, a scare-quoted word): its length, words, capitalisation, the words before it, a cue
//!    nearby and whether a speaker was found.

use crate::lexicon::{ActorForm, Lexicon};
use crate::mentions::{is_title, Recognized, Referent, LOOKBACK};
use sitrep_learn::rank::{self, Choice};
use sitrep_learn::{Features, Model};
use sitrep_model::{Source, Span};
use sitrep_text::{Document, TokenKind};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

mod attach;
mod gender;
mod history;
use std::sync::OnceLock;

static MODEL_BYTES: &[u8] = include_bytes!("../models/speakers.slm");

/// The embedded speaker model, loaded once.
pub fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(MODEL_BYTES).expect("models/speakers.slm is a model"))
}

/// Words that begin a capitalised run without being part of a name ("But Trump said").
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "but",
    "or",
    "however",
    "meanwhile",
    "also",
    "in",
    "on",
    "at",
    "after",
    "before",
    "during",
    "while",
    "when",
    "since",
    "then",
    "this",
    "that",
    "these",
    "those",
    "their",
    "there",
    "it",
    "if",
    "as",
    "although",
    "despite",
    "both",
    "some",
    "many",
    "several",
    "no",
    "not",
    "only",
    "even",
    "still",
    "yet",
    "our",
    "his",
    "her",
    "its",
    "for",
    "with",
    "from",
    "by",
    "to",
    "of",
    "so",
    "what",
    "why",
    "how",
    "where",
    "who",
    "asked",
];
const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it", "who"];
/// Nouns for bodies that speak ("the campaign said"), besides the lexicon's titles and person nouns.
const BODY_NOUNS: &[&str] = &[
    "campaign",
    "administration",
    "ministry",
    "department",
    "government",
    "committee",
    "group",
    "office",
    "agency",
    "aide",
    "aides",
    "source",
    "sources",
    "party",
    "court",
    "army",
    "military",
    "company",
    "organization",
    "organisation",
    "team",
    "union",
    "council",
    "statement",
    "spokesperson",
    "critics",
    "supporters",
    "experts",
    "analysts",
];
/// Words skipped between a subject and its verb ("also said", "has said").
const AUX: &[&str] = &[
    "also",
    "has",
    "had",
    "have",
    "later",
    "then",
    "previously",
    "earlier",
    "separately",
    "further",
    "was",
    "is",
    "again",
    "would",
    "will",
    "did",
    "does",
    "has",
    "once",
    "repeatedly",
    "recently",
    "told",
];

/// What a speaker expression is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Capitalised words ("Brian Fallon", "the White House").
    Name,
    /// "he", "she", "they", "who"...
    Pronoun,
    /// A title or body noun ("the senator", "officials", "the campaign").
    Role,
}

/// One expression that may name a speaker.
#[derive(Debug, Clone)]
pub struct Expr {
    /// Token range of the whole expression, title included.
    pub first: usize,
    pub end: usize,
    /// First token of the name proper (after a title such as "Sen." or "President").
    pub head: usize,
    pub kind: Kind,
    pub span: Span,
    /// Lowercase last word of a name (what identifies one person across a report), or the
    /// pronoun or noun.
    pub key: String,
    pub sentence: usize,
    pub paragraph: usize,
}

/// The speakers predicted so far in a report (the previous quote's, for now: how often each name
/// spoke was tried as a feature and did not help).
#[derive(Debug, Default)]
pub struct Said {
    pub last: Option<String>,
    /// The last few distinct predicted speakers, most recent first.
    pub recent: Vec<String>,
    /// The gender of the pronouns ("he said", "she said") resolved to each name key so far:
    /// 1 masculine, 2 feminine (see [`Said::note_gender`]).
    pub genders: HashMap<String, u8>,
}

impl Said {
    /// Records the predicted speaker of the next quote (`None`: nobody).
    pub fn record(&mut self, key: Option<&str>) {
        self.last = key.map(str::to_string);
        if let Some(k) = key {
            self.recent.retain(|r| r != k);
            self.recent.insert(0, k.to_string());
            self.recent.truncate(history::RECENT);
        }
    }
}

/// The speaker expressions of one report, in document order, outside quotation marks.
#[derive(Debug, Default)]
pub struct Index {
    pub exprs: Vec<Expr>,
    /// Token range of each paragraph.
    para_tokens: Vec<Range<usize>>,
    /// For each name key, the index of its longest mention.
    fullest: HashMap<String, usize>,
    /// For each name key, the number of mentions.
    count: HashMap<String, usize>,
    /// For each name key, the title words seen before it ("sen", "president").
    titles: HashMap<String, Vec<String>>,
    /// For each name key, how often the first personal pronoun after one of its mentions is
    /// masculine and feminine: the report's own evidence of gender.
    gender: HashMap<String, (u32, u32)>,
    /// For each lowercase last name, the first recognised person who bears it.
    person_by_last: HashMap<String, usize>,
    /// Per expression: the first personal pronoun after it is masculine (1), feminine (2), or
    /// none is near (0): the evidence of this mention, where the name's is shared by namesakes.
    local_gender: Vec<u8>,
    /// Per expression: the token of the pronoun [`Index::local_gender`] read (`usize::MAX`: none).
    local_gender_at: Vec<usize>,
    /// Per pronoun token: the name keys whose report counts ([`Index::gender`]) it added to.
    gender_counted: HashMap<usize, Vec<String>>,
    /// Per expression: no other expression precedes it in its sentence (a subject, mostly).
    leads: Vec<bool>,
    /// Per expression: how many mentions of its name key there are up to it, itself included.
    seen: Vec<u32>,
    /// The key of the report's first-mentioned recognised person.
    first_person: Option<String>,
    /// The words the report also writes in lower case (see [`history::lowercase_words`]).
    lower_words: HashSet<String>,
}

fn is_masked(masked: &[Span], offset: u32) -> bool {
    let i = masked.partition_point(|s| s.end <= offset);
    i < masked.len() && masked[i].start <= offset
}

/// Lower-case role words (titles, person and body nouns) from token `k` (at most two:
/// "campaign manager", "analyst") followed by a capitalised word inside `..limit`: the index of
/// that word ("Ohio State University professor Ellen Marsh").
fn roles_before_name(
    doc: &Document,
    lex: &Lexicon,
    low: &[String],
    masked: &[Span],
    k: usize,
    limit: usize,
) -> Option<usize> {
    let role = |j: usize| {
        doc.tokens[j].kind == TokenKind::Word
            && doc.tok(j).starts_with(char::is_lowercase)
            && (is_title(lex, &low[j])
                || lex.person_nouns.contains(low[j].as_str())
                || BODY_NOUNS.contains(&low[j].as_str()))
    };
    let mut j = k;
    while j < limit && j < k + 2 && role(j) {
        j += 1;
    }
    (j > k && j < limit && is_cap_word(doc, j) && !is_masked(masked, doc.tokens[j].span.start))
        .then_some(j)
}

fn is_cap_word(doc: &Document, k: usize) -> bool {
    doc.tokens[k].kind == TokenKind::Word
        && doc.tok(k).chars().next().is_some_and(char::is_uppercase)
}

impl Index {
    /// Finds the expressions of `doc` outside the `masked` spans (sorted).
    pub fn new(doc: &Document, lex: &Lexicon, rec: &Recognized, masked: &[Span]) -> Index {
        let low = |k: usize| rec.low[k].as_str();
        let mut idx = Index {
            para_tokens: vec![0..0; doc.paragraphs.len()],
            ..Default::default()
        };
        for (i, p) in rec.persons.iter().enumerate() {
            if let Some(last) = p.name.split_whitespace().last() {
                idx.person_by_last.entry(last.to_lowercase()).or_insert(i);
            }
        }
        for (si, s) in doc.sentences.iter().enumerate() {
            let r = &mut idx.para_tokens[s.paragraph];
            if r.start == r.end {
                *r = s.tokens.clone();
            } else {
                r.end = s.tokens.end;
            }
            let mut k = s.tokens.start;
            while k < s.tokens.end {
                if is_masked(masked, doc.tokens[k].span.start) {
                    k += 1;
                    continue;
                }
                let w = low(k);
                let push = |idx: &mut Index, first: usize, head: usize, end: usize, kind: Kind| {
                    let key = low(end - 1).to_string();
                    idx.exprs.push(Expr {
                        first,
                        end,
                        head,
                        kind,
                        span: Span::new(
                            doc.tokens[first].span.start as usize,
                            doc.tokens[end - 1].span.end as usize,
                        ),
                        key,
                        sentence: si,
                        paragraph: s.paragraph,
                    });
                };
                if doc.tokens[k].kind == TokenKind::Word && PRONOUNS.contains(&w) {
                    push(&mut idx, k, k, k + 1, Kind::Pronoun);
                    k += 1;
                    continue;
                }
                if is_cap_word(doc, k) {
                    // A run of capitalised words, with the full stop of an initial or of an
                    // abbreviated title ("J. D. Salinger", "Sen. Ted Cruz").
                    let mut end = k + 1;
                    while end < s.tokens.end && !is_masked(masked, doc.tokens[end].span.start) {
                        // A headline's verb ends the name before it ("Clinton Says Russians …").
                        if is_cap_word(doc, end) && !lex.speech_verbs.contains(low(end)) {
                            end += 1;
                        } else if doc.tok(end) == "."
                            && (doc.tok(end - 1).chars().count() <= 4
                                || is_title(lex, low(end - 1)))
                            && is_cap_word(doc, end - 1)
                            && end + 1 < s.tokens.end
                            && is_cap_word(doc, end + 1)
                        {
                            end += 2;
                        } else if let Some(next) =
                            roles_before_name(doc, lex, &rec.low, masked, end, s.tokens.end)
                        {
                            // "Cruz spokeswoman Catherine Frazier": one expression, whose
                            // name starts after the role.
                            end = next;
                        } else {
                            break;
                        }
                    }
                    // A title before the name, spelt out or abbreviated ("Rep.", "Del."), and a
                    // generational suffix after it, are not the name.
                    let abbreviation = |j: usize| {
                        j + 1 < end
                            && doc.tok(j + 1) == "."
                            && doc.tok(j).chars().count() > 1
                            && doc.tok(j).chars().skip(1).all(char::is_lowercase)
                    };
                    let mut head = k;
                    while head < end
                        && (FUNCTION_WORDS.contains(&low(head))
                            || is_title(lex, low(head))
                            || abbreviation(head)
                            || doc.tok(head) == ".")
                    {
                        head += 1;
                    }
                    // "US President Donald Trump": the name starts after the last title.
                    let role = |j: usize| {
                        is_title(lex, low(j))
                            || doc.tok(j).starts_with(char::is_lowercase)
                                && lex.person_nouns.contains(low(j))
                    };
                    if let Some(t) = (head..end).rev().find(|&j| role(j)) {
                        if t + 1 < end && is_cap_word(doc, t + 1) {
                            head = t + 1;
                        }
                    }
                    let run_end = end;
                    while end > head + 1
                        && (matches!(low(end - 1), "jr" | "sr" | "ii" | "iii" | "iv")
                            || doc.tok(end - 1) == ".")
                    {
                        end -= 1;
                    }
                    let first = (k..head)
                        .find(|&j| !FUNCTION_WORDS.contains(&low(j)))
                        .unwrap_or(head);
                    let common = |w: &str| {
                        lex.person_nouns.contains(w) || BODY_NOUNS.contains(&w) || is_title(lex, w)
                    };
                    if head + 1 == end && sitrep_text::timex::is_calendar_word(low(head)) {
                        // "Thursday", "April": a time, never a speaker.
                    } else if head + 1 == end && head == s.tokens.start && common(low(head)) {
                        // "Officials said", "Members of the group": a capital only because the
                        // sentence starts there.
                        push(&mut idx, head, head, end, Kind::Role);
                    } else if head < end {
                        push(&mut idx, first, head, end, Kind::Name);
                    } else if let Some(t) = (k..end).rev().find(|&j| is_title(lex, low(j))) {
                        push(&mut idx, t, t, t + 1, Kind::Role);
                    }
                    k = run_end;
                    continue;
                }
                let role = lex.titles.contains(w)
                    || lex.person_nouns.contains(w)
                    || BODY_NOUNS.contains(&w);
                let next_role = k + 1 < s.tokens.end && {
                    let n = low(k + 1);
                    lex.titles.contains(n)
                        || lex.person_nouns.contains(n)
                        || BODY_NOUNS.contains(&n)
                };
                if role && !next_role && doc.tokens[k].kind == TokenKind::Word {
                    push(&mut idx, k, k, k + 1, Kind::Role);
                }
                k += 1;
            }
        }
        idx.lower_words = history::lowercase_words(doc, &rec.low);
        idx.local_gender = vec![0; idx.exprs.len()];
        idx.local_gender_at = vec![usize::MAX; idx.exprs.len()];
        idx.seen = vec![0; idx.exprs.len()];
        idx.leads = (0..idx.exprs.len())
            .map(|i| i == 0 || idx.exprs[i - 1].sentence != idx.exprs[i].sentence)
            .collect();
        for (i, e) in idx.exprs.iter().enumerate() {
            if e.kind != Kind::Name {
                continue;
            }
            let n = idx.count.entry(e.key.clone()).or_default();
            *n += 1;
            idx.seen[i] = *n as u32;
            if idx.first_person.is_none() && idx.person_by_last.contains_key(&e.key) {
                idx.first_person = Some(e.key.clone());
            }
            // The fullest form is the longest mention that reads as a name: a headline's run
            // ("Pence Gives GOP A Boost Over Kaine") or a sentence opening ("Will Sanders")
            // holds words the report also writes in lower case.
            let form = |j: usize| {
                let x = &idx.exprs[j];
                let clean = (x.head..x.end - 1)
                    .all(|k| !is_cap_word(doc, k) || !idx.lower_words.contains(low(k)));
                (clean, x.end - x.head)
            };
            let longer = idx.fullest.get(&e.key).is_none_or(|&j| form(j) < form(i));
            if longer {
                idx.fullest.insert(e.key.clone(), i);
            }
            let stop = doc
                .sentences
                .get(e.sentence + 1)
                .unwrap_or(&doc.sentences[e.sentence])
                .tokens
                .end
                .min(e.end + GENDER_WINDOW);
            // A pronoun after another person's name may be theirs.
            let stop = idx.exprs[i + 1..]
                .iter()
                .take_while(|x| x.first < stop)
                .find(|x| {
                    x.kind == Kind::Name
                        && rec
                            .within(x.head, x.end)
                            .any(|m| matches!(m.referent, Referent::Person(_)))
                })
                .map_or(stop, |x| x.first);
            let pronoun = (e.end..stop)
                .filter(|&j| !is_masked(masked, doc.tokens[j].span.start))
                .find_map(|j| match low(j) {
                    "he" | "his" | "him" | "himself" => Some((true, j)),
                    "she" | "her" | "hers" | "herself" => Some((false, j)),
                    _ => None,
                });
            if let Some((m, at)) = pronoun {
                idx.local_gender[i] = if m { 1 } else { 2 };
                idx.local_gender_at[i] = at;
                idx.gender_counted
                    .entry(at)
                    .or_default()
                    .push(e.key.clone());
                let g = idx.gender.entry(e.key.clone()).or_default();
                if m {
                    g.0 += 1;
                } else {
                    g.1 += 1;
                }
            }
            let t = idx.titles.entry(e.key.clone()).or_default();
            for j in e.first..e.head {
                if is_title(lex, low(j)) && !t.iter().any(|x| x == low(j)) {
                    t.push(low(j).to_string());
                }
            }
        }
        idx
    }

    /// The fullest mention in the report of the name `e` is a form of ("Hamid" → "Musa Hamid").
    fn fullest_of<'a>(&'a self, e: &'a Expr) -> &'a Expr {
        self.fullest.get(&e.key).map_or(e, |&j| &self.exprs[j])
    }

    /// The speaker a name expression names: the report's person of that name (with title),
    /// the actor a recognised mention stands for, or the fullest form of the name.
    pub fn source_of_name(
        &self,
        doc: &Document,
        lex: &Lexicon,
        rec: &Recognized,
        e: &Expr,
    ) -> Source {
        if let Some(m) = rec
            .within(e.head, e.end)
            .find(|m| m.first == e.head && m.end == e.end)
        {
            // A plural demonym that speaks ("Americans say") is the people, named as written,
            // not their state (an adjective, "the Israeli military", stands for the state).
            let people = matches!(
                m.referent,
                Referent::Actor {
                    form: ActorForm::Demonym,
                    ..
                }
            ) && doc.tok(e.end - 1).ends_with('s');
            if !people && matches!(m.referent, Referent::Actor { .. } | Referent::Media) {
                if let Some(s) = rec.source_of(lex, doc, m) {
                    return s;
                }
            }
        }
        let full = self.fullest_of(e);
        // The recogniser's person of that name, unless the report names them more fully.
        if let Some(p) = rec.persons.iter().find(|p| {
            p.name
                .split_whitespace()
                .last()
                .is_some_and(|l| l.to_lowercase() == e.key)
                && p.name.split_whitespace().count() >= full.end - full.head
        }) {
            return p.source();
        }
        let span = Span::new(
            doc.tokens[full.head].span.start as usize,
            doc.tokens[full.end - 1].span.end as usize,
        );
        let title = (full.first < full.head).then(|| {
            let s = Span::new(
                doc.tokens[full.first].span.start as usize,
                doc.tokens[full.head - 1].span.end as usize,
            );
            doc.slice(s).to_string()
        });
        Source {
            name: doc.slice(span).to_string(),
            title,
            affiliation: None,
        }
    }
}

/// Where a quote stands: its first piece with the quotation marks.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub outer: Span,
    pub paragraph: usize,
    /// Reported speech without quotation marks (`outer` is its content).
    pub indirect: bool,
}

/// What the speaker decision chose.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    /// The speaker and where it was named.
    pub speaker: Option<(Source, Option<Span>)>,
    /// The chosen expression's key (a name key after resolution), to follow the thread.
    pub key: Option<String>,
    /// Best candidate score minus the score of "nobody".
    pub margin: f32,
    /// The chosen expression is the subject or object of a speech verb ("X said", "said X").
    pub cued: bool,
    /// The chosen expression is in the quote's own sentence.
    pub same_sentence: bool,
    /// The chosen expression is "he" (1) or "she" (2), resolved to `key`; else 0.
    pub pronoun_gender: u8,
}

/// The id of a speaker feature read at reported speech: its own weights, apart from the
/// quotations' (learning both with shared weights measured lower for both: PolNeAR dev
/// indirect speaker 75.6 -> 73.1 %, direct speaker CV 86.2 -> 85.2 %). A bijection.
pub fn indirect_id(id: u32) -> u32 {
    (id ^ 0x9E37_79B9).wrapping_mul(0x85EB_CA6B)
}

fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=20 => "11-20",
        _ => "21+",
    }
}

/// The class of an anaphor, for features backed off from its word: a gendered pronoun, another
/// pronoun, or a role noun.
fn anaphor_class(e: &Expr) -> &'static str {
    match e.kind {
        Kind::Pronoun if pronoun_gender(&e.key) != 0 => "anaph:g",
        Kind::Pronoun => "anaph:pron",
        _ => "anaph:role",
    }
}

fn kind_name(e: &Expr) -> String {
    match e.kind {
        Kind::Name => "name".into(),
        Kind::Pronoun => format!("pron:{}", e.key),
        Kind::Role => format!("role:{}", e.key),
    }
}

/// The words of a document, lowercased, and the report's expressions: what every feature reads.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub lex: &'a Lexicon,
    pub rec: &'a Recognized,
    pub masked: &'a [Span],
    pub idx: &'a Index,
    /// The speaker model, for the lexicons learnt with it (first names' and titles' gender).
    pub model: &'a Model,
}

impl<'a> Ctx<'a> {
    /// The context of a report's speaker decisions, with the embedded speaker model.
    pub fn new(
        doc: &'a Document,
        lex: &'a Lexicon,
        rec: &'a Recognized,
        masked: &'a [Span],
        idx: &'a Index,
    ) -> Ctx<'a> {
        Ctx {
            doc,
            lex,
            rec,
            masked,
            idx,
            model: model(),
        }
    }

    fn low(&self, k: usize) -> &str {
        self.rec.low.get(k).map_or("</s>", String::as_str)
    }

    /// Does token `k` begin with a lower-case letter?
    fn starts_lower(&self, k: usize) -> bool {
        self.doc
            .tok(k)
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    }

    fn is_verb(&self, k: usize) -> bool {
        k < self.doc.tokens.len() && self.lex.speech_verbs.contains(self.low(k))
    }

    /// The token range `[lo, qa)` before a quote and `[qb, hi)` after it where speakers are sought.
    fn window(&self, site: &Site) -> (usize, usize, usize, usize) {
        let qa = self.doc.token_at(site.outer.start);
        let qb = self.doc.token_at(site.outer.end);
        let para = &self.idx.para_tokens[site.paragraph];
        let prev_start = site
            .paragraph
            .checked_sub(1)
            .map_or(para.start, |p| self.idx.para_tokens[p].start);
        let lo = prev_start.max(qa.saturating_sub(80));
        let hi = para.end.min(qb + 60).max(qb);
        (lo, qa, qb, hi)
    }

    /// The tokens of the quote's sentence that lie in its window `[lo, hi)`: a sentence with
    /// no end is read near the quote only.
    fn sentence_in_window(&self, site: &Site, lo: usize, hi: usize) -> Range<usize> {
        match self.doc.sentence_at(site.outer.start) {
            Some(si) => {
                let t = &self.doc.sentences[si].tokens;
                t.start.max(lo)..t.end.min(hi).max(t.start.max(lo))
            }
            None => 0..0,
        }
    }

    /// Indices of the expressions in a quote's window.
    pub fn candidates(&self, site: &Site) -> Vec<usize> {
        let (lo, qa, qb, hi) = self.window(site);
        let ex = &self.idx.exprs;
        let from = ex.partition_point(|e| e.first < lo);
        ex[from..]
            .iter()
            .enumerate()
            .take_while(|(_, e)| e.first < hi)
            .filter(|(_, e)| e.end <= qa || e.first >= qb)
            .map(|(i, _)| from + i)
            .collect()
    }

    /// The verb a subject at `[.., end)` governs: after auxiliaries and an appositive.
    fn verb_after(&self, end: usize) -> Option<usize> {
        let n = self.doc.tokens.len();
        let mut k = end;
        if k < n && self.doc.tokens[k].kind == TokenKind::Possessive {
            return None;
        }
        // "Rep. Jane Ortiz (D-Ore.) said"
        if k < n && self.low(k) == "(" {
            let close = (k + 1..n.min(k + 12)).find(|&j| self.low(j) == ")")?;
            k = close + 1;
        }
        if k < n && self.low(k) == "," {
            let close = (k + 1..n.min(k + 25)).find(|&j| self.low(j) == ",")?;
            k = close + 1;
        }
        let mut skipped = 0;
        while k < n && skipped < 3 && AUX.contains(&self.low(k)) && !self.is_verb(k) {
            k += 1;
            skipped += 1;
        }
        (k < n && self.is_verb(k)).then_some(k)
    }

    fn word_after_subject(&self, end: usize) -> String {
        let n = self.doc.tokens.len();
        let mut k = end;
        if k < n && self.low(k) == "(" {
            if let Some(c) = (k + 1..n.min(k + 12)).find(|&j| self.low(j) == ")") {
                k = c + 1;
            }
        }
        let mut skipped = 0;
        while k < n && skipped < 3 && AUX.contains(&self.low(k)) && !self.is_verb(k) {
            k += 1;
            skipped += 1;
        }
        self.low(k).to_string()
    }

    fn speaker_features(
        &self,
        site: &Site,
        cands: &[usize],
        c: usize,
        rule: Option<Span>,
    ) -> Vec<u32> {
        let (_, qa, qb, _) = self.window(site);
        let e = &self.idx.exprs[cands[c]];
        let mut f = Features::new();
        let kind = kind_name(e);
        let before = e.end <= qa;
        let side = if before { "before" } else { "after" };
        let q_sent_a = self.doc.sentence_at(site.outer.start).unwrap_or(0);
        let q_sent_b = self
            .doc
            .sentence_at(site.outer.end.saturating_sub(1))
            .unwrap_or(q_sent_a);
        let sd = if before {
            (q_sent_a as i64 - e.sentence as i64).min(3)
        } else {
            (e.sentence as i64 - q_sent_b as i64).min(3)
        };
        let sd = sd.to_string();
        let dist = if before { qa - e.end } else { e.first - qb };
        let rank_side = if before {
            cands[c + 1..]
                .iter()
                .filter(|&&j| self.idx.exprs[j].end <= qa)
                .count()
        } else {
            cands[..c]
                .iter()
                .filter(|&&j| self.idx.exprs[j].first >= qb)
                .count()
        };
        let gap: Vec<&str> = if before {
            (e.end..qa).map(|k| self.low(k)).collect()
        } else {
            (qb..e.first).map(|k| self.low(k)).collect()
        };
        let gap_pat = if gap.len() <= 4 {
            gap.join(" ")
        } else {
            "long".into()
        };
        let gap_verb = gap.iter().find(|w| self.lex.speech_verbs.contains(**w));
        let same_para = e.paragraph == site.paragraph;
        f.flag("c");
        f.add("k", &kind);
        f.add2("ks", &kind, side);
        f.add2("ssd", side, &sd);
        f.add2("ksd", &kind, &format!("{side}{sd}"));
        f.add2("sp", side, if same_para { "same" } else { "other" });
        f.add2("dist", side, bucket(dist));
        f.add2("kdist", &kind, &format!("{side}{}", bucket(dist)));
        f.add2("rk", side, bucket(rank_side));
        f.add2("krk", &kind, &format!("{side}{}", bucket(rank_side)));
        f.add2("gap", side, &gap_pat);
        f.add2("kgap", &kind, &format!("{side}|{gap_pat}"));
        f.add2("gv", side, gap_verb.copied().unwrap_or("-"));
        let prev = if e.first == 0 {
            "<s>"
        } else {
            self.low(e.first - 1)
        };
        let prev2 = if e.first < 2 {
            "<s>"
        } else {
            self.low(e.first - 2)
        };
        let next = self.low(e.end);
        let next2 = self.low(e.end + 1);
        f.add2("prev", side, prev);
        f.add2("prev2", side, &format!("{prev2} {prev}"));
        f.add2("next", side, next);
        f.add2("next2", side, &format!("{next} {next2}"));
        f.add2("kn", &kind, next);
        let va = self.verb_after(e.end);
        f.add2(
            "va",
            side,
            &va.map_or("-".to_string(), |k| self.low(k).to_string()),
        );
        if va.is_some() {
            // Among the candidates on this side that are subjects of a speech verb, how near
            // to the quote is this one?
            let nearer = cands
                .iter()
                .filter(|&&j| {
                    let o = &self.idx.exprs[j];
                    let between = if before {
                        o.first >= e.end && o.end <= qa
                    } else {
                        o.first >= qb && o.end <= e.first
                    };
                    between && self.verb_after(o.end).is_some()
                })
                .count();
            f.add2("varank", side, bucket(nearer));
            f.add2("kvarank", &kind, &format!("{side}{}", bucket(nearer)));
        }
        f.add2("vak", &kind, if va.is_some() { "1" } else { "0" });
        if let Some(v) = va {
            // Is that verb the quote's cue: between the candidate and the quote, or right after it?
            let near = if before { v < qa } else { v >= qb };
            f.add2("vaq", side, if near { "near" } else { "far" });
        }
        // The word the candidate is subject of, after auxiliaries, a parenthesis or an
        // appositive, whatever it is: cues beyond the speech-verb list are learnt.
        f.add2("vw", side, &self.word_after_subject(e.end));
        let vb = if prev == "the" || prev == "a" || prev == "an" {
            prev2
        } else {
            prev
        };
        f.add2(
            "vb",
            side,
            if self.lex.speech_verbs.contains(vb) {
                vb
            } else {
                "-"
            },
        );
        let ini = if e.first == self.doc.sentences[e.sentence].tokens.start {
            "1"
        } else {
            "0"
        };
        f.add("ini", ini);
        // A capitalised word before a lowercase noun at a sentence start is an adjective
        // ("International efforts"), not a name.
        let next_shape = match self.doc.tokens.get(e.end) {
            Some(t) if t.kind == TokenKind::Word => {
                if self.is_verb(e.end) {
                    "verb"
                } else if self.starts_lower(e.end) {
                    "lower"
                } else {
                    "cap"
                }
            }
            Some(t) if t.kind == TokenKind::Possessive => "'s",
            Some(_) => "punct",
            None => "end",
        };
        f.add2("inishape", &format!("{ini}{kind}"), next_shape);
        f.add2("sideshape", side, next_shape);
        if e.kind == Kind::Name {
            f.add("nlen", bucket(e.end - e.head));
            f.add("tp", if e.first < e.head { "1" } else { "0" });
            if e.first < e.head {
                f.add("tpw", self.low(e.first));
            }
            f.add(
                "cnt",
                bucket(self.idx.count.get(&e.key).copied().unwrap_or(0)),
            );
            f.add("head", &e.key);
            self.name_features(e, &mut f);
            let r = self.referent_kind(e);
            f.add("rec", r);
            f.add2("recs", r, side);
        }
        if self
            .doc
            .tokens
            .get(e.end)
            .is_some_and(|t| t.kind == TokenKind::Possessive)
        {
            f.flag("poss");
        }
        if let Some(r) = rule {
            if r.start < e.span.end && e.span.start < r.end {
                f.flag("rule");
            }
        }
        let para = &self.idx.para_tokens[site.paragraph];
        f.add2("qps", side, if qa == para.start { "1" } else { "0" });
        let colon = qa > 0 && self.low(qa - 1) == ":";
        f.add2("qcolon", side, if colon { "1" } else { "0" });
        f.into_ids()
    }

    fn none_features(&self, site: &Site, n: usize, rule: Option<Span>) -> Vec<u32> {
        let (lo, qa, qb, hi) = self.window(site);
        let mut f = Features::new();
        f.flag("none");
        let verb = self
            .sentence_in_window(site, lo, hi)
            .any(|k| !is_masked(self.masked, self.doc.tokens[k].span.start) && self.is_verb(k));
        f.add("nv", if verb { "1" } else { "0" });
        let para = &self.idx.para_tokens[site.paragraph];
        f.add("nps", if qa == para.start { "1" } else { "0" });
        f.add("npe", if qb >= para.end { "1" } else { "0" });
        f.add("nc", bucket(n));
        f.add("nrule", if rule.is_some() { "1" } else { "0" });
        f.into_ids()
    }

    /// The feature sets of a quote's speaker choice: one per candidate, then "nobody".
    pub fn speaker_choice(
        &self,
        site: &Site,
        rule: Option<Span>,
        said: &Said,
    ) -> (Vec<usize>, Vec<Vec<u32>>) {
        let cands = self.candidates(site);
        let mut out: Vec<Vec<u32>> = (0..cands.len())
            .map(|c| {
                let mut f = self.speaker_features(site, &cands, c, rule);
                f.extend(self.speaker_history_features(site, &cands, c, said));
                let before = self.idx.exprs[cands[c]].first < self.doc.token_at(site.outer.start);
                let mut t = Features::new();
                self.attach_features(cands[c], if before { "before" } else { "after" }, &mut t);
                f.extend(t.into_ids());
                f
            })
            .collect();
        out.push(self.none_features(site, cands.len(), rule));
        if site.indirect {
            for f in &mut out {
                f.iter_mut().for_each(|id| *id = indirect_id(*id));
            }
        }
        (cands, out)
    }

    /// Names an anaphor (expression index `a`) may stand for: the distinct name keys mentioned
    /// before it, most recent first, at most ten, among the last [`LOOKBACK`] expressions (so
    /// a report of many pronouns stays linear); with their latest mention.
    pub fn antecedents(&self, a: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for j in (a.saturating_sub(LOOKBACK)..a).rev() {
            let e = &self.idx.exprs[j];
            if e.kind == Kind::Name
                && !self.no_name(e)
                && !out.iter().any(|&o| self.idx.exprs[o].key == e.key)
            {
                out.push(j);
                if out.len() == 10 {
                    break;
                }
            }
        }
        out
    }

    /// Is name expression `e` one capitalised word the recogniser makes nothing of and the
    /// report also writes in lower case ("Later", "Speaking"): no name to stand for?
    fn no_name(&self, e: &Expr) -> bool {
        e.end - e.head == 1 && self.common_word(&e.key) && self.referent_kind(e) == "none"
    }

    /// The feature sets of resolving anaphor `a`: one per antecedent, then "nobody". Every
    /// feature is read with the anaphor's own word ("pron:she", "role:senator") and, backed off,
    /// with its class alone (see [`anaphor_class`]), so that rare anaphors learn from common ones.
    pub fn antecedent_choice(&self, a: usize, said: &Said) -> (Vec<usize>, Vec<Vec<u32>>) {
        let ants = self.antecedents(a);
        let an = &self.idx.exprs[a];
        let ws = [kind_name(an), anaphor_class(an).to_string()];
        let compat: Vec<&str> = ants.iter().map(|&j| self.agreement(a, j)).collect();
        let mut out = Vec::with_capacity(ants.len() + 1);
        for r in 0..ants.len() {
            let mut f = Features::new();
            for w in &ws {
                self.antecedent_candidate(a, (&ants, &compat), r, said, w, &mut f);
            }
            out.push(f.into_ids());
        }
        let mut f = Features::new();
        f.flag("anone");
        for w in &ws {
            f.add("anw", w);
        }
        f.add("ann", bucket(ants.len()));
        out.push(f.into_ids());
        (ants, out)
    }

    /// The features of antecedent `ants[r]` of anaphor `a` (with `compat`, each antecedent's
    /// agreement), read under the anaphor word or class `w`.
    fn antecedent_candidate(
        &self,
        a: usize,
        (ants, compat): (&[usize], &[&str]),
        r: usize,
        said: &Said,
        w: &str,
        f: &mut Features,
    ) {
        let j = ants[r];
        self.antecedent_features(a, j, r, said, w, f);
        // Agreement with the anaphor, and the rank among the candidates that do not
        // disagree: the nearest compatible name is the usual antecedent.
        let rc = compat[..r].iter().filter(|&&c| c != "bad").count();
        f.add2("agc", w, compat[r]);
        // Agreement read with what the name is: an unknown gender is fine for a person,
        // not for a place or an unrecognised capitalised word.
        let rk = self.referent_kind(&self.idx.exprs[j]);
        f.add2("agck", w, &format!("{}{rk}", compat[r]));
        f.add2("agcr", w, &format!("{}{}", compat[r], bucket(rc)));
        let lead = self.idx.leads[j];
        let rl = ants[..r]
            .iter()
            .zip(compat)
            .filter(|&(&o, &c)| self.idx.leads[o] && c != "bad")
            .count();
        f.add2("alead", w, if lead { "1" } else { "0" });
        if lead {
            f.add2("aleadr", w, &format!("{}{}", compat[r], bucket(rl)));
        }
        self.history_features(a, (ants, compat), r, said, w, f);
        self.gender_source_features(a, j, w, f);
        if a == j + 1 && self.possesses(j).is_some() {
            // "Smith's campaign said": the campaign speaks for its possessor.
            f.add2("aposs", w, "1");
        }
    }

    /// Does name expression `j` agree in gender with anaphor `a`: "ok", "bad", "unk" (the name's
    /// gender is unknown or mixed) or "na" (the anaphor has none).
    fn agreement(&self, a: usize, j: usize) -> &'static str {
        let want = match pronoun_gender(&self.idx.exprs[a].key) {
            0 => return "na",
            g => g,
        };
        let local = self.local_gender(a, j);
        let own = self.own_first_name_gender(j);
        let g = if local != 0 {
            local
        } else if own != 0 {
            // "Ivanka Trump" is not her father, whatever the report says of "Trump".
            own
        } else {
            let (m, fe) = self.report_genders(a, j);
            match m.cmp(&fe) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => 2,
                std::cmp::Ordering::Equal => self.learned_gender(j),
            }
        };
        match g {
            0 => "unk",
            g if g == want => "ok",
            _ => "bad",
        }
    }

    /// How often the first personal pronoun after a mention of name `j` is masculine and how
    /// often feminine: the report's own evidence of its gender, less anaphor `a` itself (a
    /// pronoun is no evidence for its own antecedent).
    fn report_genders(&self, a: usize, j: usize) -> (u32, u32) {
        let key = &self.idx.exprs[j].key;
        let (mut m, mut fe) = self.idx.gender.get(key).copied().unwrap_or((0, 0));
        let own = self.idx.exprs[a].first;
        let n = self
            .idx
            .gender_counted
            .get(&own)
            .map_or(0, |ks| ks.iter().filter(|k| *k == key).count() as u32);
        match pronoun_gender(&self.idx.exprs[a].key) {
            1 => m = m.saturating_sub(n),
            2 => fe = fe.saturating_sub(n),
            _ => {}
        }
        (m, fe)
    }

    /// The gender the first personal pronoun after mention `j` gives it, unless that pronoun
    /// is anaphor `a` or lies after it (then it is no evidence for `a`): 1, 2, or 0.
    fn local_gender(&self, a: usize, j: usize) -> u8 {
        if self.idx.local_gender_at[j] >= self.idx.exprs[a].first {
            return 0;
        }
        self.idx.local_gender[j]
    }

    /// The gender the corpus gives the first name (or else the title) of name `j`'s fullest
    /// mention: 1 masculine, 2 feminine, 0 unknown.
    fn learned_gender(&self, j: usize) -> u8 {
        let e = &self.idx.exprs[j];
        let full = self.idx.fullest_of(e);
        let mut words = (full.first..full.head)
            .map(|k| self.low(k))
            .filter(|t| is_title(self.lex, t));
        let w = if full.end - full.head > 1 {
            rank::score(self.model, &[gender_word_id(self.low(full.head))])
        } else {
            words
                .find_map(|t| {
                    let s = rank::score(self.model, &[gender_word_id(t)]);
                    (s != 0.0).then_some(s)
                })
                .unwrap_or(0.0)
        };
        if w > GENDER_MARGIN {
            1
        } else if w < -GENDER_MARGIN {
            2
        } else {
            0
        }
    }

    /// The features of name expression `j`, `r`-th most recent, as the antecedent of `a`.
    fn antecedent_features(
        &self,
        a: usize,
        j: usize,
        r: usize,
        said: &Said,
        w: &str,
        f: &mut Features,
    ) {
        let an = &self.idx.exprs[a];
        let e = &self.idx.exprs[j];
        let full = self.idx.fullest_of(e);
        f.flag("a");
        f.add2("ar", w, bucket(r));
        f.add2("asd", w, bucket(an.sentence.saturating_sub(e.sentence)));
        let first = self.low(full.head);
        f.add2("afn", w, if full.end - full.head > 1 { first } else { "-" });
        f.add2("anl", w, bucket(full.end - full.head));
        f.add2("afk", w, &e.key);
        let (m, fe) = self.report_genders(a, j);
        let g = if m > fe {
            "m"
        } else if fe > m {
            "f"
        } else if m > 0 {
            "mixed"
        } else {
            "-"
        };
        f.add2("ag", w, g);
        f.add2("agr", w, &format!("{g}{}", bucket(r)));
        f.add2(
            "alg",
            w,
            ["-", "m", "f"][usize::from(self.local_gender(a, j))],
        );
        let titles = self.idx.titles.get(&e.key);
        for t in titles.into_iter().flatten() {
            f.add2("at", w, t);
        }
        let person = self
            .idx
            .person_by_last
            .get(&e.key)
            .map(|&i| &self.rec.persons[i]);
        if let Some(t) = person.and_then(|p| p.title.as_deref()) {
            if t.to_lowercase().contains(an.key.as_str()) {
                f.flag("atm");
            }
        }
        if titles.is_some_and(|t| t.contains(&an.key)) {
            f.flag("atm");
        }
        let r_kind = self.referent_kind(e);
        f.add2("arec", w, r_kind);
        let spoke = said.last.as_deref() == Some(e.key.as_str());
        f.add2("asp", w, if spoke { "1" } else { "0" });
        // Its grammatical place: after a preposition, before a verb, a possessive.
        let prev = if e.first == 0 {
            "<s>"
        } else {
            self.low(e.first - 1)
        };
        f.add2("aprev", w, prev);
        let next = match self.doc.tokens.get(e.end) {
            Some(t) if t.kind == TokenKind::Possessive => "'s",
            Some(t) if t.kind == TokenKind::Word => {
                if self.starts_lower(e.end) {
                    "lower"
                } else {
                    "cap"
                }
            }
            Some(_) => self.low(e.end),
            None => "</s>",
        };
        f.add2("anext", w, next);
        f.add2("aw", w, &self.word_after_subject(e.end));
        let para = if e.paragraph == an.paragraph {
            "same"
        } else {
            "other"
        };
        f.add2("apara", w, para);
        let sv = self.verb_after(e.end).is_some();
        f.add2("asv", w, if sv { "1" } else { "0" });
        let cnt = self.idx.count.get(&e.key).copied().unwrap_or(0);
        f.add2("acnt", w, bucket(cnt));
        let init = e.first == self.doc.sentences[e.sentence].tokens.start;
        f.add2("ainit", w, if init { "1" } else { "0" });
        self.salience_features(a, j, w, f);
    }

    /// How salient name expression `j` is at anaphor `a`: mentions so far, whether it is the
    /// report's first person, and whether it led one of the last three sentences.
    fn salience_features(&self, a: usize, j: usize, w: &str, f: &mut Features) {
        let e = &self.idx.exprs[j];
        f.add2("asn", w, bucket(self.idx.seen[j] as usize));
        let first = self.idx.first_person.as_deref() == Some(e.key.as_str());
        f.add2("afp", w, if first { "1" } else { "0" });
        let from = self.idx.exprs[a].sentence.saturating_sub(3);
        let led = (a.saturating_sub(LOOKBACK)..a)
            .rev()
            .take_while(|&k| self.idx.exprs[k].sentence >= from)
            .any(|k| self.idx.leads[k] && self.idx.exprs[k].key == e.key);
        f.add2("asubj", w, if led { "1" } else { "0" });
    }

    /// What the recogniser made of a name expression: person, actor, place, media or none.
    fn referent_kind(&self, e: &Expr) -> &'static str {
        self.rec
            .within(e.head, e.end)
            .find(|m| m.first <= e.head && m.end >= e.head)
            .map_or("none", |m| match m.referent {
                Referent::Person(_) => "person",
                Referent::Actor { .. } => "actor",
                Referent::Place(_) => "place",
                Referent::Media => "media",
            })
    }

    /// Decides who spoke the quote at `site`.
    pub fn attribute(
        &self,
        model: &Model,
        site: &Site,
        rule: Option<Span>,
        said: &Said,
    ) -> Attribution {
        let (cands, feats) = self.speaker_choice(site, rule, said);
        let scores: Vec<f32> = feats.iter().map(|f| rank::score(model, f)).collect();
        let none = *scores.last().expect("nobody is always a candidate");
        let mut best: Option<(usize, f32)> = None;
        for (i, &s) in scores[..cands.len()].iter().enumerate() {
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        let Some((b, s)) = best.filter(|(_, s)| *s > none) else {
            return Attribution {
                margin: best.map_or(-1.0, |(_, s)| s - none),
                ..Default::default()
            };
        };
        let ei = cands[b];
        let e = &self.idx.exprs[ei];
        let margin = s - none;
        let before = |k: usize| if k == 0 { "" } else { self.low(k - 1) };
        let cued = self.verb_after(e.end).is_some()
            || self.is_verb(e.first.saturating_sub(1))
            || (matches!(before(e.first), "the" | "a" | "an")
                && self.is_verb(e.first.saturating_sub(2)));
        let same_sentence = self.doc.sentence_at(site.outer.start) == Some(e.sentence);
        let named = match e.kind {
            Kind::Name => Some(ei),
            Kind::Pronoun | Kind::Role => {
                let (ants, af) = self.antecedent_choice(ei, said);
                rank::best(model, af.iter().map(Vec::as_slice))
                    .and_then(|(k, _)| ants.get(k).copied())
            }
        };
        match named {
            Some(j) => {
                let n = &self.idx.exprs[j];
                Attribution {
                    speaker: Some((
                        self.idx.source_of_name(self.doc, self.lex, self.rec, n),
                        Some(e.span),
                    )),
                    key: Some(n.key.clone()),
                    margin,
                    cued,
                    same_sentence,
                    pronoun_gender: pronoun_gender(&e.key),
                }
            }
            None => Attribution {
                margin,
                cued,
                same_sentence,
                ..Default::default()
            },
        }
    }

    /// The features of "this quoted stretch is a quotation" (its rival is the constant "term").
    pub fn quote_features(
        &self,
        site: &Site,
        content: Span,
        has_cue: bool,
        found: &Attribution,
    ) -> Vec<u32> {
        let text = self.doc.slice(content);
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut f = Features::new();
        f.flag("q");
        f.add("qw", bucket(words.len()));
        let title_case = words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                || matches!(
                    *w,
                    "of" | "the" | "and" | "a" | "in" | "on" | "for" | "to" | "at"
                )
        });
        f.add2(
            "qtc",
            if title_case { "1" } else { "0" },
            bucket(words.len()),
        );
        f.add(
            "qcap",
            if text.chars().next().is_some_and(char::is_uppercase) {
                "1"
            } else {
                "0"
            },
        );
        let inner_end = self
            .doc
            .slice(Span::new(content.start as usize, site.outer.end as usize));
        let last = inner_end
            .trim_end_matches(['"', '”', '’', '\'', '»'])
            .chars()
            .last()
            .unwrap_or(' ');
        f.add("qend", &last.to_string());
        if words.len() <= 6 {
            for w in &words {
                f.add("qin", &w.to_lowercase());
            }
        }
        if let Some(w) = words.first() {
            f.add("qfirst", &w.to_lowercase());
        }
        let (lo, qa, qb, hi) = self.window(site);
        let p1 = if qa > 0 { self.low(qa - 1) } else { "<s>" };
        let p2 = if qa > 1 { self.low(qa - 2) } else { "<s>" };
        f.add("qp1", p1);
        f.add("qp2", &format!("{p2} {p1}"));
        f.add("qn1", self.low(qb));
        f.add2("qcue", if has_cue { "1" } else { "0" }, bucket(words.len()));
        // The words of the sentence outside quotation marks: what attributes it ("called",
        // "believes", "the film").
        for k in self.sentence_in_window(site, lo, hi) {
            if self.doc.tokens[k].kind == TokenKind::Word
                && !is_masked(self.masked, self.doc.tokens[k].span.start)
            {
                f.add("qsw", self.low(k));
            }
        }
        let m = if found.speaker.is_some() {
            "found"
        } else if found.margin > -2.0 {
            "near"
        } else {
            "none"
        };
        f.add2("qsp", m, bucket(words.len()));
        let para = &self.idx.para_tokens[site.paragraph];
        f.add("qps", if qa == para.start { "1" } else { "0" });
        f.into_ids()
    }
}

/// The gender a speaker pronoun gives: "he" 1, "she" 2, any other expression 0.
fn pronoun_gender(key: &str) -> u8 {
    match key {
        "he" => 1,
        "she" => 2,
        _ => 0,
    }
}

/// How many tokens after a name its first personal pronoun may stand to give it a gender.
const GENDER_WINDOW: usize = 80;

/// How far from even a learnt gender share must be to count (see [`gender_word_id`]).
const GENDER_MARGIN: f32 = 0.3;

/// The id under which a ranking model keeps the learnt gender of a first name or title word:
/// the smoothed share of masculine pronouns after it, less one half.
pub fn gender_word_id(word: &str) -> u32 {
    let mut f = Features::new();
    f.add("gword", word);
    f.ids()[0]
}

impl Index {
    /// The report's evidence of gender by word: for each name with a pronoun near after it, its
    /// first name (when it has one) and title words, with 1 (masculine) or 2 (feminine).
    pub fn gender_evidence<'a>(
        &'a self,
        lex: &'a Lexicon,
        low: &'a [String],
    ) -> impl Iterator<Item = (&'a str, u8)> {
        self.exprs
            .iter()
            .zip(&self.local_gender)
            .filter(|(e, g)| **g != 0 && e.kind == Kind::Name)
            .flat_map(move |(e, &g)| {
                let first = (e.end - e.head > 1).then_some(e.head);
                let titles = (e.first..e.head).filter(|&k| is_title(lex, &low[k]));
                first
                    .into_iter()
                    .chain(titles)
                    .map(move |k| (low[k].as_str(), g))
            })
    }
}

/// The id under which a ranking model keeps the learnt cue weight of `word` (positive: the
/// word is more often than not part of an annotated attribution cue).
pub fn cue_word_id(word: &str) -> u32 {
    let mut f = Features::new();
    f.add("cueword", word);
    f.ids()[0]
}

impl Ctx<'_> {
    /// Does sentence `si` hold, outside quotation marks, a word the model learnt as a cue?
    /// (Callers ask once per sentence: it reads the whole sentence.)
    pub fn sentence_has_learned_cue(&self, model: &Model, si: usize) -> bool {
        self.doc.sentences[si].tokens.clone().any(|k| {
            self.doc.tokens[k].kind == TokenKind::Word
                && !is_masked(self.masked, self.doc.tokens[k].span.start)
                && rank::score(model, &[cue_word_id(self.low(k))]) > 0.0
        })
    }
}

/// The constant rival of [`Ctx::quote_features`].
pub fn term_features() -> Vec<u32> {
    let mut f = Features::new();
    f.flag("term");
    f.into_ids()
}

/// A gold quote for training: its span, speaker and annotated source spans.
#[derive(Debug, Clone)]
pub struct GoldQuote {
    pub start: u32,
    pub end: u32,
    pub speaker: Option<String>,
    pub source: Vec<Span>,
    /// An attribution without quotation marks (its content), for indirect quotes' speakers.
    pub indirect: bool,
}

/// The training decisions of one report.
#[derive(Debug, Default)]
pub struct Decisions {
    pub speaker: Vec<Choice>,
    pub antecedent: Vec<Choice>,
    /// Per antecedent choice: the anaphor and its candidates' keys with their agreement, for
    /// error analysis (`SITREP_SPEAKER_ERRORS`).
    pub antecedent_notes: Vec<String>,
    pub quote: Vec<Choice>,
}

fn last_name(s: &str) -> String {
    s.split_whitespace().last().unwrap_or("").to_lowercase()
}

/// Does a predicted quote span match a gold one (overlap of at least half the shorter)?
fn overlaps_half(a: Span, g: &GoldQuote) -> bool {
    let lo = a.start.max(g.start);
    let hi = a.end.min(g.end);
    let shorter = (a.end - a.start).min(g.end - g.start);
    hi > lo && shorter > 0 && (hi - lo) * 2 >= shorter
}

impl Ctx<'_> {
    /// The speaker decision (and the antecedent decision of a pronoun or role noun) of the
    /// quote at `site` against its gold `g`.
    fn speaker_decisions(
        &self,
        site: &Site,
        rule: Option<Span>,
        said: &Said,
        g: &GoldQuote,
        out: &mut Decisions,
    ) {
        let (cands, feats) = self.speaker_choice(site, rule, said);
        let gi = self.gold_speaker(&cands, g);
        if gi < cands.len() && self.idx.exprs[cands[gi]].kind != Kind::Name {
            if let Some(want) = g.speaker.as_deref().map(last_name) {
                let (ants, af) = self.antecedent_choice(cands[gi], said);
                let ag = ants
                    .iter()
                    .position(|&j| self.idx.exprs[j].key == want)
                    .unwrap_or(ants.len());
                out.antecedent_notes
                    .push(self.antecedent_note(cands[gi], &ants, &want));
                out.antecedent.push(Choice {
                    candidates: af,
                    gold: ag,
                });
            }
        }
        out.speaker.push(Choice {
            candidates: feats,
            gold: gi,
        });
    }

    /// The anaphor `a`, its candidates' keys with their agreement and sentence distance, and the
    /// wanted key: one line of error analysis.
    fn antecedent_note(&self, a: usize, ants: &[usize], want: &str) -> String {
        let an = &self.idx.exprs[a];
        let c: Vec<String> = ants
            .iter()
            .map(|&j| {
                let e = &self.idx.exprs[j];
                let r = self.referent_kind(e);
                let d = an.sentence.saturating_sub(e.sentence);
                format!("{}/{}/{r}/s{d}", e.key, self.agreement(a, j))
            })
            .collect();
        format!("{}@{}\t{want}\t{}", an.key, an.span.start, c.join(" "))
    }

    /// The speaker decisions of an indirect quote at `site` (content `content`) against the
    /// gold attributions without quotation marks.
    pub fn indirect_decisions(
        &self,
        site: &Site,
        content: Span,
        rule: Option<Span>,
        gold: &[GoldQuote],
        out: &mut Decisions,
    ) {
        let said = Said::default();
        if let Some(g) = gold
            .iter()
            .filter(|g| g.indirect)
            .find(|g| overlaps_half(content, g))
        {
            self.speaker_decisions(site, rule, &said, g, out);
        }
    }

    /// The speaker decision's gold: among candidates overlapping the gold source, the name
    /// whose last word is the speaker's, else a pronoun or role noun, else nobody.
    fn gold_speaker(&self, cands: &[usize], g: &GoldQuote) -> usize {
        let over: Vec<usize> = (0..cands.len())
            .filter(|&c| {
                let e = &self.idx.exprs[cands[c]];
                g.source
                    .iter()
                    .any(|s| s.start < e.span.end && e.span.start < s.end)
            })
            .collect();
        let want = g.speaker.as_deref().map(last_name);
        if g.indirect {
            // Reported speech's gold names no speaker: the name in its source, else what is there.
            let name = over
                .iter()
                .find(|&&c| self.idx.exprs[cands[c]].kind == Kind::Name);
            if let Some(&c) = name.or(over.first()) {
                return c;
            }
        }
        if let Some(w) = &want {
            if let Some(&c) = over.iter().find(|&&c| {
                let e = &self.idx.exprs[cands[c]];
                e.kind == Kind::Name && &e.key == w
            }) {
                return c;
            }
        }
        over.iter()
            .copied()
            .find(|&c| self.idx.exprs[cands[c]].kind != Kind::Name)
            .or(if want.is_none() {
                over.first().copied()
            } else {
                None
            })
            .unwrap_or(cands.len())
    }

    /// Training decisions for one quote group (`site`, its content spans) against the gold.
    #[allow(clippy::too_many_arguments)] // the quote's context, as `find_with` holds it
    pub fn decisions(
        &self,
        site: &Site,
        contents: &[Span],
        has_cue: bool,
        rule: Option<Span>,
        said: &Said,
        found: &Attribution,
        (gold, out): (&[GoldQuote], &mut Decisions),
    ) {
        let g = gold
            .iter()
            .filter(|g| !g.indirect)
            .find(|g| contents.iter().any(|c| overlaps_half(*c, g)));
        if let Some(g) = g {
            self.speaker_decisions(site, rule, said, g, out);
        }
        if contents.len() == 1 {
            let qf = self.quote_features(site, contents[0], has_cue, found);
            out.quote.push(Choice {
                candidates: vec![qf, term_features()],
                gold: usize::from(g.is_none()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mentions;
    use sitrep_gazetteer::Gazetteer;

    fn index_of(text: &str) -> (Document, Recognized, Index) {
        let doc = Document::new(text.to_string());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        let idx = Index::new(&doc, lex, &rec, &[]);
        (doc, rec, idx)
    }

    /// The speaker context of `text`, and its index, handed to `f`.
    pub(super) fn with_ctx<T>(text: &str, f: impl FnOnce(&Ctx, &Index) -> T) -> T {
        let (doc, rec, idx) = index_of(text);
        let ctx = Ctx::new(&doc, Lexicon::global(), &rec, &[], &idx);
        f(&ctx, &idx)
    }

    #[test]
    fn a_demonym_speaks_for_its_people_and_a_state_for_its_government() {
        let (doc, rec, idx) =
            index_of("Many Americans said the war was long. An Israeli official said no.");
        let name = |key: &str| {
            let e = idx.exprs.iter().find(|e| e.key == key).unwrap();
            idx.source_of_name(&doc, Lexicon::global(), &rec, e).name
        };
        assert_eq!(name("americans"), "Americans");
        assert_eq!(name("israeli"), "Israel");
    }

    fn quotes(text: &str) -> Vec<(String, Option<String>)> {
        let doc = Document::new(text.to_string());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        crate::quotes::find(&doc, lex, &rec)
            .quotes
            .into_iter()
            .map(|q| (q.text, q.speaker.map(|s| s.name)))
            .collect()
    }

    #[test]
    fn names_keep_their_title_apart_and_pronouns_and_roles_are_candidates() {
        let (doc, _, idx) = index_of(
            "But Rep. Jane Ortiz (D-Ore.) and Carl T. Whitfield II said officials lied, he said.",
        );
        let got: Vec<(Kind, &str, &str)> = idx
            .exprs
            .iter()
            .map(|e| {
                let head = Span::new(
                    doc.tokens[e.head].span.start as usize,
                    doc.tokens[e.end - 1].span.end as usize,
                );
                (e.kind, doc.slice(head), e.key.as_str())
            })
            .collect();
        assert!(
            got.contains(&(Kind::Name, "Jane Ortiz", "ortiz")),
            "{got:?}"
        );
        assert!(
            got.contains(&(Kind::Name, "Carl T. Whitfield", "whitfield")),
            "{got:?}"
        );
        assert!(
            got.contains(&(Kind::Role, "officials", "officials")),
            "{got:?}"
        );
        assert!(got.contains(&(Kind::Pronoun, "he", "he")), "{got:?}");
        assert!(!got.iter().any(|g| g.1 == "But" || g.1 == "Rep"), "{got:?}");
    }

    #[test]
    fn reported_speech_reads_its_own_speaker_weights() {
        with_ctx("Ortiz said the talks had failed again.", |ctx, _| {
            let site = |indirect| Site {
                outer: Span::new(11, 38),
                paragraph: 0,
                indirect,
            };
            let said = Said::default();
            let (c1, direct) = ctx.speaker_choice(&site(false), None, &said);
            let (c2, reported) = ctx.speaker_choice(&site(true), None, &said);
            assert_eq!(c1, c2);
            assert_eq!(direct.len(), reported.len());
            for (d, r) in direct.iter().zip(&reported) {
                assert!(d.iter().all(|id| !r.contains(id)), "{d:?} {r:?}");
            }
        });
    }

    #[test]
    fn the_gold_speaker_of_reported_speech_is_the_name_in_its_source() {
        with_ctx(
            "The spokesman for Ortiz said the talks had failed.",
            |ctx, idx| {
                let cands: Vec<usize> = (0..idx.exprs.len()).collect();
                let src = Span::new(0, 25);
                let g = |indirect| GoldQuote {
                    start: 31,
                    end: 50,
                    speaker: None,
                    source: vec![src],
                    indirect,
                };
                let name = |c: usize| ctx.doc.slice(idx.exprs[cands[c]].span).to_string();
                assert_eq!(name(ctx.gold_speaker(&cands, &g(true))), "Ortiz");
                assert_eq!(name(ctx.gold_speaker(&cands, &g(false))), "spokesman");
            },
        );
    }

    #[test]
    fn a_day_of_the_week_is_no_speaker_candidate() {
        let (doc, _, idx) = index_of("On Thursday, Ortiz said the talks had failed.");
        let names: Vec<&str> = idx.exprs.iter().map(|e| doc.slice(e.span)).collect();
        assert_eq!(names, ["Ortiz"]);
    }

    #[test]
    fn a_role_between_an_affiliation_and_a_name_joins_them_into_one_expression() {
        let (doc, _, idx) = index_of("Boston College professor Ellen Marsh said it.");
        let names: Vec<&Expr> = idx.exprs.iter().filter(|e| e.kind == Kind::Name).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(names[0].key, "marsh");
        assert_eq!(doc.tok(names[0].first), "Boston");
        assert_eq!(doc.tok(names[0].head), "Ellen");
    }

    #[test]
    fn a_pronoun_after_another_name_is_no_evidence_of_gender() {
        let (_, _, idx) =
            index_of("Brad Sherman joked to Janet Yellen that she should wait until May.");
        let at = |key: &str| idx.exprs.iter().position(|e| e.key == key).unwrap();
        assert_eq!(idx.local_gender[at("sherman")], 0);
        assert_eq!(idx.local_gender[at("yellen")], 2);
    }

    #[test]
    fn gender_evidence_names_first_names_and_titles() {
        let (_, rec, idx) = index_of("Senator Maria Lopez arrived late, and she left early.");
        let got: Vec<(&str, u8)> = idx.gender_evidence(Lexicon::global(), &rec.low).collect();
        assert!(got.contains(&("maria", 2)), "{got:?}");
        assert!(got.contains(&("senator", 2)), "{got:?}");
    }

    #[test]
    fn the_embedded_model_knows_the_gender_of_common_first_names() {
        let m = model();
        assert!(rank::score(m, &[gender_word_id("hillary")]) < 0.0);
        assert!(rank::score(m, &[gender_word_id("donald")]) > GENDER_MARGIN);
    }

    #[test]
    fn a_pronoun_in_the_next_sentence_gives_a_name_its_gender_past_a_long_sentence() {
        let (_, _, idx) = index_of(
            "Omar Idris Warsame, a police spokesman, said six of the dead were soldiers who had \
             been searching cars at the gate and the rest were civilians, among them a driver and \
             two street vendors from the town. The blast also wounded nine people, he said.",
        );
        let at = idx.exprs.iter().position(|e| e.key == "warsame").unwrap();
        assert_eq!(idx.local_gender[at], 1);
    }

    #[test]
    fn a_headline_run_is_not_the_fullest_form_of_a_name() {
        let (doc, _, idx) = index_of(
            "Lee Wins A Boost Over Kaine\nTim Kaine met Jane Lee, who got a boost over him.\n",
        );
        let kaine = idx.exprs.iter().find(|e| e.key == "kaine").unwrap();
        let full = idx.fullest_of(kaine);
        let name = Span::new(
            doc.tokens[full.head].span.start as usize,
            doc.tokens[full.end - 1].span.end as usize,
        );
        assert_eq!(doc.slice(name), "Tim Kaine");
    }

    #[test]
    fn a_capitalised_speech_verb_ends_a_headline_name() {
        let (_, _, idx) = index_of("Clinton Says Russians Hacked DNC\n");
        assert_eq!(idx.exprs[0].key, "clinton");
    }

    #[test]
    fn a_capitalised_role_noun_opening_a_sentence_is_no_name() {
        let (_, _, idx) = index_of("Officials said the talks had failed.");
        assert_eq!(idx.exprs[0].kind, Kind::Role);
    }

    #[test]
    fn the_verb_of_a_subject_is_found_past_a_parenthesis_and_an_appositive() {
        let text = "Jane Ortiz (D-Ore.) said it. Tymur Tkachenko, head of the city administration, reported it.";
        with_ctx(text, |ctx, idx| {
            let ortiz = idx.exprs.iter().find(|e| e.key == "ortiz").unwrap();
            let tk = idx.exprs.iter().find(|e| e.key == "tkachenko").unwrap();
            assert_eq!(ctx.verb_after(ortiz.end).map(|k| ctx.low(k)), Some("said"));
            assert_eq!(ctx.verb_after(tk.end).map(|k| ctx.low(k)), Some("reported"));
        });
    }

    #[test]
    fn the_embedded_model_is_trained_and_knows_speech_cues() {
        let m = model();
        assert!(
            m.rows() > 1000,
            "models/speakers.slm holds {} rows",
            m.rows()
        );
        assert!(rank::score(m, &[cue_word_id("said")]) > 0.0);
        assert!(rank::score(m, &[cue_word_id("the")]) <= 0.0);
    }

    #[test]
    fn the_speaker_after_the_quote_is_the_subject_of_its_verb() {
        let q =
            quotes("“We will not back down,” Sen. Ted Cruz (R-Texas) told reporters on Monday.");
        assert_eq!(q.len(), 1);
        assert_eq!(
            q[0].1.as_deref().map(|s| s.rsplit(' ').next().unwrap()),
            Some("Cruz")
        );
    }

    #[test]
    fn a_pronoun_speaker_is_resolved_by_the_gender_the_report_gives() {
        let text = "Hillary Clinton spoke in Ohio on Monday, and her rival Donald Trump answered in Iowa, where he held a rally.\n";
        let she = quotes(&format!("{text}“We will win this election,” she said."));
        let he = quotes(&format!("{text}“We will win this election,” he said."));
        assert_eq!(she[0].1.as_deref(), Some("Hillary Clinton"));
        assert_eq!(he[0].1.as_deref(), Some("Donald Trump"));
    }

    #[test]
    fn the_index_counts_mentions_so_far_and_knows_the_first_person() {
        let (_, _, idx) =
            index_of("Senator John Smith met Mary Jones. Smith spoke first. Jones answered Smith.");
        let seen: Vec<(&str, u32)> = idx
            .exprs
            .iter()
            .zip(&idx.seen)
            .filter(|(e, _)| e.kind == Kind::Name)
            .map(|(e, &n)| (e.key.as_str(), n))
            .collect();
        assert_eq!(
            seen,
            [
                ("smith", 1),
                ("jones", 1),
                ("smith", 2),
                ("jones", 2),
                ("smith", 3)
            ]
        );
        assert_eq!(idx.first_person.as_deref(), Some("smith"));
    }

    #[test]
    fn said_keeps_the_last_predicted_speaker_and_forgets_it_after_nobody() {
        let mut said = Said::default();
        said.record(Some("smith"));
        assert_eq!(said.last.as_deref(), Some("smith"));
        said.record(None);
        assert_eq!(said.last, None);
    }

    #[test]
    fn a_title_in_quotation_marks_without_a_cue_is_a_term() {
        let doc =
            Document::new("The minister watched the film “Saturday Night Live” on Monday.".into());
        let lex = Lexicon::global();
        let rec = mentions::recognize(&doc, lex, Gazetteer::global());
        let q = crate::quotes::find(&doc, lex, &rec);
        assert!(q.quotes.is_empty(), "{:?}", q.quotes);
        assert_eq!(q.terms.len(), 1);
    }

    #[test]
    fn a_pronoun_is_no_evidence_of_its_own_antecedent_s_gender() {
        with_ctx(
            "Laura Cavanaugh took the photo.\n“I love it,” he said.\n",
            |ctx, idx| {
                let he = idx.exprs.iter().position(|e| e.key == "he").unwrap();
                let laura = idx.exprs.iter().position(|e| e.key == "cavanaugh").unwrap();
                // The first pronoun after her name is the anaphor itself.
                assert_eq!(idx.local_gender[laura], 1);
                assert_eq!(ctx.local_gender(he, laura), 0);
                assert_eq!(ctx.report_genders(he, laura), (0, 0));
            },
        );
    }

    #[test]
    fn a_capitalised_word_the_report_writes_in_lower_case_is_no_antecedent() {
        with_ctx(
            "Tom Ware spoke first. Later, he left, and he came back later.",
            |ctx, idx| {
                let he = idx.exprs.iter().rposition(|e| e.key == "he").unwrap();
                let keys: Vec<&str> = ctx
                    .antecedents(he)
                    .iter()
                    .map(|&j| idx.exprs[j].key.as_str())
                    .collect();
                assert_eq!(keys, ["ware"]);
            },
        );
    }

    #[test]
    fn antecedent_features_are_also_read_by_the_anaphor_s_class() {
        with_ctx(
            "Tom Ware and Ann Lee met. He left. She stayed.",
            |ctx, idx| {
                let he = idx.exprs.iter().position(|e| e.key == "he").unwrap();
                let she = idx.exprs.iter().position(|e| e.key == "she").unwrap();
                let said = Said::default();
                let (_, h) = ctx.antecedent_choice(he, &said);
                let (_, s) = ctx.antecedent_choice(she, &said);
                let mut class = Features::new();
                class.add("anw", "anaph:g");
                let id = class.into_ids()[0];
                // Both "nobody" rivals read the class of gendered pronouns.
                assert!(h.last().unwrap().contains(&id) && s.last().unwrap().contains(&id));
            },
        );
    }

    #[test]
    fn a_body_noun_and_a_role_join_an_affiliation_to_a_name() {
        let (_, _, idx) = index_of("Smith campaign spokesman Hogan Gidley said no.");
        let names: Vec<&str> = idx
            .exprs
            .iter()
            .filter(|e| e.kind == Kind::Name)
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(names, ["gidley"]);
    }
}
