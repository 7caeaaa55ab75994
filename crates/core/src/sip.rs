//! SIPs (samordnad individuell plan, coordinated individual plan) recorded
//! as data on a care episode: the need raised, who calls the meeting
//! (initiator), the meeting date agreed and how, the participants, the
//! meeting held with the plan's goals and activities, and the closing.
//!
//! Seeds: 000 "Om du behöver kalla till en SIP under driftstoppet gäller också
//! kontakt via telefon … SIP dokumenteras på papper så patienten kan få en
//! kopia"; 001 "Meddela kommunen om behov av samordnad individuell plan (SIP),
//! inklusive vem som kallar" and "Om ni under driftstoppet har kommit överens
//! om datum för SIP per telefon, ska formell kallelse skickas via Lifecare SP";
//! 002's SIP rows (initiated during the period, meeting held or not, plan made,
//! created before, initiated and closed during).
//!
//! Records are append-only like the handover log: every change is a new
//! [`SipRecord`] with the SIP's whole state that supersedes the previous one
//! (a record is superseded at most once; the schema enforces it). The
//! current state of each SIP is the one record nothing supersedes
//! ([`current`]). The back-entry engine reads SIPs through [`SipRecord::input`]
//! (002's rows) and [`SipRecord::agreed`] (the invitation to send).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::backentry::{SipAgreed, SipAgreedVia, SipInput, SipState};
use crate::episode::not_future;
use crate::error::{DomainError, Field, check_text};
use crate::handover::{EpisodeFacts, Party};
use crate::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use crate::time::{PLAUSIBLE_YEARS, local};

/// The longest goal or activity of a SIP plan.
pub const PLAN_LINE_MAX_CHARS: usize = 500;
/// The most goals, and the most activities, of one plan.
pub const PLAN_LINES_MAX: usize = 30;

/// A meeting date agreed: which day, when it was agreed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SipAgreement {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub meeting_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub agreed_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub via: SipAgreedVia,
}

/// The SIP meeting held and the plan made at it ("SIP-mötet dokumenteras på
/// avsatt stödblankett").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SipMeeting {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: Date,
    pub goals: Vec<String>,
    pub activities: Vec<String>,
}

/// A SIP's state as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SipFacts {
    /// The party that raised the need.
    pub need_raised_by: Party,
    /// When the SIP was initiated: its creation in 002's sense.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub initiated_at: Timestamp,
    /// The party that calls the meeting (gets 002's `initiator` items).
    pub initiator: Party,
    /// The other parties taking part.
    pub participants: BTreeSet<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<SipAgreement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<SipMeeting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub closed_on: Option<Date>,
}

impl SipFacts {
    /// 002's state: closed, a plan created (the meeting held), or not held.
    pub fn state(&self) -> SipState {
        if self.closed_on.is_some() {
            SipState::Closed
        } else if self.meeting.is_some() {
            SipState::PlanCreated
        } else {
            SipState::NotHeld
        }
    }

    /// The initiator and the participants.
    pub fn parties(&self) -> BTreeSet<Party> {
        let mut all = self.participants.clone();
        all.insert(self.initiator);
        all
    }
}

/// One immutable version of a SIP on an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SipRecord {
    /// This version.
    pub id: EntryId,
    /// The SIP: the id of its first version.
    pub sip_id: EntryId,
    pub episode_id: EpisodeId,
    /// The version this one replaces (`None` for the first).
    pub supersedes: Option<EntryId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    pub author_id: UserId,
    pub author_name: String,
    pub author_org: OrgId,
    /// The outages ongoing when it was recorded.
    pub outages: Vec<OutageId>,
    pub node: String,
    pub facts: SipFacts,
}

impl SipRecord {
    /// The SIP as 002's rows see it.
    pub fn input(&self) -> SipInput {
        let f = &self.facts;
        SipInput {
            id: self.sip_id.0,
            episode: Some(self.episode_id),
            created_at: f.initiated_at,
            state: f.state(),
            initiator: f.initiator,
            participants: f.participants.clone(),
            meeting_on: f.agreement.as_ref().map(|a| a.meeting_on),
            held_on: f.meeting.as_ref().map(|m| m.held_on),
            goals: f.meeting.as_ref().map(|m| m.goals.clone()).unwrap_or_default(),
            activities: f.meeting.as_ref().map(|m| m.activities.clone()).unwrap_or_default(),
        }
    }

    /// The meeting date agreed, as the episode engine sees it.
    pub fn agreed(&self) -> Option<SipAgreed> {
        let a = self.facts.agreement.as_ref()?;
        Some(SipAgreed { at: a.agreed_at, via: a.via, meeting_on: a.meeting_on, parties: self.facts.parties() })
    }
}

/// The current version of every SIP: the records nothing supersedes, one per
/// SIP (the newest if stored data ever held two), ordered by initiation.
pub fn current(records: &[SipRecord]) -> Vec<&SipRecord> {
    let superseded: BTreeSet<EntryId> = records.iter().filter_map(|r| r.supersedes).collect();
    let mut by_sip: BTreeMap<EntryId, &SipRecord> = BTreeMap::new();
    for r in records.iter().filter(|r| !superseded.contains(&r.id)) {
        let slot = by_sip.entry(r.sip_id).or_insert(r);
        if (r.recorded_at, r.id) > (slot.recorded_at, slot.id) {
            *slot = r;
        }
    }
    let mut out: Vec<&SipRecord> = by_sip.into_values().collect();
    out.sort_by_key(|r| (r.facts.initiated_at, r.sip_id));
    out
}

