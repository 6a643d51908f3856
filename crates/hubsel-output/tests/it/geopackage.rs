//! GeoPackage out and in: `hubsel.gpkg` read back with SQLite (tables,
//! counts against summary.json, field types, the R-tree, the styles),
//! written byte for byte the same twice, read back as inputs; a province
//! converted by GDAL's ogr2ogr to UTM 47N choosing the same hubs; and
//! damaged files and geometries giving errors and rejects, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hubsel::error::ErrorKind;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Inputs;
use hubsel::outcome::RunResult;
use hubsel::output::{write_run, Format, WriteOptions};
use hubsel::progress::Silent;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

const LAYERS: [&str; 4] = ["hubs", "schools", "routes", "districts"];

fn province() -> Inputs {
    hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap()
}

fn run(inputs: Inputs) -> RunResult {
    let config = hubsel::scenario::default_scenario().unwrap();
    hubsel::pipeline::run(inputs, &config, &Silent).unwrap()
}

/// Writes a run with GeoJSON (for the .qml and summary.json beside it)
/// and the GeoPackage; returns the folder.
fn write(r: &RunResult, dir: &Path) -> PathBuf {
    let out = dir.join("run");
    let options = WriteOptions {
        formats: vec![Format::GeoJson, Format::GeoPackage],
        force: false,
        ..Default::default()
    };
    write_run(r, &out, &options).unwrap();
    out
}

fn open(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn hubs(r: &RunResult) -> Vec<(String, &'static str, String)> {
    r.hubs
        .iter()
        .map(|h| (h.district.0.clone(), h.level.as_str(), h.id.0.clone()))
        .collect()
}

/// The type GeoPackage columns get for summary.json's field types.
fn sql_type(declared: &str) -> &'static str {
    match declared {
        "integer" => "INTEGER",
        "real" => "REAL",
        "text" => "TEXT",
        "boolean" => "BOOLEAN",
        other => panic!("unknown field type {other}"),
    }
}

/// One feature table against summary.json: columns and their types,
/// the feature count, its geometry column row, its R-tree and triggers.
fn check_feature_table(conn: &Connection, layer: &str, declared: &Value) {
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info(\"{layer}\")"))
        .unwrap();
    let columns: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected = vec![
        ("fid".to_string(), "INTEGER".to_string()),
        ("geom".to_string(), String::new()),
    ];
    for f in declared["fields"].as_array().unwrap() {
        let kind = sql_type(f["type"].as_str().unwrap());
        expected.push((f["name"].as_str().unwrap().to_string(), kind.to_string()));
    }
    let geometry = match declared["geometry"].as_str().unwrap() {
        "Point" => "POINT",
        "LineString" => "LINESTRING",
        _ => "MULTIPOLYGON",
    };
    expected[1].1 = geometry.to_string();
    assert_eq!(columns, expected, "{layer}");
    let features = count(conn, &format!("SELECT count(*) FROM \"{layer}\""));
    assert_eq!(
        features as u64,
        declared["features"].as_u64().unwrap(),
        "{layer}"
    );
    assert_eq!(
        strings(
            conn,
            &format!("SELECT column_name || ' ' || geometry_type_name || ' ' || srs_id FROM gpkg_geometry_columns WHERE table_name = '{layer}'")
        ),
        [format!("geom {geometry} 4326")]
    );
    // Every located feature is in the R-tree, with a box around it.
    let located = count(
        conn,
        &format!("SELECT count(*) FROM \"{layer}\" WHERE geom IS NOT NULL"),
    );
    assert!(located > 0, "{layer}");
    assert_eq!(
        count(conn, &format!("SELECT count(*) FROM rtree_{layer}_geom")),
        located
    );
    let outside = count(
        conn,
        &format!("SELECT count(*) FROM \"{layer}\" t JOIN rtree_{layer}_geom r ON r.id = t.fid WHERE r.minx > r.maxx OR r.miny > r.maxy OR r.minx < 97 OR r.maxx > 101 OR r.miny < 17 OR r.maxy > 21"),
    );
    assert_eq!(outside, 0, "{layer}: an index box outside the province");
    assert_eq!(
        count(conn, &format!("SELECT count(*) FROM gpkg_extensions WHERE table_name = '{layer}' AND column_name = 'geom' AND extension_name = 'gpkg_rtree_index'")),
        1
    );
    let mut triggers = strings(
        conn,
        &format!("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{layer}' ORDER BY name"),
    );
    triggers.sort();
    let suffixes = [
        "delete", "insert", "update1", "update2", "update3", "update4",
    ];
    let wanted: Vec<String> = suffixes
        .iter()
        .map(|s| format!("rtree_{layer}_geom_{s}"))
        .collect();
    assert_eq!(triggers, wanted);
}

