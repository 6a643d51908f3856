//! The planner's own data in the workbench: the uploads kept in the
//! session folder ([`crate::upload`]), their preview with the column
//! mapping, and the load that replaces the workbench's data (with its
//! progress, cancelled when the page stops waiting).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hubsel::error::{Error, ErrorKind, Result};
use hubsel::io::schools::SchoolColumns;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::progress::{Cancel, Progress, Stage};
use serde_json::{json, Value};

use crate::upload::{self, Limits, Refused, Role};

/// One stored upload.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The file's name as the planner gave it (its last part).
    pub name: String,
    /// Its format (extension).
    pub ext: String,
    /// The file to read: the upload itself, or the layer unpacked from it.
    pub path: PathBuf,
    pub bytes: u64,
    /// What the page is told about it (a Shapefile's system and code page).
    pub facts: Vec<String>,
    /// A districts file's provinces, for the picker (empty when it has
    /// one, or cannot be read before a load, which then says why).
    pub provinces: Vec<hubsel::model::Province>,
}

/// The provinces as the page shows them.
pub fn provinces_json(provinces: &[hubsel::model::Province]) -> Value {
    provinces
        .iter()
        .map(|p| json!({"code": p.code, "name": p.name, "districts": p.districts}))
        .collect()
}

/// The session folder and what is in it.
pub struct Session {
    /// `None` when no temporary folder could be made: every upload then
    /// fails to be written, with the reason.
    dir: Option<tempfile::TempDir>,
    pub limits: Limits,
    files: Mutex<BTreeMap<Role, Stored>>,
    /// The load running now, for `/api/progress`.
    pub loading: Mutex<Option<Arc<Loading>>>,
}

impl Session {
    pub fn new(limits: Limits) -> Session {
        Session {
            dir: tempfile::Builder::new()
                .prefix("hubsel-serve-")
                .tempdir()
                .ok(),
            limits,
            files: Mutex::new(BTreeMap::new()),
            loading: Mutex::new(None),
        }
    }

