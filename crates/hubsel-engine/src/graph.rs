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

use geo::{Coord, Distance, Haversine, Point};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;

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
        entries.sort_by_key(|e| (e.0, e.3));
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

/// Length in metres along a polyline of lon/lat vertices.
pub fn polyline_length_m(coords: &[Coord<f64>]) -> f64 {
    coords
        .windows(2)
        .map(|w| Haversine.distance(Point(w[0]), Point(w[1])))
        .sum()
}

/// Grid key of a vertex: coordinates rounded to 1e-7 degree (about 1 cm),
/// so vertices written by different tools with tiny float noise still meet.
fn key(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64)
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

/// A piece of road between junctions, before the junctions are numbered.
struct RawPiece {
    coords: Vec<Coord<f64>>,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
}

/// A road cut at the junctions (`junctions`: sorted grid keys), its
/// vertices snapped to the grid.
fn split_at_junctions(road: &Road, speeds: &SpeedTable, junctions: &[(i64, i64)]) -> Vec<RawPiece> {
    let s_per_m = 3.6 / speeds.road_kmh(road);
    let (fwd, back) = match road.oneway {
        Oneway::No => (s_per_m, s_per_m),
        Oneway::Forward => (s_per_m, f64::INFINITY),
        Oneway::Backward => (f64::INFINITY, s_per_m),
    };
    let coords: Vec<Coord<f64>> = road
        .geometry
        .0
        .iter()
        .map(|c| Coord {
            x: key(*c).0 as f64 / 1e7,
            y: key(*c).1 as f64 / 1e7,
        })
        .collect();
    let mut raw = Vec::new();
    let mut start = 0;
    for i in 1..coords.len() {
        let is_node = i + 1 == coords.len() || junctions.binary_search(&key(coords[i])).is_ok();
        if is_node {
            let mut part = coords[start..=i].to_vec();
            part.dedup();
            if part.len() >= 2 {
                raw.push(RawPiece {
                    coords: part,
                    forward_s_per_m: fwd,
                    backward_s_per_m: back,
                });
            }
            start = i;
        }
    }
    raw
}

/// One split piece before contraction.
struct Piece {
    from: u32,
    to: u32,
    coords: Vec<Coord<f64>>,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
}

