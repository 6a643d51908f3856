//! Benchmarks of a whole run: every stage timed, the strategies compared
//! on the same travel times, `bench.csv` and `bench.json`, and (for
//! `benches/scipy_compare.py`) the road graph with every district's travel
//! problem, so that an outside solver recomputes hubsel's matrices on the
//! same graph.
//!
//! Nothing here prints. [`prepare`] loads and prepares the travel times
//! once, [`export_graph`] writes them out if asked, [`Setup::compare`]
//! runs the strategies and returns a [`Bench`]: [`Bench::table`] is its
//! text for a console, [`Bench::write`] its files.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::io::table::Layer;
use crate::io::{InputSources, ReadOptions};
use crate::model::Weighting;
use crate::network::Prepared;
use crate::outcome::{RunResult, RunStats};
use crate::output::{Format, Totals};
use crate::progress::{Progress, Silent, Stage};
use crate::routing::{same_link_s, Ends};
use crate::scenario::{Config, StrategyKind};

/// The columns of `bench.csv`, also the keys of `bench.json`'s strategies.
pub const COLUMNS: [&str; 12] = [
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
    "gap",
    "ms",
];

/// One timed step, named as the table and `bench.json` show it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepTime {
    pub name: String,
    pub elapsed: Duration,
}

impl StepTime {
    pub fn new(name: impl Into<String>, elapsed: Duration) -> StepTime {
        StepTime {
            name: name.into(),
            elapsed,
        }
    }
}

/// One strategy's figures on the shared travel times.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyRow {
    pub strategy: StrategyKind,
    /// Weighted mean, 95th percentile and maximum minutes from every school
    /// to the nearest hub of each level (the run's access figures).
    pub mean_min: f64,
    pub p95_min: f64,
    pub max_min: f64,
    /// Weighted share of those trips within the scenario's limit, 0–1.
    pub share_within: f64,
    pub standalone: usize,
    pub members: usize,
    /// Weighted mean minutes of the members to their hub.
    pub members_mean_min: f64,
    /// Primary and secondary hubs.
    pub hubs: usize,
    pub hubs_over_capacity: usize,
    /// The largest certified gap of the run's hubs (0–1: at most this
    /// fraction worse than the optimum, 0 when proven), `None` when no
    /// hub has one (a strategy without a bound).
    pub gap: Option<f64>,
    /// Selection and allocation (the run after the travel times).
    pub elapsed: Duration,
}

impl StrategyRow {
    /// The figures of one run on the prepared travel times, `elapsed`
    /// being its selection and allocation (what the Python sweeps report
    /// per combination).
    pub fn of(strategy: StrategyKind, result: &RunResult, elapsed: Duration) -> StrategyRow {
        let a = &result.access;
        let t = Totals::of(result);
        StrategyRow {
            strategy,
            mean_min: a.mean_min,
            p95_min: a.p95_min,
            max_min: a.max_min,
            share_within: a.share_within,
            standalone: t.standalone,
            members: t.members,
            members_mean_min: t.mean_min,
            hubs: t.hubs_primary + t.hubs_secondary,
            hubs_over_capacity: t.hubs_over_capacity,
            gap: result.hubs.iter().filter_map(|h| h.gap).reduce(f64::max),
            elapsed,
        }
    }

    fn record(&self) -> StrategyRecord {
        StrategyRecord {
            strategy: self.strategy.as_str(),
            mean_min: self.mean_min,
            p95_min: self.p95_min,
            max_min: self.max_min,
            share_within: self.share_within,
            standalone: self.standalone,
            members: self.members,
            members_mean_min: self.members_mean_min,
            hubs: self.hubs,
            hubs_over_capacity: self.hubs_over_capacity,
            gap: self.gap,
            ms: self.elapsed.as_secs_f64() * 1e3,
        }
    }
}

/// A strategy that could not run on these data, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    pub strategy: StrategyKind,
    pub reason: String,
}

