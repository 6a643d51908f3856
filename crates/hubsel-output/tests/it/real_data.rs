//! Runs on real data sets: Thailand's 928 district polygons (beside the
//! repository in `../shared/data/real/`, never copied into it: skipped
//! without it) and the 2015 OpenStreetMap extract of Liechtenstein (carried
//! in `fixtures/real/`, ODbL).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::real_files::{liechtenstein as liechtenstein_pbf, real};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use geo::{Coord, InteriorPoint, MultiPolygon, Polygon};
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::District;
use hubsel::outcome::Role;
use hubsel::pipeline::run;
use hubsel::progress::Silent;
use hubsel_testkit::reference;
use hubsel::spatial::DistrictIndex;
use rand::{Rng, SeedableRng};

/// Even-odd ray casting over every ring of every part: inside a part's
/// shell and outside its holes. Independent of geo's predicates.
fn ray_inside(m: &MultiPolygon<f64>, p: Coord<f64>) -> bool {
    let mut inside = false;
    for poly in &m.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for w in ring.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a.y > p.y) != (b.y > p.y) {
                    let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
                    if p.x < x {
                        inside = !inside;
                    }
                }
            }
        }
    }
    inside
}

/// The district of a point by trying every polygon in input order.
fn brute_force(districts: &[District], p: Coord<f64>) -> Option<usize> {
    districts.iter().position(|d| ray_inside(&d.geometry, p))
}

/// Points inside every part but the largest of each multipolygon, and
/// inside every hole: where a bounding-box index or a shell-only test
/// would go wrong.
fn tricky_points(districts: &[District]) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    for d in districts {
        for (k, part) in d.geometry.0.iter().enumerate() {
            if k > 0 {
                if let Some(p) = part.interior_point() {
                    out.push(p.0);
                }
            }
            for hole in part.interiors() {
                if let Some(p) = Polygon::new(hole.clone(), vec![]).interior_point() {
                    out.push(p.0);
                }
            }
        }
    }
    out
}

