//! The whole run, stage by stage: validate → graph → snap → travel →
//! score and select → allocate → figures. Each stage is a plain function;
//! [`run`] calls them in order and reports progress.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use geo::{Coord, Distance, Haversine, Point};
use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::figures;
use crate::graph::RoadGraph;
use crate::model::{Action, Rejects};
use crate::model::{District, DistrictCode, HubLevel, Inputs, Level, SchoolId, Weighting};
use crate::routing::matrix::{district_matrices, DistrictTrips, TravelMatrix};
use crate::routing::{route, Departure};
use crate::scenario::{Config, DataShape, Measure};
use crate::score;
use crate::select::{self, Candidate, LevelProblem};
use crate::spatial::{DistrictIndex, Placement, Snap, SnapIndex, SnapRule};
use crate::validate::{self, PlacedSchool};

/// The stages a run goes through, for progress reports and timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the input files (timed by the caller, which reads them).
    Load,
    Validate,
    Graph,
    Snap,
    Travel,
    Select,
    Allocate,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Load => "load inputs",
            Stage::Validate => "validate",
            Stage::Graph => "road graph",
            Stage::Snap => "snap schools",
            Stage::Travel => "travel times",
            Stage::Select => "select hubs",
            Stage::Allocate => "allocate & routes",
        }
    }
}

/// Receives progress. The library never prints; the CLI draws bars.
pub trait Progress: Sync {
    /// A stage starts with `total` units of work (0 when unknown).
    fn start(&self, _stage: Stage, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self, _stage: Stage, _elapsed: Duration) {}
}

/// Progress that goes nowhere.
pub struct Silent;
impl Progress for Silent {}

/// A school's part in the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Hub,
    Member,
    StandAlone,
    Rejected,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Member => "member",
            Role::StandAlone => "stand-alone",
            Role::Rejected => "rejected",
        }
    }
}

/// One input school in the result (every input row appears once).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolOutcome {
    pub id: SchoolId,
    pub name: String,
    pub district: Option<DistrictCode>,
    pub level: Option<Level>,
    /// Enrolment, `None` when unknown.
    pub students: Option<f64>,
    pub lon_lat: Option<(f64, f64)>,
    pub role: Role,
    /// For hubs, the level they serve; for members, their hub's level.
    pub hub_level: Option<HubLevel>,
    /// The hub a member joins (a hub names itself).
    pub hub_id: Option<SchoolId>,
    /// Door-to-door minutes to the hub (members; 0 for hubs).
    pub travel_min: Option<f64>,
    /// Road kilometres of the member's route.
    pub road_km: Option<f64>,
    /// A member that joined a hub already at capacity.
    pub over_capacity: bool,
    /// Metres from the school to its snap point on the road.
    pub offroad_m: Option<f64>,
    pub reason: String,
}

/// A chosen hub and why.
#[derive(Clone, Debug, PartialEq)]
pub struct HubOutcome {
    pub id: SchoolId,
    pub name: String,
    pub district: DistrictCode,
    pub level: HubLevel,
    pub lon: f64,
    pub lat: f64,
    /// Enrolment of the hub school, `None` when unknown.
    pub students: Option<f64>,
    /// Policy score (computed for every strategy, so runs compare).
    pub score: f64,
    /// Weighted score parts by criterion key; they sum to `score`.
    pub parts: Vec<(String, f64)>,
    /// Rank of the hub by score among its group's candidates (1 = best).
    pub rank: usize,
    pub candidates: usize,
    pub runner_up: Option<SchoolId>,
    pub runner_up_name: String,
    /// How much worse the strategy's objective gets if the runner-up
    /// replaces this hub, in `margin_unit`.
    pub margin: f64,
    pub margin_unit: &'static str,
    /// A required hub from the scenario.
    pub forced: bool,
    /// The group's choice is proven optimal for the strategy.
    pub exact: bool,
    /// At most this fraction worse than the optimum (0 when exact; `None`
    /// for a heuristic choice of a strategy without a lower bound).
    pub gap: Option<f64>,
    /// For the score strategy: the criterion whose weight, changed by the
    /// given amount (in the scenario's weight units), would let another
    /// candidate tie this hub — the smallest such change of one weight.
    pub stability: Option<(String, f64)>,
    pub members: usize,
    /// Own students plus members' students (the known counts); `None`
    /// when none of them has a count.
    pub students_served: Option<f64>,
    /// Students the hub can serve, under the scenario's capacity rule.
    pub capacity: Option<f64>,
    /// Members that joined although the hub was full.
    pub over_capacity: usize,
}

/// A member's road path to its hub.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteOutcome {
    pub school: SchoolId,
    pub hub: SchoolId,
    pub district: DistrictCode,
    pub level: HubLevel,
    pub travel_min: f64,
    pub road_km: f64,
    /// From the school's snap point to the hub's, along the roads.
    pub coords: Vec<Coord<f64>>,
}

/// A district's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictOutcome {
    pub code: DistrictCode,
    pub name: String,
    pub hubs_primary: usize,
    pub hubs_secondary: usize,
    pub schools: usize,
    /// Students of the district's schools (the known counts); `None` when
    /// none has a count.
    pub students: Option<f64>,
    pub members: usize,
    pub standalone: usize,
    /// Weighted (by [`RunResult::weighting`]) mean, 95th percentile and
    /// maximum door-to-door minutes of the members (0 when there are none).
    pub mean_min: f64,
    pub p95_min: f64,
    pub max_min: f64,
    /// Share of the district's weight (students, or schools) at a hub or a
    /// member within the limit.
    pub share_within: f64,
    /// Levels with fewer hubs than asked, and why.
    pub shortfalls: Vec<Shortfall>,
    /// Per level that has candidates, the schools no candidate reaches by
    /// road: left out when hubs were compared, counted here by cause.
    pub unreachable: Vec<Unreachable>,
}

/// A district and level that got fewer hubs than the scenario asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortfall {
    pub district: DistrictCode,
    pub level: HubLevel,
    pub wanted: usize,
    pub chosen: usize,
    pub reason: String,
}

/// Schools of a district and level that no candidate hub reaches by road
/// (within the search cutoff). Every choice of hubs would leave them
/// unreached alike, so the objectives and the access criteria leave them
/// out (else p-center's worst trip and `acc_max` would read the cutoff for
/// every choice); they are counted here instead, and in the run's
/// [`AccessFigures::unreachable`]. No hub of their district reaches them,
/// so they are stand-alone unless cross-district allocation finds them a
/// hub of another district.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreachable {
    pub district: DistrictCode,
    pub level: HubLevel,
    /// The schools, in id order.
    pub schools: Vec<SchoolId>,
    /// Schools of the level in the district.
    pub of: usize,
    /// Of `schools`: farther than `max_snap_m` from every road.
    pub off_network: usize,
    /// On a road network (an island) that no candidate is on.
    pub island: usize,
    /// On a candidate's road network but beyond the search cutoff (or
    /// against one-way roads) from every candidate.
    pub beyond_cutoff: usize,
    /// In words, for a planner: "district 9901, primary: no candidate
    /// reaches 1 of its 5 primary schools, …".
    pub reason: String,
}

/// Timings and sizes, for `bench` and the terminal; never written to the
/// outputs (they would break byte-identical reruns).
#[derive(Clone, Debug, Default)]
pub struct RunStats {
    pub stages: Vec<(Stage, Duration)>,
    pub graph_nodes: usize,
    pub graph_links: usize,
    pub components: usize,
    pub searches: usize,
    pub settled_nodes: u64,
}

