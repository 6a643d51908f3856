//! The parts of an [`OsmExtract`]: road ways, what lies off the road,
//! district borders, and the GeoJSON twin of the extract.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use super::osm::{
    chain_key, direction, grid_distance_m, is_main, isced_level, mix, moved,
    to_lonlat, z_index, z_sorted, ChainWays, GridPoint, NodeKind, OsmExtract, OsmWay, WayKind,
    SPACING_M, WAY_NODES,
};
use super::pbf::TagList;
use super::{RoadClass, SchoolLevel};

/// A road's vertices on the grid with shape nodes in between; `true` for
/// the data set's own vertices (which roads may share).
fn densify(coords: &[[f64; 2]]) -> Vec<(GridPoint, bool)> {
    let grid: Vec<GridPoint> = coords.iter().map(|p| super::osm::to_grid(*p)).collect();
    let mut out: Vec<(GridPoint, bool)> = Vec::with_capacity(grid.len() * 4);
    for w in grid.windows(2) {
        let (a, b) = (w[0], w[1]);
        out.push((a, true));
        let shapes = (grid_distance_m(a, b) / SPACING_M).ceil().max(1.0) as usize - 1;
        for j in 1..=shapes {
            let t = j as f64 / (shapes + 1) as f64;
            let p = [
                (f64::from(a[0]) + t * f64::from(b[0] - a[0])).round() as i32,
                (f64::from(a[1]) + t * f64::from(b[1] - a[1])).round() as i32,
            ];
            if p != a && p != b && out.last().is_none_or(|l| l.0 != p) {
                out.push((p, false));
            }
        }
    }
    if let Some(last) = grid.last() {
        out.push((*last, true));
    }
    out
}

/// The `highway` value of way `chunk` (of `chunks`) of road `road`.
fn highway(road: usize, class: RoadClass, chunk: usize, chunks: usize) -> &'static str {
    let link = chunk == 0 && chunks >= 3 && road % 5 == 2;
    match class {
        RoadClass::Primary if road.is_multiple_of(3) => {
            if link {
                "trunk_link"
            } else {
                "trunk"
            }
        }
        RoadClass::Primary if link => "primary_link",
        RoadClass::Primary => "primary",
        RoadClass::Secondary if link => "secondary_link",
        RoadClass::Secondary => "secondary",
        RoadClass::Tertiary => "tertiary",
        RoadClass::Unclassified if road % 3 == 1 => "residential",
        RoadClass::Unclassified => "unclassified",
        RoadClass::Track if road.is_multiple_of(5) => "service",
        RoadClass::Track => "track",
    }
}

/// Road ways: the data set's vertices (ids in Z-order) and the shape
/// nodes, cut into ways of at most [`WAY_NODES`] nodes; a roundabout at
/// the start of every twelfth main road.
pub fn add_roads(x: &mut OsmExtract) {
    let laid: Vec<Vec<(GridPoint, bool)>> =
        x.data.roads.par_iter().map(|r| densify(&r.coords)).collect();
    let own: Vec<GridPoint> = laid.iter().flatten().filter(|p| p.1).map(|p| p.0).collect();
    let own = z_sorted(own);
    x.nodes = own.iter().map(|o| o.1).collect();
    let classes: Vec<RoadClass> = x.data.roads.iter().map(|r| r.class).collect();
    for (road, points) in laid.into_iter().enumerate() {
        let ids: Vec<u32> = points
            .iter()
            .map(|&(p, shared)| match z_index(&own, p).filter(|_| shared) {
                Some(i) => i as u32 + 1,
                None => {
                    x.nodes.push(p);
                    x.nodes.len() as u32
                }
            })
            .collect();
        let chunks = (ids.len().max(2) - 1).div_ceil(WAY_NODES - 1);
        for (chunk, start) in (0..ids.len().saturating_sub(1))
            .step_by(WAY_NODES - 1)
            .enumerate()
        {
            let end = (start + WAY_NODES - 1).min(ids.len() - 1);
            let kind = WayKind::Road {
                road: road as u32,
                highway: highway(road, classes[road], chunk, chunks),
                roundabout: false,
            };
            push_refs(x, &ids[start..=end], kind);
        }
        if is_main(classes[road]) && road.is_multiple_of(12) && points.len() >= 2 {
            roundabout(x, road, ids[0], points[0].0, points[1].0);
        }
    }
}

fn push_refs(x: &mut OsmExtract, ids: &[u32], kind: WayKind) {
    let first = x.refs.len();
    x.refs.extend_from_slice(ids);
    x.ways.push(OsmWay {
        first,
        len: ids.len() as u32,
        kind,
    });
}

