//! The classic location models on road travel time.

use super::{LevelProblem, Objective, Strategy};
use crate::scenario::StrategyKind;

fn weighted_minutes(p: &LevelProblem, nearest: &[f64]) -> f64 {
    nearest.iter().zip(&p.demand).map(|(m, s)| m * s).sum()
}

/// p-median: minimise the student-weighted travel minutes to the nearest hub.
pub struct PMedian;

impl Strategy for PMedian {
    fn kind(&self) -> StrategyKind {
        StrategyKind::PMedian
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let nearest = p.nearest_minutes(set);
        [
            weighted_minutes(p, &nearest),
            nearest.iter().copied().fold(0.0, f64::max),
        ]
    }

    fn unit(&self) -> &'static str {
        "student-minutes"
    }

    fn lower_bound(&self, problem: &LevelProblem, achieved: f64) -> Option<f64> {
        Some(pmedian_lagrangian_bound(problem, achieved, 1000))
    }
}

/// Lagrangian lower bound for the p-median (Beasley 1993): relax "each
/// school is assigned once" with multipliers λⱼ; then
/// L(λ) = Σⱼ λⱼ + Σ over the p most negative ρᵢ = Σⱼ min(0, wⱼcᵢⱼ − λⱼ)
/// (forced candidates always counted) bounds the optimum from below for
/// every λ. Subgradient ascent (step scaled by the gap to `upper`, a known
/// solution's value) improves λ for at most `iterations` steps; the best
/// L(λ) seen is returned.
pub fn pmedian_lagrangian_bound(p: &LevelProblem, upper: f64, iterations: usize) -> f64 {
    let n = p.candidates.len();
    let d = p.demand.len();
    if n == 0 || d == 0 || p.k == 0 {
        return 0.0;
    }
    let cost = |i: usize, j: usize| {
        let m = p.minutes(i, j);
        p.demand[j] * if m.is_finite() { m } else { p.penalty_min }
    };
    let k = p.k.min(n);
    let mut lambda: Vec<f64> = (0..d)
        .map(|j| (0..n).map(|i| cost(i, j)).fold(f64::INFINITY, f64::min))
        .collect();
    let mut best = f64::NEG_INFINITY;
    let mut f = 2.0;
    let mut stall = 0;
    for _ in 0..iterations {
        let rho: Vec<f64> = (0..n)
            .map(|i| (0..d).map(|j| (cost(i, j) - lambda[j]).min(0.0)).sum())
            .collect();
        let mut order: Vec<usize> = (0..n).filter(|i| !p.forced.contains(i)).collect();
        order.sort_by(|a, b| rho[*a].total_cmp(&rho[*b]).then(a.cmp(b)));
        let mut open: Vec<usize> = p.forced.iter().copied().filter(|&i| i < n).collect();
        open.extend(order.into_iter().take(k.saturating_sub(open.len())));
        let value: f64 = lambda.iter().sum::<f64>() + open.iter().map(|&i| rho[i]).sum::<f64>();
        if !best.is_finite() || value > best + 1e-9 * best.abs().max(1.0) {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= 20 {
                f /= 2.0;
                stall = 0;
                if f < 1e-6 {
                    break;
                }
            }
        }
        let g: Vec<f64> = (0..d)
            .map(|j| {
                1.0 - open
                    .iter()
                    .filter(|&&i| cost(i, j) - lambda[j] < 0.0)
                    .count() as f64
            })
            .collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            break;
        }
        let step = f * (upper - value).max(0.0) / norm;
        for j in 0..d {
            lambda[j] += step * g[j];
        }
    }
    best.max(0.0)
}

/// p-center: minimise the worst travel minutes to the nearest hub; ties by
/// student-weighted minutes.
pub struct PCenter;

impl Strategy for PCenter {
    fn kind(&self) -> StrategyKind {
        StrategyKind::PCenter
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let nearest = p.nearest_minutes(set);
        [
            nearest.iter().copied().fold(0.0, f64::max),
            weighted_minutes(p, &nearest),
        ]
    }

    fn unit(&self) -> &'static str {
        "minutes"
    }
}

/// Maximal covering: maximise the students within the travel limit; ties
/// by student-weighted minutes.
pub struct MaxCover;

impl Strategy for MaxCover {
    fn kind(&self) -> StrategyKind {
        StrategyKind::MaxCover
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let nearest = p.nearest_minutes(set);
        let covered: f64 = nearest
            .iter()
            .zip(&p.demand)
            .filter(|(m, _)| **m <= p.limit_min)
            .map(|(_, s)| s)
            .sum();
        [-covered, weighted_minutes(p, &nearest)]
    }

    fn unit(&self) -> &'static str {
        "students"
    }
}
