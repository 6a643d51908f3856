//! OpenStreetMap PBF extracts: roads, schools and district boundaries from
//! one file, read with [`osmpbf`].
//!
//! The file is read three times (relations, then ways, then nodes: the
//! reverse of the order a sorted file holds them in), each pass keeping
//! only what the earlier passes asked for, so that memory grows with the roads, schools and
//! boundaries kept — never with the whole file:
//!
//! 1. relations: `boundary=administrative` of the chosen `admin_level`, and
//!    `amenity=school` multipolygons; their member ways are noted;
//! 2. ways: drivable `highway=*` ways (their tags read there and then:
//!    class, speed, direction), `amenity=school` ways, and the noted
//!    boundary members; their nodes are noted, in one sorted array;
//! 3. nodes: the noted nodes' positions (a sorted id array and a parallel
//!    position array, matched block by block with a galloping search), and
//!    `amenity=school` nodes.
//!
//! Each pass reads the blobs in batches and decompresses a batch on the
//! rayon pool (passes 2 and 3 only the blobs that pass 1 found to hold
//! ways, or nodes), then decodes only the blocks whose wire form shows
//! what the pass wants (so each block is decoded once over the three
//! passes, a block holding two kinds once per pass wanting one): a block
//! of ways or of dense nodes alone straight from its wire form (see
//! `decode`: no vector per way or tag list), any other with `osmpbf`;
//! the blocks' results are handed on in file order:
//! the outcome does not depend on the thread count, and a national extract
//! (tens of millions of nodes, most of them buildings and the like) is read
//! at the speed of all cores. No hash map holds nodes: sorted arrays and
//! binary searches scale to 10⁸ elements. [`read_with_progress`] reports
//! the bytes read ([`passes`] × the file size in all).
//!
//! A sorted extract (nodes, then ways, then relations: what osmium,
//! Geofabrik and `hubsel synth` write) is read in ONE pass instead, from
//! its end back (see `read_backward`): the blob headers indexed first,
//! then each blob read and inflated once, each block's relations, ways
//! and nodes handled in that order, so that the three stages above still
//! come one after the other; the blocks' parts are taken in in file
//! order, so the outcome is the three passes' to the bit. A file not
//! sorted so, or anything amiss (a damaged blob, a budget exceeded, an
//! object met twice), is read by the three passes, the reference, which
//! also words every error.
//!
//! ## Mapping
//!
//! | hubsel | from OSM |
//! |---|---|
//! | road | a way whose `highway` is one of the drivable classes (default [`DRIVABLE`]), not `area=yes`; class = `highway`; `maxspeed` in km/h or mph; `oneway=yes/true/1` forward, `-1/reverse` backward, else implied by `junction=roundabout` and motorways |
//! | school | an `amenity=school` node (its position), closed way (the centroid of its area), open way (the centroid of its line) or multipolygon relation (the centroid of its area) |
//! | school id | `n<id>`, `w<id>` or `r<id>` (stable across runs and extracts) |
//! | school name | `name` (blank when absent) |
//! | school level | `isced:level` (0–1 primary, 2–3 secondary, both when spanning), else `grades` (up to 6 primary, 7 and up secondary), else `both` |
//! | students | `student:count`, else `capacity`, else unknown |
//! | district | a `boundary=administrative` relation with the chosen `admin_level`, its `outer` (or role-less) and `inner` member ways joined into rings |
//! | district code | the first present of `ref`, `de:gemeindeschluessel`, `ref:at:gkz`, else `r<id>` |
//! | district name | `name`, else the code |
//!
//! In `rejects.csv`, the `line` of an OSM object is its OSM id.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use geo::{Centroid, Coord, LineString, MultiPolygon, Point, Polygon};
use osmpbf::RelMemberType;
use rayon::prelude::*;
use rdst::RadixSort;

use super::schools::{self, Format, Placement, Position, RawRow, SchoolColumns, SchoolTable};
use super::Source;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Action, Reason, Rejects};
use crate::model::{District, DistrictCode, Level, Oneway, Road, SourceRef};
use crate::progress::{Progress, Silent};

/// The `highway` classes read as roads by default: what a car or a school
/// minibus can use, including ramps (`*_link`), service roads and tracks
/// (the usual access to rural schools).
pub const DRIVABLE: [&str; 16] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
];

/// What to take from the extract.
#[derive(Clone, Debug)]
pub struct OsmOptions {
    /// `highway` values read as roads.
    pub highways: Vec<String>,
    /// `admin_level` of the district boundaries (Thai amphoe: 6;
    /// municipalities in much of Europe: 8).
    pub admin_level: String,
    /// Tags tried, in order, for a district's code.
    pub code_tags: Vec<String>,
}

impl Default for OsmOptions {
    fn default() -> Self {
        OsmOptions {
            highways: DRIVABLE.iter().map(|s| s.to_string()).collect(),
            admin_level: "6".into(),
            code_tags: ["ref", "de:gemeindeschluessel", "ref:at:gkz"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Which inputs to read from the extract.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    pub schools: bool,
    pub roads: bool,
    pub districts: bool,
}

/// What an extract gave.
#[derive(Debug, Default)]
pub struct OsmData {
    pub schools: Option<SchoolTable>,
    pub roads: Vec<Road>,
    pub districts: Vec<District>,
    /// Every `boundary=administrative` relation of the extract by its
    /// `admin_level` (when districts were read): how many there are, and
    /// how many have all their member ways in the extract. A city or box
    /// extract cuts the boundaries around it; this says which levels the
    /// file can still give districts for.
    pub boundary_levels: BTreeMap<String, BoundaryCount>,
}

/// Boundary relations of one `admin_level` in an extract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoundaryCount {
    pub relations: usize,
    /// Relations none of whose member ways is missing from the extract.
    pub complete: usize,
}

impl OsmData {
    /// Why an extract gave no district at `admin_level`, and what to do:
    /// the levels whose boundaries are complete in the file, or (none
    /// being complete) that districts must come from another file.
    pub fn no_district_hint(&self, admin_level: &str) -> String {
        let here = self
            .boundary_levels
            .get(admin_level)
            .copied()
            .unwrap_or_default();
        let mut text = format!(
            "; looked for boundary=administrative relations with admin_level={admin_level}: {} in the extract, {} complete",
            here.relations, here.complete
        );
        let complete: Vec<String> = self
            .boundary_levels
            .iter()
            .filter(|(level, c)| c.complete > 0 && level.as_str() != admin_level)
            .map(|(level, c)| format!("admin_level {level} ({} of {})", c.complete, c.relations))
            .collect();
        if complete.is_empty() {
            text.push_str(
                "; no admin_level has a complete boundary in this extract (cut from a larger file, its boundaries are open at the edge): give the districts from another file with --districts (GeoJSON or Shapefile polygons)",
            );
        } else {
            text.push_str(&format!(
                "; complete boundaries in this extract: {}; choose one with --admin-level, or give the districts from another file with --districts",
                complete.join(", ")
            ));
        }
        text
    }
}

type Tags = BTreeMap<String, String>;

fn tag_map<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>, keep: &[&str]) -> Tags {
    tags.filter(|(k, _)| keep.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const SCHOOL_TAGS: [&str; 6] = [
    "name",
    "isced:level",
    "grades",
    "student:count",
    "capacity",
    "amenity",
];

/// A relation kept for assembly.
struct Relation {
    id: i64,
    tags: Tags,
    /// (way id, is inner)
    members: Vec<(i64, bool)>,
}

struct Way {
    id: i64,
    refs: Vec<i64>,
    tags: Tags,
}

fn pbf_error(file: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Format,
        format!("not a readable OpenStreetMap PBF file: {e}"),
    )
    .in_file(file)
}

/// The error for an object met twice: a file holding some of its data
/// twice (two extracts joined, blobs repeated) would double districts and
/// roads.
fn twice(file: &str, what: char, id: i64) -> Error {
    pbf_error(
        file,
        format!("{what}{id} appears twice: the file holds some of its data twice (two extracts joined, or blobs repeated, or a history file); give one extract"),
    )
}

/// The first id met twice in `ids` (sorted here).
fn repeated(ids: &mut [i64]) -> Option<i64> {
    ids.sort_unstable();
    ids.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// The objects the run needs that the file holds none of, as an error.
/// PBF has no end marker: a file cut at a blob boundary reads as a sound
/// one, only shorter. A sorted extract holds its nodes, then its ways,
/// then its relations, so a cut file lacks the last kinds first; and a
/// file without any way (or relation) cannot give the roads (or districts)
/// asked for, whether cut or not. So the sound rule is: the kinds the run
/// needs must each be present, else the run stops here, naming both
/// causes, before the misleading "no usable district polygon".
fn check_contents(file: &str, wanted: Wanted, kinds: &[u8]) -> Result<()> {
    let has = |k: u8| kinds.iter().any(|b| b & k != 0);
    let needs = [
        (
            NODES,
            "node",
            wanted.roads || wanted.schools || wanted.districts,
        ),
        (WAYS, "way", wanted.roads || wanted.districts),
        (RELATIONS, "relation", wanted.districts),
    ];
    let missing: Vec<&str> = needs
        .iter()
        .filter(|(k, _, needed)| *needed && !has(*k))
        .map(|(_, name, _)| *name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let present: Vec<&str> = needs
        .iter()
        .filter(|(k, _, _)| has(*k))
        .map(|(_, name, _)| *name)
        .collect();
    let data = kinds.iter().filter(|&&k| k != 0).count();
    let holds = if present.is_empty() {
        "no object".to_string()
    } else {
        format!("{}s only", present.join("s and "))
    };
    Err(Error::new(
        ErrorKind::Input,
        format!(
            "the OpenStreetMap file holds no {} (its {data} data blob(s) hold {holds}): a file cut short at a blob boundary (a sorted extract ends with its ways, then relations), or an extract without them{}",
            missing.join(" and no "),
            if missing.contains(&"relation") { "; give the districts from another file with --districts" } else { "" },
        ),
    )
    .in_file(file))
}

/// Reads what `wanted` asks for from an extract. `extent` and
/// `fix_swapped` are irrelevant here (OSM positions cannot be swapped) and
/// not taken.
pub fn read(
    source: &Source<'_>,
    wanted: Wanted,
    options: &OsmOptions,
    rejects: &mut Rejects,
) -> Result<OsmData> {
    read_with_progress(source, wanted, options, rejects, &Silent)
}

/// How many times [`read`] goes through the file for `wanted`: the units
/// of work it reports to a [`Progress`] are this many times the file's
/// size in bytes.
pub fn passes(wanted: Wanted) -> u64 {
    2 + u64::from(wanted.districts || wanted.schools)
}

/// [`read`], telling `progress` the bytes read as it goes (`advance`
/// only: the caller starts and finishes the stage, with a total of
/// [`passes`] × the file size).
pub fn read_with_progress(
    source: &Source<'_>,
    wanted: Wanted,
    options: &OsmOptions,
    rejects: &mut Rejects,
    progress: &dyn Progress,
) -> Result<OsmData> {
    let file = source.name();
    let relay = Relay {
        inner: progress,
        skip: AtomicU64::new(0),
        heard: AtomicU64::new(0),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // A sorted extract in one backward pass; any other, or any
        // trouble, in three passes (the reference).
        let fast = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_backward(source, &file, wanted, options, &relay)
        }));
        if let Ok(Some(gathered)) = fast {
            return assemble(&file, wanted, options, rejects, gathered);
        }
        let again = Relay {
            inner: progress,
            skip: AtomicU64::new(relay.heard.load(AtomicOrdering::Relaxed)),
            heard: AtomicU64::new(0),
        };
        read_passes(source, &file, wanted, options, rejects, &again)
    }))
    .unwrap_or_else(|_| Err(pbf_error(&file, "the reader failed on its contents")))
}

/// For tests: [`read`] in three passes only, the reference of the
/// backward reading of a sorted extract; and whether the backward reading
/// took the file (`false`: [`read`] reads it in three passes too).
#[doc(hidden)]
pub fn read_both_ways(
    source: &Source<'_>,
    wanted: Wanted,
    options: &OsmOptions,
    rejects: &mut Rejects,
) -> (Result<OsmData>, bool) {
    let file = source.name();
    let backward = read_backward(source, &file, wanted, options, &Silent).is_some();
    let three = read_passes(source, &file, wanted, options, rejects, &Silent);
    (three, backward)
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, AtomicOrdering::Relaxed);
        Ok(n)
    }
}

/// What one blob holds, as a pass learnt it (bits of [`NODES`], [`WAYS`],
/// [`RELATIONS`]; 0 for a header or an unknown blob).
type BlobKinds = Vec<u8>;
const NODES: u8 = 1;
const WAYS: u8 = 2;
const RELATIONS: u8 = 4;

fn kind_of(block: &osmpbf::PrimitiveBlock) -> u8 {
    let mut kind = 0;
    for g in block.groups() {
        if g.nodes().next().is_some() || g.dense_nodes().next().is_some() {
            kind |= NODES;
        }
        if g.ways().next().is_some() {
            kind |= WAYS;
        }
        if g.relations().next().is_some() {
            kind |= RELATIONS;
        }
    }
    kind
}

