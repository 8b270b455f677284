//! `sitrep train geo`: the toponym resolution ranker (which gazetteer record a place name means).
//!
//! Reads `gwn.dev.jsonl` (GeoWebNews: news articles with every toponym's span, coordinates and
//! GeoNames id) and `acled-2022.dev.jsonl` (ACLED notes with the coder's location name and
//! coordinates; the name is looked for in the note). Each gold name becomes one ranking
//! decision over its gazetteer candidates, with the features of `sitrep_extract::geocode`
//! computed in the context of the whole report (its actors as recognised at run time, the other
//! gold names as its place mentions). The gold candidate is the one with the gold GeoNames id,
//! else the nearest within 161 km; a name with no such candidate is counted wrong and not
//! trained on.
//!
//! Scores are resolution given the gold spans, as the literature measures it: 5-fold
//! cross-validation grouped by article, acc@161 and GeoNames id match per gold feature code,
//! beside the population prior the model replaces. `--eval-only` scores the committed model
//! instead (on every article: it saw them in training). With `-vv` every reachable name
//! resolved to another record than gold is logged (name, chosen record, its code and country),
//! for error analysis by category.

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Deserialize;
use sitrep_extract::geocode::{self, inner, Context, Query};
use sitrep_extract::lexicon::Lexicon;
use sitrep_extract::mentions::{self, Recognized};
use sitrep_gazetteer::{distance_km, Gazetteer, Place};
use sitrep_learn::metrics::folds;
use sitrep_learn::rank::{self, Choice};
use sitrep_learn::{Example, Model, TrainOptions};
use sitrep_text::Document;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use super::TrainArgs;

const FOLDS: usize = 5;
const SEED: u64 = 16;

fn opts() -> TrainOptions {
    TrainOptions::seeded(SEED)
}

#[derive(Deserialize)]
struct ToponymJ {
    start: usize,
    end: usize,
    lat: f64,
    lon: f64,
    geonames_id: Option<u32>,
}

#[derive(Deserialize)]
struct LocationJ {
    name: String,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize, Default)]
struct EventJ {
    #[serde(default)]
    locations: Vec<LocationJ>,
}

#[derive(Deserialize)]
struct RecordJ {
    text: String,
    #[serde(default)]
    toponyms: Vec<ToponymJ>,
    #[serde(default)]
    events: Vec<EventJ>,
}

/// One gold place name.
struct Gold {
    lat: f64,
    lon: f64,
    id: Option<u32>,
    /// Index of the gold candidate, when one is within reach.
    answer: Option<usize>,
}

/// One report with its gold names as queries.
struct Article {
    corpus: &'static str,
    rec: Recognized,
    actor_countries: std::collections::HashMap<String, f64>,
    queries: Vec<Query>,
    gold: Vec<Gold>,
    /// The report's other recognised places: evidence only.
    extra: Vec<Query>,
    /// For each query read by the place inside its name (`geocode::inner`), the whole name's
    /// token range: the gate's examples.
    whole: Vec<Option<(usize, usize)>>,
}

impl Article {
    fn ctx(&self) -> Context<'_> {
        Context {
            low: &self.rec.low,
            actor_countries: self.actor_countries.clone(),
        }
    }
}

/// A wide area's point (an ocean's, a world region's) is a convention: GeoNames' and ours can lie
/// far apart ("Atlantic"). Where no candidate lies within 161 km of gold, the nearest such area
/// within this distance is the reading to learn (scores still count 161 km).
const AREA_REACH_KM: f64 = 2500.0;

