//! One behaviour per test, on short texts written for the purpose.

use sitrep_extract::{extract, Input};
use sitrep_model::*;

fn run(text: &str, published: &str) -> Extraction {
    let meta = ReportMeta {
        published: sitrep_text::timex::parse_date(published),
        ..Default::default()
    };
    extract(Input {
        meta,
        text: text.to_string(),
        warnings: vec![],
    })
}

fn killed(e: &Event) -> Option<u64> {
    e.casualties.killed.map(|c| c.value)
}

#[test]
fn a_total_and_its_district_breakdown_are_linked_not_added() {
    let x = run(
        "Shelling struck Donetsk overnight, leaving five people dead.\n\
         The city's mayor, Oleg Petrenko, reported three deaths in the Kyivskyi district, while two others were killed in the Kalynivskyi district.",
        "2025-06-10",
    );
    let city = x
        .events
        .iter()
        .find(|e| e.locations.iter().any(|l| l.name == "Donetsk"))
        .expect("a Donetsk event");
    // "Kyivskyi" is also a district of Poltava: the one near Donetsk is meant.
    assert!(x
        .events
        .iter()
        .flat_map(|e| &e.locations)
        .filter(|l| l.name == "Kyivskyi")
        .all(|l| l.admin1 == city.locations[0].admin1));
    assert_eq!(killed(city), Some(5));
    let parts: Vec<&Event> = x
        .events
        .iter()
        .filter(|e| e.part_of == Some(city.id))
        .collect();
    assert_eq!(parts.len(), 2, "{:#?}", x.events);
    assert_eq!(parts.iter().filter_map(|e| killed(e)).sum::<u64>(), 5);
    let roots: u64 = x
        .events
        .iter()
        .filter(|e| e.part_of.is_none())
        .filter_map(killed)
        .sum();
    assert_eq!(roots, 5, "a death counted twice");
}

#[test]
fn a_headline_total_over_two_countries_is_a_total_not_an_event() {
    let x = run(
        "Israel and Hezbollah traded fire on Sunday, killing at least seven people.\n\
         Israeli strikes killed four people in Tyre, the health ministry said.\n\
         Hezbollah rockets killed three people in Nahariyya, Israeli police said.",
        "2024-09-23",
    );
    assert_eq!(x.totals.len(), 1, "{:#?}", x.totals);
    assert_eq!(x.totals[0].count.value, 7);
    assert!(x.totals[0].consistent);
    let roots: u64 = x
        .events
        .iter()
        .filter(|e| e.part_of.is_none())
        .filter_map(killed)
        .sum();
    assert_eq!(roots, 7);
}

#[test]
fn numbers_that_are_not_casualties_are_not_counted() {
    let x = run(
        "The army said it shot down 16 drones over Sennar on Monday and that a 12-point plan was under study. \
         A 34-year-old man was arrested. About 3,000 people have been displaced.",
        "2025-02-04",
    );
    for e in &x.events {
        assert!(e.casualties.is_empty(), "{e:#?}");
    }
}

#[test]
fn two_sides_disagreeing_figures_are_both_kept_and_the_lowest_leads() {
    let x = run(
        "The army said 12 rebels were killed in clashes near Beni on Tuesday. The rebel group said only three of its fighters died.",
        "2024-05-08",
    );
    let e = x
        .events
        .iter()
        .find(|e| e.family == Family::Battles)
        .expect("a battle");
    let values: Vec<u64> = e
        .figures
        .iter()
        .filter(|f| f.kind == CasualtyKind::Killed)
        .map(|f| f.count.value)
        .collect();
    assert!(values.contains(&12) && values.contains(&3), "{values:?}");
    assert_eq!(killed(e), Some(3));
    assert!(x
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::ConflictingFigures));
}

#[test]
fn a_capital_that_acts_is_an_actor_and_a_place_standing_for_its_government() {
    let x = run("Negotiators from Kyiv and Washington met in Riyadh on Tuesday. Moscow said it was not invited.", "2025-03-12");
    let role = |name: &str| {
        x.entities
            .iter()
            .find(|e| e.kind == EntityKind::Place && e.name == name)
            .map(|e| e.roles.clone())
    };
    assert_eq!(role("Riyadh"), Some(vec![PlaceRole::Literal]));
    // Places and actors are not exclusive: the capitals are the governments acting, and
    // still place mentions, each with its geocode and the role of standing for its state.
    for capital in ["Kyiv", "Washington", "Moscow"] {
        assert_eq!(role(capital), Some(vec![PlaceRole::Metonymic]), "{capital}");
    }
    let actors: Vec<&str> = x
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Actor)
        .map(|e| e.name.as_str())
        .collect();
    assert!(actors.contains(&"Russia"), "{actors:?}");
    let meeting = x
        .events
        .iter()
        .find(|e| e.event_type == EventType::Meeting)
        .expect("a meeting");
    assert_eq!(meeting.locations[0].country.as_deref(), Some("SA"));
}

