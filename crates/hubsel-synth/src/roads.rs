//! The road network under construction: shared vertices, winding road
//! geometry, a city street grid with one-way couplets, and noding so that
//! roads meet only at shared vertices.
//!
//! Vertices are held once, as rounded coordinates in [`Network::nodes`],
//! and roads are lists of vertex indices. A road that branches off another
//! starts at one of its vertices, and where two roads cross a vertex is
//! inserted into both, so every junction is a bit-identical coordinate in
//! the written file.

use std::f64::consts::{PI, TAU};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::geom::{delta_m, distance_m, offset_m, orient, point_segment_m, rounded7, Grid, LonLat};
use super::names::CITY_STREETS;
use super::province::Terrain;
use super::{RoadClass, SynthRoad};

/// Step in metres at which a road's centre line is evaluated before its
/// vertices are picked; fine enough to follow the tightest bends.
const FINE_STEP_M: f64 = 20.0;
/// Vertex spacing ranges in metres, picked at random per vertex: lowland
/// roads are nearly straight, mountain roads need vertices close enough to
/// follow their bends.
const VALLEY_SPACING_M: std::ops::Range<f64> = 70.0..200.0;
const HIGHLAND_SPACING_M: std::ops::Range<f64> = 50.0..150.0;
/// A road shorter than this is a single straight segment.
const MIN_TRACED_M: f64 = 150.0;
/// Cap on the slow sideways wander of a road, in metres.
const WANDER_MAX_M: f64 = 2_500.0;
/// Cells of the vertex index, in degrees (about 2 km).
const NODE_CELL_DEG: f64 = 0.02;
/// Cells of the segment index used for noding and distance searches, in
/// degrees (about 1 km).
const SEGMENT_CELL_DEG: f64 = 0.01;
/// Noding rounds the inserted crossing to the network's decimals, which
/// moves it by up to a centimetre (ten at 6 decimals) and may, very
/// rarely, make a new crossing: repeat.
const MAX_NODING_PASSES: usize = 4;

/// How a class of road bends.
#[derive(Clone, Copy, Debug)]
struct Winding {
    /// Share of the full mountain switchback amplitude the class takes on.
    switchbacks: f64,
    /// Slow sideways wander as a share of the road's length.
    wander_share: f64,
}

impl RoadClass {
    fn winding(self) -> Winding {
        match self {
            RoadClass::Primary => Winding {
                switchbacks: 0.55,
                wander_share: 0.02,
            },
            RoadClass::Secondary => Winding {
                switchbacks: 0.8,
                wander_share: 0.04,
            },
            RoadClass::Tertiary | RoadClass::Unclassified => Winding {
                switchbacks: 1.0,
                wander_share: 0.08,
            },
            RoadClass::Track => Winding {
                switchbacks: 1.0,
                wander_share: 0.12,
            },
        }
    }
}

/// What a road is, apart from its geometry.
#[derive(Clone, Debug)]
pub struct RoadLabel {
    pub class: RoadClass,
    /// Thai name, or empty.
    pub name: String,
    /// Posted speed limit in km/h.
    pub maxspeed_kmh: Option<u32>,
}

impl RoadLabel {
    /// An unposted road.
    pub fn new(class: RoadClass, name: String) -> Self {
        RoadLabel {
            class,
            name,
            maxspeed_kmh: None,
        }
    }
}

/// A road before writing: its vertices as indices into [`Network::nodes`].
#[derive(Clone, Debug)]
pub struct RoadDraft {
    pub class: RoadClass,
    pub name: String,
    pub oneway: bool,
    pub maxspeed_kmh: Option<u32>,
    pub nodes: Vec<u32>,
}

/// The growing road network of one data set.
#[derive(Debug)]
pub struct Network {
    /// Every vertex, rounded to the network's decimals, `[lon, lat]`.
    pub nodes: Vec<LonLat>,
    pub roads: Vec<RoadDraft>,
    min: LonLat,
    max: LonLat,
    /// `10^decimals`.
    scale: f64,
    node_index: Grid<u32>,
}

impl Network {
    /// An empty network whose indexes cover `min`..`max` (degrees) and
    /// whose vertices are rounded to `decimals` decimals (7, about a
    /// centimetre, or 6, about ten): rounding once, at creation, and
    /// copying the rounded value afterwards is what makes shared vertices
    /// bit-identical in the written file.
    pub fn new(min: LonLat, max: LonLat, decimals: i32) -> Self {
        Network {
            nodes: Vec::new(),
            roads: Vec::new(),
            min,
            max,
            scale: 10_f64.powi(decimals),
            node_index: Grid::new(min, max, NODE_CELL_DEG),
        }
    }

