//! The planner's own files (the "Your data" panel): each upload is written
//! into the server's session folder (a fresh temporary folder, removed
//! when the server stops) under a name the server chooses, never one the
//! request gives, so nothing outside that folder is read or written.
//!
//! Budgets: a file over [`Limits::file`] bytes is refused (413) before it
//! is written when its `Content-Length` says so, else as soon as it passes
//! the limit, and its part is deleted; the session folder holds at most
//! [`Limits::session`] bytes. A zipped Shapefile is unpacked only when
//! every entry is a plain file with a relative path that stays inside the
//! folder (no `..`, no absolute path, no symlink), there are at most
//! [`Limits::entries`] entries, and the unpacked bytes stay under
//! [`Limits::unzipped`] and [`Limits::ratio`] times the zip's size
//! (counted while unpacking: a zip's stated sizes may lie).

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The upload budgets.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Bytes of one uploaded file.
    pub file: u64,
    /// Bytes in the session folder at once (uploads and unpacked files).
    pub session: u64,
    /// Bytes a zip may unpack to.
    pub unzipped: u64,
    /// Unpacked bytes per zipped byte, at most (zip bombs compress
    /// thousands of times).
    pub ratio: u64,
    /// Entries of a zip.
    pub entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file: 1 << 30,
            session: 3 << 30,
            unzipped: 1 << 30,
            ratio: 200,
            entries: 256,
        }
    }
}

/// The three inputs a planner brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Schools,
    Districts,
    Roads,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "schools" => Some(Role::Schools),
            "districts" => Some(Role::Districts),
            "roads" => Some(Role::Roads),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Schools => "schools",
            Role::Districts => "districts",
            Role::Roads => "roads",
        }
    }

    /// The file formats the role takes, by extension (`zip`: a zipped
    /// Shapefile).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Role::Schools => &[
                "csv", "txt", "xlsx", "xls", "ods", "gpkg", "geojson", "json",
            ],
            Role::Districts => &["zip", "geojson", "json", "gpkg"],
            Role::Roads => &["pbf", "zip", "geojson", "json", "gpkg"],
        }
    }
}

/// Why an upload was refused: the HTTP status it gets and the message the
/// page shows.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub message: String,
}

fn refused(status: u16, message: impl Into<String>) -> Refused {
    Refused {
        status,
        message: message.into(),
    }
}

/// A file name as the page may be told it and as messages and rejects
/// name it: its last part, without control characters; `upload` when
/// nothing is left.
pub fn public_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "upload".to_string()
    } else {
        clean.chars().take(200).collect()
    }
}

