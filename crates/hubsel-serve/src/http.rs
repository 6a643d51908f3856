//! The routes. Every path is a fixed name: the server reads no file on a
//! request (the page is compiled in, the data were read at start), so no
//! path can reach outside; anything else is 404.
//!
//! Every request first passes [`guard`]: its `Host` must name the server
//! ([`Hosts`], else 421: DNS rebinding), it must carry the token when
//! there is one (401), and on `/api` it must come from the page itself
//! (`Origin`, `Sec-Fetch-Site`, else 403), with a JSON body as
//! `application/json` (else 415, so that no cross-site form or
//! `text/plain` fetch gets through without a CORS preflight), arriving
//! within [`crate::Options::body_timeout`] (else 408). Computations take a
//! slot ([`Slots`], else 503 with `Retry-After`) and are cancelled when
//! their client goes away ([`compute`]).

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hubsel::error::{Error, ErrorKind};
use hubsel::output::Format;
use hubsel::progress::Cancel;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::limit::RequestBodyLimitLayer;

use crate::edit::{apply, Edits};
use crate::view::{district_routes, error_json, run_json};
use crate::workbench::{Scenario, Workbench};

/// The largest request body accepted: a scenario is a few kilobytes.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The name of the cookie (and query parameter) that carries the token.
const TOKEN_NAME: &str = "hubsel_token";

/// Seconds a client told 503 (busy) is asked to wait before trying again.
const RETRY_AFTER_S: u32 = 2;

pub(crate) struct AppState {
    /// The workbench the requests run on; replaced when the planner
    /// loads their own data (`/api/load`).
    workbench: std::sync::RwLock<Arc<Workbench>>,
    token: Option<String>,
    hosts: Hosts,
    slots: Slots,
    pub(crate) body_timeout: Duration,
    /// The uploads' folder ([`crate::session`]).
    pub(crate) session: crate::session::Session,
    /// The `hubsel run` command that reads the loaded uploads as the
    /// workbench did (empty before a load).
    pub(crate) command: std::sync::Mutex<String>,
}

