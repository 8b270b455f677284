//! Gold files and scores.
//!
//! A gold file is JSON Lines, one report a line, in the format of `../shared/data/README.md`:
//! every field but `id` optional, and an absent field is not scored. [`score`] compares
//! extractions with gold records and counts, per field, what matched; [`Scores`] prints
//! precision, recall and F1 with the counts behind every figure.
//!
//! Architecture invariant: scoring only; running the extractor is the caller's business.

use serde::{Deserialize, Serialize};
use sitrep_gazetteer::distance_km;
use sitrep_model::{EntityKind, Extraction, Family, Role};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One gold report.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldRecord {
    pub id: String,
    pub text: Option<String>,
    pub text_file: Option<String>,
    pub published: Option<String>,
    pub events: Option<Vec<GoldEvent>>,
    pub quotes: Option<Vec<GoldQuote>>,
    pub toponyms: Option<Vec<GoldToponym>>,
    /// The PLOVER gold-standard coding of a sentence (`plover-gsr.dev.jsonl`).
    #[serde(default)]
    pub plover: Option<GoldPlover>,
    /// The ACLED row behind a record (`acled-2022.dev.jsonl`): its actor types are scored.
    #[serde(default)]
    pub acled: Option<GoldAcled>,
    /// PolNeAR's annotation of the article (`polnear.dev.jsonl`): its attributions that are no
    /// direct quote score indirect speech (see [`score_indirect`]).
    #[serde(default)]
    pub polnear: Option<GoldPolnear>,
}

/// A PolNeAR article's compartment (`train` or `dev`) and every annotated attribution.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoldPolnear {
    pub compartment: Option<String>,
    #[serde(default)]
    pub attributions: Vec<GoldAttribution>,
}

/// One annotated attribution: its id, source spans (with their text) and content spans.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoldAttribution {
    pub id: String,
    #[serde(default)]
    pub source: Vec<GoldSpan>,
    #[serde(default)]
    pub content: Vec<GoldSpan>,
}

/// A byte span of the report, with its text where the gold file gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoldSpan {
    pub start: u32,
    pub end: u32,
    pub text: Option<String>,
}

/// The fields of an ACLED row that are scored: the actor types (`inter1`, `inter2`; 0 where
/// the row has no second actor).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoldAcled {
    pub inter1: Option<u8>,
    pub inter2: Option<u8>,
}

/// The fields of a PLOVER coding that are scored: the category (0.5b1 and 2021 names) and the
/// CAMEO code recovered for the sentence.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoldPlover {
    pub event: Option<String>,
    pub plover2021: Option<String>,
    pub cameo: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldEvent {
    pub family: String,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub initiator_country: Option<String>,
    #[serde(default)]
    pub locations: Vec<GoldLocation>,
    pub date: Option<String>,
    pub killed: Option<u64>,
    pub injured: Option<u64>,
    pub killed_at_least: Option<bool>,
    pub injured_at_least: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldLocation {
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldQuote {
    pub text: String,
    pub speaker: Option<String>,
    /// The attribution (PolNeAR) this quote lies in, and its source spans.
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub source: Vec<GoldSpan>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldToponym {
    pub start: u32,
    pub end: u32,
    pub lat: f64,
    pub lon: f64,
    pub geonames_id: Option<u32>,
}

/// Why a gold file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    #[error("cannot read gold file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a gold record: {source}")]
    Parse {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{path}:{line}: record {id:?} has neither text nor a readable text_file ({detail})")]
    NoText {
        path: PathBuf,
        line: usize,
        id: String,
        detail: String,
    },
}

/// A gold record with its text loaded.
#[derive(Debug, Clone)]
pub struct LoadedGold {
    pub record: GoldRecord,
    pub text: String,
}

/// Read a gold file; `text_file` paths are relative to the gold file.
pub fn load(path: &Path) -> Result<Vec<LoadedGold>, GoldError> {
    let data = std::fs::read_to_string(path).map_err(|source| GoldError::Io {
        path: path.into(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (n, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: GoldRecord = serde_json::from_str(line).map_err(|source| GoldError::Parse {
            path: path.into(),
            line: n + 1,
            source,
        })?;
        let text = match (&record.text, &record.text_file) {
            (Some(t), _) => t.clone(),
            (None, Some(f)) => {
                std::fs::read_to_string(dir.join(f)).map_err(|e| GoldError::NoText {
                    path: path.into(),
                    line: n + 1,
                    id: record.id.clone(),
                    detail: format!("{}: {e}", dir.join(f).display()),
                })?
            }
            (None, None) => {
                return Err(GoldError::NoText {
                    path: path.into(),
                    line: n + 1,
                    id: record.id.clone(),
                    detail: "no text field".into(),
                })
            }
        };
        out.push(LoadedGold { record, text });
    }
    Ok(out)
}

/// A ratio with the counts behind it.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
}

impl Ratio {
    pub fn value(&self) -> Option<f64> {
        (self.total > 0).then(|| self.hits as f64 / self.total as f64)
    }
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(v) => write!(f, "{:5.1}% ({}/{})", v * 100.0, self.hits, self.total),
            None => write!(f, "    –  (0/0)"),
        }
    }
}

/// Matched, predicted and gold counts of one field.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Prf {
    pub matched: usize,
    pub predicted: usize,
    pub gold: usize,
}

impl Prf {
    pub fn precision(&self) -> Option<f64> {
        (self.predicted > 0).then(|| self.matched as f64 / self.predicted as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.gold > 0).then(|| self.matched as f64 / self.gold as f64)
    }
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        (p + r > 0.0).then(|| 2.0 * p * r / (p + r)).or(Some(0.0))
    }
}

impl fmt::Display for Prf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct =
            |v: Option<f64>| v.map_or("   – ".to_string(), |v| format!("{:5.1}", v * 100.0));
        write!(
            f,
            "P {}  R {}  F1 {}  (matched {}, predicted {}, gold {})",
            pct(self.precision()),
            pct(self.recall()),
            pct(self.f1()),
            self.matched,
            self.predicted,
            self.gold
        )
    }
}

