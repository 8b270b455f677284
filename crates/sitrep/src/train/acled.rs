//! An ACLED note of `acled-2022.dev.jsonl` as the stages trained on ACLED's coding read it
//! (`actors`, `sites`): the note, its one gold event and the fields of ACLED's row they use;
//! serde skips the rest.

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::Path;

/// Every note of `acled-2022.dev.jsonl` in the folder `data`, read by `read` in parallel, in
/// file order.
pub(super) fn read_notes<T: Send>(
    data: &Path,
    read: impl Fn(&str) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let path = data.join("acled-2022.dev.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    text.par_lines()
        .filter(|l| !l.trim().is_empty())
        .map(&read)
        .collect()
}

#[derive(Deserialize)]
pub(super) struct Record {
    pub text: String,
    pub published: Option<String>,
    #[serde(default)]
    pub events: Vec<GoldEvent>,
    pub acled: Option<Row>,
}

/// The gold event of a note.
#[derive(Deserialize)]
pub(super) struct GoldEvent {
    #[serde(default)]
    pub family: String,
    pub initiator_country: Option<String>,
    #[serde(default)]
    pub locations: Vec<GoldLocation>,
}

/// Where the coder placed the event.
#[derive(Deserialize)]
pub(super) struct GoldLocation {
    pub lat: f64,
    pub lon: f64,
}

/// The columns of ACLED's row the stages read.
#[derive(Deserialize)]
pub(super) struct Row {
    pub actor1: Option<String>,
    pub inter1: Option<u8>,
    pub actor2: Option<String>,
    pub inter2: Option<u8>,
    pub country: Option<String>,
}
