//! The handover log's pages: the episodes of one's chain of care, registering
//! an episode, one episode with its gaps, log and entry form (quick to
//! transcribe a paper form with: sensible defaults, the last counterpart
//! remembered), corrections, the ward-wide gaps view, a print view and a blank
//! paper form. Forms with repeated fields (the message checkboxes) are parsed
//! as pairs.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::episodes::{EntryInput, EpisodeView, RegisterInput, UpdateInput};
use reserv_app::views::EpisodePage as EpisodePageView;
use reserv_core::episode::{Channel, DischargeDestination};
use reserv_core::handover::{Direction, Gap, MessageType};
use reserv_core::identity::PatientIdKind;
use reserv_core::ids::{EpisodeId, OrgId};
use reserv_core::org::{Organisation, WardType};
use reserv_core::time::{format_input, format_local};

use crate::AppState;
use crate::home::view::{WorkRow, work_row};
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, channel_label, message_label, party_label};
use crate::kit::paging::Paging;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

fn message_key(m: MessageType) -> String {
    serde_json::to_value(m).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn names(orgs: &[Organisation]) -> HashMap<OrgId, String> {
    orgs.iter().map(|o| (o.id.clone(), o.name.clone())).collect()
}

fn name_of(names: &HashMap<OrgId, String>, id: &OrgId) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| "–".into())
}

pub struct GapRow {
    since: String,
    from: &'static str,
    to: &'static str,
    message: &'static str,
    source: &'static str,
}

fn gap_row(lang: Lang, g: &Gap) -> GapRow {
    GapRow {
        since: format_local(g.due_since),
        from: party_label(lang, g.from),
        to: party_label(lang, g.to),
        message: message_label(lang, g.message),
        source: g.source,
    }
}

// ---- list ----

pub struct EpisodeRow {
    id: String,
    patient: String,
    reserve: bool,
    drill: bool,
    ward: String,
    admitted: String,
    status: &'static str,
    gaps: usize,
    entries: usize,
    warning: bool,
}

#[derive(Template)]
#[template(path = "episodes.html")]
struct EpisodesPage {
    l: Layout,
    is_ward: bool,
    rows: Vec<EpisodeRow>,
    paging: Paging,
}

fn status_of_episode(lang: Lang, v: &EpisodeView) -> &'static str {
    let t = lang.texts();
    let f = &v.episode.facts;
    if f.discharged_at.is_some() {
        t.discharged_at
    } else if f.ready_for_discharge_at.is_some() {
        t.ready_at
    } else {
        t.admitted_at
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<usize>,
}

/// Rows per page of the episode list, so a page stays small (≤ 100 KB) on a
/// ward with hundreds of episodes.
const EPISODES_PER_PAGE: usize = 100;

pub async fn episodes(State(st): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let page = match st.app.episodes_page(p).await {
        Ok(page) => page,
        Err(e) => return fail(&ctx, e),
    };
    let (views, n) = (&page.episodes, names(&page.organisations));
    let paging = Paging::new(views.len(), EPISODES_PER_PAGE, q.page);
    let rows = views
        .iter()
        .skip((paging.current - 1) * EPISODES_PER_PAGE)
        .take(EPISODES_PER_PAGE)
        .map(|v| EpisodeRow {
            id: v.episode.id.to_string(),
            patient: v.episode.patient.to_string(),
            reserve: v.episode.patient.kind() == PatientIdKind::Reserve,
            drill: v.episode.drill,
            ward: name_of(&n, &v.episode.facts.ward),
            admitted: format_local(v.episode.facts.admitted_at),
            status: status_of_episode(ctx.lang, v),
            gaps: v.gaps.len(),
            entries: v.entries.len(),
            warning: !v.discharge_warnings.is_empty(),
        })
        .collect();
    let is_ward = page.may_register;
    render(StatusCode::OK, &EpisodesPage { l: Layout::new(&ctx, &st.app).await, is_ward, rows, paging })
}

