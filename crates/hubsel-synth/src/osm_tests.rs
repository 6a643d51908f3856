//! The OpenStreetMap presets: read back with `osmpbf`, counted tag by tag
//! against what the extract says it holds; same seed, same bytes.

use std::collections::{BTreeMap, BTreeSet};

use osmpbf::{Element, ElementReader, RelMemberType};

use super::osm::OsmExtract;
use super::{generate_osm, Preset};

fn bytes(x: &OsmExtract) -> Vec<u8> {
    let mut out = Vec::new();
    x.write_pbf_to(&mut out).unwrap();
    out
}

/// What a reader sees in an extract.
#[derive(Default, Debug)]
struct Seen {
    nodes: usize,
    ways: usize,
    relations: usize,
    drivable: usize,
    road_nodes: BTreeSet<i64>,
    school_nodes: usize,
    school_areas: usize,
    isced: usize,
    buildings: usize,
    footways: usize,
    roundabouts: usize,
    links: usize,
    oneway: usize,
    maxspeed: usize,
    pois: usize,
    admin6: usize,
    /// Border way id → relations it is a member of.
    members: BTreeMap<i64, usize>,
    ids_sorted: bool,
}

const DRIVABLE: [&str; 10] = [
    "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "unclassified", "residential", "service",
];

fn read(pbf: &[u8]) -> Seen {
    let mut s = Seen { ids_sorted: true, ..Seen::default() };
    let mut last = (0u8, 0i64);
    let mut order = |kind: u8, id: i64, s: &mut Seen| {
        if (kind, id) <= last {
            s.ids_sorted = false;
        }
        last = (kind, id);
    };
    ElementReader::new(pbf)
        .for_each(|e| match e {
            Element::DenseNode(n) => {
                order(0, n.id(), &mut s);
                s.nodes += 1;
                let tags: Vec<(&str, &str)> = n.tags().collect();
                if tags.contains(&("amenity", "school")) {
                    s.school_nodes += 1;
                    s.isced += usize::from(tags.iter().any(|t| t.0 == "isced:level"));
                } else if !tags.is_empty() {
                    s.pois += 1;
                }
            }
            Element::Node(_) => panic!("nodes must be dense"),
            Element::Way(w) => {
                order(1, w.id(), &mut s);
                s.ways += 1;
                let tags: Vec<(&str, &str)> = w.tags().collect();
                let highway = tags.iter().find(|t| t.0 == "highway").map(|t| t.1);
                if highway.is_some_and(|h| DRIVABLE.contains(&h) || h == "track") {
                    s.drivable += 1;
                    s.road_nodes.extend(w.refs());
                    s.links += usize::from(highway.is_some_and(|h| h.ends_with("_link")));
                    s.roundabouts += usize::from(tags.contains(&("junction", "roundabout")));
                    s.oneway += usize::from(tags.contains(&("oneway", "yes")));
                    s.maxspeed += usize::from(tags.iter().any(|t| t.0 == "maxspeed"));
                }
                s.footways += usize::from(highway == Some("footway"));
                s.buildings += usize::from(tags.iter().any(|t| t.0 == "building"));
                if tags.contains(&("amenity", "school")) {
                    s.school_areas += 1;
                    s.isced += usize::from(tags.iter().any(|t| t.0 == "isced:level"));
                }
            }
            Element::Relation(r) => {
                order(2, r.id(), &mut s);
                s.relations += 1;
                let tags: Vec<(&str, &str)> = r.tags().collect();
                if tags.contains(&("boundary", "administrative")) && tags.contains(&("admin_level", "6")) {
                    s.admin6 += 1;
                }
                for m in r.members() {
                    assert_eq!(m.member_type, RelMemberType::Way);
                    *s.members.entry(m.member_id).or_default() += 1;
                }
            }
        })
        .unwrap();
    s
}

#[test]
fn province_osm_reads_back_as_it_was_made() {
    let x = generate_osm(Preset::ProvinceOsm, 7).unwrap();
    let c = x.counts();
    let s = read(&bytes(&x));
    assert!(s.ids_sorted, "objects sorted by type then id");
    assert_eq!((s.nodes, s.ways, s.relations), (c.nodes, c.ways, c.relations));
    assert_eq!(s.drivable, c.road_ways);
    assert_eq!(s.road_nodes.len(), c.road_nodes);
    assert_eq!(s.road_nodes.last().copied(), Some(c.road_nodes as i64), "road nodes come first");
    assert_eq!(s.school_nodes + s.school_areas, 687);
    assert_eq!(s.school_areas, c.school_areas);
    assert_eq!(s.isced, c.schools_with_isced);
    assert!(s.isced > 0 && s.isced < 687);
    assert_eq!(s.admin6, 25);
    // Off the road: at least as many objects as road nodes.
    assert!(c.non_road >= c.road_nodes, "{c:?}");
    assert!(s.buildings > c.road_ways && s.pois > c.road_ways / 2 && s.footways > 0);
    assert!(s.roundabouts > 0 && s.links > 0 && s.oneway > 0 && s.maxspeed > 0, "{s:?}");
    // Ways of at most ten nodes: more than one per road.
    assert!(c.road_ways > x.data.roads.len());
    // Border ways: each in one or two districts, most inner ones in two.
    assert_eq!(s.members.len(), c.border_ways);
    assert!(s.members.values().all(|&n| n == 1 || n == 2));
    assert!(s.members.values().filter(|&&n| n == 2).count() * 2 > c.border_ways);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = bytes(&generate_osm(Preset::ProvinceOsm, 3).unwrap());
    let b = bytes(&generate_osm(Preset::ProvinceOsm, 3).unwrap());
    assert!(a == b, "same seed, same bytes");
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let c = one_thread.install(|| bytes(&generate_osm(Preset::ProvinceOsm, 3).unwrap()));
    assert!(a == c, "whatever the thread count");
    let d = bytes(&generate_osm(Preset::ProvinceOsm, 4).unwrap());
    assert!(a != d);
}

#[test]
fn blocks_hold_at_most_8000_objects_and_are_zlib() {
    let x = generate_osm(Preset::ProvinceOsm, 7).unwrap();
    let pbf = bytes(&x);
    let mut blocks = 0;
    for blob in osmpbf::BlobReader::new(pbf.as_slice()) {
        let blob = blob.unwrap();
        if let osmpbf::BlobDecode::OsmData(block) = blob.decode().unwrap() {
            blocks += 1;
            assert!(block.elements().count() <= 8_000);
        }
    }
    assert_eq!(blocks, x.nodes.len().div_ceil(8_000) + x.ways.len().div_ceil(8_000) + 1);
    // Compressed: far smaller than 8 bytes per node.
    assert!(pbf.len() < x.nodes.len() * 8);
}

