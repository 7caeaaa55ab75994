//! Trying the notification plan before an outage ("Provkör utskicksplanen"):
//! the one path behind `reserv notifications plan` and the page for IT.
//! [`try_plan`] parses what was typed (every problem names its field), and
//! `reserv_core::notify::trial` plans the imagined outage with the same
//! planner that plans real ones; this module turns the answer into rows a
//! person reads: due time in Stockholm time and UTC, office hours or
//! on-call time (with the holiday), channel, sender, recipient group, text,
//! the rule in words and the seed sentence it cites.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use reserv_core::catalogue::Catalogue;
use reserv_core::error::{DomainError, Field};
use reserv_core::ids::SystemId;
use reserv_core::notify::{self, Policy, Trial};
use reserv_core::outage::OutageKind;
use reserv_core::time::{format_local, parse_exact_time};

use crate::{App, AppError, Principal};

/// The built-in notification policies (data/notifications): what the page
/// tries when no policy is configured, so a region can see them before it
/// adopts one.
pub const BUILTIN_NOTIFICATION_POLICIES: [(&str, &str); 2] = [
    ("003-gavleborg.toml", include_str!("../../../data/notifications/003-gavleborg.toml")),
    ("004-solvesborg.toml", include_str!("../../../data/notifications/004-solvesborg.toml")),
];

/// What a person typed: every value as text, parsed here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrialInput {
    pub system: String,
    /// `planned` or `unplanned`; required, no default.
    pub kind: String,
    pub start: String,
    pub expected_end: String,
    /// Empty: assumed (see `reserv_core::notify::trial`).
    pub declared_at: String,
    pub restored_at: String,
}

/// One message of a tried plan, as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct TrialRow {
    pub due_at: Timestamp,
    /// `2026-06-19 10:00`, Stockholm time.
    pub due_local: String,
    /// `2026-06-19 08:00`, UTC.
    pub due_utc: String,
    pub office_hours: bool,
    /// "dagtid", or "jourtid", "jourtid (Midsommarafton)".
    pub time_sv: String,
    pub holiday: Option<&'static str>,
    pub channel: notify::Channel,
    pub channel_sv: &'static str,
    pub sender: notify::SenderRole,
    pub sender_sv: &'static str,
    /// The recipient group's id (JSON only) and name.
    pub group: String,
    pub group_name: String,
    pub subject: String,
    pub body: String,
    /// The rule's id (JSON only) and the rule in words.
    pub rule: String,
    pub rule_text: String,
    /// The seed sentence the rule cites.
    pub cite: String,
    /// Stable message key (JSON only).
    pub key: String,
    /// For an escalation: sent only if the earlier message is unacknowledged.
    pub escalation_sv: Option<String>,
}

/// A tried plan.
#[derive(Debug, Clone, Serialize)]
pub struct TrialView {
    /// The titles of the policies tried, with owner.
    pub policies: Vec<String>,
    pub system: SystemId,
    pub system_name: String,
    pub kind: OutageKind,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub declared_at: Timestamp,
    pub declared_at_assumed: bool,
    pub restored_at: Option<Timestamp>,
    pub messages: Vec<TrialRow>,
}

fn optional_time(field: Field, raw: &str) -> Result<Option<Timestamp>, DomainError> {
    if raw.trim().is_empty() { Ok(None) } else { parse_exact_time(field, raw).map(Some) }
}

/// `2026-06-19 08:00` in UTC.
pub fn format_utc(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M").to_string()
}

