//! The fast engine against the plain reference on random graphs with
//! one-way roads, islands, parallel roads and near-zero-length pieces.

use geo::{Coord, LineString};
use proptest::prelude::*;

use super::*;
use crate::graph::{polyline_length_m, SpeedTable};
use crate::model::{Oneway, Road};
use crate::spatial::{place_brute_force, snap_brute_force, SnapIndex, SnapRule};
use hubsel_testkit::reference;

/// The speed table as the reference's data.
fn reference_speeds(speeds: &SpeedTable) -> reference::Speeds {
    reference::Speeds {
        by_class_kmh: speeds.by_class_kmh.clone(),
        default_kmh: speeds.default_kmh,
        use_maxspeed: speeds.use_maxspeed,
    }
}

/// A random road network on a 6×6 lattice of 1 km cells: roads join
/// lattice points (so they meet at shared vertices), may bend through a
/// random shape point, may be one-way, may duplicate another road
/// (parallel links), and a far-away cluster forms an island.
pub(super) fn networks() -> impl Strategy<Value = Vec<Road>> {
    let road = (
        0u8..36,
        0u8..36,
        prop::option::of((0.0f64..1.0, 0.0f64..1.0)),
        0u8..6,
        0u8..5,
    );
    prop::collection::vec(road, 5..60).prop_map(|spec| {
        let classes = ["primary", "secondary", "tertiary", "unclassified", "track"];
        let at = |i: u8| Coord {
            x: 100.0 + (i % 6) as f64 * 0.01,
            y: 15.0 + (i / 6) as f64 * 0.01,
        };
        let mut roads = Vec::new();
        for (k, (a, b, bend, ow, class)) in spec.into_iter().enumerate() {
            let (p, q) = (at(a), at(b));
            let mut coords = vec![p];
            if let Some((u, v)) = bend {
                coords.push(Coord {
                    x: p.x + (q.x - p.x) * u + 0.001 * v,
                    y: p.y + (q.y - p.y) * u - 0.001 * v,
                });
            }
            // A piece a few millimetres long: collapses into its end node.
            if k % 7 == 3 {
                coords.push(Coord {
                    x: q.x + 2e-8,
                    y: q.y,
                });
            }
            coords.push(q);
            if a == b && bend.is_none() {
                continue;
            }
            let oneway = match ow {
                0 => Oneway::Forward,
                1 => Oneway::Backward,
                _ => Oneway::No,
            };
            // Island: a few roads shifted far east.
            let shift = if k % 11 == 5 { 1.0 } else { 0.0 };
            let coords = coords
                .into_iter()
                .map(|c| Coord {
                    x: c.x + shift,
                    y: c.y,
                })
                .collect();
            roads.push(Road {
                geometry: LineString::new(coords),
                class: classes[class as usize].into(),
                maxspeed_kmh: None,
                oneway,
            });
        }
        roads
    })
}

pub(super) fn points() -> impl Strategy<Value = Vec<(f64, f64)>> {
    // Some points on lattice vertices: exactly on junctions.
    let on_vertex =
        (0u8..36).prop_map(|i| (100.0 + (i % 6) as f64 * 0.01, 15.0 + (i / 6) as f64 * 0.01));
    let anywhere = (99.995f64..100.06, 14.995f64..15.06);
    prop::collection::vec(prop_oneof![anywhere, on_vertex], 2..8)
}

