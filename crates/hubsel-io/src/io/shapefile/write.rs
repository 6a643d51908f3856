//! An output layer as a Shapefile, for older desktop tools: `.shp`,
//! `.shx`, `.dbf`, `.prj` (WGS 84) and `.cpg` per layer, written with the
//! `shapefile` and `dbase` crates.
//!
//! - Field names are the layer's [`Field::shp`] names (at most 10
//!   characters; one mapping, see [`crate::io::table::shp_names`]).
//! - Text is Windows-874 (cp874, the Thai code page that TIS-620 tools
//!   read): the DBF header says so (language driver 0x7C) and the `.cpg`
//!   says `874`. A layer whose text cp874 cannot hold (`É`, `ñ`, Lao, a
//!   NUL) is written in UTF-8 instead, with a `.cpg` of `UTF-8`, and
//!   [`utf8_note`] says so: no character becomes an `&#201;` entity. A NUL
//!   in text is written as `␀` (U+2400), since DBF readers end a value at
//!   a NUL. Text longer than 254 bytes, the DBF limit, is cut at a
//!   character boundary.
//! - Numbers are DBF numeric fields sized to the widest value, so nothing
//!   is ever cropped; null numbers are blank. Booleans are `N(1,0)` fields
//!   holding 1 or 0: GDAL (and so QGIS) reads a DBF logical field as text,
//!   a numeric one as an integer that filters and styles like a flag.
//! - The DBF "last update" date is fixed at 2000-01-01, so the same run
//!   gives the same bytes on any day.
//! - A Shapefile cannot mix null and point shapes in this writer, so the
//!   schools that have no location (rejected rows only) go to a table of
//!   their own, `schools_unlocated.dbf`, with the same fields.

use std::io::Cursor;

use ::shapefile::dbase::encoding::EncodingRs;
use ::shapefile::dbase::{FieldName, FieldWriter, TableWriterBuilder, WritableRecord};
use ::shapefile::{Point, Polygon, PolygonRing, Polyline, ShapeWriter};

use crate::error::{Error, ErrorKind, Result};
use crate::io::geojson::OutGeometry;
use crate::io::table::{Cell, Field, GeomKind, Kind, Layer, Row};

/// WGS 84 longitude/latitude in the ESRI flavour of WKT that `.prj` files use.
const WGS84_PRJ: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

/// The `.cpg` text: the DBF's code page.
const CPG: &str = "874\n";
/// The `.cpg` of a layer written in UTF-8.
const CPG_UTF8: &str = "UTF-8\n";

/// The widest DBF text and numeric fields.
const MAX_TEXT_BYTES: usize = 254;
const MAX_NUMERIC_WIDTH: usize = 20;

/// The DBF text encoding of a layer: cp874 when all its text fits, else
/// UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    Cp874,
    Utf8,
}

impl Text {
    /// How `layer`'s text is written.
    fn of(layer: &Layer) -> Text {
        let fits = layer.rows.iter().flat_map(|r| &r.cells).all(|c| match c {
            Cell::Text(s) => !s.contains('\0') && !encoding_rs::WINDOWS_874.encode(s).2,
            _ => true,
        });
        if fits {
            Text::Cp874
        } else {
            Text::Utf8
        }
    }

    fn encoding(self) -> EncodingRs {
        EncodingRs::from(match self {
            Text::Cp874 => encoding_rs::WINDOWS_874,
            Text::Utf8 => encoding_rs::UTF_8,
        })
    }

    fn cpg(self) -> &'static str {
        match self {
            Text::Cp874 => CPG,
            Text::Utf8 => CPG_UTF8,
        }
    }

    fn len(self, s: &str) -> usize {
        match self {
            Text::Cp874 => encoding_rs::WINDOWS_874.encode(s).0.len(),
            Text::Utf8 => s.len(),
        }
    }
}

/// The note for a layer whose text cp874 cannot hold, written in UTF-8
/// (`None` when it fits cp874).
pub fn utf8_note(layer: &Layer) -> Option<String> {
    (Text::of(layer) == Text::Utf8).then(|| {
        format!(
            "{}.dbf is written in UTF-8 (its .cpg says so), not the Thai code page cp874: some of its text has characters cp874 lacks",
            layer.name
        )
    })
}

/// `s` as written: a NUL, which ends a DBF value for its readers, as `␀`.
fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        s.replace('\0', "\u{2400}").into()
    } else {
        s.into()
    }
}

/// `s` cut to at most 254 bytes in `text`'s encoding, at a character
/// boundary.
fn clip(s: &str, text: Text) -> std::borrow::Cow<'_, str> {
    let s = visible(s);
    if text.len(&s) <= MAX_TEXT_BYTES {
        return s;
    }
    let mut out = String::new();
    let mut len = 0;
    for ch in s.chars() {
        let mut buf = [0u8; 4];
        let n = text.len(ch.encode_utf8(&mut buf));
        if len + n > MAX_TEXT_BYTES {
            break;
        }
        len += n;
        out.push(ch);
    }
    out.into()
}

