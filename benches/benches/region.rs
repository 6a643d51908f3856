//! Region-wide p-median on the province fixture (`group_by = "province"`,
//! 25 primary hubs over the province, `fixtures/scenario-region.toml`):
//! the solve alone (greedy, fast interchange and the certified
//! Lagrangian bound) on the prepared sparse lists, and the lists with the
//! solve. The certified gap is printed once.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};

use hubsel::progress::Silent;
use hubsel::select::grouped::solve_groups;
use hubsel::select::region::{solve_region_with, RegionMethod};

const SCENARIO: &str = include_str!("../../fixtures/scenario-region.toml");

fn region_pmedian(c: &mut Criterion) {
    let config = hubsel::scenario::parse(SCENARIO, "scenario-region.toml").expect("parses");
    let (_, inputs) = hubsel_benches::province();
    let prepared = hubsel::pipeline::prepare(inputs, &config, &Silent).expect("prepares");
    let config = prepared.fit(&config).expect("fits");
    let weighting = prepared.checked.weighting;
    let (_, solved) = solve_groups(&prepared, &config, weighting, &Silent).expect("not cancelled");
    let s = solved
        .iter()
        .find(|s| s.choice.is_some())
        .expect("a group with hubs");
    let choice = s.choice.as_ref().expect("solved");
    println!(
        "{} {}: p = {}, {} candidates, value {:.3}, certified gap {:.4} %",
        s.group,
        s.level.as_str(),
        s.problem.k,
        s.candidates.len(),
        choice.objective[0],
        choice.gap().unwrap_or(f64::NAN) * 100.0
    );
    c.bench_function("region p-median solve, p = 25 (province)", |b| {
        b.iter(|| solve_region_with(config.strategy, &s.problem, RegionMethod::default()))
    });
    c.bench_function("region p-median lists + solve, p = 25 (province)", |b| {
        b.iter(|| solve_groups(&prepared, &config, weighting, &Silent))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = region_pmedian
}
criterion_main!(benches);
