//! The deviation reports of an outage (seed 004): the list with the form to
//! file a report on the outage itself or on an incident it caused, a
//! correction of one of one's own unit's reports, a print view and the CSV
//! export. The texts of these pages live here ([`DeviationTexts`], Swedish
//! and English), the field labels come from `reserv_core::Field` so that an
//! error message names the field exactly as its label does.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::deviations::{DeviationList, DeviationView, ReportInput};
use reserv_core::Field;
use reserv_core::deviation::{Category, Severity, Subject};
use reserv_core::ids::OutageId;
use reserv_core::time::{format_input, format_local};

use crate::AppState;
use crate::kit::csv::csv_response;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

/// The texts of the deviation pages in one language.
pub struct DeviationTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub back_to_outage: &'static str,
    pub reports: &'static str,
    pub no_reports: &'static str,
    pub own_unit_only: &'static str,
    pub all_units: &'static str,
    pub export_csv: &'static str,
    pub print_view: &'static str,
    pub new_report: &'static str,
    pub correcting: &'static str,
    pub category_none: &'static str,
    pub category_hint: &'static str,
    pub description_hint: &'static str,
    pub no_identity: &'static str,
    pub reference_hint: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub save: &'static str,
    pub reported_by: &'static str,
    pub recorded: &'static str,
    pub correct: &'static str,
    pub corrected: &'static str,
    pub corrects: &'static str,
    pub deviation_system: &'static str,
    pub not_reported: &'static str,
    pub printed: &'static str,
    pub ongoing: &'static str,
}

pub const SV: DeviationTexts = DeviationTexts {
    title: "Avvikelserapporter",
    intro: "Skriv avvikelserapport dels på själva driftstoppet (haveriet), dels på varje tillbud eller avvikelse \
            som driftstoppet orsakat. Rapportera också i regionens eller kommunens ordinarie avvikelsesystem \
            när det går, och skriv in ärendenumret här.",
    back_to_outage: "Till avbrottet",
    reports: "Rapporter",
    no_reports: "Inga avvikelserapporter ännu.",
    own_unit_only: "Du ser rapporterna från din egen enhet.",
    all_units: "Du ser rapporterna från alla enheter.",
    export_csv: "Exportera rapporterna (CSV)",
    print_view: "Utskriftsvy",
    new_report: "Ny avvikelserapport",
    correcting: "Du rättar en rapport. Den gamla rapporten finns kvar och markeras som rättad.",
    category_none: "Ingen – rapporten gäller själva driftstoppet",
    category_hint: "Välj kategori för tillbud och avvikelser.",
    description_hint: "Vad hände, när och var, och hur hängde det ihop med driftstoppet?",
    no_identity: "Skriv aldrig personnummer, namn eller annat som identifierar patienten. \
                  Patientens identitet hör hemma i journalen.",
    reference_hint: "Ärendenumret i regionens eller kommunens avvikelsesystem, om rapporten är gjord där.",
    yes: "Ja",
    no: "Nej",
    save: "Spara avvikelserapporten",
    reported_by: "Rapporterad av",
    recorded: "registrerad",
    correct: "Rätta",
    corrected: "Rättad",
    corrects: "Rättar rapporten från",
    deviation_system: "Avvikelsesystem",
    not_reported: "Inte rapporterad",
    printed: "Utskrift",
    ongoing: "pågår",
};

pub const EN: DeviationTexts = DeviationTexts {
    title: "Deviation reports",
    intro: "Write a deviation report on the outage itself (the breakdown), and one on each near miss or adverse \
            event the outage caused. Also report in the region's or municipality's ordinary deviation system when \
            you can, and enter its case number here.",
    back_to_outage: "Back to the outage",
    reports: "Reports",
    no_reports: "No deviation reports yet.",
    own_unit_only: "You see the reports of your own unit.",
    all_units: "You see the reports of every unit.",
    export_csv: "Export the reports (CSV)",
    print_view: "Print view",
    new_report: "New deviation report",
    correcting: "You are correcting a report. The old report is kept and marked as corrected.",
    category_none: "None – the report concerns the outage itself",
    category_hint: "Choose a category for near misses and adverse events.",
    description_hint: "What happened, when and where, and how was it linked to the outage?",
    no_identity: "Never write a personal identity number, a name or anything else that identifies the patient. \
                  The patient's identity belongs in the health record.",
    reference_hint: "The case number in the region's or municipality's deviation system, if reported there.",
    yes: "Yes",
    no: "No",
    save: "Save the deviation report",
    reported_by: "Reported by",
    recorded: "recorded",
    correct: "Correct",
    corrected: "Corrected",
    corrects: "Corrects the report of",
    deviation_system: "Deviation system",
    not_reported: "Not reported",
    printed: "Printed",
    ongoing: "ongoing",
};

