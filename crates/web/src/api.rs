//! The JSON API under `/api/v1`, described by `openapi.json`. Clients get a
//! bearer token from `POST /api/v1/auth/token`. Bodies are parsed strictly
//! (unknown fields are refused) and every error is
//! `{"error": {"code", "message", "field"?}}` with a 4xx status for anything
//! the caller did wrong; messages are Swedish unless `Accept-Language: en`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use reserv_app::outages::{AmendInput, DeclareInput};
use reserv_app::users::NewUserInput;
use reserv_app::{AppError, Principal};
use reserv_core::ids::{EntryId, OutageId};
use reserv_store::{AuditQuery, SessionKind};

use crate::ctx::origin_of;
use crate::i18n::Lang;
use crate::{AppState, status_of};

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

    fn bad_request(code: &'static str, message: String) -> ApiError {
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
        ApiError::bad_request("malformed_json", msg)
    })
}

type ApiResult = Result<Response, ApiError>;

fn ok<T: serde::Serialize>(status: StatusCode, v: T) -> ApiResult {
    Ok((status, Json(v)).into_response())
}

// ---- auth ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    username: String,
    password: String,
}

pub async fn create_token(State(st): State<AppState>, ApiLang(lang): ApiLang, parts: Parts2, body: Bytes) -> ApiResult {
    let req: TokenRequest = parse_json(lang, &parts.0, &body)?;
    let s = st
        .app
        .login(&req.username, &req.password, SessionKind::Api, &parts.1)
        .await
        .map_err(|e| ApiError::new(lang, &e))?;
    ok(
        StatusCode::CREATED,
        json!({ "token": s.token, "token_type": "Bearer", "expires_at": s.session.expires_at, "user": user_json(&s.user) }),
    )
}

pub async fn revoke_token(State(st): State<AppState>, ApiUser(p, lang): ApiUser) -> ApiResult {
    st.app.logout(&p).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Headers and origin, for handlers that read the body themselves.
pub struct Parts2(HeaderMap, reserv_app::Origin);

impl<S: Send + Sync> FromRequestParts<S> for Parts2 {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Parts2(parts.headers.clone(), origin_of(&parts.extensions)))
    }
}

fn user_json(u: &reserv_store::UserRecord) -> serde_json::Value {
    json!({ "id": u.id, "username": u.username, "display_name": u.display_name, "org": u.org, "role": u.role, "created_at": u.created_at, "routine_roles": u.routine_roles })
}

pub async fn me(ApiUser(p, _): ApiUser) -> ApiResult {
    ok(StatusCode::OK, user_json(&p.user))
}

// ---- reference data ----

pub async fn systems(State(st): State<AppState>, ApiUser(..): ApiUser) -> ApiResult {
    let now = st.app.now();
    let list: Vec<_> = st
        .app
        .catalogue()
        .systems()
        .iter()
        .map(|s| json!({ "system": s, "support_now": s.support_now(now) }))
        .collect();
    ok(StatusCode::OK, list)
}

pub async fn organisations(State(st): State<AppState>, ApiUser(_, lang): ApiUser) -> ApiResult {
    let orgs = st.app.organisations().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, orgs)
}

// ---- outages ----

