//! Shortest travel times on the road graph.
//!
//! The fast engine ([`search`]) is a bounded Dijkstra over the compact
//! adjacency arrays with reusable scratch memory ([`SearchSpace`], one per
//! worker thread). Points on the network ([`Snap`]s) enter and leave the
//! graph part-way along a link, so a trip starts exactly at a school's snap
//! point. The plain computation the engine is checked against is the
//! crate `hubsel-testkit`'s `reference`, which does not depend on the engine.

pub mod core;
pub mod matrix;
pub mod od;
pub mod reach;

use std::cell::RefCell;

use geo::Coord;

use crate::graph::{arc_is_backward, arc_link, ArcId, RoadGraph};
pub use crate::routing::core::{Arcs, Core, Hop};
use crate::spatial::Snap;

const NONE: u32 = u32::MAX;

thread_local! {
    static SPACE: RefCell<Option<SearchSpace>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's search space, sized for `node_count`.
pub(crate) fn with_space<R>(node_count: usize, f: impl FnOnce(&mut SearchSpace) -> R) -> R {
    SPACE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|s| s.node_count() != node_count) {
            *slot = Some(SearchSpace::new(node_count));
        }
        match slot.as_mut() {
            Some(space) => f(space),
            None => f(&mut SearchSpace::new(node_count)),
        }
    })
}

/// One node's state in a search: its distance and parent are current
/// when `state` is the search's seen or settled mark ([`SearchSpace::seen`]),
/// and `pos` is its place in the heap while it is seen and not settled.
/// Kept together (24 bytes) so that a relaxation touches one cache line.
#[derive(Clone, Copy, Debug)]
struct Slot {
    dist_s: f64,
    parent: ArcId,
    state: u32,
    target: u32,
    pos: u32,
}

const FRESH: Slot = Slot {
    dist_s: f64::INFINITY,
    parent: NONE,
    state: 0,
    target: 0,
    pos: 0,
};

/// A heap entry: the f64 bits of the distance (non-negative f64 order like
/// their bits) above the node, so that entries order by (distance, node)
/// in one comparison: ties go to the lower node, which keeps the searches
/// deterministic.
fn entry(dist_s: f64, node: u32) -> u128 {
    (u128::from(dist_s.to_bits()) << 32) | u128::from(node)
}

fn entry_node(e: u128) -> usize {
    e as u32 as usize
}

/// A 4-ary min-heap of entries with each node at most once (its place in
/// its slot, so that a shorter distance moves it up instead of adding an
/// entry): it pops nodes in the same (distance, node) order as a binary
/// heap of every tentative distance did, with fewer and shallower moves.
#[derive(Clone, Debug, Default)]
struct NodeHeap {
    items: Vec<u128>,
}

impl NodeHeap {
    fn clear(&mut self) {
        self.items.clear();
    }

    /// Puts `item` at `i` or above, moving greater parents down.
    fn sift_up(&mut self, slots: &mut [Slot], mut i: usize, item: u128) {
        while i > 0 {
            let parent = (i - 1) / 4;
            let p = self.items[parent];
            if item >= p {
                break;
            }
            self.items[i] = p;
            slots[entry_node(p)].pos = i as u32;
            i = parent;
        }
        self.items[i] = item;
        slots[entry_node(item)].pos = i as u32;
    }

    /// A node not in the heap.
    fn insert(&mut self, slots: &mut [Slot], item: u128) {
        let i = self.items.len();
        self.items.push(item);
        self.sift_up(slots, i, item);
    }

    /// A node in the heap, now at a shorter distance.
    fn decrease(&mut self, slots: &mut [Slot], item: u128) {
        let i = slots[entry_node(item)].pos as usize;
        self.sift_up(slots, i, item);
    }

    fn pop(&mut self, slots: &mut [Slot]) -> Option<u128> {
        let last = self.items.pop()?;
        let Some(&top) = self.items.first() else {
            return Some(last);
        };
        let len = self.items.len();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= len {
                break;
            }
            let mut best = first;
            let mut least = self.items[first];
            for c in first + 1..(first + 4).min(len) {
                let v = self.items[c];
                if v < least {
                    least = v;
                    best = c;
                }
            }
            if least >= last {
                break;
            }
            self.items[i] = least;
            slots[entry_node(least)].pos = i as u32;
            i = best;
        }
        self.items[i] = last;
        slots[entry_node(last)].pos = i as u32;
        Some(top)
    }
}

