//! Reading shapefiles: school points, road lines and district polygons,
//! records streamed one by one.
//!
//! **Coordinate system**: the `.prj` when present, else the `--crs` given,
//! else WGS 84. **Text encoding** of the DBF, first found wins: the
//! `--encoding` given, the `.cpg` file, the code page byte of the DBF
//! header, else UTF-8 — and text that is not UTF-8 then stops the run with
//! a message asking for `--encoding` (Thai government files are usually
//! TIS-620 / cp874 without a `.cpg`; decoding them as anything else would
//! silently garble every name).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use ::shapefile::dbase::{self, encoding::EncodingRs, FieldValue};
use ::shapefile::record::traits::HasXY;
use ::shapefile::{PolygonRing, Shape};
use encoding_rs::Encoding;
use geo::{LineString, MultiPolygon};

use super::encoding_for_label;
use crate::error::{Error, ErrorKind, Result};
use crate::io::crs::{Crs, Reprojector};
use crate::io::geojson::{self, DistrictFields, RoadFields};
use crate::io::polygons;
use crate::io::records::{convert_all, district_attributes, find_ci, road_attributes};
use crate::io::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::model::{Action, ReadPart, Reason, Rejects};
use crate::model::{District, DistrictCode, Road, SourceRef};

/// A sidecar file: the same stem with another extension, in lower or upper case.
fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| shp.with_extension(e))
        .find(|p| p.is_file())
}

fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Format,
        format!("not a readable shapefile: {what}"),
    )
    .in_file(path)
}

/// Runs a third-party reader, turning a panic on a damaged file into an
/// error (the `shapefile` and `dbase` crates index into what they read).
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(damaged(path, "the reader failed on its contents")))
}

/// How to read a shapefile's coordinates and text.
#[derive(Clone, Debug)]
pub struct ShapefileOptions<'a> {
    /// For files without a `.prj`.
    pub default_crs: &'a Crs,
    /// Forces the DBF text encoding (the `--encoding` flag).
    pub encoding: Option<&'static Encoding>,
}

/// What the reader found about a shapefile.
#[derive(Clone, Debug)]
struct Opened {
    crs: Crs,
    /// The DBF's field names, in order.
    fields: Vec<String>,
}

type ShpReader = ::shapefile::Reader<BufReader<File>, BufReader<File>>;

/// Opens the `.shp` with its `.dbf`, and settles the coordinate system and
/// the text encoding (`true` when nothing declared one and UTF-8 is assumed).
fn open(path: &Path, options: &ShapefileOptions<'_>) -> Result<(ShpReader, Opened, bool)> {
    let shape_reader = ::shapefile::ShapeReader::from_path(path).map_err(|e| match e {
        ::shapefile::Error::IoError(io) => Error::io(path, io),
        other => damaged(path, other),
    })?;
    let dbf = sidecar(path, "dbf").ok_or_else(|| {
        Error::new(
            ErrorKind::Input,
            "the .dbf file beside the .shp is missing (attributes are needed)",
        )
        .in_file(path)
    })?;
    let crs = match sidecar(path, "prj") {
        Some(prj) => {
            let text = std::fs::read(&prj).map_err(|e| Error::io(&prj, e))?;
            Crs::from_wkt(&String::from_utf8_lossy(&text)).map_err(|e| {
                Error::new(ErrorKind::Input, e.message())
                    .in_file(&prj)
                    .on_field("crs")
            })?
        }
        None => options.default_crs.clone(),
    };
    let (table, defaulted) = dbf_table(path, &dbf, options)?;
    let fields: Vec<String> = table
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .filter(|n| n != "DeletionFlag")
        .collect();
    let reader = ::shapefile::Reader::new(shape_reader, table);
    Ok((reader, Opened { crs, fields }, defaulted))
}

