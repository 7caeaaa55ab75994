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

use crate::datafile::DataFileError;
use crate::ids::{EntryId, OutageId, UserId};

/// How a message is delivered. The keys match the notification planner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
    /// A person must phone the recipient; Reserv lists it as a task.
    PhoneTask,
    /// A crisis-management app (e.g. Cosafe), through its JSON webhook.
    CrisisApp,
    /// A generic JSON webhook.
    Webhook,
    /// Reserv's own logged-in status page.
    StatusPageInternal,
    /// Reserv's public status page.
    StatusPagePublic,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Sms,
        Channel::Email,
        Channel::PhoneTask,
        Channel::CrisisApp,
        Channel::Webhook,
        Channel::StatusPageInternal,
        Channel::StatusPagePublic,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::PhoneTask => "phone_task",
            Channel::CrisisApp => "crisis_app",
            Channel::Webhook => "webhook",
            Channel::StatusPageInternal => "status_page_internal",
            Channel::StatusPagePublic => "status_page_public",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == s)
    }

    /// Whether the channel reaches each person of a group on their own
    /// (one message per person) rather than the group as a whole.
    pub fn per_person(self) -> bool {
        matches!(self, Channel::Sms | Channel::Email | Channel::PhoneTask)
    }
}

/// A person who can be notified, as listed in the region's recipients file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// A stable id within the recipients file.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their Reserv account, so that they can acknowledge when logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Recipient groups by id, each with its people.
pub type Recipients = BTreeMap<String, Vec<Recipient>>;

/// Where one message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Address {
    Email(String),
    /// An E.164 number (`+46…`): SMS, or the number to phone.
    Phone(String),
    /// The configured endpoint (webhook, crisis app) for this group.
    Endpoint,
    /// Shown inside Reserv (status pages).
    Internal,
}

/// Normalises a Swedish or international phone number to E.164 (`+46701234567`).
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let e164 = if let Some(rest) = digits.strip_prefix('+') {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("46{rest}")
    } else {
        return None;
    };
    let ok = (8..=15).contains(&e164.len()) && e164.bytes().all(|b| b.is_ascii_digit()) && !e164.starts_with('0');
    ok.then(|| format!("+{e164}"))
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in
/// the domain, and nothing that could break a mail header.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
}

/// Why a message has no address to go to (shown on the outage page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAddress {
    /// The group has nobody in the recipients file.
    EmptyGroup {
        group: String,
    },
    NoEmail {
        name: String,
    },
    BadEmail {
        name: String,
    },
    NoPhone {
        name: String,
    },
    BadPhone {
        name: String,
    },
}

impl NoAddress {
    pub fn message_sv(&self) -> String {
        match self {
            NoAddress::EmptyGroup { group } => {
                format!("Mottagargruppen ”{group}” har ingen mottagare i mottagarfilen.")
            }
            NoAddress::NoEmail { name } => format!("{name} saknar e-postadress i mottagarfilen."),
            NoAddress::BadEmail { name } => format!("{name} har en ogiltig e-postadress i mottagarfilen."),
            NoAddress::NoPhone { name } => format!("{name} saknar telefonnummer i mottagarfilen."),
            NoAddress::BadPhone { name } => format!("{name} har ett ogiltigt telefonnummer i mottagarfilen."),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            NoAddress::EmptyGroup { group } => {
                format!("The recipient group “{group}” has nobody in the recipients file.")
            }
            NoAddress::NoEmail { name } => format!("{name} has no e-mail address in the recipients file."),
            NoAddress::BadEmail { name } => format!("{name} has an invalid e-mail address in the recipients file."),
            NoAddress::NoPhone { name } => format!("{name} has no phone number in the recipients file."),
            NoAddress::BadPhone { name } => format!("{name} has an invalid phone number in the recipients file."),
        }
    }
}

/// One planned message for one recipient. Written once, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: EntryId,
    pub outage_id: OutageId,
    /// The planner's key, unique within the outage: `<rule>:<group>:<wave>`.
    pub key: String,
    pub rule: String,
    pub cite: String,
    pub channel: Channel,
    /// The sender role (e.g. `it`, `unit_manager`).
    pub sender: String,
    /// The recipient group id.
    pub group: String,
    /// The person, for per-person channels; `None` for group channels, or
    /// when the group had nobody (the message then fails with the reason).
    pub recipient: Option<Recipient>,
    pub due_at: Timestamp,
    pub subject: String,
    pub body: String,
    /// Key of an earlier message: send this one only if that one has not
    /// been acknowledged by anyone.
    pub unless_acknowledged: Option<String>,
    pub created_at: Timestamp,
    pub node: String,
}

