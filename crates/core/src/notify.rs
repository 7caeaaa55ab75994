//! Notification policies as data, and the pure planner that turns an
//! outage's facts into every message the policy calls for.
//!
//! A region keeps one policy file per source document in
//! `data/notifications/` (`003-gavleborg.toml`, `004-solvesborg.toml`):
//! document metadata (`id`, `title`, `owner`, `source`, optional `version`
//! and `date`, `systems` = catalogue ids or `"all"`), `[[recipient_group]]`s
//! (`id`, `name`: functions such as "Verksamhetschefer (VC)", never persons)
//! and `[[rule]]`s. A rule says:
//!
//! - what it applies to: `kind` (`planned` | `unplanned` | `any`), optional
//!   `systems` (a subset of the file's), optional `expected_longer_than`
//!   (`"30min"`: seed 003's "beräknas överstiga 30 minuter");
//! - when: `trigger` = `declared` | `before_start` (with `before = "21d"`,
//!   and `when_late` = `at_declaration` | `skip`) | `restored`, and
//!   `time` = `office_hours` | `on_call` | `any`;
//! - how and to whom: `channel` ([`Channel`]), `sender` ([`SenderRole`]),
//!   `recipients` (group ids), `subject` and `body` in Swedish with
//!   [`Placeholder`]s such as `{system}`, and `cite` (seed and section);
//! - optionally `[[rule.escalation]]` waves: `after = "15min"` without an
//!   acknowledgement of the previous wave, send to other `recipients` and/or
//!   by another `channel` (both default to the previous wave's).
//!
//! Every vocabulary is closed: an unknown channel, sender, trigger, group or
//! placeholder is an error naming the file, the line and the reason
//! ([`DataFileError`]). Addresses are not in policy files (they are personal
//! data): a separate recipients file, kept by the region outside git,
//! lists the people of each group in the outbox's `[[person]]` format;
//! [`parse_recipients`] checks it against a policy (example:
//! `data/notifications/recipients.example.toml`).
//!
//! # The planner
//!
//! [`plan`] is a pure function of a policy and an outage's facts
//! ([`OutageFacts`]: system, what was estimated when, restore time). It
//! returns *all* messages the outage calls for, past and future, each with
//! a stable key `"<rule id>:<group id>:<wave>"`. The outbox inserts keys it
//! has not seen and ignores the rest, so the planner is simply called again
//! after every change. A key names *what* a message is, not *when*: after an
//! amendment the same message keeps its key with a new due time and text,
//! and an outbox should give a message it has not yet sent the new values.
//! A [`PlannedMessage`] converts into the outbox's [`crate::outbox::Planned`]
//! with `.into()`.
//!
//! Decisions where the seeds are silent:
//!
//! - **Trigger moment.** A `declared` rule fires at the first estimate (the
//!   declaration or a later amendment) at which its conditions hold, and
//!   office hours vs on-call time is judged at that moment. An unplanned
//!   outage declared at 20 minutes and amended to two hours at 17:10 sends
//!   003's SMS at 17:10, and, since that is on-call time, the phone tasks
//!   too. Once a rule has fired it stays in the plan even if the estimate
//!   later shrinks: it was sent.
//! - **The 30-minute rule** (003 §4.2) reads the *estimate*: expected end −
//!   start strictly over 30 minutes, and an outage without an expected end
//!   counts as long (the safe side, as elsewhere in Reserv). The actual
//!   restore time does not undo it.
//! - **Before the start.** `before = "21d"` is counted in Stockholm calendar
//!   days (the same wall-clock time, across daylight-saving changes); `h`
//!   and `min` are exact. With `time = "office_hours"` a time that falls
//!   outside office hours is brought *forward* to 07:30 on the latest
//!   working day at or before it (a reminder "a day before" a Saturday stop
//!   goes out on Friday 07:30; before a stop on Easter Monday, on Maundy
//!   Thursday), never later: the notice is never shorter than the seed asks.
//!   With `time = "on_call"` the message is planned only if its time is
//!   on-call time.
//! - **Declared late.** When that due time lies before the declaration,
//!   `when_late = "at_declaration"` (the default) sends the message at the
//!   declaration, whatever the hour (news of a stop must not wait), and
//!   `skip` drops it (003's reminders: the information material just sent
//!   says the same). An outage declared at or after its start gets no
//!   `before_start` messages at all.
//! - **Restart.** A `restored` rule fires at the restore time if its
//!   conditions held for any estimate (the recipients heard of the stop),
//!   judging office hours at the restore time.
//! - **Escalation.** Wave *n* is due `after` the due time of wave *n − 1*,
//!   carries `unless_acknowledged` = the key of wave *n − 1*'s message, and
//!   is sent only if that one is still unacknowledged. Every wave that is
//!   followed by another has exactly one group, so that key is unambiguous.
//!   Status-page publications cannot be acknowledged, so they cannot escalate.
//! - **Text.** `{expected_end}` of an unknown end is "okänt"; a line that
//!   holds only placeholders which came out empty (an empty `{notice}`) is
//!   left out. Times are Stockholm time, `2026-04-06 08:00`.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Span, Timestamp};
use serde::{Deserialize, Serialize, Serializer};
use toml::Spanned;

use crate::catalogue::Catalogue;
use crate::datafile::{
    DataFileError, FileCheck, FileKind, Kind, OneOrMany, Reason, Vocabulary, is_slug, sorted, vocabulary,
};
use crate::ids::SystemId;
use crate::outage::{Amendment, Outage, OutageChange, OutageKind};
use crate::time::{format_local, is_office_hours, is_working_day, local, stockholm};

/// Seed 003 §4.1: office hours begin at 07:30 on working days; a message
/// brought forward into office hours is due at this time.
pub const OFFICE_START: Time = Time::constant(7, 30, 0, 0);

/// The longest subject accepted (a subject is one line: an SMS prefix, a
/// mail subject, a task title).
pub const MAX_SUBJECT: usize = 200;

/// The longest body, cite or group name accepted.
pub const MAX_TEXT: usize = 2000;

/// The largest number in a duration (`"9999min"`).
const MAX_AMOUNT: u32 = 9999;

vocabulary!(
    /// How a message reaches its recipients.
    Channel, "kanal", "channel" {
        Sms = "sms", "SMS", "SMS";
        Email = "email", "E-post", "Email";
        /// A task for the sender: phone each recipient of the group and tick
        /// them off a checklist (seed 003: IT "kontaktar … via telefon").
        PhoneTask = "phone_task", "Ringuppdrag", "Phone task";
        /// An alert in the crisis app (seed 004: Cosafe).
        CrisisApp = "crisis_app", "Krisapp (t.ex. Cosafe)", "Crisis app (e.g. Cosafe)";
        Webhook = "webhook", "Webhook", "Webhook";
        /// The internal status page (003: Plexus, Driftinformation; 004: Insidan).
        StatusPageInternal = "status_page_internal", "Intern driftinformation", "Internal status page";
        /// The page for private providers (003: Samverkanswebben).
        StatusPagePublic = "status_page_public", "Driftinformation för privata vårdgivare", "Status page for private providers";
    }
);

impl Channel {
    /// A person can acknowledge it (a status page publication cannot).
    pub fn can_be_acknowledged(self) -> bool {
        !matches!(self, Channel::StatusPageInternal | Channel::StatusPagePublic)
    }

    /// The address every person of a group reached this way must have in
    /// the recipients file; `None` for channels that reach the group as a
    /// whole (crisis app and webhook endpoints are configured per group,
    /// status pages are Reserv's own).
    fn address_key(self) -> Option<&'static str> {
        match self {
            Channel::Sms | Channel::PhoneTask => Some("phone"),
            Channel::Email => Some("email"),
            Channel::CrisisApp | Channel::Webhook | Channel::StatusPageInternal | Channel::StatusPagePublic => None,
        }
    }
}

vocabulary!(
    /// Who sends a message or carries out a phone task.
    SenderRole, "avsändare", "sender" {
        /// IT application management (IT-förvaltningen, IT-avdelningen).
        It = "it", "IT-förvaltning", "IT application management";
        /// EC, enhetschef (seed 004: "Dagtid meddelas sjuksköterskor av enhetschef").
        UnitManager = "unit_manager", "Enhetschef (EC)", "Unit manager";
        /// CIB, chef i beredskap (seed 004: "som i sin tur meddelar sjuksköterska").
        OnCallManager = "on_call_manager", "Chef i beredskap (CIB)", "On-call manager";
    }
);

vocabulary!(
    /// The event a rule reacts to.
    TriggerKind, "utlösare", "trigger" {
        Declared = "declared", "När avbrottet registreras", "When the outage is declared";
        BeforeStart = "before_start", "Före start", "Before the start";
        Restored = "restored", "Vid driftstart", "At restart";
    }
);

vocabulary!(
    /// When a rule applies (seed 003 §4.1: office hours are weekdays 07:30–16:30).
    TimeCondition, "tidsvillkor", "time condition" {
        OfficeHours = "office_hours", "Dagtid (vardagar 07.30–16.30)", "Office hours (weekdays 07:30–16:30)";
        OnCall = "on_call", "Jourtid", "On-call time";
        Any = "any", "All tid", "Any time";
    }
);

impl TimeCondition {
    /// Whether the condition holds at `at`.
    pub fn holds(self, at: Timestamp) -> bool {
        match self {
            TimeCondition::OfficeHours => is_office_hours(at),
            TimeCondition::OnCall => !is_office_hours(at),
            TimeCondition::Any => true,
        }
    }
}

vocabulary!(
    /// Which outages a rule applies to.
    KindFilter, "typ av avbrott", "kind of outage" {
        Planned = "planned", "Planerat", "Planned";
        Unplanned = "unplanned", "Oplanerat", "Unplanned";
        Any = "any", "Alla", "Any";
    }
);

impl KindFilter {
    pub fn matches(self, kind: OutageKind) -> bool {
        match self {
            KindFilter::Planned => kind == OutageKind::Planned,
            KindFilter::Unplanned => kind == OutageKind::Unplanned,
            KindFilter::Any => true,
        }
    }
}

vocabulary!(
    /// What happens to a `before_start` message whose time had passed when
    /// the outage was declared.
    WhenLate, "vid sen registrering", "when late" {
        AtDeclaration = "at_declaration", "Skickas när avbrottet registreras", "Sent at the declaration";
        Skip = "skip", "Skickas inte", "Not sent";
    }
);

vocabulary!(
    /// The values a subject or body may contain, written `{system}`.
    Placeholder, "platshållare", "placeholder" {
        /// The system's name, e.g. "Melior".
        System = "system", "Systemets namn", "The system's name";
        /// "planerat" or "oplanerat".
        Kind = "kind", "Planerat eller oplanerat", "Planned or unplanned";
        Start = "start", "Start", "Start";
        /// "okänt" while no end is known.
        ExpectedEnd = "expected_end", "Beräknat slut", "Expected end";
        /// Only in rules triggered by the restart.
        RestoredAt = "restored_at", "Åter i drift", "Back in service";
        /// The outage's notice (driftinformation) as IT wrote it.
        Notice = "notice", "Driftinformation", "Notice";
        /// Where the downtime routine and the outage's page are.
        RoutineLink = "routine_link", "Länk till driftstoppsrutinen", "Link to the downtime routine";
        /// The recipient group's name.
        Group = "group", "Mottagargruppens namn", "The recipient group's name";
    }
);

