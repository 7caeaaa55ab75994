//! The JSON API under `/api/v1`: its extractors, its one error shape and the
//! OpenAPI document generated from the handlers' `#[utoipa::path]`
//! annotations. Clients get a bearer token from `POST /api/v1/auth/token`.
//!
//! - [`ApiJson`] reads a body: `Content-Type: application/json` or 415,
//!   strict parsing (an unknown field is a 400 `unknown_field` naming it,
//!   anything else a 400 `malformed_json`).
//! - [`OutageIdPath`], [`EpisodeIdPath`], [`MessageIdPath`] parse the one id
//!   in the path; a malformed id is simply not found (404).
//! - [`ApiError`] is `From<AppError>`, so handlers use `?`. Every error is
//!   `{"error": {"code", "message", "field"?}}`; the message is Swedish, and
//!   [`localize`] (a layer on the API router) re-renders it in English when
//!   the request asks for `Accept-Language: en`.

use std::borrow::Cow;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use reserv_app::{AppError, Origin, Principal};
use reserv_core::ids::{EntryId, EpisodeId, OutageId};
use reserv_store::SessionKind;

use crate::AppState;
use crate::kit::ctx::origin_of;
use crate::kit::i18n::Lang;
use crate::kit::respond::status_of;

/// An API error: status, stable code, the message in both languages and the
/// field it concerns.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    sv: String,
    en: String,
    field: Option<Cow<'static, str>>,
}

/// The error shape of every API error.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ApiErrorBody {
    pub error: ErrorDetail,
}

/// An error's stable code, its message for people and the field it concerns.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`not_found`, `required`, `unknown_field`, …).
    pub code: String,
    /// For people: Swedish, or English with `Accept-Language: en`.
    pub message: String,
    /// The request field the error concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        if matches!(e, AppError::Unavailable(_) | AppError::Internal(_)) {
            tracing::error!(error = %e, "API request failed");
        }
        ApiError {
            status: status_of(&e),
            code: e.code(),
            sv: e.message_sv(),
            en: e.message_en(),
            field: e.field().map(Cow::Borrowed),
        }
    }
}

impl From<reserv_core::error::DomainError> for ApiError {
    fn from(e: reserv_core::error::DomainError) -> ApiError {
        ApiError::from(AppError::from(e))
    }
}

impl ApiError {
    /// An error of the edge itself (not of the application), in both languages.
    pub fn new(status: StatusCode, code: &'static str, sv: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError { status, code, sv: sv.into(), en: en.into(), field: None }
    }

    /// The same error with another status and code.
    pub fn with_status(mut self, status: StatusCode, code: &'static str) -> ApiError {
        self.status = status;
        self.code = code;
        self
    }

    /// The same error naming a field.
    pub fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    fn body(&self, lang: Lang) -> ApiErrorBody {
        let message = match lang {
            Lang::Sv => self.sv.clone(),
            Lang::En => self.en.clone(),
        };
        ApiErrorBody {
            error: ErrorDetail { code: self.code.to_owned(), message, field: self.field.as_deref().map(str::to_owned) },
        }
    }
}

impl IntoResponse for ApiError {
    /// Swedish; [`localize`] turns it English when asked.
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body(Lang::Sv))).into_response();
        r.extensions_mut().insert(self);
        r
    }
}

/// The API router's layer: an error answer is in the request's language.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let mut res = next.run(req).await;
    if lang == Lang::En
        && let Some(e) = res.extensions().get::<ApiError>()
    {
        let body = serde_json::to_vec(&e.body(lang)).unwrap_or_default();
        res.headers_mut().remove(CONTENT_LENGTH);
        *res.body_mut() = Body::from(body);
    }
    res
}

/// A result of the API.
pub type ApiResult<T = Response> = Result<T, ApiError>;

/// `201 Created` with a JSON body.
pub type Created<T> = (StatusCode, Json<T>);

pub fn created<T>(v: T) -> Created<T> {
    (StatusCode::CREATED, Json(v))
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_tag).unwrap_or(Lang::Sv)
}

/// The caller's language, for what is not an error (CSV labels).
pub struct ApiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ApiLang(lang_of(&parts.headers)))
    }
}

/// The caller's address, for the audit log.
pub struct ApiOrigin(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for ApiOrigin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ApiOrigin(origin_of(&parts.extensions)))
    }
}

/// The person behind a bearer token.
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        let origin = origin_of(&parts.extensions);
        Ok(ApiUser(st.app.authenticate(token, SessionKind::Api, origin).await?))
    }
}

/// A JSON body, parsed strictly into `T` (the application's input types
/// derive `Deserialize` with `deny_unknown_fields`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Begäran måste ha Content-Type: application/json.",
                "The request must have Content-Type: application/json.",
            ));
        }
        let body = Bytes::from_request(req, st).await.map_err(|rej| {
            ApiError::new(
                rej.status(),
                "unreadable_body",
                "Begärans innehåll kunde inte läsas.",
                "The request body could not be read.",
            )
        })?;
        serde_json::from_slice(&body).map(ApiJson).map_err(json_error)
    }
}

