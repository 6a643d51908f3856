//! # hubsel
//!
//! Picks a quality hub school for each district (one per school level, as
//! Thailand's "1 District 1 Quality School" policy asks), networks the
//! surrounding schools to it along the real road network, marks the schools
//! too remote to join as stand-alone, and writes GIS layers.
//!
//! ## The stages, in the order data flows
//!
//! Each stage has one home; a module uses only those above it in this
//! table (`ARCHITECTURE.md` has the full layer list, checked by a test).
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | load | [`io`] | schools (CSV, GeoJSON, Shapefile, GeoPackage, OSM PBF), roads and districts (GeoJSON, Shapefile, GeoPackage, OSM PBF) into the [`model`], reprojected to WGS 84 ([`io::crs`]), DBF text decoded (cp874 …); bad rows become rejects ([`model::Rejects`]) |
//! | validate | [`validate`] | duplicate ids, unknown districts, points outside every district ([`spatial::DistrictIndex`]) |
//! | road graph | [`graph`] | roads split at shared vertices, degree-2 chains contracted, one-way rules, speeds per class, weak and strong components |
//! | snap | [`spatial::SnapIndex`] | nearest point on the nearest road segment, past small fragments |
//! | network checks | [`network`] | far snaps, road islands, one-way traps ([`network::check_network`], what `hubsel validate` reports) |
//! | travel times | [`routing`] | bounded reverse Dijkstra per hub candidate on per-thread search spaces ([`routing::matrix`]); cross-district reach ([`routing::reach`]); [`routing::reference`] is the independent check |
//! | matrix | [`od`] | travel times between two point layers (`hubsel matrix`): every origin to every destination, door to door, read and snapped as schools are ([`routing::od`]) |
//! | scenario | [`scenario`] | the scenario file into a checked [`scenario::Config`], fitted to the data; candidate eligibility; AHP weights |
//! | score | [`score`] | criteria normalised among competing candidates, access measures from travel times |
//! | select | [`select`] | seven strategies behind one trait, exact by enumeration where small; [`select::district`] is one district's problem |
//! | allocate | [`allocate`] | members to the nearest hub of their level, with capacities; stand-alone with a reason; routes ([`allocate::run`]) |
//! | figures | [`outcome`], [`figures`] | the run's result types; weighted district and access figures |
//! | write | [`output`] | the run's layers as format-neutral tables ([`io::table`]), written by the [`io`] writers in GeoJSON (RFC 7946), Shapefile, FlatGeobuf or one GeoPackage (with attribute tables and the styles inside, [`io::gpkg`]); QGIS styles, `report.html`, summary, rejects; atomically |
//!
//! [`pipeline`] calls the stages in order ([`pipeline::run`], or
//! [`pipeline::prepare`] once and [`pipeline::finish`] per scenario);
//! [`progress`] hears about them; [`compare`] and [`bench`](mod@bench) read and
//! compare runs; `fixture` embeds the default province (feature
//! `fixture`). Synthetic data sets come from the `hubsel-synth` crate.
//!
//! ## A whole run on the embedded province
//!
//! ```
//! use hubsel::{fixture, io, pipeline, progress, scenario};
//!
//! let config = scenario::parse(scenario::DEFAULT_SCENARIO, "default.toml")?;
//! let inputs = io::load(&fixture::province(), &io::ReadOptions::default())?;
//! let result = pipeline::run(inputs, &config, &progress::Silent)?;
//!
//! // 25 districts; every school has exactly one outcome.
//! assert_eq!(result.districts.len(), 25);
//! assert_eq!(result.schools.len(), 687);
//! // One primary hub per district (one district lacks a secondary candidate).
//! let primary = result.hubs.iter().filter(|h| h.level == hubsel::model::HubLevel::Primary).count();
//! assert_eq!(primary, 25);
//! # Ok::<(), hubsel::error::Error>(())
//! ```

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

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
pub mod network;
pub mod od;
pub mod outcome;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod routing;
pub mod scenario;
pub mod score;
pub mod select;
pub mod spatial;
pub mod validate;
