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
use std::collections::HashMap;

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
    /// Places inside names whose reading the ranker still has to choose.
    inner: Vec<crate::geocode::Inner>,
    /// The sort of name (GPE, LOC, FAC) the tagger read at each place span it gave.
    pub name_kinds: Vec<(Span, NerKind)>,
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

/// A capitalised abbreviation of two letters ("St", "Ft", "Mt") that a dot ends.
fn is_short_abbrev(s: &str) -> bool {
    let mut cs = s.chars();
    matches!((cs.next(), cs.next(), cs.next()), (Some(a), Some(b), None)
        if a.is_uppercase() && b.is_lowercase())
}

/// Does the word start with a capital letter?
pub(crate) fn is_cap(s: &str) -> bool {
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

    /// Tokens `[a, b)` in the gazetteer's normal form, as [`Ctx::place_at`] looks them up.
    fn key(&self, a: usize, b: usize) -> String {
        let mut key = String::new();
        let mut k = a;
        while k < b {
            let (word, next) = self.word_at(k, b);
            if !word.is_empty() {
                if !key.is_empty() {
                    key.push(' ');
                }
                key.push_str(&word);
            }
            k = next;
        }
        key
    }

    /// The word at token `j` in the gazetteer's normal form, and the token after it: short
    /// letters joined by dots ("N.C.", "W.Va.", "B.C.") are one word, as the normal form drops
    /// the dots.
    fn word_at(&self, j: usize, end: usize) -> (String, usize) {
        let t = &self.doc.tokens;
        let mut word = normalize(self.tok(j));
        let mut k = j + 1;
        while k + 1 < end
            && self.tok(k) == "."
            && self.tok(k - 1).chars().count() <= 2
            && t[k - 1].span.end == t[k].span.start
            && t[k].span.end == t[k + 1].span.start
            && t[k + 1].kind == TokenKind::Word
        {
            word.push_str(&normalize(self.tok(k + 1)));
            k += 2;
        }
        // "St. Louis", "Ft. Worth": the dot of a short abbreviation before the next word of
        // the name is part of the word (the normal form drops it).
        if k == j + 1 && k + 1 < end && self.tok(k) == "." && is_short_abbrev(self.tok(j)) {
            let joined = t[j].span.end == t[k].span.start;
            if joined && t[k + 1].kind == TokenKind::Word && is_cap(self.tok(k + 1)) {
                k += 1;
            }
        }
        (word, k)
    }

    /// Longest gazetteer name at `i`: (length, candidates).
    fn place_at(&self, i: usize, end: usize) -> Option<(usize, Vec<Place>)> {
        let mut key = String::new();
        let mut best = None;
        let mut j = i;
        while j < end && j < i + 6 {
            let t = self.tok(j);
            let connector = place_words("connector").contains(self.low[j].as_str()) && j > i;
            if !(is_cap(t) || connector) || self.doc.tokens[j].kind != TokenKind::Word {
                break;
            }
            if !key.is_empty() {
                key.push(' ');
            }
            let (word, next) = self.word_at(j, end);
            key.push_str(&word);
            if !connector {
                let hits = self.gaz.lookup(&key);
                if !hits.is_empty() {
                    best = Some((next - i, hits));
                }
            }
            if !self.gaz.continues(&key) {
                break;
            }
            j = next;
        }
        // "Suez Canal", "Jordan River", "Kakhovka Dam": a feature named after the place and
        // located by it. Its capitalised feature word is part of the name, never a place of its
        // own (GeoNames knows a "Canal" in Louisiana).
        best.map(|(n, hits)| {
            let k = i + n;
            let feature = k < end
                && is_cap(self.tok(k))
                && place_words("place_feature").contains(self.low[k].as_str());
            (n + usize::from(feature), hits)
        })
    }

    /// Do tokens `[k, b)` go on with a name: a capitalised word that is no stopword and no
    /// place noun ("Hermosa" in "Loma Hermosa", not "City" or "Province")?
    fn names_more(&self, k: usize, b: usize) -> bool {
        (k..b).any(|j| {
            self.is_word(j)
                && is_cap(self.tok(j))
                && !self.lex.not_places.contains(self.tok(j))
                && !place_words("place_noun").contains(self.low[j].as_str())
        })
    }

    /// Is the name at tokens `[i, end)` used as a place? Looks at the words before and after.
    fn locative(&self, i: usize, end: usize, sent_start: usize) -> bool {
        let mut k = i;
        while k > sent_start && place_words("direction").contains(self.low[k - 1].as_str()) {
            k -= 1;
        }
        if k > sent_start {
            let prev = self.low[k - 1].as_str();
            if place_words("locative").contains(prev) || place_words("strike_verb").contains(prev) {
                return true;
            }
            if prev == "on"
                && k >= 2
                && (self.lex.triggers.contains_key(&self.low[k - 2..k - 1])
                    || place_words("strike_verb").contains(self.low[k - 2].as_str()))
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
                if m > sent_start && place_words("locative").contains(self.low[m - 1].as_str()) {
                    return true;
                }
            }
        }
        // "Kyiv region", "Kyiv’s Sviatoshynskyi district"
        let next = self.low.get(end).map(String::as_str).unwrap_or("");
        if place_words("place_noun").contains(next) {
            return true;
        }
        if self
            .doc
            .tokens
            .get(end)
            .is_some_and(|t| t.kind == TokenKind::Possessive)
        {
            return (end + 1..(end + 4).min(self.low.len()))
                .any(|k| place_words("place_noun").contains(self.low[k].as_str()));
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
    let mut names = ner::recognize_names(doc, &c.low, &c.akey, lex, gaz);
    for s in &mut names {
        s.first = name_start(&c, s.first, s.end);
    }
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
    let mut datelines = datelines(&c);
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
            // 0. A dateline ("WASHINGTON (AP) —"): where the report was filed.
            if let Some((n, cands)) = datelines.remove(&i) {
                push(&mut out, i, i + n, Referent::Media);
                if let Some(m) = out.mentions.last_mut() {
                    m.dateline = true;
                }
                pending.push((out.mentions.len() - 1, cands, true));
                i += n;
                continue;
            }
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
                // "The Washington Post": the place in its name.
                embedded_places(&c, &mut out, i, i + m);
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
                                    || stop_word(&c, i, n, &cands)
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
            // A name the tagger ran into a dateline ("Associated Press WASHINGTON") ends there.
            let b = datelines.range(a + 1..b).next().map_or(b, |(&d, _)| d);
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
                && whole.is_some_and(|p| p.1.first().is_some_and(|t| well_known(t, &c.key(a, b))))
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
                    let b = with_particles(&c, a, b, end);
                    tagged_place(
                        &c,
                        &mut out,
                        &mut pending,
                        (a, b, si, start),
                        kind,
                        headline,
                    );
                    i = b.max(i + 1);
                    continue;
                }
                NerKind::Org => {
                    embedded_places(&c, &mut out, a, b);
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
                                && (a == start || lex.not_places.contains(c.tok(a)))
                                && c.tok(a).chars().any(char::is_lowercase)) =>
                        {
                            match org_place(&c, a, b) {
                                // A well-known place's name tagged as an organisation
                                // ("Tamil Nadu said", "Orange County has"): the place, in any
                                // role.
                                Some(cands) => {
                                    push(&mut out, a, b, Referent::Media);
                                    let cue = c.locative(a, b, start);
                                    pending.push((out.mentions.len() - 1, cands, cue));
                                }
                                None => {
                                    push(&mut out, a, b, Referent::Media);
                                    org_at_place(&c, &mut out, (a, b), start);
                                }
                            }
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
                    } else if let Some(p) = adjective_place(&c, a, b) {
                        // "African", "North American": the place, as a modifier.
                        list_place(&mut out, span_of(a, b), Some(p));
                    }
                }
                _ => {}
            }
            i = b.max(i + 1);
        }
    }
    hyphenated_places(&c, &mut out);
    resolve_places(&c, &mut out, pending);
    mark_datelines(&c, &mut out);
    out.low = c.low;
    out
}

