//! The OpenStreetMap-shaped presets (`province-osm`, `thailand-osm`): a
//! data set laid out as an OSM extract is, written as one `.osm.pbf`.
//!
//! From a [`SynthDataset`] (the `province` or `thailand` preset of the
//! same seed):
//! - **roads** are densified (a shape node every [`SPACING_M`] metres, as
//!   mapped roads have) and cut into ways of at most [`WAY_NODES`] nodes,
//!   sharing their end nodes; crossings share a node. `highway` is the road
//!   class, with some `unclassified` roads `residential`, some tracks
//!   `service`, and the first way of some trunk roads a `*_link`; one-way
//!   roads are `oneway=yes`, posted limits `maxspeed`; some main roads get
//!   a small roundabout (`junction=roundabout`, one-way by implication)
//!   at their start;
//! - **what a reader must skip**, around every road way: buildings (closed
//!   ways of four nodes), points of interest (tagged nodes), land use areas
//!   and footways (`highway=footway`, not drivable);
//! - **schools**: every fourth school an area (a closed way around its
//!   point, so its centroid is the point), the others nodes; most carry
//!   `isced:level`;
//! - **districts**: one `boundary=administrative`, `admin_level=6`
//!   relation per district, its ring cut into ways where the neighbour
//!   changes, each border way shared by the two districts it separates.
//!
//! Node ids: road nodes first (the road vertices of the data set, in
//! Z-order, then the shape nodes road by road), then what is off the road,
//! then the schools' nodes, then the boundary nodes; ways: roads, then the
//! rest, school areas, boundary ways. Coordinates are on the 1e-7 degree
//! grid, the format's own granularity, so the same data set written as
//! GeoJSON ([`OsmExtract::write_geojson`]) has exactly the same vertices.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::geom::{delta_m, distance_m, m_per_deg_lon, offset_m, LonLat, M_PER_DEG_LAT};
use super::pbf::{self, BlockContent, NodeOut, RelationOut, TagList, WayOut};
use super::{RoadClass, SchoolLevel, SynthDataset};

/// Distance between the shape nodes of a densified road.
pub const SPACING_M: f64 = 15.0;
/// Most nodes in one road way.
pub const WAY_NODES: usize = 10;
/// Most objects in one PBF block (osmium and most writers use 8,000).
pub const BLOCK_OBJECTS: usize = 8_000;

/// A position on the 1e-7 degree grid, `[lon, lat]`.
pub type GridPoint = [i32; 2];

pub fn to_grid(p: LonLat) -> GridPoint {
    [(p[0] * 1e7).round() as i32, (p[1] * 1e7).round() as i32]
}

pub fn to_lonlat(g: GridPoint) -> LonLat {
    [f64::from(g[0]) / 1e7, f64::from(g[1]) / 1e7]
}

/// Position of a grid point on the Z-order curve.
fn z_order(g: GridPoint) -> u64 {
    fn spread(v: i32) -> u64 {
        let mut x = u64::from((v as u32) ^ 0x8000_0000);
        x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
        x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
        x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        x = (x | (x << 2)) & 0x3333_3333_3333_3333;
        x = (x | (x << 1)) & 0x5555_5555_5555_5555;
        x
    }
    spread(g[0]) | (spread(g[1]) << 1)
}

/// A well-mixed 64-bit value from a seed and a counter (SplitMix64): the
/// off-road objects are drawn from it, per road way, so they can be made
/// in parallel and still not depend on the thread count.
pub fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a way is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WayKind {
    /// A drivable road way of road `road` of the data set.
    Road {
        road: u32,
        highway: &'static str,
        roundabout: bool,
    },
    Building(u8),
    Landuse(u8),
    Footway,
    /// The area of school `school` (index in the data set).
    School(u32),
    /// A stretch of district border.
    Border,
}

