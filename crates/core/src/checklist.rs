//! "Vad gör jag nu?": the downtime routine of an outage as a person's
//! checklist. For the routine roles a person works as (nurse, inpatient care,
//! municipality, …) and the system that is down, the steps of the system's own
//! routine and of the organisation-wide routine that lists it
//! ([`RoutineSet::steps`]), `all_staff` steps included, grouped by phase.
//!
//! Which phases a checklist shows, and which it lets people tick, follows the
//! outage ([`timing`]): before a planned stop the preparations are "now" and
//! the rest waits; while the system is down the steps "during" are now and
//! those "after restore" wait, shown but not tickable; once it is back the
//! steps after restore are now and those during stay tickable (people tick
//! late what they did on paper).
//!
//! Ticks are append-only, like the handover log: a [`TickEvent`] per tick or
//! untick (an untick is a new event, never a deletion), each with its
//! UUIDv7 id, author, organisation, node and time. State is a fold: per
//! person and step ([`fold`]) for one's own list, per organisation and step
//! ([`fold_by_org`]) for the unit's progress ([`unit_progress`]).
//!
//! Everything here is pure: the routines, the outage's status, the people
//! and the ticks are passed in.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};
use crate::ids::{EntryId, OrgId, OutageId, SystemId, UserId};
use crate::org::OrgKind;
use crate::outage::OutageStatus;
use crate::routine::{Phase, RoutineRole, RoutineSet, Step};

/// One tick or untick of a routine step by one person. Immutable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TickEvent {
    pub id: EntryId,
    pub outage_id: OutageId,
    /// The step's stable id in the routine files.
    pub step: String,
    pub user_id: UserId,
    pub user_name: String,
    /// The person's organisation when they ticked.
    pub org: OrgId,
    pub at: Timestamp,
    pub node: String,
    /// `true`: done; `false`: undone again.
    pub ticked: bool,
}

/// One step's state for one person, folded from their ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TickState {
    pub ticked: bool,
    /// Who made the latest change and when.
    pub by: String,
    pub at: Timestamp,
    pub org: OrgId,
    /// The latest change (what the next change must follow).
    pub last: EntryId,
    /// Every change, oldest first.
    pub history: Vec<TickEvent>,
}

impl TickState {
    fn apply(state: Option<TickState>, e: &TickEvent) -> TickState {
        let mut history = state.map(|s| s.history).unwrap_or_default();
        history.push(e.clone());
        TickState { ticked: e.ticked, by: e.user_name.clone(), at: e.at, org: e.org.clone(), last: e.id, history }
    }
}

/// Folds ticks per (person, step), in time order (then id), so the result
/// does not depend on the order the events arrive in.
pub fn fold(events: &[TickEvent]) -> BTreeMap<(UserId, String), TickState> {
    let mut sorted: Vec<&TickEvent> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.id));
    let mut out: BTreeMap<(UserId, String), TickState> = BTreeMap::new();
    for e in sorted {
        let key = (e.user_id, e.step.clone());
        let state = TickState::apply(out.remove(&key), e);
        out.insert(key, state);
    }
    out
}

/// Someone who has a step ticked now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticker {
    pub user_id: UserId,
    pub name: String,
    pub at: Timestamp,
}

/// Who has each step ticked now, per (organisation, step): a person counts
/// for the organisation of their latest change, people in tick order.
pub fn fold_by_org(events: &[TickEvent]) -> BTreeMap<(OrgId, String), Vec<Ticker>> {
    let mut out: BTreeMap<(OrgId, String), Vec<Ticker>> = BTreeMap::new();
    for ((user_id, step), s) in fold(events) {
        if s.ticked {
            out.entry((s.org, step)).or_default().push(Ticker { user_id, name: s.by, at: s.at });
        }
    }
    for tickers in out.values_mut() {
        tickers.sort_by(|a, b| (a.at, &a.name).cmp(&(b.at, &b.name)));
    }
    out
}

