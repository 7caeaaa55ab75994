//! The HTML pages. Each handler reads the request context, calls one
//! application service and renders a template; errors become a Swedish (or
//! English) message on the page with the right status. Every flow works
//! without JavaScript: forms post, the server answers with 303 or the form
//! again.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::users::NewUserInput;
use reserv_core::ids::EntryId;
use reserv_core::org::Role;
use reserv_core::time::format_local;
use reserv_store::AuditQuery;

use crate::AppState;
use crate::kit::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::kit::i18n::{Lang, org_kind_label, role_label};
use crate::kit::respond::status_of;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

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
    match st.app.login_browser(&f.username, &f.password, ctx.principal.as_ref(), &ctx.origin).await {
        Ok(s) => {
            let age = s.session.expires_at.duration_since(s.session.created_at).as_secs();
            let mut r = see_other("/");
            r.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, &s.token, Some(age), st.secure_cookies));
            r
        }
        Err(e @ (AppError::BadCredentials | AppError::LoginThrottled { .. })) => {
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

/// `POST /logout/everywhere`: ends every session and API token of the person.
pub async fn logout_everywhere(State(st): State<AppState>, ctx: Ctx) -> Response {
    if let Some(p) = &ctx.principal
        && let Err(e) = st.app.logout_everywhere(p).await
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
    let next = crate::kit::ctx::safe_path(q.next.as_deref().unwrap_or("/"));
    let mut r = see_other(&next);
    r.headers_mut().append(SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86400), st.secure_cookies));
    r
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
    cl: &'static crate::checklists::pages::ClTexts,
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
    let (users, orgs) = match st.app.users_page(p).await {
        Ok(page) => (page.users, page.organisations),
        Err(e) => return fail(ctx, e),
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
                    u.routine_roles.iter().map(|r| crate::checklists::pages::role_label(ctx.lang, *r)).collect();
                labels.join(", ")
            })
            .collect(),
        routine_roles: crate::checklists::pages::role_options(ctx.lang)
            .into_iter()
            .map(|(k, label)| (k, label, form.routine_roles.iter().any(|x| x == k)))
            .collect(),
        cl: crate::checklists::pages::texts(ctx.lang),
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
    /// When the server last checked the hash chain (none yet: not shown).
    chain_checked: Option<String>,
    /// What that check found (empty: intact).
    chain_problems: Vec<String>,
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
    let (records, chain) = match st
        .app
        .audit_overview(p, AuditQuery { limit: AUDIT_PAGE, before, action_prefix: None, scope: None })
        .await
    {
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
    render(
        StatusCode::OK,
        &AuditPage {
            l: Layout::new(&ctx, &st.app).await,
            rows,
            older,
            chain_checked: chain.checked_at.map(format_local),
            chain_problems: chain.problems,
        },
    )
}

// ---- patient reads (issue 19) ----

#[derive(Template)]
#[template(path = "audit_patients.html")]
struct PatientReadsPage {
    l: Layout,
    patient: String,
    episode: String,
    actor: String,
    /// The search as a query string, for the CSV link and paging.
    query: String,
    rows: Vec<(String, String, String, String, String, String)>,
    older: Option<String>,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct PatientReadsPageQuery {
    #[serde(default)]
    patient: String,
    #[serde(default)]
    episode: String,
    #[serde(default)]
    actor: String,
    #[serde(default, skip_serializing)]
    before: String,
}

/// The page's search as the app's input; a malformed id finds nothing.
fn patient_reads_input(q: &PatientReadsPageQuery) -> Result<reserv_app::audit::PatientReadsInput, AppError> {
    let raw = serde_urlencoded::to_string([
        ("patient", q.patient.as_str()),
        ("episode", q.episode.as_str()),
        ("actor", q.actor.as_str()),
        ("before", q.before.as_str()),
    ])
    .map_err(|_| AppError::NotFound)?;
    let mut input = crate::accounts::api::patient_reads_input(Some(&raw)).map_err(|_| AppError::NotFound)?;
    input.limit = AUDIT_PAGE;
    Ok(input)
}

/// `GET /audit/patients`: who has read which patient (auditors).
pub async fn patient_reads(State(st): State<AppState>, ctx: Ctx, Query(q): Query<PatientReadsPageQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let reads = match patient_reads_input(&q) {
        Ok(input) => st.app.patient_reads(p, input).await,
        Err(e) => Err(e),
    };
    let reads = match reads {
        Ok(r) => r,
        Err(e) => return fail(&ctx, e),
    };
    let older = (reads.len() == AUDIT_PAGE as usize)
        .then(|| reads.last().map(|r| format!("{}:{}", r.audit.id, r.episode)))
        .flatten();
    let rows = reads
        .into_iter()
        .map(|r| {
            (format_local(r.audit.at), r.audit.actor, r.audit.origin, r.audit.action, r.episode.to_string(), r.patient)
        })
        .collect();
    let query = serde_urlencoded::to_string(&q).unwrap_or_default();
    let page = PatientReadsPage {
        l: Layout::new(&ctx, &st.app).await,
        patient: q.patient,
        episode: q.episode,
        actor: q.actor,
        query,
        rows,
        older,
    };
    render(StatusCode::OK, &page)
}

/// `GET /audit/patients.csv`: the same search as a CSV file.
pub async fn patient_reads_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PatientReadsPageQuery>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let result = match patient_reads_input(&q) {
        Ok(mut input) => {
            input.limit = 1000;
            st.app.patient_reads_csv(p, input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(export) => crate::kit::csv::csv_response(export),
        Err(e) => fail(&ctx, e),
    }
}
