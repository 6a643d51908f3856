//! The selection problem through its stable entry points
//! (`scenario::parse`, `io::load`, `pipeline::run`, `select::solve`): one
//! regression test per finding on the objectives, the figures without
//! enrolment and the shortfall reasons. Each was run, and failed, on the
//! code before its fix.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::error::{ErrorKind, Result};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::HubLevel;
use hubsel::outcome::RunResult;
use hubsel::pipeline::run;
use hubsel::progress::Silent;
use hubsel::scenario::StrategyKind;
use hubsel::select::{self, Candidate, LevelProblem};

/// Runs a scenario on schools given as CSV text, with the roads and
/// districts given as GeoJSON text.
fn run_on(schools: &str, roads: &str, districts: &str, scenario: &str) -> Result<RunResult> {
    let config = hubsel::scenario::parse(scenario, "test.toml")?;
    let sources = InputSources {
        schools: Source::Bytes {
            name: "schools.csv",
            bytes: schools.as_bytes(),
        },
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: roads.as_bytes(),
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: districts.as_bytes(),
        },
    };
    run(
        hubsel::io::load(&sources, &ReadOptions::default())?,
        &config,
        &Silent,
    )
}

/// The id of the one hub of a level in district `code`.
fn hub(r: &RunResult, code: &str, level: HubLevel) -> String {
    let hubs: Vec<&str> = r
        .hubs
        .iter()
        .filter(|h| h.district.0 == code && h.level == level)
        .map(|h| h.id.0.as_str())
        .collect();
    assert_eq!(hubs.len(), 1, "hubs of {code} {level:?}: {hubs:?}");
    hubs[0].to_string()
}

// ---------------------------------------------------------------------------
// Finding 1: demand no candidate reaches made objectives constant.

/// One straight primary road along latitude 15 from lon 100.0 to 100.2.
const LINE_ROAD: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[100.0,15.0],[100.05,15.0],[100.1,15.0],[100.15,15.0],[100.2,15.0]]}}]}"#;

/// District 9901, tall enough to hold a school 22 km north of the road.
const TALL_DISTRICT: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"9901","name":"Test"},"geometry":{"type":"Polygon","coordinates":[[[99.99,14.9],[100.21,14.9],[100.21,15.3],[99.99,15.3],[99.99,14.9]]]}}]}"#;

/// A (1,000 students, far west), B (central), C (far east), D (near A):
/// p-center's hub is B (the least worst trip), p-median's is A.
const FOUR_ON_A_ROAD: &str = "id,name,lon,lat,level,students\n\
    A,Big west,100.01,15.0005,primary,1000\n\
    B,Centre,100.10,15.0005,primary,10\n\
    C,East,100.19,15.0005,primary,10\n\
    D,West 2,100.02,15.0005,primary,10\n";

/// The same four and Z, 22 km north of the road: beyond `max_snap_m`
/// (5 km), so no candidate reaches it.
fn with_offroad_school() -> String {
    format!("{FOUR_ON_A_ROAD}Z,Highland,100.10,15.2,primary,10\n")
}

fn one_primary_hub(strategy: &str, extra: &str) -> String {
    format!(
        "strategy = \"{strategy}\"\nhubs_per_district = {{ primary = 1, secondary = 0 }}\nmax_travel_minutes = 60\n{extra}"
    )
}

#[test]
fn pcenter_hub_does_not_change_when_an_offroad_school_is_added() {
    let scenario = one_primary_hub("p-center", "");
    let before = run_on(FOUR_ON_A_ROAD, LINE_ROAD, TALL_DISTRICT, &scenario).unwrap();
    assert_eq!(hub(&before, "9901", HubLevel::Primary), "B");
    // Sanity: p-median picks another hub on these schools, so p-center
    // falling back to its weighted-minutes tie-break shows.
    let median = run_on(
        FOUR_ON_A_ROAD,
        LINE_ROAD,
        TALL_DISTRICT,
        &one_primary_hub("p-median", ""),
    )
    .unwrap();
    assert_eq!(hub(&median, "9901", HubLevel::Primary), "A");

    let after = run_on(&with_offroad_school(), LINE_ROAD, TALL_DISTRICT, &scenario).unwrap();
    assert_eq!(
        hub(&after, "9901", HubLevel::Primary),
        "B",
        "a school no candidate reaches must not decide p-center"
    );
}

