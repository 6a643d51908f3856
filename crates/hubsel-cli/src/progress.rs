//! Progress on stderr, the one place the command line reports it: bars for
//! a person at a terminal, JSON lines for a program that drives hubsel (the
//! QGIS plugin turns them into its feedback bar), or nothing.
//!
//! With `--progress json`, stderr carries one JSON object per line:
//!
//! ```text
//! {"event":"start","stage":"travel times","total":14619}
//! {"event":"progress","stage":"travel times","done":7310,"total":14619}
//! {"event":"finish","stage":"travel times","seconds":1.94}
//! {"event":"error","kind":"scenario","file":"s.toml","line":4,"field":"weight","message":"…","problems":[{"line":4,"key":"weight","message":"…"}]}
//! ```
//!
//! `progress` lines come at most once per percent of a stage; a stage
//! without a known total (`total` 0) has none. An `error` line comes before
//! exit status 2, beside the usual `hubsel: error:` line. Other lines on
//! stderr (the stage timings, warnings) are text, not JSON: a reader keeps
//! the lines that start with `{`.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};

use hubsel::progress::{Progress, Stage};

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Bars on stderr (hidden when stderr is not a terminal).
    Bars,
    /// One JSON object per line on stderr, errors included.
    Json,
    /// Nothing.
    None,
}

impl Mode {
    /// The mode asked for, `--quiet` meaning none.
    pub fn of(mode: Mode, quiet: bool) -> Mode {
        if quiet {
            Mode::None
        } else {
            mode
        }
    }
}

/// Whether run-level errors are also written as a JSON line.
static JSON_ERRORS: AtomicBool = AtomicBool::new(false);

/// Progress as the mode says.
pub struct Bars {
    mode: Mode,
    bar: Mutex<Option<ProgressBar>>,
    /// For JSON: the stage running, units done, its total, the last
    /// percent reported.
    json: Mutex<Option<(Stage, u64, u64, u64)>>,
}

impl Bars {
    pub fn new(mode: Mode) -> Bars {
        if mode == Mode::Json {
            JSON_ERRORS.store(true, Ordering::Relaxed);
        }
        Bars {
            mode,
            bar: Mutex::new(None),
            json: Mutex::new(None),
        }
    }

    fn start_bar(&self, stage: Stage, total: u64) {
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

    /// Counts `n` more units of the JSON stage; a line when the percent
    /// done goes up.
    fn advance_json(&self, n: u64) {
        let Ok(mut slot) = self.json.lock() else {
            return;
        };
        let Some((stage, done, total, percent)) = slot.as_mut() else {
            return;
        };
        *done += n;
        if *total == 0 {
            return;
        }
        let now = (*done).min(*total) * 100 / *total;
        if now > *percent {
            *percent = now;
            emit(&json!({
                "event": "progress",
                "stage": stage.as_str(),
                "done": (*done).min(*total),
                "total": *total,
            }));
        }
    }
}

/// One JSON line on stderr, whole (a line is written with one call).
fn emit(value: &Value) {
    let mut line = value.to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        match self.mode {
            Mode::None => {}
            Mode::Bars => self.start_bar(stage, total),
            Mode::Json => {
                if let Ok(mut slot) = self.json.lock() {
                    *slot = Some((stage, 0, total, 0));
                }
                emit(&json!({"event": "start", "stage": stage.as_str(), "total": total}));
            }
        }
    }

    fn advance(&self, n: u64) {
        match self.mode {
            Mode::None => {}
            Mode::Bars => {
                if let Ok(slot) = self.bar.lock() {
                    if let Some(bar) = slot.as_ref() {
                        bar.inc(n);
                    }
                }
            }
            Mode::Json => self.advance_json(n),
        }
    }

    fn finish(&self, stage: Stage, elapsed: Duration) {
        match self.mode {
            Mode::None => {}
            Mode::Bars => {
                if let Ok(mut slot) = self.bar.lock() {
                    if let Some(bar) = slot.take() {
                        bar.finish_and_clear();
                    }
                }
            }
            Mode::Json => {
                if let Ok(mut slot) = self.json.lock() {
                    *slot = None;
                }
                emit(&json!({
                    "event": "finish",
                    "stage": stage.as_str(),
                    "seconds": elapsed.as_secs_f64(),
                }));
            }
        }
    }
}

/// A run-level error as a JSON line, when progress is JSON: the library's
/// error with its kind, file, line, field and every problem it lists, or
/// the message alone for other errors.
pub fn report_error(error: &anyhow::Error) {
    if !JSON_ERRORS.load(Ordering::Relaxed) {
        return;
    }
    let typed = error
        .chain()
        .find_map(|e| e.downcast_ref::<hubsel::error::Error>());
    let line = match typed {
        Some(e) => json!({
            "event": "error",
            "kind": format!("{:?}", e.kind()).to_lowercase(),
            "file": e.file().map(|f| f.display().to_string()),
            "line": e.line(),
            "field": e.field(),
            "message": format!("{error:#}"),
            "problems": e.problems().iter().map(|p| json!({
                "line": p.line,
                "key": p.key,
                "message": p.message,
            })).collect::<Vec<_>>(),
        }),
        None => json!({
            "event": "error",
            "kind": null,
            "file": null,
            "line": null,
            "field": null,
            "message": format!("{error:#}"),
            "problems": [],
        }),
    };
    emit(&line);
}