pub async fn outages(State(st): State<AppState>, ApiUser(_, lang): ApiUser) -> ApiResult {
    let v = st.app.outages().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclareBody {
    system: String,
    kind: String,
    scope: String,
    start: String,
    #[serde(default)]
    expected_end: Option<String>,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    drill: bool,
}

pub async fn declare(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: DeclareBody = parse_json(lang, &headers, &body)?;
    let input = DeclareInput {
        system: b.system,
        kind: b.kind,
        scope: b.scope,
        start: b.start,
        expected_end: b.expected_end,
        notice: b.notice,
        drill: b.drill,
    };
    let v = st.app.declare_outage(&p, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::CREATED, v)
}

fn outage_id(lang: Lang, raw: &str) -> Result<OutageId, ApiError> {
    raw.parse().map_err(|_| ApiError::new(lang, &AppError::NotFound))
}

pub async fn outage(State(st): State<AppState>, ApiUser(_, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.outage(outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmendBody {
    kind: Option<String>,
    scope: Option<String>,
    start: Option<String>,
    expected_end: Option<String>,
    notice: Option<String>,
}

pub async fn amend(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: AmendBody = parse_json(lang, &headers, &body)?;
    let input =
        AmendInput { kind: b.kind, scope: b.scope, start: b.start, expected_end: b.expected_end, notice: b.notice };
    let v = st.app.amend_outage(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndBody {
    restored_at: String,
    #[serde(default)]
    notice: Option<String>,
}

pub async fn end(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: EndBody = parse_json(lang, &headers, &body)?;
    let v = st.app.end_outage(&p, id, &b.restored_at, b.notice).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

pub async fn public_status(State(st): State<AppState>, ApiLang(lang): ApiLang) -> ApiResult {
    let v = st.app.public_status().await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, json!({ "generated_at": st.app.now(), "outages": v }))
}

// ---- users and audit ----

pub async fn users(State(st): State<AppState>, ApiUser(p, lang): ApiUser) -> ApiResult {
    let users = st.app.users(&p).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, users.iter().map(user_json).collect::<Vec<_>>())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    username: String,
    #[serde(default)]
    display_name: String,
    org: String,
    role: String,
    password: String,
    /// Routine role keys; unknown ones are a 422 naming `routine_roles`.
    #[serde(default)]
    routine_roles: Vec<String>,
}

pub async fn create_user(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: UserBody = parse_json(lang, &headers, &body)?;
    let input = NewUserInput {
        username: b.username,
        display_name: b.display_name,
        org: b.org,
        role: b.role,
        password: b.password,
        routine_roles: b.routine_roles,
    };
    let u = st.app.create_user(Some(&p), input, &p.origin).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::CREATED, user_json(&u))
}

#[derive(Deserialize)]
pub struct AuditParams {
    limit: Option<u32>,
    before: Option<String>,
    action: Option<String>,
}

pub async fn audit(State(st): State<AppState>, ApiUser(p, lang): ApiUser, RawQuery(raw): RawQuery) -> ApiResult {
    let q: AuditParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|e| {
        let msg = match lang {
            Lang::Sv => format!("Ogiltig parameter i adressen: {e}"),
            Lang::En => format!("Malformed query parameter: {e}"),
        };
        ApiError::bad_request("invalid_query", msg)
    })?;
    let before = match q.before {
        Some(b) => {
            Some(EntryId(b.parse().map_err(|_| ApiError::bad_request("invalid_id", "before: ogiltigt id".into()))?))
        }
        None => None,
    };
    let query = AuditQuery { limit: q.limit.unwrap_or(100).clamp(1, 1000), before, action_prefix: q.action };
    let records = st.app.audit_log(&p, query).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, records)
}

pub async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The OpenAPI 3 description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.app.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed: the store is not writable");
            ApiError::new(Lang::Sv, &e).into_response()
        }
    }
}

pub async fn api_not_found(ApiLang(lang): ApiLang) -> ApiError {
    ApiError::new(lang, &AppError::NotFound)
}

// ---- the handover log ----

fn episode_id(lang: Lang, raw: &str) -> Result<reserv_core::ids::EpisodeId, ApiError> {
    raw.parse().map_err(|_| ApiError::new(lang, &AppError::NotFound))
}

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

// ---- back-entry worklists ----

pub async fn worklist(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let v = st.app.worklist(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkBody {
    key: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    assignee: String,
}

pub async fn work_on_item(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = outage_id(lang, &id)?;
    let b: WorkBody = parse_json(lang, &headers, &body)?;
    let input =
        reserv_app::worklists::WorkInput { key: b.key, action: b.action, reason: b.reason, assignee: b.assignee };
    let v = st.app.work_on_item(&p, id, input).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, v)
}

pub async fn backentry_report(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = st.app.backentry_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, r)
}

pub async fn statistics_csv(
    State(st): State<AppState>,
    ApiUser(p, lang): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = st.app.backentry_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    Ok(crate::worklist_pages::csv_response(&r))
}

pub async fn drill_report(State(st): State<AppState>, ApiUser(p, lang): ApiUser, Path(id): Path<String>) -> ApiResult {
    let r = st.app.drill_report(&p, outage_id(lang, &id)?).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, r)
}
