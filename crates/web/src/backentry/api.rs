//! The back-entry API: worklists, work on items, the report and its CSV.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::AppState;
use crate::kit::api::{ApiError, ApiResult, ApiUser, ok, outage_id, parse_json};

// ---- back-entry worklists ----

pub async fn worklist(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.worklist(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkBody {
    key: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    assignee: String,
}

pub async fn work_on_item(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: WorkBody = parse_json(lang, &headers, &body)?;
    let input =
        reserv_app::worklists::WorkInput { key: b.key, action: b.action, reason: b.reason, assignee: b.assignee };
    let v = st.app.work_on_item(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

pub async fn backentry_report(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = st.app.backentry_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, r)
}

pub async fn statistics_csv(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = st.app.backentry_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok(crate::backentry::pages::csv_response(&r))
}
