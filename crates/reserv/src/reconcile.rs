//! `reserv reconcile`: runs the back-entry engine (`reserv_core::backentry`)
//! on a file, so a region can test a policy before an outage. The input
//! format is documented in `docs/reconcile.md`; output is JSON, CSV (one
//! row per item, or one per decision with nothing to enter) or a printable
//! A4 PDF in Swedish (`reserv-print`), one table per party.

use std::io::Write;

use jiff::civil::Date;
use serde::Deserialize;

use reserv_core::backentry::{
    self, Decision, EpisodeInput, Item, ItemCode, Outcome, Policy, SipDecision, SipInput, Window,
};
use reserv_core::csv::{CsvWriter, Io};
use reserv_core::episode::DischargeDestination;
use reserv_core::handover::Party;
use reserv_core::time::format_local;
use reserv_print::{Block, Column, Document};
use reserv_web::i18n::{Lang, party_label};

/// The newest input format; see `docs/reconcile.md`.
pub const INPUT_VERSION: u32 = 2;

/// The input file. Format 1 (no `version` key) is still read; format 2 adds
/// the episode facts `discharge_destination`, `extensive_long_term_services`
/// and `sips_agreed`, and a SIP's `meeting_on`, `held_on`, `goals` and `activities`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default = "first_version")]
    pub version: u32,
    pub window: Window,
    pub today: Date,
    #[serde(default)]
    pub episodes: Vec<EpisodeInput>,
    #[serde(default)]
    pub sips: Vec<SipInput>,
}

/// Reads and checks a policy file; every problem, one per line.
pub fn load_policy(name: &str, text: &str) -> Result<Policy, String> {
    backentry::check_policy(name, text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.message_sv()).collect();
        format!("{} fel i policyn {name}:\n{}", errors.len(), lines.join("\n"))
    })
}

fn first_version() -> u32 {
    1
}

pub fn parse_input(name: &str, text: &str) -> Result<Input, String> {
    let input: Input =
        serde_json::from_str(text).map_err(|e| format!("{name}: ogiltig indatafil: {e} (se docs/reconcile.md)"))?;
    if !(1..=INPUT_VERSION).contains(&input.version) {
        return Err(format!(
            "{name}: indataformat version {} finns inte (giltiga: 1–{INPUT_VERSION}; se docs/reconcile.md)",
            input.version
        ));
    }
    if input.version < 2
        && let Some(e) = input.episodes.iter().find(|e| {
            e.discharge_destination.is_some() || e.extensive_long_term_services.is_some() || !e.sips_agreed.is_empty()
        })
    {
        return Err(format!(
            "{name}: vårdtillfälle {}: discharge_destination, extensive_long_term_services och sips_agreed finns från indataformat version 2; ange \"version\": 2 (se docs/reconcile.md)",
            e.id
        ));
    }
    if input.version < 2
        && let Some(s) = input
            .sips
            .iter()
            .find(|s| s.meeting_on.is_some() || s.held_on.is_some() || !s.goals.is_empty() || !s.activities.is_empty())
    {
        return Err(format!(
            "{name}: SIP {}: meeting_on, held_on, goals och activities finns från indataformat version 2; ange \"version\": 2 (se docs/reconcile.md)",
            s.id
        ));
    }
    Ok(input)
}

pub struct Output {
    pub decisions: Vec<Decision>,
    pub sip_decisions: Vec<SipDecision>,
}

pub fn run(policy: &Policy, input: &Input) -> Output {
    Output {
        decisions: backentry::reconcile(policy, input.window, &input.episodes, input.today),
        sip_decisions: backentry::reconcile_sips(policy, &input.sips, input.today),
    }
}

/// The JSON document, serialized straight from the decisions (no
/// intermediate `serde_json::Value`: its memory grew with the input several
/// times over). Keys in the order the earlier `json!` document had.
#[derive(serde::Serialize)]
struct JsonDoc<'a> {
    decisions: &'a [Decision],
    policy: PolicyRef<'a>,
    sip_decisions: &'a [SipDecision],
}

#[derive(serde::Serialize)]
struct PolicyRef<'a> {
    id: &'a str,
    name: &'a str,
    source: &'a str,
    version: &'a str,
}

