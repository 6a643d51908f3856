//! The road graph: roads split where they share a vertex, chains of
//! degree-2 nodes contracted into single links that keep their full
//! geometry, one-way rules, travel time per link from the speed of its
//! class, and connected components.
//!
//! The graph is held twice: as a petgraph [`DiGraph`] (nodes are junctions,
//! edges are directed arcs) for inspection and the reference algorithms,
//! and as compact forward/reverse adjacency arrays for the fast searches
//! in [`crate::routing`].

use std::collections::HashMap;

use geo::{Coord, Distance, Haversine, Point};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;

use crate::model::{Oneway, Road};

/// Speeds in km/h by road class, and how to use posted speeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedTable {
    /// km/h by class name (OSM `highway` values or the input's classes).
    pub by_class_kmh: Vec<(String, f64)>,
    /// km/h for a class not in the table.
    pub default_kmh: f64,
    /// Use a road's own `maxspeed` when it has one (capped by nothing: the
    /// posted speed is taken as the travel speed).
    pub use_maxspeed: bool,
}

impl Default for SpeedTable {
    fn default() -> Self {
        let table = [
            ("motorway", 100.0),
            ("trunk", 90.0),
            ("primary", 80.0),
            ("secondary", 60.0),
            ("tertiary", 50.0),
            ("unclassified", 30.0),
            ("residential", 30.0),
            ("living_street", 10.0),
            ("service", 20.0),
            ("track", 15.0),
            ("path", 5.0),
        ];
        SpeedTable {
            by_class_kmh: table.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
            default_kmh: 25.0,
            use_maxspeed: true,
        }
    }
}

impl SpeedTable {
    /// km/h for a class, ignoring a trailing `_link` (OSM ramps).
    pub fn class_kmh(&self, class: &str) -> f64 {
        let base = class.strip_suffix("_link").unwrap_or(class);
        self.by_class_kmh
            .iter()
            .find(|(c, _)| c == base)
            .map_or(self.default_kmh, |(_, v)| *v)
    }

    /// km/h for one road.
    pub fn road_kmh(&self, road: &Road) -> f64 {
        match road.maxspeed_kmh {
            Some(v) if self.use_maxspeed && v > 0.0 => v,
            _ => self.class_kmh(&road.class),
        }
    }
}

/// A road piece between two junctions (or dead ends), in both directions.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub from: u32,
    pub to: u32,
    /// Range of this link's vertices in [`RoadGraph::coords`]; the first is
    /// the `from` node, the last the `to` node.
    pub first_coord: u32,
    pub coord_count: u32,
    pub length_m: f64,
    /// Seconds per metre from `from` to `to`; `f64::INFINITY` when one-way
    /// against that direction.
    pub forward_s_per_m: f64,
    /// Seconds per metre from `to` to `from`; infinite when not allowed.
    pub backward_s_per_m: f64,
}

impl Link {
    pub fn forward_s(&self) -> f64 {
        self.length_m * self.forward_s_per_m
    }

    pub fn backward_s(&self) -> f64 {
        self.length_m * self.backward_s_per_m
    }
}

/// A directed arc: a link taken forward (`2 * link`) or backward
/// (`2 * link + 1`).
pub type ArcId = u32;

pub fn arc_link(arc: ArcId) -> usize {
    (arc / 2) as usize
}

pub fn arc_is_backward(arc: ArcId) -> bool {
    arc % 2 == 1
}

/// Compact adjacency: for node `n`, entries `offsets[n]..offsets[n+1]`.
#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    pub offsets: Vec<u32>,
    /// The node at the other end of the arc.
    pub other: Vec<u32>,
    pub cost_s: Vec<f64>,
    pub arc: Vec<ArcId>,
}

