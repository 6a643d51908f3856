//! hubsel's solver on a cost matrix given by the caller: the same
//! strategies and search (`hubsel::select::solve_with`: enumeration when
//! small, else greedy + vertex substitution with a bound) that a run uses
//! per district and level, so that a researcher can put it beside spopt
//! on one matrix.

use hubsel::error::ErrorKind;
use hubsel::scenario::StrategyKind;
use hubsel::select::{self, Candidate, LevelProblem, Method};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{argument, guarded};

fn floats(bytes: &Bound<'_, PyBytes>) -> Vec<f64> {
    bytes
        .as_bytes()
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            f64::from_ne_bytes(a)
        })
        .collect()
}

/// Chooses `k` of the candidates. `cost` is `n_demand × n_candidates`
/// minutes (native f64 bytes, row-major, as spopt's cost matrices are laid
/// out; NaN or inf: unreachable). Returns a dict: `chosen` (candidate
/// positions, ascending), `objective` (four elements, lower is better;
/// the first in the strategy's `unit`), `exact`, `lower_bound`, `gap`,
/// `unreachable` (demand no candidate reaches, left out).
#[pyfunction]
#[pyo3(signature = (cost, n_demand, n_candidates, k, strategy, weights, limit_min, penalty_min, forced, scores, students, max_sets))]
#[allow(clippy::too_many_arguments)]
pub fn solve<'py>(
    py: Python<'py>,
    cost: &Bound<'py, PyBytes>,
    n_demand: usize,
    n_candidates: usize,
    k: usize,
    strategy: &str,
    weights: &Bound<'py, PyBytes>,
    limit_min: f64,
    penalty_min: f64,
    forced: Vec<usize>,
    scores: &Bound<'py, PyBytes>,
    students: &Bound<'py, PyBytes>,
    max_sets: Option<u128>,
) -> PyResult<Bound<'py, PyDict>> {
    let kind = StrategyKind::parse(strategy).ok_or_else(|| {
        argument(
            py,
            ErrorKind::Input,
            format!("unknown strategy {strategy:?}"),
        )
    })?;
    let cost = floats(cost);
    let (weights, scores, students) = (floats(weights), floats(scores), floats(students));
    if cost.len() != n_demand * n_candidates
        || weights.len() != n_demand
        || scores.len() != n_candidates
        || students.len() != n_candidates
        || forced.iter().any(|&f| f >= n_candidates)
    {
        return Err(argument(py, ErrorKind::Input, "solve: the cost matrix, weights, scores, students and forced positions do not agree in size"));
    }
    // hubsel's layout: candidates × demand.
    let mut minutes = vec![f64::INFINITY; cost.len()];
    for d in 0..n_demand {
        for c in 0..n_candidates {
            let m = cost[d * n_candidates + c];
            minutes[c * n_demand + d] = if m.is_finite() { m } else { f64::INFINITY };
        }
    }
    let problem = LevelProblem {
        k,
        candidates: (0..n_candidates)
            .map(|c| Candidate {
                score: scores[c],
                students: students[c],
                lottery: c as f64 / n_candidates.max(1) as f64,
            })
            .collect(),
        forced,
        demand: weights,
        straight_m: minutes.clone(),
        minutes,
        limit_min,
        penalty_min,
    };
    let method = match max_sets {
        Some(max_sets) => Method::Auto { max_sets },
        None => Method::default(),
    };
    let choice = guarded(py, || {
        Ok(select::solve_with(select::strategy(kind), &problem, method))
    })?;
    let out = PyDict::new(py);
    out.set_item("strategy", kind.as_str())?;
    out.set_item("unit", select::strategy(kind).unit())?;
    out.set_item("chosen", &choice.chosen)?;
    out.set_item("objective", choice.objective.to_vec())?;
    out.set_item("exact", choice.exact)?;
    out.set_item("lower_bound", choice.lower_bound)?;
    out.set_item("gap", choice.gap())?;
    out.set_item("unreachable", &choice.unreachable)?;
    Ok(out)
}
