//! Every file format hubsel reads or writes, both directions, in one
//! place: the readers of the inputs, the format-neutral [`table`] of the
//! output layers, and its writers.
//!
//! | input | formats |
//! |---|---|
//! | schools | CSV ([`csv`]), spreadsheet workbooks: XLSX, XLS, ODS ([`xlsx`], the first sheet), GeoJSON points ([`geojson`]), Shapefile points ([`shapefile`]), GeoPackage points ([`gpkg`]), OSM PBF `amenity=school` ([`osm_pbf`]) |
//! | roads | GeoJSON, Shapefile and GeoPackage lines, OSM PBF `highway=*` ways |
//! | districts | GeoJSON, Shapefile and GeoPackage (multi)polygons with holes, OSM PBF `boundary=administrative` relations |
//!
//! | output | module |
//! |---|---|
//! | a layer as a table: fields (name, type, unit, DBF name) and rows | [`table`] |
//! | GeoJSON FeatureCollections (RFC 7946) | [`geojson::LayerWriter`] |
//! | `.shp` `.shx` `.dbf` `.prj` `.cpg` (cp874 text) | [`shapefile::files`] |
//! | `.fgb` with a spatial index | [`flatgeobuf`] |
//! | one `.gpkg`: the layers with an R-tree, attribute tables, QGIS styles | [`gpkg`] |
//!
//! Every position is converted to WGS 84 on reading ([`crs`]); the format
//! is chosen by the file's extension (a GeoPackage's layer is named after
//! it: `data.gpkg:roads`). Readers of records with a geometry share
//! `records` (crate-private). Text-based readers take bytes plus
//! the name to report in errors and rejects, so that the same code reads a
//! user's file and the embedded fixture.
//!
//! This module imports only the model and the error types, nothing later
//! in the pipeline: what a run's layers hold is decided by the `output`
//! stage, which builds [`table::Layer`]s and hands them to the writers
//! here.

pub mod crs;
pub mod csv;
pub mod flatgeobuf;
pub mod geojson;
pub mod gpkg;
pub mod osm_pbf;
pub mod polygons;
pub(crate) mod records;
pub mod schools;
pub mod shapefile;
pub mod table;
pub mod xlsx;

use std::path::Path;

use crate::error::{Error, Result};

/// Memory a file needs while it is read and parsed, as a multiple of its
/// size: the bytes themselves plus the records built from them.
const PARSE_MEMORY_FACTOR: u64 = 3;

/// Bytes of memory the system can still give (Linux `MemAvailable`).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kib| kib * 1024)
}

/// Refuses a file too large to read in the memory available, with a clear
/// message instead of an allocation failure later.
pub fn check_fits_in_memory(path: &Path, size: u64, available: Option<u64>) -> Result<()> {
    match available {
        Some(free) if size.saturating_mul(PARSE_MEMORY_FACTOR) > free => Err(Error::new(
            crate::error::ErrorKind::Input,
            format!(
                "the file is {:.1} GB; reading it needs about {:.1} GB but only {:.1} GB of memory is available",
                size as f64 / 1e9,
                (size * PARSE_MEMORY_FACTOR) as f64 / 1e9,
                free as f64 / 1e9
            ),
        )
        .in_file(path)),
        _ => Ok(()),
    }
}

/// Reads a whole file, with the path in the error if it cannot.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    check_fits_in_memory(path, size, available_memory())?;
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    #[test]
    fn a_file_larger_than_memory_is_a_clear_error() {
        let err = check_fits_in_memory(
            Path::new("roads.geojson"),
            8_000_000_000,
            Some(16_000_000_000),
        )
        .unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::Input);
        assert!(err.to_string().starts_with("roads.geojson: the file is 8.0 GB; reading it needs about 24.0 GB but only 16.0 GB"), "{err}");
        assert!(
            check_fits_in_memory(Path::new("small.csv"), 1_000_000, Some(16_000_000_000)).is_ok()
        );
        assert!(
            check_fits_in_memory(Path::new("unknown.csv"), u64::MAX, None).is_ok(),
            "no figure: no refusal"
        );
    }
}

