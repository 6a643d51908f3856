//! Any bytes as a schools, a roads and a districts GeoJSON: no panic, and
//! the road graph builds from whatever roads were read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rejects = hubsel::model::Rejects::default();
    let wgs84 = hubsel::io::crs::Crs::wgs84();
    let _ = hubsel::io::geojson::read_schools(data, "fuzz.geojson", &Default::default(), &wgs84, None, true);
    if let Ok(roads) = hubsel::io::geojson::read_roads(data, "fuzz.geojson", &Default::default(), &wgs84, &mut rejects, &mut Vec::new()) {
        let graph = hubsel::graph::RoadGraph::build(&roads, &Default::default());
        let _ = hubsel::spatial::SnapIndex::new(&graph).snap(&graph, 100.0, 15.0);
    }
    if let Ok(districts) = hubsel::io::geojson::read_districts(data, "fuzz.geojson", &Default::default(), &wgs84, &mut rejects) {
        let index = hubsel::spatial::DistrictIndex::new(&districts);
        let _ = index.locate(100.0, 15.0);
    }
});
