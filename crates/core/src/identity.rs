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
//! Errors never repeat the number that was typed: it is a personal identity
//! and error messages end up in logs. The clock is never read here: callers
//! pass `today` (in Swedish local time).

use std::fmt;
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};

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

/// Precisely what is wrong with a patient identity; carried by
/// [`DomainError::InvalidPatientId`]. No variant holds the number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientIdProblem {
    /// A character other than digits and one `-` or `+`.
    InvalidCharacter { ch: char },
    /// Not 10 or 12 digits.
    WrongLength { digits: usize },
    /// More than one separator, or one that is not before the last four digits.
    MisplacedSeparator,
    /// Month 00 or 13–99.
    NoSuchMonth { month: u8 },
    /// Day 00, 32–60 or 92–99: neither a day nor a samordningsnummer day.
    NoSuchDay { day: u8 },
    /// The day does not exist in that month (and year); `day` is the real
    /// day, already less 60 for a samordningsnummer.
    NoSuchDate { month: u8, day: u8, coordination: bool },
    /// The birth number (the three digits after the date) is 000; it runs
    /// 001–999.
    NoSuchBirthNumber,
    /// The Luhn check digit does not match the other nine digits.
    CheckDigit,
    /// The birth date lies after `today`. `short_form`: the ten-digit form,
    /// where a `+` may have been meant.
    BirthDateInFuture { short_form: bool },
    /// A birth year outside [`BIRTH_YEARS`].
    ImplausibleBirthYear,
    /// A twelve-digit form with `+` for a person who turns at most 99 this year.
    PlusButUnder100,
    /// A stored value that is not in the canonical form `ÅÅÅÅMMDD-NNNC`.
    NotCanonical,
    /// A stored value of one kind labelled as another.
    KindMismatch { stated: PatientIdKind, actual: PatientIdKind },
    /// A reserve number with a character other than `A–Z`, `a–z`, `0–9`, `-`.
    ReserveInvalidCharacter { ch: char },
    /// A reserve number of dashes only.
    ReserveWithoutLetterOrDigit,
    /// A "reserve number" that is a valid personnummer or samordningsnummer.
    ReserveIsPersonalNumber { kind: PatientIdKind },
}

impl PatientIdProblem {
    /// A stable code for the API; never changes once published.
    pub fn code(self) -> &'static str {
        use PatientIdProblem as P;
        match self {
            P::InvalidCharacter { .. } => "patient_id_invalid_character",
            P::WrongLength { .. } => "patient_id_wrong_length",
            P::MisplacedSeparator => "patient_id_misplaced_separator",
            P::NoSuchMonth { .. } => "patient_id_no_such_month",
            P::NoSuchDay { .. } => "patient_id_no_such_day",
            P::NoSuchDate { .. } => "patient_id_no_such_date",
            P::NoSuchBirthNumber => "patient_id_no_such_birth_number",
            P::CheckDigit => "patient_id_check_digit",
            P::BirthDateInFuture { .. } => "patient_id_birth_date_in_future",
            P::ImplausibleBirthYear => "patient_id_implausible_birth_year",
            P::PlusButUnder100 => "patient_id_plus_under_100",
            P::NotCanonical => "patient_id_not_canonical",
            P::KindMismatch { .. } => "patient_id_kind_mismatch",
            P::ReserveInvalidCharacter { .. } => "reserve_number_invalid_character",
            P::ReserveWithoutLetterOrDigit => "reserve_number_without_letter_or_digit",
            P::ReserveIsPersonalNumber { .. } => "reserve_number_is_personal_number",
        }
    }

    /// What is wrong, in Swedish (the field label is added by [`DomainError`]).
    pub fn message_sv(self) -> String {
        use PatientIdProblem as P;
        match self {
            P::InvalidCharacter { ch } if ch.is_whitespace() => {
                "mellanslag får inte stå inne i numret. Skriv 10 eller 12 siffror, \
                 gärna med bindestreck: ÅÅÅÅMMDD-NNNN."
                    .into()
            }
            P::InvalidCharacter { ch } => format!(
                "tecknet ”{}” är inte tillåtet. Skriv 10 eller 12 siffror, gärna med \
                 bindestreck: ÅÅÅÅMMDD-NNNN. Ett reservnummer registreras som reservnummer.",
                ch.escape_debug()
            ),
            P::WrongLength { digits } => {
                format!("numret ska ha 10 eller 12 siffror, inte {digits}.")
            }
            P::MisplacedSeparator => "skiljetecknet (- eller +) får stå en gång, \
                 direkt före de fyra sista siffrorna."
                .into(),
            P::NoSuchMonth { month } => format!("månad {month:02} finns inte (01–12)."),
            P::NoSuchDay { day } => format!(
                "dag {day:02} finns inte: dagen ska vara 01–31, \
                 eller 61–91 i ett samordningsnummer."
            ),
            P::NoSuchDate { month, day, coordination } => {
                let mut m = format!("den {day} {} finns inte", month_sv(month));
                if month == 2 && day == 29 {
                    m.push_str(" det året (inget skottår)");
                }
                if coordination {
                    m.push_str(" (samordningsnummer: dagen minus 60)");
                }
                m.push('.');
                m
            }
            P::NoSuchBirthNumber => "födelsenumret (de tre siffrorna efter datumet) kan inte vara 000.".into(),
            P::CheckDigit => "kontrollsiffran stämmer inte. \
                 Kontrollera att alla siffror är rätt."
                .into(),
            P::BirthDateInFuture { short_form } => {
                let mut m = String::from("födelsedatumet ligger i framtiden.");
                if short_form {
                    m.push_str(" Fyller personen 100 år i år eller är äldre: skriv + före de fyra sista siffrorna.");
                }
                m
            }
            P::ImplausibleBirthYear => {
                format!("födelseåret är orimligt (år {}–{} godtas).", BIRTH_YEARS.start(), BIRTH_YEARS.end())
            }
            P::PlusButUnder100 => "plustecknet betyder att personen fyller 100 år i år \
                 eller är äldre, men födelseåret säger annat. Skriv - i stället."
                .into(),
            P::NotCanonical => "lagrat nummer har fel form (ska vara ÅÅÅÅMMDD-NNNN).".into(),
            P::KindMismatch { stated, actual } => format!(
                "numret är ett {}, inte ett {}.",
                actual.label_sv().to_lowercase(),
                stated.label_sv().to_lowercase()
            ),
            P::ReserveInvalidCharacter { ch } if ch.is_whitespace() => {
                "mellanslag får inte stå inne i ett reservnummer \
                 (bara A–Z, a–z, 0–9 och -)."
                    .into()
            }
            P::ReserveInvalidCharacter { ch } => format!(
                "tecknet ”{}” är inte tillåtet i ett reservnummer (bara A–Z, a–z, 0–9 och -).",
                ch.escape_debug()
            ),
            P::ReserveWithoutLetterOrDigit => "reservnumret måste innehålla minst en bokstav eller siffra.".into(),
            P::ReserveIsPersonalNumber { kind } => {
                let k = kind.label_sv().to_lowercase();
                format!("numret är ett giltigt {k}. Registrera det som {k}, inte som reservnummer.")
            }
        }
    }

    /// What is wrong, in English (the field label is added by [`DomainError`]).
    pub fn message_en(self) -> String {
        use PatientIdProblem as P;
        match self {
            P::InvalidCharacter { ch } if ch.is_whitespace() => {
                "spaces are not allowed inside the number. Enter 10 or 12 digits, \
                 preferably with a hyphen: YYYYMMDD-NNNN."
                    .into()
            }
            P::InvalidCharacter { ch } => format!(
                "the character “{}” is not allowed. Enter 10 or 12 digits, preferably \
                 with a hyphen: YYYYMMDD-NNNN. A reserve number is registered as a reserve number.",
                ch.escape_debug()
            ),
            P::WrongLength { digits } => {
                format!("the number must have 10 or 12 digits, not {digits}.")
            }
            P::MisplacedSeparator => "the separator (- or +) may appear once, \
                 right before the last four digits."
                .into(),
            P::NoSuchMonth { month } => format!("month {month:02} does not exist (01–12)."),
            P::NoSuchDay { day } => format!(
                "day {day:02} does not exist: the day must be 01–31, \
                 or 61–91 in a coordination number."
            ),
            P::NoSuchDate { month, day, coordination } => {
                let mut m = format!("{} {day} does not exist", month_en(month));
                if month == 2 && day == 29 {
                    m.push_str(" in that year (not a leap year)");
                }
                if coordination {
                    m.push_str(" (coordination number: the day minus 60)");
                }
                m.push('.');
                m
            }
            P::NoSuchBirthNumber => "the birth number (the three digits after the date) cannot be 000.".into(),
            P::CheckDigit => "the check digit does not match. \
                 Check that every digit is right."
                .into(),
            P::BirthDateInFuture { short_form } => {
                let mut m = String::from("the birth date lies in the future.");
                if short_form {
                    m.push_str(" If the person turns 100 this year or is older, write + before the last four digits.");
                }
                m
            }
            P::ImplausibleBirthYear => {
                format!("implausible birth year (years {}–{} are accepted).", BIRTH_YEARS.start(), BIRTH_YEARS.end())
            }
            P::PlusButUnder100 => "the plus sign means the person turns 100 this year \
                 or is older, but the birth year says otherwise. Write - instead."
                .into(),
            P::NotCanonical => "stored number has the wrong form (must be YYYYMMDD-NNNN).".into(),
            P::KindMismatch { stated, actual } => format!(
                "the number is a {}, not a {}.",
                actual.label_en().to_lowercase(),
                stated.label_en().to_lowercase()
            ),
            P::ReserveInvalidCharacter { ch } if ch.is_whitespace() => {
                "spaces are not allowed inside a reserve number \
                 (only A–Z, a–z, 0–9 and -)."
                    .into()
            }
            P::ReserveInvalidCharacter { ch } => format!(
                "the character “{}” is not allowed in a reserve number (only A–Z, a–z, 0–9 and -).",
                ch.escape_debug()
            ),
            P::ReserveWithoutLetterOrDigit => "a reserve number must contain at least one letter or digit.".into(),
            P::ReserveIsPersonalNumber { kind } => {
                let k = kind.label_en().to_lowercase();
                format!("the number is a valid {k}. Register it as a {k}, not as a reserve number.")
            }
        }
    }
}

