//! Candidates: a sentence cut into clauses, the triggers, weapons and statements of each clause,
//! and the event mentions (drafts) they make, typed by the learned typer.

use super::*;

pub(super) const NEGATIONS: &[&str] = &["no", "not", "never", "n't", "without", "nor"];
// The cue words that make an act future, hypothetical, denied, habitual or the topic of talk
// are in data/modality.tsv (see [`super::modality`]).

pub(super) const CLAUSE_BREAKS: &[&str] = &["while", "whereas", ";"];

/// A paragraph with no final punctuation is a heading. Coder tags in brackets at the very end
/// ("… last week. [size=no report]", "[disorder type: …]") are not the paragraph's last word.
pub(super) fn is_heading(doc: &Document, para: Span) -> bool {
    !without_trailing_tags(doc.slice(para)).ends_with(['.', '!', '?', '"', '”', '’', ')', '…'])
        && !wrapped_line(doc, para)
}

/// Body text wrapped at a fixed width is no heading: a line the next line follows with no blank
/// line between, which goes on in lower case ("… were\nkilled on Monday."), or which is of a
/// wrapped line's length, stops mid-phrase (on a lower-case word, a comma or a hyphen) and is
/// followed by another such short line, not by a long paragraph (a headline's body).
fn wrapped_line(doc: &Document, para: Span) -> bool {
    let rest = &doc.text[para.end as usize..];
    let Some(after) = rest
        .strip_prefix('\n')
        .or_else(|| rest.strip_prefix("\r\n"))
    else {
        return false;
    };
    let next = after.trim_start_matches([' ', '\t']);
    if next.starts_with(['\n', '\r']) || next.is_empty() {
        return false;
    }
    let next_len = next
        .lines()
        .next()
        .map_or(0, |l| l.trim_end().chars().count());
    let line = doc.slice(para);
    let mid_phrase = line.ends_with(|ch: char| ch.is_lowercase() || ch == ',' || ch == '-');
    let width = (50..=100).contains(&line.chars().count());
    next.starts_with(|ch: char| ch.is_lowercase()) || (width && mid_phrase && next_len <= 100)
}

/// The text without the bracketed tags at its very end, and without trailing white space.
pub(super) fn without_trailing_tags(mut s: &str) -> &str {
    loop {
        let t = s.trim_end();
        match t
            .strip_suffix(']')
            .and_then(|u| u.rfind('[').map(|i| &u[..i]))
        {
            Some(rest) => s = rest,
            None => return t,
        }
    }
}

/// Token ranges of the clauses of sentence `si`.
pub(super) fn clauses(c: &Ctx, si: usize) -> Vec<(usize, usize)> {
    let s = &c.doc.sentences[si];
    let mut out = Vec::new();
    let mut start = s.tokens.start;
    for k in s.tokens.clone() {
        if c.masked(k) || k == start {
            continue;
        }
        let w = c.low[k].as_str();
        let prev = c.low[k - 1].as_str();
        let next = c.low.get(k + 1).map(String::as_str).unwrap_or("");
        let brk = CLAUSE_BREAKS.contains(&w)
            || (w == "as" && (prev == "," || prev == "comes" || prev == "came") && next != "well")
            || (w == "but" && prev == ",")
            || (matches!(w, "which" | "who") && prev == ",")
            || (w == "after"
                && matches!(
                    prev,
                    "," | "hours" | "days" | "minutes" | "weeks" | "shortly" | "just"
                ))
            || (w == "and"
                && prev == ","
                && (matches!(next, "a" | "an" | "the")
                    || numbers::word_value(next).is_some_and(|v| v > 1)
                    || next.starts_with(|ch: char| ch.is_ascii_digit())));
        if brk {
            out.push((start, k));
            start = k + 1;
        }
    }
    out.push((start, s.tokens.end));
    out.retain(|(a, b)| a < b);
    out
}

/// The longest phrase of the trigger list at token `k` (before `end`) and its length in tokens,
/// as the list gives it ("called for", not "called").
pub(super) fn listed_trigger<'a>(c: &'a Ctx, k: usize, end: usize) -> Option<(&'a Trigger, usize)> {
    (1..=c.lex.max_trigger_len.min(end - k))
        .rev()
        .find_map(|n| c.lex.triggers.get(&c.low[k..k + n]).map(|t| (t, n)))
}

