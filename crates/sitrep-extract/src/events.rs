//! Events, their casualties and their reconciliation inside one report.
//!
//! Each sentence is cut into clauses ("…, while two others were killed …"); a clause with an
//! event trigger or a casualty figure is an *event mention*. Mentions at the same places merge
//! into one event; an event whose places lie inside another's (a district of a city, a city of a
//! country) is `part_of` it; a figure with no place of its own that adds up other events is a
//! [`Total`], never a further event. The sum of `killed` over root events so counts each death once.

use crate::lexicon::{ActorForm, Lexicon, Trigger};
use crate::mentions::{Mention, Recognized, Referent};
use crate::quotes::Quoted;
use sitrep_gazetteer::{distance_km, Feature, Place};
use sitrep_model::*;
use sitrep_text::numbers::{self, NumberMention};
use sitrep_text::timex::{self, TimeExpr};
use sitrep_text::{Document, TokenKind};
use time::Date;

const KILLED_WORDS: &[&str] = &[
    "killed",
    "dead",
    "died",
    "deaths",
    "death",
    "fatalities",
    "fatality",
    "dies",
    "perished",
];
const INJURED_WORDS: &[&str] = &[
    "injured",
    "wounded",
    "hurt",
    "injuries",
    "injuring",
    "wounding",
    "casualties",
];
const FILLER: &[&str] = &[
    "more",
    "other",
    "civilian",
    "local",
    "young",
    "elderly",
    "unarmed",
    "innocent",
    "foreign",
    "security",
    "of",
    "them",
    "including",
    "were",
    "was",
    "have",
    "has",
    "had",
    "been",
    "being",
    "are",
    "is",
    "reportedly",
    "also",
    "later",
    "confirmed",
    "seriously",
    "critically",
    "severely",
    "badly",
    "fatally",
    "slightly",
    "and",
    "in",
    "all",
    "whom",
    "military",
    "government",
    "army",
    "rebel",
    "armed",
    "pro-government",
    "its",
    "their",
    "his",
    "her",
];
const NEGATIONS: &[&str] = &["no", "not", "never", "n't", "without", "nor"];
const FUTURE: &[&str] = &[
    "accept",
    "scheduled",
    "planned",
    "will",
    "would",
    "could",
    "set",
    "expected",
    "plans",
    "plan",
    "may",
    "might",
    "intends",
    "due",
    "future",
    "proposed",
    "possible",
];
/// Words before a diplomatic trigger that make it a habit, not an act on a day.
const HABITUAL: &[&str] = &[
    "repeatedly",
    "often",
    "routinely",
    "frequently",
    "regularly",
    "consistently",
];
/// Words before a violent trigger that make it hypothetical or its opposite ("would freeze fighting").
const HYPOTHETICAL: &[&str] = &[
    "would",
    "could",
    "might",
    "may",
    "will",
    "freeze",
    "halt",
    "end",
    "stop",
    "ending",
    "halting",
    "prevent",
    "avoid",
    "resume",
    "threatened",
];
/// Words before a violent trigger that make it the topic of talk, not news of an event
/// ("a statement condemning RSF attacks").
const REFERENCED: &[&str] = &[
    "denounce",
    "condemning",
    "condemned",
    "condemn",
    "condemns",
    "denounced",
    "denouncing",
    "investigating",
    "investigate",
    "denied",
    "deny",
    "denies",
    "against",
];
/// No real report has more event mentions; past this, input is junk or an attack, and the
/// reconciliation's cost (quadratic in events) is bounded by cutting it off.
const MAX_MENTIONS: usize = 2_000;
/// Evidence spans kept per event.
const MAX_EVIDENCE: usize = 32;
const CLAUSE_BREAKS: &[&str] = &["while", "whereas", ";"];

/// A casualty figure as read from one clause.
#[derive(Debug, Clone)]
struct RawFigure {
    kind: CasualtyKind,
    count: Count,
    span: Span,
    sources: Vec<Source>,
    /// "including four soldiers": a part of the figure before it, placed only if a place follows.
    subset: bool,
    /// "the toll rose to 12": an update of an earlier figure, not a second opinion.
    revision: bool,
    /// "a man was shot dead": one person named by a noun, often one of a toll already given. It
    /// fills an empty count and never replaces or contradicts one.
    single: bool,
}

/// One clause that reports an event or a figure.
#[derive(Debug, Clone)]
struct MentionDraft {
    sentence: usize,
    paragraph: usize,
    span: Span,
    trigger: Option<(Trigger, bool)>,
    places: Vec<(Place, usize)>,
    figures: Vec<RawFigure>,
    actors: Vec<EventActor>,
    weapons: Vec<String>,
    when: Option<TimeExpr>,
    sources: Vec<Source>,
    /// The figures count soldiers or fighters: with no trigger, a battle.
    combatant_victims: bool,
    /// The learned typer's family, type and margin (see [`crate::typing`]).
    typed: Option<(Family, EventType, f32)>,
    /// The typer's score of every label, for a clause with a trigger or a figure.
    scores: Option<Vec<f32>>,
}

/// An event being assembled from mentions.
#[derive(Debug, Clone)]
struct Draft {
    family: Family,
    kind: EventType,
    /// The type came from a specific trigger or weapon, not a generic verb.
    specific: bool,
    places: Vec<(Place, usize)>,
    figures: Vec<RawFigure>,
    casualties: Casualties,
    actors: Vec<EventActor>,
    weapons: Vec<String>,
    when: Option<TimeExpr>,
    sources: Vec<Source>,
    evidence: Vec<Span>,
    sentence: usize,
    paragraph: usize,
    part_of: Option<usize>,
}

/// Everything the event stage produces.
#[derive(Default)]
pub struct EventOutput {
    pub events: Vec<Event>,
    pub totals: Vec<Total>,
    pub warnings: Vec<Warning>,
}

struct Ctx<'a> {
    doc: &'a Document,
    lex: &'a Lexicon,
    rec: &'a Recognized,
    quoted: &'a Quoted,
    low: &'a [String],
}

impl Ctx<'_> {
    fn masked(&self, k: usize) -> bool {
        self.quoted.is_masked(self.doc.tokens[k].span.start)
    }

    fn tok_span(&self, a: usize, b: usize) -> Span {
        Span::new(
            self.doc.tokens[a].span.start as usize,
            self.doc.tokens[b - 1].span.end as usize,
        )
    }

    fn mentions_in(&self, a: usize, b: usize) -> impl Iterator<Item = &Mention> {
        self.rec.within(a, b)
    }

    fn source_of(&self, m: &Mention) -> Option<Source> {
        self.rec.source_of(self.lex, self.doc, m)
    }
}

/// A paragraph with no final punctuation is a heading. Coder tags in brackets at the very end
/// ("… last week. [size=no report]", "[disorder type: …]") are not the paragraph's last word.
fn is_heading(doc: &Document, para: Span) -> bool {
    !without_trailing_tags(doc.slice(para)).ends_with(['.', '!', '?', '"', '”', '’', ')', '…'])
}