/// One pass through the file: the blobs are read in batches (bounded in
/// memory, see [`frames`]), each batch inflated and checked, then parsed
/// and mapped by `map` on the rayon pool a few blocks at a time (as many
/// as [`frames::PARSE_MEMORY`] holds, whatever the thread count), and the
/// results handed to `sink` in file order (so nothing depends on the
/// thread count); `progress` hears of the bytes read. A blob that an
/// earlier pass found (`known`) to hold none of the objects `want`ed is
/// read but not inflated; an inflated block whose wire form shows none of
/// them (see [`wire::kind`]) is not parsed, so each block is parsed once
/// over the passes. Returns what each blob holds.
fn pass<T: Send + Default>(
    source: &Source<'_>,
    file: &str,
    progress: &dyn Progress,
    (known, want): (Option<&[u8]>, u8),
    map: impl Fn(Parsed<'_>) -> Option<T> + Sync,
    mut sink: impl FnMut(T),
) -> Result<BlobKinds> {
    let count = Arc::new(AtomicU64::new(0));
    let (inner, size): (Box<dyn std::io::Read + Send + '_>, u64) = match source {
        Source::File(p) => {
            let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
            let size = f.metadata().map_err(|e| Error::io(p, e))?.len();
            (
                Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
                size,
            )
        }
        Source::Bytes { bytes, .. } => (Box::new(*bytes), bytes.len() as u64),
    };
    let mut frames = frames::Frames::new(Counted {
        inner,
        count: Arc::clone(&count),
    });
    let budget = frames::PARSED_FLOOR.max(size.saturating_mul(frames::PARSED_PER_BYTE));
    let (mut reported, mut kinds, mut parsed) = (0, BlobKinds::new(), 0u64);
    loop {
        let batch = frames.batch().map_err(|e| pbf_error(file, e))?;
        if batch.is_empty() {
            return Ok(kinds);
        }
        let first = kinds.len();
        let slots: Vec<std::result::Result<Slot, String>> = batch
            .into_par_iter()
            .enumerate()
            .map(|(i, frame)| {
                let known = known.and_then(|k| k.get(first + i)).copied();
                match (frame.kind, known) {
                    (frames::Kind::Data, Some(kind)) if kind & want == 0 => Ok(Slot::Skip(kind)),
                    (frames::Kind::Data, _) => frames::inflate(frame).map(Slot::Block),
                    _ => Ok(Slot::Skip(0)),
                }
            })
            .collect();
        let mut slots = slots
            .into_iter()
            .collect::<std::result::Result<Vec<Slot>, String>>()
            .map_err(|e| pbf_error(file, e))?;
        parsed = add_parsed(file, &slots, parsed, (budget, size))?;
        while !slots.is_empty() {
            let (mut n, mut weight) = (0, 0);
            while n < slots.len() && (n == 0 || weight + slots[n].weight() <= frames::PARSE_MEMORY)
            {
                weight += slots[n].weight();
                n += 1;
            }
            let chunk: Vec<Slot> = slots.drain(..n).collect();
            let mapped: Vec<std::result::Result<(u8, Option<T>), String>> = chunk
                .into_par_iter()
                .map(|slot| match slot {
                    Slot::Skip(kind) => Ok((kind, None)),
                    // Parsed only by the pass that wants what it holds (a
                    // block holding nothing is parsed, so that a damaged
                    // one is still found).
                    Slot::Block(b) if b.kind != 0 && b.kind & want == 0 => Ok((b.kind, None)),
                    Slot::Block(b) => map_block(&b, want, &map).map(|(kind, t)| (kind, Some(t))),
                })
                .collect();
            for m in mapped {
                let (kind, t) = m.map_err(|e| pbf_error(file, e))?;
                kinds.push(kind);
                if let Some(t) = t {
                    sink(t);
                }
            }
        }
        let now = count.load(AtomicOrdering::Relaxed);
        progress.advance(now - reported);
        reported = now;
    }
}

/// What `map` gives for a block wanted for `want` (see [`Parsed`]), with
/// what the block holds.
fn map_block<T: Default>(
    b: &frames::Inflated,
    want: u8,
    map: &impl Fn(Parsed<'_>) -> Option<T>,
) -> std::result::Result<(u8, T), String> {
    // Ways or nodes alone: read from the wire form when it is the usual
    // one, else by `osmpbf`.
    if want != RELATIONS && b.kind == want {
        let wire = decode::Block::new(&b.bytes).and_then(|block| map(Parsed::Wire(&block)));
        if let Some(t) = wire {
            #[cfg(test)]
            DECODED.with(|d| d.set(d.get() + 1));
            return Ok((b.kind, t));
        }
    }
    let block = frames::parse(b)?;
    let t = map(Parsed::Osm(&block)).unwrap_or_default();
    Ok((kind_of(&block), t))
}

/// A block as a pass's `map` reads it.
#[derive(Clone, Copy)]
enum Parsed<'b> {
    /// Ways or dense nodes alone, read from the wire form (see
    /// [`decode`]): `map` answers `None` when [`decode`] gives up, and is
    /// called again with the block parsed by `osmpbf`.
    Wire(&'b decode::Block<'b>),
    /// Parsed by `osmpbf` (`map` answers `Some`).
    Osm(&'b osmpbf::PrimitiveBlock),
}

/// `parsed` plus the estimated parse of the `slots`' blocks, an error past
/// the pass's `budget` (for a file of `size` bytes).
fn add_parsed(
    file: &str,
    slots: &[Slot],
    mut parsed: u64,
    (budget, size): (u64, u64),
) -> Result<u64> {
    for s in slots {
        if let Slot::Block(b) = s {
            parsed += b.parsed + b.kept;
            if parsed > budget {
                return Err(pbf_error(file, format!(
                    "{}: the blocks read so far would take some {} MiB once parsed and kept, over {} MiB for a file of {size} bytes (a real extract parses to some 10 to 30 times its size: this one is crafted or damaged)",
                    b.place, parsed >> 20, budget >> 20
                )));
            }
        }
    }
    Ok(parsed)
}

/// A blob of a batch: skipped (with what an earlier pass found it holds),
/// or inflated for parsing.
enum Slot {
    Skip(u8),
    Block(frames::Inflated),
}

impl Slot {
    fn weight(&self) -> u64 {
        match self {
            Slot::Skip(_) => 0,
            Slot::Block(b) => b.weight(),
        }
    }
}

fn read_passes(
    source: &Source<'_>,
    file: &str,
    wanted: Wanted,
    options: &OsmOptions,
    rejects: &mut Rejects,
    progress: &dyn Progress,
) -> Result<OsmData> {
    let (mut relations, kinds) = if wanted.districts || wanted.schools {
        read_relations(source, file, wanted, options, progress)?
    } else {
        (RelationPass::default(), None)
    };
    let mut census = BoundaryCensus::new(std::mem::take(&mut relations.census));
    let (mut ways, kinds) = read_ways(
        source,
        file,
        (wanted, kinds),
        options,
        &relations.member_ways,
        &mut census,
        progress,
    )?;
    check_contents(file, wanted, &kinds)?;
    let nodes = read_nodes(
        source,
        file,
        (wanted, &kinds),
        std::mem::take(&mut ways.needed_nodes),
        progress,
    )?;
    assemble(
        file,
        wanted,
        options,
        rejects,
        (relations, census, ways, nodes),
    )
}

/// A reader the blobs can be read from anywhere.
trait ReadAt: std::io::Read + std::io::Seek {}
impl<R: std::io::Read + std::io::Seek> ReadAt for R {}

/// What the backward reading does with a block: its relations, ways,
/// nodes, or (a block holding none) only parses it, as pass 1 would.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Relations,
    Ways,
    Nodes,
}

/// A block's part, as the backward reading gathers it.
enum Part {
    Relations(RelationPass),
    Ways(WayPass),
    Nodes(NodePart),
    Checked,
}

/// The backward reading of a sorted extract (see [`read_backward`]).
struct Backward<'o> {
    file: &'o str,
    wanted: Wanted,
    options: &'o OsmOptions,
    /// The stage reached: blocks of an earlier stage met now mean the
    /// file is not sorted.
    stage: Stage,
    /// The blocks' parts of the stage under way, the last block first.
    relation_parts: Vec<RelationPass>,
    way_parts: Vec<WayPass>,
    school_nodes: Vec<Vec<(i64, Coord<f64>, Tags)>>,
    relations: RelationPass,
    census: BoundaryCensus,
    ways: WayPass,
    positions: Vec<Coord<f64>>,
    /// A needed node met twice (the three passes say which).
    twice: bool,
}

impl Backward<'_> {
    /// Moves on to `stage`, closing the stages before it; `None` when
    /// the three passes would stop on an error.
    fn reach(&mut self, stage: Stage) -> Option<()> {
        if self.stage < Stage::Ways && stage >= Stage::Ways {
            for part in std::mem::take(&mut self.relation_parts).into_iter().rev() {
                self.relations.append(part);
            }
            self.relations.finish(self.file).ok()?;
            self.census = BoundaryCensus::new(std::mem::take(&mut self.relations.census));
        }
        if self.stage < Stage::Nodes && stage >= Stage::Nodes {
            let parts = std::mem::take(&mut self.way_parts);
            self.ways.reserve(&parts);
            for part in parts.into_iter().rev() {
                self.ways.append(part);
            }
            self.ways.finish(self.file, &mut self.census).ok()?;
            self.positions = unknown_positions(self.ways.needed_nodes.len());
        }
        self.stage = self.stage.max(stage);
        Some(())
    }

    /// Adds to `tasks` what to do with block `b` (the blocks come from the
    /// last back): its relations, then its ways, then its nodes, each
    /// stage reached running the tasks of the one before; `None` when the
    /// file is not sorted (or the stage's close fails).
    fn take<'b>(
        &mut self,
        b: &'b frames::Inflated,
        tasks: &mut Vec<(&'b frames::Inflated, Option<Stage>)>,
    ) -> Option<()> {
        let relations_read = self.wanted.districts || self.wanted.schools;
        for (bit, stage) in [
            (RELATIONS, Stage::Relations),
            (WAYS, Stage::Ways),
            (NODES, Stage::Nodes),
        ] {
            if b.kind & bit == 0 {
                continue;
            }
            if stage < self.stage {
                return None;
            }
            if stage > self.stage {
                self.run(std::mem::take(tasks))?;
                self.reach(stage)?;
            }
            if stage != Stage::Relations || relations_read {
                tasks.push((b, Some(stage)));
            }
        }
        if b.kind == 0 {
            tasks.push((b, None));
        }
        Some(())
    }

    /// The `tasks` (a block and what to do with it, the last block first)
    /// of the stage reached, on the rayon pool a few blocks at a time.
    fn run(&mut self, tasks: Vec<(&frames::Inflated, Option<Stage>)>) -> Option<()> {
        let parts = self.parts(&tasks);
        for part in parts {
            match part? {
                Part::Relations(p) => self.relation_parts.push(p),
                Part::Ways(p) => self.way_parts.push(p),
                Part::Nodes((found, schools)) => {
                    for (i, c) in found {
                        self.twice |= !self.positions[i].x.is_nan();
                        self.positions[i] = c;
                    }
                    self.school_nodes.push(schools);
                }
                Part::Checked => {}
            }
        }
        Some(())
    }

    /// The parts of the `tasks`' blocks, in the tasks' order (`None`: a
    /// block amiss).
    fn parts(&self, tasks: &[(&frames::Inflated, Option<Stage>)]) -> Vec<Option<Part>> {
        let highways: Vec<&str> = self.options.highways.iter().map(String::as_str).collect();
        let keep = relation_tags(self.options);
        let scan = WayScan {
            wanted: self.wanted,
            highways: &highways,
            member_ways: &self.relations.member_ways,
            census_ways: &self.census.ways,
        };
        let (wanted, options) = (self.wanted, self.options);
        let needed = &self.ways.needed_nodes;
        let mut rest = tasks;
        let mut parts = Vec::with_capacity(tasks.len());
        while !rest.is_empty() {
            let (mut n, mut weight) = (0, 0);
            while n < rest.len() && (n == 0 || weight + rest[n].0.weight() <= frames::PARSE_MEMORY)
            {
                weight += rest[n].0.weight();
                n += 1;
            }
            let chunk: Vec<Option<Part>> = rest[..n]
                .par_iter()
                .map(|&(b, stage)| {
                    let part = match stage {
                        Some(Stage::Relations) => Part::Relations(
                            map_block(b, RELATIONS, &|p| {
                                block_relations(p, wanted, options, &keep)
                            })
                            .ok()?
                            .1,
                        ),
                        Some(Stage::Ways) => {
                            Part::Ways(map_block(b, WAYS, &|p| block_ways(p, &scan)).ok()?.1)
                        }
                        Some(Stage::Nodes) => Part::Nodes(
                            map_block(b, NODES, &|p| block_nodes(p, wanted, needed))
                                .ok()?
                                .1,
                        ),
                        None => {
                            frames::parse(b).ok()?;
                            Part::Checked
                        }
                    };
                    Some(part)
                })
                .collect();
            parts.extend(chunk);
            rest = &rest[n..];
        }
        parts
    }
}

/// The fast path for a sorted extract (its nodes, then its ways, then its
/// relations, as osmium and `hubsel synth` write them): the blob headers
/// indexed first (their data skipped), then the blobs read and inflated
/// once each, in batches from the last back to the first, each block's
/// relations, then ways, then nodes handled (the relations kept are all
/// known when the first way is met, the nodes needed when the first node
/// is), the blocks' parts taken in in file order: what the three passes
/// gather, each blob inflated once instead of up to three times.
///
/// `None` when the file is not sorted so (a relation before a way
/// already handled, a way before a node), when a blob or block is amiss,
/// a parse budget exceeded or an object met twice: the caller then reads
/// the file in three passes (the reference), which gives every error its
/// message. Reports `passes` × the bytes read to `progress`.
fn read_backward(
    source: &Source<'_>,
    file: &str,
    wanted: Wanted,
    options: &OsmOptions,
    progress: &dyn Progress,
) -> Option<Gathered> {
    let (mut reader, size): (Box<dyn ReadAt + '_>, u64) = match source {
        Source::File(p) => {
            let f = std::fs::File::open(p).ok()?;
            let size = f.metadata().ok()?.len();
            (Box::new(f), size)
        }
        Source::Bytes { bytes, .. } => (Box::new(std::io::Cursor::new(*bytes)), bytes.len() as u64),
    };
    // Buffered: a blob's header is read, its data skipped, a small blob
    // within the buffer (not two system calls a blob).
    let entries = frames::index(
        &mut std::io::BufReader::with_capacity(64 << 10, &mut reader),
        size,
    )?;
    let mut window = Window::default();
    let budget = frames::PARSED_FLOOR.max(size.saturating_mul(frames::PARSED_PER_BYTE));
    let times = passes(wanted);
    let mut state = Backward {
        file,
        wanted,
        options,
        stage: Stage::Relations,
        relation_parts: Vec::new(),
        way_parts: Vec::new(),
        school_nodes: Vec::new(),
        relations: RelationPass::default(),
        census: BoundaryCensus::new(Vec::new()),
        ways: WayPass::default(),
        positions: Vec::new(),
        twice: false,
    };
    let mut parsed = 0u64;
    let mut kinds: BlobKinds = Vec::new();
    let mut end = entries.len();
    let mut reported = 0;
    while end > 0 {
        let (batch, read) = batch_before(&mut reader, &mut window, &entries, &mut end)?;
        let blocks: Vec<frames::Inflated> = batch
            .into_par_iter()
            .filter(|f| f.kind == frames::Kind::Data)
            .map(frames::inflate)
            .collect::<std::result::Result<_, String>>()
            .ok()?;
        let mut tasks: Vec<(&frames::Inflated, Option<Stage>)> = Vec::new();
        for b in &blocks {
            kinds.push(b.kind);
            // The first pass inflates every block: its parse is the
            // largest of the three passes' (see `add_parsed`).
            parsed += b.parsed + b.kept;
            if parsed > budget {
                return None;
            }
            state.take(b, &mut tasks)?;
        }
        state.run(tasks)?;
        reported += read * times;
        progress.advance(read * times);
    }
    state.reach(Stage::Nodes)?;
    progress.advance((size * times).saturating_sub(reported));
    if state.twice || check_contents(file, wanted, &kinds).is_err() {
        return None;
    }
    let mut schools: Vec<(i64, Coord<f64>, Tags)> = Vec::new();
    for mut part in state.school_nodes.into_iter().rev() {
        schools.append(&mut part);
    }
    let mut school_ids: Vec<i64> = schools.iter().map(|s| s.0).collect();
    if repeated(&mut school_ids).is_some() {
        return None;
    }
    let mut ways = state.ways;
    let nodes = NodePass {
        needed: std::mem::take(&mut ways.needed_nodes),
        positions: state.positions,
        schools,
    };
    Some((state.relations, state.census, ways, nodes))
}

/// The blobs before `end` (moved back past them), as many as a batch of
/// [`frames::Frames::batch`] holds, the last first; with the bytes they
/// take in the file.
fn batch_before(
    reader: &mut dyn ReadAt,
    window: &mut Window,
    entries: &[frames::Entry],
    end: &mut usize,
) -> Option<(Vec<frames::Frame>, u64)> {
    let (mut batch, mut weight, mut read) = (Vec::new(), 0, 0);
    while *end > 0 && batch.len() < frames::BATCH_BLOBS && weight < frames::BATCH_MEMORY {
        *end -= 1;
        let e = &entries[*end];
        let bytes = window.get(reader, e.at, e.len)?;
        let frame = frames::frame(e.place, e.kind, bytes).ok()?;
        read += e.at - e.place.offset + e.len;
        weight += frame.weight;
        batch.push(frame);
    }
    Some((batch, read))
}

/// The bytes of the file read last by [`batch_before`]: the blobs come
/// from the last back, so a small one is read with the bytes before it,
/// up to [`Window::SIZE`] (a run of small blobs in one read, not two
/// system calls a blob); a large one alone.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    const SIZE: u64 = 1 << 20;

    /// The `len` bytes at `at` (within the file, as the index found).
    fn get(&mut self, reader: &mut dyn ReadAt, at: u64, len: u64) -> Option<&[u8]> {
        let end = at.checked_add(len)?;
        let held = self.start + self.bytes.len() as u64;
        if at < self.start || end > held {
            let start = if len >= Self::SIZE {
                at
            } else {
                end.saturating_sub(Self::SIZE)
            };
            // Anew, so that a large blob's bytes are not held on to.
            self.bytes = vec![0u8; usize::try_from(end - start).ok()?];
            reader.seek(std::io::SeekFrom::Start(start)).ok()?;
            reader.read_exact(&mut self.bytes).ok()?;
            self.start = start;
        }
        let from = usize::try_from(at - self.start).ok()?;
        self.bytes
            .get(from..from.checked_add(usize::try_from(len).ok()?)?)
    }
}

/// A [`Progress`] that counts what it hears, and passes it on past the
/// first `skip` units (heard already from an abandoned reading).
struct Relay<'p> {
    inner: &'p dyn Progress,
    skip: AtomicU64,
    heard: AtomicU64,
}

impl Progress for Relay<'_> {
    fn start(&self, stage: hubsel_model::progress::Stage, total: u64) {
        self.inner.start(stage, total);
    }
    fn advance(&self, n: u64) {
        self.heard.fetch_add(n, AtomicOrdering::Relaxed);
        let skip = self.skip.load(AtomicOrdering::Relaxed);
        let skipped = skip.min(n);
        self.skip.store(skip - skipped, AtomicOrdering::Relaxed);
        if n > skipped {
            self.inner.advance(n - skipped);
        }
    }
    fn finish(&self, stage: hubsel_model::progress::Stage, elapsed: std::time::Duration) {
        self.inner.finish(stage, elapsed);
    }
    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
}

/// What the reading gathered: the relations, the census of boundaries,
/// the ways and the nodes.
type Gathered = (RelationPass, BoundaryCensus, WayPass, NodePass);