fn gold_answer(cands: &[Place], lat: f64, lon: f64, id: Option<u32>) -> Option<usize> {
    if let Some(i) = id.and_then(|id| cands.iter().position(|p| p.geonameid == id)) {
        return Some(i);
    }
    let nearest = |reach: f64, keep: &dyn Fn(&Place) -> bool| {
        cands
            .iter()
            .enumerate()
            .filter(|(_, p)| keep(p))
            .map(|(i, p)| (i, distance_km(p.lat, p.lon, lat, lon)))
            .filter(|(_, d)| *d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let wide = |p: &Place| sitrep_gazetteer::is_area(p.code) || p.code == "CONT";
    nearest(161.0, &|_| true).or_else(|| nearest(AREA_REACH_KM, &wide))
}

fn load(path: &Path, corpus: &'static str) -> Result<Vec<Article>> {
    let data =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = data.lines().filter(|l| !l.trim().is_empty()).collect();
    let lex = Lexicon::global();
    let gaz = Gazetteer::global();
    let pb = crate::progress_bar(Some(lines.len() as u64), corpus);
    let out: Result<Vec<Article>> = lines
        .par_iter()
        .map(|line| {
            let r: RecordJ = serde_json::from_str(line).context("a gold record")?;
            // Gold spans: GWN's toponyms; ACLED's location name where the note writes it.
            let mut spans: Vec<(usize, usize, f64, f64, Option<u32>)> = r
                .toponyms
                .iter()
                .map(|t| (t.start, t.end, t.lat, t.lon, t.geonames_id))
                .collect();
            for l in r.events.iter().flat_map(|e| &e.locations) {
                if let Some(at) = r.text.find(l.name.as_str()) {
                    spans.push((at, at + l.name.len(), l.lat, l.lon, None));
                }
            }
            spans.sort_by_key(|s| s.0);
            let doc = Document::new(r.text);
            let rec = mentions::recognize(&doc, lex, gaz);
            let actor_countries = geocode::actor_countries(lex, &rec.mentions);
            let byte_spans: Vec<(usize, usize)> = spans.iter().map(|s| (s.0, s.1)).collect();
            // The same queries and evidence as `sitrep geoparse` builds at run time.
            let (found, extra) = geocode::span_queries(gaz, lex, &doc, &rec, &byte_spans);
            let mut queries = Vec::new();
            let mut gold = Vec::new();
            let mut whole = Vec::new();
            for ((s, e, lat, lon, id), q) in spans.into_iter().zip(found) {
                let range = geocode::tokens_of(&doc, s, e);
                let inner = q.as_ref().is_some_and(|q| range != Some((q.first, q.end)));
                whole.push(range.filter(|_| inner));
                // A name without candidates stays in the scores, counted wrong.
                let answer = q
                    .as_ref()
                    .and_then(|q| gold_answer(&q.candidates, lat, lon, id));
                gold.push(Gold {
                    lat,
                    lon,
                    id,
                    answer,
                });
                queries.push(q.unwrap_or(Query {
                    first: 0,
                    end: 0,
                    text: String::new(),
                    candidates: Vec::new(),
                    cue: false,
                }));
            }
            pb.inc(1);
            Ok(Article {
                corpus,
                rec,
                actor_countries,
                queries,
                gold,
                extra,
                whole,
            })
        })
        .collect();
    pb.finish_and_clear();
    out
}

/// Feature ids of every candidate of every answerable query of an article.
fn article_features(a: &Article) -> Vec<Vec<Vec<u32>>> {
    // Queries without candidates take no part in the report's evidence.
    let live: Vec<usize> = (0..a.queries.len())
        .filter(|&i| !a.queries[i].candidates.is_empty())
        .collect();
    let mut qs: Vec<Query> = live.iter().map(|&i| a.queries[i].clone()).collect();
    qs.extend(a.extra.iter().cloned());
    let feats = geocode::features(&a.ctx(), &qs);
    let mut out = vec![Vec::new(); a.queries.len()];
    for (k, i) in live.into_iter().enumerate() {
        out[i] = feats[k].clone();
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    within: usize,
    with_id: usize,
    id_ok: usize,
    reachable: usize,
}

impl Tally {
    fn add(&mut self, g: &Gold, chosen: Option<&Place>) {
        self.n += 1;
        self.reachable += usize::from(g.answer.is_some());
        if let Some(p) = chosen {
            self.within += usize::from(distance_km(p.lat, p.lon, g.lat, g.lon) <= 161.0);
        }
        if let Some(id) = g.id {
            self.with_id += 1;
            self.id_ok += usize::from(chosen.is_some_and(|p| p.geonameid == id));
        }
    }

    fn line(&self) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "   –  ".to_string()
            } else {
                format!("{:5.1}%", 100.0 * a as f64 / b as f64)
            }
        };
        format!(
            "acc@161 {} ({}/{})  id {} ({}/{})  gold candidate reachable {}",
            pct(self.within, self.n),
            self.within,
            self.n,
            pct(self.id_ok, self.with_id),
            self.id_ok,
            self.with_id,
            pct(self.reachable, self.n),
        )
    }
}

