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

/// Nearest point on segment `a`–`b` to `p`, in a local frame scaled at
/// `p`'s latitude (metres). Returns the fraction along the segment and the
/// distance in metres.
fn nearest_on_segment(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>, cos_lat: f64) -> (f64, f64) {
    let to_m = |c: Coord<f64>| ((c.x - p.x) * cos_lat * M_PER_DEG, (c.y - p.y) * M_PER_DEG);
    let (ax, ay) = to_m(a);
    let (bx, by) = to_m(b);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (ax + t * dx, ay + t * dy);
    (t, (x * x + y * y).sqrt())
}

fn make_snap(graph: &RoadGraph, p: Coord<f64>, link: u32, segment: u32, t: f64) -> Snap {
    let coords = graph.link_coords(link as usize);
    let (a, b) = (coords[segment as usize], coords[segment as usize + 1]);
    let point = Coord {
        x: a.x + t * (b.x - a.x),
        y: a.y + t * (b.y - a.y),
    };
    let before: f64 = crate::graph::polyline_length_m(&coords[..=segment as usize]);
    let along_m = (before + Haversine.distance(Point(a), Point(point)))
        .min(graph.links[link as usize].length_m);
    Snap {
        link,
        segment,
        along_m,
        point,
        offroad_m: Haversine.distance(Point(p), Point(point)),
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
    /// metric frame at the point's latitude. Ties go to the lowest link and
    /// segment. `None` only for an empty network.
    pub fn snap(&self, graph: &RoadGraph, lon: f64, lat: f64) -> Option<Snap> {
        let p = Coord { x: lon, y: lat };
        let cos_lat = lat.to_radians().cos().max(1e-6);
        let mut best: Option<(f64, u32, u32, f64)> = None;
        for (run, d2_deg) in self.tree.nearest_neighbor_iter_with_distance_2([lon, lat]) {
            // In the local frame, metres >= degrees * cos(lat) * M_PER_DEG,
            // and no segment of the run is nearer than its box.
            let lower_m = d2_deg.sqrt() * cos_lat * M_PER_DEG;
            if let Some((best_m, ..)) = best {
                if lower_m > best_m + 1e-9 {
                    break;
                }
            }
            let (link, first, n) = run.data;
            let coords = graph.link_coords(link as usize);
            for segment in first..first + n {
                let (a, b) = (coords[segment as usize], coords[segment as usize + 1]);
                let (t, m) = nearest_on_segment(p, a, b, cos_lat);
                let better = match best {
                    None => true,
                    Some((bm, bl, bs, _)) => {
                        m < bm - 1e-9 || ((m - bm).abs() <= 1e-9 && (link, segment) < (bl, bs))
                    }
                };
                if better {
                    best = Some((m, link, segment, t));
                }
            }
        }
        best.map(|(_, link, segment, t)| make_snap(graph, p, link, segment, t))
    }
}

/// The same answer as [`SnapIndex::snap`] by trying every segment: the
/// reference the index is tested against.
pub fn snap_brute_force(graph: &RoadGraph, lon: f64, lat: f64) -> Option<Snap> {
    let p = Coord { x: lon, y: lat };
    let cos_lat = lat.to_radians().cos().max(1e-6);
    let mut best: Option<(f64, u32, u32, f64)> = None;
    for link in 0..graph.links.len() {
        for (s, w) in graph.link_coords(link).windows(2).enumerate() {
            let (t, m) = nearest_on_segment(p, w[0], w[1], cos_lat);
            if best.is_none_or(|(bm, ..)| m < bm - 1e-9) {
                best = Some((m, link as u32, s as u32, t));
            }
        }
    }
    best.map(|(_, link, segment, t)| make_snap(graph, p, link, segment, t))
}
