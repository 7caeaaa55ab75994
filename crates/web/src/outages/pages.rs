//! The HTML pages. Each handler reads the request context, calls one
//! application service and renders a template; errors become a Swedish (or
//! English) message on the page with the right status. Every flow works
//! without JavaScript: forms post, the server answers with 303 or the form
//! again.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::outages::{AmendInput, DeclareInput};
use reserv_core::ids::OutageId;
use reserv_core::outage::{OutageKind, OutageStatus, Scope};
use reserv_core::time::{format_input, is_office_hours, parse_user_time};

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, kind_label, scope_label};
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};
use crate::outages::view::OutageCard;

// ---- declaring an outage ----

#[derive(Deserialize, Default)]
pub struct DeclareForm {
    #[serde(default)]
    system: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    expected_end: String,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    public_notice: String,
    #[serde(default)]
    drill: Option<String>,
    /// Ticked after the warning that the system already has an ongoing outage.
    #[serde(default)]
    confirm_same_system: Option<String>,
}

/// The warning shown when the system already has an ongoing outage.
pub struct SameSystem {
    outage_id: String,
    message: String,
}

#[derive(Template)]
#[template(path = "outage_new.html")]
struct DeclarePage {
    l: Layout,
    errors: Vec<FormError>,
    same_system: Option<SameSystem>,
    form: DeclareForm,
    systems: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    scopes: Vec<(&'static str, &'static str)>,
}

fn scopes(lang: Lang) -> Vec<(&'static str, &'static str)> {
    [Scope::Both, Scope::Region, Scope::Municipalities].into_iter().map(|s| (s.key(), scope_label(lang, s))).collect()
}

async fn declare_page(
    st: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    form: DeclareForm,
    errors: Vec<FormError>,
    same_system: Option<SameSystem>,
) -> Response {
    let systems = st.app.catalogue().systems().iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
    let kinds =
        [OutageKind::Unplanned, OutageKind::Planned].into_iter().map(|k| (k.key(), kind_label(ctx.lang, k))).collect();
    let page = DeclarePage {
        l: Layout::new(ctx, &st.app).await,
        errors,
        same_system,
        form,
        systems,
        kinds,
        scopes: scopes(ctx.lang),
    };
    render(status, &page)
}

pub async fn declare_form(State(st): State<AppState>, ctx: Ctx) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    if !p.user.role.may_manage_outages() {
        return fail(&ctx, AppError::Forbidden);
    }
    let form = DeclareForm {
        kind: "unplanned".into(),
        scope: "both".into(),
        start: format_input(st.app.now()),
        ..Default::default()
    };
    declare_page(&st, &ctx, StatusCode::OK, form, vec![], None).await
}

pub async fn declare(State(st): State<AppState>, ctx: Ctx, Form(f): Form<DeclareForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let input = DeclareInput {
        system: f.system.clone(),
        kind: f.kind.clone(),
        scope: f.scope.clone(),
        start: f.start.clone(),
        expected_end: Some(f.expected_end.clone()),
        notice: f.notice.clone(),
        public_notice: f.public_notice.clone(),
        drill: f.drill.is_some(),
        confirm_same_system: f.confirm_same_system.is_some(),
    };
    match st.app.declare_outage(p, input).await {
        Ok(v) => see_other(&format!("/outages/{}", v.outage.id)),
        Err(e @ AppError::Invalid(_)) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            declare_page(&st, &ctx, StatusCode::UNPROCESSABLE_ENTITY, f, errs, None).await
        }
        Err(e @ AppError::OngoingOnSameSystem { outage, .. }) => {
            let message = match ctx.lang {
                Lang::Sv => e.message_sv(),
                Lang::En => e.message_en(),
            };
            let warning = SameSystem { outage_id: outage.to_string(), message };
            declare_page(&st, &ctx, StatusCode::CONFLICT, f, vec![], Some(warning)).await
        }
        Err(e) => fail(&ctx, e),
    }
}

// ---- one outage ----

#[derive(Template)]
#[template(path = "outage.html")]
struct OutagePage {
    l: Layout,
    errors: Vec<FormError>,
    o: OutageCard,
    manages: bool,
    now_input: String,
    scopes: Vec<(&'static str, &'static str)>,
    impact: Vec<crate::outages::view::ImpactRow>,
    phases: Vec<crate::outages::view::PhaseGroup>,
    backentry: Option<crate::backentry::pages::BackEntrySummary>,
    w: &'static crate::backentry::pages::WlTexts,
    /// May read the overview reports (drill report, back-entry report).
    reads_reports: bool,
    /// The outage's notification messages and acknowledgements.
    messages: Option<crate::notifications::pages::MessagesSection>,
}

fn outage_id(raw: &str) -> Result<OutageId, AppError> {
    crate::kit::respond::parse_id(raw)
}

async fn outage_page(st: &AppState, ctx: &Ctx, id: &str, status: StatusCode, errors: Vec<FormError>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let view = match outage_id(id) {
        Ok(id) => st.app.outage_page(p, id).await,
        Err(e) => Err(e),
    };
    match view {
        Ok(page) => {
            let v = &page.outage;
            let (impact, phases) =
                crate::outages::view::guidance(ctx.lang, page.routines.as_deref(), &st.app, &v.outage.system);
            let backentry = page.backentry.as_ref().map(|s| crate::backentry::pages::summary(v.outage.id, s));
            let messages = crate::notifications::pages::section(ctx, v.outage.id, &page.messages);
            render(
                status,
                &OutagePage {
                    l: Layout::new(ctx, &st.app).await,
                    errors,
                    o: OutageCard::new(ctx.lang, v),
                    manages: page.permissions.manages_outages,
                    now_input: format_input(st.app.now()),
                    scopes: scopes(ctx.lang),
                    impact,
                    phases,
                    backentry,
                    w: crate::backentry::pages::texts_for(ctx.lang),
                    reads_reports: page.permissions.reads_reports,
                    messages,
                },
            )
        }
        Err(e) => fail(ctx, e),
    }
}

