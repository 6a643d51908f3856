//! The classic location models on road travel time.

use super::{LevelProblem, Objective, Strategy};
use crate::scenario::StrategyKind;

/// Weighted minutes with the unreached charged the penalty, and the weight
/// left unreached, of the nearest-hub minutes (`INFINITY`: unreached).
fn charged(p: &LevelProblem, nearest: &[f64]) -> (Vec<f64>, f64, f64) {
    let mut unreached = 0.0;
    let mut total = 0.0;
    let minutes: Vec<f64> = nearest
        .iter()
        .zip(&p.demand)
        .map(|(&m, &w)| {
            let m = if m.is_finite() {
                m
            } else {
                unreached += w;
                p.penalty_min
            };
            total += m * w;
            m
        })
        .collect();
    (minutes, total, unreached)
}

fn worst(minutes: &[f64]) -> f64 {
    minutes.iter().copied().fold(0.0, f64::max)
}

/// p-median: minimise the weighted travel minutes to the nearest hub
/// (student-minutes, or school-minutes when the run weighs schools); ties
/// by the worst trip. A school the set leaves unreached counts at the
/// penalty.
pub struct PMedian;

impl Strategy for PMedian {
    fn kind(&self) -> StrategyKind {
        StrategyKind::PMedian
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let (minutes, total, _) = charged(p, &p.nearest(set));
        [total, worst(&minutes), 0.0, 0.0]
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
        open.sort_unstable();
        open.dedup();
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

/// p-center: minimise the worst travel minutes to the nearest hub. A set
/// that leaves a school unreached has the penalty as its worst trip, so it
/// loses to every set that reaches all; between sets tied there (both
/// leave someone unreached) the one that leaves less weight unreached
/// wins, then the one whose worst trip among the schools it does reach is
/// shorter (so that a school only an island candidate reaches does not turn
/// p-center into p-median for every other choice), then the least weighted
/// minutes.
pub struct PCenter;

impl Strategy for PCenter {
    fn kind(&self) -> StrategyKind {
        StrategyKind::PCenter
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let nearest = p.nearest(set);
        let (minutes, total, unreached) = charged(p, &nearest);
        let reached: Vec<f64> = nearest.into_iter().filter(|m| m.is_finite()).collect();
        [worst(&minutes), unreached, worst(&reached), total]
    }

    fn unit(&self) -> &'static str {
        "minutes"
    }
}

/// Maximal covering: maximise the weight (students, or schools) within the
/// travel limit; ties by weighted minutes.
pub struct MaxCover;

impl Strategy for MaxCover {
    fn kind(&self) -> StrategyKind {
        StrategyKind::MaxCover
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let nearest = p.nearest(set);
        let covered: f64 = nearest
            .iter()
            .zip(&p.demand)
            .filter(|(m, _)| **m <= p.limit_min)
            .map(|(_, s)| s)
            .sum();
        let (_, total, _) = charged(p, &nearest);
        [-covered, total, 0.0, 0.0]
    }

    fn unit(&self) -> &'static str {
        "students"
    }
}
