//! Text and gazetteer to sourced events.
//!
//! [`extract`] reads one report and returns its `sitrep.extract/1` [`Extraction`]: the events a
//! careful analyst would code (type, actors, places, time, weapons, casualties and who gave
//! them), the quotations with their speakers, and every entity with its mentions. Every fact
//! carries the byte spans it was read from.
//!
//! The stages, in order: [`mentions`] (people, actors, places in context), [`quotes`], then
//! [`events`] (triggers, casualties, reconciliation inside the report).
//!
//! Architecture invariant: pure functions of (text, metadata, embedded data); no I/O, no SQL,
//! no HTTP. The lexicons in `data/` and the gazetteer are compiled in.

pub mod actor_types;
pub mod event_place;
pub mod events;
pub mod geocode;
pub mod lexicon;
pub mod meanings;
pub mod mentions;
pub mod ner;
pub mod quotes;
mod render;
pub mod speakers;
pub mod typing;

use lexicon::Lexicon;
use mentions::Referent;
use sitrep_gazetteer::Gazetteer;
use sitrep_model::*;
use sitrep_text::Document;

pub use render::render_text;

/// One report to read: its text and what is known about it.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub meta: ReportMeta,
    pub text: String,
    /// Warnings raised before extraction (decoding, truncation).
    pub warnings: Vec<Warning>,
}

/// The years a publication date may fall in; a date outside is set aside with a warning.
pub const PUBLISHED_YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;

/// How long one report may take before the stages still to run are skipped with a warning:
/// every stage is linear in the report's length, so this is a last guard, not a limit that
/// a news report comes near (a 1 MB report takes well under a second).
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

/// Read one report. Never panics: a stage that fails is contained to this report, which is
/// returned with what could be read and an `extraction_failed` warning.
pub fn extract(mut input: Input) -> Extraction {
    if let Some(d) = input
        .meta
        .published
        .filter(|d| !PUBLISHED_YEARS.contains(&d.year()))
    {
        input.warnings.push(Warning {
            code: WarningCode::DateOutOfRange,
            message: format!(
                "publication date {d} is outside {}-{}: set aside, relative times are left unresolved",
                PUBLISHED_YEARS.start(),
                PUBLISHED_YEARS.end()
            ),
            span: None,
        });
        input.meta.published = None;
    }
    let meta = input.meta.clone();
    let before = input.warnings.clone();
    contained(meta, before, || extract_stages(input))
}

/// Runs `stages`; if they panic, the report's extraction is its metadata and warnings and an
/// `extraction_failed` warning saying why, so one bad report never stops a batch.
fn contained(
    meta: ReportMeta,
    warnings: Vec<Warning>,
    stages: impl FnOnce() -> Extraction,
) -> Extraction {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(stages)) {
        Ok(x) => x,
        Err(panic) => failed(meta, warnings, panic_message(panic.as_ref())),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into())
}

/// The extraction of a report whose stages failed: its metadata and warnings, no facts.
fn failed(report: ReportMeta, mut warnings: Vec<Warning>, why: String) -> Extraction {
    warnings.push(Warning {
        code: WarningCode::ExtractionFailed,
        message: format!("extraction failed on this report and was skipped: {why}"),
        span: None,
    });
    Extraction {
        schema: EXTRACT_SCHEMA.to_string(),
        report,
        events: Vec::new(),
        totals: Vec::new(),
        quotes: Vec::new(),
        entities: Vec::new(),
        warnings,
    }
}

