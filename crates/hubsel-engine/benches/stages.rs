//! Stage benchmarks on the province fixture: graph building, snapping,
//! the travel-time matrices and the whole run; graph building and the
//! travel-time matrices also on a national extract when
//! `HUBSEL_BENCH_PBF` names one. They measure the engine's
//! internal stages, so they live in its crate (`cargo bench -p
//! hubsel-engine --bench stages`); the `benches` crate uses the declared
//! API only.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The whole engine under the name the library had before its split into crates.
extern crate hubsel_engine as hubsel;

use criterion::{criterion_group, criterion_main, Criterion};

use hubsel::graph::RoadGraph;
use hubsel::routing::matrix::{district_matrices, DistrictTrips};
use hubsel::spatial::{DistrictIndex, Snap, SnapIndex};

/// The default scenario and the embedded province's inputs.
fn province() -> (hubsel::scenario::Config, hubsel::model::Inputs) {
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default")
        .expect("the default scenario parses");
    let inputs = hubsel::io::load(
        &hubsel::fixture::province(),
        &hubsel::io::ReadOptions::default(),
    )
    .expect("the fixture loads");
    (config, inputs)
}

/// The province's road graph.
fn province_graph() -> (hubsel::scenario::Config, hubsel::model::Inputs, RoadGraph) {
    let (config, inputs) = province();
    let graph = RoadGraph::build(&inputs.roads, &config.speeds);
    (config, inputs, graph)
}

fn graph_build(c: &mut Criterion) {
    let (config, inputs) = province();
    c.bench_function("graph build (province)", |b| {
        b.iter(|| RoadGraph::build(&inputs.roads, &config.speeds))
    });
}

/// The default scenario and the inputs of the OpenStreetMap extract named by
/// `HUBSEL_BENCH_PBF` (as in hubsel-output's `outputs` bench), when set: a
/// national extract (`hubsel synth --preset thailand-osm --seed 1`, the file
/// `benches/osm-vs-osmium.sh` times) has tens of millions of road vertices
/// and 29,251 schools, where memory traffic shows as the province's cannot.
/// `None` (saying so) when not set.
fn extract(bench: &str) -> Option<(hubsel::scenario::Config, hubsel::model::Inputs)> {
    let Some(pbf) = std::env::var_os("HUBSEL_BENCH_PBF").map(std::path::PathBuf::from) else {
        eprintln!("{bench}: skipped (HUBSEL_BENCH_PBF names no extract)");
        return None;
    };
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default")
        .expect("the default scenario parses");
    let sources = hubsel::io::InputSources {
        schools: hubsel::io::Source::File(&pbf),
        roads: hubsel::io::Source::File(&pbf),
        districts: hubsel::io::Source::File(&pbf),
    };
    let inputs = hubsel::io::load(&sources, &hubsel::io::ReadOptions::default())
        .expect("HUBSEL_BENCH_PBF is an extract with schools, roads and districts");
    Some((config, inputs))
}

/// The road graph of the extract (see [`extract`]).
fn graph_build_extract(c: &mut Criterion) {
    let Some((config, inputs)) = extract("graph build (extract)") else {
        return;
    };
    let vertices: usize = inputs.roads.iter().map(|r| r.geometry.0.len()).sum();
    let mut group = c.benchmark_group("graph build (extract)");
    group.sample_size(10);
    group.bench_function(
        format!("{} roads, {vertices} vertices", inputs.roads.len()),
        |b| b.iter(|| RoadGraph::build(&inputs.roads, &config.speeds)),
    );
    group.finish();
}

fn snapping(c: &mut Criterion) {
    let (_, inputs, graph) = province_graph();
    c.bench_function("snap index build (province)", |b| {
        b.iter(|| SnapIndex::new(&graph))
    });
    let index = SnapIndex::new(&graph);
    c.bench_function("snap 687 schools (province)", |b| {
        b.iter(|| {
            inputs
                .schools
                .iter()
                .filter_map(|s| index.snap(&graph, s.lon, s.lat))
                .count()
        })
    });
}