/// Everything a run produces.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub config: Config,
    pub districts: Vec<District>,
    pub district_outcomes: Vec<DistrictOutcome>,
    pub schools: Vec<SchoolOutcome>,
    pub hubs: Vec<HubOutcome>,
    pub routes: Vec<RouteOutcome>,
    pub rejects: Rejects,
    /// What the figures and objectives weigh schools by.
    pub weighting: Weighting,
    /// Why, in words ("the schools have no student count: …").
    pub weighting_note: String,
    /// Notes on the inputs as a whole, for the console, summary and report.
    pub notes: Vec<String>,
    /// How near the chosen hubs are to the schools they are for, counting
    /// every school of each level (also those beyond the limit) — the
    /// figures the location models optimise.
    pub access: AccessFigures,
    pub stats: RunStats,
}

impl RunResult {
    /// Everything worth telling the user about this run as a whole: how
    /// the scenario was fitted to the data ([`Config::notes`]), then the
    /// notes on the inputs.
    pub fn all_notes(&self) -> impl Iterator<Item = &String> {
        self.config.notes.iter().chain(&self.notes)
    }
}

/// Door-to-door minutes from every school to the nearest chosen hub of
/// each level it teaches (a `both` school counts once per level), in
/// districts and levels that got a hub, weighted as the run weighs
/// ([`RunResult::weighting`]; weights that sum to 0 count equally). The
/// figures are [`crate::figures::travel`]'s, the definitions the access
/// criteria of the score use ([`score::access`]), so the two never
/// disagree.
///
/// Schools that no candidate of their group reaches are left out (no
/// choice could have served them) and counted in `unreachable`. Schools
/// that the chosen hubs leave unreached although another candidate would
/// reach them stay in, charged the search cutoff as the objectives charge
/// them, and are counted in `unreached`: a planner reading a mean pulled up
/// by the cutoff sees how many pairs did it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessFigures {
    /// Weighted mean minutes: what p-median minimises.
    pub mean_min: f64,
    /// Weighted 95th percentile minutes.
    pub p95_min: f64,
    /// Worst minutes: what p-center minimises.
    pub max_min: f64,
    /// Weighted share within the limit: what max-cover maximises.
    pub share_within: f64,
    /// (school, level) pairs counted.
    pub pairs: usize,
    /// Of `pairs`, those no chosen hub reaches (charged the cutoff, never
    /// within the limit).
    pub unreached: usize,
    /// (school, level) pairs left out because no candidate of their
    /// district and level reaches them (see [`Unreachable`]).
    pub unreachable: usize,
}

impl AccessFigures {
    /// The figures of (minutes to the nearest chosen hub, weight) pairs,
    /// `f64::INFINITY` where no chosen hub reaches the school; the count of
    /// pairs left out is the caller's to set.
    pub fn of(pairs: &[(f64, f64)], limit_min: f64, penalty_min: f64) -> AccessFigures {
        use crate::figures::travel;
        AccessFigures {
            mean_min: travel::mean(pairs, penalty_min),
            p95_min: travel::quantile(pairs, 0.95, penalty_min),
            max_min: travel::max(pairs, penalty_min),
            share_within: travel::share_within(pairs, limit_min),
            pairs: pairs.len(),
            unreached: travel::unreached(pairs),
            unreachable: 0,
        }
    }
}

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
    fn counted(&self, n: usize) -> String {
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
    fn order(&self, config: &Config) -> (u8, usize) {
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
pub fn ineligible(
    school: &crate::model::School,
    level: HubLevel,
    config: &Config,
) -> Option<Ineligible> {
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
    school: &crate::model::School,
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

/// The unit of a margin: the strategy's, with "students" read as
/// "schools" where the objective weighs schools (p-median, max-cover) and
/// the run weighs by schools.
fn margin_unit(
    kind: crate::scenario::StrategyKind,
    unit: &'static str,
    weighting: Weighting,
) -> &'static str {
    use crate::scenario::StrategyKind;
    match (weighting, kind) {
        (Weighting::Schools, StrategyKind::PMedian) => "school-minutes",
        (Weighting::Schools, StrategyKind::MaxCover) => "schools",
        _ => unit,
    }
}

/// A stable number in [0, 1) from the seed and an id (SplitMix64 over
/// FNV-1a), for the `random` strategy.
fn lottery(seed: u64, id: &SchoolId) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.0.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn timed<T>(
    progress: &dyn Progress,
    stats: &mut RunStats,
    stage: Stage,
    total: u64,
    f: impl FnOnce() -> T,
) -> T {
    progress.start(stage, total);
    let t = Instant::now();
    let out = f();
    let elapsed = t.elapsed();
    progress.finish(stage, elapsed);
    stats.stages.push((stage, elapsed));
    out
}

/// The routing half of a run: everything up to the travel-time matrices,
/// which depends on the inputs and the scenario's routing and candidate
/// rules but not on its criteria or strategy. [`finish`] can be called on it
/// many times (the `bench` command compares strategies this way).
pub struct Prepared {
    /// The checked inputs on the road network; its `stats` also time the
    /// travel stage.
    pub checked: Checked,
    /// Schools of each district, in id order.
    pub members: Vec<Vec<usize>>,
    pub matrices: Vec<TravelMatrix>,
    rules: RoutingRules,
}

/// The parts of a scenario the prepared travel times depend on.
#[derive(Clone, Debug, PartialEq)]
struct RoutingRules {
    speeds: crate::graph::SpeedTable,
    offroad_speed_kmh: f64,
    max_snap_m: f64,
    small_component_junctions: u32,
    search_cutoff_minutes: f64,
    constraints: crate::scenario::Constraints,
    required: BTreeSet<SchoolId>,
    excluded: BTreeSet<SchoolId>,
}

impl RoutingRules {
    fn of(c: &Config) -> RoutingRules {
        RoutingRules {
            speeds: c.speeds.clone(),
            offroad_speed_kmh: c.offroad_speed_kmh,
            max_snap_m: c.max_snap_m,
            small_component_junctions: c.small_component_junctions,
            search_cutoff_minutes: c.search_cutoff_minutes,
            constraints: c.constraints.clone(),
            required: c.required_hubs.clone(),
            excluded: c.excluded_hubs.clone(),
        }
    }
}

impl Prepared {
    /// The travel problem of district `d`, borrowing the snaps.
    fn trips(&self, d: usize, config: &Config) -> DistrictTrips<'_> {
        let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;
        let m = &self.members[d];
        let c = &self.checked;
        DistrictTrips {
            snaps: m
                .iter()
                .map(|&i| {
                    if c.on_network[i] {
                        c.snaps[i].as_ref()
                    } else {
                        None
                    }
                })
                .collect(),
            offroad_s: m
                .iter()
                .map(|&i| c.snaps[i].map_or(0.0, |s| s.offroad_m * offroad_s_per_m))
                .collect(),
            candidates: m
                .iter()
                .enumerate()
                .filter(|(_, &i)| {
                    HubLevel::ALL.iter().any(|&l| {
                        ineligible_on_network(&c.schools[i].school, c.on_network[i], l, config)
                            .is_none()
                    })
                })
                .map(|(k, _)| k)
                .collect(),
        }
    }
}

/// Runs the whole pipeline. Run-level problems (scenario fields missing
/// from the data, no roads) stop it before any work.
pub fn run(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
    let prepared = prepare(inputs, config, progress)?;
    finish(&prepared, config, progress)
}

/// The checked inputs on the road network: everything before travel
/// times, what `hubsel validate` looks at.
pub struct Checked {
    pub districts: Vec<District>,
    /// Schools that take part, each with its district.
    pub schools: Vec<PlacedSchool>,
    pub rejected_schools: Vec<crate::model::RejectedSchool>,
    pub rejects: Rejects,
    pub graph: RoadGraph,
    /// Snap of each school (`None` only without roads).
    pub snaps: Vec<Option<Snap>>,
    /// Whether each school is within `max_snap_m` of a road.
    pub on_network: Vec<bool>,
    /// What figures and objectives weigh schools by.
    pub weighting: Weighting,
    /// Why, in words.
    pub weighting_note: String,
    /// Notes on the inputs as a whole ([`Inputs::notes`]).
    pub notes: Vec<String>,
    pub stats: RunStats,
    /// The scenario as applied to these inputs ([`Config::fit_to`]), its
    /// `notes` saying what fitting changed.
    pub config: Config,
    /// What the scenario was fitted to, so that [`finish`] fits the config
    /// it is given the same way.
    pub data: DataShape,
}

/// Validates the inputs, builds the road graph and snaps the schools.
/// Besides [`validate::validate`]'s checks it flags schools farther than
/// `max_snap_m` from any road (with the distance), schools moved past a
/// nearer small road fragment to the network within `max_snap_m` (with
/// both distances and the fragment's size; see [`SnapRule`]), schools on a
/// road island, whose roads do not reach the ones most of their district's
/// schools are on, and schools in a one-way trap, joined to those roads
/// but unable to reach them or be reached from them.
pub fn check_network(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<Checked> {
    let data = DataShape::of(&inputs);
    let fitted = config.fit_to(&data)?;
    let config = &fitted;
    if inputs.roads.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            "no usable road line in the road input",
        ));
    }
    let mut stats = RunStats::default();
    let mut inputs = inputs;
    let roads = std::mem::take(&mut inputs.roads);
    let notes = std::mem::take(&mut inputs.notes);
    let districts = inputs.districts.clone();
    let index = DistrictIndex::new(&districts);
    let validated = timed(progress, &mut stats, Stage::Validate, 0, || {
        validate::validate(inputs, &index)
    });
    let mut rejects = validated.rejects;
    let schools = validated.schools;
    let (weighting, weighting_note) = resolve_weighting(config, &schools)?;

    let graph = timed(progress, &mut stats, Stage::Graph, 0, || {
        RoadGraph::build(&roads, &config.speeds)
    });
    drop(roads);
    stats.graph_nodes = graph.node_count();
    stats.graph_links = graph.links.len();
    stats.components = graph.component_count();

    let rule = SnapRule {
        max_snap_m: config.max_snap_m,
        small_component_junctions: config.small_component_junctions,
    };
    let placements: Vec<Option<Placement>> = timed(
        progress,
        &mut stats,
        Stage::Snap,
        schools.len() as u64,
        || {
            let snap_index = SnapIndex::new(&graph);
            schools
                .par_iter()
                .map(|p| {
                    let s = snap_index.place(&graph, p.school.lon, p.school.lat, &rule);
                    progress.advance(1);
                    s
                })
                .collect()
        },
    );
    let snaps: Vec<Option<Snap>> = placements.iter().map(|p| p.map(|p| p.snap)).collect();
    let mut on_network: Vec<bool> = Vec::with_capacity(schools.len());
    for (p, placement) in schools.iter().zip(&placements) {
        let s = placement.map(|p| p.snap);
        let ok = s.is_some_and(|s| s.offroad_m <= config.max_snap_m);
        if let (false, Some(s)) = (ok, s) {
            rejects.push(
                &p.school.source,
                &p.school.id.0,
                "lon/lat",
                format!(
                    "{:.0} m from the nearest road, beyond max_snap_m {}; made stand-alone",
                    s.offroad_m, config.max_snap_m
                ),
                Action::Flagged,
            );
        }
        if let Some(Placement {
            snap,
            passed: Some(passed),
        }) = placement
        {
            let fragment = if passed.junctions == 0 {
                "a one-way road piece between two parts of the network, which cannot both leave it and come back".to_string()
            } else {
                format!(
                    "a small road fragment of {} junctions (fewer than small_component_junctions {}) that is cut off from the main network or joined to it only one way",
                    passed.junctions, config.small_component_junctions
                )
            };
            rejects.push(
                &p.school.source,
                &p.school.id.0,
                "lon/lat",
                format!(
                    "snapped to the road network {:.0} m away, not to the nearest road {:.0} m away: that road is on {fragment}",
                    snap.offroad_m, passed.snap.offroad_m
                ),
                Action::Flagged,
            );
        }
        on_network.push(ok);
    }

    flag_islands(
        &schools,
        &snaps,
        &on_network,
        &graph,
        &districts,
        &mut rejects,
    );
    Ok(Checked {
        districts,
        schools,
        rejected_schools: validated.rejected_schools,
        rejects,
        graph,
        snaps,
        on_network,
        weighting,
        weighting_note,
        notes,
        stats,
        config: fitted,
        data,
    })
}

