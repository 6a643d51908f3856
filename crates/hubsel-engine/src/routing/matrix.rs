//! Many-to-many travel times within each district: one reverse search per
//! hub candidate, stopped as soon as every school of the district that can
//! reach the candidate is settled (or at the search cutoff), run in
//! parallel with one reusable [`SearchSpace`] per worker thread.
//!
//! A school that can never reach the candidate (on another island, or
//! behind a one-way trap) is no target: its nodes would never be settled
//! and the search would explore everything it can. Whether a node can
//! reach the candidate is read off the strongly connected components: the
//! same SCC as one of the candidate's seeds, or an SCC from which the
//! condensation leads to one.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::graph::RoadGraph;
use crate::routing::{
    enter_sccs, reaches, search, trip_to_seeded, with_space, Core, Departure, Ends, Reaching,
    SearchSpace, Tree,
};
use crate::spatial::Snap;

/// One district's travel problem: its schools (with their snaps, `None`
/// when not on the network) and which of them are hub candidates.
#[derive(Clone, Debug)]
pub struct DistrictTrips<'a> {
    pub snaps: Vec<Option<&'a Snap>>,
    /// Off-road seconds of each school (school ↔ snap point).
    pub offroad_s: Vec<f64>,
    /// Local indices of the candidates.
    pub candidates: Vec<usize>,
}

/// Travel from each school of a district to each candidate.
#[derive(Clone, Debug, Default)]
pub struct TravelMatrix {
    pub school_count: usize,
    /// Local indices of the candidates (rows).
    pub candidates: Vec<usize>,
    /// Door-to-door seconds (off-road legs included), row-major
    /// candidates × schools; `f64::INFINITY` when unreachable within the cutoff.
    pub seconds: Vec<f64>,
    /// How each trip leaves its school's link, same layout.
    pub departures: Vec<Option<Departure>>,
    /// The part of each candidate's search tree the trips use.
    pub trees: Vec<Tree>,
    /// Nodes settled by all searches, for throughput figures.
    pub settled_nodes: u64,
}

impl TravelMatrix {
    /// Door-to-door seconds from school `school` to candidate row `row`.
    pub fn seconds(&self, row: usize, school: usize) -> f64 {
        self.seconds[row * self.school_count + school]
    }

    pub fn departure(&self, row: usize, school: usize) -> Option<Departure> {
        self.departures[row * self.school_count + school]
    }

    /// Row of a candidate given its local school index.
    pub fn row_of(&self, school: usize) -> Option<usize> {
        self.candidates.iter().position(|&c| c == school)
    }
}

struct Row {
    seconds: Vec<f64>,
    departures: Vec<Option<Departure>>,
    tree: Tree,
    settled: u64,
}

/// The SCCs of the nodes a search for `candidate` starts from.
fn seed_sccs(graph: &RoadGraph, trips: &DistrictTrips<'_>, candidate: usize) -> Vec<u32> {
    trips.snaps[candidate].map_or_else(Vec::new, |hub| enter_sccs(graph, hub))
}

fn candidate_row(
    graph: &RoadGraph,
    core: &Core,
    trips: &DistrictTrips<'_>,
    candidate: usize,
    cutoff_s: f64,
    reaching: &Reaching,
    space: &mut SearchSpace,
) -> Row {
    let n = trips.snaps.len();
    let mut row = Row {
        seconds: vec![f64::INFINITY; n],
        departures: vec![None; n],
        tree: Tree::default(),
        settled: 0,
    };
    let Some(hub) = trips.snaps[candidate] else {
        return row;
    };
    let ends = Ends::of(graph, hub);
    let seeds: Vec<(u32, f64)> = ends
        .enter
        .iter()
        .copied()
        .filter(|(_, s)| s.is_finite())
        .collect();
    let sccs = seed_sccs(graph, trips, candidate);
    let mut targets: Vec<u32> = Vec::new();
    for snap in trips.snaps.iter().flatten() {
        targets.extend(
            Ends::of(graph, snap)
                .leave_nodes()
                .filter(|&n| reaches(graph, reaching, n, &sccs)),
        );
    }
    // The road part may use all of the cutoff less the hub's off-road leg.
    search(
        core,
        space,
        &seeds,
        &targets,
        cutoff_s - trips.offroad_s[candidate],
    );
    row.settled = space.settled_count;
    let mut starts = Vec::new();
    for (i, snap) in trips.snaps.iter().enumerate() {
        let Some(snap) = snap else { continue };
        if i == candidate {
            row.seconds[i] = 0.0;
            continue;
        }
        if let Some((road_s, dep)) = trip_to_seeded(graph, space, snap, hub) {
            let total = road_s + trips.offroad_s[i] + trips.offroad_s[candidate];
            if total <= cutoff_s {
                row.seconds[i] = total;
                row.departures[i] = Some(dep);
                if let Departure::Node { node, .. } = dep {
                    starts.push(node);
                }
            }
        }
    }
    row.tree = Tree::extract(graph, space, starts);
    row
}