#[test]
fn max_minutes_criterion_ignores_a_school_no_candidate_reaches() {
    // The score on the worst trip alone: B, the central school, is best.
    let scenario = one_primary_hub(
        "score",
        "[[criteria]]\naccess = \"max_minutes\"\nweight = 1\n",
    );
    let before = run_on(FOUR_ON_A_ROAD, LINE_ROAD, TALL_DISTRICT, &scenario).unwrap();
    assert_eq!(hub(&before, "9901", HubLevel::Primary), "B");
    // With Z every candidate's worst trip was the cutoff: the criterion
    // read the same for all and the student tie-break chose A.
    let after = run_on(&with_offroad_school(), LINE_ROAD, TALL_DISTRICT, &scenario).unwrap();
    assert_eq!(hub(&after, "9901", HubLevel::Primary), "B");
}

#[test]
fn run_access_figures_do_not_average_in_the_cutoff() {
    let r = run_on(
        &with_offroad_school(),
        LINE_ROAD,
        TALL_DISTRICT,
        &one_primary_hub("p-center", ""),
    )
    .unwrap();
    // B reaches A, C and D within 8 minutes; Z is no hub's to reach and
    // must not turn the worst trip into the 1,440-minute cutoff.
    assert!(r.access.max_min < 10.0, "max {}", r.access.max_min);
    assert!(r.access.mean_min < 10.0, "mean {}", r.access.mean_min);
    assert_eq!(
        r.access.pairs, 4,
        "Z is left out, not counted at the cutoff"
    );
}

/// A p-center problem: 3 candidates, 4 demand schools, the last of which
/// no candidate reaches.
fn pcenter_with_unreachable_column() -> LevelProblem {
    let inf = f64::INFINITY;
    LevelProblem {
        k: 1,
        candidates: (0..3)
            .map(|_| Candidate {
                score: 0.0,
                students: 0.0,
                lottery: 0.0,
            })
            .collect(),
        forced: vec![],
        // Demand 0 is big: p-median would sit on it (candidate 0).
        demand: vec![100.0, 1.0, 1.0, 1.0],
        #[rustfmt::skip]
        minutes: vec![
            0.0, 30.0, 40.0, inf, // candidate 0: worst 40
            20.0, 10.0, 20.0, inf, // candidate 1: worst 20
            40.0, 20.0, 0.0, inf, // candidate 2: worst 40
        ],
        straight_m: vec![0.0; 12],
        limit_min: 45.0,
        penalty_min: 1440.0,
    }
}

#[test]
fn pcenter_solve_leaves_out_demand_no_candidate_reaches() {
    let p = pcenter_with_unreachable_column();
    let choice = select::solve(select::strategy(StrategyKind::PCenter), &p);
    assert_eq!(choice.chosen, vec![1]);
    assert_eq!(choice.objective[0], 20.0, "worst reachable trip");
    // The runner-up's margin is in minutes of the worst trip, not 0.
    let r = choice.runner_up[0].as_ref().unwrap();
    assert_eq!(r.margin, 20.0);
}

