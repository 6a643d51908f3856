//! The integration tests of the library (its engine and output, under the
//! name `hubsel`), one test binary (linked once): each module is a former
//! `tests/<name>.rs`, so `cargo test -p hubsel-output --test it region::`
//! runs what `--test region` ran.

// The whole engine under the name the library had before its split into
// crates: these tests reach internals the façade does not declare.
extern crate hubsel_output as hubsel;

mod common;
mod real_files;
mod reference_check;
mod architecture;
mod bad_inputs;
mod cancel;
mod capacity;
mod edges;
mod formats;
mod geopackage;
mod inputs;
mod multi_hub;
mod network;
mod od;
mod outputs;
mod pipeline;
mod properties;
mod real_data;
mod region;
mod registry;
mod regressions;
mod report_lang;
mod scenario;
mod scenario_fit;
mod selection;
