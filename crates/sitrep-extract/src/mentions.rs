//! Names in the text: who (people, actors, media) and where (places), decided in context.
//!
//! One left-to-right pass proposes a mention at each capitalised token, longest match first,
//! from the known people, the media list, the actor dictionary, person cues and the gazetteer.
//! States and capitals are *actors* unless the context is locative ("in Kyiv", "struck Kyiv").
//! A second pass chooses among a name's gazetteer candidates using the countries the report is
//! about and the places around it.

use crate::lexicon::{actor_key, ActorForm, Lexicon};
use crate::ner::{self, NerKind};
use sitrep_gazetteer::{normalize, Feature, Gazetteer, Place};
use sitrep_model::{ActorKind, Source, Span};
use sitrep_text::{Document, TokenKind};

/// What a mention refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Referent {
    /// A place, resolved to one gazetteer record.
    Place(Place),
    /// An entry of the actor dictionary, and how it was named.
    Actor { actor: usize, form: ActorForm },
    /// A person (index into [`Recognized::persons`]).
    Person(usize),
    /// An organisation outside the actor dictionary, named as written: a news organisation of
    /// the media list, or an organisation the tagger recognised. (Also, transiently, a place
    /// mention awaiting its gazetteer record.)
    Media,
}

/// A span of text naming something.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub span: Span,
    /// Token range `[first, end)`.
    pub first: usize,
    pub end: usize,
    pub sentence: usize,
    pub referent: Referent,
    /// For places: the actor this name could also denote (a capital or country) — kept so that a
    /// place that is a state's name still counts as evidence of that state.
    pub also_actor: Option<usize>,
    /// The place is where a speaker spoke from ("reported from Moscow"), not where things happened.
    pub dateline: bool,
    /// For a state named by its country or capital and acting ("Moscow said", "Ukraine
    /// rejected"): the place the name is, listed as a place that stands for its government.
    pub place: Option<Place>,
}

/// A person named in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub last: String,
    pub title: Option<String>,
    /// Where the title was read: places inside it ("head of the health ministry in North Darfur")
    /// describe the person, not an event.
    pub title_span: Option<Span>,
    pub affiliation: Option<String>,
    /// Country of the affiliation or title, when an actor in it has one.
    pub country: Option<String>,
    pub mentions: Vec<Span>,
}

impl Person {
    /// This person as the source of a quote or a figure.
    pub fn source(&self) -> Source {
        Source {
            name: self.name.clone(),
            title: self.title.clone(),
            affiliation: self.affiliation.clone(),
        }
    }
}

/// Everything recognised in one report.
#[derive(Debug, Default)]
pub struct Recognized {
    /// In document order, never overlapping.
    pub mentions: Vec<Mention>,
    pub persons: Vec<Person>,
    /// Every token lowercased, computed once for all later stages.
    pub low: Vec<String>,
    /// Place names that are no mention of their own, listed as places but never event sites:
    /// a place inside an organisation's name ("New York" in "New York Police Department"),
    /// with its gazetteer record, and places the tagger found that the gazetteer does not hold
    /// (`None`).
    pub other_places: Vec<(Span, Option<Place>)>,
}

/// How many mentions back a pronoun or a title looks for the person it stands for.
pub const LOOKBACK: usize = 200;

impl Recognized {
    /// Mentions lying within tokens `[a, b)`.
    pub fn within(&self, a: usize, b: usize) -> impl Iterator<Item = &Mention> {
        let from = self.mentions.partition_point(|m| m.first < a);
        self.mentions[from..]
            .iter()
            .take_while(move |m| m.first < b)
            .filter(move |m| m.end <= b)
    }

    /// Who a speaking or reporting mention is, as a source: a person with title, an actor by its
    /// canonical name, a news organisation, or a capital standing for its government.
    pub fn source_of(&self, lex: &Lexicon, doc: &Document, m: &Mention) -> Option<Source> {
        let named = |name: String| Source {
            name,
            title: None,
            affiliation: None,
        };
        Some(match &m.referent {
            Referent::Person(p) => self.persons[*p].source(),
            Referent::Actor { actor, .. } => named(lex.actors[*actor].canonical.clone()),
            Referent::Media => named(doc.slice(m.span).to_string()),
            Referent::Place(p) => named(
                m.also_actor
                    .map_or_else(|| p.name.to_string(), |a| lex.actors[a].canonical.clone()),
            ),
        })
    }