/// A small clockwise roundabout (Thailand drives on the left) through
/// the road's first node, on the side away from the road.
fn roundabout(x: &mut OsmExtract, road: usize, at_id: u32, at: GridPoint, next: GridPoint) {
    const RADIUS_M: f64 = 15.0;
    const NODES: usize = 8;
    let d = direction(at, next);
    let centre = [-d[0] * RADIUS_M, -d[1] * RADIUS_M];
    let start = d[1].atan2(d[0]);
    let mut ids = vec![at_id];
    for k in 1..NODES {
        let angle = start - k as f64 * std::f64::consts::TAU / NODES as f64;
        let p = moved(
            at,
            centre[0] + RADIUS_M * angle.cos(),
            centre[1] + RADIUS_M * angle.sin(),
        );
        x.nodes.push(p);
        ids.push(x.nodes.len() as u32);
    }
    ids.push(at_id);
    let highway = match x.data.roads[road].class {
        RoadClass::Primary => "primary",
        _ => "secondary",
    };
    let kind = WayKind::Road {
        road: road as u32,
        highway,
        roundabout: true,
    };
    push_refs(x, &ids, kind);
}

/// What lies off one road way: new nodes, ways over them (ranges, closed
/// or not), and tagged nodes.
#[derive(Default)]
struct OffRoad {
    points: Vec<GridPoint>,
    ways: Vec<(usize, usize, bool, WayKind)>,
    pois: Vec<(usize, u8)>,
}

impl OffRoad {
    fn way(&mut self, points: &[GridPoint], closed: bool, kind: WayKind) {
        let start = self.points.len();
        self.points.extend_from_slice(points);
        self.ways.push((start, self.points.len(), closed, kind));
    }
}

/// Buildings, points of interest, land use and footways along road way
/// `i` (from `a` through `mid` to `b`), drawn from `mix(seed, i)`.
fn off_road(seed: u64, i: usize, a: GridPoint, mid: GridPoint, b: GridPoint) -> OffRoad {
    let mut out = OffRoad::default();
    let h = mix(seed, i as u64);
    let d = direction(a, b);
    let n = [-d[1], d[0]];
    let at = |along: f64, across: f64| {
        moved(
            mid,
            d[0] * along + n[0] * across,
            d[1] * along + n[1] * across,
        )
    };
    let buildings = [1, 2, 2, 2, 3][(h % 5) as usize];
    for j in 0..buildings {
        let hj = mix(h, j as u64 + 1);
        let side = if hj & 1 == 0 { 1.0 } else { -1.0 };
        let across = side * (18.0 + ((hj >> 8) % 40) as f64);
        let along = (j as f64 - (buildings - 1) as f64 / 2.0) * 22.0;
        let half = 4.0 + ((hj >> 16) % 5) as f64;
        let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .map(|(u, v)| at(along + u * half, across + v * half));
        out.way(&corners, true, WayKind::Building(((hj >> 24) % 4) as u8));
    }
    if !(h >> 40).is_multiple_of(10) {
        out.pois.push((out.points.len(), ((h >> 44) % 6) as u8));
        out.points.push(at(5.0, -28.0));
    }
    if i.is_multiple_of(25) {
        let r = 60.0 + ((h >> 48) % 150) as f64;
        let ring: Vec<GridPoint> = (0..6)
            .map(|k| {
                let angle = k as f64 * std::f64::consts::TAU / 6.0;
                at(r * angle.cos(), 250.0 + r * angle.sin())
            })
            .collect();
        out.way(&ring, true, WayKind::Landuse((h % 4) as u8));
    }
    if i.is_multiple_of(17) {
        out.way(&[at(-20.0, 10.0), at(0.0, 11.0), at(20.0, 10.0)], false, WayKind::Footway);
    }
    out
}

/// Adds what lies off the roads, a batch of road ways at a time.
pub fn add_off_road(x: &mut OsmExtract, seed: u64) {
    const BATCH: usize = 1 << 16;
    let road_ways = x.ways.len();
    for start in (0..road_ways).step_by(BATCH) {
        let end = (start + BATCH).min(road_ways);
        let parts: Vec<OffRoad> = (start..end)
            .into_par_iter()
            .map(|i| {
                let refs = x.way_refs(&x.ways[i]);
                let node = |k: usize| x.node(refs[k]);
                off_road(seed, i, node(0), node(refs.len() / 2), node(refs.len() - 1))
            })
            .collect();
        for part in parts {
            let base = x.nodes.len() as u32;
            for (p, kind) in part.pois {
                x.node_tags.push((base + p as u32, NodeKind::Poi(kind)));
            }
            x.nodes.extend_from_slice(&part.points);
            for (s, e, closed, kind) in part.ways {
                let mut ids: Vec<u32> = (s as u32..e as u32).map(|k| base + k + 1).collect();
                if closed {
                    ids.push(base + s as u32 + 1);
                }
                push_refs(x, &ids, kind);
            }
        }
    }
}

