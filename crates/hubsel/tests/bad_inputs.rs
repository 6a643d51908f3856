//! The bad-input corpus in `fixtures/bad/`: every file yields exactly its
//! expected rejects (row-level) or error (run-level), and nothing panics,
//! however the files are cut or scrambled.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use hubsel::error::ErrorKind;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Action;
use hubsel::outcome::CheckReport;
use hubsel::pipeline::check;
use hubsel::progress::Silent;
use rand::{Rng, SeedableRng};

fn bad(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/bad")).join(name)
}

fn scenario(name: &str) -> hubsel::scenario::Config {
    let path = bad(name);
    let text = std::fs::read_to_string(&path).unwrap();
    hubsel::scenario::parse(&text, &path.display().to_string()).unwrap()
}

/// `hubsel validate` on a schools file and a districts file of the corpus,
/// with the corpus' roads.
fn validate(
    schools: &str,
    districts: &str,
    scenario_file: &str,
    fix_swapped: bool,
) -> hubsel::error::Result<CheckReport> {
    let (s, r, d) = (bad(schools), bad("roads.geojson"), bad(districts));
    let sources = InputSources {
        schools: Source::File(&s),
        roads: Source::File(&r),
        districts: Source::File(&d),
    };
    let options = ReadOptions {
        fix_swapped,
        ..ReadOptions::default()
    };
    let inputs = hubsel::io::load(&sources, &options)?;
    check(inputs, &scenario(scenario_file), &Silent)
}

/// (line, id, field, reason, action) of every reject row, file checked.
fn rows(report: &CheckReport, file: &str) -> Vec<(u64, String, String, String, Action)> {
    let path = bad(file).display().to_string();
    report
        .rejects
        .sorted()
        .into_iter()
        .map(|r| {
            assert_eq!(r.source.file, path, "{r:?}");
            (r.source.line, r.id, r.field, r.reason, r.action)
        })
        .collect()
}

fn row(
    line: u64,
    id: &str,
    field: &str,
    reason: &str,
    action: Action,
) -> (u64, String, String, String, Action) {
    (
        line,
        id.to_string(),
        field.to_string(),
        reason.to_string(),
        action,
    )
}

/// A schools file of the corpus: exactly the expected reject rows.
fn expect_school_rejects(
    file: &str,
    fix_swapped: bool,
    expected: Vec<(u64, String, String, String, Action)>,
) -> CheckReport {
    let report = validate(file, "districts.geojson", "scenario.toml", fix_swapped)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(rows(&report, file), expected, "{file}");
    report
}

#[test]
fn the_good_file_has_no_rejects() {
    let report = expect_school_rejects("schools-good.csv", false, vec![]);
    assert_eq!((report.schools, report.placed, report.districts), (5, 5, 2));
}

#[test]
fn missing_coordinates() {
    expect_school_rejects(
        "schools-missing-coords.csv",
        false,
        vec![row(7, "X01", "lon", "missing longitude", Action::Refused)],
    );
}

#[test]
fn non_numeric_coordinates() {
    expect_school_rejects(
        "schools-nonnumeric-coords.csv",
        false,
        vec![row(
            7,
            "X02",
            "lon",
            "longitude is not a number: \"abc\"",
            Action::Refused,
        )],
    );
}

#[test]
fn swapped_coordinates_are_detected_and_fixed_only_when_asked() {
    let report = expect_school_rejects(
        "schools-swapped.csv",
        false,
        vec![row(
            7,
            "X03",
            "lon/lat",
            "latitude and longitude look swapped: (15.051, 100.08) lies outside the districts' extent and (100.08, 15.051) inside; fix the file or use --fix-swapped",
            Action::Refused,
        )],
    );
    assert_eq!(report.placed, 5);
    let fixed = expect_school_rejects(
        "schools-swapped.csv",
        true,
        vec![row(
            7,
            "X03",
            "lon/lat",
            "latitude and longitude were swapped: read (15.051, 100.08), used (100.08, 15.051)",
            Action::Flagged,
        )],
    );
    assert_eq!(fixed.placed, 6, "the fixed school takes part");
}

