//! The subscription API: `/api/v1/public/subscriptions` and the RFC 8058
//! one-click unsubscribe.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use reserv_app::AppError;
use reserv_app::subscriptions::LinkResult;
use reserv_core::outbox::is_ack_token;

use crate::AppState;
use crate::kit::api::{ApiError, ApiErrorBody, ApiJson, ApiOrigin, ApiResult};
use crate::kit::respond::see_other;

/// A subscription to outage notices by e-mail.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    #[serde(default)]
    email: String,
    /// System ids; empty: every system.
    #[serde(default)]
    systems: Vec<String>,
}

/// Where a subscription stands.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionStatus {
    status: SubscriptionState,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    ConfirmationSent,
    Unsubscribed,
    AlreadyUnsubscribed,
}

/// Subscribes an address: a confirmation mail is on its way (the same answer
/// for any valid address).
#[utoipa::path(
    post, path = "/public/subscriptions", tag = "public",
    request_body = SubscribeRequest,
    responses(
        (status = 202, description = "A confirmation mail is on its way", body = SubscriptionStatus),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "An invalid address or system; `field` names it", body = ApiErrorBody),
        (status = 429, description = "Too many requests for this address (`rate_limited`), or from this client address or everyone for now (`subscription_throttled`)", body = ApiErrorBody),
    )
)]
pub async fn api_subscribe(
    State(st): State<AppState>,
    ApiOrigin(origin): ApiOrigin,
    ApiJson(b): ApiJson<SubscribeRequest>,
) -> ApiResult<(StatusCode, Json<SubscriptionStatus>)> {
    st.app.subscribe(&b.email, &b.systems, &origin).await?;
    Ok((StatusCode::ACCEPTED, Json(SubscriptionStatus { status: SubscriptionState::ConfirmationSent })))
}

fn bad_link() -> ApiError {
    ApiError::from(AppError::NotFound).with_status(StatusCode::BAD_REQUEST, "invalid_link")
}

/// RFC 8058 one-click unsubscribe: the mail client posts
/// `List-Unsubscribe=One-Click`; no form, no CSRF: the token is the secret.
#[utoipa::path(
    post, path = "/public/subscriptions/unsubscribe/{token}", tag = "public",
    params(("token" = String, Path, description = "The token of the unsubscribe link")),
    responses(
        (status = 200, description = "Unsubscribed (or already)", body = SubscriptionStatus),
        (status = 400, description = "Not a link token (`invalid_link`)", body = ApiErrorBody),
        (status = 404, description = "No such link", body = ApiErrorBody),
    )
)]
pub async fn api_unsubscribe(
    State(st): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<SubscriptionStatus>> {
    if !is_ack_token(&token) {
        return Err(bad_link());
    }
    let (r, _) = st.app.unsubscribe_by_link(&token, &reserv_app::Origin("one-click".into())).await?;
    let status =
        if r == LinkResult::Done { SubscriptionState::Unsubscribed } else { SubscriptionState::AlreadyUnsubscribed };
    Ok(Json(SubscriptionStatus { status }))
}

/// `GET` of the one-click address (a client that does not post): to the page with the button.
#[utoipa::path(
    get, path = "/public/subscriptions/unsubscribe/{token}", tag = "public",
    params(("token" = String, Path, description = "The token of the unsubscribe link")),
    responses(
        (status = 303, description = "To the unsubscribe page (`Location`)"),
        (status = 400, description = "Not a link token (`invalid_link`)", body = ApiErrorBody),
    )
)]
pub async fn api_unsubscribe_get(Path(token): Path<String>) -> ApiResult<Response> {
    if !is_ack_token(&token) {
        return Err(bad_link());
    }
    Ok(see_other(&format!("/subscriptions/unsubscribe/{token}")))
}
