//! The validated data model every stage works on: schools, districts and
//! roads in WGS 84 longitude/latitude degrees.

use std::collections::BTreeMap;
use std::fmt;

use geo::{LineString, MultiPolygon};

/// A school's identifier as the input gives it (for example the 8-digit
/// OBEC code `50010123`). Compared as text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SchoolId(pub String);

/// A district's code as the district layer gives it (for example the
/// 4-digit `amp_code` `5001`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DistrictCode(pub String);

impl fmt::Display for SchoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DistrictCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The levels a school teaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Primary,
    Secondary,
    /// Both levels (in Thailand the "opportunity expansion" K–9 schools and
    /// K–12 schools): a candidate for either hub level.
    Both,
}

impl Level {
    /// Parses the usual spellings, in English and Thai.
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "primary" | "p" | "ประถม" | "ประถมศึกษา" => {
                Some(Level::Primary)
            }
            "secondary" | "s" | "มัธยม" | "มัธยมศึกษา" => {
                Some(Level::Secondary)
            }
            "both" | "all" | "b" | "ขยายโอกาส" => Some(Level::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Primary => "primary",
            Level::Secondary => "secondary",
            Level::Both => "both",
        }
    }

    /// Whether a school of this level may serve as a hub of `hub`.
    pub fn serves(self, hub: HubLevel) -> bool {
        matches!(
            (self, hub),
            (Level::Both, _)
                | (Level::Primary, HubLevel::Primary)
                | (Level::Secondary, HubLevel::Secondary)
        )
    }
}

/// The level a hub is chosen for: the policy picks one primary and one
/// secondary hub per district.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HubLevel {
    Primary,
    Secondary,
}

impl HubLevel {
    pub const ALL: [HubLevel; 2] = [HubLevel::Primary, HubLevel::Secondary];

    pub fn as_str(self) -> &'static str {
        match self {
            HubLevel::Primary => "primary",
            HubLevel::Secondary => "secondary",
        }
    }
}

/// Where a record came from, for `rejects.csv` and error messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct SourceRef {
    /// The input file as the user named it (or `fixture:…` for embedded data).
    pub file: String,
    /// 1-based line of a CSV row (the header is line 1), or 1-based feature
    /// number in a GeoJSON collection.
    pub line: u64,
}

/// One school as read from the input, with its location in WGS 84 degrees.
#[derive(Clone, Debug, PartialEq)]
pub struct School {
    pub id: SchoolId,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The district code given in the input, if any; otherwise the district
    /// is found by point in polygon.
    pub district: Option<DistrictCode>,
    pub level: Level,
    /// Enrolment; `None` when the input has no count for the school (no
    /// students column, a blank cell, or an OpenStreetMap school without
    /// `student:count`).
    pub students: Option<f64>,
    pub teachers: f64,
    pub classrooms: f64,
    /// Any other numeric or boolean (0/1) attribute a scenario may score on,
    /// by column name. A blank cell is absent from the map.
    pub attrs: BTreeMap<String, f64>,
    pub source: SourceRef,
}

impl School {
    /// The value of a scorable field: `students`, `teachers`, `classrooms`
    /// or any extra attribute. `None` when the school has no value for it.
    pub fn field(&self, name: &str) -> Option<f64> {
        match name {
            "students" => self.students,
            "teachers" => Some(self.teachers),
            "classrooms" => Some(self.classrooms),
            other => self.attrs.get(other).copied(),
        }
    }
}

/// What the travel figures and the location models count: students where
/// the data has enrolment, else every school once. Real registries and
/// OpenStreetMap often have no enrolment; weighting by students there would
/// make every figure read 0 and every objective a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Weighting {
    /// Each school weighs its student count (unknown counts weigh 0).
    #[default]
    Students,
    /// Each school weighs 1.
    Schools,
}

impl Weighting {
    pub fn as_str(self) -> &'static str {
        match self {
            Weighting::Students => "students",
            Weighting::Schools => "schools",
        }
    }

    /// The weight of a school with this student count.
    pub fn weight(self, students: Option<f64>) -> f64 {
        match self {
            Weighting::Students => students.unwrap_or(0.0),
            Weighting::Schools => 1.0,
        }
    }

    /// Weighting by students when every school has a count and some count
    /// is positive; else by schools.
    pub fn from_data(students: impl IntoIterator<Item = Option<f64>>) -> Weighting {
        let mut any_positive = false;
        for s in students {
            match s {
                None => return Weighting::Schools,
                Some(v) if v > 0.0 => any_positive = true,
                Some(_) => {}
            }
        }
        if any_positive {
            Weighting::Students
        } else {
            Weighting::Schools
        }
    }
}

/// A school that could not take part in the run, kept so that every input
/// row appears once in `schools.geojson` with role `rejected`.
#[derive(Clone, Debug, PartialEq)]
pub struct RejectedSchool {
    pub id: SchoolId,
    pub name: String,
    /// The location when it could be read and is plausible.
    pub lon_lat: Option<(f64, f64)>,
    pub reason: String,
    pub source: SourceRef,
}

/// A district polygon (possibly several parts, possibly with holes).
#[derive(Clone, Debug, PartialEq)]
pub struct District {
    pub code: DistrictCode,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}

/// Travel direction allowed on a road, relative to its vertex order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Oneway {
    #[default]
    No,
    /// Only in the direction of the vertex order.
    Forward,
    /// Only against the vertex order (OSM `oneway=-1`).
    Backward,
}

/// One road line as read from the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Road {
    pub geometry: LineString<f64>,
    /// Road class (`primary`, `secondary`, …, `track`), as OSM's `highway`.
    pub class: String,
    /// Posted speed in km/h where the data has one.
    pub maxspeed_kmh: Option<f64>,
    pub oneway: Oneway,
}

impl Road {
    /// A road along `coords` with repeated consecutive points dropped, or
    /// the reject reason when fewer than two distinct points remain.
    pub fn from_points(
        mut coords: Vec<geo::Coord<f64>>,
        class: String,
        maxspeed_kmh: Option<f64>,
        oneway: Oneway,
    ) -> Result<Road, &'static str> {
        coords.dedup();
        if coords.len() < 2 {
            return Err("road line with fewer than 2 distinct points");
        }
        Ok(Road {
            geometry: LineString::new(coords),
            class,
            maxspeed_kmh,
            oneway,
        })
    }
}

/// Everything read from the inputs, before validation against each other.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub schools: Vec<School>,
    pub rejected_schools: Vec<RejectedSchool>,
    pub roads: Vec<Road>,
    pub districts: Vec<District>,
    /// Names of the school fields present in the input (for checking that a
    /// scenario scores only on fields that exist).
    pub school_fields: Vec<String>,
    /// Row-level problems found while reading.
    pub rejects: crate::validate::Rejects,
}
