//! # hubsel
//!
//! Picks a quality hub school for each district (one per school level, as
//! Thailand's "1 District 1 Quality School" policy asks), networks the
//! surrounding schools to it along the real road network, marks the schools
//! too remote to join as stand-alone, and writes GIS layers.
//!
//! This crate is hubsel's declared API: the items below are the whole of
//! it. The work is done by internal crates along the layers of
//! `ARCHITECTURE.md` (`hubsel-model`, `hubsel-io`, `hubsel-engine`,
//! `hubsel-output`); they are no API, and a program uses only this crate.
//!
//! ## The surface
//!
//! | need | items |
//! |---|---|
//! | a whole run | [`pipeline::run`]; or [`pipeline::prepare`] once and [`pipeline::finish`] per scenario; [`pipeline::check`] for the checks alone (`hubsel validate`) |
//! | the scenario and its problems | [`scenario::parse`] into a checked [`scenario::Config`]; [`error::Error`] lists every [`error::Problem`] at once |
//! | inputs and readers | [`io::load`] from [`io::InputSources`] (files or bytes) into [`model::Inputs`]; every format (CSV, spreadsheet, GeoJSON, Shapefile, GeoPackage, OSM PBF), chosen by the file's extension; bad rows become [`model::Rejects`]. (Each format's own readers, the road graph and the spatial indexes are internal: the fuzz targets, white-box harnesses, take them from the internal crates.) |
//! | the result | [`outcome::RunResult`]: school, hub, route and district outcomes |
//! | output | [`output::render`] (files as bytes) or [`output::write_run`] (a folder, atomically) |
//! | travel times | [`od::matrix`] between two point layers (`hubsel matrix`) |
//! | progress | the [`progress::Progress`] trait; [`progress::Silent`]; [`progress::Cancel`] |
//! | one district's problem | [`select::LevelProblem`] solved by [`select::solve_with`] (the Python `solve`) |
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

// The façade has no code of its own: every item is a documented re-export.
#![forbid(unsafe_code)]

/// Errors: one [`Error`](error::Error) with its kind, file, line, field and
/// typed problems.
pub mod error {
    pub use hubsel_model::error::{quote, Error, ErrorKind, Problem, Result};
}

/// Progress reports and cancellation: the library never prints.
pub mod progress {
    pub use hubsel_model::progress::{check_cancelled, Cancel, Progress, Silent, Stage};
}

/// The data model the readers produce: schools, districts, roads, rejects.
pub mod model {
    pub use hubsel_model::model::{
        Action, HubLevel, Inputs, Province, Rejects, School, SchoolId, PROVINCE_MARGIN_M,
    };
}

/// The readers: every input format into the [`model`], and the
/// format-neutral output table.
pub mod io {
    pub use hubsel_io::io::{
        district_provinces, load, load_with_progress, parse_decimal, read_file, InputSources, ReadOptions, Source,
        PROVINCE_NAME_FIELDS,
    };

    /// Coordinate reference systems: every input is reprojected to WGS 84.
    pub mod crs {
        pub use hubsel_io::io::crs::Crs;
    }
    /// School tables in CSV (comma, semicolon or tab separated).
    pub mod csv {
        pub use hubsel_io::io::csv::{read_schools, sniff_delimiter, Delimiter};
    }
    /// School tables in a spreadsheet workbook (`.xlsx`, `.xls`, `.ods`):
    /// the first worksheet, for the workbench's upload.
    pub mod xlsx {
        pub use hubsel_io::io::xlsx::{read_sheet, Sheet};
    }
    /// The school columns every tabular reader looks for.
    pub mod schools {
        pub use hubsel_io::io::schools::SchoolColumns;
    }
    /// GeoJSON: an output table as the text `hubsel run` writes.
    pub mod geojson {
        pub use hubsel_io::io::geojson::text;
    }
    /// ESRI Shapefiles: the DBF text encodings by the names people write
    /// (`--encoding cp874`).
    pub mod shapefile {
        pub use hubsel_io::io::shapefile::encoding_for_label;
    }
    /// The format-neutral table every output layer is built as.
    pub mod table {
        pub use hubsel_io::io::table::Layer;
    }
}

/// The embedded province (feature `fixture`): the CLI's default data set.
#[cfg(feature = "fixture")]
pub mod fixture {
    pub use hubsel_engine::fixture::{province, SCHOOLS_CSV};
}

/// The scenario file: parsed and checked into a [`Config`](scenario::Config),
/// every problem at once.
pub mod scenario {
    pub use hubsel_engine::scenario::{
        default_scenario, parse, AhpReport, Config, Criterion, GroupBy, Measure, StrategyKind, DEFAULT_SCENARIO,
        DEFAULT_SCENARIO_NAME, REGION_STRATEGIES,
    };
    /// Weights from a pairwise comparison matrix (AHP), as the workbench's
    /// weights dialog computes them.
    pub mod ahp {
        pub use hubsel_engine::scenario::ahp::ahp;
    }
    /// Each criterion's name and explanation in English and Thai (the
    /// workbench's and the report's labels).
    pub mod labels {
        pub use hubsel_engine::scenario::labels::{label, CriterionLabel};
    }
}

/// The inputs on the road network, prepared once for many scenarios.
pub mod network {
    pub use hubsel_engine::network::Prepared;
}

/// The stages in order: a whole run, or prepare once and finish per scenario.
pub mod pipeline {
    pub use hubsel_engine::pipeline::{check, finish, prepare, run, select};
}

/// What a run produces.
pub mod outcome {
    pub use hubsel_engine::outcome::{
        CheckReport, DistrictOutcome, HubOutcome, Role, RouteOutcome, RunResult, SchoolOutcome,
    };
}

/// Travel times between two point layers (`hubsel matrix`).
pub mod od {
    pub use hubsel_engine::od::{load, load_points, matrix, matrix_on, OdMatrix, OdPointsIn, OdSources};
}

/// One district's and level's selection problem and its solver.
pub mod select {
    pub use hubsel_engine::select::{solve_with, strategy, Candidate, LevelProblem, Method};

    /// The region-wide models (`group_by = "province" | "none"`): one
    /// group's problem on sparse candidate lists, its heuristics and bounds,
    /// for researchers who compare them (`examples/src/bin/region.rs`).
    pub mod region {
        pub use hubsel_engine::select::region::{solve_region_with, RegionMethod};
    }
    /// The groups of a prepared network, each solved by the region-wide model.
    pub mod grouped {
        pub use hubsel_engine::select::grouped::{solve_groups, Solved};
    }
}

/// A run's result to files: layers in every format, QGIS styles, the
/// report, summary and rejects.
pub mod output {
    pub use hubsel_output::output::{
        check_replaceable, rejects_csv, render, summary_json, write_files, write_folder, write_run, FolderKind, Format,
        Totals, WriteOptions,
    };
    /// A run's four layers as format-neutral tables (as GeoJSON text:
    /// [`io::geojson::text`](crate::io::geojson::text) of one).
    pub mod layers {
        pub use hubsel_output::output::layers::{districts, hubs, routes, schools};
    }
    /// The report's languages.
    pub mod words {
        pub use hubsel_output::output::words::Lang;
    }
}
