//! Formats and coordinate systems: the province fixture through UTM 47N
//! shapefiles with cp874 DBFs and back, GeoJSON with a legacy `crs`
//! member, projected CSV columns, and DBF encodings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use hubsel::io::crs::Crs;
use hubsel_testkit::shapefile::{write_districts, write_roads, write_schools, WriteOptions};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Inputs;
use hubsel::outcome::RunResult;
use hubsel::pipeline::run;
use hubsel::progress::Silent;

fn province() -> Inputs {
    hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap()
}

fn default_config(text: &str) -> hubsel::scenario::Config {
    hubsel::scenario::parse(text, "default.toml").unwrap()
}

/// Writes the province as three shapefiles in `crs` with `encoding`;
/// returns the scenario text with criteria renamed to the DBF's
/// 10-character field names.
fn write_province(
    dir: &Path,
    inputs: &Inputs,
    crs: &Crs,
    encoding: &'static encoding_rs::Encoding,
) -> String {
    let options = WriteOptions { crs, encoding };
    let attrs: Vec<String> = inputs
        .school_fields
        .iter()
        .filter(|f| !["students", "teachers", "classrooms"].contains(&f.as_str()))
        .cloned()
        .collect();
    let dbf = write_schools(&dir.join("schools.shp"), &inputs.schools, &attrs, &options).unwrap();
    write_roads(&dir.join("roads.shp"), &inputs.roads, &options).unwrap();
    write_districts(&dir.join("districts.shp"), &inputs.districts, &options).unwrap();
    let mut scenario = hubsel::scenario::DEFAULT_SCENARIO.to_string();
    for (a, d) in attrs.iter().zip(&dbf) {
        scenario = scenario.replace(&format!("field = \"{a}\""), &format!("field = \"{d}\""));
    }
    scenario
}

fn load_shapefiles(dir: &Path, options: &ReadOptions) -> hubsel::error::Result<Inputs> {
    let (s, r, d) = (
        dir.join("schools.shp"),
        dir.join("roads.shp"),
        dir.join("districts.shp"),
    );
    hubsel::io::load(
        &InputSources {
            schools: Source::File(&s),
            roads: Source::File(&r),
            districts: Source::File(&d),
        },
        options,
    )
}

fn hubs(r: &RunResult) -> Vec<(String, &'static str, String)> {
    r.hubs
        .iter()
        .map(|h| (h.district.0.clone(), h.level.as_str(), h.id.0.clone()))
        .collect()
}

