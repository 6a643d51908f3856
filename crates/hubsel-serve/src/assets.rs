//! The page, compiled into the binary: nothing is read from disk or
//! fetched from the internet at run time. Leaflet comes from npm
//! (`web/package-lock.json`); `build.rs` installs it when missing.

pub const INDEX_HTML: &str = include_str!("../../../web/index.html");
pub const APP_JS: &str = include_str!("../../../web/app.js");
pub const DATA_JS: &str = include_str!("../../../web/data.js");
pub const APP_CSS: &str = include_str!("../../../web/app.css");
pub const LEAFLET_JS: &str = include_str!("../../../web/node_modules/leaflet/dist/leaflet.js");
pub const LEAFLET_CSS: &str = include_str!("../../../web/node_modules/leaflet/dist/leaflet.css");
