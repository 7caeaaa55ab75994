//! The subscribers page for IT (`/subscribers`): every subscription that
//! has not ended, and a button to remove one (an unsubscribe entry on its
//! timeline, audited). Who may see it, and who sees addresses in full, is
//! decided by the service (`reserv_core::access`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_core::ids::EntryId;
use reserv_core::subscription::SubStatus;
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::paging::Paging;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::Layout;

pub struct Row {
    id: String,
    email: String,
    systems: String,
    status: &'static str,
    since: String,
    removable: bool,
}

#[derive(Template)]
#[template(path = "subscribers.html")]
struct SubscribersPage {
    l: Layout,
    rows: Vec<Row>,
    note: Option<&'static str>,
    paging: Paging,
}

/// Subscribers per page.
const PER_PAGE: usize = 200;

#[derive(Deserialize)]
pub struct RemovedQuery {
    removed: Option<String>,
    page: Option<usize>,
}

/// `GET /subscribers`.
pub async fn subscribers(State(st): State<AppState>, ctx: Ctx, Query(q): Query<RemovedQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login?next=/subscribers");
    };
    let list = match st.app.subscribers(p).await {
        Ok(l) => l,
        Err(e) => return fail(&ctx, e),
    };
    let t = ctx.lang.texts();
    let sub = super::pages::texts_for(ctx.lang);
    let paging = Paging::new(list.len(), PER_PAGE, q.page);
    let rows = list
        .into_iter()
        .skip((paging.current - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|s| Row {
            id: s.id.to_string(),
            email: s.email,
            systems: if s.systems.is_empty() { sub.all_systems.to_owned() } else { s.systems.join(", ") },
            status: match s.status {
                SubStatus::Pending => sub.pending,
                SubStatus::Active => sub.active,
                SubStatus::Expired => sub.expired,
                SubStatus::Unsubscribed => sub.unsubscribed,
            },
            since: format_local(s.confirmed_at.unwrap_or(s.requested_at)),
            removable: s.removable,
        })
        .collect();
    let note = q.removed.is_some().then_some(t.subscribers_removed);
    render(StatusCode::OK, &SubscribersPage { l: Layout::new(&ctx, &st.app).await, rows, note, paging })
}

/// `POST /subscribers/{id}/remove`.
pub async fn remove(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let Ok(id) = id.parse().map(EntryId) else {
        return fail(&ctx, AppError::NotFound);
    };
    match st.app.remove_subscriber(p, id).await {
        Ok(_) => see_other("/subscribers?removed=1"),
        Err(e) => fail(&ctx, e),
    }
}
