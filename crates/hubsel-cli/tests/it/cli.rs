//! The real binary, as a user runs it.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn hubsel(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const OUTPUTS: [&str; 12] = [
    "hubs.geojson",
    "schools.geojson",
    "routes.geojson",
    "districts.geojson",
    "hubs.qml",
    "schools.qml",
    "routes.qml",
    "districts.qml",
    "report.html",
    "summary.json",
    "summary.csv",
    "rejects.csv",
];

fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    OUTPUTS
        .iter()
        .map(|f| (f.to_string(), fs::read(dir.join(f)).unwrap_or_default()))
        .collect()
}

#[test]
fn default_run_writes_every_output_and_accounts_for_every_school() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(&["run", "--quiet"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let out = tmp.path().join("out");
    for f in OUTPUTS {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let schools: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("schools.geojson")).unwrap()).unwrap();
    let features = schools["features"].as_array().unwrap();
    assert_eq!(features.len(), 687);
    let mut ids: Vec<&str> = features
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 687, "each school exactly once");
    for f in features {
        let p = &f["properties"];
        let role = p["role"].as_str().unwrap();
        assert!(["hub", "member", "stand-alone"].contains(&role), "{p}");
        assert!(p["students"].is_number());
        if role == "member" {
            assert!(!p["hub_id"].as_str().unwrap().is_empty());
            assert!(
                p["travel_min"].is_number() && p["road_km"].is_number(),
                "{p}"
            );
        }
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["totals"]["schools"], 687);
    assert!(summary["shortfalls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["district"] == "5025"));
    let routes: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("routes.geojson")).unwrap()).unwrap();
    assert_eq!(
        routes["features"].as_array().unwrap().len() as u64,
        summary["totals"]["members"].as_u64().unwrap()
    );
}

