//! Learned event typing: which family and type an event mention is, read from its context.
//!
//! The trigger lexicon (`data/triggers.tsv`) proposes candidates and gives features; the decision
//! is a linear model (`models/events.slm`, trained by `sitrep train events` on ACLED-coded notes
//! and PLOVER-coded sentences) over the words of the mention's sentence and clause (a name read
//! as its kind, "<person>" or "<armed_group>", not its words; every word also by its word
//! class and its meaning class, see `meanings`), the trigger and the words around it, the
//! weapons, the casualty figures and the kinds of actors named. One model, one scoring per
//! clause: the typer costs a hash per word and a few thousand additions.
//!
//! [`features`] is the one feature function: the trainer calls it through [`candidates`], the
//! extractor through `events`, so training and run time cannot drift apart.

use crate::lexicon::{Lexicon, Trigger};
use crate::mentions::{Recognized, Referent};
use sitrep_learn::{Features, Model};
use sitrep_model::{ActorKind, CasualtyKind, EventType, Family, Span};
use sitrep_text::Document;
use std::ops::Range;
use std::sync::OnceLock;
use time::Date;

/// The label of a clause that reports no event (used by the detector of clauses with no trigger).
pub const NONE: &str = "none";

/// The embedded model, loaded once. `None` when the file is empty or unreadable: events are then
/// typed by the trigger lexicon alone.
pub fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::from_bytes(include_bytes!("../models/events.slm")).ok())
        .as_ref()
}

/// How many training examples each label of the model had (`models/events.counts.tsv`, written
/// with the model by `sitrep train events`).
pub fn support(label: &str) -> usize {
    static COUNTS: OnceLock<Vec<(String, usize)>> = OnceLock::new();
    COUNTS
        .get_or_init(|| {
            include_str!("../models/events.counts.tsv")
                .lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once('\t')?;
                    Some((k.to_string(), v.trim().parse().ok()?))
                })
                .collect()
        })
        .iter()
        .find(|(k, _)| k == label)
        .map_or(0, |(_, n)| *n)
}

/// A lexicon reading of a type the model learnt from fewer examples than this stands: the
/// model cannot have learnt when it applies (ACLED codes few suicide bombings, territory
/// regained or force used on protesters in a half-year).
pub const MIN_SUPPORT: usize = 30;

/// The label a family and type are learnt under: `family/type`.
pub fn label(family: Family, kind: EventType) -> String {
    format!("{}/{}", family.as_str(), kind.as_str())
}

/// The family and type of a label, `None` for [`NONE`] or a malformed label.
pub fn parse_label(label: &str) -> Option<(Family, EventType)> {
    let (f, t) = label.split_once('/')?;
    let (f, t) = (Family::parse(f)?, EventType::parse(t)?);
    sitrep_model::EventKind::new(f, t).map(|_| (f, t))
}

/// What the typer reads of one clause.
pub struct Context<'a> {
    /// Every token of the document, lowercased.
    pub low: &'a [String],
    /// The document: its tokens as written, for their word classes.
    pub doc: &'a Document,
    /// What the recogniser found: a name is read by its kind, not its words.
    pub rec: &'a Recognized,
    /// The clause's sentence, as a token range.
    pub sentence: Range<usize>,
    /// The clause, as a token range inside the sentence.
    pub clause: Range<usize>,
    /// The sentences around it in its paragraph, as a token range holding `sentence`.
    pub paragraph: Range<usize>,
    /// Tokens that are part of a time expression ("On 5 March 2022"): read as one `<time>`.
    pub in_time: &'a dyn Fn(usize) -> bool,
    /// Tokens inside a quotation.
    pub masked: &'a dyn Fn(usize) -> bool,
    /// The trigger chosen in the clause: its first token, its length and its lexicon entry.
    pub trigger: Option<(usize, usize, &'a Trigger)>,
    /// Other trigger phrases of the clause (start, length, entry).
    pub others: &'a [(usize, usize, Trigger)],
    /// The weapons named in the clause, with their first token.
    pub weapons: &'a [(String, usize)],
    pub figures: &'a [CasualtyKind],
    /// Actors named in the sentence: (token, kind).
    pub actors: &'a [(usize, ActorKind)],
}

