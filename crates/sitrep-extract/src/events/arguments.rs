//! Arguments of a clause: the sources that give its figures, the actors and their roles, the
//! places usable as event locations, and the actors coded by default when none is named.

use super::*;

/// Who gave the figures of a sentence: "Tkachenko reported", "according to the ministry",
/// "Russia also reported …, saying".
pub(super) fn sentence_sources(c: &Ctx, si: usize) -> Vec<Source> {
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
pub(super) const INSTITUTIONS: &[&str] = &[
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

pub(super) fn institution_before(c: &Ctx, start: usize, verb: usize) -> Option<Source> {
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
pub(super) fn subject_of<'a>(c: &'a Ctx, si: usize, verb: usize) -> Option<&'a Mention> {
    let start = c.doc.sentences[si].tokens.start;
    let end = crate::mentions::subject_end(c.low, start, verb);
    // A mention ends at most two tokens before `end` and spans a handful of tokens: looking
    // back a dozen keeps a sentence of many verbs linear.
    c.rec
        .within(start.max(end.saturating_sub(12)), end)
        .filter(|m| m.end + 2 >= end && !c.masked(m.first))
        .last()
}

pub(super) const DIRECTION_WORDS: &[&str] = &[
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

/// Places of a clause usable as event locations: not datelines, not continents (too wide to be
/// where anything happened: "ships divert between Asia and Europe"), not inside quotes or a
/// person's title, and reference points ("25 km west of Goma") only when nothing else is named.
pub(super) fn clause_places(c: &Ctx, a: usize, b: usize) -> Vec<(Place, usize)> {
    let titles: Vec<Span> = c.rec.persons.iter().filter_map(|p| p.title_span).collect();
    let mut places: Vec<(Place, usize, bool)> = Vec::new();
    for m in c.mentions_in(a, b) {
        let Referent::Place(p) = &m.referent else {
            continue;
        };
        let wide = p.code == "CONT";
        if wide || m.dateline || c.masked(m.first) || titles.iter().any(|t| t.contains(m.span)) {
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

/// Actors of a clause with their roles. The actor right before the trigger or a weapon word
/// ("Russian missiles", "a Ukrainian drone attack", "RSF fighters attacked") initiates; one after
/// "on"/"against" is the target; sources of figures are not participants.
pub(super) fn clause_actors(
    c: &Ctx,
    a: usize,
    b: usize,
    trig: Option<usize>,
    weapons: &[(String, usize)],
    sources: &[Source],
) -> Vec<EventActor> {
    let mut out: Vec<EventActor> = Vec::new();
    let trig = trig.or_else(|| harm_verb(c, a, b));
    let anchors: Vec<usize> = trig
        .into_iter()
        .chain(weapons.iter().map(|w| w.1))
        .collect();
    for m in c.mentions_in(a, b) {
        if c.masked(m.first) {
            continue;
        }
        let Some((name, kind, country, form)) = actor_of(c, m) else {
            continue;
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
        if kind == ActorKind::Person
            || (is_source && !(party && near_anchor))
            || qualifies_next(c, m, b)
        {
            continue;
        }
        // Who reports or investigates is named, never the initiator (a diplomatic event still
        // takes its first actor as the one who spoke).
        let role = if reporter(c, m.first, m.end) {
            Role::Participant
        } else {
            actor_role(c, m, a, trig, near_anchor, form)
        };
        if !out.iter().any(|x| x.name == name && x.role == role) {
            out.push(EventActor {
                name,
                kind,
                country,
                role,
                mention: Some(m.span),
                inter: None,
            });
        }
    }
    out
}

/// The actor or person a mention names: (name, kind, country, form).
pub(super) fn actor_of(
    c: &Ctx,
    m: &Mention,
) -> Option<(String, ActorKind, Option<String>, ActorForm)> {
    match &m.referent {
        Referent::Actor { actor, form } => {
            let e = &c.lex.actors[*actor];
            Some((e.canonical.clone(), e.kind, e.country.clone(), *form))
        }
        Referent::Person(p) => {
            let p = &c.rec.persons[*p];
            Some((
                p.name.clone(),
                ActorKind::Person,
                p.country.clone(),
                ActorForm::Name,
            ))
        }
        _ => None,
    }
}

/// "Sudan’s paramilitary Rapid Support Forces": the state only qualifies the actor after it.
fn qualifies_next(c: &Ctx, m: &Mention, b: usize) -> bool {
    c.doc
        .tokens
        .get(m.end)
        .is_some_and(|t| t.kind == TokenKind::Possessive)
        && (m.end + 1..(m.end + 4).min(b)).any(|j| {
            c.rec
                .starting_at(j)
                .is_some_and(|n| matches!(n.referent, Referent::Actor { .. }))
        })
}

/// The role of an actor in the clause starting at token `a`: "by" it or before the trigger or a
/// weapon (`before_anchor`) it initiates; after "on", "against" and the trigger it is the target.
fn actor_role(
    c: &Ctx,
    m: &Mention,
    a: usize,
    trig: Option<usize>,
    before_anchor: bool,
    form: ActorForm,
) -> Role {
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
    let targeted =
        matches!(prev, "on" | "against" | "targeting" | "at") && trig.is_some_and(|t| t < m.first);
    if by
        || (before_anchor && !targeted)
        || (trig.is_some_and(|t| m.end <= t) && form != ActorForm::Capital && !targeted)
    {
        Role::Initiator
    } else if targeted {
        Role::Target
    } else {
        Role::Participant
    }
}

/// Drop a place that contains another place of the same clause ("In Ukraine, … struck Kyiv").
pub(super) fn prune_places(places: Vec<(Place, usize)>) -> Vec<(Place, usize)> {
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
pub(super) fn contains(a: &Place, b: &Place) -> bool {
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

/// Unnamed actors, coded as ACLED does by the country where the event happened: "police" and
/// "the army" are that state's forces, "gunmen" an unidentified armed group, protesters and
/// rioters that country's, and whoever attacked civilians unnamed an unidentified armed group.
/// The host of a meeting is the state whose city is its venue.
pub(super) fn fallback_actors(c: &Ctx, d: &mut Draft) {
    let Some(cc) = d.places.first().map(|(p, _)| p.country.to_string()) else {
        crowd_without_place(d);
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
    let words = actor_words(c, d);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if d.kind == EventType::ExcessiveForceAgainstProtesters
        && !d.actors.iter().any(|a| a.role == Role::Target)
    {
        // Force used on protesters: by the security forces, on the protesters.
        d.actors.push(EventActor {
            name: format!("Protesters ({country_name})"),
            kind: ActorKind::Civilians,
            country: Some(cc.clone()),
            role: Role::Target,
            mention: None,
            inter: None,
        });
    }
    let chosen = unnamed_initiator(d, &has, &country_name)
        .or_else(|| learned_initiator(c, d, &cc, &country_name));
    let Some((name, kind)) = chosen else {
        return;
    };
    d.actors.push(EventActor {
        name,
        kind,
        country: Some(cc),
        role: Role::Initiator,
        mention: None,
        inter: None,
    });
}

/// A protest or riot at no place the gazetteer knows is still its crowd's, of no country.
fn crowd_without_place(d: &mut Draft) {
    let name = match d.family {
        _ if d.kind == EventType::ExcessiveForceAgainstProtesters => return,
        Family::Protests => "Protesters",
        Family::Riots => "Rioters",
        _ => return,
    };
    if d.actors.iter().any(|a| a.role == Role::Initiator) {
        return;
    }
    d.actors.push(EventActor {
        name: name.into(),
        kind: ActorKind::Civilians,
        country: None,
        role: Role::Initiator,
        mention: None,
        inter: None,
    });
}

/// Words naming who acted, from the event's first evidence; "killed 12 soldiers" and "a police
/// officer was killed" name victims, so words right after a number and a victim's phrase are
/// left out, and "police said" and "police are investigating" name who reports, so are left out
/// too, except of a strike or shelling: a military that reports a strike told with no actor is
/// mostly the one that made it (ACLED codes most such notes to the state's forces).
fn actor_words<'a>(c: &'a Ctx, d: &Draft) -> Vec<&'a str> {
    let remote = d.family == Family::ExplosionsRemoteViolence;
    d.evidence
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
                .filter(|&k| !c.masked(k) && (remote || !reporter(c, k, k + 1)))
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
        .collect()
}

/// The generic initiator the learned default model gives an event whose text names none and
/// whose actor words say nothing either, where the model is confident and says someone
/// (`actor_types::default_initiator`; cross-validated in `sitrep train actors`).
fn learned_initiator(
    c: &Ctx,
    d: &Draft,
    cc: &str,
    country_name: &str,
) -> Option<(String, ActorKind)> {
    let ctx = crate::actor_types::Context {
        doc: c.doc,
        lex: c.lex,
        rec: c.rec,
    };
    let evidence = d.evidence.first().copied();
    let label = crate::actor_types::default_initiator(&ctx, d.family, d.kind, cc, evidence)?;
    generic_initiator(label, country_name)
}

/// ACLED's generic actor of a country for a default label of `actor_types::DEFAULTS`.
fn generic_initiator(label: &str, country_name: &str) -> Option<(String, ActorKind)> {
    Some(match label {
        "military" => (
            format!("Military Forces of {country_name}"),
            ActorKind::Military,
        ),
        "police" => (
            format!("Police Forces of {country_name}"),
            ActorKind::Military,
        ),
        "uag" => (
            format!("Unidentified Armed Group ({country_name})"),
            ActorKind::ArmedGroup,
        ),
        "rioters" => (format!("Rioters ({country_name})"), ActorKind::Civilians),
        "protesters" => (format!("Protesters ({country_name})"), ActorKind::Civilians),
        _ => return None,
    })
}

/// The initiator coded for an event that names none, by its type and the words of its evidence
/// (`has`): force on protesters is the police's unless soldiers are named.
fn unnamed_initiator(
    d: &Draft,
    has: &dyn Fn(&[&str]) -> bool,
    country_name: &str,
) -> Option<(String, ActorKind)> {
    let military = || {
        (
            format!("Military Forces of {country_name}"),
            ActorKind::Military,
        )
    };
    let police = || {
        (
            format!("Police Forces of {country_name}"),
            ActorKind::Military,
        )
    };
    Some(if d.kind == EventType::ExcessiveForceAgainstProtesters {
        if has(&["army", "military", "troops", "soldiers"]) {
            military()
        } else {
            police()
        }
    } else if d.family == Family::Protests {
        (format!("Protesters ({country_name})"), ActorKind::Civilians)
    } else if d.family == Family::Riots {
        (format!("Rioters ({country_name})"), ActorKind::Civilians)
    } else if has(&["police", "policemen", "officers"]) {
        police()
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
        military()
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
    } else if d.family == Family::ViolenceAgainstCivilians {
        // ACLED's coding of a perpetrator the note does not name (72 % of such notes in
        // acled-2022.dev.jsonl).
        (
            format!("Unidentified Armed Group ({country_name})"),
            ActorKind::ArmedGroup,
        )
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_after_by_initiates() {
        let text = "The town was shelled by Russian forces.";
        let actors = super::super::testing::with_ctx(text, |c| {
            let n = c.doc.tokens.len();
            let trig = c.low.iter().position(|w| w == "shelled");
            clause_actors(c, 0, n, trig, &[], &[])
        });
        assert!(!actors.is_empty(), "{actors:?}");
        assert!(
            actors.iter().all(|a| a.role == Role::Initiator),
            "{actors:?}"
        );
    }

    fn initiators(text: &str) -> Vec<(String, Option<String>)> {
        super::super::testing::events(text)
            .into_iter()
            .flat_map(|e| e.actors)
            .filter(|a| a.role == Role::Initiator)
            .map(|a| (a.name, a.country))
            .collect()
    }

    #[test]
    fn a_party_that_investigates_or_reports_never_initiates() {
        let init = initiators(
            "Ukrainian investigators said Russian forces killed 12 civilians in Bucha on Monday.",
        );
        assert!(
            !init.iter().any(|a| a.1.as_deref() == Some("UA")),
            "{init:?}"
        );
        let init = initiators(
            "Kenyan police are investigating the killing of three villagers in Garissa on Monday.",
        );
        assert!(!init.iter().any(|a| a.0.starts_with("Police")), "{init:?}");
    }

    #[test]
    fn who_killed_with_no_trigger_word_initiates_and_the_killed_do_not() {
        let init = initiators("Russian forces killed 12 civilians in Bucha on Monday.");
        assert!(
            init.iter().any(|a| a.1.as_deref() == Some("RU")),
            "{init:?}"
        );
        let init = initiators("Two Russian soldiers were killed in Kherson on Monday.");
        assert!(
            !init.iter().any(|a| a.1.as_deref() == Some("RU")),
            "{init:?}"
        );
    }

    #[test]
    fn the_police_who_report_an_attack_are_not_its_initiator() {
        let init = initiators("Gunmen killed three villagers in Bunia on Monday, police said.");
        assert!(!init.iter().any(|a| a.0.starts_with("Police")), "{init:?}");
        assert!(
            init.iter()
                .any(|a| a.0.starts_with("Unidentified Armed Group")),
            "{init:?}"
        );
    }

    #[test]
    fn police_who_respond_or_report_from_a_city_are_not_initiators() {
        for text in [
            "Police in the northern city said a man was stabbed to death in Kaduna on Friday.",
            "Officers who responded found a man stabbed to death in Kaduna on Friday.",
            "Police were called to a bar in Kaduna where a man was stabbed on Friday.",
        ] {
            let init = initiators(text);
            assert!(
                !init.iter().any(|a| a.0.starts_with("Police")),
                "{text}: {init:?}"
            );
        }
    }

    #[test]
    fn a_reporter_speaking_of_its_own_act_still_initiates() {
        let init = initiators("Police said they shot dead two robbers in Nairobi on Monday.");
        assert!(init.iter().any(|a| a.0.starts_with("Police")), "{init:?}");
    }

    #[test]
    fn rioters_unnamed_are_the_countrys_rioters_and_a_protest_nowhere_known_its_protesters() {
        let init =
            initiators("On 3 May 2022, a mob burned tyres and threw stones at shops in Nakuru.");
        assert!(init.iter().any(|a| a.0 == "Rioters (Kenya)"), "{init:?}");
        let init = initiators("On 3 May 2022, residents staged a demonstration in Xqzvillebury against rising prices.");
        assert!(init.iter().any(|a| a.0 == "Protesters"), "{init:?}");
    }

    #[test]
    fn a_default_label_of_no_one_gives_no_initiator() {
        assert_eq!(generic_initiator("none", "Kenya"), None);
        let uag = generic_initiator("uag", "Kenya").map(|x| x.0);
        assert_eq!(uag.as_deref(), Some("Unidentified Armed Group (Kenya)"));
    }

    #[test]
    fn a_bomb_told_with_no_actor_nor_place_names_no_perpetrator() {
        let init = initiators("A bomb exploded in a market.");
        assert!(init.is_empty(), "{init:?}");
    }

    #[test]
    fn unnamed_gunmen_are_an_unidentified_armed_group_of_the_country() {
        let ev = super::super::testing::events("Gunmen killed three villagers in Bunia on Monday.");
        let init: Vec<&str> = ev
            .iter()
            .flat_map(|e| &e.actors)
            .filter(|a| a.role == Role::Initiator)
            .map(|a| a.name.as_str())
            .collect();
        assert!(
            init.iter()
                .any(|n| n.starts_with("Unidentified Armed Group")),
            "{init:?}"
        );
    }

    #[test]
    fn a_continent_is_no_event_location() {
        let text = "Drones struck ships sailing between Asia and Europe near Aden.";
        let places: Vec<String> = super::super::testing::with_ctx(text, |c| {
            let n = c.doc.tokens.len();
            clause_places(c, 0, n)
                .into_iter()
                .map(|p| p.0.name.to_string())
                .collect()
        });
        assert!(
            !places.iter().any(|p| p == "Asia" || p == "Europe"),
            "{places:?}"
        );
        assert!(places.iter().any(|p| p == "Aden"), "{places:?}");
    }
}
