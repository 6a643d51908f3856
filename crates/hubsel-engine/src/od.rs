//! Travel between two point layers along the roads, every origin to every
//! destination, door to door (`hubsel matrix`, and the QGIS plugin's
//! travel-time matrix).
//!
//! The points are read by the schools' readers ([`io::load`]), so every
//! format, column flag and coordinate system a school file may have works
//! here too, and a bad row is refused for the same reasons. A trip is
//! measured exactly as a member school's trip to its hub: the off-road
//! leg at each end at the scenario's `offroad_speed_kmh`, the roads at its
//! speeds, with its snapping rules (`max_snap_m`, small fragments). The
//! searches are [`routing::od`](crate::routing::od)'s.
//!
//! ```
//! use hubsel_engine::{fixture, io, od, progress, scenario};
//!
//! // Every school of the province to a few of them, within an hour.
//! let province = fixture::province();
//! let sources = od::OdSources {
//!     origins: province.schools,
//!     destinations: province.schools,
//!     roads: province.roads,
//! };
//! let mut inputs = od::load(&sources, &io::ReadOptions::default())?;
//! inputs.destinations.truncate(3);
//! let config = scenario::default_scenario()?;
//! let matrix = od::matrix(inputs, &config, 60.0, &progress::Silent)?;
//! assert_eq!(matrix.times.trips.len(), 687 * 3);
//! // A school's trip to itself is its off-road legs only.
//! assert_eq!(matrix.times.trip(0, 0).map(|t| t.road_m), Some(0.0));
//! # Ok::<(), hubsel_engine::error::Error>(())
//! ```

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::RoadGraph;
use crate::io::{self, InputSources, ReadOptions, Source};
use crate::model::{Action, Level, Reason, Rejects, Road, School, SourceRef};
use crate::progress::{check_cancelled, timed, Progress, Stage};
use crate::routing::od::{od_times_until, OdPoints, OdTimes};
use crate::scenario::Config;
use crate::spatial::{Snap, SnapIndex, SnapRule};

/// The three inputs of a matrix. Origins and destinations may be the same
/// file; an OpenStreetMap extract may give the roads and the points.
#[derive(Clone, Copy, Debug)]
pub struct OdSources<'a> {
    pub origins: Source<'a>,
    pub destinations: Source<'a>,
    pub roads: Source<'a>,
}

/// What a matrix is computed from: the usable points of each side, in
/// input order, the roads, and the rows refused while reading.
#[derive(Clone, Debug, Default)]
pub struct OdInputs {
    pub origins: Vec<School>,
    pub destinations: Vec<School>,
    pub roads: Vec<Road>,
    pub rejects: Rejects,
    pub notes: Vec<String>,
}

/// The schools' readers place points inside the districts' extent (their
/// swapped-coordinates check): a matrix has no districts, so they are
/// given one around the whole world.
const WORLD: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"world","name":"world"},"geometry":{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}}]}"#;
/// The roads are read once, with the origins.
const NO_ROADS: &str = r#"{"type":"FeatureCollection","features":[]}"#;

/// Reads the origins (with the roads) and the destinations. A point needs
/// an id and a position; its level column may be blank (the matrix does
/// not use it), and other columns are ignored. A later row with an id
/// already seen on its side is refused. No usable point on a side is a
/// run-level error.
pub fn load(sources: &OdSources<'_>, options: &ReadOptions) -> Result<OdInputs> {
    let first = read_points(sources.origins, sources.roads, options)?;
    let mut options = options.clone();
    options.road_fields.given.clear();
    let second = read_points(sources.destinations, no_roads(), &options)?;
    let mut rejects = first.rejects;
    rejects.rows.extend(second.rejects.rows);
    let origins = distinct(first.schools, &mut rejects);
    let destinations = distinct(second.schools, &mut rejects);
    for (points, source) in [
        (&origins, &sources.origins),
        (&destinations, &sources.destinations),
    ] {
        if points.is_empty() {
            return Err(Error::new(ErrorKind::Input, "no usable point").in_file(source.name()));
        }
    }
    Ok(OdInputs {
        origins,
        destinations,
        roads: first.roads,
        rejects,
        notes: first.notes,
    })
}

