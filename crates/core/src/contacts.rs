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
use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, Reason, is_slug, sorted, vocabulary};
use crate::ids::{OrgId, SystemId};
use crate::org::{OrgKind, Organisation, Principal};
use crate::routine::{Approval, NOT_YET_APPROVED};
use crate::time::{is_office_hours, is_working_day, local};

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

const ORG_KINDS: &[(OrgKind, &str)] = &[
    (OrgKind::Region, "region"),
    (OrgKind::Hospital, "hospital"),
    (OrgKind::Ward, "ward"),
    (OrgKind::PrimaryCareCentre, "primary_care_centre"),
    (OrgKind::OutpatientPsychiatry, "outpatient_psychiatry"),
    (OrgKind::Municipality, "municipality"),
    (OrgKind::ItManagement, "it_management"),
];

fn org_kind(key: &str) -> Option<OrgKind> {
    ORG_KINDS.iter().find(|(_, k)| *k == key).map(|(kind, _)| *kind)
}

fn org_kind_keys() -> String {
    ORG_KINDS.iter().map(|(_, k)| *k).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneProblem {
    Empty,
    /// Letters: a name or a word where the number should be.
    Letters,
    /// A character that has no place in a phone number.
    Character(char),
    /// `+` anywhere but first.
    Plus,
    Parentheses,
    /// `+` or `00` with a country code other than 46.
    NotSwedish,
    TooShort(usize),
    TooLong(usize),
    /// Neither `0…` with an area code, a known short number nor an internal extension.
    NoAreaCode(usize),
}

impl PhoneProblem {
    pub fn message_sv(&self) -> String {
        match self {
            PhoneProblem::Empty => "numret är tomt".into(),
            PhoneProblem::Letters => "ett telefonnummer innehåller inga bokstäver".into(),
            PhoneProblem::Character(c) => format!("tecknet ”{c}” hör inte hemma i ett telefonnummer"),
            PhoneProblem::Plus => "”+” får bara stå först (+46 …)".into(),
            PhoneProblem::Parentheses => "parenteserna går inte ihop".into(),
            PhoneProblem::NotSwedish => "bara svenska nummer: 0… med riktnummer eller +46 …".into(),
            PhoneProblem::TooShort(n) => format!("för kort: {n} siffror (ett nummer med riktnummer har 7–10)"),
            PhoneProblem::TooLong(n) => format!("för långt: {n} siffror (ett nummer med riktnummer har 7–10)"),
            PhoneProblem::NoAreaCode(n) => format!(
                "{n} siffror utan riktnummer: ange riktnummer (0…), ett känt kortnummer ({}) eller kind = \"internal\" för ett internnummer (3–6 siffror)",
                short_numbers_written()
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PhoneProblem::Empty => "the number is empty".into(),
            PhoneProblem::Letters => "a phone number has no letters".into(),
            PhoneProblem::Character(c) => format!("`{c}` has no place in a phone number"),
            PhoneProblem::Plus => "`+` may only come first (+46 …)".into(),
            PhoneProblem::Parentheses => "the parentheses do not match".into(),
            PhoneProblem::NotSwedish => "Swedish numbers only: 0… with the area code, or +46 …".into(),
            PhoneProblem::TooShort(n) => format!("too short: {n} digits (a number with area code has 7–10)"),
            PhoneProblem::TooLong(n) => format!("too long: {n} digits (a number with area code has 7–10)"),
            PhoneProblem::NoAreaCode(n) => format!(
                "{n} digits without an area code: give the area code (0…), a known short number ({}) or kind = \"internal\" for an internal extension (3–6 digits)",
                short_numbers_written()
            ),
        }
    }
}

fn short_numbers_written() -> &'static str {
    "112, 1177, 113 13, 114 14, 116 000, 116 111"
}

/// What sort of number a [`PhoneNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberClass {
    /// With the area code: reachable from anywhere in Sweden.
    National,
    /// A national short number such as 1177.
    Short,
    /// An extension that works only inside the region's telephone system.
    Internal,
}

/// A validated Swedish phone number, kept as written (the source's spacing
/// and dashes) with its digits for search and for `tel:` links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    written: String,
    digits: String,
    class: NumberClass,
}

impl PhoneNumber {
    /// Parses a number as people write it. `internal` allows an extension of
    /// 3–6 digits without an area code (a phone of kind `internal`).
    pub fn parse(raw: &str, internal: bool) -> Result<PhoneNumber, PhoneProblem> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(PhoneProblem::Empty);
        }
        if t.chars().any(char::is_alphabetic) {
            return Err(PhoneProblem::Letters);
        }
        if let Some(c) = t.chars().find(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '–' | '(' | ')' | '+'))) {
            return Err(PhoneProblem::Character(c));
        }
        if t.char_indices().any(|(i, c)| c == '+' && i > 0) {
            return Err(PhoneProblem::Plus);
        }
        let mut depth = 0i32;
        for c in t.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if !(0..=1).contains(&depth) {
                return Err(PhoneProblem::Parentheses);
            }
        }
        if depth != 0 {
            return Err(PhoneProblem::Parentheses);
        }
        let all: String = t.chars().filter(char::is_ascii_digit).collect();
        let international = if t.starts_with('+') { Some(all.as_str()) } else { all.strip_prefix("00") };
        let digits = match international {
            Some(rest) => match rest.strip_prefix("46") {
                Some(national) if !national.starts_with('0') => format!("0{national}"),
                _ => return Err(PhoneProblem::NotSwedish),
            },
            None => all.clone(),
        };
        let n = digits.len();
        if digits.starts_with('0') {
            return match n {
                0..=6 => Err(PhoneProblem::TooShort(n)),
                7..=10 => Ok(PhoneNumber { written: t.to_owned(), digits, class: NumberClass::National }),
                _ => Err(PhoneProblem::TooLong(n)),
            };
        }
        if SHORT_NUMBERS.contains(&digits.as_str()) {
            return Ok(PhoneNumber { written: t.to_owned(), digits, class: NumberClass::Short });
        }
        if internal && (3..=6).contains(&n) {
            return Ok(PhoneNumber { written: t.to_owned(), digits, class: NumberClass::Internal });
        }
        if n > 10 {
            return Err(PhoneProblem::TooLong(n));
        }
        Err(PhoneProblem::NoAreaCode(n))
    }

    /// The number as written, e.g. `0611-800 00` or `(026-1) 53 000`.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// The digits in national form (`+46 611` becomes `0611`).
    pub fn digits(&self) -> &str {
        &self.digits
    }

    pub fn class(&self) -> NumberClass {
        self.class
    }

    /// A `tel:` link: `tel:+4661180000`, `tel:1177`, or the bare extension.
    pub fn tel_uri(&self) -> String {
        match self.class {
            NumberClass::National => format!("tel:+46{}", &self.digits[1..]),
            NumberClass::Short | NumberClass::Internal => format!("tel:{}", self.digits),
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// One number of a contact and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub number: PhoneNumber,
    pub kind: PhoneKind,
    /// A label when the kind alone does not say it, e.g. "ärendeportal".
    pub label: Option<String>,
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            number: &'a str,
            digits: &'a str,
            tel: String,
            class: NumberClass,
            kind: PhoneKind,
            #[serde(skip_serializing_if = "Option::is_none")]
            label: Option<&'a str>,
        }
        Out {
            number: self.number.as_str(),
            digits: self.number.digits(),
            tel: self.number.tel_uri(),
            class: self.number.class(),
            kind: self.kind,
            label: self.label.as_deref(),
        }
        .serialize(s)
    }
}

// ---------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// The parsed data
// ---------------------------------------------------------------------------

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
    org_line: usize,
    #[serde(skip)]
    system_lines: Vec<usize>,
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
    region_org_line: usize,
}