pub fn write_json(policy: &Policy, out: &Output, w: &mut impl Write) -> std::io::Result<()> {
    let doc = JsonDoc {
        decisions: &out.decisions,
        policy: PolicyRef { id: &policy.id, name: &policy.name, source: &policy.source, version: &policy.version },
        sip_decisions: &out.sip_decisions,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

fn key<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn outcome(o: &Outcome) -> (&'static str, String) {
    match o {
        Outcome::BackEnter => ("back_enter", String::new()),
        Outcome::NothingToEnter { reason } => ("nothing_to_enter", reason.clone()),
        Outcome::NeedsReview => ("needs_review", String::new()),
    }
}

/// The CSV's header: the words first, Swedish like the PDF; the codes of
/// the same cells follow in the last columns, for machines.
const CSV_HEADER: [&str; 15] = [
    "Gäller",
    "Id",
    "Part",
    "Utfall",
    "Regel",
    "Åtgärd",
    "Uppgift",
    "Värden",
    "Skäl eller källa",
    "Gäller (kod)",
    "Part (kod)",
    "Utfall (kod)",
    "Åtgärd (kod)",
    "Uppgift (kod)",
    "Värden (kod)",
];

/// One decision: `subject` is `episode` or `sip`.
fn rows(
    subject: &str,
    id: String,
    party: Party,
    rule: Option<&str>,
    o: &Outcome,
    items: &[Item],
    w: &mut CsvWriter<Io<impl Write>>,
) -> std::io::Result<()> {
    let (outcome, reason) = outcome(o);
    let subject_sv = if subject == "sip" { "SIP" } else { "Vårdtillfälle" };
    let party_sv = party_label(Lang::Sv, party).to_owned();
    if items.is_empty() {
        let cells = [
            subject_sv.to_owned(),
            id,
            party_sv,
            outcome_short_sv(o).to_owned(),
            rule.unwrap_or("").to_owned(),
            String::new(),
            String::new(),
            String::new(),
            reason,
            subject.to_owned(),
            key(&party),
            outcome.to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ];
        return w.text_row(&cells);
    }
    for item in items {
        let values_sv: Vec<String> = item.values.iter().map(|(k, v)| value_sv(k, v).replace('\n', " ")).collect();
        let values: Vec<String> = item.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cells = [
            subject_sv.to_owned(),
            id.clone(),
            party_sv.clone(),
            outcome_short_sv(o).to_owned(),
            item.rule.clone(),
            item.kind.label_sv().to_owned(),
            code_sv(item.code).to_owned(),
            values_sv.join("; "),
            item.cite.clone(),
            subject.to_owned(),
            key(&party),
            outcome.to_owned(),
            key(&item.kind),
            key(&item.code),
            values.join("; "),
        ];
        w.text_row(&cells)?;
    }
    Ok(())
}

/// The CSV output in the dialect of `reserv_core::csv` (`;`, UTF-8 with a
/// byte-order mark, CRLF, RFC 4180 quoting, formulas guarded with `'`), in
/// Swedish with the codes in the last columns.
pub fn write_csv(out: &Output, w: &mut impl Write) -> std::io::Result<()> {
    let mut csv = CsvWriter::io(w)?;
    csv.text_row(&CSV_HEADER)?;
    for d in &out.decisions {
        rows("episode", d.episode.to_string(), d.party, d.rule.as_deref(), &d.outcome, &d.items, &mut csv)?;
    }
    for d in &out.sip_decisions {
        rows("sip", d.sip.to_string(), d.party, d.rule.as_deref(), &d.outcome, &d.items, &mut csv)?;
    }
    Ok(())
}

// --- PDF ---

/// The back-entry items in Swedish. The web crate has no labels for them; the
/// words follow the routines' own (and `message_label` where they overlap).
fn code_sv(c: ItemCode) -> &'static str {
    match c {
        ItemCode::Episode => "Vårdtillfället",
        ItemCode::AdmissionNotice => "Inskrivningsmeddelande",
        ItemCode::PatientInformation => "Patientinformation",
        ItemCode::PatientInformationSendHome => "Patientinformation, skickas hem till patienten",
        ItemCode::DischargeNotice => "Utskrivningsmeddelande",
        ItemCode::ReadyForDischargeNotice => "Utskrivningsklar-meddelande",
        ItemCode::PlanningInformation => "Planeringsunderlag",
        ItemCode::PreviouslyCommunicatedInformation => "Tidigare kommunicerad information",
        ItemCode::CloseEpisode => "Avsluta vårdtillfället",
        ItemCode::ContinueInSystem => "Fortsätt hantera i systemet",
        ItemCode::AcknowledgeMessages => "Kvittera meddelanden",
        ItemCode::ConfirmDesignatedCareContact => "Bekräfta fast vårdkontakt",
        ItemCode::SendSipInvitation => "Skicka kallelse till SIP",
        ItemCode::ManualHandling => "Hantera manuellt enligt avbrottsrutin",
        ItemCode::AgreeOnBackEntry => "Överenskommelse om efterregistrering",
        ItemCode::Sip => "SIP:en",
        ItemCode::SipInitiative => "SIP-initiativ",
        ItemCode::SipInvitation => "Kallelse till SIP",
        ItemCode::SipPlan => "SIP-plan",
        ItemCode::NormalRoutine => "Normal rutin",
        ItemCode::Contradiction => "Motsägelse i underlaget",
    }
}

/// A value to enter, e.g. `Utskriven:` and `2025-11-03 16:30` on the next line
/// (the engine gives Stockholm time), so a narrow cell does not break the date.
fn value_sv(key: &str, value: &str) -> String {
    let label = match key {
        "admitted_at" => "Inskriven",
        "discharged_at" => "Utskriven",
        "ready_for_discharge" => "Utklar",
        "actual_discharge" => "Faktiskt utskriven",
        "designated_care_contact" => "Fast vårdkontakt",
        "must_acknowledge" => "Ska kvittera",
        "told_by_phone_at" => "Meddelat per telefon",
        "calls_received" => "Mottagna samtal under avbrottet",
        "discharge_destination" => "Utskriven till",
        "sip_initiator" => "Kallar till SIP-mötet",
        "sip_participants" => "Deltagare",
        "sip_initiated_on" => "SIP initierad",
        "sip_meeting_on" => "Överenskommet mötesdatum",
        "sip_agreed_at" => "Datumet bestämdes",
        "sip_held_on" => "SIP-mötet hölls",
        "sip_goals" => "Mål",
        "sip_activities" => "Aktiviteter",
        other => other,
    };
    let value = match (key, value) {
        ("discharge_destination", d) => DischargeDestination::parse(d).map_or(d, |d| d.label_sv()),
        (_, "no") => "nej",
        (_, "yes") => "ja",
        (_, other) => other,
    };
    format!("{label}:\n{value}")
}

/// The last 8 hex digits of a UUID: UUIDv7 ids begin with their creation
/// time, so the end is what tells ids apart. The full id is in the index table.
fn short(id: &impl std::fmt::Display) -> String {
    let hex: Vec<char> = id.to_string().chars().filter(|c| *c != '-').collect();
    hex[hex.len().saturating_sub(8)..].iter().collect()
}

fn outcome_short_sv(o: &Outcome) -> &'static str {
    match o {
        Outcome::BackEnter => "Efterregistrera",
        Outcome::NothingToEnter { .. } => "Inget att efterregistrera",
        Outcome::NeedsReview => "Kräver granskning",
    }
}

