//! Reserv's HTTP edge: the server-rendered UI (Swedish first, English
//! second, no JavaScript needed), the JSON API under `/api/v1` with its
//! OpenAPI document, `/healthz`, and the security headers on every response.
//! Handlers call `reserv_app` services only; errors are mapped to statuses
//! here, once ([`status_of`]).

pub mod api;
pub mod checklist_api;
pub mod checklist_pages;
pub mod contacts_api;
pub mod contacts_pages;
pub mod ctx;
pub mod deviation_api;
pub mod deviation_pages;
pub mod drill_pages;
pub mod feeds;
pub mod handover_pages;
pub mod headers;
pub mod i18n;
pub mod notification_api;
pub mod notification_pages;
pub mod pages;
pub mod routine_pages;
pub mod subscription_pages;
pub mod view;
pub mod worklist_pages;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Router, middleware};

use reserv_app::{App, AppError};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Set cookies with `Secure` (Reserv is served over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
}

/// The one mapping from application errors to HTTP statuses.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadCredentials | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The API routes: (method, path) as the OpenAPI document names them.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(api::create_token).delete(api::revoke_token))
        .route("/me", get(api::me))
        .route("/systems", get(api::systems))
        .route("/organisations", get(api::organisations))
        .route("/outages", get(api::outages).post(api::declare))
        .route("/outages/{id}", get(api::outage).patch(api::amend))
        .route("/outages/{id}/end", post(api::end))
        .route("/outages/{id}/worklist", get(api::worklist).post(api::work_on_item))
        .route("/outages/{id}/backentry-report", get(api::backentry_report))
        .route("/outages/{id}/drill-report", get(api::drill_report))
        .route("/outages/{id}/statistics.csv", get(api::statistics_csv))
        .route("/public/status", get(api::public_status))
        .route("/public/subscriptions", post(subscription_pages::api_subscribe))
        .route(
            "/public/subscriptions/unsubscribe/{token}",
            get(subscription_pages::api_unsubscribe_get).post(subscription_pages::api_unsubscribe),
        )
        .route("/users", get(api::users).post(api::create_user))
        .route("/audit", get(api::audit))
        .route("/episodes", get(api::episodes).post(api::register_episode))
        .route("/episodes/{id}", get(api::episode).patch(api::update_episode))
        .route("/episodes/{id}/entries", post(api::log_call))
        .route("/gaps", get(api::gaps))
        .route("/outages/{id}/deviations", get(deviation_api::deviations).post(deviation_api::report))
        .route("/outages/{id}/deviations.csv", get(deviation_api::deviations_csv))
        .route("/outages/{id}/checklist", get(checklist_api::checklist).post(checklist_api::tick))
        .route("/outages/{id}/checklist/unit", get(checklist_api::unit))
        .route("/contacts", get(contacts_api::contacts))
        .route("/contacts/phone-list", get(contacts_api::phone_list))
        .route("/outages/{id}/messages", get(notification_api::messages))
        .route("/messages/{id}/acknowledge", post(notification_api::acknowledge))
        .route("/messages/{id}/requeue", post(notification_api::requeue))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::api_not_found)
}

/// The whole application, testable without a socket.
pub fn router(st: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang/{code}", get(pages::set_language))
        .route("/status", get(pages::public_status))
        .route("/status.atom", get(feeds::atom))
        .route("/calendar", get(feeds::calendar))
        .route("/calendar.ics", get(feeds::calendar_ics))
        .route("/systems", get(pages::systems))
        .route("/outages", post(pages::declare))
        .route("/outages/new", get(pages::declare_form))
        .route("/outages/{id}", get(pages::outage))
        .route("/outages/{id}/end", post(pages::end))
        .route("/outages/{id}/amend", post(pages::amend))
        .route("/outages/{id}/worklist", get(worklist_pages::worklist).post(worklist_pages::work))
        .route("/outages/{id}/report", get(worklist_pages::report))
        .route("/outages/{id}/drill-report", get(drill_pages::drill_report))
        .route("/outages/{id}/statistics.csv", get(worklist_pages::statistics_csv))
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/audit", get(pages::audit))
        .route("/episodes", get(handover_pages::episodes).post(handover_pages::register))
        .route("/episodes/new", get(handover_pages::new_episode))
        .route("/episodes/print", get(handover_pages::ward_print))
        .route("/episodes/{id}", get(handover_pages::episode))
        .route("/episodes/{id}/entries", post(handover_pages::log_call))
        .route("/episodes/{id}/update", post(handover_pages::update))
        .route("/episodes/{id}/print", get(handover_pages::episode_print))
        .route("/gaps", get(handover_pages::gaps))
        .route("/forms/blank", get(handover_pages::blank_form))
        .route("/outages/{id}/deviations", get(deviation_pages::deviations).post(deviation_pages::report))
        .route("/outages/{id}/deviations.csv", get(deviation_pages::csv))
        .route("/outages/{id}/deviations/print", get(deviation_pages::print))
        .route("/outages/{id}/checklist", get(checklist_pages::checklist).post(checklist_pages::tick))
        .route("/outages/{id}/checklist/unit", get(checklist_pages::unit))
        .route("/contacts", get(contacts_pages::contacts))
        .route("/contacts/print", get(contacts_pages::print))
        .route("/routines/{system}", get(routine_pages::routine))
        .route("/outages/{id}/messages/{message}/acknowledge", post(notification_pages::acknowledge))
        .route("/outages/{id}/messages/{message}/requeue", post(notification_pages::requeue))
        .route("/ack/{token}", get(notification_pages::ack_form).post(notification_pages::ack))
        .route("/subscriptions", post(subscription_pages::subscribe))
        .route(
            "/subscriptions/confirm/{token}",
            get(subscription_pages::confirm_form).post(subscription_pages::confirm),
        )
        .route(
            "/subscriptions/unsubscribe/{token}",
            get(subscription_pages::unsubscribe_form).post(subscription_pages::unsubscribe),
        )
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(st.clone(), ctx::session_layer));
    Router::new()
        .nest("/api/v1", api_router())
        .route("/healthz", get(api::healthz))
        .route("/static/reserv.css", get(pages::stylesheet))
        .merge(pages)
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(st)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    st: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(st).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