    /// The person last named before byte `at` among those `keep` accepts, looking back over at
    /// most [`LOOKBACK`] mentions (a pronoun or "the minister" names someone named recently;
    /// the bound keeps a report of many quotes linear).
    pub fn last_person_before(&self, at: u32, keep: impl Fn(&Person) -> bool) -> Option<&Person> {
        let end = self.mentions.partition_point(|m| m.span.start < at);
        self.mentions[..end]
            .iter()
            .rev()
            .take(LOOKBACK)
            .find_map(|m| match m.referent {
                Referent::Person(p) if keep(&self.persons[p]) => Some(&self.persons[p]),
                _ => None,
            })
    }

    /// The mention ending at token `t` (mentions never overlap, so it is the last one to start
    /// before `t`).
    pub fn ending_at(&self, t: usize) -> Option<&Mention> {
        let i = self.mentions.partition_point(|m| m.first < t);
        i.checked_sub(1)
            .map(|i| &self.mentions[i])
            .filter(|m| m.end == t)
    }

    /// The mention starting at token `t`.
    pub fn starting_at(&self, t: usize) -> Option<&Mention> {
        self.within(t, t + 1).next().or_else(|| {
            let i = self.mentions.partition_point(|m| m.first < t);
            self.mentions.get(i).filter(|m| m.first == t)
        })
    }
}

const CONNECTORS: &[&str] = &[
    "of", "de", "al", "el", "the", "on", "du", "la", "le", "des", "di", "da", "do", "ad", "as",
    "ash", "ar", "bin", "ibn", "upon", "sur",
];
const LOCATIVE: &[&str] = &[
    "in",
    "at",
    "near",
    "inside",
    "outside",
    "across",
    "throughout",
    "into",
    "around",
    "toward",
    "towards",
    "within",
    "outskirts",
];
const DIRECTIONS: &[&str] = &[
    "the",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "north",
    "south",
    "east",
    "west",
    "city",
    "town",
    "village",
    "capital",
    "of",
    "besieged",
    "occupied",
    "war-torn",
    "port",
    "frontline",
    "front-line",
    "coastal",
    "embattled",
    "nearby",
    "neighbouring",
    "neighboring",
];
const STRIKE_VERBS: &[&str] = &[
    "struck",
    "hit",
    "attacked",
    "shelled",
    "bombed",
    "pounded",
    "targeted",
    "targeting",
    "hitting",
    "striking",
    "raided",
    "stormed",
    "besieged",
    "encircled",
    "captured",
    "seized",
    "entered",
    "fled",
    "evacuated",
    "visited",
    "reached",
    "overran",
    "retook",
    "recaptured",
];
const PLACE_NOUNS: &[&str] = &[
    "district",
    "districts",
    "area",
    "region",
    "province",
    "oblast",
    "neighbourhood",
    "neighborhood",
    "suburb",
    "suburbs",
    "outskirts",
    "city",
    "town",
    "village",
    "state",
    "governorate",
    "county",
    "territory",
    "centre",
    "center",
    "streets",
    "residents",
    "camp",
    "port",
    "raion",
    "quarter",
    "municipality",
    "department",
    "prefecture",
];
const SPEAKER_FROM_VERBS: &[&str] = &[
    "reported",
    "reporting",
    "said",
    "speaking",
    "writing",
    "wrote",
    "told",
    "reports",
    "says",
];

/// Where the subject of the verb at token `verb` must end: adverbs and auxiliaries before the
/// verb are skipped ("also said", "has said"), and so is an appositive ("Tymur Tkachenko, head
/// of the city’s military administration, reported").
pub fn subject_end(low: &[String], start: usize, verb: usize) -> usize {
    let mut end = verb;
    while end > start
        && matches!(
            low[end - 1].as_str(),
            "also"
                | "has"
                | "had"
                | "have"
                | "later"
                | "then"
                | "previously"
                | "earlier"
                | "separately"
                | "further"
                | "was"
                | "is"
                | "on"
                | "again"
        )
    {
        end -= 1;
    }
    if end > start && low[end - 1] == "," {
        if let Some(open) = (start..end - 1).rev().take(25).find(|&j| low[j] == ",") {
            end = open;
        }
    }
    end
}

/// Is `w` (lowercase) a title word, or a compound of one ("director-general")?
pub fn is_title(lex: &Lexicon, w: &str) -> bool {
    lex.titles.contains(w) || (w.contains('-') && w.split('-').any(|p| lex.titles.contains(p)))
}

fn is_cap(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// A paragraph in title case without a final full stop: a headline or crosshead.
fn is_headline(doc: &Document, para: Span) -> bool {
    let text = doc.slice(para);
    if text.ends_with(['.', '"', '”', '?', '!']) {
        return false;
    }
    let words: Vec<&str> = text.split_whitespace().filter(|w| w.len() > 3).collect();
    !words.is_empty() && words.iter().filter(|w| is_cap(w)).count() * 10 >= words.len() * 7
}

struct Ctx<'a> {
    doc: &'a Document,
    lex: &'a Lexicon,
    gaz: &'a Gazetteer,
    low: Vec<String>,
    /// Each token as the actor dictionary keys it (see [`actor_key`]).
    akey: Vec<String>,
}

