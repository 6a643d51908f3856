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
#[command(name = "hubsel", version, about = "Pick quality hub schools per district and network the schools around them along the roads")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a selection scenario (on the embedded province when no input is given).
    Run(RunArgs),
    /// Check inputs and scenario without selecting; writes rejects.csv.
    Validate(RunArgs),
    /// Write a synthetic data set.
    Synth(SynthArgs),
}

#[derive(Args)]
struct InputArgs {
    /// Schools (CSV with lon/lat columns).
    #[arg(long)]
    schools: Option<PathBuf>,
    /// Roads (GeoJSON lines with a class property).
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Districts (GeoJSON polygons with a code property).
    #[arg(long)]
    districts: Option<PathBuf>,
    /// Scenario file (TOML); the default scenario when absent.
    #[arg(long)]
    scenario: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Replace an output folder that hubsel did not write.
    #[arg(long)]
    force: bool,
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
}

/// A run-level problem: message printed, exit status 2.
struct Fatal(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.into())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args, false),
        Command::Validate(args) => run(&args, true),
        Command::Synth(args) => synth(&args),
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
        let bar = if total > 0 { ProgressBar::new(total) } else { ProgressBar::new_spinner() };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let style = if total > 0 {
            ProgressStyle::with_template("{prefix:>18} [{bar:30}] {pos}/{len} {elapsed}").map(|s| s.progress_chars("=> "))
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
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read scenario {}", p.display()))?;
            hubsel::scenario::parse(&text, &p.display().to_string())?
        }
        None => hubsel::scenario::parse(hubsel::fixture::DEFAULT_SCENARIO, hubsel::fixture::SCENARIO_NAME)?,
    };
    if let Some(s) = strategy {
        config.strategy = StrategyKind::parse(s).ok_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            anyhow::anyhow!("unknown strategy {s:?} (one of: {})", names.join(", "))
        })?;
    }
    Ok(config)
}

fn sources(input: &InputArgs) -> Result<InputSources<'_>, Fatal> {
    match (&input.schools, &input.roads, &input.districts) {
        (None, None, None) => Ok(hubsel::fixture::province()),
        (Some(s), Some(r), Some(d)) => Ok(InputSources { schools: Source::File(s), roads: Source::File(r), districts: Source::File(d) }),
        _ => {
            let missing: Vec<&str> = [("--schools", &input.schools), ("--roads", &input.roads), ("--districts", &input.districts)]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
            Err(anyhow::anyhow!("give all three inputs or none (none runs the embedded province); missing: {}", missing.join(", ")).into())
        }
    }
}

fn run(args: &RunArgs, validate_only: bool) -> Result<(), Fatal> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global().context("cannot set the thread count")?;
    }
    let started = Instant::now();
    let config = load_scenario(args.input.scenario.as_deref(), args.strategy.as_deref())?;
    let srcs = sources(&args.input)?;
    let inputs = hubsel::io::load(&srcs, &ReadOptions::default())?;
    let bars = Bars { quiet: args.quiet, bar: Mutex::new(None) };
    let result = hubsel::pipeline::run(inputs, &config, &bars)?;
    if validate_only {
        let files = vec![("rejects.csv", hubsel::output::rejects_csv(&result)), (hubsel::output::MARKER, "written by hubsel validate\n".to_string())];
        hubsel::output::write_files(&files, &args.out, args.force)?;
        println!(
            "{} schools read, {} reject rows ({} refused, {} flagged); see {}",
            result.schools.len(),
            result.rejects.len(),
            result.rejects.count(hubsel::validate::Action::Refused),
            result.rejects.count(hubsel::validate::Action::Flagged),
            args.out.join("rejects.csv").display()
        );
        return Ok(());
    }
    hubsel::output::write_run(&result, &args.out, args.force)?;
    report(&result, &args.out, started.elapsed());
    Ok(())
}

fn report(r: &RunResult, out: &Path, elapsed: Duration) {
    let t = hubsel::output::Totals::of(r);
    println!(
        "scenario {:?} ({}): {} districts, {} schools",
        r.config.name,
        r.config.strategy.as_str(),
        r.districts.len(),
        t.schools
    );
    println!(
        "hubs: {} primary + {} secondary; members: {}; stand-alone: {}; rejected: {}",
        t.hubs_primary, t.hubs_secondary, t.members, t.standalone, t.rejected
    );
    println!(
        "members' travel: mean {:.1} min, p95 {:.1} min, max {:.1} min; {:.1}% of students at or within {} min of a hub",
        t.mean_min,
        t.p95_min,
        t.max_min,
        100.0 * t.share_within,
        r.config.max_travel_minutes
    );
    let shortfalls: usize = r.district_outcomes.iter().map(|d| d.shortfalls.len()).sum();
    if shortfalls > 0 {
        println!("{shortfalls} district level(s) got fewer hubs than asked: see summary.json \"shortfalls\"");
    }
    let stages: Vec<String> = r.stats.stages.iter().map(|(s, d)| format!("{} {:.0} ms", s.as_str(), d.as_secs_f64() * 1e3)).collect();
    eprintln!("stages: {}; total {:.2} s", stages.join(", "), elapsed.as_secs_f64());
    println!("wrote {}", out.display());
}

fn synth(args: &SynthArgs) -> Result<(), Fatal> {
    let preset: hubsel::synth::Preset = args.preset.parse().map_err(|e: hubsel::synth::UnknownPreset| anyhow::anyhow!("{e}"))?;
    let data = hubsel::synth::generate(preset, args.seed);
    data.write(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} schools, {} roads, {} districts to {}",
        data.schools.len(),
        data.roads.len(),
        data.districts.len(),
        args.out.display()
    );
    Ok(())
}