// ---- register ----

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    patient_id: String,
    #[serde(default)]
    reserve_number: Option<String>,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    primary_care: String,
    #[serde(default)]
    outpatient_psychiatry: String,
    #[serde(default)]
    admitted_at: String,
    #[serde(default)]
    expected_discharge: String,
    #[serde(default)]
    existed_before_outage: Option<String>,
}

pub struct RegisterFormView {
    patient_id: String,
    reserve_number: bool,
    municipality: String,
    primary_care: String,
    outpatient_psychiatry: String,
    admitted_at: String,
    expected_discharge: String,
    existed_before_outage: bool,
}

#[derive(Template)]
#[template(path = "episode_new.html")]
struct RegisterPage {
    l: Layout,
    errors: Vec<FormError>,
    form: RegisterFormView,
    psychiatric: bool,
    municipalities: Vec<(String, String)>,
    primary_care: Vec<(String, String)>,
    outpatient_psychiatry: Vec<(String, String)>,
}

async fn register_page(
    st: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    f: RegisterForm,
    errors: Vec<FormError>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let choices = match st.app.registration_choices(p).await {
        Ok(c) => c,
        Err(e) => return fail(ctx, e),
    };
    let of = |list: &[Organisation]| -> Vec<(String, String)> {
        list.iter().map(|o| (o.id.to_string(), o.name.clone())).collect()
    };
    let form = RegisterFormView {
        patient_id: f.patient_id,
        reserve_number: f.reserve_number.is_some(),
        municipality: f.municipality,
        primary_care: f.primary_care,
        outpatient_psychiatry: f.outpatient_psychiatry,
        admitted_at: if f.admitted_at.is_empty() { format_input(st.app.now()) } else { f.admitted_at },
        expected_discharge: f.expected_discharge,
        existed_before_outage: f.existed_before_outage.is_some(),
    };
    let page = RegisterPage {
        l: Layout::new(ctx, &st.app).await,
        errors,
        form,
        psychiatric: choices.ward.ward_type == Some(WardType::Psychiatric),
        municipalities: of(&choices.municipalities),
        primary_care: of(&choices.primary_care),
        outpatient_psychiatry: of(&choices.outpatient_psychiatry),
    };
    render(status, &page)
}

pub async fn new_episode(State(st): State<AppState>, ctx: Ctx) -> Response {
    if ctx.principal.is_none() {
        return see_other("/login");
    }
    register_page(&st, &ctx, StatusCode::OK, RegisterForm::default(), vec![]).await
}

pub async fn register(State(st): State<AppState>, ctx: Ctx, Form(f): Form<RegisterForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let input = RegisterInput {
        patient_id: f.patient_id.clone(),
        reserve_number: f.reserve_number.is_some(),
        municipality: f.municipality.clone(),
        primary_care: f.primary_care.clone(),
        outpatient_psychiatry: Some(f.outpatient_psychiatry.clone()),
        admitted_at: f.admitted_at.clone(),
        expected_discharge: Some(f.expected_discharge.clone()),
        existed_before_outage: f.existed_before_outage.is_some(),
    };
    match st.app.register_episode(p, input).await {
        Ok(v) => see_other(&format!("/episodes/{}", v.episode.id)),
        Err(e @ AppError::Invalid(_)) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            register_page(&st, &ctx, StatusCode::UNPROCESSABLE_ENTITY, f, errs).await
        }
        Err(e) => fail(&ctx, e),
    }
}

// ---- one episode ----

pub struct EpisodeFactsView {
    id: String,
    patient: String,
    reserve: bool,
    drill: bool,
    ward: String,
    municipality: String,
    primary_care: String,
    outpatient_psychiatry: String,
    admitted: String,
    expected_discharge: String,
    expected_discharge_input: String,
    ready: String,
    ready_input: String,
    discharged: String,
    discharged_input: String,
    designated_care_contact: String,
    designated_care_contact_input: String,
    discharge_destination: &'static str,
    discharge_destination_key: &'static str,
    extensive_services: &'static str,
    existed_before: &'static str,
    routine: &'static str,
}

