//! Care episodes (vårdtillfällen) and the handover log's entries: what a
//! ward records about a patient's stay during an outage, and each phone call
//! that replaces a line of the paper downtime form. Both are append-only: an
//! episode is a timeline of changes folded into its current facts, and a
//! correction of a log entry is a new entry that supersedes the old one.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::datafile::vocabulary;
use crate::error::{DomainError, Field, check_text};
use crate::handover::{Contact, Direction, EpisodeFacts, MessageType};
use crate::identity::PatientId;
use crate::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use crate::org::WardType;
use crate::outage::Actor;
use crate::time::check_plausible;

/// How far ahead of the clock a time may lie (clock skew between devices).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// The longest free text of an entry.
pub const COMMENT_MAX_CHARS: usize = 2000;

vocabulary!(
    /// Where the patient went when discharged. 001 ties patient information to it: "Patientinformation
    /// (fyll i om det är möjligt) – om patenten gått hem ska den skickas hem till patienten."
    DischargeDestination, "utskrivningsmål", "discharge destination" {
        Home = "home", "Hem", "Home";
        ShortTermCare = "short_term_care", "Korttidsboende", "Short-term care";
        OtherUnit = "other_unit", "Annan vårdenhet", "Another care unit";
        Deceased = "deceased", "Avliden", "Deceased";
    }
);

/// One change to an episode. The first entry of every timeline is `Registered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EpisodeChange {
    Registered {
        patient: PatientId,
        ward: OrgId,
        ward_type: WardType,
        municipality: OrgId,
        primary_care: OrgId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outpatient_psychiatry: Option<OrgId>,
        admitted_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_discharge: Option<Date>,
        /// The episode was already in the coordination system before the outage (002).
        existed_before_outage: bool,
        /// The handover routine the episode follows (`handover::Routine::id`).
        routine: String,
        /// Registered during a drill (övning): practice data.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        drill: bool,
    },
    Updated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_discharge: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ready_for_discharge_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        discharged_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        designated_care_contact: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        discharge_destination: Option<DischargeDestination>,
        /// Whether the municipality provides (or will provide) extensive, long-term services
        /// after the stay (002: "Om det finns behov av omfattande och långvariga insatser efter
        /// inskrivning kan vårdtillfället efterregistreras … efter överenskommelse").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extensive_long_term_services: Option<bool>,
    },
}

/// An immutable episode timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeEvent {
    pub id: EntryId,
    pub episode_id: EpisodeId,
    pub seq: u32,
    pub at: Timestamp,
    pub actor: Actor,
    pub node: String,
    pub change: EpisodeChange,
}

/// An episode's current facts, folded from its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Episode {
    pub id: EpisodeId,
    pub patient: PatientId,
    pub routine: String,
    /// Practice data from a drill (övning), never mixed with real records.
    pub drill: bool,
    pub existed_before_outage: bool,
    pub expected_discharge: Option<Date>,
    pub designated_care_contact: Option<String>,
    /// Where the patient went; only for a discharged patient.
    pub discharge_destination: Option<DischargeDestination>,
    /// Extensive, long-term services after the stay; `None` while nobody has said.
    pub extensive_long_term_services: Option<bool>,
    pub facts: EpisodeFacts,
    pub timeline: Vec<EpisodeEvent>,
}

