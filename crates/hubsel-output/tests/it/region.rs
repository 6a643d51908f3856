//! The region-wide models (`group_by = "province" | "none"`): every
//! heuristic against brute-force enumeration on many small seeded
//! instances (with enumeration turned off so that the heuristic path
//! runs), the certified bounds never above the enumerated optimum, the
//! scenario keys' errors, and the same result on 1 and 4 threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::io::ReadOptions;
use hubsel::model::HubLevel;
use hubsel::outcome::{Role, RunResult};
use hubsel::progress::Silent;
use hubsel::scenario::{GroupBy, StrategyKind};
use hubsel::select::region::{solve_region_with, RegionMethod, RegionProblem};
use proptest::prelude::*;

/// xorshift, so that instances are reproducible from their seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 1_000_000) as f64 / 1_000_000.0
    }
}

/// A geometric instance: `n` candidates and `d` schools in a 60 × 60
/// minute square, trips at 1.3 × the straight line, kept within `limit`.
/// Some schools lie far out so that no candidate reaches them.
fn instance(seed: u64, n: usize, d: usize, k: usize, weight_scale: f64) -> RegionProblem {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let cands: Vec<(f64, f64)> = (0..n).map(|_| (r.next() * 60.0, r.next() * 60.0)).collect();
    let schools: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            if j % 11 == 10 {
                (200.0 + r.next(), 200.0)
            } else {
                (r.next() * 60.0, r.next() * 60.0)
            }
        })
        .collect();
    let limit = 25.0;
    let lists = cands
        .iter()
        .map(|c| {
            schools
                .iter()
                .enumerate()
                .filter_map(|(j, s)| {
                    let m = 1.3 * ((c.0 - s.0).powi(2) + (c.1 - s.1).powi(2)).sqrt();
                    (m <= limit).then_some((j as u32, (m * 1000.0).round() / 1000.0))
                })
                .collect()
        })
        .collect();
    RegionProblem {
        k,
        lists,
        forced: if seed.is_multiple_of(4) { vec![(seed as usize) % n] } else { vec![] },
        demand: (0..d).map(|_| (1.0 + r.next() * 500.0).round() * weight_scale).collect(),
        limit_min: limit,
        penalty_min: 1440.0,
    }
}

