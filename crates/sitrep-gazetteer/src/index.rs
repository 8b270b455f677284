//! The embedded index and its read-in-place accessors.
//!
//! Layout (little-endian): `"SRGZ0002"`, `n_places: u32`, `n_keys: u32`, `strings_len: u32`, 4
//! bytes padding; then `n_places` 40-byte place records (geonameid u32, lat f32, lon f32,
//! population u32, name offset u32, name length u16, country [u8; 2], admin1 offset u32, admin1
//! length u16, feature u8, padding u8, admin2 offset u32, admin2 length u16, padding u16); then `n_keys` 12-byte key records (key offset u32, key
//! length u16, padding u16, place index u32) sorted by key, then by population descending; then
//! the string bytes.

use crate::codes::CODES;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

static INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer.bin"));

const HEADER: usize = 24;
const PLACE: usize = 40;
const KEY: usize = 12;

/// What kind of place a record is, coarsely: a second-level division counts as a region
/// (`Admin1`), a continent as a `Country`, a water body or landform (sea, strait, river,
/// mountains) as a region and a facility (airport, airbase, camp) as a settlement: what it
/// covers, not what it is. [`Place::code`] tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    Country,
    Admin1,
    Capital,
    Settlement,
    District,
}

impl Feature {
    /// The GeoNames feature code.
    pub fn code(self) -> &'static str {
        match self {
            Feature::Country => "PCLI",
            Feature::Admin1 => "ADM1",
            Feature::Capital => "PPLC",
            Feature::Settlement => "PPL",
            Feature::District => "PPLX",
        }
    }
}

/// The coarse kind of a feature code (see [`Feature`]).
fn coarse(code: &str) -> Feature {
    match code {
        "PCLI" | "CONT" => Feature::Country,
        "ADM1" | "ADM2" => Feature::Admin1,
        "PPLC" => Feature::Capital,
        "PPLX" => Feature::District,
        "PPL" => Feature::Settlement,
        c if is_area(c) => Feature::Admin1,
        _ => Feature::Settlement,
    }
}

/// Is `code` a water body, a landform or a world region, an area rather than a point?
pub fn is_area(code: &str) -> bool {
    matches!(
        code,
        "OCN"
            | "SEA"
            | "GULF"
            | "BAY"
            | "STRT"
            | "CHN"
            | "SD"
            | "INLT"
            | "FJD"
            | "LK"
            | "LGN"
            | "RF"
            | "STM"
            | "MT"
            | "MTS"
            | "PASS"
            | "VAL"
            | "DSRT"
            | "PEN"
            | "ISL"
            | "RGN"
    )
}

/// One gazetteer record, borrowed from the embedded index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// Position in the index; stable for one build.
    pub index: u32,
    pub geonameid: u32,
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    /// GeoNames admin1 code, "CC.code" (empty for countries).
    pub admin1: &'static str,
    /// GeoNames admin2 code, "CC.a1.a2" (empty when unknown or above).
    pub admin2: &'static str,
    pub population: u32,
    pub feature: Feature,
    /// GeoNames feature code: PCLI, ADM1, ADM2, CONT, PPLC, PPLX, PPL, or a physical or
    /// political feature's (SEA, STRT, GULF, AIRP, ...: [`crate::CODES`]).
    pub code: &'static str,
}

impl Place {
    /// What the place is, in the words of the output schema: country, admin1, admin2,
    /// settlement or feature.
    pub fn kind(&self) -> &'static str {
        match self.code {
            "PCLI" => "country",
            "ADM1" => "admin1",
            "ADM2" => "admin2",
            "PPLC" | "PPL" | "PPLX" => "settlement",
            _ => "feature",
        }
    }
}

