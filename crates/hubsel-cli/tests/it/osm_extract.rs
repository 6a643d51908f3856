//! The OpenStreetMap preset end to end: `hubsel synth --preset
//! province-osm --geojson` writes one data set twice, as an `.osm.pbf`
//! extract and as GeoJSON; both readers give the same hubs, members and
//! routes. Reading the extract reports its progress once, in bytes.

// Set-up that cannot go wrong on generated data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn hubsel(args: &[&str], cwd: &Path) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "hubsel {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The number on the line `name: N` of synth's report.
fn count(report: &str, name: &str) -> u64 {
    report
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name:?} in {report}"))
}

#[test]
fn the_extract_and_its_geojson_twin_give_the_same_hubs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = hubsel(
        &["synth", "--preset", "province-osm", "--seed", "5", "--geojson", "--out", "d"],
        dir,
    );
    let report = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(count(&report, "schools"), 687);
    assert_eq!(count(&report, "relations"), 25);
    assert!(count(&report, "non-road objects") >= count(&report, "road nodes"));

    let pbf = hubsel(
        &["run", "--pbf", "d/province-osm.osm.pbf", "--progress", "json", "--out", "a"],
        dir,
    );
    hubsel(
        &[
            "run", "--schools", "d/schools.geojson", "--roads", "d/roads.geojson",
            "--districts", "d/districts.geojson", "--quiet", "--out", "b",
        ],
        dir,
    );
    for file in ["hubs.geojson", "schools.geojson", "routes.geojson", "summary.csv"] {
        let a = fs::read(dir.join("a").join(file)).unwrap();
        let b = fs::read(dir.join("b").join(file)).unwrap();
        assert!(a == b, "{file} differs between the PBF and the GeoJSON readers");
    }
    let hubs = fs::read_to_string(dir.join("a/hubs.geojson")).unwrap();
    assert!(hubs.matches("\"Feature\"").count() >= 25, "a hub per district at least");

    // Progress: the load stage starts once, its total the bytes of the
    // three passes, and its progress reaches that total.
    let size = fs::metadata(dir.join("d/province-osm.osm.pbf")).unwrap().len();
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&pbf.stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["stage"] == "load inputs")
        .collect();
    let starts: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "start").collect();
    assert_eq!(starts.len(), 1, "{events:?}");
    assert_eq!(starts[0]["total"], 3 * size);
    let last = events.iter().rev().find(|e| e["event"] == "progress").unwrap();
    assert_eq!(last["done"], 3 * size);
    assert!(events.last().is_some_and(|e| e["event"] == "finish"));
}
