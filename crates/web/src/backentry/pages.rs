//! Back-entry pages of an ended outage: the caller's worklist (each line with
//! what to enter, what not to enter and why, and buttons to take, finish,
//! skip or reopen an item), the completion report with statistics per
//! municipality and a chart of progress over time, and the statistics as CSV.
//! The texts of these pages are here, in both languages ([`WlTexts`]).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::worklists::{BackEntryReport, LineView, WorkInput, WorklistView};
use reserv_core::backentry::{ItemCode, ItemKind, Outcome};
use reserv_core::ids::{OrgId, OutageId};
use reserv_core::time::format_local;
use reserv_core::worklist::{WorkChange, WorkState, WorkStatus};

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, party_label};
use crate::kit::paging::Paging;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

/// The texts of the back-entry pages.
pub struct WlTexts {
    pub worklist_title: &'static str,
    pub report_title: &'static str,
    pub intro: &'static str,
    pub policy: &'static str,
    pub window: &'static str,
    pub unit: &'static str,
    pub progress: &'static str,
    pub done: &'static str,
    pub skipped: &'static str,
    pub open: &'static str,
    pub assigned: &'static str,
    pub of: &'static str,
    pub complete: &'static str,
    pub nothing_for_unit: &'static str,
    pub to_work: &'static str,
    pub nothing_title: &'static str,
    pub needs_review: &'static str,
    pub patient: &'static str,
    pub party: &'static str,
    pub what: &'static str,
    pub values: &'static str,
    pub why: &'static str,
    pub state: &'static str,
    pub take: &'static str,
    pub mark_done: &'static str,
    pub skip: &'static str,
    pub reopen: &'static str,
    pub reason: &'static str,
    pub reason_help: &'static str,
    pub note: &'static str,
    pub by: &'static str,
    pub history: &'static str,
    pub payment: &'static str,
    pub payment_from: &'static str,
    pub notice_logged: &'static str,
    pub day_zero: &'static str,
    pub payable_days: &'static str,
    pub payable_days_heading: &'static str,
    pub ongoing: &'static str,
    pub state_open: &'static str,
    pub state_done: &'static str,
    pub state_skipped: &'static str,
    pub taken_by: &'static str,
    pub error_here: &'static str,
    pub open_report: &'static str,
    pub open_worklist: &'static str,
    pub units_title: &'static str,
    pub chart_title: &'static str,
    pub chart_empty: &'static str,
    pub stats_title: &'static str,
    pub stats_intro: &'static str,
    pub municipality: &'static str,
    pub episodes: &'static str,
    pub contacts: &'static str,
    pub items: &'static str,
    pub notices: &'static str,
    pub csv: &'static str,
    pub details_title: &'static str,
    pub category: &'static str,
    pub code: &'static str,
    pub enter: &'static str,
    pub follow_up: &'static str,
    pub do_not_enter: &'static str,
    pub message: &'static str,
    pub item: &'static str,
    pub generated: &'static str,
    pub back_to_outage: &'static str,
    pub resolved_count: &'static str,
}

pub const SV: WlTexts = WlTexts {
    worklist_title: "Efterregistrering",
    report_title: "Efterregistrering: slutrapport",
    intro: "Reserv har räknat fram vad er enhet ska registrera i efterhand, vad som inte ska registreras och varför, utifrån samtalsloggen under avbrottet och regionens policy.",
    policy: "Policy",
    window: "Avbrottet",
    unit: "Enhet",
    progress: "Framsteg",
    done: "Klara",
    skipped: "Överhoppade",
    open: "Kvar",
    assigned: "tagna",
    of: "av",
    complete: "Allt är klart: inget kvar att efterregistrera.",
    nothing_for_unit: "Inget att efterregistrera för er enhet: inga patienter hos er berördes av avbrottet enligt samtalsloggen.",
    to_work: "Att göra",
    nothing_title: "Inget att efterregistrera",
    needs_review: "Kräver granskning",
    patient: "Patient",
    party: "Part",
    what: "Vad",
    values: "Uppgifter",
    why: "Varför",
    state: "Status",
    take: "Ta",
    mark_done: "Klar",
    skip: "Hoppa över",
    reopen: "Återöppna",
    reason: "Anledning",
    reason_help: "Krävs för att hoppa över eller återöppna en rad.",
    note: "Kommentar",
    by: "av",
    history: "Historik",
    payment: "Betalningsansvar",
    payment_from: "Kommunens betalningsansvar från",
    notice_logged: "utskrivningsklar meddelad per telefon",
    day_zero: "dag 0",
    payable_days: "dagar med betalningsansvar",
    payable_days_heading: "Dagar med betalningsansvar",
    ongoing: "pågår, patienten är kvar",
    state_open: "Ej klar",
    state_done: "Klar",
    state_skipped: "Överhoppad",
    taken_by: "tagen av",
    error_here: "Rätta här",
    open_report: "Slutrapport och statistik",
    open_worklist: "Arbetslista för efterregistrering",
    units_title: "Framsteg per enhet",
    chart_title: "Efterregistrerade rader över tid",
    chart_empty: "Inget har markerats ännu.",
    stats_title: "Statistik per kommun",
    stats_intro: "Underlag för statistik och fakturering av kommunerna. Inga patientuppgifter.",
    municipality: "Kommun",
    episodes: "Vårdtillfällen",
    contacts: "Loggade samtal",
    items: "Rader att åtgärda",
    notices: "Utskrivningsklar meddelad",
    csv: "Ladda ner statistik (CSV)",
    details_title: "Per meddelandetyp och rad",
    category: "Typ",
    code: "Kod",
    enter: "Registrera",
    follow_up: "Följ upp",
    do_not_enter: "Registrera inte",
    message: "Samtal med meddelande",
    item: "Rad",
    generated: "Framtagen",
    back_to_outage: "Till avbrottet",
    resolved_count: "avklarade rader",
};