#[test]
fn reruns_are_byte_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, threads) in [("a", "1"), ("b", "2"), ("c", "2")] {
        let o = hubsel(
            &["run", "--quiet", "--threads", threads, "--out", dir],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let a = read_all(&tmp.path().join("a"));
    assert_eq!(a, read_all(&tmp.path().join("b")), "1 vs 2 threads");
    assert_eq!(a, read_all(&tmp.path().join("c")), "repeated run");
}

#[test]
fn synth_is_deterministic_for_a_seed() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, seed) in [("s1", "7"), ("s2", "7"), ("s3", "8")] {
        let o = hubsel(
            &[
                "synth", "--preset", "province", "--seed", seed, "--out", dir,
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    for f in ["schools.csv", "roads.geojson", "districts.geojson"] {
        let one = fs::read(tmp.path().join("s1").join(f)).unwrap();
        assert_eq!(
            one,
            fs::read(tmp.path().join("s2").join(f)).unwrap(),
            "{f} differs for the same seed"
        );
        assert_ne!(
            one,
            fs::read(tmp.path().join("s3").join(f)).unwrap(),
            "{f} same for another seed"
        );
    }
}

#[test]
fn synth_names_every_preset_when_given_an_unknown_one() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(&["synth", "--preset", "atlantis", "--out", "x"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("valid presets: province, thailand"),
        "{}",
        text(&o)
    );
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn the_committed_fixture_is_what_synth_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(
        &[
            "synth", "--preset", "province", "--seed", "42", "--out", "p",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/province");
    for f in [
        "schools.csv",
        "schools-obec.csv",
        "roads.geojson",
        "districts.geojson",
    ] {
        assert!(
            fs::read(tmp.path().join("p").join(f)).unwrap() == fs::read(fixture.join(f)).unwrap(),
            "{f}: regenerate the fixture"
        );
    }
}

#[test]
fn user_files_run_like_the_embedded_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let f = |n: &str| fixture.join(n).display().to_string();
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--schools",
            &f("province/schools.csv"),
            "--roads",
            &f("province/roads.geojson"),
            "--districts",
            &f("province/districts.geojson"),
            "--scenario",
            &f("scenario-default.toml"),
            "--out",
            "files",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = hubsel(&["run", "--quiet", "--out", "embedded"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let hubs = |d: &str| fs::read(tmp.path().join(d).join("hubs.geojson")).unwrap();
    assert_eq!(hubs("files"), hubs("embedded"));
}

#[test]
fn run_level_problems_exit_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(
        dir.join("bad.toml"),
        "name = \"x\"\nmax_travel_minutes = \"soon\"\n",
    )
    .unwrap();
    let o = hubsel(&["run", "--scenario", "bad.toml"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("bad.toml: line 2: `max_travel_minutes`: must be a number"),
        "{}",
        text(&o)
    );

    let o = hubsel(
        &[
            "run",
            "--schools",
            "nope.csv",
            "--roads",
            "r.geojson",
            "--districts",
            "d.geojson",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("r.geojson")
            || text(&o).contains("d.geojson")
            || text(&o).contains("nope.csv"),
        "{}",
        text(&o)
    );

    let o = hubsel(&["run", "--schools", "s.csv"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("missing: --roads, --districts"),
        "{}",
        text(&o)
    );
    assert!(!dir.join("out").exists(), "no output on a failed run");
}

#[test]
fn bad_rows_go_to_rejects_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/province");
    let mut csv = fs::read_to_string(fixture.join("schools.csv")).unwrap();
    csv.push_str("X1,No coordinates,,,5001,primary,10,1,1,1,1,1,1,0,0,0,0\n");
    csv.push_str("X2,Word for a number,abc,18.7,5001,primary,10,1,1,1,1,1,1,0,0,0,0\n");
    csv.push_str("X3,Out at sea,90.0,10.0,,primary,10,1,1,1,1,1,1,0,0,0,0\n");
    csv.push_str("X4,Odd level,98.98,18.79,5001,college,10,1,1,1,1,1,1,0,0,0,0\n");
    fs::write(dir.join("schools.csv"), csv).unwrap();
    let roads = fixture.join("roads.geojson").display().to_string();
    let districts = fixture.join("districts.geojson").display().to_string();
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--schools",
            "schools.csv",
            "--roads",
            &roads,
            "--districts",
            &districts,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", text(&o));
    let rejects = fs::read_to_string(dir.join("out/rejects.csv")).unwrap();
    for (id, reason) in [
        ("X1", "no coordinates: longitude and latitude are blank"),
        ("X2", "longitude is not a number"),
        ("X3", "outside every district"),
        ("X4", "unknown level"),
    ] {
        let line = rejects
            .lines()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("{id} not in rejects:\n{rejects}"));
        assert!(line.contains(reason), "{line}");
        assert!(line.starts_with("schools.csv,"), "{line}");
    }
    let schools: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("out/schools.geojson")).unwrap()).unwrap();
    let rejected = schools["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["role"] == "rejected")
        .count();
    assert_eq!(rejected, 4);
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("mine")).unwrap();
    fs::write(tmp.path().join("mine/thesis.docx"), "precious").unwrap();
    let o = hubsel(&["run", "--quiet", "--out", "mine"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert!(tmp.path().join("mine/thesis.docx").is_file());
    // A folder hubsel wrote is replaced without asking.
    assert!(hubsel(&["run", "--quiet", "--out", "ours"], tmp.path())
        .status
        .success());
    assert!(hubsel(&["run", "--quiet", "--out", "ours"], tmp.path())
        .status
        .success());
}

fn bad(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/bad")
        .join(name)
        .display()
        .to_string()
}

/// `hubsel validate` on the bad-input corpus's roads and districts.
fn validate(schools: &str, extra: &[&str], dir: &Path) -> Output {
    let (s, r, d, sc) = (
        bad(schools),
        bad("roads.geojson"),
        bad("districts.geojson"),
        bad("scenario.toml"),
    );
    let mut args = vec![
        "validate",
        "--quiet",
        "--schools",
        &s,
        "--roads",
        &r,
        "--districts",
        &d,
        "--scenario",
        &sc,
        "--out",
        "v",
        "--force",
    ];
    args.extend_from_slice(extra);
    hubsel(&args, dir)
}

#[test]
fn validate_reports_swapped_coordinates_and_fixes_them_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let o = validate("schools-swapped.csv", &[], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("6 schools read, 5 usable"),
        "{}",
        text(&o)
    );
    let rejects = fs::read_to_string(tmp.path().join("v/rejects.csv")).unwrap();
    assert!(
        rejects.starts_with("file,line,id,name,field,reason,reason_th,action\n"),
        "{rejects}"
    );
    let line = rejects
        .lines()
        .find(|l| l.contains(",X03,"))
        .unwrap_or_else(|| panic!("{rejects}"));
    assert!(
        line.contains(",7,X03,Latitude first,lon/lat,\"latitude and longitude look swapped")
            && line.ends_with(",refused"),
        "{line}"
    );
    assert!(
        !tmp.path().join("v/hubs.geojson").exists(),
        "validate selects nothing"
    );

    let o = validate("schools-swapped.csv", &["--fix-swapped"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("6 schools read, 6 usable"),
        "{}",
        text(&o)
    );
    let rejects = fs::read_to_string(tmp.path().join("v/rejects.csv")).unwrap();
    let line = rejects.lines().find(|l| l.contains(",X03,")).unwrap();
    assert!(
        line.contains("latitude and longitude were swapped") && line.ends_with(",flagged"),
        "{line}"
    );
}

#[test]
fn every_row_level_case_of_the_corpus_lands_in_rejects_csv() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, id, reason) in [
        ("schools-missing-coords.csv", "X01", "missing longitude"),
        (
            "schools-nonnumeric-coords.csv",
            "X02",
            "longitude is not a number",
        ),
        (
            "schools-outside.csv",
            "X05",
            "point lies outside every district",
        ),
        (
            "schools-duplicate-ids.csv",
            "S02",
            "duplicate id: first seen at",
        ),
        (
            "schools-far-from-road.csv",
            "X06",
            "5004 m from the nearest road",
        ),
        ("schools-island.csv", "X07", "on a road island"),
        ("schools-unknown-level.csv", "X08", "unknown level"),
    ] {
        let o = validate(file, &[], tmp.path());
        assert!(o.status.success(), "{file}: {}", text(&o));
        let rejects = fs::read_to_string(tmp.path().join("v/rejects.csv")).unwrap();
        let line = rejects
            .lines()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("{file}: {id} missing:\n{rejects}"));
        assert!(
            line.contains(reason) && line.contains(file),
            "{file}: {line}"
        );
    }
}

#[test]
fn run_level_input_problems_exit_2_naming_file_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (s, r) = (bad("schools-good.csv"), bad("roads.geojson"));
    for (districts, words) in [
        (
            "districts-not-json.geojson",
            vec!["districts-not-json.geojson:3", "not valid JSON"],
        ),
        (
            "districts-none-usable.geojson",
            vec![
                "districts-none-usable.geojson",
                "no usable district polygon",
            ],
        ),
        (
            "districts-unknown-crs.geojson",
            vec!["districts-unknown-crs.geojson", "field `crs`", "EPSG:3"],
        ),
        (
            "not-a-shapefile.shp",
            vec!["not-a-shapefile.shp", "not a readable shapefile"],
        ),
    ] {
        let d = bad(districts);
        let o = hubsel(
            &[
                "validate",
                "--quiet",
                "--schools",
                &s,
                "--roads",
                &r,
                "--districts",
                &d,
                "--out",
                "v",
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(2), "{districts}: {}", text(&o));
        for w in words {
            assert!(
                text(&o).contains(w),
                "{districts}: {w:?} not in {}",
                text(&o)
            );
        }
    }
    let d = bad("districts.geojson");
    for (extra, words) in [
        (vec!["--crs", "UTM47"], vec!["field `crs`", "UTM47"]),
        (vec!["--encoding", "klingon"], vec!["--encoding", "klingon"]),
        (
            vec!["--students-col", "enrolled"],
            vec!["schools-good.csv:1", "field `enrolled`"],
        ),
    ] {
        let mut args = vec![
            "run",
            "--quiet",
            "--schools",
            &s,
            "--roads",
            &r,
            "--districts",
            &d,
            "--out",
            "v",
        ];
        args.extend(extra.iter().copied());
        let o = hubsel(&args, dir);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        for w in words {
            assert!(text(&o).contains(w), "{extra:?}: {w:?} not in {}", text(&o));
        }
    }
    assert!(!dir.join("v").exists(), "nothing written on a failed run");
}

#[test]
fn column_flags_and_crs_read_a_projected_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let to_utm = hubsel::io::crs::Crs::from_epsg(32647)
        .unwrap()
        .from_wgs84()
        .unwrap();
    let good = fs::read_to_string(bad("schools-good.csv")).unwrap();
    let mut csv = String::from("code_smis,school,E,N,grade,pupils\n");
    for line in good.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (x, y) = to_utm
            .convert(c[2].parse().unwrap(), c[3].parse().unwrap())
            .unwrap();
        csv.push_str(&format!(
            "{},{},{x:.3},{y:.3},{},{}\n",
            c[0], c[1], c[5], c[6]
        ));
    }
    fs::write(tmp.path().join("utm.csv"), csv).unwrap();
    let (r, d, sc) = (
        bad("roads.geojson"),
        bad("districts.geojson"),
        bad("scenario.toml"),
    );
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--schools",
            "utm.csv",
            "--roads",
            &r,
            "--districts",
            &d,
            "--scenario",
            &sc,
            "--crs",
            "EPSG:32647",
            "--id-col",
            "code_smis",
            "--name-col",
            "school",
            "--x-col",
            "E",
            "--y-col",
            "N",
            "--level-col",
            "grade",
            "--students-col",
            "pupils",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let rejects = fs::read_to_string(tmp.path().join("out/rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 1, "{rejects}");
    let schools: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("out/schools.geojson")).unwrap()).unwrap();
    let s01 = schools["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "S01")
        .unwrap();
    assert_eq!(s01["properties"]["name"], "โรงเรียนบ้านหนึ่ง");
    let c = &s01["geometry"]["coordinates"];
    assert!(
        (c[0].as_f64().unwrap() - 100.03).abs() < 1e-6
            && (c[1].as_f64().unwrap() - 15.051).abs() < 1e-6,
        "{c}"
    );
}

#[test]
fn pbf_alone_runs_liechtenstein_and_writes_hubs() {
    let pbf = crate::real_files::liechtenstein();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("li.toml"),
        "name = \"liechtenstein\"\n[constraints]\nmin_students = 0\n",
    )
    .unwrap();
    let p = pbf.display().to_string();
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--pbf",
            &p,
            "--admin-level",
            "8",
            "--scenario",
            "li.toml",
            "--out",
            "li",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let hubs: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("li/hubs.geojson")).unwrap()).unwrap();
    let hubs = hubs["features"].as_array().unwrap();
    assert!(hubs.len() >= 8, "{} hubs", hubs.len());
    let districts: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("li/districts.geojson")).unwrap())
            .unwrap();
    for d in districts["features"].as_array().unwrap() {
        let p = &d["properties"];
        let has_hub = p["hubs_p"].as_u64().unwrap() + p["hubs_s"].as_u64().unwrap() > 0;
        assert_eq!(has_hub, p["schools"].as_u64().unwrap() > 0, "{p}");
    }
    // The same through --schools/--roads/--districts naming the one file.
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--schools",
            &p,
            "--roads",
            &p,
            "--districts",
            &p,
            "--admin-level",
            "8",
            "--scenario",
            "li.toml",
            "--out",
            "li2",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        fs::read(tmp.path().join("li/hubs.geojson")).unwrap(),
        fs::read(tmp.path().join("li2/hubs.geojson")).unwrap()
    );
}

