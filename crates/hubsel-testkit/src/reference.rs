//! The plain computation the engine is checked against, sharing no code
//! with it.
//!
//! # Why it is independent
//!
//! A reference that reuses the engine's graph, snapping or end-of-link
//! rules cannot catch a bug in them: the junction/one-way snap bug, for
//! one, lived in `Ends::of` and in the snapper's tie rule, and a reference
//! built on those agreed with every wrong answer. This module therefore
//! starts again from the input contract and uses only the model's road and
//! school types (`hubsel_model::model`), the scenario's speed *data*
//! ([`Speeds`]: the fields of the engine's speed table, copied, never its
//! methods) and std. It lives in its own crate, which does not depend on
//! the engine at all:
//!
//! - **Graph.** Every road vertex, rounded to 1e-7°, is a vertex; vertices
//!   meet where their rounded coordinates are equal. Each pair of
//!   consecutive distinct vertices of a road is a segment. Nothing is split
//!   or contracted.
//! - **Lengths** are great-circle metres on a sphere of the mean Earth
//!   radius, 6,371,008.8 m (the haversine formula, written out here).
//! - **Speeds**: the road's `maxspeed_kmh` when the table says to use it
//!   and it is positive; else the table's entry for the road's class with
//!   a trailing `_link` removed; else the table's default.
//! - **Snapping**: the nearest point on any segment in a local metric frame
//!   at the point's latitude (x scaled by cos(lat)), measured from the
//!   segment's lower end in (lon, lat) order. Exact ties go to the lower
//!   snap point (lon, then lat), then the lower segment ends, then the lower
//!   rates (seconds per metre up, then down). A point at a segment end is
//!   that vertex.
//! - **Small fragments**: a *junction* is a vertex that starts or ends a
//!   road or occurs twice or more among all the roads' vertices. Strongly
//!   connected components (Kosaraju, written out here) are counted in
//!   junctions; a segment belongs to its ends' component when they share
//!   one, else to none. A segment is on a small fragment when it belongs to
//!   none, or to a component with fewer junctions than the threshold that
//!   is not one of the largest. A point whose nearest segment is on a small
//!   fragment goes instead to the nearest point on any other segment when
//!   that one is within the snap limit.
//! - **Travel**: Dijkstra (a binary heap) forward from the start point over
//!   all vertices, leaving the start's segment at either end where the
//!   one-way rule allows; a trip within one segment goes straight along
//!   it. No bounds, no early stop except when every vertex asked for is
//!   settled.
//!
//! It is slow by design and exists only for tests.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};

use hubsel_model::model::{Oneway, Road};

/// The scenario's speeds as data: the fields of the engine's speed table
/// (`SpeedTable`), copied by the test that builds a [`Network`].
#[derive(Clone, Debug, PartialEq)]
pub struct Speeds {
    /// km/h by class name (OSM `highway` values or the input's classes).
    pub by_class_kmh: Vec<(String, f64)>,
    /// km/h for a class not in the table.
    pub default_kmh: f64,
    /// Use a road's own `maxspeed` when it has one.
    pub use_maxspeed: bool,
}

/// Mean Earth radius, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle metres between two lon/lat points (degrees).
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// km/h for one road, read from the table's data.
pub fn road_kmh(speeds: &Speeds, road: &Road) -> f64 {
    if speeds.use_maxspeed {
        if let Some(v) = road.maxspeed_kmh {
            if v > 0.0 {
                return v;
            }
        }
    }
    let class = road.class.as_str();
    let base = class.strip_suffix("_link").unwrap_or(class);
    for (name, kmh) in &speeds.by_class_kmh {
        if name == base {
            return *kmh;
        }
    }
    speeds.default_kmh
}

/// A vertex's grid cell: degrees × 1e7, rounded.
fn cell(lon: f64, lat: f64) -> (i64, i64) {
    ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64)
}

/// One segment of one road.
#[derive(Clone, Copy, Debug)]
struct Segment {
    /// End vertices, `lo` first in (lon, lat) order.
    lo: u32,
    hi: u32,
    /// Seconds per metre from `lo` to `hi` and back (infinite: not allowed).
    up_s_per_m: f64,
    down_s_per_m: f64,
}

