//! ESRI Shapefiles, both ways: schools (points), roads (lines) and
//! districts (polygons) in; the output layers out. (The inputs written
//! back as shapefiles, a test helper, are in the `hubsel-testkit` crate.)
//!
//! A shapefile is several files with one stem: `.shp` (shapes), `.shx`
//! (index), `.dbf` (attributes), `.prj` (coordinate system, WKT) and
//! `.cpg` (the DBF's text encoding).
//!
//! | file | owns |
//! |---|---|
//! | `read.rs` | [`read_schools`], [`read_roads`], [`read_districts`]: any coordinate system and text encoding; [`read_rows`] and [`read_dbf_rows`]: a run's point layer read back whole (for `compare`) |
//! | `write.rs` | [`files`]: an output [`Layer`](super::table::Layer) as `.shp` `.shx` `.dbf` `.prj` `.cpg` (cp874 text) |
//!
//! This module holds what reading and writing share: the names of text
//! encodings.

mod read;
mod write;

pub use read::{read_dbf_rows, read_districts, read_roads, read_rows, read_schools, ShapefileOptions};
pub use write::{files, utf8_note};

use encoding_rs::Encoding;

/// Finds an encoding by the names people and tools write: WHATWG labels
/// (`utf-8`, `windows-874`, `tis-620`, …), code page numbers (`874`,
/// `cp874`, `65001`, `ANSI 1252`) and `latin1`.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let t = label
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let numeric = !digits.is_empty()
        && t.trim_start_matches("ansi")
            .trim_start_matches("cp")
            .trim_start_matches("windows-")
            .trim()
            == digits;
    if numeric {
        return match digits.as_str() {
            "874" => Some(encoding_rs::WINDOWS_874),
            "65001" => Some(encoding_rs::UTF_8),
            "1250" => Some(encoding_rs::WINDOWS_1250),
            "1251" => Some(encoding_rs::WINDOWS_1251),
            "1252" => Some(encoding_rs::WINDOWS_1252),
            "1253" => Some(encoding_rs::WINDOWS_1253),
            "1254" => Some(encoding_rs::WINDOWS_1254),
            "1255" => Some(encoding_rs::WINDOWS_1255),
            "1256" => Some(encoding_rs::WINDOWS_1256),
            "1257" => Some(encoding_rs::WINDOWS_1257),
            "1258" => Some(encoding_rs::WINDOWS_1258),
            "866" => Some(encoding_rs::IBM866),
            "932" => Some(encoding_rs::SHIFT_JIS),
            "936" => Some(encoding_rs::GBK),
            "949" => Some(encoding_rs::EUC_KR),
            "950" => Some(encoding_rs::BIG5),
            "88591" => Some(encoding_rs::WINDOWS_1252),
            _ => None,
        };
    }
    match t.as_str() {
        "tis620" | "tis-620" | "tis_620" | "iso-8859-11" | "iso8859-11" => {
            Some(encoding_rs::WINDOWS_874)
        }
        "utf8" => Some(encoding_rs::UTF_8),
        _ => Encoding::for_label(t.as_bytes()),
    }
}
