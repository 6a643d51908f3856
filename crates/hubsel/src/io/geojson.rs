//! GeoJSON in (districts, roads) and out (every output layer, RFC 7946).

use geo::{Coord, LineString, MultiPolygon};
use serde_json::{Map, Value};

use super::crs::{Crs, Reprojector};
use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{District, DistrictCode, Oneway, Road, SourceRef};
use crate::validate::{Action, Rejects};

/// Property names to look for, first present wins (case-sensitive, as
/// GeoJSON properties are).
#[derive(Clone, Debug)]
pub struct DistrictFields {
    pub code: Vec<String>,
    pub name: Vec<String>,
}

impl Default for DistrictFields {
    fn default() -> Self {
        DistrictFields {
            code: ["code", "amp_code", "district", "ADM2_PCODE", "id"].map(String::from).to_vec(),
            name: ["name_en", "amp_en", "name", "name_th", "amp_th", "ADM2_EN"].map(String::from).to_vec(),
        }
    }
}

/// Property names for roads.
#[derive(Clone, Debug)]
pub struct RoadFields {
    pub class: Vec<String>,
    pub oneway: Vec<String>,
    pub maxspeed: Vec<String>,
}

impl Default for RoadFields {
    fn default() -> Self {
        RoadFields {
            class: ["class", "highway", "fclass", "type"].map(String::from).to_vec(),
            oneway: ["oneway"].map(String::from).to_vec(),
            maxspeed: ["maxspeed", "speed", "speed_kmh"].map(String::from).to_vec(),
        }
    }
}

/// The features of a FeatureCollection, each still raw so that one broken
/// feature becomes a reject instead of failing the whole file, and the
/// coordinate system of a legacy (2008) `crs` member if there is one.
fn features(bytes: &[u8], file: &str) -> Result<(Vec<Value>, Option<Crs>)> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::new(ErrorKind::Format, format!("not valid JSON: {e}")).in_file(file).at_line(e.line() as u64)
    })?;
    let Value::Object(mut root) = root else {
        return Err(Error::new(ErrorKind::Format, "not a GeoJSON object").in_file(file));
    };
    let crs = match root.get("crs") {
        None | Some(Value::Null) => None,
        Some(crs) => {
            let name = crs.pointer("/properties/name").and_then(Value::as_str).unwrap_or("");
            Some(Crs::parse(name).map_err(|e| {
                Error::new(ErrorKind::Input, format!("{} in the crs member", e.message())).in_file(file).on_field("crs")
            })?)
        }
    };
    let list = match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match root.remove("features") {
            Some(Value::Array(list)) => list,
            _ => return Err(Error::new(ErrorKind::Format, "FeatureCollection without a features array").in_file(file)),
        },
        Some("Feature") => vec![Value::Object(root)],
        other => {
            return Err(Error::new(
                ErrorKind::Format,
                format!("expected a FeatureCollection, found type {:?}", other.unwrap_or("none")),
            )
            .in_file(file))
        }
    };
    Ok((list, crs))
}

/// The converter for a file: its own `crs` member wins, else `default`
/// (the `--crs` flag, or WGS 84 as RFC 7946 says).
fn converter(own: Option<Crs>, default: &Crs) -> Result<Reprojector> {
    own.as_ref().unwrap_or(default).to_wgs84()
}

/// Converts every position of a geometry to WGS 84.
fn reproject(geometry: geo::Geometry<f64>, to_wgs84: &Reprojector) -> std::result::Result<geo::Geometry<f64>, String> {
    use geo::MapCoords;
    if to_wgs84.is_identity() {
        return Ok(geometry);
    }
    geometry.try_map_coords(|c: Coord<f64>| {
        to_wgs84
            .convert(c.x, c.y)
            .map(|(x, y)| Coord { x, y })
            .ok_or_else(|| format!("coordinates ({}, {}) cannot be converted from {} to WGS 84", c.x, c.y, to_wgs84.name()))
    })
}

/// A property as a text cell (numbers as JSON writes them).
fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads school points. Features without a usable point become rejects;
/// the table's columns are the properties, in first-seen order.
pub fn read_schools(bytes: &[u8], file: &str, columns: &SchoolColumns, default_crs: &Crs, extent: Option<geo::Rect<f64>>, fix_swapped: bool) -> Result<SchoolTable> {
    let (list, crs) = features(bytes, file)?;
    let to_wgs84 = converter(crs, default_crs)?;
    let mut headers: Vec<String> = Vec::new();
    let mut parsed = Vec::with_capacity(list.len());
    for (i, raw) in list.into_iter().enumerate() {
        let source = SourceRef { file: file.to_string(), line: i as u64 + 1 };
        let props = raw.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        for k in props.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        let position = match parse_feature(raw) {
            Ok((geo::Geometry::Point(p), _)) => Ok((p.x(), p.y())),
            Ok((geo::Geometry::MultiPoint(m), _)) if m.0.len() == 1 => Ok((m.0[0].x(), m.0[0].y())),
            Ok((other, _)) => Err(format!("expected a Point, found {}", geometry_kind(&other))),
            Err(reason) if reason == NO_GEOMETRY => Err("missing coordinates: the feature has no geometry".to_string()),
            Err(reason) => Err(reason),
        };
        parsed.push((source, props, position));
    }
    let rows = parsed
        .into_iter()
        .map(|(source, props, position)| RawRow {
            source,
            cells: headers.iter().map(|h| props.get(h).map(cell_text).unwrap_or_default()).collect(),
            position: Position::Geometry(position),
        })
        .collect();
    let placement = Placement { to_wgs84: &to_wgs84, extent, fix_swapped };
    schools::build(file, &headers, rows, columns, &placement, Format::default())
}

