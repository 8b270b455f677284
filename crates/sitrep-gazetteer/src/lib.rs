//! Place names to places.
//!
//! The gazetteer is GeoNames data (cities of 1,000+ people with their alternate names and city
//! districts, countries, first-level regions), Natural Earth's seas, gulfs and straits and
//! airports and airbases, taken from registry packages by
//! `scripts/gen_gazetteer.py` into `data/gazetteer/`, and compiled by `build.rs` into a sorted
//! binary index that is embedded in the binary and read in place: loading is free.
//!
//! Lookups take a name in its [`normalize`]d form and return every place that carries it,
//! most populous first; choosing among them in context is the extractor's job.
//!
//! Architecture invariant: no dependencies at run time; knows nothing of text or events.

mod codes;
mod index;
mod normalize;

pub use codes::{byte_of, CODES};
pub use index::{is_area, Feature, Gazetteer, Place};
pub use normalize::normalize;

/// Great-circle distance in kilometres.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().atan2((1.0 - a).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_kyiv_to_kharkiv_is_about_410_km() {
        let d = distance_km(50.45, 30.52, 49.99, 36.23);
        assert!((400.0..420.0).contains(&d), "{d}");
    }
}