impl OutboxMessage {
    /// What makes a message unique within its outage, with `key`: the
    /// recipient's id, or empty for a group message.
    pub fn recipient_key(&self) -> &str {
        self.recipient.as_ref().map(|r| r.id.as_str()).unwrap_or("")
    }

    /// The address this message goes to, or why it has none.
    pub fn address(&self) -> Result<Address, NoAddress> {
        if !self.channel.per_person() {
            return Ok(match self.channel {
                Channel::StatusPageInternal | Channel::StatusPagePublic => Address::Internal,
                _ => Address::Endpoint,
            });
        }
        let Some(r) = &self.recipient else {
            return Err(NoAddress::EmptyGroup { group: self.group.clone() });
        };
        let name = r.name.clone();
        match self.channel {
            Channel::Email => match r.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                None => Err(NoAddress::NoEmail { name }),
                Some(e) if valid_email(e) => Ok(Address::Email(e.to_owned())),
                Some(_) => Err(NoAddress::BadEmail { name }),
            },
            _ => match r.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                None => Err(NoAddress::NoPhone { name }),
                Some(p) => normalize_phone(p).map(Address::Phone).ok_or(NoAddress::BadPhone { name }),
            },
        }
    }
}

/// A planned message before it is expanded to its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub key: String,
    pub rule: String,
    pub cite: String,
    pub channel: Channel,
    pub sender: String,
    pub group: String,
    pub due_at: Timestamp,
    pub subject: String,
    pub body: String,
    pub unless_acknowledged: Option<String>,
}

/// Expands a planned message to one outbox message per person of its group
/// (per-person channels), or one for the group. A group with nobody gives
/// one message without a recipient, which fails visibly when due instead
/// of disappearing. `ids` supplies the new messages' ids.
pub fn expand(
    outage: OutageId,
    planned: &Planned,
    recipients: &Recipients,
    now: Timestamp,
    node: &str,
    ids: &mut dyn FnMut() -> EntryId,
) -> Vec<OutboxMessage> {
    let people: Vec<Option<Recipient>> = if planned.channel.per_person() {
        match recipients.get(&planned.group) {
            Some(list) if !list.is_empty() => list.iter().cloned().map(Some).collect(),
            _ => vec![None],
        }
    } else {
        vec![None]
    };
    people
        .into_iter()
        .map(|recipient| OutboxMessage {
            id: ids(),
            outage_id: outage,
            key: planned.key.clone(),
            rule: planned.rule.clone(),
            cite: planned.cite.clone(),
            channel: planned.channel,
            sender: planned.sender.clone(),
            group: planned.group.clone(),
            recipient,
            due_at: planned.due_at,
            subject: planned.subject.clone(),
            body: planned.body.clone(),
            unless_acknowledged: planned.unless_acknowledged.clone(),
            created_at: now,
            node: node.to_owned(),
        })
        .collect()
}

/// How an acknowledgement was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckVia {
    /// The link in the message (no login).
    Link,
    /// The outage page, logged in.
    Ui,
    /// `POST /api/v1/messages/{id}/acknowledge`.
    Api,
}

impl AckVia {
    pub fn key(self) -> &'static str {
        match self {
            AckVia::Link => "link",
            AckVia::Ui => "ui",
            AckVia::Api => "api",
        }
    }
}

/// One change in a message's delivery timeline. Immutable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEvent {
    pub id: EntryId,
    pub message_id: EntryId,
    /// Position in the timeline: 0, 1, 2, … A second writer at the same
    /// position loses (compare-and-set), which is what makes a claim safe.
    pub seq: u32,
    pub at: Timestamp,
    pub node: String,
    pub change: DeliveryChange,
}

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeliveryChange {
    /// The scheduler took the message for attempt `attempt` (1, 2, …).
    /// `token_hash` is the hash of the acknowledgement link's secret sent
    /// with this attempt (the secret itself is never stored).
    Claimed { attempt: u32, token_hash: Option<String> },
    /// The far side accepted it (`receipt`: what it said, e.g. "250 OK").
    Sent { receipt: String },
    /// It certainly was not sent; try again at `next_at`.
    Retrying { error: String, next_at: Timestamp },
    /// Given up: a permanent error, no address, or too many attempts.
    Failed { error: String },
    /// It may or may not have been sent (crash or time-out mid-send); never
    /// resent automatically.
    Unknown { reason: String },
    /// Not sent because it was no longer needed (the earlier message was
    /// acknowledged, or this one was acknowledged before it was due).
    Skipped { reason: String },
    /// A recipient (or IT on their behalf) confirmed having read it.
    Acknowledged { by: String, user_id: Option<UserId>, via: AckVia },
    /// IT put a failed or unknown message back in the queue by hand.
    Requeued { by: String, user_id: Option<UserId> },
    /// The plan changed before the message was sent (the outage was
    /// amended): it now goes out at `due_at` with this text.
    Replanned { due_at: Timestamp, subject: String, body: String },
}

