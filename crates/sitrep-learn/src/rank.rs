//! A ranking perceptron (Collins and Duffy 2002): one weight vector scores every candidate of a
//! decision, and the best-scoring candidate is chosen. Suits decisions whose options are not a
//! fixed set of labels (which of the names near a quote spoke it), and, with a constant
//! candidate for "no", binary decisions too. The learnt weights are a [`Model`] with the one
//! label [`SCORE`], so they are saved and loaded like any other model.

use std::collections::HashMap;

use crate::model::Model;
use crate::train::{Rng, TrainOptions};

/// The label of a ranking model's one score.
pub const SCORE: &str = "score";

/// One ranking decision: the feature ids of each candidate and the index of the right one.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Feature ids of each candidate.
    pub candidates: Vec<Vec<u32>>,
    /// Index of the right candidate.
    pub gold: usize,
}

/// The score of one candidate under a ranking model.
pub fn score(model: &Model, ids: &[u32]) -> f32 {
    model.scores(ids).first().copied().unwrap_or(0.0)
}

/// The index of the best-scoring candidate (the first on a tie), with its score; `None` when
/// there is no candidate.
pub fn best<'a>(
    model: &Model,
    candidates: impl IntoIterator<Item = &'a [u32]>,
) -> Option<(usize, f32)> {
    let mut out: Option<(usize, f32)> = None;
    for (i, c) in candidates.into_iter().enumerate() {
        let s = score(model, c);
        if out.is_none_or(|(_, b)| s > b) {
            out = Some((i, s));
        }
    }
    out
}

#[derive(Debug, Default)]
struct Weight {
    w: f32,
    acc: f32,
}

/// Trains a ranking model on `choices`, averaging the weights over every step.
pub fn train(choices: &[Choice], opts: TrainOptions) -> Model {
    Model::from_rows(vec![SCORE.to_string()], train_rows(choices, opts))
}

/// The rows [`train`] learns (feature id, weight), sorted by id, for callers that add rows of
/// their own (a learnt lexicon in its own namespace) before making the model.
pub fn train_rows(choices: &[Choice], opts: TrainOptions) -> Vec<(u32, Vec<f32>)> {
    let mut weights: HashMap<u32, Weight> = HashMap::new();
    let mut order: Vec<usize> = (0..choices.len()).collect();
    let mut rng = Rng::new(opts.seed);
    let mut step = 1.0f32;
    let score_of = |weights: &HashMap<u32, Weight>, ids: &[u32]| -> f32 {
        ids.iter()
            .filter_map(|id| weights.get(id))
            .map(|w| w.w)
            .sum()
    };
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let c = &choices[i];
            let mut guess: Option<(usize, f32)> = None;
            for (k, ids) in c.candidates.iter().enumerate() {
                let s = score_of(&weights, ids);
                if guess.is_none_or(|(_, b)| s > b) {
                    guess = Some((k, s));
                }
            }
            if let Some((g, _)) = guess {
                if g != c.gold && c.gold < c.candidates.len() {
                    for &id in &c.candidates[c.gold] {
                        let w = weights.entry(id).or_default();
                        w.w += 1.0;
                        w.acc += step;
                    }
                    for &id in &c.candidates[g] {
                        let w = weights.entry(id).or_default();
                        w.w -= 1.0;
                        w.acc -= step;
                    }
                }
            }
            step += 1.0;
        }
    }
    let mut rows: Vec<(u32, Vec<f32>)> = weights
        .into_iter()
        .map(|(id, w)| (id, vec![w.w - w.acc / step]))
        .filter(|(_, w)| w[0].abs() >= opts.prune)
        .collect();
    rows.sort_unstable_by_key(|(id, _)| *id);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The right candidate carries feature 7; every candidate carries noise 1 and one of 2..5.
    fn choices() -> Vec<Choice> {
        (0..30)
            .map(|i| {
                let gold = i % 3;
                let candidates = (0..3)
                    .map(|k| {
                        let mut ids = vec![1, 2 + ((i + k) % 4) as u32];
                        if k == gold {
                            ids.push(7);
                        }
                        ids
                    })
                    .collect();
                Choice { candidates, gold }
            })
            .collect()
    }

    #[test]
    fn the_candidate_with_the_telling_feature_is_ranked_first() {
        let m = train(&choices(), TrainOptions::default());
        let cands: Vec<Vec<u32>> = vec![vec![1, 3], vec![1, 4, 7], vec![1, 2]];
        assert_eq!(best(&m, cands.iter().map(|c| c.as_slice())).unwrap().0, 1);
        assert!(score(&m, &[7]) > 0.0);
    }

    #[test]
    fn ranking_is_reproducible_to_the_byte() {
        let a = train(&choices(), TrainOptions::default());
        let b = train(&choices(), TrainOptions::default());
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(a.labels(), &[SCORE.to_string()]);
    }

    #[test]
    fn no_candidate_gives_no_best() {
        let m = train(&choices(), TrainOptions::default());
        assert!(best(&m, std::iter::empty()).is_none());
    }
}
