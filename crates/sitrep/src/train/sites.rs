//! `sitrep train sites`: which of a report's place mentions is an event's site, for events
//! whose own clause names no place.
//!
//! Reads `acled-2022.dev.jsonl`: each note with one coded event and the coder's location. The
//! note is extracted as at run time; its first event (by evidence) is the coder's. Every place
//! mention of the note is a candidate (see `sitrep_extract::event_place`), beside a constant
//! "no site"; the right candidate is the first whose resolved point lies within 25 km of the
//! coder's location, else "no site". One ranking perceptron learns the choice.
//!
//! Scores: 5-fold cross-validation grouped by country (no country's notes are both trained and
//! tested on), beside the rule "the report's first place", over all notes and over the notes
//! whose first event has no place of its own (where the extractor asks the model), with "no
//! site" allowed and without it (what the extractor does: a coder always codes a place).

use super::TrainArgs;
use anyhow::{Context as _, Result};
use rayon::prelude::*;
use sitrep_extract::event_place::{self, Candidate};
use sitrep_extract::lexicon::Lexicon;
use sitrep_extract::{events, mentions, quotes};
use sitrep_gazetteer::{distance_km, Gazetteer};
use sitrep_learn::metrics::folds;
use sitrep_learn::rank::{self, Choice};
use sitrep_learn::{Model, TrainOptions};
use sitrep_model::Span;
use sitrep_text::Document;
use std::time::Instant;

use super::acled::Record;

const FOLDS: usize = 5;
const SEED: u64 = 25;

fn opts() -> TrainOptions {
    TrainOptions::seeded(SEED)
}

/// One note as a ranking decision.
struct Note {
    country: String,
    choice: Choice,
    /// Candidates within 25 km of the coder's location.
    right: Vec<bool>,
    /// The first event has no place of its own.
    unplaced: bool,
}

fn read_note(line: &str, lex: &Lexicon, gaz: &Gazetteer) -> Result<Option<Note>> {
    let r: Record = serde_json::from_str(line).context("an ACLED record")?;
    let [g] = r.events.as_slice() else {
        return Ok(None);
    };
    if g.locations.is_empty() {
        return Ok(None);
    }
    let published = r
        .published
        .as_deref()
        .and_then(sitrep_text::timex::parse_date);
    let doc = Document::new(r.text.clone());
    let rec = mentions::recognize(&doc, lex, gaz);
    let quoted = quotes::find(&doc, lex, &rec);
    let out = events::extract_events_unsited(&doc, lex, &rec, &quoted, published);
    let Some(e) = out
        .events
        .iter()
        .min_by_key(|e| e.evidence.first().map_or(u32::MAX, |v| v.start))
    else {
        return Ok(None);
    };
    let Some(ev) = e.evidence.first() else {
        return Ok(None);
    };
    let span = Span::new(ev.start as usize, ev.end as usize);
    let cands: Vec<Candidate> =
        event_place::candidates(&rec, |k| quoted.is_masked(doc.tokens[k].span.start));
    let right: Vec<bool> = cands
        .iter()
        .map(|c| {
            g.locations
                .iter()
                .any(|l| distance_km(c.place.lat, c.place.lon, l.lat, l.lon) <= 25.0)
        })
        .collect();
    let fixed = event_place::report_features(&rec, &cands);
    let mut candidates: Vec<Vec<u32>> = cands
        .iter()
        .zip(&fixed)
        .map(|(c, f)| event_place::features(&doc, &rec, c, f, e.family, span))
        .collect();
    candidates.push(event_place::none_features(e.family));
    let gold = right.iter().position(|&r| r).unwrap_or(cands.len());
    Ok(Some(Note {
        country: r.acled.and_then(|a| a.country).unwrap_or_default(),
        choice: Choice { candidates, gold },
        right,
        unplaced: e.locations.is_empty() && event_place::sited(e.family),
    }))
}

/// Hits over notes: (all, of them unplaced) as (hits, total) pairs.
#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    all: (usize, usize),
    unplaced: (usize, usize),
}

impl Tally {
    fn add(&mut self, n: &Note, chosen: usize) {
        let hit = n.right.get(chosen).copied().unwrap_or(false);
        self.all.0 += hit as usize;
        self.all.1 += 1;
        if n.unplaced {
            self.unplaced.0 += hit as usize;
            self.unplaced.1 += 1;
        }
    }
}

fn choose(model: &Model, n: &Note) -> usize {
    let none = n.choice.candidates.len() - 1;
    let best = rank::best(model, n.choice.candidates.iter().map(Vec::as_slice));
    best.map_or(none, |b| b.0)
}

