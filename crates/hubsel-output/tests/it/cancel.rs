//! Cancellation: a run whose `Progress` says `cancelled` stops between
//! stages and inside its long loops (travel-time searches, reach lists,
//! per-district selection, allocation) with `ErrorKind::Cancelled`, having
//! done only a small part of the work; a run never cancelled is the same
//! as one with `Silent` progress.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use hubsel::error::ErrorKind;
use hubsel::io::ReadOptions;
use hubsel::model::Inputs;
use hubsel::pipeline::{finish, prepare};
use hubsel::progress::{Cancel, Progress, Silent, Stage};
use hubsel::scenario::Config;

fn province() -> Inputs {
    hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap()
}

fn config(text: &str) -> Config {
    hubsel::scenario::parse(text, "s.toml").unwrap()
}

const DEFAULT: &str = include_str!("../../../../fixtures/scenario-default.toml");
const REGION: &str = include_str!("../../../../fixtures/scenario-region.toml");

/// Cancelled once `stage` has started and `after` units of it are done;
/// counts the units done in that stage, and records the stages started.
struct CancelIn {
    stage: Stage,
    after: u64,
    in_stage: Mutex<bool>,
    done: AtomicU64,
    started: Mutex<Vec<Stage>>,
}

impl CancelIn {
    fn new(stage: Stage, after: u64) -> CancelIn {
        CancelIn {
            stage,
            after,
            in_stage: Mutex::new(false),
            done: AtomicU64::new(0),
            started: Mutex::new(Vec::new()),
        }
    }
}

impl Progress for CancelIn {
    fn start(&self, stage: Stage, _total: u64) {
        self.started.lock().unwrap().push(stage);
        *self.in_stage.lock().unwrap() = stage == self.stage;
    }
    fn advance(&self, n: u64) {
        if *self.in_stage.lock().unwrap() {
            self.done.fetch_add(n, Ordering::Relaxed);
        }
    }
    fn cancelled(&self) -> bool {
        *self.in_stage.lock().unwrap() && self.done.load(Ordering::Relaxed) >= self.after
    }
}

#[test]
fn a_cancelled_token_stops_prepare_and_finish_before_any_work() {
    let inputs = province();
    let cancel = Cancel::new();
    cancel.cancel();
    let e = prepare(inputs.clone(), &config(DEFAULT), &cancel)
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let prepared = prepare(inputs, &config(DEFAULT), &Silent).unwrap();
    let e = finish(&prepared, &config(DEFAULT), &cancel).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    // A token not cancelled changes nothing.
    let a = finish(&prepared, &config(DEFAULT), &Cancel::new()).unwrap();
    let b = finish(&prepared, &config(DEFAULT), &Silent).unwrap();
    assert_eq!(format!("{:?}", a.hubs), format!("{:?}", b.hubs));
    assert!(!a.hubs.is_empty());
}