#[test]
fn swapped_geojson_points_are_detected_too() {
    let report = validate(
        "schools-swapped.geojson",
        "districts.geojson",
        "scenario.toml",
        false,
    )
    .unwrap();
    assert_eq!(
        rows(&report, "schools-swapped.geojson"),
        vec![
            row(
                1,
                "G01",
                "geometry",
                "latitude and longitude look swapped: (15.051, 100.04) lies outside the districts' extent and (100.04, 15.051) inside; fix the file or use --fix-swapped",
                Action::Refused
            ),
            row(3, "G03", "geometry", "missing coordinates: the feature has no geometry", Action::Refused),
        ]
    );
    assert_eq!(report.placed, 1);
}

#[test]
fn points_outside_every_district_including_inside_a_hole() {
    expect_school_rejects(
        "schools-outside.csv",
        false,
        vec![
            row(
                7,
                "X04",
                "lon/lat",
                "point lies outside every district",
                Action::Refused,
            ),
            row(
                8,
                "X05",
                "lon/lat",
                "point lies outside every district",
                Action::Refused,
            ),
        ],
    );
}

#[test]
fn duplicate_ids() {
    let first = format!(
        "duplicate id: first seen at {}:3",
        bad("schools-duplicate-ids.csv").display()
    );
    expect_school_rejects(
        "schools-duplicate-ids.csv",
        false,
        vec![row(7, "S02", "id", &first, Action::Refused)],
    );
}

#[test]
fn far_from_any_road_is_reported_with_the_distance() {
    expect_school_rejects(
        "schools-far-from-road.csv",
        false,
        vec![row(
            7,
            "X06",
            "lon/lat",
            "5004 m from the nearest road, beyond max_snap_m 1000; made stand-alone",
            Action::Flagged,
        )],
    );
}

#[test]
fn a_school_on_a_road_island() {
    expect_school_rejects(
        "schools-island.csv",
        false,
        vec![row(
            7,
            "X07",
            "lon/lat",
            "on a road island: its road network (2 junctions) does not reach the one of the other 3 school(s) of district 9101; unreachable, stand-alone unless a hub is on the same island",
            Action::Flagged,
        )],
    );
}

#[test]
fn unknown_level() {
    expect_school_rejects(
        "schools-unknown-level.csv",
        false,
        vec![row(
            7,
            "X08",
            "level",
            "unknown level \"college\" (expected primary, secondary, both, a grade span such as อนุบาล-ประถมศึกษา or ป.1-ม.3, or a value the scenario's [levels] table maps)",
            Action::Refused,
        )],
    );
}

#[test]
fn empty_polygon() {
    let report = validate(
        "schools-good.csv",
        "districts-empty-polygon.geojson",
        "scenario.toml",
        false,
    )
    .unwrap();
    assert_eq!(
        rows(&report, "districts-empty-polygon.geojson"),
        vec![row(
            3,
            "9103",
            "geometry",
            "empty polygon (no ring with at least 3 distinct points)",
            Action::Refused
        )]
    );
    assert_eq!(report.districts, 2);
}

#[test]
fn invalid_polygon_is_flagged_and_kept() {
    let report = validate(
        "schools-good.csv",
        "districts-invalid-polygon.geojson",
        "scenario.toml",
        false,
    )
    .unwrap();
    assert_eq!(
        rows(&report, "districts-invalid-polygon.geojson"),
        vec![row(
            3,
            "9104",
            "geometry",
            "invalid polygon: exterior ring has a self-intersection; kept as drawn",
            Action::Flagged
        )]
    );
    assert_eq!(report.districts, 3);
}

