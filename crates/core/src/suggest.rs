//! What a form may suggest about a patient, and nothing it may not. A
//! default that can be wrong about a patient is worse than none: the call
//! form suggests only what this patient's own record says — the counterpart
//! of the viewer's organisation's last call about this patient, else the
//! other party of the oldest open gap the viewer's organisation takes part
//! in — and otherwise leaves the choice empty and required.

use serde::Serialize;

use crate::episode::LogEntry;
use crate::handover::{EpisodeFacts, Gap};
use crate::ids::{EntryId, OrgId};

/// A suggested counterpart for the next call about one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub org: OrgId,
    /// Empty when the suggestion comes from a gap (no person is known).
    pub name: String,
    pub role: String,
}

/// The counterpart to suggest for the next call that `viewer` logs about
/// the patient of `facts`, from this patient's log and open gaps only.
pub fn suggested_counterpart(
    facts: &EpisodeFacts,
    log: &[LogEntry],
    gaps: &[Gap],
    viewer: &OrgId,
) -> Option<Suggestion> {
    let superseded: std::collections::HashSet<EntryId> = log.iter().filter_map(|e| e.supersedes).collect();
    let last = log
        .iter()
        .filter(|e| &e.author_org == viewer && !superseded.contains(&e.id))
        .max_by_key(|e| (e.at, e.recorded_at, e.id));
    if let Some(e) = last {
        return Some(Suggestion {
            org: e.counterpart_org.clone(),
            name: e.counterpart_name.clone(),
            role: e.counterpart_role.clone(),
        });
    }
    let mut open: Vec<&Gap> = gaps.iter().collect();
    open.sort_by_key(|g| g.due_since);
    open.into_iter().find_map(|g| {
        let (from, to) = (facts.org_of(g.from)?, facts.org_of(g.to)?);
        let other = if from == viewer {
            to
        } else if to == viewer {
            from
        } else {
            return None;
        };
        (other != viewer).then(|| Suggestion { org: other.clone(), name: String::new(), role: String::new() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::episode::Channel;
    use crate::handover::Direction;
    use crate::handover::{LIFECARE_001, MessageType, gaps};
    use crate::ids::{EpisodeId, UserId};
    use crate::org::WardType;
    use jiff::Timestamp;
    use uuid::Uuid;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn t(h: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + h * 3600).unwrap()
    }

    fn facts(municipality: &str) -> EpisodeFacts {
        EpisodeFacts {
            ward: org("avd"),
            ward_type: WardType::Somatic,
            municipality: org(municipality),
            primary_care: org("hc"),
            outpatient_psychiatry: None,
            admitted_at: t(0),
            estimated_discharge_known_at: None,
            ready_for_discharge_at: None,
            discharged_at: None,
        }
    }

    fn entry(n: u128, by: &str, to: &str, name: &str, at: i64, supersedes: Option<u128>) -> LogEntry {
        LogEntry {
            id: EntryId(Uuid::from_u128(n)),
            episode_id: EpisodeId(Uuid::from_u128(1000)),
            at: t(at),
            recorded_at: t(at),
            author_id: UserId(Uuid::from_u128(2000)),
            author_name: "Sjuksköterska".into(),
            author_org: org(by),
            counterpart_name: name.into(),
            counterpart_role: "handläggare".into(),
            counterpart_org: org(to),
            direction: Direction::Given,
            channel: Channel::Phone,
            messages: [MessageType::Admission].into_iter().collect(),
            comment: String::new(),
            supersedes: supersedes.map(|s| EntryId(Uuid::from_u128(s))),
            outages: Vec::new(),
            node: "n".into(),
            paper_signer: None,
        }
    }

    fn open_gaps(f: &EpisodeFacts, log: &[LogEntry]) -> Vec<Gap> {
        let contacts: Vec<_> = log.iter().map(LogEntry::contact).collect();
        gaps(&LIFECARE_001, f, &contacts)
    }

    #[test]
    fn the_last_call_the_viewer_logged_about_this_patient_is_remembered() {
        let f = facts("kommun-timra");
        let log = [entry(1, "avd", "hc", "Anna", 1, None), entry(2, "avd", "kommun-timra", "Bo", 2, None)];
        let s = suggested_counterpart(&f, &log, &open_gaps(&f, &log), &org("avd")).unwrap();
        assert_eq!((s.org, s.name.as_str()), (org("kommun-timra"), "Bo"));
    }

    #[test]
    fn a_corrected_call_and_other_organisations_calls_are_not_remembered() {
        let f = facts("kommun-timra");
        let log = [
            entry(1, "avd", "hc", "Anna", 1, None),
            entry(2, "avd", "kommun-timra", "Fel", 2, None),
            entry(3, "kommun-timra", "avd", "Avdelningen", 3, None),
            entry(4, "avd", "hc", "Anna rättad", 2, Some(2)),
        ];
        let s = suggested_counterpart(&f, &log, &open_gaps(&f, &log), &org("avd")).unwrap();
        assert_eq!((s.org, s.name.as_str()), (org("hc"), "Anna rättad"));
    }

    #[test]
    fn without_a_call_the_other_party_of_the_oldest_open_gap_is_suggested_with_no_person() {
        let f = facts("kommun-timra");
        let g = open_gaps(&f, &[]);
        assert!(!g.is_empty(), "a new episode has open gaps");
        let s = suggested_counterpart(&f, &[], &g, &org("avd")).unwrap();
        assert!([org("kommun-timra"), org("hc")].contains(&s.org), "{s:?}");
        assert_eq!((s.name.as_str(), s.role.as_str()), ("", ""));
    }

    #[test]
    fn another_patients_municipality_is_never_suggested() {
        // Two patients of two municipalities, one after the other: each
        // form suggests only its own patient's parties.
        let timra = facts("kommun-timra");
        let sundsvall = facts("kommun-sundsvall");
        let log_timra = [entry(1, "avd", "kommun-timra", "Handläggare Timrå", 1, None)];
        let s = suggested_counterpart(&timra, &log_timra, &open_gaps(&timra, &log_timra), &org("avd")).unwrap();
        assert_eq!(s.org, org("kommun-timra"));
        let s = suggested_counterpart(&sundsvall, &[], &open_gaps(&sundsvall, &[]), &org("avd"));
        assert!(s.as_ref().is_none_or(|s| s.org != org("kommun-timra") && s.name.is_empty()), "{s:?}");
    }

    #[test]
    fn an_organisation_outside_every_gap_gets_no_suggestion() {
        let f = facts("kommun-timra");
        assert_eq!(suggested_counterpart(&f, &[], &open_gaps(&f, &[]), &org("psyk")), None);
    }
}
