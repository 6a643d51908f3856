//! QGIS styles: `<layer>.qml` beside each layer, which QGIS loads by
//! itself when it opens `<layer>.geojson`, `.shp` or `.fgb`.
//!
//! | layer | renderer | on field |
//! |---|---|---|
//! | hubs | categorised by level, size by students served, labelled with the name | `level`, `served`, `name` |
//! | schools | categorised by role | `role` |
//! | routes | graduated by door-to-door minutes, thirds of the limit | `travel_min` |
//! | districts | graduated by the share of students within the limit | `share_in` |
//!
//! Styles name only fields that every format of the layer has (the fixed
//! fields, never the `p_<criterion>` ones whose Shapefile names differ),
//! so one `.qml` serves all three formats. They also give each field an
//! alias with its unit. QGIS 3 style XML, checked by loading it in QGIS.

use std::fmt::Write as _;

use crate::io::table::{Cell, GeomKind, Layer};
use crate::model::Weighting;
use crate::outcome::Role;

/// Colours shared by the styles and the report, as `r,g,b`.
pub mod palette {
    pub const PRIMARY: (u8, u8, u8) = (31, 120, 180);
    pub const SECONDARY: (u8, u8, u8) = (230, 97, 1);
    pub const HUB: (u8, u8, u8) = (37, 37, 37);
    pub const MEMBER: (u8, u8, u8) = (51, 160, 44);
    pub const STANDALONE: (u8, u8, u8) = (215, 25, 28);
    pub const REJECTED: (u8, u8, u8) = (127, 127, 127);
    /// Routes by thirds of the travel limit, then beyond it.
    pub const MINUTES: [(u8, u8, u8); 4] =
        [(254, 217, 118), (253, 141, 60), (227, 26, 28), (128, 0, 38)];
    /// Districts by share of students within the limit: below 50 %,
    /// 50–70 %, 70–90 %, 90 % and more.
    pub const SHARE: [(u8, u8, u8); 4] = [
        (215, 48, 39),
        (252, 141, 89),
        (217, 239, 139),
        (26, 152, 80),
    ];
    pub const SHARE_BREAKS: [f64; 5] = [0.0, 0.5, 0.7, 0.9, 1.0];
    /// A district without any school: no data, not a failure.
    pub const NO_SCHOOLS: (u8, u8, u8) = (204, 204, 204);

    /// `#rrggbb` for SVG and CSS.
    pub fn hex(c: (u8, u8, u8)) -> String {
        format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
    }
}

/// The version QGIS writes into its own styles; QGIS 3.x reads it.
const QGIS_VERSION: &str = "3.28.0-Firenze";

/// Escapes text for an XML attribute.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn rgba((r, g, b): (u8, u8, u8), alpha: u8) -> String {
    format!("{r},{g},{b},{alpha}")
}

/// A symbol layer's properties, written both as QGIS 3.28 writes them
/// (`<Option type="Map">`) and as older 3.x versions read them (`<prop>`).
fn props(out: &mut String, pad: &str, kv: &[(&str, String)]) {
    let _ = writeln!(out, "{pad}<Option type=\"Map\">");
    for (k, v) in kv {
        let _ = writeln!(
            out,
            "{pad}  <Option type=\"QString\" name=\"{}\" value=\"{}\"/>",
            xml(k),
            xml(v)
        );
    }
    let _ = writeln!(out, "{pad}</Option>");
    for (k, v) in kv {
        let _ = writeln!(out, "{pad}<prop k=\"{}\" v=\"{}\"/>", xml(k), xml(v));
    }
}