/// The roads, districts and schools from what the reading `gathered`.
fn assemble(
    file: &str,
    wanted: Wanted,
    options: &OsmOptions,
    rejects: &mut Rejects,
    gathered: Gathered,
) -> Result<OsmData> {
    let (relations, census, ways, nodes) = gathered;
    let index = IdIndex::new(&nodes.needed);
    // A needed node's longitude/latitude, `None` when the extract lacks it.
    let at = |id: i64| {
        index
            .find(id)
            .and_then(|i| nodes.positions.get(i).copied())
            .filter(|c| !c.x.is_nan())
    };

    let mut data = OsmData::default();
    if wanted.roads {
        data.roads = roads((&ways.roads, &ways.classes), &ways.road_refs, &at);
    }
    if wanted.districts {
        let boundaries = &relations.boundaries;
        data.districts = districts(file, boundaries, &ways.members, &at, options, rejects);
        data.boundary_levels = census.levels();
    }
    if wanted.schools {
        data.schools = Some(schools_table(
            file,
            &nodes.schools,
            &ways.schools,
            &relations.schools,
            &ways.members,
            &at,
        )?);
    }
    Ok(data)
}

/// What the first pass keeps: the relations asked for, and their member ways.
#[derive(Default)]
struct RelationPass {
    /// `boundary=administrative` relations of the chosen `admin_level`.
    boundaries: Vec<Relation>,
    /// `amenity=school` multipolygons.
    schools: Vec<Relation>,
    /// The ways the kept relations are made of (sorted, deduplicated
    /// once the pass is over).
    member_ways: Vec<i64>,
    /// Every administrative boundary's level and member ways, whatever
    /// its level (see [`BoundaryCensus`]).
    census: Vec<(String, Vec<i64>)>,
}

impl RelationPass {
    fn append(&mut self, mut part: RelationPass) {
        self.boundaries.append(&mut part.boundaries);
        self.schools.append(&mut part.schools);
        self.member_ways.append(&mut part.member_ways);
        self.census.append(&mut part.census);
    }

    /// Once every relation is in: the error of a relation met twice; the
    /// member ways sorted.
    fn finish(&mut self, file: &str) -> Result<()> {
        let mut ids: Vec<i64> = self
            .boundaries
            .iter()
            .chain(&self.schools)
            .map(|r| r.id)
            .collect();
        if let Some(id) = repeated(&mut ids) {
            return Err(twice(file, 'r', id));
        }
        self.member_ways.sort_unstable();
        self.member_ways.dedup();
        Ok(())
    }
}

/// The tags kept of a relation.
fn relation_tags(options: &OsmOptions) -> Vec<&str> {
    let mut keep: Vec<&str> = vec!["name"];
    keep.extend(options.code_tags.iter().map(String::as_str));
    keep.extend(SCHOOL_TAGS);
    keep
}

/// One relation block's part of pass 1 (`None` when not parsed by `osmpbf`).
fn block_relations(
    block: Parsed<'_>,
    wanted: Wanted,
    options: &OsmOptions,
    keep: &[&str],
) -> Option<RelationPass> {
    let Parsed::Osm(block) = block else {
        return None;
    };
    let mut part = RelationPass::default();
    for r in block.groups().flat_map(|g| g.relations()) {
        let has = |k: &str, v: &str| r.tags().any(|(a, b)| a == k && b == v);
        if wanted.districts && has("boundary", "administrative") {
            part.census.push(census_entry(&r));
        }
        let boundary = wanted.districts
            && has("boundary", "administrative")
            && has("admin_level", &options.admin_level);
        let school = wanted.schools && has("amenity", "school") && has("type", "multipolygon");
        if !boundary && !school {
            continue;
        }
        let relation = kept_relation(&r, keep, &mut part.member_ways);
        if boundary {
            part.boundaries.push(relation);
        } else {
            part.schools.push(relation);
        }
    }
    Some(part)
}

/// Pass 1: relations.
fn read_relations(
    source: &Source<'_>,
    file: &str,
    wanted: Wanted,
    options: &OsmOptions,
    progress: &dyn Progress,
) -> Result<(RelationPass, Option<BlobKinds>)> {
    let keep = relation_tags(options);
    let block_relations = |block: Parsed<'_>| block_relations(block, wanted, options, &keep);
    let mut pass = RelationPass::default();
    let all = (None, RELATIONS);
    let kinds = self::pass(source, file, progress, all, block_relations, |part| {
        pass.append(part)
    })?;
    pass.finish(file)?;
    Ok((pass, Some(kinds)))
}

/// An administrative boundary's `admin_level` (`(none)` when untagged)
/// and member ways, for the census.
fn census_entry(r: &osmpbf::Relation<'_>) -> (String, Vec<i64>) {
    let level = r
        .tags()
        .find(|(k, _)| *k == "admin_level")
        .map_or_else(|| "(none)".to_string(), |(_, v)| v.to_string());
    let ways = r
        .members()
        .filter(|m| m.member_type == RelMemberType::Way)
        .map(|m| m.member_id)
        .collect();
    (level, ways)
}

/// A relation kept for assembly: its `outer`, `inner` and role-less member
/// ways (noted in `member_ways` for the second pass) and the tags in `keep`.
fn kept_relation(r: &osmpbf::Relation<'_>, keep: &[&str], member_ways: &mut Vec<i64>) -> Relation {
    let mut members = Vec::new();
    for m in r.members() {
        if m.member_type == RelMemberType::Way {
            let role = m.role().unwrap_or_default();
            if role == "outer" || role == "inner" || role.is_empty() {
                members.push((m.member_id, role == "inner"));
                member_ways.push(m.member_id);
            }
        }
    }
    Relation {
        id: r.id(),
        tags: tag_map(r.tags(), keep),
        members,
    }
}

/// Which administrative levels an extract holds complete: every boundary
/// relation's level and member ways (from pass 1), and which of those ways
/// pass 2 met. Gives [`OsmData::boundary_levels`].
struct BoundaryCensus {
    /// (admin_level, member ways) per relation, in file order.
    relations: Vec<(String, Vec<i64>)>,
    /// Every member way, sorted and deduplicated.
    ways: Vec<i64>,
    /// Parallel to `ways`: met in the extract.
    present: Vec<bool>,
}

impl BoundaryCensus {
    fn new(relations: Vec<(String, Vec<i64>)>) -> Self {
        let mut ways: Vec<i64> = relations.iter().flat_map(|c| c.1.iter().copied()).collect();
        ways.sort_unstable();
        ways.dedup();
        let present = vec![false; ways.len()];
        BoundaryCensus {
            relations,
            ways,
            present,
        }
    }

    fn saw_way(&mut self, id: i64) {
        if let Ok(i) = self.ways.binary_search(&id) {
            self.present[i] = true;
        }
    }

    /// Relations per level, and those none of whose member ways is missing.
    fn levels(&self) -> BTreeMap<String, BoundaryCount> {
        let mut levels: BTreeMap<String, BoundaryCount> = BTreeMap::new();
        let present = |w: &i64| self.ways.binary_search(w).is_ok_and(|i| self.present[i]);
        for (level, ways) in &self.relations {
            let count = levels.entry(level.clone()).or_default();
            count.relations += 1;
            if !ways.is_empty() && ways.iter().all(present) {
                count.complete += 1;
            }
        }
        levels
    }
}

/// A road way as the run needs it: its tags already read; its nodes, the
/// next `len` of the pass's `road_refs`.
struct RoadWay {
    id: i64,
    len: usize,
    /// Its `highway` value, an index into the pass's `classes`.
    class: u32,
    maxspeed_kmh: Option<f64>,
    oneway: Oneway,
}

/// What the second pass keeps: the road and school ways, the node lists
/// of the relations' member ways, and every node any of them needs.
#[derive(Default)]
struct WayPass {
    roads: Vec<RoadWay>,
    /// The roads' nodes, one road after the other.
    road_refs: Vec<i64>,
    /// The roads' `highway` values, each once (a handful, where the roads
    /// are millions: no string kept per road), and where each is.
    classes: Vec<String>,
    class_index: HashMap<String, u32>,
    schools: Vec<Way>,
    /// Node ids of each member way of a kept relation, by way id.
    members: HashMap<i64, Vec<i64>>,
    /// Sorted and deduplicated.
    needed_nodes: Vec<i64>,
    /// Ways of the boundary census met (see [`BoundaryCensus::saw_way`]).
    census_seen: Vec<i64>,
    /// A kept way met twice.
    twice: Option<i64>,
}

/// `n` positions not yet known (NaN), the memory written on all threads
/// (hundreds of megabytes for a national extract).
fn unknown_positions(n: usize) -> Vec<Coord<f64>> {
    let nan = Coord {
        x: f64::NAN,
        y: f64::NAN,
    };
    let mut positions = Vec::with_capacity(n);
    positions.par_extend(rayon::iter::repeat_n(nan, n));
    positions
}

impl WayPass {
    /// The index of `class` in `classes`, added when new. Looked up by
    /// hash: a crafted file may give every road a class of its own (the
    /// last `highway` tag need not be a listed one).
    fn class_of(&mut self, class: &str) -> u32 {
        if let Some(&i) = self.class_index.get(class) {
            return i;
        }
        let i = self.classes.len() as u32;
        self.classes.push(class.to_string());
        self.class_index.insert(class.to_string(), i);
        i
    }

    /// Room for the roads of `parts`, so that appending them copies each
    /// once (the national extract's road nodes are some 200 MB).
    fn reserve(&mut self, parts: &[WayPass]) {
        self.roads.reserve(parts.iter().map(|p| p.roads.len()).sum());
        self.road_refs
            .reserve(parts.iter().map(|p| p.road_refs.len()).sum());
    }

    /// Takes in the next block's part (in file order).
    fn append(&mut self, mut part: WayPass) {
        let renumber: Vec<u32> = part.classes.iter().map(|c| self.class_of(c)).collect();
        for r in &mut part.roads {
            r.class = renumber[r.class as usize];
        }
        self.roads.append(&mut part.roads);
        self.road_refs.append(&mut part.road_refs);
        self.schools.append(&mut part.schools);
        // In id order: the way named twice must not hang on the hash
        // map's order (it differed from run to run).
        let mut members: Vec<(i64, Vec<i64>)> = part.members.into_iter().collect();
        members.sort_unstable_by_key(|m| m.0);
        for (id, refs) in members {
            if self.members.insert(id, refs).is_some() {
                part.twice.get_or_insert(id);
            }
        }
        self.twice = self.twice.or(part.twice);
        self.census_seen.append(&mut part.census_seen);
    }

    /// Once every way is in: the error of a way met twice; the census
    /// told of the ways met; the nodes needed.
    fn finish(&mut self, file: &str, census: &mut BoundaryCensus) -> Result<()> {
        let mut road_ids: Vec<i64> = self.roads.iter().map(|w| w.id).collect();
        let mut school_ids: Vec<i64> = self.schools.iter().map(|w| w.id).collect();
        if let Some(id) = self
            .twice
            .or_else(|| repeated(&mut road_ids))
            .or_else(|| repeated(&mut school_ids))
        {
            return Err(twice(file, 'w', id));
        }
        for id in std::mem::take(&mut self.census_seen) {
            census.saw_way(id);
        }
        let mut needed: Vec<i64> = Vec::with_capacity(self.road_refs.len());
        needed.par_extend(self.road_refs.par_iter().copied());
        needed.extend(self.schools.iter().flat_map(|w| w.refs.iter().copied()));
        needed.extend(self.members.values().flatten().copied());
        // A parallel radix sort: tens of millions of ids in a national
        // extract, some three times faster than a comparison sort.
        needed.radix_sort_unstable();
        needed.dedup();
        needed.shrink_to_fit();
        self.needed_nodes = needed;
        self.road_refs.shrink_to_fit();
        Ok(())
    }
}

/// What pass 2 looks for in each way.
struct WayScan<'s> {
    wanted: Wanted,
    highways: &'s [&'s str],
    member_ways: &'s [i64],
    census_ways: &'s [i64],
}

/// The tags of a road as `tag_map` keeps them (the last of a key met
/// twice), without a map.
#[derive(Default)]
struct RoadTags<'t> {
    highway: Option<&'t str>,
    maxspeed: Option<&'t str>,
    oneway: Option<&'t str>,
    junction: Option<&'t str>,
}

impl WayScan<'_> {
    /// One way (its id, tags and node ids, each call giving them anew)
    /// into `part`.
    fn way<'t, T, R>(&self, part: &mut WayPass, id: i64, tags: impl Fn() -> T, refs: impl Fn() -> R)
    where
        T: Iterator<Item = (&'t str, &'t str)>,
        R: Iterator<Item = i64>,
    {
        let wanted = self.wanted;
        if self.census_ways.binary_search(&id).is_ok() {
            part.census_seen.push(id);
        }
        // One walk over the tags: what every test below asks of them.
        let mut t = RoadTags::default();
        let (mut listed_highway, mut area, mut school) = (false, false, false);
        for (k, v) in tags() {
            match k {
                "highway" => {
                    listed_highway |= self.highways.contains(&v);
                    t.highway = Some(v);
                }
                "maxspeed" => t.maxspeed = Some(v),
                "oneway" => t.oneway = Some(v),
                "junction" => t.junction = Some(v),
                "area" => area |= v == "yes",
                "amenity" => school |= v == "school",
                _ => {}
            }
        }
        if wanted.roads && listed_highway && !area {
            let class = part.class_of(t.highway.unwrap_or("unclassified"));
            let start = part.road_refs.len();
            part.road_refs.extend(refs());
            part.roads.push(RoadWay {
                id,
                len: part.road_refs.len() - start,
                class,
                maxspeed_kmh: t.maxspeed.and_then(|s| {
                    super::geojson::parse_speed_kmh(&serde_json::Value::String(s.to_string()))
                }),
                oneway: oneway_of(t.oneway, t.highway, t.junction),
            });
        }
        if wanted.schools && school {
            part.schools.push(Way {
                id,
                refs: refs().collect(),
                tags: tag_map(tags(), &SCHOOL_TAGS),
            });
        }
        if self.member_ways.binary_search(&id).is_ok()
            && part.members.insert(id, refs().collect()).is_some()
        {
            part.twice.get_or_insert(id);
        }
    }
}

/// One way block's part of pass 2 (`None`: see [`Parsed::Wire`]).
fn block_ways(block: Parsed<'_>, scan: &WayScan<'_>) -> Option<WayPass> {
    let mut part = WayPass::default();
    match block {
        Parsed::Wire(b) => b.ways(|w| scan.way(&mut part, w.id, || w.tags(), || w.refs()))?,
        Parsed::Osm(b) => {
            for w in b.groups().flat_map(|g| g.ways()) {
                scan.way(&mut part, w.id(), || w.tags(), || w.refs());
            }
        }
    }
    Some(part)
}

/// Pass 2: ways (skipping the blobs pass 1 found without ways, when it ran).
fn read_ways(
    source: &Source<'_>,
    file: &str,
    (wanted, known): (Wanted, Option<BlobKinds>),
    options: &OsmOptions,
    member_ways: &[i64],
    census: &mut BoundaryCensus,
    progress: &dyn Progress,
) -> Result<(WayPass, BlobKinds)> {
    let highways: Vec<&str> = options.highways.iter().map(String::as_str).collect();
    let census_ways = census.ways.clone();
    let mut pass = WayPass::default();
    let scan = WayScan {
        wanted,
        highways: &highways,
        member_ways,
        census_ways: &census_ways,
    };
    let map = |block: Parsed<'_>| block_ways(block, &scan);
    let skip = (known.as_deref(), WAYS);
    let kinds = self::pass(source, file, progress, skip, map, |part| pass.append(part))?;
    pass.finish(file, census)?;
    Ok((pass, kinds))
}

/// What the third pass keeps: the positions of the needed nodes, and the
/// school nodes.
struct NodePass {
    /// Sorted node ids, and their positions (NaN: not in the extract).
    needed: Vec<i64>,
    positions: Vec<Coord<f64>>,
    schools: Vec<(i64, Coord<f64>, Tags)>,
}

/// Where the ids of a sorted array are: a directory of buckets (ids of
/// one bucket share their offset from the first id past the lowest
/// `shift` bits, some four ids per bucket), then a binary search in the
/// bucket. A node id costs two or three cache misses, not the twenty-odd
/// of a binary search through tens of millions of ids.
struct IdIndex<'a> {
    ids: &'a [i64],
    min: i64,
    shift: u32,
    /// Where each bucket starts in `ids`, and the end.
    starts: Vec<usize>,
}

