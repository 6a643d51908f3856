//! Greedy construction and fast interchange on sparse costs, for the
//! region-wide models: the vertex substitution of Teitz & Bart with the
//! bookkeeping of Whitaker's fast interchange as Resende & Werneck (2003)
//! state it. For the open set each demand point keeps its nearest and
//! second nearest open candidate (`d1`, `phi1`, `d2`); then for a closed
//! candidate `i` and an open `r`
//!
//! ```text
//! profit(i, r) = gain(i) − loss(r) + extra(i, r)
//! gain(i)      = Σ_j max(0, d1_j − c_ij)
//! loss(r)      = Σ_{j: phi1_j = r} (d2_j − d1_j)
//! extra(i, r)  = Σ_{j: phi1_j = r, c_ij < d2_j} (d2_j − max(c_ij, d1_j))
//! ```
//!
//! and every swap is evaluated in one pass over the candidates' lists: the
//! pairs with no `extra` share the open candidate of least loss. Each demand
//! point may also stay unserved at its penalty, a facility that is always
//! open, so a point far from every open candidate costs the penalty and
//! no dense matrix is needed. Costs are what the objective adds up: weighted
//! minutes for the p-median, 0 within the limit with the weight as penalty
//! for maximal covering.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

/// Asks a caller's "cancelled?" between the steps of the long loops
/// (each swap of the interchange, each step of the ascent, each round of
/// the Lagrangian heuristic). Once it has said yes it stays tripped: every
/// loop then stops at its next step and the solve is thrown away.
pub(super) struct Stop<'a> {
    asked: &'a dyn Fn() -> bool,
    tripped: std::cell::Cell<bool>,
}

impl<'a> Stop<'a> {
    pub(super) fn new(asked: &'a dyn Fn() -> bool) -> Stop<'a> {
        Stop {
            asked,
            tripped: std::cell::Cell::new(false),
        }
    }

    /// Whether to stop now (asks the caller until it says yes).
    pub(super) fn now(&self) -> bool {
        if !self.tripped.get() && (self.asked)() {
            self.tripped.set(true);
        }
        self.tripped.get()
    }

    /// Whether the caller said yes at some point.
    pub(super) fn tripped(&self) -> bool {
        self.tripped.get()
    }
}

/// No open candidate: the point is at its penalty.
pub(super) const NONE: u32 = u32::MAX;

/// Rows of items in one allocation (compressed sparse rows): row `r` is
/// `items[start[r]..start[r + 1]]`. The solver walks every row of the
/// costs thousands of times; in one block they stream through the cache
/// where a vector per row is a pointer chase per row.
pub(super) struct Rows<T> {
    start: Vec<usize>,
    items: Vec<T>,
}

impl<T> Rows<T> {
    /// The rows of `rows`, in order.
    fn of(rows: Vec<Vec<T>>) -> Rows<T> {
        let mut start = Vec::with_capacity(rows.len() + 1);
        start.push(0);
        let mut items = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        for row in rows {
            items.extend(row);
            start.push(items.len());
        }
        Rows { start, items }
    }

    /// How many rows.
    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// Every row, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[T]> + '_ {
        self.start.windows(2).map(|w| &self.items[w[0]..w[1]])
    }
}

impl<T> std::ops::Index<usize> for Rows<T> {
    type Output = [T];

    fn index(&self, r: usize) -> &[T] {
        &self.items[self.start[r]..self.start[r + 1]]
    }
}

/// Sparse costs, by candidate and by demand point.
pub(super) struct Costs {
    /// Per candidate, `(demand point, cost)` sorted by point.
    pub(super) by_candidate: Rows<(u32, f64)>,
    /// Per demand point, `(cost, candidate)` sorted.
    pub(super) by_demand: Rows<(f64, u32)>,
    /// The cost of leaving each point unserved.
    pub(super) penalty: Vec<f64>,
}

