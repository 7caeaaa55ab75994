//! The subscription API: `/api/v1/public/subscriptions` and the RFC 8058
//! one-click unsubscribe.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use reserv_app::AppError;
use reserv_app::subscriptions::LinkResult;
use reserv_core::outbox::is_ack_token;

use crate::AppState;
use crate::kit::api::{ApiError, ApiLang, parse_json};
use crate::kit::i18n::Lang;
use crate::kit::respond::see_other;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    systems: Vec<String>,
}

/// `POST /api/v1/public/subscriptions` `{email, systems?}` → 202: a
/// confirmation mail is on its way (the same answer for any valid address).
pub async fn api_subscribe(
    State(st): State<AppState>,
    ApiLang(lang): ApiLang,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: SubscribeBody = parse_json(lang, &headers, &body)?;
    st.app
        .subscribe(&b.email, &b.systems, &reserv_app::Origin("api".into()))
        .await
        .map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "confirmation_sent" }))).into_response())
}

fn bad_link(lang: Lang) -> ApiError {
    ApiError::new(lang, &AppError::NotFound).with_status(StatusCode::BAD_REQUEST, "invalid_link")
}

/// `POST /api/v1/public/subscriptions/unsubscribe/{token}`: RFC 8058 one-click
/// unsubscribe (the mail client posts `List-Unsubscribe=One-Click`; no form, no CSRF: the token is the secret).
pub async fn api_unsubscribe(
    State(st): State<AppState>,
    ApiLang(lang): ApiLang,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    if !is_ack_token(&token) {
        return Err(bad_link(lang));
    }
    let (r, _) = st
        .app
        .unsubscribe_by_link(&token, &reserv_app::Origin("one-click".into()))
        .await
        .map_err(|e| ApiError::new(lang, &e))?;
    let status = if r == LinkResult::Done { "unsubscribed" } else { "already_unsubscribed" };
    Ok((StatusCode::OK, Json(json!({ "status": status }))).into_response())
}

/// `GET` of the one-click address (a client that does not post): to the page with the button.
pub async fn api_unsubscribe_get(ApiLang(lang): ApiLang, Path(token): Path<String>) -> Result<Response, ApiError> {
    if !is_ack_token(&token) {
        return Err(bad_link(lang));
    }
    Ok(see_other(&format!("/subscriptions/unsubscribe/{token}")))
}
