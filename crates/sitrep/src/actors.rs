//! What an `--actor` filter (or the API's `actor=`) stands for: the extractor's actor dictionary
//! (`data/actors.tsv`) turns an alias or a demonym into the name events are stored under, so
//! `--actor RSF` finds the Rapid Support Forces and `--actor Sudanese` finds Sudan's forces.

use sitrep_extract::lexicon::{actor_key, ActorForm, Lexicon};

/// The stored names a typed actor stands for (its canonical names in the dictionary), without
/// the typed text itself. Empty when the dictionary does not know it.
pub fn actor_names(typed: &str) -> Vec<String> {
    let lexicon = Lexicon::global();
    let key = typed_key(typed);
    if key.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<usize> = match lexicon.actor_phrases.get(&key) {
        Some(&(i, form)) if form != ActorForm::Capital => vec![i],
        _ => Vec::new(),
    };
    // "rsf" as typed in a search box: acronyms are stored in capitals, so compare ignoring case
    // (only for three letters or more, where a word is not mistaken for an acronym).
    if found.is_empty() && typed.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
        let lower = lowercase(&key);
        found = lexicon
            .actor_phrases
            .iter()
            .filter(|(k, (_, form))| *form != ActorForm::Capital && lowercase(k) == lower)
            .map(|(_, &(i, _))| i)
            .collect();
    }
    let mut names: Vec<String> = found
        .into_iter()
        .map(|i| lexicon.actors[i].canonical.clone())
        .filter(|n| !n.eq_ignore_ascii_case(typed.trim()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The typed text as the dictionary's phrase keys: tokens as the tokenizer splits them, acronyms
/// in their case, other words lowercased, without a leading "the".
fn typed_key(typed: &str) -> Vec<String> {
    let doc = sitrep_text::Document::new(typed.trim().to_string());
    let key: Vec<String> = doc
        .tokens
        .iter()
        .map(|t| actor_key(doc.slice(t.span)))
        .collect();
    match key.split_first() {
        Some((first, rest)) if first == "the" && !rest.is_empty() => rest.to_vec(),
        _ => key,
    }
}

fn lowercase(key: &[String]) -> Vec<String> {
    key.iter().map(|t| t.to_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_stands_for_its_canonical_name() {
        assert_eq!(actor_names("RSF"), ["Rapid Support Forces"]);
        assert_eq!(actor_names("rsf"), ["Rapid Support Forces"], "any case");
    }

    #[test]
    fn a_demonym_stands_for_its_state_but_a_capital_does_not() {
        assert_eq!(actor_names("Sudanese"), ["Sudan"]);
        assert!(actor_names("Khartoum").is_empty());
    }

    #[test]
    fn a_canonical_name_or_an_unknown_text_adds_nothing() {
        assert!(actor_names("Rapid Support Forces").is_empty());
        assert!(actor_names("nobody we know").is_empty());
        assert!(actor_names("  ").is_empty());
    }
}
