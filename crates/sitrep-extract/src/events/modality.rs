//! Modality: whether a clause tells its act as having happened, or as planned, conditional,
//! hypothetical, denied or habitual, by the cue words of `data/modality.tsv`. A cue right before
//! a trigger removes it where the data file says so (a violent act after "would" or "denied", a
//! diplomatic one after "will" or "repeatedly"); any other cue before the trigger in its clause
//! flags the event, which is kept with the report but is not an incident.

use super::*;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Which triggers a cue removes when it comes right before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drops {
    None,
    Diplomacy,
    Violence,
    Both,
}

/// What a cue word says: its modality (`None` for "referenced": the act is the topic of talk),
/// which triggers it removes, and whether it flags an act anywhere after it in its clause.
#[derive(Debug, Clone, Copy)]
struct Cue {
    modality: Option<Modality>,
    drops: Drops,
    flags: bool,
}

/// The cue at token `j`, if any. A cue is written in lower case: "May" and "Future" in "On 5
/// May" and "Students for Peace" are names.
fn cue_at(c: &Ctx, j: usize) -> Option<&'static Cue> {
    let lower = c
        .doc
        .tok(j)
        .starts_with(|ch: char| ch.is_lowercase() || ch == '\'');
    cues().get(c.low[j].as_str()).filter(|_| lower)
}

fn cues() -> &'static HashMap<&'static str, Cue> {
    static C: OnceLock<HashMap<&'static str, Cue>> = OnceLock::new();
    C.get_or_init(|| {
        include_str!("../../data/modality.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t').map(str::trim);
                let (m, word, uses) = (f.next()?, f.next()?, f.next()?);
                let has = |u: &str| uses.split(',').any(|x| x.trim() == u);
                let drops = match () {
                    _ if has("both") => Drops::Both,
                    _ if has("diplomacy") => Drops::Diplomacy,
                    _ if has("violence") => Drops::Violence,
                    _ => Drops::None,
                };
                let modality = Modality::parse(m);
                let flags = has("flag");
                Some((
                    word,
                    Cue {
                        modality,
                        drops,
                        flags,
                    },
                ))
            })
            .collect()
    })
}

/// Whether a cue among the few words before a trigger of `family` at token `k` removes it: a
/// diplomatic act within four words after "will", "plans" or "repeatedly"; a violent one within
/// three after "would", "threatened", "denied" or "condemning".
pub(super) fn cue_removes(c: &Ctx, k: usize, family: Family) -> bool {
    let diplomacy = family == Family::Diplomacy;
    let window = if diplomacy { 4 } else { 3 };
    (k.saturating_sub(window)..k).any(|j| {
        cue_at(c, j).is_some_and(|cue| match cue.drops {
            Drops::Both => true,
            Drops::Diplomacy => diplomacy,
            Drops::Violence => !diplomacy,
            Drops::None => false,
        })
    })
}

/// The modality of the act at token `k` of the clause `[a, b)`: the cue nearest before it in
/// the clause ("vowed to retaliate", "would defend the town if it is attacked", "denied that its
/// troops shelled"), asserted when there is none. "Used to" is habitual.
pub(super) fn of_act(c: &Ctx, a: usize, k: usize) -> Modality {
    (a..k)
        .rev()
        .filter(|&j| !c.masked(j))
        .find_map(|j| {
            let w = c.low[j].as_str();
            if w == "used" && c.low.get(j + 1).is_some_and(|n| n == "to") {
                return Some(Modality::Habitual);
            }
            cue_at(c, j)
                .filter(|cue| cue.flags)
                .and_then(|cue| cue.modality)
        })
        .unwrap_or_default()
}

/// The modality an event of `family` keeps from its mentions. A diplomatic act's future or
/// condition is the act itself (a promise, an offer, a threat: "will give a grant", "will
/// boycott the vote unless …" are CAMEO's intents and threats), so only a denial or a habit
/// flags it.
pub(super) fn of_event(family: Family, m: Modality) -> Modality {
    match m {
        Modality::Future | Modality::Conditional | Modality::Hypothetical
            if family == Family::Diplomacy =>
        {
            Modality::Asserted
        }
        m => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modality(text: &str, trigger: &str) -> Modality {
        super::super::testing::with_ctx(text, |c| {
            let k = c.low.iter().position(|w| w == trigger).expect("trigger");
            of_act(c, 0, k)
        })
    }

    #[test]
    fn cues_before_an_act_set_its_modality() {
        use Modality::*;
        assert_eq!(modality("Rebels attacked the town.", "attacked"), Asserted);
        assert_eq!(
            modality("The group vowed to attack the town.", "attack"),
            Future
        );
        assert_eq!(
            modality(
                "The army will defend the town if it is attacked.",
                "attacked"
            ),
            Conditional
        );
        assert_eq!(
            modality(
                "The ministry denied that troops shelled the village.",
                "shelled"
            ),
            Denied
        );
        assert_eq!(
            modality("Militias used to raid the camps.", "raid"),
            Habitual
        );
        assert_eq!(
            modality("Officials said the strikes could escalate.", "escalate"),
            Hypothetical
        );
    }

    #[test]
    fn names_are_no_cues_and_intents_are_diplomatic_acts() {
        assert_eq!(
            modality(
                "On 5 May 2022, Students for Peace activists marched.",
                "marched"
            ),
            Modality::Asserted
        );
        super::super::testing::with_ctx("On 5 May, gunmen attacked a village.", |c| {
            let k = c.low.iter().position(|w| w == "attacked").unwrap();
            assert!(!cue_removes(c, k, Family::Battles));
        });
        assert_eq!(
            of_event(Family::Diplomacy, Modality::Future),
            Modality::Asserted
        );
        assert_eq!(
            of_event(Family::Diplomacy, Modality::Denied),
            Modality::Denied
        );
        assert_eq!(
            of_event(Family::Battles, Modality::Future),
            Modality::Future
        );
    }

    #[test]
    fn cues_right_before_a_trigger_remove_it_by_family() {
        super::super::testing::with_ctx("They would attack. They will meet.", |c| {
            let attack = c.low.iter().position(|w| w == "attack").unwrap();
            let meet = c.low.iter().position(|w| w == "meet").unwrap();
            assert!(cue_removes(c, attack, Family::Battles));
            assert!(cue_removes(c, meet, Family::Diplomacy));
        });
        super::super::testing::with_ctx("Officials planned talks; gunmen vowed attacks.", |c| {
            let talks = c.low.iter().position(|w| w == "talks").unwrap();
            let attacks = c.low.iter().position(|w| w == "attacks").unwrap();
            assert!(cue_removes(c, talks, Family::Diplomacy));
            // "vowed" only flags: the attack is kept, marked future.
            assert!(!cue_removes(c, attacks, Family::Battles));
        });
    }
}
