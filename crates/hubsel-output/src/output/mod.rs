//! The run's folder: the four layers (GeoJSON, and on request Shapefile,
//! FlatGeobuf and GeoPackage), a QGIS style beside each, `report.html`, the
//! summary and the rejects.
//!
//! This module decides what a run's outputs hold: it turns a
//! [`RunResult`] into format-neutral layers, styles, the report and the
//! summary, and writes the folder. The bytes of each file format come from
//! the writers in [`io`](crate::io) ([`io::table`](crate::io::table) is
//! the layer they all read).
//!
//! | module | writes |
//! |---|---|
//! | [`layers`] | the four layers' fields and rows as [`Layer`]s; their GeoJSON (RFC 7946) |
//! | [`style`] | `<layer>.qml`, loaded by QGIS beside any of the formats |
//! | [`geopackage`] | `hubsel.gpkg`: the layers, the district, rejects and run tables, and the styles inside |
//! | [`report`] | `report.html`: the map and the tables, one self-contained file, in English or Thai |
//! | [`words`] | the report's words, one table per language ([`Lang`](words::Lang)) |
//! | `summary` | `summary.json`, `summary.csv`, `rejects.csv` ([`summary_json`], [`summary_csv`], [`rejects_csv`]) |
//!
//! Everything is written into a temporary folder beside the target and
//! moved into place only when complete, so a failed or killed run never
//! leaves half a result where the last good one was.

pub mod geopackage;
pub mod layers;
pub mod report;
pub mod style;
mod summary;
pub mod words;

pub use layers::{districts_layer, hubs_layer, routes_layer, schools_layer};
pub use summary::{rejects_csv, summary_csv, summary_json, Totals};

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::io::{flatgeobuf, shapefile};
use crate::io::table::Layer;
use crate::outcome::RunResult;

/// The file that marks a folder as written by hubsel, and by which command.
pub const MARKER: &str = ".hubsel";

/// What a folder written by hubsel holds, as its [`MARKER`] says. A folder
/// may be replaced by a command that writes the same kind of thing; a run's
/// result is never replaced by `validate`'s single file, and a data set
/// written by `synth` (the inputs of later runs) never by anything but
/// `synth`, unless forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    Run,
    Validate,
    Compare,
    Bench,
    Synth,
}

impl FolderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FolderKind::Run => "run",
            FolderKind::Validate => "validate",
            FolderKind::Compare => "compare",
            FolderKind::Bench => "bench",
            FolderKind::Synth => "synth",
        }
    }

    /// The marker's text.
    fn marker(self) -> String {
        format!(
            "written by hubsel {}; hubsel may replace this folder\n",
            self.as_str()
        )
    }

    /// The kind a marker names. Runs before this marker named their kind
    /// wrote "written by hubsel; this folder may be replaced by the next run".
    fn of_marker(text: &str) -> Option<FolderKind> {
        let rest = text.trim().strip_prefix("written by hubsel")?;
        let word = rest
            .trim_start()
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        Some(match word {
            "validate" => FolderKind::Validate,
            "compare" => FolderKind::Compare,
            "bench" => FolderKind::Bench,
            "synth" => FolderKind::Synth,
            _ => FolderKind::Run,
        })
    }
}

/// Rounds to `d` decimals for output (keeps files readable and stable).
pub(crate) fn round(v: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (v * f).round() / f
}

/// A format the layers can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `<layer>.geojson`, RFC 7946 (the default).
    GeoJson,
    /// `<layer>.shp` with `.shx`, `.dbf`, `.prj`, `.cpg`.
    Shapefile,
    /// `<layer>.fgb`.
    FlatGeobuf,
    /// One `hubsel.gpkg` holding every layer, the attribute tables and the
    /// styles ([`geopackage`]).
    GeoPackage,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::GeoJson,
        Format::Shapefile,
        Format::FlatGeobuf,
        Format::GeoPackage,
    ];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Shapefile => "shp",
            Format::FlatGeobuf => "fgb",
            Format::GeoPackage => "gpkg",
        }
    }

    /// `geojson`, `shp`, `fgb` or `gpkg` (also `json`, `shapefile`,
    /// `flatgeobuf`, `geopackage`), any case.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "shp" | "shapefile" => Some(Format::Shapefile),
            "fgb" | "flatgeobuf" => Some(Format::FlatGeobuf),
            "gpkg" | "geopackage" => Some(Format::GeoPackage),
            _ => None,
        }
    }

    /// A comma-separated list (`geojson,fgb`), in a fixed order whatever
    /// the order given, each once; an unknown name is an input error that
    /// lists the known ones.
    pub fn parse_list(s: &str) -> Result<Vec<Format>> {
        let mut out = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let f = Format::parse(part).ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                Error::new(
                    ErrorKind::Input,
                    format!(
                        "unknown format {} (one or more of: {}, comma-separated)",
                        crate::error::quote(part.trim()),
                        names.join(", ")
                    ),
                )
            })?;
            out.push(f);
        }
        if out.is_empty() {
            return Err(Error::new(ErrorKind::Input, "no format given"));
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// How to write a run.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Layer formats; at least one. QML styles, `report.html` and the
    /// summary are written whatever the formats.
    pub formats: Vec<Format>,
    /// Replace an output folder that hubsel did not write.
    pub force: bool,
    /// The language of `report.html`.
    pub lang: words::Lang,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            formats: vec![Format::GeoJson],
            force: false,
            lang: words::Lang::En,
        }
    }
}

