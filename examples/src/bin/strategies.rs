//! Runs every selection strategy on the embedded province and prints the
//! metrics a researcher compares.
//!
//! `cargo run --release -p hubsel-examples --bin strategies`

use hubsel::output::Totals;
use hubsel::scenario::StrategyKind;
use hubsel::{fixture, io, pipeline, scenario};

fn main() -> Result<(), hubsel::error::Error> {
    let base = scenario::parse(scenario::DEFAULT_SCENARIO, scenario::DEFAULT_SCENARIO_NAME)?;
    let inputs = io::load(&fixture::province(), &io::ReadOptions::default())?;
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>8} {:>11}",
        "strategy", "mean min", "p95 min", "max min", "share in", "stand-alone"
    );
    for kind in StrategyKind::ALL {
        let mut config = base.clone();
        config.strategy = kind;
        let r = pipeline::run(inputs.clone(), &config, &hubsel::progress::Silent)?;
        let t = Totals::of(&r);
        println!(
            "{:<10} {:>9.2} {:>8.2} {:>8.2} {:>8.3} {:>11}",
            kind.as_str(),
            t.mean_min,
            t.p95_min,
            t.max_min,
            t.share_within,
            t.standalone
        );
    }
    Ok(())
}
