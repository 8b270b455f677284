//! Named-entity recognition: which token runs name a person, an organisation, a place or a
//! people, decided by a learned tagger rather than by lists.
//!
//! A BIO tagger (`sitrep_learn::tagger`: a structured perceptron over first-order label
//! transitions, decoded with Viterbi) reads each sentence of sitrep-text's tokens. Its features
//! are the word, its shape, affixes and neighbours, the word classes of the word and its
//! neighbours (`models/clusters.tsv`, learnt from the unlabeled text of the dev sets by
//! `sitrep train clusters`), and, as *evidence* only, what the embedded lists say of the token:
//! whether a gazetteer name covers it (with the feature class and population of its best
//! reading), whether an actor phrase covers it (kind and form), whether it is a title, a person
//! noun or a speech verb. A report is read twice: the second pass adds what the first found of
//! the other occurrences of each capitalised word (document evidence). The same functions
//! compute the features at training (`sitrep train ner`) and at run time, so the model sees
//! the tokens it was trained on.
//!
//! The model (`models/ner.slm`) is trained on the Groningen Meaning Bank news corpus (Voice of
//! America): "Trained in part on the Annotated Corpus for Named Entity Recognition (Abhinav
//! Walia, Kaggle), derived from the Groningen Meaning Bank, used under the ODbL 1.0 / DbCL 1.0."

use crate::lexicon::{ActorForm, Lexicon};
use crate::mentions::{is_cap, is_title};
use sitrep_gazetteer::{normalize, Feature, Gazetteer};
use sitrep_learn::{tagger, Features, Model};
use sitrep_model::ActorKind;
use sitrep_text::{Document, TokenKind};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// The kind of thing a recognised name names (OntoNotes' names for the types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NerKind {
    /// A person.
    Person,
    /// An organisation: government body, armed group, company, agency.
    Org,
    /// A geopolitical entity: country, region, city.
    Gpe,
    /// A place that is not a GPE: continent, sea, mountain range, region without a government.
    Loc,
    /// A nationality, religious or political group ("Iraqi", "Palestinians").
    Norp,
    /// A facility: building, airport, road, bridge.
    Fac,
    /// A named event ("World War II").
    Event,
    /// Any other name (products, laws, diseases).
    Misc,
}

impl NerKind {
    /// The label name the model uses for this kind ("PERSON", "GPE", ...).
    pub fn label(self) -> &'static str {
        match self {
            NerKind::Person => "PERSON",
            NerKind::Org => "ORG",
            NerKind::Gpe => "GPE",
            NerKind::Loc => "LOC",
            NerKind::Norp => "NORP",
            NerKind::Fac => "FAC",
            NerKind::Event => "EVENT",
            NerKind::Misc => "MISC",
        }
    }

    /// The kind a label names, if any.
    pub fn from_label(s: &str) -> Option<NerKind> {
        Some(match s {
            "PERSON" => NerKind::Person,
            "ORG" => NerKind::Org,
            "GPE" => NerKind::Gpe,
            "LOC" => NerKind::Loc,
            "NORP" => NerKind::Norp,
            "FAC" => NerKind::Fac,
            "EVENT" => NerKind::Event,
            "MISC" => NerKind::Misc,
            _ => return None,
        })
    }

    /// Does this kind name a place (GPE, LOC, FAC)?
    pub fn is_place(self) -> bool {
        matches!(self, NerKind::Gpe | NerKind::Loc | NerKind::Fac)
    }
}

/// The sort of place name a kind is in the extraction (`Entity::name_kind`), if a place.
pub fn name_kind(k: NerKind) -> Option<sitrep_model::NameKind> {
    match k {
        NerKind::Gpe => Some(sitrep_model::NameKind::Gpe),
        NerKind::Loc => Some(sitrep_model::NameKind::Loc),
        NerKind::Fac => Some(sitrep_model::NameKind::Fac),
        _ => None,
    }
}

/// One recognised name: tokens `[first, end)` of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NerSpan {
    pub first: usize,
    pub end: usize,
    pub kind: NerKind,
}

/// The embedded model, loaded once; `None` if the embedded bytes are not a model.
pub fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(include_bytes!("../models/ner.slm")).ok())
        .as_ref()
}

/// The word-class table (`models/clusters.tsv`, `sitrep train clusters`): each frequent word's
/// fine and coarse class, parsed once.
pub(crate) fn clusters() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static C: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    C.get_or_init(|| parse_clusters(include_str!("../models/clusters.tsv")))
}

