//! The real data files: the one the repository carries and those that stay
//! in `../shared/data/real/` (their licence keeps them out), for the tests
//! of every crate (`hubsel-cli`'s include this file with `#[path]`).

#![allow(dead_code)]

/// The Liechtenstein extract the repository carries (`fixtures/real/`,
/// © OpenStreetMap contributors, ODbL 1.0).
pub fn liechtenstein() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/real/liechtenstein-2015.osm.pbf"
    ))
}

/// A file of the shared real data beside the repository
/// (`../shared/data/real/`; its licence keeps it out of the repository),
/// or `None` when it is absent: the test then returns early, after
/// [`skip`] printed why. With `HUBSEL_NEED_SHARED=1` (CI) it fails instead.
pub fn real(test: &str, name: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/real"
    ));
    let path = dir.join(name);
    if path.is_file() {
        return Some(path);
    }
    skip(test, &format!("../shared/data/real/{name}"));
    None
}

/// Says, past libtest's capture so that a passing run shows it too, that
/// `test` skipped because `needs` is missing; panics instead when
/// `HUBSEL_NEED_SHARED=1` says the shared data must be there.
pub fn skip(test: &str, needs: &str) {
    assert!(
        std::env::var_os("HUBSEL_NEED_SHARED").is_none_or(|v| v != "1"),
        "{test}: {needs} is missing, and HUBSEL_NEED_SHARED=1 says it must be there"
    );
    use std::io::Write;
    // Straight to the process's stderr: `eprintln!` would be captured.
    let _ = writeln!(std::io::stderr(), "skipped: {test} (needs {needs})");
}
