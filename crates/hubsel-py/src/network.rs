//! `Network`: the inputs loaded, the road graph built, the schools snapped
//! and every district's travel times computed once (`hubsel::pipeline::
//! prepare`); then any number of selections (`pipeline::finish`, as
//! `hubsel bench` runs its strategies) and travel-time matrices on the
//! same graph (`hubsel::od::matrix_on`, as `hubsel matrix`).

use std::time::Instant;

use hubsel_tools::bench::StrategyRow;
use hubsel::error::{ErrorKind, Result as HResult};
use hubsel::io::ReadOptions;
use hubsel::model::{Rejects, School};
use hubsel::network::Prepared;
use hubsel::od::{self, OdPointsIn};
use hubsel::outcome::RunResult;
use hubsel::output::{layers, summary_json};
use hubsel::progress::Silent;
use hubsel::scenario::Config;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{argument, guarded};
use crate::inputs::{read_options, scenario, Inputs3, Owned};

/// The road network and the schools on it, prepared once.
#[pyclass(frozen, module = "hubsel._hubsel")]
pub struct Network {
    prepared: Prepared,
    /// The scenario the network was prepared with, as given (a selection
    /// without a scenario fits it again, as `hubsel run` does).
    config: Config,
    options: ReadOptions,
}

/// One selection's result.
#[pyclass(frozen, module = "hubsel._hubsel")]
pub struct Run {
    result: RunResult,
    elapsed_s: f64,
}

fn f64_bytes<'py>(py: Python<'py>, values: &[f64]) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    PyBytes::new(py, &bytes)
}

impl Network {
    /// The scenario for one selection: the given one (or the network's),
    /// with the strategy and seed replaced when given.
    fn config_for(
        &self,
        given: Option<&(String, String)>,
        strategy: Option<&str>,
        seed: Option<u64>,
    ) -> HResult<Config> {
        match given {
            Some(_) => scenario(given, strategy, seed),
            None => {
                let mut c = self.config.clone();
                if let Some(s) = strategy {
                    c.strategy = scenario(None, Some(s), None)?.strategy;
                }
                if let Some(seed) = seed {
                    c.seed = seed;
                }
                Ok(c)
            }
        }
    }

    fn finish(&self, config: &Config) -> HResult<(RunResult, f64)> {
        let t = Instant::now();
        let result = hubsel::pipeline::finish(&self.prepared, config, &Silent)?;
        Ok((result, t.elapsed().as_secs_f64()))
    }

    /// One side of a matrix: the points given, or the network's schools.
    fn side(&self, given: Option<&Owned>) -> HResult<(Vec<School>, Rejects)> {
        match given {
            Some(o) => od::load_points(o.source(), &self.options),
            None => Ok((
                self.prepared
                    .checked
                    .schools
                    .iter()
                    .map(|p| p.school.clone())
                    .collect(),
                Rejects::default(),
            )),
        }
    }
}

#[pymethods]
impl Network {
    /// Loads the inputs (paths or `(name, bytes)` pairs) and prepares the
    /// travel times with `scenario` (`(toml, name)`, or `None` for the
    /// shipped default).
    #[new]
    #[pyo3(signature = (schools, roads, districts, scenario=None, read=None))]
    fn new(
        py: Python<'_>,
        schools: &Bound<'_, PyAny>,
        roads: &Bound<'_, PyAny>,
        districts: &Bound<'_, PyAny>,
        scenario: Option<(String, String)>,
        read: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Network> {
        let inputs = Inputs3 {
            schools: Owned::extract(py, schools)?,
            roads: Owned::extract(py, roads)?,
            districts: Owned::extract(py, districts)?,
        };
        let config = guarded(py, || {
            crate::inputs::scenario(scenario.as_ref(), None, None)
        })?;
        let options = read_options(py, read, &config)?;
        let prepared = guarded(py, || {
            let loaded = hubsel::io::load(&inputs.sources(), &options)?;
            hubsel::pipeline::prepare(loaded, &config, &Silent)
        })?;
        Ok(Network {
            prepared,
            config,
            options,
        })
    }

    /// Selects, allocates and figures on the prepared travel times.
    #[pyo3(signature = (scenario=None, strategy=None, seed=None))]
    fn select(
        &self,
        py: Python<'_>,
        scenario: Option<(String, String)>,
        strategy: Option<String>,
        seed: Option<u64>,
    ) -> PyResult<Run> {
        let (result, elapsed_s) = guarded(py, || {
            let config = self.config_for(scenario.as_ref(), strategy.as_deref(), seed)?;
            self.finish(&config)
        })?;
        Ok(Run { result, elapsed_s })
    }

    /// `hubsel bench`'s figures of one selection, without building the
    /// layers: a dict keyed by `hubsel.bench_columns()`.
    #[pyo3(signature = (scenario=None, strategy=None, seed=None))]
    fn metrics<'py>(
        &self,
        py: Python<'py>,
        scenario: Option<(String, String)>,
        strategy: Option<String>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let row = guarded(py, || {
            let config = self.config_for(scenario.as_ref(), strategy.as_deref(), seed)?;
            let t = Instant::now();
            let result = hubsel::pipeline::finish(&self.prepared, &config, &Silent)?;
            Ok(StrategyRow::of(config.strategy, &result, t.elapsed()))
        })?;
        row_dict(py, &row)
    }