/// Every k-subset holding the forced candidates.
fn sets(n: usize, k: usize, forced: &[usize]) -> Vec<Vec<usize>> {
    fn rec(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            rec(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(0, n, k, &mut Vec::new(), &mut out);
    out.retain(|s| forced.iter().all(|f| s.contains(f)));
    out
}

/// The first objective element written out plainly from the lists:
/// demand no candidate reaches left out, the rest charged the penalty
/// when the set leaves it unreached.
fn plain(kind: StrategyKind, p: &RegionProblem, set: &[usize]) -> f64 {
    let d = p.demand.len();
    let mut best = vec![f64::INFINITY; d];
    let mut any = vec![false; d];
    for (c, list) in p.lists.iter().enumerate() {
        for &(j, m) in list {
            any[j as usize] = true;
            if set.contains(&c) && m < best[j as usize] {
                best[j as usize] = m;
            }
        }
    }
    let kept = (0..d).filter(|&j| any[j]);
    match kind {
        StrategyKind::PMedian => kept
            .map(|j| p.demand[j] * if best[j].is_finite() { best[j] } else { p.penalty_min })
            .sum(),
        StrategyKind::PCenter => kept
            .map(|j| if best[j].is_finite() { best[j] } else { p.penalty_min })
            .fold(0.0, f64::max),
        _ => -kept.filter(|&j| best[j] <= p.limit_min).map(|j| p.demand[j]).sum::<f64>(),
    }
}

fn optimum(kind: StrategyKind, p: &RegionProblem) -> f64 {
    let k = p.k.min(p.lists.len());
    sets(p.lists.len(), k, &p.forced)
        .iter()
        .map(|s| plain(kind, p, s))
        .fold(f64::INFINITY, f64::min)
}

const HEURISTIC: RegionMethod = RegionMethod {
    max_sets: 0,
    max_iterations: 3000,
    patience: 20,
    min_factor: 1e-3,
    rounds: 3,
};

const KINDS: [StrategyKind; 3] = [
    StrategyKind::PMedian,
    StrategyKind::MaxCover,
    StrategyKind::PCenter,
];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * b.abs().max(1.0)
}

#[test]
fn every_region_heuristic_against_enumeration() {
    let mut optimal = [0usize; 3];
    let cases = 80;
    for seed in 1..=cases as u64 {
        let n = 9 + (seed as usize % 6);
        let p = instance(seed, n, 25 + (seed as usize % 9), 2 + (seed as usize % 3), 1.0);
        for (x, kind) in KINDS.into_iter().enumerate() {
            let choice = solve_region_with(kind, &p, HEURISTIC);
            let opt = optimum(kind, &p);
            let got = plain(kind, &p, &choice.chosen);
            assert_eq!(choice.chosen.len(), p.k.min(n), "{kind:?} seed {seed}");
            assert!(p.forced.iter().all(|f| choice.chosen.contains(f)));
            assert!(close(choice.objective[0], got), "{kind:?} seed {seed}: reported {} plain {got}", choice.objective[0]);
            assert!(got >= opt || close(got, opt), "{kind:?} seed {seed}: {got} beats the optimum {opt}");
            let lb = choice.lower_bound.unwrap();
            assert!(lb <= opt + 1e-9 * opt.abs().max(1.0), "{kind:?} seed {seed}: bound {lb} above the optimum {opt}");
            if choice.exact {
                assert!(close(got, opt), "{kind:?} seed {seed}: exact but {got} vs {opt}");
            }
            let gap = choice.gap().unwrap();
            assert!(gap >= 0.0);
            if kind == StrategyKind::PMedian {
                assert!(got <= opt * (1.0 + gap) + 1e-6, "{kind:?} seed {seed}: gap {gap}");
                // Fast interchange stops at a swap optimum.
                for &h in &choice.chosen {
                    if p.forced.contains(&h) {
                        continue;
                    }
                    for c in (0..n).filter(|c| !choice.chosen.contains(c)) {
                        let s: Vec<usize> = choice.chosen.iter().map(|&x| if x == h { c } else { x }).collect();
                        assert!(plain(kind, &p, &s) >= got - 1e-6, "seed {seed}: swap {h}->{c} improves");
                    }
                }
            }
            if close(got, opt) {
                optimal[x] += 1;
            }
        }
    }
    // Local search is no proof, but on instances this small it should
    // almost always find the optimum.
    for (x, kind) in KINDS.into_iter().enumerate() {
        assert!(optimal[x] * 10 >= cases * 8, "{kind:?}: optimal on {} of {cases}", optimal[x]);
    }
}

#[test]
fn small_groups_are_enumerated_and_exact() {
    let p = instance(7, 10, 30, 3, 1.0);
    for kind in KINDS {
        let choice = solve_region_with(kind, &p, RegionMethod::default());
        assert!(choice.exact);
        assert!(close(plain(kind, &p, &choice.chosen), optimum(kind, &p)));
        assert_eq!(choice.gap(), Some(0.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The certified bounds never exceed the enumerated optimum, also with
    /// weights in the millions, where summing the Lagrangian's large
    /// terms of both signs loses digits.
    #[test]
    fn bound_never_exceeds_the_optimum(seed in 1u64..1_000_000, n in 6usize..12, d in 8usize..40, k in 1usize..4, big in any::<bool>()) {
        let p = instance(seed, n, d, k, if big { 1e6 + 0.37 } else { 1.0 });
        for kind in KINDS {
            let choice = solve_region_with(kind, &p, HEURISTIC);
            let opt = optimum(kind, &p);
            if let Some(lb) = choice.lower_bound {
                prop_assert!(lb <= opt + 1e-12 * opt.abs(), "{:?}: bound {} above the optimum {}", kind, lb, opt);
            }
        }
    }
}

#[test]
fn the_same_choice_on_one_and_four_threads() {
    let p = instance(99, 60, 400, 8, 1.0);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| KINDS.map(|k| solve_region_with(k, &p, HEURISTIC)))
    };
    assert_eq!(run(1), run(4));
}

fn province_run(scenario: &str, threads: usize) -> RunResult {
    let config = hubsel::scenario::parse(scenario, "region.toml").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| hubsel::pipeline::run(inputs, &config, &Silent))
        .unwrap()
}

#[test]
fn province_wide_pmedian_runs_end_to_end_and_is_thread_independent() {
    let scenario = "strategy = \"p-median\"\ngroup_by = \"province\"\nhubs_per_group = { primary = 25, secondary = 10 }\nmax_travel_minutes = 45\n";
    let one = province_run(scenario, 1);
    let four = province_run(scenario, 4);
    let count = |r: &RunResult, l: HubLevel| r.hubs.iter().filter(|h| h.level == l).count();
    assert_eq!(count(&one, HubLevel::Primary), 25);
    assert_eq!(count(&one, HubLevel::Secondary), 10);
    let ids = |r: &RunResult| r.hubs.iter().map(|h| h.id.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&one), ids(&four));
    let roles = |r: &RunResult| {
        r.schools
            .iter()
            .map(|s| (s.id.0.clone(), s.role, s.hub_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(&one), roles(&four));
    // Every school has one outcome; a gap is reported and honest.
    assert!(one.hubs.iter().all(|h| h.gap.is_some_and(|g| g >= 0.0)));
    // Members of some hubs come from other districts.
    let hub_district: std::collections::BTreeMap<_, _> =
        one.hubs.iter().map(|h| (h.id.clone(), h.district.clone())).collect();
    let across = one
        .schools
        .iter()
        .filter(|s| s.role == Role::Member)
        .filter(|s| s.hub_id.as_ref().and_then(|h| hub_district.get(h)) != s.district.as_ref())
        .count();
    assert!(across > 0, "no member crosses a district border");
}

#[test]
fn region_keys_are_checked_with_line_and_key() {
    let err = hubsel::scenario::parse("group_by = \"county\"\nstrategy = \"p-median\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1: `group_by`: unknown grouping \"county\" (one of: district, province, none)"),
        "{err}"
    );
    let err = hubsel::scenario::parse("strategy = \"score\"\ngroup_by = \"province\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2: `group_by`:") && err.contains("p-median, p-center, max-cover"), "{err}");
    let err = hubsel::scenario::parse("strategy = \"p-median\"\nhubs_per_group = { primary = 3 }\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2: `hubs_per_group`: is for group_by"), "{err}");
    let err = hubsel::scenario::parse(
        "strategy = \"p-median\"\ngroup_by = \"none\"\nhubs_per_group = { primary = -1, tertiary = 2 }\n",
        "s.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("line 3: `hubs_per_group.primary`: must be a whole number from 0 to 1000000, got -1"), "{err}");
    assert!(err.contains("line 3: `hubs_per_group.tertiary`: unknown key in hubs_per_group"), "{err}");
    let ok = hubsel::scenario::parse("strategy = \"max-cover\"\ngroup_by = \"province\"\n", "s.toml").unwrap();
    assert_eq!(ok.group_by, GroupBy::Province);
    // Without hubs_per_group a group gets hubs_per_district per district.
    assert_eq!(ok.hubs_in_group(HubLevel::Primary, 25), 25);
    let default = hubsel::scenario::parse("strategy = \"p-median\"\n", "s.toml").unwrap();
    assert_eq!(default.group_by, GroupBy::District);
}