    fn round(&self, p: LonLat) -> LonLat {
        [
            (p[0] * self.scale).round() / self.scale,
            (p[1] * self.scale).round() / self.scale,
        ]
    }

    /// Adds a vertex at `p` (rounded here) and returns its index.
    pub fn add_node(&mut self, p: LonLat) -> u32 {
        let p = self.round(p);
        let id = self.nodes.len() as u32;
        self.nodes.push(p);
        self.node_index.insert_point(p, id);
        id
    }

    /// Moves the vertices and roads of `other` into this network, after
    /// its own, and returns the offset added to `other`'s vertex indices.
    pub fn append(&mut self, other: Network) -> u32 {
        let offset = self.nodes.len() as u32;
        for p in other.nodes {
            let id = self.nodes.len() as u32;
            self.nodes.push(p);
            self.node_index.insert_point(p, id);
        }
        self.roads.extend(other.roads.into_iter().map(|mut road| {
            for v in &mut road.nodes {
                *v += offset;
            }
            road
        }));
        offset
    }

    /// The vertex nearest to `p` within `max_m` metres, with its distance.
    pub fn nearest_node(&self, p: LonLat, max_m: f64) -> Option<(u32, f64)> {
        let mut radius_m = 2_000.0_f64.min(max_m);
        loop {
            let best = self
                .node_index
                .around(p, radius_m)
                .map(|id| (id, distance_m(p, self.nodes[id as usize])))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            match best {
                // The search square holds every vertex within its half-size,
                // so a hit closer than that is the nearest overall.
                Some((_, d)) if d <= radius_m => return best,
                Some((_, d)) if d <= max_m => radius_m = d,
                _ if radius_m >= max_m => return None,
                _ => radius_m = (radius_m * 2.0).min(max_m),
            }
        }
    }

    /// Draws a road from vertex `from` to vertex `to`, winding as its class
    /// and the terrain under it dictate, and adds it.
    pub fn build_road(
        &mut self,
        from: u32,
        to: u32,
        label: RoadLabel,
        terrain: &Terrain,
        rng: &mut ChaCha8Rng,
    ) {
        let (a, b) = (self.nodes[from as usize], self.nodes[to as usize]);
        let mut nodes = vec![from];
        for p in meander(a, b, label.class.winding(), terrain, rng) {
            // Rounding can land a vertex on its predecessor only if they were
            // within a centimetre; the tracer spaces them metres apart.
            nodes.push(self.add_node(p));
        }
        nodes.push(to);
        let RoadLabel {
            class,
            name,
            maxspeed_kmh,
        } = label;
        self.roads.push(RoadDraft {
            class,
            name,
            oneway: false,
            maxspeed_kmh,
            nodes,
        });
    }

    /// Adds a road along the vertices `nodes` as they are, two-way.
    pub fn add_road(&mut self, label: RoadLabel, nodes: Vec<u32>) {
        let RoadLabel {
            class,
            name,
            maxspeed_kmh,
        } = label;
        self.roads.push(RoadDraft {
            class,
            name,
            oneway: false,
            maxspeed_kmh,
            nodes,
        });
    }

