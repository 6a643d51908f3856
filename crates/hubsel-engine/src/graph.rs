//! The road graph: roads split where they share a vertex, chains of
//! degree-2 nodes contracted into single links that keep their full
//! geometry, one-way rules, travel time per link from the speed of its
//! class, and connected components, weak and strong.
//!
//! The graph is held twice: as a petgraph [`DiGraph`] (nodes are junctions,
//! edges are directed arcs) for inspection, and as compact forward/reverse
//! adjacency arrays for the fast searches in [`crate::routing`].
//!
//! # Junctions
//!
//! A *junction* is a road vertex (after rounding to 1e-7°) that is the
//! first or last vertex of a road, or that occurs two or more times among
//! all the roads' vertices. Roads are split at junctions; contraction then
//! drops the junctions where exactly two pieces with the same speed and
//! one-way rules meet, so the graph's nodes are a subset of the junctions.
//! Component sizes are counted in junctions, which do not depend on
//! contraction or on how densely a road is drawn.
//!
//! # Building from flat arrays
//!
//! A national network has tens of millions of road vertices and a few
//! hundred thousand links, so the build keeps no vector per piece, chain
//! or junction: the junctions are found by sorting (a parallel radix sort)
//! one u64 key per vertex use (the Z-order position of its 1e-7° cell,
//! injective within 32 bits; a wider key only for coordinates beyond ±214°) and looked up through a
//! bucket directory of those positions; a piece is a range of one road's
//! vertices; the contraction walks a CSR incidence and records each chain
//! as a run of steps over the pieces; the links' vertices are then written
//! once, in parallel, into the one shared array.
//!
//! # Canonical numbering
//!
//! Nodes are numbered along the Z-order curve of their rounded (lon, lat)
//! (near junctions get near numbers), links are oriented and ordered by
//! their ends, geometry and rules, and component labels derive from node
//! numbers: the same set of roads gives the same graph whatever the order
//! of the road features, so ties (in snapping, in Dijkstra's queue) are
//! broken the same way every time.
//!
//! # Strongly connected components
//!
//! Two nodes are in the same strongly connected component (SCC) when each
//! can reach the other under the one-way rules. A link whose two ends are in
//! one SCC belongs to it; a one-way link between two SCCs belongs to none.
//! An SCC is *small* (a tiny fragment: a parking aisle, a cut private road,
//! a one-way trap) when it has fewer junctions than a threshold and is not
//! one of the network's largest SCCs (see [`RoadGraph::link_is_small`]).

use std::cmp::Ordering;

use geo::{Coord, Haversine};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use rdst::RadixSort;

use crate::model::{Oneway, Road};

/// Speeds in km/h by road class, and how to use posted speeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedTable {
    /// km/h by class name (OSM `highway` values or the input's classes).
    pub by_class_kmh: Vec<(String, f64)>,
    /// km/h for a class not in the table.
    pub default_kmh: f64,
    /// Use a road's own `maxspeed` when it has one (capped by nothing: the
    /// posted speed is taken as the travel speed).
    pub use_maxspeed: bool,
}

impl Default for SpeedTable {
    fn default() -> Self {
        let table = [
            ("motorway", 100.0),
            ("trunk", 90.0),
            ("primary", 80.0),
            ("secondary", 60.0),
            ("tertiary", 50.0),
            ("unclassified", 30.0),
            ("residential", 30.0),
            ("living_street", 10.0),
            ("service", 20.0),
            ("track", 15.0),
            ("path", 5.0),
        ];
        SpeedTable {
            by_class_kmh: table.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
            default_kmh: 25.0,
            use_maxspeed: true,
        }
    }
}

impl SpeedTable {
    /// km/h for a class, ignoring a trailing `_link` (OSM ramps).
    pub fn class_kmh(&self, class: &str) -> f64 {
        let base = class.strip_suffix("_link").unwrap_or(class);
        self.by_class_kmh
            .iter()
            .find(|(c, _)| c == base)
            .map_or(self.default_kmh, |(_, v)| *v)
    }

    /// km/h for one road.
    pub fn road_kmh(&self, road: &Road) -> f64 {
        match road.maxspeed_kmh {
            Some(v) if self.use_maxspeed && v > 0.0 => v,
            _ => self.class_kmh(&road.class),
        }
    }
}

/// A road piece between two junctions (or dead ends), in both directions.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub from: u32,
    pub to: u32,
    /// Range of this link's vertices in [`RoadGraph::coords`]; the first is
    /// the `from` node, the last the `to` node.
    pub first_coord: u32,
    pub coord_count: u32,
    pub length_m: f64,
    /// Seconds per metre from `from` to `to`; `f64::INFINITY` when one-way
    /// against that direction.
    pub forward_s_per_m: f64,
    /// Seconds per metre from `to` to `from`; infinite when not allowed.
    pub backward_s_per_m: f64,
    /// Junctions strictly inside the link (contracted away): part of the
    /// link's component's size.
    pub inner_junctions: u32,
}

impl Link {
    pub fn forward_s(&self) -> f64 {
        self.length_m * self.forward_s_per_m
    }

    pub fn backward_s(&self) -> f64 {
        self.length_m * self.backward_s_per_m
    }
}

/// A directed arc: a link taken forward (`2 * link`) or backward
/// (`2 * link + 1`).
pub type ArcId = u32;

pub fn arc_link(arc: ArcId) -> usize {
    (arc / 2) as usize
}

pub fn arc_is_backward(arc: ArcId) -> bool {
    arc % 2 == 1
}

/// Compact adjacency: for node `n`, entries `offsets[n]..offsets[n+1]`.
#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    pub offsets: Vec<u32>,
    /// The node at the other end of the arc.
    pub other: Vec<u32>,
    pub cost_s: Vec<f64>,
    pub arc: Vec<ArcId>,
}

