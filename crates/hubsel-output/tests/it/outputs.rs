//! The written run, read back the way a GIS client would: GeoJSON against
//! its declared fields, Shapefile and FlatGeobuf against the GeoJSON, the
//! QGIS styles against the fields of every format, the report's SVG
//! against the summary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::outcome::RunResult;
use hubsel::output::{Format, WriteOptions};
use hubsel::pipeline::run;
use hubsel::progress::Silent;
use serde_json::Value;

const LAYERS: [&str; 4] = ["hubs", "schools", "routes", "districts"];

fn default_run() -> RunResult {
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    run(inputs, &config, &Silent).unwrap()
}

/// The province with four bad school rows, one without coordinates.
fn run_with_bad_rows() -> RunResult {
    let mut csv = String::from_utf8(hubsel::fixture::SCHOOLS_CSV.to_vec()).unwrap();
    csv.push_str("X1,No coordinates,,,5001,primary,10,1,1,1,1,1,1,0,0,0,0\n");
    csv.push_str("X3,Out at sea,90.0,10.0,,primary,10,1,1,1,1,1,1,0,0,0,0\n");
    csv.push_str("X4,Odd level,98.98,18.79,5001,college,10,1,1,1,1,1,1,0,0,0,0\n");
    let sources = InputSources {
        schools: Source::Bytes {
            name: "schools.csv",
            bytes: csv.as_bytes(),
        },
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: hubsel::fixture::ROADS_GEOJSON,
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: hubsel::fixture::DISTRICTS_GEOJSON,
        },
    };
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    run(
        hubsel::io::load(&sources, &ReadOptions::default()).unwrap(),
        &config,
        &Silent,
    )
    .unwrap()
}