pub struct EntryRow {
    id: String,
    at: String,
    signature: String,
    counterpart: String,
    direction: &'static str,
    channel: &'static str,
    messages: String,
    comment: String,
    superseded: bool,
    corrects: String,
    own: bool,
}

/// The entry form's values.
#[derive(Default)]
pub struct EntryFormView {
    at: String,
    counterpart_org: String,
    counterpart_name: String,
    counterpart_role: String,
    direction: String,
    channel: String,
    comment: String,
    supersedes: String,
    messages: Vec<String>,
}

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage {
    l: Layout,
    errors: Vec<FormError>,
    e: EpisodeFactsView,
    episode_id: String,
    gaps: Vec<GapRow>,
    warnings: Vec<GapRow>,
    entries: Vec<EntryRow>,
    print: bool,
    is_ward: bool,
    form: EntryFormView,
    orgs: Vec<(String, String)>,
    channels: Vec<(&'static str, &'static str)>,
    message_options: Vec<(String, &'static str, bool)>,
    destinations: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "episode_print.html")]
struct EpisodePrintPage {
    l: Layout,
    e: EpisodeFactsView,
    episode_id: String,
    gaps: Vec<GapRow>,
    entries: Vec<EntryRow>,
    print: bool,
    printed: String,
}

fn facts_view(lang: Lang, v: &EpisodeView, n: &HashMap<OrgId, String>) -> EpisodeFactsView {
    let e = &v.episode;
    let f = &e.facts;
    EpisodeFactsView {
        id: e.id.to_string(),
        patient: e.patient.to_string(),
        reserve: e.patient.kind() == PatientIdKind::Reserve,
        drill: e.drill,
        ward: name_of(n, &f.ward),
        municipality: name_of(n, &f.municipality),
        primary_care: name_of(n, &f.primary_care),
        outpatient_psychiatry: f.outpatient_psychiatry.as_ref().map(|o| name_of(n, o)).unwrap_or_default(),
        admitted: format_local(f.admitted_at),
        expected_discharge: dash(e.expected_discharge.map(|d| d.to_string())),
        expected_discharge_input: e.expected_discharge.map(|d| d.to_string()).unwrap_or_default(),
        ready: dash(f.ready_for_discharge_at.map(format_local)),
        ready_input: f.ready_for_discharge_at.map(format_input).unwrap_or_default(),
        discharged: dash(f.discharged_at.map(format_local)),
        discharged_input: f.discharged_at.map(format_input).unwrap_or_default(),
        designated_care_contact: dash(e.designated_care_contact.clone()),
        designated_care_contact_input: e.designated_care_contact.clone().unwrap_or_default(),
        discharge_destination: e.discharge_destination.map_or("–", |d| match lang {
            Lang::Sv => d.label_sv(),
            Lang::En => d.label_en(),
        }),
        discharge_destination_key: e.discharge_destination.map_or("", |d| d.key()),
        extensive_services: match (lang, e.extensive_long_term_services) {
            (_, None) => lang.texts().not_stated,
            (Lang::Sv, Some(true)) => "Ja",
            (Lang::Sv, Some(false)) => "Nej",
            (Lang::En, Some(true)) => "Yes",
            (Lang::En, Some(false)) => "No",
        },
        existed_before: match (lang, e.existed_before_outage) {
            (Lang::Sv, true) => "Ja",
            (Lang::Sv, false) => "Nej",
            (Lang::En, true) => "Yes",
            (Lang::En, false) => "No",
        },
        routine: v.routine_name,
    }
}