/// An organisation no list holds, named where a place is ("a concert at Madison Square Garden",
/// "to testify before Congress" aside): the venue the name stands for is also listed as a
/// place, never an event site, without a geocode.
fn org_at_place(c: &Ctx, out: &mut Recognized, (a, b): (usize, usize), sent_start: usize) {
    if c.locative(a, b, sent_start) {
        let span = Span::new(
            c.doc.tokens[a].span.start as usize,
            c.doc.tokens[b - 1].span.end as usize,
        );
        out.other_places.push((span, None));
    }
}

/// The first token of a tagged name at tokens `[a, b)`: words with no capital letter that the
/// tagger ran into the name ("southern Syria", "the Gaza Strip") describe it and are not part
/// of it; a name's own particles ("al-Tanf") have one.
fn name_start(c: &Ctx, a: usize, b: usize) -> usize {
    let mut k = a;
    while k + 1 < b && c.is_word(k) && !c.tok(k).chars().any(char::is_uppercase) {
        k += 1;
    }
    k
}

/// The end of a tagged place name at tokens `[a, b)`, run on over particles to the longer
/// name the gazetteer holds ("Sao Jose" + "dos Campos"), if any.
fn with_particles(c: &Ctx, a: usize, b: usize, sent_end: usize) -> usize {
    if b >= sent_end || !place_words("connector").contains(c.low[b].as_str()) {
        return b;
    }
    c.place_at(a, sent_end)
        .map_or(b, |(n, _)| if a + n > b { a + n } else { b })
}