fn texts(lang: Lang) -> &'static DeviationTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// The form's field labels, as the error messages name the fields.
pub struct Labels {
    subject: &'static str,
    occurred_at: &'static str,
    category: &'static str,
    severity: &'static str,
    description: &'static str,
    consequence: &'static str,
    action_taken: &'static str,
    reported_elsewhere: &'static str,
    external_reference: &'static str,
}

fn labels(lang: Lang) -> Labels {
    let l = |f: Field| match lang {
        Lang::Sv => f.label_sv(),
        Lang::En => f.label_en(),
    };
    Labels {
        subject: l(Field::Subject),
        occurred_at: l(Field::OccurredAt),
        category: l(Field::Category),
        severity: l(Field::Severity),
        description: l(Field::Description),
        consequence: l(Field::Consequence),
        action_taken: l(Field::ActionTaken),
        reported_elsewhere: l(Field::ReportedElsewhere),
        external_reference: l(Field::ExternalReference),
    }
}

fn pick(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// One report as shown; free texts split into lines.
pub struct ReportRow {
    id: String,
    occurred_at: String,
    subject: &'static str,
    category: &'static str,
    severity: &'static str,
    description: Vec<String>,
    consequence: Vec<String>,
    action_taken: Vec<String>,
    author: String,
    unit: String,
    recorded_at: String,
    reported_elsewhere: String,
    superseded: bool,
    corrects: String,
    own: bool,
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_owned).collect()
}

fn rows(lang: Lang, list: &DeviationList, viewer: &reserv_core::ids::OrgId) -> Vec<ReportRow> {
    let t = texts(lang);
    list.reports
        .iter()
        .map(|v| {
            let r = &v.report;
            let corrected_time = r
                .supersedes
                .and_then(|s| list.reports.iter().find(|x| x.report.id == s))
                .map(|x| format_local(x.report.occurred_at));
            ReportRow {
                id: r.id.to_string(),
                occurred_at: format_local(r.occurred_at),
                subject: pick(lang, r.subject.label_sv(), r.subject.label_en()),
                category: r.category.map(|c| pick(lang, c.label_sv(), c.label_en())).unwrap_or(""),
                severity: pick(lang, r.severity.label_sv(), r.severity.label_en()),
                description: lines(&r.description),
                consequence: lines(&r.consequence),
                action_taken: lines(&r.action_taken),
                author: r.author_name.clone(),
                unit: v.unit_name.clone(),
                recorded_at: format_local(r.recorded_at),
                reported_elsewhere: match (r.reported_elsewhere, r.external_reference.is_empty()) {
                    (false, _) => t.not_reported.to_owned(),
                    (true, true) => t.yes.to_owned(),
                    (true, false) => format!("{}, {}", t.yes, r.external_reference),
                },
                superseded: v.superseded_by.is_some(),
                corrects: match (r.supersedes, corrected_time) {
                    (Some(_), Some(at)) => format!("{} {at}.", t.corrects),
                    _ => String::new(),
                },
                own: &r.unit == viewer,
            }
        })
        .collect()
}

/// The form's values, as typed or prefilled.
#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    consequence: String,
    #[serde(default)]
    action_taken: String,
    #[serde(default)]
    reported_elsewhere: String,
    #[serde(default)]
    external_reference: String,
    #[serde(default)]
    supersedes: String,
}

fn prefill(st: &AppState, list: &DeviationList, viewer: &reserv_core::ids::OrgId, correct: Option<&str>) -> ReportForm {
    let own = |v: &&DeviationView| &v.report.unit == viewer && v.superseded_by.is_none();
    if let Some(c) = correct
        && let Some(v) = list.reports.iter().filter(own).find(|v| v.report.id.to_string() == c)
    {
        let r = &v.report;
        return ReportForm {
            subject: r.subject.key().into(),
            occurred_at: format_input(r.occurred_at),
            category: r.category.map(|c| c.key().to_owned()).unwrap_or_default(),
            severity: r.severity.key().into(),
            description: r.description.clone(),
            consequence: r.consequence.clone(),
            action_taken: r.action_taken.clone(),
            reported_elsewhere: if r.reported_elsewhere { "yes" } else { "no" }.into(),
            external_reference: r.external_reference.clone(),
            supersedes: r.id.to_string(),
        };
    }
    ReportForm { occurred_at: format_input(st.app.now()), reported_elsewhere: "no".into(), ..Default::default() }
}

#[derive(Template)]
#[template(path = "deviations.html")]
struct DeviationsPage {
    l: Layout,
    t: &'static DeviationTexts,
    labels: Labels,
    errors: Vec<FormError>,
    outage_id: String,
    system_name: String,
    outage_start: String,
    outage_restored: String,
    all_units: bool,
    rows: Vec<ReportRow>,
    print: bool,
    form: ReportForm,
    subjects: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "deviations_print.html")]