impl<'a> IdIndex<'a> {
    fn new(ids: &'a [i64]) -> Self {
        let (Some(&min), Some(&max)) = (ids.first(), ids.last()) else {
            return IdIndex {
                ids,
                min: 0,
                shift: 0,
                starts: Vec::new(),
            };
        };
        // max >= min: the span fits in u64.
        let span = max.wrapping_sub(min) as u64;
        let target = (ids.len() as u64 / 4).max(1);
        let mut shift = 0;
        while shift < 63 && (span >> shift) >= target {
            shift += 1;
        }
        let buckets = usize::try_from(span >> shift).unwrap_or(usize::MAX - 1) + 1;
        let mut starts = vec![0usize; buckets + 1];
        for &id in ids {
            let b = (id.wrapping_sub(min) as u64 >> shift) as usize;
            if let Some(s) = starts.get_mut(b + 1) {
                *s += 1;
            }
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        IdIndex {
            ids,
            min,
            shift,
            starts,
        }
    }

    /// The index of `id` in the array.
    fn find(&self, id: i64) -> Option<usize> {
        if id < self.min {
            return None;
        }
        let b = usize::try_from(id.wrapping_sub(self.min) as u64 >> self.shift).ok()?;
        let (&lo, &hi) = (self.starts.get(b)?, self.starts.get(b + 1)?);
        let bucket = self.ids.get(lo..hi)?;
        bucket.binary_search(&id).ok().map(|i| lo + i)
    }
}

/// The first index at or after `from` whose id is not below `id`, when
/// every id before `from` is below `id` (a galloping search: the nodes of
/// a block come in id order, so each search starts where the last ended).
fn seek(sorted: &[i64], from: usize, id: i64) -> usize {
    let mut step = 1;
    let mut lo = from;
    while lo + step < sorted.len() && sorted[lo + step] < id {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step + 1).min(sorted.len());
    lo + sorted[lo..hi].partition_point(|&x| x < id)
}

/// One node block's part of pass 3: (index in `needed`, position) of the
/// needed nodes it holds, and its school nodes.
type NodePart = (Vec<(usize, Coord<f64>)>, Vec<(i64, Coord<f64>, Tags)>);

/// Pass 3 through one block: where the last node stood in `needed`.
struct NodeScan<'n> {
    wanted: Wanted,
    needed: &'n [i64],
    at: usize,
    last: i64,
    part: NodePart,
}

impl NodeScan<'_> {
    /// One node (its id, position and tags, each call giving them anew).
    fn node<'t, T>(&mut self, id: i64, c: Coord<f64>, tags: impl Fn() -> T)
    where
        T: Iterator<Item = (&'t str, &'t str)>,
    {
        let needed = self.needed;
        self.at = if id > self.last {
            seek(needed, self.at, id)
        } else {
            needed.partition_point(|&x| x < id)
        };
        self.last = id;
        if needed.get(self.at) == Some(&id) {
            self.part.0.push((self.at, c));
        }
        if self.wanted.schools && tags().any(|(k, v)| k == "amenity" && v == "school") {
            self.part.1.push((id, c, tag_map(tags(), &SCHOOL_TAGS)));
        }
    }
}

/// One node block's part of pass 3 (`None`: see [`Parsed::Wire`]).
fn block_nodes(block: Parsed<'_>, wanted: Wanted, needed: &[i64]) -> Option<NodePart> {
    let mut scan = NodeScan {
        wanted,
        needed,
        at: 0,
        last: i64::MIN,
        part: NodePart::default(),
    };
    match block {
        Parsed::Wire(b) => b.dense(|id, (x, y), kv| {
            scan.node(id, Coord { x, y }, || b.dense_tags(kv));
        })?,
        Parsed::Osm(b) => {
            for group in b.groups() {
                for n in group.nodes() {
                    let c = Coord {
                        x: n.lon(),
                        y: n.lat(),
                    };
                    scan.node(n.id(), c, || n.tags());
                }
                for n in group.dense_nodes() {
                    let c = Coord {
                        x: n.lon(),
                        y: n.lat(),
                    };
                    scan.node(n.id(), c, || n.tags());
                }
            }
        }
    }
    Some(scan.part)
}

/// Pass 3: nodes (skipping the blobs pass 2 found without nodes).
fn read_nodes(
    source: &Source<'_>,
    file: &str,
    (wanted, known): (Wanted, &[u8]),
    needed: Vec<i64>,
    progress: &dyn Progress,
) -> Result<NodePass> {
    let mut positions = unknown_positions(needed.len());
    let mut schools: Vec<(i64, Coord<f64>, Tags)> = Vec::new();
    let mut twice_at = None;
    let map = |block: Parsed<'_>| block_nodes(block, wanted, &needed);
    self::pass(
        source,
        file,
        progress,
        (Some(known), NODES),
        map,
        |(found, mut s)| {
            for (i, c) in found {
                if !positions[i].x.is_nan() {
                    twice_at.get_or_insert(i);
                }
                positions[i] = c;
            }
            schools.append(&mut s);
        },
    )?;
    let mut school_ids: Vec<i64> = schools.iter().map(|s| s.0).collect();
    if let Some(id) = twice_at
        .map(|i| needed[i])
        .or_else(|| repeated(&mut school_ids))
    {
        return Err(twice(file, 'n', id));
    }
    Ok(NodePass {
        needed,
        positions,
        schools,
    })
}

#[cfg(test)]
fn parse_oneway(tags: &Tags) -> Oneway {
    let tag = |k: &str| tags.get(k).map(String::as_str);
    oneway_of(tag("oneway"), tag("highway"), tag("junction"))
}

/// A road's direction from its `oneway`, `highway` and `junction` tags.
fn oneway_of(oneway: Option<&str>, highway: Option<&str>, junction: Option<&str>) -> Oneway {
    match oneway {
        Some("yes" | "true" | "1") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        Some("no" | "false" | "0") => Oneway::No,
        _ => {
            let motorway = highway.is_some_and(|h| h == "motorway" || h == "motorway_link");
            let roundabout = junction.is_some_and(|j| j == "roundabout" || j == "circular");
            if motorway || roundabout {
                Oneway::Forward
            } else {
                Oneway::No
            }
        }
    }
}

/// Roads from ways (in parallel, kept in file order); a way cut by the
/// extract's edge (nodes missing) keeps its runs of known nodes.
fn roads(
    (ways, classes): (&[RoadWay], &[String]),
    refs: &[i64],
    at: &(dyn Fn(i64) -> Option<Coord<f64>> + Sync),
) -> Vec<Road> {
    let mut starts = Vec::with_capacity(ways.len());
    let mut start = 0;
    for w in ways {
        starts.push(start);
        start += w.len;
    }
    // A few thousand ways at a time: one scratch run, each road's points
    // allocated once at their size.
    const CHUNK: usize = 4096;
    let per_chunk: Vec<Vec<Road>> = ways
        .par_chunks(CHUNK)
        .zip(starts.par_chunks(CHUNK))
        .map(|(ways, starts)| {
            let mut out = Vec::with_capacity(ways.len());
            let mut run: Vec<Coord<f64>> = Vec::new();
            for (w, &start) in ways.iter().zip(starts) {
                let mut flush = |run: &mut Vec<Coord<f64>>| {
                    run.dedup();
                    if run.len() >= 2 {
                        out.push(Road {
                            geometry: LineString::new(run.as_slice().to_vec()),
                            class: classes
                                .get(w.class as usize)
                                .cloned()
                                .unwrap_or_default(),
                            maxspeed_kmh: w.maxspeed_kmh,
                            oneway: w.oneway,
                        });
                    }
                    run.clear();
                };
                for &r in refs.get(start..start + w.len).unwrap_or_default() {
                    match at(r) {
                        Some(c) => run.push(c),
                        None => flush(&mut run),
                    }
                }
                flush(&mut run);
            }
            out
        })
        .collect();
    let mut all = Vec::with_capacity(per_chunk.iter().map(Vec::len).sum());
    for mut chunk in per_chunk {
        all.append(&mut chunk);
    }
    all
}

/// Joins ways (node id lists) into closed rings. Returns the rings and the
/// number of open ends left over.
pub fn join_rings(ways: Vec<Vec<i64>>) -> (Vec<Vec<i64>>, usize) {
    let mut rings = Vec::new();
    let mut open_ends = 0;
    let mut used = vec![false; ways.len()];
    let mut by_end: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, w) in ways.iter().enumerate() {
        if w.len() < 2 {
            used[i] = true;
            continue;
        }
        if w.first() != w.last() {
            for end in [w[0], w[w.len() - 1]] {
                by_end.entry(end).or_default().push(i);
            }
        }
    }
    for start in 0..ways.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring = ways[start].clone();
        while ring.first() != ring.last() {
            let end = ring[ring.len() - 1];
            let next = by_end
                .get(&end)
                .and_then(|c| c.iter().copied().find(|&j| !used[j]));
            let Some(j) = next else {
                open_ends += 2;
                break;
            };
            used[j] = true;
            let w = &ways[j];
            if w[0] == end {
                ring.extend_from_slice(&w[1..]);
            } else {
                ring.extend(w[..w.len() - 1].iter().rev());
            }
        }
        if ring.first() == ring.last() && ring.len() >= 4 {
            rings.push(ring);
        }
    }
    (rings, open_ends)
}

/// Rings of a relation's members, as coordinates; with the count of open
/// ends and of member ways missing from the extract.
fn relation_rings(
    relation: &Relation,
    members: &HashMap<i64, Vec<i64>>,
    at: &dyn Fn(i64) -> Option<Coord<f64>>,
) -> (Vec<LineString<f64>>, Vec<LineString<f64>>, usize, usize) {
    let mut missing = 0;
    let mut outer_ways = Vec::new();
    let mut inner_ways = Vec::new();
    for (way, inner) in &relation.members {
        match members.get(way) {
            Some(refs) if *inner => inner_ways.push(refs.clone()),
            Some(refs) => outer_ways.push(refs.clone()),
            None => missing += 1,
        }
    }
    let mut open_ends = 0;
    let mut to_coords = |ways: Vec<Vec<i64>>| -> Vec<LineString<f64>> {
        let (rings, open) = join_rings(ways);
        open_ends += open;
        rings
            .into_iter()
            .filter_map(|r| {
                r.iter()
                    .map(|&n| at(n))
                    .collect::<Option<Vec<Coord<f64>>>>()
            })
            .map(LineString::new)
            .collect()
    };
    let outers = to_coords(outer_ways);
    let inners = to_coords(inner_ways);
    (outers, inners, open_ends, missing)
}

fn districts(
    file: &str,
    relations: &[Relation],
    members: &HashMap<i64, Vec<i64>>,
    at: &dyn Fn(i64) -> Option<Coord<f64>>,
    options: &OsmOptions,
    rejects: &mut Rejects,
) -> Vec<District> {
    let mut out = Vec::new();
    for r in relations {
        let source = SourceRef {
            file: file.to_string(),
            line: r.id as u64,
        };
        let code = options
            .code_tags
            .iter()
            .find_map(|t| r.tags.get(t).filter(|v| !v.trim().is_empty()).cloned())
            .unwrap_or_else(|| format!("r{}", r.id));
        let name = r.tags.get("name").cloned().unwrap_or_else(|| code.clone());
        let (outers, inners, open_ends, missing) = relation_rings(r, members, at);
        if outers.is_empty() {
            rejects.push(
                &source,
                &code,
                "geometry",
                Reason::UnclosedBoundary { missing, open_ends },
                Action::Refused,
            );
            continue;
        }
        if open_ends > 0 || missing > 0 {
            rejects.push(
                &source,
                &code,
                "geometry",
                Reason::PartlyUnclosed { missing, open_ends },
                Action::Flagged,
            );
        }
        let (polygons, orphans) = super::polygons::assemble(outers, inners);
        if !orphans.is_empty() {
            rejects.push(
                &source,
                &code,
                "geometry",
                Reason::OrphanInnerRings { n: orphans.len() },
                Action::Flagged,
            );
        }
        if let Some(geometry) =
            super::polygons::check_district(MultiPolygon::new(polygons), &code, &source, rejects)
        {
            out.push(District {
                code: DistrictCode(code),
                name,
                geometry,
            });
        }
    }
    out
}

/// Level from `isced:level` (e.g. `1`, `2;3`, `1-3`) or `grades` (`1-6`, `K-9`).
fn level_of(tags: &Tags) -> Option<Level> {
    let numbers = |text: &str| -> Vec<u32> {
        let mut out = Vec::new();
        for part in text.split([';', ',']) {
            // Kindergarten (`K`, `PK`) counts as grade 0.
            let bound = |x: &str| match x.trim().to_ascii_lowercase().as_str() {
                "k" | "pk" | "kg" => Some(0),
                t => t.parse::<u32>().ok(),
            };
            let bounds: Vec<u32> = part.split('-').filter_map(bound).collect();
            match bounds.as_slice() {
                [a] => out.push(*a),
                [a, b] if a <= b && b - a < 20 => out.extend(*a..=*b),
                _ => {}
            }
        }
        out
    };
    let classify = |values: Vec<u32>, secondary_from: u32| -> Option<Level> {
        let primary = values.iter().any(|v| *v < secondary_from);
        let secondary = values.iter().any(|v| *v >= secondary_from);
        match (primary, secondary) {
            (true, true) => Some(Level::Both),
            (true, false) => Some(Level::Primary),
            (false, true) => Some(Level::Secondary),
            (false, false) => None,
        }
    };
    tags.get("isced:level")
        .and_then(|t| classify(numbers(t), 2))
        .or_else(|| tags.get("grades").and_then(|t| classify(numbers(t), 7)))
}

fn schools_table(
    file: &str,
    nodes: &[(i64, Coord<f64>, Tags)],
    ways: &[Way],
    relations: &[Relation],
    members: &HashMap<i64, Vec<i64>>,
    at: &dyn Fn(i64) -> Option<Coord<f64>>,
) -> Result<SchoolTable> {
    let headers: Vec<String> = ["id", "name", "level", "students"]
        .map(String::from)
        .to_vec();
    let mut rows = Vec::new();
    let mut notes = Rejects::default();
    for (id, c, tags) in nodes {
        rows.push(school_row(file, 'n', *id, Ok((c.x, c.y)), tags, &mut notes));
    }
    for w in ways {
        let position = way_position(w, at);
        rows.push(school_row(file, 'w', w.id, position, &w.tags, &mut notes));
    }
    for r in relations {
        let position = relation_position(r, members, at);
        rows.push(school_row(file, 'r', r.id, position, &r.tags, &mut notes));
    }
    let identity = super::crs::Crs::wgs84().to_wgs84()?;
    let placement = Placement {
        to_wgs84: &identity,
        extent: None,
        fix_swapped: false,
    };
    let format = Format {
        coords_in_columns: false,
        default_level: Some(Level::Both),
    };
    let mut table = schools::build(
        file,
        &headers,
        rows,
        &SchoolColumns::default(),
        &placement,
        format,
    )?;
    table.rejects.rows.extend(notes.rows);
    Ok(table)
}

/// A school object as a row of the table `schools::build` reads: id
/// (`prefix` and OSM id), name, level and students.
fn school_row(
    file: &str,
    prefix: char,
    id: i64,
    position: std::result::Result<(f64, f64), String>,
    tags: &Tags,
    notes: &mut Rejects,
) -> RawRow {
    let source = SourceRef {
        file: file.to_string(),
        line: id as u64,
    };
    let school_id = format!("{prefix}{id}");
    let level = level_of(tags).map_or("", |l| l.as_str()).to_string();
    let students = students_of(tags, &source, &school_id, notes);
    let name = tags.get("name").cloned().unwrap_or_default();
    RawRow {
        source,
        cells: vec![school_id, name, level, students],
        position: Position::Geometry(position),
    }
}

/// The student count from `student:count`, else `capacity`; blank when
/// neither is given, or (flagged in `notes`) when the first given is not a
/// number.
fn students_of(tags: &Tags, source: &SourceRef, school_id: &str, notes: &mut Rejects) -> String {
    let count = ["student:count", "capacity"]
        .iter()
        .find_map(|k| tags.get(*k).map(|v| (*k, v)));
    match count {
        Some((_, v)) if super::parse_number(v).is_some_and(|n| n >= 0.0) => v.trim().to_string(),
        Some((k, v)) => {
            notes.push(
                source,
                school_id,
                k,
                Reason::TagNotNumber {
                    key: k.to_string(),
                    text: v.to_string(),
                },
                Action::Flagged,
            );
            String::new()
        }
        None => String::new(),
    }
}

/// Where a school way stands: the centroid of its area when closed, of its
/// line when open.
fn way_position(
    w: &Way,
    at: &dyn Fn(i64) -> Option<Coord<f64>>,
) -> std::result::Result<(f64, f64), String> {
    let coords: Option<Vec<Coord<f64>>> = w.refs.iter().map(|&n| at(n)).collect();
    match coords {
        None => Err("the school's way has nodes missing from the extract".to_string()),
        Some(c) if c.len() >= 4 && c.first() == c.last() => {
            Polygon::new(LineString::new(c), vec![])
                .centroid()
                .map(|p| (p.x(), p.y()))
                .ok_or_else(|| "degenerate school area".to_string())
        }
        Some(c) => LineString::new(c)
            .centroid()
            .map(|p: Point<f64>| (p.x(), p.y()))
            .ok_or_else(|| "school way without nodes".to_string()),
    }
}

