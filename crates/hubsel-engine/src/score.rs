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
            if sd > 0.0 {
                values.iter().map(|v| (v - mean) / sd).collect()
            } else {
                vec![0.0; n]
            }
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
        Normalize::Share => {
            let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
            if total > 0.0 {
                values.iter().map(|v| v.max(0.0) / total).collect()
            } else {
                vec![1.0 / n as f64; n]
            }
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
/// weights (students, or 1 per school). The figures are
/// [`crate::figures::travel`]'s, the same the run's access figures use: an
/// unreachable school counts at `penalty_min` (the search cutoff) in the
/// mean and the maximum and never within the limit, and weights that sum to
/// 0 count equally.
///
/// Pass only the schools that some candidate of the group reaches: a school
/// no candidate reaches is the same for all of them and would only turn the
/// maximum into the cutoff for every candidate (the selection leaves such
/// schools out and reports them, see
/// [`crate::select::LevelProblem::for_comparison`]). Candidates that each
/// leave some school unreached all read the cutoff as their maximum; the
/// mean and the share still tell them apart.
pub fn access(
    measure: AccessMeasure,
    minutes: &[f64],
    weights: &[f64],
    limit_min: f64,
    penalty_min: f64,
) -> f64 {
    use crate::figures::travel;
    let pairs: Vec<(f64, f64)> = minutes
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    match measure {
        AccessMeasure::WeightedMeanMinutes => travel::mean(&pairs, penalty_min),
        AccessMeasure::ShareWithinLimit => travel::share_within(&pairs, limit_min),
        AccessMeasure::MaxMinutes => travel::max(&pairs, penalty_min),
    }
}

/// A candidate's score: the total, its weighted parts (which sum to it)
/// and the normalised criterion values they come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub parts: Vec<f64>,
    pub normalized: Vec<f64>,
}

/// Scores of the candidates of one group from their raw criterion values
/// (`raw[candidate][criterion]`, in the scenario's criterion order).
pub fn score(config: &Config, raw: &[Vec<f64>]) -> Vec<Scored> {
    let weights: Vec<f64> = config.criteria.iter().map(|c| c.weight).collect();
    let total_weight: f64 = weights.iter().sum();
    let mut normalized = vec![vec![0.0; config.criteria.len()]; raw.len()];
    for (i, c) in config.criteria.iter().enumerate() {
        let column: Vec<f64> = raw.iter().map(|r| r[i]).collect();
        for (k, v) in normalize(&column, c.normalize, c.direction)
            .into_iter()
            .enumerate()
        {
            normalized[k][i] = v;
        }
    }
    normalized
        .into_iter()
        .map(|n| {
            let parts: Vec<f64> = n
                .iter()
                .zip(&weights)
                .map(|(v, w)| {
                    if total_weight > 0.0 {
                        w * v / total_weight
                    } else {
                        0.0
                    }
                })
                .collect();
            Scored {
                score: parts.iter().sum(),
                parts,
                normalized: n,
            }
        })
        .collect()
}