impl Costs {
    /// Costs from the candidates' lists (`(point, minutes)`), with `cost`
    /// turning a point and its minutes into what the objective adds.
    pub(super) fn new(
        lists: &[Vec<(u32, f64)>],
        penalty: Vec<f64>,
        cost: impl Fn(usize, f64) -> f64,
    ) -> Costs {
        let mut by_demand: Vec<Vec<(f64, u32)>> = vec![Vec::new(); penalty.len()];
        let by_candidate: Vec<Vec<(u32, f64)>> = lists
            .iter()
            .enumerate()
            .map(|(i, list)| {
                list.iter()
                    .filter(|(j, _)| (*j as usize) < penalty.len())
                    .map(|&(j, m)| {
                        let c = cost(j as usize, m);
                        by_demand[j as usize].push((c, i as u32));
                        (j, c)
                    })
                    .collect()
            })
            .collect();
        for list in &mut by_demand {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        Costs {
            by_candidate: Rows::of(by_candidate),
            by_demand: Rows::of(by_demand),
            penalty,
        }
    }

    pub(super) fn candidates(&self) -> usize {
        self.by_candidate.len()
    }
}

/// Nearest and second nearest open candidate of every demand point.
pub(super) struct Assignment {
    pub(super) d1: Vec<f64>,
    pub(super) phi1: Vec<u32>,
    pub(super) d2: Vec<f64>,
}

impl Assignment {
    pub(super) fn of(costs: &Costs, open: &[bool]) -> Assignment {
        let n = costs.penalty.len();
        let each: Vec<(f64, u32, f64)> = (0..n)
            .into_par_iter()
            .map(|j| {
                let pen = costs.penalty[j];
                let mut open_here = costs.by_demand[j]
                    .iter()
                    .take_while(|(c, _)| *c < pen)
                    .filter(|(_, i)| open[*i as usize]);
                match open_here.next() {
                    Some(&(c, i)) => (c, i, open_here.next().map_or(pen, |e| e.0)),
                    None => (pen, NONE, pen),
                }
            })
            .collect();
        Assignment {
            d1: each.iter().map(|e| e.0).collect(),
            phi1: each.iter().map(|e| e.1).collect(),
            d2: each.iter().map(|e| e.2).collect(),
        }
    }

    /// The objective: every point at its nearest open candidate or its
    /// penalty, summed with compensation.
    pub(super) fn total(&self) -> f64 {
        neumaier(self.d1.iter().copied())
    }
}

/// Neumaier's compensated sum, in the order given.
pub(super) fn neumaier(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        comp += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// A gain in a heap: larger first, then the lower candidate.
#[derive(PartialEq)]
struct Keyed(f64, u32);

impl Eq for Keyed {}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

/// Greedy construction: the forced candidates, then `slots` times the
/// candidate that saves most (lazily re-evaluated: savings only shrink as
/// candidates open). Returns the open flags.
pub(super) fn greedy(costs: &Costs, forced: &[usize], slots: usize) -> Vec<bool> {
    let n = costs.candidates();
    let mut open = vec![false; n];
    let mut d1 = costs.penalty.clone();
    let take = |i: usize, open: &mut Vec<bool>, d1: &mut Vec<f64>| {
        open[i] = true;
        for &(j, c) in &costs.by_candidate[i] {
            let j = j as usize;
            d1[j] = d1[j].min(c);
        }
    };
    for &f in forced {
        if f < n {
            take(f, &mut open, &mut d1);
        }
    }
    let saving = |i: usize, d1: &[f64]| -> f64 {
        neumaier(
            costs.by_candidate[i]
                .iter()
                .map(|&(j, c)| (d1[j as usize] - c).max(0.0)),
        )
    };
    let mut heap: BinaryHeap<Keyed> = (0..n)
        .filter(|&i| !open[i])
        .map(|i| Keyed(saving(i, &d1), i as u32))
        .collect();
    let mut added = 0;
    while added < slots {
        let Some(Keyed(_, i)) = heap.pop() else { break };
        let i = i as usize;
        let fresh = Keyed(saving(i, &d1), i as u32);
        if heap.peek().is_none_or(|top| fresh >= *top) {
            take(i, &mut open, &mut d1);
            added += 1;
        } else {
            heap.push(fresh);
        }
    }
    open
}

/// The best swap found for one closed candidate: (profit, closed
/// candidate, open candidate).
type Swap = (f64, usize, usize);

/// Whether swap `a` is better than `b`: more profit, then the lower
/// candidates.
fn better_swap(a: &Swap, b: &Swap) -> bool {
    match a.0.total_cmp(&b.0) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => (a.1, a.2) < (b.1, b.2),
    }
}

/// Per open candidate, what closing it costs (`loss`), and the open
/// candidates that may close in order of loss.
struct Losses {
    loss: Vec<f64>,
    order: Vec<usize>,
}

impl Losses {
    fn of(a: &Assignment, open: &[bool], fixed: &[bool]) -> Losses {
        let mut loss = vec![0.0; open.len()];
        for j in 0..a.d1.len() {
            if a.phi1[j] != NONE {
                loss[a.phi1[j] as usize] += a.d2[j] - a.d1[j];
            }
        }
        let mut order: Vec<usize> = (0..open.len()).filter(|&r| open[r] && !fixed[r]).collect();
        order.sort_by(|&x, &y| loss[x].total_cmp(&loss[y]).then(x.cmp(&y)));
        Losses { loss, order }
    }
}

/// `gain(i)` and the `extra(i, r)` of closed candidate `i`, by `r`.
fn gain_and_extra(costs: &Costs, a: &Assignment, i: usize) -> (f64, Vec<(u32, f64)>) {
    let mut gain = 0.0;
    let mut extra: Vec<(u32, f64)> = Vec::new();
    for &(j, c) in &costs.by_candidate[i] {
        let j = j as usize;
        if c < a.d1[j] {
            gain += a.d1[j] - c;
        }
        if a.phi1[j] != NONE && c < a.d2[j] {
            extra.push((a.phi1[j], a.d2[j] - c.max(a.d1[j])));
        }
    }
    extra.sort_by_key(|e| e.0);
    let mut merged: Vec<(u32, f64)> = Vec::with_capacity(extra.len());
    for (r, x) in extra {
        match merged.last_mut() {
            Some(last) if last.0 == r => last.1 += x,
            _ => merged.push((r, x)),
        }
    }
    (gain, merged)
}

/// The bookkeeping of fast interchange kept up to date swap by swap
/// (Resende & Werneck 2003): per point its nearest and second nearest open
/// candidate; per candidate `gain`, `loss` and its `extra` by open
/// candidate, the sums of the module's formulas over the points. A swap
/// changes only the points that had the closed candidate among their two
/// nearest or that the opened one serves better than their second: their
/// terms are taken off, the points reassigned, their terms put back. Every
/// candidate's sums are kept, open or closed, so a candidate that closes
/// has its own already. Sums kept this way drift by rounding; the
/// interchange only trusts them to pick a swap, checks each swap on the
/// exact total, and before stopping builds them again from scratch (the
/// same sums, in the same order, as [`gain_and_extra`] and [`Losses`]).
struct Tracked {
    d1: Vec<f64>,
    phi1: Vec<u32>,
    d2: Vec<f64>,
    phi2: Vec<u32>,
    gain: Vec<f64>,
    loss: Vec<f64>,
    extra: Vec<Vec<(u32, f64)>>,
}

impl Tracked {
    fn of(costs: &Costs, open: &[bool]) -> Tracked {
        let m = costs.penalty.len();
        let n = costs.candidates();
        let mut t = Tracked {
            d1: costs.penalty.clone(),
            phi1: vec![NONE; m],
            d2: costs.penalty.clone(),
            phi2: vec![NONE; m],
            gain: vec![0.0; n],
            loss: vec![0.0; n],
            extra: vec![Vec::new(); n],
        };
        for j in 0..m {
            t.assign(costs, open, j);
            t.terms(costs, j, 1.0);
        }
        t
    }

