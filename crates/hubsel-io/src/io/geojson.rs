//! GeoJSON in (districts, roads) and out (every output layer, RFC 7946).

use geo::{Coord, LineString, MultiPolygon};
use serde_json::{Map, Value};

use super::crs::{Crs, Reprojector};
use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use super::table::{Cell, Layer, Row};
use crate::error::{quote, Error, ErrorKind, Result};
use crate::model::{Action, Reason, Rejects};
use crate::model::{District, DistrictCode, Oneway, Road, SourceRef};

/// Property names to look for, first present wins (case-sensitive, as
/// GeoJSON properties are).
#[derive(Clone, Debug)]
pub struct DistrictFields {
    pub code: Vec<String>,
    pub name: Vec<String>,
    /// Names the user chose (by a flag): each must exist in the file.
    pub given: Vec<String>,
}

impl Default for DistrictFields {
    fn default() -> Self {
        DistrictFields {
            code: ["code", "amp_code", "district", "ADM2_PCODE", "id"]
                .map(String::from)
                .to_vec(),
            name: ["name_en", "amp_en", "name", "name_th", "amp_th", "ADM2_EN"]
                .map(String::from)
                .to_vec(),
            given: Vec::new(),
        }
    }
}

/// Property names for roads.
#[derive(Clone, Debug)]
pub struct RoadFields {
    pub class: Vec<String>,
    pub oneway: Vec<String>,
    pub maxspeed: Vec<String>,
    /// Names the user chose (by a flag): each must exist in the file.
    pub given: Vec<String>,
}

impl Default for RoadFields {
    fn default() -> Self {
        RoadFields {
            class: ["class", "highway", "fclass", "type"]
                .map(String::from)
                .to_vec(),
            oneway: ["oneway"].map(String::from).to_vec(),
            // maxspeed_k and speed_limi: the names GDAL leaves in a DBF
            // (10 characters) of maxspeed_kmh and speed_limit.
            maxspeed: [
                "maxspeed",
                "maxspeed_kmh",
                "max_speed",
                "max_speed_kmh",
                "speed",
                "speed_kmh",
                "speedlimit",
                "speed_limit",
                "maxspeed_k",
                "max_speed_",
                "speed_limi",
            ]
            .map(String::from)
            .to_vec(),
            given: Vec::new(),
        }
    }
}

/// Notes on road columns that look like speeds (their name holds `speed`,
/// `kmh` or `mph`) but are not the one read: a data set converted by a GIS
/// tool may carry its speeds under another name, and ignoring them silently
/// would change every travel time.
pub fn unread_speed_columns(columns: &[String], fields: &RoadFields, file: &str) -> Vec<String> {
    let pick = |names: &[String]| {
        names
            .iter()
            .find_map(|n| columns.iter().find(|c| c.eq_ignore_ascii_case(n)))
    };
    let used: Vec<&String> = [&fields.class, &fields.oneway, &fields.maxspeed]
        .into_iter()
        .filter_map(|names| pick(names))
        .collect();
    let read = pick(&fields.maxspeed);
    columns
        .iter()
        .filter(|c| !used.contains(c))
        .filter(|c| {
            let l = c.to_lowercase();
            ["speed", "kmh", "km_h", "kph", "mph", "velocity"]
                .iter()
                .any(|w| l.contains(w))
        })
        .map(|c| match read {
            Some(r) => format!(
                "{file}: road speeds are read from the column {}; the column {} is not read (name it with --speed-col to use it instead)",
                quote(r),
                quote(c)
            ),
            None => format!(
                "{file}: the road column {} looks like a speed but is not read: travel times use the speeds per class; name it with --speed-col {c} to use it",
                quote(c)
            ),
        })
        .collect()
}

/// A property by the first of `names` present, compared ignoring case
/// (an exact match first).
fn prop<'a>(props: &'a Map<String, Value>, names: &[String]) -> Option<&'a Value> {
    names.iter().find_map(|n| {
        props.get(n).or_else(|| {
            props
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v)
        })
    })
}

/// A run-level error when a column the user named is in no feature.
pub fn check_given(given: &[String], seen: &[String], file: &str) -> Result<()> {
    match given
        .iter()
        .find(|g| !seen.iter().any(|s| s.eq_ignore_ascii_case(g)))
    {
        None => Ok(()),
        Some(missing) => Err(Error::new(
            ErrorKind::Input,
            format!(
                "no column named {} (named with a flag); the file has: {}",
                crate::error::quote(missing),
                seen.join(", ")
            ),
        )
        .in_file(file)
        .on_field(missing.clone())),
    }
}

/// Adds the property names of a raw feature to `seen`.
fn note_keys(raw: &Value, seen: &mut Vec<String>) {
    if let Some(props) = raw.get("properties").and_then(Value::as_object) {
        for k in props.keys() {
            if !seen.contains(k) {
                seen.push(k.clone());
            }
        }
    }
}

/// The members of a GeoJSON root that matter before its features.
#[derive(serde::Deserialize)]
struct Skeleton {
    #[serde(rename = "type")]
    kind: Option<String>,
    crs: Option<Value>,
}

/// Visits the `features` array of a FeatureCollection one feature at a
/// time, skipping every other member without building it.
struct FeaturesOf<'f, F>(&'f mut F);

impl<'de, F: FnMut(Value)> serde::de::DeserializeSeed<'de> for FeaturesOf<'_, F> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Value)> serde::de::Visitor<'de> for FeaturesOf<'_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                map.next_value_seed(FeatureList(&mut *self.0))?;
                found = true;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

struct FeatureList<'f, F>(&'f mut F);

impl<'de, F: FnMut(Value)> serde::de::DeserializeSeed<'de> for FeatureList<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Value)> serde::de::Visitor<'de> for FeatureList<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(feature) = seq.next_element::<Value>()? {
            (self.0)(feature);
        }
        Ok(())
    }
}

/// Calls `each` with the 0-based index and the raw value of every feature
/// (raw, so that one broken feature becomes a reject instead of failing
/// the whole file), and the converter to WGS 84, which it also returns:
/// the legacy (2008) `crs` member's system when there is one, else
/// `default_crs`.
///
/// The file is parsed twice, never whole into memory: once for the root's
/// `type` and `crs` (skipping the features), then feature by feature.
fn for_each_feature(
    bytes: &[u8],
    file: &str,
    default_crs: &Crs,
    mut each: impl FnMut(usize, Value, &Reprojector),
) -> Result<Reprojector> {
    let json_error = |e: serde_json::Error| {
        Error::new(ErrorKind::Format, format!("not valid JSON: {e}"))
            .in_file(file)
            .at_line(e.line() as u64)
    };
    let skeleton: Skeleton = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            Error::new(ErrorKind::Format, "not a GeoJSON object").in_file(file)
        } else {
            json_error(e)
        }
    })?;
    let own = match skeleton.crs {
        None | Some(Value::Null) => None,
        Some(crs) => {
            let name = crs
                .pointer("/properties/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            Some(Crs::parse(name).map_err(|e| {
                Error::new(
                    ErrorKind::Input,
                    format!("{} in the crs member", e.message()),
                )
                .in_file(file)
                .on_field("crs")
            })?)
        }
    };
    let to_wgs84 = own.as_ref().unwrap_or(default_crs).to_wgs84()?;
    match skeleton.kind.as_deref() {
        Some("FeatureCollection") => {
            let mut i = 0;
            let mut visit = |feature: Value| {
                each(i, feature, &to_wgs84);
                i += 1;
            };
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let found = serde::de::DeserializeSeed::deserialize(FeaturesOf(&mut visit), &mut de)
                .map_err(json_error)?;
            if !found {
                return Err(Error::new(
                    ErrorKind::Format,
                    "FeatureCollection without a features array",
                )
                .in_file(file));
            }
            Ok(to_wgs84)
        }
        Some("Feature") => {
            let feature: Value = serde_json::from_slice(bytes).map_err(json_error)?;
            each(0, feature, &to_wgs84);
            Ok(to_wgs84)
        }
        other => Err(Error::new(
            ErrorKind::Format,
            format!(
                "expected a FeatureCollection, found type {}",
                crate::error::quote(other.unwrap_or("none"))
            ),
        )
        .in_file(file)),
    }
}

