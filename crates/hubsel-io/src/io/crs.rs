//! Coordinate systems: what a file's coordinates are in, and the way to
//! WGS 84 longitude/latitude degrees, the frame every later stage uses.
//!
//! Projections are done by [`proj4rs`] (a pure-Rust port of PROJ.4) from
//! EPSG definitions in [`crs_definitions`], or from a `.prj` file's WKT via
//! [`proj4wkt`]. Nothing here computes a projection by hand. Distances are
//! never taken in a file's own projected frame: later stages measure on the
//! sphere (Haversine) or in a local metric frame scaled at the point's
//! latitude (see the engine's `spatial`).

use std::fmt;

use proj4rs::Proj;

use crate::error::{Error, ErrorKind, Result};

/// A coordinate reference system of an input (or of a shapefile written).
#[derive(Clone)]
pub struct Crs {
    /// How the user or the file named it (`EPSG:32647`, the `.prj` name, …).
    name: String,
    /// The EPSG code when known, for writing `.prj` files.
    epsg: Option<u16>,
    /// `None` for WGS 84 longitude/latitude degrees: no transformation at
    /// all, so WGS 84 inputs keep their exact values.
    proj: Option<Box<Proj>>,
    /// Whether the user or the file said so; `false` for the WGS 84 that
    /// a file with no stated system is read in ([`Crs::unstated`]).
    stated: bool,
}

impl fmt::Debug for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl PartialEq for Crs {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.epsg == other.epsg
    }
}

/// WGS 84 geographic, as proj4rs wants it (radians in and out).
fn wgs84_proj() -> Result<Proj> {
    Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
        .map_err(|e| Error::new(ErrorKind::Input, format!("cannot set up WGS 84: {e}")))
}

/// Whether a proj string is plain WGS 84 longitude/latitude (the datum
/// given by name, or by the WGS 84 ellipsoid with a zero or absent shift).
fn is_wgs84_longlat(projstring: &str) -> bool {
    let parts: Vec<&str> = projstring.split_whitespace().collect();
    let has = |p: &str| {
        parts
            .iter()
            .any(|x| x.trim_end_matches(".0") == p || *x == p)
    };
    let value = |key: &str| parts.iter().find_map(|x| x.strip_prefix(key));
    if !has("+proj=longlat") && !has("+proj=latlong") {
        return false;
    }
    if has("+datum=WGS84") || has("+ellps=WGS84") && value("+towgs84=").is_none() {
        return true;
    }
    let a = value("+a=").and_then(|v| v.parse::<f64>().ok());
    let rf = value("+rf=").and_then(|v| v.parse::<f64>().ok());
    let shift_zero = value("+towgs84=").is_none_or(|v| {
        v.split(',')
            .all(|n| n.parse::<f64>().is_ok_and(|n| n == 0.0))
    });
    a == Some(6_378_137.0) && rf.is_some_and(|rf| (rf - 298.257_223_563).abs() < 1e-6) && shift_zero
}

impl Crs {
    /// WGS 84 longitude/latitude degrees (EPSG:4326 with x = longitude).
    pub fn wgs84() -> Crs {
        Crs {
            name: "EPSG:4326".into(),
            epsg: Some(4326),
            proj: None,
            stated: true,
        }
    }

    /// WGS 84 as the guess for a file whose coordinate system nobody
    /// stated (a CSV without `--crs`, GeoJSON without a `crs` member, a
    /// shapefile without `.prj`): the schools' readers check that its
    /// positions look like degrees ([`looks_projected`]).
    pub fn unstated() -> Crs {
        Crs {
            stated: false,
            ..Crs::wgs84()
        }
    }

    /// Whether the system was stated rather than guessed.
    pub fn is_stated(&self) -> bool {
        self.stated
    }

