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

pub mod ahp;
mod doc;
mod eligible;
mod fit;
mod weighting;

use std::collections::{BTreeMap, BTreeSet};

use toml::de::{DeTable, DeValue};

use crate::error::{quote, Result};
use crate::graph::SpeedTable;
use crate::model::{HubLevel, Level, SchoolId};

use doc::{entries, get, key_text, Checker, FirstSeen, Place};
pub use eligible::{ineligible, ineligible_on_network, Ineligible};
pub use fit::DataShape;
pub use weighting::resolve_weighting;

/// Default search cutoff: a day. Searches are bounded by their district
/// (they stop once every school of the district is settled); the cutoff is
/// only a safety net for schools no road leads from, and the minutes an
/// unreachable school counts for in sums and maxima.
pub const DEFAULT_CUTOFF_MINUTES: f64 = 1440.0;

/// The shipped default scenario's text (`fixtures/scenario-default.toml`).
pub const DEFAULT_SCENARIO: &str = include_str!("../../../fixtures/scenario-default.toml");

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

/// How schools are allocated to hubs.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// Let a school join a nearer hub of another district within the limit.
    pub cross_district: bool,
    pub capacity: Capacity,
    pub overflow: Overflow,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            cross_district: false,
            capacity: Capacity::Unlimited,
            overflow: Overflow::Next,
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
    /// Beyond this a school is stand-alone.
    pub max_travel_minutes: f64,
    /// Searches stop here; slower trips count as unreachable, at this value.
    pub search_cutoff_minutes: f64,
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
    pub fn hubs_for(&self, level: HubLevel) -> usize {
        match level {
            HubLevel::Primary => self.hubs_primary,
            HubLevel::Secondary => self.hubs_secondary,
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

/// What a `[[criteria]]` entry's measure key is called, for messages.
fn measure_key(c: &Criterion) -> &'static str {
    match c.measure {
        Measure::Field(_) => "field",
        Measure::Access(_) => "access",
    }
}

/// Parses and checks an explicit scenario (a file the user gave): every
/// problem of the file is reported at once, each as
/// ``line N: `key`: message``, in line order. `source` names the file in
/// messages. The config stays strict when fitted to the data
/// ([`Config::fit_to`]); for the shipped default, which adapts, see
/// [`default_scenario`].
pub fn parse(text: &str, source: &str) -> Result<Config> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut ck = Checker::new(text);
    if !syntax.is_empty() {
        ck.syntax(&syntax);
        return Err(ck.into_error(
            source,
            Some("the file is not valid TOML, so reading stopped at these lines: fix them and run again to check the rest"),
        ));
    }
    let root = doc.get_ref();
    ck.check_keys(root, Place::Top);
    let top = |key: &str| get(root, key);

    let name = top("name").and_then(|v| ck.text(v, "name"));
    if let Some(v) = top("description") {
        ck.text(v, "description");
    }
    let strategy = match top("strategy").map(|v| (ck.line(v), ck.text(v, "strategy"))) {
        None | Some((_, None)) => StrategyKind::Score,
        Some((at, Some(s))) => StrategyKind::parse(&s).unwrap_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            ck.problem(
                at,
                "strategy",
                format!(
                    "unknown strategy {} (one of: {})",
                    quote(&s),
                    names.join(", ")
                ),
            );
            StrategyKind::Score
        }),
    };
    let seed = match top("seed").map(|v| (ck.line(v), ck.whole(v, "seed"))) {
        Some((_, Some(n))) if n >= 0 => n as u64,
        Some((at, Some(n))) => {
            ck.problem(at, "seed", format!("must be a whole number ≥ 0, got {n}"));
            0
        }
        _ => 0,
    };

    // A positive (or non-negative) number: its value and, when written, its line.
    let positive = |ck: &mut Checker<'_>, key: &str, default: f64, allow_zero: bool| {
        let Some(v) = top(key) else {
            return (default, None);
        };
        let at = ck.line(v);
        match ck.number(v, key) {
            Some(x) if x.is_finite() && x >= 0.0 && (allow_zero || x > 0.0) => (x, Some(at)),
            Some(x) => {
                let kind = if allow_zero {
                    "non-negative"
                } else {
                    "positive"
                };
                ck.problem(at, key, format!("must be a {kind} number, got {x}"));
                (default, Some(at))
            }
            None => (default, Some(at)),
        }
    };
    let (max_travel_minutes, travel_at) = positive(&mut ck, "max_travel_minutes", 45.0, false);
    let (search_cutoff_minutes, cutoff_at) = positive(
        &mut ck,
        "search_cutoff_minutes",
        DEFAULT_CUTOFF_MINUTES,
        false,
    );
    let (offroad_speed_kmh, _) = positive(&mut ck, "offroad_speed_kmh", 10.0, false);
    let (max_snap_m, _) = positive(&mut ck, "max_snap_m", 5000.0, true);
    let small_component_junctions = match top("small_component_junctions")
        .map(|v| (ck.line(v), ck.whole(v, "small_component_junctions")))
    {
        None | Some((_, None)) => DEFAULT_SMALL_COMPONENT_JUNCTIONS,
        Some((_, Some(n))) if (0..=1_000_000).contains(&n) => n as u32,
        Some((at, Some(n))) => {
            ck.problem(
                at,
                "small_component_junctions",
                format!("must be a whole number from 0 to 1000000, got {n}"),
            );
            DEFAULT_SMALL_COMPONENT_JUNCTIONS
        }
    };
    // Checked whichever of the two is written: a limit beyond the default
    // cutoff is as wrong as a cutoff below the default limit.
    if search_cutoff_minutes < max_travel_minutes {
        match (cutoff_at, travel_at) {
            (Some(at), _) => ck.problem(
                at,
                "search_cutoff_minutes",
                format!("must be at least max_travel_minutes ({max_travel_minutes})"),
            ),
            (None, Some(at)) => ck.problem(
                at,
                "max_travel_minutes",
                format!(
                    "must be at most search_cutoff_minutes ({search_cutoff_minutes}, the default): searches stop there; raise search_cutoff_minutes too"
                ),
            ),
            (None, None) => {}
        }
    }

    let weights = match top("weights").map(|v| (ck.line(v), ck.text(v, "weights"))) {
        None | Some((_, None)) => WeightsRule::Auto,
        Some((at, Some(w))) => match w.trim() {
            "auto" => WeightsRule::Auto,
            "students" => WeightsRule::Students,
            "schools" => WeightsRule::Schools,
            other => {
                ck.problem(
                    at,
                    "weights",
                    format!(
                        "must be \"auto\", \"students\" or \"schools\", got {}",
                        quote(other)
                    ),
                );
                WeightsRule::Auto
            }
        },
    };

    let (mut hubs_primary, mut hubs_secondary) = (1usize, 1usize);
    if let Some(t) = top("hubs_per_district")
        .and_then(|v| ck.table(v, "hubs_per_district", "{ primary = 1, secondary = 1 }"))
    {
        ck.check_keys(t, Place::Hubs);
        for (key, slot) in [
            ("primary", &mut hubs_primary),
            ("secondary", &mut hubs_secondary),
        ] {
            let Some(v) = get(t, key) else { continue };
            let path = format!("hubs_per_district.{key}");
            match ck.whole(v, &path) {
                Some(n) if (0..=1000).contains(&n) => *slot = n as usize,
                Some(n) => ck.problem(
                    ck.line(v),
                    &path,
                    format!("must be a whole number from 0 to 1000, got {n}"),
                ),
                None => {}
            }
        }
    }

    let ahp_given = top("ahp").is_some();
    let mut criteria: Vec<Criterion> = Vec::new();
    let mut first_criterion_at = None;
    if let Some(v) = top("criteria") {
        let mut seen = FirstSeen::default();
        for (at, t) in criterion_tables(&mut ck, v) {
            first_criterion_at.get_or_insert(at);
            let Some(c) = criterion(&mut ck, at, t, ahp_given) else {
                continue;
            };
            if let Some(first) = seen.repeat(&c.key(), c.line) {
                ck.problem(
                    c.line,
                    measure_key(&c),
                    format!(
                        "the criterion {} is already given on line {first}: give each criterion once",
                        quote(&c.key())
                    ),
                );
            }
            criteria.push(c);
        }
    }
    let mut ahp_report = None;
    if let Some(v) = top("ahp") {
        if let Some(t) = ck.table(
            v,
            "ahp",
            "[ahp] with criteria = [\"a\", \"b\"] and matrix = [[1, 3], [\"1/3\", 1]]",
        ) {
            let at = ck.line(v);
            ahp_report = read_ahp(&mut ck, at, t, &mut criteria);
        }
    }
    // With an [ahp] table the weights are its (a broken matrix is
    // reported there, not as zero weights).
    if strategy == StrategyKind::Score
        && !ahp_given
        && !criteria.is_empty()
        && criteria.iter().all(|c| c.weight == 0.0)
    {
        ck.problem(
            first_criterion_at.unwrap_or(1),
            "criteria",
            "all weights are zero",
        );
    }

    let mut field_lines: BTreeMap<String, usize> = BTreeMap::new();
    let (constraints, min_students_line) = top("constraints")
        .and_then(|v| ck.table(v, "constraints", "[constraints] with min_students = 120"))
        .map_or((Constraints::default(), 0), |t| {
            read_constraints(&mut ck, t, &mut field_lines)
        });

    let allocation = top("allocation")
        .and_then(|v| ck.table(v, "allocation", "[allocation] with overflow = \"next\""))
        .map_or_else(Allocation::default, |t| {
            read_allocation(&mut ck, t, &mut field_lines)
        });

    let mut speeds = top("speeds_kmh")
        .and_then(|v| {
            ck.table(
                v,
                "speeds_kmh",
                "[speeds_kmh] with primary = 80, track = 15",
            )
        })
        .map_or_else(SpeedTable::default, |t| read_speeds(&mut ck, t));
    if let Some(v) = top("use_maxspeed") {
        if let Some(u) = ck.boolean(v, "use_maxspeed") {
            speeds.use_maxspeed = u;
        }
    }

    let levels = top("levels")
        .and_then(|v| ck.table(v, "levels", "[levels] with \"ขยายโอกาส\" = \"both\""))
        .map_or_else(BTreeMap::new, |t| read_levels(&mut ck, t));

    let mut id_lines = BTreeMap::new();
    let mut ids = |ck: &mut Checker<'_>, key: &str| -> BTreeSet<SchoolId> {
        let Some(v) = top(key) else {
            return BTreeSet::new();
        };
        let mut out = BTreeSet::new();
        for (id, at) in ck.texts(v, key, true) {
            if id.is_empty() {
                ck.problem(at, key, "a school id is empty");
                continue;
            }
            let id = SchoolId(id);
            id_lines.entry(id.clone()).or_insert(at);
            out.insert(id);
        }
        out
    };
    let required_hubs = ids(&mut ck, "required_hubs");
    let excluded_hubs = ids(&mut ck, "excluded_hubs");
    for both in required_hubs.intersection(&excluded_hubs) {
        ck.problem(
            id_lines.get(both).copied().unwrap_or(0),
            "excluded_hubs",
            format!("hub id {} is both required and excluded", quote(&both.0)),
        );
    }

    if !ck.is_empty() {
        return Err(ck.into_error(source, None));
    }
    Ok(Config {
        name: name.unwrap_or_else(|| "unnamed".into()),
        strategy,
        seed,
        hubs_primary,
        hubs_secondary,
        max_travel_minutes,
        search_cutoff_minutes,
        offroad_speed_kmh,
        max_snap_m,
        small_component_junctions,
        weights,
        required_hubs,
        excluded_hubs,
        criteria,
        constraints,
        allocation,
        speeds,
        levels,
        source: source.to_string(),
        ahp: ahp_report,
        notes: Vec::new(),
        adapts_to_data: false,
        id_lines,
        field_lines,
        min_students_line,
    })
}

