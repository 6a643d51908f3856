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
    enter_sccs, reaches, search_from_points, trip_to_seeded, with_space, Core, Departure, Ends,
    Leaving, Reaching, SearchSpace, Tree,
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

/// The reverse search towards the point where the candidates of `group`
/// (all snapped to one point of the network) are, into `space`; its
/// settled node count.
fn search_to(
    graph: &RoadGraph,
    core: &Core,
    trips: &DistrictTrips<'_>,
    group: &[usize],
    cutoff_s: f64,
    reaching: &Reaching,
    space: &mut SearchSpace,
) -> u64 {
    let Some(&first) = group.first() else {
        return 0;
    };
    let Some(hub) = trips.snaps[first] else {
        return 0;
    };
    let ends = Ends::of(graph, hub);
    let seeds: Vec<(u32, f64)> = ends
        .enter
        .iter()
        .copied()
        .filter(|(_, s)| s.is_finite())
        .collect();
    let sccs = seed_sccs(graph, trips, first);
    // How each school leaves for the candidates' point (an end that
    // cannot reach it left out: the search would never settle it).
    let points: Vec<Leaving> = trips
        .snaps
        .iter()
        .flatten()
        .map(|snap| {
            Ends::of(graph, snap).leave.map(|(n, s)| {
                let reached = s.is_finite() && reaches(graph, reaching, n, &sccs);
                (n, if reached { s } else { f64::INFINITY })
            })
        })
        .collect();
    // The road part may use all of the cutoff less the hub's off-road leg
    // (the shortest of the group's: each row checks its own).
    let offroad_s = group
        .iter()
        .map(|&c| trips.offroad_s[c])
        .fold(f64::INFINITY, f64::min);
    search_from_points(core, space, &seeds, &points, cutoff_s - offroad_s);
    space.settled_count
}

