//! The four layers of a run as format-neutral tables ([`Layer`]); the
//! writers in [`crate::io`] turn them into GeoJSON, Shapefile or FlatGeobuf.
//!
//! Field names are short (at most 10 characters, so that the Shapefile
//! keeps them) and stable; they are documented in the README with their
//! units. Which fields may be null, and why:
//!
//! - `schools.travel_min` and `schools.road_km` are null for stand-alone and
//!   rejected schools: they have no trip to a hub, and 0 would read as
//!   "at the hub" (hubs themselves have 0). The `role` and `reason` say why.
//! - `schools.offroad_m` is null only when the school could not be placed
//!   on the road network at all (no location, or no road).
//! - `hubs.capacity` is null for a hub without a capacity (0 would mean a
//!   hub that can take no one).
//! - `hubs.stab_dw` is null when no change of one weight lets another
//!   candidate tie the hub (0 would mean the choice flips at once).
//!
//! A number column that would be null in every row (capacity when the
//! scenario sets none, stability under a strategy other than `score`) is
//! left out of the layer, since GDAL would read it as text.
//!
//! Everything else always has a value; a default stands where it is true:
//! `""` for "none" in text (`hub_id` of a stand-alone school, `runner_up` of
//! a hub without a rival), 0 for counts, and 0 minutes for the travel
//! figures of a district without members (its `members` is then 0 too).

use geo::{Coord, MultiPolygon};

use crate::io::geojson::{self, OutGeometry};
use crate::io::table::{GeomKind, Kind, Layer, LayerBuilder, Normalised};
use crate::outcome::RunResult;

const SCORE: Kind = Kind::Real { decimals: 6 };
const MINUTES: Kind = Kind::Real { decimals: 3 };
const KM: Kind = Kind::Real { decimals: 4 };
const METRES: Kind = Kind::Real { decimals: 1 };

/// The layers of a run, in drawing order from the top: hubs, schools,
/// routes, districts.
pub fn layers(r: &RunResult) -> Vec<Layer> {
    // Built side by side: each layer reads the result alone.
    let ((h, s), (rt, d)) = rayon::join(
        || rayon::join(|| hubs(r), || schools(r)),
        || rayon::join(|| routes(r), || districts(r)),
    );
    vec![h, s, rt, d]
}

/// `hubs`: one point per chosen hub, with its score parts and the
/// explanation of the choice.
pub fn hubs(r: &RunResult) -> Layer {
    let mut b = LayerBuilder::new("hubs", GeomKind::Point);
    b.field("id", Kind::Text, "", "school id")
        .field("name", Kind::Text, "", "school name")
        .field("district", Kind::Text, "", "district code")
        .field("level", Kind::Text, "", "level the hub serves: primary or secondary")
        .nullable_count("students", "students at the hub school; null when the input has no count")
        .field("score", SCORE, "score", "policy score, 0-1 with min-max criteria (computed for every strategy)")
        .field("rank", Kind::Int, "rank", "rank by score among the candidates (1 = best)")
        .field("n_cand", Kind::Int, "schools", "candidates the hub was chosen from")
        .field("runner_up", Kind::Text, "", "id of the best alternative, \"\" when none")
        .field("runner_nm", Kind::Text, "", "name of the runner-up, \"\" when none")
        .field("margin", SCORE, "margin_u", "how much worse the objective gets if the runner-up replaces the hub (0 when none)")
        .field("margin_u", Kind::Text, "", "unit of margin (score, student-min, min, students, m, …)")
        .field("forced", Kind::Bool, "", "a required hub of the scenario")
        .field("exact", Kind::Bool, "", "the choice is proven optimal for the strategy")
        .nullable("gap", SCORE, "share", "at most this fraction worse than the optimum: 0 when exact, a certified bound for a heuristic choice; null when no bound is known")
        .field("members", Kind::Int, "schools", "member schools networked to the hub")
        .nullable_count("served", "students at the hub and its members (the known counts); null when none of them has a count")
        .nullable_count("capacity", "students the hub can serve under the scenario's capacity rule; null when unlimited")
        .field("over_cap", Kind::Int, "schools", "members that joined although the hub was full")
        .field("stab_crit", Kind::Text, "", "score strategy: the criterion whose smallest weight change lets another candidate tie the hub; \"\" when none")
        .nullable("stab_dw", SCORE, "weight", "that weight change, in the scenario's weight units; null when no change of one weight can (or the strategy is not score)");
    let parts: Vec<String> = r.config.criteria.iter().map(|c| c.key()).collect();
    for key in &parts {
        b.field(
            format!("p_{key}"),
            SCORE,
            "score",
            format!("weighted score part of criterion {key} (the parts sum to score)"),
        );
    }
    for h in &r.hubs {
        b.text(h.id.0.as_str())
            .text(h.name.as_str())
            .text(h.district.0.as_str())
            .text(h.level.as_str())
            .opt_num(h.students)
            .num(h.score)
            .int(h.rank)
            .int(h.candidates)
            .text(h.runner_up.as_ref().map_or("", |s| s.0.as_str()))
            .text(h.runner_up_name.as_str())
            .num(h.margin)
            .text(h.margin_unit)
            .bool(h.forced)
            .bool(h.exact)
            .opt_num(h.gap)
            .int(h.members)
            .opt_num(h.students_served)
            .opt_num(h.capacity)
            .int(h.over_capacity)
            .text(h.stability.as_ref().map_or("", |s| s.0.as_str()))
            .opt_num(h.stability.as_ref().map(|s| s.1));
        for key in &parts {
            let v = h
                .parts
                .iter()
                .find(|(k, _)| k == key)
                .map_or(0.0, |(_, v)| *v);
            b.num(v);
        }
        b.row(OutGeometry::Point(Coord { x: h.lon, y: h.lat }));
    }
    b.finish()
}