/// What a tagged node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Poi(u8),
    School(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct OsmWay {
    /// Index of the first node id in [`OsmExtract::refs`].
    pub first: usize,
    pub len: u32,
    pub kind: WayKind,
}

/// An extract, ready to write.
pub struct OsmExtract {
    /// The data set it was made from.
    pub data: SynthDataset,
    /// Node positions; node id = index + 1.
    pub nodes: Vec<GridPoint>,
    /// Nodes with ids `1..=road_nodes` are on roads.
    pub road_nodes: usize,
    /// Tagged nodes, by node index (sorted).
    pub node_tags: Vec<(u32, NodeKind)>,
    /// Way id = index + 1.
    pub ways: Vec<OsmWay>,
    /// Node ids of the ways, one after another.
    pub refs: Vec<u32>,
    /// Per district (relation id = index + 1): member way indexes.
    pub relations: Vec<Vec<u32>>,
}

/// Counts of what an extract holds, as `hubsel synth` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsmCounts {
    pub nodes: usize,
    pub road_nodes: usize,
    pub ways: usize,
    pub road_ways: usize,
    pub relations: usize,
    /// Off-road nodes and ways: buildings, land use, footways, points of
    /// interest and their nodes.
    pub non_road: usize,
    pub schools: usize,
    pub school_areas: usize,
    pub schools_with_isced: usize,
    pub border_ways: usize,
}

/// The `isced:level` a school carries, if any (four in five do).
pub fn isced_level(index: usize, level: SchoolLevel) -> Option<&'static str> {
    if index % 5 == 4 {
        return None;
    }
    Some(match level {
        SchoolLevel::Primary => "1",
        SchoolLevel::Both => "1;2",
        SchoolLevel::Secondary => "2;3",
    })
}

/// Whether school `index` is mapped as an area.
pub fn school_is_area(index: usize) -> bool {
    index.is_multiple_of(4)
}

impl OsmExtract {
    /// Builds the extract of `data`.
    pub fn new(data: SynthDataset, seed: u64) -> OsmExtract {
        let mut x = OsmExtract {
            data,
            nodes: Vec::new(),
            road_nodes: 0,
            node_tags: Vec::new(),
            ways: Vec::new(),
            refs: Vec::new(),
            relations: Vec::new(),
        };
        super::osm_roads::add_roads(&mut x);
        x.road_nodes = x.nodes.len();
        super::osm_roads::add_off_road(&mut x, seed);
        x.add_schools();
        super::osm_roads::add_borders(&mut x);
        x
    }

    /// Appends a way made of `points`, new nodes each.
    pub(crate) fn push_way(&mut self, points: &[GridPoint], closed: bool, kind: WayKind) {
        let first_node = self.nodes.len() as u32 + 1;
        self.nodes.extend_from_slice(points);
        let first = self.refs.len();
        self.refs.extend((0..points.len() as u32).map(|i| first_node + i));
        if closed {
            self.refs.push(first_node);
        }
        self.ways.push(OsmWay {
            first,
            len: (self.refs.len() - first) as u32,
            kind,
        });
    }

    fn add_schools(&mut self) {
        let schools = std::mem::take(&mut self.data.schools);
        for (i, s) in schools.iter().enumerate() {
            let at = to_grid([s.lon, s.lat]);
            if school_is_area(i) {
                let side_m = (s.land_rai * 1_600.0).sqrt().clamp(30.0, 250.0);
                let hx = (0.5 * side_m / m_per_deg_lon(s.lat) * 1e7).round() as i32;
                let hy = (0.5 * side_m / M_PER_DEG_LAT * 1e7).round() as i32;
                let corners = [
                    [at[0] - hx, at[1] - hy],
                    [at[0] + hx, at[1] - hy],
                    [at[0] + hx, at[1] + hy],
                    [at[0] - hx, at[1] + hy],
                ];
                self.push_way(&corners, true, WayKind::School(i as u32));
            } else {
                self.node_tags
                    .push((self.nodes.len() as u32, NodeKind::School(i as u32)));
                self.nodes.push(at);
            }
        }
        self.data.schools = schools;
    }

    /// The node ids of a way.
    pub fn way_refs(&self, way: &OsmWay) -> &[u32] {
        &self.refs[way.first..way.first + way.len as usize]
    }

    /// The position of node `id`.
    pub fn node(&self, id: u32) -> GridPoint {
        self.nodes[id as usize - 1]
    }

