//! What Python hands over: inputs as paths or named bytes, the reading
//! options as a dict, scenarios as TOML text with a name.

use std::path::PathBuf;

use hubsel::error::{Error, ErrorKind};
use hubsel::io::crs::Crs;
use hubsel::io::shapefile::encoding_for_label;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::scenario::{Config, StrategyKind};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::errors::{argument, to_py};

/// One input as the library reads it: a file, or bytes with a name whose
/// extension says the format (`schools.geojson`).
#[derive(Clone, Debug)]
pub enum Owned {
    File(PathBuf),
    Bytes(String, Vec<u8>),
}

impl Owned {
    /// A path (`str` or `os.PathLike`), or a `(name, bytes)` pair.
    pub fn extract(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Owned> {
        if let Ok(t) = value.cast::<PyTuple>() {
            if t.len() == 2 {
                let name: String = t.get_item(0)?.extract()?;
                let bytes = t.get_item(1)?;
                let bytes = bytes.cast::<PyBytes>().map_err(|_| {
                    argument(py, ErrorKind::Input, "an input pair must be (name, bytes)")
                })?;
                return Ok(Owned::Bytes(name, bytes.as_bytes().to_vec()));
            }
        }
        let path: PathBuf = value.extract().map_err(|_| {
            argument(
                py,
                ErrorKind::Input,
                "an input must be a path or a (name, bytes) pair",
            )
        })?;
        Ok(Owned::File(path))
    }

    pub fn source(&self) -> Source<'_> {
        match self {
            Owned::File(p) => Source::File(p),
            Owned::Bytes(name, bytes) => Source::Bytes { name, bytes },
        }
    }
}

/// The three inputs of a run.
#[derive(Clone, Debug)]
pub struct Inputs3 {
    pub schools: Owned,
    pub roads: Owned,
    pub districts: Owned,
}

impl Inputs3 {
    pub fn sources(&self) -> InputSources<'_> {
        InputSources {
            schools: self.schools.source(),
            roads: self.roads.source(),
            districts: self.districts.source(),
        }
    }
}

/// A scenario given as `(toml_text, name)`, or the shipped default when
/// `None` (which adapts to the data, as `hubsel run` without
/// `--scenario`); then the strategy and seed replaced when given.
pub fn scenario(
    given: Option<&(String, String)>,
    strategy: Option<&str>,
    seed: Option<u64>,
) -> hubsel::error::Result<Config> {
    let mut config = match given {
        Some((text, name)) => hubsel::scenario::parse(text, name)?,
        None => hubsel::scenario::default_scenario()?,
    };
    if let Some(s) = strategy {
        config.strategy = StrategyKind::parse(s).ok_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            Error::new(
                ErrorKind::Scenario,
                format!("unknown strategy {s:?} (one of: {})", names.join(", ")),
            )
            .on_field("strategy")
        })?;
    }
    if let Some(seed) = seed {
        config.seed = seed;
    }
    Ok(config)
}

/// TOML text of a scenario given as a dict (sent as JSON): the scenario
/// parser then checks it as it checks a file, each problem with its key.
#[pyfunction]
pub fn toml_from_json(py: Python<'_>, json: &str) -> PyResult<String> {
    let err = |m: String| to_py(py, &Error::new(ErrorKind::Scenario, m).in_file("<dict>"));
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| err(format!("not a scenario table: {e}")))?;
    if !value.is_object() {
        return Err(err("a scenario must be a dict".into()));
    }
    toml::to_string(&value).map_err(|e| err(format!("cannot be written as TOML: {e}")))
}

fn get<'py, T: FromPyObjectOwned<'py>>(
    dict: Option<&Bound<'py, PyDict>>,
    key: &str,
) -> PyResult<Option<T>> {
    match dict.map(|d| d.get_item(key)).transpose()?.flatten() {
        Some(v) if !v.is_none() => Ok(Some(v.extract().map_err(Into::into)?)),
        _ => Ok(None),
    }
}

/// The reading options from the `read` dict (keys as the CLI's flags:
/// `crs`, `encoding`, `fix_swapped`, `admin_level`, `highways`, and
/// `columns`, a dict from field — id, name, lon, lat, district, level,
/// students, teachers, classrooms, class, speed, oneway, code,
/// district_name — to the column name), with the scenario's `[levels]`.
pub fn read_options(
    py: Python<'_>,
    read: Option<&Bound<'_, PyDict>>,
    config: &Config,
) -> PyResult<ReadOptions> {
    let mut options = ReadOptions {
        fix_swapped: get::<bool>(read, "fix_swapped")?.unwrap_or(false),
        ..ReadOptions::default()
    };
    options.school_columns.level_values = config.levels.clone();
    if let Some(text) = get::<String>(read, "crs")? {
        options.crs = Some(Crs::parse(&text).map_err(|e| to_py(py, &e))?);
    }
    if let Some(label) = get::<String>(read, "encoding")? {
        options.encoding = Some(encoding_for_label(&label).ok_or_else(|| {
            argument(py, ErrorKind::Input, format!("unknown encoding {label:?}"))
        })?);
    }
    if let Some(highways) = get::<Vec<String>>(read, "highways")? {
        options.osm.highways = highways;
    }
    if let Some(level) = get::<String>(read, "admin_level")? {
        options.osm.admin_level = level.trim().to_string();
    }
    let columns = get::<std::collections::BTreeMap<String, String>>(read, "columns")?;
    for (field, column) in columns.unwrap_or_default() {
        set_column(&mut options, &field, column).map_err(|e| to_py(py, &e))?;
    }
    Ok(options)
}

/// One `columns` entry, as the CLI's `--FIELD-col` flag.
fn set_column(options: &mut ReadOptions, field: &str, column: String) -> hubsel::error::Result<()> {
    let list = match field {
        "class" => &mut options.road_fields.class,
        "speed" => &mut options.road_fields.maxspeed,
        "oneway" => &mut options.road_fields.oneway,
        "code" => {
            options.osm.code_tags.insert(0, column.clone());
            &mut options.district_fields.code
        }
        "district_name" => &mut options.district_fields.name,
        _ => return options.school_columns.set(field, &column),
    };
    *list = vec![column.clone()];
    if matches!(field, "class" | "speed" | "oneway") {
        options.road_fields.given.push(column);
    } else {
        options.district_fields.given.push(column);
    }
    Ok(())
}
