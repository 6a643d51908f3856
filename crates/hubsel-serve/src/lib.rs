//! `hubsel serve`: the planner's workbench in the browser.
//!
//! The data are read and the travel times prepared once ([`Workbench`]);
//! each request from the page edits the scenario's TOML text
//! ([`edit`]), re-scores, re-selects and re-allocates on the cached
//! travel times ([`hubsel::pipeline::finish`]) and answers with the layers
//! `hubsel run` writes ([`view`]). The page (`web/`, Leaflet from npm) is
//! compiled in.
//!
//! Safety (the threat model is the web's, see the README's Security
//! section): [`bind`] listens on loopback unless given a token, which every
//! request must then carry; only a `Host` naming the server is answered
//! (DNS rebinding), every `/api` route is same-origin only (`Origin`,
//! `Sec-Fetch-Site`) and takes JSON only as `application/json` (no
//! preflight-free cross-site POST); request bodies are limited
//! ([`http::BODY_LIMIT`]) and must arrive in time; headers must arrive
//! within [`Options::header_timeout`], idle connections close after it;
//! computations are limited ([`Options::max_runs`], then 503 with
//! `Retry-After`) and stop when their client goes away; every path is a
//! fixed route, and no answer names a server path; the one place a
//! request writes is the session folder of the uploads ([`upload`],
//! [`session`]), under names the server chooses, within its budgets.

mod assets;
mod data;
pub mod edit;
pub mod http;
pub mod session;
pub mod upload;
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

/// The server's budgets and the names it answers to.
#[derive(Clone, Debug)]
pub struct Options {
    /// The token every request must carry (a non-loopback server).
    pub token: Option<String>,
    /// Host names (with or without `:port`) answered besides the bound
    /// address and `localhost` (`--allow-host`).
    pub allow_hosts: Vec<String>,
    /// Time for a request's headers to arrive, and for an idle kept-alive
    /// connection to send its next request, before it is closed.
    pub header_timeout: std::time::Duration,
    /// Time for a request's body to arrive once its headers have.
    pub body_timeout: std::time::Duration,
    /// Computations run at once (default: the cores).
    pub max_runs: usize,
    /// Requests waiting for a computation slot beyond `max_runs`; more
    /// get 503 at once.
    pub queue: usize,
    /// Time a request waits for a slot before it gets 503.
    pub queue_wait: std::time::Duration,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// The budgets of the planner's uploads.
    pub upload_limits: upload::Limits,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            token: None,
            allow_hosts: Vec::new(),
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(30),
            max_runs: std::thread::available_parallelism().map_or(2, usize::from),
            queue: 32,
            queue_wait: std::time::Duration::from_secs(30),
            max_connections: 256,
            upload_limits: upload::Limits::default(),
        }
    }
}

/// Serves the workbench on `listener` until the process stops: HTTP/1.1,
/// one task per connection, headers read within
/// [`Options::header_timeout`] (also the idle time of a kept-alive
/// connection). `hosts` are the `Host` values the bound address answers
/// to (see [`http::Hosts`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    workbench: Arc<Workbench>,
    options: Options,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let hosts = http::Hosts::of(local, &options.allow_hosts);
    let app = http::router(workbench, hosts, &options);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true);
    let connections = Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    loop {
        let Ok(permit) = Arc::clone(&connections).acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors, a connection reset before accept, …:
            // the listener is still good; wait a little and go on.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        tokio::spawn(async move {
            // A client that goes away mid-request ends the connection: its
            // handler is dropped, which cancels its computation.
            let _ = connection.await;
            drop(permit);
        });
    }
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