    /// What the extract holds.
    pub fn counts(&self) -> OsmCounts {
        let mut c = OsmCounts {
            nodes: self.nodes.len(),
            road_nodes: self.road_nodes,
            ways: self.ways.len(),
            relations: self.relations.len(),
            schools: self.data.schools.len(),
            ..OsmCounts::default()
        };
        let mut off_road_nodes = 0;
        for w in &self.ways {
            match w.kind {
                WayKind::Road { .. } => c.road_ways += 1,
                WayKind::School(_) => c.school_areas += 1,
                WayKind::Border => c.border_ways += 1,
                _ => {
                    c.non_road += 1;
                    off_road_nodes += w.len as usize - usize::from(self.is_closed(w));
                }
            }
        }
        let pois = self
            .node_tags
            .iter()
            .filter(|(_, k)| matches!(k, NodeKind::Poi(_)))
            .count();
        c.non_road += off_road_nodes + pois;
        c.schools_with_isced = (0..c.schools)
            .filter(|&i| isced_level(i, self.data.schools[i].level).is_some())
            .count();
        c
    }

    fn is_closed(&self, w: &OsmWay) -> bool {
        let r = self.way_refs(w);
        r.len() > 2 && r.first() == r.last()
    }

    /// Writes the extract as one `.osm.pbf` file.
    pub fn write_pbf(&self, path: &Path) -> io::Result<()> {
        let mut out = io::BufWriter::new(std::fs::File::create(path)?);
        self.write_pbf_to(&mut out)
    }

    /// Writes the extract's PBF bytes to `out`.
    pub fn write_pbf_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        let (min, max) = self.bounds();
        out.write_all(&pbf::encode_header(min, max)?)?;
        let node_blocks = self.nodes.len().div_ceil(BLOCK_OBJECTS);
        pbf::encode_blocks(out, node_blocks, |b| self.node_block(b))?;
        let way_blocks = self.ways.len().div_ceil(BLOCK_OBJECTS);
        pbf::encode_blocks(out, way_blocks, |b| self.way_block(b))?;
        let relation_blocks = self.relations.len().div_ceil(BLOCK_OBJECTS);
        pbf::encode_blocks(out, relation_blocks, |b| self.relation_block(b))?;
        out.flush()
    }

    fn bounds(&self) -> (GridPoint, GridPoint) {
        self.nodes.iter().fold(
            ([i32::MAX, i32::MAX], [i32::MIN, i32::MIN]),
            |(lo, hi), p| {
                (
                    [lo[0].min(p[0]), lo[1].min(p[1])],
                    [hi[0].max(p[0]), hi[1].max(p[1])],
                )
            },
        )
    }

    fn node_block(&self, block: usize) -> BlockContent<'_> {
        let start = block * BLOCK_OBJECTS;
        let end = (start + BLOCK_OBJECTS).min(self.nodes.len());
        let mut tagged = self.node_tags.partition_point(|(i, _)| (*i as usize) < start);
        let nodes = (start..end)
            .map(|i| {
                let mut tags = TagList::new();
                if let Some((_, kind)) = self.node_tags.get(tagged).filter(|t| t.0 as usize == i) {
                    tags = self.node_tag_list(*kind);
                    tagged += 1;
                }
                NodeOut {
                    id: i as i64 + 1,
                    at: self.nodes[i],
                    tags,
                }
            })
            .collect();
        BlockContent::Nodes(nodes)
    }

    fn node_tag_list(&self, kind: NodeKind) -> TagList<'static> {
        match kind {
            NodeKind::Poi(k) => super::osm_roads::poi_tags(k),
            NodeKind::School(i) => self.school_tags(i as usize),
        }
    }

    fn school_tags(&self, i: usize) -> TagList<'static> {
        let s = &self.data.schools[i];
        let mut tags = vec![("amenity", "school".to_string()), ("name", s.name.clone())];
        if let Some(level) = isced_level(i, s.level) {
            tags.push(("isced:level", level.to_string()));
        }
        tags
    }

    fn way_block(&self, block: usize) -> BlockContent<'_> {
        let start = block * BLOCK_OBJECTS;
        let end = (start + BLOCK_OBJECTS).min(self.ways.len());
        let ways = (start..end)
            .map(|i| {
                let w = &self.ways[i];
                WayOut {
                    id: i as i64 + 1,
                    refs: self.way_refs(w).iter().map(|&r| i64::from(r)).collect(),
                    tags: self.way_tags(w.kind),
                }
            })
            .collect();
        BlockContent::Ways(ways)
    }

    fn way_tags(&self, kind: WayKind) -> TagList<'static> {
        match kind {
            WayKind::Road {
                road,
                highway,
                roundabout,
            } => {
                let r = &self.data.roads[road as usize];
                let mut tags = vec![("highway", highway.to_string())];
                if roundabout {
                    tags.push(("junction", "roundabout".into()));
                    return tags;
                }
                if r.oneway {
                    tags.push(("oneway", "yes".into()));
                }
                if let Some(kmh) = r.maxspeed_kmh {
                    tags.push(("maxspeed", kmh.to_string()));
                }
                if !r.name.is_empty() {
                    tags.push(("name", r.name.clone()));
                }
                tags
            }
            WayKind::School(i) => self.school_tags(i as usize),
            WayKind::Border => Vec::new(),
            other => super::osm_roads::off_road_tags(other),
        }
    }

    fn relation_block(&self, block: usize) -> BlockContent<'_> {
        let start = block * BLOCK_OBJECTS;
        let end = (start + BLOCK_OBJECTS).min(self.relations.len());
        let relations = (start..end)
            .map(|i| {
                let d = &self.data.districts[i];
                RelationOut {
                    id: i as i64 + 1,
                    members: self.relations[i]
                        .iter()
                        .map(|&w| (i64::from(w) + 1, "outer"))
                        .collect(),
                    tags: vec![
                        ("type", "boundary".into()),
                        ("boundary", "administrative".into()),
                        ("admin_level", "6".into()),
                        ("ref", d.code.clone()),
                        ("name", d.name_th.clone()),
                        ("name:en", d.name_en.clone()),
                    ],
                }
            })
            .collect();
        BlockContent::Relations(relations)
    }

    /// The same data set as GeoJSON: `roads.geojson` (one feature per road
    /// way: `class` = `highway`, `oneway`, `maxspeed`), `schools.geojson`
    /// (each school where the PBF reader puts it, with the id it gives:
    /// `n<id>` or `w<id>`, and the level it reads from `isced:level`) and
    /// `districts.geojson`.
    pub fn write_geojson(&self, dir: &Path) -> io::Result<()> {
        super::osm_roads::write_geojson(self, dir)
    }
}

