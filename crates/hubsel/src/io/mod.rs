//! Readers (and the GeoJSON writer) for the open formats hubsel takes in.
//!
//! Every reader takes bytes plus the name to report in errors and rejects,
//! so that the same code reads a user's file and the embedded fixture.

pub mod csv;
pub mod geojson;

use std::path::Path;

use crate::error::{Error, Result};

/// Reads a whole file, with the path in the error if it cannot.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, &e))
}

/// Parses a number the way spreadsheets write them: surrounding blanks
/// allowed, `,` as thousands separator refused (ambiguous), and the usual
/// boolean words as 1/0 so that flags can be scored.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" => return Some(1.0),
        "false" | "no" | "n" | "f" => return Some(0.0),
        _ => {}
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

use crate::model::Inputs;
use crate::validate::Rejects;

/// Where one input comes from: a file, or bytes with a name (the embedded
/// fixture, or data a caller already holds).
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    File(&'a Path),
    Bytes { name: &'a str, bytes: &'a [u8] },
}

impl Source<'_> {
    /// The name used in messages and in `rejects.csv`.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.to_string(),
        }
    }

    fn extension(&self) -> String {
        let name = self.name();
        Path::new(&name).extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
    }

    fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Source::File(p) => read_file(p).map(std::borrow::Cow::Owned),
            Source::Bytes { bytes, .. } => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }
}

/// The three inputs of a run.
#[derive(Clone, Copy, Debug)]
pub struct InputSources<'a> {
    pub schools: Source<'a>,
    pub roads: Source<'a>,
    pub districts: Source<'a>,
}

/// Reading options (column and property names).
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub school_columns: csv::SchoolColumns,
    pub district_fields: geojson::DistrictFields,
    pub road_fields: geojson::RoadFields,
}

fn unsupported(source: &Source<'_>, what: &str, formats: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::Input,
        format!("cannot read {what} from a .{} file (supported: {formats})", source.extension()),
    )
    .in_file(source.name())
}

/// Reads all three inputs. Unreadable files and unsupported formats are
/// run-level errors; bad rows are collected in [`Inputs::rejects`].
pub fn load(sources: &InputSources<'_>, options: &ReadOptions) -> Result<Inputs> {
    let mut rejects = Rejects::default();
    let districts = match sources.districts.extension().as_str() {
        "geojson" | "json" => {
            geojson::read_districts(&sources.districts.bytes()?, &sources.districts.name(), &options.district_fields, &mut rejects)?
        }
        _ => return Err(unsupported(&sources.districts, "districts", ".geojson")),
    };
    let roads = match sources.roads.extension().as_str() {
        "geojson" | "json" => geojson::read_roads(&sources.roads.bytes()?, &sources.roads.name(), &options.road_fields, &mut rejects)?,
        _ => return Err(unsupported(&sources.roads, "roads", ".geojson")),
    };
    let table = match sources.schools.extension().as_str() {
        "csv" | "txt" => csv::read_schools(&sources.schools.bytes()?, &sources.schools.name(), &options.school_columns)?,
        _ => return Err(unsupported(&sources.schools, "schools", ".csv")),
    };
    rejects.rows.extend(table.rejects.rows);
    Ok(Inputs {
        schools: table.schools,
        rejected_schools: table.rejected,
        roads,
        districts,
        school_fields: table.fields,
        rejects,
    })
}
