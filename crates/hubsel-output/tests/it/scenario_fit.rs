//! The scenario fitted to the data: the shipped default adapts (criteria
//! on missing fields and `min_students` without enrolment left out, the
//! weights rescaled), what fitting changed is said in `Config::notes`,
//! `finish` fits the config it is given as `prepare` did, and the
//! `[levels]` table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{load, refused, BARE_CSV, CUT_CSV};
use hubsel::pipeline;
use hubsel::progress::Silent;
use hubsel::scenario::{self, Config, Measure};

fn weight_sum(config: &Config) -> f64 {
    config.criteria.iter().map(|c| c.weight).sum()
}

/// The shipped default adapts: on schools without its fields or any
/// enrolment it runs, leaving them out, and says so.
#[test]
fn the_shipped_default_adapts_to_schools_without_its_fields() {
    let config = hubsel::scenario::default_scenario().unwrap();
    assert!(config.adapts_to_data && config.notes.is_empty());
    let result = pipeline::run(load(BARE_CSV), &config, &Silent).unwrap();
    let applied = &result.config;
    let keys: Vec<String> = applied.criteria.iter().map(|c| c.key()).collect();
    // BARE_CSV has no teachers or classrooms column either: a column of
    // zeros is not something to score on.
    assert_eq!(keys, ["acc_mean", "acc_share"]);
    assert!((weight_sum(applied) - 1.0).abs() < 1e-12);
    assert_eq!(applied.constraints.min_students, 0.0);
    let notes = applied.notes.join("\n");
    assert!(
        notes.contains("the default scenario's criteria classrooms, land_rai, labs, internet, electricity, water, teachers, ict_teachers, language_teachers are left out: the schools have no such fields"),
        "{notes}"
    );
    assert!(
        notes.contains("min_students = 120 is left out: the schools have no student count"),
        "{notes}"
    );
    assert!(notes.contains("rescaled to sum to 1"), "{notes}");
    // A hub per level: every school may be one without enrolment.
    assert_eq!(result.hubs.len(), 2);
}

/// `finish` (what `hubsel bench` calls per strategy) fits the config it
/// is given the same way `prepare` did, so the routing rules agree.
#[test]
fn finish_fits_the_config_it_is_given_as_prepare_did() {
    let config = hubsel::scenario::default_scenario().unwrap();
    let prepared = pipeline::prepare(load(BARE_CSV), &config, &Silent).unwrap();
    assert_eq!(prepared.checked.config.constraints.min_students, 0.0);
    for strategy in ["score", "p-median", "max-cover"] {
        let mut variant = config.clone();
        variant.strategy = scenario::StrategyKind::parse(strategy).unwrap();
        let result = pipeline::finish(&prepared, &variant, &Silent).unwrap();
        assert_eq!(result.hubs.len(), 2, "{strategy}");
        // Notes are not repeated by fitting twice.
        assert_eq!(result.config.notes, prepared.checked.config.notes);
    }
    // `largest` ranks by student counts, which these schools lack: it is
    // refused rather than falling to the id order.
    let mut largest = config.clone();
    largest.strategy = scenario::StrategyKind::Largest;
    let err = pipeline::finish(&prepared, &largest, &Silent).unwrap_err();
    assert_eq!(err.field(), Some("strategy"), "{err}");
    // A config already fitted fits to itself.
    let fitted = prepared.checked.config.clone();
    assert_eq!(fitted.fit_to(&prepared.checked.data).unwrap(), fitted);
}

/// With no physical criterion left the access criteria carry the score,
/// and the weights still sum to 1.
#[test]
fn with_no_physical_criterion_left_access_carries_the_score() {
    let text = "[[criteria]]\nfield = \"land_rai\"\nweight = 0.5\n[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 0.3\n[[criteria]]\naccess = \"max_minutes\"\nweight = 0.2\n";
    let mut config = scenario::parse(text, "s.toml").unwrap();
    config.adapts_to_data = true;
    let result = pipeline::run(load(BARE_CSV), &config, &Silent).unwrap();
    let applied = &result.config;
    assert!(applied
        .criteria
        .iter()
        .all(|c| matches!(c.measure, Measure::Access(_))));
    let w: Vec<f64> = applied.criteria.iter().map(|c| c.weight).collect();
    assert!(
        (w[0] - 0.6).abs() < 1e-12 && (w[1] - 0.4).abs() < 1e-12,
        "{w:?}"
    );
    let notes = applied.notes.join("\n");
    assert!(notes.contains("criterion land_rai is left out"), "{notes}");
    assert!(
        notes.contains("no physical criterion is left: the access criteria carry the score"),
        "{notes}"
    );
}