/// Lexicographic order of two vertex lists by (lon, lat).
fn cmp_coords(a: &[Coord<f64>], b: &[Coord<f64>]) -> Ordering {
    for (p, q) in a.iter().zip(b) {
        let o = p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y));
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
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
        // 1. Which vertices are junctions: road ends and vertices used
        // twice. Every use of a grid cell (ends twice) in one array, sorted
        // in parallel: cells met at least twice are the junctions (a sorted
        // array, not a hash map, for tens of millions of vertices).
        let mut uses: Vec<(i64, i64)> = roads
            .par_iter()
            .flat_map_iter(|road| {
                let n = road.geometry.0.len();
                road.geometry.0.iter().enumerate().flat_map(move |(i, c)| {
                    let weight = if i == 0 || i + 1 == n { 2 } else { 1 };
                    std::iter::repeat_n(key(*c), weight)
                })
            })
            .collect();
        uses.par_sort_unstable();
        let junctions: Vec<(i64, i64)> = uses
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= 2)
            .map(|run| run[0])
            .collect();
        drop(uses);
        // 2. Split roads at junctions (in parallel, kept in road order).
        let raw: Vec<RawPiece> = roads
            .par_iter()
            .flat_map_iter(|road| split_at_junctions(road, speeds, &junctions))
            .collect();
        drop(junctions);
        // 3. Number the junctions in the Z-order of their grid cells: the
        // numbering depends on the coordinates only, not on the order of
        // the roads, and near junctions get near numbers (memory locality
        // for the searches).
        let mut keys: Vec<(u64, (i64, i64))> = raw
            .iter()
            .flat_map(|p| [key(p.coords[0]), key(p.coords[p.coords.len() - 1])])
            .map(|k| (z_order(k), k))
            .collect();
        keys.par_sort_unstable();
        keys.dedup();
        let node_coords: Vec<Coord<f64>> = keys
            .iter()
            .map(|(_, k)| Coord {
                x: k.0 as f64 / 1e7,
                y: k.1 as f64 / 1e7,
            })
            .collect();
        let id = |c: Coord<f64>| {
            let k = key(c);
            keys.binary_search(&(z_order(k), k)).unwrap_or(0) as u32
        };
        let pieces: Vec<Piece> = raw
            .into_par_iter()
            .map(|p| Piece {
                from: id(p.coords[0]),
                to: id(p.coords[p.coords.len() - 1]),
                coords: p.coords,
                forward_s_per_m: p.forward_s_per_m,
                backward_s_per_m: p.backward_s_per_m,
            })
            .collect();
        Self::contract_and_index(node_coords, pieces)
    }

    /// Merges chains through degree-2 nodes whose two pieces have the same
    /// speed and direction rules, then puts the links in canonical order
    /// and builds the indexes.
    fn contract_and_index(node_coords: Vec<Coord<f64>>, pieces: Vec<Piece>) -> RoadGraph {
        let mut chains = Contraction::new(node_coords.len(), &pieces).chains();
        drop(pieces);
        let kept_coords = renumber_kept_junctions(&node_coords, &mut chains);
        for c in &mut chains {
            c.orient();
        }
        chains.sort_by(Chain::canonical_cmp);
        let (links, coords) = lay_out(chains);
        Self::index(kept_coords, links, coords)
    }

    /// Builds the petgraph view, the adjacency arrays and the components.
    fn index(node_coords: Vec<Coord<f64>>, links: Vec<Link>, coords: Vec<Coord<f64>>) -> RoadGraph {
        let n = node_coords.len();
        let Arcs { graph, out, inc } = Arcs::of(&node_coords, &links);
        let component = weak_components(n, &links);
        let (scc, mut scc_junctions) = strong_components(&graph);
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
        let (scc_succ, scc_pred) = condensation(&out, &scc, scc_junctions.len());
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
            forward: Adjacency::build(n, out),
            reverse: Adjacency::build(n, inc),
        }
    }
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
}

/// A run of pieces through removable junctions, to become one link: its
/// end junctions, vertices, rates and the junctions contracted away.
struct Chain {
    from: u32,
    to: u32,
    coords: Vec<Coord<f64>>,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
    inner_junctions: u32,
}

impl Chain {
    /// Orients the chain from its lower end (a loop: its smaller way
    /// round, then its smaller rates), so that its direction does not
    /// depend on the order of the roads.
    fn orient(&mut self) {
        let reverse = match self.from.cmp(&self.to) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => {
                let reversed: Vec<Coord<f64>> = self.coords.iter().rev().copied().collect();
                match cmp_coords(&reversed, &self.coords) {
                    Ordering::Less => true,
                    Ordering::Greater => false,
                    Ordering::Equal => {
                        (
                            self.backward_s_per_m.to_bits(),
                            self.forward_s_per_m.to_bits(),
                        ) < (
                            self.forward_s_per_m.to_bits(),
                            self.backward_s_per_m.to_bits(),
                        )
                    }
                }
            }
        };
        if reverse {
            std::mem::swap(&mut self.from, &mut self.to);
            std::mem::swap(&mut self.forward_s_per_m, &mut self.backward_s_per_m);
            self.coords.reverse();
        }
    }

    /// The canonical order of oriented chains: by ends, geometry and rules.
    fn canonical_cmp(a: &Chain, b: &Chain) -> Ordering {
        (a.from, a.to)
            .cmp(&(b.from, b.to))
            .then_with(|| cmp_coords(&a.coords, &b.coords))
            .then_with(|| a.forward_s_per_m.total_cmp(&b.forward_s_per_m))
            .then_with(|| a.backward_s_per_m.total_cmp(&b.backward_s_per_m))
    }
}

