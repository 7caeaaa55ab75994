//! The HTML pages. Each handler reads the request context, calls one
//! application service and renders a template; errors become a Swedish (or
//! English) message on the page with the right status. Every flow works
//! without JavaScript: forms post, the server answers with 303 or the form
//! again.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::outages::{AmendInput, DeclareInput};
use reserv_app::users::NewUserInput;
use reserv_core::ids::{EntryId, OutageId};
use reserv_core::org::Role;
use reserv_core::outage::{OutageKind, OutageStatus, Scope};
use reserv_core::time::{format_input, format_local, is_office_hours};
use reserv_store::{AuditQuery, SessionKind};

use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::i18n::{Lang, kind_label, org_kind_label, role_label, scope_label, status_label};
use crate::view::{FormError, Layout, OutageCard, UserBadge};
use crate::{AppState, status_of};

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

// ---- login, logout, language ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    errors: Vec<FormError>,
    username: String,
}

pub async fn login_form(State(st): State<AppState>, ctx: Ctx) -> Response {
    if ctx.principal.is_some() {
        return see_other("/");
    }
    let l = Layout::new(&ctx, &st.app).await;
    render(StatusCode::OK, &LoginPage { l, errors: vec![], username: String::new() })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(State(st): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    match st.app.login(&f.username, &f.password, SessionKind::Browser, &ctx.origin).await {
        Ok(s) => {
            let age = s.session.expires_at.duration_since(s.session.created_at).as_secs();
            let mut r = see_other("/");
            r.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, &s.token, Some(age), st.secure_cookies));
            r
        }
        Err(e @ (AppError::BadCredentials | AppError::Locked { .. })) => {
            let l = Layout::new(&ctx, &st.app).await;
            let errors = vec![FormError::from_app(ctx.lang, &e)];
            render(status_of(&e), &LoginPage { l, errors, username: f.username })
        }
        Err(e) => fail(&ctx, e),
    }
}

pub async fn logout(State(st): State<AppState>, ctx: Ctx) -> Response {
    if let Some(p) = &ctx.principal
        && let Err(e) = st.app.logout(p).await
    {
        return fail(&ctx, e);
    }
    let mut r = see_other("/login");
    r.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), st.secure_cookies));
    r
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn set_language(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::from_tag(&code);
    let next = crate::ctx::safe_path(q.next.as_deref().unwrap_or("/"));
    let mut r = see_other(&next);
    r.headers_mut().append(SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86400), st.secure_cookies));
    r
}

// ---- status page ----

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    l: Layout,
    manages_outages: bool,
    ongoing: Vec<OutageCard>,
    upcoming: Vec<OutageCard>,
    ended: Vec<OutageCard>,
}

/// How many ended outages the home page shows.
const ENDED_ON_HOME: usize = 5;

pub async fn home(State(st): State<AppState>, ctx: Ctx) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let views = match st.app.outages().await {
        Ok(v) => v,
        Err(e) => return fail(&ctx, e),
    };
    let cards = |s: OutageStatus| views.iter().filter(move |v| v.status == s).map(|v| OutageCard::new(ctx.lang, v));
    let page = StatusPage {
        manages_outages: p.user.role.may_manage_outages(),
        ongoing: cards(OutageStatus::Ongoing).collect(),
        upcoming: cards(OutageStatus::Upcoming).collect(),
        ended: cards(OutageStatus::Ended).take(ENDED_ON_HOME).collect(),
        l: Layout::new(&ctx, &st.app).await,
    };
    render(StatusCode::OK, &page)
}

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
    drill: Option<String>,
}

