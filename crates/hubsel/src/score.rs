//! Criteria, normalisation and the policy score.
//!
//! A candidate's score is Σ wᵢ·nᵢ / Σ wᵢ, where nᵢ is criterion i's value
//! normalised among the candidates of the same district and level (so a
//! school is compared with the schools it competes with) and turned round
//! for cost criteria, so that higher is always better.

use crate::scenario::{AccessMeasure, Config, Direction, Normalize};

/// Normalises raw values among competing candidates; higher is better
/// after the direction is applied.
pub fn normalize(values: &[f64], method: Normalize, direction: Direction) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let benefit: Vec<f64> = match method {
        Normalize::MinMax => {
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if hi > lo {
                values.iter().map(|v| (v - lo) / (hi - lo)).collect()
            } else {
                vec![1.0; n]
            }
        }
        Normalize::ZScore => {
            let mean = values.iter().sum::<f64>() / n as f64;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            let sd = var.sqrt();
            if sd > 0.0 { values.iter().map(|v| (v - mean) / sd).collect() } else { vec![0.0; n] }
        }
        Normalize::Rank => {
            if n == 1 {
                return vec![1.0];
            }
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            let mut rank = vec![0.0; n];
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j + 1 < n && values[order[j + 1]] == values[order[i]] {
                    j += 1;
                }
                let mean_rank = (i + j) as f64 / 2.0;
                for &k in &order[i..=j] {
                    rank[k] = mean_rank / (n - 1) as f64;
                }
                i = j + 1;
            }
            rank
        }
    };
    match (direction, method) {
        (Direction::Benefit, _) => benefit,
        (Direction::Cost, Normalize::ZScore) => benefit.into_iter().map(|v| -v).collect(),
        (Direction::Cost, _) => benefit.into_iter().map(|v| 1.0 - v).collect(),
    }
}

/// An access measure of one candidate from its door-to-door minutes to the
/// schools it would serve (`f64::INFINITY` when unreachable) and their
/// students. Unreachable schools count at `penalty_min` (the search cutoff)
/// in means and maxima.
pub fn access(measure: AccessMeasure, minutes: &[f64], students: &[f64], limit_min: f64, penalty_min: f64) -> f64 {
    let capped = |m: f64| if m.is_finite() { m } else { penalty_min };
    let total: f64 = students.iter().sum();
    match measure {
        AccessMeasure::WeightedMeanMinutes => {
            if total > 0.0 {
                minutes.iter().zip(students).map(|(m, s)| capped(*m) * s).sum::<f64>() / total
            } else if minutes.is_empty() {
                0.0
            } else {
                minutes.iter().map(|m| capped(*m)).sum::<f64>() / minutes.len() as f64
            }
        }
        AccessMeasure::ShareWithinLimit => {
            if total > 0.0 {
                minutes.iter().zip(students).filter(|(m, _)| **m <= limit_min).map(|(_, s)| s).sum::<f64>() / total
            } else {
                1.0
            }
        }
        AccessMeasure::MaxMinutes => minutes.iter().map(|m| capped(*m)).fold(0.0, f64::max),
    }
}

/// Scores of the candidates of one group from their raw criterion values
/// (`raw[candidate][criterion]`, in the scenario's criterion order).
/// Returns each candidate's score and its weighted parts (which sum to it).
pub fn score(config: &Config, raw: &[Vec<f64>]) -> Vec<(f64, Vec<f64>)> {
    let total_weight: f64 = config.criteria.iter().map(|c| c.weight).sum();
    let mut parts = vec![vec![0.0; config.criteria.len()]; raw.len()];
    if total_weight > 0.0 {
        for (i, c) in config.criteria.iter().enumerate() {
            let column: Vec<f64> = raw.iter().map(|r| r[i]).collect();
            for (k, v) in normalize(&column, c.normalize, c.direction).into_iter().enumerate() {
                parts[k][i] = c.weight * v / total_weight;
            }
        }
    }
    parts.into_iter().map(|p| (p.iter().sum(), p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minmax_and_cost() {
        assert_eq!(normalize(&[10.0, 20.0, 30.0], Normalize::MinMax, Direction::Benefit), vec![0.0, 0.5, 1.0]);
        assert_eq!(normalize(&[10.0, 20.0, 30.0], Normalize::MinMax, Direction::Cost), vec![1.0, 0.5, 0.0]);
        assert_eq!(normalize(&[5.0, 5.0], Normalize::MinMax, Direction::Benefit), vec![1.0, 1.0]);
    }

    #[test]
    fn zscore_has_zero_mean_unit_spread() {
        let z = normalize(&[1.0, 2.0, 3.0, 4.0], Normalize::ZScore, Direction::Benefit);
        assert!(z.iter().sum::<f64>().abs() < 1e-12);
        let var = z.iter().map(|v| v * v).sum::<f64>() / 4.0;
        assert!((var - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rank_shares_ties() {
        assert_eq!(normalize(&[3.0, 1.0, 3.0, 2.0], Normalize::Rank, Direction::Benefit), vec![2.5 / 3.0, 0.0, 2.5 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn access_counts_unreachable_at_the_penalty() {
        let m = [10.0, f64::INFINITY, 30.0];
        let s = [100.0, 50.0, 50.0];
        assert_eq!(access(AccessMeasure::WeightedMeanMinutes, &m, &s, 45.0, 90.0), (1000.0 + 4500.0 + 1500.0) / 200.0);
        assert_eq!(access(AccessMeasure::ShareWithinLimit, &m, &s, 45.0, 90.0), 0.75);
        assert_eq!(access(AccessMeasure::MaxMinutes, &m, &s, 45.0, 90.0), 90.0);
    }
}
