//! The routines in the JSON API: `GET /api/v1/routines` (the systems with
//! routines) and `GET /api/v1/routines/{system}?role=` (one system's
//! routines, the steps of a role and everyone's), from the same application
//! service as the routine page.

use axum::Json;
use axum::extract::{Path, RawQuery, State};

use reserv_app::routines::{RoutineSystem, SystemRoutines};

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiResult, ApiUser, query_param};

/// The systems that have downtime routines, with each routine's title and size.
#[utoipa::path(
    get, path = "/routines", tag = "routines", security(("bearer" = [])),
    responses((status = 200, description = "The systems with routines", body = Vec<RoutineSystem>))
)]
pub async fn routines(State(st): State<AppState>, ApiUser(_): ApiUser) -> Json<Vec<RoutineSystem>> {
    Json(st.app.routine_systems())
}

/// One system's routines by phase and area; with `role`, only that role's
/// steps and everyone's.
#[utoipa::path(
    get, path = "/routines/{system}", tag = "routines", security(("bearer" = [])),
    params(
        ("system" = String, Path, description = "A system id of the catalogue"),
        ("role" = Option<String>, Query, description = "A routine role key (`nurse`, …); absent: every role"),
    ),
    responses(
        (status = 200, description = "The routines", body = SystemRoutines),
        (status = 404, description = "No such system, or it has no routine", body = ApiErrorBody),
        (status = 422, description = "An unknown role (`unknown_value`, field `role`)", body = ApiErrorBody),
    )
)]
pub async fn routine(
    State(st): State<AppState>,
    ApiUser(_): ApiUser,
    Path(system): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<SystemRoutines>> {
    Ok(Json(st.app.system_routines(&system, query_param(q.as_deref(), "role").as_deref())?))
}
