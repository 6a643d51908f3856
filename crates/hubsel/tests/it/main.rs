//! The integration tests of `hubsel`, one test binary (linked once): each
//! module is a former `tests/<name>.rs`, so `cargo test -p hubsel --test it
//! region::` runs what `--test region` ran.

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
