//! Empty: it exists so that Cargo counts the `[build-dependencies]` of
//! Cargo.toml, which unify the features of the build-time crates.
fn main() {}