/// The DBF match is said in a note of the config as applied.
#[test]
fn a_field_read_from_its_dbf_name_is_noted() {
    let text = "[[criteria]]\nfield = \"language_teachers\"\nweight = 1\n";
    let config = scenario::parse(text, "cut.toml").unwrap();
    let result = pipeline::run(load(CUT_CSV), &config, &Silent).unwrap();
    assert_eq!(
        result.config.notes,
        ["`language_teachers` read from the DBF field `language_t` (a shapefile cuts field names to 10 characters)"]
    );
}

/// The [levels] table: the data's own level words, keys trimmed, values
/// checked with their lines.
#[test]
fn the_levels_table_maps_the_data_level_words() {
    use hubsel::model::Level;
    let text = "[levels]\n\"ขยายโอกาส\" = \"both\"\n\" อนุบาล-มัธยมศึกษาตอนต้น \" = \"Both\"\n\"มัธยมศึกษาตอนปลาย\" = \"secondary\"\n";
    let config = scenario::parse(text, "s.toml").unwrap();
    assert_eq!(config.levels.get("ขยายโอกาส"), Some(&Level::Both));
    assert_eq!(config.levels.get("อนุบาล-มัธยมศึกษาตอนต้น"), Some(&Level::Both));
    assert_eq!(
        config.levels.get("มัธยมศึกษาตอนปลาย"),
        Some(&Level::Secondary)
    );
    let bad = "[levels]\n\"ประถมศึกษา\" = \"elementary\"\n\"ขยายโอกาส\" = 3\n";
    let msg = refused(bad);
    assert!(
        msg.contains("line 2: `levels.\"ประถมศึกษา\"`: must be \"primary\", \"secondary\" or \"both\", got \"elementary\""),
        "{msg}"
    );
    assert!(
        msg.contains(
            "line 3: `levels.\"ขยายโอกาส\"`: must be text in quotes, got the whole number 3"
        ),
        "{msg}"
    );
    let twice = "[levels]\n\"ขยายโอกาส\" = \"both\"\n\"ขยายโอกาส \" = \"primary\"\n";
    let msg = refused(twice);
    assert!(
        msg.contains("line 3:") && msg.contains("already given on line 2"),
        "{msg}"
    );
}

/// The shipped file reads, adapts, and documents the [levels] table.
#[test]
fn the_shipped_default_reads_with_its_levels_and_weights() {
    let config = hubsel::scenario::default_scenario().unwrap();
    assert!((weight_sum(&config) - 1.0).abs() < 1e-12);
    assert_eq!(config.weights, scenario::WeightsRule::Auto);
    use hubsel::model::Level;
    // The Thai registry's ranges of grades.
    assert_eq!(config.levels.len(), 8);
    assert_eq!(config.levels.get("อนุบาล-มัธยมศึกษาตอนต้น"), Some(&Level::Both));
    assert_eq!(config.levels.get("อนุบาล-ประถมศึกษา"), Some(&Level::Primary));
    assert_eq!(
        config.levels.get("มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย"),
        Some(&Level::Secondary)
    );
}

/// Every scenario of the fuzz corpus is read or refused, and a config read
/// fits (or is refused) on data with and without its fields, never a panic.
#[test]
fn the_fuzz_corpus_reads_and_fits_without_a_panic() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/fuzz/scenario_toml"
    );
    let full = hubsel::scenario::DataShape::of(&load(CUT_CSV));
    let bare = hubsel::scenario::DataShape::of(&load(BARE_CSV));
    let mut read = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        match scenario::parse(text, "fuzz.toml") {
            Err(e) => assert!(!e.message().is_empty()),
            Ok(mut config) => {
                read += 1;
                for data in [&full, &bare] {
                    let _ = config.fit_to(data);
                }
                config.adapts_to_data = true;
                for data in [&full, &bare] {
                    if let Ok(fitted) = config.fit_to(data) {
                        assert_eq!(fitted.fit_to(data).unwrap(), fitted);
                    }
                }
            }
        }
    }
    assert!(read > 0, "no scenario of the corpus reads");
}
