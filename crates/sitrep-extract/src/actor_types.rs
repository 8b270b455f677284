//! Learned actor types: ACLED's `inter` code of every event actor (1 state forces, 2 rebel
//! groups, 3 political militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians,
//! 8 external or other forces), read from the actor and its context.
//!
//! Whether an armed group is a rebellion or a communal militia, or a state's troops its own
//! forces or foreign ones, is told by wording ("Fulani militia", "a gang", "Russian troops" in
//! Ukraine) and by where the event happened, not by the name alone: one linear model
//! (`models/actors.slm`, trained by `sitrep train actors` on ACLED's coded notes) reads the
//! actor dictionary's kind, the actor's name, the words of its mention and around it with their
//! word classes (`models/clusters.tsv`), whether the actor belongs to the country of the event,
//! the event's family and type and the actor's role. [`features`] is the one feature function,
//! shared by the trainer and the extractor.

use crate::lexicon::{ActorForm, Lexicon};
use crate::mentions::{Mention, Recognized, Referent};
use sitrep_learn::{Features, Model};
use sitrep_model::{ActorKind, Event, EventActor, EventType, Family, Role, Span};
use sitrep_text::{Document, TokenKind};
use std::sync::OnceLock;

/// The model's labels: ACLED's inter codes 1 to 8.
pub const LABELS: [&str; 8] = ["1", "2", "3", "4", "5", "6", "7", "8"];

/// Words of the event's evidence read as context, at most.
const EVIDENCE_WORDS: usize = 60;

/// The embedded model, loaded once; `None` when the file is empty or unreadable (actors then
/// carry no type).
pub fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(include_bytes!("../models/actors.slm")).ok())
        .as_ref()
}

/// What the features read of a report besides the event and the actor.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub lex: &'a Lexicon,
    pub rec: &'a Recognized,
}

/// Whether the model speaks for an event's actors: ACLED codes no diplomacy, so the model has
/// learnt nothing of it.
pub fn typed(e: &Event) -> bool {
    e.family != Family::Diplomacy
}

/// Give every actor of `events` its type, where a model is embedded and has learnt the family.
pub fn assign(c: &Context, events: &mut [Event]) {
    let Some(model) = model() else {
        return;
    };
    for e in events.iter_mut().filter(|e| typed(e)) {
        let inters: Vec<Option<u8>> = e
            .actors
            .iter()
            .map(|a| choose(model, &features(c, e, a), a.kind, home(e, a)))
            .collect();
        for (a, inter) in e.actors.iter_mut().zip(inters) {
            a.inter = inter;
        }
    }
}

/// The codes ACLED's codebook allows an actor of `kind` whose [`home`] is `home`: a state, its
/// forces or its government are state forces at home (1) or external forces abroad (8), never
/// rebels or militias. `None`: any code (residents who march are protesters, 6, not civilians).
pub fn allowed(kind: ActorKind, home: &str) -> Option<&'static [u8]> {
    match (kind, home) {
        (ActorKind::State | ActorKind::Military | ActorKind::GovernmentBody, h) => match h {
            "home" => Some(&[1]),
            "abroad" => Some(&[8]),
            _ => Some(&[1, 8]),
        },
        _ => None,
    }
}

/// The best-scoring code of feature ids `ids` among those [`allowed`] for an actor of `kind`
/// whose [`home`] is `home`.
pub fn choose(model: &Model, ids: &[u32], kind: ActorKind, home: &str) -> Option<u8> {
    let scores = model.scores(ids);
    let code = |i: usize| model.labels()[i].parse::<u8>().ok();
    let ok = |i: &usize| match (allowed(kind, home), code(*i)) {
        (Some(set), Some(x)) => set.contains(&x),
        (None, _) => true,
        (Some(_), None) => false,
    };
    (0..scores.len())
        .filter(ok)
        .max_by(|&i, &j| scores[i].total_cmp(&scores[j]).then(j.cmp(&i)))
        .and_then(code)
}