/// The routine roles a person works as when their account names none: what
/// their organisation is for. `None` where the organisation says nothing
/// (a region, a hospital): then only the `all_staff` steps apply, and the
/// page offers a role to choose.
pub fn default_role(kind: OrgKind) -> Option<RoutineRole> {
    match kind {
        OrgKind::Ward => Some(RoutineRole::InpatientCare),
        OrgKind::Municipality => Some(RoutineRole::Municipality),
        OrgKind::PrimaryCareCentre => Some(RoutineRole::PrimaryCare),
        OrgKind::OutpatientPsychiatry => Some(RoutineRole::OutpatientPsychiatry),
        OrgKind::ItManagement => Some(RoutineRole::It),
        OrgKind::Region | OrgKind::Hospital => None,
    }
}

/// The roles that count for a person: their own, else their organisation's default.
pub fn effective_roles(own: &[RoutineRole], kind: Option<OrgKind>) -> Vec<RoutineRole> {
    if own.is_empty() { kind.and_then(default_role).into_iter().collect() } else { own.to_vec() }
}

/// Parses routine role keys as typed (blank entries skipped, duplicates
/// dropped, order kept); an unknown key is an error naming `field`.
pub fn parse_roles<S: AsRef<str>>(field: Field, keys: &[S]) -> Result<Vec<RoutineRole>, DomainError> {
    let mut roles = Vec::new();
    for key in keys.iter().map(|k| k.as_ref().trim()).filter(|k| !k.is_empty()) {
        let role = RoutineRole::parse(key)
            .ok_or_else(|| DomainError::UnknownValue { field, value: key.chars().take(40).collect() })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// Whether a step is a person's with these roles (`all_staff` steps are
/// everyone's, also without a role).
pub fn applies(step: &Step, roles: &[RoutineRole]) -> bool {
    step.roles.contains(&RoutineRole::AllStaff) || roles.iter().any(|r| step.roles.contains(r))
}

/// Where a phase stands in an outage's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Timing {
    /// What to do now.
    Now,
    /// Past, but still tickable (a step done on paper is ticked late).
    Earlier,
    /// Not yet: shown, not tickable.
    Waiting,
}

impl Timing {
    pub fn tickable(self) -> bool {
        self != Timing::Waiting
    }
}

/// The phases a checklist shows for an outage in this state, in the order
/// shown (now first), with their timing. Preparations for a stop are shown
/// only before it starts (an outage known in advance is a planned one).
pub fn timing(status: OutageStatus) -> Vec<(Phase, Timing)> {
    match status {
        OutageStatus::Upcoming => vec![
            (Phase::BeforePlannedStop, Timing::Now),
            (Phase::During, Timing::Waiting),
            (Phase::AfterRestore, Timing::Waiting),
        ],
        OutageStatus::Ongoing => vec![(Phase::During, Timing::Now), (Phase::AfterRestore, Timing::Waiting)],
        OutageStatus::Ended => vec![(Phase::AfterRestore, Timing::Now), (Phase::During, Timing::Earlier)],
    }
}

/// One step of a person's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistStep {
    #[serde(flatten)]
    pub step: Step,
    /// The routine file the step comes from and its title.
    pub routine: String,
    pub routine_title: String,
    pub tickable: bool,
    /// The person's own state of the step (`None`: never ticked).
    pub mine: Option<TickState>,
    /// Others of the person's organisation who have it ticked now.
    pub colleagues: Vec<Ticker>,
}

impl ChecklistStep {
    pub fn ticked(&self) -> bool {
        self.mine.as_ref().is_some_and(|m| m.ticked)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ChecklistSection))]
pub struct Section {
    pub phase: Phase,
    pub timing: Timing,
    pub steps: Vec<ChecklistStep>,
}

/// A person's checklist for one outage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    pub system: SystemId,
    pub status: OutageStatus,
    /// The roles the list is for.
    pub roles: Vec<RoutineRole>,
    pub sections: Vec<Section>,
    /// Tickable steps ticked, and tickable steps in all.
    pub ticked: usize,
    pub tickable: usize,
}

