//! District polygons that tile a province exactly.
//!
//! The province is a grid of quadrilateral cells whose corners are
//! jittered. Every cell side is generated once as a gently wiggling
//! polyline and used forwards by one neighbour and backwards by the other,
//! so shared boundaries agree vertex for vertex and the cells leave neither
//! gaps nor overlaps.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::geom::{delta_m, distance_m, offset_m, rounded7, LonLat};
use super::province::ProvinceSpec;

/// Target spacing of boundary vertices in metres.
const EDGE_VERTEX_SPACING_M: f64 = 1_200.0;
/// The largest sideways swing of a boundary, as a share of its length and
/// in metres; small enough that neighbouring sides never meet.
const EDGE_SWING_SHARE: f64 = 0.05;
const EDGE_SWING_MAX_M: f64 = 1_800.0;
/// The steepest a boundary may leave its chord (rise over run): keeps every
/// side inside a narrow cone at its corners, so sides meeting at a corner
/// cannot cross.
const EDGE_MAX_SLOPE: f64 = 0.3;
/// Corner jitter as a share of the narrowest adjacent column or row.
const CORNER_JITTER_SHARE: f64 = 0.1;

/// One grid cell: a district's exterior ring.
#[derive(Clone, Debug)]
pub struct Cell {
    pub number: u8,
    pub row: usize,
    pub column: usize,
    /// Closed, counter-clockwise, coordinates rounded to 7 decimals.
    pub ring: Vec<LonLat>,
    /// The cell's grid corners, south-west, south-east, north-east and
    /// north-west (vertices of `ring`).
    pub corners: [LonLat; 4],
}

/// The tiled province: its cells in layout order (rows south to north) and
/// its outline, the union of the cells.
#[derive(Clone, Debug)]
pub struct Tiling {
    pub cells: Vec<Cell>,
    /// Closed, counter-clockwise.
    pub outline: Vec<LonLat>,
}

/// Tiles `spec`'s grid into district polygons.
pub fn tile(spec: &ProvinceSpec, rng: &mut ChaCha8Rng) -> Tiling {
    let rows = spec.layout.len();
    let columns = spec.layout.first().map_or(0, |r| r.len());
    let corners = jittered_corners(spec, rows, columns, rng);
    // horizontal[j][i]: row line j, from corner i to corner i + 1 (west → east).
    let horizontal: Vec<Vec<Vec<LonLat>>> = (0..=rows)
        .map(|j| {
            (0..columns)
                .map(|i| wiggle(corners[j][i], corners[j][i + 1], rng))
                .collect()
        })
        .collect();
    // vertical[j][i]: column line i, from row line j to j + 1 (south → north).
    let vertical: Vec<Vec<Vec<LonLat>>> = (0..rows)
        .map(|j| {
            (0..=columns)
                .map(|i| wiggle(corners[j][i], corners[j + 1][i], rng))
                .collect()
        })
        .collect();

    let mut cells = Vec::with_capacity(rows * columns);
    for (row, numbers) in spec.layout.iter().enumerate() {
        for (column, &number) in numbers.iter().enumerate() {
            let mut ring = Vec::new();
            append(&mut ring, horizontal[row][column].iter());
            append(&mut ring, vertical[row][column + 1].iter());
            append(&mut ring, horizontal[row + 1][column].iter().rev());
            append(&mut ring, vertical[row][column].iter().rev());
            cells.push(Cell {
                number,
                row,
                column,
                ring,
                corners: [
                    corners[row][column],
                    corners[row][column + 1],
                    corners[row + 1][column + 1],
                    corners[row + 1][column],
                ],
            });
        }
    }

    let mut outline = Vec::new();
    for side in &horizontal[0] {
        append(&mut outline, side.iter());
    }
    for row in &vertical {
        append(&mut outline, row[columns].iter());
    }
    for side in horizontal[rows].iter().rev() {
        append(&mut outline, side.iter().rev());
    }
    for row in vertical.iter().rev() {
        append(&mut outline, row[0].iter().rev());
    }
    Tiling { cells, outline }
}

/// Appends a side to a ring under construction, skipping the first point
/// when it repeats the ring's last one (the shared corner).
pub fn append<'a>(ring: &mut Vec<LonLat>, side: impl Iterator<Item = &'a LonLat>) {
    for &p in side {
        if ring.last() != Some(&p) {
            ring.push(p);
        }
    }
}

