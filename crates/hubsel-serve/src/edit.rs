//! Scenario edits from the page, made in the scenario's TOML text through
//! `toml_edit`'s document model: an edit changes the one value it names,
//! in whatever form the file writes its table (a `[table]`, dotted keys
//! `table.key = …`, an inline `{ … }`, `[[criteria]]` or an inline array
//! of criteria), keeping the value's own comment; every other key, comment
//! and table stays as written. A key the file lacks is added in the form
//! of its table, or, for a table the file lacks, in the form that fits the
//! file. The text that comes out is the file that runs: exported as it is,
//! `hubsel run --scenario` reads the same scenario.
//!
//! The scenario is checked by the library's checker before any edit (a
//! scenario the CLI refuses gets the CLI's typed problems, never a panic)
//! and the edited text again after, as the run checks it.

use std::collections::{BTreeMap, BTreeSet};

use hubsel::error::{Error, ErrorKind, Problem};
use hubsel::scenario::{Config, GroupBy};
use serde::Deserialize;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// What the scenario panel changes. Every field is optional: absent means
/// "leave the text as it is". Values are absolute (the weight becomes
/// 0.3), so applying the same edits twice gives the same text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edits {
    pub name: Option<String>,
    pub strategy: Option<String>,
    /// Criterion key (`classrooms`, `acc_mean`, …) → its weight.
    pub weights: Option<BTreeMap<String, f64>>,
    /// The `[ahp]` pairwise matrix, row by row.
    pub ahp_matrix: Option<Vec<Vec<f64>>>,
    pub max_travel_minutes: Option<f64>,
    /// The hub counts the scenario's grouping uses: `hubs_per_district`
    /// per district (`group_by = "district"`, the default), else
    /// `hubs_per_group` per province or over the whole run. A region
    /// scenario without `hubs_per_group` (each group gets
    /// `hubs_per_district` times its districts) needs both counts to write
    /// one.
    pub hubs_primary: Option<u32>,
    pub hubs_secondary: Option<u32>,
    pub min_students: Option<f64>,
    pub required_hubs: Option<Vec<String>>,
    pub excluded_hubs: Option<Vec<String>>,
}

impl Edits {
    /// No edit at all: the text stays byte for byte.
    pub fn is_empty(&self) -> bool {
        let Edits {
            name,
            strategy,
            weights,
            ahp_matrix,
            max_travel_minutes,
            hubs_primary,
            hubs_secondary,
            min_students,
            required_hubs,
            excluded_hubs,
        } = self;
        name.is_none()
            && strategy.is_none()
            && weights.is_none()
            && ahp_matrix.is_none()
            && max_travel_minutes.is_none()
            && hubs_primary.is_none()
            && hubs_secondary.is_none()
            && min_students.is_none()
            && required_hubs.is_none()
            && excluded_hubs.is_none()
    }
}

/// The name the scenario is checked under here; messages carry no file
/// name (the problems are the CLI's: line, key, message).
const SOURCE: &str = "scenario.toml";

fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        line: None,
        key: Some(key.to_string()),
        message: message.into(),
    }
}

/// The scenario as the CLI checks it, its problems (line, key, message)
/// as the error.
pub fn check(text: &str) -> Result<Config, Error> {
    hubsel::scenario::parse(text, SOURCE).map_err(|e| {
        let mut problems = e.problems().to_vec();
        if problems.is_empty() {
            problems.push(Problem {
                line: e.line(),
                key: e.field().map(str::to_string),
                message: e.message().to_string(),
            });
        }
        Error::with_problems(e.kind(), problems)
    })
}

/// The text with `edits` applied. A scenario the CLI refuses, an edit
/// naming what the text lacks (an unknown criterion, a matrix without
/// `[ahp]`) and an edited text the CLI refuses (a strategy that does not
/// exist) are each the CLI's typed problem list.
pub fn apply(text: &str, edits: &Edits) -> Result<String, Error> {
    let config = check(text)?;
    if edits.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e.span().map(|s| {
            1 + text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
        });
        Error::with_problems(
            ErrorKind::Scenario,
            vec![Problem {
                line,
                key: None,
                message: format!("not valid TOML: {}", e.message()),
            }],
        )
    })?;
    let mut problems = Vec::new();
    edit_document(&mut doc, &config, edits, &mut problems);
    if !problems.is_empty() {
        return Err(Error::with_problems(ErrorKind::Scenario, problems));
    }
    let out = doc.to_string();
    check(&out)?;
    Ok(in_place(text, &doc, &out).unwrap_or(out))
}