fn write_all_formats(r: &RunResult, dir: &Path) {
    let options = WriteOptions {
        formats: Format::ALL.to_vec(),
        force: false,
        ..Default::default()
    };
    hubsel::output::write_run(r, dir, &options).unwrap();
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

/// summary.json's declared fields of a layer: name → (shp name, type, nullable).
fn declared(summary: &Value, layer: &str) -> Vec<(String, String, String, bool)> {
    summary["layers"][layer]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["shp"].as_str().unwrap().to_string(),
                f["type"].as_str().unwrap().to_string(),
                f["nullable"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn geojson_properties_match_their_declared_types_and_nulls() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    write_all_formats(&run_with_bad_rows(), &dir);
    let summary = json(&dir.join("summary.json"));
    for layer in LAYERS {
        let g = json(&dir.join(format!("{layer}.geojson")));
        assert!(
            g.get("crs").is_none(),
            "{layer}: RFC 7946 has no crs member"
        );
        assert_eq!(
            g["bbox"].as_array().map(|b| b.len()),
            Some(4),
            "{layer}: bbox"
        );
        let fields = declared(&summary, layer);
        let features = g["features"].as_array().unwrap();
        assert_eq!(
            features.len() as u64,
            summary["layers"][layer]["features"].as_u64().unwrap()
        );
        for f in features {
            let props = f["properties"].as_object().unwrap();
            let keys: Vec<&str> = props.keys().map(String::as_str).collect();
            let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
            assert_eq!(keys, names, "{layer}: properties in the declared order");
            for (name, _, kind, nullable) in &fields {
                let v = &props[name];
                let ok = match (kind.as_str(), v) {
                    (_, Value::Null) => *nullable,
                    ("integer", Value::Number(n)) => n.is_i64(),
                    ("real", Value::Number(n)) => n.is_f64(),
                    ("text", Value::String(_)) => true,
                    ("boolean", Value::Bool(_)) => true,
                    _ => false,
                };
                assert!(
                    ok,
                    "{layer}.{name}: {v} is not a {kind}{}",
                    if *nullable { " or null" } else { "" }
                );
            }
        }
    }
    // GDAL types a GeoJSON column from its values: a number column needs one.
    for layer in LAYERS {
        let g = json(&dir.join(format!("{layer}.geojson")));
        let features = g["features"].as_array().unwrap();
        for (name, _, kind, _) in declared(&summary, layer) {
            if matches!(kind.as_str(), "integer" | "real") && !features.is_empty() {
                assert!(
                    features.iter().any(|f| f["properties"][&name].is_number()),
                    "{layer}.{name} is null everywhere"
                );
            }
        }
    }
    // The schools' nulls are exactly the documented ones.
    let schools = json(&dir.join("schools.geojson"));
    for f in schools["features"].as_array().unwrap() {
        let p = &f["properties"];
        let role = p["role"].as_str().unwrap();
        let trip = matches!(role, "hub" | "member");
        assert_eq!(p["travel_min"].is_number(), trip, "{p}");
        assert_eq!(p["road_km"].is_number(), trip, "{p}");
        if role == "hub" {
            assert_eq!(p["travel_min"], 0.0);
        }
    }
    let x1 = schools["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "X1")
        .unwrap();
    assert!(
        x1["geometry"].is_null(),
        "a school without coordinates has no geometry"
    );
    assert_eq!(x1["properties"]["role"], "rejected");
}

#[test]
fn polygon_rings_follow_the_right_hand_rule_and_coordinates_have_seven_decimals() {
    let r = default_run();
    let text = hubsel::output::districts_layer(&r);
    let g: Value = serde_json::from_str(&text).unwrap();
    for f in g["features"].as_array().unwrap() {
        for poly in f["geometry"]["coordinates"].as_array().unwrap() {
            for (i, ring) in poly.as_array().unwrap().iter().enumerate() {
                let pts: Vec<(f64, f64)> = ring
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                    .collect();
                let twice_area: f64 = pts
                    .windows(2)
                    .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                    .sum();
                assert_eq!(
                    twice_area > 0.0,
                    i == 0,
                    "exterior counter-clockwise, holes clockwise"
                );
            }
        }
    }
    // Every coordinate is rounded to 7 decimals.
    fn check(v: &Value) {
        match v {
            Value::Array(items) => items.iter().for_each(check),
            Value::Number(n) => {
                let x = n.as_f64().unwrap();
                assert_eq!((x * 1e7).round() / 1e7, x, "{x} has more than 7 decimals");
            }
            _ => {}
        }
    }
    for layer in [text, hubsel::output::routes_layer(&r)] {
        let g: Value = serde_json::from_str(&layer).unwrap();
        for f in g["features"].as_array().unwrap() {
            check(&f["geometry"]["coordinates"]);
        }
    }
}

fn fgb_features(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut file = fs::File::open(path).unwrap();
    let mut iter = FgbReader::open(&mut file).unwrap().select_all().unwrap();
    let mut out = Vec::new();
    while let Some(f) = iter.next().unwrap() {
        out.push(f.properties().unwrap().into_iter().collect());
    }
    out
}

#[test]
fn flatgeobuf_and_shapefile_read_back_like_the_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    write_all_formats(&run_with_bad_rows(), &dir);
    let summary = json(&dir.join("summary.json"));
    for layer in LAYERS {
        let g = json(&dir.join(format!("{layer}.geojson")));
        let features = g["features"].as_array().unwrap();
        let fields = declared(&summary, layer);
        let key = fields[0].0.clone();
        let geo_ids: BTreeSet<String> = features
            .iter()
            .map(|f| f["properties"][&key].as_str().unwrap().to_string())
            .collect();

        // FlatGeobuf: same count, same columns, same ids.
        let fgb = fgb_features(&dir.join(format!("{layer}.fgb")));
        assert_eq!(fgb.len(), features.len(), "{layer}.fgb feature count");
        let mut file = fs::File::open(dir.join(format!("{layer}.fgb"))).unwrap();
        let reader = FgbReader::open(&mut file).unwrap();
        let columns: Vec<String> = reader
            .header()
            .columns()
            .unwrap()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(
            columns,
            fields.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
            "{layer}.fgb columns"
        );
        assert_eq!(reader.header().crs().map(|c| c.code()), Some(4326));
        let fgb_ids: BTreeSet<String> = fgb.iter().map(|p| p[&key].clone()).collect();
        assert_eq!(fgb_ids, geo_ids, "{layer}.fgb ids");

        // Shapefile: located rows in the .shp, the others in _unlocated.dbf.
        let mut shp = shapefile::ShapeReader::from_path(dir.join(format!("{layer}.shp"))).unwrap();
        let located = features.iter().filter(|f| !f["geometry"].is_null()).count();
        assert_eq!(shp.iter_shapes().count(), located, "{layer}.shp shapes");
        let enc = shapefile::dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_874);
        let mut dbf = shapefile::dbase::ReaderBuilder::new()
            .with_encoding(enc)
            .open(dir.join(format!("{layer}.dbf")))
            .unwrap();
        let dbf_names: Vec<String> = dbf.fields().iter().map(|f| f.name().to_string()).collect();
        assert_eq!(
            dbf_names,
            fields.iter().map(|f| f.1.clone()).collect::<Vec<_>>(),
            "{layer}.dbf field names"
        );
        assert!(dbf_names.iter().all(|n| n.len() <= 10));
        let records = dbf.read().unwrap();
        assert_eq!(records.len(), located);
        let mut dbf_ids: BTreeSet<String> = records
            .iter()
            .map(|r| match r.get(&fields[0].1) {
                Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.clone(),
                other => panic!("{layer}: {other:?}"),
            })
            .collect();
        let unlocated = dir.join(format!("{layer}_unlocated.dbf"));
        if located < features.len() {
            let enc = shapefile::dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_874);
            let rest = shapefile::dbase::ReaderBuilder::new()
                .with_encoding(enc)
                .open(&unlocated)
                .unwrap()
                .read()
                .unwrap();
            assert_eq!(rest.len(), features.len() - located);
            for r in rest {
                if let Some(shapefile::dbase::FieldValue::Character(Some(s))) = r.get(&fields[0].1)
                {
                    dbf_ids.insert(s.clone());
                }
            }
        } else {
            assert!(!unlocated.exists());
        }
        assert_eq!(dbf_ids, geo_ids, "{layer} shapefile ids");
    }
    // Thai names survive cp874.
    let enc = shapefile::dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_874);
    let records = shapefile::dbase::ReaderBuilder::new()
        .with_encoding(enc)
        .open(dir.join("hubs.dbf"))
        .unwrap()
        .read()
        .unwrap();
    let hubs = json(&dir.join("hubs.geojson"));
    let first_name = hubs["features"][0]["properties"]["name"].as_str().unwrap();
    assert!(first_name.starts_with("โรงเรียน"));
    assert!(records.iter().any(|r| matches!(r.get("name"), Some(shapefile::dbase::FieldValue::Character(Some(s))) if s == first_name)));
    assert_eq!(
        fs::read_to_string(dir.join("hubs.cpg")).unwrap().trim(),
        "874"
    );
    assert!(fs::read_to_string(dir.join("hubs.prj"))
        .unwrap()
        .contains("WGS_1984"));
}