impl fmt::Display for PatientIdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

fn month_sv(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    NAMES[usize::from(month.clamp(1, 12)) - 1]
}

fn month_en(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[usize::from(month.clamp(1, 12)) - 1]
}

fn invalid(problem: PatientIdProblem) -> DomainError {
    DomainError::InvalidPatientId { field: FIELD, problem }
}

/// A validated patient identity. Construct it with [`PatientId::parse`]
/// (personnummer, samordningsnummer), [`PatientId::parse_reserve`] (reserve
/// number) or [`PatientId::from_canonical`] (a stored canonical form).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "PatientIdRepr", into = "PatientIdRepr")]
pub struct PatientId {
    kind: PatientIdKind,
    canonical: String,
}

/// `Debug` hides all but the birth date, so a stray `{:?}` in a log line or a
/// panic message never carries a whole personal identity number.
impl fmt::Debug for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = match self.kind {
            PatientIdKind::Reserve => "****".into(),
            _ => self.canonical.chars().take(8).chain("-****".chars()).collect(),
        };
        f.debug_struct("PatientId").field("kind", &self.kind).field("value", &shown).finish()
    }
}

impl PatientId {
    /// Parses a personnummer or samordningsnummer as a person types it:
    /// `ÅÅÅÅMMDD-NNNC`, `ÅÅÅÅMMDDNNNC`, `ÅÅMMDD-NNNC`, `ÅÅMMDD+NNNC` or
    /// `ÅÅMMDDNNNC` (read as with `-`), surrounding whitespace ignored.
    /// `today` (Swedish local date) resolves the century of the ten-digit
    /// form and rejects birth dates in the future.
    pub fn parse(input: &str, today: Date) -> Result<PatientId, DomainError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(DomainError::Required { field: FIELD });
        }
        let shape = Shape::of(t).map_err(invalid)?;
        let (kind, month, day) = month_and_day(&shape.digits).map_err(invalid)?;
        let plus = shape.separator == Some(b'+');
        let year = match shape.century {
            Some(_) => shape.full_year(0),
            None => century_of(shape.digits_yy(), plus, today),
        };
        let birth = birth_date(year, month, day, kind).map_err(invalid)?;
        check_number(&shape.digits).map_err(invalid)?;
        if birth > today {
            return Err(invalid(PatientIdProblem::BirthDateInFuture { short_form: shape.century.is_none() }));
        }
        if !BIRTH_YEARS.contains(&year) {
            return Err(invalid(PatientIdProblem::ImplausibleBirthYear));
        }
        if plus && i32::from(today.year()) - i32::from(year) < 100 {
            return Err(invalid(PatientIdProblem::PlusButUnder100));
        }
        Ok(PatientId { kind, canonical: canonical(year, &shape.digits) })
    }

    /// Parses a reserve number: 1–32 characters of `A–Z`, `a–z`, `0–9` and
    /// `-` with at least one letter or digit, surrounding whitespace ignored,
    /// kept in upper case. A text that is a valid personnummer or
    /// samordningsnummer by its form alone (real date, right check digit,
    /// birth year in [`BIRTH_YEARS`]) is refused: it must be registered as
    /// what it is. Only the caller knows that a reserve number is meant, so
    /// [`PatientId::parse`] never falls back to this.
    pub fn parse_reserve(input: &str) -> Result<PatientId, DomainError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(DomainError::Required { field: FIELD });
        }
        if let Some(ch) = t.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(invalid(PatientIdProblem::ReserveInvalidCharacter { ch }));
        }
        // Only ASCII is left, so bytes are characters.
        if t.len() > RESERVE_MAX_CHARS {
            return Err(DomainError::TooLong { field: FIELD, len: t.len(), max: RESERVE_MAX_CHARS });
        }
        if !t.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(PatientIdProblem::ReserveWithoutLetterOrDigit));
        }
        if let Some(kind) = valid_by_form(t) {
            return Err(invalid(PatientIdProblem::ReserveIsPersonalNumber { kind }));
        }
        Ok(PatientId { kind: PatientIdKind::Reserve, canonical: t.to_ascii_uppercase() })
    }

    /// Validates a stored personnummer or samordningsnummer in canonical form,
    /// exactly `ÅÅÅÅMMDD-NNNC`: real date, right check digit, birth year in
    /// [`BIRTH_YEARS`]. It needs no `today` (the number was checked against
    /// one when it was first parsed), so it does not reject future dates.
    /// Reserve numbers have no canonical form of their own: use
    /// [`PatientId::parse_reserve`].
    pub fn from_canonical(s: &str) -> Result<PatientId, DomainError> {
        let b = s.as_bytes();
        let canonical_shape =
            b.len() == 13 && b[8] == b'-' && b.iter().enumerate().all(|(i, c)| i == 8 || c.is_ascii_digit());
        if !canonical_shape {
            return Err(invalid(PatientIdProblem::NotCanonical));
        }
        let shape = Shape::of(s).map_err(invalid)?;
        let (kind, month, day) = month_and_day(&shape.digits).map_err(invalid)?;
        let year = shape.full_year(0);
        birth_date(year, month, day, kind).map_err(invalid)?;
        check_number(&shape.digits).map_err(invalid)?;
        if !BIRTH_YEARS.contains(&year) {
            return Err(invalid(PatientIdProblem::ImplausibleBirthYear));
        }
        Ok(PatientId { kind, canonical: s.to_owned() })
    }

    /// Which kind of number this is.
    pub fn kind(&self) -> PatientIdKind {
        self.kind
    }

    /// Whether this is a locally issued reserve number, not an identity
    /// confirmed by Skatteverket.
    pub fn is_reserve(&self) -> bool {
        self.kind == PatientIdKind::Reserve
    }

    /// The canonical form: `ÅÅÅÅMMDD-NNNC`, or the reserve number.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The birth date (for a samordningsnummer the real one, day − 60);
    /// `None` for a reserve number, whose format Reserv does not interpret.
    pub fn birth_date(&self) -> Option<Date> {
        if self.is_reserve() {
            return None;
        }
        let part = |r: std::ops::Range<usize>| self.canonical.get(r)?.parse::<i16>().ok();
        let year = part(0..4)?;
        let month = part(4..6)?;
        let mut day = part(6..8)?;
        if self.kind == PatientIdKind::Samordningsnummer {
            day -= i16::from(COORDINATION_DAY_OFFSET);
        }
        Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
    }
}

