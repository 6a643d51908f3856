//! Coordinate systems: what a file's coordinates are in, and the way to
//! WGS 84 longitude/latitude degrees, the frame every later stage uses.
//!
//! Projections are done by [`proj4rs`] (a pure-Rust port of PROJ.4) from
//! EPSG definitions in [`crs_definitions`], or from a `.prj` file's WKT via
//! [`proj4wkt`]. Nothing here computes a projection by hand. Distances are
//! never taken in a file's own projected frame: later stages measure on the
//! sphere (Haversine) or in a local metric frame scaled at the point's
//! latitude (see [`crate::spatial`]).

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
        }
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
        })
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