/// A name the tagger read as a place (GPE, LOC, FAC), tokens `[a, b)` of sentence `si` that
/// starts at token `sent_start`: an actor of the dictionary (a state, a capital), a gazetteer
/// place awaiting its reading, or a place the gazetteer lacks, listed without a geocode. A
/// location or facility ("Bourbon Street", "Madison Square Garden") is listed in any context; an
/// unknown GPE only where the gazetteer knows its start or the context is a place's.
fn tagged_place(
    c: &Ctx,
    out: &mut Recognized,
    pending: &mut Vec<(usize, Vec<Place>, bool)>,
    (a, b, si, sent_start): (usize, usize, usize, usize),
    kind: NerKind,
    headline: bool,
) {
    let span_of = |a: usize, b: usize| {
        Span::new(
            c.doc.tokens[a].span.start as usize,
            c.doc.tokens[b - 1].span.end as usize,
        )
    };
    let actor = c.actor_at(a, b);
    // "Loma Hermosa", "North Mitrovica": a name the gazetteer knows only the start of is
    // another, unknown place, unless that start is a well-known place ("Belfast Magistrate’s
    // Court").
    let start_known = c.place_at(a, b).is_some();
    let place = c.place_at(a, b).filter(|p| {
        let known =
            known_reading(&p.1, &c.key(a, a + p.0)).is_some() && !stop_word(c, a, p.0, &p.1);
        known || !c.names_more(a + p.0, b)
    });
    let place_len = place.as_ref().map_or(0, |p| p.0);
    if let Some((n, ai, form)) = actor.filter(|x| x.0 >= place_len) {
        actor_or_state(
            c,
            out,
            pending,
            (a, a + n, si, sent_start),
            (ai, form),
            place,
        );
        return;
    }
    // One word in capitals that the context does not make a place ("he shouted WASHINGTON",
    // "BA", "MIDI"): emphasis or an acronym, not a place name.
    let t = c.tok(a);
    if b - a == 1
        && t.chars().filter(|ch| ch.is_alphabetic()).count() >= 2
        && !t.chars().any(char::is_lowercase)
        && !c.locative(a, b, sent_start)
    {
        return;
    }
    let one_stop_word = b - a == 1
        && place
            .as_ref()
            .map_or(c.lex.not_places.contains(c.tok(a)), |p| {
                stop_word(c, a, p.0, &p.1)
            });
    if one_stop_word {
        return;
    }
    let Some((n, cands)) = place else {
        // Unknown to the gazetteer: listed, not geocoded. A compound of two names ("US-Russia
        // talks") names a relation, not a place.
        let compound = (a..b).any(|k| c.tok(k).split('-').filter(|p| is_cap(p)).count() >= 2);
        let context = matches!(kind, NerKind::Loc | NerKind::Fac)
            || start_known
            || c.locative(a, b, sent_start);
        if !headline && !compound && context {
            out.other_places.push((span_of(a, b), None));
            out.name_kinds.push((span_of(a, b), kind));
        }
        return;
    };
    let best_pop = cands.iter().map(|p| p.population).max().unwrap_or(0);
    if headline && best_pop < 100_000 {
        return;
    }
    let cue = c.locative(a, a + n, sent_start);
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
    out.name_kinds.push((span_of(a, a + n), kind));
    pending.push((out.mentions.len() - 1, cands, cue));
}

/// The words of one class of `data/place_context.tsv`: the words the recogniser reads around
/// place names (see the file's header).
fn place_words(class: &str) -> &'static std::collections::HashSet<&'static str> {
    static TABLE: std::sync::OnceLock<crate::lexicon::WordClasses> = std::sync::OnceLock::new();
    let table = TABLE
        .get_or_init(|| crate::lexicon::word_classes(include_str!("../data/place_context.tsv")));
    crate::lexicon::words_of(table, class)
}

/// A lowercase word inside a place name ("of", "de", "al": `connector` in
/// `data/place_context.tsv`).
pub(crate) fn is_connector(low: &str) -> bool {
    place_words("connector").contains(low)
}

const DASHES: &[&str] = &["-", "–", "—", "‒", "―"];