impl fmt::Display for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// The serialised form: the kind stated, so that a reserve number can never
/// be read back as a personnummer or the other way round.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatientIdRepr {
    kind: PatientIdKind,
    value: String,
}

impl From<PatientId> for PatientIdRepr {
    fn from(id: PatientId) -> Self {
        PatientIdRepr { kind: id.kind, value: id.canonical }
    }
}

impl TryFrom<PatientIdRepr> for PatientId {
    type Error = DomainError;
    fn try_from(r: PatientIdRepr) -> Result<Self, Self::Error> {
        let id = match r.kind {
            PatientIdKind::Reserve => PatientId::parse_reserve(&r.value)?,
            PatientIdKind::Personnummer | PatientIdKind::Samordningsnummer => PatientId::from_canonical(&r.value)?,
        };
        if id.kind != r.kind {
            return Err(invalid(PatientIdProblem::KindMismatch { stated: r.kind, actual: id.kind }));
        }
        Ok(id)
    }
}

/// A number split into its parts, before any rule about dates or check digits.
struct Shape {
    /// The first two digits of the twelve-digit form.
    century: Option<u8>,
    /// `ÅÅMMDDNNNC`, each a digit 0–9.
    digits: [u8; 10],
    /// `-` or `+`, if written.
    separator: Option<u8>,
}

impl Shape {
    /// Digits and at most one separator, directly before the last four digits.
    fn of(t: &str) -> Result<Shape, PatientIdProblem> {
        if let Some(ch) = t.chars().find(|c| !(c.is_ascii_digit() || *c == '-' || *c == '+')) {
            return Err(PatientIdProblem::InvalidCharacter { ch });
        }
        // Only ASCII is left, so byte positions are character positions.
        let b = t.as_bytes();
        let n = b.iter().filter(|c| c.is_ascii_digit()).count();
        if n != 10 && n != 12 {
            return Err(PatientIdProblem::WrongLength { digits: n });
        }
        let mut separators = b.iter().enumerate().filter(|(_, c)| !c.is_ascii_digit());
        let separator = match (separators.next(), separators.next()) {
            (None, _) => None,
            (Some((i, &c)), None) if i == n - 4 => Some(c),
            _ => return Err(PatientIdProblem::MisplacedSeparator),
        };
        let mut all = [0u8; 12];
        for (slot, c) in all.iter_mut().zip(b.iter().filter(|c| c.is_ascii_digit())) {
            *slot = c - b'0';
        }
        let (century, rest) = if n == 12 { (Some(all[0] * 10 + all[1]), &all[2..12]) } else { (None, &all[..10]) };
        let mut digits = [0u8; 10];
        digits.copy_from_slice(rest);
        Ok(Shape { century, digits, separator })
    }

