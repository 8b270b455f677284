//! Casualty figures: numbers and phrases of one victim that count the killed or the injured,
//! and whether the victims are combatants.

use super::*;
use std::collections::HashSet;
use std::sync::OnceLock;

pub(super) const KILLED_WORDS: &[&str] = &[
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
pub(super) const INJURED_WORDS: &[&str] = &[
    "injured",
    "wounded",
    "hurt",
    "injuries",
    "injuring",
    "wounding",
    "casualties",
];
pub(super) const FILLER: &[&str] = &[
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

/// Casualty figures among tokens `[a, b)`, outside quotes.
pub(super) fn figures(
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
        if let Some(end) = word_victims(c, k, b, prior, &mut out) {
            k = end;
            continue;
        }
        let Some(n) = numbers::parse_at(c.doc, k) else {
            k += 1;
            continue;
        };
        if n.end > b || no_headcount(c, &n) {
            k = n.end.max(k + 1);
            continue;
        }
        if let Some(f) = number_figure(c, &n, b, *prior) {
            *prior = Some(f.kind);
            push_or_join(c, &mut out, f);
        }
        k = n.end;
    }
    if !out.is_empty() && coded_separately(c, a, b) {
        out.clear();
    }
    if !out.is_empty() && coded_elsewhere(c, a, b) {
        out.retain(|f| f.kind != CasualtyKind::Killed);
    }
    let also =
        (a..b).any(|j| !c.masked(j) && casualty_words().additive.contains(c.low[j].as_str()));
    for f in &mut out {
        f.side = victim_side(c, f, b);
        f.also = also;
    }
    out
}

/// How many tokens after a number its victims' noun may come ("eight of the attackers").
const SIDE_REACH: usize = 5;

/// The side of the victims figure `f` counts, by their noun (`data/casualties.tsv`): inside "a
/// soldier was killed", or in its noun phrase after the number ("12 soldiers", "eight of the
/// attackers"); `None` for people of no side ("19 people") or a list of two sides ("12 soldiers
/// and 8 militants", already one figure).
pub(super) fn victim_side(c: &Ctx, f: &RawFigure, b: usize) -> Option<&'static str> {
    let (s0, s1) = (c.doc.token_at(f.span.start), c.doc.token_at(f.span.end));
    let words = if f.single {
        s0..s1.min(b)
    } else {
        let end = (s1..(s1 + SIDE_REACH).min(b))
            .find(|&j| PHRASE_ENDS.contains(&c.low[j].as_str()))
            .unwrap_or((s1 + SIDE_REACH).min(b));
        s0..end
    };
    let sides = &casualty_words().sides;
    let mut found = words.filter_map(|j| {
        sides
            .iter()
            .find(|(_, ws)| ws.contains(c.low[j].as_str()))
            .map(|(side, _)| *side)
    });
    let first = found.next()?;
    found.all(|s| s == first).then_some(first)
}

/// Whether the number `n` counts no people: a modifier ("28-point"), a year, a number of
/// times or hours ("shot 20 times", "10 pm"), a name ("battalion 101"), money or an age.
fn no_headcount(c: &Ctx, n: &NumberMention) -> bool {
    let words = casualty_words();
    let prev = if n.first > 0 {
        c.low[n.first - 1].as_str()
    } else {
        ""
    };
    let unit = c
        .low
        .get(n.end)
        .is_some_and(|w| words.units.contains(w.as_str()));
    n.modifier
        || n.year_like
        || unit
        || words.id_nouns.contains(prev)
        || matches!(prev, "$" | "€" | "£" | "aged" | "age")
}

/// A figure told in words at token `k` ("a man was shot dead", "the driver later died",
/// "killing him", "killed a soldier and a civilian"), pushed to `out`: the token after it.
fn word_victims(
    c: &Ctx,
    k: usize,
    b: usize,
    prior: &mut Option<CasualtyKind>,
    out: &mut Vec<RawFigure>,
) -> Option<usize> {
    let figure = |kind, value, end, single| RawFigure {
        kind,
        count: Count::exact(value),
        span: c.tok_span(k, end),
        sources: vec![],
        subset: false,
        revision: false,
        single,
        side: None,
        also: false,
        coded: false,
    };
    // One victim as a subject says something new only as the sentence's first figure.
    let first = prior.is_none() && out.is_empty();
    let (f, end) = if let Some((kind, end)) = one_victim(c, k, b) {
        (figure(kind, 1, end, true), end)
    } else if let Some((kind, v, end)) = subject_victim(c, k, b).filter(|_| first) {
        (figure(kind, v, end, true), end)
    } else if let Some((kind, v, end)) = object_victims(c, k, b) {
        (figure(kind, v, end, false), end)
    } else {
        let kind = a_victim(c, k, b, *prior)?;
        (figure(kind, 1, k + 1, false), k + 1)
    };
    *prior = Some(f.kind);
    if f.single {
        out.push(f);
    } else {
        push_or_join(c, out, f);
    }
    Some(end)
}

/// Add figure `f` to `out`, or join it to the figure before when the two list victims of one
/// kind ("18 ISWAP and 3 Boko Haram fighters were killed", "killed a soldier and a civilian"):
/// between them only the first's victims (nouns of people, names) and "and" or a comma.
fn push_or_join(c: &Ctx, out: &mut Vec<RawFigure>, f: RawFigure) {
    let listed = |l: &&mut RawFigure| l.kind == f.kind && !f.single && !f.subset;
    if let Some(last) = out.last_mut().filter(listed) {
        let (t1, t2) = (c.doc.token_at(last.span.end), c.doc.token_at(f.span.start));
        let joined = t2 > t1
            && t2 <= t1 + 7
            && c.low[t2 - 1] == "and"
            && (t1..t2 - 1).all(|j| {
                let w = c.low[j].as_str();
                !PHRASE_ENDS.contains(&w) && !ends_list(c, j) && word_kind(w).is_none()
            });
        if joined {
            let qualifier = if last.count.at_least() || f.count.at_least() {
                Qualifier::AtLeast
            } else {
                last.count.qualifier
            };
            last.count = Count {
                value: last.count.value + f.count.value,
                qualifier,
            };
            last.span = Span::new(last.span.start as usize, f.span.end as usize);
            last.single = false;
            return;
        }
    }
    out.push(f);
}