impl Adjacency {
    fn build(node_count: usize, mut entries: Vec<ArcEntry>) -> Adjacency {
        // (node, arc) is unique: the unstable sort gives the stable order.
        entries.sort_unstable_by_key(|e| (e.0, e.3));
        let mut offsets = vec![0u32; node_count + 1];
        for e in &entries {
            offsets[e.0 as usize + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        Adjacency {
            offsets,
            other: entries.iter().map(|e| e.1).collect(),
            cost_s: entries.iter().map(|e| e.2).collect(),
            arc: entries.iter().map(|e| e.3).collect(),
        }
    }

    pub fn range(&self, node: u32) -> std::ops::Range<usize> {
        self.offsets[node as usize] as usize..self.offsets[node as usize + 1] as usize
    }
}

/// The routable road network.
#[derive(Clone, Debug)]
pub struct RoadGraph {
    /// Junctions as nodes (their lon/lat), arcs as edges weighted by ArcId.
    /// Private: petgraph is no part of the API.
    graph: DiGraph<Coord<f64>, ArcId>,
    pub links: Vec<Link>,
    /// All link geometry, lon/lat degrees.
    pub coords: Vec<Coord<f64>>,
    /// Weakly connected component of each node; components are numbered
    /// by their lowest node.
    pub component: Vec<u32>,
    /// Junctions of each weakly connected component, indexed by its label
    /// (0 for numbers that are no label).
    pub component_junctions: Vec<u32>,
    /// Strongly connected component of each node: SCCs are numbered 0, 1,
    /// … in the order of their lowest node.
    pub scc: Vec<u32>,
    /// Junctions of each SCC.
    pub scc_junctions: Vec<u32>,
    /// Junctions of the largest SCC.
    largest_scc_junctions: u32,
    /// The condensation (one arc between two SCCs when a road leads from
    /// one to the other): successors and predecessors of each SCC.
    scc_succ: Csr,
    scc_pred: Csr,
    /// Outgoing arcs per node.
    pub forward: Adjacency,
    /// Incoming arcs per node (`other` is the arc's tail).
    pub reverse: Adjacency,
}

/// Lists per index: entries `offsets[i]..offsets[i+1]` of `items`.
#[derive(Clone, Debug, Default)]
struct Csr {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// From sorted, deduplicated (index, item) pairs.
    fn of(count: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut offsets = vec![0u32; count + 1];
        for p in pairs {
            offsets[p.0 as usize + 1] += 1;
        }
        for i in 0..count {
            offsets[i + 1] += offsets[i];
        }
        Csr {
            offsets,
            items: pairs.iter().map(|p| p.1).collect(),
        }
    }

    fn get(&self, i: u32) -> &[u32] {
        &self.items[self.offsets[i as usize] as usize..self.offsets[i as usize + 1] as usize]
    }

    /// Every index reachable from `start` (itself included), sorted.
    fn closure(&self, start: u32) -> Vec<u32> {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![start];
        seen.insert(start);
        while let Some(i) = stack.pop() {
            for &j in self.get(i) {
                if seen.insert(j) {
                    stack.push(j);
                }
            }
        }
        let mut out: Vec<u32> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }
}

/// Length in metres along a polyline of lon/lat vertices: the sum, in
/// order, of geo's [`Haversine`] distance of each segment, bit for bit;
/// each vertex's cos(latitude) is computed once, not once per segment
/// it ends (the formula needs it for both ends).
pub fn polyline_length_m(coords: &[Coord<f64>]) -> f64 {
    let radius = Haversine.radius();
    let mut cos_from: Option<f64> = None;
    coords
        .windows(2)
        .map(|w| {
            let cos_a = cos_from.unwrap_or_else(|| w[0].y.to_radians().cos());
            let cos_b = w[1].y.to_radians().cos();
            cos_from = Some(cos_b);
            haversine_m(radius, w[0], w[1], cos_a, cos_b)
        })
        .sum()
}

/// geo's `Haversine::distance` from `a` to `b` (the same operations in the
/// same order) given the cosines of their latitudes in radians.
fn haversine_m(radius: f64, a: Coord<f64>, b: Coord<f64>, cos_a: f64, cos_b: f64) -> f64 {
    let delta_theta = (b.y - a.y).to_radians();
    let delta_lambda = (b.x - a.x).to_radians();
    let h = (delta_theta / 2.0).sin().powi(2) + cos_a * cos_b * (delta_lambda / 2.0).sin().powi(2);
    let c = 2.0 * h.sqrt().asin();
    radius * c
}

/// Grid key of a vertex: coordinates rounded to 1e-7 degree (about 1 cm),
/// so vertices written by different tools with tiny float noise still meet.
fn key(c: Coord<f64>) -> (i64, i64) {
    (round_i64(c.x * 1e7), round_i64(c.y * 1e7))
}

/// `x.round() as i64` (halves away from zero) without a call to libm:
/// below 2^52 the cast truncates exactly and the fraction is exact; from
/// 2^52 on (and for NaN) `f64::round` itself. A test compares both.
fn round_i64(x: f64) -> i64 {
    let a = x.abs();
    if a < 4_503_599_627_370_496.0 {
        let whole = a as i64;
        let r = whole + i64::from(a - whole as f64 >= 0.5);
        if x < 0.0 {
            -r
        } else {
            r
        }
    } else {
        x.round() as i64
    }
}

/// The vertex of a grid cell, lon/lat degrees.
fn cell_coord(k: (i64, i64)) -> Coord<f64> {
    Coord {
        x: k.0 as f64 / 1e7,
        y: k.1 as f64 / 1e7,
    }
}

/// Position of a grid cell on the Z-order (Morton) curve: the bits of its
/// two coordinates interleaved (each offset to be non-negative; 32 bits
/// hold ±214° at 1e-7°, more than any longitude or latitude).
fn z_order(k: (i64, i64)) -> u64 {
    fn spread(v: i64) -> u64 {
        let mut x = (v.wrapping_add(1 << 31) as u64) & 0xffff_ffff;
        x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
        x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
        x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        x = (x | (x << 2)) & 0x3333_3333_3333_3333;
        x = (x | (x << 1)) & 0x5555_5555_5555_5555;
        x
    }
    spread(k.0) | (spread(k.1) << 1)
}

/// The grid cell at a Z-order position (the inverse of [`z_order`] on
/// cells within 32 bits).
fn z_cell(z: u64) -> (i64, i64) {
    fn compact(mut x: u64) -> i64 {
        x &= 0x5555_5555_5555_5555;
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
        x = (x | (x >> 2)) & 0x0f0f_0f0f_0f0f_0f0f;
        x = (x | (x >> 4)) & 0x00ff_00ff_00ff_00ff;
        x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
        x = (x | (x >> 16)) & 0x0000_0000_ffff_ffff;
        x as i64 - (1 << 31)
    }
    (compact(z), compact(z >> 1))
}

/// A vertex's identity on the 1e-7° grid, ordered as the nodes are
/// numbered: by the Z-order position of its cell, then by the cell.
trait GridKey: Copy + Ord + Default + Send + Sync {
    /// The key of a vertex in grid cell `k`.
    fn of(k: (i64, i64)) -> Self;
    /// Its Z-order position (the first part of its order).
    fn z(self) -> u64;
    /// The node's position: the vertex of its cell.
    fn coord(self) -> Coord<f64>;
    /// Sorts keys (in parallel).
    fn sort(keys: &mut [Self]) {
        keys.par_sort_unstable();
    }
    /// Whether two grid cells have the same vertex.
    fn same_vertex(a: (i64, i64), b: (i64, i64)) -> bool {
        cell_coord(a) == cell_coord(b)
    }
    /// Whether this key identifies a vertex at `c` (every one can, unless
    /// said otherwise).
    fn fits(_c: Coord<f64>) -> bool {
        true
    }
}

/// The key when every cell fits in 32 bits (|lon|, |lat| < 214°, so every
/// real longitude and latitude): the Z-order position alone, which is
/// injective there, in one u64 (half the bytes to sort of a pair of i64).
/// A plain u64, not a wrapper: a vector of zeros of it is zeroed memory
/// from the allocator, not written (hundreds of MB for a national network).
type Packed = u64;

impl GridKey for Packed {
    fn of(k: (i64, i64)) -> Self {
        z_order(k)
    }
    fn z(self) -> u64 {
        self
    }
    fn coord(self) -> Coord<f64> {
        cell_coord(z_cell(self))
    }
    /// A parallel radix sort: the keys are plain u64.
    fn sort(keys: &mut [Self]) {
        keys.radix_sort_unstable();
    }
    /// Within 32 bits a cell and its vertex are one-to-one (`k / 1e7` is
    /// exact to far less than 1e-7 there): no division needed.
    fn same_vertex(a: (i64, i64), b: (i64, i64)) -> bool {
        a == b
    }
    /// Cells within 32 bits: |lon|, |lat| < 214° (not NaN).
    fn fits(c: Coord<f64>) -> bool {
        c.x.abs() < 214.0 && c.y.abs() < 214.0
    }
}

/// The key for any other coordinates (projected metres read as degrees,
/// non-finite values): the cell of the rounded vertex, whose Z-order
/// position is not injective. Such a vertex is identified by the cell of
/// its rounded coordinates, as the splitting always has; inside 32 bits
/// that is its own cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Wide(u64, i64, i64);

impl GridKey for Wide {
    fn of(k: (i64, i64)) -> Self {
        let k = key(cell_coord(k));
        Wide(z_order(k), k.0, k.1)
    }
    fn z(self) -> u64 {
        self.0
    }
    fn coord(self) -> Coord<f64> {
        cell_coord((self.1, self.2))
    }
}

/// Vertices per block of roads handled by one parallel task.
const BLOCK_VERTICES: usize = 1 << 16;

/// A consecutive run of roads handled by one parallel task, and the uses
/// of vertices it adds to the junction keys (see [`junction_keys`]).
#[derive(Clone, Debug)]
struct Block {
    roads: std::ops::Range<usize>,
    uses: usize,
}

/// Consecutive runs of roads with about [`BLOCK_VERTICES`] vertices each
/// (in one pass over the roads, for every step of the build).
fn road_blocks(roads: &[Road]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let (mut start, mut vertices, mut uses) = (0, 0, 0);
    for (i, road) in roads.iter().enumerate() {
        let n = road.geometry.0.len();
        vertices += n + 1;
        uses += n + n.min(2);
        if vertices >= BLOCK_VERTICES {
            blocks.push(Block {
                roads: start..i + 1,
                uses,
            });
            start = i + 1;
            vertices = 0;
            uses = 0;
        }
    }
    if start < roads.len() {
        blocks.push(Block {
            roads: start..roads.len(),
            uses,
        });
    }
    blocks
}

/// `items` cut into consecutive slices of the given lengths (the last ones
/// shorter, or empty, if the lengths add up to more than it holds).
fn split_mut<'a, T>(mut items: &'a mut [T], lengths: &[usize]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(lengths.len());
    for &n in lengths {
        let rest = std::mem::take(&mut items);
        let (head, tail) = rest.split_at_mut(n.min(rest.len()));
        parts.push(head);
        items = tail;
    }
    parts
}

/// The junctions: every cell that is a road's first or last vertex, or
/// that two or more vertices use, sorted. All uses (ends twice) go into
/// one array of keys, sorted in parallel: the runs of two or more are the
/// junctions (a sorted array, not a hash map, for tens of millions of
/// vertices). `None` when a vertex does not fit keys `K` (checked on the
/// way, not in a pass of its own over the tens of millions of vertices).
fn junction_keys<K: GridKey>(roads: &[Road], blocks: &[Block]) -> Option<Vec<K>> {
    let lengths: Vec<usize> = blocks.iter().map(|b| b.uses).collect();
    let mut uses: Vec<K> = vec![K::default(); lengths.iter().sum()];
    let fits = split_mut(&mut uses, &lengths)
        .into_par_iter()
        .zip(blocks.par_iter())
        .all(|(out, block)| {
            let mut slots = out.iter_mut();
            let mut fits = true;
            for road in roads.get(block.roads.clone()).unwrap_or_default() {
                let n = road.geometry.0.len();
                for (i, c) in road.geometry.0.iter().enumerate() {
                    fits &= K::fits(*c);
                    let k = K::of(key(*c));
                    let times = if i == 0 || i + 1 == n { 2 } else { 1 };
                    for _ in 0..times {
                        if let Some(slot) = slots.next() {
                            *slot = k;
                        }
                    }
                }
            }
            fits
        });
    if !fits {
        return None;
    }
    K::sort(&mut uses);
    // The runs, in parallel over slices cut between runs.
    let mut cuts = vec![0];
    for i in 1..BLOCKS_OF_KEYS {
        let at = (uses.len() * i / BLOCKS_OF_KEYS).max(cuts.last().copied().unwrap_or(0));
        let rest = uses.get(at..).unwrap_or_default();
        let run = rest
            .iter()
            .take_while(|&&k| Some(k) == rest.first().copied())
            .count();
        cuts.push(at + run);
    }
    cuts.push(uses.len());
    let junctions = cuts
        .par_windows(2)
        .flat_map_iter(|w| {
            uses.get(w[0]..w[1])
                .unwrap_or_default()
                .chunk_by(|a, b| a == b)
                .filter(|run| run.len() >= 2)
                .map(|run| run[0])
        })
        .collect();
    Some(junctions)
}

/// Slices of the sorted keys scanned for runs in parallel.
const BLOCKS_OF_KEYS: usize = 64;

/// The sorted junction keys, with a directory of their Z-order positions
/// (about one bucket per junction) so that a look-up is one directory read
/// and a binary search among a few keys, not among millions.
struct JunctionIndex<K> {
    keys: Vec<K>,
    lowest_z: u64,
    shift: u32,
    /// Keys in buckets before bucket `b`: `dir[b]`.
    dir: Vec<u32>,
}

impl<K: GridKey> JunctionIndex<K> {
    fn new(keys: Vec<K>) -> Self {
        let (lo, hi) = match (keys.first(), keys.last()) {
            (Some(a), Some(b)) => (a.z(), b.z()),
            _ => (0, 0),
        };
        let target = keys.len().max(2) as u64;
        let mut shift = 0u32;
        while shift < 63 && ((hi - lo) >> shift) >= target {
            shift += 1;
        }
        let buckets = ((hi - lo) >> shift) as usize + 1;
        let mut dir = vec![0u32; buckets + 1];
        for k in &keys {
            dir[((k.z() - lo) >> shift) as usize + 1] += 1;
        }
        for b in 0..buckets {
            dir[b + 1] += dir[b];
        }
        JunctionIndex {
            keys,
            lowest_z: lo,
            shift,
            dir,
        }
    }

