//! Precisely what is wrong with a patient identity ([`PatientIdProblem`]),
//! with Swedish and English messages that never repeat the number.

use super::*;

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

pub(super) fn month_sv(month: u8) -> &'static str {
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

pub(super) fn month_en(month: u8) -> &'static str {
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

pub(super) fn invalid(problem: PatientIdProblem) -> DomainError {
    DomainError::InvalidPatientId { field: FIELD, problem }
}
