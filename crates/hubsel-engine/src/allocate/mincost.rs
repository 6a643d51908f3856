//! Capacitated assignment by min-cost flow (`allocation.method =
//! "min-cost"`).
//!
//! What is solved exactly: the *transportation problem* with students as
//! the flow. Each school sends its students to hubs of its level within
//! the travel limit (the same choices nearest-first has), each hub takes
//! at most its capacity less its own students, and students that fit
//! nowhere go over capacity at their nearest hub. The objective is
//! lexicographic: first the fewest students over capacity, then the least
//! student-seconds. Successive shortest paths with potentials (Dijkstra
//! on lexicographic costs) solve it to optimality; its value is a lower
//! bound on any assignment of whole schools.
//!
//! Schools are indivisible in the product, and the whole-school problem
//! (a generalized assignment problem) is NP-hard, so the answer is not
//! called exact: schools the optimum sends whole to one hub keep it, the
//! few it splits (a basic optimum splits at most one school per hub that
//! fills) are placed nearest-first in the room left, and on each group of
//! schools and hubs that share choices the result is kept only when it is
//! no worse than nearest-first (else nearest-first's is). The run reports
//! the bound, the split schools and the gap between them.

use super::{Assignment, Choice, Seeker, Slot};

/// Flows below this are zero (students are counts; the sums stay exact
/// for counts far above any school's).
const TOL: f64 = 1e-9;

/// A lexicographic cost: students over capacity, then seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cost {
    over: f64,
    secs: f64,
}

impl Cost {
    const ZERO: Cost = Cost {
        over: 0.0,
        secs: 0.0,
    };
    const INF: Cost = Cost {
        over: f64::INFINITY,
        secs: f64::INFINITY,
    };

    fn add(self, o: Cost) -> Cost {
        Cost {
            over: self.over + o.over,
            secs: self.secs + o.secs,
        }
    }

    fn sub(self, o: Cost) -> Cost {
        Cost {
            over: self.over - o.over,
            secs: self.secs - o.secs,
        }
    }

    fn less(self, o: Cost) -> bool {
        self.over < o.over || (self.over == o.over && self.secs < o.secs)
    }

    /// A reduced cost, with the rounding of the seconds' sums taken back
    /// to zero (the potentials keep every reduced cost non-negative).
    fn clamped(self) -> Cost {
        if self.over < 0.0 {
            Cost::ZERO
        } else if self.over == 0.0 && self.secs < 0.0 {
            Cost {
                over: 0.0,
                secs: 0.0,
            }
        } else {
            self
        }
    }
}

/// One arc of the residual network, with its twin at `self ^ 1`.
#[derive(Clone, Debug)]
struct Arc {
    to: usize,
    cap: f64,
    cost: Cost,
}

/// A min-cost flow network: schools, hubs and the sink.
struct Network {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Network {
    fn new(nodes: usize) -> Self {
        Network {
            arcs: Vec::new(),
            out: vec![Vec::new(); nodes],
        }
    }

    fn arc(&mut self, from: usize, to: usize, cap: f64, cost: Cost) -> usize {
        let id = self.arcs.len();
        self.arcs.push(Arc { to, cap, cost });
        self.arcs.push(Arc {
            to: from,
            cap: 0.0,
            cost: Cost::ZERO.sub(cost),
        });
        self.out[from].push(id);
        self.out[to].push(id + 1);
        id
    }