    /// The junction's index among the sorted keys.
    fn find(&self, k: K) -> Option<u32> {
        let b = (k.z().checked_sub(self.lowest_z)? >> self.shift) as usize;
        let (start, end) = (*self.dir.get(b)?, *self.dir.get(b + 1)?);
        let bucket = self.keys.get(start as usize..end as usize)?;
        bucket.binary_search(&k).ok().map(|i| start + i as u32)
    }
}

/// A piece of road between two junctions: vertices `first..=last` of road
/// `road` (consecutive repeats of a rounded vertex count once: `vertices`
/// left), its ends (junction indices, then node numbers) and its rates.
#[derive(Clone, Copy, Debug)]
struct Piece {
    road: u32,
    first: u32,
    last: u32,
    vertices: u32,
    from: u32,
    to: u32,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
}

impl Piece {
    /// The piece's rates (forward, backward) when walked away from `node`.
    fn rates_away_from(&self, node: u32) -> (f64, f64) {
        if self.from == node {
            (self.forward_s_per_m, self.backward_s_per_m)
        } else {
            (self.backward_s_per_m, self.forward_s_per_m)
        }
    }

    /// The piece's rounded vertices, consecutive repeats once, from its
    /// `from` end (or from its `to` end when `reversed`), each to `f`
    /// except the first when `skip_first`.
    fn each_coord(
        &self,
        roads: &[Road],
        reversed: bool,
        skip_first: bool,
        f: &mut impl FnMut(Coord<f64>),
    ) {
        let Some(points) = roads
            .get(self.road as usize)
            .and_then(|r| r.geometry.0.get(self.first as usize..=self.last as usize))
        else {
            return;
        };
        let mut previous: Option<Coord<f64>> = None;
        let mut skip = skip_first;
        let mut visit = |p: &Coord<f64>| {
            let c = cell_coord(key(*p));
            if previous != Some(c) {
                previous = Some(c);
                if skip {
                    skip = false;
                } else {
                    f(c);
                }
            }
        };
        if reversed {
            points.iter().rev().for_each(&mut visit);
        } else {
            points.iter().for_each(&mut visit);
        }
    }
}

/// Cuts the roads at the junctions, in parallel, the pieces in road order
/// (ends as junction indices). Pieces whose vertices all round to one
/// point are dropped.
fn split_roads<K: GridKey>(
    roads: &[Road],
    speeds: &SpeedTable,
    junctions: &JunctionIndex<K>,
    blocks: &[Block],
) -> Vec<Piece> {
    let parts: Vec<Vec<Piece>> = blocks
        .par_iter()
        .map(|block| {
            // Most roads are one piece: room for a quarter more, so that
            // the block's list is seldom grown (and copied).
            let n = block.roads.len();
            let mut pieces = Vec::with_capacity(n + n / 4 + 16);
            for r in block.roads.clone() {
                if let Some(road) = roads.get(r) {
                    split_road(r, road, speeds, junctions, &mut pieces);
                }
            }
            pieces
        })
        .collect();
    parts.concat()
}

/// One road cut at the junctions (see [`split_roads`]).
fn split_road<K: GridKey>(
    index: usize,
    road: &Road,
    speeds: &SpeedTable,
    junctions: &JunctionIndex<K>,
    pieces: &mut Vec<Piece>,
) {
    let s_per_m = 3.6 / speeds.road_kmh(road);
    let (fwd, back) = match road.oneway {
        Oneway::No => (s_per_m, s_per_m),
        Oneway::Forward => (s_per_m, f64::INFINITY),
        Oneway::Backward => (f64::INFINITY, s_per_m),
    };
    let points = &road.geometry.0;
    let Some(first) = points.first() else {
        return;
    };
    let k = key(*first);
    let mut start = 0usize;
    let mut start_junction = junctions.find(K::of(k));
    let mut previous = k;
    let mut vertices = 1u32;
    for (i, p) in points.iter().enumerate().skip(1) {
        let k = key(*p);
        if !K::same_vertex(k, previous) {
            vertices += 1;
            previous = k;
        }
        let junction = junctions.find(K::of(k));
        if junction.is_some() || i + 1 == points.len() {
            if let (Some(from), Some(to)) = (start_junction, junction) {
                if vertices >= 2 {
                    pieces.push(Piece {
                        road: index as u32,
                        first: start as u32,
                        last: i as u32,
                        vertices,
                        from,
                        to,
                        forward_s_per_m: fwd,
                        backward_s_per_m: back,
                    });
                }
            }
            start = i;
            start_junction = junction;
            vertices = 1;
        }
    }
}

/// The pieces of the roads between junctions, their ends numbered as the
/// graph's nodes before contraction, and those nodes' positions.
/// `None` when a vertex does not fit keys `K`.
fn numbered_pieces<K: GridKey>(
    roads: &[Road],
    speeds: &SpeedTable,
    blocks: &[Block],
) -> Option<(Vec<Coord<f64>>, Vec<Piece>)> {
    // 1. Which vertices are junctions: road ends and vertices used twice.
    let junctions = JunctionIndex::new(junction_keys::<K>(roads, blocks)?);
    // 2. Split roads at junctions (in parallel, kept in road order).
    let mut pieces = split_roads(roads, speeds, &junctions, blocks);
    // 3. The junctions at the pieces' ends are numbered in the Z-order
    // of their grid cells (the junctions' order): the numbering depends
    // on the coordinates only, not on the order of the roads, and near
    // junctions get near numbers (memory locality for the searches).
    let mut is_end = vec![false; junctions.keys.len()];
    for p in &pieces {
        is_end[p.from as usize] = true;
        is_end[p.to as usize] = true;
    }
    let mut number = vec![u32::MAX; is_end.len()];
    let mut node_coords: Vec<Coord<f64>> = Vec::new();
    for (j, k) in junctions.keys.iter().enumerate() {
        if is_end[j] {
            number[j] = node_coords.len() as u32;
            node_coords.push(k.coord());
        }
    }
    drop(junctions);
    drop(is_end);
    pieces.par_iter_mut().for_each(|p| {
        p.from = number[p.from as usize];
        p.to = number[p.to as usize];
    });
    drop(number);
    Some((node_coords, pieces))
}

/// Lexicographic order of two vertex lists by (lon, lat).
#[cfg(test)]
fn cmp_coords(a: &[Coord<f64>], b: &[Coord<f64>]) -> Ordering {
    cmp_coord_iters(a.iter().copied(), b.iter().copied())
}

/// Lexicographic order of two vertex sequences by (lon, lat), a prefix
/// first; reads them only up to their first difference.
fn cmp_coord_iters(
    mut a: impl Iterator<Item = Coord<f64>>,
    mut b: impl Iterator<Item = Coord<f64>>,
) -> Ordering {
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl RoadGraph {
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn node_coord(&self, node: u32) -> Coord<f64> {
        self.graph[NodeIndex::new(node as usize)]
    }

    /// The vertices of a link, from its `from` node to its `to` node.
    pub fn link_coords(&self, link: usize) -> &[Coord<f64>] {
        let l = &self.links[link];
        &self.coords[l.first_coord as usize..(l.first_coord + l.coord_count) as usize]
    }

    /// Number of weakly connected components.
    pub fn component_count(&self) -> usize {
        let mut labels = self.component.clone();
        labels.sort_unstable();
        labels.dedup();
        labels.len()
    }

    /// Number of strongly connected components.
    pub fn scc_count(&self) -> usize {
        self.scc_junctions.len()
    }

    /// The SCC a link belongs to: that of its ends when they share one;
    /// `None` for a one-way link between two SCCs.
    pub fn link_scc(&self, link: usize) -> Option<u32> {
        let l = &self.links[link];
        let (a, b) = (self.scc[l.from as usize], self.scc[l.to as usize]);
        (a == b).then_some(a)
    }

    /// Junctions of the largest SCC.
    pub fn largest_scc_junctions(&self) -> u32 {
        self.largest_scc_junctions
    }

    /// Whether an SCC is small: fewer than `min_junctions` junctions, and
    /// not one of the network's largest SCCs (so a network made only of
    /// small pieces still has somewhere to snap to).
    pub fn scc_is_small(&self, scc: u32, min_junctions: u32) -> bool {
        let j = self.scc_junctions[scc as usize];
        j < min_junctions && j < self.largest_scc_junctions()
    }

    /// Whether a point on this link lies on a small fragment: the link's
    /// SCC is small, or the link is a one-way link between two SCCs (a
    /// point on it can never both leave and come back). Always `false`
    /// when `min_junctions` is 0.
    pub fn link_is_small(&self, link: usize, min_junctions: u32) -> bool {
        if min_junctions == 0 {
            return false;
        }
        match self.link_scc(link) {
            Some(c) => self.scc_is_small(c, min_junctions),
            None => true,
        }
    }

    /// Junctions of the SCC a link belongs to (0 for a one-way link
    /// between two SCCs).
    pub fn link_scc_junctions(&self, link: usize) -> u32 {
        self.link_scc(link)
            .map_or(0, |c| self.scc_junctions[c as usize])
    }

    /// Every SCC from which a road leads to `scc` (itself included), sorted.
    pub fn sccs_reaching(&self, scc: u32) -> Vec<u32> {
        self.scc_pred.closure(scc)
    }

    /// Every SCC a road leads to from `scc` (itself included), sorted.
    pub fn sccs_reached_from(&self, scc: u32) -> Vec<u32> {
        self.scc_succ.closure(scc)
    }

    /// Builds the graph from road lines and a speed table.
    pub fn build(roads: &[Road], speeds: &SpeedTable) -> RoadGraph {
        Self::build_keyed::<Packed>(roads, speeds)
    }

    /// Builds with keys `K`, or with wide keys when a vertex does not fit
    /// them (every real longitude and latitude fits the packed keys).
    fn build_keyed<K: GridKey>(roads: &[Road], speeds: &SpeedTable) -> RoadGraph {
        let blocks = road_blocks(roads);
        let (node_coords, pieces) = match numbered_pieces::<K>(roads, speeds, &blocks) {
            Some(numbered) => numbered,
            None => numbered_pieces::<Wide>(roads, speeds, &blocks).unwrap_or_default(),
        };
        Self::contract_and_index(roads, node_coords, &pieces)
    }

    /// Merges chains through degree-2 nodes whose two pieces have the same
    /// speed and direction rules, then puts the links in canonical order
    /// and builds the indexes.
    fn contract_and_index(
        roads: &[Road],
        node_coords: Vec<Coord<f64>>,
        pieces: &[Piece],
    ) -> RoadGraph {
        // The walk is serial: meanwhile the other threads zero the links'
        // vertex array (its first touch, hundreds of MB), sized for the
        // least the chains can hold (each piece is in one chain, whose
        // pieces after the first share their first vertex: at most one
        // vertex less per piece), then grown by the few it lacks.
        let least_vertices: usize = pieces
            .iter()
            .map(|p| p.vertices as usize)
            .sum::<usize>()
            .saturating_sub(pieces.len());
        let ((mut chains, steps), zeroed) = rayon::join(
            || Contraction::new(node_coords.len(), pieces).chains(),
            || zeroed_coords(least_vertices),
        );
        let kept_coords = renumber_kept_junctions(&node_coords, &mut chains);
        drop(node_coords);
        let walk = Walk {
            roads,
            pieces,
            steps: &steps,
        };
        chains.par_iter_mut().for_each(|c| walk.orient(c));
        let chains = walk.canonical_order(&chains);
        let (links, coords) = walk.lay_out(&chains, zeroed);
        Self::index(kept_coords, links, coords)
    }
    /// Builds the petgraph view, the adjacency arrays and the components.
    fn index(node_coords: Vec<Coord<f64>>, links: Vec<Link>, coords: Vec<Coord<f64>>) -> RoadGraph {
        let n = node_coords.len();
        let Arcs { graph, out, inc } = Arcs::of(&node_coords, &links);
        // Four independent pieces of work, in parallel.
        let ((component, (scc, mut scc_junctions)), (forward, reverse)) = rayon::join(
            || rayon::join(|| weak_components(n, &links), || strong_components(&graph)),
            || rayon::join(|| Adjacency::build(n, out), || Adjacency::build(n, inc)),
        );
        let mut component_junctions = vec![0u32; n];
        for &c in &component {
            component_junctions[c as usize] += 1;
        }
        // The junctions inside a link belong to its SCC; inside a one-way
        // link between two SCCs each is an SCC of its own (of 1 junction),
        // which the contracted graph does not hold as a node.
        for l in &links {
            component_junctions[component[l.from as usize] as usize] += l.inner_junctions;
            let (a, b) = (scc[l.from as usize], scc[l.to as usize]);
            if a == b {
                scc_junctions[a as usize] += l.inner_junctions;
            }
        }
        let (scc_succ, scc_pred) = condensation(&forward, &scc, scc_junctions.len());
        RoadGraph {
            graph,
            links,
            coords,
            component,
            component_junctions,
            scc,
            largest_scc_junctions: scc_junctions.iter().copied().max().unwrap_or(0),
            scc_junctions,
            scc_succ,
            scc_pred,
            forward,
            reverse,
        }
    }
}

/// A run of pieces through removable junctions, to become one link: its
/// end junctions, its pieces (`steps[first_step..][..step_count]`, each
/// walked from `from` towards `to`, or all of them the other way round
/// when `reversed`), rates and the junctions contracted away.
#[derive(Clone, Copy, Debug)]
struct Chain {
    from: u32,
    to: u32,
    first_step: usize,
    step_count: usize,
    reversed: bool,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
    inner_junctions: u32,
    /// Vertices of the chain's geometry.
    vertices: u32,
}

/// A piece in a chain, and whether the chain walks it backwards.
type Step = (u32, bool);

/// The chains' geometry, read from the roads through their pieces.
struct Walk<'a> {
    roads: &'a [Road],
    pieces: &'a [Piece],
    steps: &'a [Step],
}

impl Walk<'_> {
    /// The chain's vertices from its `from` node to its `to` node, each to `f`.
    fn each_coord(&self, chain: &Chain, mut f: impl FnMut(Coord<f64>)) {
        let Some(steps) = self
            .steps
            .get(chain.first_step..chain.first_step + chain.step_count)
        else {
            return;
        };
        let mut visit = |i: usize, &(piece, backwards): &Step| {
            if let Some(p) = self.pieces.get(piece as usize) {
                p.each_coord(self.roads, backwards != chain.reversed, i > 0, &mut f);
            }
        };
        if chain.reversed {
            steps
                .iter()
                .rev()
                .enumerate()
                .for_each(|(i, s)| visit(i, s));
        } else {
            steps.iter().enumerate().for_each(|(i, s)| visit(i, s));
        }
    }

