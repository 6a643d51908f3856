//! Two runs side by side: which districts changed hubs, which schools
//! moved, and how the figures differ. Reads the run folders hubsel wrote,
//! so runs made at different times (or by different versions) compare.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use geo::Coord;
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::io::geojson::{LayerWriter, OutGeometry};

/// A hub as read back from the run's hubs layer.
#[derive(Clone, Debug, PartialEq)]
pub struct HubRow {
    pub id: String,
    pub name: String,
    pub district: String,
    pub level: String,
    pub at: Coord<f64>,
}

/// A school as read back from the run's schools layer.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub hub_id: String,
    pub travel_min: Option<f64>,
    pub at: Option<Coord<f64>>,
}

/// What one run folder holds, for comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFolder {
    pub scenario: String,
    pub hubs: Vec<HubRow>,
    pub schools: BTreeMap<String, SchoolRow>,
    /// `summary.json`'s `totals`, numbers only.
    pub totals: BTreeMap<String, f64>,
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = crate::io::read_file(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::new(ErrorKind::Format, format!("not valid JSON: {e}"))
            .in_file(path)
            .at_line(e.line() as u64)
    })
}

/// A feature's properties and its point, if it has one.
type FeatureRow = (Map<String, Value>, Option<Coord<f64>>);

/// The features of a run's `layer`, from whichever format the run wrote:
/// `<layer>.geojson`, else `<layer>.fgb`, else `<layer>.shp` (with
/// `<layer>_unlocated.dbf` for the rows without a point), else the table
/// of `hubsel.gpkg`.
fn layer_features(dir: &Path, layer: &str) -> Result<Vec<FeatureRow>> {
    if is_gpkg_file(dir) {
        return gpkg_features(dir, layer);
    }
    let geojson = dir.join(format!("{layer}.geojson"));
    let fgb = dir.join(format!("{layer}.fgb"));
    let shp = dir.join(format!("{layer}.shp"));
    let gpkg = dir.join(crate::output::geopackage::FILE);
    if geojson.is_file() {
        geojson_features(&geojson)
    } else if fgb.is_file() {
        fgb_features(&fgb)
    } else if shp.is_file() {
        shp_features(&shp, &dir.join(format!("{layer}_unlocated.dbf")))
    } else if gpkg.is_file() {
        gpkg_features(&gpkg, layer)
    } else {
        Err(Error::new(
            ErrorKind::Input,
            format!("no {layer} layer (.geojson, .fgb, .shp or hubsel.gpkg) in the run folder"),
        )
        .in_file(dir))
    }
}

/// A layer as read by `io` (whatever the format), as feature rows: the
/// cells by column name and the point.
fn feature_rows(table: crate::io::table::Rows) -> Vec<FeatureRow> {
    let columns = table.columns;
    table
        .rows
        .into_iter()
        .map(|(cells, geometry)| {
            let props = columns
                .iter()
                .cloned()
                .zip(cells.into_iter().map(Value::String))
                .collect();
            let at = match geometry {
                Some(geo::Geometry::Point(p)) => Some(p.0),
                _ => None,
            };
            (props, at)
        })
        .collect()
}

fn geojson_features(path: &Path) -> Result<Vec<FeatureRow>> {
    let bytes = crate::io::read_file(path)?;
    let table = crate::io::geojson::read_rows(&bytes, &path.display().to_string())?;
    Ok(feature_rows(table))
}

fn fgb_features(path: &Path) -> Result<Vec<FeatureRow>> {
    let bytes = crate::io::read_file(path)?;
    let table = crate::io::flatgeobuf::read_rows(&bytes, &path.display().to_string())?;
    Ok(feature_rows(table))
}

fn gpkg_features(path: &Path, layer: &str) -> Result<Vec<FeatureRow>> {
    let bytes = crate::io::gpkg::read_file(path)?;
    let name = format!("{}:{layer}", path.display());
    Ok(feature_rows(crate::io::gpkg::read_rows(&bytes, &name)?))
}

