//! One test per problem seen on real data (issue 11, "Real inputs, right
//! answers"), each written against the library's stable entry points
//! (`io::load`, `scenario::parse`, `pipeline::run`) so that it ran, and
//! failed, on the code before the fix.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use crate::real_files::liechtenstein;
use common::DISTRICTS;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::Action;
use hubsel::model::Inputs;

/// Reads schools given as CSV text with the district and road of
/// `common` (a 0.2° square near Chiang Mai and a road across it).
fn load_csv(schools_csv: &str, options: &ReadOptions) -> hubsel::error::Result<Inputs> {
    common::try_load(schools_csv, options)
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
        reject.reason.en().contains("\"ศึกษาพิเศษ\""),
        "reason: {}",
        reject.reason
    );
    assert!(!reject.reason.en().contains("\\u{"), "reason: {}", reject.reason);
    let csv_text = inputs.rejects.to_csv(&Default::default());
    assert!(csv_text.contains("ศึกษาพิเศษ"), "{csv_text}");
}

/// Finding: the OBEC registry writes the level as the grade span taught,
/// and every one of its values was refused (98% of real Thai schools).
#[test]
fn the_registry_level_values_are_read() {
    let values = [
        "อนุบาล-ประถมศึกษา",
        "อนุบาล-มัธยมศึกษาตอนต้น",
        "มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย",
        "ประถมศึกษา",
        "ประถมศึกษา-มัธยมศึกษาตอนต้น",
        "อนุบาล-มัธยมศึกษาตอนปลาย",
        "ประถมศึกษา-มัธยมศึกษาตอนปลาย",
        "ขยายโอกาส",
    ];
    let mut csv = String::from("id,name,lon,lat,level,students\n");
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!("S{i},โรงเรียน{i},99.0{i},18.8,{v},100\n"));
    }
    let inputs = load_csv(&csv, &ReadOptions::default()).unwrap();
    assert!(inputs.rejects.is_empty(), "{:?}", inputs.rejects);
    let levels: Vec<&str> = inputs.schools.iter().map(|s| s.level.as_str()).collect();
    assert_eq!(
        levels,
        [
            "primary",
            "both",
            "secondary",
            "primary",
            "both",
            "both",
            "both",
            "both"
        ]
    );
}

/// Finding: a CSV without a `students` column was refused as a whole
/// (real registries and OpenStreetMap have no enrolment).
#[test]
fn a_schools_file_without_a_students_column_is_read() {
    let csv = "id,name,lon,lat,level\nS1,โรงเรียนหนึ่ง,99.0,18.8,primary\nS2,โรงเรียนสอง,99.05,18.8,primary\n";
    let inputs = load_csv(csv, &ReadOptions::default()).expect("no students column is fine");
    assert_eq!(inputs.schools.len(), 2);
    assert!(inputs.rejects.is_empty(), "{:?}", inputs.rejects);
}

/// Eight primary schools along the road, 0.01° (about 1 km) apart; the
/// students column holds `students` for each (text, so it may be blank).
fn schools_along_the_road(students: &[&str]) -> String {
    let mut csv = String::from("id,name,lon,lat,level,students\n");
    for (i, n) in students.iter().enumerate() {
        let lon = 98.95 + 0.01 * i as f64;
        csv.push_str(&format!("S{i},โรงเรียน{i},{lon:.3},18.801,primary,{n}\n"));
    }
    csv
}

fn run_text(schools_csv: &str, scenario: &str) -> hubsel::outcome::RunResult {
    let inputs = load_csv(schools_csv, &ReadOptions::default()).unwrap();
    let config = hubsel::scenario::parse(scenario, "test.toml").unwrap();
    hubsel::pipeline::run(inputs, &config, &hubsel::progress::Silent).unwrap()
}

/// Finding: when every school counts 0 students, every student-weighted
/// figure read 0 ("0.0% of students within 45 min", "mean 0.0 min").
#[test]
fn figures_without_enrolment_weigh_every_school_and_never_read_zero() {
    let scenario = "name = \"t\"\nmax_travel_minutes = 10\n[[criteria]]\naccess = \"weighted_mean_minutes\"\nweight = 1\n";
    let r = run_text(&schools_along_the_road(&["0"; 8]), scenario);
    let t = hubsel::output::Totals::of(&r);
    assert!(t.members > 0, "some schools join the hub");
    assert!(t.mean_min > 0.0, "members' mean minutes {}", t.mean_min);
    // Every school taking part counts once: hub and members over all.
    let joined = (t.hubs_primary + t.members) as f64 / 8.0;
    assert!(
        (t.share_within - joined).abs() < 1e-9,
        "share {} vs {joined}",
        t.share_within
    );
    let d = &r.district_outcomes[0];
    assert!((d.share_within - joined).abs() < 1e-9, "{}", d.share_within);
    assert!(d.mean_min > 0.0);
}

/// Roads given as GeoJSON text with the districts above, read alone.
fn load_roads(roads: &str) -> Inputs {
    let sources = InputSources {
        schools: Source::Bytes {
            name: "schools.csv",
            bytes: b"id,name,lon,lat,level,students\nS1,a,99.0,18.8,primary,100\n",
        },
        roads: Source::Bytes {
            name: "roads.geojson",
            bytes: roads.as_bytes(),
        },
        districts: Source::Bytes {
            name: "districts.geojson",
            bytes: DISTRICTS.as_bytes(),
        },
    };
    hubsel::io::load(&sources, &ReadOptions::default()).unwrap()
}

