//! The CPU time (user + system, all threads) of the run's "write outputs"
//! stage and of its parts, round after round: on a machine shared with
//! other work the wall time of a parallel stage says little, its CPU time
//! much more.
//!
//! ```sh
//! HUBSEL_BENCH_PBF=/path/thailand-osm.osm.pbf HUBSEL_BENCH_ROUNDS=5 \
//!     cargo bench -p hubsel-output --bench write_cpu
//! ```
//!
//! The data set is the one of the `outputs` bench (the embedded province
//! by default, `HUBSEL_BENCH_DIR` or `HUBSEL_BENCH_PBF`). Each round
//! prints, for each part, wall and CPU seconds; the end prints the median
//! of each. The parts: `build tables` ([`layers::layers`]: the rows and
//! their rounded geometries), `geojson layers` (the four layers formatted
//! into a sink), `report` (`report.html`), `write run` (the whole stage
//! into a folder of the system's temporary directory, as a run does).

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

extern crate hubsel_output as hubsel;

use std::time::Instant;

use hubsel::io::geojson;
use hubsel::output::{layers, report, words::Lang};

/// The process's user + system CPU seconds so far (all threads), from
/// `/proc/self/stat` (in ticks of 1/100 s).
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // The fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// Runs `f`, returning its (wall, CPU) seconds.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_s());
    f();
    (t.elapsed().as_secs_f64(), cpu_s() - c)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[path = "common/run.rs"]
mod run;

fn main() {
    // cargo bench passes `--bench`; a filter is not used.
    let rounds: usize = std::env::var("HUBSEL_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let (label, result) = run::run_for_outputs();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let dir = scratch.path().join("run");
    let options = hubsel::output::WriteOptions {
        force: true,
        ..Default::default()
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "write stage CPU ({label}), {rounds} rounds, load {}",
        load.trim()
    );
    let names = ["build tables", "geojson layers", "report", "write run"];
    let mut seen: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
    for round in 0..rounds {
        let mut built = Vec::new();
        let parts = [
            timed(|| built = layers::layers(&result)),
            timed(|| {
                for layer in &built {
                    geojson::write(layer, &mut std::io::sink()).unwrap();
                }
            }),
            timed(|| {
                std::hint::black_box(report::html(&result, &built, Lang::En));
            }),
            timed(|| hubsel::output::write_run(&result, &dir, &options).unwrap()),
        ];
        let line: Vec<String> = names
            .iter()
            .zip(&parts)
            .map(|(n, (w, c))| format!("{n} {w:.3} s wall {c:.2} s CPU"))
            .collect();
        println!("round {}: {}", round + 1, line.join(" | "));
        for (s, p) in seen.iter_mut().zip(parts) {
            s.push(p);
        }
    }
    for (n, s) in names.iter().zip(seen) {
        let wall = median(s.iter().map(|p| p.0).collect());
        let cpu = median(s.iter().map(|p| p.1).collect());
        println!("median {n:<15} {wall:.3} s wall {cpu:.2} s CPU");
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load at the end {}", load.trim());
}
