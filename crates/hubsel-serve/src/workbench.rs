//! The server's state: the inputs, read once; the scenario it started
//! with; and the prepared travel times, kept per routing rules so that a
//! change of weights, strategy, hub counts or travel limit, or of the
//! constraints, required or excluded schools when they leave no new
//! candidate ([`Prepared::fit`]), only re-scores, re-selects and
//! re-allocates ([`hubsel::pipeline::finish`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use hubsel::error::{Error, ErrorKind, Problem, Result};
use hubsel::model::Inputs;
use hubsel::network::Prepared;
use hubsel::outcome::RunResult;
use hubsel::progress::{Progress, Silent};
use hubsel::scenario::Config;

/// Prepared travel times kept at most: a planner switching between a few
/// speed tables or candidate rules does not prepare again each time.
const CACHE: usize = 4;

/// A scenario as the page holds it: its TOML text and the file name it
/// reads as (`summary.json` says it, so `hubsel run --scenario FILE`
/// reproduces the outputs byte for byte when run as that name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub text: String,
    pub file: String,
}

/// The workbench: one per server, shared by every request.
pub struct Workbench {
    inputs: Inputs,
    base: Scenario,
    /// The base scenario is the shipped default, read as `hubsel run`
    /// without `--scenario` reads it (adapting to the data).
    base_is_default: bool,
    base_config: Config,
    cache: Mutex<Vec<Arc<Prepared>>>,
    /// Held while preparing, so that concurrent requests needing the same
    /// new travel times prepare them once.
    preparing: Mutex<()>,
    /// The school columns the planner named when the data were uploaded
    /// (field → column): a scenario's `[columns]` table must say the same.
    columns: BTreeMap<String, String>,
}

impl Workbench {
    /// Takes the inputs as read for `base` (its `[levels]` table decides how
    /// levels were read) and prepares the travel times for it once.
    /// `base_is_default`: `base` is the shipped default scenario, given no
    /// `--scenario`.
    /// The base scenario's file is known by its name only
    /// ([`public_name`]): the server never tells where its files are.
    pub fn new(inputs: Inputs, base: Scenario, base_is_default: bool) -> Result<Workbench> {
        Workbench::new_until(inputs, base, base_is_default, BTreeMap::new(), &Silent)
    }

    /// [`Workbench::new`] for data read with the planner's column mapping
    /// (`columns`, field → column), reporting to `progress` and stopping
    /// once it is cancelled.
    pub fn new_until(
        inputs: Inputs,
        mut base: Scenario,
        base_is_default: bool,
        columns: BTreeMap<String, String>,
        progress: &dyn Progress,
    ) -> Result<Workbench> {
        base.file = public_name(&base.file);
        let base_config = if base_is_default {
            hubsel::scenario::default_scenario()?
        } else {
            hubsel::scenario::parse(&base.text, &base.file)?
        };
        let wb = Workbench {
            inputs,
            base,
            base_is_default,
            base_config,
            cache: Mutex::new(Vec::new()),
            preparing: Mutex::new(()),
            columns,
        };
        wb.prepared_until(&wb.base_config, progress)?;
        Ok(wb)
    }

    /// Whether the base scenario is the shipped default.
    pub fn base_is_default(&self) -> bool {
        self.base_is_default
    }

    /// The base scenario as checked.
    pub fn base_config(&self) -> &Config {
        &self.base_config
    }

    /// Schools, districts, roads and rejects of the inputs, for the page.
    pub fn inputs_counts(&self) -> (usize, usize, usize, usize) {
        let i = &self.inputs;
        (i.schools.len(), i.districts.len(), i.roads.len(), i.rejects.len())
    }

    /// The school columns the data were read with (field → column).
    pub fn columns(&self) -> &BTreeMap<String, String> {
        &self.columns
    }

    /// The scenario the server started with.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The scenario checked, as `hubsel run` would check it: the base
    /// default as the default, any other text as a scenario file.
    pub fn config(&self, scenario: &Scenario) -> Result<Config> {
        let config = if self.base_is_default && *scenario == self.base {
            self.base_config.clone()
        } else {
            hubsel::scenario::parse(&scenario.text, &scenario.file)?
        };
        if config.levels != self.base_config.levels {
            return Err(Error::with_problems(
                ErrorKind::Scenario,
                vec![Problem {
                    line: None,
                    key: Some("levels".into()),
                    message: "the [levels] table differs from the one the schools were read with; start hubsel serve with this scenario (--scenario) to use it".into(),
                }],
            ));
        }
        if !config.columns.is_empty() && config.columns != self.columns {
            return Err(Error::with_problems(
                ErrorKind::Scenario,
                vec![Problem {
                    line: None,
                    key: Some("columns".into()),
                    message: "the [columns] table differs from the columns the schools were read with; map the columns in the Your data panel and load again".into(),
                }],
            ));
        }
        Ok(config)
    }

    /// Runs `scenario` on the cached travel times (prepared anew when its
    /// routing or candidate rules are new).
    pub fn run(&self, scenario: &Scenario) -> Result<RunResult> {
        self.run_until(scenario, &Silent)
    }

    /// [`Workbench::run`], stopping with [`ErrorKind::Cancelled`] once
    /// `progress` is cancelled (the client went away).
    pub fn run_until(&self, scenario: &Scenario, progress: &dyn Progress) -> Result<RunResult> {
        let config = self.config(scenario)?;
        let prepared = self.prepared_until(&config, progress)?;
        hubsel::pipeline::finish(&prepared, &config, progress)
    }

    fn cached(&self, config: &Config) -> Option<Arc<Prepared>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        // The weighting (students or schools) is resolved while preparing.
        cache
            .iter()
            .find(|p| p.checked.config.weights == config.weights && p.fit(config).is_ok())
            .cloned()
    }

    /// The travel times `config` runs on: cached, or prepared now.
    pub fn prepared_for(&self, config: &Config) -> Result<Arc<Prepared>> {
        self.prepared_until(config, &Silent)
    }

    /// [`Workbench::prepared_for`], stopping once `progress` is cancelled
    /// (nothing is cached then).
    fn prepared_until(&self, config: &Config, progress: &dyn Progress) -> Result<Arc<Prepared>> {
        if let Some(p) = self.cached(config) {
            return Ok(p);
        }
        let _one_at_a_time = self
            .preparing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = self.cached(config) {
            return Ok(p);
        }
        hubsel::progress::check_cancelled(progress)?;
        let prepared = Arc::new(hubsel::pipeline::prepare(
            self.inputs.clone(),
            config,
            progress,
        )?);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE {
            cache.remove(0);
        }
        cache.push(Arc::clone(&prepared));
        Ok(prepared)
    }
}

/// A scenario file's name without the folders it is in (`fixture:` names
/// stay whole): what the page is told and what the outputs say.
pub fn public_name(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file).trim();
    if name.is_empty() || name == "." || name == ".." {
        "scenario.toml".to_string()
    } else {
        name.to_string()
    }
}