/// The Lagrangian heuristic (fast interchange again from the
/// relaxation's own open set) finds optima that greedy and fast
/// interchange alone miss, and is never worse: on the first 200 seeded
/// instances, 198 optima against 179 (measured), among them the four
/// named here.
#[test]
fn the_lagrangian_heuristic_finds_optima_the_greedy_start_misses() {
    let kind = StrategyKind::PMedian;
    let alone_method = RegionMethod { rounds: 0, ..HEURISTIC };
    let (mut alone, mut with) = (Vec::new(), Vec::new());
    for seed in 1..=200u64 {
        let n = 9 + (seed as usize % 6);
        let p = instance(seed, n, 25 + (seed as usize % 9), 2 + (seed as usize % 3), 1.0);
        let opt = optimum(kind, &p);
        let a = plain(kind, &p, &solve_region_with(kind, &p, alone_method).chosen);
        let b = plain(kind, &p, &solve_region_with(kind, &p, HEURISTIC).chosen);
        assert!(b <= a + 1e-9 * a, "seed {seed}: {b} worse than {a} without the Lagrangian heuristic");
        if close(a, opt) {
            alone.push(seed);
        }
        if close(b, opt) {
            with.push(seed);
        }
    }
    println!("optimal without the Lagrangian heuristic {}, with it {} of 200", alone.len(), with.len());
    for seed in [35, 74, 88, 199] {
        assert!(!alone.contains(&seed) && with.contains(&seed), "seed {seed}");
    }
    assert!(with.len() >= 195 && with.len() >= alone.len() + 15, "{} vs {}", with.len(), alone.len());
}