/// How a field is laid out in the DBF.
#[derive(Clone, Copy, Debug)]
enum Column {
    Text { width: u8 },
    Numeric { width: u8, decimals: u8 },
}

fn numeric_text(v: f64, decimals: u8) -> String {
    format!("{v:.prec$}", prec = decimals as usize)
}

/// The DBF column of a field, sized to its values.
fn column(field: &Field, index: usize, rows: &[&Row], text: Text) -> Column {
    let cells = rows.iter().filter_map(move |r| r.cells.get(index));
    match field.kind {
        Kind::Text => {
            let widest = cells
                .map(|c| {
                    if let Cell::Text(s) = c {
                        text.len(&clip(s, text))
                    } else {
                        0
                    }
                })
                .max()
                .unwrap_or(0);
            Column::Text {
                width: widest.clamp(1, MAX_TEXT_BYTES) as u8,
            }
        }
        Kind::Bool => Column::Numeric {
            width: 1,
            decimals: 0,
        },
        Kind::Int | Kind::Real { .. } => {
            let mut decimals = match field.kind {
                Kind::Real { decimals } => decimals,
                _ => 0,
            };
            let numbers: Vec<f64> = cells
                .filter_map(|c| match c {
                    Cell::Int(v) => Some(*v as f64),
                    Cell::Real(v) => Some(*v),
                    _ => None,
                })
                .collect();
            let width = |d: u8| {
                numbers
                    .iter()
                    .map(|v| numeric_text(*v, d).len())
                    .max()
                    .unwrap_or(1)
            };
            // Fewer decimals before a cropped number: only absurdly large
            // values ever get here.
            while width(decimals) > MAX_NUMERIC_WIDTH && decimals > 0 {
                decimals -= 1;
            }
            let w = width(decimals)
                .max(usize::from(decimals) + 2)
                .min(MAX_NUMERIC_WIDTH);
            Column::Numeric {
                width: w as u8,
                decimals,
            }
        }
    }
}

/// A row as a DBF record, in the layout of its table.
struct Record<'a> {
    cells: &'a [Cell],
    columns: &'a [Column],
    text: Text,
}

impl WritableRecord for Record<'_> {
    fn write_using<W: std::io::Write>(
        &self,
        w: &mut FieldWriter<'_, W>,
    ) -> std::result::Result<(), ::shapefile::dbase::FieldError> {
        for (cell, col) in self.cells.iter().zip(self.columns) {
            match (col, cell) {
                (Column::Text { .. }, Cell::Text(s)) => {
                    w.write_next_field_value(&clip(s, self.text).into_owned())?
                }
                (Column::Text { .. }, _) => w.write_next_field_value(&String::new())?,
                (Column::Numeric { width, decimals }, c) => {
                    let v = match c {
                        Cell::Int(v) => Some(*v as f64),
                        Cell::Real(v) => Some(*v),
                        Cell::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                        _ => None,
                    };
                    // A number that does not fit is left blank (null) rather
                    // than cropped into another number.
                    let v = v.filter(|v| numeric_text(*v, *decimals).len() <= usize::from(*width));
                    w.write_next_field_value(&v)?
                }
            }
        }
        Ok(())
    }
}

fn shp_err(layer: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Output, format!("cannot write {layer}.shp: {e}"))
}

/// The DBF of `rows`, with the table's fixed date.
fn dbf(layer: &Layer, rows: &[&Row], text: Text) -> Result<Vec<u8>> {
    let columns: Vec<Column> = layer
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| column(f, i, rows, text))
        .collect();
    let mut builder = TableWriterBuilder::with_encoding(text.encoding());
    for (f, col) in layer.fields.iter().zip(&columns) {
        let name = FieldName::try_from(f.shp.as_str())
            .map_err(|e| shp_err(layer.name, format!("field {:?}: {e}", f.shp)))?;
        builder = match *col {
            Column::Text { width } => builder.add_character_field(name, width),
            Column::Numeric { width, decimals } => builder.add_numeric_field(name, width, decimals),
        };
    }
    let mut out = Cursor::new(Vec::new());
    {
        let mut table = builder.build_with_dest(&mut out);
        for r in rows {
            table
                .write_record(&Record {
                    cells: &r.cells,
                    columns: &columns,
                    text,
                })
                .map_err(|e| shp_err(layer.name, e))?;
        }
        table.finalize().map_err(|e| shp_err(layer.name, e))?;
    }
    let mut bytes = out.into_inner();
    // Header bytes 1-3: last update as years since 1900, month, day.
    if bytes.len() > 3 {
        bytes[1..4].copy_from_slice(&[100, 1, 1]);
    }
    Ok(bytes)
}

