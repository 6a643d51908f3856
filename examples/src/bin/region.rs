//! Region-wide selection (`group_by = "province"` or `"none"`): prints,
//! for every group and level, the hubs asked, the size of the sparse
//! candidate lists, the value reached, its certified bound and gap, and
//! the solver's time; with `--export DIR`, writes each problem as CSV
//! (the sparse matrix, the demand weights, the candidates) and JSON (its
//! parameters and hubsel's value), for `benches/region_optimum.py` to
//! solve with spopt and HiGHS.
//!
//! ```text
//! cargo run --release -p hubsel-examples --bin region -- \
//!     --scenario fixtures/scenario-region.toml [--export DIR]
//!     [--schools F --roads F --districts F]
//! ```
//!
//! Without input files it runs on the embedded province.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hubsel::error::{Error, ErrorKind};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::select::grouped::{solve_groups, Solved};
use hubsel::{fixture, io, pipeline, scenario};

/// The command line, read by hand (an example keeps its dependencies to
/// the library).
#[derive(Default)]
struct Args {
    scenario: Option<PathBuf>,
    export: Option<PathBuf>,
    schools: Option<PathBuf>,
    roads: Option<PathBuf>,
    districts: Option<PathBuf>,
    /// `--ascent ITERATIONS,PATIENCE,MIN_FACTOR`: the Lagrangian bound's
    /// subgradient ascent, to study it on one problem (with `--solve`).
    ascent: Option<PathBuf>,
}

fn args() -> Result<Args, Error> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().map(PathBuf::from);
        let slot = match flag.as_str() {
            "--scenario" => &mut a.scenario,
            "--export" => &mut a.export,
            "--schools" => &mut a.schools,
            "--roads" => &mut a.roads,
            "--districts" => &mut a.districts,
            "--ascent" => &mut a.ascent,
            other => {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!("unknown argument {other} (--scenario, --export, --schools, --roads, --districts)"),
                ))
            }
        };
        *slot = value;
    }
    Ok(a)
}

