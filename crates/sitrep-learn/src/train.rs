//! The averaged multiclass perceptron (Collins 2002), with lazy averaging: each weight keeps
//! its running sum weighted by the step it changed at, so averaging costs nothing per step.

use std::collections::HashMap;

use crate::model::{argmax, Model};

/// One training decision: its feature ids and the index of its gold label.
#[derive(Debug, Clone)]
pub struct Example {
    /// Feature ids.
    pub ids: Vec<u32>,
    /// Index of the gold label.
    pub label: usize,
}

/// How [`train`] runs.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Passes over the examples.
    pub epochs: usize,
    /// Seed of the shuffle before each pass.
    pub seed: u64,
    /// Rows whose largest absolute averaged weight is below this are dropped from the model.
    pub prune: f32,
}

impl TrainOptions {
    /// The default options with the shuffling seed `seed`.
    pub fn seeded(seed: u64) -> Self {
        TrainOptions {
            seed,
            ..TrainOptions::default()
        }
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 10,
            seed: 1,
            prune: 1e-3,
        }
    }
}

/// Learns a model one decision at a time. [`train`] drives it over a set of examples; a
/// sequence tagger drives it itself, since its features depend on its own earlier predictions.
#[derive(Debug)]
pub struct Trainer {
    labels: Vec<String>,
    rows: HashMap<u32, Row>,
    step: f32,
    scratch: Vec<f32>,
}

#[derive(Debug)]
struct Row {
    w: Vec<f32>,
    acc: Vec<f32>,
}

impl Trainer {
    /// A trainer for these labels, all weights zero.
    pub fn new(labels: Vec<String>) -> Trainer {
        Trainer {
            labels,
            rows: HashMap::new(),
            step: 1.0,
            scratch: Vec::new(),
        }
    }

    /// The labels being learnt.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Scores of the current (not averaged) weights.
    pub fn scores(&mut self, ids: &[u32]) -> &[f32] {
        self.scratch.clear();
        self.scratch.resize(self.labels.len(), 0.0);
        for id in ids {
            if let Some(r) = self.rows.get(id) {
                for (s, w) in self.scratch.iter_mut().zip(&r.w) {
                    *s += w;
                }
            }
        }
        &self.scratch
    }

    /// Predicts with the current weights, among the labels `allowed` accepts.
    pub fn predict_where(&mut self, ids: &[u32], allowed: impl Fn(usize) -> bool) -> usize {
        let scores = self.scores(ids);
        let mut best: Option<usize> = None;
        for (i, s) in scores.iter().enumerate() {
            if allowed(i) && best.is_none_or(|b| *s > scores[b]) {
                best = Some(i);
            }
        }
        best.unwrap_or(0)
    }

    /// Predicts with the current weights.
    pub fn predict(&mut self, ids: &[u32]) -> usize {
        argmax(self.scores(ids))
    }

    /// Moves the weights towards `gold` and away from `guess` when they differ, then counts
    /// one step. Returns whether they differed.
    pub fn update(&mut self, ids: &[u32], gold: usize, guess: usize) -> bool {
        let wrong = gold != guess;
        if wrong {
            self.adjust(ids, gold, 1.0);
            self.adjust(ids, guess, -1.0);
        }
        self.step += 1.0;
        wrong
    }

    /// Adds `delta` to the weights of `ids` for `label` without counting a step: a structured
    /// learner changes several decisions of one example, then calls [`Trainer::advance`].
    pub fn adjust(&mut self, ids: &[u32], label: usize, delta: f32) {
        let n = self.labels.len();
        let step = self.step;
        for &id in ids {
            let r = self.rows.entry(id).or_insert_with(|| Row {
                w: vec![0.0; n],
                acc: vec![0.0; n],
            });
            r.w[label] += delta;
            r.acc[label] += delta * step;
        }
    }

    /// Counts one step (one example) for the averaging.
    pub fn advance(&mut self) {
        self.step += 1.0;
    }

