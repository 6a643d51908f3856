//! Reading a GeoPackage: one feature table, named after the file
//! (`data.gpkg:schools`) or, when none is named, the only table of the
//! geometry type wanted.
//!
//! The file's bytes are copied into an in-memory SQLite database opened
//! read-only: the user's file is never locked or changed, and the same
//! code reads a file and bytes held in memory. SQLite checks the pages it
//! reads, so a damaged file is an error, never a crash.
//!
//! **Coordinate system**: the table's `srs_id` row of
//! `gpkg_spatial_ref_sys`: its EPSG code when the organization is EPSG,
//! else its WKT definition. The undefined systems (`srs_id` 0 and -1)
//! are read in the `--crs` given, else WGS 84, as a shapefile without
//! `.prj`. **Rows** are numbered by their key (`fid`), which is the
//! "line" of a reject.

use geo::{Geometry, LineString, MultiPolygon, Polygon};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, MAIN_DB};

use super::{binary, ident};
use crate::error::{quote, Error, ErrorKind, Result};
use crate::io::crs::{Crs, Reprojector};
use crate::io::geojson::{check_given, unread_speed_columns, DistrictFields, RoadFields};
use crate::io::polygons;
use crate::io::records::{convert_all, district_attributes, find_ci, road_attributes};
use crate::io::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::model::{Action, District, DistrictCode, ReadPart, Reason, Rejects, Road, SourceRef};

/// An input name split into the file and the layer named after its last
/// `.gpkg:` (`data.gpkg:schools` → `data.gpkg`, `schools`); no layer when
/// nothing follows. The `.gpkg` is matched ignoring case.
pub fn split_layer(name: &str) -> (&str, Option<&str>) {
    match name.to_ascii_lowercase().rfind(".gpkg:") {
        // ASCII lower-casing keeps every byte where it was.
        Some(i) => {
            let (file, layer) = (&name[..i + 5], &name[i + 6..]);
            (file, Some(layer).filter(|l| !l.is_empty()))
        }
        None => (name, None),
    }
}

/// The geometry types an input takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wanted {
    Points,
    Lines,
    Polygons,
    /// Any geometry (a named layer read back whole).
    Any,
}

impl Wanted {
    fn label(self) -> &'static str {
        match self {
            Wanted::Points => "point",
            Wanted::Lines => "line",
            Wanted::Polygons => "polygon",
            Wanted::Any => "feature",
        }
    }

    /// Whether a `geometry_type_name` holds this kind of geometry only.
    fn accepts(self, type_name: &str) -> bool {
        let t = type_name.to_ascii_uppercase();
        match self {
            Wanted::Points => t == "POINT" || t == "MULTIPOINT",
            Wanted::Lines => t == "LINESTRING" || t == "MULTILINESTRING",
            Wanted::Polygons => t == "POLYGON" || t == "MULTIPOLYGON",
            Wanted::Any => true,
        }
    }
}

fn damaged(file: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Format, format!("not a readable GeoPackage: {e}")).in_file(file)
}

/// The bytes as a read-only in-memory database. A file last written in
/// WAL mode is read as a plain one (its header says WAL; the pages are
/// the same), which is what an in-memory copy needs.
fn database(bytes: &[u8], file: &str) -> Result<Connection> {
    if !bytes.starts_with(b"SQLite format 3\0") || bytes.len() < 100 {
        return Err(damaged(file, "not an SQLite database"));
    }
    let mut head = bytes[..100].to_vec();
    if head[18] == 2 && head[19] == 2 {
        head[18] = 1;
        head[19] = 1;
    }
    let mut conn = Connection::open_in_memory().map_err(|e| damaged(file, e))?;
    let reader = std::io::Read::chain(&head[..], &bytes[100..]);
    conn.deserialize_read_exact(MAIN_DB, reader, bytes.len(), true)
        .map_err(|e| damaged(file, e))?;
    // The file's views and triggers may not call functions with side effects.
    conn.pragma_update(None, "trusted_schema", false)
        .map_err(|e| damaged(file, e))?;
    Ok(conn)
}