/// A token's fine and coarse word class in the table (keyed by [`cluster_key`]), if frequent.
pub fn word_class(tok: &str) -> Option<(&'static str, &'static str)> {
    clusters().get(cluster_key(tok).as_ref()).copied()
}

fn parse_clusters(table: &str) -> HashMap<&str, (&str, &str)> {
    table
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, (f.next()?, f.next()?)))
        })
        .collect()
}

/// Per-token keys the features need, computed once per document: each token lowercased.
pub fn lowercased(doc: &Document) -> Vec<String> {
    doc.tokens
        .iter()
        .map(|t| doc.slice(t.span).to_lowercase())
        .collect()
}

/// The word shape: runs of upper, lower, digit and other characters, each run cut to two
/// ("Kyiv" → "Xx", "U.S." → "X.X.", "1,200" → "d,d"), and a long form with runs cut to four.
fn shapes(word: &str) -> (String, String) {
    let mut short = String::new();
    let mut long = String::new();
    let mut last = '\0';
    let mut run = 0;
    for ch in word.chars() {
        let c = if ch.is_uppercase() {
            'X'
        } else if ch.is_lowercase() {
            'x'
        } else if ch.is_ascii_digit() {
            'd'
        } else {
            ch
        };
        if c == last {
            run += 1;
        } else {
            run = 1;
            last = c;
        }
        if run <= 1 {
            short.push(c);
        }
        if run <= 4 {
            long.push(c);
        }
    }
    (short, long)
}

/// Curly quotes and apostrophes as their straight forms: the training news has mostly
/// straight ones, reports mostly curly ones.
fn fold_quotes(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                '‘' | '’' | '‚' | '′' => '\'',
                '“' | '”' | '„' | '″' | '«' | '»' => '"',
                c => c,
            })
            .collect(),
    )
}

/// The form of a token the word-class table (`models/clusters.tsv`) is keyed by: quotes
/// folded, every ASCII digit read as 0 ("1,200" and "3,500" are one word), case kept.
pub fn cluster_key(tok: &str) -> std::borrow::Cow<'_, str> {
    let folded = fold_quotes(tok);
    if !folded.bytes().any(|b| b.is_ascii_digit()) {
        return folded;
    }
    std::borrow::Cow::Owned(
        folded
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect(),
    )
}

fn pop_bucket(p: u32) -> &'static str {
    match p {
        0 => "0",
        1..=9_999 => "1e3",
        10_000..=99_999 => "1e4",
        100_000..=999_999 => "1e5",
        _ => "1e6",
    }
}

fn feature_name(f: Feature) -> &'static str {
    match f {
        Feature::Country => "country",
        Feature::Admin1 => "admin1",
        Feature::Capital => "capital",
        Feature::Settlement => "settlement",
        Feature::District => "district",
    }
}

fn actor_kind_name(k: ActorKind) -> &'static str {
    match k {
        ActorKind::State => "state",
        ActorKind::Military => "military",
        ActorKind::ArmedGroup => "armed",
        ActorKind::Organisation => "org",
        ActorKind::GovernmentBody => "gov",
        ActorKind::Civilians => "civ",
        ActorKind::Person => "person",
    }
}

/// What the gazetteer and the actor dictionary say of each token of a sentence: the longest
/// name covering it, as (position in the name: 'B' or 'I', a description).
struct ListEvidence {
    gaz: Vec<Option<(char, &'static str, &'static str)>>,
    actor: Vec<Option<(char, &'static str, &'static str)>>,
}