/// The text without the bracketed tags at its very end, and without trailing white space.
pub(crate) fn without_trailing_tags(mut s: &str) -> &str {
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
fn clauses(c: &Ctx, si: usize) -> Vec<(usize, usize)> {
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

/// The longest trigger at token `k`, if not negated or future.
fn trigger_at(c: &Ctx, k: usize, end: usize) -> Option<(Trigger, usize)> {
    let n = (1..=c.lex.max_trigger_len.min(end - k))
        .rev()
        .find(|&n| c.lex.triggers.contains_key(&c.low[k..k + n]))?;
    let t = c.lex.triggers[&c.low[k..k + n]].clone();
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
    if t.family == Family::Diplomacy && window.clone().any(|j| FUTURE.contains(&c.low[j].as_str()))
    {
        return None;
    }
    // "has repeatedly urged", "have long accused": a habit, not an act on a day.
    if t.family == Family::Diplomacy
        && window.clone().any(|j| {
            HABITUAL.contains(&c.low[j].as_str())
                || (c.low[j] == "long"
                    && j > 0
                    && matches!(c.low[j - 1].as_str(), "has" | "have" | "had"))
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
    if t.family != Family::Diplomacy
        && (k.saturating_sub(3)..k).any(|j| {
            HYPOTHETICAL.contains(&c.low[j].as_str())
                || REFERENCED.contains(&c.low[j].as_str())
                // "rallied in support of the attacks": the rally's topic ("air support" is not).
                || (c.low[j] == "support"
                    && j > 0
                    && c.low[j - 1] == "in"
                    && c.low.get(j + 1).is_some_and(|w| w == "of"))
        })
    {
        return None;
    }
    // "hit" and "strike" as nouns of sport or labour are rare in conflict copy; "peace plan" is not a plan proposed.
    Some((t, n))
}

fn weapon_at(c: &Ctx, k: usize, end: usize) -> Option<(String, usize)> {
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
fn refine(trigger: &Trigger, weapons: &[String]) -> (Family, EventType, bool) {
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

/// Casualty figures among tokens `[a, b)`, outside quotes.
fn figures(
    c: &Ctx,
    a: usize,
    b: usize,
    times: &[TimeExpr],
    prior: &mut Option<CasualtyKind>,
) -> Vec<RawFigure> {
    let mut out = Vec::new();
    let mut k = a;
    while k < b {
        if c.masked(k) || times.iter().any(|t| t.span.contains(c.doc.tokens[k].span)) {
            k += 1;
            continue;
        }
        if let Some((kind, end)) = one_victim(c, k, b) {
            out.push(RawFigure {
                kind,
                count: Count::exact(1),
                span: c.tok_span(k, end),
                sources: vec![],
                subset: false,
                revision: false,
                single: true,
            });
            *prior = Some(kind);
            k = end;
            continue;
        }
        let Some(n) = numbers::parse_at(c.doc, k) else {
            k += 1;
            continue;
        };
        if n.end > b
            || n.modifier
            || n.year_like
            || (k > 0 && matches!(c.low[k - 1].as_str(), "$" | "€" | "£" | "aged" | "age"))
        {
            k = n.end.max(k + 1);
            continue;
        }
        let next = c.low.get(n.end).map(String::as_str).unwrap_or("");
        let next2 = c.low.get(n.end + 2).map(String::as_str).unwrap_or("");
        // "including two men", "two of the injured", "19 of them": a part of a figure already
        // given, which says something new only with a place of its own.
        let part_of_the = next == "of"
            && matches!(
                c.low.get(n.end + 1).map(String::as_str),
                Some("the" | "them")
            );
        let including = n.first > 0 && c.low[n.first - 1] == "including";
        let kind = casualty_kind(c, &n, b)
            .or_else(|| {
                // "Nine of the dead were in Kenscoff", "two of the wounded".
                if next != "of" || c.low.get(n.end + 1).is_none_or(|w| w != "the") {
                    return None;
                }
                match next2 {
                    "dead" | "killed" | "victims" | "fatalities" => Some(CasualtyKind::Killed),
                    "injured" | "wounded" => Some(CasualtyKind::Injured),
                    _ => None,
                }
            })
            .or_else(|| {
                // After a figure, "19 of them in Djibo", "12 in an ambush" and "including two men"
                // count the same thing.
                let of_them = next == "of" && c.low.get(n.end + 1).is_some_and(|w| w == "them");
                let bare_numeral = c.doc.tokens[n.end - 1].kind == TokenKind::Number
                    || numbers::word_value(&c.low[n.end - 1]).is_some_and(|v| v > 1);
                let person = c.lex.person_nouns.contains(next) || COMBATANTS.contains(&next);
                (bare_numeral
                    && (of_them
                        || matches!(next, "in" | "near" | "at" | "outside")
                        || (including && person)))
                    .then_some(())
                    .and(*prior)
            });
        if let Some(kind) = kind {
            let revision = (n.first.saturating_sub(5)..n.first).any(|j| {
                matches!(
                    c.low[j].as_str(),
                    "rose" | "risen" | "climbed" | "increased" | "jumped" | "reached" | "now"
                )
            });
            out.push(RawFigure {
                kind,
                count: n.count,
                span: n.span,
                sources: vec![],
                subset: including || part_of_the,
                revision,
                single: false,
            });
            *prior = Some(kind);
        }
        k = n.end;
    }
    out
}

/// "a man was shot dead", "a 23-year-old motorcycle taxi driver was killed", "an aid worker was
/// wounded": one person, named by "a" or "an" and a noun of people, killed or hurt. The kind,
/// and the token after the phrase.
fn one_victim(c: &Ctx, k: usize, b: usize) -> Option<(CasualtyKind, usize)> {
    if !matches!(c.low[k].as_str(), "a" | "an") {
        return None;
    }
    // A noun of people closes a short phrase of modifiers ("23-year-old motorcycle taxi driver",
    // "police officer") right before "was".
    let was = (k + 2..(k + 8).min(b)).find(|&j| c.low[j] == "was")?;
    let noun = was - 1;
    if !c.lex.person_nouns.contains(&c.low[noun])
        || (k + 1..noun).any(|j| matches!(c.low[j].as_str(), "of" | "and" | "," | "or" | "who"))
    {
        return None;
    }
    let at = |j: usize| c.low.get(j).filter(|_| j < b).map_or("", String::as_str);
    let verb = at(noun + 2);
    let (kind, end) = if KILLED_WORDS.contains(&verb) {
        (CasualtyKind::Killed, noun + 3)
    } else if matches!(verb, "shot" | "stabbed" | "beaten" | "hacked" | "burned")
        && (at(noun + 3) == "dead" || (at(noun + 3) == "to" && at(noun + 4) == "death"))
    {
        (
            CasualtyKind::Killed,
            if at(noun + 3) == "dead" {
                noun + 4
            } else {
                noun + 5
            },
        )
    } else if INJURED_WORDS.contains(&verb) && verb != "casualties" {
        (CasualtyKind::Injured, noun + 3)
    } else {
        return None;
    };
    (!(k..end).any(|j| c.masked(j))).then_some((kind, end))
}

/// Whether the figure counts soldiers or fighters, by the victims' own noun: inside "a soldier
/// was killed", or in the words right after a number up to the first that leaves the noun phrase
/// ("12 gang members", not "20 people in a gang attack" or "one dead when gunmen attacked").
fn combatant_victims(c: &Ctx, f: &RawFigure, b: usize) -> bool {
    let is_combatant = |j: usize| COMBATANTS.contains(&c.low[j].as_str());
    if f.single {
        let (s0, s1) = (c.doc.token_at(f.span.start), c.doc.token_at(f.span.end));
        return (s0..s1.min(b)).any(is_combatant);
    }
    let t = c.doc.token_at(f.span.end);
    (t..(t + 3).min(b))
        .take_while(|&j| {
            !matches!(
                c.low[j].as_str(),
                "," | "in"
                    | "at"
                    | "near"
                    | "when"
                    | "as"
                    | "after"
                    | "by"
                    | "and"
                    | "on"
                    | "during"
                    | "while"
                    | "with"
            )
        })
        .any(is_combatant)
}

fn casualty_kind(c: &Ctx, n: &NumberMention, b: usize) -> Option<CasualtyKind> {
    let word_kind = |w: &str| {
        if KILLED_WORDS.contains(&w) {
            Some(CasualtyKind::Killed)
        } else if INJURED_WORDS.contains(&w) && w != "casualties" {
            Some(CasualtyKind::Injured)
        } else {
            None
        }
    };
    let bare_one = matches!(c.low[n.end - 1].as_str(), "a" | "an" | "one") && n.first + 1 == n.end;
    // Backward: "killing at least nine", "the strike killed 12", "wounding 16", "death toll rose to 12".
    if n.first > 0 && !bare_one {
        let prev = c.low[n.first - 1].as_str();
        match prev {
            "killing" | "killed" | "kills" | "kill" => return Some(CasualtyKind::Killed),
            "lost" | "losing"
                if (n.end..(n.end + 2).min(b)).any(|j| {
                    COMBATANTS.contains(&c.low[j].as_str())
                        || c.lex.person_nouns.contains(&c.low[j])
                }) =>
            {
                return Some(CasualtyKind::Killed)
            }
            "wounding" | "injuring" | "wounded" | "injured" => return Some(CasualtyKind::Injured),
            _ => {}
        }
        let back = n.first.saturating_sub(5)..n.first;
        // "The death toll from Tuesday's bombing … has risen to 12": the toll may be far back.
        let revised = (n.first.saturating_sub(3)..n.first).any(|j| {
            matches!(
                c.low[j].as_str(),
                "risen"
                    | "rose"
                    | "climbed"
                    | "reached"
                    | "stands"
                    | "stood"
                    | "jumped"
                    | "increased"
            )
        });
        if revised && (n.first.saturating_sub(30)..n.first).any(|j| c.low[j] == "toll") {
            let injured =
                (n.first.saturating_sub(30)..n.first).any(|j| c.low[j].starts_with("injur"));
            return Some(if injured {
                CasualtyKind::Injured
            } else {
                CasualtyKind::Killed
            });
        }
        if back.clone().any(|j| c.low[j] == "toll")
            && back
                .clone()
                .any(|j| c.low[j] == "death" || c.low[j] == "toll")
        {
            if back
                .clone()
                .any(|j| c.low[j] == "injury" || c.low[j] == "injured")
            {
                return Some(CasualtyKind::Injured);
            }
            return Some(CasualtyKind::Killed);
        }
    }
    // Forward: "six people dead", "two others were killed", "four deaths", "16 injured".
    let mut j = n.end;
    let mut saw_person = false;
    while j < b && j < n.end + 7 {
        let w = c.low[j].as_str();
        if let Some(k) = word_kind(w) {
            if bare_one && !saw_person {
                return None;
            }
            return Some(k);
        }
        if c.lex.person_nouns.contains(w) {
            saw_person = true;
            j += 1;
            continue;
        }
        let demonym = c.rec.starting_at(j).is_some_and(|m| {
            matches!(
                m.referent,
                Referent::Actor {
                    form: ActorForm::Demonym,
                    ..
                }
            )
        });
        if FILLER.contains(&w) || demonym || w == "," {
            // "and" only joins person nouns ("women and children"), not a second number.
            if w == "and"
                && c.doc
                    .tokens
                    .get(j + 1)
                    .is_some_and(|t| t.kind == TokenKind::Number)
            {
                return None;
            }
            j += 1;
            continue;
        }
        return None;
    }
    None
}

/// Who gave the figures of a sentence: "Tkachenko reported", "according to the ministry",
/// "Russia also reported …, saying".
fn sentence_sources(c: &Ctx, si: usize) -> Vec<Source> {
    let s = &c.doc.sentences[si];
    let mut out: Vec<Source> = Vec::new();
    for k in s.tokens.clone() {
        if c.masked(k) {
            continue;
        }
        let w = c.low[k].as_str();
        if w == "according" && c.low.get(k + 1).is_some_and(|x| x == "to") {
            if let Some(m) = c
                .rec
                .within(k + 2, s.tokens.end)
                .next()
                .filter(|m| m.first <= k + 4)
            {
                out.extend(c.source_of(m));
            }
        } else if c.lex.speech_verbs.contains(w)
            && !matches!(w, "calling" | "called" | "described" | "describing")
        {
            match subject_of(c, si, k) {
                Some(m) if !matches!(m.referent, Referent::Place(_)) || m.also_actor.is_some() => {
                    out.extend(c.source_of(m))
                }
                Some(_) => {}
                None => out.extend(institution_before(c, s.tokens.start, k)),
            }
        }
    }
    out.dedup();
    out
}

/// Institutions named by common nouns: "police said", "the Lebanese health ministry said".
const INSTITUTIONS: &[&str] = &[
    "police",
    "army",
    "military",
    "ministry",
    "authorities",
    "officials",
    "government",
    "witnesses",
    "residents",
    "hospital",
    "medics",
    "rescuers",
    "sources",
    "monitor",
    "agency",
    "command",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "office",
    "council",
    "group",
    "militia",
    "rebels",
    "activists",
    "officers",
    "doctors",
];

fn institution_before(c: &Ctx, start: usize, verb: usize) -> Option<Source> {
    let end = crate::mentions::subject_end(c.low, start, verb);
    if end == 0 || end <= start || !INSTITUTIONS.contains(&c.low[end - 1].as_str()) {
        return None;
    }
    let mut k = end - 1;
    while k > start && k + 4 > end {
        let w = c.low[k - 1].as_str();
        let demonym = c
            .rec
            .ending_at(k)
            .is_some_and(|m| matches!(m.referent, Referent::Actor { .. }));
        if !(demonym
            || matches!(
                w,
                "health"
                    | "defence"
                    | "defense"
                    | "interior"
                    | "foreign"
                    | "security"
                    | "local"
                    | "state"
                    | "regional"
                    | "military"
                    | "civil"
            ))
        {
            break;
        }
        k -= 1;
    }
    Some(Source {
        name: c.doc.slice(c.tok_span(k, end)).to_string(),
        title: None,
        affiliation: None,
    })
}

/// The subject of the verb at token `verb`: the name right before it, or before an appositive
/// ("Tymur Tkachenko, head of the city’s military administration, reported").
fn subject_of<'a>(c: &'a Ctx, si: usize, verb: usize) -> Option<&'a Mention> {
    let start = c.doc.sentences[si].tokens.start;
    let end = crate::mentions::subject_end(c.low, start, verb);
    // A mention ends at most two tokens before `end` and spans a handful of tokens: looking
    // back a dozen keeps a sentence of many verbs linear.
    c.rec
        .within(start.max(end.saturating_sub(12)), end)
        .filter(|m| m.end + 2 >= end && !c.masked(m.first))
        .last()
}

const DIRECTION_WORDS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "outskirts",
];
const COMBATANTS: &[&str] = &[
    "soldiers",
    "soldier",
    "troops",
    "fighters",
    "militants",
    "rebels",
    "insurgents",
    "servicemen",
    "combatants",
    "militiamen",
    "jihadists",
    "gunmen",
    "attackers",
    "gang",
    "gangsters",
];
const MILITARY_TARGETS: &[&str] = &[
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

/// Places of a clause usable as event locations: not datelines, not inside quotes or a person's
/// title, and reference points ("25 km west of Goma") only when nothing else is named.
fn clause_places(c: &Ctx, a: usize, b: usize) -> Vec<(Place, usize)> {
    let titles: Vec<Span> = c.rec.persons.iter().filter_map(|p| p.title_span).collect();
    let mut places: Vec<(Place, usize, bool)> = Vec::new();
    for m in c.mentions_in(a, b) {
        let Referent::Place(p) = &m.referent else {
            continue;
        };
        if m.dateline || c.masked(m.first) || titles.iter().any(|t| t.contains(m.span)) {
            continue;
        }
        let reference = m.first >= 2
            && matches!(c.low[m.first - 1].as_str(), "of" | "from")
            && DIRECTION_WORDS.contains(&c.low[m.first - 2].as_str());
        places.push((*p, m.first, reference));
    }
    let any_direct = places.iter().any(|p| !p.2);
    prune_places(
        places
            .into_iter()
            .filter(|p| !p.2 || !any_direct)
            .map(|p| (p.0, p.1))
            .collect(),
    )
}

/// Is the clause background rather than news ("… has killed thousands since January")?
fn background(c: &Ctx, a: usize, b: usize) -> bool {
    let since = (a..b).any(|k| !c.masked(k) && c.low[k] == "since");
    since && (a..b).any(|k| matches!(c.low[k].as_str(), "has" | "have"))
}

/// How sure the typer must be that a clause with no trigger, no figure and no statement reports
/// an event (its best event label's score over `none`) to make it an event mention.
/// Cross-validated on ACLED's notes (`sitrep train events`: at 20, 84 % of the clauses it takes
/// are events and it finds 69 % of them) and set above 0 so news paragraphs add few events.
const DETECT_LEAD: f32 = 20.0;

/// The typing features of the clause `[a, b)` of sentence `si` (see [`crate::typing`]).
#[allow(clippy::too_many_arguments)]
fn typing_features(
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
    let in_time = |k: usize| times.iter().any(|t| t.span.contains(c.doc.tokens[k].span));
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
fn sentence_actor_kinds(c: &Ctx, si: usize) -> Vec<(usize, ActorKind)> {
    let s = &c.doc.sentences[si];
    c.mentions_in(s.tokens.start, s.tokens.end)
        .filter_map(|m| match m.referent {
            Referent::Actor { actor, .. } => Some((m.first, c.lex.actors[actor].kind)),
            _ => None,
        })
        .collect()
}

/// The typing features of every clause, in order, for the trainer (see [`crate::typing::candidates`]).
pub(crate) fn typing_candidates(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    quoted: &Quoted,
    published: Option<Date>,
) -> Vec<crate::typing::Candidate> {
    let c = Ctx {
        doc,
        lex,
        rec,
        quoted,
        low: &rec.low,
    };
    let mut sink = Vec::new();
    mention_drafts(&c, published, None, Some(&mut sink));
    sink
}

fn mention_drafts(
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
        let times = timex::find(c.doc, s.tokens.clone(), published);
        let sources = sentence_sources(c, si);
        let actor_kinds = sentence_actor_kinds(c, si);
        let mut prior_kind: Option<CasualtyKind> = None;
        for (a, b) in clauses(c, si) {
            let mut trigger: Option<(Trigger, usize, usize)> = None;
            let mut all_triggers: Vec<(usize, usize, Trigger)> = Vec::new();
            let mut weapons: Vec<(String, usize)> = Vec::new();
            let mut k = a;
            while k < b {
                if c.masked(k) {
                    k += 1;
                    continue;
                }
                if let Some((w, _)) = weapon_at(c, k, b) {
                    if !weapons.iter().any(|x| x.0 == w) {
                        weapons.push((w, k));
                    }
                }
                if let Some((t, n)) = trigger_at(c, k, b) {
                    all_triggers.push((k, n, t.clone()));
                    let better = match &trigger {
                        None => true,
                        Some((cur, _, cn)) => rank(&t, n) > rank(cur, *cn),
                    };
                    if better {
                        trigger = Some((t, k, n));
                    }
                    k += n;
                    continue;
                }
                k += 1;
            }
            let mut figs = figures(c, a, b, &times, &mut prior_kind);
            if background(c, a, b) {
                continue;
            }
            let others: Vec<(usize, usize, Trigger)> = all_triggers
                .iter()
                .filter(|o| trigger.as_ref().is_none_or(|t| t.1 != o.0))
                .cloned()
                .collect();
            let ids = (model.is_some() || sink.is_some()).then(|| {
                typing_features(
                    c,
                    si,
                    (a, b),
                    &times,
                    trigger.as_ref(),
                    &others,
                    &weapons,
                    &figs,
                    &actor_kinds,
                )
            });
            let st = (trigger.is_none() && figs.is_empty())
                .then(|| statement(c, a, b))
                .flatten();
            if let (Some(sink), Some(ids)) = (sink.as_deref_mut(), &ids) {
                sink.push(crate::typing::Candidate {
                    sentence: si,
                    span: c.tok_span(a, b),
                    trigger: trigger.is_some(),
                    figures: !figs.is_empty(),
                    statement: st.is_some(),
                    lexical: trigger.as_ref().map(|t| {
                        let w: Vec<String> = weapons.iter().map(|w| w.0.clone()).collect();
                        refine(&t.0, &w)
                    }),
                    ids: ids.clone(),
                });
            }
            let bare = trigger.is_none() && figs.is_empty();
            let typed = model
                .zip(ids.as_ref())
                .filter(|_| bare)
                .and_then(|(m, ids)| {
                    crate::typing::decide_event(m, ids).filter(|d| d.2 > DETECT_LEAD)
                });
            let scores = model
                .zip(ids.as_ref())
                .filter(|_| !bare)
                .map(|(m, ids)| m.scores(ids));
            if trigger.is_none() && figs.is_empty() {
                // A state or government body that speaks is a diplomatic statement.
                if let Some(st) = st {
                    out.push(MentionDraft {
                        sentence: si,
                        paragraph: s.paragraph,
                        span: c.tok_span(a, b),
                        trigger: Some((st.0, true)),
                        places: vec![],
                        figures: vec![],
                        actors: vec![st.1],
                        weapons: vec![],
                        when: times.first().copied(),
                        sources: vec![],
                        combatant_victims: false,
                        typed: None,
                        scores: None,
                    });
                } else if let Some(typed) = typed {
                    // No trigger word, but wording the typer reads as an event ("exchanged
                    // heavy fire", "surrendered").
                    out.push(MentionDraft {
                        sentence: si,
                        paragraph: s.paragraph,
                        span: c.tok_span(a, b),
                        trigger: None,
                        places: clause_places(c, a, b),
                        figures: vec![],
                        actors: clause_actors(c, a, b, None, &weapons, &sources),
                        weapons: weapons.iter().map(|w| w.0.clone()).collect(),
                        when: times.first().copied(),
                        sources: sources.clone(),
                        combatant_victims: false,
                        typed: Some(typed),
                        scores: None,
                    });
                }
                continue;
            }
            // Protests met with force: the protest is the event, coded by what was done to it.
            let clause_triggers: Vec<Trigger> = (a..b)
                .filter(|&k| !c.masked(k))
                .filter_map(|k| trigger_at(c, k, b).map(|t| t.0))
                .collect();
            let protest = clause_triggers
                .iter()
                .any(|t| t.family == Family::Protests && t.kind == EventType::PeacefulProtest);
            if protest {
                let has = |k: EventType| clause_triggers.iter().any(|t| t.kind == k);
                let kind = if has(EventType::ViolentDemonstration)
                    || has(EventType::LootingPropertyDestruction)
                {
                    Some((Family::Riots, EventType::ViolentDemonstration))
                } else if has(EventType::Attack)
                    || has(EventType::ExcessiveForceAgainstProtesters)
                    // "Police killed three protesters": people killed or hurt at a protest that
                    // did not turn violent itself.
                    || !figs.is_empty()
                {
                    Some((Family::Protests, EventType::ExcessiveForceAgainstProtesters))
                } else if has(EventType::ProtestWithIntervention) || has(EventType::Arrests) {
                    Some((Family::Protests, EventType::ProtestWithIntervention))
                } else {
                    None
                };
                if let (Some((family, kind)), Some((t, _, _))) = (kind, &mut trigger) {
                    *t = Trigger {
                        family,
                        kind,
                        weapon: None,
                    };
                }
            }
            // A trigger of violence against an army's positions is a battle.
            if let Some((t, at, _)) = &mut trigger {
                if t.family == Family::ViolenceAgainstCivilians
                    && t.kind == EventType::Attack
                    && t.weapon.is_none()
                    && (*at..b).any(|j| MILITARY_TARGETS.contains(&c.low[j].as_str()))
                {
                    *t = Trigger {
                        family: Family::Battles,
                        kind: EventType::ArmedClash,
                        weapon: None,
                    };
                }
            }
            // Soldiers killed in a clause whose only trigger is a seizure or the like: a battle.
            let soldiers_killed = figs.iter().any(|f| combatant_victims(c, f, b));
            if let Some((t, _, _)) = &mut trigger {
                if soldiers_killed && t.family == Family::StrategicDevelopments {
                    *t = Trigger {
                        family: Family::Battles,
                        kind: EventType::ArmedClash,
                        weapon: None,
                    };
                }
            }
            let weapon_names: Vec<String> = weapons.iter().map(|w| w.0.clone()).collect();
            let trig_pos = trigger.as_ref().map(|t| t.1);
            let actors = clause_actors(c, a, b, trig_pos, &weapons, &sources);
            let when = times
                .iter()
                .find(|t| {
                    t.span.start >= c.doc.tokens[a].span.start
                        && t.span.end <= c.doc.tokens[b - 1].span.end
                })
                .or(times.first())
                .copied();
            for f in &mut figs {
                f.sources = sources.clone();
            }
            // Segments: a second figure of a kind already given starts a new part of the clause
            // ("19 of them in Djibo and 12 near Douentza").
            let mut cuts = vec![a];
            let mut seen: Vec<CasualtyKind> = Vec::new();
            for f in &figs {
                if seen.contains(&f.kind) {
                    cuts.push(c.doc.token_at(f.span.start));
                    seen.clear();
                }
                seen.push(f.kind);
            }
            cuts.push(b);
            for w in cuts.windows(2) {
                let (sa, sb) = (w[0], w[1]);
                let seg_figs: Vec<RawFigure> = figs
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
                let mut seg_figs = seg_figs;
                if places.is_empty() {
                    seg_figs.retain(|f| !f.subset);
                }
                if cuts.len() > 2 && seg_figs.is_empty() && sa != a {
                    continue;
                }
                out.push(MentionDraft {
                    sentence: si,
                    paragraph: s.paragraph,
                    span: c.tok_span(sa, sb),
                    trigger: trigger.as_ref().map(|(t, _, _)| (t.clone(), true)),
                    places,
                    figures: seg_figs,
                    actors: actors.clone(),
                    weapons: weapon_names.clone(),
                    when,
                    sources: sources.clone(),
                    combatant_victims,
                    typed: None,
                    scores: scores.clone(),
                });
            }
        }
    }
    out
}

/// Events that kill and wound, whose figures are theirs: the violent families, and force used on
/// protesters ("a man was shot dead when police opened fire on a sit-in").
fn lethal(family: Family, kind: EventType) -> bool {
    family.is_violent() || kind == EventType::ExcessiveForceAgainstProtesters
}

/// Preference among triggers in one clause: violence over diplomacy, specific over generic. A
/// proposal is usually what another act of the clause is about ("rejected a truce proposal put
/// forward by the mediators", "accused the army of blocking the plan"), so that act wins.
fn rank(t: &Trigger, len: usize) -> u32 {
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
fn statement(c: &Ctx, a: usize, b: usize) -> Option<(Trigger, EventActor)> {
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
                },
            ));
        }
    }
    None
}