/// Per corpus, per gold feature code: tallies.
type Tallies = BTreeMap<(&'static str, String), Tally>;

fn score(a: &Article, chosen: &[Option<usize>], t: &mut Tallies, log: bool) {
    for (qi, g) in a.gold.iter().enumerate() {
        let q = &a.queries[qi];
        let class = g.answer.map_or("unreachable".to_string(), |i| {
            q.candidates[i].code.to_string()
        });
        let p = chosen[qi].map(|i| &q.candidates[i]);
        if log && chosen[qi] != g.answer && g.answer.is_some() {
            log_error(a.corpus, &class, q, p);
        }
        for key in [(a.corpus, "all".to_string()), (a.corpus, class.clone())] {
            t.entry(key).or_default().add(g, p);
        }
    }
}

/// One wrong resolution of a reachable name, for error analysis (`-vv`).
fn log_error(corpus: &str, class: &str, q: &Query, p: Option<&Place>) {
    if let Some(p) = p {
        tracing::debug!(
            "wrong {corpus} {class}: {:?} -> {} ({} {} pop {})",
            q.text,
            p.name,
            p.code,
            p.country,
            p.population
        );
    }
}

/// How many times each news (GWN) decision is shown per pass: ACLED's coder-placed locations
/// are almost all settlements, and news names regions and countries far more often; the
/// weight keeps the ranker a news ranker.
const NEWS_WEIGHT: usize = 3;

fn choices(a: &Article, feats: &[Vec<Vec<u32>>]) -> Vec<Choice> {
    let times = if a.corpus == "gwn" { NEWS_WEIGHT } else { 1 };
    (0..times).flat_map(|_| one_pass(a, feats)).collect()
}

fn one_pass(a: &Article, feats: &[Vec<Vec<u32>>]) -> Vec<Choice> {
    a.gold
        .iter()
        .zip(feats)
        .filter_map(|(g, f)| {
            g.answer.filter(|&i| i < f.len()).map(|gold| Choice {
                candidates: f.clone(),
                gold,
            })
        })
        .collect()
}

fn predict(model: Option<&Model>, a: &Article, feats: &[Vec<Vec<u32>>]) -> Vec<Option<usize>> {
    match model {
        Some(m) => feats
            .iter()
            .map(|f| rank::best(m, f.iter().map(Vec::as_slice)).map(|(i, _)| i))
            .collect(),
        None => {
            let live: Vec<usize> = (0..a.queries.len())
                .filter(|&i| !a.queries[i].candidates.is_empty())
                .collect();
            let mut qs: Vec<Query> = live.iter().map(|&i| a.queries[i].clone()).collect();
            qs.extend(a.extra.iter().cloned());
            let pick = geocode::resolve_with(None, &a.ctx(), &qs);
            let mut out = vec![None; a.queries.len()];
            for (k, i) in live.into_iter().enumerate() {
                out[i] = Some(pick[k]);
            }
            out
        }
    }
}

fn print(title: &str, t: &Tallies) {
    say!("{title}");
    for ((corpus, class), tally) in t {
        if class == "all" || tally.n >= 10 {
            say!("  {corpus:5} {class:12} {}", tally.line());
        }
    }
}

/// Runs `sitrep train geo`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let started = Instant::now();
    let mut arts = load(&args.data.join("gwn.dev.jsonl"), "gwn")?;
    arts.extend(load(&args.data.join("acled-2022.dev.jsonl"), "acled")?);
    let feats: Vec<Vec<Vec<Vec<u32>>>> = arts.par_iter().map(article_features).collect();
    let n_choices: usize = arts
        .iter()
        .zip(&feats)
        .map(|(a, f)| choices(a, f).len())
        .sum();
    eprintln!(
        "{} articles, {} trainable names, read in {:.1}s",
        arts.len(),
        n_choices,
        started.elapsed().as_secs_f64()
    );
    if args.eval_only {
        let mut t = Tallies::new();
        let model = geocode::model();
        for (a, f) in arts.iter().zip(&feats) {
            score(a, &predict(model, a, f), &mut t, true);
        }
        print(
            "committed model, resolution given gold spans (trained on these articles):",
            &t,
        );
        return Ok(());
    }
    // The population prior, for comparison.
    let mut prior = Tallies::new();
    for (a, f) in arts.iter().zip(&feats) {
        score(a, &predict(None, a, f), &mut prior, false);
    }
    print("population prior, resolution given gold spans:", &prior);
    let k = if args.folds > 1 { args.folds } else { FOLDS };
    let fold = folds(arts.len(), k, 1, SEED);
    let (cv, cv_chosen) = cross_validate(&arts, &feats, &fold, k);
    print(
        &format!("{k}-fold cross-validation grouped by article, resolution given gold spans:"),
        &cv,
    );
    let all: Vec<Choice> = arts
        .iter()
        .zip(&feats)
        .flat_map(|(a, x)| choices(a, x))
        .collect();
    let model = rank::train(&all, opts());
    let gate = gate_cv(&arts, &fold, k, &cv_chosen).to_bytes();
    say!("gate model: {} bytes", gate.len());
    // The gate is written beside the ranker, wherever `--out` puts it.
    if let Some(out) = super::finish_model(args, "geo", &model, started)? {
        super::write_beside(&out, "geo_gate.slm", &gate)?;
    }
    Ok(())
}