    /// The session folder.
    fn root(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or(Path::new("/nonexistent/hubsel-serve-session"), |d| d.path())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Role, Stored>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where an upload of `role` is written: a name the server chooses.
    pub fn upload_path(&self, role: Role, ext: &str) -> PathBuf {
        self.root()
            .join(role.as_str())
            .join(format!("upload.{ext}"))
    }

    /// Bytes the session may still take for one file: the file budget,
    /// less what the other roles' files hold beyond the session budget.
    pub fn room(&self, role: Role) -> u64 {
        let others: u64 = Role::all()
            .into_iter()
            .filter(|r| *r != role)
            .map(|r| upload::folder_bytes(&self.root().join(r.as_str())))
            .sum();
        self.limits
            .file
            .min(self.limits.session.saturating_sub(others))
    }

    /// Forgets `role`'s upload and deletes its files (before a new one).
    pub fn clear(&self, role: Role) {
        self.lock().remove(&role);
        let _ = std::fs::remove_dir_all(self.root().join(role.as_str()));
    }

    /// Keeps a finished upload: a zip is unpacked first.
    pub fn keep(
        &self,
        role: Role,
        name: &str,
        ext: &str,
        bytes: u64,
    ) -> std::result::Result<Stored, Refused> {
        let written = self.upload_path(role, ext);
        let (path, facts) = if ext == "zip" {
            let dest = self.root().join(role.as_str()).join("unzipped");
            let unpacked = upload::unzip(&written, &dest, name, &self.limits);
            let _ = std::fs::remove_file(&written);
            let unpacked = unpacked?;
            let mut facts = vec![format!("files: {}", unpacked.files.join(", "))];
            if upload::extension(&unpacked.main.to_string_lossy()) == "shp" {
                facts.extend(upload::shapefile_facts(&unpacked.main));
            }
            (unpacked.main, facts)
        } else {
            (written, Vec::new())
        };
        // National districts: the provinces to pick from, read as a load
        // would read them (within the same budgets: the file's size was
        // checked on upload, its reading checks the memory).
        let provinces = match role {
            Role::Districts => {
                hubsel::io::district_provinces(&Source::File(&path), &ReadOptions::default())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
        let stored = Stored {
            name: upload::public_name(name),
            ext: ext.to_string(),
            path,
            bytes,
            facts,
            provinces,
        };
        self.lock().insert(role, stored.clone());
        Ok(stored)
    }

    pub fn stored(&self, role: Role) -> Option<Stored> {
        self.lock().get(&role).cloned()
    }

    /// The session's files, for the page.
    pub fn json(&self) -> Value {
        let files = self.lock();
        let mut out = serde_json::Map::new();
        for (role, s) in files.iter() {
            out.insert(
                role.as_str().into(),
                json!({"name": s.name, "bytes": s.bytes, "facts": s.facts,
                       "provinces": provinces_json(&s.provinces)}),
            );
        }
        json!({
            "files": out,
            "limits": {"file": self.limits.file, "session": self.limits.session,
                       "unzipped": self.limits.unzipped, "ratio": self.limits.ratio},
        })
    }

    /// Replaces the session folder's path in a message by nothing: no
    /// answer names a server path.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for role in Role::all() {
            let dir = self.root().join(role.as_str());
            for sub in ["unzipped/", ""] {
                out = out.replace(&format!("{}/{sub}", dir.display()), "");
            }
        }
        out.replace(&self.root().display().to_string(), "")
    }
}

impl Role {
    pub fn all() -> [Role; 3] {
        [Role::Schools, Role::Districts, Role::Roads]
    }
}

/// A load's progress, read by `/api/progress` while it runs.
#[derive(Default)]
pub struct Loading {
    stage: Mutex<&'static str>,
    done: AtomicU64,
    total: AtomicU64,
    pub cancel: Cancel,
}

impl Loading {
    pub fn json(&self) -> Value {
        let stage = *self.stage.lock().unwrap_or_else(PoisonError::into_inner);
        json!({"stage": stage, "done": self.done.load(Ordering::Relaxed),
               "total": self.total.load(Ordering::Relaxed)})
    }
}

impl Progress for Loading {
    fn start(&self, stage: Stage, total: u64) {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner) = stage.as_str();
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    fn finish(&self, _stage: Stage, _elapsed: Duration) {
        self.done
            .store(self.total.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// The school columns the planner chose (field → column) over the
/// defaults, as `--…-column` flags and a `[columns]` table would.
pub fn school_columns(
    mapping: &BTreeMap<String, String>,
    levels: &hubsel::scenario::Config,
) -> Result<SchoolColumns> {
    let mut columns = SchoolColumns::default();
    let mut config = levels.clone();
    config.columns = mapping
        .iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(f, c)| (f.clone(), c.trim().to_string()))
        .collect();
    config.apply_to_columns(&mut columns)?;
    Ok(columns)
}

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 8;

/// The schools' preview: the header, the first rows, the column each field
/// would be read from with `mapping`, and the coordinate system found.
pub fn preview(
    stored: &Stored,
    mapping: &BTreeMap<String, String>,
    config: &hubsel::scenario::Config,
) -> Result<Value> {
    let bytes = hubsel::io::read_file(&stored.path)?;
    let (headers, rows): (Vec<String>, Vec<Vec<String>>) = match stored.ext.as_str() {
        "xlsx" | "xls" | "ods" => {
            let sheet = hubsel::io::xlsx::read_sheet(&bytes, &stored.name)?;
            (
                sheet.headers,
                sheet.rows.into_iter().map(|r| r.cells).collect(),
            )
        }
        "csv" | "txt" => csv_rows(&bytes),
        _ => {
            return Ok(json!({"headers": [], "rows": [], "fields": [],
                "crs": "the file's own (a layer with geometry)", "geometry": true}))
        }
    };
    let columns = school_columns(mapping, config)?;
    let lists: [(&str, &Vec<String>); 9] = [
        ("id", &columns.id),
        ("name", &columns.name),
        ("lon", &columns.lon),
        ("lat", &columns.lat),
        ("district", &columns.district),
        ("level", &columns.level),
        ("students", &columns.students),
        ("teachers", &columns.teachers),
        ("classrooms", &columns.classrooms),
    ];
    let find = |wanted: &[String]| {
        wanted
            .iter()
            .find_map(|w| headers.iter().find(|h| h.eq_ignore_ascii_case(w)).cloned())
    };
    let mut fields: Vec<Value> = lists
        .iter()
        .map(|(f, wanted)| json!({"field": f, "column": find(wanted), "given": mapping.contains_key(*f)}))
        .collect();
    for c in &config.criteria {
        if let hubsel::scenario::Measure::Field(field) = &c.measure {
            let column = headers
                .iter()
                .find(|h| h.eq_ignore_ascii_case(field))
                .cloned();
            let l = hubsel::scenario::labels::label(&c.key());
            let label = json!({"en": l.en, "th": l.th});
            let row = json!({"field": field, "column": column, "criterion": true, "label": label});
            fields.push(row);
        }
    }
    let col = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| headers.iter().position(|h| h == n))
    };
    let (x, y) = (col(&find(&columns.lon)), col(&find(&columns.lat)));
    let crs = crs_found(&rows, x, y);
    let shown: Vec<&Vec<String>> = rows.iter().take(PREVIEW_ROWS).collect();
    Ok(
        json!({"headers": headers, "rows": shown, "count": rows.len(), "fields": fields, "crs": crs, "geometry": false}),
    )
}

/// The coordinate system the position columns look like: degrees, metres
/// (a projected system to choose), or none found.
fn crs_found(rows: &[Vec<String>], x: Option<usize>, y: Option<usize>) -> Value {
    let (Some(x), Some(y)) = (x, y) else {
        return json!({"kind": "none"});
    };
    let mut degrees = 0;
    let mut metres = 0;
    for r in rows {
        let get = |i: usize| r.get(i).and_then(|v| hubsel::io::parse_decimal(v));
        if let (Some(a), Some(b)) = (get(x), get(y)) {
            if a.abs() <= 180.0 && b.abs() <= 90.0 {
                degrees += 1;
            } else {
                metres += 1;
            }
        }
    }
    let kind = if metres > degrees {
        "metres"
    } else if degrees > 0 {
        "degrees"
    } else {
        "none"
    };
    json!({"kind": kind, "degrees": degrees, "metres": metres})
}

/// A CSV's header and rows, for the preview (the reader proper is the
/// engine's).
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let delimiter = hubsel::io::csv::sniff_delimiter(bytes).byte() as char;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let split = |l: &str| -> Vec<String> {
        l.split(delimiter)
            .map(|c| c.trim_matches('"').trim().to_string())
            .collect()
    };
    let headers = lines.next().map(split).unwrap_or_default();
    let rows = lines.map(split).collect();
    (headers, rows)
}

