//! Row-level checks and the rejects report.
//!
//! A bad row never stops a run and is never dropped silently: it becomes a
//! [`Reject`] (written to `rejects.csv`) and, for schools, a
//! [`RejectedSchool`] that still appears in `schools.geojson`.

use std::collections::BTreeMap;

use crate::model::{DistrictCode, Inputs, RejectedSchool, School, SchoolId, SourceRef};
use crate::spatial::DistrictIndex;

/// What happened to the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// The row was left out of the run.
    Refused,
    /// The row takes part, but something about it is worth a look (for
    /// example a school far from any road, made stand-alone).
    Flagged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Refused => "refused",
            Action::Flagged => "flagged",
        }
    }
}

/// One line of `rejects.csv`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    pub source: SourceRef,
    pub id: String,
    pub field: String,
    pub reason: String,
    pub action: Action,
}

/// The rejects of a run, in the order found; sorted by file and line when
/// written so that the report does not depend on thread scheduling.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rejects {
    pub rows: Vec<Reject>,
}

impl Rejects {
    pub fn push(
        &mut self,
        source: &SourceRef,
        id: &str,
        field: &str,
        reason: impl Into<String>,
        action: Action,
    ) {
        self.rows.push(Reject {
            source: source.clone(),
            id: id.to_string(),
            field: field.to_string(),
            reason: reason.into(),
            action,
        });
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows in report order: by file, line, then the rest.
    pub fn sorted(&self) -> Vec<Reject> {
        let mut rows = self.rows.clone();
        rows.sort();
        rows
    }

    /// The report as `rejects.csv` text (`file,line,id,name,field,reason,
    /// action`, sorted by file and line). `names` gives the name of a row's
    /// school or district by its id (a planner knows schools by name), `""`
    /// when none. Text is UTF-8 as read: Thai stays Thai.
    pub fn to_csv(&self, names: &BTreeMap<String, String>) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(["file", "line", "id", "name", "field", "reason", "action"]);
        for r in self.sorted() {
            let line = r.source.line.to_string();
            let name = names.get(&r.id).map_or("", String::as_str);
            let _ = w.write_record([
                r.source.file.as_str(),
                line.as_str(),
                &r.id,
                name,
                &r.field,
                &r.reason,
                r.action.as_str(),
            ]);
        }
        w.into_inner()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Counts by action, for the summary.
    pub fn count(&self, action: Action) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }
}

/// A school whose district is known, ready for routing.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedSchool {
    pub school: School,
    /// Index into the district list.
    pub district: usize,
}

/// The outcome of validation: the schools that take part, each with its
/// district, and everything refused.
#[derive(Clone, Debug, Default)]
pub struct Validated {
    pub schools: Vec<PlacedSchool>,
    pub rejected_schools: Vec<RejectedSchool>,
    pub rejects: Rejects,
}

/// A district as messages name it: its code, and its name when it has one
/// (`5001 เมืองเชียงใหม่`).
fn named(d: &crate::model::District) -> String {
    if d.name.trim().is_empty() || d.name == d.code.0 {
        d.code.0.clone()
    } else {
        format!("{} {}", d.code, d.name)
    }
}

/// Checks schools against each other and against the districts:
/// duplicate ids, unknown district codes, points outside every district
/// (when no code is given), and a given code that contradicts the polygon.
pub fn validate(inputs: Inputs, index: &DistrictIndex) -> Validated {
    let Inputs {
        schools,
        mut rejected_schools,
        districts,
        mut rejects,
        ..
    } = inputs;
    let by_code: BTreeMap<&DistrictCode, usize> = districts
        .iter()
        .enumerate()
        .map(|(i, d)| (&d.code, i))
        .collect();
    let mut seen: BTreeMap<SchoolId, SourceRef> = BTreeMap::new();
    let mut placed = Vec::with_capacity(schools.len());

    for school in schools {
        let mut refuse = |field: &str, reason: String, school: School| {
            rejects.push(
                &school.source,
                &school.id.0,
                field,
                reason.clone(),
                Action::Refused,
            );
            rejected_schools.push(RejectedSchool {
                id: school.id,
                name: school.name,
                lon_lat: Some((school.lon, school.lat)),
                reason,
                source: school.source,
            });
        };
        if let Some(first) = seen.get(&school.id) {
            let reason = format!("duplicate id: first seen at {}:{}", first.file, first.line);
            refuse("id", reason, school);
            continue;
        }
        seen.insert(school.id.clone(), school.source.clone());

        let found = index.locate(school.lon, school.lat);
        let district = match (&school.district, found) {
            (Some(code), found) => match by_code.get(code) {
                Some(&i) => {
                    if found.is_some_and(|f| f != i) || found.is_none() {
                        let where_ = match found {
                            Some(f) => format!("inside district {}", named(&districts[f])),
                            None => "outside every district".to_string(),
                        };
                        rejects.push(
                            &school.source,
                            &school.id.0,
                            "district",
                            format!(
                                "district code {} given but the point lies {where_}; the given code is kept",
                                named(&districts[i])
                            ),
                            Action::Flagged,
                        );
                    }
                    i
                }
                None => {
                    refuse("district", format!("unknown district code {code}"), school);
                    continue;
                }
            },
            (None, Some(i)) => i,
            (None, None) => {
                refuse(
                    "lon/lat",
                    "point lies outside every district".to_string(),
                    school,
                );
                continue;
            }
        };
        placed.push(PlacedSchool { school, district });
    }
    Validated {
        schools: placed,
        rejected_schools,
        rejects,
    }
}