/// Where a school multipolygon stands: the centroid of its closed rings.
fn relation_position(
    r: &Relation,
    members: &HashMap<i64, Vec<i64>>,
    at: &dyn Fn(i64) -> Option<Coord<f64>>,
) -> std::result::Result<(f64, f64), String> {
    let (outers, inners, _, _) = relation_rings(r, members, at);
    let (polygons, _) = super::polygons::assemble(outers, inners);
    MultiPolygon::new(polygons)
        .centroid()
        .map(|p| (p.x(), p.y()))
        .ok_or_else(|| "the school's multipolygon does not close into a ring".to_string())
}

/// The PBF file behind a path, for [`Source::File`] callers.
pub fn is_pbf(path: &Path) -> bool {
    path.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".pbf")
}

/// For tests: every data block of a PBF file read from its wire form (see
/// [`decode`]) and parsed by `osmpbf`. Where the wire reader gives its
/// ways and dense nodes, `osmpbf` parses the block and gives the same
/// (ids, tags, node ids, positions to the bit); an error names the first
/// block where they differ. The file is read up to its first unreadable
/// blob. Returns the blocks read from the wire form and the data blocks.
#[doc(hidden)]
pub fn wire_matches_osmpbf(bytes: &[u8]) -> std::result::Result<(usize, usize), String> {
    type Tagged = Vec<(String, String)>;
    type Seen = (Vec<(i64, Tagged, Vec<i64>)>, Vec<(i64, u64, u64, Tagged)>);
    let owned = |tags: &mut dyn Iterator<Item = (&str, &str)>| -> Tagged {
        tags.map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let mut frames = frames::Frames::new(bytes);
    let (mut wire_read, mut data) = (0, 0);
    while let Ok(Some(frame)) = frames.next_frame() {
        if frame.kind != frames::Kind::Data {
            continue;
        }
        let Ok(inflated) = frames::inflate(frame) else {
            break;
        };
        data += 1;
        let place = inflated.place;
        let mut wire: Seen = Default::default();
        let read = decode::Block::new(&inflated.bytes).and_then(|b| {
            b.ways(|w| {
                wire.0
                    .push((w.id, owned(&mut w.tags()), w.refs().collect()))
            })?;
            b.dense(|id, (x, y), kv| {
                let tags = owned(&mut b.dense_tags(kv));
                wire.1.push((id, x.to_bits(), y.to_bits(), tags));
            })
        });
        let copy = frames::Inflated {
            place,
            bytes: inflated.bytes.clone(),
            parsed: inflated.parsed,
            kept: inflated.kept,
            kind: inflated.kind,
        };
        let parsed = std::panic::catch_unwind(|| frames::parse(&copy))
            .unwrap_or_else(|_| Err("osmpbf panicked".to_string()));
        let Some(()) = read else {
            continue;
        };
        let block = parsed
            .map_err(|e| format!("{place}: read from the wire form, refused by osmpbf: {e}"))?;
        let mut reference: Seen = Default::default();
        for g in block.groups() {
            for w in g.ways() {
                reference
                    .0
                    .push((w.id(), owned(&mut w.tags()), w.refs().collect()));
            }
            for n in g.dense_nodes() {
                let tags = owned(&mut n.tags());
                reference
                    .1
                    .push((n.id(), n.lon().to_bits(), n.lat().to_bits(), tags));
            }
        }
        if wire != reference {
            return Err(format!("{place}: the wire form and osmpbf differ"));
        }
        wire_read += 1;
    }
    Ok((wire_read, data))
}

#[cfg(test)]
thread_local! {
    // Blocks parsed on this thread (tests count them).
    static DECODED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The blobs of a PBF file, framed and inflated within a memory budget
/// before [`osmpbf`] parses them.
///
/// `osmpbf` inflates a blob up to 32 MiB and parses it whatever it holds:
/// a 131 KB file of four blobs, each inflating to 32 MiB of one-byte
/// string-table entries, took 1.2 GB, more with more threads. Here each
/// blob is checked against the format's limits (a header under 64 KiB, a
/// blob under 32 MiB, inflated and declared), its inflation ratio, and the
/// memory its parse would take, estimated from its wire form before it is
/// parsed ([`parsed_size`]); the blobs in flight are bounded by memory,
/// not by the thread count; and the file as a whole must start with one
/// `OSMHeader` blob, hold data, and hold no second header (two files
/// joined). Every refusal names the blob (counted from 1) and its byte
/// offset.
mod frames {
    use std::io::Read;

    use prost::Message;

    /// The OSM PBF format's own limits: a `BlobHeader` under 64 KiB, a blob
    /// (stored or inflated) under 32 MiB.
    pub const MAX_HEADER: u64 = 64 * 1024;
    pub const MAX_BLOB: u64 = 32 * 1024 * 1024;
    /// A blob inflating above 1 MiB at more than this ratio is refused:
    /// OpenStreetMap blocks compress 2 to 10 times, zlib at most ~1030.
    pub const MAX_RATIO: u64 = 200;
    /// The most memory one block's parse may take (estimated): a block of
    /// 8000 objects, what writers put in one, takes a few MiB.
    pub const MAX_PARSED: u64 = 64 << 20;
    /// The blobs of a batch: their stored and (declared) inflated bytes.
    pub const BATCH_MEMORY: u64 = 96 << 20;
    pub const BATCH_BLOBS: usize = 32;
    /// The blocks parsed at once: their inflated bytes twice (the copy
    /// `osmpbf` takes) and their estimated parse.
    pub const PARSE_MEMORY: u64 = 96 << 20;
    /// Over one pass, the blocks parsed may take (estimated) at most this,
    /// or [`PARSED_PER_BYTE`] times the file's size when larger: what a
    /// pass keeps grows with what it parses, and a real extract parses to
    /// some 10–30 times its size.
    pub const PARSED_FLOOR: u64 = 128 << 20;
    pub const PARSED_PER_BYTE: u64 = 64;

    #[derive(Clone, PartialEq, prost::Message)]
    struct BlobHeader {
        #[prost(string, optional, tag = "1")]
        kind: Option<String>,
        #[prost(int32, optional, tag = "3")]
        datasize: Option<i32>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    struct Blob {
        #[prost(bytes = "vec", optional, tag = "1")]
        raw: Option<Vec<u8>>,
        #[prost(int32, optional, tag = "2")]
        raw_size: Option<i32>,
        #[prost(bytes = "vec", optional, tag = "3")]
        zlib_data: Option<Vec<u8>>,
        #[prost(bytes = "vec", optional, tag = "4")]
        lzma_data: Option<Vec<u8>>,
        #[prost(bytes = "vec", optional, tag = "5")]
        bzip2_data: Option<Vec<u8>>,
        #[prost(bytes = "vec", optional, tag = "6")]
        lz4_data: Option<Vec<u8>>,
        #[prost(bytes = "vec", optional, tag = "7")]
        zstd_data: Option<Vec<u8>>,
    }

    /// Where a blob stands in the file: its number (from 1) and byte offset.
    #[derive(Clone, Copy, Debug)]
    pub struct Place {
        pub number: usize,
        pub offset: u64,
    }

    impl std::fmt::Display for Place {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "blob {} (at byte {})", self.number, self.offset)
        }
    }

    /// What a blob holds, by its header's type.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Kind {
        Header,
        Data,
        Other,
    }

    /// One blob as stored.
    pub struct Frame {
        pub place: Place,
        pub kind: Kind,
        blob: Blob,
        /// Bytes it takes in memory, stored and inflated (as declared).
        pub weight: u64,
    }

    /// The file's blobs in order, checked as they come.
    pub struct Frames<R> {
        reader: R,
        offset: u64,
        number: usize,
        data: usize,
    }

    impl<R: Read> Frames<R> {
        pub fn new(reader: R) -> Self {
            Frames {
                reader,
                offset: 0,
                number: 0,
                data: 0,
            }
        }

        /// Up to `n` bytes, fewer only at the end of the file.
        fn take(&mut self, n: u64) -> Result<Vec<u8>, String> {
            let mut out = Vec::new();
            (&mut self.reader)
                .take(n)
                .read_to_end(&mut out)
                .map_err(|e| format!("cannot be read: {e}"))?;
            Ok(out)
        }

        /// The next blob, `None` at the end of a sound file.
        pub fn next_frame(&mut self) -> Result<Option<Frame>, String> {
            let place = Place {
                number: self.number + 1,
                offset: self.offset,
            };
            let cut = |what: &str, want: u64, got: usize| {
                format!("the file is cut short: {place} {what} {want} bytes, the file ends after {got} (a truncated download or copy?)")
            };
            let size = self.take(4)?;
            if size.is_empty() {
                return match (self.number, self.data) {
                    (0, _) => Err("the file is empty".to_string()),
                    (_, 0) => Err(format!(
                        "the file holds an OSMHeader and no OSMData blob: no node, way or relation (cut short after its first {} blob(s)?)",
                        self.number
                    )),
                    _ => Ok(None),
                };
            }
            let [a, b, c, d] = size[..] else {
                return Err(cut("needs a 4-byte size; has", 4, size.len()));
            };
            let header_len = u64::from(u32::from_be_bytes([a, b, c, d]));
            if header_len >= MAX_HEADER {
                return Err(format!("{place}: a blob header of {header_len} bytes, over the format's 64 KiB (not a PBF file, or a damaged one)"));
            }
            let bytes = self.take(header_len)?;
            if (bytes.len() as u64) < header_len {
                return Err(cut("has a header of", header_len, bytes.len()));
            }
            let header = BlobHeader::decode(&bytes[..])
                .map_err(|e| format!("{place}: an unreadable blob header ({e})"))?;
            let kind = match header.kind.as_deref() {
                Some("OSMHeader") => Kind::Header,
                Some("OSMData") => Kind::Data,
                Some(_) => Kind::Other,
                None => return Err(format!("{place}: a blob header without a type")),
            };
            let datasize = header.datasize.unwrap_or(-1);
            let datasize = u64::try_from(datasize)
                .ok()
                .filter(|&d| d <= MAX_BLOB)
                .ok_or_else(|| {
                    format!("{place}: a blob of {datasize} bytes, outside the format's 0 to 32 MiB")
                })?;
            match (kind, self.number) {
                (Kind::Header, 0) | (Kind::Other, _) => {}
                (Kind::Header, _) => {
                    return Err(format!("{place} is a second OSMHeader: the file is two PBF files joined (the same data twice?); give one extract"))
                }
                (Kind::Data, 0) => {
                    return Err(format!("{place}: the file does not begin with an OSMHeader blob"))
                }
                (Kind::Data, _) => self.data += 1,
            }
            let bytes = self.take(datasize)?;
            if (bytes.len() as u64) < datasize {
                return Err(cut("holds", datasize, bytes.len()));
            }
            self.number += 1;
            self.offset += 4 + header_len + datasize;
            frame(place, kind, &bytes).map(Some)
        }

        /// The next batch of blobs: at most [`BATCH_BLOBS`], weighing at
        /// most [`BATCH_MEMORY`] (or one blob); empty at the end.
        pub fn batch(&mut self) -> Result<Vec<Frame>, String> {
            let (mut out, mut weight) = (Vec::new(), 0);
            while out.len() < BATCH_BLOBS && weight < BATCH_MEMORY {
                let Some(frame) = self.next_frame()? else {
                    break;
                };
                weight += frame.weight;
                out.push(frame);
            }
            Ok(out)
        }
    }

    /// A blob from its stored bytes.
    pub fn frame(place: Place, kind: Kind, bytes: &[u8]) -> Result<Frame, String> {
        let blob = Blob::decode(bytes).map_err(|e| format!("{place}: an unreadable blob ({e})"))?;
        // A raw blob's block is its stored bytes (moved, not copied, by
        // `inflate`): nothing more to inflate. Counting it at 32 MiB made a
        // batch of three raw blobs, whatever their size (a million tiny
        // raw blobs: a third of a million batches, each a rayon round).
        let inflated = if blob.raw.is_some() {
            0
        } else {
            blob.raw_size
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(MAX_BLOB)
                .min(MAX_BLOB)
        };
        Ok(Frame {
            place,
            kind,
            blob,
            weight: bytes.len() as u64 + inflated,
        })
    }

    /// The most blobs [`index`] takes.
    const MAX_INDEX: usize = 1 << 20;

    /// Where a blob's stored bytes lie in the file.
    pub struct Entry {
        pub place: Place,
        pub kind: Kind,
        pub at: u64,
        pub len: u64,
    }

    /// Every blob of a file of `size` bytes, its header read and its data
    /// skipped; `None` when [`Frames::next_frame`] would refuse any
    /// header (it says why).
    pub fn index<R: Read + std::io::Seek>(reader: &mut R, size: u64) -> Option<Vec<Entry>> {
        let mut out: Vec<Entry> = Vec::new();
        let mut offset = 0u64;
        let mut data = 0;
        while offset < size {
            let mut four = [0u8; 4];
            reader.read_exact(&mut four).ok()?;
            let header_len = u64::from(u32::from_be_bytes(four));
            if header_len >= MAX_HEADER {
                return None;
            }
            let mut bytes = vec![0u8; usize::try_from(header_len).ok()?];
            reader.read_exact(&mut bytes).ok()?;
            let header = BlobHeader::decode(&bytes[..]).ok()?;
            let kind = match header.kind.as_deref()? {
                "OSMHeader" => Kind::Header,
                "OSMData" => Kind::Data,
                _ => Kind::Other,
            };
            let len = u64::try_from(header.datasize?)
                .ok()
                .filter(|&d| d <= MAX_BLOB)?;
            match (kind, out.len()) {
                (Kind::Header, 0) | (Kind::Other, _) => {}
                (Kind::Data, n) if n > 0 => data += 1,
                _ => return None,
            }
            let at = offset + 4 + header_len;
            let next = at.checked_add(len).filter(|&e| e <= size)?;
            // From `at` (the header just read): relative, so that a
            // buffered reader keeps its buffer over small blobs.
            reader.seek_relative(i64::try_from(len).ok()?).ok()?;
            let place = Place {
                number: out.len() + 1,
                offset,
            };
            out.push(Entry {
                place,
                kind,
                at,
                len,
            });
            offset = next;
            // (A million blobs: billions of objects, or a crafted file
            // whose index would take more memory than streaming it.)
            if out.len() > MAX_INDEX {
                return None;
            }
        }
        (data > 0).then_some(out)
    }

    /// A data blob inflated, with the memory its parse will take.
    pub struct Inflated {
        pub place: Place,
        pub bytes: Vec<u8>,
        pub parsed: u64,
        /// What the reader keeps of it beyond the parse: its ways' node
        /// ids and relations' member ids (counted in the pass's budget).
        pub kept: u64,
        /// What it holds (see [`super::wire::kind`]), known before parsing.
        pub kind: u8,
    }

    impl Inflated {
        /// What parsing it takes: its bytes twice and the parse.
        pub fn weight(&self) -> u64 {
            2 * self.bytes.len() as u64 + self.parsed
        }
    }

    /// A data blob's block, inflated and checked (see the module's text).
    pub fn inflate(frame: Frame) -> Result<Inflated, String> {
        let place = frame.place;
        let blob = frame.blob;
        let limit = MAX_BLOB - 1;
        let bytes = if let Some(raw) = blob.raw {
            raw
        } else if let Some(z) = blob.zlib_data {
            let declared = match blob.raw_size {
                Some(s) => u64::try_from(s).ok().filter(|&s| s <= limit).ok_or_else(|| {
                    format!("{place} declares it inflates to {s} bytes, outside the format's 0 to 32 MiB")
                })?,
                None => limit,
            };
            let absurd = |n: u64| n > (1 << 20) && n > MAX_RATIO * z.len() as u64;
            if absurd(declared) && blob.raw_size.is_some() {
                return Err(format!("{place} declares it inflates {} bytes to {declared}, more than {MAX_RATIO} times: a compression bomb, not map data", z.len()));
            }
            // Sized at once when declared (within the checks above): no
            // growing by doubling, no copies.
            let mut out = match blob.raw_size {
                Some(_) => Vec::with_capacity(usize::try_from(declared).unwrap_or(0)),
                None => Vec::new(),
            };
            flate2::read::ZlibDecoder::new(&z[..])
                .take(declared + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{place}: its zlib data cannot be inflated ({e})"))?;
            if out.len() as u64 > declared {
                return Err(match blob.raw_size {
                    Some(_) => {
                        format!("{place} inflates to more than the {declared} bytes it declares")
                    }
                    None => format!("{place} inflates to 32 MiB or more, over the format's limit"),
                });
            }
            if absurd(out.len() as u64) {
                return Err(format!("{place} inflates {} bytes to {}, more than {MAX_RATIO} times: a compression bomb, not map data", z.len(), out.len()));
            }
            out
        } else {
            let how = [
                (blob.lzma_data.is_some(), "lzma"),
                (blob.bzip2_data.is_some(), "bzip2"),
                (blob.lz4_data.is_some(), "lz4"),
                (blob.zstd_data.is_some(), "zstd"),
            ]
            .into_iter()
            .find_map(|(has, name)| has.then_some(name));
            return Err(match how {
                Some(name) => format!(
                    "{place} is compressed with {name}; hubsel reads blobs stored raw or with zlib"
                ),
                None => format!("{place} holds no data"),
            });
        };
        if bytes.len() as u64 > limit {
            return Err(format!(
                "{place} holds a block of {} bytes, over the format's 32 MiB",
                bytes.len()
            ));
        }
        let (parsed, kept) =
            super::wire::parsed_size(&bytes).map_err(|e| format!("{place}: {e}"))?;
        if parsed > MAX_PARSED {
            return Err(format!(
                "{place}: its block of {} bytes would take some {} MiB once parsed, over hubsel's {} MiB for one block (real blocks take a few MiB: millions of tiny strings or empty objects are a crafted file, not map data)",
                bytes.len(),
                parsed >> 20,
                MAX_PARSED >> 20
            ));
        }
        let kind = super::wire::kind(&bytes)
            .ok_or_else(|| format!("{place}: its block is not protobuf"))?;
        Ok(Inflated {
            place,
            bytes,
            parsed,
            kept,
            kind,
        })
    }

    /// The block of an inflated blob, parsed by `osmpbf`.
    pub fn parse(inflated: &Inflated) -> Result<osmpbf::PrimitiveBlock, String> {
        #[cfg(test)]
        super::DECODED.with(|d| d.set(d.get() + 1));
        let place = inflated.place;
        let len = inflated.bytes.len() as u64;
        // A Blob of `raw_size` (2) and `raw` (1) with the bytes as they are.
        let mut prefix = Vec::new();
        prost::encoding::encode_key(2, prost::encoding::WireType::Varint, &mut prefix);
        prost::encoding::encode_varint(len, &mut prefix);
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut prefix);
        prost::encoding::encode_varint(len, &mut prefix);
        let datasize =
            i32::try_from(prefix.len() as u64 + len).map_err(|e| format!("{place}: {e}"))?;
        let header = BlobHeader {
            kind: Some("OSMData".to_string()),
            datasize: Some(datasize),
        }
        .encode_to_vec();
        let mut frame = Vec::with_capacity(4 + header.len() + prefix.len() + inflated.bytes.len());
        frame.extend_from_slice(&(header.len() as u32).to_be_bytes());
        frame.extend_from_slice(&header);
        frame.extend_from_slice(&prefix);
        frame.extend_from_slice(&inflated.bytes);
        let blob = osmpbf::BlobReader::new(&frame[..])
            .next()
            .ok_or_else(|| format!("{place}: no blob"))?
            .map_err(|e| format!("{place}: {e}"))?;
        drop(frame);
        blob.to_primitiveblock()
            .map_err(|e| format!("{place}: {e}"))
    }
}

