//! Notifications in the UI: the section of the outage page that lists every
//! message with its delivery state and who has and has not acknowledged
//! (with buttons to acknowledge, and for IT to requeue a failed message),
//! and the acknowledgement page `/ack/{token}` that a recipient reaches from
//! the link in the message without logging in.
//!
//! The link's token is the secret. `GET /ack/{token}` only shows the
//! message and a button; acknowledging takes a `POST` whose form echoes the
//! token (and carries the CSRF token of the page), so a mail scanner or
//! link preview that fetches the link acknowledges nothing.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::notifications::{AckView, LinkOutcome, LinkView, MessageView};
use reserv_core::ids::{EntryId, OutageId};
use reserv_core::outbox::{AckVia, Channel, Status};
use reserv_core::time::format_local;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{error_page, fail, render, see_other};
use crate::kit::view::Layout;

/// The texts of the notification section and the acknowledgement page.
pub struct MsgTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub acked_summary: &'static str,
    pub of: &'static str,
    pub not_acked: &'static str,
    pub message: &'static str,
    pub channel: &'static str,
    pub recipient: &'static str,
    pub status: &'static str,
    pub acknowledgement: &'static str,
    pub not_yet: &'static str,
    pub acknowledge: &'static str,
    pub requeue: &'static str,
    pub history: &'static str,
    pub due: &'static str,
    pub escalation: &'static str,
    pub ack_title: &'static str,
    pub ack_intro: &'static str,
    pub ack_button: &'static str,
    pub ack_done: &'static str,
    pub ack_already: &'static str,
    pub ack_expired: &'static str,
    pub ack_mismatch: &'static str,
    pub system: &'static str,
    pub to: &'static str,
    pub sent: &'static str,
    pub subject: &'static str,
    pub acknowledged_by: &'static str,
}

pub const SV: MsgTexts = MsgTexts {
    title: "Utskick och kvittenser",
    intro: "Meddelanden om avbrottet enligt utskicksplanen: när de skickas, om de kom fram, och vem som har kvitterat.",
    acked_summary: "Kvitterade mottagare",
    of: "av",
    not_acked: "Inte kvitterat",
    message: "Meddelande",
    channel: "Kanal",
    recipient: "Mottagare",
    status: "Status",
    acknowledgement: "Kvittens",
    not_yet: "Inte kvitterat",
    acknowledge: "Kvittera",
    requeue: "Skicka igen",
    history: "Historik",
    due: "planerat",
    escalation: "skickas bara om ingen har kvitterat",
    ack_title: "Kvittera meddelande",
    ack_intro: "Bekräfta att du har tagit emot meddelandet. Då vet avsändaren att du är informerad och nästa steg i utskicksplanen behöver inte gå till någon annan.",
    ack_button: "Jag har tagit emot meddelandet",
    ack_done: "Tack! Meddelandet är kvitterat.",
    ack_already: "Meddelandet var redan kvitterat.",
    ack_expired: "Länken har gått ut. Logga in i Reserv och kvittera på avbrottets sida, eller kontakta IT.",
    ack_mismatch: "Formuläret hör inte till den här länken. Öppna länken i meddelandet igen.",
    system: "System",
    to: "Till",
    sent: "Skickat",
    subject: "Ämne",
    acknowledged_by: "Kvitterat av",
};

pub const EN: MsgTexts = MsgTexts {
    title: "Notifications and acknowledgements",
    intro: "Messages about the outage according to the notification plan: when they go out, whether they arrived, and who has acknowledged.",
    acked_summary: "Recipients who acknowledged",
    of: "of",
    not_acked: "Not acknowledged",
    message: "Message",
    channel: "Channel",
    recipient: "Recipient",
    status: "Status",
    acknowledgement: "Acknowledgement",
    not_yet: "Not acknowledged",
    acknowledge: "Acknowledge",
    requeue: "Send again",
    history: "History",
    due: "planned",
    escalation: "sent only if nobody has acknowledged",
    ack_title: "Acknowledge a message",
    ack_intro: "Confirm that you have received the message. The sender then knows you are informed, and the next step of the notification plan need not go to someone else.",
    ack_button: "I have received the message",
    ack_done: "Thank you! The message is acknowledged.",
    ack_already: "The message was already acknowledged.",
    ack_expired: "The link has expired. Log in to Reserv and acknowledge on the outage's page, or contact IT.",
    ack_mismatch: "The form does not belong to this link. Open the link in the message again.",
    system: "System",
    to: "To",
    sent: "Sent",
    subject: "Subject",
    acknowledged_by: "Acknowledged by",
};

