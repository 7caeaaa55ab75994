//! The pure planner ([`plan`]): a policy and an outage's facts give every
//! message the outage calls for, past and future, each with a stable key.

use super::*;

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