/// The roads in another order, from a seed.
fn shuffled(roads: &[Road], seed: u64) -> Vec<Road> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut out = roads.to_vec();
    out.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The engine (canonical graph, index snapping with the small-fragment
    /// rule, bounded reverse searches) against the independent reference
    /// (raw vertices, brute-force snapping, plain forward Dijkstra), with
    /// the roads in a shuffled order for the engine.
    #[test]
    fn engine_matches_reference_dijkstra(
        roads in networks(),
        pts in points(),
        min_junctions in 0u32..8,
        seed in any::<u64>(),
    ) {
        let speeds = SpeedTable::default();
        let graph = RoadGraph::build(&roads, &speeds);
        prop_assume!(!graph.links.is_empty());
        // The same graph, bit for bit, whatever the order of the roads.
        let other = RoadGraph::build(&shuffled(&roads, seed), &speeds);
        prop_assert_eq!(&other.links, &graph.links);
        prop_assert_eq!(&other.coords, &graph.coords);
        prop_assert_eq!(&other.scc, &graph.scc);
        prop_assert_eq!(&other.scc_junctions, &graph.scc_junctions);
        let graph = other;
        let net = reference::Network::new(&roads, &reference_speeds(&speeds));
        let index = SnapIndex::new(&graph);
        let rule = SnapRule { max_snap_m: 1500.0, small_component_junctions: min_junctions };
        let snaps: Vec<Snap> = pts
            .iter()
            .map(|&(x, y)| index.place(&graph, x, y, &rule).unwrap().snap)
            .collect();
        let refs: Vec<reference::Snapped> = pts
            .iter()
            .map(|&(x, y)| net.place(x, y, rule.max_snap_m, min_junctions).unwrap())
            .collect();
        for (s, r) in snaps.iter().zip(&refs) {
            prop_assert_eq!((s.point.x, s.point.y), r.point, "snap points");
            prop_assert!((s.offroad_m - r.offroad_m).abs() < 1e-6);
            prop_assert_eq!(
                graph.link_scc_junctions(s.link as usize),
                net.fragment_junctions(r),
                "junctions of the fragment snapped to"
            );
        }
        let mut space = SearchSpace::new(graph.node_count());
        for (to, to_ref) in snaps.iter().zip(&refs) {
            let enter: Vec<(u32, f64)> = Ends::of(&graph, to).enter.to_vec();
            // Bounded: stop once every start's leave nodes are settled.
            let targets: Vec<u32> = snaps.iter().flat_map(|s| Ends::of(&graph, s).leave_nodes().collect::<Vec<_>>()).collect();
            search(&graph.reverse, &mut space, &enter, &targets, f64::INFINITY);
            let tree = Tree::extract(&graph, &space, targets.iter().copied());
            for (from, from_ref) in snaps.iter().zip(&refs) {
                let fast = trip_to_seeded(&graph, &space, from, to);
                let slow = net.trip_s(from_ref, to_ref);
                match (fast, slow) {
                    (None, None) => {}
                    (Some((f, dep)), Some(s)) => {
                        prop_assert!((f - s).abs() <= 1e-6 * s.max(1.0), "fast {f} slow {s}");
                        let r = route(&graph, &tree, from, to, dep);
                        prop_assert_eq!(r.coords.first().copied(), Some(from.point));
                        prop_assert_eq!(r.coords.last().copied(), Some(to.point));
                        let drawn = polyline_length_m(&r.coords);
                        prop_assert!((drawn - r.road_m).abs() < 0.01, "drawn {drawn} reported {}", r.road_m);
                    }
                    (f, s) => prop_assert!(false, "fast {f:?} vs reference {s:?}"),
                }
            }
        }
    }

    /// Every origin to every destination (`od::od_times`: one bounded
    /// reverse search per destination, origins as targets, a cutoff)
    /// against the independent reference (one plain forward Dijkstra per
    /// origin, no bound), off-road legs added at 10 km/h.
    #[test]
    fn od_times_match_reference_dijkstra(
        roads in networks(),
        from in points(),
        to in points(),
        min_junctions in 0u32..8,
        cutoff in prop_oneof![Just(f64::INFINITY), 200.0f64..2000.0],
    ) {
        let speeds = SpeedTable::default();
        let graph = RoadGraph::build(&roads, &speeds);
        prop_assume!(!graph.links.is_empty());
        let net = reference::Network::new(&roads, &reference_speeds(&speeds));
        let index = SnapIndex::new(&graph);
        let rule = SnapRule { max_snap_m: 1500.0, small_component_junctions: min_junctions };
        let place = |pts: &[(f64, f64)]| -> (Vec<Snap>, Vec<reference::Snapped>) {
            let snaps = pts.iter().map(|&(x, y)| index.place(&graph, x, y, &rule).unwrap().snap).collect();
            let refs = pts.iter().map(|&(x, y)| net.place(x, y, rule.max_snap_m, min_junctions).unwrap()).collect();
            (snaps, refs)
        };
        let ((o_snaps, o_refs), (d_snaps, d_refs)) = (place(&from), place(&to));
        let offroad = |snaps: &[Snap]| snaps.iter().map(|s| s.offroad_m * 0.36).collect::<Vec<f64>>();
        let origins = od::OdPoints { snaps: o_snaps.iter().map(Some).collect(), offroad_s: offroad(&o_snaps) };
        let destinations = od::OdPoints { snaps: d_snaps.iter().map(Some).collect(), offroad_s: offroad(&d_snaps) };
        let times = od::od_times(&graph, &origins, &destinations, cutoff, &|| {});
        prop_assert_eq!(times.trips.len(), from.len() * to.len());
        for (o, o_ref) in o_refs.iter().enumerate() {
            let road_s = net.times_s(o_ref, &d_refs);
            for (d, &slow) in road_s.iter().enumerate() {
                let door_s = slow + origins.offroad_s[o] + destinations.offroad_s[d];
                let fast = times.trip(o, d);
                if (door_s - cutoff).abs() < 1e-6 {
                    continue; // on the cutoff: either answer is right
                }
                match fast {
                    Some(t) => {
                        prop_assert!(door_s <= cutoff, "trip {} s beyond the cutoff {cutoff}", t.travel_s);
                        prop_assert!((t.travel_s - door_s).abs() <= 1e-6 * door_s.max(1.0), "fast {} slow {door_s}", t.travel_s);
                        prop_assert!(t.road_m.is_finite() && t.road_m >= 0.0);
                    }
                    None => prop_assert!(!door_s.is_finite() || door_s > cutoff, "no trip, the reference has {door_s} s within {cutoff}"),
                }
            }
        }
    }

    /// Searches over the [`Core`] (dead ends left out) against searches
    /// over the whole reverse adjacency: the kept nodes are settled in the
    /// same order at the same distances with the same parents, and every
    /// trip and tree is the same.
    #[test]
    fn core_searches_equal_whole_graph_searches(roads in networks(), pts in points()) {
        let graph = RoadGraph::build(&roads, &SpeedTable::default());
        prop_assume!(!graph.links.is_empty());
        let index = SnapIndex::new(&graph);
        let snaps: Vec<Snap> = pts.iter().filter_map(|&(x, y)| index.snap(&graph, x, y)).collect();
        let needed: Vec<u32> = snaps
            .iter()
            .flat_map(|s| {
                let e = Ends::of(&graph, s);
                e.leave.into_iter().chain(e.enter).map(|(n, _)| n)
            })
            .collect();
        let core = Core::for_points(&graph, &snaps);
        for &n in &needed {
            prop_assert!(core.has(n), "needed node {n} left out");
        }
        let mut whole = SearchSpace::new(graph.node_count());
        let mut cored = SearchSpace::new(graph.node_count());
        let targets: Vec<u32> = snaps.iter().flat_map(|s| Ends::of(&graph, s).leave_nodes().collect::<Vec<_>>()).collect();
        for to in &snaps {
            let enter: Vec<(u32, f64)> = Ends::of(&graph, to).enter.to_vec();
            for cutoff in [f64::INFINITY, 300.0] {
                search(&graph.reverse, &mut whole, &enter, &targets, cutoff);
                search(&core, &mut cored, &enter, &targets, cutoff);
                let kept: Vec<u32> = whole.settled_nodes().iter().copied().filter(|&n| core.has(n)).collect();
                prop_assert_eq!(&kept[..], cored.settled_nodes());
                for &n in &kept {
                    prop_assert_eq!(whole.dist_s(n), cored.dist_s(n));
                    prop_assert_eq!(whole.parent(n), cored.parent(n));
                }
                for from in &snaps {
                    prop_assert_eq!(trip_to_seeded(&graph, &whole, from, to), trip_to_seeded(&graph, &cored, from, to));
                }
                prop_assert_eq!(
                    Tree::extract(&graph, &whole, targets.iter().copied()),
                    Tree::extract(&graph, &cored, targets.iter().copied())
                );
            }
        }
    }

    #[test]
    fn snapping_matches_brute_force(roads in networks(), pts in points(), min_junctions in 0u32..8) {
        let graph = RoadGraph::build(&roads, &SpeedTable::default());
        prop_assume!(!graph.links.is_empty());
        let index = SnapIndex::new(&graph);
        let rule = SnapRule { max_snap_m: 1500.0, small_component_junctions: min_junctions };
        for (x, y) in pts {
            prop_assert_eq!(index.snap(&graph, x, y), snap_brute_force(&graph, x, y));
            prop_assert_eq!(index.place(&graph, x, y, &rule), place_brute_force(&graph, x, y, &rule));
        }
    }
}

