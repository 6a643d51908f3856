//! Schools from any tabular source: CSV rows, GeoJSON point features,
//! shapefile point records or OpenStreetMap objects all become a header
//! plus text cells plus a position, and one function turns them into
//! [`School`]s and rejects, so that every format refuses the same rows for
//! the same reasons.

use std::collections::BTreeMap;

use geo::Rect;

use super::crs::Reprojector;
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::model::{Action, Reason, Rejects};
use crate::model::{DistrictCode, Level, RejectedSchool, School, SchoolId, SourceRef};

/// Which column holds what. Matching is case-insensitive; each field has a
/// list of accepted names, the first present wins. A name set with
/// [`SchoolColumns::set`] is the only one accepted for its field, and its
/// absence is a run-level error.
#[derive(Clone, Debug)]
pub struct SchoolColumns {
    pub id: Vec<String>,
    pub name: Vec<String>,
    /// Longitude or projected x (easting).
    pub lon: Vec<String>,
    /// Latitude or projected y (northing).
    pub lat: Vec<String>,
    pub district: Vec<String>,
    pub level: Vec<String>,
    pub students: Vec<String>,
    pub teachers: Vec<String>,
    pub classrooms: Vec<String>,
    /// Fields whose column the user named (keys as in [`SchoolColumns::FIELDS`]).
    pub given: Vec<String>,
    /// Level values the scenario's `[levels]` table maps (raw value, as
    /// written, to its level); they win over the built-in vocabulary of
    /// [`Level::parse`]. Matched after trimming, ignoring case.
    pub level_values: BTreeMap<String, Level>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for SchoolColumns {
    fn default() -> Self {
        SchoolColumns {
            // smis8 / school_id10: the OBEC registry's 8- and 10-digit codes.
            id: names(&[
                "id",
                "school_id",
                "code",
                "smis",
                "smis8",
                "smis_code",
                "school_code",
                "school_id10",
            ]),
            name: names(&["name", "school_name", "name_th"]),
            lon: names(&["lon", "lng", "longitude", "x"]),
            lat: names(&["lat", "latitude", "y"]),
            district: names(&["district", "amp_code", "district_code", "amphoe_code"]),
            level: names(&["level", "school_level"]),
            students: names(&["students", "n_students", "enrolment", "enrollment"]),
            teachers: names(&["teachers", "n_teachers"]),
            classrooms: names(&["classrooms", "rooms", "n_classrooms"]),
            given: Vec::new(),
            level_values: BTreeMap::new(),
        }
    }
}

impl SchoolColumns {
    /// The field keys [`SchoolColumns::set`] accepts.
    pub const FIELDS: [&'static str; 9] = [
        "id",
        "name",
        "lon",
        "lat",
        "district",
        "level",
        "students",
        "teachers",
        "classrooms",
    ];

    /// The level a cell names: the scenario's `[levels]` table first, then
    /// the built-in vocabulary.
    pub fn level_of(&self, text: &str) -> Option<Level> {
        let t = text.trim();
        self.level_values
            .iter()
            .find(|(k, _)| k.trim().to_lowercase() == t.to_lowercase())
            .map(|(_, l)| *l)
            .or_else(|| Level::parse(t))
    }

    /// Names the one column to use for `field` (one of [`Self::FIELDS`]).
    pub fn set(&mut self, field: &str, column: &str) -> Result<()> {
        let list = match field {
            "id" => &mut self.id,
            "name" => &mut self.name,
            "lon" | "x" => &mut self.lon,
            "lat" | "y" => &mut self.lat,
            "district" => &mut self.district,
            "level" => &mut self.level,
            "students" => &mut self.students,
            "teachers" => &mut self.teachers,
            "classrooms" => &mut self.classrooms,
            other => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "unknown school field {} (one of: {})",
                        crate::error::quote(other),
                        Self::FIELDS.join(", ")
                    ),
                ))
            }
        };
        *list = vec![column.to_string()];
        self.given.push(field.to_string());
        Ok(())
    }
}

/// The schools read from one input, plus the rows that could not be used.
#[derive(Debug, Default)]
pub struct SchoolTable {
    pub schools: Vec<School>,
    pub rejected: Vec<RejectedSchool>,
    pub rejects: Rejects,
    /// Every scorable field: the core numeric ones plus each extra column
    /// whose non-blank cells are all numbers or booleans.
    pub fields: Vec<String>,
    /// What the reader chose for the whole file (a CSV's separator when
    /// it is not a comma), for the run's notes.
    pub notes: Vec<String>,
}