/// A file (not a folder) named `*.gpkg`: a run written as a GeoPackage.
fn is_gpkg_file(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// `summary.json` as the GeoPackage keeps it: the `summary` cell of its
/// one `run_summary` row.
fn gpkg_summary(path: &Path) -> Result<Value> {
    let bytes = crate::io::gpkg::read_file(path)?;
    let cell = crate::io::gpkg::read_cell(
        &bytes,
        &path.display().to_string(),
        "run_summary",
        "summary",
    )?;
    let Some(text) = cell else {
        return Err(Error::new(
            ErrorKind::Input,
            "not a hubsel run's GeoPackage (no run_summary table with a summary)",
        )
        .in_file(path));
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::new(
            ErrorKind::Format,
            format!("run_summary.summary is not valid JSON: {e}"),
        )
        .in_file(path)
    })
}

fn shp_features(shp: &Path, unlocated: &Path) -> Result<Vec<FeatureRow>> {
    let mut rows = feature_rows(crate::io::shapefile::read_rows(shp)?);
    if unlocated.is_file() {
        rows.extend(feature_rows(crate::io::shapefile::read_dbf_rows(unlocated)?));
    }
    Ok(rows)
}

/// A number from a property written as a number or as text (FlatGeobuf's
/// properties come back as text).
fn number(props: &Map<String, Value>, key: &str) -> Option<f64> {
    match props.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(props: &Map<String, Value>, key: &str) -> String {
    match props.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

impl RunFolder {
    /// Reads the hubs and schools layers (in any format the run wrote) and
    /// `summary.json` of a run.
    ///
    /// `dir` may also be the GeoPackage of a run written with
    /// `--format gpkg` (any file name, as the QGIS plugin saves it): the
    /// layers are its tables and the summary is its `run_summary` row.
    pub fn read(dir: &Path) -> Result<RunFolder> {
        let summary = if is_gpkg_file(dir) {
            gpkg_summary(dir)?
        } else if dir.join("summary.json").is_file() {
            read_json(&dir.join("summary.json"))?
        } else {
            return Err(Error::new(
                ErrorKind::Input,
                "not a hubsel run folder (no summary.json) nor a run's .gpkg",
            )
            .in_file(dir));
        };
        let hubs = layer_features(dir, "hubs")?
            .into_iter()
            .map(|(p, at)| HubRow {
                id: text(&p, "id"),
                name: text(&p, "name"),
                district: text(&p, "district"),
                level: text(&p, "level"),
                at: at.unwrap_or_default(),
            })
            .collect();
        let schools = layer_features(dir, "schools")?
            .into_iter()
            .map(|(p, at)| {
                let row = SchoolRow {
                    id: text(&p, "id"),
                    name: text(&p, "name"),
                    role: text(&p, "role"),
                    hub_id: text(&p, "hub_id"),
                    travel_min: number(&p, "travel_min"),
                    at,
                };
                (row.id.clone(), row)
            })
            .collect();
        let totals = summary
            .get("totals")
            .and_then(Value::as_object)
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
                    .collect()
            })
            .unwrap_or_default();
        let name = summary
            .pointer("/scenario/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let strategy = summary
            .pointer("/scenario/strategy")
            .and_then(Value::as_str)
            .unwrap_or("");
        let scenario = format!("{} — scenario {name}, strategy {strategy}", dir.display());
        Ok(RunFolder {
            scenario,
            hubs,
            schools,
            totals,
        })
    }
}

/// A district and level whose hubs differ.
#[derive(Clone, Debug, PartialEq)]
pub struct HubChange {
    pub district: String,
    pub level: String,
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// A school whose hub or role differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub id: String,
    pub role_a: String,
    pub role_b: String,
    pub hub_a: String,
    pub hub_b: String,
    pub travel_a: Option<f64>,
    pub travel_b: Option<f64>,
}

/// The comparison of run A with run B.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub scenario_a: String,
    pub scenario_b: String,
    pub hub_changes: Vec<HubChange>,
    pub moves: Vec<Move>,
    /// (figure, A, B) for every total both runs report.
    pub totals: Vec<(String, f64, f64)>,
    /// Schools present in only one run.
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    /// Names of the hubs of either run, by id (B's name where both have one).
    pub hub_names: BTreeMap<String, String>,
}

