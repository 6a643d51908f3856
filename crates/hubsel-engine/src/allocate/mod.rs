//! Members to hubs: every school that is not a hub joins the nearest hub of
//! its level by door-to-door travel time, or stands alone when no hub of
//! its level is within the scenario's limit. With capacities, schools are
//! placed nearest-first and a full hub sends the next ones to their next
//! nearest hub (or takes them flagged, as the scenario says).

mod mincost;
pub mod run;

use std::collections::BTreeMap;

use crate::model::{HubLevel, Level, Reason};
use crate::outcome::AllocationTotals as Totals;
use crate::scenario::{Method, Overflow};

/// A hub as allocation sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub level: HubLevel,
    /// Index of the hub school among the seekers.
    pub school: usize,
    /// The hub's district (an index the caller chooses).
    pub district: usize,
    /// Students the hub can serve, its own included; infinite without a
    /// capacity rule.
    pub capacity_students: f64,
}

/// A hub a school could join, and the door-to-door seconds to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
    pub slot: usize,
    pub travel_s: f64,
}

/// A school looking for a hub.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeker {
    pub level: Level,
    pub students: f64,
    /// The school's district (same indices as [`Slot::district`]).
    pub district: usize,
    /// Road component of the school's snap point; `None` off the network.
    pub component: Option<u32>,
    /// Every hub of its level it can reach (within the search cutoff),
    /// in any order.
    pub options: Vec<Choice>,
}

/// How the road network joins a school to a hub, whatever the distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// A road path leads from the school to the hub.
    Road,
    /// On one connected network, but the one-way rules allow no path from
    /// the school to the hub.
    OneWayOnly,
    /// No road joins them (different islands, or the school is off the
    /// network).
    None,
    /// The hub is not on the road network.
    HubOffNetwork,
}

/// Why a school stands alone.
#[derive(Clone, Debug, PartialEq)]
pub enum Alone {
    /// No hub of the school's level in its district (with cross-district
    /// assignment: in any district).
    NoHub { level: Level, cross_district: bool },
    /// The school is not on the road network (farther than the snap limit
    /// from any road, or no roads).
    OffNetwork,
    /// On a road island: no hub of its level on the same connected network.
    Island,
    /// Every hub of its level that could serve it is off the road network.
    HubsOffNetwork { cross_district: bool },
    /// On the same connected network as hubs of its level, but one-way
    /// roads allow no way from it to any of them.
    OneWayTrap { cross_district: bool },
    /// Hubs of its level are reachable but farther than the search cutoff
    /// (minutes given).
    BeyondCutoff(f64),
    /// With cross-district assignment: no hub of its level within the
    /// travel limit in any district, and none in its own district within
    /// the search cutoff.
    NoneWithinLimit,
    /// The nearest hub is beyond the travel limit (minutes given).
    TooFar(f64),
}

/// What a stand-alone reason names besides the reason itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReasonContext<'a> {
    /// The travel limit, minutes.
    pub limit_min: f64,
    /// The school's district code.
    pub district: &'a str,
    /// Metres from the school to the nearest road, when there are roads.
    pub offroad_m: Option<f64>,
    /// The scenario's snap limit, metres.
    pub max_snap_m: f64,
}

impl Alone {
    pub fn reason(&self, cx: &ReasonContext<'_>) -> Reason {
        let district = |cross: bool| (!cross).then(|| cx.district.to_string());
        let max_snap_m = cx.max_snap_m;
        match self {
            Alone::NoHub {
                level,
                cross_district,
            } => Reason::NoHub {
                level: *level,
                district: district(*cross_district),
            },
            Alone::OffNetwork => Reason::OffNetwork {
                offroad_m: cx.offroad_m,
                max_snap_m,
            },
            Alone::Island => Reason::OnIsland,
            Alone::HubsOffNetwork { cross_district } => Reason::HubsOffNetwork {
                district: district(*cross_district),
                max_snap_m,
            },
            Alone::OneWayTrap { cross_district } => Reason::TrappedFromHubs {
                district: district(*cross_district),
            },
            Alone::BeyondCutoff(c) => Reason::BeyondCutoff { cutoff_min: *c },
            Alone::NoneWithinLimit => Reason::NoneWithinLimit {
                limit_min: cx.limit_min,
            },
            Alone::TooFar(m) => Reason::TooFar {
                travel_min: *m,
                limit_min: cx.limit_min,
            },
        }
    }
}