/// QGIS writes its styles with a DOCTYPE, which roxmltree refuses unless asked.
fn parse_qml(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not XML: {e}"))
}

/// Field names a QML file refers to: renderer attributes, label fields,
/// aliases, and "quoted" names inside expressions.
fn qml_fields(text: &str) -> BTreeSet<String> {
    let doc = parse_qml(text);
    let mut out = BTreeSet::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for attr in ["attr", "fieldName", "field"] {
            if let Some(v) = node.attribute(attr) {
                out.insert(v.to_string());
            }
        }
        if node.attribute("name") == Some("expression") {
            let expr = node.attribute("value").unwrap_or("");
            for (i, part) in expr.split('"').enumerate() {
                if i % 2 == 1 {
                    out.insert(part.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn each_style_is_qgis_xml_naming_only_fields_of_its_layer_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    write_all_formats(&default_run(), &dir);
    let summary = json(&dir.join("summary.json"));
    let expected = [
        ("hubs", "categorizedSymbol", "level"),
        ("schools", "categorizedSymbol", "role"),
        ("routes", "graduatedSymbol", "travel_min"),
        ("districts", "graduatedSymbol", "share_in"),
    ];
    for (layer, renderer, attr) in expected {
        let text = fs::read_to_string(dir.join(format!("{layer}.qml"))).unwrap();
        assert!(text.starts_with("<!DOCTYPE qgis"));
        let doc = parse_qml(&text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "qgis");
        assert!(root
            .attribute("version")
            .is_some_and(|v| v.starts_with("3.")));
        let r = root
            .children()
            .find(|n| n.has_tag_name("renderer-v2"))
            .unwrap();
        assert_eq!(r.attribute("type"), Some(renderer), "{layer}");
        assert_eq!(r.attribute("attr"), Some(attr), "{layer}");
        // Every class has a symbol.
        let symbols: BTreeSet<&str> = r
            .descendants()
            .filter(|n| n.has_tag_name("symbol"))
            .filter_map(|n| n.attribute("name"))
            .collect();
        for class in r
            .descendants()
            .filter(|n| n.has_tag_name("category") || n.has_tag_name("range"))
        {
            assert!(
                symbols.contains(class.attribute("symbol").unwrap()),
                "{layer}: class without symbol"
            );
        }
        let fields = declared(&summary, layer);
        let used = qml_fields(&text);
        assert!(!used.is_empty());
        for name in &used {
            assert!(
                fields.iter().any(|f| &f.0 == name),
                "{layer}.qml names {name:?}, not a GeoJSON/FlatGeobuf field"
            );
            assert!(
                fields.iter().any(|f| &f.1 == name),
                "{layer}.qml names {name:?}, not a Shapefile field"
            );
        }
    }
    let schools = fs::read_to_string(dir.join("schools.qml")).unwrap();
    let doc = parse_qml(&schools);
    let values: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("category"))
        .filter_map(|n| n.attribute("value"))
        .collect();
    assert_eq!(values, ["hub", "member", "stand-alone", "rejected"]);
    let hubs = fs::read_to_string(dir.join("hubs.qml")).unwrap();
    assert!(
        hubs.contains("labelsEnabled=\"1\"")
            && qml_fields(&hubs).contains("name")
            && qml_fields(&hubs).contains("served")
    );
}

/// Elements of the report's SVG map with a class, counted.
fn svg_counts(html: &str) -> BTreeMap<String, usize> {
    let start = html.find("<svg").unwrap();
    let end = html.find("</svg>").unwrap() + "</svg>".len();
    let doc = roxmltree::Document::parse(&html[start..end])
        .unwrap_or_else(|e| panic!("the map is not well-formed SVG: {e}"));
    let mut counts = BTreeMap::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        if let Some(class) = n.attribute("class") {
            *counts
                .entry(class.split(' ').next().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
    }
    let members: usize = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("routes"))
        .map(|n| n.attribute("data-n").unwrap().parse::<usize>().unwrap())
        .sum();
    counts.insert("route members".into(), members);
    counts
}

#[test]
fn the_report_map_draws_every_district_hub_route_and_stand_alone_school() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    write_all_formats(&run_with_bad_rows(), &dir);
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let summary = json(&dir.join("summary.json"));
    let t = &summary["totals"];
    let counts = svg_counts(&html);
    assert_eq!(counts["district"] as u64, t["districts"].as_u64().unwrap());
    assert_eq!(counts["hub"] as u64, t["hubs"].as_u64().unwrap());
    assert_eq!(
        counts["standalone"] as u64,
        t["standalone"].as_u64().unwrap()
    );
    assert_eq!(
        counts["route members"] as u64,
        t["members"].as_u64().unwrap()
    );
    // Self-contained: nothing fetched, no script.
    for banned in [
        "<script", "http://", "https://", "@import", "url(", "<link", "<img",
    ] {
        let outside_svg_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !outside_svg_namespace.contains(banned),
            "report.html contains {banned}"
        );
    }
    // The rejects summary names the bad rows' file.
    assert!(html.contains("id=\"rejects\"") && html.contains("schools.csv"));
    // The district table has one row per district.
    let table = &html[html.find("id=\"district-table\"").unwrap()..];
    let body = &table[..table.find("</tbody>").unwrap()];
    assert_eq!(
        body.matches("<tr>").count() as u64 - 1,
        t["districts"].as_u64().unwrap()
    );
}

#[test]
fn every_format_is_byte_identical_on_a_rerun() {
    let r = default_run();
    let a = hubsel::output::render(&r, &Format::ALL).unwrap();
    let b = hubsel::output::render(&default_run(), &Format::ALL).unwrap();
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between two identical runs");
    }
    let names: BTreeSet<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for layer in LAYERS {
        for ext in ["geojson", "shp", "shx", "dbf", "prj", "cpg", "fgb", "qml"] {
            assert!(
                names.contains(format!("{layer}.{ext}").as_str()),
                "{layer}.{ext} missing"
            );
        }
    }
}