/// Grid corners `[row line][column line]`, each moved by a random fraction
/// of its narrowest neighbouring column and row, then rounded.
fn jittered_corners(
    spec: &ProvinceSpec,
    rows: usize,
    columns: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<LonLat>> {
    (0..=rows)
        .map(|j| {
            let lons = spec.column_lon[j];
            let lat = spec.row_lat[j];
            let row_span = [
                j.checked_sub(1).map(|k| lat - spec.row_lat[k]),
                spec.row_lat.get(j + 1).map(|n| n - lat),
            ]
            .into_iter()
            .flatten()
            .fold(f64::INFINITY, f64::min);
            (0..=columns)
                .map(|i| {
                    let column_span = [
                        i.checked_sub(1).map(|k| lons[i] - lons[k]),
                        lons.get(i + 1).map(|n| n - lons[i]),
                    ]
                    .into_iter()
                    .flatten()
                    .fold(f64::INFINITY, f64::min);
                    let d_lon = rng.random_range(-1.0..1.0) * CORNER_JITTER_SHARE * column_span;
                    let d_lat = rng.random_range(-1.0..1.0) * CORNER_JITTER_SHARE * row_span;
                    rounded7([lons[i] + d_lon, lat + d_lat])
                })
                .collect()
        })
        .collect()
}

/// A natural-looking boundary from `a` to `b` (both included): a few
/// random sine modes that vanish at the ends, scaled to the swing and slope
/// limits, plus a little per-vertex roughness. The sideways offset is a
/// function of the position along the chord, so the line never folds back
/// on itself.
pub fn wiggle(a: LonLat, b: LonLat, rng: &mut ChaCha8Rng) -> Vec<LonLat> {
    let length_m = distance_m(a, b);
    let segments = ((length_m / EDGE_VERTEX_SPACING_M).round() as usize).max(2);
    let modes: Vec<f64> = (1..=4)
        .map(|k| rng.random_range(-1.0..1.0) / k as f64)
        .collect();
    // Positions along the chord (0..1), evenly spaced then shuffled a bit.
    let mut along: Vec<f64> = (0..=segments)
        .map(|k| {
            let jitter = if k == 0 || k == segments {
                0.0
            } else {
                rng.random_range(-0.25..0.25)
            };
            (k as f64 + jitter) / segments as f64
        })
        .collect();
    along[segments] = 1.0;
    let roughness_m = 0.1 * length_m / segments as f64;
    let raw: Vec<f64> = along
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            if k == 0 || k == segments {
                return 0.0;
            }
            let smooth: f64 = modes
                .iter()
                .enumerate()
                .map(|(m, amp)| amp * ((m + 1) as f64 * std::f64::consts::PI * t).sin())
                .sum();
            smooth * length_m + rng.random_range(-1.0..1.0) * roughness_m
        })
        .collect();
    let peak_m = raw.iter().fold(0.0_f64, |m, y| m.max(y.abs()));
    let steepest = along
        .windows(2)
        .zip(raw.windows(2))
        .map(|(t, y)| (y[1] - y[0]).abs() / ((t[1] - t[0]) * length_m))
        .fold(0.0_f64, f64::max);
    let swing_limit_m = (EDGE_SWING_SHARE * length_m).min(EDGE_SWING_MAX_M);
    let scale = if peak_m > 0.0 {
        (swing_limit_m / peak_m).min(EDGE_MAX_SLOPE / steepest) * rng.random_range(0.5..1.0)
    } else {
        0.0
    };
    let [dx, dy] = delta_m(a, b);
    let normal = [-dy / length_m, dx / length_m];
    along
        .iter()
        .zip(&raw)
        .enumerate()
        .map(|(k, (&t, &y))| {
            if k == 0 {
                a
            } else if k == segments {
                b
            } else {
                let on_chord = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                rounded7(offset_m(
                    on_chord,
                    normal[0] * y * scale,
                    normal[1] * y * scale,
                ))
            }
        })
        .collect()
}

/// A province's outline as four polylines that share their end points:
/// the south and north sides run west to east, the west and east sides
/// south to north. Neighbouring provinces build their sides from the same
/// polylines, so their districts meet vertex for vertex.
#[derive(Clone, Debug)]
pub struct Sides {
    pub south: Vec<LonLat>,
    pub east: Vec<LonLat>,
    pub north: Vec<LonLat>,
    pub west: Vec<LonLat>,
}

/// How the districts of a province given by its [`Sides`] are arranged:
/// in rows from south to north, each row a list of cells from west to
/// east. Rows may hold different numbers of cells.
#[derive(Clone, Debug)]
pub struct Arrangement {
    /// Where each row line between two rows meets the west and east sides,
    /// as a share of their length: one fewer than there are rows, rising
    /// in `(0, 1)`.
    pub row_shares: Vec<f64>,
    /// Per row, the district numbers west to east.
    pub numbers: Vec<Vec<u8>>,
    /// Per row, where the sides between its cells meet the row's lower and
    /// its upper line, as shares of those lines' lengths: one fewer than
    /// the row has cells, rising in `(0, 1)`.
    pub column_shares: Vec<(Vec<f64>, Vec<f64>)>,
}