/// Data-defined properties: (property name, QGIS expression).
fn data_defined(out: &mut String, pad: &str, exprs: &[(&str, String)]) {
    let _ = writeln!(out, "{pad}<data_defined_properties>");
    let _ = writeln!(out, "{pad}  <Option type=\"Map\">");
    let _ = writeln!(
        out,
        "{pad}    <Option type=\"QString\" name=\"name\" value=\"\"/>"
    );
    if exprs.is_empty() {
        let _ = writeln!(out, "{pad}    <Option name=\"properties\"/>");
    } else {
        let _ = writeln!(out, "{pad}    <Option type=\"Map\" name=\"properties\">");
        for (name, expr) in exprs {
            let _ = writeln!(
                out,
                "{pad}      <Option type=\"Map\" name=\"{}\">",
                xml(name)
            );
            let _ = writeln!(
                out,
                "{pad}        <Option type=\"bool\" name=\"active\" value=\"true\"/>"
            );
            let _ = writeln!(
                out,
                "{pad}        <Option type=\"QString\" name=\"expression\" value=\"{}\"/>",
                xml(expr)
            );
            let _ = writeln!(
                out,
                "{pad}        <Option type=\"int\" name=\"type\" value=\"3\"/>"
            );
            let _ = writeln!(out, "{pad}      </Option>");
        }
        let _ = writeln!(out, "{pad}    </Option>");
    }
    let _ = writeln!(
        out,
        "{pad}    <Option type=\"QString\" name=\"type\" value=\"collection\"/>"
    );
    let _ = writeln!(out, "{pad}  </Option>");
    let _ = writeln!(out, "{pad}</data_defined_properties>");
}

/// A symbol to draw: what kind and how.
enum Sym {
    /// A marker: shape name (circle, square, star, triangle, cross2, …),
    /// colour, size in mm, and an optional size expression.
    Marker {
        shape: &'static str,
        color: (u8, u8, u8),
        size_mm: f64,
        size_expr: Option<String>,
    },
    Line {
        color: (u8, u8, u8),
        width_mm: f64,
    },
    Fill {
        color: (u8, u8, u8),
        alpha: u8,
    },
}

impl Sym {
    /// The QGIS symbol type.
    fn kind(&self) -> &'static str {
        match self {
            Sym::Marker { .. } => "marker",
            Sym::Line { .. } => "line",
            Sym::Fill { .. } => "fill",
        }
    }

    /// The QGIS class of its one symbol layer.
    fn layer_class(&self) -> &'static str {
        match self {
            Sym::Marker { .. } => "SimpleMarker",
            Sym::Line { .. } => "SimpleLine",
            Sym::Fill { .. } => "SimpleFill",
        }
    }

    /// The symbol layer's properties, by name in QGIS's order.
    fn properties(&self) -> Vec<(&'static str, String)> {
        match self {
            Sym::Marker {
                shape,
                color,
                size_mm,
                ..
            } => vec![
                ("angle", "0".into()),
                ("color", rgba(*color, 255)),
                ("joinstyle", "bevel".into()),
                ("name", (*shape).into()),
                ("offset", "0,0".into()),
                ("outline_color", rgba((255, 255, 255), 255)),
                ("outline_style", "solid".into()),
                ("outline_width", "0.2".into()),
                ("outline_width_unit", "MM".into()),
                ("scale_method", "diameter".into()),
                ("size", format!("{size_mm}")),
                ("size_unit", "MM".into()),
            ],
            Sym::Line { color, width_mm } => vec![
                ("capstyle", "round".into()),
                ("joinstyle", "round".into()),
                ("line_color", rgba(*color, 255)),
                ("line_style", "solid".into()),
                ("line_width", format!("{width_mm}")),
                ("line_width_unit", "MM".into()),
            ],
            Sym::Fill { color, alpha } => vec![
                ("color", rgba(*color, *alpha)),
                ("joinstyle", "bevel".into()),
                ("outline_color", rgba((90, 90, 90), 255)),
                ("outline_style", "solid".into()),
                ("outline_width", "0.3".into()),
                ("outline_width_unit", "MM".into()),
                ("style", "solid".into()),
            ],
        }
    }

    /// The symbol layer's data-defined properties: a marker's size
    /// expression, when it has one.
    fn expressions(&self) -> Vec<(&'static str, String)> {
        match self {
            Sym::Marker { size_expr, .. } => {
                size_expr.iter().map(|e| ("size", e.clone())).collect()
            }
            Sym::Line { .. } | Sym::Fill { .. } => Vec::new(),
        }
    }
}

