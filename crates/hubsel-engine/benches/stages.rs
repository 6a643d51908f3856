//! Stage benchmarks on the province fixture: graph building, snapping,
//! the travel-time matrices and the whole run. They measure the engine's
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
use hubsel::spatial::{DistrictIndex, SnapIndex};

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

/// The road graph of the OpenStreetMap extract named by `HUBSEL_BENCH_PBF`
/// (as in hubsel-output's `outputs` bench), when set: a national extract
/// (`hubsel synth --preset thailand-osm --seed 1`, the file
/// `benches/osm-vs-osmium.sh` times) has tens of millions of road vertices,
/// where the build's memory traffic shows as the province's cannot.
fn graph_build_extract(c: &mut Criterion) {
    let Some(pbf) = std::env::var_os("HUBSEL_BENCH_PBF").map(std::path::PathBuf::from) else {
        eprintln!("graph build (extract): skipped (HUBSEL_BENCH_PBF names no extract)");
        return;
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

fn matrices(c: &mut Criterion) {
    let (config, inputs, graph) = province_graph();
    let index = SnapIndex::new(&graph);
    let districts = DistrictIndex::new(&inputs.districts);
    let mut by_district: Vec<Vec<usize>> = vec![Vec::new(); inputs.districts.len()];
    for (i, s) in inputs.schools.iter().enumerate() {
        if let Some(d) = districts.locate(s.lon, s.lat) {
            by_district[d].push(i);
        }
    }
    let snaps: Vec<_> = inputs
        .schools
        .iter()
        .map(|s| index.snap(&graph, s.lon, s.lat))
        .collect();
    let trips: Vec<DistrictTrips<'_>> = by_district
        .iter()
        .map(|m| DistrictTrips {
            snaps: m.iter().map(|&i| snaps[i].as_ref()).collect(),
            offroad_s: vec![0.0; m.len()],
            // Every school a candidate: the full square matrix per district.
            candidates: (0..m.len()).collect(),
        })
        .collect();
    let cutoff_s = config.search_cutoff_min * 60.0;
    c.bench_function(
        "district matrices, all schools as candidates (province)",
        |b| b.iter(|| district_matrices(&graph, &trips, cutoff_s, &|| {})),
    );
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
    targets = graph_build, graph_build_extract, snapping, matrices, whole_run
}
criterion_main!(stages);
