//! The word lists the extractor reads: data files in `data/`, compiled in, parsed once.

use sitrep_model::{ActorKind, EventType, Family};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: lexicon keys are short strings looked up at every token, where SipHash's
/// flood resistance buys nothing (the keys are ours) and costs a tenth of the run time.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A map with the fast hasher.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// A set with the fast hasher.
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// The words of a `class<TAB>word` data file by class (lines starting with `#` are comments).
pub(crate) type WordClasses = HashMap<&'static str, HashSet<&'static str>>;

pub(crate) fn word_classes(data: &'static str) -> WordClasses {
    let mut m = WordClasses::new();
    for (class, w) in data
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
    {
        m.entry(class).or_default().insert(w.trim());
    }
    m
}

/// The words of `class` in `table`; none when the file has no such class.
pub(crate) fn words_of(table: &'static WordClasses, class: &str) -> &'static HashSet<&'static str> {
    static EMPTY: OnceLock<HashSet<&'static str>> = OnceLock::new();
    table
        .get(class)
        .unwrap_or_else(|| EMPTY.get_or_init(Default::default))
}
use std::sync::OnceLock;

/// One event trigger phrase.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub family: Family,
    pub kind: EventType,
    pub weapon: Option<String>,
}

/// One entry of the actor dictionary.
#[derive(Debug, Clone)]
pub struct ActorEntry {
    pub id: String,
    pub kind: ActorKind,
    pub country: Option<String>,
    pub canonical: String,
}

/// How a dictionary phrase refers to an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorForm {
    /// The actor's name or an alias ("Russia", "the Kremlin", "RSF").
    Name,
    /// A demonym ("Russian", "Ukrainians").
    Demonym,
    /// The capital city, which may stand for the government ("Kyiv", "Washington").
    Capital,
}

/// Everything the extractor looks words up in.
pub struct Lexicon {
    /// Trigger phrases as lowercase token sequences.
    pub triggers: FastMap<Vec<String>, Trigger>,
    pub max_trigger_len: usize,
    pub weapons: FastMap<Vec<String>, String>,
    pub speech_verbs: FastSet<String>,
    /// Words that may report speech or a belief without quotation marks (`data/reporting_verbs.txt`):
    /// evidence for the learned cue decision of indirect speech.
    pub reporting_verbs: FastSet<String>,
    pub titles: FastSet<String>,
    pub person_nouns: FastSet<String>,
    pub stopwords: FastSet<String>,
    /// The stopwords and the other words that are never a place on their own
    /// (`data/not_places.txt`): what place mentions are vetoed by.
    pub not_places: FastSet<String>,
    /// Media names as normalised token sequences.
    pub media: FastSet<Vec<String>>,
    pub actors: Vec<ActorEntry>,
    /// Phrase (as written, token sequence) → (actor index, form). Case-sensitive for acronyms,
    /// first-letter-insensitive otherwise (see `actor_key`).
    pub actor_phrases: FastMap<Vec<String>, (usize, ActorForm)>,
    pub max_actor_len: usize,
}

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Split a phrase into the token strings the tokenizer would produce, lowercased.
pub fn phrase_tokens(s: &str) -> Vec<String> {
    let doc = sitrep_text::Document::new(s.to_string());
    doc.tokens
        .iter()
        .map(|t| doc.slice(t.span).to_lowercase())
        .collect()
}

/// The key under which an actor phrase token is stored: acronyms (all caps, 2+ letters) keep
/// their case so "IS" is not "is"; other words are lowercased.
pub fn actor_key(tok: &str) -> String {
    let letters: Vec<char> = tok.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
        tok.to_string()
    } else {
        tok.to_lowercase()
    }
}