/// How a coder's note says its deaths were counted.
enum Convention {
    /// "unknown fatalities coded as 3", "fatalities estimated as 10": the number is the event's.
    Coded,
    /// "20 fatalities split across 6 events": a number shared out among events, not this one's.
    Shared,
    /// "2 fatalities spread across two events": this event's share, as ACLED splits (1).
    Share(u64),
}

/// The coder's counting convention the number `n` belongs to, if any.
fn coder_convention(c: &Ctx, n: &NumberMention, b: usize) -> Option<Convention> {
    let before = |k: usize| n.first >= k && c.low[n.first - k].starts_with("fatalit");
    let prev = if n.first > 0 {
        c.low[n.first - 1].as_str()
    } else {
        ""
    };
    let prev2 = if n.first > 1 {
        c.low[n.first - 2].as_str()
    } else {
        ""
    };
    let coded =
        (matches!(prev, "as" | "to") && matches!(prev2, "coded" | "estimated") && before(3))
            || (prev == "coded" && (before(2) || before(3)));
    if coded {
        return Some(Convention::Coded);
    }
    let words = casualty_words();
    if let Some(v) = share_of(c, n, b) {
        return Some(Convention::Share(v));
    }
    let after = (n.end..(n.end + 5).min(b)).any(|j| words.share_words.contains(c.low[j].as_str()));
    let fatalities = (n.end..(n.end + 2).min(b)).any(|j| c.low[j].starts_with("fatalit"));
    (fatalities && after).then_some(Convention::Shared)
}

/// The figure a coder's convention gives the number `n`: the number itself ("coded as 3"), the
/// event's share ("spread across two events"), or none ("split across 3 events" with no share).
fn convention_figure(n: &NumberMention, conv: Convention) -> Option<RawFigure> {
    let count = match conv {
        Convention::Shared => return None,
        Convention::Share(v) => Count::exact(v),
        Convention::Coded => n.count,
    };
    Some(RawFigure {
        kind: CasualtyKind::Killed,
        count,
        span: n.span,
        sources: vec![],
        subset: false,
        revision: true,
        single: false,
        side: None,
        also: false,
        coded: true,
    })
}

/// "killed a man", "shot dead a soldier", "wounding an aid worker", and "… and a civilian" after
/// such a victim: one person, named by "a" or "an", the object of a verb of killing or wounding.
fn a_victim(c: &Ctx, k: usize, b: usize, prior: Option<CasualtyKind>) -> Option<CasualtyKind> {
    if k == 0 || !matches!(c.low[k].as_str(), "a" | "an") {
        return None;
    }
    let end = victim_phrase_end(c, k + 1, b)?;
    let prev = c.low[k - 1].as_str();
    if let Some(kind) = verb_kind(c, k - 1) {
        return Some(kind);
    }
    (matches!(prev, "and" | ",") && !ends_list(c, end))
        .then_some(())
        .and(prior)
}

/// The kind of casualty the verb at token `v` inflicts on the victims after it: "killed",
/// "murdering", "shot dead"; "wounding". A gerund that names what someone is accused or
/// arrested of ("accused of killing a man", "arrested for killing") reports no casualty here.
fn verb_kind(c: &Ctx, v: usize) -> Option<CasualtyKind> {
    let w = c.low[v].as_str();
    let prev = if v > 0 { c.low[v - 1].as_str() } else { "" };
    if matches!(prev, "of" | "for") && w.ends_with("ing") {
        return None;
    }
    let words = casualty_words();
    if words.kill_verbs.contains(w) || (w == "dead" && prev == "shot") || fatal_harm(c, v) {
        Some(CasualtyKind::Killed)
    } else if words.injure_verbs.contains(w) {
        Some(CasualtyKind::Injured)
    } else {
        None
    }
}

/// Whether the participle of hurting at token `v` kills: after a fatal adverb ("fatally
/// stabbed a man", "mortally wounded"), or with "to death" after its short object ("stabbed a
/// woman to death", "beat two men to death"); not "sentenced to death".
fn fatal_harm(c: &Ctx, v: usize) -> bool {
    let words = casualty_words();
    if !words.harm_participles.contains(c.low[v].as_str()) {
        return false;
    }
    let fatal_before = v > 0 && words.fatal_adverbs.contains(c.low[v - 1].as_str());
    let at = |j: usize| c.low.get(j).map_or("", String::as_str);
    let to_death = (v + 1..v + 7)
        .take_while(|&j| !matches!(at(j), "," | "." | ";" | "" | "and" | "after" | "before"))
        .any(|j| at(j) == "to" && at(j + 1) == "death");
    fatal_before || to_death
}

/// Whether the clause `[a, b)` or the few words after it say its event is coded separately
/// ("… killed a civilian (coded separately)"): ACLED's note that the deaths are another record's.
fn coded_separately(c: &Ctx, a: usize, b: usize) -> bool {
    (a + 1..(b + 8).min(c.low.len())).any(|j| c.low[j] == "separately" && c.low[j - 1] == "coded")
}

