//! `sitrep bench --shapes`: extraction time of pathological reports at 100 KB, 1 MB and 4 MB.
//!
//! Each shape repeats one small pattern that once made a stage super-linear (quotation marks
//! paired against every other, a speaker looked up across every earlier sentence, one sentence
//! with no end, ...). A linear stage takes about 10x longer at 1 MB than at 100 KB and 4x
//! longer at 4 MB than at 1 MB; the figures are printed, never asserted.

use std::time::Instant;

/// A pathological shape: a name and the pattern repeated to make it.
pub struct Shape {
    pub name: &'static str,
    pub unit: &'static str,
}

/// The shapes measured, one per kind of input that has been super-linear.
pub const SHAPES: &[Shape] = &[
    Shape {
        name: "quotation marks",
        unit: "\"He said ",
    },
    Shape {
        name: "attributed quotes",
        unit: "\"It was a strike,\" said Amal Haddad. ",
    },
    Shape {
        name: "speaker lookups",
        unit: "Three people were killed in the shelling, officials said. ",
    },
    Shape {
        name: "one endless sentence",
        unit: "troops shelled positions near the town and ",
    },
    Shape {
        name: "figures",
        unit: "killed 5 people and wounded 12, ",
    },
    Shape {
        name: "names and places",
        unit: "Ahmed Salem met Olena Petrenko in Kharkiv, Sumy and Odesa; ",
    },
    Shape {
        name: "open quotes",
        unit: "\u{201c}and ",
    },
    Shape {
        name: "paragraphs",
        unit: "Shelling hit Kharkiv.\n\n",
    },
];

/// Text of about `bytes` bytes made of `unit` repeated.
pub fn build(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes.div_ceil(unit.len()))
}

fn seconds(text: String) -> (f64, usize) {
    let t = Instant::now();
    let x = sitrep_extract::extract(sitrep_extract::Input {
        meta: sitrep_model::ReportMeta {
            published: Some(time::macros::date!(2025 - 11 - 25)),
            ..Default::default()
        },
        text,
        warnings: vec![],
    });
    (t.elapsed().as_secs_f64(), x.warnings.len())
}

/// Prints each shape's time at 100 KB, 1 MB and 4 MB and the growth ratios.
pub fn run() {
    say!("pathological shapes, one core: seconds at 100 KB / 1 MB / 4 MB (linear: x10, x4)");
    for s in SHAPES {
        let t: Vec<f64> = [100_000, 1_000_000, 4_000_000]
            .into_iter()
            .map(|n| seconds(build(s.unit, n)).0)
            .collect();
        say!(
            "  {:<22} {:7.3} {:7.3} {:7.3}   x{:.1}  x{:.1}",
            s.name,
            t[0],
            t[1],
            t[2],
            t[1] / t[0].max(1e-6),
            t[2] / t[1].max(1e-6)
        );
    }
}
