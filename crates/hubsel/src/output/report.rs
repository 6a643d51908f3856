//! `report.html`: one self-contained page for a planner who never opens
//! QGIS. No script, no font, no image, nothing fetched: HTML, CSS and an
//! inline SVG map.
//!
//! The map projects longitude/latitude equirectangularly at the schools'
//! mean latitude (x = lon · cos φ₀, y = lat, one scale for both): a drawing,
//! not a measurement, but the scale bar is exact along that latitude.
//! Lines and rings are simplified to half a pixel, so a national run (928
//! districts, ~29,000 schools) stays a few megabytes and draws quickly;
//! there are no per-school labels, only tooltips.
//!
//! The SVG elements carry classes that a test counts against the summary:
//! one `path.district` per district, one `.hub` per hub, one
//! `path.standalone` per stand-alone school, and `path.routes` per hub and
//! travel class whose `data-n` add up to the members.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{Coord, LineString, Simplify};

use super::style::{num_label, palette};
use super::summary::Totals;
use crate::io::table::Layer;
use crate::model::{HubLevel, Weighting};
use crate::pipeline::{HubOutcome, Role, RunResult};

/// The map's drawing area, in CSS pixels.
const MAP_MAX_W: f64 = 900.0;
const MAP_MAX_H: f64 = 780.0;
const PAD: f64 = 12.0;
const LEGEND_W: f64 = 250.0;

/// Mean Earth radius (IUGG), for the scale bar.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Escapes text for HTML and SVG content and attributes.
fn esc(s: &str) -> String {
    super::style::xml(s)
}

/// The equirectangular drawing of the data's extent into the map area.
struct Projection {
    lon0: f64,
    lat1: f64,
    cos_lat: f64,
    /// Pixels per degree of latitude.
    k: f64,
    width: f64,
    height: f64,
    lat0_deg: f64,
}