/// The word as a feature: lowercase, digits folded to `0`, common inflections stripped
/// ("clashed", "clashes", "clashing" → "clash").
pub fn norm(w: &str) -> String {
    if w.bytes().any(|b| b.is_ascii_digit()) {
        return w
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
    }
    stem(w).to_string()
}

fn stem(w: &str) -> &str {
    let n = w.len();
    for suf in ["ings", "ing", "ied", "ies", "ed", "es", "s"] {
        if n >= suf.len() + 4 && w.ends_with(suf) && w.is_char_boundary(n - suf.len()) {
            return &w[..n - suf.len()];
        }
    }
    w
}

/// The fine word class of token `k` as written (`models/clusters.tsv`, learnt from unlabeled
/// text): "gunmen", "militants" and "rebels" share one, "civilians" and "villagers" another, so
/// what the model learns of one word carries to words it saw in no training text. A sentence's
/// first word is looked up lowercased first: capitalised there, "Gunmen" and "Protesters"
/// share the class of sentence openings.
fn word_class(doc: &Document, k: usize, initial: bool) -> Option<&'static str> {
    let tok = doc.slice(doc.tokens[k].span);
    let table = crate::ner::clusters();
    let get = |t: &str| table.get(crate::ner::cluster_key(t).as_ref()).map(|c| c.0);
    if initial {
        if let Some(c) = get(&tok.to_lowercase()) {
            return Some(c);
        }
    }
    get(tok)
}

/// The kind of the name token `k` is part of ("<person>", "<place>", an actor's kind), if any:
/// the model learns "<armed_group> attacked <place>", not the names of one country's groups.
fn name_kind(c: &Context, k: usize) -> Option<&'static str> {
    let from = c.rec.mentions.partition_point(|m| m.end <= k);
    let m = c.rec.mentions.get(from).filter(|m| m.first <= k)?;
    Some(match &m.referent {
        Referent::Place(_) => "<place>",
        Referent::Person(_) => "<person>",
        Referent::Media => "<org>",
        Referent::Actor { actor, .. } => match Lexicon::global().actors[*actor].kind {
            ActorKind::State => "<state>",
            ActorKind::Military => "<military>",
            ActorKind::ArmedGroup => "<armed_group>",
            ActorKind::Organisation => "<organisation>",
            ActorKind::GovernmentBody => "<government_body>",
            ActorKind::Civilians => "<civilians>",
            ActorKind::Person => "<person>",
        },
    })
}

/// How many distinct words of the sentences around a clause its features read, nearest first.
/// Counted by every word, a long paragraph's context outweighed the clause itself: the
/// trainer's events come from short notes and its clauses of no event from news stories, so
/// the sheer number of context words had become a sign of "no event", and an attack told in a
/// long paragraph of real news went unread. Cross-validated by country (ACLED notes, family
/// macro recall / type by family, before the chain was retrained): every word 83.2 / 80.0, at
/// most 16 83.4 / 79.9, 32 83.8 / 80.5; the context cut to the sentence either side instead,
/// 83.5 / 80.2. With the folds shuffled by two other seeds, every word 83.4 and 82.8 against
/// 32 words 83.1 and 82.5: neutral on ACLED; what it changes is news (events on 400 real
/// stories 222 -> 286).
const CONTEXT_WORDS: usize = 32;

