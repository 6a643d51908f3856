//! Inputs within a budget and honest about what they are (issue 21, items
//! 4, 6, 7a and 7b), through the real binary: what a planner sees and the
//! exit status.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hubsel::io::crs::Crs;

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

fn province(file: &str) -> String {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/province"
    ))
    .join(file)
    .display()
    .to_string()
}

/// The province's schools CSV with lon/lat replaced by UTM metres of
/// `code`.
fn schools_in(code: u16) -> String {
    let to = Crs::from_epsg(code).unwrap().from_wgs84().unwrap();
    let text = fs::read_to_string(province("schools.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let lon = cols.iter().position(|c| *c == "lon").unwrap();
    let lat = cols.iter().position(|c| *c == "lat").unwrap();
    let mut out = format!("{header}\n");
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        let (x, y) = to
            .convert(cells[lon].parse().unwrap(), cells[lat].parse().unwrap())
            .unwrap();
        cells[lon] = format!("{x:.2}");
        cells[lat] = format!("{y:.2}");
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `hubsel run` on the province's roads and districts with these schools.
fn run(dir: &Path, schools: &Path, extra: &[&str]) -> Output {
    let (roads, districts) = (province("roads.geojson"), province("districts.geojson"));
    let mut args = vec![
        "run",
        "--quiet",
        "--schools",
        schools.to_str().unwrap(),
        "--roads",
        &roads,
        "--districts",
        &districts,
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    hubsel(&args, dir)
}

/// Item 6: a CSV in UTM 47N metres without `--crs` ran to exit 0 with 0
/// hubs, every row refused as out of range, and "the schools have no
/// student count". It stops with exit 2 before writing anything, names
/// `--crs EPSG:32647`, and says nothing of student counts; with the flag
/// it runs.
#[test]
fn a_csv_in_utm_without_crs_exits_2_naming_the_crs_and_runs_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let schools = tmp.path().join("schools-utm.csv");
    fs::write(&schools, schools_in(32647)).unwrap();
    let o = run(tmp.path(), &schools, &[]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains("look projected (metres)"), "{said}");
    assert!(said.contains("--crs EPSG:32647"), "{said}");
    assert!(!said.contains("student count"), "{said}");
    assert!(!tmp.path().join("out").exists(), "nothing is written");

    let o = run(tmp.path(), &schools, &["--crs", "EPSG:32647"]);
    assert!(o.status.success(), "{}", text(&o));
    let hubs = fs::read_to_string(tmp.path().join("out/hubs.geojson")).unwrap();
    assert!(hubs.contains("\"Feature\""), "no hub chosen");
}

/// Item 7a: a semicolon-separated CSV stopped the run naming
/// `id;name;lon;…` as one column. It runs like the comma file, and the
/// run's notes say which separator was read.
#[test]
fn semicolon_and_tab_separated_schools_run_and_the_summary_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let comma = fs::read_to_string(province("schools.csv")).unwrap();
    let o = run(tmp.path(), Path::new(&province("schools.csv")), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let hubs_comma = fs::read(tmp.path().join("out/hubs.geojson")).unwrap();
    for (sep, words) in [(";", "semicolons"), ("\t", "tabs")] {
        let schools = tmp.path().join("schools-other.csv");
        fs::write(&schools, comma.replace(',', sep)).unwrap();
        let o = run(tmp.path(), &schools, &["--force"]);
        assert!(o.status.success(), "{words}: {}", text(&o));
        let summary: serde_json::Value =
            serde_json::from_slice(&fs::read(tmp.path().join("out/summary.json")).unwrap())
                .unwrap();
        let notes = summary["notes"].as_array().unwrap();
        assert!(
            notes.iter().any(|n| n
                .as_str()
                .unwrap()
                .contains(&format!("separated by {words}"))),
            "{notes:?}"
        );
        // The same hubs as the comma file (the layers hold no file name).
        let hubs = fs::read(tmp.path().join("out/hubs.geojson")).unwrap();
        assert!(hubs == hubs_comma, "{words}: other hubs");
    }
}

/// Item 7b: two weights of 1e308 ran with every hub's score and margin 0.
/// The scenario is refused with exit 2, each weight named by its line.
#[test]
fn weights_of_1e308_exit_2_with_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("w.toml");
    fs::write(
        &scenario,
        "name = \"huge\"\n\n[[criteria]]\nfield = \"students\"\nweight = 1e308\n\n[[criteria]]\nfield = \"teachers\"\nweight = 1e308\n",
    )
    .unwrap();
    let o = run(
        tmp.path(),
        Path::new(&province("schools.csv")),
        &["--scenario", scenario.to_str().unwrap()],
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains("line 5: `weight`"), "{said}");
    assert!(said.contains("line 9: `weight`"), "{said}");
    assert!(!tmp.path().join("out").exists());
}

/// Item 4: `hubsel validate` with 80,000 required ids took 17 s; the
/// timing is shown by the bench, this checks that the big file's problems
/// come out with the right lines and exit 2.
#[test]
fn validate_reports_the_right_lines_of_a_scenario_of_80k_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 80_000;
    let mut toml = String::from("name = \"many\"\nrequired_hubs = [\n");
    for i in 0..n {
        if i == n - 3 {
            toml.push_str("  1.5,\n");
        } else {
            toml.push_str(&format!("  \"{}\",\n", 90_000_000 + i));
        }
    }
    toml.push_str("]\nseed = -1\n");
    let scenario = tmp.path().join("many.toml");
    fs::write(&scenario, toml).unwrap();
    let o = hubsel(
        &[
            "validate",
            "--quiet",
            "--scenario",
            scenario.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let said = text(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        &said[..said.len().min(2000)]
    );
    assert!(
        said.contains(&format!(
            "line {}: `required_hubs`: item {}",
            n - 3 + 3,
            n - 2
        )),
        "{}",
        &said[..said.len().min(2000)]
    );
    assert!(
        said.contains(&format!("line {}: `seed`", n + 4)),
        "{}",
        &said[..said.len().min(2000)]
    );
}