    /// The averaged weights as a model, without rows smaller than `prune`, sorted by feature
    /// id so the same training gives the same bytes.
    pub fn finish(self, prune: f32) -> Model {
        let step = self.step;
        let mut rows: Vec<(u32, Vec<f32>)> = self
            .rows
            .into_iter()
            .filter_map(|(id, r)| {
                let avg: Vec<f32> = r.w.iter().zip(&r.acc).map(|(w, a)| w - a / step).collect();
                let keep = avg.iter().any(|x| x.abs() >= prune);
                keep.then_some((id, avg))
            })
            .collect();
        rows.sort_unstable_by_key(|(id, _)| *id);
        Model::from_rows(self.labels, rows)
    }
}

/// A small deterministic generator (xorshift64*) for shuffles.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Trains a classifier on `examples` (labels index into `labels`).
pub fn train(examples: &[Example], labels: Vec<String>, opts: TrainOptions) -> Model {
    train_dropout(examples, labels, opts, 0.0)
}

/// [`train`], each example seen in each pass without a random share `drop` of its features
/// (dropout): no single feature can carry an example, so the weight spreads over every cue
/// of its label, and the model leans less on a word that only its training texts share.
pub fn train_dropout(
    examples: &[Example],
    labels: Vec<String>,
    opts: TrainOptions,
    drop: f32,
) -> Model {
    let mut t = Trainer::new(labels);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng::new(opts.seed);
    let mut kept: Vec<u32> = Vec::new();
    let cut = (f64::from(drop.clamp(0.0, 1.0)) * u64::MAX as f64) as u64;
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let e = &examples[i];
            let ids = if drop > 0.0 {
                kept.clear();
                kept.extend(e.ids.iter().filter(|_| rng.next() >= cut));
                &kept
            } else {
                &e.ids
            };
            let guess = t.predict(ids);
            t.update(ids, e.label, guess);
        }
    }
    t.finish(opts.prune)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<Example> {
        // label 0 has feature 10, label 1 has feature 20; feature 5 is noise on both.
        (0..40)
            .map(|i| {
                let label = i % 2;
                Example {
                    ids: vec![5, if label == 0 { 10 } else { 20 }],
                    label,
                }
            })
            .collect()
    }

    #[test]
    fn a_separable_problem_is_learnt() {
        let m = train(
            &examples(),
            vec!["a".into(), "b".into()],
            TrainOptions::default(),
        );
        assert_eq!(m.predict(&[10, 5]), 0);
        assert_eq!(m.predict(&[20, 5]), 1);
    }

    #[test]
    fn the_same_training_gives_the_same_bytes() {
        let a = train(
            &examples(),
            vec!["a".into(), "b".into()],
            TrainOptions::default(),
        );
        let b = train(
            &examples(),
            vec!["a".into(), "b".into()],
            TrainOptions::default(),
        );
        assert_eq!(a.to_bytes(), b.to_bytes());
    }

    #[test]
    fn with_dropout_every_cue_of_a_label_is_learnt() {
        // Label 1 always has feature 10, one time in four also 11; label 0 has 20. Without
        // dropout 10 alone separates the labels and 11 learns next to nothing; with dropout
        // 11 must carry label 1 on its own (a tie would give label 0).
        let exs: Vec<Example> = (0..80)
            .map(|i| match i % 8 {
                0 => Example {
                    ids: vec![10, 11],
                    label: 1,
                },
                2 | 4 | 6 => Example {
                    ids: vec![10],
                    label: 1,
                },
                _ => Example {
                    ids: vec![20],
                    label: 0,
                },
            })
            .collect();
        let labels = || vec!["a".to_string(), "b".to_string()];
        let lead = |m: &Model| m.scores(&[11])[1] - m.scores(&[11])[0];
        let (mut plain, mut dropped) = (0.0, 0.0);
        for seed in 1..=10 {
            let o = TrainOptions {
                seed,
                ..TrainOptions::default()
            };
            plain += lead(&train(&exs, labels(), o));
            let m = train_dropout(&exs, labels(), o, 0.5);
            assert_eq!(m.predict(&[11]), 1);
            dropped += lead(&m);
        }
        assert!(dropped > plain + 1.0, "{dropped} vs {plain}");
    }

    #[test]
    fn a_feature_seen_with_no_mistake_is_pruned() {
        let m = train(
            &examples(),
            vec!["a".into(), "b".into()],
            TrainOptions::default(),
        );
        assert!(m.rows() <= 3);
    }
}
