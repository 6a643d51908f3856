//! District polygons from any format: rings assembled into polygons with
//! their holes, and the checks every district goes through (empty,
//! out of range, invalid).

use geo::{Area, BoundingRect, Contains, LineString, MultiPolygon, Point, Polygon, Validation};

use crate::error::{quote, Error, ErrorKind, Problem, Result};
use crate::model::SourceRef;
use crate::model::{Action, District, Reason, Rejects};

/// Assembles closed rings into polygons: each inner ring becomes a hole of
/// the smallest outer ring that contains it. Returns the polygons (in the
/// order of their outer rings) and the inner rings no outer ring contains.
pub fn assemble(
    outers: Vec<LineString<f64>>,
    inners: Vec<LineString<f64>>,
) -> (Vec<Polygon<f64>>, Vec<LineString<f64>>) {
    let shells: Vec<Polygon<f64>> = outers
        .into_iter()
        .map(|r| Polygon::new(r, vec![]))
        .collect();
    let areas: Vec<f64> = shells.iter().map(|p| p.unsigned_area()).collect();
    let mut holes: Vec<Vec<LineString<f64>>> = vec![Vec::new(); shells.len()];
    let mut orphans = Vec::new();
    for ring in inners {
        // A point of the hole that is not on the shell's boundary decides;
        // the ring's first vertex usually is, the midpoint of its first
        // edge is a fallback for holes that touch the shell there.
        let probes: Vec<Point<f64>> = ring
            .0
            .windows(2)
            .take(2)
            .flat_map(|w| [Point(w[0]), Point((w[0] + w[1]) / 2.0)])
            .collect();
        let owner = (0..shells.len())
            .filter(|&i| probes.iter().any(|p| shells[i].contains(p)))
            .min_by(|&a, &b| areas[a].total_cmp(&areas[b]).then(a.cmp(&b)));
        match owner {
            Some(i) => holes[i].push(ring),
            None => orphans.push(ring),
        }
    }
    let polygons = shells
        .into_iter()
        .zip(holes)
        .map(|(shell, holes)| {
            let (exterior, _) = shell.into_inner();
            Polygon::new(exterior, holes)
        })
        .collect();
    (polygons, orphans)
}

fn in_degrees(p: &Polygon<f64>) -> bool {
    p.exterior()
        .0
        .iter()
        .chain(p.interiors().iter().flat_map(|r| r.0.iter()))
        .all(|c| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
}

/// Checks a district's polygon (already in WGS 84): parts whose exterior
/// has fewer than 3 distinct points are dropped; no part left makes the
/// district refused ("empty polygon"), as do coordinates outside the
/// longitude/latitude range. A part that is invalid by OGC rules (a
/// self-intersecting ring, a hole outside its shell, …) is kept and
/// flagged with the reason, since point in polygon still answers for
/// most of its area and dropping a whole district would refuse all its
/// schools.
pub fn check_district(
    geometry: MultiPolygon<f64>,
    code: &str,
    source: &SourceRef,
    rejects: &mut Rejects,
) -> Option<MultiPolygon<f64>> {
    let parts: Vec<Polygon<f64>> = geometry
        .0
        .into_iter()
        .filter(|p| {
            let mut ring = p.exterior().0.clone();
            ring.dedup();
            ring.len() >= 4
        })
        .collect();
    if parts.is_empty() {
        rejects.push(
            source,
            code,
            "geometry",
            Reason::EmptyPolygon,
            Action::Refused,
        );
        return None;
    }
    if !parts.iter().all(in_degrees) {
        rejects.push(
            source,
            code,
            "geometry",
            Reason::PolygonOutOfRange,
            Action::Refused,
        );
        return None;
    }
    let problems: Vec<String> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let prefix = if parts.len() > 1 {
                format!("part {}: ", i + 1)
            } else {
                String::new()
            };
            p.validation_errors()
                .into_iter()
                .map(move |e| format!("{prefix}{e}"))
        })
        .collect();
    if !problems.is_empty() {
        rejects.push(
            source,
            code,
            "geometry",
            Reason::InvalidPolygon { problems },
            Action::Flagged,
        );
    }
    let multi = MultiPolygon::new(parts);
    multi.bounding_rect().map(|_| multi)
}

/// Districts stored as several features with one code (single-part
/// polygons, as many shapefiles and `ogr2ogr -explodecollections` write
/// them) become one district: the parts of all its features in one
/// multipolygon, in the order read, at the place of its first feature.
/// Returns the districts and, when any were merged, a note that says so.
///
/// Features of one code must agree on the name (an empty name agrees with
/// any): otherwise the code probably is not the district's (a province or
/// region column), and the error names every such code with both names.
pub fn merge_repeated(
    districts: Vec<District>,
    file: &str,
) -> Result<(Vec<District>, Option<String>)> {
    let mut merged: Vec<District> = Vec::with_capacity(districts.len());
    let mut place: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut repeated: Vec<(usize, usize)> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for district in districts {
        let Some(&at) = place.get(&district.code.0) else {
            place.insert(district.code.0.clone(), merged.len());
            merged.push(district);
            continue;
        };
        let first = &mut merged[at];
        let (a, b) = (first.name.trim(), district.name.trim());
        if !a.is_empty() && !b.is_empty() && a != b {
            if !problems.iter().any(|p| p.key.as_deref() == Some(&*district.code.0)) {
                problems.push(Problem {
                    line: None,
                    key: Some(district.code.0.clone()),
                    message: format!(
                        "district code {} is given to features named {} and {}: is this the district code column?",
                        quote(&district.code.0),
                        quote(a),
                        quote(b)
                    ),
                });
            }
            continue;
        }
        if a.is_empty() {
            first.name = district.name;
        }
        first.geometry.0.extend(district.geometry.0);
        match repeated.iter_mut().find(|(i, _)| *i == at) {
            Some((_, n)) => *n += 1,
            None => repeated.push((at, 2)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::with_problems(ErrorKind::Input, problems).in_file(file));
    }
    let note = (!repeated.is_empty()).then(|| {
        let shown: Vec<String> = repeated
            .iter()
            .take(5)
            .map(|&(i, n)| format!("{} ({n} features)", quote(&merged[i].code.0)))
            .collect();
        let more = repeated.len().saturating_sub(shown.len());
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!(
            "{file}: {} district code(s) repeated over several features, each merged into one district of several parts: {}{more}",
            repeated.len(),
            shown.join(", ")
        )
    });
    Ok((merged, note))
}