/// Compares two runs.
pub fn compare(a: &RunFolder, b: &RunFolder) -> Comparison {
    let group = |run: &RunFolder| {
        let mut m: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for h in &run.hubs {
            m.entry((h.district.clone(), h.level.clone()))
                .or_default()
                .push(h.id.clone());
        }
        m.values_mut().for_each(|v| v.sort());
        m
    };
    let (ga, gb) = (group(a), group(b));
    let keys: BTreeSet<&(String, String)> = ga.keys().chain(gb.keys()).collect();
    let hub_changes = keys
        .into_iter()
        .filter_map(|k| {
            let (x, y) = (
                ga.get(k).cloned().unwrap_or_default(),
                gb.get(k).cloned().unwrap_or_default(),
            );
            (x != y).then(|| HubChange {
                district: k.0.clone(),
                level: k.1.clone(),
                a: x,
                b: y,
            })
        })
        .collect();
    let moves = a
        .schools
        .iter()
        .filter_map(|(id, x)| {
            let y = b.schools.get(id)?;
            (x.role != y.role || x.hub_id != y.hub_id).then(|| Move {
                id: id.clone(),
                role_a: x.role.clone(),
                role_b: y.role.clone(),
                hub_a: x.hub_id.clone(),
                hub_b: y.hub_id.clone(),
                travel_a: x.travel_min,
                travel_b: y.travel_min,
            })
        })
        .collect();
    Comparison {
        scenario_a: a.scenario.clone(),
        scenario_b: b.scenario.clone(),
        hub_changes,
        moves,
        totals: a
            .totals
            .iter()
            .filter_map(|(k, x)| b.totals.get(k).map(|y| (k.clone(), *x, *y)))
            .collect(),
        only_in_a: a
            .schools
            .keys()
            .filter(|k| !b.schools.contains_key(*k))
            .cloned()
            .collect(),
        only_in_b: b
            .schools
            .keys()
            .filter(|k| !a.schools.contains_key(*k))
            .cloned()
            .collect(),
        hub_names: a
            .hubs
            .iter()
            .chain(&b.hubs)
            .map(|h| (h.id.clone(), h.name.clone()))
            .collect(),
    }
}

/// Whether a summary figure counts things (printed without decimals) or
/// measures them (minutes, shares).
fn is_count(figure: &str) -> bool {
    !(figure.ends_with("_min") || figure.starts_with("share"))
}