/// A word in capitals ("WASHINGTON", "LOS").
fn caps_word(c: &Ctx, k: usize) -> bool {
    let t = c.tok(k);
    c.is_word(k)
        && t.chars().filter(|x| x.is_alphabetic()).count() >= 2
        && !t.chars().any(char::is_lowercase)
}

/// Datelines, by first token: (length, candidates). A place the gazetteer holds, written in
/// capitals, followed by a news agency in brackets ("WASHINGTON (AP) —", "ASHEVILLE, N.C.
/// (AP)"), or opening a sentence and followed by a dash or a colon, or by a comma and a dash
/// within a few tokens ("IMMOKALEE –", "NEW DELHI:", "MANILA, Philippines –"); with the
/// region named after its comma.
fn datelines(c: &Ctx) -> std::collections::BTreeMap<usize, (usize, Vec<Place>)> {
    let mut out = std::collections::BTreeMap::new();
    for s in &c.doc.sentences {
        let (start, end) = (s.tokens.start, s.tokens.end);
        for i in start..end {
            if !caps_word(c, i) || (i > start && caps_word(c, i - 1)) {
                continue;
            }
            let Some((n, cands)) = c.place_at(i, end) else {
                continue;
            };
            let capitals = (i..i + n).all(|k| !c.is_word(k) || caps_word(c, k));
            let opens = i == start || matches!(c.tok(i - 1), "." | ")" | ":" | "|");
            if !(capitals && dateline_after(c, i + n, end, opens)) {
                continue;
            }
            out.insert(i, (n, cands));
            // The region after the comma ("ASHEVILLE, N.C.", "SEOUL, South Korea").
            let j = i + n + 1;
            if j < end && c.tok(j - 1) == "," {
                if let Some(region) = c.place_at(j, end) {
                    out.insert(j, region);
                }
            }
        }
    }
    out
}

/// Does what follows a place in capitals, from token `j`, make it a dateline? An agency in
/// brackets, straight after it or after a comma and a region; or, where the place opens a
/// sentence (`opens`), a dash straight after it or after a comma and a few tokens.
fn dateline_after(c: &Ctx, j: usize, end: usize, opens: bool) -> bool {
    let tok = |k: usize| if k < end { c.tok(k) } else { "" };
    let agency = |k: usize| {
        tok(k) == "(" && is_cap(tok(k + 1)) && (k + 2..(k + 5).min(end)).any(|x| tok(x) == ")")
    };
    let dash = |k: usize| DASHES.contains(&tok(k));
    if agency(j) || (opens && (dash(j) || tok(j) == ":")) {
        return true;
    }
    tok(j) == "," && (j + 1..(j + 8).min(end)).any(|k| agency(k) || (opens && dash(k)))
}

/// The continent or country an adjective of place names, tokens `[a, b)` ("African",
/// "European", "North American"): the adjective less its "n" or "an" ending, as the gazetteer
/// names the place.
fn adjective_place(c: &Ctx, a: usize, b: usize) -> Option<Place> {
    place_of_adjective(c.gaz, &c.key(a, b))
}

/// The continent, country or world region the adjective `key` (normalised) names ("Latin
/// American"): the adjective less its "n" or "an" ending, as the gazetteer names the place.
pub(crate) fn place_of_adjective(gaz: &Gazetteer, key: &str) -> Option<Place> {
    ["n", "an"]
        .iter()
        .filter_map(|end| key.strip_suffix(end))
        .find_map(|stem| {
            let whole =
                |p: &Place| matches!(p.code, "CONT" | "PCLI" | "RGN") && normalize(p.name) == stem;
            gaz.lookup(stem).into_iter().find(whole)
        })
}

/// The continent a non-state actor's demonym names ("European" for the EU), if any: computed
/// once for the dictionary.
fn continent_of(c: &Ctx, ai: usize) -> Option<Place> {
    actor_continent(c.lex, c.gaz, ai)
}