fn list_evidence(
    doc: &Document,
    low: &[String],
    akey: &[String],
    lex: &Lexicon,
    gaz: &Gazetteer,
    r: &Range<usize>,
) -> ListEvidence {
    let n = r.len();
    let mut ev = ListEvidence {
        gaz: vec![None; n],
        actor: vec![None; n],
    };
    let mut i = r.start;
    while i < r.end {
        let t = doc.tok(i);
        if !is_cap(t) || doc.tokens[i].kind != TokenKind::Word {
            i += 1;
            continue;
        }
        // Longest gazetteer name of capitalised words (and "of", "de"... inside).
        let mut key = String::new();
        let mut best: Option<(usize, &'static str, &'static str)> = None;
        let mut j = i;
        while j < r.end && j < i + 5 {
            let w = doc.tok(j);
            let connector = j > i && matches!(low[j].as_str(), "of" | "de" | "al" | "el" | "the");
            if !(is_cap(w) || connector) || doc.tokens[j].kind != TokenKind::Word {
                break;
            }
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(&normalize(w));
            if !connector {
                // Areas (seas, regions, ranges) are not read: their coverage grows with the
                // gazetteer, and the tagger's evidence should not move with it.
                let hits = gaz.lookup(&key);
                if let Some(top) = hits.iter().find(|p| !sitrep_gazetteer::is_area(p.code)) {
                    best = Some((
                        j + 1 - i,
                        feature_name(top.feature),
                        pop_bucket(top.population),
                    ));
                }
            }
            if !gaz.continues(&key) {
                break;
            }
            j += 1;
        }
        if let Some((len, f, p)) = best {
            for k in 0..len {
                ev.gaz[i + k - r.start] = Some((if k == 0 { 'B' } else { 'I' }, f, p));
            }
        }
        // Longest actor phrase.
        let actor = (1..=lex.max_actor_len.min(r.end - i))
            .rev()
            .find_map(|len| {
                lex.actor_phrases
                    .get(&akey[i..i + len])
                    .map(|&(a, f)| (len, a, f))
            });
        let actor_len = actor.map_or(0, |a| a.0);
        if let Some((len, a, form)) = actor {
            let kind = actor_kind_name(lex.actors[a].kind);
            let form = match form {
                ActorForm::Name => "name",
                ActorForm::Demonym => "demonym",
                ActorForm::Capital => "capital",
            };
            for k in 0..len {
                ev.actor[i + k - r.start] = Some((if k == 0 { 'B' } else { 'I' }, kind, form));
            }
        }
        i += best.map_or(0, |b| b.0).max(actor_len).max(1);
    }
    ev
}

/// The features of every token of sentence `r` (token range of `doc`). `low` and `akey` are
/// the whole document's lowercased tokens and actor keys.
pub fn sentence_features(
    doc: &Document,
    low: &[String],
    akey: &[String],
    lex: &Lexicon,
    gaz: &Gazetteer,
    r: Range<usize>,
) -> Vec<Vec<u32>> {
    features_hiding(doc, low, akey, lex, gaz, r, &[])
}

