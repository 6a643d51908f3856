//! Choosing hubs within one district and level.
//!
//! Every strategy is an objective over a set of candidates
//! ([`Strategy::objective`], lower is better, compared lexicographically);
//! one solver serves them all: exact enumeration of the sets when there are
//! few enough (the usual case, one or two hubs per district and level),
//! otherwise greedy construction followed by vertex substitution
//! (Teitz & Bart 1968) until no single swap improves.
//!
//! Before comparing, [`solve`] leaves out the demand that no candidate of
//! the group reaches ([`LevelProblem::for_comparison`]): every set would
//! leave it unreached alike, and charging it the search cutoff would make
//! p-center's worst trip the same constant for every set. The choice
//! reports it ([`Choice::unreachable`]) so that the caller can say so.
//! Demand that some candidates reach and others do not stays in, charged
//! the cutoff: a set that leaves it unreached must lose. Weights that sum
//! to 0 count equally ([`crate::figures::effective_weights`]), so that no
//! objective reads 0 for every set when no school has students.

mod baseline;
mod bound;
pub mod district;
pub mod grouped;
mod location;
mod policy;
pub mod region;
mod swap;

pub use baseline::{Central, Random};
pub use location::{MaxCover, PCenter, PMedian};
pub use policy::{Largest, Score};

use crate::scenario::StrategyKind;

/// A candidate hub of the group.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Policy score (0..1 with min-max criteria), for the `score` strategy.
    pub score: f64,
    pub students: f64,
    /// A stable value in [0, 1) drawn from the seed and the school id, for
    /// the `random` strategy.
    pub lottery: f64,
}

/// One district-and-level selection problem.
#[derive(Clone, Debug, Default)]
pub struct LevelProblem {
    /// How many hubs to choose.
    pub k: usize,
    /// Candidates, in school-id order (ties go to the earlier one).
    pub candidates: Vec<Candidate>,
    /// Positions in `candidates` that must be chosen.
    pub forced: Vec<usize>,
    /// Weight of each school the hubs would serve: its students, or 1 per
    /// school (see [`crate::model::Weighting`]).
    pub demand: Vec<f64>,
    /// Door-to-door minutes, candidates × demand, row-major;
    /// `f64::INFINITY` when unreachable.
    pub minutes: Vec<f64>,
    /// Straight-line metres, same layout, for the `central` baseline;
    /// empty when the problem is solved by another strategy.
    pub straight_m: Vec<f64>,
    /// Beyond this a school is not covered.
    pub limit_min: f64,
    /// Minutes charged for an unreachable school in sums and maxima.
    pub penalty_min: f64,
}

impl LevelProblem {
    pub fn minutes(&self, candidate: usize, demand: usize) -> f64 {
        self.minutes[candidate * self.demand.len() + demand]
    }

