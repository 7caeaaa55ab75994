//! What only a back-entry policy can get wrong ([`PolicyProblem`]), with
//! stable codes and Swedish and English messages; the error type itself is
//! the shared `DataFileError`.

use super::*;

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
    /// An item's `only_if` names no known condition.
    UnknownItemCondition {
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
            PolicyProblem::UnknownItemCondition { .. } => "unknown_only_if",
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
            PolicyProblem::UnknownItemCondition { row, party, value } => {
                format!("regeln {row}: {party}: okänt villkor only_if = {value} (giltiga: {})", facts())
            }
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
            PolicyProblem::UnknownItemCondition { row, party, value } => {
                format!("row {row}: {party}: unknown only_if = {value} (allowed: {})", facts())
            }
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

/// The keys `only_if` accepts, for a message.
fn facts() -> String {
    ItemCondition::ALL.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ")
}

impl Kind for Policy {
    const KIND: FileKind = FileKind::BackEntryPolicy;
    const MAX_TEXT: usize = 2000;
    type Problem = PolicyProblem;
}
