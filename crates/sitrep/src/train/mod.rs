//! `sitrep train`: the reproducible training of every learned stage.
//!
//! Each stage reads pinned inputs from `../shared/data` (or `--data`), trains with
//! `sitrep-learn`, prints its cross-validated and dev-set scores, and writes its model where
//! `sitrep-extract` embeds it (`crates/sitrep-extract/models/`). The same inputs give the same
//! bytes, so a committed model can be checked by training again.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

mod acled;
mod actors;
mod clusters;
mod cues;
mod events;
mod geo;
mod ner;
mod sites;
mod speakers;

/// Which learned stage to train.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Stage {
    /// Word classes from unlabeled text (the table the named-entity tagger reads).
    Clusters,
    /// The named-entity tagger (people, organisations, places, nationalities): ner/*.jsonl,
    /// with LOC and FAC from silver labels (--silver, --silver-docs: scripts/silver_ner.py).
    Ner,
    /// The event typer (family and type of an event mention): ACLED notes and PLOVER sentences.
    Events,
    /// Speaker attribution and quote-or-term (one ranking model): PolNeAR attributions.
    Speakers,
    /// Cues of reported speech (indirect quotes): PolNeAR's annotated cue spans.
    Cues,
    /// Toponym resolution (which gazetteer record a place name means): GeoWebNews and ACLED.
    Geo,
    /// ACLED's actor types (inter codes) of event actors: ACLED notes.
    Actors,
    /// Event sites (which place mention an unplaced event happened at): ACLED notes.
    Sites,
    /// Training of this stage lands with its issue.
    None,
}

/// Arguments of `sitrep train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The stage to train.
    #[arg(value_enum)]
    pub stage: Stage,
    /// The folder of the dev sets (`../shared/data` by default).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Where to write the model (default: the stage's file in crates/sitrep-extract/models/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only score (cross-validation and dev), do not write the model.
    #[arg(long)]
    pub dry_run: bool,
    /// Only score the committed model on the dev set (stages that support it: ner).
    #[arg(long)]
    pub eval_only: bool,
    /// Cross-validation folds on the training set (0 or 1: none).
    #[arg(long, default_value_t = 0)]
    pub folds: usize,
    /// ner only: silver LOC and FAC spans of the corpus sentences, written at training time by
    /// `python3 scripts/silver_ner.py --data ../shared/data --out target/silver/ner.silver.jsonl`
    /// (an open spaCy pipeline as teacher; never run at extraction time). GMB's labels win; a
    /// silver span is added where GMB has no entity or an organisation.
    #[arg(long)]
    pub silver: Option<PathBuf>,
    /// ner only: also relabel a GMB place (GPE) span the silver file gives exactly as LOC or FAC.
    #[arg(long)]
    pub silver_relabel: bool,
    /// ner only: whole texts that are not GMB's (PolNeAR's train compartment) with every
    /// entity labelled by the same teacher (`scripts/silver_ner.py --docs FILE`), trained on
    /// beside GMB.
    #[arg(long)]
    pub silver_docs: Option<PathBuf>,
    /// ner only: the share (percent) of the `--silver-docs` texts trained on, chosen by a hash
    /// of each text's id (reproducible).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub silver_docs_share: u32,
    /// ner only: the entity types the teacher is trusted with on the `--silver-docs` texts
    /// (comma-separated, e.g. `LOC,FAC,PERSON`; none given: all). The others are those a model
    /// trained on GMB alone finds there (GMB's conventions), the teacher's trusted spans
    /// replacing what they overlap (LOC and FAC merged in as into GMB's sentences).
    #[arg(long, value_delimiter = ',')]
    pub silver_docs_trust: Vec<String>,
    /// ner only: the model is the average of this many taggers, each trained with its own
    /// shuffling seed (1, 2, ...): one model, scored at the cost of one.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub seeds: u64,
    /// ner only: passes over the training sentences.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
}

/// Every line of a JSON Lines file parsed as `T`, or the first line that is not, by number.
pub(crate) fn read_jsonl<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// Writes a stage's model to `--out`, else to `crates/sitrep-extract/models/<stage>.slm`,
/// where the extractor embeds it; returns the path written.
pub(crate) fn write_model(args: &TrainArgs, stage: &str, bytes: &[u8]) -> Result<PathBuf> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| format!("crates/sitrep-extract/models/{stage}.slm").into());
    std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
    Ok(out)
}

/// Writes a companion file of a stage's model (`name`, such as "geo_gate.slm") into the folder
/// the model was written to.
pub(crate) fn write_beside(model: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let out = model.with_file_name(name);
    std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
    say!("wrote {}", out.display());
    Ok(())
}

/// Prints a trained model's size and time, and writes it unless `--dry-run`.
pub(crate) fn finish_model(
    args: &TrainArgs,
    stage: &str,
    model: &sitrep_learn::Model,
    started: std::time::Instant,
) -> Result<Option<PathBuf>> {
    let bytes = model.to_bytes();
    say!(
        "model: {} weights, {} bytes; trained in {:.1}s",
        model.rows(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    if args.dry_run {
        return Ok(None);
    }
    let out = write_model(args, stage, &bytes)?;
    say!("wrote {}", out.display());
    Ok(Some(out))
}

/// Runs `sitrep train`.
pub fn run(args: TrainArgs) -> Result<()> {
    match args.stage {
        Stage::Clusters => clusters::run(&args),
        Stage::Ner => ner::run(&args),
        Stage::Events => events::run(&args),
        Stage::Speakers => speakers::run(&args),
        Stage::Cues => cues::run(&args),
        Stage::Geo => geo::run(&args),
        Stage::Actors => actors::run(&args),
        Stage::Sites => sites::run(&args),
        Stage::None => anyhow::bail!("no stage named"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_companion_model_goes_beside_the_model_not_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("ranker.slm");
        std::fs::write(&model, b"ranker").unwrap();
        write_beside(&model, "gate.slm", b"gate").unwrap();
        assert_eq!(std::fs::read(&model).unwrap(), b"ranker");
        assert_eq!(std::fs::read(dir.path().join("gate.slm")).unwrap(), b"gate");
    }
}
