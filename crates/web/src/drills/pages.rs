//! The drill report page (`/outages/{id}/drill-report`): what a practice
//! outage produced, in numbers, printable. The texts are here in both languages.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use reserv_core::ids::OutageId;
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::Layout;

pub struct DrillTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub system: &'static str,
    pub period: &'static str,
    pub ongoing: &'static str,
    pub episodes: &'static str,
    pub calls: &'static str,
    pub corrections: &'static str,
    pub open_gaps: &'static str,
    pub episodes_with_gaps: &'static str,
    pub backentry: &'static str,
    pub backentry_none: &'static str,
    pub deviations: &'static str,
    pub timeline: &'static str,
    pub generated: &'static str,
    pub back: &'static str,
    pub of: &'static str,
    pub resolved: &'static str,
}

const SV: DrillTexts = DrillTexts {
    title: "Övningsrapport",
    intro: "Vad övningen gav, i siffror. Övningsdata räknas aldrig in i verklig statistik. Inga patientuppgifter.",
    system: "System",
    period: "Övningen",
    ongoing: "pågår",
    episodes: "Övningsvårdtillfällen",
    calls: "Loggade samtal",
    corrections: "varav rättelser",
    open_gaps: "Information som ännu inte bekräftats lämnad",
    episodes_with_gaps: "Vårdtillfällen där någon ännu inte fått besked",
    backentry: "Efterregistrering",
    backentry_none: "Ingen arbetslista (systemet har ingen policy för efterregistrering, eller övningen pågår).",
    deviations: "Avvikelserapporter",
    timeline: "Händelser i tidslinjen",
    generated: "Framtagen",
    back: "Till övningen",
    of: "av",
    resolved: "rader avklarade",
};

const EN: DrillTexts = DrillTexts {
    title: "Drill report",
    intro: "What the drill produced, in numbers. Practice data never counts in real statistics. No patient data.",
    system: "System",
    period: "The drill",
    ongoing: "ongoing",
    episodes: "Practice care episodes",
    calls: "Calls logged",
    corrections: "of which corrections",
    open_gaps: "Information not yet confirmed as given",
    episodes_with_gaps: "Episodes where someone has not yet been told",
    backentry: "Back-entry",
    backentry_none: "No worklist (the system has no back-entry policy, or the drill is ongoing).",
    deviations: "Deviation reports",
    timeline: "Timeline entries",
    generated: "Generated",
    back: "Back to the drill",
    of: "of",
    resolved: "lines resolved",
};

/// The drill texts in the caller's language.
pub fn texts(lang: Lang) -> &'static DrillTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "drill_report.html")]
struct DrillPage {
    l: Layout,
    d: &'static DrillTexts,
    outage_id: String,
    system_name: String,
    period: String,
    generated: String,
    episodes: usize,
    calls: usize,
    corrections: usize,
    open_gaps: usize,
    episodes_with_gaps: usize,
    backentry: Option<(usize, usize)>,
    deviation_reports: usize,
    timeline_entries: usize,
}

pub async fn drill_report(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let r = match crate::kit::respond::parse_id::<OutageId>(&id) {
        Ok(oid) => match st.app.drill_report(p, oid).await {
            Ok(r) => r,
            Err(e) => return fail(&ctx, e),
        },
        Err(e) => return fail(&ctx, e),
    };
    let d = texts(ctx.lang);
    let system_name = st.app.catalogue().get(&r.system).map(|s| s.name.clone()).unwrap_or_else(|| r.system.to_string());
    let end = r.restored_at.map(format_local).unwrap_or_else(|| d.ongoing.to_owned());
    let page = DrillPage {
        l: Layout::new(&ctx, &st.app).await,
        d,
        outage_id: r.outage_id.to_string(),
        system_name,
        period: format!("{} – {end}", format_local(r.start)),
        generated: format_local(r.generated_at),
        episodes: r.episodes,
        calls: r.calls,
        corrections: r.corrections,
        open_gaps: r.open_gaps,
        episodes_with_gaps: r.episodes_with_gaps,
        backentry: r.backentry.map(|b| (b.done + b.skipped, b.total)),
        deviation_reports: r.deviation_reports,
        timeline_entries: r.timeline_entries,
    };
    render(StatusCode::OK, &page)
}
