//! The validated data model every stage works on: schools, districts and
//! roads in WGS 84 longitude/latitude degrees.

use std::collections::BTreeMap;
use std::fmt;

mod provinces;
mod reason;
mod rejects;

pub use provinces::{province_of, Province, PROVINCE_MARGIN_M};
pub use reason::{ReadPart, Reason, ReasonKind, TrapWay};
pub use rejects::{spreadsheet_cell, Action, Reject, Rejects};
pub use rejects::write_safe_record;

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
    /// Reads a level as schools data write it, in English or Thai:
    ///
    /// - the words: `primary`, `secondary`, `both` (and `p`, `s`, `b`,
    ///   `all`, `elementary`, `middle`, `high`, `lower secondary`,
    ///   `upper secondary`, `kindergarten`, `extended opportunity`,
    ///   `opportunity expansion`, `ประถม`, `ประถมศึกษา`, `มัธยม`,
    ///   `มัธยมศึกษา`, `ขยายโอกาส`, …);
    /// - a span of the grades taught, as the OBEC school registry writes
    ///   it: `อนุบาล-ประถมศึกษา` (kindergarten to primary),
    ///   `อนุบาล-มัธยมศึกษาตอนต้น` (K–9, the "extended opportunity"
    ///   schools), `มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย` (lower to upper
    ///   secondary), …; or in grade codes (`อ.1-ป.6`, `ป.1-ม.3`, `ม.1-ม.6`)
    ///   or English (`K-6`, `K-12`, `7-12`, `kindergarten-primary`).
    ///
    /// A span is primary when it reaches no secondary grade (kindergarten
    /// counts with primary), secondary when it starts at a secondary grade,
    /// and both when it covers primary and secondary grades: a K–9 school
    /// teaches primary and lower secondary, so it is demand for, and a
    /// candidate of, either hub level. Matching ignores case and blanks;
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<Level> {
        let t: String = text
            .trim()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if t.is_empty() {
            return None;
        }
        if let Some(level) = level_word(&t) {
            return Some(level);
        }
        // A span "from-to" (hyphen, en or em dash, or the word ถึง "to").
        let parts: Vec<&str> = t
            .split(['-', '–', '—'])
            .flat_map(|p| p.split("ถึง"))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let stages: Option<Vec<Stage>> = parts.iter().map(|p| stage(p)).collect();
        match stages?.as_slice() {
            [] => None,
            [one] => Some(one.level()),
            [first, .., last] => {
                let (lo, hi) = (first.min(last), first.max(last));
                Some(
                    match (*lo <= Stage::Primary, *hi >= Stage::LowerSecondary) {
                        (true, true) => Level::Both,
                        (true, false) => Level::Primary,
                        (false, _) => Level::Secondary,
                    },
                )
            }
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

/// A whole level named in one word or phrase.
fn level_word(t: &str) -> Option<Level> {
    Some(match t {
        "primary"
        | "p"
        | "elementary"
        | "primary school"
        | "ประถม"
        | "ประถมศึกษา"
        | "โรงเรียนประถมศึกษา" => Level::Primary,
        "secondary"
        | "s"
        | "secondary school"
        | "high school"
        | "มัธยม"
        | "มัธยมศึกษา"
        | "โรงเรียนมัธยมศึกษา" => Level::Secondary,
        "both"
        | "all"
        | "b"
        | "primary and secondary"
        | "primary & secondary"
        | "k-12"
        | "k12"
        | "k-9"
        | "k9"
        | "extended opportunity"
        | "opportunity expansion"
        | "extended-opportunity"
        | "ขยายโอกาส"
        | "โรงเรียนขยายโอกาส"
        | "ขยายโอกาสทางการศึกษา" => Level::Both,
        _ => return None,
    })
}

/// A stage of schooling, in order, for reading grade spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Kindergarten,
    Primary,
    LowerSecondary,
    UpperSecondary,
}

impl Stage {
    /// The level of a school teaching this stage alone.
    fn level(self) -> Level {
        if self <= Stage::Primary {
            Level::Primary
        } else {
            Level::Secondary
        }
    }
}

/// One end of a grade span: a stage's name (Thai or English) or a grade
/// code (`อ.1`, `ป.6`, `ม.3`, `K`, `1`…`12`).
fn stage(t: &str) -> Option<Stage> {
    let t = t.trim().trim_end_matches('.');
    let named = match t {
        "อนุบาล"
        | "ก่อนประถมศึกษา"
        | "ปฐมวัย"
        | "kindergarten"
        | "pre-primary"
        | "preprimary"
        | "pre-school"
        | "preschool"
        | "k"
        | "kg" => Some(Stage::Kindergarten),
        "ประถมศึกษา" | "ประถม" | "primary" | "elementary" => {
            Some(Stage::Primary)
        }
        "มัธยมศึกษาตอนต้น" | "มัธยมต้น" | "ม.ต้น" | "lower secondary" | "middle" | "junior high" => {
            Some(Stage::LowerSecondary)
        }
        "มัธยมศึกษาตอนปลาย" | "มัธยมปลาย" | "ม.ปลาย" | "upper secondary" | "high" | "senior high" => {
            Some(Stage::UpperSecondary)
        }
        "มัธยมศึกษา" | "มัธยม" | "secondary" => {
            Some(Stage::LowerSecondary)
        }
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    // Grade codes: อ.1–3 (kindergarten), ป.1–6, ม.1–6, or plain grades 1–12.
    let (prefix, number) = match t.split_once('.') {
        Some((p, n)) => (p.trim(), n.trim()),
        None => ("", t),
    };
    let n: u32 = number.parse().ok()?;
    match prefix {
        "อ" if (1..=3).contains(&n) => Some(Stage::Kindergarten),
        "ป" if (1..=6).contains(&n) => Some(Stage::Primary),
        "ม" if (1..=3).contains(&n) => Some(Stage::LowerSecondary),
        "ม" if (4..=6).contains(&n) => Some(Stage::UpperSecondary),
        "" | "grade" | "g" if (1..=6).contains(&n) => Some(Stage::Primary),
        "" | "grade" | "g" if (7..=9).contains(&n) => Some(Stage::LowerSecondary),
        "" | "grade" | "g" if (10..=12).contains(&n) => Some(Stage::UpperSecondary),
        _ => None,
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
    pub reason: Reason,
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
    pub rejects: Rejects,
    /// Things about the inputs as a whole worth telling the user (a road
    /// column that looks like a speed but is not read, …), in words.
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_obec_registry_vocabulary() {
        // The seven values of the national registry, with their counts there.
        let cases = [
            ("อนุบาล-ประถมศึกษา", Level::Primary),                 // 18,051
            ("อนุบาล-มัธยมศึกษาตอนต้น", Level::Both),                // 5,999 (K–9)
            ("มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย", Level::Secondary), // 2,088
            ("ประถมศึกษา", Level::Primary),                       // 538
            ("ประถมศึกษา-มัธยมศึกษาตอนต้น", Level::Both),            // 124
            ("อนุบาล-มัธยมศึกษาตอนปลาย", Level::Both),              // 104
            ("ประถมศึกษา-มัธยมศึกษาตอนปลาย", Level::Both),          // 14
            ("ขยายโอกาส", Level::Both),
            (" อนุบาล - ประถมศึกษา ", Level::Primary),
            ("อนุบาล–มัธยมศึกษาตอนต้น", Level::Both),
            ("มัธยมศึกษาตอนปลาย", Level::Secondary),
            ("อนุบาล", Level::Primary),
        ];
        for (text, want) in cases {
            assert_eq!(Level::parse(text), Some(want), "{text}");
        }
    }

    #[test]
    fn reads_grade_codes_and_english_words() {
        let cases = [
            ("อ.1-ป.6", Level::Primary),
            ("ป.1-ม.3", Level::Both),
            ("ม.1-ม.6", Level::Secondary),
            ("ม.4-ม.6", Level::Secondary),
            ("Primary", Level::Primary),
            ("ELEMENTARY", Level::Primary),
            ("secondary", Level::Secondary),
            ("Lower Secondary", Level::Secondary),
            ("upper secondary", Level::Secondary),
            ("high school", Level::Secondary),
            ("both", Level::Both),
            ("K-12", Level::Both),
            ("K-9", Level::Both),
            ("K-6", Level::Primary),
            ("1-6", Level::Primary),
            ("7-12", Level::Secondary),
            ("kindergarten-primary", Level::Primary),
            ("primary-lower secondary", Level::Both),
            ("extended opportunity", Level::Both),
        ];
        for (text, want) in cases {
            assert_eq!(Level::parse(text), Some(want), "{text}");
        }
        for text in ["", "college", "ศึกษาพิเศษ", "ป.9", "ม.7", "13-14", "-"]
        {
            assert_eq!(Level::parse(text), None, "{text}");
        }
    }
}
