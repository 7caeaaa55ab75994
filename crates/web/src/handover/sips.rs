//! SIPs on the episode page: each SIP at its current version, and the form
//! that records a SIP or a new version of one (pre-filled from the version
//! it replaces). The rules are the core's (`reserv_core::sip::check_sip`),
//! reached through one `App::record_sip` call.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use reserv_app::AppError;
use reserv_app::episodes::{EpisodeView, SipView};
use reserv_app::sips::SipInput;
use reserv_core::backentry::SipAgreedVia;
use reserv_core::handover::Party;
use reserv_core::ids::{EpisodeId, OrgId};
use reserv_core::sip::SipRecord;
use reserv_core::time::{format_input, format_local};

use crate::AppState;
use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, party_label};
use crate::kit::respond::{fail, see_other};
use crate::kit::view::FormError;

use super::pages::{Wanted, episode_page};

/// The SIP form as typed (or pre-filled): every value a string.
#[derive(Debug, Clone, Default)]
pub struct SipFormView {
    pub supersedes: String,
    pub need_raised_by: String,
    pub initiated_at: String,
    pub initiator: String,
    pub participants: Vec<String>,
    pub meeting_on: String,
    pub agreed_at: String,
    pub agreed_via: String,
    pub held_on: String,
    pub goals: String,
    pub activities: String,
    pub closed_on: String,
}

