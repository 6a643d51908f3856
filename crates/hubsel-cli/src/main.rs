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
    /// Data set to generate: province (Chiang Mai-like, 25 districts, 687 schools).
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

fn set_threads(threads: Option<usize>) -> Result<(), Fatal> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global().context("cannot set the thread count")?;
    }
    Ok(())
}

fn run(args: &RunArgs, validate_only: bool) -> Result<(), Fatal> {
    set_threads(args.threads)?;
    let started = Instant::now();
    let formats = hubsel::output::Format::parse_list(&args.format).map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let config = load_scenario(args.input.scenario.as_deref(), args.strategy.as_deref())?;
    let srcs = sources(&args.input)?;
    let inputs = hubsel::io::load(&srcs, &ReadOptions::default())?;
    let bars = Bars { quiet: args.quiet, bar: Mutex::new(None) };
    let result = hubsel::pipeline::run(inputs, &config, &bars)?;
    if validate_only {
        let files = vec![
            ("rejects.csv".to_string(), hubsel::output::rejects_csv(&result).into_bytes()),
            (hubsel::output::MARKER.to_string(), b"written by hubsel validate\n".to_vec()),
        ];
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
    let writing = Instant::now();
    let options = hubsel::output::WriteOptions { formats, force: args.force };
    hubsel::output::write_run(&result, &args.out, &options)?;
    let written = writing.elapsed();
    report(&result, &args.out, &options.formats, written, started.elapsed());
    Ok(())
}

fn report(r: &RunResult, out: &Path, formats: &[hubsel::output::Format], written: Duration, elapsed: Duration) {
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
    let formats: Vec<&str> = formats.iter().map(|f| f.as_str()).collect();
    eprintln!(
        "stages: {}; write ({}) {:.0} ms; total {:.2} s",
        stages.join(", "),
        formats.join(","),
        written.as_secs_f64() * 1e3,
        elapsed.as_secs_f64()
    );
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
            .map(|s| StrategyKind::parse(s).ok_or_else(|| anyhow::anyhow!("unknown strategy {s:?}")))
            .collect::<Result<_, _>>()?
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let data_dir = args.out.join("data");
    let mut stage_rows: Vec<(String, Duration)> = Vec::new();
    let (schools, roads, districts);
    let input = match &args.preset {
        Some(name) => {
            let preset: hubsel::synth::Preset = name.parse().map_err(|e: hubsel::synth::UnknownPreset| anyhow::anyhow!("{e}"))?;
            let t = Instant::now();
            let data = hubsel::synth::generate(preset, args.seed);
            data.write(&data_dir).with_context(|| format!("cannot write {}", data_dir.display()))?;
            stage_rows.push((format!("synth {name} (not part of a run)"), t.elapsed()));
            schools = data_dir.join("schools.csv");
            roads = data_dir.join("roads.geojson");
            districts = data_dir.join("districts.geojson");
            InputArgs { schools: Some(schools), roads: Some(roads), districts: Some(districts), scenario: args.input.scenario.clone() }
        }
        None => InputArgs {
            schools: args.input.schools.clone(),
            roads: args.input.roads.clone(),
            districts: args.input.districts.clone(),
            scenario: args.input.scenario.clone(),
        },
    };
    let config = load_scenario(input.scenario.as_deref(), None)?;
    let srcs = sources(&input)?;
    let started = Instant::now();
    let t = Instant::now();
    let inputs = hubsel::io::load(&srcs, &ReadOptions::default())?;
    stage_rows.push(("load".into(), t.elapsed()));
    let bars = Bars { quiet: args.quiet, bar: Mutex::new(None) };
    let prepared = hubsel::pipeline::prepare(inputs, &config, &bars)?;
    for (stage, d) in &prepared.stats.stages {
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
        let result = hubsel::pipeline::finish(&prepared, &c, &hubsel::pipeline::Silent)?;
        let elapsed = t.elapsed();
        if first_finish.is_none() {
            let t = Instant::now();
            let files = hubsel::output::render(&result, &[hubsel::output::Format::GeoJson])?;
            let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
            stage_rows.push((format!("render outputs ({:.1} MB)", bytes as f64 / 1e6), t.elapsed()));
            // The four layers alone in each format, from the same tables.
            let t = Instant::now();
            let layers = hubsel::output::layers::layers(&result);
            stage_rows.push(("build layer tables".into(), t.elapsed()));
            for format in hubsel::output::Format::ALL {
                let t = Instant::now();
                let mut bytes = 0;
                for layer in &layers {
                    bytes += match format {
                        hubsel::output::Format::GeoJson => hubsel::output::layers::geojson(layer).len(),
                        hubsel::output::Format::FlatGeobuf => hubsel::output::flatgeobuf::bytes(layer)?.len(),
                        hubsel::output::Format::Shapefile => hubsel::output::shapefile::files(layer)?.iter().map(|(_, b)| b.len()).sum(),
                    };
                }
                stage_rows.push((format!("encode 4 layers as {} ({:.1} MB)", format.as_str(), bytes as f64 / 1e6), t.elapsed()));
            }
            first_finish = Some(elapsed);
        }
        rows.push((*kind, result.access.clone(), hubsel::output::Totals::of(&result), elapsed));
    }

    let s = &prepared.stats;
    let travel_s = s.stages.iter().find(|(st, _)| *st == Stage::Travel).map_or(0.0, |(_, d)| d.as_secs_f64());
    println!("input: {} districts, {} schools; road graph {} nodes, {} links, {} components", prepared.districts.len(), prepared.schools.len() + prepared.rejected_schools.len(), s.graph_nodes, s.graph_links, s.components);
    println!("\n{:<40} {:>10}", "stage", "seconds");
    for (name, d) in &stage_rows {
        println!("{:<40} {:>10.3}", name, d.as_secs_f64());
    }
    if let Some(d) = first_finish {
        println!("{:<40} {:>10.3}", format!("select + allocate ({})", kinds[0].as_str()), d.as_secs_f64());
        println!("{:<40} {:>10.3}", "whole run without writing", prepare_s + d.as_secs_f64());
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
    println!("\nnearest hub of each level for every school (unreachable at the {} min cutoff), student-weighted:", config.search_cutoff_minutes);
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>10} {:>11} {:>12} {:>9} {:>8}",
        "strategy", "mean min", "p95 min", "max min", format!("<={limit} min"), "stand-alone", "members min", "over cap", "ms"
    );
    let mut csv = String::from("strategy,mean_min,p95_min,max_min,share_within,standalone,members,members_mean_min,hubs,hubs_over_capacity,ms\n");
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
        csv.push_str(&format!(
            "{},{:.4},{:.4},{:.4},{:.6},{},{},{:.4},{},{},{:.1}\n",
            kind.as_str(),
            a.mean_min,
            a.p95_min,
            a.max_min,
            a.share_within,
            t.standalone,
            t.members,
            t.mean_min,
            t.hubs_primary + t.hubs_secondary,
            t.hubs_over_capacity,
            d.as_secs_f64() * 1e3
        ));
        json.push(serde_json::json!({
            "strategy": kind.as_str(), "mean_min": a.mean_min, "p95_min": a.p95_min, "max_min": a.max_min,
            "share_within": a.share_within, "standalone": t.standalone, "members": t.members,
            "members_mean_min": t.mean_min, "hubs": t.hubs_primary + t.hubs_secondary,
            "hubs_over_capacity": t.hubs_over_capacity, "ms": d.as_secs_f64() * 1e3,
        }));
    }
    let stages_json: Vec<_> = stage_rows.iter().map(|(n, d)| serde_json::json!({"stage": n, "seconds": d.as_secs_f64()})).collect();
    let report = serde_json::json!({
        "graph": {"nodes": s.graph_nodes, "links": s.graph_links, "components": s.components},
        "searches": s.searches, "settled_nodes": s.settled_nodes, "travel_seconds": travel_s,
        "peak_memory_mib": peak_memory_mib(), "stages": stages_json, "strategies": json,
    });
    std::fs::write(args.out.join("bench.csv"), csv).context("cannot write bench.csv")?;
    std::fs::write(args.out.join("bench.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .context("cannot write bench.json")?;
    println!("\nwrote {} and bench.json", args.out.join("bench.csv").display());
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
        (hubsel::output::MARKER.to_string(), b"written by hubsel compare\n".to_vec()),
    ];
    hubsel::output::write_files(&files, &args.out, args.force)?;
    println!("wrote {}", args.out.join("compare.geojson").display());
    Ok(())
}