    fn coords(&self, chain: &Chain) -> Vec<Coord<f64>> {
        let mut out = Vec::with_capacity(chain.vertices as usize);
        self.each_coord(chain, |c| out.push(c));
        out
    }

    /// Orients the chain from its lower end (a loop: its smaller way
    /// round, then its smaller rates), so that its direction does not
    /// depend on the order of the roads.
    fn orient(&self, chain: &mut Chain) {
        let reverse = match chain.from.cmp(&chain.to) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => {
                // The list reversed against itself (as `cmp_coords` would,
                // without a reversed copy: the lengths are equal).
                let coords = self.coords(chain);
                let reversed_cmp = coords
                    .iter()
                    .rev()
                    .zip(&coords)
                    .map(|(p, q)| p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal);
                match reversed_cmp {
                    Ordering::Less => true,
                    Ordering::Greater => false,
                    Ordering::Equal => {
                        (
                            chain.backward_s_per_m.to_bits(),
                            chain.forward_s_per_m.to_bits(),
                        ) < (
                            chain.forward_s_per_m.to_bits(),
                            chain.backward_s_per_m.to_bits(),
                        )
                    }
                }
            }
        };
        if reverse {
            std::mem::swap(&mut chain.from, &mut chain.to);
            std::mem::swap(&mut chain.forward_s_per_m, &mut chain.backward_s_per_m);
            chain.reversed = !chain.reversed;
        }
    }

    /// The chain's vertices from its `from` node to its `to` node, read
    /// as they are asked for (those of [`Walk::each_coord`]).
    fn coord_iter(&self, chain: &Chain) -> impl Iterator<Item = Coord<f64>> + '_ {
        let steps = self
            .steps
            .get(chain.first_step..chain.first_step + chain.step_count)
            .unwrap_or_default();
        let reversed = chain.reversed;
        let (forward, backward) = if reversed {
            (None, Some(steps.iter().rev()))
        } else {
            (Some(steps.iter()), None)
        };
        forward
            .into_iter()
            .flatten()
            .chain(backward.into_iter().flatten())
            .enumerate()
            .flat_map(move |(i, &(piece, backwards))| {
                self.piece_coord_iter(piece, backwards != reversed, i > 0)
            })
    }

    /// A piece's rounded vertices, consecutive repeats once, from its
    /// `from` end (or from its `to` end when `reversed`), without the
    /// first when `skip_first` (those of [`Piece::each_coord`]).
    fn piece_coord_iter(
        &self,
        piece: u32,
        reversed: bool,
        skip_first: bool,
    ) -> impl Iterator<Item = Coord<f64>> + '_ {
        let points = self
            .pieces
            .get(piece as usize)
            .and_then(|p| {
                self.roads
                    .get(p.road as usize)?
                    .geometry
                    .0
                    .get(p.first as usize..=p.last as usize)
            })
            .unwrap_or_default();
        let (forward, backward) = if reversed {
            (None, Some(points.iter().rev()))
        } else {
            (Some(points.iter()), None)
        };
        let mut previous: Option<Coord<f64>> = None;
        forward
            .into_iter()
            .flatten()
            .chain(backward.into_iter().flatten())
            .filter_map(move |p| {
                let c = cell_coord(key(*p));
                (previous != Some(c)).then(|| {
                    previous = Some(c);
                    c
                })
            })
            .skip(usize::from(skip_first))
    }

    /// The canonical order of oriented chains: by ends, geometry and rules.
    fn canonical_cmp(&self, a: &Chain, b: &Chain) -> Ordering {
        (a.from, a.to)
            .cmp(&(b.from, b.to))
            .then_with(|| cmp_coord_iters(self.coord_iter(a), self.coord_iter(b)))
            .then_with(|| a.forward_s_per_m.total_cmp(&b.forward_s_per_m))
            .then_with(|| a.backward_s_per_m.total_cmp(&b.backward_s_per_m))
    }

    /// The chains sorted by [`Walk::canonical_cmp`], stably: by their ends
    /// first (one u64 each, the chain's index breaking ties, so the order is
    /// that of a stable sort), then each run of equal ends (parallel links)
    /// stably by the whole comparison, which reads their geometry only up
    /// to where it differs.
    fn canonical_order(&self, chains: &[Chain]) -> Vec<Chain> {
        let mut order: Vec<(u64, u32)> = chains
            .iter()
            .enumerate()
            .map(|(i, c)| ((u64::from(c.from) << 32) | u64::from(c.to), i as u32))
            .collect();
        order.par_sort_unstable();
        order
            .par_chunk_by_mut(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
            .for_each(|run| {
                run.sort_by(
                    |a, b| match (chains.get(a.1 as usize), chains.get(b.1 as usize)) {
                        (Some(a), Some(b)) => self.canonical_cmp(a, b),
                        _ => a.cmp(b),
                    },
                );
            });
        order
            .iter()
            .filter_map(|&(_, i)| chains.get(i as usize).copied())
            .collect()
    }

    /// The chains, in their order, as links over one shared vertex array
    /// (filled in parallel), written into `coords` (zeroed; cut or grown
    /// to the chains' vertices). The chains are read in the order of their
    /// first piece (that of the roads), not in their own, so that the
    /// roads' vertices are read from memory in a row.
    fn lay_out(
        &self,
        chains: &[Chain],
        mut coords: Vec<Coord<f64>>,
    ) -> (Vec<Link>, Vec<Coord<f64>>) {
        let mut links: Vec<Link> = Vec::with_capacity(chains.len());
        let mut first_coord = 0u32;
        for c in chains {
            links.push(Link {
                from: c.from,
                to: c.to,
                first_coord,
                coord_count: c.vertices,
                length_m: 0.0,
                forward_s_per_m: c.forward_s_per_m,
                backward_s_per_m: c.backward_s_per_m,
                inner_junctions: c.inner_junctions,
            });
            first_coord = first_coord.wrapping_add(c.vertices);
        }
        let lengths: Vec<usize> = chains.iter().map(|c| c.vertices as usize).collect();
        let total: usize = lengths.iter().sum();
        if coords.len() >= total {
            coords.truncate(total);
            coords.shrink_to_fit();
        } else {
            coords.resize(total, Coord { x: 0.0, y: 0.0 });
        }
        // (first piece, chain) in the order of the pieces.
        let mut order: Vec<u64> = chains
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let piece = self.steps.get(c.first_step).map_or(u32::MAX, |s| s.0);
                (u64::from(piece) << 32) | i as u64
            })
            .collect();
        order.radix_sort_unstable();
        let mut slots: Vec<Option<&mut [Coord<f64>]>> = split_mut(&mut coords, &lengths)
            .into_iter()
            .map(Some)
            .collect();
        let jobs: Vec<(usize, &mut [Coord<f64>])> = order
            .iter()
            .filter_map(|&o| {
                let i = (o & 0xffff_ffff) as usize;
                Some((i, slots.get_mut(i)?.take()?))
            })
            .collect();
        drop(slots);
        let measured: Vec<(usize, f64)> = jobs
            .into_par_iter()
            .with_min_len(256)
            .filter_map(|(i, out)| {
                let c = chains.get(i)?;
                let mut slots = out.iter_mut();
                self.each_coord(c, |v| {
                    if let Some(s) = slots.next() {
                        *s = v;
                    }
                });
                Some((i, polyline_length_m(out)))
            })
            .collect();
        for (i, length) in measured {
            if let Some(l) = links.get_mut(i) {
                l.length_m = length;
            }
        }
        (links, coords)
    }
}

