//! What the district searches walk: the road graph's arcs laid out one
//! record per arc, without the dead ends that no trip can use.
//!
//! A dead end here is a part of the network hanging off the rest by a
//! single junction (a cul-de-sac, a tree of farm tracks) with no school's
//! link end in it. A trip between two points outside it that went in
//! would have to come back out through that same junction, so it is never
//! on a shortest path, and a search that skips it settles the other nodes
//! at the same distances, in the same order, with the same parents: only
//! the nodes of the dead end are missing. On the national OSM extract
//! dead ends hold about a quarter of the nodes the searches settled.

use crate::graph::{Adjacency, ArcId, RoadGraph};
use crate::spatial::Snap;

/// One arc as a search walks it: seconds, the node at its other end and
/// its id, together (16 bytes) so that a relaxation reads one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hop {
    pub cost_s: f64,
    pub other: u32,
    pub arc: ArcId,
}

/// The arcs a search walks from a node, in the order it relaxes them.
pub trait Arcs {
    fn hops(&self, node: u32) -> impl Iterator<Item = Hop> + '_;
}

impl Arcs for Adjacency {
    fn hops(&self, node: u32) -> impl Iterator<Item = Hop> + '_ {
        self.range(node).map(|e| Hop {
            cost_s: self.cost_s[e],
            other: self.other[e],
            arc: self.arc[e],
        })
    }
}

/// An adjacency of the graph (the same nodes, each with its arcs in the
/// same order) less the arcs into or out of dead ends.
#[derive(Clone, Debug, Default)]
pub struct Core {
    offsets: Vec<u32>,
    hops: Vec<Hop>,
    dead: Vec<bool>,
}

impl Arcs for Core {
    fn hops(&self, node: u32) -> impl Iterator<Item = Hop> + '_ {
        let n = node as usize;
        self.hops[self.offsets[n] as usize..self.offsets[n + 1] as usize]
            .iter()
            .copied()
    }
}

/// The nodes joined to `node` by an arc either way, itself excepted, each
/// once, in `out`.
fn neighbours(graph: &RoadGraph, node: u32, out: &mut Vec<u32>) {
    out.clear();
    let both = [&graph.forward, &graph.reverse];
    for adj in both {
        out.extend(adj.range(node).map(|e| adj.other[e]).filter(|&o| o != node));
    }
    out.sort_unstable();
    out.dedup();
}

impl Core {
    /// `adj` (the graph's forward or reverse adjacency) without the dead
    /// ends: nodes removed one by one while they have at most one
    /// neighbour left and are not `needed` (the nodes that searches start
    /// from, stop at or are asked about). What is left is every needed
    /// node, and every node on a path between two of them or into a cycle.
    pub fn without_dead_ends(
        graph: &RoadGraph,
        adj: &Adjacency,
        needed: impl IntoIterator<Item = u32>,
    ) -> Core {
        let n = graph.node_count();
        let mut keep_always = vec![false; n];
        for v in needed {
            if let Some(k) = keep_always.get_mut(v as usize) {
                *k = true;
            }
        }
        let mut around = Vec::new();
        let mut degree: Vec<u32> = (0..n as u32)
            .map(|v| {
                neighbours(graph, v, &mut around);
                around.len() as u32
            })
            .collect();
        let mut dead = vec![false; n];
        let mut stack: Vec<u32> = (0..n as u32)
            .filter(|&v| degree[v as usize] <= 1 && !keep_always[v as usize])
            .collect();
        while let Some(v) = stack.pop() {
            if dead[v as usize] {
                continue;
            }
            dead[v as usize] = true;
            neighbours(graph, v, &mut around);
            for &w in &around {
                let w = w as usize;
                if !dead[w] {
                    degree[w] -= 1;
                    if degree[w] <= 1 && !keep_always[w] {
                        stack.push(w as u32);
                    }
                }
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut hops = Vec::with_capacity(adj.other.len());
        offsets.push(0u32);
        for v in 0..n as u32 {
            if !dead[v as usize] {
                hops.extend(adj.hops(v).filter(|h| !dead[h.other as usize]));
            }
            offsets.push(hops.len() as u32);
        }
        Core {
            offsets,
            hops,
            dead,
        }
    }

    /// The core of the reverse graph for searches between `points`: the
    /// nodes needed are the ends of their links (the nodes a search towards
    /// a point starts from, and a trip from a point leaves by).
    pub fn for_points<'s>(graph: &RoadGraph, points: impl IntoIterator<Item = &'s Snap>) -> Core {
        let ends = points.into_iter().flat_map(|s| {
            let l = &graph.links[s.link as usize];
            [l.from, l.to]
        });
        Core::without_dead_ends(graph, &graph.reverse, ends)
    }

    /// Whether `node` is kept (not in a dead end).
    pub fn has(&self, node: u32) -> bool {
        self.dead.get(node as usize).is_some_and(|d| !d)
    }

    /// Number of nodes left out.
    pub fn dead_count(&self) -> usize {
        self.dead.iter().filter(|&&d| d).count()
    }
}
