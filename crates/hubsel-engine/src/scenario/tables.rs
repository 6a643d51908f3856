//! The rule tables of a scenario: `[constraints]`, `[allocation]`,
//! `[speeds_kmh]` (with the top-level `use_maxspeed`), `[levels]` and
//! `[columns]`.

use std::collections::BTreeMap;

use toml::de::DeTable;

use super::doc::{self, entries, get, key_text, Checker, FirstSeen, Place};
use super::{Allocation, Capacity, Constraints, Method, Overflow};
use crate::error::quote;
use crate::graph::SpeedTable;
use crate::model::Level;

/// What the rule tables say, defaults where a table is not given.
pub(super) struct Rules {
    pub(super) constraints: Constraints,
    /// Line of `min_students` (0: not written).
    pub(super) min_students_line: usize,
    pub(super) allocation: Allocation,
    pub(super) speeds: SpeedTable,
    pub(super) levels: BTreeMap<String, Level>,
    pub(super) columns: BTreeMap<String, String>,
    /// Line naming each field of `[constraints]` and `[allocation]`.
    pub(super) field_lines: BTreeMap<String, usize>,
}

impl Rules {
    /// The tables in the file's usual order; a key that is not a table is
    /// a problem, and its defaults stand.
    pub(super) fn read(ck: &mut Checker<'_>, root: &DeTable<'_>) -> Rules {
        let mut field_lines: BTreeMap<String, usize> = BTreeMap::new();
        let (constraints, min_students_line) = get(root, "constraints")
            .and_then(|v| ck.table(v, "constraints", "[constraints] with min_students = 120"))
            .map_or((Constraints::default(), 0), |t| {
                read_constraints(ck, t, &mut field_lines)
            });

        let allocation = get(root, "allocation")
            .and_then(|v| ck.table(v, "allocation", "[allocation] with overflow = \"next\""))
            .map_or_else(Allocation::default, |t| {
                read_allocation(ck, t, &mut field_lines)
            });

        let mut speeds = get(root, "speeds_kmh")
            .and_then(|v| {
                ck.table(
                    v,
                    "speeds_kmh",
                    "[speeds_kmh] with primary = 80, track = 15",
                )
            })
            .map_or_else(SpeedTable::default, |t| read_speeds(ck, t));
        if let Some(v) = get(root, "use_maxspeed") {
            if let Some(u) = ck.boolean(v, "use_maxspeed") {
                speeds.use_maxspeed = u;
            }
        }

        let levels = get(root, "levels")
            .and_then(|v| ck.table(v, "levels", "[levels] with \"ขยายโอกาส\" = \"both\""))
            .map_or_else(BTreeMap::new, |t| read_levels(ck, t));
        let columns = get(root, "columns")
            .and_then(|v| ck.table(v, "columns", "[columns] with lat = \"latitude\""))
            .map_or_else(BTreeMap::new, |t| read_columns(ck, t));
        Rules {
            constraints,
            min_students_line,
            allocation,
            speeds,
            levels,
            columns,
            field_lines,
        }
    }
}

/// The `[constraints]` table, and the line of `min_students` (0: not
/// written); records the line naming each field in `field_lines`.
fn read_constraints(
    ck: &mut Checker<'_>,
    t: &DeTable<'_>,
    field_lines: &mut BTreeMap<String, usize>,
) -> (Constraints, usize) {
    let mut constraints = Constraints::default();
    let mut min_students_line = 0;
    ck.check_keys(t, Place::Constraints);
    if let Some(v) = get(t, "min_students") {
        min_students_line = ck.line(v);
        match ck.number(v, "constraints.min_students") {
            Some(x) if x.is_finite() && x >= 0.0 => constraints.min_students = x,
            Some(x) => ck.problem(
                min_students_line,
                "constraints.min_students",
                format!("must be a non-negative number, got {x}"),
            ),
            None => {}
        }
    }
    for (key, list) in [
        ("exclude_if", &mut constraints.exclude_if),
        ("required_fields", &mut constraints.required_fields),
    ] {
        let Some(v) = get(t, key) else { continue };
        let path = format!("constraints.{key}");
        for (field, at) in ck.texts(v, &path, false) {
            if field.is_empty() {
                ck.problem(at, &path, "a field name is empty");
                continue;
            }
            field_lines.entry(field.clone()).or_insert(at);
            list.push(field);
        }
    }
    (constraints, min_students_line)
}

