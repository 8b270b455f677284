//! A place name with no record of its own, read by the place named inside it.
//!
//! News names organisations, buildings and events after their place ("Bank of England",
//! "Colorado State University", "Mexican Senate", "Dubai World Cup"), and GeoWebNews codes such a
//! name with the coordinates of that place. When the whole name has no gazetteer record, the
//! place inside it is the reading: the longest place the recogniser found inside the name, else
//! the longest run of capitalised words inside it that the gazetteer or the actor dictionary
//! knows (a state's demonym included), never a word of a person's name ("Ronald Wilson Reagan
//! Middle"), a lone word that is never a place or a generic word ("Street", "County"), or a
//! short acronym other than a state's ("FC", "NS"); only a place's own name, and the name's last
//! word (its head: "Trump Tower") only as a well-known place. Of the runs no longer one holds, a
//! well-known place first, then the most populous.
//!
//! Given spans (`sitrep geoparse`) always take that reading. In extraction, a name the
//! recogniser lists that the gazetteer lacks takes it only where a learned gate keeps it
//! ([`gate_features`], `models/geo_gate.slm`): about half such readings lie elsewhere ("Collins
//! Avenue" is no street of Collins, Iowa), and a listed name left without coordinates costs less
//! than a wrong one.

use super::{
    candidates_for, count_bucket, distance_bucket, generics, pop_bucket, tokens_of, Query,
};
use crate::lexicon::{actor_key, Lexicon};
use crate::mentions::{self, Mention, Referent};
use sitrep_gazetteer::{distance_km, normalize, Gazetteer, Place};
use sitrep_learn::{Features, Model};
use sitrep_model::ActorKind;
use sitrep_text::{Document, TokenKind};
use std::sync::OnceLock;

/// A run inside a name is at most this many tokens long (as the recogniser's longest place).
const MAX_RUN: usize = 6;

/// What the recogniser found in a report, as token ranges: its places (mentions awaiting
/// their reading and places listed inside other names) and its people's names.
pub struct Known<'a> {
    pub low: &'a [String],
    pub places: Vec<(usize, usize)>,
    pub persons: Vec<(usize, usize)>,
}

impl<'a> Known<'a> {
    /// The places and people of a finished recognition.
    pub fn of(doc: &Document, rec: &'a mentions::Recognized) -> Known<'a> {
        let mentioned = rec
            .mentions
            .iter()
            .filter(|m| matches!(m.referent, Referent::Place(_)))
            .map(|m| (m.first, m.end));
        let listed = rec
            .other_places
            .iter()
            .filter(|(_, p)| p.is_some())
            .filter_map(|(s, _)| tokens_of(doc, s.start as usize, s.end as usize));
        Known {
            low: &rec.low,
            places: mentioned.chain(listed).collect(),
            persons: persons(&rec.mentions),
        }
    }
}

/// The token ranges of the people's names among `mentions`.
pub fn persons(mentions: &[Mention]) -> Vec<(usize, usize)> {
    mentions
        .iter()
        .filter(|m| matches!(m.referent, Referent::Person(_)))
        .map(|m| (m.first, m.end))
        .collect()
}

/// The query for the place named inside tokens `[first, end)`, which have no record as a whole.
pub(super) fn inner_query(
    gaz: &Gazetteer,
    lex: &Lexicon,
    doc: &Document,
    known: &Known<'_>,
    (first, end): (usize, usize),
) -> Option<Query> {
    let whole = (first, end);
    let read = |runs| best_run(gaz, lex, doc, known.low, whole, runs);
    let found = read(recognised_inside(known, whole));
    let (range, candidates) = found.or_else(|| read(runs_inside(doc, lex, known, whole)))?;
    let text = doc.text.get(range_bytes(doc, range)?)?;
    Some(Query {
        first: range.0,
        end: range.1,
        text: text.to_string(),
        candidates,
        cue: false,
    })
}

fn range_bytes(doc: &Document, (a, b): (usize, usize)) -> Option<std::ops::Range<usize>> {
    let start = doc.tokens.get(a)?.span.start as usize;
    let end = doc.tokens.get(b.checked_sub(1)?)?.span.end as usize;
    Some(start..end)
}

/// Token ranges of the places the recogniser found strictly inside tokens `[first, end)`.
fn recognised_inside(known: &Known<'_>, (first, end): (usize, usize)) -> Vec<(usize, usize)> {
    let inside = |&(a, b): &(usize, usize)| first <= a && b <= end && (a, b) != (first, end);
    known.places.iter().copied().filter(inside).collect()
}

/// The embedded gate (`models/geo_gate.slm`, trained by `sitrep train geo`), loaded once;
/// `None` (no reading is kept) if it does not load.
pub fn gate_model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(include_bytes!("../../models/geo_gate.slm")).ok())
        .as_ref()
}

/// The gate's labels, in model order.
pub const GATE_LABELS: [&str; 2] = ["drop", "keep"];

