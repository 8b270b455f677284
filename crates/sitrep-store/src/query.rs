//! Filters for listing incidents, turned into SQL with bound parameters.

use rusqlite::types::Value;

/// Output formats the command line and API offer for incident lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
    Geojson,
    AcledCsv,
}

/// Which incidents to list. Every filter is optional; all given filters must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Inclusive `YYYY-MM-DD` bounds on the incident's dates.
    pub since: Option<String>,
    pub until: Option<String>,
    pub family: Option<String>,
    pub event_type: Option<String>,
    /// ISO alpha-2.
    pub country: Option<String>,
    /// A substring of an actor's name, case-insensitive, or an ISO code for its country.
    pub actor: Option<String>,
    /// (lat, lon, km)
    pub near: Option<(f64, f64, f64)>,
    /// (south, west, north, east)
    pub bbox: Option<(f64, f64, f64, f64)>,
    pub min_killed: Option<u64>,
    /// Full-text search over the reports behind an incident.
    pub text: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl Query {
    /// The WHERE clause and its parameters (the `near` filter is applied after, on exact distance).
    pub(crate) fn sql(&self) -> (String, Vec<Value>) {
        let mut w: Vec<String> = vec!["1=1".into()];
        let mut p: Vec<Value> = Vec::new();
        if let Some(s) = &self.since {
            w.push("i.date_end >= ?".into());
            p.push(Value::Text(s.clone()));
        }
        if let Some(s) = &self.until {
            w.push("i.date_start <= ?".into());
            p.push(Value::Text(s.clone()));
        }
        if let Some(s) = &self.family {
            w.push("i.family = ?".into());
            p.push(Value::Text(s.clone()));
        }
        if let Some(s) = &self.event_type {
            w.push("i.type = ?".into());
            p.push(Value::Text(s.clone()));
        }
        if let Some(s) = &self.country {
            w.push("i.country = ?".into());
            p.push(Value::Text(s.to_uppercase()));
        }
        if let Some(s) = &self.actor {
            w.push("i.id IN (SELECT e.incident_id FROM events e JOIN event_actors a ON a.event_id = e.id WHERE a.name LIKE ? OR a.country = ?)".into());
            p.push(Value::Text(format!("%{s}%")));
            p.push(Value::Text(s.to_uppercase()));
        }
        if let Some(k) = self.min_killed {
            w.push("COALESCE(i.killed_best, 0) >= ?".into());
            p.push(Value::Integer(k as i64));
        }
        let bbox = self.bbox.or_else(|| {
            self.near.map(|(lat, lon, km)| {
                let dlat = km / 111.0;
                let dlon = km / (111.0 * lat.to_radians().cos().abs().max(0.01));
                (lat - dlat, lon - dlon, lat + dlat, lon + dlon)
            })
        });
        if let Some((s, wst, n, e)) = bbox {
            w.push("i.lat BETWEEN ? AND ? AND i.lon BETWEEN ? AND ?".into());
            p.extend([
                Value::Real(s),
                Value::Real(n),
                Value::Real(wst),
                Value::Real(e),
            ]);
        }
        if let Some(t) = &self.text {
            w.push("i.id IN (SELECT e.incident_id FROM events e WHERE e.report_id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?))".into());
            // Quote each word so user text is never FTS syntax.
            let q = t
                .split_whitespace()
                .map(|x| format!("\"{}\"", x.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" ");
            p.push(Value::Text(q));
        }
        (w.join(" AND "), p)
    }
}