/// The three uploads as the engine reads them: spreadsheets, GeoJSON,
/// GeoPackages and PBF as bytes named as the planner named them (so
/// rejects say the planner's file), Shapefiles from their unpacked files.
pub struct Loaded {
    pub bytes: Vec<(Role, Vec<u8>)>,
    pub stored: BTreeMap<Role, Stored>,
}

impl Loaded {
    pub fn read(session: &Session) -> Result<Loaded> {
        let mut stored = BTreeMap::new();
        let mut missing = Vec::new();
        for role in Role::all() {
            match session.stored(role) {
                Some(s) => {
                    stored.insert(role, s);
                }
                None => missing.push(role.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "upload the {} first: a run needs schools, districts and roads",
                    missing.join(" and ")
                ),
            ));
        }
        let mut bytes = Vec::new();
        for (role, s) in &stored {
            if upload::extension(&s.path.to_string_lossy()) != "shp" {
                bytes.push((*role, hubsel::io::read_file(&s.path)?));
            }
        }
        Ok(Loaded { bytes, stored })
    }

    /// The sources, with each file's name as the planner gave it (a zip's
    /// layer by its name inside the zip, read from its files).
    pub fn sources(&self) -> Result<InputSources<'_>> {
        let source = |role: Role| -> Result<Source<'_>> {
            let s = self.stored.get(&role).ok_or_else(|| {
                Error::new(ErrorKind::Input, format!("no {} file", role.as_str()))
            })?;
            Ok(match self.bytes.iter().find(|(r, _)| *r == role) {
                Some((_, b)) => Source::Bytes {
                    name: if s.ext == "zip" {
                        file_name(&s.path)
                    } else {
                        &s.name
                    },
                    bytes: b,
                },
                None => Source::File(&s.path),
            })
        };
        Ok(InputSources {
            schools: source(Role::Schools)?,
            roads: source(Role::Roads)?,
            districts: source(Role::Districts)?,
        })
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("layer")
}