impl Ctx<'_> {
    fn tok(&self, i: usize) -> &str {
        self.doc.tok(i)
    }

    fn is_word(&self, i: usize) -> bool {
        self.doc.tokens[i].kind == TokenKind::Word
    }

    /// Longest media name at `i`.
    fn media_at(&self, i: usize, end: usize) -> usize {
        (1..=4)
            .rev()
            .find(|&n| i + n <= end && self.lex.media.contains(&self.low[i..i + n]))
            .unwrap_or(0)
    }

    /// Longest actor phrase at `i`: (length, actor, form).
    fn actor_at(&self, i: usize, end: usize) -> Option<(usize, usize, ActorForm)> {
        (1..=self.lex.max_actor_len.min(end - i))
            .rev()
            .find_map(|n| {
                self.lex
                    .actor_phrases
                    .get(&self.akey[i..i + n])
                    .map(|&(a, f)| (n, a, f))
            })
    }

    /// Longest gazetteer name at `i`: (length, candidates).
    fn place_at(&self, i: usize, end: usize) -> Option<(usize, Vec<Place>)> {
        let mut key = String::new();
        let mut best = None;
        let mut j = i;
        while j < end && j < i + 6 {
            let t = self.tok(j);
            let connector = CONNECTORS.contains(&self.low[j].as_str()) && j > i;
            if !(is_cap(t) || connector) || self.doc.tokens[j].kind != TokenKind::Word {
                break;
            }
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(&normalize(t));
            if !connector {
                let hits = self.gaz.lookup(&key);
                if !hits.is_empty() {
                    best = Some((j + 1 - i, hits));
                }
            }
            if !self.gaz.continues(&key) {
                break;
            }
            j += 1;
        }
        // "Suez Canal", "Jordan River", "Kakhovka Dam": a feature named after the place and
        // located by it. Its capitalised feature word is part of the name, never a place of its
        // own (GeoNames knows a "Canal" in Louisiana).
        best.map(|(n, hits)| {
            let k = i + n;
            let feature =
                k < end && is_cap(self.tok(k)) && PLACE_FEATURES.contains(&self.low[k].as_str());
            (n + usize::from(feature), hits)
        })
    }

    /// Is the name at tokens `[i, end)` used as a place? Looks at the words before and after.
    fn locative(&self, i: usize, end: usize, sent_start: usize) -> bool {
        let mut k = i;
        while k > sent_start && DIRECTIONS.contains(&self.low[k - 1].as_str()) {
            k -= 1;
        }
        if k > sent_start {
            let prev = self.low[k - 1].as_str();
            if LOCATIVE.contains(&prev) || STRIKE_VERBS.contains(&prev) {
                return true;
            }
            if prev == "on"
                && k >= 2
                && (self.lex.triggers.contains_key(&self.low[k - 2..k - 1])
                    || STRIKE_VERBS.contains(&self.low[k - 2].as_str()))
            {
                return true;
            }
            if prev == "and" || prev == "," {
                // Coordinated with a place: "in Kherson, Odesa and Kyiv". Walk back over the list
                // of names only; anything else ends it.
                let mut m = k - 1;
                while m > sent_start {
                    let w = self.low[m - 1].as_str();
                    let name = is_cap(self.tok(m - 1)) && self.is_word(m - 1);
                    if !(name || matches!(w, "," | "and" | "the")) {
                        break;
                    }
                    m -= 1;
                }
                if m > sent_start && LOCATIVE.contains(&self.low[m - 1].as_str()) {
                    return true;
                }
            }
        }
        // "Kyiv region", "Kyiv’s Sviatoshynskyi district"
        let next = self.low.get(end).map(String::as_str).unwrap_or("");
        if PLACE_NOUNS.contains(&next) {
            return true;
        }
        if self
            .doc
            .tokens
            .get(end)
            .is_some_and(|t| t.kind == TokenKind::Possessive)
        {
            return (end + 1..(end + 4).min(self.low.len()))
                .any(|k| PLACE_NOUNS.contains(&self.low[k].as_str()));
        }
        false
    }
}

