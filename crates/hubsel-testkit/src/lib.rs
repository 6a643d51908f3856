//! What hubsel's tests check it against, in a crate of its own that only
//! `[dev-dependencies]` name (the architecture test checks it):
//!
//! | module | what |
//! |---|---|
//! | [`reference`] | shortest travel times computed again from the raw roads: its own graph, snapping and Dijkstra, sharing no code with the engine (this crate does not depend on it) |
//! | [`shapefile`] | the model's schools, roads and districts written back as shapefiles, in a chosen coordinate system and DBF encoding (the readers' round-trip tests) |
//! | [`geojson`] | an output layer written the way the streaming GeoJSON writer replaced: each row a map of JSON values through `LayerWriter` |

pub mod geojson;
pub mod reference;
pub mod shapefile;
