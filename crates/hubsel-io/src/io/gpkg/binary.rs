//! GeoPackage geometry blobs (GeoPackage 1.3, clause 2.1.3): a header of
//! `GP`, a version byte, a flags byte, the SRS id and an optional envelope,
//! followed by the geometry as standard WKB (ISO 13249 type codes).
//!
//! Writing: little-endian throughout; an `[minx, maxx, miny, maxy]`
//! envelope on lines and polygons, none on points (whose envelope is the
//! point itself, as GDAL writes them). Reading takes either byte order,
//! any envelope, Z and M (dropped), ISO and EWKB type codes, and checks
//! every count against the bytes left before allocating anything, so that
//! a damaged blob is an error message and never a panic or a huge
//! allocation.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

use crate::io::geojson::OutGeometry;

/// The bounding box of a geometry, in its own coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Envelope {
    pub min_x: f64,
    pub max_x: f64,
    pub min_y: f64,
    pub max_y: f64,
}

impl Envelope {
    fn of(coords: impl IntoIterator<Item = Coord<f64>>) -> Option<Envelope> {
        coords.into_iter().fold(None, |acc, c| {
            Some(match acc {
                None => Envelope {
                    min_x: c.x,
                    max_x: c.x,
                    min_y: c.y,
                    max_y: c.y,
                },
                Some(e) => e.union(&Envelope {
                    min_x: c.x,
                    max_x: c.x,
                    min_y: c.y,
                    max_y: c.y,
                }),
            })
        })
    }

    /// The smallest envelope holding both.
    pub fn union(&self, other: &Envelope) -> Envelope {
        Envelope {
            min_x: self.min_x.min(other.min_x),
            max_x: self.max_x.max(other.max_x),
            min_y: self.min_y.min(other.min_y),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

/// WKB type codes of the simple features used here.
const WKB_POINT: u32 = 1;
const WKB_LINESTRING: u32 = 2;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOINT: u32 = 4;
const WKB_MULTILINESTRING: u32 = 5;
const WKB_MULTIPOLYGON: u32 = 6;
const WKB_COLLECTION: u32 = 7;

/// Flags byte: little-endian (bit 0) and the envelope code (bits 1-3).
const LITTLE_ENDIAN: u8 = 0b0000_0001;
const ENVELOPE_XY: u8 = 0b0000_0010;

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A count as WKB writes it; no output geometry comes near 2³² parts.
fn put_len(out: &mut Vec<u8>, n: usize) {
    put_u32(out, u32::try_from(n).unwrap_or(u32::MAX));
}

fn put_header(out: &mut Vec<u8>, kind: u32) {
    out.push(1);
    put_u32(out, kind);
}

fn put_coords(out: &mut Vec<u8>, coords: &[Coord<f64>]) {
    put_len(out, coords.len());
    for c in coords {
        put_f64(out, c.x);
        put_f64(out, c.y);
    }
}

fn put_polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    put_header(out, WKB_POLYGON);
    put_len(out, 1 + polygon.interiors().len());
    put_coords(out, &polygon.exterior().0);
    for ring in polygon.interiors() {
        put_coords(out, &ring.0);
    }
}

/// An output geometry as a GeoPackage blob in `srs_id`, with its envelope;
/// `None` for a feature without a location (stored as NULL, which the
/// R-tree leaves out).
pub fn encode(geometry: &OutGeometry, srs_id: i32) -> Option<(Vec<u8>, Envelope)> {
    let (kind, envelope) = match geometry {
        OutGeometry::Point(c) => (WKB_POINT, Envelope::of([*c])?),
        OutGeometry::LineString(cs) => (WKB_LINESTRING, Envelope::of(cs.iter().copied())?),
        OutGeometry::MultiPolygon(m) => (
            WKB_MULTIPOLYGON,
            Envelope::of(m.0.iter().flat_map(|p| p.exterior().0.iter().copied()))?,
        ),
        OutGeometry::None => return None,
    };
    let mut out = b"GP\0".to_vec();
    if kind == WKB_POINT {
        out.push(LITTLE_ENDIAN);
        out.extend_from_slice(&srs_id.to_le_bytes());
    } else {
        out.push(LITTLE_ENDIAN | ENVELOPE_XY);
        out.extend_from_slice(&srs_id.to_le_bytes());
        for v in [
            envelope.min_x,
            envelope.max_x,
            envelope.min_y,
            envelope.max_y,
        ] {
            put_f64(&mut out, v);
        }
    }
    match geometry {
        OutGeometry::Point(c) => {
            put_header(&mut out, WKB_POINT);
            put_f64(&mut out, c.x);
            put_f64(&mut out, c.y);
        }
        OutGeometry::LineString(cs) => {
            put_header(&mut out, WKB_LINESTRING);
            put_coords(&mut out, cs);
        }
        OutGeometry::MultiPolygon(m) => {
            put_header(&mut out, WKB_MULTIPOLYGON);
            put_len(&mut out, m.0.len());
            for p in &m.0 {
                put_polygon(&mut out, p);
            }
        }
        OutGeometry::None => return None,
    }
    Some((out, envelope))
}

/// Reads a GeoPackage blob: `Ok(None)` for an empty geometry, else the
/// geometry in the file's coordinates (x, y only), or why it cannot be read.
pub fn decode(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("not a GeoPackage geometry (no GP header)".into());
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err("an extended GeoPackage geometry (not a standard one)".into());
    }
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => {
            return Err(format!(
                "invalid envelope code {code} in the geometry header"
            ))
        }
    };
    let empty = flags & 0b0001_0000 != 0;
    let wkb = blob
        .get(8 + envelope_len..)
        .ok_or("the geometry ends inside its header")?;
    let mut reader = Wkb { bytes: wkb, at: 0 };
    let geometry = reader.geometry(0)?;
    Ok(geometry.filter(|_| !empty))
}