/// Recognise every mention in `doc`.
pub fn recognize(doc: &Document, lex: &Lexicon, gaz: &Gazetteer) -> Recognized {
    let low: Vec<String> = doc
        .tokens
        .iter()
        .map(|t| doc.slice(t.span).to_lowercase())
        .collect();
    let akey = doc
        .tokens
        .iter()
        .map(|t| actor_key(doc.slice(t.span)))
        .collect();
    let c = Ctx {
        doc,
        lex,
        gaz,
        low,
        akey,
    };
    let mut out = Recognized::default();
    // Places awaiting disambiguation: mention index → candidates.
    let mut pending: Vec<(usize, Vec<Place>, bool)> = Vec::new();
    let names = ner::recognize_names(doc, &c.low, &c.akey, lex, gaz);
    // Words the report also writes in lower case ("most"): capitalised only to open a
    // sentence, such a word is no name there.
    let lower_words: std::collections::HashSet<&str> = c
        .low
        .iter()
        .zip(&doc.tokens)
        .filter(|(_, t)| t.kind == TokenKind::Word && !is_cap(doc.slice(t.span)))
        .map(|(l, _)| l.as_str())
        .collect();
    let mut ner_start: Vec<Option<usize>> = vec![None; doc.tokens.len()];
    let mut ner_covers = vec![false; doc.tokens.len()];
    for (k, s) in names.iter().enumerate() {
        // "El Obeid and Kadugli": a list is no one person; its names are read one by one.
        if s.kind == NerKind::Person
            && (s.first..s.end).any(|t| matches!(c.low[t].as_str(), "and" | ","))
        {
            continue;
        }
        ner_start[s.first] = Some(k);
        for x in &mut ner_covers[s.first..s.end] {
            *x = true;
        }
    }
    // Once per paragraph, not per sentence: a paragraph may be megabytes long.
    let headlines: Vec<bool> = doc
        .paragraphs
        .iter()
        .map(|p| is_headline(doc, *p))
        .collect();
    for (si, sent) in doc.sentences.iter().enumerate() {
        let headline = headlines[sent.paragraph];
        let (start, end) = (sent.tokens.start, sent.tokens.end);
        let mut i = start;
        while i < end {
            let t = c.tok(i);
            // Later mentions of a person may start lowercase ("al-Tayeb told …").
            let lower_known = !is_cap(t) && c.is_word(i) && out.persons.iter().any(|p| p.last == t);
            if (!is_cap(t) || !c.is_word(i)) && !lower_known {
                i += 1;
                continue;
            }
            let span_of = |a: usize, b: usize| {
                Span::new(
                    doc.tokens[a].span.start as usize,
                    doc.tokens[b - 1].span.end as usize,
                )
            };
            let push = |out: &mut Recognized, a: usize, b: usize, referent: Referent| {
                out.mentions.push(Mention {
                    span: span_of(a, b),
                    first: a,
                    end: b,
                    sentence: si,
                    referent,
                    also_actor: None,
                    dateline: false,
                    place: None,
                });
            };
            // 1. A person already known, by full or last name.
            if let Some((n, p)) = known_person(&c, &out.persons, i, end) {
                out.persons[p].mentions.push(span_of(i, i + n));
                push(&mut out, i, i + n, Referent::Person(p));
                i += n;
                continue;
            }
            // 2. Media.
            let m = c.media_at(i, end);
            if m > 0 {
                push(&mut out, i, i + m, Referent::Media);
                i += m;
                continue;
            }
            // 3. The names the tagger found (`ner`): the lists are its evidence, and here they
            // only say which actor or which gazetteer records a recognised name is.
            let Some(s) = ner_start[i].map(|k| names[k]) else {
                // Outside any recognised name, an actor of the dictionary is still an actor
                // ("Russia", "RSF"); the tagger alone makes places and people.
                if ner_covers[i] {
                    i += 1;
                    continue;
                }
                match c.actor_at(i, end) {
                    Some((n, a, form)) => {
                        let place = c.place_at(i, i + n);
                        actor_or_state(
                            &c,
                            &mut out,
                            &mut pending,
                            (i, i + n, si, start),
                            (a, form),
                            place,
                        );
                        i += n;
                    }
                    None => {
                        // A name the tagger passed over in a place's own context ("in Kobo",
                        // "struck Kobo", "the Kyivskyi district") that the gazetteer holds.
                        match c.place_at(i, end) {
                            Some((n, cands))
                                if !(headline
                                    || (n == 1 && lex.stopwords.contains(c.tok(i)))
                                    || ner_covers[i..i + n].iter().any(|x| *x))
                                    && c.locative(i, i + n, start) =>
                            {
                                out.mentions.push(Mention {
                                    span: span_of(i, i + n),
                                    first: i,
                                    end: i + n,
                                    sentence: si,
                                    referent: Referent::Media,
                                    also_actor: None,
                                    dateline: false,
                                    place: None,
                                });
                                pending.push((out.mentions.len() - 1, cands, true));
                                i += n;
                            }
                            _ => i += 1,
                        }
                    }
                }
                continue;
            };
            let (a, b) = (s.first, s.end.min(end));
            let opens = a == start || matches!(c.tok(a - 1), "\"" | "“" | "‘" | "'" | "(");
            if b - a == 1 && opens && lower_words.contains(c.low[a].as_str()) {
                i = b;
                continue;
            }
            // The dictionary knows a longer name starting here than the tagger found ("Arakan
            // Army" where it tagged "Arakan"): the actor.
            if let Some((n, ai, form)) = c.actor_at(a, end).filter(|x| a + x.0 > b) {
                let place = c.place_at(a, a + n);
                actor_or_state(
                    &c,
                    &mut out,
                    &mut pending,
                    (a, a + n, si, start),
                    (ai, form),
                    place,
                );
                i = a + n;
                continue;
            }
            // A name tagged otherwise in a place's own context ("struck Donetsk", "in the
            // Kyivskyi district") that the gazetteer holds whole is read as the place.
            let whole = c.place_at(a, b).filter(|p| p.0 == b - a);
            let kind = if !s.kind.is_place()
                && c.place_at(a, b)
                    .is_some_and(|p| (a + p.0..b).all(|k| !is_cap(c.tok(k))))
                && c.actor_at(a, b).is_none()
                && (c.locative(a, b, start) || after_place_list(&c, &out, &pending, a, start))
            {
                NerKind::Gpe
            } else if s.kind == NerKind::Person
                && !is_title(lex, &c.low[a])
                && whole.is_some_and(|p| p.1.first().is_some_and(well_known))
            {
                // A name not known as a person's that is a well-known place ("Goma",
                // "Bahir Dar") and has no title is the place.
                NerKind::Gpe
            } else {
                s.kind
            };
            match kind {
                NerKind::Person => {
                    // Leading titles ("President", "Mr.") are not part of the name.
                    let mut p0 = a;
                    while p0 < b
                        && (is_title(lex, &c.low[p0])
                            || (p0 > a && c.tok(p0) == "." && !c.is_word(p0)))
                    {
                        p0 += 1;
                    }
                    if p0 < b && !headline {
                        let p = new_person(&c, p0, b, start, end, &out);
                        out.persons.push(p);
                        let pi = out.persons.len() - 1;
                        push(&mut out, p0, b, Referent::Person(pi));
                    }
                }
                kind if kind.is_place() => {
                    let actor = c.actor_at(a, b);
                    let place = c.place_at(a, b);
                    let place_len = place.as_ref().map_or(0, |p| p.0);
                    match actor.filter(|x| x.0 >= place_len) {
                        Some((n, ai, form)) => {
                            actor_or_state(
                                &c,
                                &mut out,
                                &mut pending,
                                (a, a + n, si, start),
                                (ai, form),
                                place,
                            );
                        }
                        None if s.end - s.first == 1 && lex.stopwords.contains(c.tok(a)) => {}
                        None => {
                            // Unknown to the gazetteer: listed, not geocoded, where the
                            // context is a place's ("in Cirencester"). A compound of two names
                            // ("US-Russia talks") names a relation, not a place.
                            let compound = (a..b)
                                .any(|k| c.tok(k).split('-').filter(|p| is_cap(p)).count() >= 2);
                            if place.is_none() && !headline && !compound && c.locative(a, b, start)
                            {
                                out.other_places.push((span_of(a, b), None));
                            }
                            if let Some((n, cands)) = place {
                                let best_pop =
                                    cands.iter().map(|p| p.population).max().unwrap_or(0);
                                if !(headline && best_pop < 100_000) {
                                    let cue = c.locative(a, a + n, start);
                                    out.mentions.push(Mention {
                                        span: span_of(a, a + n),
                                        first: a,
                                        end: a + n,
                                        sentence: si,
                                        referent: Referent::Media,
                                        also_actor: None,
                                        dateline: false,
                                        place: None,
                                    });
                                    pending.push((out.mentions.len() - 1, cands, cue));
                                }
                            }
                        }
                    }
                }
                NerKind::Org => {
                    embedded_place(&c, &mut out, a, b);
                    match c.actor_at(a, b) {
                        Some((n, ai, form)) => {
                            let place = c.place_at(a, a + n);
                            actor_or_state(
                                &c,
                                &mut out,
                                &mut pending,
                                (a, a + n, si, start),
                                (ai, form),
                                place,
                            );
                        }
                        // An organisation the dictionary does not hold, named as written;
                        // not one capitalised word opening a sentence ("Members of ..."),
                        // unless an acronym.
                        None if !headline
                            && !(b - a == 1
                                && (a == start || lex.stopwords.contains(c.tok(a)))
                                && c.tok(a).chars().any(char::is_lowercase)) =>
                        {
                            push(&mut out, a, b, Referent::Media)
                        }
                        None => {}
                    }
                }
                NerKind::Norp => {
                    if let Some((n, ai, form)) = c.actor_at(a, b) {
                        let place = c.place_at(a, a + n);
                        actor_or_state(
                            &c,
                            &mut out,
                            &mut pending,
                            (a, a + n, si, start),
                            (ai, form),
                            place,
                        );
                    }
                }
                _ => {}
            }
            i = b.max(i + 1);
        }
    }
    resolve_places(&c, &mut out, pending);
    mark_datelines(&c, &mut out);
    out.low = c.low;
    out
}