#[test]
fn the_geopackage_holds_every_layer_typed_indexed_and_styled() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run(province());
    let out = write(&r, tmp.path());
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let conn = open(&out.join("hubsel.gpkg"));
    assert_eq!(count(&conn, "PRAGMA application_id"), 0x4750_4B47, "GPKG");
    assert_eq!(count(&conn, "PRAGMA user_version"), 10300);
    assert_eq!(strings(&conn, "PRAGMA integrity_check"), ["ok"]);
    assert_eq!(
        strings(
            &conn,
            "SELECT srs_id || ' ' || organization FROM gpkg_spatial_ref_sys ORDER BY srs_id"
        ),
        ["-1 NONE", "0 NONE", "4326 EPSG"]
    );
    assert_eq!(
        strings(&conn, "SELECT table_name || ' ' || data_type || ' ' || ifnull(srs_id, '-') FROM gpkg_contents ORDER BY rowid"),
        [
            "hubs features 4326",
            "schools features 4326",
            "routes features 4326",
            "districts features 4326",
            "district_summary attributes -",
            "rejects attributes -",
            "run_summary attributes -",
            "layer_styles attributes -",
        ]
    );
    for layer in LAYERS {
        check_feature_table(&conn, layer, &summary["layers"][layer]);
    }
    let totals = &summary["totals"];
    let n = |key: &str| totals[key].as_i64().unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM district_summary"),
        n("districts")
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM rejects"),
        n("reject_rows")
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM run_summary"), 1);
    assert_eq!(
        count(&conn, "SELECT hubs_p FROM run_summary"),
        n("hubs_primary")
    );
    assert_eq!(
        count(&conn, "SELECT members FROM run_summary"),
        n("members")
    );
    let mean: f64 = conn
        .query_row("SELECT mean_min FROM run_summary", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mean, totals["mean_min"].as_f64().unwrap());
    let whole: String = conn
        .query_row("SELECT summary FROM run_summary", [], |r| r.get(0))
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&whole).unwrap(), summary);

    // One default style per layer, the .qml written beside the layers.
    let mut stmt = conn
        .prepare("SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault, f_table_schema FROM layer_styles ORDER BY id")
        .unwrap();
    let styles: Vec<(String, String, String, String, i64, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(styles.len(), 4);
    for ((table, column, name, qml, default, schema), layer) in styles.iter().zip(LAYERS) {
        assert_eq!(
            (table.as_str(), column.as_str(), name.as_str()),
            (layer, "geom", layer)
        );
        assert_eq!((*default, schema.as_str()), (1, ""));
        let beside = std::fs::read_to_string(out.join(format!("{layer}.qml"))).unwrap();
        assert_eq!(qml, &beside, "{layer}");
    }
}

#[test]
fn the_same_run_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let first = write(&run(province()), &tmp.path().join("a"));
    let second = write(&run(province()), &tmp.path().join("b"));
    let a = std::fs::read(first.join("hubsel.gpkg")).unwrap();
    let b = std::fs::read(second.join("hubsel.gpkg")).unwrap();
    assert!(a.len() > 100_000);
    assert!(
        a == b,
        "hubsel.gpkg differs between two runs of the same inputs"
    );
}