/// What the run weighs schools by, and why, in words for the console, the
/// summary and the report: the scenario's `weights`, where `auto` means
/// students when every school taking part has a count (and some count is
/// positive), else schools. `weights = "students"` on data without any
/// count is a run-level error.
fn resolve_weighting(config: &Config, schools: &[PlacedSchool]) -> Result<(Weighting, String)> {
    use crate::scenario::WeightsRule;
    let known = schools
        .iter()
        .filter(|p| p.school.students.is_some())
        .count();
    let positive = schools
        .iter()
        .any(|p| p.school.students.is_some_and(|n| n > 0.0));
    match config.weights {
        WeightsRule::Auto => Ok(match Weighting::from_data(schools.iter().map(|p| p.school.students)) {
            Weighting::Students => (Weighting::Students, "every school has a student count".into()),
            Weighting::Schools if known == 0 => (
                Weighting::Schools,
                "the schools have no student count: every school counts once".into(),
            ),
            Weighting::Schools if !positive => (
                Weighting::Schools,
                "every student count is 0: every school counts once".into(),
            ),
            Weighting::Schools => (
                Weighting::Schools,
                format!(
                    "{} of {} schools have no student count: every school counts once (weights = \"students\" weighs by the known counts)",
                    schools.len() - known,
                    schools.len()
                ),
            ),
        }),
        WeightsRule::Schools => Ok((
            Weighting::Schools,
            "the scenario says weights = \"schools\": every school counts once".into(),
        )),
        WeightsRule::Students if known > 0 => Ok((
            Weighting::Students,
            if known == schools.len() {
                "the scenario says weights = \"students\"".to_string()
            } else {
                format!(
                    "the scenario says weights = \"students\"; {} of {} schools have no count and weigh 0",
                    schools.len() - known,
                    schools.len()
                )
            },
        )),
        WeightsRule::Students => Err(Error::new(
            ErrorKind::Scenario,
            "weights = \"students\" but no school has a student count; remove the key (or set weights = \"schools\") to weigh every school once",
        )
        .in_file(&config.source)
        .on_field("weights")),
    }
}

/// The road component a snapped school is on.
fn component_of(graph: &RoadGraph, snap: &Snap) -> u32 {
    // Weakly connected: one-way rules aside.
    graph.component[graph.links[snap.link as usize].from as usize]
}

/// The strongly connected component a snapped school is in: its node's
/// when it is on a junction, else its link's (`None` on a one-way link
/// between two SCCs).
fn scc_of(graph: &RoadGraph, snap: &Snap) -> Option<u32> {
    match crate::routing::node_of(graph, snap) {
        Some(node) => Some(graph.scc[node as usize]),
        None => graph.link_scc(snap.link as usize),
    }
}