/// Words before "the killing of" that make the killing the topic of a protest or a demand.
const TOPIC_WORDS: &[&str] = &[
    "against",
    "for",
    "over",
    "condemn",
    "condemning",
    "denounce",
    "denouncing",
    "protest",
    "protesting",
    "justice",
];

/// Whether token `j` starts a clause of its own after a list of victims: an auxiliary ("… and
/// two others were arrested") or a speech verb ("… and a health worker said").
fn ends_list(c: &Ctx, j: usize) -> bool {
    let w = c.low.get(j).map_or("", String::as_str);
    matches!(w, "was" | "were" | "is" | "are" | "has" | "have" | "had")
        || c.lex.speech_verbs.contains(w)
}

/// Whether token `j` is a number, in digits or in words.
fn is_number(c: &Ctx, j: usize) -> bool {
    c.doc
        .tokens
        .get(j)
        .is_some_and(|t| t.kind == TokenKind::Number || numbers::word_value(&c.low[j]).is_some())
}

/// The figure a number counts, if it counts the killed or the injured: by the words around it
/// ([`casualty_kind`]), as a part of the dead or wounded ("two of the wounded"), or as a further
/// count of the kind just given (`prior`).
fn number_figure(
    c: &Ctx,
    n: &NumberMention,
    b: usize,
    prior: Option<CasualtyKind>,
) -> Option<RawFigure> {
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
    if let Some(conv) = coder_convention(c, n, b) {
        return convention_figure(n, conv);
    }
    let kind = casualty_kind(c, n, b)
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
                .and(prior)
        })
        .or_else(|| {
            // "killed a soldier and one policeman": a further member of a list of victims.
            let listed = n.first > 0
                && matches!(c.low[n.first - 1].as_str(), "and" | ",")
                && (victim_phrase_end(c, n.end, b).is_some_and(|e| !ends_list(c, e))
                    || (c.low[n.first - 1] == "and"
                        && plain_phrase(c, n.end, b)
                        && (n.first.saturating_sub(10)..n.first)
                            .any(|j| verb_kind(c, j).is_some())));
            listed.then_some(()).and(prior)
        })?;
    let revision = (n.first.saturating_sub(5)..n.first).any(|j| {
        matches!(
            c.low[j].as_str(),
            "rose" | "risen" | "climbed" | "increased" | "jumped" | "reached" | "now"
        )
    });
    Some(RawFigure {
        kind,
        count: n.count,
        span: n.span,
        sources: vec![],
        subset: including || part_of_the,
        revision,
        single: false,
        side: None,
        also: false,
        coded: false,
    })
}

/// "a man was shot dead", "a 23-year-old motorcycle taxi driver was killed", "an aid worker was
/// wounded": one person, named by "a" or "an" and a noun of people, killed or hurt. The kind,
/// and the token after the phrase.
pub(super) fn one_victim(c: &Ctx, k: usize, b: usize) -> Option<(CasualtyKind, usize)> {
    if !matches!(c.low[k].as_str(), "a" | "an") {
        return None;
    }
    // A noun of people closes a short phrase of modifiers ("23-year-old motorcycle taxi driver",
    // "police officer") right before "was" or "died".
    let verb = (k + 2..(k + 8).min(b)).find(|&j| matches!(c.low[j].as_str(), "was" | "died"))?;
    let noun = verb - 1;
    if !is_victim(c, &c.low[noun])
        || (k + 1..noun).any(|j| matches!(c.low[j].as_str(), "of" | "and" | "," | "or" | "who"))
    {
        return None;
    }
    let at = |j: usize| c.low.get(j).filter(|_| j < b).map_or("", String::as_str);
    let (kind, end) = if at(verb) == "died" {
        (CasualtyKind::Killed, verb + 1)
    } else {
        after_was(&at, verb + 1)?
    };
    (!(k..end).any(|j| c.masked(j))).then_some((kind, end))
}

/// What the words from token `v` on, right after "was", say befell one person: "killed", "shot
/// dead", "burnt to death", "shot and killed", "wounded". The kind, and the token after.
fn after_was<'a>(at: &dyn Fn(usize) -> &'a str, v: usize) -> Option<(CasualtyKind, usize)> {
    let verb = at(v);
    if KILLED_WORDS.contains(&verb) {
        return Some((CasualtyKind::Killed, v + 1));
    }
    let words = casualty_words();
    if words.fatal_adverbs.contains(verb) && words.harm_participles.contains(at(v + 1)) {
        return Some((CasualtyKind::Killed, v + 2));
    }
    if matches!(
        verb,
        "shot" | "stabbed" | "beaten" | "hacked" | "burned" | "burnt"
    ) {
        return match (at(v + 1), at(v + 2)) {
            ("dead", _) => Some((CasualtyKind::Killed, v + 2)),
            ("to", "death") | ("and", "killed") => Some((CasualtyKind::Killed, v + 3)),
            _ => None,
        };
    }
    (INJURED_WORDS.contains(&verb) && verb != "casualties")
        .then_some((CasualtyKind::Injured, v + 1))
}

