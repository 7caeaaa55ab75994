//! Deviation reports (avvikelserapporter) on an outage. Seed 004 asks staff
//! to "skriv avvikelserapport – dels på själva haveriet, dels på eventuella
//! tillbud/avvikelser som uppstår p.g.a. driftstoppet": one report on the
//! breakdown itself, and one on each near miss or adverse event it caused.
//!
//! A report belongs to an outage and is an immutable record signed by its
//! author and unit; a correction is a new report that supersedes the old one,
//! and both stay visible. A report describes an event, never a patient: its
//! free texts are refused if they hold something that is a valid personnummer
//! or samordningsnummer, however it is written
//! ([`find_personal_number`]). The identity belongs in
//! the health record and the region's ordinary deviation system.
//!
//! Who reads what ([`reads_all`], [`may_read`]): everyone the reports of their
//! own organisation; unit managers, IT, system administrators and auditors
//! every report on the outage.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field, check_text};
use crate::identity::find_personal_number;
use crate::ids::{EntryId, OrgId, OutageId, UserId};
use crate::org::Role;
use crate::time::{check_plausible, local};

/// How far ahead of the clock a time may lie (clock skew between devices);
/// the same allowance as the handover log's calls (`episode`).
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// How long before the outage's start an event may lie: an outage is often
/// declared after it was first noticed, so its start may be set late.
pub const BEFORE_START_SLACK: SignedDuration = SignedDuration::from_hours(24);

/// The longest description, consequence or action text.
pub const TEXT_MAX_CHARS: usize = 4000;

/// The longest case number of the ordinary deviation system.
pub const REFERENCE_MAX_CHARS: usize = 100;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Subject {
    /// The breakdown itself (själva haveriet).
    Outage,
    /// A near miss or adverse event the outage caused (tillbud/avvikelse).
    Incident,
}

/// The kind of incident: a small closed list, so reports can be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeviationCategory))]
pub enum Category {
    Medication,
    InformationTransfer,
    Documentation,
    CareDelay,
    Other,
}

/// The consequence for the patient or care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    None,
    Minor,
    Serious,
}

macro_rules! labelled {
    ($ty:ident, $field:expr, [$($v:ident => $key:literal, $sv:literal, $en:literal;)+]) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The value as the API and the forms spell it.
            pub fn key(self) -> &'static str {
                match self { $($ty::$v => $key),+ }
            }

            pub fn label_sv(self) -> &'static str {
                match self { $($ty::$v => $sv),+ }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($ty::$v => $en),+ }
            }

            /// Parses a key; anything else is `UnknownValue`, an empty text `Required`.
            pub fn parse(s: &str) -> Result<$ty, DomainError> {
                let s = s.trim();
                if s.is_empty() {
                    return Err(DomainError::Required { field: $field });
                }
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.key() == s)
                    .ok_or_else(|| DomainError::UnknownValue { field: $field, value: s.chars().take(40).collect() })
            }
        }
    };
}

labelled!(Subject, Field::Subject, [
    Outage => "outage", "Själva driftstoppet (haveriet)", "The outage itself (the breakdown)";
    Incident => "incident",
        "Tillbud eller avvikelse som driftstoppet orsakat",
        "A near miss or adverse event the outage caused";
]);

labelled!(Category, Field::Category, [
    Medication => "medication", "Läkemedel", "Medication";
    InformationTransfer => "information_transfer", "Informationsöverföring", "Information transfer";
    Documentation => "documentation", "Dokumentation", "Documentation";
    CareDelay => "care_delay", "Fördröjd vård eller behandling", "Delayed care or treatment";
    Other => "other", "Annat", "Other";
]);

labelled!(Severity, Field::Severity, [
    None => "none", "Ingen skada eller konsekvens", "No harm or consequence";
    Minor => "minor", "Lindrig", "Minor";
    Serious => "serious", "Allvarlig", "Serious";
]);

/// One deviation report, as recorded: never changed, only superseded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationReport {
    pub id: EntryId,
    pub outage_id: OutageId,
    pub subject: Subject,
    /// Only for incidents.
    pub category: Option<Category>,
    /// When the event took place (or the breakdown was noticed).
    pub occurred_at: Timestamp,
    /// When it was recorded in Reserv.
    pub recorded_at: Timestamp,
    /// The reporting unit: the author's organisation.
    pub unit: OrgId,
    pub author_id: UserId,
    pub author_name: String,
    pub description: String,
    /// The consequence for the patient or care (never the patient's identity).
    pub consequence: String,
    pub action_taken: String,
    pub severity: Severity,
    /// Also reported in the region's or municipality's ordinary deviation system.
    pub reported_elsewhere: bool,
    /// The case number there, if known.
    pub external_reference: String,
    /// The report this one corrects.
    pub supersedes: Option<EntryId>,
    pub node: String,
}

