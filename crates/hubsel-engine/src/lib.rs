//! hubsel's stages from the embedded province to the allocation (layers 6
//! to 18 of `ARCHITECTURE.md`): the road graph, snapping, validation,
//! routing, the scenario, scoring, selection, allocation and the pipeline
//! that calls them in order. It re-exports the lower layers under their
//! usual names, so `crate::io` and `crate::model` read as before.
//!
//! **Internal**: this crate is a part of `hubsel` and has no stable API of
//! its own. Programs use the `hubsel` crate, which re-exports what they need.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

pub use hubsel_io::{error, figures, io, model, progress};

pub mod allocate;
#[cfg(feature = "fixture")]
pub mod fixture;
pub mod graph;
pub mod network;
pub mod od;
pub mod outcome;
pub mod pipeline;
pub mod routing;
pub mod scenario;
pub mod score;
pub mod select;
pub mod spatial;
pub mod validate;
