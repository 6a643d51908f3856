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
//! HUBSEL_BENCH_DIR=/tmp/national cargo bench -p hubsel-benches --bench outputs
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use hubsel::io::{flatgeobuf, geojson, gpkg, shapefile};
use hubsel::output::layers;

fn write_layers(c: &mut Criterion) {
    let (label, result) = hubsel_benches::run_for_outputs();
    let built = layers::layers(&result);
    let mut group = c.benchmark_group(format!("write 4 layers ({label})"));
    group.sample_size(10);
    group.bench_function(BenchmarkId::from_parameter("geojson"), |b| {
        b.iter(|| built.iter().map(|l| geojson::text(l).len()).sum::<usize>())
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

criterion_group!(outputs, write_layers);
criterion_main!(outputs);
