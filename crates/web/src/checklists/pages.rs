//! "Vad gör jag nu?" pages: `/outages/{id}/checklist`, the person's routine
//! steps for the outage as a checklist (one small form per step: each tick
//! or untick is a POST with the CSRF token, answered with a redirect back to
//! the step's anchor; no script), with a role selector (`?role=`), links to
//! the outage and to the phone list, and a print view (☐/☑); and
//! `/outages/{id}/checklist/unit`, the unit's progress for its manager (IT
//! and system administrators may pick any unit). The texts of these pages
//! are here, in both languages ([`ClTexts`]).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::checklists::{ChecklistView, RoleSource, TickInput, UnitProgressView};
use reserv_core::checklist::{ChecklistStep, Ticker, Timing, UnitStep};
use reserv_core::ids::OutageId;
use reserv_core::outage::OutageStatus;
use reserv_core::routine::{Phase, RoutineRole};
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

/// The texts of the checklist pages.
pub struct ClTexts {
    pub title: &'static str,
    pub link: &'static str,
    pub link_help: &'static str,
    pub intro_ongoing: &'static str,
    pub intro_upcoming: &'static str,
    pub intro_ended: &'static str,
    pub outage: &'static str,
    pub unit: &'static str,
    pub roles: &'static str,
    pub roles_from_account: &'static str,
    pub roles_from_org: &'static str,
    pub roles_chosen: &'static str,
    pub roles_none: &'static str,
    pub progress: &'static str,
    pub of: &'static str,
    pub back_to_outage: &'static str,
    pub phone_list: &'static str,
    pub unit_link: &'static str,
    pub print_hint: &'static str,
    pub choose_role: &'static str,
    pub my_roles: &'static str,
    pub show: &'static str,
    pub before: &'static str,
    pub during: &'static str,
    pub after: &'static str,
    pub now: &'static str,
    pub earlier: &'static str,
    pub waiting: &'static str,
    pub waiting_help_after: &'static str,
    pub waiting_help_during: &'static str,
    pub tick: &'static str,
    pub untick: &'static str,
    pub done_by: &'static str,
    pub not_done: &'static str,
    pub undone_by: &'static str,
    pub colleagues: &'static str,
    pub no_steps: &'static str,
    pub status_upcoming: &'static str,
    pub status_ongoing: &'static str,
    pub status_ended: &'static str,
    pub unit_title: &'static str,
    pub unit_intro: &'static str,
    pub people: &'static str,
    pub step: &'static str,
    pub count: &'static str,
    pub ticked_by: &'static str,
    pub nobody: &'static str,
    pub no_list: &'static str,
    pub choose_unit: &'static str,
    pub my_checklist: &'static str,
    pub account_roles_legend: &'static str,
    pub routine_roles: &'static str,
    pub account_roles_hint: &'static str,
}

pub const SV: ClTexts = ClTexts {
    title: "Vad gör jag nu?",
    link: "Vad gör jag nu?",
    link_help: "Stegen i rutinen för din roll, som en checklista att bocka av.",
    intro_ongoing: "Systemet är nere. Här är stegen i rutinen för dig nu, och de steg som väntar tills systemet är i drift igen. Bocka av det du har gjort; det sparas med namn och tid.",
    intro_upcoming: "Ett planerat stopp kommer. Här är det du ska förbereda nu, och stegen under och efter stoppet.",
    intro_ended: "Systemet är i drift igen. Här är stegen efter återstart, och stegen under avbrottet som du kan bocka av i efterhand.",
    outage: "Avbrott",
    unit: "Enhet",
    roles: "Roller",
    roles_from_account: "från ditt konto",
    roles_from_org: "enhetens standard; ditt konto anger ingen roll",
    roles_chosen: "vald på sidan",
    roles_none: "ingen roll angiven: endast steg för all personal. Välj din roll nedan.",
    progress: "Avbockat",
    of: "av",
    back_to_outage: "Till avbrottet",
    phone_list: "Skriv ut telefonlista",
    unit_link: "Enhetens framsteg",
    print_hint: "Sidan går att skriva ut som checklista på papper.",
    choose_role: "Visa stegen för rollen",
    my_roles: "Mina roller",
    show: "Visa",
    before: "Före planerat stopp",
    during: "Under avbrottet",
    after: "Efter återstart",
    now: "gör nu",
    earlier: "kan bockas av i efterhand",
    waiting: "väntar",
    waiting_help_after: "Väntar tills systemet är i drift igen; då kan stegen bockas av.",
    waiting_help_during: "Väntar tills stoppet börjar; då kan stegen bockas av.",
    tick: "Bocka av",
    untick: "Ångra",
    done_by: "Gjort av",
    not_done: "Inte avbockat",
    undone_by: "avbockningen ångrad av",
    colleagues: "Avbockat av andra på enheten",
    no_steps: "Rutinerna har inga steg för dina roller vid avbrott i detta system. Välj en annan roll, eller följ den lokala rutinen.",
    status_upcoming: "planerat",
    status_ongoing: "pågår",
    status_ended: "avslutat",
    unit_title: "Enhetens checklista",
    unit_intro: "Per steg i rutinen: hur många på enheten som har steget i sin lista, och vem som har bockat av det.",
    people: "Personer med konto på enheten",
    step: "Steg",
    count: "Avbockat",
    ticked_by: "Av vem",
    nobody: "Ingen ännu",
    no_list: "Ingen på enheten har steg i rutinerna för detta system.",
    choose_unit: "Enhet",
    my_checklist: "Min checklista",
    account_roles_legend: "Roller i rutinerna (för ”Vad gör jag nu?”)",
    routine_roles: "Roller i rutinerna",
    account_roles_hint: "Styr vilka steg personen ser i sin checklista vid avbrott. Utan val gäller enhetens standard: vårdavdelning – slutenvård, kommun, hälsocentral – primärvård, IT-förvaltning – IT.",
};

