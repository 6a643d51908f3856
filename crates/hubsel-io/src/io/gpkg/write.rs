//! Writing a GeoPackage: feature tables with an R-tree index, attribute
//! tables and QGIS styles, in one SQLite database built in memory and
//! handed over as bytes.
//!
//! The same tables give the same bytes: rows go in in the order given,
//! every timestamp is [`LAST_CHANGE`], and the database is vacuumed before
//! it is serialised, so that no free page or insertion history differs.

use rusqlite::{params, Connection, Transaction, MAIN_DB};

use super::binary::{self, Envelope};
use super::{ident, GEOMETRY_COLUMN, WGS84_SRS_ID};
use crate::error::{Error, ErrorKind, Result};
use crate::io::table::{Cell, GeomKind, Kind, Layer};

/// `last_change` of every table and `update_time` of every style: a fixed
/// instant, so that the same run writes the same bytes (a clock would
/// make every file differ).
pub const LAST_CHANGE: &str = "1970-01-01T00:00:00.000Z";

/// `PRAGMA application_id`: `GPKG` in ASCII.
const APPLICATION_ID: i32 = 0x4750_4B47;

/// `PRAGMA user_version`: GeoPackage 1.3.0. Its R-tree triggers are the
/// ones GDAL 3.6 writes and its validator checks (1.4 renamed two).
const USER_VERSION: i32 = 10300;

/// What SQLite says when the database cannot be built (out of memory,
/// in practice): an output error.
fn sql_error(e: rusqlite::Error) -> Error {
    Error::new(
        ErrorKind::Output,
        format!("cannot build the GeoPackage: {e}"),
    )
}

/// A QGIS style for one feature table, stored in `layer_styles` as the
/// table's default so that QGIS applies it when the layer is added.
#[derive(Clone, Debug)]
pub struct Style {
    pub table: String,
    /// The `.qml` document.
    pub qml: String,
}

/// What one GeoPackage holds.
#[derive(Clone, Copy, Debug)]
pub struct Package<'a> {
    /// Feature tables (WGS 84), in this order.
    pub features: &'a [Layer],
    /// Tables without geometry (`gpkg_contents` data type `attributes`):
    /// their fields and rows; their geometry kind and the rows'
    /// geometries are not read.
    pub attributes: &'a [Layer],
    pub styles: &'a [Style],
}

/// The GeoPackage as bytes.
pub fn bytes(package: &Package<'_>) -> Result<Vec<u8>> {
    for layer in package.features.iter().chain(package.attributes) {
        check_names(layer)?;
    }
    let mut conn = Connection::open_in_memory().map_err(sql_error)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sql_error)?;
    conn.pragma_update(None, "user_version", USER_VERSION)
        .map_err(sql_error)?;
    let tx = conn.transaction().map_err(sql_error)?;
    tx.execute_batch(CORE_TABLES).map_err(sql_error)?;
    for layer in package.features {
        feature_table(&tx, layer)?;
    }
    for layer in package.attributes {
        attribute_table(&tx, layer)?;
    }
    styles_table(&tx, package.styles)?;
    tx.commit().map_err(sql_error)?;
    conn.execute_batch("VACUUM").map_err(sql_error)?;
    let data = conn.serialize(MAIN_DB).map_err(sql_error)?;
    Ok(data.to_vec())
}

/// The tables every GeoPackage has, as the standard defines them (the
/// same statements GDAL runs), and the three mandatory coordinate systems.
const CORE_TABLES: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined Cartesian coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
"#;

/// Refuses a field that would take the name of the key or the geometry
/// column (SQLite compares names ignoring ASCII case).
fn check_names(layer: &Layer) -> Result<()> {
    match layer.fields.iter().find(|f| {
        f.name.eq_ignore_ascii_case("fid") || f.name.eq_ignore_ascii_case(GEOMETRY_COLUMN)
    }) {
        Some(f) => Err(Error::new(
            ErrorKind::Output,
            format!(
                "layer {}: a field cannot be named {} in a GeoPackage (the key and the geometry column)",
                layer.name,
                crate::error::quote(&f.name)
            ),
        )),
        None => Ok(()),
    }
}

/// The GeoPackage type of a field.
fn column_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "INTEGER",
        Kind::Real { .. } => "REAL",
        Kind::Text => "TEXT",
        Kind::Bool => "BOOLEAN",
    }
}

