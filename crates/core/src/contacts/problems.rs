//! What only a contact file can get wrong ([`ContactProblem`]), with stable
//! codes and Swedish and English messages; the error type itself is the
//! shared `DataFileError`.

use super::*;

/// What only a contact file can get wrong (the reasons every data file
/// shares are in [`Reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactProblem {
    InvalidId(String),
    DuplicateId {
        id: String,
        first_file: String,
        first_line: usize,
    },
    InvalidPhone {
        number: String,
        problem: PhoneProblem,
    },
    DuplicatePhone(String),
    /// Neither a phone number nor a note on how to reach it.
    NoWayToReach,
    /// Both `org` and `orgs_of_kind`.
    OrgAndKind,
    InvalidOrgId(String),
    UnknownOrganisation(String),
    RegionOrgNotARegion(String),
    InvalidEmail(String),
    InvalidUrl(String),
    NoContacts,
}

impl ContactProblem {
    /// The stable code, after `contact_`.
    pub fn code(&self) -> &'static str {
        match self {
            ContactProblem::InvalidId(_) => "invalid_id",
            ContactProblem::DuplicateId { .. } => "duplicate_id",
            ContactProblem::InvalidPhone { .. } => "invalid_phone",
            ContactProblem::DuplicatePhone(_) => "duplicate_phone",
            ContactProblem::NoWayToReach => "no_way_to_reach",
            ContactProblem::OrgAndKind => "org_and_kind",
            ContactProblem::InvalidOrgId(_) => "invalid_org_id",
            ContactProblem::UnknownOrganisation(_) => "unknown_organisation",
            ContactProblem::RegionOrgNotARegion(_) => "region_org_not_a_region",
            ContactProblem::InvalidEmail(_) => "invalid_email",
            ContactProblem::InvalidUrl(_) => "invalid_url",
            ContactProblem::NoContacts => "none",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            ContactProblem::InvalidId(v) => {
                format!("kontakt-id ”{v}” är ogiltigt (1–64 tecken: små bokstäver a–z, siffror och bindestreck)")
            }
            ContactProblem::DuplicateId { id, first_file, first_line } => {
                format!("kontakt-id ”{id}” används redan i {first_file}, rad {first_line}")
            }
            ContactProblem::InvalidPhone { number, problem } => {
                format!("”{number}” är inget telefonnummer: {}", problem.message_sv())
            }
            ContactProblem::DuplicatePhone(v) => format!("numret ”{v}” står två gånger"),
            ContactProblem::NoWayToReach => {
                "kontakten har varken telefonnummer ([[contact.phone]]) eller en anteckning (note) om hur den nås"
                    .into()
            }
            ContactProblem::OrgAndKind => {
                "ange antingen org (en organisation) eller orgs_of_kind (alla av en typ), inte båda".into()
            }
            ContactProblem::InvalidOrgId(v) => format!("”{v}” är inget giltigt organisations-id"),
            ContactProblem::UnknownOrganisation(v) => {
                format!("organisationen ”{v}” finns inte i organisationskatalogen")
            }
            ContactProblem::RegionOrgNotARegion(v) => {
                format!("region_org ”{v}” är ingen region i organisationskatalogen")
            }
            ContactProblem::InvalidEmail(v) => format!("”{v}” är ingen e-postadress"),
            ContactProblem::InvalidUrl(v) => format!("”{v}” är ingen webbadress (https://…)"),
            ContactProblem::NoContacts => "filen har inga kontakter ([[contact]])".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            ContactProblem::InvalidId(v) => {
                format!("contact id `{v}` is invalid (1–64 characters: lowercase a–z, digits and dashes)")
            }
            ContactProblem::DuplicateId { id, first_file, first_line } => {
                format!("contact id `{id}` is already used in {first_file}:{first_line}")
            }
            ContactProblem::InvalidPhone { number, problem } => {
                format!("`{number}` is not a phone number: {}", problem.message_en())
            }
            ContactProblem::DuplicatePhone(v) => format!("the number `{v}` is listed twice"),
            ContactProblem::NoWayToReach => {
                "the contact has neither a phone number ([[contact.phone]]) nor a note on how to reach it".into()
            }
            ContactProblem::OrgAndKind => {
                "give either org (one organisation) or orgs_of_kind (all of a kind), not both".into()
            }
            ContactProblem::InvalidOrgId(v) => format!("`{v}` is not a valid organisation id"),
            ContactProblem::UnknownOrganisation(v) => {
                format!("organisation `{v}` is not in the organisation directory")
            }
            ContactProblem::RegionOrgNotARegion(v) => {
                format!("region_org `{v}` is not a region of the organisation directory")
            }
            ContactProblem::InvalidEmail(v) => format!("`{v}` is not an e-mail address"),
            ContactProblem::InvalidUrl(v) => format!("`{v}` is not a web address (https://…)"),
            ContactProblem::NoContacts => "the file has no contacts ([[contact]])".into(),
        }
    }
}