/// The whole lexicographic objective of `kind` written out plainly from
/// the lists (the tie-breaks too): p-center `[worst trip, weight left
/// unreached, worst trip reached, weighted minutes]`, max-cover
/// `[−weight covered, weighted minutes]`; demand no candidate reaches left
/// out, the rest charged the penalty when the set leaves it unreached.
fn plain_lex(kind: StrategyKind, p: &RegionProblem, set: &[usize]) -> [f64; 4] {
    let d = p.demand.len();
    let mut best = vec![f64::INFINITY; d];
    let mut any = vec![false; d];
    for (c, list) in p.lists.iter().enumerate() {
        for &(j, m) in list {
            any[j as usize] = true;
            if set.contains(&c) && m < best[j as usize] {
                best[j as usize] = m;
            }
        }
    }
    let (mut worst, mut unreached, mut worst_reached, mut minutes, mut covered) = (0.0f64, 0.0, 0.0f64, 0.0, 0.0);
    for j in (0..d).filter(|&j| any[j]) {
        let w = p.demand[j];
        if best[j].is_finite() {
            worst_reached = worst_reached.max(best[j]);
            covered += if best[j] <= p.limit_min { w } else { 0.0 };
            minutes += w * best[j];
            worst = worst.max(best[j]);
        } else {
            unreached += w;
            minutes += w * p.penalty_min;
            worst = worst.max(p.penalty_min);
        }
    }
    match kind {
        StrategyKind::PCenter => [worst, unreached, worst_reached, minutes],
        StrategyKind::MaxCover => [-covered, minutes, 0.0, 0.0],
        _ => [minutes, worst, 0.0, 0.0],
    }
}

/// Lexicographically lower, each element within a relative 1e-9.
fn lex_below(a: &[f64; 4], b: &[f64; 4]) -> bool {
    for i in 0..4 {
        if (a[i] - b[i]).abs() > 1e-9 * b[i].abs().max(1.0) {
            return a[i] < b[i];
        }
    }
    false
}