/// [`sentence_features`] without the word's own identity (word, affixes, word pairs) for the
/// tokens `hidden` marks (indices relative to `r`). Training hides some names so the model
/// learns what context and the lists say of a name it has never seen: real reports are full
/// of names the training news never had.
pub fn features_hiding(
    doc: &Document,
    low: &[String],
    akey: &[String],
    lex: &Lexicon,
    gaz: &Gazetteer,
    r: Range<usize>,
    hidden: &[bool],
) -> Vec<Vec<u32>> {
    let ev = list_evidence(doc, low, akey, lex, gaz, &r);
    let shapes: Vec<(String, String)> = r
        .clone()
        .map(|i| shapes(&fold_quotes(doc.tok(i))))
        .collect();
    let folded: Vec<std::borrow::Cow<str>> = r.clone().map(|i| fold_quotes(&low[i])).collect();
    let table = clusters();
    let cl: Vec<Option<(&str, &str)>> = r
        .clone()
        .map(|i| table.get(cluster_key(doc.tok(i)).as_ref()).copied())
        .collect();

    let at = |k: isize| -> Option<usize> {
        let j = r.start as isize + k;
        (j >= r.start as isize && j < r.end as isize).then_some(j as usize)
    };
    let appos = appositive_role(doc, low, lex, &r);
    let mut out = Vec::with_capacity(r.len());
    let mut f = Features::new();
    for (n, i) in r.clone().enumerate() {
        f.clear();
        let word_folded = fold_quotes(doc.tok(i));
        let word = word_folded.as_ref();
        let lw = folded[n].as_ref();
        let (sh, shl) = (&shapes[n].0, &shapes[n].1);
        let w_at = |k: isize| at(n as isize + k).map_or("<s>", |j| folded[j - r.start].as_ref());
        let sh_at = |k: isize| {
            at(n as isize + k)
                .map(|j| shapes[j - r.start].0.as_str())
                .unwrap_or("<s>")
        };
        let hide = hidden.get(n).copied().unwrap_or(false);
        f.add("sh", sh);
        f.add("shl", shl);
        if !hide {
            f.add("w", word);
            f.add("lw", lw);
            // Affixes as slices of the word: no string is built per token.
            let bounds: Vec<usize> = lw
                .char_indices()
                .map(|(k, _)| k)
                .chain(std::iter::once(lw.len()))
                .collect();
            let m = bounds.len() - 1;
            for k in 1..=3.min(m) {
                f.add("pre", &lw[..bounds[k]]);
            }
            for k in 2..=4.min(m) {
                f.add("suf", &lw[bounds[m - k]..]);
            }
            f.add2("w-1w", w_at(-1), lw);
            f.add2("ww+1", lw, w_at(1));
        }
        for k in [-2isize, -1, 1, 2] {
            let name = match k {
                -2 => "w-2",
                -1 => "w-1",
                1 => "w+1",
                _ => "w+2",
            };
            f.add(name, w_at(k));
            let sname = match k {
                -2 => "s-2",
                -1 => "s-1",
                1 => "s+1",
                _ => "s+2",
            };
            f.add(sname, sh_at(k));
        }
        // Word classes (`clusters`) of the word and its neighbours: a name the training news
        // never had shares a class with names it had. A hidden word hides its class too.
        for (k, fname, cname) in [
            (-1isize, "cl-1", "cc-1"),
            (0, "cl", "cc"),
            (1, "cl+1", "cc+1"),
        ] {
            if k == 0 && hide {
                continue;
            }
            match at(n as isize + k).map_or(Some(("<s>", "<s>")), |j| cl[j - r.start]) {
                Some((fine, coarse)) => {
                    f.add(fname, fine);
                    f.add(cname, coarse);
                }
                None => f.add(fname, "?"),
            }
        }
        f.add2("s-1s", sh_at(-1), sh);
        f.add2("ss+1", sh, sh_at(1));
        if n == 0 {
            f.flag("first");
            if !hide {
                f.add("first-w", lw);
            }
        } else if n == 1 && matches!(doc.tok(i - 1), "\"" | "“" | "'" | "‘" | "(") {
            f.flag("after-open");
        }
        // The lists, as evidence.
        match ev.gaz[n] {
            Some((bi, class, pop)) => {
                let b = if bi == 'B' { "B" } else { "I" };
                f.add2("gaz", b, class);
                f.add2("gazpop", b, pop);
                f.add2("gaz-sh", class, sh);
            }
            None => f.flag("gaz-none"),
        }
        if let Some(j) = at(n as isize - 1) {
            if let Some((_, class, _)) = ev.gaz[j - r.start] {
                f.add("gaz-1", class);
            }
        }
        if let Some(j) = at(n as isize + 1) {
            if let Some((_, class, _)) = ev.gaz[j - r.start] {
                f.add("gaz+1", class);
            }
        }
        if let Some((bi, kind, form)) = ev.actor[n] {
            let b = if bi == 'B' { "B" } else { "I" };
            f.add2("act", b, kind);
            f.add2("actform", kind, form);
        }
        if is_title(lex, lw) {
            f.flag("title");
        }
        if n > 0 && is_title(lex, &low[i - 1]) {
            f.flag("title-1");
        }
        if n > 1 && is_title(lex, &low[i - 2]) {
            f.flag("title-2");
        }
        if lex.person_nouns.contains(lw) {
            f.flag("pnoun");
        }
        if at(n as isize + 1).is_some_and(|j| lex.speech_verbs.contains(low[j].as_str())) {
            f.flag("speech+1");
        }
        if appos[n] {
            f.flag("appos-role");
        }
        if lex.stopwords.contains(word) {
            f.flag("stop");
        }
        if doc.tokens[i].kind == TokenKind::Possessive {
            f.flag("poss");
        }
        if at(n as isize + 1).is_some_and(|j| doc.tokens[j].kind == TokenKind::Possessive) {
            f.flag("poss+1");
        }
        out.push(f.ids().to_vec());
    }
    out
}

/// How far after the comma an appositive's role noun may stand ("a senior spokesperson").
const APPOSITIVE_REACH: usize = 4;