/// A point on the reference network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snapped {
    /// Index of the segment (internal).
    segment: usize,
    /// The point, lon/lat.
    pub point: (f64, f64),
    /// Great-circle metres from the query point to `point`.
    pub offroad_m: f64,
    /// The vertex, when the point is one.
    vertex: Option<u32>,
    /// Metres from the segment's `lo` end to the point and from the point
    /// to its `hi` end.
    from_lo_m: f64,
    to_hi_m: f64,
}

/// The raw road network.
pub struct Network {
    /// Lon/lat of each vertex (rounded to the grid).
    coords: Vec<(f64, f64)>,
    junction: Vec<bool>,
    segments: Vec<Segment>,
    /// Outgoing (vertex, seconds) per vertex.
    out: Vec<Vec<(u32, f64)>>,
    /// Strongly connected component of each vertex, and junctions per
    /// component.
    scc: Vec<u32>,
    scc_junctions: Vec<u32>,
    largest_junctions: u32,
    /// Weakly connected component of each vertex.
    weak: Vec<u32>,
}

/// Iterative Kosaraju: component of each vertex of a graph given as
/// forward adjacency lists.
fn strong_components(out: &[Vec<(u32, f64)>]) -> Vec<u32> {
    let n = out.len();
    let mut back: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (v, arcs) in out.iter().enumerate() {
        for &(w, _) in arcs {
            back[w as usize].push(v as u32);
        }
    }
    // First pass: finishing order on the forward graph.
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack: Vec<(u32, usize)> = vec![(start as u32, 0)];
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            if let Some(&(w, _)) = out[v as usize].get(i) {
                top.1 += 1;
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    // Second pass: on the reversed graph, in reverse finishing order.
    let mut comp = vec![u32::MAX; n];
    let mut next = 0u32;
    for &start in order.iter().rev() {
        if comp[start as usize] != u32::MAX {
            continue;
        }
        comp[start as usize] = next;
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            for &w in &back[v as usize] {
                if comp[w as usize] == u32::MAX {
                    comp[w as usize] = next;
                    stack.push(w);
                }
            }
        }
        next += 1;
    }
    comp
}

/// Weak components by repeated search over arcs taken both ways.
fn weak_components(out: &[Vec<(u32, f64)>], segments: &[Segment]) -> Vec<u32> {
    let n = out.len();
    let mut both: Vec<Vec<u32>> = vec![Vec::new(); n];
    for s in segments {
        both[s.lo as usize].push(s.hi);
        both[s.hi as usize].push(s.lo);
    }
    let mut comp = vec![u32::MAX; n];
    let mut next = 0;
    for start in 0..n {
        if comp[start] != u32::MAX {
            continue;
        }
        comp[start] = next;
        let mut stack = vec![start as u32];
        while let Some(v) = stack.pop() {
            for &w in &both[v as usize] {
                if comp[w as usize] == u32::MAX {
                    comp[w as usize] = next;
                    stack.push(w);
                }
            }
        }
        next += 1;
    }
    comp
}

/// Lexicographic (lon, lat) order.
fn cmp_point(a: (f64, f64), b: (f64, f64)) -> Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// The vertices, numbered in the order the roads first use them, with
/// whether each is a junction.
struct Vertices {
    /// Cells that are junctions: a road's first or last vertex, or a cell
    /// occurring twice or more among all the roads' vertices.
    junction_cells: HashSet<(i64, i64)>,
    index: HashMap<(i64, i64), u32>,
    coords: Vec<(f64, f64)>,
    junction: Vec<bool>,
}

impl Vertices {
    fn new(roads: &[Road]) -> Vertices {
        let mut occurrences: HashMap<(i64, i64), u32> = HashMap::new();
        let mut junction_cells: HashSet<(i64, i64)> = HashSet::new();
        for road in roads {
            let pts = &road.geometry.0;
            for (i, c) in pts.iter().enumerate() {
                let k = cell(c.x, c.y);
                *occurrences.entry(k).or_insert(0) += 1;
                if i == 0 || i + 1 == pts.len() {
                    junction_cells.insert(k);
                }
            }
        }
        junction_cells.extend(
            occurrences
                .into_iter()
                .filter(|(_, n)| *n >= 2)
                .map(|(k, _)| k),
        );
        Vertices {
            junction_cells,
            index: HashMap::new(),
            coords: Vec::new(),
            junction: Vec::new(),
        }
    }

