//! Small plane geometry on WGS 84 longitude/latitude degrees.
//!
//! Distances in metres use a local equirectangular approximation (longitude
//! scaled by the cosine of the latitude). Over the few tens of kilometres a
//! generated road or boundary spans, its error is well under one percent,
//! which is plenty for synthetic data and keeps the generator free of a
//! geodesic library.

/// A position as `[lon, lat]` in degrees, the order GeoJSON uses.
pub type LonLat = [f64; 2];

/// Metres per degree of latitude (WGS 84 mean, good to 0.5% everywhere).
pub const M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator.
const M_PER_DEG_LON_EQUATOR: f64 = 111_320.0;

/// Rounds a coordinate to 7 decimals (about 1 cm), the precision every
/// boundary vertex, and every road vertex but the `thailand` preset's, is
/// stored and written with. Rounding once at creation and copying the
/// rounded value afterwards is what makes shared vertices bit-identical.
pub fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Rounds a coordinate to 6 decimals (about 10 cm), the precision of the
/// school table.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

pub fn rounded7(p: LonLat) -> LonLat {
    [round7(p[0]), round7(p[1])]
}

pub fn rounded6(p: LonLat) -> LonLat {
    [round6(p[0]), round6(p[1])]
}

/// Metres per degree of longitude at latitude `lat` (degrees).
pub fn m_per_deg_lon(lat: f64) -> f64 {
    M_PER_DEG_LON_EQUATOR * lat.to_radians().cos()
}

/// The displacement from `a` to `b` as `[east_m, north_m]`.
pub fn delta_m(a: LonLat, b: LonLat) -> [f64; 2] {
    let mid_lat = 0.5 * (a[1] + b[1]);
    [
        (b[0] - a[0]) * m_per_deg_lon(mid_lat),
        (b[1] - a[1]) * M_PER_DEG_LAT,
    ]
}

/// Approximate ground distance in metres.
pub fn distance_m(a: LonLat, b: LonLat) -> f64 {
    let [dx, dy] = delta_m(a, b);
    // Plain square root: `hypot`'s overflow care costs time and the values
    // here are small.
    (dx * dx + dy * dy).sqrt()
}

/// The point `east_m` east and `north_m` north of `p` (unrounded).
pub fn offset_m(p: LonLat, east_m: f64, north_m: f64) -> LonLat {
    [
        p[0] + east_m / m_per_deg_lon(p[1]),
        p[1] + north_m / M_PER_DEG_LAT,
    ]
}

