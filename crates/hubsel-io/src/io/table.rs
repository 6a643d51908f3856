//! A layer as a format-neutral table: a schema (field names, types, units,
//! Shapefile names) and rows of typed cells with a geometry. Every writer
//! (GeoJSON, Shapefile, FlatGeobuf), the QGIS styles, `summary.json`'s
//! field list and the report read the same [`Layer`], so a field has one
//! name, one type and one unit whatever the format.
//!
//! What the layers of a run hold is decided in `output::layers`, which
//! fills these tables; this module knows nothing of a run.

use geo::{Coord, LineString, MultiPolygon, Polygon, Winding};

use super::geojson::{round7, OutGeometry};

/// What a field holds. Decides the JSON value, the DBF column and the
/// FlatGeobuf column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number (JSON integer, DBF `N(w,0)`, FlatGeobuf Long).
    Int,
    /// A number written with at most `decimals` decimals (JSON number,
    /// DBF `N(w,decimals)`, FlatGeobuf Double).
    Real { decimals: u8 },
    /// Text (JSON string, DBF `C(w)`, FlatGeobuf String).
    Text,
    /// true / false (JSON boolean, DBF `L`, FlatGeobuf Bool).
    Bool,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Int => "integer",
            Kind::Real { .. } => "real",
            Kind::Text => "text",
            Kind::Bool => "boolean",
        }
    }
}

/// One column of a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The name in GeoJSON and FlatGeobuf (and the QGIS styles).
    pub name: String,
    /// The name in a Shapefile's DBF (at most 10 characters); see [`shp_names`].
    pub shp: String,
    pub kind: Kind,
    /// May hold no value; only where no default would be true (a
    /// stand-alone school has no travel time to a hub, not 0 minutes).
    pub nullable: bool,
    /// The unit of a number (`min`, `km`, `m`, `students`, `schools`,
    /// `share`, `score`, …), empty for text.
    pub unit: &'static str,
    pub doc: String,
}

/// A value in a row. `Real` values are already rounded to the field's
/// decimals; non-finite numbers never get here (they become `Null`).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Null,
}

/// The kind of geometry a layer holds (one per layer, as Shapefile and
/// FlatGeobuf require).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeomKind {
    Point,
    LineString,
    MultiPolygon,
}

impl GeomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GeomKind::Point => "Point",
            GeomKind::LineString => "LineString",
            GeomKind::MultiPolygon => "MultiPolygon",
        }
    }
}

/// A feature: its geometry (already rounded to 7 decimals, rings oriented
/// by RFC 7946) and one cell per field.
#[derive(Clone, Debug)]
pub struct Row {
    pub geometry: OutGeometry,
    pub cells: Vec<Cell>,
}

/// An output layer.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The base name of its files: `hubs`, `schools`, `routes`, `districts`.
    pub name: &'static str,
    pub geometry: GeomKind,
    pub fields: Vec<Field>,
    pub rows: Vec<Row>,
}

impl Layer {
    /// The position of a field by its name.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The values of one field, row by row.
    pub fn column(&self, name: &str) -> Vec<&Cell> {
        match self.field(name) {
            Some(i) => self.rows.iter().filter_map(|r| r.cells.get(i)).collect(),
            None => Vec::new(),
        }
    }
}

/// Rounds to `d` decimals, keeping non-finite values out of the outputs.
pub fn real(v: f64, decimals: u8) -> Cell {
    if !v.is_finite() {
        return Cell::Null;
    }
    let f = 10f64.powi(i32::from(decimals));
    let r = (v * f).round() / f;
    // -0.0 prints as "-0.0"; keep the files tidy.
    Cell::Real(if r == 0.0 { 0.0 } else { r })
}

/// Builds a layer field by field: each `col` call names the field once, so
/// a row cannot get out of step with the schema.
pub struct LayerBuilder {
    layer: Layer,
    /// Cells of the row being built.
    pending: Vec<Cell>,
    /// Fields holding counts (students): integers when every value is
    /// whole, reals with 2 decimals otherwise.
    counts: Vec<usize>,
}