mod decode;

/// The memory a `PrimitiveBlock` takes once parsed (by `osmpbf`'s
/// rust-protobuf types), estimated from its wire form without allocating:
/// each message a struct (twice in a repeated field, as a vector grows),
/// each packed number 4 or 8 bytes per byte of input (the vector reserved
/// for it), each string its vector, each unknown field (kept by
/// rust-protobuf) its entry. An error when the bytes are not protobuf.
mod wire {
    /// The messages of `osmformat.proto` a block holds.
    #[derive(Clone, Copy)]
    enum Msg {
        Block,
        Strings,
        Group,
        Node,
        Dense,
        DenseInfo,
        Info,
        Way,
        Relation,
        ChangeSet,
    }

    /// What a field of a message is.
    enum Field {
        Message(Msg, bool),
        Strings,
        /// Packed repeated numbers of this many bytes each (also read unpacked).
        Packed(u64),
        Scalar,
        Unknown,
    }

    const STRUCT: u64 = 256;
    /// Bytes kept per byte of a way's packed node ids or a relation's
    /// member ids (a byte is the least an id takes there): the id in the
    /// road's node list (8), in the sorted needed set (8) and its sort's
    /// scratch (8), and the position found for it (16). A file whose ways
    /// name millions of nodes in a few compressed bytes is stopped by the
    /// pass's budget before it fills memory.
    const KEPT: u64 = 40;
    const STRING: u64 = 64;
    const UNKNOWN: u64 = 160;

    fn field(msg: Msg, number: u64, wire: u8) -> Field {
        use Field::*;
        let f = match (msg, number) {
            (Msg::Block, 1) => Message(Msg::Strings, false),
            (Msg::Block, 2) => Message(Msg::Group, true),
            (Msg::Block, 17..=20) => Scalar,
            (Msg::Strings, 1) => Strings,
            (Msg::Group, 1) => Message(Msg::Node, true),
            (Msg::Group, 2) => Message(Msg::Dense, false),
            (Msg::Group, 3) => Message(Msg::Way, true),
            (Msg::Group, 4) => Message(Msg::Relation, true),
            (Msg::Group, 5) => Message(Msg::ChangeSet, true),
            (Msg::Node | Msg::Way | Msg::Relation, 2 | 3) => Packed(4),
            (Msg::Node | Msg::Way | Msg::Relation, 4) => Message(Msg::Info, false),
            (Msg::Node | Msg::Way | Msg::Relation | Msg::ChangeSet, 1) => Scalar,
            (Msg::Node, 8 | 9) => Scalar,
            (Msg::Way, 8..=10) => Packed(8),
            (Msg::Relation, 8 | 10) => Packed(4),
            (Msg::Relation, 9) => Packed(8),
            (Msg::Dense, 1 | 8 | 9) => Packed(8),
            (Msg::Dense, 5) => Message(Msg::DenseInfo, false),
            (Msg::Dense, 10) => Packed(4),
            (Msg::DenseInfo, 2 | 3) => Packed(8),
            (Msg::DenseInfo, 1 | 4..=6) => Packed(4),
            (Msg::Info, 1..=6) => Scalar,
            _ => Unknown,
        };
        // rust-protobuf reads a known field met with another wire type as
        // an unknown field.
        match (f, wire) {
            (f @ (Scalar | Packed(_)), 0) => f,
            (f @ (Message(..) | Strings | Packed(_)), 2) => f,
            _ => Unknown,
        }
    }

    fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in 0..10 {
            let b = *bytes
                .get(*at)
                .ok_or("its block ends inside a number (not protobuf)")?;
            *at += 1;
            value |= u64::from(b & 0x7f) << (7 * shift);
            if b < 0x80 {
                return Ok(value);
            }
        }
        Err("its block has a number over 10 bytes (not protobuf)".to_string())
    }

    fn walk(bytes: &[u8], msg: Msg) -> Result<(u64, u64), String> {
        let (mut at, mut size, mut kept) = (0, 0u64, 0u64);
        while at < bytes.len() {
            let key = varint(bytes, &mut at)?;
            let (number, wire) = (key >> 3, (key & 7) as u8);
            if number == 0 {
                return Err("its block has a field numbered 0 (not protobuf)".to_string());
            }
            let f = field(msg, number, wire);
            let (len, value) = match wire {
                0 => (0, Some(varint(bytes, &mut at)?)),
                1 => (8, None),
                5 => (4, None),
                2 => (varint(bytes, &mut at)?, None),
                _ => {
                    return Err(format!(
                        "its block has a field of wire type {wire} (not an OSM block)"
                    ))
                }
            };
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| at.checked_add(l))
                .filter(|&e| e <= bytes.len())
                .ok_or("its block ends inside a field (not protobuf)")?;
            let body = &bytes[at..end];
            at = end;
            if let (Msg::Relation, 10, Field::Packed(_)) = (msg, number, &f) {
                member_types(value, body)?;
            }
            // A way's node ids and a relation's member ids are what the
            // reader keeps of a block (the roads' node lists, the needed
            // set, the positions): see `KEPT`.
            if let (Msg::Way, 8) | (Msg::Relation, 9) = (msg, number) {
                kept += KEPT * if wire == 2 { len } else { 1 };
            }
            size += match f {
                Field::Message(m, repeated) => {
                    let (inner, inner_kept) = walk(body, m)?;
                    kept += inner_kept;
                    STRUCT * (1 + u64::from(repeated)) + inner
                }
                Field::Strings => STRING + len,
                Field::Packed(each) if wire == 2 => each * len,
                Field::Packed(each) => 2 * each,
                Field::Scalar => 0,
                Field::Unknown => UNKNOWN + len,
            };
        }
        Ok((size, kept))
    }

    /// A relation's member types (`types`, field 10: one `value`, or
    /// packed in `body`) are node, way or relation (0 to 2): `osmpbf`
    /// panics on any other when it lists the members.
    fn member_types(value: Option<u64>, body: &[u8]) -> Result<(), String> {
        let check = |t: u64| {
            match t {
            0..=2 => Ok(()),
            _ => Err(format!(
                "its block has a relation member of type {} (0 node, 1 way, 2 relation: a damaged or crafted file)",
                t as i64
            )),
        }
        };
        if let Some(t) = value {
            return check(t);
        }
        let mut at = 0;
        while at < body.len() {
            check(varint(body, &mut at)?)?;
        }
        Ok(())
    }

    /// The estimate for a whole block: its parse, and what the reader
    /// keeps of it beyond the parse (see `KEPT`).
    pub fn parsed_size(bytes: &[u8]) -> Result<(u64, u64), String> {
        let (parsed, kept) = walk(bytes, Msg::Block)?;
        Ok((STRUCT + parsed, kept))
    }

    /// Calls `each` with every field of a message: its number, wire type
    /// and body (empty for a number); `None` when the bytes are not
    /// protobuf (which [`parsed_size`] has refused before).
    fn fields<'a>(bytes: &'a [u8], mut each: impl FnMut(u64, u8, &'a [u8])) -> Option<()> {
        let mut at = 0;
        while at < bytes.len() {
            let key = varint(bytes, &mut at).ok()?;
            let (number, wire) = (key >> 3, (key & 7) as u8);
            let len = match wire {
                0 => {
                    varint(bytes, &mut at).ok()?;
                    0
                }
                1 => 8,
                5 => 4,
                2 => varint(bytes, &mut at).ok()?,
                _ => return None,
            };
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| at.checked_add(l))
                .filter(|&e| e <= bytes.len())?;
            each(number, wire, &bytes[at..end]);
            at = end;
        }
        Some(())
    }

    /// What a block holds (bits of `NODES`, `WAYS`, `RELATIONS`), read
    /// from its wire form without parsing it: exactly what `kind_of`
    /// finds in the parsed block (a group's `Node`, `Way` and `Relation`
    /// messages, and its dense nodes when their ids, latitudes and
    /// longitudes are all non-empty, in the last dense message of the
    /// group, the one rust-protobuf keeps). `None` when the bytes are not
    /// protobuf.
    pub fn kind(bytes: &[u8]) -> Option<u8> {
        use super::{NODES, RELATIONS, WAYS};
        let mut kind = 0;
        let mut bad = false;
        fields(bytes, |number, wire, group| {
            if number != 2 || wire != 2 {
                return;
            }
            let mut dense = [false; 3];
            let mut inner_bad = false;
            let group_ok = fields(group, |number, wire, body| match (number, wire) {
                (1, 2) => kind |= NODES,
                (3, 2) => kind |= WAYS,
                (4, 2) => kind |= RELATIONS,
                (2, 2) => {
                    // rust-protobuf keeps the last dense message of a group.
                    dense = [false; 3];
                    let dense_ok = fields(body, |number, wire, values| {
                        let slot = match number {
                            1 => 0,
                            8 => 1,
                            9 => 2,
                            _ => return,
                        };
                        if wire == 0 || (wire == 2 && !values.is_empty()) {
                            dense[slot] = true;
                        }
                    });
                    inner_bad |= dense_ok.is_none();
                }
                _ => {}
            });
            bad |= group_ok.is_none() || inner_bad;
            if dense == [true; 3] {
                kind |= NODES;
            }
        })?;
        (!bad).then_some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_join_into_rings_whatever_their_direction() {
        // A square split in three ways, one drawn backwards, plus a closed way.
        let ways = vec![
            vec![1, 2, 3],
            vec![5, 4, 3],
            vec![5, 6, 1],
            vec![10, 11, 12, 10],
        ];
        let (rings, open) = join_rings(ways);
        assert_eq!(open, 0);
        assert_eq!(rings, vec![vec![1, 2, 3, 4, 5, 6, 1], vec![10, 11, 12, 10]]);
        // A ring with a gap stays open and is reported.
        let (rings, open) = join_rings(vec![vec![1, 2, 3], vec![3, 4, 5]]);
        assert!(rings.is_empty());
        assert_eq!(open, 2);
    }

    #[test]
    fn levels_from_isced_or_grades() {
        let tags = |k: &str, v: &str| Tags::from([(k.to_string(), v.to_string())]);
        assert_eq!(level_of(&tags("isced:level", "1")), Some(Level::Primary));
        assert_eq!(
            level_of(&tags("isced:level", "2;3")),
            Some(Level::Secondary)
        );
        assert_eq!(level_of(&tags("isced:level", "0-3")), Some(Level::Both));
        assert_eq!(level_of(&tags("grades", "1-6")), Some(Level::Primary));
        assert_eq!(level_of(&tags("grades", "7-12")), Some(Level::Secondary));
        assert_eq!(level_of(&tags("grades", "K-9")), Some(Level::Both));
        assert_eq!(level_of(&tags("isced:level", "unknown")), None);
        assert_eq!(level_of(&Tags::new()), None);
    }

    #[test]
    fn oneway_rules() {
        let tags = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Tags>()
        };
        assert_eq!(parse_oneway(&tags(&[("oneway", "yes")])), Oneway::Forward);
        assert_eq!(parse_oneway(&tags(&[("oneway", "-1")])), Oneway::Backward);
        assert_eq!(
            parse_oneway(&tags(&[("junction", "roundabout")])),
            Oneway::Forward
        );
        assert_eq!(
            parse_oneway(&tags(&[("highway", "motorway"), ("oneway", "no")])),
            Oneway::No
        );
        assert_eq!(parse_oneway(&tags(&[("highway", "primary")])), Oneway::No);
    }

    #[test]
    fn bytes_that_are_not_pbf_are_an_error_not_a_panic() {
        let wanted = Wanted {
            schools: true,
            roads: true,
            districts: true,
        };
        for bytes in [
            &b""[..],
            b"not a pbf",
            &[0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ] {
            let mut rejects = Rejects::default();
            let source = Source::Bytes {
                name: "x.osm.pbf",
                bytes,
            };
            let out = read(&source, wanted, &OsmOptions::default(), &mut rejects);
            if let Ok(data) = out {
                assert!(data.roads.is_empty() && data.districts.is_empty());
            }
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use prost::encoding::{encode_key, encode_varint, WireType};

    /// The kind `kind_of` finds in the parsed block, and the kind read
    /// from its wire form.
    fn both(bytes: Vec<u8>) -> (u8, u8) {
        let place = frames::Place {
            number: 1,
            offset: 0,
        };
        let wire = wire::kind(&bytes).unwrap_or(u8::MAX);
        let inflated = frames::Inflated {
            place,
            bytes,
            parsed: 0,
            kept: 0,
            kind: wire,
        };
        let parsed = frames::parse(&inflated).map_or(u8::MAX, |b| kind_of(&b));
        (parsed, wire)
    }

    /// A message of length-delimited fields.
    fn msg(fields: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (number, body) in fields {
            encode_key(*number, WireType::LengthDelimited, &mut out);
            encode_varint(body.len() as u64, &mut out);
            out.extend_from_slice(body);
        }
        out
    }

    fn block(groups: &[Vec<u8>]) -> Vec<u8> {
        let mut fields = vec![(1, msg(&[(1, Vec::new())]))];
        fields.extend(groups.iter().map(|g| (2, g.clone())));
        msg(&fields)
    }

    /// A message of one number field (the `id` nodes, ways and relations
    /// require) and the length-delimited `fields`.
    fn with_id(fields: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_key(1, WireType::Varint, &mut out);
        encode_varint(7, &mut out);
        out.extend(msg(fields));
        out
    }

    #[test]
    fn the_wire_kind_is_what_the_parsed_block_holds() {
        let way = with_id(&[]);
        let mut node = with_id(&[]);
        for number in [8, 9] {
            encode_key(number, WireType::Varint, &mut node);
            encode_varint(2, &mut node);
        }
        let (one, empty) = (vec![2u8], Vec::new());
        let dense = |id: &Vec<u8>, lat: &Vec<u8>, lon: &Vec<u8>| {
            msg(&[(1, id.clone()), (8, lat.clone()), (9, lon.clone())])
        };
        let mut unpacked_ids = Vec::new();
        encode_key(1, WireType::Varint, &mut unpacked_ids);
        encode_varint(2, &mut unpacked_ids);
        unpacked_ids.extend(msg(&[(8, one.clone()), (9, one.clone())]));
        let cases = [
            (block(&[]), 0),
            (block(&[msg(&[])]), 0),
            (block(&[msg(&[(3, way.clone())])]), WAYS),
            (block(&[msg(&[(4, way.clone())])]), RELATIONS),
            (block(&[msg(&[(1, node)])]), NODES),
            (block(&[msg(&[(2, dense(&one, &one, &one))])]), NODES),
            (block(&[msg(&[(2, dense(&empty, &one, &one))])]), 0),
            (block(&[msg(&[(2, dense(&one, &empty, &one))])]), 0),
            (block(&[msg(&[(2, unpacked_ids)])]), NODES),
            // Of a dense message met twice in a group, the last is kept.
            (
                block(&[msg(&[
                    (2, msg(&[(1, one.clone()), (8, one.clone())])),
                    (2, msg(&[(9, one.clone())])),
                ])]),
                0,
            ),
            (
                block(&[msg(&[
                    (2, msg(&[(9, one.clone())])),
                    (2, dense(&one, &one, &one)),
                ])]),
                NODES,
            ),
            // Not merged across groups.
            (
                block(&[
                    msg(&[(2, msg(&[(1, one.clone()), (8, one.clone())]))]),
                    msg(&[(2, msg(&[(9, one.clone())])), (3, way.clone())]),
                ]),
                WAYS,
            ),
        ];
        for (i, (bytes, want)) in cases.into_iter().enumerate() {
            assert_eq!(both(bytes), (want, want), "case {i}");
        }
    }

    #[test]
    fn the_wire_kind_matches_every_block_of_real_extracts() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let files = [
            dir.join("fixtures/fuzz/osm_pbf/tiny.osm.pbf"),
            dir.join("fixtures/real/liechtenstein-2015.osm.pbf"),
        ];
        let mut seen = [0usize; 8];
        for path in files.iter().filter(|p| p.exists()) {
            let file = std::fs::File::open(path).unwrap();
            let mut frames = frames::Frames::new(std::io::BufReader::new(file));
            while let Some(frame) = frames.next_frame().unwrap() {
                if frame.kind != frames::Kind::Data {
                    continue;
                }
                let inflated = frames::inflate(frame).unwrap();
                let bytes = inflated.bytes.clone();
                let (parsed, wire) = both(bytes);
                assert_eq!(parsed, wire, "{}", inflated.place);
                seen[usize::from(wire)] += 1;
            }
        }
        // Blocks of every kind were met (some of them mixed).
        for kind in [NODES, WAYS, RELATIONS] {
            let met = (0..8).filter(|k| k & kind != 0).map(|k| seen[usize::from(k)]);
            assert!(met.sum::<usize>() > 0, "{kind}: {seen:?}");
        }
    }

    #[test]
    fn each_block_is_parsed_once_over_the_three_passes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // (file, with districts: the tiny file has no relation)
        let files = [
            (dir.join("fixtures/fuzz/osm_pbf/tiny.osm.pbf"), false),
            (
                dir.join("fixtures/real/liechtenstein-2015.osm.pbf"),
                true,
            ),
        ];
        // One thread, so that the thread's count is the read's.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        for (path, districts) in files.iter().filter(|p| p.0.exists()) {
            let wanted = Wanted {
                schools: true,
                roads: true,
                districts: *districts,
            };
            let bytes = std::fs::read(path).unwrap();
            // Once per kind of object a block holds (a block holding two
            // kinds is parsed by both passes; holding none, by the first).
            let mut frames = frames::Frames::new(&bytes[..]);
            let mut data = 0;
            while let Some(frame) = frames.next_frame().unwrap() {
                if frame.kind == frames::Kind::Data {
                    let kind = frames::inflate(frame).unwrap().kind;
                    data += u64::from(kind.count_ones()).max(1);
                }
            }
            let name = path.display().to_string();
            let source = Source::Bytes {
                name: &name,
                bytes: &bytes,
            };
            let parsed = pool.install(|| {
                DECODED.with(|d| d.set(0));
                let mut rejects = Rejects::default();
                let out = read(&source, wanted, &OsmOptions::default(), &mut rejects);
                assert!(out.is_ok(), "{name}");
                DECODED.with(|d| d.get())
            });
            assert_eq!(parsed, data, "{name}: blocks parsed, kinds held");
        }
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    /// The wire reader against `osmpbf` on every block of the real
    /// extract, the tiny file and the fuzz corpus (crafted and damaged
    /// blocks: the wire reader gives them up, or reads them as `osmpbf`).
    #[test]
    fn the_wire_reader_gives_what_osmpbf_gives_on_every_block() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // Every block of the real extract but its relations' (one block);
        // none of the tiny file (its one block holds plain nodes).
        for (name, expected) in [
            ("fixtures/real/liechtenstein-2015.osm.pbf", (19, 20)),
            ("fixtures/fuzz/osm_pbf/tiny.osm.pbf", (0, 1)),
        ] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert_eq!(wire_matches_osmpbf(&bytes), Ok(expected), "{name}");
        }
        let corpus = dir.join("fixtures/fuzz/osm_pbf");
        let mut entries: Vec<_> = std::fs::read_dir(&corpus)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        let mut wire = 0;
        for path in entries {
            let bytes = std::fs::read(&path).unwrap();
            let result = wire_matches_osmpbf(&bytes);
            assert!(result.is_ok(), "{}: {result:?}", path.display());
            wire += result.unwrap_or_default().0;
        }
        assert!(wire > 0);
    }

    /// Blocks read the unusual way go to `osmpbf`: a way without its id,
    /// a field written twice, a plain node, an int32 out of range.
    #[test]
    fn the_wire_reader_gives_up_on_unusual_blocks() {
        use prost::encoding::{encode_key, encode_varint, WireType};
        let len = |n: u32, body: &[u8], out: &mut Vec<u8>| {
            encode_key(n, WireType::LengthDelimited, out);
            encode_varint(body.len() as u64, out);
            out.extend_from_slice(body);
        };
        let num = |n: u32, v: u64, out: &mut Vec<u8>| {
            encode_key(n, WireType::Varint, out);
            encode_varint(v, out);
        };
        let block = |group: &[u8], extra: &[u8]| {
            let mut strings = Vec::new();
            len(1, b"", &mut strings);
            len(1, b"highway", &mut strings);
            len(1, b"primary", &mut strings);
            let mut out = Vec::new();
            len(1, &strings, &mut out);
            len(2, group, &mut out);
            out.extend_from_slice(extra);
            out
        };
        let way = |fields: &dyn Fn(&mut Vec<u8>)| {
            let mut w = Vec::new();
            fields(&mut w);
            let mut g = Vec::new();
            len(3, &w, &mut g);
            g
        };
        let good = way(&|w| {
            num(1, 7, w);
            len(2, &[1], w);
            len(3, &[2], w);
            len(8, &[2, 2], w);
        });
        let read = |bytes: &[u8]| {
            let mut ways = Vec::new();
            decode::Block::new(bytes)?
                .ways(|w| ways.push((w.id, w.tags().count(), w.refs().collect::<Vec<_>>())))?;
            Some(ways)
        };
        assert_eq!(read(&block(&good, &[])), Some(vec![(7, 1, vec![1, 2])]));
        let no_id = way(&|w| len(8, &[2], w));
        assert_eq!(read(&block(&no_id, &[])), None);
        let refs_twice = way(&|w| {
            num(1, 7, w);
            len(8, &[2], w);
            len(8, &[2], w);
        });
        assert_eq!(read(&block(&refs_twice, &[])), None);
        let key_too_big = way(&|w| {
            num(1, 7, w);
            let mut k = Vec::new();
            encode_varint(1 << 33, &mut k);
            len(2, &k, w);
        });
        assert_eq!(read(&block(&key_too_big, &[])), None);
        let mut plain_node = Vec::new();
        len(1, &[8, 2, 64, 2, 72, 2], &mut plain_node);
        assert_eq!(read(&block(&plain_node, &[])), None);
        let mut granularity = Vec::new();
        num(17, 1 << 40, &mut granularity);
        assert_eq!(read(&block(&good, &granularity)), None);
        // Each of them is what osmpbf refuses or reads otherwise than the
        // usual way: checked on the real blocks above.
    }
}