// ---------------------------------------------------------------------------
// Durations and templates
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Days,
    Hours,
    Minutes,
}

/// A duration as a policy writes it: `"21d"` (Stockholm calendar days),
/// `"2h"` or `"30min"`; a whole number from 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    amount: u32,
    unit: Unit,
}

impl Period {
    /// Parses `21d`, `2h`, `30min` (a space before the unit is allowed).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let amount: u32 = s[..digits].parse().ok()?;
        let unit = match s[digits..].trim_start() {
            "d" => Unit::Days,
            "h" => Unit::Hours,
            "min" => Unit::Minutes,
            _ => return None,
        };
        (1..=MAX_AMOUNT).contains(&amount).then_some(Period { amount, unit })
    }

    /// The length, a day counted as 24 hours.
    pub fn duration(self) -> SignedDuration {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Days => SignedDuration::from_hours(24 * n),
            Unit::Hours => SignedDuration::from_hours(n),
            Unit::Minutes => SignedDuration::from_mins(n),
        }
    }

    fn shift(self, ts: Timestamp, sign: i64) -> Timestamp {
        if self.unit == Unit::Days {
            // Calendar days in Stockholm: the same wall-clock time, so that
            // "three weeks before 08:00" is 08:00 across a DST change.
            let days = Span::new().days(sign * i64::from(self.amount));
            if let Ok(z) = local(ts).checked_add(days) {
                return z.timestamp();
            }
        }
        let d = self.duration();
        let shifted = if sign < 0 { ts.checked_sub(d) } else { ts.checked_add(d) };
        shifted.unwrap_or(ts)
    }

    /// The instant this long before `ts`.
    pub fn before(self, ts: Timestamp) -> Timestamp {
        self.shift(ts, -1)
    }

    /// The instant this long after `ts`.
    pub fn after(self, ts: Timestamp) -> Timestamp {
        self.shift(ts, 1)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Days => "d",
            Unit::Hours => "h",
            Unit::Minutes => "min",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Hole(Placeholder),
}

/// A subject or body with validated placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    /// One list of pieces per line.
    lines: Vec<Vec<Piece>>,
}

impl Template {
    /// Parses a template; on error returns the problem and its byte offset.
    pub fn parse(source: &str) -> Result<Template, (NotifyProblem, usize)> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in source.split('\n') {
            let mut pieces = Vec::new();
            let mut rest = line;
            let mut at = offset;
            while !rest.is_empty() {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                if next > 0 {
                    pieces.push(Piece::Text(rest[..next].to_owned()));
                }
                rest = &rest[next..];
                at += next;
                if rest.starts_with('}') {
                    return Err((NotifyProblem::StrayBrace, at));
                }
                if rest.starts_with('{') {
                    let Some(close) = rest.find('}') else {
                        return Err((NotifyProblem::UnclosedPlaceholder, at));
                    };
                    let name = &rest[1..close];
                    let Some(p) = Placeholder::parse(name) else {
                        return Err((NotifyProblem::UnknownPlaceholder(name.chars().take(40).collect()), at));
                    };
                    pieces.push(Piece::Hole(p));
                    rest = &rest[close + 1..];
                    at += close + 1;
                }
            }
            lines.push(pieces);
            offset += line.len() + 1;
        }
        Ok(Template { source: source.to_owned(), lines })
    }

    /// The text as written in the policy.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every placeholder used.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.lines.iter().flatten().filter_map(|p| match p {
            Piece::Hole(h) => Some(*h),
            Piece::Text(_) => None,
        })
    }

    /// Fills the placeholders. A line holding only placeholders that all
    /// came out empty is left out.
    pub fn fill(&self, value: impl Fn(Placeholder) -> String) -> String {
        let mut out: Vec<String> = Vec::new();
        for pieces in &self.lines {
            let mut line = String::new();
            let mut literal = false;
            for piece in pieces {
                match piece {
                    Piece::Text(t) => {
                        literal |= !t.trim().is_empty();
                        line.push_str(t);
                    }
                    Piece::Hole(h) => line.push_str(&value(*h)),
                }
            }
            let only_holes = !literal && pieces.iter().any(|p| matches!(p, Piece::Hole(_)));
            if only_holes && line.trim().is_empty() {
                continue;
            }
            out.push(line.trim_end().to_owned());
        }
        out.join("\n").trim().to_owned()
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

// ---------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------

/// The systems a policy or rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemScope {
    All,
    Only(Vec<SystemId>),
}

impl SystemScope {
    pub fn covers(&self, system: &SystemId) -> bool {
        match self {
            SystemScope::All => true,
            SystemScope::Only(ids) => ids.contains(system),
        }
    }
}

/// A recipient group: a function ("Verksamhetschefer (VC)"), never a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientGroup {
    /// A slug, unique in the policy; part of every message key.
    pub id: String,
    /// The function, in Swedish.
    pub name: String,
    pub line: usize,
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
pub enum Trigger {
    Declared,
    BeforeStart { before: Period, when_late: WhenLate },
    Restored,
}

impl Trigger {
    pub fn kind(self) -> TriggerKind {
        match self {
            Trigger::Declared => TriggerKind::Declared,
            Trigger::BeforeStart { .. } => TriggerKind::BeforeStart,
            Trigger::Restored => TriggerKind::Restored,
        }
    }
}

/// A wave of a rule after its first: sent if the previous wave's message is
/// still unacknowledged `after` its due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub after: Period,
    pub channel: Channel,
    pub sender: SenderRole,
    pub recipients: Vec<String>,
    pub subject: Template,
    pub body: Template,
    pub line: usize,
}

/// One row of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// A slug, unique in the policy; part of every message key.
    pub id: String,
    pub kind: KindFilter,
    /// A subset of the policy's systems; `None` = all of them.
    pub systems: Option<Vec<SystemId>>,
    /// Applies only if the expected duration is over this (unknown = over).
    pub expected_longer_than: Option<Period>,
    pub trigger: Trigger,
    pub time: TimeCondition,
    pub channel: Channel,
    pub sender: SenderRole,
    pub recipients: Vec<String>,
    pub subject: Template,
    pub body: Template,
    /// The seed and section, e.g. "003 §4.2: …".
    pub cite: String,
    pub escalations: Vec<Escalation>,
    pub line: usize,
}

impl Rule {
    /// Whether the rule's kind and duration conditions hold for one estimate.
    pub fn holds(&self, e: &Estimate) -> bool {
        let long_enough = match (self.expected_longer_than, e.expected_end) {
            (None, _) | (Some(_), None) => true,
            (Some(min), Some(end)) => end.duration_since(e.start) > min.duration(),
        };
        self.kind.matches(e.kind) && long_enough
    }

    /// When the rule fires for these facts, if it does (see the module doc).
    pub fn fires_at(&self, facts: &OutageFacts) -> Option<Timestamp> {
        match self.trigger {
            Trigger::Declared => {
                let at = facts.estimates.iter().find(|e| self.holds(e))?.at;
                self.time.holds(at).then_some(at)
            }
            Trigger::Restored => {
                let at = facts.restored_at?;
                let communicated = facts.estimates.iter().any(|e| self.holds(e));
                (communicated && self.time.holds(at)).then_some(at)
            }
            Trigger::BeforeStart { before, when_late } => {
                let current = facts.current();
                let declared = facts.declared_at();
                if !self.holds(current) || declared >= current.start {
                    return None;
                }
                let nominal = before.before(current.start);
                let due = match self.time {
                    TimeCondition::OfficeHours => office_hours_at_or_before(nominal),
                    TimeCondition::OnCall if is_office_hours(nominal) => return None,
                    TimeCondition::OnCall | TimeCondition::Any => nominal,
                };
                match (due < declared, when_late) {
                    (false, _) => Some(due),
                    (true, WhenLate::AtDeclaration) => Some(declared),
                    (true, WhenLate::Skip) => None,
                }
            }
        }
    }
}

/// `nominal` if it is office hours, else 07:30 on the latest working day
/// at or before it.
pub fn office_hours_at_or_before(nominal: Timestamp) -> Timestamp {
    if is_office_hours(nominal) {
        return nominal;
    }
    let tz = stockholm();
    let mut day: Date = local(nominal).date();
    // The longest run of non-working days is well under a month.
    for _ in 0..31 {
        if is_working_day(day)
            && let Ok(z) = day.to_datetime(OFFICE_START).to_zoned(tz.clone())
            && z.timestamp() <= nominal
        {
            return z.timestamp();
        }
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    nominal
}

/// A validated notification policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The file name it was read from.
    pub file: String,
    pub id: String,
    pub title: String,
    pub owner: String,
    pub source: String,
    pub version: Option<String>,
    pub date: Option<Date>,
    pub systems: SystemScope,
    pub groups: Vec<RecipientGroup>,
    pub rules: Vec<Rule>,
    /// Every system id the file names, with its line (for the catalogue check).
    #[serde(skip)]
    system_refs: Vec<(SystemId, usize)>,
}

impl Policy {
    pub fn group(&self, id: &str) -> Option<&RecipientGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The policy applies to outages of this system.
    pub fn covers(&self, system: &SystemId) -> bool {
        self.systems.covers(system)
    }

    /// The channels by which each group is reached, in any rule or wave.
    pub fn channels_of(&self, group: &str) -> Vec<Channel> {
        let mut found: Vec<Channel> = Vec::new();
        for r in &self.rules {
            let waves = std::iter::once((r.channel, &r.recipients))
                .chain(r.escalations.iter().map(|e| (e.channel, &e.recipients)));
            for (channel, recipients) in waves {
                if recipients.iter().any(|g| g == group) && !found.contains(&channel) {
                    found.push(channel);
                }
            }
        }
        found.sort();
        found
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Parsing a policy
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: Spanned<String>,
    title: Spanned<String>,
    owner: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    date: Option<Spanned<String>>,
    systems: Spanned<OneOrMany>,
    #[serde(default)]
    recipient_group: Vec<RawGroup>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    name: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    systems: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    expected_longer_than: Option<Spanned<String>>,
    trigger: Spanned<String>,
    #[serde(default)]
    before: Option<Spanned<String>>,
    #[serde(default)]
    when_late: Option<Spanned<String>>,
    time: Spanned<String>,
    channel: Spanned<String>,
    sender: Spanned<String>,
    recipients: Spanned<OneOrMany>,
    subject: Spanned<String>,
    body: Spanned<String>,
    cite: Spanned<String>,
    #[serde(default)]
    escalation: Vec<RawEscalation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    after: Spanned<String>,
    #[serde(default)]
    recipients: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    channel: Option<Spanned<String>>,
    #[serde(default)]
    sender: Option<Spanned<String>>,
    #[serde(default)]
    subject: Option<Spanned<String>>,
    #[serde(default)]
    body: Option<Spanned<String>>,
}

impl Kind for Policy {
    const KIND: FileKind = FileKind::NotificationPolicy;
    const MAX_TEXT: usize = MAX_TEXT;
    type Problem = NotifyProblem;
}

/// The recipients file, as a kind of data file.
struct RecipientsFile;

impl Kind for RecipientsFile {
    const KIND: FileKind = FileKind::Recipients;
    const MAX_TEXT: usize = MAX_SUBJECT;
    type Problem = NotifyProblem;
}

type Check<'a> = FileCheck<'a, Policy>;

impl Check<'_> {
    fn slug(&mut self, key: &'static str, value: &Spanned<String>) -> String {
        let v = value.get_ref().trim().to_owned();
        if !is_slug(&v) {
            self.at(value.span(), key, NotifyProblem::InvalidId { key, value: v.chars().take(80).collect() });
        }
        v
    }

