//! The `[[criteria]]` tables, and the `[ahp]` pairwise matrix that may
//! give their weights instead of each criterion's `weight`.

use std::collections::{BTreeMap, BTreeSet};

use toml::de::{DeTable, DeValue};

use super::doc::{self, get, Checker, FirstSeen, Place};
use super::{
    ahp, AccessMeasure, AhpReport, Criterion, Direction, Measure, Normalize, StrategyKind,
    Transform,
};
use crate::error::quote;

/// The criteria in file order, with their weights from the `[ahp]` matrix
/// when the file gives one; a criterion given twice is a problem, and so
/// are all-zero weights under the `score` strategy.
pub(super) fn read(
    ck: &mut Checker<'_>,
    root: &DeTable<'_>,
    strategy: StrategyKind,
) -> (Vec<Criterion>, Option<AhpReport>) {
    let ahp_given = get(root, "ahp").is_some();
    let mut criteria: Vec<Criterion> = Vec::new();
    let mut weight_lines: Vec<usize> = Vec::new();
    let mut first_criterion_at = None;
    let before = ck.count();
    if let Some(v) = get(root, "criteria") {
        let mut seen = FirstSeen::default();
        for (at, t) in criterion_tables(ck, v) {
            first_criterion_at.get_or_insert(at);
            let Some(c) = criterion(ck, at, t, ahp_given) else {
                continue;
            };
            if let Some(first) = seen.repeat(&c.key(), c.line) {
                ck.problem(
                    c.line,
                    measure_key(&c),
                    format!(
                        "the criterion {} is already given on line {first}: give each criterion once",
                        quote(&c.key())
                    ),
                );
            }
            weight_lines.push(get(t, "weight").map_or(at, |w| ck.line(w)));
            criteria.push(c);
        }
    }
    let mut ahp_report = None;
    if let Some(v) = get(root, "ahp") {
        if let Some(t) = ck.table(
            v,
            "ahp",
            "[ahp] with criteria = [\"a\", \"b\"] and matrix = [[1, 3], [\"1/3\", 1]]",
        ) {
            let at = ck.line(v);
            ahp_report = read_ahp(ck, at, t, &mut criteria);
        }
    }
    if !ahp_given {
        check_weight_sum(ck, &criteria, &weight_lines);
    }
    // With an [ahp] table the weights are its (a broken matrix is
    // reported there, not as zero weights); weights refused are reported
    // as such, not again as zeros.
    if strategy == StrategyKind::Score
        && !ahp_given
        && !ck.any_on("weight", before)
        && !criteria.is_empty()
        && criteria.iter().all(|c| c.weight == 0.0)
    {
        ck.problem(
            first_criterion_at.unwrap_or(1),
            "criteria",
            "all weights are zero",
        );
    }
    (criteria, ahp_report)
}

/// The largest sum of weights: a score is Σ wᵢ·nᵢ / Σ w, and a normalised
/// value nᵢ is at most √n in size (a z-score; the others lie in 0..1), so
/// below this bound every product and sum stays finite. Weights count only
/// by their ratios, so any weights can be scaled below it.
pub(super) const MAX_WEIGHT_SUM: f64 = 1e300;

/// Each weight is finite (checked where it is read); their sum must stay
/// at most [`MAX_WEIGHT_SUM`], reported at the weight that passes it.
/// `weight_lines` holds the line of each criterion's weight.
fn check_weight_sum(ck: &mut Checker<'_>, criteria: &[Criterion], weight_lines: &[usize]) {
    let mut total = 0.0f64;
    for (c, &line) in criteria.iter().zip(weight_lines) {
        total += c.weight;
        if total > MAX_WEIGHT_SUM {
            ck.problem(
                line,
                "weight",
                format!(
                    "the weights sum to {total:e} here, more than {MAX_WEIGHT_SUM:e}: scores would overflow; only the ratios of the weights count, so scale them down (e.g. to sum to 1)"
                ),
            );
            return;
        }
    }
}