impl Adjacency {
    fn build(node_count: usize, mut entries: Vec<(u32, u32, f64, ArcId)>) -> Adjacency {
        entries.sort_by_key(|e| (e.0, e.3));
        let mut offsets = vec![0u32; node_count + 1];
        for e in &entries {
            offsets[e.0 as usize + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        Adjacency {
            offsets,
            other: entries.iter().map(|e| e.1).collect(),
            cost_s: entries.iter().map(|e| e.2).collect(),
            arc: entries.iter().map(|e| e.3).collect(),
        }
    }

    pub fn range(&self, node: u32) -> std::ops::Range<usize> {
        self.offsets[node as usize] as usize..self.offsets[node as usize + 1] as usize
    }
}

/// The routable road network.
#[derive(Clone, Debug)]
pub struct RoadGraph {
    /// Junctions as nodes (their lon/lat), arcs as edges weighted by ArcId.
    pub graph: DiGraph<Coord<f64>, ArcId>,
    pub links: Vec<Link>,
    /// All link geometry, lon/lat degrees.
    pub coords: Vec<Coord<f64>>,
    /// Weakly connected component of each node; components are numbered
    /// by their lowest node.
    pub component: Vec<u32>,
    /// Outgoing arcs per node.
    pub forward: Adjacency,
    /// Incoming arcs per node (`other` is the arc's tail).
    pub reverse: Adjacency,
}

/// Length in metres along a polyline of lon/lat vertices.
pub fn polyline_length_m(coords: &[Coord<f64>]) -> f64 {
    coords
        .windows(2)
        .map(|w| Haversine.distance(Point(w[0]), Point(w[1])))
        .sum()
}

/// Grid key of a vertex: coordinates rounded to 1e-7 degree (about 1 cm),
/// so vertices written by different tools with tiny float noise still meet.
fn key(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64)
}

/// One split piece before contraction.
struct Piece {
    from: u32,
    to: u32,
    coords: Vec<Coord<f64>>,
    forward_s_per_m: f64,
    backward_s_per_m: f64,
}

impl RoadGraph {
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn node_coord(&self, node: u32) -> Coord<f64> {
        self.graph[NodeIndex::new(node as usize)]
    }

    /// The vertices of a link, from its `from` node to its `to` node.
    pub fn link_coords(&self, link: usize) -> &[Coord<f64>] {
        let l = &self.links[link];
        &self.coords[l.first_coord as usize..(l.first_coord + l.coord_count) as usize]
    }

    /// Number of weakly connected components.
    pub fn component_count(&self) -> usize {
        let mut labels = self.component.clone();
        labels.sort_unstable();
        labels.dedup();
        labels.len()
    }

    /// Builds the graph from road lines and a speed table.
    pub fn build(roads: &[Road], speeds: &SpeedTable) -> RoadGraph {
        // 1. Which vertices are nodes: road ends and vertices used twice.
        let mut uses: HashMap<(i64, i64), u32> = HashMap::new();
        for road in roads {
            let n = road.geometry.0.len();
            for (i, c) in road.geometry.0.iter().enumerate() {
                let weight = if i == 0 || i + 1 == n { 2 } else { 1 };
                *uses.entry(key(*c)).or_insert(0) += weight;
            }
        }
        // 2. Split roads at nodes; number nodes by first appearance.
        let mut node_of: HashMap<(i64, i64), u32> = HashMap::new();
        let mut node_coords: Vec<Coord<f64>> = Vec::new();
        let mut node_id = |c: Coord<f64>, node_coords: &mut Vec<Coord<f64>>| -> u32 {
            *node_of.entry(key(c)).or_insert_with(|| {
                node_coords.push(c);
                (node_coords.len() - 1) as u32
            })
        };
        let mut pieces: Vec<Piece> = Vec::new();
        for road in roads {
            let s_per_m = 3.6 / speeds.road_kmh(road);
            let (fwd, back) = match road.oneway {
                Oneway::No => (s_per_m, s_per_m),
                Oneway::Forward => (s_per_m, f64::INFINITY),
                Oneway::Backward => (f64::INFINITY, s_per_m),
            };
            let coords: Vec<Coord<f64>> = road
                .geometry
                .0
                .iter()
                .map(|c| Coord {
                    x: key(*c).0 as f64 / 1e7,
                    y: key(*c).1 as f64 / 1e7,
                })
                .collect();
            let mut start = 0;
            for i in 1..coords.len() {
                let is_node =
                    i + 1 == coords.len() || uses.get(&key(coords[i])).is_some_and(|u| *u >= 2);
                if is_node {
                    let mut part = coords[start..=i].to_vec();
                    part.dedup();
                    if part.len() >= 2 {
                        let from = node_id(part[0], &mut node_coords);
                        let to = node_id(part[part.len() - 1], &mut node_coords);
                        pieces.push(Piece {
                            from,
                            to,
                            coords: part,
                            forward_s_per_m: fwd,
                            backward_s_per_m: back,
                        });
                    }
                    start = i;
                }
            }
        }
        Self::contract_and_index(node_coords, pieces)
    }