/// A feature table of `gpkg_geometry_columns`.
#[derive(Clone, Debug)]
struct LayerInfo {
    table: String,
    column: String,
    type_name: String,
    srs_id: i64,
}

fn feature_layers(conn: &Connection, file: &str) -> Result<Vec<LayerInfo>> {
    let has_contents: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| damaged(file, e))?;
    if !has_contents {
        return Err(damaged(file, "an SQLite database without gpkg_contents"));
    }
    let mut stmt = conn
        .prepare(
            "SELECT g.table_name, g.column_name, g.geometry_type_name, g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c ON c.table_name = g.table_name WHERE lower(c.data_type) = 'features' ORDER BY g.table_name",
        )
        .map_err(|e| damaged(file, e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(LayerInfo {
                table: r.get(0)?,
                column: r.get(1)?,
                type_name: r.get(2)?,
                srs_id: r.get(3)?,
            })
        })
        .map_err(|e| damaged(file, e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| damaged(file, e))
}

/// The table to read: the one named (its geometry type must fit), else
/// the only one of the type wanted.
fn choose(
    layers: &[LayerInfo],
    named: Option<&str>,
    wanted: Wanted,
    file: &str,
) -> Result<LayerInfo> {
    let (path, _) = split_layer(file);
    let listing = || {
        let all: Vec<String> = layers
            .iter()
            .map(|l| format!("{} ({})", l.table, l.type_name))
            .collect();
        if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        }
    };
    let error = |message: String| Err(Error::new(ErrorKind::Input, message).in_file(file));
    if let Some(name) = named {
        let Some(layer) = layers.iter().find(|l| l.table.eq_ignore_ascii_case(name)) else {
            return error(format!(
                "no feature layer {} (the layers: {})",
                quote(name),
                listing()
            ));
        };
        let generic = layer.type_name.eq_ignore_ascii_case("GEOMETRY");
        if !generic && !wanted.accepts(&layer.type_name) {
            return error(format!(
                "layer {} holds {} geometries, not {}s",
                quote(&layer.table),
                layer.type_name,
                wanted.label()
            ));
        }
        return Ok(layer.clone());
    }
    let fitting: Vec<&LayerInfo> = layers
        .iter()
        .filter(|l| wanted.accepts(&l.type_name))
        .collect();
    match fitting.as_slice() {
        [one] => Ok((*one).clone()),
        [] => error(format!(
            "no {} layer (the layers: {}); name one as {path}:LAYER",
            wanted.label(),
            listing()
        )),
        several => error(format!(
            "{} {} layers ({}); name one as {path}:LAYER",
            several.len(),
            wanted.label(),
            several
                .iter()
                .map(|l| l.table.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The coordinate system of `srs_id`: the EPSG code when the organization
/// is EPSG (and the code known), else the WKT; `default_crs` for the
/// undefined systems (0, -1, or a definition `undefined`).
fn srs(conn: &Connection, srs_id: i64, default_crs: &Crs, file: &str) -> Result<Crs> {
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| damaged(file, e))?;
    let Some((organization, code, definition)) = row else {
        return Err(damaged(
            file,
            format!("srs_id {srs_id} is not in gpkg_spatial_ref_sys"),
        ));
    };
    if srs_id == 0 || srs_id == -1 {
        return Ok(default_crs.clone());
    }
    let epsg = u16::try_from(code)
        .ok()
        .filter(|_| organization.eq_ignore_ascii_case("EPSG"));
    if let Some(crs) = epsg.and_then(|c| Crs::from_epsg(c).ok()) {
        return Ok(crs);
    }
    if definition.trim().eq_ignore_ascii_case("undefined") {
        return Ok(default_crs.clone());
    }
    Crs::from_wkt(&definition).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("srs_id {srs_id} ({organization} {code}): {}", e.message()),
        )
        .in_file(file)
        .on_field("crs")
    })
}

/// A table opened for reading.
struct Table {
    conn: Connection,
    layer: LayerInfo,
    /// The integer primary key, when the table has one (a view may not).
    key: Option<String>,
    /// The attribute columns, in table order (not the key, not the geometry).
    columns: Vec<String>,
    crs: Crs,
}

