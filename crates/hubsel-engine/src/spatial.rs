//! Spatial indexes (rstar): the district of a point, and the nearest point
//! on the road network.

use geo::{Contains, Coord, Distance, Haversine, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

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
/// segment of each run it opens.
const RUN: usize = 16;

/// A run of segments in the index: its bounding box and (link, first
/// segment, number of segments).
type Run = GeomWithData<Rectangle<[f64; 2]>, (u32, u32, u32)>;

/// Finds the nearest point on any road segment.
pub struct SnapIndex {
    tree: RTree<Run>,
}

impl SnapIndex {
    pub fn new(graph: &RoadGraph) -> SnapIndex {
        let mut runs = Vec::with_capacity(graph.coords.len() / RUN + graph.links.len());
        for link in 0..graph.links.len() {
            let coords = graph.link_coords(link);
            let segments = coords.len().saturating_sub(1);
            for first in (0..segments).step_by(RUN) {
                let n = RUN.min(segments - first);
                let pts = &coords[first..=first + n];
                let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
                for c in pts {
                    lo = [lo[0].min(c.x), lo[1].min(c.y)];
                    hi = [hi[0].max(c.x), hi[1].max(c.y)];
                }
                runs.push(GeomWithData::new(
                    Rectangle::from_corners(lo, hi),
                    (link as u32, first as u32, n as u32),
                ));
            }
        }
        SnapIndex {
            tree: RTree::bulk_load(runs),
        }
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
        let mut best: Option<Candidate> = None;
        for (run, d2_deg) in self.tree.nearest_neighbor_iter_with_distance_2([lon, lat]) {
            // In the local frame, metres >= degrees * cos(lat) * M_PER_DEG,
            // and no segment of the run is nearer than its box. The margin
            // covers rounding, so exact ties are all seen.
            let lower_m = d2_deg.sqrt() * cos_lat * M_PER_DEG * (1.0 - 1e-9) - 1e-6;
            if lower_m > best.map_or(max_m, |b| b.m.min(max_m)) {
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
