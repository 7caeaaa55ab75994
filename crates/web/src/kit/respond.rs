//! The HTML pages. Each handler reads the request context, calls one
//! application service and renders a template; errors become a Swedish (or
//! English) message on the page with the right status. Every flow works
//! without JavaScript: forms post, the server answers with 303 or the form
//! again.

use askama::Template;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use reserv_app::AppError;

use crate::kit::ctx::Ctx;
use crate::kit::i18n::role_label;
use crate::kit::view::{FormError, Layout, UserBadge};

/// The one mapping from application errors to HTTP statuses.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadCredentials | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::LoginThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::OngoingOnSameSystem { .. } => StatusCode::CONFLICT,
        AppError::RateLimited | AppError::SubscriptionThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An id from the path. The pages answer a malformed id as they answer an
/// unknown one: not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// Renders a template, or a plain 500 if rendering itself fails.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internt fel / internal error").into_response()
        }
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")))])
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    message: String,
}

/// An error page that needs no store access (used by the middleware too).
pub fn error_page(ctx: &Ctx, status: StatusCode, message: String) -> Response {
    let user = ctx.principal.as_ref().map(|p| UserBadge {
        name: p.user.display_name.clone(),
        role: role_label(ctx.lang, p.user.role),
        org: p.user.org.to_string(),
        manages_outages: p.user.role.may_manage_outages(),
        manages_users: p.user.role.may_manage_users(),
        reads_audit: p.user.role.may_read_audit_log(),
        manages_subscriptions: reserv_core::access::Permissions::of(p.user.role).manages_subscriptions,
    });
    let l = Layout { lang: ctx.lang.code(), t: ctx.lang.texts(), user, csrf: ctx.csrf.clone(), path: ctx.path.clone() };
    render(status, &ErrorPage { l, message })
}

/// The page for a failed service call: to the login page if not logged in.
pub(crate) fn fail(ctx: &Ctx, e: AppError) -> Response {
    match e {
        AppError::Unauthenticated => see_other("/login"),
        AppError::NotFound => error_page(ctx, StatusCode::NOT_FOUND, ctx.lang.texts().not_found.into()),
        e => {
            if matches!(e, AppError::Unavailable(_) | AppError::Internal(_)) {
                tracing::error!(error = %e, "request failed");
            }
            let msg = FormError::from_app(ctx.lang, &e).message;
            error_page(ctx, status_of(&e), msg)
        }
    }
}

pub async fn not_found(ctx: Ctx) -> Response {
    error_page(&ctx, StatusCode::NOT_FOUND, ctx.lang.texts().not_found.into())
}

pub async fn stylesheet() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/reserv.css"),
    )
        .into_response()
}

/// The icon browsers show in the tab, at `/static/favicon.svg` and at
/// `/favicon.ico` (where browsers look unasked), cached like the stylesheet.
pub async fn favicon() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/favicon.svg"),
    )
        .into_response()
}