/// `text` with the values `edited` changed written in their place, every
/// other byte as it was; `None` when the edit added or removed a key (or
/// a span is missing), for the document's own rendering then.
///
/// `toml_edit` prints the dotted keys of one table together, so its
/// rendering of a file that interleaves them (`a.x = 1`, `b = 2`,
/// `a.y = 3`) moves `a.y` up even when nothing else changed: splicing the
/// changed values into the original text keeps the order as written. The
/// result is checked to be the same document as `rendered` (the edited
/// document's rendering), else `None`.
fn in_place(text: &str, edited: &DocumentMut, rendered: &str) -> Option<String> {
    let original = toml_edit::Document::parse(text).ok()?;
    let mut splices = Vec::new();
    table_splices(original.as_table(), edited.as_table(), text, &mut splices)?;
    splices.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, new) in splices {
        out.push_str(text.get(at..span.start)?);
        out.push_str(&new);
        at = span.end;
    }
    out.push_str(text.get(at..)?);
    let again: DocumentMut = out.parse().ok()?;
    (again.to_string() == rendered).then_some(out)
}

type Splice = (std::ops::Range<usize>, String);

/// The splices that turn table `old` (spans into `text`) into `new`;
/// `None` when their keys differ.
fn table_splices(
    old: &dyn toml_edit::TableLike,
    new: &dyn toml_edit::TableLike,
    text: &str,
    out: &mut Vec<Splice>,
) -> Option<()> {
    if old.len() != new.len() {
        return None;
    }
    for (key, o) in old.iter() {
        item_splices(o, new.get(key)?, text, out)?;
    }
    Some(())
}

fn item_splices(old: &Item, new: &Item, text: &str, out: &mut Vec<Splice>) -> Option<()> {
    match (old, new) {
        (Item::None, Item::None) => Some(()),
        (Item::Value(o), Item::Value(n)) => value_splices(o, n, text, out),
        (Item::Table(o), Item::Table(n)) => table_splices(o, n, text, out),
        (Item::ArrayOfTables(o), Item::ArrayOfTables(n)) if o.len() == n.len() => {
            for (o, n) in o.iter().zip(n.iter()) {
                table_splices(o, n, text, out)?;
            }
            Some(())
        }
        _ => None,
    }
}

/// A value written as it was, or replaced whole (an inline table with the
/// same keys value by value, so its other values keep their bytes).
fn value_splices(old: &Value, new: &Value, text: &str, out: &mut Vec<Splice>) -> Option<()> {
    if let (Value::InlineTable(o), Value::InlineTable(n)) = (old, new) {
        if o.len() == n.len() && o.iter().all(|(k, _)| n.contains_key(k)) {
            for (key, o) in o.iter() {
                value_splices(o, n.get(key)?, text, out)?;
            }
            return Some(());
        }
    }
    let span = old.span()?;
    let mut bare = new.clone();
    bare.decor_mut().clear();
    let bare = bare.to_string();
    if text.get(span.clone())? != bare {
        out.push((span, bare));
    }
    Some(())
}

