//! How urgent an open gap is, and whose move it is. A gap is information
//! that one party of the chain of care must give another ([`Gap`]); a person
//! sees the gaps their organisation OWES (it must give the information) and
//! those it AWAITS (someone must give it to them), never the gaps between two
//! other parties. The most urgent come first: a patient who has left
//! hospital with information still missing, then a patient about to leave
//! (ready for discharge, then an expected discharge date known), then the
//! rest; within one level the oldest first.

use serde::Serialize;

use crate::handover::{EpisodeFacts, Gap};
use crate::ids::OrgId;

/// How urgent a gap is, the most urgent first (the order of the variants is
/// the order of the lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// The patient has been discharged and information due before discharge
    /// is missing: the ward's own message, or the receiving unit's answer
    /// that shows it was received (seed 001: "Utskrivning från sjukhus får
    /// inte ske utan att det är säkerställt att mottagande enhet har tagit
    /// emot informationen"; the episode's discharge warning,
    /// `handover::discharge_warnings`).
    DischargedUnconfirmed,
    /// The patient has been discharged and some party still lacks
    /// information (e.g. the discharge notice, a municipality's answer).
    Discharged,
    /// The patient is ready for discharge: leaving soon.
    ReadyForDischarge,
    /// An estimated discharge date is known.
    DischargePlanned,
    /// The patient is in hospital with no discharge in sight yet.
    Admitted,
}

impl Severity {
    /// Whether the gap concerns a patient discharged or about to be.
    pub fn discharge_related(self) -> bool {
        self <= Severity::ReadyForDischarge
    }
}

/// How urgent `gap` of the episode with `facts` is.
pub fn severity(facts: &EpisodeFacts, gap: &Gap) -> Severity {
    if facts.discharged_at.is_some() {
        if gap.before_discharge { Severity::DischargedUnconfirmed } else { Severity::Discharged }
    } else if facts.ready_for_discharge_at.is_some() {
        Severity::ReadyForDischarge
    } else if facts.estimated_discharge_known_at.is_some() {
        Severity::DischargePlanned
    } else {
        Severity::Admitted
    }
}

/// Whose move a gap is, as seen by one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Side {
    /// The viewer's organisation must give the information.
    Owes,
    /// The viewer's organisation waits for it.
    Awaits,
}

/// Whether `viewer` owes or awaits `gap` of the episode with `facts`, and
/// the other organisation (the one to call); `None` when the gap is between
/// two other parties (a municipality does not see primary care ↔ ward).
pub fn side_of<'a>(facts: &'a EpisodeFacts, gap: &Gap, viewer: &OrgId) -> Option<(Side, &'a OrgId)> {
    let (from, to) = (facts.org_of(gap.from)?, facts.org_of(gap.to)?);
    if from == viewer {
        Some((Side::Owes, to))
    } else if to == viewer {
        Some((Side::Awaits, from))
    } else {
        None
    }
}

