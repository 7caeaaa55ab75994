//! The handover log's rules: who must be told what during an outage of a
//! coordinated-discharge system, and who has not been told yet. The
//! requirements are data ([`Routine`]), one row per sentence of the seed
//! routine they restate (000 for PRATOR, 001 for Lifecare SP); the gaps are
//! derived from an episode's facts and its log entries, independently of the
//! order the entries arrive in. Corrections supersede entries; both stay, but
//! only the newest version counts.

use std::collections::{BTreeSet, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{EntryId, OrgId};
use crate::org::WardType;

/// The parties of the chain of care around one episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Party {
    /// The inpatient ward (slutenvården).
    Ward,
    /// The patient's home municipality (its needs assessor, "en väg in").
    Municipality,
    /// The patient's primary-care centre (fast vårdkontakt).
    PrimaryCare,
    /// Outpatient psychiatry, for patients on a psychiatric ward.
    OutpatientPsychiatry,
}

impl Party {
    pub const ALL: [Party; 4] = [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];

    /// The party's name as the API and data files spell it.
    pub fn key(self) -> &'static str {
        match self {
            Party::Ward => "ward",
            Party::Municipality => "municipality",
            Party::PrimaryCare => "primary_care",
            Party::OutpatientPsychiatry => "outpatient_psychiatry",
        }
    }

    pub fn parse(s: &str) -> Option<Party> {
        Party::ALL.into_iter().find(|p| p.key() == s)
    }
}

/// The messages of coordinated discharge that a call can carry (glossary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MessageType {
    Admission,
    EstimatedDischargeDate,
    PlanningInformation,
    DischargeReport,
    ReadyForDischarge,
    CurrentServices,
    MunicipalityReady,
    DesignatedCareContact,
    SipNeed,
    SipInitiative,
    SipInvitation,
    SipMeetingHeld,
    SipPlan,
    DischargeNotice,
    PatientInformation,
    Other,
}

impl MessageType {
    pub const ALL: [MessageType; 16] = [
        MessageType::Admission,
        MessageType::EstimatedDischargeDate,
        MessageType::PlanningInformation,
        MessageType::DischargeReport,
        MessageType::ReadyForDischarge,
        MessageType::CurrentServices,
        MessageType::MunicipalityReady,
        MessageType::DesignatedCareContact,
        MessageType::SipNeed,
        MessageType::SipInitiative,
        MessageType::SipInvitation,
        MessageType::SipMeetingHeld,
        MessageType::SipPlan,
        MessageType::DischargeNotice,
        MessageType::PatientInformation,
        MessageType::Other,
    ];

    /// The message's number on the paper downtime form (1–16, in the
    /// order of [`MessageType::ALL`]), so a line is transcribed by number.
    pub fn number(self) -> u8 {
        MessageType::ALL.iter().position(|m| *m == self).map_or(0, |i| i as u8 + 1)
    }

    /// The message with this number on the paper form.
    pub fn from_number(n: u8) -> Option<MessageType> {
        MessageType::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// Parses the numbers typed from a paper form: `1 4 7`, `1,4,7` or
    /// `1, 4 7`. An unknown number is an error naming it; nothing typed is an
    /// empty set.
    pub fn parse_numbers(input: &str) -> Result<BTreeSet<MessageType>, crate::error::DomainError> {
        input
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<u8>().ok().and_then(MessageType::from_number).ok_or_else(|| {
                    crate::error::DomainError::UnknownValue {
                        field: crate::error::Field::Messages,
                        value: p.chars().take(12).collect(),
                    }
                })
            })
            .collect()
    }

    /// The message's name as the API spells it.
    pub fn key(self) -> &'static str {
        match self {
            MessageType::Admission => "admission",
            MessageType::EstimatedDischargeDate => "estimated_discharge_date",
            MessageType::PlanningInformation => "planning_information",
            MessageType::DischargeReport => "discharge_report",
            MessageType::ReadyForDischarge => "ready_for_discharge",
            MessageType::CurrentServices => "current_services",
            MessageType::MunicipalityReady => "municipality_ready",
            MessageType::DesignatedCareContact => "designated_care_contact",
            MessageType::SipNeed => "sip_need",
            MessageType::SipInitiative => "sip_initiative",
            MessageType::SipInvitation => "sip_invitation",
            MessageType::SipMeetingHeld => "sip_meeting_held",
            MessageType::SipPlan => "sip_plan",
            MessageType::DischargeNotice => "discharge_notice",
            MessageType::PatientInformation => "patient_information",
            MessageType::Other => "other",
        }
    }
}

