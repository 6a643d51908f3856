//! Allocation of a whole run: the chosen hubs become [`Slot`]s, every
//! school a [`Seeker`] with the hubs it reaches (in its district from the
//! travel matrices, beyond it from [`reach_within_until`] when the scenario
//! allows cross-district members), [`allocate_totals`] assigns them, and the
//! members' routes are rebuilt from the kept search trees. The result is
//! the run's school, hub, route and district outcomes.

use std::cell::RefCell;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{allocate_totals, Assignment, Choice, Connection, ReasonContext, Rules, Seeker, Slot};
use crate::model::{HubLevel, Reason, School};
use crate::network::{component_of, Prepared};
use crate::outcome::{
    AllocationTotals, DistrictOutcome, HubOutcome, RankedCandidate, RankedLevel, Role, RouteOutcome, SchoolOutcome,
};
use crate::error::{Error, Result};
use crate::progress::{check_cancelled, Progress};
use crate::routing::reach::{reach_within_until, Reach};
use crate::routing::{route, same_link_s, Departure, Ends};
use crate::scenario::{Capacity, Config};
use crate::select::district::{DistrictSelection, HubExplain};

/// What allocation gives the run.
pub struct Allocated {
    /// One per school taking part, in the order of the prepared schools.
    pub schools: Vec<SchoolOutcome>,
    pub hubs: Vec<HubOutcome>,
    pub routes: Vec<RouteOutcome>,
    pub districts: Vec<DistrictOutcome>,
    /// What allocation adds up to, when hubs have capacities.
    pub totals: Option<AllocationTotals>,
}

/// A chosen hub with where it is.
struct HubSlot<'e> {
    district: usize,
    /// Local index in the district.
    local: usize,
    /// Global school index.
    school: usize,
    level: HubLevel,
    explain: &'e HubExplain,
    /// Row of the hub in its district's matrix.
    row: Option<usize>,
}

/// Allocates every school to a hub (or stand-alone), builds the members'
/// routes from the kept search trees, and figures each district. Stops
/// with [`crate::error::ErrorKind::Cancelled`] between its steps once
/// `progress` is cancelled.
pub fn allocate_run(
    prepared: &Prepared,
    selections: &[DistrictSelection],
    config: &Config,
    progress: &dyn Progress,
) -> Result<Allocated> {
    let checked = &prepared.checked;
    let slots = hub_slots(prepared, selections);
    // Hubs chosen over a region serve it across district borders.
    let cross_district =
        config.allocation.cross_district || config.group_by != crate::scenario::GroupBy::District;
    let reaches = if cross_district {
        cross_district_reach(prepared, &slots, config, progress)?
    } else {
        Vec::new()
    };
    check_cancelled(progress)?;
    let seekers = seekers(prepared, &slots, &reaches);
    let alloc_slots: Vec<Slot> = slots
        .iter()
        .map(|s| Slot {
            level: s.level,
            school: s.school,
            district: s.district,
            capacity_students: capacity_of(&checked.schools[s.school].school, config),
        })
        .collect();
    let rules = Rules {
        limit_min: config.max_travel_min,
        cutoff_min: config.search_cutoff_min,
        overflow: config.allocation.overflow,
        cross_district,
        method: config.allocation.method,
    };
    let connections = Connections::new(prepared, &slots);
    let (assignments, totals) = allocate_totals(
        &seekers,
        &alloc_slots,
        &|g, k| connections.between(g, k),
        &rules,
    );
    check_cancelled(progress)?;
    let routes = member_routes(prepared, &slots, &reaches, &assignments);
    check_cancelled(progress)?;
    let road_km: Vec<Option<f64>> = {
        let mut v = vec![None; checked.schools.len()];
        for r in routes.iter().flatten() {
            v[r.0] = Some(r.1.road_km);
        }
        v
    };
    let (schools, served) = school_outcomes(prepared, &slots, &assignments, &road_km, config);
    let hubs = hub_outcomes(prepared, &slots, &served, &alloc_slots);
    let districts = (0..checked.districts.len())
        .map(|d| {
            let mine: Vec<&SchoolOutcome> =
                prepared.members[d].iter().map(|&g| &schools[g]).collect();
            let levels: Vec<HubLevel> = selections[d].hubs.iter().map(|h| h.1).collect();
            progress.advance(1);
            DistrictOutcome {
                ranked: ranked_levels(prepared, d, &selections[d]),
                ..DistrictOutcome::of(
                    &checked.districts[d],
                    &mine,
                    &levels,
                    checked.weighting,
                    selections[d].shortfalls.clone(),
                    selections[d].unreachable.clone(),
                )
            }
        })
        .collect();
    Ok(Allocated {
        schools,
        hubs,
        routes: routes.into_iter().flatten().map(|r| r.1).collect(),
        districts,
        totals: alloc_slots
            .iter()
            .any(|s| s.capacity_students.is_finite())
            .then_some(totals),
    })
}

