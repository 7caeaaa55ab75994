//! The drill report API.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::AppState;
use crate::kit::api::{ApiError, ApiResult, ApiUser, ok, outage_id};

pub async fn drill_report(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let r = st.app.drill_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, r)
}