/// Length of a polyline in metres.
#[cfg(test)]
pub fn polyline_length_m(points: &[LonLat]) -> f64 {
    points.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// Distance in metres from `p` to the segment `a`–`b`, and the parameter
/// in `[0, 1]` of the closest point along the segment.
pub fn point_segment_m(p: LonLat, a: LonLat, b: LonLat) -> (f64, f64) {
    // One longitude scale, at `p`, for the whole small triangle.
    let x_m = m_per_deg_lon(p[1]);
    let ab = [(b[0] - a[0]) * x_m, (b[1] - a[1]) * M_PER_DEG_LAT];
    let ap = [(p[0] - a[0]) * x_m, (p[1] - a[1]) * M_PER_DEG_LAT];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if len2 > 0.0 {
        ((ap[0] * ab[0] + ap[1] * ab[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let dx = ap[0] - t * ab[0];
    let dy = ap[1] - t * ab[1];
    ((dx * dx + dy * dy).sqrt(), t)
}

/// Twice the signed area of a closed ring in square degrees (shoelace);
/// positive when counter-clockwise.
pub fn ring_area2_deg2(ring: &[LonLat]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

/// Area of a closed ring in square metres, for allocating schools by size.
pub fn ring_area_m2(ring: &[LonLat]) -> f64 {
    let lat = ring.iter().map(|p| p[1]).sum::<f64>() / ring.len().max(1) as f64;
    0.5 * ring_area2_deg2(ring).abs() * m_per_deg_lon(lat) * M_PER_DEG_LAT
}

/// Even–odd point in polygon for a closed ring. Points exactly on the
/// boundary may go either way; callers that need "strictly inside" also
/// demand a positive distance to the ring.
pub fn ring_contains(ring: &[LonLat], p: LonLat) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Distance in metres from `p` to the nearest point of a ring's boundary.
pub fn ring_distance_m(ring: &[LonLat], p: LonLat) -> f64 {
    ring.windows(2)
        .map(|w| point_segment_m(p, w[0], w[1]).0)
        .fold(f64::INFINITY, f64::min)
}

/// Whether `p` lies inside `ring` and at least `margin_m` from its boundary.
pub fn inside_with_margin(ring: &[LonLat], p: LonLat, margin_m: f64) -> bool {
    ring_contains(ring, p) && ring_distance_m(ring, p) >= margin_m
}

/// Cross product of `b - a` and `c - a`: positive when `a, b, c` turn left.
pub fn orient(a: LonLat, b: LonLat, c: LonLat) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// A uniform grid over a lon/lat box holding items by cell, for the
/// nearest-vertex and nearest-segment searches and for finding crossings.
/// Cells are addressed row-major so iteration order is deterministic.
#[derive(Clone, Debug)]
pub struct Grid<T> {
    min: LonLat,
    cell_deg: f64,
    nx: usize,
    ny: usize,
    cells: Vec<Vec<T>>,
}

impl<T: Copy> Grid<T> {
    /// A grid covering `min`..`max` (degrees) with square cells of
    /// `cell_deg`; positions outside are clamped to the border cells.
    pub fn new(min: LonLat, max: LonLat, cell_deg: f64) -> Self {
        let nx = (((max[0] - min[0]) / cell_deg).ceil() as usize).max(1);
        let ny = (((max[1] - min[1]) / cell_deg).ceil() as usize).max(1);
        Grid {
            min,
            cell_deg,
            nx,
            ny,
            cells: vec![Vec::new(); nx * ny],
        }
    }

    /// The column and row of the cell holding `p`.
    pub fn cell_of(&self, p: LonLat) -> (usize, usize) {
        let ix = ((p[0] - self.min[0]) / self.cell_deg).floor();
        let iy = ((p[1] - self.min[1]) / self.cell_deg).floor();
        (
            ix.clamp(0.0, (self.nx - 1) as f64) as usize,
            iy.clamp(0.0, (self.ny - 1) as f64) as usize,
        )
    }

    pub fn insert_point(&mut self, p: LonLat, item: T) {
        let (ix, iy) = self.cell_of(p);
        self.cells[iy * self.nx + ix].push(item);
    }

    /// Inserts `item` into every cell its bounding box `a`–`b` touches.
    pub fn insert_box(&mut self, a: LonLat, b: LonLat, item: T) {
        let (x0, y0) = self.cell_of([a[0].min(b[0]), a[1].min(b[1])]);
        let (x1, y1) = self.cell_of([a[0].max(b[0]), a[1].max(b[1])]);
        for iy in y0..=y1 {
            for ix in x0..=x1 {
                self.cells[iy * self.nx + ix].push(item);
            }
        }
    }

    pub fn cell(&self, ix: usize, iy: usize) -> &[T] {
        &self.cells[iy * self.nx + ix]
    }

    /// Number of columns and rows.
    pub fn dims(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// Items in the cells that overlap the square of half-size `radius_m`
    /// around `p`, each cell once (an item in several cells repeats).
    pub fn around(&self, p: LonLat, radius_m: f64) -> impl Iterator<Item = T> + '_ {
        let lo = offset_m(p, -radius_m, -radius_m);
        let hi = offset_m(p, radius_m, radius_m);
        let (x0, y0) = self.cell_of(lo);
        let (x1, y1) = self.cell_of(hi);
        (y0..=y1)
            .flat_map(move |iy| (x0..=x1).flat_map(move |ix| self.cell(ix, iy).iter().copied()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_prints_at_most_seven_decimals() {
        let v = round7(98.123_456_789);
        assert_eq!(v.to_string(), "98.1234568");
        assert_eq!(round6(18.788_333_6).to_string(), "18.788334");
    }

    #[test]
    fn distance_of_a_degree_of_latitude() {
        let d = distance_m([98.98, 18.0], [98.98, 19.0]);
        assert!((d - 110_574.0).abs() < 1.0, "{d}");
        // A degree of longitude at 18.8°N is about 105.4 km.
        let d = distance_m([98.0, 18.8], [99.0, 18.8]);
        assert!((d - 105_378.0).abs() < 200.0, "{d}");
    }

    #[test]
    fn ring_contains_and_margin() {
        let ring = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        assert!(ring_contains(&ring, [0.5, 0.5]));
        assert!(!ring_contains(&ring, [1.5, 0.5]));
        assert!(ring_area2_deg2(&ring) > 0.0);
        assert!(inside_with_margin(&ring, [0.5, 0.5], 50_000.0));
        assert!(!inside_with_margin(&ring, [0.99, 0.5], 2_000.0));
    }

    #[test]
    fn point_segment_distance_clamps_to_ends() {
        let (d, t) = point_segment_m([99.01, 18.0], [99.0, 18.0], [99.005, 18.0]);
        assert_eq!(t, 1.0);
        assert!((d - distance_m([99.01, 18.0], [99.005, 18.0])).abs() < 1e-6);
    }
}
