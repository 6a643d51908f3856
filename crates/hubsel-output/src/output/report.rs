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
//!
//! # Templates
//!
//! The page is written by [askama] templates in `crates/hubsel/templates/`,
//! compiled into the library (the page stays one file, nothing is read at
//! run time):
//!
//! | template | shows | context |
//! |---|---|---|
//! | `report/page.html` | head, header, figures, files, footer | `Page` |
//! | `report/report.css` | the inline style sheet | |
//! | `report/map.svg` | the map, its scale bar and legend | `Map` |
//! | `report/scenario.html` | the scenario's settings and criteria | `Scenario` |
//! | `report/strategy.html` | what the strategy does, in the run's units | `Strategy` |
//! | `report/districts.html` | one row per district with its hubs | `DistrictRow` |
//! | `report/rejects.html` | the refused and flagged rows | `RejectsView` |
//!
//! The sections are included into the page and read its fields; this
//! module decides *what* is shown (geometry, colours, groups, counts), the
//! templates *how* it reads (markup, words, number formats).
//!
//! Why askama: the output must stay byte-for-byte what it was, so every
//! newline is written by the template as it stands (minijinja would do
//! that too; maud writes no whitespace of its own, which makes a
//! line-for-line page awkward); askama checks the templates against these
//! types when the crate compiles (a misspelt field is a build error, not a
//! broken report in a planner's hands) and renders without a runtime
//! environment.
//!
//! Every `{{ … }}` is escaped by the engine, attributes and text alike,
//! with the crate's XML escaper (`Xml`, set in
//! `templates/askama.toml`): askama's own `Html` escaper writes numeric
//! entities (`&#39;`), where the page has always had `&apos;`. No template
//! marks anything `safe`.
//!
//! [askama]: https://docs.rs/askama

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use askama::Template;
use geo::{Area, Coord, InteriorPoint};

use super::style::{num_label, palette};
use super::summary::Totals;
use super::words::{Lang, Words};
use crate::io::table::Layer;
use crate::model::{Action, Reject};
use crate::model::{HubLevel, Weighting};
use crate::outcome::{DistrictOutcome, HubOutcome, Role, RunResult, SchoolOutcome};

/// The map's drawing area, in CSS pixels.
const MAP_MAX_W: f64 = 900.0;
const MAP_MAX_H: f64 = 780.0;
const PAD: f64 = 12.0;
const LEGEND_W: f64 = 250.0;
/// Districts are named on the map up to this many; above it (a national
/// run) the names would cover the map, and the tooltips name them.
const LABELLED_DISTRICTS: usize = 150;

/// Mean Earth radius (IUGG), for the scale bar.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Reject rows listed one by one; the rest are only counted.
const REJECTS_SHOWN: usize = 50;

/// The templates' escaper (`templates/askama.toml` names it for `.html`
/// and `.svg`): the crate's XML escaping of `& < > " '` as `&amp; &lt;
/// &gt; &quot; &apos;`, the entities the page has always had, for text
/// and attribute values alike.
#[derive(Clone, Copy, Debug)]
pub struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        dest.write_str(&super::style::xml(text))
    }
}

/// Number formats of the templates, beside askama's `fmt("{:.1}")`.
mod filters {
    use askama::Values;

    /// A number however deeply borrowed: askama passes a template value
    /// by reference or not, depending on the expression.
    pub trait Number {
        fn value(&self) -> f64;
    }

    impl Number for f64 {
        fn value(&self) -> f64 {
            *self
        }
    }

    impl<T: Number + ?Sized> Number for &T {
        fn value(&self) -> f64 {
            (**self).value()
        }
    }

    /// A count with thousands separators (`29,251`); a fraction to one
    /// decimal.
    #[askama::filter_fn]
    pub fn count(v: impl Number, _: &dyn Values) -> askama::Result<String> {
        Ok(super::fmt_count(v.value()))
    }

    /// A setting as a person writes it: `45`, `2.5` (one decimal at most).
    #[askama::filter_fn]
    pub fn num(v: impl Number, _: &dyn Values) -> askama::Result<String> {
        Ok(super::num_label(v.value()))
    }

