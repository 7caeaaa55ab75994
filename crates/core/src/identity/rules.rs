//! The rules of the numbers themselves: the shape of what was typed, month
//! and day (day + 60 for a samordningsnummer), the century, and the Luhn
//! check digit.

use super::*;

/// A number split into its parts, before any rule about dates or check digits.
pub(super) struct Shape {
    /// The first two digits of the twelve-digit form.
    pub(super) century: Option<u8>,
    /// `ÅÅMMDDNNNC`, each a digit 0–9.
    pub(super) digits: [u8; 10],
    /// `-` or `+`, if written.
    pub(super) separator: Option<u8>,
}

impl Shape {
    /// Digits and at most one separator, directly before the last four digits.
    pub(super) fn of(t: &str) -> Result<Shape, PatientIdProblem> {
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
    pub(super) fn digits_yy(&self) -> u8 {
        self.digits[0] * 10 + self.digits[1]
    }

    /// The four-digit year, with `century_if_none` when the form has none.
    pub(super) fn full_year(&self, century_if_none: u8) -> i16 {
        let c = self.century.unwrap_or(century_if_none);
        i16::from(c) * 100 + i16::from(self.digits_yy())
    }
}

/// The month, the real day and the kind that the day implies.
pub(super) fn month_and_day(d: &[u8; 10]) -> Result<(PatientIdKind, u8, u8), PatientIdProblem> {
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
pub(super) fn century_of(yy: u8, plus: bool, today: Date) -> i16 {
    let t = i32::from(today.year());
    let mut year = t - (t - i32::from(yy)).rem_euclid(100);
    if plus {
        year -= 100;
    }
    // `today` lies in -9999..=9999, so this always fits.
    i16::try_from(year).unwrap_or(i16::MIN)
}

pub(super) fn birth_date(year: i16, month: u8, day: u8, kind: PatientIdKind) -> Result<Date, PatientIdProblem> {
    // month ≤ 12 and day ≤ 31 here, so the casts are lossless.
    Date::new(year, month as i8, day as i8).map_err(|_| PatientIdProblem::NoSuchDate {
        month,
        day,
        coordination: kind == PatientIdKind::Samordningsnummer,
    })
}

/// The Luhn (modulus 10, weights 2 and 1) check digit of the nine digits
/// `ÅÅMMDDNNN`.
pub(super) fn luhn_check_digit(nine: &[u8]) -> u8 {
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
pub(super) fn check_number(d: &[u8; 10]) -> Result<(), PatientIdProblem> {
    if d[6..9] == [0, 0, 0] {
        return Err(PatientIdProblem::NoSuchBirthNumber);
    }
    if luhn_check_digit(&d[..9]) == d[9] { Ok(()) } else { Err(PatientIdProblem::CheckDigit) }
}

pub(super) fn canonical(year: i16, d: &[u8; 10]) -> String {
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
pub(super) fn valid_by_form(t: &str) -> Option<PatientIdKind> {
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