/// Converts every position of a geometry to WGS 84.
fn reproject(
    geometry: geo::Geometry<f64>,
    to_wgs84: &Reprojector,
) -> std::result::Result<geo::Geometry<f64>, String> {
    use geo::MapCoords;
    if to_wgs84.is_identity() {
        return Ok(geometry);
    }
    geometry.try_map_coords(|c: Coord<f64>| {
        to_wgs84
            .convert(c.x, c.y)
            .map(|(x, y)| Coord { x, y })
            .ok_or_else(|| {
                format!(
                    "coordinates ({}, {}) cannot be converted from {} to WGS 84",
                    c.x,
                    c.y,
                    to_wgs84.name()
                )
            })
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
pub fn read_schools(
    bytes: &[u8],
    file: &str,
    columns: &SchoolColumns,
    default_crs: &Crs,
    extent: Option<geo::Rect<f64>>,
    fix_swapped: bool,
) -> Result<SchoolTable> {
    let mut headers: Vec<String> = Vec::new();
    let mut parsed = Vec::new();
    let to_wgs84 = for_each_feature(bytes, file, default_crs, |i, raw, _| {
        let source = SourceRef {
            file: file.to_string(),
            line: i as u64 + 1,
        };
        let props = raw
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for k in props.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        let position = match parse_feature(raw) {
            Ok((geo::Geometry::Point(p), _)) => Ok((p.x(), p.y())),
            Ok((geo::Geometry::MultiPoint(m), _)) if m.0.len() == 1 => Ok((m.0[0].x(), m.0[0].y())),
            Ok((other, _)) => Err(format!("expected a Point, found {}", geometry_kind(&other))),
            Err(reason) if reason == NO_GEOMETRY => {
                Err("missing coordinates: the feature has no geometry".to_string())
            }
            Err(reason) => Err(reason),
        };
        parsed.push((source, props, position));
    })?;
    let rows = parsed
        .into_iter()
        .map(|(source, props, position)| RawRow {
            source,
            cells: headers
                .iter()
                .map(|h| props.get(h).map(cell_text).unwrap_or_default())
                .collect(),
            position: Position::Geometry(position),
        })
        .collect();
    let placement = Placement {
        to_wgs84: &to_wgs84,
        extent,
        fix_swapped,
    };
    schools::build(file, &headers, rows, columns, &placement, Format::default())
}

fn geometry_kind(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) | geo::Geometry::Rect(_) | geo::Geometry::Triangle(_) => {
            "Polygon"
        }
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

const NO_GEOMETRY: &str = "feature has no geometry";

fn property_text(props: &Map<String, Value>, names: &[String]) -> Option<String> {
    names
        .iter()
        .find_map(|n| match prop(props, std::slice::from_ref(n)) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(v)) => Some(v.to_string()),
            _ => None,
        })
}

/// A parsed feature: its geometry and properties.
fn parse_feature(
    raw: Value,
) -> std::result::Result<(geo::Geometry<f64>, Map<String, Value>), String> {
    let feature: geojson::Feature =
        serde_json::from_value(raw).map_err(|e| format!("not a GeoJSON feature: {e}"))?;
    let props = feature.properties.unwrap_or_default();
    let geometry = feature.geometry.ok_or(NO_GEOMETRY)?;
    // The geojson crate's conversion indexes [0] and [1] of every position:
    // a position with fewer than two numbers must be refused before it.
    if has_short_position(&geometry.value) {
        return Err("a position with fewer than 2 coordinates".into());
    }
    let geometry =
        geo::Geometry::<f64>::try_from(geometry).map_err(|e| format!("unusable geometry: {e}"))?;
    Ok((geometry, props))
}

/// A layer read back whole (how `compare` reads a run written as
/// GeoJSON): each feature's properties as text cells (numbers as JSON
/// writes them; columns in first-seen order, a property a feature lacks
/// blank) and its geometry in WGS 84 (`None` when missing or unusable).
pub fn read_rows(bytes: &[u8], file: &str) -> Result<super::table::Rows> {
    let mut columns: Vec<String> = Vec::new();
    // Each feature's cells as (column, text), filled out once every column is known.
    type Read = (Vec<(usize, String)>, Option<geo::Geometry<f64>>);
    let mut read: Vec<Read> = Vec::new();
    for_each_feature(bytes, file, &Crs::wgs84(), |_, feature, to_wgs84| {
        let mut cells = Vec::new();
        if let Some(props) = feature.get("properties").and_then(Value::as_object) {
            for (key, value) in props {
                let at = match columns.iter().position(|c| c == key) {
                    Some(at) => at,
                    None => {
                        columns.push(key.clone());
                        columns.len() - 1
                    }
                };
                cells.push((at, cell_text(value)));
            }
        }
        let geometry = parse_feature(feature)
            .ok()
            .and_then(|(g, _)| reproject(g, to_wgs84).ok());
        read.push((cells, geometry));
    })?;
    let rows = read
        .into_iter()
        .map(|(cells, geometry)| {
            let mut row = vec![String::new(); columns.len()];
            for (at, text) in cells {
                if let Some(cell) = row.get_mut(at) {
                    *cell = text;
                }
            }
            (row, geometry)
        })
        .collect();
    Ok(super::table::Rows { columns, rows })
}

/// Whether any position of the geometry has fewer than two numbers.
fn has_short_position(value: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as G;
    let short = |p: &geojson::Position| p.len() < 2;
    match value {
        G::Point { coordinates } => short(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => {
            coordinates.iter().any(short)
        }
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => {
            coordinates.iter().flatten().any(short)
        }
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().any(short),
        G::GeometryCollection { geometries } => {
            geometries.iter().any(|g| has_short_position(&g.value))
        }
    }
}

fn all_finite(coords: impl IntoIterator<Item = Coord<f64>>) -> bool {
    coords
        .into_iter()
        .all(|c| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
}

/// [`for_each_feature`] with each feature's keys noted in `seen` and its
/// geometry parsed and reprojected to WGS 84; a feature whose geometry
/// fails is a reject and `each` does not see it.
fn for_each_geometry(
    bytes: &[u8],
    file: &str,
    default_crs: &Crs,
    seen: &mut Vec<String>,
    rejects: &mut Rejects,
    mut each: impl FnMut(SourceRef, geo::Geometry<f64>, Map<String, Value>, &mut Rejects),
) -> Result<Reprojector> {
    for_each_feature(bytes, file, default_crs, |i, raw, to_wgs84| {
        note_keys(&raw, seen);
        let source = SourceRef {
            file: file.to_string(),
            line: i as u64 + 1,
        };
        match parse_feature(raw).and_then(|(g, p)| Ok((reproject(g, to_wgs84)?, p))) {
            Ok((geometry, props)) => each(source, geometry, props, rejects),
            Err(reason) => rejects.push(
                &source,
                "",
                "geometry",
                Reason::geometry(reason),
                Action::Refused,
            ),
        }
    })
}

/// Reads district polygons. Empty or broken polygons become rejects (no
/// usable district at all is a run-level error of [`super::load`]).
pub fn read_districts(
    bytes: &[u8],
    file: &str,
    fields: &DistrictFields,
    default_crs: &Crs,
    rejects: &mut Rejects,
) -> Result<Vec<District>> {
    let mut districts = Vec::new();
    let mut seen = Vec::new();
    for_each_geometry(
        bytes,
        file,
        default_crs,
        &mut seen,
        rejects,
        |source, geometry, props, rejects| {
            let code = property_text(&props, &fields.code).unwrap_or_default();
            if code.is_empty() {
                rejects.push(
                    &source,
                    "",
                    &fields.code[0],
                    Reason::DistrictWithoutCode,
                    Action::Refused,
                );
                return;
            }
            let name = property_text(&props, &fields.name).unwrap_or_else(|| code.clone());
            let multi = match geometry {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => {
                    let kind = geometry_kind(&other);
                    rejects.push(
                        &source,
                        &code,
                        "geometry",
                        Reason::geometry(format!(
                            "expected Polygon or MultiPolygon, found {kind}"
                        )),
                        Action::Refused,
                    );
                    return;
                }
            };
            let Some(geometry) = super::polygons::check_district(multi, &code, &source, rejects)
            else {
                return;
            };
            districts.push(District {
                code: DistrictCode(code),
                name,
                geometry,
            });
        },
    )?;
    check_given(&fields.given, &seen, file)?;
    Ok(districts)
}

pub fn parse_oneway(value: Option<&Value>) -> Oneway {
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
                t.trim_end_matches("km/h")
                    .trim_end_matches("kmh")
                    .trim()
                    .parse::<f64>()
                    .ok()
            }
        }
        _ => None,
    };
    kmh.filter(|v| v.is_finite() && *v > 0.0)
}

