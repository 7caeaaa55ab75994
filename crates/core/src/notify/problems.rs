//! What only a notification policy or its recipients file can get wrong
//! ([`NotifyProblem`]), with stable codes and Swedish and English messages;
//! the error type itself is the shared `DataFileError`.

use super::*;

/// What only a notification policy or its recipients file can get wrong
/// (the reasons every data file shares are in [`Reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyProblem {
    /// A subject must be one line.
    MultilineSubject,
    /// An id that is not a slug (`key` says which: `id`, a group, a rule).
    InvalidId {
        key: &'static str,
        value: String,
    },
    DuplicateGroup {
        id: String,
        first_line: usize,
    },
    DuplicateRule {
        id: String,
        first_line: usize,
    },
    /// A recipient that is no `[[recipient_group]]` of the policy.
    UnknownGroup(String),
    DuplicateRecipient(String),
    NoRecipients,
    UnknownPlaceholder(String),
    UnclosedPlaceholder,
    StrayBrace,
    /// `{restored_at}` in a rule not triggered by the restart.
    RestoredAtNotKnown,
    InvalidDuration(String),
    /// `before_start` without `before`.
    BeforeMissing,
    /// `before` with another trigger.
    BeforeNotAllowed,
    /// `when_late` with another trigger than `before_start`.
    WhenLateNotAllowed,
    /// `before_start` needs `kind = "planned"`: an unplanned outage has no "before".
    BeforeStartNeedsPlanned,
    /// An escalation of a status-page publication, which cannot be acknowledged.
    CannotEscalate(Channel),
    /// A wave followed by another must have exactly one group.
    EscalationNeedsOneGroup,
    NoSystem,
    /// A rule names a system its policy does not cover.
    SystemNotInPolicy(String),
    NoGroups,
    NoRules,
    /// A recipients file lists a person id twice.
    DuplicatePerson {
        id: String,
        first_line: usize,
    },
    /// A person of a group the policy reaches by `channel` lacks the
    /// address `key` (`phone` or `email`).
    MissingAddress {
        group: String,
        channel: Channel,
        key: &'static str,
    },
    /// A group the policy reaches by `channel` has nobody in the recipients file.
    NobodyInGroup {
        group: String,
        channel: Channel,
    },
    InvalidPhone(String),
    InvalidEmail(String),
}

