//! `hubsel._hubsel`: the Python extension module behind the `hubsel`
//! package (`python/hubsel`). It is thin on purpose: inputs arrive as file
//! paths or as named bytes (the Python side writes GeoDataFrames as
//! GeoJSON), scenarios as TOML text, and results leave as the same GeoJSON
//! layers, `summary.json` and `rejects.csv` that `hubsel run` writes, which
//! the Python side reads into GeoDataFrames. The engine is the `hubsel`
//! crate, unchanged; nothing here decides anything about a run.
//!
//! Every call that does work releases the GIL and catches panics, so that
//! a bad input raises `hubsel.HubselError` (with the typed problem list of
//! `hubsel::error::Error`) and never takes the interpreter down.

mod errors;
mod inputs;
mod network;
mod solve;

use pyo3::prelude::*;

/// The strategies, in the order `hubsel bench` lists them.
#[pyfunction]
fn strategies() -> Vec<&'static str> {
    hubsel::scenario::StrategyKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect()
}

/// The shipped default scenario's TOML text.
#[pyfunction]
fn default_scenario_toml() -> &'static str {
    hubsel::scenario::DEFAULT_SCENARIO
}

/// The columns of `hubsel bench`'s table (`bench.csv`).
#[pyfunction]
fn bench_columns() -> Vec<&'static str> {
    hubsel_tools::bench::COLUMNS.to_vec()
}

/// The embedded province's three inputs as (name, bytes) pairs: schools,
/// roads, districts.
#[pyfunction]
fn province(py: Python<'_>) -> Vec<(String, Py<pyo3::types::PyBytes>)> {
    let p = hubsel::fixture::province();
    [p.schools, p.roads, p.districts]
        .iter()
        .map(|s| match s {
            hubsel::io::Source::Bytes { name, bytes } => (
                (*name).to_string(),
                pyo3::types::PyBytes::new(py, bytes).unbind(),
            ),
            hubsel::io::Source::File(path) => (
                path.display().to_string(),
                pyo3::types::PyBytes::new(py, &[]).unbind(),
            ),
        })
        .collect()
}

#[pymodule]
fn _hubsel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(strategies, m)?)?;
    m.add_function(wrap_pyfunction!(default_scenario_toml, m)?)?;
    m.add_function(wrap_pyfunction!(bench_columns, m)?)?;
    m.add_function(wrap_pyfunction!(province, m)?)?;
    m.add_function(wrap_pyfunction!(inputs::toml_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(solve::solve, m)?)?;
    m.add_class::<network::Network>()?;
    m.add_class::<network::Run>()?;
    Ok(())
}