pub const EN: ClTexts = ClTexts {
    title: "What do I do now?",
    link: "What do I do now?",
    link_help: "The routine's steps for your role, as a checklist to tick off.",
    intro_ongoing: "The system is down. Here are the routine's steps for you now, and those that wait until the system is back. Tick what you have done; it is saved with your name and the time.",
    intro_upcoming: "A planned stop is coming. Here is what to prepare now, and the steps during and after the stop.",
    intro_ended: "The system is back in service. Here are the steps after restore, and the steps during the outage that you may tick afterwards.",
    outage: "Outage",
    unit: "Unit",
    roles: "Roles",
    roles_from_account: "from your account",
    roles_from_org: "your unit's default; your account names no role",
    roles_chosen: "chosen on this page",
    roles_none: "no role known: only the steps for all staff. Choose your role below.",
    progress: "Ticked",
    of: "of",
    back_to_outage: "Back to the outage",
    phone_list: "Print the phone list",
    unit_link: "Your unit's progress",
    print_hint: "The page prints as a paper checklist.",
    choose_role: "Show the steps for the role",
    my_roles: "My roles",
    show: "Show",
    before: "Before the planned stop",
    during: "During the outage",
    after: "After restore",
    now: "do now",
    earlier: "may be ticked afterwards",
    waiting: "waiting",
    waiting_help_after: "Waiting until the system is back; then the steps can be ticked.",
    waiting_help_during: "Waiting until the stop begins; then the steps can be ticked.",
    tick: "Tick off",
    untick: "Undo",
    done_by: "Done by",
    not_done: "Not ticked",
    undone_by: "tick undone by",
    colleagues: "Ticked by others at your unit",
    no_steps: "The routines have no steps for your roles when this system is down. Choose another role, or follow the local routine.",
    status_upcoming: "planned",
    status_ongoing: "ongoing",
    status_ended: "ended",
    unit_title: "Your unit's checklist",
    unit_intro: "Per routine step: how many at the unit have the step on their list, and who has ticked it.",
    people: "People with an account at the unit",
    step: "Step",
    count: "Ticked",
    ticked_by: "By whom",
    nobody: "Nobody yet",
    no_list: "Nobody at the unit has routine steps for this system.",
    choose_unit: "Unit",
    my_checklist: "My checklist",
    account_roles_legend: "Routine roles (for “What do I do now?”)",
    routine_roles: "Routine roles",
    account_roles_hint: "Chooses the steps the person sees in their checklist during an outage. Without a choice, the unit's default applies: ward – inpatient care, municipality, primary-care centre – primary care, IT – IT.",
};

pub fn texts(lang: Lang) -> &'static ClTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// The label of the "Vad gör jag nu?" link, for templates that only know the
/// language code (`l.lang`): the outage page and the outage cards.
pub fn link_label(lang_code: &str) -> &'static str {
    texts(Lang::from_tag(lang_code)).link
}

pub fn role_label(lang: Lang, r: RoutineRole) -> &'static str {
    match lang {
        Lang::Sv => r.label_sv(),
        Lang::En => r.label_en(),
    }
}

/// Every routine role a person can work as (not `all_staff`, which is everyone).
pub fn role_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    RoutineRole::ALL.iter().filter(|r| **r != RoutineRole::AllStaff).map(|r| (r.key(), role_label(lang, *r))).collect()
}

fn phase_label(c: &ClTexts, p: Phase) -> &'static str {
    match p {
        Phase::BeforePlannedStop => c.before,
        Phase::During => c.during,
        Phase::AfterRestore => c.after,
    }
}

