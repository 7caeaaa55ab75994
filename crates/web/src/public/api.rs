//! The public status JSON and the health check (no login).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use reserv_app::outages::PublicOutage;

use crate::AppState;
use crate::kit::api::{ApiError, ApiResult};

/// What the public status page shows.
#[derive(Serialize, ToSchema)]
pub struct PublicStatus {
    generated_at: Timestamp,
    /// Ongoing outages and those that ended in the last 24 hours.
    outages: Vec<PublicOutage>,
}

/// The public status: which systems are down (no login, nothing personal).
#[utoipa::path(
    get, path = "/public/status", tag = "public",
    responses((status = 200, description = "The status", body = PublicStatus))
)]
pub async fn public_status(State(st): State<AppState>) -> ApiResult<Json<PublicStatus>> {
    let outages = st.app.public_status().await?;
    Ok(Json(PublicStatus { generated_at: st.app.now(), outages }))
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.app.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed: the store is not writable");
            ApiError::from(e).into_response()
        }
    }
}
