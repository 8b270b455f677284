//! Scores for learned stages: accuracy, per-label precision/recall/F1, and k-fold splits.

use std::collections::BTreeMap;
use std::fmt;

/// Counts for one label (or one span type): true positives, predictions, gold items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predictions that match gold.
    pub tp: usize,
    /// All predictions.
    pub predicted: usize,
    /// All gold items.
    pub gold: usize,
}

impl Counts {
    /// Precision in percent (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        pct(self.tp, self.predicted)
    }

    /// Recall in percent (0 when there is no gold item).
    pub fn recall(&self) -> f64 {
        pct(self.tp, self.gold)
    }

    /// F1 in percent.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Adds another count to this one.
    pub fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.predicted += o.predicted;
        self.gold += o.gold;
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Per-label counts, with a micro total and a macro average.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Counts by label.
    pub by_label: BTreeMap<String, Counts>,
}

impl Report {
    /// Counts one classification decision (every decision is one prediction and one gold).
    pub fn classified(&mut self, gold: &str, predicted: &str) {
        let hit = usize::from(gold == predicted);
        self.by_label.entry(gold.to_string()).or_default().gold += 1;
        let p = self.by_label.entry(predicted.to_string()).or_default();
        p.predicted += 1;
        p.tp += hit;
    }

    /// Counts one set of gold and predicted spans (any type that can be compared) of one text.
    pub fn spans<T: PartialEq>(&mut self, gold: &[(T, String)], predicted: &[(T, String)]) {
        for (_, k) in gold {
            self.by_label.entry(k.clone()).or_default().gold += 1;
        }
        for p in predicted {
            let e = self.by_label.entry(p.1.clone()).or_default();
            e.predicted += 1;
            e.tp += usize::from(gold.iter().any(|g| g == p));
        }
    }

    /// All labels together.
    pub fn micro(&self) -> Counts {
        let mut c = Counts::default();
        for v in self.by_label.values() {
            c.add(*v);
        }
        c
    }

    /// Mean recall over labels that have gold items (balanced accuracy, for classifiers).
    pub fn macro_recall(&self) -> f64 {
        let r: Vec<f64> = self
            .by_label
            .values()
            .filter(|c| c.gold > 0)
            .map(Counts::recall)
            .collect();
        if r.is_empty() {
            0.0
        } else {
            r.iter().sum::<f64>() / r.len() as f64
        }
    }

    /// Adds another report's counts.
    pub fn merge(&mut self, o: &Report) {
        for (k, v) in &o.by_label {
            self.by_label.entry(k.clone()).or_default().add(*v);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<32} {:>6} {:>6} {:>6} {:>7} {:>7}",
            "label", "P", "R", "F1", "gold", "pred"
        )?;
        for (k, c) in &self.by_label {
            writeln!(
                f,
                "{:<32} {:>6.1} {:>6.1} {:>6.1} {:>7} {:>7}",
                k,
                c.precision(),
                c.recall(),
                c.f1(),
                c.gold,
                c.predicted
            )?;
        }
        let m = self.micro();
        write!(
            f,
            "{:<32} {:>6.1} {:>6.1} {:>6.1} {:>7} {:>7}   macro recall {:.1}",
            "all (micro)",
            m.precision(),
            m.recall(),
            m.f1(),
            m.gold,
            m.predicted,
            self.macro_recall()
        )
    }
}

/// The fold (0..k) of each of `n` items: contiguous blocks of `group` items stay together (so
/// sentences of one document, or one source's records, never straddle train and test), and
/// blocks are dealt to folds in a seeded shuffle.
pub fn folds(n: usize, k: usize, group: usize, seed: u64) -> Vec<usize> {
    let group = group.max(1);
    let blocks = n.div_ceil(group);
    let mut order: Vec<usize> = (0..blocks).collect();
    crate::train::Rng::new(seed).shuffle(&mut order);
    let mut fold_of_block = vec![0; blocks];
    for (i, b) in order.into_iter().enumerate() {
        fold_of_block[b] = i % k.max(1);
    }
    (0..n).map(|i| fold_of_block[i / group]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_counts_give_precision_and_recall_per_label() {
        let mut r = Report::default();
        r.classified("a", "a");
        r.classified("a", "b");
        r.classified("b", "b");
        let a = r.by_label["a"];
        assert_eq!((a.tp, a.predicted, a.gold), (1, 1, 2));
        assert_eq!(r.by_label["b"].precision(), 50.0);
        assert_eq!(r.macro_recall(), 75.0);
    }

    #[test]
    fn span_counts_need_the_same_extent_and_type() {
        let mut r = Report::default();
        let gold = vec![((0, 2), "PER".to_string()), ((5, 6), "LOC".to_string())];
        let pred = vec![((0, 2), "PER".to_string()), ((5, 7), "LOC".to_string())];
        r.spans(&gold, &pred);
        assert_eq!(
            r.micro(),
            Counts {
                tp: 1,
                predicted: 2,
                gold: 2
            }
        );
    }

    #[test]
    fn folds_keep_groups_together_and_use_every_fold() {
        let f = folds(100, 5, 10, 7);
        for b in 0..10 {
            assert!(f[b * 10..b * 10 + 10].iter().all(|&x| x == f[b * 10]));
        }
        for k in 0..5 {
            assert!(f.contains(&k));
        }
    }
}
