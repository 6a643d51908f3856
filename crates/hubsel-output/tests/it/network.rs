//! The road network as real OpenStreetMap data has it: schools on
//! junctions with one-way roads, tiny road fragments, one-way traps, and
//! stand-alone reasons a planner can check. One test per reported problem,
//! each on a small constructed case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Inputs;
use hubsel::outcome::{Role, RunResult, SchoolOutcome};
use hubsel::pipeline::{prepare, run};
use hubsel::progress::Silent;
use hubsel::scenario::Config;

/// A GeoJSON road: class, one-way flag and lon/lat vertices.
fn road(class: &str, oneway: bool, coords: &[(f64, f64)]) -> String {
    let pts: Vec<String> = coords.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
    format!(
        r#"{{"type":"Feature","properties":{{"class":"{class}","oneway":{oneway}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
        pts.join(",")
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// A rectangular district polygon.
fn district(code: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"D{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#
    )
}

fn load(schools: &str, roads: &str, districts: &str) -> Inputs {
    let sources = InputSources {
        schools: Source::Bytes {
            name: "s.csv",
            bytes: schools.as_bytes(),
        },
        roads: Source::Bytes {
            name: "r.geojson",
            bytes: roads.as_bytes(),
        },
        districts: Source::Bytes {
            name: "d.geojson",
            bytes: districts.as_bytes(),
        },
    };
    hubsel::io::load(&sources, &ReadOptions::default()).unwrap()
}

/// One primary hub per district, the school with the most students.
fn scenario(extra: &str) -> Config {
    hubsel::scenario::parse(
        &format!(
            "hubs_per_district = {{ primary = 1, secondary = 0 }}\nmax_travel_minutes = 60\n{extra}\n\
             [constraints]\nmin_students = 100\n[[criteria]]\nfield = \"students\"\nweight = 1\n"
        ),
        "network.toml",
    )
    .unwrap()
}

fn school<'a>(r: &'a RunResult, id: &str) -> &'a SchoolOutcome {
    r.schools.iter().find(|s| s.id.0 == id).unwrap()
}

fn flags_of(r: &RunResult, id: &str) -> Vec<String> {
    r.rejects
        .rows
        .iter()
        .filter(|row| row.id == id)
        .map(|row| row.reason.en())
        .collect()
}

/// A main network of 5 junctions: an east-west road from 100.0 to 100.1
/// crossed at 100.05 by a north-south road.
fn main_network() -> Vec<String> {
    vec![
        road(
            "primary",
            false,
            &[(100.0, 15.0), (100.05, 15.0), (100.1, 15.0)],
        ),
        road(
            "primary",
            false,
            &[(100.05, 14.98), (100.05, 15.0), (100.05, 15.02)],
        ),
    ]
}

/// Finding 1: a school exactly on a junction where a one-way road and a
/// two-way road meet. The snapper used to break the distance tie by link
/// number, and a point at the start of a one-way link could not leave it
/// backwards even at 0 m: with the one-way road listed first the school
/// could only drive into the one-way dead end and stood alone.
#[test]
fn a_school_on_a_junction_with_a_one_way_road_gets_the_same_time_in_either_feature_order() {
    let one_way = road("primary", true, &[(100.0, 15.0), (100.02, 15.0)]);
    let two_way = road("primary", false, &[(100.0, 15.0), (100.0, 15.02)]);
    let schools = "id,name,lon,lat,level,students\n\
        H,Hub,100.0001,15.01,primary,300\n\
        S,On the junction,100.0,15.0,primary,50\n";
    let districts = collection(&[district("9901", 99.9, 14.9, 100.1, 15.1)]);
    let config = scenario("");
    let mut minutes = Vec::new();
    for order in [
        [one_way.clone(), two_way.clone()],
        [two_way.clone(), one_way.clone()],
    ] {
        let r = run(
            load(schools, &collection(&order), &districts),
            &config,
            &Silent,
        )
        .unwrap();
        let s = school(&r, "S");
        assert_eq!(s.role, Role::Member, "{s:?}");
        assert_eq!(s.hub_id.as_ref().unwrap().0, "H");
        minutes.push(s.travel_min.unwrap());
    }
    // 0.01° of latitude on the two-way road at 80 km/h, plus the hub's
    // 10.75 m off-road leg at 10 km/h.
    let road_m = 0.01f64.to_radians() * 6_371_008.8;
    let offroad_m = 0.0001f64.to_radians() * 6_371_008.8 * 15.01f64.to_radians().cos();
    let expected = (road_m * 3.6 / 80.0 + offroad_m * 3.6 / 10.0) / 60.0;
    for m in &minutes {
        assert!(
            (m - expected).abs() < 1e-6 * expected,
            "{minutes:?} vs {expected}"
        );
    }
    assert_eq!(
        minutes[0].to_bits(),
        minutes[1].to_bits(),
        "same time whatever the order"
    );
}