fn geometry_type(kind: GeomKind) -> &'static str {
    match kind {
        GeomKind::Point => "POINT",
        GeomKind::LineString => "LINESTRING",
        GeomKind::MultiPolygon => "MULTIPOLYGON",
    }
}

fn value(cell: &Cell) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match cell {
        Cell::Int(v) => Value::Integer(*v),
        Cell::Real(v) => Value::Real(*v),
        Cell::Text(s) => Value::Text(s.clone()),
        Cell::Bool(b) => Value::Integer(i64::from(*b)),
        Cell::Null => Value::Null,
    }
}

/// `CREATE TABLE` for a layer: the integer key `fid`, the geometry column
/// when `geometry` names its type, then the fields.
fn create_table(layer: &Layer, geometry: Option<&str>) -> String {
    let mut columns = vec![format!(
        "{} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
        ident("fid")
    )];
    if let Some(kind) = geometry {
        columns.push(format!("{} {kind}", ident(GEOMETRY_COLUMN)));
    }
    for f in &layer.fields {
        columns.push(format!("{} {}", ident(&f.name), column_type(f.kind)));
    }
    format!(
        "CREATE TABLE {} ({})",
        ident(layer.name),
        columns.join(", ")
    )
}

/// Inserts the rows with `fid` 1, 2, …; with `geometry`, each row's
/// blob goes first, and the envelopes come back (`None` for no geometry).
fn insert_rows(
    tx: &Transaction<'_>,
    layer: &Layer,
    geometry: bool,
) -> Result<Vec<Option<Envelope>>> {
    let mut names = vec![ident("fid")];
    if geometry {
        names.push(ident(GEOMETRY_COLUMN));
    }
    names.extend(layer.fields.iter().map(|f| ident(&f.name)));
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        ident(layer.name),
        names.join(", "),
        marks.join(", ")
    );
    let mut insert = tx.prepare(&sql).map_err(sql_error)?;
    let mut envelopes = Vec::with_capacity(layer.rows.len());
    for (i, row) in layer.rows.iter().enumerate() {
        let mut values = vec![rusqlite::types::Value::Integer(i as i64 + 1)];
        if geometry {
            let blob = binary::encode(&row.geometry, WGS84_SRS_ID);
            envelopes.push(blob.as_ref().map(|(_, e)| *e));
            values.push(blob.map_or(rusqlite::types::Value::Null, |(b, _)| {
                rusqlite::types::Value::Blob(b)
            }));
        }
        values.extend(row.cells.iter().map(value));
        values.resize(names.len(), rusqlite::types::Value::Null);
        insert
            .execute(rusqlite::params_from_iter(values))
            .map_err(sql_error)?;
    }
    Ok(envelopes)
}

/// A feature table: the table and its rows, its R-tree (filled here,
/// then kept up to date by the standard triggers for whoever edits the
/// file), and its rows in `gpkg_contents`, `gpkg_geometry_columns` and
/// `gpkg_extensions`.
fn feature_table(tx: &Transaction<'_>, layer: &Layer) -> Result<()> {
    let kind = geometry_type(layer.geometry);
    tx.execute_batch(&create_table(layer, Some(kind)))
        .map_err(sql_error)?;
    let envelopes = insert_rows(tx, layer, true)?;
    let rtree = format!("rtree_{}_{GEOMETRY_COLUMN}", layer.name);
    tx.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
        ident(&rtree)
    ))
    .map_err(sql_error)?;
    let mut index = tx
        .prepare(&format!(
            "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
            ident(&rtree)
        ))
        .map_err(sql_error)?;
    let mut bounds: Option<Envelope> = None;
    for (i, e) in envelopes.iter().enumerate() {
        if let Some(e) = e {
            index
                .execute(params![i as i64 + 1, e.min_x, e.max_x, e.min_y, e.max_y])
                .map_err(sql_error)?;
            bounds = Some(bounds.map_or(*e, |b| b.union(e)));
        }
    }
    tx.execute_batch(&rtree_triggers(layer.name))
        .map_err(sql_error)?;
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            layer.name,
            LAST_CHANGE,
            bounds.map(|b| b.min_x),
            bounds.map(|b| b.min_y),
            bounds.map(|b| b.max_x),
            bounds.map(|b| b.max_y),
            WGS84_SRS_ID
        ],
    )
    .map_err(sql_error)?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
        params![layer.name, GEOMETRY_COLUMN, kind, WGS84_SRS_ID],
    )
    .map_err(sql_error)?;
    tx.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, ?2, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![layer.name, GEOMETRY_COLUMN],
    )
    .map_err(sql_error)?;
    Ok(())
}