    /// The number of the vertex in cell `k`, numbering it when new.
    fn vertex(&mut self, k: (i64, i64)) -> u32 {
        *self.index.entry(k).or_insert_with(|| {
            self.coords.push((k.0 as f64 / 1e7, k.1 as f64 / 1e7));
            self.junction.push(self.junction_cells.contains(&k));
            (self.coords.len() - 1) as u32
        })
    }
}

/// A segment as drawn: its two vertices in road order, and the seconds per
/// metre along and against the road (infinite: not allowed).
type RawSegment = (u32, u32, f64, f64);

/// Every segment of every road, in road order; a pair of consecutive
/// vertices in one cell is no segment.
fn raw_segments(roads: &[Road], speeds: &Speeds, vertices: &mut Vertices) -> Vec<RawSegment> {
    let mut raw = Vec::new();
    for road in roads {
        let s_per_m = 3.6 / road_kmh(speeds, road);
        let (along, against) = match road.oneway {
            Oneway::No => (s_per_m, s_per_m),
            Oneway::Forward => (s_per_m, f64::INFINITY),
            Oneway::Backward => (f64::INFINITY, s_per_m),
        };
        for w in road.geometry.0.windows(2) {
            let (a, b) = (cell(w[0].x, w[0].y), cell(w[1].x, w[1].y));
            if a == b {
                continue;
            }
            raw.push((vertices.vertex(a), vertices.vertex(b), along, against));
        }
    }
    raw
}

/// The segments with their lower end (in (lon, lat) order) first, and the
/// outgoing (vertex, seconds) arcs of each vertex.
fn orient_segments(
    raw: Vec<RawSegment>,
    coords: &[(f64, f64)],
) -> (Vec<Segment>, Vec<Vec<(u32, f64)>>) {
    let mut segments = Vec::with_capacity(raw.len());
    let mut out: Vec<Vec<(u32, f64)>> = vec![Vec::new(); coords.len()];
    for (a, b, along, against) in raw {
        let length_m = haversine_m(coords[a as usize], coords[b as usize]);
        let a_first = cmp_point(coords[a as usize], coords[b as usize]) == Ordering::Less;
        let (lo, hi, up, down) = if a_first {
            (a, b, along, against)
        } else {
            (b, a, against, along)
        };
        if up.is_finite() {
            out[lo as usize].push((hi, length_m * up));
        }
        if down.is_finite() {
            out[hi as usize].push((lo, length_m * down));
        }
        segments.push(Segment {
            lo,
            hi,
            up_s_per_m: up,
            down_s_per_m: down,
        });
    }
    (segments, out)
}

/// Junctions in each strongly connected component.
fn junctions_per_component(scc: &[u32], junction: &[bool]) -> Vec<u32> {
    let count = scc.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut junctions = vec![0u32; count];
    for (v, &c) in scc.iter().enumerate() {
        if junction[v] {
            junctions[c as usize] += 1;
        }
    }
    junctions
}

/// A candidate snap with the keys that order candidates.
struct Nearest {
    m: f64,
    point: (f64, f64),
    segment: usize,
    /// Fraction from `lo` to `hi`.
    t: f64,
}

