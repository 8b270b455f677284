//! The learning code every learned stage of sitrep shares.
//!
//! Decisions that depend on wording (is this a person or a place, which event type, which of ten
//! places called Alexandria) are made by linear models over hashed features. This crate holds
//! the pieces those stages have in common and nothing of text, places or events:
//!
//! - [`Features`]: strings hashed (FNV-1a) into `u32` feature ids, with namespaces;
//! - [`Trainer`]: the averaged multiclass perceptron that learns a [`Model`] ([`train_dropout`]:
//!   with dropout of features);
//! - [`ensemble`]: the average of several models as one model;
//! - [`Model`]: sparse weights, scored in place, saved to and loaded from compact bytes;
//! - [`clusters`]: word classes learnt from unlabeled text (the exchange algorithm);
//! - [`rank`]: a ranking perceptron that picks the best of a decision's candidates;
//! - [`tagger`]: BIO tagging, Viterbi over label transitions (a structured perceptron);
//! - [`metrics`]: accuracy, per-label precision/recall/F1, span scoring and k-fold splits.
//!
//! Architecture invariant: std only, deterministic (the same examples, order and seed give the
//! same bytes), no I/O beyond `Read`/`Write` callers hand in.

pub mod clusters;
pub mod ensemble;
mod features;
pub mod metrics;
mod model;
pub mod rank;
pub mod tagger;
mod train;

pub use features::{hash, Features};
pub use model::{LoadError, Model};
pub use train::{train, train_dropout, Example, TrainOptions, Trainer};