/// Finding 2 and issue test 7(a): a school beside a 3-junction road
/// fragment (nearer than the main network, both within `max_snap_m`) joins
/// the main network and becomes a member; the move is flagged with both
/// distances and the fragment's size.
#[test]
fn a_school_beside_a_tiny_fragment_joins_the_main_network() {
    let mut roads = main_network();
    // A V-shaped fragment of 3 junctions, 22 m from the school; the main
    // road is 334 m away.
    roads.push(road(
        "service",
        false,
        &[(100.029, 15.0028), (100.030, 15.0028)],
    ));
    roads.push(road(
        "service",
        false,
        &[(100.030, 15.0028), (100.031, 15.0029)],
    ));
    let schools = "id,name,lon,lat,level,students\n\
        H,Hub,100.06,15.0005,primary,300\n\
        S,Beside a fragment,100.03,15.003,primary,50\n";
    let districts = collection(&[district("9901", 99.9, 14.9, 100.2, 15.1)]);
    let r = run(
        load(schools, &collection(&roads), &districts),
        &scenario(""),
        &Silent,
    )
    .unwrap();
    let s = school(&r, "S");
    assert_eq!(s.role, Role::Member, "{s:?}");
    assert_eq!(s.hub_id.as_ref().unwrap().0, "H");
    // The distance reported is the one to the road actually used.
    let used_m = 0.003f64.to_radians() * 6_371_008.8;
    assert!(
        (s.offroad_m.unwrap() - used_m).abs() < 0.01,
        "{:?} vs {used_m}",
        s.offroad_m
    );
    let flags = flags_of(&r, "S");
    assert_eq!(flags.len(), 1, "{flags:?}");
    let f = &flags[0];
    assert!(
        f.contains("334 m") && f.contains("22 m") && f.contains("3 junctions"),
        "{f}"
    );
    // The hub is not flagged.
    assert!(flags_of(&r, "H").is_empty(), "{:?}", flags_of(&r, "H"));
}

/// `small_component_junctions` is the scenario's: 0 turns the rule off (the
/// school stays on the fragment, an island), and a bad value is refused
/// with its line and key.
#[test]
fn the_small_fragment_rule_is_the_scenarios_to_change() {
    let mut roads = main_network();
    roads.push(road(
        "service",
        false,
        &[(100.029, 15.0028), (100.030, 15.0028)],
    ));
    roads.push(road(
        "service",
        false,
        &[(100.030, 15.0028), (100.031, 15.0029)],
    ));
    let schools = "id,name,lon,lat,level,students\n\
        H,Hub,100.06,15.0005,primary,300\n\
        S,Beside a fragment,100.03,15.003,primary,50\n";
    let districts = collection(&[district("9901", 99.9, 14.9, 100.2, 15.1)]);
    let off = run(
        load(schools, &collection(&roads), &districts),
        &scenario("small_component_junctions = 0"),
        &Silent,
    )
    .unwrap();
    let s = school(&off, "S");
    assert_eq!(s.role, Role::StandAlone, "{s:?}");
    assert!(s.reason_en().starts_with("on a road island"), "{}", s.reason_en());
    assert!((s.offroad_m.unwrap() - 22.1).abs() < 0.1, "{s:?}");
    // A threshold of 3 junctions: the 3-junction fragment is not small.
    let three = run(
        load(schools, &collection(&roads), &districts),
        &scenario("small_component_junctions = 3"),
        &Silent,
    )
    .unwrap();
    assert_eq!(school(&three, "S").role, Role::StandAlone);
    let four = run(
        load(schools, &collection(&roads), &districts),
        &scenario("small_component_junctions = 4"),
        &Silent,
    )
    .unwrap();
    assert_eq!(school(&four, "S").role, Role::Member);
    let err = hubsel::scenario::parse("small_component_junctions = -2\n", "bad.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1") && err.contains("small_component_junctions"),
        "{err}"
    );
}

