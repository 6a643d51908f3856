//! The scenario file (TOML), checked into a [`Config`] before any work.
//!
//! Raw TOML is parsed into `Raw*` structs that keep each value's position,
//! then checked as a whole: every mistake is reported at once, each with
//! its line and key, so a planner fixes the file in one pass.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::SpeedTable;
use crate::model::{HubLevel, SchoolId};

/// Default search cutoff: a day. Searches are bounded by their district
/// (they stop once every school of the district is settled); the cutoff is
/// only a safety net for schools no road leads from, and the minutes an
/// unreachable school counts for in sums and maxima.
pub const DEFAULT_CUTOFF_MINUTES: f64 = 1440.0;

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

/// How schools are allocated to hubs.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// Let a school join a nearer hub of another district within the limit.
    pub cross_district: bool,
    pub capacity: Capacity,
    pub overflow: crate::allocate::Overflow,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            cross_district: false,
            capacity: Capacity::Unlimited,
            overflow: crate::allocate::Overflow::Next,
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
    pub ahp: crate::score::Ahp,
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
    /// Line of each required/excluded id, for messages.
    id_lines: BTreeMap<SchoolId, usize>,
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
        used.extend(self.constraints.exclude_if.iter().map(|f| (f.clone(), 0)));
        used.extend(
            self.constraints
                .required_fields
                .iter()
                .map(|f| (f.clone(), 0)),
        );
        if let Capacity::Field(f) = &self.allocation.capacity {
            used.push((f.clone(), 0));
        }
        used
    }

    /// Checks the scenario against the data: every field it names must
    /// exist, every required or excluded hub must be a known school.
    pub fn check_against(&self, fields: &[String], ids: &BTreeSet<&SchoolId>) -> Result<()> {
        let mut problems = Vec::new();
        for (field, line) in self.fields_used() {
            if !fields.iter().any(|f| f == &field) {
                let at = if line > 0 {
                    format!("line {line}: ")
                } else {
                    String::new()
                };
                problems.push(format!(
                    "{at}field `{field}`: the schools have no such numeric field (they have: {})",
                    fields.join(", ")
                ));
            }
        }
        for id in self.required_hubs.iter().chain(&self.excluded_hubs) {
            if !ids.contains(id) {
                let line = self.id_lines.get(id).copied().unwrap_or(0);
                problems.push(format!(
                    "line {line}: hub id `{id}` is not among the schools"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::Scenario, problems.join("\n  ")).in_file(&self.source))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHubs {
    primary: Option<Spanned<i64>>,
    secondary: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    field: Option<Spanned<String>>,
    access: Option<Spanned<String>>,
    weight: Option<Spanned<f64>>,
    direction: Option<Spanned<String>>,
    normalize: Option<Spanned<String>>,
    transform: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAhp {
    /// Criterion keys (a field name, or acc_mean / acc_share / acc_max), in
    /// the order of the matrix rows.
    criteria: Vec<Spanned<String>>,
    /// Rows of the pairwise comparison matrix: numbers or "a/b" strings.
    matrix: Spanned<Vec<Vec<toml::Value>>>,
    #[serde(default)]
    force: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllocation {
    cross_district: Option<bool>,
    capacity_field: Option<Spanned<String>>,
    class_size: Option<Spanned<f64>>,
    overflow: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConstraints {
    min_students: Option<Spanned<f64>>,
    #[serde(default)]
    exclude_if: Vec<Spanned<String>>,
    #[serde(default)]
    required_fields: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    strategy: Option<Spanned<String>>,
    seed: Option<u64>,
    hubs_per_district: Option<Spanned<RawHubs>>,
    max_travel_minutes: Option<Spanned<f64>>,
    search_cutoff_minutes: Option<Spanned<f64>>,
    offroad_speed_kmh: Option<Spanned<f64>>,
    max_snap_m: Option<Spanned<f64>>,
    small_component_junctions: Option<Spanned<i64>>,
    #[serde(default)]
    required_hubs: Vec<Spanned<String>>,
    #[serde(default)]
    excluded_hubs: Vec<Spanned<String>>,
    #[serde(default)]
    criteria: Vec<Spanned<RawCriterion>>,
    ahp: Option<Spanned<RawAhp>>,
    constraints: Option<RawConstraints>,
    allocation: Option<RawAllocation>,
    #[serde(default)]
    speeds_kmh: BTreeMap<String, Spanned<f64>>,
    use_maxspeed: Option<bool>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Parses and checks a scenario. `source` names it in messages.
pub fn parse(text: &str, source: &str) -> Result<Config> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let mut err =
            Error::new(ErrorKind::Scenario, e.message().trim().to_string()).in_file(source);
        if let Some(span) = e.span() {
            err = err.at_line(line_of(text, span.start) as u64);
        }
        err
    })?;
    let mut problems: Vec<String> = Vec::new();
    let line = |span: std::ops::Range<usize>| line_of(text, span.start);
    let mut problem =
        |at: usize, key: &str, msg: String| problems.push(format!("line {at}: `{key}`: {msg}"));

    let strategy = match &raw.strategy {
        None => StrategyKind::Score,
        Some(s) => StrategyKind::parse(s.get_ref()).unwrap_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            problem(
                line(s.span()),
                "strategy",
                format!(
                    "unknown strategy {:?} (one of: {})",
                    s.get_ref(),
                    names.join(", ")
                ),
            );
            StrategyKind::Score
        }),
    };

    let mut positive =
        |value: &Option<Spanned<f64>>, key: &str, default: f64, allow_zero: bool| -> f64 {
            match value {
                None => default,
                Some(v) => {
                    let x = *v.get_ref();
                    if !x.is_finite() || x < 0.0 || (!allow_zero && x == 0.0) {
                        problem(
                            line(v.span()),
                            key,
                            format!(
                                "must be a {} number, got {x}",
                                if allow_zero {
                                    "non-negative"
                                } else {
                                    "positive"
                                }
                            ),
                        );
                        default
                    } else {
                        x
                    }
                }
            }
        };
    let max_travel_minutes = positive(&raw.max_travel_minutes, "max_travel_minutes", 45.0, false);
    let search_cutoff_minutes = positive(
        &raw.search_cutoff_minutes,
        "search_cutoff_minutes",
        DEFAULT_CUTOFF_MINUTES,
        false,
    );
    let offroad_speed_kmh = positive(&raw.offroad_speed_kmh, "offroad_speed_kmh", 10.0, false);
    let max_snap_m = positive(&raw.max_snap_m, "max_snap_m", 5000.0, true);
    let mut small_component_junctions = DEFAULT_SMALL_COMPONENT_JUNCTIONS;
    if let Some(v) = &raw.small_component_junctions {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if n <= 1_000_000 => small_component_junctions = n,
            _ => problem(
                line(v.span()),
                "small_component_junctions",
                format!(
                    "must be a whole number from 0 to 1000000, got {}",
                    v.get_ref()
                ),
            ),
        }
    }
    if search_cutoff_minutes < max_travel_minutes {
        if let Some(c) = &raw.search_cutoff_minutes {
            problem(
                line(c.span()),
                "search_cutoff_minutes",
                format!("must be at least max_travel_minutes ({max_travel_minutes})"),
            );
        }
    }

    let (mut hubs_primary, mut hubs_secondary) = (1usize, 1usize);
    if let Some(h) = &raw.hubs_per_district {
        let mut count = |v: &Option<Spanned<i64>>, key: &str, slot: &mut usize| {
            if let Some(v) = v {
                match usize::try_from(*v.get_ref()) {
                    Ok(n) if n <= 1000 => *slot = n,
                    _ => problem(
                        line(v.span()),
                        key,
                        format!("must be a whole number from 0 to 1000, got {}", v.get_ref()),
                    ),
                }
            }
        };
        count(
            &h.get_ref().primary,
            "hubs_per_district.primary",
            &mut hubs_primary,
        );
        count(
            &h.get_ref().secondary,
            "hubs_per_district.secondary",
            &mut hubs_secondary,
        );
    }

    let mut criteria = Vec::new();
    for spanned in &raw.criteria {
        let at = line(spanned.span());
        let c = spanned.get_ref();
        let measure = match (&c.field, &c.access) {
            (Some(f), None) if !f.get_ref().trim().is_empty() => {
                Measure::Field(f.get_ref().trim().to_string())
            }
            (None, Some(a)) => match AccessMeasure::parse(a.get_ref()) {
                Some(m) => Measure::Access(m),
                None => {
                    problem(line(a.span()), "access", format!("unknown access measure {:?} (one of: weighted_mean_minutes, share_within_limit, max_minutes)", a.get_ref()));
                    continue;
                }
            },
            (Some(_), Some(_)) => {
                problem(
                    at,
                    "criteria",
                    "give either `field` or `access`, not both".into(),
                );
                continue;
            }
            _ => {
                problem(
                    at,
                    "criteria",
                    "a criterion needs a `field` or an `access` key".into(),
                );
                continue;
            }
        };
        let weight = match (&c.weight, &raw.ahp) {
            (Some(w), None) => {
                let weight = *w.get_ref();
                if !weight.is_finite() || weight < 0.0 {
                    problem(
                        line(w.span()),
                        "weight",
                        format!("must be a non-negative number, got {weight}"),
                    );
                }
                weight
            }
            (None, None) => {
                problem(
                    at,
                    "weight",
                    "each criterion needs a weight (or give the weights by an [ahp] matrix)".into(),
                );
                0.0
            }
            (Some(w), Some(_)) => {
                problem(
                    line(w.span()),
                    "weight",
                    "the weights come from the [ahp] matrix; remove this weight".into(),
                );
                0.0
            }
            (None, Some(_)) => 0.0,
        };
        let natural = match &measure {
            Measure::Access(m) => m.direction(),
            Measure::Field(_) => Direction::Benefit,
        };
        let direction = match &c.direction {
            None => natural,
            Some(d) => match d.get_ref().as_str() {
                "benefit" => Direction::Benefit,
                "cost" => Direction::Cost,
                other => {
                    problem(
                        line(d.span()),
                        "direction",
                        format!("must be \"benefit\" or \"cost\", got {other:?}"),
                    );
                    natural
                }
            },
        };
        let normalize = match &c.normalize {
            None => Normalize::MinMax,
            Some(n) => {
                match n.get_ref().as_str() {
                    "minmax" | "min-max" => Normalize::MinMax,
                    "zscore" | "z-score" => Normalize::ZScore,
                    "rank" => Normalize::Rank,
                    "share" => {
                        if direction == Direction::Cost {
                            problem(
                            line(n.span()),
                            "normalize",
                            "\"share\" is for benefit criteria: a cost has no share of a total; use \"minmax\", \"zscore\" or \"rank\"".into(),
                        );
                        }
                        Normalize::Share
                    }
                    other => {
                        problem(
                        line(n.span()),
                        "normalize",
                        format!("must be \"minmax\", \"zscore\", \"rank\" or \"share\", got {other:?}"),
                    );
                        Normalize::MinMax
                    }
                }
            }
        };
        let transform = match &c.transform {
            None => Transform::None,
            Some(t) => match t.get_ref().as_str() {
                "none" => Transform::None,
                "log" => Transform::Log,
                "sqrt" => Transform::Sqrt,
                other => {
                    problem(
                        line(t.span()),
                        "transform",
                        format!("must be \"none\", \"log\" or \"sqrt\", got {other:?}"),
                    );
                    Transform::None
                }
            },
        };
        // Point messages at the key that names the measure.
        let at = c
            .field
            .as_ref()
            .or(c.access.as_ref())
            .map_or(at, |k| line(k.span()));
        criteria.push(Criterion {
            measure,
            weight,
            direction,
            normalize,
            transform,
            line: at,
        });
    }
    let mut ahp_report = None;
    if let Some(spanned) = &raw.ahp {
        let a = spanned.get_ref();
        let at = line(spanned.span());
        let keys: Vec<String> = criteria.iter().map(Criterion::key).collect();
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut readable = true;
        for (i, row) in a.matrix.get_ref().iter().enumerate() {
            let mut values = Vec::new();
            for (j, v) in row.iter().enumerate() {
                match ahp_entry(v) {
                    Some(x) => values.push(x),
                    None => {
                        problem(
                            line(a.matrix.span()),
                            "ahp.matrix",
                            format!(
                                "entry ({}, {}) is not a number or a fraction like \"1/3\": {v}",
                                i + 1,
                                j + 1
                            ),
                        );
                        readable = false;
                    }
                }
            }
            rows.push(values);
        }
        let listed: Vec<String> = a
            .criteria
            .iter()
            .map(|c| c.get_ref().trim().to_string())
            .collect();
        for c in &a.criteria {
            if !keys.contains(&c.get_ref().trim().to_string()) {
                problem(
                    line(c.span()),
                    "ahp.criteria",
                    format!(
                        "{:?} is not one of the [[criteria]] (their keys: {})",
                        c.get_ref(),
                        keys.join(", ")
                    ),
                );
                readable = false;
            }
        }
        for k in &keys {
            if !listed.contains(k) {
                problem(
                    at,
                    "ahp.criteria",
                    format!("criterion {k:?} has no row in the [ahp] matrix"),
                );
                readable = false;
            }
        }
        if readable {
            match crate::score::ahp(&rows) {
                Err(e) => problem(line(a.matrix.span()), "ahp.matrix", e),
                Ok(result) => {
                    if result.cr > 0.1 && !a.force {
                        problem(
                            line(a.matrix.span()),
                            "ahp.matrix",
                            format!("consistency ratio {:.3} is above 0.1: revise the judgments, or set force = true to use them anyway", result.cr),
                        );
                    }
                    for c in criteria.iter_mut() {
                        if let Some(i) = listed.iter().position(|k| *k == c.key()) {
                            c.weight = result.weights[i];
                        }
                    }
                    ahp_report = Some(AhpReport {
                        criteria: listed.clone(),
                        ahp: result,
                        forced: a.force,
                    });
                }
            }
        }
    }
    if strategy == StrategyKind::Score
        && !criteria.is_empty()
        && criteria.iter().all(|c| c.weight == 0.0)
    {
        problem(
            line(raw.criteria[0].span()),
            "criteria",
            "all weights are zero".into(),
        );
    }

    let constraints = match &raw.constraints {
        None => Constraints::default(),
        Some(c) => Constraints {
            min_students: match &c.min_students {
                Some(v) if !v.get_ref().is_finite() || *v.get_ref() < 0.0 => {
                    problem(
                        line(v.span()),
                        "min_students",
                        "must be a non-negative number".into(),
                    );
                    0.0
                }
                Some(v) => *v.get_ref(),
                None => 0.0,
            },
            exclude_if: c.exclude_if.iter().map(|s| s.get_ref().clone()).collect(),
            required_fields: c
                .required_fields
                .iter()
                .map(|s| s.get_ref().clone())
                .collect(),
        },
    };

    let mut allocation = Allocation::default();
    if let Some(a) = &raw.allocation {
        allocation.cross_district = a.cross_district.unwrap_or(false);
        allocation.capacity = match (&a.capacity_field, &a.class_size) {
            (Some(f), None) => Capacity::Field(f.get_ref().trim().to_string()),
            (None, Some(c)) if c.get_ref().is_finite() && *c.get_ref() > 0.0 => {
                Capacity::PerClassroom(*c.get_ref())
            }
            (None, Some(c)) => {
                problem(
                    line(c.span()),
                    "allocation.class_size",
                    format!("must be a positive number of students, got {}", c.get_ref()),
                );
                Capacity::Unlimited
            }
            (Some(f), Some(_)) => {
                problem(
                    line(f.span()),
                    "allocation",
                    "give capacity_field or class_size, not both".into(),
                );
                Capacity::Unlimited
            }
            (None, None) => Capacity::Unlimited,
        };
        if let Some(o) = &a.overflow {
            allocation.overflow = match o.get_ref().as_str() {
                "next" => crate::allocate::Overflow::Next,
                "flag" => crate::allocate::Overflow::Flag,
                other => {
                    problem(
                        line(o.span()),
                        "allocation.overflow",
                        format!("must be \"next\" or \"flag\", got {other:?}"),
                    );
                    crate::allocate::Overflow::Next
                }
            };
        }
    }

    let mut speeds = SpeedTable::default();
    for (class, v) in &raw.speeds_kmh {
        let kmh = *v.get_ref();
        if !kmh.is_finite() || kmh <= 0.0 {
            problem(
                line(v.span()),
                &format!("speeds_kmh.{class}"),
                format!("must be a positive speed in km/h, got {kmh}"),
            );
            continue;
        }
        if class == "default" {
            speeds.default_kmh = kmh;
        } else if let Some(slot) = speeds.by_class_kmh.iter_mut().find(|(c, _)| c == class) {
            slot.1 = kmh;
        } else {
            speeds.by_class_kmh.push((class.clone(), kmh));
        }
    }
    if let Some(u) = raw.use_maxspeed {
        speeds.use_maxspeed = u;
    }

    let mut id_lines = BTreeMap::new();
    let mut ids = |list: &[Spanned<String>]| -> BTreeSet<SchoolId> {
        list.iter()
            .map(|s| {
                let id = SchoolId(s.get_ref().trim().to_string());
                id_lines.insert(id.clone(), line(s.span()));
                id
            })
            .collect()
    };
    let required_hubs = ids(&raw.required_hubs);
    let excluded_hubs = ids(&raw.excluded_hubs);
    for both in required_hubs.intersection(&excluded_hubs) {
        problems.push(format!(
            "line {}: hub id `{both}` is both required and excluded",
            id_lines.get(both).copied().unwrap_or(0)
        ));
    }

    if !problems.is_empty() {
        return Err(Error::new(ErrorKind::Scenario, problems.join("\n  ")).in_file(source));
    }
    Ok(Config {
        name: raw.name.unwrap_or_else(|| "unnamed".into()),
        strategy,
        seed: raw.seed.unwrap_or(0),
        hubs_primary,
        hubs_secondary,
        max_travel_minutes,
        search_cutoff_minutes,
        offroad_speed_kmh,
        max_snap_m,
        small_component_junctions,
        required_hubs,
        excluded_hubs,
        criteria,
        constraints,
        allocation,
        speeds,
        source: source.to_string(),
        ahp: ahp_report,
        id_lines,
    })
}

/// An AHP matrix entry: a number, or a fraction written as text ("1/3").
fn ahp_entry(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        toml::Value::String(s) => match s.split_once('/') {
            Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
            None => s.trim().parse().ok(),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(
            err.to_string().contains("line 2: field `land_rai`"),
            "{err}"
        );
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