/// Where a row's position comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Position {
    /// From the longitude/x and latitude/y columns.
    Columns,
    /// From the feature's geometry, in the file's coordinate system; the
    /// error says why there is none (no geometry, not a point, …).
    Geometry(std::result::Result<(f64, f64), String>),
}

/// One input row: cells parallel to the header, blank for missing.
#[derive(Clone, Debug)]
pub struct RawRow {
    pub source: SourceRef,
    pub cells: Vec<String>,
    pub position: Position,
}

/// How positions become WGS 84 degrees, and the swapped-coordinates check.
#[derive(Clone, Debug)]
pub struct Placement<'a> {
    /// From the file's coordinate system to WGS 84.
    pub to_wgs84: &'a Reprojector,
    /// Bounding box of all district polygons (lon/lat); `None` disables
    /// the swap check.
    pub extent: Option<Rect<f64>>,
    /// Swap coordinates detected as swapped instead of refusing the row.
    pub fix_swapped: bool,
}

/// What a source's rows look like.
#[derive(Clone, Copy, Debug, Default)]
pub struct Format {
    /// Positions are in columns (CSV): the two columns are required.
    pub coords_in_columns: bool,
    /// Level of a row without one; `None`: the level column is required.
    pub default_level: Option<Level>,
}

fn find(headers: &[String], wanted: &[String]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| headers.iter().position(|h| h.eq_ignore_ascii_case(w)))
}

fn locate(
    headers: &[String],
    wanted: &[String],
    given: bool,
    file: &str,
    what: &str,
    required: bool,
) -> Result<Option<usize>> {
    let found = find(headers, wanted);
    if found.is_none() && (required || given) {
        let how = if given {
            "the column named for it"
        } else {
            "looked for"
        };
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "no {what} column ({how}: {}; columns are: {})",
                wanted.join(", "),
                headers.join(", ")
            ),
        )
        .in_file(file)
        .at_line(1)
        .on_field(wanted.first().cloned().unwrap_or_default()));
    }
    Ok(found)
}

fn in_range(p: (f64, f64)) -> bool {
    p.0.is_finite()
        && p.1.is_finite()
        && (-180.0..=180.0).contains(&p.0)
        && (-90.0..=90.0).contains(&p.1)
}

fn inside(extent: &Rect<f64>, p: (f64, f64)) -> bool {
    p.0 >= extent.min().x && p.0 <= extent.max().x && p.1 >= extent.min().y && p.1 <= extent.max().y
}

/// The outcome of placing one position.
enum Placed {
    At {
        lon: f64,
        lat: f64,
        note: Option<Reason>,
    },
    Refused {
        reason: Reason,
    },
}

/// Converts a position to WGS 84 and checks for swapped axes: a position
/// is taken as swapped when it lies outside the districts' extent (or is
/// no valid longitude/latitude at all) and the swapped one lies inside.
fn place(x: f64, y: f64, p: &Placement<'_>) -> Placed {
    let convert = |a: f64, b: f64| p.to_wgs84.convert(a, b).filter(|q| in_range(*q));
    let original = convert(x, y);
    if let Some(extent) = &p.extent {
        if !original.is_some_and(|q| inside(extent, q)) {
            if let Some(swapped) = convert(y, x).filter(|q| inside(extent, *q)) {
                return if p.fix_swapped {
                    Placed::At {
                        lon: swapped.0,
                        lat: swapped.1,
                        note: Some(Reason::SwappedFixed { x, y }),
                    }
                } else {
                    Placed::Refused {
                        reason: Reason::SwappedRefused { x, y },
                    }
                };
            }
        }
    }
    match original {
        Some((lon, lat)) => Placed::At {
            lon,
            lat,
            note: None,
        },
        None if p.to_wgs84.is_identity() => Placed::Refused {
            reason: Reason::OutOfRange { x, y },
        },
        None => Placed::Refused {
            reason: Reason::NotConvertible {
                x,
                y,
                crs: p.to_wgs84.name().to_string(),
            },
        },
    }
}

