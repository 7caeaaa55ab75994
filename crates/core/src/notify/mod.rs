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
//! - **Announced kind.** A planned outage declared at or after its start is
//!   not news of a planned stop: its rules are those of an unplanned one
//!   ([`OutageFacts::announced_kind`]).
//! - **Group names** inside a sentence start in lower case ("Ring
//!   akutmottagningar"); abbreviations such as "HSD" stay as written.
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

mod facts;
mod links;
mod parse;
mod planner;
mod policy;
mod problems;
mod recipients;
mod template;
#[cfg(test)]
mod tests;
mod trial;

pub use facts::*;
pub use links::*;
pub use parse::*;
pub use planner::*;
pub use policy::*;
pub use problems::*;
pub use recipients::*;
pub use template::*;
pub use trial::*;

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
