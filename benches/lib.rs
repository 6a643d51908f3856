//! Shared set-up for the benchmarks: the embedded province, loaded and
//! prepared up to the stage a benchmark measures.

use hubsel::graph::RoadGraph;
use hubsel::model::Inputs;
use hubsel::scenario::Config;

/// The default scenario and the embedded province's inputs.
pub fn province() -> (Config, Inputs) {
    let config = hubsel::scenario::parse(hubsel::fixture::DEFAULT_SCENARIO, "default").expect("the default scenario parses");
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &hubsel::io::ReadOptions::default()).expect("the fixture loads");
    (config, inputs)
}

/// The province's road graph.
pub fn province_graph() -> (Config, Inputs, RoadGraph) {
    let (config, inputs) = province();
    let graph = RoadGraph::build(&inputs.roads, &config.speeds);
    (config, inputs, graph)
}