/// A file of the run: its name in the folder and its bytes.
pub type OutFile = (String, Vec<u8>);

/// The files of a run, by name, in writing order, with an English report
/// ([`render_in`] for another language).
pub fn render(result: &RunResult, formats: &[Format]) -> Result<Vec<OutFile>> {
    render_in(result, formats, words::Lang::En)
}

/// The files of a run, by name, in writing order, with the report in
/// `lang`. Only `report.html` depends on the language.
pub fn render_in(result: &RunResult, formats: &[Format], lang: words::Lang) -> Result<Vec<OutFile>> {
    let layers = layers::layers(result);
    let noted = with_utf8_notes(result, &layers, formats);
    let result = noted.as_ref().unwrap_or(result);
    // Each file is rendered on its own (in parallel), and they come back
    // in the writing order whatever the thread count.
    use rayon::prelude::*;
    let rendered: Vec<Vec<OutFile>> = jobs(formats, layers.len())
        .into_par_iter()
        .map(|job| job.render(result, &layers, lang))
        .collect::<Result<_>>()?;
    Ok(rendered.into_iter().flatten().collect())
}

/// The result with a note for each Shapefile layer whose text cp874
/// cannot hold (it is written in UTF-8: the report and summary say so);
/// `None` when there is none.
fn with_utf8_notes(result: &RunResult, layers: &[Layer], formats: &[Format]) -> Option<RunResult> {
    if !formats.contains(&Format::Shapefile) {
        return None;
    }
    let utf8: Vec<String> = layers.iter().filter_map(shapefile::utf8_note).collect();
    if utf8.is_empty() {
        return None;
    }
    let mut r = result.clone();
    r.notes.extend(utf8);
    Some(r)
}

/// The files of a run in writing order, for its `layers` layers.
fn jobs(formats: &[Format], layers: usize) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    for layer in 0..layers {
        for &format in formats {
            if format != Format::GeoPackage {
                jobs.push(Job::Layer(layer, format));
            }
        }
        jobs.push(Job::Style(layer));
    }
    if formats.contains(&Format::GeoPackage) {
        jobs.push(Job::GeoPackage);
    }
    jobs.extend([Job::Report, Job::SummaryJson, Job::SummaryCsv, Job::RejectsCsv]);
    jobs
}

/// One file (or a Shapefile's files) of a run's folder; a layer by its
/// place in the run's layers.
#[derive(Clone, Copy)]
enum Job {
    Layer(usize, Format),
    Style(usize),
    GeoPackage,
    Report,
    SummaryJson,
    SummaryCsv,
    RejectsCsv,
}

impl Job {
    fn render(self, result: &RunResult, layers: &[Layer], lang: words::Lang) -> Result<Vec<OutFile>> {
        let layer = |i: usize| {
            layers
                .get(i)
                .ok_or_else(|| Error::new(ErrorKind::Output, format!("no layer {i} in the run")))
        };
        Ok(match self {
            Job::Layer(i, Format::GeoJson) => {
                let layer = layer(i)?;
                vec![(
                    format!("{}.geojson", layer.name),
                    crate::io::geojson::bytes(layer),
                )]
            }
            Job::Layer(i, Format::Shapefile) => shapefile::files(layer(i)?)?,
            Job::Layer(i, Format::FlatGeobuf) => {
                let layer = layer(i)?;
                vec![(format!("{}.fgb", layer.name), flatgeobuf::bytes(layer)?)]
            }
            // One file for all layers.
            Job::Layer(_, Format::GeoPackage) => Vec::new(),
            Job::Style(i) => {
                let layer = layer(i)?;
                vec![(
                    format!("{}.qml", layer.name),
                    style::qml(layer, result.config.max_travel_min, result.weighting).into_bytes(),
                )]
            }
            Job::GeoPackage => vec![(
                geopackage::FILE.to_string(),
                geopackage::bytes(result, layers)?,
            )],
            Job::Report => vec![(
                "report.html".into(),
                report::html(result, layers, lang).into_bytes(),
            )],
            Job::SummaryJson => vec![(
                "summary.json".into(),
                summary::summary_json_with(result, layers).into_bytes(),
            )],
            Job::SummaryCsv => vec![("summary.csv".into(), summary_csv(result).into_bytes())],
            Job::RejectsCsv => vec![("rejects.csv".into(), rejects_csv(result).into_bytes())],
        })
    }

