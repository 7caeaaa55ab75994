//! A planned message for one recipient ([`OutboxMessage`]) and how a plan's
//! message for a group becomes one per person ([`expand`]).

use super::*;

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
