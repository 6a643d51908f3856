//! FlatGeobuf output (`<layer>.fgb`), written with the `flatgeobuf` crate:
//! a binary layer with a packed Hilbert R-tree, which QGIS and GDAL read
//! fast even for national layers. Columns carry the layer's own names and
//! types (integer → Long, real → Double, text → String, boolean → Bool);
//! a null is an absent property. The CRS is EPSG:4326. Features come out
//! in the index's Hilbert order, which depends only on the geometries, so
//! the same run gives the same bytes.
//! [`read_rows`] reads a layer back whole (how `compare` reads a run).

use ::flatgeobuf::geozero::error::Result as GeozeroResult;
use ::flatgeobuf::geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};
use ::flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};

use super::geojson::OutGeometry;
use super::table::{Cell, GeomKind, Kind, Layer};
use crate::error::{Error, ErrorKind, Result};

/// A row's geometry as geozero events, the way the FlatGeobuf writer reads
/// geometries. `OutGeometry::None` sends no event: an empty geometry.
struct Geometry<'a>(&'a OutGeometry);

impl GeozeroGeometry for Geometry<'_> {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> GeozeroResult<()> {
        match self.0 {
            OutGeometry::Point(c) => {
                p.point_begin(0)?;
                p.xy(c.x, c.y, 0)?;
                p.point_end(0)
            }
            OutGeometry::LineString(cs) => {
                p.linestring_begin(true, cs.len(), 0)?;
                for (i, c) in cs.iter().enumerate() {
                    p.xy(c.x, c.y, i)?;
                }
                p.linestring_end(true, 0)
            }
            OutGeometry::MultiPolygon(m) => {
                p.multipolygon_begin(m.0.len(), 0)?;
                for (i, poly) in m.0.iter().enumerate() {
                    p.polygon_begin(false, 1 + poly.interiors().len(), i)?;
                    for (j, ring) in std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .enumerate()
                    {
                        p.linestring_begin(false, ring.0.len(), j)?;
                        for (k, c) in ring.0.iter().enumerate() {
                            p.xy(c.x, c.y, k)?;
                        }
                        p.linestring_end(false, j)?;
                    }
                    p.polygon_end(false, i)?;
                }
                p.multipolygon_end(0)
            }
            OutGeometry::None => Ok(()),
        }
    }
}

fn fgb_err(layer: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Output, format!("cannot write {layer}.fgb: {e}"))
}

/// The layer as a FlatGeobuf file.
pub fn bytes(layer: &Layer) -> Result<Vec<u8>> {
    let geometry_type = match layer.geometry {
        GeomKind::Point => GeometryType::Point,
        GeomKind::LineString => GeometryType::LineString,
        GeomKind::MultiPolygon => GeometryType::MultiPolygon,
    };
    let options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: false,
        crs: FgbCrs {
            org: Some("EPSG"),
            code: 4326,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(layer.name, geometry_type, options)
        .map_err(|e| fgb_err(layer.name, e))?;
    for f in &layer.fields {
        let t = match f.kind {
            Kind::Int => ColumnType::Long,
            Kind::Real { .. } => ColumnType::Double,
            Kind::Text => ColumnType::String,
            Kind::Bool => ColumnType::Bool,
        };
        let nullable = f.nullable;
        fgb.add_column(&f.name, t, |_, col| col.nullable = nullable);
    }
    for row in &layer.rows {
        let mut failed = None;
        fgb.add_feature_geom(Geometry(&row.geometry), |w| {
            for (i, (f, cell)) in layer.fields.iter().zip(&row.cells).enumerate() {
                let value = match cell {
                    Cell::Int(v) => ColumnValue::Long(*v),
                    Cell::Real(v) => ColumnValue::Double(*v),
                    Cell::Text(s) => ColumnValue::String(s),
                    Cell::Bool(b) => ColumnValue::Bool(*b),
                    Cell::Null => continue,
                };
                if let Err(e) = w.property(i, &f.name, &value) {
                    failed = Some(e);
                }
            }
        })
        .map_err(|e| fgb_err(layer.name, e))?;
        if let Some(e) = failed {
            return Err(fgb_err(layer.name, e));
        }
    }
    let mut out = Vec::new();
    fgb.write(&mut out).map_err(|e| fgb_err(layer.name, e))?;
    Ok(out)
}

/// A layer read back whole (how `compare` reads a run written as
/// FlatGeobuf): the header's columns, each feature's properties as text
/// cells in that order (an absent property blank) and its point (a run's
/// hubs and schools are points; other geometries and empty ones `None`).
/// A damaged file is an error naming `file`.
pub fn read_rows(bytes: &[u8], file: &str) -> Result<super::table::Rows> {
    use ::flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    let damaged = |e: ::flatgeobuf::Error| {
        Error::new(
            ErrorKind::Format,
            format!("not a readable FlatGeobuf file: {e}"),
        )
        .in_file(file)
    };
    let mut cursor = std::io::Cursor::new(bytes);
    let reader = FgbReader::open(&mut cursor).map_err(damaged)?;
    let columns: Vec<String> = reader
        .header()
        .columns()
        .map(|list| list.iter().map(|c| c.name().to_string()).collect())
        .unwrap_or_default();
    let points = reader.header().geometry_type() == GeometryType::Point;
    let mut features = reader.select_all_seq().map_err(damaged)?;
    let mut rows = Vec::new();
    while let Some(f) = features.next().map_err(damaged)? {
        let mut props = f.properties().map_err(|e| {
            Error::new(
                ErrorKind::Format,
                format!("unreadable FlatGeobuf properties: {e}"),
            )
            .in_file(file)
        })?;
        let cells = columns
            .iter()
            .map(|c| props.remove(c).unwrap_or_default())
            .collect();
        let point = f
            .geometry()
            .filter(|g| points || g.type_() == GeometryType::Point)
            .and_then(|g| g.xy())
            .filter(|xy| xy.len() >= 2)
            .map(|xy| geo::Geometry::Point(geo::Point::new(xy.get(0), xy.get(1))));
        rows.push((cells, point));
    }
    Ok(super::table::Rows { columns, rows })
}
