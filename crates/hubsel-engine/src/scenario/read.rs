//! Reading a scenario file into a [`Config`]: the top-level keys are
//! checked here, the `[[criteria]]` and `[ahp]` tables in `criteria`, the
//! other tables in `tables`. Every check records its problem and goes on;
//! the problems are reported together at the end, in line order.

use std::collections::{BTreeMap, BTreeSet};

use toml::de::DeTable;

use super::doc::{get, Checker, Place, Value};
use super::{
    criteria, grouping, tables, Config, StrategyKind, WeightsRule, DEFAULT_CUTOFF_MIN,
    DEFAULT_SMALL_COMPONENT_JUNCTIONS,
};
use crate::error::{quote, Result};
use crate::model::SchoolId;

/// Parses and checks an explicit scenario (a file the user gave): every
/// problem of the file is reported at once, each as
/// ``line N: `key`: message``, in line order. `source` names the file in
/// messages. The config stays strict when fitted to the data
/// ([`Config::fit_to`]); for the shipped default, which adapts, see
/// [`super::default_scenario`].
pub fn parse(text: &str, source: &str) -> Result<Config> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut ck = Checker::new(text);
    if !syntax.is_empty() {
        ck.syntax(&syntax);
        return Err(ck.into_error(
            source,
            Some("the file is not valid TOML, so reading stopped at these lines: fix them and run again to check the rest"),
        ));
    }
    let root = doc.get_ref();
    ck.check_keys(root, Place::Top);

    let name = get(root, "name").and_then(|v| ck.text(v, "name"));
    if let Some(v) = get(root, "description") {
        ck.text(v, "description");
    }
    let strategy = strategy(&mut ck, get(root, "strategy"));
    let seed = seed(&mut ck, get(root, "seed"));
    let reach = Reach::read(&mut ck, root);
    let weights = weights(&mut ck, get(root, "weights"));
    let (hubs_primary, hubs_secondary) = hubs_per_district(&mut ck, get(root, "hubs_per_district"));
    let grouping = grouping::Grouping::read(&mut ck, root, strategy);
    let (criteria, ahp) = criteria::read(&mut ck, root, strategy);
    let rules = tables::Rules::read(&mut ck, root);
    let hub_ids = HubIds::read(&mut ck, root);

    if !ck.is_empty() {
        return Err(ck.into_error(source, None));
    }
    Ok(Config {
        name: name.unwrap_or_else(|| "unnamed".into()),
        strategy,
        seed,
        hubs_primary,
        hubs_secondary,
        group_by: grouping.group_by,
        hubs_per_group: grouping.hubs_per_group,
        max_travel_min: reach.max_travel_min,
        search_cutoff_min: reach.search_cutoff_min,
        offroad_speed_kmh: reach.offroad_speed_kmh,
        max_snap_m: reach.max_snap_m,
        small_component_junctions: reach.small_component_junctions,
        weights,
        required_hubs: hub_ids.required,
        excluded_hubs: hub_ids.excluded,
        criteria,
        constraints: rules.constraints,
        allocation: rules.allocation,
        speeds: rules.speeds,
        levels: rules.levels,
        columns: rules.columns,
        source: source.to_string(),
        ahp,
        notes: Vec::new(),
        adapts_to_data: false,
        id_lines: hub_ids.lines,
        field_lines: rules.field_lines,
        min_students_line: rules.min_students_line,
    })
}

/// `strategy`: one of [`StrategyKind::ALL`] by name; `score` when not
/// given or not readable.
fn strategy(ck: &mut Checker<'_>, value: Option<&Value<'_>>) -> StrategyKind {
    match value.map(|v| (ck.line(v), ck.text(v, "strategy"))) {
        None | Some((_, None)) => StrategyKind::Score,
        Some((at, Some(s))) => StrategyKind::parse(&s).unwrap_or_else(|| {
            let names: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.as_str()).collect();
            ck.problem(
                at,
                "strategy",
                format!(
                    "unknown strategy {} (one of: {})",
                    quote(&s),
                    names.join(", ")
                ),
            );
            StrategyKind::Score
        }),
    }
}

