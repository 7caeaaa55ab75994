//! One open gap as a line of a person's work, free of HTTP: the patient, how
//! urgent it is, what is missing between whom, and the organisation to call
//! with its numbers. The home page and the gaps view both render it.

use reserv_app::home::WorkItem;
use reserv_core::severity::Side;
use reserv_core::time::format_local;

use crate::kit::i18n::{Lang, message_label, party_label, severity_label};

/// One number to call: as written, its `tel:` link and what it is.
pub struct NumberView {
    pub number: String,
    pub tel: String,
    pub kind: String,
}

/// One line of work.
pub struct WorkRow {
    pub episode_id: String,
    pub patient: String,
    /// "Utskriven utan bekräftelse", "Utskrivningsklar", …
    pub situation: &'static str,
    /// The patient is discharged or about to be: shown as urgent.
    pub urgent: bool,
    pub severity_key: &'static str,
    pub since: String,
    pub from: &'static str,
    pub to: &'static str,
    pub message: &'static str,
    /// Whether the viewer owes it (else awaits it).
    pub owed: bool,
    pub counterpart: String,
    pub numbers: Vec<NumberView>,
}

pub fn work_row(lang: Lang, i: &WorkItem) -> WorkRow {
    use reserv_core::severity::Severity as S;
    WorkRow {
        episode_id: i.episode_id.to_string(),
        patient: i.patient.to_string(),
        situation: severity_label(lang, i.severity),
        urgent: i.severity.discharge_related(),
        severity_key: match i.severity {
            S::DischargedUnconfirmed => "discharged-unconfirmed",
            S::Discharged => "discharged",
            S::ReadyForDischarge => "ready",
            S::DischargePlanned => "planned",
            S::Admitted => "admitted",
        },
        since: format_local(i.gap.due_since),
        from: party_label(lang, i.gap.from),
        to: party_label(lang, i.gap.to),
        message: message_label(lang, i.gap.message),
        owed: i.side == Side::Owes,
        counterpart: i.counterpart_name.clone(),
        numbers: i
            .phones
            .iter()
            .map(|p| NumberView {
                number: p.number.as_str().to_owned(),
                tel: p.number.tel_uri(),
                kind: match lang {
                    Lang::Sv => p.kind.label_sv(),
                    Lang::En => p.kind.label_en(),
                }
                .to_lowercase(),
            })
            .collect(),
    }
}
