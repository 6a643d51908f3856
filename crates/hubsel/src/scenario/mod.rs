//! The scenario file (TOML), checked into a [`Config`] before any work,
//! then fitted to the data it runs on.
//!
//! # Reading: every problem at once
//!
//! [`parse`] reads the TOML as a spanned document (every key and value
//! keeps its line) and checks each key and value by hand, so that nothing
//! stops at the first mistake. Every problem is reported together, in line
//! order and one format, ``line N: `key`: message``, in words (`must be a
//! number`, `must be a table like { primary = 1, secondary = 1 }`):
//!
//! - unknown keys, each with the keys its table knows and a close spelling
//!   (`did you mean `weight`?`);
//! - keys TOML moved into a table because they were written below its
//!   header (`max_travel_minutes = 30` after a `[[criteria]]` block lands in
//!   that criterion; `min_students` after `[[criteria]]` is not in
//!   `[constraints]`), with where they belong;
//! - values of the wrong type or out of range; `search_cutoff_minutes`
//!   below `max_travel_minutes` (whichever of the two is written);
//! - a `[[criteria]]` key given twice, an `[ahp]` criterion listed twice, an
//!   `[ahp]` matrix whose size differs from its criteria list;
//! - TOML syntax errors, which stop the reading (said so, with their lines).
//!
//! # The tables
//!
//! Top-level keys (`name`, `strategy`, `hubs_per_district`,
//! `max_travel_minutes`, `weights = "auto" | "students" | "schools"`, …),
//! then `[[criteria]]` (a school `field` or an `access` measure, with a
//! `weight`, or weights from an `[ahp]` pairwise matrix), `[constraints]`,
//! `[allocation]`, `[speeds_kmh]`, and `[levels]`: the school data's own
//! level words (`"ขยายโอกาส" = "both"`) mapped to `primary`, `secondary` or
//! `both` ([`Config::levels`], used by the readers). The shipped
//! `fixtures/scenario-default.toml` shows and explains each key.
//!
//! # Fitting to the data
//!
//! [`Config::fit_to`] checks the config against the inputs' schools
//! ([`DataShape`]) and returns it as applied, with [`Config::notes`] saying
//! what it changed:
//!
//! - a field cut to 10 characters by a shapefile's DBF (`language_t` for
//!   `language_teachers`) is read from the cut name, with a note;
//! - an explicit scenario (a file the user named) stays strict: a field the
//!   schools lack, an unknown hub id, or `min_students` on schools without
//!   any student count are run-level errors, all listed with their lines;
//! - the shipped default scenario ([`default_scenario`],
//!   [`Config::adapts_to_data`]) adapts instead: criteria on missing fields
//!   and `min_students` without counts are left out, the remaining weights
//!   rescaled to sum to 1, each change noted.
//!
//! # Where each part lives
//!
//! This file holds the checked types. `read` checks the top-level keys and
//! assembles the [`Config`]; `criteria` reads the `[[criteria]]` tables and
//! the `[ahp]` matrix that may weigh them; `tables` reads `[constraints]`,
//! `[allocation]`, `[speeds_kmh]` and `[levels]`; `doc` holds the spanned
//! document and the checker that gathers the problems; `fit` fits a config
//! to the data; [`ahp`] derives weights from a pairwise matrix.

pub mod ahp;
mod criteria;
mod doc;
mod eligible;
mod fit;
mod grouping;
pub mod labels;
mod read;
mod tables;
mod weighting;

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Result;
use crate::graph::SpeedTable;
use crate::model::{HubLevel, Level, SchoolId};

pub use eligible::{ineligible, ineligible_on_network, Ineligible};
pub use fit::DataShape;
pub use grouping::REGION_STRATEGIES;
pub use read::parse;
pub use weighting::resolve_weighting;

/// Default search cutoff: a day. Searches are bounded by their district
/// (they stop once every school of the district is settled); the cutoff is
/// only a safety net for schools no road leads from, and the minutes an
/// unreachable school counts for in sums and maxima.
pub const DEFAULT_CUTOFF_MIN: f64 = 1440.0;

/// The shipped default scenario's text (`fixtures/scenario-default.toml`).
pub const DEFAULT_SCENARIO: &str = include_str!("../../../../fixtures/scenario-default.toml");

