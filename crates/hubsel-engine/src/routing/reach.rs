//! Which schools reach a hub within the travel limit, whatever their
//! district: one reverse search per hub, bounded by the limit, for
//! cross-district allocation. The searches run in parallel on the worker
//! threads' reusable [`SearchSpace`]s, as the district
//! matrices do, and each looks only at the schools on the nodes it settled
//! ([`PointIndex`]) instead of at every school of the country.

use rayon::prelude::*;

use crate::graph::RoadGraph;
use crate::routing::{
    search, trip_to_seeded, with_space, Departure, Ends, SearchSpace, Tree,
};
use crate::spatial::Snap;

/// The points (schools on the network) a hub is reached from within the
/// limit, and the part of its search tree their trips use.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// (point, door-to-door seconds, departure), sorted by point.
    pub trips: Vec<(usize, f64, Departure)>,
    pub tree: Tree,
}

/// The points by the nodes they leave their link through, and by link, so
/// that a search finds the points it reached from the nodes it settled.
pub struct PointIndex {
    /// Per node, the range of `by_node` of the points leaving through it.
    node_start: Vec<u32>,
    by_node: Vec<u32>,
    /// (link, point), sorted: points on a hub's own link can reach it along
    /// the link without settling a node.
    by_link: Vec<(u32, u32)>,
}

impl PointIndex {
    /// Indexes the points that are on the network (`Some`).
    pub fn new(graph: &RoadGraph, points: &[Option<Snap>]) -> PointIndex {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut by_link: Vec<(u32, u32)> = Vec::new();
        for (g, snap) in points.iter().enumerate() {
            let Some(snap) = snap else { continue };
            for node in Ends::of(graph, snap).leave_nodes() {
                pairs.push((node, g as u32));
            }
            by_link.push((snap.link, g as u32));
        }
        pairs.sort_unstable();
        pairs.dedup();
        by_link.sort_unstable();
        let mut node_start = vec![0u32; graph.node_count() + 1];
        for &(node, _) in &pairs {
            node_start[node as usize + 1] += 1;
        }
        for v in 1..node_start.len() {
            node_start[v] += node_start[v - 1];
        }
        PointIndex {
            node_start,
            by_node: pairs.into_iter().map(|(_, g)| g).collect(),
            by_link,
        }
    }

