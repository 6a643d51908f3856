//! `summary.json`, `summary.csv` and `rejects.csv`.

use serde_json::{json, Value};

use super::round;
use crate::io::table::Layer;
use crate::model::HubLevel;
use crate::outcome::{Role, RunResult};

/// Run-wide figures, the same for every strategy so runs compare.
#[derive(Clone, Debug, PartialEq)]
pub struct Totals {
    pub schools: usize,
    pub hubs_primary: usize,
    pub hubs_secondary: usize,
    pub members: usize,
    pub standalone: usize,
    pub rejected: usize,
    /// Students of the schools taking part (the known counts); `None` when
    /// no school has a count.
    pub students: Option<f64>,
    /// Weighted (by [`RunResult::weighting`]) mean / 95th percentile /
    /// maximum door-to-door minutes of the members.
    pub mean_min: f64,
    pub p95_min: f64,
    pub max_min: f64,
    /// Share of the weight (students or schools) taking part at a hub or a
    /// member.
    pub share_within: f64,
    /// Hubs serving more students than their capacity.
    pub hubs_over_capacity: usize,
}

impl Totals {
    pub fn of(r: &RunResult) -> Totals {
        let count = |role: Role| r.schools.iter().filter(|s| s.role == role).count();
        let weight = |s: &crate::outcome::SchoolOutcome| r.weighting.weight(s.students);
        let taking_part: Vec<&crate::outcome::SchoolOutcome> = r
            .schools
            .iter()
            .filter(|s| s.role != Role::Rejected)
            .collect();
        let students: Option<f64> = taking_part
            .iter()
            .filter_map(|s| s.students)
            .fold(None, |acc, n| Some(acc.unwrap_or(0.0) + n));
        let joined: Vec<(bool, f64)> = taking_part
            .iter()
            .map(|s| (matches!(s.role, Role::Hub | Role::Member), weight(s)))
            .collect();
        let pairs: Vec<(f64, f64)> = r
            .schools
            .iter()
            .filter(|s| s.role == Role::Member)
            .filter_map(|s| s.travel_min.map(|m| (m, weight(s))))
            .collect();
        Totals {
            schools: r.schools.len(),
            hubs_primary: r
                .hubs
                .iter()
                .filter(|h| h.level == HubLevel::Primary)
                .count(),
            hubs_secondary: r
                .hubs
                .iter()
                .filter(|h| h.level == HubLevel::Secondary)
                .count(),
            members: count(Role::Member),
            standalone: count(Role::StandAlone),
            rejected: count(Role::Rejected),
            students,
            mean_min: crate::figures::mean(&pairs),
            p95_min: crate::figures::quantile(pairs.clone(), 0.95),
            max_min: crate::figures::max(&pairs),
            share_within: crate::figures::share(&joined),
            hubs_over_capacity: r
                .hubs
                .iter()
                .filter(|h| {
                    h.capacity
                        .is_some_and(|c| h.students_served.unwrap_or(0.0) > c + 1e-9)
                })
                .count(),
        }
    }
}

/// `summary.json`: the scenario, the totals, the shortfalls, each
/// district's figures and each layer's fields. Holds nothing that changes
/// between identical runs (no clock, no timings).
pub fn summary_json(r: &RunResult) -> String {
    summary_json_with(r, &super::layers::layers(r))
}

/// Each layer's feature count and fields (name, Shapefile name, type,
/// unit, whether it may be null, meaning): the data dictionary, and what
/// a reader of any format can check the layer against.
fn layers_json(layers: &[Layer]) -> Value {
    let mut map = serde_json::Map::new();
    for l in layers {
        let fields: Vec<Value> = l
            .fields
            .iter()
            .map(|f| json!({"name": f.name, "shp": f.shp, "type": f.kind.as_str(), "unit": f.unit, "nullable": f.nullable, "doc": f.doc}))
            .collect();
        map.insert(
            l.name.to_string(),
            json!({"geometry": l.geometry.as_str(), "features": l.rows.len(), "fields": fields}),
        );
    }
    Value::Object(map)
}

