//! The flags several subcommands share, checked into the library's
//! options: the inputs (`InputSources`), how to read them (`ReadOptions`),
//! the scenario (`Config`), the worker threads and how progress is shown
//! (`WorkArgs`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use hubsel::error::quote;
use hubsel::io::crs::Crs;
use hubsel::io::shapefile::encoding_for_label;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::scenario::{Config, StrategyKind};

use crate::progress::{Bars, Mode};
use crate::Fatal;

#[derive(Args)]
pub struct InputArgs {
    /// Schools: CSV (lon/lat or x/y columns), GeoJSON points, Shapefile points (.shp), a GeoPackage point layer (data.gpkg or data.gpkg:layer) or an OSM PBF.
    #[arg(long)]
    schools: Option<PathBuf>,
    /// Roads: GeoJSON, Shapefile or GeoPackage lines with a class column, or an OSM PBF.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Districts: GeoJSON, Shapefile or GeoPackage (multi)polygons with a code column, or an OSM PBF.
    #[arg(long)]
    districts: Option<PathBuf>,
    /// An OpenStreetMap extract (.osm.pbf) for every input not given otherwise.
    #[arg(long)]
    pbf: Option<PathBuf>,
    /// admin_level of the OSM boundaries read as districts (6: Thai amphoe; 8: municipalities in much of Europe).
    #[arg(long, default_value = "6")]
    admin_level: String,
    /// OSM highway classes read as roads, comma-separated (default: the drivable classes).
    #[arg(long, value_delimiter = ',')]
    highways: Vec<String>,
    /// Coordinate system of CSV files, of shapefiles without .prj and of GeoPackage layers of an undefined system, e.g. EPSG:32647 (GeoJSON: WGS 84 or its crs member).
    #[arg(long)]
    crs: Option<String>,
    /// Text encoding of shapefile DBFs (cp874 / tis-620 for Thai government files, utf-8, …); overrides .cpg.
    #[arg(long)]
    encoding: Option<String>,
    /// Swap longitude and latitude of schools detected as swapped, instead of refusing them.
    #[arg(long)]
    fix_swapped: bool,
    #[command(flatten)]
    columns: ColumnArgs,
    /// Scenario file (TOML); the default scenario when absent.
    #[arg(long)]
    scenario: Option<PathBuf>,
}

/// Column (property, DBF field, OSM tag) names; each replaces the list of
/// names looked for by default, and its absence is an error.
#[derive(Args)]
struct ColumnArgs {
    #[command(flatten)]
    points: PointColumns,
    /// School district code column.
    #[arg(long, value_name = "NAME")]
    district_col: Option<String>,
    /// School level column.
    #[arg(long, value_name = "NAME")]
    level_col: Option<String>,
    /// Students column.
    #[arg(long, value_name = "NAME")]
    students_col: Option<String>,
    /// Teachers column.
    #[arg(long, value_name = "NAME")]
    teachers_col: Option<String>,
    /// Classrooms column.
    #[arg(long, value_name = "NAME")]
    classrooms_col: Option<String>,
    #[command(flatten)]
    roads: RoadColumns,
    /// District code column (for an OSM PBF: the tag).
    #[arg(long, value_name = "NAME")]
    code_col: Option<String>,
    /// District name column.
    #[arg(long, value_name = "NAME")]
    district_name_col: Option<String>,
}

impl InputArgs {
    /// The scenario file (or the default scenario), its strategy replaced
    /// by `strategy` when given.
    pub fn scenario(&self, strategy: Option<&str>) -> Result<Config, Fatal> {
        load_scenario(self.scenario.as_deref(), strategy)
    }

    /// The `--scenario` file, when given.
    pub fn scenario_path(&self) -> Option<&Path> {
        self.scenario.as_deref()
    }

    /// The three inputs: each given file, else the `--pbf` extract, else
    /// (all absent) the embedded province.
    pub fn sources(&self) -> Result<InputSources<'_>, Fatal> {
        sources(
            self.schools.as_ref(),
            self.roads.as_ref(),
            self.districts.as_ref(),
            self.pbf.as_ref(),
        )
    }

    /// The flags (and the scenario's `[levels]` table) as the library's
    /// reading options.
    pub fn read_options(&self, config: &Config) -> Result<ReadOptions, Fatal> {
        let mut options = ReadOptions {
            fix_swapped: self.fix_swapped,
            ..ReadOptions::default()
        };
        config.apply_to_columns(&mut options.school_columns)?;
        reading_flags(&mut options, &self.crs, &self.encoding, &self.highways)?;
        options.osm.admin_level = self.admin_level.trim().to_string();
        self.columns.apply(&mut options)?;
        Ok(options)
    }
}

/// `--crs`, `--encoding` and `--highways`, as every reading command has them.
pub fn reading_flags(
    options: &mut ReadOptions,
    crs: &Option<String>,
    encoding: &Option<String>,
    highways: &[String],
) -> Result<(), Fatal> {
    if let Some(text) = crs {
        options.crs = Some(Crs::parse(text)?);
    }
    if let Some(label) = encoding {
        options.encoding = Some(encoding_for_label(label).ok_or_else(|| {
            anyhow::anyhow!(
                "--encoding: unknown encoding {} (e.g. cp874, tis-620, utf-8, windows-1252)",
                quote(label)
            )
        })?);
    }
    if !highways.is_empty() {
        options.osm.highways = highways
            .iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
    }
    Ok(())
}