    /// Lays a square street grid centred on vertex `centre`: `lines` streets
    /// each way, `spacing_m` apart, turned by a small random angle. Two
    /// pairs of neighbouring streets are one-way couplets running in
    /// opposite directions; every other street is two-way, and the outer
    /// ring is tertiary. `lines` must be at least 5. Every couplet vertex
    /// is also on a two-way cross street, which keeps the directed network
    /// strongly connected.
    pub fn add_city_grid(
        &mut self,
        centre: u32,
        lines: usize,
        spacing_m: f64,
        rng: &mut ChaCha8Rng,
    ) {
        let c = self.nodes[centre as usize];
        let half = (lines / 2) as f64;
        let angle = rng.random_range(-0.15..0.15_f64);
        let (sin, cos) = angle.sin_cos();
        // grid[i][j]: column i (west → east), row j (south → north).
        let mut grid = vec![vec![0_u32; lines]; lines];
        for (i, column) in grid.iter_mut().enumerate() {
            for (j, id) in column.iter_mut().enumerate() {
                if i == lines / 2 && j == lines / 2 {
                    *id = centre;
                    continue;
                }
                let x = (i as f64 - half) * spacing_m + rng.random_range(-12.0..12.0);
                let y = (j as f64 - half) * spacing_m + rng.random_range(-12.0..12.0);
                *id = self.add_node(offset_m(c, x * cos - y * sin, x * sin + y * cos));
            }
        }
        let couplet_columns = (lines / 2 - 2, lines / 2 - 1);
        let couplet_rows = (lines / 2 + 1, lines / 2 + 2);
        let mut names = CITY_STREETS.iter().cycle();
        let mut street = |nodes: Vec<u32>, outer: bool, oneway: bool| RoadDraft {
            class: if outer {
                RoadClass::Tertiary
            } else {
                RoadClass::Unclassified
            },
            name: names.next().map_or_else(String::new, |n| (*n).to_string()),
            oneway,
            maxspeed_kmh: None,
            nodes,
        };
        for (i, column) in grid.iter().enumerate() {
            let mut nodes = column.clone();
            // The couplet's second street runs north to south.
            if i == couplet_columns.1 {
                nodes.reverse();
            }
            let oneway = i == couplet_columns.0 || i == couplet_columns.1;
            self.roads
                .push(street(nodes, i == 0 || i + 1 == lines, oneway));
        }
        for j in 0..lines {
            let mut nodes: Vec<u32> = grid.iter().map(|column| column[j]).collect();
            // The couplet's second street runs east to west.
            if j == couplet_rows.1 {
                nodes.reverse();
            }
            let oneway = j == couplet_rows.0 || j == couplet_rows.1;
            self.roads
                .push(street(nodes, j == 0 || j + 1 == lines, oneway));
        }
    }

    /// Makes every crossing of two roads a shared vertex of both. Returns
    /// how many times a vertex was spliced into a road.
    pub fn node_crossings(&mut self) -> usize {
        let mut total = 0;
        for _ in 0..MAX_NODING_PASSES {
            let inserted = self.node_pass();
            total += inserted;
            if inserted == 0 {
                break;
            }
        }
        total
    }

    /// One noding pass: finds crossings cell by cell (each reported only in
    /// the cell holding the crossing point, so once), then splices the new
    /// vertices into the roads in order along each segment. Returns the
    /// number of splices.
    fn node_pass(&mut self) -> usize {
        let segments = self.segments();
        let splices = self.find_splices(&segments);
        if splices.is_empty() {
            return 0;
        }
        let resolved = self.resolve_splices(&segments, splices);
        self.splice_in(&resolved);
        resolved.len()
    }

    /// Every segment of every road, indexed by the cells its box covers.
    fn segments(&self) -> Segments {
        let mut list: Vec<(u32, u32)> = Vec::new();
        let mut index = Grid::new(self.min, self.max, SEGMENT_CELL_DEG);
        for (r, road) in self.roads.iter().enumerate() {
            for k in 0..road.nodes.len().saturating_sub(1) {
                let id = list.len() as u32;
                list.push((r as u32, k as u32));
                index.insert_box(
                    self.nodes[road.nodes[k] as usize],
                    self.nodes[road.nodes[k + 1] as usize],
                    id,
                );
            }
        }
        Segments { list, index }
    }

    /// Where segments meet, as (segment, parameter along it, vertex) to
    /// splice in. Rows of cells are searched in parallel and their finds
    /// joined in row order: the same list, in the same order, as a plain
    /// loop.
    fn find_splices(&self, segments: &Segments) -> Vec<(u32, f64, Splice)> {
        let (nx, ny) = segments.index.dims();
        (0..ny)
            .into_par_iter()
            .flat_map_iter(|iy| {
                let mut found: Vec<(u32, f64, Splice)> = Vec::new();
                for ix in 0..nx {
                    self.cell_splices(segments, (ix, iy), &mut found);
                }
                found
            })
            .collect()
    }

