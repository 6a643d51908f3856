//! Checks of the generated data against what the pipeline relies on.
//! Geometry checks use `geo` where it has the predicate, as an independent
//! second implementation of what the generator computes itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use geo::{Contains, Coord, LineString, Point, Polygon};

use super::geom::{distance_m, point_segment_m, polyline_length_m, ring_area2_deg2};
use super::province::CHIANG_MAI;
use super::write::SCHOOL_COLUMNS;
use super::*;

const SEED: u64 = 42;

/// A coordinate as integer 1e-7 degrees, and a segment between two.
type Key = (i64, i64);
type KeySegment = (Key, Key);
type Segment = ([f64; 2], [f64; 2]);
/// Forward and backward adjacency lists, and every edge once.
type RoadGraph = (Vec<Vec<usize>>, Vec<Vec<usize>>, Vec<(usize, usize)>);

fn dataset() -> &'static SynthDataset {
    static DATA: OnceLock<SynthDataset> = OnceLock::new();
    DATA.get_or_init(|| generate(Preset::Province, SEED))
}

/// A fresh, empty scratch folder for this test process.
fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hubsel-synth-{}-{tag}", std::process::id()));
    // Left over only from a crashed earlier run with the same process id.
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    Polygon::new(
        LineString::from(
            ring.iter()
                .map(|p| Coord { x: p[0], y: p[1] })
                .collect::<Vec<_>>(),
        ),
        vec![],
    )
}

/// Integer key of a 7-decimal coordinate, as a graph builder would use.
fn key(p: [f64; 2]) -> Key {
    ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64)
}

fn district(code: &str) -> &'static SynthDistrict {
    dataset()
        .districts
        .iter()
        .find(|d| d.code == code)
        .expect("district exists")
}

#[test]
fn presets_parse_case_insensitively() {
    assert_eq!("province".parse::<Preset>(), Ok(Preset::Province));
    assert_eq!("PROVINCE".parse::<Preset>(), Ok(Preset::Province));
    assert_eq!("Thailand".parse::<Preset>(), Ok(Preset::Thailand));
    let err = "chiang-mai".parse::<Preset>().unwrap_err();
    assert!(err.to_string().contains("province, thailand"), "{err}");
    for preset in Preset::ALL {
        assert_eq!(preset.name().parse::<Preset>(), Ok(preset));
        assert_eq!(preset.to_string(), preset.name());
    }
}

#[test]
fn counts_codes_and_names() {
    let data = dataset();
    assert_eq!(data.districts.len(), 25);
    assert_eq!(data.schools.len(), 687);
    let codes: Vec<&str> = data.districts.iter().map(|d| d.code.as_str()).collect();
    let expected: Vec<String> = (1..=25).map(|n| format!("50{n:02}")).collect();
    assert_eq!(codes, expected);
    assert_eq!(district("5001").name_en, "Mueang Chiang Mai");
    assert_eq!(district("5025").name_th, "กัลยาณิวัฒนา");
    assert!(data.districts.iter().all(|d| d.province == "50"));
    for code in ["5003", "5018", "5025", "5020", "5008"] {
        assert!(
            district(code).highland,
            "{code} should be a highland district"
        );
    }
    for code in ["5001", "5019", "5015", "5014"] {
        assert!(
            !district(code).highland,
            "{code} should be a valley district"
        );
    }
}

#[test]
fn same_seed_writes_identical_bytes_and_another_seed_differs() {
    let (a, b, c) = (
        scratch_dir("det-a"),
        scratch_dir("det-b"),
        scratch_dir("det-c"),
    );
    generate(Preset::Province, 7).write(&a).expect("write a");
    generate(Preset::Province, 7).write(&b).expect("write b");
    generate(Preset::Province, 8).write(&c).expect("write c");
    for file in ["schools.csv", "roads.geojson", "districts.geojson"] {
        let bytes_a = std::fs::read(a.join(file)).expect("read a");
        let bytes_b = std::fs::read(b.join(file)).expect("read b");
        let bytes_c = std::fs::read(c.join(file)).expect("read c");
        assert!(!bytes_a.is_empty());
        assert!(
            bytes_a == bytes_b,
            "{file} differs between two runs with the same seed"
        );
        assert!(bytes_a != bytes_c, "{file} is the same for seeds 7 and 8");
    }
    for dir in [a, b, c] {
        std::fs::remove_dir_all(dir).expect("clean up");
    }
}