/// The `[allocation]` table; records the line of `capacity_field` in
/// `field_lines`.
fn read_allocation(
    ck: &mut Checker<'_>,
    t: &DeTable<'_>,
    field_lines: &mut BTreeMap<String, usize>,
) -> Allocation {
    let mut allocation = Allocation::default();
    ck.check_keys(t, Place::Allocation);
    if let Some(v) = get(t, "cross_district") {
        allocation.cross_district = ck.boolean(v, "allocation.cross_district").unwrap_or(false);
    }
    let field =
        get(t, "capacity_field").map(|v| (ck.line(v), ck.text(v, "allocation.capacity_field")));
    let class_size =
        get(t, "class_size").map(|v| (ck.line(v), ck.number(v, "allocation.class_size")));
    allocation.capacity = match (field, class_size) {
        (Some((at, _)), Some(_)) => {
            ck.problem(
                at,
                "allocation",
                "give capacity_field or class_size, not both",
            );
            Capacity::Unlimited
        }
        (Some((at, Some(f))), None) if !f.trim().is_empty() => {
            field_lines.entry(f.trim().to_string()).or_insert(at);
            Capacity::Field(f.trim().to_string())
        }
        (Some((at, Some(_))), None) => {
            ck.problem(
                at,
                "allocation.capacity_field",
                "must name a school field, got empty text",
            );
            Capacity::Unlimited
        }
        (None, Some((_, Some(c)))) if c.is_finite() && c > 0.0 => Capacity::PerClassroom(c),
        (None, Some((at, Some(c)))) => {
            ck.problem(
                at,
                "allocation.class_size",
                format!("must be a positive number of students, got {c}"),
            );
            Capacity::Unlimited
        }
        _ => Capacity::Unlimited,
    };
    if let Some(v) = get(t, "overflow") {
        let at = ck.line(v);
        allocation.overflow = match ck.text(v, "allocation.overflow").as_deref().map(str::trim) {
            None | Some("next") => Overflow::Next,
            Some("flag") => Overflow::Flag,
            Some(other) => {
                ck.problem(
                    at,
                    "allocation.overflow",
                    format!("must be \"next\" or \"flag\", got {}", quote(other)),
                );
                Overflow::Next
            }
        };
    }
    if let Some(v) = get(t, "method") {
        let at = ck.line(v);
        allocation.method = match ck.text(v, "allocation.method").as_deref().map(str::trim) {
            None | Some("min-cost") => Method::MinCost,
            Some("nearest-first") => Method::NearestFirst,
            Some(other) => {
                ck.problem(
                    at,
                    "allocation.method",
                    format!(
                        "must be \"min-cost\" or \"nearest-first\", got {}",
                        quote(other)
                    ),
                );
                Method::MinCost
            }
        };
    }
    allocation
}

/// The `[speeds_kmh]` table over the default speeds.
fn read_speeds(ck: &mut Checker<'_>, t: &DeTable<'_>) -> SpeedTable {
    let mut speeds = SpeedTable::default();
    ck.check_keys(t, Place::Speeds);
    // In class order (as the table always kept them), whatever order
    // the TOML map iterates in.
    let mut written = entries(ck, t);
    written.sort_by(|a, b| a.0.cmp(&b.0));
    // Where each default class is, found once (TOML keys are unique, so a
    // class written is either a default one or new).
    let slot_of: BTreeMap<String, usize> = speeds
        .by_class_kmh
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.clone(), i))
        .collect();
    for (class, _, v) in written {
        if doc::misplaced(&class, Place::Speeds).is_some() {
            continue; // reported by check_keys
        }
        let path = format!("speeds_kmh.{}", key_text(&class));
        let Some(kmh) = ck.number(v, &path) else {
            continue;
        };
        if !kmh.is_finite() || kmh <= 0.0 {
            ck.problem(
                ck.line(v),
                &path,
                format!("must be a positive speed in km/h, got {kmh}"),
            );
            continue;
        }
        if class == "default" {
            speeds.default_kmh = kmh;
        } else if let Some(&i) = slot_of.get(class.as_str()) {
            if let Some(slot) = speeds.by_class_kmh.get_mut(i) {
                slot.1 = kmh;
            }
        } else {
            speeds.by_class_kmh.push((class, kmh));
        }
    }
    speeds
}