/// Tries `policies` (every one that covers the system, as a real outage is
/// planned) on the imagined outage `input`. `base_url`: Reserv's public
/// address, for the links in the texts.
pub fn try_plan(
    policies: &[&Policy],
    catalogue: &Catalogue,
    input: &TrialInput,
    base_url: Option<&str>,
) -> Result<TrialView, DomainError> {
    if input.system.trim().is_empty() {
        return Err(DomainError::Required { field: Field::System });
    }
    let system = catalogue.resolve(&input.system)?;
    if input.kind.trim().is_empty() {
        return Err(DomainError::Required { field: Field::Kind });
    }
    let kind = OutageKind::parse(&input.kind)?;
    let start = parse_exact_time(Field::Start, &input.start)?;
    let trial = Trial {
        system: system.id.clone(),
        system_name: system.name.clone(),
        kind,
        start,
        expected_end: optional_time(Field::ExpectedEnd, &input.expected_end)?,
        declared_at: optional_time(Field::DeclaredAt, &input.declared_at)?,
        restored_at: optional_time(Field::RestoredAt, &input.restored_at)?,
        // Without a public address the path alone shows where the link leads.
        routine_link: notify::routine_url(base_url.unwrap_or_default(), &system.id),
    };
    let covering: Vec<&Policy> = policies.iter().copied().filter(|p| p.covers(&system.id)).collect();
    if covering.is_empty() {
        return Err(DomainError::Invalid {
            field: Field::System,
            message: format!("ingen utskickspolicy gäller {}.", system.name),
        });
    }
    let mut declared_at = None;
    let mut planned: Vec<(notify::TrialMessage, &Policy)> = Vec::new();
    for policy in &covering {
        let p = notify::trial(policy, &trial)?;
        declared_at = Some((p.declared_at, p.declared_at_assumed)).max(declared_at);
        for m in p.messages {
            if !planned.iter().any(|(x, _)| x.message.key == m.message.key) {
                planned.push((m, policy));
            }
        }
    }
    planned.sort_by_key(|(m, _)| m.message.due_at);
    let (declared_at, declared_at_assumed) = declared_at.unwrap_or((start, true));
    let messages = planned
        .into_iter()
        .map(|(m, policy)| {
            let time_sv = match (m.office_hours, m.holiday) {
                (true, _) => "dagtid".to_owned(),
                (false, Some(h)) => format!("jourtid ({h})"),
                (false, None) => "jourtid".to_owned(),
            };
            let escalation_sv = m.message.unless_acknowledged.as_ref().map(|k| {
                let earlier = k.split(':').nth(1).and_then(|g| policy.group(g)).map(|g| g.name.as_str());
                format!(
                    "Skickas bara om {} inte har kvitterat det föregående meddelandet.",
                    earlier.map(notify::lower_first).unwrap_or_else(|| "ingen".into())
                )
            });
            TrialRow {
                due_at: m.message.due_at,
                due_local: format_local(m.message.due_at),
                due_utc: format_utc(m.message.due_at),
                office_hours: m.office_hours,
                time_sv,
                holiday: m.holiday,
                channel: m.message.channel,
                channel_sv: m.message.channel.label_sv(),
                sender: m.message.sender,
                sender_sv: m.message.sender.label_sv(),
                group: m.message.group.clone(),
                group_name: m.group_name,
                subject: m.message.subject,
                body: m.message.body,
                rule: m.message.rule,
                rule_text: m.rule_text,
                cite: m.message.cite,
                key: m.message.key,
                escalation_sv,
            }
        })
        .collect();
    Ok(TrialView {
        policies: covering.iter().map(|p| format!("{} ({})", p.title, p.owner)).collect(),
        system: system.id.clone(),
        system_name: system.name.clone(),
        kind,
        start,
        expected_end: trial.expected_end,
        declared_at,
        declared_at_assumed,
        restored_at: trial.restored_at,
        messages,
    })
}

/// The page "Provkör utskicksplanen": the choices and, once asked, the plan
/// or the problem (at its field).
#[derive(Debug, Clone)]
pub struct TrialPage {
    /// The policies tried: the configured ones, else the built-in ones.
    pub policies: Vec<String>,
    pub builtin: bool,
    /// The systems some policy covers (id, name).
    pub systems: Vec<(SystemId, String)>,
    pub result: Option<Result<TrialView, DomainError>>,
}

impl App {
    fn trial_policies(&self) -> (Vec<Arc<Policy>>, bool) {
        if !self.notify.policies.is_empty() {
            return (self.notify.policies.clone(), false);
        }
        let builtin = BUILTIN_NOTIFICATION_POLICIES
            .iter()
            .filter_map(|(name, text)| notify::load(name, text, self.catalogue()).ok())
            .map(Arc::new)
            .collect();
        (builtin, true)
    }

    /// "Provkör utskicksplanen" (IT and system administrators): with
    /// `input`, the plan the policies give for that imagined outage; nothing
    /// is stored or sent.
    pub fn notification_trial(&self, p: &Principal, input: Option<&TrialInput>) -> Result<TrialPage, AppError> {
        if !reserv_core::access::Permissions::of(p.user.role).manages_outages {
            return Err(AppError::Forbidden);
        }
        let (policies, builtin) = self.trial_policies();
        let refs: Vec<&Policy> = policies.iter().map(Arc::as_ref).collect();
        let systems = self
            .catalogue()
            .systems()
            .iter()
            .filter(|s| refs.iter().any(|p| p.covers(&s.id)))
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let base = self.notify.config.as_ref().and_then(|c| c.public_url.clone());
        let result = input.map(|i| try_plan(&refs, self.catalogue(), i, base.as_deref()));
        Ok(TrialPage {
            policies: refs.iter().map(|p| format!("{} ({})", p.title, p.owner)).collect(),
            builtin,
            systems,
            result,
        })
    }
}