/// Nesting deeper than this (collections of collections …) is refused.
const MAX_DEPTH: usize = 8;

/// A cursor over WKB bytes.
struct Wkb<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The byte order and the number of coordinates per position of one WKB
/// geometry.
#[derive(Clone, Copy)]
struct Layout {
    little: bool,
    dims: usize,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.at.checked_add(N).filter(|&e| e <= self.bytes.len());
        let slice = end
            .and_then(|e| self.bytes.get(self.at..e))
            .ok_or("the geometry ends early")?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        self.at += N;
        Ok(out)
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `each` bytes, refused when the bytes
    /// left cannot hold that many.
    fn count(&mut self, little: bool, each: usize) -> Result<usize, String> {
        let n = self.u32(little)? as usize;
        let left = self.bytes.len().saturating_sub(self.at);
        if n.saturating_mul(each) > left {
            return Err(format!(
                "the geometry claims {n} parts but holds only {left} more bytes"
            ));
        }
        Ok(n)
    }

    /// A position's x and y (Z and M read and dropped).
    fn coord(&mut self, layout: Layout) -> Result<Coord<f64>, String> {
        let x = self.f64(layout.little)?;
        let y = self.f64(layout.little)?;
        for _ in 2..layout.dims {
            self.f64(layout.little)?;
        }
        Ok(Coord { x, y })
    }

    fn coords(&mut self, layout: Layout) -> Result<Vec<Coord<f64>>, String> {
        let n = self.count(layout.little, 8 * layout.dims)?;
        (0..n).map(|_| self.coord(layout)).collect()
    }

    /// The byte order and type of the next geometry: its base type (1-7)
    /// and layout. ISO codes (1000s for Z, 2000s for M, 3000s for ZM) and
    /// EWKB flags both work; an EWKB SRID is skipped.
    fn header(&mut self) -> Result<(u32, Layout), String> {
        let little = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            other => return Err(format!("invalid WKB byte order {other}")),
        };
        let raw = self.u32(little)?;
        let (z_flag, m_flag) = (raw & 0x8000_0000 != 0, raw & 0x4000_0000 != 0);
        if raw & 0x2000_0000 != 0 {
            self.u32(little)?;
        }
        let code = raw & 0x0FFF_FFFF;
        let (base, iso_dims) = (code % 1000, code / 1000);
        let dims = match iso_dims {
            0 => 2 + usize::from(z_flag) + usize::from(m_flag),
            1 | 2 => 3,
            3 => 4,
            _ => return Err(format!("unsupported WKB geometry type {raw}")),
        };
        Ok((base, Layout { little, dims }))
    }

    /// The next geometry; `None` when it is empty (a point of NaN, a
    /// collection with no member).
    fn geometry(&mut self, depth: usize) -> Result<Option<Geometry<f64>>, String> {
        if depth > MAX_DEPTH {
            return Err("geometry nested too deep".into());
        }
        let (base, layout) = self.header()?;
        let geometry: Geometry<f64> = match base {
            WKB_POINT => {
                let c = self.coord(layout)?;
                if c.x.is_nan() && c.y.is_nan() {
                    return Ok(None);
                }
                Point(c).into()
            }
            WKB_LINESTRING => LineString::new(self.coords(layout)?).into(),
            WKB_POLYGON => self.polygon(layout)?.into(),
            WKB_MULTIPOINT | WKB_MULTILINESTRING | WKB_MULTIPOLYGON | WKB_COLLECTION => {
                self.collection(base, layout, depth)?
            }
            _ => return Err(format!("unsupported WKB geometry type {base}")),
        };
        Ok(Some(geometry))
    }

    fn polygon(&mut self, layout: Layout) -> Result<Polygon<f64>, String> {
        let n = self.count(layout.little, 4)?;
        let mut rings = (0..n)
            .map(|_| self.coords(layout).map(LineString::new))
            .collect::<Result<Vec<_>, String>>()?
            .into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// A multi-geometry or collection: its members, each of the right type
    /// (empty members left out).
    fn collection(
        &mut self,
        base: u32,
        layout: Layout,
        depth: usize,
    ) -> Result<Geometry<f64>, String> {
        // Each member has at least a byte order and a type: 5 bytes.
        let n = self.count(layout.little, 5)?;
        let mut members = Vec::with_capacity(n);
        for _ in 0..n {
            if let Some(g) = self.geometry(depth + 1)? {
                members.push(g);
            }
        }
        let wrong = |what: &str| format!("a Multi{what} holding another type of geometry");
        Ok(match base {
            WKB_MULTIPOINT => MultiPoint::new(
                members
                    .into_iter()
                    .map(|g| Point::try_from(g).map_err(|_| wrong("Point")))
                    .collect::<Result<_, _>>()?,
            )
            .into(),
            WKB_MULTILINESTRING => MultiLineString::new(
                members
                    .into_iter()
                    .map(|g| LineString::try_from(g).map_err(|_| wrong("LineString")))
                    .collect::<Result<_, _>>()?,
            )
            .into(),
            WKB_MULTIPOLYGON => MultiPolygon::new(
                members
                    .into_iter()
                    .map(|g| Polygon::try_from(g).map_err(|_| wrong("Polygon")))
                    .collect::<Result<_, _>>()?,
            )
            .into(),
            _ => Geometry::GeometryCollection(GeometryCollection::new_from(members)),
        })
    }
}