fn timing_label(c: &ClTexts, t: Timing) -> &'static str {
    match t {
        Timing::Now => c.now,
        Timing::Earlier => c.earlier,
        Timing::Waiting => c.waiting,
    }
}

fn timing_key(t: Timing) -> &'static str {
    match t {
        Timing::Now => "now",
        Timing::Earlier => "earlier",
        Timing::Waiting => "waiting",
    }
}

fn status_label(c: &ClTexts, s: OutageStatus) -> &'static str {
    match s {
        OutageStatus::Upcoming => c.status_upcoming,
        OutageStatus::Ongoing => c.status_ongoing,
        OutageStatus::Ended => c.status_ended,
    }
}

fn tickers(list: &[Ticker]) -> String {
    list.iter().map(|t| format!("{} {}", t.name, format_local(t.at))).collect::<Vec<_>>().join(", ")
}

fn outage_id(raw: &str) -> Result<OutageId, AppError> {
    crate::kit::respond::parse_id(raw)
}

pub struct StepRow {
    id: String,
    text: String,
    condition: String,
    cite: String,
    ticked: bool,
    tickable: bool,
    /// "Gjort av … 2026-11-23 10:02", or "Inte avbockat".
    state: String,
    colleagues: String,
}

pub struct SectionRow {
    key: &'static str,
    label: &'static str,
    timing: &'static str,
    timing_key: &'static str,
    waiting_help: &'static str,
    steps: Vec<StepRow>,
}

fn step_row(c: &ClTexts, s: &ChecklistStep) -> StepRow {
    let state = match &s.mine {
        Some(m) if m.ticked => format!("{} {} {}", c.done_by, m.by, format_local(m.at)),
        Some(m) => format!("{} ({} {} {})", c.not_done, c.undone_by, m.by, format_local(m.at)),
        // A waiting step nobody could tick yet needs no state.
        None if !s.tickable => String::new(),
        None => c.not_done.to_owned(),
    };
    StepRow {
        id: s.step.id.clone(),
        text: s.step.text.clone(),
        condition: s.step.condition.clone().unwrap_or_default(),
        cite: s.step.cite.clone(),
        ticked: s.ticked(),
        tickable: s.tickable,
        state,
        colleagues: tickers(&s.colleagues),
    }
}

#[derive(Template)]
#[template(path = "checklist.html")]
struct ChecklistPage {
    l: Layout,
    c: &'static ClTexts,
    errors: Vec<FormError>,
    error_step: String,
    outage_id: String,
    system_name: String,
    status: &'static str,
    intro: &'static str,
    org: String,
    org_name: String,
    roles: String,
    role_source: &'static str,
    chosen: String,
    options: Vec<(&'static str, &'static str)>,
    ticked: usize,
    tickable: usize,
    sections: Vec<SectionRow>,
    unit_link: bool,
}

#[derive(Deserialize, Default)]
pub struct ChecklistQuery {
    role: Option<String>,
}

async fn checklist_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    role: Option<String>,
    status: StatusCode,
    errors: Vec<FormError>,
    error_step: String,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let role = role.filter(|r| !r.trim().is_empty());
    let v: ChecklistView = match outage_id(id) {
        Ok(oid) => match st.app.checklist(p, oid, role.as_deref()).await {
            Ok(v) => v,
            Err(e) => return fail(ctx, e),
        },
        Err(e) => return fail(ctx, e),
    };
    let lang = ctx.lang;
    let c = texts(lang);
    let org_name = v.org_name.clone();
    let list = &v.checklist;
    let sections = list
        .sections
        .iter()
        .map(|s| SectionRow {
            key: s.phase.key(),
            label: phase_label(c, s.phase),
            timing: timing_label(c, s.timing),
            timing_key: timing_key(s.timing),
            waiting_help: match (s.timing, s.phase) {
                (Timing::Waiting, Phase::AfterRestore) => c.waiting_help_after,
                (Timing::Waiting, _) => c.waiting_help_during,
                _ => "",
            },
            steps: s.steps.iter().map(|x| step_row(c, x)).collect(),
        })
        .collect();
    let page = ChecklistPage {
        l: Layout::new(ctx, &st.app).await,
        c,
        errors,
        error_step,
        outage_id: v.outage_id.to_string(),
        system_name: v.system_name.clone(),
        status: status_label(c, list.status),
        intro: match list.status {
            OutageStatus::Upcoming => c.intro_upcoming,
            OutageStatus::Ongoing => c.intro_ongoing,
            OutageStatus::Ended => c.intro_ended,
        },
        org: v.org.to_string(),
        org_name,
        roles: list.roles.iter().map(|r| role_label(lang, *r)).collect::<Vec<_>>().join(", "),
        role_source: match v.role_source {
            RoleSource::Account => c.roles_from_account,
            RoleSource::Organisation => c.roles_from_org,
            RoleSource::Chosen => c.roles_chosen,
            RoleSource::None => c.roles_none,
        },
        chosen: if v.role_source == RoleSource::Chosen {
            role.unwrap_or_default().trim().to_owned()
        } else {
            String::new()
        },
        options: role_options(lang),
        ticked: list.ticked,
        tickable: list.tickable,
        sections,
        unit_link: v.unit_progress,
    };
    render(status, &page)
}