impl Checklist {
    pub fn step(&self, id: &str) -> Option<&ChecklistStep> {
        self.sections.iter().flat_map(|s| &s.steps).find(|s| s.step.id == id)
    }
}

/// The steps for `roles` of the routines for `system`, per shown phase.
fn sections_for<'a>(
    set: &'a RoutineSet,
    system: &SystemId,
    status: OutageStatus,
    mut keep: impl FnMut(&Step) -> bool,
) -> Vec<(Phase, Timing, Vec<crate::routine::StepRef<'a>>)> {
    timing(status)
        .into_iter()
        .map(|(phase, t)| {
            let steps = set.steps(system, None, Some(phase)).into_iter().filter(|s| keep(s.step)).collect();
            (phase, t, steps)
        })
        .collect()
}

/// The checklist of a person (`me`, of organisation `org`) with `roles` for
/// an outage of `system` in state `status`, with the ticks made so far.
pub fn checklist(
    set: &RoutineSet,
    system: &SystemId,
    status: OutageStatus,
    roles: &[RoutineRole],
    me: UserId,
    org: &OrgId,
    events: &[TickEvent],
) -> Checklist {
    let mut mine = fold(events);
    let by_org = fold_by_org(events);
    let (mut ticked, mut tickable) = (0, 0);
    let sections = sections_for(set, system, status, |s| applies(s, roles))
        .into_iter()
        .map(|(phase, t, steps)| Section {
            phase,
            timing: t,
            steps: steps
                .into_iter()
                .map(|r| {
                    let own = mine.remove(&(me, r.step.id.clone()));
                    let colleagues = by_org
                        .get(&(org.clone(), r.step.id.clone()))
                        .map(|v| v.iter().filter(|x| x.user_id != me).cloned().collect())
                        .unwrap_or_default();
                    let step = ChecklistStep {
                        step: r.step.clone(),
                        routine: r.routine.file.clone(),
                        routine_title: r.routine.title.clone(),
                        tickable: t.tickable(),
                        mine: own,
                        colleagues,
                    };
                    if step.tickable {
                        tickable += 1;
                        ticked += usize::from(step.ticked());
                    }
                    step
                })
                .collect(),
        })
        .filter(|s| !s.steps.is_empty())
        .collect();
    Checklist { system: system.clone(), status, roles: roles.to_vec(), sections, ticked, tickable }
}

/// Checks a tick or untick against the person's checklist and returns the
/// step's current state: a step not on the list is `unknown_value` (field
/// `step`), a waiting one `checklist_step_not_yet`.
pub fn check_tick<'a>(list: &'a Checklist, step: &str) -> Result<&'a ChecklistStep, DomainError> {
    let found = list.step(step.trim()).ok_or_else(|| DomainError::UnknownValue {
        field: Field::Step,
        value: step.trim().chars().take(64).collect(),
    })?;
    if !found.tickable {
        return Err(DomainError::StepNotYet);
    }
    Ok(found)
}

/// A person of a unit, with the roles that count for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: UserId,
    pub name: String,
    pub roles: Vec<RoutineRole>,
}

/// One step of a unit's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitStep {
    #[serde(flatten)]
    pub step: Step,
    pub routine: String,
    pub tickable: bool,
    /// How many of the unit's people have the step on their list.
    pub expected: usize,
    /// Who of the unit has it ticked now, and when.
    pub ticked_by: Vec<Ticker>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitSection {
    pub phase: Phase,
    pub timing: Timing,
    pub steps: Vec<UnitStep>,
}

/// The checklist progress of one unit for one outage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProgress {
    pub system: SystemId,
    pub status: OutageStatus,
    pub org: OrgId,
    /// People with an account at the unit.
    pub people: usize,
    pub sections: Vec<UnitSection>,
}

