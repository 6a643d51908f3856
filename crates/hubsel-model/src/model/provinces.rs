//! National files, one province at a time: the inputs cut down to the
//! provinces a planner picked, before anything is prepared, so that only
//! their road graph is built and only their travel times computed.

use std::collections::BTreeSet;

use geo::{BoundingRect, Contains, Coord, Intersects, Point, Rect};

use super::{District, Inputs};
use crate::error::{quote, Error, ErrorKind, Result};

/// Metres in one degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Roads kept around picked provinces, in metres beyond their districts'
/// bounding box on every side (the `margin_m` of
/// [`Inputs::only_provinces`] that `hubsel run --province` and the
/// workbench's province picker use): a trip near the border can still go
/// round through a neighbour.
pub const PROVINCE_MARGIN_M: f64 = 20_000.0;

/// One province of a districts layer, as a picker shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province {
    /// The code, as [`province_of`] gives it.
    pub code: String,
    /// The name, where the districts carry one (`pro_th`, …).
    pub name: Option<String>,
    /// Districts of the province.
    pub districts: usize,
}

/// The province of a district code: its first two characters (the whole
/// code when shorter), as `group_by = "province"` groups districts.
pub fn province_of(district_code: &str) -> &str {
    district_code
        .char_indices()
        .nth(2)
        .map_or(district_code, |(i, _)| &district_code[..i])
}

impl Inputs {
    /// The provinces of the districts, sorted, once each: what a picker
    /// offers.
    pub fn provinces(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .districts
            .iter()
            .map(|d| province_of(&d.code.0))
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// These inputs cut down to the picked `provinces` (codes as
    /// [`province_of`] gives them), before `network::prepare`:
    /// - the districts of those provinces;
    /// - the schools whose district code is in them, or, for a school
    ///   without a code, whose point lies in one of their districts;
    ///   rejected schools located outside their districts are left out
    ///   (those with no location stay, as they cannot be placed);
    /// - the roads that touch the districts' bounding box widened by
    ///   `margin_m` metres on every side, so that a trip near the border
    ///   can still go round through a neighbour.
    ///
    /// The rejects, notes and field names of the files stay as read. A
    /// picked code that names no province of the districts is a run-level
    /// problem: every such code is listed, with the provinces there are.
    pub fn only_provinces(self, provinces: &[&str], margin_m: f64) -> Result<Inputs> {
        let known = self.provinces();
        let unknown: Vec<String> = provinces
            .iter()
            .filter(|p| !known.iter().any(|k| k == p.trim()))
            .map(|p| quote(p))
            .collect();
        if !unknown.is_empty() || provinces.is_empty() {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "no district of province {}: the districts' provinces are {}",
                    if unknown.is_empty() {
                        "(none picked)".to_string()
                    } else {
                        unknown.join(", ")
                    },
                    known.join(", ")
                ),
            ));
        }
        let picked: BTreeSet<&str> = provinces.iter().map(|p| p.trim()).collect();
        let in_picked = |code: &str| picked.contains(province_of(code));
        let mut out = self;
        out.districts.retain(|d| in_picked(&d.code.0));
        let districts = std::mem::take(&mut out.districts);
        let inside = |x: f64, y: f64| {
            let p = Point::new(x, y);
            districts.iter().any(|d| d.geometry.contains(&p))
        };
        out.schools.retain(|s| match &s.district {
            Some(code) => in_picked(&code.0),
            None => inside(s.lon, s.lat),
        });
        out.rejected_schools
            .retain(|r| r.lon_lat.is_none_or(|(x, y)| inside(x, y)));
        let reach = widened(&districts, margin_m);
        out.roads
            .retain(|r| reach.is_some_and(|b| r.geometry.intersects(&b)));
        out.districts = districts;
        Ok(out)
    }
}

/// The bounding box of `districts`, widened by `margin_m` metres on every
/// side (longitude degrees shrink with the cosine of the latitude).
fn widened(districts: &[District], margin_m: f64) -> Option<Rect<f64>> {
    let rect = districts
        .iter()
        .filter_map(|d| d.geometry.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })?;
    let lat = rect.min().y.abs().max(rect.max().y.abs()).min(89.0);
    let dy = margin_m.max(0.0) / METRES_PER_DEGREE;
    let dx = dy / lat.to_radians().cos();
    Some(Rect::new(
        Coord {
            x: rect.min().x - dx,
            y: rect.min().y - dy,
        },
        Coord {
            x: rect.max().x + dx,
            y: rect.max().y + dy,
        },
    ))
}

#[cfg(test)]
mod tests {
    use geo::{LineString, MultiPolygon, Polygon};

    use super::*;
    use crate::model::{DistrictCode, Level, Oneway, RejectedSchool, Road, School, SchoolId};

    fn square(x: f64, y: f64, code: &str) -> District {
        let ring = LineString::from(vec![
            (x, y),
            (x + 1.0, y),
            (x + 1.0, y + 1.0),
            (x, y + 1.0),
            (x, y),
        ]);
        District {
            code: DistrictCode(code.into()),
            name: code.into(),
            geometry: MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
        }
    }

