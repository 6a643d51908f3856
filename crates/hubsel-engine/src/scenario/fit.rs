//! A checked scenario fitted to the data it runs on: fields matched to
//! their DBF-cut names, and the shipped default's adaptations.

use std::collections::{BTreeMap, BTreeSet};

use super::{Capacity, Config, Measure};
use crate::error::{quote, Error, ErrorKind, Problem, Result};
use crate::model::{Inputs, SchoolId};

/// A DBF (the attribute table of a shapefile) keeps at most this many
/// bytes of a field name; GDAL and QGIS cut longer names to it.
const DBF_NAME_BYTES: usize = 10;

/// What a scenario is fitted to: the school fields, ids and enrolment of
/// the inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataShape {
    /// The scorable school fields ([`Inputs::school_fields`]).
    pub fields: Vec<String>,
    /// Every school id read.
    pub ids: BTreeSet<SchoolId>,
    /// Schools read.
    pub schools: usize,
    /// Schools with a student count.
    pub with_students: usize,
}

impl DataShape {
    pub fn of(inputs: &Inputs) -> DataShape {
        DataShape {
            fields: inputs.school_fields.clone(),
            ids: inputs.schools.iter().map(|s| s.id.clone()).collect(),
            schools: inputs.schools.len(),
            with_students: inputs
                .schools
                .iter()
                .filter(|s| s.students.is_some())
                .count(),
        }
    }

    /// Schools were read, and none has a student count.
    fn without_enrolment(&self) -> bool {
        self.schools > 0 && self.with_students == 0
    }
}

/// Where a scenario field is in the data.
#[derive(Debug, PartialEq)]
enum Found {
    Exact,
    /// Under the name a DBF cut it to.
    Cut(String),
    /// Several data fields may be the cut name.
    Ambiguous(Vec<String>),
    Missing,
}

/// The forms a DBF may cut `field` to: its first 10 characters (single-byte
/// encodings such as cp874 keep 10 Thai letters) and its longest prefix of
/// at most 10 bytes (UTF-8). Empty when the name fits as it is.
fn dbf_cuts(field: &str) -> Vec<String> {
    let mut cuts = Vec::new();
    if field.chars().count() > DBF_NAME_BYTES {
        cuts.push(field.chars().take(DBF_NAME_BYTES).collect::<String>());
    }
    if field.len() > DBF_NAME_BYTES {
        let mut end = DBF_NAME_BYTES;
        while !field.is_char_boundary(end) {
            end -= 1;
        }
        cuts.push(field[..end].to_string());
    }
    cuts.dedup();
    cuts
}

/// Whether `name` is how GDAL renames a cut field that collides with an
/// earlier one: the first 8 characters and `_1`…`_9`, then `10`…`99`.
fn gdal_renamed(name: &str, field: &str) -> bool {
    let stem: String = field.chars().take(8).collect();
    let Some(rest) = name
        .get(..stem.len())
        .filter(|head| head.eq_ignore_ascii_case(&stem))
        .and_then(|_| name.get(stem.len()..))
    else {
        return false;
    };
    let b = rest.as_bytes();
    b.len() == 2
        && ((b[0] == b'_' && (b'1'..=b'9').contains(&b[1]))
            || (b[0].is_ascii_digit() && b[1].is_ascii_digit()))
}

/// Finds a scenario field among the data's fields: exactly, else cut to
/// the DBF's 10 characters (case aside, as DBF names are).
fn find(field: &str, fields: &[String]) -> Found {
    if fields.iter().any(|f| f == field) {
        return Found::Exact;
    }
    let cuts = dbf_cuts(field);
    if cuts.is_empty() {
        return Found::Missing;
    }
    let cut: Vec<&String> = fields
        .iter()
        .filter(|f| cuts.iter().any(|c| c.eq_ignore_ascii_case(f)))
        .collect();
    let renamed: Vec<&String> = fields
        .iter()
        .filter(|f| gdal_renamed(f, field) && !cut.contains(f))
        .collect();
    match (cut.as_slice(), renamed.is_empty()) {
        ([], _) => Found::Missing,
        ([one], true) => Found::Cut((*one).clone()),
        _ => Found::Ambiguous(cut.into_iter().chain(renamed).cloned().collect()),
    }
}

/// A problem of the scenario's line `line` (0: no line) about `key`.
fn problem(line: usize, key: &str, message: impl Into<String>) -> Problem {
    Problem {
        line: (line > 0).then_some(line as u64),
        key: Some(key.to_string()),
        message: message.into(),
    }
}

/// `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where the scenario's fields are in the data, when not as named.
#[derive(Default)]
struct Located {
    /// Fields read from the name a DBF cut them to: scenario name → data name.
    renamed: BTreeMap<String, String>,
    /// Fields the data lacks, for a config that adapts to it.
    missing: BTreeSet<String>,
}