pub const EN: WlTexts = WlTexts {
    worklist_title: "Back-entry",
    report_title: "Back-entry: completion report",
    intro: "Reserv has worked out what your unit must enter afterwards, what must not be entered and why, from the call log of the outage and the region's policy.",
    policy: "Policy",
    window: "Outage",
    unit: "Unit",
    progress: "Progress",
    done: "Done",
    skipped: "Skipped",
    open: "Left",
    assigned: "taken",
    of: "of",
    complete: "All done: nothing left to enter.",
    nothing_for_unit: "Nothing to enter for your unit: the call log shows no patient of yours affected by the outage.",
    to_work: "To do",
    nothing_title: "Nothing to enter",
    needs_review: "Needs review",
    patient: "Patient",
    party: "Party",
    what: "What",
    values: "Values",
    why: "Why",
    state: "State",
    take: "Take",
    mark_done: "Done",
    skip: "Skip",
    reopen: "Reopen",
    reason: "Reason",
    reason_help: "Required to skip or reopen a line.",
    note: "Note",
    by: "by",
    history: "History",
    payment: "Payment responsibility",
    payment_from: "Municipal payment responsibility from",
    notice_logged: "ready for discharge told by phone",
    day_zero: "day 0",
    payable_days: "days with payment responsibility",
    payable_days_heading: "Days with payment responsibility",
    ongoing: "ongoing, the patient is still in hospital",
    state_open: "Not done",
    state_done: "Done",
    state_skipped: "Skipped",
    taken_by: "taken by",
    error_here: "Correct here",
    open_report: "Completion report and statistics",
    open_worklist: "Back-entry worklist",
    units_title: "Progress per unit",
    chart_title: "Resolved lines over time",
    chart_empty: "Nothing has been marked yet.",
    stats_title: "Statistics per municipality",
    stats_intro: "For statistics and invoicing the municipalities. No patient data.",
    municipality: "Municipality",
    episodes: "Care episodes",
    contacts: "Logged calls",
    items: "Lines to act on",
    notices: "Ready for discharge told",
    csv: "Download statistics (CSV)",
    details_title: "Per message type and line",
    category: "Type",
    code: "Code",
    enter: "Enter",
    follow_up: "Follow up",
    do_not_enter: "Do not enter",
    message: "Calls with message",
    item: "Line",
    generated: "Generated",
    back_to_outage: "Back to the outage",
    resolved_count: "resolved lines",
};

fn texts(lang: Lang) -> &'static WlTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

pub fn kind_label(lang: Lang, k: ItemKind) -> &'static str {
    let w = texts(lang);
    match k {
        ItemKind::Enter => w.enter,
        ItemKind::DoNotEnter => w.do_not_enter,
        ItemKind::FollowUp => w.follow_up,
        ItemKind::NeedsReview => w.needs_review,
    }
}