impl LayerBuilder {
    pub fn new(name: &'static str, geometry: GeomKind) -> Self {
        LayerBuilder {
            layer: Layer {
                name,
                geometry,
                fields: Vec::new(),
                rows: Vec::new(),
            },
            pending: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Declares a field.
    pub fn field(
        &mut self,
        name: impl Into<String>,
        kind: Kind,
        unit: &'static str,
        doc: impl Into<String>,
    ) -> &mut Self {
        let name = name.into();
        self.layer.fields.push(Field {
            shp: name.clone(),
            name,
            kind,
            nullable: false,
            unit,
            doc: doc.into(),
        });
        self
    }

    /// Declares a field that may hold no value.
    pub fn nullable(
        &mut self,
        name: impl Into<String>,
        kind: Kind,
        unit: &'static str,
        doc: impl Into<String>,
    ) -> &mut Self {
        self.field(name, kind, unit, doc);
        if let Some(f) = self.layer.fields.last_mut() {
            f.nullable = true;
        }
        self
    }

    /// Declares a count of students: an integer field when every value is
    /// whole (the usual case), else a real one.
    pub fn count(&mut self, name: impl Into<String>, doc: impl Into<String>) -> &mut Self {
        self.counts.push(self.layer.fields.len());
        self.field(name, Kind::Int, "students", doc)
    }

    /// Declares a count of students that may hold no value.
    pub fn nullable_count(&mut self, name: impl Into<String>, doc: impl Into<String>) -> &mut Self {
        self.count(name, doc);
        if let Some(f) = self.layer.fields.last_mut() {
            f.nullable = true;
        }
        self
    }

    pub fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.pending.push(Cell::Text(v.into()));
        self
    }

    pub fn int(&mut self, v: usize) -> &mut Self {
        self.pending
            .push(Cell::Int(i64::try_from(v).unwrap_or(i64::MAX)));
        self
    }

    /// A number, rounded to the decimals of the field it goes into.
    pub fn num(&mut self, v: f64) -> &mut Self {
        let decimals = match self.layer.fields.get(self.pending.len()).map(|f| f.kind) {
            Some(Kind::Real { decimals }) => decimals,
            _ => 2,
        };
        self.pending.push(real(v, decimals));
        self
    }

    pub fn opt_num(&mut self, v: Option<f64>) -> &mut Self {
        match v {
            Some(v) => self.num(v),
            None => {
                self.pending.push(Cell::Null);
                self
            }
        }
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.pending.push(Cell::Bool(v));
        self
    }

    /// Ends the row. The geometry is rounded to 7 decimals, and polygon
    /// rings oriented (exterior counter-clockwise, holes clockwise).
    pub fn row(&mut self, geometry: OutGeometry) {
        let mut cells = std::mem::take(&mut self.pending);
        // A row always has one cell per field, whatever the caller did.
        cells.resize(self.layer.fields.len(), Cell::Null);
        self.layer.rows.push(Row {
            geometry: normalise(geometry),
            cells,
        });
    }

    /// Ends the row with a geometry already made ready (in parallel, say).
    pub fn row_normalised(&mut self, geometry: Normalised) {
        let mut cells = std::mem::take(&mut self.pending);
        cells.resize(self.layer.fields.len(), Cell::Null);
        self.layer.rows.push(Row {
            geometry: geometry.0,
            cells,
        });
    }

    pub fn finish(mut self) -> Layer {
        for &i in &self.counts {
            let whole = self.layer.rows.iter().all(|r| match r.cells.get(i) {
                Some(Cell::Real(v)) => v.fract() == 0.0 && v.abs() < 9e15,
                _ => true,
            });
            for r in &mut self.layer.rows {
                if let Some(c) = r.cells.get_mut(i) {
                    *c = match (&*c, whole) {
                        (Cell::Real(v), true) => Cell::Int(*v as i64),
                        (Cell::Real(v), false) => real(*v, 2),
                        (other, _) => other.clone(),
                    };
                }
            }
            if let Some(f) = self.layer.fields.get_mut(i) {
                f.kind = if whole {
                    Kind::Int
                } else {
                    Kind::Real { decimals: 2 }
                };
            }
        }
        // A number column with no value at all (hub capacity when the
        // scenario sets none, weight stability under another strategy)
        // is left out: GDAL types a GeoJSON column from its values and would
        // read an all-null one as text. summary.json lists the columns a
        // run has.
        let empty: Vec<usize> = (0..self.layer.fields.len())
            .filter(|&i| {
                let f = &self.layer.fields[i];
                f.nullable
                    && matches!(f.kind, Kind::Int | Kind::Real { .. })
                    && self
                        .layer
                        .rows
                        .iter()
                        .all(|r| matches!(r.cells.get(i), Some(Cell::Null) | None))
            })
            .collect();
        for &i in empty.iter().rev() {
            self.layer.fields.remove(i);
            for r in &mut self.layer.rows {
                if i < r.cells.len() {
                    r.cells.remove(i);
                }
            }
        }
        let names: Vec<&str> = self.layer.fields.iter().map(|f| f.name.as_str()).collect();
        let shp = shp_names(&names);
        for (f, s) in self.layer.fields.iter_mut().zip(shp) {
            f.shp = s;
        }
        self.layer
    }
}

/// The Shapefile (DBF) names of fields: at most 10 characters. A name that
/// fits is kept; a longer one is cut to 10; when a cut name is already
/// taken it is cut further and numbered (`p_acc_sh_2`). Only the
/// `p_<criterion>` fields of `hubs` are ever long; every fixed field name
/// of every layer already fits.
pub fn shp_names(names: &[&str]) -> Vec<String> {
    let mut taken: Vec<String> = names
        .iter()
        .filter(|n| n.chars().count() <= 10)
        .map(|n| n.to_ascii_lowercase())
        .collect();
    names
        .iter()
        .map(|n| {
            if n.chars().count() <= 10 {
                return n.to_string();
            }
            let cut: String = n.chars().take(10).collect();
            let chosen = if taken.contains(&cut.to_ascii_lowercase()) {
                (2..)
                    .map(|k| {
                        let suffix = format!("_{k}");
                        let head: String = n.chars().take(10 - suffix.len()).collect();
                        format!("{head}{suffix}")
                    })
                    .find(|c| !taken.contains(&c.to_ascii_lowercase()))
                    .unwrap_or(cut)
            } else {
                cut
            };
            taken.push(chosen.to_ascii_lowercase());
            chosen
        })
        .collect()
}

fn c7(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: round7(c.x),
        y: round7(c.y),
    }
}

