//! Spatial indexes (rstar): the district of a point, and the nearest point
//! on the road network.

use geo::{Contains, Coord, Distance, Haversine, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};

use crate::graph::RoadGraph;
use crate::model::District;

/// Metres per degree of latitude on the mean Earth sphere (the radius geo's
/// `Haversine` uses), for the local metric frame used when snapping.
pub const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Finds the district containing a point.
pub struct DistrictIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    shapes: Vec<MultiPolygon<f64>>,
}

impl DistrictIndex {
    pub fn new(districts: &[District]) -> DistrictIndex {
        use geo::BoundingRect;
        let boxes = districts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                d.geometry.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
            })
            .collect();
        DistrictIndex {
            tree: RTree::bulk_load(boxes),
            shapes: districts.iter().map(|d| d.geometry.clone()).collect(),
        }
    }

    /// Index of the district containing the point (lon/lat degrees).
    ///
    /// A point strictly inside a polygon belongs to it; a point exactly on a
    /// shared border belongs to the first district in input order that
    /// touches it, so the answer never depends on the index's layout.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        let p = Point::new(lon, lat);
        let mut candidates: Vec<usize> = self
            .tree
            .locate_all_at_point([lon, lat])
            .map(|g| g.data)
            .collect();
        candidates.sort_unstable();
        candidates
            .iter()
            .copied()
            .find(|&i| self.shapes[i].contains(&p))
            .or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .find(|&i| self.shapes[i].intersects(&p))
            })
    }
}

/// Where a point meets the road network.
///
/// A snap exactly at a link's end has `along_m` exactly 0 (its `from`
/// node) or exactly the link's `length_m` (its `to` node): the point *is*
/// that node, and [`crate::routing::Ends::of`] lets it reach and be reached
/// from the node in 0 s whatever the link's one-way rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    /// The link snapped to.
    pub link: u32,
    /// Segment of the link's geometry the snap point lies on (between
    /// vertex `segment` and `segment + 1`).
    pub segment: u32,
    /// Metres along the link from its `from` node to the snap point.
    pub along_m: f64,
    /// The snap point, lon/lat.
    pub point: Coord<f64>,
    /// Straight-line metres from the school to the snap point.
    pub offroad_m: f64,
}

/// The vertex of two that comes first in (lon, lat) order.
fn lower_first(a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)).is_le()
}

/// One segment's nearest point to a query point, with what breaks ties.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// Metres in the local frame at the query point's latitude.
    m: f64,
    point: Coord<f64>,
    /// The segment's ends in (lon, lat) order, and its rates (s/m) from
    /// `lo` to `hi` and back.
    lo: Coord<f64>,
    hi: Coord<f64>,
    rate_up: f64,
    rate_down: f64,
    link: u32,
    segment: u32,
    /// Fraction along the segment in the link's direction.
    t: f64,
}

impl Candidate {
    /// The snapping order: nearest first; exact ties by the snap point's
    /// (lon, lat), then the segment's ends and rules — geometry only —
    /// and last by link and segment number (canonical, see
    /// [`crate::graph`]) for identical duplicate roads.
    fn before(&self, other: &Candidate) -> bool {
        self.m
            .total_cmp(&other.m)
            .then(self.point.x.total_cmp(&other.point.x))
            .then(self.point.y.total_cmp(&other.point.y))
            .then(self.lo.x.total_cmp(&other.lo.x))
            .then(self.lo.y.total_cmp(&other.lo.y))
            .then(self.hi.x.total_cmp(&other.hi.x))
            .then(self.hi.y.total_cmp(&other.hi.y))
            .then(self.rate_up.total_cmp(&other.rate_up))
            .then(self.rate_down.total_cmp(&other.rate_down))
            .then((self.link, self.segment).cmp(&(other.link, other.segment)))
            .is_lt()
    }
}