/// Every edit of `edits` made in `doc`, a scenario read as `config`.
fn edit_document(
    doc: &mut DocumentMut,
    config: &Config,
    edits: &Edits,
    problems: &mut Vec<Problem>,
) {
    let root = doc.as_table_mut();
    if let Some(name) = &edits.name {
        set_in_table(root, "name", Value::from(name.as_str()));
    }
    if let Some(strategy) = &edits.strategy {
        set_in_table(root, "strategy", Value::from(strategy.as_str()));
    }
    if let Some(m) = edits.max_travel_minutes {
        set_in_table(root, "max_travel_minutes", number(m));
    }
    if edits.hubs_primary.is_some() || edits.hubs_secondary.is_some() {
        set_hubs(
            root,
            config,
            edits.hubs_primary,
            edits.hubs_secondary,
            problems,
        );
    }
    if let Some(n) = edits.min_students {
        set_min_students(root, number(n), problems);
    }
    if let Some(ids) = &edits.required_hubs {
        set_in_table(root, "required_hubs", Value::Array(string_array(ids)));
    }
    if let Some(ids) = &edits.excluded_hubs {
        set_in_table(root, "excluded_hubs", Value::Array(string_array(ids)));
    }
    if let Some(weights) = &edits.weights {
        set_weights(root, config, weights, problems);
    }
    if let Some(matrix) = &edits.ahp_matrix {
        let rows: Array = matrix
            .iter()
            .map(|row| Value::Array(row.iter().map(|&v| number(v)).collect()))
            .collect();
        let set = root
            .get_mut("ahp")
            .is_some_and(|item| set_in_item(item, "matrix", Value::Array(rows)));
        if !set {
            problems.push(problem("ahp.matrix", "the scenario has no [ahp] table"));
        }
    }
}

/// A whole number as an integer, anything else as a float: `120`, not
/// `120.0`.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

fn string_array(ids: &[String]) -> Array {
    ids.iter().map(String::as_str).collect()
}

/// `new` in place of `old`, with the old value's decor: the spaces around
/// it and the comment after it stay as written.
fn replace_value(old: &mut Value, new: Value) {
    let decor = old.decor().clone();
    *old = new;
    *old.decor_mut() = decor;
}

/// Sets `key` of a `[table]`, a dotted-key table or the top level (keys
/// added last in their table, in its form).
fn set_in_table(table: &mut Table, key: &str, new: Value) {
    match table.get_mut(key) {
        Some(Item::Value(old)) => replace_value(old, new),
        _ => {
            table.insert(key, Item::Value(new));
        }
    }
}

/// Sets `key` of an inline table; a key added goes last, spaced as the
/// table's last value is (`{primary = 1, secondary = 2}`).
fn set_in_inline(table: &mut InlineTable, key: &str, mut new: Value) {
    if let Some(old) = table.get_mut(key) {
        replace_value(old, new);
        return;
    }
    match table.iter_mut().last() {
        Some((_, last)) => {
            let suffix = last.decor().suffix().cloned();
            last.decor_mut().set_suffix("");
            new.decor_mut().set_prefix(" ");
            if let Some(s) = suffix {
                new.decor_mut().set_suffix(s);
            }
        }
        None => {
            new.decor_mut().set_prefix(" ");
            new.decor_mut().set_suffix(" ");
        }
    }
    table.insert(key, new);
}

/// Sets `key` of the table `item` is, in whatever form it is written;
/// `false` when `item` is no table (the checker refuses such a scenario
/// before any edit, so this is only a guard).
fn set_in_item(item: &mut Item, key: &str, new: Value) -> bool {
    match item {
        Item::Table(t) => set_in_table(t, key, new),
        Item::Value(Value::InlineTable(t)) => set_in_inline(t, key, new),
        _ => return false,
    }
    true
}

/// Whether the file writes any table under a `[header]` (or `[[header]]`):
/// a table it lacks is then added as one, else inline.
fn has_headers(root: &Table) -> bool {
    root.iter().any(|(_, item)| match item {
        Item::Table(t) => !t.is_dotted(),
        Item::ArrayOfTables(_) => true,
        _ => false,
    })
}

