//! Runs the default scenario on the embedded province and prints each
//! district's hubs with the runner-up and the margin.
//!
//! `cargo run -p hubsel-examples --bin province`

use hubsel::{fixture, io, pipeline, scenario};

fn main() -> Result<(), hubsel::error::Error> {
    let config = scenario::parse(scenario::DEFAULT_SCENARIO, scenario::DEFAULT_SCENARIO_NAME)?;
    let inputs = io::load(&fixture::province(), &io::ReadOptions::default())?;
    let result = pipeline::run(inputs, &config, &hubsel::progress::Silent)?;
    println!(
        "{:<6} {:<10} {:<10} {:>7} {:>10} {:>8}",
        "dist", "level", "hub", "score", "runner-up", "margin"
    );
    for h in &result.hubs {
        println!(
            "{:<6} {:<10} {:<10} {:>7.3} {:>10} {:>8.3}",
            h.district.0,
            h.level.as_str(),
            h.id.0,
            h.score,
            h.runner_up.as_ref().map_or("-", |r| r.0.as_str()),
            h.margin
        );
    }
    for s in result.district_outcomes.iter().flat_map(|d| &d.shortfalls) {
        println!("{} {}: {}", s.district.0, s.level.as_str(), s.reason);
    }
    Ok(())
}
