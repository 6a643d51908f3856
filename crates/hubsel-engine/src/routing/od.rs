//! Travel between two sets of points, every origin to every destination
//! (`hubsel matrix`): one reverse search per destination, run in parallel
//! with one reusable [`SearchSpace`] per worker thread, each stopped once
//! every origin that can reach the destination is settled, or at the
//! cutoff.
//!
//! As in [`matrix`](super::matrix), an origin that can never reach the
//! destination (another road island, a one-way trap) is no target of its
//! search, which would otherwise explore everything up to the cutoff; the
//! strongly connected components say which can.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::graph::RoadGraph;
use crate::routing::{
    enter_sccs, reaches, route, search, trip_to_seeded, with_space, Departure, Ends, Reaching,
    SearchSpace, Tree,
};
use crate::spatial::Snap;

/// One side of the problem (the origins, or the destinations): each
/// point's snap (`None` when it is not on the network) and its off-road
/// seconds (point ↔ snap point).
#[derive(Clone, Debug, Default)]
pub struct OdPoints<'a> {
    pub snaps: Vec<Option<&'a Snap>>,
    pub offroad_s: Vec<f64>,
}

/// One door-to-door trip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trip {
    /// Seconds, off-road legs at both ends included.
    pub travel_s: f64,
    /// Metres along the roads (the off-road legs are not roads).
    pub road_m: f64,
}

/// Every origin's trip to every destination.
#[derive(Clone, Debug, Default)]
pub struct OdTimes {
    pub origin_count: usize,
    pub destination_count: usize,
    /// Row-major origins × destinations; `None` when no road leads there
    /// within the cutoff (or a point is off the network).
    pub trips: Vec<Option<Trip>>,
    /// Nodes settled by all searches, for throughput figures.
    pub settled_nodes: u64,
}

impl OdTimes {
    pub fn trip(&self, origin: usize, destination: usize) -> Option<Trip> {
        self.trips[origin * self.destination_count + destination]
    }
}

/// The condensation walks the searches need: only for seed SCCs with an
/// origin outside them (rare: islands, traps).
fn reaching_for(
    graph: &RoadGraph,
    origins: &OdPoints<'_>,
    destinations: &OdPoints<'_>,
) -> Reaching {
    let leave: BTreeSet<u32> = origins
        .snaps
        .iter()
        .flatten()
        .flat_map(|s| Ends::of(graph, s).leave_nodes().collect::<Vec<_>>())
        .map(|n| graph.scc[n as usize])
        .collect();
    let mut needed: BTreeSet<u32> = BTreeSet::new();
    for to in destinations.snaps.iter().flatten() {
        let sccs = enter_sccs(graph, to);
        if leave.iter().any(|s| !sccs.contains(s)) {
            needed.extend(sccs);
        }
    }
    needed
        .into_iter()
        .collect::<Vec<u32>>()
        .into_par_iter()
        .map(|s| (s, graph.sccs_reaching(s)))
        .collect()
}

/// Every origin's trip to destination `d`, and the nodes its search settled.
fn destination_column(
    graph: &RoadGraph,
    origins: &OdPoints<'_>,
    destinations: &OdPoints<'_>,
    d: usize,
    cutoff_s: f64,
    reaching: &Reaching,
    space: &mut SearchSpace,
) -> (Vec<Option<Trip>>, u64) {
    let mut column = vec![None; origins.snaps.len()];
    let Some(to) = destinations.snaps[d] else {
        return (column, 0);
    };
    let to_offroad_s = destinations.offroad_s[d];
    let seeds: Vec<(u32, f64)> = Ends::of(graph, to)
        .enter
        .into_iter()
        .filter(|(_, s)| s.is_finite())
        .collect();
    let sccs = enter_sccs(graph, to);
    let targets: Vec<u32> = origins
        .snaps
        .iter()
        .flatten()
        .flat_map(|s| Ends::of(graph, s).leave_nodes().collect::<Vec<_>>())
        .filter(|&n| reaches(graph, reaching, n, &sccs))
        .collect();
    // The roads may take all of the cutoff less the destination's off-road leg.
    search(
        &graph.reverse,
        space,
        &seeds,
        &targets,
        cutoff_s - to_offroad_s,
    );
    let mut found: Vec<(usize, f64, Departure)> = Vec::new();
    for (o, snap) in origins.snaps.iter().enumerate() {
        let Some(from) = snap else { continue };
        if let Some((road_s, departure)) = trip_to_seeded(graph, space, from, to) {
            let travel_s = road_s + origins.offroad_s[o] + to_offroad_s;
            if travel_s <= cutoff_s {
                found.push((o, travel_s, departure));
            }
        }
    }
    let starts = found.iter().filter_map(|(_, _, dep)| match dep {
        Departure::Node { node, .. } => Some(*node),
        Departure::SameLink => None,
    });
    let tree = Tree::extract(graph, space, starts);
    for (o, travel_s, departure) in found {
        if let Some(from) = origins.snaps[o] {
            let road_m = route(graph, &tree, from, to, departure).road_m;
            column[o] = Some(Trip { travel_s, road_m });
        }
    }
    (column, space.settled_count)
}

/// Every origin's door-to-door trip to every destination within
/// `cutoff_s`, in parallel over the destinations. The result does not
/// depend on the number of threads: each search is sequential and the
/// columns are put back in order. `on_destination` is called once per
/// destination done.
pub fn od_times(
    graph: &RoadGraph,
    origins: &OdPoints<'_>,
    destinations: &OdPoints<'_>,
    cutoff_s: f64,
    on_destination: &(dyn Fn() + Sync),
) -> OdTimes {
    od_times_until(graph, origins, destinations, cutoff_s, on_destination, &|| false)
        .unwrap_or_default()
}

/// [`od_times`], asking `stop` before each destination's search: `None`
/// once it says stop (the caller was cancelled), the remaining searches
/// skipped.
pub fn od_times_until(
    graph: &RoadGraph,
    origins: &OdPoints<'_>,
    destinations: &OdPoints<'_>,
    cutoff_s: f64,
    on_destination: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<OdTimes> {
    let reaching = reaching_for(graph, origins, destinations);
    let columns: Vec<(Vec<Option<Trip>>, u64)> = (0..destinations.snaps.len())
        .into_par_iter()
        .map(|d| {
            if stop() {
                return None;
            }
            let column = with_space(graph.node_count(), |space| {
                destination_column(graph, origins, destinations, d, cutoff_s, &reaching, space)
            });
            on_destination();
            Some(column)
        })
        .collect::<Option<_>>()?;
    let (n_o, n_d) = (origins.snaps.len(), destinations.snaps.len());
    let mut times = OdTimes {
        origin_count: n_o,
        destination_count: n_d,
        trips: vec![None; n_o * n_d],
        settled_nodes: columns.iter().map(|(_, s)| s).sum(),
    };
    for (d, (column, _)) in columns.into_iter().enumerate() {
        for (o, trip) in column.into_iter().enumerate() {
            times.trips[o * n_d + d] = trip;
        }
    }
    Some(times)
}
