//! The contacts API: `GET /api/v1/contacts?q=` (the search of `/contacts`,
//! grouped by region) and `GET /api/v1/contacts/phone-list?unit=` (the phone
//! list of a unit; default the caller's organisation). Both need a bearer
//! token; both call the same services as the pages.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::kit::api::{ApiError, ApiUser};

/// The value of one query parameter (the last one wins); lenient, so a
/// malformed query string is read as far as it can be.
fn param(raw: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `GET /api/v1/contacts?q=`.
pub async fn contacts(
    State(st): State<AppState>,
    ApiUser(_, lang): ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = param(raw.as_deref(), "q").unwrap_or_default();
    let result = st.app.search_contacts(&q).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(result)).into_response())
}

/// `GET /api/v1/contacts/phone-list?unit=`.
pub async fn phone_list(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let unit = param(raw.as_deref(), "unit").filter(|u| !u.trim().is_empty()).unwrap_or_else(|| p.user.org.to_string());
    let list = st.app.phone_list(&unit).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(list)).into_response())
}