/// Parses a number the way spreadsheets write them: surrounding blanks
/// allowed, `,` as thousands separator refused (ambiguous), and the usual
/// boolean words as 1/0 so that flags can be scored.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" => return Some(1.0),
        "false" | "no" | "n" | "f" => return Some(0.0),
        _ => {}
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A plain number, blanks around allowed, no yes/no words: coordinates and
/// counts (a `y` in a longitude column is a mistake, not 1°).
pub fn parse_decimal(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

use crate::model::Inputs;
use crate::model::Rejects;

/// Where one input comes from: a file, or bytes with a name (the embedded
/// fixture, or data a caller already holds).
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    File(&'a Path),
    Bytes { name: &'a str, bytes: &'a [u8] },
}

impl Source<'_> {
    /// The name used in messages and in `rejects.csv`.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.to_string(),
        }
    }

    /// The file's extension, lower case; that of the file before a
    /// GeoPackage's `:layer`.
    fn extension(&self) -> String {
        let name = self.name();
        Path::new(gpkg::split_layer(&name).0)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    }

    fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Source::File(p) => read_file(p).map(std::borrow::Cow::Owned),
            Source::Bytes { bytes, .. } => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }

    /// The bytes of a GeoPackage: the file named before its `:layer`.
    fn gpkg_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Source::File(p) if !p.is_file() => {
                let name = p.to_string_lossy();
                gpkg::read_file(Path::new(gpkg::split_layer(&name).0)).map(std::borrow::Cow::Owned)
            }
            Source::File(p) => gpkg::read_file(p).map(std::borrow::Cow::Owned),
            Source::Bytes { bytes, .. } => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }
}

/// The three inputs of a run. Two or three of them may name the same
/// OpenStreetMap PBF file, which is then read once.
#[derive(Clone, Copy, Debug)]
pub struct InputSources<'a> {
    pub schools: Source<'a>,
    pub roads: Source<'a>,
    pub districts: Source<'a>,
}

/// Reading options: column and property names, coordinate system, text
/// encoding, what to take from OpenStreetMap, and whether to fix swapped
/// coordinates.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub school_columns: schools::SchoolColumns,
    pub district_fields: geojson::DistrictFields,
    pub road_fields: geojson::RoadFields,
    /// The coordinate system of CSV files, of shapefiles without a
    /// `.prj` and of GeoPackage layers in an undefined system (`srs_id` 0
    /// or -1); WGS 84 when `None`. GeoJSON is WGS 84 (RFC 7946) unless it
    /// has a legacy `crs` member, whatever this says, so that one flag for
    /// a projected CSV cannot misplace the GeoJSON layers beside it.
    pub crs: Option<crs::Crs>,
    /// Forces the DBF text encoding of shapefiles (else `.cpg`, DBF header, UTF-8).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Swap the coordinates of schools detected as swapped (else refuse them).
    pub fix_swapped: bool,
    pub osm: osm_pbf::OsmOptions,
}

fn unsupported(source: &Source<'_>, what: &str, formats: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::Input,
        format!(
            "cannot read {what} from a .{} file (supported: {formats})",
            source.extension()
        ),
    )
    .in_file(source.name())
}

fn shapefile_path<'a>(source: &Source<'a>) -> Result<&'a Path> {
    match source {
        Source::File(p) => Ok(p),
        Source::Bytes { name, .. } => Err(Error::new(
            crate::error::ErrorKind::Input,
            "a shapefile is read from its files (.shp, .dbf, .prj, .cpg), not from bytes",
        )
        .in_file(name)),
    }
}

/// Reads all three inputs: districts first (their extent is what the
/// swapped-coordinates check of the schools compares with), then roads,
/// then schools. Unreadable files, unsupported formats and inputs with no
/// usable district are run-level errors; bad rows are collected in
/// [`Inputs::rejects`].
pub fn load(sources: &InputSources<'_>, options: &ReadOptions) -> Result<Inputs> {
    load_with_progress(sources, options, &crate::progress::Silent)
}

