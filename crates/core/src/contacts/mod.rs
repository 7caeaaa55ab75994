//! Contacts as data: the switchboards, direct numbers, IT support lines and
//! the rules for reaching a party (the municipality's "one way in", the
//! weekend route through home health care) that the routines list under
//! "Viktiga telefonnummer vid driftstopp" (seeds 000, 001, 003 §4.1).
//!
//! A region keeps one TOML file per source document in `data/contacts/`
//! (e.g. `001-vasternorrland.toml`): document metadata (`region`, optionally
//! `region_org` — the region's id in the organisation directory — `title`,
//! `document_type`, `approved_by`, `date`, `version`, `owner`, `source`), then
//! `[[contact]]` entries. A contact names a function or a place; it is for
//! one organisation of the directory (`org`), for every organisation of a
//! kind (`orgs_of_kind`, a rule such as "en väg in"), and/or for systems of
//! the catalogue (`systems`, e.g. an IT support line); it has phone numbers,
//! each with what it is (`kind`: växel, direkt, jour, sms …), and says when
//! it applies (`when`, with the source's `hours`), a `note` and the `cite`.
//!
//! Everything here is pure: [`parse_contacts`] reads one file, [`validate`]
//! checks a set against the directory and the catalogue, [`load`] does both
//! and returns every problem at once, each naming the file, the line and the
//! reason. [`PhoneNumber::parse`] is the one rule for what a phone number is.
//! [`ContactBook::search`] and [`ContactBook::phone_list`] answer the two
//! questions people ask: "what is the number of …" and "which numbers does
//! my unit need on paper today". Time is passed in.
//!
//! Rules a file must keep:
//! - contact ids are slugs, unique across the whole set;
//! - `category`, `when`, a phone's `kind` and `orgs_of_kind` are keys of
//!   their vocabularies; `org` and `region_org` exist in the directory
//!   (`region_org` is a region); every system is in the catalogue;
//! - a contact is for one organisation or for every organisation of a kind,
//!   not both; it has at least one phone number or a note that says how to
//!   reach it;
//! - phone numbers are Swedish numbers as people write them: `0…` with the
//!   area code (7–10 digits, spaces, dashes and parentheses allowed), `+46 …`,
//!   a short number of [`SHORT_NUMBERS`], or an internal extension of 3–6
//!   digits when its `kind` is `internal`. Letters, other characters, other
//!   countries, too few or too many digits are refused with the reason.

use std::collections::{HashMap, HashSet};
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize, Serializer};
use toml::Spanned;

use crate::catalogue::Catalogue;
use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, Reason, sorted, vocabulary};
use crate::ids::{OrgId, SystemId};
use crate::org::{OrgKind, Organisation, Principal};
use crate::routine::Approval;
use crate::time::{is_office_hours, is_working_day, local};

mod folding;
mod model;
mod parse;
mod phone;
mod phone_list;
mod problems;
mod search;
mod set;
#[cfg(test)]
mod tests;

pub use folding::*;
pub use model::*;
pub use parse::*;
pub use phone::*;
pub use phone_list::*;
pub use problems::*;
pub use search::*;
pub use set::*;

/// The longest name, note or hours text accepted.
pub const MAX_TEXT: usize = 600;

/// Short numbers accepted without an area code (digits only): SOS Alarm
/// 112, Vårdguiden 1177, 113 13 (information at accidents and crises),
/// 114 14 (the police, non-urgent), and the European 116 000 and 116 111.
pub const SHORT_NUMBERS: &[&str] = &["112", "1177", "11313", "11414", "116000", "116111"];

vocabulary!(
    /// What kind of contact an entry is; search results and lists group by it.
    Category, "kategori", "category" {
        Switchboard = "switchboard", "Växel", "Switchboard";
        /// A unit's own (direct) number.
        Unit = "unit", "Enhet", "Unit";
        ItSupport = "it_support", "IT-support", "IT support";
        Municipality = "municipality", "Kommun", "Municipality";
        HomeHealthCare = "home_health_care", "Kommunal hemsjukvård", "Municipal home health care";
        PrimaryCare = "primary_care", "Primärvård och öppenvård", "Primary and outpatient care";
        SystemAdministration = "system_administration", "Systemförvaltning", "System administration";
        Other = "other", "Övrigt", "Other";
    }
);

vocabulary!(
    /// What one phone number is.
    PhoneKind, "nummertyp", "phone kind" {
        Switchboard = "switchboard", "Växel", "Switchboard";
        Direct = "direct", "Direkt", "Direct";
        OnCall = "on_call", "Jour", "On call";
        Sms = "sms", "SMS", "Text message";
        Fax = "fax", "Fax", "Fax";
        /// An extension inside the region's own telephone system.
        Internal = "internal", "Internnummer", "Internal extension";
    }
);

vocabulary!(
    /// When a contact applies (seed 003 §4.1: office hours are weekdays
    /// 07:30–16:30, all other time is on-call time).
    When, "tid", "time" {
        Always = "always", "Alla tider", "At all times";
        OfficeHours = "office_hours", "Dagtid", "Office hours";
        OnCall = "on_call", "Jourtid", "On-call time";
        Weekends = "weekends", "Helger", "Weekends";
        /// The source gives no hours.
        NotStated = "not_stated", "Tider anges inte i källan", "Hours not stated in the source";
    }
);

impl When {
    /// Whether this contact applies at `now` (hours not stated: always).
    pub fn applies_at(self, now: Timestamp) -> bool {
        match self {
            When::Always | When::NotStated => true,
            When::OfficeHours => is_office_hours(now),
            When::OnCall => !is_office_hours(now),
            When::Weekends => !is_working_day(local(now).date()),
        }
    }
}