#[derive(Template)]
#[template(path = "outage_new.html")]
struct DeclarePage {
    l: Layout,
    errors: Vec<FormError>,
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
) -> Response {
    let systems = st.app.catalogue().systems().iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
    let kinds =
        [OutageKind::Unplanned, OutageKind::Planned].into_iter().map(|k| (k.key(), kind_label(ctx.lang, k))).collect();
    let page =
        DeclarePage { l: Layout::new(ctx, &st.app).await, errors, form, systems, kinds, scopes: scopes(ctx.lang) };
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
    declare_page(&st, &ctx, StatusCode::OK, form, vec![]).await
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
        drill: f.drill.is_some(),
    };
    match st.app.declare_outage(p, input).await {
        Ok(v) => see_other(&format!("/outages/{}", v.outage.id)),
        Err(e @ AppError::Invalid(_)) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            declare_page(&st, &ctx, StatusCode::UNPROCESSABLE_ENTITY, f, errs).await
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
    impact: Vec<crate::view::ImpactRow>,
    phases: Vec<crate::view::PhaseGroup>,
    backentry: Option<crate::worklist_pages::BackEntrySummary>,
    w: &'static crate::worklist_pages::WlTexts,
    /// May read the overview reports (drill report, back-entry report).
    reads_reports: bool,
    /// The outage's notification messages and acknowledgements.
    messages: Option<crate::notification_pages::MessagesSection>,
}

