//! The flags a school gets for where it lies on the road network: too far
//! from every road, moved past a small road fragment, on a road island, or
//! in a one-way trap. They go to the rejects as `Flagged`: the school
//! stays in the run, stand-alone unless a hub is where it can reach.

use std::collections::BTreeMap;

use crate::graph::RoadGraph;
use crate::model::{Action, District, DistrictCode, Reason, Rejects, TrapWay};
use crate::routing::Ends;
use crate::scenario::Config;
use crate::spatial::{Placement, Snap};
use crate::validate::PlacedSchool;

/// The road component a snapped school is on (weakly connected: one-way
/// rules aside).
pub fn component_of(graph: &RoadGraph, snap: &Snap) -> u32 {
    graph.component[graph.links[snap.link as usize].from as usize]
}

/// The strongly connected component a snapped school is in: its node's
/// when it is on a junction, else its link's (`None` on a one-way link
/// between two SCCs).
fn scc_of(graph: &RoadGraph, snap: &Snap) -> Option<u32> {
    match crate::routing::node_of(graph, snap) {
        Some(node) => Some(graph.scc[node as usize]),
        None => graph.link_scc(snap.link as usize),
    }
}

/// Flags a school for where it lies: its row stays in the run.
fn flag_place(rejects: &mut Rejects, p: &PlacedSchool, reason: Reason) {
    rejects.push(
        &p.school.source,
        &p.school.id.0,
        "lon/lat",
        reason,
        Action::Flagged,
    );
}

/// Flags the schools snapped too far from every road and those moved past
/// a nearer small road fragment; returns whether each school is on the
/// network (within `max_snap_m`).
pub fn flag_snaps(
    schools: &[PlacedSchool],
    placements: &[Option<Placement>],
    config: &Config,
    rejects: &mut Rejects,
) -> Vec<bool> {
    let mut on_network: Vec<bool> = Vec::with_capacity(schools.len());
    for (p, placement) in schools.iter().zip(placements) {
        let s = placement.map(|p| p.snap);
        let ok = s.is_some_and(|s| s.offroad_m <= config.max_snap_m);
        let mut flag = |reason: Reason| flag_place(rejects, p, reason);
        if let (false, Some(s)) = (ok, s) {
            flag(Reason::FarFromRoad {
                offroad_m: s.offroad_m,
                max_snap_m: config.max_snap_m,
            });
        }
        if let Some(Placement {
            snap,
            passed: Some(passed),
        }) = placement
        {
            flag(Reason::PastFragment {
                snap_m: snap.offroad_m,
                nearest_m: passed.snap.offroad_m,
                junctions: passed.junctions as usize,
                small_junctions: config.small_component_junctions as usize,
            });
        }
        on_network.push(ok);
    }
    on_network
}

/// Per district, the strongly connected component holding most of its
/// on-network schools (ties go to the one with more junctions, then the
/// lower label), with that count.
fn main_sccs(
    schools: &[PlacedSchool],
    placed: &[Option<&Snap>],
    graph: &RoadGraph,
    district_count: usize,
) -> Vec<Option<(u32, usize)>> {
    let mut per_district: Vec<BTreeMap<u32, usize>> = vec![BTreeMap::new(); district_count];
    for (p, s) in schools.iter().zip(placed) {
        if let Some(c) = s.and_then(|s| scc_of(graph, s)) {
            *per_district[p.district].entry(c).or_insert(0) += 1;
        }
    }
    per_district
        .iter()
        .map(|m| {
            m.iter().fold(None, |best: Option<(u32, usize)>, (&c, &n)| {
                let size = |c: u32| graph.scc_junctions[c as usize];
                if best.is_none_or(|(b, bn)| (n, size(c)) > (bn, size(b))) {
                    Some((c, n))
                } else {
                    best
                }
            })
        })
        .collect()
}

/// The weak component of each of the given SCCs (through one of its nodes).
fn components_of_sccs(graph: &RoadGraph, sccs: impl Iterator<Item = u32>) -> BTreeMap<u32, u32> {
    let mut node_in: BTreeMap<u32, u32> = sccs.map(|c| (c, u32::MAX)).collect();
    for (v, c) in graph.scc.iter().enumerate() {
        if let Some(slot) = node_in.get_mut(c) {
            if *slot == u32::MAX {
                *slot = v as u32;
            }
        }
    }
    node_in
        .into_iter()
        .filter(|&(_, v)| v != u32::MAX)
        .map(|(c, v)| (c, graph.component[v as usize]))
        .collect()
}

/// The SCCs that lead to, and that are reached from, one main SCC.
type Ways = (Vec<u32>, Vec<u32>);

/// Why a school off its district's main SCC but on the same roads cannot
/// join it, when one-way rules block one way or both.
fn trap_reason(
    graph: &RoadGraph,
    snap: &Snap,
    ways: &Ways,
    n: usize,
    code: &DistrictCode,
) -> Option<Reason> {
    let (to_main, from_main) = ways;
    let ends = Ends::of(graph, snap);
    let can_leave = ends
        .leave_nodes()
        .any(|v| to_main.binary_search(&graph.scc[v as usize]).is_ok());
    let can_enter = ends
        .enter_nodes()
        .any(|v| from_main.binary_search(&graph.scc[v as usize]).is_ok());
    let way = match (can_leave, can_enter) {
        (false, true) => TrapWay::NoWayOut,
        (true, false) => TrapWay::NoWayIn,
        (false, false) => TrapWay::Both,
        (true, true) => return None,
    };
    Some(Reason::OneWayTrap {
        way,
        others: n,
        district: code.0.clone(),
    })
}

/// Flags each on-network school that is not in the strongly connected
/// component holding most of its district's on-network schools: on a road
/// island when no road joins it to them at all, in a one-way trap when
/// roads join them but one-way rules block one way or both (the flag says
/// which).
pub fn flag_islands(
    schools: &[PlacedSchool],
    snaps: &[Option<Snap>],
    on_network: &[bool],
    graph: &RoadGraph,
    districts: &[District],
    rejects: &mut Rejects,
) {
    let placed: Vec<Option<&Snap>> = snaps
        .iter()
        .zip(on_network)
        .map(|(s, ok)| s.as_ref().filter(|_| *ok))
        .collect();
    let main = main_sccs(schools, &placed, graph, districts.len());
    let main_component = components_of_sccs(graph, main.iter().flatten().map(|m| m.0));
    let mut ways: BTreeMap<u32, Ways> = BTreeMap::new();
    for (p, s) in schools.iter().zip(&placed) {
        let (Some(snap), Some((main_scc, n))) = (s, main[p.district]) else {
            continue;
        };
        if scc_of(graph, snap) == Some(main_scc) {
            continue;
        }
        let code = &districts[p.district].code;
        let component = component_of(graph, snap);
        let reason = if main_component.get(&main_scc) != Some(&component) {
            Reason::RoadIsland {
                junctions: graph.component_junctions[component as usize] as usize,
                others: n,
                district: code.0.clone(),
            }
        } else {
            let ways = ways.entry(main_scc).or_insert_with(|| {
                (
                    graph.sccs_reaching(main_scc),
                    graph.sccs_reached_from(main_scc),
                )
            });
            match trap_reason(graph, snap, ways, n, code) {
                Some(reason) => reason,
                None => continue,
            }
        };
        flag_place(rejects, p, reason);
    }
}