/// For each token of `r`: whether it is in a run of capitalised words followed by an
/// appositive whose first words hold a title or a noun of a person ("Grace Odhiambo, a
/// spokesperson for …", "…, chairwoman of …"). The ±2 word window cannot see that far, and a
/// name the training news never had is told as a person's mostly so.
fn appositive_role(doc: &Document, low: &[String], lex: &Lexicon, r: &Range<usize>) -> Vec<bool> {
    let cap = |i: usize| is_cap(doc.tok(i));
    let mut out = vec![false; r.len()];
    let mut i = r.start;
    while i < r.end {
        if !cap(i) {
            i += 1;
            continue;
        }
        let mut e = i;
        while e < r.end && cap(e) {
            e += 1;
        }
        let role = e < r.end
            && doc.tok(e) == ","
            && (e + 1..(e + 1 + APPOSITIVE_REACH).min(r.end))
                .take_while(|&k| doc.tok(k).chars().any(char::is_alphanumeric))
                .any(|k| is_title(lex, &low[k]) || lex.person_nouns.contains(low[k].as_str()));
        if role {
            out[i - r.start..e - r.start].fill(true);
        }
        i = e;
    }
    out
}

/// The labels `model` gives a sentence's tokens (label indices).
pub fn decode(model: &Model, feats: &[Vec<u32>]) -> Vec<usize> {
    tagger::tag_viterbi(model, feats)
}

/// The entity types whose other mentions a word's document evidence records.
const DOC_TYPES: [&str; 6] = ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"];

/// The index in `DOC_TYPES` of a label's type ("B-GPE" → 2); `None` for "O".
fn doc_type(label: &str) -> Option<usize> {
    let kind = label.get(2..)?;
    DOC_TYPES.iter().position(|t| *t == kind)
}

/// Document evidence (Ratinov and Roth 2009): for each token with a key (a capitalised word),
/// the mask of the types (bit `i` for `DOC_TYPES[i]`) that a first pass gave the *other*
/// occurrences of the same word in the document; 0 when none was a name.
pub fn doc_masks(keys: &[Option<&str>], labels: &[&str]) -> Vec<u8> {
    let mut counts: HashMap<&str, [u32; DOC_TYPES.len()]> = HashMap::new();
    for (k, l) in keys.iter().zip(labels) {
        if let (Some(k), Some(t)) = (k, doc_type(l)) {
            counts.entry(k).or_default()[t] += 1;
        }
    }
    keys.iter()
        .zip(labels)
        .map(|(k, l)| {
            let Some(c) = k.and_then(|k| counts.get(k)) else {
                return 0;
            };
            let own = doc_type(l);
            (0..DOC_TYPES.len())
                .filter(|&t| c[t] > u32::from(own == Some(t)))
                .fold(0, |m, t| m | (1 << t))
        })
        .collect()
}

/// The key of a token for document evidence: its text if it is a capitalised word.
pub fn doc_key(doc: &Document, i: usize) -> Option<&str> {
    let t = doc.tok(i);
    (doc.tokens[i].kind == TokenKind::Word && is_cap(t)).then_some(t)
}

/// Appends the features of a token's document-evidence mask to its features.
pub fn add_doc_features(mask: u8, ids: &mut Vec<u32>) {
    let mut f = Features::new();
    f.add("doc", &mask.to_string());
    for (b, t) in DOC_TYPES.iter().enumerate() {
        if mask & (1 << b) != 0 {
            f.add("doc-has", t);
        }
    }
    ids.extend_from_slice(f.ids());
}

/// Every name the embedded model finds in `doc`, sentence by sentence, in document order.
/// Two passes: the second reads what the first found of each word's other occurrences. The
/// model is linear, so the second adds the scores of the document features to the first's
/// token scores instead of scoring each token again.
pub fn recognize_names(
    doc: &Document,
    low: &[String],
    akey: &[String],
    lex: &Lexicon,
    gaz: &Gazetteer,
) -> Vec<NerSpan> {
    let Some(m) = model() else {
        return Vec::new();
    };
    let labels = m.labels();
    let keys: Vec<Option<&str>> = (0..doc.tokens.len()).map(|i| doc_key(doc, i)).collect();
    let mut first: Vec<&str> = vec!["O"; doc.tokens.len()];
    let mut passes: Vec<(Vec<Vec<f32>>, Vec<usize>)> = Vec::with_capacity(doc.sentences.len());
    for s in &doc.sentences {
        let mut feats = sentence_features(doc, low, akey, lex, gaz, s.tokens.clone());
        for f in &mut feats {
            add_doc_features(0, f);
        }
        let mut emit = tagger::emissions(m, &feats);
        break_at_possessives(doc, labels, s.tokens.clone(), &mut emit);
        let tags = tagger::decode_emissions(m, &emit);
        for (k, &l) in s.tokens.clone().zip(&tags) {
            first[k] = labels[l].as_str();
        }
        passes.push((emit, tags));
    }
    let masks = doc_masks(&keys, &first);
    let mut none = Vec::new();
    add_doc_features(0, &mut none);
    let none = m.scores(&none);
    doc.sentences
        .iter()
        .zip(passes)
        .flat_map(|(s, (mut emit, tags))| {
            let r = s.tokens.clone();
            let tags = if masks[r.clone()].iter().any(|&x| x != 0) {
                for (e, k) in emit.iter_mut().zip(r.clone()) {
                    add_evidence(m, masks[k], &none, e);
                }
                tagger::decode_emissions(m, &emit)
            } else {
                tags
            };
            spans_of(labels, &tags, r.start)
        })
        .collect()
}

