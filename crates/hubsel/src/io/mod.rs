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
