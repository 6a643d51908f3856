//! Any bytes as an OpenStreetMap PBF extract, asked for everything it can
//! give. No panic may escape.
//!
//! The body is `bodies::osm_pbf`, shared with the budget test.
#![no_main]

mod bodies;
mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    guard::unwinding_panics();
    bodies::osm_pbf(data);
});