#[test]
fn cutoff_leaves_far_nodes_unsettled() {
    let roads = vec![
        Road {
            geometry: LineString::from(vec![(100.0, 15.0), (100.1, 15.0), (100.2, 15.0)]),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway: Oneway::No,
        },
        Road {
            geometry: LineString::from(vec![(100.1, 15.0), (100.1, 15.1)]),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway: Oneway::No,
        },
    ];
    let graph = RoadGraph::build(&roads, &SpeedTable::default());
    let mut space = SearchSpace::new(graph.node_count());
    // ~10.7 km at 80 km/h is ~483 s per link.
    search(&graph.forward, &mut space, &[(0, 0.0)], &[], 600.0);
    assert_eq!(space.dist_s(0), Some(0.0));
    let settled: Vec<u32> = (0..graph.node_count() as u32)
        .filter(|&n| space.dist_s(n).is_some())
        .collect();
    assert_eq!(settled.len(), 2, "start and the junction only");
    let far = (0..graph.node_count() as u32)
        .find(|n| !settled.contains(n))
        .unwrap();
    assert_eq!(space.dist_s(far), None);
}

/// A T of two-way roads with a spur: the spur's far end is a dead end
/// unless a point is on it; the junction and the ends of the bar stay.
#[test]
fn core_leaves_out_dead_ends_without_points() {
    let road = |coords: Vec<(f64, f64)>| Road {
        geometry: LineString::from(coords),
        class: "primary".into(),
        maxspeed_kmh: None,
        oneway: Oneway::No,
    };
    let roads = vec![
        road(vec![(100.0, 15.0), (100.1, 15.0), (100.2, 15.0)]),
        road(vec![(100.1, 15.0), (100.1, 15.1)]),
    ];
    let graph = RoadGraph::build(&roads, &SpeedTable::default());
    let node_at = |x: f64, y: f64| {
        (0..graph.node_count() as u32)
            .find(|&n| graph.node_coord(n) == Coord { x, y })
            .unwrap()
    };
    let (west, middle, east, spur) = (
        node_at(100.0, 15.0),
        node_at(100.1, 15.0),
        node_at(100.2, 15.0),
        node_at(100.1, 15.1),
    );
    let core = Core::without_dead_ends(&graph, &graph.reverse, [west, east]);
    assert!(core.has(west) && core.has(middle) && core.has(east));
    assert!(!core.has(spur), "the spur's end holds no point");
    assert_eq!(core.dead_count(), 1);
    assert_eq!(core.hops(middle).count(), 2, "only the bar's two arcs");
    // With a point at the spur's end, nothing is left out.
    let core = Core::without_dead_ends(&graph, &graph.reverse, [west, spur]);
    assert_eq!(core.dead_count(), 1, "now the east end is the dead end");
    assert!(core.has(spur) && core.has(middle) && !core.has(east));
    let core = Core::without_dead_ends(&graph, &graph.reverse, [west, east, spur]);
    assert_eq!(core.dead_count(), 0);
    assert_eq!(core.hops(middle).count(), 3);
}