/// Nearest point on segment `segment` of `link` to `p`, in a local frame
/// scaled at `p`'s latitude (metres). The segment is measured from its
/// lower end, so the answer is the same bits whichever way the road was
/// drawn; a nearest point at an end is that vertex exactly.
fn candidate(graph: &RoadGraph, p: Coord<f64>, cos_lat: f64, link: u32, segment: u32) -> Candidate {
    let coords = graph.link_coords(link as usize);
    let l = &graph.links[link as usize];
    let (a, b) = (coords[segment as usize], coords[segment as usize + 1]);
    let up = lower_first(a, b);
    let (lo, hi) = if up { (a, b) } else { (b, a) };
    let to_m = |c: Coord<f64>| ((c.x - p.x) * cos_lat * M_PER_DEG, (c.y - p.y) * M_PER_DEG);
    let (lx, ly) = to_m(lo);
    let (hx, hy) = to_m(hi);
    let (dx, dy) = (hx - lx, hy - ly);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(lx * dx + ly * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (point, (x, y)) = if t == 0.0 {
        (lo, (lx, ly))
    } else if t == 1.0 {
        (hi, (hx, hy))
    } else {
        (
            Coord {
                x: lo.x + t * (hi.x - lo.x),
                y: lo.y + t * (hi.y - lo.y),
            },
            (lx + t * dx, ly + t * dy),
        )
    };
    let (rate_up, rate_down) = if up {
        (l.forward_s_per_m, l.backward_s_per_m)
    } else {
        (l.backward_s_per_m, l.forward_s_per_m)
    };
    Candidate {
        m: (x * x + y * y).sqrt(),
        point,
        lo,
        hi,
        rate_up,
        rate_down,
        link,
        segment,
        t: if up { t } else { 1.0 - t },
    }
}

fn make_snap(graph: &RoadGraph, p: Coord<f64>, c: &Candidate) -> Snap {
    let coords = graph.link_coords(c.link as usize);
    let length_m = graph.links[c.link as usize].length_m;
    let last = coords.len().saturating_sub(2) as u32;
    let along_m = if c.segment == 0 && c.t == 0.0 {
        0.0
    } else if c.segment == last && c.t == 1.0 {
        length_m
    } else {
        let a = coords[c.segment as usize];
        let before: f64 = crate::graph::polyline_length_m(&coords[..=c.segment as usize]);
        (before + Haversine.distance(Point(a), Point(c.point))).min(length_m)
    };
    Snap {
        link: c.link,
        segment: c.segment,
        along_m,
        point: c.point,
        offroad_m: Haversine.distance(Point(p), Point(c.point)),
    }
}

/// How schools are put on the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnapRule {
    /// A school farther than this from the road it snaps to is off the
    /// network.
    pub max_snap_m: f64,
    /// Road pieces whose strongly connected component has fewer junctions
    /// than this (and is not one of the largest) are small fragments: a
    /// school snaps past them to the nearest other road within
    /// `max_snap_m`, if there is one. 0 turns the rule off. See
    /// [`RoadGraph::link_is_small`].
    pub small_component_junctions: u32,
}

/// The road a school was moved past: the nearest road, on a small fragment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Passed {
    /// The nearest point of the network, on the fragment.
    pub snap: Snap,
    /// Junctions of the fragment's SCC (0 for a one-way link between two
    /// SCCs).
    pub junctions: u32,
}

/// Where a school goes on the network, and the nearer fragment it was
/// moved past, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub snap: Snap,
    pub passed: Option<Passed>,
}

/// The placement rule, given the nearest point overall and a way to find
/// the nearest point off small fragments.
fn place_by(
    graph: &RoadGraph,
    rule: &SnapRule,
    nearest: Option<Snap>,
    nearest_large: impl FnOnce() -> Option<Snap>,
) -> Option<Placement> {
    let nearest = nearest?;
    let min = rule.small_component_junctions;
    if !graph.link_is_small(nearest.link as usize, min) {
        return Some(Placement {
            snap: nearest,
            passed: None,
        });
    }
    match nearest_large().filter(|s| s.offroad_m <= rule.max_snap_m) {
        Some(snap) => Some(Placement {
            snap,
            passed: Some(Passed {
                snap: nearest,
                junctions: graph.link_scc_junctions(nearest.link as usize),
            }),
        }),
        None => Some(Placement {
            snap: nearest,
            passed: None,
        }),
    }
}

/// Segments per index entry: a run of consecutive segments of one link
/// under one bounding box. Fewer, fatter entries build the tree several
/// times faster than one entry per segment, and a query still checks every
/// segment of each run it opens. On the national OSM extract (261 k links,
/// 21.5 M vertices), 64 makes 0.48 M runs where 16 made 1.46 M: the build
/// takes a third of the CPU time (0.21 s against 0.65 s), the 29 k
/// placements as long (0.18 s).
const RUN: usize = 64;