/// A report as entered (parsed; not yet validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationDraft {
    pub subject: Subject,
    pub category: Option<Category>,
    pub occurred_at: Timestamp,
    pub description: String,
    pub consequence: String,
    pub action_taken: String,
    pub severity: Severity,
    pub reported_elsewhere: bool,
    pub external_reference: String,
}

/// Validates a report on an outage that started at `outage_start`, at `now`,
/// and returns it with its texts trimmed.
pub fn validate(d: DeviationDraft, outage_start: Timestamp, now: Timestamp) -> Result<DeviationDraft, DomainError> {
    let occurred_at = check_plausible(Field::OccurredAt, d.occurred_at)?;
    if occurred_at > now + CLOCK_SKEW {
        return Err(DomainError::InFuture { field: Field::OccurredAt });
    }
    if occurred_at < outage_start - BEFORE_START_SLACK {
        return Err(DomainError::Invalid {
            field: Field::OccurredAt,
            message: "ligger mer än ett dygn före driftstoppets start.".into(),
        });
    }
    match (d.subject, d.category) {
        (Subject::Incident, None) => return Err(DomainError::Required { field: Field::Category }),
        (Subject::Outage, Some(_)) => {
            return Err(DomainError::Invalid {
                field: Field::Category,
                message: "anges bara för tillbud och avvikelser, inte för rapporten om själva driftstoppet.".into(),
            });
        }
        _ => {}
    }
    let today = local(now).date();
    let text = |field: Field, s: &str, max: usize, required: bool| -> Result<String, DomainError> {
        let t = check_text(field, s, max, required)?;
        match find_personal_number(&t, today) {
            Some(_) => Err(DomainError::ContainsPersonalNumber { field }),
            None => Ok(t),
        }
    };
    let description = text(Field::Description, &d.description, TEXT_MAX_CHARS, true)?;
    let consequence = text(Field::Consequence, &d.consequence, TEXT_MAX_CHARS, false)?;
    let action_taken = text(Field::ActionTaken, &d.action_taken, TEXT_MAX_CHARS, false)?;
    let external_reference = text(Field::ExternalReference, &d.external_reference, REFERENCE_MAX_CHARS, false)?;
    if !d.reported_elsewhere && !external_reference.is_empty() {
        return Err(DomainError::Invalid {
            field: Field::ExternalReference,
            message: "anges bara om händelsen är rapporterad i det ordinarie avvikelsesystemet.".into(),
        });
    }
    Ok(DeviationDraft {
        subject: d.subject,
        category: d.category,
        occurred_at,
        description,
        consequence,
        action_taken,
        severity: d.severity,
        reported_elsewhere: d.reported_elsewhere,
        external_reference,
    })
}

/// Whether a role reads every report on an outage, not only its own
/// organisation's: those who follow up deviations (unit managers, auditors)
/// and those who answer for the systems (IT, system administrators).
pub fn reads_all(role: Role) -> bool {
    crate::access::Permissions::of(role).reads_reports
}

