//! The tools behind two subcommands, moved out of the library (layers 20
//! and 21 of `ARCHITECTURE.md`): `compare` (two output folders side by
//! side) and `bench` (the strategy table, `bench.csv`/`bench.json` and the
//! graph export of `hubsel bench`; `StrategyRow` is also the Python
//! sweep's figures).
//!
//! **Not the library's API**: the CLI and the Python module use it beside
//! the `hubsel` façade; a program that embeds the engine uses `hubsel`.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

// The library's layers, for this crate only: its users get `bench` and
// `compare`, and the rest from the `hubsel` façade.
pub(crate) use hubsel_output::*;

pub mod bench;
pub mod compare;
