//! Back-entry ("efterregistrering"): when the coordinated-discharge system is
//! back in service, what each party must enter afterwards, what it must NOT
//! enter, and what it must follow up — computed per episode and party from a
//! policy that is data (`data/policies/*.toml`), never guessed.
//!
//! A policy is a decision table. Each `[[rule]]` row has conditions over a
//! small closed vocabulary of episode facts (see [`Dimension`]) and, per party
//! (`ward`, `municipality`, `primary_care`, `outpatient_psychiatry`), a list of
//! items: `kind` = `enter` | `do_not_enter` | `follow_up` and an `item` code
//! (see [`ItemCode`]). Every row cites the sentence of the routine it
//! implements (`cite`); an item may cite a more precise sentence of its own.
//! [`check_policy`] rejects a file that is malformed, names unknown values, or
//! is ambiguous (two rows match one possible case) or incomplete (a possible
//! case no row covers), enumerating every case of the finite condition domain.
//!
//! A row with `subject = "sip"` decides about a SIP instead (002: `created` ×
//! `sip_state`); its items under `initiator` go to the party that initiated
//! the SIP. Episode and SIP rows are checked as two separate tables.
//!
//! [`reconcile`] and [`reconcile_sips`] are pure: the outage window and `today`
//! are passed in; the output is sorted, so it does not depend on input order.
//! Contradictory facts (e.g. discharged before admitted) become `needs_review`
//! items for a person; every other episode is still answered.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, line_of_entry};
use crate::episode::Episode;
use crate::handover::{self, Contact, Direction, EpisodeFacts, MessageType, Party};
use crate::ids::{EpisodeId, OrgId};
use crate::time::local;

/// What a row decides about: a care episode (the default) or a SIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Episode,
    Sip,
}

impl Subject {
    pub fn key(self) -> &'static str {
        match self {
            Subject::Episode => "episode",
            Subject::Sip => "sip",
        }
    }
}

/// The facts a rule may test. Values are closed (see [`Dimension::values`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Admission relative to the outage window: `before` | `during` | `after`.
    Admitted,
    /// Discharge relative to the window: `no` (still in) | `before` | `during` | `after`.
    Discharged,
    /// Whether a ready-for-discharge time is known: `no` | `yes`.
    Ready,
    /// Where the patient is now: `in_hospital` | `gone_home`.
    Location,
    /// When the episode was created (admitted), relative to the policy
    /// parameters `period_start` and `cutover`: `before_period` | `in_period` | `from_cutover`.
    /// For a SIP: when the SIP was created.
    Created,
    /// A SIP's state: `not_held` (meeting not held) | `plan_created` | `closed`.
    SipState,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Admitted,
        Dimension::Discharged,
        Dimension::Ready,
        Dimension::Location,
        Dimension::Created,
        Dimension::SipState,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Dimension::Admitted => "admitted",
            Dimension::Discharged => "discharged",
            Dimension::Ready => "ready",
            Dimension::Location => "location",
            Dimension::Created => "created",
            Dimension::SipState => "sip_state",
        }
    }

    /// Whether rows about `subject` may test this dimension.
    pub fn applies_to(self, subject: Subject) -> bool {
        match self {
            Dimension::Created => true,
            Dimension::SipState => subject == Subject::Sip,
            _ => subject == Subject::Episode,
        }
    }

    pub fn values(self) -> &'static [&'static str] {
        match self {
            Dimension::Admitted => &["before", "during", "after"],
            Dimension::Discharged => &["no", "before", "during", "after"],
            Dimension::Ready => &["no", "yes"],
            Dimension::Location => &["in_hospital", "gone_home"],
            Dimension::Created => &["before_period", "in_period", "from_cutover"],
            Dimension::SipState => &["not_held", "plan_created", "closed"],
        }
    }

    fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == s)
    }
}

/// What the party does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Enter in the system afterwards.
    Enter,
    /// Deliberately not entered afterwards.
    DoNotEnter,
    /// Something else to do now that the system is back.
    FollowUp,
    /// The input contradicts itself: a person must look.
    NeedsReview,
}

impl ItemKind {
    /// The kind's name as the policy files and the API spell it.
    pub fn key(self) -> &'static str {
        match self {
            ItemKind::Enter => "enter",
            ItemKind::DoNotEnter => "do_not_enter",
            ItemKind::FollowUp => "follow_up",
            ItemKind::NeedsReview => "needs_review",
        }
    }

    fn parse(s: &str) -> Option<ItemKind> {
        match s {
            "enter" => Some(ItemKind::Enter),
            "do_not_enter" => Some(ItemKind::DoNotEnter),
            "follow_up" => Some(ItemKind::FollowUp),
            _ => None,
        }
    }
}

macro_rules! item_codes {
    ($($variant:ident => $key:literal),* $(,)?) => {
        /// The closed list of back-entry items (glossary names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ItemCode { $($variant),* }

        impl ItemCode {
            pub const ALL: &'static [ItemCode] = &[$(ItemCode::$variant),*];
            pub fn key(self) -> &'static str {
                match self { $(ItemCode::$variant => $key),* }
            }
            pub fn parse(s: &str) -> Option<ItemCode> {
                match s { $($key => Some(ItemCode::$variant),)* _ => None }
            }
        }
    };
}

item_codes! {
    Episode => "episode",
    AdmissionNotice => "admission_notice",
    PatientInformation => "patient_information",
    PatientInformationSendHome => "patient_information_send_home",
    DischargeNotice => "discharge_notice",
    ReadyForDischargeNotice => "ready_for_discharge_notice",
    PlanningInformation => "planning_information",
    PreviouslyCommunicatedInformation => "previously_communicated_information",
    CloseEpisode => "close_episode",
    ContinueInSystem => "continue_in_system",
    AcknowledgeMessages => "acknowledge_messages",
    ConfirmDesignatedCareContact => "confirm_designated_care_contact",
    SendSipInvitation => "send_sip_invitation",
    ManualHandling => "manual_handling",
    AgreeOnBackEntry => "agree_on_back_entry",
    Sip => "sip",
    SipInitiative => "sip_initiative",
    SipInvitation => "sip_invitation",
    SipPlan => "sip_plan",
    NormalRoutine => "normal_routine",
    Contradiction => "contradiction",
}

const PARTIES: [(&str, Party); 4] = [
    ("ward", Party::Ward),
    ("municipality", Party::Municipality),
    ("primary_care", Party::PrimaryCare),
    ("outpatient_psychiatry", Party::OutpatientPsychiatry),
];

/// One item of a rule, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleItem {
    pub kind: ItemKind,
    pub code: ItemCode,
    /// The sentence this item restates (the row's `cite` unless the item has its own).
    pub cite: String,
    /// Fixed field values the policy sets (e.g. `must_acknowledge = "no"`).
    pub set: BTreeMap<String, String>,
}

/// One row of the decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub subject: Subject,
    /// Allowed values per dimension; a dimension not named matches any value.
    pub when: BTreeMap<Dimension, BTreeSet<String>>,
    pub cite: String,
    /// Why a party with no items has nothing to back-enter (defaults to the cite).
    pub note: Option<String>,
    pub actions: BTreeMap<Party, Vec<RuleItem>>,
    /// SIP rows only: items for whichever party initiated the SIP, in addition to its own.
    pub initiator: Vec<RuleItem>,
}

/// A checked back-entry policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub version: String,
    /// The seed file the policy restates.
    pub source: String,
    /// Date parameters (`period_start`, `cutover`, …).
    pub dates: BTreeMap<String, Date>,
    /// Other parameters, as written (e.g. `restored_at`).
    pub parameters: BTreeMap<String, String>,
    pub rules: Vec<Rule>,
    /// The dimensions the episode rows use, in order; the domain enumerated by the checks.
    pub dimensions: Vec<Dimension>,
    /// The dimensions the SIP rows use (empty: the policy has no SIP rows).
    pub sip_dimensions: Vec<Dimension>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: RawMeta,
    #[serde(default)]
    parameters: toml::Table,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    name: String,
    version: String,
    source: String,
}

#[derive(Deserialize)]
struct RawRule {
    id: String,
    cite: String,
    note: Option<String>,
    subject: Option<String>,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(flatten)]
    rest: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    kind: String,
    item: String,
    cite: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, String>,
}

/// What only a back-entry policy can get wrong (the reasons every data
/// file shares are in [`Reason`]). `row` is the id of a `[[rule]]` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    /// A parameter that is neither a date, a date-time nor a text.
    BadParameter {
        key: String,
        value: String,
    },
    NoRules,
    UnknownSubject {
        row: String,
        value: String,
    },
    DuplicateRow {
        row: String,
    },
    EmptyCite {
        row: String,
    },
    UnknownCondition {
        row: String,
        key: String,
    },
    ConditionNotForSubject {
        row: String,
        key: String,
        subject: Subject,
    },
    ConditionWithoutValue {
        row: String,
        key: String,
    },
    UnknownConditionValue {
        row: String,
        key: String,
        value: String,
        allowed: String,
    },
    UnknownParty {
        row: String,
        key: String,
    },
    /// The items of a party are not a list of `{ kind, item, cite, set }`.
    BadItems {
        row: String,
        party: String,
        message: String,
    },
    UnknownItemKind {
        row: String,
        party: String,
        value: String,
    },
    UnknownItem {
        row: String,
        party: String,
        value: String,
    },
    /// `created` is tested but a date parameter it needs is missing.
    MissingDateParameter(&'static str),
    NoEpisodeRows,
    /// A possible case no row covers (`case` as `dimension=value, …`).
    Incomplete {
        sip: bool,
        case: String,
    },
    /// Two or more rows match one possible case.
    Ambiguous {
        sip: bool,
        rows: Vec<String>,
        case: String,
    },
}

