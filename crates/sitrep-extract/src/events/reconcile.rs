//! Reconciliation: mention drafts merged into events, totals and parts, figures with no place
//! of their own, and the events written out.

use super::*;

pub(super) fn same_place_set(a: &[(Place, usize)], b: &[(Place, usize)]) -> bool {
    !a.is_empty()
        && a.len() == b.len()
        && a.iter()
            .all(|(p, _)| b.iter().any(|(q, _)| q.index == p.index))
}

pub(super) fn same_places(a: &[(Place, usize)], b: &[(Place, usize)]) -> bool {
    !a.is_empty()
        && a.iter()
            .any(|(p, _)| b.iter().any(|(q, _)| q.index == p.index))
}

pub(super) fn set_figure(d: &mut Draft, f: &RawFigure, warnings: &mut Vec<Warning>, text: &str) {
    let other_side = two_sides(d, f);
    let slot = match f.kind {
        CasualtyKind::Killed => &mut d.casualties.killed,
        CasualtyKind::Injured => &mut d.casualties.injured,
    };
    match slot {
        None => *slot = Some(f.count),
        Some(_) if f.single => {}
        Some(_) if f.coded => *slot = Some(f.count),
        Some(cur) if other_side => *slot = Some(add_counts(*cur, f.count)),
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

/// Whether figure `f` counts victims of another side than every figure of its kind the draft
/// holds, told by the same source or as more victims ("12 soldiers were killed, the army said.
/// Eight militants were also killed"): a careful coder (and ACLED) adds them up. Two sources'
/// figures ("17 civilians", the other side's "eight fighters") stay a disagreement.
fn two_sides(d: &Draft, f: &RawFigure) -> bool {
    let mut prior = d.figures.iter().filter(|g| g.kind == f.kind).peekable();
    let compatible = |g: &RawFigure| {
        g.side.is_some_and(|s| f.side.is_some_and(|t| s != t))
            && (g.sources == f.sources || f.also)
            && !g.subset
    };
    !f.single && !f.subset && !f.revision && prior.peek().is_some() && prior.all(compatible)
}

/// The sum of two counts, at least as much when either is.
fn add_counts(a: Count, b: Count) -> Count {
    let at_least = a.at_least() || b.at_least();
    Count {
        value: a.value + b.value,
        qualifier: if at_least {
            Qualifier::AtLeast
        } else if a.qualifier == b.qualifier {
            a.qualifier
        } else {
            Qualifier::Exact
        },
    }
}

pub(super) fn new_draft(
    m: &MentionDraft,
    family: Family,
    kind: EventType,
    specific: bool,
) -> Draft {
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
        modality: m.modality,
    }
}

pub(super) fn absorb(d: &mut Draft, m: &MentionDraft) {
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
    if m.modality.is_asserted() {
        d.modality = Modality::Asserted;
    }
    if d.evidence.len() < MAX_EVIDENCE && !d.evidence.contains(&m.span) {
        d.evidence.push(m.span);
    }
}

/// Merge the mentions into drafts of events: diplomatic and other non-lethal acts by
/// [`merge_act`], violent events by their places. Mentions whose places are only countries or
/// regions are returned, deferred to [`place_deferred`].
pub(super) fn merge_mentions(
    c: &Ctx,
    mentions: &[MentionDraft],
    warnings: &mut Vec<Warning>,
) -> (Vec<Draft>, Vec<MentionDraft>) {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut deferred: Vec<MentionDraft> = Vec::new();
    let mut last_violent: Option<usize> = None;
    for m in mentions {
        // "No group has claimed the attack", "the stabbing was the third this month": the
        // incident already told, told again.
        if let Some(i) = restated_incident(c, m, &drafts) {
            absorb(&mut drafts[i], m);
            continue;
        }
        let (family, kind, specific) = mention_type(m, &drafts, last_violent);
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
            merge_act(c, &mut drafts, m, (family, kind, specific));
            continue;
        }
        // Country- and region-wide places ("in southern Lebanon", "in the Gaza Strip") do not
        // place an incident: such figures are totals, or belong to an event placed elsewhere, or
        // (in place_deferred) make an event of their own at that precision.
        if m.places.is_empty() || unplaced {
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
            set_figure(&mut drafts[i], f, warnings, &c.doc.text);
        }
        last_violent = Some(i);
    }
    (drafts, deferred)
}