    /// From an EPSG code, e.g. 32647 for WGS 84 / UTM zone 47N.
    pub fn from_epsg(code: u16) -> Result<Crs> {
        let name = format!("EPSG:{code}");
        if code == 4326 {
            return Ok(Crs::wgs84());
        }
        let def = crs_definitions::from_code(code).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!("unknown coordinate system {name}"),
            )
            .on_field("crs")
        })?;
        Crs::from_projstring(def.proj4, name, Some(code))
    }

    fn from_projstring(projstring: &str, name: String, epsg: Option<u16>) -> Result<Crs> {
        if is_wgs84_longlat(projstring) {
            return Ok(Crs {
                name,
                epsg: epsg.or(Some(4326)),
                proj: None,
                stated: true,
            });
        }
        let proj = Proj::from_proj_string(projstring).map_err(|e| {
            Error::new(
                ErrorKind::Input,
                format!("coordinate system {name} ({projstring}) is not supported: {e}"),
            )
            .on_field("crs")
        })?;
        Ok(Crs {
            name,
            epsg,
            proj: Some(Box::new(proj)),
            stated: true,
        })
    }

    /// From what a user types: `EPSG:32647`, `epsg:32647`, `32647`,
    /// `WGS84`, `CRS84`, `urn:ogc:def:crs:EPSG::32647` or a proj string
    /// (`+proj=utm +zone=47 +datum=WGS84`).
    pub fn parse(text: &str) -> Result<Crs> {
        let t = text.trim();
        if t.starts_with('+') {
            return Crs::from_projstring(t, t.to_string(), None);
        }
        let upper = t.to_ascii_uppercase();
        if ["WGS84", "WGS 84", "CRS84", "OGC:CRS84"].contains(&upper.as_str())
            || upper.ends_with(":CRS84")
        {
            return Ok(Crs::wgs84());
        }
        let code = upper
            .rsplit(':')
            .next()
            .filter(|_| {
                upper.starts_with("EPSG")
                    || upper.starts_with("URN:OGC:DEF:CRS:EPSG")
                    || upper.chars().all(|c| c.is_ascii_digit())
            })
            .and_then(|c| c.parse::<u16>().ok());
        match code {
            Some(code) => Crs::from_epsg(code),
            None => Err(Error::new(
                ErrorKind::Input,
                format!("cannot read coordinate system {} (give EPSG:code, e.g. EPSG:32647, or a proj string)", crate::error::quote(t)),
            )
            .on_field("crs")),
        }
    }

    /// From the WKT of a `.prj` file. A top-level `AUTHORITY["EPSG",…]`
    /// wins (its definition carries the datum shift, which matters for
    /// Indian 1975 and other local datums); otherwise the WKT's own
    /// parameters are used (ESRI-style `.prj` files have no authority).
    pub fn from_wkt(wkt: &str) -> Result<Crs> {
        let wkt = wkt.trim().trim_start_matches('\u{feff}');
        let name = wkt
            .split_once('"')
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or_else(|| "the .prj".to_string(), |(n, _)| n.to_string());
        if let Some(code) = top_level_epsg(wkt) {
            if let Ok(crs) = Crs::from_epsg(code) {
                return Ok(Crs {
                    name: format!("{name} (EPSG:{code})"),
                    ..crs
                });
            }
        }
        let projstring = proj4wkt::wkt_to_projstring(wkt).map_err(|e| {
            Error::new(
                ErrorKind::Input,
                format!(
                    "cannot read the coordinate system {}: {e}",
                    crate::error::quote(&name)
                ),
            )
            .on_field("crs")
        })?;
        let epsg = if is_wgs84_longlat(&projstring) {
            Some(4326)
        } else {
            None
        };
        Crs::from_projstring(&projstring, name, epsg)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn epsg(&self) -> Option<u16> {
        self.epsg
    }

    /// Whether coordinates are already WGS 84 longitude/latitude.
    pub fn is_wgs84(&self) -> bool {
        self.proj.is_none()
    }

    /// The WKT to write in a `.prj` beside a shapefile in this system.
    pub fn wkt(&self) -> Option<&'static str> {
        self.epsg
            .and_then(crs_definitions::from_code)
            .map(|d| d.wkt)
    }

    /// A converter from this system to WGS 84.
    pub fn to_wgs84(&self) -> Result<Reprojector> {
        Reprojector::new(self, true)
    }

    /// A converter from WGS 84 to this system (for writing).
    pub fn from_wgs84(&self) -> Result<Reprojector> {
        Reprojector::new(self, false)
    }
}

