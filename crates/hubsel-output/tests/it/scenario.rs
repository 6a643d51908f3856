//! The scenario file: holes in its checks, fields converted by GIS tools,
//! and the shipped default adapting to the data while an explicit scenario
//! stays strict. The tests of findings are written against the stable
//! entry points (`scenario::parse`, `io::load`, `pipeline::run`) so that
//! they ran, and failed, on the code before the fix.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{load, refused, run_refused, BARE_CSV, CUT_CSV};
use hubsel::error::ErrorKind;
use hubsel::pipeline;
use hubsel::progress::Silent;
use hubsel::scenario;

/// Names the serde and Rust types that messages must never show.
fn assert_in_words(msg: &str) {
    for internal in [
        "f64",
        "i64",
        "u64",
        "Raw",
        "invalid type",
        "expected a",
        "String",
    ] {
        assert!(!msg.contains(internal), "{internal:?} in: {msg}");
    }
}

const AHP_3: &str = r#"[[criteria]]
field = "classrooms"
[[criteria]]
field = "land_rai"
[[criteria]]
access = "weighted_mean_minutes"

[ahp]
criteria = ["classrooms", "land_rai", "acc_mean"]
"#;

/// Finding: an [ahp] matrix smaller than its criteria list made the parser
/// index past the weights (a panic); a larger one was accepted and the
/// weights no longer summed to 1.
#[test]
fn an_ahp_matrix_of_another_size_than_its_criteria_is_refused_naming_both() {
    let small = format!("{AHP_3}matrix = [[1, 2], [\"1/2\", 1]]\n");
    let msg = refused(&small);
    assert!(
        msg.contains(
            "line 10: `ahp.matrix`: the matrix has 2 rows but `ahp.criteria` lists 3 criteria"
        ),
        "{msg}"
    );
    let two = "[[criteria]]\nfield = \"classrooms\"\n[[criteria]]\naccess = \"weighted_mean_minutes\"\n\n[ahp]\ncriteria = [\"classrooms\", \"acc_mean\"]\nmatrix = [[1, 2, 4], [\"1/2\", 1, 2], [\"1/4\", \"1/2\", 1]]\n";
    let msg = refused(two);
    assert!(
        msg.contains(
            "line 8: `ahp.matrix`: the matrix has 3 rows but `ahp.criteria` lists 2 criteria"
        ),
        "{msg}"
    );
    let ragged = format!("{AHP_3}matrix = [[1, 2, 1], [\"1/2\", 1], [1, 1, 1]]\n");
    let msg = refused(&ragged);
    assert!(
        msg.contains("`ahp.matrix`: row 2 has 2 entries but `ahp.criteria` lists 3 criteria"),
        "{msg}"
    );
}

/// Finding: a criterion listed twice in [ahp] took one row's weight and
/// left the other unused (weights summing below 1); two [[criteria]] on the
/// same field were both scored.
#[test]
fn duplicate_criteria_are_refused_naming_the_duplicate_and_its_line() {
    let text = r#"[[criteria]]
field = "classrooms"
[[criteria]]
field = "land_rai"
[[criteria]]
access = "weighted_mean_minutes"

[ahp]
criteria = ["classrooms",
            "classrooms",
            "land_rai",
            "acc_mean"]
matrix = [[1, 1, 2, "1/2"], [1, 1, 2, "1/2"], ["1/2", "1/2", 1, "1/4"], [2, 2, 4, 1]]
"#;
    let msg = refused(text);
    assert!(
        msg.contains("line 10: `ahp.criteria`: \"classrooms\" is listed twice (first on line 9)"),
        "{msg}"
    );

    let text = "[[criteria]]\nfield = \"classrooms\"\nweight = 1\n[[criteria]]\nfield = \"classrooms\"\nweight = 2\n";
    let msg = refused(text);
    assert!(
        msg.contains("line 5: `field`: the criterion \"classrooms\" is already given on line 2"),
        "{msg}"
    );
    let text = "[[criteria]]\naccess = \"max_minutes\"\nweight = 1\n[[criteria]]\naccess = \"max_minutes\"\nweight = 2\n";
    let msg = refused(text);
    assert!(
        msg.contains("line 5: `access`: the criterion \"acc_max\" is already given on line 2"),
        "{msg}"
    );
}

