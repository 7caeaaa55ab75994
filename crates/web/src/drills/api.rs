//! The drill report API.

use axum::Json;
use axum::extract::State;

use reserv_app::drills::DrillReport;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiResult, ApiUser, OutageIdPath};

/// What a drill (a practice outage) showed.
#[utoipa::path(
    get, path = "/outages/{id}/drill-report", tag = "outages", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The drill report", body = DrillReport),
        (status = 403, description = "May not read reports", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
    )
)]
pub async fn drill_report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<DrillReport>> {
    Ok(Json(st.app.drill_report(&p, id).await?))
}
