//! A message's delivery timeline ([`DeliveryEvent`]) folded into its state
//! ([`fold`]), and the changes a new plan makes to messages not yet sent
//! ([`replan`], [`withdraw`]).

use super::*;

vocabulary!(
    /// How an acknowledgement was given.
    AckVia, "kvittenssätt", "acknowledgement channel" {
        /// The link in the message (no login).
        Link = "link", "Länken i meddelandet", "The link in the message";
        /// The outage page, logged in.
        Ui = "ui", "Avbrottets sida", "The outage page";
        /// `POST /api/v1/messages/{id}/acknowledge`.
        Api = "api", "API", "API";
    }
);

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

vocabulary!(
    /// A message's delivery status.
    Status, "leveransstatus", "delivery status" {
        Queued = "queued", "Köad", "Queued";
        Sending = "sending", "Skickas", "Sending";
        Sent = "sent", "Skickad", "Sent";
        Retrying = "retrying", "Nytt försök väntar", "Retrying";
        Failed = "failed", "Misslyckades", "Failed";
        Unknown = "unknown", "Okänt om det kom fram", "Unknown";
        Skipped = "skipped", "Skickades inte", "Skipped";
    }
);

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

/// Whether a message was marked as a drill's ([`mark_drill`]).
pub fn is_drill(subject: &str) -> bool {
    subject.starts_with("ÖVNING")
}

/// Marks a planned message of a practice outage (övning), so that nobody
/// takes it for a real stop while the notification chain is exercised.
pub fn mark_drill(p: &mut Planned) {
    if !is_drill(&p.subject) {
        p.subject = format!("ÖVNING – {}", p.subject);
        p.body = format!("Detta är en övning, inget verkligt driftstopp.\n\n{}", p.body);
    }
}