// ---------------------------------------------------------------------------
// Parsing one file
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    region: Spanned<String>,
    #[serde(default)]
    region_org: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    document_type: Option<Spanned<String>>,
    #[serde(default)]
    approved_by: Option<Spanned<String>>,
    #[serde(default)]
    date: Option<Spanned<String>>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    contact: Vec<RawContact>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    id: Spanned<String>,
    name: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    org: Option<Spanned<String>>,
    #[serde(default)]
    orgs_of_kind: Option<Spanned<String>>,
    #[serde(default)]
    systems: Vec<Spanned<String>>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    hours: Option<Spanned<String>>,
    #[serde(default)]
    phone: Vec<RawPhone>,
    #[serde(default)]
    email: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<Spanned<String>>,
    cite: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhone {
    number: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    label: Option<Spanned<String>>,
}

impl Kind for ContactFile {
    const KIND: FileKind = FileKind::Contacts;
    const MAX_TEXT: usize = MAX_TEXT;
    type Problem = ContactProblem;
}

impl FileCheck<'_, ContactFile> {
    fn contact(&mut self, raw: &RawContact, region: &str, ids: &mut HashMap<String, usize>) -> Option<Contact> {
        let line = self.line(raw.id.span());
        let id = raw.id.get_ref().trim().to_owned();
        if !is_slug(&id) {
            self.at(raw.id.span(), "id", ContactProblem::InvalidId(id.clone()));
        } else if let Some(first_line) = ids.get(&id) {
            let problem = ContactProblem::DuplicateId {
                id: id.clone(),
                first_file: self.file.to_owned(),
                first_line: *first_line,
            };
            self.at(raw.id.span(), "id", problem);
        } else {
            ids.insert(id.clone(), line);
        }
        let name = self.text("name", &raw.name);
        let category = self.vocabulary::<Category>("category", raw.category.get_ref(), raw.category.span());
        let when = match &raw.when {
            None => Some(When::NotStated),
            Some(w) => self.vocabulary::<When>("when", w.get_ref(), w.span()),
        };
        let mut org_line = 0;
        let org = raw.org.as_ref().and_then(|o| {
            org_line = self.line(o.span());
            match OrgId::parse(o.get_ref().trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    self.at(o.span(), "org", ContactProblem::InvalidOrgId(o.get_ref().clone()));
                    None
                }
            }
        });
        let orgs_of_kind = raw.orgs_of_kind.as_ref().and_then(|k| {
            let found = org_kind(k.get_ref().trim());
            if found.is_none() {
                let (what_sv, what_en) = ("organisationstyp", "organisation kind");
                let value = k.get_ref().chars().take(40).collect();
                self.at(k.span(), "orgs_of_kind", Reason::unknown(value, what_sv, what_en, org_kind_keys()));
            }
            found
        });
        if let (Some(o), Some(_)) = (&raw.org, &raw.orgs_of_kind) {
            self.at(o.span(), "org", ContactProblem::OrgAndKind);
        }
        let mut systems = Vec::new();
        let mut system_lines = Vec::new();
        for s in &raw.systems {
            if let Some(id) = self.system_id("systems", s.get_ref(), s.span()) {
                systems.push(id);
                system_lines.push(self.line(s.span()));
            }
        }
        let hours = self.optional_text("hours", &raw.hours);
        let mut phones: Vec<Phone> = Vec::new();
        for p in &raw.phone {
            let kind = self.vocabulary::<PhoneKind>("kind", p.kind.get_ref(), p.kind.span());
            let label = self.optional_text("label", &p.label);
            let raw_number = p.number.get_ref();
            match PhoneNumber::parse(raw_number, kind == Some(PhoneKind::Internal)) {
                Ok(number) => {
                    if phones.iter().any(|x| x.number.digits() == number.digits()) {
                        let problem = ContactProblem::DuplicatePhone(raw_number.trim().to_owned());
                        self.at(p.number.span(), "number", problem);
                    } else if let Some(kind) = kind {
                        phones.push(Phone { number, kind, label });
                    }
                }
                Err(problem) => {
                    let number = raw_number.trim().to_owned();
                    self.at(p.number.span(), "number", ContactProblem::InvalidPhone { number, problem });
                }
            }
        }
        let email = self.optional_text("email", &raw.email);
        if let (Some(e), Some(raw_e)) = (&email, &raw.email) {
            let ok = e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                && !e.chars().any(char::is_whitespace);
            if !ok {
                self.at(raw_e.span(), "email", ContactProblem::InvalidEmail(e.clone()));
            }
        }
        let url = self.optional_text("url", &raw.url);
        if let (Some(u), Some(raw_u)) = (&url, &raw.url)
            && (!(u.starts_with("https://") || u.starts_with("http://")) || u.chars().any(char::is_whitespace))
        {
            self.at(raw_u.span(), "url", ContactProblem::InvalidUrl(u.clone()));
        }
        let note = self.optional_text("note", &raw.note);
        if raw.phone.is_empty() && note.as_deref().is_none_or(str::is_empty) {
            self.error(raw.id.span(), ContactProblem::NoWayToReach);
        }
        let cite = self.text("cite", &raw.cite);
        Some(Contact {
            id,
            name,
            category: category?,
            org,
            orgs_of_kind,
            systems,
            when: when?,
            hours,
            phones,
            email,
            url,
            note,
            cite,
            region: region.to_owned(),
            file: self.file.to_owned(),
            line,
            org_line,
            system_lines,
        })
    }
}

/// Parses one contact file. Checks everything that needs no other file:
/// TOML shape, vocabularies, required texts, ids, phone numbers, the date.
/// Returns every problem found, each with file and line.
pub fn parse_contacts(file: &str, text: &str) -> Result<ContactFile, Vec<DataFileError>> {
    match parse_partial(file, text) {
        (Some(f), errors) if errors.is_empty() => Ok(f),
        (_, errors) => Err(errors),
    }
}

/// Parses a file as far as it can: the contacts that could be read (for
/// [`load`] to check against the directory too) and every problem found.
fn parse_partial(file: &str, text: &str) -> (Option<ContactFile>, Vec<DataFileError>) {
    let raw: RawFile = match FileCheck::<ContactFile>::toml(file, text) {
        Ok(raw) => raw,
        Err(errors) => return (None, errors),
    };
    let mut check = FileCheck::<ContactFile>::new(file, text);
    let region = check.text("region", &raw.region);
    let mut region_org_line = 0;
    let region_org = raw.region_org.as_ref().and_then(|o| {
        region_org_line = check.line(o.span());
        match OrgId::parse(o.get_ref().trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                check.at(o.span(), "region_org", ContactProblem::InvalidOrgId(o.get_ref().clone()));
                None
            }
        }
    });
    let title = check.text("title", &raw.title);
    let document_type = check.optional_text("document_type", &raw.document_type);
    let version = check.optional_text("version", &raw.version);
    let owner = check.optional_text("owner", &raw.owner);
    let source = check.text("source", &raw.source);
    let approval = match check.optional_text("approved_by", &raw.approved_by) {
        None => Approval::NotStated,
        Some(a) if NOT_YET_APPROVED.iter().any(|n| a.eq_ignore_ascii_case(n)) => Approval::NotYetApproved,
        Some(a) => Approval::Approved(a),
    };
    let date = check.date("date", &raw.date);
    if raw.contact.is_empty() {
        check.push(None, Some("contact"), ContactProblem::NoContacts);
    }
    let mut ids = HashMap::new();
    let contacts: Vec<Contact> = raw.contact.iter().filter_map(|c| check.contact(c, &region, &mut ids)).collect();
    let parsed = ContactFile {
        file: file.to_owned(),
        region,
        region_org,
        title,
        document_type,
        approval,
        date,
        version,
        owner,
        source,
        contacts,
        region_org_line,
    };
    (Some(parsed), check.errors)
}

// ---------------------------------------------------------------------------
// Validating a set
// ---------------------------------------------------------------------------

