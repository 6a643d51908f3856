//! Writing the four layers of a run: GeoJSON text against FlatGeobuf
//! (and Shapefile and GeoPackage for reference), in memory so the disk
//! does not blur the comparison.
//!
//! On the embedded province by default. For a national figure, point
//! `HUBSEL_BENCH_DIR` at a folder written by `hubsel synth` (schools.csv,
//! roads.geojson, districts.geojson):
//!
//! ```sh
//! hubsel synth --preset thailand --seed 42 --out /tmp/national
//! HUBSEL_BENCH_DIR=/tmp/national cargo bench -p hubsel-output --bench outputs
//! ```
//!
//! or `HUBSEL_BENCH_PBF` at the OpenStreetMap-sized extract (its routes
//! follow roads with a shape node every 15 m; about 4 GB to run once):
//!
//! ```sh
//! hubsel synth --preset thailand-osm --seed 1 --out /tmp/th-osm
//! HUBSEL_BENCH_PBF=/tmp/th-osm/thailand-osm.osm.pbf cargo bench -p hubsel-output --bench outputs
//! ```
//!
//! `geojson` is the streaming writer a run uses; `geojson via JSON values`
//! the way it was written before (a `serde_json` map per feature, through
//! [`geojson::LayerWriter`]), for comparison: both give the same bytes.
//! `render run (geojson)` is everything `hubsel run` writes by default
//! (the four layers, styles, report and summary, rendered in parallel);
//! `write run (geojson) to a folder` the same written into a folder in the
//! system's temporary directory, as the run's "write outputs" stage does.

//! The writers are internal, so this benchmark lives in their crate; the
//! `benches` crate uses the declared API only.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The whole engine under the name the library had before its split into crates.
extern crate hubsel_output as hubsel;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use hubsel::io::{flatgeobuf, geojson, gpkg, shapefile};
use hubsel::output::{layers, Format};
use hubsel_testkit::geojson::through_values;

fn write_layers(c: &mut Criterion) {
    let (label, result) = run_for_outputs();
    let built = layers::layers(&result);
    let mut group = c.benchmark_group(format!("write 4 layers ({label})"));
    group.sample_size(10);
    group.bench_function(BenchmarkId::from_parameter("geojson"), |b| {
        b.iter(|| built.iter().map(|l| geojson::bytes(l).len()).sum::<usize>())
    });
    group.bench_function(BenchmarkId::from_parameter("geojson via JSON values"), |b| {
        b.iter(|| built.iter().map(|l| through_values(l).len()).sum::<usize>())
    });
    group.bench_function(BenchmarkId::from_parameter("render run (geojson)"), |b| {
        b.iter(|| {
            hubsel::output::render(&result, &[Format::GeoJson])
                .map_or(0, |files| files.iter().map(|(_, bytes)| bytes.len()).sum::<usize>())
        })
    });
    // What the run's "write outputs" stage does: the same, written into a
    // folder (through the page cache) instead of kept in memory.
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let dir = scratch.path().join("run");
    let options = hubsel::output::WriteOptions {
        force: true,
        ..Default::default()
    };
    group.bench_function(BenchmarkId::from_parameter("write run (geojson) to a folder"), |b| {
        b.iter(|| hubsel::output::write_run(&result, &dir, &options).is_ok())
    });
    group.bench_function(BenchmarkId::from_parameter("fgb"), |b| {
        b.iter(|| {
            built
                .iter()
                .map(|l| flatgeobuf::bytes(l).map_or(0, |v| v.len()))
                .sum::<usize>()
        })
    });
    group.bench_function(BenchmarkId::from_parameter("shp"), |b| {
        b.iter(|| {
            built
                .iter()
                .map(|l| shapefile::files(l).map_or(0, |v| v.len()))
                .sum::<usize>()
        })
    });
    // One file with the four layers and their R-trees (no attribute
    // tables or styles: those are the run's, not the layers').
    group.bench_function(BenchmarkId::from_parameter("gpkg"), |b| {
        b.iter(|| {
            let package = gpkg::Package {
                features: &built,
                attributes: &[],
                styles: &[],
            };
            gpkg::bytes(&package).map_or(0, |v| v.len())
        })
    });
    group.bench_function(BenchmarkId::from_parameter("build tables"), |b| {
        b.iter(|| layers::layers(&result).len())
    });
    group.finish();
}

#[path = "common/run.rs"]
mod run;
use run::run_for_outputs;

criterion_group!(outputs, write_layers);
criterion_main!(outputs);
