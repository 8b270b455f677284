//! Reports shaped to make a stage super-linear or panic. Each once took minutes or stopped a
//! batch; here each must simply finish with the right reading. (Growth is measured, not timed
//! here: `sitrep bench --shapes` prints each shape at 100 KB, 1 MB and 4 MB.)

use sitrep_extract::{extract, Input};
use sitrep_model::{ReportMeta, WarningCode};

fn read(text: String) -> sitrep_model::Extraction {
    extract(Input {
        meta: ReportMeta {
            published: time::Date::from_calendar_date(2025, time::Month::November, 25).ok(),
            ..Default::default()
        },
        text,
        warnings: vec![],
    })
}

fn no_failure(x: &sitrep_model::Extraction) {
    for w in &x.warnings {
        assert!(
            !matches!(
                w.code,
                WarningCode::ExtractionFailed | WarningCode::TimeBudget
            ),
            "{w:?}"
        );
    }
}

#[test]
fn a_paragraph_of_many_quotation_marks_is_read_in_one_pass() {
    // Once quadratic: every quote looked back over every earlier "said" of the sentence.
    let x = read("\"He said ".repeat(25_000));
    no_failure(&x);
    assert!(x.quotes.len() + x.entities.len() > 1000);
}

#[test]
fn many_sentences_with_a_reporting_institution_are_read_in_one_pass() {
    // Once quadratic: each "officials said" searched every mention of the report.
    let text = "Two people were killed in the shelling of Kharkiv, Ukrainian officials said. "
        .repeat(8_000);
    let x = read(text);
    no_failure(&x);
    assert!(!x.events.is_empty());
}

#[test]
fn many_quotes_by_many_people_are_attributed_in_one_pass() {
    // Once quadratic: "he said" looked through every person's every mention.
    let mut text = String::new();
    for i in 0..3_000 {
        text.push_str(&format!(
            "Colonel Amal Haddad{i} spoke. \"We hold the line,\" he said. "
        ));
    }
    let x = read(text);
    no_failure(&x);
    assert!(x.quotes.iter().filter(|q| q.speaker.is_some()).count() > 2_000);
}
