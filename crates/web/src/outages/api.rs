//! The outage register API: systems, organisations, outages (declare, amend, end).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

use reserv_app::outages::{AmendInput, DeclareInput};

use crate::AppState;
use crate::kit::api::{ApiError, ApiResult, ApiUser, ok, outage_id, parse_json};

// ---- reference data ----

pub async fn systems(State(st): State<AppState>, ApiUser(..): ApiUser) -> ApiResult {
    let now = st.app.now();
    let list: Vec<_> = st
        .app
        .catalogue()
        .systems()
        .iter()
        .map(|s| json!({ "system": s, "support_now": s.support_now(now) }))
        .collect();
    ok(StatusCode::OK, list)
}

pub async fn organisations(State(st): State<AppState>, ApiUser(_, lang): ApiUser) -> ApiResult {
    let orgs = st.app.organisations().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, orgs)
}

// ---- outages ----

pub async fn outages(State(st): State<AppState>, ApiUser(_, lang): ApiUser) -> ApiResult {
    let v = st.app.outages().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclareBody {
    system: String,
    kind: String,
    scope: String,
    start: String,
    #[serde(default)]
    expected_end: Option<String>,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    drill: bool,
}

pub async fn declare(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: DeclareBody = parse_json(lang, &headers, &body)?;
    let input = DeclareInput {
        system: b.system,
        kind: b.kind,
        scope: b.scope,
        start: b.start,
        expected_end: b.expected_end,
        notice: b.notice,
        drill: b.drill,
    };
    let v = st.app.declare_outage(&p, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::CREATED, v)
}

pub async fn outage(State(st): State<AppState>, ApiUser(_, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.outage(outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmendBody {
    kind: Option<String>,
    scope: Option<String>,
    start: Option<String>,
    expected_end: Option<String>,
    notice: Option<String>,
}

pub async fn amend(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: AmendBody = parse_json(lang, &headers, &body)?;
    let input =
        AmendInput { kind: b.kind, scope: b.scope, start: b.start, expected_end: b.expected_end, notice: b.notice };
    let v = st.app.amend_outage(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndBody {
    restored_at: String,
    #[serde(default)]
    notice: Option<String>,
}

pub async fn end(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: EndBody = parse_json(lang, &headers, &body)?;
    let v = st.app.end_outage(&p, id, &b.restored_at, b.notice).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}
