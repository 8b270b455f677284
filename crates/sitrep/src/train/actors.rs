//! `sitrep train actors`: ACLED's actor type (`inter`) of every event actor.
//!
//! Reads `acled-2022.dev.jsonl`: each note with its coder's `actor1`/`inter1` and
//! `actor2`/`inter2`. The note is extracted as at run time, and each actor the extractor finds
//! is aligned with the coder's actor it agrees with (see [`agreement`]: a shared distinctive
//! name word, or the same sort of actor of the same country); it takes that actor's code as its
//! label. Actors that agree with neither, or with both under different codes, are not trained on;
//! their counts are printed.
//!
//! Scores: 5-fold cross-validation grouped by country (no country's notes are both trained and
//! tested on), per inter code, beside the name rule the ACLED export used before; and end to
//! end on the held-out notes, whether an initiator of a note's first event has the coder's
//! `inter1`, and whether the first event's initiator and target codes are the coder's pair.

use super::TrainArgs;
use anyhow::{Context as _, Result};
use rayon::prelude::*;
use sitrep_extract::actor_types::{self, Context, DEFAULTS, LABELS};
use sitrep_extract::lexicon::Lexicon;
use sitrep_extract::{events, mentions, quotes};
use sitrep_gazetteer::Gazetteer;
use sitrep_learn::metrics::{folds, Report};
use sitrep_learn::{Example, Model, TrainOptions};
use sitrep_model::{ActorKind, Event, EventActor, Role};
use sitrep_text::Document;
use std::collections::HashMap;
use std::time::Instant;

use super::acled::{Record, Row};

const FOLDS: usize = 5;
const SEED: u64 = 15;
/// Share of an unnamed initiator's features dropped in each pass.
const DEFAULT_DROPOUT: f32 = 0.2;

fn opts() -> TrainOptions {
    TrainOptions::seeded(SEED)
}

/// What sort of actor a name is, as far as alignment needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    StateForces,
    Crowd,
    Other,
}

/// One of the coder's actors.
#[derive(Debug)]
struct Coded {
    name: String,
    inter: u8,
    country: Option<String>,
    class: Class,
    /// ACLED's `actor1` (else `actor2`).
    first: bool,
}

/// One extracted actor of a note.
struct Sample {
    ids: Vec<u32>,
    /// The aligned code's label index.
    label: Option<usize>,
    /// The name rule's code (the ACLED export's before the model).
    rule: Option<u8>,
    role: Role,
    kind: ActorKind,
    /// [`actor_types::home`]: at home, abroad, or not known.
    home: &'static str,
    country: Option<String>,
    /// The actor belongs to the note's first event.
    first: bool,
}

/// An event that names no initiator: the coder's generic initiator and the actor words'.
struct DefaultSample {
    ids: Vec<u32>,
    /// Index in `DEFAULTS` of the coder's initiator.
    label: usize,
    /// Index in `DEFAULTS` of the extractor's own (the actor words', or the embedded model's).
    rule: usize,
}

/// One note.
struct Note {
    country: String,
    inter1: Option<u8>,
    inter2: Option<u8>,
    /// The gold initiator's country (from ACLED's actor1).
    initiator_country: Option<String>,
    samples: Vec<Sample>,
    /// The first event, when it names no initiator: its default-model sample.
    default: Option<DefaultSample>,
    /// The first event's family is the coder's (as `sitrep eval` matches events).
    family_ok: bool,
    text: String,
}

/// ACLED's generic names by what they are: "Military Forces of X", "Police Forces of X",
/// "Government of X" are a state's; protesters, rioters and civilians are crowds.
fn class_of(name: &str) -> Class {
    let state = ["Military Forces", "Police Forces", "Government of"];
    let crowd = ["Protesters", "Rioters", "Civilians"];
    if state.iter().any(|p| name.starts_with(p)) {
        Class::StateForces
    } else if crowd.iter().any(|p| name.starts_with(p)) {
        Class::Crowd
    } else {
        Class::Other
    }
}

