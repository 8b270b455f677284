//! `sitrep geoparse`: toponym resolution alone, on spans given with the text, so resolution
//! can be measured as the geoparsing literature measures it (given the gold names).
//!
//! Input: JSON Lines `{"id"?, "text", "spans": [{"start", "end"}]}` (byte offsets); a gold file
//! whose records carry `toponyms` (`../shared/data/gwn.dev.jsonl`) is read the same way, its
//! toponyms as the spans. Output: one line per record, `{"id", "places": [...]}`, each span's
//! chosen place (or null where the gazetteer has no candidate). With `--score`, spans that
//! carry gold coordinates (`lat`, `lon`, `geonames_id`) are scored on stderr.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sitrep_extract::geocode;
use sitrep_gazetteer::{distance_km, Gazetteer};
use sitrep_model::PlaceKind;
use sitrep_text::Document;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// Arguments of `sitrep geoparse`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// JSON Lines with `text` and `spans` (or `toponyms`), or - for stdin.
    pub file: PathBuf,
    /// Score the spans that carry gold coordinates (acc@161, GeoNames id) on stderr.
    #[arg(long)]
    pub score: bool,
}

#[derive(Deserialize)]
struct SpanIn {
    start: usize,
    end: usize,
    lat: Option<f64>,
    lon: Option<f64>,
    geonames_id: Option<u32>,
}

#[derive(Deserialize)]
struct RecordIn {
    #[serde(default)]
    id: Option<String>,
    text: String,
    #[serde(default)]
    spans: Vec<SpanIn>,
    #[serde(default)]
    toponyms: Vec<SpanIn>,
}

#[derive(Serialize)]
struct PlaceOut {
    start: usize,
    end: usize,
    /// The name as written.
    text: String,
    /// The gazetteer's (canonical) name.
    name: String,
    geonames_id: Option<u32>,
    lat: f64,
    lon: f64,
    country: String,
    admin1: Option<String>,
    admin2: Option<String>,
    feature: String,
    kind: PlaceKind,
}

#[derive(Serialize)]
struct RecordOut {
    id: Option<String>,
    places: Vec<Option<PlaceOut>>,
}

#[derive(Default)]
struct Score {
    n: usize,
    within: usize,
    with_id: usize,
    id_ok: usize,
    errors: Vec<f64>,
}

/// Runs `sitrep geoparse`.
pub fn run(args: Args) -> Result<()> {
    let reader: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&args.file)
                .with_context(|| format!("opening {}", args.file.display()))?,
        ))
    };
    let lines: Vec<String> = reader
        .lines()
        .collect::<std::io::Result<_>>()
        .context("reading the input")?;
    let lines: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    let gaz = Gazetteer::global();
    let results: Vec<Result<(RecordOut, Score)>> = lines
        .par_iter()
        .enumerate()
        .map(|(n, line)| {
            let mut r: RecordIn = serde_json::from_str(line)
                .with_context(|| format!("line {}: a record with text and spans", n + 1))?;
            if r.spans.is_empty() {
                r.spans = std::mem::take(&mut r.toponyms);
            }
            let spans: Vec<(usize, usize)> = r.spans.iter().map(|s| (s.start, s.end)).collect();
            let doc = Document::new(std::mem::take(&mut r.text));
            let chosen = geocode::resolve_spans(&doc, &spans);
            let mut score = Score::default();
            let places = r
                .spans
                .iter()
                .zip(&chosen)
                .map(|(s, p)| {
                    if let (Some(lat), Some(lon)) = (s.lat, s.lon) {
                        score.n += 1;
                        if let Some(p) = p {
                            let d = distance_km(p.lat, p.lon, lat, lon);
                            score.within += usize::from(d <= 161.0);
                            score.errors.push(d);
                        }
                    }
                    if let Some(id) = s.geonames_id {
                        score.with_id += 1;
                        score.id_ok += usize::from(p.is_some_and(|p| p.geonameid == id));
                    }
                    p.map(|p| PlaceOut {
                        start: s.start,
                        end: s.end,
                        text: doc.text.get(s.start..s.end).unwrap_or_default().to_string(),
                        name: p.name.to_string(),
                        geonames_id: (p.geonameid != 0).then_some(p.geonameid),
                        lat: (p.lat * 1e5).round() / 1e5,
                        lon: (p.lon * 1e5).round() / 1e5,
                        country: p.country.to_string(),
                        admin1: (!p.admin1.is_empty()).then(|| {
                            gaz.admin1(p.admin1)
                                .map_or_else(|| p.admin1.to_string(), |a| a.name.to_string())
                        }),
                        admin2: (!p.admin2.is_empty()).then(|| p.admin2.to_string()),
                        feature: p.code.to_string(),
                        kind: geocode::place_kind(&p),
                    })
                })
                .collect();
            Ok((RecordOut { id: r.id, places }, score))
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut total = Score::default();
    for r in results {
        let (rec, s) = r?;
        serde_json::to_writer(&mut out, &rec)?;
        out.write_all(b"\n")?;
        total.n += s.n;
        total.within += s.within;
        total.with_id += s.with_id;
        total.id_ok += s.id_ok;
        total.errors.extend(s.errors);
    }
    out.flush()?;
    if args.score {
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        total.errors.sort_by(f64::total_cmp);
        let median = total.errors.get(total.errors.len() / 2).copied();
        eprintln!(
            "resolution given the spans: acc@161 {:.1}% ({}/{}), median error {}, geonames id {:.1}% ({}/{})",
            pct(total.within, total.n),
            total.within,
            total.n,
            median.map_or("–".to_string(), |m| format!("{m:.1} km")),
            pct(total.id_ok, total.with_id),
            total.id_ok,
            total.with_id,
        );
    }
    Ok(())
}
