//! A learned linear model: sparse rows of weights, one row per feature id that the training
//! left non-zero, one weight per label in a row.

use std::fmt;

const MAGIC: &[u8; 8] = b"SLEARN01";

/// Why a model's bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The bytes do not begin with this crate's magic number: not a model, or another version.
    NotAModel,
    /// The bytes end before the model does.
    Truncated,
    /// A label is not UTF-8.
    BadLabel,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotAModel => f.write_str("not a sitrep-learn model (bad magic number)"),
            LoadError::Truncated => f.write_str("model file ends early"),
            LoadError::BadLabel => f.write_str("model label is not UTF-8"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A linear model over hashed features with one weight per label.
///
/// Rows are found through an open-addressing table built when the model is made or loaded
/// (a few milliseconds for a few hundred thousand rows); scoring a decision reads one row per
/// feature id.
#[derive(Debug, Clone)]
pub struct Model {
    labels: Vec<String>,
    ids: Vec<u32>,
    weights: Vec<f32>,
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

fn slot_of(id: u32, mask: usize) -> usize {
    (id.wrapping_mul(0x9E37_79B1) as usize) & mask
}

impl Model {
    /// A model from its labels and its rows (feature id, one weight per label).
    pub fn from_rows(labels: Vec<String>, rows: Vec<(u32, Vec<f32>)>) -> Model {
        let n = labels.len();
        let mut ids = Vec::with_capacity(rows.len());
        let mut weights = Vec::with_capacity(rows.len() * n);
        for (id, w) in rows {
            debug_assert_eq!(w.len(), n);
            ids.push(id);
            weights.extend_from_slice(&w);
        }
        let slots = build_slots(&ids);
        Model {
            labels,
            ids,
            weights,
            slots,
        }
    }

    /// The labels, in the order scores are given.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The index of `label`, if the model has it.
    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// The number of feature rows the model keeps.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// Every row: its feature id and one weight per label, in id order.
    pub fn rows_iter(&self) -> impl Iterator<Item = (u32, &[f32])> {
        let n = self.labels.len();
        self.ids
            .iter()
            .enumerate()
            .map(move |(r, id)| (*id, &self.weights[r * n..(r + 1) * n]))
    }

    fn row(&self, id: u32) -> Option<&[f32]> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = slot_of(id, mask);
        loop {
            let r = self.slots[s];
            if r == EMPTY {
                return None;
            }
            if self.ids[r as usize] == id {
                let n = self.labels.len();
                let at = r as usize * n;
                return Some(&self.weights[at..at + n]);
            }
            s = (s + 1) & mask;
        }
    }

    /// Writes the score of every label for the features `ids` into `out` (cleared first).
    pub fn scores_into(&self, ids: &[u32], out: &mut Vec<f32>) {
        out.clear();
        out.resize(self.labels.len(), 0.0);
        for &id in ids {
            if let Some(row) = self.row(id) {
                for (o, w) in out.iter_mut().zip(row) {
                    *o += w;
                }
            }
        }
    }

    /// The score of every label for the features `ids`.
    pub fn scores(&self, ids: &[u32]) -> Vec<f32> {
        let mut out = Vec::new();
        self.scores_into(ids, &mut out);
        out
    }

    /// The best label's index for the features `ids` (the first on a tie).
    pub fn predict(&self, ids: &[u32]) -> usize {
        argmax(&self.scores(ids))
    }

    /// Scores turned into a probability-like distribution (softmax). Perceptron scores are not
    /// calibrated: use these to rank and to threshold against held-out data, not as odds.
    pub fn probabilities(&self, ids: &[u32]) -> Vec<f32> {
        softmax(&self.scores(ids))
    }

    /// The model as bytes: magic, labels, then rows of (id, weights as i16 with one scale).
    pub fn to_bytes(&self) -> Vec<u8> {
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let mut out = Vec::with_capacity(16 + self.ids.len() * (4 + 2 * self.labels.len()));
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, self.labels.len() as u32);
        for l in &self.labels {
            put_u32(&mut out, l.len() as u32);
            out.extend_from_slice(l.as_bytes());
        }
        out.extend_from_slice(&scale.to_le_bytes());
        put_u32(&mut out, self.ids.len() as u32);
        let n = self.labels.len();
        for (r, id) in self.ids.iter().enumerate() {
            put_u32(&mut out, *id);
            for w in &self.weights[r * n..(r + 1) * n] {
                let q = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, LoadError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LoadError::NotAModel);
        }
        let nlabels = r.u32()? as usize;
        let mut labels = Vec::with_capacity(nlabels.min(4096));
        for _ in 0..nlabels {
            let len = r.u32()? as usize;
            let s = std::str::from_utf8(r.take(len)?).map_err(|_| LoadError::BadLabel)?;
            labels.push(s.to_string());
        }
        let scale = f32::from_le_bytes(r.array()?);
        let nrows = r.u32()? as usize;
        if bytes.len().saturating_sub(r.at) < nrows.saturating_mul(4 + 2 * nlabels) {
            return Err(LoadError::Truncated);
        }
        let mut ids = Vec::with_capacity(nrows);
        let mut weights = Vec::with_capacity(nrows * nlabels);
        for _ in 0..nrows {
            ids.push(r.u32()?);
            for _ in 0..nlabels {
                weights.push(f32::from(i16::from_le_bytes(r.array()?)) * scale);
            }
        }
        let slots = build_slots(&ids);
        Ok(Model {
            labels,
            ids,
            weights,
            slots,
        })
    }
}

