//! Weighted travel figures: one definition shared by the district table,
//! the run's access figures and the access criteria of the score, so that
//! they can never disagree.
//!
//! Each value comes with a weight: the school's students, or 1 per school
//! when the run weighs by schools ([`crate::model::Weighting`]). Where
//! every weight of a group is 0 (schools that all report 0 students) the
//! figures fall back to equal weights rather than reading 0; an empty group
//! gives 0.

/// Weights to use: the given ones, or all 1 when they sum to 0.
fn effective(weights: impl Iterator<Item = f64> + Clone) -> (bool, f64) {
    let total: f64 = weights.clone().sum();
    if total > 0.0 {
        (true, total)
    } else {
        (false, weights.count() as f64)
    }
}

/// Weighted mean of (value, weight) pairs.
pub fn mean(pairs: &[(f64, f64)]) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let (weighted, total) = effective(pairs.iter().map(|p| p.1));
    let sum: f64 = pairs
        .iter()
        .map(|&(v, w)| if weighted { v * w } else { v })
        .sum();
    sum / total
}

/// Weighted share of the pairs whose flag is true, 0–1.
pub fn share(pairs: &[(bool, f64)]) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let (weighted, total) = effective(pairs.iter().map(|p| p.1));
    let yes: f64 = pairs
        .iter()
        .filter(|p| p.0)
        .map(|&(_, w)| if weighted { w } else { 1.0 })
        .sum();
    yes / total
}

/// Weighted share of the values at or below `limit` (an infinite value,
/// an unreachable school, never is).
pub fn share_within(pairs: &[(f64, f64)], limit: f64) -> f64 {
    let flags: Vec<(bool, f64)> = pairs.iter().map(|&(v, w)| (v <= limit, w)).collect();
    share(&flags)
}

/// Weighted quantile `q` (0–1) of (value, weight) pairs: the smallest value
/// whose cumulative weight reaches `q` of the total.
pub fn quantile(mut pairs: Vec<(f64, f64)>, q: f64) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (weighted, total) = effective(pairs.iter().map(|p| p.1));
    let mut acc = 0.0;
    for &(v, w) in &pairs {
        acc += if weighted { w } else { 1.0 };
        if acc >= q * total - 1e-9 {
            return v;
        }
    }
    pairs[pairs.len() - 1].0
}

/// The largest value (0 for none).
pub fn max(pairs: &[(f64, f64)]) -> f64 {
    pairs.iter().map(|p| p.0).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_count_and_all_zero_weights_count_equally() {
        let pairs = [(10.0, 3.0), (40.0, 1.0)];
        assert_eq!(mean(&pairs), 17.5);
        assert_eq!(share_within(&pairs, 20.0), 0.75);
        assert_eq!(quantile(pairs.to_vec(), 0.5), 10.0);
        assert_eq!(quantile(pairs.to_vec(), 0.95), 40.0);
        let zero = [(10.0, 0.0), (40.0, 0.0)];
        assert_eq!(mean(&zero), 25.0);
        assert_eq!(share_within(&zero, 20.0), 0.5);
        assert_eq!(share_within(&[(f64::INFINITY, 1.0)], 45.0), 0.0);
        assert_eq!(mean(&[]), 0.0);
        assert_eq!(share(&[]), 0.0);
        assert_eq!(max(&pairs), 40.0);
    }
}
