//! Trying a notification plan before any outage ("Provkör utskicksplanen"):
//! an imagined outage (system, kind, start, expected end, when it is
//! declared and restored) is checked like a real one and given to the same
//! planner ([`plan`]) that plans real outages, so a region can ask "what
//! would be sent if Melior stopped unplanned on Midsummer Eve at 10:00 for
//! 45 minutes?". Office hours and on-call time are judged at the given
//! times, never at the clock. Each message comes with its rule in words and
//! the seed sentence the rule cites.
//!
//! Decisions where the seeds are silent:
//!
//! - **When it is declared.** Without a declaration time an unplanned outage
//!   is declared at its start (it is noticed when it happens), and a planned
//!   one in good time: one day before the earliest message the policy sends
//!   before the start (and at least one day before the start), so every
//!   "before the start" message is on time. The plan says that the time was
//!   assumed.
//! - **Impossible times** are refused with the field they are about: an
//!   expected end or restore time at or before the start, an unplanned
//!   outage declared before it started (the register refuses the same), a
//!   restore before the declaration.

use super::*;
use crate::error::{DomainError, Field};
use crate::time::holiday;

/// An imagined outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trial {
    pub system: SystemId,
    /// The name shown in messages, e.g. "Melior".
    pub system_name: String,
    pub kind: OutageKind,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    /// `None`: assumed (see the module doc).
    pub declared_at: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    /// For `{routine_link}`.
    pub routine_link: String,
}

/// One message of a tried plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialMessage {
    #[serde(flatten)]
    pub message: PlannedMessage,
    /// The recipient group's name.
    pub group_name: String,
    /// Whether the message is due in office hours (else on-call time).
    pub office_hours: bool,
    /// The Swedish public holiday the message falls on, if any.
    pub holiday: Option<&'static str>,
    /// The rule in words (kind, duration, trigger, time), in Swedish.
    pub rule_text: String,
}

/// A tried plan: the facts as the planner saw them and every message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialPlan {
    pub declared_at: Timestamp,
    /// The declaration time was not given but assumed.
    pub declared_at_assumed: bool,
    pub messages: Vec<TrialMessage>,
}

/// Checks an imagined outage and plans it with `policy`.
pub fn trial(policy: &Policy, t: &Trial) -> Result<TrialPlan, DomainError> {
    if !policy.covers(&t.system) {
        return Err(DomainError::Invalid {
            field: Field::System,
            message: format!("policyn gäller inte {}.", t.system_name),
        });
    }
    if t.expected_end.is_some_and(|e| e <= t.start) {
        return Err(DomainError::EndBeforeStart { field: Field::ExpectedEnd });
    }
    if t.restored_at.is_some_and(|r| r <= t.start) {
        return Err(DomainError::EndBeforeStart { field: Field::RestoredAt });
    }
    let declared_at = match t.declared_at {
        Some(d) => d,
        None if t.kind == OutageKind::Unplanned => t.start,
        None => assumed_declaration(policy, t.start),
    };
    // As the register: an unplanned outage is declared once it has begun.
    if t.kind == OutageKind::Unplanned && declared_at < t.start {
        return Err(DomainError::Invalid {
            field: Field::DeclaredAt,
            message: "ett oplanerat avbrott registreras när det har börjat, inte före starttiden.".into(),
        });
    }
    if t.restored_at.is_some_and(|r| r < declared_at) {
        return Err(DomainError::Invalid {
            field: Field::RestoredAt,
            message: "kan inte vara före tiden då avbrottet registreras.".into(),
        });
    }
    let mut facts =
        OutageFacts::declared(t.system.clone(), t.system_name.clone(), declared_at, t.kind, t.start, t.expected_end)
            .with_routine_link(t.routine_link.clone());
    if let Some(r) = t.restored_at {
        facts = facts.restored(r);
    }
    let messages = plan(policy, &facts)
        .into_iter()
        .map(|m| {
            let group_name = policy.group(&m.group).map(|g| g.name.clone()).unwrap_or_default();
            let rule_text = policy.rule(&m.rule).map(|r| r.describe_sv()).unwrap_or_default();
            TrialMessage {
                office_hours: is_office_hours(m.due_at),
                holiday: holiday(local(m.due_at).date()),
                group_name,
                rule_text,
                message: m,
            }
        })
        .collect();
    Ok(TrialPlan { declared_at, declared_at_assumed: t.declared_at.is_none(), messages })
}

/// A planned outage's assumed declaration: one day before the earliest
/// message the policy sends before `start`, and at least one day before it.
fn assumed_declaration(policy: &Policy, start: Timestamp) -> Timestamp {
    let day = Period { amount: 1, unit: Unit::Days };
    let earliest = policy
        .rules
        .iter()
        .filter_map(|r| match r.trigger {
            Trigger::BeforeStart { before, .. } => Some(match r.time {
                TimeCondition::OfficeHours => office_hours_at_or_before(before.before(start)),
                _ => before.before(start),
            }),
            _ => None,
        })
        .chain(std::iter::once(start))
        .min()
        .unwrap_or(start);
    day.before(earliest)
}

impl Period {
    /// "30 minuter", "1 dag", "21 dagar".
    pub fn label_sv(self) -> String {
        let n = self.amount;
        let unit = match (self.unit, n) {
            (Unit::Days, 1) => "dag",
            (Unit::Days, _) => "dagar",
            (Unit::Hours, 1) => "timme",
            (Unit::Hours, _) => "timmar",
            (Unit::Minutes, 1) => "minut",
            (Unit::Minutes, _) => "minuter",
        };
        format!("{n} {unit}")
    }
}

impl Rule {
    /// The rule in words: which outages, when and at what time of day, e.g.
    /// "Oplanerade avbrott som beräknas pågå längre än 30 minuter; när
    /// avbrottet registreras; jourtid".
    pub fn describe_sv(&self) -> String {
        let mut which = match self.kind {
            KindFilter::Planned => "Planerade avbrott".to_owned(),
            KindFilter::Unplanned => "Oplanerade avbrott".to_owned(),
            KindFilter::Any => "Alla avbrott".to_owned(),
        };
        if let Some(p) = self.expected_longer_than {
            which.push_str(&format!(" som beräknas pågå längre än {}", p.label_sv()));
        }
        let when = match self.trigger {
            Trigger::Declared => "när avbrottet registreras".to_owned(),
            Trigger::Restored => "vid driftstart".to_owned(),
            Trigger::BeforeStart { before, when_late } => {
                let late = match when_late {
                    WhenLate::AtDeclaration => "registreras avbrottet senare skickas det genast",
                    WhenLate::Skip => "registreras avbrottet senare skickas det inte",
                };
                format!("{} före start ({late})", before.label_sv())
            }
        };
        let time = match self.time {
            TimeCondition::OfficeHours => "dagtid (vardagar 07.30–16.30)",
            TimeCondition::OnCall => "jourtid",
            TimeCondition::Any => "all tid",
        };
        let mut text = format!("{which}; {when}; {time}");
        if !self.escalations.is_empty() {
            text.push_str("; går vidare om ingen kvitterar");
        }
        text
    }
}
