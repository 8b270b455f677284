//! Compile the gazetteer TSVs in `data/gazetteer/` into one binary index in `OUT_DIR`.
//!
//! The index is read in place at run time (no parsing), so loading costs nothing; its layout is
//! documented in `src/index.rs`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

#[path = "src/normalize.rs"]
mod normalize;

#[path = "src/codes.rs"]
mod codes;

struct Place {
    geonameid: u32,
    name: String,
    lat: f32,
    lon: f32,
    country: [u8; 2],
    admin1: String,
    admin2: String,
    population: u32,
    feature: u8,
    names: Vec<String>,
}

/// The index byte of a GeoNames feature code (`codes::CODES`; seats of divisions are places).
fn feature_code(s: &str) -> u8 {
    match s {
        "PPLA" | "PPLA2" => codes::byte_of("PPL"),
        _ => codes::byte_of(s),
    }
}

fn cc(s: &str) -> [u8; 2] {
    let b = s.as_bytes();
    if b.len() == 2 {
        [b[0], b[1]]
    } else {
        *b"  "
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../data/gazetteer");
    let places_path = dir.join("places.tsv.gz");
    let countries_path = dir.join("countries.tsv");
    let admin1_path = dir.join("admin1.tsv");
    let admin2_path = dir.join("admin2.tsv");
    let features_path = dir.join("features.tsv");
    for p in [
        &places_path,
        &countries_path,
        &admin1_path,
        &admin2_path,
        &features_path,
    ] {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rerun-if-changed=src/normalize.rs");
    println!("cargo:rerun-if-changed=src/codes.rs");
    let mut places = Vec::new();
    read_places(&places_path, &mut places);
    // Second-level divisions before countries and regions: those are read back from the end
    // of the index into a by-code map, which then stops at the first division.
    if admin2_path.exists() {
        read_admin2(&admin2_path, &mut places);
    }
    read_countries(&countries_path, &mut places);
    if admin1_path.exists() {
        read_admin1(&admin1_path, &mut places);
    }
    if features_path.exists() {
        read_features(&features_path, &mut places);
    }
    write_index(
        &places,
        &PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("gazetteer.bin"),
    );
}

fn open(path: &Path) -> Box<dyn BufRead> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| {
        panic!(
            "gazetteer data {} missing ({e}); run scripts/gen_gazetteer.py",
            path.display()
        )
    });
    if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(f)))
    } else {
        Box::new(BufReader::new(f))
    }
}

fn header_index(header: &str) -> HashMap<String, usize> {
    header
        .split('\t')
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect()
}