/// Scratch memory for one search at a time: distances and parents for
/// every node, reset in O(1) by bumping a generation stamp. A node is seen
/// by search `g` when its state is `2g`, settled when `2g + 1`: states of
/// earlier searches are smaller.
pub struct SearchSpace {
    slots: Vec<Slot>,
    generation: u32,
    heap: NodeHeap,
    /// The nodes the last search settled, in the order it settled them.
    settled_list: Vec<u32>,
    /// Nodes settled by the last search.
    pub settled_count: u64,
}

impl SearchSpace {
    pub fn new(node_count: usize) -> SearchSpace {
        SearchSpace {
            slots: vec![FRESH; node_count],
            generation: 0,
            heap: NodeHeap::default(),
            settled_list: Vec::new(),
            settled_count: 0,
        }
    }

    pub fn node_count(&self) -> usize {
        self.slots.len()
    }

    fn reset(&mut self) {
        if self.generation >= u32::MAX / 2 - 1 {
            self.slots.iter_mut().for_each(|s| *s = FRESH);
            self.generation = 0;
        }
        self.generation += 1;
        self.heap.clear();
        self.settled_list.clear();
        self.settled_count = 0;
    }

    /// The nodes the last search settled, in the order it settled them.
    pub fn settled_nodes(&self) -> &[u32] {
        &self.settled_list
    }

    /// The state of a node seen by the current search.
    fn seen(&self) -> u32 {
        2 * self.generation
    }

    /// The state of a node settled by the current search.
    fn settled(&self) -> u32 {
        2 * self.generation + 1
    }

    /// Final travel seconds to (or from) `node`, if the last search settled it.
    pub fn dist_s(&self, node: u32) -> Option<f64> {
        let s = &self.slots[node as usize];
        (s.state == self.settled()).then_some(s.dist_s)
    }

    /// The arc by which the last search reached a settled node; `None` for a
    /// seed (or an unsettled node).
    pub fn parent(&self, node: u32) -> Option<ArcId> {
        let s = &self.slots[node as usize];
        (s.state == self.settled() && s.parent != NONE).then_some(s.parent)
    }
}

/// Dijkstra over `adj` from `seeds` (node, starting seconds). Stops when
/// every node of `targets` is settled, or when the next node is beyond
/// `cutoff_s`. Over [`RoadGraph::reverse`] (or a [`Core`] of it) it
/// computes travel times *to* the seeds.
pub fn search(
    adj: &impl Arcs,
    space: &mut SearchSpace,
    seeds: &[(u32, f64)],
    targets: &[u32],
    cutoff_s: f64,
) {
    space.reset();
    let g = space.generation;
    let mut pending = 0usize;
    for &t in targets {
        let slot = &mut space.slots[t as usize];
        if slot.target != g {
            slot.target = g;
            pending += 1;
        }
    }
    dijkstra(adj, space, seeds, cutoff_s, &mut AllTargets { pending });
}

/// The ends by which a trip leaves a point for the seeds of a reverse
/// search: (node, seconds from the point to it), as [`Ends::leave`] gives
/// them, less those that cannot reach the seeds (infinite seconds).
pub type Leaving = [(u32, f64); 2];

