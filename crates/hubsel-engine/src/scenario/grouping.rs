//! `group_by` and `hubs_per_group`: whether hubs are chosen per district
//! (the policy) or over a province or the whole run (the region-wide
//! models), and how many per group.

use toml::de::DeTable;

use super::doc::{get, Checker, Place};
use super::read::hub_counts;
use super::{GroupBy, StrategyKind};
use crate::error::quote;

/// The strategies that choose hubs over a province or the whole run.
pub const REGION_STRATEGIES: [StrategyKind; 3] = [
    StrategyKind::PMedian,
    StrategyKind::PCenter,
    StrategyKind::MaxCover,
];

/// The grouping keys as read.
pub(super) struct Grouping {
    pub(super) group_by: GroupBy,
    pub(super) hubs_per_group: Option<(usize, usize)>,
}

impl Grouping {
    /// `group_by` (one of [`GroupBy::ALL`]) and `hubs_per_group`, checked
    /// against each other and against the strategy: a region-wide grouping
    /// is for the location models, and `hubs_per_group` means nothing per
    /// district.
    pub(super) fn read(
        ck: &mut Checker<'_>,
        root: &DeTable<'_>,
        strategy: StrategyKind,
    ) -> Grouping {
        let value = get(root, "group_by");
        let group_by = match value.map(|v| (ck.line(v), ck.text(v, "group_by"))) {
            None | Some((_, None)) => GroupBy::District,
            Some((at, Some(text))) => GroupBy::parse(&text).unwrap_or_else(|| {
                let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
                ck.problem(
                    at,
                    "group_by",
                    format!(
                        "unknown grouping {} (one of: {})",
                        quote(&text),
                        names.join(", ")
                    ),
                );
                GroupBy::District
            }),
        };
        if let Some(v) = value {
            if group_by != GroupBy::District && !REGION_STRATEGIES.contains(&strategy) {
                let names: Vec<&str> = REGION_STRATEGIES.iter().map(|k| k.as_str()).collect();
                ck.problem(
                    ck.line(v),
                    "group_by",
                    format!(
                        "group_by = {} chooses hubs over a whole region, which strategy = {} does not do (one of: {})",
                        quote(group_by.as_str()),
                        quote(strategy.as_str()),
                        names.join(", ")
                    ),
                );
            }
        }
        let hubs_per_group = get(root, "hubs_per_group").and_then(|v| {
            let at = ck.line(v);
            let t = ck.table(v, "hubs_per_group", "{ primary = 25, secondary = 25 }")?;
            let counts = hub_counts(ck, t, Place::HubsPerGroup, 1_000_000);
            if group_by == GroupBy::District {
                ck.problem(
                    at,
                    "hubs_per_group",
                    "is for group_by = \"province\" or \"none\"; per district, give hubs_per_district",
                );
            }
            Some(counts)
        });
        Grouping {
            group_by,
            hubs_per_group,
        }
    }
}