/// Every score `sitrep eval` prints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub reports: usize,
    pub events: Prf,
    pub event_type: Ratio,
    pub initiator: Ratio,
    /// Some initiator has ACLED's `inter1` (ACLED's actor1 is not always the one who acted).
    pub initiator_kind: Ratio,
    /// Some initiator has `inter1` and the gold initiator's country.
    pub initiator_kind_country: Ratio,
    /// An initiator and a target (or none: 0) have the codes {`inter1`, `inter2`}, in either order.
    pub actor_pair: Ratio,
    pub killed: Ratio,
    pub injured: Ratio,
    pub at_least: Ratio,
    pub quotes: Prf,
    pub speaker: Ratio,
    /// Reported speech (indirect quotes) against PolNeAR's attributions that hold no direct
    /// quote: every article, and the `dev` compartment alone (see [`score_indirect`]).
    pub indirect: IndirectScores,
    pub toponyms: Prf,
    pub acc161: Ratio,
    pub median_error_km: Option<f64>,
    pub geonames_id: Ratio,
    /// Records with one gold event, scored as a coder's record (see [`score_record`]).
    pub records: RecordScores,
    #[serde(skip)]
    errors_km: Vec<f64>,
}

/// Scores of records that code one event each (ACLED's notes) and of PLOVER-coded sentences. The
/// record's event is the first event of the extraction (the one told first): a note leads with
/// its event.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordScores {
    /// Some event was read from the record.
    pub detected: Ratio,
    /// The first event's family is the gold family, by gold family.
    pub family: BTreeMap<String, Ratio>,
    /// Mean of `family` over families (each family weighted equally).
    pub family_macro: Option<f64>,
    /// The first event's type is the gold type, by gold family.
    pub event_type: BTreeMap<String, Ratio>,
    /// Mean of `event_type` over families.
    pub type_macro: Option<f64>,
    /// Some place of the first event lies within 25 km of the gold place.
    pub location_25km: Ratio,
    /// Killed (summed over root events) equals the gold figure, where the coder recorded deaths
    /// and the text states no counting convention of its own (see `counting_convention`).
    pub fatalities_exact: Ratio,
    /// The first event's CAMEO root (two digits) is the gold code's.
    pub cameo_root: Ratio,
    /// The first event's PLOVER category is the gold one (in 0.5b1 or 2021 names).
    pub plover: Ratio,
}