    /// Door-to-door travel between two point layers (each a path, a
    /// `(name, bytes)` pair, or `None` for the network's schools) on the
    /// prepared road graph: `(origin_ids, destination_ids, minutes, road_km,
    /// rejects_csv)`, minutes and km as native f64 bytes, row-major, NaN
    /// where no trip is within `cutoff_min`.
    #[pyo3(signature = (origins=None, destinations=None, cutoff_min=None))]
    #[allow(clippy::type_complexity)]
    fn travel_times<'py>(
        &self,
        py: Python<'py>,
        origins: Option<&Bound<'py, PyAny>>,
        destinations: Option<&Bound<'py, PyAny>>,
        cutoff_min: Option<f64>,
    ) -> PyResult<(
        Vec<String>,
        Vec<String>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        String,
    )> {
        let cutoff_min = cutoff_min.unwrap_or(self.config.search_cutoff_min);
        if !(cutoff_min.is_finite() && cutoff_min > 0.0) {
            return Err(argument(
                py,
                ErrorKind::Input,
                "cutoff_min: must be a number of minutes above 0",
            ));
        }
        let o = origins.map(|v| Owned::extract(py, v)).transpose()?;
        let d = destinations.map(|v| Owned::extract(py, v)).transpose()?;
        let m = guarded(py, || {
            let (o_points, mut rejects) = self.side(o.as_ref())?;
            let (d_points, d_rejects) = self.side(d.as_ref())?;
            rejects.rows.extend(d_rejects.rows);
            let points = OdPointsIn {
                origins: &o_points,
                destinations: &d_points,
                rejects,
                notes: Vec::new(),
            };
            let fitted = &self.prepared.checked.config;
            od::matrix_on(
                &self.prepared.checked.graph,
                points,
                fitted,
                cutoff_min,
                &Silent,
            )
        })?;
        let (minutes, km): (Vec<f64>, Vec<f64>) = m
            .times
            .trips
            .iter()
            .map(|t| {
                t.map_or((f64::NAN, f64::NAN), |t| {
                    (t.travel_s / 60.0, t.road_m / 1000.0)
                })
            })
            .unzip();
        Ok((
            m.origins.iter().map(|e| e.id.clone()).collect(),
            m.destinations.iter().map(|e| e.id.clone()).collect(),
            f64_bytes(py, &minutes),
            f64_bytes(py, &km),
            m.rejects.to_csv(&Default::default()),
        ))
    }

    /// The schools taking part, in input order: `(id, district code,
    /// level, students or NaN, on the network)`.
    fn schools(&self) -> Vec<(String, String, String, f64, bool)> {
        let c = &self.prepared.checked;
        c.schools
            .iter()
            .enumerate()
            .map(|(g, p)| {
                (
                    p.school.id.0.clone(),
                    c.districts[p.district].code.0.clone(),
                    p.school.level.as_str().to_string(),
                    p.school.students.unwrap_or(f64::NAN),
                    c.on_network[g],
                )
            })
            .collect()
    }

    /// The scenario's search cutoff, minutes.
    #[getter]
    fn cutoff_min(&self) -> f64 {
        self.config.search_cutoff_min
    }

    /// Road graph junctions and links.
    #[getter]
    fn graph_size(&self) -> (usize, usize) {
        let s = &self.prepared.checked.stats;
        (s.graph_nodes, s.graph_links)
    }
}

fn row_dict<'py>(py: Python<'py>, r: &StrategyRow) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("strategy", r.strategy.as_str())?;
    d.set_item("mean_min", r.mean_min)?;
    d.set_item("p95_min", r.p95_min)?;
    d.set_item("max_min", r.max_min)?;
    d.set_item("share_within", r.share_within)?;
    d.set_item("standalone", r.standalone)?;
    d.set_item("members", r.members)?;
    d.set_item("members_mean_min", r.members_mean_min)?;
    d.set_item("hubs", r.hubs)?;
    d.set_item("hubs_over_capacity", r.hubs_over_capacity)?;
    d.set_item("gap", r.gap)?;
    d.set_item("ms", r.elapsed.as_secs_f64() * 1e3)?;
    Ok(d)
}

#[pymethods]
impl Run {
    /// A layer (`hubs`, `schools`, `routes`, `districts`) as the GeoJSON
    /// text `hubsel run` writes, and its fields: `(name, kind, nullable)`,
    /// kind `integer`, `real`, `text` or `boolean`.
    #[allow(clippy::type_complexity)]
    fn layer(
        &self,
        py: Python<'_>,
        name: &str,
    ) -> PyResult<(String, Vec<(String, &'static str, bool)>)> {
        let r = &self.result;
        let layer = match name {
            "hubs" => layers::hubs(r),
            "schools" => layers::schools(r),
            "routes" => layers::routes(r),
            "districts" => layers::districts(r),
            _ => return Err(argument(py, ErrorKind::Input, format!("no layer {name:?}"))),
        };
        let fields = layer
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.kind.as_str(), f.nullable))
            .collect();
        Ok((hubsel::io::geojson::text(&layer), fields))
    }

    /// `summary.json`'s text.
    fn summary_json(&self) -> String {
        summary_json(&self.result)
    }

    /// `rejects.csv`'s text.
    fn rejects_csv(&self) -> String {
        hubsel::output::rejects_csv(&self.result)
    }

    /// `hubsel bench`'s figures of this run.
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let elapsed = std::time::Duration::from_secs_f64(self.elapsed_s);
        row_dict(
            py,
            &StrategyRow::of(self.result.config.strategy, &self.result, elapsed),
        )
    }

    /// The files `hubsel run --format geojson` writes, by name.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
        let files = guarded(py, || {
            hubsel::output::render(&self.result, &[hubsel::output::Format::GeoJson])
        })?;
        Ok(files
            .into_iter()
            .map(|(n, b)| (n, PyBytes::new(py, &b)))
            .collect())
    }
}