/// [`search`] towards the seeds from `points`, stopped once each point's
/// trip is known: when each of its ends is settled, or when its ends still
/// unsettled can only give longer trips than one already found (an end is
/// at least as far as the node about to be settled, so its trip is at
/// least `leave + d`: the search stops when that exceeds the best trip,
/// strictly, so no unsettled end could even tie). [`trip_to_seeded`] from
/// each point gives what it would after the longer search; so do the
/// trees ([`Tree::extract`]), which only use settled nodes.
pub fn search_from_points(
    adj: &impl Arcs,
    space: &mut SearchSpace,
    seeds: &[(u32, f64)],
    points: &[Leaving],
    cutoff_s: f64,
) {
    space.reset();
    let g = space.generation;
    let mut goal = PointTrips {
        points,
        ends: Vec::with_capacity(2 * points.len()),
        left: vec![0; points.len()],
        best: vec![f64::INFINITY; points.len()],
        open: Vec::new(),
        next_check: f64::INFINITY,
        pending: 0,
    };
    for (p, leave) in points.iter().enumerate() {
        for (k, &(node, leave_s)) in leave.iter().enumerate() {
            if leave_s.is_finite() {
                goal.ends.push((node, p as u32, k as u8));
                goal.left[p] |= 1 << k;
                space.slots[node as usize].target = g;
            }
        }
    }
    goal.ends.sort_unstable();
    goal.pending = goal.left.iter().filter(|&&l| l != 0).count();
    if goal.pending == 0 {
        // Nothing to wait for: to the cutoff, as `search` without targets.
        dijkstra(adj, space, seeds, cutoff_s, &mut AllTargets { pending: 0 });
    } else {
        dijkstra(adj, space, seeds, cutoff_s, &mut goal);
    }
}

/// When a search may stop, asked by [`dijkstra`].
trait Goal {
    /// Before a node at `d` seconds is settled (no unsettled node is
    /// closer): whether the search may stop.
    fn stop_before(&mut self, d: f64) -> bool;
    /// A target node (marked in its slot) settled at `d`: whether the
    /// search may stop.
    fn settled(&mut self, node: u32, d: f64) -> bool;
}

/// Stop once every target is settled (`pending` of them left; never when
/// there were none).
struct AllTargets {
    pending: usize,
}

impl Goal for AllTargets {
    fn stop_before(&mut self, _: f64) -> bool {
        false
    }

    fn settled(&mut self, _: u32, _: f64) -> bool {
        self.pending = self.pending.saturating_sub(1);
        self.pending == 0
    }
}

/// Stop once every point's trip is known (see [`search_from_points`]).
struct PointTrips<'p> {
    points: &'p [Leaving],
    /// (node, point, which end) of each end to settle, sorted.
    ends: Vec<(u32, u32, u8)>,
    /// Each point's ends not settled yet, one bit each; zero once its
    /// trip is known.
    left: Vec<u8>,
    /// Each point's shortest trip through a settled end.
    best: Vec<f64>,
    /// Points with a trip and an end left, and the least distance at
    /// which one of them might be known (a hint: each is checked exactly).
    open: Vec<u32>,
    next_check: f64,
    /// Points whose trip is not known yet.
    pending: usize,
}

impl PointTrips<'_> {
    /// Whether the ends point `p` has left all give trips longer than its
    /// best one, being at least `d` away.
    fn ends_left_lose(&self, p: usize, d: f64) -> bool {
        self.points[p]
            .iter()
            .enumerate()
            .filter(|&(k, _)| self.left[p] & (1 << k) != 0)
            .all(|(_, &(_, leave_s))| leave_s + d > self.best[p])
    }

    fn hint(&self, p: usize) -> f64 {
        self.points[p]
            .iter()
            .enumerate()
            .filter(|&(k, _)| self.left[p] & (1 << k) != 0)
            .map(|(_, &(_, leave_s))| self.best[p] - leave_s)
            .fold(f64::INFINITY, f64::min)
    }
}

impl Goal for PointTrips<'_> {
    fn stop_before(&mut self, d: f64) -> bool {
        if d < self.next_check {
            return false;
        }
        let mut open = std::mem::take(&mut self.open);
        open.retain(|&p| {
            let p = p as usize;
            if self.left[p] != 0 && self.ends_left_lose(p, d) {
                self.left[p] = 0;
                self.pending -= 1;
            }
            self.left[p] != 0
        });
        self.next_check = open
            .iter()
            .map(|&p| self.hint(p as usize))
            .fold(f64::INFINITY, f64::min);
        self.open = open;
        self.pending == 0
    }

    fn settled(&mut self, node: u32, d: f64) -> bool {
        let from = self.ends.partition_point(|e| e.0 < node);
        for i in from..self.ends.len() {
            let (n, p, k) = self.ends[i];
            if n != node {
                break;
            }
            let p = p as usize;
            if self.left[p] == 0 {
                continue;
            }
            let total = self.points[p][k as usize].1 + d;
            if total < self.best[p] {
                self.best[p] = total;
            }
            self.left[p] &= !(1 << k);
            if self.left[p] == 0 {
                self.pending -= 1;
            } else {
                self.open.push(p as u32);
                self.next_check = self.next_check.min(self.hint(p));
            }
        }
        self.pending == 0
    }
}