/// Whether the logging party gave or received the information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    Given,
    Received,
}

/// The facts of one care episode that the rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeFacts {
    pub ward: OrgId,
    pub ward_type: WardType,
    pub municipality: OrgId,
    pub primary_care: OrgId,
    /// Named only for patients on a psychiatric ward.
    pub outpatient_psychiatry: Option<OrgId>,
    pub admitted_at: Timestamp,
    /// When an estimated discharge date was first known.
    pub estimated_discharge_known_at: Option<Timestamp>,
    pub ready_for_discharge_at: Option<Timestamp>,
    pub discharged_at: Option<Timestamp>,
}

impl EpisodeFacts {
    /// The organisation playing `party` in this episode, if any.
    pub fn org_of(&self, party: Party) -> Option<&OrgId> {
        match party {
            Party::Ward => Some(&self.ward),
            Party::Municipality => Some(&self.municipality),
            Party::PrimaryCare => Some(&self.primary_care),
            Party::OutpatientPsychiatry => match self.ward_type {
                WardType::Psychiatric => self.outpatient_psychiatry.as_ref(),
                WardType::Somatic => None,
            },
        }
    }

    /// The parties present in this episode.
    pub fn parties(&self) -> Vec<Party> {
        [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry]
            .into_iter()
            .filter(|p| self.org_of(*p).is_some())
            .collect()
    }
}

/// One logged contact, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: EntryId,
    /// A correction names the entry it replaces.
    pub supersedes: Option<EntryId>,
    pub at: Timestamp,
    /// The organisation of the person who logged it.
    pub logged_by: OrgId,
    /// The organisation spoken with.
    pub counterpart: OrgId,
    pub direction: Direction,
    pub messages: BTreeSet<MessageType>,
}

/// When a requirement falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// From admission.
    Admitted,
    /// From when an estimated discharge date is known.
    EstimatedDischargeKnown,
    /// From ready for discharge.
    ReadyForDischarge,
    /// From the actual discharge.
    Discharged,
    /// From the first contact that mentions a need for a SIP.
    SipNeedMentioned,
}

/// One row of a routine: `from` must tell `to` each of `messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Stable id, e.g. `001-ward-admission`.
    pub id: &'static str,
    pub from: Party,
    pub to: &'static [Party],
    pub messages: &'static [MessageType],
    pub trigger: Trigger,
    /// Must be confirmed before the patient leaves hospital.
    pub before_discharge: bool,
    /// The seed file and the sentence this row restates.
    pub source: &'static str,
}

/// A downtime routine's handover rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routine {
    pub id: &'static str,
    pub name: &'static str,
    pub requirements: &'static [Requirement],
}

const INFORMED: &[Party] = &[Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];