fn geometry_kind(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) | geo::Geometry::Rect(_) | geo::Geometry::Triangle(_) => "Polygon",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

const NO_GEOMETRY: &str = "feature has no geometry";

fn property_text(props: &Map<String, Value>, names: &[String]) -> Option<String> {
    names.iter().find_map(|n| match props.get(n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(v)) => Some(v.to_string()),
        _ => None,
    })
}

/// A parsed feature: its geometry and properties.
fn parse_feature(raw: Value) -> std::result::Result<(geo::Geometry<f64>, Map<String, Value>), String> {
    let feature: geojson::Feature = serde_json::from_value(raw).map_err(|e| format!("not a GeoJSON feature: {e}"))?;
    let props = feature.properties.unwrap_or_default();
    let geometry = feature.geometry.ok_or(NO_GEOMETRY)?;
    let geometry = geo::Geometry::<f64>::try_from(geometry).map_err(|e| format!("unusable geometry: {e}"))?;
    Ok((geometry, props))
}

fn all_finite(coords: impl IntoIterator<Item = Coord<f64>>) -> bool {
    coords.into_iter().all(|c| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
}

/// Reads district polygons. Empty or broken polygons become rejects (no
/// usable district at all is a run-level error of [`super::load`]).
pub fn read_districts(bytes: &[u8], file: &str, fields: &DistrictFields, default_crs: &Crs, rejects: &mut Rejects) -> Result<Vec<District>> {
    let mut districts = Vec::new();
    let (list, crs) = features(bytes, file)?;
    let to_wgs84 = converter(crs, default_crs)?;
    for (i, raw) in list.into_iter().enumerate() {
        let source = SourceRef { file: file.to_string(), line: i as u64 + 1 };
        let (geometry, props) = match parse_feature(raw).and_then(|(g, p)| Ok((reproject(g, &to_wgs84)?, p))) {
            Ok(parsed) => parsed,
            Err(reason) => {
                rejects.push(&source, "", "geometry", reason, Action::Refused);
                continue;
            }
        };
        let code = property_text(&props, &fields.code).unwrap_or_default();
        if code.is_empty() {
            rejects.push(&source, "", &fields.code[0], "district without a code", Action::Refused);
            continue;
        }
        let name = property_text(&props, &fields.name).unwrap_or_else(|| code.clone());
        let multi = match geometry {
            geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            other => {
                let kind = geometry_kind(&other);
                rejects.push(&source, &code, "geometry", format!("expected Polygon or MultiPolygon, found {kind}"), Action::Refused);
                continue;
            }
        };
        let Some(geometry) = super::polygons::check_district(multi, &code, &source, rejects) else {
            continue;
        };
        districts.push(District { code: DistrictCode(code), name, geometry });
    }
    Ok(districts)
}

pub(crate) fn parse_oneway(value: Option<&Value>) -> Oneway {
    match value {
        Some(Value::Bool(true)) => Oneway::Forward,
        Some(Value::Number(n)) if n.as_f64() == Some(1.0) => Oneway::Forward,
        Some(Value::Number(n)) if n.as_f64() == Some(-1.0) => Oneway::Backward,
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "f" | "ft" => Oneway::Forward,
            "-1" | "reverse" | "t" | "tf" => Oneway::Backward,
            _ => Oneway::No,
        },
        _ => Oneway::No,
    }
}

/// Reads a speed in km/h from a number or text such as `"50"`, `"50 km/h"`
/// or `"30 mph"`.
pub fn parse_speed_kmh(value: &Value) -> Option<f64> {
    let kmh = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let t = s.trim().to_ascii_lowercase();
            if let Some(mph) = t.strip_suffix("mph") {
                mph.trim().parse::<f64>().ok().map(|v| v * 1.609_344)
            } else {
                t.trim_end_matches("km/h").trim_end_matches("kmh").trim().parse::<f64>().ok()
            }
        }
        _ => None,
    };
    kmh.filter(|v| v.is_finite() && *v > 0.0)
}

