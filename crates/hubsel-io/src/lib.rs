//! hubsel's input and output formats: every reader and writer (layer 5 of
//! `ARCHITECTURE.md`), on the model of `hubsel-model`.
//!
//! **Internal**: this crate is a part of `hubsel` and has no stable API of
//! its own. Programs use the `hubsel` crate, which re-exports what they need.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

pub use hubsel_model::{error, figures, model, progress};

pub mod io;