/// `n` vertices (0, 0), written in parallel.
fn zeroed_coords(n: usize) -> Vec<Coord<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::new();
    coords.par_extend(rayon::iter::repeat_n(Coord { x: 0.0, y: 0.0 }, n));
    coords
}

/// The walk that merges pieces into chains: which pieces meet at each
/// junction, which junctions are removable, which pieces are taken.
struct Contraction<'a> {
    pieces: &'a [Piece],
    /// Pieces at each junction (a loop piece twice), in piece order:
    /// `incident[offsets[v]..offsets[v + 1]]`.
    offsets: Vec<u32>,
    incident: Vec<u32>,
    /// Junctions where exactly two pieces meet with matching rates.
    removable: Vec<bool>,
    used: Vec<bool>,
    chains: Vec<Chain>,
    steps: Vec<Step>,
}

impl<'a> Contraction<'a> {
    fn new(junctions: usize, pieces: &'a [Piece]) -> Self {
        let mut offsets = vec![0u32; junctions + 1];
        for p in pieces {
            offsets[p.from as usize + 1] += 1;
            offsets[p.to as usize + 1] += 1;
        }
        for v in 0..junctions {
            offsets[v + 1] += offsets[v];
        }
        let mut next = offsets.clone();
        let mut incident = vec![0u32; 2 * pieces.len()];
        for (i, p) in pieces.iter().enumerate() {
            for end in [p.from, p.to] {
                let at = &mut next[end as usize];
                incident[*at as usize] = i as u32;
                *at += 1;
            }
        }
        let removable = (0..junctions)
            .into_par_iter()
            .map(|v| {
                let inc = &incident[offsets[v] as usize..offsets[v + 1] as usize];
                if inc.len() != 2 || inc[0] == inc[1] {
                    return false;
                }
                let (a, b) = (&pieces[inc[0] as usize], &pieces[inc[1] as usize]);
                // Walking a into v then out along b: a's rates towards v
                // must equal b's rates away from v.
                let (a_away_f, a_away_b) = a.rates_away_from(v as u32);
                let (b_away_f, b_away_b) = b.rates_away_from(v as u32);
                a_away_b == b_away_f && a_away_f == b_away_b
            })
            .collect();
        Contraction {
            pieces,
            offsets,
            incident,
            removable,
            used: vec![false; pieces.len()],
            chains: Vec::new(),
            steps: Vec::with_capacity(pieces.len()),
        }
    }