    /// A key of the vocabulary `V`.
    fn choice<V: Vocabulary>(&mut self, key: &'static str, value: &Spanned<String>) -> Option<V> {
        self.vocabulary::<V>(key, value.get_ref(), value.span())
    }

    fn period(&mut self, value: &Spanned<String>) -> Option<Period> {
        let p = Period::parse(value.get_ref());
        if p.is_none() {
            self.error(value.span(), NotifyProblem::InvalidDuration(value.get_ref().chars().take(40).collect()));
        }
        p
    }

    /// A subject or body: required text, placeholders known, `{restored_at}`
    /// only where the restart is known.
    fn template(&mut self, key: &'static str, value: &Spanned<String>, restored: bool) -> Option<Template> {
        let max = if key == "subject" { MAX_SUBJECT } else { MAX_TEXT };
        let text = self.text_max(key, value, max);
        if key == "subject" && text.contains('\n') {
            self.error(value.span(), NotifyProblem::MultilineSubject);
        }
        // Errors inside the text point at the line where the offending part
        // is written, found in the raw file (exact for strings without escapes).
        let raw = self.text.get(value.span()).unwrap_or("");
        let locate = |needle: &str| raw.find(needle).map_or(value.span().start, |i| value.span().start + i);
        match Template::parse(&text) {
            Ok(t) => {
                if !restored && t.placeholders().any(|p| p == Placeholder::RestoredAt) {
                    let at = locate("{restored_at}");
                    self.error(at..at, NotifyProblem::RestoredAtNotKnown);
                }
                Some(t)
            }
            Err((problem, offset)) => {
                let needle: String = text[offset..].chars().take(12).collect();
                let at = locate(&needle);
                self.error(at..at, problem);
                None
            }
        }
    }

    /// Recipient group ids: known, no duplicates, at least one.
    fn recipients(&mut self, value: &Spanned<OneOrMany>, groups: &HashMap<String, usize>) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let items = OneOrMany::items(value);
        if items.is_empty() {
            self.error(value.span(), NotifyProblem::NoRecipients);
        }
        for (g, span) in items {
            let g = g.trim().to_owned();
            if !groups.contains_key(&g) {
                self.error(span, NotifyProblem::UnknownGroup(g.chars().take(80).collect()));
            } else if found.contains(&g) {
                self.error(span, NotifyProblem::DuplicateRecipient(g));
            } else {
                found.push(g);
            }
        }
        found
    }

    /// `"all"` or a list of system ids; the ids with their lines.
    fn systems(&mut self, value: &Spanned<OneOrMany>, refs: &mut Vec<(SystemId, usize)>) -> SystemScope {
        if let OneOrMany::One(s) = value.get_ref()
            && s.trim() == "all"
        {
            return SystemScope::All;
        }
        let items = OneOrMany::items(value);
        if items.is_empty() {
            self.error(value.span(), NotifyProblem::NoSystem);
        }
        let mut ids = Vec::new();
        for (v, span) in items {
            if let Some(id) = self.system_id("systems", &v, span.clone()) {
                refs.push((id.clone(), self.line(span)));
                ids.push(id);
            }
        }
        SystemScope::Only(ids)
    }

    fn rule(
        &mut self,
        raw: &RawRule,
        groups: &HashMap<String, usize>,
        scope: &SystemScope,
        refs: &mut Vec<(SystemId, usize)>,
    ) -> Option<Rule> {
        let line = self.line(raw.id.span());
        let id = self.slug("id", &raw.id);
        let kind = self.choice::<KindFilter>("kind", &raw.kind);
        let systems = raw.systems.as_ref().and_then(|s| match self.systems(s, refs) {
            SystemScope::All => None,
            SystemScope::Only(ids) => {
                for (sid, span) in ids.iter().zip(OneOrMany::items(s).into_iter().map(|(_, sp)| sp)) {
                    if !scope.covers(sid) {
                        self.error(span, NotifyProblem::SystemNotInPolicy(sid.to_string()));
                    }
                }
                Some(ids)
            }
        });
        let expected_longer_than = raw.expected_longer_than.as_ref().and_then(|p| self.period(p));
        let trigger_kind = self.choice::<TriggerKind>("trigger", &raw.trigger);
        let time = self.choice::<TimeCondition>("time", &raw.time);
        let channel = self.choice::<Channel>("channel", &raw.channel);
        let sender = self.choice::<SenderRole>("sender", &raw.sender);
        let when_late = raw.when_late.as_ref().and_then(|w| self.choice::<WhenLate>("when_late", w));

        let trigger = match trigger_kind {
            Some(TriggerKind::BeforeStart) => {
                if kind.is_some_and(|k| k != KindFilter::Planned) {
                    self.error(raw.kind.span(), NotifyProblem::BeforeStartNeedsPlanned);
                }
                match &raw.before {
                    Some(b) => self.period(b).map(|before| Trigger::BeforeStart {
                        before,
                        when_late: when_late.unwrap_or(WhenLate::AtDeclaration),
                    }),
                    None => {
                        self.error(raw.trigger.span(), NotifyProblem::BeforeMissing);
                        None
                    }
                }
            }
            other => {
                if let Some(b) = &raw.before {
                    self.error(b.span(), NotifyProblem::BeforeNotAllowed);
                }
                if let Some(w) = &raw.when_late {
                    self.error(w.span(), NotifyProblem::WhenLateNotAllowed);
                }
                match other {
                    Some(TriggerKind::Declared) => Some(Trigger::Declared),
                    Some(TriggerKind::Restored) => Some(Trigger::Restored),
                    _ => None,
                }
            }
        };
        let restored = trigger_kind == Some(TriggerKind::Restored);
        let recipients = self.recipients(&raw.recipients, groups);
        let subject = self.template("subject", &raw.subject, restored);
        let body = self.template("body", &raw.body, restored);
        let cite = self.text_max("cite", &raw.cite, MAX_TEXT);

        let mut escalations = Vec::new();
        let mut previous = (channel, sender, recipients.clone(), raw.recipients.span());
        for e in &raw.escalation {
            let e_line = self.line(e.after.span());
            if let Some(c) = previous.0
                && !c.can_be_acknowledged()
            {
                self.error(e.after.span(), NotifyProblem::CannotEscalate(c));
            }
            if previous.2.len() > 1 {
                self.error(previous.3.clone(), NotifyProblem::EscalationNeedsOneGroup);
            }
            let after = self.period(&e.after);
            let e_channel = match &e.channel {
                Some(c) => self.choice::<Channel>("channel", c),
                None => previous.0,
            };
            let e_sender = match &e.sender {
                Some(s) => self.choice::<SenderRole>("sender", s),
                None => previous.1,
            };
            let (e_recipients, e_span) = match &e.recipients {
                Some(r) => (self.recipients(r, groups), r.span()),
                None => (previous.2.clone(), previous.3.clone()),
            };
            let e_subject = match &e.subject {
                Some(s) => self.template("subject", s, restored),
                None => subject.clone(),
            };
            let e_body = match &e.body {
                Some(b) => self.template("body", b, restored),
                None => body.clone(),
            };
            if let (Some(after), Some(channel), Some(sender), Some(subject), Some(body)) =
                (after, e_channel, e_sender, e_subject, e_body)
            {
                escalations.push(Escalation {
                    after,
                    channel,
                    sender,
                    recipients: e_recipients.clone(),
                    subject,
                    body,
                    line: e_line,
                });
            }
            previous = (e_channel, e_sender, e_recipients, e_span);
        }

        Some(Rule {
            id,
            kind: kind?,
            systems,
            expected_longer_than,
            trigger: trigger?,
            time: time?,
            channel: channel?,
            sender: sender?,
            recipients,
            subject: subject?,
            body: body?,
            cite,
            escalations,
            line,
        })
    }
}

/// Parses one policy file. Checks everything that needs no other file:
/// TOML shape, vocabularies, group references, placeholders, durations, the
/// combinations of trigger and options, escalation shapes. Returns every
/// problem found, each with file and line. [`load`] adds the catalogue check.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, Vec<DataFileError>> {
    let raw: RawPolicy = Check::toml(file, text)?;
    let mut check = Check::new(file, text);

    let id = check.slug("id", &raw.id);
    let title = check.text_max("title", &raw.title, MAX_TEXT);
    let owner = check.text_max("owner", &raw.owner, MAX_TEXT);
    let source = check.text_max("source", &raw.source, MAX_TEXT);
    let version = raw.version.as_ref().map(|v| check.text_max("version", v, MAX_SUBJECT));
    let date = check.date("date", &raw.date);
    let mut system_refs = Vec::new();
    let systems = check.systems(&raw.systems, &mut system_refs);

    if raw.recipient_group.is_empty() {
        check.push(None, Some("recipient_group"), NotifyProblem::NoGroups);
    }
    let mut group_lines: HashMap<String, usize> = HashMap::new();
    let mut groups = Vec::new();
    for g in &raw.recipient_group {
        let line = check.line(g.id.span());
        let gid = check.slug("recipient_group.id", &g.id);
        let name = check.text_max("name", &g.name, MAX_SUBJECT);
        if let Some(first_line) = group_lines.get(&gid) {
            let problem = NotifyProblem::DuplicateGroup { id: gid.clone(), first_line: *first_line };
            check.error(g.id.span(), problem);
            continue;
        }
        group_lines.insert(gid.clone(), line);
        groups.push(RecipientGroup { id: gid, name, line });
    }

    if raw.rule.is_empty() {
        check.push(None, Some("rule"), NotifyProblem::NoRules);
    }
    let mut rule_lines: HashMap<String, usize> = HashMap::new();
    let mut rules = Vec::new();
    for r in &raw.rule {
        let line = check.line(r.id.span());
        let rid = r.id.get_ref().trim().to_owned();
        if let Some(first_line) = rule_lines.get(&rid) {
            check.error(r.id.span(), NotifyProblem::DuplicateRule { id: rid.clone(), first_line: *first_line });
        } else {
            rule_lines.insert(rid, line);
        }
        if let Some(rule) = check.rule(r, &group_lines, &systems, &mut system_refs) {
            rules.push(rule);
        }
    }

    if !check.errors.is_empty() {
        return Err(sorted(check.errors));
    }
    Ok(Policy { file: file.to_owned(), id, title, owner, source, version, date, systems, groups, rules, system_refs })
}