/// The `[levels]` table: trimmed level words and the level each means.
fn read_levels(ck: &mut Checker<'_>, t: &DeTable<'_>) -> BTreeMap<String, Level> {
    let mut levels = BTreeMap::new();
    ck.check_keys(t, Place::Levels);
    let mut seen = FirstSeen::default();
    // In line order, so that a repeat names the earlier line.
    let mut written = entries(ck, t);
    written.sort_by_key(|(_, at, _)| *at);
    for (raw, at, v) in written {
        if doc::misplaced(&raw, Place::Levels).is_some() {
            continue; // reported by check_keys
        }
        let path = format!("levels.{}", key_text(&raw));
        let key = raw.trim().to_string();
        if key.is_empty() {
            ck.problem(at, &path, "the level text is empty");
            continue;
        }
        if let Some(first) = seen.repeat(&key, at) {
            ck.problem(
                at,
                &path,
                format!(
                    "the level text {} is already given on line {first}",
                    quote(&key)
                ),
            );
            continue;
        }
        let Some(meaning) = ck.text(v, &path) else {
            continue;
        };
        let level = match meaning.trim().to_ascii_lowercase().as_str() {
            "primary" => Level::Primary,
            "secondary" => Level::Secondary,
            "both" => Level::Both,
            _ => {
                ck.problem(
                    ck.line(v),
                    &path,
                    format!(
                        "must be \"primary\", \"secondary\" or \"both\", got {}",
                        quote(&meaning)
                    ),
                );
                continue;
            }
        };
        levels.insert(key, level);
    }
    levels
}

/// The `[columns]` table: for a school field (`id`, `name`, `lon`, `lat`,
/// `district`, `level`, `students`, `teachers`, `classrooms`), the one
/// column of the schools' file that holds it, as the `--lat-column` flags
/// name it (the flags win). Unknown fields are reported by `check_keys`.
fn read_columns(ck: &mut Checker<'_>, t: &DeTable<'_>) -> BTreeMap<String, String> {
    let mut columns = BTreeMap::new();
    ck.check_keys(t, Place::Columns);
    for (raw, at, v) in entries(ck, t) {
        if !Place::Columns.known().contains(&raw.as_str()) {
            continue; // reported by check_keys
        }
        let path = format!("columns.{raw}");
        let Some(column) = ck.text(v, &path) else {
            continue;
        };
        if column.trim().is_empty() {
            ck.problem(at, &path, "the column name is empty");
            continue;
        }
        columns.insert(raw, column.trim().to_string());
    }
    columns
}

#[cfg(test)]
mod column_tests {
    #![allow(clippy::unwrap_used)]
    use crate::io::schools::SchoolColumns;

    #[test]
    fn the_columns_table_names_the_school_columns_the_readers_take() {
        let c = super::super::parse(
            "name = \"t\"\n[columns]\nlat = \"ละติจูด\"\nid = \"smis8\"\n",
            "s.toml",
        )
        .unwrap();
        assert_eq!(c.columns.get("lat").map(String::as_str), Some("ละติจูด"));
        let mut columns = SchoolColumns::default();
        c.apply_to_columns(&mut columns).unwrap();
        assert_eq!(columns.lat, ["ละติจูด"]);
        assert_eq!(columns.id, ["smis8"]);
        assert!(columns.given.contains(&"lat".to_string()));
        let csv = "smis8,level,lon,ละติจูด,lat\n1,primary,98.9,18.7,0\n";
        let t = crate::io::csv::read_schools(csv.as_bytes(), "s.csv", &columns).unwrap();
        assert_eq!(t.schools.len(), 1, "{:?}", t.rejects.rows);
        assert!((t.schools[0].lat - 18.7).abs() < 1e-12, "the named column, not `lat`");
    }

    #[test]
    fn an_unknown_field_or_an_empty_column_in_the_columns_table_is_a_problem() {
        let e = super::super::parse(
            "name = \"t\"\n[columns]\nlatt = \"y\"\nlon = \" \"\n",
            "s.toml",
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("line 3") && text.contains("latt"), "{text}");
        assert!(text.contains("line 4") && text.contains("columns.lon"), "{text}");
    }
}
