//! Schools from a spreadsheet workbook (`.xlsx`, also `.xls` and `.ods`):
//! the first worksheet, read with `calamine`, is a table like a CSV's: a
//! header row, then one row per school. Its rows go through the same
//! [`schools::build`] as a CSV's, so they are refused for the same reasons;
//! a reject's line is the worksheet's row number, as the spreadsheet shows
//! it.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::error::{Error, ErrorKind, Result};
use crate::model::SourceRef;

/// The header (trimmed) and the rows of a worksheet.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// The worksheet's name.
    pub name: String,
}

fn format_error(file: &str, message: String) -> Error {
    Error::new(ErrorKind::Format, message).in_file(file)
}

/// A cell as the text a CSV of the sheet would hold: whole numbers without
/// a decimal point (codes typed as numbers), other numbers as Rust prints
/// them (the shortest text that reads back the same), booleans as
/// `true`/`false`, errors (`#N/A`) blank.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
    }
}

/// The most a workbook (xlsx, ods: a zip of XML parts) may inflate to,
/// all parts together. The national registry's 29,251 rows are some tens
/// of MB of sheet XML; calamine holds about five times the XML it reads.
pub const MAX_INFLATED: u64 = 256 << 20;
/// The most a workbook's parts may inflate, in total, per byte of the
/// file (beyond its first MB): XML compresses some 10 to 30 times; a
/// compression bomb far more.
pub const MAX_RATIO: u64 = 200;

/// A zipped workbook's budget, checked by inflating every part into a
/// counter (never into memory) before calamine reads it: at most
/// [`MAX_INFLATED`] bytes in all, and at most [`MAX_RATIO`] times the file
/// once past 1 MB. What the parts declare is not trusted: the bytes are
/// counted. A file that is not a zip (xls) is left to calamine.
fn check_inflation(bytes: &[u8], file: &str) -> Result<()> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // calamine says what is wrong with it.
        return Ok(());
    };
    let limit = MAX_INFLATED.min((1 << 20) + MAX_RATIO.saturating_mul(bytes.len() as u64));
    let mut total = 0u64;
    for i in 0..archive.len() {
        let Ok(mut part) = archive.by_index(i) else {
            continue;
        };
        let room = (limit - total).saturating_add(1);
        let mut counted = std::io::Read::take(&mut part, room);
        // A part that fails to inflate is calamine's to report.
        total += std::io::copy(&mut counted, &mut std::io::sink()).unwrap_or(0);
        if total > limit {
            return Err(format_error(
                file,
                format!(
                    "the workbook inflates to more than {} MB ({} KB on disk; at most {} MB, and at most {MAX_RATIO} times the file): a compression bomb or too big a sheet",
                    limit >> 20,
                    bytes.len() >> 10,
                    MAX_INFLATED >> 20
                ),
            ));
        }
    }
    Ok(())
}

/// Reads the first worksheet of a workbook's bytes. `file` names it in
/// messages and rejects. A workbook that cannot be opened, or whose first
/// sheet is empty, is an error.
pub fn read_sheet(bytes: &[u8], file: &str) -> Result<Sheet> {
    check_inflation(bytes, file)?;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        format_error(
            file,
            format!("cannot open the workbook (xlsx, xls or ods): {e}"),
        )
    })?;
    let name = book.sheet_names().first().cloned().unwrap_or_default();
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Err(format_error(
                file,
                format!("cannot read the first worksheet: {e}"),
            ))
        }
        None => return Err(format_error(file, "the workbook has no worksheet".into())),
    };
    let Some((first_row, _)) = range.start() else {
        return Err(format_error(
            file,
            format!("the first worksheet ({name}) is empty"),
        ));
    };
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| cell_text(c).trim().to_string()).collect())
        .unwrap_or_default();
    let rows = rows
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !cell_text(c).trim().is_empty()))
        .map(|(i, cells)| RawRow {
            source: SourceRef {
                file: file.to_string(),
                // Row numbers as the spreadsheet shows them: 1-based, the
                // header on the range's first row.
                line: u64::from(first_row) + i as u64 + 2,
            },
            cells: cells.iter().map(cell_text).collect(),
            position: Position::Columns,
        })
        .collect();
    Ok(Sheet {
        headers,
        rows,
        name,
    })
}

