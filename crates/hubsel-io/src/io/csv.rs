//! Schools from CSV: one row per school, longitude/latitude (or projected
//! x/y) columns, column names configurable.

use super::crs::Crs;
use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Action, ReadPart, Reason};
use crate::model::{RejectedSchool, SchoolId, SourceRef};

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

/// The column separators a schools CSV may use: spreadsheets in locales
/// that write a decimal comma save with `;`, and tab-separated text is
/// what a copy from a spreadsheet gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    /// In the order a tie is settled: a comma first.
    const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// How notes name it.
    pub fn words(self) -> &'static str {
        match self {
            Delimiter::Comma => "commas (,)",
            Delimiter::Semicolon => "semicolons (;)",
            Delimiter::Tab => "tabs",
        }
    }
}

/// The separator of the header line (the first line): the one of `,` `;`
/// and tab found most often outside double quotes, a comma when none is
/// or on a tie with it. A header names columns, so the separator is the
/// character it repeats; cells below may hold any of them inside quotes.
pub fn sniff_delimiter(bytes: &[u8]) -> Delimiter {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if quoted => {}
            _ => {
                if let Some(i) = Delimiter::ALL.iter().position(|d| d.byte() == b) {
                    counts[i] += 1;
                }
            }
        }
    }
    // The first of the most frequent: max_by_key keeps the last of equals,
    // so the list is walked backwards.
    Delimiter::ALL
        .iter()
        .zip(counts)
        .rev()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(Delimiter::Comma, |(d, _)| *d)
}

/// Byte offsets of the line breaks: every `\n`, and a `\r` not followed by
/// `\n` (old Mac files); a CRLF is one break.
fn line_breaks(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| i)
        .collect()
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
    let delimiter = sniff_delimiter(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(bytes);
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
    // Line numbers from the byte offsets: the csv crate counts a CRLF line
    // end twice or not at all depending on the field (registry files from
    // Windows have CRLF), so `rejects.csv` would name the wrong line.
    let breaks = line_breaks(bytes);
    let line_at = |offset: u64| {
        // A record's offset may point at the line end before it (the `\n`
        // of a CRLF); its first byte is after any line ends.
        let mut start = usize::try_from(offset).unwrap_or(usize::MAX);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        breaks.partition_point(|&b| b < start) as u64 + 1
    };
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(i as u64 + 2, |p| line_at(p.byte()));
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
                let line = e.position().map_or(i as u64 + 2, |p| line_at(p.byte()));
                broken.push((
                    SourceRef {
                        file: file.to_string(),
                        line,
                    },
                    Reason::Unreadable {
                        part: ReadPart::CsvRow,
                        detail: e.to_string(),
                    },
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
    if delimiter != Delimiter::Comma {
        table.notes.push(format!(
            "{file}: columns separated by {} (read from the header line)",
            delimiter.words()
        ));
    }
    refuse_broken(&mut table, broken);
    Ok(table)
}

/// Rows the CSV parser could not read, refused with the parser's reason.
fn refuse_broken(table: &mut SchoolTable, broken: Vec<(SourceRef, Reason)>) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_get_their_line_in_the_file_whatever_the_line_ends() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "id,name,lon,lat,level",
                "A,a,99,18.8,primary",
                "B,\"two",
                "lines\",x,18.8,primary",
                "C,c,99,x,primary",
                "",
            ]
            .join(end);
            let t = read_schools(text.as_bytes(), "s.csv", &SchoolColumns::default()).unwrap();
            let lines: Vec<(String, u64)> = t
                .rejects
                .rows
                .iter()
                .map(|r| (r.id.clone(), r.source.line))
                .collect();
            assert_eq!(
                lines,
                [("B".to_string(), 3), ("C".to_string(), 5)],
                "line end {end:?}"
            );
        }
    }
}