    /// The splices of the meetings of segments in `cell` whose meeting
    /// point lies in that cell, added to `found`.
    fn cell_splices(
        &self,
        segments: &Segments,
        cell: (usize, usize),
        found: &mut Vec<(u32, f64, Splice)>,
    ) {
        let in_cell = segments.index.cell(cell.0, cell.1);
        for (n, &s1) in in_cell.iter().enumerate() {
            for &s2 in &in_cell[n + 1..] {
                let (a, b) = segments.ends(&self.roads, s1);
                let (c, d) = segments.ends(&self.roads, s2);
                if a == c || a == d || b == c || b == d {
                    continue;
                }
                let [pa, pb, pc, pd] = [a, b, c, d].map(|v| self.nodes[v as usize]);
                let Some(meet) = meeting(pa, pb, pc, pd) else {
                    continue;
                };
                if segments.index.cell_of(meet.point) != cell {
                    continue;
                }
                match meet.kind {
                    MeetKind::Cross { t, u } => {
                        let new = Splice::New(meet.point);
                        found.push((s1, t, new));
                        found.push((s2, u, new));
                    }
                    MeetKind::Touch { on_first, t } => {
                        // A vertex of one segment lies on the other.
                        let (host, vertex) = if on_first {
                            (s1, if meet.point == pc { c } else { d })
                        } else {
                            (s2, if meet.point == pa { a } else { b })
                        };
                        found.push((host, t, Splice::Existing(vertex)));
                    }
                }
            }
        }
    }

    /// Resolves new crossing points to vertices: one vertex per point, and
    /// a point that rounds onto a segment end reuses that end. Returns
    /// (road, segment, parameter, vertex) in road order, then along each
    /// road.
    fn resolve_splices(
        &mut self,
        segments: &Segments,
        splices: Vec<(u32, f64, Splice)>,
    ) -> Vec<(u32, u32, f64, u32)> {
        let mut resolved: Vec<(u32, u32, f64, u32)> = Vec::with_capacity(splices.len());
        let mut last_new: Option<(LonLat, u32)> = None;
        for (s, t, splice) in splices {
            let (r, k) = segments.list[s as usize];
            let (a, b) = segments.ends(&self.roads, s);
            let vertex = match splice {
                Splice::Existing(v) => v,
                Splice::New(p) => {
                    // Both splices of a crossing come one after the other.
                    let p = self.round(p);
                    let v = if p == self.nodes[a as usize] {
                        a
                    } else if p == self.nodes[b as usize] {
                        b
                    } else if let Some((_, v)) = last_new.filter(|(q, _)| *q == p) {
                        v
                    } else {
                        self.add_node(p)
                    };
                    last_new = Some((p, v));
                    v
                }
            };
            resolved.push((r, k, t, vertex));
        }
        resolved.sort_by(|x, y| {
            x.0.cmp(&y.0)
                .then(x.1.cmp(&y.1))
                .then(x.2.total_cmp(&y.2))
                .then(x.3.cmp(&y.3))
        });
        resolved
    }

    /// Splices the resolved vertices into their roads, after the start of
    /// their segment, dropping a vertex that repeats the previous one's
    /// coordinates.
    fn splice_in(&mut self, resolved: &[(u32, u32, f64, u32)]) {
        let mut cursor = 0;
        for (r, road) in self.roads.iter_mut().enumerate() {
            if resolved.get(cursor).is_none_or(|x| x.0 as usize != r) {
                continue;
            }
            let old = std::mem::take(&mut road.nodes);
            let mut nodes = Vec::with_capacity(old.len() + 4);
            for (k, &v) in old.iter().enumerate() {
                push_distinct(&mut nodes, v, &self.nodes);
                while let Some(&(_, _, _, vertex)) = resolved
                    .get(cursor)
                    .filter(|x| x.0 as usize == r && x.1 as usize == k)
                {
                    push_distinct(&mut nodes, vertex, &self.nodes);
                    cursor += 1;
                }
            }
            road.nodes = nodes;
        }
    }

    /// The finished roads with their coordinates.
    pub fn into_roads(self) -> Vec<SynthRoad> {
        let nodes = self.nodes;
        self.roads
            .into_iter()
            .filter(|r| r.nodes.len() >= 2)
            .map(|r| SynthRoad {
                class: r.class,
                name: r.name,
                oneway: r.oneway,
                maxspeed_kmh: r.maxspeed_kmh,
                coords: r.nodes.iter().map(|&v| nodes[v as usize]).collect(),
            })
            .collect()
    }
}

/// The segments of a noding pass: each as (road, index of its first
/// vertex in the road), and a grid of the cells each segment's box covers.
struct Segments {
    list: Vec<(u32, u32)>,
    index: Grid<u32>,
}

impl Segments {
    /// The end vertices of segment `s`.
    fn ends(&self, roads: &[RoadDraft], s: u32) -> (u32, u32) {
        let (r, k) = self.list[s as usize];
        let road = &roads[r as usize];
        (road.nodes[k as usize], road.nodes[k as usize + 1])
    }
}

