//! Any text as a scenario file: parsed or refused with a message, never a
//! panic.
//!
//! The body is `bodies::scenario_toml`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bodies::scenario_toml(data);
});
