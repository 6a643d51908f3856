//! No code: this crate only asks features of third-party crates so that
//! every build of the workspace compiles each of them once (see its
//! Cargo.toml and `scripts/check-one-build.sh`).
