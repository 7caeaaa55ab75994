//! The contacts API: `GET /api/v1/contacts?q=` (the search of `/contacts`,
//! grouped by region) and `GET /api/v1/contacts/phone-list?unit=` (the phone
//! list of a unit; default the caller's organisation). Both need a bearer
//! token; both call the same services as the pages.

use axum::Json;
use axum::extract::{RawQuery, State};

use reserv_core::contacts::{PhoneList, SearchResult};

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiResult, ApiUser, query_param};

/// Searches the contact book (every region's), grouped by region.
#[utoipa::path(
    get, path = "/contacts", tag = "reference data", security(("bearer" = [])),
    params(("q" = Option<String>, Query, description = "Words to search for; empty: everything")),
    responses((status = 200, description = "The matches", body = SearchResult))
)]
pub async fn contacts(
    State(st): State<AppState>,
    ApiUser(_): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SearchResult>> {
    let q = query_param(raw.as_deref(), "q").unwrap_or_default();
    Ok(Json(st.app.search_contacts(&q).await?))
}

/// The phone list of a unit.
#[utoipa::path(
    get, path = "/contacts/phone-list", tag = "reference data", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "An organisation id; default the caller's")),
    responses(
        (status = 200, description = "The phone list", body = PhoneList),
        (status = 422, description = "An unknown unit (`unknown_value`, field `organisation`)", body = ApiErrorBody),
    )
)]
pub async fn phone_list(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PhoneList>> {
    let unit = query_param(raw.as_deref(), "unit").unwrap_or_else(|| p.user.org.to_string());
    Ok(Json(st.app.phone_list(&unit).await?))
}
