//! Sequence tagging with BIO labels ("O", "B-PERSON", "I-PERSON", ...) by a first-order
//! structured perceptron (Collins 2002): token features score each label, a transition row
//! scores each label after the previous one, and Viterbi finds the best labelling of the whole
//! sentence ([`train_viterbi`]/[`tag_viterbi`]); training decodes each sentence with the current
//! weights and moves them towards the gold path where they differ (averaged, one step per
//! sentence). It replaced a greedy left-to-right tagger, which scored 6 F1 points lower on the
//! named-entity dev set.
//!
//! It never follows a label with an `I-` of another type, so every run of labels reads as
//! whole spans.

use crate::features::hash;
use crate::model::Model;
use crate::train::{Rng, TrainOptions, Trainer};

/// One training sentence: the features of each token and the index of its gold label.
#[derive(Debug, Clone)]
pub struct Sequence {
    /// Feature ids of each token, without history features (the tagger adds those).
    pub tokens: Vec<Vec<u32>>,
    /// Gold label index of each token.
    pub labels: Vec<usize>,
}

/// Whether `label` may follow `prev` in BIO: an `I-X` only after `B-X` or `I-X`.
pub fn may_follow(prev: Option<&str>, label: &str) -> bool {
    match label.strip_prefix("I-") {
        None => true,
        Some(kind) => prev.is_some_and(|p| p.len() > 2 && &p[2..] == kind && p != "O"),
    }
}

fn history_id(kind: &str, a: &str, b: &str) -> u32 {
    let mut s = String::with_capacity(kind.len() + a.len() + b.len() + 2);
    s.push_str(kind);
    s.push('=');
    s.push_str(a);
    s.push('|');
    s.push_str(b);
    hash(&s)
}

/// The feature whose row scores the labels that follow `prev` (`None`: the sentence start).
fn transition_id(labels: &[String], prev: Option<usize>) -> u32 {
    history_id("t", prev.map_or("<s>", |i| labels[i].as_str()), "")
}

/// The best labelling under emission scores `emit` (token by label) and transition scores
/// `trans` (row `p` for a previous label `p`, the last row for the start), among labellings
/// where no `I-` follows another type.
fn viterbi(emit: &[Vec<f32>], trans: &[Vec<f32>], labels: &[String]) -> Vec<usize> {
    let l = labels.len();
    let ok: Vec<bool> = (0..=l)
        .flat_map(|p| (0..l).map(move |y| (p, y)))
        .map(|(p, y)| may_follow((p < l).then(|| labels[p].as_str()), &labels[y]))
        .collect();
    let allowed = |p: usize, y: usize| ok[p * l + y];
    let mut score = vec![f32::NEG_INFINITY; emit.len() * l];
    let mut back = vec![l; emit.len() * l];
    for (t, e) in emit.iter().enumerate() {
        for y in 0..l {
            let prevs = if t == 0 { l..l + 1 } else { 0..l };
            for p in prevs.filter(|&p| allowed(p, y)) {
                let before = if t == 0 { 0.0 } else { score[(t - 1) * l + p] };
                let s = before + trans[p][y] + e[y];
                if s > score[t * l + y] {
                    (score[t * l + y], back[t * l + y]) = (s, p);
                }
            }
        }
    }
    let mut out = vec![0; emit.len()];
    let Some(last) = emit.len().checked_sub(1) else {
        return out;
    };
    let mut y = (0..l).fold(0, |b, y| {
        if score[last * l + y] > score[last * l + b] {
            y
        } else {
            b
        }
    });
    for t in (0..emit.len()).rev() {
        out[t] = y;
        y = back[t * l + y];
    }
    out
}

/// Emission and transition scores of a sentence under `score` (a model's or a trainer's).
fn lattice(
    tokens: &[Vec<u32>],
    labels: &[String],
    mut score: impl FnMut(&[u32]) -> Vec<f32>,
) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let mut ids = Vec::new();
    let emit = tokens
        .iter()
        .map(|tok| {
            ids.clear();
            ids.extend_from_slice(tok);
            ids.push(hash("bias"));
            score(&ids)
        })
        .collect();
    let trans = (0..=labels.len())
        .map(|p| score(&[transition_id(labels, (p < labels.len()).then_some(p))]))
        .collect();
    (emit, trans)
}

/// Trains a first-order tagger decoded with Viterbi: the structured perceptron (Collins 2002),
/// averaged, one step per sentence.
pub fn train_viterbi(seqs: &[Sequence], labels: Vec<String>, opts: TrainOptions) -> Model {
    let mut t = Trainer::new(labels.clone());
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    let mut rng = Rng::new(opts.seed);
    let mut ids = Vec::new();
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &s in &order {
            let seq = &seqs[s];
            let (emit, trans) = lattice(&seq.tokens, &labels, |ids| t.scores(ids).to_vec());
            let pred = viterbi(&emit, &trans, &labels);
            for (k, tok) in seq.tokens.iter().enumerate() {
                let (g, p) = (seq.labels[k], pred[k]);
                let (gp, pp) = match k {
                    0 => (None, None),
                    _ => (Some(seq.labels[k - 1]), Some(pred[k - 1])),
                };
                if g != p {
                    ids.clear();
                    ids.extend_from_slice(tok);
                    ids.push(hash("bias"));
                    t.adjust(&ids, g, 1.0);
                    t.adjust(&ids, p, -1.0);
                }
                if (gp, g) != (pp, p) {
                    t.adjust(&[transition_id(&labels, gp)], g, 1.0);
                    t.adjust(&[transition_id(&labels, pp)], p, -1.0);
                }
            }
            t.advance();
        }
    }
    t.finish(opts.prune)
}