/// An actor of the dictionary named at tokens `[a, b)` of sentence `si`. A state named by its
/// country or capital is a place where the context is locative ("in Kyiv": a place mention that
/// still counts for the state); otherwise it is the state acting ("Kyiv said"), and the place
/// its name is goes with the mention, to be listed as standing for its government.
fn actor_or_state(
    c: &Ctx,
    out: &mut Recognized,
    pending: &mut Vec<(usize, Vec<Place>, bool)>,
    (a, b, si, sent_start): (usize, usize, usize, usize),
    (ai, form): (usize, ActorForm),
    place: Option<(usize, Vec<Place>)>,
) {
    let entry = &c.lex.actors[ai];
    let mut mention = Mention {
        span: Span::new(
            c.doc.tokens[a].span.start as usize,
            c.doc.tokens[b - 1].span.end as usize,
        ),
        first: a,
        end: b,
        sentence: si,
        referent: Referent::Actor { actor: ai, form },
        also_actor: None,
        dateline: false,
        place: None,
    };
    let state_like = entry.kind == ActorKind::State && form != ActorForm::Demonym;
    let cands = if !state_like {
        None
    } else if form == ActorForm::Capital {
        place.filter(|p| p.0 == b - a).map(|p| p.1)
    } else {
        entry
            .country
            .as_deref()
            .and_then(|cc| c.gaz.country(cc))
            .map(|p| vec![p])
    };
    // "Russian officials", "the British embassy": a demonym before a noun is the place it
    // names used as a modifier (GeoWebNews' non-literal modifier); "the Russians" is not.
    let plural = b - a == 1
        && c.akey[a].strip_suffix('s').is_some_and(|one| {
            c.lex
                .actor_phrases
                .contains_key(std::slice::from_ref(&one.to_string()))
        });
    let modifier = form == ActorForm::Demonym
        && entry.kind == ActorKind::State
        && !plural
        && c.doc
            .tokens
            .get(b)
            .is_some_and(|t| t.kind == TokenKind::Word)
        && !c.lex.speech_verbs.contains(&c.low[b]);
    if modifier {
        mention.place = entry.country.as_deref().and_then(|cc| c.gaz.country(cc));
    }
    if let Some(cands) = cands {
        if c.locative(a, b, sent_start) {
            mention.referent = Referent::Media;
            mention.also_actor = Some(ai);
            out.mentions.push(mention);
            pending.push((out.mentions.len() - 1, cands, form == ActorForm::Capital));
            return;
        }
        // The state's own record: its capital among the name's readings, or its country.
        let own = |p: &&Place| entry.country.as_deref() == Some(p.country);
        mention.place = cands
            .iter()
            .filter(own)
            .find(|p| p.feature == Feature::Capital)
            .or_else(|| cands.iter().find(own))
            .copied();
    }
    out.mentions.push(mention);
}