/// A message's delivery status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Sending,
    Sent,
    Retrying,
    Failed,
    Unknown,
    Skipped,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Retrying => "retrying",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Queued,
            Status::Sending,
            Status::Sent,
            Status::Retrying,
            Status::Failed,
            Status::Unknown,
            Status::Skipped,
        ]
        .into_iter()
        .find(|x| x.key() == s)
    }
}

/// Who acknowledged a message, when and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ack {
    pub at: Timestamp,
    pub by: String,
    pub user_id: Option<UserId>,
    pub via: AckVia,
}

/// A message's state: the fold of its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryState {
    pub status: Status,
    /// Attempts made (claims).
    pub attempts: u32,
    /// When the scheduler must look at it next: the due time (queued), the
    /// next attempt (retrying), or when a claim turns stale (sending).
    pub next_at: Option<Timestamp>,
    pub claimed_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub receipt: Option<String>,
    /// The latest error or reason (retrying, failed, unknown, skipped).
    pub error: Option<String>,
    pub acknowledged: Option<Ack>,
    /// The latest plan, if it changed after the message was enqueued.
    pub replanned: Option<Replan>,
    /// Where the next timeline entry goes.
    pub next_seq: u32,
}

/// How long a claim may stay open before it is taken for a crashed attempt.
/// Every adapter times out far sooner (SMTP and HTTP: 30 s by default).
pub const CLAIM_LEASE: SignedDuration = SignedDuration::from_mins(5);

/// How long an acknowledgement link works after it was sent.
pub const ACK_TOKEN_VALIDITY: SignedDuration = SignedDuration::from_hours(30 * 24);

/// Folds a message's timeline (ordered by `seq`) into its state.
pub fn fold(msg: &OutboxMessage, events: &[DeliveryEvent]) -> DeliveryState {
    let mut s = DeliveryState {
        status: Status::Queued,
        attempts: 0,
        next_at: Some(msg.due_at),
        claimed_at: None,
        sent_at: None,
        receipt: None,
        error: None,
        acknowledged: None,
        replanned: None,
        next_seq: 0,
    };
    for e in events {
        s.next_seq = e.seq + 1;
        match &e.change {
            DeliveryChange::Claimed { attempt, .. } => {
                s.status = Status::Sending;
                s.attempts = *attempt;
                s.claimed_at = Some(e.at);
                s.next_at = Some(e.at + CLAIM_LEASE);
            }
            DeliveryChange::Sent { receipt } => {
                s.status = Status::Sent;
                s.sent_at = Some(e.at);
                s.receipt = Some(receipt.clone());
                s.error = None;
                s.next_at = None;
            }
            DeliveryChange::Retrying { error, next_at } => {
                s.status = Status::Retrying;
                s.error = Some(error.clone());
                s.next_at = Some(*next_at);
            }
            DeliveryChange::Failed { error } => {
                s.status = Status::Failed;
                s.error = Some(error.clone());
                s.next_at = None;
            }
            DeliveryChange::Unknown { reason } => {
                s.status = Status::Unknown;
                s.error = Some(reason.clone());
                s.next_at = None;
            }
            DeliveryChange::Skipped { reason } => {
                s.status = Status::Skipped;
                s.error = Some(reason.clone());
                s.next_at = None;
            }
            DeliveryChange::Acknowledged { by, user_id, via } => {
                if s.acknowledged.is_none() {
                    s.acknowledged = Some(Ack { at: e.at, by: by.clone(), user_id: *user_id, via: *via });
                }
            }
            DeliveryChange::Replanned { due_at, subject, body } => {
                s.replanned = Some(Replan { due_at: *due_at, subject: subject.clone(), body: body.clone() });
                if s.status == Status::Queued && s.attempts == 0 {
                    s.next_at = Some(*due_at);
                }
            }
            DeliveryChange::Requeued { .. } => {
                s.status = Status::Queued;
                s.error = None;
                s.next_at = Some(e.at);
            }
        }
    }
    s
}

/// A message's due time and text after the plan changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replan {
    pub due_at: Timestamp,
    pub subject: String,
    pub body: String,
}

/// The message as it now stands: its latest plan applied.
pub fn effective(msg: &OutboxMessage, state: &DeliveryState) -> OutboxMessage {
    let mut m = msg.clone();
    if let Some(r) = &state.replanned {
        m.due_at = r.due_at;
        m.subject = r.subject.clone();
        m.body = r.body.clone();
    }
    m
}

