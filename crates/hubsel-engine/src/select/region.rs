//! The location models over a whole region (`group_by = "province"` or
//! `"none"`): `k` hubs of a level chosen among every candidate of the
//! group for every school of the group, on **sparse** candidate lists
//! (each candidate with the schools that reach it within the travel
//! limit, from bounded searches), never a dense matrix.
//!
//! A school no chosen hub reaches within the limit counts at the penalty
//! (the search cutoff), as in the district models; a school no candidate
//! reaches within the limit is left out of the comparison
//! ([`Choice::unreachable`]) and stands alone.
//!
//! - **p-median**: greedy, then fast interchange (module `select::swap`);
//!   the Lagrangian bound (module `select::bound`) certifies the gap, and
//!   while it is open fast interchange runs again from the relaxation's
//!   own open set (the Lagrangian heuristic).
//! - **max-cover** (most weight within the limit, then the least weighted
//!   minutes): the same search on 0/1 costs (a school within the limit
//!   of an open hub costs 0, else its weight); the same bound, on the
//!   weight left uncovered, bounds the weight covered from above. Then
//!   fast interchange on the weighted minutes with each uncovered weight
//!   priced above any saving of minutes (so the coverage stays), and,
//!   once the coverage is proven, a bound on the minutes: for any price
//!   `μ ≥ 0` of the uncovered weight, the p-median bound with that price
//!   added to each school's penalty, less `μ` times the least uncovered
//!   weight, is below the minutes of every set that covers the most.
//! - **p-center** (least worst trip, then the least weighted minutes):
//!   bisection over the covering radii (every distinct trip time in the
//!   lists). At each radius: greedy set covering; else packing (schools
//!   whose candidate sets at the radius are pairwise disjoint, more of
//!   them than free hubs, prove that no set covers them all); else fast
//!   interchange on the count of schools left beyond the radius; else
//!   the Lagrangian bound on that count (above 0 proves that no set
//!   covers them) with the Lagrangian heuristic. The worst trip is
//!   bounded from below by the next radius above the largest one proven
//!   impossible. At the radius `R` found, a p-median on the trips within
//!   `R` where a school left beyond it costs more than any set within `R`
//!   could: its search keeps within `R` and lowers the minutes, and its
//!   certified bound bounds the minutes of every set within `R`.
//!
//! When the sets are few enough to enumerate (the same limit as the
//! district solver), the dense problem is built and enumerated instead:
//! the result is then exact. A heuristic result is `exact` only when its
//! bounds prove the **whole** lexicographic objective (each element
//! within a relative 1e-9): p-median's weighted minutes (its worst-trip
//! tie-break is not bounded: two sets that tie on minutes to 1e-9 are
//! taken as equal); max-cover's coverage and minutes; p-center's worst
//! trip and minutes (the weight unreached and the worst trip reached are
//! then 0 and the worst trip). When the first element is proven and a
//! tie-break is not, [`Choice::tie_bound`] holds the tie-break's bound and
//! [`Choice::gap`] is measured on it; otherwise on the first element.
//! A p-center group where no set found reaches every school within the
//! limit is never `exact` (its worst trip among the schools reached is
//! not bounded).

use std::collections::BinaryHeap;

use super::bound::{lagrangian, Ascent};
use super::swap::{greedy, interchange, neumaier, runners_up, Assignment, Costs, Stop};
use super::{
    better, binomial, solve_with, strategy, ties, Candidate, Choice, LevelProblem, Method,
    Objective, RunnerUp, MAX_ENUMERATION,
};
use crate::error::{Error, Result};
use crate::scenario::StrategyKind;

/// One group-and-level problem on sparse lists.
#[derive(Clone, Debug, Default)]
pub struct RegionProblem {
    /// How many hubs to choose.
    pub k: usize,
    /// Per candidate, `(demand position, door-to-door minutes)` of the
    /// schools that reach it within `limit_min`, sorted by position.
    pub lists: Vec<Vec<(u32, f64)>>,
    /// Candidates that must be chosen.
    pub forced: Vec<usize>,
    /// Weight of each school the hubs would serve.
    pub demand: Vec<f64>,
    pub limit_min: f64,
    /// Minutes charged for a school no chosen hub reaches.
    pub penalty_min: f64,
}