    /// A map coordinate or length in pixels, to a tenth.
    #[askama::filter_fn]
    pub fn px(v: impl Number, _: &dyn Values) -> askama::Result<String> {
        Ok(format!("{:.1}", v.value()))
    }
}

/// The whole page (`report/page.html`); the sections are included and
/// read its fields.
#[derive(Template)]
#[template(path = "report/page.html", config = "templates/askama.toml")]
struct Page<'a> {
    r: &'a RunResult,
    /// The words of the page's language, and its code for `<html lang>`.
    w: &'static Words,
    lang: &'static str,
    t: Totals,
    layers: &'a [Layer],
    map: Map<'a>,
    scenario: Scenario<'a>,
    strategy: Strategy<'a>,
    districts: Vec<DistrictRow<'a>>,
    /// Some district has more than one hub of a level: the table shows the
    /// first, and says so.
    more_hubs: bool,
    rejects: RejectsView,
    version: &'static str,
}

/// The map (`report/map.svg`), in pixels of its drawing.
struct Map<'a> {
    /// The whole drawing, legend included.
    total_w: f64,
    total_h: f64,
    /// The map without the legend.
    width: f64,
    districts: Vec<DistrictShape<'a>>,
    /// District names, at a point inside each district.
    labels: Vec<DistrictLabel<'a>>,
    route_width: f64,
    routes: Vec<RouteGroup<'a>>,
    /// A stand-alone school's triangle, side length.
    standalone_size: f64,
    standalone: Vec<StandaloneMark<'a>>,
    /// The white ring around hub markers.
    outline: f64,
    /// Larger first, so that small ones stay visible.
    hubs: Vec<HubMark<'a>>,
    scale: ScaleBar,
    legend: Legend,
}

/// A district, coloured by the share of students within the limit.
struct DistrictShape<'a> {
    o: &'a DistrictOutcome,
    fill: String,
    /// SVG path data, rings and holes.
    path: String,
}

/// A district's name on the map.
struct DistrictLabel<'a> {
    name: &'a str,
    x: f64,
    y: f64,
}

/// The routes of one hub in one travel class: one path.
struct RouteGroup<'a> {
    hub: &'a str,
    level: HubLevel,
    /// Routes drawn (members of the hub in this class).
    n: usize,
    stroke: String,
    path: String,
}

struct StandaloneMark<'a> {
    school: &'a SchoolOutcome,
    /// Why it stands alone, in the report's language.
    reason: String,
    /// The triangle's path data.
    path: String,
}

/// A hub marker: a circle (centre `x`, `y`, radius `size`) for a primary
/// hub, a square (corner `x`, `y`, side `size`) for a secondary one.
struct HubMark<'a> {
    h: &'a HubOutcome,
    x: f64,
    y: f64,
    size: f64,
}

/// The scale bar, bottom left: its left end `x`, its baseline `y`.
struct ScaleBar {
    x: f64,
    y: f64,
    bar_px: f64,
    km: f64,
}

/// The legend, right of the map: its left edge `x` and the baselines of
/// its rows from the top.
struct Legend {
    x: f64,
    title_y: f64,
    districts_y: f64,
    /// District share classes, the highest first; `lo`, `hi` in percent.
    shares: Vec<Swatch>,
    hubs_y: f64,
    primary_y: f64,
    secondary_y: f64,
    /// What a hub's size stands for: circles of the largest hub and of a
    /// round smaller figure, drawn as the map draws them.
    sizes: Vec<SizeKey>,
    routes_y: f64,
    /// Route travel classes, thirds of the limit; `lo`, `hi` in minutes.
    minutes: Vec<Swatch>,
    standalone_y: f64,
    standalone_path: String,
    note_y: f64,
    north_y: f64,
    /// The projection's latitude, degrees.
    lat0_deg: f64,
}

/// One circle of the hub size key: its centre's baseline `y`, radius `r`
/// and the figure it stands for.
struct SizeKey {
    y: f64,
    r: f64,
    label: String,
}

/// One colour of the legend and the range it stands for.
struct Swatch {
    y: f64,
    colour: String,
    lo: f64,
    hi: f64,
}