/// How many days before publication an act told with a time of its own becomes background: the
/// example reports' coders recorded nothing older than five days, ACLED codes a note's event on
/// its own day, and a story recalls older acts as context ("shot and killed him in February
/// 2012", "the 2019 massacre").
pub(super) const STALE_DAYS: i64 = 90;

/// Drop the mentions whose own clause dates the act, with a year written out ("in February
/// 2012", "the 2019 massacre"), more than [`STALE_DAYS`] before publication: a story's
/// background, not its news. A date without its year ("On September 29") is resolved to the
/// latest such day before publication, which may be months back in a January story: it is news.
pub(super) fn drop_stale(mentions: &mut Vec<MentionDraft>, published: Option<Date>, text: &str) {
    let Some(cut) = published.and_then(|p| p.checked_sub(time::Duration::days(STALE_DAYS))) else {
        return;
    };
    let has_year = |t: &TimeExpr| {
        let s = text
            .get(t.span.start as usize..t.span.end as usize)
            .unwrap_or("")
            .as_bytes();
        s.windows(4).any(|w| w.iter().all(u8::is_ascii_digit))
    };
    mentions.retain(|m| {
        m.when
            .is_none_or(|t| t.end >= cut || !m.span.contains(t.span) || !has_year(&t))
    });
}

/// Words that make the act after them one already told: "the attack", "this bombing".
const DEFINITE: &[&str] = &["the", "this"];

/// The draft a mention tells again when its only acts are violent ones named by a definite noun
/// phrase ("investigators said the attack bore the hallmarks of …", "the stabbing happened
/// near a school") and it gives no figure and no place of its own elsewhere: the latest violent
/// event of the same family when the noun names its means ("the bombing"), else the story's
/// first violent event, the one its lead tells.
fn restated_incident(c: &Ctx, m: &MentionDraft, drafts: &[Draft]) -> Option<usize> {
    if !m.figures.is_empty() {
        return None;
    }
    restated_act(c, m, drafts)
}

/// The draft whose act mention `m` names again by a definite noun phrase, whatever figures it
/// gives ("the group claimed the bombing and put the toll at 17": another source's toll of the
/// story's bombing); see [`restated_incident`].
fn restated_act(c: &Ctx, m: &MentionDraft, drafts: &[Draft]) -> Option<usize> {
    let (a, b) = (c.doc.token_at(m.span.start), c.doc.token_at(m.span.end));
    let mut named: Option<(Trigger, usize)> = None;
    for k in a..b {
        if c.masked(k) {
            continue;
        }
        let longest = super::candidates::listed_trigger(c, k, b)
            .map(|(t, _)| t.clone())
            .or_else(|| {
                // "the shooting", "this stabbing": a noun of an incident.
                non_attack_words("incident_noun")
                    .contains(c.low[k].as_str())
                    .then_some(Trigger {
                        family: Family::ViolenceAgainstCivilians,
                        kind: EventType::Attack,
                        weapon: None,
                    })
            });
        let Some(t) = longest else {
            continue;
        };
        let definite = k > a && DEFINITE.contains(&c.low[k - 1].as_str());
        if !definite || !lethal(t.family, t.kind) {
            return None;
        }
        named = Some((t, k));
    }
    let (t, head) = named?;
    let fits = |d: &Draft| {
        d.lethal()
            && !other_time(c, d, m)
            && (m.places.is_empty()
                || m.places.iter().any(|(p, _)| {
                    d.places
                        .iter()
                        .any(|(q, _)| p.index == q.index || contains(q, p) || contains(p, q))
                }))
    };
    // "the strike" after "dock workers went on strike": the event told with the same noun.
    if let Some(i) = same_noun_antecedent(c, m, drafts, head) {
        if !drafts[i].lethal() || fits(&drafts[i]) {
            return Some(i);
        }
    }
    let by_means = t.weapon.as_ref().and_then(|_| {
        (0..drafts.len())
            .rev()
            .find(|&i| fits(&drafts[i]) && drafts[i].family == refine(&t, &[]).0)
    });
    by_means.or_else(|| (0..drafts.len()).find(|&i| fits(&drafts[i])))
}

/// How many of the latest drafts a definite noun looks back over for its antecedent, and how many
/// clauses of each: an incident told again is told soon after, and the search stays bounded.
const ANTECEDENT_DRAFTS: usize = 8;
const ANTECEDENT_CLAUSES: usize = 8;