/// The longest trigger at token `k`, if not negated or future.
pub(super) fn trigger_at(c: &Ctx, k: usize, end: usize) -> Option<(Trigger, usize)> {
    let (t, n) = listed_trigger(c, k, end)?;
    let mut t = t.clone();
    // "struck by a car" is an accident, "hit by a bullet" a shooting.
    match passive_means(c, k + n, end) {
        Some(Means::Accident) => return None,
        Some(Means::Gunshot) if t.family == Family::ExplosionsRemoteViolence => {
            t = Trigger {
                family: Family::ViolenceAgainstCivilians,
                kind: EventType::Attack,
                weapon: Some("small arms".into()),
            }
        }
        _ => {}
    }
    // "called for backup": help asked in an emergency, not a demand.
    if t.kind == EventType::Demand && c.low[k] == "called" && calls_for_help(c, k + n, end) {
        return None;
    }
    // "fired" and "launched" are news of violence only with a heavy weapon ("fired mortar rounds",
    // "launched drones"), not with tear gas or a statement.
    if matches!(c.low[k].as_str(), "fired" | "launched") && n == 1 {
        let heavy = (k + 1..(k + 5).min(end)).any(|j| {
            weapon_at(c, j, end).is_some_and(|(w, _)| !matches!(w.as_str(), "small arms"))
        });
        if !heavy {
            return None;
        }
    }
    let window = k.saturating_sub(4)..k;
    if window
        .clone()
        .any(|j| NEGATIONS.contains(&c.low[j].as_str()))
    {
        return None;
    }
    // "will meet", "would attack", "has repeatedly urged", "denied attacking": cues of
    // data/modality.tsv right before the trigger.
    if super::modality::cue_removes(c, k, t.family) {
        return None;
    }
    // "have long accused": a habit, not an act on a day.
    if t.family == Family::Diplomacy
        && window.clone().any(|j| {
            c.low[j] == "long" && j > 0 && matches!(c.low[j - 1].as_str(), "has" | "have" | "had")
        })
    {
        return None;
    }
    // "talks brokered by Qatar" are the talks, not a deal brokered.
    if c.low[k] == "brokered"
        && k > 0
        && matches!(
            c.low[k - 1].as_str(),
            "talks" | "negotiations" | "meeting" | "meetings" | "dialogue"
        )
    {
        return None;
    }
    // "a commander accused of ordering killings": who stands accused, not an accusation made.
    if t.kind == EventType::Accusation && c.low.get(k + n).is_some_and(|w| w == "of") {
        return None;
    }
    // "rallied in support of the attacks": the rally's topic ("air support" is not).
    if t.family != Family::Diplomacy
        && (k.saturating_sub(3)..k).any(|j| {
            c.low[j] == "support"
                && j > 0
                && c.low[j - 1] == "in"
                && c.low.get(j + 1).is_some_and(|w| w == "of")
        })
    {
        return None;
    }
    // "hit" and "strike" as nouns of sport or labour are rare in conflict copy; "peace plan" is not a plan proposed.
    Some((t, n))
}

/// What a passive "by" phrase after a trigger says struck: an accident's vehicle or force, or
/// a gunshot (`data/non_attacks.tsv`).
#[derive(Debug, PartialEq)]
pub(super) enum Means {
    Accident,
    Gunshot,
}

/// The word classes of `data/non_attacks.tsv`.
pub(super) fn non_attack_words(class: &str) -> &'static std::collections::HashSet<&'static str> {
    static MAP: std::sync::OnceLock<WordClasses> = std::sync::OnceLock::new();
    words_of(
        MAP.get_or_init(|| word_classes(include_str!("../../data/non_attacks.tsv"))),
        class,
    )
}

/// The means named by "by" right after a trigger ending at token `k` ("struck by a car", "hit
/// by a stray bullet"): the first word of the accident or gunshot class within a short phrase.
pub(super) fn passive_means(c: &Ctx, k: usize, end: usize) -> Option<Means> {
    if c.low.get(k).is_none_or(|w| w != "by") {
        return None;
    }
    for j in k + 1..(k + 5).min(end) {
        let w = c.low[j].as_str();
        if matches!(w, "," | "." | "and" | "in" | "on" | "at") {
            break;
        }
        if non_attack_words("gunshot").contains(w) {
            return Some(Means::Gunshot);
        }
        // "struck by a car bomb" names a weapon.
        if weapon_at(c, j, end).is_some() {
            return None;
        }
        if non_attack_words("accident").contains(w) {
            return Some(Means::Accident);
        }
    }
    None
}

/// Whether the words after "called for" at token `k` ask for help in an emergency ("called for
/// backup", "called for an ambulance"), not for a political act.
fn calls_for_help(c: &Ctx, k: usize, end: usize) -> bool {
    (k..(k + 3).min(end)).any(|j| non_attack_words("call_help").contains(c.low[j].as_str()))
}

pub(super) fn weapon_at(c: &Ctx, k: usize, end: usize) -> Option<(String, usize)> {
    (1..=3.min(end - k))
        .rev()
        .find_map(|n| c.lex.weapons.get(&c.low[k..k + n]).map(|w| (w.clone(), n)))
        .or_else(|| {
            // "explosive-drone", "rocket-propelled": the head of a compound names the weapon.
            let last = c.low[k]
                .rsplit('-')
                .next()
                .filter(|_| c.low[k].contains('-'))?;
            c.lex
                .weapons
                .get(&vec![last.to_string()])
                .map(|w| (w.clone(), 1))
        })
}

/// Refine a generic explosion/attack type by the weapons named with it.
pub(super) fn refine(trigger: &Trigger, weapons: &[String]) -> (Family, EventType, bool) {
    let has = |w: &str| weapons.iter().any(|x| x == w);
    let air = has("drone") || has("aircraft") || has("glide bomb") || has("barrel bomb");
    let shell = has("missile")
        || has("ballistic missile")
        || has("cruise missile")
        || has("artillery")
        || has("rocket")
        || has("mortar");
    let ied = has("ied") || has("landmine") || has("car bomb");
    let generic = trigger.weapon.is_none();
    match trigger.family {
        Family::ExplosionsRemoteViolence | Family::ViolenceAgainstCivilians
            if generic || trigger.kind == EventType::ShellingArtilleryMissileAttack =>
        {
            if air {
                (
                    Family::ExplosionsRemoteViolence,
                    EventType::AirDroneStrike,
                    true,
                )
            } else if shell {
                (
                    Family::ExplosionsRemoteViolence,
                    EventType::ShellingArtilleryMissileAttack,
                    true,
                )
            } else if ied {
                (
                    Family::ExplosionsRemoteViolence,
                    EventType::RemoteExplosiveLandmineIed,
                    true,
                )
            } else if trigger.family == Family::ExplosionsRemoteViolence && generic {
                // "strikes" with no weapon named are, in current wars, mostly from the air.
                (
                    Family::ExplosionsRemoteViolence,
                    EventType::AirDroneStrike,
                    false,
                )
            } else {
                (trigger.family, trigger.kind, !generic)
            }
        }
        _ if has("suicide vest")
            || (trigger.kind == EventType::RemoteExplosiveLandmineIed && has("suicide")) =>
        {
            (
                Family::ExplosionsRemoteViolence,
                EventType::SuicideBomb,
                true,
            )
        }
        _ => (trigger.family, trigger.kind, true),
    }
}