/// Where one school ends up.
#[derive(Clone, Debug, PartialEq)]
pub enum Assignment {
    /// The school is the hub of this slot.
    Hub(usize),
    /// Member of a slot's hub, with door-to-door seconds; `over_capacity`
    /// when the hub was already full.
    Member {
        slot: usize,
        travel_s: f64,
        over_capacity: bool,
    },
    StandAlone(Alone),
}

/// The rules allocation follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    pub limit_min: f64,
    pub cutoff_min: f64,
    pub overflow: Overflow,
    /// Hubs of other districts count (else only the school's own
    /// district's hubs serve it).
    pub cross_district: bool,
    /// How members are placed under capacities.
    pub method: Method,
}


/// Why a school on the network that no hub of its level reaches within
/// the search cutoff stands alone: asks how the roads join it to the hubs
/// that could serve it, until one road path is found.
fn unreached(
    seeker: usize,
    serving: &[usize],
    connection: &dyn Fn(usize, usize) -> Connection,
    rules: &Rules,
) -> Alone {
    let mut joins: Vec<Connection> = Vec::new();
    for &k in serving {
        let c = connection(seeker, k);
        joins.push(c);
        if c == Connection::Road {
            break;
        }
    }
    if joins.contains(&Connection::Road) {
        if rules.cross_district {
            Alone::NoneWithinLimit
        } else {
            Alone::BeyondCutoff(rules.cutoff_min)
        }
    } else if joins.contains(&Connection::OneWayOnly) {
        Alone::OneWayTrap {
            cross_district: rules.cross_district,
        }
    } else if joins.contains(&Connection::None) {
        Alone::Island
    } else {
        Alone::HubsOffNetwork {
            cross_district: rules.cross_district,
        }
    }
}

/// The hubs that could serve a school, by its level and (without
/// cross-district assignment) its district, in slot order: each list is
/// made once from its district's slots, so finding a school's list costs
/// a lookup, not a pass over every hub of the country.
struct Serving<'s> {
    slots: &'s [Slot],
    /// Slots of each district, in slot order; `None` when every
    /// district's hubs count.
    by_district: Option<BTreeMap<usize, Vec<usize>>>,
    lists: BTreeMap<(Level, usize), Vec<usize>>,
    /// Slots looked at so far, to check a school's list costs no pass over
    /// every hub.
    inspected: usize,
}

impl<'s> Serving<'s> {
    fn new(slots: &'s [Slot], cross_district: bool) -> Self {
        let by_district = (!cross_district).then(|| {
            let mut by: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (k, slot) in slots.iter().enumerate() {
                by.entry(slot.district).or_default().push(k);
            }
            by
        });
        Serving {
            slots,
            by_district,
            lists: BTreeMap::new(),
            inspected: 0,
        }
    }

    /// The slots serving a school of `level` in `district`.
    fn of(&mut self, level: Level, district: usize) -> &[usize] {
        let slots = self.slots;
        let by_district = &self.by_district;
        let inspected = &mut self.inspected;
        // Across districts every school of a level shares one list.
        let key = (level, if by_district.is_some() { district } else { 0 });
        self.lists.entry(key).or_insert_with(|| {
            let serves = |k: &usize| {
                *inspected += 1;
                level.serves(slots[*k].level)
            };
            match by_district {
                Some(by) => by
                    .get(&district)
                    .map(|ks| ks.iter().copied().filter(serves).collect())
                    .unwrap_or_default(),
                None => (0..slots.len()).filter(serves).collect(),
            }
        })
    }
}

/// Allocates every seeker (see [`allocate_totals`]).
pub fn allocate(
    seekers: &[Seeker],
    slots: &[Slot],
    connection: &dyn Fn(usize, usize) -> Connection,
    rules: &Rules,
) -> Vec<Assignment> {
    allocate_totals(seekers, slots, connection, rules).0
}

