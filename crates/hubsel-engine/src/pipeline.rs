//! The whole run, stage by stage, each stage a call into its own module:
//!
//! ```text
//! inputs ─ check_network ─ prepare ──────────── finish ───────────────────────── RunResult
//!          validate        travel matrices       select      allocate
//!          road graph      (routing::matrix)     (select::   (allocate::run,
//!          snap, flags                            district)   routing::reach)
//!          (network)
//! ```
//!
//! [`run`] = [`prepare`] then [`finish`]; [`check`] stops after the checks
//! (`hubsel validate`). `bench` prepares once and finishes once per
//! strategy.

use rayon::prelude::*;

use crate::allocate::run::allocate_run;
use crate::error::Result;
use crate::model::Inputs;
use crate::network::{check_network, Prepared};
use crate::outcome::{AccessFigures, CheckReport, Role, RunResult, SchoolOutcome};
use crate::progress::{check_cancelled, timed, Progress, Stage};
use crate::scenario::{Config, GroupBy};
use crate::select::grouped::select_grouped;
use crate::select::district::{check_largest, select_district, DistrictSelection, DistrictView};

pub use crate::network::prepare;

/// Runs the whole pipeline. Run-level problems (scenario fields missing
/// from the data, no roads) stop it before any work.
pub fn run(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
    let prepared = prepare(inputs, config, progress)?;
    finish(&prepared, config, progress)
}

/// Checks inputs and scenario without selecting: [`check_network`] and the
/// report of what it found.
pub fn check(inputs: Inputs, config: &Config, progress: &dyn Progress) -> Result<CheckReport> {
    let p = check_network(inputs, config, progress)?;
    let mut names: std::collections::BTreeMap<String, String> = p
        .districts
        .iter()
        .map(|d| (d.code.0.clone(), d.name.clone()))
        .collect();
    for (id, name) in p
        .rejected_schools
        .iter()
        .map(|r| (&r.id, &r.name))
        .chain(p.schools.iter().map(|s| (&s.school.id, &s.school.name)))
    {
        names.insert(id.0.clone(), name.clone());
    }
    Ok(CheckReport {
        names,
        districts: p.districts.len(),
        schools: p.schools.len() + p.rejected_schools.len(),
        placed: p.schools.len(),
        rejects: p.rejects,
        notes: p.config.notes.iter().chain(&p.notes).cloned().collect(),
        stats: p.stats,
    })
}

/// Scores, selects and allocates on prepared travel times. `config` is
/// first fitted to the prepared data as `prepare` fitted its own
/// ([`Config::fit_to`]); its routing and candidate rules must then be those
/// `prepared` was made with.
pub fn finish(prepared: &Prepared, config: &Config, progress: &dyn Progress) -> Result<RunResult> {
    check_cancelled(progress)?;
    let checked = &prepared.checked;
    let mut stats = checked.stats.clone();
    let (fitted, selections) = fit_and_select(prepared, config, progress, &mut stats.stages)?;
    let config = &fitted;
    let district_count = checked.districts.len();
    check_cancelled(progress)?;
    let allocated = timed(
        progress,
        &mut stats.stages,
        Stage::Allocate,
        district_count as u64,
        || allocate_run(prepared, &selections, config, progress),
    )?;

    let mut schools = allocated.schools;
    schools.extend(checked.rejected_schools.iter().map(|r| SchoolOutcome {
        id: r.id.clone(),
        name: r.name.clone(),
        district: None,
        level: None,
        students: None,
        lon_lat: r.lon_lat,
        role: Role::Rejected,
        hub_level: None,
        hub_id: None,
        travel_min: None,
        road_km: None,
        offroad_m: None,
        over_capacity: false,
        reason: Some(r.reason.clone()),
    }));
    schools.sort_by(|a, b| (&a.id, a.role).cmp(&(&b.id, b.role)));
    let mut hubs = allocated.hubs;
    hubs.sort_by(|a, b| (&a.district, a.level, &a.id).cmp(&(&b.district, b.level, &b.id)));
    let mut routes = allocated.routes;
    routes.sort_by(|a, b| (&a.district, &a.school).cmp(&(&b.district, &b.school)));

    Ok(RunResult {
        config: config.clone(),
        districts: checked.districts.clone(),
        district_outcomes: allocated.districts,
        schools,
        hubs,
        routes,
        rejects: checked.rejects.clone(),
        weighting: checked.weighting,
        weighting_note: checked.weighting_note.clone(),
        notes: checked.notes.clone(),
        access: access_figures(&selections, config),
        allocation: allocated.totals,
        stats,
    })
}