/// Actors of a clause with their roles. The actor right before the trigger or a weapon word
/// ("Russian missiles", "a Ukrainian drone attack", "RSF fighters attacked") initiates; one after
/// "on"/"against" is the target; sources of figures are not participants.
fn clause_actors(
    c: &Ctx,
    a: usize,
    b: usize,
    trig: Option<usize>,
    weapons: &[(String, usize)],
    sources: &[Source],
) -> Vec<EventActor> {
    let mut out: Vec<EventActor> = Vec::new();
    let anchors: Vec<usize> = trig
        .into_iter()
        .chain(weapons.iter().map(|w| w.1))
        .collect();
    for m in c.mentions_in(a, b) {
        if c.masked(m.first) {
            continue;
        }
        let (name, kind, country, form) = match &m.referent {
            Referent::Actor { actor, form } => {
                let e = &c.lex.actors[*actor];
                (e.canonical.clone(), e.kind, e.country.clone(), *form)
            }
            Referent::Person(p) => {
                let p = &c.rec.persons[*p];
                (
                    p.name.clone(),
                    ActorKind::Person,
                    p.country.clone(),
                    ActorForm::Name,
                )
            }
            _ => continue,
        };
        // A speaker who reports the figures is a source, not a party.
        let next = c.low.get(m.end).map(String::as_str).unwrap_or("");
        let is_source = sources.iter().any(|s| s.name == name)
            && (c.lex.speech_verbs.contains(next) || next == "also" || kind == ActorKind::Person);
        // A party that speaks of its own weapons ("the Israeli military said its aircraft struck")
        // is still the initiator; any other speaker is only a source.
        let near_anchor = anchors.iter().any(|&t| m.end <= t && t - m.end <= 3);
        let party = matches!(
            kind,
            ActorKind::State | ActorKind::Military | ActorKind::ArmedGroup
        );
        if kind == ActorKind::Person || (is_source && !(party && near_anchor)) {
            continue;
        }
        // "Sudan’s paramilitary Rapid Support Forces": the state only qualifies the actor after it.
        if c.doc
            .tokens
            .get(m.end)
            .is_some_and(|t| t.kind == TokenKind::Possessive)
            && (m.end + 1..(m.end + 4).min(b)).any(|j| {
                c.rec
                    .starting_at(j)
                    .is_some_and(|n| matches!(n.referent, Referent::Actor { .. }))
            })
        {
            continue;
        }
        let before_anchor = anchors.iter().any(|&t| m.end <= t && t - m.end <= 3);
        let prev = if m.first > 0 {
            c.low[m.first - 1].as_str()
        } else {
            ""
        };
        // "by Sudan’s paramilitary RSF": walk back over the modifiers to the "by".
        let mut j = m.first;
        while j > a
            && m.first - j < 5
            && (c.doc.tokens[j - 1].kind == TokenKind::Possessive
                || c.doc.tokens[j - 1].kind == TokenKind::Word
                    && c.low[j - 1] != "by"
                    && !c.lex.triggers.contains_key(&c.low[j - 1..j]))
        {
            j -= 1;
        }
        let by = prev == "by" || (j > a && c.low[j - 1] == "by");
        let targeted = matches!(prev, "on" | "against" | "targeting" | "at")
            && trig.is_some_and(|t| t < m.first);
        let role = if by
            || (before_anchor && !targeted)
            || (trig.is_some_and(|t| m.end <= t) && form != ActorForm::Capital && !targeted)
        {
            Role::Initiator
        } else if targeted {
            Role::Target
        } else {
            Role::Participant
        };
        if !out.iter().any(|x| x.name == name && x.role == role) {
            out.push(EventActor {
                name,
                kind,
                country,
                role,
                mention: Some(m.span),
            });
        }
    }
    out
}