/// Opens the GeoPackage and settles the table, its key, its columns and
/// its coordinate system.
fn open(bytes: &[u8], file: &str, wanted: Wanted, default_crs: &Crs) -> Result<Table> {
    let conn = database(bytes, file)?;
    let layers = feature_layers(&conn, file)?;
    let layer = choose(&layers, split_layer(file).1, wanted, file)?;
    let crs = srs(&conn, layer.srs_id, default_crs, file)?;
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info({})", ident(&layer.table)))
        .map_err(|e| damaged(file, e))?;
    let info: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(5)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| damaged(file, e))?;
    drop(stmt);
    let keys: Vec<&(String, String, i64)> = info.iter().filter(|(_, _, pk)| *pk > 0).collect();
    let key = match keys.as_slice() {
        [(name, kind, _)] if kind.eq_ignore_ascii_case("INTEGER") => Some(name.clone()),
        _ => None,
    };
    let columns = info
        .iter()
        .map(|(name, _, _)| name.clone())
        .filter(|n| Some(n) != key.as_ref() && !n.eq_ignore_ascii_case(&layer.column))
        .collect();
    Ok(Table {
        conn,
        layer,
        key,
        columns,
        crs,
    })
}

/// A value as a text cell: numbers in shortest round-trip form, blobs and
/// non-finite numbers blank.
fn cell_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Integer(v) => v.to_string(),
        ValueRef::Real(v) if v.is_finite() => format!("{v}"),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Real(_) | ValueRef::Null | ValueRef::Blob(_) => String::new(),
    }
}

/// What a row's geometry cell holds: a geometry, nothing (NULL or empty),
/// or why it cannot be read.
type RowGeometry = std::result::Result<Option<Geometry<f64>>, String>;

fn geometry_of(value: ValueRef<'_>) -> RowGeometry {
    match value {
        ValueRef::Blob(b) => binary::decode(b),
        ValueRef::Null => Ok(None),
        _ => Err("the geometry is not a GeoPackage geometry blob".into()),
    }
}

/// Calls `each` with every row in key order: where it is (file and key),
/// its geometry and its cells (parallel to `table.columns`). A row SQLite
/// cannot read ends the table with a reject for it.
fn for_each_row(
    table: &Table,
    file: &str,
    rejects: &mut Rejects,
    mut each: impl FnMut(SourceRef, RowGeometry, Vec<String>),
) -> Result<()> {
    let mut names = vec![ident(&table.layer.column)];
    names.extend(table.columns.iter().map(|c| ident(c)));
    let order = match &table.key {
        Some(k) => {
            names.push(ident(k));
            format!(" ORDER BY {}", ident(k))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM {}{order}",
        names.join(", "),
        ident(&table.layer.table)
    );
    let mut stmt = table.conn.prepare(&sql).map_err(|e| damaged(file, e))?;
    let mut rows = stmt.query([]).map_err(|e| damaged(file, e))?;
    let n_columns = table.columns.len();
    let mut number = 0u64;
    loop {
        number += 1;
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                let source = SourceRef {
                    file: file.to_string(),
                    line: number,
                };
                let reason = Reason::Unreadable {
                    part: ReadPart::RestOfTable,
                    detail: e.to_string(),
                };
                rejects.push(&source, "", "", reason, Action::Refused);
                break;
            }
        };
        let line = match table.key.as_ref().map(|_| row.get_ref(n_columns + 1)) {
            Some(Ok(ValueRef::Integer(fid))) => u64::try_from(fid).unwrap_or(number),
            _ => number,
        };
        let geometry = row
            .get_ref(0)
            .map_err(|e| e.to_string())
            .and_then(geometry_of);
        let cells = (1..=n_columns)
            .map(|i| row.get_ref(i).map(cell_text).unwrap_or_default())
            .collect();
        let source = SourceRef {
            file: file.to_string(),
            line,
        };
        each(source, geometry, cells);
    }
    Ok(())
}