/// The best place mention, "no site" left out: what a coder, who always codes a place, does.
fn choose_forced(model: &Model, n: &Note) -> usize {
    let places = &n.choice.candidates[..n.choice.candidates.len() - 1];
    rank::best(model, places.iter().map(Vec::as_slice)).map_or(places.len(), |b| b.0)
}

/// Cross-validated tallies of the model, of the model never choosing "no site", and of the
/// first-place rule, folds grouped by country.
fn cross_validate(notes: &[Note], k: usize) -> (Tally, Tally, Tally) {
    let mut countries: Vec<&str> = notes.iter().map(|n| n.country.as_str()).collect();
    countries.sort();
    countries.dedup();
    let fold_of_country = folds(countries.len(), k, 1, SEED);
    let fold =
        |n: &Note| fold_of_country[countries.binary_search(&n.country.as_str()).unwrap_or(0)];
    let per_fold: Vec<Vec<(usize, usize, usize)>> = (0..k)
        .into_par_iter()
        .map(|f| {
            let train: Vec<Choice> = notes
                .iter()
                .filter(|n| fold(n) != f)
                .map(|n| n.choice.clone())
                .collect();
            let model = rank::train(&train, opts());
            (0..notes.len())
                .filter(|&i| fold(&notes[i]) == f)
                .map(|i| {
                    (
                        i,
                        choose(&model, &notes[i]),
                        choose_forced(&model, &notes[i]),
                    )
                })
                .collect()
        })
        .collect();
    let (mut cv, mut forced, mut rule) = Default::default();
    for (i, c, fc) in per_fold.into_iter().flatten() {
        Tally::add(&mut cv, &notes[i], c);
        Tally::add(&mut forced, &notes[i], fc);
        Tally::add(&mut rule, &notes[i], 0);
    }
    (cv, forced, rule)
}

fn pct(a: (usize, usize)) -> String {
    format!(
        "{:.1} % ({}/{})",
        100.0 * a.0 as f64 / a.1.max(1) as f64,
        a.0,
        a.1
    )
}

/// Runs `sitrep train sites`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let started = Instant::now();
    let (lex, gaz) = (Lexicon::global(), Gazetteer::global());
    let notes: Vec<Note> = super::acled::read_notes(&args.data, |l| read_note(l, lex, gaz))?
        .into_iter()
        .flatten()
        .collect();
    let reachable = |n: &Note| n.right.contains(&true);
    let unplaced: Vec<&Note> = notes.iter().filter(|n| n.unplaced).collect();
    say!(
        "{} notes with a first event, {} with a place mention within 25 km of the coder's \
         ({} of the {} whose first event has no place); read in {:.1}s",
        notes.len(),
        notes.iter().filter(|n| reachable(n)).count(),
        unplaced.iter().filter(|n| reachable(n)).count(),
        unplaced.len(),
        started.elapsed().as_secs_f64()
    );
    let k = if args.folds > 1 { args.folds } else { FOLDS };
    let (cv, forced, rule) = cross_validate(&notes, k);
    say!("site within 25 km of the coder's (all notes | first event unplaced):");
    say!(
        "  rule: the report's first place  {} | {}",
        pct(rule.all),
        pct(rule.unplaced)
    );
    say!(
        "  {k}-fold CV grouped by country   {} | {}",
        pct(cv.all),
        pct(cv.unplaced)
    );
    say!(
        "  the same, never \"no site\"     {} | {}",
        pct(forced.all),
        pct(forced.unplaced)
    );
    let all: Vec<Choice> = notes.iter().map(|n| n.choice.clone()).collect();
    let model = rank::train(&all, opts());
    super::finish_model(args, "sites", &model, started)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(right: Vec<bool>, unplaced: bool) -> Note {
        let n = right.len();
        Note {
            country: "X".into(),
            choice: Choice {
                candidates: vec![vec![]; n + 1],
                gold: 0,
            },
            right,
            unplaced,
        }
    }

    #[test]
    fn the_forced_choice_never_takes_no_site() {
        // A model that learnt "no site" (feature 1) over places (feature 2).
        let choice = Choice {
            candidates: vec![vec![2], vec![2], vec![1]],
            gold: 2,
        };
        let model = rank::train(&vec![choice.clone(); 4], opts());
        let mut n = note(vec![false, true], true);
        n.choice = choice;
        assert_eq!(choose(&model, &n), 2);
        assert!(choose_forced(&model, &n) < 2);
    }

    #[test]
    fn a_site_counts_only_when_within_25_km_and_no_site_never_does() {
        let mut t = Tally::default();
        let n = note(vec![false, true], true);
        t.add(&n, 1);
        t.add(&n, 0);
        t.add(&n, 2);
        assert_eq!(t.all, (1, 3));
        assert_eq!(t.unplaced, (1, 3));
    }
}
