//! The validated patient identity ([`PatientId`]): parsing what a person
//! types, the canonical form, and its serialised form with the kind stated.

use super::*;

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
pub(super) struct PatientIdRepr {
    pub(super) kind: PatientIdKind,
    pub(super) value: String,
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