/// Reads school points with their attributes.
pub fn read_schools(
    bytes: &[u8],
    file: &str,
    columns: &SchoolColumns,
    default_crs: &Crs,
    extent: Option<geo::Rect<f64>>,
    fix_swapped: bool,
) -> Result<SchoolTable> {
    let table = open(bytes, file, Wanted::Points, default_crs)?;
    let mut rows = Vec::new();
    let mut rejects = Rejects::default();
    for_each_row(&table, file, &mut rejects, |source, geometry, cells| {
        let position = match geometry {
            Ok(Some(Geometry::Point(p))) => Ok((p.x(), p.y())),
            Ok(Some(Geometry::MultiPoint(m))) if m.0.len() == 1 => Ok((m.0[0].x(), m.0[0].y())),
            Ok(Some(other)) => Err(format!("expected a Point, found {}", binary::kind(&other))),
            Ok(None) => Err("missing coordinates: the feature has no geometry".to_string()),
            Err(reason) => Err(reason),
        };
        rows.push(RawRow {
            source,
            cells,
            position: Position::Geometry(position),
        });
    })?;
    let to_wgs84 = table.crs.to_wgs84()?;
    let placement = Placement {
        to_wgs84: &to_wgs84,
        extent,
        fix_swapped,
    };
    let mut schools = schools::build(
        file,
        &table.columns,
        rows,
        columns,
        &placement,
        Format::default(),
    )?;
    schools.rejects.rows.extend(rejects.rows);
    Ok(schools)
}

/// The lines of a road geometry, or why it holds none.
fn road_lines(geometry: RowGeometry) -> std::result::Result<Vec<LineString<f64>>, String> {
    match geometry? {
        Some(Geometry::LineString(l)) => Ok(vec![l]),
        Some(Geometry::MultiLineString(m)) => Ok(m.0),
        Some(other) => Err(format!(
            "road geometry is not a LineString or MultiLineString, found {}",
            binary::kind(&other)
        )),
        None => Err("road without geometry".into()),
    }
}

/// Reads road lines (each line of a MultiLineString is one road), with the
/// class, one-way and speed columns named in `fields` (ignoring case).
pub fn read_roads(
    bytes: &[u8],
    file: &str,
    fields: &RoadFields,
    default_crs: &Crs,
    rejects: &mut Rejects,
    notes: &mut Vec<String>,
) -> Result<Vec<Road>> {
    let table = open(bytes, file, Wanted::Lines, default_crs)?;
    check_given(&fields.given, &table.columns, file)?;
    let to_wgs84 = table.crs.to_wgs84()?;
    let columns = [&fields.class, &fields.oneway, &fields.maxspeed]
        .map(|names| find_ci(&table.columns, names));
    let mut roads = Vec::new();
    let mut local = Rejects::default();
    for_each_row(&table, file, rejects, |source, geometry, cells| {
        let lines = match road_lines(geometry) {
            Ok(lines) => lines,
            Err(reason) => {
                local.push(&source, "", "geometry", Reason::geometry(reason), Action::Refused);
                return;
            }
        };
        let (class, oneway, maxspeed_kmh) = road_attributes(&cells, columns);
        for line in lines {
            let road =
                convert_all(line.0.iter().map(|c| (c.x, c.y)), &to_wgs84).and_then(|coords| {
                    Road::from_points(coords, class.clone(), maxspeed_kmh, oneway)
                        .map_err(String::from)
                });
            match road {
                Ok(road) => roads.push(road),
                Err(reason) => local.push(
                    &source,
                    "",
                    "geometry",
                    Reason::geometry(reason),
                    Action::Refused,
                ),
            }
        }
    })?;
    notes.extend(unread_speed_columns(&table.columns, fields, file));
    rejects.rows.extend(local.rows);
    Ok(roads)
}