    /// Minutes from each demand school to its nearest hub in `set`;
    /// `f64::INFINITY` where no hub of the set reaches it.
    pub fn nearest(&self, set: &[usize]) -> Vec<f64> {
        (0..self.demand.len())
            .map(|d| {
                set.iter()
                    .map(|&c| self.minutes(c, d))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    }

    /// Minutes from each demand school to its nearest hub in `set`, with
    /// unreachable schools charged the penalty.
    pub fn nearest_min(&self, set: &[usize]) -> Vec<f64> {
        self.nearest(set)
            .into_iter()
            .map(|m| if m.is_finite() { m } else { self.penalty_min })
            .collect()
    }

    /// Whether some candidate reaches each demand school.
    pub fn reached_by_any(&self) -> Vec<bool> {
        let d = self.demand.len();
        (0..d)
            .map(|j| {
                (0..self.candidates.len())
                    .any(|c| self.minutes.get(c * d + j).is_some_and(|m| m.is_finite()))
            })
            .collect()
    }

    /// The problem sets of hubs are compared on, and the demand positions
    /// it leaves out: demand no candidate reaches is dropped (it is the
    /// same for every set), and weights that sum to 0 become 1 each (the
    /// figures' rule, so that objectives still tell sets apart when no
    /// school has students). Borrows `self` when nothing changes.
    pub fn for_comparison(&self) -> (std::borrow::Cow<'_, LevelProblem>, Vec<usize>) {
        use std::borrow::Cow;
        let reached = self.reached_by_any();
        let left_out: Vec<usize> = (0..reached.len()).filter(|&j| !reached[j]).collect();
        let kept: Vec<usize> = (0..reached.len()).filter(|&j| reached[j]).collect();
        let kept_weights: Vec<f64> = kept.iter().map(|&j| self.demand[j]).collect();
        let weights = crate::figures::effective_weights(&kept_weights);
        if left_out.is_empty() && matches!(weights, Cow::Borrowed(_)) {
            return (Cow::Borrowed(self), left_out);
        }
        let d = self.demand.len();
        let pick = |matrix: &[f64]| -> Vec<f64> {
            if matrix.is_empty() {
                return Vec::new();
            }
            (0..self.candidates.len())
                .flat_map(|c| kept.iter().map(move |&j| (c, j)))
                .map(|(c, j)| matrix.get(c * d + j).copied().unwrap_or(f64::INFINITY))
                .collect()
        };
        let reduced = LevelProblem {
            k: self.k,
            candidates: self.candidates.clone(),
            forced: self.forced.clone(),
            demand: weights.into_owned(),
            minutes: pick(&self.minutes),
            straight_m: pick(&self.straight_m),
            limit_min: self.limit_min,
            penalty_min: self.penalty_min,
        };
        (Cow::Owned(reduced), left_out)
    }
}

/// An objective: lower is better, compared element by element. The first
/// element is what the strategy measures (in [`Strategy::unit`]); the
/// others break ties.
pub type Objective = [f64; 4];

/// A way of choosing hubs.
pub trait Strategy: Sync {
    fn kind(&self) -> StrategyKind;

    /// The value of choosing `set` (positions in `problem.candidates`).
    /// [`solve`] calls it on [`LevelProblem::for_comparison`]'s problem.
    fn objective(&self, problem: &LevelProblem, set: &[usize]) -> Objective;

    /// What the objective's first element measures, for the explanation.
    fn unit(&self) -> &'static str;

    /// A lower bound on the best objective's first element for choosing
    /// `problem.k` hubs, when the strategy has one; used to report how far
    /// a heuristic choice (whose value is `achieved`) can be from the optimum.
    fn lower_bound(&self, _problem: &LevelProblem, _achieved: f64) -> Option<f64> {
        None
    }
}

/// How to search for the best set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Enumeration when there are at most `max_sets` sets to try, else the
    /// heuristic. [`solve`] uses [`MAX_ENUMERATION`].
    Auto { max_sets: u128 },
    /// Greedy construction and vertex substitution, whatever the size.
    Heuristic,
}

impl Default for Method {
    fn default() -> Method {
        Method::Auto {
            max_sets: MAX_ENUMERATION,
        }
    }
}

/// The strategy object for a kind.
pub fn strategy(kind: StrategyKind) -> &'static dyn Strategy {
    match kind {
        StrategyKind::Score => &Score,
        StrategyKind::PMedian => &PMedian,
        StrategyKind::PCenter => &PCenter,
        StrategyKind::MaxCover => &MaxCover,
        StrategyKind::Largest => &Largest,
        StrategyKind::Central => &Central,
        StrategyKind::Random => &Random,
    }
}

/// The best alternative to one chosen hub.
#[derive(Clone, Debug, PartialEq)]
pub struct RunnerUp {
    /// Position of the candidate that would best replace the hub.
    pub candidate: usize,
    /// How much worse the objective's first element gets with the swap,
    /// in the strategy's unit. 0 when the first elements tie (within the
    /// solver's relative tolerance of 1e-9); then a later element, or the
    /// id order, decided ([`RunnerUp::decided_by`]). Not clamped: the
    /// choice is at least as good as every single swap (enumeration is
    /// optimal, the heuristic stops only when no swap improves), so a
    /// negative margin beyond float noise would be a solver bug and shows
    /// as one.
    pub margin: f64,
    /// The objective element that separates the runner-up from the choice
    /// (0: the margin's; 1 to 3: the strategy's tie-breaks, see its
    /// objective); `None` when they are equal in every element and the id
    /// order decided.
    pub decided_by: Option<usize>,
}

