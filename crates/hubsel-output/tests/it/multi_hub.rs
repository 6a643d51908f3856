//! Many hubs across the whole province: the heuristic (greedy + vertex
//! substitution) against certified optima.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::graph::RoadGraph;
use hubsel::io::ReadOptions;
use hubsel::routing::matrix::{district_matrices, DistrictTrips};
use hubsel::select::{solve_with, Candidate, LevelProblem, Method, PMedian, Strategy};
use hubsel::spatial::SnapIndex;

/// The province as one p-median problem: every school is demand (weighted
/// by students), schools with at least `min_students` are candidates, and
/// door-to-door minutes come from the real engine over the whole network.
fn province_problem(min_students: f64, k: usize) -> LevelProblem {
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let graph = RoadGraph::build(&inputs.roads, &config.speeds);
    let index = SnapIndex::new(&graph);
    let snaps: Vec<_> = inputs
        .schools
        .iter()
        .map(|s| index.snap(&graph, s.lon, s.lat))
        .collect();
    let candidates: Vec<usize> = (0..inputs.schools.len())
        .filter(|&i| inputs.schools[i].students.unwrap_or(0.0) >= min_students)
        .collect();
    let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;
    let trips = DistrictTrips {
        snaps: snaps.iter().map(Option::as_ref).collect(),
        offroad_s: snaps
            .iter()
            .map(|s| s.map_or(0.0, |s| s.offroad_m * offroad_s_per_m))
            .collect(),
        candidates: candidates.clone(),
    };
    let m = district_matrices(&graph, &[trips], config.search_cutoff_min * 60.0, &|| {}).remove(0);
    let n = inputs.schools.len();
    LevelProblem {
        k,
        candidates: candidates
            .iter()
            .map(|&c| Candidate {
                score: 0.0,
                students: inputs.schools[c].students.unwrap_or(0.0),
                lottery: 0.0,
            })
            .collect(),
        forced: vec![],
        demand: inputs
            .schools
            .iter()
            .map(|s| s.students.unwrap_or(0.0))
            .collect(),
        minutes: (0..candidates.len())
            .flat_map(|r| (0..n).map(move |j| (r, j)))
            .map(|(r, j)| m.seconds(r, j) / 60.0)
            .collect(),
        straight_m: vec![0.0; candidates.len() * n],
        limit_min: config.max_travel_min,
        penalty_min: config.search_cutoff_min,
    }
}

#[test]
fn twenty_five_hubs_are_within_one_percent_of_the_optimum() {
    let p = province_problem(300.0, 25);
    assert!(p.candidates.len() > 60, "{} candidates", p.candidates.len());
    let choice = solve_with(&PMedian, &p, Method::Heuristic);
    assert_eq!(choice.chosen.len(), 25);
    assert!(!choice.exact);
    // How the optimum is bounded: the Lagrangian relaxation of the
    // assignment constraints gives a value no feasible choice can beat
    // (checked against enumeration in the select module's tests), so
    // heuristic / bound - 1 bounds the heuristic's distance to the optimum.
    let gap = choice.gap().expect("p-median reports a gap");
    println!(
        "25 hubs of {} candidates: heuristic {:.0} student-minutes, Lagrangian bound {:.0}, gap {:.3}%",
        p.candidates.len(),
        choice.objective[0],
        choice.lower_bound.unwrap(),
        100.0 * gap
    );
    assert!(gap < 0.01, "gap {:.3}% to the lower bound", 100.0 * gap);
}

#[test]
fn heuristic_matches_enumeration_on_a_reduced_instance() {
    // Reduced instance: the 30 largest-enough candidates, 3 hubs, all 687
    // schools as demand; the optimum by trying all C(30,3) = 4060 sets.
    let mut p = province_problem(300.0, 3);
    let keep = 30.min(p.candidates.len());
    let n = p.demand.len();
    p.candidates.truncate(keep);
    p.minutes.truncate(keep * n);
    p.straight_m.truncate(keep * n);
    let mut optimum = f64::INFINITY;
    for a in 0..keep {
        for b in a + 1..keep {
            for c in b + 1..keep {
                optimum = optimum.min(PMedian.objective(&p, &[a, b, c])[0]);
            }
        }
    }
    let choice = solve_with(&PMedian, &p, Method::Heuristic);
    let value = choice.objective[0];
    println!("reduced instance: heuristic {value:.0}, enumerated optimum {optimum:.0}");
    assert!(
        value <= optimum * 1.01,
        "heuristic {value} vs optimum {optimum}"
    );
    assert!(
        choice.lower_bound.unwrap() <= optimum + 1e-6,
        "the bound stays below the optimum"
    );
}
