//! Any bytes as an OpenStreetMap PBF extract, asked for everything it can
//! give. No panic may escape.
#![no_main]

mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    guard::unwinding_panics();
    let source = hubsel::io::Source::Bytes { name: "fuzz.osm.pbf", bytes: data };
    let wanted = hubsel::io::osm_pbf::Wanted { schools: true, roads: true, districts: true };
    let mut rejects = hubsel::model::Rejects::default();
    let _ = hubsel::io::osm_pbf::read(&source, wanted, &Default::default(), &mut rejects);
});