/// What the scenario table shows beyond the configuration's own fields.
struct Scenario<'a> {
    notes: Vec<&'a str>,
    /// The allocation's totals, when hubs have capacities.
    allocation: Option<String>,
    exclude_if: String,
    required: String,
    excluded: String,
    criteria: Vec<CriterionRow>,
}

struct CriterionRow {
    key: String,
    /// Its name and what it measures, in the report's language.
    label: String,
    about: String,
    /// Its share of the weights, percent.
    share_pct: f64,
    direction: String,
    normalize: String,
}

/// The strategy section's figures and the words of the run's weighting.
struct Strategy<'a> {
    /// Hubs chosen by a proven-optimal search.
    exact: usize,
    /// Hubs required by the scenario.
    forced: usize,
    margin_unit: &'a str,
    /// The total that p-median minimises.
    total: &'static str,
    /// The unit of p-median's margins.
    minutes: &'static str,
    /// What max-cover leaves beyond the limit.
    beyond: &'static str,
}

/// A district's row: its outcome and its first hub of each level.
struct DistrictRow<'a> {
    o: &'a DistrictOutcome,
    primary: Option<&'a HubOutcome>,
    secondary: Option<&'a HubOutcome>,
    /// Shortfalls and unreachable schools, `; `-separated.
    shortfall: String,
}

/// The rejects section: counts by file, field and action, then the first
/// rows.
struct RejectsView {
    /// Sorted by file and line.
    rows: Vec<RejectRow>,
    refused: usize,
    flagged: usize,
    groups: Vec<RejectGroup>,
}

impl RejectsView {
    fn first(&self) -> &[RejectRow] {
        &self.rows[..self.rows.len().min(REJECTS_SHOWN)]
    }
}

/// A reject and its reason in the report's language.
struct RejectRow {
    x: Reject,
    reason: String,
}

/// Rejects of one file, field and action: how many, and one example reason.
struct RejectGroup {
    file: String,
    field: String,
    action: Action,
    n: usize,
    example: String,
}

/// The whole page, in `lang`.
pub fn html(r: &RunResult, layers: &[Layer], lang: Lang) -> String {
    let w = lang.words();
    let page = Page {
        r,
        w,
        lang: lang.as_str(),
        t: Totals::of(r),
        layers,
        map: Map::new(r, lang),
        scenario: Scenario::new(r, lang),
        strategy: Strategy::new(r, w),
        districts: district_rows(r, w),
        more_hubs: r
            .district_outcomes
            .iter()
            .any(|o| o.hubs_primary + o.hubs_secondary > 2),
        rejects: RejectsView::new(r, lang),
        version: env!("CARGO_PKG_VERSION"),
    };
    let mut s = String::new();
    // Rendering into a String fails only when a value's Display or a
    // filter does, and none of the page's can.
    let _ = page.render_into(&mut s);
    s
}

impl<'a> Map<'a> {
    fn new(r: &'a RunResult, lang: Lang) -> Map<'a> {
        let proj = Projection::new(r);
        let standalone: Vec<&SchoolOutcome> = r
            .schools
            .iter()
            .filter(|sc| sc.role == Role::StandAlone)
            .collect();
        let sizes = Sizes::new(
            &proj,
            r.districts.len(),
            r.hubs.len(),
            standalone.len(),
            r.routes.len(),
        );
        let max_size = r
            .hubs
            .iter()
            .map(|h| hub_size(h, r.weighting))
            .fold(0.0, f64::max);
        let legend = Legend::new(&proj, r.config.max_travel_min, &sizes, max_size);
        let triangles = standalone
            .into_iter()
            .filter_map(|school| {
                let (x, y) = school.lon_lat?;
                let mut path = String::new();
                triangle(&mut path, proj.xy(x, y), sizes.standalone);
                let reason = school.reason.as_ref().map(|x| lang.reason(x));
                Some(StandaloneMark {
                    school,
                    reason: reason.unwrap_or_default(),
                    path,
                })
            })
            .collect();
        Map {
            total_w: proj.width + LEGEND_W,
            total_h: proj.height.max(legend.north_y + 30.0),
            width: proj.width,
            districts: district_shapes(r, &proj),
            labels: district_labels(r, &proj),
            route_width: sizes.route_width,
            routes: route_groups(r, &proj),
            standalone_size: sizes.standalone,
            standalone: triangles,
            outline: sizes.outline,
            hubs: hub_marks(r, &proj, &sizes),
            scale: ScaleBar::new(&proj),
            legend,
        }
    }
}

fn district_shapes<'a>(r: &'a RunResult, proj: &Projection) -> Vec<DistrictShape<'a>> {
    r.districts
        .iter()
        .zip(&r.district_outcomes)
        .map(|(d, o)| {
            let mut path = String::new();
            for poly in &d.geometry.0 {
                path_data(&mut path, &poly.exterior().0, proj, true);
                for hole in poly.interiors() {
                    path_data(&mut path, &hole.0, proj, true);
                }
            }
            DistrictShape {
                o,
                fill: palette::hex(if o.schools == 0 {
                    palette::NO_SCHOOLS
                } else {
                    palette::SHARE[share_class(o.share_within)]
                }),
                path,
            }
        })
        .collect()
}

