//! The plain computation the fast engine is checked against: petgraph's own
//! Dijkstra, run forward from the trip's start with no bounds, no scratch
//! reuse and no early stop.

use petgraph::algo::dijkstra;
use petgraph::graph::NodeIndex;

/// The map petgraph's Dijkstra returns.
pub type Distances = std::collections::HashMap<NodeIndex, f64>;

use crate::graph::{arc_is_backward, arc_link, RoadGraph};
use crate::routing::{same_link_s, Ends};
use crate::spatial::Snap;

/// Travel seconds of an arc.
fn arc_cost_s(graph: &RoadGraph, arc: u32) -> f64 {
    let l = &graph.links[arc_link(arc)];
    if arc_is_backward(arc) {
        l.backward_s()
    } else {
        l.forward_s()
    }
}

/// Seconds from every reachable node, starting at `node`.
pub fn from_node(graph: &RoadGraph, node: u32) -> Distances {
    dijkstra(&graph.graph, NodeIndex::new(node as usize), None, |e| {
        arc_cost_s(graph, *e.weight())
    })
    .into_iter()
    .collect()
}

/// Road seconds from one snapped point to another, or `None` when
/// unreachable: every way out of `from`'s link, every way into `to`'s
/// link, and the direct way along a shared link.
pub fn trip_s(graph: &RoadGraph, from: &Snap, to: &Snap) -> Option<f64> {
    let (a, b) = (Ends::of(graph, from), Ends::of(graph, to));
    let mut best = same_link_s(graph, from, to);
    for (x, leave_s) in a.leave {
        if !leave_s.is_finite() {
            continue;
        }
        let dist = from_node(graph, x);
        for (y, enter_s) in b.enter {
            if let (true, Some(d)) = (enter_s.is_finite(), dist.get(&NodeIndex::new(y as usize))) {
                best = best.min(leave_s + d + enter_s);
            }
        }
    }
    best.is_finite().then_some(best)
}
