//! Row-level checks of the schools against each other and the districts.
//!
//! A bad row never stops a run and is never dropped silently: it becomes a
//! [`Reject`](crate::model::Reject) (written to `rejects.csv`) and, for
//! schools, a [`RejectedSchool`] that still appears in `schools.geojson`.

use std::collections::BTreeMap;

use crate::model::{
    Action, DistrictCode, Inputs, RejectedSchool, Rejects, School, SchoolId, SourceRef,
};
use crate::spatial::DistrictIndex;

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