/// The hub counts: in `hubs_per_district` for a scenario per district, in
/// `hubs_per_group` for a region scenario (province or the whole run).
/// Only the counts given change; the other count stays as written.
fn set_hubs(
    root: &mut Table,
    config: &Config,
    primary: Option<u32>,
    secondary: Option<u32>,
    problems: &mut Vec<Problem>,
) {
    let key = match config.group_by {
        GroupBy::District => "hubs_per_district",
        GroupBy::Province | GroupBy::None => "hubs_per_group",
    };
    let counts: Vec<(&str, Value)> = [("primary", primary), ("secondary", secondary)]
        .into_iter()
        .filter_map(|(k, n)| Some((k, Value::from(i64::from(n?)))))
        .collect();
    if let Some(item) = root.get_mut(key) {
        for (k, v) in counts {
            if !set_in_item(item, k, v) {
                problems.push(problem(
                    key,
                    "must be a table like { primary = 1, secondary = 1 }",
                ));
                return;
            }
        }
        return;
    }
    if key == "hubs_per_group" && counts.len() < 2 {
        problems.push(problem(
            key,
            format!(
                "the scenario has no hubs_per_group: each {} gets hubs_per_district hubs for each of its districts; give both counts to write hubs_per_group",
                if config.group_by == GroupBy::Province { "province" } else { "run" }
            ),
        ));
        return;
    }
    let mut table = InlineTable::new();
    for (k, v) in counts {
        set_in_inline(&mut table, k, v);
    }
    set_in_table(root, key, Value::InlineTable(table));
}

/// `constraints.min_students`, in the `[constraints]` table as the file
/// writes it; without one, a `[constraints]` table at the end (or
/// `constraints = { … }` in a file without table headers).
fn set_min_students(root: &mut Table, n: Value, problems: &mut Vec<Problem>) {
    if let Some(item) = root.get_mut("constraints") {
        if !set_in_item(item, "min_students", n) {
            problems.push(problem(
                "constraints",
                "must be a table like [constraints] with min_students = 120",
            ));
        }
        return;
    }
    if has_headers(root) {
        let mut t = Table::new();
        t.insert("min_students", Item::Value(n));
        root.insert("constraints", Item::Table(t));
    } else {
        let mut t = InlineTable::new();
        set_in_inline(&mut t, "min_students", n);
        set_in_table(root, "constraints", Value::InlineTable(t));
    }
}

/// The key a criterion table gives its criterion, as the checker reads it
/// ([`hubsel::scenario::Criterion::key`]).
fn criterion_key(t: &dyn toml_edit::TableLike) -> Option<String> {
    if let Some(f) = t.get("field").and_then(Item::as_str) {
        return Some(f.trim().to_string());
    }
    match t.get("access").and_then(Item::as_str)?.trim() {
        "weighted_mean_minutes" => Some("acc_mean".into()),
        "share_within_limit" => Some("acc_share".into()),
        "max_minutes" => Some("acc_max".into()),
        _ => None,
    }
}

/// Each named criterion's `weight`, in `[[criteria]]` tables or in an
/// inline array of criteria (`criteria = [{ field = …, weight = … }]`).
fn set_weights(
    root: &mut Table,
    config: &Config,
    weights: &BTreeMap<String, f64>,
    problems: &mut Vec<Problem>,
) {
    if config.ahp.is_some() {
        problems.push(problem(
            "criteria.weight",
            "the weights come from the [ahp] matrix: change the matrix instead",
        ));
        return;
    }
    let mut found = BTreeSet::new();
    match root.get_mut("criteria") {
        Some(Item::ArrayOfTables(tables)) => {
            for t in tables.iter_mut() {
                if let Some((key, &w)) = criterion_key(t).and_then(|k| weights.get_key_value(&k)) {
                    set_in_table(t, "weight", number(w));
                    found.insert(key.clone());
                }
            }
        }
        Some(Item::Value(Value::Array(items))) => {
            for t in items.iter_mut().filter_map(Value::as_inline_table_mut) {
                if let Some((key, &w)) = criterion_key(t).and_then(|k| weights.get_key_value(&k)) {
                    set_in_inline(t, "weight", number(w));
                    found.insert(key.clone());
                }
            }
        }
        _ => {}
    }
    for key in weights.keys().filter(|k| !found.contains(*k)) {
        problems.push(problem(
            "criteria.weight",
            format!("the scenario has no criterion `{key}`"),
        ));
    }
}

