//! `sitrep train ner`: the named-entity tagger of `sitrep_extract::ner`, trained on the GMB
//! news corpus in `ner/train.jsonl` and scored on `ner/dev.jsonl`.
//!
//! Each corpus sentence is read by sitrep-text's own tokenizer (the one that runs at extraction
//! time) and the corpus's entity byte spans are laid onto those tokens: a token is inside an
//! entity when it starts inside it. Person spans lose their leading titles ("President Bush" →
//! "Bush"), as sitrep keeps titles apart from names. GMB's `tim` (DATE) is left out: dates are
//! read by `sitrep_text::timex`; so are its few and noisy `art`, `eve` and `nat` (MISC, EVENT),
//! which drew unknown place names to them. Scores are exact-span precision, recall and F1 per type.

use super::TrainArgs;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Deserialize;
use sitrep_extract::lexicon::{actor_key, Lexicon};
use sitrep_extract::mentions::is_title;
use sitrep_extract::ner;
use sitrep_gazetteer::Gazetteer;
use sitrep_learn::metrics::{folds, Report};
use sitrep_learn::tagger::{self, Sequence};
use sitrep_learn::{Model, TrainOptions};
use sitrep_text::{Document, TokenKind};
use std::path::Path;
use std::time::Instant;

/// The entity types learnt, in label order.
const TYPES: [&str; 4] = ["PERSON", "ORG", "GPE", "NORP"];

/// Training passes and the pruning threshold (rows whose averaged weights are all smaller are
/// dropped: a smaller model at no measured cost).
const OPTIONS: TrainOptions = TrainOptions {
    epochs: 10,
    seed: 1,
    prune: 0.05,
};

/// The share (percent) of capitalised training words whose identity features are hidden.
const HIDE_PERCENT: u32 = 40;

#[derive(Deserialize)]
struct Record {
    text: String,
    #[serde(default)]
    block: usize,
    entities: Vec<GoldEntity>,
}

#[derive(Deserialize)]
struct GoldEntity {
    start: u32,
    end: u32,
    label: String,
}

/// One sentence as sitrep reads it: token features, gold label indices, its corpus block.
struct Sent {
    seq: Sequence,
    block: usize,
}

fn labels() -> Vec<String> {
    let mut l = vec!["O".to_string()];
    for t in TYPES {
        l.push(format!("B-{t}"));
        l.push(format!("I-{t}"));
    }
    l
}

/// Reads a corpus file into sentences with features; counts entities that could not be laid
/// onto the tokens.
fn read(
    path: &Path,
    lex: &Lexicon,
    gaz: &Gazetteer,
    hide_names: bool,
) -> Result<(Vec<Sent>, usize)> {
    let records: Vec<Record> = super::read_jsonl(path)?;
    let pb = crate::progress_bar(Some(records.len() as u64), "sentences");
    let out: Vec<(Vec<Sent>, usize)> = records
        .par_iter()
        .map(|r| {
            pb.inc(1);
            sentences(r, lex, gaz, hide_names)
        })
        .collect();
    pb.finish_and_clear();
    let misaligned = out.iter().map(|x| x.1).sum();
    Ok((out.into_iter().flat_map(|x| x.0).collect(), misaligned))
}

fn sentences(r: &Record, lex: &Lexicon, gaz: &Gazetteer, hide_names: bool) -> (Vec<Sent>, usize) {
    let doc = Document::new(r.text.clone());
    let low = ner::lowercased(&doc);
    let akey: Vec<String> = doc
        .tokens
        .iter()
        .map(|t| actor_key(doc.slice(t.span)))
        .collect();
    let mut gold = vec![0usize; doc.tokens.len()];
    let mut misaligned = 0;
    for e in &r.entities {
        let Some(ti) = TYPES.iter().position(|t| *t == e.label) else {
            continue;
        };
        let inside: Vec<usize> = (0..doc.tokens.len())
            .filter(|&k| {
                let s = doc.tokens[k].span;
                s.start >= e.start && s.start < e.end
            })
            .collect();
        let Some(&first) = inside.first() else {
            misaligned += 1;
            continue;
        };
        if doc.tokens[first].span.start != e.start {
            misaligned += 1;
        }
        let mut a = first;
        let b = inside.last().expect("inside is not empty") + 1;
        if TYPES[ti] == "PERSON" {
            // "President Bush", "Mr. Chavez": the title is not part of the name.
            while a < b
                && (is_title(lex, &low[a])
                    || (a > first && doc.tokens[a].kind == TokenKind::Punct && low[a] == "."))
            {
                a += 1;
            }
        }
        if a == b {
            continue;
        }
        gold[a] = 1 + 2 * ti;
        for g in &mut gold[a + 1..b] {
            *g = 2 + 2 * ti;
        }
    }
    let sents = doc
        .sentences
        .iter()
        .map(|s| {
            let feats = if hide_names {
                // Hide the identity of a share of the capitalised words, chosen by a hash of
                // the sentence and position (reproducible), so context and lists learn weight.
                let hidden: Vec<bool> = s
                    .tokens
                    .clone()
                    .map(|k| {
                        let h = sitrep_learn::hash(&format!(
                            "{}:{k}",
                            r.block * 1000 + s.span.start as usize
                        ));
                        h % 100 < HIDE_PERCENT && low[k] != doc.tok(k)
                    })
                    .collect();
                ner::features_hiding(&doc, &low, &akey, lex, gaz, s.tokens.clone(), &hidden)
            } else {
                ner::sentence_features(&doc, &low, &akey, lex, gaz, s.tokens.clone())
            };
            Sent {
                seq: Sequence {
                    tokens: feats,
                    labels: gold[s.tokens.clone()].to_vec(),
                },
                block: r.block,
            }
        })
        .collect();
    (sents, misaligned)
}