/// The main network, a one-way road from its east end into a dead-end
/// area (a sink trap: it can be entered but never left), and a one-way
/// road out of another area into the main network's west end (a source
/// trap: it can be left but never entered). Both areas are 3 junctions,
/// more than 1 km from the main network.
fn with_traps() -> Vec<String> {
    let mut roads = main_network();
    roads.push(road("primary", true, &[(100.1, 15.0), (100.13, 15.0)]));
    roads.push(road("primary", false, &[(100.13, 15.0), (100.14, 15.0)]));
    roads.push(road("primary", false, &[(100.13, 15.0), (100.13, 15.01)]));
    roads.push(road("primary", true, &[(99.97, 15.0), (100.0, 15.0)]));
    roads.push(road("primary", false, &[(99.96, 15.0), (99.97, 15.0)]));
    roads.push(road("primary", false, &[(99.97, 15.0), (99.97, 15.01)]));
    roads
}

/// Finding 3: islands were found by weak connectivity, so a school behind
/// a one-way trap was neither flagged nor given the right reason.
#[test]
fn a_school_in_a_one_way_trap_is_flagged_and_says_which_way_is_impossible() {
    let schools = "id,name,lon,lat,level,students\n\
        H,Hub,100.06,15.0005,primary,300\n\
        T,In the sink trap,100.14,15.0005,primary,50\n\
        U,In the source trap,99.96,15.0005,primary,50\n";
    let districts = collection(&[district("9901", 99.9, 14.9, 100.2, 15.1)]);
    let r = run(
        load(schools, &collection(&with_traps()), &districts),
        &scenario("max_snap_m = 1000"),
        &Silent,
    )
    .unwrap();
    let t = school(&r, "T");
    assert_eq!(t.role, Role::StandAlone, "{t:?}");
    assert!(
        t.reason_en().starts_with("one-way trap")
            && t.reason_en().contains("no road leads from it")
            && t.reason_en().contains("9901"),
        "{}",
        t.reason_en()
    );
    let flags = flags_of(&r, "T");
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert!(
        flags[0].starts_with("one-way trap")
            && flags[0].contains("cannot reach")
            && flags[0].contains("district 9901"),
        "{}",
        flags[0]
    );
    // The source trap's school reaches the hub; it is flagged because no
    // road leads to it.
    let u = school(&r, "U");
    assert_eq!(u.role, Role::Member, "{u:?}");
    let flags = flags_of(&r, "U");
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert!(
        flags[0].starts_with("one-way trap")
            && flags[0].contains("cannot be reached")
            && flags[0].contains("district 9901"),
        "{}",
        flags[0]
    );
    assert!(flags_of(&r, "H").is_empty());
}

/// Finding 4: a school that can never reach a candidate made that
/// candidate's search explore the whole network, because the school's
/// leave nodes were targets that are never settled.
#[test]
fn an_unreachable_school_does_not_make_the_search_explore_the_whole_network() {
    // The main network with a comb of 300 side roads to the west: far more
    // nodes than the search needs.
    let mut roads = with_traps();
    let mut spine = vec![(99.6, 14.99)];
    for k in 0..300 {
        let x = 99.6 + k as f64 * 0.001;
        spine.push((x, 14.98));
        roads.push(road("tertiary", false, &[(x, 14.98), (x, 14.975)]));
    }
    spine.push((100.05, 14.98));
    roads.push(road("tertiary", false, &spine));
    let roads = collection(&roads);
    let districts = collection(&[district("9901", 99.9, 14.9, 100.2, 15.1)]);
    let base = "id,name,lon,lat,level,students\n\
        H,Hub,100.06,15.0005,primary,300\n\
        W,Member,100.07,15.0005,primary,50\n";
    let config = scenario("max_snap_m = 1000");
    let settled = |schools: &str| {
        let p = prepare(load(schools, &roads, &districts), &config, &Silent).unwrap();
        assert_eq!(p.checked.stats.searches, 1, "one candidate");
        p.matrices.iter().map(|m| m.settled_nodes).sum::<u64>()
    };
    let without = settled(base);
    let with_trapped = settled(&format!(
        "{base}T,In the sink trap,100.14,15.0005,primary,50\n"
    ));
    let graph_nodes = {
        let p = prepare(load(base, &roads, &districts), &config, &Silent).unwrap();
        p.checked.graph.node_count() as u64
    };
    assert!(without < 20, "{without} settled without the trapped school");
    assert_eq!(
        with_trapped, without,
        "the trapped school's nodes are no targets ({graph_nodes} nodes in the graph)"
    );
}