#[test]
fn every_point_across_thailand_gets_the_district_brute_force_gives() {
    let Some(districts_path) = real(
        "real_data::every_point_across_thailand_gets_the_district_brute_force_gives",
        "th_districts.geojson",
    ) else {
        return;
    };
    let started = Instant::now();
    let sources = InputSources {
        schools: hubsel::fixture::province().schools,
        roads: hubsel::fixture::province().roads,
        districts: Source::File(&districts_path),
    };
    let mut inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    assert_eq!(inputs.districts.len(), 928, "all 928 districts read");
    assert!(
        inputs.rejects.is_empty(),
        "{:?}",
        inputs.rejects.rows.first()
    );
    let districts = inputs.districts.clone();
    let tricky = tricky_points(&districts);
    assert!(
        tricky.len() >= 50,
        "only {} points in extra parts and holes",
        tricky.len()
    );

    // The province's 687 schools moved to random points across Thailand,
    // plus one school at each tricky point; districts left to point in polygon.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let template = inputs.schools[0].clone();
    for s in &mut inputs.schools {
        s.lon = rng.random_range(97.3..105.7);
        s.lat = rng.random_range(5.6..20.5);
        s.district = None;
    }
    for (i, p) in tricky.iter().enumerate() {
        let mut s = template.clone();
        s.id = hubsel::model::SchoolId(format!("T{i:04}"));
        (s.lon, s.lat, s.district) = (p.x, p.y, None);
        inputs.schools.push(s);
    }
    let positions: BTreeMap<String, Coord<f64>> = inputs
        .schools
        .iter()
        .map(|s| (s.id.0.clone(), Coord { x: s.lon, y: s.lat }))
        .collect();
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    let result = run(inputs, &config, &Silent).unwrap();
    assert_eq!(result.schools.len(), positions.len());
    let (mut inside, mut outside) = (0, 0);
    for s in &result.schools {
        let p = positions[&s.id.0];
        let expected = brute_force(&districts, p).map(|i| districts[i].code.clone());
        match s.role {
            Role::Rejected => {
                assert_eq!(
                    expected, None,
                    "{} at {p:?} refused ({}) but lies in {expected:?}",
                    s.id, s.reason_en()
                );
                assert_eq!(s.reason_en(), "point lies outside every district");
                outside += 1;
            }
            _ => {
                assert_eq!(s.district, expected, "{} at {p:?}", s.id);
                inside += 1;
            }
        }
    }
    let tricky_placed = result
        .schools
        .iter()
        .filter(|s| s.id.0.starts_with('T') && s.role != Role::Rejected)
        .count();
    assert_eq!(
        tricky_placed,
        tricky
            .iter()
            .filter(|p| brute_force(&districts, **p).is_some())
            .count()
    );

    // Many more random points straight through the index.
    let index = DistrictIndex::new(&districts);
    let mut checked = 0;
    for _ in 0..20_000 {
        let p = Coord {
            x: rng.random_range(97.3..105.7),
            y: rng.random_range(5.6..20.5),
        };
        assert_eq!(index.locate(p.x, p.y), brute_force(&districts, p), "{p:?}");
        checked += 1;
    }
    eprintln!(
        "th_districts: run with {} schools ({inside} placed, {outside} outside every district; {} at points in extra parts or holes) \
         and {checked} more points on the index, all as brute force; {:.1} s",
        positions.len(),
        tricky.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The Liechtenstein extract as inputs: schools, roads and municipalities
/// (admin level 8) all from the PBF.
fn liechtenstein_inputs() -> hubsel::model::Inputs {
    let pbf = liechtenstein_pbf();
    let sources = InputSources {
        schools: Source::File(&pbf),
        roads: Source::File(&pbf),
        districts: Source::File(&pbf),
    };
    let mut options = ReadOptions::default();
    options.osm.admin_level = "8".into();
    hubsel::io::load(&sources, &options).unwrap()
}

fn liechtenstein() -> (hubsel::outcome::RunResult, hubsel::model::Inputs, f64) {
    let started = Instant::now();
    let inputs = liechtenstein_inputs();
    let config = hubsel::scenario::parse(
        "name = \"liechtenstein\"\n[constraints]\nmin_students = 0\n",
        "li.toml",
    )
    .unwrap();
    let result = run(inputs.clone(), &config, &Silent).unwrap();
    (result, inputs, started.elapsed().as_secs_f64())
}

#[test]
fn liechtenstein_from_the_pbf_alone_gets_hubs_where_there_are_schools() {
    let (r, inputs, seconds) = liechtenstein();
    let names: BTreeSet<&str> = r.districts.iter().map(|d| d.name.as_str()).collect();
    for m in [
        "Vaduz",
        "Schaan",
        "Triesen",
        "Balzers",
        "Eschen",
        "Mauren",
        "Triesenberg",
        "Ruggell",
        "Gamprin",
        "Schellenberg",
        "Planken",
    ] {
        assert!(
            names.contains(m),
            "municipality {m} assembled from its relation: {names:?}"
        );
    }
    assert!(inputs.roads.len() > 1000, "{} roads", inputs.roads.len());
    assert_eq!(
        inputs.schools.len() + inputs.rejected_schools.len(),
        19,
        "7 school nodes and 12 school ways"
    );
    assert!(
        inputs.schools.iter().any(|s| s.id.0.starts_with('n'))
            && inputs.schools.iter().any(|s| s.id.0.starts_with('w'))
    );
    // Every municipality with a school gets a hub; the others none.
    let mut with_schools: BTreeSet<String> = BTreeSet::new();
    for s in r.schools.iter().filter(|s| s.role != Role::Rejected) {
        with_schools.insert(s.district.as_ref().unwrap().0.clone());
    }
    let with_hubs: BTreeSet<String> = r.hubs.iter().map(|h| h.district.0.clone()).collect();
    assert_eq!(with_hubs, with_schools);
    assert!(with_hubs.len() >= 8, "{with_hubs:?}");
    eprintln!(
        "liechtenstein: {} municipalities, {} schools, {} roads, {} hubs in {} municipalities with schools, {} members; {:.2} s",
        r.districts.len(),
        r.schools.len(),
        inputs.roads.len(),
        r.hubs.len(),
        with_hubs.len(),
        r.routes.len(),
        seconds
    );
}

use crate::reference_check;

/// Finding 5 on real data: every school→candidate time and every member's
/// minutes equal the independent reference, whatever the order of the
/// road features.
#[test]
fn liechtenstein_every_trip_equals_the_reference_in_any_road_order() {
    let started = Instant::now();
    let inputs = liechtenstein_inputs();
    let config = hubsel::scenario::parse(
        "name = \"liechtenstein\"\n[constraints]\nmin_students = 0\n",
        "li.toml",
    )
    .unwrap();
    let c = reference_check::engine_equals_reference_in_any_road_order(&inputs, &config);
    assert!(c.reachable >= 3 * 40, "{c:?}");
    assert!(c.members >= 3 * 5, "{c:?}");
    eprintln!(
        "liechtenstein: {c:?} over 3 road orders equal the reference; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The number in a reason after `prefix`, up to `suffix`.
fn number_in(reason: &str, prefix: &str, suffix: &str) -> f64 {
    let rest = &reason[reason.find(prefix).unwrap() + prefix.len()..];
    rest[..rest.find(suffix).unwrap()].trim().parse().unwrap()
}

/// Issue test 7(b): on the real extract, with limits that make schools
/// stand alone, every stand-alone school has a reason a planner can check,
/// and each reason holds against facts computed independently: the
/// reference's snap distance, the reference's travel time to the nearest
/// hub of the school's level, the reference graph's connectivity, and the
/// hubs layer.
#[test]
fn liechtenstein_every_stand_alone_reason_holds_against_independent_facts() {
    let inputs = liechtenstein_inputs();
    // Keep hubs out of one municipality with schools, so that its schools
    // have no hub of their level.
    let mut by_district: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let index = DistrictIndex::new(&inputs.districts);
    for s in &inputs.schools {
        if let Some(d) = index.locate(s.lon, s.lat) {
            by_district
                .entry(inputs.districts[d].code.0.clone())
                .or_default()
                .push(s.id.0.clone());
        }
    }
    let (_, excluded) = by_district
        .iter()
        .find(|(_, ids)| ids.len() >= 2)
        .expect("a municipality with two schools");
    let list: Vec<String> = excluded.iter().map(|id| format!("\"{id}\"")).collect();
    let text = format!(
        "name = \"li-tight\"\nhubs_per_district = {{ primary = 1, secondary = 0 }}\nmax_travel_minutes = 0.5\nsearch_cutoff_minutes = 30\nmax_snap_m = 40\n\
         excluded_hubs = [{}]\n[constraints]\nmin_students = 0\n",
        list.join(", ")
    );
    let config = hubsel::scenario::parse(&text, "li-tight.toml").unwrap();
    let r = run(inputs.clone(), &config, &Silent).unwrap();
    let net = reference::Network::new(&inputs.roads, &crate::common::reference_speeds(&config.speeds));
    let offroad_s = |m: f64| m * 3.6 / config.offroad_speed_kmh;
    let school_at: BTreeMap<&str, (f64, f64)> = inputs
        .schools
        .iter()
        .map(|s| (s.id.0.as_str(), (s.lon, s.lat)))
        .collect();
    let place = |id: &str| {
        let (lon, lat) = school_at[id];
        net.place(
            lon,
            lat,
            config.max_snap_m,
            config.small_component_junctions,
        )
        .unwrap()
    };
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for s in r.schools.iter().filter(|s| s.role == Role::StandAlone) {
        let district = s.district.as_ref().unwrap();
        let level = s.level.unwrap();
        // The hubs of its level in its district, from the hubs layer.
        let hubs: Vec<&hubsel::outcome::HubOutcome> = r
            .hubs
            .iter()
            .filter(|h| &h.district == district && level.serves(h.level))
            .collect();
        let reason = s.reason_en();
        let reason = reason.as_str();
        let here = place(&s.id.0);
        let door_to_door = |h: &hubsel::outcome::HubOutcome| {
            let to = place(&h.id.0);
            net.trip_s(&here, &to)
                .map(|road| road + offroad_s(here.offroad_m) + offroad_s(to.offroad_m))
        };
        let kind = if reason.starts_with("not on the road network") {
            let (lon, lat) = school_at[s.id.0.as_str()];
            let nearest_m = net.nearest(lon, lat).unwrap().offroad_m;
            let said = number_in(reason, "the nearest road is", "m away");
            assert!(nearest_m > config.max_snap_m, "{}: {reason}", s.id);
            assert!(
                (said - nearest_m).abs() <= 0.5 + 1e-9,
                "{}: {reason} vs {nearest_m} m",
                s.id
            );
            "far from road"
        } else if reason.starts_with("nearest hub") {
            let said = number_in(reason, "nearest hub", "min away");
            let nearest_min = hubs
                .iter()
                .filter_map(|h| door_to_door(h))
                .fold(f64::INFINITY, f64::min)
                / 60.0;
            assert!(nearest_min > config.max_travel_min, "{}: {reason}", s.id);
            assert!(
                (said - nearest_min).abs() <= 0.05 + 1e-9,
                "{}: {reason} vs {nearest_min} min",
                s.id
            );
            "beyond the limit"
        } else if reason.starts_with("no hub of its level within the") {
            assert!(!hubs.is_empty());
            for h in &hubs {
                assert!(
                    door_to_door(h).is_none_or(|t| t > config.search_cutoff_min * 60.0),
                    "{}: {reason}",
                    s.id
                );
            }
            "beyond the cutoff"
        } else if reason.starts_with("on a road island") {
            assert!(!hubs.is_empty());
            for h in &hubs {
                assert!(!net.joined(&here, &place(&h.id.0)), "{}: {reason}", s.id);
            }
            "island"
        } else if reason.starts_with("no hub of its level in district") {
            assert!(!hubs.is_empty());
            for h in &hubs {
                let nearest_m = net.nearest(h.lon, h.lat).unwrap().offroad_m;
                assert!(nearest_m > config.max_snap_m, "{}: {reason}", s.id);
            }
            "hub off the road network"
        } else if reason.starts_with("one-way trap") {
            assert!(hubs.iter().any(|h| net.joined(&here, &place(&h.id.0))));
            for h in &hubs {
                assert!(door_to_door(h).is_none(), "{}: {reason}", s.id);
            }
            "one-way trap"
        } else if reason.starts_with("no ") && reason.contains(" hub in district ") {
            assert_eq!(
                reason,
                format!(
                    "no {} hub in district {district}: see the shortfalls",
                    match level {
                        hubsel::model::Level::Primary => "primary",
                        hubsel::model::Level::Secondary => "secondary",
                        hubsel::model::Level::Both => "primary or secondary",
                    }
                )
            );
            assert!(
                hubs.is_empty(),
                "{}: {reason} but the hubs layer has {hubs:?}",
                s.id
            );
            "no hub in district"
        } else {
            panic!("{}: a reason a planner cannot check: {reason:?}", s.id);
        };
        *kinds.entry(kind).or_insert(0) += 1;
    }
    // ("hub off the road network" is checked when it happens: a school off
    // the network is a candidate only when the scenario requires it.)
    for kind in ["far from road", "beyond the limit", "no hub in district"] {
        assert!(kinds.contains_key(kind), "no {kind:?} case: {kinds:?}");
    }
    eprintln!("liechtenstein, tight limits: stand-alone reasons checked {kinds:?}");
}

/// The province picker's list from the 928 national districts: 77
/// provinces by their codes, each with its Thai name from `pro_th`, and
/// the districts a load cut to Chiang Mai (50) keeps are that province's.
#[test]
fn the_national_districts_list_77_provinces_with_their_thai_names() {
    let Some(path) = real(
        "real_data::the_national_districts_list_77_provinces_with_their_thai_names",
        "th_districts.geojson",
    ) else {
        return;
    };
    let provinces =
        hubsel::io::district_provinces(&Source::File(&path), &ReadOptions::default()).unwrap();
    assert_eq!(provinces.len(), 77);
    assert_eq!(provinces.iter().map(|p| p.districts).sum::<usize>(), 928);
    let cm = provinces.iter().find(|p| p.code == "50").unwrap();
    assert_eq!(cm.name.as_deref(), Some("เชียงใหม่"));
    assert_eq!(cm.districts, 25);
    let bkk = provinces.iter().find(|p| p.code == "10").unwrap();
    assert_eq!(bkk.name.as_deref(), Some("กรุงเทพมหานคร"));
    assert!(provinces.iter().all(|p| p.name.is_some()));
    let sources = InputSources {
        schools: hubsel::fixture::province().schools,
        roads: hubsel::fixture::province().roads,
        districts: Source::File(&path),
    };
    let inputs = hubsel::io::load(&sources, &ReadOptions::default()).unwrap();
    let codes: Vec<String> = provinces.iter().map(|p| p.code.clone()).collect();
    assert_eq!(
        inputs.provinces(),
        codes,
        "the picker offers what the cut takes"
    );
    let cut = inputs
        .only_provinces(&["50"], hubsel::model::PROVINCE_MARGIN_M)
        .unwrap();
    assert_eq!(cut.districts.len(), 25);
    assert!(cut.districts.iter().all(|d| d.code.0.starts_with("50")));
}
