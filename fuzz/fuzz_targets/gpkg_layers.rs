//! Damaged GeoPackages: arbitrary bytes read as schools, roads and
//! districts (the only layer of each type, and a named one). SQLite
//! checks the pages it reads; no panic may escape the geometry decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let crs = hubsel::io::crs::Crs::wgs84();
    let mut rejects = hubsel::model::Rejects::default();
    for name in ["fuzz.gpkg", "fuzz.gpkg:schools"] {
        let _ = hubsel::io::gpkg::read_schools(bytes, name, &Default::default(), &crs, None, false);
        let _ = hubsel::io::gpkg::read_roads(bytes, name, &Default::default(), &crs, &mut rejects, &mut Vec::new());
        let _ = hubsel::io::gpkg::read_districts(bytes, name, &Default::default(), &crs, &mut rejects);
        let _ = hubsel::io::gpkg::read_rows(bytes, name);
    }
});