/// Finding: a `maxspeed_kmh` column was silently ignored (class speeds
/// used, no warning); on one instance 374 schools changed by up to 62 min.
#[test]
fn speed_columns_named_like_maxspeed_kmh_are_read() {
    let line = r#""geometry":{"type":"LineString","coordinates":[[98.91,18.8],[99.09,18.8]]}"#;
    for column in ["maxspeed_kmh", "MAXSPEED_K", "speed_limit", "Max_Speed"] {
        let roads = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"class":"track","{column}":70}},{line}}}]}}"#
        );
        let inputs = load_roads(&roads);
        assert_eq!(inputs.roads[0].maxspeed_kmh, Some(70.0), "{column}");
    }
}

/// The same finding, for a speed column hubsel cannot know: the run says
/// which column it ignored.
#[test]
fn a_speed_like_column_that_is_not_read_is_named_in_a_note() {
    let roads = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"class":"track","avg_speed_kph":55},"geometry":{"type":"LineString","coordinates":[[98.91,18.8],[99.09,18.8]]}}]}"#;
    let inputs = load_roads(roads);
    assert_eq!(inputs.roads[0].maxspeed_kmh, None);
    let config = hubsel::scenario::parse("name = \"t\"\n", "t.toml").unwrap();
    let r = hubsel::pipeline::run(inputs, &config, &hubsel::progress::Silent).unwrap();
    let summary = hubsel::output::summary_json(&r);
    assert!(
        summary
            .contains("the road column \\\"avg_speed_kph\\\" looks like a speed but is not read"),
        "{summary}"
    );
}

/// Finding: on a city extract every boundary relation is cut by the
/// extract's edge, and the run stopped with "no usable district polygon"
/// without saying which admin levels are complete in the file, or that
/// the districts can come from another file. Liechtenstein's extract has
/// no complete boundary at admin_level 4.
#[test]
fn no_district_at_the_chosen_admin_level_names_the_complete_levels() {
    let pbf = liechtenstein();
    let sources = InputSources {
        schools: Source::File(&pbf),
        roads: Source::File(&pbf),
        districts: Source::File(&pbf),
    };
    let mut options = ReadOptions::default();
    options.osm.admin_level = "4".into();
    let err = hubsel::io::load(&sources, &options).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no usable district polygon"), "{msg}");
    assert!(
        msg.contains("admin_level=4: 3 in the extract, 0 complete"),
        "{msg}"
    );
    assert!(msg.contains("admin_level 8 (11 of 22)"), "{msg}");
    assert!(msg.contains("--districts"), "{msg}");
}

/// Found while checking Liechtenstein's stand-alone reasons: a school
/// farther than `max_snap_m` from every road could be chosen as a hub (by
/// its score), leaving every school of its level stand-alone behind a hub
/// no one can reach. It is no candidate now, unless the scenario requires
/// it, and a shortfall says so.
#[test]
fn a_school_off_the_road_network_is_no_hub_candidate() {
    // S9 has the most classrooms but stands 0.1° (about 11 km) off the road.
    let csv = "id,name,lon,lat,level,students,classrooms\n\
S1,หนึ่ง,98.95,18.8,primary,100,5\n\
S2,สอง,99.05,18.8,primary,100,6\n\
S9,ไกล,99.0,18.7,primary,100,40\n";
    let scenario = "name = \"t\"\nhubs_per_district = { primary = 1, secondary = 0 }\n[[criteria]]\nfield = \"classrooms\"\nweight = 1\n";
    let r = run_text(csv, scenario);
    let hubs: Vec<&str> = r.hubs.iter().map(|h| h.id.0.as_str()).collect();
    assert_eq!(hubs, ["S2"], "the best candidate on the network");
    assert!(r
        .schools
        .iter()
        .any(|s| s.id.0 == "S1" && s.role == hubsel::outcome::Role::Member));
    // Required, it is taken: a planner's decision.
    let r = run_text(csv, &format!("required_hubs = [\"S9\"]\n{scenario}"));
    assert_eq!(r.hubs[0].id.0, "S9");
    // Alone in its district, it leaves a shortfall that says why.
    let r = run_text(
        "id,name,lon,lat,level,students,classrooms\nS9,ไกล,99.0,18.7,primary,100,40\n",
        scenario,
    );
    assert!(r.hubs.is_empty());
    let reason = &r.district_outcomes[0].shortfalls[0].reason;
    assert!(
        reason.contains("farther than max_snap_m (5000 m) from every road"),
        "{reason}"
    );
}

/// The same finding, for the explanation: without enrolment, a p-median
/// margin is in school-minutes and a max-cover margin in schools, never in
/// "students" the data does not have.
#[test]
fn margins_without_enrolment_are_in_schools() {
    for (strategy, unit) in [("p-median", "school-minutes"), ("max-cover", "schools")] {
        let scenario =
            format!("name = \"t\"\nstrategy = \"{strategy}\"\nmax_travel_minutes = 10\n");
        let r = run_text(&schools_along_the_road(&["0"; 8]), &scenario);
        assert!(!r.hubs.is_empty());
        for h in &r.hubs {
            assert_eq!(h.margin_unit, unit, "{strategy}");
        }
    }
}
