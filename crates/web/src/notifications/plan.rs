//! `GET /notifications/plan`: "Provkör utskicksplanen", for IT. A form
//! (system, kind, times) sent by GET, so the answer has an address that can
//! be shared; the plan comes from `App::notification_trial`, the same path
//! as `reserv notifications plan`. Nothing is stored or sent.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::plan_trial::{TrialInput, TrialView};
use reserv_core::outage::OutageKind;
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{fail, render, see_other};
use crate::kit::view::{FormError, Layout};

/// The form as typed (every field text; absent = empty).
#[derive(Deserialize, Default, Debug)]
pub struct PlanQuery {
    #[serde(default)]
    system: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    expected_end: String,
    #[serde(default)]
    declared_at: String,
    #[serde(default)]
    restored_at: String,
}

impl PlanQuery {
    fn asked(&self) -> bool {
        [&self.system, &self.kind, &self.start, &self.expected_end, &self.declared_at, &self.restored_at]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// One message as the page shows it.
pub struct Row {
    due_local: String,
    due_utc: String,
    time: String,
    group_name: String,
    channel: &'static str,
    sender: &'static str,
    escalation: Option<String>,
    subject: String,
    body: String,
    rule_text: String,
    cite: String,
}

/// The plan's heading facts.
pub struct Summary {
    system_name: String,
    kind: &'static str,
    start: String,
    expected_end: String,
    declared_at: String,
    declared_assumed: bool,
    restored_at: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "plan_trial.html")]
struct PlanPage {
    l: Layout,
    policies: Vec<String>,
    builtin: bool,
    systems: Vec<(String, String)>,
    form: PlanQuery,
    errors: Vec<FormError>,
    /// The field the error is about (`system`, `start`, …), for the message at it.
    error_field: &'static str,
    error_message: String,
    summary: Option<Summary>,
}

fn both(ts: jiff::Timestamp) -> (String, String) {
    (format_local(ts), reserv_app::plan_trial::format_utc(ts))
}

fn summary(lang: Lang, v: TrialView) -> Summary {
    let t = lang.texts();
    let with_utc = |ts: jiff::Timestamp| {
        let (local, utc) = both(ts);
        format!("{local} (UTC {utc})")
    };
    Summary {
        system_name: v.system_name,
        kind: match v.kind {
            OutageKind::Planned => t.trial_planned,
            OutageKind::Unplanned => t.trial_unplanned,
        },
        start: with_utc(v.start),
        expected_end: v.expected_end.map(with_utc).unwrap_or_else(|| t.trial_unknown_end.into()),
        declared_at: with_utc(v.declared_at),
        declared_assumed: v.declared_at_assumed,
        restored_at: v.restored_at.map(with_utc).unwrap_or_else(|| t.trial_not_given.into()),
        rows: v
            .messages
            .into_iter()
            .map(|m| Row {
                due_local: m.due_local,
                due_utc: m.due_utc,
                time: m.time_sv,
                group_name: m.group_name,
                channel: match lang {
                    Lang::Sv => m.channel.label_sv(),
                    Lang::En => m.channel.label_en(),
                },
                sender: match lang {
                    Lang::Sv => m.sender.label_sv(),
                    Lang::En => m.sender.label_en(),
                },
                escalation: m.escalation_sv,
                subject: m.subject,
                body: m.body,
                rule_text: m.rule_text,
                cite: m.cite,
            })
            .collect(),
    }
}

/// `GET /notifications/plan[?system=…&kind=…&start=…]`.
pub async fn plan_trial(State(st): State<AppState>, ctx: Ctx, Query(q): Query<PlanQuery>) -> Response {
    let Some(p) = &ctx.principal else {
        return see_other("/login");
    };
    let input = q.asked().then(|| TrialInput {
        system: q.system.clone(),
        kind: q.kind.clone(),
        start: q.start.clone(),
        expected_end: q.expected_end.clone(),
        declared_at: q.declared_at.clone(),
        restored_at: q.restored_at.clone(),
    });
    let page = match st.app.notification_trial(p, input.as_ref()) {
        Ok(page) => page,
        Err(e) => return fail(&ctx, e),
    };
    let (summary, errors, error_field, error_message) = match page.result {
        Some(Ok(v)) => (Some(summary(ctx.lang, v)), Vec::new(), "", String::new()),
        Some(Err(e)) => {
            let e = reserv_app::AppError::Invalid(e);
            let f = FormError::from_app(ctx.lang, &e);
            let field = f.field.unwrap_or("");
            let message = f.message.clone();
            (None, vec![f], field, message)
        }
        None => (None, Vec::new(), "", String::new()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = PlanPage {
        l: Layout::new(&ctx, &st.app).await,
        policies: page.policies,
        builtin: page.builtin,
        systems: page.systems.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        form: q,
        errors,
        error_field,
        error_message,
        summary,
    };
    render(status, &page)
}
