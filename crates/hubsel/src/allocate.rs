//! Members to hubs: every school that is not a hub joins the nearest hub
//! of its level by door-to-door travel time, or stands alone when no hub
//! of its level is within the scenario's limit.

use crate::model::{HubLevel, Level};
use crate::routing::matrix::TravelMatrix;

/// A chosen hub as allocation sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HubRef {
    /// Local index of the hub school in its district.
    pub school: usize,
    pub level: HubLevel,
    /// Row of the hub in the district's travel matrix.
    pub row: usize,
}

/// Why a school stands alone.
#[derive(Clone, Debug, PartialEq)]
pub enum Alone {
    /// The district has no hub of the school's level.
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
            Alone::BeyondCutoff(c) => format!("no hub of its level within the {c} min search cutoff"),
            Alone::TooFar(m) => format!("nearest hub {m:.1} min away, beyond the {limit_min} min limit"),
        }
    }
}

/// Where one school ends up.
#[derive(Clone, Debug, PartialEq)]
pub enum Assignment {
    Hub(HubLevel),
    /// Member of a hub, with door-to-door seconds.
    Member { hub: HubRef, travel_s: f64 },
    StandAlone(Alone),
}

/// What allocation knows of each school of a district.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SchoolLink {
    pub level: Level,
    /// Road network component of the school's snap point; `None` when the
    /// school is not on the network.
    pub component: Option<u32>,
}

/// Allocates every school of a district. `hubs` are the district's chosen
/// hubs in a fixed order (ties between equally near hubs go to the earlier
/// one). Trips slower than `cutoff_min` are unknown to the matrix.
pub fn allocate(schools: &[SchoolLink], hubs: &[HubRef], matrix: &TravelMatrix, limit_min: f64, cutoff_min: f64) -> Vec<Assignment> {
    (0..schools.len())
        .map(|i| {
            if let Some(h) = hubs.iter().find(|h| h.school == i) {
                return Assignment::Hub(h.level);
            }
            let mine: Vec<&HubRef> = hubs.iter().filter(|h| schools[i].level.serves(h.level)).collect();
            if mine.is_empty() {
                return Assignment::StandAlone(Alone::NoHub);
            }
            let Some(component) = schools[i].component else {
                return Assignment::StandAlone(Alone::OffNetwork);
            };
            let mut best: Option<(&HubRef, f64)> = None;
            for &h in &mine {
                let s = matrix.seconds(h.row, i);
                if s.is_finite() && best.is_none_or(|(_, b)| s < b) {
                    best = Some((h, s));
                }
            }
            match best {
                None if mine.iter().any(|h| schools[h.school].component == Some(component)) => {
                    Assignment::StandAlone(Alone::BeyondCutoff(cutoff_min))
                }
                None => Assignment::StandAlone(Alone::Island),
                Some((_, s)) if s / 60.0 > limit_min => Assignment::StandAlone(Alone::TooFar(s / 60.0)),
                Some((h, s)) => Assignment::Member { hub: *h, travel_s: s },
            }
        })
        .collect()
}