impl PolicyProblem {
    /// The stable code, after `policy_`.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyProblem::BadParameter { .. } => "bad_parameter",
            PolicyProblem::NoRules => "no_rules",
            PolicyProblem::UnknownSubject { .. } => "unknown_subject",
            PolicyProblem::DuplicateRow { .. } => "duplicate_row",
            PolicyProblem::EmptyCite { .. } => "empty_cite",
            PolicyProblem::UnknownCondition { .. } => "unknown_condition",
            PolicyProblem::ConditionNotForSubject { .. } => "condition_not_for_subject",
            PolicyProblem::ConditionWithoutValue { .. } => "condition_without_value",
            PolicyProblem::UnknownConditionValue { .. } => "unknown_condition_value",
            PolicyProblem::UnknownParty { .. } => "unknown_party",
            PolicyProblem::BadItems { .. } => "bad_items",
            PolicyProblem::UnknownItemKind { .. } => "unknown_item_kind",
            PolicyProblem::UnknownItem { .. } => "unknown_item",
            PolicyProblem::MissingDateParameter(_) => "missing_date_parameter",
            PolicyProblem::NoEpisodeRows => "no_episode_rows",
            PolicyProblem::Incomplete { .. } => "incomplete",
            PolicyProblem::Ambiguous { .. } => "ambiguous",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            PolicyProblem::BadParameter { key, value } => {
                format!("parametern {key}: värdet {value} stöds inte (ange ett datum ÅÅÅÅ-MM-DD eller en text)")
            }
            PolicyProblem::NoRules => "policyn har inga regler ([[rule]])".into(),
            PolicyProblem::UnknownSubject { row, value } => {
                format!("regeln {row}: okänt subject {value} (giltiga: episode, sip)")
            }
            PolicyProblem::DuplicateRow { row } => format!("regeln {row}: id:t finns redan"),
            PolicyProblem::EmptyCite { row } => format!("regeln {row}: cite är tom; citera rutinens mening"),
            PolicyProblem::UnknownCondition { row, key } => format!("regeln {row}: okänt villkor {key}"),
            PolicyProblem::ConditionNotForSubject { row, key, subject } => {
                format!("regeln {row}: villkoret {key} gäller inte rader om {}", subject.key())
            }
            PolicyProblem::ConditionWithoutValue { row, key } => {
                format!("regeln {row}: villkoret {key} tillåter inget värde")
            }
            PolicyProblem::UnknownConditionValue { row, key, value, allowed } => {
                format!("regeln {row}: okänt värde {key}={value} (giltiga: {allowed})")
            }
            PolicyProblem::UnknownParty { row, key } => format!("regeln {row}: okänd part eller nyckel {key}"),
            PolicyProblem::BadItems { row, party, message } => format!("regeln {row}: part {party}: {message}"),
            PolicyProblem::UnknownItemKind { row, party, value } => format!("regeln {row}: {party}: okänd typ {value}"),
            PolicyProblem::UnknownItem { row, party, value } => format!("regeln {row}: {party}: okänd post {value}"),
            PolicyProblem::MissingDateParameter(p) => format!("villkoret created kräver datumparametern {p}"),
            PolicyProblem::NoEpisodeRows => "policyn har inga regler om vårdtillfällen".into(),
            PolicyProblem::Incomplete { sip, case } => {
                let what = if *sip { "SIP-fallet" } else { "fallet" };
                format!("ofullständig: ingen regel täcker {what} {case}")
            }
            PolicyProblem::Ambiguous { sip, rows, case } => {
                let what = if *sip { "SIP-fallet" } else { "fallet" };
                format!("tvetydig: reglerna {} matchar alla {what} {case}", rows.join(", "))
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PolicyProblem::BadParameter { key, value } => format!("parameter {key}: unsupported value {value}"),
            PolicyProblem::NoRules => "the policy has no [[rule]] rows".into(),
            PolicyProblem::UnknownSubject { row, value } => {
                format!("row {row}: unknown subject {value} (allowed: episode, sip)")
            }
            PolicyProblem::DuplicateRow { row } => format!("row {row}: duplicate row id"),
            PolicyProblem::EmptyCite { row } => format!("row {row}: cite is empty; quote the sentence of the routine"),
            PolicyProblem::UnknownCondition { row, key } => format!("row {row}: unknown condition {key}"),
            PolicyProblem::ConditionNotForSubject { row, key, subject } => {
                format!("row {row}: condition {key} does not apply to rows about {}", subject.key())
            }
            PolicyProblem::ConditionWithoutValue { row, key } => format!("row {row}: condition {key} allows no value"),
            PolicyProblem::UnknownConditionValue { row, key, value, allowed } => {
                format!("row {row}: unknown value {key}={value} (allowed: {allowed})")
            }
            PolicyProblem::UnknownParty { row, key } => format!("row {row}: unknown party or key {key}"),
            PolicyProblem::BadItems { row, party, message } => format!("row {row}: party {party}: {message}"),
            PolicyProblem::UnknownItemKind { row, party, value } => format!("row {row}: {party}: unknown kind {value}"),
            PolicyProblem::UnknownItem { row, party, value } => format!("row {row}: {party}: unknown item {value}"),
            PolicyProblem::MissingDateParameter(p) => format!("condition created needs the date parameter {p}"),
            PolicyProblem::NoEpisodeRows => "the policy has no rows about episodes".into(),
            PolicyProblem::Incomplete { sip, case } => {
                let what = if *sip { "the SIP case" } else { "the case" };
                format!("incomplete: no row covers {what} {case}")
            }
            PolicyProblem::Ambiguous { sip, rows, case } => {
                let what = if *sip { "the SIP case" } else { "the case" };
                format!("ambiguous: rows {} all match {what} {case}", rows.join(", "))
            }
        }
    }
}

impl Kind for Policy {
    const KIND: FileKind = FileKind::BackEntryPolicy;
    const MAX_TEXT: usize = 2000;
    type Problem = PolicyProblem;
}

/// One possible case: a value per dimension (parallel to `Policy::dimensions`).
type Case = Vec<&'static str>;

fn describe(dims: &[Dimension], case: &[&str]) -> String {
    dims.iter().zip(case).map(|(d, v)| format!("{}={v}", d.key())).collect::<Vec<_>>().join(", ")
}

/// Whether a combination of values can occur in one consistent episode.
fn feasible(dims: &[Dimension], case: &[&str]) -> bool {
    let get = |d: Dimension| dims.iter().position(|x| *x == d).map(|i| case[i]);
    let rank = |v: &str| match v {
        "before" => 0,
        "during" => 1,
        _ => 2,
    };
    if let (Some(a), Some(d)) = (get(Dimension::Admitted), get(Dimension::Discharged))
        && d != "no"
        && rank(d) < rank(a)
    {
        return false;
    }
    if let (Some(d), Some(l)) = (get(Dimension::Discharged), get(Dimension::Location))
        && (d == "no") != (l == "in_hospital")
    {
        return false;
    }
    true
}

fn all_cases(dims: &[Dimension]) -> Vec<Case> {
    let mut cases: Vec<Case> = vec![Vec::new()];
    for d in dims {
        cases =
            cases.into_iter().flat_map(|c| d.values().iter().map(move |v| [c.clone(), vec![*v]].concat())).collect();
    }
    cases.into_iter().filter(|c| feasible(dims, c)).collect()
}

fn rule_matches(rule: &Rule, dims: &[Dimension], case: &[&str]) -> bool {
    rule.when.iter().all(|(d, allowed)| dims.iter().position(|x| x == d).is_some_and(|i| allowed.contains(case[i])))
}