/// A run of segments in the index: its bounding box and (link, first
/// segment, number of segments).
type Run = GeomWithData<Rectangle<[f64; 2]>, (u32, u32, u32)>;

/// The index is cut into up to 2^`PIECE_SPLITS` pieces of runs, halved at
/// the median along the wider axis, each an R-tree of its own: the pieces
/// are built side by side (one R-tree's bulk load is single-threaded),
/// and a query visits them nearest first.
const PIECE_SPLITS: u32 = 3;

/// A piece is not halved below this many runs (a small network stays one
/// tree).
const PIECE_MIN_RUNS: usize = 4096;

/// One piece of the index: the box of its runs and their R-tree.
struct Piece {
    envelope: AABB<[f64; 2]>,
    tree: RTree<Run>,
}

/// Finds the nearest point on any road segment.
pub struct SnapIndex {
    pieces: Vec<Piece>,
}

impl SnapIndex {
    pub fn new(graph: &RoadGraph) -> SnapIndex {
        SnapIndex::with_pieces(graph, PIECE_SPLITS, PIECE_MIN_RUNS)
    }

    /// The index cut into up to `2^splits` pieces of at least `min_runs`
    /// runs. The answers are the same however it is cut (see
    /// [`SnapIndex::nearest_where`]).
    fn with_pieces(graph: &RoadGraph, splits: u32, min_runs: usize) -> SnapIndex {
        use rayon::prelude::*;
        let runs: Vec<Run> = (0..graph.links.len())
            .into_par_iter()
            .flat_map_iter(|link| link_runs(graph, link))
            .collect();
        let mut pieces = Vec::new();
        cut(runs, splits, min_runs.max(1), &mut pieces);
        SnapIndex { pieces }
    }

    /// The nearest point on the network to `lon`/`lat`, exact in the local
    /// metric frame at the point's latitude; exact ties are broken by
    /// geometry (see `Candidate::before`), never by the order of the road
    /// features. `None` only for an empty network.
    pub fn snap(&self, graph: &RoadGraph, lon: f64, lat: f64) -> Option<Snap> {
        self.nearest_where(graph, lon, lat, f64::INFINITY, |_| true)
    }

    /// The nearest point on the links `accept` takes, no farther than
    /// `max_m` in the local frame (give or take a millimetre).
    ///
    /// Runs are opened nearest box first, piece after piece (nearest piece
    /// first), until a box is farther than the best point found. Every
    /// segment nearer than that best point is in a run whose box is no
    /// farther, so it is seen whatever the pieces and the order of the
    /// runs: the answer is the first in `Candidate::before` order of all
    /// the segments, the same as [`nearest_brute_force_where`]'s.
    pub fn nearest_where(
        &self,
        graph: &RoadGraph,
        lon: f64,
        lat: f64,
        max_m: f64,
        accept: impl Fn(u32) -> bool,
    ) -> Option<Snap> {
        let p = Coord { x: lon, y: lat };
        let cos_lat = lat.to_radians().cos().max(1e-6);
        // In the local frame, metres >= degrees * cos(lat) * M_PER_DEG,
        // and no segment of a run is nearer than its box, nor of a piece
        // than the piece's box. The margin covers rounding, so exact ties
        // are all seen.
        let lower_m = |d2_deg: f64| d2_deg.sqrt() * cos_lat * M_PER_DEG * (1.0 - 1e-9) - 1e-6;
        let mut order: Vec<(f64, usize)> = self
            .pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| (piece.envelope.distance_2(&[lon, lat]), i))
            .collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut best: Option<Candidate> = None;
        for (d2_deg, i) in order {
            if lower_m(d2_deg) > best.map_or(max_m, |b| b.m.min(max_m)) {
                break;
            }
            for (run, d2_deg) in self.pieces[i]
                .tree
                .nearest_neighbor_iter_with_distance_2([lon, lat])
            {
                if lower_m(d2_deg) > best.map_or(max_m, |b| b.m.min(max_m)) {
                    break;
                }
                let (link, first, n) = run.data;
                if !accept(link) {
                    continue;
                }
                for segment in first..first + n {
                    let c = candidate(graph, p, cos_lat, link, segment);
                    if c.m <= max_m + 1e-3 && best.is_none_or(|b| c.before(&b)) {
                        best = Some(c);
                    }
                }
            }
        }
        best.map(|c| make_snap(graph, p, &c))
    }

    /// Places a point under `rule`: the nearest point of the network,
    /// unless it lies on a small fragment and a point off small fragments
    /// is within `max_snap_m`, which is then taken instead.
    pub fn place(
        &self,
        graph: &RoadGraph,
        lon: f64,
        lat: f64,
        rule: &SnapRule,
    ) -> Option<Placement> {
        let min = rule.small_component_junctions;
        place_by(graph, rule, self.snap(graph, lon, lat), || {
            self.nearest_where(graph, lon, lat, rule.max_snap_m * 1.01 + 1.0, |l| {
                !graph.link_is_small(l as usize, min)
            })
        })
    }
}