#[test]
fn pcenter_breaks_a_tie_at_the_cutoff_by_demand_left_unreached() {
    let inf = f64::INFINITY;
    // Both candidates leave demand unreached (both worst trips are the
    // cutoff). Candidate 0 leaves 2 students unreached and drives the
    // others far; candidate 1 leaves 3 unreached and drives the rest near.
    // p-center must prefer the set that leaves less demand unreached.
    let p = LevelProblem {
        k: 1,
        candidates: (0..2)
            .map(|_| Candidate {
                score: 0.0,
                students: 0.0,
                lottery: 0.0,
            })
            .collect(),
        forced: vec![],
        demand: vec![10.0, 2.0, 3.0],
        #[rustfmt::skip]
        minutes: vec![
            400.0, inf, 50.0,
            1.0, 1.0, inf,
        ],
        straight_m: vec![0.0; 6],
        limit_min: 45.0,
        penalty_min: 1440.0,
    };
    let choice = select::solve(select::strategy(StrategyKind::PCenter), &p);
    assert_eq!(choice.chosen, vec![0]);
}

// ---------------------------------------------------------------------------
// Finding 2: figures and objectives when there is no enrolment.

/// A primary road along latitude 15 from lon 99.99 to 100.52, with a
/// vertex every 0.05°.
fn long_road() -> String {
    let mut lons = vec![99.99];
    lons.extend((0..=10).map(|i| 100.0 + 0.05 * i as f64));
    lons.push(100.52);
    let coords: Vec<String> = lons.iter().map(|x| format!("[{x:.2},15.0]")).collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"class":"primary"}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}]}}"#,
        coords.join(",")
    )
}

const WIDE_DISTRICT: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"9902","name":"Wide"},"geometry":{"type":"Polygon","coordinates":[[[99.98,14.9],[100.53,14.9],[100.53,15.1],[99.98,15.1],[99.98,14.9]]]}}]}"#;

/// Schools on the road at steps of 0.05° (about 4 minutes by road):
/// `positions` are (id, step). `students` is the value of every
/// students cell (`None`: no students column at all).
fn schools_on_steps(positions: &[(&str, f64)], students: Option<&str>) -> String {
    let mut csv = String::from("id,name,lon,lat,level");
    if students.is_some() {
        csv += ",students";
    }
    csv += "\n";
    for (id, step) in positions {
        csv += &format!(
            "{id},School {id},{:.4},15.0005,primary",
            100.0 + 0.05 * step
        );
        if let Some(s) = students {
            csv += &format!(",{s}");
        }
        csv += "\n";
    }
    csv
}

/// Steps 0, 1, 2, 3, 10: by schools the median is C, the center D and
/// the best cover within 10 minutes (two steps) B or C (4 schools each, C
/// nearer in total); A is what "lowest id wins" gives.
const SPREAD: [(&str, f64); 5] = [("A", 0.0), ("B", 1.0), ("C", 2.0), ("D", 3.0), ("E", 10.0)];

fn on_spread(strategy: &str, students: Option<&str>, weights: &str) -> Result<RunResult> {
    run_on(
        &schools_on_steps(&SPREAD, students),
        &long_road(),
        WIDE_DISTRICT,
        &format!(
            "strategy = \"{strategy}\"\nhubs_per_district = {{ primary = 1, secondary = 0 }}\nmax_travel_minutes = 10\n{weights}"
        ),
    )
}

#[test]
fn objectives_discriminate_by_schools_when_every_count_is_zero() {
    for weights in ["weights = \"students\"\n", ""] {
        let median = on_spread("p-median", Some("0"), weights).unwrap();
        assert_eq!(
            hub(&median, "9902", HubLevel::Primary),
            "C",
            "p-median, {weights:?}: least school-minutes, not p-center"
        );
        let center = on_spread("p-center", Some("0"), weights).unwrap();
        assert_eq!(hub(&center, "9902", HubLevel::Primary), "D", "{weights:?}");
        let cover = on_spread("max-cover", Some("0"), weights).unwrap();
        assert_eq!(
            hub(&cover, "9902", HubLevel::Primary),
            "C",
            "max-cover, {weights:?}: most schools covered, not the lowest id"
        );
        // The run's figures count schools too.
        assert!(median.access.mean_min > 0.0);
        assert!(
            (median.access.share_within - 0.8).abs() < 1e-9,
            "{weights:?}: 4 of 5 schools within 10 minutes of C, got {}",
            median.access.share_within
        );
    }
}

