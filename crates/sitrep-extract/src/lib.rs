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

pub mod events;
pub mod lexicon;
pub mod mentions;
pub mod quotes;
mod render;

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

/// Read one report.
pub fn extract(input: Input) -> Extraction {
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
    let ev = events::extract_events(&doc, lex, &rec, &quoted, input.meta.published);
    warnings.extend(ev.warnings);
    let entities = entities(&doc, lex, &rec, &quoted);
    Extraction {
        schema: EXTRACT_SCHEMA.to_string(),
        report: input.meta,
        events: ev.events,
        totals: ev.totals,
        quotes: quoted.quotes,
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
    let mut add = |kind: EntityKind,
                   name: String,
                   country: Option<String>,
                   geo: Option<(u32, f64, f64)>,
                   title: Option<String>,
                   span: Span| {
        match out
            .iter_mut()
            .find(|e| e.kind == kind && e.name == name && e.country == country)
        {
            Some(e) => e.mentions.push(span),
            None => out.push(Entity {
                kind,
                name,
                country,
                geonames_id: geo.map(|g| g.0).filter(|g| *g != 0),
                lat: geo.map(|g| (g.1 * 1e5).round() / 1e5),
                lon: geo.map(|g| (g.2 * 1e5).round() / 1e5),
                title,
                mentions: vec![span],
            }),
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
                );
            }
            Referent::Place(p) => add(
                EntityKind::Place,
                p.name.to_string(),
                Some(p.country.to_string()),
                Some((p.geonameid, p.lat, p.lon)),
                None,
                m.span,
            ),
            Referent::Media => {}
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
        );
    }
    out
}