/// The latest draft (of any family) told with the word at token `head` ("strike", "strikes") in
/// one of its clauses before mention `m`: the antecedent of a definite noun ("the strike closed
/// the port" after "dock workers went on strike" is the labour strike told again, not an air
/// strike).
fn same_noun_antecedent(c: &Ctx, m: &MentionDraft, drafts: &[Draft], head: usize) -> Option<usize> {
    let noun = c.low[head].trim_end_matches('s');
    (0..drafts.len()).rev().take(ANTECEDENT_DRAFTS).find(|&i| {
        drafts[i]
            .evidence
            .iter()
            .take(ANTECEDENT_CLAUSES)
            .filter(|e| e.end <= m.span.start)
            .any(|e| {
                let (a, b) = (c.doc.token_at(e.start), c.doc.token_at(e.end));
                (a..b).any(|k| !c.masked(k) && c.low[k].trim_end_matches('s') == noun)
            })
    })
}

/// The family, type and specificity of a mention: the typer decides; the lexicon's reading
/// ([`lexical_type`]) stands where the mention only continues the event before, or where no
/// model is embedded.
fn mention_type(
    m: &MentionDraft,
    drafts: &[Draft],
    last_violent: Option<usize>,
) -> (Family, EventType, bool) {
    let lexical = lexical_type(m, drafts, last_violent);
    let continues = m.trigger.is_none()
        && !m.figures.is_empty()
        && last_violent.is_some_and(|i| m.paragraph <= drafts[i].paragraph + 1);
    match (m.typed, &m.scores, crate::typing::model()) {
        (Some((f, k, _)), _, _) => (f, k, true),
        (None, Some(scores), Some(model)) if !continues => {
            match crate::typing::with_prior(model, scores, lexical) {
                // A clause that counts dead or wounded tells of violence: where the model reads
                // another family and the lexicon reads violence, the lexicon stands.
                Some((f, k))
                    if !m.figures.is_empty() && !lethal(f, k) && lethal(lexical.0, lexical.1) =>
                {
                    lexical
                }
                Some((f, k)) => (f, k, lexical.2),
                None => lexical,
            }
        }
        _ => lexical,
    }
}

/// The type the trigger lexicon gives a mention.
fn lexical_type(
    m: &MentionDraft,
    drafts: &[Draft],
    last_violent: Option<usize>,
) -> (Family, EventType, bool) {
    match &m.trigger {
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
        // A figure with no trigger of its own continues the last violent event nearby.
        None => match last_violent.map(|i| &drafts[i]) {
            Some(d) if m.paragraph <= d.paragraph + 1 => (d.family, d.kind, false),
            _ => (Family::ViolenceAgainstCivilians, EventType::Attack, false),
        },
    }
}

/// A diplomatic or other non-lethal act joins a recent draft of the same act told again, or
/// starts a draft. It happens at its venue ("met in Geneva"), not at the places it is about
/// ("condemning attacks on El Obeid"), and has one venue: the first ("met in Doha for talks on
/// a ceasefire in North Kivu").
fn merge_act(
    c: &Ctx,
    drafts: &mut Vec<Draft>,
    m: &MentionDraft,
    (family, kind, specific): (Family, EventType, bool),
) {
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
    // Only recent drafts: a restatement comes soon after, and the search stays bounded.
    let same = drafts
        .iter_mut()
        .rev()
        .take(50)
        .find(|d| d.kind == kind && d.family == family && restates(d, m, family));
    match same {
        Some(d) if d.paragraph + 1 >= m.paragraph => absorb(d, m),
        _ => drafts.push(new_draft(m, family, kind, specific)),
    }
}

/// Whether a non-lethal mention restates the act of draft `d`: at the same place; or, for
/// diplomacy, with no place, no one new and no other day ("The meeting was the first direct
/// contact..." restates, "met again on Thursday" does not); or with no places and the same
/// initiator.
fn restates(d: &Draft, m: &MentionDraft, family: Family) -> bool {
    same_places(&d.places, &m.places)
        || (family == Family::Diplomacy
            && m.places.is_empty()
            && !d.places.is_empty()
            && m.actors
                .iter()
                .all(|a| d.actors.iter().any(|x| x.name == a.name))
            && m.when.is_none_or(|t| {
                t.precision != TimePrecision::Day || d.when.is_some_and(|w| w.start == t.start)
            }))
        || (d.places.is_empty()
            && m.places.is_empty()
            && d.actors.iter().any(|a| {
                m.actors.iter().any(|b| {
                    a.name == b.name && a.role == Role::Initiator && b.role == Role::Initiator
                })
            }))
}