/// How [`solve_region_with`] searches.
#[derive(Clone, Copy, Debug)]
pub struct RegionMethod {
    /// Enumerate (dense, exact) when there are at most this many sets.
    pub max_sets: u128,
    /// Subgradient iterations of the Lagrangian bound at most.
    pub max_iterations: usize,
    /// Iterations without a better bound before the step halves.
    pub patience: usize,
    /// The ascent stops when the step factor (2 at first) falls below this.
    pub min_factor: f64,
    /// Rounds of the Lagrangian heuristic at most (fast interchange from
    /// the relaxation's open set, then the bound again); 0 keeps greedy
    /// and fast interchange alone, bounded once.
    pub rounds: usize,
}

impl Default for RegionMethod {
    fn default() -> RegionMethod {
        let a = Ascent::default();
        RegionMethod {
            max_sets: MAX_ENUMERATION,
            max_iterations: a.max_iterations,
            patience: a.patience,
            min_factor: a.min_factor,
            rounds: 3,
        }
    }
}

impl RegionProblem {
    /// Whether some candidate reaches each demand school within the limit.
    pub fn reached_by_any(&self) -> Vec<bool> {
        let mut reached = vec![false; self.demand.len()];
        for &(j, _) in self.lists.iter().flatten() {
            if let Some(r) = reached.get_mut(j as usize) {
                *r = true;
            }
        }
        reached
    }

    /// The weights compared: 0 for the schools no candidate reaches, and
    /// 1 each for the others when their weights sum to 0 (the figures'
    /// rule, as [`LevelProblem::for_comparison`]).
    fn weights(&self) -> Vec<f64> {
        let reached = self.reached_by_any();
        let kept: Vec<f64> = (0..self.demand.len())
            .filter(|&j| reached[j])
            .map(|j| self.demand[j])
            .collect();
        let weights = crate::figures::effective_weights(&kept);
        let mut it = weights.iter();
        reached
            .iter()
            .map(|&r| if r { it.next().copied().unwrap_or(0.0) } else { 0.0 })
            .collect()
    }

    /// Minutes from each demand school to its nearest hub of `set` within
    /// the limit (`INFINITY`: none).
    pub fn nearest(&self, set: &[usize]) -> Vec<f64> {
        let mut nearest = vec![f64::INFINITY; self.demand.len()];
        for &c in set {
            for &(j, m) in self.lists.get(c).map_or(&[][..], Vec::as_slice) {
                if let Some(n) = nearest.get_mut(j as usize) {
                    *n = n.min(m);
                }
            }
        }
        nearest
    }

    /// The value of `set` as [`super::Strategy::objective`] of `kind`
    /// gives it on [`RegionProblem::to_dense`]'s problem.
    pub fn objective(&self, kind: StrategyKind, set: &[usize]) -> Objective {
        let reached = self.reached_by_any();
        let weights = self.weights();
        let nearest = self.nearest(set);
        let (mut total, mut worst, mut unreached, mut worst_reached, mut covered) =
            (0.0, 0.0f64, 0.0, 0.0f64, 0.0);
        for j in (0..self.demand.len()).filter(|&j| reached[j]) {
            let (m, w) = (nearest[j], weights[j]);
            let charged = if m.is_finite() {
                worst_reached = worst_reached.max(m);
                if m <= self.limit_min {
                    covered += w;
                }
                m
            } else {
                unreached += w;
                self.penalty_min
            };
            total += charged * w;
            worst = worst.max(charged);
        }
        match kind {
            StrategyKind::PCenter => [worst, unreached, worst_reached, total],
            StrategyKind::MaxCover => [-covered, total, 0.0, 0.0],
            _ => [total, worst, 0.0, 0.0],
        }
    }

    /// The same problem as a dense [`LevelProblem`] (minutes beyond the
    /// limit unreachable), for enumeration and for tests.
    pub fn to_dense(&self) -> LevelProblem {
        let d = self.demand.len();
        let mut minutes = vec![f64::INFINITY; self.lists.len() * d];
        for (c, list) in self.lists.iter().enumerate() {
            for &(j, m) in list {
                if (j as usize) < d {
                    minutes[c * d + j as usize] = m;
                }
            }
        }
        LevelProblem {
            k: self.k,
            candidates: vec![
                Candidate {
                    score: 0.0,
                    students: 0.0,
                    lottery: 0.0,
                };
                self.lists.len()
            ],
            forced: self.forced.clone(),
            demand: self.demand.clone(),
            straight_m: vec![0.0; minutes.len()],
            minutes,
            limit_min: self.limit_min,
            penalty_min: self.penalty_min,
        }
    }
}