/// Five columns fit A4 portrait: what to do (kind) and the item share one
/// cell, on two lines, so neither is broken inside a word.
fn decision_columns() -> Vec<Column> {
    vec![
        Column::new("Id", 1.15),
        Column::new("Utfall", 1.6),
        Column::new("Åtgärd och uppgift", 2.65),
        Column::new("Värden", 1.6),
        Column::new("Enligt rutinen (regel)", 3.0),
    ]
}

/// The rows of one decision: one per item; a decision without items gets one
/// row with its outcome. The id and the outcome (its reason only on the first
/// row) are repeated on every row, so a row read alone, or a table continued
/// on a new page, still says what it is about.
fn decision_rows(id: &str, rule: Option<&str>, o: &Outcome, items: &[Item]) -> Vec<Vec<String>> {
    // Headed by what there is to do: "Följ upp", not "Efterregistrera", when nothing is entered.
    let heading = reserv_core::backentry::Heading::of(o, items).label_sv();
    let outcome = match o {
        Outcome::NothingToEnter { reason } => format!("{heading}: {reason}"),
        _ => heading.to_owned(),
    };
    if items.is_empty() {
        let rule = rule.map(|r| format!("Regel: {r}")).unwrap_or_default();
        return vec![vec![id.to_owned(), outcome, "–".into(), "–".into(), rule]];
    }
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let values: Vec<String> = item.values.iter().map(|(k, v)| value_sv(k, v)).collect();
            vec![
                id.to_owned(),
                if n == 0 { outcome.clone() } else { heading.to_owned() },
                format!("{}:\n{}", item.kind.label_sv(), code_sv(item.code)),
                if values.is_empty() { "–".to_owned() } else { values.join("\n") },
                format!("{}\nRegel: {}", item.cite, item.rule),
            ]
        })
        .collect()
}

