//! Events, their casualties and their reconciliation inside one report.
//!
//! Each sentence is cut into clauses ("…, while two others were killed …"); a clause with an
//! event trigger or a casualty figure is an *event mention*. Mentions at the same places merge
//! into one event; an event whose places lie inside another's (a district of a city, a city of a
//! country) is `part_of` it; a figure with no place of its own that adds up other events is a
//! [`Total`], never a further event. The sum of `killed` over root events so counts each death once.

mod arguments;
mod candidates;
mod figures;
mod modality;
mod reconcile;
mod reporters;

use crate::lexicon::{word_classes, words_of, ActorForm, Lexicon, Trigger, WordClasses};
use crate::mentions::{Mention, Recognized, Referent};
use crate::quotes::Quoted;
use sitrep_gazetteer::{distance_km, Feature, Place};
use sitrep_model::*;
use sitrep_text::numbers::{self, NumberMention};
use sitrep_text::timex::{self, TimeExpr};
use sitrep_text::{Document, TokenKind};
use time::Date;

use arguments::*;
use candidates::*;
use figures::*;
use reconcile::*;
use reporters::*;

/// No real report has more event mentions; past this, input is junk or an attack, and the
/// reconciliation's cost (quadratic in events) is bounded by cutting it off.
const MAX_MENTIONS: usize = 2_000;
/// Evidence spans kept per event.
const MAX_EVIDENCE: usize = 32;

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
    /// The side its victims' noun names (`state`, `armed`, `civilian` of `data/casualties.tsv`):
    /// figures of two sides add up, see [`figures::victim_side`].
    side: Option<&'static str>,
    /// Told as more victims besides those counted ("were also killed").
    also: bool,
    /// A coder's count for the event ("fatalities coded as 3", "4 fatalities split across 2
    /// events"): it stands whatever else the note counts.
    coded: bool,
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
    /// How the clause tells its act ([`modality::of_act`]).
    modality: Modality,
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
    /// Asserted when any of its mentions asserts it.
    modality: Modality,
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

/// Events that kill and wound, whose figures are theirs: the violent families, and force used on
/// protesters ("a man was shot dead when police opened fire on a sit-in").
fn lethal(family: Family, kind: EventType) -> bool {
    family.is_violent() || kind == EventType::ExcessiveForceAgainstProtesters
}

impl Draft {
    /// See [`lethal`].
    fn lethal(&self) -> bool {
        lethal(self.family, self.kind)
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
    events_of(doc, lex, rec, quoted, published, true)
}

/// The events as the site model's trainer reads them: an event with no place of its own keeps
/// none (see [`crate::event_place`]).
pub fn extract_events_unsited(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    quoted: &Quoted,
    published: Option<Date>,
) -> EventOutput {
    events_of(doc, lex, rec, quoted, published, false)
}

fn events_of(
    doc: &Document,
    lex: &Lexicon,
    rec: &Recognized,
    quoted: &Quoted,
    published: Option<Date>,
    sites: bool,
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
    drop_future(&mut mentions, published);
    drop_stale(&mut mentions, published, &c.doc.text);
    let mut warnings = Vec::new();
    cap_mentions(&mut mentions, &mut warnings);
    let (mut drafts, deferred) = merge_mentions(&c, &mentions, &mut warnings);
    settle_diplomatic_roles(&mut drafts);
    venue_of_talks(&mut drafts);
    link_parts(&mut drafts);
    let totals = place_deferred(&c, &mut drafts, deferred, &mut warnings);
    check_parts(&drafts, &mut warnings);
    inherit_from_parents(&mut drafts);
    let (mut drafts, totals) = fold_union_totals(drafts, totals);
    if sites {
        site_unplaced(&c, &mut drafts);
    }
    for d in &mut drafts {
        fallback_actors(&c, d);
    }
    let (mut drafts, totals) = split_protests(&c, drafts, totals);
    let story_time = story_time(&mentions);
    for d in drafts.iter_mut().filter(|d| d.when.is_none() && d.lethal()) {
        d.when = story_time;
    }
    let mut events: Vec<Event> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| to_event(&c, i, d, published))
        .collect();
    let typing = crate::actor_types::Context { doc, lex, rec };
    crate::actor_types::assign(&typing, &mut events);
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

/// What the report says is yet to come ("organisers said they would return to the streets
/// next Tuesday", "talks resume next week") has not happened: it is no event.
/// Only a time told in the mention's own clause says so, and figures are news whatever else
/// the sentence looks forward to ("killed 23 as mediators prepared for talks next week").
fn drop_future(mentions: &mut Vec<MentionDraft>, published: Option<Date>) {
    if let Some(p) = published {
        mentions.retain(|m| {
            !m.figures.is_empty()
                || m.when
                    .is_none_or(|t| t.start <= p || !m.span.contains(t.span))
        });
    }
}

/// Keep at most [`MAX_MENTIONS`] mentions, with a warning when some are cut.
fn cap_mentions(mentions: &mut Vec<MentionDraft>, warnings: &mut Vec<Warning>) {
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
}

/// The time of the lead: events told later without a time of their own happened then.
fn story_time(mentions: &[MentionDraft]) -> Option<TimeExpr> {
    let first_para = mentions.first()?.paragraph;
    mentions
        .iter()
        .filter(|m| m.paragraph == first_para)
        .find_map(|m| m.when)
}

type RawTotal = (CasualtyKind, Count, Vec<usize>, bool, Span);

/// Helpers for the stage files' tests.
#[cfg(test)]
mod testing {
    use super::*;

    /// Run `f` on the context of `text`, recognised as the pipeline does.
    pub(super) fn with_ctx<R>(text: &str, f: impl FnOnce(&Ctx) -> R) -> R {
        let lex = Lexicon::global();
        let doc = Document::new(text.to_string());
        let rec = crate::mentions::recognize(&doc, lex, sitrep_gazetteer::Gazetteer::global());
        let quoted = crate::quotes::find(&doc, lex, &rec);
        let c = Ctx {
            doc: &doc,
            lex,
            rec: &rec,
            quoted: &quoted,
            low: &rec.low,
        };
        f(&c)
    }

    /// The events of `text`, extracted whole.
    pub(super) fn events(text: &str) -> Vec<Event> {
        crate::extract(crate::Input {
            text: text.into(),
            ..crate::Input::default()
        })
        .events
    }
}
