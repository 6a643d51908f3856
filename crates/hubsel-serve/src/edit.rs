//! Scenario edits from the page, made in the scenario's TOML text with
//! `toml_edit`: the user's comments, order and spelling stay, and the text
//! that comes out is the file that runs. Exported as it is, `hubsel run
//! --scenario` reads the same scenario.

use std::collections::BTreeMap;

use hubsel::error::{Error, ErrorKind, Problem};
use serde::Deserialize;
use toml_edit::{value, Array, DocumentMut, InlineTable, Item, Value};

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
    pub hubs_primary: Option<u32>,
    pub hubs_secondary: Option<u32>,
    pub min_students: Option<f64>,
    pub required_hubs: Option<Vec<String>>,
    pub excluded_hubs: Option<Vec<String>>,
}

fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        line: None,
        key: Some(key.to_string()),
        message: message.into(),
    }
}

/// The text with `edits` applied; the scenario's TOML syntax errors and
/// the edits that name what the text lacks (an unknown criterion) are
/// returned as the CLI's typed problem list.
pub fn apply(text: &str, edits: &Edits) -> Result<String, Error> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e
            .span()
            .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count() as u64);
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
    if let Some(name) = &edits.name {
        doc["name"] = value(name.as_str());
    }
    if let Some(strategy) = &edits.strategy {
        doc["strategy"] = value(strategy.as_str());
    }
    if let Some(m) = edits.max_travel_minutes {
        doc["max_travel_minutes"] = value(m);
    }
    if edits.hubs_primary.is_some() || edits.hubs_secondary.is_some() {
        set_hubs(&mut doc, edits.hubs_primary, edits.hubs_secondary);
    }
    if let Some(n) = edits.min_students {
        if !doc.contains_key("constraints") {
            doc["constraints"] = toml_edit::table();
        }
        doc["constraints"]["min_students"] = number(n);
    }
    if let Some(ids) = &edits.required_hubs {
        doc["required_hubs"] = value(string_array(ids));
    }
    if let Some(ids) = &edits.excluded_hubs {
        doc["excluded_hubs"] = value(string_array(ids));
    }
    if let Some(weights) = &edits.weights {
        set_weights(&mut doc, weights, &mut problems);
    }
    if let Some(matrix) = &edits.ahp_matrix {
        match doc.get_mut("ahp").and_then(Item::as_table_like_mut) {
            Some(t) => {
                let rows: Array = matrix
                    .iter()
                    .map(|row| Value::Array(row.iter().map(|&v| Value::from(v)).collect()))
                    .collect();
                t.insert("matrix", value(rows));
            }
            None => problems.push(problem("ahp.matrix", "the scenario has no [ahp] table")),
        }
    }
    if problems.is_empty() {
        Ok(doc.to_string())
    } else {
        Err(Error::with_problems(ErrorKind::Scenario, problems))
    }
}

/// A count as an integer, anything else as a float: `120`, not `120.0`.
fn number(n: f64) -> Item {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        value(n as i64)
    } else {
        value(n)
    }
}

fn string_array(ids: &[String]) -> Array {
    ids.iter().map(String::as_str).collect()
}

fn set_hubs(doc: &mut DocumentMut, primary: Option<u32>, secondary: Option<u32>) {
    let mut table = doc
        .get("hubs_per_district")
        .and_then(Item::as_inline_table)
        .cloned()
        .unwrap_or_else(InlineTable::new);
    if let Some(p) = primary {
        table.insert("primary", Value::from(i64::from(p)));
    }
    if let Some(s) = secondary {
        table.insert("secondary", Value::from(i64::from(s)));
    }
    doc["hubs_per_district"] = value(table);
}

/// The key a `[[criteria]]` table gives its criterion
/// ([`hubsel::scenario::Criterion::key`]).
fn criterion_key(t: &dyn toml_edit::TableLike) -> Option<String> {
    if let Some(f) = t.get("field").and_then(Item::as_str) {
        return Some(f.to_string());
    }
    match t.get("access").and_then(Item::as_str)? {
        "weighted_mean_minutes" => Some("acc_mean".into()),
        "share_within_limit" => Some("acc_share".into()),
        "max_minutes" => Some("acc_max".into()),
        _ => None,
    }
}

fn set_weights(
    doc: &mut DocumentMut,
    weights: &BTreeMap<String, f64>,
    problems: &mut Vec<Problem>,
) {
    let mut found = Vec::new();
    if let Some(criteria) = doc
        .get_mut("criteria")
        .and_then(Item::as_array_of_tables_mut)
    {
        for t in criteria.iter_mut() {
            let Some(key) = criterion_key(t) else {
                continue;
            };
            if let Some(&w) = weights.get(&key) {
                t.insert("weight", value(w));
                found.push(key);
            }
        }
    }
    for key in weights.keys().filter(|k| !found.contains(k)) {
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
