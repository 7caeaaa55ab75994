//! The back-entry API: worklists, work on items, the report and its CSV.

use axum::Json;
use axum::extract::State;

use reserv_app::worklists::{BackEntryReport, WorkInput, WorklistView};
use reserv_core::worklist::WorkStatus;

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiJson, ApiLang, ApiResult, ApiUser, OutageIdPath};

/// The back-entry worklist of an outage, as the caller may see it.
#[utoipa::path(
    get, path = "/outages/{id}/worklist", tag = "backentry", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The worklist", body = WorklistView),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 422, description = "The outage is not over, or no policy applies", body = ApiErrorBody),
    )
)]
pub async fn worklist(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<WorklistView>> {
    Ok(Json(st.app.worklist(&p, id).await?))
}

/// Works on one line: assign, done, skip (with a reason) or reopen.
#[utoipa::path(
    post, path = "/outages/{id}/worklist", tag = "backentry", security(("bearer" = [])), params(OutageIdPath),
    request_body = WorkInput,
    responses(
        (status = 200, description = "The line's new state", body = WorkStatus),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "The line is not the caller's organisation's", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 409, description = "A concurrent change; read and try again", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "An invalid action, key or missing reason; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn work_on_item(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    ApiJson(input): ApiJson<WorkInput>,
) -> ApiResult<Json<WorkStatus>> {
    Ok(Json(st.app.work_on_item(&p, id, input).await?))
}

/// The back-entry report of an outage: progress and statistics.
#[utoipa::path(
    get, path = "/outages/{id}/backentry-report", tag = "backentry", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The report", body = BackEntryReport),
        (status = 403, description = "May not read reports", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 422, description = "The outage is not over, or no policy applies", body = ApiErrorBody),
    )
)]
pub async fn backentry_report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<BackEntryReport>> {
    Ok(Json(st.app.backentry_report(&p, id).await?))
}

/// The report's statistics as CSV: Swedish headings and labels (English with
/// `Accept-Language: en`), the municipality's id and the code in the last two columns.
#[utoipa::path(
    get, path = "/outages/{id}/statistics.csv", tag = "backentry", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "CSV (semicolon-separated, UTF-8)", content_type = "text/csv", body = String),
        (status = 403, description = "May not read reports", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 422, description = "The outage is not over, or no policy applies", body = ApiErrorBody),
    )
)]
pub async fn statistics_csv(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiLang(lang): ApiLang,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult {
    let r = st.app.backentry_report(&p, id).await?;
    Ok(crate::backentry::pages::csv_response(lang, &r))
}