impl Projection {
    fn new(r: &RunResult) -> Projection {
        let mut bbox: Option<[f64; 4]> = None;
        let mut grow = |x: f64, y: f64| {
            if !(x.is_finite() && y.is_finite()) {
                return;
            }
            let b = bbox.get_or_insert([x, y, x, y]);
            b[0] = b[0].min(x);
            b[1] = b[1].min(y);
            b[2] = b[2].max(x);
            b[3] = b[3].max(y);
        };
        for d in &r.districts {
            for p in &d.geometry.0 {
                for c in &p.exterior().0 {
                    grow(c.x, c.y);
                }
            }
        }
        for s in &r.schools {
            if let Some((x, y)) = s.lon_lat {
                grow(x, y);
            }
        }
        let [lon0, lat0, lon1, lat1] = bbox.unwrap_or([0.0, 0.0, 1.0, 1.0]);
        let lats: Vec<f64> = r
            .schools
            .iter()
            .filter_map(|s| s.lon_lat.map(|p| p.1))
            .filter(|y| y.is_finite())
            .collect();
        let mean_lat = if lats.is_empty() {
            (lat0 + lat1) / 2.0
        } else {
            lats.iter().sum::<f64>() / lats.len() as f64
        };
        let cos_lat = mean_lat.to_radians().cos().max(0.01);
        let span_x = ((lon1 - lon0) * cos_lat).max(1e-9);
        let span_y = (lat1 - lat0).max(1e-9);
        let k = ((MAP_MAX_W - 2.0 * PAD) / span_x).min((MAP_MAX_H - 2.0 * PAD) / span_y);
        Projection {
            lon0,
            lat1,
            cos_lat,
            k,
            width: span_x * k + 2.0 * PAD,
            height: span_y * k + 2.0 * PAD,
            lat0_deg: mean_lat,
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> Coord<f64> {
        Coord {
            x: PAD + (lon - self.lon0) * self.cos_lat * self.k,
            y: PAD + (self.lat1 - lat) * self.k,
        }
    }

    /// Kilometres per pixel, along the mean latitude and along meridians.
    fn km_per_px(&self) -> f64 {
        EARTH_RADIUS_KM.to_radians() / self.k
    }
}

/// Projected, simplified to half a pixel, as SVG path data.
fn path_data(out: &mut String, line: &[Coord<f64>], proj: &Projection, closed: bool) {
    let projected = LineString::new(line.iter().map(|c| proj.xy(c.x, c.y)).collect());
    let simple = projected.simplify(0.5);
    let pts = if simple.0.len() >= 2 {
        simple.0
    } else {
        projected.0
    };
    for (i, p) in pts.iter().enumerate() {
        let _ = write!(
            out,
            "{}{:.1} {:.1}",
            if i == 0 { "M" } else { "L" },
            p.x,
            p.y
        );
    }
    if closed {
        out.push('Z');
    }
}

/// The share class of a district, for its colour.
fn share_class(share: f64) -> usize {
    let b = palette::SHARE_BREAKS;
    (0..4).find(|&i| share < b[i + 1]).unwrap_or(3)
}

/// The travel class of a route: thirds of the limit, then beyond.
fn minutes_class(minutes: f64, limit: f64) -> usize {
    if limit <= 0.0 {
        return 0;
    }
    ((minutes / (limit / 3.0)).floor().max(0.0) as usize).min(3)
}

/// Marker sizes in pixels, shrunk as the map gets crowded so that a
/// national run stays readable: each size follows the square root of the
/// map area per marker of its kind, within fixed bounds.
struct Sizes {
    hub_max_r: f64,
    standalone: f64,
    route_width: f64,
    outline: f64,
}

impl Sizes {
    fn new(
        proj: &Projection,
        districts: usize,
        hubs: usize,
        standalone: usize,
        routes: usize,
    ) -> Sizes {
        let area = proj.width * proj.height;
        let spacing = |n: usize| (area / n.max(1) as f64).sqrt();
        let hub_max_r = (spacing(hubs) * 0.35).clamp(2.5, 10.0);
        Sizes {
            hub_max_r,
            // Never more than a quarter of a district's width, so the
            // districts' colours still show where schools are remote.
            standalone: (spacing(standalone) * 0.6)
                .min(spacing(districts) * 0.25)
                .clamp(2.5, 6.0),
            route_width: (spacing(routes) * 0.06).clamp(0.5, 1.1),
            outline: if hub_max_r < 6.0 { 0.5 } else { 1.0 },
        }
    }

    /// A hub marker's radius by students served (area ∝ students), from
    /// 30 % to 100 % of the largest.
    fn hub_radius(&self, served: f64, max_served: f64) -> f64 {
        let f = if max_served > 0.0 {
            (served.max(0.0) / max_served).sqrt()
        } else {
            0.0
        };
        self.hub_max_r * (0.3 + 0.7 * f)
    }
}

/// A "nice" scale bar length (1, 2 or 5 × 10ⁿ km) of at most `max_km`.
fn nice_km(max_km: f64) -> f64 {
    if max_km.is_nan() || max_km <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max_km.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v <= max_km)
        .unwrap_or(p)
}

/// What a hub marker's size shows: students served when the run weighs
/// by students, else the schools served (the hub and its members).
fn hub_size(h: &HubOutcome, weighting: Weighting) -> f64 {
    match weighting {
        Weighting::Students => h.students_served.unwrap_or(0.0),
        Weighting::Schools => (h.members + 1) as f64,
    }
}

fn hub_marker(
    out: &mut String,
    h: &HubOutcome,
    proj: &Projection,
    sizes: &Sizes,
    (weighting, max_size): (Weighting, f64),
) {
    let p = proj.xy(h.lon, h.lat);
    let r = sizes.hub_radius(hub_size(h, weighting), max_size);
    let served = h.students_served.map_or_else(String::new, |n| {
        format!(", {} students served", fmt_count(n))
    });
    let title = format!(
        "{} ({}) — {} hub of district {}: {} members{served}",
        h.name,
        h.id.0,
        h.level.as_str(),
        h.district.0,
        h.members,
    );
    match h.level {
        HubLevel::Primary => {
            let _ = write!(
                out,
                "<circle class=\"hub primary\" data-id=\"{}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"{}\"><title>{}</title></circle>",
                esc(&h.id.0),
                p.x,
                p.y,
                palette::hex(palette::PRIMARY),
                esc(&title)
            );
        }
        HubLevel::Secondary => {
            let s = r * 1.7;
            let _ = write!(
                out,
                "<rect class=\"hub secondary\" data-id=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{s:.1}\" height=\"{s:.1}\" fill=\"{}\"><title>{}</title></rect>",
                esc(&h.id.0),
                p.x - s / 2.0,
                p.y - s / 2.0,
                palette::hex(palette::SECONDARY),
                esc(&title)
            );
        }
    }
    out.push('\n');
}

fn triangle(out: &mut String, c: Coord<f64>, size: f64) {
    let h = size * 0.866;
    let _ = write!(
        out,
        "M{:.1} {:.1}l{:.1} {:.1}h{:.1}Z",
        c.x,
        c.y - h * 0.6,
        size / 2.0,
        h,
        -size
    );
}

/// The map: districts, routes, stand-alone schools, hubs, legend, scale.
fn svg_map(r: &RunResult) -> String {
    let proj = Projection::new(r);
    let standalone = r
        .schools
        .iter()
        .filter(|sc| sc.role == Role::StandAlone)
        .count();
    let sizes = Sizes::new(
        &proj,
        r.districts.len(),
        r.hubs.len(),
        standalone,
        r.routes.len(),
    );
    let limit = r.config.max_travel_minutes;
    let total_w = proj.width + LEGEND_W;
    let total_h = proj.height.max(430.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_w:.0}\" height=\"{total_h:.0}\" viewBox=\"0 0 {total_w:.0} {total_h:.0}\" role=\"img\" aria-label=\"Map of districts, hubs, routes and stand-alone schools\">"
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{:.0}\" height=\"{total_h:.0}\" fill=\"#f4f7fa\"/>",
        proj.width
    );

