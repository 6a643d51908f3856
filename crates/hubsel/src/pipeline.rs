//! The whole run, stage by stage: validate → graph → snap → travel →
//! score and select → allocate → figures. Each stage is a plain function;
//! [`run`] calls them in order and reports progress.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use geo::{Coord, Distance, Haversine, Point};
use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::RoadGraph;
use crate::model::{District, DistrictCode, HubLevel, Inputs, Level, SchoolId};
use crate::routing::matrix::{district_matrices, DistrictTrips, TravelMatrix};
use crate::routing::{route, Departure};
use crate::scenario::{Config, Measure};
use crate::score;
use crate::select::{self, Candidate, LevelProblem};
use crate::spatial::{DistrictIndex, Placement, Snap, SnapIndex, SnapRule};
use crate::validate::{self, Action, PlacedSchool, Rejects};

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
    pub students: f64,
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
    pub students: f64,
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
    /// Own students plus members' students.
    pub students_served: f64,
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
    pub students: f64,
    pub members: usize,
    pub standalone: usize,
    /// Student-weighted mean, 95th percentile and maximum door-to-door
    /// minutes of the members (0 when there are none).
    pub mean_min: f64,
    pub p95_min: f64,
    pub max_min: f64,
    /// Share of the district's students at a hub or a member within the limit.
    pub share_within: f64,
    /// Levels with fewer hubs than asked, and why.
    pub shortfalls: Vec<Shortfall>,
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
    /// How near the chosen hubs are to the schools they are for, counting
    /// every school of each level (also those beyond the limit) — the
    /// figures the location models optimise.
    pub access: AccessFigures,
    pub stats: RunStats,
}

/// Door-to-door minutes from every school to the nearest chosen hub of
/// each level it teaches (a `both` school counts once per level), in
/// districts and levels that got a hub. Unreachable schools count at the
/// search cutoff. Student-weighted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessFigures {
    /// Student-weighted mean minutes: what p-median minimises.
    pub mean_min: f64,
    /// Student-weighted 95th percentile minutes.
    pub p95_min: f64,
    /// Worst minutes: what p-center minimises.
    pub max_min: f64,
    /// Share of students within the limit: what max-cover maximises.
    pub share_within: f64,
    /// (school, level) pairs counted.
    pub pairs: usize,
}

impl AccessFigures {
    fn of(pairs: &[(f64, f64)], limit_min: f64) -> AccessFigures {
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        if pairs.is_empty() {
            return AccessFigures::default();
        }
        let mean_min = if total > 0.0 {
            pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / total
        } else {
            0.0
        };
        let within: f64 = pairs.iter().filter(|p| p.0 <= limit_min).map(|p| p.1).sum();
        AccessFigures {
            mean_min,
            p95_min: weighted_quantile(pairs.to_vec(), 0.95),
            max_min: pairs.iter().map(|p| p.0).fold(0.0, f64::max),
            share_within: if total > 0.0 { within / total } else { 0.0 },
            pairs: pairs.len(),
        }
    }
}

/// Why a school is not a hub candidate for a level, if it is not.
pub fn ineligible(
    school: &crate::model::School,
    level: HubLevel,
    config: &Config,
) -> Option<String> {
    if !school.level.serves(level) {
        return Some("level".into());
    }
    if config.excluded_hubs.contains(&school.id) {
        return Some("excluded by the scenario".into());
    }
    if config.required_hubs.contains(&school.id) {
        return None;
    }
    if school.students < config.constraints.min_students {
        return Some(format!(
            "fewer than {} students",
            config.constraints.min_students
        ));
    }
    if let Some(f) = config
        .constraints
        .exclude_if
        .iter()
        .find(|f| school.field(f).is_some_and(|v| v != 0.0))
    {
        return Some(format!("excluded: {f}"));
    }
    if let Some(f) = config
        .constraints
        .required_fields
        .iter()
        .find(|f| school.field(f).is_none())
    {
        return Some(format!("no value for {f}"));
    }
    None
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

/// Student-weighted quantile of (minutes, students) pairs.
fn weighted_quantile(mut pairs: Vec<(f64, f64)>, q: f64) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    if pairs.is_empty() {
        return 0.0;
    }
    if total <= 0.0 {
        let i = ((pairs.len() - 1) as f64 * q).round() as usize;
        return pairs[i].0;
    }
    let mut acc = 0.0;
    for (m, s) in &pairs {
        acc += s;
        if acc >= q * total - 1e-9 {
            return *m;
        }
    }
    pairs[pairs.len() - 1].0
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
                    HubLevel::ALL
                        .iter()
                        .any(|&l| ineligible(&c.schools[i].school, l, config).is_none())
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
    pub stats: RunStats,
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
    let ids: BTreeSet<&SchoolId> = inputs.schools.iter().map(|s| &s.id).collect();
    config.check_against(&inputs.school_fields, &ids)?;
    if inputs.roads.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            "no usable road line in the road input",
        ));
    }
    let mut stats = RunStats::default();
    let mut inputs = inputs;
    let roads = std::mem::take(&mut inputs.roads);
    let districts = inputs.districts.clone();
    let index = DistrictIndex::new(&districts);
    let validated = timed(progress, &mut stats, Stage::Validate, 0, || {
        validate::validate(inputs, &index)
    });
    let mut rejects = validated.rejects;
    let schools = validated.schools;

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
        stats,
    })
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
    pub stats: RunStats,
}

