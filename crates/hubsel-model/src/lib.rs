//! The first layers of hubsel: the error, progress reporting, the shared
//! data model and the figures every later stage computes alike.
//!
//! **Internal**: this crate is a part of `hubsel` and has no stable API of
//! its own. Programs use the `hubsel` crate, which re-exports what they need.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

pub mod error;
pub mod figures;
pub mod model;
pub mod progress;