/// The `[constraints]` table, and the line of `min_students` (0: not
/// written); records the line naming each field in `field_lines`.
fn read_constraints(
    ck: &mut Checker<'_>,
    t: &DeTable<'_>,
    field_lines: &mut BTreeMap<String, usize>,
) -> (Constraints, usize) {
    let mut constraints = Constraints::default();
    let mut min_students_line = 0;
    ck.check_keys(t, Place::Constraints);
    if let Some(v) = get(t, "min_students") {
        min_students_line = ck.line(v);
        match ck.number(v, "constraints.min_students") {
            Some(x) if x.is_finite() && x >= 0.0 => constraints.min_students = x,
            Some(x) => ck.problem(
                min_students_line,
                "constraints.min_students",
                format!("must be a non-negative number, got {x}"),
            ),
            None => {}
        }
    }
    for (key, list) in [
        ("exclude_if", &mut constraints.exclude_if),
        ("required_fields", &mut constraints.required_fields),
    ] {
        let Some(v) = get(t, key) else { continue };
        let path = format!("constraints.{key}");
        for (field, at) in ck.texts(v, &path, false) {
            if field.is_empty() {
                ck.problem(at, &path, "a field name is empty");
                continue;
            }
            field_lines.entry(field.clone()).or_insert(at);
            list.push(field);
        }
    }
    (constraints, min_students_line)
}

