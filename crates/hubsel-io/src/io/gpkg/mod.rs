//! GeoPackage (OGC GeoPackage 1.3), both ways: schools (points), roads
//! (lines) and districts (polygons) in; the output layers, attribute
//! tables and their QGIS styles out, in one `.gpkg`.
//!
//! A GeoPackage is an SQLite database with a fixed set of tables: the
//! coordinate systems (`gpkg_spatial_ref_sys`), what the file holds
//! (`gpkg_contents`), which column of a table is its geometry and of what
//! type (`gpkg_geometry_columns`), and the extensions in use
//! (`gpkg_extensions`, here the R-tree spatial index). SQLite comes from
//! `rusqlite` with SQLite compiled in, so nothing is needed on the system.
//!
//! | file | owns |
//! |---|---|
//! | `binary.rs` | the geometry blob: `GP` header, envelope, WKB, both ways |
//! | `read.rs` | [`read_schools`], [`read_roads`], [`read_districts`]: a layer by name (`data.gpkg:roads`) or the only one of its geometry type, in the coordinate system its `gpkg_spatial_ref_sys` row says; [`read_rows`]: a named table whole; [`read_cell`]: one cell of an attribute table |
//! | `write.rs` | [`bytes`]: feature tables with an R-tree, attribute tables, `layer_styles` for QGIS; deterministic |

mod binary;
mod read;
mod write;

pub use read::{read_cell, read_districts, read_roads, read_rows, read_schools, split_layer};
pub use super::table::Rows;
pub use write::{bytes, Package, Style, LAST_CHANGE};

/// The geometry column of every table hubsel writes (GDAL's default name).
pub const GEOMETRY_COLUMN: &str = "geom";

/// The `srs_id` of WGS 84 longitude/latitude in `gpkg_spatial_ref_sys`.
pub const WGS84_SRS_ID: i32 = 4326;

/// An SQL identifier in double quotes (a `"` inside doubled), so that any
/// table or field name is taken literally.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads a `.gpkg` file whole. A file with a non-empty `-wal` beside it
/// (open in QGIS, which writes GeoPackages in WAL mode) may have its
/// latest changes in that journal only: it is then read through SQLite,
/// read-only, which takes them in; and refused, with the reason, when
/// SQLite cannot open it so.
pub fn read_file(path: &std::path::Path) -> crate::error::Result<Vec<u8>> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return with_journal(path).map_err(|e| {
            crate::error::Error::new(
                crate::error::ErrorKind::Input,
                format!("the GeoPackage has changes in its journal (the -wal file beside it) that cannot be read ({e}); close the program that has it open (QGIS), then run again"),
            )
            .in_file(path)
        });
    }
    super::read_file(path)
}

/// The database as SQLite sees it, journal included: a snapshot in one
/// read transaction.
fn with_journal(path: &std::path::Path) -> rusqlite::Result<Vec<u8>> {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags)?;
    conn.execute_batch("BEGIN")?;
    let bytes = conn.serialize(rusqlite::MAIN_DB)?.to_vec();
    conn.execute_batch("COMMIT")?;
    Ok(bytes)
}