/// The order of a list of gaps: the most urgent first, then the oldest;
/// `tie` (e.g. the episode id) keeps the order stable.
pub fn order_key<T: Ord>(facts: &EpisodeFacts, gap: &Gap, tie: T) -> (Severity, jiff::Timestamp, T) {
    (severity(facts, gap), gap.due_since, tie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handover::{LIFECARE_001, MessageType, Party, discharge_warnings, gaps};
    use crate::org::WardType;
    use jiff::Timestamp;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn t(h: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + h * 3600).unwrap()
    }

    fn facts() -> EpisodeFacts {
        EpisodeFacts {
            ward: org("avd"),
            ward_type: WardType::Somatic,
            municipality: org("kommun"),
            primary_care: org("hc"),
            outpatient_psychiatry: None,
            admitted_at: t(0),
            estimated_discharge_known_at: None,
            ready_for_discharge_at: None,
            discharged_at: None,
        }
    }

    fn first(f: &EpisodeFacts, message: MessageType) -> Gap {
        gaps(&LIFECARE_001, f, &[]).into_iter().find(|g| g.message == message).unwrap()
    }

    #[test]
    fn discharged_with_information_missing_is_the_most_urgent() {
        let mut f = facts();
        let admitted = severity(&f, &first(&f, MessageType::Admission));
        f.estimated_discharge_known_at = Some(t(1));
        let planned = severity(&f, &first(&f, MessageType::Admission));
        f.ready_for_discharge_at = Some(t(2));
        let ready = severity(&f, &first(&f, MessageType::Admission));
        f.discharged_at = Some(t(3));
        let unconfirmed = severity(&f, &first(&f, MessageType::PlanningInformation));
        let notice = severity(&f, &first(&f, MessageType::DischargeNotice));
        // The municipality's answer is due before discharge too: without it the
        // information is not known to be received, so it warns like the ward's own.
        let answer = severity(&f, &first(&f, MessageType::CurrentServices));
        assert_eq!(answer, Severity::DischargedUnconfirmed);
        // Exactly the episode's discharge warnings are "discharged unconfirmed".
        let all = gaps(&LIFECARE_001, &f, &[]);
        let unconfirmed_gaps: Vec<&Gap> =
            all.iter().filter(|g| severity(&f, g) == Severity::DischargedUnconfirmed).collect();
        assert_eq!(
            unconfirmed_gaps.into_iter().cloned().collect::<Vec<_>>(),
            discharge_warnings(&LIFECARE_001, &f, &[])
        );
        assert_eq!(admitted, Severity::Admitted);
        assert_eq!(planned, Severity::DischargePlanned);
        assert_eq!(ready, Severity::ReadyForDischarge);
        assert_eq!(unconfirmed, Severity::DischargedUnconfirmed);
        assert_eq!(notice, Severity::Discharged);
        let mut all = vec![admitted, notice, ready, planned, unconfirmed];
        all.sort();
        assert_eq!(
            all,
            [
                Severity::DischargedUnconfirmed,
                Severity::Discharged,
                Severity::ReadyForDischarge,
                Severity::DischargePlanned,
                Severity::Admitted
            ]
        );
        assert!(unconfirmed.discharge_related() && notice.discharge_related() && ready.discharge_related());
        assert!(!planned.discharge_related() && !admitted.discharge_related());
    }

    #[test]
    fn the_order_puts_severity_before_age() {
        let old = facts();
        let mut discharged = facts();
        discharged.admitted_at = t(10);
        discharged.discharged_at = Some(t(12));
        let g_old = first(&old, MessageType::Admission);
        let g_new = first(&discharged, MessageType::Admission);
        assert!(g_old.due_since < g_new.due_since, "the admitted patient's gap is older");
        assert!(
            order_key(&discharged, &g_new, 2) < order_key(&old, &g_old, 1),
            "yet the discharged patient comes first"
        );
        // Same severity: the oldest first, then the tie-breaker.
        let mut later = facts();
        later.admitted_at = t(5);
        let g_later = first(&later, MessageType::Admission);
        assert!(order_key(&old, &g_old, 9) < order_key(&later, &g_later, 1));
        assert!(order_key(&old, &g_old, 1) < order_key(&old, &g_old, 2));
    }

    #[test]
    fn a_viewer_owes_awaits_or_does_not_see_a_gap() {
        let f = facts();
        let all = gaps(&crate::handover::PRATOR_000, &f, &[]);
        let ward_to_municipality = all.iter().find(|g| g.from == Party::Ward && g.to == Party::Municipality).unwrap();
        let primary_care_to_ward = all.iter().find(|g| g.from == Party::PrimaryCare && g.to == Party::Ward).unwrap();
        assert_eq!(side_of(&f, ward_to_municipality, &org("avd")), Some((Side::Owes, &org("kommun"))));
        assert_eq!(side_of(&f, ward_to_municipality, &org("kommun")), Some((Side::Awaits, &org("avd"))));
        assert_eq!(side_of(&f, primary_care_to_ward, &org("hc")), Some((Side::Owes, &org("avd"))));
        assert_eq!(
            side_of(&f, primary_care_to_ward, &org("kommun")),
            None,
            "primary care ↔ ward is not the municipality's"
        );
        assert_eq!(side_of(&f, ward_to_municipality, &org("annan")), None);
    }
}
