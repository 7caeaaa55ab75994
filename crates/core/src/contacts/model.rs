//! The parsed data: one [`Contact`] and one [`ContactFile`].

use super::*;

/// One contact: a function or a place, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Stable id, unique across the set.
    pub id: String,
    /// The function or place, e.g. "Timrå kommun, växel" (never a private person).
    pub name: String,
    pub category: Category,
    /// The organisation of the directory this contact reaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
    /// A rule for every organisation of this kind (e.g. every municipality).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orgs_of_kind: Option<OrgKind>,
    /// The systems it supports (an IT support line).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<SystemId>,
    pub when: When,
    /// The hours as the source gives them, e.g. "vardagar 07.30–16.30".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    pub phones: Vec<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The seed file and section, e.g. "001, Viktiga telefonnummer vid driftstopp".
    pub cite: String,
    /// The region (from the file's metadata).
    pub region: String,
    /// The file it was read from.
    pub file: String,
    /// The line of its `id`.
    pub line: usize,
    #[serde(skip)]
    pub(super) org_line: usize,
    #[serde(skip)]
    pub(super) system_lines: Vec<usize>,
}

/// One parsed contact file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactFile {
    pub file: String,
    /// The region the contacts belong to, e.g. "Region Västernorrland".
    pub region: String,
    /// The region's id in the directory, when it is there.
    pub region_org: Option<OrgId>,
    pub title: String,
    pub document_type: Option<String>,
    pub approval: Approval,
    pub date: Option<jiff::civil::Date>,
    pub version: Option<String>,
    pub owner: Option<String>,
    pub source: String,
    pub contacts: Vec<Contact>,
    #[serde(skip)]
    pub(super) region_org_line: usize,
}