/// Flags each on-network school that is not in the strongly connected
/// component holding most of its district's on-network schools (ties go to
/// the one with more junctions, then the lower label): on a road island
/// when no road joins it to them at all, in a one-way trap when roads join
/// them but one-way rules block one way or both (the flag says which).
fn flag_islands(
    schools: &[PlacedSchool],
    snaps: &[Option<Snap>],
    on_network: &[bool],
    graph: &RoadGraph,
    districts: &[District],
    rejects: &mut Rejects,
) {
    let placed: Vec<Option<&Snap>> = snaps
        .iter()
        .zip(on_network)
        .map(|(s, ok)| s.as_ref().filter(|_| *ok))
        .collect();
    let mut per_district: Vec<std::collections::BTreeMap<u32, usize>> =
        vec![Default::default(); districts.len()];
    for (p, s) in schools.iter().zip(&placed) {
        if let Some(c) = s.and_then(|s| scc_of(graph, s)) {
            *per_district[p.district].entry(c).or_insert(0) += 1;
        }
    }
    // Most schools, then most junctions, then the lower label.
    let main: Vec<Option<(u32, usize)>> = per_district
        .iter()
        .map(|m| {
            m.iter().fold(None, |best: Option<(u32, usize)>, (&c, &n)| {
                let size = |c: u32| graph.scc_junctions[c as usize];
                if best.is_none_or(|(b, bn)| (n, size(c)) > (bn, size(b))) {
                    Some((c, n))
                } else {
                    best
                }
            })
        })
        .collect();
    // A node of each SCC, for its weak component.
    let mut node_in: std::collections::BTreeMap<u32, u32> = Default::default();
    for m in main.iter().flatten() {
        node_in.insert(m.0, u32::MAX);
    }
    for (v, c) in graph.scc.iter().enumerate() {
        if let Some(slot) = node_in.get_mut(c) {
            if *slot == u32::MAX {
                *slot = v as u32;
            }
        }
    }
    // Which SCCs lead to, and are reached from, each district's main SCC.
    let mut ways: std::collections::BTreeMap<u32, (Vec<u32>, Vec<u32>)> = Default::default();
    for (p, s) in schools.iter().zip(&placed) {
        let (Some(snap), Some((main_scc, n))) = (s, main[p.district]) else {
            continue;
        };
        if scc_of(graph, snap) == Some(main_scc) {
            continue;
        }
        let code = &districts[p.district].code;
        let main_component = node_in.get(&main_scc).map(|&v| graph.component[v as usize]);
        let component = component_of(graph, snap);
        if main_component != Some(component) {
            rejects.push(
                &p.school.source,
                &p.school.id.0,
                "lon/lat",
                format!(
                    "on a road island: its road network ({} junctions) does not reach the one of the other {n} school(s) of district {code}; unreachable, stand-alone unless a hub is on the same island",
                    graph.component_junctions[component as usize],
                ),
                Action::Flagged,
            );
            continue;
        }
        let (to_main, from_main) = ways.entry(main_scc).or_insert_with(|| {
            (
                graph.sccs_reaching(main_scc),
                graph.sccs_reached_from(main_scc),
            )
        });
        let ends = crate::routing::Ends::of(graph, snap);
        let can_leave = ends
            .leave_nodes()
            .any(|v| to_main.binary_search(&graph.scc[v as usize]).is_ok());
        let can_enter = ends
            .enter_nodes()
            .any(|v| from_main.binary_search(&graph.scc[v as usize]).is_ok());
        let reason = match (can_leave, can_enter) {
            (false, true) => format!(
                "one-way trap: one-way roads lead into the roads around it but none leads out, so it cannot reach the other {n} school(s) of district {code}; stand-alone unless a hub of its level is in the same trap"
            ),
            (true, false) => format!(
                "one-way trap: roads lead out from the roads around it but none leads in, so it cannot be reached from the other {n} school(s) of district {code}; it can join a hub but cannot serve as one"
            ),
            (false, false) => format!(
                "one-way trap: the roads joining it to the other {n} school(s) of district {code} are one-way against it both ways: it cannot reach them and cannot be reached from them"
            ),
            (true, true) => continue,
        };
        rejects.push(
            &p.school.source,
            &p.school.id.0,
            "lon/lat",
            reason,
            Action::Flagged,
        );
    }
}

/// What `hubsel validate` reports: the inputs checked, no selection run.
#[derive(Clone, Debug)]
pub struct CheckReport {
    pub districts: usize,
    /// Schools read (placed plus refused).
    pub schools: usize,
    /// Schools that would take part in a run.
    pub placed: usize,
    pub rejects: Rejects,
    /// Notes on the scenario as applied to the data ([`Config::notes`])
    /// and on the inputs as a whole ([`Inputs::notes`]).
    pub notes: Vec<String>,
    /// Names of the schools and districts by id, for `rejects.csv`.
    pub names: std::collections::BTreeMap<String, String>,
    pub stats: RunStats,
}

impl CheckReport {
    /// `rejects.csv` as `hubsel validate` writes it (the same columns as a
    /// run's).
    pub fn rejects_csv(&self) -> String {
        self.rejects.to_csv(&self.names)
    }
}

/// Checks inputs and scenario without selecting: [`check_network`] and the
/// report of what it found.
pub fn check(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<CheckReport> {
    let p = check_network(inputs, config, progress)?;
    let mut names: std::collections::BTreeMap<String, String> = p
        .districts
        .iter()
        .map(|d| (d.code.0.clone(), d.name.clone()))
        .collect();
    for (id, name) in p
        .rejected_schools
        .iter()
        .map(|r| (&r.id, &r.name))
        .chain(p.schools.iter().map(|s| (&s.school.id, &s.school.name)))
    {
        names.insert(id.0.clone(), name.clone());
    }
    Ok(CheckReport {
        names,
        districts: p.districts.len(),
        schools: p.schools.len() + p.rejected_schools.len(),
        placed: p.schools.len(),
        rejects: p.rejects,
        notes: p.config.notes.iter().chain(&p.notes).cloned().collect(),
        stats: p.stats,
    })
}

/// Validates, builds the road graph, snaps the schools and computes every
/// district's travel-time matrix.
pub fn prepare(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<Prepared> {
    let checked = check_network(inputs, config, progress)?;
    let fitted = checked.config.clone();
    let config = &fitted;

    // Schools per district, in id order.
    let schools = &checked.schools;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); checked.districts.len()];
    for (i, p) in schools.iter().enumerate() {
        members[p.district].push(i);
    }
    for m in &mut members {
        m.sort_by(|&a, &b| schools[a].school.id.cmp(&schools[b].school.id));
    }
    let mut prepared = Prepared {
        checked,
        members,
        matrices: Vec::new(),
        rules: RoutingRules::of(config),
    };
    let mut stats = std::mem::take(&mut prepared.checked.stats);
    let trips: Vec<DistrictTrips<'_>> = (0..prepared.checked.districts.len())
        .map(|d| prepared.trips(d, config))
        .collect();
    let searches: usize = trips.iter().map(|t| t.candidates.len()).sum();
    stats.searches = searches;
    let cutoff_s = config.search_cutoff_minutes * 60.0;
    let matrices = timed(progress, &mut stats, Stage::Travel, searches as u64, || {
        district_matrices(&prepared.checked.graph, &trips, cutoff_s, &|| {
            progress.advance(1)
        })
    });
    drop(trips);
    stats.settled_nodes = matrices.iter().map(|m| m.settled_nodes).sum();
    prepared.matrices = matrices;
    prepared.checked.stats = stats;
    Ok(prepared)
}

