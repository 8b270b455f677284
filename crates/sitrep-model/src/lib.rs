//! The types every sitrep stage shares.
//!
//! This crate is the vocabulary of the pipeline: a *report* (one article), a *span* (a byte range
//! of one report's text), a *mention*, an *actor*, a *place*, an *event* (what one report says
//! happened), its *casualties* and *quotes*. Serialised with serde they form the
//! `sitrep.extract/1` schema documented in `docs/schema.md`; changes to it are additive only.
//!
//! Architecture invariant: no I/O and no dependencies beyond serde and time.

mod event;
mod ids;
mod span;

pub use event::*;
pub use ids::*;
pub use span::*;

/// The schema tag written at the top of every extraction.
pub const EXTRACT_SCHEMA: &str = "sitrep.extract/1";
