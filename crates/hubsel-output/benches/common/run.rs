//! The finished run the benches of this folder write (shared by them).

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

/// A finished run to write: the embedded province, the data set in the
/// folder named by `HUBSEL_BENCH_DIR` (as written by `hubsel synth`), or
/// the OpenStreetMap extract named by `HUBSEL_BENCH_PBF`, with
/// the default scenario as `hubsel run` takes it (adapting to the data: an
/// extract's schools lack most of its criteria's fields). Returns a label
/// for the benchmark names.
pub fn run_for_outputs() -> (String, hubsel::outcome::RunResult) {
    let config = hubsel::scenario::default_scenario().expect("the default scenario parses");
    let pbf = std::env::var_os("HUBSEL_BENCH_PBF").map(std::path::PathBuf::from);
    let (label, inputs) = match (pbf, std::env::var_os("HUBSEL_BENCH_DIR")) {
        (Some(pbf), _) => {
            let sources = hubsel::io::InputSources {
                schools: hubsel::io::Source::File(&pbf),
                roads: hubsel::io::Source::File(&pbf),
                districts: hubsel::io::Source::File(&pbf),
            };
            let inputs = hubsel::io::load(&sources, &hubsel::io::ReadOptions::default())
                .expect("HUBSEL_BENCH_PBF is an extract with schools, roads and districts");
            (pbf.display().to_string(), inputs)
        }
        (None, Some(dir)) => {
            let dir = std::path::PathBuf::from(dir);
            let inputs = synth_folder(&dir).expect("HUBSEL_BENCH_DIR holds a synth data set");
            (dir.display().to_string(), inputs)
        }
        (None, None) => (
            "province".to_string(),
            hubsel::io::load(
                &hubsel::fixture::province(),
                &hubsel::io::ReadOptions::default(),
            )
            .expect("the fixture loads"),
        ),
    };
    let result = hubsel::pipeline::run(inputs, &config, &hubsel::progress::Silent)
        .expect("the run succeeds");
    (label, result)
}