/// Finding: the cutoff ≥ travel limit check ran only when the cutoff was
/// written, so a limit beyond the default cutoff of a day passed.
#[test]
fn a_travel_limit_beyond_the_default_cutoff_is_refused() {
    let msg = refused("name = \"x\"\nmax_travel_minutes = 2000\n");
    assert!(
        msg.contains("line 2: `max_travel_minutes`: must be at most search_cutoff_minutes (1440, the default)"),
        "{msg}"
    );
    let msg = refused("max_travel_minutes = 60\nsearch_cutoff_minutes = 30\n");
    assert!(
        msg.contains("line 2: `search_cutoff_minutes`: must be at least max_travel_minutes (60)"),
        "{msg}"
    );
    assert!(scenario::parse(
        "max_travel_minutes = 2000\nsearch_cutoff_minutes = 3000\n",
        "s.toml"
    )
    .is_ok());
}

/// Finding: unknown keys stopped at the first one, in serde's format
/// ("unknown field `x`, expected one of …") unlike the other problems.
#[test]
fn every_unknown_key_is_reported_at_once_with_its_line_and_the_known_keys() {
    let text = r#"name = "x"
max_minutes = 30
strategy = "p-median"

[[criteria]]
field = "classrooms"
wieght = 1

[constraints]
min_student = 120
"#;
    let msg = refused(text);
    assert!(
        msg.contains("line 2: `max_minutes`: unknown key in the top level of the file (did you mean `max_travel_minutes`?); its keys are: name, description, strategy"),
        "{msg}"
    );
    assert!(
        msg.contains("line 7: `wieght`: unknown key in a [[criteria]] table (did you mean `weight`?); its keys are: field, access, weight, direction, normalize, transform"),
        "{msg}"
    );
    assert!(
        msg.contains("line 10: `constraints.min_student`: unknown key in the [constraints] table (did you mean `min_students`?)"),
        "{msg}"
    );
    // The criterion's weight is missing because of `wieght`: that line
    // says so; no second problem of its own.
    assert!(!msg.contains("needs a weight"), "{msg}");
    // In line order, one per line.
    let lines: Vec<&str> = msg.lines().collect();
    assert_eq!(lines.len(), 3, "{msg}");
    assert_in_words(&msg);
}

/// New-user point 6 (issue 22): the README's scenario-errors example
/// listed, besides the misspelled `wieght`, what follows from it as if it
/// were a problem of its own (`weight`: each criterion needs a weight;
/// and, before 2c0e7c5, `criteria`: all weights are zero). A problem that
/// follows from a misspelled key is not reported again.
#[test]
fn what_follows_from_a_misspelled_key_is_not_reported_as_its_own_problem() {
    // The README's example, line for line.
    let text = r#"strategy = "best"

[[criteria]]
field = "classrooms"
wieght = 0.5
max_travel_minutes = 30
"#;
    let msg = refused(text);
    let lines: Vec<&str> = msg.lines().collect();
    assert_eq!(lines.len(), 3, "{msg}");
    assert!(lines[0].contains("line 1: `strategy`: unknown strategy"), "{msg}");
    assert!(lines[1].contains("line 5: `wieght`: unknown key in a [[criteria]] table (did you mean `weight`?)"), "{msg}");
    assert!(lines[2].contains("line 6: `max_travel_minutes`: is not a key of a [[criteria]] table"), "{msg}");

    // Every weight misspelled under the score strategy: not "all weights
    // are zero" either.
    let text = r#"strategy = "score"

[[criteria]]
field = "classrooms"
weigth = 0.5

[[criteria]]
field = "teachers"
wieght = 0.5
"#;
    let msg = refused(text);
    assert!(!msg.contains("all weights are zero"), "{msg}");
    assert!(!msg.contains("needs a weight"), "{msg}");
    assert_eq!(msg.lines().count(), 2, "{msg}");

    // A misspelled `field`: the criterion's missing measure follows from it.
    let msg = refused("[[criteria]]\nfeild = \"classrooms\"\nweight = 1\n");
    assert!(msg.contains("line 2: `feild`: unknown key in a [[criteria]] table (did you mean `field`?)"), "{msg}");
    assert!(!msg.contains("needs a `field` or an `access` key"), "{msg}");
    assert_eq!(msg.lines().count(), 1, "{msg}");

    // Without a misspelling, a missing weight or measure is still its own
    // problem, and so are all-zero weights.
    let msg = refused("[[criteria]]\nfield = \"classrooms\"\ncolour = 1\n");
    assert!(msg.contains("line 1: `weight`: each criterion needs a weight"), "{msg}");
    let msg = refused("[[criteria]]\nweight = 1\n");
    assert!(msg.contains("a criterion needs a `field` or an `access` key"), "{msg}");
    let msg = refused("[[criteria]]\nfield = \"classrooms\"\nweight = 0\n");
    assert!(msg.contains("`criteria`: all weights are zero"), "{msg}");
}

