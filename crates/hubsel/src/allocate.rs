//! Members to hubs: every school that is not a hub joins the nearest hub of
//! its level by door-to-door travel time, or stands alone when no hub of
//! its level is within the scenario's limit. With capacities, schools are
//! placed nearest-first and a full hub sends the next ones to their next
//! nearest hub (or takes them flagged, as the scenario says).

use crate::model::{HubLevel, Level};

/// A hub as allocation sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub level: HubLevel,
    /// Index of the hub school among the seekers.
    pub school: usize,
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
    /// Road component of the school's snap point; `None` off the network.
    pub component: Option<u32>,
    /// Every hub of its level it can reach (within the search cutoff),
    /// in any order.
    pub options: Vec<Choice>,
}

/// Why a school stands alone.
#[derive(Clone, Debug, PartialEq)]
pub enum Alone {
    /// No hub of the school's level serves its district.
    NoHub,
    /// The school is not on the road network (farther than the snap limit
    /// from any road, or no roads).
    OffNetwork,
    /// On a road island: no hub of its level on the same connected network.
    Island,
    /// Hubs of its level are on its network but farther than the search
    /// cutoff (minutes given).
    BeyondCutoff(f64),
    /// The nearest hub is beyond the travel limit (minutes given).
    TooFar(f64),
}

impl Alone {
    pub fn reason(&self, limit_min: f64) -> String {
        match self {
            Alone::NoHub => "no hub of its level in the district".into(),
            Alone::OffNetwork => "not on the road network".into(),
            Alone::Island => "on a road island: no road connects it to a hub of its level".into(),
            Alone::BeyondCutoff(c) => {
                format!("no hub of its level within the {c} min search cutoff")
            }
            Alone::TooFar(m) => {
                format!("nearest hub {m:.1} min away, beyond the {limit_min} min limit")
            }
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

/// What to do with a school whose nearest hub is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Try the next nearest hub of its level within the limit; join the
    /// nearest, flagged, when all are full.
    #[default]
    Next,
    /// Join the nearest hub anyway, flagged.
    Flag,
}

/// The rules allocation follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    pub limit_min: f64,
    pub cutoff_min: f64,
    pub overflow: Overflow,
}

/// Allocates every seeker. Schools are placed in order of their nearest
/// hub's travel time (ties by seeker order), so under capacities the
/// nearest schools keep their nearest hub. Ties between equally near hubs
/// go to the lower slot.
pub fn allocate(
    seekers: &[Seeker],
    slots: &[Slot],
    hub_components: &[u32],
    rules: &Rules,
) -> Vec<Assignment> {
    let limit_s = rules.limit_min * 60.0;
    let mut result: Vec<Option<Assignment>> = vec![None; seekers.len()];
    let mut load: Vec<f64> = slots.iter().map(|s| seekers[s.school].students).collect();
    for (k, slot) in slots.iter().enumerate() {
        result[slot.school] = Some(Assignment::Hub(k));
    }
    // Sorted options within the limit, per school.
    let mut queue: Vec<(f64, usize, Vec<Choice>)> = Vec::new();
    for (i, s) in seekers.iter().enumerate() {
        if result[i].is_some() {
            continue;
        }
        let mut mine: Vec<Choice> = s
            .options
            .iter()
            .copied()
            .filter(|c| s.level.serves(slots[c.slot].level))
            .collect();
        mine.sort_by(|a, b| a.travel_s.total_cmp(&b.travel_s).then(a.slot.cmp(&b.slot)));
        let serving: Vec<usize> = (0..slots.len())
            .filter(|&k| s.level.serves(slots[k].level))
            .collect();
        let alone = if serving.is_empty() {
            Some(Alone::NoHub)
        } else if let Some(component) = s.component {
            match mine.first() {
                None if serving.iter().any(|&k| hub_components[k] == component) => {
                    Some(Alone::BeyondCutoff(rules.cutoff_min))
                }
                None => Some(Alone::Island),
                Some(c) if c.travel_s > limit_s => Some(Alone::TooFar(c.travel_s / 60.0)),
                Some(_) => None,
            }
        } else {
            Some(Alone::OffNetwork)
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
    for (_, i, options) in queue {
        let students = seekers[i].students;
        let fits = |c: &Choice, load: &[f64]| {
            load[c.slot] + students <= slots[c.slot].capacity_students + 1e-9
        };
        let pick = match rules.overflow {
            Overflow::Next => options.iter().find(|c| fits(c, &load)).map(|c| (*c, false)),
            Overflow::Flag => None,
        };
        let (choice, over) = pick.unwrap_or_else(|| (options[0], !fits(&options[0], &load)));
        load[choice.slot] += students;
        result[i] = Some(Assignment::Member {
            slot: choice.slot,
            travel_s: choice.travel_s,
            over_capacity: over,
        });
    }
    result
        .into_iter()
        .map(|a| a.unwrap_or(Assignment::StandAlone(Alone::OffNetwork)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeker(level: Level, students: f64, options: &[(usize, f64)]) -> Seeker {
        Seeker {
            level,
            students,
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
                capacity_students: f64::INFINITY,
            },
            Slot {
                level: HubLevel::Secondary,
                school: 1,
                capacity_students: f64::INFINITY,
            },
        ];
        let mut no_road = seekers.clone();
        no_road[5].component = Some(7);
        let a = allocate(&no_road, &slots, &[0, 0], &rules(Overflow::Next));
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
        let a = allocate(&seekers, &slots, &[0, 0], &rules(Overflow::Next));
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
                capacity_students: 150.0,
            },
            Slot {
                level: HubLevel::Primary,
                school: 1,
                capacity_students: 500.0,
            },
        ];
        let a = allocate(&seekers, &slots, &[0, 0], &rules(Overflow::Next));
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
        let a = allocate(&seekers, &slots, &[0, 0], &rules(Overflow::Flag));
        assert_eq!(
            a[3],
            Assignment::Member {
                slot: 0,
                travel_s: 720.0,
                over_capacity: true
            }
        );
    }
}
