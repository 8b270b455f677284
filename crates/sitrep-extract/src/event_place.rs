//! Learned event sites: where an event told without a place of its own happened, chosen among
//! the report's place mentions.
//!
//! A coder's note names its place once, in the lead ("On 8 January, 400 persons demonstrated in
//! Lyon."), and the clause an event is read from often names none ("They called for..."). One
//! ranking model (`models/sites.slm`, trained by `sitrep train sites` on ACLED's notes, a
//! mention right when it resolves within 25 km of the coder's location) learns to score each
//! place mention against a constant "no site" candidate; at run time the best place mention is
//! the site, as a coder always codes one. It reads the words before and after it, its
//! kind, its sentence and order, where it lies from the event, whether it is a dateline or
//! stands for a government, and how near the report's other places lie. [`features`] is the one
//! feature function, shared by the trainer and the extractor.

use crate::mentions::{Recognized, Referent};
use sitrep_gazetteer::{distance_km, Place};
use sitrep_learn::{rank, Features, Model};
use sitrep_model::{Family, Span};
use sitrep_text::Document;
use std::sync::OnceLock;

/// The embedded model, loaded once; `None` when the file is empty or unreadable (events
/// without a place then stay so).
pub fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(include_bytes!("../models/sites.slm")).ok())
        .as_ref()
}

/// Place mentions read as candidates, at most: the first of a report (where a note names its
/// place), so that the features of each, which compare it with the others, stay linear in the
/// report's length.
pub const MAX_CANDIDATES: usize = 64;

/// A place mention that may be an event's site.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Index into [`Recognized::mentions`].
    pub mention: usize,
    pub place: Place,
    /// The name stands for a government ("Kyiv said").
    pub metonymic: bool,
}

/// The place mentions of a report that may be event sites: places, and states' names that act
/// (read as a feature), outside people's titles and outside tokens `masked` rejects; the first
/// [`MAX_CANDIDATES`].
pub fn candidates(rec: &Recognized, masked: impl Fn(usize) -> bool) -> Vec<Candidate> {
    let titles: Vec<Span> = rec.persons.iter().filter_map(|p| p.title_span).collect();
    let mut out = Vec::new();
    for (i, m) in rec.mentions.iter().enumerate() {
        let (place, metonymic) = match (&m.referent, m.place) {
            (Referent::Place(p), _) => (*p, false),
            (_, Some(p)) => (p, true),
            _ => continue,
        };
        if masked(m.first) || titles.iter().any(|t| t.contains(m.span)) {
            continue;
        }
        out.push(Candidate {
            mention: i,
            place,
            metonymic,
        });
        if out.len() == MAX_CANDIDATES {
            break;
        }
    }
    out
}

/// The features of the constant "no site" candidate.
pub fn none_features(family: Family) -> Vec<u32> {
    let mut f = Features::new();
    f.flag("none");
    f.add("none-fam", family.as_str());
    f.into_ids()
}

/// The features of every candidate that do not depend on the event, computed once a report.
pub fn report_features(rec: &Recognized, cands: &[Candidate]) -> Vec<Vec<u32>> {
    (0..cands.len()).map(|i| fixed(rec, cands, i)).collect()
}

/// The feature ids of candidate `i` as the site of an event of `family` read from `event`:
/// `fixed` (its [`report_features`]) and where it lies from the event.
pub fn features(
    doc: &Document,
    rec: &Recognized,
    cand: &Candidate,
    fixed: &[u32],
    family: Family,
    event: Span,
) -> Vec<u32> {
    let m = &rec.mentions[cand.mention];
    let kind = cand.place.kind();
    let mut f = Features::new();
    fixed.iter().for_each(|&id| f.push(id));
    f.add2("fam-kind", family.as_str(), kind);
    let rel = relation(m.span, m.sentence, event, sentence_of(doc, event));
    f.add("rel", rel);
    f.add2("rel-kind", rel, kind);
    f.add2("rel-sent", rel, bucket(m.sentence, 3));
    f.into_ids()
}

/// Features of candidate `i` that do not depend on the event: its words, kind, sentence and
/// order, and the report's other places.
fn fixed(rec: &Recognized, cands: &[Candidate], i: usize) -> Vec<u32> {
    let c = &cands[i];
    let m = &rec.mentions[c.mention];
    let kind = c.place.kind();
    let word = |k: Option<usize>| k.and_then(|k| rec.low.get(k)).map_or("^", String::as_str);
    let (prev, prev2) = (word(m.first.checked_sub(1)), word(m.first.checked_sub(2)));
    let next = rec.low.get(m.end).map_or("$", String::as_str);
    let mut f = Features::new();
    f.flag("bias");
    f.add("kind", kind);
    f.add("prev", prev);
    f.add2("prev-kind", prev, kind);
    f.add2("prev2", prev2, prev);
    f.add("next", next);
    f.add2("next-kind", next, kind);
    f.add2("prev-next", prev, next);
    f.add2("sent-kind", bucket(m.sentence, 3), kind);
    f.add2("order-kind", bucket(i, 3), kind);
    let same_kind = cands[..i].iter().filter(|q| q.place.kind() == kind).count();
    f.add2("kind-order", kind, bucket(same_kind, 2));
    if m.dateline {
        f.add("dateline", kind);
    }
    if c.metonymic {
        f.add("meto", kind);
        f.add2("meto-next", next, kind);
    }
    neighbours(&mut f, cands, i, kind);
    f.into_ids()
}

