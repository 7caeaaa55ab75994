//! Reserv's HTTP edge: the server-rendered UI (Swedish first, English
//! second, no JavaScript needed), the JSON API under `/api/v1` with its
//! OpenAPI document, `/healthz`, and the security headers on every response.
//! Handlers call `reserv_app` services only; errors are mapped to statuses
//! here, once ([`status_of`]).

pub mod accounts;
pub mod backentry;
pub mod checklists;
pub mod contacts;
pub mod deviations;
pub mod drills;
pub mod handover;
pub mod kit;
pub mod notifications;
pub mod outages;
pub mod public;
pub mod routines;
pub mod subscriptions;

pub use kit::i18n;
pub use kit::respond::status_of;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::{Router, middleware};

use reserv_app::App;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Set cookies with `Secure` (Reserv is served over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
}

/// The API routes: (method, path) as the OpenAPI document names them.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(accounts::api::create_token).delete(accounts::api::revoke_token))
        .route("/me", get(accounts::api::me))
        .route("/systems", get(outages::api::systems))
        .route("/organisations", get(outages::api::organisations))
        .route("/outages", get(outages::api::outages).post(outages::api::declare))
        .route("/outages/{id}", get(outages::api::outage).patch(outages::api::amend))
        .route("/outages/{id}/end", post(outages::api::end))
        .route("/outages/{id}/worklist", get(backentry::api::worklist).post(backentry::api::work_on_item))
        .route("/outages/{id}/backentry-report", get(backentry::api::backentry_report))
        .route("/outages/{id}/drill-report", get(drills::api::drill_report))
        .route("/outages/{id}/statistics.csv", get(backentry::api::statistics_csv))
        .route("/public/status", get(public::api::public_status))
        .route("/public/subscriptions", post(subscriptions::api::api_subscribe))
        .route(
            "/public/subscriptions/unsubscribe/{token}",
            get(subscriptions::api::api_unsubscribe_get).post(subscriptions::api::api_unsubscribe),
        )
        .route("/users", get(accounts::api::users).post(accounts::api::create_user))
        .route("/audit", get(accounts::api::audit))
        .route("/episodes", get(handover::api::episodes).post(handover::api::register_episode))
        .route("/episodes/{id}", get(handover::api::episode).patch(handover::api::update_episode))
        .route("/episodes/{id}/entries", post(handover::api::log_call))
        .route("/gaps", get(handover::api::gaps))
        .route("/outages/{id}/deviations", get(deviations::api::deviations).post(deviations::api::report))
        .route("/outages/{id}/deviations.csv", get(deviations::api::deviations_csv))
        .route("/outages/{id}/checklist", get(checklists::api::checklist).post(checklists::api::tick))
        .route("/outages/{id}/checklist/unit", get(checklists::api::unit))
        .route("/contacts", get(contacts::api::contacts))
        .route("/contacts/phone-list", get(contacts::api::phone_list))
        .route("/outages/{id}/messages", get(notifications::api::messages))
        .route("/messages/{id}/acknowledge", post(notifications::api::acknowledge))
        .route("/messages/{id}/requeue", post(notifications::api::requeue))
        .route("/openapi.json", get(kit::api::openapi))
        .fallback(kit::api::api_not_found)
}

/// The whole application, testable without a socket.
pub fn router(st: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(outages::pages::home))
        .route("/login", get(accounts::pages::login_form).post(accounts::pages::login))
        .route("/logout", post(accounts::pages::logout))
        .route("/lang/{code}", get(accounts::pages::set_language))
        .route("/status", get(public::pages::public_status))
        .route("/status.atom", get(public::feeds::atom))
        .route("/calendar", get(public::feeds::calendar))
        .route("/calendar.ics", get(public::feeds::calendar_ics))
        .route("/systems", get(outages::pages::systems))
        .route("/outages", post(outages::pages::declare))
        .route("/outages/new", get(outages::pages::declare_form))
        .route("/outages/{id}", get(outages::pages::outage))
        .route("/outages/{id}/end", post(outages::pages::end))
        .route("/outages/{id}/amend", post(outages::pages::amend))
        .route("/outages/{id}/worklist", get(backentry::pages::worklist).post(backentry::pages::work))
        .route("/outages/{id}/report", get(backentry::pages::report))
        .route("/outages/{id}/drill-report", get(drills::pages::drill_report))
        .route("/outages/{id}/statistics.csv", get(backentry::pages::statistics_csv))
        .route("/users", get(accounts::pages::users).post(accounts::pages::create_user))
        .route("/audit", get(accounts::pages::audit))
        .route("/episodes", get(handover::pages::episodes).post(handover::pages::register))
        .route("/episodes/new", get(handover::pages::new_episode))
        .route("/episodes/print", get(handover::pages::ward_print))
        .route("/episodes/{id}", get(handover::pages::episode))
        .route("/episodes/{id}/entries", post(handover::pages::log_call))
        .route("/episodes/{id}/update", post(handover::pages::update))
        .route("/episodes/{id}/print", get(handover::pages::episode_print))
        .route("/gaps", get(handover::pages::gaps))
        .route("/forms/blank", get(handover::pages::blank_form))
        .route("/outages/{id}/deviations", get(deviations::pages::deviations).post(deviations::pages::report))
        .route("/outages/{id}/deviations.csv", get(deviations::pages::csv))
        .route("/outages/{id}/deviations/print", get(deviations::pages::print))
        .route("/outages/{id}/checklist", get(checklists::pages::checklist).post(checklists::pages::tick))
        .route("/outages/{id}/checklist/unit", get(checklists::pages::unit))
        .route("/contacts", get(contacts::pages::contacts))
        .route("/contacts/print", get(contacts::pages::print))
        .route("/routines/{system}", get(routines::pages::routine))
        .route("/outages/{id}/messages/{message}/acknowledge", post(notifications::pages::acknowledge))
        .route("/outages/{id}/messages/{message}/requeue", post(notifications::pages::requeue))
        .route("/ack/{token}", get(notifications::pages::ack_form).post(notifications::pages::ack))
        .route("/subscriptions", post(subscriptions::pages::subscribe))
        .route(
            "/subscriptions/confirm/{token}",
            get(subscriptions::pages::confirm_form).post(subscriptions::pages::confirm),
        )
        .route(
            "/subscriptions/unsubscribe/{token}",
            get(subscriptions::pages::unsubscribe_form).post(subscriptions::pages::unsubscribe),
        )
        .fallback(kit::respond::not_found)
        .layer(middleware::from_fn_with_state(st.clone(), kit::ctx::session_layer));
    Router::new()
        .nest("/api/v1", api_router())
        .route("/healthz", get(public::api::healthz))
        .route("/static/reserv.css", get(kit::respond::stylesheet))
        .merge(pages)
        .layer(middleware::from_fn(kit::headers::security_headers))
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