/// What a `[[criteria]]` entry's measure key is called, for messages.
fn measure_key(c: &Criterion) -> &'static str {
    match c.measure {
        Measure::Field(_) => "field",
        Measure::Access(_) => "access",
    }
}

/// The `[[criteria]]` tables, each with its header's line.
fn criterion_tables<'a, 'i>(
    ck: &mut Checker<'_>,
    v: &'a doc::Value<'i>,
) -> Vec<(usize, &'a DeTable<'i>)> {
    match v.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::Table(t) => Some((ck.line(item), t)),
                other => {
                    ck.problem(
                        ck.line(item),
                        "criteria",
                        format!(
                            "each criterion must be a table under a [[criteria]] header, got {}",
                            doc::describe(other)
                        ),
                    );
                    None
                }
            })
            .collect(),
        DeValue::Table(_) => {
            ck.problem(
                ck.line(v),
                "criteria",
                "write each criterion under its own [[criteria]] header, with two brackets",
            );
            Vec::new()
        }
        other => {
            ck.problem(
                ck.line(v),
                "criteria",
                format!("must be [[criteria]] tables, got {}", doc::describe(other)),
            );
            Vec::new()
        }
    }
}

/// One `[[criteria]]` table (header on line `at`); `None` when its
/// measure cannot be read (the problem is recorded, and the table's other
/// keys are not checked).
fn criterion(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    ahp_given: bool,
) -> Option<Criterion> {
    let meant = ck.check_keys(t, Place::Criterion);
    let (measure, line) = measure(ck, at, t, &meant)?;
    let weight = weight(ck, at, t, ahp_given, &meant);
    let direction = direction(ck, t, &measure);
    let normalize = normalize(ck, t, direction);
    let transform = transform(ck, t);
    Some(Criterion {
        measure,
        weight,
        direction,
        normalize,
        transform,
        line,
    })
}

/// A text key of a criterion table: its value and line.
fn text_at(ck: &mut Checker<'_>, t: &DeTable<'_>, key: &str) -> Option<(String, usize)> {
    get(t, key).and_then(|v| Some((ck.text(v, key)?, ck.line(v))))
}

/// What the criterion measures, a school `field` or an `access` measure
/// (exactly one of the two), and the line naming it. Neither key is no
/// problem of its own when the table misspells one of them (`meant`, from
/// [`Checker::check_keys`]): the misspelling is the problem.
fn measure(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    meant: &[&str],
) -> Option<(Measure, usize)> {
    let field = text_at(ck, t, "field");
    let access = text_at(ck, t, "access");
    let field_given = get(t, "field").is_some();
    let access_given = get(t, "access").is_some();
    match (field, access) {
        (Some((f, line)), None) if !access_given => {
            if f.trim().is_empty() {
                ck.problem(line, "field", "must name a school field, got empty text");
                return None;
            }
            Some((Measure::Field(f.trim().to_string()), line))
        }
        (None, Some((a, line))) if !field_given => match AccessMeasure::parse(a.trim()) {
            Some(m) => Some((Measure::Access(m), line)),
            None => {
                ck.problem(line, "access", format!("unknown access measure {} (one of: weighted_mean_minutes, share_within_limit, max_minutes)", quote(&a)));
                None
            }
        },
        _ if field_given && access_given => {
            ck.problem(at, "criteria", "give either `field` or `access`, not both");
            None
        }
        _ if field_given || access_given => None, // a type problem, recorded
        _ if meant.iter().any(|k| ["field", "access"].contains(k)) => {
            ck.follows("criteria");
            None
        }
        _ => {
            ck.problem(
                at,
                "criteria",
                "a criterion needs a `field` or an `access` key",
            );
            None
        }
    }
}

