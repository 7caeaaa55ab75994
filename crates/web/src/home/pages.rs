//! `/`: one call ([`reserv_app::App::home_page`]) and one template. A
//! person who works with patients lands on their work; everyone else on the
//! outage status.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use reserv_core::outage::OutageStatus;

use super::view::{WorkRow, work_row};
use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::Layout;
use crate::outages::view::OutageCard;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    works_with_patients: bool,
    manages_outages: bool,
    /// The banner: "4 patienter saknar information · 1 utskriven utan bekräftelse".
    banner: Vec<String>,
    owed: Vec<WorkRow>,
    owed_total: usize,
    awaited: Vec<WorkRow>,
    awaited_total: usize,
    ongoing: Vec<OutageCard>,
    upcoming: Vec<OutageCard>,
    ended: Vec<OutageCard>,
}

/// How many ended outages the home page shows.
const ENDED_ON_HOME: usize = 5;
/// How many lines of each list of work the home page shows (the most
/// urgent); the gaps view has them all.
const WORK_ON_HOME: usize = 15;

/// "1 patient saknar information", "4 patienter saknar information".
fn count_text(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub async fn home(State(st): State<AppState>, ctx: Ctx) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let v = match st.app.home_page(p).await {
        Ok(v) => v,
        Err(e) => return fail(&ctx, e),
    };
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let mut banner = Vec::new();
    if v.counts.patients_missing_information > 0 {
        banner.push(count_text(
            v.counts.patients_missing_information,
            t.home_patient_missing_one,
            t.home_patient_missing_many,
        ));
    }
    if v.counts.discharged_unconfirmed > 0 {
        banner.push(count_text(
            v.counts.discharged_unconfirmed,
            t.home_discharged_unconfirmed_one,
            t.home_discharged_unconfirmed_many,
        ));
    }
    let cards = |s: OutageStatus| v.outages.iter().filter(move |o| o.status == s).map(|o| OutageCard::new(lang, o));
    let page = HomePage {
        works_with_patients: v.works_with_patients,
        manages_outages: v.permissions.manages_outages,
        banner,
        owed: v.owed.iter().take(WORK_ON_HOME).map(|i| work_row(lang, i)).collect(),
        owed_total: v.owed.len(),
        awaited: v.awaited.iter().take(WORK_ON_HOME).map(|i| work_row(lang, i)).collect(),
        awaited_total: v.awaited.len(),
        ongoing: cards(OutageStatus::Ongoing).collect(),
        upcoming: cards(OutageStatus::Upcoming).collect(),
        ended: cards(OutageStatus::Ended).take(ENDED_ON_HOME).collect(),
        l: Layout::new(&ctx, &st.app).await,
    };
    render(StatusCode::OK, &page)
}
