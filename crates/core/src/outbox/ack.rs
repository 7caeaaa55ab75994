//! Acknowledgement and requeue rules, the acknowledgement link, and the text
//! of a message as sent ([`acknowledge`], [`requeue`], [`compose`]).

use super::*;

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

/// The text actually sent: the planned body, the page about the outage its
/// reader can open (`outage_url`, chosen by `crate::notify::outage_url_for`:
/// the outage's own page for a reader with an account, else its public
/// facts; not in an SMS, which stays one short paragraph), then the
/// acknowledgement link.
pub fn compose(msg: &OutboxMessage, outage_url: Option<&str>, ack_url: Option<&str>) -> (String, String) {
    let mut body = match msg.channel {
        Channel::Sms => format!("{}: {}", msg.subject.trim(), msg.body.trim()),
        _ => msg.body.trim().to_owned(),
    };
    if let Some(url) = outage_url
        && msg.channel != Channel::Sms
    {
        body.push_str(&format!("\n\nAvbrottet i Reserv: {url}"));
    }
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
