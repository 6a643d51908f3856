//! Any bytes as a schools CSV: read without panicking, and every row the
//! reader leaves out is both a rejected school and a `refused` line of
//! rejects.csv (rows kept with a note are `flagged` lines, not rejected
//! schools).
#![no_main]

use hubsel::model::Action;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = hubsel::io::csv::read_schools(data, "fuzz.csv", &Default::default()) {
        let refused = table.rejects.rows.iter().filter(|r| r.action == Action::Refused).count();
        assert_eq!(table.rejected.len(), refused);
    }
});
