//! E-mail subscriptions to the public status: the form on `/status`
//! ("Prenumerera på driftinformation via e-post"), the confirmation page
//! `/subscriptions/confirm/{token}` and the unsubscribe page
//! `/subscriptions/unsubscribe/{token}` (GET shows a button and changes
//! nothing, so a mail scanner's prefetch does nothing; POST with the echoed
//! token acts), and the API: `POST /api/v1/public/subscriptions` and the
//! RFC 8058 one-click address `POST /api/v1/public/subscriptions/unsubscribe/{token}`
//! that the mails' `List-Unsubscribe` header names.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use reserv_app::AppError;
use reserv_app::subscriptions::{LinkResult, SubscriptionView};
use reserv_core::subscription::SubStatus;

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::Lang;
use crate::kit::respond::{error_page, fail, render};
use crate::kit::view::Layout;

pub struct SubTexts {
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub email: &'static str,
    pub systems: &'static str,
    pub systems_hint: &'static str,
    pub all_systems: &'static str,
    pub subscribe: &'static str,
    pub title: &'static str,
    pub requested: &'static str,
    pub confirm_title: &'static str,
    pub confirm_intro: &'static str,
    pub confirm_button: &'static str,
    pub confirmed: &'static str,
    pub already_confirmed: &'static str,
    pub expired: &'static str,
    pub ended: &'static str,
    pub unsubscribe_title: &'static str,
    pub unsubscribe_intro: &'static str,
    pub unsubscribe_button: &'static str,
    pub unsubscribed: &'static str,
    pub already_unsubscribed: &'static str,
    pub mismatch: &'static str,
    pub status: &'static str,
    pub pending: &'static str,
    pub active: &'static str,
    pub back: &'static str,
}

pub const SV: SubTexts = SubTexts {
    form_title: "Prenumerera på driftinformation via e-post",
    form_intro: "Få ett e-postmeddelande när ett avbrott i de system du väljer meddelas, ändrar tider eller avslutas. Du får först ett meddelande med en länk att bekräfta; inget annat skickas förrän du har bekräftat.",
    email: "E-postadress",
    systems: "System",
    systems_hint: "Välj inget för att få information om alla system.",
    all_systems: "Alla system",
    subscribe: "Prenumerera",
    title: "Prenumeration på driftinformation",
    requested: "Tack! Om adressen är giltig kommer ett e-postmeddelande med en länk för att bekräfta prenumerationen. Länken gäller i 48 timmar.",
    confirm_title: "Bekräfta prenumerationen",
    confirm_intro: "Tryck på knappen för att bekräfta att du vill få driftinformation via e-post.",
    confirm_button: "Bekräfta prenumerationen",
    confirmed: "Prenumerationen är bekräftad. Varje meddelande har en länk för att avsluta den.",
    already_confirmed: "Prenumerationen var redan bekräftad.",
    expired: "Länken har gått ut (den gäller i 48 timmar). Prenumerera igen på driftstatussidan.",
    ended: "Prenumerationen är avslutad och kan inte bekräftas. Prenumerera igen på driftstatussidan.",
    unsubscribe_title: "Avsluta prenumerationen",
    unsubscribe_intro: "Tryck på knappen för att inte få fler meddelanden om driftinformation.",
    unsubscribe_button: "Avsluta prenumerationen",
    unsubscribed: "Prenumerationen är avslutad. Inga fler meddelanden skickas.",
    already_unsubscribed: "Prenumerationen var redan avslutad.",
    mismatch: "Formuläret hör inte till den här länken. Öppna länken i meddelandet igen.",
    status: "Status",
    pending: "Väntar på bekräftelse",
    active: "Aktiv",
    back: "Till driftstatus",
};