/// Loads and checks a policy file. `file` is only used to name it in messages.
pub fn check_policy(file: &str, text: &str) -> Result<Policy, Vec<DataFileError>> {
    let raw: RawFile = FileCheck::<Policy>::toml(file, text)?;
    let mut check = FileCheck::<Policy>::new(file, text);
    // Rows are read whole (their parties are free keys), so a row's problems
    // point at the line of its `id`.
    let row_line = |row: &str| line_of_entry(text, "id", row);
    let mut dates = BTreeMap::new();
    let mut parameters = BTreeMap::new();
    for (k, v) in &raw.parameters {
        match v {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let d = dt.date.expect("a date-only TOML datetime has a date");
                match Date::new(d.year as i16, d.month as i8, d.day as i8) {
                    Ok(date) => {
                        dates.insert(k.clone(), date);
                    }
                    Err(_) => {
                        let value = d.to_string();
                        check.push(None, Some("parameters"), PolicyProblem::BadParameter { key: k.clone(), value })
                    }
                }
            }
            toml::Value::Datetime(dt) => {
                parameters.insert(k.clone(), dt.to_string());
            }
            toml::Value::String(s) => {
                parameters.insert(k.clone(), s.clone());
            }
            other => {
                let value = other.to_string();
                check.push(None, Some("parameters"), PolicyProblem::BadParameter { key: k.clone(), value })
            }
        }
    }
    let mut rules = Vec::new();
    let mut ids = BTreeSet::new();
    let mut used: BTreeMap<Subject, BTreeSet<Dimension>> = BTreeMap::new();
    if raw.rule.is_empty() {
        check.push(None, Some("rule"), PolicyProblem::NoRules);
    }
    for r in raw.rule {
        let row = &r.id;
        let line = row_line(row);
        let mut problem = |field: &'static str, p: PolicyProblem| check.push(line, Some(field), p);
        let subject = match r.subject.as_deref() {
            None | Some("episode") => Subject::Episode,
            Some("sip") => Subject::Sip,
            Some(other) => {
                problem("subject", PolicyProblem::UnknownSubject { row: row.clone(), value: other.to_owned() });
                Subject::Episode
            }
        };
        if !ids.insert(r.id.clone()) {
            problem("id", PolicyProblem::DuplicateRow { row: row.clone() });
        }
        if r.cite.trim().is_empty() {
            problem("cite", PolicyProblem::EmptyCite { row: row.clone() });
        }
        let mut when = BTreeMap::new();
        for (k, v) in r.when {
            let Some(d) = Dimension::parse(&k) else {
                problem("when", PolicyProblem::UnknownCondition { row: row.clone(), key: k.clone() });
                continue;
            };
            if !d.applies_to(subject) {
                problem("when", PolicyProblem::ConditionNotForSubject { row: row.clone(), key: k.clone(), subject });
                continue;
            }
            let values = match v {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            };
            if values.is_empty() {
                problem("when", PolicyProblem::ConditionWithoutValue { row: row.clone(), key: k.clone() });
            }
            for v in &values {
                if !d.values().contains(&v.as_str()) {
                    let allowed = d.values().join(", ");
                    let (row, key, value) = (row.clone(), k.clone(), v.clone());
                    problem("when", PolicyProblem::UnknownConditionValue { row, key, value, allowed });
                }
            }
            used.entry(subject).or_default().insert(d);
            when.insert(d, values.into_iter().collect());
        }
        let mut actions = BTreeMap::new();
        let mut initiator = Vec::new();
        for (k, v) in r.rest {
            let party = PARTIES.iter().find(|(name, _)| *name == k).map(|(_, p)| *p);
            let is_initiator = k == "initiator" && subject == Subject::Sip;
            if party.is_none() && !is_initiator {
                problem("rule", PolicyProblem::UnknownParty { row: row.clone(), key: k.clone() });
                continue;
            }
            let items: Vec<RawItem> = match v.try_into() {
                Ok(items) => items,
                Err(e) => {
                    let message = e.message().trim().to_owned();
                    problem("rule", PolicyProblem::BadItems { row: row.clone(), party: k.clone(), message });
                    continue;
                }
            };
            let mut out = Vec::new();
            for it in items {
                let kind = ItemKind::parse(&it.kind);
                let code = ItemCode::parse(&it.item);
                if kind.is_none() {
                    let (row, party, value) = (row.clone(), k.clone(), it.kind.clone());
                    problem("kind", PolicyProblem::UnknownItemKind { row, party, value });
                }
                if code.is_none() || code == Some(ItemCode::Contradiction) {
                    let (row, party, value) = (row.clone(), k.clone(), it.item.clone());
                    problem("item", PolicyProblem::UnknownItem { row, party, value });
                }
                if let (Some(kind), Some(code)) = (kind, code) {
                    out.push(RuleItem { kind, code, cite: it.cite.unwrap_or_else(|| r.cite.clone()), set: it.set });
                }
            }
            match party {
                Some(party) => {
                    actions.insert(party, out);
                }
                None => initiator = out,
            }
        }
        rules.push(Rule { id: r.id, subject, when, cite: r.cite, note: r.note, actions, initiator });
    }
    if used.values().any(|u| u.contains(&Dimension::Created)) {
        for p in ["period_start", "cutover"] {
            if !dates.contains_key(p) {
                check.push(None, Some("parameters"), PolicyProblem::MissingDateParameter(p));
            }
        }
    }
    let dimensions: Vec<Dimension> = used.remove(&Subject::Episode).unwrap_or_default().into_iter().collect();
    let sip_dimensions: Vec<Dimension> = used.remove(&Subject::Sip).unwrap_or_default().into_iter().collect();
    if !rules.iter().any(|r| r.subject == Subject::Episode) {
        check.push(None, Some("rule"), PolicyProblem::NoEpisodeRows);
    }
    for (subject, dimensions) in [(Subject::Episode, &dimensions), (Subject::Sip, &sip_dimensions)] {
        if !check.errors.is_empty() || !rules.iter().any(|r| r.subject == subject) {
            continue;
        }
        for case in all_cases(dimensions) {
            let hits: Vec<&str> = rules
                .iter()
                .filter(|r| r.subject == subject && rule_matches(r, dimensions, &case))
                .map(|r| r.id.as_str())
                .collect();
            let sip = subject == Subject::Sip;
            match hits.len() {
                0 => check.push(None, None, PolicyProblem::Incomplete { sip, case: describe(dimensions, &case) }),
                1 => {}
                _ => {
                    let rows = hits.iter().map(|h| (*h).to_owned()).collect();
                    let line = row_line(hits[1]);
                    check.push(line, None, PolicyProblem::Ambiguous { sip, rows, case: describe(dimensions, &case) });
                }
            }
        }
    }
    check.finish(Policy {
        id: raw.policy.id,
        name: raw.policy.name,
        version: raw.policy.version,
        source: raw.policy.source,
        dates,
        parameters,
        rules,
        dimensions,
        sip_dimensions,
    })
}

/// The outage window `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// One call of the handover log as the engine sees it: which party told
/// which, what, and when. Corrected (superseded) entries are left out by the
/// caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub at: Timestamp,
    pub from: Party,
    pub to: Party,
    pub messages: BTreeSet<MessageType>,
}

/// What the engine needs of one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeInput {
    pub id: EpisodeId,
    pub facts: EpisodeFacts,
    pub designated_care_contact: Option<String>,
    /// The episode's logged calls; they fill in when something was told by
    /// phone (`told_by_phone_at`) and how many calls a party must acknowledge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Call>,
    /// Any stable key of the patient (e.g. the personnummer): two episodes of
    /// one patient that overlap in time contradict each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
}

impl From<&Episode> for EpisodeInput {
    fn from(e: &Episode) -> Self {
        EpisodeInput {
            id: e.id,
            facts: e.facts.clone(),
            designated_care_contact: e.designated_care_contact.clone(),
            calls: Vec::new(),
            patient: Some(e.patient.as_str().to_owned()),
        }
    }
}

impl Call {
    /// The calls of an episode's handover log: corrected (superseded) contacts
    /// are left out, and so are contacts with an organisation that plays no
    /// party in the episode.
    pub fn from_contacts(facts: &EpisodeFacts, contacts: &[Contact]) -> Vec<Call> {
        let party_of = |org: &OrgId| Party::ALL.into_iter().find(|p| facts.org_of(*p) == Some(org));
        handover::effective(contacts)
            .into_iter()
            .filter_map(|c| {
                let (logger, other) = (party_of(&c.logged_by)?, party_of(&c.counterpart)?);
                let (from, to) = match c.direction {
                    Direction::Given => (logger, other),
                    Direction::Received => (other, logger),
                };
                Some(Call { at: c.at, from, to, messages: c.messages.clone() })
            })
            .collect()
    }
}

/// The message of the handover log that carries what an item enters.
fn message_of(code: ItemCode) -> Option<MessageType> {
    Some(match code {
        ItemCode::AdmissionNotice => MessageType::Admission,
        ItemCode::PatientInformation | ItemCode::PatientInformationSendHome => MessageType::PatientInformation,
        ItemCode::DischargeNotice => MessageType::DischargeNotice,
        ItemCode::ReadyForDischargeNotice => MessageType::ReadyForDischarge,
        ItemCode::PlanningInformation => MessageType::PlanningInformation,
        ItemCode::ConfirmDesignatedCareContact => MessageType::DesignatedCareContact,
        ItemCode::SendSipInvitation | ItemCode::SipInvitation => MessageType::SipInvitation,
        ItemCode::SipInitiative => MessageType::SipInitiative,
        ItemCode::SipPlan => MessageType::SipPlan,
        _ => return None,
    })
}