/// [`load`], reporting to `progress`: it starts the load stage (once),
/// with the bytes an OpenStreetMap extract's passes read as the total (0
/// when no input is a `.osm.pbf`), and advances it as they are read. The
/// caller, which times the stage, finishes it.
pub fn load_with_progress(
    sources: &InputSources<'_>,
    options: &ReadOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<Inputs> {
    let osm_bytes: u64 = osm_reads(sources)
        .iter()
        .map(|(source, wanted)| osm_pbf::passes(*wanted) * source_len(source))
        .sum();
    progress.start(crate::progress::Stage::Load, osm_bytes);
    let wgs84 = crs::Crs::wgs84();
    // Files that state no system are read in the `--crs` given, else in
    // WGS 84 as a guess the schools' readers check.
    let unstated = crs::Crs::unstated();
    let default_crs = options.crs.as_ref().unwrap_or(&unstated);
    let mut loader = Loader::new(options, &wgs84, default_crs);
    loader.read_osm(sources, progress)?;
    let districts = loader.districts(&sources.districts)?;
    let extent = districts_extent(&districts);
    let roads = loader.roads(&sources.roads)?;
    let table = loader.schools(&sources.schools, extent)?;
    let Loader {
        mut rejects,
        mut notes,
        ..
    } = loader;
    rejects.rows.extend(table.rejects.rows);
    notes.extend(table.notes);
    Ok(Inputs {
        schools: table.schools,
        rejected_schools: table.rejected,
        roads,
        districts,
        school_fields: table.fields,
        rejects,
        notes,
    })
}

/// Column names of a province's name in a districts layer, first present
/// wins (ignoring case): Thai first, then English (`pro_th`, `pro_en`: the
/// national district boundaries; `ADM1_TH`, `ADM1_EN`: the OCHA ones).
pub const PROVINCE_NAME_FIELDS: [&str; 12] = [
    "pro_th",
    "prov_th",
    "province_th",
    "prov_nam_t",
    "ADM1_TH",
    "pro_en",
    "prov_en",
    "province_en",
    "prov_nam_e",
    "ADM1_EN",
    "province",
    "prov_name",
];

/// The provinces of a districts file, for a picker, before anything else
/// is read: each province code (the first two characters of the district
/// codes, as [`province_of`](crate::model::province_of) and
/// [`Inputs::only_provinces`](crate::model::Inputs::only_provinces) take
/// them), the number of its districts and, when the file has a column of
/// [`PROVINCE_NAME_FIELDS`], the province's name. Districts are found and
/// checked as [`load`] does (GeoJSON, Shapefile, GeoPackage; an
/// OpenStreetMap extract's districts come only with a whole load, so a
/// `.pbf` is an error here), so the codes are those a load will cut by.
pub fn district_provinces(
    source: &Source<'_>,
    options: &ReadOptions,
) -> Result<Vec<crate::model::Province>> {
    if source.extension() == "pbf" {
        return Err(unsupported(source, "provinces", ".geojson, .shp, .gpkg"));
    }
    let mut named = options.clone();
    // The district's name column becomes the province's; a district with
    // none gets its code as its name, which then names no province.
    named.district_fields.name = PROVINCE_NAME_FIELDS.map(String::from).to_vec();
    let wgs84 = crs::Crs::wgs84();
    let unstated = crs::Crs::unstated();
    let default_crs = options.crs.as_ref().unwrap_or(&unstated);
    let districts = Loader::new(&named, &wgs84, default_crs).districts(source)?;
    let mut provinces: std::collections::BTreeMap<&str, crate::model::Province> =
        std::collections::BTreeMap::new();
    for d in &districts {
        let code = crate::model::province_of(&d.code.0);
        let p = provinces
            .entry(code)
            .or_insert_with(|| crate::model::Province {
                code: code.to_string(),
                name: None,
                districts: 0,
            });
        p.districts += 1;
        if p.name.is_none() && d.name != d.code.0 {
            p.name = Some(d.name.clone());
        }
    }
    Ok(provinces.into_values().collect())
}

/// Each distinct OpenStreetMap extract among the inputs, and what to read
/// from it.
fn osm_reads<'s, 'a>(sources: &'s InputSources<'a>) -> Vec<(&'s Source<'a>, osm_pbf::Wanted)> {
    let mut out: Vec<(&Source<'_>, osm_pbf::Wanted)> = Vec::new();
    for source in [&sources.schools, &sources.roads, &sources.districts] {
        if source.extension() != "pbf" || out.iter().any(|(s, _)| s.name() == source.name()) {
            continue;
        }
        let name = source.name();
        let same = |s: &Source<'_>| s.extension() == "pbf" && s.name() == name;
        let wanted = osm_pbf::Wanted {
            schools: same(&sources.schools),
            roads: same(&sources.roads),
            districts: same(&sources.districts),
        };
        out.push((source, wanted));
    }
    out
}

/// The size of an input in bytes (0 when it cannot be read: the reader
/// says why).
fn source_len(source: &Source<'_>) -> u64 {
    match source {
        Source::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        Source::Bytes { bytes, .. } => bytes.len() as u64,
    }
}

/// The state of one [`load`]: the options settled once, the OpenStreetMap
/// files already read, and the rejects and notes gathered so far (in the
/// order the inputs are read, which is the order of `rejects.csv`).
struct Loader<'a> {
    options: &'a ReadOptions,
    wgs84: &'a crs::Crs,
    /// The `--crs` given, else WGS 84: for CSV and shapefiles without `.prj`.
    default_crs: &'a crs::Crs,
    shp: shapefile::ShapefileOptions<'a>,
    /// Each distinct PBF file, read once, by its name.
    osm: Vec<(String, osm_pbf::OsmData)>,
    rejects: Rejects,
    notes: Vec<String>,
}

impl<'a> Loader<'a> {
    fn new(options: &'a ReadOptions, wgs84: &'a crs::Crs, default_crs: &'a crs::Crs) -> Self {
        Loader {
            options,
            wgs84,
            default_crs,
            shp: shapefile::ShapefileOptions {
                default_crs,
                encoding: options.encoding,
            },
            osm: Vec::new(),
            rejects: Rejects::default(),
            notes: Vec::new(),
        }
    }

    /// Reads each distinct PBF file once, for every input that names it.
    fn read_osm(
        &mut self,
        sources: &InputSources<'_>,
        progress: &dyn crate::progress::Progress,
    ) -> Result<()> {
        for (source, wanted) in osm_reads(sources) {
            let options = &self.options.osm;
            let data = osm_pbf::read_with_progress(source, wanted, options, &mut self.rejects, progress)?;
            self.osm.push((source.name(), data));
        }
        Ok(())
    }

    /// What [`Loader::read_osm`] read from `source`'s file.
    fn osm_of(&mut self, source: &Source<'_>) -> Option<&mut osm_pbf::OsmData> {
        self.osm
            .iter_mut()
            .find(|(n, _)| *n == source.name())
            .map(|(_, d)| d)
    }

    /// The districts, at least one of them usable.
    fn districts(&mut self, source: &Source<'_>) -> Result<Vec<crate::model::District>> {
        let districts = match source.extension().as_str() {
            "geojson" | "json" => geojson::read_districts(
                &source.bytes()?,
                &source.name(),
                &self.options.district_fields,
                self.wgs84,
                &mut self.rejects,
            )?,
            "shp" => shapefile::read_districts(
                shapefile_path(source)?,
                &source.name(),
                &self.options.district_fields,
                &self.shp,
                &mut self.rejects,
            )?,
            "gpkg" => gpkg::read_districts(
                &source.gpkg_bytes()?,
                &source.name(),
                &self.options.district_fields,
                self.default_crs,
                &mut self.rejects,
            )?,
            "pbf" => self
                .osm_of(source)
                .map(|d| std::mem::take(&mut d.districts))
                .unwrap_or_default(),
            _ => {
                return Err(unsupported(
                    source,
                    "districts",
                    ".geojson, .shp, .gpkg, .osm.pbf",
                ))
            }
        };
        if districts.is_empty() {
            return Err(self.no_district(source));
        }
        let (districts, note) = polygons::merge_repeated(districts, &source.name())?;
        self.notes.extend(note);
        Ok(districts)
    }

    /// The error for a districts input without any usable polygon: its
    /// first reject, and a hint for the format.
    fn no_district(&self, source: &Source<'_>) -> Error {
        let first = self
            .rejects
            .rows
            .iter()
            .find(|r| r.source.file == source.name());
        let why = first.map_or_else(String::new, |r| {
            format!(" (first problem: feature {}: {})", r.source.line, r.reason)
        });
        let hint = match source.extension().as_str() {
            "pbf" => self
                .osm
                .iter()
                .find(|(n, _)| *n == source.name())
                .map(|(_, d)| d.no_district_hint(&self.options.osm.admin_level))
                .unwrap_or_default(),
            "geojson" | "json" => {
                "; GeoJSON is read as WGS 84 longitude/latitude unless it has a crs member"
                    .to_string()
            }
            "shp" => {
                "; a shapefile without .prj is read in the --crs given, else WGS 84".to_string()
            }
            "gpkg" => "; a GeoPackage layer is read in the coordinate system of its srs_id (the --crs given, else WGS 84, when undefined)".to_string(),
            _ => String::new(),
        };
        Error::new(
            crate::error::ErrorKind::Input,
            format!("no usable district polygon{why}{hint}"),
        )
        .in_file(source.name())
    }

    fn roads(&mut self, source: &Source<'_>) -> Result<Vec<crate::model::Road>> {
        Ok(match source.extension().as_str() {
            "geojson" | "json" => geojson::read_roads(
                &source.bytes()?,
                &source.name(),
                &self.options.road_fields,
                self.wgs84,
                &mut self.rejects,
                &mut self.notes,
            )?,
            "shp" => shapefile::read_roads(
                shapefile_path(source)?,
                &source.name(),
                &self.options.road_fields,
                &self.shp,
                &mut self.rejects,
                &mut self.notes,
            )?,
            "gpkg" => gpkg::read_roads(
                &source.gpkg_bytes()?,
                &source.name(),
                &self.options.road_fields,
                self.default_crs,
                &mut self.rejects,
                &mut self.notes,
            )?,
            "pbf" => self
                .osm_of(source)
                .map(|d| std::mem::take(&mut d.roads))
                .unwrap_or_default(),
            _ => {
                return Err(unsupported(
                    source,
                    "roads",
                    ".geojson, .shp, .gpkg, .osm.pbf",
                ))
            }
        })
    }

    /// The schools, placed in the districts' `extent` (the check of
    /// swapped coordinates); their rejects stay in the table.
    fn schools(
        &mut self,
        source: &Source<'_>,
        extent: Option<geo::Rect<f64>>,
    ) -> Result<schools::SchoolTable> {
        let options = self.options;
        let to_wgs84 = self.default_crs.to_wgs84()?;
        let placement = schools::Placement {
            to_wgs84: &to_wgs84,
            extent,
            fix_swapped: options.fix_swapped,
        };
        let name = source.name();
        Ok(match source.extension().as_str() {
            "csv" | "txt" => csv::read_schools_placed(
                &source.bytes()?,
                &name,
                &options.school_columns,
                &placement,
            )?,
            "xlsx" | "xls" | "xlsm" | "ods" => xlsx::read_schools_placed(
                &source.bytes()?,
                &name,
                &options.school_columns,
                &placement,
            )?,
            "geojson" | "json" => geojson::read_schools(
                &source.bytes()?,
                &name,
                &options.school_columns,
                // WGS 84 (RFC 7946) whatever `--crs` says, unless a crs
                // member says otherwise; guessed, so points in metres are
                // caught.
                &crs::Crs::unstated(),
                extent,
                options.fix_swapped,
            )?,
            "shp" => shapefile::read_schools(
                shapefile_path(source)?,
                &name,
                &options.school_columns,
                &self.shp,
                extent,
                options.fix_swapped,
            )?,
            "gpkg" => gpkg::read_schools(
                &source.gpkg_bytes()?,
                &name,
                &options.school_columns,
                self.default_crs,
                extent,
                options.fix_swapped,
            )?,
            "pbf" => self
                .osm_of(source)
                .and_then(|d| d.schools.take())
                .unwrap_or_default(),
            _ => {
                return Err(unsupported(
                    source,
                    "schools",
                    ".csv, .xlsx, .geojson, .shp, .gpkg, .osm.pbf",
                ))
            }
        })
    }
}

/// Bounding box of all districts (lon/lat).
pub fn districts_extent(districts: &[crate::model::District]) -> Option<geo::Rect<f64>> {
    use geo::BoundingRect;
    districts
        .iter()
        .filter_map(|d| d.geometry.bounding_rect())
        .reduce(|a, b| {
            geo::Rect::new(
                geo::Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                geo::Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })
}