pub fn texts_for(lang: Lang) -> &'static MsgTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match (lang, c) {
        (Lang::Sv, Channel::Sms) | (Lang::En, Channel::Sms) => "SMS",
        (Lang::Sv, Channel::Email) => "E-post",
        (Lang::En, Channel::Email) => "E-mail",
        (Lang::Sv, Channel::PhoneTask) => "Telefonsamtal",
        (Lang::En, Channel::PhoneTask) => "Phone call",
        (Lang::Sv, Channel::CrisisApp) => "Krisapp",
        (Lang::En, Channel::CrisisApp) => "Crisis app",
        (_, Channel::Webhook) => "Webhook",
        (Lang::Sv, Channel::StatusPageInternal) => "Intern statussida",
        (Lang::En, Channel::StatusPageInternal) => "Internal status page",
        (Lang::Sv, Channel::StatusPagePublic) => "Publik statussida",
        (Lang::En, Channel::StatusPagePublic) => "Public status page",
    }
}

fn via_label(lang: Lang, via: AckVia) -> &'static str {
    match (lang, via) {
        (Lang::Sv, AckVia::Link) => "via länken i meddelandet",
        (Lang::En, AckVia::Link) => "through the link in the message",
        (Lang::Sv, AckVia::Ui) => "i Reserv",
        (Lang::En, AckVia::Ui) => "in Reserv",
        (_, AckVia::Api) => "via API",
    }
}

fn ack_text(lang: Lang, a: &AckView) -> String {
    let by = texts_for(lang).acknowledged_by;
    format!("{by} {} {} {}", a.by, format_local(a.at), via_label(lang, a.via))
}

fn when(t: Option<Timestamp>) -> String {
    t.map(format_local).unwrap_or_default()
}

/// The status of a message in words, with its detail.
fn status_text(lang: Lang, v: &MessageView) -> (String, String) {
    let sv = lang == Lang::Sv;
    let err = v.error.clone().unwrap_or_default();
    match v.status {
        Status::Queued => {
            let head = if sv { "I kö" } else { "Queued" };
            let mut detail = if sv {
                format!("skickas {}", when(v.next_attempt_at))
            } else {
                format!("goes out {}", when(v.next_attempt_at))
            };
            if let Some(p) = &v.address_problem {
                detail.push_str(&format!(" – {p}"));
            }
            (head.into(), detail)
        }
        Status::Sending => ((if sv { "Skickas nu" } else { "Sending" }).into(), String::new()),
        Status::Sent => {
            let head = match (v.channel, sv) {
                (Channel::PhoneTask, true) => "Att ringa".to_owned(),
                (Channel::PhoneTask, false) => "To phone".to_owned(),
                (_, true) => format!("Skickat {}", when(v.sent_at)),
                (_, false) => format!("Sent {}", when(v.sent_at)),
            };
            (head, v.receipt.clone().unwrap_or_default())
        }
        Status::Retrying => {
            let head = if sv {
                format!("Nytt försök {}", when(v.next_attempt_at))
            } else {
                format!("Retrying {}", when(v.next_attempt_at))
            };
            let detail =
                if sv { format!("Försök {}: {err}", v.attempts) } else { format!("Attempt {}: {err}", v.attempts) };
            (head, detail)
        }
        Status::Failed => ((if sv { "Misslyckades" } else { "Failed" }).into(), err),
        Status::Unknown => ((if sv { "Okänt om det kom fram" } else { "Unknown whether it arrived" }).into(), err),
        Status::Skipped => ((if sv { "Behövdes inte" } else { "Not needed" }).into(), err),
    }
}

