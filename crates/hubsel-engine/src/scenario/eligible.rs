//! Which schools may be hubs: the scenario's candidate rules (level,
//! `excluded_hubs`, `min_students`, `exclude_if`, `required_fields`, and
//! being on the road network) applied to one school, with the reason in
//! words when it may not ([`Ineligible`]).

use crate::model::{HubLevel, School};
use crate::scenario::Config;

/// Why a school is not a hub candidate for a level.
#[derive(Clone, Debug, PartialEq)]
pub enum Ineligible {
    /// It does not teach the level.
    Level,
    /// The scenario's `excluded_hubs` names it.
    Excluded,
    /// Fewer students than `min_students`.
    FewStudents { min: f64 },
    /// No student count while `min_students` is set.
    NoCount { min: f64 },
    /// A non-zero value in this `exclude_if` field.
    ExcludeIf(String),
    /// No value for this `required_fields` field.
    MissingField(String),
    /// Farther than `max_snap_m` from every road: no school could reach it
    /// as a hub (convenient transport access is one of the criteria the
    /// policy names for a hub).
    OffNetwork { max_snap_m: f64 },
}

impl std::fmt::Display for Ineligible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ineligible::Level => write!(f, "does not teach the level"),
            Ineligible::Excluded => write!(f, "excluded by excluded_hubs"),
            Ineligible::FewStudents { min } => write!(f, "fewer than {min} students"),
            Ineligible::NoCount { min } => {
                write!(f, "no student count (min_students = {min})")
            }
            Ineligible::ExcludeIf(field) => write!(f, "excluded by exclude_if {field}"),
            Ineligible::MissingField(field) => {
                write!(f, "no value for {field} (required_fields)")
            }
            Ineligible::OffNetwork { max_snap_m } => {
                write!(
                    f,
                    "farther than max_snap_m ({max_snap_m} m) from every road"
                )
            }
        }
    }
}

impl Ineligible {
    /// "`n` schools …", for counts in shortfall reasons.
    pub fn counted(&self, n: usize) -> String {
        let (has, is) = if n == 1 {
            ("has", "is")
        } else {
            ("have", "are")
        };
        match self {
            Ineligible::Level => format!("{n} {is} of another level"),
            Ineligible::Excluded => format!("{n} excluded by excluded_hubs"),
            Ineligible::FewStudents { min } => format!("{n} {has} fewer than {min} students"),
            Ineligible::NoCount { min } => {
                format!("{n} {has} no student count (min_students = {min})")
            }
            Ineligible::ExcludeIf(field) => format!("{n} excluded by exclude_if {field}"),
            Ineligible::MissingField(field) => {
                format!("{n} {has} no value for {field} (required_fields)")
            }
            Ineligible::OffNetwork { max_snap_m } => {
                format!("{n} {is} farther than max_snap_m ({max_snap_m} m) from every road")
            }
        }
    }

    /// Where the reason comes in a list: the order of the checks, fields
    /// in the scenario's order.
    pub fn order(&self, config: &Config) -> (u8, usize) {
        let at = |list: &[String], f: &str| list.iter().position(|x| x == f).unwrap_or(usize::MAX);
        match self {
            Ineligible::Level => (0, 0),
            Ineligible::Excluded => (1, 0),
            Ineligible::FewStudents { .. } => (2, 0),
            Ineligible::NoCount { .. } => (3, 0),
            Ineligible::ExcludeIf(f) => (4, at(&config.constraints.exclude_if, f)),
            Ineligible::MissingField(f) => (5, at(&config.constraints.required_fields, f)),
            Ineligible::OffNetwork { .. } => (6, 0),
        }
    }
}

/// Why a school is not a hub candidate for a level, if it is not: the
/// first of the scenario's rules (level, `excluded_hubs`, `min_students`,
/// `exclude_if`, `required_fields`) that keeps it out. A required hub is
/// a candidate whatever its data.
pub fn ineligible(school: &School, level: HubLevel, config: &Config) -> Option<Ineligible> {
    if !school.level.serves(level) {
        return Some(Ineligible::Level);
    }
    if config.excluded_hubs.contains(&school.id) {
        return Some(Ineligible::Excluded);
    }
    if config.required_hubs.contains(&school.id) {
        return None;
    }
    let min = config.constraints.min_students;
    match school.students {
        Some(n) if n < min => return Some(Ineligible::FewStudents { min }),
        None if min > 0.0 => return Some(Ineligible::NoCount { min }),
        _ => {}
    }
    if let Some(f) = config
        .constraints
        .exclude_if
        .iter()
        .find(|f| school.field(f).is_some_and(|v| v != 0.0))
    {
        return Some(Ineligible::ExcludeIf(f.clone()));
    }
    if let Some(f) = config
        .constraints
        .required_fields
        .iter()
        .find(|f| school.field(f).is_none())
    {
        return Some(Ineligible::MissingField(f.clone()));
    }
    None
}

/// [`ineligible`] for a school placed (or not) on the road network: a school
/// farther than `max_snap_m` from every road is no candidate either, since
/// no other school could travel to it, unless the scenario requires it.
pub fn ineligible_on_network(
    school: &School,
    on_network: bool,
    level: HubLevel,
    config: &Config,
) -> Option<Ineligible> {
    ineligible(school, level, config).or_else(|| {
        (!on_network && !config.required_hubs.contains(&school.id)).then_some(
            Ineligible::OffNetwork {
                max_snap_m: config.max_snap_m,
            },
        )
    })
}