/// The class of an extracted actor: a generic one (no mention) by its ACLED-style name, a named
/// one by its dictionary kind.
fn extracted_class(a: &EventActor) -> Class {
    use sitrep_model::ActorKind::*;
    if a.mention.is_none() {
        return class_of(&a.name);
    }
    match a.kind {
        State | Military | GovernmentBody => Class::StateForces,
        Civilians => Class::Crowd,
        _ => Class::Other,
    }
}

/// Country names (and their other names) to ISO codes, from the gazetteer's country table.
fn country_codes() -> &'static HashMap<String, String> {
    static T: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for l in include_str!("../../../../data/gazetteer/countries.tsv")
            .lines()
            .skip(1)
        {
            let f: Vec<&str> = l.split('\t').collect();
            let (Some(code), Some(name)) = (f.first(), f.get(2)) else {
                continue;
            };
            let alt = f.get(9).copied().unwrap_or("");
            for n in std::iter::once(*name).chain(alt.split('|')) {
                m.insert(n.trim().to_lowercase(), code.to_string());
            }
        }
        m
    })
}

/// The country an ACLED actor's name gives: "Military Forces of Russia (2000-)", "Protesters
/// (Bolivia)", "Police Forces of the Democratic Republic of Congo (2019-)".
fn country_of(name: &str) -> Option<String> {
    let table = country_codes();
    let look = |s: &str| {
        let s = s.trim().to_lowercase();
        let s = s.strip_prefix("the ").unwrap_or(&s).to_string();
        table
            .get(&s)
            .or_else(|| table.get(&s.replace("democratic republic of congo", "dr congo")))
            .cloned()
    };
    let of = name
        .split_once(" of ")
        .map(|(_, rest)| rest.split(" (").next().unwrap_or(rest));
    let bracketed = name
        .split('(')
        .skip(1)
        .map(|s| s.split(')').next().unwrap_or(s));
    of.into_iter().chain(bracketed).find_map(look)
}

/// Words of a name that tell one actor from another: not the words of generic names, nor
/// countries' names (the country is compared on its own), nor what is in brackets.
fn distinctive(name: &str) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "forces",
        "military",
        "police",
        "the",
        "and",
        "group",
        "armed",
        "unidentified",
        "militia",
        "government",
        "protesters",
        "rioters",
        "civilians",
        "state",
        "national",
        "army",
        "front",
        "people",
        "force",
        "republic",
        "democratic",
        "islamic",
        "movement",
    ];
    let bare = name.split('(').next().unwrap_or(name);
    bare.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !GENERIC.contains(&w.as_str()) && !country_codes().contains_key(w))
        .collect()
}

/// How strongly an extracted actor agrees with a coder's: 3 when they share a distinctive name
/// word (and no country says otherwise), 2 when they are the same sort of actor of the same
/// country (or of no country, for groups and crowds), else none.
fn agreement(a: &EventActor, g: &Coded) -> Option<u8> {
    let country_ok = g.country.is_none() || a.country.is_none() || a.country == g.country;
    if !country_ok {
        return None;
    }
    let words = distinctive(&g.name);
    if distinctive(&a.name).iter().any(|w| words.contains(w)) {
        return Some(3);
    }
    let class = extracted_class(a);
    let same_country = a.country.is_some() && a.country == g.country;
    match class {
        _ if class != g.class => None,
        Class::StateForces if !same_country => None,
        _ => Some(2),
    }
}

/// The label of an extracted actor: the code of the coder's actor it agrees with best; between
/// two that agree equally, an initiator takes `actor1`'s and any other actor `actor2`'s (ACLED
/// lists the side that acted first more often than not).
fn align(a: &EventActor, coded: &[Coded]) -> Option<usize> {
    let initiator = a.role == Role::Initiator;
    coded
        .iter()
        .filter_map(|g| agreement(a, g).map(|s| ((s, g.first == initiator), g.inter)))
        .max_by_key(|x| x.0)
        .filter(|x| (1..=8).contains(&x.1))
        .map(|x| x.1 as usize - 1)
}

