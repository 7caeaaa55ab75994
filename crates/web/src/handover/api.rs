//! The handover-log API: episodes, logged calls and gaps.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::AppState;
use crate::kit::api::{ApiError, ApiResult, ApiUser, episode_id, ok, parse_json};

// ---- the handover log ----

pub async fn episodes(State(st): State<AppState>, ApiUser(p, lang): ApiUser) -> ApiResult {
    let v = st.app.episodes(&p).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    patient_id: String,
    #[serde(default)]
    reserve_number: bool,
    municipality: String,
    primary_care: String,
    #[serde(default)]
    outpatient_psychiatry: Option<String>,
    admitted_at: String,
    #[serde(default)]
    expected_discharge: Option<String>,
    #[serde(default)]
    existed_before_outage: bool,
}

pub async fn register_episode(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: RegisterBody = parse_json(lang, &headers, &body)?;
    let input = reserv_app::episodes::RegisterInput {
        patient_id: b.patient_id,
        reserve_number: b.reserve_number,
        municipality: b.municipality,
        primary_care: b.primary_care,
        outpatient_psychiatry: b.outpatient_psychiatry,
        admitted_at: b.admitted_at,
        expected_discharge: b.expected_discharge,
        existed_before_outage: b.existed_before_outage,
    };
    let v = st.app.register_episode(&p, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::CREATED, v)
}

pub async fn episode(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.episode(&p, episode_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    expected_discharge: Option<String>,
    ready_for_discharge_at: Option<String>,
    discharged_at: Option<String>,
    designated_care_contact: Option<String>,
}

pub async fn update_episode(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = episode_id(lang, &id)?;
    let b: UpdateBody = parse_json(lang, &headers, &body)?;
    let input = reserv_app::episodes::UpdateInput {
        expected_discharge: b.expected_discharge,
        ready_for_discharge_at: b.ready_for_discharge_at,
        discharged_at: b.discharged_at,
        designated_care_contact: b.designated_care_contact,
    };
    let v = st.app.update_episode(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryBody {
    #[serde(default)]
    at: Option<String>,
    counterpart_name: String,
    #[serde(default)]
    counterpart_role: String,
    counterpart_org: String,
    direction: String,
    #[serde(default)]
    channel: Option<String>,
    messages: Vec<String>,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    supersedes: Option<String>,
}

pub async fn log_call(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = episode_id(lang, &id)?;
    let b: EntryBody = parse_json(lang, &headers, &body)?;
    let input = reserv_app::episodes::EntryInput {
        at: b.at,
        counterpart_name: b.counterpart_name,
        counterpart_role: b.counterpart_role,
        counterpart_org: b.counterpart_org,
        direction: b.direction,
        channel: b.channel,
        messages: b.messages,
        comment: b.comment,
        supersedes: b.supersedes,
    };
    let v = st.app.log_call(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::CREATED, v)
}

pub async fn gaps(State(st): State<AppState>, ApiUser(p, lang): ApiUser) -> ApiResult {
    let v = st.app.open_gaps(&p).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}