impl ColumnArgs {
    /// Each column given replaces the names looked for.
    fn apply(&self, options: &mut ReadOptions) -> Result<(), Fatal> {
        self.points.apply(options)?;
        let school = [
            ("district", &self.district_col),
            ("level", &self.level_col),
            ("students", &self.students_col),
            ("teachers", &self.teachers_col),
            ("classrooms", &self.classrooms_col),
        ];
        for (field, column) in school {
            if let Some(column) = column {
                options.school_columns.set(field, column)?;
            }
        }
        let one = |v: &Option<String>, list: &mut Vec<String>, given: &mut Vec<String>| {
            if let Some(v) = v {
                *list = vec![v.clone()];
                given.push(v.clone());
            }
        };
        self.roads.apply(options);
        let districts = &mut options.district_fields;
        one(&self.code_col, &mut districts.code, &mut districts.given);
        one(
            &self.district_name_col,
            &mut districts.name,
            &mut districts.given,
        );
        if let Some(code) = &self.code_col {
            options.osm.code_tags.insert(0, code.clone());
        }
        Ok(())
    }
}

/// The columns of points read as schools are (the schools of `run`, the
/// origins and destinations of `matrix`): id, name and position.
#[derive(Args)]
pub struct PointColumns {
    /// Id column (of the schools; of the points for `matrix`).
    #[arg(long, value_name = "NAME")]
    id_col: Option<String>,
    /// Name column (of the schools; of the points for `matrix`).
    #[arg(long, value_name = "NAME")]
    name_col: Option<String>,
    /// Longitude or easting (x) column of a CSV.
    #[arg(long, visible_alias = "x-col", value_name = "NAME")]
    lon_col: Option<String>,
    /// Latitude or northing (y) column of a CSV.
    #[arg(long, visible_alias = "y-col", value_name = "NAME")]
    lat_col: Option<String>,
}

impl PointColumns {
    /// Each column given replaces the names looked for by default.
    pub fn apply(&self, options: &mut ReadOptions) -> Result<(), Fatal> {
        let points = [
            ("id", &self.id_col),
            ("name", &self.name_col),
            ("lon", &self.lon_col),
            ("lat", &self.lat_col),
        ];
        for (field, column) in points {
            if let Some(column) = column {
                options.school_columns.set(field, column)?;
            }
        }
        Ok(())
    }
}

/// The road columns: class, speed and one-way rule.
#[derive(Args)]
pub struct RoadColumns {
    /// Road class column.
    #[arg(long, value_name = "NAME")]
    class_col: Option<String>,
    /// Road speed column (km/h).
    #[arg(long, value_name = "NAME")]
    speed_col: Option<String>,
    /// Road one-way column.
    #[arg(long, value_name = "NAME")]
    oneway_col: Option<String>,
}

impl RoadColumns {
    /// Each column given replaces the names looked for by default, and
    /// its absence from the file becomes an error.
    pub fn apply(&self, options: &mut ReadOptions) {
        let roads = &mut options.road_fields;
        for (column, list) in [
            (&self.class_col, &mut roads.class),
            (&self.speed_col, &mut roads.maxspeed),
            (&self.oneway_col, &mut roads.oneway),
        ] {
            if let Some(column) = column {
                *list = vec![column.clone()];
                roads.given.push(column.clone());
            }
        }
    }
}

pub fn load_scenario(path: Option<&Path>, strategy: Option<&str>) -> Result<Config, Fatal> {
    let mut config = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read scenario {}", p.display()))?;
            hubsel::scenario::parse(&text, &p.display().to_string())?
        }
        // The shipped default adapts to the data (criteria whose fields
        // the schools lack are left out, with a note); a file stays strict.
        None => hubsel::scenario::default_scenario()?,
    };
    if let Some(s) = strategy {
        config.strategy = StrategyKind::parse(s).ok_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            anyhow::anyhow!(
                "unknown strategy {} (one of: {})",
                quote(s),
                names.join(", ")
            )
        })?;
    }
    Ok(config)
}

/// The three inputs: each given file, else the `--pbf` extract, else (all
/// absent) the embedded province.
pub fn sources<'a>(
    schools: Option<&'a PathBuf>,
    roads: Option<&'a PathBuf>,
    districts: Option<&'a PathBuf>,
    pbf: Option<&'a PathBuf>,
) -> Result<InputSources<'a>, Fatal> {
    match (schools.or(pbf), roads.or(pbf), districts.or(pbf)) {
        (None, None, None) => Ok(hubsel::fixture::province()),
        (Some(s), Some(r), Some(d)) => Ok(InputSources {
            schools: Source::File(s),
            roads: Source::File(r),
            districts: Source::File(d),
        }),
        _ => {
            let missing: Vec<&str> = [
                ("--schools", schools),
                ("--roads", roads),
                ("--districts", districts),
            ]
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
            Err(anyhow::anyhow!(
                "give all three inputs, or --pbf for those not given, or none (none runs the embedded province); missing: {}",
                missing.join(", ")
            )
            .into())
        }
    }
}

/// The flags of the subcommands that compute (`run`, `validate`, `bench`,
/// `matrix`): worker threads and how progress is shown.
#[derive(Args)]
pub struct WorkArgs {
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bars (same as --progress none).
    #[arg(long, short)]
    quiet: bool,
    /// How progress is shown on stderr: bars, json (one object per line,
    /// run-level errors included, for programs that drive hubsel) or none.
    #[arg(long, value_enum, default_value = "bars", value_name = "MODE")]
    progress: Mode,
}

impl WorkArgs {
    /// The progress shown as asked, after sizing the worker pool.
    pub fn start(&self) -> Result<Bars, Fatal> {
        let bars = Bars::new(Mode::of(self.progress, self.quiet));
        set_threads(self.threads)?;
        Ok(bars)
    }
}

/// `--threads`: the size of rayon's global pool (default: all cores).
pub fn set_threads(threads: Option<usize>) -> Result<(), Fatal> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot set the thread count")?;
    }
    Ok(())
}
