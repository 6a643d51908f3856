//! Schools from CSV: one row per school, longitude/latitude (or projected
//! x/y) columns, column names configurable.

use super::crs::Crs;
use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{RejectedSchool, SchoolId, SourceRef};
use crate::validate::Action;

/// Reads schools from CSV bytes in WGS 84 degrees, without the swapped
/// coordinates check. `file` is the name used in messages.
pub fn read_schools(bytes: &[u8], file: &str, columns: &SchoolColumns) -> Result<SchoolTable> {
    let to_wgs84 = Crs::wgs84().to_wgs84()?;
    read_schools_placed(
        bytes,
        file,
        columns,
        &Placement {
            to_wgs84: &to_wgs84,
            extent: None,
            fix_swapped: false,
        },
    )
}

/// Reads schools from CSV bytes whose coordinates are converted and
/// checked as `placement` says.
///
/// Run-level problems (not CSV, a required column missing) are errors;
/// row-level problems (blank id, coordinates that are not numbers, out of
/// range or swapped, unknown level) become rejects.
pub fn read_schools_placed(
    bytes: &[u8],
    file: &str,
    columns: &SchoolColumns,
    placement: &Placement<'_>,
) -> Result<SchoolTable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Error::new(
                ErrorKind::Format,
                format!("cannot read the CSV header: {e}"),
            )
            .in_file(file)
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(i as u64 + 2, |p| p.line());
                rows.push(RawRow {
                    source: SourceRef {
                        file: file.to_string(),
                        line,
                    },
                    cells: r.iter().map(str::to_string).collect(),
                    position: Position::Columns,
                });
            }
            Err(e) => {
                let line = e.position().map_or(i as u64 + 2, |p| p.line());
                broken.push((
                    SourceRef {
                        file: file.to_string(),
                        line,
                    },
                    format!("unreadable CSV row: {e}"),
                ));
            }
        }
    }
    let mut table = schools::build(
        file,
        &headers,
        rows,
        columns,
        placement,
        Format {
            coords_in_columns: true,
            ..Format::default()
        },
    )?;
    for (source, reason) in broken {
        table
            .rejects
            .push(&source, "", "", reason.clone(), Action::Refused);
        table.rejected.push(RejectedSchool {
            id: SchoolId::default(),
            name: String::new(),
            lon_lat: None,
            reason,
            source,
        });
    }
    Ok(table)
}
