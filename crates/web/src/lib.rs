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
pub mod home;
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
use std::sync::{Arc, OnceLock};

use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use reserv_app::App;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Set cookies with `Secure` (Reserv is served over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security` (Reserv is served over https).
    pub hsts: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`kit::proxy`).
    pub trusted_proxies: Arc<kit::proxy::TrustedProxies>,
}

impl AppState {
    /// Plain http, no cookie `Secure`, no HSTS, no trusted proxy.
    pub fn new(app: Arc<App>) -> AppState {
        AppState { app, secure_cookies: false, hsts: false, trusted_proxies: kit::proxy::none() }
    }
}

/// The API's routes, each with its OpenAPI operation: `routes!` takes the
/// method and path from the handler's `#[utoipa::path]`, so the router and
/// the document come from one place. Nothing is routed here any other way.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::api::create_token, accounts::api::revoke_token))
        .routes(routes!(accounts::api::me))
        .routes(routes!(outages::api::systems))
        .routes(routes!(outages::api::organisations))
        .routes(routes!(outages::api::outages, outages::api::declare))
        .routes(routes!(outages::api::outage, outages::api::amend))
        .routes(routes!(outages::api::end))
        .routes(routes!(backentry::api::worklist, backentry::api::work_on_item))
        .routes(routes!(backentry::api::backentry_report))
        .routes(routes!(drills::api::drill_report))
        .routes(routes!(backentry::api::statistics_csv))
        .routes(routes!(public::api::public_status))
        .routes(routes!(subscriptions::api::api_subscribe))
        .routes(routes!(subscriptions::api::api_unsubscribe_get, subscriptions::api::api_unsubscribe))
        .routes(routes!(accounts::api::users, accounts::api::create_user))
        .routes(routes!(accounts::api::audit))
        .routes(routes!(accounts::api::patient_reads))
        .routes(routes!(accounts::api::patient_reads_csv))
        .routes(routes!(handover::api::episodes, handover::api::register_episode))
        .routes(routes!(handover::api::episode, handover::api::update_episode))
        .routes(routes!(handover::api::log_call))
        .routes(routes!(handover::api::record_sip))
        .routes(routes!(handover::api::gaps))
        .routes(routes!(deviations::api::deviations, deviations::api::report))
        .routes(routes!(deviations::api::deviations_csv))
        .routes(routes!(checklists::api::checklist, checklists::api::tick))
        .routes(routes!(checklists::api::unit))
        .routes(routes!(contacts::api::contacts))
        .routes(routes!(contacts::api::phone_list))
        .routes(routes!(notifications::api::messages))
        .routes(routes!(notifications::api::acknowledge))
        .routes(routes!(notifications::api::requeue))
        .routes(routes!(routines::api::routines))
        .routes(routes!(routines::api::routine))
        .routes(routes!(openapi_json))
}

/// The API as mounted under `/api/v1`: [`api_routes`], the fallback (404
/// `not_found`) and error messages in the request's language.
pub fn api_router() -> Router<AppState> {
    let (routes, _) = api_routes().split_for_parts();
    routes.fallback(kit::api::api_not_found).layer(middleware::from_fn(kit::api::localize))
}

/// The OpenAPI 3.1 document of the API, generated from [`api_routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = OpenApiRouter::<AppState>::with_openapi(kit::api::ApiDoc::openapi())
        .nest("/api/v1", api_routes())
        .into_openapi();
    kit::api::finish(&mut doc);
    doc
}

/// This document.
#[utoipa::path(
    get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = serde_json::Value))
)]
async fn openapi_json() -> Json<&'static serde_json::Value> {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    Json(DOC.get_or_init(|| serde_json::to_value(openapi()).unwrap_or_default()))
}

/// The whole application, testable without a socket.
pub fn router(st: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::pages::home))
        .route("/login", get(accounts::pages::login_form).post(accounts::pages::login))
        .route("/logout", post(accounts::pages::logout))
        .route("/logout/everywhere", post(accounts::pages::logout_everywhere))
        .route("/lang/{code}", get(accounts::pages::set_language))
        .route("/status", get(public::pages::public_status))
        .route("/status/outages/{id}", get(public::pages::public_outage))
        .route("/status.atom", get(public::feeds::atom))
        .route("/calendar", get(public::feeds::calendar))
        .route("/calendar.ics", get(public::feeds::calendar_ics))
        .route("/systems", get(outages::pages::systems))
        .route("/notifications/plan", get(notifications::plan::plan_trial))
        .route("/outages", post(outages::pages::declare))
        .route("/outages/new", get(outages::pages::declare_form))
        .route("/outages/{id}", get(outages::pages::outage))
        .route("/outages/{id}/end", get(outages::pages::end_form).post(outages::pages::end))
        .route("/outages/{id}/amend", post(outages::pages::amend))
        .route("/outages/{id}/worklist", get(backentry::pages::worklist).post(backentry::pages::work))
        .route("/outages/{id}/report", get(backentry::pages::report))
        .route("/outages/{id}/drill-report", get(drills::pages::drill_report))
        .route("/outages/{id}/statistics.csv", get(backentry::pages::statistics_csv))
        .route("/users", get(accounts::pages::users).post(accounts::pages::create_user))
        .route("/audit", get(accounts::pages::audit))
        .route("/audit/patients", get(accounts::pages::patient_reads))
        .route("/audit/patients.csv", get(accounts::pages::patient_reads_csv))
        .route("/episodes", get(handover::pages::episodes).post(handover::pages::register))
        .route("/episodes/new", get(handover::pages::new_episode))
        .route("/episodes/print", get(handover::pages::ward_print))
        .route("/episodes/{id}", get(handover::pages::episode))
        .route("/episodes/{id}/entries", post(handover::pages::log_call))
        .route("/episodes/{id}/sips", post(handover::sips::record_sip))
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
        .route("/subscribers", get(subscriptions::admin::subscribers))
        .route("/subscribers/{id}/remove", post(subscriptions::admin::remove))
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
        .route("/static/favicon.svg", get(kit::respond::favicon))
        .route("/favicon.ico", get(kit::respond::favicon))
        .merge(pages)
        .layer(middleware::from_fn_with_state(st.clone(), kit::headers::security_headers))
        .layer(middleware::from_fn_with_state(st.clone(), kit::proxy::client_address))
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
