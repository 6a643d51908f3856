//! Silent wrong answers at the edges (issue 25): inputs that GIS tools
//! write in a shape the engine must not misread.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{BooleanOps, BoundingRect, MultiPolygon, Rect};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::outcome::RunResult;
use hubsel::pipeline::run;
use hubsel::progress::Silent;

use crate::common;

/// The province's districts as GeoJSON, the first district (5001) cut into
/// two halves: once as one MultiPolygon feature of two parts (`unsplit`),
/// once as two Polygon features with the same code, as
/// `ogr2ogr -explodecollections` writes them (`split`).
fn cut_districts() -> (String, String) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/province/districts.geojson"
    ))
    .unwrap();
    let mut fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = fc["features"].as_array_mut().unwrap();
    let first = features[0].clone();
    let geometry: geojson::Geometry = serde_json::from_value(first["geometry"].clone()).unwrap();
    let polygon: geo::Polygon<f64> = geometry.value.try_into().unwrap();
    let bbox = polygon.bounding_rect().unwrap();
    // An odd cut, so that no school or road vertex lies on it.
    let cut_x = (bbox.min().x + bbox.max().x) / 2.0 + 1.234_567e-5;
    let west = Rect::new((bbox.min().x - 1.0, bbox.min().y - 1.0), (cut_x, bbox.max().y + 1.0));
    let east = Rect::new((cut_x, bbox.min().y - 1.0), (bbox.max().x + 1.0, bbox.max().y + 1.0));
    let halves: Vec<MultiPolygon<f64>> = [west, east]
        .iter()
        .map(|r| polygon.intersection(&r.to_polygon()))
        .collect();
    assert!(halves.iter().all(|h| h.0.len() == 1), "each half is one polygon");
    let both = MultiPolygon::new(halves.iter().flat_map(|h| h.0.clone()).collect());
    let as_json = |g: &MultiPolygon<f64>| serde_json::to_value(geojson::Geometry::from(g)).unwrap();
    let mut unsplit = fc.clone();
    unsplit["features"][0]["geometry"] = as_json(&both);
    let mut split = fc.clone();
    let parts: Vec<serde_json::Value> = halves
        .iter()
        .map(|h| {
            let mut f = first.clone();
            f["geometry"] = serde_json::to_value(geojson::Geometry::from(&h.0[0])).unwrap();
            f
        })
        .collect();
    let features = split["features"].as_array_mut().unwrap();
    features.splice(0..1, parts);
    (unsplit.to_string(), split.to_string())
}

fn run_with(districts: &[u8]) -> RunResult {
    let province = hubsel::fixture::province();
    let sources = InputSources {
        schools: province.schools,
        roads: province.roads,
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: districts,
        },
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default.toml").unwrap();
    run(inputs, &config, &Silent).unwrap()
}