impl AppState {
    /// The workbench now.
    pub(crate) fn workbench(&self) -> Arc<Workbench> {
        Arc::clone(&self.workbench.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Runs every later request on `workbench` (the planner's data).
    pub(crate) fn replace(&self, workbench: Workbench, command: String) {
        *self.workbench.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(workbench);
        *self.command.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = command;
    }
}

/// The `Host` values the server answers to: its bound address (any IP
/// address of the machine when bound to all of them: an address cannot be
/// rebound by DNS, a name can), `localhost`, and the names given by
/// `--allow-host`, each with the bound port (without it on port 80, as
/// browsers send it) unless given with its own (`NAME:PORT`, the port a
/// reverse proxy is reached at). Compared without case.
#[derive(Clone, Debug)]
pub struct Hosts {
    bound: SocketAddr,
    names: Vec<String>,
}

impl Hosts {
    /// The hosts of a server listening on `bound`, with the extra `names`
    /// (`NAME` or `NAME:PORT`).
    pub fn of(bound: SocketAddr, names: &[String]) -> Hosts {
        let port = bound.port();
        let mut all = vec![format!("localhost:{port}")];
        for n in names {
            let n = n.trim().to_ascii_lowercase();
            if n.is_empty() {
                continue;
            }
            match split_host(&n) {
                (_, Some(_)) => all.push(n),
                (_, None) => all.push(format!("{n}:{port}")),
            }
        }
        Hosts { bound, names: all }
    }

    /// Whether a request with this `Host` header is for this server.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        // A name given with its port (`--allow-host NAME:PORT`, a proxy's).
        if self.names.contains(&host) {
            return true;
        }
        let port = self.bound.port();
        let (name, given_port) = split_host(&host);
        let Some(given_port) = given_port.or((port == 80).then_some(80)) else {
            return false;
        };
        if given_port != port {
            return false;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return ip == self.bound.ip() || self.bound.ip().is_unspecified();
        }
        let with_port = format!("{name}:{port}");
        self.names.contains(&with_port)
    }
}

/// `host[:port]` → (host, port); an IPv6 address in brackets keeps them.
/// A port that is not a number is `Some(0)` (no server listens on 0).
fn split_host(host: &str) -> (&str, Option<u16>) {
    let (name, port) = if host.starts_with('[') {
        match host.find(']') {
            Some(end) => (&host[..=end], host[end + 1..].strip_prefix(':')),
            None => (host, None),
        }
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    (name, port.map(|p| p.parse().unwrap_or(0)))
}

/// The computation slots: `max_runs` at once, `queue` more waiting up to
/// `wait` each; beyond, 503 with `Retry-After`.
struct Slots {
    runs: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
}

/// One request counted as waiting until dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Slots {
    /// A slot for one computation, held until it stops.
    async fn take(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        if let Ok(p) = Arc::clone(&self.runs).try_acquire_owned() {
            return Ok(p);
        }
        let ahead = self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        if ahead >= self.queue {
            return Err(busy());
        }
        match tokio::time::timeout(self.wait, Arc::clone(&self.runs).acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(busy()),
        }
    }
}

fn busy() -> Refusal {
    Refusal {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body: json!({"error": format!("the workbench is busy with other runs: try again in {RETRY_AFTER_S} s")}),
        retry_after: true,
    }
}

/// The workbench's routes over `workbench`, answering requests for
/// `hosts`; with a token (`options`), every request must carry it (query
/// `hubsel_token=…`, header `x-hubsel-token`, or the cookie the page gets
/// when opened with the query).
pub fn router(workbench: Arc<Workbench>, hosts: Hosts, options: &crate::Options) -> Router {
    // The uploads' folder: a fresh temporary folder (if none can be made,
    // each upload says why it cannot be written).
    let session = crate::session::Session::new(options.upload_limits);
    let state = Arc::new(AppState {
        workbench: std::sync::RwLock::new(workbench),
        session,
        command: std::sync::Mutex::new(String::new()),
        token: options.token.clone(),
        hosts,
        slots: Slots {
            runs: Arc::new(Semaphore::new(options.max_runs.max(1))),
            waiting: AtomicUsize::new(0),
            queue: options.queue,
            wait: options.queue_wait,
        },
        body_timeout: options.body_timeout,
    });
    Router::new()
        .route("/", get(index))
        .route(
            "/app.js",
            get(|| asset("text/javascript; charset=utf-8", crate::assets::APP_JS)),
        )
        .route(
            "/app.css",
            get(|| asset("text/css; charset=utf-8", crate::assets::APP_CSS)),
        )
        .route(
            "/leaflet.js",
            get(|| asset("text/javascript; charset=utf-8", crate::assets::LEAFLET_JS)),
        )
        .route(
            "/leaflet.css",
            get(|| asset("text/css; charset=utf-8", crate::assets::LEAFLET_CSS)),
        )
        .route("/api/base", get(base))
        .route("/api/run", post(run))
        .route("/api/zip", post(zip))
        .route("/api/routes", post(routes))
        .route("/api/ahp", post(ahp))
        .route("/api/session", get(crate::data::session_state))
        .route("/api/inspect", post(crate::data::inspect))
        .route("/api/load", post(crate::data::load))
        .route("/api/progress", get(crate::data::progress))
        .route("/api/rejects", post(crate::data::rejects))
        .route(
            "/data.js",
            get(|| asset("text/javascript; charset=utf-8", crate::assets::DATA_JS)),
        )
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Uploads stream to disk within their own budget (crate::upload),
        // outside the JSON routes' body limit.
        .route("/api/upload/{role}", axum::routing::put(crate::data::upload_file))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"error": "not found"})),
            )
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

async fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

async fn index(headers: HeaderMap, State(state): State<Arc<AppState>>) -> Response {
    let mut response = asset("text/html; charset=utf-8", crate::assets::INDEX_HTML).await;
    // Opened with the token in the query: the page's own requests (its
    // scripts included) carry it as a cookie.
    if let Some(t) = &state.token {
        if token_in_cookie(&headers).as_deref() != Some(t.as_str()) {
            let cookie = format!("{TOKEN_NAME}={t}; Path=/; HttpOnly; SameSite=Strict");
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
        }
    }
    response
}

fn token_in_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == TOKEN_NAME)
        .map(|(_, v)| v.to_string())
}

fn token_in_query(uri: &axum::http::Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == TOKEN_NAME)
        .map(|(_, v)| v.to_string())
}

/// Equal without telling by its timing where the first difference is.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

