//! The accounts API: bearer tokens, `/me`, users and the audit log.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use reserv_app::users::NewUserInput;
use reserv_core::ids::EntryId;
use reserv_store::{AuditQuery, SessionKind};

use crate::AppState;
use crate::kit::api::{ApiError, ApiLang, ApiResult, ApiUser, Parts2, bad_request, ok, parse_json};
use crate::kit::i18n::Lang;

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

fn user_json(u: &reserv_store::UserRecord) -> serde_json::Value {
    json!({ "id": u.id, "username": u.username, "display_name": u.display_name, "org": u.org, "role": u.role, "created_at": u.created_at, "routine_roles": u.routine_roles })
}

pub async fn me(ApiUser(p, _): ApiUser) -> ApiResult {
    ok(StatusCode::OK, user_json(&p.user))
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
        bad_request("invalid_query", msg)
    })?;
    let before = match q.before {
        Some(b) => Some(EntryId(b.parse().map_err(|_| bad_request("invalid_id", "before: ogiltigt id".into()))?)),
        None => None,
    };
    let query = AuditQuery { limit: q.limit.unwrap_or(100).clamp(1, 1000), before, action_prefix: q.action };
    let records = st.app.audit_log(&p, query).await.map_err(|e| ApiError::new(lang, &e))?;
    ok(StatusCode::OK, records)
}
