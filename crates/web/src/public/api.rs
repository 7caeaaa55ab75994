//! The public status JSON and the health check (no login).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::kit::api::{ApiError, ApiLang, ApiResult, ok};
use crate::kit::i18n::Lang;

pub async fn public_status(State(st): State<AppState>, ApiLang(lang): ApiLang) -> ApiResult {
    let v = st.app.public_status().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, json!({ "generated_at": st.app.now(), "outages": v }))
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.app.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed: the store is not writable");
            ApiError::new(Lang::Sv, &e).into_response()
        }
    }
}