fn point(c: &geo::Coord<f64>) -> Point {
    Point::new(c.x, c.y)
}

/// The `.shp` and `.shx` of the rows (all with a geometry of the layer's kind).
fn shapes(layer: &Layer, rows: &[&Row]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut shp = Cursor::new(Vec::new());
    let mut shx = Cursor::new(Vec::new());
    {
        let mut w = ShapeWriter::with_shx(&mut shp, &mut shx);
        for r in rows {
            let written = match (&r.geometry, layer.geometry) {
                (OutGeometry::Point(c), GeomKind::Point) => w.write_shape(&point(c)),
                (OutGeometry::LineString(cs), GeomKind::LineString) => {
                    let mut pts: Vec<Point> = cs.iter().map(point).collect();
                    // Polyline::new wants two points; the layers never
                    // hold fewer, but a panic is never an option.
                    while pts.len() < 2 {
                        pts.push(pts.first().copied().unwrap_or(Point::new(0.0, 0.0)));
                    }
                    w.write_shape(&Polyline::new(pts))
                }
                (OutGeometry::MultiPolygon(m), GeomKind::MultiPolygon) => {
                    // A ring needs three positions; the crate's polygon
                    // also needs one ring at least (it indexes the first).
                    let ring = |r: &geo::LineString<f64>| {
                        (r.0.len() >= 3).then(|| r.0.iter().map(point).collect::<Vec<Point>>())
                    };
                    let mut rings = Vec::new();
                    for p in &m.0 {
                        let Some(outer) = ring(p.exterior()) else {
                            continue;
                        };
                        rings.push(PolygonRing::Outer(outer));
                        rings.extend(
                            p.interiors()
                                .iter()
                                .filter_map(ring)
                                .map(PolygonRing::Inner),
                        );
                    }
                    if rings.is_empty() {
                        return Err(shp_err(layer.name, "a polygon feature without any ring"));
                    }
                    w.write_shape(&Polygon::with_rings(rings))
                }
                _ => {
                    return Err(shp_err(
                        layer.name,
                        "a geometry of another kind than the layer's",
                    ))
                }
            };
            written.map_err(|e| shp_err(layer.name, e))?;
        }
        w.finalize().map_err(|e| shp_err(layer.name, e))?;
    }
    Ok((shp.into_inner(), shx.into_inner()))
}

/// The 100-byte header of a Shapefile (or its index) with no shapes.
/// The crate's writer writes nothing at all for an empty layer, which no
/// reader accepts, so this one header is written here: file code 9994,
/// length 50 sixteen-bit words, version 1000, the shape type, and an
/// all-zero bounding box.
fn empty_shp(kind: GeomKind) -> Vec<u8> {
    let shape_type: i32 = match kind {
        GeomKind::Point => 1,
        GeomKind::LineString => 3,
        GeomKind::MultiPolygon => 5,
    };
    let mut h = Vec::with_capacity(100);
    h.extend_from_slice(&9994i32.to_be_bytes());
    h.extend_from_slice(&[0u8; 20]);
    h.extend_from_slice(&50i32.to_be_bytes());
    h.extend_from_slice(&1000i32.to_le_bytes());
    h.extend_from_slice(&shape_type.to_le_bytes());
    h.extend_from_slice(&[0u8; 64]);
    h
}

/// The files of a layer as a Shapefile, by name.
pub fn files(layer: &Layer) -> Result<Vec<(String, Vec<u8>)>> {
    let (located, unlocated): (Vec<&Row>, Vec<&Row>) = layer
        .rows
        .iter()
        .partition(|r| !matches!(r.geometry, OutGeometry::None));
    let (shp, shx) = if located.is_empty() {
        (empty_shp(layer.geometry), empty_shp(layer.geometry))
    } else {
        shapes(layer, &located)?
    };
    let text = Text::of(layer);
    let mut out = vec![
        (format!("{}.shp", layer.name), shp),
        (format!("{}.shx", layer.name), shx),
        (format!("{}.dbf", layer.name), dbf(layer, &located, text)?),
        (format!("{}.prj", layer.name), WGS84_PRJ.as_bytes().to_vec()),
        (format!("{}.cpg", layer.name), text.cpg().as_bytes().to_vec()),
    ];
    if !unlocated.is_empty() {
        out.push((
            format!("{}_unlocated.dbf", layer.name),
            dbf(layer, &unlocated, text)?,
        ));
        out.push((
            format!("{}_unlocated.cpg", layer.name),
            text.cpg().as_bytes().to_vec(),
        ));
    }
    Ok(out)
}