/// Tags one sentence with a model from [`train_viterbi`]; returns label indices.
pub fn tag_viterbi(model: &Model, tokens: &[Vec<u32>]) -> Vec<usize> {
    decode_emissions(model, &emissions(model, tokens))
}

/// The label scores of each token of a sentence under a model from [`train_viterbi`]: a caller
/// that adds the scores of more features later (the model is linear) decodes the sums with
/// [`decode_emissions`] without scoring the tokens again.
pub fn emissions(model: &Model, tokens: &[Vec<u32>]) -> Vec<Vec<f32>> {
    lattice(tokens, &[], |ids| model.scores(ids)).0
}

/// The best labelling of a sentence given its tokens' [`emissions`].
pub fn decode_emissions(model: &Model, emit: &[Vec<f32>]) -> Vec<usize> {
    let labels = model.labels();
    let trans: Vec<Vec<f32>> = (0..=labels.len())
        .map(|p| model.scores(&[transition_id(labels, (p < labels.len()).then_some(p))]))
        .collect();
    viterbi(emit, &trans, labels)
}

/// The spans a BIO labelling makes: (first token, end token exclusive, type).
pub fn spans<'a>(labels: impl IntoIterator<Item = &'a str>) -> Vec<(usize, usize, &'a str)> {
    let mut out: Vec<(usize, usize, &str)> = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let mut n = 0;
    for (i, l) in labels.into_iter().enumerate() {
        n = i + 1;
        let continues = l
            .strip_prefix("I-")
            .filter(|k| open.is_some_and(|(_, o)| o == *k));
        if continues.is_some() {
            continue;
        }
        if let Some((s, k)) = open.take() {
            out.push((s, i, k));
        }
        if let Some(k) = l.strip_prefix("B-").or_else(|| l.strip_prefix("I-")) {
            open = Some((i, k));
        }
    }
    if let Some((s, k)) = open {
        out.push((s, n, k));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Features;

    fn feats(word: &str) -> Vec<u32> {
        let mut f = Features::new();
        f.add("w", word);
        f.add("cap", &word[..1].to_uppercase().eq(&word[..1]).to_string());
        f.into_ids()
    }

    #[test]
    fn spans_read_runs_of_one_type() {
        let l = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"];
        assert_eq!(
            spans(l),
            vec![(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "ORG")]
        );
    }

    #[test]
    fn viterbi_takes_the_best_path_not_the_best_first_step() {
        let labels: Vec<String> = ["O", "B-PER", "I-PER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Greedy takes O first (1.0 > 0.9), then cannot reach I-PER; the path B-PER I-PER wins.
        let emit = vec![vec![1.0, 0.9, 0.0], vec![0.0, 0.5, 3.0]];
        let trans = vec![vec![0.0; 3]; 4];
        assert_eq!(viterbi(&emit, &trans, &labels), vec![1, 2]);
        let trans_b = vec![
            vec![0.0, 0.0, 0.0],
            vec![0.0; 3],
            vec![0.0; 3],
            vec![0.0, -5.0, 0.0],
        ];
        assert_eq!(viterbi(&emit, &trans_b, &labels), vec![0, 1]);
    }

    #[test]
    fn an_inside_label_never_follows_another_type() {
        assert!(may_follow(Some("B-PER"), "I-PER"));
        assert!(!may_follow(Some("B-LOC"), "I-PER"));
        assert!(!may_follow(Some("O"), "I-PER"));
        assert!(!may_follow(None, "I-PER"));
        assert!(may_follow(None, "B-PER"));
    }

    #[test]
    fn a_viterbi_tagger_learns_two_word_names() {
        let labels: Vec<String> = ["O", "B-PER", "I-PER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sent = |w: &[&str], l: &[usize]| Sequence {
            tokens: w.iter().map(|w| feats(w)).collect(),
            labels: l.to_vec(),
        };
        let data: Vec<Sequence> = (0..20)
            .map(|_| sent(&["then", "Anna", "Berg", "spoke"], &[0, 1, 2, 0]))
            .chain((0..20).map(|_| sent(&["Carl", "Dahl", "left", "then"], &[1, 2, 0, 0])))
            .collect();
        let m = train_viterbi(&data, labels, TrainOptions::default());
        let toks: Vec<Vec<u32>> = ["then", "Carl", "Dahl", "spoke"]
            .iter()
            .map(|w| feats(w))
            .collect();
        let got: Vec<&str> = tag_viterbi(&m, &toks)
            .iter()
            .map(|&i| m.labels()[i].as_str())
            .collect();
        assert_eq!(got, ["O", "B-PER", "I-PER", "O"]);
        assert!(tag_viterbi(&m, &[]).is_empty());
    }
}