fn coded_actors(r: &Record) -> Vec<Coded> {
    let Some(a) = &r.acled else {
        return Vec::new();
    };
    let first_country = r.events.first().and_then(|e| e.initiator_country.clone());
    let mut out = Vec::new();
    for (name, inter, known, first) in [
        (&a.actor1, a.inter1, first_country, true),
        (&a.actor2, a.inter2, None, false),
    ] {
        if let (Some(name), Some(inter)) = (name, inter.filter(|i| *i > 0)) {
            out.push(Coded {
                name: name.clone(),
                inter,
                country: known.or_else(|| country_of(name)),
                class: class_of(name),
                first,
            });
        }
    }
    out
}

fn read_note(line: &str, lex: &Lexicon, gaz: &Gazetteer) -> Result<Note> {
    let r: Record = serde_json::from_str(line).context("an ACLED record")?;
    let coded = coded_actors(&r);
    let published = r
        .published
        .as_deref()
        .and_then(sitrep_text::timex::parse_date);
    let doc = Document::new(r.text.clone());
    let rec = mentions::recognize(&doc, lex, gaz);
    let quoted = quotes::find(&doc, lex, &rec);
    let out = events::extract_events(&doc, lex, &rec, &quoted, published);
    let ctx = Context {
        doc: &doc,
        lex,
        rec: &rec,
    };
    let first = (0..out.events.len())
        .min_by_key(|&i| out.events[i].evidence.first().map_or(u32::MAX, |v| v.start));
    let family_ok = first.is_some_and(|i| {
        r.events
            .first()
            .is_some_and(|g| g.family == out.events[i].family.as_str())
    });
    let mut samples = Vec::new();
    for (i, e) in out.events.iter().enumerate() {
        if !actor_types::typed(e) {
            continue;
        }
        let place = e.locations.first().and_then(|l| l.country.as_deref());
        for a in &e.actors {
            samples.push(Sample {
                ids: actor_types::features(&ctx, e, a),
                label: align(a, &coded),
                rule: crate::store_cmd::inter_code(&a.name, a.country.as_deref(), place),
                role: a.role,
                kind: a.kind,
                home: actor_types::home(e, a),
                country: a.country.clone(),
                first: Some(i) == first,
            });
        }
    }
    let acled = r.acled.as_ref();
    let default = first.and_then(|i| default_sample(&ctx, &out.events[i], acled));
    Ok(Note {
        country: acled.and_then(|a| a.country.clone()).unwrap_or_default(),
        inter1: acled.and_then(|a| a.inter1),
        inter2: acled.and_then(|a| a.inter2),
        initiator_country: r.events.first().and_then(|e| e.initiator_country.clone()),
        samples,
        default,
        family_ok,
        text: r.text,
    })
}

/// The default label of a generic actor's name ("Military Forces of Kenya", "Rioters (India)").
fn generic_label(name: &str) -> Option<usize> {
    let prefixes = [
        ("Military Forces", "military"),
        ("Police Forces", "police"),
        ("Unidentified Armed Group", "uag"),
        ("Rioters", "rioters"),
        ("Protesters", "protesters"),
    ];
    let (_, l) = prefixes.iter().find(|(p, _)| name.starts_with(p))?;
    DEFAULTS.iter().position(|d| d == l)
}

