//! Patient identity: the personnummer, the samordningsnummer and the locally
//! issued reserve number (reservnummer), validated into one [`PatientId`].
//!
//! * A **personnummer** is `ÅÅMMDD-NNNC` or `ÅÅÅÅMMDD-NNNC` (the separator may
//!   be left out): a real birth date, a birth number 001–999 and a Luhn
//!   check digit `C` over the nine digits `ÅÅMMDDNNN` (folkbokföringslagen
//!   18 §). In the ten-digit form the century is inferred from `today`: the
//!   separator `-` (or none) means the person turns at most 99 this calendar
//!   year, `+` that they turn 100 this year or are older. The law switches the
//!   sign "det år en person fyller 100 år", so the rule counts calendar years,
//!   not birthdays: on 2026-06-15, `260616-…` is a birth date in the future
//!   and `260616+…` is 1926-06-16.
//! * A **samordningsnummer** is written the same way with 60 added to the
//!   day (61–91); the real date (day − 60) must exist (18 a §).
//! * A **reserve number** is issued by a region when the identity is unknown.
//!   Formats vary (Region Stockholm `99ÅÅÅÅNNNNNC`, VGR `ÅÅÅÅMMDDKggC`, …), so
//!   any 1–32 characters of `A–Z`, `a–z`, `0–9` and `-` are accepted, but only
//!   through [`PatientId::parse_reserve`], never by [`PatientId::parse`], and
//!   never when the text is itself a valid personnummer or samordningsnummer.
//!
//! The canonical form of a personnummer or samordningsnummer is
//! `ÅÅÅÅMMDD-NNNC` (twelve digits and a dash, the day still +60 for a
//! samordningsnummer); a reserve number is kept trimmed and in upper case.
//! Serialised, a [`PatientId`] is `{"kind": "personnummer" |
//! "samordningsnummer" | "reserve", "value": <canonical>}`, and deserialising
//! validates it again ([`PatientId::from_canonical`] needs no `today`).
//!
//! [`find_personal_number`] finds a personnummer or samordningsnummer in
//! free text however it is written (dashes of every kind, dots, slashes,
//! spaces, full-width digits), for the texts that must not hold one.
//!
//! Errors never repeat the number that was typed: it is a personal identity
//! and error messages end up in logs. The clock is never read here: callers
//! pass `today` (in Swedish local time).

use std::fmt;
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};

mod free_text;
mod patient_id;
mod problems;
mod rules;
#[cfg(test)]
mod tests;

pub use free_text::*;
pub use patient_id::*;
pub use problems::*;
use rules::*;

/// The longest reserve number accepted, in characters.
pub const RESERVE_MAX_CHARS: usize = 32;

/// Birth years Reserv accepts. Skatteverket's register has centuries 18, 19
/// and 20; a year outside this window is a typing mistake (or a regional
/// reserve number such as Region Stockholm's `99ÅÅÅÅ…`, whose "year" is 99xx).
pub const BIRTH_YEARS: RangeInclusive<i16> = 1800..=2199;

/// What is added to the day of birth in a samordningsnummer.
const COORDINATION_DAY_OFFSET: u8 = 60;

const FIELD: Field = Field::PatientId;

/// Which kind of number identifies the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PatientIdKind {
    /// A personnummer from Skatteverket.
    Personnummer,
    /// A samordningsnummer (coordination number): the day of birth + 60.
    Samordningsnummer,
    /// A reserve number issued locally while the identity is unknown.
    Reserve,
}

impl PatientIdKind {
    /// The kind as the API spells it (also its serialised form).
    pub fn key(self) -> &'static str {
        match self {
            PatientIdKind::Personnummer => "personnummer",
            PatientIdKind::Samordningsnummer => "samordningsnummer",
            PatientIdKind::Reserve => "reserve",
        }
    }

    /// The kind's label in the Swedish UI.
    pub fn label_sv(self) -> &'static str {
        match self {
            PatientIdKind::Personnummer => "Personnummer",
            PatientIdKind::Samordningsnummer => "Samordningsnummer",
            PatientIdKind::Reserve => "Reservnummer",
        }
    }

    /// The kind's label in the English UI.
    pub fn label_en(self) -> &'static str {
        match self {
            PatientIdKind::Personnummer => "Personal identity number",
            PatientIdKind::Samordningsnummer => "Coordination number",
            PatientIdKind::Reserve => "Reserve number",
        }
    }
}