/// The name under which the shipped default appears in messages and in
/// `summary.json`.
pub const DEFAULT_SCENARIO_NAME: &str = "fixture:scenario-default.toml";

/// The shipped default scenario, checked, and marked to adapt to the data
/// ([`Config::adapts_to_data`]): on schools that lack some of its fields
/// (an OpenStreetMap extract, a registry without land area) or any student
/// count, [`Config::fit_to`] leaves those criteria and `min_students` out,
/// with notes, instead of refusing the run. A scenario file, even a copy of
/// this one, stays strict.
pub fn default_scenario() -> Result<Config> {
    let mut config = parse(DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME)?;
    config.adapts_to_data = true;
    Ok(config)
}

/// Default size, in junctions, below which a strongly connected piece of
/// the road network is a small fragment that schools snap past (when a
/// larger network is within `max_snap_m`). OpenStreetMap extracts hold
/// many such pieces — parking aisles, private roads cut off where access
/// tags end, one-way dead ends — and on one country extract 7 of 167
/// schools landed on pieces of 2 to 6 junctions. Ten catches those, while
/// an island's village network (tens of junctions and up) keeps its
/// schools. OSRM's equivalent (`--small-component-size`) defaults to 1000
/// because a car router may drop a click anywhere; a school on a real
/// island must not be pulled across the water.
pub const DEFAULT_SMALL_COMPONENT_JUNCTIONS: u32 = 10;

/// How hubs are chosen within a district and level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind {
    /// The policy score: weighted physical criteria plus access.
    Score,
    /// Minimise student-weighted travel time (p-median).
    PMedian,
    /// Minimise the worst travel time (p-center).
    PCenter,
    /// Maximise students within the travel limit (maximal covering).
    MaxCover,
    /// Baseline: the schools with the most students.
    Largest,
    /// Baseline: least total straight-line distance to the district's schools.
    Central,
    /// Baseline: a seeded random pick.
    Random,
}

impl StrategyKind {
    pub const ALL: [StrategyKind; 7] = [
        StrategyKind::Score,
        StrategyKind::PMedian,
        StrategyKind::PCenter,
        StrategyKind::MaxCover,
        StrategyKind::Largest,
        StrategyKind::Central,
        StrategyKind::Random,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Score => "score",
            StrategyKind::PMedian => "p-median",
            StrategyKind::PCenter => "p-center",
            StrategyKind::MaxCover => "max-cover",
            StrategyKind::Largest => "largest",
            StrategyKind::Central => "central",
            StrategyKind::Random => "random",
        }
    }

    pub fn parse(text: &str) -> Option<StrategyKind> {
        StrategyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim().to_ascii_lowercase().replace('_', "-"))
    }
}

/// Over which schools hubs are chosen (`group_by`).
///
/// `district` is the policy: `hubs_per_district` hubs of each level in
/// every district, chosen among the district's schools for its schools.
/// `province` and `none` are the region-wide models researchers compare
/// it with: `hubs_per_group` hubs of each level chosen over a whole
/// province (the first two characters of the district code, as Thai
/// amphoe codes start with their province's code) or over the whole run,
/// each school served by the nearest hub of its level within
/// `max_travel_minutes`, across district borders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    District,
    Province,
    None,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::District, GroupBy::Province, GroupBy::None];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::District => "district",
            GroupBy::Province => "province",
            GroupBy::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<GroupBy> {
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == text.trim().to_ascii_lowercase())
    }

    /// The group of a district code: the province is its first two
    /// characters (the whole code when shorter), `none` is one group.
    pub fn key(self, district_code: &str) -> String {
        match self {
            GroupBy::District => district_code.to_string(),
            GroupBy::Province => district_code.chars().take(2).collect(),
            GroupBy::None => String::new(),
        }
    }
}

/// Whether more of a criterion is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Benefit,
    Cost,
}

/// How a criterion's raw values are put on a common scale, among the
/// candidates of one district and level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalize {
    /// (x − min) / (max − min), in 0..1; all equal gives 1.
    MinMax,
    /// (x − mean) / standard deviation; all equal gives 0.
    ZScore,
    /// Rank position scaled to 0..1 (ties share the mean rank).
    Rank,
    /// x / Σx, each candidate's share of the total (negative values count
    /// as 0; all zero gives equal shares): AHP's distributive mode, for
    /// criteria already measured as priorities. Benefit criteria only.
    Share,
}

