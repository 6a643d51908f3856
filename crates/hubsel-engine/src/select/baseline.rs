//! Baselines a researcher compares the models with.

use super::{LevelProblem, Objective, Strategy};
use crate::scenario::StrategyKind;

/// The least total straight-line distance from the schools to their
/// nearest hub (a p-median on crow-flies metres, ignoring roads).
pub struct Central;

impl Strategy for Central {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Central
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let n = p.demand.len();
        let total: f64 = (0..n)
            .map(|d| {
                set.iter()
                    .map(|&c| p.straight_m[c * n + d])
                    .fold(f64::INFINITY, f64::min)
            })
            .sum();
        [total, 0.0, 0.0, 0.0]
    }

    fn unit(&self) -> &'static str {
        "metres"
    }
}

/// A seeded random pick: each candidate holds a lottery number drawn from
/// the scenario seed and its id; the lowest numbers win.
pub struct Random;

impl Strategy for Random {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Random
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        [
            set.iter().map(|&c| p.candidates[c].lottery).sum(),
            0.0,
            0.0,
            0.0,
        ]
    }

    fn unit(&self) -> &'static str {
        "lottery"
    }
}