/// The `[allocation]` table; records the line of `capacity_field` in
/// `field_lines`.
fn read_allocation(
    ck: &mut Checker<'_>,
    t: &DeTable<'_>,
    field_lines: &mut BTreeMap<String, usize>,
) -> Allocation {
    let mut allocation = Allocation::default();
    ck.check_keys(t, Place::Allocation);
    if let Some(v) = get(t, "cross_district") {
        allocation.cross_district = ck.boolean(v, "allocation.cross_district").unwrap_or(false);
    }
    let field =
        get(t, "capacity_field").map(|v| (ck.line(v), ck.text(v, "allocation.capacity_field")));
    let class_size =
        get(t, "class_size").map(|v| (ck.line(v), ck.number(v, "allocation.class_size")));
    allocation.capacity = match (field, class_size) {
        (Some((at, _)), Some(_)) => {
            ck.problem(
                at,
                "allocation",
                "give capacity_field or class_size, not both",
            );
            Capacity::Unlimited
        }
        (Some((at, Some(f))), None) if !f.trim().is_empty() => {
            field_lines.entry(f.trim().to_string()).or_insert(at);
            Capacity::Field(f.trim().to_string())
        }
        (Some((at, Some(_))), None) => {
            ck.problem(
                at,
                "allocation.capacity_field",
                "must name a school field, got empty text",
            );
            Capacity::Unlimited
        }
        (None, Some((_, Some(c)))) if c.is_finite() && c > 0.0 => Capacity::PerClassroom(c),
        (None, Some((at, Some(c)))) => {
            ck.problem(
                at,
                "allocation.class_size",
                format!("must be a positive number of students, got {c}"),
            );
            Capacity::Unlimited
        }
        _ => Capacity::Unlimited,
    };
    if let Some(v) = get(t, "overflow") {
        let at = ck.line(v);
        allocation.overflow = match ck.text(v, "allocation.overflow").as_deref().map(str::trim) {
            None | Some("next") => Overflow::Next,
            Some("flag") => Overflow::Flag,
            Some(other) => {
                ck.problem(
                    at,
                    "allocation.overflow",
                    format!("must be \"next\" or \"flag\", got {}", quote(other)),
                );
                Overflow::Next
            }
        };
    }
    allocation
}