/// A transform applied to a criterion's raw values before normalising,
/// for criteria with diminishing returns (the 40th classroom matters less
/// than the 4th).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    None,
    /// ln(1 + x)
    Log,
    /// √x
    Sqrt,
}

impl Transform {
    /// Applies the transform; negative values are kept at 0 for log and sqrt.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Transform::None => x,
            Transform::Log => x.max(0.0).ln_1p(),
            Transform::Sqrt => x.max(0.0).sqrt(),
        }
    }
}

/// An access measure computed from the travel times of a district's
/// schools to the candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessMeasure {
    /// Student-weighted mean travel minutes (a cost).
    WeightedMeanMinutes,
    /// Share of the district's students within `max_travel_minutes` (a benefit).
    ShareWithinLimit,
    /// The worst travel minutes to the candidate (a cost).
    MaxMinutes,
}

impl AccessMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMeasure::WeightedMeanMinutes => "weighted_mean_minutes",
            AccessMeasure::ShareWithinLimit => "share_within_limit",
            AccessMeasure::MaxMinutes => "max_minutes",
        }
    }

    fn parse(text: &str) -> Option<AccessMeasure> {
        [
            AccessMeasure::WeightedMeanMinutes,
            AccessMeasure::ShareWithinLimit,
            AccessMeasure::MaxMinutes,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }

    /// The natural direction of the measure.
    pub fn direction(self) -> Direction {
        match self {
            AccessMeasure::ShareWithinLimit => Direction::Benefit,
            _ => Direction::Cost,
        }
    }
}

/// What a criterion measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// A school field (`classrooms`, `land_rai`, `internet`, …).
    Field(String),
    /// Access computed from the road network.
    Access(AccessMeasure),
}

/// One scoring criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    pub measure: Measure,
    /// Weight as given; scores divide by the sum of weights.
    pub weight: f64,
    pub direction: Direction,
    pub normalize: Normalize,
    pub transform: Transform,
    /// Line in the scenario file, for messages.
    pub line: usize,
}

impl Criterion {
    /// Short stable name used in output fields (`classrooms`, `acc_mean`, …).
    pub fn key(&self) -> String {
        match &self.measure {
            Measure::Field(f) => f.clone(),
            Measure::Access(AccessMeasure::WeightedMeanMinutes) => "acc_mean".into(),
            Measure::Access(AccessMeasure::ShareWithinLimit) => "acc_share".into(),
            Measure::Access(AccessMeasure::MaxMinutes) => "acc_max".into(),
        }
    }
}

/// Where a hub's capacity comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Capacity {
    /// No limit.
    Unlimited,
    /// Students, from a school field.
    Field(String),
    /// Classrooms × this many students per classroom.
    PerClassroom(f64),
}

/// What to do with a school whose nearest hub is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Try the next nearest hub of its level within the limit; join the
    /// nearest, flagged, when all are full.
    #[default]
    Next,
    /// Join the nearest hub anyway, flagged.
    Flag,
}

/// How members are placed when hubs have capacities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// By the transportation optimum (min-cost flow, students as flow),
    /// rounded to whole schools: see `allocate::mincost`.
    #[default]
    MinCost,
    /// Nearest school first, each to its nearest hub with room.
    NearestFirst,
}

impl Method {
    /// The scenario's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Method::MinCost => "min-cost",
            Method::NearestFirst => "nearest-first",
        }
    }
}

/// How schools are allocated to hubs.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// Let a school join a nearer hub of another district within the limit.
    pub cross_district: bool,
    pub capacity: Capacity,
    pub overflow: Overflow,
    pub method: Method,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            cross_district: false,
            capacity: Capacity::Unlimited,
            overflow: Overflow::Next,
            method: Method::MinCost,
        }
    }
}

/// What the scenario says to weigh schools by (`weights = …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WeightsRule {
    /// By students when every school has a count, else by schools.
    #[default]
    Auto,
    /// By students; schools without a count weigh 0 (and are flagged).
    Students,
    /// Every school once, whatever the data has.
    Schools,
}

impl WeightsRule {
    pub fn as_str(self) -> &'static str {
        match self {
            WeightsRule::Auto => "auto",
            WeightsRule::Students => "students",
            WeightsRule::Schools => "schools",
        }
    }
}

