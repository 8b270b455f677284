//! When two reports tell of the same incident.
//!
//! An event joins an incident when all of these hold:
//! - the same family, and the same type unless one of them is the family's generic reading;
//! - their date windows overlap, each widened by a day (reports disagree on "overnight");
//! - their places lie within the sum of their radii, which depend on precision: a district
//!   10 km, a town 25 km, a region 150 km, a country 600 km;
//! - their initiators are compatible: when both name an initiator country, it is the same (the
//!   other side's account of a strike names the same striker).
//!
//! Among candidates the nearest wins, then the closest in time. Events without a place join only
//! an incident without a place of the same type and initiator on overlapping days.

use serde::Serialize;

/// Search radius for a precision, in km.
pub fn radius_km(precision: Option<&str>) -> f64 {
    match precision {
        Some("district") => 10.0,
        Some("settlement") => 25.0,
        Some("region") => 150.0,
        Some("country") => 600.0,
        _ => 25.0,
    }
}

/// Days of slack on each side of a date window.
pub const DAY_SLACK: i64 = 1;

/// What is known of one side of a comparison.
#[derive(Debug, Clone)]
pub struct Footprint<'a> {
    pub family: &'a str,
    pub event_type: &'a str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: Option<&'a str>,
    pub day_start: i64,
    pub day_end: i64,
    pub initiator_country: Option<&'a str>,
}

/// Why an event joined an incident, or why it started one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Reason {
    /// Merged with this incident.
    Merged {
        incident: i64,
        distance_km: Option<f64>,
        day_gap: i64,
        same_type: bool,
        candidates: usize,
        rule: String,
    },
    /// No compatible incident among the candidates: a new one.
    New { candidates: usize },
    /// A part of another event of the same report ("part of e1").
    PartOf { event: String },
}

/// Types that are the generic reading of their family and so match any type of it.
fn generic(t: &str) -> bool {
    matches!(
        t,
        "attack"
            | "armed_clash"
            | "shelling_artillery_missile_attack"
            | "air_drone_strike"
            | "statement"
    )
}

/// Is `inc` a candidate for `ev`? Returns (distance km, day gap) when it is.
pub fn compatible(ev: &Footprint, inc: &Footprint) -> Option<(Option<f64>, i64)> {
    if ev.family != inc.family {
        return None;
    }
    if ev.event_type != inc.event_type && !(generic(ev.event_type) || generic(inc.event_type)) {
        return None;
    }
    if let (Some(a), Some(b)) = (ev.initiator_country, inc.initiator_country) {
        if a != b {
            return None;
        }
    }
    let gap = if ev.day_end + DAY_SLACK < inc.day_start {
        inc.day_start - ev.day_end
    } else if inc.day_end + DAY_SLACK < ev.day_start {
        ev.day_start - inc.day_end
    } else {
        0
    };
    if gap > 0 {
        return None;
    }
    match (ev.lat.zip(ev.lon), inc.lat.zip(inc.lon)) {
        (Some((la, lo)), Some((lb, lob))) => {
            let d = sitrep_gazetteer::distance_km(la, lo, lb, lob);
            (d <= radius_km(ev.precision).max(radius_km(inc.precision))).then_some((Some(d), gap))
        }
        (None, None) => (ev.initiator_country == inc.initiator_country).then_some((None, gap)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp<'a>(t: &'a str, lat: f64, lon: f64, day: i64, init: Option<&'a str>) -> Footprint<'a> {
        Footprint {
            family: "explosions_remote_violence",
            event_type: t,
            lat: Some(lat),
            lon: Some(lon),
            precision: Some("settlement"),
            day_start: day,
            day_end: day,
            initiator_country: init,
        }
    }

    #[test]
    fn the_same_strike_told_by_two_sides_merges() {
        let a = fp("air_drone_strike", 50.45, 30.52, 100, Some("RU"));
        let b = fp(
            "shelling_artillery_missile_attack",
            50.46,
            30.60,
            101,
            Some("RU"),
        );
        assert!(compatible(&a, &b).is_some());
    }

    #[test]
    fn far_apart_or_days_apart_or_other_striker_does_not() {
        let a = fp("air_drone_strike", 50.45, 30.52, 100, Some("RU"));
        assert!(compatible(&a, &fp("air_drone_strike", 49.99, 36.23, 100, Some("RU"))).is_none());
        assert!(compatible(&a, &fp("air_drone_strike", 50.45, 30.52, 105, Some("RU"))).is_none());
        assert!(compatible(&a, &fp("air_drone_strike", 50.45, 30.52, 100, Some("UA"))).is_none());
        assert!(compatible(
            &a,
            &fp(
                "remote_explosive_landmine_ied",
                50.45,
                30.52,
                100,
                Some("RU")
            )
        )
        .is_some());
        assert!(compatible(
            &fp("suicide_bomb", 50.45, 30.52, 100, None),
            &fp("remote_explosive_landmine_ied", 50.45, 30.52, 100, None)
        )
        .is_none());
    }
}