/// Picks of the ranker for each article's names, as a fold's model chose them.
type Picks = Vec<Option<usize>>;

/// `k`-fold cross-validation grouped by article (`fold`): the tallies, and each article's
/// picks by the model that did not see it.
fn cross_validate(
    arts: &[Article],
    feats: &[Vec<Vec<Vec<u32>>>],
    fold: &[usize],
    k: usize,
) -> (Tallies, Vec<Picks>) {
    let mut cv = Tallies::new();
    let pb = crate::progress_bar(Some(k as u64), "folds");
    let per_fold: Vec<(Tallies, Vec<(usize, Picks)>)> = (0..k)
        .into_par_iter()
        .map(|f| {
            let train: Vec<Choice> = arts
                .iter()
                .zip(feats)
                .zip(fold)
                .filter(|(_, &g)| g != f)
                .flat_map(|((a, x), _)| choices(a, x))
                .collect();
            let model = rank::train(&train, opts());
            let mut t = Tallies::new();
            let mut picks = Vec::new();
            for (ai, ((a, x), _)) in arts
                .iter()
                .zip(feats)
                .zip(fold)
                .enumerate()
                .filter(|(_, (_, &g))| g == f)
            {
                let chosen = predict(Some(&model), a, x);
                score(a, &chosen, &mut t, true);
                picks.push((ai, chosen));
            }
            pb.inc(1);
            (t, picks)
        })
        .collect();
    pb.finish_and_clear();
    let mut cv_chosen = vec![Vec::new(); arts.len()];
    for (t, picks) in per_fold {
        for (ai, chosen) in picks {
            cv_chosen[ai] = chosen;
        }
        for (key, v) in t {
            let e = cv.entry(key).or_default();
            e.n += v.n;
            e.within += v.within;
            e.with_id += v.with_id;
            e.id_ok += v.id_ok;
            e.reachable += v.reachable;
        }
    }
    (cv, cv_chosen)
}

/// The gate's examples of one article: each name read by the place inside it, with the
/// reading the ranker chose (`chosen`), labelled keep when it lies within 161 km of gold.
fn gate_examples(a: &Article, chosen: &[Option<usize>]) -> Vec<Example> {
    a.gold
        .iter()
        .enumerate()
        .filter_map(|(qi, g)| {
            let whole = a.whole[qi]?;
            let q = &a.queries[qi];
            let p = q.candidates.get((*chosen.get(qi)?)?)?;
            let ok = distance_km(p.lat, p.lon, g.lat, g.lon) <= 161.0;
            let others = others_chosen(a, chosen);
            Some(Example {
                ids: inner::gate_features(&a.rec.low, whole, (q, p), &others),
                label: usize::from(ok),
            })
        })
        .collect()
}