/// The gazetteer: a view over the embedded index.
pub struct Gazetteer {
    bytes: &'static [u8],
    n_places: usize,
    n_keys: usize,
    /// Country (ISO code) and region ("UA.12") records by code, built on first use.
    codes: OnceLock<HashMap<(Feature, &'static str), u32>>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

impl Gazetteer {
    /// The embedded gazetteer, shared by every thread.
    pub fn global() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            Gazetteer::from_bytes(INDEX).expect("the embedded gazetteer index is well-formed")
        })
    }

    fn from_bytes(bytes: &'static [u8]) -> Option<Gazetteer> {
        if bytes.len() < HEADER || &bytes[..8] != b"SRGZ0002" {
            return None;
        }
        let n_places = u32_at(bytes, 8) as usize;
        let n_keys = u32_at(bytes, 12) as usize;
        let strings = u32_at(bytes, 16) as usize;
        (bytes.len() == HEADER + n_places * PLACE + n_keys * KEY + strings).then_some(Gazetteer {
            bytes,
            n_places,
            n_keys,
            codes: OnceLock::new(),
        })
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.n_places
    }

    /// True for an empty gazetteer.
    pub fn is_empty(&self) -> bool {
        self.n_places == 0
    }

    /// Number of (name, place) keys.
    pub fn key_count(&self) -> usize {
        self.n_keys
    }

    fn strings_base(&self) -> usize {
        HEADER + self.n_places * PLACE + self.n_keys * KEY
    }

    fn str_at(&self, off: u32, len: u16) -> &'static str {
        let base = self.strings_base() + off as usize;
        std::str::from_utf8(&self.bytes[base..base + len as usize]).unwrap_or("")
    }

    /// The place at `index`.
    pub fn place(&self, index: u32) -> Place {
        let at = HEADER + index as usize * PLACE;
        let b = self.bytes;
        let code = CODES.get(b[at + 30] as usize).copied().unwrap_or("PPL");
        let feature = coarse(code);
        Place {
            index,
            geonameid: u32_at(b, at),
            lat: f32::from_le_bytes(b[at + 4..at + 8].try_into().expect("4 bytes")) as f64,
            lon: f32::from_le_bytes(b[at + 8..at + 12].try_into().expect("4 bytes")) as f64,
            population: u32_at(b, at + 12),
            name: self.str_at(u32_at(b, at + 16), u16_at(b, at + 20)),
            country: std::str::from_utf8(&b[at + 22..at + 24])
                .unwrap_or("")
                .trim(),
            admin1: self.str_at(u32_at(b, at + 24), u16_at(b, at + 28)),
            admin2: self.str_at(u32_at(b, at + 32), u16_at(b, at + 36)),
            feature,
            code,
        }
    }

    /// Key `k` as bytes (keys are valid UTF-8 by construction; comparing bytes keeps the order).
    fn key(&self, k: usize) -> (&'static [u8], u32) {
        let at = HEADER + self.n_places * PLACE + k * KEY;
        let base = self.strings_base() + u32_at(self.bytes, at) as usize;
        let len = u16_at(self.bytes, at + 4) as usize;
        (&self.bytes[base..base + len], u32_at(self.bytes, at + 8))
    }

    fn lower_bound(&self, key: &str) -> usize {
        let key = key.as_bytes();
        let (mut lo, mut hi) = (0, self.n_keys);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.key(mid).0.cmp(key) == Ordering::Less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Every place named `key` (already [`crate::normalize`]d), most populous first.
    pub fn lookup(&self, key: &str) -> Vec<Place> {
        let mut k = self.lower_bound(key);
        let mut out = Vec::new();
        while k < self.n_keys {
            let (name, idx) = self.key(k);
            if name != key.as_bytes() {
                break;
            }
            out.push(self.place(idx));
            k += 1;
        }
        out
    }

    /// True when some name starts with `prefix` followed by a space (a longer name may follow).
    pub fn continues(&self, prefix: &str) -> bool {
        let probe = format!("{prefix} ");
        let k = self.lower_bound(&probe);
        k < self.n_keys && self.key(k).0.starts_with(probe.as_bytes())
    }

    fn codes(&self) -> &HashMap<(Feature, &'static str), u32> {
        self.codes.get_or_init(|| {
            // Countries, first-level regions and features are appended last (after the
            // settlements and second-level divisions).
            (0..self.n_places as u32)
                .rev()
                .map(|i| self.place(i))
                .take_while(|p| !matches!(p.code, "ADM2" | "PPL" | "PPLC" | "PPLX"))
                .filter_map(|p| match p.code {
                    "PCLI" => Some(((Feature::Country, p.country), p.index)),
                    "ADM1" => Some(((Feature::Admin1, p.admin1), p.index)),
                    _ => None,
                })
                .collect()
        })
    }

    /// The country record for an ISO alpha-2 code.
    pub fn country(&self, iso2: &str) -> Option<Place> {
        self.codes()
            .get(&(Feature::Country, iso2))
            .map(|&i| self.place(i))
    }

    /// The first-level region with GeoNames code `code` ("UA.12").
    pub fn admin1(&self, code: &str) -> Option<Place> {
        self.codes()
            .get(&(Feature::Admin1, code))
            .map(|&i| self.place(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;

    /// The most populous settlement of that name (regions named after their capital may come
    /// first in the lookup).
    fn first(name: &str) -> Place {
        Gazetteer::global()
            .lookup(&normalize(name))
            .into_iter()
            .find(|p| p.kind() == "settlement")
            .unwrap_or_else(|| panic!("{name} not found"))
    }

    #[test]
    fn the_index_is_large_and_well_formed() {
        let g = Gazetteer::global();
        assert!(g.len() > 100_000, "{}", g.len());
        assert!(g.key_count() > g.len());
    }

    #[test]
    fn alternate_spellings_reach_the_same_place() {
        let kyiv = first("Kyiv");
        assert_eq!(kyiv.country, "UA");
        assert_eq!(first("Kiev").geonameid, kyiv.geonameid);
        assert_eq!(first("Киев").geonameid, kyiv.geonameid);
        assert_eq!(first("Kharkov").geonameid, first("Kharkiv").geonameid);
    }

    #[test]
    fn city_districts_are_found_in_transliteration_variants() {
        for name in [
            "Sviatoshynskyi",
            "Svyatoshynsky",
            "Dniprovskyi",
            "Dniprovsky",
        ] {
            let hits = Gazetteer::global().lookup(&normalize(name));
            assert!(
                hits.iter()
                    .any(|p| p.country == "UA" && p.feature == Feature::District),
                "{name}: {hits:?}"
            );
        }
    }

    #[test]
    fn ambiguous_names_list_every_candidate_most_populous_first() {
        let hits = Gazetteer::global().lookup("odessa");
        assert!(hits.iter().any(|p| p.country == "UA"));
        assert!(hits.iter().any(|p| p.country == "US"));
        assert!(hits.windows(2).all(|w| w[0].population >= w[1].population));
    }

    #[test]
    fn countries_have_records() {
        let ua = Gazetteer::global().country("UA").expect("Ukraine");
        assert_eq!(ua.feature, Feature::Country);
        assert!(ua.lat > 44.0 && ua.lat < 53.0);
    }

    #[test]
    fn a_country_point_lies_near_the_middle_of_its_main_landmass() {
        // GeoNames puts the United States at 39.76, -98.5, the middle of the contiguous
        // states; the factbook's 38, -97 alone is 235 km off, beyond the 161 km of acc@161.
        let us = Gazetteer::global().country("US").expect("United States");
        let d = crate::distance_km(us.lat, us.lon, 39.76, -98.5);
        assert!(d < 161.0, "{d} km");
        // Where the factbook point is GeoNames' own, the mean stays close to it.
        let fr = Gazetteer::global().country("FR").expect("France");
        assert!(crate::distance_km(fr.lat, fr.lon, 46.0, 2.0) < 50.0);
    }

    fn has(name: &str, code: &str, country: &str) -> bool {
        Gazetteer::global()
            .lookup(&normalize(name))
            .iter()
            .any(|p| p.code == code && p.country == country)
    }

    #[test]
    fn regions_are_found_in_the_forms_news_writes() {
        assert!(has("Idlib Province", "ADM1", "SY"));
        assert!(has("Kharkiv Oblast", "ADM1", "UA"));
        assert!(has("Kharkiv region", "ADM1", "UA"));
        assert!(has("W.Va.", "ADM1", "US"));
        assert!(has("Calif.", "ADM1", "US"));
        assert!(has("Cuyahoga County", "ADM2", "US"));
        assert!(has("Africa", "CONT", ""));
        let a1 = Gazetteer::global().admin1("US.CA").expect("California");
        assert_eq!(a1.code, "ADM1");
        assert_ne!(a1.geonameid, 0);
    }

    #[test]
    fn abbreviated_leading_words_reach_the_long_form() {
        let long = first("Saint Petersburg");
        assert!(Gazetteer::global()
            .lookup(&normalize("St. Petersburg"))
            .iter()
            .any(|p| p.geonameid == long.geonameid));
        assert!(has("Ft. Worth", "PPL", "US"));
    }

    #[test]
    fn settlements_carry_their_second_level_division() {
        let kharkiv = first("Kharkiv");
        assert!(kharkiv.admin2.starts_with("UA.07."), "{kharkiv:?}");
        assert_eq!(kharkiv.kind(), "settlement");
    }

    #[test]
    fn seas_straits_and_airports_are_features_beside_the_divisions_named_alike() {
        let red = Gazetteer::global().lookup(&normalize("Red Sea"));
        let sea = red.iter().find(|p| p.code == "SEA").expect("the sea");
        assert_eq!(sea.kind(), "feature");
        assert_eq!(sea.feature, Feature::Admin1);
        assert!(
            crate::distance_km(sea.lat, sea.lon, 20.0, 38.5) < 300.0,
            "{sea:?}"
        );
        assert!(red.iter().any(|p| p.code == "ADM1"), "the state stays");
        assert!(has("Sea of Azov", "SEA", ""));
        assert!(has("Azov Sea", "SEA", ""));
        assert!(has("Mediterranean", "SEA", ""));
        assert!(has("Bab el Mandeb", "STRT", ""));
        assert!(has("Strait of Malacca", "STRT", ""));
        assert!(has("Gulf of Aden", "GULF", ""));
        assert!(has("Kabul Airport", "AIRP", "AF"));
        assert!(has("Balad Air Base", "AIRB", "IQ"));
        let airport = Gazetteer::global().lookup(&normalize("Kabul Airport"))[0];
        assert_eq!(
            (airport.kind(), airport.feature),
            ("feature", Feature::Settlement)
        );
    }

    #[test]
    fn feature_codes_round_trip_through_the_index_byte() {
        for (i, c) in CODES.iter().enumerate() {
            assert_eq!(crate::codes::byte_of(c) as usize, i);
        }
        assert_eq!(crate::codes::byte_of("XYZ"), crate::codes::byte_of("PPL"));
        // Countries and regions are still found by code with features after them.
        assert!(Gazetteer::global().country("SD").is_some());
        assert!(Gazetteer::global().admin1("UA.12").is_some());
    }

    #[test]
    fn multiword_prefixes_are_known() {
        assert!(Gazetteer::global().continues("rostov"));
        assert!(!Gazetteer::global().continues("zzzz"));
    }
}
