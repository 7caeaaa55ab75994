//! The deviation reports of an outage in the JSON API:
//! `GET/POST /api/v1/outages/{id}/deviations` (the structured export and
//! filing a report or a correction) and `GET /api/v1/outages/{id}/deviations.csv`
//! (the CSV export, labels in the caller's `Accept-Language`).

use axum::Json;
use axum::extract::State;

use reserv_app::deviations::{DeviationList, DeviationView, ReportInput};

use crate::AppState;
use crate::kit::api::{ApiErrorBody, ApiJson, ApiLang, ApiResult, ApiUser, Created, OutageIdPath, created};
use crate::kit::csv::csv_response;
use crate::kit::i18n::Lang;

/// The deviation reports of an outage the caller may read.
#[utoipa::path(
    get, path = "/outages/{id}/deviations", tag = "deviations", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "The reports", body = DeviationList),
        (status = 404, description = "No such outage", body = ApiErrorBody),
    )
)]
pub async fn deviations(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult<Json<DeviationList>> {
    Ok(Json(st.app.deviations(&p, id).await?))
}

/// The same reports as CSV; labels in the caller's `Accept-Language`.
#[utoipa::path(
    get, path = "/outages/{id}/deviations.csv", tag = "deviations", security(("bearer" = [])), params(OutageIdPath),
    responses(
        (status = 200, description = "CSV (semicolon-separated, UTF-8)", content_type = "text/csv", body = String),
        (status = 404, description = "No such outage", body = ApiErrorBody),
    )
)]
pub async fn deviations_csv(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiLang(lang): ApiLang,
    OutageIdPath(id): OutageIdPath,
) -> ApiResult {
    Ok(csv_response(st.app.deviations_csv(&p, id, lang == Lang::En).await?))
}

/// Files a deviation report, or a correction of one (`supersedes`).
/// Absent texts are empty, so a missing field is a 422 `required` naming it.
#[utoipa::path(
    post, path = "/outages/{id}/deviations", tag = "deviations", security(("bearer" = [])), params(OutageIdPath),
    request_body = ReportInput,
    responses(
        (status = 201, description = "The report as filed", body = DeviationView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "May not report, or correct this report", body = ApiErrorBody),
        (status = 404, description = "No such outage", body = ApiErrorBody),
        (status = 409, description = "The report is already corrected", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn report(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    OutageIdPath(id): OutageIdPath,
    ApiJson(input): ApiJson<ReportInput>,
) -> ApiResult<Created<DeviationView>> {
    Ok(created(st.app.report_deviation(&p, id, input).await?))
}
