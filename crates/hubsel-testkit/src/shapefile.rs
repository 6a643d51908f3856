//! Writing the model's inputs back as shapefiles (a GIS export of
//! schools, roads and districts), in a chosen coordinate system and DBF
//! text encoding. The run's output layers are written by `write.rs`.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ::shapefile::dbase::{self, encoding::EncodingRs, FieldName, FieldValue};
use ::shapefile::{Point, PolygonRing};
use encoding_rs::Encoding;
use geo::Coord;

use hubsel_io::error::{Error, ErrorKind, Result};
use hubsel_io::io::crs::{Crs, Reprojector};
use hubsel_io::model::{District, Road, School};

/// Where and how to write a shapefile.
#[derive(Clone, Debug)]
pub struct WriteOptions<'a> {
    /// Coordinate system of the written coordinates (the `.prj` says it).
    pub crs: &'a Crs,
    /// Text encoding of the DBF (the `.cpg` and the DBF header say it).
    pub encoding: &'static Encoding,
}

fn out_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Output, e.to_string()).in_file(path)
}

fn field_name(path: &Path, name: &str) -> Result<FieldName> {
    FieldName::try_from(name).map_err(|e| {
        out_err(
            path,
            format!("field name {}: {e:?}", hubsel_io::error::quote(name)),
        )
    })
}

/// DBF field names have at most 10 bytes: `names` cut to fit, made unique
/// with a number where two cuts meet. Returns the names in input order.
pub fn dbf_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let mut cut: String = n
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(10)
            .collect();
        let mut k = 1;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&cut)) {
            let suffix = k.to_string();
            cut = format!(
                "{}{}",
                n.chars().take(10 - suffix.len()).collect::<String>(),
                suffix
            );
            k += 1;
        }
        out.push(cut);
    }
    out
}

/// Writes the `.prj` and `.cpg` beside `path`.
fn write_sidecars(path: &Path, options: &WriteOptions<'_>) -> Result<()> {
    if let Some(wkt) = options.crs.wkt() {
        let prj = path.with_extension("prj");
        std::fs::write(&prj, wkt).map_err(|e| out_err(&prj, e))?;
    }
    let cpg = path.with_extension("cpg");
    std::fs::write(&cpg, cpg_label(options.encoding)).map_err(|e| out_err(&cpg, e))
}

type FileWriter = ::shapefile::Writer<BufWriter<File>>;

fn create(path: &Path, table: dbase::TableWriterBuilder) -> Result<FileWriter> {
    let open = |ext: &str| {
        let p = path.with_extension(ext);
        File::create(&p)
            .map(BufWriter::new)
            .map_err(|e| out_err(&p, e))
    };
    let shapes = ::shapefile::ShapeWriter::with_shx(open("shp")?, open("shx")?);
    Ok(::shapefile::Writer::new(
        shapes,
        table.build_with_dest(open("dbf")?),
    ))
}

fn project(points: &[Coord<f64>], from_wgs84: &Reprojector, path: &Path) -> Result<Vec<Point>> {
    points
        .iter()
        .map(|c| {
            from_wgs84
                .convert(c.x, c.y)
                .map(|(x, y)| Point::new(x, y))
                .ok_or_else(|| {
                    out_err(
                        path,
                        format!(
                            "({}, {}) cannot be converted to {}",
                            c.x,
                            c.y,
                            from_wgs84.name()
                        ),
                    )
                })
        })
        .collect()
}

fn text_value(s: &str) -> FieldValue {
    FieldValue::Character(Some(s.to_string()))
}