/// Reads one layer of points as [`load`] reads each side, without roads:
/// the usable points with distinct ids, in input order, and the rows
/// refused. For a matrix on a road graph built earlier ([`matrix_on`]).
pub fn load_points(points: Source<'_>, options: &ReadOptions) -> Result<(Vec<School>, Rejects)> {
    let mut options = options.clone();
    options.road_fields.given.clear();
    let read = read_points(points, no_roads(), &options)?;
    let mut rejects = read.rejects;
    let points_read = distinct(read.schools, &mut rejects);
    if points_read.is_empty() {
        return Err(Error::new(ErrorKind::Input, "no usable point").in_file(points.name()));
    }
    Ok((points_read, rejects))
}

/// An empty road layer, for the side read without roads.
fn no_roads() -> Source<'static> {
    Source::Bytes {
        name: "(no roads).geojson",
        bytes: NO_ROADS.as_bytes(),
    }
}

/// One layer of points read by the schools' readers, inside the whole
/// world, with `roads`.
fn read_points(
    points: Source<'_>,
    roads: Source<'_>,
    options: &ReadOptions,
) -> Result<crate::model::Inputs> {
    let world = Source::Bytes {
        name: "(the whole world).geojson",
        bytes: WORLD.as_bytes(),
    };
    let mut options = options.clone();
    options.district_fields = io::geojson::DistrictFields::default();
    options
        .school_columns
        .level_values
        .entry(String::new())
        .or_insert(Level::Both);
    io::load(
        &InputSources {
            schools: points,
            roads,
            districts: world,
        },
        &options,
    )
}

/// The points with distinct ids: the first row of an id is kept, later
/// ones are refused naming it.
fn distinct(points: Vec<School>, rejects: &mut Rejects) -> Vec<School> {
    let mut first: BTreeMap<String, SourceRef> = BTreeMap::new();
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        if let Some(seen) = first.get(&p.id.0) {
            let reason = Reason::DuplicatePoint {
                file: seen.file.clone(),
                line: seen.line,
            };
            rejects.push(&p.source, &p.id.0, "id", reason, Action::Refused);
            continue;
        }
        first.insert(p.id.0.clone(), p.source.clone());
        out.push(p);
    }
    out
}

/// One origin or destination as the matrix has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    /// Metres from the point to its snap point; `None` without any road.
    pub offroad_m: Option<f64>,
    /// Within `max_snap_m` of a road: points off the network have no trips.
    pub on_network: bool,
}

/// The matrix: endpoints in input order and every trip.
#[derive(Clone, Debug)]
pub struct OdMatrix {
    pub origins: Vec<Endpoint>,
    pub destinations: Vec<Endpoint>,
    /// Trips up to `cutoff_min`; `None` beyond it or without a road.
    pub times: OdTimes,
    pub cutoff_min: f64,
    /// Rows refused while reading, and points flagged off the network.
    pub rejects: Rejects,
    pub notes: Vec<String>,
    /// Junctions and links of the road graph.
    pub graph_nodes: usize,
    pub graph_links: usize,
}

/// Each point's place on the network, in parallel.
fn snap_all(
    graph: &RoadGraph,
    points: &[School],
    rule: &SnapRule,
    progress: &dyn Progress,
) -> Vec<Option<Snap>> {
    let index = SnapIndex::new(graph);
    points
        .par_iter()
        .map(|p| {
            let placed = index.place(graph, p.lon, p.lat, rule).map(|p| p.snap);
            progress.advance(1);
            placed
        })
        .collect()
}

/// The endpoints of one side, flagging points off the network.
fn endpoints(
    points: &[School],
    snaps: &[Option<Snap>],
    config: &Config,
    rejects: &mut Rejects,
) -> Vec<Endpoint> {
    points
        .iter()
        .zip(snaps)
        .map(|(p, snap)| {
            let offroad_m = snap.map(|s| s.offroad_m);
            let on_network = offroad_m.is_some_and(|m| m <= config.max_snap_m);
            if let (false, Some(m)) = (on_network, offroad_m) {
                let reason = Reason::PointFarFromRoad {
                    offroad_m: m,
                    max_snap_m: config.max_snap_m,
                };
                rejects.push(&p.source, &p.id.0, "geometry", reason, Action::Flagged);
            }
            Endpoint {
                id: p.id.0.clone(),
                name: p.name.clone(),
                offroad_m,
                on_network,
            }
        })
        .collect()
}

/// The searches' view of one side: snaps on the network and off-road seconds.
fn od_points<'a>(ends: &[Endpoint], snaps: &'a [Option<Snap>], config: &Config) -> OdPoints<'a> {
    let offroad_s_per_m = 3.6 / config.offroad_speed_kmh;
    OdPoints {
        snaps: ends
            .iter()
            .zip(snaps)
            .map(|(e, s)| s.as_ref().filter(|_| e.on_network))
            .collect(),
        offroad_s: ends
            .iter()
            .map(|e| e.offroad_m.unwrap_or(0.0) * offroad_s_per_m)
            .collect(),
    }
}

