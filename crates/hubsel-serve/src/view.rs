//! What the page receives for a run: the four layers exactly as `hubsel
//! run` writes them as GeoJSON, the explanation of every hub and of every
//! district's candidates, the totals, and the scenario's values for the
//! panel.

use hubsel::error::Error;
use hubsel::outcome::RunResult;
use hubsel::io::geojson::text;
use hubsel::output::{layers, Totals};
use std::collections::{BTreeMap, BTreeSet};

use hubsel::model::HubLevel;
use hubsel::scenario::{labels, GroupBy, StrategyKind, REGION_STRATEGIES};
use serde_json::{json, Value};

use crate::edit::ahp_matrix;
use crate::workbench::Scenario;

/// Routes sent with a run; above this, by district on request.
pub const ROUTES_INLINE: usize = 5_000;

/// The routes layer of district `code` only, as `hubsel run` writes its
/// features.
pub fn district_routes(mut r: RunResult, code: &str) -> String {
    r.routes.retain(|x| x.district.0 == code);
    text(&layers::routes(&r))
}

/// The page's JSON for a run of `scenario`, as text: the layers' GeoJSON
/// goes in as `hubsel run` writes it, without being parsed again.
///
/// A run with more than [`ROUTES_INLINE`] routes (the national preset has
/// 25,000, 69 MB of GeoJSON that no browser draws usefully) leaves the
/// routes out (`"routes_by_district": true`); the page asks for one
/// district's routes when it is clicked (`/api/routes`).
pub fn run_json(scenario: &Scenario, r: &RunResult) -> String {
    let by_district = r.routes.len() > ROUTES_INLINE;
    let routes = if by_district {
        r#"{"type":"FeatureCollection","features":[]}"#.to_string()
    } else {
        text(&layers::routes(r))
    };
    let layers = [
        ("districts", text(&layers::districts(r))),
        ("schools", text(&layers::schools(r))),
        ("hubs", text(&layers::hubs(r))),
        ("routes", routes),
    ];
    let mut rest = rest_json(scenario, r);
    rest["routes_by_district"] = Value::Bool(by_district);
    let rest = rest.to_string();
    let mut out =
        String::with_capacity(rest.len() + layers.iter().map(|l| l.1.len() + 16).sum::<usize>());
    out.push_str("{\"layers\":{");
    for (i, (name, text)) in layers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\"{name}\":"));
        out.push_str(text.trim_end());
    }
    out.push_str("},");
    // `rest` is an object: its members follow the layers'.
    out.push_str(rest.strip_prefix('{').unwrap_or(&rest));
    out
}

