//! Time expressions ("overnight", "on Tuesday", "last week", "November 24") resolved against the
//! publication date into an inclusive date range with a precision.

use crate::segment::{Document, TokenKind};
use sitrep_model::{Span, TimePrecision};
use time::{Date, Duration, Month, Weekday};

/// A resolved time expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeExpr {
    pub span: Span,
    pub start: Date,
    pub end: Date,
    pub precision: TimePrecision,
}

/// Parse a publication date: `2025-11-25`, RFC 3339 (`2025-11-25T08:00:00Z`), RFC 2822
/// (`Tue, 25 Nov 2025 08:00:00 GMT`) or "November 25, 2025".
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        let y: i32 = s.get(0..4)?.parse().ok()?;
        let m: u8 = s.get(5..7)?.parse().ok()?;
        let d: u8 = s.get(8..10)?.parse().ok()?;
        return Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok();
    }
    // Word forms: pick out a day, a month name and a year in any order.
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if let Some(m) = month_of(w) {
            month.get_or_insert(m);
        } else if let Ok(n) = w.parse::<u32>() {
            if (1..=31).contains(&n) && day.is_none() && w.len() <= 2 {
                day = Some(n as u8);
            } else if (1000..=9999).contains(&n) {
                year.get_or_insert(n as i32);
            }
        }
    }
    Date::from_calendar_date(year?, month?, day?).ok()
}

fn month_of(w: &str) -> Option<Month> {
    let w = w.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    Some(match w {
        "january" | "jan" => Month::January,
        "february" | "feb" => Month::February,
        "march" | "mar" => Month::March,
        "april" | "apr" => Month::April,
        "may" => Month::May,
        "june" | "jun" => Month::June,
        "july" | "jul" => Month::July,
        "august" | "aug" => Month::August,
        "september" | "sep" | "sept" => Month::September,
        "october" | "oct" => Month::October,
        "november" | "nov" => Month::November,
        "december" | "dec" => Month::December,
        _ => return None,
    })
}

/// Whether `w` is the name of a day of the week ("Thursday"): a capitalised word that is never
/// a name of anyone.
pub fn is_weekday(w: &str) -> bool {
    weekday_of(w).is_some()
}

/// Whether `w` names a day of the week or a month, written in full ("Thursday", "April"): a time,
/// never a speaker alone. "May" is left out: it is also a surname and a verb.
pub fn is_calendar_word(w: &str) -> bool {
    let low = w.to_ascii_lowercase();
    is_weekday(&low) || (low.len() > 3 && low != "sept" && month_of(&low).is_some())
}

/// Whether token `k` of `doc` is a month named as a date whether or not it can be resolved: a
/// month written with a capital next to a day or a year ("30 March", "March 2", "March 2016",
/// "March 2nd") or after a word that places a time ("in March", "since March", "early March").
/// Such a word is never an act ("march"), even in a report with no publication date.
pub fn is_month_date(doc: &Document, k: usize) -> bool {
    let w = doc.tok(k);
    if !w.starts_with(|c: char| c.is_ascii_uppercase()) || month_of(w).is_none() {
        return false;
    }
    let tok = |j: usize| (j < doc.tokens.len()).then(|| doc.tok(j));
    let day_or_year = |t: &str| {
        let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.len() <= 4
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.len() != 3
    };
    let before = k.checked_sub(1).and_then(tok);
    tok(k + 1).is_some_and(day_or_year)
        || before.is_some_and(day_or_year)
        || before.is_some_and(|b| TIME_PLACERS.contains(&b.to_ascii_lowercase().as_str()))
}

/// Words after which a month is the time of something ("in March", "early March").
const TIME_PLACERS: &[&str] = &[
    "in", "since", "until", "till", "by", "from", "early", "late", "mid", "mid-", "last", "next",
    "this", "during", "before", "after", "through", "of", "to",
];