/// Builds schools from rows. Run-level problems (a required column
/// missing, a named column absent) are errors; row-level problems (blank
/// id, coordinates missing, not numbers, out of range or swapped, unknown
/// level, a student count that is not a number) become rejects.
pub fn build(
    file: &str,
    headers: &[String],
    rows: Vec<RawRow>,
    columns: &SchoolColumns,
    placement: &Placement<'_>,
    format: Format,
) -> Result<SchoolTable> {
    let layout = Layout::locate(file, headers, &rows, columns, format)?;
    check_degrees(file, &rows, &layout, placement)?;
    let mut table = SchoolTable {
        fields: layout.scorable_fields(headers),
        ..SchoolTable::default()
    };
    let reader = RowReader {
        headers,
        layout: &layout,
        columns,
        placement,
        format,
    };
    // Rows whose student count is blank: flagged at the end, when other
    // rows have a count (a column blank throughout just means no enrolment).
    let mut blank_counts: Vec<(SourceRef, String)> = Vec::new();
    for row in rows {
        let id = cell(&row, Some(layout.id)).to_string();
        let name = cell(&row, layout.name).to_string();
        match reader.school(&row, &id, &name, &mut table.rejects, &mut blank_counts) {
            Ok(school) => table.schools.push(school),
            Err(refusal) => table.refuse(&row.source, id, name, refusal),
        }
    }
    if table.schools.iter().any(|s| s.students.is_some()) {
        let field = layout.students.map_or("students", |c| headers[c].as_str());
        for (source, id) in blank_counts {
            table.rejects.push(
                &source,
                &id,
                field,
                Reason::BlankStudents,
                Action::Flagged,
            );
        }
    }
    Ok(table)
}

/// A file whose coordinate system nobody stated ([`Reprojector::is_stated`])
/// is read as WGS 84; when most of its positions are metres instead
/// ([`super::crs::looks_projected`]), the run stops here, before any row is
/// refused as out of range, naming the `--crs` that fits the districts.
fn check_degrees(
    file: &str,
    rows: &[RawRow],
    layout: &Layout,
    placement: &Placement<'_>,
) -> Result<()> {
    if placement.to_wgs84.is_stated() {
        return Ok(());
    }
    let positions: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|row| match &row.position {
            Position::Geometry(Ok(xy)) => Some(*xy),
            Position::Geometry(Err(_)) => None,
            Position::Columns => Some((
                super::parse_decimal(cell(row, layout.lon))?,
                super::parse_decimal(cell(row, layout.lat))?,
            )),
        })
        .collect();
    let Some(projected) = super::crs::looks_projected(&positions, placement.extent) else {
        return Ok(());
    };
    let (x, y) = projected.example;
    let message = format!(
        "the coordinates look projected (metres), not longitude/latitude degrees: {} of {} positions lie outside ±180/±90, e.g. ({x}, {y}), and no coordinate system was given, so they would be read as WGS 84 degrees and refused; {}",
        projected.in_metres,
        projected.positions,
        projected.hint(!is_geojson(file))
    );
    Err(Error::with_problems(
        ErrorKind::Input,
        vec![Problem {
            line: None,
            key: Some(layout.position_field.clone()),
            message,
        }],
    )
    .in_file(file)
    .on_field(layout.position_field.clone()))
}

/// Whether `file` is named as GeoJSON, which `--crs` does not apply to.
fn is_geojson(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    lower.ends_with(".geojson") || lower.ends_with(".json")
}

/// The trimmed text of a row's cell in `column`; blank when the column or
/// the cell is absent.
fn cell(row: &RawRow, column: Option<usize>) -> &str {
    column
        .and_then(|c| row.cells.get(c))
        .map_or("", |v| v.trim())
}

/// Where each school field is in a file's header, found once per file.
struct Layout {
    id: usize,
    name: Option<usize>,
    /// The position columns; `None` for formats with a geometry.
    lon: Option<usize>,
    lat: Option<usize>,
    district: Option<usize>,
    level: Option<usize>,
    students: Option<usize>,
    teachers: Option<usize>,
    classrooms: Option<usize>,
    /// The other columns whose non-blank cells are all numbers: attributes.
    extra: Vec<usize>,
    /// The field named in rejects about a position: the two columns, or
    /// the geometry.
    position_field: String,
}