impl SipFormView {
    /// A new version of a SIP starts from the version it replaces.
    pub fn from_record(r: &SipRecord) -> SipFormView {
        let f = &r.facts;
        SipFormView {
            supersedes: r.id.to_string(),
            need_raised_by: f.need_raised_by.key().into(),
            initiated_at: format_input(f.initiated_at),
            initiator: f.initiator.key().into(),
            participants: f.participants.iter().map(|p| p.key().to_owned()).collect(),
            meeting_on: f.agreement.as_ref().map(|a| a.meeting_on.to_string()).unwrap_or_default(),
            agreed_at: f.agreement.as_ref().map(|a| format_input(a.agreed_at)).unwrap_or_default(),
            agreed_via: f.agreement.as_ref().map(|a| a.via.key().to_owned()).unwrap_or_default(),
            held_on: f.meeting.as_ref().map(|m| m.held_on.to_string()).unwrap_or_default(),
            goals: f.meeting.as_ref().map(|m| m.goals.join("\n")).unwrap_or_default(),
            activities: f.meeting.as_ref().map(|m| m.activities.join("\n")).unwrap_or_default(),
            closed_on: f.closed_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    pub fn has_participant(&self, key: &&str) -> bool {
        self.participants.iter().any(|p| p == key)
    }
}

/// One SIP as the page shows it.
pub struct SipRow {
    pub id: String,
    pub state: &'static str,
    pub need_raised_by: &'static str,
    pub initiated: String,
    pub initiator: String,
    pub participants: String,
    /// "2026-12-03, bestämt 2026-11-22 10:00 per telefon", or empty.
    pub agreement: String,
    pub held_on: String,
    pub goals: Vec<String>,
    pub activities: Vec<String>,
    pub closed_on: String,
    pub recorded: String,
    pub earlier: usize,
}

fn via_label(lang: Lang, v: SipAgreedVia) -> &'static str {
    match lang {
        Lang::Sv => v.label_sv(),
        Lang::En => v.label_en(),
    }
}

/// The parties the form offers: the episode's own.
pub fn parties(lang: Lang, v: &EpisodeView) -> Vec<(&'static str, &'static str)> {
    v.episode.facts.parties().into_iter().map(|p| (p.key(), party_label(lang, p))).collect()
}

pub fn vias(lang: Lang) -> Vec<(&'static str, &'static str)> {
    SipAgreedVia::ALL.iter().map(|v| (v.key(), via_label(lang, *v))).collect()
}

pub fn sip_rows(lang: Lang, v: &EpisodeView, names: &HashMap<OrgId, String>) -> Vec<SipRow> {
    let party = |p: Party| {
        let org = v.episode.facts.org_of(p).and_then(|o| names.get(o)).cloned().unwrap_or_default();
        if org.is_empty() { party_label(lang, p).to_owned() } else { format!("{org} ({})", party_label(lang, p)) }
    };
    v.sips
        .iter()
        .map(|SipView { current: r, earlier }| {
            let f = &r.facts;
            let state = f.state();
            SipRow {
                id: r.id.to_string(),
                state: match lang {
                    Lang::Sv => state.label_sv(),
                    Lang::En => state.label_en(),
                },
                need_raised_by: party_label(lang, f.need_raised_by),
                initiated: format_local(f.initiated_at),
                initiator: party(f.initiator),
                participants: f.participants.iter().map(|p| party(*p)).collect::<Vec<_>>().join(", "),
                agreement: f
                    .agreement
                    .as_ref()
                    .map(|a| {
                        format!(
                            "{} ({} {}, {})",
                            a.meeting_on,
                            lang.texts().sip_agreed_on,
                            format_local(a.agreed_at),
                            via_label(lang, a.via).to_lowercase()
                        )
                    })
                    .unwrap_or_default(),
                held_on: f.meeting.as_ref().map(|m| m.held_on.to_string()).unwrap_or_default(),
                goals: f.meeting.as_ref().map(|m| m.goals.clone()).unwrap_or_default(),
                activities: f.meeting.as_ref().map(|m| m.activities.clone()).unwrap_or_default(),
                closed_on: f.closed_on.map(|d| d.to_string()).unwrap_or_default(),
                recorded: format!("{} {}", format_local(r.recorded_at), r.author_name),
                earlier: earlier.len(),
            }
        })
        .collect()
}

/// Lines of a textarea, blank ones left out.
fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

pub async fn record_sip(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(p) = ctx.principal.as_ref() else { return see_other("/login") };
    let eid: EpisodeId = match crate::kit::respond::parse_id(&id) {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let kv: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |name: &str| kv.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = SipFormView {
        supersedes: get("supersedes"),
        need_raised_by: get("need_raised_by"),
        initiated_at: get("initiated_at"),
        initiator: get("initiator"),
        participants: kv.iter().filter(|(k, _)| k == "participants").map(|(_, v)| v.clone()).collect(),
        meeting_on: get("meeting_on"),
        agreed_at: get("agreed_at"),
        agreed_via: get("agreed_via"),
        held_on: get("held_on"),
        goals: get("goals"),
        activities: get("activities"),
        closed_on: get("closed_on"),
    };
    let input = SipInput {
        need_raised_by: form.need_raised_by.clone(),
        initiated_at: form.initiated_at.clone(),
        initiator: form.initiator.clone(),
        participants: form.participants.clone(),
        meeting_on: Some(form.meeting_on.clone()),
        agreed_at: Some(form.agreed_at.clone()),
        agreed_via: Some(form.agreed_via.clone()),
        held_on: Some(form.held_on.clone()),
        goals: lines(&form.goals),
        activities: lines(&form.activities),
        closed_on: Some(form.closed_on.clone()),
        supersedes: Some(form.supersedes.clone()),
    };
    match st.app.record_sip(p, eid, input).await {
        Ok(_) => see_other(&format!("/episodes/{id}?sip_saved=1#sips")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = crate::kit::respond::status_of(&e);
            let w =
                Wanted { sip_errors: vec![FormError::from_app(ctx.lang, &e)], sip: Some(form), ..Default::default() };
            episode_page(&st, &ctx, &id, status, w).await
        }
        Err(e) => fail(&ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textarea_lines_drop_blanks_and_trim() {
        assert_eq!(lines(" Bo kvar hemma \r\n\r\n  Hemtjänst\n"), vec!["Bo kvar hemma", "Hemtjänst"]);
    }
}
