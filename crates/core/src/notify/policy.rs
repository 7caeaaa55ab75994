//! A checked notification policy: its recipient groups, rules and
//! escalation waves, and the office-hours rule the planner uses.

use super::*;

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
    /// Whether the rule's kind and duration conditions hold for one
    /// estimate of these facts. The kind is the one the outage is announced
    /// as ([`OutageFacts::announced_kind`]).
    pub fn holds(&self, facts: &OutageFacts, e: &Estimate) -> bool {
        let long_enough = match (self.expected_longer_than, e.expected_end) {
            (None, _) | (Some(_), None) => true,
            (Some(min), Some(end)) => end.duration_since(e.start) > min.duration(),
        };
        self.kind.matches(facts.announced_kind(e)) && long_enough
    }

    /// When the rule fires for these facts, if it does (see the module doc).
    pub fn fires_at(&self, facts: &OutageFacts) -> Option<Timestamp> {
        match self.trigger {
            Trigger::Declared => {
                let at = facts.estimates.iter().find(|e| self.holds(facts, e))?.at;
                self.time.holds(at).then_some(at)
            }
            Trigger::Restored => {
                let at = facts.restored_at?;
                let communicated = facts.estimates.iter().any(|e| self.holds(facts, e));
                (communicated && self.time.holds(at)).then_some(at)
            }
            Trigger::BeforeStart { before, when_late } => {
                let current = facts.current();
                let declared = facts.declared_at();
                if !self.holds(facts, current) || declared >= current.start {
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
    pub(super) system_refs: Vec<(SystemId, usize)>,
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