/// Does token `a` continue a list of places ("Novorossiysk, Rostov-on-Don, and Krasnodar"):
/// after ",", "and" or ", and" that follow a place mention of the same sentence?
fn after_place_list(
    c: &Ctx,
    out: &Recognized,
    pending: &[(usize, Vec<Place>, bool)],
    a: usize,
    sent_start: usize,
) -> bool {
    let mut k = a;
    while k > sent_start && matches!(c.low[k - 1].as_str(), "," | "and" | "or") {
        k -= 1;
    }
    let last = out.mentions.len().checked_sub(1);
    k < a
        && last.is_some_and(|l| out.mentions[l].end == k)
        && pending.last().is_some_and(|p| Some(p.0) == last)
}

/// A country, a first-level region, a capital or a city of 100,000 or more.
fn well_known(p: &Place) -> bool {
    matches!(
        p.feature,
        Feature::Country | Feature::Admin1 | Feature::Capital
    ) || p.population >= 100_000
}

/// A well-known place at the head of an organisation's name, tokens `[a, b)` ("New York" in
/// "New York Police Department", "Colorado State University"): a country, a first-level
/// region, a capital or a city of 100,000 or more, shorter than the whole name.
fn embedded_place(c: &Ctx, out: &mut Recognized, a: usize, b: usize) {
    let Some((n, cands)) = c.place_at(a, b) else {
        return;
    };
    let Some(top) = cands.first() else {
        return;
    };
    if n < b - a && well_known(top) && c.actor_at(a, a + n).is_none_or(|x| x.0 == n) {
        let span = Span::new(
            c.doc.tokens[a].span.start as usize,
            c.doc.tokens[a + n - 1].span.end as usize,
        );
        out.other_places.push((span, Some(*top)));
    }
}

