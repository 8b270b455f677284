use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into one report's text.
///
/// Offsets are UTF-8 byte offsets, so `&text[span.range()]` is the mention itself. Reports are
/// capped far below 4 GiB, which is why `u32` is enough.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`; panics in debug builds if `end < start`.
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span end {end} before start {start}");
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a `usize` range for slicing the text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// True when the spans share at least one byte.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `other` lies inside `self`.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A span together with the text it covers, as written in evidence lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: u32,
    pub end: u32,
    pub text: String,
}

impl Evidence {
    /// Evidence for `span` of `text`; the span must lie on char boundaries.
    pub fn of(text: &str, span: Span) -> Self {
        Evidence {
            start: span.start,
            end: span.end,
            text: text[span.range()].to_string(),
        }
    }

    /// The span this evidence covers.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_takes_outer_bounds() {
        assert_eq!(Span::new(3, 5).cover(Span::new(1, 4)), Span::new(1, 5));
    }

    #[test]
    fn touching_spans_do_not_overlap() {
        assert!(!Span::new(0, 3).overlaps(Span::new(3, 6)));
        assert!(Span::new(0, 4).overlaps(Span::new(3, 6)));
    }
}
