//! Statistics of one outage for the system administrators, who collect the
//! downtime forms "för statistik" and to invoice the municipalities (seed 001):
//! per municipality, the contacts logged per message type, the back-entry
//! items per item code with how many are done, skipped and open, and the
//! payment days that follow from the logged ready-for-discharge notices.
//!
//! Pure: counts are made from the engine's input (episodes with their calls),
//! the worklist lines and the payment starts. No patient identity leaves this
//! module: rows are keyed by municipality and code only.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backentry::{EpisodeInput, ItemKind, Window};
use crate::csv::{CsvWriter, Sink};
use crate::ids::{EpisodeId, OrgId};
use crate::payment::PaymentStart;
use crate::worklist::{WorkLine, WorkState};

/// What a row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StatisticsCategory))]
pub enum Category {
    /// Calls logged during the outage that carried this message type.
    Message,
    /// Back-entry items of this code.
    Item,
}

/// One row: a municipality, a category and a code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Calls (for `message` rows).
    pub contacts: usize,
    pub enter: usize,
    pub follow_up: usize,
    pub needs_review: usize,
    pub do_not_enter: usize,
    pub done: usize,
    pub skipped: usize,
    pub open: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StatisticsRow))]
pub struct Row {
    pub municipality: OrgId,
    pub category: Category,
    pub code: &'static str,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The totals of one municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub episodes: usize,
    /// Calls logged during the outage.
    pub contacts: usize,
    /// Tracked items (enter, follow up, review) of all parties.
    pub items: usize,
    pub done: usize,
    pub skipped: usize,
    pub open: usize,
    /// Episodes with a logged ready-for-discharge notice.
    pub notices: usize,
    /// Payment days per the agreement (for patients still in hospital: so far).
    pub payable_days: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statistics {
    pub rows: Vec<Row>,
    pub municipalities: BTreeMap<OrgId, Summary>,
}

/// Counts per municipality (the episode's home municipality).
pub fn statistics(
    window: Window,
    episodes: &[EpisodeInput],
    lines: &[WorkLine],
    payments: &BTreeMap<EpisodeId, PaymentStart>,
) -> Statistics {
    let mut rows: BTreeMap<(OrgId, Category, &'static str), Counts> = BTreeMap::new();
    let mut sums: BTreeMap<OrgId, Summary> = BTreeMap::new();
    let mut home: BTreeMap<EpisodeId, &OrgId> = BTreeMap::new();
    for e in episodes {
        let m = &e.facts.municipality;
        home.insert(e.id, m);
        let sum = sums.entry(m.clone()).or_default();
        sum.episodes += 1;
        for c in e.calls.iter().filter(|c| c.at >= window.start && c.at <= window.end) {
            sum.contacts += 1;
            for msg in &c.messages {
                rows.entry((m.clone(), Category::Message, msg.key())).or_default().contacts += 1;
            }
        }
        if let Some(p) = payments.get(&e.id) {
            sum.notices += 1;
            sum.payable_days += i64::from(p.payable_days);
        }
    }
    for l in lines {
        let Some(m) = home.get(&l.episode) else { continue };
        for i in &l.items {
            let c = rows.entry(((*m).clone(), Category::Item, i.item.code.key())).or_default();
            match i.item.kind {
                ItemKind::Enter => c.enter += 1,
                ItemKind::FollowUp => c.follow_up += 1,
                ItemKind::NeedsReview => c.needs_review += 1,
                ItemKind::DoNotEnter => c.do_not_enter += 1,
            }
            let Some(s) = &i.status else { continue };
            let sum = sums.entry((*m).clone()).or_default();
            sum.items += 1;
            match s.state {
                WorkState::Done => {
                    c.done += 1;
                    sum.done += 1;
                }
                WorkState::Skipped => {
                    c.skipped += 1;
                    sum.skipped += 1;
                }
                WorkState::Open => {
                    c.open += 1;
                    sum.open += 1;
                }
            }
        }
    }
    Statistics {
        rows: rows
            .into_iter()
            .map(|((municipality, category, code), counts)| Row { municipality, category, code, counts })
            .collect(),
        municipalities: sums,
    }
}

/// How many columns the CSV has: the words, the counts, then the codes.
pub const CSV_COLUMNS: usize = 15;

/// The words of the CSV in the reader's language (Swedish by default): the
/// header row and a label for each municipality, row type and code. The
/// codes themselves follow in the last two columns, for machines.
pub trait CsvLabels {
    /// The column headings, in the order of [`write_csv`]: municipality,
    /// type, message or line, then the counts (contacts, enter, follow up,
    /// needs review, do not enter, done, skipped, open, ready-for-discharge
    /// notices, payable days), then the municipality's id and the code.
    fn header(&self) -> [&str; CSV_COLUMNS];
    /// A municipality by name.
    fn municipality(&self, m: &OrgId) -> String;
    /// The type of a row, or of a municipality's total with `None`.
    fn category(&self, c: Option<Category>) -> String;
    /// A message type or back-entry item by name.
    fn code(&self, c: Category, code: &str) -> String;
}

/// The statistics as CSV in the dialect of [`crate::csv`] (`;`, BOM, CRLF,
/// text cells guarded), one row per municipality, category and code, then
/// one total row per municipality, in the words of `labels`. Appends to `out`.
pub fn write_csv(s: &Statistics, labels: &impl CsvLabels, out: &mut String) {
    let Ok(()) = write_rows(s, labels, &mut CsvWriter::string(out));
}

fn write_rows<S: Sink>(s: &Statistics, labels: &impl CsvLabels, w: &mut CsvWriter<S>) -> Result<(), S::Error> {
    w.text_row(&labels.header())?;
    for r in &s.rows {
        let c = &r.counts;
        let category = match r.category {
            Category::Message => "message",
            Category::Item => "item",
        };
        w.text(&labels.municipality(&r.municipality))?
            .text(&labels.category(Some(r.category)))?
            .text(&labels.code(r.category, r.code))?;
        for n in [c.contacts, c.enter, c.follow_up, c.needs_review, c.do_not_enter, c.done, c.skipped, c.open] {
            w.number(n)?;
        }
        w.empty()?.empty()?;
        w.text(r.municipality.as_str())?.text(&format!("{category}:{}", r.code))?.end_row()?;
    }
    for (m, t) in &s.municipalities {
        w.text(&labels.municipality(m))?.text(&labels.category(None))?.empty()?.number(t.contacts)?;
        w.empty()?.empty()?.empty()?.empty()?;
        w.number(t.done)?.number(t.skipped)?.number(t.open)?.number(t.notices)?.number(t.payable_days)?;
        w.text(m.as_str())?.text("total")?;
        w.end_row()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words for the tests: the ids and codes as they are.
    struct Plain;

    impl CsvLabels for Plain {
        fn header(&self) -> [&str; CSV_COLUMNS] {
            [
                "Kommun",
                "Typ",
                "Meddelande eller rad",
                "Samtal",
                "Registrera",
                "Följ upp",
                "Granska",
                "Registrera inte",
                "Klara",
                "Överhoppade",
                "Kvar",
                "Meddelanden",
                "Dagar",
                "Kommun-id",
                "Kod",
            ]
        }
        fn municipality(&self, m: &OrgId) -> String {
            format!("{m} kommun")
        }
        fn category(&self, c: Option<Category>) -> String {
            match c {
                Some(Category::Message) => "Samtal".into(),
                Some(Category::Item) => "Rad".into(),
                None => "Totalt".into(),
            }
        }
        fn code(&self, _: Category, code: &str) -> String {
            code.to_owned()
        }
    }
    use crate::backentry::{Call, check_policy, reconcile};
    use crate::handover::{EpisodeFacts, MessageType, Party};
    use crate::org::WardType;
    use crate::worklist::build;
    use jiff::Timestamp;

    const P001: &str = include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml");

    fn ts(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned(crate::time::stockholm())
            .unwrap()
            .timestamp()
    }

    fn episode(n: u128, kommun: &str, calls: Vec<Call>) -> EpisodeInput {
        EpisodeInput {
            id: EpisodeId(uuid::Uuid::from_u128(n)),
            facts: EpisodeFacts {
                ward: OrgId::parse("avd-1").unwrap(),
                ward_type: WardType::Somatic,
                municipality: OrgId::parse(kommun).unwrap(),
                primary_care: OrgId::parse("hc-centrum").unwrap(),
                outpatient_psychiatry: None,
                admitted_at: ts("2025-02-03 10:00"),
                estimated_discharge_known_at: None,
                ready_for_discharge_at: None,
                discharged_at: None,
            },
            designated_care_contact: None,
            calls,
            patient: None,
            discharge_destination: None,
            extensive_long_term_services: None,
            sips_agreed: Vec::new(),
        }
    }

    #[test]
    fn counts_calls_per_message_and_items_per_code_per_municipality() {
        let call = |at: &str, m: &[MessageType]| Call {
            at: ts(at),
            from: Party::Ward,
            to: Party::Municipality,
            messages: m.iter().copied().collect(),
        };
        let eps = vec![
            episode(
                1,
                "sundsvall",
                vec![
                    call("2025-02-03 10:30", &[MessageType::Admission, MessageType::PlanningInformation]),
                    call("2025-02-03 11:00", &[MessageType::Admission]),
                    call("2025-02-06 11:00", &[MessageType::Admission]),
                ],
            ),
            episode(2, "timra", vec![]),
        ];
        let w = Window { start: ts("2025-02-03 08:00"), end: ts("2025-02-04 16:00") };
        let p = check_policy("p", P001).unwrap();
        let ds = reconcile(&p, w, &eps, "2025-02-05".parse().unwrap());
        let lines = build(&ds, &eps, &[]);
        let s = statistics(w, &eps, &lines, &BTreeMap::new());
        let sundsvall = OrgId::parse("sundsvall").unwrap();
        let row = |m: &OrgId, cat, code: &str| {
            s.rows.iter().find(|r| &r.municipality == m && r.category == cat && r.code == code)
        };
        assert_eq!(row(&sundsvall, Category::Message, "admission").unwrap().counts.contacts, 2);
        assert_eq!(row(&sundsvall, Category::Message, "planning_information").unwrap().counts.contacts, 1);
        assert_eq!(s.municipalities[&sundsvall].contacts, 2);
        let timra = OrgId::parse("timra").unwrap();
        assert_eq!(s.municipalities[&timra].contacts, 0);
        let admission = row(&timra, Category::Item, "admission_notice").unwrap();
        assert_eq!((admission.counts.enter, admission.counts.open), (1, 1));
        let total: usize = s.municipalities.values().map(|m| m.items).sum();
        let tracked = lines.iter().flat_map(|l| &l.items).filter(|i| i.status.is_some()).count();
        assert_eq!(total, tracked);
        let mut csv = String::new();
        write_csv(&s, &Plain, &mut csv);
        assert!(csv.starts_with("\u{feff}Kommun;Typ;Meddelande eller rad;Samtal;"));
        assert!(csv.contains("\r\nsundsvall kommun;Samtal;admission;2;"), "{csv}");
        assert!(csv.contains(";sundsvall;message:admission\r\n"), "the codes follow: {csv}");
        assert!(csv.contains("\r\ntimra kommun;Totalt;;0;"), "{csv}");
        assert!(csv.ends_with("\r\n"));
        assert!(csv.split("\r\n").filter(|l| !l.is_empty()).all(|l| l.split(';').count() == CSV_COLUMNS), "{csv}");
    }

    #[test]
    fn codes_and_names_that_look_like_formulas_are_guarded_in_the_csv() {
        let m = OrgId::parse("kommun-x").unwrap();
        let codes = ["=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "＝1", "\u{200b}=1"];
        let rows = codes
            .iter()
            .map(|code| Row {
                municipality: m.clone(),
                category: Category::Item,
                code,
                counts: Counts { contacts: 3, ..Counts::default() },
            })
            .collect();
        let s = Statistics { rows, municipalities: BTreeMap::new() };
        let mut csv = String::new();
        write_csv(&s, &Plain, &mut csv);
        let lines: Vec<&str> = csv.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), codes.len());
        for (line, code) in lines.iter().zip(codes) {
            let cells: Vec<&str> = line.splitn(4, ';').collect();
            let want = match code.contains('"') {
                true => format!("\"'{}\"", code.replace('"', "\"\"")),
                false => format!("'{code}"),
            };
            assert_eq!(cells[2], want, "{line}");
            assert!(cells[3].starts_with("3;"), "numbers are not guarded: {line}");
        }
    }
}