#[test]
fn travel_time_searches_stop_early_when_cancelled() {
    let inputs = province();
    let full = prepare(inputs.clone(), &config(DEFAULT), &Silent).unwrap();
    let searches = full.checked.stats.searches as u64;
    assert!(searches > 100, "{searches} searches");
    let p = CancelIn::new(Stage::Travel, 10);
    let e = prepare(inputs, &config(DEFAULT), &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let done = p.done.load(Ordering::Relaxed);
    // Searches already running finish (one per thread), no more start.
    assert!(
        done >= 10 && done < searches / 2,
        "{done} of {searches} searches ran"
    );
}

#[test]
fn selection_and_allocation_stop_when_cancelled() {
    let inputs = province();
    let prepared = prepare(inputs.clone(), &config(DEFAULT), &Silent).unwrap();
    let districts = prepared.checked.districts.len() as u64;
    assert!(districts > 4);
    // Per district: a few districts chosen, then the rest skipped.
    let p = CancelIn::new(Stage::Select, 2);
    let e = finish(&prepared, &config(DEFAULT), &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let done = p.done.load(Ordering::Relaxed);
    assert!(done < districts, "{done} of {districts} districts selected");
    assert!(!p.started.lock().unwrap().contains(&Stage::Allocate));
    // In allocation: stopped, no result.
    let p = CancelIn::new(Stage::Allocate, 0);
    let e = finish(&prepared, &config(DEFAULT), &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
}

#[test]
fn region_reach_lists_stop_early_when_cancelled() {
    let inputs = province();
    let region = config(REGION);
    let prepared = prepare(inputs, &region, &Silent).unwrap();
    // Uncancelled: one reach-list search per candidate, counted in Select.
    let all = CancelIn::new(Stage::Select, u64::MAX);
    finish(&prepared, &region, &all).unwrap();
    let searches = all.done.load(Ordering::Relaxed);
    assert!(searches > 100, "{searches} searches");
    let p = CancelIn::new(Stage::Select, 5);
    let e = finish(&prepared, &region, &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let done = p.done.load(Ordering::Relaxed);
    assert!(done < searches / 2, "{done} of {searches} searches ran");
}

/// Says yes from the `after`-th `cancelled()` asked in Select once every
/// reach-list search is done (`lists` units advanced): inside the
/// region-wide solver. Counts every question asked there.
struct CancelInSolve {
    lists: u64,
    after: u64,
    in_select: Mutex<bool>,
    advanced: AtomicU64,
    asked: AtomicU64,
    started: Mutex<Vec<Stage>>,
}

impl CancelInSolve {
    fn new(lists: u64, after: u64) -> CancelInSolve {
        CancelInSolve {
            lists,
            after,
            in_select: Mutex::new(false),
            advanced: AtomicU64::new(0),
            asked: AtomicU64::new(0),
            started: Mutex::new(Vec::new()),
        }
    }
}

impl Progress for CancelInSolve {
    fn start(&self, stage: Stage, _total: u64) {
        self.started.lock().unwrap().push(stage);
        *self.in_select.lock().unwrap() = stage == Stage::Select;
    }
    fn advance(&self, n: u64) {
        if *self.in_select.lock().unwrap() {
            self.advanced.fetch_add(n, Ordering::Relaxed);
        }
    }
    fn cancelled(&self) -> bool {
        if !*self.in_select.lock().unwrap() || self.advanced.load(Ordering::Relaxed) < self.lists {
            return false;
        }
        self.asked.fetch_add(1, Ordering::Relaxed) + 1 >= self.after
    }
}

#[test]
fn region_p_median_solver_stops_within_a_step_when_cancelled() {
    let inputs = province();
    let region = config(REGION);
    let prepared = prepare(inputs, &region, &Silent).unwrap();
    let lists = CancelIn::new(Stage::Select, u64::MAX);
    let whole = finish(&prepared, &region, &lists).unwrap();
    let lists = lists.done.load(Ordering::Relaxed);
    // Uncancelled: the solver (greedy, interchange, the bound's ascent,
    // rounds of the Lagrangian heuristic) asks at every step, many times.
    let all = CancelInSolve::new(lists, u64::MAX);
    let same = finish(&prepared, &region, &all).unwrap();
    assert_eq!(format!("{:?}", whole.hubs), format!("{:?}", same.hubs));
    let steps = all.asked.load(Ordering::Relaxed);
    assert!(steps > 100, "the solver asked {steps} times");
    // Cancelled a quarter of the way: stopped within a step (a few more
    // questions on the way out), the rest of the solve never done.
    let p = CancelInSolve::new(lists, steps / 4);
    let e = finish(&prepared, &region, &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let asked = p.asked.load(Ordering::Relaxed);
    assert!(asked <= steps / 4 + 5, "asked {asked} times, {steps} uncancelled");
    assert!(!p.started.lock().unwrap().contains(&Stage::Allocate));
}

#[test]
fn od_matrix_searches_stop_early_when_cancelled() {
    let inputs = province();
    let schools = inputs.schools.len() as u64;
    assert!(schools > 100, "{schools} schools");
    let od_inputs = hubsel::od::OdInputs {
        origins: inputs.schools.clone(),
        destinations: inputs.schools.clone(),
        roads: inputs.roads.clone(),
        ..hubsel::od::OdInputs::default()
    };
    let config = config(DEFAULT);
    // One search per destination, counted in Travel.
    let p = CancelIn::new(Stage::Travel, 10);
    let e = hubsel::od::matrix(od_inputs.clone(), &config, 1440.0, &p)
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let done = p.done.load(Ordering::Relaxed);
    // Searches already running finish (one per thread), no more start.
    assert!(
        done >= 10 && done < schools / 2,
        "{done} of {schools} destination searches ran"
    );
    // Cancelled before any work: no search at all.
    let cancel = Cancel::new();
    cancel.cancel();
    let e = hubsel::od::matrix(od_inputs, &config, 1440.0, &cancel)
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
}

#[test]
fn a_run_cancelled_while_its_road_graph_builds_stops_before_snapping() {
    let p = CancelIn::new(Stage::Graph, 0);
    let e = prepare(province(), &config(DEFAULT), &p).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let started = p.started.lock().unwrap().clone();
    assert!(
        !started.contains(&Stage::Snap) && !started.contains(&Stage::Travel),
        "{started:?}"
    );
}