/// A school that will be a member, its nearest travel time first, and its
/// choices within the limit, nearest first.
type Queued = (f64, usize, Vec<Choice>);

/// Allocates every seeker, with what it adds up to. Nearest-first places
/// schools in order of their nearest hub's travel time (ties by seeker
/// order), so under capacities the nearest schools keep their nearest
/// hub; ties between equally near hubs go to the lower slot. Min-cost
/// (with capacities and `overflow = "next"`) places them by the
/// transportation optimum (see the `mincost` module).
///
/// `connection(seeker, slot)` says how the road network joins a school to
/// a hub; it is asked only about schools with no hub in reach, to name
/// why they stand alone.
pub fn allocate_totals(
    seekers: &[Seeker],
    slots: &[Slot],
    connection: &dyn Fn(usize, usize) -> Connection,
    rules: &Rules,
) -> (Vec<Assignment>, Totals) {
    let (mut result, queue) = members_queue(seekers, slots, connection, rules);
    let own: Vec<f64> = slots.iter().map(|s| seekers[s.school].students).collect();
    let mut load = own.clone();
    let everyone: Vec<usize> = (0..queue.len()).collect();
    place_nearest_first(seekers, slots, rules.overflow, &queue, &everyone, &mut load, &mut result);
    let mut totals = Totals {
        method: Method::NearestFirst,
        ..Totals::default()
    };
    let capacities = slots.iter().any(|s| s.capacity_students.is_finite());
    if rules.method == Method::MinCost && rules.overflow == Overflow::Next && capacities {
        totals.method = Method::MinCost;
        min_cost(seekers, slots, &queue, &own, &mut result, &mut totals);
    }
    let result: Vec<Assignment> = result
        .into_iter()
        .map(|a| a.unwrap_or(Assignment::StandAlone(Alone::OffNetwork)))
        .collect();
    for (s, a) in seekers.iter().zip(&result) {
        match a {
            Assignment::Member {
                travel_s,
                over_capacity,
                ..
            } => {
                totals.student_minutes += s.students * travel_s / 60.0;
                if *over_capacity {
                    totals.students_over += s.students;
                }
            }
            Assignment::StandAlone(_) => totals.students_alone += s.students,
            Assignment::Hub(_) => {}
        }
    }
    (result, totals)
}

/// Hubs and stand-alone schools settled, and the schools to place with
/// their choices, in placing order.
fn members_queue(
    seekers: &[Seeker],
    slots: &[Slot],
    connection: &dyn Fn(usize, usize) -> Connection,
    rules: &Rules,
) -> (Vec<Option<Assignment>>, Vec<Queued>) {
    let limit_s = rules.limit_min * 60.0;
    let mut result: Vec<Option<Assignment>> = vec![None; seekers.len()];
    for (k, slot) in slots.iter().enumerate() {
        result[slot.school] = Some(Assignment::Hub(k));
    }
    let mut serving_lists = Serving::new(slots, rules.cross_district);
    // Sorted options within the limit, per school.
    let mut queue: Vec<Queued> = Vec::new();
    for (i, s) in seekers.iter().enumerate() {
        if result[i].is_some() {
            continue;
        }
        let counts = |k: usize| rules.cross_district || slots[k].district == s.district;
        let mut mine: Vec<Choice> = s
            .options
            .iter()
            .copied()
            .filter(|c| s.level.serves(slots[c.slot].level) && counts(c.slot))
            .collect();
        mine.sort_by(|a, b| a.travel_s.total_cmp(&b.travel_s).then(a.slot.cmp(&b.slot)));
        let serving = serving_lists.of(s.level, s.district);
        let alone = if serving.is_empty() {
            Some(Alone::NoHub {
                level: s.level,
                cross_district: rules.cross_district,
            })
        } else if s.component.is_none() {
            Some(Alone::OffNetwork)
        } else {
            match mine.first() {
                None => Some(unreached(i, serving, connection, rules)),
                Some(c) if c.travel_s > limit_s => Some(Alone::TooFar(c.travel_s / 60.0)),
                Some(_) => None,
            }
        };
        match alone {
            Some(a) => result[i] = Some(Assignment::StandAlone(a)),
            None => {
                mine.retain(|c| c.travel_s <= limit_s);
                queue.push((mine[0].travel_s, i, mine));
            }
        }
    }
    queue.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    (result, queue)
}