/// A timeline that cannot be folded: only possible if stored data was damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("episode timeline is inconsistent: {0}")]
pub struct EpisodeTimelineError(pub &'static str);

impl Episode {
    pub fn fold(events: &[EpisodeEvent]) -> Result<Episode, EpisodeTimelineError> {
        let (first, rest) = events.split_first().ok_or(EpisodeTimelineError("empty timeline"))?;
        let EpisodeChange::Registered {
            patient,
            ward,
            ward_type,
            municipality,
            primary_care,
            outpatient_psychiatry,
            admitted_at,
            expected_discharge,
            existed_before_outage,
            routine,
            drill,
        } = &first.change
        else {
            return Err(EpisodeTimelineError("first entry is not a registration"));
        };
        let mut e = Episode {
            id: first.episode_id,
            patient: patient.clone(),
            routine: routine.clone(),
            drill: *drill,
            existed_before_outage: *existed_before_outage,
            expected_discharge: *expected_discharge,
            designated_care_contact: None,
            discharge_destination: None,
            extensive_long_term_services: None,
            facts: EpisodeFacts {
                ward: ward.clone(),
                ward_type: *ward_type,
                municipality: municipality.clone(),
                primary_care: primary_care.clone(),
                outpatient_psychiatry: outpatient_psychiatry.clone(),
                admitted_at: *admitted_at,
                estimated_discharge_known_at: expected_discharge.map(|_| first.at),
                ready_for_discharge_at: None,
                discharged_at: None,
            },
            timeline: vec![first.clone()],
        };
        for (i, ev) in rest.iter().enumerate() {
            if ev.seq as usize != i + 1 || ev.episode_id != e.id {
                return Err(EpisodeTimelineError("entries out of sequence"));
            }
            let EpisodeChange::Updated {
                expected_discharge,
                ready_for_discharge_at,
                discharged_at,
                designated_care_contact,
                discharge_destination,
                extensive_long_term_services,
            } = &ev.change
            else {
                return Err(EpisodeTimelineError("registered twice"));
            };
            if let Some(d) = expected_discharge {
                e.expected_discharge = Some(*d);
                e.facts.estimated_discharge_known_at.get_or_insert(ev.at);
            }
            if let Some(t) = ready_for_discharge_at {
                e.facts.ready_for_discharge_at = Some(*t);
            }
            if let Some(t) = discharged_at {
                e.facts.discharged_at = Some(*t);
            }
            if let Some(c) = designated_care_contact {
                e.designated_care_contact = Some(c.clone());
            }
            if let Some(d) = discharge_destination {
                e.discharge_destination = Some(*d);
            }
            if let Some(x) = extensive_long_term_services {
                e.extensive_long_term_services = Some(*x);
            }
            e.timeline.push(ev.clone());
        }
        Ok(e)
    }

    pub fn next_seq(&self) -> u32 {
        self.timeline.len() as u32
    }
}

/// A new episode as entered (already parsed; organisations checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub patient: PatientId,
    pub ward: OrgId,
    pub ward_type: WardType,
    pub municipality: OrgId,
    pub primary_care: OrgId,
    pub outpatient_psychiatry: Option<OrgId>,
    pub admitted_at: Timestamp,
    pub expected_discharge: Option<Date>,
    pub existed_before_outage: bool,
    pub routine: String,
    pub drill: bool,
}

pub(crate) fn not_future(field: Field, t: Timestamp, now: Timestamp) -> Result<Timestamp, DomainError> {
    check_plausible(field, t)?;
    if t > now + CLOCK_SKEW { Err(DomainError::InFuture { field }) } else { Ok(t) }
}

/// Validates a registration at `now`.
pub fn register(r: Registration, now: Timestamp) -> Result<EpisodeChange, DomainError> {
    not_future(Field::AdmittedAt, r.admitted_at, now)?;
    if r.outpatient_psychiatry.is_some() && r.ward_type != WardType::Psychiatric {
        return Err(DomainError::Invalid {
            field: Field::OutpatientPsychiatry,
            message: "anges bara för patienter på psykiatrisk avdelning.".into(),
        });
    }
    if let Some(d) = r.expected_discharge
        && d < r.admitted_at.to_zoned(crate::time::stockholm()).date()
    {
        return Err(DomainError::EndBeforeStart { field: Field::ExpectedDischarge });
    }
    Ok(EpisodeChange::Registered {
        patient: r.patient,
        ward: r.ward,
        ward_type: r.ward_type,
        municipality: r.municipality,
        primary_care: r.primary_care,
        outpatient_psychiatry: r.outpatient_psychiatry,
        admitted_at: r.admitted_at,
        expected_discharge: r.expected_discharge,
        existed_before_outage: r.existed_before_outage,
        routine: r.routine,
        drill: r.drill,
    })
}

/// A change to an episode's facts; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpisodeUpdate {
    pub expected_discharge: Option<Date>,
    pub ready_for_discharge_at: Option<Timestamp>,
    pub discharged_at: Option<Timestamp>,
    pub designated_care_contact: Option<String>,
    pub discharge_destination: Option<DischargeDestination>,
    pub extensive_long_term_services: Option<bool>,
}

