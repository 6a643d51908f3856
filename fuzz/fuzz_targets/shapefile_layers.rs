//! Damaged shapefiles: arbitrary .shp, .shx, .dbf (and .cpg / .prj) bytes
//! read as schools, roads and districts. No panic may escape.
//!
//! The body is `bodies::shapefile_layers`, shared with the budget test.
#![no_main]

mod bodies;
mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|files: bodies::ShapefileFiles| {
    guard::unwinding_panics();
    bodies::shapefile_layers(files);
});