/// Features of the reading `chosen` of query `q`, read inside the name at tokens `whole`
/// for the gate that decides whether the name is placed there: the name's head word
/// ("Council" keeps its town, "Avenue" or "Hospital" lies elsewhere in it), where the place
/// lies in the name and how much of it it is, what the reading is and how ambiguous, and how
/// near it lies to the report's other places (`others`: their readings).
pub fn gate_features(
    low: &[String],
    whole: (usize, usize),
    (q, chosen): (&Query, &Place),
    others: &[Place],
) -> Vec<u32> {
    let mut f = Features::new();
    f.flag("bias");
    let near = others
        .iter()
        .map(|o| distance_km(o.lat, o.lon, chosen.lat, chosen.lon))
        .min_by(f64::total_cmp);
    let near = near.map_or("none", distance_bucket);
    let same_country = others
        .iter()
        .filter(|o| o.country == chosen.country)
        .count();
    let share = match (same_country, others.len()) {
        (_, 0) => "none",
        (0, _) => "0",
        (s, n) if 2 * s < n => "lo",
        _ => "hi",
    };
    f.add2("near-kind", near, chosen.kind());
    f.add("country-share", share);
    let head = low
        .get(whole.1.saturating_sub(1))
        .map_or("", String::as_str);
    let pos = match (q.first == whole.0, q.end == whole.1) {
        (true, _) => "start",
        (_, true) => "end",
        _ => "middle",
    };
    let rest = (whole.1 - whole.0).saturating_sub(q.end - q.first).min(3);
    let after_of = q.first > 0 && low.get(q.first - 1).is_some_and(|w| w == "of");
    let kind = chosen.kind();
    f.add("head", head);
    f.add2("head-kind", head, kind);
    f.add("pos", pos);
    f.add2("pos-rest", pos, &rest.to_string());
    f.add("of", if after_of { "y" } else { "n" });
    f.add("kind", kind);
    f.add2("kind-pop", kind, &pop_bucket(chosen.population).to_string());
    f.add2("kind-ncand", kind, count_bucket(q.candidates.len()));
    f.into_ids()
}

/// Whether the gate keeps a reading with features `ids` (never without a gate).
pub fn gate_keeps(model: Option<&Model>, ids: &[u32]) -> bool {
    model.is_some_and(|m| {
        let s = m.scores(ids);
        s.len() == 2 && s[1] > s[0]
    })
}

/// Runs of capitalised words inside tokens `[first, end)`, never the whole, none holding a
/// person's name: each starts and ends with a capitalised word, with only connectors between
/// ("Isle of Man").
fn runs_inside(
    doc: &Document,
    lex: &Lexicon,
    known: &Known<'_>,
    (first, end): (usize, usize),
) -> Vec<(usize, usize)> {
    // A person's name inside (not the whole name, which the caller says is a place's).
    let person = |k: usize| {
        known
            .persons
            .iter()
            .any(|&(a, b)| a <= k && k < b && first <= a && b <= end && (a, b) != (first, end))
    };
    let word = |k: usize| doc.tokens[k].kind == TokenKind::Word && !person(k);
    let cap = |k: usize| word(k) && mentions::is_cap(doc.tok(k));
    let connector = |k: usize| word(k) && mentions::is_connector(&known.low[k]);
    let mut out = Vec::new();
    for a in (first..end).filter(|&a| cap(a)) {
        for b in a + 1..=end.min(a + MAX_RUN) {
            let last = b - 1;
            if last > a && !(cap(last) || connector(last)) {
                break;
            }
            if cap(last) && (a, b) != (first, end) && (b > a + 1 || lone_word_ok(doc, lex, a)) {
                out.push((a, b));
            }
        }
    }
    out
}

/// A capitalised word alone names a place inside a name unless it is never a place on its own
/// (a stopword, a generic word: "The", "County") or a short acronym that is no state's ("FC").
fn lone_word_ok(doc: &Document, lex: &Lexicon, k: usize) -> bool {
    let t = doc.tok(k);
    if lex.not_places.contains(t) || generics().contains_key(t.to_lowercase().as_str()) {
        return false;
    }
    let short = t.chars().filter(|c| c.is_alphabetic()).count() <= 3;
    let caps = !t.chars().any(char::is_lowercase);
    if short && caps {
        let key = actor_key(t);
        let state = lex.actor_phrases.get(std::slice::from_ref(&key));
        return state.is_some_and(|&(a, _)| lex.actors[a].kind == ActorKind::State);
    }
    true
}

/// The reading of `runs` inside tokens `whole`: of the runs with candidates that no longer one
/// holds ("West Virginia", not "Virginia"), a well-known place before another, then the most
/// populous ("Seoul" in "Seoul Central District Court").
fn best_run(
    gaz: &Gazetteer,
    lex: &Lexicon,
    doc: &Document,
    low: &[String],
    whole: (usize, usize),
    runs: Vec<(usize, usize)>,
) -> Option<((usize, usize), Vec<Place>)> {
    let read: Vec<_> = runs
        .into_iter()
        .filter_map(|r| run_reading(gaz, lex, doc, low, whole, r))
        .collect();
    let held = |r: (usize, usize)| {
        read.iter()
            .any(|(o, ..)| *o != r && o.0 <= r.0 && r.1 <= o.1)
    };
    read.iter()
        .filter(|(r, ..)| !held(*r))
        .max_by_key(|(r, c, known)| {
            let pop = c.iter().map(|p| p.population).max().unwrap_or(0);
            (*known, pop, std::cmp::Reverse(r.0))
        })
        .map(|(r, c, _)| (*r, c.clone()))
}

