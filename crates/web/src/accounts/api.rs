//! The accounts API: bearer tokens, `/me`, users and the audit log.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use reserv_app::users::NewUserInput;
use reserv_core::ids::{EntryId, OrgId, UserId};
use reserv_core::org::Role;
use reserv_core::routine::RoutineRole;
use reserv_store::{AuditQuery, AuditRecord, SessionKind, UserRecord};

use crate::AppState;
use crate::kit::api::{
    ApiError, ApiErrorBody, ApiJson, ApiOrigin, ApiResult, ApiUser, Created, created, invalid_query,
};

// ---- auth ----

/// A username and password for a bearer token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    username: String,
    password: String,
}

/// A bearer token and its account.
#[derive(Serialize, ToSchema)]
pub struct Token {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    expires_at: Timestamp,
    user: User,
}

/// An account as the API shows it (never its password).
#[derive(Serialize, ToSchema)]
pub struct User {
    id: UserId,
    username: String,
    display_name: String,
    org: OrgId,
    role: Role,
    created_at: Timestamp,
    /// The routine roles that choose the person's checklist; empty: the organisation's default.
    routine_roles: Vec<RoutineRole>,
}

impl From<&UserRecord> for User {
    fn from(u: &UserRecord) -> User {
        User {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            org: u.org.clone(),
            role: u.role,
            created_at: u.created_at,
            routine_roles: u.routine_roles.clone(),
        }
    }
}

/// Logs in and returns a bearer token.
#[utoipa::path(
    post, path = "/auth/token", tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "A new token", body = Token),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 401, description = "Wrong username or password, or the account is locked for a while (`bad_credentials`: the same answer for all three)", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 429, description = "Too many failed logins from this client address (`login_throttled`), whatever the username", body = ApiErrorBody),
    )
)]
pub async fn create_token(
    State(st): State<AppState>,
    ApiOrigin(origin): ApiOrigin,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Created<Token>> {
    let s = st.app.login(&req.username, &req.password, SessionKind::Api, &origin).await?;
    Ok(created(Token {
        token: s.token,
        token_type: "Bearer",
        expires_at: s.session.expires_at,
        user: User::from(&s.user),
    }))
}

/// Revokes the token the request is made with.
#[utoipa::path(
    delete, path = "/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "The token no longer works"))
)]
pub async fn revoke_token(State(st): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<StatusCode> {
    st.app.logout(&p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(
    get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = User))
)]
pub async fn me(ApiUser(p): ApiUser) -> Json<User> {
    Json(User::from(&p.user))
}

// ---- users and audit ----

/// Every account (system administrators).
#[utoipa::path(
    get, path = "/users", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts", body = Vec<User>),
        (status = 403, description = "Not a system administrator", body = ApiErrorBody),
    )
)]
pub async fn users(State(st): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<Vec<User>>> {
    let users = st.app.users(&p).await?;
    Ok(Json(users.iter().map(User::from).collect()))
}

/// Creates an account (system administrators).
#[utoipa::path(
    post, path = "/users", tag = "users", security(("bearer" = [])),
    request_body = NewUserInput,
    responses(
        (status = 201, description = "The new account", body = User),
        (status = 400, description = "Malformed JSON or an unknown field", body = ApiErrorBody),
        (status = 403, description = "Not a system administrator", body = ApiErrorBody),
        (status = 409, description = "The username is taken", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiErrorBody),
    )
)]
pub async fn create_user(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(input): ApiJson<NewUserInput>,
) -> ApiResult<Created<User>> {
    let u = st.app.create_user(Some(&p), input, &p.origin).await?;
    Ok(created(User::from(&u)))
}

/// The audit log's query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// At most this many records (1-1000, default 100).
    limit: Option<u32>,
    /// Only records older than this record id (for paging).
    before: Option<String>,
    /// Only actions starting with this (`login`, `outage.`, …).
    action: Option<String>,
}

