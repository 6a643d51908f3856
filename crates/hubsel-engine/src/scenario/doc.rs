//! The scenario's TOML read as a spanned document ([`toml::de::DeTable`]):
//! every key and value keeps its place in the text, and every key and
//! type is checked here by hand instead of by serde, so that no check stops
//! at the first problem and every message is in words a planner reads
//! (`must be a number`, never `invalid type: string, expected f64`).

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{quote, Error, ErrorKind, Problem};

/// A value of the document with its byte span.
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Keys of the top level of the file.
pub(super) const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "strategy",
    "seed",
    "hubs_per_district",
    "group_by",
    "hubs_per_group",
    "max_travel_minutes",
    "search_cutoff_minutes",
    "offroad_speed_kmh",
    "max_snap_m",
    "small_component_junctions",
    "weights",
    "required_hubs",
    "excluded_hubs",
    "use_maxspeed",
    "criteria",
    "ahp",
    "constraints",
    "allocation",
    "speeds_kmh",
    "levels",
    "columns",
];

/// A table of the scenario whose keys are fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    Top,
    Hubs,
    /// `hubs_per_group`: the same keys as `hubs_per_district`.
    HubsPerGroup,
    Criterion,
    Ahp,
    Constraints,
    Allocation,
    /// `[speeds_kmh]`: any road class is a key.
    Speeds,
    /// `[levels]`: any level text is a key.
    Levels,
    /// `[columns]`: the school fields.
    Columns,
}

impl Place {
    /// The keys the table knows; empty for the tables whose keys are free.
    pub(super) fn known(self) -> &'static [&'static str] {
        match self {
            Place::Top => TOP_KEYS,
            Place::Hubs | Place::HubsPerGroup => &["primary", "secondary"],
            Place::Criterion => &[
                "field",
                "access",
                "weight",
                "direction",
                "normalize",
                "transform",
            ],
            Place::Ahp => &["criteria", "matrix", "force"],
            Place::Constraints => &["min_students", "exclude_if", "required_fields"],
            Place::Allocation => &[
                "cross_district",
                "capacity_field",
                "class_size",
                "overflow",
                "method",
            ],
            Place::Columns => &crate::io::schools::SchoolColumns::FIELDS,
            Place::Speeds | Place::Levels => &[],
        }
    }

    /// How messages name the table.
    fn name(self) -> &'static str {
        match self {
            Place::Top => "the top level of the file",
            Place::Hubs => "hubs_per_district",
            Place::HubsPerGroup => "hubs_per_group",
            Place::Criterion => "a [[criteria]] table",
            Place::Ahp => "the [ahp] table",
            Place::Constraints => "the [constraints] table",
            Place::Allocation => "the [allocation] table",
            Place::Speeds => "the [speeds_kmh] table",
            Place::Levels => "the [levels] table",
            Place::Columns => "the [columns] table",
        }
    }

    /// Prefix of the key paths in messages (`constraints.min_students`);
    /// a criterion's keys are named alone (`weight`), its line says which.
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Place::Top | Place::Criterion => "",
            Place::Hubs => "hubs_per_district.",
            Place::HubsPerGroup => "hubs_per_group.",
            Place::Ahp => "ahp.",
            Place::Constraints => "constraints.",
            Place::Allocation => "allocation.",
            Place::Speeds => "speeds_kmh.",
            Place::Levels => "levels.",
            Place::Columns => "columns.",
        }
    }

    /// The header a key written below it falls into, for the hint.
    fn header(self) -> &'static str {
        match self {
            Place::Criterion => "the first [[criteria]] table",
            Place::Ahp => "the [ahp] table",
            Place::Constraints => "the [constraints] table",
            Place::Allocation => "the [allocation] table",
            Place::Speeds => "the [speeds_kmh] table",
            Place::Levels => "the [levels] table",
            Place::Columns => "the [columns] table",
            Place::Top | Place::Hubs | Place::HubsPerGroup => "the first table header",
        }
    }
}

/// Why TOML moved a key into a table, for the misplaced-key hints.
const TABLE_RULE: &str = "TOML puts every key after a table header into that table";

