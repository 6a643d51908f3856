//! Any bytes as a schools CSV: read without panicking, and every row the
//! reader leaves out is both a rejected school and a `refused` line of
//! rejects.csv (rows kept with a note are `flagged` lines, not rejected
//! schools).
//!
//! The body is `bodies::csv_schools`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bodies::csv_schools(data);
});