/// Features of the report's other places: repeats of the same place, the nearest other place,
/// and whether a finer place lies near this one or this one inside a coarser one.
fn neighbours(f: &mut Features, cands: &[Candidate], i: usize, kind: &str) {
    let p = &cands[i].place;
    let others = cands
        .iter()
        .enumerate()
        .filter(|(j, q)| *j != i && q.place.geonameid != p.geonameid);
    let mut nearest = f64::INFINITY;
    let (mut finer_near, mut coarser_near) = (false, false);
    for (_, q) in others {
        let d = distance_km(p.lat, p.lon, q.place.lat, q.place.lon);
        nearest = nearest.min(d);
        let (a, b) = (rank_of(p.kind()), rank_of(q.place.kind()));
        finer_near |= b > a && d < 100.0;
        coarser_near |= b < a && q.place.country == p.country;
    }
    let near = match nearest {
        d if d.is_infinite() => "alone",
        d if d < 25.0 => "25",
        d if d < 100.0 => "100",
        d if d < 500.0 => "500",
        _ => "far",
    };
    f.add2("nearest-kind", near, kind);
    f.add2("finer-near", if finer_near { "y" } else { "n" }, kind);
    f.add2("coarser", if coarser_near { "y" } else { "n" }, kind);
    let repeats = cands
        .iter()
        .filter(|q| q.place.geonameid == p.geonameid)
        .count();
    f.add2("repeats-kind", bucket(repeats - 1, 2), kind);
}

/// How fine a kind of place is: countries 0 to settlements and features 3.
fn rank_of(kind: &str) -> u8 {
    match kind {
        "country" => 0,
        "admin1" => 1,
        "admin2" => 2,
        _ => 3,
    }
}

/// `n` as a feature value, capped at `max` ("3+").
fn bucket(n: usize, max: usize) -> &'static str {
    const V: [&str; 5] = ["0", "1", "2", "3", "4"];
    if n >= max {
        ["0+", "1+", "2+", "3+", "4+"][max.min(4)]
    } else {
        V[n]
    }
}

/// The sentence holding the start of `span`.
fn sentence_of(doc: &Document, span: Span) -> usize {
    doc.sentences
        .partition_point(|s| s.span.end <= span.start)
        .min(doc.sentences.len().saturating_sub(1))
}

/// Where a mention lies from the event's evidence (in sentence `ev_sent`): inside it, earlier
/// or later in its sentence, or in an earlier or later sentence.
fn relation(at: Span, sentence: usize, event: Span, ev_sent: usize) -> &'static str {
    if event.contains(at) {
        return "inside";
    }
    match (at.start < event.start, sentence == ev_sent) {
        (true, true) => "before-same",
        (false, true) => "after-same",
        (true, false) => "before",
        (false, false) => "after",
    }
}

/// Whether the model speaks for events of `family`: ACLED codes no diplomacy, so the model has
/// learnt nothing of where talks and statements happen.
pub fn sited(family: Family) -> bool {
    family != Family::Diplomacy
}

/// The candidate chosen as the site of an event of `family` read from `event`: the best place
/// mention, whatever the "no site" candidate scores, as a coder always codes a place (measured
/// by `sitrep train sites`: 51.7 % of unplaced first events within 25 km with "no site" allowed,
/// 56.1 % without, cross-validated by country). `fixed` holds the candidates'
/// [`report_features`].
pub fn choose(
    model: &Model,
    doc: &Document,
    rec: &Recognized,
    cands: &[Candidate],
    fixed: &[Vec<u32>],
    family: Family,
    event: Span,
) -> Option<usize> {
    if cands.is_empty() || !sited(family) {
        return None;
    }
    let ids: Vec<Vec<u32>> = cands
        .iter()
        .zip(fixed)
        .map(|(c, f)| features(doc, rec, c, f, family, event))
        .collect();
    rank::best(model, ids.iter().map(Vec::as_slice)).map(|(best, _)| best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diplomacy_is_never_given_a_site() {
        assert!(!sited(Family::Diplomacy));
        assert!(sited(Family::Protests));
    }

    #[test]
    fn buckets_cap_at_their_maximum() {
        assert_eq!(bucket(1, 3), "1");
        assert_eq!(bucket(7, 3), "3+");
    }

    #[test]
    fn a_place_in_an_earlier_sentence_lies_before_the_event() {
        let doc = Document::new("Crowds gathered in Dijon. They called for change.".into());
        let event = doc.sentences[1].span;
        let at = Span::new(19, 24);
        assert_eq!(sentence_of(&doc, event), 1);
        assert_eq!(relation(at, 0, event, 1), "before");
        assert_eq!(relation(at, 0, doc.sentences[0].span, 0), "inside");
    }

    #[test]
    fn an_unplaced_event_takes_a_place_of_the_report() {
        // A coder always codes a place: the report's place mention, never "no site".
        let doc = Document::new(
            "On 8 January, 400 persons demonstrated in Lyon. They called for change.".into(),
        );
        let rec = crate::mentions::recognize(
            &doc,
            crate::lexicon::Lexicon::global(),
            sitrep_gazetteer::Gazetteer::global(),
        );
        let cands = candidates(&rec, |_| false);
        assert!(!cands.is_empty(), "Lyon is a place mention");
        let fixed = report_features(&rec, &cands);
        let model = model().expect("models/sites.slm loads");
        let event = doc.sentences[1].span;
        let site = choose(model, &doc, &rec, &cands, &fixed, Family::Protests, event);
        assert_eq!(site.map(|i| cands[i].place.name), Some("Lyon"));
        let talks = choose(model, &doc, &rec, &cands, &fixed, Family::Diplomacy, event);
        assert_eq!(talks, None);
    }

    #[test]
    fn finer_ranks_above_coarser() {
        assert!(rank_of("settlement") > rank_of("admin1"));
        assert!(rank_of("admin2") > rank_of("country"));
    }
}