/// The problems of one scenario, each `line N: `key`: message`, reported
/// together in line order.
pub(super) struct Checker<'t> {
    text: &'t str,
    /// Byte offset of each `\n`, found once: a value's line is a binary
    /// search, so that reading a scenario stays linear in its size (80,000
    /// required ids validate in milliseconds, not in the minutes a count
    /// from the start of the file per value took).
    breaks: Vec<usize>,
    problems: Vec<Problem>,
    /// Problems left out because they follow from another one already
    /// recorded (a key missing because the file misspells it): the key
    /// each was about, and [`Checker::count`] when it was left out.
    consequences: Vec<(String, usize)>,
}

impl<'t> Checker<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Checker {
            text,
            breaks: newline_offsets(text.as_bytes()),
            consequences: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// 1-based line of a byte offset (any offset: a span inside a
    /// multi-byte character or past the end is no panic): one more than
    /// the line breaks before it.
    pub(super) fn line_at(&self, offset: usize) -> usize {
        self.breaks.partition_point(|&b| b < offset) + 1
    }

    /// Line of a spanned key or value.
    pub(super) fn line<T>(&self, v: &Spanned<T>) -> usize {
        self.line_at(v.span().start)
    }

    pub(super) fn problem(&mut self, line: usize, key: &str, msg: impl Into<String>) {
        self.problems.push(Problem {
            line: Some(line as u64),
            key: Some(key.to_string()),
            message: msg.into(),
        });
    }

    /// A problem of a line that is not about one key.
    pub(super) fn problem_at(&mut self, line: usize, msg: impl Into<String>) {
        self.problems.push(Problem {
            line: Some(line as u64),
            key: None,
            message: msg.into(),
        });
    }

    /// Leaves out a problem on `key` that follows from one already
    /// recorded (a required key missing because the table misspells it,
    /// which the unknown key's problem names): reported once, as its cause.
    /// [`Checker::any_on`] still counts it.
    pub(super) fn follows(&mut self, key: &str) {
        self.consequences
            .push((key.to_string(), self.problems.len()));
    }

    /// Whether a problem on `key` was recorded (or left out as following
    /// from another, [`Checker::follows`]) after the first `since`
    /// ([`Checker::count`] then).
    pub(super) fn any_on(&self, key: &str, since: usize) -> bool {
        self.problems
            .iter()
            .skip(since)
            .any(|p| p.key.as_deref() == Some(key))
            || self
                .consequences
                .iter()
                .any(|(k, at)| k == key && *at >= since)
    }

    /// How many problems are recorded so far.
    pub(super) fn count(&self) -> usize {
        self.problems.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every problem in line order as one scenario error, pointing at the
    /// first; `trailer` is added as a last line.
    pub(super) fn into_error(mut self, source: &str, trailer: Option<&str>) -> Error {
        // Sorted by line before the trailer, which says where reading stopped.
        self.problems.sort_by_key(|p| p.line);
        self.problems.extend(trailer.map(|t| Problem {
            line: None,
            key: None,
            message: t.to_string(),
        }));
        Error::with_problems(ErrorKind::Scenario, self.problems).in_file(source)
    }

    /// Reports TOML syntax errors (the recovering parser finds several).
    pub(super) fn syntax(&mut self, errors: &[toml::de::Error]) {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let line = self.line_at(span.start);
            let mut msg = e.message().trim().replace('\n', " ");
            if let Some(snippet) = self.text.get(span).map(str::trim) {
                if !snippet.is_empty() && snippet.len() <= 40 && !snippet.contains('\n') {
                    msg = format!("{msg} (at `{snippet}`)");
                }
            }
            self.problem_at(line, format!("TOML syntax: {msg}"));
        }
    }

    /// Reports every key of `table` that `place` does not know, each with
    /// its line, the known keys, a close spelling, and where a key TOML
    /// moved into this table belongs. Returns the known keys that an
    /// unknown one is a close spelling of (what the table meant to give).
    pub(super) fn check_keys(&mut self, table: &DeTable<'_>, place: Place) -> Vec<&'static str> {
        let known = place.known();
        let mut meant = Vec::new();
        for (k, _) in table.iter() {
            let key: &str = k.get_ref();
            if known.contains(&key) {
                continue;
            }
            let free = matches!(place, Place::Speeds | Place::Levels);
            let line = self.line(k);
            let path = format!("{}{}", place.prefix(), key_text(key));
            if let Some(hint) = misplaced(key, place) {
                self.problem(
                    line,
                    &path,
                    format!("is not a key of {}: {hint}", place.name()),
                );
            } else if !free {
                let close_key = did_you_mean(key, known);
                meant.extend(close_key);
                let close = close_key
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.problem(
                    line,
                    &path,
                    format!(
                        "unknown key in {}{close}; its keys are: {}",
                        place.name(),
                        known.join(", ")
                    ),
                );
            }
        }
        meant
    }

    /// A number (integer or float).
    pub(super) fn number(&mut self, v: &Value<'_>, key: &str) -> Option<f64> {
        match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64)
                .or_else(|| {
                    self.problem(self.line(v), key, format!("the number {i} is too large"));
                    None
                }),
            DeValue::Float(f) => match f.as_str().parse::<f64>() {
                Ok(x) => Some(x),
                Err(_) => {
                    self.problem(self.line(v), key, format!("{f} is not a number"));
                    None
                }
            },
            other => {
                self.problem(
                    self.line(v),
                    key,
                    format!("must be a number, got {}", describe(other)),
                );
                None
            }
        }
    }

    /// A whole number (an integer, or a float with no fraction).
    pub(super) fn whole(&mut self, v: &Value<'_>, key: &str) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().or_else(|| {
                self.problem(self.line(v), key, format!("the number {i} is too large"));
                None
            }),
            DeValue::Float(f)
                if f.as_str()
                    .parse::<f64>()
                    .is_ok_and(|x| x.fract() == 0.0 && x.abs() < 9e15) =>
            {
                f.as_str().parse::<f64>().ok().map(|x| x as i64)
            }
            other => {
                self.problem(
                    self.line(v),
                    key,
                    format!("must be a whole number, got {}", describe(other)),
                );
                None
            }
        }
    }

    /// Text (a TOML string).
    pub(super) fn text(&mut self, v: &Value<'_>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    self.line(v),
                    key,
                    format!("must be text in quotes, got {}", describe(other)),
                );
                None
            }
        }
    }

    /// `true` or `false`.
    pub(super) fn boolean(&mut self, v: &Value<'_>, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.problem(
                    self.line(v),
                    key,
                    format!("must be true or false, got {}", describe(other)),
                );
                None
            }
        }
    }

    /// A list of texts, each with its line; with `ids`, whole numbers are
    /// taken as their digits (school ids written without quotes).
    pub(super) fn texts(&mut self, v: &Value<'_>, key: &str, ids: bool) -> Vec<(String, usize)> {
        let DeValue::Array(items) = v.get_ref() else {
            self.problem(
                self.line(v),
                key,
                format!(
                    "must be a list like [\"a\", \"b\"], got {}",
                    describe(v.get_ref())
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let line = self.line(item);
            match item.get_ref() {
                DeValue::String(s) => out.push((s.trim().to_string(), line)),
                DeValue::Integer(i) if ids && i.radix() == 10 => {
                    out.push((i.as_str().to_string(), line))
                }
                other => self.problem(
                    line,
                    key,
                    format!(
                        "item {} must be text in quotes, got {}",
                        n + 1,
                        describe(other)
                    ),
                ),
            }
        }
        out
    }

    /// A table; `example` shows its shape in the message when it is not one.
    pub(super) fn table<'a, 'i>(
        &mut self,
        v: &'a Value<'i>,
        key: &str,
        example: &str,
    ) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    self.line(v),
                    key,
                    format!("must be a table like {example}, got {}", describe(other)),
                );
                None
            }
        }
    }
}