/// A validated set of contact files, sorted by file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactBook {
    files: Vec<ContactFile>,
}

/// Checks parsed files against the directory, the catalogue and each other:
/// organisations and systems exist, `region_org` is a region, ids are unique
/// across the set, no file name twice.
pub fn validate(
    mut files: Vec<ContactFile>,
    orgs: &[Organisation],
    catalogue: &Catalogue,
) -> Result<ContactBook, Vec<DataFileError>> {
    files.sort_by(|a, b| a.file.cmp(&b.file));
    let by_id: HashMap<&OrgId, &Organisation> = orgs.iter().map(|o| (&o.id, o)).collect();
    let mut errors = Vec::new();
    let mut names = HashSet::new();
    let mut ids: HashMap<&str, (&str, usize)> = HashMap::new();
    for f in &files {
        if !names.insert(f.file.as_str()) {
            errors.push(FileCheck::<ContactFile>::problem(&f.file, None, Reason::DuplicateFile));
        }
        if let Some(r) = &f.region_org {
            match by_id.get(r) {
                Some(o) if o.kind == OrgKind::Region => {}
                Some(_) => errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(f.region_org_line),
                    ContactProblem::RegionOrgNotARegion(r.to_string()),
                )),
                None => errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(f.region_org_line),
                    ContactProblem::UnknownOrganisation(r.to_string()),
                )),
            }
        }
        for c in &f.contacts {
            match ids.get(c.id.as_str()) {
                Some((first_file, first_line)) if *first_file != f.file => {
                    let problem = ContactProblem::DuplicateId {
                        id: c.id.clone(),
                        first_file: (*first_file).to_owned(),
                        first_line: *first_line,
                    };
                    errors.push(FileCheck::<ContactFile>::problem(&f.file, Some(c.line), problem));
                }
                Some(_) => {} // reported by parse_contacts
                None => {
                    ids.insert(&c.id, (&f.file, c.line));
                }
            }
            if let Some(o) = &c.org
                && !by_id.contains_key(o)
            {
                errors.push(FileCheck::<ContactFile>::problem(
                    &f.file,
                    Some(c.org_line),
                    ContactProblem::UnknownOrganisation(o.to_string()),
                ));
            }
            for (s, line) in c.systems.iter().zip(&c.system_lines) {
                if catalogue.get(s).is_none() {
                    let problem = Reason::UnknownSystem(s.to_string());
                    errors.push(FileCheck::<ContactFile>::problem(&f.file, Some(*line), problem));
                }
            }
        }
    }
    if errors.is_empty() { Ok(ContactBook { files }) } else { Err(sorted(errors)) }
}

/// Parses and validates a set of files given as (file name, text) and
/// returns every problem of every file (what could be read of a file with
/// problems is checked against the directory and catalogue too). This is what `reserv contacts
/// check` and the server's loader call.
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    orgs: &[Organisation],
    catalogue: &Catalogue,
) -> Result<ContactBook, Vec<DataFileError>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (file, text) in files {
        let (f, e) = parse_partial(file, text);
        parsed.extend(f);
        errors.extend(e);
    }
    match validate(parsed, orgs, catalogue) {
        Ok(book) if errors.is_empty() => Ok(book),
        Ok(_) => Err(sorted(errors)),
        Err(e) => {
            errors.extend(e);
            Err(sorted(errors))
        }
    }
}

// ---------------------------------------------------------------------------
// Text: folding and Swedish order
// ---------------------------------------------------------------------------

/// Lowercase without diacritics, so "Ange" finds "Ånge" and "harnosand"
/// finds "Härnösand".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'æ' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            '–' | '—' => '-',
            c => c,
        })
        .collect()
}

/// A key that sorts in Swedish alphabetical order: a–z, then å, ä, ö.
pub fn swedish_order_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            'é' | 'è' => 'e' as u32,
            'ü' => 'y' as u32,
            c => c as u32,
        })
        .collect()
}

fn has_swedish_letter(s: &str) -> bool {
    s.chars().any(|c| matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö'))
}

/// The digits of a number typed into the search, national form.
fn query_digits(s: &str) -> String {
    let all: String = s.chars().filter(char::is_ascii_digit).collect();
    match all.strip_prefix("46") {
        Some(rest) if s.trim_start().starts_with('+') => format!("0{rest}"),
        _ => all,
    }
}

fn is_number_like(s: &str) -> bool {
    let t = s.trim();
    t.chars().filter(char::is_ascii_digit).count() >= 2
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '–' | '(' | ')' | '+'))
}

// ---------------------------------------------------------------------------
// Entries: what a search or a list shows
// ---------------------------------------------------------------------------

/// One contact as shown: a contact of a file, or an organisation of the
/// directory with its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The contact's id, or `katalog:<org id>` for a directory entry.
    pub id: String,
    pub name: String,
    pub category: Category,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orgs_of_kind: Option<OrgKind>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<SystemId>,
    pub when: When,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    pub phones: Vec<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The seed file and section; empty for a directory entry.
    pub cite: String,
    /// Taken from the organisation directory, not from a contact file.
    pub from_directory: bool,
}

impl Entry {
    fn from_contact(c: &Contact, orgs: &HashMap<&OrgId, &Organisation>) -> Entry {
        Entry {
            id: c.id.clone(),
            name: c.name.clone(),
            category: c.category,
            region: c.region.clone(),
            org: c.org.clone(),
            org_name: c.org.as_ref().and_then(|o| orgs.get(o)).map(|o| o.name.clone()),
            orgs_of_kind: c.orgs_of_kind,
            systems: c.systems.clone(),
            when: c.when,
            hours: c.hours.clone(),
            phones: c.phones.clone(),
            email: c.email.clone(),
            url: c.url.clone(),
            note: c.note.clone(),
            cite: c.cite.clone(),
            from_directory: false,
        }
    }

    fn from_org(o: &Organisation, region: &str) -> Entry {
        let mut phones: Vec<Phone> = Vec::new();
        for (raw, kind) in [(&o.switchboard, PhoneKind::Switchboard), (&o.direct_phone, PhoneKind::Direct)] {
            if let Some(number) = raw.as_deref().and_then(|r| PhoneNumber::parse(r, true).ok())
                && !phones.iter().any(|p| p.number.digits() == number.digits())
            {
                phones.push(Phone { number, kind, label: None });
            }
        }
        Entry {
            id: format!("katalog:{}", o.id),
            name: o.name.clone(),
            category: match o.kind {
                OrgKind::Region | OrgKind::Hospital => Category::Switchboard,
                OrgKind::Ward => Category::Unit,
                OrgKind::PrimaryCareCentre | OrgKind::OutpatientPsychiatry => Category::PrimaryCare,
                OrgKind::Municipality => Category::Municipality,
                OrgKind::ItManagement => Category::ItSupport,
            },
            region: region.to_owned(),
            org: Some(o.id.clone()),
            org_name: Some(o.name.clone()),
            orgs_of_kind: None,
            systems: Vec::new(),
            when: When::NotStated,
            hours: None,
            phones,
            email: None,
            url: None,
            note: None,
            cite: String::new(),
            from_directory: true,
        }
    }

    /// Everything a person may type to find this entry, lowercased.
    fn haystack(&self, catalogue: &Catalogue) -> String {
        let mut parts: Vec<&str> = vec![&self.name, &self.region];
        parts.extend(self.org_name.as_deref());
        parts.extend([self.category.label_sv(), self.category.label_en()]);
        if self.when != When::NotStated {
            parts.extend([self.when.label_sv(), self.when.label_en()]);
        }
        if let Some(k) = self.orgs_of_kind {
            parts.extend([k.label_sv(), k.label_en()]);
        }
        parts.extend(self.hours.as_deref());
        parts.extend(self.note.as_deref());
        parts.extend(self.email.as_deref());
        for p in &self.phones {
            parts.extend([p.number.as_str(), p.kind.label_sv()]);
            parts.extend(p.label.as_deref());
        }
        let names: Vec<String> = self
            .systems
            .iter()
            .flat_map(|s| [s.to_string(), catalogue.get(s).map(|x| x.name.clone()).unwrap_or_default()])
            .collect();
        let mut text = parts.join("\n");
        text.push('\n');
        text.push_str(&names.join("\n"));
        text.to_lowercase()
    }