fn read_places(path: &Path, out: &mut Vec<Place>) {
    let mut lines = open(path).lines();
    let header = lines
        .next()
        .expect("places header")
        .expect("readable places");
    let h = header_index(&header);
    let col = |name: &str| {
        *h.get(name)
            .unwrap_or_else(|| panic!("places.tsv lacks column {name}"))
    };
    let (gid, name, lat, lon, country, admin1, pop, feat, alt) = (
        col("geonameid"),
        col("name"),
        col("lat"),
        col("lon"),
        col("country"),
        col("admin1"),
        col("population"),
        col("feature"),
        col("altnames"),
    );
    let admin2 = h.get("admin2").copied();
    for line in lines {
        let line = line.expect("readable places line");
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < h.len() {
            continue;
        }
        let mut names: Vec<String> = vec![f[name].to_string()];
        names.extend(
            f[alt]
                .split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        out.push(Place {
            geonameid: f[gid].parse().unwrap_or(0),
            name: f[name].to_string(),
            lat: f[lat].parse().unwrap_or(0.0),
            lon: f[lon].parse().unwrap_or(0.0),
            country: cc(f[country]),
            admin1: f[admin1].to_string(),
            admin2: admin2.map(|a| f[a].to_string()).unwrap_or_default(),
            population: f[pop].parse().unwrap_or(0),
            feature: feature_code(f[feat]),
            names,
        });
    }
}

fn read_countries(path: &Path, out: &mut Vec<Place>) {
    let mut lines = open(path).lines();
    let header = lines
        .next()
        .expect("countries header")
        .expect("readable countries");
    let h = header_index(&header);
    let col = |name: &str| {
        *h.get(name)
            .unwrap_or_else(|| panic!("countries.tsv lacks column {name}"))
    };
    let (iso2, name, gid, lat, lon, pop) = (
        col("iso2"),
        col("name"),
        col("geonameid"),
        col("lat"),
        col("lon"),
        col("population"),
    );
    let alt = h.get("altnames").copied();
    for line in lines {
        let line = line.expect("readable countries line");
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < h.len() || f[lat].is_empty() {
            continue;
        }
        out.push(Place {
            geonameid: f[gid].parse().unwrap_or(0),
            name: f[name].to_string(),
            lat: f[lat].parse().unwrap_or(0.0),
            lon: f[lon].parse().unwrap_or(0.0),
            country: cc(f[iso2]),
            admin1: String::new(),
            admin2: String::new(),
            population: f[pop].parse().unwrap_or(0),
            feature: 0,
            names: std::iter::once(f[name])
                .chain(alt.map_or("", |a| f[a]).split('|'))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
}

fn read_admin1(path: &Path, out: &mut Vec<Place>) {
    let mut lines = open(path).lines();
    let header = lines
        .next()
        .expect("admin1 header")
        .expect("readable admin1");
    let h = header_index(&header);
    let col = |name: &str| h.get(name).copied();
    let (Some(code), Some(name), Some(lat), Some(lon)) =
        (col("code"), col("name"), col("lat"), col("lon"))
    else {
        panic!("admin1.tsv needs columns code, name, lat, lon");
    };
    let gid = col("geonameid");
    let alt = col("altnames");
    let pop = col("population");
    for line in lines {
        let line = line.expect("readable admin1 line");
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < h.len() || f[lat].is_empty() {
            continue;
        }
        let mut names = vec![f[name].to_string()];
        if let Some(a) = alt {
            names.extend(
                f[a].split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
        out.push(Place {
            geonameid: gid.and_then(|g| f[g].parse().ok()).unwrap_or(0),
            name: f[name].to_string(),
            lat: f[lat].parse().unwrap_or(0.0),
            lon: f[lon].parse().unwrap_or(0.0),
            country: cc(f[code].split('.').next().unwrap_or("")),
            admin1: f[code].to_string(),
            admin2: String::new(),
            population: pop.and_then(|p| f[p].parse().ok()).unwrap_or(0),
            feature: 1,
            names,
        });
    }
}

/// Rows of a TSV with a header, as (column index by name, fields).
fn rows(path: &Path) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let mut lines = open(path).lines();
    let header = lines.next().expect("header").expect("readable header");
    let h = header_index(&header);
    let rows = lines
        .map(|l| l.expect("readable line"))
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f.len() >= h.len())
        .collect();
    (h, rows)
}

fn split_names(name: &str, alts: &str) -> Vec<String> {
    std::iter::once(name)
        .chain(alts.split('|'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Second-level divisions: code "CC.a1.a2", name, geonameid, lat, lon, population, altnames.
fn read_admin2(path: &Path, out: &mut Vec<Place>) {
    let (h, rows) = rows(path);
    let c = |n: &str| *h.get(n).unwrap_or_else(|| panic!("admin2.tsv lacks {n}"));
    let (code, name, gid, lat, lon, pop, alt) = (
        c("code"),
        c("name"),
        c("geonameid"),
        c("lat"),
        c("lon"),
        c("population"),
        c("altnames"),
    );
    for f in rows {
        let a1 = f[code].rsplit_once('.').map_or("", |(a, _)| a);
        out.push(Place {
            geonameid: f[gid].parse().unwrap_or(0),
            name: f[name].clone(),
            lat: f[lat].parse().unwrap_or(0.0),
            lon: f[lon].parse().unwrap_or(0.0),
            country: cc(f[code].split('.').next().unwrap_or("")),
            admin1: a1.to_string(),
            admin2: f[code].clone(),
            population: f[pop].parse().unwrap_or(0),
            feature: 5,
            names: split_names(&f[name], &f[alt]),
        });
    }
}

/// Physical and continental features: geonameid, name, lat, lon, country, code, population,
/// altnames.
fn read_features(path: &Path, out: &mut Vec<Place>) {
    let (h, rows) = rows(path);
    let c = |n: &str| *h.get(n).unwrap_or_else(|| panic!("features.tsv lacks {n}"));
    let (gid, name, lat, lon, country, code, pop, alt) = (
        c("geonameid"),
        c("name"),
        c("lat"),
        c("lon"),
        c("country"),
        c("code"),
        c("population"),
        c("altnames"),
    );
    for f in rows {
        out.push(Place {
            geonameid: f[gid].parse().unwrap_or(0),
            name: f[name].clone(),
            lat: f[lat].parse().unwrap_or(0.0),
            lon: f[lon].parse().unwrap_or(0.0),
            country: cc(&f[country]),
            admin1: String::new(),
            admin2: String::new(),
            population: f[pop].parse().unwrap_or(0),
            feature: feature_code(&f[code]),
            names: split_names(&f[name], &f[alt]),
        });
    }
}

fn write_index(places: &[Place], out: &Path) {
    let mut strings: Vec<u8> = Vec::new();
    let mut interned: HashMap<String, (u32, u16)> = HashMap::new();
    let mut intern = |s: &str, strings: &mut Vec<u8>| -> (u32, u16) {
        let s = &s[..s.len().min(u16::MAX as usize)];
        if let Some(&v) = interned.get(s) {
            return v;
        }
        let v = (strings.len() as u32, s.len() as u16);
        strings.extend_from_slice(s.as_bytes());
        interned.insert(s.to_string(), v);
        v
    };
    let mut place_bytes = Vec::with_capacity(places.len() * 40);
    let mut keys: Vec<(String, u32, u32)> = Vec::new(); // (key, -population sort helper, place idx)
    for (i, p) in places.iter().enumerate() {
        let (noff, nlen) = intern(&p.name, &mut strings);
        let (aoff, alen) = intern(&p.admin1, &mut strings);
        place_bytes.extend_from_slice(&p.geonameid.to_le_bytes());
        place_bytes.extend_from_slice(&p.lat.to_le_bytes());
        place_bytes.extend_from_slice(&p.lon.to_le_bytes());
        place_bytes.extend_from_slice(&p.population.to_le_bytes());
        place_bytes.extend_from_slice(&noff.to_le_bytes());
        place_bytes.extend_from_slice(&nlen.to_le_bytes());
        place_bytes.extend_from_slice(&p.country);
        place_bytes.extend_from_slice(&aoff.to_le_bytes());
        place_bytes.extend_from_slice(&alen.to_le_bytes());
        place_bytes.push(p.feature);
        place_bytes.push(0);
        let (a2off, a2len) = intern(&p.admin2, &mut strings);
        place_bytes.extend_from_slice(&a2off.to_le_bytes());
        place_bytes.extend_from_slice(&a2len.to_le_bytes());
        place_bytes.extend_from_slice(&[0u8; 2]);
        let mut seen: Vec<String> = Vec::new();
        for n in &p.names {
            let k = normalize::normalize(n);
            if k.len() < 2 || seen.contains(&k) {
                continue;
            }
            seen.push(k.clone());
            keys.push((k, u32::MAX - p.population, i as u32));
        }
    }
    keys.sort_unstable();
    let mut key_bytes = Vec::with_capacity(keys.len() * 12);
    for (k, _, idx) in &keys {
        let (off, len) = intern(k, &mut strings);
        key_bytes.extend_from_slice(&off.to_le_bytes());
        key_bytes.extend_from_slice(&len.to_le_bytes());
        key_bytes.extend_from_slice(&0u16.to_le_bytes());
        key_bytes.extend_from_slice(&idx.to_le_bytes());
    }
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(out).expect("create index in OUT_DIR"));
    f.write_all(b"SRGZ0002").expect("write index");
    for n in [places.len() as u32, keys.len() as u32, strings.len() as u32] {
        f.write_all(&n.to_le_bytes()).expect("write index");
    }
    f.write_all(&[0u8; 4]).expect("write index");
    f.write_all(&place_bytes).expect("write index");
    f.write_all(&key_bytes).expect("write index");
    f.write_all(&strings).expect("write index");
}
