//! The policy strategies: the scenario's score, and the largest schools.

use super::{LevelProblem, Objective, Strategy};
use crate::scenario::StrategyKind;

/// The policy score (physical readiness plus access, as the scenario
/// weighs them): the set with the highest total score.
pub struct Score;

impl Strategy for Score {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Score
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        let total: f64 = set.iter().map(|&c| p.candidates[c].score).sum();
        let students: f64 = set.iter().map(|&c| p.candidates[c].students).sum();
        [-total, -students, 0.0, 0.0]
    }

    fn unit(&self) -> &'static str {
        "score"
    }
}

/// Baseline: the schools with the most students. A run refuses this
/// strategy when a candidate has no student count or every count is 0
/// (see `pipeline::finish`): a school without a count cannot be ranked,
/// and the choice would fall to the id order.
pub struct Largest;

impl Strategy for Largest {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Largest
    }

    fn objective(&self, p: &LevelProblem, set: &[usize]) -> Objective {
        [
            -set.iter().map(|&c| p.candidates[c].students).sum::<f64>(),
            0.0,
            0.0,
            0.0,
        ]
    }

    fn unit(&self) -> &'static str {
        "students"
    }
}