impl Comparison {
    /// A plain-text report for the terminal.
    pub fn table(&self) -> String {
        let mut out = format!("A: {}\nB: {}\n\n", self.scenario_a, self.scenario_b);
        out.push_str(&format!(
            "{:<24} {:>12} {:>12} {:>12}\n",
            "figure", "A", "B", "B - A"
        ));
        for (k, x, y) in &self.totals {
            if is_count(k) && x.fract() == 0.0 && y.fract() == 0.0 {
                out.push_str(&format!(
                    "{:<24} {:>12} {:>12} {:>+12}\n",
                    k,
                    *x as i64,
                    *y as i64,
                    (*y - *x) as i64
                ));
            } else {
                out.push_str(&format!(
                    "{:<24} {:>12.3} {:>12.3} {:>+12.3}\n",
                    k,
                    x,
                    y,
                    y - x
                ));
            }
        }
        out.push_str(&format!(
            "\n{} district level(s) with different hubs:\n",
            self.hub_changes.len()
        ));
        out.push_str(&format!(
            "{:<10} {:<10} hubs in A → hubs in B\n",
            "district", "level"
        ));
        let named = |ids: &[String]| -> String {
            if ids.is_empty() {
                return "(none)".into();
            }
            ids.iter()
                .map(
                    |id| match self.hub_names.get(id).filter(|n| !n.is_empty()) {
                        Some(name) => format!("{id} {name}"),
                        None => id.clone(),
                    },
                )
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Names are Thai (combining vowels have no width), so the hub
        // columns are not padded: A and B are joined by an arrow.
        for c in &self.hub_changes {
            out.push_str(&format!(
                "{:<10} {:<10} {} → {}\n",
                c.district,
                c.level,
                named(&c.a),
                named(&c.b)
            ));
        }
        out.push_str(&format!(
            "\n{} school(s) changed hub or role",
            self.moves.len()
        ));
        if !self.only_in_a.is_empty() || !self.only_in_b.is_empty() {
            out.push_str(&format!(
                "; {} only in A, {} only in B",
                self.only_in_a.len(),
                self.only_in_b.len()
            ));
        }
        out.push('\n');
        out
    }

    /// `compare.geojson`: the hubs that came and went (`change` =
    /// `hub_removed` / `hub_added`, at the hub) and the schools that moved
    /// (`change` = `school_moved`, at the school).
    pub fn layer(&self, a: &RunFolder, b: &RunFolder) -> String {
        let mut w = LayerWriter::new();
        let at_a: BTreeMap<&str, &HubRow> = a.hubs.iter().map(|h| (h.id.as_str(), h)).collect();
        let at_b: BTreeMap<&str, &HubRow> = b.hubs.iter().map(|h| (h.id.as_str(), h)).collect();
        for c in &self.hub_changes {
            for (change, ids, rows) in [("hub_removed", &c.a, &at_a), ("hub_added", &c.b, &at_b)] {
                let other = if change == "hub_removed" { &c.b } else { &c.a };
                for id in ids.iter().filter(|id| !other.contains(id)) {
                    if let Some(h) = rows.get(id.as_str()) {
                        let props = json!({"change": change, "id": id, "name": h.name, "district": c.district, "level": c.level});
                        w.push(
                            &OutGeometry::Point(h.at),
                            props.as_object().cloned().unwrap_or_default(),
                        );
                    }
                }
            }
        }
        for m in &self.moves {
            let Some(at) = a.schools.get(&m.id).and_then(|s| s.at) else {
                continue;
            };
            let props = json!({
                "change": "school_moved", "id": m.id, "role_a": m.role_a, "role_b": m.role_b,
                "hub_a": m.hub_a, "hub_b": m.hub_b, "travel_a": m.travel_a, "travel_b": m.travel_b,
            });
            w.push(
                &OutGeometry::Point(at),
                props.as_object().cloned().unwrap_or_default(),
            );
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{write_run, Format, WriteOptions};

    /// The same run written in each format alone reads back (through the
    /// `io` readers) as the same hubs (as a set: FlatGeobuf keeps its
    /// features in its spatial index's order), schools and totals.
    #[test]
    fn every_format_reads_back_as_the_same_run() {
        let config = crate::scenario::default_scenario().unwrap();
        let inputs = crate::io::load(&crate::fixture::province(), &crate::io::ReadOptions::default()).unwrap();
        let result = crate::pipeline::run(inputs, &config, &crate::progress::Silent).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let formats = [Format::GeoJson, Format::Shapefile, Format::FlatGeobuf, Format::GeoPackage];
        // FlatGeobuf keeps its features in the index's order: hubs compare as sets.
        let sorted = |mut run: RunFolder| {
            run.hubs.sort_by(|a, b| (&a.district, &a.level, &a.id).cmp(&(&b.district, &b.level, &b.id)));
            run
        };
        let runs: Vec<RunFolder> = formats
            .iter()
            .map(|format| {
                let dir = tmp.path().join(format.as_str());
                let options = WriteOptions {
                    formats: vec![*format],
                    ..Default::default()
                };
                write_run(&result, &dir, &options).unwrap();
                sorted(RunFolder::read(&dir).unwrap())
            })
            .collect();
        let first = &runs[0];
        assert_eq!(first.hubs.len(), 49);
        assert_eq!(first.schools.len(), 687);
        assert!(first.schools.values().any(|s| s.travel_min.is_some()));
        for (format, run) in formats.iter().zip(&runs).skip(1) {
            assert_eq!(run.hubs, first.hubs, "{format:?}");
            assert_eq!(run.schools, first.schools, "{format:?}");
            assert_eq!(run.totals, first.totals, "{format:?}");
        }
    }
}