/// Whether a road of `class` is a main road (gets `_link` ways and
/// roundabouts).
pub fn is_main(class: RoadClass) -> bool {
    matches!(class, RoadClass::Primary | RoadClass::Secondary)
}

/// Grid distance helper for the road module: metres between two grid
/// points.
pub fn grid_distance_m(a: GridPoint, b: GridPoint) -> f64 {
    distance_m(to_lonlat(a), to_lonlat(b))
}

/// `[east, north]` unit vector from `a` to `b` (east when they coincide).
pub fn direction(a: GridPoint, b: GridPoint) -> [f64; 2] {
    let [dx, dy] = delta_m(to_lonlat(a), to_lonlat(b));
    let n = (dx * dx + dy * dy).sqrt();
    if n > 0.0 {
        [dx / n, dy / n]
    } else {
        [1.0, 0.0]
    }
}

/// The grid point `east_m`, `north_m` from `p`.
pub fn moved(p: GridPoint, east_m: f64, north_m: f64) -> GridPoint {
    to_grid(offset_m(to_lonlat(p), east_m, north_m))
}

/// Sorted, deduplicated grid points and their Z-order keys, for ids.
pub fn z_sorted(mut points: Vec<GridPoint>) -> Vec<(u64, GridPoint)> {
    let mut keyed: Vec<(u64, GridPoint)> = points.drain(..).map(|p| (z_order(p), p)).collect();
    keyed.par_sort_unstable();
    keyed.dedup();
    keyed
}

/// Position of `p` in a [`z_sorted`] list.
pub fn z_index(sorted: &[(u64, GridPoint)], p: GridPoint) -> Option<usize> {
    sorted.binary_search(&(z_order(p), p)).ok()
}

/// Key of a border chain for sharing: the chain or its reverse, whichever
/// is smaller.
pub fn chain_key(chain: &[u32]) -> Vec<u32> {
    let reversed: Vec<u32> = chain.iter().rev().copied().collect();
    if reversed.as_slice() < chain {
        reversed
    } else {
        chain.to_vec()
    }
}

/// A map from chain key to way index.
pub type ChainWays = HashMap<Vec<u32>, u32>;
