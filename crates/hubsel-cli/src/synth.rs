//! `hubsel synth`: write a synthetic data set.

use std::path::PathBuf;

use clap::Args;

use hubsel::error::{Error, ErrorKind};
use hubsel::output::{check_replaceable, write_folder, FolderKind};
use hubsel_synth::{Preset, UnknownPreset};

use crate::Fatal;

#[derive(Args)]
pub struct SynthArgs {
    /// Data set to generate: province (Chiang Mai-like, 25 districts, 687 schools) or thailand (77 provinces, 928 districts, 29,251 schools, over 2 million road vertices; about 80 MB in all, seconds to write); province-osm or thailand-osm: the same as one OpenStreetMap extract, PRESET.osm.pbf (thailand-osm: over 20 million road nodes, about 180 MB, a minute or two to write); thailand-x10: ten countries side by side, about 292,500 schools (about 800 MB).
    #[arg(long, default_value = "province")]
    preset: String,
    /// Seed: the same seed writes byte-identical files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write schools.csv, roads.geojson and districts.geojson into.
    #[arg(long)]
    out: PathBuf,
    /// With an -osm preset: also write the same data set as roads.geojson, schools.geojson and districts.geojson (for comparing readers).
    #[arg(long)]
    geojson: bool,
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
    if preset.osm_base().is_some() {
        return synth_osm(args, preset);
    }
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

/// An OpenStreetMap preset: `<preset>.osm.pbf`, and with `--geojson` its
/// GeoJSON twin; prints what the extract holds (`scripts/check-osm-extract.sh`
/// compares these lines with `osmium fileinfo`).
fn synth_osm(args: &SynthArgs, preset: Preset) -> Result<(), Fatal> {
    let started = std::time::Instant::now();
    let Some(extract) = hubsel_synth::generate_osm(preset, args.seed) else {
        return Err(anyhow::anyhow!("{preset} is not an OpenStreetMap preset").into());
    };
    let built = started.elapsed();
    let file = format!("{}.osm.pbf", preset.name());
    write_folder(&args.out, FolderKind::Synth, args.force, |tmp| {
        let fail = |e: std::io::Error| Error::new(ErrorKind::Output, e.to_string()).in_file(tmp);
        extract.write_pbf(&tmp.join(&file)).map_err(fail)?;
        if args.geojson {
            extract.write_geojson(tmp).map_err(fail)?;
        }
        Ok(())
    })?;
    let c = extract.counts();
    let bytes = std::fs::metadata(args.out.join(&file)).map_or(0, |m| m.len());
    println!("wrote {} ({bytes} bytes)", args.out.join(&file).display());
    println!("nodes: {}", c.nodes);
    println!("road nodes: {}", c.road_nodes);
    println!("ways: {}", c.ways);
    println!("road ways: {}", c.road_ways);
    println!("relations: {}", c.relations);
    println!("non-road objects: {}", c.non_road);
    println!("schools: {}", c.schools);
    println!("school areas: {}", c.school_areas);
    println!("schools with isced:level: {}", c.schools_with_isced);
    println!("border ways: {}", c.border_ways);
    println!(
        "built in {:.2} s, written in {:.2} s",
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );
    Ok(())
}