/// [`continent_of`] for actor `ai` of `lex`.
pub(crate) fn actor_continent(lex: &Lexicon, gaz: &Gazetteer, ai: usize) -> Option<Place> {
    static TABLE: std::sync::OnceLock<HashMap<usize, Place>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        for (words, &(a, form)) in lex.actor_phrases.iter() {
            if form != ActorForm::Demonym || lex.actors[a].kind == ActorKind::State {
                continue;
            }
            let key = normalize(&words.join(" "));
            if let Some(p) = place_of_adjective(gaz, &key).filter(|p| p.code == "CONT") {
                t.insert(a, p);
            }
        }
        t
    });
    table.get(&ai).copied()
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
    if entry.kind != ActorKind::State && b - a > 1 {
        embedded_places(c, out, a, b);
    }
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
        && !plural
        && c.doc
            .tokens
            .get(b)
            .is_some_and(|t| t.kind == TokenKind::Word)
        && !c.lex.speech_verbs.contains(&c.low[b]);
    if entry.kind != ActorKind::State && form == ActorForm::Name {
        // "EU leaders", "the EU's airports": a union whose demonym is a continent's adjective
        // stands for the continent (GeoWebNews' metonymic toponyms).
        mention.place = continent_of(c, ai);
    }
    if modifier && entry.kind == ActorKind::State {
        mention.place = entry.country.as_deref().and_then(|cc| c.gaz.country(cc));
    } else if modifier {
        // "a European identity": an organisation's demonym that is a continent's adjective.
        mention.place = adjective_place(c, a, b);
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

/// A country, a continent, a first-level region, a capital or a city of 100,000 or more; a
/// second-level division only where named as it is ("Orange County", not "Johnson").
pub(crate) fn well_known(p: &Place, key: &str) -> bool {
    if p.code == "ADM2" {
        return normalize(p.name) == key;
    }
    matches!(
        p.feature,
        Feature::Country | Feature::Admin1 | Feature::Capital
    ) || p.population >= 100_000
}

/// Is `key` (a name in normal form) the place's own name, or the name without its type word
/// ("Osun" for Osun State), or an alias of several words ("Holy See")? One-word aliases of
/// big towns ("Google" for Topeka, "Franklin" for Columbus) are not taken inside names.
pub(crate) fn own_name(p: &Place, key: &str) -> bool {
    let name = normalize(p.name);
    name == key || key.contains(' ') || name.strip_prefix(key).is_some_and(|r| r.starts_with(' '))
}

/// The most populous well-known reading of a name that is named by it, not by a one-word
/// alias ([`own_name`]).
fn own_reading<'a>(cands: &'a [Place], key: &str) -> Option<&'a Place> {
    cands
        .iter()
        .find(|p| well_known(p, key) && own_name(p, key))
}

/// The most populous well-known reading of a name (`key`, in normal form).
fn known_reading<'a>(cands: &'a [Place], key: &str) -> Option<&'a Place> {
    cands.iter().find(|p| well_known(p, key))
}

/// One word of the stopword list ("Gulf", "Republic": never a place on its own), except a
/// continent's name ("Europe"), which is one.
fn stop_word(c: &Ctx, i: usize, n: usize, cands: &[Place]) -> bool {
    n == 1 && c.lex.not_places.contains(c.tok(i)) && !cands.iter().any(|p| p.code == "CONT")
}

/// The gazetteer's readings of a name, tokens `[a, b)`, when the whole name is a well-known
/// place's.
fn org_place(c: &Ctx, a: usize, b: usize) -> Option<Vec<Place>> {
    let (n, cands) = c.place_at(a, b)?;
    let top = known_reading(&cands, &c.key(a, b))?;
    let ok = n == b - a && !acronym(c, a, n, top);
    (ok && !stop_word(c, a, n, &cands)).then_some(cands)
}

/// One short word in capitals ("BA", "NC") or a short alias of a longer name ("La" for Los
/// Angeles): inside or as an organisation's name, an acronym, not a place.
fn acronym(c: &Ctx, k: usize, n: usize, top: &Place) -> bool {
    let t = c.tok(k);
    let short = t.chars().filter(|ch| ch.is_alphabetic()).count() <= 3;
    let caps = !t.chars().any(char::is_lowercase);
    n == 1 && short && (caps || normalize(top.name) != c.key(k, k + 1))
}

/// Places named inside a name, tokens `[a, b)`, never the whole name: a well-known place
/// ("New York" in "New York Police Department", "Zimbabwe" in "Air Zimbabwe", "Canada" in
/// "Kidney Foundation of Canada"), a state named or by its demonym ("Russian Ministry of
/// Defence", "US forces"), and such a name as part of a hyphenated word ("Calgary-based",
/// "Vatican-owned"). Listed as places, never event sites.
fn embedded_places(c: &Ctx, out: &mut Recognized, a: usize, b: usize) {
    let mut k = a;
    while k < b {
        k += embedded_at(c, out, k, (a, b)).max(1);
    }
}