/// Hard rules a hub candidate must meet.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Constraints {
    /// Fewer students than this and a school is not a candidate.
    pub min_students: f64,
    /// A school with a non-zero value in any of these fields is not a candidate.
    pub exclude_if: Vec<String>,
    /// A school without a value in any of these fields is not a candidate.
    pub required_fields: Vec<String>,
}

/// Weights derived from the scenario's `[ahp]` matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct AhpReport {
    /// Criterion keys in matrix order.
    pub criteria: Vec<String>,
    pub ahp: ahp::Ahp,
    /// Used although the consistency ratio is above 0.1.
    pub forced: bool,
}

/// A checked scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub name: String,
    pub strategy: StrategyKind,
    /// Seed for the `random` strategy (and anything else random).
    pub seed: u64,
    /// Hubs to choose per district, by level.
    pub hubs_primary: usize,
    pub hubs_secondary: usize,
    /// Over which schools hubs are chosen (`group_by`, default the
    /// district).
    pub group_by: GroupBy,
    /// `hubs_per_group = { primary, secondary }` when given: hubs of each
    /// level per province (or over the whole run) with `group_by =
    /// "province"` or `"none"`. When not given, a group gets
    /// `hubs_per_district` times its number of districts
    /// ([`Config::hubs_in_group`]).
    pub hubs_per_group: Option<(usize, usize)>,
    /// Beyond this a school is stand-alone.
    pub max_travel_min: f64,
    /// Searches stop here; slower trips count as unreachable, at this value.
    pub search_cutoff_min: f64,
    /// Speed of the leg between a school and its snap point.
    pub offroad_speed_kmh: f64,
    /// A school farther than this from every road is stand-alone.
    pub max_snap_m: f64,
    /// What figures and objectives weigh schools by.
    pub weights: WeightsRule,
    /// Road fragments smaller than this many junctions are passed over when
    /// snapping, for a road within `max_snap_m` off them (key
    /// `small_component_junctions`, default
    /// [`DEFAULT_SMALL_COMPONENT_JUNCTIONS`], 0 turns it off). A fragment
    /// is a strongly connected component of the road graph; see
    /// [`crate::spatial::SnapRule`].
    pub small_component_junctions: u32,
    pub required_hubs: BTreeSet<SchoolId>,
    pub excluded_hubs: BTreeSet<SchoolId>,
    pub criteria: Vec<Criterion>,
    pub constraints: Constraints,
    pub allocation: Allocation,
    pub speeds: SpeedTable,
    /// Where the scenario came from, for messages.
    pub source: String,
    /// The AHP derivation of the weights, when the scenario gives a matrix.
    pub ahp: Option<AhpReport>,
    /// The `[levels]` table: the school data's own level words (trimmed,
    /// as written in the level column, e.g. `ขยายโอกาส` or
    /// `อนุบาล-มัธยมศึกษาตอนต้น`) and the level each means. The readers look
    /// a level value up here before the spellings they know themselves.
    pub levels: BTreeMap<String, Level>,
    /// The `[columns]` table: a school field (one of
    /// [`crate::io::schools::SchoolColumns::FIELDS`]) and the one column
    /// of the schools' file that holds it, as the workbench's column
    /// mapping saves it. The readers take it as if the field's
    /// `--…-column` flag named it ([`Config::apply_to_columns`]).
    pub columns: BTreeMap<String, String>,
    /// What fitting the scenario to the data changed, in words for the
    /// console, the summary and the report (a field read from its DBF
    /// name, the default scenario's criteria left out, …). Empty as
    /// parsed; filled by [`Config::fit_to`].
    pub notes: Vec<String>,
    /// The shipped default scenario: [`Config::fit_to`] leaves out what the
    /// data lacks (criteria on missing fields, `min_students` without
    /// student counts) instead of refusing. `false` for a scenario file.
    pub adapts_to_data: bool,
    /// Line of each required/excluded id, for messages.
    id_lines: BTreeMap<SchoolId, usize>,
    /// Line naming each field of `[constraints]` and `[allocation]`.
    field_lines: BTreeMap<String, usize>,
    /// Line of `min_students` (0: not written).
    min_students_line: usize,
}

