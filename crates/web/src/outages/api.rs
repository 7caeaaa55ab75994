//! The outage register API: systems, organisations, outages (declare, amend, end).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use reserv_app::outages::{AmendInput, DeclareInput, OutageView};
use reserv_core::catalogue::{SupportNow, System};
use reserv_core::org::Organisation;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiJson, ApiResult, ApiUser, Created, OutageIdPath, created};

// ---- reference data ----

/// A system of the catalogue with the support to call right now.
#[derive(Serialize, ToSchema)]
pub struct SystemEntry {
    system: System,
    support_now: Vec<SupportNow>,
}

/// The systems of the catalogue.
#[utoipa::path(
    get, path = "/systems", tag = "reference data", security(("bearer" = [])),
    responses((status = 200, description = "The systems", body = Vec<SystemEntry>))
)]
pub async fn systems(State(st): State<AppState>, ApiUser(_): ApiUser) -> Json<Vec<SystemEntry>> {
    let now = st.app.now();
    let list = st
        .app
        .catalogue()
        .systems()
        .iter()
        .map(|s| SystemEntry { system: s.clone(), support_now: s.support_now(now) })
        .collect();
    Json(list)
}

/// The organisations of the directory.
#[utoipa::path(
    get, path = "/organisations", tag = "reference data", security(("bearer" = [])),
    responses((status = 200, description = "The organisations", body = Vec<Organisation>))
)]
pub async fn organisations(State(st): State<AppState>, ApiUser(_): ApiUser) -> ApiResult<Json<Vec<Organisation>>> {
    Ok(Json(st.app.organisations().await?))
}

// ---- outages ----

/// Every outage in the register, with its status and assessment.
#[utoipa::path(
    get, path = "/outages", tag = "outages", security(("bearer" = [])),
    responses((status = 200, description = "The outages", body = Vec<OutageView>))
)]
pub async fn outages(State(st): State<AppState>, ApiUser(_): ApiUser) -> ApiResult<Json<Vec<OutageView>>> {
    Ok(Json(st.app.outages().await?))
}

/// Declares an outage (outage managers: IT and system administrators).
///
/// If the system already has an ongoing outage, the declaration is refused
/// with `409 ongoing_outage_same_system` (usually the same failure reported
/// twice) unless it says `"confirm_same_system": true`.
#[utoipa::path(
    post, path = "/outages", tag = "outages", security(("bearer" = [])),
    request_body = DeclareInput,
    responses(
        (status = 201, description = "The new outage", body = OutageView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "May not declare outages", body = ApiErrorBody),
        (status = 409, description = "`ongoing_outage_same_system`: the system already has an ongoing outage; \
            send `confirm_same_system: true` to declare another. `conflict`: a concurrent change; read and try again", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn declare(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<DeclareInput>,
) -> ApiResult<Created<OutageView>> {
    Ok(created(st.app.declare_outage(&p, input).await?))
}

/// One outage with its timeline.
#[utoipa::path(
    get, path = "/outages/{id}", tag = "outages", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The outage", body = OutageView),
        (status = 404, description = "No such outage", body = ApiErrorBody),
    )
)]
pub async fn outage(
    State(st): State<AppState>,
    ApiUser(_): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<OutageView>> {
    Ok(Json(st.app.outage(id).await?))
}

/// Amends an outage; absent or empty fields keep their value.
#[utoipa::path(
    patch, path = "/outages/{id}", tag = "outages", security(("bearer" = [])), params(OutageIdPath),
    request_body = AmendInput,
    responses(
        (status = 200, description = "The outage", body = OutageView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "May not manage outages", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 409, description = "The outage has ended, or a concurrent change", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn amend(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    ApiJson(input): ApiJson<AmendInput>,
) -> ApiResult<Json<OutageView>> {
    Ok(Json(st.app.amend_outage(&p, id, input).await?))
}

/// The end of an outage.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// When the system was back: local time as typed, or RFC 3339.
    restored_at: String,
    /// A closing notice.
    #[serde(default)]
    notice: Option<String>,
}

/// Ends an outage: the system is back.
#[utoipa::path(
    post, path = "/outages/{id}/end", tag = "outages", security(("bearer" = [])), params(OutageIdPath),
    request_body = EndRequest,
    responses(
        (status = 200, description = "The ended outage", body = OutageView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "May not manage outages", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 409, description = "The outage has already ended, or a concurrent change", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn end(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    ApiJson(b): ApiJson<EndRequest>,
) -> ApiResult<Json<OutageView>> {
    Ok(Json(st.app.end_outage(&p, id, &b.restored_at, b.notice).await?))
}
