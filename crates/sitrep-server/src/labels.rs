//! `GET /api/labels`: the human wording of the ontology, so the page shows ACLED's display names
//! ("Explosions/Remote violence", "Air/drone strike") and never a JSON identifier. The wording
//! lives in `sitrep-model` (the one used by the exports); this only lists it.

use axum::Json;
use serde::Serialize;
use sitrep_model::{EventType, Family};

/// Every family, in ontology order, with the types that may sit under it.
#[derive(Debug, Serialize)]
pub(crate) struct Labels {
    families: Vec<FamilyLabel>,
}

#[derive(Debug, Serialize)]
struct FamilyLabel {
    key: &'static str,
    label: &'static str,
    types: Vec<TypeLabel>,
}

#[derive(Debug, Serialize)]
struct TypeLabel {
    key: &'static str,
    label: &'static str,
}

pub(crate) fn labels() -> Labels {
    let families = Family::ALL
        .into_iter()
        .map(|f| FamilyLabel {
            key: f.as_str(),
            label: f.acled_label(),
            types: EventType::ALL
                .iter()
                .filter(|t| t.families().contains(&f))
                .map(|t| TypeLabel {
                    key: t.as_str(),
                    label: t.label(),
                })
                .collect(),
        })
        .collect();
    Labels { families }
}

pub(crate) async fn get() -> Json<Labels> {
    Json(labels())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_and_type_has_its_acled_wording() {
        let v = serde_json::to_value(labels()).unwrap();
        let families = v["families"].as_array().unwrap();
        assert_eq!(families.len(), Family::ALL.len());
        let explosions = families
            .iter()
            .find(|f| f["key"] == "explosions_remote_violence")
            .unwrap();
        assert_eq!(explosions["label"], "Explosions/Remote violence");
        let air = explosions["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == "air_drone_strike")
            .unwrap();
        assert_eq!(air["label"], "Air/drone strike");
        let listed: usize = families
            .iter()
            .map(|f| f["types"].as_array().unwrap().len())
            .sum();
        let pairings: usize = EventType::ALL.iter().map(|t| t.families().len()).sum();
        assert_eq!(
            listed, pairings,
            "every (family, type) pairing is listed once"
        );
    }

    #[test]
    fn the_api_document_describes_the_labels() {
        let doc: serde_json::Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
        assert!(doc["paths"]["/api/labels"]["get"].is_object());
        assert!(doc["components"]["schemas"]["Labels"].is_object());
    }
}