/// Chooses the hubs of one region-wide group.
pub fn solve_region(kind: StrategyKind, problem: &RegionProblem) -> Choice {
    solve_region_with(kind, problem, RegionMethod::default())
}

/// Chooses the hubs of one region-wide group with the given method.
/// `kind` is p-median, p-center or max-cover (any other is solved as the
/// p-median).
pub fn solve_region_with(kind: StrategyKind, problem: &RegionProblem, method: RegionMethod) -> Choice {
    solve(kind, problem, method, &Stop::new(&|| false))
}

/// [`solve_region_with`], asking `cancelled` between the steps of its long
/// loops (each swap, each step of the bound's ascent, each round): once it
/// says yes, the solve stops within one step and gives
/// [`crate::error::ErrorKind::Cancelled`].
pub fn solve_region_until(
    kind: StrategyKind,
    problem: &RegionProblem,
    method: RegionMethod,
    cancelled: &dyn Fn() -> bool,
) -> Result<Choice> {
    let stop = Stop::new(cancelled);
    if stop.now() {
        return Err(Error::cancelled());
    }
    let choice = solve(kind, problem, method, &stop);
    if stop.tripped() {
        Err(Error::cancelled())
    } else {
        Ok(choice)
    }
}

fn solve(kind: StrategyKind, problem: &RegionProblem, method: RegionMethod, stop: &Stop) -> Choice {
    let n = problem.lists.len();
    let mut forced: Vec<usize> = problem.forced.iter().copied().filter(|&f| f < n).collect();
    forced.sort_unstable();
    forced.dedup();
    let free = n - forced.len();
    let slots = problem.k.saturating_sub(forced.len()).min(free);
    let dense_cells = n.saturating_mul(problem.demand.len());
    let trivial = slots == 0 || slots == free;
    if dense_cells <= 4_000_000 && (trivial || binomial(free, slots) <= method.max_sets) {
        let kind = match kind {
            StrategyKind::PCenter | StrategyKind::MaxCover => kind,
            _ => StrategyKind::PMedian,
        };
        return solve_with(
            strategy(kind),
            &problem.to_dense(),
            Method::Auto {
                max_sets: method.max_sets,
            },
        );
    }
    let mut fixed = vec![false; n];
    for &f in &forced {
        fixed[f] = true;
    }
    let ascent = Ascent {
        max_iterations: method.max_iterations,
        patience: method.patience,
        min_factor: method.min_factor,
        ..Ascent::default()
    };
    if trivial {
        // Every candidate (or only the forced ones): nothing to choose.
        let chosen: Vec<usize> = if slots == 0 { forced } else { (0..n).collect() };
        let objective = problem.objective(kind, &chosen);
        let reached = problem.reached_by_any();
        return Choice {
            runner_up: vec![None; chosen.len()],
            chosen,
            objective,
            exact: true,
            lower_bound: None,
            tie_bound: None,
            unreachable: (0..reached.len()).filter(|&j| !reached[j]).collect(),
        };
    }
    let heuristic = Heuristic {
        problem,
        weights: problem.weights(),
        forced: &forced,
        fixed: &fixed,
        slots,
        ascent,
        rounds: method.rounds,
        stop,
    };
    match kind {
        StrategyKind::PCenter => heuristic.p_center(),
        StrategyKind::MaxCover => heuristic.max_cover(),
        _ => heuristic.p_median(),
    }
}

/// What the heuristic paths share.
struct Heuristic<'a> {
    problem: &'a RegionProblem,
    /// [`RegionProblem::weights`].
    weights: Vec<f64>,
    forced: &'a [usize],
    fixed: &'a [bool],
    slots: usize,
    ascent: Ascent,
    /// [`RegionMethod::rounds`].
    rounds: usize,
    /// Asked inside the long loops.
    stop: &'a Stop<'a>,
}

