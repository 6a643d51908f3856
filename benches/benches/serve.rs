//! How fast the workbench (`hubsel serve`) answers a scenario change: the
//! travel times are prepared once, then a weight or a travel-limit change
//! only re-scores, re-selects and re-allocates ([`Workbench::run`]), and
//! so does a constraint that leaves fewer candidates; a speed change
//! prepares the travel times again. "+ page JSON" adds what
//! the server sends the page (the four layers and the explanation).
//!
//! On the embedded province, and on the national preset when
//! `HUBSEL_BENCH_NATIONAL` names a folder (an absolute path: benchmarks
//! run in `benches/`) written by
//!
//! ```sh
//! hubsel synth --preset thailand --seed 1 --out target/national
//! HUBSEL_BENCH_NATIONAL=$PWD/target/national cargo bench -p hubsel-benches --bench serve
//! ```

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};

use hubsel::scenario::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use hubsel_serve::edit::{apply, Edits};
use hubsel_serve::view::run_json;
use hubsel_serve::{Scenario, Workbench};

fn workbench(label: &str) -> Option<Workbench> {
    let inputs = if label == "province" {
        hubsel::io::load(&hubsel::fixture::province(), &Default::default()).unwrap()
    } else {
        let dir = PathBuf::from(std::env::var_os("HUBSEL_BENCH_NATIONAL")?);
        hubsel_benches::synth_folder(&dir).expect("HUBSEL_BENCH_NATIONAL holds a synth data set")
    };
    let base = Scenario {
        text: DEFAULT_SCENARIO.to_string(),
        file: DEFAULT_SCENARIO_NAME.to_string(),
    };
    Some(Workbench::new(inputs, base, true).unwrap())
}

/// The default scenario with `edits`, as the page sends it.
fn edited(edits: &Edits) -> Scenario {
    Scenario {
        text: apply(DEFAULT_SCENARIO, edits).unwrap(),
        file: "scenario.toml".into(),
    }
}

fn weight(w: f64) -> Scenario {
    edited(&Edits {
        weights: Some([("acc_mean".to_string(), w)].into()),
        ..Edits::default()
    })
}

fn limit(min: f64) -> Scenario {
    edited(&Edits {
        max_travel_minutes: Some(min),
        ..Edits::default()
    })
}

fn min_students(n: f64) -> Scenario {
    edited(&Edits {
        min_students: Some(n),
        ..Edits::default()
    })
}

fn rescore(c: &mut Criterion) {
    for label in ["province", "national"] {
        let Some(wb) = workbench(label) else {
            eprintln!("serve bench: HUBSEL_BENCH_NATIONAL not set, national left out");
            continue;
        };
        let weights = [weight(0.1), weight(0.4)];
        let limits = [limit(30.0), limit(60.0)];
        // Fewer candidates than the default's 120 students: no new travel times.
        let constraints = [min_students(150.0), min_students(200.0)];
        // Both limits and both weights prepare nothing new: warm the cache.
        for s in weights.iter().chain(&limits).chain(&constraints) {
            wb.run(s).unwrap();
        }
        let mut group = c.benchmark_group(format!("serve ({label})"));
        group.sample_size(10);
        let mut i = 0usize;
        group.bench_function("weight change", |b| {
            b.iter(|| {
                i += 1;
                wb.run(&weights[i % 2]).unwrap().hubs.len()
            })
        });
        group.bench_function("weight change + page JSON", |b| {
            b.iter(|| {
                i += 1;
                let s = &weights[i % 2];
                run_json(s, &wb.run(s).unwrap()).len()
            })
        });
        group.bench_function("travel-limit change", |b| {
            b.iter(|| {
                i += 1;
                wb.run(&limits[i % 2]).unwrap().hubs.len()
            })
        });
        group.bench_function("constraint change (min students)", |b| {
            b.iter(|| {
                i += 1;
                wb.run(&constraints[i % 2]).unwrap().hubs.len()
            })
        });
        if label == "province" {
            // Five speed tables against a cache of four: every change
            // prepares the travel times again.
            let speeds: Vec<Scenario> = (0..5)
                .map(|k| Scenario {
                    text: DEFAULT_SCENARIO
                        .replace("motorway = 100", &format!("motorway = {}", 90 + k)),
                    file: "scenario.toml".into(),
                })
                .collect();
            group.bench_function("speed change (prepares again)", |b| {
                b.iter(|| {
                    i += 1;
                    wb.run(&speeds[i % 5]).unwrap().hubs.len()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, rescore);
criterion_main!(benches);