/// Validates an update against the episode's current facts.
pub fn update(e: &Episode, u: EpisodeUpdate, now: Timestamp) -> Result<EpisodeChange, DomainError> {
    let admitted = e.facts.admitted_at;
    if let Some(t) = u.ready_for_discharge_at {
        not_future(Field::ReadyForDischargeAt, t, now)?;
        if t < admitted {
            return Err(DomainError::EndBeforeStart { field: Field::ReadyForDischargeAt });
        }
    }
    if let Some(t) = u.discharged_at {
        not_future(Field::DischargedAt, t, now)?;
        if t < admitted {
            return Err(DomainError::EndBeforeStart { field: Field::DischargedAt });
        }
    }
    if let Some(d) = u.expected_discharge
        && d < admitted.to_zoned(crate::time::stockholm()).date()
    {
        return Err(DomainError::EndBeforeStart { field: Field::ExpectedDischarge });
    }
    if u.discharge_destination.is_some() && u.discharged_at.is_none() && e.facts.discharged_at.is_none() {
        return Err(DomainError::Invalid {
            field: Field::DischargeDestination,
            message: "anges bara för en utskriven patient: ange också när patienten skrevs ut.".into(),
        });
    }
    let contact = match u.designated_care_contact {
        Some(c) => Some(check_text(Field::DesignatedCareContact, &c, 200, false)?).filter(|c| !c.is_empty()),
        None => None,
    };
    let change = EpisodeChange::Updated {
        expected_discharge: u.expected_discharge.filter(|d| Some(*d) != e.expected_discharge),
        ready_for_discharge_at: u.ready_for_discharge_at.filter(|t| Some(*t) != e.facts.ready_for_discharge_at),
        discharged_at: u.discharged_at.filter(|t| Some(*t) != e.facts.discharged_at),
        designated_care_contact: contact.filter(|c| Some(c) != e.designated_care_contact.as_ref()),
        discharge_destination: u.discharge_destination.filter(|d| Some(*d) != e.discharge_destination),
        extensive_long_term_services: u
            .extensive_long_term_services
            .filter(|x| Some(*x) != e.extensive_long_term_services),
    };
    match &change {
        EpisodeChange::Updated {
            expected_discharge: None,
            ready_for_discharge_at: None,
            discharged_at: None,
            designated_care_contact: None,
            discharge_destination: None,
            extensive_long_term_services: None,
        } => Err(DomainError::NothingChanged),
        _ => Ok(change),
    }
}

/// How a contact was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CallChannel))]
pub enum Channel {
    Phone,
    InPerson,
    Other,
}

/// Who signed a paper downtime form, as written on it (name and title). A
/// line transcribed from paper keeps the paper's signer; the logged-in person
/// who typed it in is the entry's author (the transcriber).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperSigner {
    /// The signer's name as written on the paper form.
    pub name: String,
    /// The signer's title as written (sjuksköterska, undersköterska …).
    pub title: String,
}

/// The longest name or title of a paper signer.
pub const PAPER_SIGNER_MAX_CHARS: usize = 120;

/// Checks a paper signer as typed: both name and title are required.
pub fn check_paper_signer(name: &str, title: &str) -> Result<PaperSigner, DomainError> {
    Ok(PaperSigner {
        name: check_text(Field::PaperSignerName, name, PAPER_SIGNER_MAX_CHARS, true)?,
        title: check_text(Field::PaperSignerTitle, title, PAPER_SIGNER_MAX_CHARS, true)?,
    })
}

/// One line of the handover log: a call, signed by the person who logged it
/// or, transcribed from a paper form, by the person who signed the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub id: EntryId,
    pub episode_id: EpisodeId,
    /// When the call took place (may be set back when transcribing paper).
    pub at: Timestamp,
    /// When it was recorded in Reserv.
    pub recorded_at: Timestamp,
    /// The logged-in person who recorded it: the signature, or for a line
    /// transcribed from paper the transcriber.
    pub author_id: UserId,
    pub author_name: String,
    pub author_org: OrgId,
    pub counterpart_name: String,
    pub counterpart_role: String,
    pub counterpart_org: OrgId,
    pub direction: Direction,
    pub channel: Channel,
    pub messages: BTreeSet<MessageType>,
    pub comment: String,
    /// The entry this one corrects.
    pub supersedes: Option<EntryId>,
    /// The outages ongoing at `at`.
    pub outages: Vec<OutageId>,
    pub node: String,
    /// Transcribed from a paper downtime form: who signed the paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_signer: Option<PaperSigner>,
}