fn main() -> Result<(), Error> {
    let a = args()?;
    let path = a.scenario.clone().ok_or_else(|| {
        Error::new(ErrorKind::Input, "--scenario FILE is needed (a scenario with group_by)")
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(ErrorKind::Input, format!("{}: {e}", path.display())))?;
    let config = scenario::parse(&text, &path.display().to_string())?;
    let inputs = match (&a.schools, &a.roads, &a.districts) {
        (Some(s), Some(r), Some(d)) => io::load(
            &InputSources {
                schools: Source::File(s),
                roads: Source::File(r),
                districts: Source::File(d),
            },
            &ReadOptions::default(),
        )?,
        _ => io::load(&fixture::province(), &ReadOptions::default())?,
    };
    let silent = &hubsel::progress::Silent;
    let start = std::time::Instant::now();
    let prepared = pipeline::prepare(inputs, &config, silent)?;
    let prepare_s = start.elapsed().as_secs_f64();
    let config = prepared.fit(&config)?;
    let start = std::time::Instant::now();
    let (_, solved) = solve_groups(&prepared, &config, prepared.checked.weighting, silent)?;
    let select_s = start.elapsed().as_secs_f64();
    println!("prepared in {prepare_s:.2} s; lists and selection in {select_s:.2} s");
    println!(
        "{:<16} {:<9} {:>5} {:>6} {:>6} {:>9} {:>18} {:>18} {:>8} {:>5} {:>8}",
        "group", "level", "k", "cands", "demand", "pairs", "value", "bound", "gap %", "exact", "solve s"
    );
    for s in &solved {
        let Some(c) = &s.choice else { continue };
        println!(
            "{:<16} {:<9} {:>5} {:>6} {:>6} {:>9} {:>18.3} {:>18.3} {:>8.4} {:>5} {:>8.3}",
            s.group,
            s.level.as_str(),
            s.problem.k,
            s.candidates.len(),
            s.demand.len(),
            s.problem.lists.iter().map(Vec::len).sum::<usize>(),
            c.objective[0],
            c.lower_bound.unwrap_or(c.objective[0]),
            c.gap().unwrap_or(f64::NAN) * 100.0,
            c.exact,
            s.solve_s
        );
    }
    if let Some(text) = &a.ascent {
        resolve(&text.display().to_string(), &solved, &config);
    }
    if let Some(dir) = &a.export {
        for s in &solved {
            export(dir, s, &prepared, &config)?;
        }
    }
    Ok(())
}

/// Solves every group and level again with the given ascent settings.
fn resolve(text: &str, solved: &[Solved], config: &scenario::Config) {
    use hubsel::select::region::{solve_region_with, RegionMethod};
    let parts: Vec<f64> = text.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    let mut method = RegionMethod::default();
    if let [iterations, patience, min_factor] = parts[..] {
        method.max_iterations = iterations as usize;
        method.patience = patience as usize;
        method.min_factor = min_factor;
    }
    for s in solved.iter().filter(|s| s.choice.is_some()) {
        let start = std::time::Instant::now();
        let c = solve_region_with(config.strategy, &s.problem, method);
        println!(
            "{} {} with {method:?}: value {:.3}, bound {:.3}, gap {:.4} %, {:.3} s",
            s.group,
            s.level.as_str(),
            c.objective[0],
            c.lower_bound.unwrap_or(f64::NAN),
            c.gap().unwrap_or(f64::NAN) * 100.0,
            start.elapsed().as_secs_f64()
        );
    }
}

/// Writes one group and level's problem under `dir/<group>-<level>/`.
fn export(
    dir: &Path,
    s: &Solved,
    prepared: &hubsel::network::Prepared,
    config: &scenario::Config,
) -> Result<(), Error> {
    let Some(choice) = &s.choice else {
        return Ok(());
    };
    let slug: String = s
        .group
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out = dir.join(format!("{slug}-{}", s.level.as_str()));
    let io_err = |e: std::io::Error| Error::new(ErrorKind::Output, format!("{}: {e}", out.display()));
    std::fs::create_dir_all(&out).map_err(io_err)?;
    let id = |g: usize| prepared.checked.schools[g].school.id.0.clone();
    let mut matrix = String::from("candidate,demand,minutes\n");
    for (i, list) in s.problem.lists.iter().enumerate() {
        for &(j, m) in list {
            let _ = writeln!(matrix, "{i},{j},{m:?}");
        }
    }
    let mut demand = String::from("demand,school,weight\n");
    for (j, &g) in s.demand.iter().enumerate() {
        let _ = writeln!(demand, "{j},{},{:?}", id(g), s.problem.demand[j]);
    }
    let mut candidates = String::from("candidate,school,forced\n");
    for (i, &g) in s.candidates.iter().enumerate() {
        let _ = writeln!(candidates, "{i},{},{}", id(g), s.problem.forced.contains(&i));
    }
    let chosen: Vec<String> = choice.chosen.iter().map(|&i| format!("{i}")).collect();
    let json = format!(
        "{{\"strategy\": \"{}\", \"k\": {}, \"limit_min\": {:?}, \"penalty_min\": {:?}, \"value\": {:?}, \"lower_bound\": {:?}, \"gap\": {:?}, \"exact\": {}, \"solve_s\": {:?}, \"chosen\": [{}]}}\n",
        config.strategy.as_str(),
        s.problem.k,
        s.problem.limit_min,
        s.problem.penalty_min,
        choice.objective[0],
        choice.lower_bound.unwrap_or(choice.objective[0]),
        choice.gap().unwrap_or(0.0),
        choice.exact,
        s.solve_s,
        chosen.join(", ")
    );
    for (name, text) in [
        ("matrix.csv", matrix),
        ("demand.csv", demand),
        ("candidates.csv", candidates),
        ("problem.json", json),
    ] {
        std::fs::write(out.join(name), text).map_err(io_err)?;
    }
    Ok(())
}
