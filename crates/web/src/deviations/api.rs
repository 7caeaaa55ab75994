//! The deviation reports of an outage in the JSON API:
//! `GET/POST /api/v1/outages/{id}/deviations` (the structured export and
//! filing a report or a correction) and `GET /api/v1/outages/{id}/deviations.csv`
//! (the CSV export, labels in the caller's `Accept-Language`). Errors are the
//! API's usual `{"error": {"code", "message", "field"}}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use reserv_app::deviations::ReportInput;

use crate::AppState;
use crate::kit::api::outage_id;
use crate::kit::api::{ApiError, ApiUser, parse_json};
use crate::kit::csv::csv_response;
use crate::kit::i18n::Lang;

type ApiResult = Result<Response, ApiError>;

pub async fn deviations(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let list = st.app.deviations(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::OK, Json(list)).into_response())
}

pub async fn deviations_csv(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let export = st
        .app
        .deviations_csv(&p, outage_id(lang, &id)?, lang == Lang::En)
        .await
        .map_err(|e| ApiError::new(lang, &e))?;
    Ok(csv_response(export))
}

/// Absent texts are empty, so that a missing field is answered with 422
/// `required` naming it, as an empty one is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    consequence: String,
    #[serde(default)]
    action_taken: String,
    #[serde(default)]
    reported_elsewhere: bool,
    #[serde(default)]
    external_reference: String,
    #[serde(default)]
    supersedes: Option<String>,
}

pub async fn report(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: ReportBody = parse_json(lang, &headers, &body)?;
    let input = ReportInput {
        subject: b.subject,
        occurred_at: b.occurred_at,
        category: b.category,
        severity: b.severity,
        description: b.description,
        consequence: b.consequence,
        action_taken: b.action_taken,
        reported_elsewhere: b.reported_elsewhere,
        external_reference: b.external_reference,
        supersedes: b.supersedes,
    };
    let v = st.app.report_deviation(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