/// Byte offsets of every `\n` of `bytes`, in order.
fn newline_offsets(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// The value of `key` in `table`.
pub(super) fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    table
        .iter()
        .find(|(k, _)| {
            let name: &str = k.get_ref();
            name == key
        })
        .map(|(_, v)| v)
}

/// The entries of a table whose keys are free, in key order, with the
/// line of each key.
pub(super) fn entries<'a, 'i>(
    checker: &Checker<'_>,
    table: &'a DeTable<'i>,
) -> Vec<(String, usize, &'a Value<'i>)> {
    table
        .iter()
        .map(|(k, v)| {
            let key: &str = k.get_ref();
            (key.to_string(), checker.line(k), v)
        })
        .collect()
}

/// A key as written in a key path: bare when TOML allows it, else quoted.
pub(super) fn key_text(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        quote(key)
    }
}

/// A TOML value in words, for "must be …, got …".
pub(super) fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => {
            let hint = if s.trim().parse::<f64>().is_ok() {
                " (write numbers without quotes)"
            } else {
                ""
            };
            format!("the text {}{hint}", quote(s))
        }
        DeValue::Integer(i) => format!("the whole number {i}"),
        DeValue::Float(f) => format!("the number {f}"),
        DeValue::Boolean(b) => format!("{b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// Where a key that TOML put into `place` belongs, when it is a key of the
/// top level or of another table.
pub(super) fn misplaced(key: &str, place: Place) -> Option<String> {
    if matches!(place, Place::Top | Place::Hubs | Place::HubsPerGroup)
        || place.known().contains(&key)
    {
        return None;
    }
    let in_table = |header: &str| {
        Some(format!(
            "this key belongs in the {header} table, below its header ({TABLE_RULE})"
        ))
    };
    // At the top level `criteria` is the [[criteria]] tables; a `criteria`
    // key written as a key is the [ahp] list of criteria.
    if key == "criteria" {
        return in_table("[ahp]");
    }
    if TOP_KEYS.contains(&key) {
        return Some(format!(
            "this key belongs at the top of the file, before {} ({TABLE_RULE})",
            place.header()
        ));
    }
    [
        (Place::Constraints, "[constraints]"),
        (Place::Allocation, "[allocation]"),
        (Place::Ahp, "[ahp]"),
    ]
    .into_iter()
    .find(|(other, _)| *other != place && other.known().contains(&key))
    .and_then(|(_, header)| in_table(header))
}

/// The known key `key` probably stands for: the closest in spelling if
/// close enough to be a typo, else the only one holding every word of it
/// (`max_minutes` for `max_travel_minutes`).
pub(super) fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = (key.chars().count() / 3).clamp(1, 3);
    // Lengths further apart than the limit are further apart in spelling
    // too: skipped before the table, which a long key would make large.
    let chars = key.chars().count();
    let typo = known
        .iter()
        .filter(|k| chars.abs_diff(k.chars().count()) <= limit)
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    typo.or_else(|| {
        let words: Vec<String> = key
            .to_lowercase()
            .split('_')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        if words.len() < 2 {
            return None;
        }
        let mut holding = known.iter().filter(|k| {
            let theirs: Vec<&str> = k.split('_').collect();
            words.iter().all(|w| theirs.contains(&w.as_str()))
        });
        match (holding.next(), holding.next()) {
            (Some(k), None) => Some(*k),
            _ => None,
        }
    })
}