/// A SIP as typed (the form or the API), before it is checked. Goals and
/// activities are one per line; blank lines are left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SipDraft {
    pub need_raised_by: Option<Party>,
    pub initiated_at: Option<Timestamp>,
    pub initiator: Option<Party>,
    pub participants: BTreeSet<Party>,
    pub meeting_on: Option<Date>,
    pub agreed_at: Option<Timestamp>,
    pub agreed_via: Option<SipAgreedVia>,
    pub held_on: Option<Date>,
    pub goals: Vec<String>,
    pub activities: Vec<String>,
    pub closed_on: Option<Date>,
}

fn not_after_today(field: Field, d: Date, now: Timestamp) -> Result<Date, DomainError> {
    if !PLAUSIBLE_YEARS.contains(&d.year()) {
        return Err(DomainError::ImplausibleDate { field });
    }
    if d > local(now).date() { Err(DomainError::InFuture { field }) } else { Ok(d) }
}

fn plan_lines(field: Field, lines: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out = Vec::new();
    for l in lines {
        let t = check_text(field, l, PLAN_LINE_MAX_CHARS, false)?;
        if !t.is_empty() {
            out.push(t);
        }
    }
    if out.len() > PLAN_LINES_MAX {
        return Err(DomainError::Invalid { field, message: format!("högst {PLAN_LINES_MAX} rader.") });
    }
    Ok(out)
}

/// Checks a SIP for an episode at `now`. Every party named must play a part
/// in the episode; the meeting cannot be held before the initiative; a plan
/// needs a meeting held, and a meeting held is documented with its plan; a
/// date agreed comes with when and how.
pub fn check_sip(d: SipDraft, episode: &EpisodeFacts, now: Timestamp) -> Result<SipFacts, DomainError> {
    let party = |field: Field, p: Party| {
        if episode.org_of(p).is_some() {
            Ok(p)
        } else {
            Err(DomainError::UnknownValue { field, value: p.key().to_owned() })
        }
    };
    let need_raised_by = party(
        Field::SipNeedRaisedBy,
        d.need_raised_by.ok_or(DomainError::Required { field: Field::SipNeedRaisedBy })?,
    )?;
    let initiated_at = d.initiated_at.ok_or(DomainError::Required { field: Field::SipInitiatedAt })?;
    let initiated_at = not_future(Field::SipInitiatedAt, initiated_at, now)?;
    let initiated_on = local(initiated_at).date();
    let initiator =
        party(Field::SipInitiator, d.initiator.ok_or(DomainError::Required { field: Field::SipInitiator })?)?;
    let mut participants = BTreeSet::new();
    for p in d.participants {
        if p != initiator {
            participants.insert(party(Field::SipParticipants, p)?);
        }
    }

    let agreement = match (d.meeting_on, d.agreed_at, d.agreed_via) {
        (None, None, None) => None,
        (meeting_on, agreed_at, via) => {
            let meeting_on = meeting_on.ok_or(DomainError::Required { field: Field::SipMeetingOn })?;
            let agreed_at = agreed_at.ok_or(DomainError::Required { field: Field::SipAgreedAt })?;
            let via = via.ok_or(DomainError::Required { field: Field::SipAgreedVia })?;
            let agreed_at = not_future(Field::SipAgreedAt, agreed_at, now)?;
            if agreed_at < initiated_at {
                return Err(DomainError::Invalid {
                    field: Field::SipAgreedAt,
                    message: "datumet kan inte ha bestämts innan SIP:en initierades.".into(),
                });
            }
            if meeting_on < local(agreed_at).date() {
                return Err(DomainError::Invalid {
                    field: Field::SipMeetingOn,
                    message: "mötesdatumet ligger före dagen då det bestämdes.".into(),
                });
            }
            Some(SipAgreement { meeting_on, agreed_at, via })
        }
    };

    let goals = plan_lines(Field::SipGoals, &d.goals)?;
    let activities = plan_lines(Field::SipActivities, &d.activities)?;
    let meeting = match d.held_on {
        None if !goals.is_empty() => return Err(DomainError::SipPlanWithoutMeeting { field: Field::SipGoals }),
        None if !activities.is_empty() => {
            return Err(DomainError::SipPlanWithoutMeeting { field: Field::SipActivities });
        }
        None => None,
        Some(held_on) => {
            let held_on = not_after_today(Field::SipHeldOn, held_on, now)?;
            if held_on < initiated_on {
                return Err(DomainError::SipMeetingBeforeInitiative { field: Field::SipHeldOn });
            }
            if goals.is_empty() {
                return Err(DomainError::Required { field: Field::SipGoals });
            }
            Some(SipMeeting { held_on, goals, activities })
        }
    };

    let closed_on = match d.closed_on {
        None => None,
        Some(c) => {
            let c = not_after_today(Field::SipClosedOn, c, now)?;
            if c < initiated_on || meeting.as_ref().is_some_and(|m| c < m.held_on) {
                return Err(DomainError::EndBeforeStart { field: Field::SipClosedOn });
            }
            Some(c)
        }
    };
    Ok(SipFacts { need_raised_by, initiated_at, initiator, participants, agreement, meeting, closed_on })
}

#[cfg(test)]
mod tests;