/// Places the queued schools at positions `which` (in that order)
/// nearest-first against `load`.
fn place_nearest_first(
    seekers: &[Seeker],
    slots: &[Slot],
    overflow: Overflow,
    queue: &[Queued],
    which: &[usize],
    load: &mut [f64],
    result: &mut [Option<Assignment>],
) {
    for &q in which {
        let (_, i, options) = &queue[q];
        let students = seekers[*i].students;
        let fits = |c: &Choice, load: &[f64]| {
            load[c.slot] + students <= slots[c.slot].capacity_students + 1e-9
        };
        let pick = match overflow {
            Overflow::Next => options.iter().find(|c| fits(c, load)).map(|c| (*c, false)),
            Overflow::Flag => None,
        };
        let (choice, over) = pick.unwrap_or_else(|| (options[0], !fits(&options[0], load)));
        load[choice.slot] += students;
        result[*i] = Some(Assignment::Member {
            slot: choice.slot,
            travel_s: choice.travel_s,
            over_capacity: over,
        });
    }
}

/// Replaces nearest-first's placement, group by group, by the rounded
/// transportation optimum where that is no worse.
fn min_cost(
    seekers: &[Seeker],
    slots: &[Slot],
    queue: &[Queued],
    own: &[f64],
    result: &mut [Option<Assignment>],
    totals: &mut Totals,
) {
    let mut bound_s = 0.0;
    let mut bound_over = 0.0;
    for group in mincost::groups(queue, slots.len()) {
        let options: Vec<&[Choice]> = group.iter().map(|&q| queue[q].2.as_slice()).collect();
        let who: Vec<usize> = group.iter().map(|&q| queue[q].1).collect();
        if !mincost::any_capacity(slots, &options) {
            // Nearest-first is the optimum: every school at its nearest.
            let (over, secs) = mincost::cost_of(seekers, result, &who);
            bound_over += over;
            bound_s += secs;
            continue;
        }
        let members: Vec<(usize, &[Choice])> = who.iter().copied().zip(options.iter().copied()).collect();
        let room = |k: usize| slots[k].capacity_students - own[k];
        let t = mincost::transport(seekers, &members, &room);
        bound_over += t.students_over;
        bound_s += t.student_s;
        let mut mine: Vec<Option<Assignment>> = result.to_vec();
        let mut load = own.to_vec();
        let mut rest = Vec::new();
        for (p, &q) in group.iter().enumerate() {
            let (_, i, opts) = &queue[q];
            let students = seekers[*i].students;
            let whole = opts
                .iter()
                .zip(&t.flows[p])
                .find(|(_, f)| **f >= students - 1e-9 && **f > 1e-9)
                .filter(|_| t.over[p] <= 1e-9);
            match whole {
                Some((c, _)) if seekers[*i].students > 0.0 => {
                    load[c.slot] += seekers[*i].students;
                    mine[*i] = Some(Assignment::Member {
                        slot: c.slot,
                        travel_s: c.travel_s,
                        over_capacity: false,
                    });
                }
                _ => {
                    if seekers[*i].students > 0.0 {
                        totals.split_schools += 1;
                    }
                    rest.push(q);
                }
            }
        }
        place_nearest_first(seekers, slots, Overflow::Next, queue, &rest, &mut load, &mut mine);
        if mincost::no_worse(
            mincost::cost_of(seekers, &mine, &who),
            mincost::cost_of(seekers, result, &who),
        ) {
            for &i in &who {
                result[i] = mine[i].take();
            }
        }
    }
    totals.bound_student_minutes = Some(bound_s / 60.0);
    totals.bound_students_over = Some(bound_over);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeker(level: Level, students: f64, options: &[(usize, f64)]) -> Seeker {
        Seeker {
            level,
            students,
            district: 0,
            component: Some(0),
            options: options
                .iter()
                .map(|&(slot, min)| Choice {
                    slot,
                    travel_s: min * 60.0,
                })
                .collect(),
        }
    }

    fn rules(overflow: Overflow) -> Rules {
        Rules {
            limit_min: 45.0,
            cutoff_min: 1440.0,
            overflow,
            cross_district: false,
            method: Method::NearestFirst,
        }
    }

    #[test]
    fn nearest_hub_of_the_level_within_the_limit() {
        let seekers = vec![
            seeker(Level::Primary, 100.0, &[]),
            seeker(Level::Secondary, 100.0, &[]),
            seeker(Level::Primary, 10.0, &[(0, 20.0), (1, 5.0)]),
            seeker(Level::Both, 10.0, &[(0, 20.0), (1, 5.0)]),
            seeker(Level::Primary, 10.0, &[(0, 50.0)]),
            seeker(Level::Primary, 10.0, &[]),
        ];
        let slots = vec![
            Slot {
                level: HubLevel::Primary,
                school: 0,
                district: 0,
                capacity_students: f64::INFINITY,
            },
            Slot {
                level: HubLevel::Secondary,
                school: 1,
                district: 0,
                capacity_students: f64::INFINITY,
            },
        ];
        // School 5 reaches no hub: on an island, behind a one-way trap, or
        // on the network but beyond the cutoff.
        let a = allocate(
            &seekers,
            &slots,
            &|i, _| {
                if i == 5 {
                    Connection::None
                } else {
                    Connection::Road
                }
            },
            &rules(Overflow::Next),
        );
        assert_eq!(a[0], Assignment::Hub(0));
        assert!(
            matches!(a[2], Assignment::Member { slot: 0, .. }),
            "primary school ignores the nearer secondary hub"
        );
        assert!(
            matches!(a[3], Assignment::Member { slot: 1, .. }),
            "a both-levels school takes the nearest hub of either"
        );
        assert_eq!(a[4], Assignment::StandAlone(Alone::TooFar(50.0)));
        assert_eq!(a[5], Assignment::StandAlone(Alone::Island));
        let a = allocate(
            &seekers,
            &slots,
            &|_, _| Connection::OneWayOnly,
            &rules(Overflow::Next),
        );
        assert_eq!(
            a[5],
            Assignment::StandAlone(Alone::OneWayTrap {
                cross_district: false
            })
        );
        let a = allocate(
            &seekers,
            &slots,
            &|_, _| Connection::Road,
            &rules(Overflow::Next),
        );
        assert_eq!(a[5], Assignment::StandAlone(Alone::BeyondCutoff(1440.0)));
    }

    #[test]
    fn a_full_hub_sends_the_farther_schools_on() {
        // Hub 0 holds 100 students and has room for 150: one 40-student
        // school fits, the second goes to hub 1 (next) or joins flagged.
        let seekers = vec![
            seeker(Level::Primary, 100.0, &[]),
            seeker(Level::Primary, 100.0, &[]),
            seeker(Level::Primary, 40.0, &[(0, 10.0), (1, 30.0)]),
            seeker(Level::Primary, 40.0, &[(0, 12.0), (1, 40.0)]),
        ];
        let slots = vec![
            Slot {
                level: HubLevel::Primary,
                school: 0,
                district: 0,
                capacity_students: 150.0,
            },
            Slot {
                level: HubLevel::Primary,
                school: 1,
                district: 0,
                capacity_students: 500.0,
            },
        ];
        let a = allocate(
            &seekers,
            &slots,
            &|_, _| Connection::Road,
            &rules(Overflow::Next),
        );
        assert_eq!(
            a[2],
            Assignment::Member {
                slot: 0,
                travel_s: 600.0,
                over_capacity: false
            }
        );
        assert_eq!(
            a[3],
            Assignment::Member {
                slot: 1,
                travel_s: 2400.0,
                over_capacity: false
            }
        );
        let a = allocate(
            &seekers,
            &slots,
            &|_, _| Connection::Road,
            &rules(Overflow::Flag),
        );
        assert_eq!(
            a[3],
            Assignment::Member {
                slot: 0,
                travel_s: 720.0,
                over_capacity: true
            }
        );
    }

    #[test]
    fn only_the_own_districts_hubs_count_without_cross_district_assignment() {
        // Seeker 2 is in district 1, which has no primary hub; district
        // 0's hub is 5 minutes away.
        let mut seekers = vec![
            seeker(Level::Primary, 100.0, &[]),
            seeker(Level::Primary, 10.0, &[(0, 5.0)]),
            seeker(Level::Primary, 10.0, &[(0, 5.0)]),
            seeker(Level::Secondary, 10.0, &[]),
        ];
        seekers[2].district = 1;
        let slots = vec![Slot {
            level: HubLevel::Primary,
            school: 0,
            district: 0,
            capacity_students: f64::INFINITY,
        }];
        let road = |_: usize, _: usize| Connection::Road;
        let a = allocate(&seekers, &slots, &road, &rules(Overflow::Next));
        assert!(matches!(a[1], Assignment::Member { slot: 0, .. }));
        let no_hub = Alone::NoHub {
            level: Level::Primary,
            cross_district: false,
        };
        assert_eq!(a[2], Assignment::StandAlone(no_hub.clone()));
        let cx = ReasonContext {
            limit_min: 45.0,
            district: "5012",
            offroad_m: Some(12.0),
            max_snap_m: 5000.0,
        };
        assert_eq!(
            no_hub.reason(&cx).en(),
            "no primary hub in district 5012: see the shortfalls"
        );
        assert_eq!(
            a[3],
            Assignment::StandAlone(Alone::NoHub {
                level: Level::Secondary,
                cross_district: false
            })
        );
        let cross = Rules {
            cross_district: true,
            ..rules(Overflow::Next)
        };
        let a = allocate(&seekers, &slots, &road, &cross);
        assert!(matches!(a[2], Assignment::Member { slot: 0, .. }));
        assert_eq!(
            a[3].clone(),
            Assignment::StandAlone(Alone::NoHub {
                level: Level::Secondary,
                cross_district: true
            })
        );
        // Across districts, a hub reachable but beyond every bound.
        seekers[2].options.clear();
        let a = allocate(&seekers, &slots, &road, &cross);
        assert_eq!(a[2], Assignment::StandAlone(Alone::NoneWithinLimit));
    }

    #[test]
    fn a_schools_serving_hubs_cost_no_pass_over_every_hub() {
        // 2,000 districts with a primary and a secondary hub each, and 20
        // schools of each level per district: finding each school's
        // serving hubs must look at each hub a bounded number of times (a
        // pass over every hub per school would be 120,000 x 4,000).
        let districts = 2_000;
        let slots: Vec<Slot> = (0..districts)
            .flat_map(|d| {
                [HubLevel::Primary, HubLevel::Secondary].map(|level| Slot {
                    level,
                    school: 0,
                    district: d,
                    capacity_students: f64::INFINITY,
                })
            })
            .collect();
        let levels = [Level::Primary, Level::Secondary, Level::Both];
        for cross_district in [false, true] {
            let mut serving = Serving::new(&slots, cross_district);
            let mut schools = 0usize;
            for d in 0..districts {
                for n in 0..60 {
                    let level = levels[n % 3];
                    let got = serving.of(level, d).to_vec();
                    // Each district's first school of each level: its
                    // list against a pass over every hub.
                    if n < levels.len() {
                        let want: Vec<usize> = (0..slots.len())
                            .filter(|&k| {
                                level.serves(slots[k].level)
                                    && (cross_district || slots[k].district == d)
                            })
                            .collect();
                        assert_eq!(got, want, "district {d}, {level:?}");
                    }
                    schools += 1;
                }
            }
            assert!(
                serving.inspected <= 3 * slots.len(),
                "{} slots looked at for {schools} schools and {} slots (cross-district: {cross_district})",
                serving.inspected,
                slots.len()
            );
        }
    }
}