/// Opens a `.dbf` in its text encoding: the flag's, else the one the `.cpg`
/// beside `path` names, else the DBF header's code page mark, else UTF-8
/// (`true`: nothing declared one and UTF-8 is assumed).
fn dbf_table(
    path: &Path,
    dbf: &Path,
    options: &ShapefileOptions<'_>,
) -> Result<(dbase::Reader<BufReader<File>>, bool)> {
    let mut code_page = [0u8; 32];
    let header_read = File::open(dbf).and_then(|mut f| f.read_exact(&mut code_page));
    header_read.map_err(|e| Error::io(dbf, e))?;
    let (encoding, from) = if let Some(e) = options.encoding {
        (e, "flag")
    } else if let Some(cpg) = sidecar(path, "cpg") {
        let label = std::fs::read(&cpg).map_err(|e| Error::io(&cpg, e))?;
        let label = String::from_utf8_lossy(&label).trim().to_string();
        let e = encoding_for_label(&label).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!(
                    "unknown encoding {}; give --encoding (e.g. cp874 for TIS-620)",
                    crate::error::quote(&label)
                ),
            )
            .in_file(&cpg)
            .on_field("encoding")
        })?;
        (e, ".cpg")
    } else {
        // Byte 29 of the DBF header: the language driver / code page mark.
        match code_page[29] {
            0x7C => (encoding_rs::WINDOWS_874, "DBF header"),
            0x03 | 0x57 | 0x58 | 0x59 => (encoding_rs::WINDOWS_1252, "DBF header"),
            _ => (encoding_rs::UTF_8, "default"),
        }
    };
    let dbf_file = File::open(dbf).map_err(|e| Error::io(dbf, e))?;
    let strict = encoding == encoding_rs::UTF_8;
    let builder = dbase::ReaderBuilder::new();
    let builder = if strict {
        builder.with_encoding(dbase::encoding::Unicode)
    } else {
        builder.with_encoding(EncodingRs::from(encoding))
    };
    let table = builder
        .build(BufReader::new(dbf_file))
        .map_err(|e| damaged(dbf, e))?;
    Ok((table, from == "default"))
}

/// A DBF value as a text cell (numbers in shortest round-trip form).
fn cell_text(value: &FieldValue) -> String {
    let number = |v: f64| {
        if v.is_finite() {
            format!("{v}")
        } else {
            String::new()
        }
    };
    match value {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => s.trim().to_string(),
        FieldValue::Numeric(Some(v)) | FieldValue::Double(v) | FieldValue::Currency(v) => {
            number(*v)
        }
        FieldValue::Float(Some(v)) => number(f64::from(*v)),
        FieldValue::Integer(v) => v.to_string(),
        FieldValue::Logical(Some(b)) => b.to_string(),
        FieldValue::Date(Some(d)) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        _ => String::new(),
    }
}

/// Streams records, calling `each` with the 1-based record number, the
/// shape and the cells (parallel to `opened.fields`). A record that cannot
/// be read ends the reading with a reject for it (a damaged file rarely
/// recovers). Text that is not valid in the chosen encoding is a run-level
/// error.
fn for_each_record(
    path: &Path,
    file: &str,
    options: &ShapefileOptions<'_>,
    rejects: &mut Rejects,
    mut each: impl FnMut(u64, Shape, Vec<String>, &Opened, &Reprojector),
) -> Result<Opened> {
    guarded(path, || {
        let (mut reader, opened, defaulted) = open(path, options)?;
        let to_wgs84 = opened.crs.to_wgs84()?;
        for (i, item) in reader.iter_shapes_and_records().enumerate() {
            let number = i as u64 + 1;
            match item {
                Ok((shape, record)) => {
                    let cells = opened
                        .fields
                        .iter()
                        .map(|f| record.get(f).map(cell_text).unwrap_or_default())
                        .collect();
                    each(number, shape, cells, &opened, &to_wgs84);
                }
                Err(::shapefile::Error::DbaseError(e))
                    if defaulted && e.to_string().to_ascii_lowercase().contains("utf") =>
                {
                    return Err(Error::new(
                        ErrorKind::Input,
                        format!(
                            "record {number}: DBF text is not UTF-8 and the file declares no encoding (no .cpg, no code page in the DBF header); give --encoding, e.g. --encoding cp874 for TIS-620 Thai text ({e})"
                        ),
                    )
                    .in_file(path)
                    .on_field("encoding"));
                }
                Err(e) => {
                    let source = SourceRef {
                        file: file.to_string(),
                        line: number,
                    };
                    rejects.push(
                        &source,
                        "",
                        "",
                        Reason::Unreadable {
                            part: ReadPart::RestOfFile,
                            detail: e.to_string(),
                        },
                        Action::Refused,
                    );
                    break;
                }
            }
        }
        Ok(opened)
    })
}

fn shape_kind(shape: &Shape) -> String {
    shape.shapetype().to_string()
}

/// The single point of a point shape, in the file's coordinates.
fn point_of(shape: &Shape) -> std::result::Result<(f64, f64), String> {
    match shape {
        Shape::Point(p) => Ok((p.x, p.y)),
        Shape::PointM(p) => Ok((p.x, p.y)),
        Shape::PointZ(p) => Ok((p.x, p.y)),
        Shape::Multipoint(m) if m.points().len() == 1 => Ok((m.points()[0].x, m.points()[0].y)),
        Shape::MultipointM(m) if m.points().len() == 1 => Ok((m.points()[0].x, m.points()[0].y)),
        Shape::MultipointZ(m) if m.points().len() == 1 => Ok((m.points()[0].x, m.points()[0].y)),
        Shape::NullShape => Err("missing coordinates: null shape".into()),
        other => Err(format!("expected a Point, found {}", shape_kind(other))),
    }
}

