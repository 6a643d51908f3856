//! The library's modules form layers, listed in `ARCHITECTURE.md` between
//! `<!-- layers:begin -->` and `<!-- layers:end -->`: a module may use
//! only the modules of earlier layers (and itself). This test reads that
//! list and every source file of the library, and fails on a `crate::`
//! path that points at a later layer, or on a module the list leaves out,
//! so that the document and the code cannot drift apart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Module name → layer number, from the marked list: one layer per line,
/// the modules of a line in backticks.
fn layers(architecture: &str) -> BTreeMap<String, usize> {
    let begin = architecture
        .find("<!-- layers:begin -->")
        .expect("ARCHITECTURE.md has no <!-- layers:begin --> marker");
    let end = architecture
        .find("<!-- layers:end -->")
        .expect("ARCHITECTURE.md has no <!-- layers:end --> marker");
    let mut out = BTreeMap::new();
    let mut layer = 0;
    for line in architecture[begin..end].lines().skip(1) {
        let names: Vec<&str> = line.split('`').skip(1).step_by(2).collect();
        // Only the names before the first dash: the rest is prose.
        let head = line.split(" — ").next().unwrap_or("");
        let names: Vec<&str> = names
            .into_iter()
            .filter(|n| head.contains(&format!("`{n}`")))
            .collect();
        if names.is_empty() {
            continue;
        }
        layer += 1;
        for n in names {
            out.insert(n.to_string(), layer);
        }
    }
    out
}

/// The `crate::module` names a source text uses in code (comments and doc
/// comments left out: a doc link to a later stage is no dependency).
fn uses(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
            rest = after;
        }
    }
    out
}

/// The top-level module a source file belongs to (`src/select/district.rs`
/// → `select`); `None` for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// Every violation of the layers by the given (module, source) pairs.
fn violations(layers: &BTreeMap<String, usize>, files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (module, source) in files {
        let Some(&own) = layers.get(module) else {
            out.push(format!(
                "module `{module}` is not in ARCHITECTURE.md's layer list: place it in a layer"
            ));
            continue;
        };
        for used in uses(source) {
            match layers.get(&used) {
                Some(&layer) if layer > own => out.push(format!(
                    "`{module}` (layer {own}) uses `crate::{used}` (layer {layer}): a stage imports only what lies before it"
                )),
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_later_stage() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = manifest.join("../../ARCHITECTURE.md");
    let text = std::fs::read_to_string(&doc)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc.display()));
    let layers = layers(&text);
    assert!(
        layers.len() >= 10,
        "the layer list in ARCHITECTURE.md has {} modules; is the marked list intact?",
        layers.len()
    );
    let src = manifest.join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| Some((module_of(&src, p)?, std::fs::read_to_string(p).unwrap())))
        .collect();
    let modules: std::collections::BTreeSet<&String> = files.iter().map(|f| &f.0).collect();
    for listed in layers.keys() {
        assert!(
            modules.contains(listed),
            "ARCHITECTURE.md lists `{listed}`, which is no module of the library"
        );
    }
    let found = violations(&layers, &files);
    assert!(
        found.is_empty(),
        "layering violations:\n{}",
        found.join("\n")
    );
}

/// The checker itself: a backward import, a module outside the list and a
/// dependency named only in a comment.
#[test]
fn the_checker_finds_a_backward_import_and_an_unlisted_module() {
    let layers = layers(
        "# x\n<!-- layers:begin -->\n1. `model` — types\n2. `io`, `fixture` — files\n3. `select` — choice\n<!-- layers:end -->\n",
    );
    assert_eq!(layers.get("io"), Some(&2));
    assert_eq!(layers.get("fixture"), Some(&2));
    let files = vec![
        (
            "io".to_string(),
            "use crate::model::School;\n/// see [`crate::select`]\n".to_string(),
        ),
        (
            "model".to_string(),
            "fn f() { crate::select::solve(); } // crate::io\n".to_string(),
        ),
        ("extra".to_string(), String::new()),
    ];
    let found = violations(&layers, &files);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|f| f.contains("`extra` is not in")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("`model` (layer 1) uses `crate::select` (layer 3)")),
        "{found:?}"
    );
}