/// The place named inside `whole` at token `k`, listed; its length in tokens (0: none).
fn embedded_at(c: &Ctx, out: &mut Recognized, k: usize, whole: (usize, usize)) -> usize {
    let b = whole.1;
    // "Al" in "Al Jazeera" is an article, not a place.
    if !c.is_word(k) || !is_cap(c.tok(k)) || place_words("connector").contains(c.low[k].as_str()) {
        return 0;
    }
    let span = |n: usize| {
        Span::new(
            c.doc.tokens[k].span.start as usize,
            c.doc.tokens[k + n - 1].span.end as usize,
        )
    };
    // The longest actor phrase here shorter than the whole name.
    let actor = (1..=c.lex.max_actor_len.min(b - k)).rev().find_map(|n| {
        let key = &c.akey[k..k + n];
        let hit = c.lex.actor_phrases.get(key).filter(|_| (k, k + n) != whole);
        hit.map(|&(ai, form)| (n, &c.lex.actors[ai], form))
    });
    if let Some((n, entry, form)) = actor {
        if entry.kind != ActorKind::State {
            // An organisation inside ("EU Aviation Strategy") names no place.
            return n;
        }
        if form != ActorForm::Capital {
            let p = entry.country.as_deref().and_then(|cc| c.gaz.country(cc));
            list_place(out, span(n), p);
            return n;
        }
    }
    if let Some((n, cands)) = c.place_at(k, b) {
        let n = n.min(b - k);
        let key = c.key(k, k + n);
        // Inside a name, only a place's own name ("Federation" is no alias of a region here).
        let known = own_reading(&cands, &key).filter(|t| !acronym(c, k, n, t));
        if let Some(top) = known.filter(|_| (k, k + n) != whole && !stop_word(c, k, n, &cands)) {
            let top = *top;
            list_reading(out, span(n), (k, k + n), cands, top);
            return n;
        }
    }
    if c.tok(k).contains('-') {
        hyphen_parts(c, out, k);
    }
    0
}

/// The place that a part of the hyphenated word at token `k` names ("Calgary-based"), when
/// only one part does.
fn hyphen_parts(c: &Ctx, out: &mut Recognized, k: usize) {
    let tok = c.tok(k);
    let base = c.doc.tokens[k].span.start as usize;
    let mut at = 0;
    let mut found = Vec::new();
    for part in tok.split('-') {
        let start = base + at;
        at += part.len() + 1;
        if !is_cap(part) {
            continue;
        }
        let state = c
            .lex
            .actor_phrases
            .get(std::slice::from_ref(&actor_key(part)))
            .filter(|&&(_, form)| form != ActorForm::Capital)
            .map(|&(ai, _)| &c.lex.actors[ai])
            .filter(|e| e.kind == ActorKind::State);
        let (place, cands) = match state {
            Some(e) => (
                e.country.as_deref().and_then(|cc| c.gaz.country(cc)),
                vec![],
            ),
            None if part.chars().count() < 4 => (None, vec![]),
            None => {
                let key = normalize(part);
                let cands = c.gaz.lookup(&key);
                (own_reading(&cands, &key).copied(), cands)
            }
        };
        if let Some(p) = place {
            found.push((Span::new(start, start + part.len()), p, cands));
        }
    }
    // Two names ("US-Russia talks") name a relation, not a place.
    if found.len() == 1 {
        let (span, place, cands) = found.remove(0);
        if cands.is_empty() {
            list_place(out, span, Some(place));
        } else {
            list_reading(out, span, (k, k + 1), cands, place);
        }
    }
}

/// Places in hyphenated words that no mention covers ("London-based", "Vatican-owned").
fn hyphenated_places(c: &Ctx, out: &mut Recognized) {
    let mut m = 0;
    for k in 0..c.doc.tokens.len() {
        while m < out.mentions.len() && out.mentions[m].end <= k {
            m += 1;
        }
        let covered = out.mentions.get(m).is_some_and(|x| x.first <= k);
        if !covered && c.is_word(k) && is_cap(c.tok(k)) && c.tok(k).contains('-') {
            hyphen_parts(c, out, k);
        }
    }
}

/// Lists a place inside a name, tokens `range`, once, and leaves the choice among its
/// candidates to the ranker (`top`, its well-known reading, until then).
fn list_reading(
    out: &mut Recognized,
    span: Span,
    range: (usize, usize),
    cands: Vec<Place>,
    top: Place,
) {
    let before = out.other_places.len();
    list_place(out, span, Some(top));
    if out.other_places.len() > before {
        out.inner.push((before, range, cands));
    }
}

