//! The "Your data" routes: `PUT /api/upload/{role}` (the file's bytes as
//! the body, its name in `x-hubsel-name`), `GET /api/session` (what is
//! stored), `POST /api/inspect` (the schools' preview with a column
//! mapping), `POST /api/load` (read the uploads and prepare the travel
//! times: the workbench's data from then on), `GET /api/progress` (the
//! load's stage and counts) and `POST /api/rejects` (the run's
//! `rejects.csv`). They pass the same guard as every `/api` route; an
//! upload is a `PUT`, which no page of another site can send without a
//! CORS preflight, which the server never grants.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::json;

use crate::http::{AppState, CancelOnDrop};
use crate::session::{self, Loaded, Loading};
use crate::upload::{self, Refused, Role, Writing};
use crate::view::error_json;
use crate::workbench::Workbench;

/// Time an upload may take in all.
const UPLOAD_TIME: Duration = Duration::from_secs(30 * 60);

fn answer(status: u16, body: serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

fn refusal(r: Refused) -> Response {
    answer(r.status, json!({"error": r.message}))
}

/// `%XX` sequences decoded (the page sends the name with
/// `encodeURIComponent`, so Thai names survive a header).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Streams one upload into the session folder within its budget.
pub(crate) async fn upload_file(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(role) = Role::parse(&role) else {
        return answer(404, json!({"error": "not found"}));
    };
    let name = headers
        .get("x-hubsel-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    let name = upload::public_name(&name);
    let ext = match upload::check_name(role, &name) {
        Ok(e) => e,
        Err(r) => return refusal(r),
    };
    let session = &state.session;
    session.clear(role);
    let room = session.room(role);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > room) {
        return refusal(upload::too_large(&name, room));
    }
    let path = session.upload_path(role, &ext);
    let written = tokio::time::timeout(
        UPLOAD_TIME,
        stream_to(&path, body, room, &name, state.body_timeout),
    )
    .await;
    let bytes = match written {
        Ok(Ok(n)) => n,
        Ok(Err(r)) => return refusal(r),
        Err(_) => {
            return answer(
                408,
                json!({"error": format!("{name}: the upload took too long")}),
            )
        }
    };
    let st = Arc::clone(&state);
    let kept = tokio::task::spawn_blocking(move || st.session.keep(role, &name, &ext, bytes)).await;
    match kept {
        Ok(Ok(stored)) => answer(
            200,
            json!({"role": role.as_str(), "name": stored.name, "bytes": stored.bytes, "facts": stored.facts,
                   "provinces": session::provinces_json(&stored.provinces)}),
        ),
        Ok(Err(r)) => refusal(r),
        Err(e) => answer(500, json!({"error": e.to_string()})),
    }
}

/// Writes the body's frames as they come, each within `chunk_time`.
async fn stream_to(
    path: &std::path::Path,
    mut body: Body,
    room: u64,
    name: &str,
    chunk_time: Duration,
) -> Result<u64, Refused> {
    let mut out = Writing::create(path, room, name)?;
    loop {
        let frame = match tokio::time::timeout(chunk_time, body.frame()).await {
            Err(_) => {
                return Err(Refused {
                    status: 408,
                    message: format!("{name}: the upload stalled"),
                })
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return Err(Refused {
                    status: 400,
                    message: format!("{name}: the upload broke off ({e})"),
                })
            }
            Ok(Some(Ok(f))) => f,
        };
        if let Ok(data) = frame.into_data() {
            out.write(&data)?;
        }
    }
    out.finish()
}

pub(crate) async fn session_state(State(state): State<Arc<AppState>>) -> Response {
    let wb = state.workbench();
    let mut j = state.session.json();
    j["columns"] = json!(wb.columns());
    j["command"] = json!(state.command.lock().map(|c| c.clone()).unwrap_or_default());
    axum::Json(j).into_response()
}

/// What the page sends to inspect or load: the planner's column mapping
/// (field → column; blank: hubsel's own choice) and coordinate system.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingRequest {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    crs: Option<String>,
    /// The provinces picked (codes) of national districts: only they are
    /// prepared; none picked, all.
    #[serde(default)]
    provinces: Vec<String>,
}

fn mapping_of(body: &Bytes) -> Result<MappingRequest, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(answer(
            400,
            json!({"error": format!("the request is not the JSON expected: {e}")}),
        ))
    })
}

fn given(columns: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    columns
        .iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(f, c)| (f.clone(), c.trim().to_string()))
        .collect()
}