/// The EPSG code of the outermost `AUTHORITY["EPSG","…"]` of a WKT: the
/// last one at bracket depth 1.
fn top_level_epsg(wkt: &str) -> Option<u16> {
    let mut depth = 0usize;
    let mut found = None;
    let bytes = wkt.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth = depth.saturating_sub(1),
            _ => {
                if depth == 1 && wkt[i..].to_ascii_uppercase().starts_with("AUTHORITY[") {
                    let rest = &wkt[i + "AUTHORITY[".len()..];
                    let inner = rest.split(']').next().unwrap_or("");
                    let parts: Vec<&str> = inner
                        .split(',')
                        .map(|p| p.trim().trim_matches('"'))
                        .collect();
                    if parts.len() == 2 && parts[0].eq_ignore_ascii_case("EPSG") {
                        found = parts[1].parse::<u16>().ok();
                    }
                }
            }
        }
        i += 1;
    }
    found
}

/// Converts coordinates between a system and WGS 84 degrees.
#[derive(Clone)]
pub struct Reprojector {
    /// Source, target, and whether each is geographic (degrees at the
    /// interface, radians for proj4rs); `None`: identity.
    pair: Option<(Box<Proj>, Box<Proj>, bool, bool)>,
    name: String,
    /// The system's [`Crs::is_stated`].
    stated: bool,
}

impl fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reprojector({})", self.name)
    }
}

impl Reprojector {
    fn new(crs: &Crs, to_wgs84: bool) -> Result<Reprojector> {
        let Some(proj) = &crs.proj else {
            return Ok(Reprojector {
                pair: None,
                name: crs.name.clone(),
                stated: crs.stated,
            });
        };
        let wgs = Box::new(wgs84_proj()?);
        let (src, dst) = if to_wgs84 {
            (proj.clone(), wgs)
        } else {
            (wgs, proj.clone())
        };
        let (src_deg, dst_deg) = (src.is_latlong(), dst.is_latlong());
        Ok(Reprojector {
            pair: Some((src, dst, src_deg, dst_deg)),
            name: crs.name.clone(),
            stated: crs.stated,
        })
    }

    /// Whether the source system was stated rather than guessed
    /// ([`Crs::unstated`]).
    pub fn is_stated(&self) -> bool {
        self.stated
    }

    /// Whether this converter does nothing.
    pub fn is_identity(&self) -> bool {
        self.pair.is_none()
    }

    /// The name of the source or target system, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Converts one position; geographic systems are in degrees on both
    /// sides. `None` when the point cannot be converted (outside the
    /// projection's domain, or not finite).
    pub fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let Some((src, dst, src_deg, dst_deg)) = &self.pair else {
            return Some((x, y));
        };
        let mut p = if *src_deg {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(src, dst, &mut p).ok()?;
        let out = if *dst_deg {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        };
        (out.0.is_finite() && out.1.is_finite()).then_some(out)
    }
}

/// Positions in metres at most this far from the origin: UTM northings
/// reach 10,000 km, Web Mercator 20,037 km.
const PROJECTED_LIMIT_M: f64 = 2.1e7;

/// At most this many UTM zones are tried for a suggestion (the districts
/// of a country or two); a wider extent, such as the whole world of
/// `hubsel matrix`, gets the general hint.
const MAX_ZONES_TRIED: usize = 6;

/// At most this many positions are tried in each candidate system.
const SAMPLE: usize = 2000;

/// What the positions of a file with no stated system look like when most
/// of them are no longitude/latitude but metres of a projection.
#[derive(Clone, Debug, PartialEq)]
pub struct Projected {
    /// Positions with two finite numbers.
    pub positions: usize,
    /// Those outside ±180° / ±90° and within the range of metres a
    /// projection gives.
    pub in_metres: usize,
    /// The first of them, as read.
    pub example: (f64, f64),
    /// The candidate systems that put the most positions inside the
    /// districts' extent (EPSG code, positions inside of those tried),
    /// best first; empty when no extent is known or none fits.
    pub fits: Vec<(u16, usize, usize)>,
}