pub(super) const MILITARY_TARGETS: &[&str] = &[
    "positions",
    "position",
    "base",
    "bases",
    "troops",
    "soldiers",
    "army",
    "barracks",
    "checkpoint",
    "convoy",
    "outpost",
    "camp",
    "garrison",
];

/// How many tokens before a time expression "since" may stand to make it a point of comparison
/// ("since a truce took effect last year").
const SINCE_REACH: usize = 8;

/// Whether time `t` is a point of comparison after the act at token `act`, not the act's time:
/// "the deadliest strike since a truce took effect last year", "the worst fighting since 2014".
fn reference_time(c: &Ctx, act: usize, t: &TimeExpr) -> bool {
    let k = c.doc.token_at(t.span.start);
    let from = act.max(k.saturating_sub(SINCE_REACH));
    k > act && (from..k).any(|j| !c.masked(j) && c.low[j] == "since")
}

/// The auxiliaries of the perfect, in which news English tells a toll or an act over a period.
const PERFECT: &[&str] = &["has", "have"];
/// How many tokens before its auxiliary the head noun of a subject may stand ("the conflict, now
/// in its third year, has killed").
const SUBJECT_REACH: usize = 8;
/// Words that may follow the head noun of the subject of a perfect: the auxiliary itself, an
/// aside, or a preposition ("the war in the north has killed"); anything else makes the noun a
/// modifier ("a war monitor has said").
const AFTER_SUBJECT: &[&str] = &[
    ",", "in", "between", "against", "with", "on", "over", "has", "have",
];

/// The phrases of `data/background.tsv`, each as its lowercase tokens: the periods (`period`)
/// and the nouns of whole wars (`conflict`).
fn background_phrases() -> &'static [Vec<Vec<&'static str>>; 2] {
    static P: std::sync::OnceLock<[Vec<Vec<&'static str>>; 2]> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let table = word_classes(include_str!("../../data/background.tsv"));
        let class = |name: &str| {
            let mut v: Vec<Vec<&str>> = table
                .get(name)
                .into_iter()
                .flatten()
                .map(|p| p.split(' ').collect())
                .collect();
            v.sort();
            v
        };
        [class("period"), class("conflict")]
    })
}

/// The length in tokens of the phrase of `phrases` that ends at token `k` (not masked, after `a`).
fn phrase_ending(c: &Ctx, a: usize, k: usize, phrases: &[Vec<&str>]) -> Option<usize> {
    phrases.iter().find_map(|p| {
        let n = p.len();
        (k + 1 >= a + n
            && (k + 1 - n..=k).all(|j| !c.masked(j))
            && p.iter().zip(&c.low[k + 1 - n..=k]).all(|(w, t)| w == t))
        .then_some(n)
    })
}

/// How many tokens after its auxiliary the participle of a perfect may come ("have now been
/// killed"), and its act's noun ("have carried out dozens of joint strikes").
const PARTICIPLE_REACH: usize = 3;
const ACT_REACH: usize = 6;

/// Relative pronouns: a perfect right after one describes a noun ("a man who has been missing
/// since May"), not the clause's act.
const RELATIVE: &[&str] = &["that", "which", "who"];

/// Whether token `k` is the auxiliary of a perfect that tells an act or a toll ("has killed",
/// "have been wounded", "have carried out dozens of strikes"), not another verb of the clause
/// ("protested to complain that the insurer has not intervened so far").
fn perfect_act(c: &Ctx, k: usize, b: usize) -> bool {
    let reach = |n: usize| k + 1..(k + 1 + n).min(b);
    !c.masked(k)
        && PERFECT.contains(&c.low[k].as_str())
        && !(k > 0 && RELATIVE.contains(&c.low[k - 1].as_str()))
        && (reach(PARTICIPLE_REACH).any(|j| super::figures::is_casualty_verb(&c.low[j]))
            || reach(ACT_REACH).any(|j| listed_trigger(c, j, b).is_some()))
}

/// Is the clause background rather than news: a toll or an act in the perfect told over a period
/// ("… has killed thousands since January", "have been killed so far this year"), or as the
/// toll of a whole war ("the conflict, now in its third year, has killed tens of thousands")?
pub(super) fn background(c: &Ctx, a: usize, b: usize) -> bool {
    let Some(aux) = (a..b).find(|&k| perfect_act(c, k, b)) else {
        return false;
    };
    let [period, conflict] = background_phrases();
    if (a..b).any(|k| phrase_ending(c, a, k, period).is_some()) {
        return true;
    }
    // The war is the subject: no name opens the clause before it ("Pakistan, an ally in the war
    // against terrorism, has refused" is Pakistan's act).
    (aux.saturating_sub(SUBJECT_REACH).max(a)..aux).any(|k| {
        phrase_ending(c, a, k, conflict).is_some()
            && AFTER_SUBJECT.contains(&c.low[k + 1].as_str())
            && c.rec.within(a, k).next().is_none()
    })
}

/// How sure the typer must be that a clause with no trigger, no figure and no statement reports
/// an event (its best event label's score over `none`) to make it an event mention.
/// Cross-validated on ACLED's notes (`sitrep train events`: at 20, 84 % of the clauses it takes
/// are events and it finds 69 % of them) and set above 0 so news paragraphs add few events.
pub(super) const DETECT_LEAD: f32 = 20.0;

