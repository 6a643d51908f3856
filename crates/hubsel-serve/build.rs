//! Makes sure the page's third-party code is there to be compiled in:
//! Leaflet comes from npm, pinned by `web/package-lock.json`. When
//! `web/node_modules` lacks it (a fresh clone), `npm ci` installs it, so
//! that `cargo build` is the only step and nothing is fetched at run time.

use std::path::Path;
use std::process::Command;

fn main() {
    // Read when the script runs, not baked in when it is compiled: cargo
    // reuses a compiled build script for a checkout at another path (a
    // worktree, a moved clone), whose own web/ is the one to use.
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        panic!("CARGO_MANIFEST_DIR is not set: build hubsel-serve with cargo");
    };
    let web = Path::new(&manifest).join("../../web");
    for file in ["package-lock.json", "index.html", "app.js", "data.js", "app.css"] {
        println!("cargo:rerun-if-changed={}", web.join(file).display());
    }
    let leaflet = web.join("node_modules/leaflet/dist/leaflet.js");
    println!("cargo:rerun-if-changed={}", leaflet.display());
    if leaflet.exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--omit=dev", "--no-audit", "--no-fund"])
        .current_dir(&web)
        .status();
    match status {
        Ok(s) if s.success() && leaflet.exists() => {}
        Ok(s) => panic!(
            "`npm ci` in {} failed ({s}); the workbench page needs Leaflet from npm",
            web.display()
        ),
        Err(e) => panic!(
            "cannot run npm ({e}): install Node.js and npm (Debian: apt-get install npm), then build again"
        ),
    }
}
