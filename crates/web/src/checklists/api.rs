//! The "Vad gör jag nu?" checklist in the JSON API:
//! `GET /api/v1/outages/{id}/checklist[?role=]` (the caller's checklist),
//! `POST /api/v1/outages/{id}/checklist` `{step, ticked, role?}` (tick or
//! untick a step) and `GET /api/v1/outages/{id}/checklist/unit[?unit=]` (a
//! unit's progress, for its manager, IT and system administrators). Errors
//! are the API's usual `{"error": {"code", "message", "field"}}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use reserv_app::checklists::TickInput;

use crate::AppState;
use crate::kit::api::outage_id;
use crate::kit::api::{ApiError, ApiUser, parse_json};

type ApiResult = Result<Response, ApiError>;

/// One query parameter (`role`, `unit`); others are ignored.
fn param(raw: &Option<String>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v).filter(|v| !v.trim().is_empty())
}

pub async fn checklist(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let v = st.app.checklist(&p, id, param(&q, "role").as_deref()).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TickBody {
    step: String,
    ticked: bool,
    /// The role whose list the step is on, if not the caller's own roles.
    #[serde(default)]
    role: Option<String>,
}

pub async fn tick(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: TickBody = parse_json(lang, &headers, &body)?;
    let input = TickInput { step: b.step, ticked: b.ticked, role: b.role.filter(|r| !r.trim().is_empty()) };
    let step = st.app.tick(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(step)).into_response())
}

pub async fn unit(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let v = st.app.unit_checklist(&p, id, param(&q, "unit").as_deref()).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(v)).into_response())
}