/// The lexicographic optimum by enumeration of every set, with the first
/// set that reaches it.
fn lex_optimum(kind: StrategyKind, p: &RegionProblem) -> ([f64; 4], Vec<usize>) {
    let k = p.k.min(p.lists.len());
    let mut forced = p.forced.clone();
    forced.sort_unstable();
    forced.dedup();
    let free: Vec<usize> = (0..p.lists.len()).filter(|c| !forced.contains(c)).collect();
    let slots = k - forced.len();
    let mut idx: Vec<usize> = (0..slots).collect();
    let mut best: Option<([f64; 4], Vec<usize>)> = None;
    loop {
        let mut set = forced.clone();
        set.extend(idx.iter().map(|&i| free[i]));
        set.sort_unstable();
        let o = plain_lex(kind, p, &set);
        if best.as_ref().is_none_or(|(b, _)| lex_below(&o, b)) {
            best = Some((o, set));
        }
        // The next combination, in lexicographic order.
        let Some(i) = (0..slots).rev().find(|&i| idx[i] != i + free.len() - slots) else {
            return best.unwrap();
        };
        idx[i] += 1;
        for j in i + 1..slots {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

fn close_all(a: &[f64; 4], b: &[f64; 4]) -> bool {
    (0..4).all(|i| close(a[i], b[i]))
}

/// What a choice claims, checked against the enumerated lexicographic
/// optimum `opt`: `exact` only when the choice reaches it in every
/// element; the first element's bound and the tie-break's bound never
/// above the optimum; the gap certified (the optimum within it).
fn check_claims(kind: StrategyKind, p: &RegionProblem, choice: &hubsel::select::Choice, opt: &[f64; 4], what: &str) {
    let got = plain_lex(kind, p, &choice.chosen);
    assert!(close_all(&got, &choice.objective), "{what}: reported {:?}, plainly {got:?}", choice.objective);
    assert!(!lex_below(&got, opt), "{what}: {got:?} beats the optimum {opt:?}");
    if choice.exact {
        assert!(close_all(&got, opt), "{what}: exact, but {got:?} where the optimum is {opt:?}");
        return;
    }
    let lb = choice.lower_bound.expect("a heuristic choice has a bound");
    assert!(lb <= opt[0] + 1e-9 * opt[0].abs().max(1.0), "{what}: bound {lb} above the optimum {}", opt[0]);
    let gap = choice.gap().unwrap();
    assert!(gap >= 0.0, "{what}");
    if let Some((e, bound)) = choice.tie_bound {
        // Given only when the first element is proven.
        assert!(close(got[0], opt[0]), "{what}: a tie bound on an unproven {:?}", got);
        if (1..e).all(|i| close(got[i], opt[i])) {
            assert!(bound <= opt[e] + 1e-9 * opt[e].abs().max(1.0), "{what}: tie bound {bound} above {}", opt[e]);
            assert!(got[e] <= bound.abs() * gap + bound + 1e-6 * got[e].abs().max(1.0), "{what}: gap {gap} on {} from {bound}", got[e]);
        }
    } else if lb > 0.0 {
        assert!(got[0] <= lb * (1.0 + gap) + 1e-9 * got[0].abs().max(1.0), "{what}: gap {gap}");
        assert!(opt[0] >= got[0] / (1.0 + gap) - 1e-9 * got[0].abs().max(1.0), "{what}: gap {gap} not certified");
    }
}

#[test]
fn max_cover_and_p_center_claim_only_what_enumeration_of_the_whole_objective_confirms() {
    // Of the instances where some set reaches every school within the
    // limit (p-center's worst trip is otherwise the penalty, and its
    // worst trip among the schools reached is not bounded): how many.
    let (mut exact, mut coverable) = ([0usize; 2], 0usize);
    let cases = 60u64;
    for seed in 1..=cases {
        let n = 9 + (seed as usize % 6);
        let p = instance(seed, n, 25 + (seed as usize % 9), 2 + (seed as usize % 3), 1.0);
        for (x, kind) in [StrategyKind::MaxCover, StrategyKind::PCenter].into_iter().enumerate() {
            let choice = solve_region_with(kind, &p, HEURISTIC);
            let (opt, _) = lex_optimum(kind, &p);
            check_claims(kind, &p, &choice, &opt, &format!("{kind:?} seed {seed}"));
            if kind == StrategyKind::MaxCover {
                exact[x] += usize::from(choice.exact);
            } else if opt[0] <= p.limit_min {
                coverable += 1;
                exact[x] += usize::from(choice.exact);
            }
        }
    }
    // The proofs do work: most of these small instances are proven.
    println!("exact: max-cover {} of {cases}, p-center {} of the {coverable} coverable", exact[0], exact[1]);
    assert!(exact[0] as u64 * 2 >= cases, "{exact:?}");
    assert!(coverable > 0 && exact[1] * 2 >= coverable, "{exact:?} {coverable}");
}

/// 38 schools that are their own candidates, in a `side`-minute square,
/// trips at 1.3 × the straight line (to 0.1 min), kept within 30 minutes;
/// `forced` of them required.
fn schools_instance(seed: u64, k: usize, side: f64, forced: usize) -> RegionProblem {
    let d = 38;
    let limit = 30.0;
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let pts: Vec<(f64, f64)> = (0..d).map(|_| (r.next() * side, r.next() * side)).collect();
    let lists = pts
        .iter()
        .map(|c| {
            pts.iter()
                .enumerate()
                .filter_map(|(j, s)| {
                    let m = 1.3 * ((c.0 - s.0).powi(2) + (c.1 - s.1).powi(2)).sqrt();
                    (m <= limit).then_some((j as u32, (m * 10.0).round() / 10.0))
                })
                .collect()
        })
        .collect();
    RegionProblem {
        k,
        lists,
        forced: (0..forced).map(|i| (i * 7) % d).collect(),
        demand: (0..d).map(|_| (1.0 + r.next() * 500.0).round()).collect(),
        limit_min: limit,
        penalty_min: 1440.0,
    }
}

/// Issue 21, item 8: region max-cover said `exact` when another set
/// covered as much with fewer student-minutes. 38 schools, k = 5, limit
/// 30: C(38, 5) = 501,942 sets, above the enumeration limit, so the
/// default method takes the heuristic path. On b7b7f17 it reported
/// `exact` with [−10,210, 134,482.0] where the optimum is
/// [−10,210, 94,878.3].
#[test]
fn region_max_cover_proves_its_minutes_too_38_schools_k5() {
    let p = schools_instance(1, 5, 60.0, 0);
    let kind = StrategyKind::MaxCover;
    let choice = solve_region_with(kind, &p, RegionMethod::default());
    let (opt, first) = lex_optimum(kind, &p);
    check_claims(kind, &p, &choice, &opt, "38 schools, k 5");
    assert!(close_all(&choice.objective, &opt), "{:?} vs the optimum {opt:?}", choice.objective);
    // No jump at the enumeration limit: enumeration picks the same set.
    let enumerated = solve_region_with(kind, &p, RegionMethod { max_sets: 1_000_000, ..RegionMethod::default() });
    assert!(enumerated.exact);
    assert_eq!(enumerated.chosen, first);
    if choice.exact {
        assert_eq!(choice.chosen, enumerated.chosen);
    }
}

/// The same with k = 8 and 2 required hubs (C(36, 6) = 1,947,792 sets).
#[test]
fn region_max_cover_proves_its_minutes_too_k8_two_required() {
    let p = schools_instance(SEED_K8, 8, 60.0, 2);
    let kind = StrategyKind::MaxCover;
    let choice = solve_region_with(kind, &p, RegionMethod::default());
    let (opt, _) = lex_optimum(kind, &p);
    check_claims(kind, &p, &choice, &opt, "38 schools, k 8, 2 required");
    assert!(close_all(&choice.objective, &opt), "{:?} vs the optimum {opt:?}", choice.objective);
}

/// Issue 21, item 8: the region p-center heuristic was weak. On this
/// instance (38 schools, k = 5) b7b7f17 found a worst trip of 27.5 min
/// where 20.8 is optimal (32 % off). Now within 5 % of the optimum, with
/// a certified gap, and its minutes the least within its worst trip
/// when it says `exact`.
#[test]
fn region_p_center_is_within_5_percent_where_it_was_32_percent_off() {
    let p = schools_instance(1, 5, 60.0, 0);
    let kind = StrategyKind::PCenter;
    let choice = solve_region_with(kind, &p, RegionMethod::default());
    let (opt, _) = lex_optimum(kind, &p);
    check_claims(kind, &p, &choice, &opt, "p-center 38 schools, k 5");
    assert!(choice.objective[0] <= opt[0] * 1.05, "worst trip {} vs the optimum {}", choice.objective[0], opt[0]);
    assert!(choice.gap().unwrap() <= 0.05, "gap {:?}", choice.gap());
}

/// The seed of the k = 8 instance with 2 required hubs.
const SEED_K8: u64 = 1;