#[test]
fn objectives_discriminate_by_schools_without_a_students_column() {
    let median = on_spread("p-median", None, "").unwrap();
    assert_eq!(hub(&median, "9902", HubLevel::Primary), "C");
    let center = on_spread("p-center", None, "").unwrap();
    assert_eq!(hub(&center, "9902", HubLevel::Primary), "D");
    let cover = on_spread("max-cover", None, "").unwrap();
    assert_eq!(hub(&cover, "9902", HubLevel::Primary), "C");
}

#[test]
fn share_criterion_counts_schools_when_every_count_is_zero() {
    // Steps 0..4: C alone reaches all five schools within two steps.
    let positions = [("A", 0.0), ("B", 1.0), ("C", 2.0), ("D", 3.0), ("E", 4.0)];
    let r = run_on(
        &schools_on_steps(&positions, Some("0")),
        &long_road(),
        WIDE_DISTRICT,
        "strategy = \"score\"\nweights = \"students\"\nhubs_per_district = { primary = 1, secondary = 0 }\nmax_travel_minutes = 10\n\
         [[criteria]]\naccess = \"share_within_limit\"\nweight = 1\n",
    )
    .unwrap();
    assert_eq!(hub(&r, "9902", HubLevel::Primary), "C");
}

#[test]
fn largest_without_student_counts_is_refused() {
    for students in [None, Some("0"), Some("")] {
        let err = on_spread("largest", students, "")
            .err()
            .unwrap_or_else(|| panic!("{students:?}: largest ran without counts"));
        assert_eq!(err.kind(), ErrorKind::Scenario, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("largest") && text.contains("student count"),
            "{text}"
        );
    }
    // With counts it runs and picks the largest.
    let csv = "id,name,lon,lat,level,students\n\
        A,School A,100.0000,15.0005,primary,100\n\
        B,School B,100.0500,15.0005,primary,300\n";
    let r = run_on(
        csv,
        &long_road(),
        WIDE_DISTRICT,
        "strategy = \"largest\"\nhubs_per_district = { primary = 1, secondary = 0 }\n",
    )
    .unwrap();
    assert_eq!(hub(&r, "9902", HubLevel::Primary), "B");
}

// ---------------------------------------------------------------------------
// Finding 4: shortfalls that name the district and the constraint.

fn shortfall(r: &RunResult, code: &str, level: HubLevel) -> String {
    r.district_outcomes
        .iter()
        .flat_map(|o| &o.shortfalls)
        .find(|s| s.district.0 == code && s.level == level)
        .map(|s| s.reason.clone())
        .unwrap_or_else(|| panic!("no shortfall for {code} {level:?}"))
}

#[test]
fn shortfall_names_the_district_and_the_constraint_with_counts() {
    let csv = "id,name,lon,lat,level,students,highland\n\
        A,School A,100.0000,15.0005,primary,200,1\n\
        B,School B,100.0500,15.0005,primary,200,1\n\
        C,School C,100.1000,15.0005,primary,200,1\n";
    let r = run_on(
        csv,
        &long_road(),
        WIDE_DISTRICT,
        "hubs_per_district = { primary = 1, secondary = 0 }\n[constraints]\nexclude_if = [\"highland\"]\n",
    )
    .unwrap();
    let reason = shortfall(&r, "9902", HubLevel::Primary);
    assert_eq!(
        reason,
        "district 9902, primary: none of its 3 primary schools is a candidate: 3 excluded by exclude_if highland"
    );
}

