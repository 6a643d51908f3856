//! Certified lower bounds for the region-wide models on sparse costs.
//!
//! The p-median (and maximal covering, as a p-median of 0/1 costs) is
//! bounded by Lagrangian relaxation of "each point is served once" (Beasley
//! 1993), each point free to stay unserved at its penalty:
//!
//! ```text
//! L(λ) = Σ_j λ_j + min over p open candidates (forced ones included) of
//!        Σ_{i open} Σ_j min(0, c_ij − λ_j),        0 ≤ λ_j ≤ penalty_j
//! ```
//!
//! is below the optimum for every such λ; subgradient ascent (Polyak steps
//! towards the heuristic's value along deflected subgradients, halved when
//! the bound stalls), started from each point's second-nearest open cost
//! in the heuristic's solution, raises it
//! until the gap closes or the steps die out. The sum of many large terms
//! of both signs loses digits, so `L` is summed per point (`λ_j` less its
//! own reductions, small terms) with compensation, and a bound on the
//! rounding error is taken off before the value is reported.

use std::collections::VecDeque;

use rayon::prelude::*;

use super::swap::{neumaier, Assignment, Costs, Stop};

/// How long the subgradient ascent may go on.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ascent {
    pub(super) max_iterations: usize,
    /// Iterations without a better bound before the step halves.
    pub(super) patience: usize,
    /// The ascent stops when the step factor falls below this.
    pub(super) min_factor: f64,
    /// The step factor to start from (2 from scratch; a warm start goes
    /// on from where the last ascent stopped, see [`Bound::factor`]).
    pub(super) factor: f64,
    /// The ascent stops once the certified bound is above this (a bound
    /// above 0 on a count of schools left uncovered proves that no set
    /// covers them all).
    pub(super) enough: f64,
}

impl Default for Ascent {
    fn default() -> Ascent {
        Ascent {
            max_iterations: 5000,
            patience: 100,
            min_factor: 1e-4,
            factor: 2.0,
            enough: f64::INFINITY,
        }
    }
}

/// Iterations between two samples of the relaxation's open set.
const SAMPLE_EVERY: usize = 100;

/// Samples of the relaxation's open set kept (the last ones).
const SAMPLES: usize = 4;

/// Keeps the relaxation's open set `open` of every [`SAMPLE_EVERY`]th
/// iteration, the last [`SAMPLES`] of them.
fn sample(samples: &mut VecDeque<Vec<bool>>, iteration: usize, open: &[bool]) {
    if iteration % SAMPLE_EVERY == SAMPLE_EVERY - 1 {
        if samples.len() == SAMPLES {
            samples.pop_front();
        }
        samples.push_back(open.to_vec());
    }
}

/// One evaluation of `L(λ)`: the certified value and the subgradient's
/// count of open candidates undercutting each point.
struct Evaluation {
    certified: f64,
    value: f64,
    undercut: Vec<u32>,
    /// The open set the relaxation chose.
    open: Vec<bool>,
}

/// `L(λ)` with the open set it minimises over, and an upper bound on its
/// rounding error taken off.
fn evaluate(costs: &Costs, lambda: &[f64], fixed: &[bool], free_slots: usize) -> Evaluation {
    let n = costs.candidates();
    let rho = reduced_costs(costs, lambda);
    let mut free: Vec<(f64, usize)> = (0..n).filter(|&i| !fixed[i]).map(|i| (rho[i], i)).collect();
    let order = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if free_slots < free.len() {
        if free_slots > 0 {
            free.select_nth_unstable_by(free_slots - 1, order);
        }
        free.truncate(free_slots);
    }
    let mut open_set = fixed.to_vec();
    for f in &free {
        open_set[f.1] = true;
    }
    let open = (0..n).filter(|&i| open_set[i]);
    let m = lambda.len();
    let mut reduced = vec![0.0f64; m];
    let mut undercut = vec![0u32; m];
    let mut open_count = 0usize;
    for i in open {
        open_count += 1;
        for &(j, c) in &costs.by_candidate[i] {
            let j = j as usize;
            if c < lambda[j] {
                reduced[j] += lambda[j] - c;
                undercut[j] += 1;
            }
        }
    }
    let value = neumaier((0..m).map(|j| lambda[j] - reduced[j]));
    // Rounding: each point's reductions, the compensated sum, and the
    // choice of the open set by rounded ρ (each off by at most its length,
    // plus the blocks it is summed in, times ε times its size).
    let longest =
        costs.by_candidate.iter().map(<[_]>::len).max().unwrap_or(0) as f64 + BLOCKS as f64;
    let most_undercut = undercut.iter().copied().max().unwrap_or(0) as f64;
    let size: f64 = (0..m).map(|j| lambda[j] + reduced[j]).sum();
    let largest_rho = rho.iter().fold(0.0f64, |a, r| a.max(r.abs()));
    let error = 4.0
        * f64::EPSILON
        * ((most_undercut + 2.0) * size + 2.0 * (open_count as f64) * (longest + 1.0) * largest_rho);
    Evaluation {
        certified: value - error,
        value,
        undercut,
        open: open_set,
    }
}

/// Blocks of demand points whose reduced costs are summed apart (in
/// parallel) and then added up block by block: a fixed number, so the
/// sums are the same to the bit whatever the number of threads.
const BLOCKS: usize = 8;