    // Districts, coloured by the share of students within the limit.
    s.push_str(
        "<g id=\"districts\" stroke=\"#5a5a5a\" stroke-width=\"0.7\" fill-opacity=\"0.55\">\n",
    );
    for (d, o) in r.districts.iter().zip(&r.district_outcomes) {
        let mut data = String::new();
        for poly in &d.geometry.0 {
            path_data(&mut data, &poly.exterior().0, &proj, true);
            for hole in poly.interiors() {
                path_data(&mut data, &hole.0, &proj, true);
            }
        }
        let title = format!(
            "{} ({}): {:.0}% of {} at a hub or member; {} members, {} stand-alone",
            o.name,
            o.code.0,
            100.0 * o.share_within,
            r.weighting.as_str(),
            o.members,
            o.standalone
        );
        let _ = writeln!(
            s,
            "<path class=\"district\" data-code=\"{}\" fill-rule=\"evenodd\" fill=\"{}\" d=\"{data}\"><title>{}</title></path>",
            esc(&o.code.0),
            palette::hex(palette::SHARE[share_class(o.share_within)]),
            esc(&title)
        );
    }
    s.push_str("</g>\n");

    // Routes, one path per hub and travel class.
    let mut groups: BTreeMap<(&str, usize), (usize, String, HubLevel)> = BTreeMap::new();
    for rt in &r.routes {
        let e = groups
            .entry((rt.hub.0.as_str(), minutes_class(rt.travel_min, limit)))
            .or_insert((0, String::new(), rt.level));
        e.0 += 1;
        if rt.coords.len() >= 2 {
            path_data(&mut e.1, &rt.coords, &proj, false);
        }
    }
    let _ = writeln!(
        s,
        "<g id=\"routes\" fill=\"none\" stroke-width=\"{:.2}\" stroke-linecap=\"round\" stroke-linejoin=\"round\" stroke-opacity=\"0.85\">",
        sizes.route_width
    );
    for ((hub, class), (n, data, level)) in &groups {
        let _ = writeln!(
            s,
            "<path class=\"routes\" data-hub=\"{}\" data-level=\"{}\" data-n=\"{n}\" stroke=\"{}\" d=\"{data}\"/>",
            esc(hub),
            level.as_str(),
            palette::hex(palette::MINUTES[*class])
        );
    }
    s.push_str("</g>\n");

    // Stand-alone schools.
    let _ = writeln!(
        s,
        "<g id=\"standalone\" stroke=\"#ffffff\" stroke-width=\"{:.2}\">",
        sizes.standalone / 15.0
    );
    for sc in r.schools.iter().filter(|sc| sc.role == Role::StandAlone) {
        let Some((x, y)) = sc.lon_lat else { continue };
        let mut d = String::new();
        triangle(&mut d, proj.xy(x, y), sizes.standalone);
        let _ = writeln!(
            s,
            "<path class=\"standalone\" fill=\"{}\" d=\"{d}\"><title>{} ({}): {}</title></path>",
            palette::hex(palette::STANDALONE),
            esc(&sc.name),
            esc(&sc.id.0),
            esc(&sc.reason)
        );
    }
    s.push_str("</g>\n");