impl Layout {
    /// Finds the columns, in field order (so the first missing required
    /// one is the one reported), and the numeric extra columns.
    fn locate(
        file: &str,
        headers: &[String],
        rows: &[RawRow],
        columns: &SchoolColumns,
        format: Format,
    ) -> Result<Layout> {
        let given = |f: &str| {
            columns
                .given
                .iter()
                .any(|g| g == f || (f == "lon" && g == "x") || (f == "lat" && g == "y"))
        };
        let find = |wanted: &[String], field: &str, what: &str, required: bool| {
            locate(headers, wanted, given(field), file, what, required)
        };
        let id = find(&columns.id, "id", "id", true)?.unwrap_or(0);
        let name = find(&columns.name, "name", "name", false)?;
        // Formats with a geometry take the position from it, not from columns.
        let (lon, lat) = if format.coords_in_columns {
            (
                find(&columns.lon, "lon", "longitude (x)", true)?,
                find(&columns.lat, "lat", "latitude (y)", true)?,
            )
        } else {
            (None, None)
        };
        let district = find(&columns.district, "district", "district", false)?;
        let level_required = format.default_level.is_none();
        let level = find(&columns.level, "level", "level", level_required)?;
        // Enrolment is optional: registries and OpenStreetMap often have none.
        let students = find(&columns.students, "students", "students", false)?;
        let teachers = find(&columns.teachers, "teachers", "teachers", false)?;
        let classrooms = find(&columns.classrooms, "classrooms", "classrooms", false)?;
        let core: Vec<usize> = [
            Some(id),
            name,
            lon,
            lat,
            district,
            level,
            students,
            teachers,
            classrooms,
        ]
        .into_iter()
        .flatten()
        .collect();
        let position_field = match (lon, lat) {
            (Some(a), Some(b)) if format.coords_in_columns => {
                format!("{}/{}", headers[a], headers[b])
            }
            _ => "geometry".to_string(),
        };
        Ok(Layout {
            id,
            name,
            lon,
            lat,
            district,
            level,
            students,
            teachers,
            classrooms,
            extra: numeric_columns(headers.len(), &core, rows),
            position_field,
        })
    }

    /// Every scorable field. The core numeric fields a scenario may score
    /// on are those whose column the file has: a registry or an OSM
    /// extract without teacher counts must not offer a column of zeros to
    /// score on. Then the numeric extra columns.
    fn scorable_fields(&self, headers: &[String]) -> Vec<String> {
        let core = [
            ("students", self.students),
            ("teachers", self.teachers),
            ("classrooms", self.classrooms),
        ];
        let present = core.iter().filter(|(_, column)| column.is_some());
        present
            .map(|(field, _)| field.to_string())
            .chain(self.extra.iter().map(|&c| headers[c].clone()))
            .collect()
    }
}

/// Extra columns are attributes when every non-blank cell is a number.
fn numeric_columns(width: usize, core: &[usize], rows: &[RawRow]) -> Vec<usize> {
    (0..width)
        .filter(|c| !core.contains(c))
        .filter(|&c| {
            rows.iter().all(|r| {
                r.cells
                    .get(c)
                    .is_none_or(|v| v.trim().is_empty() || super::parse_number(v).is_some())
            })
        })
        .collect()
}

/// Why a row gives no school: the field at fault, the reason, and the
/// position when it was already known.
struct Refusal {
    field: String,
    reason: Reason,
    lon_lat: Option<(f64, f64)>,
}

impl Refusal {
    fn new(field: &str, reason: Reason) -> Self {
        Refusal {
            field: field.to_string(),
            reason,
            lon_lat: None,
        }
    }
}

impl SchoolTable {
    /// Records a refused row, in the rejects and among the rejected schools.
    fn refuse(&mut self, source: &SourceRef, id: String, name: String, refusal: Refusal) {
        let Refusal {
            field,
            reason,
            lon_lat,
        } = refusal;
        self.rejects
            .push(source, &id, &field, reason.clone(), Action::Refused);
        self.rejected.push(RejectedSchool {
            id: SchoolId(id),
            name,
            lon_lat,
            reason,
            source: source.clone(),
        });
    }
}

/// Turns the rows of one file into schools.
struct RowReader<'a> {
    headers: &'a [String],
    layout: &'a Layout,
    columns: &'a SchoolColumns,
    placement: &'a Placement<'a>,
    format: Format,
}