impl Heuristic<'_> {
    /// Weighted minutes, the penalty for a school no open hub reaches.
    fn median_costs(&self) -> Costs {
        let w = &self.weights;
        let pen = w.iter().map(|w| w * self.problem.penalty_min).collect();
        Costs::new(&self.problem.lists, pen, |j, m| w[j] * m)
    }

    /// Weighted minutes of the trips within `radius`, and `penalty[j]`
    /// for a school no open hub reaches within it: the tie-break costs.
    fn minutes_within(&self, radius: f64, penalty: Vec<f64>) -> Costs {
        let w = &self.weights;
        Costs::new(&self.within(radius), penalty, |j, m| w[j] * m)
    }

    /// The lists cut at `radius`.
    fn within(&self, radius: f64) -> Vec<Vec<(u32, f64)>> {
        self.problem
            .lists
            .iter()
            .map(|l| l.iter().copied().filter(|e| e.1 <= radius).collect())
            .collect()
    }

    /// 0 within the limit, the weight for a school no open hub covers.
    fn cover_costs(&self) -> Costs {
        Costs::new(&self.within(self.problem.limit_min), self.weights.clone(), |_, _| 0.0)
    }

    /// Greedy then fast interchange on `costs`.
    fn search(&self, costs: &Costs) -> Vec<bool> {
        interchange(costs, greedy(costs, self.forced, self.slots), self.fixed, self.stop)
    }

    fn p_median(&self) -> Choice {
        let costs = self.median_costs();
        let (open, lb) = self.refine_from(&costs, greedy(&costs, self.forced, self.slots), false);
        self.choice(StrategyKind::PMedian, &costs, &open, lb)
    }

    /// Greedy and fast interchange, then [`Heuristic::refine`].
    fn search_and_bound(&self, costs: &Costs) -> (Vec<bool>, f64) {
        self.refine(costs, self.search(costs))
    }

    /// The Lagrangian bound, then the Lagrangian heuristic from `open`
    /// (a local optimum of `costs`): fast interchange again from the
    /// relaxation's own open set where the ascent stopped (and from any
    /// better set it met on the way), kept when it beats the solution.
    /// The multipliers price each school's service, so that set sits in
    /// another basin than the greedy's: on the national primary problem
    /// (904 hubs among 24,848 candidates) interchange from it lands 2.2 %
    /// lower than from the greedy, where random restarts all fall back to
    /// the greedy's local optimum. Each round bounds again against the
    /// better value, from the multipliers the last one stopped at (at
    /// most [`RegionMethod::rounds`]). The open set and the best
    /// certified bound.
    fn refine(&self, costs: &Costs, open: Vec<bool>) -> (Vec<bool>, f64) {
        self.refine_from(costs, open, true)
    }

    /// [`Heuristic::refine`] from `open`, a local optimum of `costs` when
    /// `local` (else fast interchange runs from it too, at the end, when
    /// no round found better).
    fn refine_from(&self, costs: &Costs, mut open: Vec<bool>, local: bool) -> (Vec<bool>, f64) {
        let first = Assignment::of(costs, &open);
        let mut upper = first.total();
        let mut lb = 0.0f64;
        // From a local optimum, each point's second-nearest open cost;
        // from the greedy's set (where that is the penalty for many
        // points, far above the optimum's multipliers), the nearest.
        let mut lambda = if local { first.d2 } else { first.d1 };
        let mut ascent = self.ascent;
        let mut searched = local;
        for round in 0..=self.rounds {
            if self.stop.now() {
                break;
            }
            let bound = lagrangian(costs, self.k(), self.fixed, upper, &lambda, ascent, self.stop);
            lb = lb.max(bound.lower);
            if round == self.rounds || upper - lb <= 1e-9 * upper.abs().max(1.0) {
                break;
            }
            let mut starts = vec![bound.relaxed];
            starts.extend(bound.better.map(|(_, set)| set));
            for sample in bound.samples {
                if !starts.contains(&sample) {
                    starts.push(sample);
                }
            }
            let mut improved = false;
            for start in starts {
                let found = interchange(costs, start, self.fixed, self.stop);
                let value = Assignment::of(costs, &found).total();
                if value < upper - 1e-10 * upper.abs() {
                    open = found;
                    upper = value;
                    improved = true;
                    searched = true;
                }
            }
            if !improved {
                break;
            }
            // The next round goes on from where this one stopped, with a
            // step a little longer than the last.
            lambda = bound.lambda;
            ascent.factor = (bound.factor * 4.0).min(self.ascent.factor);
            ascent.max_iterations = self.ascent.max_iterations.min(WARM_ITERATIONS);
        }
        if !searched && !self.stop.now() {
            open = interchange(costs, open, self.fixed, self.stop);
        }
        (open, lb)
    }

    fn k(&self) -> usize {
        self.forced.len() + self.slots
    }

    fn chosen(open: &[bool]) -> Vec<usize> {
        (0..open.len()).filter(|&i| open[i]).collect()
    }

    /// The choice of `open` with its objective, runners-up (margins from
    /// `costs`) and the bound `lb` on the objective's first element;
    /// `exact` when the bound proves that element (the caller proves the
    /// tie-breaks of the models that have them).
    fn choice(&self, kind: StrategyKind, costs: &Costs, open: &[bool], lb: f64) -> Choice {
        let chosen = Self::chosen(open);
        let objective = self.problem.objective(kind, &chosen);
        let runners = runners_up(costs, open, self.fixed);
        let runner_up = chosen
            .iter()
            .map(|&h| {
                runners[h].map(|(candidate, rise)| RunnerUp {
                    candidate,
                    margin: if ties(objective[0] + rise, objective[0]) {
                        0.0
                    } else {
                        rise
                    },
                    decided_by: (!ties(objective[0] + rise, objective[0])).then_some(0),
                })
            })
            .collect();
        let reached = self.problem.reached_by_any();
        Choice {
            chosen,
            objective,
            exact: proves(lb, objective[0]),
            runner_up,
            lower_bound: Some(lb),
            tie_bound: None,
            unreachable: (0..reached.len()).filter(|&j| !reached[j]).collect(),
        }
    }

    /// Maximal covering, lexicographic: the most weight covered (the
    /// search and bound on 0/1 costs), then the least weighted minutes
    /// among the sets covering that much ([`Heuristic::cover_tie_break`]).
    fn max_cover(&self) -> Choice {
        let costs = self.cover_costs();
        let (open, lb_uncovered) = self.search_and_bound(&costs);
        let total = neumaier(self.weights.iter().copied());
        let lb = lb_uncovered - total;
        let mut choice = self.choice(StrategyKind::MaxCover, &costs, &open, lb);
        // Fast interchange on the weighted minutes with each uncovered
        // weight priced above every possible saving of minutes: a swap
        // that covers less never pays, so the coverage stays.
        let price = self.uncovered_price();
        let pen = self.weights.iter().map(|w| w * (self.problem.penalty_min + price));
        let strict = self.minutes_within(self.problem.limit_min, pen.collect());
        self.keep_better(&mut choice, &strict, open);
        if choice.exact {
            self.cover_tie_break(&mut choice, &strict, total);
        }
        choice
    }

    /// Fast interchange on `strict` (max-cover's minutes, the uncovered
    /// weight priced out) from `start`, kept when it beats `choice`.
    fn keep_better(&self, choice: &mut Choice, strict: &Costs, start: Vec<bool>) {
        let kind = StrategyKind::MaxCover;
        let found = interchange(strict, start, self.fixed, self.stop);
        if better(&self.problem.objective(kind, &Self::chosen(&found)), &choice.objective) {
            let lb = choice.lower_bound.unwrap_or(f64::NEG_INFINITY);
            *choice = self.choice(kind, &self.cover_costs(), &found, lb);
        }
    }

    /// A price per uncovered weight above every saving of weighted
    /// minutes a set could make (the limit times the total weight, per
    /// the least weight), for the search only: the bounds hold for any.
    fn uncovered_price(&self) -> f64 {
        let total = neumaier(self.weights.iter().copied());
        let least = self
            .weights
            .iter()
            .copied()
            .filter(|w| *w > 0.0)
            .fold(f64::INFINITY, f64::min);
        if least.is_finite() {
            (self.problem.limit_min * total / least).max(self.problem.penalty_min)
        } else {
            self.problem.penalty_min
        }
    }

    /// Bounds max-cover's tie-break once its coverage is proven: the
    /// weighted minutes `T` of a set covering the most are at least
    /// `L_μ − μ·U*` for every price `μ ≥ 0` of the uncovered weight, where
    /// `U*` is the least uncovered weight and `L_μ` a certified bound on
    /// the p-median whose unserved school costs its weight times the
    /// penalty plus `μ` (a set covering the most pays `T + μ·U*` there).
    /// Tries a few prices from 0 up and keeps the best bound; the choice
    /// is exact when it proves the set's minutes.
    fn cover_tie_break(&self, choice: &mut Choice, strict: &Costs, total: f64) {
        let mut best = f64::NEG_INFINITY;
        for factor in [0.0, 1.0, 10.0, 100.0] {
            if self.stop.now() {
                break;
            }
            let mut open = vec![false; self.problem.lists.len()];
            for &c in &choice.chosen {
                open[c] = true;
            }
            let uncovered = (total + choice.objective[0]).max(0.0);
            let price = factor * self.problem.penalty_min;
            let pen = self.weights.iter().map(|w| w * (self.problem.penalty_min + price));
            let costs = self.minutes_within(self.problem.limit_min, pen.collect());
            let start = Assignment::of(&costs, &open);
            let upper = start.total();
            let bound = lagrangian(&costs, self.k(), self.fixed, upper, &start.d2, self.ascent, self.stop);
            let shift = price * (uncovered + 8.0 * f64::EPSILON * total);
            let lower = bound.lower - shift - 4.0 * f64::EPSILON * (bound.lower.abs() + shift);
            best = best.max(lower);
            if proves(best, choice.objective[1]) {
                break;
            }
            // The Lagrangian heuristic, keeping the coverage.
            for found in std::iter::once(bound.relaxed).chain(bound.better.map(|b| b.1)) {
                self.keep_better(choice, strict, found);
            }
            if proves(best, choice.objective[1]) {
                break;
            }
        }
        choice.tie_bound = Some((1, best));
        choice.exact = proves(best, choice.objective[1]);
    }

    /// p-center, lexicographic: the least worst trip by bisection over
    /// the covering radii ([`Heuristic::cover_at`] at each), bounded from
    /// below by the largest radius proven impossible; then the least
    /// weighted minutes among the sets within that radius
    /// ([`Heuristic::center_tie_break`]).
    fn p_center(&self) -> Choice {
        let radii = self.radii();
        if radii.is_empty() {
            // No school is reached: every set is worth the same, 0.
            let open = greedy(&self.median_costs(), self.forced, self.slots);
            let mut choice = self.choice(StrategyKind::PCenter, &self.median_costs(), &open, 0.0);
            choice.runner_up = vec![None; choice.chosen.len()];
            choice.exact = true;
            return choice;
        }
        let cover = Cover::new(self.problem, self.forced, self.slots);
        let mut tests = Tests {
            heuristic: self,
            cover: &cover,
            radii: &radii,
            seen: vec![None; radii.len()],
        };
        let (mut lo, mut hi) = (0usize, radii.len());
        let mut found: Option<(usize, Vec<bool>)> = None;
        while lo < hi && !self.stop.now() {
            let mid = (lo + hi) / 2;
            match tests.at(mid) {
                Test::Covered(set) => {
                    found = Some((mid, set));
                    hi = mid;
                }
                _ => lo = mid + 1,
            }
        }
        let (at, set) = found.unwrap_or((radii.len(), Vec::new()));
        let (at, set, proven) = tests.largest_proven(at, set);
        if at == radii.len() {
            let lb = match proven {
                Some(p) if p + 1 == radii.len() => self.problem.penalty_min,
                Some(p) => radii[p + 1],
                None => radii[0],
            };
            return self.p_center_uncovered(lb);
        }
        let lb = proven.map_or(radii[0], |p| radii[p + 1]);
        self.center_tie_break(radii[at], set, lb)
    }

    /// No set found reaches every school within the limit: the worst
    /// trip is the penalty (proven when `lb` is); the most weight covered
    /// decides, then the weighted minutes (max-cover's choice).
    fn p_center_uncovered(&self, lb: f64) -> Choice {
        let mut choice = self.max_cover();
        let covered = choice.tie_bound.is_some() || choice.exact;
        let bound_uncovered = choice
            .lower_bound
            .map(|b| b + neumaier(self.weights.iter().copied()));
        let kind = StrategyKind::PCenter;
        choice.objective = self.problem.objective(kind, &choice.chosen);
        choice.lower_bound = Some(lb);
        // The uncovered weight is the first tie-break; the worst trip
        // among the schools reached, the next, is not bounded.
        choice.tie_bound = if proves(lb, choice.objective[0]) && covered {
            bound_uncovered.map(|b| (1, b))
        } else {
            None
        };
        choice.exact = false;
        choice.runner_up = vec![None; choice.chosen.len()];
        choice
    }

    /// The least weighted minutes among the sets reaching every school
    /// within `radius`, from `set` (which does, padded by the greedy): a
    /// p-median on the trips within the radius where a school left
    /// beyond it costs more than any such set's minutes, so that the
    /// search keeps within the radius and the p-median's bound bounds
    /// the minutes of every set within it.
    fn center_tie_break(&self, radius: f64, set: Vec<bool>, lb: f64) -> Choice {
        let reached = self.problem.reached_by_any();
        let total = neumaier(self.weights.iter().copied());
        let beyond = radius * total + self.problem.penalty_min + 1.0;
        let pen = (0..reached.len()).map(|j| {
            if reached[j] {
                self.weights[j] * self.problem.penalty_min + beyond
            } else {
                0.0
            }
        });
        let costs = self.minutes_within(radius, pen.collect());
        let forced: Vec<usize> = Self::chosen(&set);
        let start = greedy(&costs, &forced, self.k().saturating_sub(forced.len()));
        let (open, lb_minutes) = self.refine(&costs, start);
        let mut choice = self.choice(StrategyKind::PCenter, &costs, &open, lb);
        choice.runner_up = vec![None; choice.chosen.len()];
        if proves(lb, choice.objective[0]) {
            choice.tie_bound = Some((3, lb_minutes));
            choice.exact = proves(lb_minutes, choice.objective[3]);
        }
        choice
    }

    /// Every distinct trip time in the lists, ascending.
    fn radii(&self) -> Vec<f64> {
        let mut radii: Vec<f64> = self
            .problem
            .lists
            .iter()
            .flatten()
            .map(|e| e.1)
            .filter(|m| *m <= self.problem.limit_min)
            .collect();
        radii.sort_by(f64::total_cmp);
        radii.dedup();
        radii
    }

    /// Whether every school reached can be covered within `radius`: a
    /// cover (greedy set covering; else fast interchange on the count of
    /// schools left beyond the radius, then the Lagrangian heuristic), a
    /// proof that none exists (packing, then the Lagrangian bound on that
    /// count above 0), or neither.
    fn cover_at(&self, cover: &Cover<'_>, radius: f64) -> Test {
        if let Some(set) = cover.greedy(radius) {
            let mut open = vec![false; self.problem.lists.len()];
            for c in set {
                open[c] = true;
            }
            return Test::Covered(open);
        }
        if cover.packing_proves(radius) {
            return Test::Proven;
        }
        let reached = &cover.reached;
        let pen = reached.iter().map(|&r| if r { 1.0 } else { 0.0 }).collect();
        let costs = Costs::new(&self.within(radius), pen, |_, _| 0.0);
        let open = self.search(&costs);
        let first = Assignment::of(&costs, &open);
        let left = first.total();
        if left <= 0.0 {
            return Test::Covered(open);
        }
        let ascent = Ascent {
            enough: 0.0,
            ..self.ascent
        };
        let bound = lagrangian(&costs, self.k(), self.fixed, left, &first.d2, ascent, self.stop);
        if bound.lower > 0.0 {
            return Test::Proven;
        }
        for start in std::iter::once(bound.relaxed).chain(bound.better.map(|b| b.1)) {
            let found = interchange(&costs, start, self.fixed, self.stop);
            if Assignment::of(&costs, &found).total() <= 0.0 {
                return Test::Covered(found);
            }
        }
        Test::Unknown
    }
}