/// The generic initiator ACLED would have coded for a note whose `actor1` is `name`: its own
/// generic actor when it is of the event's country, else by `inter1` (a named state agency is
/// the military, a named armed group an unidentified one); foreign forces are no one's default.
fn coder_default(name: &str, inter1: u8, event_cc: &str) -> usize {
    let foreign = country_of(name).is_some_and(|c| c != event_cc);
    let by_inter = match inter1 {
        1 => "military",
        2..=4 => "uag",
        5 => "rioters",
        6 => "protesters",
        _ => "none",
    };
    let label = match generic_label(name) {
        _ if foreign || inter1 == 8 => 0,
        Some(l) => l,
        None => DEFAULTS.iter().position(|d| *d == by_inter).unwrap_or(0),
    };
    label
}

/// The default-model sample of an event that names no initiator, placed in a country.
fn default_sample(c: &Context, e: &Event, acled: Option<&Row>) -> Option<DefaultSample> {
    let cc = e.locations.first().and_then(|l| l.country.as_deref())?;
    let inits: Vec<&EventActor> = e
        .actors
        .iter()
        .filter(|a| a.role == Role::Initiator)
        .collect();
    if !actor_types::defaulted(e.family) || inits.iter().any(|a| a.mention.is_some()) {
        return None;
    }
    let a = acled?;
    let label = coder_default(a.actor1.as_deref()?, a.inter1?, cc);
    let rule = inits
        .iter()
        .find_map(|a| generic_label(&a.name))
        .unwrap_or(0);
    let ids = actor_types::default_features(
        c,
        e.family,
        e.event_type,
        cc,
        e.evidence
            .first()
            .map(|v| sitrep_model::Span::new(v.start as usize, v.end as usize)),
    );
    Some(DefaultSample { ids, label, rule })
}

/// Cross-validated accuracy of the default model (folds grouped by country) beside the
/// extractor's own choice, and of the two combined at several confidences.
fn cross_validate_defaults(notes: &[Note], k: usize) {
    let with: Vec<&Note> = notes.iter().filter(|n| n.default.is_some()).collect();
    let mut countries: Vec<&str> = with.iter().map(|n| n.country.as_str()).collect();
    countries.sort();
    countries.dedup();
    let fold_of_country = folds(countries.len(), k, 1, SEED);
    let fold =
        |n: &Note| fold_of_country[countries.binary_search(&n.country.as_str()).unwrap_or(0)];
    let out: Vec<Vec<(usize, usize, usize, f32)>> = (0..k)
        .into_par_iter()
        .map(|f| {
            let model = train_defaults(with.iter().copied().filter(|n| fold(n) != f));
            with.iter()
                .filter(|n| fold(n) == f)
                .filter_map(|n| n.default.as_ref())
                .map(|d| {
                    let best = model.predict(&d.ids);
                    let p = [actor_types::margin(&model.scores(&d.ids))];
                    let best_label = DEFAULTS
                        .iter()
                        .position(|x| *x == model.labels()[best])
                        .unwrap_or(0);
                    (d.label, d.rule, best_label, p[0])
                })
                .collect()
        })
        .collect();
    let all: Vec<(usize, usize, usize, f32)> = out.into_iter().flatten().collect();
    let n = all.len();
    let acc = |hits: usize| pct((hits, n));
    say!("unnamed initiators ({n} first events naming none), {k}-fold CV grouped by country:");
    // With a default model embedded, the extractor's own choice includes it (in-sample):
    // measure the words alone with an empty `models/actor_defaults.slm`.
    say!(
        "  extractor's own (actor words)          {}",
        acc(all.iter().filter(|x| x.0 == x.1).count())
    );
    // Events the words give to no crowd: where the default is a judgement.
    let crowd = |l: usize| DEFAULTS[l] == "protesters" || DEFAULTS[l] == "rioters";
    let armed = all.iter().filter(|x| !crowd(x.1)).count();
    let mut margins: Vec<f32> = all.iter().map(|x| x.3).collect();
    margins.sort_by(f32::total_cmp);
    let quantiles = (0..10).map(|q| margins.get(q * n / 10).copied().unwrap_or(0.0));
    for t in quantiles.chain([f32::INFINITY, actor_types::DEFAULT_CONFIDENCE]) {
        let pick = |x: &&(usize, usize, usize, f32)| x.0 == if x.3 >= t { x.2 } else { x.1 };
        let hits = all.iter().filter(pick).count();
        let fill =
            |x: &&(usize, usize, usize, f32)| x.0 == if x.1 == 0 && x.3 >= t { x.2 } else { x.1 };
        let filled = all.iter().filter(fill).count();
        let armed_hits = all.iter().filter(|x| !crowd(x.1)).filter(pick).count();
        say!(
            "  model where margin >= {t:8.2}  {}   not a crowd by the words: {}   only where the words name none: {}",
            acc(hits),
            pct((armed_hits, armed)),
            acc(filled)
        );
    }
    let mut r = Report::default();
    for x in &all {
        let fill = x.1 == 0 && x.3 >= actor_types::DEFAULT_CONFIDENCE;
        r.classified(DEFAULTS[x.0], DEFAULTS[if fill { x.2 } else { x.1 }]);
    }
    say!("  per label, the model filling in where the words name none (as the extractor does):");
    for line in r.to_string().lines() {
        say!("    {line}");
    }
}

