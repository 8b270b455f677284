//! Bytes to clean, segmented text, every piece with its byte offsets.
//!
//! `sitrep-text` is the first stage of the pipeline and is usable on its own: decode untrusted
//! bytes ([`decode`]), pull the main text out of an HTML page ([`html::main_text`]), split it into
//! paragraphs, sentences and tokens ([`Document`]), read counts ("at least 16", "two dozen")
//! ([`numbers`]) and time expressions resolved against a publication date ([`timex`]).
//!
//! Architecture invariant: depends only on `sitrep-model` (for `Span`), `time` and the encoding
//! crates (`encoding_rs`, `chardetng`); knows nothing of places, actors or events.

mod decode;
pub mod html;
pub mod numbers;
mod segment;
pub mod timex;

pub use decode::{
    decode, text_of, with_declared_charset, DecodeError, Decoded, Found, Text, MAX_INPUT_BYTES,
};
pub use segment::{Document, Sentence, Token, TokenKind};