const PARTIES: [Party; 4] = [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];

/// The printable back-entry result: the policy and the outage, an index of the
/// episodes and SIPs (short id → full id), then one table of decisions per party.
pub fn pdf_document(policy: &Policy, input: &Input, out: &Output, printed_at: &str) -> Document {
    let lang = Lang::Sv;
    let window = format!("{} – {}", format_local(input.window.start), format_local(input.window.end));
    let mut blocks = vec![Block::Facts(vec![
        ("Policy".to_owned(), policy.id.clone()),
        ("Version".to_owned(), policy.version.clone()),
        ("Källa".to_owned(), policy.source.clone()),
        ("Avbrott".to_owned(), format!("{window} (svensk tid)")),
        ("Efterregistreringsdag".to_owned(), input.today.to_string()),
        (
            "Underlag".to_owned(),
            format!(
                "{}, {} SIP",
                crate::count(input.episodes.len(), "vårdtillfälle", "vårdtillfällen"),
                input.sips.len()
            ),
        ),
    ])];
    blocks.push(Block::Heading("Sammanfattning".to_owned()));
    let count = |o: &Outcome| {
        let same = |x: &Outcome| std::mem::discriminant(x) == std::mem::discriminant(o);
        let episodes = out.decisions.iter().filter(|d| same(&d.outcome)).count();
        let sips = out.sip_decisions.iter().filter(|d| same(&d.outcome)).count();
        (outcome_short_sv(o).to_owned(), format!("{episodes} beslut om vårdtillfällen, {sips} om SIP"))
    };
    blocks.push(Block::Facts(vec![
        count(&Outcome::BackEnter),
        count(&Outcome::NothingToEnter { reason: String::new() }),
        count(&Outcome::NeedsReview),
    ]));
    blocks.push(Block::Paragraph(
        "Ett beslut per vårdtillfälle (eller SIP) och part. Vårdtillfällen och SIP anges med de sista 8 tecknen \
         i sitt id; hela id:t står i förteckningen nedan. Tider i svensk tid. \"Enligt rutinen\" citerar \
         meningen i rutinen som policyns regel återger."
            .to_owned(),
    ));

    blocks.push(Block::Heading("Vårdtillfällen".to_owned()));
    if input.episodes.is_empty() {
        blocks.push(Block::Paragraph("Inga vårdtillfällen i underlaget.".to_owned()));
    } else {
        let rows = input
            .episodes
            .iter()
            .map(|e| {
                let f = &e.facts;
                let opt = |t: Option<jiff::Timestamp>| t.map(format_local).unwrap_or_else(|| "–".to_owned());
                vec![
                    short(&e.id),
                    e.id.to_string(),
                    f.ward.to_string(),
                    format_local(f.admitted_at),
                    opt(f.ready_for_discharge_at),
                    opt(f.discharged_at),
                ]
            })
            .collect();
        let columns = vec![
            Column::new("Kort id", 1.25),
            Column::new("Id", 2.4),
            Column::new("Avdelning", 2.3),
            Column::new("Inskriven", 1.6),
            Column::new("Utskrivningsklar", 2.2),
            Column::new("Utskriven", 1.6),
        ];
        blocks.push(Block::Table { columns, rows });
    }
    for party in PARTIES {
        let rows: Vec<Vec<String>> = out
            .decisions
            .iter()
            .filter(|d| d.party == party)
            .flat_map(|d| decision_rows(&short(&d.episode), d.rule.as_deref(), &d.outcome, &d.items))
            .collect();
        if !rows.is_empty() {
            blocks.push(Block::Heading(format!("Vårdtillfällen – {}", party_label(lang, party))));
            blocks.push(Block::Table { columns: decision_columns(), rows });
        }
    }

    blocks.push(Block::Heading("SIP".to_owned()));
    if input.sips.is_empty() {
        blocks.push(Block::Paragraph("Inga SIP i underlaget.".to_owned()));
    } else {
        let rows = input
            .sips
            .iter()
            .map(|s| {
                vec![
                    short(&s.id),
                    s.id.to_string(),
                    format_local(s.created_at),
                    s.state.label_sv().to_owned(),
                    party_label(lang, s.initiator).to_owned(),
                ]
            })
            .collect();
        let columns = vec![
            Column::new("Kort id", 1.25),
            Column::new("Id", 2.4),
            Column::new("Skapad", 1.6),
            Column::new("Läge", 2.0),
            Column::new("Initierad av", 2.0),
        ];
        blocks.push(Block::Table { columns, rows });
    }
    for party in PARTIES {
        let rows: Vec<Vec<String>> = out
            .sip_decisions
            .iter()
            .filter(|d| d.party == party)
            .flat_map(|d| decision_rows(&short(&d.sip), d.rule.as_deref(), &d.outcome, &d.items))
            .collect();
        if !rows.is_empty() {
            blocks.push(Block::Heading(format!("SIP – {}", party_label(lang, party))));
            blocks.push(Block::Table { columns: decision_columns(), rows });
        }
    }
    Document {
        subtitle: Some(format!("Avbrott {window}, efterregistrering {}", input.today)),
        footer: Some(format!("Utskrift {printed_at} från Reserv")),
        blocks,
        ..Document::new(format!("Efterregistrering enligt {}", policy.name))
    }
}