fn macro_of(m: &BTreeMap<String, Ratio>) -> Option<f64> {
    let v: Vec<f64> = m.values().filter_map(Ratio::value).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

impl fmt::Display for RecordScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct =
            |v: Option<f64>| v.map_or("   – ".to_string(), |v| format!("{:5.1}", v * 100.0));
        writeln!(f, "records (one gold event each)")?;
        writeln!(f, "  event detected      {}", self.detected)?;
        writeln!(f, "  family (macro)      {}%", pct(self.family_macro))?;
        writeln!(f, "  type (macro/family) {}%", pct(self.type_macro))?;
        for (fam, r) in &self.family {
            let t = self.event_type.get(fam).copied().unwrap_or_default();
            writeln!(f, "    {fam:<28} family {r}  type {t}")?;
        }
        writeln!(f, "  location <= 25 km   {}", self.location_25km)?;
        writeln!(f, "  fatalities exact    {}", self.fatalities_exact)?;
        writeln!(f, "  CAMEO root          {}", self.cameo_root)?;
        write!(f, "  PLOVER category     {}", self.plover)
    }
}

/// Whether a coder's note states how its deaths were counted ("unknown fatalities coded as 3",
/// "fatalities split across 3 events"): its figure is then the convention's, not the text's.
fn counting_convention(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("fatalit")
        && (t.contains(" coded") || t.contains("split") || t.contains("estimated"))
}

/// Scores one gold record as a coder's record: with one gold event, or a PLOVER coding.
pub fn score_record(gold: &GoldRecord, text: &str, x: &Extraction, s: &mut RecordScores) {
    let first = x
        .events
        .iter()
        .min_by_key(|e| e.evidence.first().map_or(u32::MAX, |v| v.start));
    if let Some(p) = &gold.plover {
        if p.event.is_some() {
            s.detected.add(first.is_some());
        }
        if let Some(code) = p.cameo.as_deref().filter(|c| c.len() >= 2) {
            let root = first
                .and_then(|e| e.cameo.as_deref())
                .map(|c| &c[..2.min(c.len())]);
            s.cameo_root.add(root == Some(&code[..2]));
        }
        if p.event.is_some() || p.plover2021.is_some() {
            let got = first.and_then(|e| e.plover.as_deref());
            s.plover.add(got.is_some_and(|g| {
                p.event.as_deref() == Some(g) || p.plover2021.as_deref() == Some(g)
            }));
        }
        return;
    }
    let Some([g]) = gold.events.as_deref() else {
        return;
    };
    s.detected.add(first.is_some());
    let fam = g.family.clone();
    s.family
        .entry(fam.clone())
        .or_default()
        .add(first.is_some_and(|e| e.family.as_str() == g.family));
    if let Some(t) = &g.event_type {
        s.event_type
            .entry(fam)
            .or_default()
            .add(first.is_some_and(|e| e.event_type.as_str() == t));
    }
    if !g.locations.is_empty() {
        let glocs: Vec<(f64, f64)> = g.locations.iter().map(|l| (l.lat, l.lon)).collect();
        let plocs: Vec<(f64, f64)> = first
            .map(|e| e.locations.iter().map(|l| (l.lat, l.lon)).collect())
            .unwrap_or_default();
        s.location_25km
            .add(min_distance(&plocs, &glocs).is_some_and(|d| d <= 25.0));
    }
    if let Some(k) = g.killed.filter(|k| *k > 0) {
        if !counting_convention(text) {
            let killed: u64 = x
                .events
                .iter()
                .filter(|e| e.part_of.is_none())
                .filter_map(|e| e.casualties.killed.map(|c| c.value))
                .sum();
            s.fatalities_exact.add(killed == k);
        }
    }
    s.family_macro = macro_of(&s.family);
    s.type_macro = macro_of(&s.event_type);
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "reports scored: {}", self.reports)?;
        writeln!(f, "events     {}", self.events)?;
        writeln!(f, "  type accuracy       {}", self.event_type)?;
        writeln!(f, "  initiator accuracy  {}", self.initiator)?;
        if self.initiator_kind.total > 0 {
            writeln!(f, "  initiator kind      {}", self.initiator_kind)?;
            writeln!(f, "  initiator kind+cty  {}", self.initiator_kind_country)?;
            writeln!(f, "  actor pair (inter)  {}", self.actor_pair)?;
        }
        writeln!(f, "  killed exact        {}", self.killed)?;
        writeln!(f, "  injured exact       {}", self.injured)?;
        writeln!(f, "  at_least agreement  {}", self.at_least)?;
        writeln!(f, "quotes     {}", self.quotes)?;
        writeln!(f, "  speaker accuracy    {}", self.speaker)?;
        if self.indirect.all.gold > 0 {
            write!(f, "{}", self.indirect)?;
        }
        writeln!(f, "toponyms   {}", self.toponyms)?;
        writeln!(f, "  acc@161km           {}", self.acc161)?;
        match self.median_error_km {
            Some(m) => writeln!(f, "  median error        {m:.1} km")?,
            None => writeln!(f, "  median error        –")?,
        }
        write!(f, "  geonames id exact   {}", self.geonames_id)?;
        // Record measures only for files of one-event records or PLOVER codings.
        let r = &self.records;
        if r.detected.total + r.cameo_root.total + r.plover.total > 0 {
            write!(f, "\n{r}")?;
        }
        Ok(())
    }
}

