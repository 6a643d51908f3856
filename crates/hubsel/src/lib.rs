pub use hubsel_output::*;
