//! Damaged shapefiles: arbitrary .shp, .shx, .dbf (and .cpg / .prj) bytes
//! read as schools, roads and districts. No panic may escape.
#![no_main]

mod guard;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Files {
    shp: Vec<u8>,
    shx: Vec<u8>,
    dbf: Vec<u8>,
    cpg: Option<String>,
    prj: Option<String>,
}

fuzz_target!(|files: Files| {
    guard::unwinding_panics();
    let dir = std::env::temp_dir().join(format!("hubsel-fuzz-shp-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let base = dir.join("layer");
    let write = |ext: &str, bytes: &[u8]| std::fs::write(base.with_extension(ext), bytes).is_ok();
    if !(write("shp", &files.shp) && write("shx", &files.shx) && write("dbf", &files.dbf)) {
        return;
    }
    for (ext, text) in [("cpg", &files.cpg), ("prj", &files.prj)] {
        match text {
            Some(t) => {
                write(ext, t.as_bytes());
            }
            None => {
                let _ = std::fs::remove_file(base.with_extension(ext));
            }
        }
    }
    let path = base.with_extension("shp");
    let crs = hubsel::io::crs::Crs::wgs84();
    let options = hubsel::io::shapefile::ShapefileOptions { default_crs: &crs, encoding: None };
    let mut rejects = hubsel::model::Rejects::default();
    let _ = hubsel::io::shapefile::read_schools(&path, "fuzz.shp", &Default::default(), &options, None, false);
    let _ = hubsel::io::shapefile::read_roads(&path, "fuzz.shp", &Default::default(), &options, &mut rejects, &mut Vec::new());
    let _ = hubsel::io::shapefile::read_districts(&path, "fuzz.shp", &Default::default(), &options, &mut rejects);
});
