//! The "Vad gör jag nu?" checklist in the JSON API:
//! `GET /api/v1/outages/{id}/checklist[?role=]` (the caller's checklist),
//! `POST /api/v1/outages/{id}/checklist` `{step, ticked, role?}` (tick or
//! untick a step) and `GET /api/v1/outages/{id}/checklist/unit[?unit=]` (a
//! unit's progress, for its manager, IT and system administrators).

use axum::Json;
use axum::extract::{RawQuery, State};

use reserv_app::checklists::{ChecklistView, TickInput, UnitProgressView};
use reserv_core::checklist::ChecklistStep;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiJson, ApiResult, ApiUser, OutageIdPath, query_param};

/// The caller's checklist for an outage: the steps of the system's routine
/// for their routine roles (or `role`), with who ticked what.
#[utoipa::path(
    get, path = "/outages/{id}/checklist", tag = "checklist", security(("bearer" = [])),
    params(OutageIdPath, ("role" = Option<String>, Query, description = "A routine role key instead of the caller's own roles")),
    responses(
        (status = 200, description = "The checklist", body = ChecklistView),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 422, description = "An unknown role (`unknown_value`, field `role`)", body = ApiErrorBody),
    )
)]
pub async fn checklist(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<ChecklistView>> {
    Ok(Json(st.app.checklist(&p, id, query_param(q.as_deref(), "role").as_deref()).await?))
}

/// Ticks or unticks a step of the caller's checklist.
#[utoipa::path(
    post, path = "/outages/{id}/checklist", tag = "checklist", security(("bearer" = [])), params(OutageIdPath),
    request_body = TickInput,
    responses(
        (status = 200, description = "The step as it now stands", body = ChecklistStep),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 409, description = "A concurrent change; read and try again", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "The step is not on the list, or an unknown role", body = ApiErrorBody),
    )
)]
pub async fn tick(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    ApiJson(input): ApiJson<TickInput>,
) -> ApiResult<Json<ChecklistStep>> {
    Ok(Json(st.app.tick(&p, id, input).await?))
}

/// A unit's checklist progress (default: the caller's own unit).
#[utoipa::path(
    get, path = "/outages/{id}/checklist/unit", tag = "checklist", security(("bearer" = [])),
    params(OutageIdPath, ("unit" = Option<String>, Query, description = "An organisation id; default the caller's")),
    responses(
        (status = 200, description = "The unit's progress", body = UnitProgressView),
        (status = 403, description = "Neither the unit's manager nor IT", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 422, description = "An unknown unit", body = ApiErrorBody),
    )
)]
pub async fn unit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<UnitProgressView>> {
    Ok(Json(st.app.unit_checklist(&p, id, query_param(q.as_deref(), "unit").as_deref()).await?))
}
