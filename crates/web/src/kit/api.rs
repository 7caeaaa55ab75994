//! The JSON API under `/api/v1`, described by `openapi.json`. Clients get a
//! bearer token from `POST /api/v1/auth/token`. Bodies are parsed strictly
//! (unknown fields are refused) and every error is
//! `{"error": {"code", "message", "field"?}}` with a 4xx status for anything
//! the caller did wrong; messages are Swedish unless `Accept-Language: en`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use reserv_app::{AppError, Principal};
use reserv_core::ids::OutageId;
use reserv_store::SessionKind;

use crate::AppState;
use crate::kit::ctx::origin_of;
use crate::kit::i18n::Lang;
use crate::kit::respond::status_of;

/// An API error response.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<&'static str>,
}

impl ApiError {
    /// The same error with another status and code.
    pub fn with_status(mut self, status: StatusCode, code: &'static str) -> ApiError {
        self.status = status;
        self.code = code;
        self
    }

    pub fn new(lang: Lang, e: &AppError) -> ApiError {
        if matches!(e, AppError::Unavailable(_) | AppError::Internal(_)) {
            tracing::error!(error = %e, "API request failed");
        }
        ApiError {
            status: status_of(e),
            code: e.code(),
            message: match lang {
                Lang::Sv => e.message_sv(),
                Lang::En => e.message_en(),
            },
            field: e.field(),
        }
    }

    pub(crate) fn bad_request_error(code: &'static str, message: String) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, message, field: None }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut err = json!({ "code": self.code, "message": self.message });
        if let Some(f) = self.field {
            err["field"] = json!(f);
        }
        (self.status, Json(json!({ "error": err }))).into_response()
    }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_tag).unwrap_or(Lang::Sv)
}

/// The caller's language for messages.
pub struct ApiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ApiLang(lang_of(&parts.headers)))
    }
}

/// The person behind a bearer token.
pub struct ApiUser(pub Principal, pub Lang);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(&parts.headers);
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::new(lang, &AppError::Unauthenticated))?;
        let origin = origin_of(&parts.extensions);
        st.app
            .authenticate(token, SessionKind::Api, origin)
            .await
            .map(|p| ApiUser(p, lang))
            .map_err(|e| ApiError::new(lang, &e))
    }
}

/// Parses a JSON body strictly, with errors in the API's format.
pub(crate) fn parse_json<T: DeserializeOwned>(lang: Lang, headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/json"));
    if !is_json {
        let msg = match lang {
            Lang::Sv => "Begäran måste ha Content-Type: application/json.",
            Lang::En => "The request must have Content-Type: application/json.",
        };
        return Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            message: msg.into(),
            field: None,
        });
    }
    serde_json::from_slice(body).map_err(|e| {
        let msg = match lang {
            Lang::Sv => format!("Ogiltig JSON: {e}"),
            Lang::En => format!("Malformed JSON: {e}"),
        };
        ApiError::bad_request_error("malformed_json", msg)
    })
}

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn ok<T: serde::Serialize>(status: StatusCode, v: T) -> ApiResult {
    Ok((status, Json(v)).into_response())
}

/// Headers and origin, for handlers that read the body themselves.
pub struct Parts2(pub HeaderMap, pub reserv_app::Origin);

impl<S: Send + Sync> FromRequestParts<S> for Parts2 {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Parts2(parts.headers.clone(), origin_of(&parts.extensions)))
    }
}

pub async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The OpenAPI 3 description of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

pub async fn api_not_found(ApiLang(lang): ApiLang) -> ApiError {
    ApiError::new(lang, &AppError::NotFound)
}

/// A 400 with a stable code.
pub(crate) fn bad_request(code: &'static str, message: String) -> ApiError {
    ApiError::bad_request_error(code, message)
}

/// An outage id from the path; a malformed one is simply not found.
pub(crate) fn outage_id(lang: Lang, raw: &str) -> Result<OutageId, ApiError> {
    raw.parse().map_err(|_| ApiError::new(lang, &AppError::NotFound))
}

/// An episode id from the path; a malformed one is simply not found.
pub(crate) fn episode_id(lang: Lang, raw: &str) -> Result<reserv_core::ids::EpisodeId, ApiError> {
    raw.parse().map_err(|_| ApiError::new(lang, &AppError::NotFound))
}