    // Hubs on top, larger ones first so small ones stay visible.
    let max_size = r
        .hubs
        .iter()
        .map(|h| hub_size(h, r.weighting))
        .fold(0.0, f64::max);
    let mut hubs: Vec<&HubOutcome> = r.hubs.iter().collect();
    hubs.sort_by(|a, b| {
        hub_size(b, r.weighting)
            .total_cmp(&hub_size(a, r.weighting))
            .then_with(|| a.id.cmp(&b.id))
    });
    let _ = writeln!(
        s,
        "<g id=\"hubs\" stroke=\"#ffffff\" stroke-width=\"{}\">",
        sizes.outline
    );
    for h in hubs {
        hub_marker(&mut s, h, &proj, &sizes, (r.weighting, max_size));
    }
    s.push_str("</g>\n");

    // Scale bar, bottom left, about a quarter of the map wide.
    let km_per_px = proj.km_per_px();
    let bar_km = nice_km(proj.width * 0.25 * km_per_px);
    let bar_px = bar_km / km_per_px;
    let (bx, by) = (PAD + 6.0, proj.height - PAD - 6.0);
    let _ = writeln!(
        s,
        "<g id=\"scalebar\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"26\" fill=\"#ffffff\" fill-opacity=\"0.8\"/><path d=\"M{bx:.1} {:.1}v6h{bar_px:.1}v-6\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{} km</text></g>",
        bx - 4.0,
        by - 20.0,
        bar_px + 8.0,
        by - 6.0,
        bx + bar_px / 2.0,
        by - 9.0,
        num_label(bar_km)
    );
    // Legend.
    let lx = proj.width + 14.0;
    let mut y = 22.0;
    let _ = writeln!(s, "<g id=\"legend\" font-size=\"12\"><text x=\"{lx:.1}\" y=\"{y:.1}\" font-weight=\"bold\">Legend</text>");
    y += 20.0;
    let _ = writeln!(
        s,
        "<text x=\"{lx:.1}\" y=\"{y:.1}\" fill=\"#444\">Districts: {} within {} min</text>",
        r.weighting.as_str(),
        num_label(limit)
    );
    let b = palette::SHARE_BREAKS;
    for i in (0..4).rev() {
        y += 18.0;
        let _ = writeln!(
            s,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"18\" height=\"12\" fill=\"{}\" fill-opacity=\"0.55\" stroke=\"#5a5a5a\"/><text x=\"{:.1}\" y=\"{y:.1}\">{:.0}–{:.0} %</text>",
            y - 10.0,
            palette::hex(palette::SHARE[i]),
            lx + 26.0,
            100.0 * b[i],
            100.0 * b[i + 1]
        );
    }
    y += 26.0;
    let _ = writeln!(
        s,
        "<text x=\"{lx:.1}\" y=\"{y:.1}\" fill=\"#444\">Hubs (size: {} served)</text>",
        r.weighting.as_str()
    );
    y += 20.0;
    let _ = writeln!(
        s,
        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{}\" stroke=\"#fff\"/><text x=\"{:.1}\" y=\"{y:.1}\">primary hub</text>",
        lx + 9.0,
        y - 4.0,
        palette::hex(palette::PRIMARY),
        lx + 26.0
    );
    y += 20.0;
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"11\" height=\"11\" fill=\"{}\" stroke=\"#fff\"/><text x=\"{:.1}\" y=\"{y:.1}\">secondary hub</text>",
        lx + 3.5,
        y - 9.5,
        palette::hex(palette::SECONDARY),
        lx + 26.0
    );
    y += 26.0;
    let _ = writeln!(
        s,
        "<text x=\"{lx:.1}\" y=\"{y:.1}\" fill=\"#444\">Routes: door-to-door minutes</text>"
    );
    for i in 0..3 {
        y += 18.0;
        let lo = limit / 3.0 * i as f64;
        let hi = limit / 3.0 * (i + 1) as f64;
        let _ = writeln!(
            s,
            "<path d=\"M{lx:.1} {:.1}h18\" stroke=\"{}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{y:.1}\">{}–{} min</text>",
            y - 4.0,
            palette::hex(palette::MINUTES[i]),
            lx + 26.0,
            num_label(lo),
            num_label(hi)
        );
    }
    y += 26.0;
    let mut tri = String::new();
    triangle(
        &mut tri,
        Coord {
            x: lx + 9.0,
            y: y - 4.0,
        },
        10.0,
    );
    let _ = writeln!(
        s,
        "<path d=\"{tri}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{y:.1}\">stand-alone school</text>",
        palette::hex(palette::STANDALONE),
        lx + 26.0
    );
    y += 28.0;
    let _ = writeln!(
        s,
        "<text x=\"{lx:.1}\" y=\"{y:.1}\" font-size=\"10\" fill=\"#666\">Equirectangular at {:.2}° latitude;</text><text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#666\">a drawing, not a survey map.</text>",
        proj.lat0_deg,
        y + 13.0
    );
    y += 40.0;
    let _ = writeln!(
        s,
        "<g id=\"north\"><path d=\"M{:.1} {:.1}l7 16h-14z\" fill=\"#222\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">N</text></g>",
        lx + 9.0,
        y - 14.0,
        lx + 9.0,
        y + 16.0
    );
    s.push_str("</g>\n</svg>\n");
    s
}