/// `schools`: every input school once, with its role.
pub fn schools(r: &RunResult) -> Layer {
    let mut b = LayerBuilder::new("schools", GeomKind::Point);
    school_fields(&mut b);
    for s in &r.schools {
        b.text(s.id.0.as_str())
            .text(s.name.as_str())
            .text(s.district.as_ref().map_or("", |d| d.0.as_str()))
            .text(s.level.map_or("", |l| l.as_str()))
            .opt_num(s.students)
            .text(s.role.as_str())
            .text(s.hub_id.as_ref().map_or("", |h| h.0.as_str()))
            .text(s.hub_level.map_or("", |l| l.as_str()))
            .opt_num(s.travel_min)
            .opt_num(s.road_km)
            .opt_num(s.offroad_m)
            .bool(s.over_capacity)
            .text(s.reason_en());
        b.row(s.lon_lat.map_or(OutGeometry::None, |(x, y)| {
            OutGeometry::Point(Coord { x, y })
        }));
    }
    b.finish()
}

/// The fields of the `schools` layer, with their units and meanings.
fn school_fields(b: &mut LayerBuilder) {
    b.field("id", Kind::Text, "", "school id")
        .field("name", Kind::Text, "", "school name")
        .field(
            "district",
            Kind::Text,
            "",
            "district code, \"\" for a rejected row",
        )
        .field(
            "level",
            Kind::Text,
            "",
            "primary, secondary or both, \"\" for a rejected row",
        )
        .nullable_count(
            "students",
            "students; null when the input has no count, and for a rejected row",
        )
        .field(
            "role",
            Kind::Text,
            "",
            "hub, member, stand-alone or rejected",
        )
        .field(
            "hub_id",
            Kind::Text,
            "",
            "the hub a member joins (a hub names itself), \"\" otherwise",
        )
        .field(
            "hub_level",
            Kind::Text,
            "",
            "level of that hub, \"\" otherwise",
        )
        .nullable(
            "travel_min",
            MINUTES,
            "min",
            "door-to-door minutes to the hub (0 for a hub); null when stand-alone or rejected",
        )
        .nullable(
            "road_km",
            KM,
            "km",
            "road kilometres of the route (0 for a hub); null when stand-alone or rejected",
        )
        .nullable(
            "offroad_m",
            METRES,
            "m",
            "metres from the school to its snap point on the road; null when not placed",
        )
        .field(
            "over_cap",
            Kind::Bool,
            "",
            "a member that joined a hub already at capacity",
        )
        .field(
            "reason",
            Kind::Text,
            "",
            "why stand-alone or rejected, \"\" otherwise",
        );
}

