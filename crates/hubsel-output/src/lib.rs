//! A run's result to its folder (layer 19 of `ARCHITECTURE.md`): layers in
//! every format, QGIS styles, `report.html`, summary and rejects. It re-exports the lower
//! layers, so that the whole engine is reachable from here for the tests.
//!
//! **Internal**: this crate is a part of `hubsel` and has no stable API of
//! its own. Programs use the `hubsel` crate, which re-exports what they need.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

pub use hubsel_engine::*;

pub mod output;