/// The assignment problem allocation solves for this run: the schools
/// with the hubs they reach, the hubs with their capacities, and the
/// rules (for checking the solvers against another on the same problem).
pub fn allocation_problem(
    prepared: &Prepared,
    selections: &[DistrictSelection],
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Vec<Seeker>, Vec<Slot>, Rules)> {
    let checked = &prepared.checked;
    let slots = hub_slots(prepared, selections);
    let cross_district =
        config.allocation.cross_district || config.group_by != crate::scenario::GroupBy::District;
    let reaches = if cross_district {
        cross_district_reach(prepared, &slots, config, progress)?
    } else {
        Vec::new()
    };
    let seekers = seekers(prepared, &slots, &reaches);
    let alloc_slots = slots
        .iter()
        .map(|s| Slot {
            level: s.level,
            school: s.school,
            district: s.district,
            capacity_students: capacity_of(&checked.schools[s.school].school, config),
        })
        .collect();
    let rules = Rules {
        limit_min: config.max_travel_min,
        cutoff_min: config.search_cutoff_min,
        overflow: config.allocation.overflow,
        cross_district,
        method: config.allocation.method,
    };
    Ok((seekers, alloc_slots, rules))
}

/// The chosen hubs of every district, in district then choice order.
fn hub_slots<'e>(prepared: &Prepared, selections: &'e [DistrictSelection]) -> Vec<HubSlot<'e>> {
    selections
        .iter()
        .enumerate()
        .flat_map(|(d, sel)| {
            sel.hubs.iter().map(move |(c, level, e)| HubSlot {
                district: d,
                local: *c,
                school: prepared.members[d][*c],
                level: *level,
                explain: e,
                row: prepared.matrices[d].row_of(*c),
            })
        })
        .collect()
}

/// Each hub's reach over the whole run, within the travel limit; stops
/// once `progress` is cancelled (asked before each hub's search).
fn cross_district_reach(
    prepared: &Prepared,
    slots: &[HubSlot<'_>],
    config: &Config,
    progress: &dyn Progress,
) -> Result<Vec<Reach>> {
    let checked = &prepared.checked;
    let points: Vec<_> = (0..checked.schools.len())
        .map(|g| checked.placed(g))
        .collect();
    let offroad_s: Vec<f64> = (0..checked.schools.len())
        .map(|g| checked.offroad_s(g, config))
        .collect();
    let hubs: Vec<usize> = slots.iter().map(|s| s.school).collect();
    reach_within_until(
        &checked.graph,
        &points,
        &offroad_s,
        &hubs,
        config.max_travel_min * 60.0,
        &|| progress.cancelled(),
    )
    .ok_or_else(Error::cancelled)
}

/// Every school with the hubs it reaches: in its district from the
/// matrices, then (cross-district) from the hubs' reach.
fn seekers(prepared: &Prepared, slots: &[HubSlot<'_>], reaches: &[Reach]) -> Vec<Seeker> {
    let checked = &prepared.checked;
    let mut seekers: Vec<Seeker> = checked
        .schools
        .iter()
        .enumerate()
        .map(|(g, p)| Seeker {
            level: p.school.level,
            students: p.school.students.unwrap_or(0.0),
            district: p.district,
            component: checked.placed(g).map(|s| component_of(&checked.graph, &s)),
            options: Vec::new(),
        })
        .collect();
    for (k, slot) in slots.iter().enumerate() {
        let Some(row) = slot.row else { continue };
        let matrix = &prepared.matrices[slot.district];
        for (i, &g) in prepared.members[slot.district].iter().enumerate() {
            let t = matrix.seconds(row, i);
            if t.is_finite() && i != slot.local {
                seekers[g].options.push(Choice {
                    slot: k,
                    travel_s: t,
                });
            }
        }
    }
    for (k, reach) in reaches.iter().enumerate() {
        for &(g, t, _) in &reach.trips {
            if !seekers[g].options.iter().any(|c| c.slot == k) {
                seekers[g].options.push(Choice {
                    slot: k,
                    travel_s: t,
                });
            }
        }
    }
    seekers
}

/// Students a hub can serve under the scenario's capacity rule.
fn capacity_of(school: &School, config: &Config) -> f64 {
    match &config.allocation.capacity {
        Capacity::Unlimited => f64::INFINITY,
        Capacity::Field(f) => school.field(f).unwrap_or(f64::INFINITY),
        Capacity::PerClassroom(size) => school.classrooms * size,
    }
}

/// How the network joins a school with no hub in reach to a hub, to name
/// why it stands alone (asked for few schools; the SCCs reaching each hub
/// are kept between questions).
struct Connections<'a> {
    prepared: &'a Prepared,
    slots: &'a [HubSlot<'a>],
    reaching: RefCell<BTreeMap<u32, Vec<u32>>>,
}

