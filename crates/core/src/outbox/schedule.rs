//! What is due and what happens after an attempt: backoff and retries
//! ([`RetryPolicy`]), stale claims, escalation ([`step`], [`outcome`]).

use super::*;

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