    /// Merges chains through degree-2 nodes whose two pieces have the same
    /// speed and direction rules, then builds the indexes.
    fn contract_and_index(node_coords: Vec<Coord<f64>>, pieces: Vec<Piece>) -> RoadGraph {
        let n = node_coords.len();
        let mut incident: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, p) in pieces.iter().enumerate() {
            incident[p.from as usize].push(i as u32);
            incident[p.to as usize].push(i as u32);
        }
        // Rates of a piece when walked away from `node`.
        let rates_from = |p: &Piece, node: u32| -> (f64, f64) {
            if p.from == node {
                (p.forward_s_per_m, p.backward_s_per_m)
            } else {
                (p.backward_s_per_m, p.forward_s_per_m)
            }
        };
        let removable: Vec<bool> = (0..n)
            .map(|v| {
                let inc = &incident[v];
                if inc.len() != 2 || inc[0] == inc[1] {
                    return false;
                }
                let (a, b) = (&pieces[inc[0] as usize], &pieces[inc[1] as usize]);
                // Walking a into v then out along b: a's rates towards v
                // must equal b's rates away from v.
                let (a_away_f, a_away_b) = rates_from(a, v as u32);
                let (b_away_f, b_away_b) = rates_from(b, v as u32);
                a_away_b == b_away_f && a_away_f == b_away_b
            })
            .collect();

        let mut used = vec![false; pieces.len()];
        let mut kept_id: Vec<u32> = vec![u32::MAX; n];
        let mut kept_coords: Vec<Coord<f64>> = Vec::new();
        let mut links: Vec<Link> = Vec::new();
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let keep = |v: u32, kept_id: &mut Vec<u32>, kept_coords: &mut Vec<Coord<f64>>| -> u32 {
            if kept_id[v as usize] == u32::MAX {
                kept_id[v as usize] = kept_coords.len() as u32;
                kept_coords.push(node_coords[v as usize]);
            }
            kept_id[v as usize]
        };
        // Walk each chain from a kept node; then the pure cycles left over.
        let walk = |start: u32,
                    first_piece: usize,
                    used: &mut Vec<bool>,
                    links: &mut Vec<Link>,
                    coords: &mut Vec<Coord<f64>>,
                    kept_id: &mut Vec<u32>,
                    kept_coords: &mut Vec<Coord<f64>>| {
            let (fwd, back) = rates_from(&pieces[first_piece], start);
            let first_coord = coords.len() as u32;
            let mut at = start;
            let mut piece = first_piece;
            loop {
                used[piece] = true;
                let p = &pieces[piece];
                let (next, geometry): (u32, Box<dyn Iterator<Item = &Coord<f64>>>) = if p.from == at
                {
                    (p.to, Box::new(p.coords.iter()))
                } else {
                    (p.from, Box::new(p.coords.iter().rev()))
                };
                let skip = if coords.len() as u32 == first_coord {
                    0
                } else {
                    1
                };
                coords.extend(geometry.skip(skip));
                at = next;
                if !removable[at as usize] || at == start {
                    break;
                }
                let inc = &incident[at as usize];
                let other = if inc[0] as usize == piece {
                    inc[1]
                } else {
                    inc[0]
                } as usize;
                if used[other] {
                    break;
                }
                piece = other;
            }
            let from = keep(start, kept_id, kept_coords);
            let to = keep(at, kept_id, kept_coords);
            let count = coords.len() as u32 - first_coord;
            let length_m = polyline_length_m(&coords[first_coord as usize..]);
            links.push(Link {
                from,
                to,
                first_coord,
                coord_count: count,
                length_m,
                forward_s_per_m: fwd,
                backward_s_per_m: back,
            });
        };
        for v in 0..n {
            if removable[v] {
                continue;
            }
            for &p in &incident[v] {
                if !used[p as usize] {
                    walk(
                        v as u32,
                        p as usize,
                        &mut used,
                        &mut links,
                        &mut coords,
                        &mut kept_id,
                        &mut kept_coords,
                    );
                }
            }
        }
        for (v, pieces_at) in incident.iter().enumerate() {
            for &p in pieces_at {
                if !used[p as usize] {
                    walk(
                        v as u32,
                        p as usize,
                        &mut used,
                        &mut links,
                        &mut coords,
                        &mut kept_id,
                        &mut kept_coords,
                    );
                }
            }
        }
        Self::index(kept_coords, links, coords)
    }