/// Everything a bench measured.
#[derive(Clone, Debug)]
pub struct Bench {
    pub districts: usize,
    /// Schools read, rejected ones included.
    pub schools: usize,
    /// The prepared run's figures: graph size, searches, stage times.
    pub stats: RunStats,
    /// The steps timed, in order: the caller's, load, the stages up to the
    /// travel times, then rendering and encoding the first strategy's
    /// outputs.
    pub steps: Vec<StepTime>,
    /// Load and prepare (up to the travel times).
    pub prepare: Duration,
    /// The first strategy that ran and its selection and allocation time.
    pub first: Option<(StrategyKind, Duration)>,
    pub strategies: Vec<StrategyRow>,
    pub left_out: Vec<LeftOut>,
    /// The scenario's search cutoff and travel limit, minutes.
    pub cutoff_min: f64,
    pub limit_min: f64,
    pub weighting: Weighting,
    pub weighting_note: String,
    /// Peak resident memory of the process at the end, MiB (Linux).
    pub peak_memory_mib: Option<f64>,
}

/// The inputs loaded and the travel times prepared once, with the steps
/// timed so far: what every strategy of the bench runs on.
pub struct Setup {
    pub prepared: Prepared,
    /// The caller's steps, load, then the stages up to the travel times.
    pub steps: Vec<StepTime>,
    /// Load and prepare, without the caller's steps.
    pub elapsed: Duration,
}

/// Loads the inputs and prepares the travel times (reporting progress);
/// `steps_before` are steps the caller timed first (generating the data),
/// listed before load.
pub fn prepare(
    sources: &InputSources,
    read: &ReadOptions,
    config: &Config,
    steps_before: Vec<StepTime>,
    progress: &dyn Progress,
) -> Result<Setup> {
    let mut steps = steps_before;
    let started = Instant::now();
    let inputs = crate::io::load(sources, read)?;
    steps.push(StepTime::new("load", started.elapsed()));
    let prepared = crate::pipeline::prepare(inputs, config, progress)?;
    for (stage, elapsed) in &prepared.checked.stats.stages {
        steps.push(StepTime::new(stage.as_str(), *elapsed));
    }
    Ok(Setup {
        prepared,
        steps,
        elapsed: started.elapsed(),
    })
}

impl Setup {
    /// Runs each strategy on the prepared travel times, timing the first
    /// one's rendering and encoding too. With `skip_unrunnable`, a strategy
    /// that cannot run on these data (a scenario error, such as largest
    /// without student counts) is left out with the reason instead of
    /// stopping the bench.
    pub fn compare(
        self,
        config: &Config,
        strategies: &[StrategyKind],
        skip_unrunnable: bool,
    ) -> Result<Bench> {
        let compared = compare(&self.prepared, config, strategies, skip_unrunnable)?;
        let checked = self.prepared.checked;
        let mut steps = self.steps;
        steps.extend(compared.steps);
        Ok(Bench {
            districts: checked.districts.len(),
            schools: checked.schools.len() + checked.rejected_schools.len(),
            stats: checked.stats,
            steps,
            prepare: self.elapsed,
            first: compared.first,
            strategies: compared.rows,
            left_out: compared.left_out,
            cutoff_min: config.search_cutoff_min,
            limit_min: config.max_travel_min,
            weighting: checked.weighting,
            weighting_note: checked.weighting_note,
            peak_memory_mib: peak_memory_mib(),
        })
    }
}

/// The strategies run on the prepared travel times.
struct Compared {
    rows: Vec<StrategyRow>,
    left_out: Vec<LeftOut>,
    first: Option<(StrategyKind, Duration)>,
    /// Rendering and encoding the first strategy's outputs.
    steps: Vec<StepTime>,
}

