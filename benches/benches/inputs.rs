//! Reading inputs within a budget: the scenario parser on files of 20,000
//! to 160,000 required hub ids (issue 21, item 4: 80,000 took 17 s when
//! each value's line was counted from the start of the file), and the
//! schools CSV read with each separator.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// A valid scenario requiring `n` hub ids, one per line.
fn many_required(n: usize) -> String {
    let mut text = String::from("name = \"many\"\nrequired_hubs = [\n");
    for i in 0..n {
        text.push_str(&format!("  \"{}\",\n", 10_000_000 + i));
    }
    text.push_str("]\n");
    text
}

fn scenario_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario parse, required ids");
    group.sample_size(10);
    for n in [20_000usize, 40_000, 80_000, 160_000] {
        let text = many_required(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| hubsel::scenario::parse(text, "many.toml"))
        });
    }
    group.finish();
}

fn schools_csv(c: &mut Criterion) {
    let comma = std::str::from_utf8(hubsel::fixture::SCHOOLS_CSV).unwrap_or_default();
    let columns = Default::default();
    let mut group = c.benchmark_group("schools CSV read (province)");
    for (name, sep) in [("comma", ","), ("semicolon", ";"), ("tab", "\t")] {
        let text = comma.replace(',', sep);
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| hubsel::io::csv::read_schools(text.as_bytes(), "s.csv", &columns))
        });
    }
    group.finish();
}

criterion_group!(benches, scenario_parse, schools_csv);
criterion_main!(benches);