/// What every request passes before any work: see the module's doc.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let Some(host) = host.filter(|h| state.hosts.allows(h)).map(str::to_string) else {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to its own address (Host); start hubsel serve with --allow-host NAME to use NAME",
        );
    };
    if let Some(t) = &state.token {
        let given = headers
            .get("x-hubsel-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| token_in_query(request.uri()))
            .or_else(|| token_in_cookie(headers));
        if !given.is_some_and(|g| same(&g, t)) {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "this server needs its token: open the address hubsel serve printed (…?hubsel_token=…)",
            );
        }
    }
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if let Err(why) = same_origin(headers, &host) {
        return refuse(StatusCode::FORBIDDEN, &why);
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    if !is_json(headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request's body must be JSON sent as Content-Type: application/json",
        );
    }
    let (parts, body) = request.into_parts();
    let body = match tokio::time::timeout(
        state.body_timeout,
        axum::body::to_bytes(body, BODY_LIMIT),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request's body is over {BODY_LIMIT} bytes or broken"),
            )
        }
        Err(_) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the request's body came too slowly",
            )
        }
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// A request of the page itself: its `Origin`, when sent, is this server
/// as the request names it (`http://` + its allowed `Host`), and its
/// `Sec-Fetch-Site`, when sent, is `same-origin` (or `none`: typed in the
/// address bar). A request with neither (curl, a script) passed the `Host`
/// check, which a browser page of another site cannot.
fn same_origin(headers: &HeaderMap, host: &str) -> Result<(), String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("").trim().to_ascii_lowercase();
        if site != "same-origin" && site != "none" {
            return Err(format!(
                "the workbench's API answers only its own page (Sec-Fetch-Site: {site})"
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("").trim();
        let own = format!("http://{host}");
        if !origin.eq_ignore_ascii_case(&own) {
            return Err(format!(
                "the workbench's API answers only its own page ({own}), not {origin:?}"
            ));
        }
    }
    Ok(())
}

/// `Content-Type: application/json`, with or without parameters
/// (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// The base scenario: its text and its file's name, never the folder it
/// is in on the server.
async fn base(State(state): State<Arc<AppState>>) -> Response {
    let b = state.workbench();
    let b = b.base();
    axum::Json(json!({"toml": b.text, "file": crate::workbench::public_name(&b.file)}))
        .into_response()
}

/// A run request: the scenario's text and file name (the base scenario
/// when absent) and the panel's edits to make in it first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    toml: Option<String>,
    file: Option<String>,
    #[serde(default)]
    edits: Edits,
    /// For `/api/routes`: the district whose routes to send.
    district: Option<String>,
}

/// A request refused: its status and the JSON saying why.
pub(crate) struct Refusal {
    status: StatusCode,
    body: Value,
    /// A 503: the client may try again after [`RETRY_AFTER_S`].
    retry_after: bool,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
        }
        response
    }
}

fn bad_request(message: String) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": message}),
        retry_after: false,
    }
}

fn unprocessable(e: &Error) -> Refusal {
    if e.kind() == ErrorKind::Cancelled {
        // Only a request whose client went away is cancelled: nobody reads this.
        return busy();
    }
    Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: error_json(e),
        retry_after: false,
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Refusal> {
    serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("the request is not the JSON expected: {e}")))
}

/// [`scenario_of`] for the other route modules.
pub(crate) fn scenario_for(state: &AppState, body: &Bytes) -> Result<Scenario, Refusal> {
    scenario_of(state, body)
}

/// [`compute`] for the other route modules.
pub(crate) async fn compute_for<T: Send + 'static>(
    state: &AppState,
    scenario: Scenario,
    then: impl FnOnce(&Scenario, hubsel::outcome::RunResult) -> Result<T, Error> + Send + 'static,
) -> Result<T, Refusal> {
    compute(state, scenario, then).await
}

/// The request's scenario with its edits made, or the response refusing it.
fn scenario_of(state: &AppState, body: &Bytes) -> Result<Scenario, Refusal> {
    scenario_of_request(state, parse_json(body)?)
}

fn scenario_of_request(state: &AppState, request: RunRequest) -> Result<Scenario, Refusal> {
    let wb = state.workbench();
    let base = wb.base();
    let text = request.toml.unwrap_or_else(|| base.text.clone());
    let file = request.file.unwrap_or_else(|| base.file.clone());
    let edited = apply(&text, &request.edits).map_err(|e| unprocessable(&e))?;
    // The base scenario keeps its name; a changed one reads as a bare file
    // name (`scenario-default.toml`), the name the page exports it as, so
    // that `hubsel run --scenario NAME` beside it writes the same files.
    // The name is only a label: nothing opens it.
    let file = if edited == base.text && file == base.file {
        file
    } else {
        bare_name(&file)
    };
    Ok(Scenario { text: edited, file })
}

/// The last part of a path or of `fixture:name`; `scenario.toml` when empty.
fn bare_name(file: &str) -> String {
    file.rsplit(['/', '\\', ':'])
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .unwrap_or("scenario.toml")
        .to_string()
}

