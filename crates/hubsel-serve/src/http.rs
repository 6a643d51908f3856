//! The routes. Every path is a fixed name: the server reads no file on a
//! request (the page is compiled in, the data were read at start), so no
//! path can reach outside; anything else is 404.

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hubsel::error::Error;
use hubsel::output::Format;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::limit::RequestBodyLimitLayer;

use crate::edit::{apply, Edits};
use crate::view::{district_routes, error_json, run_json};
use crate::workbench::{Scenario, Workbench};

/// The largest request body accepted: a scenario is a few kilobytes.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The name of the cookie (and query parameter) that carries the token.
const TOKEN_NAME: &str = "hubsel_token";

struct AppState {
    workbench: Arc<Workbench>,
    token: Option<String>,
}

/// The workbench's routes over `workbench`; with a `token`, every request
/// must carry it (query `hubsel_token=…`, header `x-hubsel-token`, or the
/// cookie the page gets when opened with the query).
pub fn router(workbench: Arc<Workbench>, token: Option<String>) -> Router {
    let state = Arc::new(AppState { workbench, token });
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
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"error": "not found"})),
            )
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
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

async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(t) = &state.token {
        let headers = request.headers();
        let given = headers
            .get("x-hubsel-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| token_in_query(request.uri()))
            .or_else(|| token_in_cookie(headers));
        if !given.is_some_and(|g| same(&g, t)) {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": "this server needs its token: open the address hubsel serve printed (…?hubsel_token=…)"})),
            )
                .into_response();
        }
    }
    next.run(request).await
}

async fn base(State(state): State<Arc<AppState>>) -> Response {
    let b = state.workbench.base();
    axum::Json(json!({"toml": b.text, "file": b.file})).into_response()
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
struct Refusal {
    status: StatusCode,
    body: Value,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

fn bad_request(message: String) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": message}),
    }
}

fn unprocessable(e: &Error) -> Refusal {
    Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: error_json(e),
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Refusal> {
    serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("the request is not the JSON expected: {e}")))
}

/// The request's scenario with its edits made, or the response refusing it.
fn scenario_of(state: &AppState, body: &Bytes) -> Result<Scenario, Refusal> {
    scenario_of_request(state, parse_json(body)?)
}

fn scenario_of_request(state: &AppState, request: RunRequest) -> Result<Scenario, Refusal> {
    let base = state.workbench.base();
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

/// Runs on a blocking thread: every request computes its own result.
async fn compute<T: Send + 'static>(
    state: &AppState,
    scenario: Scenario,
    then: impl FnOnce(&Scenario, hubsel::outcome::RunResult) -> Result<T, Error> + Send + 'static,
) -> Result<T, Refusal> {
    let workbench = Arc::clone(&state.workbench);
    tokio::task::spawn_blocking(move || {
        let result = workbench.run(&scenario)?;
        then(&scenario, result)
    })
    .await
    .map_err(|e| Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: json!({"error": e.to_string()}),
    })?
    .map_err(|e| unprocessable(&e))
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
        }),
    }
}
