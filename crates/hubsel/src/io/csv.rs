//! Schools from CSV: one row per school, longitude/latitude columns in WGS 84
//! degrees, column names configurable.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{DistrictCode, Level, RejectedSchool, School, SchoolId, SourceRef};
use crate::validate::{Action, Rejects};

/// Which column holds what. Matching is case-insensitive; each field has a
/// list of accepted names, the first present wins.
#[derive(Clone, Debug)]
pub struct SchoolColumns {
    pub id: Vec<String>,
    pub name: Vec<String>,
    pub lon: Vec<String>,
    pub lat: Vec<String>,
    pub district: Vec<String>,
    pub level: Vec<String>,
    pub students: Vec<String>,
    pub teachers: Vec<String>,
    pub classrooms: Vec<String>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for SchoolColumns {
    fn default() -> Self {
        SchoolColumns {
            id: names(&["id", "school_id", "code", "smis"]),
            name: names(&["name", "school_name", "name_th"]),
            lon: names(&["lon", "lng", "longitude", "x"]),
            lat: names(&["lat", "latitude", "y"]),
            district: names(&["district", "amp_code", "district_code"]),
            level: names(&["level", "school_level"]),
            students: names(&["students", "n_students", "enrolment", "enrollment"]),
            teachers: names(&["teachers", "n_teachers"]),
            classrooms: names(&["classrooms", "rooms", "n_classrooms"]),
        }
    }
}

/// The schools read from a CSV, plus the rows that could not be used.
#[derive(Debug, Default)]
pub struct SchoolTable {
    pub schools: Vec<School>,
    pub rejected: Vec<RejectedSchool>,
    pub rejects: Rejects,
    /// Every scorable field: the core numeric ones plus each extra column
    /// whose non-blank cells are all numbers or booleans.
    pub fields: Vec<String>,
}

struct Located {
    id: usize,
    name: Option<usize>,
    lon: usize,
    lat: usize,
    district: Option<usize>,
    level: usize,
    students: usize,
    teachers: Option<usize>,
    classrooms: Option<usize>,
}

fn find(headers: &[String], wanted: &[String]) -> Option<usize> {
    wanted.iter().find_map(|w| headers.iter().position(|h| h.eq_ignore_ascii_case(w)))
}

fn require(headers: &[String], wanted: &[String], file: &str, what: &str) -> Result<usize> {
    find(headers, wanted).ok_or_else(|| {
        Error::new(
            ErrorKind::Input,
            format!("no {what} column (looked for {}; columns are: {})", wanted.join(", "), headers.join(", ")),
        )
        .in_file(file)
        .at_line(1)
        .on_field(wanted.first().cloned().unwrap_or_default())
    })
}

/// Reads schools from CSV bytes. `file` is the name used in messages.
///
/// Run-level problems (not CSV, a required column missing) are errors;
/// row-level problems (blank id, coordinates that are not numbers or out of
/// range, unknown level) become rejects.
pub fn read_schools(bytes: &[u8], file: &str, columns: &SchoolColumns) -> Result<SchoolTable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::new(ErrorKind::Format, format!("cannot read the CSV header: {e}")).in_file(file))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let loc = Located {
        id: require(&headers, &columns.id, file, "id")?,
        name: find(&headers, &columns.name),
        lon: require(&headers, &columns.lon, file, "longitude")?,
        lat: require(&headers, &columns.lat, file, "latitude")?,
        district: find(&headers, &columns.district),
        level: require(&headers, &columns.level, file, "level")?,
        students: require(&headers, &columns.students, file, "students")?,
        teachers: find(&headers, &columns.teachers),
        classrooms: find(&headers, &columns.classrooms),
    };
    let core: Vec<usize> = [Some(loc.id), loc.name, Some(loc.lon), Some(loc.lat), loc.district, Some(loc.level), Some(loc.students), loc.teachers, loc.classrooms]
        .into_iter()
        .flatten()
        .collect();

    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    let mut table = SchoolTable::default();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(i as u64 + 2, |p| p.line());
                rows.push((line, r));
            }
            Err(e) => {
                let line = e.position().map_or(i as u64 + 2, |p| p.line());
                let source = SourceRef { file: file.to_string(), line };
                let reason = format!("unreadable CSV row: {e}");
                table.rejects.push(&source, "", "", reason.clone(), Action::Refused);
                table.rejected.push(RejectedSchool { id: SchoolId::default(), name: String::new(), lon_lat: None, reason, source });
            }
        }
    }

    // Extra columns are attributes when every non-blank cell is a number.
    let extra: Vec<usize> = (0..headers.len())
        .filter(|c| !core.contains(c))
        .filter(|&c| {
            rows.iter().all(|(_, r)| r.get(c).is_none_or(|v| v.trim().is_empty() || super::parse_number(v).is_some()))
        })
        .collect();
    table.fields = ["students", "teachers", "classrooms"].iter().map(|s| s.to_string()).collect();
    table.fields.extend(extra.iter().map(|&c| headers[c].clone()));

    for (line, record) in rows {
        let source = SourceRef { file: file.to_string(), line };
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let id = cell(loc.id).to_string();
        let name = loc.name.map(|c| cell(c).to_string()).unwrap_or_default();
        let mut refuse = |field: &str, reason: String, lon_lat: Option<(f64, f64)>| {
            table.rejects.push(&source, &id, field, reason.clone(), Action::Refused);
            table.rejected.push(RejectedSchool {
                id: SchoolId(id.clone()),
                name: name.clone(),
                lon_lat,
                reason,
                source: source.clone(),
            });
        };
        if id.is_empty() {
            refuse(&headers[loc.id], "blank id".into(), None);
            continue;
        }
        let (lon_text, lat_text) = (cell(loc.lon), cell(loc.lat));
        let (lon, lat) = match (super::parse_number(lon_text), super::parse_number(lat_text)) {
            (Some(lon), Some(lat)) => (lon, lat),
            (None, _) if lon_text.is_empty() => {
                refuse(&headers[loc.lon], "missing longitude".into(), None);
                continue;
            }
            (_, None) if lat_text.is_empty() => {
                refuse(&headers[loc.lat], "missing latitude".into(), None);
                continue;
            }
            (None, _) => {
                refuse(&headers[loc.lon], format!("longitude is not a number: {lon_text:?}"), None);
                continue;
            }
            (_, None) => {
                refuse(&headers[loc.lat], format!("latitude is not a number: {lat_text:?}"), None);
                continue;
            }
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            refuse("lon/lat", format!("coordinates out of range: lon {lon}, lat {lat}"), None);
            continue;
        }
        let level_text = cell(loc.level);
        let Some(level) = Level::parse(level_text) else {
            refuse(&headers[loc.level], format!("unknown level {level_text:?} (expected primary, secondary or both)"), Some((lon, lat)));
            continue;
        };
        let students_text = cell(loc.students);
        let students = match super::parse_number(students_text) {
            Some(v) if v >= 0.0 => v,
            _ => {
                refuse(&headers[loc.students], format!("students is not a non-negative number: {students_text:?}"), Some((lon, lat)));
                continue;
            }
        };
        let count = |c: Option<usize>| c.and_then(|c| super::parse_number(cell(c))).filter(|v| *v >= 0.0).unwrap_or(0.0);
        let district = loc.district.map(cell).filter(|s| !s.is_empty()).map(|s| DistrictCode(s.to_string()));
        let attrs: BTreeMap<String, f64> = extra
            .iter()
            .filter_map(|&c| super::parse_number(cell(c)).map(|v| (headers[c].clone(), v)))
            .collect();
        table.schools.push(School {
            id: SchoolId(id.clone()),
            name: name.clone(),
            lon,
            lat,
            district,
            level,
            students,
            teachers: count(loc.teachers),
            classrooms: count(loc.classrooms),
            attrs,
            source: source.clone(),
        });
    }
    Ok(table)
}