#[test]
fn written_files_have_the_documented_shape() {
    let data = dataset();
    let dir = scratch_dir("shape");
    data.write(&dir).expect("write");

    let mut reader = csv::Reader::from_path(dir.join("schools.csv")).expect("open csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, SCHOOL_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 687);
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids sorted and unique");
    for row in &rows {
        assert!(
            row[0].len() == 8 && row[0].starts_with("50") && row[0][2..4] == row[4][2..4],
            "{row:?}"
        );
        for column in [2, 3] {
            let decimals = row[column].split('.').nth(1).map_or(0, str::len);
            assert_eq!(decimals, 6, "{row:?}");
        }
        assert!(["primary", "both", "secondary"].contains(&&row[5]));
        assert!(row[1].starts_with("โรงเรียน"));
    }

    let roads: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("roads.geojson")).expect("read"))
            .expect("json");
    let features = roads["features"].as_array().expect("features");
    assert_eq!(features.len(), data.roads.len());
    let classes: Vec<&str> = RoadClass::ALL.iter().map(|c| c.as_str()).collect();
    for f in features {
        let props = f["properties"].as_object().expect("properties");
        assert!(classes.contains(&props["class"].as_str().expect("class")));
        assert!(props["name"].is_string() && props["oneway"].is_boolean());
        assert!(props
            .keys()
            .all(|k| ["class", "name", "oneway", "maxspeed"].contains(&k.as_str())));
        assert_eq!(f["geometry"]["type"], "LineString");
    }
    let text = std::fs::read_to_string(dir.join("roads.geojson")).expect("read");
    let longest_decimals = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|number| number.split_once('.').map(|(_, d)| d.len()))
        .max();
    assert_eq!(longest_decimals, Some(7));

    let districts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("districts.geojson")).expect("read"))
            .expect("json");
    assert!(districts.get("crs").is_none());
    for f in districts["features"].as_array().expect("features") {
        let keys: Vec<&str> = f["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4);
        assert!(["code", "name_th", "name_en", "province"]
            .iter()
            .all(|k| keys.contains(k)));
        assert_eq!(f["geometry"]["type"], "Polygon");
    }
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[test]
fn roads_file_stays_small() {
    let dir = scratch_dir("size");
    dataset().write(&dir).expect("write");
    let bytes = std::fs::metadata(dir.join("roads.geojson"))
        .expect("stat")
        .len();
    assert!(bytes < 4_500_000, "roads.geojson is {bytes} bytes");
    let vertices: usize = dataset().roads.iter().map(|r| r.coords.len()).sum();
    assert!(
        (60_000..=150_000).contains(&vertices),
        "{vertices} road vertices"
    );
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[test]
fn every_school_is_strictly_inside_its_own_district_only() {
    let data = dataset();
    let polygons: Vec<(&str, Polygon<f64>)> = data
        .districts
        .iter()
        .map(|d| (d.code.as_str(), polygon(&d.ring)))
        .collect();
    for school in &data.schools {
        let point = Point::new(school.lon, school.lat);
        let holders: Vec<&str> = polygons
            .iter()
            .filter(|(_, p)| p.contains(&point))
            .map(|(code, _)| *code)
            .collect();
        assert_eq!(holders, [school.district.as_str()], "school {}", school.id);
    }
}

#[test]
fn districts_tile_the_province() {
    let data = dataset();
    // Every ring closed and counter-clockwise.
    for d in &data.districts {
        assert_eq!(d.ring.first(), d.ring.last(), "{} not closed", d.code);
        assert!(
            ring_area2_deg2(&d.ring) > 0.0,
            "{} not counter-clockwise",
            d.code
        );
    }
    // Each boundary segment is shared by exactly two districts, walked in
    // opposite directions, or lies on the outline and is walked once.
    let mut segments: BTreeMap<KeySegment, usize> = BTreeMap::new();
    for d in &data.districts {
        for w in d.ring.windows(2) {
            *segments.entry((key(w[0]), key(w[1]))).or_insert(0) += 1;
        }
    }
    assert!(
        segments.values().all(|&n| n == 1),
        "a segment is used twice in the same direction"
    );
    let outline: Vec<KeySegment> = segments
        .keys()
        .filter(|(a, b)| !segments.contains_key(&(*b, *a)))
        .copied()
        .collect();
    let shared = segments.len() - outline.len();
    assert!(shared > 0 && shared.is_multiple_of(2));
    // The outline is one closed loop: every vertex on it starts exactly one
    // outline segment, and walking from any reaches all.
    let next: BTreeMap<Key, Key> = outline.iter().copied().collect();
    assert_eq!(next.len(), outline.len());
    let start = outline[0].0;
    let (mut at, mut steps) = (next[&start], 1);
    while at != start {
        at = next[&at];
        steps += 1;
        assert!(steps <= outline.len());
    }
    assert_eq!(steps, outline.len(), "outline is not a single loop");
    // Areas add up to the outline's area.
    let sum: f64 = data
        .districts
        .iter()
        .map(|d| ring_area2_deg2(&d.ring))
        .sum();
    let mut outline_ring = vec![start];
    let mut at = next[&start];
    while at != start {
        outline_ring.push(at);
        at = next[&at];
    }
    outline_ring.push(start);
    let outline_ring: Vec<[f64; 2]> = outline_ring
        .iter()
        .map(|&(x, y)| [x as f64 / 1e7, y as f64 / 1e7])
        .collect();
    let total = ring_area2_deg2(&outline_ring);
    assert!(
        ((sum - total) / total).abs() < 1e-9,
        "areas {sum} vs {total}"
    );

    // No boundary segment crosses another: the rings are simple and do not
    // overlap. (Together with the shared segments this makes a tiling.)
    let all: Vec<([f64; 2], [f64; 2])> = segments
        .keys()
        .map(|&(a, b)| ([a.0 as f64, a.1 as f64], [b.0 as f64, b.1 as f64]))
        .collect();
    for (i, &(a, b)) in all.iter().enumerate() {
        for &(c, d) in &all[i + 1..] {
            if a == c || a == d || b == c || b == d {
                continue;
            }
            assert!(
                !segments_cross(a, b, c, d),
                "boundary segments cross near {:?}",
                a
            );
        }
    }

    // Sample points: inside the outline exactly one district, outside none.
    let outline_polygon = polygon(&outline_ring);
    let polygons: Vec<Polygon<f64>> = data.districts.iter().map(|d| polygon(&d.ring)).collect();
    let (mut inside, mut outside) = (0, 0);
    for i in 0..120 {
        for j in 0..200 {
            let p = Point::new(
                97.8 + 2.0 * (i as f64 + 0.37) / 120.0,
                17.0 + 3.3 * (j as f64 + 0.61) / 200.0,
            );
            let holders = polygons.iter().filter(|poly| poly.contains(&p)).count();
            if outline_polygon.contains(&p) {
                assert_eq!(holders, 1, "{p:?} in {holders} districts");
                inside += 1;
            } else {
                assert_eq!(holders, 0, "{p:?} outside the province but in a district");
                outside += 1;
            }
        }
    }
    assert!(inside > 1_000 && outside > 1_000);
}

/// Whether two segments cross at a point inside both (integer-exact inputs).
pub(super) fn segments_cross(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    let orient = |p: [f64; 2], q: [f64; 2], r: [f64; 2]| {
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    let (d1, d2, d3, d4) = (
        orient(c, d, a),
        orient(c, d, b),
        orient(a, b, c),
        orient(a, b, d),
    );
    d1 * d2 <= 0.0 && d3 * d4 <= 0.0 && !(d1 == 0.0 && d2 == 0.0)
}

#[test]
fn province_lies_in_chiang_mai_extent() {
    for d in &dataset().districts {
        for p in &d.ring {
            assert!(
                (98.0..=99.6).contains(&p[0]) && (17.2..=20.1).contains(&p[1]),
                "{} at {p:?}",
                d.code
            );
        }
    }
}

/// Directed adjacency over distinct coordinates, plus its reverse.
fn road_graph(roads: &[SynthRoad]) -> RoadGraph {
    let mut ids: BTreeMap<Key, usize> = BTreeMap::new();
    let mut forward: Vec<Vec<usize>> = Vec::new();
    let mut backward: Vec<Vec<usize>> = Vec::new();
    let mut edges = Vec::new();
    for road in roads {
        let nodes: Vec<usize> = road
            .coords
            .iter()
            .map(|&p| {
                let next = ids.len();
                let id = *ids.entry(key(p)).or_insert(next);
                if id == next {
                    forward.push(Vec::new());
                    backward.push(Vec::new());
                }
                id
            })
            .collect();
        for w in nodes.windows(2) {
            edges.push((w[0], w[1]));
            forward[w[0]].push(w[1]);
            backward[w[1]].push(w[0]);
            if !road.oneway {
                forward[w[1]].push(w[0]);
                backward[w[0]].push(w[1]);
            }
        }
    }
    (forward, backward, edges)
}

fn reach_all(adjacency: &[Vec<usize>]) -> bool {
    let mut seen = vec![false; adjacency.len()];
    let mut stack = vec![0];
    seen[0] = true;
    while let Some(v) = stack.pop() {
        for &w in &adjacency[v] {
            if !seen[w] {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    seen.iter().all(|&s| s)
}

#[test]
fn road_network_is_connected_both_ways() {
    let roads = &dataset().roads;
    let (forward, backward, edges) = road_graph(roads);
    // Weakly: union-find over the undirected edges.
    let mut parent: Vec<usize> = (0..forward.len()).collect();
    fn root(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    for (a, b) in edges {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent[ra] = rb;
    }
    let r0 = root(&mut parent, 0);
    assert!(
        (0..forward.len()).all(|v| root(&mut parent, v) == r0),
        "road network has several components"
    );
    // Strongly: everything reachable from vertex 0 forwards and backwards.
    assert!(
        roads.iter().filter(|r| r.oneway).count() >= 4,
        "expected one-way couplets"
    );
    assert!(reach_all(&forward), "some vertex cannot be reached");
    assert!(reach_all(&backward), "some vertex cannot reach the rest");
}

#[test]
fn one_way_streets_come_in_opposite_pairs() {
    let oneway: Vec<&SynthRoad> = dataset().roads.iter().filter(|r| r.oneway).collect();
    assert!(oneway.len() >= 4 && oneway.len().is_multiple_of(2));
    // Each one-way street has a partner whose direction is roughly opposite.
    let heading = |r: &SynthRoad| {
        let (a, b) = (r.coords[0], r.coords[r.coords.len() - 1]);
        [b[0] - a[0], b[1] - a[1]]
    };
    for r in &oneway {
        let h = heading(r);
        let opposite = oneway.iter().any(|o| {
            let g = heading(o);
            (h[0] * g[0] + h[1] * g[1]) / (h[0].hypot(h[1]) * g[0].hypot(g[1])) < -0.9
        });
        assert!(
            opposite,
            "one-way road {:?} has no opposite partner",
            r.name
        );
    }
}

#[test]
fn roads_meet_only_at_shared_vertices() {
    let roads = &dataset().roads;
    let mut cells: BTreeMap<Key, Vec<(usize, usize)>> = BTreeMap::new();
    const CELL: f64 = 0.01;
    for (r, road) in roads.iter().enumerate() {
        assert!(road.coords.len() >= 2);
        assert!(
            road.coords.windows(2).all(|w| w[0] != w[1]),
            "consecutive duplicate vertex"
        );
        for k in 0..road.coords.len() - 1 {
            let (a, b) = (road.coords[k], road.coords[k + 1]);
            let (x0, x1) = (
                (a[0].min(b[0]) / CELL).floor() as i64,
                (a[0].max(b[0]) / CELL).floor() as i64,
            );
            let (y0, y1) = (
                (a[1].min(b[1]) / CELL).floor() as i64,
                (a[1].max(b[1]) / CELL).floor() as i64,
            );
            for x in x0..=x1 {
                for y in y0..=y1 {
                    cells.entry((x, y)).or_default().push((r, k));
                }
            }
        }
    }
    let ends = |(r, k): (usize, usize)| (roads[r].coords[k], roads[r].coords[k + 1]);
    let mut crossings = BTreeSet::new();
    for list in cells.values() {
        for (i, &s) in list.iter().enumerate() {
            for &t in &list[i + 1..] {
                let ((a, b), (c, d)) = (ends(s), ends(t));
                if a == c || a == d || b == c || b == d {
                    continue;
                }
                if segments_cross(a, b, c, d) {
                    crossings.insert((s, t));
                }
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "{} crossings without a shared vertex, e.g. {:?}",
        crossings.len(),
        crossings.first()
    );
}

#[test]
fn every_class_is_present_and_tracks_are_mostly_in_the_hills() {
    let roads = &dataset().roads;
    for class in RoadClass::ALL {
        assert!(
            roads.iter().any(|r| r.class == class),
            "no {} road",
            class.as_str()
        );
    }
    let tracks: Vec<&SynthRoad> = roads
        .iter()
        .filter(|r| r.class == RoadClass::Track)
        .collect();
    let terrain = CHIANG_MAI.terrain();
    let in_hills = tracks
        .iter()
        .filter(|r| terrain.is_highland(r.coords[r.coords.len() / 2]))
        .count();
    assert!(
        in_hills * 10 >= tracks.len() * 7,
        "{in_hills} of {} tracks in the hills",
        tracks.len()
    );
    assert!(roads.iter().any(|r| r.maxspeed_kmh.is_some()));
    assert!(roads
        .iter()
        .filter(|r| r.maxspeed_kmh.is_some())
        .all(|r| matches!(r.class, RoadClass::Primary | RoadClass::Secondary)));
}

#[test]
fn highland_roads_wind_much_more_than_valley_roads() {
    // Length over straight-line distance, summed over roads lying wholly in
    // one zone.
    let terrain = CHIANG_MAI.terrain();
    let (mut hill, mut valley) = ((0.0, 0.0), (0.0, 0.0));
    for road in &dataset().roads {
        let highland = road
            .coords
            .iter()
            .filter(|&&p| terrain.is_highland(p))
            .count();
        let chord_m = distance_m(road.coords[0], road.coords[road.coords.len() - 1]);
        if chord_m < 1_000.0 {
            continue;
        }
        let zone = if highland == road.coords.len() {
            &mut hill
        } else if highland == 0 {
            &mut valley
        } else {
            continue;
        };
        zone.0 += polyline_length_m(&road.coords);
        zone.1 += chord_m;
    }
    let (hill_ratio, valley_ratio) = (hill.0 / hill.1, valley.0 / valley.1);
    assert!(hill_ratio > 1.4, "highland ratio {hill_ratio}");
    assert!(valley_ratio < 1.15, "valley ratio {valley_ratio}");
    assert!(hill_ratio > valley_ratio + 0.3);
}

#[test]
fn student_numbers_are_skewed_with_a_median_near_120() {
    let mut students: Vec<u32> = dataset().schools.iter().map(|s| s.students).collect();
    students.sort_unstable();
    let median = students[students.len() / 2];
    assert!((100..=140).contains(&median), "median {median}");
    let mean = students.iter().sum::<u32>() as f64 / students.len() as f64;
    assert!(
        mean > 1.2 * f64::from(median),
        "mean {mean} not above median {median}"
    );
    let secondary_median = median_of(
        dataset()
            .schools
            .iter()
            .filter(|s| s.level == SchoolLevel::Secondary),
    );
    assert!(
        secondary_median > 2 * median,
        "secondary median {secondary_median}"
    );
    let highland_median = median_of(dataset().schools.iter().filter(|s| s.highland));
    let valley_median = median_of(dataset().schools.iter().filter(|s| !s.highland));
    assert!(
        highland_median < valley_median,
        "highland {highland_median} valley {valley_median}"
    );
    let biggest = dataset()
        .schools
        .iter()
        .max_by_key(|s| s.students)
        .expect("schools");
    assert_eq!(biggest.district, "5001");
    assert!(biggest.students >= 2_000);
}

fn median_of<'a>(schools: impl Iterator<Item = &'a SynthSchool>) -> u32 {
    let mut v: Vec<u32> = schools.map(|s| s.students).collect();
    v.sort_unstable();
    v[v.len() / 2]
}

#[test]
fn school_attributes_are_plausible() {
    let terrain = CHIANG_MAI.terrain();
    for s in &dataset().schools {
        assert!(s.teachers >= 2 && s.classrooms >= 3, "{}", s.id);
        let expected = f64::from(s.students) / 18.0;
        assert!(
            (f64::from(s.teachers) - expected).abs() <= 4.0 + 0.1 * expected,
            "{} teachers {}",
            s.id,
            s.teachers
        );
        assert!(s.labs <= 6 && s.ict_teachers <= s.teachers && s.language_teachers <= 8);
        assert!((1.5..=150.0).contains(&s.land_rai) && (s.land_rai * 10.0).fract() == 0.0);
        assert_eq!(s.highland, terrain.is_highland([s.lon, s.lat]));
    }
}

#[test]
fn level_shares_and_per_district_guarantees() {
    let schools = &dataset().schools;
    let share =
        |level| schools.iter().filter(|s| s.level == level).count() as f64 / schools.len() as f64;
    assert!(
        (0.58..=0.72).contains(&share(SchoolLevel::Primary)),
        "primary {}",
        share(SchoolLevel::Primary)
    );
    assert!(
        (0.15..=0.25).contains(&share(SchoolLevel::Both)),
        "both {}",
        share(SchoolLevel::Both)
    );
    assert!(
        (0.11..=0.19).contains(&share(SchoolLevel::Secondary)),
        "secondary {}",
        share(SchoolLevel::Secondary)
    );
    for d in &dataset().districts {
        let here: Vec<&SynthSchool> = schools.iter().filter(|s| s.district == d.code).collect();
        assert!(here.len() >= 8, "{} has {} schools", d.code, here.len());
        assert!(
            here.iter().filter(|s| s.level.teaches_primary()).count() >= 2,
            "{}",
            d.code
        );
        assert!(
            here.iter().any(|s| s.level.teaches_secondary()),
            "{}",
            d.code
        );
    }
    let per = |code: &str| schools.iter().filter(|s| s.district == code).count();
    assert!(
        per("5001") > per("5003") && per("5019") > per("5018"),
        "valley districts hold more schools"
    );
}

/// The size guarantees the selection tests rely on.
fn check_size_guarantees(data: &SynthDataset, seed: u64) {
    for d in &data.districts {
        let here: Vec<&SynthSchool> = data
            .schools
            .iter()
            .filter(|s| s.district == d.code)
            .collect();
        let best = |capable: fn(SchoolLevel) -> bool| {
            here.iter()
                .filter(|s| capable(s.level))
                .map(|s| s.students)
                .max()
                .unwrap_or(0)
        };
        if d.code == "5025" {
            assert!(best(SchoolLevel::teaches_secondary) < 120, "seed {seed}");
        } else {
            assert!(
                best(SchoolLevel::teaches_secondary) >= 150,
                "seed {seed}, {}",
                d.code
            );
            assert!(
                best(SchoolLevel::teaches_primary) >= 150,
                "seed {seed}, {}",
                d.code
            );
        }
    }
}

#[test]
fn galyani_vadhana_has_no_secondary_school_of_120() {
    check_size_guarantees(dataset(), SEED);
}

#[test]
fn other_seeds_keep_the_guarantees() {
    for seed in [1, 2, 3] {
        let data = generate(Preset::Province, seed);
        assert_eq!(data.schools.len(), 687);
        check_size_guarantees(&data, seed);
        let median = median_of(data.schools.iter());
        assert!(
            (100..=140).contains(&median),
            "seed {seed}: median {median}"
        );
        let (forward, backward, _) = road_graph(&data.roads);
        assert!(
            reach_all(&forward) && reach_all(&backward),
            "seed {seed}: not strongly connected"
        );
        let polygons: Vec<Polygon<f64>> = data.districts.iter().map(|d| polygon(&d.ring)).collect();
        for school in &data.schools {
            let point = Point::new(school.lon, school.lat);
            let holders: Vec<&str> = polygons
                .iter()
                .zip(&data.districts)
                .filter(|(p, _)| p.contains(&point))
                .map(|(_, d)| d.code.as_str())
                .collect();
            assert_eq!(
                holders,
                [school.district.as_str()],
                "seed {seed}: school {}",
                school.id
            );
        }
    }
}

#[test]
fn schools_sit_near_roads_and_a_few_far_off() {
    let data = dataset();
    // Segments binned by 0.05° cells (over 5 km): the 3 × 3 cells around a
    // school hold every segment within 5 km of it.
    const CELL: f64 = 0.05;
    let cell = |p: [f64; 2]| ((p[0] / CELL).floor() as i64, (p[1] / CELL).floor() as i64);
    let mut bins: BTreeMap<Key, Vec<Segment>> = BTreeMap::new();
    let mut vertices = BTreeSet::new();
    for road in &data.roads {
        for w in road.coords.windows(2) {
            let (c0, c1) = (cell(w[0]), cell(w[1]));
            for x in c0.0.min(c1.0)..=c0.0.max(c1.0) {
                for y in c0.1.min(c1.1)..=c0.1.max(c1.1) {
                    bins.entry((x, y)).or_default().push((w[0], w[1]));
                }
            }
        }
        vertices.extend(road.coords.iter().map(|&p| key(p)));
    }
    let (mut near, mut far) = (0, 0);
    for s in &data.schools {
        let p = [s.lon, s.lat];
        let (cx, cy) = cell(p);
        let nearby: Vec<&Segment> = (cx - 1..=cx + 1)
            .flat_map(|x| (cy - 1..=cy + 1).map(move |y| (x, y)))
            .filter_map(|c| bins.get(&c))
            .flatten()
            .collect();
        let road_m = nearby
            .iter()
            .map(|(a, b)| point_segment_m(p, *a, *b).0)
            .fold(f64::INFINITY, f64::min);
        let vertex_m = nearby
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .map(|v| distance_m(p, v))
            .fold(f64::INFINITY, f64::min);
        assert!(
            vertex_m <= 3_500.0,
            "school {} is {vertex_m} m from a road vertex",
            s.id
        );
        assert!(
            road_m <= 3_000.0,
            "school {} is {road_m} m from a road",
            s.id
        );
        assert!(
            (road_m - s.road_m).abs() < 1.0,
            "school {}: {road_m} m, generator said {} m",
            s.id,
            s.road_m
        );
        assert!(
            !vertices.contains(&key(p)),
            "school {} sits on a road vertex",
            s.id
        );
        if (10.0..=300.0).contains(&road_m) {
            near += 1;
        }
        if road_m >= 1_000.0 {
            far += 1;
            assert!(s.highland, "remote school {} is not in the highland", s.id);
        }
    }
    assert!((5..=15).contains(&far), "{far} remote schools");
    assert!(
        near * 100 >= data.schools.len() * 95,
        "only {near} schools 10–300 m off a road"
    );
}

#[test]
fn school_names_are_thai_and_unique() {
    let names: BTreeSet<&str> = dataset().schools.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), dataset().schools.len());
}