fn min_distance(a: &[(f64, f64)], b: &[(f64, f64)]) -> Option<f64> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| distance_km(x.0, x.1, y.0, y.1)))
        .min_by(f64::total_cmp)
}

/// Longest common substring length, in chars, of two short strings.
fn common_substring(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev = vec![0usize; b.len() + 1];
    let mut best = 0;
    for i in 1..=a.len() {
        let mut cur = vec![0usize; b.len() + 1];
        for j in 1..=b.len() {
            if a[i - 1] == b[j - 1] {
                cur[j] = prev[j - 1] + 1;
                best = best.max(cur[j]);
            }
        }
        prev = cur;
    }
    best
}

fn last_name(s: &str) -> String {
    s.split_whitespace().last().unwrap_or("").to_lowercase()
}

/// Scores the actor types of a matched event against its ACLED row: the initiator's kind (and
/// country, where the gold record gives one) and the pair of kinds.
fn score_kinds(a: &GoldAcled, country: Option<&str>, p: &sitrep_model::Event, s: &mut Scores) {
    let Some(i1) = a.inter1 else {
        return;
    };
    let of = |role: Role| p.actors.iter().filter(move |x| x.role == role);
    s.initiator_kind
        .add(of(Role::Initiator).any(|x| x.inter == Some(i1)));
    if let Some(c) = country {
        s.initiator_kind_country.add(
            of(Role::Initiator).any(|x| x.inter == Some(i1) && x.country.as_deref() == Some(c)),
        );
    }
    let mut gold = [i1, a.inter2.unwrap_or(0)];
    gold.sort_unstable();
    let mut targets: Vec<u8> = of(Role::Target).map(|x| x.inter.unwrap_or(0)).collect();
    if targets.is_empty() {
        targets.push(0);
    }
    s.actor_pair
        .add(of(Role::Initiator).filter_map(|x| x.inter).any(|i| {
            targets.iter().any(|&t| {
                let mut pair = [i, t];
                pair.sort_unstable();
                pair == gold
            })
        }));
}