/// How far the typer's `none` must lead every event label for a clause with a trigger and no
/// figure to be no event ("fought hard to keep the tax", "the battle for delegates", "shot down
/// rumours"). Swept on the dev sets with the committed typer: at 50 the example reports keep
/// every event they match (at 30 they lose a duplicate matched by chance), ACLED's events F1
/// rises 74.2 -> 74.5, and the events written on 200 GeoWebNews and 200 PolNeAR stories fall
/// from 196 and 303 to 64 and 190 (30: 57 and 162; 80: 74 and 225). A retrained typer moves the
/// scale of its scores (one trial model lost two report matches at 50, none at 80): re-sweep.
pub(super) const NO_EVENT_LEAD: f32 = 50.0;

/// Whether the typer reads a clause with a trigger as no event: its `none` label leads its best
/// event label by more than [`NO_EVENT_LEAD`].
fn no_event(model: &sitrep_learn::Model, scores: &[f32]) -> bool {
    let Some(none) = model.label_index(crate::typing::NONE) else {
        return false;
    };
    let best = (0..scores.len())
        .filter(|&i| i != none)
        .map(|i| scores[i])
        .fold(f32::NEG_INFINITY, f32::max);
    scores[none] - best > NO_EVENT_LEAD
}

/// The typing features of the clause `[a, b)` of sentence `si` (see [`crate::typing`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn typing_features(
    c: &Ctx,
    si: usize,
    (a, b): (usize, usize),
    times: &[TimeExpr],
    trigger: Option<&(Trigger, usize, usize)>,
    others: &[(usize, usize, Trigger)],
    weapons: &[(String, usize)],
    figs: &[RawFigure],
    actors: &[(usize, ActorKind)],
) -> Vec<u32> {
    let s = &c.doc.sentences[si];
    let in_time = |k: usize| in_times(c, times, k);
    // A coder's tag at the paragraph's end ("[size=no report]") is no wording of the event.
    let para = c.doc.paragraphs[s.paragraph];
    let tag_at = para.start as usize + without_trailing_tags(c.doc.slice(para)).len();
    let masked = |k: usize| c.masked(k) || c.doc.tokens[k].span.start as usize >= tag_at;
    // The paragraph's sentences around this one, at most four each side.
    let same = |j: &usize| c.doc.sentences[*j].paragraph == s.paragraph;
    let first = (si.saturating_sub(4)..si).find(same).unwrap_or(si);
    let last = (si + 1..(si + 5).min(c.doc.sentences.len()))
        .rev()
        .find(same)
        .unwrap_or(si);
    let figures: Vec<CasualtyKind> = figs.iter().map(|f| f.kind).collect();
    let ctx = crate::typing::Context {
        low: c.low,
        doc: c.doc,
        rec: c.rec,
        sentence: s.tokens.clone(),
        clause: a..b,
        paragraph: c.doc.sentences[first].tokens.start..c.doc.sentences[last].tokens.end,
        in_time: &in_time,
        masked: &masked,
        trigger: trigger.map(|(t, k, n)| (*k, *n, t)),
        others,
        weapons,
        figures: &figures,
        actors,
    };
    crate::typing::features(&ctx).into_ids()
}

/// The actors named in sentence `si`: (first token, kind).
pub(super) fn sentence_actor_kinds(c: &Ctx, si: usize) -> Vec<(usize, ActorKind)> {
    let s = &c.doc.sentences[si];
    c.mentions_in(s.tokens.start, s.tokens.end)
        .filter_map(|m| match m.referent {
            Referent::Actor { actor, .. } => Some((m.first, c.lex.actors[actor].kind)),
            _ => None,
        })
        .collect()
}

/// The triggers and weapons of one clause.
struct Scan {
    /// The best trigger: (trigger, token, length).
    trigger: Option<(Trigger, usize, usize)>,
    /// Every trigger: (token, length, trigger).
    all: Vec<(usize, usize, Trigger)>,
    /// The weapons named: (name, first token).
    weapons: Vec<(String, usize)>,
}

/// Whether token `k` lies inside one of the time expressions `times`.
fn in_times(c: &Ctx, times: &[TimeExpr], k: usize) -> bool {
    times.iter().any(|t| t.span.contains(c.doc.tokens[k].span))
}

/// The triggers and weapons of the clause `[a, b)`, outside quotes, outside the time
/// expressions `times` and outside months named as dates, resolved or not ("on 5 March" is a
/// date, not a march); the best trigger by [`rank`].
fn scan_clause(c: &Ctx, a: usize, b: usize, times: &[TimeExpr]) -> Scan {
    let mut s = Scan {
        trigger: None,
        all: Vec::new(),
        weapons: Vec::new(),
    };
    let in_time = |k: usize| in_times(c, times, k);
    let mut k = a;
    while k < b {
        if c.masked(k) || in_time(k) || sitrep_text::timex::is_month_date(c.doc, k) {
            k += 1;
            continue;
        }
        if let Some((w, _)) = weapon_at(c, k, b) {
            if !s.weapons.iter().any(|x| x.0 == w) {
                s.weapons.push((w, k));
            }
        }
        if let Some((t, n)) = trigger_at(c, k, b) {
            s.all.push((k, n, t.clone()));
            let better = match &s.trigger {
                None => true,
                Some((cur, _, cn)) => rank(&t, n) > rank(cur, *cn),
            };
            if better {
                s.trigger = Some((t, k, n));
            }
            k += n;
            continue;
        }
        k += 1;
    }
    s
}

/// What a sentence gives each of its clauses.
struct Sentence {
    si: usize,
    paragraph: usize,
    times: Vec<TimeExpr>,
    sources: Vec<Source>,
    actor_kinds: Vec<(usize, ActorKind)>,
}

