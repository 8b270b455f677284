//! `sitrep train speakers`: who said each quote, and which quoted stretches are quotes.
//!
//! Reads `polnear.dev.jsonl` (PolNeAR: US political news with every attribution annotated by
//! hand). The `train` compartment (840 articles) trains, and is scored by 5-fold
//! cross-validation grouped by article; the `dev` compartment (84 articles) is scored by the
//! model trained on all of `train`, which is the model written. The decisions and their
//! features are `sitrep_extract::speakers`'; the quote finder (`quotes::find_with`) collects
//! them against the gold, so training sees exactly what run time sees.
//!
//! Training runs in two steps per model: the speaker and antecedent choices first; then the
//! quote-or-term choices, whose features include whether a speaker was found, computed with a
//! speaker model that did not see the article (out of fold), as at run time. The lexicons the
//! model carries (cue words, the gender of first names and titles) are learnt per fold from its
//! training articles only.
//!
//! Reported speech (indirect quotes, `quotes::indirect`) trains the same ranking's features
//! under ids of their own (`speakers::indirect_id`): each content the cue model finds that
//! matches a PolNeAR attribution holding no quotation is a speaker decision whose gold is the
//! name in the annotated source; its figures are printed as `indirect`.
//!
//! Speaker accuracy is also printed per kind of annotated source (PolNeAR's
//! `speaker_resolution`: direct, coref, org...); `SITREP_SPEAKER_ERRORS=<file>` writes the
//! cross-validation's wrong speakers as JSON Lines, for error analysis by category (and the dev
//! compartment's next to it, as `<file stem>.dev.jsonl`).

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Deserialize;
use sitrep_eval::{GoldRecord, Scores};
use sitrep_extract::lexicon::Lexicon;
use sitrep_extract::mentions::{self, Recognized};
use sitrep_extract::quotes;
use sitrep_extract::speakers::{cue_word_id, gender_word_id, Decisions, GoldQuote};
use sitrep_gazetteer::Gazetteer;
use sitrep_learn::metrics::{folds, Report};
use sitrep_learn::rank::{self, Choice};
use sitrep_learn::{Model, TrainOptions};
use sitrep_model::{Extraction, Quote, ReportMeta, Span};
use sitrep_text::{Document, TokenKind};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use super::TrainArgs;

const FOLDS: usize = 5;
const SEED: u64 = 13;

/// PolNeAR's records as `polnear.dev.jsonl` holds them (also read by `train cues`).
#[derive(Deserialize)]
pub(super) struct SpanJ {
    pub(super) start: u32,
    pub(super) end: u32,
}