/// Score `predicted[i]` against `gold[i]`, adding to `scores`.
pub fn score_one(gold: &GoldRecord, x: &Extraction, scores: &mut Scores) {
    scores.reports += 1;
    score_record(
        gold,
        gold.text.as_deref().unwrap_or(""),
        x,
        &mut scores.records,
    );
    if let Some(gevents) = &gold.events {
        let preds: Vec<_> = x.events.iter().collect();
        // (distance km, types differ, prediction, gold): nearest first, and among events at the
        // same distance (one place named for several) the one of the same type.
        let mut pairs: Vec<(f64, bool, usize, usize)> = Vec::new();
        for (pi, p) in preds.iter().enumerate() {
            let plocs: Vec<(f64, f64)> = p.locations.iter().map(|l| (l.lat, l.lon)).collect();
            for (gi, g) in gevents.iter().enumerate() {
                if Family::parse(&g.family) != Some(p.family) {
                    continue;
                }
                let differ = g.event_type.as_deref() != Some(p.event_type.as_str());
                let glocs: Vec<(f64, f64)> = g.locations.iter().map(|l| (l.lat, l.lon)).collect();
                if plocs.is_empty() && glocs.is_empty() {
                    let pdate = p.when.start.map(sitrep_model::opt_date::format);
                    let gdate = g
                        .date
                        .clone()
                        .or_else(|| gold.published.clone())
                        .map(|d| d.chars().take(10).collect::<String>());
                    if pdate == gdate {
                        pairs.push((0.0, differ, pi, gi));
                    }
                } else if let Some(d) = min_distance(&plocs, &glocs).filter(|d| *d <= 50.0) {
                    pairs.push((d, differ, pi, gi));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut used_p, mut used_g) = (vec![false; preds.len()], vec![false; gevents.len()]);
        scores.events.predicted += preds.len();
        scores.events.gold += gevents.len();
        for (_, _, pi, gi) in pairs {
            if used_p[pi] || used_g[gi] {
                continue;
            }
            used_p[pi] = true;
            used_g[gi] = true;
            scores.events.matched += 1;
            let (p, g) = (preds[pi], &gevents[gi]);
            if let Some(t) = &g.event_type {
                scores.event_type.add(p.event_type.as_str() == t);
            }
            if let Some(c) = &g.initiator_country {
                scores.initiator.add(p.actors.iter().any(|a| {
                    a.role == Role::Initiator && a.country.as_deref() == Some(c.as_str())
                }));
            }
            if let (Some(a), [_]) = (&gold.acled, gevents.as_slice()) {
                score_kinds(a, g.initiator_country.as_deref(), p, scores);
            }
            if let Some(k) = g.killed {
                scores
                    .killed
                    .add(p.casualties.killed.map(|c| c.value) == Some(k));
            }
            if let Some(k) = g.injured {
                scores
                    .injured
                    .add(p.casualties.injured.map(|c| c.value) == Some(k));
            }
            if g.killed.is_some() || g.killed_at_least.is_some() {
                scores.at_least.add(
                    p.casualties.killed.is_some_and(|c| c.at_least())
                        == g.killed_at_least.unwrap_or(false),
                );
            }
            if g.injured.is_some() || g.injured_at_least.is_some() {
                scores.at_least.add(
                    p.casualties.injured.is_some_and(|c| c.at_least())
                        == g.injured_at_least.unwrap_or(false),
                );
            }
        }
    }
    if let Some(p) = &gold.polnear {
        score_indirect(
            p,
            gold.quotes.as_deref().unwrap_or(&[]),
            x,
            &mut scores.indirect,
        );
    }
    if let Some(gq) = &gold.quotes {
        // Quotations only: reported speech is scored apart, and never counts against them.
        let direct: Vec<&sitrep_model::Quote> = x.quotes.iter().filter(|q| !q.indirect).collect();
        scores.quotes.predicted += direct.len();
        scores.quotes.gold += gq.len();
        let mut used = vec![false; direct.len()];
        for g in gq {
            let hit = direct
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .find(|(_, q)| {
                    let shorter = q.text.chars().count().min(g.text.chars().count());
                    shorter > 0 && common_substring(&q.text, &g.text) * 2 >= shorter
                });
            if let Some((i, q)) = hit {
                used[i] = true;
                scores.quotes.matched += 1;
                if let Some(s) = &g.speaker {
                    scores.speaker.add(
                        q.speaker
                            .as_ref()
                            .is_some_and(|p| last_name(&p.name) == last_name(s)),
                    );
                }
            }
        }
    }
    if let Some(gt) = &gold.toponyms {
        let places: Vec<(sitrep_model::Span, &sitrep_model::Entity)> = x
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Place)
            .flat_map(|e| e.mentions.iter().map(move |m| (*m, e)))
            .collect();
        scores.toponyms.predicted += places.len();
        scores.toponyms.gold += gt.len();
        let mut used = vec![false; places.len()];
        for g in gt {
            let gs = sitrep_model::Span {
                start: g.start,
                end: g.end,
            };
            if let Some(i) = (0..places.len()).find(|&i| !used[i] && places[i].0.overlaps(gs)) {
                used[i] = true;
                scores.toponyms.matched += 1;
                let e = places[i].1;
                if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
                    let d = distance_km(lat, lon, g.lat, g.lon);
                    scores.acc161.add(d <= 161.0);
                    scores.errors_km.push(d);
                }
                if let (Some(a), Some(b)) = (e.geonames_id, g.geonames_id) {
                    scores.geonames_id.add(a == b);
                }
            }
        }
        let mut e = scores.errors_km.clone();
        e.sort_by(f64::total_cmp);
        scores.median_error_km = (!e.is_empty()).then(|| {
            if e.len() % 2 == 1 {
                e[e.len() / 2]
            } else {
                (e[e.len() / 2 - 1] + e[e.len() / 2]) / 2.0
            }
        });
    }
}

/// Scores of reported speech (see [`score_indirect`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndirectScores {
    /// Content spans over every article.
    pub all: Prf,
    /// Speaker accuracy over the matches of `all` whose gold source names someone.
    pub speaker: Ratio,
    /// The same over PolNeAR's `dev` compartment (articles no model learnt from).
    pub dev: Prf,
    pub dev_speaker: Ratio,
}