impl Projected {
    /// The hint: which `--crs` to pass or, for GeoJSON (`flag` false,
    /// where `--crs` does not apply), which `crs` member to add.
    pub fn hint(&self, flag: bool) -> String {
        let name = |code: u16| {
            if flag {
                format!("--crs EPSG:{code}")
            } else {
                format!("\"crs\": {{\"type\": \"name\", \"properties\": {{\"name\": \"urn:ogc:def:crs:EPSG::{code}\"}}}}")
            }
        };
        let names: Vec<String> = self
            .fits
            .iter()
            .map(|(code, inside, tried)| {
                format!(
                    "{} ({}), which puts {inside} of {tried} inside the districts",
                    name(*code),
                    utm_name(*code)
                )
            })
            .collect();
        let how = if flag {
            "give the file's coordinate system with --crs"
        } else {
            "GeoJSON is read as WGS 84 whatever --crs says: add a crs member to the file (or convert it to WGS 84)"
        };
        if names.is_empty() {
            format!(
                "{how}, e.g. {} (UTM zone 47N, Thailand west of 102°E) or {} (UTM zone 48N, east of 102°E)",
                name(32647),
                name(32648)
            )
        } else {
            format!("{how}: {}", names.join("; or "))
        }
    }
}

/// A short name of a candidate system for the hint.
fn utm_name(code: u16) -> String {
    match code {
        32601..=32660 => format!("WGS 84 / UTM zone {}N", code - 32600),
        32701..=32760 => format!("WGS 84 / UTM zone {}S", code - 32700),
        3857 => "Web Mercator".to_string(),
        _ => format!("EPSG:{code}"),
    }
}

/// Whether positions read in a system nobody stated are metres rather
/// than degrees: most of those with two numbers lie outside ±180° / ±90°,
/// within the range of metres a projection gives. When the districts'
/// `extent` (WGS 84) is known, the UTM zones over it and Web Mercator are
/// each tried, and the systems that put the most positions inside it are
/// named.
pub fn looks_projected(
    positions: &[(f64, f64)],
    extent: Option<geo::Rect<f64>>,
) -> Option<Projected> {
    let finite: Vec<(f64, f64)> = positions
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let metres: Vec<(f64, f64)> = finite
        .iter()
        .copied()
        .filter(|(x, y)| {
            (x.abs() > 180.0 || y.abs() > 90.0)
                && x.abs() <= PROJECTED_LIMIT_M
                && y.abs() <= PROJECTED_LIMIT_M
        })
        .collect();
    if metres.is_empty() || metres.len() * 2 <= finite.len() {
        return None;
    }
    let fits = extent.map(|e| fits(&metres, e)).unwrap_or_default();
    Some(Projected {
        positions: finite.len(),
        in_metres: metres.len(),
        example: metres[0],
        fits,
    })
}