pub const EN: SubTexts = SubTexts {
    form_title: "Subscribe to service status by e-mail",
    form_intro: "Get an e-mail when an outage of the systems you choose is announced, changes its times or ends. You first get a message with a link to confirm; nothing else is sent until you have confirmed.",
    email: "E-mail address",
    systems: "Systems",
    systems_hint: "Choose none to hear about all systems.",
    all_systems: "All systems",
    subscribe: "Subscribe",
    title: "Service status subscription",
    requested: "Thank you! If the address is valid, an e-mail with a link to confirm the subscription is on its way. The link works for 48 hours.",
    confirm_title: "Confirm the subscription",
    confirm_intro: "Press the button to confirm that you want service status by e-mail.",
    confirm_button: "Confirm the subscription",
    confirmed: "The subscription is confirmed. Every message has a link to end it.",
    already_confirmed: "The subscription was already confirmed.",
    expired: "The link has expired (it works for 48 hours). Subscribe again on the status page.",
    ended: "The subscription has ended and cannot be confirmed. Subscribe again on the status page.",
    unsubscribe_title: "End the subscription",
    unsubscribe_intro: "Press the button to receive no more service status messages.",
    unsubscribe_button: "Avsluta prenumerationen (unsubscribe)",
    unsubscribed: "The subscription has ended. No more messages are sent.",
    already_unsubscribed: "The subscription had already ended.",
    mismatch: "The form does not belong to this link. Open the link in the message again.",
    status: "Status",
    pending: "Awaiting confirmation",
    active: "Active",
    back: "To the status page",
};

pub fn texts_for(lang: Lang) -> &'static SubTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// The subscription form (on `/status` and after a refused request).
pub struct SubscribeBox {
    pub t: &'static SubTexts,
    pub csrf: String,
    pub email: String,
    /// (id, name, checked)
    pub systems: Vec<(String, String, bool)>,
    pub error: Option<String>,
}

/// The form, if subscriptions work here.
pub fn subscribe_box(
    st: &AppState,
    ctx: &Ctx,
    email: String,
    chosen: &[String],
    error: Option<String>,
) -> Option<SubscribeBox> {
    st.app.subscriptions_enabled().then(|| SubscribeBox {
        t: texts_for(ctx.lang),
        csrf: ctx.csrf.clone(),
        email,
        systems: st
            .app
            .catalogue()
            .systems()
            .iter()
            .map(|s| (s.id.as_str().to_owned(), s.name.clone(), chosen.iter().any(|c| c == s.id.as_str())))
            .collect(),
        error,
    })
}

pub struct ViewRow {
    email: String,
    systems: String,
    status: &'static str,
}

pub struct Action {
    path: String,
    token: String,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "subscription.html")]
struct SubscriptionPage {
    l: Layout,
    t: &'static SubTexts,
    note: Option<String>,
    warning: Option<String>,
    view: Option<ViewRow>,
    action: Option<Action>,
    form: Option<SubscribeBox>,
}