/// `routes`: each member's road path to its hub.
pub fn routes(r: &RunResult) -> Layer {
    let mut b = LayerBuilder::new("routes", GeomKind::LineString);
    b.field("school_id", Kind::Text, "", "the member school")
        .field("hub_id", Kind::Text, "", "its hub")
        .field("district", Kind::Text, "", "district code")
        .field(
            "level",
            Kind::Text,
            "",
            "level of the hub: primary or secondary",
        )
        .field(
            "travel_min",
            MINUTES,
            "min",
            "door-to-door minutes, off-road legs included",
        )
        .field("road_km", KM, "km", "kilometres along the roads");
    // The lines (most of the layer's bytes) are rounded in parallel.
    let lines: Vec<Normalised> = {
        use rayon::prelude::*;
        r.routes
            .par_iter()
            .map(|rt| match rt.coords.as_slice() {
                [] => Normalised::new(OutGeometry::None),
                // A line needs two positions; a member whose snap point is
                // its hub's gets a line of zero length rather than an
                // invalid one.
                &[only] => Normalised::line_string(&[only, only]),
                coords => Normalised::line_string(coords),
            })
            .collect()
    };
    for (rt, line) in r.routes.iter().zip(lines) {
        b.text(rt.school.0.as_str())
            .text(rt.hub.0.as_str())
            .text(rt.district.0.as_str())
            .text(rt.level.as_str())
            .num(rt.travel_min)
            .num(rt.road_km);
        b.row_normalised(line);
    }
    b.finish()
}

/// `districts`: each district with its figures.
pub fn districts(r: &RunResult) -> Layer {
    let mut b = LayerBuilder::new("districts", GeomKind::MultiPolygon);
    b.field("code", Kind::Text, "", "district code")
        .field("name", Kind::Text, "", "district name")
        .field("hubs_p", Kind::Int, "schools", "primary hubs")
        .field("hubs_s", Kind::Int, "schools", "secondary hubs")
        .field(
            "schools",
            Kind::Int,
            "schools",
            "schools in the district (rejected rows excluded)",
        )
        .nullable_count("students", "students in the district (the known counts); null when no school has a count")
        .field("members", Kind::Int, "schools", "member schools")
        .field("standalone", Kind::Int, "schools", "stand-alone schools")
        .field(
            "mean_min",
            MINUTES,
            "min",
            "weighted (by students, or by schools: see summary.json \"weights\") mean of the members' door-to-door minutes (0 without members)",
        )
        .field(
            "p95_min",
            MINUTES,
            "min",
            "weighted 95th percentile of the members' minutes (0 without members)",
        )
        .field(
            "max_min",
            MINUTES,
            "min",
            "the longest member trip (0 without members)",
        )
        .field(
            "share_in",
            Kind::Real { decimals: 6 },
            "share",
            "share of the students (or of the schools, when the run weighs by schools) at a hub or a member school, 0-1; empty for a district without schools (no data, not 0)",
        )
        .field(
            "shortfall",
            Kind::Text,
            "",
            "levels with fewer hubs than asked, and why; \"\" when none",
        );
    for (d, o) in r.districts.iter().zip(&r.district_outcomes) {
        let shortfall: Vec<String> = o
            .shortfalls
            .iter()
            .map(|s| format!("{}: {}", s.level.as_str(), s.reason))
            .collect();
        b.text(o.code.0.as_str())
            .text(o.name.as_str())
            .int(o.hubs_primary)
            .int(o.hubs_secondary)
            .int(o.schools)
            .opt_num(o.students)
            .int(o.members)
            .int(o.standalone)
            .num(o.mean_min)
            .num(o.p95_min)
            .num(o.max_min)
            .opt_num((o.schools > 0).then_some(o.share_within))
            .text(shortfall.join("; "));
        b.row(OutGeometry::MultiPolygon(MultiPolygon::clone(&d.geometry)));
    }
    b.finish()
}

/// `hubs.geojson` text.
pub fn hubs_layer(r: &RunResult) -> String {
    geojson::text(&hubs(r))
}

/// `schools.geojson` text.
pub fn schools_layer(r: &RunResult) -> String {
    geojson::text(&schools(r))
}

/// `routes.geojson` text.
pub fn routes_layer(r: &RunResult) -> String {
    geojson::text(&routes(r))
}

/// `districts.geojson` text.
pub fn districts_layer(r: &RunResult) -> String {
    geojson::text(&districts(r))
}