/// The output's layers are inputs again: schools and districts come back
/// with their ids, names and positions (7 decimals), the routes as roads.
#[test]
fn the_output_reads_back_as_inputs() {
    let original = province();
    let r = run(province());
    let tmp = tempfile::tempdir().unwrap();
    let out = write(&r, tmp.path());
    let bytes = std::fs::read(out.join("hubsel.gpkg")).unwrap();
    let sources = InputSources {
        schools: Source::Bytes {
            name: "hubsel.gpkg:schools",
            bytes: &bytes,
        },
        roads: Source::Bytes {
            name: "hubsel.gpkg:routes",
            bytes: &bytes,
        },
        districts: Source::Bytes {
            name: "hubsel.gpkg",
            bytes: &bytes,
        },
    };
    let back = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert!(back.rejects.is_empty(), "{:?}", back.rejects.rows.first());
    assert_eq!(back.schools.len(), original.schools.len());
    let by_id: BTreeMap<&str, &hubsel::model::School> = original
        .schools
        .iter()
        .map(|s| (s.id.0.as_str(), s))
        .collect();
    for s in &back.schools {
        let o = by_id[s.id.0.as_str()];
        assert_eq!(
            (&s.name, s.level, &s.district),
            (&o.name, o.level, &o.district)
        );
        assert!(
            (s.lon - o.lon).abs() < 1e-7 && (s.lat - o.lat).abs() < 1e-7,
            "{}",
            s.id.0
        );
    }
    let codes: Vec<&str> = back.districts.iter().map(|d| d.code.0.as_str()).collect();
    let wanted: Vec<&str> = original
        .districts
        .iter()
        .map(|d| d.code.0.as_str())
        .collect();
    assert_eq!(codes, wanted);
    let members = r
        .schools
        .iter()
        .filter(|s| s.role == hubsel::outcome::Role::Member)
        .count();
    assert_eq!(back.roads.len(), members, "one route per member");
}

