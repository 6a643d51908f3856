//! What the readers of record formats share (Shapefile, GeoPackage):
//! every record is a geometry plus text cells parallel to a list of field
//! names. Fields are found by name ignoring case, cells are trimmed, a
//! road's class, one-way rule and speed, and a district's code and name,
//! come from its cells the same way in both formats, and positions are converted to WGS 84 with one message
//! for the ones that cannot be.

use geo::Coord;

use super::crs::Reprojector;
use super::geojson::{self, DistrictFields};
use crate::model::{Action, Oneway, Reason, Rejects, SourceRef};

/// Converts a list of positions to WGS 84, or says which one cannot be.
pub(crate) fn convert_all(
    points: impl IntoIterator<Item = (f64, f64)>,
    to_wgs84: &Reprojector,
) -> std::result::Result<Vec<Coord<f64>>, String> {
    points
        .into_iter()
        .map(|(x, y)| {
            to_wgs84
                .convert(x, y)
                .filter(|(lon, lat)| lon.abs() <= 180.0 && lat.abs() <= 90.0)
                .map(|(x, y)| Coord { x, y })
                .ok_or_else(|| {
                    format!(
                        "coordinates ({x}, {y}) are not a valid position in {}",
                        to_wgs84.name()
                    )
                })
        })
        .collect()
}

/// The first of the `wanted` names among `fields`, ignoring ASCII case.
pub(crate) fn find_ci(fields: &[String], wanted: &[String]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| fields.iter().position(|f| f.eq_ignore_ascii_case(w)))
}

/// The text of the cell in `column`, trimmed; `None` when the column is
/// absent or the cell blank.
pub(crate) fn cell_at(cells: &[String], column: Option<usize>) -> Option<String> {
    column
        .and_then(|c| cells.get(c))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A road record's class (`unclassified` when blank), one-way rule and
/// speed limit (km/h), from the cells of the `[class, oneway, maxspeed]`
/// columns.
pub(crate) fn road_attributes(
    cells: &[String],
    [class_c, oneway_c, speed_c]: [Option<usize>; 3],
) -> (String, Oneway, Option<f64>) {
    let class = cell_at(cells, class_c).unwrap_or_else(|| "unclassified".to_string());
    let oneway = geojson::parse_oneway(
        cell_at(cells, oneway_c)
            .map(serde_json::Value::String)
            .as_ref(),
    );
    let maxspeed_kmh = cell_at(cells, speed_c)
        .and_then(|s| geojson::parse_speed_kmh(&serde_json::Value::String(s)));
    (class, oneway, maxspeed_kmh)
}

/// A district record's code and name (its code when the name is blank),
/// from the cells of the `[code, name]` columns; `None` for a record
/// without a code, refused in `rejects` under the first code column's name.
pub(crate) fn district_attributes(
    cells: &[String],
    [code_c, name_c]: [Option<usize>; 2],
    fields: &DistrictFields,
    source: &SourceRef,
    rejects: &mut Rejects,
) -> Option<(String, String)> {
    let Some(code) = cell_at(cells, code_c) else {
        let field = fields.code.first().map_or("code", |s| s.as_str());
        rejects.push(
            source,
            "",
            field,
            Reason::DistrictWithoutCode,
            Action::Refused,
        );
        return None;
    };
    let name = cell_at(cells, name_c).unwrap_or_else(|| code.clone());
    Some((code, name))
}