/// The `[speeds_kmh]` table over the default speeds.
fn read_speeds(ck: &mut Checker<'_>, t: &DeTable<'_>) -> SpeedTable {
    let mut speeds = SpeedTable::default();
    ck.check_keys(t, Place::Speeds);
    // In class order (as the table always kept them), whatever order
    // the TOML map iterates in.
    let mut written = entries(ck, t);
    written.sort_by(|a, b| a.0.cmp(&b.0));
    for (class, _, v) in written {
        if doc::misplaced(&class, Place::Speeds).is_some() {
            continue; // reported by check_keys
        }
        let path = format!("speeds_kmh.{}", key_text(&class));
        let Some(kmh) = ck.number(v, &path) else {
            continue;
        };
        if !kmh.is_finite() || kmh <= 0.0 {
            ck.problem(
                ck.line(v),
                &path,
                format!("must be a positive speed in km/h, got {kmh}"),
            );
            continue;
        }
        if class == "default" {
            speeds.default_kmh = kmh;
        } else if let Some(slot) = speeds.by_class_kmh.iter_mut().find(|(c, _)| *c == class) {
            slot.1 = kmh;
        } else {
            speeds.by_class_kmh.push((class, kmh));
        }
    }
    speeds
}

/// The `[levels]` table: trimmed level words and the level each means.
fn read_levels(ck: &mut Checker<'_>, t: &DeTable<'_>) -> BTreeMap<String, Level> {
    let mut levels = BTreeMap::new();
    ck.check_keys(t, Place::Levels);
    let mut seen = FirstSeen::default();
    // In line order, so that a repeat names the earlier line.
    let mut written = entries(ck, t);
    written.sort_by_key(|(_, at, _)| *at);
    for (raw, at, v) in written {
        if doc::misplaced(&raw, Place::Levels).is_some() {
            continue; // reported by check_keys
        }
        let path = format!("levels.{}", key_text(&raw));
        let key = raw.trim().to_string();
        if key.is_empty() {
            ck.problem(at, &path, "the level text is empty");
            continue;
        }
        if let Some(first) = seen.repeat(&key, at) {
            ck.problem(
                at,
                &path,
                format!(
                    "the level text {} is already given on line {first}",
                    quote(&key)
                ),
            );
            continue;
        }
        let Some(meaning) = ck.text(v, &path) else {
            continue;
        };
        let level = match meaning.trim().to_ascii_lowercase().as_str() {
            "primary" => Level::Primary,
            "secondary" => Level::Secondary,
            "both" => Level::Both,
            _ => {
                ck.problem(
                    ck.line(v),
                    &path,
                    format!(
                        "must be \"primary\", \"secondary\" or \"both\", got {}",
                        quote(&meaning)
                    ),
                );
                continue;
            }
        };
        levels.insert(key, level);
    }
    levels
}