/// Dijkstra over `adj` from `seeds` into `space` (reset by the caller,
/// targets marked), until the next node is beyond `cutoff_s` or `goal`
/// says to stop.
fn dijkstra(
    adj: &impl Arcs,
    space: &mut SearchSpace,
    seeds: &[(u32, f64)],
    cutoff_s: f64,
    goal: &mut impl Goal,
) {
    let g = space.generation;
    let (seen, settled) = (space.seen(), space.settled());
    for &(node, cost) in seeds {
        let slot = &mut space.slots[node as usize];
        if cost.is_finite() && (slot.state < seen || cost < slot.dist_s) {
            let queued = slot.state == seen;
            slot.state = seen;
            slot.dist_s = cost;
            slot.parent = NONE;
            if queued {
                space.heap.decrease(&mut space.slots, entry(cost, node));
            } else {
                space.heap.insert(&mut space.slots, entry(cost, node));
            }
        }
    }
    while let Some(top) = space.heap.pop(&mut space.slots) {
        let node = entry_node(top) as u32;
        let d = f64::from_bits((top >> 32) as u64);
        if d > cutoff_s || goal.stop_before(d) {
            break;
        }
        let slot = &mut space.slots[node as usize];
        slot.state = settled;
        let is_target = slot.target == g;
        space.settled_list.push(node);
        space.settled_count += 1;
        if is_target && goal.settled(node, d) {
            break;
        }
        for hop in adj.hops(node) {
            let other = hop.other;
            let nd = d + hop.cost_s;
            let o = &mut space.slots[other as usize];
            // Unseen (an older state), or seen (not settled) at a longer distance.
            if o.state < seen || (o.state == seen && nd < o.dist_s) {
                let queued = o.state == seen;
                o.state = seen;
                o.dist_s = nd;
                o.parent = hop.arc;
                if queued {
                    space.heap.decrease(&mut space.slots, entry(nd, other));
                } else {
                    space.heap.insert(&mut space.slots, entry(nd, other));
                }
            }
        }
    }
}

/// How a point part-way along a link connects to the link's end nodes:
/// `leave` lists (node, seconds from the point to the node), `enter` lists
/// (node, seconds from the node to the point), each only where the one-way
/// rules allow it (infinite seconds otherwise). `leave[0]` and `enter[1]`
/// are the link's `to` end, `leave[1]` and `enter[0]` its `from` end.
///
/// A point exactly at a link end ([`node_of`]) is that node: it leaves and
/// enters through it in 0 s, whatever the link's one-way rule, and the
/// link's other end is not used (`leave[1]` and `enter[1]` are infinite).
/// So a school on a junction reaches every road of the junction, whichever
/// of them the snapper named.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ends {
    pub leave: [(u32, f64); 2],
    pub enter: [(u32, f64); 2],
}

/// SCCs from which a road leads to each seed SCC that needs it (the
/// condensation walks of [`matrix`] and [`od`]).
pub(crate) type Reaching = std::collections::BTreeMap<u32, Vec<u32>>;

/// The SCCs of the nodes a search towards `to` starts from, sorted, once each.
pub(crate) fn enter_sccs(graph: &RoadGraph, to: &Snap) -> Vec<u32> {
    let mut sccs: Vec<u32> = Ends::of(graph, to)
        .enter_nodes()
        .map(|n| graph.scc[n as usize])
        .collect();
    sccs.sort_unstable();
    sccs.dedup();
    sccs
}

/// Whether `node` can reach one of the SCCs in `seed_sccs`: the same SCC,
/// or one from which the condensation leads to it.
pub(crate) fn reaches(
    graph: &RoadGraph,
    reaching: &Reaching,
    node: u32,
    seed_sccs: &[u32],
) -> bool {
    let s = graph.scc[node as usize];
    seed_sccs.iter().any(|&x| {
        x == s
            || reaching
                .get(&x)
                .is_some_and(|from| from.binary_search(&s).is_ok())
    })
}

