//! Printouts from the command line: the filled handover log of one episode or
//! of a whole unit, and the blank downtime form, as PDF (`reserv-print`, with
//! embedded fonts). One patient per page, so a page can be scanned into that
//! patient's record as the routines ask (000: "Blanketten kan scannas in").

use std::collections::HashMap;

use reserv_app::episodes::EpisodeView;
use reserv_core::handover::{Direction, MessageType};
use reserv_core::identity::PatientIdKind;
use reserv_core::ids::OrgId;
use reserv_core::time::format_local;
use reserv_print::{Block, Column, Document};
use reserv_web::i18n::{Lang, channel_label, message_label, party_label};

fn name(orgs: &HashMap<OrgId, String>, id: &OrgId) -> String {
    orgs.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn opt(t: Option<jiff::Timestamp>) -> String {
    t.map(format_local).unwrap_or_else(|| "–".into())
}

/// The columns of the log, on screen, on the blank form and in the PDF.
fn log_columns() -> Vec<Column> {
    vec![
        Column::new("Datum/tid", 1.3),
        Column::new("Signatur", 1.8),
        Column::new("Talade med", 2.0),
        Column::new("Lämnat/mottaget", 1.3),
        Column::new("Information", 2.2),
        Column::new("Kommentar", 2.0),
    ]
}

/// The handover log of the given episodes, one patient per page.
pub fn log_document(
    views: &[EpisodeView],
    orgs: &HashMap<OrgId, String>,
    unit: Option<&str>,
    printed_at: &str,
) -> Document {
    let lang = Lang::Sv;
    let t = lang.texts();
    let mut blocks = Vec::new();
    for (i, v) in views.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        let e = &v.episode;
        let f = &e.facts;
        let mut heading = format!("{} {}", t.patient, e.patient);
        if e.patient.kind() == PatientIdKind::Reserve {
            heading.push_str(&format!(" – {}", t.reserve_flag));
        }
        blocks.push(Block::Heading(heading));
        let mut facts = vec![
            (t.ward.to_owned(), name(orgs, &f.ward)),
            (t.home_municipality.to_owned(), name(orgs, &f.municipality)),
            (t.primary_care_label.to_owned(), name(orgs, &f.primary_care)),
        ];
        if let Some(p) = &f.outpatient_psychiatry {
            facts.push((t.outpatient_psychiatry_label.to_owned(), name(orgs, p)));
        }
        facts.extend([
            (t.admitted_at.to_owned(), format_local(f.admitted_at)),
            (
                t.expected_discharge.to_owned(),
                e.expected_discharge.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
            ),
            (t.ready_at.to_owned(), opt(f.ready_for_discharge_at)),
            (t.discharged_at.to_owned(), opt(f.discharged_at)),
            (t.designated_care_contact.to_owned(), e.designated_care_contact.clone().unwrap_or_else(|| "–".into())),
            (t.routine.to_owned(), v.routine_name.to_owned()),
        ]);
        blocks.push(Block::Facts(facts));
        if !v.discharge_warnings.is_empty() {
            let missing: Vec<String> = v
                .discharge_warnings
                .iter()
                .map(|g| format!("{}: {}", party_label(lang, g.to), message_label(lang, g.message)))
                .collect();
            blocks.push(Block::Paragraph(format!("VARNING – {} {}", t.discharge_warning, missing.join("; "))));
        }
        blocks.push(Block::Heading(t.log.to_owned()));
        if v.entries.is_empty() {
            blocks.push(Block::Paragraph(t.no_entries.to_owned()));
        } else {
            let rows = v
                .entries
                .iter()
                .map(|x| {
                    let en = &x.entry;
                    let mut spoke = en.counterpart_name.clone();
                    if !en.counterpart_role.is_empty() {
                        spoke.push_str(&format!(" ({})", en.counterpart_role));
                    }
                    spoke.push_str(&format!(", {}", name(orgs, &en.counterpart_org)));
                    let dir = match en.direction {
                        Direction::Given => "Lämnat",
                        Direction::Received => "Mottaget",
                    };
                    let info: Vec<&str> = en.messages.iter().map(|m| message_label(lang, *m)).collect();
                    let mut comment = en.comment.clone();
                    if x.superseded_by.is_some() {
                        comment = format!("[{}] {comment}", t.corrected.to_uppercase());
                    }
                    if en.supersedes.is_some() {
                        comment = format!("[Rättelse] {comment}");
                    }
                    vec![
                        format_local(en.at),
                        format!("{}, {}", en.author_name, name(orgs, &en.author_org)),
                        spoke,
                        format!("{dir}, {}", channel_label(lang, en.channel)),
                        info.join(", "),
                        comment,
                    ]
                })
                .collect();
            blocks.push(Block::Table { columns: log_columns(), rows });
        }
        blocks.push(Block::Heading(t.open_gaps.to_owned()));
        if v.gaps.is_empty() {
            blocks.push(Block::Paragraph(t.no_gaps.to_owned()));
        } else {
            let rows = v
                .gaps
                .iter()
                .map(|g| {
                    vec![
                        format!("{} → {}", party_label(lang, g.from), party_label(lang, g.to)),
                        message_label(lang, g.message).to_owned(),
                        format_local(g.due_since),
                    ]
                })
                .collect();
            let columns = vec![Column::new(t.from_to, 3.0), Column::new(t.information, 3.0), Column::new(t.since, 2.0)];
            blocks.push(Block::Table { columns, rows });
        }
    }
    Document {
        subtitle: unit.map(str::to_owned),
        footer: Some(format!("Utskriven {printed_at} från Reserv")),
        blocks,
        ..Document::new(t.handover_log)
    }
}

/// The blank downtime form: the same columns as the log, empty rows.
pub fn blank_form_document(printed_at: &str) -> Document {
    let t = Lang::Sv.texts();
    let messages: Vec<&str> = MessageType::ALL.into_iter().map(|m| message_label(Lang::Sv, m)).collect();
    Document {
        subtitle: Some(t.blank_form_intro.to_owned()),
        footer: Some(format!("Utskriven {printed_at} från Reserv")),
        blocks: vec![
            Block::Facts(vec![
                (t.patient.to_owned(), String::new()),
                (t.ward.to_owned(), String::new()),
                (t.home_municipality.to_owned(), String::new()),
                (t.primary_care_label.to_owned(), String::new()),
            ]),
            Block::Table { columns: log_columns(), rows: vec![vec![" \n \n ".to_owned(); 6]; 16] },
            Block::Paragraph(format!("{}: {}.", t.information, messages.join(", "))),
        ],
        ..Document::new(t.blank_form)
    }
}
