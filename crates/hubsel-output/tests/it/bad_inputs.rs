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
            (r.source.line, r.id, r.field, r.reason.en(), r.action)
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
    // No relation in it: asking it for districts is an error (see
    // `pbf_cut_short_is_an_error_naming_the_cut`).
    let wanted = hubsel::io::osm_pbf::Wanted {
        schools: true,
        roads: true,
        districts: false,
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
        rejects.rows[0].reason.en(),
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

// ---------------------------------------------------------------------
// PBF files crafted or damaged (issue 21, item 5). The files are written
// by fuzz/make_seeds.py into fixtures/bad/pbf-*.pbf.

/// Reads a PBF of the corpus as every input; the error's message.
fn pbf_error(name: &str, districts: bool) -> String {
    let bytes = std::fs::read(bad(name)).unwrap();
    let source = Source::Bytes {
        name: "x.pbf",
        bytes: &bytes,
    };
    let wanted = hubsel::io::osm_pbf::Wanted {
        schools: true,
        roads: true,
        districts,
    };
    let mut rejects = hubsel::model::Rejects::default();
    match hubsel::io::osm_pbf::read(&source, wanted, &Default::default(), &mut rejects) {
        Ok(data) => panic!(
            "{name} read as valid: {} roads, {} districts",
            data.roads.len(),
            data.districts.len()
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_empty_pbf_is_an_error_saying_so() {
    let e = pbf_error("pbf-empty.pbf", true);
    assert!(e.contains("the file is empty"), "{e}");
}

#[test]
fn pbf_cut_short_is_an_error_naming_the_cut() {
    // At the first blob boundary: a header and no data.
    let e = pbf_error("pbf-header-only.pbf", true);
    assert!(
        e.contains("holds an OSMHeader and no OSMData blob") && e.contains("cut short"),
        "{e}"
    );
    // In the middle of a blob: which blob, where, how many bytes.
    let e = pbf_error("pbf-cut-mid-blob.pbf", false);
    assert!(
        e.contains(
            "the file is cut short: blob 2 (at byte 37) holds 192 bytes, the file ends after 185"
        ),
        "{e}"
    );
    // At a later boundary (nodes and ways, no relation): districts asked
    // for cannot come from it, and the message says why, not "boundaries
    // cut from a larger file".
    let e = pbf_error("../fuzz/osm_pbf/tiny.osm.pbf", true);
    assert!(
        e.contains("holds no relation (its 1 data blob(s) hold nodes and ways only): a file cut short at a blob boundary"),
        "{e}"
    );
    assert!(e.contains("--districts"), "{e}");
}

#[test]
fn pbf_data_twice_is_an_error() {
    // A file concatenated with itself: a second header.
    let e = pbf_error("pbf-twice.pbf", false);
    assert!(
        e.contains("blob 3 (at byte 245) is a second OSMHeader: the file is two PBF files joined"),
        "{e}"
    );
    // Its data blob repeated, no second header: the same objects twice.
    let e = pbf_error("pbf-data-repeated.pbf", false);
    assert!(
        e.contains("w100 appears twice: the file holds some of its data twice"),
        "{e}"
    );
}

#[test]
fn a_pbf_blob_inflating_past_its_declared_size_is_refused() {
    let e = pbf_error("pbf-raw-size-lie.pbf", false);
    assert!(
        e.contains("blob 2 (at byte 49) inflates to more than the 1000 bytes it declares"),
        "{e}"
    );
}

/// The PBF compression bombs: each refused with the blob named, in a child
/// process whose peak memory stays under 512 MB (before the fix the
/// strings bomb took 1.2 GB and ended in "no usable district polygon").
#[test]
fn pbf_compression_bombs_are_refused_within_memory() {
    for (name, expected) in [
        (
            "pbf-bomb-strings.pbf",
            "blob 2 (at byte 49) declares it inflates",
        ),
        (
            "pbf-bomb-ways.pbf",
            "blob 2 (at byte 49) declares it inflates",
        ),
        (
            "pbf-bomb-dense.pbf",
            "blob 2 (at byte 49) declares it inflates",
        ),
    ] {
        let run = budget::run_child("pbf", &bad(name));
        assert!(run.output.contains(expected), "{name}: {}", run.output);
        assert!(
            run.output.contains("compression bomb"),
            "{name}: {}",
            run.output
        );
        run.assert_within(name);
    }
}

/// The same bombs with a ratio the check lets through: the parse
/// estimate refuses them, before parsing.
#[test]
fn pbf_blocks_that_would_parse_to_too_much_are_refused() {
    use std::io::Write;
    // A block of 8 MiB of one-byte strings, stored raw (ratio 1).
    let table: Vec<u8> = b"\x0a\x01a".repeat((8 << 20) / 3);
    let mut strings = vec![0x0a];
    varint(table.len() as u64, &mut strings);
    strings.extend_from_slice(&table);
    let header = std::fs::read(bad("pbf-header-only.pbf")).unwrap();
    let mut file = header;
    file.extend(raw_blob(&strings));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strings.pbf");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&file)
        .unwrap();
    let run = budget::run_child("pbf", &path);
    assert!(
        run.output
            .contains("blob 2 (at byte 37): its block of 8388611 bytes would take some"),
        "{}",
        run.output
    );
    run.assert_within("strings.pbf");
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A raw (uncompressed) OSMData blob framed around `block`.
fn raw_blob(block: &[u8]) -> Vec<u8> {
    let mut body = vec![0x0a];
    varint(block.len() as u64, &mut body);
    body.extend_from_slice(block);
    body.push(0x10);
    varint(block.len() as u64, &mut body);
    let mut header = vec![0x0a, 7];
    header.extend_from_slice(b"OSMData");
    header.push(0x18);
    varint(body.len() as u64, &mut header);
    let mut out = (header.len() as u32).to_be_bytes().to_vec();
    out.extend(header);
    out.extend(body);
    out
}

/// Every file of the bad-input corpus and of the fuzz corpora, run through
/// the reader it targets (as its fuzz target does) in a child process per
/// corpus: the child's peak memory stays under 512 MB, and no file takes
/// more than 10 s of processor time. (`shapefile_layers` and `whole_run`
/// build their inputs from structured fuzz data, not files: left out.)
#[test]
fn every_corpus_file_stays_within_512_mb_and_10_s() {
    let root = bad("").join("..");
    let mut corpora: Vec<(&str, PathBuf)> = vec![
        ("bad", root.join("bad")),
        ("regressions", root.join("fuzz-regressions")),
    ];
    corpora.extend(
        fuzz_bodies::TARGETS
            .iter()
            .map(|t| (*t, root.join("fuzz").join(t))),
    );
    let mut counts = Vec::new();
    for (mode, dir) in corpora {
        let run = budget::run_child(mode, &dir);
        let count = |what: &str| {
            run.output
                .lines()
                // (libtest may print "test budget_child ... " before it)
                .find_map(|l| l.split_once(what).map(|(_, n)| n))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("{mode}: no {what:?} line\n{}", run.output))
        };
        let (files, replayed) = (count("files read: "), count("replayed: "));
        run.assert_within(mode);
        println!("{mode}: replayed {replayed} of {files} files ({})", dir.display());
        counts.push((mode, files, replayed));
    }
    // The corpora that are there are read: the bad corpus and the
    // regressions always, each fuzz target's folder when it holds files.
    for (mode, files, replayed) in counts {
        if mode == "bad" || mode == "regressions" {
            assert!(files > 0 && replayed == files, "{mode}: {replayed} of {files}");
        }
        assert!(replayed <= files, "{mode}");
    }
}

/// Every fuzz target's body and its decoding of the bytes, the very code
/// the targets in `fuzz/fuzz_targets/` run.
#[path = "../../../../fuzz/fuzz_targets/bodies.rs"]
#[allow(clippy::all, clippy::pedantic)]
mod fuzz_bodies;

/// The child side of the budget tests: set by `budget::run_child`.
#[test]
fn budget_child() {
    let (Ok(mode), Ok(path)) = (
        std::env::var("HUBSEL_BUDGET_MODE"),
        std::env::var("HUBSEL_BUDGET_PATH"),
    ) else {
        return;
    };
    budget::child(&mode, std::path::Path::new(&path));
}

mod budget {
    use std::io::Read;
    use std::path::Path;
    use std::time::{Duration, Instant};

    const PEAK_KB: i64 = 512 * 1024;
    const CPU_PER_FILE: f64 = 10.0;
    /// Hard stops: a child over these is killed.
    const KILL_KB: i64 = 3 * 1024 * 1024;
    const KILL_AFTER: Duration = Duration::from_secs(1200);

    pub struct Run {
        pub output: String,
        pub peak_kb: i64,
        pub killed: Option<String>,
        pub status: i32,
    }

    impl Run {
        pub fn assert_within(&self, what: &str) {
            eprintln!("{what}: peak RSS {} MB", self.peak_kb / 1024);
            assert!(
                self.killed.is_none(),
                "{what}: {:?}\n{}",
                self.killed,
                self.output
            );
            assert_eq!(self.status, 0, "{what}: the child failed\n{}", self.output);
            assert!(
                self.peak_kb < PEAK_KB,
                "{what}: peak RSS {} MB, over 512 MB\n{}",
                self.peak_kb / 1024,
                self.output
            );
            let slowest = self
                .output
                .lines()
                .find_map(|l| l.strip_prefix("slowest: "))
                .and_then(|l| l.split(' ').next())
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0);
            assert!(
                slowest <= CPU_PER_FILE,
                "{what}: a file took {slowest} s of processor time\n{}",
                self.output
            );
        }
    }

    fn rss_kb(pid: i32) -> i64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    /// Runs this test binary's `budget_child` on `path` in `mode`, waits
    /// for it with `wait4` (its peak RSS from `ru_maxrss`), killing it past
    /// the hard stops.
    // The child is reaped by `wait4` (for its rusage), not `Child::wait`.
    #[allow(clippy::zombie_processes)]
    pub fn run_child(mode: &str, path: &Path) -> Run {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["bad_inputs::budget_child", "--exact", "--nocapture", "--test-threads=1"])
            .env("HUBSEL_BUDGET_MODE", mode)
            .env("HUBSEL_BUDGET_PATH", path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let (mut a, mut b) = (String::new(), String::new());
            let _ = stdout.read_to_string(&mut a);
            let _ = stderr.read_to_string(&mut b);
            a + &b
        });
        let start = Instant::now();
        let mut killed = None;
        let (status, peak_kb) = loop {
            let mut status = 0;
            // SAFETY: a zeroed rusage is valid; wait4 fills it.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: our own child's pid, valid pointers.
            let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            if r == pid {
                break (status, usage.ru_maxrss);
            }
            assert!(r == 0, "wait4 failed");
            let rss = rss_kb(pid);
            if killed.is_none() && (rss > KILL_KB || start.elapsed() > KILL_AFTER) {
                killed = Some(format!(
                    "killed after {:?} at {} MB",
                    start.elapsed(),
                    rss / 1024
                ));
                // SAFETY: our own child, not yet reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let output = reader.join().unwrap();
        let status = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        Run {
            output,
            peak_kb,
            killed,
            status,
        }
    }

    fn cpu_seconds() -> f64 {
        // SAFETY: a zeroed rusage is valid; getrusage fills it.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
        t(u.ru_utime) + t(u.ru_stime)
    }

    /// Reads `path` (a file, or every file of a folder) as `mode` says,
    /// printing each error, then the slowest file's processor time.
    pub fn child(mode: &str, path: &Path) {
        // A fuzz target's corpus folder may not exist yet: no file.
        let mut files: Vec<std::path::PathBuf> = if path.is_dir() {
            std::fs::read_dir(path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .collect()
        } else if path.exists() {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        };
        files.sort();
        let (mut slowest, mut which) = (0.0, String::new());
        let mut replayed = 0;
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let before = cpu_seconds();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            // A panic is the fuzz campaign's finding; here only the
            // budget counts (the file was still run).
            if std::panic::catch_unwind(|| read_as(mode, &name, &bytes)).unwrap_or(true) {
                replayed += 1;
            }
            let took = cpu_seconds() - before;
            if took > slowest {
                (slowest, which) = (took, name);
            }
        }
        println!("files read: {}", files.len());
        println!("replayed: {replayed}");
        println!("slowest: {slowest:.3} s {which}");
    }

    /// Reads `bytes` as `mode` says: `pbf` prints what the reader made of
    /// it, a fuzz target's name runs that target's body on it (decoded as
    /// the target decodes it), `regressions` picks the target by the file's
    /// extension, and `bad` reads it as each input of a run. `false` when a
    /// structured target would not run on these bytes (too few to decode).
    fn read_as(mode: &str, name: &str, bytes: &[u8]) -> bool {
        let ext = name.rsplit('.').next().unwrap_or("");
        let mode = match (mode, ext) {
            ("bad", "pbf") => "pbf",
            ("bad" | "regressions", "toml") => "scenario_toml",
            ("regressions", "pbf") => "osm_pbf",
            ("regressions", "csv") => "csv_schools",
            ("regressions", "geojson" | "json") => "geojson_layers",
            ("regressions", "gpkg") => "gpkg_layers",
            ("regressions", _) => "bad",
            (m, _) => m,
        };
        match mode {
            "pbf" => {
                let source = hubsel::io::Source::Bytes {
                    name: "x.pbf",
                    bytes,
                };
                let wanted = hubsel::io::osm_pbf::Wanted {
                    schools: true,
                    roads: true,
                    districts: true,
                };
                let mut rejects = hubsel::model::Rejects::default();
                match hubsel::io::osm_pbf::read(&source, wanted, &Default::default(), &mut rejects)
                {
                    Ok(d) => println!(
                        "{name}: {} roads, {} districts",
                        d.roads.len(),
                        d.districts.len()
                    ),
                    Err(e) => println!("{name}: {e}"),
                }
                true
            }
            "bad" => {
                as_every_input(name, bytes);
                true
            }
            target => {
                assert!(
                    super::fuzz_bodies::TARGETS.contains(&target),
                    "no fuzz target {target}"
                );
                super::fuzz_bodies::replay(target, bytes)
            }
        }
    }

    /// A file of the bad corpus as each input of a `validate` in turn (the
    /// corpus' good files the others).
    fn as_every_input(name: &str, bytes: &[u8]) {
        let bad = |n: &str| std::fs::read(super::bad(n)).unwrap();
        let (good, roads, districts) = (
            bad("schools-good.csv"),
            bad("roads.geojson"),
            bad("districts.geojson"),
        );
        let config = super::scenario("scenario.toml");
        let ext = name.rsplit('.').next().unwrap_or("");
        let fname = format!("x.{ext}");
        for role in 0..3 {
            let s = if role == 0 {
                (fname.as_str(), bytes)
            } else {
                ("s.csv", good.as_slice())
            };
            let r = if role == 1 {
                (fname.as_str(), bytes)
            } else {
                ("r.geojson", roads.as_slice())
            };
            let d = if role == 2 {
                (fname.as_str(), bytes)
            } else {
                ("d.geojson", districts.as_slice())
            };
            let sources = hubsel::io::InputSources {
                schools: hubsel::io::Source::Bytes {
                    name: s.0,
                    bytes: s.1,
                },
                roads: hubsel::io::Source::Bytes {
                    name: r.0,
                    bytes: r.1,
                },
                districts: hubsel::io::Source::Bytes {
                    name: d.0,
                    bytes: d.1,
                },
            };
            if let Ok(inputs) = hubsel::io::load(&sources, &hubsel::io::ReadOptions::default()) {
                let _ = hubsel::pipeline::check(inputs, &config, &hubsel::progress::Silent);
            }
        }
    }
}
