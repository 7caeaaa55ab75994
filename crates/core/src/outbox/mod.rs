//! The notification outbox: messages waiting to be sent, their delivery
//! timelines, what is due at a given time, retries with backoff, and the
//! rules of acknowledgement ("kvittens").
//!
//! One [`OutboxMessage`] is one planned message for **one recipient** (a
//! person for e-mail, SMS and phone tasks; the group itself for a webhook, a
//! crisis app or a status page). It is written once and never changed; what
//! happens to it is an append-only timeline of [`DeliveryEvent`]s (claimed,
//! sent, retrying, failed, unknown, skipped, acknowledged, requeued) whose
//! fold is its [`DeliveryState`]. The pure functions here decide every
//! transition; the service (`reserv_app::notifications`) only reads, asks,
//! delivers and appends.
//!
//! # Delivery guarantee: at most once per attempt, with escalation behind it
//!
//! The issue asks that no message is ever sent twice, and also that nothing
//! is lost. A message is **claimed** (its timeline gets a `claimed` entry at
//! the next position, a compare-and-set in the store) before any adapter is
//! called, and its outcome is appended afterwards. Two schedulers (or a
//! scheduler racing itself after a restart) cannot both claim the same
//! attempt: the second append loses with a conflict and sends nothing.
//!
//! The one window no outbox can close is a crash *after* the SMTP server or
//! SMS gateway took the message and *before* `sent` was written. Reserv
//! treats such a message as **unknown** — never resent automatically:
//!
//! * a claim older than [`CLAIM_LEASE`] (far longer than any adapter's own
//!   timeout) is a crashed attempt and becomes `unknown`;
//! * an adapter that cannot tell whether the far side took the message (a
//!   time-out after the request was written, a connection lost in the middle
//!   of an SMTP transaction) reports [`FailureKind::Ambiguous`], also
//!   `unknown`;
//! * only failures that certainly sent nothing (connection refused, SMTP 4xx,
//!   HTTP 5xx/429) are retried, with exponential backoff ([`RetryPolicy`]).
//!
//! Why at most once and not at least once? For an SMS to a director a
//! duplicate is indeed better than silence — but silence is handled one level
//! up, where it can be observed: escalation. A planned wave with
//! `unless_acknowledged` goes out whenever the earlier message has not been
//! acknowledged, whatever its delivery state (sent, failed *or* unknown).
//! So an unknown message that never arrived is followed by the next person or
//! channel, while one that did arrive is not repeated at the transport level.
//! `unknown` and `failed` are shown on the outage page with the reason, and
//! IT can requeue them by hand ([`requeue`]): a duplicate then is a person's
//! informed choice, never the machine's.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::datafile::{DataFileError, vocabulary};
use crate::ids::{EntryId, OutageId, UserId};

mod ack;
mod address;
mod delivery;
mod message;
mod schedule;
#[cfg(test)]
mod tests;

pub use ack::*;
pub use address::*;
pub use delivery::*;
pub use message::*;
pub use schedule::*;

vocabulary!(
    /// How a message is delivered. The keys and labels are the notification
    /// planner's ([`crate::notify::Channel`]), which converts into this one.
    Channel, "kanal", "channel" {
        Sms = "sms", "SMS", "SMS";
        Email = "email", "E-post", "Email";
        /// A person must phone the recipient; Reserv lists it as a task.
        PhoneTask = "phone_task", "Ringuppdrag", "Phone task";
        /// A crisis-management app (e.g. Cosafe), through its JSON webhook.
        CrisisApp = "crisis_app", "Krisapp (t.ex. Cosafe)", "Crisis app (e.g. Cosafe)";
        /// A generic JSON webhook.
        Webhook = "webhook", "Webhook", "Webhook";
        /// Reserv's own logged-in status page.
        StatusPageInternal = "status_page_internal", "Intern driftinformation", "Internal status page";
        /// Reserv's public status page.
        StatusPagePublic = "status_page_public", "Driftinformation för privata vårdgivare", "Status page for private providers";
    }
);

impl Channel {
    /// Whether the channel reaches each person of a group on their own
    /// (one message per person) rather than the group as a whole.
    pub fn per_person(self) -> bool {
        matches!(self, Channel::Sms | Channel::Email | Channel::PhoneTask)
    }
}