/// Drop a place that contains another place of the same clause ("In Ukraine, … struck Kyiv").
fn prune_places(places: Vec<(Place, usize)>) -> Vec<(Place, usize)> {
    let mut out: Vec<(Place, usize)> = Vec::new();
    for (p, at) in &places {
        if places.iter().any(|(q, _)| contains(p, q)) || out.iter().any(|(q, _)| q.index == p.index)
        {
            continue;
        }
        out.push((*p, *at));
    }
    out
}

/// Does place `a` contain place `b`?
pub(crate) fn contains(a: &Place, b: &Place) -> bool {
    if a.index == b.index {
        return false;
    }
    match a.feature {
        Feature::Country => b.country == a.country && b.feature != Feature::Country,
        Feature::Admin1 => {
            !a.admin1.is_empty()
                && b.admin1 == a.admin1
                && !matches!(b.feature, Feature::Country | Feature::Admin1)
        }
        Feature::Capital | Feature::Settlement => {
            b.feature == Feature::District
                && b.country == a.country
                && distance_km(a.lat, a.lon, b.lat, b.lon) < 30.0
        }
        Feature::District => false,
    }
}

fn same_place_set(a: &[(Place, usize)], b: &[(Place, usize)]) -> bool {
    !a.is_empty()
        && a.len() == b.len()
        && a.iter()
            .all(|(p, _)| b.iter().any(|(q, _)| q.index == p.index))
}