/// Reads road lines (LineString or MultiLineString features).
pub fn read_roads(bytes: &[u8], file: &str, fields: &RoadFields, default_crs: &Crs, rejects: &mut Rejects) -> Result<Vec<Road>> {
    let mut roads = Vec::new();
    let (list, crs) = features(bytes, file)?;
    let to_wgs84 = converter(crs, default_crs)?;
    for (i, raw) in list.into_iter().enumerate() {
        let source = SourceRef { file: file.to_string(), line: i as u64 + 1 };
        let (geometry, props) = match parse_feature(raw).and_then(|(g, p)| Ok((reproject(g, &to_wgs84)?, p))) {
            Ok(parsed) => parsed,
            Err(reason) => {
                rejects.push(&source, "", "geometry", reason, Action::Refused);
                continue;
            }
        };
        let class = property_text(&props, &fields.class).unwrap_or_else(|| "unclassified".to_string());
        let oneway = parse_oneway(fields.oneway.iter().find_map(|n| props.get(n)));
        let maxspeed_kmh = fields.maxspeed.iter().find_map(|n| props.get(n)).and_then(parse_speed_kmh);
        let lines: Vec<LineString<f64>> = match geometry {
            geo::Geometry::LineString(l) => vec![l],
            geo::Geometry::MultiLineString(m) => m.0,
            _ => {
                rejects.push(&source, "", "geometry", "road geometry is not a LineString or MultiLineString", Action::Refused);
                continue;
            }
        };
        for line in lines {
            if !all_finite(line.0.iter().copied()) {
                rejects.push(&source, "", "geometry", "road coordinates outside longitude/latitude range", Action::Refused);
                continue;
            }
            let mut coords = line.0;
            coords.dedup();
            if coords.len() < 2 {
                rejects.push(&source, "", "geometry", "road line with fewer than 2 distinct points", Action::Refused);
                continue;
            }
            roads.push(Road { geometry: LineString::new(coords), class: class.clone(), maxspeed_kmh, oneway });
        }
    }
    Ok(roads)
}

/// Rounds a coordinate to 7 decimals (about 1 cm), as RFC 7946 suggests.
pub fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Geometries the output layers use.
#[derive(Clone, Debug)]
pub enum OutGeometry {
    Point(Coord<f64>),
    LineString(Vec<Coord<f64>>),
    MultiPolygon(MultiPolygon<f64>),
    /// A feature without a location (a school whose coordinates were unusable).
    None,
}

/// Writes a FeatureCollection by RFC 7946: WGS 84, no `crs`, coordinates
/// rounded to 7 decimals, exterior rings counter-clockwise and holes
/// clockwise, a `bbox` on the collection, one feature per line.
#[derive(Default)]
pub struct LayerWriter {
    features: Vec<String>,
    bbox: Option<[f64; 4]>,
}

impl LayerWriter {
    pub fn new() -> Self {
        LayerWriter::default()
    }

    fn extend_bbox(&mut self, c: Coord<f64>) {
        let (x, y) = (round7(c.x), round7(c.y));
        let b = self.bbox.get_or_insert([x, y, x, y]);
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    }

    fn position(c: Coord<f64>) -> Value {
        Value::from(vec![round7(c.x), round7(c.y)])
    }

    fn ring(ring: &LineString<f64>, counter_clockwise: bool) -> Value {
        use geo::Winding;
        let mut ring = ring.clone();
        if counter_clockwise {
            ring.make_ccw_winding();
        } else {
            ring.make_cw_winding();
        }
        Value::Array(ring.0.iter().map(|c| Self::position(*c)).collect())
    }

    pub fn push(&mut self, geometry: &OutGeometry, properties: Map<String, Value>) {
        let geometry = match geometry {
            OutGeometry::Point(c) => {
                self.extend_bbox(*c);
                serde_json::json!({"type": "Point", "coordinates": Self::position(*c)})
            }
            OutGeometry::LineString(cs) => {
                cs.iter().for_each(|c| self.extend_bbox(*c));
                let coords: Vec<Value> = cs.iter().map(|c| Self::position(*c)).collect();
                serde_json::json!({"type": "LineString", "coordinates": coords})
            }
            OutGeometry::MultiPolygon(m) => {
                m.0.iter().flat_map(|p| p.exterior().0.iter()).for_each(|c| self.extend_bbox(*c));
                let polys: Vec<Value> = m
                    .0
                    .iter()
                    .map(|p| {
                        let mut rings = vec![Self::ring(p.exterior(), true)];
                        rings.extend(p.interiors().iter().map(|r| Self::ring(r, false)));
                        Value::Array(rings)
                    })
                    .collect();
                serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
            }
            OutGeometry::None => Value::Null,
        };
        let feature = serde_json::json!({"type": "Feature", "properties": properties, "geometry": geometry});
        self.features.push(feature.to_string());
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The whole collection as text.
    pub fn finish(self) -> String {
        let mut out = String::from("{\"type\":\"FeatureCollection\"");
        if let Some(b) = self.bbox {
            out.push_str(&format!(",\"bbox\":{}", Value::from(b.to_vec())));
        }
        out.push_str(",\"features\":[\n");
        out.push_str(&self.features.join(",\n"));
        out.push_str("\n]}\n");
        out
    }
}
