//! Shared set-up for the benchmarks: the embedded province, loaded and
//! prepared up to the stage a benchmark measures.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::model::Inputs;
use hubsel::scenario::Config;

/// The default scenario and the embedded province's inputs.
pub fn province() -> (Config, Inputs) {
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default")
        .expect("the default scenario parses");
    let inputs = hubsel::io::load(
        &hubsel::fixture::province(),
        &hubsel::io::ReadOptions::default(),
    )
    .expect("the fixture loads");
    (config, inputs)
}

/// The inputs of a folder written by `hubsel synth` (`schools.csv`,
/// `roads.geojson`, `districts.geojson`), read with the default options.
pub fn synth_folder(dir: &std::path::Path) -> hubsel::error::Result<hubsel::model::Inputs> {
    let (s, r, d) = (
        dir.join("schools.csv"),
        dir.join("roads.geojson"),
        dir.join("districts.geojson"),
    );
    let sources = hubsel::io::InputSources {
        schools: hubsel::io::Source::File(&s),
        roads: hubsel::io::Source::File(&r),
        districts: hubsel::io::Source::File(&d),
    };
    hubsel::io::load(&sources, &hubsel::io::ReadOptions::default())
}