/// Writes schools as a point shapefile: `id`, `name`, `district`, `level`,
/// `students`, `teachers`, `classrooms` and every attribute in `attrs`
/// (numeric, names cut to 10 bytes by [`dbf_names`]). Returns the DBF name
/// of each attribute, in the order given.
pub fn write_schools(
    path: &Path,
    schools: &[School],
    attrs: &[String],
    options: &WriteOptions<'_>,
) -> Result<Vec<String>> {
    let dbf_attrs = dbf_names(attrs);
    let mut table = dbase::TableWriterBuilder::with_encoding(EncodingRs::from(options.encoding))
        .add_character_field(field_name(path, "id")?, 32)
        .add_character_field(field_name(path, "name")?, 254)
        .add_character_field(field_name(path, "district")?, 16)
        .add_character_field(field_name(path, "level")?, 10)
        .add_numeric_field(field_name(path, "students")?, 12, 0)
        .add_numeric_field(field_name(path, "teachers")?, 12, 0)
        .add_numeric_field(field_name(path, "classrooms")?, 12, 0);
    for a in &dbf_attrs {
        table = table.add_numeric_field(field_name(path, a)?, 18, 6);
    }
    let mut writer = create(path, table)?;
    let from_wgs84 = options.crs.from_wgs84()?;
    for s in schools {
        let point = project(&[Coord { x: s.lon, y: s.lat }], &from_wgs84, path)?.remove(0);
        let mut record = dbase::Record::default();
        record.insert("id".into(), text_value(&s.id.0));
        record.insert("name".into(), text_value(&s.name));
        record.insert(
            "district".into(),
            text_value(s.district.as_ref().map_or("", |d| d.0.as_str())),
        );
        record.insert("level".into(), text_value(s.level.as_str()));
        record.insert("students".into(), FieldValue::Numeric(s.students));
        record.insert("teachers".into(), FieldValue::Numeric(Some(s.teachers)));
        record.insert("classrooms".into(), FieldValue::Numeric(Some(s.classrooms)));
        for (a, d) in attrs.iter().zip(&dbf_attrs) {
            record.insert(d.clone(), FieldValue::Numeric(s.attrs.get(a).copied()));
        }
        writer
            .write_shape_and_record(&point, &record)
            .map_err(|e| out_err(path, e))?;
    }
    drop(writer);
    write_sidecars(path, options)?;
    Ok(dbf_attrs)
}

/// Writes roads as a polyline shapefile with `class`, `oneway` (`yes`,
/// `-1` or blank) and `maxspeed` (km/h, blank when unknown).
pub fn write_roads(path: &Path, roads: &[Road], options: &WriteOptions<'_>) -> Result<()> {
    let table = dbase::TableWriterBuilder::with_encoding(EncodingRs::from(options.encoding))
        .add_character_field(field_name(path, "class")?, 32)
        .add_character_field(field_name(path, "oneway")?, 4)
        .add_numeric_field(field_name(path, "maxspeed")?, 8, 1);
    let mut writer = create(path, table)?;
    let from_wgs84 = options.crs.from_wgs84()?;
    for r in roads {
        let line = ::shapefile::Polyline::new(project(&r.geometry.0, &from_wgs84, path)?);
        let mut record = dbase::Record::default();
        record.insert("class".into(), text_value(&r.class));
        let oneway = match r.oneway {
            hubsel_io::model::Oneway::No => "",
            hubsel_io::model::Oneway::Forward => "yes",
            hubsel_io::model::Oneway::Backward => "-1",
        };
        record.insert("oneway".into(), text_value(oneway));
        record.insert("maxspeed".into(), FieldValue::Numeric(r.maxspeed_kmh));
        writer
            .write_shape_and_record(&line, &record)
            .map_err(|e| out_err(path, e))?;
    }
    drop(writer);
    write_sidecars(path, options)
}

/// Writes districts as a polygon shapefile with `code` and `name`.
pub fn write_districts(
    path: &Path,
    districts: &[District],
    options: &WriteOptions<'_>,
) -> Result<()> {
    let table = dbase::TableWriterBuilder::with_encoding(EncodingRs::from(options.encoding))
        .add_character_field(field_name(path, "code")?, 32)
        .add_character_field(field_name(path, "name")?, 254);
    let mut writer = create(path, table)?;
    let from_wgs84 = options.crs.from_wgs84()?;
    for d in districts {
        let mut rings = Vec::new();
        for p in &d.geometry.0 {
            rings.push(PolygonRing::Outer(project(
                &p.exterior().0,
                &from_wgs84,
                path,
            )?));
            for hole in p.interiors() {
                rings.push(PolygonRing::Inner(project(&hole.0, &from_wgs84, path)?));
            }
        }
        if rings.is_empty() {
            continue;
        }
        let polygon = ::shapefile::Polygon::with_rings(rings);
        let mut record = dbase::Record::default();
        record.insert("code".into(), text_value(&d.code.0));
        record.insert("name".into(), text_value(&d.name));
        writer
            .write_shape_and_record(&polygon, &record)
            .map_err(|e| out_err(path, e))?;
    }
    drop(writer);
    write_sidecars(path, options)
}

/// Label written to a `.cpg` file for an encoding (the code page number
/// for Windows code pages, as ArcGIS and GDAL read it).
fn cpg_label(encoding: &'static Encoding) -> String {
    match encoding.name() {
        "UTF-8" => "UTF-8".into(),
        name => name
            .strip_prefix("windows-")
            .map_or_else(|| name.to_string(), str::to_string),
    }
}