    /// The two-digit year `ÅÅ`.
    fn digits_yy(&self) -> u8 {
        self.digits[0] * 10 + self.digits[1]
    }

    /// The four-digit year, with `century_if_none` when the form has none.
    fn full_year(&self, century_if_none: u8) -> i16 {
        let c = self.century.unwrap_or(century_if_none);
        i16::from(c) * 100 + i16::from(self.digits_yy())
    }
}

/// The month, the real day and the kind that the day implies.
fn month_and_day(d: &[u8; 10]) -> Result<(PatientIdKind, u8, u8), PatientIdProblem> {
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    if !(1..=12).contains(&month) {
        return Err(PatientIdProblem::NoSuchMonth { month });
    }
    match day {
        1..=31 => Ok((PatientIdKind::Personnummer, month, day)),
        61..=91 => Ok((PatientIdKind::Samordningsnummer, month, day - COORDINATION_DAY_OFFSET)),
        _ => Err(PatientIdProblem::NoSuchDay { day }),
    }
}

/// The birth year of a ten-digit form: with `-` the person turns 0–99 in
/// `today`'s calendar year, with `+` 100–199 (folkbokföringslagen 18 §).
fn century_of(yy: u8, plus: bool, today: Date) -> i16 {
    let t = i32::from(today.year());
    let mut year = t - (t - i32::from(yy)).rem_euclid(100);
    if plus {
        year -= 100;
    }
    // `today` lies in -9999..=9999, so this always fits.
    i16::try_from(year).unwrap_or(i16::MIN)
}

fn birth_date(year: i16, month: u8, day: u8, kind: PatientIdKind) -> Result<Date, PatientIdProblem> {
    // month ≤ 12 and day ≤ 31 here, so the casts are lossless.
    Date::new(year, month as i8, day as i8).map_err(|_| PatientIdProblem::NoSuchDate {
        month,
        day,
        coordination: kind == PatientIdKind::Samordningsnummer,
    })
}