/// `seed`: a whole number ≥ 0; 0 when not given or not readable.
fn seed(ck: &mut Checker<'_>, value: Option<&Value<'_>>) -> u64 {
    match value.map(|v| (ck.line(v), ck.whole(v, "seed"))) {
        Some((_, Some(n))) if n >= 0 => n as u64,
        Some((at, Some(n))) => {
            ck.problem(at, "seed", format!("must be a whole number ≥ 0, got {n}"));
            0
        }
        _ => 0,
    }
}

/// How far trips and the snapping of schools to roads may reach: the
/// top-level limits.
struct Reach {
    max_travel_min: f64,
    search_cutoff_min: f64,
    offroad_speed_kmh: f64,
    max_snap_m: f64,
    small_component_junctions: u32,
}

impl Reach {
    /// The limits, each checked alone, then the search cutoff against the
    /// travel limit.
    fn read(ck: &mut Checker<'_>, root: &DeTable<'_>) -> Reach {
        let travel = limit(ck, root, "max_travel_minutes", 45.0, false);
        let cutoff = limit(ck, root, "search_cutoff_minutes", DEFAULT_CUTOFF_MIN, false);
        let (offroad_speed_kmh, _) = limit(ck, root, "offroad_speed_kmh", 10.0, false);
        let (max_snap_m, _) = limit(ck, root, "max_snap_m", 5000.0, true);
        let small_component_junctions =
            small_component_junctions(ck, get(root, "small_component_junctions"));
        check_cutoff_covers_travel(ck, travel, cutoff);
        Reach {
            max_travel_min: travel.0,
            search_cutoff_min: cutoff.0,
            offroad_speed_kmh,
            max_snap_m,
            small_component_junctions,
        }
    }
}

/// A positive number (non-negative with `allow_zero`) at the top level:
/// its value, `default` when not given or refused, and, when written, its
/// line.
fn limit(
    ck: &mut Checker<'_>,
    root: &DeTable<'_>,
    key: &str,
    default: f64,
    allow_zero: bool,
) -> (f64, Option<usize>) {
    let Some(v) = get(root, key) else {
        return (default, None);
    };
    let at = ck.line(v);
    match ck.number(v, key) {
        Some(x) if x.is_finite() && x >= 0.0 && (allow_zero || x > 0.0) => (x, Some(at)),
        Some(x) => {
            let kind = if allow_zero {
                "non-negative"
            } else {
                "positive"
            };
            ck.problem(at, key, format!("must be a {kind} number, got {x}"));
            (default, Some(at))
        }
        None => (default, Some(at)),
    }
}

/// `small_component_junctions`: a whole number from 0 to 1000000.
fn small_component_junctions(ck: &mut Checker<'_>, value: Option<&Value<'_>>) -> u32 {
    match value.map(|v| (ck.line(v), ck.whole(v, "small_component_junctions"))) {
        None | Some((_, None)) => DEFAULT_SMALL_COMPONENT_JUNCTIONS,
        Some((_, Some(n))) if (0..=1_000_000).contains(&n) => n as u32,
        Some((at, Some(n))) => {
            ck.problem(
                at,
                "small_component_junctions",
                format!("must be a whole number from 0 to 1000000, got {n}"),
            );
            DEFAULT_SMALL_COMPONENT_JUNCTIONS
        }
    }
}

/// Searches stop at the cutoff, so it must be at least the travel limit;
/// `travel` and `cutoff` are each a value and its line when written.
/// Checked whichever of the two is written: a limit beyond the default
/// cutoff is as wrong as a cutoff below the default limit.
fn check_cutoff_covers_travel(
    ck: &mut Checker<'_>,
    (max_travel_min, travel_at): (f64, Option<usize>),
    (search_cutoff_min, cutoff_at): (f64, Option<usize>),
) {
    if search_cutoff_min >= max_travel_min {
        return;
    }
    match (cutoff_at, travel_at) {
        (Some(at), _) => ck.problem(
            at,
            "search_cutoff_minutes",
            format!("must be at least max_travel_minutes ({max_travel_min})"),
        ),
        (None, Some(at)) => ck.problem(
            at,
            "max_travel_minutes",
            format!(
                "must be at most search_cutoff_minutes ({search_cutoff_min}, the default): searches stop there; raise search_cutoff_minutes too"
            ),
        ),
        (None, None) => {}
    }
}