/// What the words from token `v` on, right after an auxiliary ("was", "were"), say befell its
/// subject: "killed", "later killed", "shot dead", "found dead", "beaten to death", "shot and
/// killed", "set on fire and killed", "wounded". The kind, and the token after.
fn after_aux(c: &Ctx, v: usize, b: usize) -> Option<(CasualtyKind, usize)> {
    let words = casualty_words();
    let at = |j: usize| if j < b { c.low[j].as_str() } else { "" };
    let mut v = v;
    let mut fatal = false;
    while words.adverbs.contains(at(v)) {
        fatal |= words.fatal_adverbs.contains(at(v));
        v += 1;
    }
    let verb = at(v);
    // "was fatally stabbed", "was mortally wounded": the wound killed.
    let fatal = fatal && words.harm_participles.contains(verb);
    if KILLED_WORDS.contains(&verb) || words.die_verbs.contains(verb) || fatal {
        return Some((CasualtyKind::Killed, v + 1));
    }
    if let Some(k) = word_kind(verb) {
        return Some((k, v + 1));
    }
    if verb.is_empty() || words.subject_stops.contains(verb) {
        return None;
    }
    match (at(v + 1), at(v + 2)) {
        ("dead", _) => return Some((CasualtyKind::Killed, v + 2)),
        ("to", "death" | "dead") => return Some((CasualtyKind::Killed, v + 3)),
        _ => {}
    }
    // "shot and killed", "set on fire and killed", "abducted and later killed".
    let and = (v + 1..(v + 5).min(b))
        .take_while(|&j| !words.subject_stops.contains(at(j)))
        .find(|&j| at(j) == "and")?;
    let mut k = and + 1;
    while words.adverbs.contains(at(k)) {
        k += 1;
    }
    word_kind(at(k)).map(|kind| (kind, k + 1))
}

/// Whether the casualty word ending at token `end` is one of a mixed outcome ("killed or
/// injured", "killed, injured or captured"): the figure does not count the dead alone.
fn mixed_outcome(c: &Ctx, end: usize) -> bool {
    let at = |j: usize| c.low.get(j).map_or("", String::as_str);
    let mixed = |w: &str| casualty_words().mixed_outcomes.contains(w);
    matches!(at(end), "or" | ",") && mixed(at(end + 1))
        || (at(end) == "and" && at(end + 1) == "/" && at(end + 2) == "or")
}

/// Whether token `j` can stand inside the noun phrase of victims between a number and its verb
/// ("3 members of an unidentified armed group were killed"): not a word that ends the phrase,
/// a trigger, a speech verb, a number, nor a verb form outside `np_participle`.
fn in_subject(c: &Ctx, j: usize) -> bool {
    let words = casualty_words();
    let w = c.low[j].as_str();
    // "shelled", "attacking"; not "red", "king".
    let verb_form = ((w.ends_with("ed") && w.len() > 4) || (w.ends_with("ing") && w.len() > 5))
        && !words.np_participles.contains(w);
    !(words.subject_stops.contains(w)
        || verb_form
        || word_kind(w).is_some()
        || words.die_verbs.contains(w)
        || words.be_aux.contains(w)
        || c.lex.speech_verbs.contains(w)
        || c.lex.triggers.contains_key(&c.low[j..j + 1])
        || (is_number(c, j)
            && !matches!(w, "a" | "an" | "one")
            && !(j > 0 && words.id_nouns.contains(c.low[j - 1].as_str()))))
}

/// A verb's object that counts its victims without a number: "killing him" (1), "killing both"
/// (2), "injuring one and killing another" (1), "killed the village chief" (1). The count and
/// the token after.
fn object_victims(c: &Ctx, k: usize, b: usize) -> Option<(CasualtyKind, u64, usize)> {
    let words = casualty_words();
    let kind = verb_kind(c, k.checked_sub(1)?)?;
    let w = c.low[k].as_str();
    let at = |j: usize| if j < b { c.low[j].as_str() } else { "." };
    let ends = |j: usize| PHRASE_ENDS.contains(&at(j)) || matches!(at(j), "(" | ";" | "as");
    if words.object_one.contains(w) && ends(k + 1) {
        return Some((kind, 1, k + 1));
    }
    if w == "both" && (ends(k + 1) || at(k + 1) == "of") {
        return Some((kind, 2, k + 1));
    }
    if w == "another" && ends(k + 1) {
        return Some((kind, 1, k + 1));
    }
    let article = matches!(w, "a" | "an");
    if !(article || words.definite.contains(w)) || w == "their" {
        return None;
    }
    // "the traditional ruler of X", "her husband", "a Maasai herder": a singular phrase
    // up to its end.
    let end = (k + 1..(k + 7).min(b)).find(|&j| ends(j))?;
    let head = at(end - 1);
    let plural = head.ends_with('s') && !head.ends_with("ss");
    let plain = (k + 1..end).all(|j| !is_number(c, j) && !c.lex.speech_verbs.contains(&c.low[j]));
    (end > k + 1 && !plural && plain).then_some((kind, 1, end))
}

/// Victims named one by one as the subject of a verb of dying, told without a number: "the
/// driver was killed", "the victim later died", "he was shot dead", "a drug trafficker was shot
/// and killed", "a man and a woman were killed" (2), "his body was found". The kind, the count
/// and the token after.
fn subject_victim(c: &Ctx, k: usize, b: usize) -> Option<(CasualtyKind, u64, usize)> {
    let words = casualty_words();
    let w = c.low[k].as_str();
    let pronoun = words.subject_one.contains(w);
    let opener = |w: &str| matches!(w, "a" | "an") || (words.definite.contains(w) && w != "their");
    if !(pronoun || opener(w))
        || (k > 0 && !matches!(c.low[k - 1].as_str(), "," | "and" | "." | "(" | ";"))
    {
        return None;
    }
    let mut j = k + 1;
    while j < b && j < k + 10 && !pronoun && in_subject(c, j) {
        j += 1;
    }
    let head = c.low[j - 1].as_str();
    let plural = j > k + 1 && head.ends_with('s') && !head.ends_with("ss");
    if plural || (j == k + 1 && !pronoun) || j >= b {
        return None;
    }
    // "a farmer and his son": one victim for each phrase the list opens.
    let count = 1
        + (k + 1..j.saturating_sub(1))
            .filter(|&i| c.low[i] == "and" && opener(&c.low[i + 1]))
            .count() as u64;
    let mut v = j;
    while v < b && words.adverbs.contains(c.low[v].as_str()) && !words.be_aux.contains(&*c.low[v]) {
        v += 1;
    }
    let verb = c.low.get(v).filter(|_| v < b).map_or("", String::as_str);
    if words.die_verbs.contains(verb) {
        return Some((CasualtyKind::Killed, count, v + 1));
    }
    if !words.be_aux.contains(verb) {
        return None;
    }
    let found = c
        .low
        .get(v + 1)
        .is_some_and(|f| words.found_verbs.contains(f.as_str()));
    if words.body_one.contains(head) && found {
        return Some((CasualtyKind::Killed, count, v + 2));
    }
    let (kind, end) = after_aux(c, v + 1, b).filter(|(_, end)| !mixed_outcome(c, *end))?;
    Some((kind, count, end))
}

