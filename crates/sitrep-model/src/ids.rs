use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of an event inside one extraction: `e1`, `e2`, ... in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub u32);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "e{}", self.0)
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.strip_prefix('e')
            .and_then(|n| n.parse().ok())
            .map(EventId)
            .ok_or_else(|| serde::de::Error::custom(format!("bad event id {s:?}")))
    }
}

/// The id of a report as given by its source (a file stem, a JSONL `id`, a URL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct ReportId(pub String);

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_round_trips_through_json() {
        let json = serde_json::to_string(&EventId(7)).unwrap();
        assert_eq!(json, "\"e7\"");
        assert_eq!(serde_json::from_str::<EventId>(&json).unwrap(), EventId(7));
        assert!(serde_json::from_str::<EventId>("\"x7\"").is_err());
    }
}