fn compare(
    prepared: &Prepared,
    config: &Config,
    kinds: &[StrategyKind],
    skip_unrunnable: bool,
) -> Result<Compared> {
    let mut compared = Compared {
        rows: Vec::new(),
        left_out: Vec::new(),
        first: None,
        steps: Vec::new(),
    };
    for &kind in kinds {
        let mut c = config.clone();
        c.strategy = kind;
        let t = Instant::now();
        let result = match crate::pipeline::finish(prepared, &c, &Silent) {
            Ok(r) => r,
            Err(e) if skip_unrunnable && e.kind() == ErrorKind::Scenario => {
                compared.left_out.push(LeftOut {
                    strategy: kind,
                    reason: e.message().to_string(),
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let elapsed = t.elapsed();
        if compared.first.is_none() {
            compared.steps = output_steps(&result)?;
            compared.first = Some((kind, elapsed));
        }
        compared.rows.push(StrategyRow::of(kind, &result, elapsed));
    }
    Ok(compared)
}

/// Times rendering a run's outputs, then the four layers alone in each
/// format, from the same tables.
fn output_steps(result: &RunResult) -> Result<Vec<StepTime>> {
    let mut steps = Vec::new();
    let t = Instant::now();
    let files = crate::output::render(result, &[Format::GeoJson])?;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    steps.push(StepTime::new(
        format!("render outputs ({:.1} MB)", bytes as f64 / 1e6),
        t.elapsed(),
    ));
    let t = Instant::now();
    let layers = crate::output::layers::layers(result);
    steps.push(StepTime::new("build layer tables", t.elapsed()));
    for format in Format::ALL {
        let t = Instant::now();
        let bytes = encoded_len(&layers, format)?;
        steps.push(StepTime::new(
            format!(
                "encode 4 layers as {} ({:.1} MB)",
                format.as_str(),
                bytes as f64 / 1e6
            ),
            t.elapsed(),
        ));
    }
    Ok(steps)
}

/// Bytes of the layers encoded in `format`: all files of a Shapefile; one
/// GeoPackage holding the layers alone (no attribute tables or styles).
fn encoded_len(layers: &[Layer], format: Format) -> Result<usize> {
    if format == Format::GeoPackage {
        let package = crate::io::gpkg::Package {
            features: layers,
            attributes: &[],
            styles: &[],
        };
        return Ok(crate::io::gpkg::bytes(&package)?.len());
    }
    let mut bytes = 0;
    for layer in layers {
        bytes += match format {
            Format::GeoJson => crate::io::geojson::text(layer).len(),
            Format::FlatGeobuf => crate::io::flatgeobuf::bytes(layer)?.len(),
            Format::Shapefile => crate::io::shapefile::files(layer)?
                .iter()
                .map(|(_, b)| b.len())
                .sum(),
            Format::GeoPackage => 0,
        };
    }
    Ok(bytes)
}

/// Peak resident memory of this process in MiB (Linux), if known.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Seconds of the travel-times stage, 0 when it did not run.
fn travel_stage_s(stats: &RunStats) -> f64 {
    stats
        .stages
        .iter()
        .find(|(stage, _)| *stage == Stage::Travel)
        .map_or(0.0, |(_, d)| d.as_secs_f64())
}

impl Bench {
    /// The whole bench as text for a console, one line each, ending in a
    /// line break: input, steps, travel-time throughput, peak memory and
    /// the strategy table.
    pub fn table(&self) -> String {
        let mut text = String::new();
        self.steps_text(&mut text);
        self.strategies_text(&mut text);
        text
    }

    fn steps_text(&self, text: &mut String) {
        let s = &self.stats;
        let _ = writeln!(
            text,
            "input: {} districts, {} schools; road graph {} nodes, {} links, {} components",
            self.districts, self.schools, s.graph_nodes, s.graph_links, s.components
        );
        let _ = writeln!(text, "\n{:<40} {:>10}", "stage", "seconds");
        for step in &self.steps {
            let _ = writeln!(
                text,
                "{:<40} {:>10.3}",
                step.name,
                step.elapsed.as_secs_f64()
            );
        }
        if let Some((kind, d)) = self.first {
            let name = format!("select + allocate ({})", kind.as_str());
            let _ = writeln!(text, "{:<40} {:>10.3}", name, d.as_secs_f64());
            let whole = self.prepare.as_secs_f64() + d.as_secs_f64();
            let _ = writeln!(text, "{:<40} {:>10.3}", "whole run without writing", whole);
        }
        let travel_s = travel_stage_s(s);
        if travel_s > 0.0 {
            let _ = writeln!(
                text,
                "\ntravel times: {} searches, {:.0} searches/s, {} settled nodes, {:.2} M settled nodes/s",
                s.searches,
                s.searches as f64 / travel_s,
                s.settled_nodes,
                s.settled_nodes as f64 / travel_s / 1e6
            );
        }
        if let Some(mib) = self.peak_memory_mib {
            let _ = writeln!(text, "peak memory: {mib:.0} MiB");
        }
    }

    fn strategies_text(&self, text: &mut String) {
        let _ = writeln!(
            text,
            "\nnearest hub of each level for every school (those the hubs leave unreached at the {} min cutoff; those no candidate reaches left out), weighted by {} ({}):",
            self.cutoff_min,
            self.weighting.as_str(),
            self.weighting_note
        );
        let _ = writeln!(
            text,
            "{:<10} {:>9} {:>8} {:>8} {:>10} {:>11} {:>12} {:>9} {:>8} {:>8}",
            "strategy",
            "mean min",
            "p95 min",
            "max min",
            format!("<={} min", self.limit_min),
            "stand-alone",
            "members min",
            "over cap",
            "gap %",
            "ms"
        );
        for r in &self.strategies {
            let _ = writeln!(
                text,
                "{:<10} {:>9.2} {:>8.2} {:>8.2} {:>10.3} {:>11} {:>12.2} {:>9} {:>8} {:>8.1}",
                r.strategy.as_str(),
                r.mean_min,
                r.p95_min,
                r.max_min,
                r.share_within,
                r.standalone,
                r.members_mean_min,
                r.hubs_over_capacity,
                r.gap.map_or("-".to_string(), |g| format!("{:.3}", g * 100.0)),
                r.elapsed.as_secs_f64() * 1e3
            );
        }
    }

    /// Writes `bench.csv` (one row per strategy, [`COLUMNS`]) and
    /// `bench.json` (graph, searches, steps and the same rows) into `dir`,
    /// which must exist.
    pub fn write(&self, dir: &Path) -> Result<()> {
        self.write_csv(&dir.join("bench.csv"))?;
        let report = BenchRecord {
            graph: GraphRecord {
                nodes: self.stats.graph_nodes,
                links: self.stats.graph_links,
                components: self.stats.components,
            },
            searches: self.stats.searches,
            settled_nodes: self.stats.settled_nodes,
            travel_s: travel_stage_s(&self.stats),
            peak_memory_mib: self.peak_memory_mib,
            stages: self
                .steps
                .iter()
                .map(|s| StepRecord {
                    stage: &s.name,
                    seconds: s.elapsed.as_secs_f64(),
                })
                .collect(),
            strategies: self.strategies.iter().map(StrategyRow::record).collect(),
        };
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| write_error("bench.json", &e))?;
        std::fs::write(dir.join("bench.json"), json).map_err(|e| write_error("bench.json", &e))
    }

    fn write_csv(&self, path: &Path) -> Result<()> {
        let file = File::create(path).map_err(|e| write_error("bench.csv", &e))?;
        let mut csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(BufWriter::new(file));
        let failed = |e: csv::Error| write_error("bench.csv", &e);
        csv.write_record(COLUMNS).map_err(failed)?;
        for row in &self.strategies {
            csv.serialize(row.record()).map_err(failed)?;
        }
        csv.flush().map_err(|e| write_error("bench.csv", &e))
    }
}

/// `cannot write <name>: <why>`, the message the command line has always given.
fn write_error(name: &str, e: &dyn std::fmt::Display) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write {name}: {e}"))
}

/// A row of `bench.csv` and of `bench.json`'s strategies: [`COLUMNS`] in order.
#[derive(Serialize)]
struct StrategyRecord {
    strategy: &'static str,
    mean_min: f64,
    p95_min: f64,
    max_min: f64,
    share_within: f64,
    standalone: usize,
    members: usize,
    members_mean_min: f64,
    hubs: usize,
    hubs_over_capacity: usize,
    /// Empty in `bench.csv`, `null` in `bench.json` when there is none.
    gap: Option<f64>,
    ms: f64,
}

#[derive(Serialize)]
struct GraphRecord {
    nodes: usize,
    links: usize,
    components: usize,
}

#[derive(Serialize)]
struct StepRecord<'a> {
    stage: &'a str,
    seconds: f64,
}

/// `bench.json`.
#[derive(Serialize)]
struct BenchRecord<'a> {
    graph: GraphRecord,
    searches: usize,
    settled_nodes: u64,
    #[serde(rename = "travel_seconds")]
    travel_s: f64,
    peak_memory_mib: Option<f64>,
    stages: Vec<StepRecord<'a>>,
    strategies: Vec<StrategyRecord>,
}

