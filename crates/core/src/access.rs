//! Who may do and read what, by role: the one home of every role rule.
//!
//! Services ask here before they answer; the web layer and the templates
//! only show what the service's answer says (e.g. a [`Permissions`] carried
//! in a page's view). Patient data is a separate rule, by organisation: the
//! chain of care (`episode::in_chain_of_care`), and each organisation's own
//! worklist lines and deviation reports.

use serde::Serialize;

use crate::ids::OrgId;
use crate::org::{OrgKind, Role};

/// What a role may do and read, as one value a view can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Declare, amend and end outages; requeue failed messages.
    pub manages_outages: bool,
    /// Create accounts.
    pub manages_users: bool,
    /// Read the audit log.
    pub reads_audit_log: bool,
    /// Read reports without patient data across units: the back-entry
    /// completion report and its statistics, drill reports, and every
    /// unit's deviation reports.
    pub reads_reports: bool,
    /// Read the checklist progress of any unit (not only one's own).
    pub reads_every_unit: bool,
    /// See the addresses (e-mail, phone) that messages were sent to.
    pub sees_addresses: bool,
    /// See the subscribers to the public status and remove one.
    pub manages_subscriptions: bool,
    /// See subscribers' e-mail addresses in full (others see them masked).
    pub sees_subscriber_addresses: bool,
}

impl Permissions {
    /// The permissions of a role.
    pub fn of(role: Role) -> Permissions {
        use Role::*;
        Permissions {
            manages_outages: matches!(role, It | SystemAdministrator),
            manages_users: matches!(role, SystemAdministrator),
            reads_audit_log: matches!(role, Auditor | SystemAdministrator),
            reads_reports: matches!(role, UnitManager | It | SystemAdministrator | Auditor),
            reads_every_unit: matches!(role, It | SystemAdministrator),
            sees_addresses: matches!(role, It | SystemAdministrator | UnitManager),
            manages_subscriptions: matches!(role, It | SystemAdministrator),
            sees_subscriber_addresses: matches!(role, It),
        }
    }
}

/// Whether a person of `role` in organisation `own` may read the checklist
/// progress of `unit`: a unit manager their own unit's; IT and system
/// administrators any unit's; nobody else.
pub fn may_read_unit_progress(role: Role, own: &OrgId, unit: &OrgId) -> bool {
    Permissions::of(role).reads_every_unit || (role == Role::UnitManager && own == unit)
}

/// Whether a person of `role` may open the unit-progress view at all (for
/// their own unit at least).
pub fn may_open_unit_progress(role: Role) -> bool {
    Permissions::of(role).reads_every_unit || role == Role::UnitManager
}

/// Whether a person of `role` in an organisation of `kind` works with
/// patients of the chain of care (a ward, a municipality, primary care or
/// outpatient psychiatry): their home page is their work (the gaps they owe
/// and await), not the outage status.
pub fn works_with_patients(role: Role, kind: OrgKind) -> bool {
    matches!(role, Role::Clinician | Role::UnitManager)
        && matches!(
            kind,
            OrgKind::Ward | OrgKind::Municipality | OrgKind::PrimaryCareCentre | OrgKind::OutpatientPsychiatry
        )
}

/// How much of the audit log a reader sees (issue 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuditReach {
    /// May not read the audit log.
    Nothing,
    /// Every record: a system administrator (who runs the whole system and
    /// holds its database anyway) and an auditor of a region (the principal
    /// that runs Reserv for its whole chain of care).
    Everything,
    /// The records by actors of the reader's own organisation (and its
    /// units) and the records about episodes in that organisation's chain
    /// of care: an auditor of a municipality, a hospital, a ward.
    OwnOrganisation,
}

/// How much of the audit log a person of `role` in an organisation of
/// `kind` (unknown: `None`) sees.
pub fn audit_reach(role: Role, kind: Option<OrgKind>) -> AuditReach {
    if !Permissions::of(role).reads_audit_log {
        return AuditReach::Nothing;
    }
    match (role, kind) {
        (Role::SystemAdministrator, _) | (_, Some(OrgKind::Region)) => AuditReach::Everything,
        _ => AuditReach::OwnOrganisation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    #[test]
    fn reports_are_for_managers_it_administrators_and_auditors_only() {
        let readers: Vec<Role> = Role::ALL.into_iter().filter(|r| Permissions::of(*r).reads_reports).collect();
        assert_eq!(readers, [Role::UnitManager, Role::It, Role::SystemAdministrator, Role::Auditor]);
    }

    #[test]
    fn outages_users_and_the_audit_log_have_their_own_roles() {
        let who = |f: fn(Permissions) -> bool| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| f(Permissions::of(*r))).collect()
        };
        assert_eq!(who(|p| p.manages_outages), [Role::It, Role::SystemAdministrator]);
        assert_eq!(who(|p| p.manages_users), [Role::SystemAdministrator]);
        assert_eq!(who(|p| p.reads_audit_log), [Role::SystemAdministrator, Role::Auditor]);
        assert_eq!(who(|p| p.sees_addresses), [Role::UnitManager, Role::It, Role::SystemAdministrator]);
    }

    #[test]
    fn a_unit_manager_reads_their_own_units_progress_and_it_reads_every_units() {
        let (own, other) = (org("rvn-sundsvall-avd-medicin-3"), org("kommun-timra"));
        assert!(may_read_unit_progress(Role::UnitManager, &own, &own));
        assert!(!may_read_unit_progress(Role::UnitManager, &own, &other));
        assert!(may_read_unit_progress(Role::It, &own, &other));
        assert!(may_read_unit_progress(Role::SystemAdministrator, &own, &other));
        assert!(!may_read_unit_progress(Role::Clinician, &own, &own));
        assert!(!may_read_unit_progress(Role::Auditor, &own, &own));
        assert!(may_open_unit_progress(Role::UnitManager));
        assert!(!may_open_unit_progress(Role::Clinician));
    }

    #[test]
    fn a_region_auditor_reads_every_record_another_auditor_their_organisations() {
        assert_eq!(audit_reach(Role::Auditor, Some(OrgKind::Region)), AuditReach::Everything);
        assert_eq!(audit_reach(Role::SystemAdministrator, Some(OrgKind::ItManagement)), AuditReach::Everything);
        for kind in [Some(OrgKind::Municipality), Some(OrgKind::Hospital), Some(OrgKind::Ward), None] {
            assert_eq!(audit_reach(Role::Auditor, kind), AuditReach::OwnOrganisation, "{kind:?}");
        }
        for role in [Role::Clinician, Role::UnitManager, Role::It] {
            assert_eq!(audit_reach(role, Some(OrgKind::Region)), AuditReach::Nothing, "{role:?}");
        }
    }

    #[test]
    fn people_of_the_chain_of_care_work_with_patients_it_does_not() {
        for kind in [OrgKind::Ward, OrgKind::Municipality, OrgKind::PrimaryCareCentre, OrgKind::OutpatientPsychiatry] {
            assert!(works_with_patients(Role::Clinician, kind), "{kind:?}");
            assert!(works_with_patients(Role::UnitManager, kind), "{kind:?}");
        }
        assert!(!works_with_patients(Role::Clinician, OrgKind::ItManagement));
        assert!(!works_with_patients(Role::Clinician, OrgKind::Hospital));
        for role in [Role::It, Role::SystemAdministrator, Role::Auditor] {
            assert!(!works_with_patients(role, OrgKind::Ward), "{role:?}");
        }
    }
}