/// Each school's snap to `graph`.
fn snaps_of(inputs: &hubsel::model::Inputs, graph: &RoadGraph) -> Vec<Option<Snap>> {
    let index = SnapIndex::new(graph);
    inputs
        .schools
        .iter()
        .map(|s| index.snap(graph, s.lon, s.lat))
        .collect()
}

/// Each district's travel problem with every school a candidate (the full
/// square matrix per district, as in a run's travel stage) and no off-road
/// legs.
fn all_candidates<'s>(
    inputs: &hubsel::model::Inputs,
    snaps: &'s [Option<Snap>],
) -> Vec<DistrictTrips<'s>> {
    let districts = DistrictIndex::new(&inputs.districts);
    let mut by_district: Vec<Vec<usize>> = vec![Vec::new(); inputs.districts.len()];
    for (i, s) in inputs.schools.iter().enumerate() {
        if let Some(d) = districts.locate(s.lon, s.lat) {
            by_district[d].push(i);
        }
    }
    by_district
        .iter()
        .map(|m| DistrictTrips {
            snaps: m.iter().map(|&i| snaps[i].as_ref()).collect(),
            offroad_s: vec![0.0; m.len()],
            candidates: (0..m.len()).collect(),
        })
        .collect()
}

fn matrices(c: &mut Criterion) {
    let (config, inputs, graph) = province_graph();
    let snaps = snaps_of(&inputs, &graph);
    let trips = all_candidates(&inputs, &snaps);
    let cutoff_s = config.search_cutoff_min * 60.0;
    c.bench_function(
        "district matrices, all schools as candidates (province)",
        |b| b.iter(|| district_matrices(&graph, &trips, cutoff_s, &|| {})),
    );
}

/// The travel-time matrices of the extract (see [`extract`]), every school
/// of a district a candidate (29,251 searches on the national extract); the
/// settled node count printed once. Timed in wall time and in the CPU
/// seconds of all threads (steadier where other work shares the machine).
fn travel_extract(c: &mut Criterion) {
    let Some((config, inputs)) = extract("travel times (extract)") else {
        return;
    };
    let graph = RoadGraph::build(&inputs.roads, &config.speeds);
    let snaps = snaps_of(&inputs, &graph);
    let trips = all_candidates(&inputs, &snaps);
    let searches: usize = trips.iter().map(|t| t.candidates.len()).sum();
    let cutoff_s = config.search_cutoff_min * 60.0;
    let settled: u64 = district_matrices(&graph, &trips, cutoff_s, &|| {})
        .iter()
        .map(|m| m.settled_nodes)
        .sum();
    eprintln!("travel times (extract): {searches} searches settle {settled} nodes");
    let mut group = c.benchmark_group("travel times (extract)");
    group.sample_size(10);
    group.bench_function(format!("{searches} searches, wall"), |b| {
        b.iter(|| district_matrices(&graph, &trips, cutoff_s, &|| {}))
    });
    group.bench_function(format!("{searches} searches, CPU of all threads"), |b| {
        b.iter_custom(|iters| {
            let start = cpu_time();
            for _ in 0..iters {
                criterion::black_box(district_matrices(&graph, &trips, cutoff_s, &|| {}));
            }
            cpu_time().saturating_sub(start)
        })
    });
    group.finish();
}

/// User + system CPU time of this process so far, from /proc/self/stat
/// (clock ticks of 10 ms); zero where that file is not.
fn cpu_time() -> std::time::Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command name, which is in parentheses.
            let rest = stat.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the whole line.
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}

fn whole_run(c: &mut Criterion) {
    let (config, inputs) = province();
    c.bench_function("whole run without writing (province)", |b| {
        b.iter(|| {
            hubsel::pipeline::run(inputs.clone(), &config, &hubsel::progress::Silent)
                .map(|r| r.hubs.len())
        })
    });
}

criterion_group! {
    name = stages;
    config = Criterion::default().sample_size(20);
    targets = graph_build, graph_build_extract, snapping, matrices, travel_extract, whole_run
}
criterion_main!(stages);