/// Checks that every system a parsed policy names is in the catalogue.
pub fn validate(policy: Policy, catalogue: &Catalogue) -> Result<Policy, Vec<DataFileError>> {
    let errors: Vec<DataFileError> = policy
        .system_refs
        .iter()
        .filter(|(id, _)| catalogue.get(id).is_none())
        .map(|(id, line)| Check::problem(&policy.file, Some(*line), Reason::UnknownSystem(id.to_string())))
        .collect();
    if errors.is_empty() { Ok(policy) } else { Err(sorted(errors)) }
}

/// Parses and validates a policy file: what `reserv notifications check`
/// and the server's loader call.
pub fn load(file: &str, text: &str, catalogue: &Catalogue) -> Result<Policy, Vec<DataFileError>> {
    validate(parse_policy(file, text)?, catalogue)
}

// ---------------------------------------------------------------------------
// Recipients: the addresses of each group, kept outside git
// ---------------------------------------------------------------------------

/// The recipients file, in the outbox's format (one `[[person]]` per
/// person, with the groups they belong to; see [`crate::outbox`]):
///
/// ```toml
/// [[person]]
/// id = "vc-medicin"                  # stable, unique in the file
/// name = "Verksamhetschef, medicinkliniken"
/// email = "vc-medicin@example.org"   # needed for groups reached by email
/// phone = "070-174 06 10"            # needed for sms and phone_task
/// username = "vc.medicin"            # optional: their Reserv account
/// groups = ["heads-of-department"]
/// ```
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipients {
    #[serde(default)]
    person: Vec<RawPerson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    email: Option<Spanned<String>>,
    #[serde(default)]
    phone: Option<Spanned<String>>,
    #[serde(default)]
    username: Option<Spanned<String>>,
    groups: Spanned<Vec<Spanned<String>>>,
}

/// Parses a recipients file and checks it against the policy it serves:
/// ids unique, addresses well-formed (by the outbox's own rules, so both
/// agree), every group one of the policy's, and every group reached by
/// `sms` or `phone_task` has people who all have a phone, every group
/// reached by `email` people who all have an email address. Crisis-app and
/// webhook endpoints are configured per group elsewhere, and groups reached
/// only through the status pages need nobody. Returns the outbox's
/// [`crate::outbox::Recipients`].
pub fn parse_recipients(
    file: &str,
    text: &str,
    policy: &Policy,
) -> Result<crate::outbox::Recipients, Vec<DataFileError>> {
    use crate::outbox::{Recipient, normalize_phone, valid_email};

    let raw: RawRecipients = FileCheck::<RecipientsFile>::toml(file, text)?;
    let mut check = FileCheck::<RecipientsFile>::new(file, text);
    let mut out = crate::outbox::Recipients::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for p in &raw.person {
        let line = check.line(p.id.span());
        let id = check.text_max("id", &p.id, MAX_SUBJECT);
        if let Some(first_line) = ids.get(&id) {
            check.error(p.id.span(), NotifyProblem::DuplicatePerson { id: id.clone(), first_line: *first_line });
        } else {
            ids.insert(id.clone(), line);
        }
        let name = check.text_max("name", &p.name, MAX_SUBJECT);
        let email = p.email.as_ref().map(|e| {
            let v = e.get_ref().trim().to_owned();
            if !valid_email(&v) {
                check.error(e.span(), NotifyProblem::InvalidEmail(v.chars().take(80).collect()));
            }
            v
        });
        let phone = p.phone.as_ref().map(|ph| {
            let v = ph.get_ref().trim().to_owned();
            if normalize_phone(&v).is_none() {
                check.error(ph.span(), NotifyProblem::InvalidPhone(v.chars().take(40).collect()));
            }
            v
        });
        let username = p.username.as_ref().map(|u| check.text_max("username", u, MAX_SUBJECT));
        if p.groups.get_ref().is_empty() {
            check.error(p.groups.span(), NotifyProblem::NoRecipients);
        }
        let person = Recipient { id, name, email, phone, username };
        let mut mine: Vec<&str> = Vec::new();
        for g in p.groups.get_ref() {
            let gid = g.get_ref().trim();
            if policy.group(gid).is_none() {
                check.error(g.span(), NotifyProblem::UnknownGroup(gid.chars().take(80).collect()));
            } else if mine.contains(&gid) {
                check.error(g.span(), NotifyProblem::DuplicateRecipient(gid.to_owned()));
            } else {
                mine.push(gid);
                out.entry(gid.to_owned()).or_default().push(person.clone());
            }
        }
    }
    for group in &policy.groups {
        let people = out.get(&group.id).map(Vec::as_slice).unwrap_or_default();
        for channel in policy.channels_of(&group.id) {
            let Some(key) = channel.address_key() else { continue };
            let has = |r: &Recipient| if key == "phone" { r.phone.is_some() } else { r.email.is_some() };
            if people.is_empty() {
                let problem = NotifyProblem::NobodyInGroup { group: group.id.clone(), channel };
                check.push(None, None, problem);
            }
            for r in people.iter().filter(|r| !has(r)) {
                let line = ids.get(&r.id).copied();
                let problem = NotifyProblem::MissingAddress { group: group.id.clone(), channel, key };
                check.push(line, None, problem);
            }
        }
    }
    if !check.errors.is_empty() {
        return Err(sorted(check.errors));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The outage's facts
// ---------------------------------------------------------------------------

/// What was known about an outage from one moment on: the declaration, or
/// an amendment of its kind, start or expected end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// When this became known (the timeline entry's time).
    pub at: Timestamp,
    pub kind: OutageKind,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
}

/// Everything the planner needs to know about an outage. The estimates are
/// kept, oldest first, so a rule fires at the moment its condition first
/// held (see the module doc); there is always at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutageFacts {
    pub system: SystemId,
    /// The name shown in messages, e.g. "Melior".
    pub system_name: String,
    /// The outage's notice (driftinformation), for `{notice}`.
    pub notice: String,
    /// For `{routine_link}`: where the outage's page and routine are.
    pub routine_link: String,
    pub restored_at: Option<Timestamp>,
    estimates: Vec<Estimate>,
}

impl OutageFacts {
    /// An outage as declared at `at`.
    pub fn declared(
        system: SystemId,
        system_name: impl Into<String>,
        at: Timestamp,
        kind: OutageKind,
        start: Timestamp,
        expected_end: Option<Timestamp>,
    ) -> OutageFacts {
        OutageFacts {
            system,
            system_name: system_name.into(),
            notice: String::new(),
            routine_link: String::new(),
            restored_at: None,
            estimates: vec![Estimate { at, kind, start, expected_end }],
        }
    }

    pub fn with_notice(mut self, notice: impl Into<String>) -> OutageFacts {
        self.notice = notice.into();
        self
    }

    pub fn with_routine_link(mut self, link: impl Into<String>) -> OutageFacts {
        self.routine_link = link.into();
        self
    }

    /// The facts after an amendment recorded at `at` (as
    /// [`crate::outage::amend`] validated it). A change of kind, start or
    /// expected end is a new estimate; a new notice replaces the old.
    pub fn amended(mut self, at: Timestamp, a: &Amendment) -> OutageFacts {
        self.apply(at, a.kind, a.start, a.expected_end, a.notice.as_deref());
        self
    }

    /// The facts after the restart.
    pub fn restored(mut self, at: Timestamp) -> OutageFacts {
        self.restored_at = Some(at);
        self
    }

    fn apply(
        &mut self,
        at: Timestamp,
        kind: Option<OutageKind>,
        start: Option<Timestamp>,
        expected_end: Option<Timestamp>,
        notice: Option<&str>,
    ) {
        if let Some(n) = notice {
            self.notice = n.to_owned();
        }
        if kind.is_none() && start.is_none() && expected_end.is_none() {
            return;
        }
        let cur = *self.current();
        self.estimates.push(Estimate {
            at,
            kind: kind.unwrap_or(cur.kind),
            start: start.unwrap_or(cur.start),
            expected_end: expected_end.or(cur.expected_end),
        });
    }

    /// The facts of a folded outage, its estimates read from its timeline.
    pub fn from_outage(o: &Outage, system_name: &str, routine_link: &str) -> OutageFacts {
        let mut facts =
            OutageFacts::declared(o.system.clone(), system_name, o.declared_at, o.kind, o.start, o.expected_end);
        let mut events = o.timeline.iter();
        if let Some(first) = events.next()
            && let OutageChange::Declared { kind, start, expected_end, .. } = &first.change
        {
            facts.estimates = vec![Estimate { at: first.at, kind: *kind, start: *start, expected_end: *expected_end }];
            for e in events {
                if let OutageChange::Updated { kind, start, expected_end, .. } = &e.change {
                    facts.apply(e.at, *kind, *start, *expected_end, None);
                }
            }
        }
        facts.notice = o.notice.clone();
        facts.routine_link = routine_link.to_owned();
        facts.restored_at = o.restored_at;
        facts
    }

    /// When the outage was declared (the first timeline entry).
    pub fn declared_at(&self) -> Timestamp {
        self.estimates[0].at
    }

    /// What is known now.
    pub fn current(&self) -> &Estimate {
        self.estimates.last().expect("OutageFacts always holds the declaration")
    }

    /// Every estimate, oldest first.
    pub fn estimates(&self) -> &[Estimate] {
        &self.estimates
    }

