//! The real binary, as a user runs it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn hubsel(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubsel")).args(args).current_dir(cwd).output().expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

const OUTPUTS: [&str; 7] =
    ["hubs.geojson", "schools.geojson", "routes.geojson", "districts.geojson", "summary.json", "summary.csv", "rejects.csv"];

fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    OUTPUTS.iter().map(|f| (f.to_string(), fs::read(dir.join(f)).unwrap_or_default())).collect()
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
    let schools: serde_json::Value = serde_json::from_slice(&fs::read(out.join("schools.geojson")).unwrap()).unwrap();
    let features = schools["features"].as_array().unwrap();
    assert_eq!(features.len(), 687);
    let mut ids: Vec<&str> = features.iter().map(|f| f["properties"]["id"].as_str().unwrap()).collect();
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
            assert!(p["travel_min"].is_number() && p["road_km"].is_number(), "{p}");
        }
    }
    let summary: serde_json::Value = serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["totals"]["schools"], 687);
    assert!(summary["shortfalls"].as_array().unwrap().iter().any(|s| s["district"] == "5025"));
    let routes: serde_json::Value = serde_json::from_slice(&fs::read(out.join("routes.geojson")).unwrap()).unwrap();
    assert_eq!(routes["features"].as_array().unwrap().len() as u64, summary["totals"]["members"].as_u64().unwrap());
}

#[test]
fn reruns_are_byte_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, threads) in [("a", "1"), ("b", "2"), ("c", "2")] {
        let o = hubsel(&["run", "--quiet", "--threads", threads, "--out", dir], tmp.path());
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
        let o = hubsel(&["synth", "--preset", "province", "--seed", seed, "--out", dir], tmp.path());
        assert!(o.status.success(), "{}", text(&o));
    }
    for f in ["schools.csv", "roads.geojson", "districts.geojson"] {
        let one = fs::read(tmp.path().join("s1").join(f)).unwrap();
        assert_eq!(one, fs::read(tmp.path().join("s2").join(f)).unwrap(), "{f} differs for the same seed");
        assert_ne!(one, fs::read(tmp.path().join("s3").join(f)).unwrap(), "{f} same for another seed");
    }
}

#[test]
fn synth_names_every_preset_when_given_an_unknown_one() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(&["synth", "--preset", "atlantis", "--out", "x"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("valid presets: province, thailand"), "{}", text(&o));
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn the_committed_fixture_is_what_synth_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hubsel(&["synth", "--preset", "province", "--seed", "42", "--out", "p"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/province");
    for f in ["schools.csv", "roads.geojson", "districts.geojson"] {
        assert!(fs::read(tmp.path().join("p").join(f)).unwrap() == fs::read(fixture.join(f)).unwrap(), "{f}: regenerate the fixture");
    }
}

#[test]
fn user_files_run_like_the_embedded_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let f = |n: &str| fixture.join(n).display().to_string();
    let o = hubsel(
        &["run", "--quiet", "--schools", &f("province/schools.csv"), "--roads", &f("province/roads.geojson"), "--districts", &f("province/districts.geojson"), "--scenario", &f("scenario-default.toml"), "--out", "files"],
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
    fs::write(dir.join("bad.toml"), "name = \"x\"\nmax_travel_minutes = \"soon\"\n").unwrap();
    let o = hubsel(&["run", "--scenario", "bad.toml"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.toml:2"), "{}", text(&o));

    let o = hubsel(&["run", "--schools", "nope.csv", "--roads", "r.geojson", "--districts", "d.geojson"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("r.geojson") || text(&o).contains("d.geojson") || text(&o).contains("nope.csv"), "{}", text(&o));

    let o = hubsel(&["run", "--schools", "s.csv"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("missing: --roads, --districts"), "{}", text(&o));
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
    let o = hubsel(&["run", "--quiet", "--schools", "schools.csv", "--roads", &roads, "--districts", &districts], dir);
    assert!(o.status.success(), "{}", text(&o));
    let rejects = fs::read_to_string(dir.join("out/rejects.csv")).unwrap();
    for (id, reason) in [("X1", "missing longitude"), ("X2", "longitude is not a number"), ("X3", "outside every district"), ("X4", "unknown level")] {
        let line = rejects.lines().find(|l| l.contains(&format!(",{id},"))).unwrap_or_else(|| panic!("{id} not in rejects:\n{rejects}"));
        assert!(line.contains(reason), "{line}");
        assert!(line.starts_with("schools.csv,"), "{line}");
    }
    let schools: serde_json::Value = serde_json::from_slice(&fs::read(dir.join("out/schools.geojson")).unwrap()).unwrap();
    let rejected = schools["features"].as_array().unwrap().iter().filter(|f| f["properties"]["role"] == "rejected").count();
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
    assert!(hubsel(&["run", "--quiet", "--out", "ours"], tmp.path()).status.success());
    assert!(hubsel(&["run", "--quiet", "--out", "ours"], tmp.path()).status.success());
}