/// Each district's name at a point inside its largest polygon, when the
/// map has few enough districts to name them all. Larger districts are
/// placed first; a name that would overlap one already placed moves a
/// line up or down, and is left to the tooltip when both overlap too.
fn district_labels<'a>(r: &'a RunResult, proj: &Projection) -> Vec<DistrictLabel<'a>> {
    if r.districts.len() > LABELLED_DISTRICTS {
        return Vec::new();
    }
    let mut anchors: Vec<(f64, &str, Coord<f64>)> = r
        .districts
        .iter()
        .filter_map(|d| {
            let largest = d
                .geometry
                .0
                .iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
            let at = largest.interior_point()?;
            Some((largest.unsigned_area(), d.name.as_str(), proj.xy(at.x(), at.y())))
        })
        .collect();
    anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let mut labels = Vec::new();
    for (_, name, p) in anchors {
        let half_w = label_width_px(name) / 2.0;
        let free = [0.0, -LABEL_LINE_PX, LABEL_LINE_PX].into_iter().find_map(|dy| {
            let y = p.y + dy;
            let bbox = [p.x - half_w, y - LABEL_LINE_PX + 2.0, p.x + half_w, y + 2.0];
            let clear = placed.iter().all(|q| {
                bbox[2] < q[0] || q[2] < bbox[0] || bbox[3] < q[1] || q[3] < bbox[1]
            });
            clear.then_some((y, bbox))
        });
        if let Some((y, bbox)) = free {
            placed.push(bbox);
            labels.push(DistrictLabel { name, x: p.x, y });
        }
    }
    labels
}

/// A label line's height at the labels' 10 px font, pixels.
const LABEL_LINE_PX: f64 = 11.0;

/// About how wide a district name is drawn at 10 px: Thai vowel and tone
/// marks above and below the line take no width of their own.
fn label_width_px(name: &str) -> f64 {
    let spacing = name
        .chars()
        .filter(|&c| !matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'))
        .count();
    spacing as f64 * 6.2 + 4.0
}

/// Routes grouped by hub and travel class, in the order of hub ids.
fn route_groups<'a>(r: &'a RunResult, proj: &Projection) -> Vec<RouteGroup<'a>> {
    let limit = r.config.max_travel_min;
    // Each route's path on its own (in parallel), then joined in order.
    let paths: Vec<String> = {
        use rayon::prelude::*;
        r.routes
            .par_iter()
            .map(|rt| {
                let mut path = String::new();
                if rt.coords.len() >= 2 {
                    path_data(&mut path, &rt.coords, proj, false);
                }
                path
            })
            .collect()
    };
    let mut groups: BTreeMap<(&str, usize), RouteGroup<'a>> = BTreeMap::new();
    for (rt, path) in r.routes.iter().zip(paths) {
        let class = minutes_class(rt.travel_min, limit);
        let group = groups
            .entry((rt.hub.0.as_str(), class))
            .or_insert_with(|| RouteGroup {
                hub: &rt.hub.0,
                level: rt.level,
                n: 0,
                stroke: palette::hex(palette::MINUTES[class]),
                path: String::new(),
            });
        group.n += 1;
        group.path.push_str(&path);
    }
    groups.into_values().collect()
}

