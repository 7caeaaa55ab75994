//! The handover-log API: episodes, logged calls and gaps.

use axum::Json;
use axum::extract::State;

use reserv_app::episodes::{EntryInput, EpisodeView, OpenGap, RegisterInput, UpdateInput};
use reserv_app::sips::SipInput;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiJson, ApiResult, ApiUser, Created, EpisodeIdPath, created};

/// The episodes the caller may see (their organisation is in the chain of care).
#[utoipa::path(
    get, path = "/episodes", tag = "handover log", security(("bearer" = [])),
    responses((status = 200, description = "The episodes", body = Vec<EpisodeView>))
)]
pub async fn episodes(State(st): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<Vec<EpisodeView>>> {
    Ok(Json(st.app.episodes(&p).await?))
}

/// Registers a care episode on the caller's ward.
#[utoipa::path(
    post, path = "/episodes", tag = "handover log", security(("bearer" = [])),
    request_body = RegisterInput,
    responses(
        (status = 201, description = "The new episode", body = EpisodeView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "The caller is not on a ward", body = ApiErrorBody),
        (status = 409, description = "The patient already has an open episode", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn register_episode(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Created<EpisodeView>> {
    Ok(created(st.app.register_episode(&p, input).await?))
}

/// One episode with its log and gaps.
#[utoipa::path(
    get, path = "/episodes/{id}", tag = "handover log", security(("bearer" = [])), params(EpisodeIdPath),
    responses(
        (status = 200, description = "The episode", body = EpisodeView),
        (status = 404, description = "No such episode, or not the caller's to see", body = ApiErrorBody),
    )
)]
pub async fn episode(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    EpisodeIdPath(id): EpisodeIdPath,
) -> ApiResult<Json<EpisodeView>> {
    Ok(Json(st.app.episode(&p, id).await?))
}

/// Changes an episode's facts; absent or empty fields keep their value.
#[utoipa::path(
    patch, path = "/episodes/{id}", tag = "handover log", security(("bearer" = [])), params(EpisodeIdPath),
    request_body = UpdateInput,
    responses(
        (status = 200, description = "The episode", body = EpisodeView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "Not the episode's ward", body = ApiErrorBody),
        (status = 404, description = "No such episode, or not the caller's to see", body = ApiErrorBody),
        (status = 409, description = "A concurrent change; read and try again", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn update_episode(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    EpisodeIdPath(id): EpisodeIdPath,
    ApiJson(input): ApiJson<UpdateInput>,
) -> ApiResult<Json<EpisodeView>> {
    Ok(Json(st.app.update_episode(&p, id, input).await?))
}

/// Logs a call (or a correction of one, `supersedes`).
#[utoipa::path(
    post, path = "/episodes/{id}/entries", tag = "handover log", security(("bearer" = [])), params(EpisodeIdPath),
    request_body = EntryInput,
    responses(
        (status = 201, description = "The episode with the new entry", body = EpisodeView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "May not log calls on this episode", body = ApiErrorBody),
        (status = 404, description = "No such episode, or not the caller's to see", body = ApiErrorBody),
        (status = 409, description = "The entry is already corrected", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn log_call(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    EpisodeIdPath(id): EpisodeIdPath,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Created<EpisodeView>> {
    Ok(created(st.app.log_call(&p, id, input).await?))
}

/// Records a SIP on the episode, or a new version of one of its SIPs
/// (`supersedes`: the id of its current version).
#[utoipa::path(
    post, path = "/episodes/{id}/sips", tag = "handover log", security(("bearer" = [])), params(EpisodeIdPath),
    request_body = SipInput,
    responses(
        (status = 201, description = "The episode with its SIPs", body = EpisodeView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 404, description = "No such episode, or not the caller's to see", body = ApiErrorBody),
        (status = 409, description = "The version has already been replaced", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it (e.g. `sip_meeting_before_initiative`, `sip_plan_without_meeting`)", body = ApiErrorBody),
    )
)]
pub async fn record_sip(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    EpisodeIdPath(id): EpisodeIdPath,
    ApiJson(input): ApiJson<SipInput>,
) -> ApiResult<Created<EpisodeView>> {
    Ok(created(st.app.record_sip(&p, id, input).await?))
}

/// The handover gaps still open: who has not yet been told.
#[utoipa::path(
    get, path = "/gaps", tag = "handover log", security(("bearer" = [])),
    responses((status = 200, description = "The open gaps", body = Vec<OpenGap>))
)]
pub async fn gaps(State(st): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<Vec<OpenGap>>> {
    Ok(Json(st.app.open_gaps(&p).await?))
}