/// Per step of the unit's lists: how many of its people have it and who has
/// ticked it. A step is listed if it is on someone's list at the unit or
/// someone there ticked it (e.g. with another role chosen on the page).
pub fn unit_progress(
    set: &RoutineSet,
    system: &SystemId,
    status: OutageStatus,
    org: &OrgId,
    members: &[Member],
    events: &[TickEvent],
) -> UnitProgress {
    let by_org = fold_by_org(events);
    let ticked_here: BTreeSet<&str> = by_org.keys().filter(|(o, _)| o == org).map(|(_, step)| step.as_str()).collect();
    let sections = sections_for(set, system, status, |s| {
        ticked_here.contains(s.id.as_str()) || members.iter().any(|m| applies(s, &m.roles))
    })
    .into_iter()
    .map(|(phase, t, steps)| UnitSection {
        phase,
        timing: t,
        steps: steps
            .into_iter()
            .map(|r| UnitStep {
                step: r.step.clone(),
                routine: r.routine.file.clone(),
                tickable: t.tickable(),
                expected: members.iter().filter(|m| applies(r.step, &m.roles)).count(),
                ticked_by: by_org.get(&(org.clone(), r.step.id.clone())).cloned().unwrap_or_default(),
            })
            .collect(),
    })
    .filter(|s| !s.steps.is_empty())
    .collect();
    UnitProgress { system: system.clone(), status, org: org.clone(), people: members.len(), sections }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::routine::load;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    const SYSTEMS: &str = include_str!("../../../data/systems.toml");

    fn shipped() -> RoutineSet {
        let mut files: Vec<(String, String)> = std::fs::read_dir(DIR)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &Catalogue::parse(SYSTEMS).unwrap()).unwrap()
    }

    fn elvis() -> SystemId {
        SystemId::parse("elvis").unwrap()
    }

    fn ward() -> OrgId {
        OrgId::parse("avd-1").unwrap()
    }

    fn user(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }

    fn ts(minute: i64) -> Timestamp {
        Timestamp::from_second(1_790_000_000 + minute * 60).unwrap()
    }

    fn tick(n: u128, who: u128, step: &str, minute: i64, ticked: bool) -> TickEvent {
        TickEvent {
            id: EntryId(uuid::Uuid::from_u128(n)),
            outage_id: OutageId(uuid::Uuid::from_u128(99)),
            step: step.into(),
            user_id: user(who),
            user_name: format!("Person {who}"),
            org: ward(),
            at: ts(minute),
            node: "n".into(),
            ticked,
        }
    }

    fn ids(list: &Checklist, phase: Phase) -> Vec<&str> {
        list.sections.iter().filter(|s| s.phase == phase).flat_map(|s| &s.steps).map(|s| s.step.id.as_str()).collect()
    }

    /// A nurse on a ward during an ELVIS outage.
    fn nurse_list(events: &[TickEvent]) -> Checklist {
        let roles = [RoutineRole::Nurse, RoutineRole::InpatientCare];
        checklist(&shipped(), &elvis(), OutageStatus::Ongoing, &roles, user(1), &ward(), events)
    }

    #[test]
    fn an_ongoing_outage_lists_during_now_and_after_restore_waiting() {
        let list = nurse_list(&[]);
        let order: Vec<(Phase, Timing)> = list.sections.iter().map(|s| (s.phase, s.timing)).collect();
        assert_eq!(order, [(Phase::During, Timing::Now), (Phase::AfterRestore, Timing::Waiting)]);
        let during = ids(&list, Phase::During);
        // The organisation-wide routine (003-general) first, then ELVIS's own.
        assert_eq!(during[0], "general-during-check-plexus");
        assert!(during.contains(&"elvis-during-no-booking"), "{during:?}");
        assert!(ids(&list, Phase::AfterRestore).contains(&"elvis-after-bookings"));
        assert!(list.sections[1].steps.iter().all(|s| !s.tickable));
        assert_eq!(list.tickable, during.len());
        assert_eq!(list.ticked, 0);
    }

    #[test]
    fn roles_filter_the_steps_and_all_staff_steps_are_everyones() {
        let set = shipped();
        let nurse = nurse_list(&[]);
        let all: Vec<&str> = nurse.sections.iter().flat_map(|s| &s.steps).map(|s| s.step.id.as_str()).collect();
        // Steps of other roles are not on a nurse's list.
        assert!(!all.contains(&"elvis-during-ed-manual-contacts"), "emergency department only");
        assert!(!all.contains(&"general-during-it-plexus"), "IT only");
        assert!(nurse.sections.iter().flat_map(|s| &s.steps).all(|s| applies(&s.step, &nurse.roles)));
        let ed = checklist(
            &set,
            &elvis(),
            OutageStatus::Ongoing,
            &[RoutineRole::EmergencyDepartmentStaff],
            user(1),
            &ward(),
            &[],
        );
        assert!(ids(&ed, Phase::During).contains(&"elvis-during-ed-manual-contacts"));
        let it = checklist(&set, &elvis(), OutageStatus::Ongoing, &[RoutineRole::It], user(1), &ward(), &[]);
        assert!(ids(&it, Phase::During).contains(&"general-during-it-plexus"));
        // Without a role: the all-staff steps only.
        let none = checklist(&set, &elvis(), OutageStatus::Ongoing, &[], user(1), &ward(), &[]);
        assert!(none.sections.iter().flat_map(|s| &s.steps).all(|s| s.step.roles == [RoutineRole::AllStaff]));
        assert!(!none.sections.is_empty());
    }

    #[test]
    fn phases_follow_the_outage() {
        let set = shipped();
        let roles = [RoutineRole::It];
        let upcoming = checklist(&set, &elvis(), OutageStatus::Upcoming, &roles, user(1), &ward(), &[]);
        assert_eq!(upcoming.sections[0].phase, Phase::BeforePlannedStop);
        assert!(upcoming.sections[0].steps.iter().all(|s| s.tickable));
        assert!(upcoming.sections[1..].iter().all(|s| s.timing == Timing::Waiting));
        let ended = checklist(&set, &elvis(), OutageStatus::Ended, &roles, user(1), &ward(), &[]);
        let order: Vec<(Phase, Timing)> = ended.sections.iter().map(|s| (s.phase, s.timing)).collect();
        assert_eq!(order, [(Phase::AfterRestore, Timing::Now), (Phase::During, Timing::Earlier)]);
        assert!(ended.sections.iter().flat_map(|s| &s.steps).all(|s| s.tickable));
        let ongoing = checklist(&set, &elvis(), OutageStatus::Ongoing, &roles, user(1), &ward(), &[]);
        assert!(ongoing.sections.iter().all(|s| s.phase != Phase::BeforePlannedStop));
    }

    #[test]
    fn ticks_fold_per_person_in_time_order_and_untick_is_a_new_event() {
        let evs = [
            tick(3, 1, "elvis-during-no-booking", 5, false),
            tick(1, 1, "elvis-during-no-booking", 1, true),
            tick(2, 1, "general-during-check-plexus", 2, true),
            tick(4, 2, "elvis-during-no-booking", 3, true),
        ];
        let folded = fold(&evs);
        let mine = &folded[&(user(1), "elvis-during-no-booking".to_owned())];
        assert!(!mine.ticked, "the later untick wins, whatever the order the events came in");
        assert_eq!(mine.history.len(), 2);
        assert_eq!((mine.last, mine.at), (EntryId(uuid::Uuid::from_u128(3)), ts(5)));
        let list = nurse_list(&evs);
        assert_eq!(list.ticked, 1);
        let plexus = list.step("general-during-check-plexus").unwrap();
        assert!(plexus.ticked());
        assert_eq!(plexus.mine.as_ref().map(|m| (m.by.as_str(), m.at)), Some(("Person 1", ts(2))));
        // A colleague at the same unit who has it ticked is shown with the step.
        let booking = list.step("elvis-during-no-booking").unwrap();
        assert!(!booking.ticked());
        assert_eq!(booking.colleagues.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Person 2"]);
        // Per unit: who has it ticked now.
        let by_org = fold_by_org(&evs);
        let names = |step: &str| -> Vec<String> {
            by_org
                .get(&(ward(), step.to_owned()))
                .map(|v| v.iter().map(|t| t.name.clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(names("elvis-during-no-booking"), ["Person 2"]);
        assert_eq!(names("general-during-check-plexus"), ["Person 1"]);
    }

    #[test]
    fn after_restore_steps_cannot_be_ticked_while_ongoing_and_unknown_steps_are_refused() {
        let list = nurse_list(&[]);
        assert_eq!(check_tick(&list, "elvis-after-bookings").unwrap_err(), DomainError::StepNotYet);
        assert_eq!(check_tick(&list, "elvis-after-bookings").unwrap_err().code(), "checklist_step_not_yet");
        let e = check_tick(&list, "elvis-during-ed-manual-contacts").unwrap_err();
        assert_eq!((e.code(), e.field()), ("unknown_value", Some(Field::Step)));
        assert_eq!(check_tick(&list, "no-such-step").unwrap_err().code(), "unknown_value");
        assert!(check_tick(&list, " elvis-during-no-booking ").is_ok());
        let ended = checklist(&shipped(), &elvis(), OutageStatus::Ended, &[RoutineRole::Nurse], user(1), &ward(), &[]);
        assert!(check_tick(&ended, "elvis-after-bookings").is_ok(), "tickable once the system is back");
    }

    #[test]
    fn unit_progress_counts_who_has_each_step() {
        let members = [
            Member { id: user(1), name: "Person 1".into(), roles: vec![RoutineRole::Nurse] },
            Member { id: user(2), name: "Person 2".into(), roles: vec![RoutineRole::InpatientCare] },
        ];
        let mut other_unit = tick(5, 3, "elvis-during-no-booking", 4, true);
        other_unit.org = OrgId::parse("avd-2").unwrap();
        let evs = [
            tick(1, 1, "elvis-during-no-booking", 1, true),
            tick(2, 2, "elvis-during-no-booking", 2, true),
            tick(3, 2, "elvis-during-no-booking", 3, false),
            tick(4, 1, "elvis-during-ed-manual-contacts", 3, true),
            other_unit,
        ];
        let p = unit_progress(&shipped(), &elvis(), OutageStatus::Ongoing, &ward(), &members, &evs);
        assert_eq!(p.people, 2);
        let step = |id: &str| p.sections.iter().flat_map(|s| &s.steps).find(|s| s.step.id == id).cloned();
        let booking = step("elvis-during-no-booking").unwrap();
        assert_eq!(booking.expected, 2);
        assert_eq!(booking.ticked_by.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Person 1"]);
        // Ticked by someone of the unit though on no one's list there: still shown.
        let ed = step("elvis-during-ed-manual-contacts").unwrap();
        assert_eq!((ed.expected, ed.ticked_by.len()), (0, 1));
        assert!(step("general-during-it-plexus").is_none());
        assert!(p.sections.iter().any(|s| s.phase == Phase::AfterRestore && s.timing == Timing::Waiting));
    }

    #[test]
    fn roles_parse_strictly_and_default_from_the_organisation() {
        let roles = parse_roles(Field::RoutineRoles, &["nurse", " inpatient_care ", "", "nurse"]).unwrap();
        assert_eq!(roles, [RoutineRole::Nurse, RoutineRole::InpatientCare]);
        let e = parse_roles(Field::RoutineRoles, &["nurse", "doctor"]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("unknown_value", Some(Field::RoutineRoles)));
        assert!(e.message_sv().contains("”doctor”"), "{}", e.message_sv());
        assert_eq!(effective_roles(&[], Some(OrgKind::Ward)), [RoutineRole::InpatientCare]);
        assert_eq!(effective_roles(&[], Some(OrgKind::Municipality)), [RoutineRole::Municipality]);
        assert_eq!(effective_roles(&[], Some(OrgKind::PrimaryCareCentre)), [RoutineRole::PrimaryCare]);
        assert_eq!(effective_roles(&[], Some(OrgKind::ItManagement)), [RoutineRole::It]);
        assert!(effective_roles(&[], Some(OrgKind::Region)).is_empty());
        assert_eq!(effective_roles(&[RoutineRole::Nurse], Some(OrgKind::Ward)), [RoutineRole::Nurse]);
    }
}
