//! The body of every fuzz target, shared by the targets (each is
//! `fuzz_target!(|…| bodies::<target>(…))`) and by the budget test
//! (`crates/hubsel-output/tests/it/bad_inputs.rs`, which includes this file with
//! `#[path]` and replays every corpus file with [`replay`]), so the test
//! reads each file exactly as its target does and cannot drift from it.
//! Kept to `hubsel`, `arbitrary` and `std`.
#![allow(dead_code)]

use arbitrary::{Arbitrary, Unstructured};

/// The fuzz targets, by name (their folders under `fixtures/fuzz/`).
pub const TARGETS: [&str; 7] = [
    "csv_schools",
    "geojson_layers",
    "gpkg_layers",
    "osm_pbf",
    "scenario_toml",
    "shapefile_layers",
    "whole_run",
];

/// Runs `target` on `bytes` as its fuzz target would: the byte targets on
/// the bytes, the structured ones on the value `arbitrary` decodes from
/// them, as `libfuzzer-sys`'s `fuzz_target!` does (too short for the
/// type's size hint, or not decodable: not run). `false` for an unknown
/// target or an input the target would not run.
pub fn replay(target: &str, bytes: &[u8]) -> bool {
    match target {
        "csv_schools" => csv_schools(bytes),
        "geojson_layers" => geojson_layers(bytes),
        "gpkg_layers" => gpkg_layers(bytes),
        "osm_pbf" => osm_pbf(bytes),
        "scenario_toml" => scenario_toml(bytes),
        "shapefile_layers" => match decode::<ShapefileFiles>(bytes) {
            Some(files) => shapefile_layers(files),
            None => return false,
        },
        "whole_run" => match decode::<WholeRun>(bytes) {
            Some(input) => whole_run(input),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// The value `fuzz_target!(|input: T| …)` runs on for `bytes`.
pub fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

/// Any bytes as a schools CSV: read without panicking, and every row the
/// reader leaves out is both a rejected school and a `refused` line.
pub fn csv_schools(data: &[u8]) {
    if let Ok(table) = hubsel::io::csv::read_schools(data, "fuzz.csv", &Default::default()) {
        // Rows kept with a note (`flagged`, e.g. a negative student count)
        // are rejects.csv lines but not rejected schools.
        let refused = table
            .rejects
            .rows
            .iter()
            .filter(|r| r.action == hubsel::model::Action::Refused)
            .count();
        assert_eq!(table.rejected.len(), refused);
    }
}

/// Any bytes as a schools, a roads and a districts GeoJSON: no panic, and
/// the road graph builds from whatever roads were read.
pub fn geojson_layers(data: &[u8]) {
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
}

/// Damaged GeoPackages: arbitrary bytes read as schools, roads and
/// districts (the only layer of each type, and a named one). SQLite
/// checks the pages it reads; no panic may escape the geometry decoder.
pub fn gpkg_layers(bytes: &[u8]) {
    let crs = hubsel::io::crs::Crs::wgs84();
    let mut rejects = hubsel::model::Rejects::default();
    for name in ["fuzz.gpkg", "fuzz.gpkg:schools"] {
        let _ = hubsel::io::gpkg::read_schools(bytes, name, &Default::default(), &crs, None, false);
        let _ = hubsel::io::gpkg::read_roads(bytes, name, &Default::default(), &crs, &mut rejects, &mut Vec::new());
        let _ = hubsel::io::gpkg::read_districts(bytes, name, &Default::default(), &crs, &mut rejects);
        let _ = hubsel::io::gpkg::read_rows(bytes, name);
    }
}

/// Any bytes as an OpenStreetMap PBF extract, asked for everything it can
/// give. No panic may escape.
pub fn osm_pbf(data: &[u8]) {
    let source = hubsel::io::Source::Bytes { name: "fuzz.osm.pbf", bytes: data };
    let wanted = hubsel::io::osm_pbf::Wanted { schools: true, roads: true, districts: true };
    let mut rejects = hubsel::model::Rejects::default();
    let _ = hubsel::io::osm_pbf::read(&source, wanted, &Default::default(), &mut rejects);
}

/// Any text as a scenario file: parsed or refused with a message, never a
/// panic.
pub fn scenario_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = hubsel::scenario::parse(text, "fuzz.toml") {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[derive(Arbitrary, Debug)]
pub struct ShapefileFiles {
    pub shp: Vec<u8>,
    pub shx: Vec<u8>,
    pub dbf: Vec<u8>,
    pub cpg: Option<String>,
    pub prj: Option<String>,
}

/// Damaged shapefiles: arbitrary .shp, .shx, .dbf (and .cpg / .prj) bytes
/// read as schools, roads and districts. No panic may escape.
pub fn shapefile_layers(files: ShapefileFiles) {
    let dir = std::env::temp_dir().join(format!("hubsel-fuzz-shp-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let base = dir.join("layer");
    let write = |ext: &str, bytes: &[u8]| std::fs::write(base.with_extension(ext), bytes).is_ok();
    if !(write("shp", &files.shp) && write("shx", &files.shx) && write("dbf", &files.dbf)) {
        return;
    }
    for (ext, text) in [("cpg", &files.cpg), ("prj", &files.prj)] {
        match text {
            Some(t) => {
                write(ext, t.as_bytes());
            }
            None => {
                let _ = std::fs::remove_file(base.with_extension(ext));
            }
        }
    }
    let path = base.with_extension("shp");
    let crs = hubsel::io::crs::Crs::wgs84();
    let options = hubsel::io::shapefile::ShapefileOptions { default_crs: &crs, encoding: None };
    let mut rejects = hubsel::model::Rejects::default();
    let _ = hubsel::io::shapefile::read_schools(&path, "fuzz.shp", &Default::default(), &options, None, false);
    let _ = hubsel::io::shapefile::read_roads(&path, "fuzz.shp", &Default::default(), &options, &mut rejects, &mut Vec::new());
    let _ = hubsel::io::shapefile::read_districts(&path, "fuzz.shp", &Default::default(), &options, &mut rejects);
}

#[derive(Arbitrary, Debug)]
pub struct WholeRun {
    pub schools: Vec<(u8, u8, u8, u16, bool)>,
    pub roads: Vec<(u8, u8, bool, bool, u8)>,
    pub hubs: (u8, u8),
    pub limit_min: u8,
    pub strategy: u8,
    pub min_students: u16,
    pub cross_district: bool,
    pub class_size: u8,
}

/// Whole runs on small generated inputs: schools anywhere (also outside
/// the districts, with odd values), roads on a lattice with gaps and
/// one-way pieces, any scenario numbers. The run must not panic, and every
/// school must come out exactly once.
pub fn whole_run(input: WholeRun) {
    let levels = ["primary", "secondary", "both", "college"];
    let strategies = ["score", "p-median", "p-center", "max-cover", "largest", "central", "random"];
    let mut csv = String::from("id,name,lon,lat,level,students,classrooms\n");
    for (i, (x, y, l, n, dup)) in input.schools.iter().take(60).enumerate() {
        let id = if *dup && i > 0 { i - 1 } else { i };
        let lon = 99.98 + *x as f64 * 0.0005;
        let lat = 14.98 + *y as f64 * 0.0005;
        csv.push_str(&format!("S{id},s,{lon},{lat},{},{n},{}\n", levels[*l as usize % 4], n % 50));
    }
    let mut features = Vec::new();
    for (a, b, horizontal, oneway, class) in input.roads.iter().take(120) {
        let (x, y) = ((a % 10) as f64 * 0.01, (b % 10) as f64 * 0.01);
        let (x2, y2) = if *horizontal { (x + 0.01, y) } else { (x, y + 0.01) };
        let classes = ["primary", "track", "unclassified"];
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"class":"{}","oneway":{oneway}}},"geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}}}}"#,
            classes[*class as usize % 3],
            100.0 + x,
            15.0 + y,
            100.0 + x2,
            15.0 + y2
        ));
    }
    let roads = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
    let districts = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Polygon","coordinates":[[[99.99,14.99],[100.05,14.99],[100.05,15.1],[99.99,15.1],[99.99,14.99]]]}},
{"type":"Feature","properties":{"code":"02"},"geometry":{"type":"Polygon","coordinates":[[[100.05,14.99],[100.1,14.99],[100.1,15.1],[100.05,15.1],[100.05,14.99]]]}}]}"#;
    let capacity = if input.class_size > 0 { format!("class_size = {}\n", input.class_size) } else { String::new() };
    let scenario = format!(
        "strategy = \"{}\"\nhubs_per_district = {{ primary = {}, secondary = {} }}\nmax_travel_minutes = {}\n\
         [[criteria]]\nfield = \"classrooms\"\nweight = 1\n[[criteria]]\naccess = \"share_within_limit\"\nweight = 1\n\
         [constraints]\nmin_students = {}\n[allocation]\ncross_district = {}\n{capacity}",
        strategies[input.strategy as usize % 7],
        input.hubs.0 % 4,
        input.hubs.1 % 4,
        1 + input.limit_min as u32,
        input.min_students,
        input.cross_district
    );
    let Ok(config) = hubsel::scenario::parse(&scenario, "fuzz.toml") else { return };
    let sources = hubsel::io::InputSources {
        schools: hubsel::io::Source::Bytes { name: "s.csv", bytes: csv.as_bytes() },
        roads: hubsel::io::Source::Bytes { name: "r.geojson", bytes: roads.as_bytes() },
        districts: hubsel::io::Source::Bytes { name: "d.geojson", bytes: districts.as_bytes() },
    };
    let Ok(inputs) = hubsel::io::load(&sources, &Default::default()) else { return };
    let rows = inputs.schools.len() + inputs.rejected_schools.len();
    if let Ok(result) = hubsel::pipeline::run(inputs, &config, &hubsel::progress::Silent) {
        assert_eq!(result.schools.len(), rows, "every school row comes out once");
        // Every writer (GeoJSON, Shapefile, FlatGeobuf, styles, report) must not panic.
        let _ = hubsel::output::render(&result, &hubsel::output::Format::ALL);
    }
}