/// `ρ_i = Σ_j min(0, c_ij − λ_j)` of every candidate. Only the pairs
/// with `c_ij < λ_j` add anything, and for each point they are the first
/// of its candidates by cost (`by_demand`): the sum visits those alone
/// (most pairs are far dearer than the multiplier). The points are cut
/// into [`BLOCKS`] blocks of consecutive points, each summed on its own
/// (points in ascending order) and the blocks' sums added in block order:
/// the same value whatever the number of threads, each term rounded in a
/// sum of at most its list's length plus the blocks, which the error
/// bound of [`evaluate`] covers.
fn reduced_costs(costs: &Costs, lambda: &[f64]) -> Vec<f64> {
    let n = costs.candidates();
    let m = lambda.len();
    let per = m.div_ceil(BLOCKS).max(1);
    let blocks: Vec<Vec<f64>> = (0..BLOCKS)
        .into_par_iter()
        .map(|b| {
            let mut rho = vec![0.0f64; n];
            let (from, to) = ((b * per).min(m), ((b + 1) * per).min(m));
            for (j, &l) in lambda.iter().enumerate().take(to).skip(from) {
                for &(c, i) in costs.by_demand[j].iter().take_while(|e| e.0 < l) {
                    rho[i as usize] += c - l;
                }
            }
            rho
        })
        .collect();
    let mut rho = vec![0.0f64; n];
    for block in &blocks {
        for (r, x) in rho.iter_mut().zip(block) {
            *r += x;
        }
    }
    // The sum of no term, as `Iterator::sum` gives it, for empty lists.
    let empty: f64 = std::iter::empty::<f64>().sum();
    for (r, list) in rho.iter_mut().zip(costs.by_candidate.iter()) {
        if list.is_empty() {
            *r = empty;
        }
    }
    rho
}

/// What the ascent found: the best certified bound, and an open set
/// better than the solution it started from, when the relaxation's own
/// choice of candidates was one (a Lagrangian heuristic).
pub(super) struct Bound {
    pub(super) lower: f64,
    pub(super) better: Option<(f64, Vec<bool>)>,
    /// The multipliers where the ascent stopped, to go on from.
    pub(super) lambda: Vec<f64>,
    /// The step factor where the ascent stopped.
    pub(super) factor: f64,
    /// The relaxation's open sets every [`SAMPLE_EVERY`] iterations, the
    /// last [`SAMPLES`] of them: more starts for the local search.
    pub(super) samples: Vec<Vec<bool>>,
    /// The relaxation's open set at those multipliers: a start for the
    /// local search (the Lagrangian heuristic), far from the greedy's.
    pub(super) relaxed: Vec<bool>,
}

/// The best certified `L(λ)` found by subgradient ascent from `start`
/// (clamped to `[0, penalty]`), for `k` open candidates of which `fixed`
/// ones are forced; `upper` is a known solution's value. Never above the
/// optimum; 0 when nothing better is found. Every tenth step the
/// relaxation's open set is valued as a solution. Stops early, with the
/// bound reached so far (still a bound), once `stop` says so.
pub(super) fn lagrangian(
    costs: &Costs,
    k: usize,
    fixed: &[bool],
    upper: f64,
    start: &[f64],
    ascent: Ascent,
    stop: &Stop,
) -> Bound {
    let mut upper = upper;
    let mut better: Option<(f64, Vec<bool>)> = None;
    let pen = &costs.penalty;
    let forced = fixed.iter().filter(|f| **f).count();
    let free_slots = k.saturating_sub(forced);
    let mut lambda: Vec<f64> = start
        .iter()
        .zip(pen)
        .map(|(&l, &p)| l.clamp(0.0, p))
        .collect();
    let mut best = 0.0f64;
    let mut factor = ascent.factor;
    let mut stall = 0;
    let mut direction = vec![0.0f64; lambda.len()];
    let mut samples: VecDeque<Vec<bool>> = VecDeque::new();
    for iteration in 0..ascent.max_iterations {
        if stop.now() {
            break;
        }
        let e = evaluate(costs, &lambda, fixed, free_slots);
        sample(&mut samples, iteration, &e.open);
        if iteration % 10 == 0 {
            let value = Assignment::of(costs, &e.open).total();
            if value < upper - 1e-10 * upper.abs() {
                upper = value;
                better = Some((value, e.open.clone()));
            }
        }
        if e.certified > best + 1e-12 * best.abs() {
            best = e.certified;
            stall = 0;
        } else {
            stall += 1;
            if stall >= ascent.patience {
                factor /= 2.0;
                stall = 0;
                if factor < ascent.min_factor {
                    break;
                }
            }
        }
        if upper - best <= 1e-9 * upper.abs() || best > ascent.enough {
            break;
        }
        let g: Vec<f64> = (0..lambda.len())
            .map(|j| {
                let g = 1.0 - e.undercut[j] as f64;
                let pinned = (g > 0.0 && lambda[j] >= pen[j]) || (g < 0.0 && lambda[j] <= 0.0);
                if pinned {
                    0.0
                } else {
                    g
                }
            })
            .collect();
        // Deflected direction (Camerini, Fratta & Maffioli 1975): half of
        // the last direction added, which damps the zig-zag of plain
        // subgradient steps.
        for (d, gj) in direction.iter_mut().zip(&g) {
            *d = gj + 0.5 * *d;
        }
        let norm: f64 = direction.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            break;
        }
        let step = factor * (upper - e.value).max(0.0) / norm;
        if step == 0.0 {
            break;
        }
        for j in 0..lambda.len() {
            lambda[j] = (lambda[j] + step * direction[j]).clamp(0.0, pen[j]);
        }
    }
    let relaxed = evaluate(costs, &lambda, fixed, free_slots).open;
    Bound {
        lower: best,
        better,
        lambda,
        factor,
        samples: samples.into(),
        relaxed,
    }
}