/// The hubs, district figures, schools and rejects of a run, and whether
/// it notes a merge.
fn same_answer(unsplit: &RunResult, split: &RunResult) {
    let hubs = |r: &RunResult| {
        r.hubs
            .iter()
            .map(|h| (h.district.0.clone(), h.level.as_str(), h.id.0.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(hubs(unsplit), hubs(split));
    let named = |r: &RunResult| {
        r.districts
            .iter()
            .map(|d| (d.code.0.clone(), d.name.clone(), d.geometry.0.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(named(unsplit), named(split));
    assert_eq!(unsplit.district_outcomes, split.district_outcomes);
    assert_eq!(unsplit.schools, split.schools);
    assert_eq!(unsplit.rejects, split.rejects);
    let merged = |r: &RunResult| r.notes.iter().any(|n| n.contains("merged into one district"));
    assert!(!merged(unsplit), "{:?}", unsplit.notes);
    assert!(merged(split), "{:?}", split.notes);
}

/// Issue 25.1: a district stored as two single-part features with one code
/// was taken as two districts (two primary hubs where the scenario allows
/// one, two summary rows). The split file must give the unsplit file's
/// hubs and figures, with a note.
#[test]
fn repeated_district_codes_are_merged_into_one_district() {
    let (unsplit, split) = cut_districts();
    let a = run_with(unsplit.as_bytes());
    let b = run_with(split.as_bytes());
    let primary_5001 = b
        .hubs
        .iter()
        .filter(|h| h.district.0 == "5001" && h.level.as_str() == "primary")
        .count();
    assert_eq!(primary_5001, 1, "one primary hub for 5001");
    same_answer(&a, &b);
    assert_eq!(a.districts, b.districts, "the same polygons");
}

/// The same through GDAL, when `ogr2ogr` is installed: the unsplit file
/// exploded by `ogr2ogr -explodecollections` gives the same answer.
#[test]
fn a_district_file_exploded_by_ogr2ogr_gives_the_same_answer() {
    let ogr = std::process::Command::new("ogr2ogr").arg("--version").output();
    if !ogr.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: ogr2ogr is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (unsplit, _) = cut_districts();
    let src = dir.path().join("unsplit.geojson");
    std::fs::write(&src, &unsplit).unwrap();
    let out = dir.path().join("split.geojson");
    let status = std::process::Command::new("ogr2ogr")
        .args(["-f", "GeoJSON", "-explodecollections"])
        .arg(&out)
        .arg(&src)
        .status()
        .unwrap();
    assert!(status.success());
    let split = std::fs::read(&out).unwrap();
    let features = serde_json::from_slice::<serde_json::Value>(&split).unwrap()["features"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(features, 26, "ogr2ogr split 5001 into two features");
    let a = run_with(unsplit.as_bytes());
    let b = run_with(&split);
    same_answer(&a, &b);
}

/// Features of one code with different names: the code is probably not
/// the district's; the run is refused, naming both.
#[test]
fn a_repeated_code_with_two_names_is_refused_naming_both() {
    let (_, split) = cut_districts();
    let mut fc: serde_json::Value = serde_json::from_str(&split).unwrap();
    fc["features"][1]["properties"]["name_th"] = "สันทราย".into();
    fc["features"][1]["properties"]["name_en"] = "San Sai".into();
    let text = fc.to_string();
    let province = hubsel::fixture::province();
    let sources = InputSources {
        schools: province.schools,
        roads: province.roads,
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: text.as_bytes(),
        },
    };
    let Err(err) = hubsel::io::load(&sources, &ReadOptions::default()) else {
        panic!("a code given to two names must be refused");
    };
    let msg = err.to_string();
    assert_eq!(err.kind(), hubsel::error::ErrorKind::Input, "{msg}");
    assert!(msg.contains("\"5001\""), "{msg}");
    let first = msg.contains("\"เมืองเชียงใหม่\"") || msg.contains("\"Mueang Chiang Mai\"");
    let second = msg.contains("\"สันทราย\"") || msg.contains("\"San Sai\"");
    assert!(first && second, "{msg}");
}

/// Issue 25.3: text cells that a spreadsheet reads as a formula got no
/// prefix in rejects.csv, summary.csv and the `hubsel matrix` CSV. Such a
/// cell starts with a single quote now; numbers, negative ones included,
/// stay as they are.
#[test]
fn spreadsheet_cells_are_prefixed_and_numbers_left_alone() {
    use hubsel::model::spreadsheet_cell;
    assert_eq!(spreadsheet_cell("=1+1"), "'=1+1");
    assert_eq!(spreadsheet_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
    assert_eq!(spreadsheet_cell("-2+3"), "'-2+3");
    assert_eq!(spreadsheet_cell("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(spreadsheet_cell("\tx"), "'\tx");
    assert_eq!(spreadsheet_cell("\rx"), "'\rx");
    assert_eq!(spreadsheet_cell("'=x"), "''=x");
    for plain in ["-12.5", "-3", "1e-3", "+7", "5001", "", "เมือง", "a=b", "'x"] {
        assert_eq!(spreadsheet_cell(plain), plain);
    }
}

/// Issue 25.3, through the writers (compiles on b7b7f17, where it fails).
#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_quoted() {

    let districts = common::DISTRICTS
        .replace("\"code\":\"5001\"", "\"code\":\"=1+1\"")
        .replace("เมืองเชียงใหม่", "@SUM(A1)");
    let schools = "id,name,lon,lat,level,students\n\
        S1,=HYPERLINK(\"http://x.invalid\"),98.95,18.8,primary,150\n\
        S2,สอง,99.05,18.8,primary,150\n\
        S3,สาม,98.96,18.8,secondary,300\n\
        +cmd|' /C calc'!A0,สี่,99.04,18.8,nursery,300\n";
    let sources = InputSources {
        schools: Source::Bytes { name: "schools.csv", bytes: schools.as_bytes() },
        roads: Source::Bytes { name: "roads.geojson", bytes: common::ROADS.as_bytes() },
        districts: Source::Bytes { name: "districts.geojson", bytes: districts.as_bytes() },
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    let small = hubsel::scenario::parse("name = \"t\"\n", "t.toml").unwrap();
    let result = run(inputs, &small, &Silent).unwrap();
    let rejects = hubsel::output::rejects_csv(&result);
    assert!(rejects.contains(",'+cmd|' /C calc'!A0,"), "{rejects}");
    assert!(!rejects.contains(",+cmd"), "{rejects}");
    let summary = hubsel::output::summary_csv(&result);
    let row = summary.lines().nth(1).unwrap();
    assert!(row.starts_with("'=1+1,'@SUM(A1),"), "{summary}");

    let p = hubsel::fixture::province();
    let origins = "id,lon,lat,level\n=1+1,98.9485,18.7397,\n-5,98.99,18.70,\n";
    let destinations = "id,lon,lat,level\n@x,99.0206,18.6803,\n";
    let od_sources = hubsel::od::OdSources {
        origins: Source::Bytes { name: "origins.csv", bytes: origins.as_bytes() },
        destinations: Source::Bytes { name: "destinations.csv", bytes: destinations.as_bytes() },
        roads: p.roads,
    };
    let od_inputs = hubsel::od::load(&od_sources, &ReadOptions::default()).unwrap();
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default.toml").unwrap();
    let m = hubsel::od::matrix(od_inputs, &config, 1440.0, &Silent).unwrap();
    let csv = m.csv();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(rows[0].starts_with("'=1+1,'@x,"), "{csv}");
    assert!(rows[1].starts_with("-5,'@x,"), "a negative number stays a number: {csv}");
}

/// Issue 25.8: the Shapefile output wrote characters outside cp874 as
/// `&#201;` entities and cut a name at a NUL. A layer whose text cp874
/// cannot hold is written in UTF-8 with a `.cpg` saying so, and a note.
#[test]
fn shapefile_text_outside_cp874_is_written_in_utf8_with_a_note() {
    let schools = "id,name,lon,lat,level,students\n\
        S1,École Saint-Éloi,98.95,18.8,primary,150\n\
        S2,\"A\0B\",99.05,18.8,primary,150\n\
        S3,สาม,98.96,18.8,secondary,300\n\
        S4,สี่,99.04,18.8,secondary,300\n";
    let inputs = common::load(schools);
    assert!(inputs.schools.iter().any(|s| s.name == "A\0B"), "{:?}", inputs.rejects);
    let config = hubsel::scenario::parse("name = \"t\"\n", "t.toml").unwrap();
    let result = run(inputs, &config, &Silent).unwrap();
    let files = hubsel::output::render(&result, &[hubsel::output::Format::Shapefile]).unwrap();
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert_eq!(file("schools.cpg"), b"UTF-8\n");
    let dbf = file("schools.dbf");
    assert!(contains(&dbf, "École Saint-Éloi".as_bytes()), "the name in UTF-8");
    assert!(!contains(&dbf, b"&#"), "no character entity");
    assert!(contains(&dbf, "A\u{2400}B".as_bytes()), "a NUL is shown, not an end");
    assert!(contains(&dbf, "สาม".as_bytes()), "Thai in UTF-8 too");
    // The districts' text is Thai only: still cp874.
    assert_eq!(file("districts.cpg"), b"874\n");
    let summary = String::from_utf8(file("summary.json")).unwrap();
    assert!(summary.contains("schools.dbf is written in UTF-8"), "{summary}");
}

/// Issue 25.4: a district without schools got 0 %, was painted red and
/// its tooltip said "0% of students at a hub or member". It is "no
/// schools" now: no share in the layer and summary.csv, grey in the
/// report with that title, and a class of its own in the QGIS style.
#[test]
fn a_district_without_schools_is_no_data_not_a_failure() {
    let empty = r#",{"type":"Feature","properties":{"code":"5099","name":"ว่าง"},"geometry":{"type":"Polygon","coordinates":[[[99.2,18.7],[99.3,18.7],[99.3,18.9],[99.2,18.9],[99.2,18.7]]]}}]}"#;
    let districts = common::DISTRICTS.trim_end().trim_end_matches("]}").to_string() + empty;
    let sources = InputSources {
        schools: Source::Bytes { name: "schools.csv", bytes: common::CUT_CSV.as_bytes() },
        roads: Source::Bytes { name: "roads.geojson", bytes: common::ROADS.as_bytes() },
        districts: Source::Bytes { name: "districts.geojson", bytes: districts.as_bytes() },
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert_eq!(inputs.districts.len(), 2);
    let config = hubsel::scenario::parse("name = \"t\"\n", "t.toml").unwrap();
    let result = run(inputs, &config, &Silent).unwrap();
    let files = hubsel::output::render(&result, &[hubsel::output::Format::GeoJson]).unwrap();
    let file = |name: &str| {
        let bytes = files.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let layer: serde_json::Value = serde_json::from_str(&file("districts.geojson")).unwrap();
    let share = |code: &str| {
        layer["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["code"] == code)
            .map(|f| f["properties"]["share_in"].clone())
            .unwrap()
    };
    assert!(share("5099").is_null(), "no share: {}", share("5099"));
    assert!(share("5001").is_number());
    let summary = file("summary.csv");
    let row = summary.lines().find(|l| l.starts_with("5099,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[11], "", "share_in blank: {row}");
    let report = file("report.html");
    let path = report
        .split("<path class=\"district\"")
        .find(|p| p.contains("data-code=\"5099\""))
        .unwrap();
    let path = &path[..path.find("</path>").unwrap()];
    assert!(path.contains("fill=\"#cccccc\""), "{path}");
    assert!(path.contains("no schools") && !path.contains("0% of"), "{path}");
    let qml = file("districts.qml");
    assert!(qml.contains("coalesce(&quot;share_in&quot;, -1)") && qml.contains("label=\"no schools\""), "{qml}");
}