    /// The points leaving their link through `node`.
    fn at_node(&self, node: u32) -> &[u32] {
        let n = node as usize;
        match (self.node_start.get(n), self.node_start.get(n + 1)) {
            (Some(&a), Some(&b)) => &self.by_node[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The points on `link`.
    fn on_link(&self, link: u32) -> impl Iterator<Item = u32> + '_ {
        let start = self.by_link.partition_point(|&(l, _)| l < link);
        self.by_link[start..]
            .iter()
            .take_while(move |&&(l, _)| l == link)
            .map(|&(_, g)| g)
    }
}

/// For each hub (an index into `points`), the points that reach it within
/// `limit_s` door to door, `offroad_s` being each point's off-road leg. A
/// hub off the network reaches nothing. The result does not depend on the
/// number of threads: each search is sequential.
pub fn reach_within(
    graph: &RoadGraph,
    points: &[Option<Snap>],
    offroad_s: &[f64],
    hubs: &[usize],
    limit_s: f64,
) -> Vec<Reach> {
    reach_within_until(graph, points, offroad_s, hubs, limit_s, &|| false).unwrap_or_default()
}

/// [`reach_within`], asking `stop` before each hub's search: `None` once
/// it says stop (the caller was cancelled), the remaining searches skipped.
pub fn reach_within_until(
    graph: &RoadGraph,
    points: &[Option<Snap>],
    offroad_s: &[f64],
    hubs: &[usize],
    limit_s: f64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Reach>> {
    let index = PointIndex::new(graph, points);
    let within = Within {
        graph,
        points,
        offroad_s,
        index: &index,
        limit_s,
    };
    hubs.par_iter()
        .map(|&hub| {
            if stop() {
                return None;
            }
            Some(with_space(graph.node_count(), |space| {
                let trips = within.trips(space, hub);
                let starts = trips.iter().filter_map(|t| match t.2 {
                    Departure::Node { node, .. } => Some(node),
                    Departure::SameLink => None,
                });
                Reach {
                    tree: Tree::extract(graph, space, starts),
                    trips,
                }
            }))
        })
        .collect()
}

/// For each source (an index into `points`), the points that reach it
/// within `limit_s` door to door, as (point, seconds) sorted by point: the
/// sparse candidate lists of the region-wide models, one bounded reverse
/// search per candidate and no search tree kept. The source itself is in
/// its own list at 0 s when it is on the network. `on_source` is called
/// after each search (progress). Independent of the thread count.
pub fn reach_lists(
    graph: &RoadGraph,
    points: &[Option<Snap>],
    offroad_s: &[f64],
    sources: &[usize],
    limit_s: f64,
    on_source: &(dyn Fn() + Sync),
) -> Vec<Vec<(u32, f64)>> {
    reach_lists_until(graph, points, offroad_s, sources, limit_s, on_source, &|| false)
        .unwrap_or_default()
}

/// [`reach_lists`], asking `stop` before each search: `None` once it says
/// stop (the caller was cancelled), the remaining searches skipped.
pub fn reach_lists_until(
    graph: &RoadGraph,
    points: &[Option<Snap>],
    offroad_s: &[f64],
    sources: &[usize],
    limit_s: f64,
    on_source: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Vec<(u32, f64)>>> {
    let index = PointIndex::new(graph, points);
    let within = Within {
        graph,
        points,
        offroad_s,
        index: &index,
        limit_s,
    };
    sources
        .par_iter()
        .map(|&source| {
            if stop() {
                return None;
            }
            let mut list: Vec<(u32, f64)> = with_space(graph.node_count(), |space| {
                within
                    .trips(space, source)
                    .into_iter()
                    .map(|(g, t, _)| (g as u32, t))
                    .collect()
            });
            if points.get(source).is_some_and(Option::is_some) {
                let at = list.partition_point(|&(g, _)| (g as usize) < source);
                list.insert(at, (source as u32, 0.0));
            }
            on_source();
            Some(list)
        })
        .collect()
}

/// What the searches of [`reach_within`] and [`reach_lists`] share.
struct Within<'a> {
    graph: &'a RoadGraph,
    points: &'a [Option<Snap>],
    offroad_s: &'a [f64],
    index: &'a PointIndex,
    limit_s: f64,
}

impl Within<'_> {
    /// The trips (point, door-to-door seconds, departure) of the points
    /// other than `hub` that reach it within the limit, sorted by point;
    /// the search stays in `space` for the tree.
    fn trips(&self, space: &mut SearchSpace, hub: usize) -> Vec<(usize, f64, Departure)> {
        let (graph, points, offroad_s) = (self.graph, self.points, self.offroad_s);
        let Some(hub_snap) = points.get(hub).copied().flatten() else {
            return Vec::new();
        };
        let seeds: Vec<(u32, f64)> = Ends::of(graph, &hub_snap)
            .enter
            .iter()
            .copied()
            .filter(|(_, s)| s.is_finite())
            .collect();
        search(
            &graph.reverse,
            space,
            &seeds,
            &[],
            self.limit_s - offroad_s[hub],
        );
        // A point's trip needs a settled node it leaves through, or the
        // hub's link: no other point can reach the hub.
        let mut near: Vec<u32> = space
            .settled_nodes()
            .iter()
            .flat_map(|&node| self.index.at_node(node).iter().copied())
            .chain(self.index.on_link(hub_snap.link))
            .filter(|&g| g as usize != hub)
            .collect();
        near.sort_unstable();
        near.dedup();
        let mut trips = Vec::new();
        for g in near.into_iter().map(|g| g as usize) {
            let Some(snap) = points[g] else { continue };
            let Some((road_s, dep)) = trip_to_seeded(graph, space, &snap, &hub_snap) else {
                continue;
            };
            let total = road_s + offroad_s[g] + offroad_s[hub];
            if total <= self.limit_s {
                trips.push((g, total, dep));
            }
        }
        trips
    }
}
