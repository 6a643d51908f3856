//! `hubsel`: the command line. Parses arguments, reports progress, calls
//! the library's stages in order and maps errors to exit codes
//! (0 success, 2 a run-level problem with the inputs, scenario or output).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::pipeline::{Progress, RunResult, Stage};
use hubsel::scenario::{Config, StrategyKind};

#[derive(Parser)]
#[command(
    name = "hubsel",
    version,
    about = "Pick quality hub schools per district and network the schools around them along the roads"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a selection scenario (on the embedded province when no input is given).
    Run(RunArgs),
    /// Check inputs and scenario without selecting hubs; writes rejects.csv.
    Validate(RunArgs),
    /// Write a synthetic data set.
    Synth(SynthArgs),
    /// Time the stages and compare strategies on the same travel times.
    Bench(BenchArgs),
    /// Compare two run folders: changed hubs, moved schools, figures.
    Compare(CompareArgs),
}

#[derive(Args)]
struct CompareArgs {
    /// The first run folder.
    a: PathBuf,
    /// The second run folder.
    b: PathBuf,
    /// Folder for compare.geojson and compare.txt.
    #[arg(long, default_value = "compare")]
    out: PathBuf,
    /// Replace an output folder that hubsel did not write.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct BenchArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Generate this synthetic data set instead of reading files (province, thailand).
    #[arg(long)]
    preset: Option<String>,
    /// Seed for --preset.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Strategies to compare, comma-separated, or "all".
    #[arg(long, default_value = "all")]
    strategies: String,
    /// Folder for bench.csv and bench.json (and the generated data with --preset).
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the road graph and every district's travel problem (with
    /// hubsel's answers) to <out>/graph, for benches/scipy_compare.py.
    #[arg(long)]
    export_graph: bool,
}

#[derive(Args)]
struct InputArgs {
    /// Schools: CSV (lon/lat or x/y columns), GeoJSON points, Shapefile points (.shp) or an OSM PBF.
    #[arg(long)]
    schools: Option<PathBuf>,
    /// Roads: GeoJSON or Shapefile lines with a class column, or an OSM PBF.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Districts: GeoJSON or Shapefile (multi)polygons with a code column, or an OSM PBF.
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
    /// Coordinate system of CSV files and of shapefiles without .prj, e.g. EPSG:32647 (GeoJSON: WGS 84 or its crs member).
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
    /// School id column.
    #[arg(long, value_name = "NAME")]
    id_col: Option<String>,
    /// School name column.
    #[arg(long, value_name = "NAME")]
    name_col: Option<String>,
    /// Longitude or easting (x) column of a CSV.
    #[arg(long, visible_alias = "x-col", value_name = "NAME")]
    lon_col: Option<String>,
    /// Latitude or northing (y) column of a CSV.
    #[arg(long, visible_alias = "y-col", value_name = "NAME")]
    lat_col: Option<String>,
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
    /// Road class column.
    #[arg(long, value_name = "NAME")]
    class_col: Option<String>,
    /// Road speed column (km/h).
    #[arg(long, value_name = "NAME")]
    speed_col: Option<String>,
    /// Road one-way column.
    #[arg(long, value_name = "NAME")]
    oneway_col: Option<String>,
    /// District code column (for an OSM PBF: the tag).
    #[arg(long, value_name = "NAME")]
    code_col: Option<String>,
    /// District name column.
    #[arg(long, value_name = "NAME")]
    district_name_col: Option<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output folder [default: out for run, validate for validate, so that
    /// checking inputs never replaces the last run's result].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an output folder that hubsel did not write.
    #[arg(long)]
    force: bool,
    /// Layer formats, comma-separated: geojson (RFC 7946), shp (Shapefile,
    /// cp874 text), fgb (FlatGeobuf). QGIS styles, report.html and the
    /// summary are written whatever the formats.
    #[arg(long, default_value = "geojson", value_name = "LIST")]
    format: String,
    /// Override the scenario's strategy.
    #[arg(long)]
    strategy: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct SynthArgs {
    /// Data set to generate: province (Chiang Mai-like, 25 districts, 687 schools) or thailand (77 provinces, 928 districts, 29,251 schools, over 2 million road vertices; about 80 MB in all, seconds to write).
    #[arg(long, default_value = "province")]
    preset: String,
    /// Seed: the same seed writes byte-identical files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write schools.csv, roads.geojson and districts.geojson into.
    #[arg(long)]
    out: PathBuf,
    /// Replace a folder that hubsel did not write (or a run's result).
    #[arg(long)]
    force: bool,
}

/// A run-level problem: message printed, exit status 2.
struct Fatal(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.into())
    }
}

