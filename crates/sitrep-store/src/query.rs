//! Filters for listing incidents: [`Filters`] as a user types them (command line or URL query),
//! checked once into a [`Query`], which becomes SQL with bound parameters.

use rusqlite::types::Value;
use serde::Deserialize;

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
    /// The names `actor` stands for ("RSF": "Rapid Support Forces"), matched like it. The store
    /// knows no actor dictionary: the caller resolves aliases (`Filters::check` leaves this empty).
    pub actor_names: Vec<String>,
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
    /// The WHERE clause and its parameters. `near` is exact: a bounding square the index can use,
    /// then the great-circle distance (the connection's `distance_km` function).
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
            let names = std::iter::once(s).chain(&self.actor_names);
            let like = vec!["a.name LIKE ? ESCAPE '\\'"; 1 + self.actor_names.len()].join(" OR ");
            w.push(format!("i.id IN (SELECT e.incident_id FROM events e JOIN event_actors a ON a.event_id = e.id WHERE {like} OR a.country = ?)"));
            p.extend(names.map(|n| Value::Text(like_substring(n))));
            p.push(Value::Text(s.to_uppercase()));
        }
        if let Some(k) = self.min_killed {
            w.push("COALESCE(i.killed_best, 0) >= ?".into());
            p.push(Value::Integer(i64::try_from(k).unwrap_or(i64::MAX)));
        }
        // `near` is first a box the indexes can use: wrapped across the antimeridian when the
        // circle crosses it, and without a longitude test when it reaches a pole.
        let bbox = self.bbox.or_else(|| {
            self.near.map(|(lat, lon, km)| {
                let dlat = km / 111.0;
                let (s, n) = ((lat - dlat).max(-90.0), (lat + dlat).min(90.0));
                let cos = lat.to_radians().cos().abs();
                let dlon = km / (111.0 * cos.max(1e-9));
                if s <= -90.0 || n >= 90.0 || dlon >= 180.0 {
                    return (s, -180.0, n, 180.0);
                }
                let wrap = |x: f64| {
                    if x > 180.0 {
                        x - 360.0
                    } else if x < -180.0 {
                        x + 360.0
                    } else {
                        x
                    }
                };
                (s, wrap(lon - dlon), n, wrap(lon + dlon))
            })
        });
        if let Some((s, wst, n, e)) = bbox {
            // A box whose west edge is east of its east edge crosses the antimeridian.
            w.push(if wst <= e {
                "i.lat BETWEEN ? AND ? AND i.lon BETWEEN ? AND ?".into()
            } else {
                "i.lat BETWEEN ? AND ? AND (i.lon >= ? OR i.lon <= ?)".into()
            });
            p.extend([
                Value::Real(s),
                Value::Real(n),
                Value::Real(wst),
                Value::Real(e),
            ]);
        }
        if let Some((lat, lon, km)) = self.near {
            w.push("distance_km(?, ?, i.lat, i.lon) <= ?".into());
            p.extend([Value::Real(lat), Value::Real(lon), Value::Real(km)]);
        }
        if let Some(t) = &self.text {
            w.push("i.id IN (SELECT e.incident_id FROM events e WHERE e.report_id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?))".into());
            // Split as the index was (src/words.rs): each word is one index token, quoted so
            // user text is never FTS syntax; all must occur.
            let q = crate::words::words(t)
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ");
            p.push(Value::Text(q));
        }
        (w.join(" AND "), p)
    }
}

/// A LIKE pattern matching `s` anywhere, literally: % and _ in user text are not wildcards.
fn like_substring(s: &str) -> String {
    let literal = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{literal}%")
}

/// The largest page the HTTP API serves.
pub const MAX_LIMIT: u32 = 1000;

/// Filters as given by a user, every value still text. [`Filters::check`] turns them into a
/// [`Query`] or says which one is wrong; the command line and the HTTP API share it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// `YYYY-MM-DD`: incidents ending on or after it.
    pub since: Option<String>,
    /// `YYYY-MM-DD`: incidents starting on or before it.
    pub until: Option<String>,
    pub family: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub actor: Option<String>,
    /// `LAT,LON`, with `km`.
    pub near: Option<String>,
    /// Radius for `near`; 50 km when not given.
    pub km: Option<f64>,
    /// `WEST,SOUTH,EAST,NORTH` in degrees (the GeoJSON and Leaflet order).
    pub bbox: Option<String>,
    pub min_killed: Option<u64>,
    pub text: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A filter value that cannot be used, with the parameter's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct InvalidFilter {
    pub param: &'static str,
    pub message: String,
}

fn invalid(param: &'static str, message: impl Into<String>) -> InvalidFilter {
    InvalidFilter {
        param,
        message: message.into(),
    }
}

fn number(param: &'static str, s: &str) -> Result<f64, InvalidFilter> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(param, format!("{s:?} is not a number")))
}

fn lat(param: &'static str, s: &str) -> Result<f64, InvalidFilter> {
    let v = number(param, s)?;
    if (-90.0..=90.0).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(param, format!("latitude {v} is outside -90..90")))
    }
}

fn lon(param: &'static str, s: &str) -> Result<f64, InvalidFilter> {
    let v = number(param, s)?;
    if (-180.0..=180.0).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(
            param,
            format!("longitude {v} is outside -180..180"),
        ))
    }
}