/// Hub markers, larger ones first so that small ones stay visible.
fn hub_marks<'a>(r: &'a RunResult, proj: &Projection, sizes: &Sizes) -> Vec<HubMark<'a>> {
    let size_of = |h: &HubOutcome| hub_size(h, r.weighting);
    let max_size = r.hubs.iter().map(size_of).fold(0.0, f64::max);
    let mut hubs: Vec<&HubOutcome> = r.hubs.iter().collect();
    hubs.sort_by(|a, b| {
        size_of(b)
            .total_cmp(&size_of(a))
            .then_with(|| a.id.cmp(&b.id))
    });
    hubs.into_iter()
        .map(|h| {
            let p = proj.xy(h.lon, h.lat);
            let radius = sizes.hub_radius(size_of(h), max_size);
            match h.level {
                HubLevel::Primary => HubMark {
                    h,
                    x: p.x,
                    y: p.y,
                    size: radius,
                },
                HubLevel::Secondary => {
                    let side = radius * 1.7;
                    HubMark {
                        h,
                        x: p.x - side / 2.0,
                        y: p.y - side / 2.0,
                        size: side,
                    }
                }
            }
        })
        .collect()
}

impl ScaleBar {
    /// About a quarter of the map wide, bottom left.
    fn new(proj: &Projection) -> ScaleBar {
        let km_per_px = proj.km_per_px();
        let km = nice_round(proj.width * 0.25 * km_per_px);
        ScaleBar {
            x: PAD + 6.0,
            y: proj.height - PAD - 6.0,
            bar_px: km / km_per_px,
            km,
        }
    }
}

impl Legend {
    /// Rows laid out from the top; `limit` is the travel limit, minutes;
    /// `max_size` the largest hub's size figure.
    fn new(proj: &Projection, limit: f64, sizes: &Sizes, max_size: f64) -> Legend {
        let x = proj.width + 14.0;
        let mut y = 22.0;
        let mut down = |step: f64| {
            y += step;
            y
        };
        let title_y = 22.0;
        let districts_y = down(20.0);
        let b = palette::SHARE_BREAKS;
        let shares = (0..4)
            .rev()
            .map(|i| Swatch {
                y: down(18.0),
                colour: palette::hex(palette::SHARE[i]),
                lo: 100.0 * b[i],
                hi: 100.0 * b[i + 1],
            })
            .collect();
        let hubs_y = down(26.0);
        let primary_y = down(20.0);
        let secondary_y = down(20.0);
        let size_key = size_key_figures(max_size)
            .into_iter()
            .map(|figure| {
                let r = sizes.hub_radius(figure, max_size);
                SizeKey {
                    y: down(2.0 * r.max(6.0) + 4.0),
                    r,
                    label: fmt_count(figure),
                }
            })
            .collect();
        let routes_y = down(26.0);
        let minutes = (0..3)
            .map(|i| Swatch {
                y: down(18.0),
                colour: palette::hex(palette::MINUTES[i]),
                lo: limit / 3.0 * i as f64,
                hi: limit / 3.0 * (i + 1) as f64,
            })
            .collect();
        let standalone_y = down(26.0);
        let mut standalone_path = String::new();
        let corner = Coord {
            x: x + 9.0,
            y: standalone_y - 4.0,
        };
        triangle(&mut standalone_path, corner, 10.0);
        Legend {
            x,
            title_y,
            districts_y,
            shares,
            hubs_y,
            primary_y,
            secondary_y,
            sizes: size_key,
            routes_y,
            minutes,
            standalone_y,
            standalone_path,
            note_y: down(28.0),
            north_y: down(40.0),
            lat0_deg: proj.lat0_deg,
        }
    }
}

/// The figures of the hub size key: the largest hub's, and a round
/// figure (1, 2 or 5 × 10ⁿ) near a tenth of it; none without hubs.
fn size_key_figures(max_size: f64) -> Vec<f64> {
    if max_size.is_nan() || max_size <= 0.0 {
        return Vec::new();
    }
    let small = nice_round(max_size / 8.0).round().max(1.0);
    if small >= max_size {
        vec![max_size]
    } else {
        vec![max_size.round(), small]
    }
}