/// A district's travel problem for one hub candidate: the nodes a search
/// toward the hub starts from (with the seconds from each to the hub's
/// door), and each other school of the district.
#[derive(Serialize)]
struct TravelProblem {
    district: usize,
    seeds: Vec<(u32, f64)>,
    hub_offroad_s: f64,
    schools: Vec<SchoolTrip>,
}

/// A school's side of a trip: the nodes it leaves by (seconds from its
/// snap to each), the trip along the hub's own link if they share one,
/// its off-road seconds and hubsel's door-to-door answer (`None`: none
/// within the cutoff).
#[derive(Serialize)]
struct SchoolTrip {
    leave: Vec<(u32, f64)>,
    direct_s: Option<f64>,
    offroad_s: f64,
    hubsel_s: Option<f64>,
}

/// `tasks.json`.
#[derive(Serialize)]
struct Export<'a> {
    nodes: usize,
    cutoff_s: f64,
    #[serde(rename = "hubsel_matrix_seconds")]
    hubsel_matrix_s: f64,
    hubsel_searches: usize,
    tasks: &'a [TravelProblem],
}

/// Writes the road graph's arcs (`arcs.csv`: tail, head, seconds) and each
/// district's travel problems with hubsel's door-to-door seconds
/// (`tasks.json`) into `dir`, creating it, so that an outside solver can
/// recompute them on the same graph (`benches/scipy_compare.py`).
pub fn export_graph(prepared: &Prepared, config: &Config, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    write_arcs(prepared, &dir.join("arcs.csv"))?;
    let tasks = travel_problems(prepared, config);
    let export = Export {
        nodes: prepared.checked.graph.node_count(),
        cutoff_s: config.search_cutoff_min * 60.0,
        hubsel_matrix_s: travel_stage_s(&prepared.checked.stats),
        hubsel_searches: prepared.checked.stats.searches,
        tasks: &tasks,
    };
    let failed = |e: &dyn std::fmt::Display| write_error("tasks.json", e);
    let file = File::create(dir.join("tasks.json")).map_err(|e| failed(&e))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, &export).map_err(|e| failed(&e))?;
    out.flush().map_err(|e| failed(&e))
}