/// Finding: a key written after a [[criteria]] block is put into that
/// criterion by TOML; the message did not say why it was unknown there.
#[test]
fn a_key_toml_put_into_a_criteria_table_says_where_it_belongs() {
    let text = r#"name = "x"

[[criteria]]
field = "classrooms"
weight = 1
max_travel_minutes = 30
min_students = 120
"#;
    let msg = refused(text);
    assert!(
        msg.contains("line 6: `max_travel_minutes`: is not a key of a [[criteria]] table: this key belongs at the top of the file, before the first [[criteria]] table (TOML puts every key after a table header into that table)"),
        "{msg}"
    );
    assert!(
        msg.contains("line 7: `min_students`: is not a key of a [[criteria]] table: this key belongs in the [constraints] table"),
        "{msg}"
    );
    // Below [speeds_kmh] a scenario key would silently become a road class.
    let text = "[speeds_kmh]\nprimary = 80\nmax_travel_minutes = 30\n";
    let msg = refused(text);
    assert!(
        msg.contains("line 3: `speeds_kmh.max_travel_minutes`: is not a key of the [speeds_kmh] table: this key belongs at the top of the file"),
        "{msg}"
    );
}

/// Finding: type errors named Rust and serde types (`invalid type:
/// string "45", expected f64`, `RawHubs`, `i64`).
#[test]
fn wrong_types_are_said_in_words() {
    let text = r#"max_travel_minutes = "45"
hubs_per_district = 2
seed = 1.5
required_hubs = "50010123"

[[criteria]]
field = "classrooms"
weight = "heavy"

[constraints]
exclude_if = "highland"

[allocation]
cross_district = "yes"
"#;
    let msg = refused(text);
    for want in [
        "line 1: `max_travel_minutes`: must be a number, got the text \"45\" (write numbers without quotes)",
        "line 2: `hubs_per_district`: must be a table like { primary = 1, secondary = 1 }, got the whole number 2",
        "line 3: `seed`: must be a whole number, got the number 1.5",
        "line 4: `required_hubs`: must be a list like [\"a\", \"b\"], got the text \"50010123\"",
        "line 8: `weight`: must be a number, got the text \"heavy\"",
        "line 11: `constraints.exclude_if`: must be a list like",
        "line 14: `allocation.cross_district`: must be true or false, got the text \"yes\"",
    ] {
        assert!(msg.contains(want), "missing {want:?} in:\n{msg}");
    }
    assert_in_words(&msg);
    let msg = refused("hubs_per_district = { primary = \"1\", secondary = -2 }\n");
    assert!(
        msg.contains("`hubs_per_district.primary`: must be a whole number, got the text \"1\""),
        "{msg}"
    );
    assert!(
        msg.contains(
            "`hubs_per_district.secondary`: must be a whole number from 0 to 1000, got -2"
        ),
        "{msg}"
    );
    assert_in_words(&msg);
}

/// Finding: TOML syntax errors came in another format than the other
/// problems and only the first was told.
#[test]
fn syntax_errors_are_all_told_with_their_lines() {
    let text = "name = \"x\nstrategy = \"score\"\n[[criteria]]\nfield = classrooms\nweight = 1\nweight = 2\n";
    let err = scenario::parse(text, "s.toml").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("line 1: TOML syntax: "), "{msg}");
    assert!(msg.contains("line 4: TOML syntax: "), "{msg}");
    assert!(
        msg.contains("line 6: TOML syntax: duplicate key (at `weight`)"),
        "{msg}"
    );
    assert!(msg.contains("reading stopped"), "{msg}");
    assert_eq!(err.line(), Some(1));
}