/// The distinct (folded) words of the clause's paragraph outside its sentence, nearest first,
/// at most [`CONTEXT_WORDS`]; quotations, time expressions and tokens without a letter skipped.
fn context_words(c: &Context) -> Vec<String> {
    let mut near: Vec<(usize, String)> = c
        .paragraph
        .clone()
        .filter(|k| !c.sentence.contains(k) && !(c.masked)(*k) && !(c.in_time)(*k))
        .filter(|&k| c.low[k].chars().any(char::is_alphabetic))
        .map(|k| {
            (
                k.abs_diff(c.sentence.start).min(k.abs_diff(c.sentence.end)),
                norm(&c.low[k]),
            )
        })
        .collect();
    near.sort();
    let mut out: Vec<String> = Vec::with_capacity(CONTEXT_WORDS);
    for (_, w) in near {
        if out.len() == CONTEXT_WORDS {
            break;
        }
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The features of one clause (see the module documentation).
pub fn features(c: &Context) -> Features {
    let mut f = Features::new();
    f.flag("bias");
    let words = sentence_words(c, &mut f);
    // The paragraph's other words: what the note or report says around the sentence.
    for w in context_words(c) {
        f.add("p", &w);
    }
    for (i, (k, w)) in words.iter().enumerate() {
        f.add("w", w);
        if c.clause.contains(k) {
            f.add("cw", w);
        }
        let prev = if i == 0 { "<s>" } else { &words[i - 1].1 };
        f.add2("b", prev, w);
    }
    match c.trigger {
        Some((at, n, t)) => trigger_features(c, (at, n, t), &mut f),
        None => f.flag("no_trigger"),
    }
    for (_, _, t) in c.others {
        f.add("ot", t.kind.as_str());
    }
    for (w, k) in c.weapons {
        f.add("wp", w);
        // "aircraft struck a convoy" (the weapon acts) is not "a vehicle struck an IED" (the
        // weapon is hit): the weapon's side of the trigger, with the trigger.
        if let Some((at, n, _)) = c.trigger {
            let side = if *k < at { "before" } else { "after" };
            f.add2("wps", side, w);
            f.add2("wpt", &norm(&c.low[at + n - 1]), w);
        }
    }
    for k in c.figures {
        let kind = match k {
            CasualtyKind::Killed => "killed",
            CasualtyKind::Injured => "injured",
        };
        f.add("fig", kind);
    }
    if c.figures.is_empty() {
        f.flag("no_figures");
    }
    for (_, kind) in c.actors {
        f.add("a", kind.as_str());
    }
    f
}

/// The sentence's words for the word and bigram features, each time expression one `<time>`
/// and each name one word, its kind; the word class of every other word is added to `f`.
fn sentence_words(c: &Context, f: &mut Features) -> Vec<(usize, String)> {
    let mut words: Vec<(usize, String)> = Vec::with_capacity(c.sentence.len());
    let mut in_time = false;
    for k in c.sentence.clone() {
        if (c.masked)(k) {
            continue;
        }
        if (c.in_time)(k) {
            if !in_time {
                words.push((k, "<time>".into()));
            }
            in_time = true;
            continue;
        }
        in_time = false;
        let w = &c.low[k];
        if w.chars().all(|ch| !ch.is_alphanumeric()) && w != "-" {
            continue;
        }
        if let Some(kind) = name_kind(c, k) {
            if words.last().is_none_or(|l| l.1 != kind) {
                words.push((k, kind.to_string()));
            }
            continue;
        }
        words.push((k, norm(w)));
        if let Some(class) = crate::meanings::class(w) {
            f.add("mc", class);
        }
        if let Some(class) = word_class(c.doc, k, k == c.sentence.start) {
            f.add("wc", class);
        }
    }
    words
}

/// The trigger phrase (`at`, `n` tokens), its lexicon reading, the words around it by side and
/// the actor kinds on each side.
fn trigger_features(c: &Context, (at, n, t): (usize, usize, &Trigger), f: &mut Features) {
    let phrase = c.low[at..at + n].join(" ");
    f.add("t", &phrase);
    f.add("tl", &norm(&c.low[at + n - 1]));
    f.add("tf", t.family.as_str());
    f.add("tk", t.kind.as_str());
    if let Some(w) = &t.weapon {
        f.add("tw", w);
    }
    let lo = at.saturating_sub(3).max(c.sentence.start);
    let hi = (at + n + 3).min(c.sentence.end);
    for k in lo..at {
        f.add("l", &norm(&c.low[k]));
    }
    for k in at + n..hi {
        f.add("r", &norm(&c.low[k]));
    }
    if at > c.sentence.start {
        f.add2("lt", &norm(&c.low[at - 1]), &phrase);
    }
    if at + n < c.sentence.end {
        f.add2("tr", &phrase, &norm(&c.low[at + n]));
    }
    for (k, kind) in c.actors {
        let side = if *k < at { "before" } else { "after" };
        f.add2("ta", side, kind.as_str());
        f.add2("tka", t.kind.as_str(), kind.as_str());
    }
}

/// The model's decision on a clause: the best label and its margin over the runner-up.
pub fn decide(model: &Model, ids: &[u32]) -> Option<(Family, EventType, f32)> {
    let scores = model.scores(ids);
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let best = *order.first()?;
    let margin = order
        .get(1)
        .map_or(f32::INFINITY, |&r| scores[best] - scores[r]);
    let (fam, kind) = parse_label(&model.labels()[best])?;
    Some((fam, kind, margin))
}

/// The best event label among those the model knows, ignoring [`NONE`]; with its score's lead
/// over [`NONE`] (how sure the model is there is an event at all).
pub fn decide_event(model: &Model, ids: &[u32]) -> Option<(Family, EventType, f32)> {
    let scores = model.scores(ids);
    let none = model.label_index(NONE);
    let best = (0..scores.len())
        .filter(|&i| Some(i) != none)
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))?;
    let lead = none.map_or(f32::INFINITY, |n| scores[best] - scores[n]);
    let (fam, kind) = parse_label(&model.labels()[best])?;
    Some((fam, kind, lead))
}

