//! Any bytes, read as a report is read: decoded, stripped of HTML when they look like it, its
//! page date taken, and extracted. Nothing may panic, and every span must slice the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitrep_text::{decode, html, timex};

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = decode(data) else { return };
    let mut text = decoded.text;
    let mut published = None;
    if html::looks_like_html(&text) {
        let page = html::main_text(&text);
        published = page.published.as_deref().and_then(timex::parse_date);
        text = page.text;
    }
    // Half the inputs are read as published at the end of time, where date arithmetic overflows.
    if data.first().is_some_and(|b| b & 1 == 1) {
        published = time::Date::from_calendar_date(9999, time::Month::December, 31).ok();
    }
    let x = sitrep_extract::extract(sitrep_extract::Input {
        meta: sitrep_model::ReportMeta { published, ..Default::default() },
        text: text.clone(),
        warnings: decoded.warnings,
    });
    for q in &x.quotes {
        assert!(text.get(q.start as usize..q.end as usize).is_some());
    }
    for e in &x.entities {
        for m in &e.mentions {
            assert!(text.get(m.start as usize..m.end as usize).is_some());
        }
    }
});
