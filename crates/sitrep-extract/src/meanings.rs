//! Word-meaning classes (`models/meanings.tsv`, built by `scripts/meaning_classes.py` from a
//! sentence encoder's word-piece embeddings, at build time only).
//!
//! The word classes of `ner::clusters` group words by their neighbours in our own texts, so
//! "gunmen" and "rioters" share one; these group them by meaning as the encoder learnt it from
//! far more text: "soldier", "troops" and "servicemen" in one class, "policeman" and "officer"
//! in another. A learned stage reads a word's class as evidence, so what it learnt of one word
//! carries to words of the same meaning that its training texts never used.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The meaning class of `word` (lowercased), if the table has it.
pub fn class(word: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| parse(include_str!("../models/meanings.tsv")))
        .get(word)
        .copied()
}

fn parse(tsv: &str) -> HashMap<&str, &str> {
    tsv.lines().filter_map(|l| l.split_once('\t')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_word_and_class() {
        let t = parse("soldier\t12\ntroops\t12\nbread\t7\nbroken line\n");
        assert_eq!(t.get("troops"), Some(&"12"));
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn words_of_one_meaning_share_a_class_and_others_do_not() {
        assert!(class("soldiers").is_some());
        assert_eq!(class("soldiers"), class("troops"));
        assert_ne!(class("soldiers"), class("bread"));
    }
}
