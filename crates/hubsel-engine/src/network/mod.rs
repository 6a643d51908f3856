//! The inputs on the road network: validated schools and districts, the
//! road graph, each school snapped to it and checked ([`check_network`],
//! what `hubsel validate` looks at), then every district's travel-time
//! matrix ([`prepare`]). The result, [`Prepared`], depends on the inputs and
//! on the scenario's routing and candidate rules but not on its criteria or
//! strategy, so that `bench` selects on it many times.

mod flags;

use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::RoadGraph;
use crate::model::{District, HubLevel, Inputs, Rejects, Weighting};
use crate::outcome::RunStats;
use crate::progress::{check_cancelled, timed, Progress, Stage};
use crate::routing::matrix::{district_matrices_until, DistrictTrips, TravelMatrix};
use crate::scenario::{ineligible_on_network, resolve_weighting, Config, DataShape};
use crate::spatial::{DistrictIndex, Placement, Snap, SnapIndex, SnapRule};
use crate::validate::{self, PlacedSchool};

pub use flags::component_of;

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
    /// What the scenario was fitted to, so that a later stage fits the
    /// config it is given the same way.
    pub data: DataShape,
}

impl Checked {
    /// The snap of school `g` when it is on the network.
    pub fn placed(&self, g: usize) -> Option<Snap> {
        self.snaps
            .get(g)
            .copied()
            .flatten()
            .filter(|_| self.on_network.get(g).copied().unwrap_or(false))
    }

    /// The road network piece (weak component) of every school on the
    /// network, `None` for the others: to say why no candidate reaches a
    /// school.
    pub fn components(&self) -> Vec<Option<u32>> {
        (0..self.schools.len())
            .map(|g| self.placed(g).map(|s| component_of(&self.graph, &s)))
            .collect()
    }

    /// Seconds of each school's off-road leg (school ↔ snap point).
    pub fn offroad_s(&self, g: usize, config: &Config) -> f64 {
        let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;
        self.snaps[g].map_or(0.0, |s| s.offroad_m * offroad_s_per_m)
    }
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
    let validated = timed(progress, &mut stats.stages, Stage::Validate, 0, || {
        validate::validate(inputs, &index)
    });
    let mut rejects = validated.rejects;
    let schools = validated.schools;
    let students: Vec<Option<f64>> = schools.iter().map(|p| p.school.students).collect();
    let (weighting, weighting_note) = resolve_weighting(config, &students)?;
    check_cancelled(progress)?;

    let graph = timed(progress, &mut stats.stages, Stage::Graph, 0, || {
        RoadGraph::build(&roads, &config.speeds)
    });
    // Millions of roads on a national run: freed side by side.
    roads.into_par_iter().with_min_len(4096).for_each(drop);
    stats.graph_nodes = graph.node_count();
    stats.graph_links = graph.links.len();
    stats.components = graph.component_count();
    check_cancelled(progress)?;

    let placements = snap_schools(&schools, &graph, config, progress, &mut stats);
    let on_network = flags::flag_snaps(&schools, &placements, config, &mut rejects);
    let snaps: Vec<Option<Snap>> = placements.iter().map(|p| p.map(|p| p.snap)).collect();
    flags::flag_islands(
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

/// Each school's place on the road network, in parallel.
fn snap_schools(
    schools: &[PlacedSchool],
    graph: &RoadGraph,
    config: &Config,
    progress: &dyn Progress,
    stats: &mut RunStats,
) -> Vec<Option<Placement>> {
    let rule = SnapRule {
        max_snap_m: config.max_snap_m,
        small_component_junctions: config.small_component_junctions,
    };
    timed(
        progress,
        &mut stats.stages,
        Stage::Snap,
        schools.len() as u64,
        || {
            let snap_index = SnapIndex::new(graph);
            schools
                .par_iter()
                .map(|p| {
                    let s = snap_index.place(graph, p.school.lon, p.school.lat, &rule);
                    progress.advance(1);
                    s
                })
                .collect()
        },
    )
}

/// The routing half of a run: everything up to the travel-time matrices,
/// which depends on the inputs and the scenario's routing and candidate
/// rules but not on its criteria or strategy. The selection can run on it
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
    search_cutoff_min: f64,
}

impl RoutingRules {
    fn of(c: &Config) -> RoutingRules {
        RoutingRules {
            speeds: c.speeds.clone(),
            offroad_speed_kmh: c.offroad_speed_kmh,
            max_snap_m: c.max_snap_m,
            small_component_junctions: c.small_component_junctions,
            search_cutoff_min: c.search_cutoff_min,
        }
    }
}

impl Prepared {
    /// The travel problem of district `d`, borrowing the snaps.
    pub fn trips(&self, d: usize, config: &Config) -> DistrictTrips<'_> {
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
            offroad_s: m.iter().map(|&i| c.offroad_s(i, config)).collect(),
            candidates: self.candidates(d, config).collect(),
        }
    }

    /// The local indices of district `d`'s hub candidates under `config`.
    fn candidates<'a>(&'a self, d: usize, config: &'a Config) -> impl Iterator<Item = usize> + 'a {
        let c = &self.checked;
        self.members[d]
            .iter()
            .enumerate()
            .filter(move |(_, &i)| {
                HubLevel::ALL.iter().any(|&l| {
                    ineligible_on_network(&c.schools[i].school, c.on_network[i], l, config)
                        .is_none()
                })
            })
            .map(|(k, _)| k)
    }

    /// `config` fitted to the prepared data as the preparation fitted its
    /// own ([`Config::fit_to`]); an error when its routing rules (speeds,
    /// snapping, cutoff) are not those the travel times were prepared with,
    /// or when it makes a school a candidate that has no travel times here.
    /// Fewer candidates (a higher `min_students`, an excluded school, a
    /// required one that was a candidate already) reuse the travel times:
    /// selection reads only the rows of the candidates it keeps, and each
    /// row is its own search, the same whatever the other rows.
    pub fn fit(&self, config: &Config) -> Result<Config> {
        let fitted = config.fit_to(&self.checked.data)?;
        if RoutingRules::of(&fitted) != self.rules || !self.has_candidates_of(&fitted) {
            return Err(Error::new(
                ErrorKind::Scenario,
                "the travel times were prepared with other speeds, snapping or cutoff, or without some of this scenario's candidates; prepare again",
            )
            .in_file(&fitted.source));
        }
        Ok(fitted)
    }

    /// Whether every candidate of `config`, in every district, has its row
    /// of travel times here.
    fn has_candidates_of(&self, config: &Config) -> bool {
        self.matrices.iter().enumerate().all(|(d, m)| {
            self.candidates(d, config)
                .all(|c| m.candidates.binary_search(&c).is_ok())
        })
    }
}

/// Validates, builds the road graph, snaps the schools and computes every
/// district's travel-time matrix.
pub fn prepare(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<Prepared> {
    check_cancelled(progress)?;
    let checked = check_network(inputs, config, progress)?;
    check_cancelled(progress)?;
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
    let cutoff_s = config.search_cutoff_min * 60.0;
    let matrices = timed(
        progress,
        &mut stats.stages,
        Stage::Travel,
        searches as u64,
        || {
            district_matrices_until(
                &prepared.checked.graph,
                &trips,
                cutoff_s,
                &|| progress.advance(1),
                &|| progress.cancelled(),
            )
        },
    )
    .ok_or_else(Error::cancelled)?;
    drop(trips);
    stats.settled_nodes = matrices.iter().map(|m| m.settled_nodes).sum();
    prepared.matrices = matrices;
    prepared.checked.stats = stats;
    Ok(prepared)
}
