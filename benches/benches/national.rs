//! A weight change on the national preset (issue 23: "a national weight
//! change takes at most 300 ms, re-score and re-select only"): the
//! travel times are prepared once with the default scenario, then each
//! iteration re-scores the candidates and re-selects every district's
//! hubs ([`hubsel::pipeline::select`]) for the other of two weightings.
//! "+ allocate" is the whole [`hubsel::pipeline::finish`] the workbench
//! runs for the same change (allocation, routes and figures as well).
//!
//! The data set is `hubsel synth --preset thailand --seed 1`, generated
//! in-process once into cargo's bench scratch folder
//! (`target/tmp/national-seed1`), or read from the folder named by
//! `HUBSEL_BENCH_NATIONAL` (an absolute path) when set:
//!
//! ```sh
//! cargo bench -p hubsel-benches --bench national
//! ```
//!
//! The second group (issue 24, "exact capacities") allocates the same
//! national preset with hub capacities of classrooms × 40 students
//! (`class_size = 40`, `overflow = "next"`) by each method,
//! `min-cost` (the transportation optimum by min-cost flow, rounded to
//! whole schools) and `nearest-first` (the greedy), re-selecting the
//! hubs each time ([`hubsel::pipeline::finish`]); "select only" is the
//! part both share. Before timing, it prints each method's totals
//! (student-minutes, students over capacity, students unassigned) and
//! the transportation optimum's bound, the figures README.md compares.

// Set-up that cannot go wrong on the generated data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};

use hubsel::progress::Silent;
use hubsel::scenario::{Config, DEFAULT_SCENARIO};

/// The national data set's folder, generated at seed 1 when missing.
fn national_folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("HUBSEL_BENCH_NATIONAL") {
        return PathBuf::from(dir);
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("national-seed1");
    if !dir.join("districts.geojson").is_file() {
        let t = Instant::now();
        let data = hubsel_synth::generate(hubsel_synth::Preset::Thailand, 1);
        let tmp = dir.with_extension("partial");
        data.write(&tmp).expect("writes the national data set");
        std::fs::rename(&tmp, &dir).expect("moves it in place");
        eprintln!(
            "national bench: generated {} schools in {:.1} s into {}",
            data.schools.len(),
            t.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    dir
}

/// The default scenario with the `classrooms` weight set to `w` (the
/// first criterion; the others keep theirs), as the page's slider does.
fn weighting(w: f64) -> Config {
    let text = DEFAULT_SCENARIO.replacen(
        "field = \"classrooms\"\nweight = 0.15",
        &format!("field = \"classrooms\"\nweight = {w}"),
        1,
    );
    assert!(
        w == 0.15 || text != DEFAULT_SCENARIO,
        "the default scenario gives classrooms a weight of 0.15"
    );
    let mut config = hubsel::scenario::parse(&text, "scenario.toml").expect("parses");
    config.adapts_to_data = true;
    config
}

fn weight_change(c: &mut Criterion) {
    let dir = national_folder();
    let t = Instant::now();
    let inputs = hubsel_benches::synth_folder(&dir).expect("reads the national data set");
    let (schools, districts) = (inputs.schools.len(), inputs.districts.len());
    let base = weighting(0.15);
    let prepared = hubsel::pipeline::prepare(inputs, &base, &Silent).expect("prepares");
    eprintln!(
        "national bench: {schools} schools, {districts} districts read and prepared in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let weightings = [weighting(0.6), weighting(0.05)];
    let mut group = c.benchmark_group("national weight change");
    group.sample_size(10);
    let mut i = 0usize;
    group.bench_function("re-score + re-select", |b| {
        b.iter(|| {
            i += 1;
            let (_, selections) =
                hubsel::pipeline::select(&prepared, &weightings[i % 2], &Silent).unwrap();
            selections.len()
        })
    });
    group.bench_function("re-score + re-select + allocate (finish)", |b| {
        b.iter(|| {
            i += 1;
            hubsel::pipeline::finish(&prepared, &weightings[i % 2], &Silent)
                .unwrap()
                .hubs
                .len()
        })
    });
    group.finish();
}

/// The default scenario with hub capacities of classrooms × 40 students,
/// full hubs sending schools on, placed by `method`.
fn capacities(method: &str) -> Config {
    assert!(
        !DEFAULT_SCENARIO.contains("[allocation]"),
        "the default scenario sets no capacity (the table is appended here)"
    );
    let text = format!(
        "{DEFAULT_SCENARIO}\n[allocation]\nclass_size = 40\noverflow = \"next\"\nmethod = \"{method}\"\n"
    );
    let mut config = hubsel::scenario::parse(&text, "scenario.toml").expect("parses");
    config.adapts_to_data = true;
    config
}

fn capacity_methods(c: &mut Criterion) {
    let dir = national_folder();
    let inputs = hubsel_benches::synth_folder(&dir).expect("reads the national data set");
    let methods = [capacities("min-cost"), capacities("nearest-first")];
    let prepared = hubsel::pipeline::prepare(inputs, &methods[0], &Silent).expect("prepares");
    for config in &methods {
        let t = Instant::now();
        let run = hubsel::pipeline::finish(&prepared, config, &Silent).unwrap();
        let a = run
            .allocation
            .expect("capacities give allocation totals");
        assert!(a.student_minutes > 0.0, "the members travel");
        eprintln!(
            "national capacity: {} ({:.2} s select + allocate)",
            a.line(),
            t.elapsed().as_secs_f64()
        );
    }
    let mut group = c.benchmark_group("national capacity (classrooms x 40)");
    group.sample_size(10);
    group.bench_function("select only", |b| {
        b.iter(|| {
            hubsel::pipeline::select(&prepared, &methods[0], &Silent)
                .unwrap()
                .1
                .len()
        })
    });
    for (name, config) in ["min-cost", "nearest-first"].iter().zip(&methods) {
        group.bench_function(format!("select + allocate, {name}"), |b| {
            b.iter(|| {
                let run = hubsel::pipeline::finish(&prepared, config, &Silent).unwrap();
                run.allocation.map(|a| a.student_minutes)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, weight_change, capacity_methods);
criterion_main!(benches);