fn same_places(a: &[(Place, usize)], b: &[(Place, usize)]) -> bool {
    !a.is_empty()
        && a.iter()
            .any(|(p, _)| b.iter().any(|(q, _)| q.index == p.index))
}

fn set_figure(d: &mut Draft, f: &RawFigure, warnings: &mut Vec<Warning>, text: &str) {
    let slot = match f.kind {
        CasualtyKind::Killed => &mut d.casualties.killed,
        CasualtyKind::Injured => &mut d.casualties.injured,
    };
    match slot {
        None => *slot = Some(f.count),
        Some(_) if f.single => {}
        Some(cur) if cur.value != f.count.value => {
            let cur = *cur;
            let prior = d.figures.iter().find(|g| g.kind == f.kind);
            let same_source =
                prior.is_some_and(|g| g.sources == f.sources && !g.sources.is_empty());
            if (same_source || f.revision) && f.count.value > cur.value {
                // A toll revised upward by the same source: the later figure is the headline.
                *slot = Some(f.count);
            } else if !same_source && !f.revision {
                // Sources disagree: the headline is the lowest figure (ACLED's conservative rule);
                // every figure stays in `figures` with its source.
                if f.count.value < cur.value {
                    *slot = Some(f.count);
                }
                warnings.push(Warning {
                    code: WarningCode::ConflictingFigures,
                    message: format!(
                        "sources disagree on the number {}: {} and {} ({:?})",
                        match f.kind {
                            CasualtyKind::Killed => "killed",
                            CasualtyKind::Injured => "injured",
                        },
                        cur.value,
                        f.count.value,
                        &text[f.span.range()]
                    ),
                    span: Some(f.span),
                });
            }
        }
        Some(_) => {}
    }
    d.figures.push(f.clone());
}

impl Draft {
    /// See [`lethal`].
    fn lethal(&self) -> bool {
        lethal(self.family, self.kind)
    }
}

fn new_draft(m: &MentionDraft, family: Family, kind: EventType, specific: bool) -> Draft {
    Draft {
        family,
        kind,
        specific,
        places: m.places.clone(),
        figures: vec![],
        casualties: Casualties::default(),
        actors: m.actors.clone(),
        weapons: m.weapons.clone(),
        when: m.when,
        sources: m.sources.clone(),
        evidence: vec![m.span],
        sentence: m.sentence,
        paragraph: m.paragraph,
        part_of: None,
    }
}

fn absorb(d: &mut Draft, m: &MentionDraft) {
    for a in &m.actors {
        if !d
            .actors
            .iter()
            .any(|x| x.name == a.name && x.role == a.role)
        {
            d.actors.push(a.clone());
        }
    }
    for w in &m.weapons {
        if !d.weapons.contains(w) {
            d.weapons.push(w.clone());
        }
    }
    for s in &m.sources {
        if !d.sources.contains(s) {
            d.sources.push(s.clone());
        }
    }
    if d.when.is_none() {
        d.when = m.when;
    }
    if d.evidence.len() < MAX_EVIDENCE && !d.evidence.contains(&m.span) {
        d.evidence.push(m.span);
    }
}

