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
        if let Some(kind) = a_victim(c, k, b, *prior) {
            let f = RawFigure {
                kind,
                count: Count::exact(1),
                span: c.tok_span(k, k + 1),
                sources: vec![],
                subset: false,
                revision: false,
                single: false,
            };
            *prior = Some(kind);
            push_or_join(c, &mut out, f);
            k += 1;
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
        if let Some(f) = number_figure(c, &n, b, *prior) {
            *prior = Some(f.kind);
            push_or_join(c, &mut out, f);
        }
        k = n.end;
    }
    if !out.is_empty() && coded_separately(c, a, b) {
        out.clear();
    }
    out
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
    let coded = (prev == "as" && matches!(prev2, "coded" | "estimated") && before(3))
        || (prev == "coded" && (before(2) || before(3)));
    if coded {
        return Some(Convention::Coded);
    }
    let after = |w: &str| (n.end..(n.end + 4).min(b)).any(|j| c.low[j] == w);
    let fatalities = (n.end..(n.end + 2).min(b)).any(|j| c.low[j].starts_with("fatalit"));
    (fatalities && after("split")).then_some(Convention::Shared)
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
    if words.kill_verbs.contains(w) || (w == "dead" && prev == "shot") {
        Some(CasualtyKind::Killed)
    } else if words.injure_verbs.contains(w) {
        Some(CasualtyKind::Injured)
    } else {
        None
    }
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
    match coder_convention(c, n, b) {
        Some(Convention::Shared) => return None,
        Some(Convention::Coded) => {
            return Some(RawFigure {
                kind: CasualtyKind::Killed,
                count: n.count,
                span: n.span,
                sources: vec![],
                subset: false,
                revision: true,
                single: false,
            })
        }
        None => {}
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
                && victim_phrase_end(c, n.end, b).is_some_and(|e| !ends_list(c, e));
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

/// The word classes of `data/casualties.tsv`.
struct CasualtyWords {
    kill_verbs: HashSet<&'static str>,
    injure_verbs: HashSet<&'static str>,
    victims: HashSet<&'static str>,
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
        }
    })
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
    if n.first > 0 && (!bare_one || victim_phrase_end(c, n.end, b).is_some()) {
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
    if death_of {
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

/// Forward: "six people dead", "two others were killed", "four deaths", "16 injured". A bare
/// "one" or "a" counts only with a noun of people ("one person was killed").
fn kind_after(c: &Ctx, n: &NumberMention, b: usize, bare_one: bool) -> Option<CasualtyKind> {
    let mut j = n.end;
    let mut saw_person = false;
    let mut limit = n.end + 7;
    while j < b && j < limit {
        let w = c.low[j].as_str();
        if let Some(k) = word_kind(w) {
            if bare_one && !saw_person {
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
        if FILLER.contains(&w) || w == "," {
            // "and" before a second number lists victims ("5 soldiers and 3 civilians were
            // killed"): the words after that number tell the kind of both.
            if w == "and" && is_number(c, j + 1) {
                if limit > n.end + 14 {
                    return None;
                }
                limit += 5;
                j += 2;
                continue;
            }
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
        assert!(kinds("20 fatalities split across 6 events.").is_empty());
        assert!(kinds("Gunmen killed a man (coded separately).").is_empty());
        assert!(kinds("He was arrested for killing a driver.").is_empty());
        assert!(kinds("They marched against the killing of nine people.").is_empty());
    }
}