/// How much the trigger lexicon's family weighs against the model's scores: the model moves an
/// event to another family only when it scores that family's best type higher by more than
/// this (cross-validated in `sitrep train events` and checked on the example reports, which
/// are news, not coders' notes: with the averaged dropout model, 20 gives ACLED's notes +0.3
/// family macro end to end but the reports' events F1 78.5 against 83.1 at 40). With every word
/// also read by its meaning class the model's scores grew, and its weight with them: reports'
/// events F1 at 20, 40, 60, 80 and 120: 80.9, 83.3, 86.2, 84.6, 84.6 (ACLED's family macro end
/// to end 90.9 at 40, 90.8 at 60; PLOVER's CAMEO root 68.9 at both).
pub const LEXICON_PRIOR: f32 = 60.0;

/// The family and type the model gives a clause whose trigger the lexicon reads as `prior`
/// (family, type, and whether a specific phrase or weapon gave the type). The family is the
/// model's, the lexicon's family weighted by [`LEXICON_PRIOR`]. Within the lexicon's family a
/// specific reading keeps its type (ACLED's explosion types are the weapon's, which the weapon
/// list reads better than a model of wording); otherwise the model's best type of the family.
/// A diplomatic reading stands (the model has seen few diplomatic acts), as does a reading of
/// a type the model saw too rarely ([`MIN_SUPPORT`]); another trigger gets no diplomatic
/// reading. `None` when the model does not know the lexicon's label.
pub fn with_prior(
    model: &Model,
    scores: &[f32],
    prior: (Family, EventType, bool),
) -> Option<(Family, EventType)> {
    with_bonus(model, scores, prior, LEXICON_PRIOR)
}

/// [`with_prior`] with another weight of the lexicon's family (for tuning it).
pub fn with_bonus(
    model: &Model,
    scores: &[f32],
    (pf, pk, specific): (Family, EventType, bool),
    bonus: f32,
) -> Option<(Family, EventType)> {
    if pf == Family::Diplomacy || support(&label(pf, pk)) < MIN_SUPPORT {
        return Some((pf, pk));
    }
    model.label_index(&label(pf, pk))?;
    // The best type of each family, then the best family.
    let mut best: Vec<(Family, EventType, f32)> = Vec::new();
    for (i, l) in model.labels().iter().enumerate() {
        let Some((f, k)) = parse_label(l) else {
            continue;
        };
        if f == Family::Diplomacy {
            continue;
        }
        match best.iter_mut().find(|b| b.0 == f) {
            Some(b) if b.2 >= scores[i] => {}
            Some(b) => *b = (f, k, scores[i]),
            None => best.push((f, k, scores[i])),
        }
    }
    let (f, k, _) = best
        .into_iter()
        .map(|(f, k, s)| (f, k, if f == pf { s + bonus } else { s }))
        .max_by(|a, b| a.2.total_cmp(&b.2))?;
    // ACLED's codebook types an attack by its means before its victims: a strike by a remote
    // weapon or an explosive the weapon list names is Explosions/Remote violence whoever it
    // hits (that civilians were targeted is a separate flag), never violence against civilians,
    // a protest or a riot. Fighting on the ground (a battle) can take it in, and a weapon stopped
    // before it struck ("a drone was shot down") is a strategic development.
    let by_means = pf == Family::ExplosionsRemoteViolence
        && !matches!(f, Family::Battles | Family::StrategicDevelopments);
    Some(if (f == pf || by_means) && specific {
        (pf, pk)
    } else {
        (f, k)
    })
}