impl<'a> Connections<'a> {
    fn new(prepared: &'a Prepared, slots: &'a [HubSlot<'a>]) -> Self {
        Connections {
            prepared,
            slots,
            reaching: RefCell::new(BTreeMap::new()),
        }
    }

    /// How school `g` is joined to the hub of slot `k`.
    fn between(&self, g: usize, k: usize) -> Connection {
        let checked = &self.prepared.checked;
        let graph = &checked.graph;
        let Some(from) = checked.placed(g) else {
            return Connection::None;
        };
        let Some(to) = checked.placed(self.slots[k].school) else {
            return Connection::HubOffNetwork;
        };
        if component_of(graph, &from) != component_of(graph, &to) {
            return Connection::None;
        }
        if same_link_s(graph, &from, &to).is_finite() {
            return Connection::Road;
        }
        let leave: Vec<u32> = Ends::of(graph, &from)
            .leave_nodes()
            .map(|n| graph.scc[n as usize])
            .collect();
        let mut cache = self.reaching.borrow_mut();
        for hub_scc in Ends::of(graph, &to)
            .enter_nodes()
            .map(|n| graph.scc[n as usize])
        {
            let from_sccs = cache
                .entry(hub_scc)
                .or_insert_with(|| graph.sccs_reaching(hub_scc));
            if leave.iter().any(|s| from_sccs.binary_search(s).is_ok()) {
                return Connection::Road;
            }
        }
        Connection::OneWayOnly
    }
}

/// The members' routes, in parallel: from the district matrix's tree when
/// the hub is in the school's district, else from the hub's cross-district
/// search. Each with its member's global index.
fn member_routes(
    prepared: &Prepared,
    slots: &[HubSlot<'_>],
    reaches: &[Reach],
    assignments: &[Assignment],
) -> Vec<Option<(usize, RouteOutcome)>> {
    let checked = &prepared.checked;
    let mut local_of = vec![(0, 0); checked.schools.len()];
    for (d, m) in prepared.members.iter().enumerate() {
        for (i, &g) in m.iter().enumerate() {
            local_of[g] = (d, i);
        }
    }
    let member_list: Vec<(usize, usize, f64)> = assignments
        .iter()
        .enumerate()
        .filter_map(|(g, a)| match a {
            Assignment::Member { slot, travel_s, .. } => Some((g, *slot, *travel_s)),
            _ => None,
        })
        .collect();
    member_list
        .par_iter()
        .map(|&(g, k, travel_s)| {
            let slot = &slots[k];
            let (d, i) = local_of[g];
            let from = checked.placed(g)?;
            let to = checked.placed(slot.school)?;
            let matrix = &prepared.matrices[d];
            let r = match (slot.district == d, slot.row) {
                (true, Some(row)) => {
                    let dep = matrix.departure(row, i).unwrap_or(Departure::SameLink);
                    route(&checked.graph, &matrix.trees[row], &from, &to, dep)
                }
                _ => {
                    let reach = reaches.get(k)?;
                    let p = reach.trips.binary_search_by_key(&g, |t| t.0).ok()?;
                    route(&checked.graph, &reach.tree, &from, &to, reach.trips[p].2)
                }
            };
            Some((
                g,
                RouteOutcome {
                    school: checked.schools[g].school.id.clone(),
                    hub: checked.schools[slot.school].school.id.clone(),
                    district: checked.districts[d].code.clone(),
                    level: slot.level,
                    travel_min: travel_s / 60.0,
                    road_km: r.road_m / 1000.0,
                    coords: r.coords,
                },
            ))
        })
        .collect()
}

/// What each hub serves: (members, students of the hub and its members
/// with a count, members over capacity).
type Served = (usize, Option<f64>, usize);

/// The outcome of every school taking part, and what each hub serves.
fn school_outcomes(
    prepared: &Prepared,
    slots: &[HubSlot<'_>],
    assignments: &[Assignment],
    road_km: &[Option<f64>],
    config: &Config,
) -> (Vec<SchoolOutcome>, Vec<Served>) {
    let checked = &prepared.checked;
    let mut served: Vec<Served> = slots
        .iter()
        .map(|s| (0, checked.schools[s.school].school.students, 0))
        .collect();
    let mut outcomes = Vec::with_capacity(checked.schools.len());
    for (g, a) in assignments.iter().enumerate() {
        let p = &checked.schools[g];
        let s = &p.school;
        let offroad_m = checked.snaps[g].map(|s| s.offroad_m);
        let mut o = SchoolOutcome {
            id: s.id.clone(),
            name: s.name.clone(),
            district: Some(checked.districts[p.district].code.clone()),
            level: Some(s.level),
            students: s.students,
            lon_lat: Some((s.lon, s.lat)),
            role: Role::StandAlone,
            hub_level: None,
            hub_id: None,
            travel_min: None,
            road_km: None,
            offroad_m,
            over_capacity: false,
            reason: None,
        };
        match a {
            Assignment::Hub(k) => {
                o.role = Role::Hub;
                o.hub_level = Some(slots[*k].level);
                o.hub_id = Some(s.id.clone());
                o.travel_min = Some(0.0);
                o.road_km = Some(0.0);
            }
            Assignment::Member {
                slot,
                travel_s,
                over_capacity,
            } => {
                o.role = Role::Member;
                o.hub_level = Some(slots[*slot].level);
                o.hub_id = Some(checked.schools[slots[*slot].school].school.id.clone());
                o.travel_min = Some(travel_s / 60.0);
                o.road_km = road_km[g];
                o.over_capacity = *over_capacity;
                let served = &mut served[*slot];
                served.0 += 1;
                if let Some(n) = s.students {
                    served.1 = Some(served.1.unwrap_or(0.0) + n);
                }
                if *over_capacity {
                    served.2 += 1;
                    o.reason = Some(Reason::OverCapacity);
                }
            }
            Assignment::StandAlone(why) => {
                o.reason = Some(why.reason(&ReasonContext {
                    limit_min: config.max_travel_min,
                    district: &checked.districts[p.district].code.0,
                    offroad_m,
                    max_snap_m: config.max_snap_m,
                }))
            }
        }
        outcomes.push(o);
    }
    (outcomes, served)
}

/// Each chosen hub with why and what it serves.
fn hub_outcomes(
    prepared: &Prepared,
    slots: &[HubSlot<'_>],
    served: &[Served],
    alloc_slots: &[Slot],
) -> Vec<HubOutcome> {
    let checked = &prepared.checked;
    slots
        .iter()
        .zip(served)
        .zip(alloc_slots)
        .map(|((slot, &(n, students_served, over)), a)| {
            let s = &checked.schools[slot.school].school;
            let e = slot.explain;
            HubOutcome {
                id: s.id.clone(),
                name: s.name.clone(),
                district: checked.districts[slot.district].code.clone(),
                level: slot.level,
                lon: s.lon,
                lat: s.lat,
                students: s.students,
                score: e.score,
                parts: e.parts.clone(),
                rank: e.rank,
                candidates: e.candidates,
                runner_up: e.runner_up.map(|r| checked.schools[r].school.id.clone()),
                runner_up_name: e
                    .runner_up
                    .map(|r| checked.schools[r].school.name.clone())
                    .unwrap_or_default(),
                margin: e.margin,
                margin_unit: e.margin_unit,
                forced: e.forced,
                exact: e.exact,
                gap: e.gap,
                stability: e.stability.clone(),
                members: n,
                students_served,
                capacity: a
                    .capacity_students
                    .is_finite()
                    .then_some(a.capacity_students),
                over_capacity: over,
            }
        })
        .collect()
}

/// District `d`'s ranked candidates with their ids and names.
fn ranked_levels(prepared: &Prepared, d: usize, selection: &DistrictSelection) -> Vec<RankedLevel> {
    let members = &prepared.members[d];
    let schools = &prepared.checked.schools;
    selection
        .ranked
        .iter()
        .map(|(level, list)| RankedLevel {
            level: *level,
            candidates: list
                .iter()
                .map(|&(c, score)| {
                    let school = &schools[members[c]].school;
                    RankedCandidate {
                        id: school.id.clone(),
                        name: school.name.clone(),
                        score,
                        hub: selection.hubs.iter().any(|h| h.0 == c && h.1 == *level),
                    }
                })
                .collect(),
        })
        .collect()
}