fn symbol(out: &mut String, name: &str, sym: &Sym) {
    let _ = writeln!(
        out,
        "      <symbol type=\"{}\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">",
        sym.kind(),
        xml(name)
    );
    data_defined(out, "        ", &[]);
    let _ = writeln!(
        out,
        "        <layer class=\"{}\" enabled=\"1\" locked=\"0\" pass=\"0\">",
        sym.layer_class()
    );
    props(out, "          ", &sym.properties());
    data_defined(out, "          ", &sym.expressions());
    let _ = writeln!(out, "        </layer>");
    let _ = writeln!(out, "      </symbol>");
}

/// One class of a categorised renderer: value, legend label, symbol.
struct Category {
    value: &'static str,
    label: String,
    sym: Sym,
}

fn categorized(out: &mut String, attr: &str, cats: &[Category]) {
    let _ = writeln!(
        out,
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"{}\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">",
        xml(attr)
    );
    let _ = writeln!(out, "    <categories>");
    for (i, c) in cats.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <category value=\"{}\" symbol=\"{i}\" label=\"{}\" render=\"true\" type=\"string\"/>",
            xml(c.value),
            xml(&c.label)
        );
    }
    let _ = writeln!(out, "    </categories>");
    let _ = writeln!(out, "    <symbols>");
    for (i, c) in cats.iter().enumerate() {
        symbol(out, &i.to_string(), &c.sym);
    }
    let _ = writeln!(out, "    </symbols>");
    let _ = writeln!(out, "    <rotation/>");
    let _ = writeln!(out, "    <sizescale/>");
    let _ = writeln!(out, "  </renderer-v2>");
}

/// One class of a graduated renderer: [lower, upper], legend label, symbol.
struct Range {
    lower: f64,
    upper: f64,
    label: String,
    sym: Sym,
}

fn graduated(out: &mut String, attr: &str, ranges: &[Range]) {
    let _ = writeln!(
        out,
        "  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">",
        xml(attr)
    );
    let _ = writeln!(out, "    <ranges>");
    for (i, r) in ranges.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <range lower=\"{:.6}\" upper=\"{:.6}\" symbol=\"{i}\" label=\"{}\" render=\"true\"/>",
            r.lower,
            r.upper,
            xml(&r.label)
        );
    }
    let _ = writeln!(out, "    </ranges>");
    let _ = writeln!(out, "    <symbols>");
    for (i, r) in ranges.iter().enumerate() {
        symbol(out, &i.to_string(), &r.sym);
    }
    let _ = writeln!(out, "    </symbols>");
    let _ = writeln!(out, "    <mode name=\"manual\"/>");
    let _ = writeln!(out, "    <rotation/>");
    let _ = writeln!(out, "    <sizescale/>");
    let _ = writeln!(out, "  </renderer-v2>");
}

/// Labels from a field, drawn with a white halo around points.
fn labels(out: &mut String, field: &str) {
    let _ = writeln!(out, "  <labeling type=\"simple\">");
    let _ = writeln!(out, "    <settings calloutType=\"simple\">");
    let _ = writeln!(
        out,
        "      <text-style fieldName=\"{}\" isExpression=\"0\" fontSize=\"8\" fontSizeUnit=\"Point\" fontWeight=\"63\" textColor=\"30,30,30,255\" textOpacity=\"1\" namedStyle=\"\" fontFamily=\"\">",
        xml(field)
    );
    let _ = writeln!(out, "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\"/>");
    let _ = writeln!(out, "      </text-style>");
    let _ = writeln!(
        out,
        "      <text-format wrapChar=\"\" multilineAlign=\"0\"/>"
    );
    let _ = writeln!(
        out,
        "      <placement placement=\"0\" dist=\"1.2\" distUnits=\"MM\" priority=\"7\"/>"
    );
    let _ = writeln!(out, "      <rendering obstacle=\"1\" scaleVisibility=\"0\" drawLabels=\"1\" upsidedownLabels=\"0\" limitNumLabels=\"0\"/>");
    let _ = writeln!(out, "    </settings>");
    let _ = writeln!(out, "  </labeling>");
}

