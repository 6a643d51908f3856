//! Progress of a run: the stages it goes through ([`Stage`]) and the
//! [`Progress`] trait that hears about them. The library never prints; the
//! CLI draws bars, the server and the Python package may do otherwise.

use std::time::{Duration, Instant};

/// The stages a run goes through, for progress reports and timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the input files (timed by the caller, which reads them).
    Load,
    Validate,
    Graph,
    Snap,
    Travel,
    Select,
    Allocate,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Load => "load inputs",
            Stage::Validate => "validate",
            Stage::Graph => "road graph",
            Stage::Snap => "snap schools",
            Stage::Travel => "travel times",
            Stage::Select => "select hubs",
            Stage::Allocate => "allocate & routes",
        }
    }
}

/// Receives progress.
pub trait Progress: Sync {
    /// A stage starts with `total` units of work (0 when unknown).
    fn start(&self, _stage: Stage, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self, _stage: Stage, _elapsed: Duration) {}
}

/// Progress that goes nowhere.
pub struct Silent;
impl Progress for Silent {}

/// Runs one stage: tells `progress` it starts and ends, and appends its
/// wall time to `timings`.
pub fn timed<T>(
    progress: &dyn Progress,
    timings: &mut Vec<(Stage, Duration)>,
    stage: Stage,
    total: u64,
    f: impl FnOnce() -> T,
) -> T {
    progress.start(stage, total);
    let t = Instant::now();
    let out = f();
    let elapsed = t.elapsed();
    progress.finish(stage, elapsed);
    timings.push((stage, elapsed));
    out
}