impl LogEntry {
    /// The entry as the handover rules see it.
    pub fn contact(&self) -> Contact {
        Contact {
            id: self.id,
            supersedes: self.supersedes,
            at: self.at,
            logged_by: self.author_org.clone(),
            counterpart: self.counterpart_org.clone(),
            direction: self.direction,
            messages: self.messages.clone(),
        }
    }
}

/// What a person enters for one call (parsed, organisations checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    pub at: Timestamp,
    pub counterpart_name: String,
    pub counterpart_role: String,
    pub counterpart_org: OrgId,
    pub direction: Direction,
    pub channel: Channel,
    pub messages: BTreeSet<MessageType>,
    pub comment: String,
}

/// Validates one call at `now` for an episode and returns it with its texts
/// trimmed: seed 000 asks for the date, a signature and the name of the
/// person spoken to.
pub fn validate_entry(d: EntryDraft, episode: &Episode, now: Timestamp) -> Result<EntryDraft, DomainError> {
    let at = not_future(Field::CallAt, d.at, now)?;
    // A call cannot be about a stay before it began (a day's slack for calls
    // that prepared the admission).
    if at < episode.facts.admitted_at - SignedDuration::from_hours(24) {
        return Err(DomainError::EndBeforeStart { field: Field::CallAt });
    }
    let counterpart_name = check_text(Field::CounterpartName, &d.counterpart_name, 120, true)?;
    let counterpart_role = check_text(Field::CounterpartRole, &d.counterpart_role, 120, false)?;
    if d.messages.is_empty() {
        return Err(DomainError::Required { field: Field::Messages });
    }
    let comment = check_text(Field::Comment, &d.comment, COMMENT_MAX_CHARS, false)?;
    Ok(EntryDraft {
        at,
        counterpart_name,
        counterpart_role,
        counterpart_org: d.counterpart_org,
        direction: d.direction,
        channel: d.channel,
        messages: d.messages,
        comment,
    })
}

/// The most days the call form offers to pick from.
const CALL_DATES_MAX: usize = 31;

