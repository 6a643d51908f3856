//! Any bytes as a schools CSV: read without panicking, and every data row
//! either becomes a school or a reject.
//!
//! The body is `bodies::csv_schools`, shared with the budget test.
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bodies::csv_schools(data);
});