fn entry_rows(lang: Lang, v: &EpisodeView, n: &HashMap<OrgId, String>, viewer: &OrgId) -> Vec<EntryRow> {
    let t = lang.texts();
    let at_of: HashMap<_, _> = v.entries.iter().map(|x| (x.entry.id, format_local(x.entry.at))).collect();
    v.entries
        .iter()
        .map(|x| {
            let en = &x.entry;
            let mut counterpart = en.counterpart_name.clone();
            if !en.counterpart_role.is_empty() {
                counterpart.push_str(&format!(" ({})", en.counterpart_role));
            }
            counterpart.push_str(&format!(", {}", name_of(n, &en.counterpart_org)));
            EntryRow {
                id: en.id.to_string(),
                at: format_local(en.at),
                signature: format!("{}, {}", en.author_name, name_of(n, &en.author_org)),
                counterpart,
                direction: match en.direction {
                    Direction::Given => t.given,
                    Direction::Received => t.received,
                },
                channel: channel_label(lang, en.channel),
                messages: en.messages.iter().map(|m| message_label(lang, *m)).collect::<Vec<_>>().join(", "),
                comment: en.comment.clone(),
                superseded: x.superseded_by.is_some(),
                corrects: en
                    .supersedes
                    .map(|s| match lang {
                        Lang::Sv => format!("Rättar posten från {}.", at_of.get(&s).cloned().unwrap_or_default()),
                        Lang::En => format!("Corrects the entry of {}.", at_of.get(&s).cloned().unwrap_or_default()),
                    })
                    .unwrap_or_default(),
                own: &en.author_org == viewer,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct CorrectQuery {
    correct: Option<String>,
}

/// The call form as it opens: a correction pre-filled from the entry it
/// corrects; else the time now, the counterpart the service suggests from
/// this patient's own record (or none: "Välj …"), and no direction chosen.
fn default_form(st: &AppState, page: &EpisodePageView, correct: Option<&str>) -> EntryFormView {
    let v = &page.view;
    if let Some(c) = correct
        && let Some(x) = v.entries.iter().find(|x| x.entry.id.to_string() == c)
    {
        let en = &x.entry;
        return EntryFormView {
            at: format_input(en.at),
            counterpart_org: en.counterpart_org.to_string(),
            counterpart_name: en.counterpart_name.clone(),
            counterpart_role: en.counterpart_role.clone(),
            direction: match en.direction {
                Direction::Given => "given".into(),
                Direction::Received => "received".into(),
            },
            channel: serde_json::to_value(en.channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            comment: en.comment.clone(),
            supersedes: en.id.to_string(),
            messages: en.messages.iter().map(|m| message_key(*m)).collect(),
        };
    }
    let s = page.suggested.as_ref();
    EntryFormView {
        at: format_input(st.app.now()),
        counterpart_org: s.map(|s| s.org.to_string()).unwrap_or_default(),
        counterpart_name: s.map(|s| s.name.clone()).unwrap_or_default(),
        counterpart_role: s.map(|s| s.role.clone()).unwrap_or_default(),
        direction: String::new(),
        channel: "phone".into(),
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
async fn episode_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    status: StatusCode,
    errors: Vec<FormError>,
    form: Option<EntryFormView>,
    correct: Option<&str>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let eid: EpisodeId = match crate::kit::respond::parse_id(id) {
        Ok(x) => x,
        Err(e) => return fail(ctx, e),
    };
    let page = match st.app.episode_page(p, eid).await {
        Ok(page) => page,
        Err(e) => return fail(ctx, e),
    };
    let orgs = &page.organisations;
    let n = names(orgs);
    let lang = ctx.lang;
    let form = form.unwrap_or_else(|| default_form(st, &page, correct));
    let v = &page.view;
    // The episode's parties first (named first, so typing a name finds the
    // patient's own organisation), then every other one in Swedish order.
    let facts = &v.episode.facts;
    let mut options: Vec<(String, String)> = facts
        .parties()
        .into_iter()
        .filter_map(|party| {
            facts.org_of(party).map(|o| (o.to_string(), format!("{} ({})", name_of(&n, o), party_label(lang, party))))
        })
        .collect();
    for o in orgs {
        if !options.iter().any(|(id, _)| id == o.id.as_str()) {
            options.push((o.id.to_string(), o.name.clone()));
        }
    }
    let message_options = MessageType::ALL
        .into_iter()
        .map(|m| {
            let key = message_key(m);
            let checked = form.messages.contains(&key);
            (key, message_label(lang, m), checked)
        })
        .collect();
    let page = EpisodePage {
        l: Layout::new(ctx, &st.app).await,
        errors,
        e: facts_view(lang, v, &n),
        episode_id: v.episode.id.to_string(),
        gaps: v.gaps.iter().map(|g| gap_row(lang, g)).collect(),
        warnings: v.discharge_warnings.iter().map(|g| gap_row(lang, g)).collect(),
        entries: entry_rows(lang, v, &n, &p.user.org),
        print: false,
        is_ward: facts.ward == p.user.org,
        form,
        orgs: options,
        channels: [Channel::Phone, Channel::InPerson, Channel::Other]
            .into_iter()
            .map(|c| {
                let key = match c {
                    Channel::Phone => "phone",
                    Channel::InPerson => "in_person",
                    Channel::Other => "other",
                };
                (key, channel_label(lang, c))
            })
            .collect(),
        message_options,
        destinations: DischargeDestination::ALL
            .iter()
            .map(|d| {
                (
                    d.key(),
                    match lang {
                        Lang::Sv => d.label_sv(),
                        Lang::En => d.label_en(),
                    },
                )
            })
            .collect(),
    };
    render(status, &page)
}

pub async fn episode(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CorrectQuery>,
) -> Response {
    episode_page(&st, &ctx, &id, StatusCode::OK, vec![], None, q.correct.as_deref()).await
}

pub async fn episode_print(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let eid: EpisodeId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let page = match st.app.episode_page(p, eid).await {
        Ok(page) => page,
        Err(e) => return fail(&ctx, e),
    };
    let (v, n) = (&page.view, names(&page.organisations));
    let page = EpisodePrintPage {
        l: Layout::new(&ctx, &st.app).await,
        e: facts_view(ctx.lang, v, &n),
        episode_id: v.episode.id.to_string(),
        gaps: v.gaps.iter().map(|g| gap_row(ctx.lang, g)).collect(),
        entries: entry_rows(ctx.lang, v, &n, &p.user.org),
        print: true,
        printed: format_local(st.app.now()),
    };
    render(StatusCode::OK, &page)
}

/// Form pairs: the message checkboxes repeat their name.
fn pairs(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

pub async fn log_call(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let eid: EpisodeId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let kv = pairs(&body);
    let messages: Vec<String> = kv.iter().filter(|(k, _)| k == "messages").map(|(_, v)| v.clone()).collect();
    let form = EntryFormView {
        at: field(&kv, "at"),
        counterpart_org: field(&kv, "counterpart_org"),
        counterpart_name: field(&kv, "counterpart_name"),
        counterpart_role: field(&kv, "counterpart_role"),
        direction: field(&kv, "direction"),
        channel: field(&kv, "channel"),
        comment: field(&kv, "comment"),
        supersedes: field(&kv, "supersedes"),
        messages: messages.clone(),
    };
    let input = EntryInput {
        at: Some(form.at.clone()),
        counterpart_name: form.counterpart_name.clone(),
        counterpart_role: form.counterpart_role.clone(),
        counterpart_org: form.counterpart_org.clone(),
        direction: form.direction.clone(),
        channel: Some(form.channel.clone()),
        messages,
        comment: form.comment.clone(),
        supersedes: Some(form.supersedes.clone()),
    };
    match st.app.log_call(p, eid, input).await {
        Ok(_) => see_other(&format!("/episodes/{id}#h-log")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            let status = crate::kit::respond::status_of(&e);
            episode_page(&st, &ctx, &id, status, errs, Some(form), None).await
        }
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    expected_discharge: Option<String>,
    ready_for_discharge_at: Option<String>,
    discharged_at: Option<String>,
    designated_care_contact: Option<String>,
    discharge_destination: Option<String>,
    /// `yes`, `no`, or empty / absent: keep as is.
    extensive_long_term_services: Option<String>,
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<UpdateForm>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let eid: EpisodeId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let input = UpdateInput {
        expected_discharge: f.expected_discharge,
        ready_for_discharge_at: f.ready_for_discharge_at,
        discharged_at: f.discharged_at,
        designated_care_contact: f.designated_care_contact,
        discharge_destination: f.discharge_destination,
        extensive_long_term_services: match f.extensive_long_term_services.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
    };
    match st.app.update_episode(p, eid, input).await {
        Ok(_) => see_other(&format!("/episodes/{id}")),
        Err(e @ AppError::Invalid(_)) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            episode_page(&st, &ctx, &id, StatusCode::UNPROCESSABLE_ENTITY, errs, None, None).await
        }
        Err(e) => fail(&ctx, e),
    }
}

// ---- ward-wide gaps, blank form ----

#[derive(Template)]
#[template(path = "gaps.html")]
struct GapsPage {
    l: Layout,
    rows: Vec<WorkRow>,
    paging: Paging,
}

/// Rows per page of the ward-wide gaps view.
const GAPS_PER_PAGE: usize = 200;

/// What the viewer's unit owes or awaits, the most urgent first.
pub async fn gaps(State(st): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let work = match st.app.work(p).await {
        Ok(w) => w,
        Err(e) => return fail(&ctx, e),
    };
    let paging = Paging::new(work.len(), GAPS_PER_PAGE, q.page);
    let rows = work
        .iter()
        .skip((paging.current - 1) * GAPS_PER_PAGE)
        .take(GAPS_PER_PAGE)
        .map(|w| work_row(ctx.lang, w))
        .collect();
    render(StatusCode::OK, &GapsPage { l: Layout::new(&ctx, &st.app).await, rows, paging })
}

#[derive(Template)]
#[template(path = "blank_form.html")]
struct BlankFormPage {
    l: Layout,
    rows: Vec<()>,
    messages: String,
}

/// Rows on the printed blank form.
const BLANK_ROWS: usize = 14;

pub async fn blank_form(State(st): State<AppState>, ctx: Ctx) -> Response {
    let messages = MessageType::ALL.into_iter().map(|m| message_label(ctx.lang, m)).collect::<Vec<_>>().join(" · ");
    render(StatusCode::OK, &BlankFormPage { l: Layout::new(&ctx, &st.app).await, rows: vec![(); BLANK_ROWS], messages })
}

pub struct PrintedEpisode {
    e: EpisodeFactsView,
    episode_id: String,
    entries: Vec<EntryRow>,
    gaps: Vec<GapRow>,
}

#[derive(Template)]
#[template(path = "ward_print.html")]
struct WardPrintPage {
    l: Layout,
    unit: String,
    episodes: Vec<PrintedEpisode>,
    print: bool,
    printed: String,
}

/// The filled log of every episode the caller's unit is part of, for paper.
pub async fn ward_print(State(st): State<AppState>, ctx: Ctx) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let page = match st.app.episodes_page(p).await {
        Ok(page) => page,
        Err(e) => return fail(&ctx, e),
    };
    let (views, n) = (&page.episodes, names(&page.organisations));
    let lang = ctx.lang;
    let episodes = views
        .iter()
        .map(|v| PrintedEpisode {
            e: facts_view(lang, v, &n),
            episode_id: v.episode.id.to_string(),
            entries: entry_rows(lang, v, &n, &p.user.org),
            gaps: v.gaps.iter().map(|g| gap_row(lang, g)).collect(),
        })
        .collect();
    let page = WardPrintPage {
        l: Layout::new(&ctx, &st.app).await,
        unit: name_of(&n, &p.user.org),
        episodes,
        print: true,
        printed: format_local(st.app.now()),
    };
    render(StatusCode::OK, &page)
}
