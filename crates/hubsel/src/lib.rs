pub mod error;
pub mod graph;
pub mod io;
pub mod model;
pub mod routing;
pub mod spatial;
pub mod validate;