/// Build the events of a report from its recognised mentions and quotes.
pub fn extract_events(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    quoted: &Quoted,
    published: Option<Date>,
) -> EventOutput {
    let low = &rec.low;
    let c = Ctx {
        doc,
        lex,
        rec,
        quoted,
        low,
    };
    let mut mentions = mention_drafts(&c, published, crate::typing::model(), None);
    // What the report says is yet to come ("organisers said they would return to the streets
    // next Tuesday", "talks resume next week") has not happened: it is no event.
    // Only a time told in the mention's own clause says so, and figures are news whatever else
    // the sentence looks forward to ("killed 23 as mediators prepared for talks next week").
    if let Some(p) = published {
        mentions.retain(|m| {
            !m.figures.is_empty()
                || m.when
                    .is_none_or(|t| t.start <= p || !m.span.contains(t.span))
        });
    }
    let mut warnings = Vec::new();
    if mentions.len() > MAX_MENTIONS {
        warnings.push(Warning {
            code: WarningCode::ExtractionCapped,
            message: format!(
                "{} event mentions; only the first {MAX_MENTIONS} were read",
                mentions.len()
            ),
            span: mentions.get(MAX_MENTIONS).map(|m| m.span),
        });
        mentions.truncate(MAX_MENTIONS);
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut deferred: Vec<MentionDraft> = Vec::new();
    let mut last_violent: Option<usize> = None;
    for m in &mentions {
        let lexical = match &m.trigger {
            // An attack that killed soldiers or fighters was fought between armed men: a battle
            // ("officers killed five gang members"); violence against civilians has civilian
            // victims.
            Some((t, _))
                if m.combatant_victims
                    && refine(t, &m.weapons)
                        == (Family::ViolenceAgainstCivilians, EventType::Attack, true) =>
            {
                (Family::Battles, EventType::ArmedClash, true)
            }
            Some((t, _)) => refine(t, &m.weapons),
            // Soldiers or fighters killed with no trigger word: a battle, not the event before.
            None if m.combatant_victims => (Family::Battles, EventType::ArmedClash, true),
            None => {
                // A figure with no trigger of its own continues the last violent event nearby.
                match last_violent.map(|i| &drafts[i]) {
                    Some(d) if m.paragraph <= d.paragraph + 1 => (d.family, d.kind, false),
                    _ => (Family::ViolenceAgainstCivilians, EventType::Attack, false),
                }
            }
        };
        let continues = m.trigger.is_none()
            && !m.figures.is_empty()
            && last_violent.is_some_and(|i| m.paragraph <= drafts[i].paragraph + 1);
        // The typer decides; the lexicon's reading stands where the mention only continues the
        // event before, or where no model is embedded.
        let (family, kind, specific) = match (m.typed, &m.scores, crate::typing::model()) {
            (Some((f, k, _)), _, _) => (f, k, true),
            (None, Some(scores), Some(model)) if !continues => {
                match crate::typing::with_prior(model, scores, lexical) {
                    Some((f, k)) => (f, k, lexical.2),
                    None => lexical,
                }
            }
            _ => lexical,
        };
        // Force used on protesters with no town of its own stays a protest event; deferred, it
        // would join whatever violence is nearest.
        let unplaced = m
            .places
            .iter()
            .all(|(p, _)| matches!(p.feature, Feature::Country | Feature::Admin1));
        if family == Family::Diplomacy
            || !lethal(family, kind)
            || (family == Family::Protests && unplaced)
        {
            // A diplomatic act happens at its venue ("met in Geneva"), not at the places it is about
            // ("condemning attacks on El Obeid").
            // It has one venue: the first ("met in Doha for talks on a ceasefire in North
            // Kivu").
            let m = &if family == Family::Diplomacy {
                let mut m = m.clone();
                m.places.retain(|(_, tok)| {
                    *tok > 0 && matches!(c.low[*tok - 1].as_str(), "in" | "at" | "hosted" | "host")
                });
                m.places.truncate(1);
                m
            } else {
                m.clone()
            };
            // Diplomatic acts merge only when the same act is restated at the same place.
            // Only recent drafts: a restatement comes soon after, and the search stays bounded.
            let same = drafts.iter_mut().rev().take(50).find(|d| {
                d.kind == kind
                    && d.family == family
                    && (same_places(&d.places, &m.places)
                        // A restatement with no place, no one new and no other day ("The meeting
                        // was the first direct contact...") is the act just told; "met again on
                        // Thursday" is another.
                        || (family == Family::Diplomacy
                            && m.places.is_empty()
                            && !d.places.is_empty()
                            && m.actors
                                .iter()
                                .all(|a| d.actors.iter().any(|x| x.name == a.name))
                            && m.when.is_none_or(|t| {
                                t.precision != TimePrecision::Day
                                    || d.when.is_some_and(|w| w.start == t.start)
                            }))
                        || (d.places.is_empty()
                            && m.places.is_empty()
                            && d.actors.iter().any(|a| {
                                m.actors.iter().any(|b| {
                                    a.name == b.name
                                        && a.role == Role::Initiator
                                        && b.role == Role::Initiator
                                })
                            })))
            });
            match same {
                Some(d) if d.paragraph + 1 >= m.paragraph => absorb(d, m),
                _ => drafts.push(new_draft(m, family, kind, specific)),
            }
            continue;
        }
        // Country- and region-wide places ("in southern Lebanon", "in the Gaza Strip") do not
        // place an incident: such figures are totals, or belong to an event placed elsewhere, or
        // (in place_deferred) make an event of their own at that precision.
        if m.places.is_empty()
            || m.places
                .iter()
                .all(|(p, _)| matches!(p.feature, Feature::Country | Feature::Admin1))
        {
            deferred.push(m.clone());
            continue;
        }
        // The same places and a compatible type: the same event told again.
        let existing = drafts.iter().position(|d| {
            d.lethal()
                && same_place_set(&d.places, &m.places)
                && (d.family == family || !specific || !d.specific)
        });
        let i = match existing {
            Some(i) => {
                absorb(&mut drafts[i], m);
                if !drafts[i].specific && specific {
                    drafts[i].kind = kind;
                    drafts[i].family = family;
                    drafts[i].specific = true;
                }
                i
            }
            None => {
                drafts.push(new_draft(m, family, kind, specific));
                drafts.len() - 1
            }
        };
        for f in &m.figures {
            set_figure(&mut drafts[i], f, &mut warnings, &doc.text);
        }
        last_violent = Some(i);
    }
    settle_diplomatic_roles(&mut drafts);
    venue_of_talks(&mut drafts);
    link_parts(&mut drafts);
    let totals = place_deferred(&c, &mut drafts, deferred, &mut warnings);
    check_parts(&drafts, &mut warnings);
    inherit_from_parents(&mut drafts);
    let (mut drafts, totals) = fold_union_totals(drafts, totals);
    for d in &mut drafts {
        fallback_actors(&c, d);
    }
    let (mut drafts, totals) = split_protests(&c, drafts, totals);
    let story_time = story_time(&mentions);
    for d in drafts.iter_mut().filter(|d| d.when.is_none() && d.lethal()) {
        d.when = story_time;
    }
    let events = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| to_event(&c, i, d, published))
        .collect();
    let totals = totals
        .into_iter()
        .map(|(kind, count, covers, consistent, span)| Total {
            kind,
            count,
            covers: covers.into_iter().map(|i| EventId(i as u32 + 1)).collect(),
            consistent,
            evidence: Evidence::of(&doc.text, span),
        })
        .collect();
    EventOutput {
        events,
        totals,
        warnings,
    }
}

/// Acts of a negotiation told without a place ("The rebels demanded...", "Kinshasa's delegation
/// rejected...") happen at the talks: the latest meeting with a venue, told in the same or one
/// of the three paragraphs before, when the act's initiator takes part in it or none is named.
fn venue_of_talks(drafts: &mut [Draft]) {
    for i in 0..drafts.len() {
        let d = &drafts[i];
        if d.family != Family::Diplomacy
            || !d.places.is_empty()
            || !matches!(
                d.kind,
                EventType::Demand
                    | EventType::Rejection
                    | EventType::Proposal
                    | EventType::Agreement
            )
        {
            continue;
        }
        let initiator = d
            .actors
            .iter()
            .find(|a| a.role == Role::Initiator)
            .map(|a| a.name.clone());
        let paragraph = d.paragraph;
        let talks = drafts[..i].iter().rev().find(|t| {
            t.family == Family::Diplomacy
                && t.kind == EventType::Meeting
                && !t.places.is_empty()
                && t.paragraph + 3 >= paragraph
                && initiator
                    .as_ref()
                    .is_none_or(|n| t.actors.iter().any(|a| &a.name == n))
        });
        if let Some(t) = talks {
            let (places, when) = (t.places.clone(), t.when);
            let d = &mut drafts[i];
            d.places = places;
            if d.when.is_none() {
                d.when = when;
            }
        }
    }
}

/// In a meeting everyone takes part; in other diplomatic acts the first actor named acts and the
/// rest are the parties acted upon or with.
fn settle_diplomatic_roles(drafts: &mut [Draft]) {
    for d in drafts.iter_mut().filter(|d| d.family == Family::Diplomacy) {
        let mut seen: Vec<String> = Vec::new();
        let mut actors = Vec::new();
        for (i, a) in d.actors.iter().enumerate() {
            if seen.contains(&a.name) {
                continue;
            }
            seen.push(a.name.clone());
            let mut a = a.clone();
            a.role = if d.kind != EventType::Meeting
                && (i == 0 || a.role == Role::Initiator && actors.is_empty())
            {
                Role::Initiator
            } else {
                Role::Participant
            };
            actors.push(a);
        }
        d.actors = actors;
    }
}

/// The time of the lead: events told later without a time of their own happened then.
fn story_time(mentions: &[MentionDraft]) -> Option<TimeExpr> {
    let first_para = mentions.first()?.paragraph;
    mentions
        .iter()
        .filter(|m| m.paragraph == first_para)
        .find_map(|m| m.when)
}

