//! Progress on stderr: the one place the command line draws bars.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use hubsel::progress::{Progress, Stage};

/// Progress bars on stderr, one per stage, hidden when quiet or not a terminal.
pub struct Bars {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            bar: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        if self.quiet {
            return;
        }
        let bar = if total > 0 {
            ProgressBar::new(total)
        } else {
            ProgressBar::new_spinner()
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let style = if total > 0 {
            ProgressStyle::with_template("{prefix:>18} [{bar:30}] {pos}/{len} {elapsed}")
                .map(|s| s.progress_chars("=> "))
        } else {
            ProgressStyle::with_template("{prefix:>18} {spinner} {elapsed}")
        };
        if let Ok(style) = style {
            bar.set_style(style);
        }
        bar.set_prefix(stage.as_str());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self, _stage: Stage, _elapsed: Duration) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
