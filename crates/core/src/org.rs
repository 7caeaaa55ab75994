//! Organisations of the chain of care and the roles people have in them
//! (glossary: region, hospital, inpatient ward, primary care centre,
//! outpatient psychiatry, municipality, IT application management).

use serde::{Deserialize, Serialize};

use crate::datafile::vocabulary;
use crate::error::{DomainError, Field};
use crate::ids::OrgId;

vocabulary!(
    /// What kind of organisation a directory entry is.
    OrgKind, "organisationstyp", "organisation kind" {
        Region = "region", "Region", "Region";
        Hospital = "hospital", "Sjukhus", "Hospital";
        Ward = "ward", "Vårdavdelning", "Inpatient ward";
        PrimaryCareCentre = "primary_care_centre", "Hälsocentral", "Primary care centre";
        OutpatientPsychiatry = "outpatient_psychiatry", "Psykiatrisk öppenvård", "Outpatient psychiatry";
        Municipality = "municipality", "Kommun", "Municipality";
        ItManagement = "it_management", "IT-förvaltning", "IT application management";
    }
);

impl OrgKind {
    /// The principal (huvudman) an organisation of this kind belongs to.
    pub fn principal(self) -> Principal {
        match self {
            OrgKind::Municipality => Principal::Municipality,
            _ => Principal::Region,
        }
    }
}

/// The two principals of Swedish health and social care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    Region,
    Municipality,
}

/// Somatic or psychiatric inpatient care; a psychiatric ward must also call
/// outpatient psychiatry (seed 000, "Slutenvårdens ansvar").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WardType {
    Somatic,
    Psychiatric,
}

/// One entry of the organisation directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward_type: Option<WardType>,
    /// Switchboard number (växel), as written by the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switchboard: Option<String>,
    /// A direct number to the unit, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_phone: Option<String>,
}

/// What a person may do is decided by their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Clinician,
    UnitManager,
    It,
    SystemAdministrator,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Clinician, Role::UnitManager, Role::It, Role::SystemAdministrator, Role::Auditor];

    pub fn key(self) -> &'static str {
        match self {
            Role::Clinician => "clinician",
            Role::UnitManager => "unit_manager",
            Role::It => "it",
            Role::SystemAdministrator => "system_administrator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Result<Role, DomainError> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| DomainError::UnknownValue { field: Field::Role, value: s.chars().take(40).collect() })
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Clinician => "Vårdpersonal",
            Role::UnitManager => "Enhetschef",
            Role::It => "IT-förvaltning",
            Role::SystemAdministrator => "Systemförvaltare",
            Role::Auditor => "Granskare",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Clinician => "Clinician",
            Role::UnitManager => "Unit manager",
            Role::It => "IT application management",
            Role::SystemAdministrator => "System administrator",
            Role::Auditor => "Auditor",
        }
    }

    /// Seed 003 §3.1: IT application management informs about outages; the
    /// system administrator may do everything IT does.
    pub fn may_manage_outages(self) -> bool {
        crate::access::Permissions::of(self).manages_outages
    }

    /// See [`crate::access::Permissions::manages_users`].
    pub fn may_manage_users(self) -> bool {
        crate::access::Permissions::of(self).manages_users
    }

    /// See [`crate::access::Permissions::reads_audit_log`].
    pub fn may_read_audit_log(self) -> bool {
        crate::access::Permissions::of(self).reads_audit_log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Ok(r));
        }
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn only_it_and_administrators_manage_outages() {
        let managers: Vec<_> = Role::ALL.into_iter().filter(|r| r.may_manage_outages()).collect();
        assert_eq!(managers, vec![Role::It, Role::SystemAdministrator]);
    }
}