    /// Dijkstra on reduced costs from every node with supply left; the
    /// distances and the arc into each node.
    fn shortest(&self, supply: &[f64], pot: &[Cost]) -> (Vec<Cost>, Vec<Option<usize>>) {
        let n = self.out.len();
        let mut dist = vec![Cost::INF; n];
        let mut prev: Vec<Option<usize>> = vec![None; n];
        let mut done = vec![false; n];
        for (v, &s) in supply.iter().enumerate() {
            if s > TOL {
                dist[v] = Cost::ZERO;
            }
        }
        // Dense selection: the groups are small (a district's schools and
        // hubs, or the hubs that share members across districts).
        for _ in 0..n {
            let mut u = None;
            for v in 0..n {
                if !done[v] && dist[v].over.is_finite() && u.is_none_or(|x: usize| dist[v].less(dist[x])) {
                    u = Some(v);
                }
            }
            let Some(u) = u else { break };
            done[u] = true;
            for &a in &self.out[u] {
                let arc = &self.arcs[a];
                if arc.cap <= TOL || done[arc.to] {
                    continue;
                }
                let r = arc.cost.add(pot[u]).sub(pot[arc.to]).clamped();
                let d = dist[u].add(r);
                if d.less(dist[arc.to]) {
                    dist[arc.to] = d;
                    prev[arc.to] = Some(a);
                }
            }
        }
        (dist, prev)
    }
}

/// The transportation optimum of one group: for each school of the group
/// (by position), its flow per choice and its flow over capacity.
pub(super) struct Transport {
    pub flows: Vec<Vec<f64>>,
    pub over: Vec<f64>,
    /// Students over capacity, and student-seconds, at the optimum.
    pub students_over: f64,
    pub student_s: f64,
}

/// Solves the transportation problem of `members` (seeker index with its
/// choices within the limit, nearest first) over `room` (students each
/// slot can still take, by slot index).
pub(super) fn transport(
    seekers: &[Seeker],
    members: &[(usize, &[Choice])],
    room: &dyn Fn(usize) -> f64,
) -> Transport {
    // Nodes: schools 0..n, then the group's slots, then the sink.
    let n = members.len();
    let mut slot_ids: Vec<usize> = members
        .iter()
        .flat_map(|(_, o)| o.iter().map(|c| c.slot))
        .collect();
    slot_ids.sort_unstable();
    slot_ids.dedup();
    let sink = n + slot_ids.len();
    let mut net = Network::new(sink + 1);
    let node_of = |slot: usize| n + slot_ids.partition_point(|&s| s < slot);
    let mut choice_arcs: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut over_arcs = Vec::with_capacity(n);
    for (i, (_, options)) in members.iter().enumerate() {
        choice_arcs.push(
            options
                .iter()
                .map(|c| {
                    let cost = Cost {
                        over: 0.0,
                        secs: c.travel_s,
                    };
                    net.arc(i, node_of(c.slot), f64::INFINITY, cost)
                })
                .collect(),
        );
        let nearest = options.first().map_or(0.0, |c| c.travel_s);
        let cost = Cost {
            over: 1.0,
            secs: nearest,
        };
        over_arcs.push(net.arc(i, sink, f64::INFINITY, cost));
    }
    for (j, &slot) in slot_ids.iter().enumerate() {
        net.arc(n + j, sink, room(slot).max(0.0), Cost::ZERO);
    }
    let mut supply: Vec<f64> = members.iter().map(|(g, _)| seekers[*g].students.max(0.0)).collect();
    supply.resize(sink + 1, 0.0);
    augment_all(&mut net, &mut supply, sink);
    let flows: Vec<Vec<f64>> = choice_arcs
        .iter()
        .map(|arcs| arcs.iter().map(|&a| net.arcs[a ^ 1].cap).collect())
        .collect();
    let over: Vec<f64> = over_arcs.iter().map(|&a| net.arcs[a ^ 1].cap).collect();
    let mut students_over = 0.0;
    let mut student_s = 0.0;
    for (i, (_, options)) in members.iter().enumerate() {
        students_over += over[i];
        student_s += over[i] * options.first().map_or(0.0, |c| c.travel_s);
        for (c, f) in options.iter().zip(&flows[i]) {
            student_s += f * c.travel_s;
        }
    }
    Transport {
        flows,
        over,
        students_over,
        student_s,
    }
}

/// Successive shortest paths until every school's students are sent
/// (the arcs over capacity are unbounded, so each path reaches the sink).
fn augment_all(net: &mut Network, supply: &mut [f64], sink: usize) {
    let mut pot = vec![Cost::ZERO; net.out.len()];
    // Each path empties a school's supply or fills an arc, and a filled
    // arc only reopens by a cheaper reroute: bounded well within this.
    let bound = 4 * net.arcs.len() + supply.len() + 16;
    for _ in 0..bound {
        if supply.iter().all(|&s| s <= TOL) {
            return;
        }
        let (dist, prev) = net.shortest(supply, &pot);
        if !dist[sink].over.is_finite() {
            return;
        }
        for (p, d) in pot.iter_mut().zip(&dist) {
            *p = p.add(if d.over.is_finite() { *d } else { dist[sink] });
        }
        // Walk back from the sink to the school that starts the path.
        let mut path = Vec::new();
        let mut v = sink;
        while let Some(a) = prev[v] {
            path.push(a);
            v = net.arcs[a ^ 1].to;
        }
        let start = v;
        let mut push = supply[start];
        for &a in &path {
            push = push.min(net.arcs[a].cap);
        }
        for &a in &path {
            net.arcs[a].cap -= push;
            net.arcs[a ^ 1].cap += push;
        }
        supply[start] -= push;
    }
}

/// The groups of schools and hubs joined by shared choices (components of
/// the bipartite choice graph), each as positions in `queue`, in order.
pub(super) fn groups(queue: &[(f64, usize, Vec<Choice>)], slots: usize) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..slots).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (_, _, options) in queue {
        if let Some(first) = options.first() {
            let a = find(&mut parent, first.slot);
            for c in &options[1..] {
                let b = find(&mut parent, c.slot);
                if a != b {
                    let (lo, hi) = (a.min(b), a.max(b));
                    parent[hi] = lo;
                }
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (q, (_, _, options)) in queue.iter().enumerate() {
        let root = options.first().map_or(usize::MAX, |c| find(&mut parent, c.slot));
        by_root.entry(root).or_default().push(q);
    }
    by_root.into_values().collect()
}

/// Student-seconds and students over capacity of members' assignments.
pub(super) fn cost_of(seekers: &[Seeker], result: &[Option<Assignment>], who: &[usize]) -> (f64, f64) {
    let mut over = 0.0;
    let mut secs = 0.0;
    for &i in who {
        if let Some(Assignment::Member {
            travel_s,
            over_capacity,
            ..
        }) = &result[i]
        {
            secs += seekers[i].students * travel_s;
            if *over_capacity {
                over += seekers[i].students;
            }
        }
    }
    (over, secs)
}

/// Whether a `(over, seconds)` cost is at most another's (lexicographic,
/// seconds to a relative rounding).
pub(super) fn no_worse(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 - TOL || (a.0 <= b.0 + TOL && a.1 <= b.1 * (1.0 + 1e-12) + TOL)
}

/// Slots of a group whose capacity binds (finite).
pub(super) fn any_capacity(slots: &[Slot], options: &[&[Choice]]) -> bool {
    options
        .iter()
        .any(|o| o.iter().any(|c| slots[c.slot].capacity_students.is_finite()))
}
