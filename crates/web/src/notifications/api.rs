//! Notifications in the JSON API: `GET /api/v1/outages/{id}/messages` (every
//! message of an outage with its delivery state and acknowledgement),
//! `POST /api/v1/messages/{id}/acknowledge` (the recipient, or IT on their
//! behalf) and `POST /api/v1/messages/{id}/requeue` (IT sends a failed or
//! unknown message again). Errors are the API's usual
//! `{"error": {"code", "message", "field"}}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use reserv_app::AppError;
use reserv_core::ids::EntryId;
use reserv_core::outbox::AckVia;

use crate::AppState;
use crate::kit::api::outage_id;
use crate::kit::api::{ApiError, ApiUser};
use crate::kit::i18n::Lang;

type ApiResult = Result<Response, ApiError>;

fn message_id(lang: Lang, raw: &str) -> Result<EntryId, ApiError> {
    raw.parse().map_err(|_| ApiError::new(lang, &AppError::NotFound))
}

pub async fn messages(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let list = st.app.messages(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(list)).into_response())
}

/// Needs no body (any body is ignored).
pub async fn acknowledge(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st
        .app
        .acknowledge_message(&p, message_id(lang, &id)?, AckVia::Api)
        .await
        .map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(v)).into_response())
}

/// Needs no body (any body is ignored).
pub async fn requeue(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.requeue_message(&p, message_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(v)).into_response())
}