/// The candidates of run `r` inside `whole` named by their own name (not "Park" for a town one
/// of whose other names it is), and whether one is well known (a country, a region, a capital,
/// a city). The name's last word alone, its head ("Holy Redeemer Church", "Trump Tower"), is
/// read only as a well-known place, after "of" ("Bank of England") or after a generic word
/// ("Lake Manassas").
fn run_reading(
    gaz: &Gazetteer,
    lex: &Lexicon,
    doc: &Document,
    low: &[String],
    whole: (usize, usize),
    r: (usize, usize),
) -> Option<((usize, usize), Vec<Place>, bool)> {
    let text = doc.text.get(range_bytes(doc, r)?)?;
    let key = normalize(text);
    let mut cands = candidates_for(gaz, lex, doc, r, text);
    // A state's name or demonym, a continent's or a region's adjective: read as it.
    let wide = |p: &Place| matches!(p.code, "PCLI" | "CONT" | "RGN");
    let named = |p: &Place| wide(p) || mentions::own_name(p, &key);
    cands.retain(named);
    let known = cands
        .iter()
        .any(|p| mentions::well_known(p, &key) || wide(p));
    let head = r.1 == whole.1 && r.0 + 1 == r.1 && whole.1 - whole.0 >= 2;
    let after_of = r.0 > 0 && low[r.0 - 1] == "of";
    // "Lake Manassas": a generic word first is the head.
    let generic_first = generics().contains_key(low[whole.0].as_str());
    let ok = !cands.is_empty() && (known || !head || after_of || generic_first);
    ok.then_some((r, cands, known))
}

#[cfg(test)]
mod tests {
    use super::super::resolve_spans;
    use sitrep_text::Document;

    fn resolve(text: &str, names: &[&str]) -> Vec<Option<(&'static str, &'static str)>> {
        let doc = Document::new(text.to_string());
        let spans: Vec<(usize, usize)> = names
            .iter()
            .map(|s| {
                let i = text.find(s).expect("in the text");
                (i, i + s.len())
            })
            .collect();
        let got = resolve_spans(&doc, &spans);
        got.iter().map(|p| p.map(|p| (p.code, p.country))).collect()
    }

    #[test]
    fn a_name_without_a_record_is_read_by_the_place_inside_it() {
        let text = "Officials at the Bank of Japan and the Mexican Senate spoke, and students \
                    at Colorado State University marched.";
        let got = resolve(
            text,
            &[
                "Bank of Japan",
                "Mexican Senate",
                "Colorado State University",
            ],
        );
        assert_eq!(got[0], Some(("PCLI", "JP")));
        assert_eq!(got[1], Some(("PCLI", "MX")));
        assert_eq!(got[2], Some(("ADM1", "US")));
    }

    #[test]
    fn without_a_gate_no_inner_reading_is_kept_and_the_embedded_gate_loads() {
        assert!(!super::gate_keeps(None, &[1, 2, 3]));
        assert!(
            super::gate_model().is_some(),
            "models/geo_gate.slm does not load"
        );
    }

    /// The places of an extraction: (name, has coordinates).
    fn extracted_places(text: &str) -> Vec<(String, bool)> {
        let x = crate::extract(crate::Input {
            text: text.to_string(),
            ..Default::default()
        });
        x.entities
            .into_iter()
            .filter(|e| e.kind == sitrep_model::EntityKind::Place)
            .map(|e| (e.name, e.lat.is_some()))
            .collect()
    }

    #[test]
    fn extraction_places_an_unknown_name_by_the_place_inside_it_where_the_gate_keeps_it() {
        // A city's council lies in the city; a street named like a small town does not.
        let got = extracted_places("Members of the Harare City Council met in the evening.");
        assert_eq!(got, vec![("Harare".to_string(), true)]);
        let got = extracted_places("Traffic was stopped on Collins Avenue for hours.");
        assert_eq!(got, vec![("Collins Avenue".to_string(), false)]);
    }

    #[test]
    fn a_persons_name_or_an_acronym_inside_a_name_is_no_place() {
        let text = "Senator Ronald Wilson spoke on Monday. Pupils at the Ronald Wilson Middle School \
                    cheered for Liverpool FC on Saturday, officials in Zxqwv County and BA Zxqwv said.";
        let got = resolve(
            text,
            &[
                "Ronald Wilson Middle School",
                "Liverpool FC",
                "Zxqwv County",
                "BA Zxqwv",
            ],
        );
        assert_eq!(got[0], None, "Wilson is a town, but here a name");
        assert_eq!(got[1].map(|p| p.1), Some("GB"));
        assert_eq!(got[2], None, "a generic word alone is no place");
        assert_eq!(got[3], None, "Ba is a town in Fiji, BA here an acronym");
    }
}