/// Seed 000: Region Västerbotten's routine for PRATOR (2023-04-03).
pub static PRATOR_000: Routine = Routine {
    id: "prator-000",
    name: "Rutin vid driftstopp i PRATOR (Region Västerbotten, 2023-04-03)",
    requirements: &[
        Requirement {
            id: "000-ward-admission",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::Admission],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "000, Slutenvårdens ansvar: ”Delger kommun och öppenvård/primärvård inskrivning …” och ”ring både kommun och hälsocentral (psykiatrisk öppenvård om patienten är inskriven på psykiatrisk avdelning)”.",
        },
        Requirement {
            id: "000-ward-provisionally-ready",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::EstimatedDischargeDate],
            trigger: Trigger::EstimatedDischargeKnown,
            before_discharge: true,
            source: "000, Slutenvårdens ansvar: ”… och preliminärt utskrivningsklar …”.",
        },
        Requirement {
            id: "000-ward-discharge-report",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::DischargeReport, MessageType::ReadyForDischarge],
            trigger: Trigger::ReadyForDischarge,
            before_discharge: true,
            source: "000, Slutenvårdens ansvar: ”… utskrivningsrapport, utskrivningsklar …”.",
        },
        Requirement {
            id: "000-ward-discharge-notice",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::DischargeNotice],
            trigger: Trigger::Discharged,
            before_discharge: false,
            source: "000, Slutenvårdens ansvar: ”… utskrivningsmeddelande.”",
        },
        Requirement {
            id: "000-municipality-answers-admission",
            from: Party::Municipality,
            to: &[Party::Ward],
            messages: &[MessageType::CurrentServices],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "000, Kommunens ansvar: ”Svarar på inskrivning med aktuella insatser.”",
        },
        Requirement {
            id: "000-municipality-ready",
            from: Party::Municipality,
            to: &[Party::Ward, Party::PrimaryCare],
            messages: &[MessageType::MunicipalityReady],
            trigger: Trigger::ReadyForDischarge,
            before_discharge: true,
            source: "000, Kommunens ansvar: ”Kommunklar meddelas till slutenvård och öppenvård/primärvård.”",
        },
        Requirement {
            id: "000-primary-care-answers-admission",
            from: Party::PrimaryCare,
            to: &[Party::Ward],
            messages: &[MessageType::DesignatedCareContact, MessageType::CurrentServices],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "000, Öppenvårdens ansvar: ”Svarar på inskrivning, anger fast vårdkontakt samt aktuella insatser.”",
        },
        Requirement {
            id: "000-primary-care-sip",
            from: Party::PrimaryCare,
            to: &[Party::Municipality],
            messages: &[MessageType::SipInitiative, MessageType::SipInvitation],
            trigger: Trigger::SipNeedMentioned,
            before_discharge: false,
            source: "000, Öppenvårdens ansvar: ”Initiativ och kallelse till SIP meddelas till kommunen.”",
        },
    ],
};

/// Seed 001: Region Västernorrland's routine for Lifecare SP (2025-10-02, v1.0).
pub static LIFECARE_001: Routine = Routine {
    id: "lifecare-sp-001",
    name: "Avbrottsrutin Lifecare SP (Region Västernorrland, 2025-10-02, v1.0, ej beslutad)",
    requirements: &[
        Requirement {
            id: "001-ward-admission",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::Admission],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "001, Slutenvårdens ansvar: ”Kontakta samtliga berörda parter i vårdkedjan” (kommunen, primärvården, psykiatrisk öppenvård vid behov) och ”Säkerställa att följande information överförs muntligt: Inskrivning …”.",
        },
        Requirement {
            id: "001-ward-estimated-discharge",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::EstimatedDischargeDate],
            trigger: Trigger::EstimatedDischargeKnown,
            before_discharge: true,
            source: "001, Slutenvårdens ansvar: ”… Beräknat utskrivningsdatum …”.",
        },
        Requirement {
            id: "001-ward-planning-information",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::PlanningInformation],
            trigger: Trigger::ReadyForDischarge,
            before_discharge: true,
            source: "001, Slutenvårdens ansvar: ”… Planeringsunderlag …”.",
        },
        Requirement {
            id: "001-ward-discharge",
            from: Party::Ward,
            to: INFORMED,
            messages: &[MessageType::DischargeNotice],
            trigger: Trigger::Discharged,
            before_discharge: false,
            source: "001, Slutenvårdens ansvar: ”… Faktiskt utskrivningsdatum, Utskrivningsmeddelande”.",
        },
        Requirement {
            id: "001-municipality-answers-admission",
            from: Party::Municipality,
            to: &[Party::Ward],
            messages: &[MessageType::CurrentServices],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "001, Kommunens ansvar: ”Svara på inskrivningar från slutenvården genom att meddela aktuella insatser.”",
        },
        Requirement {
            id: "001-municipality-ready",
            from: Party::Municipality,
            to: &[Party::Ward],
            messages: &[MessageType::MunicipalityReady],
            trigger: Trigger::ReadyForDischarge,
            before_discharge: true,
            source: "001, Kommunens ansvar: ”Återkoppla till slutenvården när kommunen kan ta emot patienten.”",
        },
        Requirement {
            id: "001-primary-care-answers-admission",
            from: Party::PrimaryCare,
            to: &[Party::Ward],
            messages: &[MessageType::DesignatedCareContact, MessageType::CurrentServices],
            trigger: Trigger::Admitted,
            before_discharge: true,
            source: "001, Öppenvårdens/Primärvårdens ansvar: ”Svara på inskrivningsmeddelanden från slutenvården.” och ”Ange fast vårdkontakt och aktuella insatser.”",
        },
        Requirement {
            id: "001-primary-care-sip-need",
            from: Party::PrimaryCare,
            to: &[Party::Municipality],
            messages: &[MessageType::SipNeed],
            trigger: Trigger::SipNeedMentioned,
            before_discharge: false,
            source: "001, Öppenvårdens/Primärvårdens ansvar: ”Meddela kommunen om behov av samordnad individuell plan (SIP), inklusive vem som kallar.”",
        },
    ],
};