    fn value(&self, p: Placeholder, group: &RecipientGroup) -> String {
        let cur = self.current();
        match p {
            Placeholder::System => self.system_name.clone(),
            Placeholder::Kind => match cur.kind {
                OutageKind::Planned => "planerat".into(),
                OutageKind::Unplanned => "oplanerat".into(),
            },
            Placeholder::Start => format_local(cur.start),
            Placeholder::ExpectedEnd => cur.expected_end.map_or_else(|| "okänt".into(), format_local),
            Placeholder::RestoredAt => self.restored_at.map(format_local).unwrap_or_default(),
            Placeholder::Notice => self.notice.trim().to_owned(),
            Placeholder::RoutineLink => self.routine_link.clone(),
            Placeholder::Group => group.name.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// The planner
// ---------------------------------------------------------------------------

/// One message an outage calls for. The outbox stores it by (outage, key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMessage {
    /// Stable and unique within the outage: `"<rule id>:<group id>:<wave>"`
    /// (wave 0 is the rule's own message, 1… its escalations). The outbox
    /// deduplicates on (outage, key).
    pub key: String,
    pub rule: String,
    pub cite: String,
    pub channel: Channel,
    pub sender: SenderRole,
    /// The recipient group id.
    pub group: String,
    pub due_at: Timestamp,
    /// Swedish, placeholders filled.
    pub subject: String,
    pub body: String,
    /// The key of an earlier message: this escalation is only sent if that
    /// one is still unacknowledged at `due_at`.
    pub unless_acknowledged: Option<String>,
}

/// The outbox keeps its own channel type; the keys are the same.
impl From<Channel> for crate::outbox::Channel {
    fn from(c: Channel) -> crate::outbox::Channel {
        use crate::outbox::Channel as Out;
        match c {
            Channel::Sms => Out::Sms,
            Channel::Email => Out::Email,
            Channel::PhoneTask => Out::PhoneTask,
            Channel::CrisisApp => Out::CrisisApp,
            Channel::Webhook => Out::Webhook,
            Channel::StatusPageInternal => Out::StatusPageInternal,
            Channel::StatusPagePublic => Out::StatusPagePublic,
        }
    }
}

/// A planned message as the outbox enqueues it.
impl From<PlannedMessage> for crate::outbox::Planned {
    fn from(m: PlannedMessage) -> crate::outbox::Planned {
        crate::outbox::Planned {
            key: m.key,
            rule: m.rule,
            cite: m.cite,
            channel: m.channel.into(),
            sender: m.sender.key().to_owned(),
            group: m.group,
            due_at: m.due_at,
            subject: m.subject,
            body: m.body,
            unless_acknowledged: m.unless_acknowledged,
        }
    }
}

/// The key of a message.
pub fn message_key(rule: &str, group: &str, wave: usize) -> String {
    format!("{rule}:{group}:{wave}")
}

/// Every message `policy` calls for, given what is known about the outage,
/// ordered by due time, then as the policy lists its rules. Pure: the same
/// facts always give the same plan (see the module doc for the rules).
pub fn plan(policy: &Policy, facts: &OutageFacts) -> Vec<PlannedMessage> {
    if !policy.covers(&facts.system) {
        return Vec::new();
    }
    let mut planned: Vec<((Timestamp, usize, usize, usize), PlannedMessage)> = Vec::new();
    for (rule_index, rule) in policy.rules.iter().enumerate() {
        if rule.systems.as_ref().is_some_and(|s| !s.contains(&facts.system)) {
            continue;
        }
        let Some(fired) = rule.fires_at(facts) else { continue };
        let first = (None, rule.channel, rule.sender, &rule.recipients, &rule.subject, &rule.body);
        let waves = std::iter::once(first).chain(
            rule.escalations.iter().map(|e| (Some(e.after), e.channel, e.sender, &e.recipients, &e.subject, &e.body)),
        );
        let mut due = fired;
        let mut previous_key: Option<String> = None;
        for (wave, (after, channel, sender, recipients, subject, body)) in waves.enumerate() {
            if let Some(after) = after {
                due = after.after(due);
            }
            let mut keys = Vec::new();
            for (group_index, gid) in recipients.iter().enumerate() {
                let Some(group) = policy.group(gid) else { continue };
                let key = message_key(&rule.id, gid, wave);
                let message = PlannedMessage {
                    key: key.clone(),
                    rule: rule.id.clone(),
                    cite: rule.cite.clone(),
                    channel,
                    sender,
                    group: gid.clone(),
                    due_at: due,
                    subject: subject.fill(|p| facts.value(p, group)),
                    body: body.fill(|p| facts.value(p, group)),
                    unless_acknowledged: previous_key.clone(),
                };
                planned.push(((due, rule_index, wave, group_index), message));
                keys.push(key);
            }
            // Validation guarantees one group in every wave that escalates.
            previous_key = keys.into_iter().next();
        }
    }
    planned.sort_by_key(|(order, _)| *order);
    planned.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Field;
    use crate::outage::{Actor, Declaration, OutageEvent, Scope, amend, declare, end};
    use crate::time::parse_user_time;

    const P003: &str = include_str!("../../../data/notifications/003-gavleborg.toml");
    const P004: &str = include_str!("../../../data/notifications/004-solvesborg.toml");
    const RECIPIENTS: &str = include_str!("../../../data/notifications/recipients.example.toml");
    const SYSTEMS: &str = include_str!("../../../data/systems.toml");
    const LINK: &str = "https://reserv.example.org/outages/1";

    fn t(s: &str) -> Timestamp {
        parse_user_time(Field::Start, s).unwrap()
    }

    fn catalogue() -> Catalogue {
        Catalogue::parse(SYSTEMS).unwrap()
    }

    fn policy(file: &str, text: &str) -> Policy {
        load(file, text, &catalogue())
            .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")))
    }

    fn p003() -> Policy {
        policy("003-gavleborg.toml", P003)
    }

    fn p004() -> Policy {
        policy("004-solvesborg.toml", P004)
    }

    fn sys(id: &str) -> SystemId {
        SystemId::parse(id).unwrap()
    }

    fn facts(system: &str, kind: OutageKind, declared: &str, start: &str, end: Option<&str>) -> OutageFacts {
        let name = match system {
            "melior" => "Melior",
            "municipal-record" => "Kommunal journal (HSL)",
            other => other,
        };
        OutageFacts::declared(sys(system), name, t(declared), kind, t(start), end.map(t)).with_routine_link(LINK)
    }

    fn unplanned(declared: &str, start: &str, end: Option<&str>) -> OutageFacts {
        facts("melior", OutageKind::Unplanned, declared, start, end)
    }

    fn planned(declared: &str, start: &str, end: &str) -> OutageFacts {
        facts("melior", OutageKind::Planned, declared, start, Some(end))
    }

    /// The plan as lines `due (Stockholm) key channel sender`, and after an
    /// escalation ` unless <key>`: what the tests compare.
    fn lines(msgs: &[PlannedMessage]) -> Vec<String> {
        msgs.iter()
            .map(|m| {
                let unless = m.unless_acknowledged.as_deref().map(|k| format!(" unless {k}")).unwrap_or_default();
                format!("{} {} {} {}{unless}", format_local(m.due_at), m.key, m.channel, m.sender)
            })
            .collect()
    }

    fn check(policy: &Policy, facts: &OutageFacts, expect: &[&str]) {
        let got = lines(&plan(policy, facts));
        assert_eq!(got, expect, "\ngot:\n{}\n", got.join("\n"));
    }

    fn find<'a>(msgs: &'a [PlannedMessage], key: &str) -> &'a PlannedMessage {
        msgs.iter().find(|m| m.key == key).unwrap_or_else(|| panic!("no {key} in {:#?}", lines(msgs)))
    }

    // --- Seed 003 §4.2: unplanned outages -------------------------------

    // 003 §4.2: "Information kommuniceras via Plexus vid samtliga
    // driftstörningar eller driftstopp."
    #[test]
    fn every_unplanned_outage_is_published_on_plexus() {
        let short = unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T10:20"));
        check(&p003(), &short, &["2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it"]);
    }

    // 003 §4.2: "Om driftstoppet beräknas överstiga 30 minuter går
    // information ut enligt följande." Over, not at: 30 minutes is not enough;
    // an outage with no expected end counts as long.
    #[test]
    fn the_thirty_minute_rule() {
        let sms = |end: Option<&str>| {
            plan(&p003(), &unplanned("2026-11-23T10:00", "2026-11-23T10:00", end))
                .iter()
                .filter(|m| m.channel == Channel::Sms)
                .count()
        };
        assert_eq!(sms(Some("2026-11-23T10:30")), 0);
        assert_eq!(sms(Some("2026-11-23T10:31")), 3);
        assert_eq!(sms(None), 3);
        // Counted from the start, not from the declaration.
        assert_eq!(sms(Some("2026-11-23T10:40")), 3);
        let declared_late = unplanned("2026-11-23T10:20", "2026-11-23T09:50", Some("2026-11-23T10:25"));
        assert_eq!(plan(&p003(), &declared_late).iter().filter(|m| m.channel == Channel::Sms).count(), 3);
    }

    // 003 §4.2: "Dagtid 07.30-16.30: IT kontaktar HSD, bitr. HSD och VC via
    // SMS (”Stopp i NN System”)." — and in office hours nobody is phoned.
    #[test]
    fn office_hours_sms_to_directors_and_heads() {
        let o = unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T12:00"));
        check(
            &p003(),
            &o,
            &[
                "2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it",
                "2026-11-23 10:05 unplanned-sms-directors:health-care-director:0 sms it",
                "2026-11-23 10:05 unplanned-sms-directors:deputy-health-care-director:0 sms it",
                "2026-11-23 10:05 unplanned-sms-directors:heads-of-department:0 sms it",
                "2026-11-23 10:05 unplanned-samverkanswebben:private-providers:0 status_page_public it",
            ],
        );
        let msgs = plan(&p003(), &o);
        let sms = find(&msgs, "unplanned-sms-directors:heads-of-department:0");
        assert_eq!(sms.subject, "Stopp i Melior");
        assert!(sms.body.starts_with("Stopp i Melior. Beräknat slut: 2026-11-23 12:00."), "{}", sms.body);
        assert!(sms.cite.starts_with("003 §4.2"));
    }