/// The event mentions of a report, clause by clause; with `sink`, also every clause's typing
/// candidate for the trainer.
pub(super) fn mention_drafts(
    c: &Ctx,
    published: Option<Date>,
    model: Option<&sitrep_learn::Model>,
    mut sink: Option<&mut Vec<crate::typing::Candidate>>,
) -> Vec<MentionDraft> {
    let mut out = Vec::new();
    for (si, s) in c.doc.sentences.iter().enumerate() {
        if is_heading(c.doc, c.doc.paragraphs[s.paragraph]) {
            continue;
        }
        let sent = Sentence {
            si,
            paragraph: s.paragraph,
            times: timex::find(c.doc, s.tokens.clone(), published),
            sources: sentence_sources(c, si),
            actor_kinds: sentence_actor_kinds(c, si),
        };
        let mut prior_kind: Option<CasualtyKind> = None;
        for clause in clauses(c, si) {
            let sink = sink.as_deref_mut();
            clause_mentions(c, &sent, clause, &mut prior_kind, model, sink, &mut out);
        }
    }
    out
}

/// The weapons' names, as a clause's scan found them.
fn weapon_names(weapons: &[(String, usize)]) -> Vec<String> {
    weapons.iter().map(|w| w.0.clone()).collect()
}

/// The time of the act at token `act` of clause `[a, b)`: the clause's own time expression,
/// else the sentence's first; never a time the act is reckoned from ("since May").
fn clause_time(c: &Ctx, s: &Sentence, (a, b): (usize, usize), act: usize) -> Option<TimeExpr> {
    let own = |t: &&TimeExpr| !reference_time(c, act, t);
    s.times
        .iter()
        .filter(own)
        .find(|t| {
            t.span.start >= c.doc.tokens[a].span.start && t.span.end <= c.doc.tokens[b - 1].span.end
        })
        .or(s.times.first().filter(own))
        .copied()
}

/// The mentions of the clause `[a, b)`: none, one, or one per figure segment.
fn clause_mentions(
    c: &Ctx,
    s: &Sentence,
    (a, b): (usize, usize),
    prior_kind: &mut Option<CasualtyKind>,
    model: Option<&sitrep_learn::Model>,
    sink: Option<&mut Vec<crate::typing::Candidate>>,
    out: &mut Vec<MentionDraft>,
) {
    let Scan {
        mut trigger,
        all,
        weapons,
    } = scan_clause(c, a, b, &s.times);
    let mut figs = figures(c, a, b, &s.times, prior_kind);
    if background(c, a, b) {
        return;
    }
    let others: Vec<(usize, usize, Trigger)> = all
        .iter()
        .filter(|o| trigger.as_ref().is_none_or(|t| t.1 != o.0))
        .cloned()
        .collect();
    let ids = (model.is_some() || sink.is_some()).then(|| {
        let (tr, ak) = (trigger.as_ref(), &s.actor_kinds);
        typing_features(c, s.si, (a, b), &s.times, tr, &others, &weapons, &figs, ak)
    });
    let bare = trigger.is_none() && figs.is_empty();
    let st = bare.then(|| statement(c, a, b)).flatten();
    if let (Some(sink), Some(ids)) = (sink, &ids) {
        sink.push(crate::typing::Candidate {
            sentence: s.si,
            span: c.tok_span(a, b),
            trigger: trigger.is_some(),
            figures: !figs.is_empty(),
            statement: st.is_some(),
            lexical: trigger
                .as_ref()
                .map(|t| refine(&t.0, &weapon_names(&weapons))),
            ids: ids.clone(),
        });
    }
    if bare {
        let typed = model
            .zip(ids.as_ref())
            .and_then(|(m, ids)| crate::typing::decide_event(m, ids).filter(|d| d.2 > DETECT_LEAD));
        out.extend(bare_mention(c, s, (a, b), st, typed, &weapons));
        return;
    }
    let scores = model.zip(ids.as_ref()).map(|(m, ids)| m.scores(ids));
    if figs.is_empty()
        && model
            .zip(scores.as_ref())
            .is_some_and(|(m, s)| no_event(m, s))
    {
        return;
    }
    // The act the clause tells: its trigger, else its first figure.
    let act = trigger.as_ref().map(|t| t.1).unwrap_or_else(|| {
        figs.first()
            .map_or(b, |f| c.doc.token_at(f.span.start).clamp(a, b))
    });
    retype(c, (a, b), &s.times, &mut trigger, &figs);
    let mut actors = clause_actors(c, a, b, trigger.as_ref().map(|t| t.1), &weapons, &s.sources);
    with_claimant(c, (a, b), &mut actors);
    let when = clause_time(c, s, (a, b), act);
    for f in &mut figs {
        f.sources = s.sources.clone();
    }
    let proto = MentionDraft {
        sentence: s.si,
        paragraph: s.paragraph,
        span: c.tok_span(a, b),
        trigger: trigger.as_ref().map(|(t, _, _)| (t.clone(), true)),
        places: vec![],
        figures: vec![],
        actors,
        weapons: weapon_names(&weapons),
        when,
        sources: s.sources.clone(),
        combatant_victims: false,
        typed: None,
        scores,
        modality: super::modality::of_act(c, a, act),
    };
    segment_mentions(c, (a, b), &figs, &proto, out);
}

/// A clause with no trigger and no figure: a state or government body that speaks is a
/// diplomatic statement; wording the typer reads as an event ("exchanged heavy fire",
/// "surrendered") is an event with no trigger word.
fn bare_mention(
    c: &Ctx,
    s: &Sentence,
    (a, b): (usize, usize),
    st: Option<(Trigger, EventActor)>,
    typed: Option<(Family, EventType, f32)>,
    weapons: &[(String, usize)],
) -> Option<MentionDraft> {
    let base = MentionDraft {
        sentence: s.si,
        paragraph: s.paragraph,
        span: c.tok_span(a, b),
        trigger: None,
        places: vec![],
        figures: vec![],
        actors: vec![],
        weapons: vec![],
        when: s
            .times
            .first()
            .filter(|t| !reference_time(c, a, t))
            .copied(),
        sources: vec![],
        combatant_victims: false,
        typed: None,
        scores: None,
        // With no trigger the act's place in the clause is unknown: asserted, as typed.
        modality: Modality::Asserted,
    };
    if let Some((t, actor)) = st {
        // A statement is asserted whatever it says may come ("said it would retaliate").
        return Some(MentionDraft {
            trigger: Some((t, true)),
            actors: vec![actor],
            ..base
        });
    }
    let typed = typed?;
    let mut actors = clause_actors(c, a, b, None, weapons, &s.sources);
    with_claimant(c, (a, b), &mut actors);
    Some(MentionDraft {
        places: clause_places(c, a, b),
        actors,
        weapons: weapons.iter().map(|w| w.0.clone()).collect(),
        sources: s.sources.clone(),
        typed: Some(typed),
        ..base
    })
}

