//! What a run weighs schools by ([`Weighting`]), from the scenario's
//! `weights` rule and the student counts of the schools taking part.

use crate::error::{Error, ErrorKind, Result};
use crate::model::Weighting;
use crate::scenario::{Config, WeightsRule};

/// What the run weighs schools by, and why, in words for the console, the
/// summary and the report: the scenario's `weights`, where `auto` means
/// students when every school taking part has a count (and some count is
/// positive), else schools. `weights = "students"` on data without any
/// count is a run-level error.
pub fn resolve_weighting(config: &Config, students: &[Option<f64>]) -> Result<(Weighting, String)> {
    let known = students.iter().filter(|n| n.is_some()).count();
    let positive = students.iter().any(|n| n.is_some_and(|n| n > 0.0));
    match config.weights {
        WeightsRule::Auto => Ok(match Weighting::from_data(students.iter().copied()) {
            // No school at all (every row refused): that is the problem the
            // rejects tell; "no student count" would be a consequence
            // reported as its own.
            _ if students.is_empty() => (
                Weighting::Schools,
                "no school takes part: nothing to weigh".into(),
            ),
            Weighting::Students => (Weighting::Students, "every school has a student count".into()),
            Weighting::Schools if known == 0 => (
                Weighting::Schools,
                "the schools have no student count: every school counts once".into(),
            ),
            Weighting::Schools if !positive => (
                Weighting::Schools,
                "every student count is 0: every school counts once".into(),
            ),
            Weighting::Schools => (
                Weighting::Schools,
                format!(
                    "{} of {} schools have no student count: every school counts once (weights = \"students\" weighs by the known counts)",
                    students.len() - known,
                    students.len()
                ),
            ),
        }),
        WeightsRule::Schools => Ok((
            Weighting::Schools,
            "the scenario says weights = \"schools\": every school counts once".into(),
        )),
        WeightsRule::Students if known > 0 => Ok((
            Weighting::Students,
            if known == students.len() {
                "the scenario says weights = \"students\"".to_string()
            } else {
                format!(
                    "the scenario says weights = \"students\"; {} of {} schools have no count and weigh 0",
                    students.len() - known,
                    students.len()
                )
            },
        )),
        WeightsRule::Students => Err(Error::new(
            ErrorKind::Scenario,
            "weights = \"students\" but no school has a student count; remove the key (or set weights = \"schools\") to weigh every school once",
        )
        .in_file(&config.source)
        .on_field("weights")),
    }
}
