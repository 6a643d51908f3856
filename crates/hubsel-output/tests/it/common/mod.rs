//! Small inputs shared by the scenario tests: one district near Chiang
//! Mai, a road across it, and four schools in two shapes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hubsel::error::ErrorKind;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Inputs;

/// A district (a 0.2° square near Chiang Mai) and a road across it.
pub const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"5001","name":"เมืองเชียงใหม่"},"geometry":{"type":"Polygon","coordinates":[[[98.9,18.7],[99.1,18.7],[99.1,18.9],[98.9,18.9],[98.9,18.7]]]}}]}"#;
pub const ROADS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[98.91,18.8],[99.0,18.8],[99.09,18.8]]}}]}"#;

/// Four schools on the road, two of each level, with a language-teacher
/// count under the name a shapefile's DBF cuts `language_teachers` to.
pub const CUT_CSV: &str = "id,name,lon,lat,level,students,teachers,classrooms,language_t\n\
S1,หนึ่ง,98.95,18.8,primary,150,10,8,3\n\
S2,สอง,99.05,18.8,primary,150,10,8,0\n\
S3,สาม,98.96,18.8,secondary,300,20,16,0\n\
S4,สี่,99.04,18.8,secondary,300,20,16,4\n";

/// The same schools as an OpenStreetMap extract has them: no enrolment,
/// none of the default scenario's extra fields.
pub const BARE_CSV: &str = "id,name,lon,lat,level\n\
S1,หนึ่ง,98.95,18.8,primary\n\
S2,สอง,99.05,18.8,primary\n\
S3,สาม,98.96,18.8,secondary\n\
S4,สี่,99.04,18.8,secondary\n";

pub fn load(schools_csv: &str) -> Inputs {
    try_load(schools_csv, &ReadOptions::default()).unwrap()
}

/// Reads schools given as CSV text with the district and road above.
pub fn try_load(schools_csv: &str, options: &ReadOptions) -> hubsel::error::Result<Inputs> {
    let sources = InputSources {
        schools: Source::Bytes {
            name: "schools.csv",
            bytes: schools_csv.as_bytes(),
        },
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: ROADS.as_bytes(),
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: DISTRICTS.as_bytes(),
        },
    };
    hubsel::io::load(&sources, options)
}

/// The scenario's error message; panics when it parses.
pub fn refused(text: &str) -> String {
    let err = hubsel::scenario::parse(text, "s.toml").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Scenario, "{err}");
    err.to_string()
}

/// The run's error on `schools_csv`; panics, saying `why`, when it runs.
pub fn run_refused(
    schools_csv: &str,
    config: &hubsel::scenario::Config,
    why: &str,
) -> hubsel::error::Error {
    match hubsel::pipeline::run(load(schools_csv), config, &hubsel::progress::Silent) {
        Ok(_) => panic!("{why}"),
        Err(e) => e,
    }
}

/// The scenario's speed table as the routing reference's data
/// (`hubsel_testkit::reference::Speeds`: the same fields, copied).
pub fn reference_speeds(speeds: &hubsel::graph::SpeedTable) -> hubsel_testkit::reference::Speeds {
    hubsel_testkit::reference::Speeds {
        by_class_kmh: speeds.by_class_kmh.clone(),
        default_kmh: speeds.default_kmh,
        use_maxspeed: speeds.use_maxspeed,
    }
}
