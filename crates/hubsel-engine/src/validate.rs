//! Row-level checks of the schools against each other and the districts.
//!
//! A bad row never stops a run and is never dropped silently: it becomes a
//! [`Reject`](crate::model::Reject) (written to `rejects.csv`) and, for
//! schools, a [`RejectedSchool`] that still appears in `schools.geojson`.

use std::collections::BTreeMap;

use crate::model::{
    Action, District, DistrictCode, Inputs, Reason, RejectedSchool, Rejects, School, SchoolId,
    SourceRef,
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
fn named(d: &District) -> String {
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
    let places = Places::new(&districts, index);
    let mut seen: BTreeMap<SchoolId, SourceRef> = BTreeMap::new();
    let mut placed = Vec::with_capacity(schools.len());

    for school in schools {
        let district = match seen.get(&school.id) {
            Some(first) => Err(Refusal {
                field: "id",
                reason: Reason::DuplicateId {
                    file: first.file.clone(),
                    line: first.line,
                },
            }),
            None => {
                seen.insert(school.id.clone(), school.source.clone());
                places.district_of(&school, &mut rejects)
            }
        };
        match district {
            Ok(district) => placed.push(PlacedSchool { school, district }),
            Err(refusal) => refusal.record(school, &mut rejects, &mut rejected_schools),
        }
    }
    Validated {
        schools: placed,
        rejected_schools,
        rejects,
    }
}

/// Why a school is refused: the field at fault, in words.
struct Refusal {
    field: &'static str,
    reason: Reason,
}

impl Refusal {
    /// Records the refusal in the rejects, and the school among the
    /// rejected ones (it still appears in `schools.geojson`).
    fn record(self, school: School, rejects: &mut Rejects, rejected: &mut Vec<RejectedSchool>) {
        rejects.push(
            &school.source,
            &school.id.0,
            self.field,
            self.reason.clone(),
            Action::Refused,
        );
        rejected.push(RejectedSchool {
            id: school.id,
            name: school.name,
            lon_lat: Some((school.lon, school.lat)),
            reason: self.reason,
            source: school.source,
        });
    }
}

/// The districts, by code and by polygon.
struct Places<'a> {
    districts: &'a [District],
    by_code: BTreeMap<&'a DistrictCode, usize>,
    index: &'a DistrictIndex,
}

impl<'a> Places<'a> {
    fn new(districts: &'a [District], index: &'a DistrictIndex) -> Self {
        // io merges the features of one code into one district
        // (`io::polygons::merge_repeated`); should a caller pass repeated
        // codes anyway, a code names its first district, never the last.
        let mut by_code = BTreeMap::new();
        for (i, d) in districts.iter().enumerate() {
            by_code.entry(&d.code).or_insert(i);
        }
        Places {
            districts,
            by_code,
            index,
        }
    }

    /// The school's district (an index into the list): its given code,
    /// flagged when the point lies elsewhere, else the polygon holding the
    /// point. Refused when the code is unknown, or when no code is given
    /// and the point is outside every district.
    fn district_of(&self, school: &School, rejects: &mut Rejects) -> Result<usize, Refusal> {
        let found = self.index.locate(school.lon, school.lat);
        match (&school.district, found) {
            (Some(code), found) => match self.by_code.get(code) {
                Some(&i) => {
                    if found.is_some_and(|f| f != i) || found.is_none() {
                        self.flag_elsewhere(school, i, found, rejects);
                    }
                    Ok(i)
                }
                None => Err(Refusal {
                    field: "district",
                    reason: Reason::UnknownDistrict {
                        code: code.0.clone(),
                    },
                }),
            },
            (None, Some(i)) => Ok(i),
            (None, None) => Err(Refusal {
                field: "lon/lat",
                reason: Reason::OutsideEveryDistrict,
            }),
        }
    }

    /// Flags a school whose given district `given` is not the one its point
    /// lies in (`found`, or none); the given code is kept.
    fn flag_elsewhere(
        &self,
        school: &School,
        given: usize,
        found: Option<usize>,
        rejects: &mut Rejects,
    ) {
        rejects.push(
            &school.source,
            &school.id.0,
            "district",
            Reason::DistrictElsewhere {
                given: named(&self.districts[given]),
                found: found.map(|f| named(&self.districts[f])),
            },
            Action::Flagged,
        );
    }
}