#[test]
fn format_chooses_the_layer_files_and_styles_come_with_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(
        &["run", "--quiet", "--format", "shp,fgb", "--out", "both"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = tmp.path().join("both");
    for layer in ["hubs", "schools", "routes", "districts"] {
        for ext in ["shp", "shx", "dbf", "prj", "cpg", "fgb", "qml"] {
            assert!(
                out.join(format!("{layer}.{ext}")).is_file(),
                "{layer}.{ext} missing"
            );
        }
        assert!(
            !out.join(format!("{layer}.geojson")).exists(),
            "geojson was not asked for"
        );
    }
    assert!(out.join("report.html").is_file());

    let o = hubsel(
        &["run", "--quiet", "--format", "kml", "--out", "bad"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("unknown format \"kml\""), "{}", text(&o));
    assert!(!tmp.path().join("bad").exists());
}

#[test]
fn all_formats_are_byte_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, threads) in [("a", "1"), ("b", "2")] {
        let o = hubsel(
            &[
                "run",
                "--quiet",
                "--format",
                "geojson,shp,fgb",
                "--threads",
                threads,
                "--out",
                dir,
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let list = |d: &str| {
        let mut names: Vec<String> = fs::read_dir(tmp.path().join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(list("a"), list("b"));
    for name in list("a") {
        assert!(
            fs::read(tmp.path().join("a").join(&name)).unwrap()
                == fs::read(tmp.path().join("b").join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn compare_lists_exactly_the_districts_whose_hubs_differ() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(hubsel(&["run", "--quiet", "--out", "a"], dir)
        .status
        .success());
    assert!(hubsel(
        &["run", "--quiet", "--strategy", "p-median", "--out", "b"],
        dir
    )
    .status
    .success());
    let o = hubsel(&["compare", "a", "b", "--out", "cmp"], dir);
    assert!(o.status.success(), "{}", text(&o));
    // Expected: from the two hubs layers directly.
    let hubs = |run: &str| -> std::collections::BTreeSet<(String, String, String)> {
        let v: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join(run).join("hubs.geojson")).unwrap()).unwrap();
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    p["district"].as_str().unwrap().into(),
                    p["level"].as_str().unwrap().into(),
                    p["id"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let (a, b) = (hubs("a"), hubs("b"));
    let expected: std::collections::BTreeSet<(String, String)> = a
        .symmetric_difference(&b)
        .map(|(d, l, _)| (d.clone(), l.clone()))
        .collect();
    assert!(
        !expected.is_empty(),
        "the two strategies must differ somewhere"
    );
    let report = fs::read_to_string(dir.join("cmp/compare.txt")).unwrap();
    assert!(
        report.contains(&format!(
            "{} district level(s) with different hubs",
            expected.len()
        )),
        "{report}"
    );
    let listed: std::collections::BTreeSet<(String, String)> = report
        .lines()
        .skip_while(|l| !(l.starts_with("district") && l.contains("level")))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    assert_eq!(listed, expected);
    let layer: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("cmp/compare.geojson")).unwrap()).unwrap();
    let added = layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["change"] == "hub_added")
        .count();
    assert_eq!(added, b.difference(&a).count());
    // Comparing a folder that is not a run is a clear error.
    let o = hubsel(&["compare", "a", "nowhere"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nowhere"), "{}", text(&o));
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_result_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(hubsel(&["run", "--quiet", "--out", "out"], dir)
        .status
        .success());
    let before = read_all(&dir.join("out"));
    // A second run, with another strategy, slowed to 400 ms per file
    // written, killed once it has started writing.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .args(["run", "--quiet", "--strategy", "p-median", "--out", "out"])
        .current_dir(dir)
        .env("HUBSEL_WRITE_DELAY_MS", "400")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temp_folder = || {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".out.tmp-")
            })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let partial = loop {
        if let Some(t) = temp_folder() {
            if fs::read_dir(&t).map(|r| r.count()).unwrap_or(0) >= 2 {
                break t;
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the slowed run finished before it could be killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    // Half-way: some files in the temporary folder, the old result whole.
    assert!(partial.exists());
    assert_eq!(
        read_all(&dir.join("out")),
        before,
        "the previous result is untouched"
    );
    // The next run clears the abandoned folder and replaces the result.
    assert!(hubsel(
        &["run", "--quiet", "--strategy", "p-median", "--out", "out"],
        dir
    )
    .status
    .success());
    assert!(temp_folder().is_none(), "no partial folder left behind");
    assert_ne!(read_all(&dir.join("out")), before);
}

#[test]
fn compare_reads_flatgeobuf_and_shapefile_runs_like_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for args in [
        &["run", "--quiet", "--out", "a"][..],
        &["run", "--quiet", "--strategy", "p-median", "--out", "b"],
        &["run", "--quiet", "--format", "fgb", "--out", "a_fgb"],
        &[
            "run",
            "--quiet",
            "--strategy",
            "p-median",
            "--format",
            "shp",
            "--out",
            "b_shp",
        ],
    ] {
        let o = hubsel(args, dir);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    assert!(!dir.join("a_fgb/hubs.geojson").exists() && !dir.join("b_shp/hubs.geojson").exists());
    for (a, b, out) in [("a", "b", "c_json"), ("a_fgb", "b_shp", "c_other")] {
        let o = hubsel(&["compare", a, b, "--out", out], dir);
        assert!(o.status.success(), "{}", text(&o));
    }
    // The same comparison whatever the formats: the report below its two
    // header lines (they name the folders) and the layer, byte for byte.
    let body = |out: &str| -> String {
        let t = fs::read_to_string(dir.join(out).join("compare.txt")).unwrap();
        t.lines().skip(2).collect::<Vec<_>>().join("\n")
    };
    assert!(body("c_json").contains("district level(s) with different hubs"));
    assert_eq!(body("c_json"), body("c_other"));
    assert_eq!(
        fs::read(dir.join("c_json/compare.geojson")).unwrap(),
        fs::read(dir.join("c_other/compare.geojson")).unwrap()
    );

    // A run folder whose layers are gone: a clear run-level error.
    for ext in ["fgb", "qml"] {
        fs::remove_file(dir.join(format!("a_fgb/hubs.{ext}"))).unwrap();
    }
    let o = hubsel(&["compare", "a_fgb", "b", "--out", "c_broken"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no hubs layer (.geojson, .fgb, .shp or hubsel.gpkg) in the run folder"),
        "{}",
        text(&o)
    );
    assert!(!dir.join("c_broken").exists());
}

/// A planner's own file: the real Chiang Mai registry (no enrolment, the
/// registry's level values and column names), with Chiang Mai's real
/// district polygons and the province's synthetic roads, and no option
/// at all: the run reads every level, says it weighs schools, and says
/// what the default scenario left out.
#[test]
fn the_real_registry_runs_without_options_and_says_it_weighs_schools() {
    const TEST: &str = "cli::the_real_registry_runs_without_options_and_says_it_weighs_schools";
    let (Some(registry), Some(districts)) = (
        crate::real_files::real(TEST, "chiangmai_obec_2022.csv"),
        crate::real_files::real(TEST, "th_districts.geojson"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let all: serde_json::Value =
        serde_json::from_slice(&fs::read(&districts).unwrap()).unwrap();
    let features: Vec<&serde_json::Value> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["pro_code"] == "50")
        .collect();
    fs::write(
        dir.join("chiangmai.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    let schools = registry.display().to_string();
    let roads = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/province/roads.geojson")
        .display()
        .to_string();
    let o = hubsel(
        &[
            "run",
            "--quiet",
            "--schools",
            &schools,
            "--roads",
            &roads,
            "--districts",
            "chiangmai.geojson",
        ],
        dir,
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("weights: schools (the schools have no student count"),
        "{out}"
    );
    assert!(out.contains("% of schools at or within 45 min"), "{out}");
    assert!(
        out.contains("note: min_students = 120 is left out: the schools have no student count"),
        "{out}"
    );
    let rejects = fs::read_to_string(dir.join("out/rejects.csv")).unwrap();
    assert!(!rejects.contains(",level,"), "no row refused for its level");
    assert!(!rejects.contains("\\u{"), "{rejects}");
}

/// Papercut: `hubsel validate` replaced the last run's folder with its
/// single rejects.csv.
#[test]
fn validate_never_replaces_the_last_runs_result() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = hubsel(&["run", "--quiet"], dir);
    assert!(o.status.success(), "{}", text(&o));
    let o = hubsel(&["validate", "--quiet"], dir);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        dir.join("out/hubs.geojson").is_file(),
        "the run's result is still there"
    );
    assert!(dir.join("validate/rejects.csv").is_file());
    // Pointed at the run's folder, validate refuses and says why.
    let o = hubsel(&["validate", "--quiet", "--out", "out"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("holds the result of a hubsel run"),
        "{}",
        text(&o)
    );
    assert!(dir.join("out/hubs.geojson").is_file());
}

/// Papercut: a folder just written by `hubsel synth` was called "not
/// written by hubsel".
#[test]
fn a_data_set_written_by_synth_is_named_as_such_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = hubsel(&["synth", "--out", "province"], dir);
    assert!(o.status.success(), "{}", text(&o));
    let o = hubsel(&["run", "--quiet", "--out", "province"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("holds a data set written by hubsel synth"),
        "{}",
        text(&o)
    );
    assert!(
        dir.join("province/schools.csv").is_file(),
        "the data set is kept"
    );
    // synth may rewrite its own data set.
    let o = hubsel(&["synth", "--out", "province"], dir);
    assert!(o.status.success(), "{}", text(&o));
}

/// Papercuts: `compare` printed counts as `25.000` and hubs without their
/// names.
#[test]
fn compare_prints_counts_as_integers_and_hubs_with_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (out, strategy) in [("a", "score"), ("b", "p-median")] {
        let o = hubsel(
            &["run", "--quiet", "--strategy", strategy, "--out", out],
            dir,
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = hubsel(&["compare", "a", "b"], dir);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let districts = out.lines().find(|l| l.starts_with("districts ")).unwrap();
    assert_eq!(
        districts.split_whitespace().collect::<Vec<_>>(),
        ["districts", "25", "25", "+0"],
        "{out}"
    );
    assert!(!out.contains("25.000"), "{out}");
    let hubs: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("a/hubs.geojson")).unwrap()).unwrap();
    let first_changed = out
        .lines()
        .skip_while(|l| !l.starts_with("district "))
        .nth(1)
        .unwrap();
    let id = first_changed.split_whitespace().nth(2).unwrap();
    let name = hubs["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == id)
        .map(|f| f["properties"]["name"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        first_changed.contains(&format!("{id} {name}")),
        "{first_changed}"
    );
}

/// Papercut: "1 pieces", "1 reject rows".
#[test]
fn validate_counts_read_as_english() {
    let tmp = tempfile::tempdir().unwrap();
    let o = validate("schools-swapped.csv", &[], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("6 junctions in 2 pieces"), "{out}");
    assert!(out.contains("1 reject row (1 refused, 0 flagged)"), "{out}");
}

/// The JSON lines of `--progress json` on stderr (other lines are text).
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn progress_json_reports_every_stage_in_order_and_errors_as_typed_problems() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = hubsel(
        &["run", "--progress", "json", "--out", out.to_str().unwrap()],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let events = json_lines(&o);
    let stages = [
        "load inputs",
        "validate",
        "road graph",
        "snap schools",
        "travel times",
        "select hubs",
        "allocate & routes",
    ];
    let started: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "start")
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(started, stages);
    // Each stage: start, progress that only grows up to the total, finish.
    let mut open: Option<(String, u64, u64)> = None;
    for e in &events {
        let stage = e["stage"].as_str().unwrap().to_string();
        match e["event"].as_str().unwrap() {
            "start" => {
                assert!(open.is_none(), "{stage} starts inside another stage");
                open = Some((stage, 0, e["total"].as_u64().unwrap()));
            }
            "progress" => {
                let (name, done, total) = open.as_mut().expect("progress outside a stage");
                assert_eq!(*name, stage);
                let now = e["done"].as_u64().unwrap();
                assert!(now > *done && now <= *total, "{e}");
                *done = now;
            }
            "finish" => {
                let (name, done, total) = open.take().expect("finish outside a stage");
                assert_eq!(name, stage);
                assert_eq!(done, total, "{stage} finished at {done} of {total}");
                assert!(e["seconds"].as_f64().unwrap() >= 0.0);
            }
            other => panic!("unexpected event {other}: {e}"),
        }
    }
    // The travel stage has a total (one search per candidate) and reports.
    assert!(events
        .iter()
        .any(|e| e["event"] == "progress" && e["stage"] == "travel times"));

    // A scenario with problems on two lines: one error line listing both,
    // typed. The refused weight leaves no usable weight, but that follows
    // from it and is not reported as a problem of its own.
    let scenario = dir.path().join("bad.toml");
    std::fs::write(
        &scenario,
        "strategy = \"score\"\nmax_travel_minutes = \"far\"\n[[criteria]]\nfield = \"students\"\nweight = \"x\"\n",
    )
    .unwrap();
    let o = hubsel(
        &[
            "run",
            "--progress",
            "json",
            "--scenario",
            scenario.to_str().unwrap(),
            "--out",
            dir.path().join("bad").to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let events = json_lines(&o);
    let errors: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "error").collect();
    assert_eq!(errors.len(), 1, "{}", text(&o));
    let e = errors[0];
    assert_eq!(e["kind"], "scenario");
    assert!(e["file"].as_str().unwrap().ends_with("bad.toml"));
    let problems = e["problems"].as_array().unwrap();
    let keys: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["key"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        [(2, "max_travel_minutes"), (5, "weight")],
        "{e}"
    );
    assert!(!dir.path().join("bad").exists(), "no output after an error");
}

/// `hubsel matrix`: every school to every hub of a run, one CSV row per
/// pair with the run's own minutes for the members; its JSON progress;
/// a file it did not write is kept; bad input exits 2 naming the file.
#[test]
fn matrix_writes_every_pair_with_the_run_s_travel_times() {
    let dir = tempfile::tempdir().unwrap();
    let province = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/province");
    let (schools, roads) = (province.join("schools.csv"), province.join("roads.geojson"));
    let o = hubsel(&["run", "--quiet", "--out", "run"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    let args = |out: &str| {
        vec![
            "matrix".to_string(),
            "--origins".into(),
            schools.display().to_string(),
            "--destinations".into(),
            "run/hubs.geojson".into(),
            "--roads".into(),
            roads.display().to_string(),
            "--out".into(),
            out.into(),
            "--progress".into(),
            "json".into(),
        ]
    };
    let run = |a: &[String]| {
        hubsel(
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
            dir.path(),
        )
    };
    let o = run(&args("m.csv"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("687 origins × 49 destinations"),
        "{}",
        text(&o)
    );
    let started: Vec<String> = json_lines(&o)
        .iter()
        .filter(|e| e["event"] == "start")
        .map(|e| e["stage"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        started,
        ["load inputs", "road graph", "snap schools", "travel times"]
    );
    let csv = fs::read_to_string(dir.path().join("m.csv")).unwrap();
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("origin_id,destination_id,travel_min,road_km")
    );
    let pairs: std::collections::BTreeMap<(String, String), (String, String)> = rows
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            ((c[0].into(), c[1].into()), (c[2].into(), c[3].into()))
        })
        .collect();
    assert_eq!(pairs.len(), 687 * 49);
    let layer: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("run/schools.geojson")).unwrap()).unwrap();
    let mut members = 0;
    for f in layer["features"].as_array().unwrap() {
        let p = &f["properties"];
        if p["role"] != "member" {
            continue;
        }
        let key = (
            p["id"].as_str().unwrap().to_string(),
            p["hub_id"].as_str().unwrap().to_string(),
        );
        let (minutes, km) = &pairs[&key];
        assert_eq!(
            minutes.parse::<f64>().unwrap(),
            p["travel_min"].as_f64().unwrap(),
            "{key:?}"
        );
        assert_eq!(
            km.parse::<f64>().unwrap(),
            p["road_km"].as_f64().unwrap(),
            "{key:?}"
        );
        members += 1;
    }
    assert_eq!(members, 386);

    // A matrix replaces its own file; any other file only with --force.
    let o = run(&args("m.csv"));
    assert!(o.status.success(), "{}", text(&o));
    fs::write(dir.path().join("notes.csv"), "mine\n").unwrap();
    let o = run(&args("notes.csv"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("is not a matrix hubsel wrote"),
        "{}",
        text(&o)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.csv")).unwrap(),
        "mine\n"
    );

    // Points without an id column: exit 2, naming the file and the column.
    fs::write(
        dir.path().join("no-id.csv"),
        "name,lon,lat,level\nx,98.9,18.7,\n",
    )
    .unwrap();
    let mut a = args("bad.csv");
    a[2] = "no-id.csv".into();
    let o = run(&a);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let e = json_lines(&o)
        .into_iter()
        .find(|e| e["event"] == "error")
        .unwrap();
    assert_eq!(e["file"], "no-id.csv", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("no id column"),
        "{e}"
    );
    assert!(!dir.path().join("bad.csv").exists());
}

/// `--lang` chooses the report's language; without it the system locale
/// does (Thai for th_TH, English otherwise); an unknown language stops the
/// run before any work, with exit status 2.
#[test]
fn the_report_language_comes_from_lang_or_the_locale() {
    let tmp = tempfile::tempdir().unwrap();
    let run_with = |out: &str, args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hubsel"));
        c.args(["run", "--quiet", "--out", out]).args(args).current_dir(tmp.path());
        c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        let page = fs::read_to_string(tmp.path().join(out).join("report.html")).unwrap_or_default();
        (o, page)
    };
    let (o, page) = run_with("th", &["--lang", "th"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(page.contains("<html lang=\"th\">") && page.contains("โรงเรียนแม่ข่าย"));
    let (_, page) = run_with("locale-th", &[], &[("LANG", "th_TH.UTF-8")]);
    assert!(page.contains("<html lang=\"th\">"));
    let (_, page) = run_with("locale-c", &[], &[("LANG", "th_TH.UTF-8"), ("LC_ALL", "C")]);
    assert!(page.contains("<html lang=\"en\">"));
    let (_, page) = run_with("flag-wins", &["--lang", "en"], &[("LANG", "th_TH.UTF-8")]);
    assert!(page.contains("<html lang=\"en\">"));
    let (o, _) = run_with("fr", &["--lang", "fr"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--lang: unknown language \"fr\" (one of: en, th)"), "{}", text(&o));
    assert!(!tmp.path().join("fr").exists());
}

/// The worker and progress flags are one shared set (`WorkArgs`, flattened
/// into each subcommand that computes): each subcommand's `--help` still
/// lists all three, and `validate` takes them as `run` does.
#[test]
fn the_shared_work_flags_show_in_every_subcommand_that_computes() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["run", "validate", "bench", "matrix"] {
        let out = hubsel(&[cmd, "--help"], dir.path());
        assert!(out.status.success(), "{cmd}: {}", text(&out));
        let help = text(&out);
        for flag in ["--threads <THREADS>", "-q, --quiet", "--progress <MODE>"] {
            assert!(help.contains(flag), "{cmd} --help lacks {flag}:\n{help}");
        }
        assert!(help.contains("bars, json (one object per line"), "{cmd}:\n{help}");
    }
    let out = hubsel(
        &["validate", "--threads", "1", "--progress", "json", "-q"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// `--province` cuts national files to the provinces picked before
/// anything is prepared: on the embedded province (Chiang Mai, 50) picking
/// it changes nothing, and a code of no district there is a run-level
/// problem that names the provinces there are.
#[test]
fn province_picks_provinces_and_names_them_when_one_is_not_there() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(&["run", "--quiet", "--out", "all"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let o = hubsel(
        &["run", "--quiet", "--province", "50", "--out", "cm"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    for f in ["hubs.geojson", "schools.geojson", "rejects.csv"] {
        assert_eq!(
            fs::read(tmp.path().join("all").join(f)).unwrap(),
            fs::read(tmp.path().join("cm").join(f)).unwrap(),
            "{f}"
        );
    }
    let o = hubsel(
        &["run", "--quiet", "--province", "50,57", "--out", "cr"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no district of province \"57\": the districts' provinces are 50"),
        "{}",
        text(&o)
    );
    assert!(!tmp.path().join("cr").exists());
}