/// The criterion's `weight`, required unless an `[ahp]` matrix gives the
/// weights (then refused); 0 when missing or refused. A weight missing
/// because the table misspells it (`meant`) is the misspelling's problem,
/// not one of its own.
fn weight(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    ahp_given: bool,
    meant: &[&str],
) -> f64 {
    match (get(t, "weight"), ahp_given) {
        (Some(w), false) => match ck.number(w, "weight") {
            Some(x) if x.is_finite() && x > MAX_WEIGHT_SUM => {
                ck.problem(
                    ck.line(w),
                    "weight",
                    format!(
                        "must be at most {MAX_WEIGHT_SUM:e}, got {x:e}: scores would overflow; only the ratios of the weights count, so scale them down (e.g. to sum to 1)"
                    ),
                );
                0.0
            }
            Some(x) if x.is_finite() && x >= 0.0 => x,
            Some(x) => {
                ck.problem(
                    ck.line(w),
                    "weight",
                    format!("must be a non-negative number, got {x}"),
                );
                0.0
            }
            None => 0.0,
        },
        (None, false) if meant.contains(&"weight") => {
            ck.follows("weight");
            0.0
        }
        (None, false) => {
            ck.problem(
                at,
                "weight",
                "each criterion needs a weight (or give the weights by an [ahp] matrix)",
            );
            0.0
        }
        (Some(w), true) => {
            ck.problem(
                ck.line(w),
                "weight",
                "the weights come from the [ahp] matrix; remove this weight",
            );
            0.0
        }
        (None, true) => 0.0,
    }
}

/// `direction = "benefit" | "cost"`; the measure's natural direction when
/// not given or not readable.
fn direction(ck: &mut Checker<'_>, t: &DeTable<'_>, measure: &Measure) -> Direction {
    let natural = match measure {
        Measure::Access(m) => m.direction(),
        Measure::Field(_) => Direction::Benefit,
    };
    match text_at(ck, t, "direction") {
        None => natural,
        Some((d, line)) => match d.trim() {
            "benefit" => Direction::Benefit,
            "cost" => Direction::Cost,
            other => {
                ck.problem(
                    line,
                    "direction",
                    format!("must be \"benefit\" or \"cost\", got {}", quote(other)),
                );
                natural
            }
        },
    }
}

/// `normalize`; min-max when not given or not readable. `share` is for
/// benefit criteria only.
fn normalize(ck: &mut Checker<'_>, t: &DeTable<'_>, direction: Direction) -> Normalize {
    match text_at(ck, t, "normalize") {
        None => Normalize::MinMax,
        Some((n, line)) => match n.trim() {
            "minmax" | "min-max" => Normalize::MinMax,
            "zscore" | "z-score" => Normalize::ZScore,
            "rank" => Normalize::Rank,
            "share" => {
                if direction == Direction::Cost {
                    ck.problem(
                        line,
                        "normalize",
                        "\"share\" is for benefit criteria: a cost has no share of a total; use \"minmax\", \"zscore\" or \"rank\"",
                    );
                }
                Normalize::Share
            }
            other => {
                ck.problem(
                    line,
                    "normalize",
                    format!(
                        "must be \"minmax\", \"zscore\", \"rank\" or \"share\", got {}",
                        quote(other)
                    ),
                );
                Normalize::MinMax
            }
        },
    }
}

/// `transform = "none" | "log" | "sqrt"`; none when not given or not
/// readable.
fn transform(ck: &mut Checker<'_>, t: &DeTable<'_>) -> Transform {
    match text_at(ck, t, "transform") {
        None => Transform::None,
        Some((tr, line)) => match tr.trim() {
            "none" => Transform::None,
            "log" => Transform::Log,
            "sqrt" => Transform::Sqrt,
            other => {
                ck.problem(
                    line,
                    "transform",
                    format!(
                        "must be \"none\", \"log\" or \"sqrt\", got {}",
                        quote(other)
                    ),
                );
                Transform::None
            }
        },
    }
}