fn main() -> ExitCode {
    // Die quietly when the reader of our output goes away (`hubsel compare
    // a b | head`), as Unix tools do, instead of panicking on a failed print.
    // SAFETY: setting a signal's disposition to the default, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args, false),
        Command::Validate(args) => run(&args, true),
        Command::Synth(args) => synth(&args),
        Command::Bench(args) => bench(&args),
        Command::Compare(args) => compare(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fatal(e)) => {
            eprintln!("hubsel: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Progress bars on stderr, one per stage, hidden when quiet or not a terminal.
struct Bars {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        if self.quiet {
            return;
        }
        let bar = if total > 0 {
            ProgressBar::new(total)
        } else {
            ProgressBar::new_spinner()
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let style = if total > 0 {
            ProgressStyle::with_template("{prefix:>18} [{bar:30}] {pos}/{len} {elapsed}")
                .map(|s| s.progress_chars("=> "))
        } else {
            ProgressStyle::with_template("{prefix:>18} {spinner} {elapsed}")
        };
        if let Ok(style) = style {
            bar.set_style(style);
        }
        bar.set_prefix(stage.as_str());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self, _stage: Stage, _elapsed: Duration) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}

fn load_scenario(path: Option<&Path>, strategy: Option<&str>) -> Result<Config, Fatal> {
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
                hubsel::error::quote(s),
                names.join(", ")
            )
        })?;
    }
    Ok(config)
}

/// The three inputs: each given file, else the `--pbf` extract, else (all
/// absent) the embedded province.
fn sources<'a>(
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

/// The flags (and the scenario's `[levels]` table) as the library's
/// reading options.
fn read_options(input: &InputArgs, config: &Config) -> Result<ReadOptions, Fatal> {
    let mut options = ReadOptions {
        fix_swapped: input.fix_swapped,
        ..ReadOptions::default()
    };
    options.school_columns.level_values = config.levels.clone();
    if let Some(text) = &input.crs {
        options.crs = Some(hubsel::io::crs::Crs::parse(text)?);
    }
    if let Some(label) = &input.encoding {
        options.encoding = Some(hubsel::io::shapefile::encoding_for_label(label).ok_or_else(
            || {
                anyhow::anyhow!(
                    "--encoding: unknown encoding {} (e.g. cp874, tis-620, utf-8, windows-1252)",
                    hubsel::error::quote(label)
                )
            },
        )?);
    }
    options.osm.admin_level = input.admin_level.trim().to_string();
    if !input.highways.is_empty() {
        options.osm.highways = input
            .highways
            .iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
    }
    let c = &input.columns;
    let school = [
        ("id", &c.id_col),
        ("name", &c.name_col),
        ("lon", &c.lon_col),
        ("lat", &c.lat_col),
        ("district", &c.district_col),
        ("level", &c.level_col),
        ("students", &c.students_col),
        ("teachers", &c.teachers_col),
        ("classrooms", &c.classrooms_col),
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
    let roads = &mut options.road_fields;
    one(&c.class_col, &mut roads.class, &mut roads.given);
    one(&c.speed_col, &mut roads.maxspeed, &mut roads.given);
    one(&c.oneway_col, &mut roads.oneway, &mut roads.given);
    let districts = &mut options.district_fields;
    one(&c.code_col, &mut districts.code, &mut districts.given);
    one(
        &c.district_name_col,
        &mut districts.name,
        &mut districts.given,
    );
    if let Some(code) = &c.code_col {
        options.osm.code_tags.insert(0, code.clone());
    }
    Ok(options)
}

fn set_threads(threads: Option<usize>) -> Result<(), Fatal> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot set the thread count")?;
    }
    Ok(())
}