/// `weights = "auto" | "students" | "schools"`; `auto` when not given or
/// not readable.
fn weights(ck: &mut Checker<'_>, value: Option<&Value<'_>>) -> WeightsRule {
    match value.map(|v| (ck.line(v), ck.text(v, "weights"))) {
        None | Some((_, None)) => WeightsRule::Auto,
        Some((at, Some(w))) => match w.trim() {
            "auto" => WeightsRule::Auto,
            "students" => WeightsRule::Students,
            "schools" => WeightsRule::Schools,
            other => {
                ck.problem(
                    at,
                    "weights",
                    format!(
                        "must be \"auto\", \"students\" or \"schools\", got {}",
                        quote(other)
                    ),
                );
                WeightsRule::Auto
            }
        },
    }
}

/// `hubs_per_district = { primary = 1, secondary = 1 }`: hubs to choose
/// per district, primary and secondary, each 1 when not given.
fn hubs_per_district(ck: &mut Checker<'_>, value: Option<&Value<'_>>) -> (usize, usize) {
    let Some(t) =
        value.and_then(|v| ck.table(v, "hubs_per_district", "{ primary = 1, secondary = 1 }"))
    else {
        return (1, 1);
    };
    hub_counts(ck, t, Place::Hubs, 1000)
}

/// The `primary` and `secondary` counts of a `{ primary = …, secondary =
/// … }` table at `place`, each a whole number from 0 to `max`, 1 when not
/// given or refused.
pub(super) fn hub_counts(
    ck: &mut Checker<'_>,
    t: &DeTable<'_>,
    place: Place,
    max: i64,
) -> (usize, usize) {
    let (mut hubs_primary, mut hubs_secondary) = (1usize, 1usize);
    ck.check_keys(t, place);
    for (key, slot) in [
        ("primary", &mut hubs_primary),
        ("secondary", &mut hubs_secondary),
    ] {
        let Some(v) = get(t, key) else { continue };
        let path = format!("{}{key}", place.prefix());
        match ck.whole(v, &path) {
            Some(n) if (0..=max).contains(&n) => *slot = n as usize,
            Some(n) => ck.problem(
                ck.line(v),
                &path,
                format!("must be a whole number from 0 to {max}, got {n}"),
            ),
            None => {}
        }
    }
    (hubs_primary, hubs_secondary)
}

/// `required_hubs` and `excluded_hubs`, with the line of each id.
struct HubIds {
    required: BTreeSet<SchoolId>,
    excluded: BTreeSet<SchoolId>,
    /// The first line naming each id.
    lines: BTreeMap<SchoolId, usize>,
}

impl HubIds {
    /// Both lists; an id in both is a problem.
    fn read(ck: &mut Checker<'_>, root: &DeTable<'_>) -> HubIds {
        let mut lines = BTreeMap::new();
        let required = hub_id_list(ck, root, "required_hubs", &mut lines);
        let excluded = hub_id_list(ck, root, "excluded_hubs", &mut lines);
        for both in required.intersection(&excluded) {
            ck.problem(
                lines.get(both).copied().unwrap_or(0),
                "excluded_hubs",
                format!("hub id {} is both required and excluded", quote(&both.0)),
            );
        }
        HubIds {
            required,
            excluded,
            lines,
        }
    }
}

/// A list of school ids at the top level (`key`), recording the first
/// line of each in `lines`.
fn hub_id_list(
    ck: &mut Checker<'_>,
    root: &DeTable<'_>,
    key: &str,
    lines: &mut BTreeMap<SchoolId, usize>,
) -> BTreeSet<SchoolId> {
    let Some(v) = get(root, key) else {
        return BTreeSet::new();
    };
    let mut out = BTreeSet::new();
    for (id, at) in ck.texts(v, key, true) {
        if id.is_empty() {
            ck.problem(at, key, "a school id is empty");
            continue;
        }
        let id = SchoolId(id);
        lines.entry(id.clone()).or_insert(at);
        out.insert(id);
    }
    out
}
