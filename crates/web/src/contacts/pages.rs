//! `/contacts` (search, å/ä/ö and digits) and `/contacts/print` (a unit's
//! one-page phone list).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::view::*;
use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::Layout;
#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    l: Layout,
    c: &'static ContactTexts,
    query: String,
    total: usize,
    /// The viewer's own region's groups, shown open.
    own: Vec<GroupView>,
    own_hits: usize,
    /// The other regions, folded under "Andra regioner".
    others: Vec<GroupView>,
    units: Vec<(String, String)>,
    unit: String,
}

#[derive(Template)]
#[template(path = "contacts_print.html")]
struct PrintPage {
    l: Layout,
    c: &'static ContactTexts,
    v: PhoneListView,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /contacts?q=`: the search, and the form to print a unit's phone list.
pub async fn contacts(State(st): State<AppState>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let found = match st.app.contacts_page(p, &q.q).await {
        Ok(page) => page,
        Err(e) => return fail(&ctx, e),
    };
    let cat = st.app.catalogue();
    let own = groups_view(ctx.lang, &found.own, cat, "region");
    let others = groups_view(ctx.lang, &found.others, cat, "other-region");
    let page = ContactsPage {
        l: Layout::new(&ctx, &st.app).await,
        c: texts(ctx.lang),
        query: found.query,
        total: found.total,
        own_hits: own.iter().map(|g| g.entries.len()).sum(),
        own,
        others,
        units: found.units.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
        unit: p.user.org.to_string(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    unit: Option<String>,
}

/// `GET /contacts/print?unit=`: the one-page phone list of a unit (default:
/// the logged-in person's organisation).
pub async fn print(State(st): State<AppState>, ctx: Ctx, Query(q): Query<PrintQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let unit = q.unit.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| p.user.org.to_string());
    let list = match st.app.phone_list(&unit).await {
        Ok(l) => l,
        Err(e) => return fail(&ctx, e),
    };
    let page = PrintPage {
        l: Layout::new(&ctx, &st.app).await,
        c: texts(ctx.lang),
        v: phone_list_view(ctx.lang, &list, st.app.catalogue()),
    };
    render(StatusCode::OK, &page)
}