    /// Builds the petgraph view, the adjacency arrays and the components.
    fn index(node_coords: Vec<Coord<f64>>, links: Vec<Link>, coords: Vec<Coord<f64>>) -> RoadGraph {
        let n = node_coords.len();
        let mut graph: DiGraph<Coord<f64>, ArcId> = DiGraph::with_capacity(n, links.len() * 2);
        for c in &node_coords {
            graph.add_node(*c);
        }
        let mut out = Vec::with_capacity(links.len() * 2);
        let mut inc = Vec::with_capacity(links.len() * 2);
        let mut sets: UnionFind<u32> = UnionFind::new(n);
        for (i, l) in links.iter().enumerate() {
            sets.union(l.from, l.to);
            let arcs = [
                (l.from, l.to, l.forward_s(), 2 * i as u32),
                (l.to, l.from, l.backward_s(), 2 * i as u32 + 1),
            ];
            for (tail, head, cost_s, arc) in arcs {
                if cost_s.is_finite() {
                    graph.add_edge(
                        NodeIndex::new(tail as usize),
                        NodeIndex::new(head as usize),
                        arc,
                    );
                    out.push((tail, head, cost_s, arc));
                    inc.push((head, tail, cost_s, arc));
                }
            }
        }
        // Label each component by its lowest node, so labels do not depend
        // on union order.
        let mut lowest: Vec<u32> = vec![u32::MAX; n];
        for v in 0..n as u32 {
            let root = sets.find_mut(v) as usize;
            lowest[root] = lowest[root].min(v);
        }
        let component = (0..n as u32)
            .map(|v| lowest[sets.find_mut(v) as usize])
            .collect();
        RoadGraph {
            graph,
            links,
            coords,
            component,
            forward: Adjacency::build(n, out),
            reverse: Adjacency::build(n, inc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    fn road(coords: &[(f64, f64)], oneway: Oneway) -> Road {
        Road {
            geometry: LineString::from(coords.to_vec()),
            class: "primary".into(),
            maxspeed_kmh: None,
            oneway,
        }
    }

    #[test]
    fn splits_at_shared_vertex_and_contracts_chains() {
        // A cross: two roads sharing the middle vertex, with extra
        // shape points that must be contracted away.
        let roads = vec![
            road(
                &[
                    (0.0, 0.0),
                    (0.001, 0.0),
                    (0.002, 0.0),
                    (0.003, 0.0),
                    (0.004, 0.0),
                ],
                Oneway::No,
            ),
            road(
                &[
                    (0.002, -0.002),
                    (0.002, -0.001),
                    (0.002, 0.0),
                    (0.002, 0.001),
                ],
                Oneway::No,
            ),
        ];
        let g = RoadGraph::build(&roads, &SpeedTable::default());
        assert_eq!(g.node_count(), 5, "4 ends + 1 crossing");
        assert_eq!(g.links.len(), 4);
        let total: f64 = g.links.iter().map(|l| l.length_m).sum();
        let expected =
            polyline_length_m(&roads[0].geometry.0) + polyline_length_m(&roads[1].geometry.0);
        assert!((total - expected).abs() < 1e-6);
        assert_eq!(g.component_count(), 1);
    }

    #[test]
    fn end_to_end_roads_merge_when_rules_match_and_not_otherwise() {
        let same = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::No),
            road(&[(0.001, 0.0), (0.002, 0.0)], Oneway::No),
        ];
        assert_eq!(
            RoadGraph::build(&same, &SpeedTable::default()).links.len(),
            1
        );
        // Second piece drawn backwards but one-way backwards: same rule.
        let flipped = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(0.002, 0.0), (0.001, 0.0)], Oneway::Backward),
        ];
        let g = RoadGraph::build(&flipped, &SpeedTable::default());
        assert_eq!(g.links.len(), 1);
        assert!(g.links[0].forward_s().is_finite() != g.links[0].backward_s().is_finite());
        let mixed = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(0.001, 0.0), (0.002, 0.0)], Oneway::No),
        ];
        assert_eq!(
            RoadGraph::build(&mixed, &SpeedTable::default()).links.len(),
            2
        );
    }

    #[test]
    fn one_way_gives_one_arc_and_islands_get_their_own_component() {
        let roads = vec![
            road(&[(0.0, 0.0), (0.001, 0.0)], Oneway::Forward),
            road(&[(1.0, 1.0), (1.001, 1.0)], Oneway::No),
        ];
        let g = RoadGraph::build(&roads, &SpeedTable::default());
        assert_eq!(g.graph.edge_count(), 3);
        assert_eq!(g.component_count(), 2);
        assert_ne!(g.component[0], g.component[2]);
    }

    #[test]
    fn a_closed_loop_of_shape_points_keeps_one_node() {
        let ring = road(
            &[
                (0.0, 0.0),
                (0.001, 0.0),
                (0.001, 0.001),
                (0.0, 0.001),
                (0.0, 0.0),
            ],
            Oneway::No,
        );
        let g = RoadGraph::build(std::slice::from_ref(&ring), &SpeedTable::default());
        assert_eq!(g.links.len(), 1);
        assert!((g.links[0].length_m - polyline_length_m(&ring.geometry.0)).abs() < 1e-6);
    }
}