/// A name does not run on across a possessive into the next name ("Al Jazeera’s Yulia
/// Shapovalova" names an organisation and a person): the word after a possessive clitic that
/// is capitalised may begin a name, never continue one. `emit` holds the scores of `tokens`.
fn break_at_possessives(
    doc: &Document,
    labels: &[String],
    tokens: std::ops::Range<usize>,
    emit: &mut [Vec<f32>],
) {
    for k in tokens.start + 1..tokens.end {
        let clitic = matches!(doc.tok(k - 1), "'s" | "’s");
        if !clitic || !doc.tok(k).starts_with(char::is_uppercase) {
            continue;
        }
        for (label, e) in labels.iter().zip(&mut emit[k - tokens.start]) {
            if label.starts_with("I-") {
                *e = -1e9;
            }
        }
    }
}

/// Replaces in a token's scores `e` the scores of "no document evidence" (`none`) by those of
/// evidence `mask`.
fn add_evidence(m: &Model, mask: u8, none: &[f32], e: &mut [f32]) {
    if mask == 0 {
        return;
    }
    let mut ids = Vec::new();
    add_doc_features(mask, &mut ids);
    for ((x, a), b) in e.iter_mut().zip(m.scores(&ids)).zip(none) {
        *x += a - b;
    }
}

