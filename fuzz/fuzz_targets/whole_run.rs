//! Whole runs on small generated inputs: schools anywhere (also outside
//! the districts, with odd values), roads on a lattice with gaps and
//! one-way pieces, any scenario numbers. The run must not panic, and every
//! school must come out exactly once.
//!
//! The body is `bodies::whole_run`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: bodies::WholeRun| {
    bodies::whole_run(input);
});