#[derive(Deserialize)]
pub(super) struct QuoteJ {
    start: u32,
    end: u32,
    speaker: Option<String>,
    #[serde(default)]
    source: Vec<SpanJ>,
    speaker_resolution: Option<String>,
    attribution: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct AttributionJ {
    #[serde(default)]
    id: String,
    #[serde(default)]
    pub(super) cue: Vec<SpanJ>,
    #[serde(default)]
    source: Vec<SpanJ>,
    #[serde(default)]
    content: Vec<SpanJ>,
}

#[derive(Deserialize)]
pub(super) struct PolnearJ {
    pub(super) compartment: String,
    #[serde(default)]
    pub(super) attributions: Vec<AttributionJ>,
}

#[derive(Deserialize)]
pub(super) struct RecordJ {
    pub(super) text: String,
    #[serde(default)]
    pub(super) quotes: Vec<QuoteJ>,
    pub(super) polnear: PolnearJ,
}

/// One article, read and recognised once.
struct Article {
    gold: GoldRecord,
    quotes: Vec<GoldQuote>,
    train: bool,
    doc: Document,
    rec: Recognized,
    /// Per lowercase word: occurrences inside an annotated cue, and in all.
    cues: HashMap<String, (u32, u32)>,
    /// The report's gender evidence by first name and title word.
    genders: Vec<(String, u8)>,
    /// Each gold quote's `speaker_resolution` (how its speaker was read from its source).
    kinds: Vec<Option<String>>,
}

fn opts() -> TrainOptions {
    TrainOptions::seeded(SEED)
}

fn load(path: &Path) -> Result<Vec<Article>> {
    let data =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = data.lines().filter(|l| !l.trim().is_empty()).collect();
    let lex = Lexicon::global();
    let gaz = Gazetteer::global();
    let pb = crate::progress_bar(Some(lines.len() as u64), "articles read");
    let out: Result<Vec<Article>> = lines
        .par_iter()
        .map(|line| {
            let r: RecordJ = serde_json::from_str(line).context("a PolNeAR record")?;
            let gold: GoldRecord = serde_json::from_str(line).context("a gold record")?;
            let mut quotes: Vec<GoldQuote> = r
                .quotes
                .iter()
                .map(|q| GoldQuote {
                    start: q.start,
                    end: q.end,
                    speaker: q.speaker.clone(),
                    source: spans(&q.source),
                    indirect: false,
                })
                .collect();
            quotes.extend(indirect_gold(&r));
            let kinds = r
                .quotes
                .iter()
                .map(|q| q.speaker_resolution.clone())
                .collect();
            let doc = Document::new(r.text);
            let rec = mentions::recognize(&doc, lex, gaz);
            let genders = quotes::gender_evidence(&doc, lex, &rec);
            let spans: Vec<(u32, u32)> = r
                .polnear
                .attributions
                .iter()
                .flat_map(|a| a.cue.iter().map(|c| (c.start, c.end)))
                .collect();
            let mut cues: HashMap<String, (u32, u32)> = HashMap::new();
            for (k, t) in doc.tokens.iter().enumerate() {
                if t.kind != TokenKind::Word {
                    continue;
                }
                let inside = spans
                    .iter()
                    .any(|&(a, b)| a <= t.span.start && t.span.end <= b);
                let c = cues.entry(rec.low[k].clone()).or_default();
                c.0 += u32::from(inside);
                c.1 += 1;
            }
            pb.inc(1);
            Ok(Article {
                gold,
                quotes,
                train: r.polnear.compartment == "train",
                doc,
                rec,
                cues,
                genders,
                kinds,
            })
        })
        .collect();
    pb.finish_and_clear();
    out
}

fn spans(v: &[SpanJ]) -> Vec<Span> {
    v.iter()
        .map(|s| Span::new(s.start as usize, s.end as usize))
        .collect()
}

/// The attributions of a record that hold no quotation (reported speech), as gold indirect
/// quotes: their content from its first to its last span, their annotated source (the speaker
/// decision's gold is the candidate overlapping it).
fn indirect_gold(r: &RecordJ) -> Vec<GoldQuote> {
    let direct: std::collections::HashSet<&str> = r
        .quotes
        .iter()
        .filter_map(|q| q.attribution.as_deref())
        .collect();
    r.polnear
        .attributions
        .iter()
        .filter(|a| !direct.contains(a.id.as_str()) && !a.source.is_empty())
        .filter_map(|a| {
            let lo = a.content.iter().map(|c| c.start).min()?;
            let hi = a.content.iter().map(|c| c.end).max()?;
            (hi > lo).then(|| GoldQuote {
                start: lo,
                end: hi,
                speaker: None,
                source: spans(&a.source),
                indirect: true,
            })
        })
        .collect()
}

/// The decisions of one article, collected by the quote finder with `model`.
fn decisions(a: &Article, model: &Model) -> Decisions {
    let mut d = Decisions::default();
    quotes::find_with(
        &a.doc,
        Lexicon::global(),
        &a.rec,
        model,
        Some((&a.quotes, &mut d)),
    );
    d
}

/// How well one model does on some articles: the figures `sitrep eval` prints for quotes, and
/// the accuracy of each learned decision.
#[derive(Default)]
struct Figures {
    eval: Scores,
    speaker_choice: Report,
    antecedent: Report,
    quote: Report,
    /// Speaker accuracy per `speaker_resolution` (hits, total) over matched quotes.
    by_kind: BTreeMap<String, (usize, usize)>,
    /// One JSON line per wrong speaker, for error analysis (`SITREP_SPEAKER_ERRORS`).
    errors: Vec<String>,
    /// One line per wrong antecedent choice: article, anaphor, wanted key, candidates, pick.
    antecedent_errors: Vec<String>,
}

/// Scores the speakers of `found` per kind of annotated source: a gold quote with a speaker
/// matches the first unused predicted quote overlapping at least half of the shorter (as
/// `sitrep eval` matches by text), and is right when the last names agree.
fn by_kind(a: &Article, found: &[Quote], f: &mut Figures) {
    let mut used = vec![false; found.len()];
    for (g, kind) in a.quotes.iter().zip(&a.kinds) {
        let Some(want) = g.speaker.as_deref() else {
            continue;
        };
        let gs = Span::new(g.start as usize, g.end as usize);
        let Some(i) = (0..found.len()).find(|&i| {
            let q = Span::new(found[i].start as usize, found[i].end as usize);
            !used[i] && q.overlaps(gs) && {
                let lo = q.start.max(gs.start);
                let hi = q.end.min(gs.end);
                let shorter = (q.end - q.start).min(gs.end - gs.start);
                (hi - lo) * 2 >= shorter
            }
        }) else {
            continue;
        };
        used[i] = true;
        let q = &found[i];
        let last = |s: &str| s.split_whitespace().last().unwrap_or("").to_lowercase();
        let hit = q
            .speaker
            .as_ref()
            .is_some_and(|s| last(&s.name) == last(want));
        let e = f
            .by_kind
            .entry(kind.clone().unwrap_or_else(|| "-".into()))
            .or_default();
        e.0 += usize::from(hit);
        e.1 += 1;
        if !hit {
            let src: Vec<&str> = g.source.iter().map(|s| a.doc.slice(*s)).collect();
            f.errors.push(
                serde_json::json!({
                    "id": a.gold.id, "kind": kind, "gold": want, "source": src,
                    "source_at": g.source.first().map(|s| s.start),
                    "got": q.speaker.as_ref().map(|s| &s.name),
                    "mention": q.speaker_mention.map(|m| a.doc.slice(m)),
                    "mention_at": q.speaker_mention.map(|m| m.start),
                    "quote_at": q.start,
                })
                .to_string(),
            );
        }
    }
}

fn choice_accuracy(model: &Model, choices: &[Choice], report: &mut Report, name: &str) {
    for c in choices {
        let got = rank::best(model, c.candidates.iter().map(Vec::as_slice)).map_or(0, |b| b.0);
        let none = c.candidates.len() - 1;
        let label = |i: usize| if i == none { "nobody" } else { name };
        // A right pick of a candidate counts for the candidate label; a wrong one as a miss.
        let predicted = if got == c.gold {
            label(c.gold)
        } else {
            label(got)
        };
        if got == c.gold || predicted == "nobody" || label(c.gold) == "nobody" {
            report.classified(label(c.gold), predicted);
        } else {
            report.classified(label(c.gold), "wrong candidate");
        }
    }
}

fn score(
    model: &Model,
    lexm: &Model,
    articles: &[&Article],
    quote_choices: &[&[Choice]],
    f: &mut Figures,
) {
    let lex = Lexicon::global();
    let results: Vec<(Scores, Decisions, Figures)> = articles
        .par_iter()
        .map(|a| {
            let q = quotes::find_with(&a.doc, lex, &a.rec, model, None);
            let x = Extraction {
                schema: String::new(),
                report: ReportMeta::default(),
                events: Vec::new(),
                totals: Vec::new(),
                quotes: q.quotes.into_iter().chain(q.indirect).collect(),
                entities: Vec::new(),
                warnings: Vec::new(),
            };
            let mut s = Scores::default();
            sitrep_eval::score_one(&a.gold, &x, &mut s);
            let mut k = Figures::default();
            by_kind(a, &x.quotes, &mut k);
            (s, decisions(a, lexm), k)
        })
        .collect();
    for ((s, d, k), a) in results.iter().zip(articles) {
        for (c, note) in d.antecedent.iter().zip(&d.antecedent_notes) {
            let got = rank::best(model, c.candidates.iter().map(Vec::as_slice)).map_or(0, |b| b.0);
            if got != c.gold {
                f.antecedent_errors
                    .push(format!("{}\t{note}\tgold#{} got#{got}", a.gold.id, c.gold));
            }
        }
        for (kind, (h, t)) in &k.by_kind {
            let e = f.by_kind.entry(kind.clone()).or_default();
            e.0 += h;
            e.1 += t;
        }
        f.errors.extend(k.errors.iter().cloned());
        add_scores(&mut f.eval, s);
        choice_accuracy(model, &d.speaker, &mut f.speaker_choice, "speaker");
        choice_accuracy(model, &d.antecedent, &mut f.antecedent, "antecedent");
    }
    for qc in quote_choices {
        for c in qc.iter() {
            let got = rank::best(model, c.candidates.iter().map(Vec::as_slice)).map_or(0, |b| b.0);
            let name = |i: usize| if i == 0 { "quote" } else { "term" };
            f.quote.classified(name(c.gold), name(got));
        }
    }
}

fn add_scores(into: &mut Scores, s: &Scores) {
    into.reports += s.reports;
    into.quotes.matched += s.quotes.matched;
    into.quotes.predicted += s.quotes.predicted;
    into.quotes.gold += s.quotes.gold;
    into.speaker.hits += s.speaker.hits;
    into.speaker.total += s.speaker.total;
    let (i, j) = (&mut into.indirect, &s.indirect);
    i.all.matched += j.all.matched;
    i.all.predicted += j.all.predicted;
    i.all.gold += j.all.gold;
    i.speaker.hits += j.speaker.hits;
    i.speaker.total += j.speaker.total;
}

fn print(title: &str, f: &Figures) {
    say!("== {title}");
    say!("quotes     {}", f.eval.quotes);
    say!("  speaker accuracy    {}", f.eval.speaker);
    say!("indirect   {}", f.eval.indirect.all);
    say!("  speaker accuracy    {}", f.eval.indirect.speaker);
    say!("  speaker accuracy by annotated source (speaker_resolution; quotes matched by span):");
    for (kind, (h, t)) in &f.by_kind {
        let pct = 100.0 * *h as f64 / (*t).max(1) as f64;
        say!("    {kind:<18} {pct:5.1}% ({h}/{t})");
    }
    say!("speaker choice (the candidate overlapping the annotated source):");
    say!("{}", f.speaker_choice);
    say!("antecedent of a pronoun or role noun chosen as speaker:");
    say!("{}", f.antecedent);
    say!("quote or term:");
    say!("{}", f.quote);
}

/// The learnt cue lexicon as model rows: a word seen at least 3 times weighs the smoothed share
/// of its occurrences inside annotated cues, less one half.
fn cue_rows(articles: &[&Article]) -> Vec<(u32, Vec<f32>)> {
    let mut all: HashMap<&str, (u32, u32)> = HashMap::new();
    for a in articles {
        for (w, c) in &a.cues {
            let e = all.entry(w.as_str()).or_default();
            e.0 += c.0;
            e.1 += c.1;
        }
    }
    share_rows(all, 3, cue_word_id)
}

/// The learnt gender lexicon as model rows: a first name or title word seen at least twice with
/// a pronoun after it weighs the smoothed share of masculine pronouns, less one half.
fn gender_rows(articles: &[&Article]) -> Vec<(u32, Vec<f32>)> {
    let mut all: HashMap<&str, (u32, u32)> = HashMap::new();
    for a in articles {
        for (w, g) in &a.genders {
            let e = all.entry(w.as_str()).or_default();
            e.0 += u32::from(*g == 1);
            e.1 += 1;
        }
    }
    share_rows(all, 2, gender_word_id)
}

/// Lexicon rows from (hits, seen) counts: a word seen at least `min_seen` times weighs the
/// smoothed share of hits, less one half; rows sorted by id, one per id.
fn share_rows(
    all: HashMap<&str, (u32, u32)>,
    min_seen: u32,
    id: fn(&str) -> u32,
) -> Vec<(u32, Vec<f32>)> {
    let mut rows: Vec<(u32, Vec<f32>)> = all
        .into_iter()
        .filter(|(_, c)| c.1 >= min_seen)
        .map(|(w, c)| {
            let share = (c.0 as f32 + 0.5) / (c.1 as f32 + 1.0);
            (id(w), vec![share - 0.5])
        })
        .filter(|(_, w)| w[0].abs() >= 1e-3)
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1[0].total_cmp(&b.1[0])));
    rows.dedup_by_key(|r| r.0);
    rows
}