/// Reading options for the uploads: the planner's column mapping and
/// coordinate system over `base`'s `[levels]`.
pub fn read_options(
    mapping: &BTreeMap<String, String>,
    crs: Option<&str>,
    base: &hubsel::scenario::Config,
) -> Result<ReadOptions> {
    let mut options = ReadOptions {
        school_columns: school_columns(mapping, base)?,
        ..ReadOptions::default()
    };
    if let Some(c) = crs.map(str::trim).filter(|c| !c.is_empty()) {
        options.crs = Some(hubsel::io::crs::Crs::parse(c)?);
    }
    Ok(options)
}

/// The `hubsel run` command that reads the same files the same way: each
/// column the planner named as its flag.
pub fn command(
    stored: &BTreeMap<Role, Stored>,
    mapping: &BTreeMap<String, String>,
    crs: Option<&str>,
    provinces: &[String],
) -> String {
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_alphanumeric() || "._-:/,".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut cmd = "hubsel run".to_string();
    for role in Role::all() {
        if let Some(s) = stored.get(&role) {
            let name = if s.ext == "zip" {
                file_name(&s.path).to_string()
            } else {
                s.name.clone()
            };
            cmd.push_str(&format!(" --{} {}", role.as_str(), quote(&name)));
        }
    }
    if let Some(c) = crs.filter(|c| !c.trim().is_empty()) {
        cmd.push_str(&format!(" --crs {}", quote(c.trim())));
    }
    for (field, column) in mapping {
        if !column.trim().is_empty() {
            cmd.push_str(&format!(" --{field}-col {}", quote(column.trim())));
        }
    }
    if !provinces.is_empty() {
        cmd.push_str(&format!(" --province {}", quote(&provinces.join(","))));
    }
    cmd
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Two provinces' districts (Chiang Mai 50 named, Lamphun 51 not).
    const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"amp_code":"5001","pro_th":"เชียงใหม่"},
 "geometry":{"type":"Polygon","coordinates":[[[98.9,18.7],[99.0,18.7],[99.0,18.8],[98.9,18.8],[98.9,18.7]]]}},
{"type":"Feature","properties":{"amp_code":"5101"},
 "geometry":{"type":"Polygon","coordinates":[[[99.0,18.5],[99.1,18.5],[99.1,18.6],[99.0,18.6],[99.0,18.5]]]}}]}"#;

    #[test]
    fn a_districts_upload_lists_its_provinces_for_the_picker() {
        let session = Session::new(Limits::default());
        let path = session.upload_path(Role::Districts, "geojson");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, DISTRICTS).unwrap();
        let stored = session
            .keep(Role::Districts, "อำเภอ.geojson", "geojson", 10)
            .unwrap();
        let got: Vec<(&str, Option<&str>, usize)> = stored
            .provinces
            .iter()
            .map(|p| (p.code.as_str(), p.name.as_deref(), p.districts))
            .collect();
        assert_eq!(got, [("50", Some("เชียงใหม่"), 1), ("51", None, 1)]);
        let j = session.json();
        assert_eq!(j["files"]["districts"]["provinces"][0]["name"], "เชียงใหม่");
        assert_eq!(j["files"]["districts"]["provinces"][1]["name"], Value::Null);
        // A file that is no districts layer lists none (the load says why).
        std::fs::write(&path, "{}").unwrap();
        let stored = session
            .keep(Role::Districts, "x.geojson", "geojson", 2)
            .unwrap();
        assert!(stored.provinces.is_empty());
        // The picked provinces go into the command that reproduces the run.
        let mut files = BTreeMap::new();
        files.insert(Role::Districts, stored);
        let cmd = command(&files, &BTreeMap::new(), None, &["50".into(), "51".into()]);
        assert_eq!(cmd, "hubsel run --districts x.geojson --province 50,51");
        assert!(!command(&files, &BTreeMap::new(), None, &[]).contains("--province"));
    }
}