/// Every origin's trip to every destination, within `cutoff_min` minutes
/// door to door, on the scenario's speeds, off-road speed and snapping.
pub fn matrix(
    inputs: OdInputs,
    config: &Config,
    cutoff_min: f64,
    progress: &dyn Progress,
) -> Result<OdMatrix> {
    if inputs.roads.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            "no usable road line in the road input",
        ));
    }
    check_cancelled(progress)?;
    let mut stages = Vec::new();
    let graph = timed(progress, &mut stages, Stage::Graph, 0, || {
        RoadGraph::build(&inputs.roads, &config.speeds)
    });
    let points = OdPointsIn {
        origins: &inputs.origins,
        destinations: &inputs.destinations,
        rejects: inputs.rejects,
        notes: inputs.notes,
    };
    matrix_on(&graph, points, config, cutoff_min, progress)
}

/// The points of a matrix on a road graph built earlier: each side in
/// input order, with the rows refused while reading them.
#[derive(Clone, Debug)]
pub struct OdPointsIn<'a> {
    pub origins: &'a [School],
    pub destinations: &'a [School],
    pub rejects: Rejects,
    pub notes: Vec<String>,
}

/// [`matrix`] on a road graph built earlier (one built with the same
/// scenario's speeds gives the same trips): snaps both sides with the
/// scenario's rules, flags points off the network, runs the searches.
/// Stops with [`ErrorKind::Cancelled`] once `progress` is cancelled
/// (asked before snapping and before each destination's search).
pub fn matrix_on(
    graph: &RoadGraph,
    points: OdPointsIn<'_>,
    config: &Config,
    cutoff_min: f64,
    progress: &dyn Progress,
) -> Result<OdMatrix> {
    check_cancelled(progress)?;
    let mut stages = Vec::new();
    let rule = SnapRule {
        max_snap_m: config.max_snap_m,
        small_component_junctions: config.small_component_junctions,
    };
    let count = points.origins.len() + points.destinations.len();
    let (o_snaps, d_snaps) = timed(progress, &mut stages, Stage::Snap, count as u64, || {
        (
            snap_all(graph, points.origins, &rule, progress),
            snap_all(graph, points.destinations, &rule, progress),
        )
    });
    let mut rejects = points.rejects;
    let origins = endpoints(points.origins, &o_snaps, config, &mut rejects);
    let destinations = endpoints(points.destinations, &d_snaps, config, &mut rejects);
    let (from, to) = (
        od_points(&origins, &o_snaps, config),
        od_points(&destinations, &d_snaps, config),
    );
    let searches = destinations.len() as u64;
    check_cancelled(progress)?;
    let times = timed(progress, &mut stages, Stage::Travel, searches, || {
        od_times_until(
            graph,
            &from,
            &to,
            cutoff_min * 60.0,
            &|| progress.advance(1),
            &|| progress.cancelled(),
        )
    })
    .ok_or_else(Error::cancelled)?;
    Ok(OdMatrix {
        origins,
        destinations,
        times,
        cutoff_min,
        rejects,
        notes: points.notes,
        graph_nodes: graph.node_count(),
        graph_links: graph.links.len(),
    })
}

impl OdMatrix {
    /// `matrix.csv`: `origin_id,destination_id,travel_min,road_km`, one
    /// row per pair, origins in input order, then destinations; minutes
    /// door to door with 3 decimals and road kilometres with 4, as a run's
    /// layers have them, both blank when there is no trip within the
    /// cutoff.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(["origin_id", "destination_id", "travel_min", "road_km"]);
        for (o, origin) in self.origins.iter().enumerate() {
            for (d, destination) in self.destinations.iter().enumerate() {
                let (minutes, km) = match self.times.trip(o, d) {
                    Some(t) => (
                        format!("{:.3}", t.travel_s / 60.0),
                        format!("{:.4}", t.road_m / 1000.0),
                    ),
                    None => (String::new(), String::new()),
                };
                let _ = crate::model::write_safe_record(&mut w, [&origin.id, &destination.id, &minutes, &km]);
            }
        }
        w.into_inner()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Pairs with a trip within the cutoff.
    pub fn reached(&self) -> usize {
        self.times.trips.iter().filter(|t| t.is_some()).count()
    }
}