/// The type a protest met with force takes: the protest is the event, coded by what was done
/// to it. `None` when the clause has no peaceful-protest trigger or nothing was done to it.
fn protest_kind(
    c: &Ctx,
    (a, b): (usize, usize),
    times: &[TimeExpr],
    figures: bool,
) -> Option<(Family, EventType)> {
    let in_time = |k: usize| in_times(c, times, k);
    let clause_triggers: Vec<Trigger> = (a..b)
        .filter(|&k| !c.masked(k) && !in_time(k))
        .filter_map(|k| trigger_at(c, k, b).map(|t| t.0))
        .collect();
    let protest = clause_triggers
        .iter()
        .any(|t| t.family == Family::Protests && t.kind == EventType::PeacefulProtest);
    if !protest {
        return None;
    }
    let has = |k: EventType| clause_triggers.iter().any(|t| t.kind == k);
    if has(EventType::ViolentDemonstration) || has(EventType::LootingPropertyDestruction) {
        Some((Family::Riots, EventType::ViolentDemonstration))
    } else if has(EventType::Attack)
        || has(EventType::ExcessiveForceAgainstProtesters)
        // "Police killed three protesters": people killed or hurt at a protest that did not
        // turn violent itself.
        || figures
    {
        Some((Family::Protests, EventType::ExcessiveForceAgainstProtesters))
    } else if has(EventType::ProtestWithIntervention) || has(EventType::Arrests) {
        Some((Family::Protests, EventType::ProtestWithIntervention))
    } else {
        None
    }
}

/// Retype the clause's trigger by what else the clause tells: a protest met with force (see
/// [`protest_kind`]); violence against an army's positions, or soldiers killed in a clause whose
/// only trigger is a seizure or the like, is a battle.
fn retype(
    c: &Ctx,
    (a, b): (usize, usize),
    times: &[TimeExpr],
    trigger: &mut Option<(Trigger, usize, usize)>,
    figs: &[RawFigure],
) {
    let set = |t: &mut Trigger, family, kind| {
        *t = Trigger {
            family,
            kind,
            weapon: None,
        }
    };
    if let (Some((family, kind)), Some((t, _, _))) = (
        protest_kind(c, (a, b), times, !figs.is_empty()),
        &mut *trigger,
    ) {
        set(t, family, kind);
    }
    if let Some((t, at, _)) = trigger.as_mut() {
        if t.family == Family::ViolenceAgainstCivilians
            && t.kind == EventType::Attack
            && t.weapon.is_none()
            && (*at..b).any(|j| MILITARY_TARGETS.contains(&c.low[j].as_str()))
        {
            set(t, Family::Battles, EventType::ArmedClash);
        }
    }
    let soldiers_killed = figs.iter().any(|f| combatant_victims(c, f, b));
    if let Some((t, _, _)) = trigger.as_mut() {
        if soldiers_killed && t.family == Family::StrategicDevelopments {
            set(t, Family::Battles, EventType::ArmedClash);
        }
    }
}

/// One mention per segment of the clause: a second figure of a kind already given starts a new
/// part ("19 of them in Djibo and 12 near Douentza"), with the places of that part.
fn segment_mentions(
    c: &Ctx,
    (a, b): (usize, usize),
    figs: &[RawFigure],
    proto: &MentionDraft,
    out: &mut Vec<MentionDraft>,
) {
    let mut cuts = vec![a];
    let mut seen: Vec<CasualtyKind> = Vec::new();
    for f in figs {
        if seen.contains(&f.kind) {
            cuts.push(c.doc.token_at(f.span.start));
            seen.clear();
        }
        seen.push(f.kind);
    }
    cuts.push(b);
    for w in cuts.windows(2) {
        let (sa, sb) = (w[0], w[1]);
        let mut seg_figs: Vec<RawFigure> = figs
            .iter()
            .filter(|f| {
                let t = c.doc.token_at(f.span.start);
                t >= sa && t < sb
            })
            .cloned()
            .collect();
        let combatant_victims = seg_figs.iter().any(|f| combatant_victims(c, f, b));
        let places = clause_places(c, sa, sb);
        // "including four soldiers" with no place of its own says nothing new.
        if places.is_empty() {
            seg_figs.retain(|f| !f.subset);
        }
        if cuts.len() > 2 && seg_figs.is_empty() && sa != a {
            continue;
        }
        out.push(MentionDraft {
            span: c.tok_span(sa, sb),
            places,
            figures: seg_figs,
            combatant_victims,
            ..proto.clone()
        });
    }
}