    fn title_text(&self) -> String {
        let mut t = self.name.clone();
        if let Some(o) = &self.org_name {
            t.push('\n');
            t.push_str(o);
        }
        t.to_lowercase()
    }
}

/// The entries of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub region: String,
    pub entries: Vec<Entry>,
}

/// What a search found, grouped by region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub total: usize,
    pub groups: Vec<Group>,
}

/// One term of a query.
enum Term {
    /// Digits, matched against the numbers' digits.
    Digits(String),
    /// A word as typed, lowercased, and folded.
    Text { exact: String, folded: String, swedish: bool },
}

fn terms(query: &str) -> Vec<Term> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    if is_number_like(q) {
        return vec![Term::Digits(query_digits(q))];
    }
    q.split_whitespace()
        .map(|w| {
            if is_number_like(w) {
                Term::Digits(query_digits(w))
            } else {
                Term::Text { exact: w.to_lowercase(), folded: fold(w), swedish: has_swedish_letter(w) }
            }
        })
        .collect()
}

/// How well an entry matches: `None` no match, `Some(0)` in its name, `Some(1)` elsewhere.
fn score(entry: &Entry, terms: &[Term], catalogue: &Catalogue, exact_swedish: bool) -> Option<u8> {
    let hay = entry.haystack(catalogue);
    let hay_folded = fold(&hay);
    let title = entry.title_text();
    let title_folded = fold(&title);
    let mut in_title = true;
    for t in terms {
        match t {
            Term::Digits(d) => {
                if !entry.phones.iter().any(|p| p.number.digits().contains(d.as_str())) {
                    return None;
                }
            }
            Term::Text { exact, folded, swedish } => {
                let (found, titled) = if *swedish && exact_swedish {
                    (hay.contains(exact.as_str()), title.contains(exact.as_str()))
                } else {
                    (hay_folded.contains(folded.as_str()), title_folded.contains(folded.as_str()))
                };
                if !found {
                    return None;
                }
                in_title &= titled;
            }
        }
    }
    Some(if in_title { 0 } else { 1 })
}

// ---------------------------------------------------------------------------
// The phone list of a unit
// ---------------------------------------------------------------------------

/// The parts of a unit's phone list, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    OwnUnit,
    Switchboards,
    ItSupport,
    Municipalities,
    Hospitals,
    PrimaryCare,
}

impl SectionKind {
    pub fn key(self) -> &'static str {
        match self {
            SectionKind::OwnUnit => "own_unit",
            SectionKind::Switchboards => "switchboards",
            SectionKind::ItSupport => "it_support",
            SectionKind::Municipalities => "municipalities",
            SectionKind::Hospitals => "hospitals",
            SectionKind::PrimaryCare => "primary_care",
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            SectionKind::OwnUnit => "Egen enhet",
            SectionKind::Switchboards => "Växlar",
            SectionKind::ItSupport => "IT-support",
            SectionKind::Municipalities => "Kommuner",
            SectionKind::Hospitals => "Sjukhus",
            SectionKind::PrimaryCare => "Primärvård och psykiatrisk öppenvård",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SectionKind::OwnUnit => "Own unit",
            SectionKind::Switchboards => "Switchboards",
            SectionKind::ItSupport => "IT support",
            SectionKind::Municipalities => "Municipalities",
            SectionKind::Hospitals => "Hospitals",
            SectionKind::PrimaryCare => "Primary care and outpatient psychiatry",
        }
    }
}

impl Serialize for SectionKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// One line of a phone list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub entry: Entry,
    /// Whether it applies at the time the list was made (office hours, on-call, weekends).
    pub applies_now: bool,
    /// A rule taken from another region's routine because the unit's own
    /// region's files say nothing on it (shown with that region's name).
    pub other_region: bool,
}

/// One part of a phone list: rules that apply to all its lines (`notes`),
/// then the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub kind: SectionKind,
    pub notes: Vec<Row>,
    pub rows: Vec<Row>,
}

/// The one-page phone list of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneList {
    pub unit: OrgId,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    /// The unit's region, when the directory says.
    pub region: Option<String>,
    /// Weekdays 07:30–16:30 at the time the list was made (seed 003 §4.1).
    pub office_hours_now: bool,
    pub made_at: Timestamp,
    pub sections: Vec<Section>,
}

struct Directory<'a> {
    orgs: &'a [Organisation],
    by_id: HashMap<&'a OrgId, &'a Organisation>,
}

