//! `sitrep train clusters`: the word-class table the named-entity tagger reads
//! (`crates/sitrep-extract/models/clusters.tsv`), learnt from unlabeled text.
//!
//! Reads the `text` of every record of the JSON Lines files in the data folder and in `ner/`,
//! splits it with sitrep-text's tokenizer into sentences of words keyed by
//! `ner::cluster_key`, and clusters the words seen at least `MIN_COUNT` times (rarer words
//! share one id) with `sitrep_learn::clusters::exchange` into `FINE` classes; the fine classes
//! are clustered again into `COARSE` classes, a prefix of the first as in Brown clusters. Only
//! the words' text is used, never an annotation. The table lists each word with its fine and
//! coarse class, most frequent words first; reruns give the same bytes.

use super::TrainArgs;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Deserialize;
use sitrep_extract::ner;
use sitrep_learn::clusters::{exchange, ClusterOptions};
use sitrep_text::{Document, TokenKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Words seen fewer times share one id (and get no row in the table).
const MIN_COUNT: usize = 3;
/// Classes of the fine and the coarse clustering.
const FINE: usize = 256;
const COARSE: usize = 32;
/// The most passes of the exchange algorithm.
const ITERATIONS: usize = 15;

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    text: String,
}

/// The JSON Lines files of `data` and `data/ner`, sorted by path.
fn inputs(data: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in [data.to_path_buf(), data.join("ner")] {
        for e in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every sentence of a text as its words' cluster keys.
fn sentences(text: &str) -> Vec<Vec<String>> {
    let doc = Document::new(text.to_string());
    doc.sentences
        .iter()
        .map(|s| {
            s.tokens
                .clone()
                .filter(|&i| doc.tokens[i].kind != TokenKind::Punct || doc.tok(i).len() < 8)
                .map(|i| ner::cluster_key(doc.tok(i)).into_owned())
                .collect()
        })
        .collect()
}

/// Runs `sitrep train clusters`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let t0 = Instant::now();
    let mut texts = Vec::new();
    for p in inputs(&args.data)? {
        let recs: Vec<Record> = super::read_jsonl(&p)?;
        texts.extend(recs.into_iter().map(|r| r.text));
    }
    let sents: Vec<Vec<String>> = texts.par_iter().flat_map(|t| sentences(t)).collect();
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for w in sents.iter().flatten() {
        *freq.entry(w.as_str()).or_insert(0) += 1;
    }
    let mut vocab: Vec<(&str, usize)> = freq.into_iter().filter(|x| x.1 >= MIN_COUNT).collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let id: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.0, i as u32))
        .collect();
    let unk = vocab.len() as u32;
    let corpus: Vec<Vec<u32>> = sents
        .iter()
        .map(|s| {
            s.iter()
                .map(|w| id.get(w.as_str()).copied().unwrap_or(unk))
                .collect()
        })
        .collect();
    let tokens: usize = corpus.iter().map(Vec::len).sum();
    eprintln!(
        "clusters: {} texts, {} sentences, {tokens} words, {} word types seen {MIN_COUNT}+ times ({:.1} s)",
        texts.len(),
        corpus.len(),
        vocab.len(),
        t0.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let opts = |classes| ClusterOptions {
        classes,
        iterations: ITERATIONS,
    };
    let fine = exchange(&corpus, vocab.len() + 1, opts(FINE));
    eprintln!(
        "clusters: {FINE} classes in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let by_class: Vec<Vec<u32>> = corpus
        .iter()
        .map(|s| s.iter().map(|&w| fine[w as usize] as u32).collect())
        .collect();
    let coarse = exchange(&by_class, FINE, opts(COARSE));
    let mut table = String::new();
    for (i, (w, _)) in vocab.iter().enumerate() {
        if w.contains(['\t', '\n']) {
            continue;
        }
        table.push_str(&format!("{w}\t{}\t{}\n", fine[i], coarse[fine[i]]));
    }
    say!(
        "clusters: {} words into {FINE} and {COARSE} classes in {:.1} s",
        vocab.len(),
        t0.elapsed().as_secs_f64()
    );
    if args.dry_run {
        return Ok(());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| "crates/sitrep-extract/models/clusters.tsv".into());
    std::fs::write(&out, &table).with_context(|| format!("writing {}", out.display()))?;
    say!("clusters: wrote {} ({} bytes)", out.display(), table.len());
    Ok(())
}
