//! The solver against brute force on small random instances.

use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest, Strategy as Generator};

use super::*;

fn problems() -> impl Generator<Value = LevelProblem> {
    problems_sized(2..9)
}

/// Random problems with `n` candidates in `sizes`. Some have a demand
/// school no candidate reaches, some weigh every school 0 (a run on
/// `weights = "students"` where every count is 0).
fn problems_sized(sizes: std::ops::Range<usize>) -> impl Generator<Value = LevelProblem> {
    (sizes, 1usize..10, 1usize..4, any::<u64>()).prop_map(|(n, d, k, seed)| {
        // A small deterministic generator so shrinking stays meaningful.
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        };
        let candidates = (0..n)
            .map(|_| Candidate {
                score: next(),
                students: (next() * 500.0).round(),
                lottery: next(),
            })
            .collect();
        let zero_weights = seed % 8 == 3;
        let demand: Vec<f64> = (0..d)
            .map(|_| {
                let w = (next() * 300.0).round() + 1.0;
                if zero_weights {
                    0.0
                } else {
                    w
                }
            })
            .collect();
        let cut_off = seed % 5 == 1;
        let minutes = (0..n * d)
            .map(|i| {
                let r = next();
                if r < 0.1 || (cut_off && i % d == 0) {
                    f64::INFINITY
                } else {
                    (next() * 90.0).round()
                }
            })
            .collect();
        let straight_m = (0..n * d).map(|_| next() * 30_000.0).collect();
        LevelProblem {
            k,
            candidates,
            forced: vec![],
            demand,
            minutes,
            straight_m,
            limit_min: 45.0,
            penalty_min: 135.0,
        }
    })
}

/// Every k-subset, by recursion (independent of the solver's enumeration).
fn all_subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    if n < k {
        return vec![];
    }
    let mut with: Vec<Vec<usize>> = all_subsets(n - 1, k - 1)
        .into_iter()
        .map(|mut s| {
            s.push(n - 1);
            s
        })
        .collect();
    with.extend(all_subsets(n - 1, k));
    with
}

