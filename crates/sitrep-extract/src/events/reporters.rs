//! Who reports an event rather than takes part in it, and what anchors the roles of a clause
//! without a trigger word. "Ukrainian investigators said", "police are investigating" and
//! "according to the army" name a source: its party is named in the event, never as the
//! initiator, and "police" there is no evidence of who acted. A reporter speaking of its own
//! act ("the army said its jets struck") stays a party.

use super::*;

/// Verbs of killing and injuring (`data/casualties.tsv`).
fn harm_verbs() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../../data/casualties.tsv")
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(class, _)| matches!(*class, "kill_verb" | "injure_verb"))
            .map(|(_, w)| w.trim())
            .collect()
    })
}

/// A clause with no trigger word is anchored by its first verb of killing or injuring in the
/// active voice: "Russian forces killed 12 civilians" (not "two soldiers were killed").
pub(super) fn harm_verb(c: &Ctx, a: usize, b: usize) -> Option<usize> {
    (a..b)
        .find(|&k| !c.masked(k) && harm_verbs().contains(c.low[k].as_str()))
        .filter(|&k| {
            k == 0
                || !matches!(
                    c.low[k - 1].as_str(),
                    "was" | "were" | "been" | "being" | "is" | "are" | "be" | "got"
                )
        })
}

/// Verbs of inquiry (`data/inquiry_verbs.txt`).
fn inquiry_verbs() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../../data/inquiry_verbs.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// A verb whose subject reports an event rather than acts in it: one of saying or of inquiry.
/// Who claims an attack claims it as its own.
fn reporting_verb(c: &Ctx, w: &str) -> bool {
    (c.lex.speech_verbs.contains(w)
        && !matches!(
            w,
            "calling" | "called" | "described" | "describing" | "according" | "claimed"
        ))
        || inquiry_verbs().contains(w)
}

/// Words of claims of responsibility (`data/claims.tsv`) of one class.
fn claim_words(class: &str) -> &'static std::collections::HashSet<&'static str> {
    static MAP: std::sync::OnceLock<WordClasses> = std::sync::OnceLock::new();
    words_of(
        MAP.get_or_init(|| word_classes(include_str!("../../data/claims.tsv"))),
        class,
    )
}

/// The actor that claims the act told in `[a, b)` as its own: a named actor right before a
/// verb of claiming (auxiliaries between), the claim being of responsibility or of a named act
/// ("the group claimed responsibility for the attack", "the rebels have claimed the bombing").
/// Who claims an attack is coded as the one who made it; "No group has claimed" names no one,
/// and "claimed that …" is a claim of fact, not of an act.
pub(super) fn claimant(c: &Ctx, a: usize, b: usize) -> Option<EventActor> {
    let verb = (a..b).find(|&k| !c.masked(k) && claim_words("verb").contains(c.low[k].as_str()))?;
    let next = c.low.get(verb + 1).map(String::as_str).unwrap_or("");
    if !claim_words("object").contains(next) && !claim_words("definite").contains(next) {
        return None;
    }
    let m = c
        .mentions_in(a, verb)
        .filter(|m| (m.end..verb).all(|j| AUXILIARIES.contains(&c.low[j].as_str())))
        .last()?;
    let (name, kind, country, _) = super::arguments::actor_of(c, m)?;
    (kind != ActorKind::Person).then_some(EventActor {
        name,
        kind,
        country,
        role: Role::Initiator,
        mention: Some(m.span),
        inter: None,
    })
}

/// `actors` with the claimant of the act as its initiator (see [`claimant`]).
pub(super) fn with_claimant(c: &Ctx, (a, b): (usize, usize), actors: &mut Vec<EventActor>) {
    if let Some(x) = claimant(c, a, b) {
        actors.retain(|y| y.name != x.name);
        actors.push(x);
    }
}

/// Words that may stand between a subject and its verb ("police are investigating").
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "been", "be", "also", "later", "still",
];

/// Do tokens `[first, end)` name who reports the event rather than a party to it: the subject of
/// a verb of saying or inquiry right after them ("Ukrainian investigators said", "Kenyan police
/// are investigating"), or what "according to" introduces? A reporter that speaks of its own
/// act ("police said they shot", "the army said its jets struck") is still a party.
pub(super) fn reporter(c: &Ctx, first: usize, end: usize) -> bool {
    let n = c.low.len();
    let subject_word = |j: usize| {
        matches!(
            c.doc.tokens[j].kind,
            TokenKind::Word | TokenKind::Possessive
        ) && !c.lex.triggers.contains_key(&c.low[j..j + 1])
    };
    let verb = (end..(end + 6).min(n))
        .take_while(|&j| subject_word(j))
        .find(|&j| reporting_verb(c, &c.low[j]))
        // At most three words of the subject between the name and its verb, or a short phrase
        // of place ("police in the northern city said").
        .filter(|&v| {
            let words = (end..v)
                .filter(|&j| !AUXILIARIES.contains(&c.low[j].as_str()))
                .count();
            words <= 3 || (words <= 5 && matches!(c.low[end].as_str(), "in" | "from" | "at"))
        });
    if let Some(v) = verb {
        let own = (v + 1..(v + 5).min(n)).any(|j| {
            matches!(
                c.low[j].as_str(),
                "it" | "its" | "they" | "their" | "we" | "our"
            )
        });
        return !own;
    }
    (first.saturating_sub(5)..first).any(|j| {
        c.low[j] == "according"
            && c.low.get(j + 1).is_some_and(|x| x == "to")
            && (j + 2..first).all(subject_word)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::with_ctx;
    use super::*;

    fn claimed(text: &str) -> Option<String> {
        with_ctx(text, |c| claimant(c, 0, c.low.len()).map(|a| a.name))
    }

    #[test]
    fn who_claims_an_attack_made_it() {
        let name = claimed("Al-Shabaab claimed responsibility for the attack on Tuesday.");
        assert!(name.is_some_and(|n| n.to_lowercase().contains("shabaab")));
        assert!(claimed("The Taliban have claimed the bombing.").is_some());
        assert_eq!(
            claimed("No group has claimed responsibility for the attack."),
            None
        );
        assert_eq!(
            claimed("Russia claimed that Ukraine shelled the plant."),
            None
        );
    }

    #[test]
    fn the_claimant_is_the_initiator_of_the_event_told_before() {
        let ev = super::super::testing::events(
            "A car bomb exploded outside a police station in Mogadishu on Monday, killing five \
             officers.\n\nAl-Shabaab claimed responsibility for the attack on its radio station.",
        );
        let bomb = ev
            .iter()
            .find(|e| e.casualties.killed.is_some())
            .expect("the bombing");
        let initiators: Vec<&str> = bomb
            .actors
            .iter()
            .filter(|a| a.role == Role::Initiator)
            .map(|a| a.name.as_str())
            .collect();
        assert!(
            initiators
                .iter()
                .any(|n| n.to_lowercase().contains("shabaab")),
            "{initiators:?}"
        );
    }
}
