//! Properties of whole runs on small random inputs: every school accounted
//! for once, quotas kept or shortfalls reported, no member beyond the
//! limit, and the same answer whatever the order of the input rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::HubLevel;
use hubsel::outcome::{Role, RunResult};
use hubsel::pipeline::run;
use hubsel::progress::Silent;
use proptest::prelude::*;

/// A random case: a lattice of roads over four districts (some pieces
/// one-way, some missing so islands appear), schools anywhere, and a
/// random scenario.
#[derive(Clone, Debug)]
struct Case {
    schools: Vec<(f64, f64, u8, u32)>,
    missing_roads: Vec<bool>,
    one_way: Vec<bool>,
    hubs: (u8, u8),
    limit_min: u32,
    strategy: u8,
    min_students: u32,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((100.0f64..100.08, 15.0f64..15.08, 0u8..3, 0u32..600), 4..40),
        prop::collection::vec(prop::bool::weighted(0.15), 144),
        prop::collection::vec(prop::bool::weighted(0.1), 144),
        (0u8..3, 0u8..3),
        5u32..60,
        0u8..7,
        0u32..200,
    )
        .prop_map(
            |(schools, missing_roads, one_way, hubs, limit_min, strategy, min_students)| Case {
                schools,
                missing_roads,
                one_way,
                hubs,
                limit_min,
                strategy,
                min_students,
            },
        )
}

fn csv_rows(case: &Case) -> Vec<String> {
    let levels = ["primary", "secondary", "both"];
    case.schools
        .iter()
        .enumerate()
        .map(|(i, (x, y, l, n))| {
            format!(
                "S{i:03},School {i},{x:.6},{y:.6},{},{n},{},{}",
                levels[*l as usize],
                n / 20 + 1,
                n / 25 + 3
            )
        })
        .collect()
}

fn roads(case: &Case) -> String {
    // 9 x 9 lattice points 0.01 degree apart; 144 edges.
    let mut features = Vec::new();
    let mut k = 0;
    for i in 0..9 {
        for j in 0..8 {
            for horizontal in [true, false] {
                let (a, b) = if horizontal {
                    ((j, i), (j + 1, i))
                } else {
                    ((i, j), (i, j + 1))
                };
                let p = |(u, v): (i32, i32)| {
                    format!(
                        "[{:.2},{:.2}]",
                        100.0 + u as f64 * 0.01,
                        15.0 + v as f64 * 0.01
                    )
                };
                if !case.missing_roads[k] {
                    features.push(format!(
                        r#"{{"type":"Feature","properties":{{"class":"{}","oneway":{}}},"geometry":{{"type":"LineString","coordinates":[{},{}]}}}}"#,
                        if k % 3 == 0 { "secondary" } else { "unclassified" },
                        case.one_way[k],
                        p(a),
                        p(b)
                    ));
                }
                k += 1;
            }
        }
    }
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Polygon","coordinates":[[[99.99,14.99],[100.04,14.99],[100.04,15.04],[99.99,15.04],[99.99,14.99]]]}},
{"type":"Feature","properties":{"code":"02"},"geometry":{"type":"Polygon","coordinates":[[[100.04,14.99],[100.09,14.99],[100.09,15.04],[100.04,15.04],[100.04,14.99]]]}},
{"type":"Feature","properties":{"code":"03"},"geometry":{"type":"Polygon","coordinates":[[[99.99,15.04],[100.04,15.04],[100.04,15.09],[99.99,15.09],[99.99,15.04]]]}},
{"type":"Feature","properties":{"code":"04"},"geometry":{"type":"Polygon","coordinates":[[[100.04,15.04],[100.09,15.04],[100.09,15.09],[100.04,15.09],[100.04,15.04]]]}}]}"#;

fn run_case(case: &Case, rows: &[String]) -> RunResult {
    let strategies = [
        "score",
        "p-median",
        "p-center",
        "max-cover",
        "largest",
        "central",
        "random",
    ];
    let scenario = format!(
        "strategy = \"{}\"\nhubs_per_district = {{ primary = {}, secondary = {} }}\nmax_travel_minutes = {}\nseed = 3\n\
         [[criteria]]\nfield = \"classrooms\"\nweight = 1\n[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 1\n\
         [constraints]\nmin_students = {}\n",
        strategies[case.strategy as usize], case.hubs.0, case.hubs.1, case.limit_min, case.min_students
    );
    let config = hubsel::scenario::parse(&scenario, "p.toml").unwrap();
    let csv = format!(
        "id,name,lon,lat,level,students,teachers,classrooms\n{}\n",
        rows.join("\n")
    );
    let roads = roads(case);
    let sources = InputSources {
        schools: Source::Bytes {
            name: "s.csv",
            bytes: csv.as_bytes(),
        },
        roads: Source::Bytes {
            name: "r.geojson",
            bytes: roads.as_bytes(),
        },
        districts: Source::Bytes {
            name: "d.geojson",
            bytes: DISTRICTS.as_bytes(),
        },
    };
    run(
        hubsel::io::load(&sources, &ReadOptions::default()).unwrap(),
        &config,
        &Silent,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn runs_keep_their_invariants(case in cases()) {
        let rows = csv_rows(&case);
        let r = run_case(&case, &rows);
        // Every input school exactly once.
        let mut ids: Vec<&str> = r.schools.iter().map(|s| s.id.0.as_str()).collect();
        ids.sort();
        prop_assert_eq!(ids.len(), case.schools.len());
        ids.dedup();
        prop_assert_eq!(ids.len(), case.schools.len());
        // Quotas: exactly k hubs per district and level, or a shortfall
        // that says how many were chosen.
        for o in &r.district_outcomes {
            for (level, k) in [(HubLevel::Primary, case.hubs.0 as usize), (HubLevel::Secondary, case.hubs.1 as usize)] {
                let n = r.hubs.iter().filter(|h| h.district == o.code && h.level == level).count();
                match o.shortfalls.iter().find(|s| s.level == level) {
                    None => prop_assert_eq!(n, k, "district {} {:?}", o.code, level),
                    Some(s) => prop_assert!(s.chosen == n && n < k),
                }
            }
        }
        // Members: within the limit, at a hub of a level they teach.
        let hubs: BTreeMap<&str, HubLevel> = r.hubs.iter().map(|h| (h.id.0.as_str(), h.level)).collect();
        for s in &r.schools {
            if s.role == Role::Member {
                prop_assert!(s.travel_min.unwrap() <= case.limit_min as f64 + 1e-9);
                let level = hubs[s.hub_id.as_ref().unwrap().0.as_str()];
                prop_assert!(s.level.unwrap().serves(level));
            }
        }
        // Row order does not matter.
        let mut reversed = rows.clone();
        reversed.reverse();
        let again = run_case(&case, &reversed);
        // rejects.csv, the report's and the GeoPackage's rejects tables
        // give the rows' line numbers.
        let render = |r: &RunResult| {
            hubsel::output::render(r, &hubsel::output::Format::ALL)
                .unwrap()
                .into_iter()
                .filter(|(f, _)| f != "rejects.csv" && f != "report.html" && f != "hubsel.gpkg")
                .collect::<Vec<_>>()
        };
        prop_assert!(render(&r) == render(&again), "outputs differ when the rows are reversed");
    }
}