/// Words that, capitalised after a place name, name a feature of it ("Suez Canal").
const PLACE_FEATURES: &[&str] = &[
    "canal",
    "river",
    "dam",
    "bridge",
    "airport",
    "strait",
    "valley",
    "lake",
    "desert",
    "crossing",
    "corridor",
    "highway",
    "mountains",
];

fn known_person(c: &Ctx, persons: &[Person], i: usize, end: usize) -> Option<(usize, usize)> {
    for (pi, p) in persons.iter().enumerate() {
        let parts: Vec<&str> = p.name.split(' ').collect();
        let n = parts.len();
        if i + n <= end && (0..n).all(|k| c.tok(i + k) == parts[k]) {
            return Some((n, pi));
        }
    }
    persons
        .iter()
        .enumerate()
        .rev()
        .find(|(_, p)| c.tok(i) == p.last)
        .map(|(pi, _)| (1, pi))
}

fn new_person(
    c: &Ctx,
    i: usize,
    j: usize,
    sent_start: usize,
    sent_end: usize,
    rec: &Recognized,
) -> Person {
    let doc = c.doc;
    let name: Vec<&str> = (i..j).map(|k| c.tok(k)).collect();
    let mut title = None;
    let mut title_span = None;
    let mut affiliation = None;
    let mut country = None;
    // Before: "US President", "local resident", "Al Jazeera’s".
    if i > sent_start && doc.tokens[i - 1].kind == TokenKind::Possessive {
        if let Some(m) = rec.mentions.iter().rev().find(|m| m.end + 1 == i) {
            affiliation = Some(doc.slice(m.span).to_string());
            if let Referent::Actor { actor, .. } = m.referent {
                country = c.lex.actors[actor].country.clone();
            }
        }
    } else {
        let mut k = i;
        let mut has_title = false;
        while k > sent_start && i - k < 5 {
            let w = c.low[k - 1].as_str();
            let is_title = is_title(c.lex, w);
            let actorish = c.actor_at(k - 1, i).is_some_and(|a| a.0 == 1);
            if !(is_title
                || actorish
                || (is_cap(c.tok(k - 1))
                    && c.is_word(k - 1)
                    && !c.lex.stopwords.contains(c.tok(k - 1))))
            {
                break;
            }
            if actorish && country.is_none() {
                if let Some((_, a, _)) = c.actor_at(k - 1, i) {
                    country = c.lex.actors[a].country.clone();
                }
            }
            has_title |= is_title;
            k -= 1;
        }
        // Do not take the capitalised first word of a sentence unless it is a title word.
        while k < i && !is_title(c.lex, &c.low[k]) && c.actor_at(k, i).is_none() {
            k += 1;
        }
        if has_title && k < i {
            let span = Span::new(
                doc.tokens[k].span.start as usize,
                doc.tokens[i - 1].span.end as usize,
            );
            title = Some(doc.slice(span).to_string());
            title_span = Some(span);
        }
    }
    // After: ", head of the city’s military administration,".
    if title.is_none() && j + 1 < sent_end && c.tok(j) == "," {
        let first = j + 1;
        let head_ok = is_title(c.lex, &c.low[first])
            || matches!(c.low[first].as_str(), "a" | "an" | "the")
            || (c
                .doc
                .tokens
                .get(first + 1)
                .is_some_and(|t| t.kind == TokenKind::Possessive)
                && c.low.get(first + 2).is_some_and(|w| is_title(c.lex, w)));
        if head_ok {
            let mut k = first;
            while k < sent_end
                && k < first + 15
                && !matches!(c.tok(k), "," | "." | ";" | "“" | "”" | "\"")
                && !c.lex.speech_verbs.contains(&c.low[k])
            {
                k += 1;
            }
            if k > first {
                let span = Span::new(
                    doc.tokens[first].span.start as usize,
                    doc.tokens[k - 1].span.end as usize,
                );
                title = Some(doc.slice(span).to_string());
                title_span = Some(span);
                for a in first..k {
                    if let Some((_, ai, _)) = c.actor_at(a, k) {
                        if country.is_none() {
                            country = c.lex.actors[ai].country.clone();
                        }
                        if affiliation.is_none() && c.lex.actors[ai].kind != ActorKind::State {
                            affiliation = Some(c.lex.actors[ai].canonical.clone());
                        }
                        break;
                    }
                }
            }
        }
    }
    Person {
        name: name.join(" "),
        last: name.last().copied().unwrap_or("").to_string(),
        title,
        title_span,
        affiliation,
        country,
        mentions: vec![Span::new(
            doc.tokens[i].span.start as usize,
            doc.tokens[j - 1].span.end as usize,
        )],
    }
}

