//! The origin–destination matrix (`hubsel::od`, `hubsel matrix`) on the
//! province: the same trips as a run's members, points read as schools
//! are, and its refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use hubsel::io::{ReadOptions, Source};
use hubsel::od::{self, OdInputs, OdSources};
use hubsel::outcome::Role;
use hubsel::progress::Silent;

fn default_config() -> hubsel::scenario::Config {
    hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap()
}

/// Every member's trip to its hub in a run is the matrix's trip from that
/// school to that hub, to the bit's neighbourhood: the same snapping,
/// off-road legs, searches and route lengths.
#[test]
fn a_run_s_members_travel_as_the_matrix_says() {
    let config = default_config();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    let result = hubsel::pipeline::run(inputs.clone(), &config, &Silent).unwrap();
    let hub_ids: Vec<&str> = result.hubs.iter().map(|h| h.id.0.as_str()).collect();
    let hubs: Vec<_> = inputs
        .schools
        .iter()
        .filter(|s| hub_ids.contains(&s.id.0.as_str()))
        .cloned()
        .collect();
    assert_eq!(hubs.len(), result.hubs.len());
    let od_inputs = OdInputs {
        origins: inputs.schools.clone(),
        destinations: hubs.clone(),
        roads: inputs.roads.clone(),
        ..OdInputs::default()
    };
    let m = od::matrix(od_inputs, &config, config.search_cutoff_min, &Silent).unwrap();
    let origin: BTreeMap<&str, usize> = m
        .origins
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let destination: BTreeMap<&str, usize> = m
        .destinations
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let mut members = 0;
    for s in result.schools.iter().filter(|s| s.role == Role::Member) {
        let hub = s.hub_id.as_ref().unwrap().0.as_str();
        let trip = m
            .times
            .trip(origin[s.id.0.as_str()], destination[hub])
            .unwrap();
        let (minutes, km) = (s.travel_min.unwrap(), s.road_km.unwrap());
        assert!(
            (trip.travel_s / 60.0 - minutes).abs() < 1e-9,
            "{}: {} vs {minutes}",
            s.id.0,
            trip.travel_s / 60.0
        );
        assert!(
            (trip.road_m / 1000.0 - km).abs() < 1e-9,
            "{}: {} km vs {km}",
            s.id.0,
            trip.road_m / 1000.0
        );
        members += 1;
    }
    assert_eq!(members, 386);
    // A hub to itself: no road, its two off-road legs.
    let first = &hubs[0];
    let (o, d) = (
        origin[first.id.0.as_str()],
        destination[first.id.0.as_str()],
    );
    let itself = m.times.trip(o, d).unwrap();
    assert_eq!(itself.road_m, 0.0);
    let offroad_m = m.origins[o].offroad_m.unwrap();
    assert!((itself.travel_s - 2.0 * offroad_m * 3.6 / config.offroad_speed_kmh).abs() < 1e-9);
}

/// A shorter limit leaves the longer trips blank, and only those.
#[test]
fn trips_beyond_the_limit_are_blank() {
    let config = default_config();
    let p = hubsel::fixture::province();
    let sources = OdSources {
        origins: p.schools,
        destinations: p.schools,
        roads: p.roads,
    };
    let mut inputs = od::load(&sources, &ReadOptions::default()).unwrap();
    inputs.origins.truncate(40);
    inputs.destinations.truncate(40);
    let all = od::matrix(inputs.clone(), &config, 1440.0, &Silent).unwrap();
    let short = od::matrix(inputs, &config, 20.0, &Silent).unwrap();
    let mut kept = 0;
    for (a, b) in all.times.trips.iter().zip(&short.times.trips) {
        match (a, b) {
            (Some(a), Some(b)) => {
                assert_eq!(a, b);
                assert!(a.travel_s <= 20.0 * 60.0);
                kept += 1;
            }
            (Some(a), None) => assert!(a.travel_s > 20.0 * 60.0),
            (None, None) => {}
            (None, Some(b)) => panic!("a trip of {} s only under the shorter limit", b.travel_s),
        }
    }
    assert!(kept > 40 && kept < 1600, "{kept} trips within 20 min");
    let csv = short.csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("origin_id,destination_id,travel_min,road_km")
    );
    assert_eq!(lines.clone().count(), 1600);
    assert_eq!(lines.filter(|l| l.ends_with(",,")).count(), 1600 - kept);
}

/// Points need no level: a blank level column is fine, other columns are
/// ignored; a repeated id and a point without coordinates are refused
/// with their lines; a side without any usable point stops the matrix.
#[test]
fn points_are_read_as_schools_without_needing_a_level() {
    let p = hubsel::fixture::province();
    let origins = "id,name,lon,lat,level,colour\nA,one,98.9485,18.7397,,red\nB,two,98.9900,18.7000,,blue\nA,again,98.95,18.74,,red\nC,nowhere,,,,\n";
    let destinations = "id,lon,lat,level\nH,99.0206,18.6803,\n";
    let sources = OdSources {
        origins: Source::Bytes {
            name: "origins.csv",
            bytes: origins.as_bytes(),
        },
        destinations: Source::Bytes {
            name: "destinations.csv",
            bytes: destinations.as_bytes(),
        },
        roads: p.roads,
    };
    let inputs = od::load(&sources, &ReadOptions::default()).unwrap();
    let ids: Vec<&str> = inputs.origins.iter().map(|s| s.id.0.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    let refused: Vec<(u64, &str, &str)> = inputs
        .rejects
        .rows
        .iter()
        .map(|r| (r.source.line, r.id.as_str(), r.field.as_str()))
        .collect();
    assert_eq!(refused.len(), 2, "{:?}", inputs.rejects.rows);
    assert!(refused.contains(&(4, "A", "id")), "{refused:?}");
    assert!(
        refused.iter().any(|r| r.0 == 5 && r.1 == "C"),
        "{refused:?}"
    );
    let m = od::matrix(inputs, &default_config(), 1440.0, &Silent).unwrap();
    assert!(m.times.trips.iter().all(Option::is_some));

    let none = OdSources {
        destinations: Source::Bytes {
            name: "empty.csv",
            bytes: b"id,lon,lat,level\n",
        },
        ..sources
    };
    let e = od::load(&none, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        e.file().map(|f| f.display().to_string()),
        Some("empty.csv".to_string())
    );
    assert!(e.to_string().contains("no usable point"), "{e}");
}