/// Lists a place inside a name once (a name is read twice only by nested readings of one
/// name, listed one after the other: the last few entries are enough to look at).
fn list_place(out: &mut Recognized, span: Span, place: Option<Place>) {
    if !out
        .other_places
        .iter()
        .rev()
        .take(8)
        .any(|(s, _)| *s == span)
    {
        out.other_places.push((span, place));
    }
}

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
                    && !c.lex.not_places.contains(c.tok(k - 1))))
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
    let inner = std::mem::take(&mut out.inner);
    crate::geocode::resolve_mentions(
        c.lex,
        c.doc,
        &c.low,
        &mut out.mentions,
        pending,
        (&mut out.other_places, inner),
    );
}

/// "… Shapovalova reported from Moscow": the place is where the speaker was, not an event site.
fn mark_datelines(c: &Ctx, out: &mut Recognized) {
    for m in &mut out.mentions {
        if !matches!(m.referent, Referent::Place(_)) || m.first < 2 {
            continue;
        }
        if c.low[m.first - 1] == "from"
            && place_words("speaker_from_verb").contains(c.low[m.first - 2].as_str())
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
    fn a_saint_abbreviated_with_a_dot_is_looked_up_whole() {
        let x = extract(Input {
            text: "Protests spread in St. Louis on Friday.".to_string(),
            ..Default::default()
        });
        let p = x.entities.iter().find(|e| e.kind == EntityKind::Place);
        let p = p.expect("a place");
        assert_eq!(
            (p.country.as_deref(), p.lat.is_some()),
            (Some("US"), true),
            "{p:?}"
        );
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
        // Which New York the ranker chooses (the city, here); the name as written is kept.
        let p = es
            .iter()
            .find(|e| e.0 == EntityKind::Place && e.1.starts_with("New York"))
            .expect("New York inside the name");
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

    /// The spans (as text) of the places of `text`, with their names.
    fn places(text: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = entities(text)
            .into_iter()
            .filter(|e| e.0 == EntityKind::Place)
            .flat_map(|e| e.2.into_iter().map(move |m| (m, e.1.clone())))
            .collect();
        out.sort();
        out
    }

    fn has_place(ps: &[(String, String)], written: &str, name: &str) -> bool {
        ps.iter().any(|(w, n)| w == written && n == name)
    }

    #[test]
    fn lowercase_words_the_tagger_runs_into_a_name_are_not_part_of_it() {
        // The tagger reads "southern Syria" whole here; the place is Syria, written "Syria".
        let ps = places("Weapons went to the area in southern Syria whose borders are closed.");
        assert!(has_place(&ps, "Syria", "Syria"), "{ps:?}");
    }

    #[test]
    fn a_continent_is_a_place_though_a_stopword() {
        let ps = places("Thousands of migrants arrived in Europe from Africa last year.");
        assert!(has_place(&ps, "Europe", "Europe"), "{ps:?}");
        assert!(has_place(&ps, "Africa", "Africa"), "{ps:?}");
    }

    #[test]
    fn a_dateline_in_capitals_is_a_place_and_so_is_its_region() {
        let ps = places("ASHEVILLE, N.C. (AP) — City officials say more people moved here.");
        assert!(ps.iter().any(|(w, _)| w == "ASHEVILLE"), "{ps:?}");
        assert!(
            ps.iter().any(|(w, n)| w == "N.C" && n == "North Carolina"),
            "{ps:?}"
        );
        let ps = places("WASHINGTON (AP) — The president signed the bill on Friday.");
        assert!(ps.iter().any(|(w, _)| w == "WASHINGTON"), "{ps:?}");
        // Capitals without an agency, a dash or a comma are no dateline; whether a place name
        // in capitals within a sentence is a place is the learned recogniser's call.
    }

    #[test]
    fn a_dateline_is_no_event_site() {
        let x = extract(Input {
            text: "KHARKIV (AP) — Russian drones struck a school in Izium on Monday.".into(),
            ..Default::default()
        });
        let sites: Vec<&str> = x
            .events
            .iter()
            .flat_map(|e| e.locations.iter().map(|l| l.name.as_str()))
            .collect();
        assert!(!sites.contains(&"Kharkiv"), "{sites:?}");
    }

    #[test]
    fn a_well_known_place_tagged_as_an_organisation_is_a_place() {
        let ps = places("Kerala on Monday petitioned the High Court against the Centre.");
        assert!(has_place(&ps, "Kerala", "Kerala"), "{ps:?}");
        assert!(!ps.iter().any(|(w, _)| w == "Centre"), "{ps:?}");
    }

    #[test]
    fn places_inside_organisation_names_are_listed_anywhere_in_the_name() {
        let ps = places(
            "He sued the Toronto Police Services Board and the Kidney Foundation of Canada.",
        );
        assert!(has_place(&ps, "Toronto", "Toronto"), "{ps:?}");
        assert!(has_place(&ps, "Canada", "Canada"), "{ps:?}");
        // An acronym is no place inside a name ("BA" is no town in Fiji).
        let ps = places("Officials met British Airways (BA) and the BA Pension Fund in London.");
        assert!(!ps.iter().any(|(w, _)| w == "BA"), "{ps:?}");
    }

    #[test]
    fn a_place_inside_a_name_is_read_in_the_reports_context() {
        // Odesa in Ukraine is the most populous Odessa; the report is about Texas.
        let x = extract(Input {
            text: "Officials in Midland, Texas, said the Odessa Police Department had arrested \
                   two men."
                .into(),
            ..Default::default()
        });
        let odessa = x
            .entities
            .iter()
            .find(|e| e.kind == EntityKind::Place && e.name.starts_with("Odes"))
            .expect("Odessa inside the name");
        assert_eq!(odessa.country.as_deref(), Some("US"), "{odessa:?}");
    }

    #[test]
    fn an_organisations_demonym_before_a_noun_is_its_continent() {
        let ps = places("Ministers spoke of a European identity after the vote.");
        assert!(has_place(&ps, "European", "Europe"), "{ps:?}");
    }

    #[test]
    fn locations_and_facilities_the_gazetteer_lacks_are_places_of_their_kind() {
        let kind = |text: &str, n: &str| {
            let x = extract(Input {
                text: text.into(),
                ..Default::default()
            });
            x.entities
                .iter()
                .find(|e| e.kind == EntityKind::Place && e.name == n)
                .map(|e| (e.name_kind, e.lat))
        };
        assert_eq!(
            kind(
                "Ships sailed across the Varnoth Sea on Monday.",
                "Varnoth Sea"
            ),
            Some((Some(sitrep_model::NameKind::Loc), None))
        );
        assert_eq!(
            kind(
                "Crowds gathered at Halvorn Square on Friday.",
                "Halvorn Square"
            ),
            Some((Some(sitrep_model::NameKind::Fac), None))
        );
    }

    #[test]
    fn a_union_named_for_a_continent_stands_for_it() {
        let ps = places("EU leaders met on Monday.");
        assert!(has_place(&ps, "EU", "Europe"), "{ps:?}");
    }

    #[test]
    fn an_organisation_named_where_a_place_is_is_also_a_place() {
        let es = entities("Two men were arrested at Zorbel Arena on Friday.");
        assert!(
            es.iter()
                .any(|e| e.0 == EntityKind::Place && e.1 == "Zorbel Arena"),
            "{es:?}"
        );
    }

    #[test]
    fn a_continents_adjective_is_its_place_and_its_plural_is_not() {
        let ps = places("African leaders and investors met the Africans in Paris.");
        assert!(has_place(&ps, "African", "Africa"), "{ps:?}");
        assert!(!ps.iter().any(|(w, _)| w == "Africans"), "{ps:?}");
    }

    #[test]
    fn a_states_name_inside_an_actors_name_is_its_place() {
        let ps = places("The soldier was embedded with US forces in the country.");
        assert!(has_place(&ps, "US", "United States"), "{ps:?}");
    }

    #[test]
    fn the_parts_of_a_hyphenated_word_can_be_places() {
        let ps = places("The London-based company signed a deal with Berlin-based investors.");
        assert!(has_place(&ps, "London", "London"), "{ps:?}");
        assert!(has_place(&ps, "Berlin", "Berlin"), "{ps:?}");
        // Two names name a relation, and an article is no place inside a name.
        let ps = places("He confirmed no US-Russia talks, Al Jazeera reported.");
        assert!(ps.is_empty(), "{ps:?}");
    }

    #[test]
    fn abbreviations_with_dots_are_looked_up_whole() {
        let ps = places("Officials in Santa Fe, N.M., said the fire was contained.");
        assert!(has_place(&ps, "N.M", "New Mexico"), "{ps:?}");
    }

    #[test]
    fn a_name_with_particles_is_looked_up_whole() {
        let ps = places("Employees protested in Sao Jose dos Campos on Monday.");
        assert!(
            ps.iter()
                .any(|(w, n)| w == "Sao Jose dos Campos" && n.ends_with("dos Campos")),
            "{ps:?}"
        );
    }

    #[test]
    fn a_name_the_gazetteer_knows_only_the_start_of_is_not_that_start() {
        let ps = places("Students protested in Loma Hermosa district on Monday.");
        assert!(!ps.iter().any(|(w, _)| w == "Loma"), "{ps:?}");
    }
}