fn train_defaults<'a>(notes: impl Iterator<Item = &'a Note>) -> Model {
    let train: Vec<Example> = notes
        .filter_map(|n| n.default.as_ref())
        .map(|d| Example {
            ids: d.ids.clone(),
            label: d.label,
        })
        .collect();
    let labels = DEFAULTS.iter().map(|s| s.to_string()).collect();
    sitrep_learn::train_dropout(&train, labels, opts(), DEFAULT_DROPOUT)
}

/// Scores of one way of typing (the model or the name rule) on held-out notes.
#[derive(Default)]
struct Tally {
    /// Per code over aligned actors.
    report: Report,
    /// Notes with `inter1`: some initiator of the first event has it.
    initiator: (usize, usize),
    /// Notes with `inter1` and an initiator country: some initiator has both.
    kind_country: (usize, usize),
    /// The same over notes whose first event has the coder's family.
    initiator_family_ok: (usize, usize),
    /// The same by `inter1`.
    initiator_by_code: std::collections::BTreeMap<u8, (usize, usize)>,
    /// The first event's (initiator, target or 0) codes are the coder's pair.
    pair: (usize, usize),
}

fn code_name(c: Option<u8>) -> String {
    c.map_or("none".into(), |c| c.to_string())
}

fn score(note: &Note, predicted: &[Option<u8>], t: &mut Tally) {
    for (s, p) in note.samples.iter().zip(predicted) {
        if let Some(l) = s.label {
            t.report.classified(LABELS[l], &code_name(*p));
        }
    }
    let of_first = |role: Role| -> Vec<Option<u8>> {
        note.samples
            .iter()
            .zip(predicted)
            .filter(|(s, _)| s.first && s.role == role)
            .map(|(_, p)| *p)
            .collect()
    };
    if !note.samples.iter().any(|s| s.first) && note.inter1.is_none() {
        return;
    }
    let (inits, targets) = (of_first(Role::Initiator), of_first(Role::Target));
    if let Some(i1) = note.inter1 {
        let hit = inits.contains(&Some(i1));
        for c in [&mut t.initiator, t.initiator_by_code.entry(i1).or_default()] {
            c.1 += 1;
            c.0 += usize::from(hit);
        }
        if let Some(cc) = &note.initiator_country {
            let both = note.samples.iter().zip(predicted).any(|(s, p)| {
                s.first
                    && s.role == Role::Initiator
                    && *p == Some(i1)
                    && s.country.as_ref() == Some(cc)
            });
            t.kind_country.1 += 1;
            t.kind_country.0 += usize::from(both);
        }
        if note.family_ok {
            t.initiator_family_ok.1 += 1;
            t.initiator_family_ok.0 += usize::from(hit);
        }
        if !hit {
            tracing::debug!(
                "initiator missed: {} inter1 {i1} inter2 {:?}: initiators {inits:?} targets {targets:?}: {}",
                note.country,
                note.inter2,
                note.text
            );
        }
        let mut gold = [i1, note.inter2.unwrap_or(0)];
        gold.sort();
        let targets: Vec<u8> = if targets.is_empty() {
            vec![0]
        } else {
            targets.iter().map(|t| t.unwrap_or(0)).collect()
        };
        let hit = inits.iter().flatten().any(|&i| {
            targets.iter().any(|&tg| {
                let mut p = [i, tg];
                p.sort();
                p == gold
            })
        });
        t.pair.1 += 1;
        t.pair.0 += usize::from(hit);
    }
}