    // 003 §4.2: "Information om driftstopp läggs upp på Plexus under
    // Driftinformation samt länk till driftstoppsrutin bifogas för
    // regionens verksamheter."
    #[test]
    fn plexus_notice_carries_the_routine_link() {
        let o = unplanned("2026-11-23T10:05", "2026-11-23T10:00", None).with_notice("Melior går inte att nå.");
        let msgs = plan(&p003(), &o);
        let plexus = find(&msgs, "unplanned-plexus:region-units:0");
        assert_eq!(plexus.subject, "Driftstopp i Melior");
        assert_eq!(
            plexus.body,
            "Driftstopp i Melior sedan 2026-11-23 10:00. Beräknat slut: okänt.\nMelior går inte att nå.\n\
             Arbeta enligt driftstoppsrutinen: https://reserv.example.org/outages/1"
        );
        // Without a notice the notice line is left out, not left blank.
        let bare = plan(&p003(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
        assert!(!find(&bare, "unplanned-plexus:region-units:0").body.contains("\n\n"));
    }

    // 003 §4.2: "Information om driftstopp läggs upp på Samverkanswebben i
    // form av nyhet samt länk till driftstoppsrutin bifogas för de privata
    // vårdgivarna."
    #[test]
    fn private_providers_get_the_news_on_samverkanswebben() {
        let msgs = plan(&p003(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
        let news = find(&msgs, "unplanned-samverkanswebben:private-providers:0");
        assert_eq!(news.channel, Channel::StatusPagePublic);
        assert!(news.body.contains(LINK));
    }

    // 003 §4.2: "Jourtid, övrig tid: Enligt ovan samt IT-förvaltningen
    // kontaktar akutmottagningar och familjeläkarjourer via telefon och ger
    // information att driftstopp föreligger."
    #[test]
    fn on_call_time_adds_phone_tasks_for_it() {
        let at = |declared: &str| {
            let o = unplanned(declared, declared, None);
            plan(&p003(), &o).into_iter().filter(|m| m.channel == Channel::PhoneTask).map(|m| m.key).collect::<Vec<_>>()
        };
        let phoned = vec![
            "unplanned-phone-emergency:emergency-departments:0",
            "unplanned-phone-emergency:primary-care-on-call:0",
        ];
        // Monday 2026-11-23 at the edges of office hours.
        assert_eq!(at("2026-11-23T07:29"), phoned);
        assert!(at("2026-11-23T07:30").is_empty());
        assert!(at("2026-11-23T16:29").is_empty());
        assert_eq!(at("2026-11-23T16:30"), phoned);
        assert_eq!(at("2026-11-23T16:31"), phoned);
        // A Saturday, Midsummer Eve (a Friday) and Christmas Eve (a Thursday).
        assert_eq!(at("2026-11-21T10:00"), phoned);
        assert_eq!(at("2026-06-19T10:00"), phoned);
        assert_eq!(at("2026-12-24T10:00"), phoned);
        // "Enligt ovan": the SMS and the publications go out on-call too.
        let msgs = plan(&p003(), &unplanned("2026-11-21T10:00", "2026-11-21T09:50", None));
        assert_eq!(msgs.iter().filter(|m| m.channel == Channel::Sms).count(), 3);
        let task = find(&msgs, "unplanned-phone-emergency:emergency-departments:0");
        assert_eq!(task.sender, SenderRole::It);
        assert_eq!(task.subject, "Ring Akutmottagningar: driftstopp i Melior");
        assert!(task.body.starts_with("Ring Akutmottagningar och informera om att driftstopp föreligger i Melior"));
    }

    // 003 §4.2 "beräknas överstiga 30 minuter": an estimate that grows past
    // 30 minutes triggers the messages at that moment, judged as office
    // hours or on-call time then; they stay even if the estimate shrinks.
    #[test]
    fn an_estimate_growing_past_thirty_minutes_triggers_at_the_amendment() {
        let o = unplanned("2026-11-23T16:10", "2026-11-23T16:00", Some("2026-11-23T16:25"));
        check(&p003(), &o, &["2026-11-23 16:10 unplanned-plexus:region-units:0 status_page_internal it"]);
        let longer = Amendment { expected_end: Some(t("2026-11-23T19:00")), ..Default::default() };
        let o = o.amended(t("2026-11-23T17:10"), &longer);
        let expect = [
            "2026-11-23 16:10 unplanned-plexus:region-units:0 status_page_internal it",
            "2026-11-23 17:10 unplanned-sms-directors:health-care-director:0 sms it",
            "2026-11-23 17:10 unplanned-sms-directors:deputy-health-care-director:0 sms it",
            "2026-11-23 17:10 unplanned-sms-directors:heads-of-department:0 sms it",
            "2026-11-23 17:10 unplanned-samverkanswebben:private-providers:0 status_page_public it",
            "2026-11-23 17:10 unplanned-phone-emergency:emergency-departments:0 phone_task it",
            "2026-11-23 17:10 unplanned-phone-emergency:primary-care-on-call:0 phone_task it",
        ];
        check(&p003(), &o, &expect);
        let shorter = Amendment { expected_end: Some(t("2026-11-23T17:20")), ..Default::default() };
        check(&p003(), &o.amended(t("2026-11-23T17:15"), &shorter), &expect);
    }

    // --- Seed 003 §4.3: planned outages ---------------------------------

    // 003 §4.3: "Informationsmaterial mailas ut till HSD, bitr. HSD och VC
    // tre veckor innan planerat stopp." "Påminnelse och informationsmaterial
    // mailas ut till VC en vecka respektive en dag innan planerat
    // driftstopp." "Information om driftstopp mailas till Hälsovalskontoret
    // som förmedlar vidare till de privata vårdgivarna." "Information om
    // driftstopp läggs upp på Plexus … [och] på Samverkanswebben …"
    #[test]
    fn planned_outage_three_weeks_one_week_one_day() {
        // Tuesday 14:00: every nominal time is a Tuesday or Monday in office hours.
        let o = planned("2026-10-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
        check(
            &p003(),
            &o,
            &[
                "2026-10-01 10:00 planned-plexus:region-units:0 status_page_internal it",
                "2026-10-01 10:00 planned-samverkanswebben:private-providers:0 status_page_public it",
                "2026-11-03 14:00 planned-info-three-weeks:health-care-director:0 email it",
                "2026-11-03 14:00 planned-info-three-weeks:deputy-health-care-director:0 email it",
                "2026-11-03 14:00 planned-info-three-weeks:heads-of-department:0 email it",
                "2026-11-03 14:00 planned-private-provider-office:private-provider-office:0 email it",
                "2026-11-17 14:00 planned-reminder-one-week:heads-of-department:0 email it",
                "2026-11-23 14:00 planned-reminder-one-day:heads-of-department:0 email it",
            ],
        );
        let msgs = plan(&p003(), &o);
        let info = find(&msgs, "planned-info-three-weeks:heads-of-department:0");
        assert_eq!(info.subject, "Planerat driftstopp i Melior 2026-11-24 14:00");
        assert!(info.body.contains("Start: 2026-11-24 14:00. Beräknat slut: 2026-11-24 16:00."));
        assert!(info.body.ends_with(
            "Det är varje VC:s uppdrag att skicka ut information i linje till medarbetarna i verksamheten."
        ));
        assert!(find(&msgs, "planned-reminder-one-day:heads-of-department:0").body.contains("i morgon"));
    }

    // 003 §4.3 "en dag innan planerat driftstopp", for a stop on a weekend
    // or early in the morning: mail goes out in office hours, brought
    // forward to 07:30 on the last working day, never later.
    #[test]
    fn reminders_outside_office_hours_are_brought_forward() {
        let due = |start: &str, rule: &str| {
            let msgs = plan(&p003(), &planned("2026-09-01T10:00", start, "2026-12-31T10:00"));
            format_local(find(&msgs, &format!("{rule}:heads-of-department:0")).due_at)
        };
        // Saturday 20:00 stop: a day before is Friday 20:00 → Friday 07:30.
        assert_eq!(due("2026-11-28T20:00", "planned-reminder-one-day"), "2026-11-27 07:30");
        // Sunday 08:00 stop: Saturday 08:00 → Friday 07:30; a week before
        // and three weeks before are Sundays too.
        assert_eq!(due("2026-11-29T08:00", "planned-reminder-one-day"), "2026-11-27 07:30");
        assert_eq!(due("2026-11-29T08:00", "planned-reminder-one-week"), "2026-11-20 07:30");
        assert_eq!(due("2026-11-29T08:00", "planned-info-three-weeks"), "2026-11-06 07:30");
        // Tuesday 06:00 stop: Monday 06:00 is before office hours → Friday.
        assert_eq!(due("2026-11-24T06:00", "planned-reminder-one-day"), "2026-11-20 07:30");
        // Tuesday 18:00 stop: Monday 18:00 → Monday 07:30.
        assert_eq!(due("2026-11-24T18:00", "planned-reminder-one-day"), "2026-11-23 07:30");
        // A stop on Christmas Day: Christmas Eve is no working day.
        assert_eq!(due("2026-12-25T10:00", "planned-reminder-one-day"), "2026-12-23 07:30");
    }

    // 003 §4.3, declared less than three weeks ahead (the seed is silent):
    // the information goes out at once, whatever the hour; a reminder whose
    // time has passed is dropped, since the information just sent says the same.
    #[test]
    fn planned_outage_declared_late() {
        let start = "2026-11-24T14:00";
        let ten_days = planned("2026-11-14T11:00", start, "2026-11-24T16:00");
        check(
            &p003(),
            &ten_days,
            &[
                "2026-11-14 11:00 planned-info-three-weeks:health-care-director:0 email it",
                "2026-11-14 11:00 planned-info-three-weeks:deputy-health-care-director:0 email it",
                "2026-11-14 11:00 planned-info-three-weeks:heads-of-department:0 email it",
                "2026-11-14 11:00 planned-private-provider-office:private-provider-office:0 email it",
                "2026-11-14 11:00 planned-plexus:region-units:0 status_page_internal it",
                "2026-11-14 11:00 planned-samverkanswebben:private-providers:0 status_page_public it",
                "2026-11-17 14:00 planned-reminder-one-week:heads-of-department:0 email it",
                "2026-11-23 14:00 planned-reminder-one-day:heads-of-department:0 email it",
            ],
        );
        let three_days = plan(&p003(), &planned("2026-11-21T11:00", start, "2026-11-24T16:00"));
        assert!(three_days.iter().all(|m| m.rule != "planned-reminder-one-week"));
        assert_eq!(
            format_local(find(&three_days, "planned-reminder-one-day:heads-of-department:0").due_at),
            "2026-11-23 14:00"
        );
        let same_day = plan(&p003(), &planned("2026-11-24T08:00", start, "2026-11-24T16:00"));
        assert!(same_day.iter().all(|m| !m.rule.starts_with("planned-reminder")));
        assert_eq!(same_day.iter().filter(|m| m.rule == "planned-info-three-weeks").count(), 3);
        assert!(same_day.iter().all(|m| m.due_at == t("2026-11-24T08:00")));
    }

    // A planned outage registered only after it began gets no "before" messages.
    #[test]
    fn planned_outage_declared_after_its_start() {
        let o = planned("2026-11-24T15:00", "2026-11-24T14:00", "2026-11-24T16:00");
        check(
            &p003(),
            &o,
            &[
                "2026-11-24 15:00 planned-plexus:region-units:0 status_page_internal it",
                "2026-11-24 15:00 planned-samverkanswebben:private-providers:0 status_page_public it",
            ],
        );
    }

    // --- Seed 003 §4.4: restart -----------------------------------------

    // 003 §4.4: "Information publiceras på Plexus under Driftinformation."
    // "Information publiceras på Samverkanswebben." "Mail till HSD, bitr. HSD
    // och VC." Those who were not told of the stop (a short unplanned one)
    // are not told of the restart; Plexus always is.
    #[test]
    fn restart_is_published_and_mailed() {
        let long = unplanned("2026-11-23T10:05", "2026-11-23T10:00", None).restored(t("2026-11-23T13:40"));
        let msgs = plan(&p003(), &long);
        let restart: Vec<String> = lines(&msgs).into_iter().filter(|l| l.starts_with("2026-11-23 13:40")).collect();
        assert_eq!(
            restart,
            [
                "2026-11-23 13:40 restored-plexus:region-units:0 status_page_internal it",
                "2026-11-23 13:40 restored-samverkanswebben-unplanned:private-providers:0 status_page_public it",
                "2026-11-23 13:40 restored-mail-unplanned:health-care-director:0 email it",
                "2026-11-23 13:40 restored-mail-unplanned:deputy-health-care-director:0 email it",
                "2026-11-23 13:40 restored-mail-unplanned:heads-of-department:0 email it",
            ]
        );
        let mail = find(&msgs, "restored-mail-unplanned:heads-of-department:0");
        assert_eq!(mail.subject, "Melior är åter i drift");
        assert!(mail.body.starts_with("Melior är åter i drift sedan 2026-11-23 13:40."));

        let short =
            unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T10:20")).restored(t("2026-11-23T10:18"));
        check(
            &p003(),
            &short,
            &[
                "2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it",
                "2026-11-23 10:18 restored-plexus:region-units:0 status_page_internal it",
            ],
        );
    }

    // --- Seed 004 ---------------------------------------------------------

    // 004: "Dagtid meddelas sjuksköterskor av enhetschef eller annan person
    // som täcker för enhetschefen. Meddelande om driftstopp når enhetschef
    // via appen Cosafe." Flow "ej jour": IT skickar ut information i Cosafe
    // till chefer → EC meddelar Sjuksköterskor.
    #[test]
    fn solvesborg_office_hours() {
        let o = facts("municipal-record", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None);
        check(
            &p004(),
            &o,
            &[
                "2026-11-23 10:05 unplanned-office-cosafe-managers:unit-managers:0 crisis_app it",
                "2026-11-23 10:05 unplanned-office-unit-manager-informs-nurses:nurses:0 phone_task unit_manager",
                "2026-11-23 10:20 unplanned-office-cosafe-managers:unit-manager-deputies:1 crisis_app it \
                 unless unplanned-office-cosafe-managers:unit-managers:0",
            ],
        );
        let msgs = plan(&p004(), &o);
        let deputies = find(&msgs, "unplanned-office-cosafe-managers:unit-manager-deputies:1");
        assert_eq!(deputies.subject, "Ej kvitterat av enhetschef: driftavbrott i Kommunal journal (HSL)");
        assert_eq!(deputies.cite, find(&msgs, "unplanned-office-cosafe-managers:unit-managers:0").cite);
    }

    // 004: "Jourtid går meddelande ut i Cosafe samt meddelas chef i
    // beredskap (CIB) via telefon som i sin tur meddelar sjuksköterska via
    // telefon." 004 has no duration threshold: ten minutes is enough.
    #[test]
    fn solvesborg_on_call_time() {
        let o = facts(
            "municipal-record",
            OutageKind::Unplanned,
            "2026-11-23T22:05",
            "2026-11-23T22:00",
            Some("2026-11-23T22:10"),
        );
        check(
            &p004(),
            &o,
            &[
                "2026-11-23 22:05 unplanned-on-call-cosafe-managers:unit-managers:0 crisis_app it",
                "2026-11-23 22:05 unplanned-on-call-phone-cib:on-call-manager:0 phone_task it",
                "2026-11-23 22:05 unplanned-on-call-cib-informs-nurses:nurses:0 phone_task on_call_manager",
            ],
        );
        let restored = o.restored(t("2026-11-24T07:45"));
        let later: Vec<String> =
            lines(&plan(&p004(), &restored)).into_iter().filter(|l| l.starts_with("2026-11-24")).collect();
        assert_eq!(
            later,
            [
                "2026-11-24 07:45 restored-cosafe-managers:unit-managers:0 crisis_app it",
                "2026-11-24 07:45 restored-office-unit-manager-informs-nurses:nurses:0 phone_task unit_manager",
            ]
        );
    }

    // 004: "IT avdelningen har som mål att minst en vecka i förväg meddela
    // planerade driftavbrott … IT meddelar estimerad avbrottstid." Flow:
    // IT informerar berörda verksamheter via Insidan → EC meddelar PAS:ar.
    #[test]
    fn solvesborg_planned() {
        let o = facts(
            "municipal-record",
            OutageKind::Planned,
            "2026-11-02T09:00",
            "2026-11-24T19:00",
            Some("2026-11-24T21:00"),
        );
        check(
            &p004(),
            &o,
            &[
                "2026-11-02 09:00 planned-insidan:affected-units:0 status_page_internal it",
                "2026-11-17 07:30 planned-unit-manager-informs-pas:patient-responsible-nurses:0 phone_task unit_manager",
            ],
        );
        let msgs = plan(&p004(), &o);
        assert!(
            find(&msgs, "planned-insidan:affected-units:0")
                .body
                .contains("Estimerad avbrottstid till: 2026-11-24 21:00")
        );
    }

    // A policy speaks only for the systems it covers.
    #[test]
    fn policies_cover_their_own_systems() {
        assert!(plan(&p004(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None)).is_empty());
        let prator = facts("prator", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None);
        assert!(plan(&p003(), &prator).is_empty());
    }

    // --- Keys, amendments, the timeline ---------------------------------

    #[test]
    fn keys_are_unique_and_stable_across_an_amendment() {
        let o = planned("2026-10-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
        let before = plan(&p003(), &o);
        let later = Amendment { expected_end: Some(t("2026-11-24T18:00")), ..Default::default() };
        let after = plan(&p003(), &o.clone().amended(t("2026-11-10T09:00"), &later));
        let keys = |m: &[PlannedMessage]| m.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&before), keys(&after));
        let mut unique = keys(&before);
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), before.len());
        // Same keys and due times; the texts carry the new end.
        let reminder = find(&after, "planned-reminder-one-week:heads-of-department:0");
        assert_eq!(reminder.due_at, find(&before, "planned-reminder-one-week:heads-of-department:0").due_at);
        assert!(reminder.body.contains("Beräknat slut: 2026-11-24 18:00."));
    }

    #[test]
    fn facts_from_a_folded_timeline_match_the_builder() {
        let actor = Actor { user_id: None, name: "IT".into() };
        let event = |seq: u32, at: &str, change: OutageChange| OutageEvent {
            id: crate::ids::EntryId(uuid::Uuid::from_u128(u128::from(seq) + 1)),
            outage_id: crate::ids::OutageId(uuid::Uuid::from_u128(7)),
            seq,
            at: t(at),
            actor: actor.clone(),
            node: "n1".into(),
            change,
        };
        let d = Declaration {
            system: sys("melior"),
            kind: OutageKind::Unplanned,
            scope: Scope::Region,
            start: t("2026-11-23T16:00"),
            expected_end: Some(t("2026-11-23T16:25")),
            notice: "Melior svarar inte.".into(),
            drill: false,
        };
        let mut events = vec![event(0, "2026-11-23T16:10", declare(d, t("2026-11-23T16:10")).unwrap())];
        let o = Outage::fold(&events).unwrap();
        let a = Amendment { expected_end: Some(t("2026-11-23T19:00")), ..Default::default() };
        events.push(event(1, "2026-11-23T17:10", amend(&o, a.clone(), t("2026-11-23T17:10")).unwrap()));
        let o = Outage::fold(&events).unwrap();
        events.push(event(2, "2026-11-23T18:30", end(&o, t("2026-11-23T18:30"), None, t("2026-11-23T18:30")).unwrap()));
        let o = Outage::fold(&events).unwrap();

        let from_timeline = OutageFacts::from_outage(&o, "Melior", LINK);
        let built = unplanned("2026-11-23T16:10", "2026-11-23T16:00", Some("2026-11-23T16:25"))
            .with_notice("Melior svarar inte.")
            .amended(t("2026-11-23T17:10"), &a)
            .restored(t("2026-11-23T18:30"));
        assert_eq!(from_timeline, built);
        assert_eq!(from_timeline.estimates().len(), 2);
        assert_eq!(from_timeline.declared_at(), t("2026-11-23T16:10"));
        assert_eq!(plan(&p003(), &from_timeline), plan(&p003(), &built));
    }

    #[test]
    fn planned_messages_convert_to_the_outbox_form() {
        for c in Channel::ALL {
            assert_eq!(crate::outbox::Channel::from(*c).key(), c.key());
        }
        let msgs = plan(
            &p004(),
            &facts("municipal-record", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None),
        );
        let m = find(&msgs, "unplanned-office-cosafe-managers:unit-manager-deputies:1").clone();
        let out = crate::outbox::Planned::from(m.clone());
        assert_eq!((out.key, out.sender, out.due_at), (m.key, "it".to_owned(), m.due_at));
        assert_eq!(out.unless_acknowledged.as_deref(), Some("unplanned-office-cosafe-managers:unit-managers:0"));
    }

    #[test]
    fn durations_and_templates() {
        assert_eq!(Period::parse("21d").unwrap().to_string(), "21d");
        assert_eq!(Period::parse("30 min").unwrap().duration(), SignedDuration::from_mins(30));
        assert_eq!(Period::parse("2h").unwrap().duration(), SignedDuration::from_hours(2));
        for bad in ["", "30", "0min", "-1d", "1w", "1.5h", "10000min", "d"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        // Calendar days keep the wall-clock time across the spring DST switch.
        let d = Period::parse("1d").unwrap();
        // (the clocks went forward at 02:00 on 2026-03-29, back on 2026-10-25).
        assert_eq!(format_local(d.before(t("2026-03-29T20:00"))), "2026-03-28 20:00");
        assert_eq!(
            t("2026-03-29T20:00").duration_since(d.before(t("2026-03-29T20:00"))),
            SignedDuration::from_hours(23)
        );
        assert_eq!(
            t("2026-10-25T20:00").duration_since(d.before(t("2026-10-25T20:00"))),
            SignedDuration::from_hours(25)
        );
        assert_eq!(format_local(d.after(t("2026-10-24T20:00"))), "2026-10-25 20:00");

        let tpl = Template::parse("Stopp i {system}\n{notice}\nSlut: {expected_end}").unwrap();
        let filled = tpl.fill(|p| match p {
            Placeholder::System => "Melior".into(),
            Placeholder::ExpectedEnd => "okänt".into(),
            _ => String::new(),
        });
        assert_eq!(filled, "Stopp i Melior\nSlut: okänt");
        assert_eq!(Template::parse("a {sytem}"), Err((NotifyProblem::UnknownPlaceholder("sytem".into()), 2)));
        assert_eq!(Template::parse("a {system"), Err((NotifyProblem::UnclosedPlaceholder, 2)));
        assert_eq!(Template::parse("a }"), Err((NotifyProblem::StrayBrace, 2)));
    }

    // --- Malformed policy files ------------------------------------------

    const GOOD: &str = r#"id = "test"
title = "Test"
owner = "Region Test"
source = "003 §4.2"
systems = ["melior"]

[[recipient_group]]
id = "vc"
name = "Verksamhetschefer"

[[recipient_group]]
id = "hsd"
name = "Hälso- och sjukvårdsdirektör"

[[rule]]
id = "sms"
kind = "unplanned"
trigger = "declared"
time = "any"
channel = "sms"
sender = "it"
recipients = ["vc"]
subject = "Stopp i {system}"
body = """
Stopp i {system}.
Rutin: {routine_link}"""
cite = "003 §4.2"
"#;

    /// The errors of a variant of GOOD, as `file:line: reason`.
    fn errors(text: &str) -> Vec<String> {
        match load("bad.toml", text, &catalogue()) {
            Ok(_) => panic!("expected errors for\n{text}"),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    /// The 1-based line of the first line containing `needle`.
    fn line(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in text")) + 1
    }

    fn with(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from}");
        GOOD.replacen(from, to, 1)
    }

    #[test]
    fn good_policy_and_shipped_policies_load() {
        let p = policy("test.toml", GOOD);
        assert_eq!(p.rules.len(), 1);
        assert_eq!(p.rule("sms").unwrap().trigger, Trigger::Declared);
        assert!(p.covers(&sys("melior")) && !p.covers(&sys("pmo")));
        let p = p003();
        assert_eq!((p.groups.len(), p.rules.len()), (8, 15));
        assert!(p.rules.iter().all(|r| r.cite.starts_with("003 §4.")));
        let p = p004();
        assert!(p.rules.iter().all(|r| r.cite.starts_with("004 ")));
        assert_eq!(p.rule("unplanned-office-cosafe-managers").unwrap().escalations.len(), 1);
    }

    #[test]
    fn unknown_channel_and_sender_are_named_with_their_line() {
        let text = with("channel = \"sms\"", "channel = \"fax\"");
        assert_eq!(
            errors(&text),
            [format!(
                "bad.toml:{}: unknown channel `fax` (valid: sms, email, phone_task, crisis_app, webhook, \
                 status_page_internal, status_page_public)",
                line(&text, "\"fax\"")
            )]
        );
        let text = with("sender = \"it\"", "sender = \"nurse\"");
        assert_eq!(
            errors(&text),
            [format!(
                "bad.toml:{}: unknown sender `nurse` (valid: it, unit_manager, on_call_manager)",
                line(&text, "\"nurse\"")
            )]
        );
        // The Swedish message too, and the stable code.
        let e = load("bad.toml", &with("time = \"any\"", "time = \"nights\""), &catalogue()).unwrap_err();
        assert_eq!(e[0].code(), "notification_unknown_time");
        assert!(e[0].message_sv().contains("okänd tidsvillkor ”nights”"), "{}", e[0].message_sv());
    }

    #[test]
    fn unknown_group_and_placeholder_are_named_with_their_line() {
        let text = with("recipients = [\"vc\"]", "recipients = [\"vc\", \"chefer\", \"vc\"]");
        assert_eq!(
            errors(&text),
            [
                format!(
                    "bad.toml:{}: unknown recipient group `chefer` (name a group defined under [[recipient_group]])",
                    line(&text, "\"chefer\"")
                ),
                format!("bad.toml:{}: recipient group `vc` is listed twice", line(&text, "\"chefer\"")),
            ]
        );
        // In a multi-line body the error points at the placeholder's own line.
        let text = with("Rutin: {routine_link}", "Rutin: {rutin_link}");
        let e = errors(&text);
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with(&format!(
                "bad.toml:{}: unknown placeholder `{{rutin_link}}`",
                line(&text, "{rutin_link}")
            )),
            "{e:?}"
        );
        let text = with("Stopp i {system}.", "Stopp i {system}. Åter {restored_at}.");
        assert_eq!(
            errors(&text),
            [format!(
                "bad.toml:{}: `{{restored_at}}` is known only at restart; use it only in rules with trigger = \"restored\"",
                line(&text, "{restored_at}")
            )]
        );
    }

    #[test]
    fn trigger_options_must_fit_the_trigger() {
        let text = with("trigger = \"declared\"", "trigger = \"before_start\"");
        let e = errors(&text);
        assert!(e.iter().any(|e| e.contains("needs kind = \"planned\"")), "{e:?}");
        assert!(e.iter().any(|e| e.contains("needs `before`")), "{e:?}");
        let text = with("trigger = \"declared\"", "trigger = \"declared\"\nbefore = \"7d\"\nwhen_late = \"skip\"");
        let e = errors(&text);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with(&format!("bad.toml:{}: `before` applies only", line(&text, "before ="))));
        assert!(e[1].starts_with(&format!("bad.toml:{}: `when_late` applies only", line(&text, "when_late ="))));
        let text = with("kind = \"unplanned\"", "kind = \"unplanned\"\nexpected_longer_than = \"half an hour\"");
        assert_eq!(
            errors(&text),
            [format!(
                "bad.toml:{}: `half an hour` is not a valid duration (a whole number 1–9999 then d, h or min, e.g. `21d`, `30min`)",
                line(&text, "half an hour")
            )]
        );
    }

    // `time` on a before_start rule: `any` keeps the nominal time,
    // `on_call` plans the message only when that time is on-call time.
    #[test]
    fn before_start_time_conditions() {
        let rule = |time: &str| {
            let text = with("kind = \"unplanned\"", "kind = \"planned\"")
                .replacen("trigger = \"declared\"", "trigger = \"before_start\"\nbefore = \"1d\"", 1)
                .replacen("time = \"any\"", &format!("time = \"{time}\""), 1);
            policy("t.toml", &text)
        };
        let saturday = planned("2026-11-01T10:00", "2026-11-29T08:00", "2026-11-29T10:00");
        let tuesday = planned("2026-11-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
        check(&rule("any"), &saturday, &["2026-11-28 08:00 sms:vc:0 sms it"]);
        check(&rule("on_call"), &saturday, &["2026-11-28 08:00 sms:vc:0 sms it"]);
        check(&rule("on_call"), &tuesday, &[]);
        check(&rule("office_hours"), &tuesday, &["2026-11-23 14:00 sms:vc:0 sms it"]);
    }

    #[test]
    fn escalations_must_be_acknowledgeable_and_unambiguous() {
        let esc = "cite = \"003 §4.2\"\n\n[[rule.escalation]]\nafter = \"15min\"\nrecipients = [\"hsd\"]\n";
        let two_groups =
            with("recipients = [\"vc\"]", "recipients = [\"vc\", \"hsd\"]").replacen("cite = \"003 §4.2\"\n", esc, 1);
        let e = errors(&two_groups);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with(&format!(
            "bad.toml:{}: a wave followed by an escalation",
            line(&two_groups, "[\"vc\", \"hsd\"]")
        )));
        let status =
            with("channel = \"sms\"", "channel = \"status_page_internal\"").replacen("cite = \"003 §4.2\"\n", esc, 1);
        let e = errors(&status);
        assert_eq!(
            e,
            [format!(
                "bad.toml:{}: channel `status_page_internal` cannot be acknowledged, so it cannot escalate",
                line(&status, "after =")
            )]
        );
        let ok = GOOD.replacen("cite = \"003 §4.2\"\n", esc, 1);
        let p = policy("ok.toml", &ok);
        let msgs = plan(&p, &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
        assert_eq!(
            lines(&msgs),
            ["2026-11-23 10:05 sms:vc:0 sms it", "2026-11-23 10:20 sms:hsd:1 sms it unless sms:vc:0"]
        );
    }

    #[test]
    fn ids_systems_and_syntax() {
        let text = format!("{GOOD}\n[[rule]]\nid = \"sms\"\n{}", &GOOD[GOOD.find("kind =").unwrap()..]);
        assert_eq!(
            errors(&text),
            [format!(
                "bad.toml:{}: rule `sms` already exists (line {})",
                text.lines().collect::<Vec<_>>().iter().rposition(|l| *l == "id = \"sms\"").unwrap() + 1,
                line(&text, "id = \"sms\"")
            )]
        );
        let text = with("id = \"vc\"", "id = \"VC\"");
        let e = errors(&text);
        assert!(
            e[0].starts_with(&format!("bad.toml:{}: `recipient_group.id` = `VC` is invalid", line(&text, "\"VC\""))),
            "{e:?}"
        );
        let text = with("systems = [\"melior\"]", "systems = [\"melior\", \"cosmic\"]");
        assert_eq!(
            errors(&text),
            [format!("bad.toml:{}: system `cosmic` is not in the system catalogue", line(&text, "cosmic"))]
        );
        let text = with("kind = \"unplanned\"", "kind = \"unplanned\"\nsystems = [\"pmo\"]");
        assert_eq!(
            errors(&text),
            [format!("bad.toml:{}: system `pmo` is not among the policy's `systems`", line(&text, "[\"pmo\"]"))]
        );
        let text = with("time = \"any\"", "time = \"any\"\ncolour = \"red\"");
        let e = errors(&text);
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with(&format!(
                "bad.toml:{}: not a notification policy: unknown field `colour`",
                line(&text, "colour")
            )),
            "{e:?}"
        );
        let text = with("subject = \"Stopp i {system}\"", "subject = \"Stopp i {system}");
        assert!(
            errors(&text)[0].starts_with(&format!("bad.toml:{}: not a notification policy", line(&text, "subject =")))
        );
        let e = errors("id = \"x\"\ntitle = \"t\"\nowner = \"o\"\nsource = \"s\"\nsystems = \"all\"\n");
        assert_eq!(
            e,
            [
                "bad.toml: the policy has no recipient groups ([[recipient_group]])",
                "bad.toml: the policy has no rules ([[rule]])"
            ]
        );
    }

    // --- The recipients file ---------------------------------------------

    #[test]
    fn recipients_example_fits_the_003_policy() {
        let r = parse_recipients("recipients.example.toml", RECIPIENTS, &p003())
            .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")));
        assert_eq!(r["heads-of-department"].len(), 3);
        assert_eq!(r["deputy-health-care-director"].len(), 2);
        // Only fictitious addresses: example.org and 070-174 06 05 … 99.
        for person in r.values().flatten() {
            assert!(person.email.as_deref().is_none_or(|e| e.ends_with("@example.org")), "{person:?}");
            let phone = person.phone.as_deref().map(|p| p.replace([' ', '-'], ""));
            assert!(
                phone.is_none_or(|p| p.starts_with("07017406") && (5..=99).contains(&p[8..].parse::<u32>().unwrap()))
            );
        }
    }

    #[test]
    fn recipients_problems_are_named_with_their_line() {
        let p = policy("test.toml", GOOD);
        let text = "[[person]]\nid = \"a\"\nname = \"VC A\"\nemail = \"a@example.org\"\ngroups = [\"vc\"]\n\n\
                    [[person]]\nid = \"b\"\nname = \"B\"\nphone = \"070-174 06 40\"\ngroups = [\"chefer\"]\n";
        let e: Vec<String> = parse_recipients("r.toml", text, &p).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            e,
            [
                "r.toml:2: group `vc` is reached by sms but the person has no `phone`",
                "r.toml:11: unknown recipient group `chefer` (name a group defined under [[recipient_group]])",
            ]
        );
        let e = parse_recipients("r.toml", "", &p).unwrap_err();
        assert_eq!(e[0].to_string(), "r.toml: group `vc` is reached by sms but nobody belongs to it");
        let text = "[[person]]\nid = \"a\"\nname = \"A\"\nphone = \"12\"\nemail = \"nope\"\ngroups = [\"vc\"]\n";
        let errs = parse_recipients("r.toml", text, &p).unwrap_err();
        let codes: Vec<String> = errs.iter().map(DataFileError::code).collect();
        assert_eq!(codes, ["recipients_invalid_phone", "recipients_invalid_email"]);
    }
}