/// The audit log, newest first.
#[utoipa::path(
    get, path = "/audit", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses(
        (status = 200, description = "Audit records, newest first", body = Vec<AuditRecord>),
        (status = 400, description = "A malformed query parameter (`invalid_query`, `invalid_id`)", body = ApiErrorBody),
        (status = 403, description = "May not read the audit log", body = ApiErrorBody),
    )
)]
pub async fn audit(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    let q: AuditParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(invalid_query)?;
    let before = match q.before {
        Some(b) => Some(EntryId(b.parse().map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_id", "before: ogiltigt id", "before: invalid id")
                .with_field("before")
        })?)),
        None => None,
    };
    let query =
        AuditQuery { limit: q.limit.unwrap_or(100).clamp(1, 1000), before, action_prefix: q.action, scope: None };
    Ok(Json(st.app.audit_log(&p, query).await?))
}

// ---- patient reads (issue 19) ----

/// The query of the patient reads; the filters combine.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientReadsParams {
    /// Only reads of this patient (personnummer or reserve number, any spelling).
    patient: Option<String>,
    /// Only reads of this episode.
    episode: Option<String>,
    /// Only reads by this username.
    actor: Option<String>,
    /// At most this many rows (1-1000, default 100).
    limit: Option<u32>,
    /// Continue after this row: `<audit record id>:<episode id>` (for paging).
    before: Option<String>,
}

/// Parses the query of the patient reads (JSON and CSV alike).
pub(crate) fn patient_reads_input(raw: Option<&str>) -> Result<reserv_app::audit::PatientReadsInput, ApiError> {
    let q: PatientReadsParams = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(invalid_query)?;
    let bad = |field: &'static str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("{field}: ogiltigt id"),
            format!("{field}: invalid id"),
        )
        .with_field(field)
    };
    let episode = match q.episode.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => Some(reserv_core::ids::EpisodeId(e.parse().map_err(|_| bad("episode"))?)),
        None => None,
    };
    let before = match q.before.as_deref().filter(|s| !s.is_empty()) {
        Some(b) => {
            let (a, e) = b.split_once(':').ok_or_else(|| bad("before"))?;
            Some((
                EntryId(a.parse().map_err(|_| bad("before"))?),
                reserv_core::ids::EpisodeId(e.parse().map_err(|_| bad("before"))?),
            ))
        }
        None => None,
    };
    Ok(reserv_app::audit::PatientReadsInput {
        patient: q.patient,
        episode,
        actor: q.actor,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        before,
    })
}

/// Who has read which patient, when, from where and through which view:
/// one row per read and patient, newest first. An auditor of a region sees
/// every read; another auditor the reads by their organisation's staff and
/// the reads of episodes in its chain of care.
#[utoipa::path(
    get, path = "/audit/patient-reads", tag = "audit", security(("bearer" = [])), params(PatientReadsParams),
    responses(
        (status = 200, description = "Patient reads, newest first", body = Vec<reserv_store::PatientRead>),
        (status = 400, description = "A malformed query parameter (`invalid_query`, `invalid_id`)", body = ApiErrorBody),
        (status = 403, description = "May not read the audit log", body = ApiErrorBody),
        (status = 422, description = "Not a personnummer or reserve number", body = ApiErrorBody),
    )
)]
pub async fn patient_reads(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<reserv_store::PatientRead>>> {
    let input = patient_reads_input(raw.as_deref())?;
    Ok(Json(st.app.patient_reads(&p, input).await?))
}

/// The patient reads as CSV (`;`, UTF-8 with BOM, Swedish headings).
#[utoipa::path(
    get, path = "/audit/patient-reads.csv", tag = "audit", security(("bearer" = [])), params(PatientReadsParams),
    responses(
        (status = 200, description = "CSV (semicolon-separated, UTF-8)", content_type = "text/csv", body = String),
        (status = 400, description = "A malformed query parameter (`invalid_query`, `invalid_id`)", body = ApiErrorBody),
        (status = 403, description = "May not read the audit log", body = ApiErrorBody),
        (status = 422, description = "Not a personnummer or reserve number", body = ApiErrorBody),
    )
)]
pub async fn patient_reads_csv(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::response::Response> {
    let input = patient_reads_input(raw.as_deref())?;
    Ok(crate::kit::csv::csv_response(st.app.patient_reads_csv(&p, input).await?))
}