/// Unnamed actors, coded as ACLED does by the country where the event happened: "police" and
/// "the army" are that state's forces, "gunmen" an unidentified armed group, protesters that
/// country's protesters. The host of a meeting is the state whose city is its venue.
fn fallback_actors(c: &Ctx, d: &mut Draft) {
    let Some(cc) = d.places.first().map(|(p, _)| p.country.to_string()) else {
        return;
    };
    if d.family == Family::Diplomacy {
        if d.kind == EventType::Meeting && !d.actors.iter().any(|a| a.role == Role::Initiator) {
            if let Some(host) = d
                .actors
                .iter_mut()
                .find(|a| a.country.as_deref() == Some(cc.as_str()))
            {
                host.role = Role::Initiator;
            }
        }
        return;
    }
    if d.actors.iter().any(|a| a.role == Role::Initiator) {
        return;
    }
    let state = c
        .lex
        .actors
        .iter()
        .find(|e| e.kind == ActorKind::State && e.country.as_deref() == Some(cc.as_str()));
    let country_name = state.map_or(cc.clone(), |e| e.canonical.clone());
    // Words naming who acted; "killed 12 soldiers" and "a police officer was killed" name
    // victims, so words right after a number and a victim's phrase are left out.
    let words: Vec<&str> = d
        .evidence
        .iter()
        .take(1)
        .flat_map(|s| {
            let (a, b) = (c.doc.token_at(s.start), c.doc.token_at(s.end));
            let mut victim = vec![false; b.saturating_sub(a)];
            for k in a..b {
                if let Some((_, end)) = one_victim(c, k, b) {
                    victim[k - a..end - a].iter_mut().for_each(|v| *v = true);
                }
            }
            (a..b)
                .filter(move |&k| !victim[k - a])
                .filter(|&k| !c.masked(k))
                .filter(|&k| {
                    !(k.saturating_sub(2)..k).any(|j| {
                        c.doc.tokens[j].kind == TokenKind::Number
                            || numbers::word_value(&c.low[j]).is_some_and(|v| v > 1)
                            || c.low[j] == "dozens"
                    })
                })
                .map(|k| c.low[k].as_str())
                .collect::<Vec<_>>()
        })
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let (name, kind) = if d.kind == EventType::ExcessiveForceAgainstProtesters {
        // Force used on protesters: by the security forces (the police unless soldiers are
        // named), on the protesters.
        if !d.actors.iter().any(|a| a.role == Role::Target) {
            d.actors.push(EventActor {
                name: format!("Protesters ({country_name})"),
                kind: ActorKind::Civilians,
                country: Some(cc.clone()),
                role: Role::Target,
                mention: None,
            });
        }
        if has(&["army", "military", "troops", "soldiers"]) {
            (
                format!("Military Forces of {country_name}"),
                ActorKind::Military,
            )
        } else {
            (
                format!("Police Forces of {country_name}"),
                ActorKind::Military,
            )
        }
    } else if matches!(d.family, Family::Protests | Family::Riots) {
        (format!("Protesters ({country_name})"), ActorKind::Civilians)
    } else if has(&["police", "policemen", "officers"]) {
        (
            format!("Police Forces of {country_name}"),
            ActorKind::Military,
        )
    } else if has(&[
        "army",
        "military",
        "troops",
        "soldiers",
        "junta",
        "aircraft",
        "warplanes",
        "government",
    ]) {
        (
            format!("Military Forces of {country_name}"),
            ActorKind::Military,
        )
    } else if has(&[
        "gunmen",
        "gang",
        "gangs",
        "militants",
        "attackers",
        "insurgents",
        "rebels",
        "jihadists",
        "fighters",
    ]) {
        (
            format!("Unidentified Armed Group ({country_name})"),
            ActorKind::ArmedGroup,
        )
    } else {
        return;
    };
    d.actors.push(EventActor {
        name,
        kind,
        country: Some(cc),
        role: Role::Initiator,
        mention: None,
    });
}

/// Demonstrations in several towns ("marched peacefully in Mombasa, Nakuru and Eldoret") are an
/// event in each, as ACLED codes them. A protest with figures stays whole (its figures cannot be
/// shared out), as does one that other events or a total refer to.
fn split_protests(
    c: &Ctx,
    drafts: Vec<Draft>,
    totals: Vec<RawTotal>,
) -> (Vec<Draft>, Vec<RawTotal>) {
    let referred: Vec<bool> = (0..drafts.len())
        .map(|i| {
            drafts.iter().any(|d| d.part_of == Some(i)) || totals.iter().any(|t| t.2.contains(&i))
        })
        .collect();
    let mut at = Vec::with_capacity(drafts.len());
    let mut out = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.into_iter().enumerate() {
        at.push(out.len());
        let split = matches!(d.family, Family::Protests | Family::Riots)
            && d.places.len() > 1
            && one_list(c, &d.places)
            && d.places
                .iter()
                .all(|(p, _)| matches!(p.feature, Feature::Capital | Feature::Settlement))
            && d.casualties.is_empty()
            && d.part_of.is_none()
            && !referred[i];
        if split {
            for place in &d.places {
                out.push(Draft {
                    places: vec![*place],
                    ..d.clone()
                });
            }
        } else {
            out.push(d);
        }
    }
    for d in &mut out {
        d.part_of = d.part_of.map(|p| at[p]);
    }
    let totals = totals
        .into_iter()
        .map(|(kind, count, covers, consistent, span)| {
            (
                kind,
                count,
                covers.into_iter().map(|i| at[i]).collect(),
                consistent,
                span,
            )
        })
        .collect();
    (out, totals)
}

/// Places named in one list after "in" or "at" ("in Mombasa, Nakuru and Eldoret"): between
/// them only commas, "and", "or" and the words of their names. "From Nakuru to Naivasha" and
/// "in Nairobi against killings in Kisumu" are not one.
fn one_list(c: &Ctx, places: &[(Place, usize)]) -> bool {
    let mut toks: Vec<usize> = places.iter().map(|(_, t)| *t).collect();
    toks.sort_unstable();
    let first = toks[0];
    first > 0
        && matches!(c.low[first - 1].as_str(), "in" | "at")
        && toks.windows(2).all(|w| {
            (w[0] + 1..w[1]).all(|j| {
                matches!(c.low[j].as_str(), "," | "and" | "or")
                    || c.doc.tok(j).chars().next().is_some_and(char::is_uppercase)
            })
        })
}

/// An event whose places are just the places of its parts ("31 soldiers in Djibo and Douentza",
/// then 19 and 12) is their total, not one more incident: it becomes a [`Total`].
fn fold_union_totals(drafts: Vec<Draft>, mut totals: Vec<RawTotal>) -> (Vec<Draft>, Vec<RawTotal>) {
    let mut remove = vec![false; drafts.len()];
    for (a, d) in drafts.iter().enumerate() {
        let parts: Vec<usize> = (0..drafts.len())
            .filter(|&b| drafts[b].part_of == Some(a))
            .collect();
        if parts.len() < 2 {
            continue;
        }
        let union_only = d.places.iter().all(|(p, _)| {
            parts
                .iter()
                .any(|&b| drafts[b].places.iter().any(|(q, _)| q.index == p.index))
        });
        if !union_only {
            continue;
        }
        remove[a] = true;
        for kind in [CasualtyKind::Killed, CasualtyKind::Injured] {
            let (Some(count), Some(f)) = (
                figure_of(d, kind),
                d.figures.iter().find(|f| f.kind == kind),
            ) else {
                continue;
            };
            let covered: Vec<usize> = parts
                .iter()
                .copied()
                .filter(|&b| figure_of(&drafts[b], kind).is_some())
                .collect();
            let sum: u64 = covered
                .iter()
                .filter_map(|&b| figure_of(&drafts[b], kind))
                .map(|c| c.value)
                .sum();
            let consistent = sum == count.value || (count.at_least() && sum >= count.value);
            totals.push((kind, count, covered, consistent, f.span));
        }
    }
    // Renumber: drop folded events, re-point part_of and totals.
    let mut map = vec![None; drafts.len()];
    let mut kept = Vec::new();
    for (i, d) in drafts.into_iter().enumerate() {
        if !remove[i] {
            map[i] = Some(kept.len());
            kept.push(d);
        }
    }
    for d in &mut kept {
        d.part_of = d.part_of.and_then(|p| map[p]);
    }
    for t in &mut totals {
        t.2 = t.2.iter().filter_map(|&i| map[i]).collect();
    }
    totals.retain(|t| !t.2.is_empty());
    (kept, totals)
}

/// Set `part_of` where one event's places lie inside another's.
fn link_parts(drafts: &mut [Draft]) {
    for b in 0..drafts.len() {
        if !drafts[b].lethal() || drafts[b].places.is_empty() {
            continue;
        }
        let parent = (0..drafts.len())
            .filter(|&a| a != b && drafts[a].lethal() && !drafts[a].places.is_empty())
            .filter(|&a| {
                let (pa, pb) = (&drafts[a].places, &drafts[b].places);
                // Inside: a district of the city, a city of the region; or a strict subset of the
                // places of a multi-place event.
                let inside = pb
                    .iter()
                    .all(|(q, _)| pa.iter().any(|(p, _)| contains(p, q)));
                let subset = pa.len() > pb.len()
                    && pb
                        .iter()
                        .all(|(q, _)| pa.iter().any(|(p, _)| p.index == q.index));
                inside || subset
            })
            .filter(|&a| {
                drafts[a].paragraph + 2 >= drafts[b].paragraph
                    && drafts[b].paragraph + 2 >= drafts[a].paragraph
            })
            // The most specific container: the one with the smallest places.
            .min_by_key(|&a| drafts[a].places.iter().map(|(p, _)| p.feature as u8).max());
        drafts[b].part_of = parent;
    }
}

type RawTotal = (CasualtyKind, Count, Vec<usize>, bool, Span);

