//! The solver against brute force on small random instances.

use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest, Strategy as Generator};

use super::*;

fn problems() -> impl Generator<Value = LevelProblem> {
    (2usize..9, 1usize..10, 1usize..4, any::<u64>()).prop_map(|(n, d, k, seed)| {
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
        let demand: Vec<f64> = (0..d).map(|_| (next() * 300.0).round() + 1.0).collect();
        let minutes = (0..n * d)
            .map(|_| {
                if next() < 0.1 {
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

/// Objectives written out plainly, for the brute force.
fn plain_objective(kind: StrategyKind, p: &LevelProblem, set: &[usize]) -> f64 {
    let near: Vec<f64> = (0..p.demand.len())
        .map(|d| {
            set.iter()
                .map(|&c| p.minutes(c, d))
                .fold(f64::INFINITY, f64::min)
        })
        .map(|m| if m.is_finite() { m } else { p.penalty_min })
        .collect();
    match kind {
        StrategyKind::PMedian => near.iter().zip(&p.demand).map(|(m, s)| m * s).sum(),
        StrategyKind::PCenter => near.iter().copied().fold(0.0, f64::max),
        StrategyKind::MaxCover => -near
            .iter()
            .zip(&p.demand)
            .filter(|(m, _)| **m <= p.limit_min)
            .map(|(_, s)| s)
            .sum::<f64>(),
        StrategyKind::Score => -set.iter().map(|&c| p.candidates[c].score).sum::<f64>(),
        StrategyKind::Largest => -set.iter().map(|&c| p.candidates[c].students).sum::<f64>(),
        StrategyKind::Random => set.iter().map(|&c| p.candidates[c].lottery).sum(),
        StrategyKind::Central => (0..p.demand.len())
            .map(|d| {
                set.iter()
                    .map(|&c| p.straight_m[c * p.demand.len() + d])
                    .fold(f64::INFINITY, f64::min)
            })
            .sum(),
    }
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
            // No runner-up swap may beat the choice.
            for r in choice.runner_up.iter().flatten() {
                prop_assert!(r.margin >= 0.0);
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