/// Objectives written out plainly, for the brute force: the first element
/// of each strategy's objective. Demand schools that no candidate reaches
/// are left out; the others count at the penalty when the set does not
/// reach them. Weights that are all 0 count as 1 each.
fn plain_objective(kind: StrategyKind, p: &LevelProblem, set: &[usize]) -> f64 {
    let n = p.candidates.len();
    let d = p.demand.len();
    let kept: Vec<usize> = (0..d)
        .filter(|&j| (0..n).any(|c| p.minutes[c * d + j] < f64::INFINITY))
        .collect();
    let all_zero = kept.iter().all(|&j| p.demand[j] == 0.0);
    let weight = |j: usize| if all_zero { 1.0 } else { p.demand[j] };
    let near = |j: usize| {
        let mut best = f64::INFINITY;
        for &c in set {
            if p.minutes[c * d + j] < best {
                best = p.minutes[c * d + j];
            }
        }
        best
    };
    let charged = |j: usize| {
        let m = near(j);
        if m < f64::INFINITY {
            m
        } else {
            p.penalty_min
        }
    };
    match kind {
        StrategyKind::PMedian => kept.iter().map(|&j| charged(j) * weight(j)).sum(),
        StrategyKind::PCenter => kept.iter().map(|&j| charged(j)).fold(0.0, f64::max),
        StrategyKind::MaxCover => -kept
            .iter()
            .filter(|&&j| near(j) <= p.limit_min)
            .map(|&j| weight(j))
            .sum::<f64>(),
        StrategyKind::Score => -set.iter().map(|&c| p.candidates[c].score).sum::<f64>(),
        StrategyKind::Largest => -set.iter().map(|&c| p.candidates[c].students).sum::<f64>(),
        StrategyKind::Random => set.iter().map(|&c| p.candidates[c].lottery).sum(),
        StrategyKind::Central => kept
            .iter()
            .map(|&j| {
                set.iter()
                    .map(|&c| p.straight_m[c * d + j])
                    .fold(f64::INFINITY, f64::min)
            })
            .sum(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// Sets of `k` candidates that hold every forced one.
fn feasible_sets(p: &LevelProblem, k: usize) -> Vec<Vec<usize>> {
    all_subsets(p.candidates.len(), k)
        .into_iter()
        .filter(|s| p.forced.iter().all(|f| s.contains(f)))
        .collect()
}

/// Checks by plain objectives that no single swap (a chosen candidate that
/// is not forced for an unchosen one) beats the choice, and that each
/// runner-up's margin is the least worsening among its hub's swaps.
fn check_swap_optimal(kind: StrategyKind, p: &LevelProblem, choice: &Choice) -> Result<(), String> {
    let base = plain_objective(kind, p, &choice.chosen);
    for (i, &h) in choice.chosen.iter().enumerate() {
        let mut least: Option<f64> = None;
        for r in 0..p.candidates.len() {
            if choice.chosen.contains(&r) || p.forced.contains(&h) {
                continue;
            }
            let swapped: Vec<usize> = choice
                .chosen
                .iter()
                .map(|&c| if c == h { r } else { c })
                .collect();
            let v = plain_objective(kind, p, &swapped);
            if v < base && !close(v, base) {
                return Err(format!(
                    "{kind:?}: swapping {h} for {r} gives {v}, better than the choice's {base}"
                ));
            }
            least = Some(least.map_or(v, |l: f64| l.min(v)));
        }
        match (&choice.runner_up[i], least) {
            (Some(ru), Some(least)) => {
                if !close(base + ru.margin, least) && !close(ru.margin, least - base) {
                    return Err(format!(
                        "{kind:?}: runner-up margin {} but the best swap of {h} worsens by {}",
                        ru.margin,
                        least - base
                    ));
                }
                let v = plain_objective(
                    kind,
                    p,
                    &choice
                        .chosen
                        .iter()
                        .map(|&c| if c == h { ru.candidate } else { c })
                        .collect::<Vec<_>>(),
                );
                if !close(v, least) {
                    return Err(format!(
                        "{kind:?}: runner-up {} gives {v}, another swap {least}",
                        ru.candidate
                    ));
                }
                if ru.margin < 0.0 || (ru.margin > 0.0 && ru.decided_by != Some(0)) {
                    return Err(format!("{kind:?}: runner-up {ru:?}"));
                }
            }
            (None, None) => {}
            (ru, least) => {
                return Err(format!(
                    "{kind:?}: runner-up {ru:?} of {h} but best swap {least:?}"
                ))
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn exact_solver_equals_brute_force(p in problems()) {
        for kind in StrategyKind::ALL {
            let choice = solve(strategy(kind), &p);
            let k = p.k.min(p.candidates.len());
            prop_assert_eq!(choice.chosen.len(), k);
            prop_assert!(choice.exact);
            let best = all_subsets(p.candidates.len(), k).iter().map(|s| plain_objective(kind, &p, s)).fold(f64::INFINITY, f64::min);
            let got = plain_objective(kind, &p, &choice.chosen);
            prop_assert!((got - best).abs() <= 1e-9 * best.abs().max(1.0), "{kind:?}: solver {got}, brute force {best}");
            prop_assert!(close(choice.objective[0], got), "{kind:?}: reported {} plain {got}", choice.objective[0]);
            // No single swap beats the choice, and the runner-up's margin
            // is the least a swap costs.
            if let Err(e) = check_swap_optimal(kind, &p, &choice) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn forced_candidates_are_always_chosen(p in problems(), f in 0usize..8) {
        let mut p = p;
        let f = f % p.candidates.len();
        p.forced = vec![f];
        for kind in StrategyKind::ALL {
            let choice = solve(strategy(kind), &p);
            prop_assert!(choice.chosen.contains(&f));
            let i = choice.chosen.iter().position(|&c| c == f).unwrap();
            prop_assert!(choice.runner_up[i].is_none());
        }
    }

    /// The heuristic path of every strategy (enumeration limited to one
    /// set, so that `solve` takes greedy construction and vertex
    /// substitution) against enumeration.
    #[test]
    fn heuristic_is_swap_optimal_and_never_beats_enumeration(
        p in problems_sized(4..10),
        f in proptest::option::of(0usize..10),
    ) {
        let mut p = p;
        if let Some(f) = f {
            p.forced = vec![f % p.candidates.len()];
        }
        let n = p.candidates.len();
        let k = p.k.min(n);
        let slots = k.saturating_sub(p.forced.len());
        let free = n - p.forced.len();
        let trivial = slots == 0 || slots == free;
        for kind in StrategyKind::ALL {
            let s = strategy(kind);
            let choice = solve_with(s, &p, Method::Auto { max_sets: 1 });
            prop_assert_eq!(choice.chosen.len(), k.max(p.forced.len()));
            prop_assert!(p.forced.iter().all(|f| choice.chosen.contains(f)));
            prop_assert_eq!(choice.exact, trivial, "{:?}", kind);
            // Same choice as the heuristic method asked for directly.
            prop_assert_eq!(&choice, &solve_with(s, &p, Method::Heuristic));
            let optimum = feasible_sets(&p, k.max(p.forced.len()))
                .iter()
                .map(|set| plain_objective(kind, &p, set))
                .fold(f64::INFINITY, f64::min);
            let got = plain_objective(kind, &p, &choice.chosen);
            prop_assert!(close(choice.objective[0], got), "{:?}: reported {} plain {}", kind, choice.objective[0], got);
            prop_assert!(got >= optimum || close(got, optimum), "{:?}: heuristic {} beats the optimum {}", kind, got, optimum);
            // Greedy is optimal for one hub to choose, and for objectives
            // that add up per hub (the best k one by one are the best k).
            let separable = matches!(kind, StrategyKind::Score | StrategyKind::Largest | StrategyKind::Random);
            if slots == 1 || separable {
                prop_assert!(close(got, optimum), "{:?}: heuristic {} optimum {}", kind, got, optimum);
            }
            if let Err(e) = check_swap_optimal(kind, &p, &choice) {
                prop_assert!(false, "{}", e);
            }
            if trivial {
                prop_assert_eq!(choice.gap(), Some(0.0));
            } else if kind == StrategyKind::PMedian {
                // The Lagrangian bound is certified: never above the
                // optimum, so the gap bounds the heuristic's distance.
                let lb = choice.lower_bound.unwrap();
                prop_assert!(lb <= optimum + 1e-6 * optimum.max(1.0), "bound {} above optimum {}", lb, optimum);
                let gap = choice.gap().unwrap();
                prop_assert!(got <= optimum * (1.0 + gap) + 1e-6 * optimum.max(1.0), "gap {} but heuristic {} optimum {}", gap, got, optimum);
            } else {
                prop_assert_eq!(choice.lower_bound, None);
                prop_assert_eq!(choice.gap(), None);
            }
        }
    }
}

#[test]
fn demand_no_candidate_reaches_is_left_out_and_reported() {
    let inf = f64::INFINITY;
    let p = LevelProblem {
        k: 1,
        candidates: vec![
            Candidate {
                score: 0.0,
                students: 0.0,
                lottery: 0.0,
            };
            2
        ],
        demand: vec![0.0, 0.0, 0.0],
        minutes: vec![5.0, inf, 50.0, 20.0, inf, inf],
        straight_m: vec![0.0; 6],
        limit_min: 45.0,
        penalty_min: 1440.0,
        ..LevelProblem::default()
    };
    let (c, left_out) = p.for_comparison();
    assert_eq!(left_out, vec![1]);
    assert_eq!(c.demand, vec![1.0, 1.0], "all-zero weights count equally");
    assert_eq!(c.minutes, vec![5.0, 50.0, 20.0, inf]);
    let choice = solve(&PCenter, &p);
    assert_eq!(choice.unreachable, vec![1]);
    // Candidate 0 reaches both kept schools (worst 50); candidate 1 leaves
    // one unreached (worst: the penalty).
    assert_eq!(choice.chosen, vec![0]);
    assert_eq!(choice.objective, [50.0, 0.0, 50.0, 55.0]);
    let r = choice.runner_up[0].as_ref().unwrap();
    assert_eq!((r.candidate, r.margin, r.decided_by), (1, 1390.0, Some(0)));
    // Nothing to leave out: the problem is borrowed as it is.
    let q = LevelProblem {
        demand: vec![1.0, 1.0],
        minutes: vec![1.0, 2.0, 3.0, 4.0],
        straight_m: vec![0.0; 4],
        ..p.clone()
    };
    assert!(matches!(q.for_comparison(), (std::borrow::Cow::Borrowed(_), ref l) if l.is_empty()));
}

#[test]
fn interchange_reaches_a_swap_optimum_on_large_sets() {
    // 40 candidates, 6 hubs: C(40,6) is far beyond enumeration.
    let n = 40;
    let d = 60;
    let mut p = LevelProblem {
        k: 6,
        limit_min: 45.0,
        penalty_min: 135.0,
        ..LevelProblem::default()
    };
    p.candidates = (0..n)
        .map(|i| Candidate {
            score: 0.0,
            students: i as f64,
            lottery: 0.0,
        })
        .collect();
    p.demand = (0..d).map(|j| 10.0 + (j % 7) as f64).collect();
    p.minutes = (0..n * d).map(|x| ((x * 37) % 97) as f64).collect();
    p.straight_m = vec![0.0; n * d];
    assert!(binomial(n, 6) > MAX_ENUMERATION);
    let choice = solve(&PMedian, &p);
    assert!(!choice.exact);
    assert_eq!(choice.chosen.len(), 6);
    let base = PMedian.objective(&p, &choice.chosen)[0];
    for pos in 0..6 {
        for c in 0..n {
            if choice.chosen.contains(&c) {
                continue;
            }
            let mut s = choice.chosen.clone();
            s[pos] = c;
            assert!(PMedian.objective(&p, &s)[0] >= base - 1e-9);
        }
    }
}

#[test]
fn binomial_counts() {
    assert_eq!(binomial(5, 2), 10);
    assert_eq!(binomial(40, 6), 3_838_380);
    assert_eq!(binomial(3, 5), 0);
}

#[test]
fn lagrangian_bound_is_below_the_optimum_and_tight_on_small_cases() {
    // Random instances small enough to enumerate: the bound never exceeds
    // the true optimum.
    for seed in 1..40u64 {
        let mut x = (seed * 2654435761) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        };
        let (n, d, k) = (8, 20, 3);
        let p = LevelProblem {
            k,
            candidates: (0..n)
                .map(|_| Candidate {
                    score: 0.0,
                    students: 0.0,
                    lottery: 0.0,
                })
                .collect(),
            forced: vec![],
            demand: (0..d).map(|_| 1.0 + (next() * 100.0).round()).collect(),
            minutes: (0..n * d).map(|_| (next() * 60.0).round()).collect(),
            straight_m: vec![0.0; n * d],
            limit_min: 45.0,
            penalty_min: 1440.0,
        };
        let opt = all_subsets(n, k)
            .iter()
            .map(|s| plain_objective(StrategyKind::PMedian, &p, s))
            .fold(f64::INFINITY, f64::min);
        let lb = location::pmedian_lagrangian_bound(&p, opt * 1.05, 1000);
        assert!(
            lb <= opt + 1e-6,
            "seed {seed}: bound {lb} above optimum {opt}"
        );
        assert!(
            lb >= 0.9 * opt,
            "seed {seed}: bound {lb} far below optimum {opt}"
        );
    }
}