impl RowReader<'_> {
    /// The school of one row (`id` and `name` its trimmed cells), or why
    /// there is none. Flags about a school kept (a count that is not a
    /// number, swapped coordinates fixed) go to `flags`; a blank count to
    /// `blank_counts`.
    fn school(
        &self,
        row: &RawRow,
        id: &str,
        name: &str,
        flags: &mut Rejects,
        blank_counts: &mut Vec<(SourceRef, String)>,
    ) -> std::result::Result<School, Refusal> {
        let layout = self.layout;
        if id.is_empty() {
            return Err(Refusal::new(&self.headers[layout.id], Reason::BlankId));
        }
        let (x, y) = self.position(row)?;
        let (lon, lat, note) = match place(x, y, self.placement) {
            Placed::At { lon, lat, note } => (lon, lat, note),
            Placed::Refused { reason } => return Err(Refusal::new(&layout.position_field, reason)),
        };
        let level = self.level(row).map_err(|refusal| Refusal {
            lon_lat: Some((lon, lat)),
            ..refusal
        })?;
        let students = self.students(row, id, flags, blank_counts);
        if let Some(note) = note {
            flags.push(
                &row.source,
                id,
                &layout.position_field,
                note,
                Action::Flagged,
            );
        }
        let count = |c: Option<usize>| {
            super::parse_number(cell(row, c))
                .filter(|v| *v >= 0.0)
                .unwrap_or(0.0)
        };
        let district = Some(cell(row, layout.district))
            .filter(|s| !s.is_empty())
            .map(|s| DistrictCode(s.to_string()));
        let attrs: BTreeMap<String, f64> = layout
            .extra
            .iter()
            .filter_map(|&c| {
                super::parse_number(cell(row, Some(c))).map(|v| (self.headers[c].clone(), v))
            })
            .collect();
        Ok(School {
            id: SchoolId(id.to_string()),
            name: name.to_string(),
            lon,
            lat,
            district,
            level,
            students,
            teachers: count(layout.teachers),
            classrooms: count(layout.classrooms),
            attrs,
            source: row.source.clone(),
        })
    }

    /// The row's position in the file's coordinates: its geometry's, or
    /// the numbers in its two position columns.
    fn position(&self, row: &RawRow) -> std::result::Result<(f64, f64), Refusal> {
        match &row.position {
            Position::Geometry(Ok(xy)) => Ok(*xy),
            Position::Geometry(Err(reason)) => {
                Err(Refusal::new("geometry", Reason::geometry(reason.as_str())))
            }
            Position::Columns => self.column_position(row),
        }
    }

    fn column_position(&self, row: &RawRow) -> std::result::Result<(f64, f64), Refusal> {
        let layout = self.layout;
        let header = |c: Option<usize>, fallback: &str| {
            c.map_or_else(|| fallback.to_string(), |c| self.headers[c].clone())
        };
        let (lon_text, lat_text) = (cell(row, layout.lon), cell(row, layout.lat));
        match (
            super::parse_decimal(lon_text),
            super::parse_decimal(lat_text),
        ) {
            (Some(a), Some(b)) => Ok((a, b)),
            (None, None) if lon_text.is_empty() && lat_text.is_empty() => Err(Refusal::new(
                &layout.position_field,
                Reason::NoCoordinates,
            )),
            (None, _) if lon_text.is_empty() => Err(Refusal::new(
                &header(layout.lon, "lon"),
                Reason::MissingLongitude,
            )),
            (_, None) if lat_text.is_empty() => {
                Err(Refusal::new(
                    &header(layout.lat, "lat"),
                    Reason::MissingLatitude,
                ))
            }
            (None, _) => Err(Refusal::new(
                &header(layout.lon, "lon"),
                Reason::LongitudeNotNumber {
                    text: lon_text.to_string(),
                },
            )),
            (_, None) => Err(Refusal::new(
                &header(layout.lat, "lat"),
                Reason::LatitudeNotNumber {
                    text: lat_text.to_string(),
                },
            )),
        }
    }

    /// The level from the level column (the scenario's `[levels]` table,
    /// then the built-in vocabulary); the format's default for a blank
    /// cell or a file without the column.
    fn level(&self, row: &RawRow) -> std::result::Result<Level, Refusal> {
        let Some(c) = self.layout.level else {
            return Ok(self.format.default_level.unwrap_or(Level::Both));
        };
        let text = cell(row, Some(c));
        match (self.columns.level_of(text), self.format.default_level) {
            (Some(l), _) => Ok(l),
            (None, Some(default)) if text.is_empty() => Ok(default),
            (None, _) => Err(Refusal::new(
                &self.headers[c],
                Reason::UnknownLevel {
                    text: text.to_string(),
                },
            )),
        }
    }

    /// The student count. A count that is blank or not a number is
    /// unknown, not 0: the school still takes part, flagged.
    fn students(
        &self,
        row: &RawRow,
        id: &str,
        flags: &mut Rejects,
        blank_counts: &mut Vec<(SourceRef, String)>,
    ) -> Option<f64> {
        let c = self.layout.students?;
        let text = cell(row, Some(c));
        if text.is_empty() {
            blank_counts.push((row.source.clone(), id.to_string()));
            return None;
        }
        match super::parse_decimal(text) {
            Some(v) if v >= 0.0 => Some(v),
            _ => {
                flags.push(
                    &row.source,
                    id,
                    &self.headers[c],
                    Reason::StudentsNotNumber {
                        text: text.to_string(),
                    },
                    Action::Flagged,
                );
                None
            }
        }
    }
}
