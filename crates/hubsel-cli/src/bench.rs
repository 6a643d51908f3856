//! `hubsel bench`: the library's bench ([`hubsel_tools::bench`]) on the given
//! inputs or a generated preset; prints its table and where it wrote.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use hubsel_tools::bench::StepTime;
use hubsel::error::quote;
use hubsel::scenario::StrategyKind;

use crate::options::{sources, InputArgs, WorkArgs};
use crate::Fatal;

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Generate this synthetic data set instead of reading files (province, thailand).
    #[arg(long)]
    preset: Option<String>,
    /// Seed for --preset.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Strategies to compare, comma-separated, or "all".
    #[arg(long, default_value = "all")]
    strategies: String,
    /// Folder for bench.csv and bench.json (and the generated data with --preset).
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    #[command(flatten)]
    work: WorkArgs,
    /// Also write the road graph and every district's travel problem (with
    /// hubsel's answers) to <out>/graph, for benches/scipy_compare.py.
    #[arg(long)]
    export_graph: bool,
}

/// `--strategies`: "all", or names separated by commas.
fn strategies(list: &str) -> Result<Vec<StrategyKind>, Fatal> {
    if list == "all" {
        return Ok(StrategyKind::ALL.to_vec());
    }
    list.split(',')
        .map(|s| {
            StrategyKind::parse(s)
                .ok_or_else(|| anyhow::anyhow!("unknown strategy {}", quote(s)).into())
        })
        .collect()
}

pub fn bench(args: &BenchArgs) -> Result<(), Fatal> {
    // First, so that even a problem with the flags is told as JSON.
    let bars = args.work.start()?;
    let kinds = strategies(&args.strategies)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let data_dir = args.out.join("data");
    let [schools, roads, districts] =
        ["schools.csv", "roads.geojson", "districts.geojson"].map(|f| data_dir.join(f));
    let mut steps_before = Vec::new();
    let srcs = match &args.preset {
        Some(name) => {
            let preset = crate::synth::preset(name)?;
            let t = Instant::now();
            let data = hubsel_synth::generate(preset, args.seed);
            data.write(&data_dir)
                .with_context(|| format!("cannot write {}", data_dir.display()))?;
            let step = format!("synth {name} (not part of a run)");
            steps_before.push(StepTime::new(step, t.elapsed()));
            sources(Some(&schools), Some(&roads), Some(&districts), None)?
        }
        None => args.input.sources()?,
    };
    let config = args.input.scenario(None)?;
    let read = args.input.read_options(&config)?;
    let setup = hubsel_tools::bench::prepare(&srcs, &read, &config, steps_before, &bars)?;
    if args.export_graph {
        let dir = args.out.join("graph");
        hubsel_tools::bench::export_graph(&setup.prepared, &config, &dir)?;
        println!(
            "exported the graph and {} searches to {}",
            setup.prepared.checked.stats.searches,
            dir.display()
        );
    }
    // Comparing every strategy: one that cannot run on these data
    // (largest without student counts) is left out, saying why.
    let bench = setup.compare(&config, &kinds, args.strategies == "all")?;
    for left_out in &bench.left_out {
        eprintln!(
            "bench: {} left out: {}",
            left_out.strategy.as_str(),
            left_out.reason
        );
    }
    print!("{}", bench.table());
    bench.write(&args.out)?;
    println!(
        "\nwrote {} and bench.json",
        args.out.join("bench.csv").display()
    );
    Ok(())
}