impl fmt::Display for IndirectScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "indirect   {}", self.all)?;
        writeln!(f, "  speaker accuracy    {}", self.speaker)?;
        if self.dev.gold > 0 {
            writeln!(f, "indirect (dev compartment) {}", self.dev)?;
            writeln!(f, "  speaker accuracy    {}", self.dev_speaker)?;
        }
        Ok(())
    }
}

/// Do two byte spans overlap by at least half the shorter (as quotes are matched)?
fn overlaps_half(a: (u32, u32), b: (u32, u32)) -> bool {
    let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
    let shorter = (a.1 - a.0).min(b.1 - b.0);
    hi > lo && shorter > 0 && (hi - lo) * 2 >= shorter
}

/// Capitalised words of a source span that name nobody ("The spokesman", "He", "Some
/// Republicans"): a sentence opening's capital, or a group.
const UNNAMED: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "you",
    "this",
    "that",
    "but",
    "and",
    "some",
    "several",
    "many",
    "most",
    "both",
    "all",
    "other",
    "others",
    "few",
    "one",
    "two",
    "those",
    "these",
    "fellow",
    "officials",
    "critics",
    "experts",
    "analysts",
    "supporters",
    "sources",
    "aides",
    "democrats",
    "republicans",
];

/// Scores reported speech against PolNeAR's attributions of one article. Gold: every
/// attribution that no gold quote lies in (indirect speech, beliefs, intentions), its content
/// taken from its first to its last content byte. A predicted indirect quote matches a gold
/// content it overlaps by at least half the shorter span (greedily, in gold order); one that
/// matches none but overlaps an attribution that holds a direct quote is neither right nor
/// wrong, and is not counted. Speaker accuracy over matches whose gold source names someone (a
/// capitalised word that is no pronoun or article, or a gold quote with the same source names
/// its speaker): the predicted speaker's last name is a word of the source span, or is the last
/// name of that gold quote's speaker (as the direct-quote scorer reads it).
pub fn score_indirect(p: &GoldPolnear, gq: &[GoldQuote], x: &Extraction, s: &mut IndirectScores) {
    let direct: std::collections::HashSet<&str> =
        gq.iter().filter_map(|q| q.attribution.as_deref()).collect();
    let content = |a: &GoldAttribution| {
        let lo = a.content.iter().map(|c| c.start).min()?;
        let hi = a.content.iter().map(|c| c.end).max()?;
        (hi > lo).then_some((lo, hi))
    };
    let (gold, held): (Vec<&GoldAttribution>, Vec<&GoldAttribution>) = p
        .attributions
        .iter()
        .filter(|a| content(a).is_some())
        .partition(|a| !direct.contains(a.id.as_str()));
    let preds: Vec<&sitrep_model::Quote> = x.quotes.iter().filter(|q| q.indirect).collect();
    let mut prf = Prf {
        gold: gold.len(),
        ..Prf::default()
    };
    let mut spk = Ratio::default();
    let mut used = vec![false; preds.len()];
    for g in &gold {
        let gs = content(g).expect("kept for its content");
        let Some(i) = (0..preds.len())
            .find(|&i| !used[i] && overlaps_half((preds[i].start, preds[i].end), gs))
        else {
            continue;
        };
        used[i] = true;
        prf.matched += 1;
        if let Some(hit) = indirect_speaker_hit(g, gq, preds[i]) {
            spk.add(hit);
        }
    }
    prf.predicted = (0..preds.len())
        .filter(|&i| {
            used[i]
                || !held.iter().any(|a| {
                    overlaps_half((preds[i].start, preds[i].end), content(a).expect("kept"))
                })
        })
        .count();
    let dev = p.compartment.as_deref() == Some("dev");
    for (into, r) in [(&mut s.all, &mut s.speaker)]
        .into_iter()
        .chain(dev.then_some((&mut s.dev, &mut s.dev_speaker)))
    {
        into.matched += prf.matched;
        into.predicted += prf.predicted;
        into.gold += prf.gold;
        r.hits += spk.hits;
        r.total += spk.total;
    }
}