/// Reads school points with their attributes.
pub fn read_schools(
    path: &Path,
    file: &str,
    columns: &SchoolColumns,
    options: &ShapefileOptions<'_>,
    extent: Option<geo::Rect<f64>>,
    fix_swapped: bool,
) -> Result<SchoolTable> {
    let mut rows = Vec::new();
    let mut rejects = Rejects::default();
    let opened = for_each_record(
        path,
        file,
        options,
        &mut rejects,
        |number, shape, cells, _, _| {
            rows.push(RawRow {
                source: SourceRef {
                    file: file.to_string(),
                    line: number,
                },
                cells,
                position: Position::Geometry(point_of(&shape)),
            });
        },
    )?;
    let to_wgs84 = opened.crs.to_wgs84()?;
    let placement = Placement {
        to_wgs84: &to_wgs84,
        extent,
        fix_swapped,
    };
    let mut table = schools::build(
        file,
        &opened.fields,
        rows,
        columns,
        &placement,
        Format::default(),
    )?;
    table.rejects.rows.extend(rejects.rows);
    Ok(table)
}

/// The parts of a polyline (each part one road), in the file's
/// coordinates, or why the record holds no road.
fn road_parts(shape: &Shape) -> std::result::Result<Vec<Vec<(f64, f64)>>, String> {
    match shape {
        Shape::Polyline(l) => Ok(parts_of(l.parts())),
        Shape::PolylineM(l) => Ok(parts_of(l.parts())),
        Shape::PolylineZ(l) => Ok(parts_of(l.parts())),
        Shape::NullShape => Err("road without geometry (null shape)".into()),
        other => Err(format!(
            "road geometry is not a Polyline, found {}",
            shape_kind(other)
        )),
    }
}

/// A polyline's parts as x/y points, whatever its point type.
fn parts_of<P: HasXY>(parts: &[Vec<P>]) -> Vec<Vec<(f64, f64)>> {
    parts
        .iter()
        .map(|p| p.iter().map(|q| (q.x(), q.y())).collect())
        .collect()
}