/// The name of a geometry's type, for messages.
pub fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) | Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn what_is_written_reads_back() {
        let square = LineString::new(vec![
            c(99.0, 18.0),
            c(99.1, 18.0),
            c(99.1, 18.1),
            c(99.0, 18.0),
        ]);
        let hole = LineString::new(vec![
            c(99.05, 18.02),
            c(99.06, 18.02),
            c(99.06, 18.03),
            c(99.05, 18.02),
        ]);
        let multi = MultiPolygon::new(vec![Polygon::new(square, vec![hole])]);
        let cases = [
            OutGeometry::Point(c(98.9, 18.7)),
            OutGeometry::LineString(vec![c(98.9, 18.7), c(99.0, 18.8)]),
            OutGeometry::MultiPolygon(multi.clone()),
        ];
        let expected: [Geometry<f64>; 3] = [
            Point(c(98.9, 18.7)).into(),
            LineString::new(vec![c(98.9, 18.7), c(99.0, 18.8)]).into(),
            multi.into(),
        ];
        for (g, want) in cases.iter().zip(expected) {
            let (blob, envelope) = encode(g, 4326).unwrap();
            assert_eq!(&blob[..3], b"GP\0");
            assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4326);
            assert_eq!(decode(&blob).unwrap(), Some(want));
            assert!(envelope.min_x <= envelope.max_x && envelope.min_y <= envelope.max_y);
        }
        assert!(encode(&OutGeometry::None, 4326).is_none());
    }

    #[test]
    fn big_endian_z_and_empty_points_read() {
        // GP header, big-endian, no envelope; WKB big-endian PointZ (1001).
        let mut blob = b"GP\0\0".to_vec();
        blob.extend_from_slice(&32647i32.to_be_bytes());
        blob.push(0);
        blob.extend_from_slice(&1001u32.to_be_bytes());
        for v in [500_000.0f64, 2_000_000.0, 12.0] {
            blob.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            decode(&blob).unwrap(),
            Some(Point(c(500_000.0, 2_000_000.0)).into())
        );
        let mut empty = b"GP\0\x01".to_vec();
        empty.extend_from_slice(&4326i32.to_le_bytes());
        empty.push(1);
        empty.extend_from_slice(&1u32.to_le_bytes());
        empty.extend_from_slice(&f64::NAN.to_le_bytes());
        empty.extend_from_slice(&f64::NAN.to_le_bytes());
        assert_eq!(decode(&empty).unwrap(), None);
    }

    #[test]
    fn damaged_blobs_are_errors_not_panics() {
        let (good, _) = encode(
            &OutGeometry::LineString(vec![c(1.0, 2.0), c(3.0, 4.0), c(5.0, 6.0)]),
            4326,
        )
        .unwrap();
        // Every truncation, and every single byte changed, either reads or
        // says why not.
        for n in 0..good.len() {
            assert!(decode(&good[..n]).is_err(), "cut at {n}");
        }
        for i in 0..good.len() {
            for v in [0u8, 1, 7, 0x7F, 0xFF] {
                let mut bad = good.clone();
                bad[i] = v;
                let _ = decode(&bad);
            }
        }
        // A count far beyond the bytes is refused before any allocation.
        let mut huge = good[..8 + 32 + 5].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        let err = decode(&huge).unwrap_err();
        assert!(err.contains("claims"), "{err}");
        assert_eq!(
            decode(b"XX\0\x01\0\0\0\0").unwrap_err(),
            "not a GeoPackage geometry (no GP header)"
        );
    }
}