fn run(args: &RunArgs, validate_only: bool) -> Result<(), Fatal> {
    set_threads(args.threads)?;
    let started = Instant::now();
    let formats = hubsel::output::Format::parse_list(&args.format)
        .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let config = load_scenario(args.input.scenario.as_deref(), args.strategy.as_deref())?;
    let i = &args.input;
    let srcs = sources(
        i.schools.as_ref(),
        i.roads.as_ref(),
        i.districts.as_ref(),
        i.pbf.as_ref(),
    )?;
    let options = read_options(i, &config)?;
    let bars = Bars {
        quiet: args.quiet,
        bar: Mutex::new(None),
    };
    bars.start(Stage::Load, 0);
    let t = Instant::now();
    let inputs = hubsel::io::load(&srcs, &options);
    let load_time = t.elapsed();
    bars.finish(Stage::Load, load_time);
    let inputs = inputs?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(if validate_only { "validate" } else { "out" }));
    if validate_only {
        let report = hubsel::pipeline::check(inputs, &config, &bars)?;
        let files = vec![("rejects.csv".to_string(), report.rejects_csv().into_bytes())];
        hubsel::output::write_files(
            &files,
            &out,
            hubsel::output::FolderKind::Validate,
            args.force,
        )?;
        println!(
            "{}, {} read, {} usable; road network {} in {}",
            count(report.districts, "district", "districts"),
            count(report.schools, "school", "schools"),
            report.placed,
            count(report.stats.graph_nodes, "junction", "junctions"),
            count(report.stats.components, "piece", "pieces")
        );
        for note in &report.notes {
            println!("note: {note}");
        }
        println!(
            "{} ({} refused, {} flagged); see {}",
            count(report.rejects.len(), "reject row", "reject rows"),
            report.rejects.count(hubsel::model::Action::Refused),
            report.rejects.count(hubsel::model::Action::Flagged),
            out.join("rejects.csv").display()
        );
        return Ok(());
    }
    let mut result = hubsel::pipeline::run(inputs, &config, &bars)?;
    result.stats.stages.insert(0, (Stage::Load, load_time));
    let options = hubsel::output::WriteOptions {
        formats,
        force: args.force,
    };
    let t = Instant::now();
    hubsel::output::write_run(&result, &out, &options)?;
    let write_time = t.elapsed();
    report(
        &result,
        &out,
        &options.formats,
        started.elapsed(),
        write_time,
    );
    Ok(())
}

fn report(
    r: &RunResult,
    out: &Path,
    formats: &[hubsel::output::Format],
    elapsed: Duration,
    write_time: Duration,
) {
    let t = hubsel::output::Totals::of(r);
    println!(
        "scenario {} ({}): {} districts, {} schools",
        hubsel::error::quote(&r.config.name),
        r.config.strategy.as_str(),
        r.districts.len(),
        t.schools
    );
    println!(
        "hubs: {} primary + {} secondary; members: {}; stand-alone: {}; rejected: {}",
        t.hubs_primary, t.hubs_secondary, t.members, t.standalone, t.rejected
    );
    println!("weights: {} ({})", r.weighting.as_str(), r.weighting_note);
    println!(
        "members' travel: mean {:.1} min, p95 {:.1} min, max {:.1} min; {:.1}% of {} at or within {} min of a hub",
        t.mean_min,
        t.p95_min,
        t.max_min,
        100.0 * t.share_within,
        r.weighting.as_str(),
        r.config.max_travel_minutes
    );
    for note in r.all_notes() {
        println!("note: {note}");
    }
    if r.access.unreachable > 0 {
        println!(
            "schools no hub candidate of their level reaches by road: {} (left out when comparing hubs; see summary.json districts \"unreachable\")",
            r.access.unreachable
        );
    }
    let shortfalls: usize = r.district_outcomes.iter().map(|d| d.shortfalls.len()).sum();
    if shortfalls > 0 {
        println!("{shortfalls} district level(s) got fewer hubs than asked: see summary.json \"shortfalls\"");
    }
    let stages: Vec<String> = r
        .stats
        .stages
        .iter()
        .map(|(s, d)| format!("{} {:.0} ms", s.as_str(), d.as_secs_f64() * 1e3))
        .collect();
    let formats: Vec<&str> = formats.iter().map(|f| f.as_str()).collect();
    eprintln!(
        "stages: {}, write outputs ({}) {:.0} ms; total {:.2} s",
        stages.join(", "),
        formats.join(","),
        write_time.as_secs_f64() * 1e3,
        elapsed.as_secs_f64()
    );
    println!("wrote {}", out.display());
}