fn ring7(ring: &LineString<f64>, counter_clockwise: bool) -> LineString<f64> {
    let mut r = LineString::new(ring.0.iter().map(|c| c7(*c)).collect());
    if counter_clockwise {
        r.make_ccw_winding();
    } else {
        r.make_cw_winding();
    }
    r
}

/// A geometry as [`LayerBuilder::row`] stores it (rounded and oriented),
/// made before the row: rows' geometries can be made in parallel, then
/// added by [`LayerBuilder::row_normalised`].
pub struct Normalised(OutGeometry);

impl Normalised {
    pub fn new(geometry: OutGeometry) -> Normalised {
        Normalised(normalise(geometry))
    }

    /// `Normalised::new(OutGeometry::LineString(coords.to_vec()))`, in one
    /// pass over the coordinates.
    pub fn line_string(coords: &[Coord<f64>]) -> Normalised {
        Normalised(OutGeometry::LineString(coords.iter().map(|c| c7(*c)).collect()))
    }
}

/// Rounds coordinates to 7 decimals (about 1 cm) and orients polygon rings
/// the RFC 7946 way, once for every format.
fn normalise(g: OutGeometry) -> OutGeometry {
    match g {
        OutGeometry::Point(c) => OutGeometry::Point(c7(c)),
        OutGeometry::LineString(cs) => OutGeometry::LineString(cs.into_iter().map(c7).collect()),
        OutGeometry::MultiPolygon(m) => OutGeometry::MultiPolygon(MultiPolygon::new(
            m.0.iter()
                .map(|p| {
                    Polygon::new(
                        ring7(p.exterior(), true),
                        p.interiors().iter().map(|r| ring7(r, false)).collect(),
                    )
                })
                .collect(),
        )),
        OutGeometry::None => OutGeometry::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapefile_names_fit_in_ten_characters_and_stay_unique() {
        let names = [
            "id",
            "p_acc_mean",
            "p_acc_share",
            "p_acc_shares",
            "p_language_teachers",
            "p_language_teach",
            "travel_min",
        ];
        let shp = shp_names(&names);
        assert_eq!(shp[0], "id");
        assert_eq!(shp[1], "p_acc_mean");
        assert_eq!(shp[2], "p_acc_shar");
        assert_eq!(shp[3], "p_acc_sh_2");
        assert_eq!(shp[4], "p_language");
        assert_eq!(shp[5], "p_langua_2");
        assert_eq!(shp[6], "travel_min");
        let mut seen: Vec<String> = shp.iter().map(|s| s.to_ascii_lowercase()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), names.len());
        assert!(shp.iter().all(|s| s.chars().count() <= 10));
    }

    #[test]
    fn a_cut_name_never_takes_a_short_name_that_comes_later() {
        let shp = shp_names(&["p_abcdefghij", "p_abcdefgh"]);
        assert_eq!(shp[1], "p_abcdefgh");
        assert_ne!(shp[0].to_ascii_lowercase(), "p_abcdefgh");
    }

    #[test]
    fn counts_are_integers_when_whole_and_reals_otherwise() {
        let mut b = LayerBuilder::new("t", GeomKind::Point);
        b.count("students", "");
        b.num(12.0).row(OutGeometry::None);
        b.num(3.0).row(OutGeometry::None);
        let l = b.finish();
        assert_eq!(l.fields[0].kind, Kind::Int);
        assert_eq!(l.rows[1].cells[0], Cell::Int(3));

        let mut b = LayerBuilder::new("t", GeomKind::Point);
        b.count("students", "");
        b.num(12.0).row(OutGeometry::None);
        b.num(2.5).row(OutGeometry::None);
        let l = b.finish();
        assert_eq!(l.fields[0].kind, Kind::Real { decimals: 2 });
        assert_eq!(l.rows[0].cells[0], Cell::Real(12.0));
    }

    #[test]
    fn numbers_round_to_the_field_and_non_finite_ones_become_null() {
        let mut b = LayerBuilder::new("t", GeomKind::Point);
        b.field("a", Kind::Real { decimals: 3 }, "min", "")
            .nullable("b", Kind::Real { decimals: 1 }, "m", "");
        b.num(1.23456).num(f64::NAN).row(OutGeometry::None);
        b.num(-0.0001).opt_num(None).row(OutGeometry::None);
        b.num(2.0).opt_num(Some(3.06)).row(OutGeometry::None);
        let l = b.finish();
        assert_eq!(l.rows[0].cells, vec![Cell::Real(1.235), Cell::Null]);
        assert_eq!(l.rows[1].cells, vec![Cell::Real(0.0), Cell::Null]);
        assert_eq!(l.rows[2].cells, vec![Cell::Real(2.0), Cell::Real(3.1)]);
        assert_eq!(format!("{}", serde_json::Value::from(0.0f64)), "0.0");
    }

    #[test]
    fn a_number_column_without_any_value_is_left_out() {
        let mut b = LayerBuilder::new("t", GeomKind::Point);
        b.field("id", Kind::Text, "", "")
            .nullable("cap", Kind::Real { decimals: 1 }, "students", "")
            .nullable("dw", Kind::Real { decimals: 1 }, "", "");
        b.text("a")
            .opt_num(None)
            .opt_num(Some(1.0))
            .row(OutGeometry::None);
        b.text("b")
            .opt_num(None)
            .opt_num(None)
            .row(OutGeometry::None);
        let l = b.finish();
        let names: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "dw"]);
        assert_eq!(
            l.rows[0].cells,
            vec![Cell::Text("a".into()), Cell::Real(1.0)]
        );
        assert_eq!(l.rows[1].cells, vec![Cell::Text("b".into()), Cell::Null]);
    }

    #[test]
    fn rings_come_out_counter_clockwise_outside_and_clockwise_inside() {
        let cw = LineString::from(vec![
            (0.0, 0.0),
            (0.0, 1.0),
            (1.0, 1.0),
            (1.0, 0.0),
            (0.0, 0.0),
        ]);
        let hole_ccw = LineString::from(vec![(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.2)]);
        let g = normalise(OutGeometry::MultiPolygon(MultiPolygon::new(vec![
            Polygon::new(cw, vec![hole_ccw]),
        ])));
        let OutGeometry::MultiPolygon(m) = g else {
            panic!("kind changed")
        };
        assert!(m.0[0].exterior().is_ccw());
        assert!(m.0[0].interiors()[0].is_cw());
    }
}

/// A layer read back whole, as the readers of a run's layers give it
/// (`compare` reads both runs through them, whatever format each wrote):
/// the attribute columns, and each row's cells (text, as the input readers
/// see them; a missing value blank) and geometry (`None` when missing or
/// unreadable).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<(Vec<String>, Option<geo::Geometry<f64>>)>,
}