/// The lexicons learnt from `articles` (cue words, gender of first names and titles) alone.
fn lexicon_model(articles: &[&Article]) -> Model {
    let mut rows = cue_rows(articles);
    rows.extend(gender_rows(articles));
    rows.sort_unstable_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    Model::from_rows(vec![rank::SCORE.to_string()], rows)
}

/// How many rankers, each shuffled by its own seed, the model averages (one: CV speaker
/// accuracy 86.1 %, five: 86.3 %; the order of the training quotes moves a single ranker's
/// figures by about half a point).
const SEEDS: u64 = 5;

/// The ranking rows of `choices` averaged over [`SEEDS`] rankers, each trained with its own
/// shuffling seed: one model whose weights vary less with the order of the training quotes.
fn averaged_rows(choices: &[Choice]) -> Vec<(u32, Vec<f32>)> {
    let n = SEEDS;
    let mut sum: BTreeMap<u32, f32> = BTreeMap::new();
    for s in 0..n {
        for (id, w) in rank::train_rows(choices, TrainOptions::seeded(SEED + s)) {
            *sum.entry(id).or_default() += w[0];
        }
    }
    sum.into_iter()
        .map(|(id, w)| (id, vec![w / n as f32]))
        .filter(|(_, w)| w[0].abs() >= opts().prune)
        .collect()
}