#[test]
fn shortfall_counts_each_reason_in_a_stable_order() {
    // min_students = 120: two have fewer, one has no count (blank cell),
    // one is excluded by id, one is eligible; two hubs are asked.
    let csv = "id,name,lon,lat,level,students\n\
        A,School A,100.0000,15.0005,primary,50\n\
        B,School B,100.0500,15.0005,primary,\n\
        C,School C,100.1000,15.0005,primary,80\n\
        D,School D,100.1500,15.0005,primary,300\n\
        E,School E,100.2000,15.0005,primary,400\n";
    let r = run_on(
        csv,
        &long_road(),
        WIDE_DISTRICT,
        "hubs_per_district = { primary = 2, secondary = 0 }\nexcluded_hubs = [\"E\"]\n[constraints]\nmin_students = 120\n",
    )
    .unwrap();
    let reason = shortfall(&r, "9902", HubLevel::Primary);
    assert_eq!(
        reason,
        "district 9902, primary: only 1 eligible candidate for 2 hubs (of 5 primary schools: 1 excluded by excluded_hubs, 2 have fewer than 120 students, 1 has no student count (min_students = 120))"
    );
}

// ---------------------------------------------------------------------------
// What the run reports about schools out of reach (fields added with the
// fix of finding 1).

/// The line road and, 0.05° north of it, a short road joined to nothing.
const ROAD_AND_ISLAND: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[100.0,15.0],[100.05,15.0],[100.1,15.0],[100.15,15.0],[100.2,15.0]]}},{"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[100.08,15.05],[100.12,15.05]]}}]}"#;

#[test]
fn schools_no_candidate_reaches_are_reported_by_cause() {
    // Z is off the network; Y is on the island and, with fewer students
    // than min_students, not a candidate: no candidate is on its island.
    let csv = format!(
        "{}Y,Island,100.10,15.0505,primary,1\n",
        with_offroad_school()
    );
    let r = run_on(
        &csv,
        ROAD_AND_ISLAND,
        TALL_DISTRICT,
        &one_primary_hub("p-center", "[constraints]\nmin_students = 5\n"),
    )
    .unwrap();
    assert_eq!(hub(&r, "9901", HubLevel::Primary), "B");
    let u = &r.district_outcomes[0].unreachable;
    assert_eq!(u.len(), 1, "{u:?}");
    let u = &u[0];
    assert_eq!(u.level, HubLevel::Primary);
    assert_eq!(
        u.schools.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["Y", "Z"]
    );
    assert_eq!(
        (u.of, u.off_network, u.island, u.beyond_cutoff),
        (6, 1, 1, 0)
    );
    assert_eq!(
        u.reason,
        "district 9901, primary: no candidate reaches 2 of its 6 primary schools, left out when comparing hubs: 1 farther than max_snap_m (5000 m) from every road (\"Z\"), 1 on a road island that no candidate is on (\"Y\")"
    );
    assert_eq!(
        (r.access.pairs, r.access.unreached, r.access.unreachable),
        (4, 0, 2)
    );
}

#[test]
fn schools_the_hubs_leave_unreached_are_counted_at_the_cutoff() {
    // Y on the island is a candidate now: it reaches itself, so it stays in
    // the comparison; hub B leaves it unreached, charged the cutoff.
    let csv = format!("{FOUR_ON_A_ROAD}Y,Island,100.10,15.0505,primary,10\n");
    let r = run_on(
        &csv,
        ROAD_AND_ISLAND,
        TALL_DISTRICT,
        &one_primary_hub("p-center", ""),
    )
    .unwrap();
    assert_eq!(hub(&r, "9901", HubLevel::Primary), "B");
    assert!(r.district_outcomes[0].unreachable.is_empty());
    assert_eq!(
        (r.access.pairs, r.access.unreached, r.access.unreachable),
        (5, 1, 0)
    );
    assert_eq!(r.access.max_min, r.config.search_cutoff_min);
    // The runner-up (Y would leave four schools unreached) ties B on the
    // worst trip, the cutoff: the margin is 0 minutes.
    let h = r.hubs.iter().find(|h| h.id.0 == "B").unwrap();
    assert_eq!(h.margin, 0.0);
}

#[test]
fn shortfall_of_a_small_district_and_of_a_school_that_is_already_a_hub() {
    let csv = "id,name,lon,lat,level,students\n\
        A,School A,100.0000,15.0005,both,200\n";
    let r = run_on(
        csv,
        &long_road(),
        WIDE_DISTRICT,
        "hubs_per_district = { primary = 2, secondary = 1 }\n",
    )
    .unwrap();
    assert_eq!(
        shortfall(&r, "9902", HubLevel::Primary),
        "district 9902, primary: only 1 eligible candidate for 2 hubs (of 1 primary school, all eligible)"
    );
    assert_eq!(
        shortfall(&r, "9902", HubLevel::Secondary),
        "district 9902, secondary: its only secondary school is not a candidate: 1 already is the district's primary hub"
    );
}

/// Each district's ranked candidates (the workbench's explanation) agree
/// with its hubs: best score first, every hub marked at its rank, as many
/// candidates as the hub was chosen from.
#[test]
fn ranked_candidates_agree_with_the_hubs() {
    for strategy in ["score", "p-median"] {
        let mut config = hubsel::scenario::default_scenario().unwrap();
        config.strategy = StrategyKind::parse(strategy).unwrap();
        let inputs =
            hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
        let r = run(inputs, &config, &Silent).unwrap();
        let mut marked = 0;
        for d in &r.district_outcomes {
            for level in &d.ranked {
                let scores: Vec<f64> = level.candidates.iter().map(|c| c.score).collect();
                assert!(
                    scores.windows(2).all(|w| w[0] >= w[1]),
                    "{} sorted",
                    d.code.0
                );
                for (pos, c) in level.candidates.iter().enumerate().filter(|(_, c)| c.hub) {
                    marked += 1;
                    let h = r
                        .hubs
                        .iter()
                        .find(|h| h.id == c.id && h.level == level.level)
                        .expect("a marked candidate is a hub of the level");
                    assert_eq!(h.district, d.code);
                    assert_eq!(h.candidates, level.candidates.len());
                    let better = scores.iter().filter(|&&s| s > c.score + 1e-12).count();
                    assert_eq!(h.rank, better + 1);
                    assert!(pos + 1 >= h.rank);
                }
            }
        }
        assert_eq!(marked, r.hubs.len(), "{strategy}: every hub is marked once");
    }
}

/// Travel times prepared for more candidates serve a scenario with fewer
/// (a higher `min_students`, an excluded school, a required candidate):
/// the same result as preparing for that scenario itself; more candidates
/// need a new preparation.
#[test]
fn fewer_candidates_reuse_the_travel_times() {
    let load = || hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let base = hubsel::scenario::default_scenario().unwrap();
    let prepared = hubsel::pipeline::prepare(load(), &base, &Silent).unwrap();
    let first = run(load(), &base, &Silent).unwrap();
    let runner_up = first.hubs.iter().find_map(|h| h.runner_up.clone()).unwrap();
    let mut fewer = base.clone();
    fewer.constraints.min_students = 200.0;
    fewer.excluded_hubs.insert(first.hubs[0].id.clone());
    fewer.required_hubs.insert(runner_up);
    let reused = hubsel::pipeline::finish(&prepared, &fewer, &Silent).unwrap();
    let fresh = run(load(), &fewer, &Silent).unwrap();
    assert_eq!(reused.hubs, fresh.hubs);
    assert_eq!(reused.schools, fresh.schools);
    assert_eq!(reused.routes, fresh.routes);
    assert_eq!(reused.district_outcomes, fresh.district_outcomes);
    assert_ne!(reused.hubs, first.hubs);
    let mut more = base.clone();
    more.constraints.min_students = 0.0;
    let e = hubsel::pipeline::finish(&prepared, &more, &Silent).unwrap_err();
    assert!(e.to_string().contains("prepare again"), "{e}");
}