/// Scores, selects and allocates on prepared travel times. `config` is
/// first fitted to the prepared data as `prepare` fitted its own
/// ([`Config::fit_to`]); its routing and candidate rules must then be those
/// `prepared` was made with.
pub fn finish(prepared: &Prepared, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
    let fitted = config.fit_to(&prepared.checked.data)?;
    let config = &fitted;
    if RoutingRules::of(config) != prepared.rules {
        return Err(Error::new(
            ErrorKind::Scenario,
            "the travel times were prepared with other speeds, snapping, cutoff or candidate rules; prepare again",
        )
        .in_file(&config.source));
    }
    let mut stats = prepared.checked.stats.clone();
    let Prepared {
        checked: Checked {
            districts, schools, ..
        },
        members,
        matrices,
        ..
    } = prepared;
    check_largest(config, schools)?;
    // The road network piece of each school on the network, to say why a
    // school no candidate reaches is out of reach.
    let component: Vec<Option<u32>> = {
        let c = &prepared.checked;
        (0..schools.len())
            .map(|g| {
                let snap = c.snaps.get(g).copied().flatten()?;
                if !c.on_network.get(g).copied().unwrap_or(false) {
                    return None;
                }
                let link = c.graph.links.get(snap.link as usize)?;
                c.graph.component.get(link.from as usize).copied()
            })
            .collect()
    };
    let trips: Vec<DistrictTrips<'_>> = (0..districts.len())
        .map(|d| prepared.trips(d, config))
        .collect();
    let selections: Vec<DistrictSelection> = timed(
        progress,
        &mut stats,
        Stage::Select,
        districts.len() as u64,
        || {
            (0..districts.len())
                .into_par_iter()
                .map(|d| {
                    let s = select_district(
                        schools,
                        &members[d],
                        &matrices[d],
                        &districts[d].code,
                        config,
                        prepared.checked.weighting,
                        &component,
                    );
                    progress.advance(1);
                    s
                })
                .collect()
        },
    );

    let (school_outcomes, hubs, routes, district_outcomes) = timed(
        progress,
        &mut stats,
        Stage::Allocate,
        districts.len() as u64,
        || allocate_all(prepared, &trips, &selections, config, progress),
    );

    let mut school_outcomes = school_outcomes;
    for r in &prepared.checked.rejected_schools {
        school_outcomes.push(SchoolOutcome {
            id: r.id.clone(),
            name: r.name.clone(),
            district: None,
            level: None,
            students: None,
            lon_lat: r.lon_lat,
            role: Role::Rejected,
            hub_level: None,
            hub_id: None,
            travel_min: None,
            road_km: None,
            offroad_m: None,
            over_capacity: false,
            reason: r.reason.clone(),
        });
    }
    school_outcomes.sort_by(|a, b| (&a.id, a.role).cmp(&(&b.id, b.role)));
    let mut hubs = hubs;
    hubs.sort_by(|a, b| (&a.district, a.level, &a.id).cmp(&(&b.district, b.level, &b.id)));
    let mut routes = routes;
    routes.sort_by(|a, b| (&a.district, &a.school).cmp(&(&b.district, &b.school)));

    Ok(RunResult {
        config: config.clone(),
        districts: districts.clone(),
        district_outcomes,
        schools: school_outcomes,
        hubs,
        routes,
        rejects: prepared.checked.rejects.clone(),
        weighting: prepared.checked.weighting,
        weighting_note: prepared.checked.weighting_note.clone(),
        notes: prepared.checked.notes.clone(),
        access: AccessFigures {
            unreachable: selections
                .iter()
                .flat_map(|s| &s.unreachable)
                .map(|u| u.schools.len())
                .sum(),
            ..AccessFigures::of(
                &selections
                    .iter()
                    .flat_map(|s| s.access_pairs.iter().copied())
                    .collect::<Vec<_>>(),
                config.max_travel_minutes,
                config.search_cutoff_minutes,
            )
        },
        stats,
    })
}

/// The hubs chosen in one district.
#[derive(Clone, Debug, Default)]
struct DistrictSelection {
    /// (local school, level, explanation) per hub.
    hubs: Vec<(usize, HubLevel, HubExplain)>,
    shortfalls: Vec<Shortfall>,
    /// Schools no candidate reaches, per level that has candidates.
    unreachable: Vec<Unreachable>,
    /// (minutes to the nearest chosen hub of the level, `INFINITY` when
    /// none reaches it; weight) for every school of every level that got at
    /// least one hub, except the schools no candidate reaches.
    access_pairs: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, Default)]
struct HubExplain {
    score: f64,
    parts: Vec<(String, f64)>,
    rank: usize,
    candidates: usize,
    runner_up: Option<usize>,
    margin: f64,
    margin_unit: &'static str,
    forced: bool,
    exact: bool,
    gap: Option<f64>,
    stability: Option<(String, f64)>,
}

/// `strategy = "largest"` ranks candidates by their student counts: a run
/// where a candidate (other than a required hub, which is chosen anyway)
/// has no count, or where every candidate's count is 0, is refused rather
/// than decided by the id order. Leaving schools without a count out is
/// the scenario's to say (`required_fields = ["students"]`).
fn check_largest(config: &Config, schools: &[PlacedSchool]) -> Result<()> {
    if config.strategy != crate::scenario::StrategyKind::Largest {
        return Ok(());
    }
    let candidates: Vec<&crate::model::School> = schools
        .iter()
        .map(|p| &p.school)
        .filter(|s| !config.required_hubs.contains(&s.id))
        .filter(|s| {
            HubLevel::ALL
                .iter()
                .any(|&l| config.hubs_for(l) > 0 && ineligible(s, l, config).is_none())
        })
        .collect();
    let mut missing: Vec<&SchoolId> = candidates
        .iter()
        .filter(|s| s.students.is_none())
        .map(|s| &s.id)
        .collect();
    missing.sort();
    let remedy = "add the counts, leave schools without one out with [constraints] required_fields = [\"students\"], or choose a strategy that weighs every school once when there are no counts (p-median, p-center, max-cover, central)";
    let problem = if !missing.is_empty() {
        format!(
            "strategy = \"largest\" chooses the candidates with the most students, but {} of {} candidate schools have no student count ({}): {remedy}",
            missing.len(),
            candidates.len(),
            listed(&missing, 5)
        )
    } else if !candidates.is_empty() && candidates.iter().all(|s| s.students == Some(0.0)) {
        format!(
            "strategy = \"largest\" chooses the candidates with the most students, but every candidate's student count is 0: {remedy}"
        )
    } else {
        return Ok(());
    };
    Err(Error::new(ErrorKind::Scenario, problem)
        .in_file(&config.source)
        .on_field("strategy"))
}

/// Up to `max` ids, quoted, then how many more.
fn listed(ids: &[&SchoolId], max: usize) -> String {
    let mut text: Vec<String> = ids
        .iter()
        .take(max)
        .map(|id| crate::error::quote(&id.0))
        .collect();
    if ids.len() > max {
        text.push(format!("and {} more", ids.len() - max));
    }
    text.join(", ")
}

/// Why a school of the level is not among a group's candidates.
#[derive(Clone, Debug, PartialEq)]
enum Left {
    Rule(Ineligible),
    /// Already the district's hub of the other level.
    Taken(HubLevel),
}

/// The schools of a level that are not candidates, grouped by reason and
/// counted, in the order of the checks: "4 excluded by exclude_if
/// highland, 1 has fewer than 120 students".
fn left_out_counts(reasons: &[Left], config: &Config) -> String {
    let mut groups: Vec<((u8, usize), String)> = Vec::new();
    let mut seen: Vec<&Left> = Vec::new();
    for r in reasons {
        if seen.contains(&r) {
            continue;
        }
        seen.push(r);
        let n = reasons.iter().filter(|x| *x == r).count();
        groups.push(match r {
            Left::Rule(why) => (why.order(config), why.counted(n)),
            Left::Taken(other) => (
                (6, 0),
                format!(
                    "{n} already {} the district's {} hub",
                    if n == 1 { "is" } else { "are" },
                    other.as_str()
                ),
            ),
        });
    }
    groups.sort();
    groups
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why no candidate reaches a school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    OffNetwork,
    Island,
    BeyondCutoff,
}