/// The feature ids of actor `a` of event `e`.
pub fn features(c: &Context, e: &Event, a: &EventActor) -> Vec<u32> {
    let mut f = Features::new();
    let (kind, fam, role) = (a.kind.as_str(), e.family.as_str(), role_str(a.role));
    let home = home(e, a);
    f.add("kind", kind);
    f.add("fam", fam);
    f.add("type", e.event_type.as_str());
    f.add2("fam-kind", fam, kind);
    f.add2("fam-role", fam, role);
    f.add2("kind-role", kind, role);
    f.add2("home-kind", home, kind);
    f.add2("home-fam", home, fam);
    f.add2("home-role", home, role);
    // A state's name is its country's: only the names of other actors say what they are.
    if a.kind != ActorKind::State {
        for w in name_words(&a.name) {
            f.add("name", &w);
            f.add2("name-home", &w, home);
        }
    }
    match a.mention.and_then(|s| mention_at(c.rec, s)) {
        Some(m) => mention_features(c, m, &mut f),
        None => f.flag("unnamed"),
    }
    evidence_features(c, e, &mut f);
    f.into_ids()
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::Initiator => "initiator",
        Role::Target => "target",
        Role::Participant => "participant",
    }
}

/// Whether the actor belongs to the country the event happened in: a state's forces at home
/// are ACLED's 1, abroad its 8.
pub fn home(e: &Event, a: &EventActor) -> &'static str {
    let place = e.locations.first().and_then(|l| l.country.as_deref());
    match (a.country.as_deref(), place) {
        (None, _) => "stateless",
        (Some(_), None) => "unplaced",
        (Some(x), Some(y)) if x == y => "home",
        (Some(_), Some(_)) => "abroad",
    }
}

/// The lowercased words of a name, leaving out the country of a generic actor ("Protesters
/// (Bolivia)", "Military Forces of Russia"): where it is, not what it is.
fn name_words(name: &str) -> Vec<String> {
    let bare = name.split('(').next().unwrap_or(name);
    let bare = bare.split(" of ").next().unwrap_or(bare);
    bare.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && *w != "of")
        .map(str::to_lowercase)
        .collect()
}

/// The recognised mention with exactly this span.
fn mention_at(rec: &Recognized, s: sitrep_model::Span) -> Option<&Mention> {
    let i = rec.mentions.partition_point(|m| m.span.start < s.start);
    rec.mentions.get(i).filter(|m| m.span == s)
}

/// The mention's form, words and head, the modifiers before it and the noun after it
/// ("Fulani militia", "pro-government fighters", "Russian troops"), with word classes.
fn mention_features(c: &Context, m: &Mention, f: &mut Features) {
    let low = &c.rec.low;
    let form = match &m.referent {
        Referent::Actor { form, .. } => match form {
            ActorForm::Name => "name",
            ActorForm::Demonym => "demonym",
            ActorForm::Capital => "capital",
        },
        Referent::Person(_) => "person",
        Referent::Place(_) => "place",
        Referent::Media => "media",
    };
    f.add("form", form);
    for w in &low[m.first..m.end] {
        f.add("mw", w);
    }
    f.add("head", &low[m.end - 1]);
    let s = c.doc.sentences[m.sentence].tokens.clone();
    for j in m.first.saturating_sub(3).max(s.start)..m.first {
        word(c, "before", j, f);
    }
    if m.first > s.start {
        f.add2("form-prev", form, &low[m.first - 1]);
    }
    for j in m.end..(m.end + 2).min(s.end) {
        word(c, "after", j, f);
    }
    if m.end < s.end {
        f.add2("form-next", form, &low[m.end]);
    }
}

/// A context word and its word classes.
fn word(c: &Context, name: &str, j: usize, f: &mut Features) {
    if c.doc.tokens[j].kind != TokenKind::Word {
        return;
    }
    f.add(name, &c.rec.low[j]);
    if let Some((fine, coarse)) = crate::ner::word_class(c.doc.tok(j)) {
        f.add2(name, "cl", fine);
        f.add2(name, "cc", coarse);
    }
    if let Some(m) = crate::meanings::class(&c.rec.low[j]) {
        f.add2(name, "mc", m);
    }
}

/// The words of the event's first evidence ("gang", "communal", "herders", "rioters"), without
/// stopwords.
fn evidence_features(c: &Context, e: &Event, f: &mut Features) {
    let Some(ev) = e.evidence.first() else {
        return;
    };
    let (a, b) = (c.doc.token_at(ev.start), c.doc.token_at(ev.end));
    (a..b.min(c.rec.low.len()))
        .filter(|&k| c.doc.tokens[k].kind == TokenKind::Word)
        .map(|k| c.rec.low[k].as_str())
        .filter(|w| !c.lex.stopwords.contains(*w))
        .take(EVIDENCE_WORDS)
        .for_each(|w| f.add("ev", w));
}

