//! Deviation reports on an outage (seed 004: "Skriv avvikelserapport – dels
//! på själva haveriet, dels på eventuella tillbud/avvikelser som uppstår
//! p.g.a. driftstoppet"): anyone logged in reports, on the outage itself or on
//! an incident it caused; a correction supersedes a report of one's own unit.
//! Reading follows `reserv_core::deviation::may_read`: one's own unit's
//! reports, or every report for unit managers, IT, system administrators and
//! auditors. Every write, read and export is in the audit log. The export is
//! a CSV file (`reserv_core::csv`: `;`, BOM, CRLF, formulas guarded; one row
//! per report, superseded ones marked) written by [`write_csv`], or the
//! structured JSON of [`DeviationList`].

use std::collections::HashMap;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::csv::CsvWriter;
use reserv_core::deviation::{self, Category, DeviationDraft, DeviationReport, Severity, Subject};
use reserv_core::error::{DomainError, Field};
use reserv_core::ids::{EntryId, OrgId, OutageId, SystemId};
use reserv_core::time::{format_local, local, parse_user_time};

use crate::{Actor, App, AppError, Principal};

/// A report as typed into the form or sent to the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ReportInput {
    /// `outage` or `incident`.
    pub subject: String,
    /// Local time as typed, or RFC 3339.
    pub occurred_at: String,
    /// A category key; only for incidents.
    pub category: Option<String>,
    /// `none`, `minor` or `serious`.
    pub severity: String,
    pub description: String,
    pub consequence: String,
    pub action_taken: String,
    pub reported_elsewhere: bool,
    pub external_reference: String,
    /// The id of the report this one corrects.
    pub supersedes: Option<String>,
}

/// A report with the name of its unit and the report that corrected it, if any.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationView {
    #[serde(flatten)]
    pub report: DeviationReport,
    pub unit_name: String,
    pub superseded_by: Option<EntryId>,
}

/// The reports on one outage that the caller may read: the structured export.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationList {
    pub outage_id: OutageId,
    pub system: SystemId,
    pub system_name: String,
    pub outage_start: Timestamp,
    pub outage_restored_at: Option<Timestamp>,
    pub generated_at: Timestamp,
    /// Every unit's reports (`true`), or only the caller's unit's.
    pub all_units: bool,
    /// Ordered by event time; superseded reports are kept and marked.
    pub reports: Vec<DeviationView>,
}

/// A CSV export, ready to send as a file.
#[derive(Debug, Clone)]
pub struct CsvExport {
    pub filename: String,
    pub body: Vec<u8>,
}