/// One clause as the trainer sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub sentence: usize,
    pub span: Span,
    /// Whether the clause has a trigger phrase.
    pub trigger: bool,
    /// Whether the clause gives a casualty figure.
    pub figures: bool,
    /// Whether the clause is a statement by a state ("The Kremlin said").
    pub statement: bool,
    /// The trigger lexicon's reading of the clause (its trigger refined by the weapons named),
    /// and whether a specific phrase or weapon gave it.
    pub lexical: Option<(Family, EventType, bool)>,
    pub ids: Vec<u32>,
}

/// The typing features of every clause of a text, in order, as the extractor computes them.
pub fn candidates(text: &str, published: Option<Date>) -> Vec<Candidate> {
    let lex = Lexicon::global();
    let gaz = sitrep_gazetteer::Gazetteer::global();
    let doc = sitrep_text::Document::new(text.to_string());
    let rec = crate::mentions::recognize(&doc, lex, gaz);
    let quoted = crate::quotes::find(&doc, lex, &rec);
    crate::events::typing_candidates(&doc, lex, &rec, &quoted, published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_to_a_stem() {
        assert_eq!(norm("clashed"), "clash");
        assert_eq!(norm("clashes"), "clash");
        assert_eq!(norm("protesters"), "protester");
        assert_eq!(norm("2022"), "0000");
        assert_eq!(norm("gas"), "gas");
    }

    #[test]
    fn labels_round_trip_and_refuse_bad_pairs() {
        let l = label(Family::Battles, EventType::ArmedClash);
        assert_eq!(
            parse_label(&l),
            Some((Family::Battles, EventType::ArmedClash))
        );
        assert_eq!(parse_label("battles/peaceful_protest"), None);
        assert_eq!(parse_label(NONE), None);
    }

    fn typed(text: &str) -> Vec<(Family, EventType)> {
        let m = model().expect("the embedded event model");
        candidates(text, None)
            .iter()
            .filter_map(|c| decide_event(m, &c.ids).map(|d| (d.0, d.1)))
            .collect()
    }

    #[test]
    fn the_model_reads_a_protest_a_riot_and_a_battle() {
        let t = typed(
            "Hundreds of teachers protested peacefully outside the ministry over unpaid wages.",
        );
        assert_eq!(
            t.first(),
            Some(&(Family::Protests, EventType::PeacefulProtest))
        );
        let t = typed("Rioters burned tyres and threw stones at shops, blocking the main road.");
        assert_eq!(t.first().map(|x| x.0), Some(Family::Riots));
        let t =
            typed("Government forces clashed with rebels near the town, exchanging heavy fire.");
        assert_eq!(t.first(), Some(&(Family::Battles, EventType::ArmedClash)));
    }

    #[test]
    fn a_weapon_changes_the_type() {
        // The same act with a grenade and with a knife: the grenade moves the score towards
        // ACLED's grenade type and away from an attack on civilians.
        let m = model().expect("the embedded event model");
        let lead = |text: &str| {
            let ids = &candidates(text, None)[0].ids;
            let s = m.scores(ids);
            let at = |f, k| s[m.label_index(&label(f, k)).expect("a known label")];
            at(Family::ExplosionsRemoteViolence, EventType::Grenade)
                - at(Family::ViolenceAgainstCivilians, EventType::Attack)
        };
        let grenade = lead("A man threw a hand grenade at a bar, injuring four people.");
        let knife = lead("A man attacked people with a knife at a bar, injuring four people.");
        assert!(grenade > knife + 10.0, "{grenade} vs {knife}");
    }

    #[test]
    fn a_strike_by_a_named_remote_weapon_stays_an_explosion_whoever_it_hits() {
        let m = model().expect("the embedded event model");
        let vac = label(Family::ViolenceAgainstCivilians, EventType::Attack);
        let mut scores = vec![0.0; m.labels().len()];
        scores[m.label_index(&vac).expect("a known label")] = 1000.0;
        let strike = (
            Family::ExplosionsRemoteViolence,
            EventType::AirDroneStrike,
            true,
        );
        assert_eq!(
            with_prior(m, &scores, strike),
            Some((Family::ExplosionsRemoteViolence, EventType::AirDroneStrike))
        );
        // Nor a protest; but a battle on the ground takes it in.
        let at = |f, k| m.label_index(&label(f, k)).expect("a known label");
        let mut scores = vec![0.0; m.labels().len()];
        scores[at(Family::Protests, EventType::PeacefulProtest)] = 1000.0;
        assert_eq!(
            with_prior(m, &scores, strike).map(|x| x.0),
            Some(Family::ExplosionsRemoteViolence)
        );
        scores[at(Family::Battles, EventType::ArmedClash)] = 2000.0;
        assert_eq!(
            with_prior(m, &scores, strike),
            Some((Family::Battles, EventType::ArmedClash))
        );
        let mut scores = vec![0.0; m.labels().len()];
        scores[at(Family::ViolenceAgainstCivilians, EventType::Attack)] = 1000.0;
        // Without a weapon that names the means, the model's reading stands.
        let vague = (strike.0, strike.1, false);
        assert_eq!(
            with_prior(m, &scores, vague),
            Some((Family::ViolenceAgainstCivilians, EventType::Attack))
        );
    }

    #[test]
    fn a_name_is_read_by_its_kind_and_a_word_by_its_class() {
        let text = "Gunmen killed John Okafor near the market.";
        let ids = &candidates(text, None)[0].ids;
        let has = |name: &str, value: &str| {
            let mut f = Features::new();
            f.add(name, value);
            ids.contains(&f.ids()[0])
        };
        assert!(has("w", "<person>"), "the person as its kind");
        assert!(!has("w", "okafor"), "not the person's name");
        assert!(has("w", "gunmen"), "other words stay words");
        let doc = Document::new("Gunmen militants civilians".into());
        let (gunmen, militants, civilians) = (
            word_class(&doc, 0, true).expect("a class"),
            word_class(&doc, 1, false),
            word_class(&doc, 2, false),
        );
        assert_ne!(
            word_class(&doc, 0, false),
            Some(gunmen),
            "capitalised, another class"
        );
        assert_eq!(Some(gunmen), militants);
        assert_ne!(Some(gunmen), civilians);
        assert!(has("wc", gunmen));
    }

    #[test]
    fn context_is_the_nearest_distinct_words_and_no_more() {
        // A three-word sentence in a paragraph of 200 words: "xy" twice right after it.
        let names: Vec<String> = (0..26u8)
            .flat_map(|a| {
                (0..26u8).map(move |b| format!("{}{}", (b'a' + a) as char, (b'a' + b) as char))
            })
            .collect();
        let mut low: Vec<String> = vec!["troops".into(), "clashed".into(), "today".into()];
        low.extend(["xy".to_string(), "xy".to_string()]);
        low.extend(names.iter().take(195).cloned());
        let doc = Document::new(low.join(" "));
        let rec = Recognized::default();
        let no = |_: usize| false;
        let c = Context {
            low: &low,
            doc: &doc,
            rec: &rec,
            sentence: 0..3,
            clause: 0..3,
            paragraph: 0..low.len(),
            in_time: &no,
            masked: &no,
            trigger: None,
            others: &[],
            weapons: &[],
            figures: &[],
            actors: &[],
        };
        let words = context_words(&c);
        assert_eq!(words.len(), CONTEXT_WORDS);
        assert_eq!(words[0], "xy");
        assert_eq!(words[1], "aa");
        assert_eq!(words.iter().filter(|w| *w == "xy").count(), 1);
        assert!(!words.contains(&"troops".to_string()));
    }

    #[test]
    fn features_see_the_trigger_and_its_neighbours() {
        let low: Vec<String> = "troops clashed with rebels"
            .split(' ')
            .map(String::from)
            .collect();
        let t = Trigger {
            family: Family::Battles,
            kind: EventType::ArmedClash,
            weapon: None,
        };
        let no = |_: usize| false;
        let doc = Document::new("troops clashed with rebels".into());
        let rec = Recognized::default();
        let c = Context {
            low: &low,
            doc: &doc,
            rec: &rec,
            sentence: 0..4,
            clause: 0..4,
            paragraph: 0..4,
            in_time: &no,
            masked: &no,
            trigger: Some((1, 1, &t)),
            others: &[],
            weapons: &[],
            figures: &[],
            actors: &[],
        };
        let ids = features(&c).into_ids();
        let mut want = Features::new();
        want.add("t", "clashed");
        want.add("tl", "clash");
        want.add("l", "troop");
        want.add("r", "with");
        for id in want.ids() {
            assert!(ids.contains(id));
        }
        assert!(!ids.contains(&sitrep_learn::hash("no_trigger")));
    }
}
