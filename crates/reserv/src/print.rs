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
        if e.drill {
            heading = format!("{}: {heading}", t.drill_badge);
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
            (
                t.discharge_destination.to_owned(),
                e.discharge_destination
                    .map(|d| if lang == Lang::Sv { d.label_sv() } else { d.label_en() }.to_owned())
                    .unwrap_or_else(|| "–".into()),
            ),
            (t.designated_care_contact.to_owned(), e.designated_care_contact.clone().unwrap_or_else(|| "–".into())),
            (t.routine.to_owned(), v.routine_name.to_owned()),
        ]);
        blocks.push(Block::Facts(facts));
        if !v.discharge_warnings.is_empty() {
            let missing: Vec<String> = v
                .discharge_warnings
                .iter()
                .map(|g| {
                    format!(
                        "{} → {}: {}",
                        party_label(lang, g.from),
                        party_label(lang, g.to),
                        message_label(lang, g.message)
                    )
                })
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
                        signature(t, en, &name(orgs, &en.author_org)),
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
        footer: Some(format!("Utskrift {printed_at} från Reserv")),
        blocks,
        ..Document::new(t.handover_log)
    }
}

/// The blank downtime form: the same columns as the log, empty rows.
pub fn blank_form_document(printed_at: &str) -> Document {
    let t = Lang::Sv.texts();
    let messages: Vec<String> =
        MessageType::ALL.into_iter().map(|m| format!("{} {}", m.number(), message_label(Lang::Sv, m))).collect();
    Document {
        subtitle: Some(t.blank_form_intro.to_owned()),
        footer: Some(format!("Utskrift {printed_at} från Reserv")),
        blocks: vec![
            Block::Facts(vec![
                (t.patient.to_owned(), String::new()),
                (t.ward.to_owned(), String::new()),
                (t.home_municipality.to_owned(), String::new()),
                (t.primary_care_label.to_owned(), String::new()),
                (t.admitted_at.to_owned(), String::new()),
            ]),
            Block::Table { columns: log_columns(), rows: vec![vec![" \n \n ".to_owned(); 6]; 16] },
            Block::Paragraph(format!("{}. {}.", t.blank_message_legend, messages.join(", "))),
        ],
        ..Document::new(t.blank_form)
    }
}

/// The one-page phone list of a unit (`reserv print phone-list`), made from
/// the same view as `/contacts/print`. To fit one A4 page, the unit's own
/// numbers, the switchboards, IT support and the hospitals share one table, a column that
/// would be empty is left out, and row notes are left to the screen; the
/// rules of each section (one way in, the weekend route) are printed with
/// their cite, and a unit without a number gets a line to write it on.
pub fn phone_list_document(
    list: &reserv_core::contacts::PhoneList,
    catalogue: &reserv_core::catalogue::Catalogue,
    printed_at: &str,
) -> Document {
    use reserv_web::contacts::view::{EntryView, SV, phone_list_view};
    let c = &SV;
    let v = phone_list_view(Lang::Sv, list, catalogue);
    let note_text = |n: &EntryView| {
        let mut text = String::from("• ");
        if !n.when.is_empty() {
            text.push_str(&n.when);
            if !n.now_text.is_empty() {
                text.push_str(&format!(" ({})", n.now_text));
            }
            text.push_str(": ");
        }
        text.push_str(&n.note);
        text.push_str(&format!(" [{}]", n.section_source));
        text
    };
    let table = |rows: &[&EntryView]| {
        let timed = rows.iter().any(|r| !r.when.is_empty());
        let mut columns = vec![Column::new(c.name, 4.0), Column::new(c.numbers, 2.6)];
        if timed {
            columns.push(Column::new(c.when, 1.8));
        }
        columns.push(Column::new(c.source, 0.9));
        let rows = rows
            .iter()
            .map(|r| {
                let mut numbers =
                    if r.phones.is_empty() { format!("{}: ___________", c.write_here) } else { r.phones_text() };
                if !r.email.is_empty() {
                    numbers.push_str(&format!("\n{}", r.email));
                }
                let mut cells = vec![r.name.clone(), numbers];
                if timed {
                    cells.push(if r.now_text.is_empty() {
                        r.when.clone()
                    } else {
                        format!("{} ({})", r.when, r.now_text)
                    });
                }
                cells.push(r.short_source.clone());
                cells
            })
            .collect();
        Block::Table { columns, rows }
    };
    // The unit's own numbers, the switchboards (hospitals too) and IT support: one table.
    let first = ["own_unit", "switchboards", "it_support", "hospitals"];
    let (head, rest): (Vec<_>, Vec<_>) = v.sections.iter().partition(|s| first.contains(&s.key));
    let mut blocks = Vec::new();
    if !head.is_empty() {
        let title = if head.len() == 1 { head[0].title } else { c.own_and_support };
        blocks.push(Block::Heading(title.to_owned()));
        blocks.extend(head.iter().flat_map(|s| &s.notes).map(|n| Block::Paragraph(note_text(n))));
        let rows: Vec<&EntryView> = head.iter().flat_map(|s| &s.rows).collect();
        if !rows.is_empty() {
            blocks.push(table(&rows));
        }
    }
    for s in rest {
        blocks.push(Block::Heading(s.title.to_owned()));
        blocks.extend(s.notes.iter().map(|n| Block::Paragraph(note_text(n))));
        let rows: Vec<&EntryView> = s.rows.iter().collect();
        if !rows.is_empty() {
            blocks.push(table(&rows));
        }
    }
    let mut subtitle =
        if v.region.is_empty() { v.unit_name.clone() } else { format!("{} – {}", v.unit_name, v.region) };
    subtitle.push_str(&format!(". {}", v.now));
    Document {
        subtitle: Some(subtitle),
        footer: Some(format!("{} {printed_at} från Reserv", c.printed)),
        blocks,
        ..Document::new(c.print_title)
    }
}