fn predict(model: &Model, note: &Note) -> Vec<Option<u8>> {
    note.samples
        .iter()
        .map(|s| actor_types::choose(model, &s.ids, s.kind, s.home))
        .collect()
}

fn examples<'a>(notes: impl Iterator<Item = &'a Note>) -> Vec<Example> {
    notes
        .flat_map(|n| &n.samples)
        .filter_map(|s| {
            s.label.map(|label| Example {
                ids: s.ids.clone(),
                label,
            })
        })
        .collect()
}

fn pct(a: (usize, usize)) -> String {
    format!(
        "{:5.1}% ({}/{})",
        100.0 * a.0 as f64 / a.1.max(1) as f64,
        a.0,
        a.1
    )
}

fn print(title: &str, t: &Tally) {
    say!("{title}");
    say!(
        "  initiator kind (first event has inter1)  {}",
        pct(t.initiator)
    );
    say!(
        "    first event of the coder's family        {}",
        pct(t.initiator_family_ok)
    );
    say!(
        "  initiator kind and country                {}",
        pct(t.kind_country)
    );
    for (code, c) in &t.initiator_by_code {
        say!(
            "    inter1 = {code}                              {}",
            pct(*c)
        );
    }
    say!(
        "  actor pair {{inter1, inter2}}              {}",
        pct(t.pair)
    );
    say!("  per inter code, aligned actors:");
    for line in t.report.to_string().lines() {
        say!("    {line}");
    }
}

/// Cross-validated tallies of the model and of the name rule, folds grouped by country.
fn cross_validate(notes: &[Note], k: usize) -> (Tally, Tally) {
    let mut countries: Vec<&str> = notes.iter().map(|n| n.country.as_str()).collect();
    countries.sort();
    countries.dedup();
    let fold_of_country = folds(countries.len(), k, 1, SEED);
    let fold =
        |n: &Note| fold_of_country[countries.binary_search(&n.country.as_str()).unwrap_or(0)];
    let per_fold: Vec<Vec<(usize, Vec<Option<u8>>)>> = (0..k)
        .into_par_iter()
        .map(|f| {
            let train = examples(notes.iter().filter(|n| fold(n) != f));
            let labels = LABELS.iter().map(|s| s.to_string()).collect();
            let model = sitrep_learn::train(&train, labels, opts());
            (0..notes.len())
                .filter(|&i| fold(&notes[i]) == f)
                .map(|i| (i, predict(&model, &notes[i])))
                .collect()
        })
        .collect();
    let (mut cv, mut rule) = (Tally::default(), Tally::default());
    for (i, p) in per_fold.into_iter().flatten() {
        score(&notes[i], &p, &mut cv);
        let r: Vec<Option<u8>> = notes[i].samples.iter().map(|s| s.rule).collect();
        score(&notes[i], &r, &mut rule);
    }
    (cv, rule)
}