/// Iterations at most of the ascents after the first in
/// [`Heuristic::refine`]: they go on from the last one's multipliers and
/// step, and serve mostly to move the relaxation's open set (a new start
/// for the interchange); on the national primary problem they raise the
/// bound by less than 0.001 % after the first few hundred.
const WARM_ITERATIONS: usize = 400;

/// Whether the bound `lb` proves the value `v` optimal (within a relative
/// 1e-9).
fn proves(lb: f64, v: f64) -> bool {
    v - lb <= 1e-9 * v.abs().max(1.0)
}

/// What [`Heuristic::cover_at`] found at one radius.
#[derive(Clone, Debug)]
enum Test {
    /// A set covering every school reached.
    Covered(Vec<bool>),
    /// No set covers them all.
    Proven,
    Unknown,
}

/// The covering tests at each radius, each run once.
struct Tests<'h, 'a> {
    heuristic: &'h Heuristic<'a>,
    cover: &'h Cover<'a>,
    radii: &'h [f64],
    seen: Vec<Option<Test>>,
}

impl Tests<'_, '_> {
    fn at(&mut self, i: usize) -> Test {
        if let Some(t) = &self.seen[i] {
            return t.clone();
        }
        let t = self.heuristic.cover_at(self.cover, self.radii[i]);
        self.seen[i] = Some(t.clone());
        t
    }