/// Candidate `candidate`'s row, from the search towards its point in
/// `space`. A search with a longer cutoff (a group's) gives the same row:
/// a node it settles beyond this candidate's own cutoff only leads to
/// trips over the cutoff.
fn candidate_row(
    graph: &RoadGraph,
    trips: &DistrictTrips<'_>,
    candidate: usize,
    cutoff_s: f64,
    space: &SearchSpace,
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

/// The rows of a group of candidates at one point, from one search (the
/// search's settled count on the first).
fn group_rows(
    graph: &RoadGraph,
    core: &Core,
    trips: &DistrictTrips<'_>,
    group: &[usize],
    cutoff_s: f64,
    reaching: &Reaching,
    space: &mut SearchSpace,
) -> Vec<Row> {
    let settled = search_to(graph, core, trips, group, cutoff_s, reaching, space);
    let mut rows: Vec<Row> = group
        .iter()
        .map(|&c| candidate_row(graph, trips, c, cutoff_s, space))
        .collect();
    if let Some(first) = rows.first_mut() {
        first.settled = settled;
    }
    rows
}

/// A district's candidates by the point of the network they are at:
/// candidates snapped to the same point (schools a registry gives one
/// position, such as a tambon's) share one search. Groups in the order of
/// their first candidate; candidates off the network alone.
fn point_groups(trips: &DistrictTrips<'_>) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_point: std::collections::HashMap<(u32, u64), usize> =
        std::collections::HashMap::new();
    for &c in &trips.candidates {
        match trips.snaps[c] {
            Some(s) => {
                let g = *by_point
                    .entry((s.link, s.along_m.to_bits()))
                    .or_insert_with(|| {
                        groups.push(Vec::new());
                        groups.len() - 1
                    });
                groups[g].push(c);
            }
            None => groups.push(vec![c]),
        }
    }
    groups
}

/// The SCCs reaching the seed SCCs of the searches `jobs` (district,
/// candidate) that have a school outside them: the condensation is only
/// walked for those (rare: islands, traps). `None` once `stop` says stop.
fn reaching_for(
    graph: &RoadGraph,
    districts: &[DistrictTrips<'_>],
    jobs: &[(usize, usize)],
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Reaching> {
    let mut needed: BTreeSet<u32> = BTreeSet::new();
    for &(d, c) in jobs {
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
    needed
        .into_iter()
        .collect::<Vec<u32>>()
        .into_par_iter()
        .map(|s| (!stop()).then(|| (s, graph.sccs_reaching(s))))
        .collect::<Option<_>>()
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
    let reaching = reaching_for(graph, districts, &jobs, stop)?;
    // The searches start from, stop at and are asked about link ends of
    // the schools only: the dead ends without one are left out.
    let points = districts
        .iter()
        .flat_map(|t| t.snaps.iter().flatten().copied());
    let core = Core::for_points(graph, points);
    let groups: Vec<(usize, Vec<usize>)> = districts
        .iter()
        .enumerate()
        .flat_map(|(d, t)| point_groups(t).into_iter().map(move |g| (d, g)))
        .collect();
    let grouped: Vec<Vec<Row>> = groups
        .par_iter()
        .map(|(d, group)| {
            if stop() {
                return None;
            }
            let rows = with_space(graph.node_count(), |space| {
                group_rows(
                    graph,
                    &core,
                    &districts[*d],
                    group,
                    cutoff_s,
                    &reaching,
                    space,
                )
            });
            group.iter().for_each(|_| on_row());
            Some(rows)
        })
        .collect::<Option<_>>()?;
    // Back in each district's candidate order.
    let mut by_job: std::collections::HashMap<(usize, usize), Row> = groups
        .iter()
        .zip(grouped)
        .flat_map(|((d, group), rows)| group.iter().map(move |&c| (*d, c)).zip(rows))
        .collect();
    let rows: Vec<Row> = jobs.iter().filter_map(|job| by_job.remove(job)).collect();
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::graph::SpeedTable;
    use crate::routing::tests::{networks, points};
    use crate::spatial::SnapIndex;

    /// A road from `coords` (lon, lat), two-way primary.
    fn primary(coords: &[(f64, f64)]) -> crate::model::Road {
        crate::model::Road {
            geometry: geo::LineString::from(coords.to_vec()),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway: crate::model::Oneway::No,
        }
    }

    /// Each school's trip to the hub, if any.
    type Trips = Vec<Option<(f64, Departure)>>;

    /// The trips of `schools` to the first of them, by a full search and
    /// by one stopped at known trips; and the two searches' settled counts.
    fn both_searches(
        roads: &[crate::model::Road],
        schools: &[(f64, f64)],
    ) -> (Trips, Trips, u64, u64) {
        let graph = RoadGraph::build(roads, &SpeedTable::default());
        let index = SnapIndex::new(&graph);
        let snaps: Vec<Snap> = schools
            .iter()
            .filter_map(|&(x, y)| index.snap(&graph, x, y))
            .collect();
        assert_eq!(snaps.len(), schools.len());
        let hub = &snaps[0];
        let seeds: Vec<(u32, f64)> = Ends::of(&graph, hub)
            .enter
            .into_iter()
            .filter(|(_, s)| s.is_finite())
            .collect();
        let targets: Vec<u32> = snaps
            .iter()
            .flat_map(|s| Ends::of(&graph, s).leave_nodes().collect::<Vec<_>>())
            .collect();
        let leaving: Vec<Leaving> = snaps.iter().map(|s| Ends::of(&graph, s).leave).collect();
        let mut full = SearchSpace::new(graph.node_count());
        let mut stopped = SearchSpace::new(graph.node_count());
        crate::routing::search(&graph.reverse, &mut full, &seeds, &targets, f64::INFINITY);
        search_from_points(
            &graph.reverse,
            &mut stopped,
            &seeds,
            &leaving,
            f64::INFINITY,
        );
        let trips = |space: &SearchSpace| {
            snaps
                .iter()
                .map(|s| trip_to_seeded(&graph, space, s, hub))
                .collect()
        };
        (
            trips(&full),
            trips(&stopped),
            full.settled_count,
            stopped.settled_count,
        )
    }

    /// The hub H joins B by a short road and A by a longer one; A and B
    /// are the ends of a long road looping east; a spur off each.
    fn loop_roads() -> Vec<crate::model::Road> {
        vec![
            primary(&[(100.0, 15.0), (100.01, 15.0)]),
            primary(&[(100.0, 15.0), (100.0, 15.05)]),
            primary(&[
                (100.0, 15.05),
                (100.06, 15.05),
                (100.06, 15.0),
                (100.01, 15.0),
            ]),
            // Spurs west, so that H, A and B are junctions.
            primary(&[(100.0, 15.0), (99.99, 15.0)]),
            primary(&[(100.0, 15.05), (99.99, 15.05)]),
            primary(&[(100.01, 15.0), (100.01, 14.99)]),
        ]
    }

    /// A school near A on the long road: its end B is settled first, but
    /// its trip leaves by A, settled later; the search must wait for A.
    #[test]
    fn a_trip_by_the_end_settled_second_is_waited_for() {
        let (full, stopped, _, _) =
            both_searches(&loop_roads(), &[(100.0, 15.0), (100.001, 15.0502)]);
        let Some((seconds, Departure::Node { .. })) = full[1] else {
            panic!("the school reaches the hub by a node: {:?}", full[1]);
        };
        // By A some 5.7 km; by B more than 18 km.
        let s_per_km = 3600.0 / SpeedTable::default().class_kmh("primary");
        assert!(
            seconds < 8.0 * s_per_km,
            "the trip leaves by A: {seconds} s"
        );
        assert_eq!(full, stopped);
    }

    /// A school near B on the long road: once B is settled its trip is
    /// known (A is farther than the whole road), and the search stops
    /// before it settles A.
    #[test]
    fn a_search_stops_once_every_trip_is_known() {
        let (full, stopped, full_n, stopped_n) =
            both_searches(&loop_roads(), &[(100.0, 15.0), (100.011, 15.0002)]);
        assert_eq!(full, stopped);
        assert!(
            stopped_n < full_n,
            "{stopped_n} settled, against {full_n} by the full search"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// A search stopped once each school's trip is known gives each
        /// school the trip (seconds to the bit, departure) and the tree
        /// that a search settling every end of every school gives, with
        /// one-way roads, schools on junctions and cutoffs that cut.
        #[test]
        fn searches_stopped_at_known_trips_give_the_full_searches_trips(
            roads in networks(),
            pts in points(),
            cutoff_s in prop_oneof![Just(f64::INFINITY), 30.0f64..900.0],
        ) {
            let graph = RoadGraph::build(&roads, &SpeedTable::default());
            prop_assume!(!graph.links.is_empty());
            let index = SnapIndex::new(&graph);
            let snaps: Vec<Snap> = pts.iter().filter_map(|&(x, y)| index.snap(&graph, x, y)).collect();
            prop_assume!(snaps.len() >= 2);
            let core = Core::for_points(&graph, &snaps);
            let mut full = SearchSpace::new(graph.node_count());
            let mut stopped = SearchSpace::new(graph.node_count());
            for hub in &snaps {
                let seeds: Vec<(u32, f64)> = Ends::of(&graph, hub).enter.into_iter().filter(|(_, s)| s.is_finite()).collect();
                let sccs = enter_sccs(&graph, hub);
                let reaching: Reaching = sccs.iter().map(|&s| (s, graph.sccs_reaching(s))).collect();
                let mut targets = Vec::new();
                let mut leaving = Vec::new();
                for snap in &snaps {
                    let ends = Ends::of(&graph, snap);
                    targets.extend(ends.leave_nodes().filter(|&n| reaches(&graph, &reaching, n, &sccs)));
                    leaving.push(ends.leave.map(|(n, s)| {
                        let reached = s.is_finite() && reaches(&graph, &reaching, n, &sccs);
                        (n, if reached { s } else { f64::INFINITY })
                    }));
                }
                crate::routing::search(&core, &mut full, &seeds, &targets, cutoff_s);
                search_from_points(&core, &mut stopped, &seeds, &leaving, cutoff_s);
                prop_assert!(stopped.settled_count <= full.settled_count);
                let mut starts = Vec::new();
                for (i, snap) in snaps.iter().enumerate() {
                    let a = trip_to_seeded(&graph, &full, snap, hub);
                    let b = trip_to_seeded(&graph, &stopped, snap, hub);
                    prop_assert_eq!(a.map(|t| (t.0.to_bits(), t.1)), b.map(|t| (t.0.to_bits(), t.1)), "school {}", i);
                    if let Some((_, Departure::Node { node, .. })) = a {
                        starts.push(node);
                    }
                }
                prop_assert_eq!(
                    Tree::extract(&graph, &full, starts.iter().copied()),
                    Tree::extract(&graph, &stopped, starts.iter().copied())
                );
            }
        }

        /// Candidates at one point share a search: their rows (seconds,
        /// departures, trees) are those of a search of their own, with
        /// schools given twice (one position, as tambon-level coordinates
        /// are), off-road legs that differ, and a cutoff that cuts.
        #[test]
        fn shared_searches_give_each_candidate_its_own_row(
            roads in networks(),
            pts in points(),
            twice in prop::collection::vec(0usize..8, 1..6),
            offroad in prop::collection::vec(0.0f64..300.0, 16),
            cutoff_s in prop_oneof![Just(86_400.0), 100.0f64..900.0],
        ) {
            let graph = RoadGraph::build(&roads, &SpeedTable::default());
            prop_assume!(!graph.links.is_empty());
            let index = SnapIndex::new(&graph);
            let mut snaps: Vec<Snap> = pts.iter().filter_map(|&(x, y)| index.snap(&graph, x, y)).collect();
            prop_assume!(!snaps.is_empty());
            for &k in &twice {
                snaps.push(snaps[k % snaps.len()]);
            }
            let trips = DistrictTrips {
                snaps: snaps.iter().map(Some).collect(),
                offroad_s: (0..snaps.len()).map(|i| offroad[i % offroad.len()]).collect(),
                candidates: (0..snaps.len()).collect(),
            };
            prop_assert!(point_groups(&trips).len() < snaps.len(), "some candidates share a point");
            let shared = district_matrices(&graph, std::slice::from_ref(&trips), cutoff_s, &|| {});
            let m = &shared[0];
            // Each candidate alone, over the same core, with every SCC's
            // reaching SCCs (the same targets as the shared searches').
            let core = Core::for_points(&graph, &snaps);
            let reaching: Reaching = (0..graph.scc_count() as u32)
                .map(|s| (s, graph.sccs_reaching(s)))
                .collect();
            let mut space = SearchSpace::new(graph.node_count());
            let n = snaps.len();
            for (row, &c) in trips.candidates.iter().enumerate() {
                let own = group_rows(&graph, &core, &trips, &[c], cutoff_s, &reaching, &mut space);
                let own = &own[0];
                for i in 0..n {
                    prop_assert_eq!(m.seconds(row, i).to_bits(), own.seconds[i].to_bits(), "candidate {} school {}", c, i);
                    prop_assert_eq!(m.departure(row, i), own.departures[i]);
                }
                prop_assert_eq!(&m.trees[row], &own.tree);
            }
        }
    }
}
