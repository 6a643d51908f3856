//! The run's folder: GeoJSON layers, summary, rejects.
//!
//! Everything is written into a temporary folder beside the target and
//! moved into place only when complete, so a failed or killed run never
//! leaves half a result where the last good one was.

mod layers;
mod summary;

pub use layers::{districts_layer, hubs_layer, routes_layer, schools_layer};
pub use summary::{rejects_csv, summary_csv, summary_json, Totals};

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::pipeline::RunResult;

/// The file that marks a folder as written by hubsel.
pub const MARKER: &str = ".hubsel";

/// Rounds to `d` decimals for output (keeps files readable and stable).
pub(crate) fn round(v: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (v * f).round() / f
}

/// The files of a run, by name, in writing order.
pub fn render(result: &RunResult) -> Vec<(&'static str, String)> {
    vec![
        ("hubs.geojson", hubs_layer(result)),
        ("schools.geojson", schools_layer(result)),
        ("routes.geojson", routes_layer(result)),
        ("districts.geojson", districts_layer(result)),
        ("summary.json", summary_json(result)),
        ("summary.csv", summary_csv(result)),
        ("rejects.csv", rejects_csv(result)),
        (MARKER, "written by hubsel; this folder may be replaced by the next run\n".to_string()),
    ]
}

/// Whether `dir` may be replaced: absent, empty, or written by hubsel.
fn replaceable(dir: &Path) -> bool {
    match fs::read_dir(dir) {
        Err(_) => !dir.exists(),
        Ok(mut entries) => entries.next().is_none() || dir.join(MARKER).is_file(),
    }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Output, e.to_string()).in_file(path)
}

/// Writes the run into `dir` atomically. Refuses to replace a folder that
/// hubsel did not write unless `force`.
pub fn write_run(result: &RunResult, dir: &Path, force: bool) -> Result<()> {
    write_files(&render(result), dir, force)
}

/// Writes named files into `dir` through a temporary sibling folder.
pub fn write_files(files: &[(&str, String)], dir: &Path, force: bool) -> Result<()> {
    if !force && !replaceable(dir) {
        return Err(Error::new(
            ErrorKind::Output,
            "folder exists and was not written by hubsel; choose another --out or pass --force",
        )
        .in_file(dir));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| io_err(&parent, e))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(|e| io_err(&tmp, e))?;
    for (file, text) in files {
        let path = tmp.join(file);
        if let Err(e) = fs::write(&path, text) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(io_err(&path, e));
        }
    }
    if dir.exists() {
        fs::rename(dir, &old).map_err(|e| io_err(dir, e))?;
    }
    if let Err(e) = fs::rename(&tmp, dir) {
        // Put the previous result back before reporting.
        let _ = fs::rename(&old, dir);
        return Err(io_err(dir, e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}