fn history_text(lang: Lang, event: &str, detail: &str) -> String {
    let sv = lang == Lang::Sv;
    let head = match (event, sv) {
        ("claimed", true) => return format!("Försök {detail} påbörjat"),
        ("claimed", false) => return format!("Attempt {detail} started"),
        ("sent", true) => "Skickat",
        ("sent", false) => "Sent",
        ("retrying", true) => "Misslyckades, nytt försök senare",
        ("retrying", false) => "Failed, will retry",
        ("failed", true) => "Misslyckades",
        ("failed", false) => "Failed",
        ("unknown", true) => "Okänt",
        ("unknown", false) => "Unknown",
        ("skipped", true) => "Behövdes inte",
        ("skipped", false) => "Not needed",
        ("acknowledged", true) => "Kvitterat av",
        ("acknowledged", false) => "Acknowledged by",
        ("requeued", true) => "Lagt i kö igen av",
        ("requeued", false) => "Queued again by",
        ("replanned", true) => "Avbrottet ändrades; planeras nu till",
        ("replanned", false) => "The outage changed; now planned for",
        _ => event,
    };
    if detail.is_empty() { head.to_owned() } else { format!("{head}: {detail}") }
}

/// One row of the outage page's table.
pub struct MessageRow {
    pub id: String,
    pub subject: String,
    pub key: String,
    pub cite: String,
    pub due: String,
    pub escalation: bool,
    pub channel: &'static str,
    pub recipient: String,
    pub address: String,
    pub status_key: &'static str,
    pub status: String,
    pub detail: String,
    pub ack: Option<String>,
    pub may_ack: bool,
    pub may_requeue: bool,
    pub history: Vec<(String, String)>,
}

/// The section of the outage page.
pub struct MessagesSection {
    pub outage_id: String,
    pub rows: Vec<MessageRow>,
    pub acked: usize,
    pub total: usize,
    pub not_acked: String,
    pub csrf: String,
    pub t: &'static MsgTexts,
}

fn rows(lang: Lang, views: &[MessageView]) -> Vec<MessageRow> {
    views
        .iter()
        .map(|v| {
            let (status, detail) = status_text(lang, v);
            MessageRow {
                id: v.id.to_string(),
                subject: v.subject.clone(),
                key: v.key.clone(),
                cite: v.cite.clone(),
                due: format_local(v.due_at),
                escalation: v.unless_acknowledged.is_some(),
                channel: channel_label(lang, v.channel),
                recipient: v.recipient.clone().unwrap_or_else(|| v.group.clone()),
                address: v.address.clone().unwrap_or_default(),
                status_key: v.status.key(),
                status,
                detail,
                ack: v.acknowledged.as_ref().map(|a| ack_text(lang, a)),
                may_ack: v.may_acknowledge,
                may_requeue: v.may_requeue,
                history: v
                    .history
                    .iter()
                    .map(|h| (format_local(h.at), history_text(lang, h.event, &h.detail)))
                    .collect(),
            }
        })
        .collect()
}

/// The notification section of an outage's page; `None` when the outage has
/// no messages.
pub fn section(ctx: &Ctx, id: OutageId, views: &[MessageView]) -> Option<MessagesSection> {
    if views.is_empty() {
        return None;
    }
    let summary = reserv_app::App::acknowledgement_summary(views);
    let acked = summary.values().map(|(yes, _)| yes.len()).sum();
    let total = summary.values().map(|(yes, no)| yes.len() + no.len()).sum();
    let mut missing: Vec<String> = summary.into_values().flat_map(|(_, no)| no).collect();
    missing.sort();
    missing.dedup();
    Some(MessagesSection {
        outage_id: id.to_string(),
        rows: rows(ctx.lang, views),
        acked,
        total,
        not_acked: missing.join(", "),
        csrf: ctx.csrf.clone(),
        t: texts_for(ctx.lang),
    })
}

fn parse_ids(outage: &str, message: &str) -> Result<(OutageId, EntryId), AppError> {
    let o = crate::kit::respond::parse_id(outage)?;
    let m = crate::kit::respond::parse_id(message)?;
    Ok((o, m))
}