/// The Luhn (modulus 10, weights 2 and 1) check digit of the nine digits
/// `ÅÅMMDDNNN`.
fn luhn_check_digit(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            u32::from(p / 10 + p % 10)
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The birth number is 001–999 and the check digit matches.
fn check_number(d: &[u8; 10]) -> Result<(), PatientIdProblem> {
    if d[6..9] == [0, 0, 0] {
        return Err(PatientIdProblem::NoSuchBirthNumber);
    }
    if luhn_check_digit(&d[..9]) == d[9] { Ok(()) } else { Err(PatientIdProblem::CheckDigit) }
}

fn canonical(year: i16, d: &[u8; 10]) -> String {
    let mut s = format!("{year:04}");
    for (i, digit) in d[2..].iter().enumerate() {
        if i == 4 {
            s.push('-');
        }
        s.push(char::from(b'0' + digit));
    }
    s
}

/// Whether `t` is a valid personnummer or samordningsnummer by its form
/// alone, without a `today`: a real date in some century (for the ten-digit
/// form; 2000 stands in, being a leap year like every year ending in the same
/// two digits divisible by 4), a birth year in [`BIRTH_YEARS`] (twelve-digit
/// form) and the right check digit.
fn valid_by_form(t: &str) -> Option<PatientIdKind> {
    let shape = Shape::of(t).ok()?;
    let (kind, month, day) = month_and_day(&shape.digits).ok()?;
    let year = shape.full_year(20);
    if shape.century.is_some() && !BIRTH_YEARS.contains(&year) {
        return None;
    }
    birth_date(year, month, day, kind).ok()?;
    check_number(&shape.digits).ok()?;
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    /// The day the table tests run on.
    const TODAY: Date = date(2026, 6, 15);

    /// Replaces the `?` at the end with the right Luhn check digit, so that a
    /// test number built for another rule (a date, a `+`) passes the check.
    fn luhn(template: &str) -> String {
        assert!(template.ends_with('?'), "{template}");
        let digits: Vec<u8> = template.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        let nine = &digits[digits.len() - 9..];
        let c = luhn_check_digit(nine);
        format!("{}{c}", &template[..template.len() - 1])
    }

    fn problem(r: Result<PatientId, DomainError>) -> PatientIdProblem {
        match r {
            Err(DomainError::InvalidPatientId { field, problem }) => {
                assert_eq!(field, Field::PatientId);
                problem
            }
            other => panic!("expected an invalid patient id, got {other:?}"),
        }
    }

    fn ok(input: &str) -> PatientId {
        PatientId::parse(input, TODAY).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    #[test]
    fn luhn_matches_skatteverkets_worked_example() {
        // Skatteverket's own example in its guidance: 640823-323 gives 4.
        assert_eq!(luhn_check_digit(&[6, 4, 0, 8, 2, 3, 3, 2, 3]), 4);
        assert_eq!(luhn_check_digit(&[1, 2, 1, 2, 1, 2, 1, 2, 1]), 2);
        assert_eq!(luhn("640823-323?"), "640823-3234");
    }

    /// Input, kind, canonical form, birth date (year, month, day).
    type ValidCase = (&'static str, PatientIdKind, &'static str, (i16, i8, i8));

    /// Test numbers only: 19121212-1212 is the classic test identity
    /// (Tolvan Tolvansson), 640823-3234 Skatteverket's worked example, the
    /// rest from Skatteverket's published test data (testpersonnummer and
    /// testsamordningsnummer). The table test below checks each check
    /// digit: the number parses and every other last digit fails.
    const VALID: &[ValidCase] = {
        use PatientIdKind::{Personnummer as P, Samordningsnummer as S};
        &[
            ("19121212-1212", P, "19121212-1212", (1912, 12, 12)),
            ("191212121212", P, "19121212-1212", (1912, 12, 12)),
            ("121212+1212", P, "19121212-1212", (1912, 12, 12)),
            ("121212-1212", P, "20121212-1212", (2012, 12, 12)),
            ("1212121212", P, "20121212-1212", (2012, 12, 12)),
            ("  19121212-1212\t\n", P, "19121212-1212", (1912, 12, 12)),
            ("640823-3234", P, "19640823-3234", (1964, 8, 23)),
            ("199001012385", P, "19900101-2385", (1990, 1, 1)),
            ("900101-2385", P, "19900101-2385", (1990, 1, 1)),
            ("9001012385", P, "19900101-2385", (1990, 1, 1)),
            ("200002292399", P, "20000229-2399", (2000, 2, 29)),
            ("000229-2399", P, "20000229-2399", (2000, 2, 29)),
            ("202402292383", P, "20240229-2383", (2024, 2, 29)),
            ("190001019801", P, "19000101-9801", (1900, 1, 1)),
            ("000101+9801", P, "19000101-9801", (1900, 1, 1)),
            ("19000101+9801", P, "19000101-9801", (1900, 1, 1)),
            ("189001019802", P, "18900101-9802", (1890, 1, 1)),
            ("900101+9802", P, "18900101-9802", (1890, 1, 1)),
            ("20170101-2393", P, "20170101-2393", (2017, 1, 1)),
            ("202601612381", S, "20260161-2381", (2026, 1, 1)),
            ("260161-2381", S, "20260161-2381", (2026, 1, 1)),
            ("202201612393", S, "20220161-2393", (2022, 1, 1)),
            ("191401682396", S, "19140168-2396", (1914, 1, 8)),
            ("140168+2396", S, "19140168-2396", (1914, 1, 8)),
        ]
    };

    #[test]
    fn valid_numbers_parse_to_their_canonical_form() {
        for &(input, kind, canonical, (y, m, d)) in VALID {
            let id = ok(input);
            assert_eq!(id.kind(), kind, "{input}");
            assert_eq!(id.as_str(), canonical, "{input}");
            assert_eq!(id.to_string(), canonical, "{input}");
            assert_eq!(id.birth_date(), Some(date(y, m, d)), "{input}");
            assert!(!id.is_reserve());
            assert_eq!(PatientId::from_canonical(canonical), Ok(id.clone()));
            // The table's check digits are right: every other one fails.
            let trimmed = input.trim();
            let last = trimmed.as_bytes()[trimmed.len() - 1] - b'0';
            for other in (0..=9u8).filter(|&c| c != last) {
                let bad = format!("{}{other}", &trimmed[..trimmed.len() - 1]);
                assert_eq!(problem(PatientId::parse(&bad, TODAY)), PatientIdProblem::CheckDigit, "{bad}");
            }
        }
    }

    #[test]
    fn invalid_numbers_say_precisely_what_is_wrong() {
        use PatientIdProblem as P;
        let cases: Vec<(String, PatientIdProblem)> = vec![
            // Check digit.
            ("19121212-1213".into(), P::CheckDigit),
            ("121212-1210".into(), P::CheckDigit),
            ("199001012386".into(), P::CheckDigit),
            ("202601612382".into(), P::CheckDigit),
            // Two digits swapped in the birth number: Luhn catches it.
            ("19121212-2112".into(), P::CheckDigit),
            // Impossible dates, each with a right check digit.
            (luhn("19901301-238?"), P::NoSuchMonth { month: 13 }),
            (luhn("19900001-238?"), P::NoSuchMonth { month: 0 }),
            (luhn("19900100-238?"), P::NoSuchDay { day: 0 }),
            (luhn("19900132-238?"), P::NoSuchDay { day: 32 }),
            (luhn("19900160-238?"), P::NoSuchDay { day: 60 }),
            (luhn("19900192-238?"), P::NoSuchDay { day: 92 }),
            (luhn("19900230-238?"), P::NoSuchDate { month: 2, day: 30, coordination: false }),
            (luhn("19900431-238?"), P::NoSuchDate { month: 4, day: 31, coordination: false }),
            (luhn("19000229-238?"), P::NoSuchDate { month: 2, day: 29, coordination: false }),
            (luhn("20230229-238?"), P::NoSuchDate { month: 2, day: 29, coordination: false }),
            // `+` makes 00 the year 1900, which had no 29 February.
            ("000229+2399".into(), P::NoSuchDate { month: 2, day: 29, coordination: false }),
            // Samordningsnummer: day 90 is 30 February, day 91 is 31 April.
            (luhn("19900290-238?"), P::NoSuchDate { month: 2, day: 30, coordination: true }),
            (luhn("900491-238?"), P::NoSuchDate { month: 4, day: 31, coordination: true }),
            // Birth number 000 does not exist.
            (luhn("19121212-000?"), P::NoSuchBirthNumber),
            (luhn("121272-000?"), P::NoSuchBirthNumber),
            // Length and characters.
            ("19121212-121".into(), P::WrongLength { digits: 11 }),
            ("1912121212123".into(), P::WrongLength { digits: 13 }),
            ("121212-121".into(), P::WrongLength { digits: 9 }),
            ("-".into(), P::WrongLength { digits: 0 }),
            ("121212 1212".into(), P::InvalidCharacter { ch: ' ' }),
            ("121212–1212".into(), P::InvalidCharacter { ch: '–' }),
            ("121212/1212".into(), P::InvalidCharacter { ch: '/' }),
            ("R-2026-0001".into(), P::InvalidCharacter { ch: 'R' }),
            ("19810829M071".into(), P::InvalidCharacter { ch: 'M' }),
            ("12121-21212".into(), P::MisplacedSeparator),
            ("1212121212-".into(), P::MisplacedSeparator),
            ("-1212121212".into(), P::MisplacedSeparator),
            ("121212--1212".into(), P::MisplacedSeparator),
            ("121212-+1212".into(), P::MisplacedSeparator),
            ("1912-1212-1212".into(), P::MisplacedSeparator),
            // Birth dates in the future (today is 2026-06-15).
            (luhn("20260616-238?"), P::BirthDateInFuture { short_form: false }),
            (luhn("20300101-238?"), P::BirthDateInFuture { short_form: false }),
            (luhn("20260676-238?"), P::BirthDateInFuture { short_form: false }),
            // Ten digits with `-`: the person turns at most 99 this year, so
            // 26 is 2026 and 16 June 2026 is still to come.
            (luhn("260616-238?"), P::BirthDateInFuture { short_form: true }),
            // `+` in the twelve-digit form must agree with the year.
            ("20121212+1212".into(), P::PlusButUnder100),
            (luhn("19270101+238?"), P::PlusButUnder100),
            // Years no personnummer has.
            (luhn("17991231-238?"), P::ImplausibleBirthYear),
            (luhn("00121212-121?"), P::ImplausibleBirthYear),
        ];
        for (input, expected) in cases {
            assert_eq!(problem(PatientId::parse(&input, TODAY)), expected, "{input}");
        }
    }

    #[test]
    fn empty_input_is_required() {
        for input in ["", "   ", "\t\n"] {
            assert_eq!(PatientId::parse(input, TODAY), Err(DomainError::Required { field: Field::PatientId }));
            assert_eq!(PatientId::parse_reserve(input), Err(DomainError::Required { field: Field::PatientId }));
        }
    }

    #[test]
    fn the_ten_digit_century_follows_the_calendar_year_of_today() {
        // Today is 2026-06-15.
        let born = |s: &str| ok(&luhn(s)).birth_date().unwrap();
        assert_eq!(born("991231-238?"), date(1999, 12, 31));
        assert_eq!(born("260615-238?"), date(2026, 6, 15)); // born today
        assert_eq!(born("260101-238?"), date(2026, 1, 1));
        assert_eq!(born("270101-238?"), date(1927, 1, 1)); // turns 99 in 2026
        assert_eq!(born("270101+238?"), date(1827, 1, 1));
        // Turns 100 this year, birthday still to come: already `+`.
        assert_eq!(born("260616+238?"), date(1926, 6, 16));
        assert_eq!(born("19260616+238?"), date(1926, 6, 16));
        assert_eq!(born("260615+238?"), date(1926, 6, 15));
        // The same digits a year later read a century apart.
        let next_year = date(2027, 1, 1);
        let id = PatientId::parse(&luhn("270101-238?"), next_year).unwrap();
        assert_eq!(id.birth_date(), Some(date(2027, 1, 1)));
        // 121212+1212 is 1912 as long as today lies in 2012–2111.
        for year in [2012, 2026, 2111] {
            let id = PatientId::parse("121212+1212", date(year, 12, 31)).unwrap();
            assert_eq!(id.as_str(), "19121212-1212", "{year}");
        }
        let id = PatientId::parse("121212+1212", date(2112, 1, 1)).unwrap();
        assert_eq!(id.as_str(), "20121212-1212");
    }

    #[test]
    fn twelve_digits_with_dash_are_fine_at_any_age() {
        assert_eq!(ok("18900101-9802").birth_date(), Some(date(1890, 1, 1)));
        assert_eq!(ok("19121212+1212").as_str(), "19121212-1212");
    }

    #[test]
    fn samordningsnummer_keep_day_plus_60_in_canonical_form() {
        let id = ok("191401682396");
        assert_eq!(id.kind(), PatientIdKind::Samordningsnummer);
        assert_eq!(id.as_str(), "19140168-2396");
        assert_eq!(id.birth_date(), Some(date(1914, 1, 8)));
        // Day 61 and day 91 are the bounds.
        assert_eq!(ok(&luhn("19900161-238?")).birth_date(), Some(date(1990, 1, 1)));
        assert_eq!(ok(&luhn("19900191-238?")).birth_date(), Some(date(1990, 1, 31)));
        assert_eq!(ok(&luhn("20000289-238?")).birth_date(), Some(date(2000, 2, 29)));
        assert_eq!(
            problem(PatientId::parse(&luhn("19000289-238?"), TODAY)),
            PatientIdProblem::NoSuchDate { month: 2, day: 29, coordination: true }
        );
    }

    #[test]
    fn reserve_numbers_only_through_parse_reserve_and_flagged() {
        // Formats from the regions: free text, VGR (letter in the birth
        // number), Region Stockholm (99 + year), Inera Carelink (day 32–59).
        let nines = "9".repeat(RESERVE_MAX_CHARS);
        for (input, stored) in [
            ("R-2026-0001", "R-2026-0001"),
            ("  okand-17 ", "OKAND-17"),
            ("19810829M071", "19810829M071"),
            ("19810829m071", "19810829M071"),
            ("991981000010", "991981000010"),
            ("198108320014", "198108320014"),
            ("X", "X"),
            (nines.as_str(), nines.as_str()),
        ] {
            let id = PatientId::parse_reserve(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert!(id.is_reserve(), "{input}");
            assert_eq!(id.kind(), PatientIdKind::Reserve);
            assert_eq!(id.as_str(), stored);
            assert_eq!(id.birth_date(), None);
            assert!(PatientId::parse(input, TODAY).is_err(), "{input}");
            assert!(PatientId::from_canonical(stored).is_err(), "{input}");
        }
    }

    #[test]
    fn a_valid_personnummer_is_never_a_reserve_number() {
        use PatientIdKind::{Personnummer as P, Samordningsnummer as S};
        for (input, kind) in [
            ("19121212-1212", P),
            ("191212121212", P),
            ("121212-1212", P),
            ("1212121212", P),
            ("000229-2399", P),
            ("202601612381", S),
            ("260161-2381", S),
        ] {
            assert_eq!(
                problem(PatientId::parse_reserve(input)),
                PatientIdProblem::ReserveIsPersonalNumber { kind },
                "{input}"
            );
        }
        // Not valid as a personnummer by form (wrong check digit, no such
        // date, a year no personnummer has): the caller said reserve, so it is.
        for input in ["19121212-1213", "19900230-2385", "99201201-2386"] {
            assert!(PatientId::parse_reserve(input).unwrap().is_reserve(), "{input}");
        }
    }

    #[test]
    fn invalid_reserve_numbers() {
        use PatientIdProblem as P;
        for (input, expected) in [
            ("R 1", P::ReserveInvalidCharacter { ch: ' ' }),
            ("Å123", P::ReserveInvalidCharacter { ch: 'Å' }),
            ("121212+1212", P::ReserveInvalidCharacter { ch: '+' }),
            ("R_1", P::ReserveInvalidCharacter { ch: '_' }),
            ("---", P::ReserveWithoutLetterOrDigit),
        ] {
            assert_eq!(problem(PatientId::parse_reserve(input)), expected, "{input}");
        }
        let long = "A".repeat(RESERVE_MAX_CHARS + 1);
        assert_eq!(
            PatientId::parse_reserve(&long),
            Err(DomainError::TooLong { field: Field::PatientId, len: RESERVE_MAX_CHARS + 1, max: RESERVE_MAX_CHARS })
        );
    }

    #[test]
    fn from_canonical_accepts_only_the_canonical_form() {
        assert_eq!(PatientId::from_canonical("19121212-1212").map(|id| id.kind()), Ok(PatientIdKind::Personnummer));
        for bad in ["191212121212", "121212-1212", "19121212+1212", " 19121212-1212", "1912121-21212", "R-1", ""] {
            assert_eq!(problem(PatientId::from_canonical(bad)), PatientIdProblem::NotCanonical, "{bad}");
        }
        assert_eq!(problem(PatientId::from_canonical("19121212-1213")), PatientIdProblem::CheckDigit);
        // Without a today, a future date is not refused here.
        let future = luhn("21000101-238?");
        assert!(PatientId::from_canonical(&future).is_ok());
        assert_eq!(problem(PatientId::from_canonical(&luhn("99201201-238?"))), PatientIdProblem::ImplausibleBirthYear);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Doc {
        patient: PatientId,
    }

    fn round_trip(id: &PatientId) -> PatientId {
        let doc = Doc { patient: id.clone() };
        let text = toml::to_string(&doc).unwrap();
        toml::from_str::<Doc>(&text).unwrap().patient
    }

    #[test]
    fn debug_never_prints_the_whole_number() {
        let p = PatientId::parse("19121212-1212", date(2026, 11, 23)).unwrap();
        let d = format!("{p:?}");
        assert!(!d.contains("1212-1212") && !d.contains("12121212"), "{d}");
        assert!(d.contains("19121212-****"), "{d}");
        let r = PatientId::parse_reserve("RES-2026-0001").unwrap();
        assert!(!format!("{r:?}").contains("RES-2026"));
    }

    #[test]
    fn serde_states_the_kind_and_round_trips() {
        let pnr = ok("121212+1212");
        let text = toml::to_string(&Doc { patient: pnr.clone() }).unwrap();
        assert!(text.contains("kind = \"personnummer\""), "{text}");
        assert!(text.contains("value = \"19121212-1212\""), "{text}");
        assert_eq!(round_trip(&pnr), pnr);

        let snr = ok("191401682396");
        assert_eq!(round_trip(&snr), snr);

        let reserve = PatientId::parse_reserve("r-17").unwrap();
        let text = toml::to_string(&Doc { patient: reserve.clone() }).unwrap();
        assert!(text.contains("kind = \"reserve\""), "{text}");
        assert!(text.contains("value = \"R-17\""), "{text}");
        assert_eq!(round_trip(&reserve), reserve);
    }

    #[test]
    fn serde_refuses_what_parsing_would_refuse() {
        let read = |kind: &str, value: &str| {
            toml::from_str::<Doc>(&format!("[patient]\nkind = \"{kind}\"\nvalue = \"{value}\"\n"))
        };
        assert!(read("personnummer", "19121212-1212").is_ok());
        for (kind, value) in [
            ("personnummer", "191212121212"), // not canonical
            ("personnummer", "19121212-1213"),
            ("personnummer", "19140168-2396"), // a samordningsnummer
            ("samordningsnummer", "19121212-1212"),
            ("reserve", "19121212-1212"), // a personnummer posing as reserve
            ("reserve", "R 1"),
            ("unknown", "R-1"),
        ] {
            assert!(read(kind, value).is_err(), "{kind} {value}");
        }
        let err =
            PatientId::try_from(PatientIdRepr { kind: PatientIdKind::Personnummer, value: "19140168-2396".into() })
                .unwrap_err();
        assert_eq!(
            err,
            invalid(PatientIdProblem::KindMismatch {
                stated: PatientIdKind::Personnummer,
                actual: PatientIdKind::Samordningsnummer
            })
        );
        assert!(toml::from_str::<Doc>("[patient]\nkind = \"reserve\"\nvalue = \"R\"\nx = 1\n").is_err());
    }

    #[test]
    fn errors_name_the_field_in_both_languages_and_never_repeat_the_number() {
        let e = PatientId::parse("19121212-1213", TODAY).unwrap_err();
        assert_eq!(e.field(), Some(Field::PatientId));
        assert_eq!(e.code(), "patient_id_check_digit");
        assert_eq!(e.message_sv(), "Personnummer: kontrollsiffran stämmer inte. Kontrollera att alla siffror är rätt.");
        assert!(e.message_en().starts_with("Personal identity number: the check digit does not match"));

        let e = PatientId::parse(&luhn("19900290-238?"), TODAY).unwrap_err();
        assert_eq!(e.message_sv(), "Personnummer: den 30 februari finns inte (samordningsnummer: dagen minus 60).");
        assert_eq!(
            e.message_en(),
            "Personal identity number: February 30 does not exist (coordination number: the day minus 60)."
        );
        let e = PatientId::parse(&luhn("19000229-238?"), TODAY).unwrap_err();
        assert!(e.message_sv().contains("29 februari finns inte det året (inget skottår)"));
        let e = PatientId::parse(&luhn("260616-238?"), TODAY).unwrap_err();
        assert!(e.message_sv().contains("ligger i framtiden"));
        assert!(e.message_sv().contains("skriv +"));
        assert!(e.message_en().contains("in the future"));
        let e = PatientId::parse("20121212+1212", TODAY).unwrap_err();
        assert!(e.message_sv().contains("plustecknet"));
        let e = PatientId::parse("19121212-121", TODAY).unwrap_err();
        assert!(e.message_sv().contains("10 eller 12 siffror, inte 11"));
        assert!(e.message_en().contains("10 or 12 digits, not 11"));
        let e = PatientId::parse("121212–1212", TODAY).unwrap_err();
        assert!(e.message_sv().contains("tecknet ”–”"), "{}", e.message_sv());
        let e = PatientId::parse_reserve("1212121212").unwrap_err();
        assert_eq!(
            e.message_sv(),
            "Personnummer: numret är ett giltigt personnummer. \
             Registrera det som personnummer, inte som reservnummer."
        );
        assert_eq!(
            e.to_string(),
            format!("PatientId: {}", PatientIdProblem::ReserveIsPersonalNumber { kind: PatientIdKind::Personnummer })
        );

        // Every problem has a distinct code and messages in both languages.
        use PatientIdProblem as P;
        let all = [
            P::InvalidCharacter { ch: 'x' },
            P::InvalidCharacter { ch: ' ' },
            P::WrongLength { digits: 3 },
            P::MisplacedSeparator,
            P::NoSuchMonth { month: 13 },
            P::NoSuchDay { day: 45 },
            P::NoSuchDate { month: 4, day: 31, coordination: false },
            P::NoSuchBirthNumber,
            P::CheckDigit,
            P::BirthDateInFuture { short_form: false },
            P::ImplausibleBirthYear,
            P::PlusButUnder100,
            P::NotCanonical,
            P::KindMismatch { stated: PatientIdKind::Personnummer, actual: PatientIdKind::Samordningsnummer },
            P::ReserveInvalidCharacter { ch: '_' },
            P::ReserveInvalidCharacter { ch: ' ' },
            P::ReserveWithoutLetterOrDigit,
            P::ReserveIsPersonalNumber { kind: PatientIdKind::Samordningsnummer },
        ];
        let mut codes: Vec<_> = all.iter().map(|p| p.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len() - 2); // the two space variants share codes
        for p in all {
            assert!(!p.message_sv().is_empty() && !p.message_en().is_empty());
            assert_ne!(p.message_sv(), p.message_en());
        }

        // The typed number never appears in the error.
        for input in ["19121212-1213", "121212-1213", "19121212-121", "20121212+1212", "1212121212"] {
            let errs = [PatientId::parse(input, TODAY).err(), PatientId::parse_reserve(input).err()];
            for e in errs.into_iter().flatten() {
                for text in [e.message_sv(), e.message_en(), e.to_string(), format!("{e:?}")] {
                    assert!(!text.contains(input), "{text}");
                    assert!(!text.contains("1212"), "{text}");
                }
            }
        }
    }

    /// A birth date Reserv accepts, a birth number 001–999, whether it is
    /// a samordningsnummer, and a `today` on or after the birth date.
    fn number_and_today() -> impl Strategy<Value = (Date, [u8; 3], bool, Date)> {
        (
            *BIRTH_YEARS.start()..=*BIRTH_YEARS.end(),
            1i8..=12,
            1i8..=31,
            [0u8..=9, 0u8..=9, 0u8..=9],
            any::<bool>(),
            0i32..=80_000,
        )
            .prop_filter_map("a real date", |(y, m, d, nnn, coord, later)| {
                if nnn == [0, 0, 0] {
                    return None;
                }
                let birth = Date::new(y, m, d).ok()?;
                let today = birth.checked_add(later.days()).ok()?;
                Some((birth, nnn, coord, today))
            })
    }

    /// `ÅÅÅÅMMDD-NNN` for the birth date, without the check digit.
    fn without_check(birth: Date, nnn: [u8; 3], coord: bool) -> String {
        let day = birth.day() + if coord { 60 } else { 0 };
        format!("{:04}{:02}{day:02}-{}{}{}", birth.year(), birth.month(), nnn[0], nnn[1], nnn[2])
    }

    proptest! {
        #[test]
        fn numbers_with_their_luhn_digit_parse_and_all_others_fail(
            (birth, nnn, coord, today) in number_and_today()
        ) {
            let stem = without_check(birth, nnn, coord);
            let right = luhn(&format!("{stem}?"));
            let c = right.as_bytes()[right.len() - 1] - b'0';
            let kind = if coord { PatientIdKind::Samordningsnummer } else { PatientIdKind::Personnummer };

            let id = PatientId::parse(&right, today).unwrap();
            prop_assert_eq!(id.kind(), kind);
            prop_assert_eq!(id.as_str(), right.as_str());
            prop_assert_eq!(id.birth_date(), Some(birth));
            // The same number without separator, and in its ten-digit form
            // with the separator the age in calendar years calls for.
            prop_assert_eq!(&PatientId::parse(&right.replace('-', ""), today).unwrap(), &id);
            let age = i32::from(today.year()) - i32::from(birth.year());
            if age < 200 {
                let sep = if age >= 100 { "+" } else { "-" };
                let short = format!("{}{sep}{}", &right[2..8], &right[9..]);
                prop_assert_eq!(&PatientId::parse(&short, today).unwrap(), &id);
                if age < 100 {
                    prop_assert_eq!(&PatientId::parse(&short.replace('-', ""), today).unwrap(), &id);
                }
            }
            // Every other check digit fails, and says so.
            for other in (0..=9u8).filter(|&o| o != c) {
                let wrong = format!("{stem}{other}");
                prop_assert_eq!(
                    problem(PatientId::parse(&wrong, today)),
                    PatientIdProblem::CheckDigit
                );
                prop_assert_eq!(
                    problem(PatientId::from_canonical(&wrong)),
                    PatientIdProblem::CheckDigit
                );
            }
            // A valid number is never accepted as a reserve number.
            prop_assert_eq!(
                problem(PatientId::parse_reserve(&right)),
                PatientIdProblem::ReserveIsPersonalNumber { kind }
            );
        }

        #[test]
        fn the_canonical_form_parses_back_to_the_same_value(
            (birth, nnn, coord, today) in number_and_today()
        ) {
            let id = PatientId::parse(&luhn(&format!("{}?", without_check(birth, nnn, coord))), today).unwrap();
            prop_assert_eq!(&PatientId::parse(id.as_str(), today).unwrap(), &id);
            prop_assert_eq!(&PatientId::parse(&id.to_string(), today).unwrap(), &id);
            prop_assert_eq!(&PatientId::from_canonical(id.as_str()).unwrap(), &id);
            prop_assert_eq!(&round_trip(&id), &id);
        }

        #[test]
        fn reserve_numbers_round_trip(s in "[A-Za-z0-9-]{1,32}") {
            if let Ok(id) = PatientId::parse_reserve(&s) {
                prop_assert!(id.is_reserve());
                prop_assert_eq!(id.as_str(), s.to_ascii_uppercase());
                prop_assert_eq!(&PatientId::parse_reserve(id.as_str()).unwrap(), &id);
                prop_assert_eq!(&round_trip(&id), &id);
            }
        }

        #[test]
        fn parsing_never_panics(
            s in any::<String>(),
            shaped in "[0-9+ -]{0,16}",
            y in -9999i16..=9999,
            doy in 0i32..366,
        ) {
            let today = date(y, 1, 1).checked_add(doy.days()).unwrap_or(date(y, 12, 31));
            for input in [&s, &shaped] {
                if let Ok(id) = PatientId::parse(input, today) {
                    prop_assert!(id.birth_date().is_some_and(|b| b <= today));
                    prop_assert_eq!(id.as_str().len(), 13);
                }
                let _ = PatientId::parse_reserve(input);
                let _ = PatientId::from_canonical(input);
            }
        }
    }
}