/// Chooses the hubs of one district, level by level. `component` is the
/// road network piece of every school (by global index), `None` when the
/// school is not on the network.
fn select_district(
    schools: &[PlacedSchool],
    members: &[usize],
    matrix: &TravelMatrix,
    code: &DistrictCode,
    config: &Config,
    weighting: Weighting,
    component: &[Option<u32>],
) -> DistrictSelection {
    let mut out = DistrictSelection::default();
    let mut taken: Vec<(usize, HubLevel)> = Vec::new();
    let limit_min = config.max_travel_minutes;
    let penalty_min = config.search_cutoff_minutes;
    for level in HubLevel::ALL {
        let k = config.hubs_for(level);
        if k == 0 {
            continue;
        }
        let demand: Vec<usize> = (0..members.len())
            .filter(|&i| schools[members[i]].school.level.serves(level))
            .collect();
        let rows: Vec<(usize, usize)> = matrix
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, &c)| {
                !taken.iter().any(|t| t.0 == c)
                    && ineligible_on_network(
                        &schools[members[c]].school,
                        component[members[c]].is_some(),
                        level,
                        config,
                    )
                    .is_none()
            })
            .map(|(row, &c)| (row, c))
            .collect();
        if rows.len() < k {
            out.shortfalls.push(shortfall(
                schools, members, &demand, &rows, &taken, code, level, k, config, component,
            ));
        }
        if rows.is_empty() {
            continue;
        }
        let weights: Vec<f64> = demand
            .iter()
            .map(|&i| weighting.weight(schools[members[i]].school.students))
            .collect();
        let minutes: Vec<f64> = rows
            .iter()
            .flat_map(|&(row, _)| demand.iter().map(move |&i| matrix.seconds(row, i) / 60.0))
            .collect();
        let straight_m: Vec<f64> = rows
            .iter()
            .flat_map(|&(_, c)| {
                let a = &schools[members[c]].school;
                demand.iter().map(move |&i| {
                    let b = &schools[members[i]].school;
                    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
                })
            })
            .collect();
        let forced: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, &(_, c))| {
                config
                    .required_hubs
                    .contains(&schools[members[c]].school.id)
            })
            .map(|(p, _)| p)
            .collect();
        let full = LevelProblem {
            k,
            candidates: rows
                .iter()
                .map(|&(_, c)| {
                    let school = &schools[members[c]].school;
                    Candidate {
                        score: 0.0,
                        students: school.students.unwrap_or(0.0),
                        lottery: lottery(config.seed, &school.id),
                    }
                })
                .collect(),
            forced,
            demand: weights.clone(),
            minutes,
            straight_m,
            limit_min,
            penalty_min,
        };
        // Demand no candidate reaches is left out of the access criteria
        // and the objectives alike, and reported.
        let (compared, left_out) = full.for_comparison();
        let mut problem = compared.into_owned();
        if !left_out.is_empty() {
            out.unreachable.push(unreachable(
                schools, members, &demand, &rows, &left_out, component, code, level, config,
            ));
        }
        let kept: Vec<usize> = (0..demand.len())
            .filter(|j| !left_out.contains(j))
            .collect();
        // Raw criterion values and the policy score of every candidate.
        let d = problem.demand.len();
        let raw: Vec<Vec<f64>> = rows
            .iter()
            .enumerate()
            .map(|(r, &(_, c))| {
                let school = &schools[members[c]].school;
                config
                    .criteria
                    .iter()
                    .map(|cr| match &cr.measure {
                        Measure::Field(f) => cr.transform.apply(school.field(f).unwrap_or(0.0)),
                        Measure::Access(m) => cr.transform.apply(score::access(
                            *m,
                            &problem.minutes[r * d..(r + 1) * d],
                            &problem.demand,
                            limit_min,
                            penalty_min,
                        )),
                    })
                    .collect()
            })
            .collect();
        let scored = score::score(config, &raw);
        for (candidate, sc) in problem.candidates.iter_mut().zip(&scored) {
            candidate.score = sc.score;
        }
        let strategy = select::strategy(config.strategy);
        let choice = select::solve(strategy, &problem);
        if !choice.chosen.is_empty() {
            let nearest = problem.nearest(&choice.chosen);
            out.access_pairs
                .extend(nearest.into_iter().zip(kept.iter().map(|&j| weights[j])));
        }
        for (j, &pos) in choice.chosen.iter().enumerate() {
            let c = rows[pos].1;
            let score = scored[pos].score;
            let parts = &scored[pos].parts;
            let rank = 1 + scored.iter().filter(|s| s.score > score + 1e-12).count();
            let runner = choice.runner_up[j].as_ref();
            // Stability of a score choice: the smallest single-weight change
            // that lets any unchosen candidate catch this hub up.
            let stability = if config.strategy == crate::scenario::StrategyKind::Score
                && !problem.forced.contains(&pos)
            {
                let weights: Vec<f64> = config.criteria.iter().map(|c| c.weight).collect();
                (0..rows.len())
                    .filter(|o| !choice.chosen.contains(o))
                    .filter_map(|o| {
                        score::weight_flip(&weights, &scored[pos].normalized, &scored[o].normalized)
                    })
                    .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                    .map(|(k, delta)| (config.criteria[k].key(), delta))
            } else {
                None
            };
            out.hubs.push((
                c,
                level,
                HubExplain {
                    score,
                    parts: config
                        .criteria
                        .iter()
                        .zip(parts)
                        .map(|(cr, v)| (cr.key(), *v))
                        .collect(),
                    rank,
                    candidates: rows.len(),
                    runner_up: runner.map(|r| rows[r.candidate].1),
                    margin: runner.map_or(0.0, |r| r.margin),
                    margin_unit: margin_unit(config.strategy, strategy.unit(), weighting),
                    forced: problem.forced.contains(&pos),
                    exact: choice.exact,
                    gap: choice.gap(),
                    stability,
                },
            ));
            taken.push((c, level));
        }
    }
    out
}

/// The shortfall of a level with fewer candidates (`rows`) than the `k`
/// hubs asked, naming the district and what kept its schools out.
#[allow(clippy::too_many_arguments)]
fn shortfall(
    schools: &[PlacedSchool],
    members: &[usize],
    demand: &[usize],
    rows: &[(usize, usize)],
    taken: &[(usize, HubLevel)],
    code: &DistrictCode,
    level: HubLevel,
    k: usize,
    config: &Config,
    component: &[Option<u32>],
) -> Shortfall {
    let name = level.as_str();
    let n = demand.len();
    let reasons: Vec<Left> = demand
        .iter()
        .filter(|i| !rows.iter().any(|r| r.1 == **i))
        .filter_map(|&i| match taken.iter().find(|t| t.0 == i) {
            Some(&(_, other)) => Some(Left::Taken(other)),
            None => ineligible_on_network(
                &schools[members[i]].school,
                component[members[i]].is_some(),
                level,
                config,
            )
            .map(Left::Rule),
        })
        .collect();
    let counts = left_out_counts(&reasons, config);
    let schools_of = |n: usize| {
        if n == 1 {
            format!("1 {name} school")
        } else {
            format!("{n} {name} schools")
        }
    };
    let reason = if n == 0 {
        format!("district {code}, {name}: the district has no {name} school")
    } else if rows.is_empty() {
        let none = if n == 1 {
            format!("its only {name} school is not a candidate")
        } else {
            format!("none of its {n} {name} schools is a candidate")
        };
        format!("district {code}, {name}: {none}: {counts}")
    } else {
        let of = if counts.is_empty() {
            format!("{}, all eligible", schools_of(n))
        } else {
            format!("{}: {counts}", schools_of(n))
        };
        format!(
            "district {code}, {name}: only {} eligible candidate{} for {k} hubs (of {of})",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        )
    };
    Shortfall {
        district: code.clone(),
        level,
        wanted: k,
        chosen: rows.len().min(k),
        reason,
    }
}