/// The outcome for one group.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// Chosen positions, in candidate order.
    pub chosen: Vec<usize>,
    pub objective: Objective,
    /// True when the choice is proven optimal (enumeration or trivial).
    pub exact: bool,
    /// Per chosen hub (same order), its runner-up; `None` for forced hubs
    /// or when no other candidate exists.
    pub runner_up: Vec<Option<RunnerUp>>,
    /// For heuristic choices, a lower bound on the optimum's first
    /// objective element, when the strategy has one (certified: rounding
    /// is accounted for in the region-wide bounds).
    pub lower_bound: Option<f64>,
    /// For a heuristic choice whose first objective element the bound
    /// proves, `(element, bound)`: a certified lower bound on that later
    /// element (a tie-break) over the sets that tie the first ones. The
    /// region-wide max-cover (element 1, weighted minutes) and p-center
    /// (element 3, weighted minutes) report it; `exact` then needs it to
    /// prove the element too, and [`Choice::gap`] is measured on it.
    pub tie_bound: Option<(usize, f64)>,
    /// Demand positions no candidate reaches, left out of the comparison
    /// (the objective, the margins and the bound are without them).
    pub unreachable: Vec<usize>,
}

impl Choice {
    /// Relative gap between the choice and the lower bound: the choice is
    /// at most this fraction worse than the optimum. 0 when exact. On the
    /// first objective element, or, when the bound proves that one and
    /// the choice has a [`Choice::tie_bound`], on the tie-break it bounds
    /// (then the first element is optimal and the tie-break at most this
    /// fraction above the best among the sets that tie it).
    pub fn gap(&self) -> Option<f64> {
        if self.exact {
            return Some(0.0);
        }
        let lb = self.lower_bound?;
        let first = relative_gap(self.objective[0], lb);
        match self.tie_bound {
            Some((element, bound)) if first <= EPS && element < self.objective.len() => {
                Some(relative_gap(self.objective[element], bound))
            }
            _ => Some(first),
        }
    }
}

/// How far `value` is above the bound `lb`, relative to the bound. A
/// negative bound is a maximisation's (max-cover's −covered): the gap is
/// then relative to the bound on what is covered.
fn relative_gap(value: f64, lb: f64) -> f64 {
    if lb != 0.0 {
        ((value - lb) / lb.abs()).max(0.0)
    } else if value <= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Enumeration is used while the number of sets stays below this.
pub const MAX_ENUMERATION: u128 = 200_000;

/// Relative tolerance under which objective elements tie.
const EPS: f64 = 1e-9;

/// Whether `a` and `b` tie in one element.
fn ties(a: f64, b: f64) -> bool {
    (a - b).abs() <= EPS * b.abs().max(1.0)
}

/// The first element in which `a` and `b` differ beyond the tolerance.
fn first_difference(a: &Objective, b: &Objective) -> Option<usize> {
    (0..a.len()).find(|&i| !ties(a[i], b[i]))
}

fn better(a: &Objective, b: &Objective) -> bool {
    first_difference(a, b).is_some_and(|i| a[i] < b[i])
}

/// Number of k-subsets of n, saturating.
pub fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut r: u128 = 1;
    for i in 0..k {
        r = r.saturating_mul((n - i) as u128) / (i + 1) as u128;
    }
    r
}

/// Chooses the hubs of one group.
pub fn solve(strategy: &dyn Strategy, problem: &LevelProblem) -> Choice {
    solve_with(strategy, problem, Method::default())
}

