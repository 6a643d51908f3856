//! `hubsel serve`: the planner's workbench in the browser.
//!
//! The data are read and the travel times prepared once ([`Workbench`]);
//! each request from the page edits the scenario's TOML text
//! ([`edit`]), re-scores, re-selects and re-allocates on the cached
//! travel times ([`hubsel::pipeline::finish`]) and answers with the layers
//! `hubsel run` writes ([`view`]). The page (`web/`, Leaflet from npm) is
//! compiled in.
//!
//! Safety: [`bind`] listens on loopback unless given a token, which every
//! request must then carry; request bodies are limited
//! ([`http::BODY_LIMIT`]); every path is a fixed route, so no request
//! reads or writes a file; each request computes its own result.

mod assets;
pub mod edit;
pub mod http;
pub mod view;
pub mod workbench;

use std::net::SocketAddr;
use std::sync::Arc;

pub use workbench::{Scenario, Workbench};

/// Why the server would not start.
#[derive(Debug)]
pub enum BindError {
    /// A non-loopback address without a token.
    NeedsToken(SocketAddr),
    Io(std::io::Error),
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BindError::NeedsToken(a) => write!(
                f,
                "{a} is not a loopback address: other machines could reach it, so every request must carry a token"
            ),
            BindError::Io(e) => write!(f, "cannot listen: {e}"),
        }
    }
}

impl std::error::Error for BindError {}

/// A random token for a non-loopback server: 128 bits, hexadecimal.
pub fn new_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Listens on `addr`; refused for a non-loopback address without a token.
pub async fn bind(
    addr: SocketAddr,
    token: Option<&str>,
) -> Result<tokio::net::TcpListener, BindError> {
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(BindError::NeedsToken(addr));
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(BindError::Io)
}

/// Serves the workbench on `listener` until the process stops.
pub async fn serve(
    listener: tokio::net::TcpListener,
    workbench: Arc<Workbench>,
    token: Option<String>,
) -> std::io::Result<()> {
    axum::serve(listener, http::router(workbench, token)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_non_loopback_bind_without_a_token_is_refused() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
                let e = bind(addr.parse().unwrap(), None).await.unwrap_err();
                assert!(matches!(e, BindError::NeedsToken(_)), "{addr}: {e}");
            }
            assert!(bind("127.0.0.1:0".parse().unwrap(), None).await.is_ok());
            assert!(bind("0.0.0.0:0".parse().unwrap(), Some(&new_token()))
                .await
                .is_ok());
        });
        assert_ne!(new_token(), new_token());
    }
}