#[test]
fn utm47_shapefiles_with_cp874_dbfs_give_the_same_selection_and_thai_names() {
    let original = province();
    let tmp = tempfile::tempdir().unwrap();
    let utm47 = Crs::from_epsg(32647).unwrap();
    let scenario = write_province(tmp.path(), &original, &utm47, encoding_rs::WINDOWS_874);

    // What an ArcGIS or QGIS user would find beside the .shp files.
    let prj = std::fs::read_to_string(tmp.path().join("schools.prj")).unwrap();
    assert!(prj.contains("UTM zone 47N"), "{prj}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("schools.cpg")).unwrap(),
        "874"
    );
    let dbf = std::fs::read(tmp.path().join("schools.dbf")).unwrap();
    let thai = &original.schools[0].name;
    let (cp874, _, lossy) = encoding_rs::WINDOWS_874.encode(thai);
    assert!(
        !lossy && thai.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
        "{thai}"
    );
    assert!(
        dbf.windows(cp874.len()).any(|w| w == cp874.as_ref()),
        "the DBF holds the name in cp874 bytes"
    );
    assert!(
        !dbf.windows(thai.len()).any(|w| w == thai.as_bytes()),
        "and not in UTF-8"
    );

    let back = load_shapefiles(tmp.path(), &ReadOptions::default()).unwrap();
    assert!(back.rejects.is_empty(), "{:?}", back.rejects.rows.first());
    assert_eq!(back.schools.len(), original.schools.len());
    assert_eq!(back.roads.len(), original.roads.len());
    assert_eq!(back.districts.len(), original.districts.len());
    let by_id: BTreeMap<&str, &hubsel::model::School> =
        back.schools.iter().map(|s| (s.id.0.as_str(), s)).collect();
    let mut max_err_deg: f64 = 0.0;
    for s in &original.schools {
        let b = by_id[s.id.0.as_str()];
        assert_eq!(b.name, s.name, "Thai names intact");
        assert_eq!(
            (b.level, b.students, &b.district),
            (s.level, s.students, &s.district)
        );
        max_err_deg = max_err_deg
            .max((b.lon - s.lon).abs())
            .max((b.lat - s.lat).abs());
    }
    assert!(
        max_err_deg < 1e-8,
        "UTM round trip moved a school by {max_err_deg} degrees"
    );
    for (a, b) in original.districts.iter().zip(&back.districts) {
        assert_eq!((&a.code, &a.name), (&b.code, &b.name));
        assert_eq!(a.geometry.0.len(), b.geometry.0.len());
        assert_eq!(
            a.geometry.0[0].interiors().len(),
            b.geometry.0[0].interiors().len()
        );
    }

    let first = run(
        original,
        &default_config(hubsel::scenario::DEFAULT_SCENARIO),
        &Silent,
    )
    .unwrap();
    let second = run(back, &default_config(&scenario), &Silent).unwrap();
    assert_eq!(
        hubs(&first),
        hubs(&second),
        "same hubs per district and level"
    );
    assert_eq!(first.hubs.len(), 49);
    let roles = |r: &RunResult| {
        r.schools
            .iter()
            .map(|s| (s.id.0.clone(), s.role, s.hub_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        roles(&first),
        roles(&second),
        "every school has the same role and hub"
    );
    for (a, b) in first.schools.iter().zip(&second.schools) {
        if let (Some(x), Some(y)) = (a.travel_min, b.travel_min) {
            assert!((x - y).abs() < 1e-3, "{}: {x} vs {y} min", a.id);
        }
    }
}

#[test]
fn a_dbf_without_cpg_is_read_by_its_code_page_byte_or_by_the_flag_or_refused_with_advice() {
    let original = province();
    let tmp = tempfile::tempdir().unwrap();
    write_province(
        tmp.path(),
        &original,
        &Crs::from_epsg(32647).unwrap(),
        encoding_rs::WINDOWS_874,
    );
    std::fs::remove_file(tmp.path().join("schools.cpg")).unwrap();
    // The DBF header's code page byte (0x7C: Thai Windows) still says cp874.
    let inputs = load_shapefiles(tmp.path(), &ReadOptions::default()).unwrap();
    assert_eq!(inputs.schools[0].name, original.schools[0].name);

    // Without it, the text is not UTF-8: a run-level error asking for --encoding.
    let dbf = tmp.path().join("schools.dbf");
    let mut bytes = std::fs::read(&dbf).unwrap();
    assert_eq!(bytes[29], 0x7C);
    bytes[29] = 0;
    std::fs::write(&dbf, &bytes).unwrap();
    let err = load_shapefiles(tmp.path(), &ReadOptions::default()).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (hubsel::error::ErrorKind::Input, Some("encoding"))
    );
    assert!(
        err.to_string()
            .contains("give --encoding, e.g. --encoding cp874 for TIS-620"),
        "{err}"
    );
    assert!(err.to_string().contains("schools.shp"), "{err}");

    let flag = ReadOptions {
        encoding: hubsel::io::shapefile::encoding_for_label("TIS-620"),
        ..ReadOptions::default()
    };
    let inputs = load_shapefiles(tmp.path(), &flag).unwrap();
    assert_eq!(inputs.schools[0].name, original.schools[0].name);
    // A .cpg naming the code page works as well.
    std::fs::write(tmp.path().join("schools.cpg"), "CP874\n").unwrap();
    let inputs = load_shapefiles(tmp.path(), &ReadOptions::default()).unwrap();
    assert_eq!(inputs.schools[0].name, original.schools[0].name);
}

#[test]
fn a_shapefile_without_prj_takes_the_crs_option() {
    let original = province();
    let tmp = tempfile::tempdir().unwrap();
    let utm48 = Crs::from_epsg(32648).unwrap();
    write_province(tmp.path(), &original, &utm48, encoding_rs::UTF_8);
    for f in ["schools.prj", "roads.prj", "districts.prj"] {
        std::fs::remove_file(tmp.path().join(f)).unwrap();
    }
    // Read as WGS 84, the metres are no longitude/latitude: nothing usable.
    let err = load_shapefiles(tmp.path(), &ReadOptions::default()).unwrap_err();
    assert!(
        err.message().starts_with("no usable district polygon"),
        "{err}"
    );
    let options = ReadOptions {
        crs: Some(Crs::parse("EPSG:32648").unwrap()),
        ..ReadOptions::default()
    };
    let back = load_shapefiles(tmp.path(), &options).unwrap();
    assert!((back.schools[0].lon - original.schools[0].lon).abs() < 1e-8);
    assert!((back.schools[0].lat - original.schools[0].lat).abs() < 1e-8);
}

#[test]
fn esri_prj_without_authority_reads_like_the_epsg_code() {
    let esri = r#"PROJCS["WGS_1984_UTM_Zone_47N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",99.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let from_prj = Crs::from_wkt(esri).unwrap().to_wgs84().unwrap();
    let from_code = Crs::from_epsg(32647).unwrap().to_wgs84().unwrap();
    for (x, y) in [
        (498_000.0, 2_078_000.0),
        (700_000.0, 1_500_000.0),
        (300_000.0, 700_000.0),
    ] {
        let (a, b) = (
            from_prj.convert(x, y).unwrap(),
            from_code.convert(x, y).unwrap(),
        );
        assert!(
            (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
            "{a:?} vs {b:?}"
        );
    }
    let geographic = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    assert!(Crs::from_wkt(geographic).unwrap().is_wgs84());
}

/// The district and road layers of the province written as GeoJSON in
/// UTM 47N metres with a legacy `crs` member, and read back.
#[test]
fn geojson_with_a_utm_crs_member_is_reprojected() {
    let original = province();
    let to_utm = Crs::from_epsg(32647).unwrap().from_wgs84().unwrap();
    let project = |c: &geo::Coord<f64>| {
        let (x, y) = to_utm.convert(c.x, c.y).unwrap();
        serde_json::json!([x, y])
    };
    let crs =
        serde_json::json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32647"}});
    let districts: Vec<serde_json::Value> = original
        .districts
        .iter()
        .map(|d| {
            let polys: Vec<serde_json::Value> = d
                .geometry
                .0
                .iter()
                .map(|p| {
                    let rings: Vec<serde_json::Value> =
                        std::iter::once(p.exterior()).chain(p.interiors()).map(|r| serde_json::Value::Array(r.0.iter().map(project).collect())).collect();
                    serde_json::Value::Array(rings)
                })
                .collect();
            serde_json::json!({"type": "Feature", "properties": {"code": d.code.0, "name": d.name}, "geometry": {"type": "MultiPolygon", "coordinates": polys}})
        })
        .collect();
    let roads: Vec<serde_json::Value> = original
        .roads
        .iter()
        .map(|r| serde_json::json!({"type": "Feature", "properties": {"class": r.class}, "geometry": {"type": "LineString", "coordinates": r.geometry.0.iter().map(project).collect::<Vec<_>>()}}))
        .collect();
    let schools: Vec<serde_json::Value> = original
        .schools
        .iter()
        .map(|s| {
            serde_json::json!({"type": "Feature", "properties": {"id": s.id.0, "name": s.name, "level": s.level.as_str(), "students": s.students},
                "geometry": {"type": "Point", "coordinates": project(&geo::Coord { x: s.lon, y: s.lat })}})
        })
        .collect();
    let collection = |features: Vec<serde_json::Value>| {
        serde_json::json!({"type": "FeatureCollection", "crs": crs, "features": features})
            .to_string()
    };
    let (d, r, s) = (
        collection(districts),
        collection(roads),
        collection(schools),
    );
    let sources = InputSources {
        schools: Source::Bytes {
            name: "schools.geojson",
            bytes: s.as_bytes(),
        },
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: r.as_bytes(),
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: d.as_bytes(),
        },
    };
    let back = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert!(back.rejects.is_empty(), "{:?}", back.rejects.rows.first());
    assert_eq!(back.schools.len(), original.schools.len());
    for (a, b) in original.schools.iter().zip(&back.schools) {
        assert!(
            (a.lon - b.lon).abs() < 1e-8 && (a.lat - b.lat).abs() < 1e-8,
            "{} moved",
            a.id
        );
        assert_eq!(a.name, b.name);
    }
    assert_eq!(back.districts.len(), 25);
    assert_eq!(back.roads.len(), original.roads.len());
}

#[test]
fn csv_with_projected_x_y_columns_and_the_crs_option() {
    let to_utm = Crs::from_epsg(32647).unwrap().from_wgs84().unwrap();
    let (x, y) = to_utm.convert(98.986583, 18.787955).unwrap();
    let csv = format!(
        "school_id,name,easting,northing,level,students\nA1,โรงเรียนทดสอบ,{x},{y},primary,100\n"
    );
    let p = hubsel::fixture::province();
    let sources = InputSources {
        schools: Source::Bytes {
            name: "utm.csv",
            bytes: csv.as_bytes(),
        },
        roads: p.roads,
        districts: p.districts,
    };
    let mut options = ReadOptions {
        crs: Some(Crs::parse("epsg:32647").unwrap()),
        ..ReadOptions::default()
    };
    options.school_columns.set("x", "easting").unwrap();
    options.school_columns.set("y", "northing").unwrap();
    let inputs = hubsel::io::load(&sources, &options).unwrap();
    assert!(inputs.rejects.is_empty(), "{:?}", inputs.rejects.rows);
    let s = &inputs.schools[0];
    assert!(
        (s.lon - 98.986583).abs() < 1e-9 && (s.lat - 18.787955).abs() < 1e-9,
        "{s:?}"
    );
}