#[test]
fn a_city_name_shared_across_countries_resolves_in_context() {
    let x = run("Russian missiles hit Odesa and Mykolaiv on Friday, Ukrainian officials said, injuring nine people in Odesa.", "2025-04-05");
    let odesa = x
        .entities
        .iter()
        .find(|e| e.name == "Odesa")
        .expect("Odesa");
    assert_eq!(odesa.country.as_deref(), Some("UA"));
}

#[test]
fn pronoun_and_title_speakers_lead_back_to_the_named_person() {
    let x = run(
        "Amina Yusuf, a spokesperson for the regional health ministry, said hospitals were full.\n\
         “We have no more beds,” she said.\n\
         “Supplies ran out on Monday,” the spokesperson added.",
        "2025-01-15",
    );
    // Two direct quotes and the reported speech "hospitals were full".
    assert_eq!(x.quotes.iter().filter(|q| !q.indirect).count(), 2);
    assert_eq!(x.quotes.iter().filter(|q| q.indirect).count(), 1);
    for q in &x.quotes {
        assert_eq!(
            q.speaker.as_ref().map(|s| s.name.as_str()),
            Some("Amina Yusuf"),
            "{q:?}"
        );
    }
}

#[test]
fn a_scare_quoted_name_is_a_term_not_a_quote() {
    let x = run(
        "Members of the “contact group” will meet in Oslo next week.",
        "2025-01-15",
    );
    assert!(x.quotes.is_empty(), "{:?}", x.quotes);
    assert!(x
        .entities
        .iter()
        .any(|e| e.kind == EntityKind::Term && e.name == "contact group"));
}

#[test]
fn a_quote_continued_across_paragraphs_keeps_its_speaker() {
    let x = run(
        "“The water ran out on the second day,” said Omar Haddad, a resident of the camp. “We drank from the river.\n“Then the children fell sick.”",
        "2025-01-15",
    );
    assert_eq!(x.quotes.len(), 3, "{:?}", x.quotes);
    assert!(x.quotes[2].continues);
    assert!(
        x.quotes
            .iter()
            .all(|q| q.speaker.as_ref().is_some_and(|s| s.name == "Omar Haddad")),
        "{:?}",
        x.quotes
    );
}

#[test]
fn relative_times_resolve_against_publication() {
    let x = run(
        "An airstrike hit a market in Kafr Nabl on Sunday, killing six people.",
        "2024-03-13",
    );
    let e = &x.events[0];
    assert_eq!(
        e.when.start.map(opt_date::format).as_deref(),
        Some("2024-03-10")
    );
    assert_eq!(e.when.precision, TimePrecision::Day);
}

#[test]
fn every_span_slices_the_text_it_claims() {
    let text = "Shelling killed four civilians in Kherson on Monday, regional governor Oleksandr Prokudin said. “It was cynical,” he said.";
    let x = run(text, "2025-05-06");
    for e in &x.events {
        for ev in &e.evidence {
            assert_eq!(&text[ev.start as usize..ev.end as usize], ev.text);
        }
        for l in &e.locations {
            assert_eq!(&text[l.span.range()], l.mention);
        }
    }
    for q in &x.quotes {
        assert_eq!(&text[q.start as usize..q.end as usize], q.text);
    }
}

#[test]
fn empty_text_and_missing_date_are_flagged() {
    let x = extract(Input::default());
    assert!(x.events.is_empty());
    assert!(x.warnings.iter().any(|w| w.code == WarningCode::EmptyText));
    assert!(x
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::NoPublicationDate));
}

#[test]
fn a_megabyte_paragraph_is_read_in_bounded_time_with_a_flag() {
    // One paragraph, tens of thousands of sentences: every per-sentence step must not rescan it.
    let text = "Talks continued in Doha on Monday. ".repeat(30_000);
    let x = run(&text, "2025-01-15");
    assert!(
        x.warnings
            .iter()
            .any(|w| w.code == WarningCode::ExtractionCapped),
        "{:?}",
        x.warnings
    );
}

#[test]
fn a_rejected_proposal_is_a_rejection_by_the_side_that_rejected_it() {
    let x = run(
        "Ethiopia's army delegation at talks in Nairobi on Monday rejected a proposal for a two-week truce put forward by Kenyan and U.S. mediators.",
        "2025-03-04",
    );
    let types: Vec<&str> = x.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["rejection"], "{types:?}");
    let initiator = x.events[0]
        .actors
        .iter()
        .find(|a| a.role == Role::Initiator)
        .and_then(|a| a.country.as_deref());
    assert_eq!(initiator, Some("ET"));
}

