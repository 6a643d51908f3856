//! The workbench's scenario edits (`hubsel_serve::edit::apply`) change the
//! value they name and nothing else, in every form TOML writes a table;
//! the panel shows the hub counts the run used. Each regression test names
//! the defect of issue 21 it covers.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use hubsel::io::ReadOptions;
use hubsel::model::{HubLevel, SchoolId};
use hubsel::scenario::{ahp, AhpReport, Config, GroupBy, StrategyKind, REGION_STRATEGIES};
use hubsel_serve::edit::{apply, Edits};
use hubsel_serve::{Scenario, Workbench};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;

fn parse(text: &str) -> Config {
    hubsel::scenario::parse(text, "s.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const CRITERIA: &str = "\n[[criteria]]\nfield = \"classrooms\"\nweight = 0.5\n[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 0.5\n";

fn hubs(edits_primary: u32) -> Edits {
    Edits {
        hubs_primary: Some(edits_primary),
        ..Edits::default()
    }
}

// Issue 21, 2a: a `[hubs_per_district]` table lost `secondary` (back to 1)
// when the page changed the primary count; dotted keys broke the same way.
#[test]
fn a_hub_count_edit_keeps_the_other_count_in_a_standard_table_and_in_dotted_keys() {
    let forms = [
        "[hubs_per_district] # per district\nprimary = 1\nsecondary = 2 # two\n",
        "hubs_per_district.primary = 1\nhubs_per_district.secondary = 2 # two\n",
        "hubs_per_district = {primary = 1, secondary = 2} # two\n",
    ];
    for form in forms {
        // Top-level keys first, as TOML needs them above any header.
        let text = format!("name = \"t\"\n{form}{CRITERIA}");
        let out = apply(&text, &hubs(2)).unwrap();
        let c = parse(&out);
        assert_eq!((c.hubs_primary, c.hubs_secondary), (2, 2), "{out}");
        assert!(out.contains("# two"), "{out}");
        let mut expected = parse(&text);
        expected.hubs_primary = 2;
        assert_eq!(c.criteria, expected.criteria);
    }
}

// Issue 21, 2c: a weight edit failed on criteria written as an inline
// array, a form the CLI accepts.
#[test]
fn a_weight_edit_works_on_an_inline_array_of_criteria() {
    let text = "name = \"inline\"\ncriteria = [\n  {field = \"classrooms\", weight = 0.5}, # rooms\n  {access = \"weighted_mean_minutes\", weight = 0.5},\n]\n";
    let edits = Edits {
        weights: Some([("acc_mean".to_string(), 0.25)].into()),
        ..Edits::default()
    };
    let out = apply(text, &edits).unwrap();
    let c = parse(&out);
    let w: Vec<(String, f64)> = c.criteria.iter().map(|c| (c.key(), c.weight)).collect();
    assert_eq!(
        w,
        [
            ("classrooms".to_string(), 0.5),
            ("acc_mean".to_string(), 0.25)
        ],
        "{out}"
    );
    assert!(out.contains("# rooms"), "{out}");
}

// Issue 21, 2d: `constraints = 5` (or `[[constraints]]`) with a
// `min_students` edit panicked in edit.rs; the client got an empty reply.
#[test]
fn a_scenario_the_cli_refuses_gets_its_typed_problems_not_a_panic() {
    let edits = Edits {
        min_students: Some(100.0),
        ..Edits::default()
    };
    for text in [
        "constraints = 5\n",
        "[[constraints]]\nmin_students = 1\n",
        "constraints = [1, 2]\n",
    ] {
        let outcome = std::panic::catch_unwind(|| apply(text, &edits));
        let e = outcome
            .unwrap_or_else(|_| panic!("apply panicked on {text:?}"))
            .unwrap_err();
        let cli = hubsel::scenario::parse(text, "s.toml").unwrap_err();
        let typed = |p: &[hubsel::error::Problem]| {
            p.iter()
                .map(|p| (p.line, p.key.clone(), p.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(typed(e.problems()), typed(cli.problems()), "{text:?}");
        assert!(e
            .problems()
            .iter()
            .any(|p| p.key.as_deref() == Some("constraints") && p.line == Some(1)));
    }
}

/// The fixture province's inputs, read as `hubsel serve` reads them.
fn workbench(text: &str) -> Workbench {
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let base = Scenario {
        text: text.to_string(),
        file: "region.toml".into(),
    };
    Workbench::new(inputs, base, false).unwrap()
}

fn panel(wb: &Workbench, text: &str) -> (Value, hubsel::outcome::RunResult) {
    let s = Scenario {
        text: text.to_string(),
        file: "region.toml".into(),
    };
    let r = wb.run(&s).unwrap();
    let json: Value = serde_json::from_str(&hubsel_serve::view::run_json(&s, &r)).unwrap();
    (json["scenario"].clone(), r)
}

fn count(r: &hubsel::outcome::RunResult, level: HubLevel) -> usize {
    r.hubs.iter().filter(|h| h.level == level).count()
}

// Issue 21, 2b: with `group_by = "none"` and `hubs_per_group`, the panel
// showed 1/1 while the run used 25/0, and a count edit changed nothing in
// the run but wrote an unused `hubs_per_district` line.
#[test]
fn a_region_scenario_shows_and_edits_hubs_per_group() {
    let text = "name = \"region\"\nstrategy = \"p-median\"\ngroup_by = \"none\"\nhubs_per_group = { primary = 5, secondary = 0 } # the region\nmax_travel_minutes = 45\n";
    let wb = workbench(text);
    let (shown, r) = panel(&wb, text);
    assert_eq!(
        (count(&r, HubLevel::Primary), count(&r, HubLevel::Secondary)),
        (5, 0)
    );
    assert_eq!(
        (&shown["hubs_primary"], &shown["hubs_secondary"]),
        (&Value::from(5), &Value::from(0))
    );
    assert_eq!(shown["hubs"]["key"], "hubs_per_group");

    let out = apply(text, &hubs(3)).unwrap();
    assert!(!out.contains("hubs_per_district"), "{out}");
    assert!(
        out.contains("hubs_per_group = { primary = 3, secondary = 0 } # the region"),
        "{out}"
    );
    let (shown, r) = panel(&wb, &out);
    assert_eq!(
        (count(&r, HubLevel::Primary), count(&r, HubLevel::Secondary)),
        (3, 0)
    );
    assert_eq!(shown["hubs_primary"], 3);

    // Without hubs_per_group the whole run gets hubs_per_district for each
    // of its 25 districts: the panel says so, and one count alone cannot
    // write hubs_per_group (the other is not one number per group).
    let bare = "strategy = \"p-median\"\ngroup_by = \"none\"\nhubs_per_district = { primary = 1, secondary = 0 }\n";
    let (shown, r) = panel(&wb, bare);
    let districts = r.districts.len();
    assert_eq!(count(&r, HubLevel::Primary), districts);
    assert_eq!(
        (&shown["hubs_primary"], &shown["hubs_secondary"]),
        (&Value::from(districts), &Value::from(0))
    );
    assert_eq!(shown["hubs"]["given"], false);
    let e = apply(bare, &hubs(3)).unwrap_err();
    assert_eq!(e.problems()[0].key.as_deref(), Some("hubs_per_group"));
    let both = Edits {
        hubs_primary: Some(3),
        hubs_secondary: Some(0),
        ..Edits::default()
    };
    let out = apply(bare, &both).unwrap();
    assert_eq!(parse(&out).hubs_per_group, Some((3, 0)));
    assert!(out.contains("hubs_per_district = { primary = 1, secondary = 0 }"));
    assert_eq!(count(&panel(&wb, &out).1, HubLevel::Primary), 3);
}

#[test]
fn edits_the_scenario_cannot_run_are_typed_problems() {
    let region = "strategy = \"p-median\"\ngroup_by = \"province\"\n";
    let e = apply(
        region,
        &Edits {
            strategy: Some("score".into()),
            ..Edits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].key.as_deref(), Some("group_by"));
    let text = format!("name = \"t\"{CRITERIA}");
    let e = apply(
        &text,
        &Edits {
            required_hubs: Some(vec!["A".into()]),
            excluded_hubs: Some(vec!["A".into()]),
            ..Edits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].key.as_deref(), Some("excluded_hubs"));
    let e = apply(
        &text,
        &Edits {
            ahp_matrix: Some(vec![vec![1.0]]),
            ..Edits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].key.as_deref(), Some("ahp.matrix"));
}

#[test]
fn an_absent_table_is_added_in_the_form_that_fits_the_file() {
    let edits = Edits {
        min_students: Some(120.0),
        hubs_secondary: Some(2),
        ..Edits::default()
    };
    let out = apply(&format!("name = \"t\"{CRITERIA}"), &edits).unwrap();
    assert!(
        out.ends_with("[constraints]\nmin_students = 120\n"),
        "{out}"
    );
    assert!(
        out.starts_with("name = \"t\"\nhubs_per_district = { secondary = 2 }\n"),
        "{out}"
    );
    let inline = "criteria = [{field = \"classrooms\", weight = 1}]\n";
    let out = apply(inline, &edits).unwrap();
    assert!(
        out.contains("constraints = { min_students = 120 }"),
        "{out}"
    );
    assert!(!out.contains("[constraints]"), "{out}");
}

// ---- the property: every form × every edit the page offers ----

/// How a table is written.
#[derive(Clone, Copy, Debug)]
enum Form {
    Standard,
    Dotted,
    Inline,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![Just(Form::Standard), Just(Form::Dotted), Just(Form::Inline)]
}

/// A `{ primary, secondary }` table: its form and the counts written.
type Counts = (Form, Option<u32>, Option<u32>);

/// A generated scenario: its pieces, written in the forms chosen.
#[derive(Clone, Debug)]
struct Gen {
    name: Option<usize>,
    strategy: Option<usize>,
    /// `group_by` = province (true) or none, with `hubs_per_group` keys.
    region: Option<(bool, Option<Counts>)>,
    hubs: Option<Counts>,
    max_travel: Option<u32>,
    /// Per id of [`IDS`]: 0 none, 1 required, 2 excluded; ids as numbers.
    ids: Vec<u8>,
    bare_ids: bool,
    /// Criteria: (index in [`POOL`], weight, transform) in file order.
    criteria: Vec<(usize, f64, bool)>,
    inline_criteria: bool,
    /// An `[ahp]` table in this form with these integer priorities.
    ahp: Option<(Form, Vec<u32>)>,
    constraints: Option<(Form, Option<f64>, bool)>,
    comments: bool,
    /// Order of the top-level lines and of the tables.
    order: u64,
}

const NAMES: [&str; 3] = ["plan", "แผน ก", "say \"hi\""];
const IDS: [&str; 5] = ["50010001", "50010002", "S1", "S2", "โรงเรียน3"];
const POOL: [(&str, &str); 7] = [
    ("field", "classrooms"),
    ("field", "teachers"),
    ("field", "land_rai"),
    ("field", "internet"),
    ("access", "weighted_mean_minutes"),
    ("access", "share_within_limit"),
    ("access", "max_minutes"),
];
const ACCESS_KEYS: [(&str, &str); 3] = [
    ("weighted_mean_minutes", "acc_mean"),
    ("share_within_limit", "acc_share"),
    ("max_minutes", "acc_max"),
];

fn key_of(pool: usize) -> String {
    let (kind, name) = POOL[pool];
    if kind == "field" {
        name.to_string()
    } else {
        ACCESS_KEYS
            .iter()
            .find(|(a, _)| *a == name)
            .unwrap()
            .1
            .to_string()
    }
}

fn counts() -> impl Strategy<Value = Counts> {
    (
        form(),
        proptest::option::of(0u32..4),
        proptest::option::of(0u32..4),
    )
}

fn scenario() -> impl Strategy<Value = Gen> {
    (
        (
            proptest::option::of(0..NAMES.len()),
            proptest::option::of(0usize..7),
            proptest::option::of((any::<bool>(), proptest::option::of(counts()))),
            proptest::option::of(counts()),
            proptest::option::of(1u32..600),
            proptest::collection::vec(0u8..3, IDS.len()),
            any::<bool>(),
        ),
        (
            Just((0..POOL.len()).collect::<Vec<usize>>()).prop_shuffle(),
            1usize..5,
            proptest::collection::vec((1u32..100, any::<bool>()), 5),
            any::<bool>(),
            proptest::option::of((form(), proptest::collection::vec(1u32..10, 5))),
            proptest::option::of((form(), proptest::option::of(0u32..400), any::<bool>())),
            any::<bool>(),
            any::<u64>(),
        ),
    )
        .prop_map(|(a, b)| {
            let (name, strategy, region, hubs, max_travel, ids, bare_ids) = a;
            let (pool, n, weights, inline_criteria, ahp, constraints, comments, order) = b;
            let criteria = pool[..n]
                .iter()
                .zip(&weights)
                .map(|(&p, &(w, t))| (p, f64::from(w) / 100.0, t))
                .collect();
            Gen {
                name,
                strategy,
                region,
                hubs,
                max_travel,
                ids,
                bare_ids,
                criteria,
                inline_criteria,
                ahp: ahp.map(|(f, w)| (f, w[..n].to_vec())),
                constraints: constraints.map(|(f, m, e)| (f, m.map(|m| f64::from(m) / 4.0), e)),
                comments,
                order,
            }
        })
}

/// The strategies a scenario may name: the location models for a region.
fn strategies(region: bool) -> Vec<StrategyKind> {
    if region {
        REGION_STRATEGIES.to_vec()
    } else {
        StrategyKind::ALL.to_vec()
    }
}

/// The lines of a table `name` with `entries` in `form`: top-level lines
/// (each on its own, so they may be shuffled among the others) or one
/// section under a header.
fn table(
    name: &str,
    entries: &[(String, String)],
    form: Form,
    top: &mut Vec<String>,
    sections: &mut Vec<String>,
) {
    match form {
        Form::Inline => {
            let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            top.push(format!("{name} = {{ {} }}", inner.join(", ")));
        }
        Form::Dotted => top.extend(entries.iter().map(|(k, v)| format!("{name}.{k} = {v}"))),
        Form::Standard => {
            let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            sections.push(format!("[{name}]\n{}", body.join("\n")));
        }
    }
}

fn count_entries(p: Option<u32>, s: Option<u32>) -> Vec<(String, String)> {
    [("primary", p), ("secondary", s)]
        .into_iter()
        .filter_map(|(k, n)| Some((k.to_string(), n?.to_string())))
        .collect()
}

/// A consistent pairwise matrix of integer priorities: entries whole
/// numbers or fractions written as text ("2/3").
fn ahp_rows(w: &[u32]) -> String {
    let rows: Vec<String> = w
        .iter()
        .map(|a| {
            let cells: Vec<String> = w
                .iter()
                .map(|b| {
                    if a % b == 0 {
                        (a / b).to_string()
                    } else {
                        format!("\"{a}/{b}\"")
                    }
                })
                .collect();
            format!("[{}]", cells.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

impl Gen {
    fn is_region(&self) -> bool {
        self.region.is_some()
    }

    fn text(&self) -> String {
        let mut top = Vec::new();
        let mut sections = Vec::new();
        if let Some(n) = self.name {
            top.push(format!("name = {}", toml_edit::Value::from(NAMES[n])));
        }
        let strategy = match (self.strategy, self.is_region()) {
            (Some(i), r) => Some(strategies(r)[i % strategies(r).len()]),
            (None, true) => Some(StrategyKind::PMedian),
            (None, false) => None,
        };
        if let Some(s) = strategy {
            top.push(format!("strategy = \"{}\"", s.as_str()));
        }
        if let Some((province, per_group)) = self.region {
            top.push(format!(
                "group_by = \"{}\"",
                if province { "province" } else { "none" }
            ));
            if let Some((f, p, s)) = per_group {
                table(
                    "hubs_per_group",
                    &count_entries(p, s),
                    f,
                    &mut top,
                    &mut sections,
                );
            }
        }
        if let Some((f, p, s)) = self.hubs {
            table(
                "hubs_per_district",
                &count_entries(p, s),
                f,
                &mut top,
                &mut sections,
            );
        }
        if let Some(m) = self.max_travel {
            top.push(format!("max_travel_minutes = {m}"));
        }
        for (list, mark) in [("required_hubs", 1), ("excluded_hubs", 2)] {
            let ids: Vec<String> = IDS
                .iter()
                .zip(&self.ids)
                .filter(|(_, &m)| m == mark)
                .map(|(id, _)| {
                    if self.bare_ids && id.chars().all(|c| c.is_ascii_digit()) {
                        id.to_string()
                    } else {
                        format!("\"{id}\"")
                    }
                })
                .collect();
            if !ids.is_empty() {
                top.push(format!("{list} = [{}]", ids.join(", ")));
            }
        }
        let criteria: Vec<Vec<(String, String)>> = self
            .criteria
            .iter()
            .map(|&(p, w, t)| {
                let (kind, name) = POOL[p];
                let mut e = vec![(kind.to_string(), format!("\"{name}\""))];
                if self.ahp.is_none() {
                    e.push(("weight".into(), format!("{w:?}")));
                }
                if t && kind == "field" {
                    e.push(("transform".into(), "\"log\"".into()));
                }
                e
            })
            .collect();
        if self.inline_criteria {
            let items: Vec<String> = criteria
                .iter()
                .map(|e| {
                    let kv: Vec<String> = e.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    format!("  {{{}}},", kv.join(", "))
                })
                .collect();
            top.push(format!("criteria = [\n{}\n]", items.join("\n")));
        } else {
            for e in &criteria {
                let kv: Vec<String> = e.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                sections.push(format!("[[criteria]]\n{}", kv.join("\n")));
            }
        }
        if let Some((f, w)) = &self.ahp {
            let keys: Vec<String> = self
                .criteria
                .iter()
                .map(|&(p, _, _)| format!("\"{}\"", key_of(p)))
                .collect();
            let entries = vec![
                ("criteria".to_string(), format!("[{}]", keys.join(", "))),
                ("matrix".to_string(), ahp_rows(w)),
            ];
            table("ahp", &entries, *f, &mut top, &mut sections);
        }
        if let Some((f, m, exclude)) = self.constraints {
            let mut entries = Vec::new();
            if exclude {
                entries.push(("exclude_if".to_string(), "[\"highland\"]".to_string()));
            }
            if let Some(m) = m {
                entries.push(("min_students".to_string(), format!("{m:?}")));
            }
            if !entries.is_empty() {
                table("constraints", &entries, f, &mut top, &mut sections);
            }
        }
        shuffle(&mut top, self.order);
        shuffle(&mut sections, self.order >> 32);
        let mut n = 0;
        let mut comment = |line: &str| {
            n += 1;
            if !self.comments {
                return line.to_string();
            }
            match n % 3 {
                0 => format!("# c{n} above\n{line}"),
                1 => format!("{line} # c{n}"),
                _ => line.to_string(),
            }
        };
        let mut text = String::new();
        for line in &top {
            text.push_str(&comment(line));
            text.push('\n');
        }
        for s in &sections {
            let mut lines = s.lines();
            // A comment after a header, then its key lines.
            if let Some(header) = lines.next() {
                text.push('\n');
                text.push_str(&comment(header));
                text.push('\n');
            }
            for line in lines {
                text.push_str(&comment(line));
                text.push('\n');
            }
        }
        text
    }
}

/// A deterministic shuffle by `seed` (a small LCG), so that a failing case
/// shrinks with its order.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, (x >> 33) as usize % (i + 1));
    }
}

/// The edits the page offers, as generated; mapped onto the scenario (its
/// criteria, its strategies) by [`edits_for`].
#[derive(Clone, Debug)]
struct GenEdits {
    name: Option<usize>,
    strategy: Option<usize>,
    weights: Option<Vec<(usize, u32)>>,
    ahp: Option<Vec<u32>>,
    max_travel: Option<(u32, bool)>,
    hubs_primary: Option<u32>,
    hubs_secondary: Option<u32>,
    min_students: Option<(u32, bool)>,
    /// Per id of [`IDS`]: 0 none, 1 required, 2 excluded; and which lists
    /// the edit sets.
    ids: Vec<u8>,
    lists: (bool, bool),
}

fn edits() -> impl Strategy<Value = GenEdits> {
    (
        (
            proptest::option::of(0..NAMES.len()),
            proptest::option::of(0usize..7),
            proptest::option::of(proptest::collection::vec((0usize..5, 0u32..1000), 1..4)),
            proptest::option::of(proptest::collection::vec(1u32..10, 5)),
            proptest::option::of((1u32..600, any::<bool>())),
        ),
        (
            proptest::option::of(0u32..6),
            proptest::option::of(0u32..6),
            proptest::option::of((0u32..500, any::<bool>())),
            proptest::collection::vec(0u8..3, IDS.len()),
            (any::<bool>(), any::<bool>()),
        ),
    )
        .prop_map(|(a, b)| GenEdits {
            name: a.0,
            strategy: a.1,
            weights: a.2,
            ahp: a.3,
            max_travel: a.4,
            hubs_primary: b.0,
            hubs_secondary: b.1,
            min_students: b.2,
            ids: b.3,
            lists: b.4,
        })
}

fn ids_marked(ids: &[u8], mark: u8) -> Vec<String> {
    IDS.iter()
        .zip(ids)
        .filter(|(_, &m)| m == mark)
        .map(|(id, _)| id.to_string())
        .collect()
}

/// The page's edits for the scenario `g`: weights of its own criteria
/// (a scenario weighted by `[ahp]` gets a matrix instead), strategies it
/// may name.
fn edits_for(g: &Gen, e: &GenEdits) -> Edits {
    let n = g.criteria.len();
    let (weights, ahp_matrix) = if g.ahp.is_some() {
        let m = e.ahp.as_ref().map(|w| {
            let w = &w[..n];
            w.iter()
                .map(|&a| w.iter().map(|&b| f64::from(a) / f64::from(b)).collect())
                .collect()
        });
        (None, m)
    } else {
        let w = e.weights.as_ref().map(|ws| {
            ws.iter()
                // A positive weight: all zero is refused under `score`.
                .map(|&(i, w)| (key_of(g.criteria[i % n].0), f64::from(w + 1) / 1000.0))
                .collect()
        });
        (w, None)
    };
    let real = |(x, frac): (u32, bool)| f64::from(x) + if frac { 0.25 } else { 0.0 };
    Edits {
        name: e.name.map(|i| NAMES[i].to_string()),
        strategy: e.strategy.map(|i| {
            let s = strategies(g.is_region());
            s[i % s.len()].as_str().to_string()
        }),
        weights,
        ahp_matrix,
        max_travel_minutes: e.max_travel.map(real),
        hubs_primary: e.hubs_primary,
        hubs_secondary: e.hubs_secondary,
        min_students: e.min_students.map(real),
        required_hubs: e.lists.0.then(|| ids_marked(&e.ids, 1)),
        excluded_hubs: e.lists.1.then(|| ids_marked(&e.ids, 2)),
    }
}

/// The original config with exactly the change `edits` names, made by
/// field; `None` when the scenario cannot take it (an id both required
/// and excluded, one hub count for a region without `hubs_per_group`).
fn expected(original: &Config, edits: &Edits) -> Option<Config> {
    let mut c = original.clone();
    if let Some(n) = &edits.name {
        c.name = n.clone();
    }
    if let Some(s) = &edits.strategy {
        c.strategy = StrategyKind::parse(s).unwrap();
    }
    if let Some(m) = edits.max_travel_minutes {
        c.max_travel_min = m;
    }
    let (p, s) = (
        edits.hubs_primary.map(|n| n as usize),
        edits.hubs_secondary.map(|n| n as usize),
    );
    if p.is_some() || s.is_some() {
        if c.group_by == GroupBy::District {
            c.hubs_primary = p.unwrap_or(c.hubs_primary);
            c.hubs_secondary = s.unwrap_or(c.hubs_secondary);
        } else {
            c.hubs_per_group = match (c.hubs_per_group, p, s) {
                (Some((a, b)), p, s) => Some((p.unwrap_or(a), s.unwrap_or(b))),
                (None, Some(p), Some(s)) => Some((p, s)),
                (None, _, _) => return None,
            };
        }
    }
    if let Some(n) = edits.min_students {
        c.constraints.min_students = n;
    }
    let set = |ids: &[String]| {
        ids.iter()
            .map(|i| SchoolId(i.clone()))
            .collect::<BTreeSet<_>>()
    };
    if let Some(ids) = &edits.required_hubs {
        c.required_hubs = set(ids);
    }
    if let Some(ids) = &edits.excluded_hubs {
        c.excluded_hubs = set(ids);
    }
    if c.required_hubs
        .intersection(&c.excluded_hubs)
        .next()
        .is_some()
    {
        return None;
    }
    if let Some(w) = &edits.weights {
        for cr in &mut c.criteria {
            if let Some(&x) = w.get(&cr.key()) {
                cr.weight = x;
            }
        }
    }
    if let Some(m) = &edits.ahp_matrix {
        let report = c.ahp.clone().unwrap();
        let result = ahp::ahp(m).unwrap();
        for cr in &mut c.criteria {
            let i = report.criteria.iter().position(|k| *k == cr.key()).unwrap();
            cr.weight = result.weights[i];
        }
        c.ahp = Some(AhpReport {
            ahp: result,
            ..report
        });
    }
    Some(c)
}

/// Everything a config says but the lines its messages cite (an added
/// key moves the lines below it), field by field.
fn said(c: &Config) -> Vec<String> {
    let Config {
        name,
        strategy,
        seed,
        hubs_primary,
        hubs_secondary,
        group_by,
        hubs_per_group,
        max_travel_min,
        search_cutoff_min,
        offroad_speed_kmh,
        max_snap_m,
        weights,
        small_component_junctions,
        required_hubs,
        excluded_hubs,
        criteria,
        constraints,
        allocation,
        speeds,
        source,
        ahp,
        levels,
        notes,
        adapts_to_data,
        ..
    } = c;
    let criteria: Vec<_> = criteria
        .iter()
        .map(|cr| {
            let mut cr = cr.clone();
            cr.line = 0;
            cr
        })
        .collect();
    vec![
        format!("{name:?} {strategy:?} {seed} {hubs_primary} {hubs_secondary} {group_by:?} {hubs_per_group:?}"),
        format!("{max_travel_min:?} {search_cutoff_min:?} {offroad_speed_kmh:?} {max_snap_m:?} {weights:?} {small_component_junctions}"),
        format!("{required_hubs:?} {excluded_hubs:?}"),
        format!("{criteria:?}"),
        format!("{constraints:?} {allocation:?} {speeds:?} {source} {levels:?} {notes:?} {adapts_to_data}"),
        format!("{ahp:?}"),
    ]
}

/// Words on the lines an edit may rewrite.
fn touched(edits: &Edits) -> Vec<&'static str> {
    let mut words = Vec::new();
    let mut add = |on: bool, w: &[&'static str]| {
        if on {
            words.extend_from_slice(w);
        }
    };
    add(edits.name.is_some(), &["name ="]);
    add(edits.strategy.is_some(), &["strategy ="]);
    add(edits.max_travel_minutes.is_some(), &["max_travel_minutes"]);
    add(
        edits.hubs_primary.is_some() || edits.hubs_secondary.is_some(),
        &["hubs_per", "primary", "secondary"],
    );
    add(
        edits.min_students.is_some(),
        &["min_students", "constraints"],
    );
    add(edits.required_hubs.is_some(), &["required_hubs"]);
    add(edits.excluded_hubs.is_some(), &["excluded_hubs"]);
    add(edits.weights.is_some(), &["weight"]);
    add(edits.ahp_matrix.is_some(), &["matrix"]);
    words
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_edit_in_every_form_changes_exactly_what_it_names(g in scenario(), e in edits()) {
        let text = g.text();
        let original = hubsel::scenario::parse(&text, "s.toml");
        prop_assert!(original.is_ok(), "the generated scenario is refused: {:?}\n{}", original.err().map(|e| e.to_string()), text);
        let original = original.unwrap();
        let edits = edits_for(&g, &e);
        let out = apply(&text, &edits);
        match expected(&original, &edits) {
            None => prop_assert!(out.is_err(), "{:?} on\n{}\ngave\n{:?}", edits, text, out),
            Some(want) => {
                let out = out.map_err(|e| TestCaseError::fail(format!("{e}\n{edits:?}\n{text}")))?;
                let got = parse(&out);
                prop_assert_eq!(said(&got), said(&want), "{:?}\n{}\n---\n{}", edits, text, out);
                // Every comment stays, and every line no edit names.
                let words = touched(&edits);
                for line in text.lines() {
                    let comment = line.find(" # ").map(|i| &line[i..]).or(line.starts_with('#').then_some(line));
                    if let Some(c) = comment {
                        prop_assert!(out.contains(c), "comment {:?} lost\n{}\n---\n{}", c, text, out);
                    }
                    if !words.iter().any(|w| line.contains(w)) {
                        prop_assert!(out.lines().any(|l| l == line), "line {:?} changed\n{:?}\n{}\n---\n{}", line, edits, text, out);
                    }
                }
                // An edit that adds no line keeps every line where it was:
                // the lines no edit names come out in the original order
                // (toml_edit alone would regroup interleaved dotted keys).
                if out.lines().count() == text.lines().count() {
                    let mut rest = out.lines();
                    for line in text.lines().filter(|l| !words.iter().any(|w| l.contains(w))) {
                        prop_assert!(rest.any(|l| l == line), "line {:?} moved\n{:?}\n{}\n---\n{}", line, edits, text, out);
                    }
                }
                // The same edits again change nothing.
                prop_assert_eq!(apply(&out, &edits).ok(), Some(out.clone()));
            }
        }
    }
}

#[test]
fn the_generator_writes_every_form() {
    // The property's scenarios: each form of each table, comments and
    // shuffles, all accepted by the CLI (checked on a fixed sample here,
    // on every generated case in the property).
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = BTreeMap::new();
    for _ in 0..200 {
        let g = scenario().new_tree(&mut runner).unwrap().current();
        let text = g.text();
        parse(&text);
        for (what, on) in [
            ("[hubs_per_district]", text.contains("[hubs_per_district]")),
            ("hubs_per_district.", text.contains("hubs_per_district.")),
            (
                "hubs_per_district = {",
                text.contains("hubs_per_district = {"),
            ),
            ("[[criteria]]", text.contains("[[criteria]]")),
            ("criteria = [", text.contains("criteria = [\n")),
            ("[ahp]", text.contains("[ahp]")),
            ("ahp.", text.contains("ahp.matrix")),
            ("ahp = {", text.contains("ahp = {")),
            ("[constraints]", text.contains("[constraints]")),
            ("constraints.", text.contains("constraints.")),
            ("constraints = {", text.contains("constraints = {")),
            ("hubs_per_group", text.contains("hubs_per_group")),
            ("# c", text.contains("# c")),
        ] {
            *seen.entry(what).or_insert(0) += usize::from(on);
        }
    }
    assert!(seen.values().all(|&n| n > 5), "{seen:?}");
}