fn view_row(t: &'static SubTexts, v: &SubscriptionView) -> ViewRow {
    ViewRow {
        email: v.email.clone(),
        systems: if v.systems.is_empty() { t.all_systems.to_owned() } else { v.systems.join(", ") },
        status: match v.status {
            SubStatus::Pending => t.pending,
            SubStatus::Active => t.active,
            SubStatus::Expired => t.expired,
            SubStatus::Unsubscribed => t.unsubscribed,
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    st: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    note: Option<String>,
    warning: Option<String>,
    view: Option<&SubscriptionView>,
    action: Option<Action>,
    form: Option<SubscribeBox>,
) -> Response {
    let t = texts_for(ctx.lang);
    let view = view.map(|v| view_row(t, v));
    let p = SubscriptionPage { l: Layout::new(ctx, &st.app).await, t, note, warning, view, action, form };
    render(status, &p)
}

/// `POST /subscriptions`: the form on the status page.
pub async fn subscribe(State(st): State<AppState>, ctx: Ctx, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let t = texts_for(ctx.lang);
    let email = fields.iter().find(|(k, _)| k == "email").map(|(_, v)| v.clone()).unwrap_or_default();
    let systems: Vec<String> = fields.iter().filter(|(k, _)| k == "systems").map(|(_, v)| v.clone()).collect();
    match st.app.subscribe(&email, &systems, &ctx.origin).await {
        Ok(()) => page(&st, &ctx, StatusCode::ACCEPTED, Some(t.requested.into()), None, None, None, None).await,
        Err(e @ (AppError::Invalid(_) | AppError::RateLimited | AppError::SubscriptionThrottled { .. })) => {
            let msg = match ctx.lang {
                Lang::Sv => e.message_sv(),
                Lang::En => e.message_en(),
            };
            let form = subscribe_box(&st, &ctx, email, &systems, Some(msg));
            page(&st, &ctx, crate::status_of(&e), None, None, None, None, form).await
        }
        Err(e) => fail(&ctx, e),
    }
}

/// `GET /subscriptions/confirm/{token}`: shows the button; confirms nothing.
pub async fn confirm_form(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    let t = texts_for(ctx.lang);
    match st.app.subscription_link(&token).await {
        Ok(v) if v.confirm_link && v.status == SubStatus::Pending => {
            let action = Action { path: format!("/subscriptions/confirm/{token}"), token, label: t.confirm_button };
            page(&st, &ctx, StatusCode::OK, Some(t.confirm_intro.into()), None, Some(&v), Some(action), None).await
        }
        Ok(v) if v.confirm_link => {
            let (note, warning) = match v.status {
                SubStatus::Active => (Some(t.already_confirmed.into()), None),
                SubStatus::Expired => (None, Some(t.expired.into())),
                _ => (None, Some(t.ended.into())),
            };
            page(&st, &ctx, StatusCode::OK, note, warning, Some(&v), None, None).await
        }
        Ok(_) => fail(&ctx, AppError::NotFound),
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// `POST /subscriptions/confirm/{token}`: confirms, if the form echoes the token.
pub async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let t = texts_for(ctx.lang);
    if f.token != token {
        return error_page(&ctx, StatusCode::BAD_REQUEST, t.mismatch.into());
    }
    match st.app.confirm_subscription(&token, &ctx.origin).await {
        Ok((r, v)) => {
            let (status, note, warning) = match r {
                LinkResult::Done => (StatusCode::OK, Some(t.confirmed), None),
                LinkResult::Already => (StatusCode::OK, Some(t.already_confirmed), None),
                LinkResult::Expired => (StatusCode::GONE, None, Some(t.expired)),
                LinkResult::Ended => (StatusCode::GONE, None, Some(t.ended)),
            };
            page(&st, &ctx, status, note.map(Into::into), warning.map(Into::into), Some(&v), None, None).await
        }
        Err(e) => fail(&ctx, e),
    }
}

/// `GET /subscriptions/unsubscribe/{token}`: one button; changes nothing.
pub async fn unsubscribe_form(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    let t = texts_for(ctx.lang);
    match st.app.subscription_link(&token).await {
        Ok(v) if v.status == SubStatus::Unsubscribed => {
            page(&st, &ctx, StatusCode::OK, Some(t.already_unsubscribed.into()), None, Some(&v), None, None).await
        }
        Ok(v) => {
            let action =
                Action { path: format!("/subscriptions/unsubscribe/{token}"), token, label: SV.unsubscribe_button };
            page(&st, &ctx, StatusCode::OK, Some(t.unsubscribe_intro.into()), None, Some(&v), Some(action), None).await
        }
        Err(e) => fail(&ctx, e),
    }
}

/// `POST /subscriptions/unsubscribe/{token}`: unsubscribes, if the form echoes the token.
pub async fn unsubscribe(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let t = texts_for(ctx.lang);
    if f.token != token {
        return error_page(&ctx, StatusCode::BAD_REQUEST, t.mismatch.into());
    }
    match st.app.unsubscribe_by_link(&token, &ctx.origin).await {
        Ok((r, v)) => {
            let note = if r == LinkResult::Done { t.unsubscribed } else { t.already_unsubscribed };
            page(&st, &ctx, StatusCode::OK, Some(note.into()), None, Some(&v), None, None).await
        }
        Err(e) => fail(&ctx, e),
    }
}
