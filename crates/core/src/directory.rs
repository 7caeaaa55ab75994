//! The organisation directory a region keeps as a data file (TOML): parsing
//! and validation, with errors that name the entry and the reason.

use serde::Deserialize;
use std::collections::HashSet;

use crate::error::{DomainError, Field};
use crate::org::{OrgKind, Organisation};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    /// Free text naming the file's source, e.g. the seed it follows.
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(rename = "organisation", default)]
    organisations: Vec<Organisation>,
}

/// Checks that a text is a phone number as people write them in Sweden:
/// digits with spaces, dashes, parentheses or a leading `+`, 5–15 digits.
pub fn is_phone_number(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=15).contains(&digits)
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '–' | '(' | ')' | '+'))
        && !s.contains("++")
}

/// Parses and validates a directory file.
pub fn parse_directory(text: &str) -> Result<Vec<Organisation>, DomainError> {
    let file: DirectoryFile =
        toml::from_str(text).map_err(|e| DomainError::Invalid { field: Field::File, message: e.to_string() })?;
    validate(&file.organisations)?;
    Ok(file.organisations)
}

fn invalid(id: &str, message: &str) -> DomainError {
    DomainError::Invalid { field: Field::File, message: format!("organisation {id}: {message}") }
}

fn validate(orgs: &[Organisation]) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for o in orgs {
        if !seen.insert(o.id.as_str()) {
            return Err(invalid(o.id.as_str(), "the id occurs twice"));
        }
    }
    for o in orgs {
        let id = o.id.as_str();
        if o.name.trim().is_empty() || o.name.chars().count() > 200 {
            return Err(invalid(id, "the name must be 1–200 characters"));
        }
        if let Some(p) = &o.parent {
            let Some(parent) = orgs.iter().find(|x| &x.id == p) else {
                return Err(invalid(id, &format!("parent {p} does not exist")));
            };
            if o.kind == OrgKind::Ward && parent.kind != OrgKind::Hospital {
                return Err(invalid(id, "a ward's parent must be a hospital"));
            }
        } else if o.kind != OrgKind::Region && o.kind != OrgKind::Municipality {
            return Err(invalid(id, "only a region or a municipality has no parent"));
        }
        match (o.kind, o.ward_type) {
            (OrgKind::Ward, None) => {
                return Err(invalid(id, "a ward needs ward_type (somatic or psychiatric)"));
            }
            (k, Some(_)) if k != OrgKind::Ward => {
                return Err(invalid(id, "only a ward has a ward_type"));
            }
            _ => {}
        }
        for phone in [&o.switchboard, &o.direct_phone].into_iter().flatten() {
            if !is_phone_number(phone) {
                return Err(invalid(id, &format!("{phone:?} is not a phone number")));
            }
        }
        if o.kind == OrgKind::Municipality && o.switchboard.is_none() {
            return Err(invalid(id, "a municipality needs its switchboard number (seed 001)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[organisation]]
id = "region-x"
kind = "region"
name = "Region X"
switchboard = "0611-800 00"

[[organisation]]
id = "sjukhus-x"
kind = "hospital"
name = "Sjukhus X"
parent = "region-x"

[[organisation]]
id = "avd-1"
kind = "ward"
ward_type = "psychiatric"
name = "Avdelning 1"
parent = "sjukhus-x"

[[organisation]]
id = "kommun-y"
kind = "municipality"
name = "Y kommun"
switchboard = "060-16 31 00"
"#;

    #[test]
    fn a_valid_directory_parses() {
        let orgs = parse_directory(OK).unwrap();
        assert_eq!(orgs.len(), 4);
    }

    #[test]
    fn errors_name_the_entry() {
        let cases = [
            (OK.replace("parent = \"sjukhus-x\"", "parent = \"nope\""), "parent nope does not exist"),
            (OK.replace("ward_type = \"psychiatric\"\n", ""), "needs ward_type"),
            (OK.replace("060-16 31 00", "ring oss"), "is not a phone number"),
            (OK.replace("id = \"avd-1\"", "id = \"sjukhus-x\""), "occurs twice"),
            (OK.replace("kind = \"ward\"", "kind = \"moon\""), "unknown variant"),
        ];
        for (text, want) in cases {
            let err = parse_directory(&text).unwrap_err().to_string();
            assert!(err.contains(want), "{err} should contain {want}");
        }
    }

    #[test]
    fn phone_numbers() {
        for ok in ["0611-800 00", "060-16 31 00", "(026-1) 53 000", "59090", "+46 611 800 00", "0611–800 00"] {
            assert!(is_phone_number(ok), "{ok}");
        }
        for bad in ["", "1234", "ring växeln", "0611/800", "12345678901234567"] {
            assert!(!is_phone_number(bad), "{bad}");
        }
    }
}
