//! The HTML pages. Each handler reads the request context, calls one
//! application service and renders a template; errors become a Swedish (or
//! English) message on the page with the right status. Every flow works
//! without JavaScript: forms post, the server answers with 303 or the form
//! again.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{kind_label, status_label};
use crate::kit::respond::{fail, render};
use crate::kit::view::Layout;

// ---- public status ----

pub struct PublicRow {
    id: String,
    system_name: String,
    status: &'static str,
    kind: &'static str,
    start: String,
    expected_end: String,
    restored_at: String,
    public_notice: String,
}

#[derive(Template)]
#[template(path = "public_status.html")]
struct PublicPage {
    l: Layout,
    rows: Vec<PublicRow>,
    updated: String,
    subscribe: Option<crate::subscriptions::pages::SubscribeBox>,
}

pub async fn public_status(State(st): State<AppState>, ctx: Ctx) -> Response {
    let rows = match st.app.public_status().await {
        Ok(r) => r,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let rows = rows
        .into_iter()
        .map(|r| PublicRow {
            id: r.id.to_string(),
            system_name: r.system_name,
            status: status_label(lang, r.status),
            kind: kind_label(lang, r.kind),
            start: format_local(r.start),
            expected_end: r.expected_end.map(format_local).unwrap_or_else(|| "–".into()),
            restored_at: r.restored_at.map(format_local).unwrap_or_else(|| "–".into()),
            public_notice: r.public_notice,
        })
        .collect();
    let subscribe = crate::subscriptions::pages::subscribe_box(&st, &ctx, String::new(), &[], None);
    let page = PublicPage { l: Layout::new(&ctx, &st.app).await, rows, updated: format_local(st.app.now()), subscribe };
    render(StatusCode::OK, &page)
}

// ---- one outage's public facts ----

#[derive(Template)]
#[template(path = "public_outage.html")]
struct PublicOutagePage {
    l: Layout,
    id: String,
    system: String,
    system_name: String,
    status: &'static str,
    kind: &'static str,
    scope: &'static str,
    start: String,
    expected_end: String,
    restored_at: String,
    updated: String,
    has_routines: bool,
    public_notice: String,
}

/// `GET /status/outages/{id}`: the public facts of one outage, no login.
pub async fn public_outage(
    State(st): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let d = match crate::kit::respond::parse_id(&raw) {
        Ok(id) => st.app.public_outage(id).await,
        Err(e) => Err(e),
    };
    let d = match d {
        Ok(d) => d,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let o = d.outage;
    let page = PublicOutagePage {
        l: Layout::new(&ctx, &st.app).await,
        id: o.id.to_string(),
        system: o.system.to_string(),
        system_name: o.system_name,
        status: status_label(lang, o.status),
        kind: kind_label(lang, o.kind),
        scope: crate::kit::i18n::scope_label(lang, d.scope),
        start: format_local(o.start),
        expected_end: o.expected_end.map(format_local).unwrap_or_else(|| "–".into()),
        restored_at: o.restored_at.map(format_local).unwrap_or_else(|| "–".into()),
        updated: format_local(o.updated_at),
        has_routines: d.has_routines,
        public_notice: o.public_notice,
    };
    render(StatusCode::OK, &page)
}