/// Chooses the hubs of one group with the given search method.
pub fn solve_with(strategy: &dyn Strategy, problem: &LevelProblem, method: Method) -> Choice {
    let (problem, unreachable) = problem.for_comparison();
    let problem: &LevelProblem = &problem;
    let n = problem.candidates.len();
    let mut forced = problem.forced.clone();
    forced.sort_unstable();
    forced.dedup();
    let free: Vec<usize> = (0..n).filter(|c| !forced.contains(c)).collect();
    let slots = problem.k.saturating_sub(forced.len()).min(free.len());
    let (chosen, exact) = if slots == 0 || slots == free.len() {
        let mut all = forced.clone();
        if slots > 0 {
            all.extend(&free);
        }
        (all, true)
    } else if matches!(method, Method::Auto { max_sets } if binomial(free.len(), slots) <= max_sets)
    {
        (enumerate(strategy, problem, &forced, &free, slots), true)
    } else {
        (interchange(strategy, problem, &forced, &free, slots), false)
    };
    let mut chosen = chosen;
    chosen.sort_unstable();
    let objective = strategy.objective(problem, &chosen);
    let runner_up = chosen
        .iter()
        .map(|&h| {
            if forced.contains(&h) {
                return None;
            }
            let mut best: Option<(usize, Objective)> = None;
            for &r in &free {
                if chosen.contains(&r) {
                    continue;
                }
                let swapped: Vec<usize> =
                    chosen.iter().map(|&c| if c == h { r } else { c }).collect();
                let o = strategy.objective(problem, &swapped);
                if best.as_ref().is_none_or(|(_, b)| better(&o, b)) {
                    best = Some((r, o));
                }
            }
            best.map(|(candidate, o)| RunnerUp {
                candidate,
                margin: if ties(o[0], objective[0]) {
                    0.0
                } else {
                    o[0] - objective[0]
                },
                decided_by: first_difference(&o, &objective),
            })
        })
        .collect();
    let lower_bound = if exact {
        None
    } else {
        strategy.lower_bound(problem, objective[0])
    };
    Choice {
        chosen,
        objective,
        exact,
        runner_up,
        lower_bound,
        tie_bound: None,
        unreachable,
    }
}

/// Tries every set of `slots` free candidates (with the forced ones);
/// the first best in lexicographic order wins, so ties go to the
/// candidates earliest in id order.
fn enumerate(
    strategy: &dyn Strategy,
    problem: &LevelProblem,
    forced: &[usize],
    free: &[usize],
    slots: usize,
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..slots).collect();
    let mut best: Option<(Vec<usize>, Objective)> = None;
    loop {
        let mut set = forced.to_vec();
        set.extend(idx.iter().map(|&i| free[i]));
        let o = strategy.objective(problem, &set);
        if best.as_ref().is_none_or(|(_, b)| better(&o, b)) {
            best = Some((set, o));
        }
        // Next combination in lexicographic order.
        let m = free.len();
        let mut i = slots;
        loop {
            if i == 0 {
                return best.map(|(s, _)| s).unwrap_or_default();
            }
            i -= 1;
            if idx[i] != i + m - slots {
                break;
            }
            if i == 0 {
                return best.map(|(s, _)| s).unwrap_or_default();
            }
        }
        idx[i] += 1;
        for j in i + 1..slots {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Greedy construction then vertex substitution: repeatedly make the best
/// single swap of a chosen and an unchosen candidate while it improves.
fn interchange(
    strategy: &dyn Strategy,
    problem: &LevelProblem,
    forced: &[usize],
    free: &[usize],
    slots: usize,
) -> Vec<usize> {
    let mut set = forced.to_vec();
    for _ in 0..slots {
        let mut best: Option<(usize, Objective)> = None;
        for &c in free {
            if set.contains(&c) {
                continue;
            }
            set.push(c);
            let o = strategy.objective(problem, &set);
            set.pop();
            if best.as_ref().is_none_or(|(_, b)| better(&o, b)) {
                best = Some((c, o));
            }
        }
        if let Some((c, _)) = best {
            set.push(c);
        }
    }
    let mut current = strategy.objective(problem, &set);
    loop {
        let mut improved: Option<(usize, usize, Objective)> = None;
        for pos in forced.len()..set.len() {
            for &c in free {
                if set.contains(&c) {
                    continue;
                }
                let old = set[pos];
                set[pos] = c;
                let o = strategy.objective(problem, &set);
                set[pos] = old;
                let target = improved.as_ref().map_or(current, |(_, _, b)| *b);
                if better(&o, &target) {
                    improved = Some((pos, c, o));
                }
            }
        }
        match improved {
            Some((pos, c, o)) => {
                set[pos] = c;
                current = o;
            }
            None => return set,
        }
    }
}

#[cfg(test)]
mod tests;