/// serde_json's error as the API's: an unknown field is named.
fn json_error(e: serde_json::Error) -> ApiError {
    let text = e.to_string();
    if let Some(name) = text.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()) {
        let name: String = name.chars().take(64).collect();
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_field",
            format!("Okänt fält: {name}."),
            format!("Unknown field: {name}."),
        )
        .with_field(name);
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_json",
        format!("Ogiltig JSON: {e}"),
        format!("Malformed JSON: {e}"),
    )
}

/// A 400 for a query string that does not parse.
pub fn invalid_query(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        format!("Ogiltig parameter i adressen: {e}"),
        format!("Malformed query parameter: {e}"),
    )
}

/// Path extractors for one id each: parsed one way, and a malformed id is
/// simply not found. Each also describes its parameter for the document.
macro_rules! id_path {
    ($(#[$m:meta])* $name:ident($ty:ty), $what:literal) => {
        $(#[$m])*
        pub struct $name(pub $ty);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;
            async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<Self, ApiError> {
                let Path(raw) = Path::<String>::from_request_parts(parts, st).await.map_err(|_| AppError::NotFound)?;
                Ok($name(raw.parse().map_err(|_| AppError::NotFound)?))
            }
        }

        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                vec![id_param($what)]
            }
        }
    };
}

fn id_param(what: &str) -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(utoipa::openapi::Required::True)
        .description(Some(format!("The {what}'s id (a UUID); a malformed id is not found (404).")))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid))),
        ))
        .build()
}

id_path!(
    /// `{id}` of an outage.
    OutageIdPath(OutageId), "outage"
);
id_path!(
    /// `{id}` of a handover episode.
    EpisodeIdPath(EpisodeId), "episode"
);
id_path!(
    /// `{id}` of a notification message.
    MessageIdPath(EntryId), "message"
);

/// The API's fallback: no such route. It marks its answer with [`NoRoute`]
/// so that the tests can tell "no route" from "no such record".
pub async fn api_not_found() -> Response {
    let mut r = ApiError::from(AppError::NotFound).into_response();
    r.extensions_mut().insert(NoRoute);
    r
}

/// Marks the fallback's answer (visible to in-process tests only).
#[derive(Debug, Clone, Copy)]
pub struct NoRoute;

// ---- the OpenAPI document ----

/// The document's frame: info, tags, the bearer scheme, the error schema and
/// the error answers every operation may give. Operations come from the
/// handlers' `#[utoipa::path]` through `utoipa_axum`'s router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Reserv API",
        version = "1",
        description = "The JSON API of Reserv. Authenticate with `POST /api/v1/auth/token` and send \
                       `Authorization: Bearer <token>`. Bodies are JSON of known fields only; every error is \
                       `{\"error\": {\"code\", \"message\", \"field\"?}}`, messages Swedish unless \
                       `Accept-Language: en`."
    ),
    components(schemas(ApiErrorBody)),
    tags(
        (name = "auth", description = "Bearer tokens and the caller"),
        (name = "reference data", description = "Systems, organisations and contacts"),
        (name = "outages", description = "The outage register"),
        (name = "backentry", description = "Back-entry worklists and reports"),
        (name = "checklist", description = "\"Vad gör jag nu?\" checklists"),
        (name = "routines", description = "Downtime routines per system and role"),
        (name = "handover log", description = "Episodes, logged calls and gaps"),
        (name = "deviations", description = "Deviation reports of an outage"),
        (name = "notifications", description = "Messages of an outage and their acknowledgements"),
        (name = "public", description = "No login: the public status and subscriptions"),
        (name = "users", description = "Accounts"),
        (name = "audit", description = "The audit log"),
        (name = "meta", description = "This document")
    )
)]
pub struct ApiDoc;

/// The name of the bearer scheme in `security(...)`.
pub const BEARER: &str = "bearer";

/// Completes the document once its operations are in: the bearer scheme,
/// and the 401 (secured operations), 500 and 503 every operation may answer.
pub fn finish(doc: &mut utoipa::openapi::OpenApi) {
    Frame.modify(doc)
}

struct Frame;

impl Modify for Frame {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
        );
        let error = |d: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(d)
                    .content(
                        "application/json",
                        utoipa::openapi::ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build(),
                    )
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.post, &mut item.patch, &mut item.delete, &mut item.put].into_iter().flatten()
            {
                let meta = op.tags.as_ref().is_some_and(|t| t.iter().any(|t| t == "meta"));
                if meta {
                    continue;
                }
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                if secured {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error("No valid bearer token (`unauthenticated`)."));
                }
                responses.entry("500".into()).or_insert_with(|| error("Internal error (`internal`)."));
                responses.entry("503".into()).or_insert_with(|| error("The store is unavailable (`unavailable`)."));
            }
        }
    }
}

/// The value of one query parameter (the last one wins), `None` when absent
/// or blank; lenient, so a malformed query string is read as far as it can be.
pub fn query_param(raw: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.trim().is_empty())
}