/// Computes the travel matrix of every district, in parallel over all
/// (district, candidate) searches. The result does not depend on the
/// number of threads: each search is sequential and rows are put back in
/// order.
pub fn district_matrices(
    graph: &RoadGraph,
    districts: &[DistrictTrips<'_>],
    cutoff_s: f64,
    on_row: &(dyn Fn() + Sync),
) -> Vec<TravelMatrix> {
    district_matrices_until(graph, districts, cutoff_s, on_row, &|| false).unwrap_or_default()
}

/// [`district_matrices`], asking `stop` before each search: `None` once it
/// says stop (the caller was cancelled), the remaining searches skipped.
pub fn district_matrices_until(
    graph: &RoadGraph,
    districts: &[DistrictTrips<'_>],
    cutoff_s: f64,
    on_row: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<TravelMatrix>> {
    let jobs: Vec<(usize, usize)> = districts
        .iter()
        .enumerate()
        .flat_map(|(d, t)| t.candidates.iter().map(move |&c| (d, c)))
        .collect();
    // The condensation is only walked for seed SCCs of searches with a
    // school outside them (rare: islands, traps).
    let mut needed: BTreeSet<u32> = BTreeSet::new();
    for &(d, c) in &jobs {
        let trips = &districts[d];
        let sccs = seed_sccs(graph, trips, c);
        let outside = trips.snaps.iter().flatten().any(|s| {
            Ends::of(graph, s)
                .leave_nodes()
                .any(|n| !sccs.contains(&graph.scc[n as usize]))
        });
        if outside {
            needed.extend(sccs);
        }
    }
    let reaching: Reaching = needed
        .into_iter()
        .collect::<Vec<u32>>()
        .into_par_iter()
        .map(|s| (!stop()).then(|| (s, graph.sccs_reaching(s))))
        .collect::<Option<_>>()?;
    // The searches start from, stop at and are asked about link ends of
    // the schools only: the dead ends without one are left out.
    let ends = districts
        .iter()
        .flat_map(|t| t.snaps.iter().flatten())
        .flat_map(|s| {
            let e = Ends::of(graph, s);
            e.leave.into_iter().chain(e.enter).map(|(n, _)| n)
        });
    let core = Core::without_dead_ends(graph, &graph.reverse, ends);
    let rows: Vec<Row> = jobs
        .par_iter()
        .map(|&(d, c)| {
            if stop() {
                return None;
            }
            let row = with_space(graph.node_count(), |space| {
                candidate_row(graph, &core, &districts[d], c, cutoff_s, &reaching, space)
            });
            on_row();
            Some(row)
        })
        .collect::<Option<_>>()?;
    let mut rows = rows.into_iter();
    let matrices = districts
        .iter()
        .map(|t| {
            let mut m = TravelMatrix {
                school_count: t.snaps.len(),
                candidates: t.candidates.clone(),
                ..TravelMatrix::default()
            };
            for _ in &t.candidates {
                if let Some(row) = rows.next() {
                    m.seconds.extend(row.seconds);
                    m.departures.extend(row.departures);
                    m.trees.push(row.tree);
                    m.settled_nodes += row.settled;
                }
            }
            m
        })
        .collect();
    Some(matrices)
}
