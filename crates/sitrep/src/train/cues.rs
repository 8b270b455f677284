//! `sitrep train cues`: which words cue reported speech (indirect quotes), learnt from
//! PolNeAR's annotated cue spans.
//!
//! Every word outside quotation marks is one decision, cue or not (a word inside an annotated
//! cue span of any attribution is a cue), with `sitrep_extract::quotes::indirect::cue_features`.
//! The `train` compartment trains and is scored by 5-fold cross-validation grouped by article;
//! the `dev` compartment is scored by the model trained on all of `train`, which is the model
//! written (`models/cues.slm`). Scores are per word; `sitrep eval --gold polnear.dev.jsonl`
//! scores the indirect quotes end to end.

use anyhow::{Context, Result};
use rayon::prelude::*;
use sitrep_extract::lexicon::Lexicon;
use sitrep_extract::mentions;
use sitrep_extract::quotes::{self, indirect};
use sitrep_extract::speakers::{Ctx, Index};
use sitrep_gazetteer::Gazetteer;
use sitrep_learn::metrics::{folds, Counts};
use sitrep_learn::rank::{self, Choice};
use sitrep_learn::{Model, TrainOptions};
use sitrep_text::{Document, TokenKind};
use std::time::Instant;

use super::speakers::RecordJ;
use super::TrainArgs;

const FOLDS: usize = 5;
const SEED: u64 = 29;

/// One article's decisions: one per word outside quotation marks.
struct Article {
    train: bool,
    choices: Vec<Choice>,
}

fn read(line: &str) -> Result<Article> {
    let r: RecordJ = serde_json::from_str(line).context("a PolNeAR record")?;
    let lex = Lexicon::global();
    let doc = Document::new(r.text);
    let rec = mentions::recognize(&doc, lex, Gazetteer::global());
    let masked = quotes::masked(&doc);
    let idx = Index::new(&doc, lex, &rec, &masked);
    let ctx = Ctx::new(&doc, lex, &rec, &masked, &idx);
    let cues: Vec<(u32, u32)> = r
        .polnear
        .attributions
        .iter()
        .flat_map(|a| a.cue.iter().map(|c| (c.start, c.end)))
        .collect();
    let is_masked = |o: u32| masked.iter().any(|m| m.start <= o && o < m.end);
    let choices = (0..doc.tokens.len())
        .filter(|&k| doc.tokens[k].kind == TokenKind::Word && !is_masked(doc.tokens[k].span.start))
        .map(|k| {
            let s = doc.tokens[k].span;
            let cue = cues.iter().any(|&(a, b)| a <= s.start && s.end <= b);
            Choice {
                candidates: vec![indirect::cue_features(&ctx, k), indirect::no_cue_features()],
                gold: usize::from(!cue),
            }
        })
        .collect();
    Ok(Article {
        train: r.polnear.compartment == "train",
        choices,
    })
}

/// A model trained on `arts` whose "no cue" weighs `bias` more: a word is a cue when its score
/// beats "no cue" by more than `bias`.
fn train_on(arts: &[&Article], bias: f32) -> Model {
    let all: Vec<Choice> = arts
        .iter()
        .flat_map(|a| a.choices.iter().cloned())
        .collect();
    let mut rows = rank::train_rows(&all, TrainOptions::seeded(SEED));
    let none = indirect::no_cue_features()[0];
    match rows.iter_mut().find(|r| r.0 == none) {
        Some(r) => r.1[0] += bias,
        None => {
            rows.push((none, vec![bias]));
            rows.sort_unstable_by_key(|r| r.0);
        }
    }
    Model::from_rows(vec![rank::SCORE.to_string()], rows)
}

/// Each word's cue score less its "no cue" score under `model`, with whether it is a cue.
fn margins(model: &Model, arts: &[&Article]) -> Vec<(f32, bool)> {
    let none = rank::score(model, &indirect::no_cue_features());
    arts.iter()
        .flat_map(|a| &a.choices)
        .map(|ch| (rank::score(model, &ch.candidates[0]) - none, ch.gold == 0))
        .collect()
}

/// The bias (from -10 to 2 in steps of 0.5) at which the cue words of margins `m` score the
/// best F1.
fn best_bias(m: &[(f32, bool)]) -> f32 {
    let mut best = (0.0f32, -1.0f64);
    for step in 0..=24 {
        let b = -10.0 + 0.5 * step as f32;
        let f = count_at(m, b).f1();
        if f > best.1 {
            best = (b, f);
        }
    }
    best.0
}

/// Cue-word counts of margins `m` when a cue must beat "no cue" by more than `b`.
fn count_at(m: &[(f32, bool)], b: f32) -> Counts {
    let mut c = Counts::default();
    for &(s, want) in m {
        let got = s > b;
        c.add(Counts {
            tp: usize::from(got && want),
            predicted: usize::from(got),
            gold: usize::from(want),
        });
    }
    c
}

fn show(title: &str, c: &Counts) {
    say!(
        "{title}: cue words P {:.1} R {:.1} F1 {:.1} (matched {}, predicted {}, gold {})",
        c.precision(),
        c.recall(),
        c.f1(),
        c.tp,
        c.predicted,
        c.gold
    );
}

/// Runs `sitrep train cues`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let t0 = Instant::now();
    let path = args.data.join("polnear.dev.jsonl");
    let data =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = data.lines().filter(|l| !l.trim().is_empty()).collect();
    let articles: Vec<Article> = lines.par_iter().map(|l| read(l)).collect::<Result<_>>()?;
    let train: Vec<&Article> = articles.iter().filter(|a| a.train).collect();
    let dev: Vec<&Article> = articles.iter().filter(|a| !a.train).collect();
    eprintln!(
        "read {} articles ({} train, {} dev) in {:.1}s",
        articles.len(),
        train.len(),
        dev.len(),
        t0.elapsed().as_secs_f64()
    );
    let k = if args.folds > 1 { args.folds } else { FOLDS };
    let fold = folds(train.len(), k, 1, SEED);
    // Out-of-fold margins choose the bias: the perceptron's own boundary finds few of the
    // annotated cues (beliefs and intentions among them).
    let mut oof: Vec<(f32, bool)> = Vec::new();
    for f in 0..k {
        let (rest, held): (Vec<usize>, Vec<usize>) = (0..train.len()).partition(|&i| fold[i] != f);
        let m = train_on(&rest.iter().map(|&i| train[i]).collect::<Vec<_>>(), 0.0);
        oof.extend(margins(
            &m,
            &held.iter().map(|&i| train[i]).collect::<Vec<_>>(),
        ));
    }
    let cv = format!("{k}-fold cross-validation on PolNeAR train, grouped by article");
    show(&format!("{cv}, bias 0"), &count_at(&oof, 0.0));
    let bias = best_bias(&oof);
    show(&format!("{cv}, best bias {bias}"), &count_at(&oof, bias));
    let model = train_on(&train, bias);
    show(
        "PolNeAR dev, model trained on all of train, with that bias",
        &count_at(&margins(&model, &dev), 0.0),
    );
    super::finish_model(args, "cues", &model, t0)?;
    Ok(())
}