impl Config {
    /// What the scenario says about reading the schools: its `[levels]`
    /// words and its `[columns]` mapping, each column named as its
    /// `--…-column` flag would name it. Flags applied afterwards win.
    pub fn apply_to_columns(
        &self,
        columns: &mut crate::io::schools::SchoolColumns,
    ) -> crate::error::Result<()> {
        columns.level_values = self.levels.clone();
        for (field, column) in &self.columns {
            columns.set(field, column)?;
        }
        Ok(())
    }

    pub fn hubs_for(&self, level: HubLevel) -> usize {
        match level {
            HubLevel::Primary => self.hubs_primary,
            HubLevel::Secondary => self.hubs_secondary,
        }
    }

    /// Hubs of `level` to choose over a group of `districts` districts
    /// (with `group_by = "province"` or `"none"`): `hubs_per_group` when
    /// given, else `hubs_per_district` for each of its districts.
    pub fn hubs_in_group(&self, level: HubLevel, districts: usize) -> usize {
        match (self.hubs_per_group, level) {
            (Some((p, _)), HubLevel::Primary) => p,
            (Some((_, s)), HubLevel::Secondary) => s,
            (None, _) => self.hubs_for(level).saturating_mul(districts),
        }
    }

    /// Every school field the scenario uses, with the line naming it.
    pub fn fields_used(&self) -> Vec<(String, usize)> {
        let mut used: Vec<(String, usize)> = self
            .criteria
            .iter()
            .filter_map(|c| match &c.measure {
                Measure::Field(f) => Some((f.clone(), c.line)),
                Measure::Access(_) => None,
            })
            .collect();
        let line = |f: &String| (f.clone(), self.field_lines.get(f).copied().unwrap_or(0));
        used.extend(self.constraints.exclude_if.iter().map(line));
        used.extend(self.constraints.required_fields.iter().map(line));
        if let Capacity::Field(f) = &self.allocation.capacity {
            used.push(line(f));
        }
        used
    }

    /// Checks the scenario's fields and hub ids against the data: the
    /// checks of [`Config::fit_to`] without the student counts (use that
    /// to get the config as applied, with its notes).
    pub fn check_against(&self, fields: &[String], ids: &BTreeSet<&SchoolId>) -> Result<()> {
        let data = DataShape {
            fields: fields.to_vec(),
            ids: ids.iter().map(|id| (*id).clone()).collect(),
            schools: 0,
            with_students: 0,
        };
        self.fit_to(&data).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn reads_the_spec_sketch() {
        let text = r#"
name = "access-first"
strategy = "score"
hubs_per_district = { primary = 1, secondary = 2 }
max_travel_minutes = 45
required_hubs = ["50010123"]

[[criteria]]
field = "classrooms"
weight = 0.2
transform = "log"
[[criteria]]
access = "weighted_mean_minutes"
weight = 0.4

[constraints]
min_students = 120
exclude_if = ["highland"]

[speeds_kmh]
primary = 70
track = 10
"#;
        let c = parse(text, "s.toml").unwrap();
        assert_eq!(c.hubs_secondary, 2);
        assert_eq!(c.criteria[1].direction, Direction::Cost);
        assert_eq!(c.criteria[0].transform, Transform::Log);
        assert!((Transform::Log.apply(9.0) - 10f64.ln()).abs() < 1e-12);
        assert_eq!(c.speeds.class_kmh("primary"), 70.0);
        assert_eq!(c.constraints.min_students, 120.0);
        assert!(c.required_hubs.contains(&SchoolId("50010123".into())));
        assert_eq!(c.search_cutoff_min, DEFAULT_CUTOFF_MIN);
    }

    #[test]
    fn reports_every_mistake_with_its_line() {
        let text = "strategy = \"best\"\nmax_travel_minutes = -3\n[[criteria]]\naccess = \"speed\"\nweight = 1\n[[criteria]]\nfield = \"x\"\nweight = 1\ndirection = \"up\"\n";
        let err = parse(text, "bad.toml").unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.kind(), ErrorKind::Scenario);
        assert!(msg.contains("line 1: `strategy`"), "{msg}");
        assert!(msg.contains("line 2: `max_travel_minutes`"), "{msg}");
        assert!(msg.contains("line 4: `access`"), "{msg}");
        assert!(msg.contains("line 9: `direction`"), "{msg}");
    }