pub fn item_label(lang: Lang, c: ItemCode) -> &'static str {
    use ItemCode as C;
    match lang {
        Lang::Sv => match c {
            C::Episode => "Vårdtillfället",
            C::AdmissionNotice => "Inskrivningsmeddelande",
            C::PatientInformation => "Information om patienten",
            C::PatientInformationSendHome => "Information om patienten, skickad hem",
            C::DischargeNotice => "Utskrivningsmeddelande",
            C::ReadyForDischargeNotice => "Utskrivningsklar-meddelande",
            C::PlanningInformation => "Planeringsunderlag",
            C::PreviouslyCommunicatedInformation => "Tidigare kommunicerad information",
            C::CloseEpisode => "Avsluta vårdtillfället",
            C::ContinueInSystem => "Fortsätt processen i systemet",
            C::AcknowledgeMessages => "Kvittera inkomna meddelanden",
            C::ConfirmDesignatedCareContact => "Bekräfta fast vårdkontakt",
            C::SendSipInvitation => "Skicka kallelse till SIP",
            C::ManualHandling => "Hantera manuellt",
            C::AgreeOnBackEntry => "Kom överens om efterregistrering",
            C::Sip => "SIP",
            C::SipInitiative => "SIP-initiativ",
            C::SipInvitation => "Kallelse till SIP",
            C::SipPlan => "SIP-plan med mål och aktiviteter",
            C::NormalRoutine => "Enligt ordinarie rutin",
            C::Contradiction => "Motsägelse i uppgifterna",
        },
        Lang::En => match c {
            C::Episode => "The care episode",
            C::AdmissionNotice => "Admission notice",
            C::PatientInformation => "Patient information",
            C::PatientInformationSendHome => "Patient information, sent home",
            C::DischargeNotice => "Discharge notice",
            C::ReadyForDischargeNotice => "Ready-for-discharge notice",
            C::PlanningInformation => "Planning information",
            C::PreviouslyCommunicatedInformation => "Previously communicated information",
            C::CloseEpisode => "Close the care episode",
            C::ContinueInSystem => "Continue the process in the system",
            C::AcknowledgeMessages => "Acknowledge received messages",
            C::ConfirmDesignatedCareContact => "Confirm the designated care contact",
            C::SendSipInvitation => "Send the SIP invitation",
            C::ManualHandling => "Handle manually",
            C::AgreeOnBackEntry => "Agree on back-entry",
            C::Sip => "CIP (SIP)",
            C::SipInitiative => "CIP initiative",
            C::SipInvitation => "CIP invitation",
            C::SipPlan => "CIP plan with goals and activities",
            C::NormalRoutine => "Normal routine",
            C::Contradiction => "Contradiction in the facts",
        },
    }
}

fn value_label(lang: Lang, key: &str) -> String {
    let sv = lang == Lang::Sv;
    match key {
        "admitted_at" => if sv { "Inskriven" } else { "Admitted" }.into(),
        "discharged_at" => if sv { "Utskriven" } else { "Discharged" }.into(),
        "ready_for_discharge" => if sv { "Utskrivningsklar" } else { "Ready for discharge" }.into(),
        "actual_discharge" => if sv { "Faktisk utskrivning" } else { "Actual discharge" }.into(),
        "designated_care_contact" => if sv { "Fast vårdkontakt" } else { "Designated care contact" }.into(),
        "told_by_phone_at" => if sv { "Meddelat per telefon" } else { "Told by phone" }.into(),
        "calls_received" => if sv { "Mottagna samtal" } else { "Calls received" }.into(),
        "must_acknowledge" => if sv { "Ska kvittera" } else { "Must acknowledge" }.into(),
        "discharge_destination" => lang.texts().discharge_destination.into(),
        "sip_initiator" => lang.texts().sip_initiator.into(),
        "sip_participants" => lang.texts().sip_participants.into(),
        "sip_initiated_on" => lang.texts().sip_initiated.into(),
        "sip_meeting_on" => lang.texts().sip_agreement.into(),
        "sip_agreed_at" => lang.texts().sip_agreed_at.into(),
        "sip_held_on" => lang.texts().sip_held_on.into(),
        "sip_goals" => lang.texts().sip_goals.into(),
        "sip_activities" => lang.texts().sip_activities.into(),
        other => other.to_owned(),
    }
}

fn value_text(lang: Lang, key: &str, v: &str) -> String {
    match (key, v, lang) {
        ("must_acknowledge", "no", Lang::Sv) => "nej".into(),
        ("must_acknowledge", "yes", Lang::Sv) => "ja".into(),
        ("sip_initiator", p, _) => reserv_core::handover::Party::parse(p)
            .map(|p| crate::kit::i18n::party_label(lang, p).to_owned())
            .unwrap_or_else(|| p.to_owned()),
        ("sip_participants", ps, _) => ps
            .split(',')
            .map(|p| {
                reserv_core::handover::Party::parse(p)
                    .map(|p| crate::kit::i18n::party_label(lang, p).to_owned())
                    .unwrap_or_else(|| p.to_owned())
            })
            .collect::<Vec<_>>()
            .join(", "),
        ("discharge_destination", d, _) => match reserv_core::episode::DischargeDestination::parse(d) {
            Some(d) if lang == Lang::Sv => d.label_sv().into(),
            Some(d) => d.label_en().into(),
            None => d.to_owned(),
        },
        _ => v.to_owned(),
    }
}