/// Every routine of a system for paper (`reserv print routine`): per
/// routine its metadata (approved by or "Ej beslutad", date, version, owner,
/// source), then the steps of each phase in a table grouped by area, then
/// the dependencies on other systems. Made from the same view as
/// `/routines/{system}`.
pub fn routine_document(v: &reserv_web::routines::view::RoutineDocView, printed_at: &str) -> Document {
    use reserv_web::routines::view::SV;
    let r = &SV;
    let mut blocks = Vec::new();
    for (i, x) in v.routines.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading(x.title.clone()));
        let mut facts = vec![
            (r.document_type.to_owned(), x.document_type.clone()),
            (r.approved_by.to_owned(), x.approved_by.clone()),
            (r.date.to_owned(), x.date.clone()),
            (r.version.to_owned(), x.version.clone()),
            (r.owner.to_owned(), x.owner.clone()),
            (r.source.to_owned(), x.source.clone()),
        ];
        if !x.applies_to.is_empty() {
            facts.push((r.applies_to.to_owned(), x.applies_to.clone()));
        }
        blocks.push(Block::Facts(facts));
        if x.phases.is_empty() {
            blocks.push(Block::Paragraph(r.no_steps.to_owned()));
        }
        for p in &x.phases {
            blocks.push(Block::Heading(p.label.to_owned()));
            let columns = vec![
                Column::new(r.area, 2.1),
                Column::new(r.who, 1.8),
                Column::new(r.step, 4.6),
                Column::new(r.source, 1.1),
            ];
            let rows = p
                .areas
                .iter()
                .flat_map(|a| {
                    a.steps.iter().map(move |s| {
                        let text = if s.condition.is_empty() {
                            s.text.clone()
                        } else {
                            format!("{}: {}", s.condition, s.text)
                        };
                        vec![a.label.to_owned(), s.roles.clone(), text, s.cite.clone()]
                    })
                })
                .collect();
            blocks.push(Block::Table { columns, rows });
        }
        if !x.dependencies.is_empty() {
            blocks.push(Block::Heading(r.dependencies.to_owned()));
            let rows = x
                .dependencies
                .iter()
                .map(|d| vec![format!("{} → {}", d.from, d.to), d.consequence.clone(), d.cite.clone()])
                .collect();
            let columns =
                vec![Column::new(r.dependency, 2.2), Column::new(r.consequence, 5.8), Column::new(r.source, 1.3)];
            blocks.push(Block::Table { columns, rows });
        }
    }
    let mut subtitle = v.system_name.clone();
    if !v.role_label.is_empty() {
        subtitle.push_str(&format!(" – {}: {}", r.for_role, v.role_label));
    }
    Document {
        subtitle: Some(subtitle),
        footer: Some(format!("{} {printed_at} från Reserv", r.printed)),
        blocks,
        ..Document::new(format!("{}: {}", r.title, v.system_name))
    }
}

/// The signature cell of a printed log line: the author, or for a line
/// transcribed from a paper form the paper's signer and who entered it.
fn signature(t: &reserv_web::i18n::Texts, en: &reserv_core::episode::LogEntry, author_org: &str) -> String {
    match &en.paper_signer {
        Some(s) => format!(
            "{}, {} ({}). {}: {}, {author_org}",
            s.name, s.title, t.signed_on_paper, t.transcribed_by, en.author_name
        ),
        None => format!("{}, {author_org}", en.author_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reserv_core::episode::{Channel, LogEntry, PaperSigner};
    use reserv_core::handover::Direction;
    use reserv_core::ids::{EntryId, EpisodeId, UserId};

    #[test]
    fn a_line_from_paper_prints_its_signer_and_who_entered_it() {
        let at: jiff::Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
        let mut en = LogEntry {
            id: EntryId(uuid::Uuid::from_u128(1)),
            episode_id: EpisodeId(uuid::Uuid::from_u128(2)),
            at,
            recorded_at: at,
            author_id: UserId(uuid::Uuid::from_u128(3)),
            author_name: "Sekreterare Sara".into(),
            author_org: OrgId::parse("avd").unwrap(),
            counterpart_name: "Handläggare".into(),
            counterpart_role: String::new(),
            counterpart_org: OrgId::parse("kommun").unwrap(),
            direction: Direction::Given,
            channel: Channel::Phone,
            messages: Default::default(),
            comment: String::new(),
            supersedes: None,
            outages: Vec::new(),
            node: "n".into(),
            paper_signer: None,
        };
        let t = Lang::Sv.texts();
        assert_eq!(signature(t, &en, "Avd 3"), "Sekreterare Sara, Avd 3");
        en.paper_signer = Some(PaperSigner { name: "Eva Ek".into(), title: "usk".into() });
        assert_eq!(signature(t, &en, "Avd 3"), "Eva Ek, usk (signerat på papper). Införd av: Sekreterare Sara, Avd 3");
    }
}