    fn incident(&self, v: usize) -> &[u32] {
        &self.incident[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }

    /// Every chain: walked from each kept junction in junction order, then
    /// the pure cycles left over (kept at their lowest junction); and the
    /// steps they index.
    fn chains(mut self) -> (Vec<Chain>, Vec<Step>) {
        let junctions = self.removable.len();
        for v in 0..junctions {
            if self.removable[v] {
                continue;
            }
            self.walk_all_from(v);
        }
        for v in 0..junctions {
            self.walk_all_from(v);
        }
        (self.chains, self.steps)
    }

    /// Walks a chain along each piece at junction `v` not taken yet.
    fn walk_all_from(&mut self, v: usize) {
        for k in self.offsets[v]..self.offsets[v + 1] {
            let p = self.incident[k as usize] as usize;
            if !self.used[p] {
                let chain = self.walk(v as u32, p);
                self.chains.push(chain);
            }
        }
    }

    /// The chain that leaves `start` along `first_piece` and goes on
    /// through removable junctions until a kept one, `start` again, or a
    /// piece already taken.
    fn walk(&mut self, start: u32, first_piece: usize) -> Chain {
        let pieces = self.pieces;
        let (fwd, back) = pieces[first_piece].rates_away_from(start);
        let first_step = self.steps.len();
        let mut vertices = 0u32;
        let mut inner = 0u32;
        let mut at = start;
        let mut piece = first_piece;
        loop {
            self.used[piece] = true;
            let p = &pieces[piece];
            // Pieces after the first share their first vertex with the
            // previous one.
            vertices += p.vertices - u32::from(vertices > 0);
            if p.from == at {
                self.steps.push((piece as u32, false));
                at = p.to;
            } else {
                self.steps.push((piece as u32, true));
                at = p.from;
            }
            if !self.removable[at as usize] || at == start {
                break;
            }
            let inc = self.incident(at as usize);
            let other = if inc[0] as usize == piece {
                inc[1]
            } else {
                inc[0]
            } as usize;
            if self.used[other] {
                break;
            }
            inner += 1;
            piece = other;
        }
        Chain {
            from: start,
            to: at,
            first_step,
            step_count: self.steps.len() - first_step,
            reversed: false,
            forward_s_per_m: fwd,
            backward_s_per_m: back,
            inner_junctions: inner,
            vertices,
        }
    }
}

/// Makes the junctions at the chains' ends the graph's nodes, numbered in
/// junction order, and renumbers the chains' ends; returns the nodes'
/// positions.
fn renumber_kept_junctions(junctions: &[Coord<f64>], chains: &mut [Chain]) -> Vec<Coord<f64>> {
    let n = junctions.len();
    let mut kept = vec![false; n];
    for c in chains.iter() {
        kept[c.from as usize] = true;
        kept[c.to as usize] = true;
    }
    let mut kept_id: Vec<u32> = vec![u32::MAX; n];
    let mut kept_coords: Vec<Coord<f64>> = Vec::new();
    for v in 0..n {
        if kept[v] {
            kept_id[v] = kept_coords.len() as u32;
            kept_coords.push(junctions[v]);
        }
    }
    for c in chains.iter_mut() {
        c.from = kept_id[c.from as usize];
        c.to = kept_id[c.to as usize];
    }
    kept_coords
}
/// An arc as an adjacency entry: (node, other end, cost in seconds, arc).
type ArcEntry = (u32, u32, f64, ArcId);

/// The passable arcs of the links: as petgraph edges, and as adjacency
/// entries by tail (`out`) and by head (`inc`).
struct Arcs {
    graph: DiGraph<Coord<f64>, ArcId>,
    out: Vec<ArcEntry>,
    inc: Vec<ArcEntry>,
}

impl Arcs {
    fn of(node_coords: &[Coord<f64>], links: &[Link]) -> Arcs {
        let mut graph: DiGraph<Coord<f64>, ArcId> =
            DiGraph::with_capacity(node_coords.len(), links.len() * 2);
        for c in node_coords {
            graph.add_node(*c);
        }
        let mut out = Vec::with_capacity(links.len() * 2);
        let mut inc = Vec::with_capacity(links.len() * 2);
        for (i, l) in links.iter().enumerate() {
            let arcs = [
                (l.from, l.to, l.forward_s(), 2 * i as u32),
                (l.to, l.from, l.backward_s(), 2 * i as u32 + 1),
            ];
            for (tail, head, cost_s, arc) in arcs {
                if cost_s.is_finite() {
                    graph.add_edge(
                        NodeIndex::new(tail as usize),
                        NodeIndex::new(head as usize),
                        arc,
                    );
                    out.push((tail, head, cost_s, arc));
                    inc.push((head, tail, cost_s, arc));
                }
            }
        }
        Arcs { graph, out, inc }
    }
}

/// The weakly connected component of each node, labelled by its lowest
/// node so that labels do not depend on union order.
fn weak_components(n: usize, links: &[Link]) -> Vec<u32> {
    let mut sets: UnionFind<u32> = UnionFind::new(n);
    for l in links {
        sets.union(l.from, l.to);
    }
    let mut lowest: Vec<u32> = vec![u32::MAX; n];
    for v in 0..n as u32 {
        let root = sets.find_mut(v) as usize;
        lowest[root] = lowest[root].min(v);
    }
    (0..n as u32)
        .map(|v| lowest[sets.find_mut(v) as usize])
        .collect()
}

/// The strongly connected component of each node, SCCs numbered by their
/// lowest node; and the nodes of each SCC.
fn strong_components(graph: &DiGraph<Coord<f64>, ArcId>) -> (Vec<u32>, Vec<u32>) {
    let mut groups: Vec<Vec<NodeIndex>> = kosaraju_scc(graph);
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort_unstable_by_key(|g| g.first().map_or(u32::MAX, |v| v.index() as u32));
    let mut scc = vec![0u32; graph.node_count()];
    let mut scc_nodes = vec![0u32; groups.len()];
    for (i, g) in groups.iter().enumerate() {
        for v in g {
            scc[v.index()] = i as u32;
        }
        scc_nodes[i] = g.len() as u32;
    }
    (scc, scc_nodes)
}

/// The condensation of the graph (one arc between two SCCs when a road
/// leads from one to the other): successors and predecessors of each SCC.
fn condensation(forward: &Adjacency, scc: &[u32], scc_count: usize) -> (Csr, Csr) {
    let mut dag: Vec<(u32, u32)> = forward
        .offsets
        .windows(2)
        .zip(scc)
        .flat_map(|(range, &from)| {
            forward
                .other
                .get(range[0] as usize..range[1] as usize)
                .unwrap_or_default()
                .iter()
                .map(move |&head| (from, scc.get(head as usize).copied().unwrap_or(from)))
        })
        .filter(|(a, b)| a != b)
        .collect();
    dag.sort_unstable();
    dag.dedup();
    let succ = Csr::of(scc_count, &dag);
    let mut back: Vec<(u32, u32)> = dag.iter().map(|&(a, b)| (b, a)).collect();
    back.sort_unstable();
    let pred = Csr::of(scc_count, &back);
    (succ, pred)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    fn road(coords: &[(f64, f64)], oneway: Oneway) -> Road {
        Road {
            geometry: LineString::from(coords.to_vec()),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway,
        }
    }

    #[test]
    fn splits_at_shared_vertex_and_contracts_chains() {
        // A cross: two roads sharing the middle vertex, with extra
        // shape points that must be contracted away.
        let roads = vec![
            road(
                &[
                    (0.0, 0.0),
                    (0.001, 0.0),
                    (0.002, 0.0),
                    (0.003, 0.0),
                    (0.004, 0.0),
                ],
                Oneway::No,
            ),
            road(
                &[
                    (0.002, -0.002),
                    (0.002, -0.001),
                    (0.002, 0.0),
                    (0.002, 0.001),
                ],
                Oneway::No,
            ),
        ];
        let g = RoadGraph::build(&roads, &SpeedTable::default());
        assert_eq!(g.node_count(), 5, "4 ends + 1 crossing");
        assert_eq!(g.links.len(), 4);
        let total: f64 = g.links.iter().map(|l| l.length_m).sum();
        let expected =
            polyline_length_m(&roads[0].geometry.0) + polyline_length_m(&roads[1].geometry.0);
        assert!((total - expected).abs() < 1e-6);
        assert_eq!(g.component_count(), 1);
    }

    #[test]
    fn end_to_end_roads_merge_when_rules_match_and_not_otherwise() {
        let same = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::No),
            road(&[(0.001, 0.0), (0.002, 0.0)], Oneway::No),
        ];
        assert_eq!(
            RoadGraph::build(&same, &SpeedTable::default()).links.len(),
            1
        );
        // Second piece drawn backwards but one-way backwards: same rule.
        let flipped = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(0.002, 0.0), (0.001, 0.0)], Oneway::Backward),
        ];
        let g = RoadGraph::build(&flipped, &SpeedTable::default());
        assert_eq!(g.links.len(), 1);
        assert!(g.links[0].forward_s().is_finite() != g.links[0].backward_s().is_finite());
        let mixed = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(0.001, 0.0), (0.002, 0.0)], Oneway::No),
        ];
        assert_eq!(
            RoadGraph::build(&mixed, &SpeedTable::default()).links.len(),
            2
        );
    }

    #[test]
    fn one_way_gives_one_arc_and_islands_get_their_own_component() {
        let roads = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(1.0, 1.0), (1.001, 1.0)], Oneway::No),
        ];
        let g = RoadGraph::build(&roads, &SpeedTable::default());
        assert_eq!(g.graph.edge_count(), 3);
        assert_eq!(g.component_count(), 2);
        assert_ne!(g.component[0], g.component[2]);
    }

    #[test]
    fn round_i64_rounds_like_f64_round() {
        let values = [
            0.0,
            -0.0,
            0.3,
            -0.3,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            1_000_000_000.5,
            -1_000_000_000.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            -4_503_599_627_370_497.0,
            1e19,
            -1e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1_002_345_678.499_999_9,
            -1_002_345_678.500_000_1,
        ];
        for v in values {
            assert_eq!(round_i64(v), v.round() as i64, "{v}");
        }
        for i in 0..100_000 {
            let v = (i as f64 - 50_000.0) * 0.123_456_789 * 1e7;
            assert_eq!(round_i64(v), v.round() as i64, "{v}");
        }
    }

    #[test]
    fn packed_keys_radix_sort_like_a_comparison_sort() {
        // Duplicates, the extremes and keys differing in one byte only.
        let mut keys: Vec<Packed> = (0..200_000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (i % 64))
            .chain([0, u64::MAX, 1 << 63, 255, 256, 0, u64::MAX])
            .collect();
        keys.extend_from_within(..1000);
        let mut expected = keys.clone();
        expected.sort_unstable();
        <Packed as GridKey>::sort(&mut keys);
        assert_eq!(keys, expected);
    }

    #[test]
    fn polyline_length_is_geo_haversine_summed_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
        for n in 0..300usize {
            let mut line: Vec<Coord<f64>> = Vec::new();
            let (mut x, mut y) = (
                rng.random_range(-180.0..180.0),
                rng.random_range(-90.0..90.0),
            );
            for _ in 0..n % 40 {
                line.push(Coord { x, y });
                let step = [1e-7, 1e-4, 0.01, 5.0][n % 4];
                x += rng.random_range(-step..step);
                y = (y + rng.random_range(-step..step)).clamp(-90.0, 90.0);
            }
            if n % 7 == 0 {
                line.extend_from_within(..line.len() / 2);
            }
            let expected: f64 = line
                .windows(2)
                .map(|w| geo::Distance::distance(&Haversine, geo::Point(w[0]), geo::Point(w[1])))
                .sum();
            assert_eq!(
                polyline_length_m(&line).to_bits(),
                expected.to_bits(),
                "{line:?}"
            );
        }
    }

    #[test]
    fn canonical_order_is_the_stable_sort_by_the_comparison() {
        let mut roads = tangle();
        // Parallel links: the same ends, other geometry or rules.
        roads.push(road(
            &[(100.0, 13.0), (100.0002, 13.0001), (100.0005, 13.0)],
            Oneway::No,
        ));
        roads.push(road(
            &[(100.0, 13.0), (100.0002, 12.9999), (100.0005, 13.0)],
            Oneway::Forward,
        ));
        roads.push(road(
            &[(100.0005, 13.0), (100.0002, 12.9999), (100.0, 13.0)],
            Oneway::Backward,
        ));
        let speeds = SpeedTable::default();
        let (nodes, pieces) =
            numbered_pieces::<Packed>(&roads, &speeds, &road_blocks(&roads)).unwrap();
        let (mut chains, steps) = Contraction::new(nodes.len(), &pieces).chains();
        renumber_kept_junctions(&nodes, &mut chains);
        let walk = Walk {
            roads: &roads,
            pieces: &pieces,
            steps: &steps,
        };
        chains.iter_mut().for_each(|c| walk.orient(c));
        let ends = |c: &Chain| (c.from, c.to);
        assert!(
            chains
                .iter()
                .enumerate()
                .any(|(i, a)| chains[..i].iter().any(|b| ends(a) == ends(b))),
            "the tangle has parallel links"
        );
        for a in &chains {
            assert_eq!(walk.coord_iter(a).collect::<Vec<_>>(), walk.coords(a));
            for b in &chains {
                let eager = (a.from, a.to)
                    .cmp(&(b.from, b.to))
                    .then_with(|| cmp_coords(&walk.coords(a), &walk.coords(b)))
                    .then_with(|| a.forward_s_per_m.total_cmp(&b.forward_s_per_m))
                    .then_with(|| a.backward_s_per_m.total_cmp(&b.backward_s_per_m));
                assert_eq!(walk.canonical_cmp(a, b), eager);
            }
        }
        let mut expected = chains.clone();
        expected.sort_by(|a, b| walk.canonical_cmp(a, b));
        let got = walk.canonical_order(&chains);
        let id = |c: &Chain| (c.from, c.to, c.first_step, c.reversed);
        assert_eq!(
            got.iter().map(id).collect::<Vec<_>>(),
            expected.iter().map(id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn z_cell_inverts_z_order() {
        let edge = 1i64 << 31;
        for k in [
            (0, 0),
            (-edge, -edge),
            (edge - 1, edge - 1),
            (-edge, edge - 1),
            (1_002_345_678, 135_791_357),
            (-1_799_999_999, -899_999_999),
        ] {
            assert_eq!(z_cell(z_order(k)), k);
        }
    }

    /// A tangle of roads: a grid of two-way and one-way streets sharing
    /// vertices, shape points, repeated points, loops and a duplicate road.
    fn tangle() -> Vec<Road> {
        let mut roads = Vec::new();
        for i in 0..6 {
            let y = 13.0 + f64::from(i) * 0.001;
            let row: Vec<(f64, f64)> = (0..12)
                .map(|j| (100.0 + f64::from(j) * 0.0005, y + f64::from(j % 2) * 1e-9))
                .collect();
            let oneway = [Oneway::No, Oneway::Forward, Oneway::Backward][i as usize % 3];
            roads.push(road(&row, oneway));
            let x = 100.0 + f64::from(i) * 0.001;
            let column: Vec<(f64, f64)> =
                (0..12).map(|j| (x, 13.0 + f64::from(j) * 0.0005)).collect();
            roads.push(road(&column, Oneway::No));
        }
        roads.push(road(
            &[
                (100.0, 13.0),
                (100.0, 13.0),
                (99.999, 12.999),
                (100.0, 13.0),
            ],
            Oneway::No,
        ));
        roads.push(road(&[(100.0105, 13.004), (100.0105, 13.004)], Oneway::No));
        roads.push(roads[3].clone());
        roads
    }

    fn same_graph(a: &RoadGraph, b: &RoadGraph) {
        assert_eq!(a.node_count(), b.node_count());
        for n in 0..a.node_count() as u32 {
            assert_eq!(a.node_coord(n), b.node_coord(n));
        }
        assert_eq!(a.links, b.links);
        assert_eq!(a.coords, b.coords);
        assert_eq!(a.component, b.component);
        assert_eq!(a.component_junctions, b.component_junctions);
        assert_eq!(a.scc, b.scc);
        assert_eq!(a.scc_junctions, b.scc_junctions);
    }

    #[test]
    fn packed_and_wide_keys_build_the_same_graph() {
        let roads = tangle();
        let speeds = SpeedTable::default();
        let packed = RoadGraph::build_keyed::<Packed>(&roads, &speeds);
        let wide = RoadGraph::build_keyed::<Wide>(&roads, &speeds);
        assert!(packed.links.len() > 20, "{}", packed.links.len());
        same_graph(&packed, &wide);
        same_graph(&packed, &RoadGraph::build(&roads, &speeds));
    }

    #[test]
    fn one_vertex_beyond_32_bits_falls_back_to_wide_keys() {
        let mut roads = tangle();
        roads.push(road(&[(100.0, 13.0), (250.0, 13.0)], Oneway::No));
        let speeds = SpeedTable::default();
        let blocks = road_blocks(&roads);
        assert!(junction_keys::<Packed>(&roads, &blocks).is_none());
        assert!(junction_keys::<Packed>(
            &roads[..roads.len() - 1],
            &road_blocks(&roads[..roads.len() - 1])
        )
        .is_some());
        let wide = RoadGraph::build_keyed::<Wide>(&roads, &speeds);
        assert!(wide.node_count() > 20, "{}", wide.node_count());
        same_graph(&RoadGraph::build(&roads, &speeds), &wide);
    }

    #[test]
    fn coordinates_beyond_32_bits_build_without_panic() {
        let roads = vec![
            road(&[(0.0, 0.0), (1e6, 2e6), (3e9, -4e12)], Oneway::No),
            road(&[(1e6, 2e6), (5e6, 2e6)], Oneway::Forward),
            road(
                &[(f64::NAN, 0.0), (f64::INFINITY, 1.0), (0.0, 0.0)],
                Oneway::No,
            ),
        ];
        let speeds = SpeedTable::default();
        let a = RoadGraph::build(&roads, &speeds);
        let b = RoadGraph::build(&roads, &speeds);
        assert!(a.node_count() >= 4, "{}", a.node_count());
        same_graph(&a, &b);
    }

    #[test]
    fn a_closed_loop_of_shape_points_keeps_one_node() {
        let ring = road(
            &[
                (0.0, 0.0),
                (0.001, 0.0),
                (0.001, 0.001),
                (0.0, 0.001),
                (0.0, 0.0),
            ],
            Oneway::No,
        );
        let g = RoadGraph::build(std::slice::from_ref(&ring), &SpeedTable::default());
        assert_eq!(g.links.len(), 1);
        assert!((g.links[0].length_m - polyline_length_m(&ring.geometry.0)).abs() < 1e-6);
    }
}