/// When the planner is asked again (the outage was amended), a message
/// that has not been sent yet takes the new due time and text. One that has
/// been attempted keeps what it was sent with.
pub fn replan(msg: &OutboxMessage, state: &DeliveryState, planned: &Planned) -> Option<DeliveryChange> {
    if state.status != Status::Queued || state.attempts > 0 {
        return None;
    }
    let now = effective(msg, state);
    let same = now.due_at == planned.due_at && now.subject == planned.subject && now.body == planned.body;
    (!same).then(|| DeliveryChange::Replanned {
        due_at: planned.due_at,
        subject: planned.subject.clone(),
        body: planned.body.clone(),
    })
}

/// A message that a complete plan no longer calls for is withdrawn, if it
/// has not been sent yet.
pub fn withdraw(state: &DeliveryState) -> Option<DeliveryChange> {
    (state.status == Status::Queued && state.attempts == 0).then(|| DeliveryChange::Skipped {
        reason: "Behövs inte längre: avbrottet ändrades och utskicksplanen tar inte längre med meddelandet.".into(),
    })
}

/// Marks a planned message of a practice outage (övning), so that nobody
/// takes it for a real stop while the notification chain is exercised.
pub fn mark_drill(p: &mut Planned) {
    if !p.subject.starts_with("ÖVNING") {
        p.subject = format!("ÖVNING – {}", p.subject);
        p.body = format!("Detta är en övning, inget verkligt driftstopp.\n\n{}", p.body);
    }
}

/// Retries: exponential backoff from `first`, doubling, capped at
/// `max_delay`, giving up after `max_attempts` attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: SignedDuration,
    pub max_delay: SignedDuration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, 1, 2, 4, 8, 16, 30, 30 min: eight attempts over about 90 minutes.
    fn default() -> Self {
        RetryPolicy { first: SignedDuration::from_secs(30), max_delay: SignedDuration::from_mins(30), max_attempts: 8 }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> SignedDuration {
        let doublings = attempt.saturating_sub(1).min(30);
        let secs = self.first.as_secs().saturating_mul(1i64 << doublings);
        SignedDuration::from_secs(secs).min(self.max_delay)
    }
}

/// How an adapter failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Certainly not sent and may work later (connection refused, SMTP 4xx,
    /// HTTP 5xx or 429): retried.
    Transient,
    /// Certainly not sent and will not work as configured (SMTP 5xx, HTTP
    /// 4xx, channel not configured): failed at once.
    Permanent,
    /// Perhaps sent (time-out after the request was written): unknown.
    Ambiguous,
}

/// A delivery failure as an adapter reports it. `message` must hold no
/// secret (no password, token or authorisation header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    pub fn transient(message: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Transient, message: message.into() }
    }
    pub fn permanent(message: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Permanent, message: message.into() }
    }
    pub fn ambiguous(message: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Ambiguous, message: message.into() }
    }
}

/// What the scheduler must do with a message at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet (not due, or finished).
    Wait,
    /// Claim it for attempt `attempt` and send it to `address`.
    Send { attempt: u32, address: Address },
    /// Record this change without sending (skipped, failed for want of an
    /// address, a stale claim turned unknown).
    Record(DeliveryChange),
}

/// Decides what is due for one message at `now`. `earlier_ack` is the
/// acknowledgement of the message named by `unless_acknowledged`, if any
/// recipient of it acknowledged at or before `now`.
///
/// An escalation is checked when it is actually sent, not at its planned due
/// time: after the scheduler was down, a wave whose earlier message was
/// acknowledged meanwhile is skipped rather than paging people needlessly.
pub fn step(msg: &OutboxMessage, state: &DeliveryState, now: Timestamp, earlier_ack: Option<&Ack>) -> Step {
    let due = state.next_at.is_some_and(|t| t <= now);
    if !due {
        return Step::Wait;
    }
    match state.status {
        Status::Sending => Step::Record(DeliveryChange::Unknown {
            reason: "Sändningen avbröts (Reserv stoppades eller hängde sig under försöket); det är okänt om meddelandet kom fram. Det skickas inte om automatiskt.".into(),
        }),
        Status::Queued | Status::Retrying => {
            if let Some(a) = &state.acknowledged {
                return Step::Record(DeliveryChange::Skipped {
                    reason: format!("Redan kvitterat av {} innan det skickades.", a.by),
                });
            }
            if let (Some(key), Some(a)) = (&msg.unless_acknowledged, earlier_ack) {
                return Step::Record(DeliveryChange::Skipped {
                    reason: format!("Behövs inte: meddelandet {key} kvitterades av {}.", a.by),
                });
            }
            match msg.address() {
                Ok(address) => Step::Send { attempt: state.attempts + 1, address },
                Err(no) => Step::Record(DeliveryChange::Failed { error: no.message_sv() }),
            }
        }
        Status::Sent | Status::Failed | Status::Unknown | Status::Skipped => Step::Wait,
    }
}