/// The node a snap point is, when it lies exactly at an end of its link.
pub fn node_of(graph: &RoadGraph, snap: &Snap) -> Option<u32> {
    let l = &graph.links[snap.link as usize];
    if snap.along_m == 0.0 {
        Some(l.from)
    } else if snap.along_m == l.length_m {
        Some(l.to)
    } else {
        None
    }
}

impl Ends {
    pub fn of(graph: &RoadGraph, snap: &Snap) -> Ends {
        if let Some(node) = node_of(graph, snap) {
            let here = [(node, 0.0), (node, f64::INFINITY)];
            return Ends {
                leave: here,
                enter: here,
            };
        }
        let l = &graph.links[snap.link as usize];
        let ahead_m = (l.length_m - snap.along_m).max(0.0);
        let time = |m: f64, rate: f64| {
            if rate.is_finite() {
                m * rate
            } else {
                f64::INFINITY
            }
        };
        Ends {
            leave: [
                (l.to, time(ahead_m, l.forward_s_per_m)),
                (l.from, time(snap.along_m, l.backward_s_per_m)),
            ],
            enter: [
                (l.from, time(snap.along_m, l.forward_s_per_m)),
                (l.to, time(ahead_m, l.backward_s_per_m)),
            ],
        }
    }

    /// Nodes a search must settle to reach this point (finite `leave` ends).
    pub fn leave_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.leave
            .iter()
            .filter(|(_, s)| s.is_finite())
            .map(|(n, _)| *n)
    }

    /// Nodes the point is entered from (finite `enter` ends).
    pub fn enter_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.enter
            .iter()
            .filter(|(_, s)| s.is_finite())
            .map(|(n, _)| *n)
    }
}

/// Seconds along a single link between two points on it, if allowed.
pub fn same_link_s(graph: &RoadGraph, from: &Snap, to: &Snap) -> f64 {
    if from.link != to.link {
        return f64::INFINITY;
    }
    if from.along_m == to.along_m {
        // The same point: no road to travel, whatever the one-way rule.
        return 0.0;
    }
    let l = &graph.links[from.link as usize];
    let (m, rate) = if from.along_m <= to.along_m {
        (to.along_m - from.along_m, l.forward_s_per_m)
    } else {
        (from.along_m - to.along_m, l.backward_s_per_m)
    };
    if rate.is_finite() {
        m * rate
    } else {
        f64::INFINITY
    }
}

/// How a trip from a point left its link: through an end node, or along
/// the link straight to a destination on the same link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Departure {
    /// Through an end node: `ahead` is the link's `to` end (travelling
    /// forward), otherwise its `from` end.
    Node {
        node: u32,
        ahead: bool,
    },
    SameLink,
}

/// Road seconds from `from` to the destination of the last reverse search
/// (seeded with the destination's `enter` ends), and how the trip leaves.
pub fn trip_to_seeded(
    graph: &RoadGraph,
    space: &SearchSpace,
    from: &Snap,
    to: &Snap,
) -> Option<(f64, Departure)> {
    let ends = Ends::of(graph, from);
    let mut best: Option<(f64, Departure)> = None;
    let direct = same_link_s(graph, from, to);
    if direct.is_finite() {
        best = Some((direct, Departure::SameLink));
    }
    for (i, (node, leave_s)) in ends.leave.into_iter().enumerate() {
        if let (true, Some(d)) = (leave_s.is_finite(), space.dist_s(node)) {
            let total = leave_s + d;
            if best.is_none_or(|(b, _)| total < b) {
                best = Some((
                    total,
                    Departure::Node {
                        node,
                        ahead: i == 0,
                    },
                ));
            }
        }
    }
    best
}

/// The parent arcs of the part of a reverse-search tree that the trips to
/// its seed use: enough to rebuild those trips' routes later without a
/// second search. Sorted by node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    parents: Vec<(u32, ArcId)>,
}

