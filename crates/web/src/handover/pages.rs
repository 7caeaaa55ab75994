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
use reserv_app::episodes::{EntryInput, EpisodeView, PaperSignerInput, RegisterInput, UpdateInput};
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
use crate::kit::view::{ErrorsAt, FormError, Layout};

use super::sips::{self, SipFormView, SipRow};

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
    /// The field with the error (autofocus), else the first field.
    focus: &'static str,
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
    let fields =
        ["patient_id", "municipality", "primary_care", "outpatient_psychiatry", "admitted_at", "expected_discharge"];
    let focus = fields.into_iter().find(|k| errors.at(k).is_some()).unwrap_or("patient_id");
    let page = RegisterPage {
        l: Layout::new(ctx, &st.app).await,
        focus,
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
    ready: String,
    discharged: String,
    designated_care_contact: String,
    discharge_destination: &'static str,
    extensive_services: &'static str,
    existed_before: &'static str,
    routine: &'static str,
}

pub struct EntryRow {
    id: String,
    at: String,
    signature: String,
    /// Transcribed from paper: who entered it (the signature is the paper's).
    transcribed_by: String,
    counterpart: String,
    direction: &'static str,
    channel: &'static str,
    messages: String,
    comment: String,
    superseded: bool,
    corrects: String,
    own: bool,
}

/// The entry form's values, as typed.
#[derive(Default)]
pub struct EntryFormView {
    date: String,
    time: String,
    counterpart_org: String,
    counterpart_name: String,
    counterpart_role: String,
    direction: String,
    channel: String,
    comment: String,
    supersedes: String,
    messages: Vec<String>,
    message_numbers: String,
    /// Some box of the list is ticked (the list opens).
    ticked: bool,
}

/// The paper mode of the call form: who signed the paper form.
#[derive(Default, Clone)]
pub struct PaperView {
    on: bool,
    name: String,
    title: String,
}

/// The update form's values: as typed after an error, else the episode's.
#[derive(Default)]
pub struct UpdateFormView {
    expected_discharge: String,
    ready_for_discharge_at: String,
    discharged_at: String,
    designated_care_contact: String,
    /// The destination key chosen (or stored); empty: none.
    discharge_destination: String,
    /// `yes`, `no`, or empty: keep as is.
    extensive_long_term_services: String,
}

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage {
    l: Layout,
    sips: Vec<SipRow>,
    sip_saved: bool,
    sip_errors: Vec<FormError>,
    sip_form: SipFormView,
    sip_parties: Vec<(&'static str, &'static str)>,
    sip_vias: Vec<(&'static str, &'static str)>,
    errors: Vec<FormError>,
    update_errors: Vec<FormError>,
    update: UpdateFormView,
    paper: PaperView,
    saved: bool,
    /// The field that gets the focus (`autofocus`), or none.
    focus: &'static str,
    dates: Vec<(String, String)>,
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
    /// Key, number on the paper form, label, ticked.
    message_options: Vec<(String, u8, &'static str, bool)>,
    destinations: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "episode_print.html")]