#[test]
fn empty_layers_still_open() {
    // A scenario that wants no hubs: no hubs, no routes, every school alone.
    let text = hubsel::scenario::DEFAULT_SCENARIO.replace(
        "hubs_per_district = { primary = 1, secondary = 1 }",
        "hubs_per_district = { primary = 0, secondary = 0 }",
    );
    assert_ne!(
        text,
        hubsel::scenario::DEFAULT_SCENARIO,
        "the default scenario names hubs_per_district"
    );
    let config = hubsel::scenario::parse(&text, "none.toml").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let r = run(inputs, &config, &Silent).unwrap();
    assert!(r.hubs.is_empty() && r.routes.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    write_all_formats(&r, &dir);
    let shp = shapefile::ShapeReader::from_path(dir.join("routes.shp")).unwrap();
    assert_eq!(shp.header().shape_type, shapefile::ShapeType::Polyline);
    assert_eq!(fs::read(dir.join("routes.shp")).unwrap().len(), 100);
    assert_eq!(fgb_features(&dir.join("hubs.fgb")).len(), 0);
    let g = json(&dir.join("routes.geojson"));
    assert_eq!(g["features"].as_array().unwrap().len(), 0);
}

#[test]
fn the_readme_documents_every_field_of_every_layer() {
    // The Outputs section lives in the guide for GIS analysts.
    let readme = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/gis-analysts.md"),
    )
    .unwrap();
    let start = readme
        .find("**Fields.**")
        .expect("docs/gis-analysts.md has a Fields paragraph under Outputs");
    let end = start
        + readme[start..]
            .find("**Styles.**")
            .expect("followed by Styles");
    let section = &readme[start..end];
    let r = default_run();
    for layer in hubsel::output::layers::layers(&r) {
        let bullet = section
            .find(&format!("- `{}`:", layer.name))
            .unwrap_or_else(|| panic!("no bullet for {}", layer.name));
        let text = &section[bullet..];
        let text = &text[..text[2..].find("\n- `").map_or(text.len(), |i| i + 2)];
        for f in layer.fields.iter().filter(|f| !f.name.starts_with("p_")) {
            assert!(
                text.contains(&format!("`{}`", f.name)),
                "docs/gis-analysts.md: {}.{} is not documented",
                layer.name,
                f.name
            );
        }
    }
}
