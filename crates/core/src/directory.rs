//! The organisation directory a region keeps as a data file (TOML): parsing
//! and validation, with errors ([`DataFileError`]) that name the entry, its
//! line, the key and the reason.

use serde::Deserialize;
use std::collections::HashSet;

use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, Reason, line_of_entry};
use crate::org::{OrgKind, Organisation};

/// A directory file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DirectoryFile {
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

/// What can be wrong with one organisation of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryProblem {
    DuplicateId,
    NameLength,
    ParentMissing(String),
    WardParentNotHospital,
    NoParent,
    WardTypeMissing,
    WardTypeNotWard,
    InvalidPhone(String),
    MunicipalityWithoutSwitchboard,
}

impl DirectoryProblem {
    /// The stable code, after `directory_`.
    pub fn code(&self) -> &'static str {
        match self {
            DirectoryProblem::DuplicateId => "duplicate_id",
            DirectoryProblem::NameLength => "name_length",
            DirectoryProblem::ParentMissing(_) => "parent_missing",
            DirectoryProblem::WardParentNotHospital => "ward_parent_not_hospital",
            DirectoryProblem::NoParent => "no_parent",
            DirectoryProblem::WardTypeMissing => "ward_type_missing",
            DirectoryProblem::WardTypeNotWard => "ward_type_not_ward",
            DirectoryProblem::InvalidPhone(_) => "invalid_phone",
            DirectoryProblem::MunicipalityWithoutSwitchboard => "municipality_without_switchboard",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            DirectoryProblem::DuplicateId => "id:t förekommer två gånger".into(),
            DirectoryProblem::NameLength => "namnet måste vara 1–200 tecken".into(),
            DirectoryProblem::ParentMissing(p) => format!("överordnad {p} finns inte"),
            DirectoryProblem::WardParentNotHospital => "en avdelnings överordnade måste vara ett sjukhus".into(),
            DirectoryProblem::NoParent => "bara en region eller en kommun saknar överordnad".into(),
            DirectoryProblem::WardTypeMissing => "en avdelning behöver ward_type (somatic eller psychiatric)".into(),
            DirectoryProblem::WardTypeNotWard => "bara en avdelning har ward_type".into(),
            DirectoryProblem::InvalidPhone(p) => format!("{p:?} är inget telefonnummer"),
            DirectoryProblem::MunicipalityWithoutSwitchboard => "en kommun behöver sitt växelnummer (seed 001)".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            DirectoryProblem::DuplicateId => "the id occurs twice".into(),
            DirectoryProblem::NameLength => "the name must be 1–200 characters".into(),
            DirectoryProblem::ParentMissing(p) => format!("parent {p} does not exist"),
            DirectoryProblem::WardParentNotHospital => "a ward's parent must be a hospital".into(),
            DirectoryProblem::NoParent => "only a region or a municipality has no parent".into(),
            DirectoryProblem::WardTypeMissing => "a ward needs ward_type (somatic or psychiatric)".into(),
            DirectoryProblem::WardTypeNotWard => "only a ward has a ward_type".into(),
            DirectoryProblem::InvalidPhone(p) => format!("{p:?} is not a phone number"),
            DirectoryProblem::MunicipalityWithoutSwitchboard => {
                "a municipality needs its switchboard number (seed 001)".into()
            }
        }
    }
}

impl Kind for DirectoryFile {
    const KIND: FileKind = FileKind::Directory;
    const MAX_TEXT: usize = 200;
    // Every problem names its organisation, so it is a whole `Reason::Directory`.
    type Problem = Reason;
}

/// Parses and validates a directory file. The first problem found is the
/// error; it names the organisation, the key and (from the `id` line) the
/// line, and the caller puts the file's path in front.
pub fn parse_directory(text: &str) -> Result<Vec<Organisation>, DataFileError> {
    let file: DirectoryFile = FileCheck::<DirectoryFile>::toml("", text).map_err(first)?;
    let mut check = FileCheck::<DirectoryFile>::new("", text);
    validate(&mut check, &file.organisations);
    check.finish(file.organisations).map_err(first)
}

fn first(mut errors: Vec<DataFileError>) -> DataFileError {
    errors.swap_remove(0)
}

fn validate(check: &mut FileCheck<'_, DirectoryFile>, orgs: &[Organisation]) {
    let text = check.text;
    let mut problem = |o: &Organisation, field: &'static str, problem: DirectoryProblem| {
        let line = line_of_entry(text, "id", o.id.as_str());
        check.push(line, Some(field), Reason::Directory { org: o.id.to_string(), problem });
    };
    let mut seen = HashSet::new();
    for o in orgs {
        if !seen.insert(o.id.as_str()) {
            problem(o, "id", DirectoryProblem::DuplicateId);
            return;
        }
    }
    for o in orgs {
        if o.name.trim().is_empty() || o.name.chars().count() > 200 {
            return problem(o, "name", DirectoryProblem::NameLength);
        }
        if let Some(p) = &o.parent {
            let Some(parent) = orgs.iter().find(|x| &x.id == p) else {
                return problem(o, "parent", DirectoryProblem::ParentMissing(p.to_string()));
            };
            if o.kind == OrgKind::Ward && parent.kind != OrgKind::Hospital {
                return problem(o, "parent", DirectoryProblem::WardParentNotHospital);
            }
        } else if o.kind != OrgKind::Region && o.kind != OrgKind::Municipality {
            return problem(o, "parent", DirectoryProblem::NoParent);
        }
        match (o.kind, o.ward_type) {
            (OrgKind::Ward, None) => return problem(o, "ward_type", DirectoryProblem::WardTypeMissing),
            (k, Some(_)) if k != OrgKind::Ward => return problem(o, "ward_type", DirectoryProblem::WardTypeNotWard),
            _ => {}
        }
        for (field, phone) in [("switchboard", &o.switchboard), ("direct_phone", &o.direct_phone)] {
            if let Some(phone) = phone
                && !is_phone_number(phone)
            {
                return problem(o, field, DirectoryProblem::InvalidPhone(phone.clone()));
            }
        }
        if o.kind == OrgKind::Municipality && o.switchboard.is_none() {
            return problem(o, "switchboard", DirectoryProblem::MunicipalityWithoutSwitchboard);
        }
    }
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
            (OK.replace("kind = \"ward\"", "kind = \"moon\""), "unknown organisation kind `moon`"),
        ];
        for (text, want) in cases {
            let err = parse_directory(&text).unwrap_err().to_string();
            assert!(err.contains(want), "{err} should contain {want}");
        }
    }

    #[test]
    fn errors_name_the_line_the_key_and_the_organisation() {
        let e = parse_directory(&OK.replace("parent = \"sjukhus-x\"", "parent = \"nope\"")).unwrap_err();
        assert_eq!((e.line, e.field, e.code().as_str()), (Some(15), Some("parent"), "directory_parent_missing"));
        assert_eq!(e.to_string(), "organisation avd-1: parent nope does not exist");
        assert_eq!(e.message_sv(), "organisationen avd-1: överordnad nope finns inte");
        let e = parse_directory("[[organisation]]\nid = ").unwrap_err();
        assert_eq!((e.line, e.code().as_str()), (Some(2), "directory_syntax"));
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