/// The `[ahp]` table (on line `at`): checks the criteria list against the
/// `[[criteria]]` and the matrix against the list, and sets the weights.
/// `None` when the list or the matrix has a problem (recorded).
fn read_ahp(
    ck: &mut Checker<'_>,
    at: usize,
    t: &DeTable<'_>,
    criteria: &mut [Criterion],
) -> Option<AhpReport> {
    ck.check_keys(t, Place::Ahp);
    let force = get(t, "force")
        .and_then(|v| ck.boolean(v, "ahp.force"))
        .unwrap_or(false);
    let (listed, listed_readable) = ahp_listed(ck, at, t);
    let listing_matches = check_listing(ck, &listed, criteria);
    let matrix = ahp_matrix(ck, at, t, listed.len())?;
    if !(listed_readable && listing_matches && matrix.complete) {
        return None;
    }
    let result = match ahp::ahp(&matrix.rows) {
        Err(e) => {
            ck.problem(matrix.line, "ahp.matrix", e.to_string());
            return None;
        }
        Ok(result) => result,
    };
    if result.cr > 0.1 && !force {
        ck.problem(
            matrix.line,
            "ahp.matrix",
            format!("consistency ratio {:.3} is above 0.1: revise the judgments, or set force = true to use them anyway", result.cr),
        );
    }
    let listed: Vec<String> = listed.into_iter().map(|(c, _)| c).collect();
    let row_of: BTreeMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    for c in criteria.iter_mut() {
        if let Some(w) = row_of
            .get(c.key().as_str())
            .and_then(|&i| result.weights.get(i))
        {
            c.weight = *w;
        }
    }
    Some(AhpReport {
        criteria: listed,
        ahp: result,
        forced: force,
    })
}

/// `ahp.criteria`: the criteria keys in the order of the matrix rows, each
/// with its line, and whether the list was read without a problem.
fn ahp_listed(ck: &mut Checker<'_>, at: usize, t: &DeTable<'_>) -> (Vec<(String, usize)>, bool) {
    match get(t, "criteria") {
        Some(v) => {
            let before = ck.count();
            let listed = ck.texts(v, "ahp.criteria", false);
            let readable = ck.count() == before;
            (listed, readable)
        }
        None => {
            ck.problem(
                at,
                "ahp.criteria",
                "missing: list the criteria keys in the order of the matrix rows",
            );
            (Vec::new(), false)
        }
    }
}

/// How many criteria keys a message names at most.
const KEYS_NAMED: usize = 15;

/// Whether `ahp.criteria` lists every `[[criteria]]` key once and nothing
/// else; each mismatch is a problem.
fn check_listing(ck: &mut Checker<'_>, listed: &[(String, usize)], criteria: &[Criterion]) -> bool {
    let keys: Vec<String> = criteria.iter().map(Criterion::key).collect();
    // Sets, so that long lists are checked in n log n, not n².
    let known: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let in_list: BTreeSet<&str> = listed.iter().map(|(l, _)| l.as_str()).collect();
    // Named in each message, so at most a few: a message per listed name,
    // each naming every key, would grow with the square of the file.
    let some_keys = if keys.len() <= KEYS_NAMED {
        keys.join(", ")
    } else {
        format!(
            "{}, … ({} in all)",
            keys[..KEYS_NAMED].join(", "),
            keys.len()
        )
    };
    let mut matches = true;
    let mut seen = FirstSeen::default();
    for (c, line) in listed {
        if let Some(first) = seen.repeat(c, *line) {
            let also = if first == *line {
                String::new()
            } else {
                format!(" (first on line {first})")
            };
            ck.problem(
                *line,
                "ahp.criteria",
                format!(
                    "{} is listed twice{also}: list each criterion once",
                    quote(c)
                ),
            );
            matches = false;
        } else if !known.contains(c.as_str()) {
            ck.problem(
                *line,
                "ahp.criteria",
                format!(
                    "{} is not one of the [[criteria]] (their keys: {})",
                    quote(c),
                    some_keys
                ),
            );
            matches = false;
        }
    }
    for (k, c) in keys.iter().zip(criteria) {
        if !in_list.contains(k.as_str()) {
            ck.problem(
                c.line,
                "ahp.criteria",
                format!("criterion {} has no row in the [ahp] matrix", quote(k)),
            );
            matches = false;
        }
    }
    matches
}

