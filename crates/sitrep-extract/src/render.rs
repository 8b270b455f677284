//! A readable summary of an extraction, for `--format text`.

use sitrep_model::*;
use std::fmt::Write;

fn count(c: &Count) -> String {
    match c.qualifier {
        Qualifier::Exact => c.value.to_string(),
        Qualifier::AtLeast => format!("at least {}", c.value),
        Qualifier::AtMost => format!("at most {}", c.value),
        Qualifier::Approximately => format!("about {}", c.value),
    }
}

fn source(s: &Source) -> String {
    match (&s.title, &s.affiliation) {
        (Some(t), _) => format!("{} ({t})", s.name),
        (None, Some(a)) => format!("{} ({a})", s.name),
        _ => s.name.clone(),
    }
}

/// Render an extraction as plain text for a person to read.
pub fn render_text(x: &Extraction) -> String {
    let mut o = String::new();
    let r = &x.report;
    let _ = writeln!(
        o,
        "Report {}{}",
        r.id,
        r.published
            .map(|d| format!(" ({})", opt_date::format(d)))
            .unwrap_or_default()
    );
    if let Some(t) = &r.title {
        let _ = writeln!(o, "  {t}");
    }
    let _ = writeln!(o, "\nEvents ({}):", x.events.len());
    for e in &x.events {
        let part = e
            .part_of
            .map(|p| format!("  [part of {p}]"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {} {}/{}{}",
            e.id,
            e.family.as_str(),
            e.event_type.as_str(),
            part
        );
        if !e.locations.is_empty() {
            let locs: Vec<String> = e
                .locations
                .iter()
                .map(|l| {
                    format!(
                        "{} ({}, {:.3},{:.3})",
                        l.name,
                        l.country.as_deref().unwrap_or("?"),
                        l.lat,
                        l.lon
                    )
                })
                .collect();
            let _ = writeln!(o, "     where: {}", locs.join("; "));
        }
        if let (Some(s), Some(en)) = (e.when.start, e.when.end) {
            let range = if s == en {
                opt_date::format(s)
            } else {
                format!("{} .. {}", opt_date::format(s), opt_date::format(en))
            };
            let _ = writeln!(
                o,
                "     when:  {range} ({:?}{})",
                e.when.precision,
                e.when
                    .mention
                    .as_ref()
                    .map(|m| format!(", \"{m}\""))
                    .unwrap_or_default()
            );
        }
        for a in &e.actors {
            let _ = writeln!(
                o,
                "     {:?}: {}{}",
                a.role,
                a.name,
                a.country
                    .as_ref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default()
            );
        }
        if !e.weapons.is_empty() {
            let _ = writeln!(o, "     weapons: {}", e.weapons.join(", "));
        }
        if let Some(k) = &e.casualties.killed {
            let _ = writeln!(o, "     killed: {}", count(k));
        }
        if let Some(k) = &e.casualties.injured {
            let _ = writeln!(o, "     injured: {}", count(k));
        }
        if !e.attributed_to.is_empty() {
            let _ = writeln!(
                o,
                "     according to: {}",
                e.attributed_to
                    .iter()
                    .map(source)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        for ev in e.evidence.iter().take(2) {
            let _ = writeln!(o, "     > {}", ev.text);
        }
    }
    for t in &x.totals {
        let _ = writeln!(
            o,
            "  total: {} {:?} over {} ({})",
            count(&t.count),
            t.kind,
            t.covers
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            if t.consistent {
                "adds up"
            } else {
                "does not add up"
            }
        );
    }
    let _ = writeln!(o, "\nQuotes ({}):", x.quotes.len());
    for q in &x.quotes {
        let who = q
            .speaker
            .as_ref()
            .map(source)
            .unwrap_or_else(|| "(unattributed)".into());
        let _ = writeln!(o, "  “{}” — {}", q.text, who);
    }
    let kinds = [
        (EntityKind::Person, "People"),
        (EntityKind::Actor, "Actors"),
        (EntityKind::Place, "Places"),
        (EntityKind::Term, "Terms"),
    ];
    for (k, label) in kinds {
        let names: Vec<String> = x
            .entities
            .iter()
            .filter(|e| e.kind == k)
            .map(|e| match (&e.country, &e.title) {
                (_, Some(t)) => format!("{} ({t})", e.name),
                (Some(c), None) => format!("{} [{c}]", e.name),
                _ => e.name.clone(),
            })
            .collect();
        if !names.is_empty() {
            let _ = writeln!(o, "{label}: {}", names.join(", "));
        }
    }
    for w in &x.warnings {
        let _ = writeln!(o, "warning: {}", w.message);
    }
    o
}
