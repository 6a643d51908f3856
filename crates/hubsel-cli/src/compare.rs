//! `hubsel compare`: two runs side by side (run folders, or runs' GeoPackages).

use std::path::PathBuf;

use clap::Args;

use hubsel_tools::compare::{compare as compare_runs, RunFolder};
use hubsel::output::{write_files, FolderKind};

use crate::Fatal;

#[derive(Args)]
pub struct CompareArgs {
    /// The first run: its folder, or its GeoPackage (`--format gpkg`, any name).
    a: PathBuf,
    /// The second run: its folder, or its GeoPackage.
    b: PathBuf,
    /// Folder for compare.geojson and compare.txt.
    #[arg(long, default_value = "compare")]
    out: PathBuf,
    /// Replace an output folder that hubsel did not write.
    #[arg(long)]
    force: bool,
}

pub fn compare(args: &CompareArgs) -> Result<(), Fatal> {
    let a = RunFolder::read(&args.a)?;
    let b = RunFolder::read(&args.b)?;
    let c = compare_runs(&a, &b);
    let table = c.table();
    print!("{table}");
    let files = vec![
        ("compare.geojson".to_string(), c.layer(&a, &b).into_bytes()),
        ("compare.txt".to_string(), table.into_bytes()),
    ];
    write_files(&files, &args.out, FolderKind::Compare, args.force)?;
    println!("wrote {}", args.out.join("compare.geojson").display());
    Ok(())
}
