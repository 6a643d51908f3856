//! Runs on the real data sets beside the repository (`../shared/data/real/`,
//! never copied into it): Thailand's 928 district polygons and the 2015
//! OpenStreetMap extract of Liechtenstein.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use geo::{Coord, InteriorPoint, MultiPolygon, Polygon};
use hubsel::graph::RoadGraph;
use hubsel::io::{InputSources, ReadOptions, Source};
use hubsel::model::District;
use hubsel::pipeline::{run, Role, Silent};
use hubsel::routing::reference;
use hubsel::spatial::{DistrictIndex, SnapIndex};
use rand::{Rng, SeedableRng};

/// A file of the shared real data; fails, naming it, when it is missing.
fn real(name: &str) -> PathBuf {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/real"
    ))
    .join(name);
    assert!(
        path.is_file(),
        "the real data file {} is missing: this test needs shared/data/real/{name} beside the repository",
        path.display()
    );
    path
}

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
    let districts_path = real("th_districts.geojson");
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
    let config = hubsel::scenario::parse(hubsel::fixture::DEFAULT_SCENARIO, "default").unwrap();
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
                    s.id, s.reason
                );
                assert_eq!(s.reason, "point lies outside every district");
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

fn liechtenstein() -> (hubsel::pipeline::RunResult, hubsel::model::Inputs, f64) {
    let pbf = real("liechtenstein-2015.osm.pbf");
    let sources = InputSources {
        schools: Source::File(&pbf),
        roads: Source::File(&pbf),
        districts: Source::File(&pbf),
    };
    let mut options = ReadOptions::default();
    options.osm.admin_level = "8".into();
    let started = Instant::now();
    let inputs = hubsel::io::load(&sources, &options).unwrap();
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

#[test]
fn liechtenstein_travel_times_match_the_reference_dijkstra() {
    let (r, inputs, _) = liechtenstein();
    let graph = RoadGraph::build(&inputs.roads, &r.config.speeds);
    let index = SnapIndex::new(&graph);
    let by_id: BTreeMap<&str, &hubsel::model::School> = inputs
        .schools
        .iter()
        .map(|s| (s.id.0.as_str(), s))
        .collect();
    let offroad_s = |m: f64| m * 3.6 / r.config.offroad_speed_kmh;
    assert!(!r.routes.is_empty());
    for rt in &r.routes {
        let (a, b) = (by_id[rt.school.0.as_str()], by_id[rt.hub.0.as_str()]);
        let (sa, sb) = (
            index.snap(&graph, a.lon, a.lat).unwrap(),
            index.snap(&graph, b.lon, b.lat).unwrap(),
        );
        let road_s = reference::trip_s(&graph, &sa, &sb).expect("a member reaches its hub");
        let expected_min = (road_s + offroad_s(sa.offroad_m) + offroad_s(sb.offroad_m)) / 60.0;
        assert!(
            (rt.travel_min - expected_min).abs() <= 1e-6 * expected_min.max(1.0),
            "{}: {} vs reference {}",
            rt.school,
            rt.travel_min,
            expected_min
        );
    }
    eprintln!(
        "liechtenstein: {} member travel times equal the reference Dijkstra",
        r.routes.len()
    );
}
