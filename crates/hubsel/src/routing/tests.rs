//! The fast engine against the plain reference on random graphs with
//! one-way roads, islands, parallel roads and near-zero-length pieces.

use geo::{Coord, LineString};
use proptest::prelude::*;

use super::*;
use crate::graph::{polyline_length_m, SpeedTable};
use crate::model::{Oneway, Road};
use crate::routing::reference;
use crate::spatial::{snap_brute_force, SnapIndex};

/// A random road network on a 6×6 lattice of 1 km cells: roads join
/// lattice points (so they meet at shared vertices), may bend through a
/// random shape point, may be one-way, may duplicate another road
/// (parallel links), and a far-away cluster forms an island.
fn networks() -> impl Strategy<Value = Vec<Road>> {
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

fn points() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((99.995f64..100.06, 14.995f64..15.06), 2..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_reference_dijkstra(roads in networks(), pts in points()) {
        let graph = RoadGraph::build(&roads, &SpeedTable::default());
        prop_assume!(!graph.links.is_empty());
        let index = SnapIndex::new(&graph);
        let snaps: Vec<Snap> = pts.iter().filter_map(|&(x, y)| index.snap(&graph, x, y)).collect();
        let mut space = SearchSpace::new(graph.node_count());
        for to in &snaps {
            let enter: Vec<(u32, f64)> = Ends::of(&graph, to).enter.to_vec();
            // Bounded: stop once every start's leave nodes are settled.
            let targets: Vec<u32> = snaps.iter().flat_map(|s| Ends::of(&graph, s).leave_nodes().collect::<Vec<_>>()).collect();
            search(&graph.reverse, &mut space, &enter, &targets, f64::INFINITY);
            let tree = Tree::extract(&graph, &space, targets.iter().copied());
            for from in &snaps {
                let fast = trip_to_seeded(&graph, &space, from, to);
                let slow = reference::trip_s(&graph, from, to);
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

    #[test]
    fn snapping_matches_brute_force(roads in networks(), pts in points()) {
        let graph = RoadGraph::build(&roads, &SpeedTable::default());
        prop_assume!(!graph.links.is_empty());
        let index = SnapIndex::new(&graph);
        for (x, y) in pts {
            let fast = index.snap(&graph, x, y).map(|s| s.offroad_m);
            let slow = snap_brute_force(&graph, x, y).map(|s| s.offroad_m);
            match (fast, slow) {
                (Some(f), Some(s)) => prop_assert!((f - s).abs() < 1e-6, "index {f} m, brute force {s} m"),
                other => prop_assert!(false, "{other:?}"),
            }
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