/// The dates the call form offers for a call of this episode, newest first:
/// today, then every day of the given outages (start, end or none while
/// ongoing) from the day before admission on. A paper form's lines lie in
/// its outage, so transcribing one is a choice among these days.
pub fn call_dates(facts: &EpisodeFacts, outages: &[(Timestamp, Option<Timestamp>)], now: Timestamp) -> Vec<Date> {
    let tz = crate::time::stockholm();
    let today = now.to_zoned(tz.clone()).date();
    let earliest = (facts.admitted_at - SignedDuration::from_hours(24)).to_zoned(tz.clone()).date();
    let mut days = BTreeSet::from([today]);
    for (start, end) in outages {
        let first = start.to_zoned(tz.clone()).date().max(earliest);
        let last = end.map_or(today, |e| e.to_zoned(tz.clone()).date()).min(today);
        let mut d = first;
        while d <= last && days.len() < CALL_DATES_MAX {
            days.insert(d);
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
    }
    days.into_iter().rev().collect()
}

/// Chain-of-care access: an organisation sees an episode only if it is one of
/// its parties — the ward its own, a municipality its residents', a
/// primary-care centre its patients', outpatient psychiatry only episodes on
/// psychiatric wards that name it.
pub fn in_chain_of_care(e: &EpisodeFacts, org: &OrgId) -> bool {
    e.parties().into_iter().any(|p| e.org_of(p) == Some(org))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handover::MessageType as M;
    use uuid::Uuid;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn registration(ward_type: WardType) -> Registration {
        Registration {
            patient: PatientId::parse("19380412-9819", jiff::civil::date(2026, 11, 23)).unwrap(),
            ward: org("avd"),
            ward_type,
            municipality: org("kommun"),
            primary_care: org("hc"),
            outpatient_psychiatry: None,
            admitted_at: t("2026-11-23T08:00:00Z"),
            expected_discharge: None,
            existed_before_outage: false,
            routine: "lifecare-sp-001".into(),
            drill: false,
        }
    }

    fn episode(r: Registration) -> Episode {
        let now = t("2026-11-23T10:00:00Z");
        let ev = EpisodeEvent {
            id: EntryId(Uuid::from_u128(1)),
            episode_id: EpisodeId(Uuid::from_u128(7)),
            seq: 0,
            at: now,
            actor: Actor { user_id: None, name: "ssk".into() },
            node: "n".into(),
            change: register(r, now).unwrap(),
        };
        Episode::fold(&[ev]).unwrap()
    }

    #[test]
    fn registration_rules() {
        let now = t("2026-11-23T10:00:00Z");
        let mut future = registration(WardType::Somatic);
        future.admitted_at = t("2026-11-23T12:00:00Z");
        assert_eq!(register(future, now), Err(DomainError::InFuture { field: Field::AdmittedAt }));
        let mut psych_on_somatic = registration(WardType::Somatic);
        psych_on_somatic.outpatient_psychiatry = Some(org("psyk"));
        assert_eq!(register(psych_on_somatic, now).unwrap_err().field(), Some(Field::OutpatientPsychiatry));
        let mut early = registration(WardType::Somatic);
        early.expected_discharge = Some(jiff::civil::date(2026, 11, 22));
        assert_eq!(register(early, now), Err(DomainError::EndBeforeStart { field: Field::ExpectedDischarge }));
        let mut psych = registration(WardType::Psychiatric);
        psych.outpatient_psychiatry = Some(org("psyk"));
        assert!(register(psych, now).is_ok());
    }

    #[test]
    fn discharge_before_admission_and_future_times_are_refused() {
        let e = episode(registration(WardType::Somatic));
        let now = t("2026-11-23T10:00:00Z");
        let before = EpisodeUpdate { discharged_at: Some(t("2026-11-23T07:00:00Z")), ..Default::default() };
        assert_eq!(update(&e, before, now), Err(DomainError::EndBeforeStart { field: Field::DischargedAt }));
        let future = EpisodeUpdate { ready_for_discharge_at: Some(t("2026-11-23T11:00:00Z")), ..Default::default() };
        assert_eq!(update(&e, future, now), Err(DomainError::InFuture { field: Field::ReadyForDischargeAt }));
        assert_eq!(update(&e, EpisodeUpdate::default(), now), Err(DomainError::NothingChanged));
        let ok = EpisodeUpdate { discharged_at: Some(t("2026-11-23T09:30:00Z")), ..Default::default() };
        assert!(update(&e, ok, now).is_ok());
    }

    #[test]
    fn a_discharge_destination_needs_a_discharge_and_both_facts_fold() {
        let e = episode(registration(WardType::Somatic));
        let now = t("2026-11-23T10:00:00Z");
        let alone = EpisodeUpdate { discharge_destination: Some(DischargeDestination::Home), ..Default::default() };
        assert_eq!(update(&e, alone, now).unwrap_err().field(), Some(Field::DischargeDestination));
        let with = EpisodeUpdate {
            discharged_at: Some(t("2026-11-23T09:30:00Z")),
            discharge_destination: Some(DischargeDestination::ShortTermCare),
            extensive_long_term_services: Some(true),
            ..Default::default()
        };
        let change = update(&e, with, now).unwrap();
        let mut timeline = e.timeline.clone();
        timeline.push(EpisodeEvent { id: EntryId(Uuid::from_u128(2)), seq: 1, change, ..e.timeline[0].clone() });
        let folded = Episode::fold(&timeline).unwrap();
        assert_eq!(folded.discharge_destination, Some(DischargeDestination::ShortTermCare));
        assert_eq!(folded.extensive_long_term_services, Some(true));
        // Once discharged, the destination may be set on its own; the same value again is no change.
        let later = EpisodeUpdate { discharge_destination: Some(DischargeDestination::Home), ..Default::default() };
        assert!(update(&folded, later, now).is_ok());
        let same = EpisodeUpdate { extensive_long_term_services: Some(true), ..Default::default() };
        assert_eq!(update(&folded, same, now), Err(DomainError::NothingChanged));
    }

    #[test]
    fn an_estimated_date_is_known_from_the_change_that_set_it() {
        let mut r = registration(WardType::Somatic);
        r.expected_discharge = Some(jiff::civil::date(2026, 11, 25));
        let e = episode(r);
        assert_eq!(e.facts.estimated_discharge_known_at, Some(t("2026-11-23T10:00:00Z")));
        assert_eq!(episode(registration(WardType::Somatic)).facts.estimated_discharge_known_at, None);
    }

    #[test]
    fn entry_rules() {
        let e = episode(registration(WardType::Somatic));
        let now = t("2026-11-23T10:00:00Z");
        let draft = || EntryDraft {
            at: t("2026-11-23T09:00:00Z"),
            counterpart_name: "Handläggare".into(),
            counterpart_role: String::new(),
            counterpart_org: org("kommun"),
            direction: Direction::Given,
            channel: Channel::Phone,
            messages: [M::Admission].into_iter().collect(),
            comment: String::new(),
        };
        assert!(validate_entry(draft(), &e, now).is_ok());
        let cases: Vec<(EntryDraft, Field)> = vec![
            (EntryDraft { at: t("2026-11-23T11:00:00Z"), ..draft() }, Field::CallAt),
            (EntryDraft { at: t("2026-11-21T09:00:00Z"), ..draft() }, Field::CallAt),
            (EntryDraft { counterpart_name: "  ".into(), ..draft() }, Field::CounterpartName),
            (EntryDraft { messages: BTreeSet::new(), ..draft() }, Field::Messages),
            (EntryDraft { comment: "x".repeat(COMMENT_MAX_CHARS + 1), ..draft() }, Field::Comment),
        ];
        for (d, field) in cases {
            assert_eq!(validate_entry(d, &e, now).unwrap_err().field(), Some(field));
        }
    }

    #[test]
    fn the_call_form_offers_today_and_the_outage_days() {
        let facts = episode(registration(WardType::Somatic)).facts; // admitted 2026-11-23 09:00
        let now = t("2026-11-25T10:00:00Z");
        let d = |day| jiff::civil::date(2026, 11, day);
        assert_eq!(call_dates(&facts, &[], now), vec![d(25)]);
        // An outage from the 20th to the 24th: only from the day before admission.
        let outage = (t("2026-11-20T06:00:00Z"), Some(t("2026-11-24T08:00:00Z")));
        assert_eq!(call_dates(&facts, &[outage], now), vec![d(25), d(24), d(23), d(22)]);
        // An ongoing one runs to today.
        let ongoing = (t("2026-11-23T20:00:00Z"), None);
        assert_eq!(call_dates(&facts, &[ongoing], now), vec![d(25), d(24), d(23)]);
    }

    #[test]
    fn a_paper_signer_needs_name_and_title() {
        assert_eq!(
            check_paper_signer(" Eva Ek ", " ssk "),
            Ok(PaperSigner { name: "Eva Ek".into(), title: "ssk".into() })
        );
        assert_eq!(check_paper_signer("", "ssk").unwrap_err().field(), Some(Field::PaperSignerName));
        assert_eq!(check_paper_signer("Eva Ek", "  ").unwrap_err().field(), Some(Field::PaperSignerTitle));
        let long = "x".repeat(PAPER_SIGNER_MAX_CHARS + 1);
        assert_eq!(check_paper_signer(&long, "ssk").unwrap_err().field(), Some(Field::PaperSignerName));
    }

    #[test]
    fn chain_of_care() {
        let somatic = episode(registration(WardType::Somatic)).facts;
        for member in ["avd", "kommun", "hc"] {
            assert!(in_chain_of_care(&somatic, &org(member)), "{member}");
        }
        assert!(!in_chain_of_care(&somatic, &org("annan-kommun")));
        let mut with_psych = somatic.clone();
        with_psych.outpatient_psychiatry = Some(org("psyk"));
        assert!(!in_chain_of_care(&with_psych, &org("psyk")), "only on a psychiatric ward");
        with_psych.ward_type = WardType::Psychiatric;
        assert!(in_chain_of_care(&with_psych, &org("psyk")));
    }
}