impl<'a> Directory<'a> {
    fn new(orgs: &'a [Organisation]) -> Directory<'a> {
        Directory { orgs, by_id: orgs.iter().map(|o| (&o.id, o)).collect() }
    }

    /// The parent chain, nearest first.
    fn ancestors(&self, o: &'a Organisation) -> Vec<&'a Organisation> {
        let mut out = Vec::new();
        let mut at = o;
        while let Some(p) = at.parent.as_ref().and_then(|p| self.by_id.get(p)) {
            if out.len() > 16 || out.iter().any(|x: &&Organisation| x.id == p.id) {
                break;
            }
            out.push(*p);
            at = p;
        }
        out
    }

    /// The region an organisation belongs to: its region ancestor, or the
    /// directory's only region (municipalities have no parent).
    fn region_of(&self, o: &'a Organisation) -> Option<&'a Organisation> {
        if o.kind == OrgKind::Region {
            return Some(o);
        }
        if let Some(r) = self.ancestors(o).into_iter().find(|a| a.kind == OrgKind::Region) {
            return Some(r);
        }
        let mut regions = self.orgs.iter().filter(|x| x.kind == OrgKind::Region);
        match (regions.next(), regions.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    }

    fn region_name(&self, o: &'a Organisation) -> String {
        self.region_of(o).map(|r| r.name.clone()).unwrap_or_default()
    }

    fn of_kind(&self, kinds: &[OrgKind]) -> Vec<&'a Organisation> {
        let mut found: Vec<&Organisation> = self.orgs.iter().filter(|o| kinds.contains(&o.kind)).collect();
        found.sort_by(|a, b| swedish_order_key(&a.name).cmp(&swedish_order_key(&b.name)).then(a.id.cmp(&b.id)));
        found
    }
}

impl ContactBook {
    /// The files, sorted by name.
    pub fn files(&self) -> &[ContactFile] {
        &self.files
    }

    /// Every contact, file by file, as written.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.files.iter().flat_map(|f| f.contacts.iter())
    }

    /// The contact with this id.
    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.contacts().find(|c| c.id == id)
    }

    /// Searches names, notes, organisation names, regions, systems and
    /// numbers. Case does not matter; a word without å, ä or ö also finds
    /// the word with them ("Ange" finds "Ånge"); a word with them is matched
    /// as written, unless nothing matches so. A number matches with or
    /// without spaces, dashes or +46. Every word must match. An empty query
    /// lists everything. The directory's organisations with numbers that no
    /// contact covers are included. Groups are regions; within a group,
    /// entries matched in their name come first, then by category and name.
    pub fn search(&self, query: &str, orgs: &[Organisation], catalogue: &Catalogue) -> SearchResult {
        let dir = Directory::new(orgs);
        let covered: HashSet<&OrgId> = self.contacts().filter_map(|c| c.org.as_ref()).collect();
        let mut entries: Vec<Entry> = self.contacts().map(|c| Entry::from_contact(c, &dir.by_id)).collect();
        for o in orgs {
            if !covered.contains(&o.id) && (o.switchboard.is_some() || o.direct_phone.is_some()) {
                let e = Entry::from_org(o, &dir.region_name(o));
                if !e.phones.is_empty() {
                    entries.push(e);
                }
            }
        }
        let terms = terms(query);
        let mut scored: Vec<(u8, Entry)> =
            entries.iter().filter_map(|e| score(e, &terms, catalogue, true).map(|s| (s, e.clone()))).collect();
        if scored.is_empty() && terms.iter().any(|t| matches!(t, Term::Text { swedish: true, .. })) {
            scored = entries.into_iter().filter_map(|e| score(&e, &terms, catalogue, false).map(|s| (s, e))).collect();
        }
        scored.sort_by(|(sa, a), (sb, b)| {
            (sa, a.category, swedish_order_key(&a.name)).cmp(&(sb, b.category, swedish_order_key(&b.name)))
        });
        let mut groups: Vec<(u8, Group)> = Vec::new();
        for (s, e) in scored {
            match groups.iter_mut().find(|(_, g)| g.region == e.region) {
                Some((best, g)) => {
                    *best = (*best).min(s);
                    g.entries.push(e);
                }
                None => groups.push((s, Group { region: e.region.clone(), entries: vec![e] })),
            }
        }
        groups.sort_by(|(sa, a), (sb, b)| (sa, swedish_order_key(&a.region)).cmp(&(sb, swedish_order_key(&b.region))));
        let total = groups.iter().map(|(_, g)| g.entries.len()).sum();
        SearchResult { query: query.trim().to_owned(), total, groups: groups.into_iter().map(|(_, g)| g).collect() }
    }

    /// The phone list of `unit` at `now`, or `None` if the unit is not in
    /// the directory. Sections, in this order, empty ones left out:
    /// - the unit's own numbers;
    /// - the switchboards above it (hospital, region), or for a municipality
    ///   the region's switchboard;
    /// - IT support for its principal (a municipality's own IT support, the
    ///   region's service desk for region units), each line marked whether
    ///   it applies now (office hours or on-call);
    /// - for region units: every municipality of the directory with its
    ///   switchboard, with the rules of the unit's region as notes (seed 001:
    ///   one way in through the needs assessor) and the weekend route (seed
    ///   000: through the municipality's home health care) — if the unit's
    ///   region has no weekend rule, another region's is shown, marked so;
    /// - for municipalities, primary care and outpatient psychiatry: the hospitals;
    /// - primary-care centres and outpatient psychiatry (not the unit itself),
    ///   with the region's rules for reaching them.
    ///
    /// Organisations are in Swedish alphabetical order; everything else as
    /// the files list it, so the list is the same every time.
    pub fn phone_list(&self, orgs: &[Organisation], unit: &OrgId, now: Timestamp) -> Option<PhoneList> {
        let dir = Directory::new(orgs);
        let u = *dir.by_id.get(unit)?;
        let region = dir.region_of(u);
        let region_id = region.map(|r| &r.id);
        let own_region = |c: &Contact| {
            self.files.iter().any(|f| f.file == c.file && f.region_org.is_some() && f.region_org.as_ref() == region_id)
        };
        let row =
            |entry: Entry, other_region: bool| Row { applies_now: entry.when.applies_at(now), entry, other_region };
        // The lines for one organisation: its contacts, then its directory
        // numbers that no contact lists (or the bare organisation).
        let org_rows = |o: &Organisation| -> Vec<Row> {
            let mine: Vec<&Contact> = self.contacts().filter(|c| c.org.as_ref() == Some(&o.id)).collect();
            let mut rows: Vec<Row> = mine.iter().map(|c| row(Entry::from_contact(c, &dir.by_id), false)).collect();
            let mut from_dir = Entry::from_org(o, &dir.region_name(o));
            from_dir
                .phones
                .retain(|p| !mine.iter().any(|c| c.phones.iter().any(|x| x.number.digits() == p.number.digits())));
            if rows.is_empty() || !from_dir.phones.is_empty() {
                rows.push(row(from_dir, false));
            }
            rows
        };
        let rules = |kinds: &[OrgKind], pick: &dyn Fn(&Contact) -> bool| -> Vec<Row> {
            self.contacts()
                .filter(|c| c.orgs_of_kind.is_some_and(|k| kinds.contains(&k)) && own_region(c) && pick(c))
                .map(|c| row(Entry::from_contact(c, &dir.by_id), false))
                .collect()
        };
        let principal = u.kind.principal();
        let mut sections = Vec::new();
        let mut push = |kind: SectionKind, notes: Vec<Row>, rows: Vec<Row>| {
            if !notes.is_empty() || !rows.is_empty() {
                sections.push(Section { kind, notes, rows });
            }
        };

        push(SectionKind::OwnUnit, Vec::new(), org_rows(u));

        let above: Vec<&Organisation> =
            if principal == Principal::Municipality { region.into_iter().collect() } else { dir.ancestors(u) };
        push(SectionKind::Switchboards, Vec::new(), above.iter().flat_map(|o| org_rows(o)).collect());

        let it: Vec<Row> = self
            .contacts()
            .filter(|c| c.category == Category::ItSupport && own_region(c))
            .filter(|c| match (&c.orgs_of_kind, &c.org) {
                (Some(k), _) => *k == u.kind,
                (None, Some(o)) => dir.by_id.get(o).is_some_and(|o| o.kind.principal() == principal),
                (None, None) => principal == Principal::Region,
            })
            .map(|c| row(Entry::from_contact(c, &dir.by_id), false))
            .collect();
        let it_ids: HashSet<&OrgId> = it.iter().filter_map(|r| r.entry.org.as_ref()).collect();
        let mut it_rows = it.clone();
        if principal == Principal::Region {
            for o in dir.of_kind(&[OrgKind::ItManagement]) {
                if !it_ids.contains(&o.id) && dir.region_of(o).map(|r| &r.id) == region_id {
                    it_rows.extend(org_rows(o));
                }
            }
        }
        push(SectionKind::ItSupport, Vec::new(), it_rows);

        if principal == Principal::Region {
            let municipal = [OrgKind::Municipality];
            let mut notes = rules(&municipal, &|c| c.category != Category::ItSupport);
            if !notes.iter().any(|n| n.entry.when == When::Weekends) {
                notes.extend(
                    self.contacts()
                        .filter(|c| c.orgs_of_kind == Some(OrgKind::Municipality) && c.when == When::Weekends)
                        .filter(|c| !own_region(c))
                        .map(|c| row(Entry::from_contact(c, &dir.by_id), true)),
                );
            }
            let rows = dir.of_kind(&municipal).into_iter().flat_map(&org_rows).collect();
            push(SectionKind::Municipalities, notes, rows);
        }

        if matches!(u.kind, OrgKind::Municipality | OrgKind::PrimaryCareCentre | OrgKind::OutpatientPsychiatry) {
            let rows = dir.of_kind(&[OrgKind::Hospital]).into_iter().flat_map(&org_rows).collect();
            push(SectionKind::Hospitals, Vec::new(), rows);
        }

        let care = [OrgKind::PrimaryCareCentre, OrgKind::OutpatientPsychiatry];
        let notes = rules(&care, &|c| c.category != Category::ItSupport);
        let rows = dir.of_kind(&care).into_iter().filter(|o| o.id != u.id).flat_map(&org_rows).collect();
        push(SectionKind::PrimaryCare, notes, rows);

        Some(PhoneList {
            unit: u.id.clone(),
            unit_name: u.name.clone(),
            unit_kind: u.kind,
            region: region.map(|r| r.name.clone()),
            office_hours_now: is_office_hours(now),
            made_at: now,
            sections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::parse_directory;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/contacts");
    const SYSTEMS: &str = include_str!("../../../data/systems.toml");
    const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

    fn catalogue() -> Catalogue {
        Catalogue::parse(SYSTEMS).unwrap()
    }

    fn orgs() -> Vec<Organisation> {
        parse_directory(DIRECTORY).unwrap()
    }

    /// Every shipped contact file as (name, text), sorted by name.
    fn shipped_files() -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(DIR)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    fn shipped() -> ContactBook {
        let files = shipped_files();
        match load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &orgs(), &catalogue()) {
            Ok(book) => book,
            Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A Monday at 10:00 Stockholm time (office hours).
    fn monday_10() -> Timestamp {
        at("2026-11-23T09:00:00Z")
    }

    /// A Saturday at 11:00 Stockholm time.
    fn saturday_11() -> Timestamp {
        at("2026-11-28T10:00:00Z")
    }

    const GOOD: &str = r#"
region = "Region Västernorrland"
region_org = "rvn"
title = "Telefonlista"
source = "test"

[[contact]]
id = "timra"
name = "Timrå kommun, växel"
category = "municipality"
org = "kommun-timra"
phone = [{ number = "060-16 31 00", kind = "switchboard" }]
cite = "001"

[[contact]]
id = "it"
name = "IT-support"
category = "it_support"
systems = ["melior"]
when = "office_hours"
hours = "vardagar 07.30–16.30"
cite = "003 §4.1"
[[contact.phone]]
number = "(026-1) 53 000"
kind = "direct"
"#;

    /// Loads `text` as `bad.toml` and returns the errors as `file:line: reason`.
    fn errors_of(text: &str) -> Vec<String> {
        match load([("bad.toml", text)], &orgs(), &catalogue()) {
            Ok(_) => panic!("expected errors for:\n{text}"),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    /// Exactly one error, on `line`, containing `reason`.
    fn check_bad(text: &str, line: usize, reason: &str) {
        let errs = errors_of(text);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        let prefix = format!("bad.toml:{line}: ");
        assert!(errs[0].starts_with(&prefix) && errs[0].contains(reason), "{} should be {prefix}…{reason}", errs[0]);
    }

    #[test]
    fn a_good_file_loads() {
        let book = load([("good.toml", GOOD)], &orgs(), &catalogue()).unwrap();
        let timra = book.get("timra").unwrap();
        assert_eq!(timra.phones[0].number.as_str(), "060-16 31 00");
        assert_eq!(timra.phones[0].number.tel_uri(), "tel:+4660163100");
        assert_eq!(timra.line, 8);
        assert_eq!(book.get("it").unwrap().phones[0].number.digits(), "026153000");
    }

    #[test]
    fn phone_numbers_people_write_are_accepted() {
        for (raw, digits, class) in [
            ("0611-800 00", "061180000", NumberClass::National),
            ("0611–800 00", "061180000", NumberClass::National),
            ("060-16 31 00", "060163100", NumberClass::National),
            ("0690-25 01 00", "0690250100", NumberClass::National),
            ("0620- 68 20 00", "0620682000", NumberClass::National),
            ("090-7850000", "0907850000", NumberClass::National),
            ("(026-1) 53 000", "026153000", NumberClass::National),
            ("(026-2) 784 41", "026278441", NumberClass::National),
            ("+46 611 800 00", "061180000", NumberClass::National),
            ("0046 611 800 00", "061180000", NumberClass::National),
            ("08-123 45", "0812345", NumberClass::National),
            ("1177", "1177", NumberClass::Short),
            ("112", "112", NumberClass::Short),
            ("113 13", "11313", NumberClass::Short),
        ] {
            let n = PhoneNumber::parse(raw, false).unwrap_or_else(|e| panic!("{raw}: {}", e.message_en()));
            assert_eq!((n.digits(), n.class(), n.as_str()), (digits, class, raw.trim()), "{raw}");
        }
        assert_eq!(PhoneNumber::parse("59090", true).unwrap().class(), NumberClass::Internal);
        assert_eq!(PhoneNumber::parse("+46 611 800 00", false).unwrap().tel_uri(), "tel:+4661180000");
        assert_eq!(PhoneNumber::parse("1177", false).unwrap().tel_uri(), "tel:1177");
    }

    #[test]
    fn things_that_are_not_phone_numbers_are_refused_with_the_reason() {
        for (raw, problem) in [
            ("", PhoneProblem::Empty),
            ("ring växeln", PhoneProblem::Letters),
            ("0611-800 OO", PhoneProblem::Letters),
            ("0611/800 00", PhoneProblem::Character('/')),
            ("0611-800 00+", PhoneProblem::Plus),
            ("(0611-800 00", PhoneProblem::Parentheses),
            ("+47 22 00 00 00", PhoneProblem::NotSwedish),
            ("0047 22 00 00 00", PhoneProblem::NotSwedish),
            ("0611-80", PhoneProblem::TooShort(6)),
            ("0611-800 00 00 00", PhoneProblem::TooLong(13)),
            ("59090", PhoneProblem::NoAreaCode(5)),
            ("1178", PhoneProblem::NoAreaCode(4)),
            ("123456789012", PhoneProblem::TooLong(12)),
        ] {
            assert_eq!(PhoneNumber::parse(raw, false), Err(problem), "{raw:?}");
        }
        assert_eq!(PhoneNumber::parse("12", true), Err(PhoneProblem::NoAreaCode(2)));
    }

    #[test]
    fn a_bad_number_is_refused_with_file_line_and_reason() {
        check_bad(
            &GOOD.replace("060-16 31 00", "ring Timrå"),
            12,
            "is not a phone number: a phone number has no letters",
        );
        check_bad(&GOOD.replace("060-16 31 00", "060-16"), 12, "too short: 5 digits");
        check_bad(&GOOD.replace("(026-1) 53 000", "(026-1) 53 000 000 00"), 24, "too long: 14 digits");
        check_bad(&GOOD.replace("(026-1) 53 000", "+47 22 00 00 00"), 24, "Swedish numbers only");
        check_bad(&GOOD.replace("(026-1) 53 000", "59090"), 24, "without an area code");
        // The same number as an internal extension is fine.
        let internal = GOOD.replace("(026-1) 53 000", "59090").replace("kind = \"direct\"", "kind = \"internal\"");
        assert!(load([("ok.toml", internal.as_str())], &orgs(), &catalogue()).is_ok());
        // Swedish messages name the file and line too.
        let errs = load([("bad.toml", GOOD.replace("060-16 31 00", "ring").as_str())], &orgs(), &catalogue());
        let sv = errs.unwrap_err()[0].message_sv();
        assert_eq!(sv, "bad.toml, rad 12: ”ring” är inget telefonnummer: ett telefonnummer innehåller inga bokstäver");
    }

    #[test]
    fn unknown_references_and_vocabulary_are_refused() {
        check_bad(
            &GOOD.replace("org = \"kommun-timra\"", "org = \"kommun-atlantis\""),
            11,
            "organisation `kommun-atlantis` is not in the organisation directory",
        );
        check_bad(
            &GOOD.replace("systems = [\"melior\"]", "systems = [\"cosmos\"]"),
            19,
            "system `cosmos` is not in the system catalogue",
        );
        check_bad(&GOOD.replace("region_org = \"rvn\"", "region_org = \"kommun-timra\""), 3, "is not a region");
        check_bad(&GOOD.replace("category = \"municipality\"", "category = \"moon\""), 10, "unknown category `moon`");
        check_bad(&GOOD.replace("when = \"office_hours\"", "when = \"lunch\""), 20, "unknown time `lunch`");
        check_bad(
            &GOOD.replace("kind = \"switchboard\"", "kind = \"telegraph\""),
            12,
            "unknown phone kind `telegraph`",
        );
        check_bad(
            &GOOD.replace("org = \"kommun-timra\"", "org = \"kommun-timra\"\norgs_of_kind = \"municipality\""),
            11,
            "not both",
        );
        check_bad(
            &GOOD.replace("id = \"it\"", "id = \"timra\""),
            16,
            "contact id `timra` is already used in bad.toml:8",
        );
        check_bad(
            &GOOD.replace("phone = [{ number = \"060-16 31 00\", kind = \"switchboard\" }]\n", ""),
            8,
            "neither a phone number",
        );
        check_bad(&GOOD.replace("title = \"Telefonlista\"\n", ""), 1, "missing field `title`");
        check_bad(&GOOD.replace("cite = \"001\"", "cite = \"001\"\nfax = \"1\""), 14, "unknown field `fax`");
        // A second file reusing an id is refused with both places.
        let errs = load([("a.toml", GOOD), ("b.toml", GOOD)], &orgs(), &catalogue()).unwrap_err();
        assert_eq!(errs[0].to_string(), "b.toml:8: contact id `timra` is already used in a.toml:8");
    }

    #[test]
    fn every_shipped_contact_file_loads() {
        let book = shipped();
        let names: Vec<&str> = book.files().iter().map(|f| f.file.as_str()).collect();
        assert_eq!(names, ["000-vasterbotten.toml", "001-vasternorrland.toml", "003-gavleborg.toml"]);
        for c in book.contacts() {
            assert!(
                !c.cite.is_empty()
                    && (c.cite.starts_with("000") || c.cite.starts_with("001") || c.cite.starts_with("003")),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn seed_001_all_seven_municipal_switchboards_with_their_exact_numbers() {
        let book = shipped();
        let f = book.files().iter().find(|f| f.file == "001-vasternorrland.toml").unwrap();
        assert_eq!(f.region, "Region Västernorrland");
        assert_eq!(f.approval, Approval::NotYetApproved);
        let want = [
            ("kommun-timra", "060-16 31 00"),
            ("kommun-ange", "0690-25 01 00"),
            ("kommun-ornskoldsvik", "0660-880 00"),
            ("kommun-sundsvall", "060-19 10 00"),
            ("kommun-kramfors", "0612-800 00"),
            ("kommun-harnosand", "0611-34 80 00"),
            ("kommun-solleftea", "0620-68 20 00"),
        ];
        for (org, number) in want {
            let c = f.contacts.iter().find(|c| c.org.as_ref().map(OrgId::as_str) == Some(org)).unwrap();
            assert_eq!(c.category, Category::Municipality, "{org}");
            assert_eq!(c.phones.len(), 1, "{org}");
            assert_eq!((c.phones[0].number.as_str(), c.phones[0].kind), (number, PhoneKind::Switchboard), "{org}");
            // The directory holds the same number.
            let o = orgs().into_iter().find(|o| o.id.as_str() == org).unwrap();
            assert_eq!(o.switchboard.as_deref(), Some(number));
        }
        let one_way_in = f.contacts.iter().find(|c| c.id == "rvn-en-vag-in").unwrap();
        assert_eq!(one_way_in.orgs_of_kind, Some(OrgKind::Municipality));
        let note = one_way_in.note.as_deref().unwrap();
        assert!(note.contains("En väg in") && note.contains("växel") && note.contains("biståndshandläggare"), "{note}");
        let vaxel = f.contacts.iter().find(|c| c.id == "rvn-vaxel").unwrap();
        assert_eq!(vaxel.phones[0].number.as_str(), "0611-800 00");
        let sd = f.contacts.iter().find(|c| c.id == "rvn-servicedesk").unwrap();
        assert_eq!((sd.phones[0].number.as_str(), sd.email.as_deref()), ("0660 890 70", Some("support.it@rvn.se")));
        // No private person's name: the system administrator is a function.
        let admin = f.contacts.iter().find(|c| c.id == "rvn-systemforvaltare-lifecare-sp").unwrap();
        assert!(admin.name.starts_with("Systemförvaltare Lifecare SP"));
        for c in book.contacts() {
            let text = format!("{} {}", c.name, c.note.as_deref().unwrap_or(""));
            assert!(!text.contains("Victoria") && !text.contains("Bäcklund"), "{}", c.id);
        }
    }

    #[test]
    fn seed_003_it_support_in_office_hours_and_on_call() {
        let book = shipped();
        let f = book.files().iter().find(|f| f.file == "003-gavleborg.toml").unwrap();
        assert_eq!(f.region, "Region Gävleborg");
        assert_eq!(f.region_org, None, "Gävleborg is not in the demo directory");
        let office = f.contacts.iter().find(|c| c.when == When::OfficeHours).unwrap();
        assert_eq!(office.phones[0].number.as_str(), "(026-1) 53 000");
        assert_eq!(office.hours.as_deref(), Some("vardagar 07.30–16.30"));
        assert_eq!(office.email.as_deref(), Some("it-support@regiongavleborg.se"));
        let on_call = f.contacts.iter().find(|c| c.when == When::OnCall).unwrap();
        assert_eq!((on_call.phones[0].number.as_str(), on_call.phones[0].kind), ("(026-2) 784 41", PhoneKind::OnCall));
        for c in [office, on_call] {
            assert_eq!(c.category, Category::ItSupport);
            let systems: Vec<&str> = c.systems.iter().map(SystemId::as_str).collect();
            for s in ["clinic24", "melior", "svarsdatabasen", "pmo", "elvis", "provisio", "medspeech"] {
                assert!(systems.contains(&s), "{}: {s}", c.id);
            }
            assert!(c.cite.starts_with("003 §4.1"));
        }
        assert!(office.when.applies_at(monday_10()) && !on_call.when.applies_at(monday_10()));
        assert!(!office.when.applies_at(saturday_11()) && on_call.when.applies_at(saturday_11()));
    }

    #[test]
    fn seed_000_the_weekend_route_and_the_switchboards() {
        let book = shipped();
        let f = book.files().iter().find(|f| f.file == "000-vasterbotten.toml").unwrap();
        assert_eq!(f.region, "Region Västerbotten");
        let weekend = f.contacts.iter().find(|c| c.when == When::Weekends).unwrap();
        assert_eq!((weekend.category, weekend.orgs_of_kind), (Category::HomeHealthCare, Some(OrgKind::Municipality)));
        assert!(weekend.note.as_deref().unwrap().contains("hemsjukvården"));
        let vaxel = f.contacts.iter().find(|c| c.id == "vbt-vaxel").unwrap();
        assert_eq!(vaxel.phones[0].number.as_str(), "090-7850000");
        let sd = f.contacts.iter().find(|c| c.id == "vbt-servicedesk").unwrap();
        assert_eq!((sd.phones[0].number.as_str(), sd.phones[0].kind), ("59090", PhoneKind::Internal));
        let daytime = f.contacts.iter().find(|c| c.id == "vbt-kommunernas-vaxel").unwrap();
        assert_eq!(daytime.when, When::OfficeHours);
        assert!(weekend.when.applies_at(saturday_11()) && !weekend.when.applies_at(monday_10()));
    }

    fn names(r: &SearchResult) -> Vec<String> {
        r.groups.iter().flat_map(|g| g.entries.iter().map(|e| e.name.clone())).collect()
    }

    #[test]
    fn search_is_case_insensitive_and_aware_of_a_ring_a_umlaut_o_umlaut() {
        let book = shipped();
        let (orgs, cat) = (orgs(), catalogue());
        for q in ["Ånge", "ånge", "ÅNGE", "Ange", "ange"] {
            let r = book.search(q, &orgs, &cat);
            assert_eq!(names(&r).first().map(String::as_str), Some("Ånge kommun, växel"), "{q}: {:?}", names(&r));
        }
        // Written with å, only Ånge; without, Ånge first (and words such
        // as "anger" may follow), never an unrelated municipality.
        assert_eq!(names(&book.search("Ånge", &orgs, &cat)), ["Ånge kommun, växel"]);
        assert!(!names(&book.search("Ange", &orgs, &cat)).contains(&"Timrå kommun, växel".to_owned()));
        for q in ["Örnsköldsvik", "ornskoldsvik", "Härnösand", "harnosand", "härnosand", "Sollefteå", "solleftea"]
        {
            let r = book.search(q, &orgs, &cat);
            assert!(r.total >= 1, "{q}");
            assert_eq!(r.groups[0].region, "Region Västernorrland", "{q}");
        }
        // Every word must match, anywhere: the organisation's name counts.
        let r = book.search("timrå växel", &orgs, &cat);
        assert_eq!(names(&r), ["Timrå kommun, växel"]);
        assert!(book.search("timrå kommun", &orgs, &cat).total >= 1);
        assert_eq!(book.search("Atlantis", &orgs, &cat).total, 0);
        // Systems by name, grouped by region.
        let r = book.search("melior", &orgs, &cat);
        assert_eq!(r.groups.len(), 1);
        assert_eq!(r.groups[0].region, "Region Gävleborg");
        assert_eq!(r.total, 2);
        // Weekends, hemsjukvård.
        assert!(names(&book.search("helg", &orgs, &cat)).iter().any(|n| n.contains("hemsjukvård")));
    }

    #[test]
    fn search_finds_numbers_with_or_without_spaces() {
        let book = shipped();
        let (orgs, cat) = (orgs(), catalogue());
        for q in ["060163100", "060-16 31 00", "060 16 31 00", "+46 60 16 31 00", "163100"] {
            assert_eq!(names(&book.search(q, &orgs, &cat)), ["Timrå kommun, växel"], "{q}");
        }
        for q in ["026153000", "(026-1) 53 000", "026-153000"] {
            assert_eq!(names(&book.search(q, &orgs, &cat)), ["IT-support, Region Gävleborg"], "{q}");
        }
        // 0611-800 00: the region's switchboard, and the hospitals of the
        // directory that list the same number.
        let r = book.search("061180000", &orgs, &cat);
        let n = names(&r);
        assert!(n.contains(&"Region Västernorrland, växel".to_owned()), "{n:?}");
        assert!(n.contains(&"Sundsvalls sjukhus".to_owned()), "{n:?}");
        assert!(r.groups[0].entries.iter().any(|e| e.from_directory));
    }

    #[test]
    fn an_empty_query_lists_everything_grouped_by_region() {
        let book = shipped();
        let r = book.search("  ", &orgs(), &catalogue());
        let regions: Vec<&str> = r.groups.iter().map(|g| g.region.as_str()).collect();
        assert_eq!(regions, ["Region Gävleborg", "Region Västerbotten", "Region Västernorrland"]);
        assert!(r.total >= book.contacts().count());
    }

    fn list(unit: &str, now: Timestamp) -> PhoneList {
        shipped().phone_list(&orgs(), &OrgId::parse(unit).unwrap(), now).unwrap()
    }

    fn section(l: &PhoneList, kind: SectionKind) -> &Section {
        l.sections.iter().find(|s| s.kind == kind).unwrap_or_else(|| panic!("{kind:?} missing"))
    }

    #[test]
    fn a_wards_phone_list_in_a_stable_order() {
        let l = list("rvn-sundsvall-avd-medicin-3", monday_10());
        assert_eq!(l.region.as_deref(), Some("Region Västernorrland"));
        assert!(l.office_hours_now);
        let kinds: Vec<SectionKind> = l.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::OwnUnit,
                SectionKind::Switchboards,
                SectionKind::ItSupport,
                SectionKind::Municipalities,
                SectionKind::PrimaryCare
            ]
        );
        assert_eq!(section(&l, SectionKind::OwnUnit).rows[0].entry.name, "Medicinavdelning 3, Sundsvalls sjukhus");
        let boards: Vec<(&str, &str)> = section(&l, SectionKind::Switchboards)
            .rows
            .iter()
            .map(|r| (r.entry.name.as_str(), r.entry.phones[0].number.as_str()))
            .collect();
        assert_eq!(boards, [("Sundsvalls sjukhus", "0611-800 00"), ("Region Västernorrland, växel", "0611-800 00")]);
        let it = &section(&l, SectionKind::ItSupport).rows;
        assert_eq!(it.len(), 1, "the region's service desk, not the municipalities' own IT support");
        assert_eq!((it[0].entry.phones[0].number.as_str(), it[0].applies_now), ("0660 890 70", true));
        let m = section(&l, SectionKind::Municipalities);
        let munis: Vec<(&str, &str)> = m
            .rows
            .iter()
            .map(|r| (r.entry.org.as_ref().unwrap().as_str(), r.entry.phones[0].number.as_str()))
            .collect();
        assert_eq!(
            munis,
            [
                ("kommun-harnosand", "0611-34 80 00"),
                ("kommun-kramfors", "0612-800 00"),
                ("kommun-solleftea", "0620-68 20 00"),
                ("kommun-sundsvall", "060-19 10 00"),
                ("kommun-timra", "060-16 31 00"),
                ("kommun-ange", "0690-25 01 00"),
                ("kommun-ornskoldsvik", "0660-880 00"),
            ]
        );
        // The notes: one way in (001, own region) and the weekend route
        // (000, another region's routine, marked so).
        let one_way = m.notes.iter().find(|n| n.entry.id == "rvn-en-vag-in").unwrap();
        assert!(!one_way.other_region);
        let weekend = m.notes.iter().find(|n| n.entry.when == When::Weekends).unwrap();
        assert!(weekend.other_region);
        assert_eq!(weekend.entry.region, "Region Västerbotten");
        assert!(!weekend.applies_now, "Monday 10:00 is no weekend");
        assert!(m.notes.iter().all(|n| n.entry.id != "vbt-kommunernas-vaxel"), "not another region's daytime rule");
        let care = section(&l, SectionKind::PrimaryCare);
        assert!(care.notes.iter().any(|n| n.entry.note.as_deref().unwrap().contains("fasta vårdkontakt")));
        let care_names: Vec<&str> = care.rows.iter().map(|r| r.entry.name.as_str()).collect();
        assert_eq!(care_names.len(), 5);
        assert!(care_names.windows(2).all(|w| swedish_order_key(w[0]) <= swedish_order_key(w[1])));
        // The same list every time, and the weekend applies on Saturday.
        assert_eq!(l, list("rvn-sundsvall-avd-medicin-3", monday_10()));
        let sat = list("rvn-sundsvall-avd-medicin-3", saturday_11());
        assert!(!sat.office_hours_now);
        let w =
            section(&sat, SectionKind::Municipalities).notes.iter().find(|n| n.entry.when == When::Weekends).unwrap();
        assert!(w.applies_now);
    }

    #[test]
    fn a_municipalitys_phone_list_reaches_the_region() {
        let l = list("kommun-timra", monday_10());
        let kinds: Vec<SectionKind> = l.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::OwnUnit,
                SectionKind::Switchboards,
                SectionKind::ItSupport,
                SectionKind::Hospitals,
                SectionKind::PrimaryCare
            ]
        );
        assert_eq!(section(&l, SectionKind::OwnUnit).rows[0].entry.phones[0].number.as_str(), "060-16 31 00");
        assert_eq!(section(&l, SectionKind::Switchboards).rows[0].entry.name, "Region Västernorrland, växel");
        let it = &section(&l, SectionKind::ItSupport).rows;
        assert_eq!(it.len(), 1);
        assert_eq!(it[0].entry.id, "rvn-kommunernas-it-support");
        assert!(shipped().phone_list(&orgs(), &OrgId::parse("nowhere").unwrap(), monday_10()).is_none());
    }

    #[test]
    fn folding_and_swedish_order() {
        assert_eq!(fold("ÅNGE Härnösand–Örnsköldsvik"), "ange harnosand-ornskoldsvik");
        let mut v = vec!["Örnsköldsvik", "Ånge", "Timrå", "Ängelholm", "Arvidsjaur"];
        v.sort_by_key(|s| swedish_order_key(s));
        assert_eq!(v, ["Arvidsjaur", "Timrå", "Ånge", "Ängelholm", "Örnsköldsvik"]);
    }
}