fn fmt_count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let digits = format!("{}", v.abs() as u64);
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else {
        format!("{v:.1}")
    }
}

/// What a strategy does, in the words of the run's weighting (students,
/// or schools when the data has no enrolment).
fn strategy_text(name: &str, weighting: Weighting) -> String {
    let (total, minutes, beyond) = match weighting {
        Weighting::Students => (
            "the students' total (student-weighted) travel minutes",
            "student-minutes",
            "students",
        ),
        Weighting::Schools => (
            "the schools' total travel minutes (every school counts once)",
            "school-minutes",
            "schools",
        ),
    };
    match name {
        "score" => "The policy score: each candidate's criteria are normalised among the candidates it competes with and weighted; the highest score wins. The margin is the score the runner-up lacks.".into(),
        "p-median" => format!("p-median: the hubs that minimise {total} to their nearest hub. The margin is the extra {minutes} if the runner-up replaced the hub."),
        "p-center" => "p-center: the hubs that minimise the worst travel minutes of any school. The margin is the extra worst-case minutes with the runner-up.".into(),
        "max-cover" => format!("Maximal covering: the hubs that leave the fewest {beyond} beyond the travel limit. The margin is the extra {beyond} left out with the runner-up."),
        "largest" => "Baseline: the candidates with the most students.".into(),
        "central" => "Baseline: the candidates with the least total straight-line distance to the district's schools.".into(),
        "random" => "Baseline: a seeded lottery among the candidates (the same seed gives the same choice).".into(),
        _ => "A strategy of this version of hubsel.".into(),
    }
}

fn kv_row(out: &mut String, k: &str, v: &str) {
    let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
}