    fn school(id: &str, lon: f64, lat: f64, district: Option<&str>) -> School {
        School {
            id: SchoolId(id.into()),
            name: id.into(),
            lon,
            lat,
            district: district.map(|d| DistrictCode(d.into())),
            level: Level::Primary,
            students: Some(100.0),
            teachers: 5.0,
            classrooms: 6.0,
            attrs: Default::default(),
            source: Default::default(),
        }
    }

    fn road(points: Vec<(f64, f64)>) -> Road {
        Road {
            geometry: LineString::from(points),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway: Oneway::No,
        }
    }

    fn rejected(id: &str, lon_lat: Option<(f64, f64)>) -> RejectedSchool {
        RejectedSchool {
            id: SchoolId(id.into()),
            name: id.into(),
            lon_lat,
            reason: crate::model::Reason::BlankStudents,
            source: Default::default(),
        }
    }

    /// Province 10 (districts 1001, 1002 side by side at 100–102 °E) and
    /// province 20 (district 2001, far east at 110 °E).
    fn country() -> Inputs {
        Inputs {
            districts: vec![
                square(100.0, 10.0, "1001"),
                square(101.0, 10.0, "1002"),
                square(110.0, 10.0, "2001"),
            ],
            schools: vec![
                school("a", 100.5, 10.5, Some("1001")),
                school("b", 101.5, 10.5, Some("1002")),
                school("c", 110.5, 10.5, Some("2001")),
                // No code: placed by its point.
                school("d", 101.2, 10.2, None),
                school("e", 110.2, 10.2, None),
                // A code of province 10 whatever its point says.
                school("f", 110.7, 10.7, Some("1001")),
            ],
            rejected_schools: vec![
                rejected("r1", Some((100.3, 10.3))),
                rejected("r2", Some((110.3, 10.3))),
                rejected("r3", None),
            ],
            roads: vec![
                road(vec![(100.1, 10.1), (101.9, 10.9)]),
                // Outside the box but within 5 km of it (0.03° ≈ 3.3 km).
                road(vec![(102.03, 10.5), (102.5, 10.5)]),
                // Crosses the box with no vertex inside it.
                road(vec![(101.5, 9.0), (101.5, 12.0)]),
                // Far: 20 km east, and in province 20.
                road(vec![(102.2, 10.5), (102.5, 10.5)]),
                road(vec![(110.1, 10.1), (110.9, 10.9)]),
            ],
            school_fields: vec!["classrooms".into()],
            notes: vec!["a note".into()],
            ..Inputs::default()
        }
    }

    #[test]
    fn keeps_only_the_picked_province_and_the_roads_near_it() {
        let all = country();
        assert_eq!(all.provinces(), ["10", "20"]);
        let cut = all.only_provinces(&["10"], 5_000.0).unwrap();
        let codes: Vec<&str> = cut.districts.iter().map(|d| d.code.0.as_str()).collect();
        assert_eq!(codes, ["1001", "1002"]);
        let ids: Vec<&str> = cut.schools.iter().map(|s| s.id.0.as_str()).collect();
        assert_eq!(ids, ["a", "b", "d", "f"]);
        let rejected: Vec<&str> = cut
            .rejected_schools
            .iter()
            .map(|r| r.id.0.as_str())
            .collect();
        assert_eq!(rejected, ["r1", "r3"]);
        let starts: Vec<(f64, f64)> = cut.roads.iter().map(|r| r.geometry.0[0].x_y()).collect();
        assert_eq!(starts, [(100.1, 10.1), (102.03, 10.5), (101.5, 9.0)]);
        assert_eq!(cut.school_fields, ["classrooms"]);
        assert_eq!(cut.notes, ["a note"]);
        assert_eq!(cut.provinces(), ["10"]);
    }

    #[test]
    fn several_provinces_and_no_margin() {
        let cut = country().only_provinces(&["20", "10"], 0.0).unwrap();
        assert_eq!(cut.districts.len(), 3);
        assert_eq!(cut.schools.len(), 6);
        // The box spans both provinces: every road touches it.
        assert_eq!(cut.roads.len(), 5);
        let cut = country().only_provinces(&["20"], 0.0).unwrap();
        let ids: Vec<&str> = cut.schools.iter().map(|s| s.id.0.as_str()).collect();
        assert_eq!(ids, ["c", "e"]);
        assert_eq!(cut.roads.len(), 1);
    }

    #[test]
    fn an_unknown_province_is_a_run_level_problem_listing_them_all() {
        let err = country()
            .only_provinces(&["10", "99", "ๅ"], 0.0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Input);
        let text = err.to_string();
        assert!(text.contains("\"99\", \"ๅ\""), "{text}");
        assert!(text.contains("provinces are 10, 20"), "{text}");
        let err = country().only_provinces(&[], 0.0).unwrap_err();
        assert!(err.to_string().contains("(none picked)"), "{err}");
    }

    #[test]
    fn province_codes_are_the_first_two_characters() {
        assert_eq!(province_of("5001"), "50");
        assert_eq!(province_of("5"), "5");
        assert_eq!(province_of("เชียงใหม่"), "เช");
    }
}