    /// Writes the job's files into `dir`: a GeoJSON layer as it is
    /// formatted (never whole in memory), the others once rendered.
    fn write(
        self,
        dir: &Path,
        result: &RunResult,
        layers: &[Layer],
        lang: words::Lang,
        delay: Option<Duration>,
    ) -> Result<()> {
        if let Job::Layer(i, Format::GeoJson) = self {
            if let Some(layer) = layers.get(i) {
                let path = dir.join(format!("{}.geojson", layer.name));
                let mut file = fs::File::create(&path).map_err(|e| io_err(&path, e))?;
                crate::io::geojson::write(layer, &mut file).map_err(|e| io_err(&path, e))?;
                pause(delay);
                return Ok(());
            }
        }
        for (name, bytes) in self.render(result, layers, lang)? {
            write_file(dir, &name, &bytes, delay)?;
        }
        Ok(())
    }
}

/// Fault injection for the kill test: `HUBSEL_WRITE_DELAY_MS` slows each
/// file down so a test can stop the run half-way through writing.
fn write_delay() -> Option<Duration> {
    std::env::var("HUBSEL_WRITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
}

fn pause(delay: Option<Duration>) {
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
}

fn write_file(dir: &Path, name: &str, bytes: &[u8], delay: Option<Duration>) -> Result<()> {
    let path = dir.join(name);
    fs::write(&path, bytes).map_err(|e| io_err(&path, e))?;
    pause(delay);
    Ok(())
}

/// What stands in `dir`: nothing (absent or empty), a folder hubsel wrote
/// (and what it holds), or something else.
enum Occupant {
    Nothing,
    Hubsel(FolderKind),
    Other,
}

fn occupant(dir: &Path) -> Occupant {
    match fs::read_dir(dir) {
        Err(_) if !dir.exists() => Occupant::Nothing,
        Err(_) => Occupant::Other,
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Occupant::Nothing;
            }
            match fs::read_to_string(dir.join(MARKER)) {
                Ok(text) => FolderKind::of_marker(&text).map_or(Occupant::Other, Occupant::Hubsel),
                Err(_) => Occupant::Other,
            }
        }
    }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Output, e.to_string()).in_file(path)
}

/// Writes the run into `dir` atomically. Refuses to replace a folder that
/// hubsel did not write unless `options.force`.
///
/// The files are the bytes [`render_in`] gives, each written as soon as it
/// is made, side by side; a GeoJSON layer goes into its file as it is
/// formatted ([`geojson::write`](crate::io::geojson::write)).
pub fn write_run(result: &RunResult, dir: &Path, options: &WriteOptions) -> Result<()> {
    if options.formats.is_empty() {
        return Err(Error::new(ErrorKind::Output, "no output format given"));
    }
    // Check the folder before the work of rendering.
    check_replaceable(dir, FolderKind::Run, options.force)?;
    let layers = layers::layers(result);
    let noted = with_utf8_notes(result, &layers, &options.formats);
    let result = noted.as_ref().unwrap_or(result);
    let delay = write_delay();
    write_folder(dir, FolderKind::Run, options.force, move |tmp| {
        use rayon::prelude::*;
        // The files are independent: made and written side by side. The
        // folder is still a temporary one until every file is in.
        let written = jobs(&options.formats, layers.len())
            .into_par_iter()
            .try_for_each(|job| job.write(tmp, result, &layers, options.lang, delay));
        // The layers (a national run's are millions of vertices and
        // strings) are freed on a worker while the folder is put in place
        // and the previous one removed, rather than one after the other.
        rayon::spawn(move || drop(layers));
        written
    })
}

/// Refuses to replace `dir` unless it is absent, empty, or a folder hubsel
/// wrote that `kind` may replace (or `force`).
pub fn check_replaceable(dir: &Path, kind: FolderKind, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let refuse = |why: String| Err(Error::new(ErrorKind::Output, why).in_file(dir));
    match (occupant(dir), kind) {
        (Occupant::Nothing, _) => Ok(()),
        (Occupant::Other, _) => refuse(
            "folder exists and was not written by hubsel; choose another --out or pass --force"
                .into(),
        ),
        (Occupant::Hubsel(FolderKind::Synth), FolderKind::Synth) => Ok(()),
        (Occupant::Hubsel(FolderKind::Synth), k) => refuse(format!(
            "folder holds a data set written by hubsel synth (the inputs of runs); hubsel {} would replace it: choose another --out, or pass --force",
            k.as_str()
        )),
        (Occupant::Hubsel(FolderKind::Run), FolderKind::Validate) => refuse(
            "folder holds the result of a hubsel run; hubsel validate writes only rejects.csv and would replace it: choose another --out (validate writes to `validate` by default), or pass --force"
                .into(),
        ),
        (Occupant::Hubsel(_), _) => Ok(()),
    }
}

