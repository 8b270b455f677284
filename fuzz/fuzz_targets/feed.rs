//! Any bytes, read as an RSS or Atom feed: an error or items, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sitrep_ingest::parse_feed(data, 1000);
});