struct DeviationsPrintPage {
    l: Layout,
    t: &'static DeviationTexts,
    labels: Labels,
    outage_id: String,
    system_name: String,
    outage_start: String,
    outage_restored: String,
    all_units: bool,
    rows: Vec<ReportRow>,
    print: bool,
    printed: String,
}

#[derive(Deserialize, Default)]
pub struct CorrectQuery {
    correct: Option<String>,
}

fn options<T: Copy>(
    lang: Lang,
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str, &'static str),
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|v| {
            let (key, sv, en) = f(*v);
            (key, pick(lang, sv, en))
        })
        .collect()
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    status: StatusCode,
    errors: Vec<FormError>,
    form: Option<ReportForm>,
    correct: Option<&str>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let oid: OutageId = match crate::kit::respond::parse_id(id) {
        Ok(x) => x,
        Err(e) => return fail(ctx, e),
    };
    let list = match st.app.deviations(p, oid).await {
        Ok(l) => l,
        Err(e) => return fail(ctx, e),
    };
    let lang = ctx.lang;
    let t = texts(lang);
    let form = form.unwrap_or_else(|| prefill(st, &list, &p.user.org, correct));
    let page = DeviationsPage {
        l: Layout::new(ctx, &st.app).await,
        t,
        labels: labels(lang),
        errors,
        outage_id: oid.to_string(),
        system_name: list.system_name.clone(),
        outage_start: format_local(list.outage_start),
        outage_restored: list.outage_restored_at.map(format_local).unwrap_or_else(|| t.ongoing.to_owned()),
        all_units: list.all_units,
        rows: rows(lang, &list, &p.user.org),
        print: false,
        form,
        subjects: options(lang, Subject::ALL, |s| (s.key(), s.label_sv(), s.label_en())),
        categories: options(lang, Category::ALL, |c| (c.key(), c.label_sv(), c.label_en())),
        severities: options(lang, Severity::ALL, |s| (s.key(), s.label_sv(), s.label_en())),
    };
    render(status, &page)
}

/// `GET /outages/{id}/deviations`: the reports and the form (`?correct=` prefills a correction).
pub async fn deviations(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CorrectQuery>,
) -> Response {
    page(&st, &ctx, &id, StatusCode::OK, vec![], None, q.correct.as_deref()).await
}

/// `POST /outages/{id}/deviations`: files the report, or shows the form again with the error (422).
pub async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReportForm>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let oid: OutageId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let input = ReportInput {
        subject: f.subject.clone(),
        occurred_at: f.occurred_at.clone(),
        category: Some(f.category.clone()),
        severity: f.severity.clone(),
        description: f.description.clone(),
        consequence: f.consequence.clone(),
        action_taken: f.action_taken.clone(),
        reported_elsewhere: f.reported_elsewhere == "yes",
        external_reference: f.external_reference.clone(),
        supersedes: Some(f.supersedes.clone()),
    };
    match st.app.report_deviation(p, oid, input).await {
        Ok(v) => see_other(&format!("/outages/{oid}/deviations#d-{}", v.report.id)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errs = vec![FormError::from_app(ctx.lang, &e)];
            let status = crate::kit::respond::status_of(&e);
            page(&st, &ctx, &id, status, errs, Some(f), None).await
        }
        Err(e) => fail(&ctx, e),
    }
}

/// `GET /outages/{id}/deviations.csv`: the export, in the page's language.
pub async fn csv(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let oid: OutageId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    match st.app.deviations_csv(p, oid, ctx.lang == Lang::En).await {
        Ok(export) => csv_response(export),
        Err(e) => fail(&ctx, e),
    }
}

/// `GET /outages/{id}/deviations/print`: the reports for paper.
pub async fn print(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let oid: OutageId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let list = match st.app.deviations(p, oid).await {
        Ok(l) => l,
        Err(e) => return fail(&ctx, e),
    };
    let lang = ctx.lang;
    let t = texts(lang);
    let page = DeviationsPrintPage {
        l: Layout::new(&ctx, &st.app).await,
        t,
        labels: labels(lang),
        outage_id: oid.to_string(),
        system_name: list.system_name.clone(),
        outage_start: format_local(list.outage_start),
        outage_restored: list.outage_restored_at.map(format_local).unwrap_or_else(|| t.ongoing.to_owned()),
        all_units: list.all_units,
        rows: rows(lang, &list, &p.user.org),
        print: true,
        printed: format_local(st.app.now()),
    };
    render(StatusCode::OK, &page)
}
