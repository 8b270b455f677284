//! How a report's extraction is kept: its JSON, compressed with LZ4 (the uncompressed length
//! first, as `lz4_flex` frames it).
//!
//! An extraction's JSON is about twice the size of the report's text and compresses about three
//! times; written once to the WAL and once more at checkpoint, it was most of what storing a
//! report wrote. Stores written before schema 5 hold plain JSON text; both read back alike.

use crate::{Result, StoreError};
use rusqlite::types::ValueRef;
use sitrep_model::Extraction;

/// A body claiming to decompress to more than this is corrupt, not a report: inputs are capped
/// at 32 MiB of text, and an extraction's JSON runs to a few times its text.
const MAX_JSON: usize = 1 << 30;

/// An extraction as stored.
pub fn encode(x: &Extraction) -> Vec<u8> {
    let json = serde_json::to_vec(x).expect("extractions serialise");
    lz4_flex::compress_prepend_size(&json)
}

/// A stored extraction as JSON: compressed (schema 5 on) or plain text (before).
pub fn decode(v: ValueRef<'_>, report: i64) -> Result<serde_json::Value> {
    let corrupt =
        |what: String| StoreError::Corrupt(format!("report {report}'s extraction: {what}"));
    let json = match v {
        ValueRef::Text(t) => return serde_json::from_slice(t).map_err(|e| corrupt(e.to_string())),
        ValueRef::Blob(b) => {
            let claimed = b
                .get(..4)
                .map(|n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize)
                .ok_or_else(|| corrupt("too short".into()))?;
            if claimed > MAX_JSON {
                return Err(corrupt(format!("claims {claimed} bytes")));
            }
            lz4_flex::decompress_size_prepended(b).map_err(|e| corrupt(e.to_string()))?
        }
        ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) => {
            return Err(corrupt("not text or a blob".into()))
        }
    };
    serde_json::from_slice(&json).map_err(|e| corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extraction_reads_back_from_either_form_and_damage_is_an_error() {
        let x = Extraction {
            schema: "sitrep.extract/1".into(),
            report: sitrep_model::ReportMeta::default(),
            events: vec![],
            totals: vec![],
            quotes: vec![],
            entities: vec![],
            warnings: vec![sitrep_model::Warning {
                code: sitrep_model::WarningCode::EmptyText,
                message: "«ünïcode» and \"quotes\"".into(),
                span: None,
            }],
        };
        let plain = serde_json::to_value(&x).unwrap();
        let packed = encode(&x);
        assert!(packed.len() < serde_json::to_vec(&x).unwrap().len() + 8);
        assert_eq!(decode(ValueRef::Blob(&packed), 1).unwrap(), plain);
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(decode(ValueRef::Text(text.as_bytes()), 1).unwrap(), plain);
        // Truncated, lying about its size, or not a body at all.
        assert!(decode(ValueRef::Blob(&packed[..packed.len() / 2]), 1).is_err());
        let mut huge = packed.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = decode(ValueRef::Blob(&huge), 7).unwrap_err().to_string();
        assert!(e.contains("report 7"), "{e}");
        assert!(decode(ValueRef::Blob(b"ab"), 1).is_err());
        assert!(decode(ValueRef::Null, 1).is_err());
    }
}