pub fn poi_tags(kind: u8) -> TagList<'static> {
    let (k, v) = match kind {
        0 => ("amenity", "restaurant"),
        1 => ("shop", "convenience"),
        2 => ("amenity", "place_of_worship"),
        3 => ("amenity", "cafe"),
        4 => ("shop", "car_repair"),
        _ => ("amenity", "fuel"),
    };
    vec![(k, v.to_string())]
}

pub fn off_road_tags(kind: WayKind) -> TagList<'static> {
    match kind {
        WayKind::Building(k) => {
            let v = ["yes", "house", "residential", "yes"][usize::from(k % 4)];
            vec![("building", v.to_string())]
        }
        WayKind::Landuse(k) => {
            let v = ["farmland", "residential", "forest", "orchard"][usize::from(k % 4)];
            vec![("landuse", v.to_string())]
        }
        WayKind::Footway => vec![("highway", "footway".to_string())],
        _ => Vec::new(),
    }
}

/// The district rings as node ids (boundary nodes appended to the
/// extract, shared between neighbours), without the closing repeat.
fn border_rings(x: &mut OsmExtract) -> Vec<Vec<u32>> {
    let rings: Vec<Vec<GridPoint>> = x
        .data
        .districts
        .iter()
        .map(|d| d.ring.iter().map(|p| super::osm::to_grid(*p)).collect())
        .collect();
    let all = z_sorted(rings.iter().flatten().copied().collect());
    let base = x.nodes.len() as u32;
    x.nodes.extend(all.iter().map(|p| p.1));
    rings
        .iter()
        .map(|ring| {
            let mut ids: Vec<u32> = ring
                .iter()
                .filter_map(|p| z_index(&all, *p))
                .map(|i| base + i as u32 + 1)
                .collect();
            ids.dedup();
            if ids.len() > 1 && ids.first() == ids.last() {
                ids.pop();
            }
            ids
        })
        .collect()
}

/// One relation per district, its ring cut where the neighbour across
/// changes; the two districts on either side of a stretch share its way.
pub fn add_borders(x: &mut OsmExtract) {
    let rings = border_rings(x);
    let mut owners: std::collections::HashMap<(u32, u32), Vec<u32>> = Default::default();
    let edge = |a: u32, b: u32| (a.min(b), a.max(b));
    for (d, ring) in rings.iter().enumerate() {
        for i in 0..ring.len() {
            let e = edge(ring[i], ring[(i + 1) % ring.len()]);
            owners.entry(e).or_default().push(d as u32);
        }
    }
    let mut chains = ChainWays::new();
    for (d, ring) in rings.iter().enumerate() {
        let n = ring.len();
        let across: Vec<Option<u32>> = (0..n)
            .map(|i| {
                let e = edge(ring[i], ring[(i + 1) % n]);
                owners[&e].iter().copied().find(|&o| o != d as u32)
            })
            .collect();
        let breaks: Vec<usize> = (0..n).filter(|&i| across[i] != across[(i + n - 1) % n]).collect();
        let mut members = Vec::new();
        for chain in ring_chains(ring, &breaks) {
            let key = chain_key(&chain);
            let way = match chains.get(&key) {
                Some(w) => *w,
                None => {
                    push_refs(x, &key, WayKind::Border);
                    let w = x.ways.len() as u32 - 1;
                    chains.insert(key, w);
                    w
                }
            };
            members.push(way);
        }
        x.relations.push(members);
    }
}

/// The stretches of a ring between consecutive breaks (each from one
/// break to the next, inclusive); the whole ring, closed and starting at
/// its smallest node, when there is no break.
fn ring_chains(ring: &[u32], breaks: &[usize]) -> Vec<Vec<u32>> {
    let n = ring.len();
    if breaks.is_empty() {
        let start = (0..n).min_by_key(|&i| ring[i]).unwrap_or(0);
        return vec![(0..=n).map(|k| ring[(start + k) % n]).collect()];
    }
    (0..breaks.len())
        .map(|k| {
            let s = breaks[k];
            let e = breaks[(k + 1) % breaks.len()];
            let len = (e + n - s) % n;
            let len = if len == 0 { n } else { len };
            (0..=len).map(|j| ring[(s + j) % n]).collect()
        })
        .collect()
}