/// Whether the predicted speaker of an indirect quote is the gold attribution's, or `None` when
/// the gold source names nobody (see [`score_indirect`]).
fn indirect_speaker_hit(
    g: &GoldAttribution,
    gq: &[GoldQuote],
    q: &sitrep_model::Quote,
) -> Option<bool> {
    let src: String = g
        .source
        .iter()
        .filter_map(|s| s.text.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    let same_source = gq.iter().find_map(|d| {
        let same = !d.source.is_empty()
            && d.source.len() == g.source.len()
            && d.source
                .iter()
                .zip(&g.source)
                .all(|(a, b)| a.start == b.start && a.end == b.end);
        same.then_some(d.speaker.as_deref()).flatten()
    });
    let named = src.split_whitespace().any(|w| {
        w.starts_with(char::is_uppercase) && !UNNAMED.contains(&w.to_lowercase().as_str())
    });
    if !named && same_source.is_none() {
        return None;
    }
    let Some(p) = q.speaker.as_ref().map(|p| last_name(&p.name)) else {
        return Some(false);
    };
    let words: Vec<String> = src
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .map(str::to_lowercase)
        .collect();
    Some(!p.is_empty() && (words.contains(&p) || same_source.is_some_and(|s| last_name(s) == p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_counts_give_f1() {
        let p = Prf {
            matched: 3,
            predicted: 4,
            gold: 6,
        };
        assert!((p.f1().unwrap() - 0.6).abs() < 1e-9);
        assert_eq!(Prf::default().f1(), None);
    }

    #[test]
    fn events_at_one_place_pair_by_type() {
        // A real extraction with a rejection and a meeting, both placed in Jeddah.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sitrep-extract/tests/golden/02-jeddah-truce-rejected.json");
        let x: Extraction =
            serde_json::from_str(&std::fs::read_to_string(path).expect("golden file"))
                .expect("an extraction");
        let at_jeddah = |t: &str| GoldEvent {
            family: "diplomacy".into(),
            event_type: Some(t.into()),
            initiator_country: None,
            locations: vec![GoldLocation {
                name: Some("Jeddah".into()),
                lat: 21.49,
                lon: 39.19,
            }],
            date: None,
            killed: None,
            injured: None,
            killed_at_least: None,
            injured_at_least: None,
        };
        let gold = GoldRecord {
            id: "02".into(),
            text: None,
            text_file: None,
            published: None,
            events: Some(vec![at_jeddah("meeting"), at_jeddah("rejection")]),
            quotes: None,
            toponyms: None,
            plover: None,
            acled: None,
            polnear: None,
        };
        let mut scores = Scores::default();
        score_one(&gold, &x, &mut scores);
        assert_eq!(scores.events.matched, 2);
        assert_eq!((scores.event_type.hits, scores.event_type.total), (2, 2));
    }

    #[test]
    fn an_initiators_kind_is_scored_against_inter1_and_the_pair_in_either_order() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sitrep-extract/tests/golden/02-jeddah-truce-rejected.json");
        let x: Extraction =
            serde_json::from_str(&std::fs::read_to_string(path).expect("golden file"))
                .expect("an extraction");
        let mut e = x.events[0].clone();
        let actor = |role, inter| sitrep_model::EventActor {
            name: "x".into(),
            kind: sitrep_model::ActorKind::Military,
            country: Some("SD".into()),
            role,
            mention: None,
            inter,
        };
        e.actors = vec![
            actor(Role::Initiator, Some(1)),
            actor(Role::Target, Some(2)),
        ];
        let mut s = Scores::default();
        let coded = |inter1, inter2| GoldAcled {
            inter1: Some(inter1),
            inter2,
        };
        score_kinds(&coded(2, Some(1)), Some("SD"), &e, &mut s);
        let got = (s.initiator_kind.hits, s.actor_pair.hits);
        assert_eq!((got, s.initiator_kind_country.total), ((0, 1), 1));
        score_kinds(&coded(1, None), None, &e, &mut s);
        let got = (
            s.initiator_kind.hits,
            s.initiator_kind.total,
            s.actor_pair.hits,
        );
        assert_eq!(got, (1, 2, 1));
    }

    #[test]
    fn a_coders_record_is_scored_by_its_first_event() {
        // A real extraction whose first event is the army's rejection at the Jeddah talks.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sitrep-extract/tests/golden/02-jeddah-truce-rejected.json");
        let x: Extraction =
            serde_json::from_str(&std::fs::read_to_string(path).expect("golden file"))
                .expect("an extraction");
        let gold = |family: &str, t: &str, lat: f64| GoldRecord {
            id: "r".into(),
            text: Some("Four people were killed.".into()),
            text_file: None,
            published: None,
            events: Some(vec![GoldEvent {
                family: family.into(),
                event_type: Some(t.into()),
                initiator_country: None,
                locations: vec![GoldLocation {
                    name: None,
                    lat,
                    lon: 39.19,
                }],
                date: None,
                killed: Some(4),
                injured: None,
                killed_at_least: None,
                injured_at_least: None,
            }]),
            quotes: None,
            toponyms: None,
            plover: None,
            acled: None,
            polnear: None,
        };
        let mut s = RecordScores::default();
        score_record(&gold("diplomacy", "rejection", 21.49), "", &x, &mut s);
        score_record(&gold("battles", "armed_clash", 25.0), "", &x, &mut s);
        assert_eq!((s.detected.hits, s.detected.total), (2, 2));
        assert_eq!(s.family["diplomacy"].hits, 1);
        assert_eq!(s.family["battles"].hits, 0);
        assert_eq!(s.family_macro, Some(0.5));
        assert_eq!((s.location_25km.hits, s.location_25km.total), (1, 2));
        assert_eq!(s.fatalities_exact.total, 2);
        // A note that states its counting convention is not scored for fatalities.
        let g = gold("battles", "armed_clash", 25.0);
        score_record(&g, "Unknown fatalities coded as 4.", &x, &mut s);
        assert_eq!(s.fatalities_exact.total, 2);
        // PLOVER: the rejection is CAMEO 120, PLOVER REJECT.
        let mut p = RecordScores::default();
        let mut g = gold("diplomacy", "rejection", 21.49);
        g.events = None;
        g.plover = Some(GoldPlover {
            event: Some("REJECT".into()),
            plover2021: Some("REJECT".into()),
            cameo: Some("1246".into()),
        });
        score_record(&g, "", &x, &mut p);
        assert_eq!((p.cameo_root.hits, p.plover.hits), (1, 1));
    }

    #[test]
    fn indirect_speech_is_scored_apart_from_quotations() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sitrep-extract/tests/golden/02-jeddah-truce-rejected.json");
        let mut x: Extraction =
            serde_json::from_str(&std::fs::read_to_string(path).expect("golden file"))
                .expect("an extraction");
        let quote = |start: u32, end: u32, who: &str, indirect: bool| sitrep_model::Quote {
            text: "x".repeat((end - start) as usize),
            start,
            end,
            speaker: Some(sitrep_model::Source {
                name: who.into(),
                title: None,
                affiliation: None,
            }),
            speaker_mention: None,
            continues: false,
            indirect,
        };
        // A quotation, reported speech matching attribution B (its speaker named in the
        // source), and reported speech inside attribution A, which holds the quotation.
        x.quotes = vec![
            quote(0, 10, "Jane Doe", false),
            quote(100, 140, "Jane Doe", true),
            quote(2, 9, "Jane Doe", true),
        ];
        let span = |start: u32, end: u32, text: Option<&str>| GoldSpan {
            start,
            end,
            text: text.map(str::to_string),
        };
        let att = |id: &str, src: &str, lo: u32, hi: u32| GoldAttribution {
            id: id.into(),
            source: vec![span(0, 0, Some(src))],
            content: vec![span(lo, hi, None)],
        };
        let p = GoldPolnear {
            compartment: Some("dev".into()),
            attributions: vec![
                att("A", "Doe", 0, 10),
                att("B", "Sen. Jane Doe", 95, 145),
                att("C", "officials", 300, 340),
            ],
        };
        let gq = vec![GoldQuote {
            text: "x".repeat(10),
            speaker: Some("Jane Doe".into()),
            attribution: Some("A".into()),
            source: vec![],
        }];
        let mut s = IndirectScores::default();
        score_indirect(&p, &gq, &x, &mut s);
        assert_eq!((s.all.matched, s.all.predicted, s.all.gold), (1, 1, 2));
        assert_eq!((s.speaker.hits, s.speaker.total), (1, 1));
        assert_eq!(s.dev, s.all);
        // The quotation score counts the quotation alone.
        let mut all = Scores::default();
        let mut g: GoldRecord = serde_json::from_str(r#"{"id": "r"}"#).expect("a record");
        g.quotes = Some(gq);
        score_one(&g, &x, &mut all);
        assert_eq!((all.quotes.matched, all.quotes.predicted), (1, 1));
    }

    #[test]
    fn quotes_overlap_by_common_substring() {
        assert_eq!(common_substring("cynical terror", "terror"), 6);
        assert_eq!(last_name("Tymur Tkachenko"), "tkachenko");
    }
}