/// Checks inputs and scenario without selecting: [`check_network`] and the
/// report of what it found.
pub fn check(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<CheckReport> {
    let p = check_network(inputs, config, progress)?;
    Ok(CheckReport {
        districts: p.districts.len(),
        schools: p.schools.len() + p.rejected_schools.len(),
        placed: p.schools.len(),
        rejects: p.rejects,
        stats: p.stats,
    })
}

/// Validates, builds the road graph, snaps the schools and computes every
/// district's travel-time matrix.
pub fn prepare(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<Prepared> {
    let checked = check_network(inputs, config, progress)?;

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

/// Scores, selects and allocates on prepared travel times. The scenario's
/// routing and candidate rules must be those `prepared` was made with.
pub fn finish(prepared: &Prepared, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
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
            students: 0.0,
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
        access: AccessFigures::of(
            &selections
                .iter()
                .flat_map(|s| s.access_pairs.iter().copied())
                .collect::<Vec<_>>(),
            config.max_travel_minutes,
        ),
        stats,
    })
}

/// The hubs chosen in one district.
#[derive(Clone, Debug, Default)]
struct DistrictSelection {
    /// (local school, level, explanation) per hub.
    hubs: Vec<(usize, HubLevel, HubExplain)>,
    shortfalls: Vec<Shortfall>,
    /// (minutes to the nearest chosen hub of the level, students) for every
    /// school of every level that got at least one hub.
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

fn select_district(
    schools: &[PlacedSchool],
    members: &[usize],
    matrix: &TravelMatrix,
    code: &DistrictCode,
    config: &Config,
) -> DistrictSelection {
    let mut out = DistrictSelection::default();
    let mut taken: Vec<usize> = Vec::new();
    let limit_min = config.max_travel_minutes;
    let penalty_min = config.search_cutoff_minutes;
    for level in HubLevel::ALL {
        let k = config.hubs_for(level);
        let demand: Vec<usize> = (0..members.len())
            .filter(|&i| schools[members[i]].school.level.serves(level))
            .collect();
        let rows: Vec<(usize, usize)> = matrix
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, &c)| {
                !taken.contains(&c)
                    && ineligible(&schools[members[c]].school, level, config).is_none()
            })
            .map(|(row, &c)| (row, c))
            .collect();
        if k == 0 {
            continue;
        }
        if rows.is_empty() {
            let reason = if demand.is_empty() {
                "no school of this level"
            } else {
                "no eligible candidate"
            };
            out.shortfalls.push(Shortfall {
                district: code.clone(),
                level,
                wanted: k,
                chosen: 0,
                reason: reason.into(),
            });
            continue;
        }
        let demand_students: Vec<f64> = demand
            .iter()
            .map(|&i| schools[members[i]].school.students)
            .collect();
        let minutes: Vec<f64> = rows
            .iter()
            .flat_map(|&(row, _)| demand.iter().map(move |&i| matrix.seconds(row, i) / 60.0))
            .collect();
        // Raw criterion values and the policy score of every candidate.
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
                            &minutes[r * demand.len()..(r + 1) * demand.len()],
                            &demand_students,
                            limit_min,
                            penalty_min,
                        )),
                    })
                    .collect()
            })
            .collect();
        let scored = score::score(config, &raw);
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
        let problem = LevelProblem {
            k,
            candidates: rows
                .iter()
                .zip(&scored)
                .map(|(&(_, c), sc)| {
                    let school = &schools[members[c]].school;
                    Candidate {
                        score: sc.score,
                        students: school.students,
                        lottery: lottery(config.seed, &school.id),
                    }
                })
                .collect(),
            forced: rows
                .iter()
                .enumerate()
                .filter(|(_, &(_, c))| {
                    config
                        .required_hubs
                        .contains(&schools[members[c]].school.id)
                })
                .map(|(p, _)| p)
                .collect(),
            demand: demand_students,
            minutes,
            straight_m,
            limit_min,
            penalty_min,
        };
        let strategy = select::strategy(config.strategy);
        let choice = select::solve(strategy, &problem);
        if !choice.chosen.is_empty() {
            let nearest = problem.nearest_minutes(&choice.chosen);
            out.access_pairs
                .extend(nearest.into_iter().zip(problem.demand.iter().copied()));
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
                    margin_unit: strategy.unit(),
                    forced: problem.forced.contains(&pos),
                    exact: choice.exact,
                    gap: choice.gap(),
                    stability,
                },
            ));
            taken.push(c);
        }
        if choice.chosen.len() < k {
            out.shortfalls.push(Shortfall {
                district: code.clone(),
                level,
                wanted: k,
                chosen: choice.chosen.len(),
                reason: format!("only {} eligible candidate(s)", rows.len()),
            });
        }
    }
    out
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
            students: p.school.students,
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

    let mut served: Vec<(usize, f64, usize)> = slots
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
                served[*slot].1 += s.students;
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
            let member_minutes: Vec<(f64, f64)> = mine
                .iter()
                .filter(|o| o.role == Role::Member)
                .filter_map(|o| o.travel_min.map(|m| (m, o.students)))
                .collect();
            let students: f64 = mine.iter().map(|o| o.students).sum();
            let within: f64 = mine
                .iter()
                .filter(|o| matches!(o.role, Role::Hub | Role::Member))
                .map(|o| o.students)
                .sum();
            let weight: f64 = member_minutes.iter().map(|p| p.1).sum();
            let mean_min = if weight > 0.0 {
                member_minutes.iter().map(|p| p.0 * p.1).sum::<f64>() / weight
            } else if member_minutes.is_empty() {
                0.0
            } else {
                member_minutes.iter().map(|p| p.0).sum::<f64>() / member_minutes.len() as f64
            };
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
                mean_min,
                p95_min: weighted_quantile(member_minutes.clone(), 0.95),
                max_min: member_minutes.iter().map(|p| p.0).fold(0.0, f64::max),
                share_within: if students > 0.0 {
                    within / students
                } else {
                    0.0
                },
                shortfalls: selections[d].shortfalls.clone(),
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