/// Whether the words from `start` are a short noun phrase that ends a list of victims ("… and
/// 40 of his soldiers in Lyman", "… and 3 of his escorts."): a few words of a subject up to the
/// end of a phrase, with no verb among them.
fn plain_phrase(c: &Ctx, start: usize, b: usize) -> bool {
    let end = (start..(start + 6).min(b))
        .find(|&j| PHRASE_ENDS.contains(&c.low[j].as_str()) && c.low[j] != "and")
        .unwrap_or(b.min(start + 6));
    // "… and 2 of his lieutenants during an operation", not "… and one hostage with wounds
    // was rescued": no verb of its own follows.
    let aux = |j: usize| casualty_words().be_aux.contains(c.low[j].as_str()) || ends_list(c, j);
    let closes = end == b || !(end..(end + 4).min(b)).any(aux);
    end > start && closes && (start..end).all(|j| in_subject(c, j))
}

/// Whether a coder's note near the clause `[a, b)` gives its deaths to another record
/// ("(fatalities coded to the Horlivka event)"), not a number ("fatalities coded to 0").
fn coded_elsewhere(c: &Ctx, a: usize, b: usize) -> bool {
    let words = casualty_words();
    let end = (b + 10).min(c.low.len());
    (a..end.saturating_sub(3)).any(|j| {
        c.low[j].starts_with("fatalit")
            && c.low[j + 1] == "coded"
            && words.coded_elsewhere.contains(c.low[j + 2].as_str())
            && !is_number(c, j + 3)
    })
}

/// The share of a figure split evenly among events ("2 fatalities spread across two events":
/// 1), as ACLED splits: the total over the events, rounded up. `None` when the note says no
/// number of events, or codes this event's share itself ("… coded as 6").
fn share_of(c: &Ctx, n: &NumberMention, b: usize) -> Option<u64> {
    let words = casualty_words();
    let end = (n.end + 10).min(b);
    let share = (n.end..end).find(|&j| words.share_words.contains(c.low[j].as_str()))?;
    if (share..b).any(|j| c.low[j] == "coded") {
        return None;
    }
    let k = (share + 1..end.min(share + 5)).find(|&j| is_number(c, j))?;
    let m = numbers::parse_at(c.doc, k)?;
    let unit = c
        .low
        .get(m.end)
        .is_some_and(|u| words.share_units.contains(u.as_str()));
    (unit && m.count.value > 0).then(|| n.count.value.div_ceil(m.count.value))
}

/// The word classes of `data/casualties.tsv`.
struct CasualtyWords {
    kill_verbs: HashSet<&'static str>,
    injure_verbs: HashSet<&'static str>,
    victims: HashSet<&'static str>,
    die_verbs: HashSet<&'static str>,
    be_aux: HashSet<&'static str>,
    adverbs: HashSet<&'static str>,
    object_one: HashSet<&'static str>,
    subject_one: HashSet<&'static str>,
    definite: HashSet<&'static str>,
    subject_stops: HashSet<&'static str>,
    mixed_outcomes: HashSet<&'static str>,
    death_sentences: HashSet<&'static str>,
    body_nouns: HashSet<&'static str>,
    share_words: HashSet<&'static str>,
    share_units: HashSet<&'static str>,
    coded_elsewhere: HashSet<&'static str>,
    np_participles: HashSet<&'static str>,
    body_one: HashSet<&'static str>,
    found_verbs: HashSet<&'static str>,
    units: HashSet<&'static str>,
    id_nouns: HashSet<&'static str>,
    harm_participles: HashSet<&'static str>,
    fatal_adverbs: HashSet<&'static str>,
    /// The victims' nouns of each side, by the side's name.
    sides: Vec<(&'static str, HashSet<&'static str>)>,
    additive: HashSet<&'static str>,
}

fn casualty_words() -> &'static CasualtyWords {
    static W: OnceLock<CasualtyWords> = OnceLock::new();
    W.get_or_init(|| {
        let data = include_str!("../../data/casualties.tsv");
        let class = |name: &str| {
            data.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .filter(|(k, _)| *k == name)
                .map(|(_, w)| w.trim())
                .collect()
        };
        CasualtyWords {
            kill_verbs: class("kill_verb"),
            injure_verbs: class("injure_verb"),
            victims: class("victim"),
            die_verbs: class("die_verb"),
            be_aux: class("be_aux"),
            adverbs: class("adverb"),
            object_one: class("object_one"),
            subject_one: class("subject_one"),
            definite: class("definite"),
            subject_stops: class("subject_stop"),
            mixed_outcomes: class("mixed_outcome"),
            death_sentences: class("death_sentence"),
            body_nouns: class("body_noun"),
            share_words: class("share_word"),
            share_units: class("share_unit"),
            coded_elsewhere: class("coded_elsewhere"),
            np_participles: class("np_participle"),
            body_one: class("body_one"),
            found_verbs: class("found_verb"),
            units: class("unit"),
            id_nouns: class("id_noun"),
            harm_participles: class("harm_participle"),
            fatal_adverbs: class("fatal_adverb"),
            sides: ["state", "armed", "civilian"]
                .into_iter()
                .map(|side| (side, class(&format!("side_{side}"))))
                .collect(),
            additive: class("additive"),
        }
    })
}