/// Writes the PDF of [`pdf_document`] to `w`.
pub fn write_pdf(
    policy: &Policy,
    input: &Input,
    out: &Output,
    printed_at: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    reserv_print::render_pdf(&pdf_document(policy, input, out, printed_at), w)
}

#[cfg(test)]
mod tests {
    use super::*;

    use reserv_core::backentry::check_policy;

    const POLICY: &str = include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml");
    const INPUT: &str = include_str!("../../../docs/examples/reconcile-input.json");

    fn csv(out: &Output) -> String {
        let mut w = Vec::new();
        write_csv(out, &mut w).unwrap();
        String::from_utf8(w).unwrap()
    }

    #[test]
    fn csv_is_the_spreadsheet_dialect() {
        let p = check_policy("p.toml", POLICY).unwrap();
        let out = run(&p, &parse_input("in.json", INPUT).unwrap());
        let text = csv(&out);
        assert!(text.starts_with("\u{feff}Gäller;Id;Part;Utfall;Regel;Åtgärd;Uppgift;Värden;Skäl eller källa;"));
        assert!(text.ends_with("\r\n"));
        assert!(
            text.contains(";Utskrivningsmeddelande;\"Utskriven till: Hem; Utskriven: 2025-11-03 16:30\";"),
            "{text}"
        );
        assert!(
            text.contains(";discharge_notice;\"discharge_destination=home; discharged_at=2025-11-03 16:30\"\r\n"),
            "the codes follow: {text}"
        );
        assert!(text.contains("\r\nVårdtillfälle;"), "{text}");
        // Every record has fifteen cells (no quoted cell in this input holds a separator).
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.split(';').count() >= 15, "{line}");
        }
    }

    #[test]
    fn cites_and_reasons_that_look_like_formulas_are_guarded() {
        let p = check_policy("p.toml", POLICY).unwrap();
        let mut out = run(&p, &parse_input("in.json", INPUT).unwrap());
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "＝1", "\u{200b}=1", "\u{a0}=1", "\u{200e}＋1", "﹦1"] {
            for d in &mut out.decisions {
                for item in &mut d.items {
                    item.cite = bad.to_owned();
                }
                if let Outcome::NothingToEnter { reason } = &mut d.outcome {
                    *reason = bad.to_owned();
                }
            }
            let text = csv(&out);
            let guarded = format!("'{bad}");
            let rows: Vec<&str> = text.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
            assert!(!rows.is_empty());
            for row in rows.iter().filter(|r| r.starts_with("Vårdtillfälle;")) {
                // The reason or cite, then the codes (from `episode` on).
                assert!(row.contains(&format!(";{guarded};episode;")), "{row}");
            }
        }
    }

    #[test]
    fn short_ids_are_the_last_eight_hex_digits() {
        assert_eq!(short(&"01900000-0000-7000-8000-00000000abc3"), "0000abc3");
        assert_eq!(short(&"ab"), "ab");
    }
}
