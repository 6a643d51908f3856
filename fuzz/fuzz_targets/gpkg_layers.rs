//! Damaged GeoPackages: arbitrary bytes read as schools, roads and
//! districts (the only layer of each type, and a named one). SQLite
//! checks the pages it reads; no panic may escape the geometry decoder.
//!
//! The body is `bodies::gpkg_layers`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bodies::gpkg_layers(data);
});