/// The generic initiators ACLED codes for an event whose note names none: none, the state's
/// military or police, an unidentified armed group, the country's rioters or protesters.
pub const DEFAULTS: [&str; 6] = ["none", "military", "police", "uag", "rioters", "protesters"];

/// How sure the default model must be (the margin of its best score over the second) to
/// overrule the actor words; chosen by cross-validation in `sitrep train actors`.
pub const DEFAULT_CONFIDENCE: f32 = 5.0;

/// Whether the default model decides an unnamed initiator of this family: a protest's or a
/// riot's is its crowd, and ACLED codes no diplomacy.
pub fn defaulted(fam: Family) -> bool {
    !matches!(fam, Family::Protests | Family::Riots | Family::Diplomacy)
}

/// The embedded model of unnamed initiators (`models/actor_defaults.slm`), if any.
pub fn default_model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(include_bytes!("../models/actor_defaults.slm")).ok())
        .as_ref()
}

/// The feature ids of an event that names no initiator: its family, type and country, and the
/// words of its first evidence with their word classes and neighbours.
pub fn default_features(
    c: &Context,
    fam: Family,
    kind: EventType,
    country: &str,
    evidence: Option<Span>,
) -> Vec<u32> {
    let mut f = Features::new();
    let fam = fam.as_str();
    f.add("fam", fam);
    f.add("type", kind.as_str());
    f.add("cc", country);
    f.add2("cc-fam", country, fam);
    if let Some(ev) = evidence {
        let (a, b) = (c.doc.token_at(ev.start), c.doc.token_at(ev.end));
        let words: Vec<usize> = (a..b.min(c.rec.low.len()))
            .filter(|&k| c.doc.tokens[k].kind == TokenKind::Word)
            .take(EVIDENCE_WORDS)
            .collect();
        let mut prev = "^";
        for &k in &words {
            let w = c.rec.low[k].as_str();
            f.add2("bi", prev, w);
            prev = w;
            if c.lex.stopwords.contains(w) {
                continue;
            }
            if reports(c, k) {
                // "police said": who tells of the event, not who did it.
                f.add("rw", w);
                continue;
            }
            f.add("w", w);
            f.add2("fam-w", fam, w);
            if let Some((fine, _)) = crate::ner::word_class(c.doc.tok(k)) {
                f.add("cl", fine);
            }
            if let Some(m) = crate::meanings::class(w) {
                f.add("mc", m);
            }
        }
    }
    f.into_ids()
}

/// Whether word `k` stands before a speech verb ("police said", "officials told"), within three
/// words.
fn reports(c: &Context, k: usize) -> bool {
    let low = &c.rec.low;
    (k + 1..(k + 4).min(low.len())).any(|j| c.lex.speech_verbs.contains(low[j].as_str()))
}

/// The generic initiator the default model gives with confidence (`None`: it is not sure, and
/// the caller decides); "none" is a confident no-one.
pub fn default_initiator(
    c: &Context,
    fam: Family,
    kind: EventType,
    country: &str,
    evidence: Option<Span>,
) -> Option<&'static str> {
    let model = default_model().filter(|_| defaulted(fam))?;
    let scores = model.scores(&default_features(c, fam, kind, country, evidence));
    let best = (0..scores.len()).max_by(|&i, &j| scores[i].total_cmp(&scores[j]))?;
    let label = model.labels()[best].as_str();
    let known = DEFAULTS.iter().find(|d| **d == label)?;
    (margin(&scores) >= DEFAULT_CONFIDENCE).then_some(*known)
}