/// The change to record after attempt `attempt` ended with `result` at `now`.
pub fn outcome(result: Result<String, Failure>, attempt: u32, now: Timestamp, policy: &RetryPolicy) -> DeliveryChange {
    match result {
        Ok(receipt) => DeliveryChange::Sent { receipt },
        Err(f) => match f.kind {
            FailureKind::Ambiguous => DeliveryChange::Unknown {
                reason: format!("Okänt om meddelandet kom fram: {}. Det skickas inte om automatiskt.", f.message),
            },
            FailureKind::Permanent => DeliveryChange::Failed { error: f.message },
            FailureKind::Transient if attempt >= policy.max_attempts => DeliveryChange::Failed {
                error: format!("Gav upp efter {attempt} försök. Senaste fel: {}", f.message),
            },
            FailureKind::Transient => {
                DeliveryChange::Retrying { error: f.message, next_at: now + policy.delay(attempt) }
            }
        },
    }
}

/// Why an acknowledgement is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckRefused {
    /// The link is older than [`ACK_TOKEN_VALIDITY`].
    Expired,
}

/// Acknowledges a message. `Ok(None)`: it was acknowledged already (the
/// first acknowledgement stands; nothing new is recorded). A link's token
/// (`token_issued_at`) must be younger than [`ACK_TOKEN_VALIDITY`].
pub fn acknowledge(
    state: &DeliveryState,
    by: &str,
    user_id: Option<UserId>,
    via: AckVia,
    token_issued_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<Option<DeliveryChange>, AckRefused> {
    if state.acknowledged.is_some() {
        return Ok(None);
    }
    if token_issued_at.is_some_and(|t| now >= t + ACK_TOKEN_VALIDITY) {
        return Err(AckRefused::Expired);
    }
    Ok(Some(DeliveryChange::Acknowledged { by: by.to_owned(), user_id, via }))
}

/// Why a message cannot be requeued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequeueRefused {
    /// Only failed and unknown messages are requeued.
    NotFinishedBadly(Status),
}

/// Puts a failed or unknown message back in the queue (IT's decision).
pub fn requeue(state: &DeliveryState, by: &str, user_id: Option<UserId>) -> Result<DeliveryChange, RequeueRefused> {
    match state.status {
        Status::Failed | Status::Unknown => Ok(DeliveryChange::Requeued { by: by.to_owned(), user_id }),
        other => Err(RequeueRefused::NotFinishedBadly(other)),
    }
}

/// An acknowledgement link's secret: 64 lowercase hex digits.
pub fn is_ack_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The text actually sent: the planned body, then the acknowledgement link.
/// SMS get one short paragraph.
pub fn compose(msg: &OutboxMessage, ack_url: Option<&str>) -> (String, String) {
    let mut body = match msg.channel {
        Channel::Sms => format!("{}: {}", msg.subject.trim(), msg.body.trim()),
        _ => msg.body.trim().to_owned(),
    };
    if let Some(url) = ack_url {
        match msg.channel {
            Channel::Sms => body.push_str(&format!(" Kvittera: {url}")),
            _ => body.push_str(&format!(
                "\n\nKvittera att du har tagit emot meddelandet (ingen inloggning behövs):\n{url}\n"
            )),
        }
    }
    (msg.subject.trim().replace(['\r', '\n'], " "), body)
}

/// Whether the message named `key` (any of its recipients) was acknowledged
/// at or before `now`: the first such acknowledgement.
pub fn acknowledged_key<'a>(
    states: impl IntoIterator<Item = (&'a OutboxMessage, &'a DeliveryState)>,
    key: &str,
    now: Timestamp,
) -> Option<Ack> {
    states
        .into_iter()
        .filter(|(m, _)| m.key == key)
        .filter_map(|(_, s)| s.acknowledged.clone())
        .filter(|a| a.at <= now)
        .min_by_key(|a| a.at)
}