/// The smallest change of a single criterion's weight that lets `other`
/// score at least as high as `chosen`: `(criterion, signed weight change)`.
/// Scores are Σ wᵢnᵢ / Σ w, so with weight j changed by δ the order flips
/// when Σ wᵢ(aᵢ − bᵢ) + δ(aⱼ − bⱼ) ≤ 0; weights stay non-negative.
pub fn weight_flip(weights: &[f64], chosen: &[f64], other: &[f64]) -> Option<(usize, f64)> {
    let lead: f64 = weights
        .iter()
        .zip(chosen.iter().zip(other))
        .map(|(w, (a, b))| w * (a - b))
        .sum();
    let mut best: Option<(usize, f64)> = None;
    for (j, w) in weights.iter().enumerate() {
        let d = chosen[j] - other[j];
        let delta = if d < 0.0 {
            lead.max(0.0) / -d
        } else if d > 0.0 && lead / d <= *w {
            -(lead.max(0.0) / d)
        } else {
            continue;
        };
        if best.is_none_or(|(_, b)| delta.abs() < b.abs()) {
            best = Some((j, delta));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minmax_and_cost() {
        assert_eq!(
            normalize(&[10.0, 20.0, 30.0], Normalize::MinMax, Direction::Benefit),
            vec![0.0, 0.5, 1.0]
        );
        assert_eq!(
            normalize(&[10.0, 20.0, 30.0], Normalize::MinMax, Direction::Cost),
            vec![1.0, 0.5, 0.0]
        );
        assert_eq!(
            normalize(&[5.0, 5.0], Normalize::MinMax, Direction::Benefit),
            vec![1.0, 1.0]
        );
    }

    #[test]
    fn share_is_each_candidates_part_of_the_total() {
        assert_eq!(
            normalize(&[1.0, 3.0, 4.0], Normalize::Share, Direction::Benefit),
            vec![0.125, 0.375, 0.5]
        );
        // A negative value has no share; nothing at all shares equally.
        assert_eq!(
            normalize(&[-2.0, 1.0, 3.0], Normalize::Share, Direction::Benefit),
            vec![0.0, 0.25, 0.75]
        );
        assert_eq!(
            normalize(&[0.0, 0.0], Normalize::Share, Direction::Benefit),
            vec![0.5, 0.5]
        );
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
        assert_eq!(
            normalize(&[3.0, 1.0, 3.0, 2.0], Normalize::Rank, Direction::Benefit),
            vec![2.5 / 3.0, 0.0, 2.5 / 3.0, 1.0 / 3.0]
        );
    }

    /// Saaty (2008), "Decision making with the analytic hierarchy process",
    /// Int. J. Services Sciences 1(1), 83–98: relative consumption of drinks
    /// in the US. Published priorities .177 .019 .042 .116 .190 .129 .327,
    /// consistency ratio 0.022.
    #[test]
    fn weight_flip_is_the_smallest_single_weight_change() {
        // Chosen leads on criterion 0, other on criterion 1.
        let w = [0.6, 0.4];
        let (a, b) = ([1.0, 0.0], [0.0, 1.0]);
        let (j, delta) = weight_flip(&w, &a, &b).unwrap();
        // Lead is 0.2: raise w1 by 0.2 (w = 0.6, 0.6) or cut w0 by 0.2.
        assert!((delta.abs() - 0.2).abs() < 1e-12);
        let mut w2 = w;
        w2[j] += delta;
        let s = |n: &[f64; 2]| w2.iter().zip(n).map(|(w, v)| w * v).sum::<f64>();
        assert!(
            (s(&a) - s(&b)).abs() < 1e-12,
            "the orders tie after the change"
        );
        // Nothing separates equal schools' values: no flip.
        assert_eq!(weight_flip(&w, &[1.0, 1.0], &[1.0, 1.0]), None);
    }

    #[test]
    fn access_counts_unreachable_at_the_penalty() {
        let m = [10.0, f64::INFINITY, 30.0];
        let s = [100.0, 50.0, 50.0];
        assert_eq!(
            access(AccessMeasure::WeightedMeanMinutes, &m, &s, 45.0, 90.0),
            (1000.0 + 4500.0 + 1500.0) / 200.0
        );
        assert_eq!(
            access(AccessMeasure::ShareWithinLimit, &m, &s, 45.0, 90.0),
            0.75
        );
        assert_eq!(access(AccessMeasure::MaxMinutes, &m, &s, 45.0, 90.0), 90.0);
    }

    /// The access criteria of one candidate and the run's access figures
    /// of the same schools with that candidate as their hub are one
    /// definition: they agree, also when every weight is 0 (the criterion
    /// read a share of 1 there, the figures 0) and when a school is not
    /// reached.
    #[test]
    fn access_agrees_with_the_run_access_figures() {
        use crate::outcome::AccessFigures;
        let inf = f64::INFINITY;
        let cases: [(&[f64], &[f64]); 6] = [
            (&[10.0, inf, 30.0], &[100.0, 50.0, 50.0]),
            (&[50.0, 60.0], &[0.0, 0.0]),
            (&[10.0, 60.0, inf], &[0.0, 0.0, 0.0]),
            (&[10.0, 60.0], &[1.0, 1.0]),
            (&[inf], &[3.0]),
            (&[], &[]),
        ];
        for (minutes, weights) in cases {
            let pairs: Vec<(f64, f64)> = minutes
                .iter()
                .copied()
                .zip(weights.iter().copied())
                .collect();
            let f = AccessFigures::of(&pairs, 45.0, 90.0);
            let at = |m| access(m, minutes, weights, 45.0, 90.0);
            assert_eq!(
                at(AccessMeasure::WeightedMeanMinutes),
                f.mean_min,
                "{pairs:?}"
            );
            assert_eq!(
                at(AccessMeasure::ShareWithinLimit),
                f.share_within,
                "{pairs:?}"
            );
            assert_eq!(at(AccessMeasure::MaxMinutes), f.max_min, "{pairs:?}");
        }
        // Every weight 0 and every school beyond the limit: none within.
        assert_eq!(
            access(
                AccessMeasure::ShareWithinLimit,
                &[50.0, 60.0],
                &[0.0, 0.0],
                45.0,
                90.0
            ),
            0.0
        );
    }
}