/// The report of the demand no candidate of a group reaches (`left_out`,
/// positions in `demand`), with each school's cause.
#[allow(clippy::too_many_arguments)]
fn unreachable(
    schools: &[PlacedSchool],
    members: &[usize],
    demand: &[usize],
    rows: &[(usize, usize)],
    left_out: &[usize],
    component: &[Option<u32>],
    code: &DistrictCode,
    level: HubLevel,
    config: &Config,
) -> Unreachable {
    let candidate_components: Vec<u32> = rows
        .iter()
        .filter_map(|&(_, c)| component.get(members[c]).copied().flatten())
        .collect();
    let mut found: Vec<(&SchoolId, Cause)> = left_out
        .iter()
        .filter_map(|&j| demand.get(j))
        .map(|&i| {
            let g = members[i];
            let cause = match component.get(g).copied().flatten() {
                None => Cause::OffNetwork,
                Some(c) if !candidate_components.contains(&c) => Cause::Island,
                Some(_) => Cause::BeyondCutoff,
            };
            (&schools[g].school.id, cause)
        })
        .collect();
    found.sort();
    let name = level.as_str();
    let mut parts = Vec::new();
    let mut count = |cause: Cause, text: String| {
        let ids: Vec<&SchoolId> = found.iter().filter(|f| f.1 == cause).map(|f| f.0).collect();
        if !ids.is_empty() {
            parts.push(format!("{} {text} ({})", ids.len(), listed(&ids, 5)));
        }
        ids.len()
    };
    let off_network = count(
        Cause::OffNetwork,
        format!(
            "farther than max_snap_m ({} m) from every road",
            config.max_snap_m
        ),
    );
    let island = count(
        Cause::Island,
        "on a road island that no candidate is on".to_string(),
    );
    let beyond_cutoff = count(
        Cause::BeyondCutoff,
        format!(
            "beyond the search cutoff ({} min) from every candidate",
            config.search_cutoff_minutes
        ),
    );
    Unreachable {
        district: code.clone(),
        level,
        schools: found.iter().map(|f| f.0.clone()).collect(),
        of: demand.len(),
        off_network,
        island,
        beyond_cutoff,
        reason: format!(
            "district {code}, {name}: no candidate reaches {} of its {} {name} school{}, left out when comparing hubs: {}",
            found.len(),
            demand.len(),
            if demand.len() == 1 { "" } else { "s" },
            parts.join(", ")
        ),
    }
}

/// A chosen hub with where it is.
struct SlotInfo<'e> {
    district: usize,
    /// Local index in the district.
    local: usize,
    /// Global school index.
    school: usize,
    level: HubLevel,
    explain: &'e HubExplain,
    /// Row of the hub in its district's matrix.
    row: Option<usize>,
}

/// Schools a hub reaches within the limit when cross-district assignment
/// is on: one search per hub, bounded by the travel limit.
struct Reach {
    /// (global school, door-to-door seconds, departure), sorted by school.
    trips: Vec<(usize, f64, Departure)>,
    tree: crate::routing::Tree,
}

fn cross_district_reach(prepared: &Prepared, slot: &SlotInfo<'_>, config: &Config) -> Reach {
    use crate::routing::{search, trip_to_seeded, Ends, SearchSpace, Tree};
    let graph = &prepared.checked.graph;
    let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;
    let offroad =
        |g: usize| prepared.checked.snaps[g].map_or(0.0, |s| s.offroad_m * offroad_s_per_m);
    let limit_s = config.max_travel_minutes * 60.0;
    let Some(hub) =
        prepared.checked.snaps[slot.school].filter(|_| prepared.checked.on_network[slot.school])
    else {
        return Reach {
            trips: Vec::new(),
            tree: Tree::default(),
        };
    };
    let mut space = SearchSpace::new(graph.node_count());
    let seeds: Vec<(u32, f64)> = Ends::of(graph, &hub)
        .enter
        .iter()
        .copied()
        .filter(|(_, s)| s.is_finite())
        .collect();
    search(
        &graph.reverse,
        &mut space,
        &seeds,
        &[],
        limit_s - offroad(slot.school),
    );
    let mut trips = Vec::new();
    let mut starts = Vec::new();
    for (g, snap) in prepared.checked.snaps.iter().enumerate() {
        let Some(snap) = snap.filter(|_| prepared.checked.on_network[g] && g != slot.school) else {
            continue;
        };
        if let Some((road_s, dep)) = trip_to_seeded(graph, &space, &snap, &hub) {
            let total = road_s + offroad(g) + offroad(slot.school);
            if total <= limit_s {
                trips.push((g, total, dep));
                if let Departure::Node { node, .. } = dep {
                    starts.push(node);
                }
            }
        }
    }
    Reach {
        tree: Tree::extract(graph, &space, starts),
        trips,
    }
}

/// Students a hub can serve under the scenario's capacity rule.
fn capacity_of(school: &crate::model::School, config: &Config) -> f64 {
    match &config.allocation.capacity {
        crate::scenario::Capacity::Unlimited => f64::INFINITY,
        crate::scenario::Capacity::Field(f) => school.field(f).unwrap_or(f64::INFINITY),
        crate::scenario::Capacity::PerClassroom(size) => school.classrooms * size,
    }
}

type Allocated = (
    Vec<SchoolOutcome>,
    Vec<HubOutcome>,
    Vec<RouteOutcome>,
    Vec<DistrictOutcome>,
);