/// GDAL's conversion of the province to a GeoPackage in UTM 47N gives
/// the same hubs as the GeoJSON and CSV it came from. Skipped, saying
/// so, where GDAL is not installed (scripts/test-all.sh installs it).
#[test]
fn a_utm47_geopackage_made_by_ogr2ogr_gives_the_same_hubs() {
    if std::process::Command::new("ogr2ogr")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: ogr2ogr is not installed (Debian: apt-get install gdal-bin)");
        return;
    }
    let fixtures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/province"
    ));
    let tmp = tempfile::tempdir().unwrap();
    let gpkg = tmp.path().join("province.gpkg");
    let convert = |source: &str, layer: &str, extra: &[&str]| {
        let mut cmd = std::process::Command::new("ogr2ogr");
        cmd.args(["-f", "GPKG", "-t_srs", "EPSG:32647", "-nln", layer]);
        if gpkg.exists() {
            cmd.arg("-update");
        }
        cmd.args(extra).arg(&gpkg).arg(fixtures.join(source));
        let done = cmd.output().unwrap();
        assert!(
            done.status.success(),
            "ogr2ogr {source}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    };
    convert("districts.geojson", "districts", &[]);
    convert("roads.geojson", "roads", &[]);
    convert(
        "schools.csv",
        "schools",
        &[
            "-s_srs",
            "EPSG:4326",
            "-oo",
            "X_POSSIBLE_NAMES=lon",
            "-oo",
            "Y_POSSIBLE_NAMES=lat",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-oo",
            "AUTODETECT_TYPE=YES",
        ],
    );
    let conn = open(&gpkg);
    assert_eq!(
        strings(
            &conn,
            "SELECT DISTINCT CAST(srs_id AS TEXT) FROM gpkg_geometry_columns"
        ),
        ["32647"]
    );
    // No layer named: each input takes the only layer of its geometry type.
    let sources = InputSources {
        schools: Source::File(&gpkg),
        roads: Source::File(&gpkg),
        districts: Source::File(&gpkg),
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert!(
        inputs.rejects.is_empty(),
        "{:?}",
        inputs.rejects.rows.first()
    );
    let from_gpkg = run(inputs);
    let from_geojson = run(province());
    assert_eq!(hubs(&from_gpkg), hubs(&from_geojson));
    assert_eq!(from_gpkg.schools.len(), from_geojson.schools.len());
}

/// Garbage, empty, cut and scrambled files are errors (or, when what is
/// left still reads, inputs), never a panic.
#[test]
fn damaged_geopackages_are_errors_not_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = write(&run(province()), tmp.path());
    let good = std::fs::read(out.join("hubsel.gpkg")).unwrap();
    let load = |bytes: &[u8]| {
        let sources = InputSources {
            schools: Source::Bytes {
                name: "bad.gpkg:schools",
                bytes,
            },
            roads: Source::Bytes {
                name: "roads.geojson",
                bytes: hubsel::fixture::ROADS_GEOJSON,
            },
            districts: Source::Bytes {
                name: "bad.gpkg",
                bytes,
            },
        };
        hubsel::io::load(&sources, &ReadOptions::default())
    };
    for (bytes, message) in [
        (&b""[..], "not an SQLite database"),
        (
            &b"garbage, not a database at all"[..],
            "not an SQLite database",
        ),
        (&good[..5000], "malformed"),
    ] {
        let err = load(bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format, "{err}");
        assert!(err.to_string().contains(message), "{err}");
    }
    // An SQLite database that is no GeoPackage.
    let plain = tmp.path().join("plain.gpkg");
    Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = load(&std::fs::read(&plain).unwrap()).unwrap_err();
    assert!(err.to_string().contains("without gpkg_contents"), "{err}");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    for _ in 0..100 {
        let mut bytes = good.clone();
        let cut = rng.random_range(100..bytes.len());
        if rng.random_bool(0.3) {
            bytes.truncate(cut);
        }
        for _ in 0..rng.random_range(1..40) {
            let i = rng.random_range(0..bytes.len());
            bytes[i] = rng.random();
        }
        let _ = load(&bytes);
    }
}

/// Rows whose geometry is damaged, of the wrong type, missing or not a
/// blob become rejects with their fid and why; the other rows are read.
#[test]
fn bad_geometries_are_rejects_with_their_fid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = write(&run(province()), tmp.path());
    let path = tmp.path().join("bad.gpkg");
    std::fs::copy(out.join("hubsel.gpkg"), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    // The index triggers call functions only GIS clients provide.
    for suffix in ["update1", "update2", "update3", "update4"] {
        conn.execute_batch(&format!("DROP TRIGGER rtree_schools_geom_{suffix}"))
            .unwrap();
    }
    let line: Vec<u8> = conn
        .query_row(
            "SELECT geom FROM routes WHERE geom IS NOT NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut cut: Vec<u8> = conn
        .query_row("SELECT geom FROM schools WHERE fid = 5", [], |r| r.get(0))
        .unwrap();
    cut.truncate(20);
    let mut update = conn
        .prepare("UPDATE schools SET geom = ?1 WHERE fid = ?2")
        .unwrap();
    update
        .execute(rusqlite::params![b"XX not a geometry".to_vec(), 1])
        .unwrap();
    update
        .execute(rusqlite::params!["POINT (99 18)", 2])
        .unwrap();
    update
        .execute(rusqlite::params![rusqlite::types::Null, 3])
        .unwrap();
    update.execute(rusqlite::params![line, 4]).unwrap();
    update.execute(rusqlite::params![cut, 5]).unwrap();
    drop(update);
    drop(conn);
    let name = path.display().to_string() + ":schools";
    let schools = PathBuf::from(&name);
    let sources = InputSources {
        schools: Source::File(&schools),
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: hubsel::fixture::ROADS_GEOJSON,
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: hubsel::fixture::DISTRICTS_GEOJSON,
        },
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    let rows: Vec<(u64, String)> = inputs
        .rejects
        .sorted()
        .into_iter()
        .filter(|r| r.source.file == name)
        .map(|r| (r.source.line, r.reason.en()))
        .collect();
    assert_eq!(
        rows,
        [
            (1, "not a GeoPackage geometry (no GP header)".to_string()),
            (
                2,
                "the geometry is not a GeoPackage geometry blob".to_string()
            ),
            (
                3,
                "missing coordinates: the feature has no geometry".to_string()
            ),
            (4, "expected a Point, found LineString".to_string()),
            (5, "the geometry ends early".to_string()),
        ]
    );
    assert_eq!(inputs.schools.len(), 687 - 5);
}

/// `hubsel compare` reads a run written only as a GeoPackage as it reads
/// the same run written as GeoJSON.
#[test]
fn compare_reads_a_run_written_only_as_a_geopackage() {
    let r = run(province());
    let tmp = tempfile::tempdir().unwrap();
    let (gpkg, geojson) = (tmp.path().join("gpkg"), tmp.path().join("geojson"));
    for (dir, format) in [(&gpkg, Format::GeoPackage), (&geojson, Format::GeoJson)] {
        let options = WriteOptions {
            formats: vec![format],
            force: false,
            ..Default::default()
        };
        write_run(&r, dir, &options).unwrap();
    }
    assert!(!gpkg.join("hubs.geojson").exists());
    let a = hubsel_tools::compare::RunFolder::read(&gpkg).unwrap();
    let b = hubsel_tools::compare::RunFolder::read(&geojson).unwrap();
    assert_eq!(a.hubs.len(), 49);
    assert_eq!(
        (&a.hubs, &a.schools, &a.totals),
        (&b.hubs, &b.schools, &b.totals)
    );
}

/// The run's GeoPackage on its own, renamed and moved away from the
/// folder hubsel wrote (as the QGIS plugin saves it), compares like the
/// folder: the summary comes from its `run_summary` table. A GeoPackage
/// that is not a run's is an error naming the file.
#[test]
fn compare_reads_a_runs_geopackage_file_on_its_own() {
    let r = run(province());
    let tmp = tempfile::tempdir().unwrap();
    let folder = write(&r, tmp.path());
    let alone = tmp.path().join("chiang-mai scenario A.gpkg");
    std::fs::copy(folder.join("hubsel.gpkg"), &alone).unwrap();
    let a = hubsel_tools::compare::RunFolder::read(&alone).unwrap();
    let b = hubsel_tools::compare::RunFolder::read(&folder).unwrap();
    assert_eq!(a.hubs.len(), 49);
    assert_eq!(
        (&a.hubs, &a.schools, &a.totals),
        (&b.hubs, &b.schools, &b.totals)
    );
    assert!(a.totals.get("hubs").is_some_and(|&n| n == 49.0), "{:?}", a.totals);

    let other = tmp.path().join("other.gpkg");
    let db = Connection::open(&other).unwrap();
    db.execute_batch("CREATE TABLE t (x INTEGER);").unwrap();
    drop(db);
    let e = hubsel_tools::compare::RunFolder::read(&other).unwrap_err();
    assert!(e.to_string().contains("other.gpkg"), "{e}");
}

/// A GeoPackage open in another program in WAL mode, with a change still
/// in its journal only: hubsel reads the change.
#[test]
fn a_change_still_in_the_journal_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let out = write(&run(province()), tmp.path());
    let path = tmp.path().join("open.gpkg");
    std::fs::copy(out.join("hubsel.gpkg"), &path).unwrap();
    let other = Connection::open(&path).unwrap();
    let mode: String = other
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    other.execute_batch("PRAGMA wal_autocheckpoint = 0; DROP TRIGGER rtree_schools_geom_delete; DELETE FROM schools WHERE fid <= 3;").unwrap();
    let wal = tmp.path().join("open.gpkg-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the change is in the journal"
    );
    let schools = PathBuf::from(format!("{}:schools", path.display()));
    let sources = InputSources {
        schools: Source::File(&schools),
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: hubsel::fixture::ROADS_GEOJSON,
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: hubsel::fixture::DISTRICTS_GEOJSON,
        },
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert_eq!(inputs.schools.len(), 687 - 3);
    drop(other);
}