/// The format of a file by its name: its extension, lower case
/// (`osm.pbf` → `pbf`).
pub fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Checks a file's name against the role before any byte is written.
pub fn check_name(role: Role, name: &str) -> Result<String, Refused> {
    let ext = extension(name);
    if role.extensions().contains(&ext.as_str()) {
        Ok(ext)
    } else {
        Err(refused(
            415,
            format!(
                "{}: {} cannot be read from a .{ext} file (it takes: {})",
                public_name(name),
                role.as_str(),
                role.extensions()
                    .iter()
                    .map(|e| if *e == "zip" {
                        ".zip (a zipped Shapefile)".to_string()
                    } else {
                        format!(".{e}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// The bytes a folder's files hold (not following symlinks).
pub fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// One file being written: counts its bytes against the budget and is
/// deleted when dropped before [`Writing::finish`].
pub struct Writing {
    path: PathBuf,
    file: Option<fs::File>,
    written: u64,
    budget: u64,
    name: String,
}

impl Writing {
    /// Starts `path` (created anew) with room for `budget` bytes.
    pub fn create(path: &Path, budget: u64, name: &str) -> Result<Writing, Refused> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| refused(500, format!("cannot store the upload: {e}")))?;
        }
        let file = fs::File::create(path)
            .map_err(|e| refused(500, format!("cannot store the upload: {e}")))?;
        Ok(Writing {
            path: path.to_path_buf(),
            file: Some(file),
            written: 0,
            budget,
            name: name.to_string(),
        })
    }

    /// Appends a chunk; refused (and the part deleted on drop) once the
    /// file passes its budget.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Refused> {
        self.written += chunk.len() as u64;
        if self.written > self.budget {
            return Err(too_large(&self.name, self.budget));
        }
        match self.file.as_mut() {
            Some(f) => f
                .write_all(chunk)
                .map_err(|e| refused(500, format!("cannot store the upload: {e}"))),
            None => Err(refused(500, "the upload is already closed")),
        }
    }

    /// Closes the file and keeps it; its size.
    pub fn finish(mut self) -> Result<u64, Refused> {
        if let Some(f) = self.file.take() {
            f.sync_all()
                .map_err(|e| refused(500, format!("cannot store the upload: {e}")))?;
        }
        let n = self.written;
        self.path = PathBuf::new();
        Ok(n)
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        self.file.take();
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The refusal of a file over `limit` bytes.
pub fn too_large(name: &str, limit: u64) -> Refused {
    refused(
        413,
        format!(
            "{}: the file is larger than the workbench takes ({} MB); nothing of it was kept",
            public_name(name),
            limit >> 20
        ),
    )
}

/// What a zip unpacked to: the file to read (a `.shp`, or a GeoJSON or
/// GeoPackage inside the zip) and the names of every file.
#[derive(Debug)]
pub struct Unpacked {
    pub main: PathBuf,
    pub files: Vec<String>,
}

/// An entry's name as written in the zip, when it may be unpacked: a
/// relative path without `..`, not absolute, not a drive.
fn safe_entry_name(raw: &str) -> Result<(), String> {
    let unified = raw.replace('\\', "/");
    if unified.starts_with('/') || unified.get(1..2) == Some(":") {
        return Err(format!("{raw:?} is an absolute path"));
    }
    if unified.split('/').any(|p| p == "..") {
        return Err(format!("{raw:?} leads out of the folder (..)"));
    }
    Ok(())
}

/// Unpacks a zipped Shapefile (or a zipped GeoJSON / GeoPackage) into
/// `dest` (flat: each file under its own last name, extension in lower
/// case), within `limits`; refused, with `dest` removed, when the zip is
/// malformed, unsafe, a bomb, or holds no readable layer or a Shapefile
/// without its `.dbf`.
pub fn unzip(
    zip_path: &Path,
    dest: &Path,
    name: &str,
    limits: &Limits,
) -> Result<Unpacked, Refused> {
    let out = unzip_inner(zip_path, dest, name, limits);
    if out.is_err() {
        let _ = fs::remove_dir_all(dest);
    }
    out
}

fn bad_zip(name: &str, why: impl std::fmt::Display) -> Refused {
    refused(422, format!("{}: {why}", public_name(name)))
}

fn unzip_inner(
    zip_path: &Path,
    dest: &Path,
    name: &str,
    limits: &Limits,
) -> Result<Unpacked, Refused> {
    let file = fs::File::open(zip_path).map_err(|e| bad_zip(name, format!("cannot open: {e}")))?;
    let zipped = file.metadata().map_or(0, |m| m.len()).max(1);
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| bad_zip(name, format!("not a readable zip archive ({e})")))?;
    if archive.len() > limits.entries {
        return Err(bad_zip(
            name,
            format!(
                "the zip holds {} entries (at most {})",
                archive.len(),
                limits.entries
            ),
        ));
    }
    // The stated sizes first: a bomb that says what it is is refused
    // before a byte is unpacked.
    let budget = limits
        .unzipped
        .min(zipped.saturating_mul(limits.ratio).max(1 << 20));
    let mut stated: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| bad_zip(name, format!("a broken entry ({e})")))?;
        safe_entry_name(entry.name())
            .map_err(|why| bad_zip(name, format!("refused: the entry {why}")))?;
        if entry.is_symlink() {
            return Err(bad_zip(
                name,
                format!("refused: the entry {:?} is a symbolic link", entry.name()),
            ));
        }
        stated = stated.saturating_add(entry.size());
    }
    if stated > budget {
        return Err(bomb(name, stated, zipped, budget));
    }
    fs::create_dir_all(dest).map_err(|e| bad_zip(name, format!("cannot unpack: {e}")))?;
    let mut written: u64 = 0;
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad_zip(name, format!("a broken entry ({e})")))?;
        if entry.is_dir() {
            continue;
        }
        let Some(inner) = entry.enclosed_name() else {
            return Err(bad_zip(
                name,
                format!(
                    "refused: the entry {:?} leads out of the folder",
                    entry.name()
                ),
            ));
        };
        let last = inner
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        // macOS's resource forks (__MACOSX/._x.shp) are no layers.
        if last.is_empty() || last.starts_with("._") {
            continue;
        }
        let ext = extension(&last);
        let stem = last[..last.len() - ext.len()]
            .trim_end_matches('.')
            .to_string();
        let flat = if ext.is_empty() {
            stem.clone()
        } else {
            format!("{stem}.{ext}")
        };
        if files.contains_key(&flat) {
            return Err(bad_zip(name, format!("two entries are named {flat:?}")));
        }
        let path = dest.join(&flat);
        let mut out =
            fs::File::create(&path).map_err(|e| bad_zip(name, format!("cannot unpack: {e}")))?;
        let left = budget - written;
        let n = std::io::copy(&mut (&mut entry).take(left + 1), &mut out)
            .map_err(|e| bad_zip(name, format!("the entry {flat:?} is broken ({e})")))?;
        written += n;
        if written > budget {
            return Err(bomb(name, written, zipped, budget));
        }
        files.insert(flat, path);
    }
    main_layer(name, &files)
}

fn bomb(name: &str, unpacked: u64, zipped: u64, budget: u64) -> Refused {
    bad_zip(
        name,
        format!(
            "refused as a zip bomb: it unpacks to more than {} MB ({} bytes from {} zipped; at most {} MB and {}× its size)",
            budget >> 20,
            unpacked,
            zipped,
            Limits::default().unzipped >> 20,
            Limits::default().ratio
        ),
    )
}

/// The layer a zip holds: its one `.shp` (with the `.dbf` beside it), or
/// else its one GeoJSON or GeoPackage.
fn main_layer(name: &str, files: &BTreeMap<String, PathBuf>) -> Result<Unpacked, Refused> {
    let listed: Vec<String> = files.keys().cloned().collect();
    let with =
        |ext: &str| -> Vec<&String> { files.keys().filter(|f| extension(f) == ext).collect() };
    let shps = with("shp");
    let main = match shps.as_slice() {
        [one] => {
            let stem = &one[..one.len() - 4];
            for (part, why) in [
                ("dbf", "its attributes (codes, names, classes)"),
                ("shx", "its index"),
            ] {
                if !files.contains_key(&format!("{stem}.{part}")) {
                    return Err(bad_zip(
                        name,
                        format!(
                            "the Shapefile {one} has no {stem}.{part} beside it ({why}); zip the .shp, .shx, .dbf, .prj and .cpg together (the zip holds: {})",
                            listed.join(", ")
                        ),
                    ));
                }
            }
            files[*one].clone()
        }
        [] => {
            let others: Vec<&String> = ["geojson", "json", "gpkg"]
                .iter()
                .flat_map(|e| with(e))
                .collect();
            match others.as_slice() {
                [one] => files[*one].clone(),
                _ => {
                    return Err(bad_zip(
                        name,
                        format!(
                            "no Shapefile (.shp) in the zip (it holds: {})",
                            if listed.is_empty() {
                                "nothing".to_string()
                            } else {
                                listed.join(", ")
                            }
                        ),
                    ))
                }
            }
        }
        many => {
            return Err(bad_zip(
                name,
                format!(
                    "the zip holds {} Shapefiles ({}); zip one layer per upload",
                    many.len(),
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    };
    Ok(Unpacked {
        main,
        files: listed,
    })
}

/// What the page is told about a stored layer's files: the `.prj`'s
/// coordinate system name and the DBF's code page (the `.cpg`, else the
/// DBF header's language driver byte), as `hubsel run` reads them.
pub fn shapefile_facts(shp: &Path) -> Vec<String> {
    let mut facts = Vec::new();
    match fs::read_to_string(shp.with_extension("prj")) {
        Ok(wkt) => {
            let name = wkt
                .split('"')
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| wkt.chars().take(60).collect());
            facts.push(format!("coordinate system (.prj): {name}"));
        }
        Err(_) => facts
            .push("no .prj: the coordinate system is taken as WGS 84 unless you choose one".into()),
    }
    if let Ok(cpg) = fs::read_to_string(shp.with_extension("cpg")) {
        facts.push(format!("text encoding (.cpg): {}", cpg.trim()));
    } else if let Ok(mut f) = fs::File::open(shp.with_extension("dbf")) {
        let mut head = [0u8; 32];
        if f.read_exact(&mut head).is_ok() {
            let ldid = head[29];
            let what = match ldid {
                0 => "none (read as UTF-8)".to_string(),
                0x57 => "0x57, ANSI (read as UTF-8)".to_string(),
                n => format!("0x{n:02x}"),
            };
            facts.push(format!("text encoding (DBF language driver): {what}"));
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            w.start_file(*name, o).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn unzip_bytes(
        bytes: &[u8],
        limits: &Limits,
    ) -> (tempfile::TempDir, Result<Unpacked, Refused>) {
        let tmp = tempfile::tempdir().unwrap();
        let z = tmp.path().join("up.zip");
        fs::write(&z, bytes).unwrap();
        let out = unzip(&z, &tmp.path().join("x"), "d.zip", limits);
        (tmp, out)
    }

    #[test]
    fn a_shapefile_zip_unpacks_flat_with_lower_case_extensions() {
        let z = zip_of(&[
            ("amphoe/A.SHP", b"s"),
            ("amphoe/A.SHX", b"x"),
            ("amphoe/A.DBF", b"d"),
            ("amphoe/A.prj", b"PROJCS[\"WGS_1984_UTM_Zone_47N\"]"),
            ("__MACOSX/amphoe/._A.SHP", b"junk"),
        ]);
        let (tmp, out) = unzip_bytes(&z, &Limits::default());
        let u = out.unwrap();
        assert_eq!(u.main, tmp.path().join("x/A.shp"));
        assert_eq!(u.files, ["A.dbf", "A.prj", "A.shp", "A.shx"]);
        assert!(shapefile_facts(&u.main)[0].contains("WGS_1984_UTM_Zone_47N"));
    }

    #[test]
    fn parent_and_absolute_paths_are_refused_and_nothing_is_written_outside() {
        for bad in [
            "../evil.shp",
            "a/../../evil.shp",
            "/tmp/evil.shp",
            "..\\evil.shp",
            "C:/evil.shp",
        ] {
            let z = zip_of(&[(bad, b"s"), ("a.shx", b"x"), ("a.dbf", b"d")]);
            let (tmp, out) = unzip_bytes(&z, &Limits::default());
            let e = out.unwrap_err();
            assert_eq!(e.status, 422, "{bad}");
            assert!(e.message.contains("refused"), "{bad}: {}", e.message);
            assert!(!tmp.path().join("evil.shp").exists());
            assert!(!tmp.path().join("x").exists(), "the folder is removed");
        }
    }

    #[test]
    fn a_symlink_entry_is_refused() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.add_symlink("a.dbf", "/etc/passwd", SimpleFileOptions::default())
            .unwrap();
        w.start_file("a.shp", SimpleFileOptions::default()).unwrap();
        let z = w.finish().unwrap().into_inner();
        let (_tmp, out) = unzip_bytes(&z, &Limits::default());
        assert!(out.unwrap_err().message.contains("symbolic link"));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_fills_the_disk() {
        // 50 MB of zeros deflate to about 50 kB: a ratio of 1000.
        let zeros = vec![0u8; 50 << 20];
        let z = zip_of(&[("a.shp", &zeros), ("a.shx", b"x"), ("a.dbf", b"d")]);
        assert!(z.len() < 1 << 20);
        let (tmp, out) = unzip_bytes(&z, &Limits::default());
        let e = out.unwrap_err();
        assert!(e.message.contains("zip bomb"), "{}", e.message);
        assert!(folder_bytes(tmp.path()) < 2 << 20, "nothing unpacked");
    }

    /// Writes `size` as the uncompressed size of every entry, in the
    /// local headers and the central directory: a zip that lies.
    fn lie_about_sizes(zip: &mut [u8], size: u32) {
        for i in 0..zip.len().saturating_sub(46) {
            let at = match &zip[i..i + 4] {
                b"PK\x03\x04" => i + 22,
                b"PK\x01\x02" => i + 24,
                _ => continue,
            };
            zip[at..at + 4].copy_from_slice(&size.to_le_bytes());
        }
    }

    #[test]
    fn a_bomb_that_lies_about_its_size_is_stopped_while_unpacking() {
        let zeros = vec![0u8; 8 << 20];
        let mut z = zip_of(&[("a.shp", &zeros), ("a.shx", b"x"), ("a.dbf", b"d")]);
        lie_about_sizes(&mut z, 1000);
        let limits = Limits {
            unzipped: 2 << 20,
            ..Limits::default()
        };
        let (tmp, out) = unzip_bytes(&z, &limits);
        let e = out.unwrap_err();
        assert_eq!(e.status, 422, "{}", e.message);
        assert!(folder_bytes(tmp.path()) < 3 << 20, "stopped at the budget");
        assert!(!tmp.path().join("x").exists());
    }

    #[test]
    fn a_shapefile_without_its_dbf_is_named_clearly() {
        let z = zip_of(&[
            ("roads.shp", b"s"),
            ("roads.shx", b"x"),
            ("roads.prj", b"p"),
        ]);
        let (_tmp, out) = unzip_bytes(&z, &Limits::default());
        let e = out.unwrap_err();
        assert!(
            e.message.contains("has no roads.dbf beside it"),
            "{}",
            e.message
        );
        let (_tmp, out) = unzip_bytes(b"not a zip", &Limits::default());
        assert!(out.unwrap_err().message.contains("not a readable zip"));
    }

    #[test]
    fn a_file_over_its_budget_is_refused_and_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("s/up.csv");
        let mut w = Writing::create(&p, 10, "big.csv").unwrap();
        w.write(b"0123456789").unwrap();
        let e = w.write(b"x").unwrap_err();
        assert_eq!(e.status, 413);
        drop(w);
        assert!(!p.exists());
        let mut w = Writing::create(&p, 10, "ok.csv").unwrap();
        w.write(b"01234").unwrap();
        assert_eq!(w.finish().unwrap(), 5);
        assert!(p.exists());
    }

    #[test]
    fn names_and_formats_are_checked_before_writing() {
        assert_eq!(public_name("../../etc/passwd"), "passwd");
        assert_eq!(public_name("C:\\data\\โรงเรียน.xlsx"), "โรงเรียน.xlsx");
        assert_eq!(public_name(".."), "upload");
        assert_eq!(check_name(Role::Schools, "a.XLSX").unwrap(), "xlsx");
        assert_eq!(check_name(Role::Roads, "th.osm.pbf").unwrap(), "pbf");
        assert_eq!(
            check_name(Role::Districts, "a.exe").unwrap_err().status,
            415
        );
    }
}
