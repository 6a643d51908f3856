//! `hubsel.gpkg`: the whole run in the file QGIS opens by default.
//!
//! | table | kind | holds |
//! |---|---|---|
//! | `hubs`, `schools`, `routes`, `districts` | features | the four layers, as in every other format |
//! | `district_summary` | attributes | each district's figures without its polygon (`summary.csv`'s district rows) |
//! | `rejects` | attributes | `rejects.csv` |
//! | `run_summary` | attributes | one row: the scenario's main settings, the run's totals, and the whole `summary.json` in `summary` |
//! | `layer_styles` | attributes | each layer's QGIS style (the `.qml` beside the other formats), its default, applied on load |
//!
//! The file is named after the tool rather than after a layer: it holds
//! them all, and QGIS lists its tables under that name.

use super::style;
use super::summary::{reject_names, summary_json_with, Totals};
use crate::error::Result;
use crate::io::geojson::OutGeometry;
use crate::io::gpkg::{self, Package, Style};
use crate::io::table::{GeomKind, Kind, Layer, LayerBuilder};
use crate::outcome::RunResult;

/// The file's name in the output folder.
pub const FILE: &str = "hubsel.gpkg";

const MINUTES: Kind = Kind::Real { decimals: 3 };

/// The GeoPackage of a run whose layers are already built.
pub(crate) fn bytes(result: &RunResult, layers: &[Layer]) -> Result<Vec<u8>> {
    let styles: Vec<Style> = layers
        .iter()
        .map(|l| Style {
            table: l.name.to_string(),
            qml: style::qml(l, result.config.max_travel_min, result.weighting),
        })
        .collect();
    let attributes = [
        district_summary(layers),
        rejects(result),
        run_summary(result, layers),
    ];
    gpkg::bytes(&Package {
        features: layers,
        attributes: &attributes,
        styles: &styles,
    })
}

/// The `districts` layer's fields and rows, as a table without geometry.
fn district_summary(layers: &[Layer]) -> Layer {
    let districts = layers.iter().find(|l| l.name == "districts");
    Layer {
        name: "district_summary",
        geometry: GeomKind::MultiPolygon,
        fields: districts.map(|l| l.fields.clone()).unwrap_or_default(),
        rows: districts.map(|l| l.rows.clone()).unwrap_or_default(),
    }
}

/// `rejects.csv` as a table, in the same order.
fn rejects(r: &RunResult) -> Layer {
    let names = reject_names(r);
    let mut b = LayerBuilder::new("rejects", GeomKind::Point);
    b.field("file", Kind::Text, "", "the input file, as named")
        .field(
            "line",
            Kind::Int,
            "",
            "line of a CSV row, feature number of a GeoJSON, record of a Shapefile, fid of a GeoPackage",
        )
        .field("id", Kind::Text, "", "id of the school or district, \"\" when unknown")
        .field("name", Kind::Text, "", "name of the school or district, \"\" when unknown")
        .field("field", Kind::Text, "", "the column at fault, \"\" for the whole row")
        .field("reason", Kind::Text, "", "what is wrong, in the file's own script")
        .field("action", Kind::Text, "", "refused (left out of the run) or flagged (taking part, worth a look)");
    for reject in r.rejects.sorted() {
        let name = names.get(&reject.id).map_or("", String::as_str);
        b.text(reject.source.file.as_str())
            .int(usize::try_from(reject.source.line).unwrap_or(usize::MAX))
            .text(reject.id.as_str())
            .text(name)
            .text(reject.field.as_str())
            .text(reject.reason.en())
            .text(reject.action.as_str());
        b.row(OutGeometry::None);
    }
    b.finish()
}

/// One row: what was run and the totals, plus `summary.json` whole.
fn run_summary(r: &RunResult, layers: &[Layer]) -> Layer {
    let t = Totals::of(r);
    let c = &r.config;
    let mut b = LayerBuilder::new("run_summary", GeomKind::Point);
    b.field("tool", Kind::Text, "", "hubsel")
        .field("version", Kind::Text, "", "hubsel's version")
        .field("scenario", Kind::Text, "", "the scenario's name")
        .field("strategy", Kind::Text, "", "the selection strategy")
        .field("weights", Kind::Text, "", "what the figures weigh: students or schools")
        .field("limit_min", MINUTES, "min", "the scenario's max_travel_minutes")
        .field("districts", Kind::Int, "districts", "districts")
        .field("schools", Kind::Int, "schools", "school rows, rejected ones included")
        .field("hubs_p", Kind::Int, "schools", "primary hubs")
        .field("hubs_s", Kind::Int, "schools", "secondary hubs")
        .field("members", Kind::Int, "schools", "member schools")
        .field("standalone", Kind::Int, "schools", "stand-alone schools")
        .field("rejected", Kind::Int, "schools", "school rows refused")
        .field("rejects", Kind::Int, "rows", "rows of the rejects table")
        .nullable_count("students", "students of the schools taking part; null when no school has a count")
        .field("mean_min", MINUTES, "min", "weighted mean of the members' door-to-door minutes")
        .field("p95_min", MINUTES, "min", "weighted 95th percentile of the members' minutes")
        .field("max_min", MINUTES, "min", "the longest member trip")
        .field("share_in", Kind::Real { decimals: 6 }, "share", "share of the weight at a hub or a member school, 0-1")
        .field("over_cap", Kind::Int, "schools", "hubs serving more students than their capacity")
        .field("summary", Kind::Text, "", "summary.json: the scenario, notes, shortfalls, access figures and every layer's fields");
    b.text("hubsel")
        .text(env!("CARGO_PKG_VERSION"))
        .text(c.name.as_str())
        .text(c.strategy.as_str())
        .text(r.weighting.as_str())
        .num(c.max_travel_min)
        .int(r.districts.len())
        .int(t.schools)
        .int(t.hubs_primary)
        .int(t.hubs_secondary)
        .int(t.members)
        .int(t.standalone)
        .int(t.rejected)
        .int(r.rejects.len())
        .opt_num(t.students)
        .num(t.mean_min)
        .num(t.p95_min)
        .num(t.max_min)
        .num(t.share_within)
        .int(t.hubs_over_capacity)
        .text(summary_json_with(r, layers));
    b.row(OutGeometry::None);
    b.finish()
}