/// The candidate systems over `extent` that put the most of `metres` (an
/// even sample of them) inside it, best first.
fn fits(metres: &[(f64, f64)], extent: geo::Rect<f64>) -> Vec<(u16, usize, usize)> {
    let step = metres.len().div_ceil(SAMPLE).max(1);
    let sample: Vec<(f64, f64)> = metres.iter().step_by(step).copied().collect();
    let inside = |p: (f64, f64)| {
        p.0 >= extent.min().x
            && p.0 <= extent.max().x
            && p.1 >= extent.min().y
            && p.1 <= extent.max().y
    };
    let zone = |lon: f64| ((lon.clamp(-180.0, 179.999) + 180.0) / 6.0).floor() as u16 + 1;
    let (west, east) = (zone(extent.min().x), zone(extent.max().x));
    let mut candidates: Vec<u16> = Vec::new();
    if usize::from(east - west) < MAX_ZONES_TRIED {
        // One zone more on each side: a file is often written in the zone
        // of the larger part of its country (Thai data near 102°E in 47N
        // or 48N alike).
        for z in west.saturating_sub(1).max(1)..=(east + 1).min(60) {
            if extent.max().y > 0.0 {
                candidates.push(32600 + z);
            }
            if extent.min().y < 0.0 {
                candidates.push(32700 + z);
            }
        }
        candidates.push(3857);
    }
    let mut scored: Vec<(u16, usize, usize)> = candidates
        .into_iter()
        .filter_map(|code| {
            let to = Crs::from_epsg(code).ok()?.to_wgs84().ok()?;
            let n = sample
                .iter()
                .filter(|(x, y)| to.convert(*x, *y).is_some_and(inside))
                .count();
            Some((code, n, sample.len()))
        })
        .filter(|(_, n, _)| *n > 0)
        .collect();
    // Most inside first, then the lower code: the same order every run.
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let best = scored.first().map_or(0, |s| s.1);
    scored.retain(|s| s.1 == best);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_central_meridians_and_the_equator_map_to_the_false_origin() {
        for (code, lon0) in [(32647u16, 99.0), (32648, 105.0)] {
            let to = Crs::from_epsg(code).unwrap().from_wgs84().unwrap();
            let (x, y) = to.convert(lon0, 0.0).unwrap();
            assert!(
                (x - 500_000.0).abs() < 1e-6 && y.abs() < 1e-6,
                "EPSG:{code}: ({x}, {y})"
            );
            // Mirror points about the central meridian mirror about x = 500 km.
            let (xe, ye) = to.convert(lon0 + 1.5, 14.0).unwrap();
            let (xw, yw) = to.convert(lon0 - 1.5, 14.0).unwrap();
            assert!((xe - 500_000.0 - (500_000.0 - xw)).abs() < 1e-6 && (ye - yw).abs() < 1e-6);
            // Northing grows with latitude, about 110.6 km per degree at 10°N.
            let (_, y10) = to.convert(lon0, 10.0).unwrap();
            let (_, y11) = to.convert(lon0, 11.0).unwrap();
            assert!((y11 - y10 - 110_650.0).abs() < 200.0, "{}", y11 - y10);
        }
    }

    #[test]
    fn round_trips_through_utm_keep_positions_to_a_nanodegree() {
        let crs = Crs::from_epsg(32647).unwrap();
        let (to, back) = (crs.from_wgs84().unwrap(), crs.to_wgs84().unwrap());
        for i in 0..100 {
            let (lon, lat) = (96.0 + 0.07 * i as f64, 5.6 + 0.15 * i as f64);
            let (x, y) = to.convert(lon, lat).unwrap();
            let (lon2, lat2) = back.convert(x, y).unwrap();
            assert!(
                (lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9,
                "({lon}, {lat}) -> ({lon2}, {lat2})"
            );
        }
    }

    #[test]
    fn indian_1975_applies_its_datum_shift() {
        // EPSG:24047 (Indian 1975 / UTM 47N, old Thai maps) differs from
        // WGS 84 / UTM 47N by a few hundred metres: the shift must apply.
        let a = Crs::from_epsg(24047)
            .unwrap()
            .to_wgs84()
            .unwrap()
            .convert(500_000.0, 1_500_000.0)
            .unwrap();
        let b = Crs::from_epsg(32647)
            .unwrap()
            .to_wgs84()
            .unwrap()
            .convert(500_000.0, 1_500_000.0)
            .unwrap();
        let metres = ((a.0 - b.0) * 111_000.0).hypot((a.1 - b.1) * 111_000.0);
        assert!((100.0..1000.0).contains(&metres), "{metres} m");
    }

    #[test]
    fn names_people_type_are_understood() {
        assert!(Crs::parse("WGS84").unwrap().is_wgs84());
        assert!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84")
            .unwrap()
            .is_wgs84());
        assert!(Crs::parse("EPSG:4326").unwrap().is_wgs84());
        assert_eq!(Crs::parse("epsg:32647").unwrap().epsg(), Some(32647));
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::32648").unwrap().epsg(),
            Some(32648)
        );
        assert_eq!(Crs::parse("32647").unwrap().epsg(), Some(32647));
        assert!(!Crs::parse("+proj=utm +zone=47 +datum=WGS84")
            .unwrap()
            .is_wgs84());
        assert!(Crs::parse("+proj=longlat +datum=WGS84 +no_defs")
            .unwrap()
            .is_wgs84());
        let err = Crs::parse("UTM 47").unwrap_err();
        assert_eq!(err.field(), Some("crs"));
        assert!(Crs::parse("EPSG:3").is_err());
    }

    #[test]
    fn a_prj_with_an_epsg_authority_uses_that_code() {
        let crs = Crs::from_wkt(crs_definitions::EPSG_32648.wkt).unwrap();
        assert_eq!(crs.epsg(), Some(32648));
        assert!(crs.name().contains("UTM zone 48N"));
        assert_eq!(top_level_epsg(crs_definitions::EPSG_4326.wkt), Some(4326));
        assert!(Crs::from_wkt("PROJCS[nonsense").is_err());
    }
}
