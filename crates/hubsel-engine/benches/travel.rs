//! The travel-time matrices of a national OpenStreetMap extract, named by
//! `HUBSEL_BENCH_PBF` (`hubsel synth --preset thailand-osm --seed 1`, the
//! file `benches/osm-vs-osmium.sh` times): every school of a district a
//! candidate, as in the national run's travel stage (29,251 searches on
//! that file). Skipped when the variable is not set. `cargo bench -p
//! hubsel-engine --bench travel`.

// Set-up that cannot go wrong on a generated extract fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};

use hubsel_engine::graph::RoadGraph;
use hubsel_engine::routing::matrix::{district_matrices, DistrictTrips};
use hubsel_engine::spatial::{DistrictIndex, SnapIndex};

fn travel_extract(c: &mut Criterion) {
    let Some(pbf) = std::env::var_os("HUBSEL_BENCH_PBF").map(std::path::PathBuf::from) else {
        eprintln!("travel times (extract): skipped (HUBSEL_BENCH_PBF names no extract)");
        return;
    };
    let config =
        hubsel_engine::scenario::parse(hubsel_engine::scenario::DEFAULT_SCENARIO, "default")
            .expect("the default scenario parses");
    let sources = hubsel_engine::io::InputSources {
        schools: hubsel_engine::io::Source::File(&pbf),
        roads: hubsel_engine::io::Source::File(&pbf),
        districts: hubsel_engine::io::Source::File(&pbf),
    };
    let inputs = hubsel_engine::io::load(&sources, &hubsel_engine::io::ReadOptions::default())
        .expect("HUBSEL_BENCH_PBF is an extract with schools, roads and districts");
    let graph = RoadGraph::build(&inputs.roads, &config.speeds);
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
            candidates: (0..m.len()).collect(),
        })
        .collect();
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
    // The process's CPU seconds (all threads) as the measure: on a machine
    // other work keeps busy, steadier than wall time.
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

criterion_group!(travel, travel_extract);
criterion_main!(travel);
