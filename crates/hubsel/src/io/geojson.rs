//! GeoJSON in (districts, roads) and out (every output layer, RFC 7946).

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

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
/// feature becomes a reject instead of failing the whole file.
fn features(bytes: &[u8], file: &str) -> Result<Vec<Value>> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::new(ErrorKind::Format, format!("not valid JSON: {e}")).in_file(file).at_line(e.line() as u64)
    })?;
    let Value::Object(mut root) = root else {
        return Err(Error::new(ErrorKind::Format, "not a GeoJSON object").in_file(file));
    };
    if let Some(crs) = root.get("crs") {
        let name = crs.pointer("/properties/name").and_then(Value::as_str).unwrap_or("");
        let wgs84 = ["CRS84", "EPSG::4326", "EPSG:4326"].iter().any(|k| name.contains(k));
        if !wgs84 {
            return Err(Error::new(
                ErrorKind::Input,
                format!("coordinate system {name:?} is not WGS 84 longitude/latitude; reproject the file to EPSG:4326"),
            )
            .in_file(file)
            .on_field("crs"));
        }
    }
    match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match root.remove("features") {
            Some(Value::Array(list)) => Ok(list),
            _ => Err(Error::new(ErrorKind::Format, "FeatureCollection without a features array").in_file(file)),
        },
        Some("Feature") => Ok(vec![Value::Object(root)]),
        other => Err(Error::new(
            ErrorKind::Format,
            format!("expected a FeatureCollection, found type {:?}", other.unwrap_or("none")),
        )
        .in_file(file)),
    }
}

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
    let geometry = feature.geometry.ok_or("feature has no geometry")?;
    let geometry = geo::Geometry::<f64>::try_from(geometry).map_err(|e| format!("unusable geometry: {e}"))?;
    Ok((geometry, props))
}

fn all_finite(coords: impl IntoIterator<Item = Coord<f64>>) -> bool {
    coords.into_iter().all(|c| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
}

/// Reads district polygons. Empty or broken polygons become rejects; no
/// usable district at all is a run-level error.
pub fn read_districts(bytes: &[u8], file: &str, fields: &DistrictFields, rejects: &mut Rejects) -> Result<Vec<District>> {
    let mut districts = Vec::new();
    for (i, raw) in features(bytes, file)?.into_iter().enumerate() {
        let source = SourceRef { file: file.to_string(), line: i as u64 + 1 };
        let (geometry, props) = match parse_feature(raw) {
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
                let kind = format!("{other:?}");
                let kind = kind.split('(').next().unwrap_or("other");
                rejects.push(&source, &code, "geometry", format!("expected Polygon or MultiPolygon, found {kind}"), Action::Refused);
                continue;
            }
        };
        let parts: Vec<Polygon<f64>> = multi.0.into_iter().filter(|p| p.exterior().0.len() >= 4).collect();
        if parts.is_empty() {
            rejects.push(&source, &code, "geometry", "empty polygon (no ring with at least 3 distinct points)", Action::Refused);
            continue;
        }
        if !parts.iter().all(|p| all_finite(p.exterior().0.iter().copied().chain(p.interiors().iter().flat_map(|r| r.0.iter().copied())))) {
            rejects.push(&source, &code, "geometry", "polygon coordinates outside longitude/latitude range", Action::Refused);
            continue;
        }
        districts.push(District { code: DistrictCode(code), name, geometry: MultiPolygon::new(parts) });
    }
    if districts.is_empty() {
        return Err(Error::new(ErrorKind::Input, "no usable district polygon").in_file(file));
    }
    Ok(districts)
}

fn parse_oneway(value: Option<&Value>) -> Oneway {
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
pub fn read_roads(bytes: &[u8], file: &str, fields: &RoadFields, rejects: &mut Rejects) -> Result<Vec<Road>> {
    let mut roads = Vec::new();
    for (i, raw) in features(bytes, file)?.into_iter().enumerate() {
        let source = SourceRef { file: file.to_string(), line: i as u64 + 1 };
        let (geometry, props) = match parse_feature(raw) {
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
