//! The library's modules form layers, listed in `ARCHITECTURE.md` between
//! `<!-- layers:begin -->` and `<!-- layers:end -->`: a module may use
//! only the modules of earlier layers (and itself). This test reads that
//! list and every source file of the library's crates, and fails on a
//! `crate::` path that points at a later layer, or on a module the list
//! leaves out, so that the document and the code cannot drift apart.
//!
//! The layers are also crates (`hubsel-model`, `hubsel-io`,
//! `hubsel-engine`, `hubsel-output`, the ones the `hubsel` façade depends
//! on): each holds a run of consecutive layers and depends only on crates
//! of earlier layers, so the compiler itself refuses a backward import
//! across crates. Every other crate of the workspace depends on the
//! façade only, except the fuzz targets, white-box harnesses that take the
//! internals from `hubsel-output` as the library's integration tests do. The test oracles' crate
//! (`hubsel-testkit`) is named by `[dev-dependencies]` only and depends on
//! the first layers only (the model and io), never on the engine that its
//! routing reference checks.
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
        let skipped = path.file_name().is_some_and(|n| n == "target" || n == "node_modules");
        if path.is_dir() && !skipped {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `hubsel…` crates a manifest's `[dependencies]` name (with
/// `dev = true`, its `[dev-dependencies]` too).
fn hubsel_deps(manifest: &str, dev: bool) -> Vec<String> {
    let table: toml::Table = manifest.parse().expect("a Cargo.toml parses");
    let mut sections = vec!["dependencies"];
    if dev {
        sections.push("dev-dependencies");
    }
    let mut out = Vec::new();
    for section in sections {
        let Some(deps) = table.get(section).and_then(|d| d.as_table()) else { continue };
        for (key, value) in deps {
            // `hubsel = { package = "hubsel-output", … }` is that package.
            let name = value
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(key)
                .to_string();
            // The workspace-hack holds no code (only third-party features).
            if name.starts_with("hubsel") && name != "hubsel-workspace-hack" {
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every violation of the crate graph: an internal crate (name, the layers
/// of its modules, its `hubsel…` dependencies) that depends on a crate
/// whose layers do not all lie before its own, or whose layers are not a
/// run of consecutive ones.
fn crate_violations(crates: &[(String, Vec<usize>, Vec<String>)]) -> Vec<String> {
    let mut out = Vec::new();
    let span = |layers: &[usize]| (*layers.iter().min().unwrap_or(&0), *layers.iter().max().unwrap_or(&0));
    for (name, layers, deps) in crates {
        let (low, high) = span(layers);
        let mut all: Vec<usize> = layers.clone();
        all.sort();
        all.dedup();
        if all.len() != high + 1 - low {
            out.push(format!("crate `{name}` holds layers {all:?}, not a run of consecutive layers"));
        }
        for dep in deps {
            match crates.iter().find(|c| &c.0 == dep) {
                Some((_, dep_layers, _)) if span(dep_layers).1 < low => {}
                Some((_, dep_layers, _)) => out.push(format!(
                    "crate `{name}` (layers {low}–{high}) depends on `{dep}` (layers {}–{}): a crate depends only on earlier layers",
                    span(dep_layers).0,
                    span(dep_layers).1
                )),
                None => out.push(format!("crate `{name}` depends on `{dep}`, which is no layer of the library")),
            }
        }
    }
    out
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The internal crates: what the façade (`crates/hubsel`) depends on.
fn internal_crates() -> Vec<String> {
    let facade = hubsel_deps(&read(&root().join("crates/hubsel/Cargo.toml")), false);
    assert!(facade.len() >= 3, "the façade depends on {facade:?}: is crates/hubsel/Cargo.toml intact?");
    facade
}

/// The tools crate of `hubsel bench` and `hubsel compare`: the last layers,
/// out of the library; the CLI and the Python module use it beside the façade.
const TOOLS: &str = "hubsel-tools";

/// The test oracles' crate: only `[dev-dependencies]` name it.
const TESTKIT: &str = "hubsel-testkit";

/// The fuzz targets: white-box harnesses of the internals (each format's
/// readers, the road graph, the spatial indexes), as the library's
/// integration tests are; they name `hubsel-output` (as `hubsel`) only.
const FUZZ: &str = "fuzz";

/// What the oracles may depend on: the layers below the engine.
const TESTKIT_DEPS: [&str; 2] = ["hubsel-io", "hubsel-model"];

/// Every crate that holds layers: the internal crates and the tools.
fn layer_crates() -> Vec<String> {
    let mut all = internal_crates();
    all.push(TOOLS.to_string());
    all
}

/// Each internal crate's source files as (module, source) pairs.
fn crate_files(name: &str) -> Vec<(String, String)> {
    let src = root().join("crates").join(name).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths.sort();
    paths
        .iter()
        .filter_map(|p| Some((module_of(&src, p)?, read(p))))
        .collect()
}

#[test]
fn no_module_imports_from_a_later_stage() {
    let layers = layers(&read(&root().join("ARCHITECTURE.md")));
    assert!(
        layers.len() >= 10,
        "the layer list in ARCHITECTURE.md has {} modules; is the marked list intact?",
        layers.len()
    );
    let files: Vec<(String, String)> = layer_crates().iter().flat_map(|c| crate_files(c)).collect();
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

#[test]
fn the_crate_graph_follows_the_layers() {
    let layers = layers(&read(&root().join("ARCHITECTURE.md")));
    let internal = layer_crates();
    let crates: Vec<(String, Vec<usize>, Vec<String>)> = internal
        .iter()
        .map(|name| {
            let modules: Vec<usize> = crate_files(name)
                .iter()
                .filter_map(|(m, _)| layers.get(m).copied())
                .collect();
            assert!(!modules.is_empty(), "crate `{name}` holds no module of the layer list");
            let manifest = read(&root().join("crates").join(name).join("Cargo.toml"));
            (name.clone(), modules, hubsel_deps(&manifest, false))
        })
        .collect();
    let found = crate_violations(&crates);
    assert!(found.is_empty(), "crate graph violations:\n{}", found.join("\n"));
}

/// Every other crate (the CLI, the server, the Python module, synth,
/// benches, examples; not the fuzz targets, checked below) uses the façade only: no
/// internal crate in its manifest or its code.
#[test]
fn the_other_crates_use_only_the_facade() {
    let internal = internal_crates();
    let root_manifest: toml::Table = read(&root().join("Cargo.toml")).parse().unwrap();
    let members: Vec<String> = root_manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    let mut found = Vec::new();
    let mut checked = 0;
    for member in members {
        let name = member.rsplit('/').next().unwrap_or(&member).to_string();
        if internal.contains(&name) || name == "hubsel" || name == TOOLS || name == TESTKIT || name == FUZZ {
            continue;
        }
        checked += 1;
        let dir = root().join(&member);
        for dep in hubsel_deps(&read(&dir.join("Cargo.toml")), true) {
            if internal.contains(&dep) {
                found.push(format!("`{member}` depends on the internal crate `{dep}`: use `hubsel`"));
            }
        }
        let mut paths = Vec::new();
        rust_files(&dir, &mut paths);
        for p in paths {
            let text = read(&p);
            for c in &internal {
                if text.contains(&c.replace('-', "_")) {
                    found.push(format!("{} names the internal crate `{c}`: use `hubsel`", p.display()));
                }
            }
        }
    }
    assert!(checked >= 6, "only {checked} other crates found: is the workspace list intact?");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The fuzz targets take the internals from `hubsel-output` (which
/// re-exports every layer below it) and from no other hubsel crate.
#[test]
fn the_fuzz_targets_use_the_last_internal_crate_only() {
    let deps = hubsel_deps(&read(&root().join(FUZZ).join("Cargo.toml")), true);
    assert_eq!(deps, vec!["hubsel-output".to_string()], "fuzz/ depends on {deps:?}");
}

/// The oracles' crate depends on the model and io only (so the routing
/// reference cannot share the engine's code), and no crate builds it
/// except for its tests: it is in no member's `[dependencies]`.
#[test]
fn the_testkit_is_a_dev_dependency_below_the_engine() {
    let own = hubsel_deps(&read(&root().join("crates").join(TESTKIT).join("Cargo.toml")), false);
    assert_eq!(own, TESTKIT_DEPS.map(String::from).to_vec(), "{TESTKIT} depends on {own:?}");
    let root_manifest: toml::Table = read(&root().join("Cargo.toml")).parse().unwrap();
    let members = root_manifest["workspace"]["members"].as_array().unwrap();
    let mut named_by_dev = 0;
    for member in members.iter().filter_map(|m| m.as_str()) {
        let manifest = read(&root().join(member).join("Cargo.toml"));
        assert!(
            !hubsel_deps(&manifest, false).iter().any(|d| d == TESTKIT),
            "`{member}` names {TESTKIT} in its [dependencies]: only tests may use it"
        );
        named_by_dev += usize::from(hubsel_deps(&manifest, true).iter().any(|d| d == TESTKIT));
    }
    assert!(named_by_dev >= 2, "only {named_by_dev} crates test with {TESTKIT}");
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

/// The crate-graph checker itself: a dependency on a later crate, on an
/// unknown one, and a crate with a gap in its layers.
#[test]
fn the_crate_checker_finds_a_backward_dependency_and_a_gap() {
    let crates = vec![
        ("a".to_string(), vec![1, 2], vec![]),
        ("b".to_string(), vec![3], vec!["a".to_string(), "c".to_string()]),
        ("c".to_string(), vec![4, 6], vec!["a".to_string(), "x".to_string()]),
    ];
    let found = crate_violations(&crates);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().any(|f| f.contains("`b` (layers 3–3) depends on `c`")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("`c` depends on `x`")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("`c` holds layers [4, 6]")), "{found:?}");
    let fine = vec![("a".to_string(), vec![1], vec![]), ("b".to_string(), vec![2], vec!["a".to_string()])];
    assert!(crate_violations(&fine).is_empty());
}