fn day(param: &'static str, s: Option<String>) -> Result<Option<String>, InvalidFilter> {
    let Some(s) = nonempty(s) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format)
        .map(|d| Some(sitrep_model::opt_date::format(d)))
        .map_err(|_| invalid(param, format!("{s:?} is not a date; use YYYY-MM-DD")))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Filters {
    /// Check every filter and build the query.
    pub fn check(self) -> Result<Query, InvalidFilter> {
        let family = nonempty(self.family);
        if let Some(f) = &family {
            if sitrep_model::Family::parse(f).is_none() {
                let known: Vec<_> = sitrep_model::Family::ALL
                    .iter()
                    .map(|f| f.as_str())
                    .collect();
                return Err(invalid(
                    "family",
                    format!("unknown family {f:?}; one of {}", known.join(", ")),
                ));
            }
        }
        let event_type = nonempty(self.event_type);
        if let Some(t) = &event_type {
            if sitrep_model::EventType::parse(t).is_none() {
                return Err(invalid(
                    "type",
                    format!("unknown type {t:?}; see docs/ontology.md"),
                ));
            }
        }
        let country = nonempty(self.country).map(|c| c.to_uppercase());
        if let Some(c) = &country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(invalid(
                    "country",
                    format!("{c:?} is not an ISO 3166 alpha-2 code"),
                ));
            }
        }
        let km = self.km.unwrap_or(50.0);
        if !(km.is_finite() && km > 0.0) {
            return Err(invalid("km", "must be a positive number of kilometres"));
        }
        let near = match nonempty(self.near) {
            None => None,
            Some(n) => {
                let (a, b) = n
                    .split_once(',')
                    .ok_or_else(|| invalid("near", "expected LAT,LON"))?;
                Some((lat("near", a)?, lon("near", b)?, km))
            }
        };
        let bbox = match nonempty(self.bbox) {
            None => None,
            Some(b) => {
                let v: Vec<&str> = b.split(',').collect();
                let [w, s, e, n] = v[..] else {
                    return Err(invalid("bbox", "expected WEST,SOUTH,EAST,NORTH"));
                };
                let (w, s, e, n) = (
                    lon("bbox", w)?,
                    lat("bbox", s)?,
                    lon("bbox", e)?,
                    lat("bbox", n)?,
                );
                if s > n {
                    return Err(invalid("bbox", "south edge is north of the north edge"));
                }
                Some((s, w, n, e))
            }
        };
        if self.limit == Some(0) {
            return Err(invalid("limit", "must be at least 1"));
        }
        let (since, until) = (day("since", self.since)?, day("until", self.until)?);
        if let (Some(a), Some(b)) = (&since, &until) {
            if a > b {
                return Err(invalid("until", format!("{b} is before since {a}")));
            }
        }
        let text = nonempty(self.text);
        if text.as_ref().is_some_and(|t| t.len() > 500) {
            return Err(invalid("text", "at most 500 bytes"));
        }
        if text
            .as_ref()
            .is_some_and(|t| !t.chars().any(char::is_alphanumeric))
        {
            return Err(invalid("text", "no word to search for"));
        }
        Ok(Query {
            since,
            until,
            family,
            event_type,
            country,
            actor: nonempty(self.actor),
            actor_names: Vec::new(),
            near,
            bbox,
            min_killed: self.min_killed,
            text,
            limit: self.limit,
            offset: self.offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_matches_the_names_it_stands_for() {
        let q = Query {
            actor: Some("RSF".into()),
            actor_names: vec!["Rapid Support Forces".into()],
            ..Default::default()
        };
        let (sql, params) = q.sql();
        assert_eq!(sql.matches("a.name LIKE ?").count(), 2, "{sql}");
        assert!(params.contains(&Value::Text("%Rapid Support Forces%".into())));
        assert!(params.contains(&Value::Text("%RSF%".into())));
        assert!(
            params.contains(&Value::Text("RSF".into())),
            "the country code"
        );
    }

    #[test]
    fn filters_are_checked_with_the_parameter_named() {
        let bad = |f: Filters| f.check().unwrap_err().param;
        assert_eq!(
            bad(Filters {
                since: Some("25/11/2025".into()),
                ..Default::default()
            }),
            "since"
        );
        assert_eq!(
            bad(Filters {
                family: Some("wars".into()),
                ..Default::default()
            }),
            "family"
        );
        assert_eq!(
            bad(Filters {
                near: Some("95,10".into()),
                ..Default::default()
            }),
            "near"
        );
        assert_eq!(
            bad(Filters {
                bbox: Some("1,2,3".into()),
                ..Default::default()
            }),
            "bbox"
        );
        assert_eq!(
            bad(Filters {
                limit: Some(0),
                ..Default::default()
            }),
            "limit"
        );
        assert_eq!(
            bad(Filters {
                since: Some("2025-02-01".into()),
                until: Some("2025-01-01".into()),
                ..Default::default()
            }),
            "until"
        );
        assert_eq!(
            bad(Filters {
                country: Some("Ukraine".into()),
                ..Default::default()
            }),
            "country"
        );
        assert_eq!(
            bad(Filters {
                km: Some(f64::NAN),
                ..Default::default()
            }),
            "km"
        );
    }

    #[test]
    fn good_filters_become_a_query() {
        let q = Filters {
            since: Some("2025-11-01".into()),
            country: Some("ua".into()),
            near: Some("50.45, 30.52".into()),
            bbox: Some("20,40,40,55".into()),
            family: Some(" ".into()),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(q.since.as_deref(), Some("2025-11-01"));
        assert_eq!(q.country.as_deref(), Some("UA"));
        assert_eq!(q.near, Some((50.45, 30.52, 50.0)));
        assert_eq!(q.bbox, Some((40.0, 20.0, 55.0, 40.0)));
        assert_eq!(q.family, None, "blank values are no filter");
    }
}
