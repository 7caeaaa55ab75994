//! Phone numbers: [`PhoneNumber::parse`], the one rule for what a Swedish
//! phone number is, and why a text is not one ([`PhoneProblem`]).

use super::*;

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

pub(super) fn short_numbers_written() -> &'static str {
    "112, 1177, 113 13, 114 14, 116 000, 116 111"
}

/// What sort of number a [`PhoneNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