/// Everything but the layers.
fn rest_json(scenario: &Scenario, r: &RunResult) -> Value {
    let t = Totals::of(r);
    json!({
        "toml": scenario.text,
        "file": scenario.file,
        "scenario": scenario_json(r, &scenario.text),
        "explain": {
            "hubs": r.hubs.iter().map(|h| json!({
                "id": h.id.0, "name": h.name, "district": h.district.0, "level": h.level.as_str(),
                "score": h.score, "parts": h.parts, "rank": h.rank, "candidates": h.candidates,
                "runner_up": h.runner_up.as_ref().map(|s| s.0.as_str()), "runner_up_name": h.runner_up_name,
                "margin": h.margin, "margin_unit": h.margin_unit, "forced": h.forced, "exact": h.exact,
                "stability": h.stability, "members": h.members,
            })).collect::<Vec<_>>(),
            "districts": r.district_outcomes.iter().map(|d| json!({
                "code": d.code.0, "name": d.name,
                "ranked": d.ranked.iter().map(|l| json!({
                    "level": l.level.as_str(),
                    "candidates": l.candidates.iter().map(|c| json!({
                        "id": c.id.0, "name": c.name, "score": c.score, "hub": c.hub,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "totals": {
            "schools": t.schools, "hubs_primary": t.hubs_primary, "hubs_secondary": t.hubs_secondary,
            "members": t.members, "standalone": t.standalone, "rejected": t.rejected,
            "mean_min": t.mean_min, "p95_min": t.p95_min, "max_min": t.max_min,
            "share_within": t.share_within, "weighting": r.weighting.as_str(),
        },
        "notes": r.all_notes().collect::<Vec<_>>(),
        // The schools layer's `reason` in Thai, one per feature (in the
        // layer's order, `null` where there is none).
        "reasons_th": r.schools.iter().map(|s| s.reason.as_ref().map(|x| x.th())).collect::<Vec<_>>(),
    })
}

/// The scenario's values as the panel shows them: what the run used,
/// defaults included (the config as fitted to the data).
pub fn scenario_json(r: &RunResult, text: &str) -> Value {
    let c = &r.config;
    let region = c.group_by != GroupBy::District;
    // A region-wide grouping is for the location models only: the panel
    // offers the strategies the scenario can run.
    let strategies: Vec<&str> = if region {
        REGION_STRATEGIES.iter().map(|k| k.as_str()).collect()
    } else {
        StrategyKind::ALL.iter().map(|k| k.as_str()).collect()
    };
    let hubs = hubs_json(r);
    json!({
        "name": c.name,
        "strategy": c.strategy.as_str(),
        "strategies": strategies,
        "group_by": c.group_by.as_str(),
        "hubs": hubs,
        "hubs_primary": hubs["primary"],
        "hubs_secondary": hubs["secondary"],
        "max_travel_minutes": c.max_travel_min,
        "min_students": c.constraints.min_students,
        "criteria": c.criteria.iter().map(|cr| {
            let l = labels::label(&cr.key());
            json!({
                "key": cr.key(), "weight": cr.weight,
                "label": {"en": l.en, "th": l.th}, "about": {"en": l.about_en, "th": l.about_th},
            })
        }).collect::<Vec<_>>(),
        "ahp": c.ahp.as_ref().map(|a| json!({
            "criteria": a.criteria, "weights": a.ahp.weights, "cr": a.ahp.cr,
            "matrix": ahp_matrix(text),
        })),
        "required_hubs": c.required_hubs.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        "excluded_hubs": c.excluded_hubs.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
    })
}

/// The hub counts the run used and the key that sets them (the one the
/// panel edits): `hubs_per_district` per district; `hubs_per_group` for a
/// region scenario, where a group without it gets `hubs_per_district`
/// for each of its districts. A count that differs between groups (a
/// province of 3 districts and one of 7, without `hubs_per_group`) is
/// `null`, with `per_district` saying how it is made.
fn hubs_json(r: &RunResult) -> Value {
    let c = &r.config;
    let per_district = json!({"primary": c.hubs_primary, "secondary": c.hubs_secondary});
    if c.group_by == GroupBy::District {
        return json!({
            "key": "hubs_per_district", "primary": c.hubs_primary, "secondary": c.hubs_secondary,
            "per_district": per_district,
        });
    }
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for d in &r.districts {
        *sizes.entry(c.group_by.key(&d.code.0)).or_default() += 1;
    }
    let used = |level: HubLevel| {
        let counts: BTreeSet<usize> = sizes.values().map(|&n| c.hubs_in_group(level, n)).collect();
        match counts.len() {
            1 => counts.first().map(|&n| json!(n)),
            _ => None,
        }
        .unwrap_or(Value::Null)
    };
    json!({
        "key": "hubs_per_group",
        "given": c.hubs_per_group.is_some(),
        "primary": used(HubLevel::Primary),
        "secondary": used(HubLevel::Secondary),
        "groups": sizes.len(),
        "per_district": per_district,
    })
}

/// An error as the page (and a program) reads it: the message, and the
/// typed problems (line, key, message) the CLI prints one a line.
pub fn error_json(e: &Error) -> Value {
    json!({
        "error": e.to_string(),
        "kind": format!("{:?}", e.kind()),
        "problems": e.problems().iter().map(|p| json!({
            "line": p.line, "key": p.key, "message": p.message,
        })).collect::<Vec<_>>(),
    })
}