/// Whether a person of `role` in `org` may read `report`.
pub fn may_read(role: Role, org: &OrgId, report: &DeviationReport) -> bool {
    reads_all(role) || &report.unit == org
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const START: &str = "2026-11-23T06:00:00Z";
    const NOW: &str = "2026-11-23T10:00:00Z";

    fn draft() -> DeviationDraft {
        DeviationDraft {
            subject: Subject::Incident,
            category: Some(Category::Medication),
            occurred_at: t("2026-11-23T09:00:00Z"),
            description: "  Kvällens läkemedel gavs en timme sent: listan var inte utskriven.  ".into(),
            consequence: String::new(),
            action_taken: "Ringde jourhavande läkare.".into(),
            severity: Severity::Minor,
            reported_elsewhere: false,
            external_reference: String::new(),
        }
    }

    fn check(d: DeviationDraft) -> Result<DeviationDraft, DomainError> {
        validate(d, t(START), t(NOW))
    }

    #[test]
    fn a_valid_report_is_returned_trimmed() {
        let ok = check(draft()).unwrap();
        assert_eq!(ok.description, "Kvällens läkemedel gavs en timme sent: listan var inte utskriven.");
        let outage = DeviationDraft { subject: Subject::Outage, category: None, ..draft() };
        assert!(check(outage).is_ok());
        let reported =
            DeviationDraft { reported_elsewhere: true, external_reference: " AV-2026-0042 ".into(), ..draft() };
        assert_eq!(check(reported).unwrap().external_reference, "AV-2026-0042");
        // Within the clock skew and within a day before the start.
        assert!(check(DeviationDraft { occurred_at: t("2026-11-23T10:04:00Z"), ..draft() }).is_ok());
        assert!(check(DeviationDraft { occurred_at: t("2026-11-22T07:00:00Z"), ..draft() }).is_ok());
    }

    #[test]
    fn each_rule_names_its_field_and_code() {
        let cases: Vec<(DeviationDraft, Field, &str)> = vec![
            (DeviationDraft { description: " ".into(), ..draft() }, Field::Description, "required"),
            (
                DeviationDraft { description: "x".repeat(TEXT_MAX_CHARS + 1), ..draft() },
                Field::Description,
                "text_too_long",
            ),
            (DeviationDraft { occurred_at: t("2026-11-23T10:06:00Z"), ..draft() }, Field::OccurredAt, "in_future"),
            (DeviationDraft { occurred_at: t("2026-11-22T05:00:00Z"), ..draft() }, Field::OccurredAt, "invalid"),
            (
                DeviationDraft { occurred_at: t("1999-12-01T05:00:00Z"), ..draft() },
                Field::OccurredAt,
                "implausible_date",
            ),
            (DeviationDraft { category: None, ..draft() }, Field::Category, "required"),
            (DeviationDraft { subject: Subject::Outage, ..draft() }, Field::Category, "invalid"),
            (
                DeviationDraft { consequence: "y".repeat(TEXT_MAX_CHARS + 1), ..draft() },
                Field::Consequence,
                "text_too_long",
            ),
            (
                DeviationDraft { consequence: "Pat 19121212-1212 fick dubbel dos".into(), ..draft() },
                Field::Consequence,
                "contains_personal_number",
            ),
            (
                DeviationDraft { description: "Gällde 191212121212.".into(), ..draft() },
                Field::Description,
                "contains_personal_number",
            ),
            (
                DeviationDraft { action_taken: "Kontaktade anhöriga till 121212-1212".into(), ..draft() },
                Field::ActionTaken,
                "contains_personal_number",
            ),
            (DeviationDraft { external_reference: "AV-1".into(), ..draft() }, Field::ExternalReference, "invalid"),
            (
                DeviationDraft { reported_elsewhere: true, external_reference: "x".repeat(101), ..draft() },
                Field::ExternalReference,
                "text_too_long",
            ),
        ];
        for (d, field, code) in cases {
            let e = check(d.clone()).unwrap_err();
            assert_eq!((e.field(), e.code()), (Some(field), code), "{d:?}");
            assert!(e.message_sv().starts_with(field.label_sv()), "{}", e.message_sv());
        }
    }

    #[test]
    fn personal_numbers_are_found_however_they_are_written() {
        let today = jiff::civil::date(2026, 11, 23);
        for text in [
            "19121212-1212",
            "pnr 191212121212, säng 4",
            "121212-1212",
            "1212121212",
            "19121212 1212",
            "(121212+1212)",
            "samordningsnummer 19701063-2391",
            // Issue 19: dashes, dots, spaces and full-width digits.
            "19121212–1212",
            "Pat 19121212 - 1212",
            "12.12.12-1212",
            "１９１２１２１２－１２１２",
        ] {
            assert!(find_personal_number(text, today).is_some(), "{text:?} should be found");
        }
        for text in [
            "",
            "Tel 0611-800 00, anknytning 1234",
            "19121212-1213",                // wrong check digit
            "Avvikelse AV-2026-0042",       // a case number
            "kl 09.00 gavs 500 mg",         // doses and times
            "1912121212120",                // thirteen digits
            "2026-11-23 14:05",             // a date and a time
            "Händelse 20261123-0001 i MIA", // a date with a serial number
        ] {
            assert_eq!(find_personal_number(text, today), None, "{text:?} is not a personal number");
        }
    }

    #[test]
    fn keys_round_trip_and_unknown_values_are_refused() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Ok(*c));
        }
        for s in Subject::ALL {
            assert_eq!(Subject::parse(s.key()), Ok(*s));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.key()), Ok(*s));
        }
        assert_eq!(Category::parse("weather").unwrap_err().code(), "unknown_value");
        assert_eq!(Category::parse("weather").unwrap_err().field(), Some(Field::Category));
        assert_eq!(Severity::parse(" ").unwrap_err(), DomainError::Required { field: Field::Severity });
    }

    fn report(unit: &str) -> DeviationReport {
        let d = check(draft()).unwrap();
        DeviationReport {
            id: EntryId(Uuid::from_u128(1)),
            outage_id: OutageId(Uuid::from_u128(2)),
            subject: d.subject,
            category: d.category,
            occurred_at: d.occurred_at,
            recorded_at: t(NOW),
            unit: OrgId::parse(unit).unwrap(),
            author_id: UserId(Uuid::from_u128(3)),
            author_name: "Sjuksköterska".into(),
            description: d.description,
            consequence: d.consequence,
            action_taken: d.action_taken,
            severity: d.severity,
            reported_elsewhere: d.reported_elsewhere,
            external_reference: d.external_reference,
            supersedes: None,
            node: "n".into(),
        }
    }

    #[test]
    fn own_unit_for_everyone_all_for_managers_it_and_auditors() {
        let r = report("avd-3");
        let own = OrgId::parse("avd-3").unwrap();
        let other = OrgId::parse("kommun").unwrap();
        for role in Role::ALL {
            assert!(may_read(role, &own, &r), "{role:?} reads its own unit's reports");
            assert_eq!(may_read(role, &other, &r), role != Role::Clinician, "{role:?} on another unit's report");
        }
    }
}