/// Finding 6: a school whose district has no hub of its level was told
/// "no hub … within the 1440 min search cutoff", because hubs of every
/// district counted. Without cross-district assignment only its own
/// district's hubs count.
#[test]
fn a_district_without_a_hub_of_the_level_says_so() {
    let schools = "id,name,lon,lat,district,level,students\n\
        W1,West hub,100.02,15.0005,9901,primary,300\n\
        E2,East school,100.08,15.0005,9902,primary,50\n";
    let roads = collection(&main_network());
    let districts = collection(&[
        district("9901", 99.9, 14.9, 100.05, 15.1),
        district("9902", 100.05, 14.9, 100.2, 15.1),
    ]);
    let within = run(load(schools, &roads, &districts), &scenario(""), &Silent).unwrap();
    let e2 = school(&within, "E2");
    assert_eq!(e2.role, Role::StandAlone);
    assert_eq!(
        e2.reason_en(), "no primary hub in district 9902: see the shortfalls",
        "{e2:?}"
    );
    assert!(within.district_outcomes[1]
        .shortfalls
        .iter()
        .any(|s| s.district.0 == "9902"));
    // Across districts, the west hub counts.
    let across = run(
        load(schools, &roads, &districts),
        &scenario("[allocation]\ncross_district = true"),
        &Silent,
    )
    .unwrap();
    let e2 = school(&across, "E2");
    assert_eq!(e2.role, Role::Member, "{e2:?}");
    assert_eq!(e2.hub_id.as_ref().unwrap().0, "W1");
}

/// Found by the independent reference: two schools at the same point of a
/// one-way road (tambon-level coordinates put up to 12 schools on one
/// point) were not 0 road seconds apart: a trip "along the link" of 0 m
/// against the one-way rule was refused, and the engine drove round the
/// block instead.
#[test]
fn two_schools_at_the_same_point_of_a_one_way_road_are_no_road_time_apart() {
    // A one-way loop; both schools 11 m north of the same point of its
    // south side.
    let roads = collection(&[
        road(
            "primary",
            true,
            &[(100.0, 15.0), (100.02, 15.0), (100.02, 15.02)],
        ),
        road(
            "primary",
            true,
            &[(100.02, 15.02), (100.0, 15.02), (100.0, 15.0)],
        ),
    ]);
    let districts = collection(&[district("9901", 99.9, 14.9, 100.1, 15.1)]);
    for direction in ["east", "west"] {
        let roads = if direction == "east" {
            roads.clone()
        } else {
            roads.replace("\"oneway\":true", "\"oneway\":-1")
        };
        let schools = "id,name,lon,lat,level,students\n\
            H,Hub,100.01,15.0001,primary,300\n\
            S,Same point,100.01,15.0001,primary,50\n";
        let r = run(load(schools, &roads, &districts), &scenario(""), &Silent).unwrap();
        let s = school(&r, "S");
        assert_eq!(s.role, Role::Member, "{direction}: {s:?}");
        let offroad_m = 0.0001f64.to_radians() * 6_371_008.8;
        let expected_min = 2.0 * offroad_m * 3.6 / 10.0 / 60.0;
        assert!(
            (s.travel_min.unwrap() - expected_min).abs() < 1e-6,
            "{direction}: {} min, expected the two off-road legs only, {expected_min} min",
            s.travel_min.unwrap()
        );
    }
}

use crate::reference_check;

/// Finding 5: every trip of the province equals the independent
/// reference, whatever the order of the road features.
#[test]
fn every_province_trip_equals_the_reference_in_any_road_order() {
    let started = std::time::Instant::now();
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let c = reference_check::engine_equals_reference_in_any_road_order(&inputs, &config);
    assert!(c.reachable > 5000 * 3, "{c:?}");
    assert!(c.members > 300 * 3, "{c:?}");
    eprintln!(
        "province: {c:?} over 3 road orders equal the reference; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