/// Cancels its run when dropped: the request's future is dropped when its
/// client goes away (or when the run is over, which the run ignores).
pub(crate) struct CancelOnDrop(pub(crate) Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs on a blocking thread once a slot is free ([`Slots`]): every
/// request computes its own result. The slot is held until the
/// computation stops, which it does soon after the client goes away.
async fn compute<T: Send + 'static>(
    state: &AppState,
    scenario: Scenario,
    then: impl FnOnce(&Scenario, hubsel::outcome::RunResult) -> Result<T, Error> + Send + 'static,
) -> Result<T, Refusal> {
    let slot = state.slots.take().await?;
    let workbench = state.workbench();
    let cancel = Cancel::new();
    let _guard = CancelOnDrop(cancel.clone());
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let out = workbench
            .run_until(&scenario, &cancel)
            .and_then(|result| then(&scenario, result));
        trim_heap();
        out
    })
    .await
    .map_err(|e| Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: json!({"error": e.to_string()}),
        retry_after: false,
    })?
    .map_err(|e| unprocessable(&e))
}

/// Gives the pages a computation freed back to the system. glibc keeps
/// them in its per-thread arenas otherwise, so a long-lived server would
/// stay at the size of its largest (or most abandoned) runs.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer of ours; it only walks glibc's
    // own free lists, under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

async fn run(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Response, Refusal> {
    let scenario = scenario_of(&state, &body)?;
    let text = compute(&state, scenario, |s, r| Ok(run_json(s, &r))).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// One district's routes, for a run too large to send them all.
async fn routes(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Response, Refusal> {
    let mut request: RunRequest = parse_json(&body)?;
    let district = request
        .district
        .take()
        .ok_or_else(|| bad_request("`district` is missing".into()))?;
    let scenario = scenario_of_request(&state, request)?;
    let text = compute(&state, scenario, move |_, r| {
        Ok(district_routes(r, &district))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// The run's files as `hubsel run` writes them (GeoJSON layers), zipped.
async fn zip(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Response, Refusal> {
    let scenario = scenario_of(&state, &body)?;
    let bytes = compute(&state, scenario, |_, r| {
        let files = hubsel::output::render(&r, &[Format::GeoJson])?;
        zip_files(&files).map_err(|e| Error::new(hubsel::error::ErrorKind::Output, e.to_string()))
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hubsel-run.zip\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn zip_files(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AhpRequest {
    matrix: Vec<Vec<f64>>,
}

/// The weights and consistency ratio of a pairwise matrix, for the panel's
/// live display; a matrix AHP refuses (not reciprocal, …) is a 422.
async fn ahp(body: Bytes) -> Result<Response, Refusal> {
    let request: AhpRequest = parse_json(&body)?;
    match hubsel::scenario::ahp::ahp(&request.matrix) {
        Ok(a) => {
            Ok(axum::Json(json!({"weights": a.weights, "cr": a.cr, "ci": a.ci})).into_response())
        }
        Err(e) => Err(Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({"error": e.to_string(), "problems": [{"line": Value::Null, "key": "ahp.matrix", "message": e.to_string()}]}),
            retry_after: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hosts_are_the_bound_address_localhost_and_the_allowed_names() {
        let loopback = Hosts::of(
            "127.0.0.1:8300".parse().unwrap(),
            &["Office-PC".into(), "proxy:443".into()],
        );
        for ok in [
            "127.0.0.1:8300",
            "localhost:8300",
            "LOCALHOST:8300",
            "office-pc:8300",
            "proxy:443",
            " 127.0.0.1:8300 ",
        ] {
            assert!(loopback.allows(ok), "{ok}");
        }
        for refused in [
            "",
            "127.0.0.1",
            "127.0.0.1:8301",
            "127.0.0.2:8300",
            "[::1]:8300",
            "evil.example:8300",
            "localhost",
            "localhost:8300.evil",
            "office-pc",
            "office-pc:443",
            "proxy:8300",
            "127.0.0.1:8300:8300",
            "127.0.0.1:abc",
            "localhost.:8300",
        ] {
            assert!(!loopback.allows(refused), "{refused:?}");
        }
        let any = Hosts::of("0.0.0.0:80".parse().unwrap(), &[]);
        for ok in [
            "192.0.2.2",
            "192.0.2.2:80",
            "10.1.2.3:80",
            "localhost",
            "[fd00::2]:80",
        ] {
            assert!(any.allows(ok), "{ok}");
        }
        for refused in [
            "192.0.2.2:81",
            "evil.example",
            "evil.example:80",
            "3232235777.nip.io",
        ] {
            assert!(!any.allows(refused), "{refused:?}");
        }
        let v6 = Hosts::of("[::1]:9000".parse().unwrap(), &[]);
        assert!(v6.allows("[::1]:9000"));
        assert!(!v6.allows("127.0.0.1:9000"));
    }

    #[test]
    fn json_only_as_application_json() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        for (v, want) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/json;charset=UTF-8", true),
            ("text/plain", false),
            ("text/plain; application/json", false),
            ("application/jsonx", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=a", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            assert_eq!(is_json(&h), want, "{v}");
        }
    }
}