/// Reads road lines (Polyline shapes; each part is one road), with the
/// class, one-way and speed columns named in `fields` (case-insensitive).
pub fn read_roads(
    path: &Path,
    file: &str,
    fields: &RoadFields,
    options: &ShapefileOptions<'_>,
    rejects: &mut Rejects,
    notes: &mut Vec<String>,
) -> Result<Vec<Road>> {
    let mut roads = Vec::new();
    let mut columns: Option<[Option<usize>; 3]> = None;
    let mut local = Rejects::default();
    let opened = for_each_record(
        path,
        file,
        options,
        rejects,
        |number, shape, cells, opened, to_wgs84| {
            let source = SourceRef {
                file: file.to_string(),
                line: number,
            };
            let parts = match road_parts(&shape) {
                Ok(parts) => parts,
                Err(reason) => {
                    local.push(&source, "", "geometry", Reason::geometry(reason), Action::Refused);
                    return;
                }
            };
            let columns = *columns.get_or_insert_with(|| {
                [&fields.class, &fields.oneway, &fields.maxspeed]
                    .map(|names| find_ci(&opened.fields, names))
            });
            let (class, oneway, maxspeed_kmh) = road_attributes(&cells, columns);
            for part in parts {
                let road = convert_all(part, to_wgs84).and_then(|coords| {
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
        },
    )?;
    geojson::check_given(&fields.given, &opened.fields, file)?;
    notes.extend(geojson::unread_speed_columns(&opened.fields, fields, file));
    rejects.rows.extend(local.rows);
    Ok(roads)
}

/// A polygon shape's rings as (outer?, points) in the file's coordinates,
/// or why the record holds no polygon.
fn polygon_rings(shape: &Shape) -> std::result::Result<Vec<MarkedRing>, String> {
    match shape {
        Shape::Polygon(p) => Ok(rings_of(p.rings())),
        Shape::PolygonM(p) => Ok(rings_of(p.rings())),
        Shape::PolygonZ(p) => Ok(rings_of(p.rings())),
        Shape::NullShape => Err("empty polygon (null shape)".into()),
        other => Err(format!("expected Polygon, found {}", shape_kind(other))),
    }
}

/// The rings in WGS 84 made into polygons, each hole in the smallest outer
/// ring containing it; also the number of holes outside every outer ring
/// (left out). Fails on the first position that cannot be converted.
fn assemble_rings(
    rings: Vec<MarkedRing>,
    to_wgs84: &Reprojector,
) -> std::result::Result<(Vec<geo::Polygon<f64>>, usize), String> {
    let (mut outers, mut inners) = (Vec::new(), Vec::new());
    for (outer, points) in rings {
        let ring = LineString::new(convert_all(points, to_wgs84)?);
        if outer {
            outers.push(ring);
        } else {
            inners.push(ring);
        }
    }
    let (polygons, orphans) = polygons::assemble(outers, inners);
    Ok((polygons, orphans.len()))
}

/// Reads district polygons: rings as the shapefile marks them (outer
/// clockwise, holes counter-clockwise), each hole put in the smallest
/// outer ring containing it; code and name columns as in `fields`.
pub fn read_districts(
    path: &Path,
    file: &str,
    fields: &DistrictFields,
    options: &ShapefileOptions<'_>,
    rejects: &mut Rejects,
) -> Result<Vec<District>> {
    let mut districts = Vec::new();
    let mut columns: Option<[Option<usize>; 2]> = None;
    let mut local = Rejects::default();
    let opened = for_each_record(
        path,
        file,
        options,
        rejects,
        |number, shape, cells, opened, to_wgs84| {
            let source = SourceRef {
                file: file.to_string(),
                line: number,
            };
            let columns = *columns.get_or_insert_with(|| {
                [&fields.code, &fields.name].map(|names| find_ci(&opened.fields, names))
            });
            let Some((code, name)) =
                district_attributes(&cells, columns, fields, &source, &mut local)
            else {
                return;
            };
            let assembled = polygon_rings(&shape).and_then(|r| assemble_rings(r, to_wgs84));
            let (polygons, orphans) = match assembled {
                Ok(assembled) => assembled,
                Err(reason) => {
                    let reason = Reason::geometry(reason);
                    local.push(&source, &code, "geometry", reason, Action::Refused);
                    return;
                }
            };
            if orphans > 0 {
                let reason = Reason::OrphanHoles { n: orphans };
                local.push(&source, &code, "geometry", reason, Action::Flagged);
            }
            let geometry = MultiPolygon::new(polygons);
            if let Some(geometry) = polygons::check_district(geometry, &code, &source, &mut local) {
                districts.push(District {
                    code: DistrictCode(code),
                    name,
                    geometry,
                });
            }
        },
    )?;
    geojson::check_given(&fields.given, &opened.fields, file)?;
    rejects.rows.extend(local.rows);
    Ok(districts)
}

/// A ring as the shapefile marks it: outer or not, and its x/y points in
/// the file's coordinates.
type MarkedRing = (bool, Vec<(f64, f64)>);

/// A polygon's rings, whatever its point type.
fn rings_of<P: HasXY>(rings: &[PolygonRing<P>]) -> Vec<MarkedRing> {
    rings
        .iter()
        .map(|r| {
            (
                matches!(r, PolygonRing::Outer(_)),
                r.points().iter().map(|q| (q.x(), q.y())).collect(),
            )
        })
        .collect()
}

/// A point layer read back whole (how `compare` reads a run written as
/// shapefiles): the DBF's fields, each record's cells as text and its point
/// in WGS 84 (`None` for a null or other shape); the `.prj` and `.cpg`
/// beside it as for the inputs. A record that cannot be read is an error.
pub fn read_rows(path: &Path) -> Result<super::super::table::Rows> {
    let file = path.display().to_string();
    let wgs84 = Crs::wgs84();
    let options = ShapefileOptions {
        default_crs: &wgs84,
        encoding: None,
    };
    let mut rejects = Rejects::default();
    let mut rows = Vec::new();
    let opened = for_each_record(path, &file, &options, &mut rejects, |_, shape, cells, _, to_wgs84| {
        let point = point_of(&shape)
            .ok()
            .and_then(|(x, y)| to_wgs84.convert(x, y))
            .map(|(x, y)| geo::Geometry::Point(geo::Point::new(x, y)));
        rows.push((cells, point));
    })?;
    if let Some(r) = rejects.rows.first() {
        return Err(damaged(path, &r.reason).at_line(r.source.line));
    }
    Ok(super::super::table::Rows {
        columns: opened.fields,
        rows,
    })
}

/// A `.dbf` alone read back whole: the rows without a point that a run
/// writes beside a point layer (`schools_unlocated.dbf`), in the encoding
/// its `.cpg` or header says; every geometry `None`.
pub fn read_dbf_rows(dbf: &Path) -> Result<super::super::table::Rows> {
    let wgs84 = Crs::wgs84();
    let options = ShapefileOptions {
        default_crs: &wgs84,
        encoding: None,
    };
    guarded(dbf, || {
        let (mut table, _) = dbf_table(dbf, dbf, &options)?;
        let columns: Vec<String> = table
            .fields()
            .iter()
            .map(|f| f.name().to_string())
            .filter(|n| n != "DeletionFlag")
            .collect();
        let records = table.read().map_err(|e| damaged(dbf, e))?;
        let rows = records
            .iter()
            .map(|record| {
                let cells = columns
                    .iter()
                    .map(|f| record.get(f).map(cell_text).unwrap_or_default())
                    .collect();
                (cells, None)
            })
            .collect();
        Ok(super::super::table::Rows { columns, rows })
    })
}
