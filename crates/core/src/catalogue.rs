//! The system catalogue: the clinical systems whose outages Reserv handles,
//! their owners and the support numbers for office hours and on-call time
//! (seed 003 §4.1). A region edits it as a TOML data file; this module parses
//! and validates it, with errors ([`DataFileError`]) that name the system,
//! its line, the key and the reason.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use jiff::Timestamp;

use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, Reason, line_of_entry};
use crate::directory::is_phone_number;
use crate::error::{DomainError, Field};
use crate::ids::SystemId;
use crate::time::is_office_hours;

/// Where to report a fault in a system, by time of day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportLine {
    /// Who answers, e.g. "Region Gävleborg: IT-support".
    pub who: String,
    /// Phone number in office hours (weekdays 07:30–16:30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_hours: Option<String>,
    /// Phone number in on-call time (all other time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A remark, e.g. "municipalities report to their own IT support".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One system of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct System {
    pub id: SystemId,
    pub name: String,
    pub description: String,
    /// The organisation that owns and manages the system.
    pub owner: String,
    /// A coordinated-discharge system (PRATOR, Lifecare SP): its outages are
    /// handled with the handover log and back-entry.
    #[serde(default)]
    pub coordinated_discharge: bool,
    /// The system has the 12:00 cut-off (seed 000), so even a short outage
    /// near noon matters.
    #[serde(default)]
    pub noon_cutoff: bool,
    /// The seed file and section this entry comes from.
    pub source: String,
    #[serde(default)]
    pub support: Vec<SupportLine>,
}

/// The number to call now for one support line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportNow {
    pub who: String,
    pub number: Option<String>,
    pub email: Option<String>,
    pub office_hours: bool,
}

impl System {
    /// Which number of each support line applies at `now` (office hours or on-call).
    pub fn support_now(&self, now: Timestamp) -> Vec<SupportNow> {
        let office = is_office_hours(now);
        self.support
            .iter()
            .map(|s| SupportNow {
                who: s.who.clone(),
                number: if office { s.office_hours.clone() } else { s.on_call.clone().or(s.office_hours.clone()) },
                email: s.email.clone(),
                office_hours: office,
            })
            .collect()
    }
}

/// All systems a deployment knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    systems: Vec<System>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(rename = "system", default)]
    systems: Vec<System>,
}

/// What can be wrong in the catalogue: of one system, or of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueProblem {
    DuplicateId,
    /// `name`, `owner` or `source` (the error's field) is empty.
    Required,
    InvalidPhone(String),
    NoSystems,
}

impl CatalogueProblem {
    /// The stable code, after `catalogue_`.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogueProblem::DuplicateId => "duplicate_id",
            CatalogueProblem::Required => "required",
            CatalogueProblem::InvalidPhone(_) => "invalid_phone",
            CatalogueProblem::NoSystems => "no_systems",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            CatalogueProblem::DuplicateId => "id:t förekommer två gånger".into(),
            CatalogueProblem::Required => "name, owner och source måste fyllas i".into(),
            CatalogueProblem::InvalidPhone(n) => format!("{n:?} är inget telefonnummer"),
            CatalogueProblem::NoSystems => "katalogen har inga system".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            CatalogueProblem::DuplicateId => "the id occurs twice".into(),
            CatalogueProblem::Required => "name, owner and source must be given".into(),
            CatalogueProblem::InvalidPhone(n) => format!("{n:?} is not a phone number"),
            CatalogueProblem::NoSystems => "the catalogue has no systems".into(),
        }
    }
}

impl Kind for Catalogue {
    const KIND: FileKind = FileKind::Catalogue;
    const MAX_TEXT: usize = 2000;
    // Every problem names its system, so it is a whole `Reason::Catalogue`.
    type Problem = Reason;
}

impl Catalogue {
    /// Parses and validates a catalogue file. The first problem found is
    /// the error; it names the system, the key and (from the `id` line) the
    /// line, and the caller puts the file's path in front.
    pub fn parse(text: &str) -> Result<Catalogue, DataFileError> {
        let file: CatalogueFile = FileCheck::<Catalogue>::toml("", text).map_err(|mut e| e.swap_remove(0))?;
        let bad = |s: &System, field: &'static str, problem: CatalogueProblem| {
            let line = line_of_entry(text, "id", s.id.as_str());
            FileCheck::<Catalogue>::problem("", line, Reason::Catalogue { system: Some(s.id.to_string()), problem })
                .with_field(field)
        };
        let mut ids = HashSet::new();
        for s in &file.systems {
            if !ids.insert(s.id.clone()) {
                return Err(bad(s, "id", CatalogueProblem::DuplicateId));
            }
            for (field, value) in [("name", &s.name), ("owner", &s.owner), ("source", &s.source)] {
                if value.trim().is_empty() {
                    return Err(bad(s, field, CatalogueProblem::Required));
                }
            }
            for line in &s.support {
                for (field, n) in [("office_hours", &line.office_hours), ("on_call", &line.on_call)] {
                    if let Some(n) = n
                        && !is_phone_number(n)
                    {
                        return Err(bad(s, field, CatalogueProblem::InvalidPhone(n.clone())));
                    }
                }
            }
        }
        if file.systems.is_empty() {
            let problem = CatalogueProblem::NoSystems;
            return Err(FileCheck::<Catalogue>::problem("", None, Reason::Catalogue { system: None, problem }));
        }
        Ok(Catalogue { systems: file.systems })
    }

    pub fn systems(&self) -> &[System] {
        &self.systems
    }

    pub fn get(&self, id: &SystemId) -> Option<&System> {
        self.systems.iter().find(|s| &s.id == id)
    }

    /// Resolves a system id typed by a person or an API client.
    pub fn resolve(&self, raw: &str) -> Result<&System, DomainError> {
        let unknown = || DomainError::UnknownValue { field: Field::System, value: raw.chars().take(64).collect() };
        let id = SystemId::parse(raw.trim()).map_err(|_| unknown())?;
        self.get(&id).ok_or_else(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[[system]]
id = "melior"
name = "Melior"
description = "Journalsystem för slutenvård"
owner = "Region Gävleborg"
source = "003 §4.5.2"
[[system.support]]
who = "IT-support"
office_hours = "(026-1) 53 000"
on_call = "(026-2) 784 41"
"#;

    #[test]
    fn support_number_follows_office_hours() {
        let c = Catalogue::parse(TEXT).unwrap();
        let s = c.resolve("melior").unwrap();
        let monday_10 = "2026-11-23T09:00:00Z".parse().unwrap();
        let monday_20 = "2026-11-23T19:00:00Z".parse().unwrap();
        assert_eq!(s.support_now(monday_10)[0].number.as_deref(), Some("(026-1) 53 000"));
        assert_eq!(s.support_now(monday_20)[0].number.as_deref(), Some("(026-2) 784 41"));
    }

    #[test]
    fn unknown_systems_and_bad_files_are_errors() {
        let c = Catalogue::parse(TEXT).unwrap();
        assert_eq!(c.resolve("cosmic").unwrap_err().code(), "unknown_value");
        assert_eq!(c.resolve("Melior!").unwrap_err().code(), "unknown_value");
        let err = Catalogue::parse(&TEXT.replace("(026-2) 784 41", "ring")).unwrap_err();
        assert!(err.to_string().contains("system melior"), "{err}");
        assert!(Catalogue::parse("").is_err());
    }
}