/// The names a sentence's labels make, as spans of document tokens (`start`: its first).
fn spans_of(labels: &[String], tags: &[usize], start: usize) -> Vec<NerSpan> {
    tagger::spans(tags.iter().map(|&t| labels[t].as_str()))
        .into_iter()
        .filter_map(|(a, b, k)| {
            NerKind::from_label(k).map(|kind| NerSpan {
                first: start + a,
                end: start + b,
                kind,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::actor_key;

    #[test]
    fn a_name_before_an_appositive_of_a_role_is_marked() {
        let marked = |text: &str| {
            let doc = Document::new(text.to_string());
            let low = lowercased(&doc);
            let r = 0..doc.tokens.len();
            let m = appositive_role(&doc, &low, Lexicon::global(), &r);
            r.filter(|&i| m[i])
                .map(|i| doc.tok(i).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            marked("Amina Kofi Mensah, a spokesperson for the council, said so."),
            ["Amina", "Kofi", "Mensah"]
        );
        assert_eq!(
            marked("The talks ended and Lwazi Dube, chairwoman of the board, spoke."),
            ["Lwazi", "Dube"]
        );
        assert!(marked("Harare, the capital, was calm.").is_empty());
        assert!(marked("Lwazi Dube said the board, a spokesperson said, met.").is_empty());
    }

    #[test]
    fn an_area_gives_the_tagger_no_gazetteer_evidence_and_a_town_does() {
        let evidence = |text: &str| {
            let (doc, low, akey) = read(text);
            let r = 0..doc.tokens.len();
            let ev = list_evidence(
                &doc,
                &low,
                &akey,
                Lexicon::global(),
                Gazetteer::global(),
                &r,
            );
            ev.gaz[0].is_some()
        };
        assert!(!evidence("Mediterranean Sea waters were calm."));
        assert!(evidence("Mombasa was calm."));
    }

    /// A text's document, lower-cased tokens and actor keys.
    fn read(text: &str) -> (Document, Vec<String>, Vec<String>) {
        let doc = Document::new(text.to_string());
        let low = lowercased(&doc);
        let akey: Vec<String> = doc
            .tokens
            .iter()
            .map(|t| actor_key(doc.slice(t.span)))
            .collect();
        (doc, low, akey)
    }

    fn names(text: &str) -> Vec<(String, NerKind)> {
        let (doc, low, akey) = read(text);
        recognize_names(&doc, &low, &akey, Lexicon::global(), Gazetteer::global())
            .into_iter()
            .map(|s| {
                let span = sitrep_model::Span::new(
                    doc.tokens[s.first].span.start as usize,
                    doc.tokens[s.end - 1].span.end as usize,
                );
                (doc.slice(span).to_string(), s.kind)
            })
            .collect()
    }

    #[test]
    fn document_evidence_counts_only_other_occurrences() {
        let keys = [Some("Marigny"), None, Some("Marigny"), Some("Paris")];
        let labels = ["B-PERSON", "O", "B-GPE", "B-GPE"];
        let m = doc_masks(&keys, &labels);
        assert_eq!(m[0], 1 << 2, "the other Marigny was a place");
        assert_eq!(m[2], 1 << 0, "the other Marigny was a person");
        assert_eq!(m[1], 0);
        assert_eq!(m[3], 0, "Paris occurs once");
    }

    #[test]
    fn document_features_name_each_type_seen() {
        let mut none = Vec::new();
        add_doc_features(0, &mut none);
        let mut both = Vec::new();
        add_doc_features(0b0101, &mut both);
        assert_eq!(none.len(), 1);
        assert_eq!(both.len(), 3);
        assert_ne!(none[0], both[0]);
    }

    #[test]
    fn the_cluster_table_loads_and_keys_fold_digits() {
        assert_eq!(cluster_key("1,250"), "0,000");
        assert_eq!(cluster_key("’s"), "'s");
        let t = parse_clusters("Kabul\t12\t3\nbad line\n");
        assert_eq!(t.get("Kabul"), Some(&("12", "3")));
        assert_eq!(t.len(), 1);
        assert!(clusters().len() > 10_000);
        assert!(clusters().contains_key("the"));
    }

    #[test]
    fn a_name_does_not_run_on_across_a_possessive() {
        for text in [
            "Al Arabiya’s Omar Haddad reported from Cairo.",
            "Al Arabiya's Omar Haddad reported from Cairo.",
        ] {
            let found = names(text);
            assert!(
                found
                    .iter()
                    .any(|(n, k)| n == "Omar Haddad" && *k == NerKind::Person),
                "{text}: {found:?}"
            );
        }
    }

    #[test]
    fn shapes_cut_runs() {
        assert_eq!(shapes("Kyiv").0, "Xx");
        assert_eq!(shapes("U.S.").0, "X.X.");
        assert_eq!(shapes("1,200").1, "d,ddd");
    }

    #[test]
    fn the_embedded_model_loads() {
        let m = model().expect("models/ner.slm is a model");
        assert!(m.labels().iter().any(|l| l == "B-PERSON"));
        assert!(m.labels().iter().any(|l| l == "B-GPE"));
    }

    #[test]
    fn a_person_who_speaks_is_a_person() {
        let got = names("The talks failed, Farida Osmanova said on Tuesday.");
        assert!(
            got.contains(&("Farida Osmanova".into(), NerKind::Person)),
            "{got:?}"
        );
    }

    #[test]
    fn a_country_and_a_city_are_places() {
        let got = names("Troops moved from Poland to the city of Lviv overnight.");
        assert!(got.contains(&("Poland".into(), NerKind::Gpe)), "{got:?}");
        assert!(got.contains(&("Lviv".into(), NerKind::Gpe)), "{got:?}");
    }

    #[test]
    fn an_unlisted_organisation_is_an_organisation() {
        let got = names("The Zorvath Relief Foundation said it had sent food to the camps.");
        assert!(
            got.iter()
                .any(|(n, k)| n.contains("Zorvath") && *k == NerKind::Org),
            "{got:?}"
        );
    }

    #[test]
    fn a_nationality_is_not_a_place() {
        let got = names("Iraqi officials met British diplomats in Baghdad.");
        assert!(got.contains(&("Iraqi".into(), NerKind::Norp)), "{got:?}");
        assert!(got.contains(&("Baghdad".into(), NerKind::Gpe)), "{got:?}");
    }
}
