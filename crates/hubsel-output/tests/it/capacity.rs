//! Capacities (issue 24): `allocation.method = "min-cost"` against
//! nearest-first and against HiGHS on the same transportation problem.
//!
//! HiGHS runs through `benches/capacity_optimum.py` with
//! `${HUBSEL_PYTHON:-.venv-py/bin/python}` (highspy, numpy); without it the
//! HiGHS comparisons print `skipped: …` and only the checks in Rust run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use hubsel::allocate::{allocate_totals, Assignment, Choice, Connection, Rules, Seeker, Slot};
use hubsel::io::ReadOptions;
use hubsel::model::{HubLevel, Level};
use hubsel::outcome::AllocationTotals;
use hubsel::progress::Silent;
use hubsel::scenario::{Method, Overflow};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn road(_: usize, _: usize) -> Connection {
    Connection::Road
}

/// A random instance: `hubs` hubs (the first seekers), members with a few
/// choices each, capacities that bind.
fn random_instance(seed: u64) -> (Vec<Seeker>, Vec<Slot>, Rules) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let hubs = rng.random_range(1..=5);
    let members = rng.random_range(1..=25);
    let mut seekers = Vec::new();
    for _ in 0..hubs {
        seekers.push(Seeker {
            level: Level::Primary,
            students: f64::from(rng.random_range(20..200_u32)),
            district: 0,
            component: Some(0),
            options: Vec::new(),
        });
    }
    for _ in 0..members {
        let mut options = Vec::new();
        for slot in 0..hubs {
            if rng.random_bool(0.7) {
                options.push(Choice {
                    slot,
                    travel_s: f64::from(rng.random_range(60..3000_u32)),
                });
            }
        }
        seekers.push(Seeker {
            level: Level::Primary,
            students: f64::from(rng.random_range(0..150_u32)),
            district: 0,
            component: Some(0),
            options,
        });
    }
    let slots = (0..hubs)
        .map(|k| Slot {
            level: HubLevel::Primary,
            school: k,
            district: 0,
            capacity_students: if rng.random_bool(0.15) {
                f64::INFINITY
            } else {
                seekers[k].students + f64::from(rng.random_range(0..600_u32))
            },
        })
        .collect();
    let rules = Rules {
        limit_min: 40.0,
        cutoff_min: 1440.0,
        overflow: Overflow::Next,
        cross_district: false,
        method: Method::MinCost,
    };
    (seekers, slots, rules)
}

/// (students over capacity, student-minutes) of an assignment, added up
/// here from the assignment itself.
fn cost(seekers: &[Seeker], a: &[Assignment]) -> (f64, f64) {
    let mut over = 0.0;
    let mut minutes = 0.0;
    for (s, a) in seekers.iter().zip(a) {
        if let Assignment::Member {
            travel_s,
            over_capacity,
            ..
        } = a
        {
            minutes += s.students * travel_s / 60.0;
            if *over_capacity {
                over += s.students;
            }
        }
    }
    (over, minutes)
}

fn lex_le(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 - 1e-9 || (a.0 <= b.0 + 1e-9 && a.1 <= b.1 + 1e-6 * b.1.abs().max(1.0))
}

/// Capacities hold in a min-cost assignment except for members flagged
/// over capacity, and every member's hub is one of its choices.
fn check_assignment(seekers: &[Seeker], slots: &[Slot], rules: &Rules, a: &[Assignment]) {
    let mut load: Vec<f64> = slots.iter().map(|s| seekers[s.school].students).collect();
    for (i, x) in a.iter().enumerate() {
        if let Assignment::Member {
            slot,
            travel_s,
            over_capacity,
        } = x
        {
            assert!(*travel_s <= rules.limit_min * 60.0);
            assert!(seekers[i]
                .options
                .iter()
                .any(|c| c.slot == *slot && c.travel_s == *travel_s));
            if !over_capacity {
                load[*slot] += seekers[i].students;
            }
        }
    }
    for (k, s) in slots.iter().enumerate() {
        assert!(
            load[k] <= s.capacity_students.max(seekers[s.school].students) + 1e-6,
            "hub {k} holds {} > {}",
            load[k],
            s.capacity_students
        );
    }
}