#[test]
fn what_a_report_says_is_yet_to_come_is_no_event() {
    let x = run(
        "Protesters marched through Nakuru on Tuesday. Protest organisers said they would return to the streets next Tuesday.",
        "2024-12-03",
    );
    let days: Vec<_> = x.events.iter().map(|e| e.when.start).collect();
    assert_eq!(
        days,
        [time::Date::from_calendar_date(2024, time::Month::December, 3).ok()]
    );
}

fn role_of(e: &Event, role: Role) -> Option<&str> {
    e.actors
        .iter()
        .find(|a| a.role == role)
        .map(|a| a.name.as_str())
}

#[test]
fn one_person_killed_at_a_protest_counts_one_and_the_police_used_the_force() {
    let x = run(
        "In Mombasa, a 19-year-old student was shot dead when police opened fire on a peaceful march outside the port on Monday, a rights group said.",
        "2025-03-04",
    );
    assert_eq!(x.events.len(), 1);
    let e = &x.events[0];
    assert_eq!(e.event_type, EventType::ExcessiveForceAgainstProtesters);
    assert_eq!(killed(e), Some(1));
    assert_eq!(role_of(e, Role::Initiator), Some("Police Forces of Kenya"));
    assert_eq!(role_of(e, Role::Target), Some("Protesters (Kenya)"));
}

#[test]
fn a_victim_named_by_a_noun_is_one_casualty_and_not_the_attacker() {
    let x = run(
        "A police officer was killed and a passer-by was wounded when gunmen attacked a checkpoint in Kismayo on Sunday.",
        "2025-03-04",
    );
    assert_eq!(x.events.len(), 1);
    let e = &x.events[0];
    assert_eq!(killed(e), Some(1));
    assert_eq!(e.casualties.injured.map(|c| c.value), Some(1));
    assert_eq!(
        role_of(e, Role::Initiator),
        Some("Unidentified Armed Group (Somalia)")
    );
    // The gunmen are the attackers, not victims. ACLED codes an armed group's attack on police
    // either way (9 of the 12 such notes in acled-2022.dev.jsonl are battles, 3 attacks), and the
    // learned typer (issue 15) decides between the two; nothing else fits.
    assert!(
        matches!(e.event_type, EventType::Attack | EventType::ArmedClash),
        "{:?}",
        e.event_type
    );
}

#[test]
fn the_rules_above_leave_their_near_misses_alone() {
    let types = |text: &str| -> Vec<EventType> {
        run(text, "2025-03-04")
            .events
            .iter()
            .map(|e| e.event_type)
            .collect()
    };
    // A future time elsewhere in the sentence does not unmake a strike with a toll.
    let x = run(
        "Israeli strikes killed at least 23 people across Rafah, as mediators prepared for talks in Cairo next week.",
        "2025-03-04",
    );
    assert_eq!(x.events.iter().filter_map(killed).collect::<Vec<_>>(), [23]);
    // One victim told after a toll is one of the toll, not a lower second opinion.
    let x = run(
        "Police killed three protesters in Nakuru on Tuesday. A teenager was shot dead outside his school in Nakuru, witnesses said.",
        "2025-03-04",
    );
    assert_eq!(x.events.iter().filter_map(killed).max(), Some(3));
    assert!(x
        .warnings
        .iter()
        .all(|w| w.code != WarningCode::ConflictingFigures));
    // "gang attack" names the attackers.
    assert_eq!(
        types("Gunmen killed 20 people in a gang attack in Pont-Sondé on Thursday."),
        [EventType::Attack]
    );
    // "air support" is no rally's topic; "long talks" are no habit.
    assert!(
        !types("Backed by air support, troops stormed rebel positions near Goma on Monday.")
            .is_empty()
    );
    assert_eq!(
        types("The two delegations held long talks in Doha on Monday."),
        [EventType::Meeting]
    );
    // A march and the killings it is against are one event, not one in each town.
    assert_eq!(
        types("Hundreds marched in Nairobi on Tuesday against killings by police in Kisumu.").len(),
        1
    );
    // Meeting again on another day is another meeting.
    assert_eq!(
        types("Delegations from Armenia and Azerbaijan met in Abu Dhabi on Monday. They met again on Thursday."),
        [EventType::Meeting, EventType::Meeting]
    );
}

#[test]
fn a_rally_in_support_of_attacks_is_a_peaceful_protest() {
    let x = run(
        "In Sanaa, thousands of people rallied after Friday prayers in support of the attacks on shipping.",
        "2025-03-04",
    );
    let types: Vec<_> = x.events.iter().map(|e| e.event_type).collect();
    assert_eq!(types, [EventType::PeacefulProtest]);
}