impl Drop for SnapIndex {
    /// The pieces' trees (a national network's are millions of nodes)
    /// are freed side by side.
    fn drop(&mut self) {
        use rayon::prelude::*;
        std::mem::take(&mut self.pieces)
            .into_par_iter()
            .for_each(|piece| drop(piece.tree));
    }
}

/// The runs of one link: up to [`RUN`] consecutive segments under one box.
fn link_runs(graph: &RoadGraph, link: usize) -> impl Iterator<Item = Run> + '_ {
    let coords = graph.link_coords(link);
    let segments = coords.len().saturating_sub(1);
    (0..segments).step_by(RUN).map(move |first| {
        let n = RUN.min(segments - first);
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for c in &coords[first..=first + n] {
            lo = [lo[0].min(c.x), lo[1].min(c.y)];
            hi = [hi[0].max(c.x), hi[1].max(c.y)];
        }
        GeomWithData::new(
            Rectangle::from_corners(lo, hi),
            (link as u32, first as u32, n as u32),
        )
    })
}

/// The middle of a run's box along `axis` (0 lon, 1 lat), doubled.
fn centre2(run: &Run, axis: usize) -> f64 {
    let e = run.geom().envelope();
    e.lower()[axis] + e.upper()[axis]
}

/// Cuts `runs` into pieces (halving at the median along the wider axis of
/// the boxes' middles, `splits` times at most, never below `min_runs`
/// runs) and bulk-loads each piece's R-tree, the halves side by side;
/// the pieces are appended to `out` in a fixed order.
fn cut(mut runs: Vec<Run>, splits: u32, min_runs: usize, out: &mut Vec<Piece>) {
    if runs.is_empty() {
        return;
    }
    if splits == 0 || runs.len() < 2 * min_runs {
        let tree = RTree::bulk_load(runs);
        let envelope = tree.root().envelope();
        out.push(Piece { envelope, tree });
        return;
    }
    let spread = |axis: usize| {
        let (lo, hi) = runs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            let c = centre2(r, axis);
            (lo.min(c), hi.max(c))
        });
        hi - lo
    };
    let axis = usize::from(spread(1) > spread(0));
    let mid = runs.len() / 2;
    runs.select_nth_unstable_by(mid, |a, b| {
        centre2(a, axis)
            .total_cmp(&centre2(b, axis))
            .then(a.data.cmp(&b.data))
    });
    let upper = runs.split_off(mid);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    rayon::join(
        || cut(runs, splits - 1, min_runs, &mut left),
        || cut(upper, splits - 1, min_runs, &mut right),
    );
    out.append(&mut left);
    out.append(&mut right);
}

/// The nearest point on the links `accept` takes by trying every segment:
/// the reference the index is tested against (same order of candidates).
pub fn nearest_brute_force_where(
    graph: &RoadGraph,
    lon: f64,
    lat: f64,
    accept: impl Fn(u32) -> bool,
) -> Option<Snap> {
    let p = Coord { x: lon, y: lat };
    let cos_lat = lat.to_radians().cos().max(1e-6);
    let mut best: Option<Candidate> = None;
    for link in 0..graph.links.len() as u32 {
        if !accept(link) {
            continue;
        }
        let segments = graph.link_coords(link as usize).len().saturating_sub(1) as u32;
        for segment in 0..segments {
            let c = candidate(graph, p, cos_lat, link, segment);
            if best.is_none_or(|b| c.before(&b)) {
                best = Some(c);
            }
        }
    }
    best.map(|c| make_snap(graph, p, &c))
}