/// The `[ahp]` pairwise matrix as read.
struct Matrix {
    rows: Vec<Vec<f64>>,
    /// Line of `matrix`.
    line: usize,
    /// Every row and entry was read, one row and column per listed
    /// criterion.
    complete: bool,
}

/// `ahp.matrix`, to be `n` rows of `n` numbers; `None` when missing or
/// not a list (the problem is recorded).
fn ahp_matrix(ck: &mut Checker<'_>, at: usize, t: &DeTable<'_>, n: usize) -> Option<Matrix> {
    let Some(matrix) = get(t, "matrix") else {
        ck.problem(
            at,
            "ahp.matrix",
            "missing: give the pairwise comparison matrix, one row per listed criterion",
        );
        return None;
    };
    let line = ck.line(matrix);
    let DeValue::Array(rows_given) = matrix.get_ref() else {
        ck.problem(
            line,
            "ahp.matrix",
            format!(
                "must be a list of rows like [[1, 3], [\"1/3\", 1]], got {}",
                doc::describe(matrix.get_ref())
            ),
        );
        return None;
    };
    let mut complete = true;
    if rows_given.len() != n {
        ck.problem(
            line,
            "ahp.matrix",
            format!(
                "the matrix has {} but `ahp.criteria` lists {n} criteria: give one row and one column per listed criterion, in its order",
                match rows_given.len() {
                    1 => "1 row".to_string(),
                    rows => format!("{rows} rows"),
                }
            ),
        );
        complete = false;
    }
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, row) in rows_given.iter().enumerate() {
        match matrix_row(ck, i, row, n, rows_given.len() == n) {
            Some(values) => rows.push(values),
            None => complete = false,
        }
    }
    Some(Matrix {
        rows,
        line,
        complete,
    })
}

/// Row `i` (from 0) of the matrix, to hold `n` entries (checked when the
/// row count is right, `rows_fit`); `None` when it has a problem (each is
/// recorded).
fn matrix_row(
    ck: &mut Checker<'_>,
    i: usize,
    row: &doc::Value<'_>,
    n: usize,
    rows_fit: bool,
) -> Option<Vec<f64>> {
    let row_at = ck.line(row);
    let DeValue::Array(entries) = row.get_ref() else {
        ck.problem(
            row_at,
            "ahp.matrix",
            format!(
                "row {} must be a list of numbers, got {}",
                i + 1,
                doc::describe(row.get_ref())
            ),
        );
        return None;
    };
    let mut readable = true;
    if entries.len() != n && rows_fit {
        ck.problem(
            row_at,
            "ahp.matrix",
            format!(
                "row {} has {} entries but `ahp.criteria` lists {n} criteria",
                i + 1,
                entries.len()
            ),
        );
        readable = false;
    }
    let mut values = Vec::new();
    for (j, v) in entries.iter().enumerate() {
        match ahp_entry(v.get_ref()) {
            Some(x) if !(ahp::MIN_ENTRY..=ahp::MAX_ENTRY).contains(&x) => {
                ck.problem(
                    ck.line(v),
                    "ahp.matrix",
                    format!(
                        "entry ({}, {}) must be a positive number from {:e} to {:e} (Saaty's scale runs from 1/9 to 9), got {x}",
                        i + 1,
                        j + 1,
                        ahp::MIN_ENTRY,
                        ahp::MAX_ENTRY
                    ),
                );
                readable = false;
            }
            Some(x) => values.push(x),
            None => {
                ck.problem(
                    ck.line(v),
                    "ahp.matrix",
                    format!(
                        "entry ({}, {}) must be a number or a fraction like \"1/3\", got {}",
                        i + 1,
                        j + 1,
                        doc::describe(v.get_ref())
                    ),
                );
                readable = false;
            }
        }
    }
    readable.then_some(values)
}

/// An AHP matrix entry: a number, or a fraction written as text ("1/3").
fn ahp_entry(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().parse().ok(),
        DeValue::String(s) => match s.split_once('/') {
            Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
            None => s.trim().parse().ok(),
        },
        _ => None,
    }
}