/// Choose one candidate per pending place mention (the ranking lives in [`crate::geocode`]).
fn resolve_places(c: &Ctx, out: &mut Recognized, pending: Vec<(usize, Vec<Place>, bool)>) {
    crate::geocode::resolve_mentions(c.lex, c.doc, &c.low, &mut out.mentions, pending);
}

/// "… Shapovalova reported from Moscow": the place is where the speaker was, not an event site.
fn mark_datelines(c: &Ctx, out: &mut Recognized) {
    for m in &mut out.mentions {
        if !matches!(m.referent, Referent::Place(_)) || m.first < 2 {
            continue;
        }
        if c.low[m.first - 1] == "from" && SPEAKER_FROM_VERBS.contains(&c.low[m.first - 2].as_str())
        {
            m.dateline = true;
        }
    }
}

#[cfg(test)]
mod recognition_tests {
    use crate::{extract, Input};
    use sitrep_model::{EntityKind, PlaceRole};

    /// (kind, name, mention texts, roles) of every entity of `text`.
    fn entities(text: &str) -> Vec<(EntityKind, String, Vec<String>, Vec<PlaceRole>)> {
        let x = extract(Input {
            text: text.to_string(),
            ..Default::default()
        });
        x.entities
            .into_iter()
            .map(|e| {
                let spans = e
                    .mentions
                    .iter()
                    .map(|s| text[s.start as usize..s.end as usize].to_string())
                    .collect();
                (e.kind, e.name, spans, e.roles)
            })
            .collect()
    }

    fn place<'a>(
        es: &'a [(EntityKind, String, Vec<String>, Vec<PlaceRole>)],
        name: &str,
    ) -> Option<&'a (EntityKind, String, Vec<String>, Vec<PlaceRole>)> {
        es.iter().find(|e| e.0 == EntityKind::Place && e.1 == name)
    }

    #[test]
    fn a_country_that_acts_is_an_actor_and_a_place_standing_for_its_government() {
        let es = entities("Ukraine rejected the plan on Monday.");
        assert!(
            es.iter()
                .any(|e| e.0 == EntityKind::Actor && e.1 == "Ukraine"),
            "{es:?}"
        );
        let p = place(&es, "Ukraine").expect("Ukraine is also a place");
        assert_eq!(p.3, vec![PlaceRole::Metonymic]);
    }

    #[test]
    fn a_demonym_before_a_noun_is_its_place_and_a_plural_demonym_is_not() {
        let es = entities("Russian officials met the Russians who had left.");
        let p = place(&es, "Russia").expect("a place");
        assert_eq!(p.2, vec!["Russian".to_string()]);
    }

    #[test]
    fn an_organisation_no_list_holds_is_an_actor_named_as_written() {
        let es = entities("The Zorvath Relief Foundation said it had sent food to the camps.");
        assert!(
            es.iter()
                .any(|e| e.0 == EntityKind::Actor && e.1 == "Zorvath Relief Foundation"),
            "{es:?}"
        );
    }

    #[test]
    fn a_place_the_gazetteer_lacks_is_listed_without_a_geocode() {
        let x = extract(Input {
            text: "Fighting broke out in Zlorvania on Monday, officials said.".into(),
            ..Default::default()
        });
        let p = x
            .entities
            .iter()
            .find(|e| e.kind == EntityKind::Place && e.name == "Zlorvania")
            .expect("an unknown place");
        assert_eq!((p.lat, p.geonames_id), (None, None));
    }

    #[test]
    fn a_well_known_place_heading_an_organisation_name_is_a_place_inside_it() {
        let es = entities("The New York Police Department said two officers were hurt.");
        let p = place(&es, "New York").expect("New York inside the name");
        assert_eq!(p.2, vec!["New York".to_string()]);
    }

    #[test]
    fn names_listed_after_a_place_are_places() {
        let es = entities(
            "A drone attack hit southern regions including Novorossiysk, Rostov-on-Don, and Krasnodar.",
        );
        for name in ["Novorossiysk", "Rostov-on-Don", "Krasnodar"] {
            assert_eq!(
                place(&es, name).map(|p| p.3.clone()),
                Some(vec![PlaceRole::Literal]),
                "{name}: {es:?}"
            );
        }
    }

    #[test]
    fn a_list_of_names_is_never_one_person() {
        let es = entities("Fighting reached El Obeid and Kadugli on Sunday.");
        assert!(!es.iter().any(|e| e.0 == EntityKind::Person), "{es:?}");
    }
}