    /// The largest radius below `at` proven impossible, by bisection
    /// (feasibility only grows with the radius); a cover met on the way
    /// replaces `set` at its lower radius. `(at, set, proven index)`.
    fn largest_proven(
        &mut self,
        mut at: usize,
        mut set: Vec<bool>,
    ) -> (usize, Vec<bool>, Option<usize>) {
        let (mut lo, mut hi) = (0usize, at);
        let mut proven = None;
        while lo < hi && !self.heuristic.stop.now() {
            let mid = (lo + hi) / 2;
            match self.at(mid) {
                Test::Proven => {
                    proven = Some(mid);
                    lo = mid + 1;
                }
                Test::Covered(s) => {
                    (at, set) = (mid, s);
                    hi = mid;
                }
                Test::Unknown => hi = mid,
            }
        }
        (at, set, proven)
    }
}

/// Covering questions at a radius, for p-center.
struct Cover<'a> {
    problem: &'a RegionProblem,
    reached: Vec<bool>,
    /// Per demand school, `(minutes, candidate)` sorted.
    by_demand: Vec<Vec<(f64, u32)>>,
    forced: &'a [usize],
    slots: usize,
}

impl<'a> Cover<'a> {
    fn new(problem: &'a RegionProblem, forced: &'a [usize], slots: usize) -> Cover<'a> {
        let mut by_demand: Vec<Vec<(f64, u32)>> = vec![Vec::new(); problem.demand.len()];
        for (i, list) in problem.lists.iter().enumerate() {
            for &(j, m) in list {
                if let Some(l) = by_demand.get_mut(j as usize) {
                    l.push((m, i as u32));
                }
            }
        }
        for l in &mut by_demand {
            l.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        Cover {
            reached: problem.reached_by_any(),
            problem,
            by_demand,
            forced,
            slots,
        }
    }

