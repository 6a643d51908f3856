//! `hubsel run` and `hubsel validate`: the same flags and inputs; validate
//! stops after the checks and writes rejects.csv.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use hubsel::error::quote;
use hubsel::model::Action;
use hubsel::model::Inputs;
use hubsel::outcome::RunResult;
use hubsel::output::{write_files, write_run, FolderKind, Format, Totals, WriteOptions};
use hubsel::progress::{Progress, Stage};
use hubsel::output::words::Lang;
use hubsel::scenario::Config;

use crate::options::{InputArgs, WorkArgs};
use crate::progress::Bars;
use crate::Fatal;

#[derive(Args)]
pub struct RunArgs {
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
    /// cp874 text), fgb (FlatGeobuf), gpkg (one hubsel.gpkg: the layers,
    /// attribute tables and styles inside). QGIS styles, report.html and
    /// the summary are written whatever the formats.
    #[arg(long, default_value = "geojson", value_name = "LIST")]
    format: String,
    /// Language of report.html: en or th [default: th when the system
    /// locale (LC_ALL, LC_MESSAGES, LANG) is Thai, else en].
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Override the scenario's strategy.
    #[arg(long)]
    strategy: Option<String>,
    /// Only these provinces of national files, comma-separated codes (the
    /// district codes' first two characters, e.g. 50 for Chiang Mai): only
    /// their districts and schools, and the roads within 20 km of them,
    /// are prepared (the workbench's province picker does the same).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    province: Vec<String>,
    #[command(flatten)]
    work: WorkArgs,
}

/// The flags checked and the inputs loaded: what run and validate share.
struct Loaded {
    started: Instant,
    formats: Vec<Format>,
    lang: Lang,
    config: Config,
    bars: Bars,
    inputs: Inputs,
    load_time: Duration,
}

fn load(args: &RunArgs) -> Result<Loaded, Fatal> {
    // First, so that even a problem with the flags is told as JSON.
    let bars = args.work.start()?;
    let started = Instant::now();
    let formats = Format::parse_list(&args.format).map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let lang = report_lang(args.lang.as_deref())?;
    let config = args.input.scenario(args.strategy.as_deref())?;
    let srcs = args.input.sources()?;
    let options = args.input.read_options(&config)?;
    let t = Instant::now();
    // Starts the load stage itself, with the bytes to read as its total.
    let inputs = hubsel::io::load_with_progress(&srcs, &options, &bars).and_then(|inputs| {
        if args.province.is_empty() {
            return Ok(inputs);
        }
        let picked: Vec<&str> = args.province.iter().map(String::as_str).collect();
        inputs.only_provinces(&picked, hubsel::model::PROVINCE_MARGIN_M)
    });
    let load_time = t.elapsed();
    bars.finish(Stage::Load, load_time);
    Ok(Loaded {
        started,
        formats,
        lang,
        config,
        bars,
        inputs: inputs?,
        load_time,
    })
}

pub fn validate(args: &RunArgs) -> Result<(), Fatal> {
    let l = load(args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("validate"));
    let report = hubsel::pipeline::check(l.inputs, &l.config, &l.bars)?;
    let files = vec![("rejects.csv".to_string(), report.rejects_csv().into_bytes())];
    write_files(&files, &out, FolderKind::Validate, args.force)?;
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
        report.rejects.count(Action::Refused),
        report.rejects.count(Action::Flagged),
        out.join("rejects.csv").display()
    );
    Ok(())
}

pub fn run(args: &RunArgs) -> Result<(), Fatal> {
    let l = load(args)?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("out"));
    let mut result = hubsel::pipeline::run(l.inputs, &l.config, &l.bars)?;
    result.stats.stages.insert(0, (Stage::Load, l.load_time));
    let options = WriteOptions {
        formats: l.formats,
        force: args.force,
        lang: l.lang,
    };
    let t = Instant::now();
    write_run(&result, &out, &options)?;
    let write_time = t.elapsed();
    report(
        &result,
        &out,
        &options.formats,
        l.started.elapsed(),
        write_time,
    );
    Ok(())
}

/// The report's language: `--lang`, else the system locale's.
fn report_lang(given: Option<&str>) -> anyhow::Result<Lang> {
    match given {
        None => Ok(Lang::from_locale(|name| std::env::var(name).ok())),
        Some(code) => Lang::parse(code).ok_or_else(|| {
            let known: Vec<&str> = Lang::ALL.iter().map(|l| l.as_str()).collect();
            anyhow::anyhow!(
                "--lang: unknown language {code:?} (one of: {})",
                known.join(", ")
            )
        }),
    }
}

/// `n` with the singular or plural noun: "1 piece", "2 pieces".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The run's figures on stdout, the stage times on stderr.
fn report(r: &RunResult, out: &Path, formats: &[Format], elapsed: Duration, write_time: Duration) {
    let t = Totals::of(r);
    println!(
        "scenario {} ({}): {} districts, {} schools",
        quote(&r.config.name),
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
        r.config.max_travel_min
    );
    if let Some(a) = &r.allocation {
        println!("{}", a.line());
    }
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