/// Finding: a shapefile written by GDAL cuts `language_teachers` to
/// `language_t`, and the scenario refused the converted data.
#[test]
fn a_field_cut_to_ten_characters_by_a_dbf_is_read_from_its_cut_name() {
    let text = "name = \"cut\"\n[[criteria]]\nfield = \"language_teachers\"\nweight = 1\n[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 1\n";
    let config = scenario::parse(text, "cut.toml").unwrap();
    let result = pipeline::run(load(CUT_CSV), &config, &Silent).unwrap();
    let fields: Vec<String> = result.config.criteria.iter().map(|c| c.key()).collect();
    assert_eq!(fields, ["language_t", "acc_mean"]);
    // The criterion is scored on the data: the primary school with the
    // language teachers is the hub.
    let primary = result
        .hubs
        .iter()
        .find(|h| h.level == hubsel::model::HubLevel::Primary)
        .unwrap();
    assert_eq!(primary.id.0, "S1");
    assert!(
        primary
            .parts
            .iter()
            .any(|(k, v)| k == "language_t" && *v > 0.0),
        "{:?}",
        primary.parts
    );
}

/// Two data fields that could both be the cut name: an error naming both.
#[test]
fn a_cut_field_with_two_candidates_is_an_error_naming_both() {
    let csv = CUT_CSV
        .replace(",language_t\n", ",language_t,language_1\n")
        .replace(",3\n", ",3,1\n")
        .replace(",0\n", ",0,1\n")
        .replace(",4\n", ",4,1\n");
    let text = "[[criteria]]\nfield = \"language_teachers\"\nweight = 1\n";
    let config = scenario::parse(text, "cut.toml").unwrap();
    let err = run_refused(&csv, &config, "an ambiguous field is refused");
    let msg = err.to_string();
    assert!(
        msg.contains("line 2: `language_teachers`: the schools have no such field, and it could be any of `language_t` and `language_1`"),
        "{msg}"
    );
}

/// Finding: an explicit scenario with `min_students` on schools without
/// any student count ran, every school ineligible and no hub chosen.
#[test]
fn an_explicit_min_students_on_schools_without_counts_is_an_error() {
    let text = "name = \"x\"\n[[criteria]]\nfield = \"classrooms\"\nweight = 1\n\n[constraints]\nmin_students = 120\n";
    let config = scenario::parse(text, "mine.toml").unwrap();
    let err = run_refused(BARE_CSV, &config, "min_students without counts is refused");
    assert_eq!(err.kind(), ErrorKind::Scenario);
    let msg = err.to_string();
    assert!(
        msg.contains("line 7: `constraints.min_students`: min_students = 120 needs student counts; the schools have none"),
        "{msg}"
    );
}

/// Finding: fields named in [constraints] were reported without a line.
#[test]
fn an_explicit_scenario_lists_every_missing_field_with_its_line() {
    let text = "[[criteria]]\nfield = \"land_rai\"\nweight = 1\n[[criteria]]\nfield = \"classroms\"\nweight = 1\n\n[constraints]\nexclude_if = [\"highland\"]\n";
    let config = scenario::parse(text, "mine.toml").unwrap();
    let err = run_refused(CUT_CSV, &config, "missing fields are refused");
    let msg = err.to_string();
    assert!(
        msg.contains("line 2: `land_rai`: the schools have no such numeric field"),
        "{msg}"
    );
    assert!(
        msg.contains("line 5: `classroms`: the schools have no such numeric field (did you mean `classrooms`?)"),
        "{msg}"
    );
    assert!(msg.contains("line 9: `highland`"), "{msg}");
}

/// The default scenario's text given as a file is an explicit scenario:
/// strict, every missing field listed.
#[test]
fn the_default_text_from_a_file_stays_strict() {
    let config = scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "copy.toml").unwrap();
    let err = run_refused(BARE_CSV, &config, "a scenario file stays strict");
    let msg = err.to_string();
    for field in [
        "land_rai",
        "labs",
        "internet",
        "electricity",
        "water",
        "ict_teachers",
        "language_teachers",
    ] {
        assert!(
            msg.contains(&format!("`{field}`: the schools have no such")),
            "{field}: {msg}"
        );
    }
    assert!(
        msg.contains("min_students = 120 needs student counts"),
        "{msg}"
    );
}