impl Network {
    /// Builds the network from the raw roads.
    pub fn new(roads: &[Road], speeds: &Speeds) -> Network {
        let mut vertices = Vertices::new(roads);
        let raw = raw_segments(roads, speeds, &mut vertices);
        let Vertices {
            coords, junction, ..
        } = vertices;
        let (segments, out) = orient_segments(raw, &coords);
        let scc = strong_components(&out);
        let scc_junctions = junctions_per_component(&scc, &junction);
        let largest_junctions = scc_junctions.iter().copied().max().unwrap_or(0);
        let weak = weak_components(&out, &segments);
        Network {
            coords,
            junction,
            segments,
            out,
            scc,
            scc_junctions,
            largest_junctions,
            weak,
        }
    }

    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.coords.len()
    }

    /// Number of junctions.
    pub fn junction_count(&self) -> usize {
        self.junction.iter().filter(|j| **j).count()
    }

    /// Junctions of the strongly connected component a point's segment
    /// belongs to (0 when its ends are in different components).
    pub fn fragment_junctions(&self, at: &Snapped) -> u32 {
        let s = &self.segments[at.segment];
        let (a, b) = (self.scc[s.lo as usize], self.scc[s.hi as usize]);
        if a == b {
            self.scc_junctions[a as usize]
        } else {
            0
        }
    }

    /// Whether a segment lies on a small fragment (see the module docs).
    fn is_small(&self, segment: usize, min_junctions: u32) -> bool {
        if min_junctions == 0 {
            return false;
        }
        let s = &self.segments[segment];
        let (a, b) = (self.scc[s.lo as usize], self.scc[s.hi as usize]);
        if a != b {
            return true;
        }
        let j = self.scc_junctions[a as usize];
        j < min_junctions && j < self.largest_junctions
    }

    /// The nearest point of segment `i` to `p`.
    fn on_segment(&self, i: usize, p: (f64, f64), cos_lat: f64) -> Nearest {
        let s = &self.segments[i];
        let (lo, hi) = (self.coords[s.lo as usize], self.coords[s.hi as usize]);
        let m_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let x = |c: (f64, f64)| (c.0 - p.0) * cos_lat * m_per_deg;
        let y = |c: (f64, f64)| (c.1 - p.1) * m_per_deg;
        let (x0, y0, x1, y1) = (x(lo), y(lo), x(hi), y(hi));
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len2 = dx * dx + dy * dy;
        let mut t = if len2 > 0.0 {
            -(x0 * dx + y0 * dy) / len2
        } else {
            0.0
        };
        t = t.clamp(0.0, 1.0);
        let (point, px, py) = if t == 0.0 {
            (lo, x0, y0)
        } else if t == 1.0 {
            (hi, x1, y1)
        } else {
            (
                (lo.0 + t * (hi.0 - lo.0), lo.1 + t * (hi.1 - lo.1)),
                x0 + t * dx,
                y0 + t * dy,
            )
        };
        Nearest {
            m: (px * px + py * py).sqrt(),
            point,
            segment: i,
            t,
        }
    }

    /// Whether candidate `a` comes before `b` (nearest, then the geometry
    /// tie rule of the module docs).
    fn before(&self, a: &Nearest, b: &Nearest) -> bool {
        let (sa, sb) = (&self.segments[a.segment], &self.segments[b.segment]);
        a.m.total_cmp(&b.m)
            .then(cmp_point(a.point, b.point))
            .then(cmp_point(
                self.coords[sa.lo as usize],
                self.coords[sb.lo as usize],
            ))
            .then(cmp_point(
                self.coords[sa.hi as usize],
                self.coords[sb.hi as usize],
            ))
            .then(sa.up_s_per_m.total_cmp(&sb.up_s_per_m))
            .then(sa.down_s_per_m.total_cmp(&sb.down_s_per_m))
            .is_lt()
    }

    fn nearest_where(&self, lon: f64, lat: f64, accept: impl Fn(usize) -> bool) -> Option<Snapped> {
        let p = (lon, lat);
        let cos_lat = lat.to_radians().cos().max(1e-6);
        let mut best: Option<Nearest> = None;
        for i in 0..self.segments.len() {
            if !accept(i) {
                continue;
            }
            let c = self.on_segment(i, p, cos_lat);
            if best.as_ref().is_none_or(|b| self.before(&c, b)) {
                best = Some(c);
            }
        }
        let b = best?;
        let s = &self.segments[b.segment];
        let (lo, hi) = (self.coords[s.lo as usize], self.coords[s.hi as usize]);
        let vertex = if b.t == 0.0 {
            Some(s.lo)
        } else if b.t == 1.0 {
            Some(s.hi)
        } else {
            None
        };
        Some(Snapped {
            segment: b.segment,
            point: b.point,
            offroad_m: haversine_m(p, b.point),
            vertex,
            from_lo_m: haversine_m(lo, b.point),
            to_hi_m: haversine_m(b.point, hi),
        })
    }

    /// The nearest point of the whole network.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<Snapped> {
        self.nearest_where(lon, lat, |_| true)
    }

    /// Where a school goes: the nearest point, unless that lies on a small
    /// fragment (fewer than `min_junctions`) and a point off small
    /// fragments is within `max_snap_m`.
    pub fn place(
        &self,
        lon: f64,
        lat: f64,
        max_snap_m: f64,
        min_junctions: u32,
    ) -> Option<Snapped> {
        let nearest = self.nearest(lon, lat)?;
        if !self.is_small(nearest.segment, min_junctions) {
            return Some(nearest);
        }
        match self
            .nearest_where(lon, lat, |i| !self.is_small(i, min_junctions))
            .filter(|s| s.offroad_m <= max_snap_m)
        {
            Some(s) => Some(s),
            None => Some(nearest),
        }
    }

    /// Whether any road joins two points, whatever the one-way rules.
    pub fn joined(&self, a: &Snapped, b: &Snapped) -> bool {
        let va = self.segments[a.segment].lo;
        let vb = self.segments[b.segment].lo;
        self.weak[va as usize] == self.weak[vb as usize]
    }

    /// (vertex, seconds) from the point onto the network.
    fn departures(&self, from: &Snapped) -> Vec<(u32, f64)> {
        if let Some(v) = from.vertex {
            return vec![(v, 0.0)];
        }
        let s = &self.segments[from.segment];
        let mut out = Vec::new();
        if s.up_s_per_m.is_finite() {
            out.push((s.hi, from.to_hi_m * s.up_s_per_m));
        }
        if s.down_s_per_m.is_finite() {
            out.push((s.lo, from.from_lo_m * s.down_s_per_m));
        }
        out
    }

    /// (vertex, seconds) from the network to the point.
    fn arrivals(&self, to: &Snapped) -> Vec<(u32, f64)> {
        if let Some(v) = to.vertex {
            return vec![(v, 0.0)];
        }
        let s = &self.segments[to.segment];
        let mut out = Vec::new();
        if s.up_s_per_m.is_finite() {
            out.push((s.lo, to.from_lo_m * s.up_s_per_m));
        }
        if s.down_s_per_m.is_finite() {
            out.push((s.hi, to.to_hi_m * s.down_s_per_m));
        }
        out
    }

    /// Seconds straight along one segment, when both points lie on the
    /// same stretch of road (same ends and rules) and the rules allow it.
    fn direct_s(&self, from: &Snapped, to: &Snapped) -> f64 {
        let (a, b) = (&self.segments[from.segment], &self.segments[to.segment]);
        let same = a.lo == b.lo
            && a.hi == b.hi
            && a.up_s_per_m.to_bits() == b.up_s_per_m.to_bits()
            && a.down_s_per_m.to_bits() == b.down_s_per_m.to_bits();
        if !same || from.vertex.is_some() || to.vertex.is_some() {
            return f64::INFINITY;
        }
        if from.point == to.point {
            return 0.0;
        }
        let rate = if to.from_lo_m >= from.from_lo_m {
            a.up_s_per_m
        } else {
            a.down_s_per_m
        };
        if rate.is_finite() {
            (to.from_lo_m - from.from_lo_m).abs() * rate
        } else {
            f64::INFINITY
        }
    }

    /// Road seconds from `from` to each of `to` (infinite when no road
    /// leads there): one Dijkstra, stopped once every vertex the
    /// destinations are entered from is settled.
    pub fn times_s(&self, from: &Snapped, to: &[Snapped]) -> Vec<f64> {
        let n = self.coords.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut done = vec![false; n];
        let mut wanted: Vec<bool> = vec![false; n];
        let mut pending = 0usize;
        for t in to {
            for (v, _) in self.arrivals(t) {
                if !wanted[v as usize] {
                    wanted[v as usize] = true;
                    pending += 1;
                }
            }
        }
        let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
        for (v, s) in self.departures(from) {
            if s < dist[v as usize] {
                dist[v as usize] = s;
                heap.push(Reverse((s.to_bits(), v)));
            }
        }
        while pending > 0 {
            let Some(Reverse((bits, v))) = heap.pop() else {
                break;
            };
            let d = f64::from_bits(bits);
            if done[v as usize] || d > dist[v as usize] {
                continue;
            }
            done[v as usize] = true;
            if wanted[v as usize] {
                pending -= 1;
            }
            for &(w, cost) in &self.out[v as usize] {
                let nd = d + cost;
                if nd < dist[w as usize] {
                    dist[w as usize] = nd;
                    heap.push(Reverse((nd.to_bits(), w)));
                }
            }
        }
        to.iter()
            .map(|t| {
                let via = self
                    .arrivals(t)
                    .into_iter()
                    .map(|(v, s)| dist[v as usize] + s)
                    .fold(f64::INFINITY, f64::min);
                via.min(self.direct_s(from, t))
            })
            .collect()
    }

    /// Road seconds from one point to another, `None` when no road leads
    /// there.
    pub fn trip_s(&self, from: &Snapped, to: &Snapped) -> Option<f64> {
        let t = self.times_s(from, std::slice::from_ref(to))[0];
        t.is_finite().then_some(t)
    }
}