/// The routine for a system of the catalogue, if it has handover rules.
pub fn routine_for_system(system: &str) -> Option<&'static Routine> {
    match system {
        "prator" => Some(&PRATOR_000),
        "lifecare-sp" => Some(&LIFECARE_001),
        _ => None,
    }
}

/// Information that has not reached a party yet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    /// When it fell due; the ward view lists the oldest first.
    pub due_since: Timestamp,
    pub requirement: &'static str,
    pub from: Party,
    pub to: Party,
    pub message: MessageType,
    /// Must be confirmed before discharge (seed 001: "Utskrivning från sjukhus
    /// får inte ske utan att det är säkerställt att mottagande enhet har tagit
    /// emot informationen").
    pub before_discharge: bool,
    pub source: &'static str,
}

/// The entries that count: every entry that no other entry supersedes.
pub fn effective(contacts: &[Contact]) -> Vec<&Contact> {
    let superseded: HashSet<EntryId> = contacts.iter().filter_map(|c| c.supersedes).collect();
    contacts.iter().filter(|c| !superseded.contains(&c.id)).collect()
}

/// Whether the log shows that `from` told `to` about `message`: either side
/// may have logged the call.
fn delivered(contacts: &[&Contact], from: &OrgId, to: &OrgId, message: MessageType) -> bool {
    contacts.iter().any(|c| {
        c.messages.contains(&message)
            && match c.direction {
                Direction::Given => &c.logged_by == from && &c.counterpart == to,
                Direction::Received => &c.logged_by == to && &c.counterpart == from,
            }
    })
}

fn trigger_time(t: Trigger, e: &EpisodeFacts, contacts: &[&Contact]) -> Option<Timestamp> {
    match t {
        Trigger::Admitted => Some(e.admitted_at),
        Trigger::EstimatedDischargeKnown => e.estimated_discharge_known_at,
        Trigger::ReadyForDischarge => e.ready_for_discharge_at,
        Trigger::Discharged => e.discharged_at,
        Trigger::SipNeedMentioned => {
            contacts.iter().filter(|c| c.messages.contains(&MessageType::SipNeed)).map(|c| c.at).min()
        }
    }
}

/// Everything that must have been told by now and has not, oldest first.
pub fn gaps(routine: &Routine, episode: &EpisodeFacts, contacts: &[Contact]) -> Vec<Gap> {
    let live = effective(contacts);
    let mut out = Vec::new();
    for r in routine.requirements {
        let Some(due) = trigger_time(r.trigger, episode, &live) else {
            continue;
        };
        let Some(from) = episode.org_of(r.from) else {
            continue;
        };
        for to_party in r.to {
            let Some(to) = episode.org_of(*to_party) else {
                continue;
            };
            for m in r.messages {
                if !delivered(&live, from, to, *m) {
                    out.push(Gap {
                        due_since: due,
                        requirement: r.id,
                        from: r.from,
                        to: *to_party,
                        message: *m,
                        before_discharge: r.before_discharge,
                        source: r.source,
                    });
                }
            }
        }
    }
    out.sort();
    out
}