/// A field the schools lack, with the fields they have and a close
/// spelling.
fn missing_field(field: &str, line: usize, data: &DataShape) -> Problem {
    let known: Vec<&str> = data.fields.iter().map(String::as_str).collect();
    let close = super::doc::did_you_mean(field, &known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    problem(
        line,
        field,
        format!(
            "the schools have no such numeric field{close} (they have: {})",
            data.fields.join(", ")
        ),
    )
}

impl Config {
    /// The config as applied to `data`, or every reason it cannot be, each
    /// with its line. Fields a shapefile's DBF cut to 10 characters are
    /// read from the cut name. An explicit scenario is strict: a field the
    /// schools lack, a hub id not among them, or `min_students > 0` on
    /// schools without any student count is an error. The shipped default
    /// ([`Config::adapts_to_data`]) leaves those criteria and
    /// `min_students` out and rescales the remaining weights to sum to 1.
    /// Every change is said in [`Config::notes`]. Fitting a fitted config
    /// again changes nothing.
    pub fn fit_to(&self, data: &DataShape) -> Result<Config> {
        let mut out = self.clone();
        let mut problems: Vec<Problem> = Vec::new();
        let mut notes: Vec<String> = Vec::new();

        let located = self.locate_fields(data, &mut problems);
        for (field, name) in &located.renamed {
            out.rename_field(field, name);
            notes.push(format!(
                "`{field}` read from the DBF field `{name}` (a shapefile cuts field names to {DBF_NAME_BYTES} characters)"
            ));
        }
        if !located.missing.is_empty() {
            out.leave_out(&located.missing, &mut notes, &mut problems);
        }
        out.fit_min_students(data, &mut notes, &mut problems);
        self.check_hub_ids(data, &mut problems);

        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Scenario, problems).in_file(&self.source));
        }
        out.notes.extend(notes);
        Ok(out)
    }

    /// Where each field the scenario names is in the data: the fields read
    /// from a DBF-cut name, and those the data lacks when the config adapts
    /// to it; a field that is ambiguous, or missing from the data of a
    /// strict config, is a problem.
    fn locate_fields(&self, data: &DataShape, problems: &mut Vec<Problem>) -> Located {
        let mut located = Located::default();
        for (field, line) in self.fields_used() {
            match find(&field, &data.fields) {
                Found::Exact => {}
                Found::Cut(name) => {
                    located.renamed.insert(field, name);
                }
                Found::Ambiguous(names) => problems.push(problem(
                    line,
                    &field,
                    format!(
                        "the schools have no such field, and it could be any of {} (a shapefile cuts field names to {DBF_NAME_BYTES} characters): rename the field in the data or write its name as the data has it",
                        and_list(&names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>())
                    ),
                )),
                Found::Missing if self.adapts_to_data => {
                    located.missing.insert(field);
                }
                Found::Missing => problems.push(missing_field(&field, line, data)),
            }
        }
        located
    }

    /// `min_students > 0` on schools without any student count: left out
    /// when the config adapts to the data, else a problem.
    fn fit_min_students(
        &mut self,
        data: &DataShape,
        notes: &mut Vec<String>,
        problems: &mut Vec<Problem>,
    ) {
        let min = self.constraints.min_students;
        let counts_missing = min > 0.0 && data.without_enrolment();
        if !counts_missing {
            return;
        }
        if self.adapts_to_data {
            self.constraints.min_students = 0.0;
            notes.push(format!(
                "min_students = {min} is left out: the schools have no student count"
            ));
        } else {
            problems.push(problem(
                self.min_students_line,
                "constraints.min_students",
                format!(
                    "min_students = {min} needs student counts; the schools have none (remove it or set it to 0)"
                ),
            ));
        }
    }

    /// A required or excluded hub id that is not among the schools is a
    /// problem.
    fn check_hub_ids(&self, data: &DataShape, problems: &mut Vec<Problem>) {
        for (key, ids) in [
            ("required_hubs", &self.required_hubs),
            ("excluded_hubs", &self.excluded_hubs),
        ] {
            for id in ids.iter().filter(|id| !data.ids.contains(*id)) {
                let line = self.id_lines.get(id).copied().unwrap_or(0);
                problems.push(problem(
                    line,
                    key,
                    format!("hub id {} is not among the schools", quote(&id.0)),
                ));
            }
        }
    }

    /// Reads `field` from the data field `name` wherever the config uses it.
    fn rename_field(&mut self, field: &str, name: &str) {
        let rename = |f: &mut String| {
            if f == field {
                *f = name.to_string();
            }
        };
        for c in &mut self.criteria {
            if let Measure::Field(f) = &mut c.measure {
                rename(f);
            }
        }
        if let Some(report) = &mut self.ahp {
            report.criteria.iter_mut().for_each(rename);
        }
        self.constraints.exclude_if.iter_mut().for_each(rename);
        self.constraints.required_fields.iter_mut().for_each(rename);
        if let Capacity::Field(f) = &mut self.allocation.capacity {
            rename(f);
        }
        if let Some(line) = self.field_lines.get(field).copied() {
            self.field_lines.entry(name.to_string()).or_insert(line);
        }
    }

    /// The default scenario's adaptation: leaves out what uses a field in
    /// `missing`, rescaling the remaining weights to sum to 1.
    fn leave_out(
        &mut self,
        missing: &BTreeSet<String>,
        notes: &mut Vec<String>,
        problems: &mut Vec<Problem>,
    ) {
        let lacks = |f: &String| missing.contains(f);
        let (dropped, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.criteria)
            .into_iter()
            .partition(|c| matches!(&c.measure, Measure::Field(f) if lacks(f)));
        self.criteria = kept;
        if !dropped.is_empty() {
            let names: Vec<String> = dropped.iter().map(|c| c.key()).collect();
            notes.push(if names.len() == 1 {
                format!(
                    "the default scenario's criterion {} is left out: the schools have no such field",
                    names[0]
                )
            } else {
                format!(
                    "the default scenario's criteria {} are left out: the schools have no such fields",
                    names.join(", ")
                )
            });
            let total: f64 = self.criteria.iter().map(|c| c.weight).sum();
            if self.criteria.is_empty() {
                if self.strategy == super::StrategyKind::Score {
                    problems.push(problem(
                        0,
                        "criteria",
                        "no criterion of the scenario is left to score on: the schools have none of its fields",
                    ));
                }
            } else if total > 0.0 && total.is_finite() {
                for c in &mut self.criteria {
                    c.weight /= total;
                }
                let weights: Vec<String> = self
                    .criteria
                    .iter()
                    .map(|c| format!("{} {:.3}", c.key(), c.weight))
                    .collect();
                notes.push(format!(
                    "the remaining weights are rescaled to sum to 1: {}",
                    weights.join(", ")
                ));
            } else if self.strategy == super::StrategyKind::Score {
                problems.push(problem(
                    0,
                    "criteria",
                    "the criteria left once those on missing fields are left out all weigh 0",
                ));
            }
            if !self.criteria.is_empty()
                && self
                    .criteria
                    .iter()
                    .all(|c| matches!(c.measure, Measure::Access(_)))
            {
                notes.push(
                    "no physical criterion is left: the access criteria carry the score".into(),
                );
            }
        }
        for (key, list) in [
            ("exclude_if", &mut self.constraints.exclude_if),
            ("required_fields", &mut self.constraints.required_fields),
        ] {
            let gone: Vec<String> = list.iter().filter(|f| lacks(f)).cloned().collect();
            if !gone.is_empty() {
                list.retain(|f| !lacks(f));
                notes.push(format!(
                    "{key} leaves out {}: the schools have no such field",
                    gone.join(", ")
                ));
            }
        }
        if let Capacity::Field(f) = &self.allocation.capacity {
            if lacks(f) {
                notes.push(format!(
                    "capacity_field {f} is left out: the schools have no such field, so hubs have no capacity limit"
                ));
                self.allocation.capacity = Capacity::Unlimited;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dbf_cut_names_are_found_and_collisions_are_ambiguous() {
        let data = fields(&["students", "language_t", "ict_teache"]);
        assert_eq!(
            find("language_teachers", &data),
            Found::Cut("language_t".into())
        );
        assert_eq!(find("ict_teachers", &data), Found::Cut("ict_teache".into()));
        assert_eq!(find("students", &data), Found::Exact);
        assert_eq!(find("land_rai", &data), Found::Missing);
        // A name that fits in 10 characters was not cut.
        assert_eq!(find("language", &data), Found::Missing);
        let upper = fields(&["LANGUAGE_T"]);
        assert_eq!(
            find("language_teachers", &upper),
            Found::Cut("LANGUAGE_T".into())
        );
        let both = fields(&["language_t", "LANGUAGE_T"]);
        assert!(matches!(
            find("language_teachers", &both),
            Found::Ambiguous(n) if n.len() == 2
        ));
        // A cut name that looks like a GDAL rename is still only itself.
        assert_eq!(
            find("score_2023_total", &fields(&["score_2023"])),
            Found::Cut("score_2023".into())
        );
        let collided = fields(&["language_t", "language_1"]);
        assert_eq!(
            find("language_teachers", &collided),
            Found::Ambiguous(fields(&["language_t", "language_1"]))
        );
    }

    #[test]
    fn thai_names_are_cut_by_characters_or_by_bytes() {
        // 17 characters (with vowel and tone marks): cp874 keeps 10, UTF-8
        // keeps 3 (9 bytes).
        let name = "ครูภาษาต่างประเทศ";
        let cuts = dbf_cuts(name);
        assert_eq!(cuts.len(), 2, "{cuts:?}");
        assert_eq!(cuts[0].chars().count(), 10);
        assert!(cuts[1].len() <= 10 && name.starts_with(&cuts[1]));
    }

    #[test]
    fn and_lists_read_as_english() {
        assert_eq!(and_list(&fields(&["a"])), "a");
        assert_eq!(and_list(&fields(&["a", "b", "c"])), "a, b and c");
    }
}