/// Reads schools from a workbook's first worksheet, positions converted
/// and checked as `placement` says. Run-level problems (not a workbook, a
/// required column missing) are errors; row-level problems become rejects.
pub fn read_schools_placed(
    bytes: &[u8],
    file: &str,
    columns: &SchoolColumns,
    placement: &Placement<'_>,
) -> Result<SchoolTable> {
    let sheet = read_sheet(bytes, file)?;
    schools::build(
        file,
        &sheet.headers,
        sheet.rows,
        columns,
        placement,
        Format {
            coords_in_columns: true,
            ..Format::default()
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::io::crs::Crs;

    /// A real workbook with one more part of `inflated` bytes of repeated
    /// sheet XML: a few KB on disk.
    fn with_bomb(book: &[u8], inflated: usize) -> Vec<u8> {
        use std::io::Write;
        let mut source = zip::ZipArchive::new(Cursor::new(book)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            out.raw_copy_file(source.by_index(i).unwrap()).unwrap();
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(true);
        out.start_file("xl/worksheets/sheet2.xml", options).unwrap();
        let row = b"<row><c t=\"n\"><v>1</v></c><c t=\"n\"><v>99.1</v></c></row>";
        let block = row.repeat((1 << 20) / row.len());
        for _ in 0..inflated / block.len() {
            out.write_all(&block).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// Issue 23's XLSX door had no budget: a 4 MB workbook inflating to
    /// 1 GB of sheet XML took 5.6 GB and 48 s before the check. Now it is
    /// refused by counting, before calamine allocates anything; a real
    /// workbook still reads.
    #[test]
    fn a_workbook_that_inflates_past_its_budget_is_refused_before_it_is_read() {
        let book = workbook(&[&["id", "lon", "lat"], &["1", "99.1", "18.7"]], true);
        assert!(read_sheet(&book, "ok.xlsx").is_ok());
        // 64 MB from about 200 KB: past 200 times the file.
        let bomb = with_bomb(&book, 64 << 20);
        assert!(bomb.len() < 300 << 10, "{} bytes", bomb.len());
        let e = read_sheet(&bomb, "bomb.xlsx").unwrap_err().to_string();
        assert!(
            e.contains("bomb.xlsx") && e.contains("compression bomb"),
            "{e}"
        );
        // 1 MB more from a few KB: within the first MB's allowance.
        assert!(check_inflation(&with_bomb(&book, 1 << 20), "small.xlsx").is_ok());
    }

    fn workbook(rows: &[&[&str]], numbers: bool) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match text.parse::<f64>() {
                    Ok(v) if numbers && r > 0 => sheet.write_number(r, c, v).map(|_| ()),
                    _ if text.is_empty() => Ok(()),
                    _ => sheet.write_string(r, c, *text).map(|_| ()),
                }
                .unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    fn read(bytes: &[u8]) -> Result<SchoolTable> {
        let to = Crs::wgs84().to_wgs84().unwrap();
        read_schools_placed(
            bytes,
            "s.xlsx",
            &SchoolColumns::default(),
            &Placement {
                to_wgs84: &to,
                extent: None,
                fix_swapped: false,
            },
        )
    }

    #[test]
    fn a_workbook_reads_as_its_csv_does_with_rows_numbered_as_shown() {
        let rows: &[&[&str]] = &[
            &["smis8", "name", "level", "lat", "lon", "score"],
            &[
                "50012001",
                "ยุพราชวิทยาลัย",
                "มัธยมศึกษาตอนต้น",
                "18.791927",
                "98.988592",
                "3.5",
            ],
            &["50012002", "บ้านห้วย", "ประถมศึกษา", "", "", "2"],
            &["50012003", "วัดป่า", "ประถมศึกษา", "18.7", "98.9", "1"],
        ];
        for numbers in [false, true] {
            let t = read(&workbook(rows, numbers)).unwrap();
            let ids: Vec<&str> = t.schools.iter().map(|s| s.id.0.as_str()).collect();
            assert_eq!(ids, ["50012001", "50012003"], "numbers: {numbers}");
            assert_eq!(t.schools[0].name, "ยุพราชวิทยาลัย");
            assert!((t.schools[0].lon - 98.988592).abs() < 1e-12);
            assert_eq!(t.rejects.rows.len(), 1);
            assert_eq!(t.rejects.rows[0].id, "50012002");
            assert_eq!(t.rejects.rows[0].source.line, 3, "the worksheet's row 3");
            assert!(t.fields.contains(&"score".to_string()), "{:?}", t.fields);
        }
    }

    #[test]
    fn a_workbook_without_coordinate_columns_is_a_clear_error() {
        let rows: &[&[&str]] = &[&["id", "name", "level"], &["1", "a", "primary"]];
        let e = read(&workbook(rows, false)).unwrap_err();
        assert!(e.to_string().contains("no longitude (x) column"), "{e}");
    }

    #[test]
    fn bytes_that_are_no_workbook_are_an_error_not_a_panic() {
        for bytes in [&b""[..], b"PK\x03\x04garbage", b"id,name\n1,a\n"] {
            let e = read(bytes).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// A workbook with bytes flipped or cut short is an error or a
        /// table, never a panic.
        #[test]
        fn a_damaged_workbook_never_panics(
            flips in proptest::collection::vec((0usize..1 << 16, proptest::prelude::any::<u8>()), 0..8),
            cut in 0usize..1 << 16,
        ) {
            let rows: &[&[&str]] = &[&["id", "name", "level", "lat", "lon"], &["1", "ก", "primary", "18.7", "98.9"]];
            let mut bytes = workbook(rows, true);
            for (at, b) in flips {
                let n = bytes.len();
                bytes[at % n] ^= b;
            }
            bytes.truncate(cut.max(1).min(bytes.len()));
            let _ = read(&bytes);
        }
    }

    #[test]
    fn numbers_read_as_the_text_a_csv_would_hold() {
        assert_eq!(cell_text(&Data::Float(50012001.0)), "50012001");
        assert_eq!(cell_text(&Data::Float(18.791927)), "18.791927");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