fn weekday_of(w: &str) -> Option<Weekday> {
    Some(match w.to_ascii_lowercase().as_str() {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn month_end(y: i32, m: Month) -> Date {
    Date::from_calendar_date(y, m, m.length(y)).expect("last day of a month is valid")
}

fn month_start(y: i32, m: Month) -> Date {
    Date::from_calendar_date(y, m, 1).expect("first day of a month is valid")
}

fn week_start(d: Date) -> Date {
    d - Duration::days(d.weekday().number_days_from_monday() as i64)
}

/// The publication years relative times are resolved against.
pub const RESOLVABLE_YEARS: std::ops::RangeInclusive<i32> = -9000..=9000;

/// Find the time expressions among tokens `range` of `doc`, resolved against `published`.
/// Relative expressions are skipped when there is no publication date.
pub fn find(
    doc: &Document,
    range: std::ops::Range<usize>,
    published: Option<Date>,
) -> Vec<TimeExpr> {
    // Resolving moves a year or a few weeks from publication: far from `Date`'s own limits
    // (years -9999 to 9999) that always stays in range. A date nearer them is no publication
    // date, and relative times are left unresolved as if there were none.
    let published = published.filter(|p| RESOLVABLE_YEARS.contains(&p.year()));
    let mut out = Vec::new();
    let low = |k: usize| doc.tok(k).to_ascii_lowercase();
    let mut i = range.start;
    while i < range.end {
        let w = low(i);
        let span_to = |j: usize| {
            Span::new(
                doc.tokens[i].span.start as usize,
                doc.tokens[j].span.end as usize,
            )
        };
        let next = |k: usize| {
            if i + k < range.end {
                low(i + k)
            } else {
                String::new()
            }
        };
        let mut found: Option<(usize, Date, Date, TimePrecision)> = None;
        if let Some(p) = published {
            match w.as_str() {
                "overnight" | "today" | "tonight" => found = Some((i, p, p, TimePrecision::Day)),
                "yesterday" => {
                    let d = p - Duration::days(1);
                    found = Some((i, d, d, TimePrecision::Day));
                }
                "this" if matches!(next(1).as_str(), "morning" | "afternoon" | "evening") => {
                    found = Some((i + 1, p, p, TimePrecision::Day))
                }
                "earlier" | "this" | "last" | "next" | "late" => {
                    let (k, unit) = if (w == "earlier" && next(1) == "this")
                        || (w == "late" && next(1) == "last")
                    {
                        (2, next(2))
                    } else {
                        (1, next(1))
                    };
                    let past = w == "last" || (w == "late" && k == 2);
                    let future = w == "next";
                    match unit.as_str() {
                        "week" => {
                            let ws = week_start(p);
                            let (s, e) = if past {
                                (ws - Duration::days(7), ws - Duration::days(1))
                            } else if future {
                                (ws + Duration::days(7), ws + Duration::days(13))
                            } else {
                                (ws, p)
                            };
                            found = Some((i + k, s, e, TimePrecision::Week));
                        }
                        "month" => {
                            let (y, m) = if past {
                                let prev = p.month().previous();
                                (
                                    if prev == Month::December {
                                        p.year() - 1
                                    } else {
                                        p.year()
                                    },
                                    prev,
                                )
                            } else if future {
                                let nx = p.month().next();
                                (
                                    if nx == Month::January {
                                        p.year() + 1
                                    } else {
                                        p.year()
                                    },
                                    nx,
                                )
                            } else {
                                (p.year(), p.month())
                            };
                            let e = if past || future { month_end(y, m) } else { p };
                            found = Some((i + k, month_start(y, m), e, TimePrecision::Month));
                        }
                        "year" => {
                            let y = if past {
                                p.year() - 1
                            } else if future {
                                p.year() + 1
                            } else {
                                p.year()
                            };
                            let e = if past || future {
                                month_end(y, Month::December)
                            } else {
                                p
                            };
                            found = Some((
                                i + k,
                                month_start(y, Month::January),
                                e,
                                TimePrecision::Year,
                            ));
                        }
                        "night" if past => {
                            let d = p - Duration::days(1);
                            found = Some((i + k, d, d, TimePrecision::Day));
                        }
                        _ => {
                            if let Some(wd) = weekday_of(&unit) {
                                // "last Tuesday": the latest before publication; "next Tuesday":
                                // the first after it (a week on, when published on a Tuesday).
                                let step = Duration::days(if future { 1 } else { -1 });
                                let mut d = p + step;
                                while d.weekday() != wd {
                                    d += step;
                                }
                                if past || future {
                                    found = Some((i + k, d, d, TimePrecision::Day));
                                }
                            }
                        }
                    }
                }
                _ => {
                    if let Some(wd) = weekday_of(&w) {
                        // The latest such weekday on or before publication.
                        let mut d = p;
                        while d.weekday() != wd {
                            d -= Duration::days(1);
                        }
                        let prev_on = i > range.start && low(i - 1) == "on";
                        let start_tok = if prev_on { i - 1 } else { i };
                        let mut end_tok = i;
                        if matches!(
                            next(1).as_str(),
                            "night" | "morning" | "evening" | "afternoon"
                        ) {
                            end_tok = i + 1;
                        }
                        out.push(TimeExpr {
                            span: Span::new(
                                doc.tokens[start_tok].span.start as usize,
                                doc.tokens[end_tok].span.end as usize,
                            ),
                            start: d,
                            end: d,
                            precision: TimePrecision::Day,
                        });
                        i = end_tok + 1;
                        continue;
                    }
                }
            }
        }
        if found.is_none() {
            found = explicit_date(doc, i, range.end, published);
        }
        if let Some((j, s, e, prec)) = found {
            out.push(TimeExpr {
                span: span_to(j),
                start: s,
                end: e,
                precision: prec,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// "November 24", "24 November 2025", "Nov. 24, 2025", "2025-11-24", "in March".
fn explicit_date(
    doc: &Document,
    i: usize,
    end: usize,
    published: Option<Date>,
) -> Option<(usize, Date, Date, TimePrecision)> {
    let toks = &doc.tokens;
    let num = |k: usize| -> Option<u32> {
        (k < end && toks[k].kind == TokenKind::Number)
            .then(|| doc.tok(k).parse().ok())
            .flatten()
    };
    let tok = doc.tok(i);
    if toks[i].kind == TokenKind::Number && tok.len() == 10 && tok.as_bytes()[4] == b'-' {
        let d = parse_date(tok)?;
        return Some((i, d, d, TimePrecision::Day));
    }
    let infer_year = |m: Month, d: u8| -> Option<i32> {
        let p = published?;
        let y = p.year();
        let this = Date::from_calendar_date(y, m, d).ok()?;
        // A date more than a month after publication is last year's.
        Some(if this > p + Duration::days(31) {
            y - 1
        } else {
            y
        })
    };
    // Month first: "November 24[, 2025]" or "Nov. 24".
    if let Some(m) = month_of(tok) {
        if tok.chars().next().is_some_and(char::is_uppercase) {
            let mut j = i + 1;
            if j < end && doc.tok(j) == "." {
                j += 1;
            }
            if let Some(d) = num(j).filter(|d| (1..=31).contains(d)) {
                let mut k = j;
                let mut year = None;
                if k + 1 < end && doc.tok(k + 1) == "," {
                    if let Some(y) = num(k + 2).filter(|y| (1900..=2100).contains(y)) {
                        year = Some(y as i32);
                        k += 2;
                    }
                } else if let Some(y) = num(k + 1).filter(|y| (1900..=2100).contains(y)) {
                    year = Some(y as i32);
                    k += 1;
                }
                let y = year.or_else(|| infer_year(m, d as u8))?;
                let date = Date::from_calendar_date(y, m, d as u8).ok()?;
                return Some((k, date, date, TimePrecision::Day));
            }
            // "in March [2024]": a month. "May" alone is too often a verb, so it needs "in".
            let prev_in = i > 0 && doc.tok(i - 1).eq_ignore_ascii_case("in");
            if prev_in {
                let (y, k) = match num(i + 1).filter(|y| (1900..=2100).contains(y)) {
                    Some(y) => (Some(y as i32), i + 1),
                    None => (infer_year(m, 1), i),
                };
                let y = y?;
                return Some((k, month_start(y, m), month_end(y, m), TimePrecision::Month));
            }
        }
        return None;
    }
    // Day first: "24 November [2025]".
    if let Some(d) = num(i).filter(|d| (1..=31).contains(d)) {
        if i + 1 < end {
            if let Some(m) = month_of(doc.tok(i + 1)) {
                let (y, k) = match num(i + 2).filter(|y| (1900..=2100).contains(y)) {
                    Some(y) => (Some(y as i32), i + 2),
                    None => (infer_year(m, d as u8), i + 1),
                };
                let date = Date::from_calendar_date(y?, m, d as u8).ok()?;
                return Some((k, date, date, TimePrecision::Day));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn resolve(s: &str) -> Vec<(String, Date, Date, TimePrecision)> {
        let d = Document::new(s.to_string());
        find(&d, 0..d.tokens.len(), Some(date!(2025 - 11 - 25)))
            .into_iter()
            .map(|t| (d.slice(t.span).to_string(), t.start, t.end, t.precision))
            .collect()
    }

    #[test]
    fn a_publication_date_at_the_end_of_time_resolves_nothing_and_does_not_panic() {
        let max = Date::from_calendar_date(9999, Month::December, 31).unwrap();
        let min = Date::from_calendar_date(-9999, Month::January, 1).unwrap();
        for p in [max, min] {
            for s in [
                "On March 5 it rained.",
                "Next year and last year.",
                "Next month, yesterday, next Tuesday, last week.",
            ] {
                let doc = Document::new(s.to_string());
                assert!(find(&doc, 0..doc.tokens.len(), Some(p)).is_empty(), "{s}");
            }
        }
    }

    #[test]
    fn a_month_next_to_a_day_a_year_or_a_time_word_is_a_date_and_a_march_is_not() {
        let month_at = |s: &str| {
            let d = Document::new(s.to_string());
            (0..d.tokens.len()).any(|k| is_month_date(&d, k))
        };
        for s in [
            "Since 30 March, sites have stopped.",
            "He voted on March 2 in Miami.",
            "It rained in March 2016.",
            "Talks resumed in early March.",
            "On March 2nd they met.",
        ] {
            assert!(month_at(s), "{s}");
        }
        for s in [
            "Thousands joined the march to the capital.",
            "They will March on Sunday.",
            "A protest march of 300 people.",
        ] {
            assert!(!month_at(s), "{s}");
        }
    }

    #[test]
    fn overnight_and_yesterday_resolve_to_days() {
        assert_eq!(resolve("strikes overnight")[0].1, date!(2025 - 11 - 25));
        assert_eq!(resolve("yesterday")[0].1, date!(2025 - 11 - 24));
    }

    #[test]
    fn days_and_months_in_full_are_calendar_words_but_may_is_not() {
        assert!(is_calendar_word("Thursday"));
        assert!(is_calendar_word("April"));
        assert!(is_calendar_word("june"));
        assert!(!is_calendar_word("May"));
        assert!(!is_calendar_word("Jan"));
        assert!(!is_calendar_word("Clinton"));
    }

    #[test]
    fn a_weekday_is_the_latest_one_not_after_publication() {
        // 2025-11-25 is a Tuesday.
        let r = resolve("attacked on Sunday night");
        assert_eq!(r[0].0, "on Sunday night");
        assert_eq!(r[0].1, date!(2025 - 11 - 23));
        assert_eq!(resolve("on Tuesday")[0].1, date!(2025 - 11 - 25));
    }

    #[test]
    fn last_and_next_weekdays_are_before_and_after_publication() {
        // 2025-11-25 is a Tuesday: "next Tuesday" is a week on, never the day itself.
        assert_eq!(resolve("next Tuesday")[0].1, date!(2025 - 12 - 02));
        assert_eq!(resolve("next Wednesday")[0].1, date!(2025 - 11 - 26));
        assert_eq!(resolve("last Tuesday")[0].1, date!(2025 - 11 - 18));
        assert_eq!(resolve("last Monday")[0].1, date!(2025 - 11 - 24));
    }

    #[test]
    fn weeks_and_months_have_ranges() {
        let r = resolve("last week");
        assert_eq!(
            (r[0].1, r[0].2, r[0].3),
            (
                date!(2025 - 11 - 17),
                date!(2025 - 11 - 23),
                TimePrecision::Week
            )
        );
        let r = resolve("talks this week");
        assert_eq!(
            (r[0].1, r[0].2),
            (date!(2025 - 11 - 24), date!(2025 - 11 - 25))
        );
        let r = resolve("earlier this month");
        assert_eq!(
            (r[0].1, r[0].3),
            (date!(2025 - 11 - 01), TimePrecision::Month)
        );
    }

    #[test]
    fn explicit_dates_infer_the_year() {
        assert_eq!(resolve("on November 24")[0].1, date!(2025 - 11 - 24));
        assert_eq!(resolve("on 3 December")[0].1, date!(2025 - 12 - 03));
        assert_eq!(resolve("on 28 December")[0].1, date!(2024 - 12 - 28));
        assert_eq!(resolve("Nov. 2, 2023")[0].1, date!(2023 - 11 - 02));
        assert_eq!(resolve("in March")[0].3, TimePrecision::Month);
    }

    #[test]
    fn publication_dates_parse_in_common_formats() {
        assert_eq!(parse_date("2025-11-25"), Some(date!(2025 - 11 - 25)));
        assert_eq!(
            parse_date("2025-11-25T08:00:00+02:00"),
            Some(date!(2025 - 11 - 25))
        );
        assert_eq!(
            parse_date("Tue, 25 Nov 2025 08:00:00 GMT"),
            Some(date!(2025 - 11 - 25))
        );
        assert_eq!(parse_date("sometime"), None);
        assert_eq!(parse_date("2025-13-45"), None);
    }
}