impl NotifyProblem {
    /// The stable code, after `notification_` (or `recipients_`).
    pub fn code(&self) -> &'static str {
        match self {
            NotifyProblem::MultilineSubject => "multiline_subject",
            NotifyProblem::InvalidId { .. } => "invalid_id",
            NotifyProblem::DuplicateGroup { .. } => "duplicate_group",
            NotifyProblem::DuplicateRule { .. } => "duplicate_rule",
            NotifyProblem::UnknownGroup(_) => "unknown_group",
            NotifyProblem::DuplicateRecipient(_) => "duplicate_recipient",
            NotifyProblem::NoRecipients => "no_recipients",
            NotifyProblem::UnknownPlaceholder(_) => "unknown_placeholder",
            NotifyProblem::UnclosedPlaceholder => "unclosed_placeholder",
            NotifyProblem::StrayBrace => "stray_brace",
            NotifyProblem::RestoredAtNotKnown => "restored_at_not_known",
            NotifyProblem::InvalidDuration(_) => "invalid_duration",
            NotifyProblem::BeforeMissing => "before_missing",
            NotifyProblem::BeforeNotAllowed => "before_not_allowed",
            NotifyProblem::WhenLateNotAllowed => "when_late_not_allowed",
            NotifyProblem::BeforeStartNeedsPlanned => "before_start_needs_planned",
            NotifyProblem::CannotEscalate(_) => "cannot_escalate",
            NotifyProblem::EscalationNeedsOneGroup => "escalation_needs_one_group",
            NotifyProblem::NoSystem => "no_system",
            NotifyProblem::SystemNotInPolicy(_) => "system_not_in_policy",
            NotifyProblem::NoGroups => "no_groups",
            NotifyProblem::NoRules => "no_rules",
            NotifyProblem::DuplicatePerson { .. } => "duplicate_person",
            NotifyProblem::MissingAddress { .. } => "missing_address",
            NotifyProblem::NobodyInGroup { .. } => "nobody_in_group",
            NotifyProblem::InvalidPhone(_) => "invalid_phone",
            NotifyProblem::InvalidEmail(_) => "invalid_email",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            NotifyProblem::MultilineSubject => "”subject” ska vara en enda rad".into(),
            NotifyProblem::InvalidId { key, value } => {
                format!("”{key}” = ”{value}” är ogiltigt (1–64 tecken: små bokstäver a–z, siffror och bindestreck)")
            }
            NotifyProblem::DuplicateGroup { id, first_line } => {
                format!("mottagargruppen ”{id}” finns redan (rad {first_line})")
            }
            NotifyProblem::DuplicateRule { id, first_line } => format!("regeln ”{id}” finns redan (rad {first_line})"),
            NotifyProblem::UnknownGroup(g) => {
                format!("okänd mottagargrupp ”{g}” (ange en grupp som finns under [[recipient_group]])")
            }
            NotifyProblem::DuplicateRecipient(g) => format!("mottagargruppen ”{g}” står två gånger"),
            NotifyProblem::NoRecipients => "”recipients” måste ange minst en mottagargrupp".into(),
            NotifyProblem::UnknownPlaceholder(p) => {
                format!("okänd platshållare ”{{{p}}}” (giltiga: {})", Placeholder::keys())
            }
            NotifyProblem::UnclosedPlaceholder => "en platshållare saknar avslutande ”}”".into(),
            NotifyProblem::StrayBrace => "”}” utan föregående ”{”".into(),
            NotifyProblem::RestoredAtNotKnown => {
                "”{restored_at}” är känt först vid driftstart; använd den bara i regler med trigger = \"restored\""
                    .into()
            }
            NotifyProblem::InvalidDuration(v) => {
                format!(
                    "”{v}” är ingen giltig tid (ett heltal 1–{MAX_AMOUNT} följt av d, h eller min, t.ex. ”21d”, ”30min”)"
                )
            }
            NotifyProblem::BeforeMissing => "trigger = \"before_start\" kräver ”before”, t.ex. before = \"7d\"".into(),
            NotifyProblem::BeforeNotAllowed => "”before” gäller bara trigger = \"before_start\"".into(),
            NotifyProblem::WhenLateNotAllowed => "”when_late” gäller bara trigger = \"before_start\"".into(),
            NotifyProblem::BeforeStartNeedsPlanned => {
                "trigger = \"before_start\" kräver kind = \"planned\": ett oplanerat avbrott har inget ”före”".into()
            }
            NotifyProblem::CannotEscalate(c) => {
                format!("kanalen ”{c}” kan inte kvitteras, så den kan inte eskaleras")
            }
            NotifyProblem::EscalationNeedsOneGroup => {
                "en våg som följs av en eskalering måste ha exakt en mottagargrupp (kvitteringen gäller den gruppen)"
                    .into()
            }
            NotifyProblem::NoSystem => "”systems” måste ange minst ett system eller \"all\"".into(),
            NotifyProblem::SystemNotInPolicy(v) => format!("systemet ”{v}” ingår inte i policyns ”systems”"),
            NotifyProblem::NoGroups => "policyn har inga mottagargrupper ([[recipient_group]])".into(),
            NotifyProblem::NoRules => "policyn har inga regler ([[rule]])".into(),
            NotifyProblem::DuplicatePerson { id, first_line } => {
                format!("personen ”{id}” finns redan (rad {first_line})")
            }
            NotifyProblem::MissingAddress { group, channel, key } => {
                format!("gruppen ”{group}” nås via {} men personen saknar ”{key}”", channel.label_sv().to_lowercase())
            }
            NotifyProblem::NobodyInGroup { group, channel } => {
                format!("gruppen ”{group}” nås via {} men ingen person hör till den", channel.label_sv().to_lowercase())
            }
            NotifyProblem::InvalidPhone(v) => format!("”{v}” är inget giltigt telefonnummer"),
            NotifyProblem::InvalidEmail(v) => format!("”{v}” är ingen giltig e-postadress"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            NotifyProblem::MultilineSubject => "`subject` must be a single line".into(),
            NotifyProblem::InvalidId { key, value } => {
                format!("`{key}` = `{value}` is invalid (1–64 characters: lowercase a–z, digits and dashes)")
            }
            NotifyProblem::DuplicateGroup { id, first_line } => {
                format!("recipient group `{id}` already exists (line {first_line})")
            }
            NotifyProblem::DuplicateRule { id, first_line } => {
                format!("rule `{id}` already exists (line {first_line})")
            }
            NotifyProblem::UnknownGroup(g) => {
                format!("unknown recipient group `{g}` (name a group defined under [[recipient_group]])")
            }
            NotifyProblem::DuplicateRecipient(g) => format!("recipient group `{g}` is listed twice"),
            NotifyProblem::NoRecipients => "`recipients` must name at least one recipient group".into(),
            NotifyProblem::UnknownPlaceholder(p) => {
                format!("unknown placeholder `{{{p}}}` (valid: {})", Placeholder::keys())
            }
            NotifyProblem::UnclosedPlaceholder => "a placeholder lacks its closing `}`".into(),
            NotifyProblem::StrayBrace => "`}` without an opening `{`".into(),
            NotifyProblem::RestoredAtNotKnown => {
                "`{restored_at}` is known only at restart; use it only in rules with trigger = \"restored\"".into()
            }
            NotifyProblem::InvalidDuration(v) => {
                format!("`{v}` is not a valid duration (a whole number 1–{MAX_AMOUNT} then d, h or min, e.g. `21d`, `30min`)")
            }
            NotifyProblem::BeforeMissing => "trigger = \"before_start\" needs `before`, e.g. before = \"7d\"".into(),
            NotifyProblem::BeforeNotAllowed => "`before` applies only to trigger = \"before_start\"".into(),
            NotifyProblem::WhenLateNotAllowed => "`when_late` applies only to trigger = \"before_start\"".into(),
            NotifyProblem::BeforeStartNeedsPlanned => {
                "trigger = \"before_start\" needs kind = \"planned\": an unplanned outage has no \"before\"".into()
            }
            NotifyProblem::CannotEscalate(c) => format!("channel `{c}` cannot be acknowledged, so it cannot escalate"),
            NotifyProblem::EscalationNeedsOneGroup => {
                "a wave followed by an escalation must have exactly one recipient group (the acknowledgement is that group's)".into()
            }
            NotifyProblem::NoSystem => "`systems` must name at least one system or \"all\"".into(),
            NotifyProblem::SystemNotInPolicy(v) => format!("system `{v}` is not among the policy's `systems`"),
            NotifyProblem::NoGroups => "the policy has no recipient groups ([[recipient_group]])".into(),
            NotifyProblem::NoRules => "the policy has no rules ([[rule]])".into(),
            NotifyProblem::DuplicatePerson { id, first_line } => format!("person `{id}` already exists (line {first_line})"),
            NotifyProblem::MissingAddress { group, channel, key } => format!(
                "group `{group}` is reached by {} but the person has no `{key}`",
                channel.label_en().to_lowercase()
            ),
            NotifyProblem::NobodyInGroup { group, channel } => {
                format!("group `{group}` is reached by {} but nobody belongs to it", channel.label_en().to_lowercase())
            }
            NotifyProblem::InvalidPhone(v) => format!("`{v}` is not a valid phone number"),
            NotifyProblem::InvalidEmail(v) => format!("`{v}` is not a valid email address"),
        }
    }
}