/// Items joined by commas; a dash when there are none.
fn listed<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let all: Vec<&str> = items.into_iter().collect();
    if all.is_empty() {
        "—".to_string()
    } else {
        all.join(", ")
    }
}

impl<'a> Scenario<'a> {
    fn new(r: &'a RunResult, lang: Lang) -> Scenario<'a> {
        let c = &r.config;
        let total: f64 = c.criteria.iter().map(|cr| cr.weight).sum();
        let criteria = c
            .criteria
            .iter()
            .map(|cr| {
                let l = crate::scenario::labels::label(&cr.key());
                let (label, about) = match lang {
                    Lang::En => (l.en, l.about_en),
                    Lang::Th => (l.th, l.about_th),
                };
                CriterionRow {
                key: cr.key(),
                label,
                about,
                share_pct: 100.0 * if total > 0.0 { cr.weight / total } else { 0.0 },
                direction: format!("{:?}", cr.direction).to_lowercase(),
                normalize: format!("{:?}", cr.normalize).to_lowercase(),
            }
            })
            .collect();
        Scenario {
            notes: r.all_notes().map(String::as_str).collect(),
            allocation: r.allocation.as_ref().map(|a| match lang {
                Lang::En => a.line(),
                Lang::Th => a.line_th(),
            }),
            exclude_if: listed(c.constraints.exclude_if.iter().map(String::as_str)),
            required: listed(c.required_hubs.iter().map(|i| i.0.as_str())),
            excluded: listed(c.excluded_hubs.iter().map(|i| i.0.as_str())),
            criteria,
        }
    }
}

impl<'a> Strategy<'a> {
    fn new(r: &'a RunResult, w: &'static Words) -> Strategy<'a> {
        let (total, minutes, beyond) = match r.weighting {
            Weighting::Students => (w.total_students, w.unit_students, w.beyond_students),
            Weighting::Schools => (w.total_schools, w.unit_schools, w.beyond_schools),
        };
        Strategy {
            exact: r.hubs.iter().filter(|h| h.exact).count(),
            forced: r.hubs.iter().filter(|h| h.forced).count(),
            margin_unit: r.hubs.first().map_or("", |h| h.margin_unit),
            total,
            minutes,
            beyond,
        }
    }
}

fn district_rows<'a>(r: &'a RunResult, w: &Words) -> Vec<DistrictRow<'a>> {
    r.district_outcomes
        .iter()
        .map(|o| {
            let first = |level: HubLevel| {
                r.hubs
                    .iter()
                    .find(|h| h.district == o.code && h.level == level)
            };
            let shortfall: Vec<String> = o
                .shortfalls
                .iter()
                .map(|x| w.shortfall(x))
                .chain(o.unreachable.iter().map(|u| w.unreachable(u)))
                .collect();
            DistrictRow {
                o,
                primary: first(HubLevel::Primary),
                secondary: first(HubLevel::Secondary),
                shortfall: shortfall.join("; "),
            }
        })
        .collect()
}

impl RejectsView {
    fn new(r: &RunResult, lang: Lang) -> RejectsView {
        let rows = r.rejects.sorted();
        // Grouped in the order of the action's name, as the table has it.
        let mut groups: BTreeMap<(String, String, &'static str), (Action, usize, String)> =
            BTreeMap::new();
        for x in &rows {
            let key = (x.source.file.clone(), x.field.clone(), x.action.as_str());
            groups
                .entry(key)
                .or_insert_with(|| (x.action, 0, lang.reason(&x.reason)))
                .1 += 1;
        }
        let groups = groups
            .into_iter()
            .map(|((file, field, _), (action, n, example))| RejectGroup {
                file,
                field,
                action,
                n,
                example,
            })
            .collect();
        RejectsView {
            refused: r.rejects.count(Action::Refused),
            flagged: r.rejects.count(Action::Flagged),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, x)| RejectRow {
                    // Only the rows shown need their words.
                    reason: if i < REJECTS_SHOWN {
                        lang.reason(&x.reason)
                    } else {
                        String::new()
                    },
                    x,
                })
                .collect(),
            groups,
        }
    }
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
    let projected: Vec<Coord<f64>> = line.iter().map(|c| proj.xy(c.x, c.y)).collect();
    let simple = simplify(&projected, 0.5);
    let pts = if simple.len() >= 2 { &simple } else { &projected };
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