/// A polygon geometry in WGS 84 as a MultiPolygon, or why it is none.
fn district_polygons(
    geometry: RowGeometry,
    to_wgs84: &Reprojector,
) -> std::result::Result<MultiPolygon<f64>, String> {
    let multi = match geometry? {
        Some(Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
        Some(Geometry::MultiPolygon(m)) => m,
        Some(other) => {
            return Err(format!(
                "expected Polygon or MultiPolygon, found {}",
                binary::kind(&other)
            ))
        }
        None => return Err("empty polygon (the feature has no geometry)".into()),
    };
    let ring = |r: &LineString<f64>| {
        convert_all(r.0.iter().map(|c| (c.x, c.y)), to_wgs84).map(LineString::new)
    };
    multi
        .0
        .iter()
        .map(|p| {
            let holes = p
                .interiors()
                .iter()
                .map(ring)
                .collect::<std::result::Result<_, String>>()?;
            Ok(Polygon::new(ring(p.exterior())?, holes))
        })
        .collect::<std::result::Result<Vec<_>, String>>()
        .map(MultiPolygon::new)
}

/// Reads district polygons, with the code and name columns named in
/// `fields` (ignoring case).
pub fn read_districts(
    bytes: &[u8],
    file: &str,
    fields: &DistrictFields,
    default_crs: &Crs,
    rejects: &mut Rejects,
) -> Result<Vec<District>> {
    let table = open(bytes, file, Wanted::Polygons, default_crs)?;
    check_given(&fields.given, &table.columns, file)?;
    let to_wgs84 = table.crs.to_wgs84()?;
    let [code_c, name_c] = [&fields.code, &fields.name].map(|n| find_ci(&table.columns, n));
    let mut districts = Vec::new();
    let mut local = Rejects::default();
    for_each_row(&table, file, rejects, |source, geometry, cells| {
        let columns = [code_c, name_c];
        let Some((code, name)) = district_attributes(&cells, columns, fields, &source, &mut local)
        else {
            return;
        };
        let multi = match district_polygons(geometry, &to_wgs84) {
            Ok(multi) => multi,
            Err(reason) => {
                let reason = Reason::geometry(reason);
                local.push(&source, &code, "geometry", reason, Action::Refused);
                return;
            }
        };
        if let Some(geometry) = polygons::check_district(multi, &code, &source, &mut local) {
            districts.push(District {
                code: DistrictCode(code),
                name,
                geometry,
            });
        }
    })?;
    rejects.rows.extend(local.rows);
    Ok(districts)
}

/// Every row of the feature table named after the file
/// (`hubsel.gpkg:hubs`), in key order: how `compare` reads a run written
/// as a GeoPackage. A row SQLite cannot read is an error.
pub fn read_rows(bytes: &[u8], file: &str) -> Result<crate::io::table::Rows> {
    let table = open(bytes, file, Wanted::Any, &Crs::wgs84())?;
    let mut rows = Vec::new();
    let mut rejects = Rejects::default();
    for_each_row(&table, file, &mut rejects, |_, geometry, cells| {
        rows.push((cells, geometry.ok().flatten()));
    })?;
    if let Some(r) = rejects.rows.first() {
        return Err(damaged(file, &r.reason).at_line(r.source.line));
    }
    Ok(crate::io::table::Rows {
        columns: table.columns,
        rows,
    })
}

/// The text of `column` in the first row (by key) of `table`, a feature
/// or attribute table listed in `gpkg_contents`; `None` when the
/// GeoPackage has no such table, column or row. How `compare` reads the
/// summary a run keeps in its `run_summary` table.
pub fn read_cell(bytes: &[u8], file: &str, table: &str, column: &str) -> Result<Option<String>> {
    let conn = database(bytes, file)?;
    let listed: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master m WHERE m.type = 'table' AND m.name = 'gpkg_contents' AND EXISTS (SELECT 1 FROM gpkg_contents c WHERE c.table_name = ?1)",
            [table],
            |r| r.get(0),
        )
        .map_err(|e| damaged(file, e))?;
    if listed == 0 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY rowid LIMIT 1",
        ident(column),
        ident(table)
    );
    match conn.query_row(&sql, [], |r| Ok(cell_text(r.get_ref(0)?))) {
        Ok(text) => Ok(Some(text)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        // No such column.
        Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such column") => Ok(None),
        Err(e) => Err(damaged(file, e)),
    }
}