/// The six triggers of the R-tree extension (GeoPackage 1.3, F.3) that
/// keep `rtree_<t>_geom` in step with edits of table `t`. They call
/// `ST_IsEmpty` and `ST_MinX`…, which GeoPackage clients (GDAL, QGIS)
/// provide; hubsel fills the index itself and never fires them.
fn rtree_triggers(table: &str) -> String {
    let t = ident(table);
    let g = ident(GEOMETRY_COLUMN);
    let r = ident(&format!("rtree_{table}_{GEOMETRY_COLUMN}"));
    let trigger = |suffix: &str| ident(&format!("rtree_{table}_{GEOMETRY_COLUMN}_{suffix}"));
    let fid = ident("fid");
    let bounds = format!(
        "NEW.{fid}, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), ST_MinY(NEW.{g}), ST_MaxY(NEW.{g})"
    );
    [
        format!("CREATE TRIGGER {} AFTER INSERT ON {t} WHEN (NEW.{g} NOT NULL AND NOT ST_IsEmpty(NEW.{g})) BEGIN INSERT OR REPLACE INTO {r} VALUES ({bounds}); END;", trigger("insert")),
        format!("CREATE TRIGGER {} AFTER UPDATE OF {g} ON {t} WHEN OLD.{fid} = NEW.{fid} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) BEGIN INSERT OR REPLACE INTO {r} VALUES ({bounds}); END;", trigger("update1")),
        format!("CREATE TRIGGER {} AFTER UPDATE OF {g} ON {t} WHEN OLD.{fid} = NEW.{fid} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id = OLD.{fid}; END;", trigger("update2")),
        format!("CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.{fid} != NEW.{fid} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id = OLD.{fid}; INSERT OR REPLACE INTO {r} VALUES ({bounds}); END;", trigger("update3")),
        format!("CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.{fid} != NEW.{fid} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id IN (OLD.{fid}, NEW.{fid}); END;", trigger("update4")),
        format!("CREATE TRIGGER {} AFTER DELETE ON {t} WHEN OLD.{g} NOT NULL BEGIN DELETE FROM {r} WHERE id = OLD.{fid}; END;", trigger("delete")),
    ]
    .join("\n")
}

/// An attribute table and its row in `gpkg_contents`.
fn attribute_table(tx: &Transaction<'_>, layer: &Layer) -> Result<()> {
    tx.execute_batch(&create_table(layer, None))
        .map_err(sql_error)?;
    insert_rows(tx, layer, false)?;
    register_attributes(tx, layer.name)
}

fn register_attributes(tx: &Transaction<'_>, table: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) VALUES (?1, 'attributes', ?1, '', ?2)",
        params![table, LAST_CHANGE],
    )
    .map_err(sql_error)?;
    Ok(())
}

/// `layer_styles` with the columns QGIS creates and reads: one row per
/// style, each the default of its table. The table is registered as
/// attributes, as QGIS registers it when it saves a style itself.
fn styles_table(tx: &Transaction<'_>, styles: &[Style]) -> Result<()> {
    tx.execute_batch(
        r#"CREATE TABLE "layer_styles" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"#,
    )
    .map_err(sql_error)?;
    let mut insert = tx
        .prepare(
            r#"INSERT INTO "layer_styles" ("id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time") VALUES (?1, '', '', ?2, ?3, ?2, ?4, '', 1, ?5, '', NULL, ?6)"#,
        )
        .map_err(sql_error)?;
    for (i, s) in styles.iter().enumerate() {
        insert
            .execute(params![
                i as i64 + 1,
                s.table,
                GEOMETRY_COLUMN,
                s.qml,
                format!("hubsel's style for {}", s.table),
                LAST_CHANGE
            ])
            .map_err(sql_error)?;
    }
    register_attributes(tx, "layer_styles")
}
