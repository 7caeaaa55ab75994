//! Notifications in the JSON API: `GET /api/v1/outages/{id}/messages` (every
//! message of an outage with its delivery state and acknowledgement),
//! `POST /api/v1/messages/{id}/acknowledge` (the recipient, or IT on their
//! behalf) and `POST /api/v1/messages/{id}/requeue` (IT sends a failed or
//! unknown message again).

use axum::Json;
use axum::extract::State;

use reserv_app::notifications::MessageView;
use reserv_core::outbox::AckVia;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiResult, ApiUser, MessageIdPath, OutageIdPath};

/// Every message of an outage, with its delivery state.
#[utoipa::path(
    get, path = "/outages/{id}/messages", tag = "notifications", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The messages", body = Vec<MessageView>),
        (status = 404, description = "No such outage", body = ApiErrorBody),
    )
)]
pub async fn messages(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<Vec<MessageView>>> {
    Ok(Json(st.app.messages(&p, id).await?))
}

/// Acknowledges a message (its recipient, or IT on their behalf). Needs no body (any body is ignored).
#[utoipa::path(
    post, path = "/messages/{id}/acknowledge", tag = "notifications", security(("bearer" = [])), params(MessageIdPath),
    responses(
        (status = 200, description = "The message, acknowledged", body = MessageView),
        (status = 403, description = "Neither the recipient nor IT", body = ApiErrorBody),
        (status = 404, description = "No such message", body = ApiErrorBody),
        (status = 409, description = "The message needs no acknowledgement", body = ApiErrorBody),
    )
)]
pub async fn acknowledge(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    MessageIdPath(id): MessageIdPath,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(st.app.acknowledge_message(&p, id, AckVia::Api).await?))
}

/// Sends a failed or unknown message again (IT). Needs no body (any body is ignored).
#[utoipa::path(
    post, path = "/messages/{id}/requeue", tag = "notifications", security(("bearer" = [])), params(MessageIdPath),
    responses(
        (status = 200, description = "The message, queued again", body = MessageView),
        (status = 403, description = "Not IT", body = ApiErrorBody),
        (status = 404, description = "No such message", body = ApiErrorBody),
        (status = 409, description = "The message was delivered", body = ApiErrorBody),
    )
)]
pub async fn requeue(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    MessageIdPath(id): MessageIdPath,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(st.app.requeue_message(&p, id).await?))
}