impl Tree {
    /// Keeps the tree paths from `starts` to the seeds.
    pub fn extract(
        graph: &RoadGraph,
        space: &SearchSpace,
        starts: impl IntoIterator<Item = u32>,
    ) -> Tree {
        let mut parents: Vec<(u32, ArcId)> = Vec::new();
        // Membership only (the result is sorted): a fast hash will do.
        let mut seen = rustc_hash::FxHashSet::default();
        for start in starts {
            let mut node = start;
            while seen.insert(node) {
                match space.parent(node) {
                    Some(arc) => {
                        parents.push((node, arc));
                        node = arc_head(graph, arc);
                    }
                    None => break,
                }
            }
        }
        parents.sort_unstable();
        Tree { parents }
    }

    pub fn parent(&self, node: u32) -> Option<ArcId> {
        self.parents
            .binary_search_by_key(&node, |p| p.0)
            .ok()
            .map(|i| self.parents[i].1)
    }

    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }
}

/// The node an arc leads to.
pub fn arc_head(graph: &RoadGraph, arc: ArcId) -> u32 {
    let l = &graph.links[arc_link(arc)];
    if arc_is_backward(arc) {
        l.from
    } else {
        l.to
    }
}

/// A trip's path on the road: its line from snap point to snap point and
/// its length.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub coords: Vec<Coord<f64>>,
    pub road_m: f64,
}

fn push_all(out: &mut Vec<Coord<f64>>, coords: impl IntoIterator<Item = Coord<f64>>) {
    for c in coords {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
}

/// Rebuilds the route of a trip from `from` to `to` that leaves by
/// `departure` and follows `tree` (the destination's reverse-search tree).
pub fn route(
    graph: &RoadGraph,
    tree: &Tree,
    from: &Snap,
    to: &Snap,
    departure: Departure,
) -> Route {
    let mut coords = vec![from.point];
    let mut road_m = 0.0;
    let from_coords = graph.link_coords(from.link as usize);
    let to_coords = graph.link_coords(to.link as usize);
    let from_link = &graph.links[from.link as usize];
    let to_link = &graph.links[to.link as usize];
    let node = match departure {
        // A point at a link end is its node: no part of the link to draw.
        Departure::Node { node, .. } if node_of(graph, from).is_some() => node,
        Departure::SameLink => {
            let (a, b) = (from.segment as usize, to.segment as usize);
            // (A range that would run backwards is empty: both points are
            // then on one vertex.)
            if from.along_m <= to.along_m {
                let between = from_coords.get(a + 1..=b).unwrap_or(&[]);
                push_all(&mut coords, between.iter().copied());
            } else {
                let between = from_coords.get(b + 1..=a).unwrap_or(&[]);
                push_all(&mut coords, between.iter().rev().copied());
            }
            push_all(&mut coords, [to.point]);
            return Route {
                coords,
                road_m: (to.along_m - from.along_m).abs(),
            };
        }
        Departure::Node { node, ahead: true } => {
            push_all(
                &mut coords,
                from_coords[from.segment as usize + 1..].iter().copied(),
            );
            road_m += from_link.length_m - from.along_m;
            node
        }
        Departure::Node { node, ahead: false } => {
            push_all(
                &mut coords,
                from_coords[..=from.segment as usize].iter().rev().copied(),
            );
            road_m += from.along_m;
            node
        }
    };
    let mut at = node;
    while let Some(arc) = tree.parent(at) {
        let link = arc_link(arc);
        let lc = graph.link_coords(link);
        if arc_is_backward(arc) {
            push_all(&mut coords, lc.iter().rev().copied());
        } else {
            push_all(&mut coords, lc.iter().copied());
        }
        road_m += graph.links[link].length_m;
        at = arc_head(graph, arc);
    }
    // `at` is a seed: an end of the destination's link, or the
    // destination itself when it is a node.
    let ends = Ends::of(graph, to);
    let via_from = at == to_link.from && ends.enter[0].1.is_finite();
    if node_of(graph, to).is_some() {
        // Nothing of the link to draw.
    } else if via_from && (at != to_link.to || ends.enter[0].1 <= ends.enter[1].1) {
        push_all(
            &mut coords,
            to_coords[..=to.segment as usize].iter().copied(),
        );
        road_m += to.along_m;
    } else {
        push_all(
            &mut coords,
            to_coords[to.segment as usize + 1..].iter().rev().copied(),
        );
        road_m += to_link.length_m - to.along_m;
    }
    push_all(&mut coords, [to.point]);
    Route { coords, road_m }
}

#[cfg(test)]
mod tests;