fn present(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl App {
    /// Files a deviation report on an outage, signed by the caller and their
    /// unit; with `supersedes`, a correction of one of the unit's reports.
    pub async fn report_deviation(
        &self,
        p: &Principal,
        outage: OutageId,
        input: ReportInput,
    ) -> Result<DeviationView, AppError> {
        let now = self.now();
        let o = self.outage(outage).await?;
        let subject = Subject::parse(&input.subject)?;
        let occurred_at = parse_user_time(Field::OccurredAt, &input.occurred_at)?;
        let category = present(input.category).map(|c| Category::parse(&c)).transpose()?;
        let severity = Severity::parse(&input.severity)?;
        let valid = deviation::validate(
            DeviationDraft {
                subject,
                category,
                occurred_at,
                severity,
                description: input.description,
                consequence: input.consequence,
                action_taken: input.action_taken,
                reported_elsewhere: input.reported_elsewhere,
                external_reference: input.external_reference,
            },
            o.outage.start,
            now,
        )?;
        let supersedes = match present(input.supersedes) {
            Some(raw) => {
                let unknown =
                    || DomainError::UnknownValue { field: Field::Supersedes, value: raw.chars().take(40).collect() };
                let old_id: EntryId = raw.parse().map_err(|_| unknown())?;
                let existing = self.store.deviations(outage).await?;
                let Some(old) = existing.iter().find(|r| r.id == old_id) else {
                    return Err(unknown().into());
                };
                if old.unit != p.user.org {
                    return Err(AppError::Forbidden);
                }
                if existing.iter().any(|r| r.supersedes == Some(old_id)) {
                    return Err(AppError::Conflict(format!("deviation report {old_id} has already been corrected")));
                }
                Some(old_id)
            }
            None => None,
        };
        let report = DeviationReport {
            id: EntryId(Uuid::now_v7()),
            outage_id: outage,
            subject: valid.subject,
            category: valid.category,
            occurred_at: valid.occurred_at,
            recorded_at: now,
            unit: p.user.org.clone(),
            author_id: p.user.id,
            author_name: p.user.display_name.clone(),
            description: valid.description,
            consequence: valid.consequence,
            action_taken: valid.action_taken,
            severity: valid.severity,
            reported_elsewhere: valid.reported_elsewhere,
            external_reference: valid.external_reference,
            supersedes,
            node: self.store.node_id().to_owned(),
        };
        let action = if supersedes.is_some() { "deviation.corrected" } else { "deviation.reported" };
        let audit = self.audit(
            Actor::Person(&p.user),
            &p.origin,
            action,
            Some(format!("outage:{outage}")),
            report.id.to_string(),
        );
        self.store.append_deviation(report.clone(), audit).await?;
        let unit_name = self.unit_names().await?.remove(&report.unit).unwrap_or_else(|| report.unit.to_string());
        Ok(DeviationView { report, unit_name, superseded_by: None })
    }

    async fn unit_names(&self) -> Result<HashMap<OrgId, String>, AppError> {
        Ok(self.store.organisations().await?.into_iter().map(|o| (o.id, o.name)).collect())
    }

    /// The reports the caller may read, without an audit record.
    async fn readable_deviations(&self, p: &Principal, outage: OutageId) -> Result<DeviationList, AppError> {
        let o = self.outage(outage).await?;
        let all = self.store.deviations(outage).await?;
        let superseded: HashMap<EntryId, EntryId> =
            all.iter().filter_map(|r| r.supersedes.map(|s| (s, r.id))).collect();
        let names = self.unit_names().await?;
        let (role, org) = (p.user.role, &p.user.org);
        let reports = all
            .into_iter()
            .filter(|r| deviation::may_read(role, org, r))
            .map(|report| DeviationView {
                unit_name: names.get(&report.unit).cloned().unwrap_or_else(|| report.unit.to_string()),
                superseded_by: superseded.get(&report.id).copied(),
                report,
            })
            .collect();
        Ok(DeviationList {
            outage_id: outage,
            system: o.outage.system.clone(),
            system_name: o.system_name,
            outage_start: o.outage.start,
            outage_restored_at: o.outage.restored_at,
            generated_at: self.now(),
            all_units: deviation::reads_all(role),
            reports,
        })
    }

    /// The reports on an outage the caller may read (audited read).
    pub async fn deviations(&self, p: &Principal, outage: OutageId) -> Result<DeviationList, AppError> {
        let list = self.readable_deviations(p, outage).await?;
        let detail = format!("{} reports", list.reports.len());
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, "deviation.list", Some(format!("outage:{outage}")), detail);
        self.store.append_audit(audit).await?;
        Ok(list)
    }

    /// The reports the caller may read as a CSV file, in Swedish or English
    /// (audited as an export).
    pub async fn deviations_csv(&self, p: &Principal, outage: OutageId, english: bool) -> Result<CsvExport, AppError> {
        let list = self.readable_deviations(p, outage).await?;
        let mut body = Vec::new();
        write_csv(&mut body, &list, english).map_err(|e| AppError::Internal(e.to_string()))?;
        let detail = format!("csv, {} reports", list.reports.len());
        let audit = self.audit(
            Actor::Person(&p.user),
            &p.origin,
            "deviation.exported",
            Some(format!("outage:{outage}")),
            detail,
        );
        self.store.append_audit(audit).await?;
        let date = local(list.outage_start).date();
        let stem = if english { "deviations" } else { "avvikelser" };
        Ok(CsvExport { filename: format!("{stem}-{}-{date}.csv", list.system), body })
    }
}