/// Appends `v` unless its coordinates repeat the previous vertex's.
fn push_distinct(list: &mut Vec<u32>, v: u32, coords: &[LonLat]) {
    if list
        .last()
        .is_none_or(|&w| coords[w as usize] != coords[v as usize])
    {
        list.push(v);
    }
}

#[derive(Clone, Copy, Debug)]
enum Splice {
    New(LonLat),
    Existing(u32),
}

#[derive(Clone, Copy, Debug)]
enum MeetKind {
    /// The segments cross at parameters `t` (first) and `u` (second).
    Cross { t: f64, u: f64 },
    /// An end of one segment lies inside the other (`on_first`: inside the
    /// first) at parameter `t` along it.
    Touch { on_first: bool, t: f64 },
}

#[derive(Clone, Copy, Debug)]
struct Meeting {
    point: LonLat,
    kind: MeetKind,
}

/// Where segments `a`–`b` and `c`–`d` (no shared ends) meet, if they do.
fn meeting(a: LonLat, b: LonLat, c: LonLat, d: LonLat) -> Option<Meeting> {
    let lo = |p: LonLat, q: LonLat| [p[0].min(q[0]), p[1].min(q[1])];
    let hi = |p: LonLat, q: LonLat| [p[0].max(q[0]), p[1].max(q[1])];
    let (l1, h1, l2, h2) = (lo(a, b), hi(a, b), lo(c, d), hi(c, d));
    if l1[0] > h2[0] || l2[0] > h1[0] || l1[1] > h2[1] || l2[1] > h1[1] {
        return None;
    }
    let d1 = orient(c, d, a);
    let d2 = orient(c, d, b);
    let d3 = orient(a, b, c);
    let d4 = orient(a, b, d);
    if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
        let t = d1 / (d1 - d2);
        let u = d3 / (d3 - d4);
        let point = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        return Some(Meeting {
            point,
            kind: MeetKind::Cross { t, u },
        });
    }
    // Degenerate contacts: an end of one segment exactly on the other.
    let inside = |p: LonLat, s: LonLat, e: LonLat| {
        let along = (p[0] - s[0]) * (e[0] - s[0]) + (p[1] - s[1]) * (e[1] - s[1]);
        let len2 = (e[0] - s[0]).powi(2) + (e[1] - s[1]).powi(2);
        (along > 0.0 && along < len2).then(|| along / len2)
    };
    for (value, p, on_first, s, e) in [
        (d3, c, true, a, b),
        (d4, d, true, a, b),
        (d1, a, false, c, d),
        (d2, b, false, c, d),
    ] {
        if value == 0.0 {
            if let Some(t) = inside(p, s, e) {
                return Some(Meeting {
                    point: p,
                    kind: MeetKind::Touch { on_first, t },
                });
            }
        }
    }
    None
}

