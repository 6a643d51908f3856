//! `hubsel synth`: write a synthetic data set.

use std::path::PathBuf;

use clap::Args;

use hubsel::error::{Error, ErrorKind};
use hubsel::output::{check_replaceable, write_folder, FolderKind};
use hubsel_synth::{Preset, UnknownPreset};

use crate::Fatal;

#[derive(Args)]
pub struct SynthArgs {
    /// Data set to generate: province (Chiang Mai-like, 25 districts, 687 schools) or thailand (77 provinces, 928 districts, 29,251 schools, over 2 million road vertices; about 80 MB in all, seconds to write).
    #[arg(long, default_value = "province")]
    preset: String,
    /// Seed: the same seed writes byte-identical files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write schools.csv, roads.geojson and districts.geojson into.
    #[arg(long)]
    out: PathBuf,
    /// Replace a folder that hubsel did not write (or a run's result).
    #[arg(long)]
    force: bool,
}

/// The preset named by `--preset`.
pub fn preset(name: &str) -> Result<Preset, Fatal> {
    name.parse()
        .map_err(|e: UnknownPreset| anyhow::anyhow!("{e}").into())
}

pub fn synth(args: &SynthArgs) -> Result<(), Fatal> {
    let preset = preset(&args.preset)?;
    check_replaceable(&args.out, FolderKind::Synth, args.force)?;
    let data = hubsel_synth::generate(preset, args.seed);
    write_folder(&args.out, FolderKind::Synth, args.force, |tmp| {
        data.write(tmp)
            .map_err(|e| Error::new(ErrorKind::Output, e.to_string()).in_file(tmp))
    })?;
    println!(
        "wrote {} schools, {} roads, {} districts to {}",
        data.schools.len(),
        data.roads.len(),
        data.districts.len(),
        args.out.display()
    );
    Ok(())
}