/// Whether `w` (lower case) tells that people were killed, wounded or harmed ("killed", "died",
/// "wounded", "shot").
pub(super) fn is_casualty_verb(w: &str) -> bool {
    let cw = casualty_words();
    cw.kill_verbs.contains(w)
        || cw.injure_verbs.contains(w)
        || cw.die_verbs.contains(w)
        || cw.harm_participles.contains(w)
}

/// A noun of people a figure may count: a person noun, a combatant or another victim noun.
fn is_victim(c: &Ctx, w: &str) -> bool {
    c.lex.person_nouns.contains(w)
        || COMBATANTS.contains(&w)
        || casualty_words().victims.contains(w)
}

/// Words that end the noun phrase of a figure's victims.
const PHRASE_ENDS: &[&str] = &[
    ",", ".", "in", "at", "near", "on", "and", "by", "with", "while", "after", "during", "who",
    "when", "from",
];

/// The token after the victims' noun of the phrase starting at `start` ("one civilian",
/// "a Taliban member", "one Houthi explosives expert"), if a victim noun comes within five tokens
/// before the phrase ends.
fn victim_phrase_end(c: &Ctx, start: usize, b: usize) -> Option<usize> {
    (start..(start + 5).min(b))
        .take_while(|&j| !PHRASE_ENDS.contains(&c.low[j].as_str()))
        .find(|&j| is_victim(c, &c.low[j]))
        .map(|j| j + 1)
}

