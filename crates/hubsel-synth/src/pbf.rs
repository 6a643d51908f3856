//! An OpenStreetMap PBF encoder: the messages of `fileformat.proto` and
//! `osmformat.proto` that a writer needs, declared with `prost`'s derive
//! (no build script, no `protoc`), and blocks encoded and zlib-compressed
//! in parallel.
//!
//! A block is built from a [`BlockContent`]: dense nodes, ways or
//! relations, each with its own string table (index 0 the empty string, as
//! the format requires). Coordinates are in 1e-7 degree units, which is
//! the format's default granularity of 100 nanodegrees, with no offset.
//! Blocks are encoded independently, so [`encode_blocks`] runs them on the
//! rayon pool and writes them in order: the bytes do not depend on the
//! thread count.

use std::collections::HashMap;
use std::io::{self, Write};

use flate2::write::ZlibEncoder;
use flate2::Compression;
use prost::Message;
use rayon::prelude::*;

#[derive(Clone, PartialEq, Message)]
struct BlobHeader {
    #[prost(string, required, tag = "1")]
    kind: String,
    #[prost(int32, required, tag = "3")]
    datasize: i32,
}

#[derive(Clone, PartialEq, Message)]
struct Blob {
    #[prost(int32, optional, tag = "2")]
    raw_size: Option<i32>,
    #[prost(bytes = "vec", optional, tag = "3")]
    zlib_data: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct HeaderBBox {
    #[prost(sint64, required, tag = "1")]
    left: i64,
    #[prost(sint64, required, tag = "2")]
    right: i64,
    #[prost(sint64, required, tag = "3")]
    top: i64,
    #[prost(sint64, required, tag = "4")]
    bottom: i64,
}

#[derive(Clone, PartialEq, Message)]
struct HeaderBlock {
    #[prost(message, optional, tag = "1")]
    bbox: Option<HeaderBBox>,
    #[prost(string, repeated, tag = "4")]
    required_features: Vec<String>,
    #[prost(string, repeated, tag = "5")]
    optional_features: Vec<String>,
    #[prost(string, optional, tag = "16")]
    writingprogram: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct StringTable {
    #[prost(bytes = "vec", repeated, tag = "1")]
    s: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct DenseNodes {
    #[prost(sint64, repeated, packed = "true", tag = "1")]
    id: Vec<i64>,
    #[prost(sint64, repeated, packed = "true", tag = "8")]
    lat: Vec<i64>,
    #[prost(sint64, repeated, packed = "true", tag = "9")]
    lon: Vec<i64>,
    #[prost(int32, repeated, packed = "true", tag = "10")]
    keys_vals: Vec<i32>,
}

#[derive(Clone, PartialEq, Message)]
struct PbfWay {
    #[prost(int64, required, tag = "1")]
    id: i64,
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    keys: Vec<u32>,
    #[prost(uint32, repeated, packed = "true", tag = "3")]
    vals: Vec<u32>,
    #[prost(sint64, repeated, packed = "true", tag = "8")]
    refs: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
struct PbfRelation {
    #[prost(int64, required, tag = "1")]
    id: i64,
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    keys: Vec<u32>,
    #[prost(uint32, repeated, packed = "true", tag = "3")]
    vals: Vec<u32>,
    #[prost(int32, repeated, packed = "true", tag = "8")]
    roles_sid: Vec<i32>,
    #[prost(sint64, repeated, packed = "true", tag = "9")]
    memids: Vec<i64>,
    /// 0 node, 1 way, 2 relation.
    #[prost(int32, repeated, packed = "true", tag = "10")]
    types: Vec<i32>,
}

#[derive(Clone, PartialEq, Message)]
struct PrimitiveGroup {
    #[prost(message, optional, tag = "2")]
    dense: Option<DenseNodes>,
    #[prost(message, repeated, tag = "3")]
    ways: Vec<PbfWay>,
    #[prost(message, repeated, tag = "4")]
    relations: Vec<PbfRelation>,
}

#[derive(Clone, PartialEq, Message)]
struct PrimitiveBlock {
    #[prost(message, required, tag = "1")]
    stringtable: StringTable,
    #[prost(message, repeated, tag = "2")]
    primitivegroup: Vec<PrimitiveGroup>,
}

/// Tags of one object: key, value.
pub type TagList<'a> = Vec<(&'a str, String)>;

/// A node to write: id, `[lon, lat]` in 1e-7 degrees, tags.
pub struct NodeOut<'a> {
    pub id: i64,
    pub at: [i32; 2],
    pub tags: TagList<'a>,
}

/// A way to write.
pub struct WayOut<'a> {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: TagList<'a>,
}

/// A relation to write: its members are ways, each with a role.
pub struct RelationOut<'a> {
    pub id: i64,
    pub members: Vec<(i64, &'a str)>,
    pub tags: TagList<'a>,
}

/// The objects of one block, all of one kind.
pub enum BlockContent<'a> {
    Nodes(Vec<NodeOut<'a>>),
    Ways(Vec<WayOut<'a>>),
    Relations(Vec<RelationOut<'a>>),
}

/// A block's string table, in order of first use.
#[derive(Default)]
struct Strings {
    index: HashMap<String, u32>,
    list: Vec<Vec<u8>>,
}

impl Strings {
    fn new() -> Self {
        let mut s = Strings::default();
        s.id("");
        s
    }

    fn id(&mut self, text: &str) -> u32 {
        if let Some(i) = self.index.get(text) {
            return *i;
        }
        let i = self.list.len() as u32;
        self.index.insert(text.to_string(), i);
        self.list.push(text.as_bytes().to_vec());
        i
    }
}

/// Delta-codes a sequence.
fn deltas(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut last = 0;
    values
        .map(|v| {
            let d = v - last;
            last = v;
            d
        })
        .collect()
}

fn dense_group(nodes: &[NodeOut<'_>], strings: &mut Strings) -> PrimitiveGroup {
    let mut keys_vals = Vec::new();
    for n in nodes {
        for (k, v) in &n.tags {
            keys_vals.push(strings.id(k) as i32);
            keys_vals.push(strings.id(v) as i32);
        }
        keys_vals.push(0);
    }
    let dense = DenseNodes {
        id: deltas(nodes.iter().map(|n| n.id)),
        lat: deltas(nodes.iter().map(|n| i64::from(n.at[1]))),
        lon: deltas(nodes.iter().map(|n| i64::from(n.at[0]))),
        keys_vals,
    };
    PrimitiveGroup {
        dense: Some(dense),
        ..Default::default()
    }
}

fn tag_ids(tags: &TagList<'_>, strings: &mut Strings) -> (Vec<u32>, Vec<u32>) {
    tags.iter().map(|(k, v)| (strings.id(k), strings.id(v))).unzip()
}

fn way_group(ways: &[WayOut<'_>], strings: &mut Strings) -> PrimitiveGroup {
    let ways = ways
        .iter()
        .map(|w| {
            let (keys, vals) = tag_ids(&w.tags, strings);
            PbfWay {
                id: w.id,
                keys,
                vals,
                refs: deltas(w.refs.iter().copied()),
            }
        })
        .collect();
    PrimitiveGroup {
        ways,
        ..Default::default()
    }
}

fn relation_group(relations: &[RelationOut<'_>], strings: &mut Strings) -> PrimitiveGroup {
    let relations = relations
        .iter()
        .map(|r| {
            let (keys, vals) = tag_ids(&r.tags, strings);
            PbfRelation {
                id: r.id,
                keys,
                vals,
                roles_sid: r.members.iter().map(|m| strings.id(m.1) as i32).collect(),
                memids: deltas(r.members.iter().map(|m| m.0)),
                types: vec![1; r.members.len()],
            }
        })
        .collect();
    PrimitiveGroup {
        relations,
        ..Default::default()
    }
}

/// The framed blob of one message: header length, `BlobHeader`, `Blob`
/// with the zlib-compressed message.
fn framed(kind: &str, raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut z = ZlibEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::default());
    z.write_all(raw)?;
    let blob = Blob {
        raw_size: Some(raw.len() as i32),
        zlib_data: Some(z.finish()?),
    }
    .encode_to_vec();
    let header = BlobHeader {
        kind: kind.to_string(),
        datasize: blob.len() as i32,
    }
    .encode_to_vec();
    let mut out = Vec::with_capacity(4 + header.len() + blob.len());
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&blob);
    Ok(out)
}

/// One `OSMData` blob.
pub fn encode_block(content: &BlockContent<'_>) -> io::Result<Vec<u8>> {
    let mut strings = Strings::new();
    let group = match content {
        BlockContent::Nodes(n) => dense_group(n, &mut strings),
        BlockContent::Ways(w) => way_group(w, &mut strings),
        BlockContent::Relations(r) => relation_group(r, &mut strings),
    };
    let block = PrimitiveBlock {
        stringtable: StringTable { s: strings.list },
        primitivegroup: vec![group],
    };
    framed("OSMData", &block.encode_to_vec())
}

/// The `OSMHeader` blob: bounding box (`[lon, lat]` in 1e-7 degrees),
/// dense nodes, sorted by type then id.
pub fn encode_header(min: [i32; 2], max: [i32; 2]) -> io::Result<Vec<u8>> {
    let nano = |v: i32| i64::from(v) * 100;
    let header = HeaderBlock {
        bbox: Some(HeaderBBox {
            left: nano(min[0]),
            right: nano(max[0]),
            top: nano(max[1]),
            bottom: nano(min[1]),
        }),
        required_features: vec!["OsmSchema-V0.6".into(), "DenseNodes".into()],
        optional_features: vec!["Sort.Type_then_ID".into()],
        writingprogram: Some("hubsel-synth".into()),
    };
    framed("OSMHeader", &header.encode_to_vec())
}

/// Builds the blocks `0..count` with `make` and encodes them in parallel,
/// a batch at a time (so at most a batch of blocks is held), writing them
/// to `out` in order.
pub fn encode_blocks<'a, W: Write>(
    out: &mut W,
    count: usize,
    make: impl Fn(usize) -> BlockContent<'a> + Sync,
) -> io::Result<()> {
    const BATCH: usize = 64;
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let blobs: Vec<io::Result<Vec<u8>>> = (start..end)
            .into_par_iter()
            .map(|i| encode_block(&make(i)))
            .collect();
        for blob in blobs {
            out.write_all(&blob?)?;
        }
    }
    Ok(())
}