fn build_slots(ids: &[u32]) -> Vec<u32> {
    if ids.is_empty() {
        return Vec::new();
    }
    let size = (ids.len() * 2).next_power_of_two();
    let mask = size - 1;
    let mut slots = vec![EMPTY; size];
    for (r, &id) in ids.iter().enumerate() {
        let mut s = slot_of(id, mask);
        while slots[s] != EMPTY {
            s = (s + 1) & mask;
        }
        slots[s] = r as u32;
    }
    slots
}

/// The index of the largest value (the first on a tie; 0 for an empty slice).
pub(crate) fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

fn softmax(v: &[f32]) -> Vec<f32> {
    let max = v.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = v.iter().map(|x| (x - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.into_iter().map(|x| x / sum).collect()
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        let end = self.at.checked_add(n).ok_or(LoadError::Truncated)?;
        let s = self.bytes.get(self.at..end).ok_or(LoadError::Truncated)?;
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], LoadError> {
        let s = self.take(N)?;
        Ok(s.try_into().expect("take returned N bytes"))
    }

    fn u32(&mut self) -> Result<u32, LoadError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_label_model() -> Model {
        Model::from_rows(
            vec!["a".into(), "b".into()],
            vec![(1, vec![1.0, -1.0]), (2, vec![-0.5, 2.0])],
        )
    }

    #[test]
    fn scores_add_the_rows_of_known_features_and_ignore_unknown_ones() {
        let m = two_label_model();
        assert_eq!(m.scores(&[1, 2, 99]), vec![0.5, 1.0]);
        assert_eq!(m.predict(&[1]), 0);
        assert_eq!(m.predict(&[1, 2]), 1);
    }

    #[test]
    fn a_model_reads_back_what_it_wrote_within_quantisation() {
        let m = two_label_model();
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.labels(), m.labels());
        for (x, y) in back.scores(&[1, 2]).iter().zip(m.scores(&[1, 2])) {
            assert!((x - y).abs() < 1e-3);
        }
    }

    #[test]
    fn junk_and_truncated_bytes_are_refused_not_panicked_on() {
        assert_eq!(
            Model::from_bytes(b"hello").unwrap_err(),
            LoadError::Truncated
        );
        assert_eq!(
            Model::from_bytes(b"NOTMODEL1234").unwrap_err(),
            LoadError::NotAModel
        );
        let bytes = two_label_model().to_bytes();
        for cut in 0..bytes.len() {
            assert!(Model::from_bytes(&bytes[..cut]).is_err());
        }
    }
}
