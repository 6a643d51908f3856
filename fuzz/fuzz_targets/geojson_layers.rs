//! Any bytes as a schools, a roads and a districts GeoJSON: no panic, and
//! the road graph builds from whatever roads were read.
//!
//! The body is `bodies::geojson_layers`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bodies::geojson_layers(data);
});