struct EpisodePrintPage {
    l: Layout,
    sips: Vec<SipRow>,
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
        ready: dash(f.ready_for_discharge_at.map(format_local)),
        discharged: dash(f.discharged_at.map(format_local)),
        designated_care_contact: dash(e.designated_care_contact.clone()),
        discharge_destination: e.discharge_destination.map_or("–", |d| match lang {
            Lang::Sv => d.label_sv(),
            Lang::En => d.label_en(),
        }),
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
            let author = format!("{}, {}", en.author_name, name_of(n, &en.author_org));
            let (signature, transcribed_by) = match &en.paper_signer {
                Some(s) => (format!("{}, {} ({})", s.name, s.title, t.signed_on_paper), author),
                None => (author, String::new()),
            };
            EntryRow {
                id: en.id.to_string(),
                at: format_local(en.at),
                signature,
                transcribed_by,
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

/// The episode page's query: a correction to prefill, the paper mode with
/// its signer and date kept from the line saved before, and whether a call
/// was just saved (the form takes the focus for the next line).
#[derive(Deserialize, Default)]
pub struct EpisodeQuery {
    correct: Option<String>,
    paper: Option<String>,
    signer: Option<String>,
    title: Option<String>,
    date: Option<String>,
    saved: Option<String>,
    /// A SIP version to start a new version from.
    sip: Option<String>,
    sip_saved: Option<String>,
}

/// The call form as it opens: a correction pre-filled from the entry it
/// corrects; else today's date (or the date of the line saved just before),
/// no time, the counterpart the service suggests from this patient's own
/// record (or none: "Välj …"), and no direction chosen.
fn default_form(
    page: &EpisodePageView,
    correct: Option<&str>,
    date: Option<&str>,
) -> (EntryFormView, Option<PaperView>) {
    let v = &page.view;
    if let Some(c) = correct
        && let Some(x) = v.entries.iter().find(|x| x.entry.id.to_string() == c)
    {
        let en = &x.entry;
        let local = reserv_core::time::local(en.at);
        let form = EntryFormView {
            date: local.date().to_string(),
            time: local.strftime("%H:%M").to_string(),
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
            messages: Vec::new(),
            message_numbers: en.messages.iter().map(|m| m.number().to_string()).collect::<Vec<_>>().join(" "),
            ticked: false,
        };
        let paper =
            en.paper_signer.as_ref().map(|s| PaperView { on: true, name: s.name.clone(), title: s.title.clone() });
        return (form, paper);
    }
    let s = page.suggested.as_ref();
    let today = page.call_dates.first().map(|d| d.to_string()).unwrap_or_default();
    let date = date.filter(|d| page.call_dates.iter().any(|x| x.to_string() == *d)).map(str::to_owned);
    let form = EntryFormView {
        date: date.unwrap_or(today),
        counterpart_org: s.map(|s| s.org.to_string()).unwrap_or_default(),
        counterpart_name: s.map(|s| s.name.clone()).unwrap_or_default(),
        counterpart_role: s.map(|s| s.role.clone()).unwrap_or_default(),
        direction: String::new(),
        channel: "phone".into(),
        ..Default::default()
    };
    (form, None)
}

/// How the episode page is asked for.
#[derive(Default)]
pub(super) struct Wanted<'a> {
    pub(super) errors: Vec<FormError>,
    pub(super) sip_errors: Vec<FormError>,
    pub(super) sip: Option<SipFormView>,
    pub(super) form: Option<EntryFormView>,
    pub(super) update_errors: Vec<FormError>,
    pub(super) update: Option<UpdateFormView>,
    pub(super) paper: Option<PaperView>,
    pub(super) query: Option<&'a EpisodeQuery>,
}

pub(super) async fn episode_page(st: &AppState, ctx: &Ctx, id: &str, status: StatusCode, w: Wanted<'_>) -> Response {
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
    let t = lang.texts();
    let q = w.query;
    let correct = q.and_then(|q| q.correct.as_deref());
    let (form, paper) = match w.form {
        Some(f) => (f, w.paper),
        None => {
            let (f, from_entry) = default_form(&page, correct, q.and_then(|q| q.date.as_deref()));
            let asked = q.filter(|q| q.paper.is_some()).map(|q| PaperView {
                on: true,
                name: q.signer.clone().unwrap_or_default(),
                title: q.title.clone().unwrap_or_default(),
            });
            (f, from_entry.or(asked))
        }
    };
    let paper = paper.unwrap_or_default();
    let saved = q.is_some_and(|q| q.saved.is_some());
    // The focus: the first field with an error (the page opens there, at the
    // form, not at its top); else, when transcribing or right after a save,
    // the first field to fill; else none (the page opens at its top, with
    // the gaps). The form's action and the redirect carry no `#fragment`:
    // browsers leave `autofocus` alone when they follow one.
    let order = [
        "paper_signer_name",
        "paper_signer_title",
        "date",
        "at",
        "direction",
        "counterpart_org",
        "counterpart_name",
        "messages",
    ];
    let focus = if let Some(f) = order.iter().find(|k| w.errors.at(k).is_some()) {
        f
    } else if paper.on && paper.name.is_empty() {
        "paper_signer_name"
    } else if paper.on && paper.title.is_empty() {
        "paper_signer_title"
    } else if paper.on || saved || correct.is_some() {
        "at"
    } else {
        ""
    };
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
            (key, m.number(), message_label(lang, m), checked)
        })
        .collect();
    let today = page.call_dates.first().copied();
    let mut dates: Vec<(String, String)> = page
        .call_dates
        .iter()
        .map(|d| {
            let label = if Some(*d) == today { format!("{d} ({})", t.today) } else { d.to_string() };
            (d.to_string(), label)
        })
        .collect();
    // A date typed before (a correction of an older line) stays choosable.
    if !form.date.is_empty() && !dates.iter().any(|(d, _)| *d == form.date) {
        dates.push((form.date.clone(), form.date.clone()));
    }
    let update = w.update.unwrap_or_else(|| {
        let e = &v.episode;
        UpdateFormView {
            expected_discharge: e.expected_discharge.map(|d| d.to_string()).unwrap_or_default(),
            ready_for_discharge_at: facts.ready_for_discharge_at.map(format_input).unwrap_or_default(),
            discharged_at: facts.discharged_at.map(format_input).unwrap_or_default(),
            designated_care_contact: e.designated_care_contact.clone().unwrap_or_default(),
            discharge_destination: e.discharge_destination.map(|d| d.key().to_owned()).unwrap_or_default(),
            extensive_long_term_services: String::new(),
        }
    });
    let sip_form = w.sip.unwrap_or_else(|| {
        let from = q.and_then(|q| q.sip.as_deref());
        v.sips
            .iter()
            .find(|s| from == Some(s.current.id.to_string().as_str()))
            .map(|s| SipFormView::from_record(&s.current))
            .unwrap_or_default()
    });
    let page = EpisodePage {
        l: Layout::new(ctx, &st.app).await,
        sips: sips::sip_rows(lang, v, &n),
        sip_saved: q.is_some_and(|q| q.sip_saved.is_some()),
        sip_errors: w.sip_errors,
        sip_form,
        sip_parties: sips::parties(lang, v),
        sip_vias: sips::vias(lang),
        errors: w.errors,
        update_errors: w.update_errors,
        update,
        paper,
        saved,
        focus,
        dates,
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
    Query(q): Query<EpisodeQuery>,
) -> Response {
    episode_page(&st, &ctx, &id, StatusCode::OK, Wanted { query: Some(&q), ..Default::default() }).await
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
        sips: sips::sip_rows(ctx.lang, v, &n),
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
    let ticked: Vec<String> = kv.iter().filter(|(k, _)| k == "messages").map(|(_, v)| v.clone()).collect();
    let form = EntryFormView {
        date: field(&kv, "date"),
        time: field(&kv, "time"),
        counterpart_org: field(&kv, "counterpart_org"),
        counterpart_name: field(&kv, "counterpart_name"),
        counterpart_role: field(&kv, "counterpart_role"),
        direction: field(&kv, "direction"),
        channel: field(&kv, "channel"),
        comment: field(&kv, "comment"),
        supersedes: field(&kv, "supersedes"),
        ticked: !ticked.is_empty(),
        messages: ticked.clone(),
        message_numbers: field(&kv, "message_numbers"),
    };
    let paper = PaperView {
        on: !field(&kv, "paper").is_empty(),
        name: field(&kv, "paper_signer_name"),
        title: field(&kv, "paper_signer_title"),
    };
    let again = |errs: Vec<FormError>, status: StatusCode, form: EntryFormView, paper: PaperView| {
        let (st, ctx, id) = (&st, &ctx, &id);
        async move {
            let w = Wanted { errors: errs, form: Some(form), paper: Some(paper), ..Default::default() };
            episode_page(st, ctx, id, status, w).await
        }
    };
    // The numbers typed from the paper form and the boxes ticked in the list
    // name the messages together.
    let mut messages = ticked;
    match MessageType::parse_numbers(&form.message_numbers) {
        Ok(set) => messages.extend(set.into_iter().map(message_key)),
        Err(e) => {
            let errs = vec![FormError::from_app(ctx.lang, &AppError::from(e))];
            return again(errs, StatusCode::UNPROCESSABLE_ENTITY, form, paper).await;
        }
    }
    // The time is required here (the API's empty time means "now"; a typed
    // line always has its own). A date and a time make one local time for
    // the one parser of typed times.
    let at =
        if form.time.trim().is_empty() { String::new() } else { format!("{} {}", form.date.trim(), form.time.trim()) };
    if at.is_empty() {
        let e = AppError::from(reserv_core::error::DomainError::Required { field: reserv_core::error::Field::CallAt });
        return again(vec![FormError::from_app(ctx.lang, &e)], StatusCode::UNPROCESSABLE_ENTITY, form, paper).await;
    }
    let input = EntryInput {
        at: Some(at),
        counterpart_name: form.counterpart_name.clone(),
        counterpart_role: form.counterpart_role.clone(),
        counterpart_org: form.counterpart_org.clone(),
        direction: form.direction.clone(),
        channel: Some(form.channel.clone()),
        messages,
        comment: form.comment.clone(),
        supersedes: Some(form.supersedes.clone()),
        paper_signer: paper.on.then(|| PaperSignerInput { name: paper.name.clone(), title: paper.title.clone() }),
    };
    match st.app.log_call(p, eid, input).await {
        Ok(_) => {
            let mut q = vec![("saved", "1".to_owned()), ("date", form.date.trim().to_owned())];
            if paper.on {
                q.extend([
                    ("paper", "1".to_owned()),
                    ("signer", paper.name.trim().to_owned()),
                    ("title", paper.title.trim().to_owned()),
                ]);
            }
            let query = serde_urlencoded::to_string(&q).unwrap_or_default();
            // No fragment (see above): the focus on the time field brings
            // the form into view for the next line.
            see_other(&format!("/episodes/{id}?{query}"))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            let status = crate::kit::respond::status_of(&e);
            again(errs, status, form, paper).await
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
    let typed = UpdateFormView {
        expected_discharge: f.expected_discharge.clone().unwrap_or_default(),
        ready_for_discharge_at: f.ready_for_discharge_at.clone().unwrap_or_default(),
        discharged_at: f.discharged_at.clone().unwrap_or_default(),
        designated_care_contact: f.designated_care_contact.clone().unwrap_or_default(),
        discharge_destination: f.discharge_destination.clone().unwrap_or_default(),
        extensive_long_term_services: f.extensive_long_term_services.clone().unwrap_or_default(),
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
            let w = Wanted {
                update_errors: vec![FormError::from_app(ctx.lang, &e)],
                update: Some(typed),
                ..Default::default()
            };
            episode_page(&st, &ctx, &id, StatusCode::UNPROCESSABLE_ENTITY, w).await
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
    /// The message types in their paper-form order (an `<ol>`: 1–16).
    messages: Vec<&'static str>,
    /// Where the patient went, as boxes to tick.
    destinations: Vec<&'static str>,
}

/// Rows on the printed blank form (one A4 page, landscape).
const BLANK_ROWS: usize = 10;

pub async fn blank_form(State(st): State<AppState>, ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let messages = MessageType::ALL.into_iter().map(|m| message_label(lang, m)).collect();
    let destinations = DischargeDestination::ALL
        .iter()
        .map(|d| match lang {
            Lang::Sv => d.label_sv(),
            Lang::En => d.label_en(),
        })
        .collect();
    let page =
        BlankFormPage { l: Layout::new(&ctx, &st.app).await, rows: vec![(); BLANK_ROWS], messages, destinations };
    render(StatusCode::OK, &page)
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
    let page = match st.app.unit_print_page(p).await {
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