fn parse_kind(s: &str) -> ActorKind {
    match s {
        "state" => ActorKind::State,
        "military" => ActorKind::Military,
        "armed_group" => ActorKind::ArmedGroup,
        "government_body" => ActorKind::GovernmentBody,
        _ => ActorKind::Organisation,
    }
}

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn global() -> &'static Lexicon {
        static L: OnceLock<Lexicon> = OnceLock::new();
        L.get_or_init(Lexicon::load)
    }

    fn load() -> Lexicon {
        let mut triggers = FastMap::default();
        for l in lines(include_str!("../data/triggers.tsv")) {
            let f: Vec<&str> = l.split('\t').collect();
            let family =
                Family::parse(f[1]).unwrap_or_else(|| panic!("triggers.tsv: bad family in {l:?}"));
            let kind =
                EventType::parse(f[2]).unwrap_or_else(|| panic!("triggers.tsv: bad type in {l:?}"));
            let weapon = f.get(3).map(|w| w.to_string()).filter(|w| !w.is_empty());
            triggers.insert(
                phrase_tokens(f[0]),
                Trigger {
                    family,
                    kind,
                    weapon,
                },
            );
        }
        let max_trigger_len = triggers.keys().map(Vec::len).max().unwrap_or(1);
        let weapons = lines(include_str!("../data/weapons.tsv"))
            .map(|l| {
                let (p, w) = l
                    .split_once('\t')
                    .unwrap_or_else(|| panic!("weapons.tsv: bad line {l:?}"));
                (phrase_tokens(p), w.to_string())
            })
            .collect();
        let set = |data: &'static str| lines(data).map(str::to_lowercase).collect::<FastSet<_>>();
        let stopwords: FastSet<String> = lines(include_str!("../data/stopwords.txt"))
            .map(str::to_string)
            .collect();
        let not_places = lines(include_str!("../data/not_places.txt"))
            .map(str::to_string)
            .chain(stopwords.iter().cloned())
            .collect();
        let media = lines(include_str!("../data/media.txt"))
            .map(phrase_tokens)
            .collect();
        let (actors, actor_phrases) = load_actors(include_str!("../../../data/actors.tsv"));
        let max_actor_len = actor_phrases.keys().map(Vec::len).max().unwrap_or(1);
        Lexicon {
            triggers,
            max_trigger_len,
            weapons,
            speech_verbs: set(include_str!("../data/speech_verbs.txt")),
            reporting_verbs: set(include_str!("../data/reporting_verbs.txt")),
            titles: set(include_str!("../data/titles.txt")),
            person_nouns: set(include_str!("../data/person_nouns.txt")),
            stopwords,
            not_places,
            media,
            actors,
            actor_phrases,
            max_actor_len,
        }
    }
}

type ActorTables = (Vec<ActorEntry>, FastMap<Vec<String>, (usize, ActorForm)>);

fn load_actors(data: &'static str) -> ActorTables {
    let mut it = lines(data);
    let header: Vec<&str> = it
        .next()
        .expect("actors.tsv has a header")
        .split('\t')
        .collect();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| *h == n)
            .unwrap_or_else(|| panic!("actors.tsv lacks column {n}"))
    };
    let (id, kind, country, canonical, aliases, demonyms, capital) = (
        col("id"),
        col("kind"),
        col("country"),
        col("canonical"),
        col("aliases"),
        col("demonyms"),
        col("capital"),
    );
    let mut actors = Vec::new();
    let mut phrases = FastMap::default();
    for l in it {
        let f: Vec<&str> = l.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("").trim();
        let idx = actors.len();
        actors.push(ActorEntry {
            id: get(id).to_string(),
            kind: parse_kind(get(kind)),
            country: Some(get(country).to_string()).filter(|c| c.len() == 2),
            canonical: get(canonical).to_string(),
        });
        let mut add = |p: &str, form: ActorForm| {
            let doc = sitrep_text::Document::new(p.to_string());
            let key: Vec<String> = doc
                .tokens
                .iter()
                .map(|t| actor_key(doc.slice(t.span)))
                .collect();
            // Leading "the" is optional in text; store without it.
            let key = if key.first().is_some_and(|t| t == "the") && key.len() > 1 {
                key[1..].to_vec()
            } else {
                key
            };
            if !key.is_empty() {
                phrases.entry(key).or_insert((idx, form));
            }
        };
        add(get(canonical), ActorForm::Name);
        for a in get(aliases).split('|').filter(|a| !a.is_empty()) {
            add(a, ActorForm::Name);
        }
        for d in get(demonyms).split('|').filter(|a| !a.is_empty()) {
            add(d, ActorForm::Demonym);
        }
        for c in get(capital).split('|').filter(|a| !a.is_empty()) {
            add(c, ActorForm::Capital);
        }
    }
    (actors, phrases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_loads_and_has_entries() {
        let l = Lexicon::global();
        assert!(l.triggers.len() > 100);
        assert!(l.weapons.len() > 30);
        assert!(l.speech_verbs.contains("said"));
        assert!(l.titles.contains("spokesperson"));
        assert!(l.person_nouns.contains("civilians"));
        assert!(l.actors.len() > 150);
    }

    #[test]
    fn demonyms_and_capitals_resolve_to_their_states() {
        let l = Lexicon::global();
        let (i, form) = l.actor_phrases[&vec!["russian".to_string()]];
        assert_eq!(
            (l.actors[i].country.as_deref(), form),
            (Some("RU"), ActorForm::Demonym)
        );
        let (i, form) = l.actor_phrases[&vec!["kyiv".to_string()]];
        assert_eq!(
            (l.actors[i].country.as_deref(), form),
            (Some("UA"), ActorForm::Capital)
        );
    }

    #[test]
    fn acronyms_keep_their_case() {
        assert_eq!(actor_key("RSF"), "RSF");
        assert_eq!(actor_key("Hamas"), "hamas");
    }
}