/// Runs `sitrep train actors`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let started = Instant::now();
    let (lex, gaz) = (Lexicon::global(), Gazetteer::global());
    let notes: Vec<Note> = super::acled::read_notes(&args.data, |l| read_note(l, lex, gaz))?;
    let samples: Vec<&Sample> = notes.iter().flat_map(|n| &n.samples).collect();
    let aligned = samples.iter().filter(|s| s.label.is_some()).count();
    say!(
        "{} notes, {} extracted actors: {} aligned with the coder's actor1/actor2 ({:.1} %); read in {:.1}s",
        notes.len(),
        samples.len(),
        aligned,
        100.0 * aligned as f64 / samples.len().max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    let k = if args.folds > 1 { args.folds } else { FOLDS };
    let (cv, rule) = cross_validate(&notes, k);
    print(
        "name rule (the ACLED export's before), on the same notes:",
        &rule,
    );
    print(
        &format!("{k}-fold cross-validation grouped by country:"),
        &cv,
    );
    cross_validate_defaults(&notes, k);
    let labels = LABELS.iter().map(|s| s.to_string()).collect();
    let model = sitrep_learn::train(&examples(notes.iter()), labels, opts());
    let defaults = train_defaults(notes.iter()).to_bytes();
    say!("default model: {} bytes", defaults.len());
    if let Some(out) = super::finish_model(args, "actors", &model, started)? {
        super::write_beside(&out, "actor_defaults.slm", &defaults)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(name: &str, kind: sitrep_model::ActorKind, country: &str, role: Role) -> EventActor {
        EventActor {
            name: name.into(),
            kind,
            country: Some(country.into()),
            role,
            mention: (kind != sitrep_model::ActorKind::Civilians)
                .then(|| sitrep_model::Span::new(0, 1)),
            inter: None,
        }
    }

    fn coded(name: &str, inter: u8, country: &str, first: bool) -> Coded {
        Coded {
            name: name.into(),
            inter,
            country: Some(country.into()),
            class: class_of(name),
            first,
        }
    }

    #[test]
    fn the_coders_default_is_its_generic_actor_at_home_and_none_abroad() {
        let d = |name: &str, inter: u8, cc: &str| DEFAULTS[coder_default(name, inter, cc)];
        assert_eq!(d("Police Forces of Kenya (2022-)", 1, "KE"), "police");
        assert_eq!(d("Military Forces of Russia (2000-)", 8, "UA"), "none");
        assert_eq!(d("Al Shabaab", 2, "SO"), "uag");
        assert_eq!(d("Government of Kenya (2022-)", 1, "KE"), "military");
    }

    #[test]
    fn an_acled_actors_country_is_read_from_its_name() {
        assert_eq!(
            country_of("Military Forces of Russia (2000-)").as_deref(),
            Some("RU")
        );
        assert_eq!(country_of("Protesters (Bolivia)").as_deref(), Some("BO"));
        assert_eq!(country_of("Al Shabaab"), None);
    }

    #[test]
    fn a_state_aligns_with_its_own_forces_not_another_states() {
        use sitrep_model::ActorKind::State;
        let c = vec![
            coded("Military Forces of Russia (2000-)", 8, "RU", true),
            coded("Military Forces of Ukraine (2019-)", 1, "UA", false),
        ];
        let init = Role::Initiator;
        assert_eq!(align(&actor("Russia", State, "RU", init), &c), Some(7));
        assert_eq!(align(&actor("Ukraine", State, "UA", init), &c), Some(0));
        assert_eq!(align(&actor("Poland", State, "PL", init), &c), None);
    }

    #[test]
    fn between_equal_agreements_an_initiator_takes_actor1_and_a_target_actor2() {
        use sitrep_model::ActorKind::Civilians;
        let c = vec![
            coded("Rioters (India)", 5, "IN", true),
            coded("Civilians (India)", 7, "IN", false),
        ];
        let a = actor("Protesters (India)", Civilians, "IN", Role::Initiator);
        assert_eq!(align(&a, &c), Some(4));
        let a = actor("Civilians (India)", Civilians, "IN", Role::Target);
        assert_eq!(align(&a, &c), Some(6));
    }
}