/// Reads road lines (LineString or MultiLineString features). Property
/// names are matched ignoring case; a column that looks like a speed but
/// is not read adds a note to `notes`.
pub fn read_roads(
    bytes: &[u8],
    file: &str,
    fields: &RoadFields,
    default_crs: &Crs,
    rejects: &mut Rejects,
    notes: &mut Vec<String>,
) -> Result<Vec<Road>> {
    let mut roads = Vec::new();
    let mut seen = Vec::new();
    for_each_geometry(
        bytes,
        file,
        default_crs,
        &mut seen,
        rejects,
        |source, geometry, props, rejects| {
            let class =
                property_text(&props, &fields.class).unwrap_or_else(|| "unclassified".to_string());
            let oneway = parse_oneway(prop(&props, &fields.oneway));
            let maxspeed_kmh = prop(&props, &fields.maxspeed).and_then(parse_speed_kmh);
            let lines: Vec<LineString<f64>> = match geometry {
                geo::Geometry::LineString(l) => vec![l],
                geo::Geometry::MultiLineString(m) => m.0,
                _ => {
                    rejects.push(
                        &source,
                        "",
                        "geometry",
                        Reason::RoadNotLine,
                        Action::Refused,
                    );
                    return;
                }
            };
            for line in lines {
                if !all_finite(line.0.iter().copied()) {
                    rejects.push(
                        &source,
                        "",
                        "geometry",
                        Reason::RoadOutOfRange,
                        Action::Refused,
                    );
                    continue;
                }
                match Road::from_points(line.0, class.clone(), maxspeed_kmh, oneway) {
                    Ok(road) => roads.push(road),
                    Err(reason) => rejects.push(
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
    check_given(&fields.given, &seen, file)?;
    notes.extend(unread_speed_columns(&seen, fields, file));
    Ok(roads)
}

/// Rounds a coordinate to 7 decimals (about 1 cm), as RFC 7946 suggests.
pub fn round7(v: f64) -> f64 {
    round(v * 1e7) / 1e7
}

/// `x.round()` (halves away from zero), without a call to libm: below
/// 2^52 the cast truncates exactly and the fraction is exact; from 2^52 on
/// every double is whole. A test compares both.
fn round(x: f64) -> f64 {
    let a = x.abs();
    if a < 4_503_599_627_370_496.0 {
        let whole = a as i64;
        ((whole + i64::from(a - whole as f64 >= 0.5)) as f64).copysign(x)
    } else {
        x.round()
    }
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

/// An `f64` as serde_json writes it (`null` when not finite, as
/// `Value::from` makes it).
fn number(out: &mut Vec<u8>, x: f64) {
    write_f64(out, x);
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
                let feature = Self::line_feature(cs, properties);
                self.features.push(feature);
                return;
            }
            OutGeometry::MultiPolygon(m) => {
                m.0.iter()
                    .flat_map(|p| p.exterior().0.iter())
                    .for_each(|c| self.extend_bbox(*c));
                let polys: Vec<Value> =
                    m.0.iter()
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
        let feature =
            serde_json::json!({"type": "Feature", "properties": properties, "geometry": geometry});
        self.features.push(feature.to_string());
    }

    /// A LineString feature, written directly in the bytes `json!` and
    /// `Value::to_string` give (compact, numbers as serde_json prints an
    /// `f64`): a route of thousands of vertices need not become thousands
    /// of JSON values first.
    fn line_feature(cs: &[Coord<f64>], properties: Map<String, Value>) -> String {
        let mut out: Vec<u8> = Vec::with_capacity(64 + cs.len() * 24);
        out.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":");
        out.extend_from_slice(Value::Object(properties).to_string().as_bytes());
        out.extend_from_slice(b",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
        for (i, c) in cs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            number(&mut out, round7(c.x));
            out.push(b',');
            number(&mut out, round7(c.y));
            out.push(b']');
        }
        out.extend_from_slice(b"]}}");
        String::from_utf8(out).unwrap_or_default()
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

/// An `f64` in the digits serde_json gives it (the shortest that reads
/// back the same, by `zmij`, which serde_json uses), `null` when not finite: the bytes of
/// `serde_json::to_writer(&x)` without its machinery.
pub fn write_f64(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_cell(out: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Int(v) => out.extend_from_slice(itoa::Buffer::new().format(*v).as_bytes()),
        Cell::Real(v) => write_f64(out, *v),
        Cell::Text(s) => write_str(out, s),
        Cell::Bool(true) => out.extend_from_slice(b"true"),
        Cell::Bool(false) => out.extend_from_slice(b"false"),
        Cell::Null => out.extend_from_slice(b"null"),
    }
}

/// `[x,y]`, each number as [`write_f64_7`] writes it.
fn write_position(out: &mut Vec<u8>, c: Coord<f64>) {
    let start = out.len();
    out.resize(start + POSITION_MAX, 0);
    match fast_position(out, start, &c, b']') {
        // The byte after the position is not wanted here.
        Some(len) => out.truncate(start + len - 1),
        None => {
            out.truncate(start);
            write_position_plain(out, &c);
        }
    }
}

/// `[x,y]` the general way (any numbers).
fn write_position_plain(out: &mut Vec<u8>, c: &Coord<f64>) {
    out.push(b'[');
    write_f64_7(out, c.x);
    out.push(b',');
    write_f64_7(out, c.y);
    out.push(b']');
}

/// `[x,y]` and one more byte, `then`, written over `out[at..]` (at least
/// [`POSITION_MAX`] bytes there) when both numbers are in [`Scaled`]'s
/// range: the number of bytes of the text, `None` (nothing meant written)
/// otherwise. Written straight into the output (a buffer on the stack,
/// copied, would be read back in 16-byte words right after its bytes were
/// stored one by one: a stall on every position).
#[inline]
fn fast_position(out: &mut [u8], at: usize, c: &Coord<f64>, then: u8) -> Option<usize> {
    let (x, y) = (Scaled::of(c.x)?, Scaled::of(c.y)?);
    let buf: &mut [u8; POSITION_MAX] = out.get_mut(at..at + POSITION_MAX)?.try_into().ok()?;
    buf[0] = b'[';
    let end = x.put(buf, 1);
    buf[end] = b',';
    let end = y.put(buf, end + 1);
    buf[end] = b']';
    buf[end + 1] = then;
    Some(end + 2)
}

/// The most bytes [`fast_position`] touches: `[`, two numbers of at most
/// 12 bytes (a sign, three digits, a point, seven decimals; [`Scaled::put`]
/// touches no more), `,`, `]` and the byte after.
const POSITION_MAX: usize = 28;

/// A coordinate times 10^7, rounded (halves away from zero) to the whole
/// `n`, when 10^4 <= n < 10^10: whole degrees below 1000, where
/// [`write_f64_7`] writes the decimal `n / 10^7` without an exponent.
#[derive(Clone, Copy)]
struct Scaled {
    negative: bool,
    n: u64,
}

impl Scaled {
    #[inline]
    fn of(x: f64) -> Option<Scaled> {
        let scaled = x * 1e7;
        let a = scaled.abs();
        // |round(scaled)| >= 10^4 exactly when a >= 9999.5, and < 10^10
        // exactly when a < 9_999_999_999.5 (both exact doubles); NaN fails.
        if !(9_999.5..9_999_999_999.5).contains(&a) {
            return None;
        }
        // Below 2^52: the cast truncates exactly and the fraction is exact
        // (as in `round`). Signed casts: one instruction each way.
        let whole = a as i64;
        let n = whole + i64::from(a - whole as f64 >= 0.5);
        Some(Scaled {
            negative: scaled < 0.0,
            n: n.unsigned_abs(),
        })
    }

    /// Writes the text at `buf[at..]`, returns the index after it. Writes
    /// whole words: the 12 bytes from `at` at most (from `at` <= 14 in a
    /// position, within [`POSITION_MAX`]).
    #[inline]
    fn put(self, buf: &mut [u8; POSITION_MAX], at: usize) -> usize {
        let whole = self.n / 10_000_000;
        let frac = self.n - whole * 10_000_000;
        // The sign is overwritten by the digits when there is none.
        put_word(buf, at, b"-");
        let at = at + usize::from(self.negative);
        // whole < 1000: the mask only spares a bounds check.
        let degrees = DEGREES[whole as usize & 1023];
        put_word(buf, at, &degrees.to_le_bytes());
        let at = at + (degrees >> 24) as usize;
        let (decimals, len) = decimals(frac);
        put_word(buf, at, &decimals.to_le_bytes());
        at + len
    }
}

#[inline]
fn put_word<const N: usize>(buf: &mut [u8; POSITION_MAX], at: usize, word: &[u8; N]) {
    if let Some(slot) = buf.get_mut(at..at + N) {
        slot.copy_from_slice(word);
    }
}

/// The whole degrees 0 to 999 as text: the ASCII digits from the low byte
/// up, their count in the high byte (the entries from 1000 on unused).
const DEGREES: [u32; 1024] = {
    let mut table = [0u32; 1024];
    let mut i = 0;
    while i < 1000 {
        let d = [(i / 100) as u32, (i / 10 % 10) as u32, (i % 10) as u32];
        table[i] = if i >= 100 {
            (3 << 24) | (0x30 + d[2]) << 16 | (0x30 + d[1]) << 8 | (0x30 + d[0])
        } else if i >= 10 {
            (2 << 24) | (0x30 + d[2]) << 8 | (0x30 + d[1])
        } else {
            (1 << 24) | (0x30 + d[2])
        };
        i += 1;
    }
    table
};

/// `.` and the seven decimals of `frac` (below 10^7) as the bytes of a
/// little-endian word, and how many of them to keep: the trailing zeros
/// dropped but for one (`.5`, `.0`).
///
/// The digits come from SIMD within a register: the eight digits of
/// `frac` (the first a zero) split into two halves of four (one 32-bit
/// lane each), each half into two pairs (16-bit lanes), each pair into two
/// digits (bytes), every division by 10^4, 100 or 10 a multiplication and
/// a shift that is exact over its lane's range (a test checks every
/// `frac`).
#[inline]
fn decimals(frac: u64) -> (u64, usize) {
    let high = (frac * 109_951_163) >> 40; // frac / 10^4 for frac < 10^8
    let halves = high | (frac - high * 10_000) << 32;
    let hundreds = ((halves * 10_486) >> 20) & 0x0000_007f_0000_007f; // lane / 100 below 10^4
    let pairs = hundreds | (halves - hundreds * 100) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f; // lane / 10 below 100
    let digits = tens | (pairs - tens * 10) << 8;
    // The highest non-zero byte is the last digit to keep.
    let len = (8 - (digits.leading_zeros() / 8) as usize).max(2);
    // The first digit (zero) becomes the point.
    (digits | 0x3030_3030_3030_3000 | u64::from(b'.'), len)
}

/// `write_f64(out, round7(x))`, faster for the usual coordinates.
///
/// `round7(x)` is the double nearest to `n / 10^7` for the whole number
/// `n = (x * 10^7).round()`. When 10^-3 <= |n / 10^7| < 10^8, that decimal
/// with its trailing zeros dropped is also the double's shortest
/// round-trip form, which serde_json prints without an exponent: the
/// double's neighbours are less than 1.5e-8 away, so no decimal with
/// fewer digits (a multiple of a larger power of ten, at least 10^-7 from
/// `n / 10^7`) reads back as the same double. Other values take
/// [`write_f64`]; a test compares both over random and edge values.
fn write_f64_7(out: &mut Vec<u8>, x: f64) {
    let scaled = x * 1e7;
    // |round(scaled)|, whole and below 2^53: exact as an integer.
    let n = round(scaled).abs() as i64;
    if !(10_000..1_000_000_000_000_000).contains(&n) {
        write_f64(out, round(scaled) / 1e7);
        return;
    }
    // The text goes into a fixed buffer, copied whole and cut to length
    // (cheaper than a copy of a varying length).
    let mut buf = [b'-'; 32];
    let mut len = usize::from(scaled < 0.0);
    let whole = (n / 10_000_000) as usize;
    if whole < 1000 {
        // The degrees of a longitude or latitude: one to three digits.
        if whole >= 100 {
            buf[len] = b'0' + (whole / 100) as u8;
            len += 1;
        }
        if whole >= 10 {
            buf[len] = b'0' + (whole / 10 % 10) as u8;
            len += 1;
        }
        buf[len] = b'0' + (whole % 10) as u8;
        len += 1;
    } else {
        let mut digits = itoa::Buffer::new();
        let text = digits.format(whole).as_bytes();
        buf[len..len + text.len()].copy_from_slice(text);
        len += text.len();
    }
    // The point and seven decimals, then the trailing zeros dropped but
    // for one: the zero bytes of the decimals XOR "0" at the high end of
    // the little-endian word are the trailing zeros.
    let frac = (n % 10_000_000) as usize;
    let pair = |i: usize| [PAIRS[2 * i], PAIRS[2 * i + 1]];
    let [a1, a2] = pair(frac / 100_000);
    let [b1, b2] = pair(frac / 1000 % 100);
    let [c1, c2] = pair(frac / 10 % 100);
    let decimals = [b'.', a1, a2, b1, b2, c1, c2, b'0' + (frac % 10) as u8];
    buf[len..len + 8].copy_from_slice(&decimals);
    let zeros = (u64::from_le_bytes(decimals) ^ 0x3030_3030_3030_3030).leading_zeros() / 8;
    len += (8 - zeros as usize).max(2);
    let start = out.len();
    out.extend_from_slice(&buf);
    out.truncate(start + len);
}

/// "00" to "99", two bytes each.
const PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

fn write_positions<'a>(out: &mut Vec<u8>, cs: impl ExactSizeIterator<Item = &'a Coord<f64>>) {
    out.push(b'[');
    let open = out.len();
    // Room for every position the fast way, cut to length at the end.
    let mut at = open;
    out.resize(open + cs.len() * POSITION_MAX, 0);
    let mut plain = false;
    // Each position with a comma after it, the last comma made the `]`.
    for c in cs {
        if !plain {
            if let Some(len) = fast_position(out, at, c, b',') {
                at += len;
                continue;
            }
            // From the first unusual position on, the general way.
            out.truncate(at);
            plain = true;
        }
        write_position_plain(out, c);
        out.push(b',');
    }
    if !plain {
        out.truncate(at);
    }
    let any = out.len() > open;
    match out.last_mut() {
        Some(last) if any => *last = b']',
        _ => out.push(b']'),
    }
}

/// A ring, exterior counter-clockwise and holes clockwise (read backwards
/// when it runs the other way, as `make_ccw_winding` would turn it).
fn write_ring(out: &mut Vec<u8>, ring: &LineString<f64>, counter_clockwise: bool) {
    use geo::algorithm::winding_order::{Winding, WindingOrder};
    let wrong = if counter_clockwise {
        WindingOrder::Clockwise
    } else {
        WindingOrder::CounterClockwise
    };
    if ring.winding_order() == Some(wrong) {
        write_positions(out, ring.0.iter().rev());
    } else {
        write_positions(out, ring.0.iter());
    }
}

fn write_geometry(out: &mut Vec<u8>, geometry: &OutGeometry) {
    match geometry {
        OutGeometry::Point(c) => {
            out.extend_from_slice(b"{\"type\":\"Point\",\"coordinates\":");
            write_position(out, *c);
            out.push(b'}');
        }
        OutGeometry::LineString(cs) => {
            out.extend_from_slice(b"{\"type\":\"LineString\",\"coordinates\":");
            write_positions(out, cs.iter());
            out.push(b'}');
        }
        OutGeometry::MultiPolygon(m) => {
            out.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, p) in m.0.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                write_ring(out, p.exterior(), true);
                for r in p.interiors() {
                    out.push(b',');
                    write_ring(out, r, false);
                }
                out.push(b']');
            }
            out.extend_from_slice(b"]}");
        }
        OutGeometry::None => out.extend_from_slice(b"null"),
    }
}

/// Extends `bbox` over a geometry as [`LayerWriter`] does (every position
/// of points and lines, the exterior rings of polygons), each number taken
/// through `f`.
#[inline]
fn bbox_of(bbox: &mut Option<[f64; 4]>, geometry: &OutGeometry, f: impl Fn(f64) -> f64) {
    let mut extend = |c: &Coord<f64>| {
        let (x, y) = (f(c.x), f(c.y));
        let b = bbox.get_or_insert([x, y, x, y]);
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    };
    match geometry {
        OutGeometry::Point(c) => extend(c),
        OutGeometry::LineString(cs) => cs.iter().for_each(extend),
        OutGeometry::MultiPolygon(m) => m
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .for_each(extend),
        OutGeometry::None => {}
    }
}

/// The properties of a row, as a JSON object keyed by field name does:
/// `(escaped "name":, cell index)` in the order of each name's first
/// field, a repeated name taking the value of its last field.
fn property_plan(layer: &Layer, cells: usize) -> Vec<(Vec<u8>, usize)> {
    let mut plan: Vec<(&str, usize)> = Vec::new();
    for (i, f) in layer.fields.iter().take(cells).enumerate() {
        match plan.iter_mut().find(|(name, _)| *name == f.name) {
            Some(entry) => entry.1 = i,
            None => plan.push((f.name.as_str(), i)),
        }
    }
    plan.into_iter()
        .enumerate()
        .map(|(n, (name, i))| {
            let mut key = Vec::with_capacity(name.len() + 4);
            if n > 0 {
                key.push(b',');
            }
            write_str(&mut key, name);
            key.push(b':');
            (key, i)
        })
        .collect()
}

fn write_feature(out: &mut Vec<u8>, plan: &[(Vec<u8>, usize)], row: &Row) {
    out.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
    for (key, i) in plan {
        out.extend_from_slice(key);
        write_cell(out, row.cells.get(*i).unwrap_or(&Cell::Null));
    }
    out.extend_from_slice(b"},\"geometry\":");
    write_geometry(out, &row.geometry);
    out.push(b'}');
}

/// An output layer ([`Layer`]) as an RFC 7946 FeatureCollection: WGS 84,
/// no `crs`, coordinates rounded to 7 decimals, exterior rings
/// counter-clockwise and holes clockwise, a `bbox` on the collection, one
/// feature per line. Written straight into bytes (no JSON values on the
/// way), byte for byte what [`LayerWriter`] writes for the same rows.
pub fn bytes(layer: &Layer) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + layer.rows.iter().map(size_hint).sum::<usize>());
    // Writing into a Vec cannot fail.
    let _ = write(layer, &mut out);
    out
}

/// [`bytes`] into `w` as they are made: the features are formatted in
/// parallel, a block of rows (about `CHUNK_BYTES`) per task, and written
/// in order, each wave of blocks while the next one is formatted. The same
/// bytes whatever the threads, and never the whole text in memory at once.
pub fn write<W: std::io::Write + Send>(layer: &Layer, w: &mut W) -> std::io::Result<()> {
    let mean = layer.rows.iter().map(size_hint).sum::<usize>() / layer.rows.len().max(1);
    let rows_per_chunk = (CHUNK_BYTES / mean.max(1)).max(1);
    write_in_chunks(layer, w, rows_per_chunk, CHUNKS_PER_WAVE)
}

/// About how many bytes of features one task formats.
const CHUNK_BYTES: usize = 256 << 10;
/// How many blocks of features are formatted while the previous ones are
/// written (a few per thread: the threads stay busy, the memory small).
const CHUNKS_PER_WAVE: usize = 16;

/// [`write`] with the rows split into blocks of `rows_per_chunk`, and
/// `chunks_per_wave` blocks formatted while the previous wave is written.
fn write_in_chunks<W: std::io::Write + Send>(
    layer: &Layer,
    w: &mut W,
    rows_per_chunk: usize,
    chunks_per_wave: usize,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let rows_per_chunk = rows_per_chunk.max(1);
    let mut head = Vec::with_capacity(128);
    head.extend_from_slice(b"{\"type\":\"FeatureCollection\"");
    if let Some(b) = layer_bbox(&layer.rows) {
        head.extend_from_slice(b",\"bbox\":");
        write_positions_flat(&mut head, &b);
    }
    head.extend_from_slice(b",\"features\":[");
    w.write_all(&head)?;
    let full = property_plan(layer, layer.fields.len());
    // Each feature is formatted after ",\n"; the first one's comma is
    // dropped when it is written.
    // Into a buffer of an earlier wave (its pages already mapped), cleared.
    let format = |(rows, mut out): (&[Row], Vec<u8>)| {
        out.clear();
        out.reserve(rows.iter().map(size_hint).sum());
        for row in rows {
            out.extend_from_slice(b",\n");
            if row.cells.len() >= layer.fields.len() {
                write_feature(&mut out, &full, row);
            } else {
                write_feature(&mut out, &property_plan(layer, row.cells.len()), row);
            }
        }
        out
    };
    let mut first = true;
    let mut put = |chunks: &[Vec<u8>]| -> std::io::Result<()> {
        for chunk in chunks.iter().filter(|c| !c.is_empty()) {
            w.write_all(chunk.get(usize::from(first)..).unwrap_or_default())?;
            first = false;
        }
        Ok(())
    };
    let mut formatted: Vec<Vec<u8>> = Vec::new();
    // The buffers of the wave before the one being written, reused.
    let mut spare: Vec<Vec<u8>> = Vec::new();
    for wave in layer.rows.chunks(rows_per_chunk.saturating_mul(chunks_per_wave.max(1))) {
        // One buffer per block (new ones while there are too few).
        spare.resize_with(wave.len().div_ceil(rows_per_chunk), Vec::new);
        let buffers = std::mem::take(&mut spare);
        let (written, next) = rayon::join(
            || put(&formatted),
            || {
                wave.par_chunks(rows_per_chunk)
                    .zip(buffers)
                    .map(format)
                    .collect::<Vec<_>>()
            },
        );
        written?;
        spare = std::mem::replace(&mut formatted, next);
    }
    put(&formatted)?;
    // Without features the list is an empty line.
    w.write_all(if first { b"\n\n]}\n" } else { b"\n]}\n" })
}

/// The collection's `bbox`: [`bbox_of`] folded row after row over the
/// coordinates rounded by [`round7`], as [`LayerWriter`] folds it.
///
/// Folded over the coordinates as they are, then rounded: `round7` is
/// monotonic (non-decreasing), keeps NaNs and infinities, and so maps each
/// minimum and maximum of the coordinates to the minimum and maximum of the
/// rounded ones. Only zeros can tell the two folds apart (`-4e-8 < 4e-8`,
/// but `-0.0` and `0.0` compare equal and `min` keeps either): when a side
/// rounds to zero the fold is made again over the rounded coordinates.
fn layer_bbox(rows: &[Row]) -> Option<[f64; 4]> {
    let degrees = fold_bbox(rows, |v| v)?.map(round7);
    if degrees.iter().all(|v| *v != 0.0) {
        return Some(degrees);
    }
    // In units of 10^-7 degree, divided at the end: a whole number of
    // units is never a zero degree, and the division is monotonic and
    // keeps signed zeros, so the folds agree.
    fold_bbox(rows, |v| round(v * 1e7)).map(|units| units.map(|v| v / 1e7))
}

/// [`bbox_of`] over every row with `f`: blocks of rows in parallel, then
/// the blocks in order.
fn fold_bbox(rows: &[Row], f: impl Fn(f64) -> f64 + Sync + Copy) -> Option<[f64; 4]> {
    use rayon::prelude::*;
    let blocks: Vec<Option<[f64; 4]>> = rows
        .par_chunks(4096)
        .map(|rows| {
            let mut bbox = None;
            for row in rows {
                bbox_of(&mut bbox, &row.geometry, f);
            }
            bbox
        })
        .collect();
    blocks.into_iter().flatten().reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

/// About how many bytes a row's feature takes.
fn size_hint(row: &Row) -> usize {
    let coords = match &row.geometry {
        OutGeometry::LineString(cs) => cs.len(),
        OutGeometry::MultiPolygon(m) => m.0.iter().map(|p| p.exterior().0.len()).sum(),
        _ => 1,
    };
    // The room each position needs while it is written.
    64 + row.cells.len() * 24 + coords * POSITION_MAX
}

/// `[a,b,…]` of numbers.
fn write_positions_flat(out: &mut Vec<u8>, xs: &[f64]) {
    out.push(b'[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_f64(out, *x);
    }
    out.push(b']');
}

/// An output layer ([`Layer`]) as an RFC 7946 FeatureCollection ([`bytes`]
/// as text).
pub fn text(layer: &Layer) -> String {
    // Only valid UTF-8 is written: ASCII punctuation, numbers and
    // serde_json's escaping of `&str`s.
    String::from_utf8(bytes(layer)).unwrap_or_default()
}

/// The writer's reference for this module's tests (the crate
/// `hubsel-testkit` has the same for the other crates' tests and benches).
#[cfg(test)]
mod testkit {
    use super::*;

    /// [`bytes`] written `rows_per_chunk` rows per block and
    /// `chunks_per_wave` blocks per wave.
    pub fn bytes_in_chunks(layer: &Layer, rows_per_chunk: usize, chunks_per_wave: usize) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = write_in_chunks(layer, &mut out, rows_per_chunk, chunks_per_wave);
        out
    }

    /// The serde_json path the writer replaced: every row through
    /// [`LayerWriter::push`] as a map of JSON values.
    pub fn through_values(layer: &Layer) -> String {
        let json = |cell: &Cell| match cell {
            Cell::Int(v) => Value::from(*v),
            Cell::Real(v) => Value::from(*v),
            Cell::Text(s) => Value::from(s.as_str()),
            Cell::Bool(b) => Value::from(*b),
            Cell::Null => Value::Null,
        };
        let mut w = LayerWriter::new();
        for Row { geometry, cells } in &layer.rows {
            let props: Map<String, Value> = layer
                .fields
                .iter()
                .zip(cells)
                .map(|(f, c)| (f.name.clone(), json(c)))
                .collect();
            w.push(geometry, props);
        }
        w.finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use super::testkit::through_values;

    /// Each of `edges` and the three doubles either side of it, with
    /// both signs.
    fn beside(edges: &[f64]) -> Vec<f64> {
        let mut xs = Vec::new();
        for edge in edges {
            for k in -3..=3 {
                let e = f64::from_bits(edge.to_bits().wrapping_add_signed(k));
                xs.extend([e, -e]);
            }
        }
        xs
    }

    /// Floats where formatters disagree: integers, powers of ten at the
    /// switch to exponents, subnormals, the extremes, signed zeros, values
    /// rounded to the outputs' decimals, and random bit patterns.
    fn awkward_floats(rng: &mut impl rand::Rng) -> Vec<f64> {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1e-7,
            1e-5,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1.5e-300,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 3.0,
            5e-324,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            100.5,
            98.123_456_7,
            13.999_999_9,
            9_007_199_254_740_993.0,
        ];
        for _ in 0..20_000 {
            xs.push(f64::from_bits(rng.random::<u64>()));
            let v: f64 = rng.random_range(-180.0..180.0);
            xs.push(round7(v));
            // Rounded to 0–6 decimals, as the output stage rounds.
            let f = 10f64.powi(rng.random_range(0..7));
            xs.push((v * 1000.0 * f).round() / f);
            xs.push(f64::from(rng.random::<i32>()));
        }
        xs
    }

    #[test]
    fn numbers_print_the_digits_serde_json_prints() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
        for x in awkward_floats(&mut rng) {
            let mut ours = Vec::new();
            write_f64(&mut ours, x);
            let theirs = serde_json::to_string(&x).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), theirs, "{x:e} ({:#x})", x.to_bits());
            assert_eq!(theirs, Value::from(x).to_string(), "{x:e}");
        }
    }

    #[test]
    fn round_is_the_standard_round() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(52);
        let mut xs = awkward_floats(&mut rng);
        xs.extend(beside(&[
            0.5_f64,
            1.5,
            2.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_992.0,
        ]));
        for _ in 0..100_000 {
            let whole = f64::from(rng.random_range(-1_000_000..1_000_000));
            xs.extend([whole + 0.5, whole - 0.5, whole + rng.random_range(-1.0..1.0)]);
        }
        for x in xs {
            let (ours, std) = (round(x), x.round());
            assert!(
                ours.to_bits() == std.to_bits() || (ours.is_nan() && std.is_nan()),
                "{x:e}: {ours:e} against {std:e}"
            );
        }
    }

    #[test]
    fn coordinates_print_the_digits_of_the_rounded_value() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
        let mut xs = awkward_floats(&mut rng);
        // Both sides of the fast path's bounds, and coordinates with every
        // count of decimals.
        xs.extend(beside(&[
            1e-3_f64,
            1e8,
            1e-3 - 5e-8,
            1e-3 - 4e-8,
            99_999_999.999_999_9,
            0.000_999_95,
        ]));
        for _ in 0..200_000 {
            let v: f64 = rng.random_range(-180.0..180.0);
            let decimals = rng.random_range(0..10);
            let f = 10f64.powi(decimals);
            xs.extend([v, (v * f).round() / f, v * 1e-4, v * 1e6]);
            xs.push(f64::from(rng.random_range(-1_000_000_000..1_000_000_000)) / 1e7);
        }
        for x in xs {
            let mut fast = Vec::new();
            write_f64_7(&mut fast, x);
            let mut plain = Vec::new();
            write_f64(&mut plain, (x * 1e7).round() / 1e7);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(plain).unwrap(),
                "{x:e} ({:#x})",
                x.to_bits()
            );
        }
    }

    #[test]
    fn decimals_are_the_digits_of_every_fraction() {
        // Every fraction of a degree in 10^-7 steps.
        for frac in 0..10_000_000u64 {
            let (word, len) = decimals(frac);
            let text = format!("{:07}", frac);
            let kept = text.trim_end_matches('0');
            let expected = format!(".{}", if kept.is_empty() { "0" } else { kept });
            let bytes = word.to_le_bytes();
            assert_eq!(&bytes[1..], text.as_bytes(), "{frac}");
            assert_eq!(&bytes[..len], expected.as_bytes(), "{frac}");
        }
    }

    #[test]
    fn degrees_are_the_digits_of_every_whole_below_1000() {
        for (i, entry) in DEGREES.iter().enumerate().take(1000) {
            let text = i.to_string();
            let len = (entry >> 24) as usize;
            assert_eq!(&entry.to_le_bytes()[..len], text.as_bytes(), "{i}");
        }
    }

    #[test]
    fn positions_print_the_digits_of_the_rounded_values() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7946);
        let mut xs = awkward_floats(&mut rng);
        // Both sides of the fast range's bounds (whole degrees 10^-3 and
        // 1000, and their halves of 10^-7), and the halves of 10^-7.
        xs.extend(beside(&[
            1e-3_f64,
            1e3,
            9.9995e-4,
            999.999_999_95,
            0.000_999_95,
            100.000_000_05,
        ]));
        for _ in 0..200_000 {
            let v: f64 = rng.random_range(-180.0..180.0);
            let decimals = rng.random_range(0..10);
            let f = 10f64.powi(decimals);
            let n = rng.random_range(-10_000_000_000i64..10_000_000_000);
            xs.extend([v, (v * f).round() / f, round7(v), v * 1e-4, v * 10.0]);
            // The halves: n + 1/2 in units of 10^-7.
            xs.extend([(n as f64 + 0.5) / 1e7, n as f64 / 1e7]);
        }
        let plain = |x: f64| {
            let mut out = Vec::new();
            write_f64(&mut out, (x * 1e7).round() / 1e7);
            String::from_utf8(out).unwrap()
        };
        let cs: Vec<Coord<f64>> = xs
            .chunks(2)
            .map(|pair| Coord { x: pair[0], y: pair[pair.len() - 1] })
            .collect();
        let text = |c: &Coord<f64>| format!("[{},{}]", plain(c.x), plain(c.y));
        for c in &cs {
            let mut ours = Vec::new();
            write_position(&mut ours, *c);
            assert_eq!(String::from_utf8(ours).unwrap(), text(c), "{c:?}");
        }
        // Lines of 1 to 6 positions (with the commas between them, the
        // usual and the unusual mixed), after other text.
        let mut rest = cs.as_slice();
        while !rest.is_empty() {
            let n = rng.random_range(1..=6).min(rest.len());
            let (line, after) = rest.split_at(n);
            rest = after;
            let expected: Vec<String> = line.iter().map(text).collect();
            let mut ours = b"x".to_vec();
            write_positions(&mut ours, line.iter());
            assert_eq!(String::from_utf8(ours).unwrap(), format!("x[{}]", expected.join(",")));
        }
        let mut empty = Vec::new();
        write_positions(&mut empty, [].iter());
        assert_eq!(empty, b"[]");
    }

    #[test]
    fn the_bbox_is_the_fold_of_the_rounded_coordinates() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4326);
        let floats = awkward_floats(&mut rng);
        // Small sets drawn from the awkward values (signed zeros and tiny
        // values that round to them, NaNs, infinities, huge values), and
        // from one longitude and its neighbours, in every order.
        let tiny = [0.0, -0.0, 1e-9, -1e-9, 4e-8, -4e-8, 5e-8, -5e-8, f64::NAN];
        for round in 0..20_000 {
            let n = rng.random_range(1..6);
            let pick = |rng: &mut rand_chacha::ChaCha8Rng| match round % 3 {
                0 => tiny[rng.random_range(0..tiny.len())],
                1 => floats[rng.random_range(0..floats.len())],
                _ => 100.0 + f64::from(rng.random_range(-3..3)) * 5e-8,
            };
            let cs: Vec<Coord<f64>> = (0..n)
                .map(|_| Coord { x: pick(&mut rng), y: pick(&mut rng) })
                .collect();
            let mut degrees: Option<[f64; 4]> = None;
            for c in &cs {
                let (x, y) = (round7(c.x), round7(c.y));
                let b = degrees.get_or_insert([x, y, x, y]);
                b[0] = b[0].min(x);
                b[1] = b[1].min(y);
                b[2] = b[2].max(x);
                b[3] = b[3].max(y);
            }
            let rows: Vec<Row> = cs
                .iter()
                .map(|c| Row { geometry: OutGeometry::Point(*c), cells: Vec::new() })
                .collect();
            let bits = |b: Option<[f64; 4]>| b.map(|b| b.map(f64::to_bits));
            let (ours, theirs) = (layer_bbox(&rows), degrees);
            let nan_alike = ours.zip(theirs).is_some_and(|(a, b)| {
                a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
            });
            assert!(bits(ours) == bits(theirs) || nan_alike, "{cs:?}: {ours:?} against {theirs:?}");
        }
    }

    fn ring(rng: &mut impl rand::Rng, clockwise: bool) -> LineString<f64> {
        let n = rng.random_range(0..9);
        let (cx, cy): (f64, f64) = (rng.random_range(97.0..106.0), rng.random_range(5.0..21.0));
        let mut cs: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let a = f64::from(i) / f64::from(n.max(1)) * std::f64::consts::TAU;
                let r: f64 = rng.random_range(0.001..0.5);
                Coord { x: cx + r * a.cos(), y: cy + r * a.sin() }
            })
            .collect();
        if clockwise {
            cs.reverse();
        }
        if n > 2 && rng.random_bool(0.8) {
            cs.push(cs[0]);
        }
        LineString::new(cs)
    }

    fn geometry(rng: &mut impl rand::Rng) -> OutGeometry {
        use geo::Polygon;
        let coord = |rng: &mut dyn rand::RngCore| Coord {
            x: rand::Rng::random_range(rng, -180.0..180.0),
            y: rand::Rng::random_range(rng, -90.0..90.0),
        };
        match rng.random_range(0..4) {
            0 => OutGeometry::Point(coord(rng)),
            1 => OutGeometry::LineString((0..rng.random_range(0..40)).map(|_| coord(rng)).collect()),
            2 => OutGeometry::MultiPolygon(MultiPolygon::new(
                (0..rng.random_range(0..3))
                    .map(|_| {
                        let clockwise = rng.random_bool(0.5);
                        let outer = ring(rng, clockwise);
                        let holes = (0..rng.random_range(0..3))
                            .map(|_| {
                                let clockwise = rng.random_bool(0.5);
                                ring(rng, clockwise)
                            })
                            .collect();
                        Polygon::new(outer, holes)
                    })
                    .collect(),
            )),
            _ => OutGeometry::None,
        }
    }

    fn cell(rng: &mut impl rand::Rng, floats: &[f64]) -> Cell {
        const TEXTS: [&str; 8] = [
            "",
            "โรงเรียนบ้านหนองบัว",
            "quote \" and back\\slash",
            "tab\tnew\nline\u{1}\u{1f}\u{7f}",
            "</script>",
            "emoji 🏫 / slash",
            "\u{2028}\u{2029}",
            "plain",
        ];
        match rng.random_range(0..5) {
            0 => Cell::Int(rng.random::<i64>() >> rng.random_range(0..64)),
            1 => Cell::Real(floats[rng.random_range(0..floats.len())]),
            2 => Cell::Text(TEXTS[rng.random_range(0..TEXTS.len())].to_string()),
            3 => Cell::Bool(rng.random_bool(0.5)),
            _ => Cell::Null,
        }
    }

    #[test]
    fn layers_stream_the_bytes_the_json_values_gave() {
        use super::super::table::{Field, GeomKind, Kind};
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let floats = awkward_floats(&mut rng);
        for case in 0..300 {
            // Some names repeat, as a map keeps the first place and the
            // last value; some rows are short of cells.
            let names = ["id", "name", "travel_min", "id", "p_acc", "\"q\"", "ชื่อ"];
            let fields: Vec<Field> = (0..rng.random_range(0..names.len() + 1))
                .map(|i| Field {
                    name: names[i].to_string(),
                    shp: String::new(),
                    kind: Kind::Text,
                    nullable: true,
                    unit: "",
                    doc: String::new(),
                })
                .collect();
            let rows = (0..rng.random_range(0..12))
                .map(|_| {
                    let n = if rng.random_bool(0.1) {
                        rng.random_range(0..fields.len() + 2)
                    } else {
                        fields.len()
                    };
                    Row {
                        geometry: geometry(&mut rng),
                        cells: (0..n).map(|_| cell(&mut rng, &floats)).collect(),
                    }
                })
                .collect();
            let layer = Layer {
                name: "case",
                geometry: GeomKind::Point,
                fields,
                rows,
            };
            assert_eq!(text(&layer), through_values(&layer), "case {case}");
            let reference = through_values(&layer).into_bytes();
            for (rows_per_chunk, chunks_per_wave) in [(1, 1), (2, 3), (5, 2), (1, 100)] {
                assert_eq!(
                    testkit::bytes_in_chunks(&layer, rows_per_chunk, chunks_per_wave),
                    reference,
                    "case {case}"
                );
            }
        }
        // The province's own four layers: output's tests
        // (`province_layers_stream_the_bytes_the_json_values_gave`).
    }

    fn roads(text: &str) -> Result<(Vec<Road>, Rejects)> {
        let mut rejects = Rejects::default();
        let roads = read_roads(
            text.as_bytes(),
            "r.geojson",
            &RoadFields::default(),
            &Crs::wgs84(),
            &mut rejects,
            &mut Vec::new(),
        )?;
        Ok((roads, rejects))
    }

    #[test]
    fn features_stream_in_order_whatever_the_member_order() {
        let line = |x: f64| {
            format!(
                r#"{{"type":"Feature","properties":{{"class":"primary"}},"geometry":{{"type":"LineString","coordinates":[[{x},15.0],[{x},15.1]]}}}}"#
            )
        };
        // `features` before `type`, a crs member after them, other members skipped.
        let text = format!(
            r#"{{"name":"x","features":[{},{},{{"type":"Feature","properties":{{}},"geometry":null}}],"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}}}}"#,
            line(100.0),
            line(100.5)
        );
        let (r, rejects) = roads(&text).unwrap();
        assert_eq!(
            r.iter().map(|r| r.geometry.0[0].x).collect::<Vec<_>>(),
            vec![100.0, 100.5]
        );
        assert_eq!(rejects.rows.len(), 1);
        assert_eq!(
            (rejects.rows[0].source.line, rejects.rows[0].reason.en().as_str()),
            (3, "feature has no geometry")
        );
        // A single Feature is a collection of one.
        assert_eq!(roads(&line(101.0)).unwrap().0.len(), 1);
    }

    #[test]
    fn what_is_not_a_feature_collection_is_a_format_error() {
        for (text, message) in [
            ("[1, 2]", "not a GeoJSON object"),
            (
                r#"{"type":"FeatureCollection"}"#,
                "FeatureCollection without a features array",
            ),
            (
                r#"{"type":"Point","coordinates":[1,2]}"#,
                "expected a FeatureCollection, found type \"Point\"",
            ),
            (
                "{\"type\":\n\"FeatureCollection\",\n\"features\":[",
                "not valid JSON",
            ),
        ] {
            let err = roads(text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Format, "{text}");
            assert!(err.message().starts_with(message), "{text}: {err}");
        }
    }
}