/// Aliases that carry the unit of the measured fields, e.g. `travel_min`
/// shows as "travel (min)" in the attribute table. Only fixed fields, which
/// have the same name in every format.
fn aliases(out: &mut String, layer: &Layer) {
    let _ = writeln!(out, "  <aliases>");
    for (i, f) in layer
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.shp == f.name)
    {
        let base = f
            .name
            .trim_end_matches(&format!("_{}", f.unit))
            .replace('_', " ");
        let alias = match f.unit {
            "min" | "km" | "m" => format!("{base} ({})", f.unit),
            "share" => format!("{base} (share 0-1)"),
            _ => continue,
        };
        let _ = writeln!(
            out,
            "    <alias field=\"{}\" index=\"{i}\" name=\"{}\"/>",
            xml(&f.name),
            xml(&alias)
        );
    }
    let _ = writeln!(out, "  </aliases>");
}

fn open(out: &mut String, labels_enabled: bool) {
    out.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    let _ = writeln!(
        out,
        "<qgis version=\"{QGIS_VERSION}\" styleCategories=\"Symbology|Labeling|Fields\" labelsEnabled=\"{}\">",
        u8::from(labels_enabled)
    );
}

/// The largest value of a numeric field, for scaling symbol sizes.
fn max_of(layer: &Layer, field: &str) -> f64 {
    layer
        .column(field)
        .into_iter()
        .filter_map(|c| match c {
            Cell::Int(v) => Some(*v as f64),
            Cell::Real(v) => Some(*v),
            _ => None,
        })
        .fold(0.0, f64::max)
}

/// Trims a number for a legend label (`45`, `22.5`).
pub(crate) fn num_label(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches(".0").to_string()
}

/// The style of a layer. `limit_min`, the scenario's travel limit, sets
/// the route classes (thirds of the limit, then beyond); `weighting` says
/// what the district shares count.
pub fn qml(layer: &Layer, limit_min: f64, weighting: Weighting) -> String {
    let mut out = String::new();
    match layer.name {
        "hubs" => {
            open(&mut out, true);
            categorized(&mut out, "level", &hub_categories(layer, weighting));
            labels(&mut out, "name");
        }
        "schools" => {
            open(&mut out, false);
            categorized(&mut out, "role", &role_categories());
        }
        "routes" => {
            open(&mut out, false);
            graduated(&mut out, "travel_min", &minute_ranges(layer, limit_min));
        }
        "districts" => {
            open(&mut out, false);
            // A district without schools has no share (an empty cell),
            // which no range of a graduated renderer draws: such layers
            // class it by `coalesce(share_in, -1)`, with a grey class of
            // its own, "no schools".
            if layer.column("share_in").contains(&&Cell::Null) {
                let mut ranges = vec![no_schools_range()];
                ranges.extend(share_ranges(weighting));
                graduated(&mut out, "coalesce(\"share_in\", -1)", &ranges);
            } else {
                graduated(&mut out, "share_in", &share_ranges(weighting));
            }
        }
        _ => {
            open(&mut out, false);
            single_symbol(&mut out, &plain_symbol(layer.geometry));
        }
    }
    aliases(&mut out, layer);
    out.push_str("</qgis>\n");
    out
}

/// Hubs by level, sized by what they serve.
fn hub_categories(layer: &Layer, weighting: Weighting) -> [Category; 2] {
    // Marker diameter from 2.5 mm to 10 mm by students served
    // (by member schools when the run weighs by schools, as the
    // report's map does); the 0.57 exponent (Flannery) makes areas
    // read as amounts.
    let (field, what) =
        if weighting == Weighting::Students && layer.fields.iter().any(|f| f.name == "served") {
            ("served", "students served")
        } else {
            ("members", "member schools")
        };
    let max = max_of(layer, field).max(1.0);
    let size = format!("coalesce(scale_exp(\"{field}\", 0, {max}, 2.5, 10, 0.57), 2.5)");
    [
        Category {
            value: "primary",
            label: format!("primary hub (size: {what})"),
            sym: Sym::Marker {
                shape: "circle",
                color: palette::PRIMARY,
                size_mm: 4.0,
                size_expr: Some(size.clone()),
            },
        },
        Category {
            value: "secondary",
            label: format!("secondary hub (size: {what})"),
            sym: Sym::Marker {
                shape: "square",
                color: palette::SECONDARY,
                size_mm: 4.0,
                size_expr: Some(size),
            },
        },
    ]
}