pub struct ProgressView {
    pub(crate) total: usize,
    pub(crate) done: usize,
    pub(crate) skipped: usize,
    pub(crate) open: usize,
    pub(crate) assigned: usize,
    pub(crate) percent: usize,
    pub(crate) complete: bool,
}

impl From<reserv_core::worklist::Progress> for ProgressView {
    fn from(p: reserv_core::worklist::Progress) -> Self {
        ProgressView {
            total: p.total,
            done: p.done,
            skipped: p.skipped,
            open: p.open,
            assigned: p.assigned,
            percent: p.percent(),
            complete: p.complete(),
        }
    }
}

pub struct ItemRow {
    key: String,
    dom: String,
    kind: &'static str,
    kind_key: &'static str,
    label: &'static str,
    values: Vec<(String, String)>,
    cite: String,
    tracked: bool,
    state: &'static str,
    state_key: &'static str,
    assigned: String,
    resolved: String,
    note: String,
    history: Vec<String>,
}

pub struct PaymentRow {
    notice: String,
    day_zero: String,
    starts: String,
    payable: i32,
    ongoing: bool,
}

pub struct LineRow {
    anchor: String,
    /// The line is about a SIP of the episode (002's SIP rows).
    sip: bool,
    episode_id: String,
    patient: String,
    party: &'static str,
    outcome: &'static str,
    reason: String,
    items: Vec<ItemRow>,
    payment: Option<PaymentRow>,
}

fn kind_key(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Enter => "enter",
        ItemKind::DoNotEnter => "do_not_enter",
        ItemKind::FollowUp => "follow_up",
        ItemKind::NeedsReview => "needs_review",
    }
}

fn history_line(lang: Lang, e: &reserv_core::worklist::WorkEvent) -> String {
    let w = texts(lang);
    let what = match &e.change {
        WorkChange::Assigned { to } => format!("{} → {to}", w.take),
        WorkChange::Done { note } if note.is_empty() => w.mark_done.to_owned(),
        WorkChange::Done { note } => format!("{}: {note}", w.mark_done),
        WorkChange::Skipped { reason } => format!("{}: {reason}", w.skip),
        WorkChange::Reopened { reason } => format!("{}: {reason}", w.reopen),
    };
    format!("{} {}: {what}", format_local(e.at), e.actor.name)
}

fn item_row(lang: Lang, i: &reserv_core::worklist::WorkItem) -> ItemRow {
    let w = texts(lang);
    let s: Option<&WorkStatus> = i.status.as_ref();
    let (state, state_key) = match s.map(|s| s.state) {
        None => ("–", "none"),
        Some(WorkState::Open) => (w.state_open, "open"),
        Some(WorkState::Done) => (w.state_done, "done"),
        Some(WorkState::Skipped) => (w.state_skipped, "skipped"),
    };
    ItemRow {
        key: i.key.to_string(),
        dom: format!("i-{}", i.key.to_string().replace([':', '@'], "-")),
        kind: kind_label(lang, i.item.kind),
        kind_key: kind_key(i.item.kind),
        label: item_label(lang, i.item.code),
        values: i.item.values.iter().map(|(k, v)| (value_label(lang, k), value_text(lang, k, v))).collect(),
        cite: i.item.cite.clone(),
        tracked: s.is_some(),
        state,
        state_key,
        assigned: s.and_then(|s| s.assigned_to.clone()).unwrap_or_default(),
        resolved: s
            .and_then(|s| Some(format!("{} {}", s.resolved_by.clone()?, format_local(s.resolved_at?))))
            .unwrap_or_default(),
        note: s.and_then(|s| s.note.clone()).unwrap_or_default(),
        history: s.map(|s| s.history.iter().map(|e| history_line(lang, e)).collect()).unwrap_or_default(),
    }
}

