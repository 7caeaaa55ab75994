//! `/routines/{system}`: a system's routines for screen and paper. `?role=`
//! keeps one role's steps (and everyone's). Readable without a login: the
//! routines hold no patient data, and seed 003 sends private care providers
//! (who have no account) a link to them (`reserv_core::notify::links`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_core::routine::RoutineRole;
use reserv_core::time::format_local;

use super::view::*;
use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::respond::{fail, render};
use crate::kit::view::Layout;
#[derive(Template)]
#[template(path = "routine.html")]
struct RoutinePage {
    l: Layout,
    r: &'static RoutineTexts,
    v: RoutineDocView,
    roles: Vec<(&'static str, &'static str)>,
    printed: String,
}

#[derive(Deserialize, Default)]
pub struct RoleQuery {
    role: Option<String>,
}

/// `GET /routines/{system}?role=`.
pub async fn routine(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(system): Path<String>,
    Query(q): Query<RoleQuery>,
) -> Response {
    let v = match st.app.system_routines(&system, q.role.as_deref()) {
        Ok(r) => routine_view(ctx.lang, &r),
        Err(e) => return fail(&ctx, e),
    };
    let page = RoutinePage {
        l: Layout::new(&ctx, &st.app).await,
        r: texts(ctx.lang),
        v,
        roles: RoutineRole::ALL.iter().map(|x| (x.key(), pick(ctx.lang, x.label_sv(), x.label_en()))).collect(),
        printed: format_local(st.app.now()),
    };
    render(StatusCode::OK, &page)
}
