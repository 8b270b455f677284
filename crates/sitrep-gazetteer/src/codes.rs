//! The GeoNames feature codes the index stores, one byte each: the byte is the code's position
//! in [`CODES`]. Shared by `build.rs` (which writes the byte) and the index (which reads it).

/// Every feature code a record can carry. The first seven are the administrative and populated
/// records; the rest are physical and political features (`features.tsv`): water bodies,
/// landforms, airports and airbases, camps.
pub const CODES: &[&str] = &[
    "PCLI", "ADM1", "PPLC", "PPL", "PPLX", "ADM2", "CONT", // divisions, places, continents
    "OCN", "SEA", "GULF", "BAY", "STRT", "CHN", "SD", "INLT", "FJD", "LK", "LGN", "RF",
    "STM", // water
    "MT", "MTS", "PASS", "VAL", "DSRT", "PEN", "ISL", // land
    "AIRP", "AIRB", "CMP", "MILB", "BDG", "PSTB", // facilities
    "RGN",  // world regions ("Middle East", "Sahel")
];

/// The byte of `code` (an unknown code reads as a populated place, `PPL`).
pub fn byte_of(code: &str) -> u8 {
    let known = CODES.iter().position(|c| *c == code);
    known
        .or_else(|| CODES.iter().position(|c| *c == "PPL"))
        .unwrap_or(3) as u8
}