/// A run-level error: kind, file, field and the start of the message.
fn expect_error(
    schools: &str,
    districts: &str,
    scenario_file: &str,
    kind: ErrorKind,
    file: &str,
    field: Option<&str>,
    message: &str,
) {
    let err = match validate(schools, districts, scenario_file, false) {
        Ok(_) => panic!("{schools} / {districts} / {scenario_file}: expected an error"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.file(), Some(bad(file).as_path()), "{err}");
    assert_eq!(err.field(), field, "{err}");
    assert!(
        err.message().starts_with(message),
        "{err}\nexpected the message to start with: {message}"
    );
}

#[test]
fn no_usable_district_stops_the_run() {
    expect_error(
        "schools-good.csv",
        "districts-none-usable.geojson",
        "scenario.toml",
        ErrorKind::Input,
        "districts-none-usable.geojson",
        None,
        "no usable district polygon (first problem: feature 1: empty polygon (no ring with at least 3 distinct points))",
    );
}

#[test]
fn unreadable_files_stop_the_run() {
    expect_error(
        "schools-good.csv",
        "districts-not-json.geojson",
        "scenario.toml",
        ErrorKind::Format,
        "districts-not-json.geojson",
        None,
        "not valid JSON: EOF while parsing",
    );
    expect_error(
        "schools-good.csv",
        "not-a-shapefile.shp",
        "scenario.toml",
        ErrorKind::Format,
        "not-a-shapefile.shp",
        None,
        "not a readable shapefile: ",
    );
    expect_error(
        "schools-good.csv",
        "no-such-file.geojson",
        "scenario.toml",
        ErrorKind::Io,
        "no-such-file.geojson",
        None,
        "No such file",
    );
}

#[test]
fn an_unknown_coordinate_system_stops_the_run() {
    expect_error(
        "schools-good.csv",
        "districts-unknown-crs.geojson",
        "scenario.toml",
        ErrorKind::Input,
        "districts-unknown-crs.geojson",
        Some("crs"),
        "unknown coordinate system EPSG:3 in the crs member",
    );
}

#[test]
fn a_missing_column_stops_the_run() {
    expect_error(
        "schools-no-id-column.csv",
        "districts.geojson",
        "scenario.toml",
        ErrorKind::Input,
        "schools-no-id-column.csv",
        Some("id"),
        "no id column (looked for: id, school_id, code, smis, smis8, smis_code, school_code, school_id10;",
    );
}

#[test]
fn a_field_the_scenario_names_that_does_not_exist_stops_the_run() {
    expect_error(
        "schools-good.csv",
        "districts.geojson",
        "scenario-unknown-field.toml",
        ErrorKind::Scenario,
        "scenario-unknown-field.toml",
        None,
        "line 4: `swimming_pools`: the schools have no such numeric field",
    );
}

#[test]
fn a_column_named_by_the_user_that_does_not_exist_stops_the_run() {
    let (s, r, d) = (
        bad("schools-good.csv"),
        bad("roads.geojson"),
        bad("districts.geojson"),
    );
    let sources = InputSources {
        schools: Source::File(&s),
        roads: Source::File(&r),
        districts: Source::File(&d),
    };
    let mut options = ReadOptions::default();
    options
        .school_columns
        .set("students", "enrolled_2024")
        .unwrap();
    let err = hubsel::io::load(&sources, &options).unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.file()),
        (ErrorKind::Input, Some("enrolled_2024"), Some(s.as_path()))
    );
    assert!(
        err.message()
            .starts_with("no students column (the column named for it: enrolled_2024;"),
        "{err}"
    );
}