/// The same answer as [`SnapIndex::snap`] by trying every segment.
pub fn snap_brute_force(graph: &RoadGraph, lon: f64, lat: f64) -> Option<Snap> {
    nearest_brute_force_where(graph, lon, lat, |_| true)
}

/// The same answer as [`SnapIndex::place`] by trying every segment.
pub fn place_brute_force(
    graph: &RoadGraph,
    lon: f64,
    lat: f64,
    rule: &SnapRule,
) -> Option<Placement> {
    let min = rule.small_component_junctions;
    place_by(graph, rule, snap_brute_force(graph, lon, lat), || {
        let p = Coord { x: lon, y: lat };
        let cos_lat = lat.to_radians().cos().max(1e-6);
        nearest_brute_force_where(graph, lon, lat, |l| !graph.link_is_small(l as usize, min))
            .filter(|s| {
                candidate(graph, p, cos_lat, s.link, s.segment).m <= rule.max_snap_m * 1.01 + 1.0
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::SpeedTable;
    use crate::model::{Oneway, Road};
    use geo::LineString;
    use rand::{Rng, SeedableRng};

    /// A few hundred random roads in a 0.2° square, some of them long
    /// polylines (several runs), some crossing, some duplicated.
    fn random_roads(seed: u64) -> Vec<Road> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut roads: Vec<Road> = Vec::new();
        for k in 0..400 {
            if k % 37 == 5 {
                if let Some(r) = roads.last() {
                    roads.push(r.clone());
                    continue;
                }
            }
            let mut at = Coord {
                x: 100.0 + rng.random_range(0.0..0.2),
                y: 15.0 + rng.random_range(0.0..0.2),
            };
            let n = if k % 5 == 0 { rng.random_range(40..200) } else { rng.random_range(1..4) };
            let mut coords = vec![at];
            for _ in 0..n {
                at = Coord {
                    x: at.x + rng.random_range(-0.002..0.002),
                    y: at.y + rng.random_range(-0.002..0.002),
                };
                coords.push(at);
            }
            roads.push(Road {
                geometry: LineString::new(coords),
                class: "tertiary".into(),
                maxspeed_kmh: None,
                oneway: if k % 3 == 0 { Oneway::Forward } else { Oneway::No },
            });
        }
        roads
    }

    #[test]
    fn pieces_give_the_answers_of_one_tree_and_of_brute_force() {
        for seed in 0..3 {
            let graph = RoadGraph::build(&random_roads(seed), &SpeedTable::default());
            let one = SnapIndex::with_pieces(&graph, 0, 1);
            let many = SnapIndex::with_pieces(&graph, 4, 1);
            assert_eq!(one.pieces.len(), 1);
            assert_eq!(many.pieces.len(), 16, "the runs are cut in 16 pieces");
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 100);
            let rule = SnapRule {
                max_snap_m: 800.0,
                small_component_junctions: 4,
            };
            for k in 0..300 {
                // Inside the square, beyond it, and exactly on a vertex.
                let (lon, lat) = if k % 10 == 0 {
                    let c = graph.coords[rng.random_range(0..graph.coords.len())];
                    (c.x, c.y)
                } else {
                    (
                        100.0 + rng.random_range(-0.05..0.25),
                        15.0 + rng.random_range(-0.05..0.25),
                    )
                };
                let brute = place_brute_force(&graph, lon, lat, &rule);
                assert_eq!(one.place(&graph, lon, lat, &rule), brute, "{lon} {lat}");
                assert_eq!(many.place(&graph, lon, lat, &rule), brute, "{lon} {lat}");
                assert_eq!(
                    many.snap(&graph, lon, lat),
                    snap_brute_force(&graph, lon, lat)
                );
            }
        }
    }

    #[test]
    fn an_empty_network_snaps_nowhere() {
        let graph = RoadGraph::build(&[], &SpeedTable::default());
        let index = SnapIndex::new(&graph);
        assert!(index.pieces.is_empty());
        assert_eq!(index.snap(&graph, 100.0, 15.0), None);
    }
}
