//! The real Chiang Mai part of the OBEC school registry
//! (`../shared/data/real/chiangmai_obec_2022.csv`: 696 schools, the
//! registry's own level values, no enrolment, tambon-level coordinates)
//! with the real district polygons of Chiang Mai (`th_districts.geojson`,
//! `pro_code` 50) and the synthetic road network of the embedded province
//! (generated over the same ground), run with the shipped default scenario
//! exactly as a planner with this file would run it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::real_files::real;
use std::collections::BTreeMap;

use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Weighting;
use hubsel::outcome::{Role, RunResult};
use hubsel::progress::Silent;

/// Chiang Mai's 25 amphoe polygons out of the 928 of Thailand.
fn chiang_mai_districts(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features: Vec<serde_json::Value> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["pro_code"] == "50")
        .cloned()
        .collect();
    assert_eq!(features.len(), 25, "Chiang Mai has 25 amphoe");
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// The registry rows, as (smis8, name, level) by line.
fn registry_rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn run_registry(schools: &std::path::Path, districts: &std::path::Path) -> RunResult {
    let districts = chiang_mai_districts(districts);
    let sources = InputSources {
        schools: Source::File(schools),
        roads: Source::Bytes {
            name: "fixture:roads.geojson",
            bytes: hubsel::fixture::ROADS_GEOJSON,
        },
        districts: Source::Bytes {
            name: "th_districts-pro_code-50.geojson",
            bytes: districts.as_bytes(),
        },
    };
    let config = hubsel::scenario::default_scenario().unwrap();
    let mut options = ReadOptions::default();
    options.school_columns.level_values = config.levels.clone();
    let inputs = hubsel::io::load(&sources, &options).unwrap();
    hubsel::pipeline::run(inputs, &config, &Silent).unwrap()
}

#[test]
fn the_chiang_mai_registry_runs_as_it_is() {
    const TEST: &str = "registry::the_chiang_mai_registry_runs_as_it_is";
    let (Some(schools), Some(districts)) = (
        real(TEST, "chiangmai_obec_2022.csv"),
        real(TEST, "th_districts.geojson"),
    ) else {
        return;
    };
    let rows = registry_rows(&schools);
    assert_eq!(rows.len(), 696);
    let r = run_registry(&schools, &districts);

    // No row is refused for its level: all six registry values are read.
    let level_rejects: Vec<_> = r
        .rejects
        .rows
        .iter()
        .filter(|x| x.field == "level")
        .collect();
    assert!(level_rejects.is_empty(), "{level_rejects:?}");

    // Every school is accounted for, exactly once, with a reason wherever
    // it is not in the network.
    assert_eq!(r.schools.len(), 696);
    let by_id: BTreeMap<&str, &hubsel::outcome::SchoolOutcome> =
        r.schools.iter().map(|s| (s.id.0.as_str(), s)).collect();
    assert_eq!(by_id.len(), 696, "ids are unique (smis8)");
    let mut roles: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        let s = by_id
            .get(row["smis8"].as_str())
            .unwrap_or_else(|| panic!("{} is missing from the result", row["smis8"]));
        assert_eq!(s.name, row["name"], "names read as written");
        *roles.entry(s.role.as_str()).or_default() += 1;
        match s.role {
            Role::Hub => assert!(s.hub_id.as_ref() == Some(&s.id)),
            Role::Member => {
                assert!(s.hub_id.is_some() && s.travel_min.is_some_and(|m| m <= 45.0 + 1e-9))
            }
            Role::StandAlone | Role::Rejected => {
                assert!(
                    s.reason.is_some(),
                    "{} {}: no reason",
                    s.id,
                    s.role.as_str()
                )
            }
        }
        // The 49 schools without coordinates are the rejected ones.
        let located = !row["lat"].is_empty() && !row["lon"].is_empty();
        assert_eq!(s.role == Role::Rejected, !located, "{}", s.id);
        if !located {
            assert!(s.reason_en().contains("no coordinates"), "{}", s.reason_en());
        }
    }
    assert_eq!(roles.get("rejected"), Some(&49), "{roles:?}");
    assert!(roles.get("hub").is_some_and(|&n| n >= 40), "{roles:?}");
    assert!(roles.get("member").is_some_and(|&n| n > 100), "{roles:?}");

    // The registry's levels, mapped as documented: K-9 schools teach both.
    let level_of = |smis: &str| by_id[smis].level.map(|l| l.as_str());
    for row in rows.iter().filter(|r| !r["lat"].is_empty()) {
        let want = match row["level"].as_str() {
            "อนุบาล-ประถมศึกษา" | "ประถมศึกษา" => {
                "primary"
            }
            "มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย" => {
                "secondary"
            }
            "อนุบาล-มัธยมศึกษาตอนต้น" | "ประถมศึกษา-มัธยมศึกษาตอนต้น" | "อนุบาล-มัธยมศึกษาตอนปลาย" => {
                "both"
            }
            other => panic!("a level value the registry README does not list: {other}"),
        };
        assert_eq!(level_of(&row["smis8"]), Some(want), "{}", row["level"]);
    }

    // No enrolment: every school counts once, and the run says so.
    assert_eq!(r.weighting, Weighting::Schools);
    let summary = hubsel::output::summary_json(&r);
    assert!(summary.contains("\"weights\": \"schools\""), "{summary}");
    assert!(
        summary.contains("the schools have no student count"),
        "{summary}"
    );
    let t = hubsel::output::Totals::of(&r);
    assert!(t.share_within > 0.0 && t.mean_min > 0.0, "{t:?}");

    // The default scenario adapted to the registry's columns and said so.
    assert!(
        r.config
            .notes
            .iter()
            .any(|n| n.contains("min_students = 120 is left out")),
        "{:?}",
        r.config.notes
    );

    // Every reject names the row's own line (the file has CRLF line ends,
    // which once shifted every line number by one).
    for x in r
        .rejects
        .rows
        .iter()
        .filter(|x| x.source.file.ends_with(".csv"))
    {
        let i = rows
            .iter()
            .position(|row| row["smis8"] == x.id)
            .unwrap_or_else(|| panic!("{x:?}"));
        assert_eq!(x.source.line, i as u64 + 2, "{x:?}");
    }

    // rejects.csv: Thai as written, never escaped.
    let rejects = hubsel::output::rejects_csv(&r);
    assert!(!rejects.contains("\\u{"), "{rejects}");
    for row in rows.iter().filter(|r| r["lat"].is_empty()) {
        let line = rejects
            .lines()
            .find(|l| l.contains(&format!(",{},", row["smis8"])))
            .unwrap_or_else(|| panic!("{} not in rejects.csv", row["smis8"]));
        assert!(line.contains(&format!(",{},", row["name"])), "{line}");
    }
    let html = hubsel::output::report::html(&r, &hubsel::output::layers::layers(&r), hubsel::output::words::Lang::En);
    assert!(
        html.contains("weights"),
        "the report says what the run weighs by"
    );
    eprintln!("chiang mai registry: {roles:?}; {}", r.weighting_note);
}