/// Writes the road graph's arcs and each district's travel problem, with
/// hubsel's door-to-door seconds, so that an outside solver can recompute
/// them on the same graph (benches/scipy_compare.py).
fn export_graph(p: &hubsel::pipeline::Prepared, config: &Config, dir: &Path) -> Result<(), Fatal> {
    use hubsel::routing::{same_link_s, Ends};
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let g = &p.graph;
    let mut arcs = String::from("tail,head,cost_s\n");
    for tail in 0..g.node_count() as u32 {
        for e in g.forward.range(tail) {
            arcs.push_str(&format!("{tail},{},{:?}\n", g.forward.other[e], g.forward.cost_s[e]));
        }
    }
    std::fs::write(dir.join("arcs.csv"), arcs).context("cannot write arcs.csv")?;
    let offroad = |i: usize| p.snaps[i].map_or(0.0, |s| s.offroad_m * 3.6 / config.offroad_speed_kmh);
    let finite = |pairs: [(u32, f64); 2]| -> Vec<(u32, f64)> { pairs.into_iter().filter(|(_, s)| s.is_finite()).collect() };
    let mut tasks = Vec::new();
    for (d, m) in p.matrices.iter().enumerate() {
        let members = &p.members[d];
        for (row, &c) in m.candidates.iter().enumerate() {
            let h = members[c];
            let Some(hub) = p.snaps[h].filter(|_| p.on_network[h]) else { continue };
            let schools: Vec<serde_json::Value> = members
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != c)
                .filter_map(|(i, &s)| {
                    let snap = p.snaps[s].filter(|_| p.on_network[s])?;
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
    let travel_s = p.stats.stages.iter().find(|(st, _)| *st == Stage::Travel).map_or(0.0, |(_, d)| d.as_secs_f64());
    let doc = serde_json::json!({
        "nodes": g.node_count(), "cutoff_s": config.search_cutoff_minutes * 60.0,
        "hubsel_matrix_seconds": travel_s, "hubsel_searches": p.stats.searches, "tasks": tasks,
    });
    std::fs::write(dir.join("tasks.json"), doc.to_string()).context("cannot write tasks.json")?;
    println!("exported the graph and {} searches to {}", p.stats.searches, dir.display());
    Ok(())
}