/// Whether the figure counts soldiers or fighters, by the victims' own noun: inside "a soldier
/// was killed", or in the words right after a number up to the first that leaves the noun phrase
/// ("12 gang members", not "20 people in a gang attack" or "one dead when gunmen attacked").
pub(super) fn combatant_victims(c: &Ctx, f: &RawFigure, b: usize) -> bool {
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

/// The kind a casualty word names: "killed", "dead", "deaths" or "wounded", "hurt" ("casualties"
/// alone says neither).
fn word_kind(w: &str) -> Option<CasualtyKind> {
    if KILLED_WORDS.contains(&w) {
        Some(CasualtyKind::Killed)
    } else if INJURED_WORDS.contains(&w) && w != "casualties" {
        Some(CasualtyKind::Injured)
    } else {
        None
    }
}

/// What the number `n` counts, by the words before it ([`kind_before`]) or after it
/// ([`kind_after`]).
pub(super) fn casualty_kind(c: &Ctx, n: &NumberMention, b: usize) -> Option<CasualtyKind> {
    let bare_one = matches!(c.low[n.end - 1].as_str(), "a" | "an" | "one") && n.first + 1 == n.end;
    // "killed a police officer", "killing one civilian": a bare "a" or "one" counts after a
    // verb only when a noun of people follows.
    // "killing one (…)", "killing one.": a bare number that ends its phrase counts too.
    let alone = c.low.get(n.end).is_none_or(|w| {
        n.end >= b || PHRASE_ENDS.contains(&w.as_str()) || matches!(w.as_str(), "(" | ";")
    });
    if n.first > 0 && (!bare_one || alone || victim_phrase_end(c, n.end, b).is_some()) {
        if let Some(kind) = kind_before(c, n, b) {
            return Some(kind);
        }
    }
    kind_after(c, n, b, bare_one)
}

/// Backward: "killing at least nine", "the strike killed 12", "wounding 16", "death toll rose
/// to 12".
fn kind_before(c: &Ctx, n: &NumberMention, b: usize) -> Option<CasualtyKind> {
    let prev = c.low[n.first - 1].as_str();
    let prev2 = if n.first > 1 {
        c.low[n.first - 2].as_str()
    } else {
        ""
    };
    // "leading to the death of 4 soldiers", "resulting in the killing of 3 people"; not the
    // killing a protest or a demand is about ("against the killing of nine people").
    let death_of = prev == "of"
        && matches!(prev2, "death" | "deaths" | "killing" | "killings")
        && !(n.first.saturating_sub(6)..n.first).any(|j| TOPIC_WORDS.contains(&c.low[j].as_str()));
    let words = casualty_words();
    // "beat to death two thieves"; not "sentenced to death 3 men".
    let prev3 = c
        .low
        .get(n.first.wrapping_sub(3))
        .map_or("", String::as_str);
    let to_death = prev == "death" && prev2 == "to" && !words.death_sentences.contains(prev3);
    // "the bodies of 3 men were found".
    let bodies_of = prev == "of" && words.body_nouns.contains(prev2);
    if death_of || to_death || bodies_of {
        return Some(CasualtyKind::Killed);
    }
    if let Some(kind) = verb_kind(c, n.first - 1) {
        return Some(kind);
    }
    match prev {
        "lost" | "losing"
            if (n.end..(n.end + 2).min(b)).any(|j| {
                COMBATANTS.contains(&c.low[j].as_str()) || c.lex.person_nouns.contains(&c.low[j])
            }) =>
        {
            return Some(CasualtyKind::Killed)
        }
        _ => {}
    }
    let back = n.first.saturating_sub(5)..n.first;
    // "The death toll from Tuesday's bombing … has risen to 12": the toll may be far back.
    let revised = (n.first.saturating_sub(3)..n.first).any(|j| {
        matches!(
            c.low[j].as_str(),
            "risen" | "rose" | "climbed" | "reached" | "stands" | "stood" | "jumped" | "increased"
        )
    });
    if revised && (n.first.saturating_sub(30)..n.first).any(|j| c.low[j] == "toll") {
        let injured = (n.first.saturating_sub(30)..n.first).any(|j| c.low[j].starts_with("injur"));
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
    None
}

/// Forward: "six people dead", "two others were killed", "four deaths", "16 injured", "3 members
/// of an armed group were shot dead". A bare "one" or "a" counts before a casualty word only with
/// a noun of people ("one person dead"); before "was killed" with any noun.
fn kind_after(c: &Ctx, n: &NumberMention, b: usize, bare_one: bool) -> Option<CasualtyKind> {
    let words = casualty_words();
    let mut j = n.end;
    let mut saw_person = false;
    let mut loose = false;
    let mut limit = n.end + 7;
    while j < b && j < limit {
        let w = c.low[j].as_str();
        if j > n.end && words.be_aux.contains(w) {
            if let Some((k, end)) = after_aux(c, j + 1, b) {
                return (!mixed_outcome(c, end)).then_some(k);
            }
        }
        let dying = words.die_verbs.contains(w) || words.body_nouns.contains(w);
        if let Some(k) = word_kind(w).or(dying.then_some(CasualtyKind::Killed)) {
            // "destroyed 80 units of equipment and killed 485 soldiers": "and" opens a verb
            // of its own, whose subject the number is not.
            let own_verb = j > n.end && c.low[j - 1] == "and";
            if (bare_one && !saw_person) || own_verb || mixed_outcome(c, j + 1) {
                return None;
            }
            return Some(k);
        }
        if is_victim(c, w) {
            saw_person = true;
            j += 1;
            continue;
        }
        // "Four people including two delegates were killed": the part's number is no stop.
        if j > n.end && c.low[j - 1] == "including" && is_number(c, j) {
            j += 1;
            continue;
        }
        // "3 Taliban members", "18 ISWAP and 3 Boko Haram fighters": actors qualify the victims.
        if let Some(m) = c
            .rec
            .starting_at(j)
            .filter(|m| matches!(m.referent, Referent::Actor { .. }))
        {
            j = m.end.max(j + 1);
            continue;
        }
        if (FILLER.contains(&w) || w == ",") && !(loose && w == ",") {
            // "and" before a second number lists victims ("5 soldiers and 3 civilians were
            // killed"): the words after that number tell the kind of both.
            if w == "and" && is_number(c, j + 1) {
                if limit > n.end + 17 {
                    return None;
                }
                limit += 5;
                j += 2;
                continue;
            }
            j += 1;
            continue;
        }
        // Any other word of a noun phrase: "1 Sunni shopkeeper", "3 members of an armed group".
        if in_subject(c, j) {
            loose = true;
            limit = limit.max(n.end + 10);
            j += 1;
            continue;
        }
        return None;
    }
    None
}

pub(super) const COMBATANTS: &[&str] = &[
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn kinds(text: &str) -> Vec<(CasualtyKind, u64)> {
        super::super::testing::with_ctx(text, |c| {
            let n = c.doc.tokens.len();
            figures(c, 0, n, &[], &mut None)
                .iter()
                .map(|f| (f.kind, f.count.value))
                .collect()
        })
    }

    #[test]
    fn numbers_before_and_after_casualty_words_are_figures() {
        use CasualtyKind::*;
        assert_eq!(
            kinds("The strike killed 12 and wounded 30."),
            [(Killed, 12), (Injured, 30)]
        );
        assert_eq!(kinds("Six people were killed."), [(Killed, 6)]);
        assert_eq!(kinds("A police officer was shot dead."), [(Killed, 1)]);
        assert_eq!(kinds("Two of the wounded died."), [(Injured, 2)]);
        assert!(kinds("He paid $5 for 3 loaves.").is_empty());
    }

    #[test]
    fn victims_told_in_words_are_counted() {
        use CasualtyKind::*;
        let k = |t: &str| kinds(t);
        assert_eq!(
            k("Troops shelled the town, killing one civilian and wounding four others."),
            [(Killed, 1), (Injured, 4)]
        );
        assert_eq!(k("Gunmen shot and killed a villager."), [(Killed, 1)]);
        assert_eq!(k("A villager died."), [(Killed, 1)]);
        assert_eq!(
            k("Militants killed a soldier and a policeman."),
            [(Killed, 2)]
        );
        assert_eq!(
            k("Five soldiers and three civilians were killed."),
            [(Killed, 8)]
        );
        assert_eq!(
            k("Four people including two children were killed."),
            [(Killed, 4), (Killed, 2)]
        );
        assert_eq!(k("It led to the death of 4 soldiers."), [(Killed, 4)]);
    }

    #[test]
    fn lists_with_places_or_other_verbs_are_not_joined() {
        use CasualtyKind::*;
        assert_eq!(
            kinds("The attack killed 3 people and 2 others were arrested."),
            [(Killed, 3)]
        );
        assert_eq!(
            kinds("Rebels killed 8 civilians in Mbakira and 7 civilians in Kasindi."),
            [(Killed, 8), (Killed, 7)]
        );
        assert_eq!(
            kinds("The strike killed 11 people, five of them children."),
            [(Killed, 11), (Killed, 5)]
        );
    }

    #[test]
    fn a_coders_counting_conventions_are_read_as_such() {
        use CasualtyKind::*;
        assert_eq!(kinds("Unknown fatalities coded as 3."), [(Killed, 3)]);
        // ACLED shares a figure evenly among its events, rounding up (20 over 6: 4).
        assert_eq!(kinds("20 fatalities split across 6 events."), [(Killed, 4)]);
        assert!(kinds("20 fatalities split over the days.").is_empty());
        assert!(kinds("Gunmen killed a man (coded separately).").is_empty());
        assert!(kinds("He was arrested for killing a driver.").is_empty());
        assert!(kinds("They marched against the killing of nine people.").is_empty());
    }

    #[test]
    fn long_subjects_and_participle_phrases_are_read() {
        use CasualtyKind::*;
        let k = |t: &str| kinds(t);
        assert_eq!(
            k("3 members of an unidentified armed group were killed."),
            [(Killed, 3)]
        );
        assert_eq!(k("1 Sunni shopkeeper was killed by IS."), [(Killed, 1)]);
        assert_eq!(
            k("1 militia field commander was shot and killed."),
            [(Killed, 1)]
        );
        assert_eq!(
            k("Five farmers were set on fire and killed."),
            [(Killed, 5)]
        );
        assert_eq!(k("Three military forces died."), [(Killed, 3)]);
        assert_eq!(k("Two members of the Red Scorpions died."), [(Killed, 2)]);
        assert_eq!(k("Four bodies were found in a forest."), [(Killed, 4)]);
        assert!(k("Five shells landed near the base.").is_empty());
        assert_eq!(
            k("Troops destroyed 80 units of equipment and killed 485 soldiers."),
            [(Killed, 485)]
        );
        assert!(k("4 militants were killed or injured in airstrikes.").is_empty());
    }

    #[test]
    fn victims_without_numbers_are_counted() {
        use CasualtyKind::*;
        let k = |t: &str| kinds(t);
        assert_eq!(k("Gunmen attacked the imam, killing him."), [(Killed, 1)]);
        assert_eq!(
            k("They ran over two cyclists, killing both."),
            [(Killed, 2)]
        );
        assert_eq!(
            k("The IED exploded, injuring 1 engineer and killing another."),
            [(Injured, 1), (Killed, 1)]
        );
        assert_eq!(k("Gunmen killed the village administrator."), [(Killed, 1)]);
        assert_eq!(k("Gunmen shot and killed a Maasai herder."), [(Killed, 1)]);
        assert_eq!(k("Raiders attacked traders, killing one."), [(Killed, 1)]);
        assert_eq!(k("Rioters beat to death two thieves."), [(Killed, 2)]);
        assert!(k("Gunmen killed their children.").is_empty());
        assert_eq!(
            k("A bomb exploded, killing him and 3 of his escorts."),
            [(Killed, 4)]
        );
        assert_eq!(
            k("Four bandits were killed, one hostage with wounds was freed."),
            [(Killed, 4)]
        );
    }

    #[test]
    fn deaths_in_the_wording_of_crime_news_are_counted() {
        use CasualtyKind::*;
        let k = |t: &str| kinds(t);
        assert_eq!(
            k("A pensioner was fatally stabbed near the station."),
            [(Killed, 1)]
        );
        assert_eq!(k("The driver was mortally wounded."), [(Killed, 1)]);
        assert_eq!(k("A man stabbed a neighbour to death."), [(Killed, 1)]);
        assert_eq!(k("The gang beat two shopkeepers to death."), [(Killed, 2)]);
        assert_eq!(k("A gunman fatally shot a guard."), [(Killed, 1)]);
        // Wounds that did not kill stay injuries; a sentence is no killing.
        assert_eq!(k("The driver was wounded."), [(Injured, 1)]);
        assert!(k("A man stabbed a neighbour in the arm.").is_empty());
        assert!(k("The court sentenced two men to death.").is_empty());
    }

    #[test]
    fn one_known_victim_as_subject_is_counted_once() {
        use CasualtyKind::*;
        let k = |t: &str| kinds(t);
        assert_eq!(k("The man later died at the hospital."), [(Killed, 1)]);
        assert_eq!(k("He was killed in the attack."), [(Killed, 1)]);
        assert_eq!(k("The pilot died."), [(Killed, 1)]);
        assert_eq!(k("A person succumbed to her injuries."), [(Killed, 1)]);
        assert_eq!(k("His body was found on a road."), [(Killed, 1)]);
        assert_eq!(k("A man and a woman were shot and killed."), [(Killed, 2)]);
        assert_eq!(k("A farmer and his son were killed."), [(Killed, 2)]);
        assert!(k("The building was destroyed.").is_empty());
        assert!(k("The soldiers were killed.").is_empty());
    }

    #[test]
    fn numbers_of_times_units_and_names_are_no_victims() {
        assert!(kinds("A man was shot 20 times and killed.").len() == 1);
        assert!(kinds("A man was shot 20 times and killed.")[0].1 == 1);
        assert!(kinds("A captain of battalion 101 was killed.")[0].1 == 1);
        assert!(kinds("He was shot dead around 10 pm.")[0].1 == 1);
    }

    #[test]
    fn ranges_count_their_lower_bound() {
        use CasualtyKind::*;
        assert_eq!(kinds("2-3 Taliban forces were shot dead."), [(Killed, 2)]);
        assert_eq!(
            kinds("Between two to three persons were killed."),
            [(Killed, 2)]
        );
    }

    #[test]
    fn shared_and_elsewhere_coded_fatalities_follow_acled() {
        use CasualtyKind::*;
        assert_eq!(
            kinds("2 fatalities reported and spread across two events."),
            [(Killed, 1)]
        );
        assert_eq!(
            kinds("8 - 14 civilians were killed, split between 2 events."),
            [(Killed, 4)]
        );
        assert!(kinds("27 fatalities split across 4 events coded as 6.")
            .iter()
            .all(|f| f.1 == 6));
        assert_eq!(
            kinds("Three civilians were killed and four were wounded (fatalities coded to Donetsk event)."),
            [(Injured, 4)]
        );
    }
}