/// The transportation instance of the seekers, built here from the rules
/// (members: not hubs, on the network, with a hub of their level in their
/// district within the limit).
fn instance_json(seekers: &[Seeker], slots: &[Slot], rules: &Rules, mip: bool) -> String {
    let hub_of: Vec<bool> = (0..seekers.len())
        .map(|i| slots.iter().any(|s| s.school == i))
        .collect();
    let mut students = Vec::new();
    let mut arcs = Vec::new();
    let mut nearest = Vec::new();
    for (i, s) in seekers.iter().enumerate() {
        if hub_of[i] || s.component.is_none() {
            continue;
        }
        let mine: Vec<&Choice> = s
            .options
            .iter()
            .filter(|c| {
                s.level.serves(slots[c.slot].level)
                    && (rules.cross_district || slots[c.slot].district == s.district)
                    && c.travel_s <= rules.limit_min * 60.0
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let row = students.len();
        students.push(s.students);
        nearest.push(mine.iter().map(|c| c.travel_s).fold(f64::INFINITY, f64::min));
        for c in mine {
            arcs.push(format!("[{row},{},{}]", c.slot, c.travel_s));
        }
    }
    let room: Vec<String> = slots
        .iter()
        .map(|s| {
            if s.capacity_students.is_finite() {
                format!("{}", s.capacity_students - seekers[s.school].students)
            } else {
                "null".into()
            }
        })
        .collect();
    let list = |v: &[f64]| v.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(",");
    format!(
        "{{\"students\":[{}],\"room\":[{}],\"arcs\":[{}],\"nearest\":[{}],\"mip\":{mip}}}",
        list(&students),
        room.join(","),
        arcs.join(","),
        list(&nearest)
    )
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// HiGHS's optima of the instances, as (lp over, lp seconds, mip over,
/// mip seconds) — or `None` (with `skipped: …` printed) without highspy.
/// HiGHS's answer for one instance: LP over, LP seconds, MIP's pair.
type Optimum = (f64, f64, Option<(f64, f64)>);

fn highs(instances: &[String]) -> Option<Vec<Optimum>> {
    let python = std::env::var("HUBSEL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join(".venv-py/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import highspy, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!(
            "skipped: {} lacks highspy or numpy (set HUBSEL_PYTHON): the HiGHS comparison did not run",
            python.display()
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("instances.json");
    std::fs::write(&file, format!("[{}]", instances.join(","))).unwrap();
    let out = Command::new(&python)
        .arg(repo().join("benches/capacity_optimum.py"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // HiGHS prints its banner first; the answer is the last line.
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(text.lines().last().unwrap_or("")).unwrap();
    let pair = |x: &serde_json::Value| {
        assert_eq!(x["status"], "Optimal", "{x}");
        (x["over"].as_f64().unwrap(), x["secs"].as_f64().unwrap())
    };
    Some(
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let lp = pair(&r["lp"]);
                (lp.0, lp.1, r.get("mip").map(pair))
            })
            .collect(),
    )
}

fn with(rules: &Rules, method: Method) -> Rules {
    Rules { method, ..*rules }
}

#[test]
fn min_cost_is_no_worse_than_nearest_first_and_keeps_the_capacities() {
    for seed in 0..300 {
        let (seekers, slots, rules) = random_instance(seed);
        let (mc, t) = allocate_totals(&seekers, &slots, &road, &rules);
        let (nf, tn) = allocate_totals(&seekers, &slots, &road, &with(&rules, Method::NearestFirst));
        check_assignment(&seekers, &slots, &rules, &mc);
        let (c_mc, c_nf) = (cost(&seekers, &mc), cost(&seekers, &nf));
        assert!(lex_le(c_mc, c_nf), "seed {seed}: min-cost {c_mc:?} > nearest-first {c_nf:?}");
        let capacities = slots.iter().any(|s| s.capacity_students.is_finite());
        let expected = if capacities { Method::MinCost } else { Method::NearestFirst };
        assert_eq!(t.method, expected);
        assert_eq!(tn.method, Method::NearestFirst);
        assert!((t.student_minutes - c_mc.1).abs() <= 1e-6 * c_mc.1.max(1.0));
        if capacities {
            let bound = (t.bound_students_over.unwrap(), t.bound_student_minutes.unwrap());
            assert!(lex_le(bound, c_mc), "seed {seed}: bound {bound:?} above {c_mc:?}");
        }
    }
}

#[test]
fn min_cost_beats_nearest_first_where_the_nearest_school_blocks_a_hub() {
    // Hub 0 has room for 50. School 2 (10 min from hub 0, 11 from hub 1)
    // takes it nearest-first, so school 3 (12 min from hub 0, 60 from hub 1)
    // must go far; min-cost sends school 2 to hub 1 and school 3 to hub 0.
    let seekers = vec![
        Seeker { level: Level::Primary, students: 0.0, district: 0, component: Some(0), options: vec![] },
        Seeker { level: Level::Primary, students: 0.0, district: 0, component: Some(0), options: vec![] },
        Seeker {
            level: Level::Primary, students: 50.0, district: 0, component: Some(0),
            options: vec![Choice { slot: 0, travel_s: 600.0 }, Choice { slot: 1, travel_s: 660.0 }],
        },
        Seeker {
            level: Level::Primary, students: 50.0, district: 0, component: Some(0),
            options: vec![Choice { slot: 0, travel_s: 720.0 }, Choice { slot: 1, travel_s: 3600.0 }],
        },
    ];
    let slots = vec![
        Slot { level: HubLevel::Primary, school: 0, district: 0, capacity_students: 50.0 },
        Slot { level: HubLevel::Primary, school: 1, district: 0, capacity_students: 500.0 },
    ];
    let rules = Rules {
        limit_min: 90.0,
        cutoff_min: 1440.0,
        overflow: Overflow::Next,
        cross_district: false,
        method: Method::MinCost,
    };
    let (mc, t) = allocate_totals(&seekers, &slots, &road, &rules);
    let (nf, tn) = allocate_totals(&seekers, &slots, &road, &with(&rules, Method::NearestFirst));
    assert!(matches!(mc[2], Assignment::Member { slot: 1, .. }));
    assert!(matches!(mc[3], Assignment::Member { slot: 0, .. }));
    assert!(matches!(nf[3], Assignment::Member { slot: 1, .. }));
    assert_eq!(t.student_minutes, 50.0 * 11.0 + 50.0 * 12.0);
    assert_eq!(tn.student_minutes, 50.0 * 10.0 + 50.0 * 60.0);
    assert_eq!(t.split_schools, 0);
}

#[test]
fn min_cost_bound_equals_the_highs_optimum_on_random_instances() {
    let mut instances = Vec::new();
    let mut ours = Vec::new();
    for seed in 0..120 {
        let (seekers, slots, rules) = random_instance(seed);
        if slots.iter().all(|s| s.capacity_students.is_infinite()) {
            continue;
        }
        let (a, t) = allocate_totals(&seekers, &slots, &road, &rules);
        instances.push(instance_json(&seekers, &slots, &rules, true));
        ours.push((t, cost(&seekers, &a)));
    }
    let Some(optima) = highs(&instances) else { return };
    for (seed, ((t, whole), (lp_over, lp_s, mip))) in ours.iter().zip(optima).enumerate() {
        let bound = t.bound_student_minutes.unwrap();
        assert!((t.bound_students_over.unwrap() - lp_over).abs() <= 1e-6, "seed {seed}");
        assert!(
            (bound - lp_s / 60.0).abs() <= 1e-6 * bound.max(1.0),
            "seed {seed}: min-cost optimum {bound} != HiGHS {}",
            lp_s / 60.0
        );
        // The whole-school optimum lies between the bound and ours.
        let (mip_over, mip_s) = mip.unwrap();
        assert!(lex_le((lp_over, lp_s / 60.0), (mip_over, mip_s / 60.0)), "seed {seed}");
        assert!(lex_le((mip_over, mip_s / 60.0), *whole), "seed {seed}");
    }
}

fn province_problem(scenario: &str, threads: usize) -> (Vec<Seeker>, Vec<Slot>, Rules) {
    let config = hubsel::scenario::parse(scenario, "capacity.toml").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| {
            let prepared = hubsel::network::prepare(inputs, &config, &Silent).unwrap();
            hubsel::pipeline::allocation_problem(&prepared, &config, &Silent).unwrap()
        })
}

const PROVINCE: &str = "strategy = \"p-median\"\nmax_travel_minutes = 30\n\n[allocation]\ncross_district = true\nclass_size = 40\n";

#[test]
fn province_min_cost_equals_highs_and_beats_nearest_first() {
    let (seekers, slots, rules) = province_problem(PROVINCE, 2);
    assert!(slots.iter().all(|s| s.capacity_students.is_finite()));
    let (mc, t) = allocate_totals(&seekers, &slots, &road, &rules);
    let (nf, _) = allocate_totals(&seekers, &slots, &road, &with(&rules, Method::NearestFirst));
    check_assignment(&seekers, &slots, &rules, &mc);
    assert!(lex_le(cost(&seekers, &mc), cost(&seekers, &nf)));
    let Some(optima) = highs(&[instance_json(&seekers, &slots, &rules, false)]) else { return };
    let (over, secs, _) = optima[0];
    assert!((t.bound_students_over.unwrap() - over).abs() <= 1e-6);
    let bound = t.bound_student_minutes.unwrap();
    assert!(
        (bound - secs / 60.0).abs() <= 1e-6 * bound,
        "min-cost optimum {bound} != HiGHS {}",
        secs / 60.0
    );
}

#[test]
fn min_cost_runs_are_the_same_whatever_the_thread_count() {
    let run = |threads: usize| {
        let config = hubsel::scenario::parse(PROVINCE, "capacity.toml").unwrap();
        let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
        let r = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| hubsel::pipeline::run(inputs, &config, &Silent))
            .unwrap();
        let a: AllocationTotals = r.allocation.clone().unwrap();
        assert_eq!(a.method, Method::MinCost);
        (hubsel::output::summary_json(&r), format!("{:?}", r.schools))
    };
    assert_eq!(run(1), run(4));
}

#[test]
fn the_method_key_is_read_and_checked() {
    let c = hubsel::scenario::parse("[allocation]\nclass_size = 40\nmethod = \"nearest-first\"\n", "m.toml").unwrap();
    assert_eq!(c.allocation.method, Method::NearestFirst);
    let c = hubsel::scenario::parse("[allocation]\nclass_size = 40\n", "m.toml").unwrap();
    assert_eq!(c.allocation.method, Method::MinCost);
    let e = hubsel::scenario::parse("[allocation]\nmethod = \"cheapest\"\n", "m.toml").unwrap_err();
    assert!(format!("{e}").contains("allocation.method"), "{e}");
}