/// The GeoJSON twin of the extract (see [`OsmExtract::write_geojson`]).
pub fn write_geojson(x: &OsmExtract, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_roads(x, &dir.join("roads.geojson"))?;
    write_schools(x, &dir.join("schools.geojson"))?;
    write_districts(x, &dir.join("districts.geojson"))
}

fn positions(out: &mut impl Write, points: impl Iterator<Item = GridPoint>) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, g) in points.enumerate() {
        let p = to_lonlat(g);
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "[{},{}]", p[0], p[1])?;
    }
    out.write_all(b"]")
}

fn write_roads(x: &OsmExtract, path: &Path) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut first = true;
    for w in &x.ways {
        let WayKind::Road {
            road,
            highway,
            roundabout,
        } = w.kind
        else {
            continue;
        };
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        let r = &x.data.roads[road as usize];
        let oneway = roundabout || r.oneway;
        write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{{\"class\":\"{highway}\",\"oneway\":{oneway}"
        )?;
        if let Some(kmh) = r.maxspeed_kmh.filter(|_| !roundabout) {
            write!(out, ",\"maxspeed\":{kmh}")?;
        }
        out.write_all(b"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":")?;
        positions(&mut out, x.way_refs(w).iter().map(|&id| x.node(id)))?;
        out.write_all(b"}}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// The OSM id each school gets: `n<node id>` or `w<way id>`.
pub fn school_osm_ids(x: &OsmExtract) -> Vec<String> {
    let mut ids = vec![String::new(); x.data.schools.len()];
    for (node, kind) in &x.node_tags {
        if let NodeKind::School(i) = kind {
            ids[*i as usize] = format!("n{}", node + 1);
        }
    }
    for (w, way) in x.ways.iter().enumerate() {
        if let WayKind::School(i) = way.kind {
            ids[i as usize] = format!("w{}", w + 1);
        }
    }
    ids
}

/// A grid coordinate as an OSM PBF reader computes it (`osmpbf`:
/// 1e-9 × nanodegrees), so that the GeoJSON twin holds the very `f64`s
/// the PBF reader gets (printed in their shortest round-trip form).
fn pbf_degrees(g: GridPoint) -> [f64; 2] {
    let nano = |v: i32| 1e-9 * (i64::from(v) * 100) as f64;
    [nano(g[0]), nano(g[1])]
}

/// Where the PBF reader puts each school: its node, or the centroid of
/// its area (as `geo` computes it from the area's nodes).
fn school_positions(x: &OsmExtract) -> Vec<[f64; 2]> {
    use geo::Centroid;
    let mut at: Vec<[f64; 2]> = x
        .data
        .schools
        .iter()
        .map(|s| pbf_degrees(super::osm::to_grid([s.lon, s.lat])))
        .collect();
    for way in &x.ways {
        if let WayKind::School(i) = way.kind {
            let ring: Vec<geo::Coord<f64>> = x
                .way_refs(way)
                .iter()
                .map(|&id| pbf_degrees(x.node(id)))
                .map(|[lon, lat]| geo::Coord { x: lon, y: lat })
                .collect();
            if let Some(c) = geo::Polygon::new(geo::LineString::new(ring), vec![]).centroid() {
                at[i as usize] = [c.x(), c.y()];
            }
        }
    }
    at
}

fn write_schools(x: &OsmExtract, path: &Path) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let ids = school_osm_ids(x);
    let positions = school_positions(x);
    for (i, s) in x.data.schools.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        let level = match isced_level(i, s.level) {
            Some(_) => s.level.as_str(),
            None => SchoolLevel::Both.as_str(),
        };
        let props = serde_json::json!({"id": ids[i], "name": s.name, "level": level});
        write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"Point\",\"coordinates\":"
        )?;
        let [lon, lat] = positions[i];
        write!(out, "[{lon},{lat}]}}}}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn write_districts(x: &OsmExtract, path: &Path) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, d) in x.data.districts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        let props = serde_json::json!({"code": d.code, "name": d.name_th});
        write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":["
        )?;
        out.write_all(b"[")?;
        for (k, p) in d.ring.iter().enumerate() {
            let [lon, lat] = pbf_degrees(super::osm::to_grid(*p));
            let comma = if k > 0 { "," } else { "" };
            write!(out, "{comma}[{lon},{lat}]")?;
        }
        out.write_all(b"]")?;
        out.write_all(b"]}}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}
