//! The GeoJSON writer's former path, for the tests and benches that check
//! the streaming writer (`hubsel_io::io::geojson::bytes`) against it.

use hubsel_io::io::geojson::LayerWriter;
use hubsel_io::io::table::{Cell, Layer, Row};
use serde_json::{Map, Value};

/// The layer through [`LayerWriter::push`], each row a map of JSON values
/// (serde_json's number and string formatting).
pub fn through_values(layer: &Layer) -> String {
    let json = |cell: &Cell| match cell {
        Cell::Int(v) => Value::from(*v),
        Cell::Real(v) => Value::from(*v),
        Cell::Text(s) => Value::from(s.as_str()),
        Cell::Bool(b) => Value::from(*b),
        Cell::Null => Value::Null,
    };
    let mut w = LayerWriter::new();
    for Row { geometry, cells } in &layer.rows {
        let props: Map<String, Value> = layer
            .fields
            .iter()
            .zip(cells)
            .map(|(f, c)| (f.name.clone(), json(c)))
            .collect();
        w.push(geometry, props);
    }
    w.finish()
}