/// Exact-span scores of `model` on `sents`, by type.
fn score(model: &Model, sents: &[&Sent]) -> Report {
    let reports: Vec<Report> = sents
        .par_iter()
        .map(|s| {
            let pred = tagger::tag(model, &s.seq.tokens);
            let names = |l: &[usize], labels: &[String]| -> Vec<((usize, usize), String)> {
                tagger::spans(l.iter().map(|&i| labels[i].as_str()))
                    .into_iter()
                    .map(|(a, b, k)| ((a, b), k.to_string()))
                    .collect()
            };
            let all = labels();
            let mut r = Report::default();
            r.spans(&names(&s.seq.labels, &all), &names(&pred, model.labels()));
            r
        })
        .collect();
    let mut total = Report::default();
    for r in &reports {
        total.merge(r);
    }
    total
}

fn train(sents: &[&Sent]) -> Model {
    let seqs: Vec<Sequence> = sents.iter().map(|s| s.seq.clone()).collect();
    tagger::train(&seqs, labels(), OPTIONS)
}

/// Runs `sitrep train ner`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let lex = Lexicon::global();
    let gaz = Gazetteer::global();
    let dir = args.data.join("ner");
    let t0 = Instant::now();
    let (dev, dev_mis) = read(&dir.join("dev.jsonl"), lex, gaz, false)?;
    let dev_refs: Vec<&Sent> = dev.iter().collect();
    if args.eval_only {
        let m = ner::model().context("the embedded models/ner.slm is not a model")?;
        println!(
            "ner: the committed model on ner/dev.jsonl ({} sentences, exact spans)",
            dev.len()
        );
        println!("{}", score(m, &dev_refs));
        return Ok(());
    }
    let (train_set, train_mis) = read(&dir.join("train.jsonl"), lex, gaz, HIDE_PERCENT > 0)?;
    eprintln!(
        "ner: {} train and {} dev sentences read with features in {:.1} s ({} and {} entities not on token boundaries)",
        train_set.len(),
        dev.len(),
        t0.elapsed().as_secs_f64(),
        train_mis,
        dev_mis
    );
    if args.folds > 1 {
        // Held-out folds are scored as text is read at run time: no name hidden.
        let (plain, _) = read(&dir.join("train.jsonl"), lex, gaz, false)?;
        let blocks = train_set.iter().map(|s| s.block).max().unwrap_or(0) + 1;
        let fold_of = folds(blocks, args.folds, 1, 7);
        let mut cv = Report::default();
        for k in 0..args.folds {
            let t = Instant::now();
            let tr: Vec<&Sent> = train_set.iter().filter(|s| fold_of[s.block] != k).collect();
            let te: Vec<&Sent> = plain.iter().filter(|s| fold_of[s.block] == k).collect();
            let m = train(&tr);
            let r = score(&m, &te);
            eprintln!(
                "ner: fold {}/{}: F1 {:.1} ({:.0} s)",
                k + 1,
                args.folds,
                r.micro().f1(),
                t.elapsed().as_secs_f64()
            );
            cv.merge(&r);
        }
        println!(
            "ner: {}-fold cross-validation on ner/train.jsonl (folds by 20-sentence block, exact spans)",
            args.folds
        );
        println!("{cv}");
    }
    let t = Instant::now();
    let all: Vec<&Sent> = train_set.iter().collect();
    let model = train(&all);
    let train_secs = t.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    // Score what will be embedded: the model read back from its (quantised) bytes.
    let model = Model::from_bytes(&bytes).context("reading back the trained model")?;
    println!(
        "ner: trained on {} sentences in {:.1} s ({} epochs); {} rows, {:.1} MB",
        all.len(),
        train_secs,
        OPTIONS.epochs,
        model.rows(),
        bytes.len() as f64 / 1e6
    );
    println!("ner: ner/dev.jsonl ({} sentences, exact spans)", dev.len());
    println!("{}", score(&model, &dev_refs));
    if args.dry_run {
        return Ok(());
    }
    let out = super::write_model(args, "ner", &bytes)?;
    println!("ner: wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