pub async fn outage(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    outage_page(&st, &ctx, &id, StatusCode::OK, vec![]).await
}

#[derive(Deserialize, Default)]
pub struct EndForm {
    #[serde(default)]
    end: String,
    #[serde(default)]
    notice: Option<String>,
    /// Set by the confirmation step; without it nothing is ended.
    #[serde(default)]
    confirm: Option<String>,
}

async fn after_change(st: &AppState, ctx: &Ctx, id: &str, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => see_other(&format!("/outages/{id}")),
        Err(e @ AppError::Invalid(_)) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            outage_page(st, ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs).await
        }
        Err(e) => fail(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "outage_end.html")]
struct EndConfirmPage {
    l: Layout,
    o: OutageCard,
    /// The restore time as typed (for the field).
    end: String,
    /// The restore time in words, when it reads as a time.
    end_text: String,
    notice: String,
}

/// The confirmation step before an outage is ended: "Avsluta avbrottet?"
/// with the time and notice, which only a second, confirming POST ends.
async fn end_confirmation(st: &AppState, ctx: &Ctx, id: &str, f: EndForm) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let page = match outage_id(id) {
        Ok(oid) => st.app.outage_page(p, oid).await,
        Err(e) => Err(e),
    };
    match page {
        Ok(page) if !page.permissions.manages_outages => fail(ctx, AppError::Forbidden),
        Ok(page) if page.outage.status == OutageStatus::Ended => see_other(&format!("/outages/{id}")),
        Ok(page) => {
            let end = if f.end.trim().is_empty() { format_input(st.app.now()) } else { f.end };
            let end_text = parse_user_time(reserv_core::error::Field::RestoredAt, &end)
                .map(reserv_core::time::format_local)
                .unwrap_or_default();
            let confirm = EndConfirmPage {
                l: Layout::new(ctx, &st.app).await,
                o: OutageCard::new(ctx.lang, &page.outage),
                end,
                end_text,
                notice: f.notice.unwrap_or_default(),
            };
            render(StatusCode::OK, &confirm)
        }
        Err(e) => fail(ctx, e),
    }
}

/// `GET /outages/{id}/end`: the confirmation step with the current time.
pub async fn end_form(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    end_confirmation(&st, &ctx, &id, EndForm::default()).await
}

/// `POST /outages/{id}/end`: without `confirm`, the confirmation step; with
/// it, the outage ends.
pub async fn end(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<EndForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    if f.confirm.is_none() {
        return end_confirmation(&st, &ctx, &id, f).await;
    }
    let r = match outage_id(&id) {
        Ok(oid) => st.app.end_outage(p, oid, &f.end, f.notice).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_change(&st, &ctx, &id, r).await
}

#[derive(Deserialize)]
pub struct AmendForm {
    expected_end: Option<String>,
    scope: Option<String>,
    notice: Option<String>,
    public_notice: Option<String>,
}

pub async fn amend(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<AmendForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let input = AmendInput {
        expected_end: f.expected_end,
        scope: f.scope,
        notice: f.notice,
        public_notice: f.public_notice,
        ..Default::default()
    };
    let r = match outage_id(&id) {
        Ok(oid) => st.app.amend_outage(p, oid, input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_change(&st, &ctx, &id, r).await
}

// ---- systems ----

pub struct SystemRow {
    id: String,
    name: String,
    description: String,
    owner: String,
    source: String,
    support: Vec<String>,
}

#[derive(Template)]
#[template(path = "systems.html")]
struct SystemsPage {
    l: Layout,
    office_hours: bool,
    systems: Vec<SystemRow>,
    /// For those who manage outages: why the last reload of the routines was refused.
    routines_problem: Option<String>,
}

pub async fn systems(State(st): State<AppState>, ctx: Ctx) -> Response {
    if ctx.principal.is_none() {
        return see_other("/login");
    }
    let now = st.app.now();
    let systems = st
        .app
        .catalogue()
        .systems()
        .iter()
        .map(|s| SystemRow {
            id: s.id.to_string(),
            name: s.name.clone(),
            description: s.description.clone(),
            owner: s.owner.clone(),
            source: s.source.clone(),
            support: s
                .support_now(now)
                .into_iter()
                .zip(&s.support)
                .map(|(n, line)| {
                    let mut parts = vec![n.who];
                    parts.extend(n.number);
                    parts.extend(n.email);
                    parts.extend(line.note.clone());
                    parts.join(" – ")
                })
                .collect(),
        })
        .collect();
    let manages = ctx.principal.as_ref().is_some_and(|p| p.user.role.may_manage_outages());
    let routines_problem = st.app.routines_problem().filter(|_| manages);
    let page = SystemsPage {
        l: Layout::new(&ctx, &st.app).await,
        office_hours: is_office_hours(now),
        systems,
        routines_problem,
    };
    render(StatusCode::OK, &page)
}
