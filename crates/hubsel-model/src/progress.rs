//! Progress of a run: the stages it goes through ([`Stage`]) and the
//! [`Progress`] trait that hears about them. The library never prints; the
//! CLI draws bars, the server and the Python package may do otherwise.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

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
    /// Whether the caller wants the run stopped (the workbench's client
    /// went away). The pipeline asks between stages and inside its long
    /// loops (the travel-time searches, the per-district and per-group
    /// selections, the allocation), and then returns an error of kind
    /// [`crate::error::ErrorKind::Cancelled`].
    fn cancelled(&self) -> bool {
        false
    }
}

/// `Err` of kind [`crate::error::ErrorKind::Cancelled`] once `progress`
/// is cancelled.
pub fn check_cancelled(progress: &dyn Progress) -> Result<()> {
    if progress.cancelled() {
        Err(Error::cancelled())
    } else {
        Ok(())
    }
}

/// Progress that goes nowhere.
pub struct Silent;
impl Progress for Silent {}

/// Progress that goes nowhere and is cancelled once [`Cancel::cancel`] is
/// called on it or on any of its clones (from another thread: the
/// workbench cancels when its client goes away).
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks every run given this token (or a clone) to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl Progress for Cancel {
    fn cancelled(&self) -> bool {
        self.is_cancelled()
    }
}

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