fn extract_stages(input: Input) -> Extraction {
    let started = std::time::Instant::now();
    let lex = Lexicon::global();
    let gaz = Gazetteer::global();
    let mut warnings = input.warnings;
    if input.meta.published.is_none() {
        warnings.push(Warning {
            code: WarningCode::NoPublicationDate,
            message: "no publication date: relative times (\"yesterday\", \"on Tuesday\") are left unresolved".into(),
            span: None,
        });
    }
    if input.text.trim().is_empty() {
        warnings.push(Warning {
            code: WarningCode::EmptyText,
            message: "the report has no text".into(),
            span: None,
        });
    }
    let doc = Document::new(input.text);
    let rec = mentions::recognize(&doc, lex, gaz);
    let quoted = quotes::find(&doc, lex, &rec);
    for u in &quoted.unclosed {
        warnings.push(Warning {
            code: WarningCode::UnclosedQuote,
            message: "a quotation mark is never closed".into(),
            span: Some(*u),
        });
    }
    let ev = if started.elapsed() > TIME_BUDGET {
        warnings.push(Warning {
            code: WarningCode::TimeBudget,
            message: format!(
                "recognising names and quotes took {:.1} s, past the budget of {} s: events were not read",
                started.elapsed().as_secs_f64(),
                TIME_BUDGET.as_secs()
            ),
            span: None,
        });
        events::EventOutput::default()
    } else {
        events::extract_events(&doc, lex, &rec, &quoted, input.meta.published)
    };
    warnings.extend(ev.warnings);
    let entities = entities(&doc, lex, &rec, &quoted);
    Extraction {
        schema: EXTRACT_SCHEMA.to_string(),
        report: input.meta,
        events: ev.events,
        totals: ev.totals,
        // Quotations first, as before; reported speech (`indirect`) after them.
        quotes: quoted.quotes.into_iter().chain(quoted.indirect).collect(),
        entities,
        warnings,
    }
}