/// Tiles the province bounded by `sides` into district cells.
///
/// Every line between two rows is one wiggling polyline from a vertex of
/// the west side to a vertex of the east side, and every side between two
/// cells of a row a wiggling polyline from a vertex of the row's lower
/// line to a vertex of its upper line. A cell's ring walks pieces of these
/// lines, so wherever cells meet, even where a corner of one lies along the
/// side of another, they share every vertex.
pub fn tile_sides(sides: &Sides, arrangement: &Arrangement, rng: &mut ChaCha8Rng) -> Tiling {
    let rows = arrangement.numbers.len();
    let west_at = pick_vertices(&sides.west, &arrangement.row_shares);
    let east_at = pick_vertices(&sides.east, &arrangement.row_shares);
    let mut lines: Vec<Vec<LonLat>> = Vec::with_capacity(rows + 1);
    lines.push(sides.south.clone());
    for j in 1..rows {
        lines.push(wiggle(sides.west[west_at[j]], sides.east[east_at[j]], rng));
    }
    lines.push(sides.north.clone());

    let mut cells = Vec::with_capacity(arrangement.numbers.iter().map(Vec::len).sum());
    for (row, numbers) in arrangement.numbers.iter().enumerate() {
        let (lower_shares, upper_shares) = &arrangement.column_shares[row];
        let lower_at = pick_vertices(&lines[row], lower_shares);
        let upper_at = pick_vertices(&lines[row + 1], upper_shares);
        let columns = numbers.len();
        // sides[i]: the side west of cell i, south to north.
        let row_sides: Vec<Vec<LonLat>> = (0..=columns)
            .map(|i| {
                if i == 0 {
                    sides.west[west_at[row]..=west_at[row + 1]].to_vec()
                } else if i == columns {
                    sides.east[east_at[row]..=east_at[row + 1]].to_vec()
                } else {
                    wiggle(lines[row][lower_at[i]], lines[row + 1][upper_at[i]], rng)
                }
            })
            .collect();
        for (column, &number) in numbers.iter().enumerate() {
            let mut ring = Vec::new();
            append(
                &mut ring,
                lines[row][lower_at[column]..=lower_at[column + 1]].iter(),
            );
            append(&mut ring, row_sides[column + 1].iter());
            append(
                &mut ring,
                lines[row + 1][upper_at[column]..=upper_at[column + 1]]
                    .iter()
                    .rev(),
            );
            append(&mut ring, row_sides[column].iter().rev());
            cells.push(Cell {
                number,
                row,
                column,
                ring,
                corners: [
                    lines[row][lower_at[column]],
                    lines[row][lower_at[column + 1]],
                    lines[row + 1][upper_at[column + 1]],
                    lines[row + 1][upper_at[column]],
                ],
            });
        }
    }

    let mut outline = Vec::new();
    append(&mut outline, sides.south.iter());
    append(&mut outline, sides.east.iter());
    append(&mut outline, sides.north.iter().rev());
    append(&mut outline, sides.west.iter().rev());
    Tiling { cells, outline }
}

/// Indices of the vertices of `line` nearest to each share of its length,
/// with the two ends added: rising strictly, so that every piece between
/// two picks has at least one segment.
fn pick_vertices(line: &[LonLat], shares: &[f64]) -> Vec<usize> {
    let last = line.len() - 1;
    let mut along_m = Vec::with_capacity(line.len());
    let mut total_m = 0.0;
    along_m.push(0.0);
    for w in line.windows(2) {
        total_m += distance_m(w[0], w[1]);
        along_m.push(total_m);
    }
    let mut picks = Vec::with_capacity(shares.len() + 2);
    picks.push(0);
    for (k, share) in shares.iter().enumerate() {
        let target_m = share * total_m;
        let nearest = along_m.partition_point(|&a| a < target_m);
        let nearest = if nearest > 0
            && (nearest == along_m.len()
                || target_m - along_m[nearest - 1] < along_m[nearest] - target_m)
        {
            nearest - 1
        } else {
            nearest
        };
        // Room for the picks still to come, each at least one vertex on.
        let highest = last - (shares.len() - k);
        let previous = picks[picks.len() - 1];
        picks.push(nearest.clamp(previous + 1, highest.max(previous + 1)));
    }
    picks.push(last);
    picks
}