/// How far the best score is ahead of the second (0 with fewer than two).
pub fn margin(scores: &[f32]) -> f32 {
    let (mut first, mut second) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for &s in scores {
        if s > first {
            (first, second) = (s, first);
        } else if s > second {
            second = s;
        }
    }
    if second.is_finite() {
        first - second
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_the_lead_of_the_best_score_over_the_second() {
        assert_eq!(margin(&[1.0, 5.0, 3.0]), 2.0);
        assert_eq!(margin(&[4.0]), 0.0);
    }

    #[test]
    fn protests_riots_and_diplomacy_keep_their_own_initiators() {
        assert!(!defaulted(Family::Protests));
        assert!(!defaulted(Family::Riots));
        assert!(!defaulted(Family::Diplomacy));
        assert!(defaulted(Family::ExplosionsRemoteViolence));
    }

    fn initiator_names(text: &str) -> Vec<String> {
        crate::extract(crate::Input {
            text: text.into(),
            ..crate::Input::default()
        })
        .events
        .into_iter()
        .flat_map(|e| e.actors)
        .filter(|a| a.role == Role::Initiator)
        .map(|a| a.name)
        .collect()
    }

    #[test]
    fn the_committed_default_model_gives_an_unclaimed_bombing_an_unidentified_group() {
        assert!(
            default_model().is_some(),
            "the committed default model loads"
        );
        let init = initiator_names(
            "A suicide car bomb exploded at a checkpoint in Mogadishu on Tuesday, killing seven people.",
        );
        assert!(
            init.iter()
                .any(|n| n.starts_with("Unidentified Armed Group")),
            "{init:?}"
        );
    }

    #[test]
    fn a_word_before_a_speech_verb_tells_of_the_event() {
        let doc = Document::new("Seven people died in Mogadishu, police said on Tuesday.".into());
        let (lex, gaz) = (Lexicon::global(), sitrep_gazetteer::Gazetteer::global());
        let rec = crate::mentions::recognize(&doc, lex, gaz);
        let c = Context {
            doc: &doc,
            lex,
            rec: &rec,
        };
        let at = |w: &str| rec.low.iter().position(|x| x == w).expect(w);
        assert!(reports(&c, at("police")));
        assert!(!reports(&c, at("seven")));
    }

    #[test]
    fn a_generic_actors_country_is_not_a_name_word() {
        assert_eq!(
            name_words("Unidentified Armed Group (Mexico)"),
            vec!["unidentified", "armed", "group"]
        );
        assert_eq!(
            name_words("Military Forces of Russia (2000-)"),
            vec!["military", "forces"]
        );
    }

    #[test]
    fn a_state_abroad_is_not_at_home() {
        let x = crate::extract(crate::Input {
            text: "Russian forces shelled Kharkiv on Monday, killing three people.".into(),
            ..crate::Input::default()
        });
        let e = x.events.first().expect("an event");
        let a = e
            .actors
            .iter()
            .find(|a| a.country.as_deref() == Some("RU"))
            .expect("Russia's forces");
        assert_eq!(home(e, a), "abroad");
    }

    #[test]
    fn a_state_is_coded_by_where_it_acts_never_as_a_rebel() {
        // Feature 1 was only ever seen with code 2, feature 2 with code 8, code 1 never.
        let ex = |id, label| sitrep_learn::Example {
            ids: vec![id],
            label,
        };
        let exs: Vec<_> = (0..20).map(|i| ex(1 + i % 2, (i % 2) as usize)).collect();
        let labels = vec!["2".to_string(), "8".to_string(), "1".to_string()];
        let m = sitrep_learn::train(&exs, labels, sitrep_learn::TrainOptions::default());
        assert_eq!(choose(&m, &[1], ActorKind::ArmedGroup, "home"), Some(2));
        assert_eq!(choose(&m, &[1], ActorKind::State, "unplaced"), Some(8));
        // Whatever the words, a state's forces at home are state forces, abroad external.
        assert_eq!(choose(&m, &[2], ActorKind::Military, "home"), Some(1));
        assert_eq!(choose(&m, &[1], ActorKind::State, "abroad"), Some(8));
    }

    #[test]
    fn diplomacy_which_acled_never_codes_gets_no_type() {
        let x = crate::extract(crate::Input {
            text: "Turkey offered on Monday to mediate between Russia and Ukraine.".into(),
            ..crate::Input::default()
        });
        let diplomatic: Vec<&EventActor> = x
            .events
            .iter()
            .filter(|e| e.family == Family::Diplomacy)
            .flat_map(|e| &e.actors)
            .collect();
        assert!(!diplomatic.is_empty());
        assert!(
            diplomatic.iter().all(|a| a.inter.is_none()),
            "{diplomatic:?}"
        );
    }

    #[test]
    fn the_committed_model_types_protesters_as_protesters() {
        assert!(model().is_some(), "the committed model loads");
        let x = crate::extract(crate::Input {
            text: "On 3 May 2022, residents staged a demonstration in Lima against rising prices."
                .into(),
            ..crate::Input::default()
        });
        let inters: Vec<Option<u8>> = x
            .events
            .iter()
            .flat_map(|e| &e.actors)
            .filter(|a| a.role == Role::Initiator)
            .map(|a| a.inter)
            .collect();
        assert!(inters.contains(&Some(6)), "{inters:?}");
    }
}
