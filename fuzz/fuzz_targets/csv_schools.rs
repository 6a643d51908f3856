//! Any bytes as a schools CSV: read without panicking, and every data row
//! either becomes a school or a reject.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = hubsel::io::csv::read_schools(data, "fuzz.csv", &Default::default()) {
        assert_eq!(table.rejected.len(), table.rejects.rows.len());
    }
});