fn line_row(lang: Lang, l: &LineView) -> LineRow {
    let heading = reserv_core::backentry::Heading::of_kinds(&l.line.outcome, l.line.items.iter().map(|i| i.item.kind));
    let outcome = match lang {
        Lang::Sv => heading.label_sv(),
        Lang::En => heading.label_en(),
    };
    let reason = match &l.line.outcome {
        Outcome::NothingToEnter { reason } => reason.clone(),
        _ => String::new(),
    };
    LineRow {
        anchor: match l.line.sip {
            None => format!("l-{}-{}", l.line.episode, l.line.party.key()),
            Some(sip) => format!("l-{}-{}-sip-{sip}", l.line.episode, l.line.party.key()),
        },
        sip: l.line.sip.is_some(),
        episode_id: l.line.episode.to_string(),
        patient: l.patient.to_string(),
        party: party_label(lang, l.line.party),
        outcome,
        reason,
        items: l.line.items.iter().map(|i| item_row(lang, i)).collect(),
        payment: l.payment.map(|p| PaymentRow {
            notice: format_local(p.notice_at),
            day_zero: p.day_zero.to_string(),
            starts: p.starts.to_string(),
            payable: p.payable_days,
            ongoing: p.ongoing,
        }),
    }
}

fn window_text(start: Timestamp, end: Timestamp) -> String {
    format!("{} – {}", format_local(start), format_local(end))
}

/// Lines per page, so a page stays small on a unit with hundreds of lines.
const LINES_PER_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    l: Layout,
    w: &'static WlTexts,
    errors: Vec<FormError>,
    outage_id: String,
    system_name: String,
    window: String,
    policy_name: String,
    org_name: String,
    progress: ProgressView,
    work_lines: Vec<LineRow>,
    nothing_lines: Vec<LineRow>,
    paging: Paging,
    paging_base: String,
    report_link: bool,
    /// The DOM id of the item whose change was refused, if any.
    error_item: String,
    /// The patient, party and item of the refused change, named in the summary.
    error_subject: String,
    /// The reason as typed with the refused change, kept in its field.
    error_reason: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<usize>,
}

fn outage_id(raw: &str) -> Result<OutageId, AppError> {
    crate::kit::respond::parse_id(raw)
}

#[allow(clippy::too_many_arguments)]
async fn worklist_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    page: Option<usize>,
    status: StatusCode,
    errors: Vec<FormError>,
    error_item: String,
    error_reason: String,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let v: WorklistView = match outage_id(id) {
        Ok(oid) => match st.app.worklist(p, oid).await {
            Ok(v) => v,
            Err(e) => return fail(ctx, e),
        },
        Err(e) => return fail(ctx, e),
    };
    let lang = ctx.lang;
    // Lines with open work first, then finished ones; "nothing to enter" apart.
    let (mut work, nothing): (Vec<&LineView>, Vec<&LineView>) =
        v.lines.iter().partition(|l| !matches!(l.line.outcome, Outcome::NothingToEnter { .. }));
    work.sort_by_key(|l| (l.line.progress().complete(), l.patient.to_string(), l.line.party));
    let paging = Paging::new(work.len(), LINES_PER_PAGE, page);
    let work_lines: Vec<LineRow> = work
        .iter()
        .skip((paging.current - 1) * LINES_PER_PAGE)
        .take(LINES_PER_PAGE)
        .map(|l| line_row(lang, l))
        .collect();
    let error_subject = work_lines
        .iter()
        .find_map(|l| {
            let i = l.items.iter().find(|i| i.dom == error_item)?;
            Some(format!("{} · {} · {}", l.patient, l.party, i.label))
        })
        .unwrap_or_default();
    let system_name = st.app.catalogue().get(&v.system).map(|s| s.name.clone()).unwrap_or_else(|| v.system.to_string());
    let page = WorklistPage {
        l: Layout::new(ctx, &st.app).await,
        w: texts(lang),
        errors,
        outage_id: v.outage_id.to_string(),
        system_name,
        window: window_text(v.window.start, v.window.end),
        policy_name: v.policy.name.clone(),
        org_name: v.org_name.clone(),
        progress: v.progress.into(),
        work_lines,
        nothing_lines: nothing.iter().map(|l| line_row(lang, l)).collect(),
        paging,
        paging_base: format!("/outages/{}/worklist", v.outage_id),
        report_link: v.reads_report,
        error_item,
        error_subject,
        error_reason,
    };
    render(status, &page)
}

pub async fn worklist(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    worklist_page(&st, &ctx, &id, q.page, StatusCode::OK, vec![], String::new(), String::new()).await
}

#[derive(Deserialize, Default)]
pub struct WorkForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    page: Option<usize>,
}