    /// Point `j`'s two nearest open candidates (or its penalty).
    fn assign(&mut self, costs: &Costs, open: &[bool], j: usize) {
        let pen = costs.penalty[j];
        let mut open_here = costs.by_demand[j]
            .iter()
            .take_while(|(c, _)| *c < pen)
            .filter(|(_, i)| open[*i as usize]);
        let (d1, phi1) = open_here.next().map_or((pen, NONE), |e| (e.0, e.1));
        let (d2, phi2) = open_here.next().map_or((pen, NONE), |e| (e.0, e.1));
        self.d1[j] = d1;
        self.phi1[j] = phi1;
        self.d2[j] = d2;
        self.phi2[j] = phi2;
    }

    /// Adds (`sign` 1) or takes off (-1) point `j`'s terms of every sum.
    fn terms(&mut self, costs: &Costs, j: usize, sign: f64) {
        let (d1, p1, d2) = (self.d1[j], self.phi1[j], self.d2[j]);
        if p1 != NONE {
            self.loss[p1 as usize] += sign * (d2 - d1);
        }
        for &(c, i) in costs.by_demand[j].iter().take_while(|e| e.0 < d2) {
            let i = i as usize;
            if c < d1 {
                self.gain[i] += sign * (d1 - c);
            }
            if p1 == NONE {
                continue;
            }
            let x = sign * (d2 - c.max(d1));
            match self.extra[i].iter_mut().find(|e| e.0 == p1) {
                Some(e) => e.1 += x,
                None => self.extra[i].push((p1, x)),
            }
        }
    }

