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
//! - **max-cover**: the same search on 0/1 costs (a school within the limit
//!   of an open hub costs 0, else its weight); the same bound, on the
//!   weight left uncovered, bounds the weight covered from above.
//! - **p-center**: bisection over the covering radii (every distinct trip
//!   time in the lists): the least radius at which greedy set covering
//!   covers every school with `k` hubs, the remaining hubs placed by the
//!   p-median greedy; bounded from below by packing: at a radius where
//!   more schools than free hubs have pairwise disjoint candidate sets, no
//!   set covers them all, so the optimum is above it.
//!
//! When the sets are few enough to enumerate (the same limit as the
//! district solver), the dense problem is built and enumerated instead:
//! the result is then exact. A heuristic result is `exact` only when its
//! bound proves it (within a relative 1e-9).

use std::collections::BinaryHeap;

use super::bound::{lagrangian, Ascent};
use super::swap::{greedy, interchange, runners_up, Assignment, Costs};
use super::{
    binomial, solve_with, strategy, ties, Candidate, Choice, LevelProblem, Method, Objective,
    RunnerUp, MAX_ENUMERATION,
};
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
}

impl Heuristic<'_> {
    /// Weighted minutes, the penalty for a school no open hub reaches.
    fn median_costs(&self) -> Costs {
        let w = &self.weights;
        let pen = w.iter().map(|w| w * self.problem.penalty_min).collect();
        Costs::new(&self.problem.lists, pen, |j, m| w[j] * m)
    }

    /// 0 within the limit, the weight for a school no open hub covers.
    fn cover_costs(&self) -> Costs {
        let limit = self.problem.limit_min;
        let lists: Vec<Vec<(u32, f64)>> = self
            .problem
            .lists
            .iter()
            .map(|l| l.iter().copied().filter(|e| e.1 <= limit).collect())
            .collect();
        Costs::new(&lists, self.weights.clone(), |_, _| 0.0)
    }

    /// Greedy then fast interchange on `costs`.
    fn search(&self, costs: &Costs) -> Vec<bool> {
        interchange(costs, greedy(costs, self.forced, self.slots), self.fixed)
    }

    fn p_median(&self) -> Choice {
        let costs = self.median_costs();
        let (open, lb) = self.search_and_bound(&costs);
        self.choice(StrategyKind::PMedian, &costs, &open, lb)
    }

    fn max_cover(&self) -> Choice {
        let costs = self.cover_costs();
        let (open, lb_uncovered) = self.search_and_bound(&costs);
        let total: f64 = super::swap::neumaier(self.weights.iter().copied());
        self.choice(StrategyKind::MaxCover, &costs, &open, lb_uncovered - total)
    }

    /// Greedy and fast interchange, then the Lagrangian bound, then the
    /// Lagrangian heuristic: fast interchange again from the relaxation's
    /// own open set where the ascent stopped (and from any better set it
    /// met on the way), kept when it beats the solution. The multipliers
    /// price each school's service, so that set sits in another basin
    /// than the greedy's: on the national primary problem (904 hubs among
    /// 24,848 candidates) interchange from it lands 2.2 % lower than from
    /// the greedy, where random restarts all fall back to the greedy's
    /// local optimum. Each round bounds again against the better value,
    /// from the multipliers the last one stopped at (at most
    /// [`RegionMethod::rounds`]). The open set and the best certified
    /// bound.
    fn search_and_bound(&self, costs: &Costs) -> (Vec<bool>, f64) {
        let mut open = self.search(costs);
        let first = Assignment::of(costs, &open);
        let mut upper = first.total();
        let mut lb = 0.0f64;
        let mut lambda = first.d2;
        for round in 0..=self.rounds {
            let bound = lagrangian(costs, self.k(), self.fixed, upper, &lambda, self.ascent);
            lb = lb.max(bound.lower);
            if round == self.rounds || upper - lb <= 1e-9 * upper.abs().max(1.0) {
                break;
            }
            let mut starts = vec![bound.relaxed];
            starts.extend(bound.better.map(|(_, set)| set));
            let mut improved = false;
            for start in starts {
                let found = interchange(costs, start, self.fixed);
                let value = Assignment::of(costs, &found).total();
                if value < upper - 1e-10 * upper.abs() {
                    open = found;
                    upper = value;
                    improved = true;
                }
            }
            if !improved {
                break;
            }
            // The next round goes on from where this one stopped.
            lambda = bound.lambda;
        }
        (open, lb)
    }

    fn k(&self) -> usize {
        self.forced.len() + self.slots
    }

    /// The choice of `open` with its objective, runners-up (margins from
    /// `costs`) and the bound `lb` on the objective's first element.
    fn choice(&self, kind: StrategyKind, costs: &Costs, open: &[bool], lb: f64) -> Choice {
        let chosen: Vec<usize> = (0..open.len()).filter(|&i| open[i]).collect();
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
        let proven = objective[0] - lb <= 1e-9 * objective[0].abs().max(1.0);
        Choice {
            chosen,
            objective,
            exact: proven,
            runner_up,
            lower_bound: Some(lb),
            unreachable: (0..reached.len()).filter(|&j| !reached[j]).collect(),
        }
    }

    /// Bisection over the covering radii, padded by the p-median greedy;
    /// the packing bound below.
    fn p_center(&self) -> Choice {
        let radii = self.radii();
        let cover = Cover::new(self.problem, self.forced, self.slots);
        let median = self.median_costs();
        let (mut lo, mut hi) = (0usize, radii.len());
        let mut found: Option<Vec<usize>> = None;
        while lo < hi {
            let mid = (lo + hi) / 2;
            match cover.greedy(radii[mid]) {
                Some(set) => {
                    found = Some(set);
                    hi = mid;
                }
                None => lo = mid + 1,
            }
        }
        let Some(set) = found else {
            // Not every school can be reached within the limit: the worst
            // trip is the penalty whatever the set; cover the most weight.
            let mut choice = self.max_cover();
            let lb = self.packing_bound(&cover, &radii);
            choice.objective = self.problem.objective(StrategyKind::PCenter, &choice.chosen);
            choice.lower_bound = Some(lb);
            choice.exact = choice.objective[0] <= lb;
            choice.runner_up = vec![None; choice.chosen.len()];
            return choice;
        };
        let open = greedy(&median, &set, self.k().saturating_sub(set.len()));
        let lb = self.packing_bound(&cover, &radii);
        let mut choice = self.choice(StrategyKind::PCenter, &median, &open, lb);
        choice.runner_up = vec![None; choice.chosen.len()];
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

    /// The least radius not proven infeasible by packing: above the
    /// largest radius proven, the penalty when the last one is proven.
    fn packing_bound(&self, cover: &Cover<'_>, radii: &[f64]) -> f64 {
        let (mut lo, mut hi) = (0usize, radii.len());
        let mut proven: Option<usize> = None;
        while lo < hi {
            let mid = (lo + hi) / 2;
            if cover.packing_proves(radii[mid]) {
                proven = Some(proven.map_or(mid, |p: usize| p.max(mid)));
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        match proven {
            None => 0.0,
            Some(p) => radii.get(p + 1).copied().unwrap_or(self.problem.penalty_min),
        }
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