pub async fn work(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<WorkForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let input =
        WorkInput { key: f.key.clone(), action: f.action.clone(), reason: f.reason.clone(), assignee: String::new() };
    let r = match outage_id(&id) {
        Ok(oid) => st.app.work_on_item(p, oid, input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => {
            let anchor = f.key.split(':').take(2).collect::<Vec<_>>().join("-");
            let page = f.page.map(|n| format!("?page={n}")).unwrap_or_default();
            see_other(&format!("/outages/{id}/worklist{page}#l-{anchor}"))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = crate::status_of(&e);
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            let item = format!("i-{}", f.key.trim().replace([':', '@'], "-"));
            worklist_page(&st, &ctx, &id, f.page, status, errs, item, f.reason.clone()).await
        }
        Err(e) => fail(&ctx, e),
    }
}

// ---- the completion report ----

pub struct UnitRow {
    name: String,
    progress: ProgressView,
}

pub struct MunicipalityRow {
    name: String,
    episodes: usize,
    contacts: usize,
    items: usize,
    done: usize,
    skipped: usize,
    open: usize,
    notices: usize,
    payable_days: i64,
}

pub struct DetailRow {
    municipality: String,
    category: &'static str,
    label: String,
    contacts: usize,
    enter: usize,
    follow_up: usize,
    do_not_enter: usize,
    done: usize,
    skipped: usize,
    open: usize,
}

/// A step chart of resolved lines over time, as SVG coordinates, with its
/// axes (counts up the side, distinct times along the bottom) and the figures
/// as a table for those who do not see the chart.
pub struct Chart {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) points: String,
    pub(crate) total: usize,
    pub(crate) resolved: usize,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) empty: bool,
    /// The y axis, top to bottom: the counts at the top, the middle (when a
    /// whole number) and the bottom of the plot.
    pub(crate) y_ticks: Vec<usize>,
    /// The x axis, left to right: the times at the left edge, the middle and
    /// the right edge, each label distinct.
    pub(crate) x_ticks: Vec<String>,
    /// The day of every x tick when they share one (then the ticks show the time only).
    pub(crate) day: String,
    /// The figures: each time the count changed, and the count then.
    pub(crate) rows: Vec<(String, usize)>,
}

/// The labels of the x axis at the left edge, the middle and the right edge,
/// without repeats: times of day when all fall on one day, else day and time.
fn x_ticks(t0: Timestamp, t_end: Timestamp) -> (Vec<String>, String) {
    let mid = Timestamp::from_second((t0.as_second() + t_end.as_second()) / 2).unwrap_or(t0);
    let (z0, z1) = (reserv_core::time::local(t0), reserv_core::time::local(t_end));
    let one_day = z0.date() == z1.date();
    let fmt = if one_day { "%H:%M" } else { "%-d/%-m %H:%M" };
    let mut ticks: Vec<String> = Vec::new();
    for t in [t0, mid, t_end] {
        let label = reserv_core::time::local(t).strftime(fmt).to_string();
        if !ticks.contains(&label) {
            ticks.push(label);
        }
    }
    // The middle label sits half-way only when the two ends are labelled too.
    if ticks.len() == 2 && ticks[1] != reserv_core::time::local(t_end).strftime(fmt).to_string() {
        ticks.pop();
    }
    let day = if one_day { z0.strftime("%Y-%m-%d").to_string() } else { String::new() };
    (ticks, day)
}

/// The labels of the y axis, top to bottom.
fn y_ticks(total: usize) -> Vec<usize> {
    let max = total.max(1);
    if max >= 2 && max.is_multiple_of(2) { vec![max, max / 2, 0] } else { vec![max, 0] }
}

/// The chart's geometry; pure, so the page and tests share it.
pub fn chart(series: &[(Timestamp, usize)], total: usize, until: Timestamp) -> Chart {
    let (width, height) = (600u32, 160u32);
    let Some(&(t0, _)) = series.first() else {
        return Chart {
            width,
            height,
            points: String::new(),
            total,
            resolved: 0,
            first: String::new(),
            last: String::new(),
            empty: true,
            y_ticks: Vec::new(),
            x_ticks: Vec::new(),
            day: String::new(),
            rows: Vec::new(),
        };
    };
    let t_end = until.max(series.last().map(|s| s.0).unwrap_or(t0));
    let span = (t_end.as_second() - t0.as_second()).max(1) as f64;
    let max = total.max(1) as f64;
    let x = |t: Timestamp| (t.as_second() - t0.as_second()) as f64 / span * f64::from(width);
    let y = |n: usize| f64::from(height) - n as f64 / max * f64::from(height);
    let mut pts = vec![format!("0,{:.1}", f64::from(height))];
    let mut prev = 0;
    for &(t, n) in series {
        pts.push(format!("{:.1},{:.1}", x(t), y(prev)));
        pts.push(format!("{:.1},{:.1}", x(t), y(n)));
        prev = n;
    }
    pts.push(format!("{:.1},{:.1}", f64::from(width), y(prev)));
    let (x_ticks, day) = x_ticks(t0, t_end);
    Chart {
        width,
        height,
        points: pts.join(" "),
        total,
        resolved: prev,
        first: format_local(t0),
        last: format_local(t_end),
        empty: false,
        y_ticks: y_ticks(total),
        x_ticks,
        day,
        rows: series.iter().map(|&(t, n)| (format_local(t), n)).collect(),
    }
}