    /// Opens `i` and closes `r` (already set in `open`): the points
    /// either touches are taken off, reassigned and put back.
    fn swap(&mut self, costs: &Costs, open: &[bool], i: usize, r: usize, mark: &mut [bool]) {
        let mut touched: Vec<usize> = Vec::new();
        for &(j, _) in &costs.by_candidate[r] {
            let j = j as usize;
            if (self.phi1[j] as usize == r || self.phi2[j] as usize == r) && !mark[j] {
                mark[j] = true;
                touched.push(j);
            }
        }
        for &(j, c) in &costs.by_candidate[i] {
            let j = j as usize;
            if c <= self.d2[j] && !mark[j] {
                mark[j] = true;
                touched.push(j);
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            self.terms(costs, j, -1.0);
            self.assign(costs, open, j);
            self.terms(costs, j, 1.0);
            mark[j] = false;
        }
    }

    fn total(&self) -> f64 {
        neumaier(self.d1.iter().copied())
    }

    /// The best swap by the kept sums: for each closed candidate, every
    /// open one it has an `extra` with, and the open one of least loss
    /// it has none with.
    fn best(&self, open: &[bool], fixed: &[bool]) -> Option<Swap> {
        let mut order: Vec<usize> = (0..open.len()).filter(|&r| open[r] && !fixed[r]).collect();
        order.sort_by(|&x, &y| self.loss[x].total_cmp(&self.loss[y]).then(x.cmp(&y)));
        if order.is_empty() {
            return None;
        }
        let mut best: Option<Swap> = None;
        let mut offer = |s: Swap| {
            if best.as_ref().is_none_or(|b| better_swap(&s, b)) {
                best = Some(s);
            }
        };
        for i in (0..open.len()).filter(|&i| !open[i]) {
            let (gain, extra) = (self.gain[i], &self.extra[i]);
            for &(r, x) in extra {
                let r = r as usize;
                if open[r] && !fixed[r] {
                    offer((gain - self.loss[r] + x, i, r));
                }
            }
            if let Some(&r) = order.iter().find(|&&r| extra.iter().all(|e| e.0 as usize != r)) {
                offer((gain - self.loss[r], i, r));
            }
        }
        best
    }
}

/// Fast interchange from `open`: the best swap of a closed and an open
/// candidate (not `fixed`) while it lowers the total. Returns the open
/// flags at the local optimum (or where `stop` said to stop). The sums
/// that pick each swap are kept up to date ([`Tracked`]); the search stops
/// only when sums built afresh find no swap that lowers the total.
pub(super) fn interchange(costs: &Costs, mut open: Vec<bool>, fixed: &[bool], stop: &Stop) -> Vec<bool> {
    let mut t = Tracked::of(costs, &open);
    let mut fresh = true;
    let mut value = t.total();
    let mut mark = vec![false; costs.penalty.len()];
    loop {
        if stop.now() {
            return open;
        }
        let tolerance = 1e-10 * value.abs().max(1.0);
        let chosen = t.best(&open, fixed).filter(|s| s.0 > tolerance);
        let Some((_, i, r)) = chosen else {
            if fresh {
                return open;
            }
            t = Tracked::of(costs, &open);
            fresh = true;
            continue;
        };
        open[i] = true;
        open[r] = false;
        t.swap(costs, &open, i, r, &mut mark);
        let next_value = t.total();
        if next_value >= value - tolerance {
            open[i] = false;
            open[r] = true;
            if fresh {
                return open;
            }
            t = Tracked::of(costs, &open);
            fresh = true;
            continue;
        }
        value = next_value;
        fresh = false;
    }
}

/// A closed candidate with its gain and extras.
type Closed = (usize, f64, Vec<(u32, f64)>);

/// For each open candidate not `fixed`, the closed candidate that best
/// replaces it and how much the total rises with that swap (negative
/// only by rounding: the set is a local optimum).
pub(super) fn runners_up(costs: &Costs, open: &[bool], fixed: &[bool]) -> Vec<Option<(usize, f64)>> {
    let a = Assignment::of(costs, open);
    let l = Losses::of(&a, open, fixed);
    let closed: Vec<Closed> = (0..costs.candidates())
        .into_par_iter()
        .filter(|&i| !open[i])
        .map(|i| {
            let (gain, extra) = gain_and_extra(costs, &a, i);
            (i, gain, extra)
        })
        .collect();
    let mut by_gain: Vec<usize> = (0..closed.len()).collect();
    by_gain.sort_by(|&x, &y| closed[y].1.total_cmp(&closed[x].1).then(x.cmp(&y)));
    let mut best: Vec<Option<Swap>> = vec![None; open.len()];
    let mut offer = |s: Swap| {
        let slot = &mut best[s.2];
        if slot.as_ref().is_none_or(|b| better_swap(&s, b)) {
            *slot = Some(s);
        }
    };
    for (i, gain, extra) in &closed {
        for &(r, x) in extra {
            if !fixed[r as usize] {
                offer((gain - l.loss[r as usize] + x, *i, r as usize));
            }
        }
    }
    for &r in &l.order {
        let untouched = by_gain.iter().map(|&k| &closed[k]).find(|(_, _, extra)| {
            extra.binary_search_by_key(&(r as u32), |e| e.0).is_err()
        });
        if let Some((i, gain, _)) = untouched {
            offer((gain - l.loss[r], *i, r));
        }
    }
    (0..open.len())
        .map(|r| best[r].map(|(profit, i, _)| (i, -profit)))
        .collect()
}