/// Writes the reports as CSV in the dialect of `reserv_core::csv` (`;`,
/// UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting, a header row; every
/// cell a spreadsheet would run as a formula gets a leading `'`), one row per
/// report, superseded reports marked and linked to their correction. Times
/// are Swedish local time; labels are Swedish, or English with `english`.
pub fn write_csv<W: Write>(w: &mut W, list: &DeviationList, english: bool) -> io::Result<()> {
    let pick = |sv: &'static str, en: &'static str| if english { en } else { sv };
    let label = |f: Field| if english { f.label_en() } else { f.label_sv() };
    let header = [
        "Id",
        pick("Status", "Status"),
        pick("Ersatt av", "Superseded by"),
        label(Field::Supersedes),
        label(Field::Subject),
        label(Field::OccurredAt),
        pick("Enhet", "Unit"),
        label(Field::Category),
        label(Field::Severity),
        label(Field::Description),
        label(Field::Consequence),
        label(Field::ActionTaken),
        label(Field::ReportedElsewhere),
        label(Field::ExternalReference),
        pick("Rapporterad av", "Reported by"),
        pick("Registrerad i Reserv", "Recorded in Reserv"),
        "System",
        pick("Avbrott", "Outage"),
        pick("Nod", "Node"),
    ];
    let mut csv = CsvWriter::io(w)?;
    csv.text_row(&header)?;
    for v in &list.reports {
        let r = &v.report;
        let status = match v.superseded_by {
            Some(_) => pick("Ersatt av rättelse", "Superseded by a correction"),
            None => pick("Gällande", "Current"),
        };
        let cells = [
            r.id.to_string(),
            status.to_owned(),
            v.superseded_by.map(|s| s.to_string()).unwrap_or_default(),
            r.supersedes.map(|s| s.to_string()).unwrap_or_default(),
            pick(r.subject.label_sv(), r.subject.label_en()).to_owned(),
            format_local(r.occurred_at),
            v.unit_name.clone(),
            r.category.map(|c| pick(c.label_sv(), c.label_en())).unwrap_or("").to_owned(),
            pick(r.severity.label_sv(), r.severity.label_en()).to_owned(),
            r.description.clone(),
            r.consequence.clone(),
            r.action_taken.clone(),
            (if r.reported_elsewhere { pick("Ja", "Yes") } else { pick("Nej", "No") }).to_owned(),
            r.external_reference.clone(),
            r.author_name.clone(),
            format_local(r.recorded_at),
            list.system_name.clone(),
            list.outage_id.to_string(),
            r.node.clone(),
        ];
        csv.text_row(&cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reserv_core::ids::UserId;

    fn report(n: u128, supersedes: Option<u128>, description: &str) -> DeviationReport {
        DeviationReport {
            id: EntryId(Uuid::from_u128(n)),
            outage_id: OutageId(Uuid::from_u128(99)),
            subject: Subject::Incident,
            category: Some(Category::Medication),
            occurred_at: "2026-11-23T08:05:00Z".parse().unwrap(),
            recorded_at: "2026-11-23T09:00:00Z".parse().unwrap(),
            unit: OrgId::parse("avd-3").unwrap(),
            author_id: UserId(Uuid::from_u128(7)),
            author_name: "Sjuksköterska Åsa".into(),
            description: description.into(),
            consequence: String::new(),
            action_taken: String::new(),
            severity: Severity::Minor,
            reported_elsewhere: false,
            external_reference: String::new(),
            supersedes: supersedes.map(|s| EntryId(Uuid::from_u128(s))),
            node: "n1".into(),
        }
    }

    fn list() -> DeviationList {
        let view = |r: DeviationReport, by: Option<u128>| DeviationView {
            report: r,
            unit_name: "Medicin 3".into(),
            superseded_by: by.map(|b| EntryId(Uuid::from_u128(b))),
        };
        DeviationList {
            outage_id: OutageId(Uuid::from_u128(99)),
            system: SystemId::parse("lifecare-sp").unwrap(),
            system_name: "Lifecare SP".into(),
            outage_start: "2026-11-23T06:00:00Z".parse().unwrap(),
            outage_restored_at: None,
            generated_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            all_units: false,
            reports: vec![
                view(report(1, None, "Dos gavs sent, \"fel\" lista,\nrad två"), Some(2)),
                view(report(2, Some(1), "=HYPERLINK(\"x\")"), None),
            ],
        }
    }

    #[test]
    fn csv_is_the_spreadsheet_dialect_with_superseded_rows_marked() {
        let mut out = Vec::new();
        write_csv(&mut out, &list(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let id = |n: u128| Uuid::from_u128(n).to_string();
        let expected = [
            "\u{feff}Id;Status;Ersatt av;Rättar post;Rapporten gäller;Tidpunkt för händelsen;Enhet;Kategori;\
             Allvarlighetsgrad;Beskrivning av händelsen;Konsekvens för patient eller vård;Vidtagen åtgärd;\
             Rapporterad i ordinarie avvikelsesystem;Ärendenummer i avvikelsesystemet;Rapporterad av;\
             Registrerad i Reserv;System;Avbrott;Nod"
                .to_owned(),
            format!(
                "{};Ersatt av rättelse;{};;Tillbud eller avvikelse som driftstoppet orsakat;2026-11-23 09:05;Medicin 3;\
                 Läkemedel;Lindrig;\"Dos gavs sent, \"\"fel\"\" lista,\nrad två\";;;Nej;;Sjuksköterska Åsa;\
                 2026-11-23 10:00;Lifecare SP;{};n1",
                id(1),
                id(2),
                id(99)
            ),
            format!(
                "{};Gällande;;{};Tillbud eller avvikelse som driftstoppet orsakat;2026-11-23 09:05;Medicin 3;\
                 Läkemedel;Lindrig;\"'=HYPERLINK(\"\"x\"\")\";;;Nej;;Sjuksköterska Åsa;2026-11-23 10:00;Lifecare SP;{};n1",
                id(2),
                id(1),
                id(99)
            ),
        ];
        assert_eq!(text, expected.join("\r\n") + "\r\n");
    }

    #[test]
    fn csv_in_english() {
        let mut out = Vec::new();
        write_csv(&mut out, &list(), true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}Id;Status;Superseded by;Corrects entry;The report concerns;"), "{text}");
        assert!(text.contains(";Superseded by a correction;"));
        assert!(text.contains(";A near miss or adverse event the outage caused;"));
    }

    #[test]
    fn every_free_text_that_looks_like_a_formula_is_guarded() {
        for bad in ["=1+1", "+46", "-2", "@SUM(A1)", "＝1+1", "\u{200b}=1+1", " =1"] {
            let mut l = list();
            l.reports.truncate(1);
            let v = &mut l.reports[0];
            v.unit_name = bad.into();
            v.report.description = bad.into();
            v.report.consequence = bad.into();
            v.report.action_taken = bad.into();
            v.report.external_reference = bad.into();
            v.report.author_name = bad.into();
            v.report.node = bad.into();
            l.system_name = bad.into();
            let mut out = Vec::new();
            write_csv(&mut out, &l, false).unwrap();
            let text = String::from_utf8(out).unwrap();
            let row = text.split("\r\n").nth(1).unwrap();
            let guarded = format!("'{bad}");
            let hits = row.split(';').filter(|c| *c == guarded).count();
            assert_eq!(hits, 8, "unit, description, consequence, action, reference, author, system, node: {row:?}");
            assert!(!row.split(';').any(|c| c == bad), "{row:?}");
        }
    }

    #[test]
    fn the_json_export_spells_enums_as_the_forms_do() {
        let v = serde_json::to_value(list()).unwrap();
        let r = &v["reports"][0];
        assert_eq!((r["subject"].as_str(), r["category"].as_str()), (Some("incident"), Some("medication")));
        assert_eq!(r["severity"], "minor");
        assert_eq!(r["superseded_by"], Uuid::from_u128(2).to_string());
        for c in Category::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
        for s in Severity::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.key());
        }
        for s in Subject::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.key());
        }
    }
}