#[cfg(test)]
mod backward_tests {
    use super::*;

    /// [`read`] and the three passes: the same data and rejects (compared
    /// in full through their `Debug` text); whether [`read`] went backward.
    fn same_both_ways(name: &str, bytes: &[u8], wanted: Wanted) -> bool {
        let source = Source::Bytes { name, bytes };
        let options = OsmOptions::default();
        let mut rejects = Rejects::default();
        let fast = read(&source, wanted, &options, &mut rejects);
        let mut reference_rejects = Rejects::default();
        let (reference, backward) =
            read_both_ways(&source, wanted, &options, &mut reference_rejects);
        assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "{name}");
        assert_eq!(
            format!("{rejects:?}"),
            format!("{reference_rejects:?}"),
            "{name}"
        );
        backward
    }

    fn liechtenstein() -> Vec<u8> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read(dir.join("fixtures/real/liechtenstein-2015.osm.pbf")).unwrap()
    }

    /// The blobs of a file: the header's bytes, and each data blob's.
    fn blobs(bytes: &[u8]) -> Vec<&[u8]> {
        let mut cursor = std::io::Cursor::new(bytes);
        let entries = frames::index(&mut cursor, bytes.len() as u64).unwrap();
        entries
            .iter()
            .map(|e| &bytes[e.place.offset as usize..(e.at + e.len) as usize])
            .collect()
    }

    #[test]
    fn a_sorted_extract_read_backward_gives_what_the_three_passes_give() {
        let bytes = liechtenstein();
        let all = Wanted {
            schools: true,
            roads: true,
            districts: true,
        };
        let some = [
            all,
            Wanted {
                districts: false,
                ..all
            },
            Wanted {
                schools: false,
                districts: false,
                ..all
            },
            Wanted {
                roads: false,
                ..all
            },
        ];
        for wanted in some {
            assert!(same_both_ways("li.osm.pbf", &bytes, wanted), "{wanted:?}");
        }
        // And on one thread.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        pool.install(|| assert!(same_both_ways("li.osm.pbf", &bytes, all)));
        // The data is there: roads, districts and schools.
        let mut rejects = Rejects::default();
        let source = Source::Bytes {
            name: "li.osm.pbf",
            bytes: &bytes,
        };
        let options = OsmOptions {
            admin_level: "8".into(),
            ..OsmOptions::default()
        };
        let data = read(&source, all, &options, &mut rejects).unwrap();
        assert!(
            data.roads.len() > 1000 && data.districts.len() >= 10,
            "{}",
            data.districts.len()
        );
        assert!(data.schools.is_some_and(|s| !s.schools.is_empty()));
    }

    #[test]
    fn an_unsorted_extract_is_read_in_three_passes() {
        let bytes = liechtenstein();
        let parts = blobs(&bytes);
        let n = parts.len();
        let all = Wanted {
            schools: true,
            roads: true,
            districts: true,
        };
        // The relations' blob first; a way blob before a node blob.
        let mut relations_first: Vec<u8> = parts[0].to_vec();
        relations_first.extend(parts[n - 1]);
        parts[1..n - 1]
            .iter()
            .for_each(|p| relations_first.extend(*p));
        let mut ways_early: Vec<u8> = parts[0].to_vec();
        ways_early.extend(parts[n - 2]);
        parts[1..n - 2].iter().for_each(|p| ways_early.extend(*p));
        ways_early.extend(parts[n - 1]);
        for (name, file) in [
            ("relations first", relations_first),
            ("ways early", ways_early),
        ] {
            assert!(!same_both_ways(name, &file, all), "{name}");
        }
        // Errors are the three passes' own: a blob repeated.
        let mut repeated: Vec<u8> = bytes.clone();
        repeated.extend(parts[n - 1]);
        assert!(!same_both_ways("repeated", &repeated, all));
        let e = read(
            &Source::Bytes {
                name: "x",
                bytes: &repeated,
            },
            all,
            &OsmOptions::default(),
            &mut Rejects::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn the_id_index_finds_every_id_and_no_other() {
        let sets: Vec<Vec<i64>> = vec![
            vec![],
            vec![5],
            vec![i64::MIN, -3, 0, 7, i64::MAX],
            (0..1000).map(|i| i * i * 977 - 400_000).collect(),
            (0..5000).map(|i| 10_000_000_000 + 3 * i).collect(),
        ];
        for ids in &sets {
            let index = IdIndex::new(ids);
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(index.find(id), Some(i), "{id}");
                for other in [id.wrapping_sub(1), id.wrapping_add(1)] {
                    assert_eq!(index.find(other), ids.binary_search(&other).ok(), "{other}");
                }
            }
            for other in [i64::MIN, -1, 1, 1 << 40, i64::MAX] {
                assert_eq!(index.find(other), ids.binary_search(&other).ok(), "{other}");
            }
        }
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn an_extract_without_any_complete_boundary_says_to_bring_districts() {
        let mut data = OsmData::default();
        for level in ["6", "8"] {
            data.boundary_levels.insert(
                level.into(),
                BoundaryCount {
                    relations: 4,
                    complete: 0,
                },
            );
        }
        let hint = data.no_district_hint("8");
        assert!(
            hint.contains("admin_level=8: 4 in the extract, 0 complete"),
            "{hint}"
        );
        assert!(
            hint.contains("no admin_level has a complete boundary in this extract"),
            "{hint}"
        );
        assert!(hint.contains("--districts"), "{hint}");
    }
}

/// Small extracts built byte by byte, for the tests below.
#[cfg(test)]
mod craft {
    use prost::encoding::{encode_key, encode_varint, WireType};
    use std::io::Write;

    pub fn num(n: u32, v: u64, out: &mut Vec<u8>) {
        encode_key(n, WireType::Varint, out);
        encode_varint(v, out);
    }

    pub fn len(n: u32, body: &[u8], out: &mut Vec<u8>) {
        encode_key(n, WireType::LengthDelimited, out);
        encode_varint(body.len() as u64, out);
        out.extend_from_slice(body);
    }

    fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }

    /// Packed numbers, delta- and zigzag-coded when `delta`.
    pub fn packed(values: &[i64], delta: bool) -> Vec<u8> {
        let (mut out, mut last) = (Vec::new(), 0i64);
        for &v in values {
            if delta {
                encode_varint(zigzag(v - last), &mut out);
                last = v;
            } else {
                encode_varint(v as u64, &mut out);
            }
        }
        out
    }

    /// A block's string table, index 0 the empty string.
    #[derive(Default)]
    pub struct Strings(Vec<String>);

    impl Strings {
        pub fn at(&mut self, s: &str) -> i64 {
            if self.0.is_empty() {
                self.0.push(String::new());
            }
            match self.0.iter().position(|x| x == s) {
                Some(i) => i as i64,
                None => {
                    self.0.push(s.to_string());
                    self.0.len() as i64 - 1
                }
            }
        }

        /// A block of these strings and `groups`.
        pub fn block(mut self, groups: &[Vec<u8>]) -> Vec<u8> {
            self.at("");
            let mut table = Vec::new();
            for s in &self.0 {
                len(1, s.as_bytes(), &mut table);
            }
            let mut out = Vec::new();
            len(1, &table, &mut out);
            for g in groups {
                len(2, g, &mut out);
            }
            out
        }
    }

    /// A node: id, latitude and longitude (1e-7 degrees), tags.
    pub type Node<'a> = (i64, i64, i64, &'a [(&'a str, &'a str)]);

    /// A way: id, node ids, tags.
    type WaySpec<'a> = (i64, Vec<i64>, Vec<(&'a str, &'a str)>);

    /// A group of dense nodes.
    pub fn dense(st: &mut Strings, nodes: &[Node<'_>]) -> Vec<u8> {
        let column =
            |f: fn(&Node<'_>) -> i64| packed(&nodes.iter().map(f).collect::<Vec<_>>(), true);
        let mut kv = Vec::new();
        for n in nodes {
            for (k, v) in n.3 {
                kv.push(st.at(k));
                kv.push(st.at(v));
            }
            kv.push(0);
        }
        let mut d = Vec::new();
        len(1, &column(|n| n.0), &mut d);
        len(8, &column(|n| n.1), &mut d);
        len(9, &column(|n| n.2), &mut d);
        len(10, &packed(&kv, false), &mut d);
        let mut g = Vec::new();
        len(2, &d, &mut g);
        g
    }

    /// A way message (to put in a group, field 3).
    pub fn way(st: &mut Strings, id: i64, refs: &[i64], tags: &[(&str, &str)]) -> Vec<u8> {
        let mut w = Vec::new();
        num(1, id as u64, &mut w);
        let keys: Vec<i64> = tags.iter().map(|t| st.at(t.0)).collect();
        let vals: Vec<i64> = tags.iter().map(|t| st.at(t.1)).collect();
        len(2, &packed(&keys, false), &mut w);
        len(3, &packed(&vals, false), &mut w);
        len(8, &packed(refs, true), &mut w);
        let mut g = Vec::new();
        len(3, &w, &mut g);
        g
    }

    /// A relation message (in a group, field 4): members (type, id, role).
    pub fn relation(
        st: &mut Strings,
        id: i64,
        members: &[(i64, i64, &str)],
        tags: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut r = Vec::new();
        num(1, id as u64, &mut r);
        let keys: Vec<i64> = tags.iter().map(|t| st.at(t.0)).collect();
        let vals: Vec<i64> = tags.iter().map(|t| st.at(t.1)).collect();
        len(2, &packed(&keys, false), &mut r);
        len(3, &packed(&vals, false), &mut r);
        let roles: Vec<i64> = members.iter().map(|m| st.at(m.2)).collect();
        len(8, &packed(&roles, false), &mut r);
        let ids: Vec<i64> = members.iter().map(|m| m.1).collect();
        len(9, &packed(&ids, true), &mut r);
        let types: Vec<i64> = members.iter().map(|m| m.0).collect();
        len(10, &packed(&types, false), &mut r);
        let mut g = Vec::new();
        len(4, &r, &mut g);
        g
    }

    /// A blob of `kind` holding `data`, stored raw or zlib-compressed.
    pub fn blob(kind: &str, data: &[u8], zlib: bool) -> Vec<u8> {
        let mut b = Vec::new();
        if zlib {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(data).unwrap();
            num(2, data.len() as u64, &mut b);
            len(3, &z.finish().unwrap(), &mut b);
        } else {
            len(1, data, &mut b);
        }
        let mut header = Vec::new();
        len(1, kind.as_bytes(), &mut header);
        num(3, b.len() as u64, &mut header);
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend(header);
        out.extend(b);
        out
    }

    pub fn header() -> Vec<u8> {
        let mut h = Vec::new();
        len(4, b"OsmSchema-V0.6", &mut h);
        len(4, b"DenseNodes", &mut h);
        blob("OSMHeader", &h, true)
    }

    /// A sorted extract's blobs (the header first): a grid of `n` × `n`
    /// nodes in `node_blobs` blocks, its rows and columns as roads, a
    /// school node and a school way, and a boundary relation (admin_level
    /// 6) around the grid; blobs raw and zlib in turn.
    pub fn extract(n: i64, node_blobs: usize) -> Vec<Vec<u8>> {
        let id = |i: i64, j: i64| 1 + i * n + j;
        let mut nodes: Vec<Node<'_>> = Vec::new();
        for i in 0..n {
            for j in 0..n {
                nodes.push((
                    id(i, j),
                    471_000_000 + i * 9_000,
                    95_000_000 + j * 11_000,
                    &[],
                ));
            }
        }
        let school: &[(&str, &str)] = &[("amenity", "school"), ("name", "A"), ("isced:level", "1")];
        nodes.push((n * n + 1, 471_004_000, 95_004_000, school));
        let mut out = vec![header()];
        let per = nodes.len().div_ceil(node_blobs);
        for (k, chunk) in nodes.chunks(per).enumerate() {
            let mut st = Strings::default();
            let g = dense(&mut st, chunk);
            out.push(blob("OSMData", &st.block(&[g]), k % 2 == 0));
        }
        let mut ways: Vec<WaySpec<'_>> = Vec::new();
        for i in 0..n {
            let row = (0..n).map(|j| id(i, j)).collect();
            ways.push((100 + i, row, vec![("highway", "residential")]));
            let col = (0..n).map(|j| id(j, i)).collect();
            ways.push((
                200 + i,
                col,
                vec![("highway", "primary"), ("oneway", "yes")],
            ));
        }
        let edge = [
            (0..n).map(|j| id(0, j)).collect::<Vec<_>>(),
            (0..n).map(|i| id(i, n - 1)).collect(),
            (0..n).rev().map(|j| id(n - 1, j)).collect(),
            (0..n).rev().map(|i| id(i, 0)).collect(),
        ];
        for (k, e) in edge.iter().enumerate() {
            ways.push((300 + k as i64, e.clone(), vec![]));
        }
        let sw = vec![id(1, 1), id(1, 2), id(2, 2), id(1, 1)];
        ways.push((400, sw, vec![("amenity", "school"), ("name", "B")]));
        for (k, chunk) in ways.chunks(ways.len().div_ceil(2)).enumerate() {
            let mut st = Strings::default();
            let groups: Vec<u8> = chunk
                .iter()
                .flat_map(|w| way(&mut st, w.0, &w.1, &w.2))
                .collect();
            out.push(blob("OSMData", &st.block(&[groups]), k % 2 == 1));
        }
        let mut st = Strings::default();
        let members: Vec<(i64, i64, &str)> = (0..4).map(|k| (1, 300 + k, "outer")).collect();
        let tags = [
            ("boundary", "administrative"),
            ("admin_level", "6"),
            ("name", "D"),
            ("ref", "D1"),
        ];
        let r = relation(&mut st, 50, &members, &tags);
        out.push(blob("OSMData", &st.block(&[r]), true));
        out
    }
}

#[cfg(test)]
mod attack_tests {
    use super::*;

    const ALL: Wanted = Wanted {
        schools: true,
        roads: true,
        districts: true,
    };

    fn read_bytes(bytes: &[u8], wanted: Wanted) -> Result<OsmData> {
        let source = Source::Bytes {
            name: "x.osm.pbf",
            bytes,
        };
        read(
            &source,
            wanted,
            &OsmOptions::default(),
            &mut Rejects::default(),
        )
    }

    /// The three passes' result on `bytes` (everything wanted), and
    /// whether the backward reading gave it.
    fn both_ways(bytes: &[u8]) -> (Result<OsmData>, bool) {
        let source = Source::Bytes {
            name: "x.osm.pbf",
            bytes,
        };
        read_both_ways(
            &source,
            ALL,
            &OsmOptions::default(),
            &mut Rejects::default(),
        )
    }

    /// The crafted extract reads: roads, a district, two schools (and in
    /// one backward pass).
    #[test]
    fn the_crafted_extract_reads_both_ways() {
        let bytes = craft::extract(5, 3).concat();
        let data = read_bytes(&bytes, ALL).unwrap();
        assert_eq!(data.roads.len(), 10);
        assert_eq!(data.districts.len(), 1);
        assert_eq!(data.schools.map(|s| s.schools.len()), Some(2));
        let (three, backward) = both_ways(&bytes);
        assert!(backward && three.is_ok());
    }

    /// `osmpbf` panics listing the members of a relation whose member
    /// type is not node, way or relation (0 to 2): refused before, with
    /// the blob named, whatever is wanted (the panic was caught, but the
    /// error said only that the reader failed).
    #[test]
    fn a_relation_member_of_unknown_type_is_refused_before_osmpbf_panics() {
        for t in [3, 7, -1] {
            let mut blobs = craft::extract(4, 1);
            let mut st = craft::Strings::default();
            let tags = [("boundary", "administrative"), ("admin_level", "6")];
            let r = craft::relation(&mut st, 60, &[(1, 300, "outer"), (t, 301, "outer")], &tags);
            let last = blobs.len() - 1;
            blobs[last] = craft::blob("OSMData", &st.block(&[r]), t != 3);
            let bytes = blobs.concat();
            for wanted in [
                ALL,
                Wanted {
                    roads: true,
                    ..Wanted::default()
                },
            ] {
                let source = Source::Bytes {
                    name: "x.osm.pbf",
                    bytes: &bytes,
                };
                let both = std::panic::catch_unwind(|| {
                    read_both_ways(
                        &source,
                        wanted,
                        &OsmOptions::default(),
                        &mut Rejects::default(),
                    )
                });
                let (three, backward) = both.expect("no panic");
                assert!(!backward);
                let e = three.unwrap_err().to_string();
                let number = blobs.len();
                assert!(e.contains(&format!("blob {number} (at byte")), "{e}");
                assert!(e.contains(&format!("relation member of type {t} ")), "{e}");
            }
        }
    }

    /// A blob of boundary member ways repeated: the way named twice is
    /// the same on every run (it was the hash map's pick among them).
    #[test]
    fn the_way_named_twice_is_the_same_on_every_run() {
        let mut blobs = craft::extract(4, 1);
        let n = blobs.len();
        let repeated = blobs[n - 2].clone();
        blobs.insert(n - 1, repeated);
        let bytes = blobs.concat();
        for _ in 0..20 {
            let e = read_bytes(&bytes, ALL).unwrap_err().to_string();
            assert!(e.contains("w300 appears twice"), "{e}");
        }
    }

    /// A tiny file whose ways name millions of nodes (a byte each, packed,
    /// compressed within the ratio allowed) is refused by the pass's
    /// budget, which counts what the reader would keep of them (the road's
    /// node list, the needed set, the positions), not only their parse:
    /// before, a 99 kB file of this kind took 492 MB, an 8 MB one 2.2 GB.
    /// Both readers give the same error.
    #[test]
    fn ways_naming_millions_of_nodes_are_refused_before_they_are_kept() {
        const REFS: i64 = 3_000_000;
        let mut st = craft::Strings::default();
        let nodes = craft::dense(&mut st, &[(1, 2, 3, &[])]);
        let node_blob = craft::blob("OSMData", &st.block(&[nodes]), true);
        let mut st = craft::Strings::default();
        let refs: Vec<i64> = (1..=REFS).collect();
        let road = craft::way(&mut st, 10, &refs, &[("highway", "residential")]);
        let mut block = st.block(&[road]);
        // Bytes zlib cannot shrink, so that the blob inflates less than
        // 200 times (a seeded generator: the same file every run).
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let junk: Vec<u8> = (0..REFS / 150)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        craft::len(99, &junk, &mut block);
        let mut bytes = craft::header();
        bytes.extend(node_blob);
        bytes.extend(craft::blob("OSMData", &block, true));
        assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
        let e = read_bytes(&bytes, ALL).unwrap_err().to_string();
        assert!(
            e.contains("once parsed and kept, over 128 MiB"),
            "{e}"
        );
        let (three, backward) = both_ways(&bytes);
        assert!(!backward);
        assert_eq!(three.unwrap_err().to_string(), e);
    }

    /// A raw blob weighs its bytes: a batch takes [`frames::BATCH_BLOBS`]
    /// small raw blobs, not three (each was counted at 32 MiB).
    #[test]
    fn small_raw_blobs_fill_a_batch() {
        let mut st = craft::Strings::default();
        let g = craft::dense(&mut st, &[(1, 2, 3, &[])]);
        let raw = craft::blob("OSMData", &st.block(&[g]), false);
        let mut bytes = craft::header();
        for _ in 0..100 {
            bytes.extend_from_slice(&raw);
        }
        let mut frames = frames::Frames::new(&bytes[..]);
        let batch = frames.batch().unwrap();
        assert_eq!(batch.len(), frames::BATCH_BLOBS);
        assert!(batch[1].weight < 100, "{}", batch[1].weight);
    }

    /// Many small blobs (read backward through the window, several in
    /// one read) and a blob larger than the window give what the three
    /// passes give.
    #[test]
    fn small_and_large_blobs_read_backward_as_in_three_passes() {
        let mut blobs = craft::extract(12, 40);
        // A large raw node blob (over the 1 MiB window) first.
        let mut st = craft::Strings::default();
        let far: Vec<craft::Node<'_>> = (0..300_000)
            .map(|i| (-1_000_000 + i, i * 1000, -i * 1000, &[][..]))
            .collect();
        let g = craft::dense(&mut st, &far);
        blobs.insert(1, craft::blob("OSMData", &st.block(&[g]), false));
        assert!(blobs[1].len() > 1 << 20);
        let bytes = blobs.concat();
        let source = Source::Bytes {
            name: "x.osm.pbf",
            bytes: &bytes,
        };
        let fast = read_bytes(&bytes, ALL);
        let (three, backward) = read_both_ways(
            &source,
            ALL,
            &OsmOptions::default(),
            &mut Rejects::default(),
        );
        assert!(backward);
        assert_eq!(format!("{fast:?}"), format!("{three:?}"));
        assert_eq!(fast.unwrap().roads.len(), 24);
    }
}

#[cfg(test)]
mod mutation_tests {
    use super::*;

    /// 600 seeded mutants of a small sorted extract (bits flipped, bytes
    /// set, the file cut, blobs swapped, repeated or dropped): the reader
    /// never panics, and the backward reading and the three passes give
    /// the same (data, rejects, or error to the word), on one thread and
    /// on two.
    #[test]
    fn mutants_read_the_same_both_ways_and_never_panic() {
        let blobs = craft::extract(6, 4);
        let original = blobs.concat();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |below: usize| {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % below.max(1) as u64) as usize
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let wants = [
            Wanted {
                schools: true,
                roads: true,
                districts: true,
            },
            Wanted {
                roads: true,
                ..Wanted::default()
            },
            Wanted {
                schools: true,
                ..Wanted::default()
            },
        ];
        let (mut ok_backward, mut errors) = (0, 0);
        for m in 0..600 {
            let mut bytes = original.clone();
            let what = m % 6;
            match what {
                0 => {
                    for _ in 0..1 + next(3) {
                        let at = next(bytes.len());
                        bytes[at] ^= 1 << next(8);
                    }
                }
                1 => {
                    let at = next(bytes.len());
                    bytes[at] = [0, 0xff, 0x80, 0x7f][next(4)];
                }
                2 => bytes.truncate(next(bytes.len())),
                _ => {
                    let mut parts = blobs.clone();
                    let (i, j) = (next(parts.len()), next(parts.len()));
                    match what {
                        3 => parts.swap(i, j),
                        4 => parts.insert(i, blobs[j].clone()),
                        _ => {
                            parts.remove(i);
                        }
                    }
                    bytes = parts.concat();
                }
            }
            let wanted = wants[m % wants.len()];
            let name = format!("mutant {m} (kind {what})");
            let source = Source::Bytes {
                name: &name,
                bytes: &bytes,
            };
            let options = OsmOptions::default();
            let run = |pool: &rayon::ThreadPool| {
                pool.install(|| {
                    std::panic::catch_unwind(|| {
                        let mut rejects = Rejects::default();
                        let fast = read(&source, wanted, &options, &mut rejects);
                        let mut reference_rejects = Rejects::default();
                        let (three, backward) =
                            read_both_ways(&source, wanted, &options, &mut reference_rejects);
                        (
                            format!("{fast:?} {rejects:?}"),
                            format!("{three:?} {reference_rejects:?}"),
                            backward,
                            fast.is_ok(),
                        )
                    })
                })
            };
            let (fast, three, backward, ok) =
                run(&two).unwrap_or_else(|_| panic!("{name}: panicked"));
            assert_eq!(fast, three, "{name}");
            assert!(
                !fast.contains("the reader failed on its contents"),
                "{name}: {fast}"
            );
            if m % 4 == 0 {
                let single = run(&one).unwrap_or_else(|_| panic!("{name}: panicked on one thread"));
                assert_eq!((single.0, single.2), (fast, backward), "{name}: one thread");
            }
            ok_backward += usize::from(ok && backward);
            errors += usize::from(!ok);
        }
        // The mutants reach both outcomes.
        assert!(ok_backward >= 20 && errors >= 20, "{ok_backward} {errors}");
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;

    fn road(part: &mut WayPass, id: i64, class: &str) {
        let class = part.class_of(class);
        part.roads.push(RoadWay {
            id,
            len: 0,
            class,
            maxspeed_kmh: None,
            oneway: Oneway::No,
        });
    }

    /// Each block's part numbers the classes it meets; appended, the
    /// roads keep their own class, whatever the order the parts met them.
    #[test]
    fn road_classes_are_kept_across_parts() {
        let (mut a, mut b) = (WayPass::default(), WayPass::default());
        for (id, class) in [(1, "residential"), (2, "x1"), (3, "residential")] {
            road(&mut a, id, class);
        }
        for (id, class) in [(4, "x1"), (5, "primary"), (6, "x2")] {
            road(&mut b, id, class);
        }
        let mut all = WayPass::default();
        all.append(a);
        all.append(b);
        let names: Vec<&str> = all
            .roads
            .iter()
            .map(|r| all.classes[r.class as usize].as_str())
            .collect();
        assert_eq!(names, ["residential", "x1", "residential", "x1", "primary", "x2"]);
        assert_eq!(all.classes.len(), 4);
    }

    /// A crafted file may give each road a class of its own (the last
    /// `highway` tag of a way need not be a listed one): each numbered in
    /// the order met and found again (by hash: a list walked for each road
    /// would take quadratic time on such a file).
    #[test]
    fn a_class_per_road_is_numbered_in_order() {
        let mut part = WayPass::default();
        for i in 0..100_000u32 {
            assert_eq!(part.class_of(&format!("h{i}")), i);
        }
        assert_eq!(part.class_of("h5"), 5);
        assert_eq!(part.class_of("h99999"), 99_999);
        assert_eq!(part.classes.len(), 100_000);
    }
}