fn entities(
    doc: &Document,
    lex: &Lexicon,
    rec: &mentions::Recognized,
    quoted: &quotes::Quoted,
) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    // Each entity's index by (kind, name, country): a report of many names stays linear.
    let mut index: std::collections::HashMap<(EntityKind, String, Option<String>), usize> =
        std::collections::HashMap::new();
    let mut seen: std::collections::HashSet<(usize, u32, u32)> = std::collections::HashSet::new();
    let mut add = |kind: EntityKind,
                   name: String,
                   country: Option<String>,
                   geo: Option<(u32, f64, f64)>,
                   title: Option<String>,
                   span: Span,
                   role: Option<PlaceRole>| {
        match index.entry((kind, name.clone(), country.clone())) {
            std::collections::hash_map::Entry::Occupied(i) => {
                // A span read twice (as a place and as the government it stands for) is one
                // mention of the entity.
                if seen.insert((*i.get(), span.start, span.end)) {
                    let e = &mut out[*i.get()];
                    e.mentions.push(span);
                    e.roles.extend(role);
                }
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                seen.insert((out.len(), span.start, span.end));
                v.insert(out.len());
                out.push(Entity {
                    kind,
                    name,
                    country,
                    geonames_id: geo.map(|g| g.0).filter(|g| *g != 0),
                    lat: geo.map(|g| (g.1 * 1e5).round() / 1e5),
                    lon: geo.map(|g| (g.2 * 1e5).round() / 1e5),
                    title,
                    mentions: vec![span],
                    roles: role.into_iter().collect(),
                    place_kind: None,
                    name_kind: None,
                })
            }
        }
    };
    for m in &rec.mentions {
        match &m.referent {
            Referent::Person(p) => {
                let p = &rec.persons[*p];
                add(
                    EntityKind::Person,
                    p.name.clone(),
                    p.country.clone(),
                    None,
                    p.title.clone(),
                    m.span,
                    None,
                );
            }
            Referent::Actor { actor, .. } => {
                let a = &lex.actors[*actor];
                add(
                    EntityKind::Actor,
                    a.canonical.clone(),
                    a.country.clone(),
                    None,
                    None,
                    m.span,
                    None,
                );
                // A country or capital standing for its government is a place mention too.
                if let Some(p) = &m.place {
                    add(
                        EntityKind::Place,
                        p.name.to_string(),
                        Some(p.country.to_string()),
                        Some((p.geonameid, p.lat, p.lon)),
                        None,
                        m.span,
                        Some(PlaceRole::Metonymic),
                    );
                }
            }
            Referent::Place(p) => add(
                EntityKind::Place,
                p.name.to_string(),
                Some(p.country.to_string()),
                Some((p.geonameid, p.lat, p.lon)),
                None,
                m.span,
                Some(PlaceRole::Literal),
            ),
            // An organisation the tagger recognised and no list holds (news organisations of
            // the media list are sources, not entities).
            Referent::Media => {
                if !lex.media.contains(&rec.low[m.first..m.end]) {
                    add(
                        EntityKind::Actor,
                        doc.slice(m.span).to_string(),
                        None,
                        None,
                        None,
                        m.span,
                        None,
                    );
                }
            }
        }
    }
    for (span, place) in &rec.other_places {
        let role = Some(PlaceRole::Literal);
        match place {
            Some(p) => add(
                EntityKind::Place,
                p.name.to_string(),
                Some(p.country.to_string()),
                Some((p.geonameid, p.lat, p.lon)),
                None,
                *span,
                Some(PlaceRole::Metonymic),
            ),
            None => add(
                EntityKind::Place,
                doc.slice(*span).to_string(),
                None,
                None,
                None,
                *span,
                role,
            ),
        }
    }
    for t in &quoted.terms {
        add(
            EntityKind::Term,
            doc.slice(*t).to_string(),
            None,
            None,
            None,
            *t,
            None,
        );
    }
    // What each resolved place is, by name and country as its entity is keyed (features such
    // as seas and airports carry no GeoNames id).
    let kinds: std::collections::HashMap<(&str, &str), PlaceKind> = rec
        .mentions
        .iter()
        .filter_map(|m| match &m.referent {
            Referent::Place(p) => Some(*p),
            _ => m.place,
        })
        .chain(rec.other_places.iter().filter_map(|(_, p)| *p))
        .map(|p| ((p.name, p.country), geocode::place_kind(&p)))
        .collect();
    for e in out.iter_mut().filter(|e| e.kind == EntityKind::Place) {
        let key = (e.name.as_str(), e.country.as_deref().unwrap_or(""));
        e.place_kind = e.country.as_ref().and(kinds.get(&key).copied());
    }
    // The sort of name the tagger read at a place's first mention it gave.
    let read_as: std::collections::HashMap<Span, ner::NerKind> =
        rec.name_kinds.iter().copied().collect();
    for e in out.iter_mut().filter(|e| e.kind == EntityKind::Place) {
        e.name_kind = e
            .mentions
            .iter()
            .find_map(|m| read_as.get(m))
            .and_then(|k| ner::name_kind(*k));
    }
    // Mentions in text order (places inside names and unknown places are added after the
    // mentions they lie among), each role with its mention.
    for e in out.iter_mut().filter(|e| e.kind == EntityKind::Place) {
        if e.roles.len() == e.mentions.len() {
            let mut pairs: Vec<(Span, PlaceRole)> = e
                .mentions
                .iter()
                .copied()
                .zip(e.roles.iter().copied())
                .collect();
            pairs.sort_by_key(|p| (p.0.start, p.0.end));
            (e.mentions, e.roles) = pairs.into_iter().unzip();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_that_panics_fails_its_report_only_and_says_why() {
        let meta = ReportMeta {
            id: ReportId("r1".into()),
            ..Default::default()
        };
        let x = contained(meta, Vec::new(), || panic!("index out of bounds"));
        assert_eq!(x.report.id.0, "r1");
        assert!(x.events.is_empty());
        let w = x.warnings.last().expect("a warning");
        assert_eq!(w.code, WarningCode::ExtractionFailed);
        assert!(w.message.contains("index out of bounds"), "{}", w.message);
    }

    #[test]
    fn a_name_read_as_a_place_and_as_its_government_is_one_mention() {
        let x = extract(Input {
            meta: ReportMeta::default(),
            text: "Moscow Signals Firm Stance\n\nThe Kremlin said it rejected the plan. \
                   Moscow and Washington said talks would go on in Geneva."
                .into(),
            warnings: vec![],
        });
        for e in &x.entities {
            let mut spans: Vec<(u32, u32)> = e.mentions.iter().map(|s| (s.start, s.end)).collect();
            let n = spans.len();
            spans.dedup();
            assert_eq!(spans.len(), n, "{} has a mention twice", e.name);
        }
        assert!(x
            .entities
            .iter()
            .any(|e| e.name.contains("Moscow") || e.mentions.iter().any(|s| s.start == 0)));
    }

    #[test]
    fn a_publication_date_past_the_years_of_news_is_set_aside_with_a_warning() {
        let x = extract(Input {
            meta: ReportMeta {
                published: time::Date::from_calendar_date(9999, time::Month::December, 31).ok(),
                ..Default::default()
            },
            text: "On March 5 shelling killed two people in Kharkiv. Next year talks resume."
                .into(),
            warnings: vec![],
        });
        assert!(x.report.published.is_none());
        assert!(x
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::DateOutOfRange));
        assert!(!x
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::ExtractionFailed));
    }
}
