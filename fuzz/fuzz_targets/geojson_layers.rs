//! Any bytes as a roads and as a districts GeoJSON: no panic, and the road
//! graph builds from whatever roads were read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rejects = hubsel::validate::Rejects::default();
    if let Ok(roads) = hubsel::io::geojson::read_roads(data, "fuzz.geojson", &Default::default(), &mut rejects) {
        let graph = hubsel::graph::RoadGraph::build(&roads, &Default::default());
        let _ = hubsel::spatial::SnapIndex::new(&graph).snap(&graph, 100.0, 15.0);
    }
    if let Ok(districts) = hubsel::io::geojson::read_districts(data, "fuzz.geojson", &Default::default(), &mut rejects) {
        let index = hubsel::spatial::DistrictIndex::new(&districts);
        let _ = index.locate(100.0, 15.0);
    }
});