/// Parses and checks a recipients file (TOML, one `[[person]]` per person
/// with the groups they belong to): every problem, each with file, line and
/// reason. Addresses are checked here too, so a typo shows before an
/// outage. The format and the checks are [`crate::notify::read_recipients`]'s,
/// so the server and `reserv notifications check` agree.
///
/// ```toml
/// [[person]]
/// id = "anna-it"
/// name = "Anna Andersson"
/// email = "anna.andersson@example.org"
/// phone = "070-123 45 67"
/// username = "anna.it"          # optional: her Reserv account
/// groups = ["it-jour", "it-chefer"]
/// ```
pub fn parse_recipients(file: &str, text: &str) -> Result<Recipients, Vec<DataFileError>> {
    crate::notify::read_recipients(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn person(id: &str, email: Option<&str>, phone: Option<&str>) -> Recipient {
        Recipient {
            id: id.into(),
            name: format!("Person {id}"),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            username: None,
        }
    }

    fn planned(key: &str, channel: Channel, group: &str) -> Planned {
        Planned {
            key: key.into(),
            rule: "r1".into(),
            cite: "Rutin 001, avsnitt 2".into(),
            channel,
            sender: "it".into(),
            group: group.into(),
            due_at: t("2026-11-23T08:00:00Z"),
            subject: "Driftstörning i Lifecare SP".into(),
            body: "Lifecare SP går inte att nå. Använd reservrutinen – logga samtal i Reserv.".into(),
            unless_acknowledged: None,
        }
    }

    fn one(p: &Planned, recipients: &Recipients) -> Vec<OutboxMessage> {
        expand(OutageId(Uuid::nil()), p, recipients, t("2026-11-23T07:00:00Z"), "n", &mut || EntryId(Uuid::now_v7()))
    }

    fn ev(msg: &OutboxMessage, seq: u32, at: &str, change: DeliveryChange) -> DeliveryEvent {
        DeliveryEvent { id: EntryId(Uuid::now_v7()), message_id: msg.id, seq, at: t(at), node: "n".into(), change }
    }

    fn recipients() -> Recipients {
        [
            (
                "it-jour".to_owned(),
                vec![person("a", Some("a@example.org"), Some("070-123 45 67")), person("b", None, None)],
            ),
            ("tom".to_owned(), vec![]),
        ]
        .into()
    }

    #[test]
    fn per_person_channels_expand_to_each_person_and_empty_groups_stay_visible() {
        let r = recipients();
        let mails = one(&planned("k", Channel::Email, "it-jour"), &r);
        assert_eq!(mails.iter().map(|m| m.recipient_key()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(mails[0].address(), Ok(Address::Email("a@example.org".into())));
        assert_eq!(mails[1].address(), Err(NoAddress::NoEmail { name: "Person b".into() }));
        for group in ["tom", "no-such-group"] {
            let m = one(&planned("k", Channel::Sms, group), &r);
            assert_eq!(m.len(), 1, "a group with nobody still gives one message");
            assert_eq!(m[0].address(), Err(NoAddress::EmptyGroup { group: group.into() }));
        }
        let hook = one(&planned("k", Channel::Webhook, "it-jour"), &r);
        assert_eq!((hook.len(), hook[0].address()), (1, Ok(Address::Endpoint)));
        let sms = one(&planned("k", Channel::Sms, "it-jour"), &r);
        assert_eq!(sms[0].address(), Ok(Address::Phone("+46701234567".into())));
        assert_eq!(sms[1].address(), Err(NoAddress::NoPhone { name: "Person b".into() }));
    }

    #[test]
    fn phone_numbers_and_addresses() {
        assert_eq!(normalize_phone("070-123 45 67").as_deref(), Some("+46701234567"));
        assert_eq!(normalize_phone("+46 70 123 45 67").as_deref(), Some("+46701234567"));
        assert_eq!(normalize_phone("0046701234567").as_deref(), Some("+46701234567"));
        for bad in ["", "abc", "12345", "+46 70 12x", "701234567"] {
            assert_eq!(normalize_phone(bad), None, "{bad:?}");
        }
        assert!(valid_email("anna.andersson@rvn.se"));
        for bad in ["", "anna", "anna@", "@rvn.se", "a b@rvn.se", "a@rvn", "a@rvn.se\r\nBcc: x@y.z", "<a@b.se>"] {
            assert!(!valid_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_message_is_due_at_its_time_and_not_before() {
        let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
        let s = fold(m, &[]);
        assert_eq!((s.status, s.next_at), (Status::Queued, Some(m.due_at)));
        assert_eq!(step(m, &s, t("2026-11-23T07:59:59Z"), None), Step::Wait);
        let send = Step::Send { attempt: 1, address: Address::Email("a@example.org".into()) };
        assert_eq!(step(m, &s, t("2026-11-23T08:00:00Z"), None), send);
        // After a week of downtime, still due (catch-up).
        assert_eq!(step(m, &s, t("2026-11-30T08:00:00Z"), None), send);
    }

    #[test]
    fn backoff_doubles_to_a_cap_and_gives_up_after_the_maximum() {
        let p = RetryPolicy::default();
        let delays: Vec<i64> = (1..=8).map(|a| p.delay(a).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1800, 1800]);
        assert_eq!(p.delay(u32::MAX), p.max_delay, "no overflow");
        let now = t("2026-11-23T08:00:00Z");
        assert_eq!(
            outcome(Err(Failure::transient("421 upptaget")), 1, now, &p),
            DeliveryChange::Retrying { error: "421 upptaget".into(), next_at: t("2026-11-23T08:00:30Z") }
        );
        assert!(matches!(outcome(Err(Failure::transient("x")), 8, now, &p), DeliveryChange::Failed { .. }));
        assert!(matches!(outcome(Err(Failure::permanent("550")), 1, now, &p), DeliveryChange::Failed { .. }));
        assert!(matches!(outcome(Err(Failure::ambiguous("time-out")), 1, now, &p), DeliveryChange::Unknown { .. }));
        assert_eq!(outcome(Ok("250 OK".into()), 3, now, &p), DeliveryChange::Sent { receipt: "250 OK".into() });
    }

    #[test]
    fn the_timeline_folds_through_retry_to_sent() {
        let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
        let claim = |attempt| DeliveryChange::Claimed { attempt, token_hash: None };
        let retry = DeliveryChange::Retrying { error: "421".into(), next_at: t("2026-11-23T08:00:40Z") };
        let events = vec![
            ev(m, 0, "2026-11-23T08:00:05Z", claim(1)),
            ev(m, 1, "2026-11-23T08:00:10Z", retry),
            ev(m, 2, "2026-11-23T08:00:45Z", claim(2)),
        ];
        let s = fold(m, &events[..2]);
        assert_eq!((s.status, s.attempts, s.next_at), (Status::Retrying, 1, Some(t("2026-11-23T08:00:40Z"))));
        assert_eq!(step(m, &s, t("2026-11-23T08:00:39Z"), None), Step::Wait);
        assert!(matches!(step(m, &s, t("2026-11-23T08:00:40Z"), None), Step::Send { attempt: 2, .. }));
        let s = fold(m, &events);
        assert_eq!((s.status, s.next_seq), (Status::Sending, 3));
        // A live claim is left alone; a stale one becomes unknown, never resent.
        assert_eq!(step(m, &s, t("2026-11-23T08:01:00Z"), None), Step::Wait);
        assert!(matches!(step(m, &s, t("2026-11-23T08:05:45Z"), None), Step::Record(DeliveryChange::Unknown { .. })));
        let mut done = events.clone();
        done.push(ev(m, 3, "2026-11-23T08:00:46Z", DeliveryChange::Sent { receipt: "250".into() }));
        let s = fold(m, &done);
        assert_eq!((s.status, s.next_at, s.error.clone()), (Status::Sent, None, None));
        assert_eq!(step(m, &s, t("2026-12-23T08:00:00Z"), None), Step::Wait, "sent is final");
    }

    #[test]
    fn escalation_goes_out_only_if_the_earlier_message_is_unacknowledged() {
        let mut p = planned("r:chefer:2", Channel::Sms, "it-jour");
        p.unless_acknowledged = Some("r:it-jour:1".into());
        let m = &one(&p, &recipients())[0];
        let s = fold(m, &[]);
        let now = t("2026-11-23T08:30:00Z");
        assert!(matches!(step(m, &s, now, None), Step::Send { .. }));
        let ack = Ack { at: t("2026-11-23T08:10:00Z"), by: "Anna".into(), user_id: None, via: AckVia::Link };
        assert!(matches!(step(m, &s, now, Some(&ack)), Step::Record(DeliveryChange::Skipped { .. })));
    }

    #[test]
    fn acknowledgements_stand_once_and_links_expire() {
        let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
        let s = fold(m, &[]);
        let now = t("2026-11-23T09:00:00Z");
        let issued = Some(t("2026-11-23T08:00:00Z"));
        let change = acknowledge(&s, "Anna", None, AckVia::Link, issued, now).unwrap().unwrap();
        let s = fold(m, &[ev(m, 0, "2026-11-23T09:00:00Z", change)]);
        assert_eq!(s.acknowledged.as_ref().map(|a| a.by.as_str()), Some("Anna"));
        assert_eq!(acknowledge(&s, "Bo", None, AckVia::Ui, None, now), Ok(None), "the first acknowledgement stands");
        let late = t("2026-12-24T08:00:00Z");
        assert_eq!(acknowledge(&fold(m, &[]), "Anna", None, AckVia::Link, issued, late), Err(AckRefused::Expired));
        assert!(acknowledge(&fold(m, &[]), "IT", None, AckVia::Ui, None, late).unwrap().is_some());
        // Acknowledged before it was due: not sent at all.
        assert!(matches!(step(m, &s, now, None), Step::Record(DeliveryChange::Skipped { .. })));
        assert!(is_ack_token(&"ab".repeat(32)));
        assert!(!is_ack_token(&"AB".repeat(32)) && !is_ack_token("abc"));
    }

    #[test]
    fn a_message_without_an_address_fails_with_the_reason_and_only_bad_ends_are_requeued() {
        let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[1];
        let s = fold(m, &[]);
        let Step::Record(DeliveryChange::Failed { error }) = step(m, &s, t("2026-11-23T08:00:00Z"), None) else {
            panic!("must fail");
        };
        assert!(error.contains("saknar e-postadress"), "{error}");
        let failed = fold(m, &[ev(m, 0, "2026-11-23T08:00:00Z", DeliveryChange::Failed { error })]);
        let again = requeue(&failed, "IT", None).unwrap();
        let s = fold(
            m,
            &[
                ev(m, 0, "2026-11-23T08:00:00Z", DeliveryChange::Failed { error: "x".into() }),
                ev(m, 1, "2026-11-23T09:00:00Z", again),
            ],
        );
        assert_eq!((s.status, s.next_at), (Status::Queued, Some(t("2026-11-23T09:00:00Z"))));
        assert_eq!(requeue(&s, "IT", None), Err(RequeueRefused::NotFinishedBadly(Status::Queued)));
    }

    #[test]
    fn composed_texts_carry_the_link_and_no_header_breaks() {
        let r = recipients();
        let mut p = planned("k", Channel::Email, "it-jour");
        p.subject = "Driftstörning\r\nBcc: x@y.z".into();
        let m = &one(&p, &r)[0];
        let (subject, body) = compose(m, Some("https://reserv.example/ack/abc"));
        assert_eq!(subject, "Driftstörning  Bcc: x@y.z");
        assert!(body.starts_with("Lifecare SP går inte att nå.") && body.contains("https://reserv.example/ack/abc"));
        let sms = &one(&planned("k", Channel::Sms, "it-jour"), &r)[0];
        let (_, text) = compose(sms, Some("https://r/ack/x"));
        assert!(
            text.starts_with("Driftstörning i Lifecare SP: Lifecare SP") && text.ends_with("Kvittera: https://r/ack/x")
        );
    }

    #[test]
    fn an_unsent_message_follows_the_plan_and_a_sent_one_keeps_what_it_was_sent_with() {
        let r = recipients();
        let p = planned("k", Channel::Email, "it-jour");
        let m = &one(&p, &r)[0];
        let s = fold(m, &[]);
        assert_eq!(replan(m, &s, &p), None, "nothing changed");
        let mut later = p.clone();
        later.due_at = t("2026-11-24T08:00:00Z");
        later.body = "Nytt beräknat slut: 14.00.".into();
        let change = replan(m, &s, &later).unwrap();
        let s = fold(m, &[ev(m, 0, "2026-11-23T07:30:00Z", change.clone())]);
        assert_eq!(s.next_at, Some(later.due_at));
        assert_eq!(effective(m, &s).body, "Nytt beräknat slut: 14.00.");
        assert_eq!(replan(m, &s, &later), None, "already up to date");
        assert_eq!(step(m, &s, t("2026-11-23T08:00:00Z"), None), Step::Wait, "the old due time no longer counts");
        assert!(matches!(withdraw(&s), Some(DeliveryChange::Skipped { .. })));
        let claimed = DeliveryChange::Claimed { attempt: 1, token_hash: None };
        let sent = fold(
            m,
            &[
                ev(m, 0, "2026-11-23T08:00:00Z", claimed),
                ev(m, 1, "2026-11-23T08:00:01Z", DeliveryChange::Sent { receipt: "250".into() }),
            ],
        );
        assert_eq!((replan(m, &sent, &later), withdraw(&sent)), (None, None));
    }

    #[test]
    fn recipients_files_are_checked() {
        let ok = "[[person]]\nid = \"a\"\nname = \"Anna Å\"\nemail = \"a@example.org\"\nphone = \"070-1234567\"\ngroups = [\"it-jour\", \"chefer\"]\n";
        let r = parse_recipients("r.toml", ok).unwrap();
        assert_eq!(r["chefer"][0].name, "Anna Å");
        let bad = "[[person]]\nid = \"a\"\nname = \"A\"\nemail = \"nope\"\nphone = \"12\"\ngroups = []\n";
        let errs = parse_recipients("r.toml", bad).unwrap_err();
        let got: Vec<(Option<usize>, String)> = errs.iter().map(|e| (e.line, e.code())).collect();
        assert_eq!(
            got,
            [
                (Some(4), "recipients_invalid_email".to_owned()),
                (Some(5), "recipients_invalid_phone".to_owned()),
                (Some(6), "recipients_no_recipients".to_owned()),
            ]
        );
        let twice = format!("{ok}{}", ok.replace("\"it-jour\", ", "\"it-jour\", \"it-jour\", "));
        let errs = parse_recipients("r.toml", &twice).unwrap_err();
        let codes: Vec<String> = errs.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["recipients_duplicate_person", "recipients_duplicate_recipient"], "{errs:?}");
        let e = parse_recipients("r.toml", "[[persn]]\n").unwrap_err();
        assert!(e[0].to_string().starts_with("r.toml:1: not a recipients file"), "{}", e[0]);
    }
}