/// Every arc of the forward graph; seconds as Rust's `{:?}` writes them
/// (the shortest text that reads back as the same f64).
fn write_arcs(prepared: &Prepared, path: &Path) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| write_error("arcs.csv", e);
    let file = File::create(path).map_err(|e| failed(&e))?;
    let mut csv = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(BufWriter::new(file));
    csv.write_record(["tail", "head", "cost_s"])
        .map_err(|e| failed(&e))?;
    let forward = &prepared.checked.graph.forward;
    for tail in 0..prepared.checked.graph.node_count() as u32 {
        for e in forward.range(tail) {
            let record = [
                tail.to_string(),
                forward.other[e].to_string(),
                format!("{:?}", forward.cost_s[e]),
            ];
            csv.write_record(&record).map_err(|e| failed(&e))?;
        }
    }
    csv.flush().map_err(|e| failed(&e))
}

/// For each district and each of its hub candidates on the network, the
/// travel problem from every other school on the network to it.
fn travel_problems(prepared: &Prepared, config: &Config) -> Vec<TravelProblem> {
    let checked = &prepared.checked;
    let g = &checked.graph;
    let on_network = |i: usize| checked.snaps[i].filter(|_| checked.on_network[i]);
    let offroad_s =
        |i: usize| checked.snaps[i].map_or(0.0, |s| s.offroad_m * 3.6 / config.offroad_speed_kmh);
    let finite = |pairs: [(u32, f64); 2]| -> Vec<(u32, f64)> {
        pairs.into_iter().filter(|(_, s)| s.is_finite()).collect()
    };
    let mut tasks = Vec::new();
    for (district, m) in prepared.matrices.iter().enumerate() {
        let members = &prepared.members[district];
        for (row, &c) in m.candidates.iter().enumerate() {
            let h = members[c];
            let Some(hub) = on_network(h) else {
                continue;
            };
            let schools = members
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != c)
                .filter_map(|(i, &s)| {
                    let snap = on_network(s)?;
                    let direct = same_link_s(g, &snap, &hub);
                    let answer = m.seconds(row, i);
                    Some(SchoolTrip {
                        leave: finite(Ends::of(g, &snap).leave),
                        direct_s: direct.is_finite().then_some(direct),
                        offroad_s: offroad_s(s),
                        hubsel_s: answer.is_finite().then_some(answer),
                    })
                })
                .collect();
            tasks.push(TravelProblem {
                district,
                seeds: finite(Ends::of(g, &hub).enter),
                hub_offroad_s: offroad_s(h),
                schools,
            });
        }
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn setup(config: &Config) -> Setup {
        let read = ReadOptions::default();
        prepare(
            &crate::fixture::province(),
            &read,
            config,
            Vec::new(),
            &Silent,
        )
        .unwrap()
    }

    #[test]
    fn bench_rows_table_and_files_agree() {
        let config = crate::scenario::default_scenario().unwrap();
        let before = vec![StepTime::new("synth", Duration::from_millis(5))];
        let read = ReadOptions::default();
        let setup = prepare(&crate::fixture::province(), &read, &config, before, &Silent).unwrap();
        let kinds = [StrategyKind::Score, StrategyKind::PMedian];
        let bench = setup.compare(&config, &kinds, false).unwrap();
        assert_eq!(bench.districts, 25);
        assert_eq!(bench.schools, 687);
        assert_eq!(bench.steps[0].name, "synth");
        assert_eq!(bench.steps[1].name, "load");
        assert_eq!(bench.first.map(|f| f.0), Some(StrategyKind::Score));
        let names: Vec<&str> = bench
            .strategies
            .iter()
            .map(|r| r.strategy.as_str())
            .collect();
        assert_eq!(names, ["score", "p-median"]);
        let table = bench.table();
        assert!(table.starts_with("input: 25 districts, 687 schools; road graph "));
        assert!(table.contains("\nselect + allocate (score) "));
        assert!(table.ends_with('\n'));

        let dir = tempfile::tempdir().unwrap();
        bench.write(dir.path()).unwrap();
        let mut csv = csv::Reader::from_path(dir.path().join("bench.csv")).unwrap();
        assert_eq!(
            csv.headers().unwrap(),
            &csv::StringRecord::from(COLUMNS.to_vec())
        );
        let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        let row = &bench.strategies[1];
        assert_eq!(&rows[1][0], "p-median");
        assert_eq!(rows[1][1].parse::<f64>().unwrap(), row.mean_min);
        assert_eq!(rows[1][6].parse::<usize>().unwrap(), row.members);
        // p-median per district on the province: every district solved
        // exactly (enumeration), so the largest gap is 0.
        assert_eq!(row.gap, Some(0.0));
        assert_eq!(rows[1][10].parse::<f64>().unwrap(), 0.0);
        let text = std::fs::read_to_string(dir.path().join("bench.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = json["strategies"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, COLUMNS);
        assert_eq!(json["stages"][0]["stage"], "synth");
        assert_eq!(json["graph"]["nodes"], bench.stats.graph_nodes);
    }

    #[test]
    fn an_unrunnable_strategy_is_left_out_only_when_asked() {
        // Without student counts, largest cannot choose; central can.
        let config = crate::scenario::default_scenario().unwrap();
        let read = ReadOptions::default();
        let mut inputs = crate::io::load(&crate::fixture::province(), &read).unwrap();
        for school in &mut inputs.schools {
            school.students = None;
        }
        inputs.school_fields.retain(|f| f != "students");
        let setup = || Setup {
            prepared: crate::pipeline::prepare(inputs.clone(), &config, &Silent).unwrap(),
            steps: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let kinds = [StrategyKind::Largest, StrategyKind::Central];
        let bench = setup().compare(&config, &kinds, true).unwrap();
        assert_eq!(bench.left_out.len(), 1);
        assert_eq!(bench.left_out[0].strategy, StrategyKind::Largest);
        assert!(bench.left_out[0].reason.contains("student count"));
        assert_eq!(bench.strategies.len(), 1);
        assert_eq!(bench.first.map(|f| f.0), Some(StrategyKind::Central));
        let stopped = setup().compare(&config, &kinds, false).unwrap_err();
        assert_eq!(stopped.kind(), ErrorKind::Scenario);
    }

    #[test]
    fn the_graph_export_holds_every_arc_and_a_problem_per_candidate() {
        let config = crate::scenario::default_scenario().unwrap();
        let setup = setup(&config);
        let dir = tempfile::tempdir().unwrap();
        let graph = dir.path().join("graph");
        export_graph(&setup.prepared, &config, &graph).unwrap();
        let arcs = std::fs::read_to_string(graph.join("arcs.csv")).unwrap();
        let forward = &setup.prepared.checked.graph.forward;
        assert_eq!(arcs.lines().count(), forward.other.len() + 1);
        assert!(arcs.starts_with("tail,head,cost_s\n"));
        let text = std::fs::read_to_string(graph.join("tasks.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["nodes"], setup.prepared.checked.graph.node_count());
        let tasks = json["tasks"].as_array().unwrap();
        assert!(!tasks.is_empty());
        let keys: Vec<&String> = tasks[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["district", "seeds", "hub_offroad_s", "schools"]);
    }
}
