//! The four GeoJSON layers. Field names are short and stable (they are
//! documented in the README with their units); numbers are JSON numbers.

use geo::{Coord, MultiPolygon};
use serde_json::{json, Map, Value};

use super::round;
use crate::io::geojson::{LayerWriter, OutGeometry};
use crate::pipeline::RunResult;

fn props(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A count as an integer when it is whole (students are usually counted).
fn count(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 { Value::from(v as i64) } else { Value::from(v) }
}

fn opt_num(v: Option<f64>, d: i32) -> Value {
    v.map_or(Value::Null, |x| Value::from(round(x, d)))
}

/// `hubs.geojson`: one point per chosen hub, with its score parts and the
/// explanation of the choice.
pub fn hubs_layer(r: &RunResult) -> String {
    let mut w = LayerWriter::new();
    for h in &r.hubs {
        let mut p = props(json!({
            "id": h.id.0,
            "name": h.name,
            "district": h.district.0,
            "level": h.level.as_str(),
            "students": count(h.students),
            "score": round(h.score, 6),
            "rank": h.rank,
            "n_cand": h.candidates,
            "runner_up": h.runner_up.as_ref().map_or("", |s| s.0.as_str()),
            "runner_nm": h.runner_up_name,
            "margin": round(h.margin, 6),
            "margin_u": h.margin_unit,
            "forced": h.forced,
            "exact": h.exact,
            "gap": h.gap.map_or(Value::Null, |g| Value::from(round(g, 6))),
            "members": h.members,
            "served": count(h.students_served),
            "capacity": h.capacity.map_or(Value::Null, count),
            "over_cap": h.over_capacity,
        }));
        p.insert("stab_crit".into(), Value::from(h.stability.as_ref().map_or("", |s| s.0.as_str())));
        p.insert("stab_dw".into(), h.stability.as_ref().map_or(Value::Null, |s| Value::from(round(s.1, 6))));
        for (key, v) in &h.parts {
            p.insert(format!("p_{key}"), Value::from(round(*v, 6)));
        }
        w.push(&OutGeometry::Point(Coord { x: h.lon, y: h.lat }), p);
    }
    w.finish()
}

/// `schools.geojson`: every input school once, with its role.
pub fn schools_layer(r: &RunResult) -> String {
    let mut w = LayerWriter::new();
    for s in &r.schools {
        let p = props(json!({
            "id": s.id.0,
            "name": s.name,
            "district": s.district.as_ref().map_or("", |d| d.0.as_str()),
            "level": s.level.map_or("", |l| l.as_str()),
            "students": count(s.students),
            "role": s.role.as_str(),
            "hub_id": s.hub_id.as_ref().map_or("", |h| h.0.as_str()),
            "hub_level": s.hub_level.map_or("", |l| l.as_str()),
            "travel_min": opt_num(s.travel_min, 3),
            "road_km": opt_num(s.road_km, 4),
            "offroad_m": opt_num(s.offroad_m, 1),
            "over_cap": s.over_capacity,
            "reason": s.reason,
        }));
        let g = s.lon_lat.map_or(OutGeometry::None, |(x, y)| OutGeometry::Point(Coord { x, y }));
        w.push(&g, p);
    }
    w.finish()
}

/// `routes.geojson`: each member's road path to its hub.
pub fn routes_layer(r: &RunResult) -> String {
    let mut w = LayerWriter::new();
    for rt in &r.routes {
        let p = props(json!({
            "school_id": rt.school.0,
            "hub_id": rt.hub.0,
            "district": rt.district.0,
            "level": rt.level.as_str(),
            "travel_min": round(rt.travel_min, 3),
            "road_km": round(rt.road_km, 4),
        }));
        w.push(&OutGeometry::LineString(rt.coords.clone()), p);
    }
    w.finish()
}

/// `districts.geojson`: each district with its figures.
pub fn districts_layer(r: &RunResult) -> String {
    let mut w = LayerWriter::new();
    for (d, o) in r.districts.iter().zip(&r.district_outcomes) {
        let shortfall: Vec<String> = o.shortfalls.iter().map(|s| format!("{}: {}", s.level.as_str(), s.reason)).collect();
        let p = props(json!({
            "code": o.code.0,
            "name": o.name,
            "hubs_p": o.hubs_primary,
            "hubs_s": o.hubs_secondary,
            "schools": o.schools,
            "students": count(o.students),
            "members": o.members,
            "standalone": o.standalone,
            "mean_min": round(o.mean_min, 3),
            "p95_min": round(o.p95_min, 3),
            "max_min": round(o.max_min, 3),
            "share_in": round(o.share_within, 6),
            "shortfall": shortfall.join("; "),
        }));
        w.push(&OutGeometry::MultiPolygon(MultiPolygon::clone(&d.geometry)), p);
    }
    w.finish()
}
