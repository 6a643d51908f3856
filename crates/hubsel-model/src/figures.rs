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

/// The weights the figures use, written out: the given ones, or 1 each
/// when they sum to 0. The selection objectives weigh demand with these,
/// so that they measure what the figures report.
pub fn effective_weights(weights: &[f64]) -> std::borrow::Cow<'_, [f64]> {
    if effective(weights.iter().copied()).0 {
        std::borrow::Cow::Borrowed(weights)
    } else {
        std::borrow::Cow::Owned(vec![1.0; weights.len()])
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

/// Travel figures of (door-to-door minutes, weight) pairs in which a
/// school not reached is `f64::INFINITY`. Such a school is charged
/// `penalty_min` (the search cutoff) in means, quantiles and maxima — so a
/// hub that leaves a school unreached that another hub would reach loses —
/// and is never within the limit. Callers count the unreached pairs
/// ([`travel::unreached`]) and report them; demand that no candidate reaches at
/// all belongs out of the pairs (it is the same for every choice).
pub mod travel {
    fn charged(pairs: &[(f64, f64)], penalty_min: f64) -> Vec<(f64, f64)> {
        pairs
            .iter()
            .map(|&(m, w)| (if m.is_finite() { m } else { penalty_min }, w))
            .collect()
    }

    /// Weighted mean minutes.
    pub fn mean(pairs: &[(f64, f64)], penalty_min: f64) -> f64 {
        super::mean(&charged(pairs, penalty_min))
    }

    /// Weighted quantile `q` (0–1) of the minutes.
    pub fn quantile(pairs: &[(f64, f64)], q: f64, penalty_min: f64) -> f64 {
        super::quantile(charged(pairs, penalty_min), q)
    }

    /// The worst minutes.
    pub fn max(pairs: &[(f64, f64)], penalty_min: f64) -> f64 {
        super::max(&charged(pairs, penalty_min))
    }

    /// Weighted share within `limit_min` minutes.
    pub fn share_within(pairs: &[(f64, f64)], limit_min: f64) -> f64 {
        super::share_within(pairs, limit_min)
    }

    /// How many pairs are not reached.
    pub fn unreached(pairs: &[(f64, f64)]) -> usize {
        pairs.iter().filter(|p| !p.0.is_finite()).count()
    }
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

    #[test]
    fn travel_figures_charge_the_unreached_and_never_count_them_within() {
        let pairs = [(10.0, 1.0), (f64::INFINITY, 1.0)];
        assert_eq!(travel::mean(&pairs, 100.0), 55.0);
        assert_eq!(travel::max(&pairs, 100.0), 100.0);
        assert_eq!(travel::quantile(&pairs, 0.95, 100.0), 100.0);
        // Even with a limit beyond the penalty, unreached is not within.
        assert_eq!(travel::share_within(&pairs, 1000.0), 0.5);
        assert_eq!(travel::unreached(&pairs), 1);
        assert_eq!(&*effective_weights(&[0.0, 0.0]), &[1.0, 1.0]);
        assert_eq!(&*effective_weights(&[0.0, 2.0]), &[0.0, 2.0]);
    }
}
