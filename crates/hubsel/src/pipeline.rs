//! The whole run, stage by stage: validate → graph → snap → travel →
//! score and select → allocate → figures. Each stage is a plain function;
//! [`run`] calls them in order and reports progress.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use geo::{Coord, Distance, Haversine, Point};
use rayon::prelude::*;

use crate::allocate::{allocate, Assignment, HubRef, SchoolLink};
use crate::error::{Error, ErrorKind, Result};
use crate::graph::RoadGraph;
use crate::model::{District, DistrictCode, HubLevel, Inputs, Level, SchoolId};
use crate::routing::matrix::{district_matrices, DistrictTrips, TravelMatrix};
use crate::routing::{route, Departure};
use crate::scenario::{Config, Measure};
use crate::score;
use crate::select::{self, Candidate, LevelProblem};
use crate::spatial::{DistrictIndex, Snap, SnapIndex};
use crate::validate::{self, Action, PlacedSchool, Rejects};

/// The stages a run goes through, for progress reports and timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
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
    pub members: usize,
    /// Own students plus members' students.
    pub students_served: f64,
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
    pub stats: RunStats,
}

/// Why a school is not a hub candidate for a level, if it is not.
pub fn ineligible(school: &crate::model::School, level: HubLevel, config: &Config) -> Option<String> {
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
        return Some(format!("fewer than {} students", config.constraints.min_students));
    }
    if let Some(f) = config.constraints.exclude_if.iter().find(|f| school.field(f).is_some_and(|v| v != 0.0)) {
        return Some(format!("excluded: {f}"));
    }
    if let Some(f) = config.constraints.required_fields.iter().find(|f| school.field(f).is_none()) {
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

fn timed<T>(progress: &dyn Progress, stats: &mut RunStats, stage: Stage, total: u64, f: impl FnOnce() -> T) -> T {
    progress.start(stage, total);
    let t = Instant::now();
    let out = f();
    let elapsed = t.elapsed();
    progress.finish(stage, elapsed);
    stats.stages.push((stage, elapsed));
    out
}

/// The checked inputs on the road network: what [`check`] reports and
/// what [`run`] continues from.
pub struct Prepared {
    pub districts: Vec<District>,
    /// Schools that take part, each with its district.
    pub schools: Vec<PlacedSchool>,
    pub rejected_schools: Vec<crate::model::RejectedSchool>,
    pub rejects: Rejects,
    pub graph: RoadGraph,
    /// Each school's snap to the network (`None` only with no roads).
    pub snaps: Vec<Option<Snap>>,
    /// Whether each school is within `max_snap_m` of a road.
    pub on_network: Vec<bool>,
    pub stats: RunStats,
}

/// Validates the inputs, builds the road graph and snaps the schools:
/// everything before travel times. Besides [`validate::validate`]'s
/// checks it flags schools farther than `max_snap_m` from any road (with
/// the distance) and schools on a road island, whose road piece does not
/// reach the one most of their district's schools are on.
pub fn prepare(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<Prepared> {
    let ids: BTreeSet<&SchoolId> = inputs.schools.iter().map(|s| &s.id).collect();
    config.check_against(&inputs.school_fields, &ids)?;
    if inputs.roads.is_empty() {
        return Err(Error::new(ErrorKind::Input, "no usable road line in the road input"));
    }
    let mut stats = RunStats::default();
    let mut inputs = inputs;
    let roads = std::mem::take(&mut inputs.roads);
    let districts = inputs.districts.clone();
    let index = DistrictIndex::new(&districts);
    let validated = timed(progress, &mut stats, Stage::Validate, 0, || validate::validate(inputs, &index));
    let mut rejects = validated.rejects;
    let schools = validated.schools;

    let graph = timed(progress, &mut stats, Stage::Graph, 0, || RoadGraph::build(&roads, &config.speeds));
    drop(roads);
    stats.graph_nodes = graph.node_count();
    stats.graph_links = graph.links.len();
    stats.components = graph.component_count();

    let snaps: Vec<Option<Snap>> = timed(progress, &mut stats, Stage::Snap, schools.len() as u64, || {
        let snap_index = SnapIndex::new(&graph);
        schools
            .par_iter()
            .map(|p| {
                let s = snap_index.snap(&graph, p.school.lon, p.school.lat);
                progress.advance(1);
                s
            })
            .collect()
    });
    let mut on_network: Vec<bool> = Vec::with_capacity(schools.len());
    for (p, s) in schools.iter().zip(&snaps) {
        let ok = s.is_some_and(|s| s.offroad_m <= config.max_snap_m);
        if let (false, Some(s)) = (ok, s) {
            rejects.push(
                &p.school.source,
                &p.school.id.0,
                "lon/lat",
                format!("{:.0} m from the nearest road, beyond max_snap_m {}; made stand-alone", s.offroad_m, config.max_snap_m),
                Action::Flagged,
            );
        }
        on_network.push(ok);
    }
    flag_islands(&schools, &snaps, &on_network, &graph, &districts, &mut rejects);
    Ok(Prepared { districts, schools, rejected_schools: validated.rejected_schools, rejects, graph, snaps, on_network, stats })
}

/// The road component a snapped school is on.
fn component_of(graph: &RoadGraph, snap: &Snap) -> u32 {
    graph.component[graph.links[snap.link as usize].from as usize]
}

/// Flags each on-network school whose road component differs from the
/// one holding most of its district's on-network schools (ties go to the
/// lower component label): no road joins it to the rest of its district.
fn flag_islands(schools: &[PlacedSchool], snaps: &[Option<Snap>], on_network: &[bool], graph: &RoadGraph, districts: &[District], rejects: &mut Rejects) {
    let mut per_district: Vec<std::collections::BTreeMap<u32, usize>> = vec![Default::default(); districts.len()];
    let component: Vec<Option<u32>> =
        snaps.iter().zip(on_network).map(|(s, ok)| s.as_ref().filter(|_| *ok).map(|s| component_of(graph, s))).collect();
    for (p, c) in schools.iter().zip(&component) {
        if let Some(c) = c {
            *per_district[p.district].entry(*c).or_insert(0) += 1;
        }
    }
    let main: Vec<Option<(u32, usize)>> = per_district
        .iter()
        .map(|m| m.iter().fold(None, |best: Option<(u32, usize)>, (&c, &n)| if best.is_none_or(|(_, b)| n > b) { Some((c, n)) } else { best }))
        .collect();
    let mut nodes_in: std::collections::BTreeMap<u32, usize> = Default::default();
    for &c in &graph.component {
        *nodes_in.entry(c).or_insert(0) += 1;
    }
    for (p, c) in schools.iter().zip(&component) {
        let (Some(c), Some((main_c, n))) = (c, main[p.district]) else { continue };
        if *c != main_c {
            rejects.push(
                &p.school.source,
                &p.school.id.0,
                "lon/lat",
                format!(
                    "on a road island: its road network ({} junctions) does not reach the one of the other {n} school(s) of district {}; unreachable, stand-alone unless a hub is on the same island",
                    nodes_in.get(c).copied().unwrap_or(0),
                    districts[p.district].code
                ),
                Action::Flagged,
            );
        }
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

/// Checks inputs and scenario without selecting: [`prepare`] and the
/// report of what it found.
pub fn check(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<CheckReport> {
    let p = prepare(inputs, config, progress)?;
    Ok(CheckReport {
        districts: p.districts.len(),
        schools: p.schools.len() + p.rejected_schools.len(),
        placed: p.schools.len(),
        rejects: p.rejects,
        stats: p.stats,
    })
}

/// Runs the whole pipeline. Run-level problems (scenario fields missing
/// from the data, no roads) stop it before any work.
pub fn run(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
    let Prepared { districts, schools, rejected_schools, rejects, graph, snaps, on_network, mut stats } = prepare(inputs, config, progress)?;
    let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;

    // Schools per district, in id order.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); districts.len()];
    for (i, p) in schools.iter().enumerate() {
        members[p.district].push(i);
    }
    for m in &mut members {
        m.sort_by(|&a, &b| schools[a].school.id.cmp(&schools[b].school.id));
    }
    let trips: Vec<DistrictTrips<'_>> = members
        .iter()
        .map(|m| DistrictTrips {
            snaps: m.iter().map(|&i| if on_network[i] { snaps[i].as_ref() } else { None }).collect(),
            offroad_s: m.iter().map(|&i| snaps[i].map_or(0.0, |s| s.offroad_m * offroad_s_per_m)).collect(),
            candidates: m
                .iter()
                .enumerate()
                .filter(|(_, &i)| HubLevel::ALL.iter().any(|&l| ineligible(&schools[i].school, l, config).is_none()))
                .map(|(k, _)| k)
                .collect(),
        })
        .collect();
    let searches: usize = trips.iter().map(|t| t.candidates.len()).sum();
    stats.searches = searches;
    let cutoff_s = config.search_cutoff_minutes * 60.0;
    let matrices = timed(progress, &mut stats, Stage::Travel, searches as u64, || {
        district_matrices(&graph, &trips, cutoff_s, &|| progress.advance(1))
    });
    stats.settled_nodes = matrices.iter().map(|m| m.settled_nodes).sum();

    let selections: Vec<DistrictSelection> = timed(progress, &mut stats, Stage::Select, districts.len() as u64, || {
        (0..districts.len())
            .into_par_iter()
            .map(|d| {
                let s = select_district(&schools, &members[d], &matrices[d], &districts[d].code, config);
                progress.advance(1);
                s
            })
            .collect()
    });

    let (school_outcomes, hubs, routes, district_outcomes) = timed(progress, &mut stats, Stage::Allocate, districts.len() as u64, || {
        let per: Vec<_> = (0..districts.len())
            .into_par_iter()
            .map(|d| {
                let out = allocate_district(&graph, &schools, &snaps, &members[d], &trips[d], &matrices[d], &selections[d], &districts[d], config);
                progress.advance(1);
                out
            })
            .collect();
        let mut all_schools = Vec::new();
        let mut all_hubs = Vec::new();
        let mut all_routes = Vec::new();
        let mut outcomes = Vec::new();
        for (s, h, r, o) in per {
            all_schools.extend(s);
            all_hubs.extend(h);
            all_routes.extend(r);
            outcomes.push(o);
        }
        (all_schools, all_hubs, all_routes, outcomes)
    });

    let mut school_outcomes = school_outcomes;
    for r in &rejected_schools {
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
        districts,
        district_outcomes,
        schools: school_outcomes,
        hubs,
        routes,
        rejects,
        stats,
    })
}

/// The hubs chosen in one district.
#[derive(Clone, Debug, Default)]
struct DistrictSelection {
    /// (local school, level, explanation) per hub.
    hubs: Vec<(usize, HubLevel, HubExplain)>,
    shortfalls: Vec<Shortfall>,
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
}

fn select_district(schools: &[PlacedSchool], members: &[usize], matrix: &TravelMatrix, code: &DistrictCode, config: &Config) -> DistrictSelection {
    let mut out = DistrictSelection::default();
    let mut taken: Vec<usize> = Vec::new();
    let limit_min = config.max_travel_minutes;
    let penalty_min = config.search_cutoff_minutes;
    for level in HubLevel::ALL {
        let k = config.hubs_for(level);
        let demand: Vec<usize> = (0..members.len()).filter(|&i| schools[members[i]].school.level.serves(level)).collect();
        let rows: Vec<(usize, usize)> = matrix
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, &c)| !taken.contains(&c) && ineligible(&schools[members[c]].school, level, config).is_none())
            .map(|(row, &c)| (row, c))
            .collect();
        if k == 0 {
            continue;
        }
        if rows.is_empty() {
            let reason = if demand.is_empty() { "no school of this level" } else { "no eligible candidate" };
            out.shortfalls.push(Shortfall { district: code.clone(), level, wanted: k, chosen: 0, reason: reason.into() });
            continue;
        }
        let demand_students: Vec<f64> = demand.iter().map(|&i| schools[members[i]].school.students).collect();
        let minutes: Vec<f64> =
            rows.iter().flat_map(|&(row, _)| demand.iter().map(move |&i| matrix.seconds(row, i) / 60.0)).collect();
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
                        Measure::Field(f) => school.field(f).unwrap_or(0.0),
                        Measure::Access(m) => score::access(
                            *m,
                            &minutes[r * demand.len()..(r + 1) * demand.len()],
                            &demand_students,
                            limit_min,
                            penalty_min,
                        ),
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
                .map(|(&(_, c), (s, _))| {
                    let school = &schools[members[c]].school;
                    Candidate { score: *s, students: school.students, lottery: lottery(config.seed, &school.id) }
                })
                .collect(),
            forced: rows
                .iter()
                .enumerate()
                .filter(|(_, &(_, c))| config.required_hubs.contains(&schools[members[c]].school.id))
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
        for (j, &pos) in choice.chosen.iter().enumerate() {
            let c = rows[pos].1;
            let (score, parts) = &scored[pos];
            let rank = 1 + scored.iter().filter(|(s, _)| *s > *score + 1e-12).count();
            let runner = choice.runner_up[j].as_ref();
            out.hubs.push((
                c,
                level,
                HubExplain {
                    score: *score,
                    parts: config.criteria.iter().zip(parts).map(|(cr, v)| (cr.key(), *v)).collect(),
                    rank,
                    candidates: rows.len(),
                    runner_up: runner.map(|r| rows[r.candidate].1),
                    margin: runner.map_or(0.0, |r| r.margin),
                    margin_unit: strategy.unit(),
                    forced: problem.forced.contains(&pos),
                    exact: choice.exact,
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

type DistrictOutput = (Vec<SchoolOutcome>, Vec<HubOutcome>, Vec<RouteOutcome>, DistrictOutcome);

#[allow(clippy::too_many_arguments)]
fn allocate_district(
    graph: &RoadGraph,
    schools: &[PlacedSchool],
    snaps: &[Option<Snap>],
    members: &[usize],
    trips: &DistrictTrips<'_>,
    matrix: &TravelMatrix,
    selection: &DistrictSelection,
    district: &District,
    config: &Config,
) -> DistrictOutput {
    let links: Vec<SchoolLink> = members
        .iter()
        .zip(&trips.snaps)
        .map(|(&i, snap)| SchoolLink {
            level: schools[i].school.level,
            component: snap.map(|s| graph.component[graph.links[s.link as usize].from as usize]),
        })
        .collect();
    let hub_refs: Vec<HubRef> = selection
        .hubs
        .iter()
        .filter_map(|(c, level, _)| matrix.row_of(*c).map(|row| HubRef { school: *c, level: *level, row }))
        .collect();
    let assignments = allocate(&links, &hub_refs, matrix, config.max_travel_minutes, config.search_cutoff_minutes);
    let local = |i: usize| &schools[members[i]].school;
    let mut outcomes = Vec::with_capacity(members.len());
    let mut routes = Vec::new();
    let mut served: Vec<(usize, f64)> = hub_refs.iter().map(|h| (0, local(h.school).students)).collect();
    let mut member_minutes: Vec<(f64, f64)> = Vec::new();
    let (mut n_members, mut n_alone) = (0, 0);
    let mut students_within = 0.0;
    for (i, a) in assignments.iter().enumerate() {
        let s = local(i);
        let snap = snaps[members[i]];
        let mut o = SchoolOutcome {
            id: s.id.clone(),
            name: s.name.clone(),
            district: Some(district.code.clone()),
            level: Some(s.level),
            students: s.students,
            lon_lat: Some((s.lon, s.lat)),
            role: Role::StandAlone,
            hub_level: None,
            hub_id: None,
            travel_min: None,
            road_km: None,
            offroad_m: snap.map(|s| s.offroad_m),
            reason: String::new(),
        };
        match a {
            Assignment::Hub(level) => {
                o.role = Role::Hub;
                o.hub_level = Some(*level);
                o.hub_id = Some(s.id.clone());
                o.travel_min = Some(0.0);
                o.road_km = Some(0.0);
                students_within += s.students;
            }
            Assignment::Member { hub, travel_s } => {
                let hub_school = local(hub.school);
                // A member is on the network, and so is its hub.
                let (Some(from), Some(to)) = (trips.snaps[i], trips.snaps[hub.school]) else {
                    o.reason = crate::allocate::Alone::OffNetwork.reason(config.max_travel_minutes);
                    n_alone += 1;
                    outcomes.push(o);
                    continue;
                };
                let dep = matrix.departure(hub.row, i).unwrap_or(Departure::SameLink);
                let r = route(graph, &matrix.trees[hub.row], from, to, dep);
                let minutes = travel_s / 60.0;
                o.role = Role::Member;
                o.hub_level = Some(hub.level);
                o.hub_id = Some(hub_school.id.clone());
                o.travel_min = Some(minutes);
                o.road_km = Some(r.road_m / 1000.0);
                routes.push(RouteOutcome {
                    school: s.id.clone(),
                    hub: hub_school.id.clone(),
                    district: district.code.clone(),
                    level: hub.level,
                    travel_min: minutes,
                    road_km: r.road_m / 1000.0,
                    coords: r.coords,
                });
                if let Some(k) = hub_refs.iter().position(|h| h == hub) {
                    served[k].0 += 1;
                    served[k].1 += s.students;
                }
                member_minutes.push((minutes, s.students));
                students_within += s.students;
                n_members += 1;
            }
            Assignment::StandAlone(why) => {
                o.reason = why.reason(config.max_travel_minutes);
                n_alone += 1;
            }
        }
        outcomes.push(o);
    }
    let hubs: Vec<HubOutcome> = selection
        .hubs
        .iter()
        .map(|(c, level, e)| {
            let s = local(*c);
            let (n, students_served) = hub_refs.iter().position(|h| h.school == *c).map_or((0, s.students), |p| served[p]);
            HubOutcome {
                id: s.id.clone(),
                name: s.name.clone(),
                district: district.code.clone(),
                level: *level,
                lon: s.lon,
                lat: s.lat,
                students: s.students,
                score: e.score,
                parts: e.parts.clone(),
                rank: e.rank,
                candidates: e.candidates,
                runner_up: e.runner_up.map(|r| local(r).id.clone()),
                runner_up_name: e.runner_up.map(|r| local(r).name.clone()).unwrap_or_default(),
                margin: e.margin,
                margin_unit: e.margin_unit,
                forced: e.forced,
                exact: e.exact,
                members: n,
                students_served,
            }
        })
        .collect();
    let students: f64 = members.iter().map(|&i| schools[i].school.students).sum();
    let mean_min = {
        let w: f64 = member_minutes.iter().map(|p| p.1).sum();
        if w > 0.0 {
            member_minutes.iter().map(|p| p.0 * p.1).sum::<f64>() / w
        } else if member_minutes.is_empty() {
            0.0
        } else {
            member_minutes.iter().map(|p| p.0).sum::<f64>() / member_minutes.len() as f64
        }
    };
    let outcome = DistrictOutcome {
        code: district.code.clone(),
        name: district.name.clone(),
        hubs_primary: selection.hubs.iter().filter(|h| h.1 == HubLevel::Primary).count(),
        hubs_secondary: selection.hubs.iter().filter(|h| h.1 == HubLevel::Secondary).count(),
        schools: members.len(),
        students,
        members: n_members,
        standalone: n_alone,
        mean_min,
        p95_min: weighted_quantile(member_minutes.clone(), 0.95),
        max_min: member_minutes.iter().map(|p| p.0).fold(0.0, f64::max),
        share_within: if students > 0.0 { students_within / students } else { 0.0 },
        shortfalls: selection.shortfalls.clone(),
    };
    (outcomes, hubs, routes, outcome)
}