/// Acts of a negotiation told without a place ("The rebels demanded...", "Kinshasa's delegation
/// rejected...") happen at the talks: the latest meeting with a venue, told in the same or one
/// of the three paragraphs before, when the act's initiator takes part in it or none is named.
pub(super) fn venue_of_talks(drafts: &mut [Draft]) {
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
pub(super) fn settle_diplomatic_roles(drafts: &mut [Draft]) {
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

/// Demonstrations in several towns ("marched peacefully in Mombasa, Nakuru and Eldoret") are an
/// event in each, as ACLED codes them. A protest with figures stays whole (its figures cannot be
/// shared out), as does one that other events or a total refer to.
pub(super) fn split_protests(
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
pub(super) fn one_list(c: &Ctx, places: &[(Place, usize)]) -> bool {
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
pub(super) fn fold_union_totals(
    drafts: Vec<Draft>,
    mut totals: Vec<RawTotal>,
) -> (Vec<Draft>, Vec<RawTotal>) {
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
pub(super) fn link_parts(drafts: &mut [Draft]) {
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

/// Figures with no place of their own: a total over other events, a second figure for a nearby
/// event, or an event of their own.
pub(super) fn place_deferred(
    c: &Ctx,
    drafts: &mut Vec<Draft>,
    deferred: Vec<MentionDraft>,
    warnings: &mut Vec<Warning>,
) -> Vec<RawTotal> {
    let mut totals = Vec::new();
    for m in deferred {
        let mut leftover = Vec::new();
        for f in &m.figures {
            if let Some(total) = total_of_roots(drafts, f, &m) {
                totals.push(total);
                continue;
            }
            // The nearest violent event in the same or the previous sentence takes the figure.
            let near = (0..drafts.len())
                .filter(|&i| drafts[i].lethal() && !other_time(c, &drafts[i], &m))
                .filter(|&i| !opposed(&drafts[i], &m))
                .filter(|&i| {
                    drafts[i].evidence.iter().any(|s| {
                        c.doc
                            .sentence_at(s.start)
                            .is_some_and(|si| si + 2 >= m.sentence && si <= m.sentence + 1)
                    })
                })
                .min_by_key(|&i| (drafts[i].sentence as i64 - m.sentence as i64).unsigned_abs())
                // A bare figure further on in the paragraph ("… 1 fatality.") is the toll of its
                // latest violent event.
                .or_else(|| {
                    (0..drafts.len()).rev().find(|&i| {
                        m.trigger.is_none()
                            && drafts[i].lethal()
                            && !opposed(&drafts[i], &m)
                            && drafts[i].paragraph == m.paragraph
                    })
                })
                // An act named again by a definite noun, further on: its event's figure, from
                // another source ("the group claimed the bombing and put the toll at 17").
                .or_else(|| {
                    restated_act(c, &m, drafts)
                        .filter(|&i| drafts[i].lethal() && !opposed(&drafts[i], &m))
                });
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
            deferred_event(c, drafts, &m, &leftover, warnings);
        }
    }
    totals
}

/// The countries of the initiators among `actors`.
fn initiator_countries(actors: &[EventActor]) -> Vec<&str> {
    actors
        .iter()
        .filter(|a| a.role == Role::Initiator)
        .filter_map(|a| a.country.as_deref())
        .collect()
}

/// Whether mention `m` tells an act by the other side of draft `d`: both name initiators of a
/// state and no state is among both ("Hezbollah said it fired rockets in response, wounding
/// two soldiers" after an Israeli strike). A reply is another incident, with figures of its
/// own, however near it is told.
fn opposed(d: &Draft, m: &MentionDraft) -> bool {
    let (ours, theirs) = (
        initiator_countries(&d.actors),
        initiator_countries(&m.actors),
    );
    !ours.is_empty() && !theirs.is_empty() && !theirs.iter().any(|t| ours.contains(t))
}

/// Whether mention `m` tells its own time ("In March, a roadside bomb killed three soldiers")
/// and it lies outside the time of draft `d`: another incident, not a figure for `d`. The time
/// of a statement ("state media said on Tuesday") is not the act's.
fn other_time(c: &Ctx, d: &Draft, m: &MentionDraft) -> bool {
    let (Some(t), Some(w)) = (m.when, d.when) else {
        return false;
    };
    let k = c.doc.token_at(t.span.start);
    let said = (k.saturating_sub(2)..k).any(|j| c.lex.speech_verbs.contains(c.low[j].as_str()));
    let own = m.span.contains(t.span) && !said;
    let known = |p: TimePrecision| p != TimePrecision::Unknown;
    own && known(t.precision) && known(w.precision) && (t.end < w.start || t.start > w.end)
}

/// A figure that adds up the figures of two or more root events is their total; one that does
/// not is more likely a second source's figure for a single event (`None`).
fn total_of_roots(drafts: &[Draft], f: &RawFigure, m: &MentionDraft) -> Option<RawTotal> {
    let mut roots: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].part_of.is_none() && drafts[i].lethal())
        .filter(|&i| figure_of(&drafts[i], f.kind).is_some())
        .collect();
    // The parts of a total are told next to it ("killed five, including two near Sidon. The
    // other three were killed in Nabatieh"); a toll told further away ("earlier this month, a
    // strike near Tyre killed a man") is another incident: the nearest roots that add up.
    roots.sort_by_key(|&i| (drafts[i].sentence as i64 - m.sentence as i64).unsigned_abs());
    let mut sum = 0;
    for (n, &i) in roots.iter().enumerate() {
        sum += figure_of(&drafts[i], f.kind).map_or(0, |x| x.value);
        let consistent = sum == f.count.value
            || (f.count.at_least() && sum >= f.count.value)
            || (f.count.qualifier == Qualifier::AtMost
                && n + 1 == roots.len()
                && sum <= f.count.value);
        if n >= 1 && consistent {
            let mut covers = roots[..=n].to_vec();
            covers.sort_unstable();
            return Some((f.kind, f.count, covers, true, m.span));
        }
    }
    None
}

/// A deferred mention with figures no event took, or a trigger and no figures: restating an
/// event drafted nearby adds evidence; a passing mention of violence in a report that places its
/// events elsewhere adds nothing; otherwise it is an event of its own.
fn deferred_event(
    c: &Ctx,
    drafts: &mut Vec<Draft>,
    m: &MentionDraft,
    leftover: &[RawFigure],
    warnings: &mut Vec<Warning>,
) {
    if leftover.is_empty() {
        let near = drafts.iter().position(|d| {
            d.lethal()
                && d.paragraph + 1 >= m.paragraph
                && m.paragraph + 1 >= d.paragraph
                && !opposed(d, m)
        });
        if let Some(i) = near {
            absorb(&mut drafts[i], m);
            return;
        }
        if drafts.iter().any(|d| d.lethal()) {
            return;
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
    let mut d = new_draft(m, family, kind, specific);
    for f in leftover {
        set_figure(&mut d, f, warnings, &c.doc.text);
    }
    drafts.push(d);
}

pub(super) fn figure_of(d: &Draft, kind: CasualtyKind) -> Option<Count> {
    match kind {
        CasualtyKind::Killed => d.casualties.killed,
        CasualtyKind::Injured => d.casualties.injured,
    }
}

/// Warn when the parts of an event add up to more than the event's own figure.
pub(super) fn check_parts(drafts: &[Draft], warnings: &mut Vec<Warning>) {
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
pub(super) fn inherit_from_parents(drafts: &mut [Draft]) {
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

/// The event `i` as written out: actors (with the state struck), locations, time, figures.
pub(super) fn to_event(c: &Ctx, i: usize, d: &Draft, published: Option<Date>) -> Event {
    let text = &c.doc.text;
    let mut actors = d.actors.clone();
    actors.extend(struck_state(c, d));
    let locations = d
        .places
        .iter()
        .map(|(p, tok)| location(c, p, *tok))
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
        modality: super::modality::of_event(d.family, d.modality),
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

/// The state whose territory was struck is the target when another state struck it (a lethal
/// event with no target, whose initiators all belong to other countries).
fn struck_state(c: &Ctx, d: &Draft) -> Option<EventActor> {
    if !d.lethal() || d.actors.iter().any(|a| a.role == Role::Target) {
        return None;
    }
    let init: Vec<Option<String>> = d
        .actors
        .iter()
        .filter(|a| a.role == Role::Initiator)
        .map(|a| a.country.clone())
        .collect();
    let (p, _) = d.places.first()?;
    let foreign = !init.is_empty()
        && init
            .iter()
            .all(|cc| cc.as_deref().is_some_and(|cc| cc != p.country));
    if !foreign {
        return None;
    }
    let e = c
        .lex
        .actors
        .iter()
        .find(|e| e.kind == ActorKind::State && e.country.as_deref() == Some(p.country))?;
    Some(EventActor {
        name: e.canonical.clone(),
        kind: ActorKind::State,
        country: e.country.clone(),
        role: Role::Target,
        mention: None,
        inter: None,
    })
}

/// Events with no place of their own take the report's place the learned site model
/// ([`crate::event_place`]) prefers to none: a note's lead names its place once, and the
/// clause an event is read from often names none.
pub(super) fn site_unplaced(c: &Ctx, drafts: &mut [Draft]) {
    let Some(model) = crate::event_place::model() else {
        return;
    };
    if drafts.iter().all(|d| !d.places.is_empty()) {
        return;
    }
    let cands = crate::event_place::candidates(c.rec, |k| c.masked(k));
    let fixed = crate::event_place::report_features(c.rec, &cands);
    for d in drafts.iter_mut().filter(|d| d.places.is_empty()) {
        let Some(&event) = d.evidence.first() else {
            continue;
        };
        let site = crate::event_place::choose(model, c.doc, c.rec, &cands, &fixed, d.family, event);
        if let Some(i) = site {
            d.places = vec![(cands[i].place, c.rec.mentions[cands[i].mention].first)];
        }
    }
}

/// The location of place `p`, named by the mention at token `tok`.
fn location(c: &Ctx, p: &Place, tok: usize) -> Location {
    let gaz = sitrep_gazetteer::Gazetteer::global();
    let m = c
        .rec
        .mentions
        .iter()
        .find(|m| m.first == tok)
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
}

#[cfg(test)]
mod tests {
    use super::super::testing::events;
    use super::*;
    use crate::lexicon::Trigger;

    #[test]
    fn an_act_dated_with_its_year_long_before_publication_is_background() {
        let on = |text: &str| {
            let mut input = crate::Input {
                text: text.into(),
                ..crate::Input::default()
            };
            input.meta.published = Some(time::macros::date!(2025 - 01 - 15));
            crate::extract(input).events
        };
        let old = on("Gunmen killed five villagers near Jos in February 2012.");
        assert!(old.is_empty(), "{old:?}");
        // Without a year the date is the latest such day, months back in January: news.
        let recent = on("On September 29, gunmen killed five villagers near Jos.");
        assert_eq!(recent.len(), 1, "{recent:?}");
    }

    #[test]
    fn a_reply_by_the_other_side_keeps_its_own_figures() {
        let ev = events(
            "A Russian missile strike on a depot in Kharkiv killed three workers on Monday. \
             Ukraine said it fired rockets at western Russia in response, wounding four soldiers.",
        );
        let killed: Vec<_> = ev
            .iter()
            .filter(|e| e.casualties.killed.is_some())
            .collect();
        assert_eq!(killed.len(), 1, "{ev:?}");
        assert_eq!(killed[0].casualties.injured, None, "{ev:?}");
        assert!(
            ev.iter()
                .any(|e| e.casualties.injured.map(|c| c.value) == Some(4)),
            "{ev:?}"
        );
    }

    #[test]
    fn a_toll_told_again_at_the_same_place_is_one_event() {
        let ev = events(
            "On 5 May 2022, an airstrike killed 4 people in Kharkiv. \
             The strike on Kharkiv also wounded 7 people.",
        );
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0].casualties.killed.map(|c| c.value), Some(4));
        assert_eq!(ev[0].casualties.injured.map(|c| c.value), Some(7));
    }

    #[test]
    fn an_incident_told_again_by_a_definite_noun_is_one_event_with_all_its_evidence() {
        let ev = events(
            "A bomb exploded at a bus station in Mombasa on Monday, killing six people.\n\n\
             Witnesses described scenes of panic.\n\n\
             In January, a roadside bomb killed two soldiers near Garissa.\n\n\
             Investigators said the attack bore the marks of a local cell. \
             No group has claimed the bombing.",
        );
        let lethal: Vec<_> = ev.iter().filter(|e| e.family.is_violent()).collect();
        assert_eq!(lethal.len(), 2, "{ev:?}");
        let first = lethal
            .iter()
            .find(|e| e.casualties.killed.map(|c| c.value) == Some(6))
            .expect("the lead's bombing");
        assert!(
            first
                .evidence
                .iter()
                .any(|s| s.text.contains("bore the marks")),
            "{first:?}"
        );
        // Told again three paragraphs later, it is still the same incident.
        let ev = events(
            "Two men were shot dead in a car park in Marseille on Wednesday.\n\n\
             Neighbours said they heard six or seven shots.\n\n\
             The city has seen a rise in drug crime.\n\n\
             Prosecutors said the attack was linked to the drug trade.",
        );
        let two = ev
            .iter()
            .find(|e| e.casualties.killed.map(|c| c.value) == Some(2))
            .expect("the shooting");
        assert!(
            two.evidence.iter().any(|s| s.text.contains("drug trade")),
            "{ev:?}"
        );
        // A protest about the attack is a protest, not the attack told again.
        let ev = events(
            "Gunmen killed four farmers in Jos on Monday. Hundreds protested the attack in Jos on \
             Tuesday.",
        );
        assert!(
            ev.iter()
                .any(|e| e.family == sitrep_model::Family::Protests),
            "{ev:?}"
        );
    }

    #[test]
    fn a_figure_told_with_another_time_is_no_figure_of_the_event_before() {
        let ev = events(
            "On 5 May 2022, a bomb exploded at a bus station in Mombasa, killing six people. \
             In January 2022, a roadside bomb killed two soldiers near the port.",
        );
        let killed: Vec<_> = ev
            .iter()
            .filter_map(|e| e.casualties.killed.map(|c| c.value))
            .collect();
        assert!(killed.contains(&6) && killed.contains(&2), "{ev:?}");
    }

    /// A mention of `trigger` with one death figure, whose typer scores put `label` far ahead.
    fn counted_mention(trigger: Trigger, label: &str) -> MentionDraft {
        let model = crate::typing::model().expect("the typer is embedded");
        let mut scores = vec![0.0; model.labels().len()];
        scores[model.label_index(label).expect(label)] = 1000.0;
        MentionDraft {
            sentence: 0,
            paragraph: 0,
            span: Span::new(0, 10),
            trigger: Some((trigger, false)),
            places: Vec::new(),
            figures: vec![RawFigure {
                kind: CasualtyKind::Killed,
                count: sitrep_model::Count::exact(9),
                span: Span::new(0, 10),
                sources: Vec::new(),
                subset: false,
                revision: false,
                single: false,
                side: None,
                also: false,
                coded: false,
            }],
            actors: Vec::new(),
            weapons: Vec::new(),
            when: None,
            sources: Vec::new(),
            combatant_victims: false,
            typed: None,
            scores: Some(scores),
            modality: Default::default(),
        }
    }

    #[test]
    fn a_clause_counting_dead_stays_violence_where_the_lexicon_reads_violence() {
        let strike = Trigger {
            family: Family::ExplosionsRemoteViolence,
            kind: EventType::AirDroneStrike,
            weapon: None,
        };
        let m = counted_mention(strike, "strategic_developments/other");
        let (family, _, _) = mention_type(&m, &[], None);
        assert_eq!(family, Family::ExplosionsRemoteViolence);
        // Without a figure the model's reading stands.
        let mut bare = m.clone();
        bare.figures.clear();
        assert_eq!(
            mention_type(&bare, &[], None).0,
            Family::StrategicDevelopments
        );
    }

    #[test]
    fn a_figure_that_adds_up_two_events_is_a_total() {
        let x = crate::extract(crate::Input {
            text: "On 5 May 2022, a drone strike killed 3 people in Kharkiv and shelling killed \
                   2 people in Izium. In all, 5 people were killed in Ukraine."
                .into(),
            ..crate::Input::default()
        });
        let roots: u64 = x
            .events
            .iter()
            .filter(|e| e.part_of.is_none())
            .filter_map(|e| e.casualties.killed.map(|c| c.value))
            .sum();
        assert_eq!(roots, 5, "{:?}", x.events);
        assert_eq!(x.totals.len(), 1, "{:?}", x.totals);
    }

    #[test]
    fn a_bare_toll_at_the_paragraphs_end_is_its_events() {
        let ev = events(
            "On 5 May 2022, gunmen shot and killed a man in Goma. The motive is unknown. \
             Police opened an investigation. 1 fatality.",
        );
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0].casualties.killed.map(|c| c.value), Some(1));
    }

    #[test]
    fn an_event_told_without_a_place_takes_the_notes_place() {
        let ev = events(
            "On 15 May 2022, nearly 200 people gathered in Kenosha (Wisconsin) to support \
             access to abortion. The protest was sparked by a court ruling.",
        );
        let names: Vec<&str> = ev
            .iter()
            .flat_map(|e| e.locations.iter().map(|l| l.mention.as_str()))
            .collect();
        assert_eq!(names, ["Kenosha"], "{ev:?}");
    }

    fn extract_on(text: &str, published: time::Date) -> sitrep_model::Extraction {
        let mut input = crate::Input {
            text: text.into(),
            ..crate::Input::default()
        };
        input.meta.published = Some(published);
        crate::extract(input)
    }

    fn killed(e: &sitrep_model::Event) -> Option<u64> {
        e.casualties.killed.map(|c| c.value)
    }

    #[test]
    fn an_act_dated_months_before_publication_is_background() {
        let text = "Protesters marched in Sanford on Saturday. A neighbourhood watchman shot and \
                    killed a teenager in Sanford in February 2012.";
        let ev = extract_on(text, time::macros::date!(2016 - 05 - 12)).events;
        assert!(ev.iter().all(|e| killed(e).is_none()), "{ev:?}");
        let ev = extract_on(text, time::macros::date!(2012 - 03 - 01)).events;
        assert!(ev.iter().any(|e| killed(e) == Some(1)), "{ev:?}");
    }

    #[test]
    fn a_definite_noun_restates_the_event_told_with_the_same_noun() {
        let ev = events(
            "Gunmen killed four farmers in Jos on Monday.\n\n\
             Dock workers in Lagos went on strike on Tuesday to demand higher pay, and the strike \
             closed the port.",
        );
        let jos = ev
            .iter()
            .find(|e| killed(e) == Some(4))
            .expect("the killing");
        assert!(
            jos.evidence
                .iter()
                .all(|s| !s.text.contains("closed the port")),
            "{ev:?}"
        );
    }

    #[test]
    fn a_claim_that_names_the_attack_again_gives_its_figure_not_a_new_event() {
        let ev = events(
            "A car bomb killed nine people at a market in Baidoa on Sunday, police said.\n\n\
             Relatives waited outside the hospital for news.\n\n\
             Doctors said several of the wounded were in a serious condition.\n\n\
             The group claimed the bombing on its radio station and put the toll at 20 soldiers.",
        );
        let lethal: Vec<_> = ev.iter().filter(|e| e.family.is_violent()).collect();
        assert_eq!(lethal.len(), 1, "{ev:?}");
        assert_eq!(killed(lethal[0]), Some(9), "{ev:?}");
    }

    #[test]
    fn a_total_adds_up_the_events_told_next_to_it_not_an_older_one() {
        let x = crate::extract(crate::Input {
            text: "Air strikes killed five people in northern Syria on Tuesday, including two men \
                   whose car was hit outside Idlib.\n\n\
                   The other three were killed when a strike hit a house in Sarmada.\n\n\
                   Earlier this month, a strike near Jisr al-Shughur killed a man."
                .into(),
            ..crate::Input::default()
        });
        let idlib = x
            .events
            .iter()
            .find(|e| e.locations.iter().any(|l| l.mention == "Idlib"))
            .expect("Idlib");
        assert_eq!(killed(idlib), Some(2), "{:?}", x.events);
        assert_eq!(x.totals.len(), 1, "{:?}", x.totals);
        assert_eq!(x.totals[0].covers.len(), 2, "{:?}", x.totals);
    }

    #[test]
    fn victims_of_two_sides_add_up_and_two_sources_disagree() {
        let ev = events(
            "Twelve soldiers were killed in clashes near Gao on Sunday, the army said. \
             Eight militants were also killed in the fighting.",
        );
        assert_eq!(
            ev.iter().filter_map(killed).collect::<Vec<_>>(),
            [20],
            "{ev:?}"
        );
        let ev = events(
            "An air strike on a market in Gao on Sunday killed 17 civilians, the rebels said. \
             The army said the strike killed eight rebel fighters.",
        );
        assert_eq!(
            ev.iter().filter_map(killed).collect::<Vec<_>>(),
            [8],
            "{ev:?}"
        );
    }
}
