//! SIPs recorded on a care episode (`reserv_core::sip`): a new SIP, or a new
//! version of one that supersedes its current version. Any organisation in
//! the episode's chain of care may record (a SIP belongs to all its parties:
//! primary care calls the meeting, the municipality and the ward take part);
//! outsiders get `NotFound`. That a version is superseded at most once is
//! kept by the store (`Conflict`), so it holds across processes.

use std::collections::BTreeSet;

use uuid::Uuid;

use reserv_core::backentry::SipAgreedVia;
use reserv_core::error::{DomainError, Field};
use reserv_core::handover::Party;
use reserv_core::ids::{EntryId, EpisodeId, OutageId};
use reserv_core::sip::{self, SipDraft, SipRecord};
use reserv_core::time::{parse_user_date, parse_user_time};
use reserv_store::{EpisodeRecord, StoreError};

use crate::episodes::EpisodeView;
use crate::{Actor, App, AppError, Principal};

/// A SIP as typed into the form or sent to the API. Parties by key (`ward`,
/// `municipality`, `primary_care`, `outpatient_psychiatry`); times as the
/// call form takes them; dates `YYYY-MM-DD`. Goals and activities one per
/// item (the form sends one per line).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SipInput {
    #[serde(default)]
    pub need_raised_by: String,
    #[serde(default)]
    pub initiated_at: String,
    #[serde(default)]
    pub initiator: String,
    #[serde(default)]
    pub participants: Vec<String>,
    /// The meeting date agreed.
    #[serde(default)]
    pub meeting_on: Option<String>,
    /// When the date was agreed.
    #[serde(default)]
    pub agreed_at: Option<String>,
    /// How: `phone`, `system`, `in_person`, `other`.
    #[serde(default)]
    pub agreed_via: Option<String>,
    /// The day the meeting was held.
    #[serde(default)]
    pub held_on: Option<String>,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub activities: Vec<String>,
    #[serde(default)]
    pub closed_on: Option<String>,
    /// The id of the SIP version this one replaces (a new version of that SIP).
    #[serde(default)]
    pub supersedes: Option<String>,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn party(field: Field, raw: &str) -> Result<Option<Party>, DomainError> {
    match raw.trim() {
        "" => Ok(None),
        k => Party::parse(k)
            .map(Some)
            .ok_or_else(|| DomainError::UnknownValue { field, value: k.chars().take(40).collect() }),
    }
}

/// Parses what was typed into a draft; the core checks the rules.
fn draft(input: &SipInput) -> Result<SipDraft, DomainError> {
    let mut participants = BTreeSet::new();
    for raw in &input.participants {
        if let Some(p) = party(Field::SipParticipants, raw)? {
            participants.insert(p);
        }
    }
    let agreed_via = match present(&input.agreed_via) {
        None => None,
        Some(k) => Some(SipAgreedVia::parse(k).ok_or_else(|| DomainError::UnknownValue {
            field: Field::SipAgreedVia,
            value: k.chars().take(40).collect(),
        })?),
    };
    let date = |field: Field, v: &Option<String>| present(v).map(|d| parse_user_date(field, d)).transpose();
    Ok(SipDraft {
        need_raised_by: party(Field::SipNeedRaisedBy, &input.need_raised_by)?,
        initiated_at: match input.initiated_at.trim() {
            "" => None,
            t => Some(parse_user_time(Field::SipInitiatedAt, t)?),
        },
        initiator: party(Field::SipInitiator, &input.initiator)?,
        participants,
        meeting_on: date(Field::SipMeetingOn, &input.meeting_on)?,
        agreed_at: present(&input.agreed_at).map(|t| parse_user_time(Field::SipAgreedAt, t)).transpose()?,
        agreed_via,
        held_on: date(Field::SipHeldOn, &input.held_on)?,
        goals: input.goals.clone(),
        activities: input.activities.clone(),
        closed_on: date(Field::SipClosedOn, &input.closed_on)?,
    })
}

impl App {
    /// Records a SIP on an episode, or a new version of one of its SIPs
    /// (`supersedes`). The record is tagged with the coordinated-discharge
    /// outages (of the episode's kind, real or drill) ongoing when the SIP was
    /// initiated, when its date was agreed, or now, so that its episode comes
    /// to those outages' back-entry. The answer is the episode view.
    pub async fn record_sip(&self, p: &Principal, id: EpisodeId, input: SipInput) -> Result<EpisodeView, AppError> {
        let now = self.now();
        let EpisodeRecord { events, entries, mut sips } = self.store.episode_record(id).await?;
        let e = self.visible_or_refused(p, id, &events).await?;
        let facts = sip::check_sip(draft(&input)?, &e.facts, now)?;
        let supersedes = match present(&input.supersedes) {
            None => None,
            Some(raw) => {
                let unknown =
                    || DomainError::UnknownValue { field: Field::Supersedes, value: raw.chars().take(40).collect() };
                let old_id: EntryId = raw.parse().map_err(|_| unknown())?;
                let old = sips.iter().find(|r| r.id == old_id).ok_or_else(unknown)?;
                if sips.iter().any(|r| r.supersedes == Some(old_id)) {
                    return Err(AppError::Conflict(format!("SIP version {old_id} has already been replaced")));
                }
                Some((old.id, old.sip_id))
            }
        };
        let mut outages: BTreeSet<OutageId> = BTreeSet::new();
        let times = [Some(facts.initiated_at), facts.agreement.as_ref().map(|a| a.agreed_at), Some(now)];
        for t in times.into_iter().flatten() {
            for o in self.outages_at(t).await? {
                if o.drill == e.drill {
                    outages.insert(o.id);
                }
            }
        }
        let new_id = EntryId(Uuid::now_v7());
        let record = SipRecord {
            id: new_id,
            sip_id: supersedes.map_or(new_id, |(_, s)| s),
            episode_id: id,
            supersedes: supersedes.map(|(old, _)| old),
            recorded_at: now,
            author_id: p.user.id,
            author_name: p.user.display_name.clone(),
            author_org: p.user.org.clone(),
            outages: outages.into_iter().collect(),
            node: self.store.node_id().to_owned(),
            facts,
        };
        let action = if record.supersedes.is_some() { "episode.sip_corrected" } else { "episode.sip_recorded" };
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, action, Some(format!("episode:{id}")), record.id.to_string());
        self.store.append_sip_record(record.clone(), audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        sips.push(record);
        Ok(Self::view_of(e, entries, sips))
    }
}