/// Preference among triggers in one clause: violence over diplomacy, specific over generic. A
/// proposal is usually what another act of the clause is about ("rejected a truce proposal put
/// forward by the mediators", "accused the army of blocking the plan"), so that act wins.
pub(super) fn rank(t: &Trigger, len: usize) -> u32 {
    let fam = match t.family {
        Family::ExplosionsRemoteViolence | Family::Battles => 60,
        Family::ViolenceAgainstCivilians => 50,
        Family::Riots | Family::Protests => 40,
        Family::StrategicDevelopments => 30,
        Family::Diplomacy => match t.kind {
            EventType::MediationOffer | EventType::Sanction | EventType::Agreement => 25,
            EventType::Rejection
            | EventType::Demand
            | EventType::Threat
            | EventType::Accusation => 24,
            EventType::Proposal => 21,
            EventType::Meeting => 20,
            _ => 10,
        },
    };
    fam + len as u32 * 2 + u32::from(t.weapon.is_some())
}

/// "The Kremlin said …", "Washington acknowledged …": a statement by a state or government body.
pub(super) fn statement(c: &Ctx, a: usize, b: usize) -> Option<(Trigger, EventActor)> {
    for m in c.mentions_in(a, b) {
        let Referent::Actor { actor, form } = m.referent else {
            continue;
        };
        if form == ActorForm::Demonym || c.masked(m.first) {
            continue;
        }
        let e = &c.lex.actors[actor];
        if !matches!(e.kind, ActorKind::State | ActorKind::GovernmentBody) {
            continue;
        }
        let mut k = m.end;
        while k < b
            && matches!(
                c.low[k].as_str(),
                "also" | "has" | "had" | "have" | "on" | "later"
            )
        {
            k += 1;
        }
        if k < b
            && matches!(
                c.low[k].as_str(),
                "said"
                    | "says"
                    | "stated"
                    | "announced"
                    | "acknowledged"
                    | "confirmed"
                    | "declared"
                    | "insisted"
                    | "warned"
            )
        {
            // A statement that only frames a quote is the quote's business.
            let quoted_after = (k..b).any(|j| c.masked(j));
            if quoted_after {
                return None;
            }
            let trig = Trigger {
                family: Family::Diplomacy,
                kind: EventType::Statement,
                weapon: None,
            };
            return Some((
                trig,
                EventActor {
                    name: e.canonical.clone(),
                    kind: e.kind,
                    country: e.country.clone(),
                    role: Role::Initiator,
                    mention: Some(m.span),
                    inter: None,
                },
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(text: &str) -> bool {
        let doc = Document::new(text.to_string());
        is_heading(&doc, doc.paragraphs[0])
    }

    #[test]
    fn a_coders_trailing_tag_does_not_make_a_heading() {
        assert!(!heading(
            "On 9 June 2022, traders held a demonstration in the town. [size=no report]"
        ));
        assert!(!heading(
            "Police dispersed the crowd. [disorder type: Demonstrations] [size=dozens]"
        ));
        // Still headings: no final punctuation before the tag, or a tag alone.
        assert!(heading("Strikes hit the capital [updated]"));
        assert!(heading("[size=no report]"));
        assert!(heading("Kyiv under attack"));
        assert_eq!(without_trailing_tags("Done. [a] [b=c]  "), "Done.");
        assert_eq!(without_trailing_tags("a [b] c"), "a [b] c");
    }

    #[test]
    fn hard_wrapped_lines_are_no_headings() {
        let text = "Two men were arrested after a night of looting in the centre of the\n\
                    town, and a shop owner was stabbed outside his store on Market\n\
                    Street late on Friday.";
        let doc = Document::new(text.to_string());
        assert_eq!(doc.paragraphs.len(), 3);
        assert!(doc.paragraphs.iter().all(|&p| !is_heading(&doc, p)));
        // A short title line, and a line before a blank one, are still headings.
        let doc = Document::new("Shop owner stabbed\nA shop owner was stabbed.".to_string());
        assert!(is_heading(&doc, doc.paragraphs[0]));
        let doc = Document::new(
            "A very long headline about a stabbing in the centre of town\n\nBody.".into(),
        );
        assert!(is_heading(&doc, doc.paragraphs[0]));
        // A headline right above its lead paragraph.
        let lead = "A shop owner was stabbed outside his store on Market Street late on Friday, \
                    police said, and two men were arrested after a night of looting.";
        let doc = Document::new(format!(
            "Shop owner stabbed in town centre as looting spreads, police say\n{lead}"
        ));
        assert!(is_heading(&doc, doc.paragraphs[0]));
    }

    #[test]
    fn accidents_and_calls_for_backup_are_no_attack_or_demand() {
        let first = |text: &str| {
            super::super::testing::with_ctx(text, |c| {
                let end = c.doc.tokens.len();
                scan_clause(c, 0, end, &[])
                    .trigger
                    .map(|t| (t.0.family, t.0.kind))
            })
        };
        assert_eq!(first("A cyclist was struck by a car on the bridge."), None);
        assert_eq!(first("Officers called for backup."), None);
        assert_eq!(
            first("A boy was hit by a stray bullet."),
            Some((Family::ViolenceAgainstCivilians, EventType::Attack))
        );
        // A car bomb is a weapon; a demand for talks is a demand.
        assert!(first("The convoy was struck by a car bomb.")
            .is_some_and(|t| t.0 == Family::ExplosionsRemoteViolence));
        assert_eq!(
            first("The minister called for talks."),
            Some((Family::Diplomacy, EventType::Demand))
        );
    }

    #[test]
    fn an_incident_named_as_the_topic_of_an_act_does_not_outrank_it() {
        let text = "The mayor rejected a demand to free a man charged over a shooting.";
        super::super::testing::with_ctx(text, |c| {
            let end = c.doc.tokens.len();
            let t = scan_clause(c, 0, end, &[]).trigger;
            assert!(t.is_some_and(|t| t.0.kind == EventType::Rejection));
        });
    }

    #[test]
    fn crime_wording_makes_candidates() {
        for text in [
            "A woman was stabbed outside a shop.",
            "A man was knifed in the street.",
            "A teenager was fatally shot on Sunday.",
            "The victim was strangled.",
            "Two men were hacked to death.",
            "A man was murdered at his home.",
        ] {
            super::super::testing::with_ctx(text, |c| {
                let end = c.doc.tokens.len();
                let t = scan_clause(c, 0, end, &[]).trigger;
                assert!(
                    t.is_some_and(|t| t.0.family == Family::ViolenceAgainstCivilians),
                    "{text}"
                );
            });
        }
    }

    #[test]
    fn a_time_after_since_is_no_time_of_the_act() {
        let mut input = crate::Input {
            text: "A drone strike hit a market in Kherson on Monday, killing two people.\n\n\
                   Regional officials said the strike was the deadliest in the area since a \
                   truce took effect last year."
                .into(),
            ..crate::Input::default()
        };
        input.meta.published = Some(time::macros::date!(2025 - 03 - 05));
        let ev = crate::extract(input).events;
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert!(
            ev[0].evidence.iter().any(|s| s.text.contains("deadliest")),
            "{ev:?}"
        );
    }

    #[test]
    fn a_month_in_a_date_is_no_march() {
        let text = "On 5 March 2022, police arrested three men in Kano.";
        super::super::testing::with_ctx(text, |c| {
            let times = timex::find(c.doc, c.doc.sentences[0].tokens.clone(), None);
            let end = c.doc.tokens.len();
            let scan = scan_clause(c, 0, end, &times);
            assert!(scan
                .all
                .iter()
                .all(|(_, _, t)| t.family != Family::Protests));
            assert!(scan
                .trigger
                .is_some_and(|(t, _, _)| t.kind == EventType::Arrests));
            // Unresolved (no publication date, no time found), the month is still a date.
            let scan = scan_clause(c, 0, end, &[]);
            assert!(scan
                .all
                .iter()
                .all(|(_, _, t)| t.family != Family::Protests));
        });
        let text = "Since 30 March, thousands joined a march in Kano.";
        super::super::testing::with_ctx(text, |c| {
            let scan = scan_clause(c, 0, c.doc.tokens.len(), &[]);
            let marches: Vec<usize> = scan
                .all
                .iter()
                .filter(|(_, _, t)| t.family == Family::Protests)
                .map(|(k, _, _)| *k)
                .collect();
            assert_eq!(marches.len(), 1, "only the lower-case march is an act");
            assert_eq!(c.doc.tok(marches[0]), "march");
        });
    }

    #[test]
    fn a_sentence_is_cut_at_while_and_its_trigger_found() {
        let text = "Shelling killed two people in Kharkiv, while four were hurt in Izium.";
        super::super::testing::with_ctx(text, |c| {
            let cl = clauses(c, 0);
            assert_eq!(cl.len(), 2);
            assert!(c.low[cl[1].0..cl[1].1].contains(&"izium".to_string()));
            let scan = scan_clause(c, cl[0].0, cl[0].1, &[]);
            assert!(scan.trigger.is_some());
        });
    }

    #[test]
    fn a_negated_or_hypothetical_attack_is_no_trigger() {
        for text in [
            "Troops did not attack the town.",
            "The deal would halt attacks.",
        ] {
            super::super::testing::with_ctx(text, |c| {
                let n = c.doc.tokens.len();
                let k = c.low.iter().position(|w| w.starts_with("attack")).unwrap();
                assert!(trigger_at(c, k, n).is_none(), "{text}");
            });
        }
    }

    fn background_of(text: &str) -> bool {
        super::super::testing::with_ctx(text, |c| {
            let s = &c.doc.sentences[0];
            background(c, s.tokens.start, s.tokens.end)
        })
    }

    #[test]
    fn tolls_over_a_period_or_a_whole_war_are_background() {
        assert!(background_of(
            "The conflict, now in its third year, has killed tens of thousands of people."
        ));
        assert!(background_of(
            "More than 300 civilians have been killed in the province so far this year."
        ));
        assert!(background_of(
            "Fighting in the region has killed 4,000 people since January."
        ));
        // The perfect of another verb, a war noun as a modifier, and news of the day are not.
        assert!(!background_of(
            "Parents protested on Monday, saying the insurer has not paid so far."
        ));
        assert!(!background_of(
            "A war monitor has said 12 people were killed in the town on Monday."
        ));
        assert!(!background_of(
            "A drone strike has killed 12 people in the town."
        ));
        assert!(!background_of(
            "Relatives of a man who has been missing since May marched to the police station."
        ));
        assert!(background_of(
            "The allies have carried out dozens of joint strikes on rebel targets since January."
        ));
        assert!(!background_of(
            "Kenya, an ally in the war against the militants, has refused to send troops."
        ));
        assert!(!background_of(
            "Kenya and Uganda have agreed to hold joint military exercises this month."
        ));
    }

    #[test]
    fn an_exchange_of_fire_is_a_battle() {
        let ev = super::super::testing::events(
            "Troops and rebels exchanged fire for three hours near Goma on Monday, residents said.",
        );
        assert!(ev.iter().any(|e| e.family == Family::Battles), "{ev:?}");
    }

    #[test]
    fn a_trigger_the_typer_reads_as_no_event_makes_none() {
        // The decision on the embedded model's labels: `none` far ahead of every event label
        // drops the clause, `none` close behind or ahead by less keeps it.
        let model = crate::typing::model().expect("embedded typer");
        let none = model.label_index(crate::typing::NONE).expect("none label");
        let mut scores = vec![0.0; model.labels().len()];
        scores[none] = NO_EVENT_LEAD + 1.0;
        assert!(no_event(model, &scores));
        scores[none] = NO_EVENT_LEAD - 1.0;
        assert!(!no_event(model, &scores));
        let ev = super::super::testing::events("Gunmen attacked a village near Jos on Monday.");
        assert_eq!(ev.len(), 1, "{ev:?}");
    }
}