/// Every corpus file, cut short at many lengths and with bytes scrambled,
/// read as every input it could be: an error or rejects, never a panic.
#[test]
fn no_file_of_the_corpus_panics_however_cut_or_scrambled() {
    let dir = bad("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 17, "{names:?}");
    let config = scenario("scenario.toml");
    let good = std::fs::read(bad("schools-good.csv")).unwrap();
    let roads = std::fs::read(bad("roads.geojson")).unwrap();
    let districts = std::fs::read(bad("districts.geojson")).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut tried = 0;
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let mut variants = vec![bytes.clone()];
        for cut in (0..bytes.len()).step_by(bytes.len() / 23 + 1) {
            variants.push(bytes[..cut].to_vec());
        }
        for _ in 0..10 {
            let mut v = bytes.clone();
            for _ in 0..3 {
                if !v.is_empty() {
                    let i = rng.random_range(0..v.len());
                    v[i] = rng.random();
                }
            }
            variants.push(v);
        }
        let ext = name.rsplit('.').next().unwrap_or("");
        for v in &variants {
            let fname = format!("x.{ext}");
            // As each input in turn, the others good.
            for role in 0..3 {
                let s = if role == 0 {
                    v.as_slice()
                } else {
                    good.as_slice()
                };
                let r = if role == 1 {
                    v.as_slice()
                } else {
                    roads.as_slice()
                };
                let d = if role == 2 {
                    v.as_slice()
                } else {
                    districts.as_slice()
                };
                let names_by_role = [
                    if role == 0 { fname.as_str() } else { "s.csv" },
                    if role == 1 {
                        fname.as_str()
                    } else {
                        "r.geojson"
                    },
                    if role == 2 {
                        fname.as_str()
                    } else {
                        "d.geojson"
                    },
                ];
                let sources = InputSources {
                    schools: Source::Bytes {
                        name: names_by_role[0],
                        bytes: s,
                    },
                    roads: Source::Bytes {
                        name: names_by_role[1],
                        bytes: r,
                    },
                    districts: Source::Bytes {
                        name: names_by_role[2],
                        bytes: d,
                    },
                };
                if let Ok(inputs) = hubsel::io::load(&sources, &ReadOptions::default()) {
                    let _ = check(inputs, &config, &Silent);
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 1500, "{tried}");
}

#[test]
fn road_and_district_columns_named_by_the_user_must_exist() {
    let (s, r, d) = (
        bad("schools-good.csv"),
        bad("roads.geojson"),
        bad("districts.geojson"),
    );
    let sources = InputSources {
        schools: Source::File(&s),
        roads: Source::File(&r),
        districts: Source::File(&d),
    };
    let mut options = ReadOptions::default();
    options.road_fields.class = vec!["fclass".into()];
    options.road_fields.given = vec!["fclass".into()];
    let err = hubsel::io::load(&sources, &options).unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.file()),
        (ErrorKind::Input, Some("fclass"), Some(r.as_path()))
    );
    assert_eq!(
        err.message(),
        "no column named \"fclass\" (named with a flag); the file has: class, note"
    );

    let mut options = ReadOptions::default();
    options.district_fields.name = vec!["AMP_TH".into()];
    options.district_fields.given = vec!["AMP_TH".into()];
    let err = hubsel::io::load(&sources, &options).unwrap_err();
    assert_eq!(
        (err.field(), err.file()),
        (Some("AMP_TH"), Some(d.as_path()))
    );
}

#[test]
fn the_fuzzers_hand_built_pbf_seed_reads_as_osm() {
    // fixtures/fuzz/osm_pbf/tiny.osm.pbf is written by fuzz/make_seeds.py:
    // two roads (primary, track) and one school node.
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/fuzz/osm_pbf/tiny.osm.pbf"
    ))
    .unwrap();
    let source = hubsel::io::Source::Bytes {
        name: "tiny.osm.pbf",
        bytes: &bytes,
    };
    let wanted = hubsel::io::osm_pbf::Wanted {
        schools: true,
        roads: true,
        districts: true,
    };
    let mut rejects = hubsel::model::Rejects::default();
    let data =
        hubsel::io::osm_pbf::read(&source, wanted, &Default::default(), &mut rejects).unwrap();
    assert_eq!(data.roads.len(), 2);
    assert_eq!(data.schools.map(|t| t.schools.len()), Some(1));
}

/// Found by the geojson_layers fuzz target: a polygon position with one
/// number made the geojson crate's conversion index out of bounds.
#[test]
fn fuzz_regression_a_position_with_one_number_is_a_reject() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/fuzz-regressions/geojson-one-number-position.geojson"
    );
    let bytes = std::fs::read(path).unwrap();
    let wgs84 = hubsel::io::crs::Crs::wgs84();
    let mut rejects = hubsel::model::Rejects::default();
    let districts = hubsel::io::geojson::read_districts(
        &bytes,
        "f.geojson",
        &Default::default(),
        &wgs84,
        &mut rejects,
    )
    .unwrap();
    assert_eq!(districts.len(), 1);
    assert_eq!(rejects.rows.len(), 1);
    assert_eq!(
        rejects.rows[0].reason,
        "a position with fewer than 2 coordinates"
    );
    assert_eq!(rejects.rows[0].source.line, 2);
    let mut rejects = hubsel::model::Rejects::default();
    let _ = hubsel::io::geojson::read_roads(
        &bytes,
        "f.geojson",
        &Default::default(),
        &wgs84,
        &mut rejects,
        &mut Vec::new(),
    );
    let _ = hubsel::io::geojson::read_schools(
        &bytes,
        "f.geojson",
        &Default::default(),
        &wgs84,
        None,
        false,
    );
}