fn synth(args: &SynthArgs) -> Result<(), Fatal> {
    let preset: hubsel_synth::Preset = args
        .preset
        .parse()
        .map_err(|e: hubsel_synth::UnknownPreset| anyhow::anyhow!("{e}"))?;
    hubsel::output::check_replaceable(&args.out, hubsel::output::FolderKind::Synth, args.force)?;
    let data = hubsel_synth::generate(preset, args.seed);
    hubsel::output::write_folder(
        &args.out,
        hubsel::output::FolderKind::Synth,
        args.force,
        |tmp| {
            data.write(tmp).map_err(|e| {
                hubsel::error::Error::new(hubsel::error::ErrorKind::Output, e.to_string())
                    .in_file(tmp)
            })
        },
    )?;
    println!(
        "wrote {} schools, {} roads, {} districts to {}",
        data.schools.len(),
        data.roads.len(),
        data.districts.len(),
        args.out.display()
    );
    Ok(())
}

/// `n` with the singular or plural noun: "1 piece", "2 pieces".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Peak resident memory of this process in MiB (Linux), if known.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(args: &BenchArgs) -> Result<(), Fatal> {
    set_threads(args.threads)?;
    let kinds: Vec<StrategyKind> = if args.strategies == "all" {
        StrategyKind::ALL.to_vec()
    } else {
        args.strategies
            .split(',')
            .map(|s| {
                StrategyKind::parse(s)
                    .ok_or_else(|| anyhow::anyhow!("unknown strategy {}", hubsel::error::quote(s)))
            })
            .collect::<Result<_, _>>()?
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let data_dir = args.out.join("data");
    let mut stage_rows: Vec<(String, Duration)> = Vec::new();
    let (schools, roads, districts);
    let input = match &args.preset {
        Some(name) => {
            let preset: hubsel_synth::Preset = name
                .parse()
                .map_err(|e: hubsel_synth::UnknownPreset| anyhow::anyhow!("{e}"))?;
            let t = Instant::now();
            let data = hubsel_synth::generate(preset, args.seed);
            data.write(&data_dir)
                .with_context(|| format!("cannot write {}", data_dir.display()))?;
            stage_rows.push((format!("synth {name} (not part of a run)"), t.elapsed()));
            schools = data_dir.join("schools.csv");
            roads = data_dir.join("roads.geojson");
            districts = data_dir.join("districts.geojson");
            sources(Some(&schools), Some(&roads), Some(&districts), None)?
        }
        None => {
            let i = &args.input;
            sources(
                i.schools.as_ref(),
                i.roads.as_ref(),
                i.districts.as_ref(),
                i.pbf.as_ref(),
            )?
        }
    };
    let config = load_scenario(args.input.scenario.as_deref(), None)?;
    let options = read_options(&args.input, &config)?;
    let srcs = input;
    let started = Instant::now();
    let t = Instant::now();
    let inputs = hubsel::io::load(&srcs, &options)?;
    stage_rows.push(("load".into(), t.elapsed()));
    let bars = Bars {
        quiet: args.quiet,
        bar: Mutex::new(None),
    };
    let prepared = hubsel::pipeline::prepare(inputs, &config, &bars)?;
    for (stage, d) in &prepared.checked.stats.stages {
        stage_rows.push((stage.as_str().to_string(), *d));
    }
    let prepare_s = started.elapsed().as_secs_f64();
    if args.export_graph {
        export_graph(&prepared, &config, &args.out.join("graph"))?;
    }
    let mut first_finish = None;
    let mut rows = Vec::new();
    for kind in &kinds {
        let mut c = config.clone();
        c.strategy = *kind;
        let t = Instant::now();
        let result = match hubsel::pipeline::finish(&prepared, &c, &hubsel::pipeline::Silent) {
            Ok(r) => r,
            // Comparing every strategy: one that cannot run on this data
            // (largest without student counts) is left out, saying why.
            Err(e)
                if args.strategies == "all" && e.kind() == hubsel::error::ErrorKind::Scenario =>
            {
                eprintln!("bench: {} left out: {}", kind.as_str(), e.message());
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let elapsed = t.elapsed();
        if first_finish.is_none() {
            let t = Instant::now();
            let files = hubsel::output::render(&result, &[hubsel::output::Format::GeoJson])?;
            let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
            stage_rows.push((
                format!("render outputs ({:.1} MB)", bytes as f64 / 1e6),
                t.elapsed(),
            ));
            // The four layers alone in each format, from the same tables.
            let t = Instant::now();
            let layers = hubsel::output::layers::layers(&result);
            stage_rows.push(("build layer tables".into(), t.elapsed()));
            for format in hubsel::output::Format::ALL {
                let t = Instant::now();
                let mut bytes = 0;
                for layer in &layers {
                    bytes += match format {
                        hubsel::output::Format::GeoJson => {
                            hubsel::output::layers::geojson(layer).len()
                        }
                        hubsel::output::Format::FlatGeobuf => {
                            hubsel::output::flatgeobuf::bytes(layer)?.len()
                        }
                        hubsel::output::Format::Shapefile => {
                            hubsel::output::shapefile::files(layer)?
                                .iter()
                                .map(|(_, b)| b.len())
                                .sum()
                        }
                    };
                }
                stage_rows.push((
                    format!(
                        "encode 4 layers as {} ({:.1} MB)",
                        format.as_str(),
                        bytes as f64 / 1e6
                    ),
                    t.elapsed(),
                ));
            }
            first_finish = Some(elapsed);
        }
        rows.push((
            *kind,
            result.access.clone(),
            hubsel::output::Totals::of(&result),
            elapsed,
        ));
    }

    let s = &prepared.checked.stats;
    let travel_s = s
        .stages
        .iter()
        .find(|(st, _)| *st == Stage::Travel)
        .map_or(0.0, |(_, d)| d.as_secs_f64());
    println!(
        "input: {} districts, {} schools; road graph {} nodes, {} links, {} components",
        prepared.checked.districts.len(),
        prepared.checked.schools.len() + prepared.checked.rejected_schools.len(),
        s.graph_nodes,
        s.graph_links,
        s.components
    );
    println!("\n{:<40} {:>10}", "stage", "seconds");
    for (name, d) in &stage_rows {
        println!("{:<40} {:>10.3}", name, d.as_secs_f64());
    }
    if let Some(d) = first_finish {
        println!(
            "{:<40} {:>10.3}",
            format!("select + allocate ({})", kinds[0].as_str()),
            d.as_secs_f64()
        );
        println!(
            "{:<40} {:>10.3}",
            "whole run without writing",
            prepare_s + d.as_secs_f64()
        );
    }
    if travel_s > 0.0 {
        println!(
            "\ntravel times: {} searches, {:.0} searches/s, {} settled nodes, {:.2} M settled nodes/s",
            s.searches,
            s.searches as f64 / travel_s,
            s.settled_nodes,
            s.settled_nodes as f64 / travel_s / 1e6
        );
    }
    if let Some(mib) = peak_memory_mib() {
        println!("peak memory: {mib:.0} MiB");
    }
    let limit = config.max_travel_minutes;
    println!(
        "\nnearest hub of each level for every school (those the hubs leave unreached at the {} min cutoff; those no candidate reaches left out), weighted by {} ({}):",
        config.search_cutoff_minutes,
        prepared.checked.weighting.as_str(),
        prepared.checked.weighting_note
    );
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>10} {:>11} {:>12} {:>9} {:>8}",
        "strategy",
        "mean min",
        "p95 min",
        "max min",
        format!("<={limit} min"),
        "stand-alone",
        "members min",
        "over cap",
        "ms"
    );
    const COLUMNS: [&str; 11] = [
        "strategy",
        "mean_min",
        "p95_min",
        "max_min",
        "share_within",
        "standalone",
        "members",
        "members_mean_min",
        "hubs",
        "hubs_over_capacity",
        "ms",
    ];
    let mut csv = COLUMNS.join(",") + "\n";
    let mut json = Vec::new();
    for (kind, a, t, d) in &rows {
        println!(
            "{:<10} {:>9.2} {:>8.2} {:>8.2} {:>10.3} {:>11} {:>12.2} {:>9} {:>8.1}",
            kind.as_str(),
            a.mean_min,
            a.p95_min,
            a.max_min,
            a.share_within,
            t.standalone,
            t.mean_min,
            t.hubs_over_capacity,
            d.as_secs_f64() * 1e3
        );
        let row = serde_json::json!({
            "strategy": kind.as_str(), "mean_min": a.mean_min, "p95_min": a.p95_min, "max_min": a.max_min,
            "share_within": a.share_within, "standalone": t.standalone, "members": t.members,
            "members_mean_min": t.mean_min, "hubs": t.hubs_primary + t.hubs_secondary,
            "hubs_over_capacity": t.hubs_over_capacity, "ms": d.as_secs_f64() * 1e3,
        });
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| match &row[*c] {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        csv.push_str(&(cells.join(",") + "\n"));
        json.push(row);
    }
    let stages_json: Vec<_> = stage_rows
        .iter()
        .map(|(n, d)| serde_json::json!({"stage": n, "seconds": d.as_secs_f64()}))
        .collect();
    let report = serde_json::json!({
        "graph": {"nodes": s.graph_nodes, "links": s.graph_links, "components": s.components},
        "searches": s.searches, "settled_nodes": s.settled_nodes, "travel_seconds": travel_s,
        "peak_memory_mib": peak_memory_mib(), "stages": stages_json, "strategies": json,
    });
    std::fs::write(args.out.join("bench.csv"), csv).context("cannot write bench.csv")?;
    std::fs::write(
        args.out.join("bench.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .context("cannot write bench.json")?;
    println!(
        "\nwrote {} and bench.json",
        args.out.join("bench.csv").display()
    );
    Ok(())
}

fn compare(args: &CompareArgs) -> Result<(), Fatal> {
    let a = hubsel::compare::RunFolder::read(&args.a)?;
    let b = hubsel::compare::RunFolder::read(&args.b)?;
    let c = hubsel::compare::compare(&a, &b);
    let table = c.table();
    print!("{table}");
    let files = vec![
        ("compare.geojson".to_string(), c.layer(&a, &b).into_bytes()),
        ("compare.txt".to_string(), table.into_bytes()),
    ];
    hubsel::output::write_files(
        &files,
        &args.out,
        hubsel::output::FolderKind::Compare,
        args.force,
    )?;
    println!("wrote {}", args.out.join("compare.geojson").display());
    Ok(())
}

/// Writes the road graph's arcs and each district's travel problem, with
/// hubsel's door-to-door seconds, so that an outside solver can recompute
/// them on the same graph (benches/scipy_compare.py).
fn export_graph(p: &hubsel::pipeline::Prepared, config: &Config, dir: &Path) -> Result<(), Fatal> {
    use hubsel::routing::{same_link_s, Ends};
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let g = &p.checked.graph;
    let mut arcs = String::from("tail,head,cost_s\n");
    for tail in 0..g.node_count() as u32 {
        for e in g.forward.range(tail) {
            arcs.push_str(&format!(
                "{tail},{},{:?}\n",
                g.forward.other[e], g.forward.cost_s[e]
            ));
        }
    }
    std::fs::write(dir.join("arcs.csv"), arcs).context("cannot write arcs.csv")?;
    let offroad =
        |i: usize| p.checked.snaps[i].map_or(0.0, |s| s.offroad_m * 3.6 / config.offroad_speed_kmh);
    let finite = |pairs: [(u32, f64); 2]| -> Vec<(u32, f64)> {
        pairs.into_iter().filter(|(_, s)| s.is_finite()).collect()
    };
    let mut tasks = Vec::new();
    for (d, m) in p.matrices.iter().enumerate() {
        let members = &p.members[d];
        for (row, &c) in m.candidates.iter().enumerate() {
            let h = members[c];
            let Some(hub) = p.checked.snaps[h].filter(|_| p.checked.on_network[h]) else {
                continue;
            };
            let schools: Vec<serde_json::Value> = members
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != c)
                .filter_map(|(i, &s)| {
                    let snap = p.checked.snaps[s].filter(|_| p.checked.on_network[s])?;
                    let direct = same_link_s(g, &snap, &hub);
                    let answer = m.seconds(row, i);
                    Some(serde_json::json!({
                        "leave": finite(Ends::of(g, &snap).leave),
                        "direct_s": direct.is_finite().then_some(direct),
                        "offroad_s": offroad(s),
                        "hubsel_s": answer.is_finite().then_some(answer),
                    }))
                })
                .collect();
            tasks.push(serde_json::json!({
                "district": d, "seeds": finite(Ends::of(g, &hub).enter), "hub_offroad_s": offroad(h), "schools": schools,
            }));
        }
    }
    let travel_s = p
        .checked
        .stats
        .stages
        .iter()
        .find(|(st, _)| *st == Stage::Travel)
        .map_or(0.0, |(_, d)| d.as_secs_f64());
    let doc = serde_json::json!({
        "nodes": g.node_count(), "cutoff_s": config.search_cutoff_minutes * 60.0,
        "hubsel_matrix_seconds": travel_s, "hubsel_searches": p.checked.stats.searches, "tasks": tasks,
    });
    std::fs::write(dir.join("tasks.json"), doc.to_string()).context("cannot write tasks.json")?;
    println!(
        "exported the graph and {} searches to {}",
        p.checked.stats.searches,
        dir.display()
    );
    Ok(())
}