/// Allocates every school to a hub (or stand-alone), builds the members'
/// routes from the kept search trees, and figures each district.
fn allocate_all(
    prepared: &Prepared,
    trips: &[DistrictTrips<'_>],
    selections: &[DistrictSelection],
    config: &Config,
    progress: &dyn Progress,
) -> Allocated {
    use crate::allocate::{
        allocate, Assignment, Choice, Connection, ReasonContext, Rules, Seeker, Slot,
    };
    use crate::routing::Ends;
    let Prepared {
        checked:
            Checked {
                districts,
                schools,
                graph,
                snaps,
                weighting,
                ..
            },
        members,
        matrices,
        ..
    } = prepared;
    let slots: Vec<SlotInfo<'_>> = selections
        .iter()
        .enumerate()
        .flat_map(|(d, sel)| {
            sel.hubs.iter().map(move |(c, level, e)| SlotInfo {
                district: d,
                local: *c,
                school: members[d][*c],
                level: *level,
                explain: e,
                row: matrices[d].row_of(*c),
            })
        })
        .collect();
    let on_network = |g: usize| snaps[g].filter(|_| prepared.checked.on_network[g]);
    let mut seekers: Vec<Seeker> = schools
        .iter()
        .enumerate()
        .map(|(g, p)| Seeker {
            level: p.school.level,
            students: p.school.students.unwrap_or(0.0),
            district: p.district,
            component: on_network(g).map(|s| component_of(graph, &s)),
            options: Vec::new(),
        })
        .collect();
    for (k, slot) in slots.iter().enumerate() {
        let Some(row) = slot.row else { continue };
        for (i, &g) in members[slot.district].iter().enumerate() {
            let t = matrices[slot.district].seconds(row, i);
            if t.is_finite() && i != slot.local {
                seekers[g].options.push(Choice {
                    slot: k,
                    travel_s: t,
                });
            }
        }
    }
    let reaches: Vec<Reach> = if config.allocation.cross_district {
        slots
            .par_iter()
            .map(|slot| cross_district_reach(prepared, slot, config))
            .collect()
    } else {
        Vec::new()
    };
    for (k, reach) in reaches.iter().enumerate() {
        for &(g, t, _) in &reach.trips {
            if !seekers[g].options.iter().any(|c| c.slot == k) {
                seekers[g].options.push(Choice {
                    slot: k,
                    travel_s: t,
                });
            }
        }
    }
    let alloc_slots: Vec<Slot> = slots
        .iter()
        .map(|s| Slot {
            level: s.level,
            school: s.school,
            district: s.district,
            capacity_students: capacity_of(&schools[s.school].school, config),
        })
        .collect();
    let rules = Rules {
        limit_min: config.max_travel_minutes,
        cutoff_min: config.search_cutoff_minutes,
        overflow: config.allocation.overflow,
        cross_district: config.allocation.cross_district,
    };
    // How the network joins a school with no hub in reach to a hub, to
    // name why it stands alone (asked for few schools).
    let reaching = std::cell::RefCell::new(std::collections::BTreeMap::<u32, Vec<u32>>::new());
    let connection = |g: usize, k: usize| -> Connection {
        let Some(from) = on_network(g) else {
            return Connection::None;
        };
        let Some(to) = on_network(slots[k].school) else {
            return Connection::HubOffNetwork;
        };
        if component_of(graph, &from) != component_of(graph, &to) {
            return Connection::None;
        }
        if crate::routing::same_link_s(graph, &from, &to).is_finite() {
            return Connection::Road;
        }
        let leave: Vec<u32> = Ends::of(graph, &from)
            .leave_nodes()
            .map(|n| graph.scc[n as usize])
            .collect();
        let mut cache = reaching.borrow_mut();
        for hub_scc in Ends::of(graph, &to)
            .enter_nodes()
            .map(|n| graph.scc[n as usize])
        {
            let from_sccs = cache
                .entry(hub_scc)
                .or_insert_with(|| graph.sccs_reaching(hub_scc));
            if leave.iter().any(|s| from_sccs.binary_search(s).is_ok()) {
                return Connection::Road;
            }
        }
        Connection::OneWayOnly
    };
    let assignments = allocate(&seekers, &alloc_slots, &connection, &rules);

    // Routes, in parallel: from the district matrix's tree when the hub is
    // in the school's district, else from the hub's cross-district search.
    let local_of: Vec<(usize, usize)> = {
        let mut v = vec![(0, 0); schools.len()];
        for (d, m) in members.iter().enumerate() {
            for (i, &g) in m.iter().enumerate() {
                v[g] = (d, i);
            }
        }
        v
    };
    let member_list: Vec<(usize, usize, f64)> = assignments
        .iter()
        .enumerate()
        .filter_map(|(g, a)| match a {
            Assignment::Member { slot, travel_s, .. } => Some((g, *slot, *travel_s)),
            _ => None,
        })
        .collect();
    let routes: Vec<Option<RouteOutcome>> = member_list
        .par_iter()
        .map(|&(g, k, travel_s)| {
            let slot = &slots[k];
            let (d, i) = local_of[g];
            let from = trips[d].snaps[i]?;
            let to = trips[slot.district].snaps[slot.local]?;
            let r = match (slot.district == d, slot.row) {
                (true, Some(row)) => {
                    let dep = matrices[d].departure(row, i).unwrap_or(Departure::SameLink);
                    route(graph, &matrices[d].trees[row], from, to, dep)
                }
                _ => {
                    let reach = reaches.get(k)?;
                    let p = reach.trips.binary_search_by_key(&g, |t| t.0).ok()?;
                    route(graph, &reach.tree, from, to, reach.trips[p].2)
                }
            };
            Some(RouteOutcome {
                school: schools[g].school.id.clone(),
                hub: schools[slot.school].school.id.clone(),
                district: districts[d].code.clone(),
                level: slot.level,
                travel_min: travel_s / 60.0,
                road_km: r.road_m / 1000.0,
                coords: r.coords,
            })
        })
        .collect();
    let mut road_km: Vec<Option<f64>> = vec![None; schools.len()];
    for (&(g, _, _), r) in member_list.iter().zip(&routes) {
        road_km[g] = r.as_ref().map(|r| r.road_km);
    }

    let mut served: Vec<(usize, Option<f64>, usize)> = slots
        .iter()
        .map(|s| (0, schools[s.school].school.students, 0))
        .collect();
    let mut outcomes = Vec::with_capacity(schools.len());
    for (g, a) in assignments.iter().enumerate() {
        let p = &schools[g];
        let s = &p.school;
        let mut o = SchoolOutcome {
            id: s.id.clone(),
            name: s.name.clone(),
            district: Some(districts[p.district].code.clone()),
            level: Some(s.level),
            students: s.students,
            lon_lat: Some((s.lon, s.lat)),
            role: Role::StandAlone,
            hub_level: None,
            hub_id: None,
            travel_min: None,
            road_km: None,
            offroad_m: snaps[g].map(|s| s.offroad_m),
            over_capacity: false,
            reason: String::new(),
        };
        match a {
            Assignment::Hub(k) => {
                o.role = Role::Hub;
                o.hub_level = Some(slots[*k].level);
                o.hub_id = Some(s.id.clone());
                o.travel_min = Some(0.0);
                o.road_km = Some(0.0);
            }
            Assignment::Member {
                slot,
                travel_s,
                over_capacity,
            } => {
                o.role = Role::Member;
                o.hub_level = Some(slots[*slot].level);
                o.hub_id = Some(schools[slots[*slot].school].school.id.clone());
                o.travel_min = Some(travel_s / 60.0);
                o.road_km = road_km[g];
                o.over_capacity = *over_capacity;
                served[*slot].0 += 1;
                if let Some(n) = s.students {
                    served[*slot].1 = Some(served[*slot].1.unwrap_or(0.0) + n);
                }
                if *over_capacity {
                    served[*slot].2 += 1;
                    o.reason = "joined a hub already at capacity".into();
                }
            }
            Assignment::StandAlone(why) => {
                o.reason = why.reason(&ReasonContext {
                    limit_min: config.max_travel_minutes,
                    district: &districts[p.district].code.0,
                    offroad_m: snaps[g].map(|s| s.offroad_m),
                    max_snap_m: config.max_snap_m,
                })
            }
        }
        outcomes.push(o);
    }

    let hubs: Vec<HubOutcome> = slots
        .iter()
        .zip(&served)
        .zip(&alloc_slots)
        .map(|((slot, &(n, students_served, over)), a)| {
            let s = &schools[slot.school].school;
            let e = slot.explain;
            let m = &members[slot.district];
            HubOutcome {
                id: s.id.clone(),
                name: s.name.clone(),
                district: districts[slot.district].code.clone(),
                level: slot.level,
                lon: s.lon,
                lat: s.lat,
                students: s.students,
                score: e.score,
                parts: e.parts.clone(),
                rank: e.rank,
                candidates: e.candidates,
                runner_up: e.runner_up.map(|r| schools[m[r]].school.id.clone()),
                runner_up_name: e
                    .runner_up
                    .map(|r| schools[m[r]].school.name.clone())
                    .unwrap_or_default(),
                margin: e.margin,
                margin_unit: e.margin_unit,
                forced: e.forced,
                exact: e.exact,
                gap: e.gap,
                stability: e.stability.clone(),
                members: n,
                students_served,
                capacity: a
                    .capacity_students
                    .is_finite()
                    .then_some(a.capacity_students),
                over_capacity: over,
            }
        })
        .collect();

    let district_outcomes: Vec<DistrictOutcome> = (0..districts.len())
        .map(|d| {
            let mine: Vec<&SchoolOutcome> = members[d].iter().map(|&g| &outcomes[g]).collect();
            let weight = |o: &SchoolOutcome| weighting.weight(o.students);
            let member_minutes: Vec<(f64, f64)> = mine
                .iter()
                .filter(|o| o.role == Role::Member)
                .filter_map(|o| o.travel_min.map(|m| (m, weight(o))))
                .collect();
            let joined: Vec<(bool, f64)> = mine
                .iter()
                .map(|o| (matches!(o.role, Role::Hub | Role::Member), weight(o)))
                .collect();
            let students: Option<f64> = mine
                .iter()
                .filter_map(|o| o.students)
                .fold(None, |acc, n| Some(acc.unwrap_or(0.0) + n));
            progress.advance(1);
            DistrictOutcome {
                code: districts[d].code.clone(),
                name: districts[d].name.clone(),
                hubs_primary: selections[d]
                    .hubs
                    .iter()
                    .filter(|h| h.1 == HubLevel::Primary)
                    .count(),
                hubs_secondary: selections[d]
                    .hubs
                    .iter()
                    .filter(|h| h.1 == HubLevel::Secondary)
                    .count(),
                schools: mine.len(),
                students,
                members: mine.iter().filter(|o| o.role == Role::Member).count(),
                standalone: mine.iter().filter(|o| o.role == Role::StandAlone).count(),
                mean_min: figures::mean(&member_minutes),
                p95_min: figures::quantile(member_minutes.clone(), 0.95),
                max_min: figures::max(&member_minutes),
                share_within: figures::share(&joined),
                shortfalls: selections[d].shortfalls.clone(),
                unreachable: selections[d].unreachable.clone(),
            }
        })
        .collect();
    (
        outcomes,
        hubs,
        routes.into_iter().flatten().collect(),
        district_outcomes,
    )
}