/// The readings `chosen` of an article's names that are no inner reading: the other places
/// a gated reading is compared with, as at run time.
fn others_chosen(a: &Article, chosen: &[Option<usize>]) -> Vec<Place> {
    (0..a.queries.len())
        .filter(|&qi| a.whole[qi].is_none())
        .filter_map(|qi| Some(a.queries[qi].candidates[(*chosen.get(qi)?)?]))
        .collect()
}

#[derive(Default, Debug, PartialEq)]
struct GateTally {
    n: usize,
    right: usize,
    kept: usize,
    kept_right: usize,
}

impl GateTally {
    fn add(&mut self, right: bool, kept: bool) {
        self.n += 1;
        self.right += usize::from(right);
        self.kept += usize::from(kept);
        self.kept_right += usize::from(kept && right);
    }
}

/// The gate over names read by the place inside them (`geocode::inner`), trained on the
/// ranker's cross-validated readings (`chosen`): its own `k`-fold scores by the same article
/// folds, then the gate trained on every article.
fn gate_cv(arts: &[Article], fold: &[usize], k: usize, chosen: &[Vec<Option<usize>>]) -> Model {
    let labels: Vec<String> = inner::GATE_LABELS.iter().map(|s| s.to_string()).collect();
    let ex: Vec<(usize, &str, Example)> = arts
        .iter()
        .zip(chosen)
        .zip(fold)
        .flat_map(|((a, c), &f)| {
            let examples = gate_examples(a, c).into_iter();
            examples.map(move |e| (f, a.corpus, e))
        })
        .collect();
    let mut t: BTreeMap<&str, GateTally> = BTreeMap::new();
    for f in 0..k {
        let train: Vec<Example> = ex
            .iter()
            .filter(|e| e.0 != f)
            .map(|e| e.2.clone())
            .collect();
        let gate = sitrep_learn::train(&train, labels.clone(), opts());
        for (_, corpus, e) in ex.iter().filter(|e| e.0 == f) {
            let kept = inner::gate_keeps(Some(&gate), &e.ids);
            t.entry(corpus).or_default().add(e.label == 1, kept);
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    say!("gate over names read by the place inside them, {k}-fold CV:");
    for (corpus, t) in t {
        say!(
            "  {corpus:5} {} names, {} ({:.1}%) within 161 km; kept {}, {} ({:.1}%) within 161 km",
            t.n,
            t.right,
            pct(t.right, t.n),
            t.kept,
            t.kept_right,
            pct(t.kept_right, t.kept)
        );
    }
    let all: Vec<Example> = ex.into_iter().map(|e| e.2).collect();
    sitrep_learn::train(&all, labels, opts())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_gazetteer::normalize;

    #[test]
    fn the_gold_candidate_is_the_gold_id_else_the_nearest_within_161_km() {
        let cands = Gazetteer::global().lookup(&normalize("Odessa"));
        let ua = cands.iter().position(|p| p.country == "UA").expect("Odesa");
        let us = cands
            .iter()
            .position(|p| p.country == "US")
            .expect("Odessa, Texas");
        // The id decides even where the coordinates point elsewhere.
        let id = Some(cands[ua].geonameid);
        assert_eq!(gold_answer(&cands, 31.8, -102.4, id), Some(ua));
        // Without an id, the nearest within reach; nothing beyond 161 km.
        assert_eq!(gold_answer(&cands, 31.8, -102.4, None), Some(us));
        assert_eq!(gold_answer(&cands, 0.0, 0.0, None), None);
    }

    #[test]
    fn an_ocean_far_from_its_gold_point_is_still_the_reading_to_learn() {
        let cands = Gazetteer::global().lookup(&normalize("Atlantic"));
        let ocean = cands
            .iter()
            .position(|p| p.code == "OCN")
            .expect("the ocean");
        // A point in the ocean 1,000 km from ours, no other candidate near.
        let (lat, lon) = (cands[ocean].lat + 9.0, cands[ocean].lon);
        assert_eq!(gold_answer(&cands, lat, lon, None), Some(ocean));
        // A town is never reached that far.
        let town = cands.iter().position(|p| p.code == "PPL").expect("a town");
        let (lat, lon) = (cands[town].lat + 9.0, cands[town].lon);
        assert_ne!(gold_answer(&cands, lat, lon, None), Some(town));
    }
}
