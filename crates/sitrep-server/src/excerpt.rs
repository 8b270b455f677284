//! The sentences behind an event, cut into segments so a page can mark the figures, places and
//! dates in them without ever parsing article text as HTML, and without converting byte offsets.

use serde::Serialize;
use sitrep_model::{CasualtyKind, Event, Quote, Span};
use sitrep_text::Document;
use std::collections::BTreeSet;

/// What a marked segment is. Declared from least to most specific: where marks nest, the most
/// specific one wins (a figure inside the event's clause is shown as the figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// The clause the event was read from.
    Event,
    Date,
    Place,
    Injured,
    Killed,
}

/// A run of sentence text, marked or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub text: String,
    pub mark: Option<Mark>,
}

/// One sentence of the report with its byte span and its segments, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    pub start: u32,
    pub end: u32,
    pub segments: Vec<Segment>,
}

/// Most quotes shown beside one source.
const MAX_QUOTES: usize = 20;

/// The excerpts for an event as stored (its JSON) in a report's text, and the quotes near it.
pub fn for_event(
    text: &str,
    event: &serde_json::Value,
    extraction: &serde_json::Value,
) -> (Vec<Excerpt>, Vec<Quote>) {
    let Ok(event) = serde_json::from_value::<Event>(event.clone()) else {
        return (Vec::new(), Vec::new());
    };
    let doc = Document::new(text.to_string());
    let in_text = |s: Span| {
        s.end as usize <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    let mut marks: Vec<(Span, Mark)> = event
        .evidence
        .iter()
        .map(|e| (e.span(), Mark::Event))
        .collect();
    for f in &event.figures {
        let mark = match f.kind {
            CasualtyKind::Killed => Mark::Killed,
            CasualtyKind::Injured => Mark::Injured,
        };
        marks.push((f.evidence.span(), mark));
    }
    let anchors: Vec<Span> = marks.iter().map(|m| m.0).filter(|s| in_text(*s)).collect();
    marks.extend(event.locations.iter().map(|l| (l.span, Mark::Place)));
    if let Some(s) = event.when.span {
        marks.push((s, Mark::Date));
    }
    marks.retain(|(s, _)| in_text(*s) && !s.is_empty());
    // The sentences the event and its figures were read from.
    let sentences: BTreeSet<usize> = anchors
        .iter()
        .flat_map(|s| {
            let a = doc.sentence_at(s.start);
            let b = doc.sentence_at(s.end.saturating_sub(1).max(s.start));
            match (a, b) {
                (Some(a), Some(b)) => a..=b,
                (Some(a), None) | (None, Some(a)) => a..=a,
                #[allow(clippy::reversed_empty_ranges)]
                (None, None) => 1..=0,
            }
        })
        .collect();
    let excerpts = sentences
        .iter()
        .map(|&i| cut(text, doc.sentences[i].span, &marks))
        .collect();
    let paragraphs: BTreeSet<usize> = sentences
        .iter()
        .map(|&i| doc.sentences[i].paragraph)
        .collect();
    let cited: BTreeSet<&str> = event
        .attributed_to
        .iter()
        .chain(event.figures.iter().flat_map(|f| &f.attributed_to))
        .map(|s| s.name.as_str())
        .collect();
    let quotes = extraction
        .get("quotes")
        .and_then(|q| serde_json::from_value::<Vec<Quote>>(q.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|q| {
            let here = doc
                .sentence_at(q.start)
                .is_some_and(|s| paragraphs.contains(&doc.sentences[s].paragraph));
            let by_source = q
                .speaker
                .as_ref()
                .is_some_and(|s| cited.contains(s.name.as_str()));
            here || by_source
        })
        .take(MAX_QUOTES)
        .collect();
    (excerpts, quotes)
}

/// Cut `sentence` of `text` into segments at every mark boundary; each segment carries the most
/// specific mark covering it.
fn cut(text: &str, sentence: Span, marks: &[(Span, Mark)]) -> Excerpt {
    let mut bounds: BTreeSet<u32> = [sentence.start, sentence.end].into();
    for (s, _) in marks {
        for b in [s.start, s.end] {
            if b > sentence.start && b < sentence.end {
                bounds.insert(b);
            }
        }
    }
    let bounds: Vec<u32> = bounds.into_iter().collect();
    let mut segments: Vec<Segment> = Vec::new();
    for w in bounds.windows(2) {
        let piece = Span {
            start: w[0],
            end: w[1],
        };
        let mark = marks
            .iter()
            .filter(|(s, _)| s.contains(piece))
            .map(|(_, m)| *m)
            .max();
        match segments.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(&text[piece.range()]),
            _ => segments.push(Segment {
                text: text[piece.range()].to_string(),
                mark,
            }),
        }
    }
    Excerpt {
        start: sentence.start,
        end: sentence.end,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, needle: &str) -> Span {
        let s = text.find(needle).unwrap();
        Span::new(s, s + needle.len())
    }

    #[test]
    fn nested_marks_are_cut_with_the_most_specific_winning() {
        let text = "Shelling hit Aleppo on Monday. Four people were killed there, medics said.";
        let clause = span(text, "Four people were killed there");
        let four = span(text, "Four");
        let e = cut(
            text,
            span(text, "Four people were killed there, medics said."),
            &[
                (clause, Mark::Event),
                (four, Mark::Killed),
                (span(text, "Aleppo"), Mark::Place),
            ],
        );
        let got: Vec<(&str, Option<Mark>)> = e
            .segments
            .iter()
            .map(|s| (s.text.as_str(), s.mark))
            .collect();
        assert_eq!(
            got,
            [
                ("Four", Some(Mark::Killed)),
                (" people were killed there", Some(Mark::Event)),
                (", medics said.", None)
            ]
        );
        let joined: String = e.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            joined,
            &text[e.start as usize..e.end as usize],
            "segments cover the sentence exactly"
        );
    }
}