/// `POST /outages/{id}/messages/{message}/acknowledge`: the logged-in recipient, or IT on their behalf.
pub async fn acknowledge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((outage, message)): Path<(String, String)>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let (o, m) = match parse_ids(&outage, &message) {
        Ok(ids) => ids,
        Err(e) => return fail(&ctx, e),
    };
    match st.app.acknowledge_message(p, m, AckVia::Ui).await {
        Ok(v) if v.outage_id == o => see_other(&format!("/outages/{o}#msg-{m}")),
        Ok(_) => fail(&ctx, AppError::NotFound),
        Err(e) => fail(&ctx, e),
    }
}

/// `POST /outages/{id}/messages/{message}/requeue`: IT sends a failed or unknown message again.
pub async fn requeue(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((outage, message)): Path<(String, String)>,
) -> Response {
    let Some(p) = ctx.principal.as_ref() else {
        return see_other("/login");
    };
    let (o, m) = match parse_ids(&outage, &message) {
        Ok(ids) => ids,
        Err(e) => return fail(&ctx, e),
    };
    match st.app.requeue_message(p, m).await {
        Ok(_) => see_other(&format!("/outages/{o}#msg-{m}")),
        Err(e) => fail(&ctx, e),
    }
}

/// What the acknowledgement page shows.
pub struct LinkRow {
    pub system_name: String,
    pub recipient: String,
    pub sent_at: String,
    pub subject: String,
    pub body: String,
    pub ack: Option<String>,
    pub expired: bool,
}

#[derive(Template)]
#[template(path = "ack.html")]
struct AckPage {
    l: Layout,
    t: &'static MsgTexts,
    token: String,
    v: LinkRow,
    /// A confirmation (status) or a problem (alert) to show on top.
    note: Option<String>,
    warning: Option<String>,
}

fn link_row(lang: Lang, v: &LinkView) -> LinkRow {
    LinkRow {
        system_name: v.system_name.clone(),
        recipient: v.recipient.clone().unwrap_or_default(),
        sent_at: when(v.sent_at),
        subject: v.subject.clone(),
        body: v.body.clone(),
        ack: v.acknowledged.as_ref().map(|a| ack_text(lang, a)),
        expired: v.expired,
    }
}

async fn ack_page(
    st: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    token: String,
    v: &LinkView,
    note: Option<String>,
    warning: Option<String>,
) -> Response {
    let t = texts_for(ctx.lang);
    let warning = warning.or_else(|| (v.expired && v.acknowledged.is_none()).then(|| t.ack_expired.to_owned()));
    let page = AckPage { l: Layout::new(ctx, &st.app).await, t, token, v: link_row(ctx.lang, v), note, warning };
    render(status, &page)
}

/// `GET /ack/{token}`: shows the message and a button; acknowledges nothing.
pub async fn ack_form(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    match st.app.ack_link(&token).await {
        Ok(v) => ack_page(&st, &ctx, StatusCode::OK, token, &v, None, None).await,
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Deserialize)]
pub struct AckForm {
    #[serde(default)]
    token: String,
}

/// `POST /ack/{token}`: acknowledges, if the form echoes the link's token.
pub async fn ack(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>, Form(f): Form<AckForm>) -> Response {
    let t = texts_for(ctx.lang);
    if f.token != token {
        return error_page(&ctx, StatusCode::BAD_REQUEST, t.ack_mismatch.into());
    }
    match st.app.acknowledge_by_link(&token, &ctx.origin).await {
        Ok(LinkOutcome::Acknowledged(v)) => {
            ack_page(&st, &ctx, StatusCode::OK, token, &v, Some(t.ack_done.into()), None).await
        }
        Ok(LinkOutcome::AlreadyAcknowledged(v)) => {
            ack_page(&st, &ctx, StatusCode::OK, token, &v, Some(t.ack_already.into()), None).await
        }
        Ok(LinkOutcome::Expired(v)) => {
            ack_page(&st, &ctx, StatusCode::GONE, token, &v, None, Some(t.ack_expired.into())).await
        }
        Err(e) => fail(&ctx, e),
    }
}