/// Writes named files into `dir` through a temporary sibling folder, with
/// the marker of `kind`.
pub fn write_files(files: &[OutFile], dir: &Path, kind: FolderKind, force: bool) -> Result<()> {
    let delay = write_delay();
    write_folder(dir, kind, force, |tmp| {
        use rayon::prelude::*;
        // The files are independent: written side by side. The folder is
        // still a temporary one until every file is in.
        files
            .par_iter()
            .try_for_each(|(file, bytes)| write_file(tmp, file, bytes, delay))
    })
}

/// Fills a temporary sibling folder of `dir` with `fill`, adds the marker
/// of `kind`, and moves it into place (replacing what `kind` may replace):
/// the folder is never missing or half written, whenever the process stops.
pub fn write_folder(
    dir: &Path,
    kind: FolderKind,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    check_replaceable(dir, kind, force)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| io_err(&parent, e))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    recover_abandoned(&parent, &name, dir);
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(|e| io_err(&tmp, e))?;
    if let Err(e) = fill(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let marker = tmp.join(MARKER);
    if let Err(e) = fs::write(&marker, kind.marker()) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_err(&marker, e));
    }

    if dir.exists() {
        // Swap the complete new folder and the old one in one step, so the
        // folder is never missing or half written, whenever the run stops.
        if exchange(&tmp, dir).is_ok() {
            let _ = fs::remove_dir_all(&tmp);
            return Ok(());
        }
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(dir, &old).map_err(|e| io_err(dir, e))?;
        if let Err(e) = fs::rename(&tmp, dir) {
            // Put the previous result back before reporting.
            let _ = fs::rename(&old, dir);
            return Err(io_err(dir, e));
        }
        let _ = fs::remove_dir_all(&old);
        return Ok(());
    }
    fs::rename(&tmp, dir).map_err(|e| io_err(dir, e))
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the
    // call; AT_FDCWD resolves them against the working directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "no atomic exchange on this system",
    ))
}

/// Cleans up after runs that were killed while writing `dir`: their
/// temporary folders go, and a previous result a killed run had moved
/// aside (on systems without an atomic exchange) comes back.
fn recover_abandoned(parent: &Path, name: &str, dir: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    // Only Linux tells (through /proc) whether a process still runs;
    // elsewhere every other run's folders are left alone.
    let alive = |pid: &str| {
        !cfg!(target_os = "linux")
            || pid
                .parse::<u32>()
                .is_ok_and(|p| p == std::process::id() || Path::new("/proc").join(pid).exists())
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = file.strip_prefix(&format!(".{name}.tmp-")) {
            if !alive(pid) {
                let _ = fs::remove_dir_all(entry.path());
            }
        } else if let Some(pid) = file.strip_prefix(&format!(".{name}.old-")) {
            if !alive(pid) {
                if dir.exists() {
                    let _ = fs::remove_dir_all(entry.path());
                } else {
                    let _ = fs::rename(entry.path(), dir);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_layers_stream_the_bytes_the_json_values_gave() {
        use hubsel_testkit::geojson::through_values;
        let config = crate::scenario::default_scenario().unwrap();
        let inputs =
            crate::io::load(&crate::fixture::province(), &crate::io::ReadOptions::default()).unwrap();
        let result = crate::pipeline::run(inputs, &config, &crate::progress::Silent).unwrap();
        for layer in layers::layers(&result) {
            let reference = through_values(&layer);
            assert_eq!(crate::io::geojson::text(&layer), reference, "{}", layer.name);
        }
    }

    #[test]
    fn formats_parse_as_a_sorted_unique_list() {
        assert_eq!(
            Format::parse_list("fgb,GeoJSON,shp,fgb").unwrap(),
            vec![Format::GeoJson, Format::Shapefile, Format::FlatGeobuf]
        );
        assert_eq!(
            Format::parse_list("shapefile").unwrap(),
            vec![Format::Shapefile]
        );
        assert_eq!(
            Format::parse_list("GeoPackage,geojson").unwrap(),
            vec![Format::GeoJson, Format::GeoPackage]
        );
        assert_eq!(Format::parse("gpkg"), Some(Format::GeoPackage));
        assert!(Format::parse_list("kml")
            .unwrap_err()
            .message()
            .contains("\"kml\""));
        assert!(Format::parse_list(" , ").is_err());
    }
}