#[derive(Template)]
#[template(path = "backentry_report.html")]
struct ReportPage {
    l: Layout,
    w: &'static WlTexts,
    outage_id: String,
    system_name: String,
    window: String,
    policy_name: String,
    generated: String,
    episodes: usize,
    progress: ProgressView,
    units: Vec<UnitRow>,
    chart: Chart,
    municipalities: Vec<MunicipalityRow>,
    details: Vec<DetailRow>,
}

fn report_rows(
    lang: Lang,
    r: &BackEntryReport,
    names: &BTreeMap<OrgId, String>,
) -> (Vec<MunicipalityRow>, Vec<DetailRow>) {
    use reserv_core::statistics::Category;
    let w = texts(lang);
    let name = |o: &OrgId| names.get(o).cloned().unwrap_or_else(|| o.to_string());
    let municipalities = r
        .statistics
        .municipalities
        .iter()
        .map(|(m, s)| MunicipalityRow {
            name: name(m),
            episodes: s.episodes,
            contacts: s.contacts,
            items: s.items,
            done: s.done,
            skipped: s.skipped,
            open: s.open,
            notices: s.notices,
            payable_days: s.payable_days,
        })
        .collect();
    let details = r
        .statistics
        .rows
        .iter()
        .map(|row| {
            let label = match row.category {
                Category::Message => message_label_of(lang, row.code),
                Category::Item => {
                    ItemCode::parse(row.code).map(|c| item_label(lang, c).to_owned()).unwrap_or(row.code.to_owned())
                }
            };
            DetailRow {
                municipality: name(&row.municipality),
                category: match row.category {
                    Category::Message => w.message,
                    Category::Item => w.item,
                },
                label,
                contacts: row.counts.contacts,
                enter: row.counts.enter + row.counts.needs_review,
                follow_up: row.counts.follow_up,
                do_not_enter: row.counts.do_not_enter,
                done: row.counts.done,
                skipped: row.counts.skipped,
                open: row.counts.open,
            }
        })
        .collect();
    (municipalities, details)
}