/// One line of a party's worklist, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub code: ItemCode,
    /// The policy row, or `input` for a contradiction.
    pub rule: String,
    pub cite: String,
    /// Field values to enter, e.g. `discharged_at`; Stockholm time.
    pub values: BTreeMap<String, String>,
}

/// The overall answer for one episode and party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// There are items to enter or follow up.
    BackEnter,
    /// Inget att efterregistrera, and why.
    NothingToEnter { reason: String },
    /// The input contradicts itself; a person must decide.
    NeedsReview,
}

/// Exactly one per episode and party present in the episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub episode: EpisodeId,
    pub party: Party,
    /// The matching row, if the facts could be classified.
    pub rule: Option<String>,
    pub outcome: Outcome,
    pub items: Vec<Item>,
}

fn relative(ts: Timestamp, w: Window) -> &'static str {
    if ts < w.start {
        "before"
    } else if ts <= w.end {
        "during"
    } else {
        "after"
    }
}

/// The text of a contradiction item: read by a person, so Swedish.
fn contradicts(what: &str) -> String {
    format!("Underlaget motsäger sig självt: {what}.")
}

fn contradictions(f: &EpisodeFacts, w: Window, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    if w.end < w.start {
        out.push(contradicts("avbrottet slutar innan det börjar"));
    }
    if let Some(d) = f.discharged_at {
        if d < f.admitted_at {
            out.push(contradicts("utskriven före inskrivningen"));
        }
        if local(d).date() > today {
            out.push(contradicts("utskriven efter dagens datum"));
        }
    }
    if let Some(r) = f.ready_for_discharge_at
        && r < f.admitted_at
    {
        out.push(contradicts("utskrivningsklar före inskrivningen"));
    }
    if local(f.admitted_at).date() > today {
        out.push(contradicts("inskriven efter dagens datum"));
    }
    out
}

fn value_of(p: &Policy, d: Dimension, f: &EpisodeFacts, w: Window) -> &'static str {
    match d {
        Dimension::Admitted => relative(f.admitted_at, w),
        Dimension::Discharged => f.discharged_at.map_or("no", |t| relative(t, w)),
        Dimension::Ready => {
            if f.ready_for_discharge_at.is_some() {
                "yes"
            } else {
                "no"
            }
        }
        Dimension::Location => {
            if f.discharged_at.is_some() {
                "gone_home"
            } else {
                "in_hospital"
            }
        }
        Dimension::Created => created(p, f.admitted_at),
        // Not reachable: check_policy keeps SIP conditions out of episode rows.
        Dimension::SipState => "",
    }
}

fn created(p: &Policy, at: Timestamp) -> &'static str {
    let day = local(at).date();
    // Both dates are present: check_policy requires them when `created` is used.
    if p.dates.get("period_start").is_some_and(|s| day < *s) {
        "before_period"
    } else if p.dates.get("cutover").is_some_and(|c| day < *c) {
        "in_period"
    } else {
        "from_cutover"
    }
}

fn values_for(code: ItemCode, party: Party, e: &EpisodeInput, w: Window, today: Date) -> BTreeMap<String, String> {
    let f = &e.facts;
    let mut v = BTreeMap::new();
    let fmt = |t: Timestamp| local(t).strftime("%Y-%m-%d %H:%M").to_string();
    let in_window = |c: &&Call| c.at >= w.start && c.at <= w.end;
    if let Some(m) = message_of(code)
        && let Some(c) = e
            .calls
            .iter()
            .filter(in_window)
            .filter(|c| (c.from == party || c.to == party) && c.messages.contains(&m))
            .min_by_key(|c| c.at)
    {
        v.insert("told_by_phone_at".into(), fmt(c.at));
    }
    if code == ItemCode::AcknowledgeMessages {
        let received = e.calls.iter().filter(in_window).filter(|c| c.to == party).count();
        v.insert("calls_received".into(), received.to_string());
    }
    match code {
        ItemCode::AdmissionNotice => {
            v.insert("admitted_at".into(), fmt(f.admitted_at));
        }
        ItemCode::DischargeNotice => {
            if let Some(d) = f.discharged_at {
                v.insert("discharged_at".into(), fmt(d));
            }
        }
        ItemCode::CloseEpisode => {
            v.insert("ready_for_discharge".into(), today.to_string());
            if let Some(d) = f.discharged_at {
                v.insert("actual_discharge".into(), local(d).date().to_string());
            }
        }
        ItemCode::ConfirmDesignatedCareContact => {
            if let Some(c) = &e.designated_care_contact {
                v.insert("designated_care_contact".into(), c.clone());
            }
        }
        _ => {}
    }
    v
}

/// An item for a person: the input contradicts itself or no row covers it.
fn contradiction(cite: String) -> Item {
    Item {
        kind: ItemKind::NeedsReview,
        code: ItemCode::Contradiction,
        rule: "input".into(),
        cite,
        values: BTreeMap::new(),
    }
}

/// Computes, for every episode and every party present in it, exactly one
/// decision. Pure: the result is sorted by episode and party, so it does not
/// depend on input order. An episode whose facts contradict themselves gets a
/// `needs_review` decision per party; the others are still answered.
/// Episodes of one patient whose stays overlap: a patient cannot be in two
/// wards at once, so each such episode gets a contradiction naming when the
/// other one began (not where: the other ward may be outside this chain of care).
fn overlaps(episodes: &[EpisodeInput]) -> HashMap<EpisodeId, Vec<String>> {
    let mut by_patient: HashMap<&str, Vec<&EpisodeInput>> = HashMap::new();
    for e in episodes {
        if let Some(p) = e.patient.as_deref() {
            by_patient.entry(p).or_default().push(e);
        }
    }
    let mut out: HashMap<EpisodeId, Vec<String>> = HashMap::new();
    for mut stays in by_patient.into_values().filter(|v| v.len() > 1) {
        stays.sort_by_key(|e| (e.facts.admitted_at, e.id));
        for (i, a) in stays.iter().enumerate() {
            for b in &stays[i + 1..] {
                // b starts no earlier than a; they overlap unless a ended by then.
                if a.facts.discharged_at.is_none_or(|d| d > b.facts.admitted_at) {
                    let fmt = |t: Timestamp| local(t).strftime("%Y-%m-%d %H:%M").to_string();
                    let what = |other: &EpisodeInput| {
                        contradicts(&format!(
                            "samma patient har ett annat vårdtillfälle under samma tid (inskrivet {})",
                            fmt(other.facts.admitted_at)
                        ))
                    };
                    out.entry(a.id).or_default().push(what(b));
                    out.entry(b.id).or_default().push(what(a));
                }
            }
        }
    }
    out
}

pub fn reconcile(policy: &Policy, window: Window, episodes: &[EpisodeInput], today: Date) -> Vec<Decision> {
    let mut out = Vec::new();
    let mut overlapping = overlaps(episodes);
    for e in episodes {
        let mut problems = contradictions(&e.facts, window, today);
        if let Some(mut more) = overlapping.remove(&e.id) {
            more.sort();
            problems.extend(more);
        }
        if !problems.is_empty() {
            for party in e.facts.parties() {
                let items = problems.iter().map(|p| contradiction(p.clone())).collect();
                out.push(Decision { episode: e.id, party, rule: None, outcome: Outcome::NeedsReview, items });
            }
            continue;
        }
        let case: Vec<&str> = policy.dimensions.iter().map(|d| value_of(policy, *d, &e.facts, window)).collect();
        // check_policy guarantees exactly one row per feasible case, and a consistent episode is feasible.
        let rule =
            policy.rules.iter().find(|r| r.subject == Subject::Episode && rule_matches(r, &policy.dimensions, &case));
        for party in e.facts.parties() {
            let Some(rule) = rule else {
                out.push(Decision {
                    episode: e.id,
                    party,
                    rule: None,
                    outcome: Outcome::NeedsReview,
                    items: vec![contradiction(format!(
                        "Ingen rad i policyn täcker fallet {}.",
                        describe(&policy.dimensions, &case)
                    ))],
                });
                continue;
            };
            let items: Vec<Item> = rule
                .actions
                .get(&party)
                .into_iter()
                .flatten()
                .map(|ri| Item {
                    kind: ri.kind,
                    code: ri.code,
                    rule: rule.id.clone(),
                    cite: ri.cite.clone(),
                    values: if ri.kind == ItemKind::DoNotEnter {
                        ri.set.clone()
                    } else {
                        let mut v = values_for(ri.code, party, e, window, today);
                        v.extend(ri.set.clone());
                        v
                    },
                })
                .collect();
            let outcome = if items.iter().any(|i| matches!(i.kind, ItemKind::Enter | ItemKind::FollowUp)) {
                Outcome::BackEnter
            } else {
                Outcome::NothingToEnter { reason: rule.note.clone().unwrap_or_else(|| rule.cite.clone()) }
            };
            out.push(Decision { episode: e.id, party, rule: Some(rule.id.clone()), outcome, items });
        }
    }
    out.sort_by_key(|d| (d.episode, d.party));
    out
}