/// The points geo's `LineString::simplify(epsilon)` keeps
/// (Ramer–Douglas–Peucker: between two kept points, the one farthest from
/// the segment joining them, the last of equals, is kept when farther than
/// `epsilon`), each distance computed as geo computes it, but a segment's
/// length once per segment instead of once per point. A test compares
/// both on random lines.
fn simplify(pts: &[Coord<f64>], epsilon: f64) -> Vec<Coord<f64>> {
    let n = pts.len();
    if n < 3 || epsilon <= 0.0 {
        return pts.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut spans = vec![(0, n - 1)];
    while let Some((a, b)) = spans.pop() {
        let (Some(&start), Some(&end), Some(inner)) = (pts.get(a), pts.get(b), pts.get(a + 1..b))
        else {
            continue;
        };
        let distance = segment_distance(start, end);
        let (mut far, mut far_d) = (0, 0.0);
        for (i, &p) in inner.iter().enumerate() {
            let d = distance(p);
            if d >= far_d {
                (far, far_d) = (a + 1 + i, d);
            }
        }
        if far_d > epsilon {
            keep[far] = true;
            spans.push((a, far));
            spans.push((far, b));
        }
    }
    pts.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// The distance from a point to the segment `start`–`end`, in the very
/// operations of geo's `line_segment_distance`.
fn segment_distance(start: Coord<f64>, end: Coord<f64>) -> impl Fn(Coord<f64>) -> f64 {
    let (dx, dy) = (end.x - start.x, end.y - start.y);
    let d_squared = dx * dx + dy * dy;
    let length = dx.hypot(dy);
    let degenerate = start == end;
    move |p: Coord<f64>| {
        let to_start = || (start.x - p.x).hypot(start.y - p.y);
        if degenerate {
            return to_start();
        }
        let r = ((p.x - start.x) * dx + (p.y - start.y) * dy) / d_squared;
        if r <= 0.0 {
            return to_start();
        }
        if r >= 1.0 {
            return (end.x - p.x).hypot(end.y - p.y);
        }
        let s = ((start.y - p.y) * dx - (start.x - p.x) * dy) / d_squared;
        s.abs() * length
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

/// A round figure (1, 2 or 5 × 10ⁿ) of at most `max_km`: a scale bar length in kilometres, a size key figure.
fn nice_round(max_km: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(nice_round(37.0), 20.0);
        assert_eq!(nice_round(50.0), 50.0);
        assert_eq!(nice_round(9.9), 5.0);
        assert_eq!(nice_round(0.3), 0.2);
        assert_eq!(nice_round(0.0), 1.0);
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
    fn simplify_keeps_the_points_geo_keeps() {
        use geo::{LineString, Simplify};
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
        for case in 0..3000 {
            let n = rng.random_range(0..60);
            // Walks on a coarse grid (repeated points, collinear runs,
            // equal distances) and on the reals, some closed.
            let grid = rng.random_bool(0.5);
            let step = if rng.random_bool(0.5) { 0.3 } else { 3.0 };
            let (mut x, mut y) = (0.0f64, 0.0f64);
            let mut pts: Vec<Coord<f64>> = (0..n)
                .map(|_| {
                    if grid {
                        x += f64::from(rng.random_range(-1..=2)) * 0.5;
                        y += f64::from(rng.random_range(-1..=1)) * 0.5;
                    } else {
                        x += rng.random_range(-step..step * 2.0);
                        y += rng.random_range(-step..step);
                    }
                    Coord { x, y }
                })
                .collect();
            if n > 2 && rng.random_bool(0.3) {
                pts.push(pts[0]);
            }
            for epsilon in [0.5, 0.0, 2.0] {
                let theirs = LineString::new(pts.clone()).simplify(epsilon).0;
                assert_eq!(simplify(&pts, epsilon), theirs, "case {case}, epsilon {epsilon}");
            }
        }
    }

    #[test]
    fn counts_print_with_thousands_separators() {
        assert_eq!(fmt_count(29251.0), "29,251");
        assert_eq!(fmt_count(687.0), "687");
        assert_eq!(fmt_count(2.5), "2.5");
    }
}