fn scenario_section(r: &RunResult) -> String {
    let c = &r.config;
    let mut s = String::from(
        "<section id=\"scenario\"><h2>Scenario</h2>\n<div class=\"cols\"><table class=\"kv\">\n",
    );
    kv_row(&mut s, "name", &c.name);
    kv_row(&mut s, "file", &c.source);
    kv_row(&mut s, "strategy", c.strategy.as_str());
    kv_row(
        &mut s,
        "hubs per district",
        &format!("{} primary, {} secondary", c.hubs_primary, c.hubs_secondary),
    );
    kv_row(
        &mut s,
        "travel limit",
        &format!("{} min door to door", num_label(c.max_travel_minutes)),
    );
    kv_row(
        &mut s,
        "search cutoff",
        &format!("{} min", num_label(c.search_cutoff_minutes)),
    );
    kv_row(
        &mut s,
        "off-road speed",
        &format!("{} km/h", num_label(c.offroad_speed_kmh)),
    );
    kv_row(
        &mut s,
        "farthest snap",
        &format!("{} m from a road", num_label(c.max_snap_m)),
    );
    kv_row(
        &mut s,
        "road fragments passed over",
        &if c.small_component_junctions == 0 {
            "none".to_string()
        } else {
            format!(
                "pieces of fewer than {} junctions, for a road within the farthest snap",
                c.small_component_junctions
            )
        },
    );
    kv_row(
        &mut s,
        "weights",
        &format!("{}: {}", r.weighting.as_str(), r.weighting_note),
    );
    for note in r.all_notes() {
        kv_row(&mut s, "note", note);
    }
    kv_row(
        &mut s,
        "smallest candidate",
        &format!("{} students", num_label(c.constraints.min_students)),
    );
    kv_row(
        &mut s,
        "excluded if",
        &if c.constraints.exclude_if.is_empty() {
            "—".to_string()
        } else {
            c.constraints.exclude_if.join(", ")
        },
    );
    let ids = |set: &std::collections::BTreeSet<crate::model::SchoolId>| {
        if set.is_empty() {
            "—".to_string()
        } else {
            set.iter()
                .map(|i| i.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    kv_row(&mut s, "required hubs", &ids(&c.required_hubs));
    kv_row(&mut s, "excluded hubs", &ids(&c.excluded_hubs));
    if c.strategy.as_str() == "random" {
        kv_row(&mut s, "seed", &c.seed.to_string());
    }
    s.push_str("</table>\n<table class=\"grid\"><thead><tr><th>criterion</th><th>weight</th><th>direction</th><th>normalise</th></tr></thead><tbody>\n");
    let total: f64 = c.criteria.iter().map(|cr| cr.weight).sum();
    for cr in &c.criteria {
        let share = if total > 0.0 { cr.weight / total } else { 0.0 };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{:.1} %</td><td>{}</td><td>{}</td></tr>",
            esc(&cr.key()),
            100.0 * share,
            format!("{:?}", cr.direction).to_lowercase(),
            format!("{:?}", cr.normalize).to_lowercase()
        );
    }
    s.push_str("</tbody></table></div></section>\n");
    s
}

fn strategy_section(r: &RunResult) -> String {
    let exact = r.hubs.iter().filter(|h| h.exact).count();
    let forced = r.hubs.iter().filter(|h| h.forced).count();
    let unit = r.hubs.first().map_or("", |h| h.margin_unit);
    format!(
        "<section id=\"strategy\"><h2>Strategy: {}</h2>\n<p>{}</p>\n<p>{} of {} hubs were chosen by a proven-optimal search (the others by greedy construction and vertex substitution); {} were required by the scenario. Margins are in <b>{}</b>. Road network: {} nodes, {} links, {} connected part(s).</p></section>\n",
        esc(r.config.strategy.as_str()),
        esc(&strategy_text(r.config.strategy.as_str(), r.weighting)),
        exact,
        r.hubs.len(),
        forced,
        esc(unit),
        r.stats.graph_nodes,
        r.stats.graph_links,
        r.stats.components
    )
}

fn hub_cell(h: Option<&HubOutcome>) -> String {
    match h {
        None => "<td class=\"none\">—</td><td></td><td></td>".to_string(),
        Some(h) => {
            let runner = if h.runner_up_name.is_empty() {
                "—".to_string()
            } else {
                format!(
                    "{} <span class=\"id\">{}</span>",
                    esc(&h.runner_up_name),
                    esc(h.runner_up.as_ref().map_or("", |i| i.0.as_str()))
                )
            };
            format!(
                "<td>{} <span class=\"id\">{}</span></td><td>{runner}</td><td class=\"n\">{}</td>",
                esc(&h.name),
                esc(&h.id.0),
                if h.runner_up.is_some() {
                    format!("{:.3}", h.margin)
                } else {
                    "—".into()
                }
            )
        }
    }
}

fn districts_section(r: &RunResult) -> String {
    let mut s = format!(
        "<section id=\"districts\"><h2>Districts</h2>\n<p>Hubs with their runner-up and margin; travel figures are door-to-door minutes of the member schools, weighted by {}.</p>\n<div class=\"scroll\"><table class=\"grid\" id=\"district-table\"><thead><tr><th>code</th><th>district</th><th>primary hub</th><th>runner-up</th><th>margin</th><th>secondary hub</th><th>runner-up</th><th>margin</th><th>schools</th><th>students</th><th>members</th><th>stand-alone</th><th>mean min</th><th>p95 min</th><th>max min</th><th>within limit</th><th>shortfall, unreachable schools</th></tr></thead><tbody>\n",
        r.weighting.as_str()
    );
    for o in &r.district_outcomes {
        let first = |level: HubLevel| {
            r.hubs
                .iter()
                .find(|h| h.district == o.code && h.level == level)
        };
        let shortfall: Vec<String> = o
            .shortfalls
            .iter()
            .map(|x| format!("{}: {}", x.level.as_str(), x.reason))
            .chain(o.unreachable.iter().map(|u| u.reason.clone()))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td>{}{}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1} %</td><td>{}</td></tr>",
            esc(&o.code.0),
            esc(&o.name),
            hub_cell(first(HubLevel::Primary)),
            hub_cell(first(HubLevel::Secondary)),
            o.schools,
            o.students.map_or_else(|| "—".to_string(), fmt_count),
            o.members,
            o.standalone,
            o.mean_min,
            o.p95_min,
            o.max_min,
            100.0 * o.share_within,
            esc(&shortfall.join("; "))
        );
    }
    s.push_str("</tbody></table></div>\n");
    let extra: usize = r
        .district_outcomes
        .iter()
        .map(|o| (o.hubs_primary + o.hubs_secondary).saturating_sub(2))
        .sum();
    if extra > 0 {
        let _ = writeln!(s, "<p>Districts with more than one hub per level show the first; all {} hubs are in <code>hubs.geojson</code>.</p>", r.hubs.len());
    }
    s.push_str("</section>\n");
    s
}

