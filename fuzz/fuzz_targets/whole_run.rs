//! Whole runs on small generated inputs: schools anywhere (also outside
//! the districts, with odd values), roads on a lattice with gaps and
//! one-way pieces, any scenario numbers. The run must not panic, and every
//! school must come out exactly once.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    schools: Vec<(u8, u8, u8, u16, bool)>,
    roads: Vec<(u8, u8, bool, bool, u8)>,
    hubs: (u8, u8),
    limit_min: u8,
    strategy: u8,
    min_students: u16,
    cross_district: bool,
    class_size: u8,
}

fuzz_target!(|input: Input| {
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
});