fn parse_outage_id(raw: &str) -> Result<OutageId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn outage_page(st: &AppState, ctx: &Ctx, id: &str, status: StatusCode, errors: Vec<FormError>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let view = match parse_outage_id(id) {
        Ok(id) => st.app.outage(id).await,
        Err(e) => Err(e),
    };
    match view {
        Ok(v) => {
            let (impact, phases) =
                crate::view::guidance(ctx.lang, st.app.routines().as_deref(), &st.app, &v.outage.system);
            let backentry = crate::worklist_pages::summary_for_outage(st, ctx, v.outage.id).await;
            let messages = crate::notification_pages::section_for_outage(st, ctx, v.outage.id).await;
            render(
                status,
                &OutagePage {
                    l: Layout::new(ctx, &st.app).await,
                    errors,
                    o: OutageCard::new(ctx.lang, &v),
                    manages: p.user.role.may_manage_outages(),
                    now_input: format_input(st.app.now()),
                    scopes: scopes(ctx.lang),
                    impact,
                    phases,
                    backentry,
                    w: crate::worklist_pages::texts_for(ctx.lang),
                    reads_reports: matches!(
                        p.user.role,
                        Role::UnitManager | Role::It | Role::SystemAdministrator | Role::Auditor
                    ),
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

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    end: String,
    #[serde(default)]
    notice: Option<String>,
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

pub async fn end(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<EndForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let r = match parse_outage_id(&id) {
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
}

pub async fn amend(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<AmendForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let input = AmendInput { expected_end: f.expected_end, scope: f.scope, notice: f.notice, ..Default::default() };
    let r = match parse_outage_id(&id) {
        Ok(oid) => st.app.amend_outage(p, oid, input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_change(&st, &ctx, &id, r).await
}

// ---- public status ----

pub struct PublicRow {
    system_name: String,
    status: &'static str,
    kind: &'static str,
    start: String,
    expected_end: String,
    restored_at: String,
}

#[derive(Template)]
#[template(path = "public_status.html")]
struct PublicPage {
    l: Layout,
    rows: Vec<PublicRow>,
    updated: String,
    subscribe: Option<crate::subscription_pages::SubscribeBox>,
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
            system_name: r.system_name,
            status: status_label(lang, r.status),
            kind: kind_label(lang, r.kind),
            start: format_local(r.start),
            expected_end: r.expected_end.map(format_local).unwrap_or_else(|| "–".into()),
            restored_at: r.restored_at.map(format_local).unwrap_or_else(|| "–".into()),
        })
        .collect();
    let subscribe = crate::subscription_pages::subscribe_box(&st, &ctx, String::new(), &[], None);
    let page = PublicPage { l: Layout::new(&ctx, &st.app).await, rows, updated: format_local(st.app.now()), subscribe };
    render(StatusCode::OK, &page)
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

// ---- users ----

#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    /// Repeated `routine_roles` fields (checkboxes), read from the raw body.
    #[serde(skip)]
    routine_roles: Vec<String>,
}

impl UserForm {
    /// From a form body whose `routine_roles` may repeat.
    fn from_body(body: &[u8]) -> UserForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        UserForm {
            username: get("username"),
            display_name: get("display_name"),
            org: get("org"),
            role: get("role"),
            password: get("password"),
            routine_roles: pairs.iter().filter(|(k, _)| k == "routine_roles").map(|(_, v)| v.clone()).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    created: bool,
    errors: Vec<FormError>,
    form: UserForm,
    users: Vec<(String, String, &'static str, String)>,
    orgs: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    /// Routine roles per listed account (same order as `users`).
    user_routine_roles: Vec<String>,
    /// The routine roles to tick: key, label, checked.
    routine_roles: Vec<(&'static str, &'static str, bool)>,
    cl: &'static crate::checklist_pages::ClTexts,
}

#[derive(Deserialize)]
pub struct CreatedQuery {
    created: Option<String>,
}

async fn users_page(
    st: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    created: bool,
    form: UserForm,
    errors: Vec<FormError>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let (users, orgs) = match (st.app.users(p).await, st.app.organisations().await) {
        (Ok(u), Ok(o)) => (u, o),
        (Err(e), _) | (_, Err(e)) => return fail(ctx, e),
    };
    let org_name = |id: &reserv_core::ids::OrgId| {
        orgs.iter().find(|o| &o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.to_string())
    };
    let page = UsersPage {
        users: users
            .iter()
            .map(|u| (u.username.clone(), u.display_name.clone(), role_label(ctx.lang, u.role), org_name(&u.org)))
            .collect(),
        orgs: orgs
            .iter()
            .map(|o| (o.id.to_string(), format!("{} ({})", o.name, org_kind_label(ctx.lang, o.kind))))
            .collect(),
        roles: Role::ALL.into_iter().map(|r| (r.key(), role_label(ctx.lang, r))).collect(),
        user_routine_roles: users
            .iter()
            .map(|u| {
                let labels: Vec<&str> =
                    u.routine_roles.iter().map(|r| crate::checklist_pages::role_label(ctx.lang, *r)).collect();
                labels.join(", ")
            })
            .collect(),
        routine_roles: crate::checklist_pages::role_options(ctx.lang)
            .into_iter()
            .map(|(k, label)| (k, label, form.routine_roles.iter().any(|x| x == k)))
            .collect(),
        cl: crate::checklist_pages::texts(ctx.lang),
        l: Layout::new(ctx, &st.app).await,
        created,
        errors,
        form,
    };
    render(status, &page)
}

pub async fn users(State(st): State<AppState>, ctx: Ctx, Query(q): Query<CreatedQuery>) -> Response {
    users_page(&st, &ctx, StatusCode::OK, q.created.is_some(), UserForm::default(), vec![]).await
}

pub async fn create_user(State(st): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let f = UserForm::from_body(&body);
    let input = NewUserInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        org: f.org.clone(),
        role: f.role.clone(),
        password: f.password.clone(),
        routine_roles: f.routine_roles.clone(),
    };
    match st.app.create_user(Some(p), input, &p.origin).await {
        Ok(_) => see_other("/users?created=1"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            let form = UserForm { password: String::new(), ..f };
            users_page(&st, &ctx, status_of(&e), false, form, errs).await
        }
        Err(e) => fail(&ctx, e),
    }
}

// ---- audit log ----

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<(String, String, String, String, String, String)>,
    older: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditPageQuery {
    before: Option<String>,
}

/// Rows per audit page.
const AUDIT_PAGE: u32 = 100;

pub async fn audit(State(st): State<AppState>, ctx: Ctx, Query(q): Query<AuditPageQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let before = q.before.and_then(|b| b.parse().ok()).map(EntryId);
    let records = match st.app.audit_log(p, AuditQuery { limit: AUDIT_PAGE, before, action_prefix: None }).await {
        Ok(r) => r,
        Err(e) => return fail(&ctx, e),
    };
    let older = (records.len() == AUDIT_PAGE as usize).then(|| records[records.len() - 1].id.to_string());
    let rows = records
        .into_iter()
        .map(|r| {
            (
                format_local(r.at),
                r.actor,
                r.action,
                r.target.unwrap_or_default(),
                r.origin,
                r.detail.chars().take(300).collect(),
            )
        })
        .collect();
    render(StatusCode::OK, &AuditPage { l: Layout::new(&ctx, &st.app).await, rows, older })
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
        include_str!("../static/reserv.css"),
    )
        .into_response()
}