fn rejects_section(r: &RunResult) -> String {
    let rows = r.rejects.sorted();
    let mut s = String::from("<section id=\"rejects\"><h2>Rejects</h2>\n");
    if rows.is_empty() {
        s.push_str("<p>No input row was refused or flagged.</p></section>\n");
        return s;
    }
    // By file, field and action: how many, and one example reason.
    let mut groups: BTreeMap<(String, String, &'static str), (usize, String)> = BTreeMap::new();
    for x in &rows {
        let e = groups
            .entry((x.source.file.clone(), x.field.clone(), x.action.as_str()))
            .or_insert((0, x.reason.clone()));
        e.0 += 1;
    }
    let _ = writeln!(
        s,
        "<p>{} rows: {} refused, {} flagged (the run went on; every row is in <code>rejects.csv</code>).</p>",
        rows.len(),
        r.rejects.count(crate::model::Action::Refused),
        r.rejects.count(crate::model::Action::Flagged)
    );
    s.push_str("<table class=\"grid\"><thead><tr><th>file</th><th>field</th><th>action</th><th>rows</th><th>for example</th></tr></thead><tbody>\n");
    for ((file, field, action), (n, example)) in &groups {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{n}</td><td>{}</td></tr>",
            esc(file),
            esc(field),
            action,
            esc(example)
        );
    }
    s.push_str("</tbody></table>\n");
    const SHOWN: usize = 50;
    let _ = writeln!(s, "<h3>First {} rows</h3>", SHOWN.min(rows.len()));
    s.push_str("<table class=\"grid\"><thead><tr><th>file</th><th>line</th><th>id</th><th>field</th><th>reason</th><th>action</th></tr></thead><tbody>\n");
    for x in rows.iter().take(SHOWN) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.source.file),
            x.source.line,
            esc(&x.id),
            esc(&x.field),
            esc(&x.reason),
            x.action.as_str()
        );
    }
    s.push_str("</tbody></table></section>\n");
    s
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans Thai',sans-serif;margin:0;color:#1d2329;background:#fff}
header{background:#1f3b57;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
main{padding:8px 24px 32px}h2{font-size:18px;margin:22px 0 8px;border-bottom:1px solid #d5dde5;padding-bottom:4px}
.top{display:flex;gap:20px;align-items:flex-start;margin-top:14px}.figures{display:flex;flex-direction:column;gap:8px}.fig{background:#f1f4f7;border-radius:6px;padding:8px 12px;min-width:110px}
.fig b{display:block;font-size:20px}.fig span{font-size:12px;color:#52606d}
#map{max-width:100%;height:auto;border:1px solid #d5dde5;display:block}
table{border-collapse:collapse;font-size:13px}.grid th,.grid td{border:1px solid #d5dde5;padding:3px 6px;vertical-align:top}
.grid thead th{background:#eef2f6;position:sticky;top:0}.kv th{text-align:left;padding:2px 12px 2px 0;color:#52606d;font-weight:normal}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.id{color:#7b8794;font-size:11px}.none{color:#b00}
.cols{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start}.scroll{overflow-x:auto}
footer{color:#7b8794;font-size:12px;padding:0 24px 24px}";

/// The whole page.
pub fn html(r: &RunResult, layers: &[Layer]) -> String {
    let t = Totals::of(r);
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(s, "<title>hubsel — {}</title>", esc(&r.config.name));
    let _ = writeln!(s, "<style>\n{CSS}\n</style>\n</head>\n<body>");
    let _ = writeln!(
        s,
        "<header><h1>Hub schools — scenario “{}”</h1><p>strategy {}; {} districts, {} schools; travel limit {} min door to door</p></header>\n<main>",
        esc(&r.config.name),
        esc(r.config.strategy.as_str()),
        r.districts.len(),
        fmt_count(t.schools as f64),
        num_label(r.config.max_travel_minutes)
    );
    s.push_str("<div class=\"top\">\n<section id=\"map-section\">\n");
    s.push_str(&svg_map(r));
    s.push_str("</section>\n<div class=\"figures\" id=\"figures\">\n");
    let figs = [
        (
            format!("{} + {}", t.hubs_primary, t.hubs_secondary),
            "primary + secondary hubs".to_string(),
        ),
        (fmt_count(t.members as f64), "member schools".to_string()),
        (
            fmt_count(t.standalone as f64),
            "stand-alone schools".to_string(),
        ),
        (fmt_count(t.rejected as f64), "rejected rows".to_string()),
        (
            format!("{:.1} %", 100.0 * t.share_within),
            format!(
                "{} at a hub or within {} min",
                r.weighting.as_str(),
                num_label(r.config.max_travel_minutes)
            ),
        ),
        (
            format!("{:.1} min", t.mean_min),
            "members' mean travel".to_string(),
        ),
        (
            format!("{:.1} min", t.p95_min),
            "members' 95th percentile".to_string(),
        ),
        (
            format!("{:.1} min", t.max_min),
            "longest member trip".to_string(),
        ),
    ];
    for (value, label) in figs {
        let _ = writeln!(
            s,
            "<div class=\"fig\"><b>{}</b><span>{}</span></div>",
            esc(&value),
            esc(&label)
        );
    }
    s.push_str("</div>\n</div>\n");
    s.push_str(&scenario_section(r));
    s.push_str(&strategy_section(r));
    s.push_str(&districts_section(r));
    s.push_str(&rejects_section(r));
    s.push_str("<section id=\"files\"><h2>Files of this run</h2><p>");
    let names: Vec<String> = layers
        .iter()
        .map(|l| format!("<code>{}</code> ({} features)", l.name, l.rows.len()))
        .collect();
    s.push_str(&names.join(", "));
    s.push_str(", each with a QGIS style (<code>.qml</code>); <code>summary.json</code> lists every field with its unit.</p></section>\n");
    let _ = writeln!(
        s,
        "</main>\n<footer>written by hubsel {}</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(nice_km(37.0), 20.0);
        assert_eq!(nice_km(50.0), 50.0);
        assert_eq!(nice_km(9.9), 5.0);
        assert_eq!(nice_km(0.3), 0.2);
        assert_eq!(nice_km(0.0), 1.0);
    }

    #[test]
    fn classes_follow_the_limit_and_the_share_breaks() {
        assert_eq!(minutes_class(0.0, 45.0), 0);
        assert_eq!(minutes_class(15.0, 45.0), 1);
        assert_eq!(minutes_class(44.9, 45.0), 2);
        assert_eq!(minutes_class(60.0, 45.0), 3);
        assert_eq!(share_class(0.2), 0);
        assert_eq!(share_class(0.5), 1);
        assert_eq!(share_class(0.95), 3);
        assert_eq!(share_class(1.0), 3);
    }

    #[test]
    fn counts_print_with_thousands_separators() {
        assert_eq!(fmt_count(29251.0), "29,251");
        assert_eq!(fmt_count(687.0), "687");
        assert_eq!(fmt_count(2.5), "2.5");
    }
}
