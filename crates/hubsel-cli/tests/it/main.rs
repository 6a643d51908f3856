//! The integration tests of the `hubsel` command line, one test binary
//! (linked once): each module is a former `tests/<name>.rs`, so
//! `cargo test -p hubsel-cli --test it serve::` runs what `--test serve` ran.

mod cli;
// The real data files, as the engine's tests find them.
#[path = "../../../hubsel-output/tests/it/real_files.rs"]
mod real_files;
mod inputs;
mod osm_extract;
mod serve;
