//! # hubsel
//!
//! Picks a quality hub school for each district (one per school level, as
//! Thailand's "1 District 1 Quality School" policy asks), networks the
//! surrounding schools to it along the real road network, marks the schools
//! too remote to join as stand-alone, and writes GIS layers.
//!
//! ## The stages, in the order data flows
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | load | [`io`] | schools (CSV, GeoJSON, Shapefile, OSM PBF), roads and districts (GeoJSON, Shapefile, OSM PBF) into the [`model`], reprojected to WGS 84 ([`io::crs`]), DBF text decoded (cp874 …); bad rows become rejects |
//! | validate | [`validate`] | duplicate ids, unknown districts, points outside every district; [`spatial::DistrictIndex`] finds a school's district by point in polygon; [`pipeline::check`] adds far snaps and road islands, without selecting |
//! | road graph | [`graph`] | roads split at shared vertices, degree-2 chains contracted, one-way rules, speeds per class, components |
//! | snap | [`spatial::SnapIndex`] | nearest point on the nearest road segment (not just the nearest vertex) |
//! | travel times | [`routing`] | bounded reverse Dijkstra per hub candidate, in parallel; [`routing::reference`] is the plain check |
//! | score | [`score`] | criteria normalised among competing candidates, access measures from travel times |
//! | select | [`select`] | seven strategies behind one trait, exact by enumeration where small |
//! | allocate | [`allocate`] | members to the nearest hub of their level; stand-alone with a reason |
//! | write | [`output`] | the run's layers as format-neutral tables ([`io::table`]), written by the [`io`] writers in GeoJSON (RFC 7946), Shapefile or FlatGeobuf; QGIS styles, `report.html`, summary, rejects; atomically |
//!
//! [`scenario`] turns the scenario file into a checked [`scenario::Config`];
//! [`pipeline::run`] calls the stages in order; [`synth`] generates the
//! synthetic data sets; [`fixture`] embeds the default one.
//!
//! ## A whole run on the embedded province
//!
//! ```
//! use hubsel::{fixture, io, pipeline, scenario};
//!
//! let config = scenario::parse(scenario::DEFAULT_SCENARIO, "default.toml")?;
//! let inputs = io::load(&fixture::province(), &io::ReadOptions::default())?;
//! let result = pipeline::run(inputs, &config, &pipeline::Silent)?;
//!
//! // 25 districts; every school has exactly one outcome.
//! assert_eq!(result.districts.len(), 25);
//! assert_eq!(result.schools.len(), 687);
//! // One primary hub per district (one district lacks a secondary candidate).
//! let primary = result.hubs.iter().filter(|h| h.level == hubsel::model::HubLevel::Primary).count();
//! assert_eq!(primary, 25);
//! # Ok::<(), hubsel::error::Error>(())
//! ```

pub mod allocate;
pub mod bench;
pub mod compare;
pub mod error;
pub mod figures;
#[cfg(feature = "fixture")]
pub mod fixture;
pub mod graph;
pub mod io;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod routing;
pub mod scenario;
pub mod score;
pub mod select;
pub mod spatial;
pub mod validate;