/// The assignment problem [`finish`] hands allocation (the hubs it
/// selects, the schools with the hubs they reach, the capacities and
/// rules), for checking allocation against another solver.
pub fn allocation_problem(
    prepared: &Prepared,
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Vec<crate::allocate::Seeker>, Vec<crate::allocate::Slot>, crate::allocate::Rules)> {
    let (config, selections) = fit_and_select(prepared, config, progress, &mut Vec::new())?;
    crate::allocate::run::allocation_problem(prepared, &selections, &config, progress)
}

/// The part of [`finish`] that a change of weights runs again: `config`
/// fitted to the prepared data, the candidates scored and every
/// district's (or group's) hubs selected; not allocated. Returns the
/// fitted scenario and the selections (for benchmarks and tools that
/// look at the choice alone).
pub fn select(
    prepared: &Prepared,
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Config, Vec<DistrictSelection>)> {
    fit_and_select(prepared, config, progress, &mut Vec::new())
}

/// [`select`], timing the selection into `stages`.
fn fit_and_select(
    prepared: &Prepared,
    config: &Config,
    progress: &dyn Progress,
    stages: &mut Vec<(Stage, std::time::Duration)>,
) -> Result<(Config, Vec<DistrictSelection>)> {
    let fitted = prepared.fit(config)?;
    check_largest(&fitted, &prepared.checked.schools)?;
    check_region_strategy(&fitted)?;
    let selections = select_all(prepared, &fitted, progress, stages)?;
    Ok((fitted, selections))
}

/// Every district's (or group's) hubs, timed as [`Stage::Select`]; stops
/// with [`crate::error::ErrorKind::Cancelled`] once `progress` is
/// cancelled (asked before each district).
fn select_all(
    prepared: &Prepared,
    config: &Config,
    progress: &dyn Progress,
    stages: &mut Vec<(Stage, std::time::Duration)>,
) -> Result<Vec<DistrictSelection>> {
    let checked = &prepared.checked;
    if config.group_by != GroupBy::District {
        return timed(progress, stages, Stage::Select, 0, || {
            select_grouped(prepared, config, checked.weighting, progress)
        });
    }
    let component = checked.components();
    let district_count = checked.districts.len();
    timed(progress, stages, Stage::Select, district_count as u64, || {
        (0..district_count)
            .into_par_iter()
            .map(|d| {
                check_cancelled(progress)?;
                let view = DistrictView {
                    schools: &checked.schools,
                    members: &prepared.members[d],
                    matrix: &prepared.matrices[d],
                    code: &checked.districts[d].code,
                    component: &component,
                };
                let s = select_district(view, config, checked.weighting);
                progress.advance(1);
                Ok(s)
            })
            .collect()
    })
}

/// A region-wide grouping is for the location models: refused for the
/// others (the scenario reader refuses it too; `bench` changes the
/// strategy of a read scenario, and leaves such a row out with this).
fn check_region_strategy(config: &Config) -> Result<()> {
    use crate::scenario::REGION_STRATEGIES;
    if config.group_by == GroupBy::District || REGION_STRATEGIES.contains(&config.strategy) {
        return Ok(());
    }
    let names: Vec<&str> = REGION_STRATEGIES.iter().map(|k| k.as_str()).collect();
    Err(crate::error::Error::new(
        crate::error::ErrorKind::Scenario,
        format!(
            "group_by = \"{}\" chooses hubs over a whole region, which strategy = \"{}\" does not do (one of: {})",
            config.group_by.as_str(),
            config.strategy.as_str(),
            names.join(", ")
        ),
    )
    .in_file(&config.source)
    .on_field("group_by"))
}

/// The run's access figures: every school of every level that got a hub,
/// to its nearest chosen hub, and how many no candidate reaches.
fn access_figures(selections: &[DistrictSelection], config: &Config) -> AccessFigures {
    let pairs: Vec<(f64, f64)> = selections
        .iter()
        .flat_map(|s| s.access_pairs.iter().copied())
        .collect();
    AccessFigures {
        unreachable: selections
            .iter()
            .flat_map(|s| &s.unreachable)
            .map(|u| u.schools.len())
            .sum(),
        ..AccessFigures::of(&pairs, config.max_travel_min, config.search_cutoff_min)
    }
}