/// The `[[criteria]]` tables, each with its header's line.
fn criterion_tables<'a, 'i>(
    ck: &mut Checker<'_>,
    v: &'a doc::Value<'i>,
) -> Vec<(usize, &'a DeTable<'i>)> {
    match v.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::Table(t) => Some((ck.line(item), t)),
                other => {
                    ck.problem(
                        ck.line(item),
                        "criteria",
                        format!(
                            "each criterion must be a table under a [[criteria]] header, got {}",
                            doc::describe(other)
                        ),
                    );
                    None
                }
            })
            .collect(),
        DeValue::Table(_) => {
            ck.problem(
                ck.line(v),
                "criteria",
                "write each criterion under its own [[criteria]] header, with two brackets",
            );
            Vec::new()
        }
        other => {
            ck.problem(
                ck.line(v),
                "criteria",
                format!("must be [[criteria]] tables, got {}", doc::describe(other)),
            );
            Vec::new()
        }
    }
}

/// One `[[criteria]]` table (header on line `at`); `None` when its
/// measure cannot be read (the problem is recorded).
fn criterion(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    ahp_given: bool,
) -> Option<Criterion> {
    ck.check_keys(t, Place::Criterion);
    // A text key: its value and line.
    let text = |ck: &mut Checker<'_>, key: &str| {
        get(t, key).and_then(|v| Some((ck.text(v, key)?, ck.line(v))))
    };
    let field = text(ck, "field");
    let access = text(ck, "access");
    let field_given = get(t, "field").is_some();
    let access_given = get(t, "access").is_some();
    let (measure, line) = match (field, access) {
        (Some((f, line)), None) if !access_given => {
            if f.trim().is_empty() {
                ck.problem(line, "field", "must name a school field, got empty text");
                return None;
            }
            (Measure::Field(f.trim().to_string()), line)
        }
        (None, Some((a, line))) if !field_given => match AccessMeasure::parse(a.trim()) {
            Some(m) => (Measure::Access(m), line),
            None => {
                ck.problem(line, "access", format!("unknown access measure {} (one of: weighted_mean_minutes, share_within_limit, max_minutes)", quote(&a)));
                return None;
            }
        },
        _ if field_given && access_given => {
            ck.problem(at, "criteria", "give either `field` or `access`, not both");
            return None;
        }
        _ if field_given || access_given => return None, // a type problem, recorded
        _ => {
            ck.problem(
                at,
                "criteria",
                "a criterion needs a `field` or an `access` key",
            );
            return None;
        }
    };
    let weight = match (get(t, "weight"), ahp_given) {
        (Some(w), false) => match ck.number(w, "weight") {
            Some(x) if x.is_finite() && x >= 0.0 => x,
            Some(x) => {
                ck.problem(
                    ck.line(w),
                    "weight",
                    format!("must be a non-negative number, got {x}"),
                );
                0.0
            }
            None => 0.0,
        },
        (None, false) => {
            ck.problem(
                at,
                "weight",
                "each criterion needs a weight (or give the weights by an [ahp] matrix)",
            );
            0.0
        }
        (Some(w), true) => {
            ck.problem(
                ck.line(w),
                "weight",
                "the weights come from the [ahp] matrix; remove this weight",
            );
            0.0
        }
        (None, true) => 0.0,
    };
    let natural = match &measure {
        Measure::Access(m) => m.direction(),
        Measure::Field(_) => Direction::Benefit,
    };
    let direction = match text(ck, "direction") {
        None => natural,
        Some((d, line)) => match d.trim() {
            "benefit" => Direction::Benefit,
            "cost" => Direction::Cost,
            other => {
                ck.problem(
                    line,
                    "direction",
                    format!("must be \"benefit\" or \"cost\", got {}", quote(other)),
                );
                natural
            }
        },
    };
    let normalize = match text(ck, "normalize") {
        None => Normalize::MinMax,
        Some((n, line)) => match n.trim() {
            "minmax" | "min-max" => Normalize::MinMax,
            "zscore" | "z-score" => Normalize::ZScore,
            "rank" => Normalize::Rank,
            "share" => {
                if direction == Direction::Cost {
                    ck.problem(
                        line,
                        "normalize",
                        "\"share\" is for benefit criteria: a cost has no share of a total; use \"minmax\", \"zscore\" or \"rank\"",
                    );
                }
                Normalize::Share
            }
            other => {
                ck.problem(
                    line,
                    "normalize",
                    format!(
                        "must be \"minmax\", \"zscore\", \"rank\" or \"share\", got {}",
                        quote(other)
                    ),
                );
                Normalize::MinMax
            }
        },
    };
    let transform = match text(ck, "transform") {
        None => Transform::None,
        Some((tr, line)) => match tr.trim() {
            "none" => Transform::None,
            "log" => Transform::Log,
            "sqrt" => Transform::Sqrt,
            other => {
                ck.problem(
                    line,
                    "transform",
                    format!(
                        "must be \"none\", \"log\" or \"sqrt\", got {}",
                        quote(other)
                    ),
                );
                Transform::None
            }
        },
    };
    Some(Criterion {
        measure,
        weight,
        direction,
        normalize,
        transform,
        line,
    })
}

