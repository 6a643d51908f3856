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
        [weighted_minutes(p, &nearest), nearest.iter().copied().fold(0.0, f64::max)]
    }

    fn unit(&self) -> &'static str {
        "student-minutes"
    }
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
        [nearest.iter().copied().fold(0.0, f64::max), weighted_minutes(p, &nearest)]
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
        let covered: f64 = nearest.iter().zip(&p.demand).filter(|(m, _)| **m <= p.limit_min).map(|(_, s)| s).sum();
        [-covered, weighted_minutes(p, &nearest)]
    }

    fn unit(&self) -> &'static str {
        "students"
    }
}