/// Figures with no place of their own: a total over other events, a second figure for a nearby
/// event, or an event of their own.
fn place_deferred(
    c: &Ctx,
    drafts: &mut Vec<Draft>,
    deferred: Vec<MentionDraft>,
    warnings: &mut Vec<Warning>,
) -> Vec<RawTotal> {
    let mut totals = Vec::new();
    for m in deferred {
        let mut leftover = Vec::new();
        for f in &m.figures {
            let roots: Vec<usize> = (0..drafts.len())
                .filter(|&i| drafts[i].part_of.is_none() && drafts[i].lethal())
                .filter(|&i| figure_of(&drafts[i], f.kind).is_some())
                .collect();
            if roots.len() >= 2 {
                let sum: u64 = roots
                    .iter()
                    .filter_map(|&i| figure_of(&drafts[i], f.kind))
                    .map(|x| x.value)
                    .sum();
                let consistent = sum == f.count.value
                    || (f.count.at_least() && sum >= f.count.value)
                    || (f.count.qualifier == Qualifier::AtMost && sum <= f.count.value);
                // A figure that adds up other events is their total; one that does not is more
                // likely a second source's figure for a single event, handled below.
                if consistent {
                    totals.push((f.kind, f.count, roots, true, m.span));
                    continue;
                }
            }
            // The nearest violent event in the same or the previous sentence takes the figure.
            let near = (0..drafts.len())
                .filter(|&i| drafts[i].lethal())
                .filter(|&i| {
                    drafts[i].evidence.iter().any(|s| {
                        c.doc
                            .sentence_at(s.start)
                            .is_some_and(|si| si + 2 >= m.sentence && si <= m.sentence + 1)
                    })
                })
                .min_by_key(|&i| (drafts[i].sentence as i64 - m.sentence as i64).unsigned_abs());
            match near {
                Some(i) => {
                    set_figure(&mut drafts[i], f, warnings, &c.doc.text);
                    absorb(&mut drafts[i], &m);
                }
                None => leftover.push(f.clone()),
            }
        }
        let has_trigger = m.trigger.is_some();
        if !leftover.is_empty() || (m.figures.is_empty() && has_trigger) {
            // Restating an event already drafted nearby adds evidence, not an event.
            if leftover.is_empty() {
                let near = drafts.iter().position(|d| {
                    d.lethal() && d.paragraph + 1 >= m.paragraph && m.paragraph + 1 >= d.paragraph
                });
                if let Some(i) = near {
                    absorb(&mut drafts[i], &m);
                    continue;
                }
                // A passing mention of violence in a report that places its events elsewhere.
                if drafts.iter().any(|d| d.lethal()) {
                    continue;
                }
            }
            let fallback = if m.combatant_victims {
                (Family::Battles, EventType::ArmedClash, false)
            } else {
                (Family::ViolenceAgainstCivilians, EventType::Attack, false)
            };
            let (family, kind, specific) = m
                .trigger
                .as_ref()
                .map(|(t, _)| refine(t, &m.weapons))
                .unwrap_or(fallback);
            let mut d = new_draft(&m, family, kind, specific);
            for f in &leftover {
                set_figure(&mut d, f, warnings, &c.doc.text);
            }
            drafts.push(d);
        }
    }
    totals
}

fn figure_of(d: &Draft, kind: CasualtyKind) -> Option<Count> {
    match kind {
        CasualtyKind::Killed => d.casualties.killed,
        CasualtyKind::Injured => d.casualties.injured,
    }
}

/// Warn when the parts of an event add up to more than the event's own figure.
fn check_parts(drafts: &[Draft], warnings: &mut Vec<Warning>) {
    for (i, d) in drafts.iter().enumerate() {
        for kind in [CasualtyKind::Killed, CasualtyKind::Injured] {
            let Some(total) = figure_of(d, kind) else {
                continue;
            };
            let sum: u64 = drafts
                .iter()
                .filter(|p| p.part_of == Some(i))
                .filter_map(|p| figure_of(p, kind))
                .map(|c| c.value)
                .sum();
            if sum > total.value && total.qualifier != Qualifier::AtLeast {
                warnings.push(Warning {
                    code: WarningCode::InconsistentTotal,
                    message: format!(
                        "the parts of event e{} add up to {sum}, more than its figure of {}",
                        i + 1,
                        total.value
                    ),
                    span: d.evidence.first().copied(),
                });
            }
        }
    }
}

/// A part named only by a generic verb takes its parent's type, weapons and initiator.
fn inherit_from_parents(drafts: &mut [Draft]) {
    for b in 0..drafts.len() {
        let Some(a) = drafts[b].part_of else { continue };
        let parent = drafts[a].clone();
        let d = &mut drafts[b];
        if !d.specific {
            d.family = parent.family;
            d.kind = parent.kind;
        }
        if d.weapons.is_empty() {
            d.weapons = parent.weapons.clone();
        }
        if !d.actors.iter().any(|x| x.role == Role::Initiator) {
            for x in parent.actors.iter().filter(|x| x.role != Role::Participant) {
                let mut x = x.clone();
                x.mention = None;
                d.actors.push(x);
            }
        }
        if d.when.is_none() {
            d.when = parent.when;
        }
    }
}

fn to_event(c: &Ctx, i: usize, d: &Draft, published: Option<Date>) -> Event {
    let gaz = sitrep_gazetteer::Gazetteer::global();
    let text = &c.doc.text;
    let mut actors = d.actors.clone();
    // The state whose territory was struck is the target when another state struck it.
    if d.lethal() && !actors.iter().any(|a| a.role == Role::Target) {
        let init: Vec<Option<String>> = actors
            .iter()
            .filter(|a| a.role == Role::Initiator)
            .map(|a| a.country.clone())
            .collect();
        if let Some((p, _)) = d.places.first() {
            if !init.is_empty()
                && init
                    .iter()
                    .all(|cc| cc.as_deref().is_some_and(|cc| cc != p.country))
            {
                if let Some(e) =
                    c.lex.actors.iter().find(|e| {
                        e.kind == ActorKind::State && e.country.as_deref() == Some(p.country)
                    })
                {
                    actors.push(EventActor {
                        name: e.canonical.clone(),
                        kind: ActorKind::State,
                        country: e.country.clone(),
                        role: Role::Target,
                        mention: None,
                    });
                }
            }
        }
    }
    let locations = d
        .places
        .iter()
        .map(|(p, tok)| {
            let m = c
                .rec
                .mentions
                .iter()
                .find(|m| m.first == *tok)
                .expect("a place comes from a mention");
            let admin1 = if p.admin1.is_empty() {
                None
            } else {
                Some(
                    gaz.admin1(p.admin1)
                        .map_or_else(|| p.admin1.to_string(), |a| a.name.to_string()),
                )
            };
            Location {
                name: p.name.to_string(),
                mention: c.doc.slice(m.span).to_string(),
                span: m.span,
                geonames_id: (p.geonameid != 0).then_some(p.geonameid),
                lat: (p.lat * 1e5).round() / 1e5,
                lon: (p.lon * 1e5).round() / 1e5,
                country: Some(p.country.to_string()),
                admin1,
                feature: p.code.to_string(),
                precision: match p.feature {
                    Feature::District => GeoPrecision::District,
                    Feature::Capital | Feature::Settlement => GeoPrecision::Settlement,
                    Feature::Admin1 => GeoPrecision::Region,
                    Feature::Country => GeoPrecision::Country,
                },
                kind: Some(crate::geocode::place_kind(p)),
            }
        })
        .collect();
    let when = match d.when {
        Some(t) => When {
            start: Some(t.start),
            end: Some(t.end),
            precision: t.precision,
            mention: Some(c.doc.slice(t.span).to_string()),
            span: Some(t.span),
        },
        None => When {
            start: published,
            end: published,
            precision: TimePrecision::Unknown,
            mention: None,
            span: None,
        },
    };
    let kind = EventKind::new(d.family, d.kind).unwrap_or_else(|| EventKind::of(d.kind));
    Event {
        cameo: kind.cameo().map(String::from),
        plover: kind.plover().map(String::from),
        id: EventId(i as u32 + 1),
        family: d.family,
        event_type: d.kind,
        part_of: d.part_of.map(|p| EventId(p as u32 + 1)),
        actors,
        locations,
        when,
        weapons: d.weapons.clone(),
        casualties: d.casualties,
        figures: d
            .figures
            .iter()
            .map(|f| Figure {
                kind: f.kind,
                count: f.count,
                attributed_to: f.sources.clone(),
                evidence: Evidence::of(text, f.span),
            })
            .collect(),
        attributed_to: d.sources.clone(),
        evidence: d.evidence.iter().map(|s| Evidence::of(text, *s)).collect(),
    }
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
            "On 8 June 2022, residents staged a demonstration in the town. [size=no report]"
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
    fn one_fatality_counts_one_killed() {
        let x = crate::extract(crate::Input {
            text: "On 5 May 2022, gunmen attacked a village near Goma. 1 fatality.".into(),
            ..crate::Input::default()
        });
        let killed: Vec<u64> = x
            .events
            .iter()
            .filter_map(|e| e.casualties.killed.map(|c| c.value))
            .collect();
        assert_eq!(killed, [1]);
    }
}