pub async fn checklist(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ChecklistQuery>,
) -> Response {
    checklist_page(&st, &ctx, &id, q.role, StatusCode::OK, vec![], String::new()).await
}

#[derive(Deserialize, Default)]
pub struct TickForm {
    #[serde(default)]
    step: String,
    /// `true` to tick, `false` to untick.
    #[serde(default)]
    ticked: String,
    #[serde(default)]
    role: String,
}

pub async fn tick(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, Form(f): Form<TickForm>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let role = Some(f.role.trim().to_owned()).filter(|r| !r.is_empty());
    let input = TickInput { step: f.step.clone(), ticked: f.ticked.trim() != "false", role: role.clone() };
    let r = match outage_id(&id) {
        Ok(oid) => st.app.tick(p, oid, input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => {
            let query = role.map(|r| format!("?role={}", encode(&r))).unwrap_or_default();
            see_other(&format!("/outages/{id}/checklist{query}#step-{}", encode(f.step.trim())))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = crate::kit::respond::status_of(&e);
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            checklist_page(&st, &ctx, &id, role, status, errs, f.step.trim().to_owned()).await
        }
        Err(e) => fail(&ctx, e),
    }
}

/// Percent-encodes a query value or fragment (step ids and role keys are
/// slugs, but a typed value may be anything).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---- the unit's progress ----

pub struct UnitStepRow {
    text: String,
    condition: String,
    cite: String,
    expected: usize,
    ticked: usize,
    by: String,
}

pub struct UnitSectionRow {
    key: &'static str,
    label: &'static str,
    timing: &'static str,
    steps: Vec<UnitStepRow>,
}

fn unit_step_row(s: &UnitStep) -> UnitStepRow {
    UnitStepRow {
        text: s.step.text.clone(),
        condition: s.step.condition.clone().unwrap_or_default(),
        cite: s.step.cite.clone(),
        expected: s.expected,
        ticked: s.ticked_by.len(),
        by: tickers(&s.ticked_by),
    }
}

#[derive(Template)]
#[template(path = "checklist_unit.html")]
struct UnitPage {
    l: Layout,
    c: &'static ClTexts,
    outage_id: String,
    system_name: String,
    status: &'static str,
    org: String,
    org_name: String,
    people: usize,
    sections: Vec<UnitSectionRow>,
    /// For IT and system administrators: every unit to choose from.
    units: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    unit: Option<String>,
}

pub async fn unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<UnitQuery>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let v: UnitProgressView = match outage_id(&id) {
        Ok(oid) => match st.app.unit_checklist(p, oid, q.unit.as_deref()).await {
            Ok(v) => v,
            Err(e) => return fail(&ctx, e),
        },
        Err(e) => return fail(&ctx, e),
    };
    let c = texts(ctx.lang);
    let units = v.units.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let page = UnitPage {
        l: Layout::new(&ctx, &st.app).await,
        c,
        outage_id: v.outage_id.to_string(),
        system_name: v.system_name.clone(),
        status: status_label(c, v.progress.status),
        org: v.progress.org.to_string(),
        org_name: v.org_name.clone(),
        people: v.progress.people,
        sections: v
            .progress
            .sections
            .iter()
            .map(|s| UnitSectionRow {
                key: s.phase.key(),
                label: phase_label(c, s.phase),
                timing: timing_label(c, s.timing),
                steps: s.steps.iter().map(unit_step_row).collect(),
            })
            .collect(),
        units,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_redirects_are_encoded_and_role_options_leave_out_all_staff() {
        assert_eq!(encode("elvis-during-no-booking"), "elvis-during-no-booking");
        assert_eq!(encode("a b#c?"), "a%20b%23c%3F");
        assert!(role_options(Lang::Sv).iter().all(|(k, _)| *k != "all_staff"));
        assert!(role_options(Lang::Sv).contains(&("nurse", "Sjuksköterska")));
        assert_eq!(link_label("sv"), "Vad gör jag nu?");
        assert_eq!(link_label("en"), "What do I do now?");
    }
}
