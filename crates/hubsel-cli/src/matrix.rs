//! `hubsel matrix`: door-to-door travel times from every origin to every
//! destination along the roads ([`hubsel::od`]), written as one CSV.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use hubsel::io::{ReadOptions, Source};
use hubsel::model::Action;
use hubsel::od::{OdMatrix, OdSources};
use hubsel::progress::{Progress, Stage};

use crate::options::{load_scenario, reading_flags, PointColumns, RoadColumns, WorkArgs};
use crate::Fatal;

/// The header of the file written, by which a matrix hubsel wrote is known.
const HEADER: &str = "origin_id,destination_id,travel_min,road_km";

#[derive(Args)]
pub struct MatrixArgs {
    /// Origins: points read as schools are (CSV with lon/lat or x/y
    /// columns, GeoJSON, Shapefile, OSM PBF): an id, a position, and a
    /// level column whose values may be blank; other columns are ignored.
    #[arg(long)]
    origins: PathBuf,
    /// Destinations: points read the same way (may be the origins' file).
    #[arg(long)]
    destinations: PathBuf,
    /// Roads: GeoJSON or Shapefile lines with a class column, or an OSM PBF.
    #[arg(long)]
    roads: PathBuf,
    /// Scenario file (TOML) for its speeds_kmh, offroad_speed_kmh,
    /// max_snap_m, small_component_junctions and search_cutoff_minutes
    /// (the default scenario's when absent).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Longest trip kept, door to door, in minutes; longer ones are left
    /// blank [default: the scenario's search_cutoff_minutes].
    #[arg(long, value_name = "MIN")]
    max_minutes: Option<f64>,
    /// The CSV to write: origin_id, destination_id, travel_min, road_km.
    #[arg(long, default_value = "matrix.csv")]
    out: PathBuf,
    /// Replace an output file that is not a matrix hubsel wrote.
    #[arg(long)]
    force: bool,
    /// Coordinate system of CSV files and of shapefiles without .prj, e.g. EPSG:32647.
    #[arg(long)]
    crs: Option<String>,
    /// Text encoding of shapefile DBFs (cp874, tis-620, utf-8, …); overrides .cpg.
    #[arg(long)]
    encoding: Option<String>,
    /// OSM highway classes read as roads, comma-separated (default: the drivable classes).
    #[arg(long, value_delimiter = ',')]
    highways: Vec<String>,
    #[command(flatten)]
    point_columns: PointColumns,
    #[command(flatten)]
    road_columns: RoadColumns,
    #[command(flatten)]
    work: WorkArgs,
}

impl MatrixArgs {
    fn read_options(&self, config: &hubsel::scenario::Config) -> Result<ReadOptions, Fatal> {
        let mut options = ReadOptions::default();
        options.school_columns.level_values = config.levels.clone();
        reading_flags(&mut options, &self.crs, &self.encoding, &self.highways)?;
        self.point_columns.apply(&mut options)?;
        self.road_columns.apply(&mut options);
        Ok(options)
    }
}

/// Refuses to replace a file that is not a matrix hubsel wrote, unless
/// `force`: the output is one file, without a folder's marker.
fn check_replaceable(path: &Path, force: bool) -> Result<(), Fatal> {
    if force || !path.exists() {
        return Ok(());
    }
    let first = std::fs::read(path)
        .ok()
        .and_then(|b| b.split(|&c| c == b'\n').next().map(<[u8]>::to_vec));
    if path.is_file() && first.as_deref() == Some(HEADER.as_bytes()) {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "{} exists and is not a matrix hubsel wrote; choose another --out or give --force",
        path.display()
    )
    .into())
}

/// Writes beside the target, then renames: the file is whole or absent.
fn write_atomically(path: &Path, text: &str) -> Result<(), Fatal> {
    let name = path
        .file_name()
        .map_or_else(|| "matrix.csv".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub fn matrix(args: &MatrixArgs) -> Result<(), Fatal> {
    // First, so that even a problem with the flags is told as JSON.
    let bars = args.work.start()?;
    let started = Instant::now();
    let config = load_scenario(args.scenario.as_deref(), None)?;
    let cutoff_min = args.max_minutes.unwrap_or(config.search_cutoff_min);
    if !(cutoff_min.is_finite() && cutoff_min > 0.0) {
        return Err(anyhow::anyhow!("--max-minutes: must be a number of minutes above 0").into());
    }
    check_replaceable(&args.out, args.force)?;
    let options = args.read_options(&config)?;
    let sources = OdSources {
        origins: Source::File(&args.origins),
        destinations: Source::File(&args.destinations),
        roads: Source::File(&args.roads),
    };
    bars.start(Stage::Load, 0);
    let t = Instant::now();
    let inputs = hubsel::od::load(&sources, &options);
    bars.finish(Stage::Load, t.elapsed());
    let m = hubsel::od::matrix(inputs?, &config, cutoff_min, &bars)?;
    write_atomically(&args.out, &m.csv())?;
    report(&m, &args.out);
    eprintln!("matrix: total {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// What was computed, on stdout; each refused or flagged point on stderr.
fn report(m: &OdMatrix, out: &Path) {
    println!(
        "{} origins × {} destinations on a road network of {} junctions: {} of {} trips within {} min",
        m.origins.len(),
        m.destinations.len(),
        m.graph_nodes,
        m.reached(),
        m.times.trips.len(),
        m.cutoff_min
    );
    for note in &m.notes {
        println!("note: {note}");
    }
    if !m.rejects.is_empty() {
        println!(
            "{} point(s) refused, {} flagged:",
            m.rejects.count(Action::Refused),
            m.rejects.count(Action::Flagged)
        );
        for r in m.rejects.sorted() {
            println!(
                "  {}: line {}: {} {}: {} ({})",
                r.source.file,
                r.source.line,
                r.field,
                r.id,
                r.reason,
                r.action.as_str()
            );
        }
    }
    println!("wrote {}", out.display());
}
