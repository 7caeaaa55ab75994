//! Recipients and their addresses: who is in which group, the one rule for
//! a phone number and an e-mail address the adapters can use, and why a
//! message has no address ([`NoAddress`]); the recipients file
//! ([`parse_recipients`]).

use super::*;

/// A person who can be notified, as listed in the region's recipients file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// A stable id within the recipients file.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their Reserv account, so that they can acknowledge when logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Recipient groups by id, each with its people.
pub type Recipients = BTreeMap<String, Vec<Recipient>>;

/// Where one message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Address {
    Email(String),
    /// An E.164 number (`+46…`): SMS, or the number to phone.
    Phone(String),
    /// The configured endpoint (webhook, crisis app) for this group.
    Endpoint,
    /// Shown inside Reserv (status pages).
    Internal,
}

/// Normalises a Swedish or international phone number to E.164 (`+46701234567`).
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let e164 = if let Some(rest) = digits.strip_prefix('+') {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("46{rest}")
    } else {
        return None;
    };
    let ok = (8..=15).contains(&e164.len()) && e164.bytes().all(|b| b.is_ascii_digit()) && !e164.starts_with('0');
    ok.then(|| format!("+{e164}"))
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in
/// the domain, and nothing that could break a mail header.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
}

/// Why a message has no address to go to (shown on the outage page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAddress {
    /// The group has nobody in the recipients file.
    EmptyGroup {
        group: String,
    },
    NoEmail {
        name: String,
    },
    BadEmail {
        name: String,
    },
    NoPhone {
        name: String,
    },
    BadPhone {
        name: String,
    },
}

impl NoAddress {
    pub fn message_sv(&self) -> String {
        match self {
            NoAddress::EmptyGroup { group } => {
                format!("Mottagargruppen ”{group}” har ingen mottagare i mottagarfilen.")
            }
            NoAddress::NoEmail { name } => format!("{name} saknar e-postadress i mottagarfilen."),
            NoAddress::BadEmail { name } => format!("{name} har en ogiltig e-postadress i mottagarfilen."),
            NoAddress::NoPhone { name } => format!("{name} saknar telefonnummer i mottagarfilen."),
            NoAddress::BadPhone { name } => format!("{name} har ett ogiltigt telefonnummer i mottagarfilen."),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            NoAddress::EmptyGroup { group } => {
                format!("The recipient group “{group}” has nobody in the recipients file.")
            }
            NoAddress::NoEmail { name } => format!("{name} has no e-mail address in the recipients file."),
            NoAddress::BadEmail { name } => format!("{name} has an invalid e-mail address in the recipients file."),
            NoAddress::NoPhone { name } => format!("{name} has no phone number in the recipients file."),
            NoAddress::BadPhone { name } => format!("{name} has an invalid phone number in the recipients file."),
        }
    }
}

/// Parses and checks a recipients file (TOML, one `[[person]]` per person
/// with the groups they belong to): every problem, each with file, line and
/// reason. Addresses are checked here too, so a typo shows before an
/// outage. The format and the checks are [`crate::notify::read_recipients`]'s,
/// so the server and `reserv notifications check` agree.
///
/// ```toml
/// [[person]]
/// id = "anna-it"
/// name = "Anna Andersson"
/// email = "anna.andersson@example.org"
/// phone = "070-123 45 67"
/// username = "anna.it"          # optional: her Reserv account
/// groups = ["it-jour", "it-chefer"]
/// ```
pub fn parse_recipients(file: &str, text: &str) -> Result<Recipients, Vec<DataFileError>> {
    crate::notify::read_recipients(file, text)
}