/// Edit distance with adjacent transpositions (optimal string alignment),
/// case-insensitive, over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// The first line each text is given on, to name both places of a repeat.
#[derive(Default)]
pub(super) struct FirstSeen(BTreeMap<String, usize>);

impl FirstSeen {
    /// The line `text` was first seen on, if it was; else records it.
    pub(super) fn repeat(&mut self, text: &str, line: usize) -> Option<usize> {
        match self.0.get(text) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(text.to_string(), line);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_spellings_are_suggested_and_far_ones_not() {
        let known = Place::Criterion.known();
        assert_eq!(did_you_mean("wieght", known), Some("weight"));
        assert_eq!(did_you_mean("feild", known), Some("field"));
        assert_eq!(did_you_mean("colour", known), None);
        assert_eq!(
            did_you_mean("max_minutes", TOP_KEYS),
            Some("max_travel_minutes")
        );
        // No key holds every word: no guess.
        assert_eq!(did_you_mean("max_limit", TOP_KEYS), None);
        assert_eq!(
            did_you_mean("max_travel_minute", TOP_KEYS),
            Some("max_travel_minutes")
        );
    }

    #[test]
    fn lines_of_offsets_inside_characters_do_not_panic() {
        let c = Checker::new("ก = 1\nข = 2\n");
        assert_eq!(c.line_at(1), 1);
        assert_eq!(c.line_at(9), 2);
        assert_eq!(c.line_at(1000), 3);
    }
}