/// The `[ahp]` matrix as written (`"1/3"` read as a third), for the page's
/// matrix editor; `None` without one or when a cell is not a number.
pub fn ahp_matrix(text: &str) -> Option<Vec<Vec<f64>>> {
    let doc: DocumentMut = text.parse().ok()?;
    let rows = doc.get("ahp")?.as_table_like()?.get("matrix")?.as_array()?;
    rows.iter()
        .map(|row| {
            row.as_array()?
                .iter()
                .map(|v| match v {
                    Value::Float(f) => Some(*f.value()),
                    Value::Integer(i) => Some(*i.value() as f64),
                    Value::String(s) => fraction(s.value()),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

fn fraction(s: &str) -> Option<f64> {
    match s.split_once('/') {
        Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
        None => s.trim().parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `toml_edit` prints a table's dotted keys together; an edit must
    /// not regroup keys the file interleaves (the exported file keeps the
    /// order as written, only the edited values change).
    #[test]
    fn interleaved_dotted_keys_keep_their_order() {
        let text = "hubs_per_district.primary = 1\nstrategy = \"score\" # the rule\n\
                    hubs_per_district.secondary = 2\nmax_travel_minutes = 45\n\
                    constraints.min_students = 10\nname = \"x\"\nconstraints.exclude_if = []\n\n\
                    [[criteria]]\nfield = \"classrooms\"\nweight = 1\n";
        let edits = Edits {
            strategy: Some("p-median".into()),
            hubs_secondary: Some(3),
            min_students: Some(20.0),
            weights: Some([("classrooms".to_string(), 0.5)].into()),
            ..Edits::default()
        };
        let want = text
            .replace("\"score\"", "\"p-median\"")
            .replace("secondary = 2", "secondary = 3")
            .replace("min_students = 10", "min_students = 20")
            .replace("weight = 1", "weight = 0.5");
        assert_eq!(apply(text, &edits).unwrap(), want);
    }

    #[test]
    fn edits_keep_comments_and_parse_back() {
        let text = hubsel::scenario::DEFAULT_SCENARIO;
        let edits = Edits {
            strategy: Some("p-median".into()),
            weights: Some(
                [
                    ("classrooms".to_string(), 0.4),
                    ("acc_mean".to_string(), 0.05),
                ]
                .into(),
            ),
            max_travel_minutes: Some(30.0),
            hubs_secondary: Some(2),
            min_students: Some(80.0),
            required_hubs: Some(vec!["S1".into()]),
            ..Edits::default()
        };
        let out = apply(text, &edits).unwrap();
        assert!(out.contains("# Physical readiness: room to grow"));
        let c = hubsel::scenario::parse(&out, "x.toml").unwrap();
        assert_eq!(c.strategy.as_str(), "p-median");
        assert_eq!(c.max_travel_min, 30.0);
        assert_eq!((c.hubs_primary, c.hubs_secondary), (1, 2));
        assert_eq!(c.constraints.min_students, 80.0);
        let w: BTreeMap<String, f64> = c.criteria.iter().map(|c| (c.key(), c.weight)).collect();
        assert_eq!(w["classrooms"], 0.4);
        assert_eq!(w["acc_mean"], 0.05);
        assert_eq!(w["land_rai"], 0.10);
        assert_eq!(apply(&out, &edits).unwrap(), out, "edits are idempotent");
        assert_eq!(apply(text, &Edits::default()).unwrap(), text);
    }

    #[test]
    fn unknown_criterion_is_a_typed_problem() {
        let edits = Edits {
            weights: Some([("nope".to_string(), 0.4)].into()),
            ..Edits::default()
        };
        let e = apply(hubsel::scenario::DEFAULT_SCENARIO, &edits).unwrap_err();
        assert_eq!(e.problems().len(), 1);
        assert!(e.problems()[0].message.contains("`nope`"));
        let e = apply("name = [", &Edits::default()).unwrap_err();
        assert_eq!(e.problems()[0].line, Some(1));
    }

    #[test]
    fn reads_ahp_fractions() {
        let m = ahp_matrix("[ahp]\nmatrix = [[1, 3], [\"1/3\", 1.0]]\n").unwrap();
        assert_eq!(m[0][1], 3.0);
        assert!((m[1][0] - 1.0 / 3.0).abs() < 1e-12);
    }
}