fn message_label_of(lang: Lang, key: &str) -> String {
    reserv_core::handover::MessageType::ALL
        .into_iter()
        .find(|m| m.key() == key)
        .map(|m| crate::kit::i18n::message_label(lang, m).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

pub async fn report(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let r = match outage_id(&id) {
        Ok(oid) => match st.app.backentry_report(p, oid).await {
            Ok(r) => r,
            Err(e) => return fail(&ctx, e),
        },
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let (municipalities, details) = report_rows(lang, &r, &r.org_names);
    let system_name = st.app.catalogue().get(&r.system).map(|s| s.name.clone()).unwrap_or_else(|| r.system.to_string());
    let page = ReportPage {
        l: Layout::new(&ctx, &st.app).await,
        w: texts(lang),
        outage_id: r.outage_id.to_string(),
        system_name,
        window: window_text(r.window.start, r.window.end),
        policy_name: r.policy.name.clone(),
        generated: format_local(r.generated_at),
        episodes: r.episodes,
        progress: r.total.into(),
        units: r.units.iter().map(|u| UnitRow { name: u.name.clone(), progress: u.progress.into() }).collect(),
        chart: chart(&r.progress_over_time, r.total.total, r.generated_at),
        municipalities,
        details,
    };
    render(StatusCode::OK, &page)
}

/// The statistics as a CSV download (same service as the report), in the
/// page's language.
pub async fn statistics_csv(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    match outage_id(&id) {
        Ok(oid) => match st.app.backentry_report(p, oid).await {
            Ok(r) => csv_response(ctx.lang, &r),
            Err(e) => fail(&ctx, e),
        },
        Err(e) => fail(&ctx, e),
    }
}

/// The words of the statistics CSV: the report's headings and labels.
struct CsvWords<'a> {
    lang: Lang,
    names: &'a BTreeMap<OrgId, String>,
}

impl reserv_core::statistics::CsvLabels for CsvWords<'_> {
    fn header(&self) -> [&str; reserv_core::statistics::CSV_COLUMNS] {
        let (w, t) = (texts(self.lang), self.lang.texts());
        [
            w.municipality,
            w.category,
            t.csv_line,
            w.contacts,
            w.enter,
            w.follow_up,
            w.needs_review,
            w.do_not_enter,
            w.done,
            w.skipped,
            w.open,
            w.notices,
            w.payable_days_heading,
            t.csv_municipality_code,
            t.csv_code,
        ]
    }

    fn municipality(&self, m: &OrgId) -> String {
        self.names.get(m).cloned().unwrap_or_else(|| m.to_string())
    }

    fn category(&self, c: Option<reserv_core::statistics::Category>) -> String {
        use reserv_core::statistics::Category;
        let w = texts(self.lang);
        match c {
            Some(Category::Message) => w.message.into(),
            Some(Category::Item) => w.item.into(),
            None => self.lang.texts().csv_total.into(),
        }
    }

    fn code(&self, c: reserv_core::statistics::Category, code: &str) -> String {
        use reserv_core::statistics::Category;
        match c {
            Category::Message => message_label_of(self.lang, code),
            Category::Item => {
                ItemCode::parse(code).map(|c| item_label(self.lang, c).to_owned()).unwrap_or(code.to_owned())
            }
        }
    }
}

/// `text/csv` with a file name that says which outage it is: Swedish
/// headings and labels (English with `lang`), the codes in the last columns.
pub fn csv_response(lang: Lang, r: &BackEntryReport) -> Response {
    let mut out = String::new();
    reserv_core::statistics::write_csv(&r.statistics, &CsvWords { lang, names: &r.org_names }, &mut out);
    crate::kit::csv::csv_response(reserv_app::deviations::CsvExport {
        filename: format!("reserv-statistik-{}.csv", r.outage_id),
        body: out.into_bytes(),
    })
}

/// What the outage page shows about back-entry, if the outage has a worklist.
pub struct BackEntrySummary {
    pub outage_id: String,
    /// For those who may read the report.
    pub progress: Option<ProgressView>,
    pub chart: Option<Chart>,
}

/// For the outage page: links to the worklist, and, when the service gave
/// the report (to those who may read it), its progress and chart.
pub fn summary(id: OutageId, s: &reserv_app::views::BackEntrySummary) -> BackEntrySummary {
    let (progress, chart) = match &s.report {
        Some(r) => {
            (Some(ProgressView::from(r.total)), Some(chart(&r.progress_over_time, r.total.total, r.generated_at)))
        }
        None => (None, None),
    };
    BackEntrySummary { outage_id: id.to_string(), progress, chart }
}

/// The back-entry texts in the caller's language.
pub fn texts_for(lang: Lang) -> &'static WlTexts {
    texts(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_chart_steps_up_and_down_with_the_series_and_ends_at_the_right_edge() {
        let c = chart(
            &[(ts("2026-01-01T08:00:00Z"), 1), (ts("2026-01-01T09:00:00Z"), 2), (ts("2026-01-01T10:00:00Z"), 1)],
            4,
            ts("2026-01-01T12:00:00Z"),
        );
        assert!(!c.empty);
        assert_eq!(c.resolved, 1);
        assert_eq!(c.points, "0,160.0 0.0,160.0 0.0,120.0 150.0,120.0 150.0,80.0 300.0,80.0 300.0,120.0 600.0,120.0");
        assert!(chart(&[], 3, ts("2026-01-01T12:00:00Z")).empty);
    }

    #[test]
    fn the_chart_has_count_and_distinct_time_axes_and_its_figures() {
        let c = chart(
            &[(ts("2026-01-01T08:00:00Z"), 1), (ts("2026-01-01T09:00:00Z"), 2), (ts("2026-01-01T10:00:00Z"), 1)],
            4,
            ts("2026-01-01T12:00:00Z"),
        );
        assert_eq!(c.y_ticks, vec![4, 2, 0]);
        // Stockholm time, one day: times only, the day once.
        assert_eq!(c.x_ticks, vec!["09:00", "11:00", "13:00"]);
        assert_eq!(c.day, "2026-01-01");
        assert_eq!(c.rows.len(), 3);
        assert_eq!(c.rows[1], ("2026-01-01 10:00".to_owned(), 2));
        // Within one minute: one label, not the same time three times.
        let short = chart(&[(ts("2026-01-01T08:00:00Z"), 1)], 3, ts("2026-01-01T08:00:20Z"));
        assert_eq!(short.x_ticks, vec!["09:00"]);
        assert_eq!(short.y_ticks, vec![3, 0]);
        // Over several days: day and time.
        let long = chart(&[(ts("2026-01-01T08:00:00Z"), 1)], 1, ts("2026-01-03T08:00:00Z"));
        assert_eq!(long.x_ticks, vec!["1/1 09:00", "2/1 09:00", "3/1 09:00"]);
        assert!(long.day.is_empty());
    }
}