/// The interior vertices of a road from `a` to `b` (rounded, ends
/// excluded). The centre line is the chord plus a sideways offset that is a
/// function of the distance along the chord, so it never crosses itself:
/// a slow wander, mountain bends scaled by the highland weight of the
/// ground under them, and a faint ripple in the lowland. The bends' local
/// wavelength drifts to half and one and a half times its mean and their
/// swing with it, and a second, slower bend rides on them, so curves come
/// in irregular runs of tight and wide ones. Vertices are then picked along
/// the line at spacings that shrink in the hills.
fn meander(
    a: LonLat,
    b: LonLat,
    winding: Winding,
    terrain: &Terrain,
    rng: &mut ChaCha8Rng,
) -> Vec<LonLat> {
    let [dx, dy] = delta_m(a, b);
    let length_m = (dx * dx + dy * dy).sqrt();
    if length_m < MIN_TRACED_M {
        return Vec::new();
    }
    let normal = [-dy / length_m, dx / length_m];
    let wander_m = (winding.wander_share * length_m).min(WANDER_MAX_M);
    let wander: Vec<f64> = (1..=3)
        .map(|k| rng.random_range(-1.0..1.0) * wander_m / k as f64)
        .collect();
    let mean_wavelength_m = rng.random_range(400.0..1_000.0);
    let drift_m = rng.random_range(1_500.0..4_000.0);
    let drift_phase = rng.random_range(0.0..TAU);
    let swing_share = rng.random_range(0.35..0.55);
    let beat_m = rng.random_range(2_000.0..5_000.0);
    let beat_phase = rng.random_range(0.0..TAU);
    let slow_ratio = rng.random_range(2.3..3.1);
    let slow_share = rng.random_range(0.4..0.9);
    let mut phase = rng.random_range(0.0..TAU);
    let mut slow_phase = rng.random_range(0.0..TAU);
    let ripple_m = rng.random_range(5.0..25.0);
    let ripple_wavelength_m = rng.random_range(1_500.0..4_000.0);
    let ripple_phase = rng.random_range(0.0..TAU);

    let steps = (length_m / FINE_STEP_M).ceil() as usize;
    let step_m = length_m / steps as f64;
    let at = |t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    let spacing = |terrain: f64, rng: &mut ChaCha8Rng| {
        let valley = rng.random_range(VALLEY_SPACING_M);
        let highland = rng.random_range(HIGHLAND_SPACING_M);
        valley + terrain * (highland - valley)
    };
    let mut picked: Vec<(f64, f64)> = Vec::new();
    let (mut prev_x, mut prev_y) = (0.0, 0.0);
    let mut arc_m = 0.0;
    let mut hilliness = terrain.highland_weight(a);
    let mut target_m = spacing(hilliness, rng);
    for i in 1..steps {
        let x = i as f64 * step_m;
        let t = x / length_m;
        // The terrain changes over kilometres: sample it every 200 m.
        if i % 10 == 0 {
            hilliness = terrain.highland_weight(at(t));
        }
        let hills = hilliness * winding.switchbacks;
        let wavelength_m =
            mean_wavelength_m * (1.0 + 0.5 * (TAU * x / drift_m + drift_phase).sin());
        phase += TAU * step_m / wavelength_m;
        slow_phase += TAU * step_m / (wavelength_m * slow_ratio);
        let swing_m =
            swing_share * wavelength_m * (0.7 + 0.3 * (TAU * x / beat_m + beat_phase).sin());
        let ramp = (2.0 * x.min(length_m - x) / mean_wavelength_m).min(1.0);
        let bend_y = hills * ramp * swing_m * (phase.sin() + slow_share * slow_phase.sin());
        let ripple_y =
            (1.0 - hills) * ramp * ripple_m * (TAU * x / ripple_wavelength_m + ripple_phase).sin();
        let wander_y: f64 = wander
            .iter()
            .enumerate()
            .map(|(k, w)| w * ((k + 1) as f64 * PI * t).sin())
            .sum();
        let y = wander_y + bend_y + ripple_y;
        arc_m += ((x - prev_x).powi(2) + (y - prev_y).powi(2)).sqrt();
        (prev_x, prev_y) = (x, y);
        if arc_m >= target_m {
            picked.push((t, y));
            arc_m = 0.0;
            target_m = spacing(hilliness, rng);
        }
    }
    arc_m += ((length_m - prev_x).powi(2) + prev_y * prev_y).sqrt();
    // No stub of a last segment: fold it into the one before.
    if arc_m < 0.4 * target_m {
        picked.pop();
    }
    picked
        .into_iter()
        .map(|(t, y)| rounded7(offset_m(at(t), normal[0] * y, normal[1] * y)))
        .collect()
}

/// A segment index over finished roads for "how far is the nearest road".
#[derive(Debug)]
pub struct RoadIndex {
    segments: Vec<(LonLat, LonLat)>,
    grid: Grid<u32>,
}

impl RoadIndex {
    pub fn new(roads: &[SynthRoad], min: LonLat, max: LonLat) -> Self {
        let mut segments = Vec::new();
        let mut grid = Grid::new(min, max, SEGMENT_CELL_DEG);
        for road in roads {
            for w in road.coords.windows(2) {
                grid.insert_box(w[0], w[1], segments.len() as u32);
                segments.push((w[0], w[1]));
            }
        }
        RoadIndex { segments, grid }
    }

    /// Metres from `p` to the nearest road, if one is within `max_m`.
    pub fn nearest_m(&self, p: LonLat, max_m: f64) -> Option<f64> {
        let mut radius_m = 500.0_f64.min(max_m);
        loop {
            let best = self
                .grid
                .around(p, radius_m)
                .map(|s| {
                    let (a, b) = self.segments[s as usize];
                    point_segment_m(p, a, b).0
                })
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
            match best {
                Some(d) if d <= radius_m => return Some(d),
                Some(d) if d <= max_m => radius_m = d,
                _ if radius_m >= max_m => return None,
                _ => radius_m = (radius_m * 2.0).min(max_m),
            }
        }
    }
}