/// Issue 23, "All Thai": the 49 blank-coordinate rows are told in Thai in
/// the Thai report and in `rejects.csv`'s `reason_th` column, beside the
/// English `reason` (on main 4d3509b both were English only).
#[test]
fn blank_coordinate_rejects_are_told_in_thai_in_the_report_and_rejects_csv() {
    const TEST: &str =
        "registry::blank_coordinate_rejects_are_told_in_thai_in_the_report_and_rejects_csv";
    let (Some(schools), Some(districts)) = (
        real(TEST, "chiangmai_obec_2022.csv"),
        real(TEST, "th_districts.geojson"),
    ) else {
        return;
    };
    let r = run_registry(&schools, &districts);
    let files = hubsel::output::render_in(
        &r,
        &[hubsel::output::Format::GeoJson],
        hubsel::output::words::Lang::Th,
    )
    .unwrap();
    let text = |name: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    let (english, thai) = (
        "no coordinates: longitude and latitude are blank",
        "ไม่มีพิกัด: ช่องลองจิจูดและละติจูดว่าง",
    );
    let csv_text = text("rejects.csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (reason, reason_th) = (column("reason").unwrap(), column("reason_th"));
    let reason_th = reason_th.expect("rejects.csv has a reason_th column");
    assert_eq!(reason_th, reason + 1, "reason_th sits beside reason: {headers:?}");
    let blank: Vec<csv::StringRecord> = reader
        .records()
        .map(Result::unwrap)
        .filter(|row| &row[reason] == english)
        .collect();
    assert_eq!(blank.len(), 49);
    assert!(blank.iter().all(|row| &row[reason_th] == thai));

    let page = text("report.html");
    assert!(page.contains(&format!("<td>{thai}</td>")), "the Thai report tells the reason in Thai");
    assert!(!page.contains(english), "an English reason is left in the Thai report");
}
