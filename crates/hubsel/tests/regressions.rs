//! One test per problem seen on real data (issue 11, "Real inputs, right
//! answers"), each written against the library's stable entry points
//! (`io::load`, `scenario::parse`, `pipeline::run`) so that it ran, and
//! failed, on the code before the fix.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Inputs;
use hubsel::validate::Action;

/// A small district (a 0.2° square near Chiang Mai) and a road across it,
/// as GeoJSON text.
const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"5001","name":"เมืองเชียงใหม่"},"geometry":{"type":"Polygon","coordinates":[[[98.9,18.7],[99.1,18.7],[99.1,18.9],[98.9,18.9],[98.9,18.7]]]}}]}"#;
const ROADS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[98.91,18.8],[99.0,18.8],[99.09,18.8]]}}]}"#;

/// Reads schools given as CSV text with the districts and roads above.
fn load_csv(schools_csv: &str, options: &ReadOptions) -> hubsel::error::Result<Inputs> {
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

/// Finding: reasons printed Thai with Rust's debug escaping
/// (`"อน\u{e38}บาล-…"`). An unknown Thai level value must read back as
/// written, combining vowels included.
#[test]
fn thai_text_in_reject_reasons_is_never_escaped() {
    // ศึกษาพิเศษ (special education) holds the combining vowel ึ (U+0E36),
    // which `{:?}` escapes.
    let csv = "id,name,lon,lat,level,students\nS1,โรงเรียนบ้านหนึ่ง,99.0,18.8,ศึกษาพิเศษ,120\n";
    let inputs = load_csv(csv, &ReadOptions::default()).unwrap();
    let reject = inputs
        .rejects
        .rows
        .iter()
        .find(|r| r.id == "S1")
        .expect("the unknown level is refused");
    assert_eq!(reject.action, Action::Refused);
    assert!(
        reject.reason.contains("\"ศึกษาพิเศษ\""),
        "reason: {}",
        reject.reason
    );
    assert!(!reject.reason.contains("\\u{"), "reason: {}", reject.reason);
    let csv_text = inputs.rejects.to_csv();
    assert!(csv_text.contains("ศึกษาพิเศษ"), "{csv_text}");
}