/// The walk that merges pieces into chains: which pieces meet at each
/// junction, which junctions are removable, which pieces are taken.
struct Contraction<'a> {
    pieces: &'a [Piece],
    /// Pieces at each junction (a loop piece twice).
    incident: Vec<Vec<u32>>,
    /// Junctions where exactly two pieces meet with matching rates.
    removable: Vec<bool>,
    used: Vec<bool>,
}

impl<'a> Contraction<'a> {
    fn new(junctions: usize, pieces: &'a [Piece]) -> Self {
        let mut incident: Vec<Vec<u32>> = vec![Vec::new(); junctions];
        for (i, p) in pieces.iter().enumerate() {
            incident[p.from as usize].push(i as u32);
            incident[p.to as usize].push(i as u32);
        }
        let removable = (0..junctions)
            .map(|v| {
                let inc = &incident[v];
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
            incident,
            removable,
            used: vec![false; pieces.len()],
        }
    }

    /// Every chain: walked from each kept junction in junction order, then
    /// the pure cycles left over (kept at their lowest junction).
    fn chains(mut self) -> Vec<Chain> {
        let mut chains = Vec::new();
        for v in 0..self.incident.len() {
            if self.removable[v] {
                continue;
            }
            self.walk_all_from(v, &mut chains);
        }
        for v in 0..self.incident.len() {
            self.walk_all_from(v, &mut chains);
        }
        chains
    }

    /// Walks a chain along each piece at junction `v` not taken yet.
    fn walk_all_from(&mut self, v: usize, chains: &mut Vec<Chain>) {
        for k in 0..self.incident[v].len() {
            let p = self.incident[v][k] as usize;
            if !self.used[p] {
                chains.push(self.walk(v as u32, p));
            }
        }
    }

    /// The chain that leaves `start` along `first_piece` and goes on
    /// through removable junctions until a kept one, `start` again, or a
    /// piece already taken.
    fn walk(&mut self, start: u32, first_piece: usize) -> Chain {
        let pieces = self.pieces;
        let (fwd, back) = pieces[first_piece].rates_away_from(start);
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let mut inner = 0u32;
        let mut at = start;
        let mut piece = first_piece;
        loop {
            self.used[piece] = true;
            let p = &pieces[piece];
            let skip = usize::from(!coords.is_empty());
            if p.from == at {
                coords.extend(p.coords.iter().skip(skip));
                at = p.to;
            } else {
                coords.extend(p.coords.iter().rev().skip(skip));
                at = p.from;
            }
            if !self.removable[at as usize] || at == start {
                break;
            }
            let inc = &self.incident[at as usize];
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
            coords,
            forward_s_per_m: fwd,
            backward_s_per_m: back,
            inner_junctions: inner,
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

/// The chains, in their order, as links over one shared vertex array.
fn lay_out(chains: Vec<Chain>) -> (Vec<Link>, Vec<Coord<f64>>) {
    let mut links: Vec<Link> = Vec::with_capacity(chains.len());
    let mut coords: Vec<Coord<f64>> = Vec::new();
    for c in chains {
        let first_coord = coords.len() as u32;
        links.push(Link {
            from: c.from,
            to: c.to,
            first_coord,
            coord_count: c.coords.len() as u32,
            length_m: polyline_length_m(&c.coords),
            forward_s_per_m: c.forward_s_per_m,
            backward_s_per_m: c.backward_s_per_m,
            inner_junctions: c.inner_junctions,
        });
        coords.extend(c.coords);
    }
    (links, coords)
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
fn condensation(out: &[ArcEntry], scc: &[u32], scc_count: usize) -> (Csr, Csr) {
    let mut dag: Vec<(u32, u32)> = out
        .iter()
        .map(|&(tail, head, _, _)| (scc[tail as usize], scc[head as usize]))
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