/// Schools by role.
fn role_categories() -> [Category; 4] {
    let marker = |shape, color, size_mm| Sym::Marker {
        shape,
        color,
        size_mm,
        size_expr: None,
    };
    [
        Category {
            value: Role::Hub.as_str(),
            label: "hub".into(),
            sym: marker("star", palette::HUB, 3.6),
        },
        Category {
            value: Role::Member.as_str(),
            label: "member (networked to a hub)".into(),
            sym: marker("circle", palette::MEMBER, 2.0),
        },
        Category {
            value: Role::StandAlone.as_str(),
            label: "stand-alone (too remote to join)".into(),
            sym: marker("triangle", palette::STANDALONE, 2.6),
        },
        Category {
            value: Role::Rejected.as_str(),
            label: "rejected input row (see rejects.csv)".into(),
            sym: marker("cross2", palette::REJECTED, 2.4),
        },
    ]
}

/// Routes by door-to-door minutes: thirds of the travel limit (of the
/// longest route when there is no limit), then beyond it.
fn minute_ranges(layer: &Layer, limit_min: f64) -> Vec<Range> {
    let limit = if limit_min > 0.0 {
        limit_min
    } else {
        max_of(layer, "travel_min").max(1.0)
    };
    let beyond = max_of(layer, "travel_min").max(limit) + 1.0;
    let bounds = [0.0, limit / 3.0, 2.0 * limit / 3.0, limit, beyond];
    (0..4)
        .map(|i| Range {
            lower: bounds[i],
            upper: bounds[i + 1],
            label: if i < 3 {
                format!(
                    "{} - {} min",
                    num_label(bounds[i]),
                    num_label(bounds[i + 1])
                )
            } else {
                format!("over {} min", num_label(limit))
            },
            sym: Sym::Line {
                color: palette::MINUTES[i],
                width_mm: 0.5,
            },
        })
        .collect()
}

/// Districts by the share of students (or schools, by `weighting`) within
/// the limit, at [`palette::SHARE_BREAKS`].
/// The class of the districts without schools: no data, not 0 %.
fn no_schools_range() -> Range {
    Range {
        lower: -1.0,
        upper: -0.5,
        label: "no schools".to_string(),
        sym: Sym::Fill {
            color: palette::NO_SCHOOLS,
            alpha: 150,
        },
    }
}

fn share_ranges(weighting: Weighting) -> Vec<Range> {
    let b = palette::SHARE_BREAKS;
    (0..4)
        .map(|i| Range {
            lower: b[i],
            upper: b[i + 1],
            label: format!(
                "{:.0} - {:.0} % of {} within the limit",
                100.0 * b[i],
                100.0 * b[i + 1],
                weighting.as_str()
            ),
            sym: Sym::Fill {
                color: palette::SHARE[i],
                alpha: 150,
            },
        })
        .collect()
}

/// The one symbol of a layer without a style of its own, by geometry.
fn plain_symbol(geometry: GeomKind) -> Sym {
    match geometry {
        GeomKind::Point => Sym::Marker {
            shape: "circle",
            color: palette::HUB,
            size_mm: 2.0,
            size_expr: None,
        },
        GeomKind::LineString => Sym::Line {
            color: palette::HUB,
            width_mm: 0.4,
        },
        GeomKind::MultiPolygon => Sym::Fill {
            color: palette::REJECTED,
            alpha: 120,
        },
    }
}

/// A renderer that draws every feature with `sym`.
fn single_symbol(out: &mut String, sym: &Sym) {
    let _ = writeln!(out, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">");
    let _ = writeln!(out, "    <symbols>");
    symbol(out, "0", sym);
    let _ = writeln!(out, "    </symbols>");
    let _ = writeln!(out, "    <rotation/>");
    let _ = writeln!(out, "    <sizescale/>");
    let _ = writeln!(out, "  </renderer-v2>");
}