/// A SIP's state when the system is back (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SipState {
    /// Started, but the SIP meeting has not been held.
    NotHeld,
    /// Ongoing: a SIP plan has been created.
    PlanCreated,
    /// Closed.
    Closed,
}

impl SipState {
    fn key(self) -> &'static str {
        match self {
            SipState::NotHeld => "not_held",
            SipState::PlanCreated => "plan_created",
            SipState::Closed => "closed",
        }
    }
}

/// What the engine needs of one SIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipInput {
    pub id: uuid::Uuid,
    pub episode: Option<EpisodeId>,
    pub created_at: Timestamp,
    pub state: SipState,
    /// The party that initiated the SIP (it gets the rows' `initiator` items).
    pub initiator: Party,
    /// The other parties taking part (the initiator is always included).
    pub participants: BTreeSet<Party>,
}

/// Exactly one per SIP and party taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SipDecision {
    pub sip: uuid::Uuid,
    pub party: Party,
    pub rule: Option<String>,
    pub outcome: Outcome,
    pub items: Vec<Item>,
}

/// Computes, for every SIP and every party taking part, exactly one decision,
/// sorted by SIP and party. A policy without SIP rows answers "nothing to
/// back-enter" with that reason; a SIP created after `today` needs review.
pub fn reconcile_sips(policy: &Policy, sips: &[SipInput], today: Date) -> Vec<SipDecision> {
    let mut out = Vec::new();
    let has_rows = policy.rules.iter().any(|r| r.subject == Subject::Sip);
    for sip in sips {
        let mut parties = sip.participants.clone();
        parties.insert(sip.initiator);
        let problem = (local(sip.created_at).date() > today).then(|| contradicts("SIP:en skapad efter dagens datum"));
        let case: Vec<&str> = policy
            .sip_dimensions
            .iter()
            .map(|d| match d {
                Dimension::Created => created(policy, sip.created_at),
                Dimension::SipState => sip.state.key(),
                // Not reachable: check_policy keeps episode conditions out of SIP rows.
                _ => "",
            })
            .collect();
        let rule =
            policy.rules.iter().find(|r| r.subject == Subject::Sip && rule_matches(r, &policy.sip_dimensions, &case));
        for party in parties {
            let decision = match (&problem, rule) {
                (Some(p), _) => SipDecision {
                    sip: sip.id,
                    party,
                    rule: None,
                    outcome: Outcome::NeedsReview,
                    items: vec![contradiction(p.clone())],
                },
                (None, None) => SipDecision {
                    sip: sip.id,
                    party,
                    rule: None,
                    outcome: Outcome::NothingToEnter {
                        reason: if has_rows {
                            format!("Ingen rad i policyn täcker fallet {}.", describe(&policy.sip_dimensions, &case))
                        } else {
                            format!("Policyn {} har inga rader om SIP.", policy.id)
                        },
                    },
                    items: Vec::new(),
                },
                (None, Some(rule)) => {
                    let own = rule.actions.get(&party).into_iter().flatten();
                    let init = rule.initiator.iter().filter(|_| party == sip.initiator);
                    let items: Vec<Item> = init
                        .chain(own)
                        .map(|ri| Item {
                            kind: ri.kind,
                            code: ri.code,
                            rule: rule.id.clone(),
                            cite: ri.cite.clone(),
                            values: ri.set.clone(),
                        })
                        .collect();
                    let outcome = if items.iter().any(|i| matches!(i.kind, ItemKind::Enter | ItemKind::FollowUp)) {
                        Outcome::BackEnter
                    } else {
                        Outcome::NothingToEnter { reason: rule.note.clone().unwrap_or_else(|| rule.cite.clone()) }
                    };
                    SipDecision { sip: sip.id, party, rule: Some(rule.id.clone()), outcome, items }
                }
            };
            out.push(decision);
        }
    }
    out.sort_by_key(|d| (d.sip, d.party));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrgId;
    use crate::org::WardType;
    use proptest::prelude::*;

    const P000: &str = include_str!("../../../data/policies/prator-vasterbotten-2023.toml");
    const P001: &str = include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml");
    const P002: &str = include_str!("../../../data/policies/prator-long-outage-2024.toml");

    fn policy(text: &str) -> Policy {
        check_policy("test.toml", text)
            .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.message_en()).collect::<Vec<_>>()))
    }

    fn ts(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned(crate::time::stockholm())
            .unwrap()
            .timestamp()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// A 2023 PRATOR outage: 2023-05-02 08:00 – 2023-05-03 16:00.
    fn window() -> Window {
        Window { start: ts("2023-05-02 08:00"), end: ts("2023-05-03 16:00") }
    }

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn ep(n: u128, admitted: &str, ready: Option<&str>, discharged: Option<&str>, psych: bool) -> EpisodeInput {
        EpisodeInput {
            id: EpisodeId(uuid::Uuid::from_u128(n)),
            facts: EpisodeFacts {
                ward: org("avd-1"),
                ward_type: if psych { WardType::Psychiatric } else { WardType::Somatic },
                municipality: org("umea-kommun"),
                primary_care: org("hc-ersboda"),
                outpatient_psychiatry: Some(org("psyk-oppen")),
                admitted_at: ts(admitted),
                estimated_discharge_known_at: None,
                ready_for_discharge_at: ready.map(ts),
                discharged_at: discharged.map(ts),
            },
            designated_care_contact: Some("Ssk Anna Berg".into()),
            calls: Vec::new(),
            patient: None,
        }
    }

    fn decide(p: &Policy, e: EpisodeInput, today: &str) -> Vec<Decision> {
        reconcile(p, window(), &[e], date(today))
    }

    fn of(ds: &[Decision], party: Party) -> &Decision {
        ds.iter().find(|d| d.party == party).expect("a decision for the party")
    }

    fn item(d: &Decision, kind: ItemKind, code: ItemCode) -> &Item {
        d.items
            .iter()
            .find(|i| i.kind == kind && i.code == code)
            .unwrap_or_else(|| panic!("{kind:?} {code:?} missing in {:?}", d.items))
    }

    fn has(d: &Decision, kind: ItemKind, code: ItemCode) -> bool {
        d.items.iter().any(|i| i.kind == kind && i.code == code)
    }

    fn messages(text: &str) -> Vec<String> {
        check_policy("bad.toml", text).unwrap_err().iter().map(|e| e.message_en()).collect()
    }

    // --- The shipped policies ---

    #[test]
    fn shipped_policies_pass_the_checks() {
        for (text, id) in [
            (P000, "prator-vasterbotten-2023"),
            (P001, "lifecare-sp-vasternorrland-2025"),
            (P002, "prator-long-outage-2024"),
        ] {
            assert_eq!(policy(text).id, id);
        }
        let p = policy(P002);
        assert_eq!(p.dates["period_start"], date("2024-01-17"));
        assert_eq!(p.dates["cutover"], date("2024-02-01"));
        assert_eq!(p.parameters["restored_at"], "2024-02-02T08:00:00");
    }

    // --- 000: PRATOR Västerbotten ---

    /// "Inskrivning: Patienter som lagts in under avbrottet skrivs in för att fullfölja processen i Prator."
    #[test]
    fn p000_admitted_during_and_still_in_is_entered_by_the_ward() {
        let ds = decide(&policy(P000), ep(1, "2023-05-02 10:30", None, None, false), "2023-05-04");
        let w = of(&ds, Party::Ward);
        let i = item(w, ItemKind::Enter, ItemCode::AdmissionNotice);
        assert_eq!(i.rule, "admitted-during");
        assert!(i.cite.starts_with("Inskrivning: Patienter som lagts in under avbrottet"));
        assert_eq!(i.values["admitted_at"], "2023-05-02 10:30");
        assert_eq!(w.outcome, Outcome::BackEnter);
        // "Slutenvården skriver in": the municipality does not enter the admission.
        assert!(!has(of(&ds, Party::Municipality), ItemKind::Enter, ItemCode::AdmissionNotice));
    }

    /// "Övrig sedan tidigare kommunicerad information skrivs ej in i efterhand."
    #[test]
    fn p000_previously_communicated_information_is_not_entered() {
        let ds = decide(&policy(P000), ep(1, "2023-05-02 10:30", None, None, false), "2023-05-04");
        for party in [Party::Ward, Party::Municipality, Party::PrimaryCare] {
            let i = item(of(&ds, party), ItemKind::DoNotEnter, ItemCode::PreviouslyCommunicatedInformation);
            assert_eq!(i.cite, "Övrig sedan tidigare kommunicerad information skrivs ej in i efterhand.");
        }
    }

    /// "Patienter som både skrivits in och ut under avbrottet registreras inte."
    #[test]
    fn p000_admitted_and_discharged_during_is_not_registered() {
        let ds = decide(&policy(P000), ep(1, "2023-05-02 09:00", None, Some("2023-05-03 11:00"), false), "2023-05-04");
        assert_eq!(ds.len(), 3);
        for d in &ds {
            assert_eq!(d.rule.as_deref(), Some("admitted-and-discharged-during"));
            assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
            assert_eq!(
                item(d, ItemKind::DoNotEnter, ItemCode::Episode).cite,
                "Patienter som både skrivits in och ut under avbrottet registreras inte."
            );
        }
    }

    /// "Utskrivning: Patienter som skrivs ut från sjukhuset under avbrottet, skrivs även ut i Prator."
    #[test]
    fn p000_admitted_before_and_discharged_during_gets_a_discharge_notice_with_its_date() {
        let ds = decide(&policy(P000), ep(1, "2023-04-28 14:00", None, Some("2023-05-03 09:15"), false), "2023-05-04");
        let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::DischargeNotice);
        assert_eq!(i.rule, "discharged-during");
        assert_eq!(i.values["discharged_at"], "2023-05-03 09:15");
        assert!(!has(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::AdmissionNotice));
    }

    /// "Kvittera meddelanden" (all three parties).
    #[test]
    fn p000_every_party_acknowledges_messages() {
        let ds = decide(&policy(P000), ep(1, "2023-04-28 14:00", None, None, true), "2023-05-04");
        assert_eq!(ds.len(), 4);
        for d in &ds {
            assert_eq!(item(d, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).cite, "Kvittera meddelanden");
        }
    }

    /// The handover log fills in when an item was told by phone, and how many calls a party must
    /// acknowledge; calls outside the outage window do not count.
    #[test]
    fn calls_in_the_window_fill_told_by_phone_and_calls_to_acknowledge() {
        let call = |at: &str, from, to, m: &[MessageType]| Call {
            at: ts(at),
            from,
            to,
            messages: m.iter().copied().collect(),
        };
        let mut e = ep(1, "2023-05-02 10:30", None, None, false);
        e.calls = vec![
            call("2023-05-02 11:40", Party::Ward, Party::Municipality, &[MessageType::Admission]),
            call("2023-05-02 11:05", Party::Ward, Party::Municipality, &[MessageType::Admission]),
            call("2023-05-02 12:00", Party::Ward, Party::PrimaryCare, &[MessageType::Admission]),
            call("2023-05-04 09:00", Party::Ward, Party::Municipality, &[MessageType::PlanningInformation]),
        ];
        let ds = decide(&policy(P000), e, "2023-05-04");
        let ward = of(&ds, Party::Ward);
        assert_eq!(
            item(ward, ItemKind::Enter, ItemCode::AdmissionNotice).values["told_by_phone_at"],
            "2023-05-02 11:05"
        );
        assert_eq!(item(ward, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).values["calls_received"], "0");
        let kommun = of(&ds, Party::Municipality);
        assert_eq!(item(kommun, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).values["calls_received"], "2");
    }

    /// "An episode in two wards at once": both episodes go to a person, the rest is still answered;
    /// a transfer (one stay ends when the next begins) is no contradiction.
    #[test]
    fn one_patient_in_two_wards_at_once_needs_review_but_a_transfer_does_not() {
        let p = policy(P001);
        let mut a = ep(1, "2023-05-01 10:00", None, None, false);
        let mut b = ep(2, "2023-05-02 12:00", None, None, false);
        b.facts.ward = org("avd-2");
        let other = ep(3, "2023-05-02 12:00", None, None, false);
        a.patient = Some("194101019806".into());
        b.patient = a.patient.clone();
        let ds = reconcile(&p, window(), &[a.clone(), b.clone(), other], date("2023-05-04"));
        for id in [1u128, 2] {
            for d in ds.iter().filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(id))) {
                assert_eq!(d.outcome, Outcome::NeedsReview);
                assert!(d.items[0].cite.contains("annat vårdtillfälle under samma tid"), "{:?}", d.items);
            }
        }
        assert!(
            ds.iter()
                .filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(3)))
                .all(|d| d.outcome != Outcome::NeedsReview)
        );
        a.facts.discharged_at = Some(ts("2023-05-02 12:00"));
        let ds = reconcile(&p, window(), &[b, a], date("2023-05-04"));
        assert!(ds.iter().all(|d| d.outcome != Outcome::NeedsReview), "a transfer is not a contradiction");
    }

    /// A received call reverses the direction; a correction replaces the corrected call; a call with
    /// an organisation outside the episode is not the episode's.
    #[test]
    fn calls_come_from_the_effective_contacts_of_the_log() {
        let e = ep(1, "2023-05-02 10:30", None, None, false);
        let contact = |n: u128, by: &str, with: &str, direction, supersedes: Option<u128>| Contact {
            id: crate::ids::EntryId(uuid::Uuid::from_u128(n)),
            supersedes: supersedes.map(|s| crate::ids::EntryId(uuid::Uuid::from_u128(s))),
            at: ts("2023-05-02 11:00"),
            logged_by: org(by),
            counterpart: org(with),
            direction,
            messages: [MessageType::Admission].into(),
        };
        let contacts = [
            contact(1, "avd-1", "umea-kommun", Direction::Given, None),
            contact(2, "umea-kommun", "avd-1", Direction::Received, Some(1)),
            contact(3, "hc-ersboda", "avd-1", Direction::Received, None),
            contact(4, "avd-1", "nagon-annan", Direction::Given, None),
        ];
        let calls = Call::from_contacts(&e.facts, &contacts);
        let pairs: Vec<(Party, Party)> = calls.iter().map(|c| (c.from, c.to)).collect();
        assert_eq!(pairs, vec![(Party::Ward, Party::Municipality), (Party::Ward, Party::PrimaryCare)]);
    }

    /// "Skicka kallelser till SIP där man kommit överens om datum per telefon" — outpatient care only,
    /// including outpatient psychiatry for a patient on a psychiatric ward.
    #[test]
    fn p000_outpatient_care_sends_sip_invitations() {
        let ds = decide(&policy(P000), ep(1, "2023-05-02 10:30", None, None, true), "2023-05-04");
        assert!(has(of(&ds, Party::PrimaryCare), ItemKind::FollowUp, ItemCode::SendSipInvitation));
        assert!(has(of(&ds, Party::OutpatientPsychiatry), ItemKind::FollowUp, ItemCode::SendSipInvitation));
        assert!(!has(of(&ds, Party::Ward), ItemKind::FollowUp, ItemCode::SendSipInvitation));
        assert!(!has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::SendSipInvitation));
    }

    #[test]
    fn p000_episodes_outside_the_outage_have_nothing_to_enter_with_a_reason() {
        let p = policy(P000);
        let before = decide(&p, ep(1, "2023-04-20 10:00", None, Some("2023-04-25 10:00"), false), "2023-05-04");
        let after = decide(&p, ep(2, "2023-05-03 17:00", None, None, false), "2023-05-04");
        for (ds, rule) in [(before, "outside-ended-before"), (after, "outside-admitted-after")] {
            for d in ds {
                assert_eq!(d.rule.as_deref(), Some(rule));
                assert!(d.items.is_empty());
                let Outcome::NothingToEnter { reason } = d.outcome else { panic!("expected nothing to enter") };
                assert!(reason.contains("inget att efterregistrera"));
            }
        }
    }

    // --- 001: Lifecare SP Västernorrland ---

    /// "Patienter inskrivna under avbrottet: Ska registreras i Lifecare SP … för att slutföra processen."
    /// "Inskrivningsmeddelande." "Patientinformation (fyll i om det är möjligt) …"
    #[test]
    fn p001_admitted_during_and_still_in_gets_admission_notice_and_patient_information() {
        let ds = decide(&policy(P001), ep(1, "2023-05-02 12:00", None, None, false), "2023-05-04");
        let w = of(&ds, Party::Ward);
        assert_eq!(item(w, ItemKind::Enter, ItemCode::AdmissionNotice).cite, "Inskrivningsmeddelande.");
        assert!(has(w, ItemKind::Enter, ItemCode::PatientInformation));
        assert!(has(of(&ds, Party::Municipality), ItemKind::Enter, ItemCode::PatientInformation));
        assert!(!has(w, ItemKind::Enter, ItemCode::PatientInformationSendHome));
    }

    /// "Patientinformation (fyll i om det är möjligt) – om patenten gått hem ska den skickas hem till patienten."
    #[test]
    fn p001_patient_information_is_sent_home_when_the_patient_has_gone_home() {
        let ds = decide(&policy(P001), ep(1, "2023-04-30 12:00", None, Some("2023-05-03 10:00"), false), "2023-05-04");
        for party in [Party::Ward, Party::Municipality, Party::PrimaryCare] {
            let i = item(of(&ds, party), ItemKind::Enter, ItemCode::PatientInformationSendHome);
            assert!(i.cite.contains("skickas hem till patienten"));
        }
    }

    /// "Patienter som skrivs ut under avbrottet: Ska registreras som utskrivna …" "Utskrivningsmeddelande."
    #[test]
    fn p001_discharged_during_gets_a_discharge_notice() {
        let ds = decide(&policy(P001), ep(1, "2023-04-30 12:00", None, Some("2023-05-03 10:00"), false), "2023-05-04");
        let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::DischargeNotice);
        assert_eq!(i.rule, "discharged-during");
        assert_eq!(i.values["discharged_at"], "2023-05-03 10:00");
    }

    /// "Dessa uppgifter ska inte efterregistreras: • Utskrivningsklar meddelande" and
    /// "Planeringsunderlag (om patienten blivit utskrivningsklar eller gått hem)".
    #[test]
    fn p001_ready_for_discharge_and_planning_information_are_not_entered() {
        let p = policy(P001);
        let ready = decide(&p, ep(1, "2023-05-02 12:00", Some("2023-05-03 09:00"), None, false), "2023-05-04");
        let w = of(&ready, Party::Ward);
        assert_eq!(w.rule.as_deref(), Some("admitted-during-still-in-ready"));
        assert!(has(w, ItemKind::DoNotEnter, ItemCode::ReadyForDischargeNotice));
        assert!(has(w, ItemKind::DoNotEnter, ItemCode::PlanningInformation));
        // Not ready and still in: planning information is not forbidden.
        let not_ready = decide(&p, ep(2, "2023-05-02 12:00", None, None, false), "2023-05-04");
        assert!(!has(of(&not_ready, Party::Ward), ItemKind::DoNotEnter, ItemCode::PlanningInformation));
    }

    /// "Patienter som under avbrottet har hunnit bli både inskrivna och utskrivna: Behöver inte registreras …"
    #[test]
    fn p001_admitted_and_discharged_during_need_not_be_registered() {
        let ds = decide(&policy(P001), ep(1, "2023-05-02 12:00", None, Some("2023-05-03 12:00"), true), "2023-05-04");
        assert_eq!(ds.len(), 4);
        for d in &ds {
            assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
            assert!(has(d, ItemKind::DoNotEnter, ItemCode::Episode));
        }
    }

    /// "Kvittera alla meddelanden i efterhand", "Bekräfta fast vårdkontakt",
    /// "Skicka kallelse till SIP där man har kommit överens om datum."
    #[test]
    fn p001_primary_care_acknowledges_confirms_contact_and_sends_sip_invitations() {
        let ds = decide(&policy(P001), ep(1, "2023-05-02 12:00", None, None, false), "2023-05-04");
        let pc = of(&ds, Party::PrimaryCare);
        assert_eq!(
            item(pc, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).cite,
            "Kvittera alla meddelanden i efterhand"
        );
        let c = item(pc, ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact);
        assert_eq!(c.values["designated_care_contact"], "Ssk Anna Berg");
        assert!(has(pc, ItemKind::FollowUp, ItemCode::SendSipInvitation));
        assert!(has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::AcknowledgeMessages));
        assert!(!has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact));
    }

    // --- 002: the long PRATOR outage of 2024 ---

    /// "Vårdtillfällen som fanns i Prator sedan innan 2024-01-17 och patienten har gått hem avslutas …
    /// *Utklar* till dagens datum och *Faktiskt Utskriven* sätts till det faktiska dagen patient gick hem"
    #[test]
    fn p002_existed_before_and_gone_home_is_closed_with_utklar_today() {
        let ds = decide(&policy(P002), ep(1, "2024-01-10 10:00", None, Some("2024-01-25 13:00"), false), "2024-02-05");
        let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::CloseEpisode);
        assert_eq!(i.rule, "existed-before-gone-home");
        assert_eq!(i.values["ready_for_discharge"], "2024-02-05");
        assert_eq!(i.values["actual_discharge"], "2024-01-25");
        let Outcome::NothingToEnter { reason } = &of(&ds, Party::Municipality).outcome else { panic!() };
        assert_eq!(reason, "Slutenvården avslutar vårdtillfället i Prator.");
    }

    /// "Vårdtillfällen som fanns i Prator sedan innan 2024-01-17 och patienten är fortsatt kvar på sjukhus
    /// kan fortsättas hanteras i Prator."
    #[test]
    fn p002_existed_before_and_still_in_continues_in_prator() {
        let ds = decide(&policy(P002), ep(1, "2024-01-16 23:00", None, None, false), "2024-02-05");
        assert!(has(of(&ds, Party::Ward), ItemKind::FollowUp, ItemCode::ContinueInSystem));
        assert_eq!(of(&ds, Party::Ward).rule.as_deref(), Some("existed-before-still-in-hospital"));
    }

    /// "Vårdtillfällen som skapats under 2024-01-17 till 2024-01-31 fortsätts hanteras manuellt enligt
    /// avbrottsrutin. Registreras inte in i Prator."
    #[test]
    fn p002_created_in_the_period_is_handled_manually_and_not_registered() {
        let p = policy(P002);
        for e in [
            ep(1, "2024-01-17 00:30", None, None, false),
            ep(2, "2024-01-31 22:00", None, Some("2024-02-03 10:00"), false),
        ] {
            for d in decide(&p, e, "2024-02-05") {
                assert_eq!(d.rule.as_deref(), Some("created-in-period"));
                assert!(has(&d, ItemKind::DoNotEnter, ItemCode::Episode));
                assert!(has(&d, ItemKind::FollowUp, ItemCode::ManualHandling));
                assert!(has(&d, ItemKind::FollowUp, ItemCode::AgreeOnBackEntry));
            }
        }
    }

    /// "Nya vårdtillfällen från och med **2024-02-01** läggs in i Prator och hanteras via systemet."
    #[test]
    fn p002_new_from_the_cutover_is_entered_in_prator() {
        let ds = decide(&policy(P002), ep(1, "2024-02-01 09:00", None, None, false), "2024-02-05");
        assert_eq!(item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::AdmissionNotice).rule, "new-from-cutover");
    }

    #[test]
    fn p002_dates_are_parameters() {
        let moved = P002.replace("period_start = 2024-01-17", "period_start = 2024-01-05");
        let ds = decide(&policy(&moved), ep(1, "2024-01-10 10:00", None, None, false), "2024-02-05");
        assert_eq!(of(&ds, Party::Ward).rule.as_deref(), Some("created-in-period"));
    }

    // --- 002: SIPs ---

    fn sip(n: u128, created: &str, state: SipState) -> SipInput {
        SipInput {
            id: uuid::Uuid::from_u128(n),
            episode: None,
            created_at: ts(created),
            state,
            initiator: Party::PrimaryCare,
            participants: [Party::Municipality].into_iter().collect(),
        }
    }

    fn sip_decide(text: &str, s: SipInput) -> Vec<SipDecision> {
        reconcile_sips(&policy(text), &[s], date("2024-02-05"))
    }

    fn sip_has(d: &SipDecision, kind: ItemKind, code: ItemCode) -> bool {
        d.items.iter().any(|i| i.kind == kind && i.code == code)
    }

    /// "Uppstartad SIP där SIP mötet ej genomförts": "Skapa ett SIP initiativ. Välj deltagare men bocka ur
    /// "Ska kvittera"", "Skapa kallelse till möte.", "Hanteras vidare enligt normal rutin".
    #[test]
    fn p002_sip_not_held_in_period_gets_initiative_without_must_acknowledge_and_invitation() {
        let ds = sip_decide(P002, sip(1, "2024-01-20 10:00", SipState::NotHeld));
        assert_eq!(ds.len(), 2);
        let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
        assert_eq!(init.rule.as_deref(), Some("sip-not-held-in-period"));
        let i = init.items.iter().find(|i| i.code == ItemCode::SipInitiative).unwrap();
        assert_eq!(i.values["must_acknowledge"], "no");
        assert!(sip_has(init, ItemKind::Enter, ItemCode::SipInvitation));
        assert!(sip_has(init, ItemKind::FollowUp, ItemCode::NormalRoutine));
        let other = ds.iter().find(|d| d.party == Party::Municipality).unwrap();
        assert!(matches!(other.outcome, Outcome::NothingToEnter { .. }));
    }

    /// "Pågående SIP där en SIP plan har skapats": "Behöver ej skapa och skicka kallelse till möte som redan
    /// skett." "Registrera in SIP planen med de Mål och Aktiviteter som ni kommit överens om."
    #[test]
    fn p002_sip_with_a_plan_in_period_registers_the_plan_but_no_invitation() {
        let ds = sip_decide(P002, sip(1, "2024-01-25 10:00", SipState::PlanCreated));
        let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
        assert!(sip_has(init, ItemKind::Enter, ItemCode::SipInitiative));
        assert!(sip_has(init, ItemKind::DoNotEnter, ItemCode::SipInvitation));
        assert!(sip_has(init, ItemKind::Enter, ItemCode::SipPlan));
    }

    /// "SIP som initierats och avslutats under avbrottsperioden registreras ej in i Prator"
    #[test]
    fn p002_sip_started_and_closed_in_period_is_not_registered() {
        for d in sip_decide(P002, sip(1, "2024-01-18 10:00", SipState::Closed)) {
            assert!(sip_has(&d, ItemKind::DoNotEnter, ItemCode::Sip));
            assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
        }
    }

    /// "Om SIP skapats innan 2024-01-17 avslutas enligt normalt rutin."
    #[test]
    fn p002_sip_created_before_is_closed_by_the_normal_routine() {
        let ds = sip_decide(P002, sip(1, "2024-01-10 10:00", SipState::Closed));
        let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
        assert_eq!(init.items[0].cite, "Om SIP skapats innan 2024-01-17 avslutas enligt normalt rutin.");
    }

    #[test]
    fn policies_without_sip_rows_say_so() {
        let ds = sip_decide(P000, sip(1, "2024-01-20 10:00", SipState::NotHeld));
        let Outcome::NothingToEnter { reason } = &ds[0].outcome else { panic!() };
        assert!(reason.contains("har inga rader om SIP"));
    }

    #[test]
    fn incomplete_sip_rows_name_the_sip_case() {
        let text = P002.replace("sip_state = [\"not_held\", \"plan_created\"]", "sip_state = \"not_held\"");
        let m = messages(&text);
        assert!(
            m.iter()
                .any(|m| m
                    .contains("incomplete: no row covers the SIP case created=before_period, sip_state=plan_created")),
            "{m:?}"
        );
    }

    // --- Contradictions ---

    #[test]
    fn discharged_before_admitted_needs_review_and_the_rest_is_answered() {
        let bad = ep(1, "2023-05-03 10:00", None, Some("2023-05-02 10:00"), false);
        let good = ep(2, "2023-05-02 10:30", None, None, false);
        let ds = reconcile(&policy(P000), window(), &[bad, good], date("2023-05-04"));
        assert_eq!(ds.len(), 6);
        for d in ds.iter().filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(1))) {
            assert_eq!(d.outcome, Outcome::NeedsReview);
            assert_eq!(d.rule, None);
            assert_eq!(d.items[0].cite, "Underlaget motsäger sig självt: utskriven före inskrivningen.");
            assert_eq!(d.items[0].kind, ItemKind::NeedsReview);
        }
        let w2 =
            ds.iter().find(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(2)) && d.party == Party::Ward).unwrap();
        assert_eq!(w2.outcome, Outcome::BackEnter);
    }

    // --- The checker ---

    const HEAD: &str = "[policy]\nid = \"t\"\nname = \"t\"\nversion = \"1\"\nsource = \"seed\"\n";

    #[test]
    fn malformed_toml_is_rejected() {
        let m = messages("[policy\nid = ");
        assert!(m[0].starts_with("bad.toml, line 1: not a back-entry policy: "), "{m:?}");
    }

    #[test]
    fn ambiguous_rows_are_named_with_the_case() {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"a\"\ncite = \"x\"\nwhen = {{ location = \"in_hospital\" }}\n\
             [[rule]]\nid = \"b\"\ncite = \"x\"\nwhen = {{ location = [\"in_hospital\", \"gone_home\"] }}\n"
        );
        let m = messages(&text);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("ambiguous: rows a, b all match the case location=in_hospital"), "{m:?}");
    }

    #[test]
    fn incomplete_policies_name_the_uncovered_case() {
        let text = P000.replace(
            "when = { admitted = \"before\", discharged = \"before\" }",
            "when = { admitted = \"before\", discharged = \"no\" }",
        );
        let m = messages(&text);
        assert!(
            m.iter().any(|m| m.contains("incomplete: no row covers the case admitted=before, discharged=before")),
            "{m:?}"
        );
        assert!(m.iter().any(|m| m.contains("ambiguous: rows outside-ended-before, in-hospital-throughout")), "{m:?}");
    }

    #[test]
    fn unknown_values_items_parties_and_conditions_name_the_row() {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"r1\"\ncite = \"x\"\nwhen = {{ admitted = \"yesterday\", colour = \"red\" }}\n\
             ward = [{{ kind = \"enter\", item = \"fax\" }}, {{ kind = \"maybe\", item = \"episode\" }}]\n\
             pharmacy = [{{ kind = \"enter\", item = \"episode\" }}]\n"
        );
        let m = messages(&text);
        for want in [
            "row r1: unknown value admitted=yesterday",
            "row r1: unknown condition colour",
            "row r1: ward: unknown item fax",
            "row r1: ward: unknown kind maybe",
            "row r1: unknown party or key pharmacy",
        ] {
            assert!(m.iter().any(|m| m.contains(want)), "{want} not in {m:?}");
        }
    }

    #[test]
    fn created_needs_its_date_parameters_and_rows_need_a_cite() {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"r1\"\ncite = \" \"\nwhen = {{ created = [\"before_period\", \"in_period\", \"from_cutover\"] }}\n"
        );
        let m = messages(&text);
        assert!(m.iter().any(|m| m.contains("row r1: cite is empty")), "{m:?}");
        assert!(m.iter().any(|m| m.contains("needs the date parameter period_start")), "{m:?}");
        assert!(m.iter().any(|m| m.contains("needs the date parameter cutover")), "{m:?}");
    }

    #[test]
    fn conditions_must_fit_the_subject() {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"r1\"\ncite = \"x\"\nwhen = {{ sip_state = \"closed\" }}\n\
             [[rule]]\nid = \"r2\"\nsubject = \"sip\"\ncite = \"x\"\nwhen = {{ admitted = \"during\" }}\n\
             [[rule]]\nid = \"r3\"\nsubject = \"letter\"\ncite = \"x\"\n"
        );
        let m = messages(&text);
        for want in [
            "row r1: condition sip_state does not apply to rows about episode",
            "row r2: condition admitted does not apply to rows about sip",
            "row r3: unknown subject letter",
        ] {
            assert!(m.iter().any(|m| m.contains(want)), "{want} not in {m:?}");
        }
    }

    // --- Properties ---

    fn arb_episode() -> impl Strategy<Value = (u32, u32, Option<u32>, Option<u32>, bool)> {
        // Minutes from 2023-04-25 00:00 over ~20 days; the window is 2023-05-02 08:00 – 2023-05-03 16:00.
        let m = 0u32..20 * 24 * 60;
        (m.clone(), m.clone(), proptest::option::of(m.clone()), proptest::option::of(m), any::<bool>())
    }

    fn build(n: usize, (a, _, r, d, psych): (u32, u32, Option<u32>, Option<u32>, bool)) -> EpisodeInput {
        let base = ts("2023-04-25 00:00");
        let at = |m: u32| base.checked_add(jiff::SignedDuration::from_mins(m as i64)).unwrap();
        let mut e = ep(n as u128, "2023-04-25 00:00", None, None, psych);
        e.facts.admitted_at = at(a);
        e.facts.ready_for_discharge_at = r.map(at);
        e.facts.discharged_at = d.map(at);
        e
    }

    proptest! {
        #[test]
        fn one_decision_per_episode_and_party_independent_of_order(
            raw in proptest::collection::vec(arb_episode(), 0..30),
            which in 0usize..3,
            seed in any::<u64>(),
        ) {
            let p = policy([P000, P001, P002][which]);
            let eps: Vec<EpisodeInput> = raw.into_iter().enumerate().map(|(n, r)| build(n, r)).collect();
            let today = date("2023-05-20");
            let ds = reconcile(&p, window(), &eps, today);
            let want: usize = eps.iter().map(|e| e.facts.parties().len()).sum();
            prop_assert_eq!(ds.len(), want);
            for e in &eps {
                for party in e.facts.parties() {
                    prop_assert_eq!(ds.iter().filter(|d| d.episode == e.id && d.party == party).count(), 1);
                }
            }
            let mut shuffled = eps.clone();
            let len = shuffled.len();
            if len > 1 {
                let mut s = seed;
                for i in (1..len).rev() {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    shuffled.swap(i, (s >> 33) as usize % (i + 1));
                }
            }
            prop_assert_eq!(reconcile(&p, window(), &shuffled, today), ds);
        }
    }

    proptest! {
        #[test]
        fn one_sip_decision_per_party_independent_of_order(
            raw in proptest::collection::vec((0u32..40 * 24 * 60, 0usize..3, 0usize..4, any::<bool>()), 0..20),
        ) {
            let p = policy(P002);
            let base = ts("2024-01-01 00:00");
            let parties = [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];
            let sips: Vec<SipInput> = raw
                .iter()
                .enumerate()
                .map(|(n, (m, st, ini, with_ward))| SipInput {
                    id: uuid::Uuid::from_u128(n as u128),
                    episode: None,
                    created_at: base.checked_add(jiff::SignedDuration::from_mins(*m as i64)).unwrap(),
                    state: [SipState::NotHeld, SipState::PlanCreated, SipState::Closed][*st],
                    initiator: parties[*ini],
                    participants: if *with_ward { [Party::Ward, Party::Municipality].into() } else { BTreeSet::new() },
                })
                .collect();
            let today = date("2024-02-20");
            let ds = reconcile_sips(&p, &sips, today);
            for s in &sips {
                let mut want = s.participants.clone();
                want.insert(s.initiator);
                let got: Vec<Party> = ds.iter().filter(|d| d.sip == s.id).map(|d| d.party).collect();
                prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
            }
            let mut rev = sips.clone();
            rev.reverse();
            prop_assert_eq!(reconcile_sips(&p, &rev, today), ds);
        }
    }
}