/// [`summary_json`] with the layers already built.
pub(crate) fn summary_json_with(r: &RunResult, layers: &[Layer]) -> String {
    let t = Totals::of(r);
    let c = &r.config;
    let shortfalls: Vec<Value> = r
        .district_outcomes
        .iter()
        .flat_map(|d| &d.shortfalls)
        .map(|s| json!({"district": s.district.0, "level": s.level.as_str(), "wanted": s.wanted, "chosen": s.chosen, "reason": s.reason}))
        .collect();
    let districts: Vec<Value> = r
        .district_outcomes
        .iter()
        .map(|o| {
            json!({
                "code": o.code.0, "name": o.name, "hubs_primary": o.hubs_primary, "hubs_secondary": o.hubs_secondary,
                "schools": o.schools, "students": o.students, "members": o.members, "standalone": o.standalone,
                "mean_min": round(o.mean_min, 3), "p95_min": round(o.p95_min, 3), "max_min": round(o.max_min, 3),
                "share_within": round(o.share_within, 6),
                "unreachable": o.unreachable.iter().map(|u| json!({
                    "level": u.level.as_str(), "schools": u.schools.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
                    "of": u.of, "off_network": u.off_network, "island": u.island,
                    "beyond_cutoff": u.beyond_cutoff, "reason": u.reason,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let criteria: Vec<Value> = c
        .criteria
        .iter()
        .map(|cr| json!({"key": cr.key(), "weight": cr.weight, "direction": format!("{:?}", cr.direction).to_lowercase(), "normalize": format!("{:?}", cr.normalize).to_lowercase(), "transform": format!("{:?}", cr.transform).to_lowercase()}))
        .collect();
    let mut value = json!({
        "tool": "hubsel",
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": c.name, "source": c.source, "strategy": c.strategy.as_str(), "seed": c.seed,
            "hubs_per_district": {"primary": c.hubs_primary, "secondary": c.hubs_secondary},
            "max_travel_minutes": c.max_travel_min, "search_cutoff_minutes": c.search_cutoff_min,
            "offroad_speed_kmh": c.offroad_speed_kmh, "max_snap_m": c.max_snap_m,
            "small_component_junctions": c.small_component_junctions,
            "weights": c.weights.as_str(),
            "min_students": c.constraints.min_students, "exclude_if": c.constraints.exclude_if,
            "required_hubs": c.required_hubs.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            "excluded_hubs": c.excluded_hubs.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            "criteria": criteria,
            "ahp": c.ahp.as_ref().map(|a| json!({
                "criteria": a.criteria, "weights": a.ahp.weights.iter().map(|w| round(*w, 6)).collect::<Vec<_>>(),
                "lambda_max": round(a.ahp.lambda_max, 6), "ci": round(a.ahp.ci, 6), "cr": round(a.ahp.cr, 6), "forced": a.forced,
            })),
        },
        "weights": r.weighting.as_str(),
        "weights_note": r.weighting_note,
        "notes": r.all_notes().collect::<Vec<_>>(),
        "network": {"nodes": r.stats.graph_nodes, "links": r.stats.graph_links, "components": r.stats.components},
        "totals": {
            "districts": r.districts.len(), "schools": t.schools, "hubs": t.hubs_primary + t.hubs_secondary,
            "hubs_primary": t.hubs_primary, "hubs_secondary": t.hubs_secondary, "members": t.members,
            "standalone": t.standalone, "rejected": t.rejected, "reject_rows": r.rejects.len(),
            "students": t.students, "mean_min": round(t.mean_min, 3), "p95_min": round(t.p95_min, 3),
            "max_min": round(t.max_min, 3), "share_within": round(t.share_within, 6),
            "hubs_over_capacity": t.hubs_over_capacity,
        },
        "access": {
            "doc": "door-to-door minutes from every school to the nearest chosen hub of each level it teaches, weighted like the districts' figures: what p-median (mean), p-center (max) and max-cover (share) optimise; unreached pairs (no chosen hub reaches them, another candidate would) count at the search cutoff; unreachable pairs (no candidate reaches them) are left out and listed per district",
            "pairs": r.access.pairs, "mean_min": round(r.access.mean_min, 3), "p95_min": round(r.access.p95_min, 3),
            "max_min": round(r.access.max_min, 3), "share_within": round(r.access.share_within, 6),
            "unreached_pairs": r.access.unreached, "unreachable_pairs": r.access.unreachable,
        },
        "shortfalls": shortfalls,
        "districts": districts,
        "layers": layers_json(layers),
    });
    region_keys(&mut value, c);
    allocation_keys(&mut value, r);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The allocation method and its totals, written only when hubs have
/// capacities, so that other runs' summaries stay as they were.
fn allocation_keys(value: &mut Value, r: &RunResult) {
    let Some(a) = &r.allocation else { return };
    if let Some(scenario) = value.get_mut("scenario").and_then(Value::as_object_mut) {
        scenario.insert("allocation_method".into(), json!(r.config.allocation.method.name()));
    }
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "allocation".into(),
            json!({
                "doc": "members placed under the hubs' capacities: method used (min-cost only with overflow = \"next\"), students x minutes of the members to their hubs, students joining a full hub, students of stand-alone schools (their reasons in schools.*); with min-cost the transportation optimum (students as flow, a school may be split) is a lower bound when its students over capacity equal the assignment's",
                "method": a.method.name(),
                "student_minutes": round(a.student_minutes, 3),
                "students_over_capacity": a.students_over,
                "students_unassigned": a.students_alone,
                "bound_student_minutes": a.bound_student_minutes.map(|b| round(b, 3)),
                "bound_students_over_capacity": a.bound_students_over,
                "split_schools": a.split_schools,
            }),
        );
    }
}

/// `group_by` and `hubs_per_group` in the summary's scenario, written only
/// for the region-wide models, so that the policy's summaries stay as
/// they were.
fn region_keys(value: &mut Value, c: &crate::scenario::Config) {
    if c.group_by == crate::scenario::GroupBy::District {
        return;
    }
    if let Some(scenario) = value.get_mut("scenario").and_then(Value::as_object_mut) {
        scenario.insert("group_by".into(), json!(c.group_by.as_str()));
        scenario.insert(
            "hubs_per_group".into(),
            json!(c
                .hubs_per_group
                .map(|(p, s)| json!({"primary": p, "secondary": s}))),
        );
    }
}

fn csv_text(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = crate::model::write_safe_record(&mut w, &row);
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `summary.csv`: one row per district, then a `TOTAL` row.
pub fn summary_csv(r: &RunResult) -> String {
    let header = [
        "code",
        "name",
        "hubs_p",
        "hubs_s",
        "schools",
        "students",
        "members",
        "standalone",
        "mean_min",
        "p95_min",
        "max_min",
        "share_in",
        "shortfall",
    ];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for o in &r.district_outcomes {
        let shortfall: Vec<String> = o
            .shortfalls
            .iter()
            .map(|s| format!("{}: {}", s.level.as_str(), s.reason))
            .collect();
        rows.push(vec![
            o.code.0.clone(),
            o.name.clone(),
            o.hubs_primary.to_string(),
            o.hubs_secondary.to_string(),
            o.schools.to_string(),
            o.students.map_or_else(String::new, |n| n.to_string()),
            o.members.to_string(),
            o.standalone.to_string(),
            round(o.mean_min, 3).to_string(),
            round(o.p95_min, 3).to_string(),
            round(o.max_min, 3).to_string(),
            // A district without schools has no share (no data, not 0).
            if o.schools > 0 {
                round(o.share_within, 6).to_string()
            } else {
                String::new()
            },
            shortfall.join("; "),
        ]);
    }
    let t = Totals::of(r);
    rows.push(vec![
        "TOTAL".into(),
        String::new(),
        t.hubs_primary.to_string(),
        t.hubs_secondary.to_string(),
        (t.schools - t.rejected).to_string(),
        t.students.map_or_else(String::new, |n| n.to_string()),
        t.members.to_string(),
        t.standalone.to_string(),
        round(t.mean_min, 3).to_string(),
        round(t.p95_min, 3).to_string(),
        round(t.max_min, 3).to_string(),
        round(t.share_within, 6).to_string(),
        String::new(),
    ]);
    csv_text(rows)
}

/// `rejects.csv`: file, line (or feature number), id, name (of the school
/// or district the row is about), field, reason and whether the row was
/// refused or only flagged.
pub fn rejects_csv(r: &RunResult) -> String {
    r.rejects.to_csv(&reject_names(r))
}

/// The name of each school and district by its id, for the rejects
/// (schools win over districts with the same id).
pub(crate) fn reject_names(r: &RunResult) -> std::collections::BTreeMap<String, String> {
    let mut names: std::collections::BTreeMap<String, String> = r
        .districts
        .iter()
        .map(|d| (d.code.0.clone(), d.name.clone()))
        .collect();
    for s in &r.schools {
        names.insert(s.id.0.clone(), s.name.clone());
    }
    names
}