#[test]
fn a_habit_and_a_standing_accusation_are_no_diplomatic_acts() {
    let x = run(
        "Baghdad has repeatedly urged Ankara to withdraw its troops. The ministry named a militia leader accused of ordering the killing of protesters in Basra.",
        "2025-03-04",
    );
    let types: Vec<_> = x.events.iter().map(|e| e.event_type).collect();
    assert!(
        !types.contains(&EventType::Demand) && !types.contains(&EventType::Accusation),
        "{types:?}"
    );
    // The same verbs as acts on a day are events.
    let x = run(
        "Baghdad on Monday urged Ankara to withdraw its troops. Ankara accused Baghdad of sheltering militants.",
        "2025-03-04",
    );
    let types: Vec<_> = x.events.iter().map(|e| e.event_type).collect();
    assert!(
        types.contains(&EventType::Demand) && types.contains(&EventType::Accusation),
        "{types:?}"
    );
}

#[test]
fn part_of_a_figure_without_a_place_is_no_new_figure() {
    let x = run(
        "A drone strike killed 14 people and wounded 20 in Kobo on Sunday, six of them children. Two of the injured were in critical condition, a hospital official said.",
        "2025-03-04",
    );
    assert_eq!(x.events.len(), 1, "{:#?}", x.events);
    assert_eq!(killed(&x.events[0]), Some(14));
    assert_eq!(x.events[0].casualties.injured.map(|c| c.value), Some(20));
    assert!(
        x.warnings
            .iter()
            .all(|w| w.code != WarningCode::ConflictingFigures),
        "{:?}",
        x.warnings
    );
}

#[test]
fn marches_in_several_towns_are_an_event_in_each() {
    let x = run(
        "Hundreds of people marched peacefully in Kumasi, Tamale and Takoradi on Saturday against power cuts.",
        "2025-03-04",
    );
    let places: Vec<Vec<&str>> = x
        .events
        .iter()
        .map(|e| e.locations.iter().map(|l| l.name.as_str()).collect())
        .collect();
    assert_eq!(places, [["Kumasi"], ["Tamale"], ["Takoradi"]], "{places:?}");
    assert!(x
        .events
        .iter()
        .all(|e| e.event_type == EventType::PeacefulProtest));
}

#[test]
fn killing_soldiers_or_gang_members_is_a_battle_killing_villagers_is_not() {
    let x = run(
        "Police officers killed five gang members in an operation in Delmas on Tuesday.",
        "2025-03-05",
    );
    let kinds: Vec<_> = x.events.iter().map(|e| (e.family, e.event_type)).collect();
    assert_eq!(kinds, [(Family::Battles, EventType::ArmedClash)]);
    let x = run(
        "Soldiers killed 12 villagers in Moura on Tuesday, residents said.",
        "2025-03-05",
    );
    let kinds: Vec<_> = x.events.iter().map(|e| e.family).collect();
    assert_eq!(kinds, [Family::ViolenceAgainstCivilians]);
}

#[test]
fn acts_at_talks_happen_at_the_talks_and_the_meeting_told_again_is_one() {
    let x = run(
        "Delegations of the Sudanese army and the Rapid Support Forces met in Jeddah on Saturday for talks brokered by Saudi Arabia on a ceasefire in El Fasher.\nThe meeting lasted six hours.\nThe Rapid Support Forces demanded a halt to air strikes. The army delegation rejected any role for the paramilitary group in a future government.",
        "2025-03-03",
    );
    let got: Vec<(EventType, Vec<&str>)> = x
        .events
        .iter()
        .map(|e| {
            (
                e.event_type,
                e.locations.iter().map(|l| l.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (EventType::Meeting, vec!["Jeddah"]),
            (EventType::Demand, vec!["Jeddah"]),
            (EventType::Rejection, vec!["Jeddah"]),
        ],
        "{got:?}"
    );
    let saturday = time::Date::from_calendar_date(2025, time::Month::March, 1).ok();
    assert!(x.events.iter().all(|e| e.when.start == saturday));
}

#[test]
fn a_feature_named_after_a_place_is_located_by_it_and_its_word_is_no_place() {
    let x = run(
        "Egypt says its Suez Canal revenue has fallen by more than $6 billion since the attacks began.",
        "2025-03-04",
    );
    let places: Vec<(&str, Option<&str>)> = x
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Place)
        .map(|e| (e.name.as_str(), e.country.as_deref()))
        .collect();
    assert!(places.iter().all(|(_, cc)| *cc == Some("EG")), "{places:?}");
}