/// The `[ahp]` table (on line `at`): checks the criteria list against the
/// `[[criteria]]` and the matrix against the list, and sets the weights.
fn read_ahp(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    criteria: &mut [Criterion],
) -> Option<AhpReport> {
    ck.check_keys(t, Place::Ahp);
    let force = get(t, "force")
        .and_then(|v| ck.boolean(v, "ahp.force"))
        .unwrap_or(false);
    let keys: Vec<String> = criteria.iter().map(Criterion::key).collect();
    let mut readable = true;

    let listed: Vec<(String, usize)> = match get(t, "criteria") {
        Some(v) => {
            let before = ck.count();
            let listed = ck.texts(v, "ahp.criteria", false);
            readable &= ck.count() == before;
            listed
        }
        None => {
            ck.problem(
                at,
                "ahp.criteria",
                "missing: list the criteria keys in the order of the matrix rows",
            );
            readable = false;
            Vec::new()
        }
    };
    let mut seen = FirstSeen::default();
    for (c, line) in &listed {
        if let Some(first) = seen.repeat(c, *line) {
            let also = if first == *line {
                String::new()
            } else {
                format!(" (first on line {first})")
            };
            ck.problem(
                *line,
                "ahp.criteria",
                format!(
                    "{} is listed twice{also}: list each criterion once",
                    quote(c)
                ),
            );
            readable = false;
        } else if !keys.contains(c) {
            ck.problem(
                *line,
                "ahp.criteria",
                format!(
                    "{} is not one of the [[criteria]] (their keys: {})",
                    quote(c),
                    keys.join(", ")
                ),
            );
            readable = false;
        }
    }
    for (k, c) in keys.iter().zip(criteria.iter()) {
        if !listed.iter().any(|(l, _)| l == k) {
            ck.problem(
                c.line,
                "ahp.criteria",
                format!("criterion {} has no row in the [ahp] matrix", quote(k)),
            );
            readable = false;
        }
    }

    let Some(matrix) = get(t, "matrix") else {
        ck.problem(
            at,
            "ahp.matrix",
            "missing: give the pairwise comparison matrix, one row per listed criterion",
        );
        return None;
    };
    let matrix_at = ck.line(matrix);
    let DeValue::Array(rows_given) = matrix.get_ref() else {
        ck.problem(
            matrix_at,
            "ahp.matrix",
            format!(
                "must be a list of rows like [[1, 3], [\"1/3\", 1]], got {}",
                doc::describe(matrix.get_ref())
            ),
        );
        return None;
    };
    let n = listed.len();
    if rows_given.len() != n {
        ck.problem(
            matrix_at,
            "ahp.matrix",
            format!(
                "the matrix has {} but `ahp.criteria` lists {n} criteria: give one row and one column per listed criterion, in its order",
                match rows_given.len() {
                    1 => "1 row".to_string(),
                    rows => format!("{rows} rows"),
                }
            ),
        );
        readable = false;
    }
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, row) in rows_given.iter().enumerate() {
        let row_at = ck.line(row);
        let DeValue::Array(entries) = row.get_ref() else {
            ck.problem(
                row_at,
                "ahp.matrix",
                format!(
                    "row {} must be a list of numbers, got {}",
                    i + 1,
                    doc::describe(row.get_ref())
                ),
            );
            readable = false;
            continue;
        };
        if entries.len() != n && rows_given.len() == n {
            ck.problem(
                row_at,
                "ahp.matrix",
                format!(
                    "row {} has {} entries but `ahp.criteria` lists {n} criteria",
                    i + 1,
                    entries.len()
                ),
            );
            readable = false;
        }
        let mut values = Vec::new();
        for (j, v) in entries.iter().enumerate() {
            match ahp_entry(v.get_ref()) {
                Some(x) => values.push(x),
                None => {
                    ck.problem(
                        ck.line(v),
                        "ahp.matrix",
                        format!(
                            "entry ({}, {}) must be a number or a fraction like \"1/3\", got {}",
                            i + 1,
                            j + 1,
                            doc::describe(v.get_ref())
                        ),
                    );
                    readable = false;
                }
            }
        }
        rows.push(values);
    }
    if !readable {
        return None;
    }
    let result = match ahp::ahp(&rows) {
        Err(e) => {
            ck.problem(matrix_at, "ahp.matrix", e.to_string());
            return None;
        }
        Ok(result) => result,
    };
    if result.cr > 0.1 && !force {
        ck.problem(
            matrix_at,
            "ahp.matrix",
            format!("consistency ratio {:.3} is above 0.1: revise the judgments, or set force = true to use them anyway", result.cr),
        );
    }
    let listed: Vec<String> = listed.into_iter().map(|(c, _)| c).collect();
    for c in criteria.iter_mut() {
        let key = c.key();
        if let Some(w) = listed
            .iter()
            .position(|k| *k == key)
            .and_then(|i| result.weights.get(i))
        {
            c.weight = *w;
        }
    }
    Some(AhpReport {
        criteria: listed,
        ahp: result,
        forced: force,
    })
}

/// An AHP matrix entry: a number, or a fraction written as text ("1/3").
fn ahp_entry(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().parse().ok(),
        DeValue::String(s) => match s.split_once('/') {
            Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
            None => s.trim().parse().ok(),
        },
        _ => None,
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
        assert_eq!(c.search_cutoff_minutes, DEFAULT_CUTOFF_MINUTES);
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
        let text = include_str!("../../../fixtures/scenario-default.toml");
        let c = super::parse(text, "scenario-default.toml").unwrap();
        assert_eq!((c.hubs_primary, c.hubs_secondary), (1, 1));
        let total: f64 = c.criteria.iter().map(|c| c.weight).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