pub(crate) async fn inspect(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let request = match mapping_of(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Some(stored) = state.session.stored(Role::Schools) else {
        return answer(409, json!({"error": "upload the schools first"}));
    };
    let st = Arc::clone(&state);
    let out = tokio::task::spawn_blocking(move || {
        let wb = st.workbench();
        session::preview(&stored, &given(&request.columns), wb.base_config())
    })
    .await;
    match out {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) => answer(422, scrubbed(&state, &e)),
        Err(e) => answer(500, json!({"error": e.to_string()})),
    }
}

fn scrubbed(state: &AppState, e: &hubsel::error::Error) -> serde_json::Value {
    let text = state.session.scrub(&error_json(e).to_string());
    serde_json::from_str(&text)
        .unwrap_or_else(|_| json!({"error": state.session.scrub(&e.to_string())}))
}

pub(crate) async fn progress(State(state): State<Arc<AppState>>) -> Response {
    let loading = state
        .session
        .loading
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    match loading {
        Some(l) => axum::Json(json!({"loading": true, "progress": l.json()})).into_response(),
        None => axum::Json(json!({"loading": false})).into_response(),
    }
}

/// Clears the running load when dropped.
struct Clear(Arc<AppState>);

impl Drop for Clear {
    fn drop(&mut self) {
        if let Ok(mut l) = self.0.session.loading.lock() {
            *l = None;
        }
    }
}

/// Reads the uploads with the mapping and prepares the travel times; the
/// workbench runs on them from then on. Cancelled when the page stops
/// waiting (its *Cancel* aborts the request).
pub(crate) async fn load(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let request = match mapping_of(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let loading = Arc::new(Loading::default());
    {
        let Ok(mut l) = state.session.loading.lock() else {
            return answer(500, json!({"error": "the session is broken"}));
        };
        if l.is_some() {
            return answer(409, json!({"error": "the data are already being loaded"}));
        }
        *l = Some(Arc::clone(&loading));
    }
    let _clear = Clear(Arc::clone(&state));
    let _cancel = CancelOnDrop(loading.cancel.clone());
    let st = Arc::clone(&state);
    let columns = given(&request.columns);
    let out = tokio::task::spawn_blocking(move || {
        read_and_prepare(
            &st,
            &columns,
            request.crs.as_deref(),
            &request.provinces,
            &loading,
        )
    })
    .await;
    match out {
        Ok(Ok((wb, command))) => {
            let summary = json!({"schools": wb.inputs_counts().0, "districts": wb.inputs_counts().1,
                                 "roads": wb.inputs_counts().2, "rejects": wb.inputs_counts().3,
                                 "command": command});
            state.replace(wb, command);
            axum::Json(summary).into_response()
        }
        Ok(Err(e)) if e.kind() == hubsel::error::ErrorKind::Cancelled => answer(
            409,
            json!({"error": "loading was cancelled; the workbench keeps its data"}),
        ),
        Ok(Err(e)) => answer(422, scrubbed(&state, &e)),
        Err(e) => answer(500, json!({"error": e.to_string()})),
    }
}

fn read_and_prepare(
    state: &AppState,
    columns: &BTreeMap<String, String>,
    crs: Option<&str>,
    provinces: &[String],
    loading: &Loading,
) -> hubsel::error::Result<(Workbench, String)> {
    let current = state.workbench();
    let loaded = Loaded::read(&state.session)?;
    let options = session::read_options(columns, crs, current.base_config())?;
    let sources = loaded.sources()?;
    let mut inputs = hubsel::io::load_with_progress(&sources, &options, loading)?;
    let provinces: Vec<String> = provinces
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if !provinces.is_empty() {
        // Cut before the graph and travel times: only the picked
        // provinces are prepared.
        let picked: Vec<&str> = provinces.iter().map(String::as_str).collect();
        inputs = inputs.only_provinces(&picked, hubsel::model::PROVINCE_MARGIN_M)?;
    }
    hubsel::progress::Progress::finish(loading, hubsel::progress::Stage::Load, Duration::ZERO);
    hubsel::progress::check_cancelled(loading)?;
    let wb = Workbench::new_until(
        inputs,
        current.base().clone(),
        current.base_is_default(),
        columns.clone(),
        loading,
    )?;
    Ok((
        wb,
        session::command(&loaded.stored, columns, crs, &provinces),
    ))
}

/// The run's `rejects.csv` (the request is a run's: scenario and edits).
pub(crate) async fn rejects(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let scenario = match crate::http::scenario_for(&state, &body) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    match crate::http::compute_for(&state, scenario, |_, r| Ok(hubsel::output::rejects_csv(&r)))
        .await
    {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"rejects.csv\"",
                ),
            ],
            state.session.scrub(&text),
        )
            .into_response(),
        Err(r) => r.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_from_percent_encoding() {
        assert_eq!(percent_decode("%E0%B8%AD.xlsx"), "อ.xlsx");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("..%2F..%2Fx"), "../../x");
    }
}