fn train_on(speaker: &[&Decisions], quote: &[&[Choice]], cues: &[&Article]) -> Model {
    let mut all: Vec<Choice> = Vec::new();
    for d in speaker {
        all.extend(d.speaker.iter().cloned());
        all.extend(d.antecedent.iter().cloned());
    }
    for q in quote {
        all.extend(q.iter().cloned());
    }
    let mut rows = averaged_rows(&all);
    rows.extend(cue_rows(cues));
    rows.extend(gender_rows(cues));
    rows.sort_unstable_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    Model::from_rows(vec![rank::SCORE.to_string()], rows)
}

/// Runs `sitrep train speakers`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let t0 = Instant::now();
    let path = args.data.join("polnear.dev.jsonl");
    let articles = load(&path)?;
    let train: Vec<&Article> = articles.iter().filter(|a| a.train).collect();
    let dev: Vec<&Article> = articles.iter().filter(|a| !a.train).collect();
    eprintln!(
        "read {} articles ({} train, {} dev) in {:.1}s",
        articles.len(),
        train.len(),
        dev.len(),
        t0.elapsed().as_secs_f64()
    );
    // Speaker and antecedent decisions depend on the learnt lexicons only (cue words, gender
    // of first names), which each fold learns from its own training articles.
    let fold = folds(train.len(), FOLDS, 1, SEED);
    let split =
        |k: usize| -> (Vec<usize>, Vec<usize>) { (0..train.len()).partition(|&i| fold[i] != k) };
    let base_of = |rest: &[usize]| -> (Model, Vec<Decisions>) {
        let arts: Vec<&Article> = rest.iter().map(|&i| train[i]).collect();
        let lexm = lexicon_model(&arts);
        let d = arts.par_iter().map(|a| decisions(a, &lexm)).collect();
        (lexm, d)
    };
    // Out-of-fold quote decisions: their "speaker found" feature comes from a speaker model
    // that did not see the article.
    let mut oof: Vec<Vec<Choice>> = vec![Vec::new(); train.len()];
    // Out-of-fold speaker decisions too: their previous speaker is the one a model that did not
    // see the article predicts, as at run time.
    let mut oof_speaker: Vec<Decisions> = (0..train.len()).map(|_| Decisions::default()).collect();
    let pb = crate::progress_bar(Some(2 * FOLDS as u64), "folds");
    for k in 0..FOLDS {
        let (rest, held) = split(k);
        let (_, base) = base_of(&rest);
        let arts: Vec<&Article> = rest.iter().map(|&i| train[i]).collect();
        let m = train_on(&base.iter().collect::<Vec<_>>(), &[], &arts);
        let ds: Vec<Decisions> = held.par_iter().map(|&i| decisions(train[i], &m)).collect();
        for (i, mut d) in held.into_iter().zip(ds) {
            oof[i] = std::mem::take(&mut d.quote);
            oof_speaker[i] = d;
        }
        pb.inc(1);
    }
    let mut cv = Figures::default();
    for k in 0..FOLDS {
        let (rest, held) = split(k);
        let lexm = lexicon_model(&rest.iter().map(|&i| train[i]).collect::<Vec<_>>());
        let m = train_on(
            &rest.iter().map(|&i| &oof_speaker[i]).collect::<Vec<_>>(),
            &rest.iter().map(|&i| oof[i].as_slice()).collect::<Vec<_>>(),
            &rest.iter().map(|&i| train[i]).collect::<Vec<_>>(),
        );
        score(
            &m,
            &lexm,
            &held.iter().map(|&i| train[i]).collect::<Vec<_>>(),
            &held.iter().map(|&i| oof[i].as_slice()).collect::<Vec<_>>(),
            &mut cv,
        );
        pb.inc(1);
    }
    pb.finish_and_clear();
    print(
        &format!(
            "{FOLDS}-fold cross-validation on PolNeAR train ({} articles, grouped by article)",
            train.len()
        ),
        &cv,
    );
    if let Some(path) = std::env::var_os("SITREP_SPEAKER_ERRORS") {
        std::fs::write(&path, cv.errors.join("\n"))
            .with_context(|| format!("writing {}", Path::new(&path).display()))?;
        let ante = Path::new(&path).with_extension("ante.tsv");
        std::fs::write(&ante, cv.antecedent_errors.join("\n"))
            .with_context(|| format!("writing {}", ante.display()))?;
    }
    let lexm = lexicon_model(&train);
    let all: Vec<&Decisions> = oof_speaker.iter().collect();
    let model = train_on(
        &all,
        &oof.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        &train,
    );
    // Dev quote decisions with the speaker model of all train (no dev article was seen).
    let speaker_only = train_on(&all, &[], &train);
    let dev_q: Vec<Vec<Choice>> = dev
        .par_iter()
        .map(|a| decisions(a, &speaker_only).quote)
        .collect();
    let mut dv = Figures::default();
    score(
        &model,
        &lexm,
        &dev,
        &dev_q.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        &mut dv,
    );
    print(
        &format!(
            "PolNeAR dev ({} articles), model trained on all of train",
            dev.len()
        ),
        &dv,
    );
    if let Some(path) = std::env::var_os("SITREP_SPEAKER_ERRORS") {
        let path = Path::new(&path).with_extension("dev.jsonl");
        std::fs::write(&path, dv.errors.join("\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    // The stage's own cost at run time: quote finding and attribution, one core, recognition
    // done beforehand.
    let t = Instant::now();
    let mut n = 0usize;
    for a in &articles {
        n += quotes::find_with(&a.doc, Lexicon::global(), &a.rec, &model, None)
            .quotes
            .len();
        std::hint::black_box(n);
    }
    let mb: usize = articles.iter().map(|a| a.doc.text.len()).sum();
    let secs = t.elapsed().as_secs_f64();
    say!(
        "quotes and speakers alone: {:.1} MB in {:.2}s on one core ({:.1} MB/s, {n} quotes)",
        mb as f64 / 1e6,
        secs,
        mb as f64 / 1e6 / secs.max(1e-9)
    );
    let bytes = model.to_bytes();
    say!(
        "model: {} rows, {} bytes; trained in {:.1}s",
        model.rows(),
        bytes.len(),
        t0.elapsed().as_secs_f64()
    );
    if !args.dry_run {
        let out = super::write_model(args, "speakers", &bytes)?;
        say!("wrote {}", out.display());
    }
    Ok(())
}