/// The gaps that make a recorded discharge unsafe: every piece of information
/// due before discharge that is still missing, in either direction. 001:
/// "Utskrivning från sjukhus får inte ske utan att det är säkerställt att
/// mottagande enhet har tagit emot informationen." The ward's own message not
/// given is one half; the other is the receiving unit's answer (current
/// services, designated care contact, "ready" from the municipality), which
/// is how the ward knows the information was received: a receiver that was
/// told but never answered is not "säkerställt". So the warning is exactly
/// the ward page's gaps marked before discharge, owed and awaited alike.
/// Flagged, never blocked: the person on the phone decides.
pub fn discharge_warnings(routine: &Routine, episode: &EpisodeFacts, contacts: &[Contact]) -> Vec<Gap> {
    if episode.discharged_at.is_none() {
        return Vec::new();
    }
    gaps(routine, episode, contacts).into_iter().filter(|g| g.before_discharge).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_numbers_follow_the_paper_form() {
        use super::MessageType as M;
        assert_eq!(M::Admission.number(), 1);
        assert_eq!(M::Other.number(), 16);
        for m in M::ALL {
            assert_eq!(M::from_number(m.number()), Some(m));
        }
        assert_eq!(M::from_number(0), None);
        assert_eq!(M::from_number(17), None);
        let got = M::parse_numbers(" 1 4,7 ").unwrap();
        assert_eq!(got.into_iter().collect::<Vec<_>>(), vec![M::Admission, M::DischargeReport, M::MunicipalityReady]);
        assert!(M::parse_numbers("").unwrap().is_empty());
        assert_eq!(M::parse_numbers("1 17").unwrap_err().code(), "unknown_value");
        assert_eq!(M::parse_numbers("1 x").unwrap_err().field(), Some(crate::error::Field::Messages));
    }

    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn t(h: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + h * 3600).unwrap()
    }

    fn episode(ward_type: WardType) -> EpisodeFacts {
        EpisodeFacts {
            ward: org("avd"),
            ward_type,
            municipality: org("kommun"),
            primary_care: org("hc"),
            outpatient_psychiatry: Some(org("psyk")),
            admitted_at: t(0),
            estimated_discharge_known_at: None,
            ready_for_discharge_at: None,
            discharged_at: None,
        }
    }

    fn call(n: u128, by: &str, to: &str, dir: Direction, at: i64, msgs: &[MessageType]) -> Contact {
        Contact {
            id: EntryId(Uuid::from_u128(n)),
            supersedes: None,
            at: t(at),
            logged_by: org(by),
            counterpart: org(to),
            direction: dir,
            messages: msgs.iter().copied().collect(),
        }
    }

    fn open(routine: &Routine, e: &EpisodeFacts, c: &[Contact]) -> Vec<(Party, Party, MessageType)> {
        gaps(routine, e, c).into_iter().map(|g| (g.from, g.to, g.message)).collect()
    }

    use Direction::{Given, Received};
    use MessageType as M;
    use Party as P;

    #[test]
    fn ward_must_call_both_municipality_and_primary_care_000() {
        // 000: "ring både kommun och hälsocentral".
        let e = episode(WardType::Somatic);
        let g = open(&PRATOR_000, &e, &[]);
        assert!(g.contains(&(P::Ward, P::Municipality, M::Admission)));
        assert!(g.contains(&(P::Ward, P::PrimaryCare, M::Admission)));
        assert!(!g.iter().any(|x| x.1 == P::OutpatientPsychiatry), "somatic ward: no outpatient psychiatry");
        let told_municipality = [call(1, "avd", "kommun", Given, 1, &[M::Admission])];
        let g = open(&PRATOR_000, &e, &told_municipality);
        assert!(!g.contains(&(P::Ward, P::Municipality, M::Admission)));
        assert!(g.contains(&(P::Ward, P::PrimaryCare, M::Admission)), "calling one party is not enough");
    }

    #[test]
    fn psychiatric_ward_also_calls_outpatient_psychiatry_000_001() {
        // 000: "(psykiatrisk öppenvård om patienten är inskriven på psykiatrisk avdelning)";
        // 001: "Psykiatrisk öppenvård vid behov".
        let e = episode(WardType::Psychiatric);
        for r in [&PRATOR_000, &LIFECARE_001] {
            assert!(open(r, &e, &[]).contains(&(P::Ward, P::OutpatientPsychiatry, M::Admission)), "{}", r.id);
        }
        let mut no_named = e.clone();
        no_named.outpatient_psychiatry = None;
        assert!(!open(&LIFECARE_001, &no_named, &[]).iter().any(|x| x.1 == P::OutpatientPsychiatry));
    }

    #[test]
    fn either_side_may_log_the_call() {
        // 000/001: the form notes what was given ("lämnats") or received ("mottagits").
        let e = episode(WardType::Somatic);
        let received = [call(1, "kommun", "avd", Received, 1, &[M::Admission])];
        assert!(!open(&LIFECARE_001, &e, &received).contains(&(P::Ward, P::Municipality, M::Admission)));
        // A call logged with the wrong direction does not count for this requirement.
        let wrong = [call(1, "kommun", "avd", Given, 1, &[M::Admission])];
        assert!(open(&LIFECARE_001, &e, &wrong).contains(&(P::Ward, P::Municipality, M::Admission)));
    }

    #[test]
    fn municipality_answers_admission_with_current_services() {
        // 000: "Svarar på inskrivning med aktuella insatser"; 001: "Svara på inskrivningar … aktuella insatser".
        let e = episode(WardType::Somatic);
        for r in [&PRATOR_000, &LIFECARE_001] {
            assert!(open(r, &e, &[]).contains(&(P::Municipality, P::Ward, M::CurrentServices)));
            let answered = [call(1, "avd", "kommun", Received, 2, &[M::CurrentServices])];
            assert!(!open(r, &e, &answered).contains(&(P::Municipality, P::Ward, M::CurrentServices)));
        }
    }

    #[test]
    fn municipality_ready_goes_to_ward_and_primary_care_in_000_to_ward_in_001() {
        // 000: "Kommunklar meddelas till slutenvård och öppenvård/primärvård."
        // 001: "Återkoppla till slutenvården när kommunen kan ta emot patienten."
        let mut e = episode(WardType::Somatic);
        assert!(!open(&PRATOR_000, &e, &[]).iter().any(|x| x.2 == M::MunicipalityReady), "not due before ready");
        e.ready_for_discharge_at = Some(t(5));
        let g000 = open(&PRATOR_000, &e, &[]);
        assert!(g000.contains(&(P::Municipality, P::Ward, M::MunicipalityReady)));
        assert!(g000.contains(&(P::Municipality, P::PrimaryCare, M::MunicipalityReady)));
        let g001 = open(&LIFECARE_001, &e, &[]);
        assert!(g001.contains(&(P::Municipality, P::Ward, M::MunicipalityReady)));
        assert!(!g001.contains(&(P::Municipality, P::PrimaryCare, M::MunicipalityReady)));
    }

    #[test]
    fn primary_care_answers_with_designated_care_contact() {
        // 000: "Svarar på inskrivning, anger fast vårdkontakt samt aktuella insatser."
        // 001: "Ange fast vårdkontakt och aktuella insatser."
        let e = episode(WardType::Somatic);
        for r in [&PRATOR_000, &LIFECARE_001] {
            let g = open(r, &e, &[]);
            assert!(g.contains(&(P::PrimaryCare, P::Ward, M::DesignatedCareContact)));
            assert!(g.contains(&(P::PrimaryCare, P::Ward, M::CurrentServices)));
            let one_call = [call(1, "hc", "avd", Given, 1, &[M::DesignatedCareContact, M::CurrentServices])];
            assert!(!open(r, &e, &one_call).iter().any(|x| x.0 == P::PrimaryCare));
        }
    }

    #[test]
    fn sip_is_raised_with_the_municipality_once_a_need_is_known() {
        // 000: "Initiativ och kallelse till SIP meddelas till kommunen."
        // 001: "Meddela kommunen om behov av samordnad individuell plan (SIP)".
        let e = episode(WardType::Somatic);
        assert!(!open(&PRATOR_000, &e, &[]).iter().any(|x| x.1 == P::Municipality && x.0 == P::PrimaryCare));
        let need = [call(1, "avd", "hc", Given, 1, &[M::SipNeed])];
        let g = open(&PRATOR_000, &e, &need);
        assert!(g.contains(&(P::PrimaryCare, P::Municipality, M::SipInitiative)));
        assert!(g.contains(&(P::PrimaryCare, P::Municipality, M::SipInvitation)));
        assert!(open(&LIFECARE_001, &e, &need).contains(&(P::PrimaryCare, P::Municipality, M::SipNeed)));
    }

    #[test]
    fn messages_fall_due_with_the_episode_000_001() {
        // 000: "… preliminärt utskrivningsklar, utskrivningsrapport, utskrivningsklar, utskrivningsmeddelande";
        // 001: "Beräknat utskrivningsdatum, Planeringsunderlag, Faktiskt utskrivningsdatum, Utskrivningsmeddelande".
        let mut e = episode(WardType::Somatic);
        let only_admission = |r: &Routine, e: &EpisodeFacts| {
            open(r, e, &[]).iter().filter(|x| x.0 == P::Ward).all(|x| x.2 == M::Admission)
        };
        assert!(only_admission(&PRATOR_000, &e) && only_admission(&LIFECARE_001, &e));
        e.estimated_discharge_known_at = Some(t(2));
        assert!(open(&PRATOR_000, &e, &[]).contains(&(P::Ward, P::Municipality, M::EstimatedDischargeDate)));
        e.ready_for_discharge_at = Some(t(3));
        assert!(open(&PRATOR_000, &e, &[]).contains(&(P::Ward, P::PrimaryCare, M::DischargeReport)));
        assert!(open(&PRATOR_000, &e, &[]).contains(&(P::Ward, P::PrimaryCare, M::ReadyForDischarge)));
        assert!(open(&LIFECARE_001, &e, &[]).contains(&(P::Ward, P::Municipality, M::PlanningInformation)));
        e.discharged_at = Some(t(4));
        for r in [&PRATOR_000, &LIFECARE_001] {
            assert!(open(r, &e, &[]).contains(&(P::Ward, P::Municipality, M::DischargeNotice)));
        }
    }

    #[test]
    fn discharge_with_unconfirmed_information_is_flagged() {
        // 001: "Utskrivning från sjukhus får inte ske utan att det är säkerställt att
        // mottagande enhet har tagit emot informationen."
        let mut e = episode(WardType::Somatic);
        e.ready_for_discharge_at = Some(t(3));
        assert!(discharge_warnings(&LIFECARE_001, &e, &[]).is_empty(), "nothing to flag before discharge");
        e.discharged_at = Some(t(4));
        let w = discharge_warnings(&LIFECARE_001, &e, &[]);
        assert!(w.iter().any(|g| g.to == P::PrimaryCare && g.message == M::PlanningInformation));
        assert!(w.iter().all(|g| g.message != M::DischargeNotice), "the discharge notice itself comes after");
        let mut log: Vec<Contact> = [("kommun", 1), ("hc", 2)]
            .iter()
            .map(|(to, n)| call(*n, "avd", to, Given, 3, &[M::Admission, M::PlanningInformation]))
            .collect();
        // Told is not received: until the receivers answer, the discharge is not "säkerställt".
        let w = discharge_warnings(&LIFECARE_001, &e, &log);
        assert!(w.iter().all(|g| g.to == P::Ward), "the ward told everyone; what is left is the answers");
        assert!(w.iter().any(|g| g.from == P::Municipality && g.message == M::CurrentServices));
        assert!(w.iter().any(|g| g.from == P::Municipality && g.message == M::MunicipalityReady));
        assert!(w.iter().any(|g| g.from == P::PrimaryCare && g.message == M::DesignatedCareContact));
        log.push(call(3, "avd", "kommun", Received, 3, &[M::CurrentServices, M::MunicipalityReady]));
        log.push(call(4, "avd", "hc", Received, 3, &[M::DesignatedCareContact, M::CurrentServices]));
        assert!(discharge_warnings(&LIFECARE_001, &e, &log).is_empty());
    }

    #[test]
    fn the_discharge_warning_is_the_ward_gaps_due_before_discharge() {
        // The warning, the ward's gaps and the rule table agree: every gap marked
        // before discharge warns once the patient is discharged, whichever way it runs.
        let mut e = episode(WardType::Psychiatric);
        e.ready_for_discharge_at = Some(t(3));
        e.discharged_at = Some(t(4));
        for r in [&PRATOR_000, &LIFECARE_001] {
            let told = vec![call(1, "avd", "kommun", Given, 1, &[M::Admission])];
            let expected: Vec<Gap> = gaps(r, &e, &told).into_iter().filter(|g| g.before_discharge).collect();
            assert!(!expected.is_empty());
            assert_eq!(discharge_warnings(r, &e, &told), expected);
        }
    }

    #[test]
    fn a_correction_replaces_the_entry_it_supersedes() {
        let e = episode(WardType::Somatic);
        let wrong = call(1, "avd", "kommun", Given, 1, &[M::Admission]);
        let mut fix = call(2, "avd", "kommun", Given, 2, &[M::EstimatedDischargeDate]);
        fix.supersedes = Some(wrong.id);
        let g = open(&LIFECARE_001, &e, &[wrong.clone(), fix]);
        assert!(g.contains(&(P::Ward, P::Municipality, M::Admission)), "the corrected entry no longer counts");
        assert_eq!(effective(&[wrong]).len(), 1);
    }

    #[test]
    fn gaps_are_listed_oldest_first() {
        let mut e = episode(WardType::Somatic);
        e.ready_for_discharge_at = Some(t(3));
        let g = gaps(&LIFECARE_001, &e, &[]);
        assert!(g.windows(2).all(|w| w[0].due_since <= w[1].due_since));
        assert_eq!(g[0].due_since, t(0));
    }

    fn arb_contact() -> impl Strategy<Value = Contact> {
        let orgs = prop::sample::select(vec!["avd", "kommun", "hc", "psyk", "annan"]);
        (
            0u128..40,
            prop::option::of(0u128..40),
            0i64..48,
            orgs.clone(),
            orgs,
            any::<bool>(),
            prop::collection::btree_set(prop::sample::select(MessageType::ALL.to_vec()), 1..4),
        )
            .prop_map(|(id, sup, at, by, to, given, messages)| Contact {
                id: EntryId(Uuid::from_u128(id + 1)),
                supersedes: sup.map(|s| EntryId(Uuid::from_u128(s + 1))),
                at: t(at),
                logged_by: org(by),
                counterpart: org(to),
                direction: if given { Given } else { Received },
                messages,
            })
    }

    proptest! {
        #[test]
        fn gaps_do_not_depend_on_arrival_order(
            mut contacts in prop::collection::vec(arb_contact(), 0..25),
            seed in any::<u64>(),
            psychiatric in any::<bool>(),
            ready in prop::option::of(1i64..30),
        ) {
            let mut e = episode(if psychiatric { WardType::Psychiatric } else { WardType::Somatic });
            e.ready_for_discharge_at = ready.map(t);
            e.discharged_at = ready.map(|r| t(r + 5));
            // Entry ids are unique in a real log.
            let mut seen = HashSet::new();
            contacts.retain(|c| seen.insert(c.id));
            for routine in [&PRATOR_000, &LIFECARE_001] {
                let before = gaps(routine, &e, &contacts);
                let mut shuffled = contacts.clone();
                let n = shuffled.len();
                if n > 1 {
                    for i in 0..n {
                        let j = ((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64)) % n as u64) as usize;
                        shuffled.swap(i, j);
                    }
                }
                prop_assert_eq!(&before, &gaps(routine, &e, &shuffled));
                prop_assert_eq!(discharge_warnings(routine, &e, &contacts), discharge_warnings(routine, &e, &shuffled));
            }
        }
    }
}