    /// The reached schools the forced hubs leave uncovered at `radius`.
    fn open_demand(&self, radius: f64) -> Vec<bool> {
        let mut open: Vec<bool> = self.reached.clone();
        for &f in self.forced {
            for &(j, m) in &self.problem.lists[f] {
                if m <= radius {
                    open[j as usize] = false;
                }
            }
        }
        open
    }

    /// Greedy set covering at `radius`: the forced hubs and at most
    /// `slots` more covering every reached school, if greedy finds them.
    fn greedy(&self, radius: f64) -> Option<Vec<usize>> {
        let mut uncovered = self.open_demand(radius);
        let mut left = uncovered.iter().filter(|u| **u).count();
        let count = |i: usize, uncovered: &[bool]| {
            self.problem.lists[i]
                .iter()
                .filter(|&&(j, m)| m <= radius && uncovered[j as usize])
                .count()
        };
        let mut heap: BinaryHeap<(usize, std::cmp::Reverse<usize>)> = (0..self.problem.lists.len())
            .filter(|i| !self.forced.contains(i))
            .map(|i| (count(i, &uncovered), std::cmp::Reverse(i)))
            .collect();
        let mut set: Vec<usize> = self.forced.to_vec();
        while left > 0 {
            if set.len() >= self.forced.len() + self.slots {
                return None;
            }
            let (_, std::cmp::Reverse(i)) = heap.pop()?;
            let fresh = (count(i, &uncovered), std::cmp::Reverse(i));
            if fresh.0 == 0 {
                return None;
            }
            if heap.peek().is_some_and(|top| *top > fresh) {
                heap.push(fresh);
                continue;
            }
            set.push(i);
            for &(j, m) in &self.problem.lists[i] {
                if m <= radius && uncovered[j as usize] {
                    uncovered[j as usize] = false;
                    left -= 1;
                }
            }
        }
        set.sort_unstable();
        Some(set)
    }

    /// Whether packing proves that no `slots` free hubs (with the forced
    /// ones) cover every reached school within `radius`: schools whose
    /// candidate sets at the radius are pairwise disjoint each need their
    /// own hub; a school with no candidate at the radius cannot be covered.
    fn packing_proves(&self, radius: f64) -> bool {
        let open = self.open_demand(radius);
        let mut order: Vec<(usize, usize)> = (0..open.len())
            .filter(|&j| open[j])
            .map(|j| (self.by_demand[j].partition_point(|e| e.0 <= radius), j))
            .collect();
        order.sort_unstable();
        let mut used = vec![false; self.problem.lists.len()];
        let mut packed = 0usize;
        for (count, j) in order {
            if count == 0 {
                return true;
            }
            let cands = &self.by_demand[j][..count];
            if cands.iter().any(|&(_, i)| used[i as usize]) {
                continue;
            }
            for &(_, i) in cands {
                used[i as usize] = true;
            }
            packed += 1;
            if packed > self.slots {
                return true;
            }
        }
        false
    }
}