    const AHP: &str = r#"
[[criteria]]
field = "classrooms"
[[criteria]]
field = "land_rai"
[[criteria]]
access = "weighted_mean_minutes"

[ahp]
criteria = ["classrooms", "land_rai", "acc_mean"]
matrix = [[1, 2, "1/2"],
          ["1/2", 1, "1/4"],
          [2, 4, 1]]
"#;

    #[test]
    fn share_normalisation_is_for_benefit_criteria_only() {
        let ok = "[[criteria]]\nfield = \"classrooms\"\nweight = 1\nnormalize = \"share\"\n";
        assert_eq!(
            parse(ok, "s.toml").unwrap().criteria[0].normalize,
            Normalize::Share
        );
        let cost =
            "[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 1\nnormalize = \"share\"\n";
        let err = parse(cost, "s.toml").unwrap_err().to_string();
        assert!(
            err.contains("line 4: `normalize`: \"share\" is for benefit criteria"),
            "{err}"
        );
    }

    #[test]
    fn ahp_matrix_sets_the_weights() {
        let c = parse(AHP, "ahp.toml").unwrap();
        let w: Vec<f64> = c.criteria.iter().map(|c| c.weight).collect();
        for (got, want) in w.iter().zip([2.0 / 7.0, 1.0 / 7.0, 4.0 / 7.0]) {
            assert!((got - want).abs() < 1e-12, "{w:?}");
        }
        assert!(c.ahp.unwrap().ahp.cr < 1e-12);
    }

    #[test]
    fn ahp_refuses_inconsistency_unless_forced_and_non_reciprocal_always() {
        let inconsistent = AHP
            .replace(r#"[[1, 2, "1/2"],"#, r#"[[1, 9, "1/9"],"#)
            .replace(r#"["1/2", 1, "1/4"],"#, r#"["1/9", 1, 9],"#)
            .replace("[2, 4, 1]]", r#"[9, "1/9", 1]]"#);
        let err = parse(&inconsistent, "ahp.toml").unwrap_err().to_string();
        assert!(
            err.contains("`ahp.matrix`: consistency ratio") && err.contains("force = true"),
            "{err}"
        );
        let forced = inconsistent.replace(
            "[ahp]
",
            "[ahp]
force = true
",
        );
        let c = parse(&forced, "ahp.toml").unwrap();
        assert!(c.ahp.as_ref().unwrap().forced && c.ahp.unwrap().ahp.cr > 0.1);
        let lopsided = AHP.replace(r#"["1/2", 1, "1/4"],"#, r#"[3, 1, "1/4"],"#);
        let err = parse(
            &lopsided.replace(
                "[ahp]
",
                "[ahp]
force = true
",
            ),
            "ahp.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(
                "line 12: `ahp.matrix`: not reciprocal: entry (1, 2) is 2 but entry (2, 1) is 3"
            ),
            "{err}"
        );
        let named_wrong = AHP.replace(
            r#"criteria = ["classrooms", "land_rai", "acc_mean"]"#,
            r#"criteria = ["classrooms", "land", "acc_mean"]"#,
        );
        let err = parse(&named_wrong, "ahp.toml").unwrap_err().to_string();
        assert!(
            err.contains("`ahp.criteria`: \"land\" is not one of the [[criteria]]"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_a_line() {
        let err = parse("name = \"x\"\nmax_minutes = 3\n", "s.toml").unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(err.to_string().contains("max_minutes"), "{err}");
    }

    #[test]
    fn fields_are_checked_against_the_data() {
        let c = parse("[[criteria]]\nfield = \"land_rai\"\nweight = 1\n", "s.toml").unwrap();
        let err = c
            .check_against(&["students".into()], &BTreeSet::new())
            .unwrap_err();
        assert!(err.to_string().contains("line 2: `land_rai`"), "{err}");
        assert!(c
            .check_against(&["land_rai".into()], &BTreeSet::new())
            .is_ok());
    }
}

#[cfg(test)]
mod shipped {
    #[test]
    fn the_default_scenario_file_parses() {
        let text = include_str!("../../../../fixtures/scenario-default.toml");
        let c = super::parse(text, "scenario-default.toml").unwrap();
        assert_eq!((c.hubs_primary, c.hubs_secondary), (1, 1));
        let total: f64 = c.criteria.iter().map(|c| c.weight).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
