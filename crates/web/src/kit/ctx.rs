//! The request context of the HTML pages: language, logged-in person and CSRF
//! token, resolved once per request by [`session_layer`]. That layer also
//! enforces CSRF on every form post: with a session the token must equal the
//! session's; before login it must equal the `reserv_csrf` cookie (double
//! submit). A post that fails is refused with 403 before any handler runs.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use reserv_app::auth::random_token;
use reserv_app::{Origin, Principal};
use reserv_store::SessionKind;

use crate::AppState;
use crate::kit::i18n::Lang;
use crate::kit::respond::error_page;

pub const SESSION_COOKIE: &str = "reserv_session";
pub const CSRF_COOKIE: &str = "reserv_csrf";
pub const LANG_COOKIE: &str = "reserv_lang";

/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// What every HTML handler knows about the request.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub principal: Option<Principal>,
    /// The token to put in forms.
    pub csrf: String,
    /// The path, for the language links.
    pub path: String,
    /// The client address, for the audit log.
    pub origin: Origin,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client address for the audit log and the throttles: the one
/// `proxy::client_address` found (the TCP peer unless that is a trusted proxy).
pub fn origin_of(parts_ext: &axum::http::Extensions) -> Origin {
    if let Some(c) = parts_ext.get::<crate::kit::proxy::ClientAddr>() {
        return Origin(c.0.to_string());
    }
    Origin(parts_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into()))
}

/// A `Set-Cookie` value with Reserv's attributes.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// Resolves [`Ctx`] and enforces CSRF for every non-API request.
pub async fn session_layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let headers = &parts.headers;
    let lang = match cookie(headers, LANG_COOKIE) {
        Some(l) => Lang::from_tag(l),
        None => Lang::Sv,
    };
    let origin = origin_of(&parts.extensions);
    let principal = match cookie(headers, SESSION_COOKIE) {
        Some(token) if is_token(token) => st.app.authenticate(token, SessionKind::Browser, origin.clone()).await.ok(),
        _ => None,
    };
    let (pre_csrf, new_cookie) = match cookie(headers, CSRF_COOKIE) {
        Some(v) if is_token(v) => (v.to_owned(), false),
        _ => match random_token() {
            Ok(t) => (t, true),
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
    };
    let csrf = principal.as_ref().map(|p| p.session.csrf_token.clone()).unwrap_or_else(|| pre_csrf.clone());
    let ctx = Ctx { lang, principal, csrf, path: safe_path(parts.uri.path()), origin };

    let body = if parts.method == Method::POST {
        let bytes: Bytes = match http_body_util::Limited::new(body, MAX_FORM_BYTES).collect().await {
            Ok(c) => c.to_bytes(),
            Err(_) => return error_page(&ctx, StatusCode::PAYLOAD_TOO_LARGE, "413".into()),
        };
        let sent = serde_urlencoded::from_bytes::<CsrfField>(&bytes).ok().and_then(|f| f.csrf);
        if !sent.is_some_and(|s| equal(&s, &ctx.csrf)) {
            tracing::warn!(path = %parts.uri.path(), "form post refused: missing or wrong CSRF token");
            return error_page(&ctx, StatusCode::FORBIDDEN, ctx.lang.texts().csrf_refused.into());
        }
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(ctx);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    if new_cookie {
        resp.headers_mut().append(SET_COOKIE, set_cookie(CSRF_COOKIE, &pre_csrf, None, st.secure_cookies));
    }
    resp
}

/// A path that is safe to echo into a `next=` link: local, no scheme, no `//`.
pub fn safe_path(p: &str) -> String {
    if p.starts_with('/')
        && !p.starts_with("//")
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b))
    {
        p.to_owned()
    } else {
        "/".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_paths() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; reserv_lang=en; b=2"));
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(safe_path("/outages/new"), "/outages/new");
        assert_eq!(safe_path("//evil.example"), "/");
        assert_eq!(safe_path("https://evil.example"), "/");
        assert_eq!(safe_path("/a?b=<x>"), "/");
    }
}
