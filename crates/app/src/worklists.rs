//! Back-entry worklists of an ended outage of a coordinated-discharge system
//! (PRATOR, Lifecare SP): the engine (`reserv_core::backentry`) runs on the
//! episodes and calls of the handover log with the policy set for the system,
//! and each party works through its own lines (`reserv_core::worklist`).
//!
//! An episode belongs to an outage if it was registered in Reserv during the
//! outage, or if a call about it was logged while the outage was ongoing.
//! A person sees only the lines of their own organisation (the chain of care);
//! the completion report and the statistics hold no patient data and are for
//! unit managers, IT, system administrators and auditors.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::DomainError;
use reserv_core::backentry::{self, Call, EpisodeInput, Policy, SipInput, Window};
use reserv_core::episode::{Episode, EpisodeEvent, LogEntry};
use reserv_core::identity::PatientId;
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, SystemId};
use reserv_core::org::Role;
use reserv_core::outage::{Actor as TimelineActor, Outage};
use reserv_core::payment::{self, PaymentStart};
use reserv_core::sip::SipRecord;
use reserv_core::statistics::{self, Statistics};
use reserv_core::time::local;
use reserv_core::worklist::{self, ItemKey, Progress, WorkChange, WorkEvent, WorkLine, WorkStatus};
use reserv_store::StoreError;

use crate::{Actor, App, AppError, Principal};

/// The back-entry policies shipped with Reserv (data/policies).
pub const BUILTIN_POLICIES: [(&str, &str); 3] = [
    ("prator-vasterbotten-2023.toml", include_str!("../../../data/policies/prator-vasterbotten-2023.toml")),
    (
        "lifecare-sp-vasternorrland-2025.toml",
        include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml"),
    ),
    ("prator-long-outage-2024.toml", include_str!("../../../data/policies/prator-long-outage-2024.toml")),
];

/// Checks policy files; every problem of every file, one per line.
pub fn load_policies<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<BTreeMap<String, Arc<Policy>>, String> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, text) in files {
        match backentry::check_policy(name, text) {
            Ok(p) => {
                if out.contains_key(&p.id) {
                    problems.push(format!("{name}: policy-id ”{}” finns redan i en annan fil", p.id));
                }
                out.insert(p.id.clone(), Arc::new(p));
            }
            Err(errors) => problems.extend(errors.iter().map(|e| e.message_sv())),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems.join("\n")) }
}

/// The built-in policies; they are checked by this crate's tests.
pub fn builtin_policies() -> BTreeMap<String, Arc<Policy>> {
    load_policies(BUILTIN_POLICIES).unwrap_or_default()
}

/// The policy's identity, for people and for the API.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub source: String,
}

/// One line of a worklist with the patient and the payment start.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineView {
    #[serde(flatten)]
    pub line: WorkLine,
    pub patient: PatientId,
    /// Municipal payment responsibility, if a ready-for-discharge notice was logged.
    pub payment: Option<PaymentStart>,
}

/// The caller's worklist for one outage.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklistView {
    pub outage_id: OutageId,
    pub system: reserv_core::ids::SystemId,
    pub policy: PolicyInfo,
    pub window: Window,
    pub org: OrgId,
    /// The organisation's name as the directory gives it.
    pub org_name: String,
    /// Whether the caller may also read the completion report.
    pub reads_report: bool,
    pub lines: Vec<LineView>,
    pub progress: Progress,
}

/// Progress of one organisation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgProgress {
    pub org: OrgId,
    pub name: String,
    #[serde(flatten)]
    pub progress: Progress,
}

/// The completion report of an outage's back-entry: no patient data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackEntryReport {
    pub outage_id: OutageId,
    pub system: reserv_core::ids::SystemId,
    pub policy: PolicyInfo,
    pub window: Window,
    pub generated_at: Timestamp,
    pub episodes: usize,
    pub total: Progress,
    pub complete: bool,
    pub units: Vec<OrgProgress>,
    /// Resolved items after each change, in time order.
    pub progress_over_time: Vec<(Timestamp, usize)>,
    pub statistics: Statistics,
    /// The names of the organisations the report and its statistics name.
    pub org_names: BTreeMap<OrgId, String>,
}

/// What a person does to a line, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkInput {
    pub key: String,
    /// `assign`, `done`, `skip` or `reopen`.
    pub action: String,
    #[serde(default)]
    pub reason: String,
    /// For `assign`; empty means the caller.
    #[serde(default)]
    pub assignee: String,
}

/// Everything computed for one outage.
struct Computed {
    outage: Outage,
    policy: Arc<Policy>,
    window: Window,
    patients: HashMap<EpisodeId, PatientId>,
    inputs: Vec<EpisodeInput>,
    lines: Vec<WorkLine>,
    payments: BTreeMap<EpisodeId, PaymentStart>,
}

fn may_read_report(role: Role) -> bool {
    reserv_core::access::Permissions::of(role).reads_reports
}

impl App {
    /// The back-entry policy configured for a system, if any.
    fn backentry_policy(&self, system: &SystemId) -> Option<Arc<Policy>> {
        self.settings.backentry_policies.get(system.as_str()).and_then(|pid| self.policies.get(pid)).cloned()
    }

    /// Whether an outage has back-entry worklists: it has ended, and its
    /// system has a back-entry policy (PRATOR and Lifecare SP by default).
    pub fn has_worklists(&self, outage: &Outage) -> bool {
        outage.restored_at.is_some() && self.backentry_policy(&outage.system).is_some()
    }

    async fn compute_backentry(&self, id: OutageId) -> Result<Computed, AppError> {
        let events = self.store.outage_events(id).await?;
        if events.is_empty() {
            return Err(AppError::NotFound);
        }
        let outage = Outage::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
        self.compute_backentry_for(outage).await
    }

    /// The worklists of an outage already read and folded.
    async fn compute_backentry_for(&self, outage: Outage) -> Result<Computed, AppError> {
        let id = outage.id;
        let Some(end) = outage.restored_at else { return Err(DomainError::OutageNotEnded.into()) };
        let policy = self
            .backentry_policy(&outage.system)
            .ok_or_else(|| DomainError::NoBackEntryPolicy { system: outage.system.to_string() })?;
        let window = Window { start: outage.start, end };

        let mut by: BTreeMap<EpisodeId, Vec<EpisodeEvent>> = BTreeMap::new();
        for ev in self.store.episodes_of_outage(id, window.start, window.end).await? {
            by.entry(ev.episode_id).or_default().push(ev);
        }
        let ids: Vec<EpisodeId> = by.keys().copied().collect();
        let mut entries: HashMap<EpisodeId, Vec<LogEntry>> = HashMap::new();
        for e in self.store.log_entries(&ids).await? {
            entries.entry(e.episode_id).or_default().push(e);
        }
        let mut sip_records: HashMap<EpisodeId, Vec<SipRecord>> = HashMap::new();
        for r in self.store.sip_records(&ids).await? {
            sip_records.entry(r.episode_id).or_default().push(r);
        }
        let mut patients = HashMap::new();
        let mut inputs = Vec::new();
        let mut sips: Vec<SipInput> = Vec::new();
        for events in by.into_values() {
            let registered_during = events.first().is_some_and(|e| e.at >= window.start && e.at <= window.end);
            let e = Episode::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
            let log = entries.remove(&e.id).unwrap_or_default();
            let records = sip_records.remove(&e.id).unwrap_or_default();
            let tagged = log.iter().any(|x| x.outages.contains(&id)) || records.iter().any(|r| r.outages.contains(&id));
            // A drill's worklists hold practice episodes only, a real outage's real ones only.
            if e.drill != outage.drill || (!registered_during && !tagged) {
                continue;
            }
            let contacts: Vec<_> = log.iter().map(LogEntry::contact).collect();
            let mut input = EpisodeInput::from(&e);
            input.calls = Call::from_contacts(&e.facts, &contacts);
            let current = reserv_core::sip::current(&records);
            input.sips_agreed = current.iter().filter_map(|r| r.agreed()).collect();
            sips.extend(current.iter().map(|r| r.input()));
            patients.insert(e.id, e.patient.clone());
            inputs.push(input);
        }
        let today = local(self.now()).date();
        let decisions = backentry::reconcile(&policy, window, &inputs, today);
        let work = self.store.work_events(id).await?;
        let mut lines = worklist::build(&decisions, &inputs, &work);
        // SIP decisions only where the policy has SIP rows (002); elsewhere a
        // SIP acts through the episode's items (the invitation to send).
        if policy.rules.iter().any(|r| r.subject == backentry::Subject::Sip) {
            let sip_decisions = backentry::reconcile_sips(&policy, &sips, today);
            lines.extend(worklist::build_sips(&sip_decisions, &sips, &inputs, &work));
        }
        let payments = inputs
            .iter()
            .filter_map(|i| {
                let at = payment::notice_time(&i.calls)?;
                Some((i.id, payment::payment_start(&self.settings.payment, at, i.facts.discharged_at, today)))
            })
            .collect();
        Ok(Computed { outage, policy, window, patients, inputs, lines, payments })
    }

    fn policy_info(p: &Policy) -> PolicyInfo {
        PolicyInfo { id: p.id.clone(), name: p.name.clone(), version: p.version.clone(), source: p.source.clone() }
    }

    /// The caller's organisation's worklist for an ended outage (audited read).
    pub async fn worklist(&self, p: &Principal, id: OutageId) -> Result<WorklistView, AppError> {
        let c = self.compute_backentry(id).await?;
        let org = p.user.org.clone();
        let lines: Vec<LineView> = c
            .lines
            .into_iter()
            .filter(|l| l.org == org)
            .filter_map(|line| {
                Some(LineView {
                    patient: c.patients.get(&line.episode)?.clone(),
                    payment: c.payments.get(&line.episode).copied(),
                    line,
                })
            })
            .collect();
        let mut progress = Progress::default();
        for l in &lines {
            progress.merge(l.line.progress());
        }
        let detail = format!("{} lines", lines.len());
        let patients: BTreeMap<EpisodeId, &PatientId> = lines.iter().map(|l| (l.line.episode, &l.patient)).collect();
        let target = Some(format!("outage:{id}"));
        self.audit_read(Actor::Person(&p.user), &p.origin, "worklist.read", target, detail, patients).await?;
        Ok(WorklistView {
            outage_id: id,
            system: c.outage.system.clone(),
            policy: Self::policy_info(&c.policy),
            window: c.window,
            org_name: self.store.organisation(&org).await?.map(|o| o.name).unwrap_or_else(|| org.to_string()),
            org,
            reads_report: may_read_report(p.user.role),
            lines,
            progress,
        })
    }

    /// Assign, mark done, skip or reopen one line of the caller's worklist.
    pub async fn work_on_item(&self, p: &Principal, id: OutageId, input: WorkInput) -> Result<WorkStatus, AppError> {
        let key = ItemKey::parse(&input.key)?;
        let change = match input.action.trim() {
            "assign" => WorkChange::Assigned {
                to: if input.assignee.trim().is_empty() { p.user.display_name.clone() } else { input.assignee },
            },
            "done" => WorkChange::Done { note: input.reason },
            "skip" => WorkChange::Skipped { reason: input.reason },
            "reopen" => WorkChange::Reopened { reason: input.reason },
            other => {
                return Err(DomainError::UnknownValue {
                    field: reserv_core::Field::Kind,
                    value: other.chars().take(40).collect(),
                }
                .into());
            }
        };
        let c = self.compute_backentry(id).await?;
        // Only the organisation that plays the party may work on its lines; to
        // anyone else the line does not exist.
        // Asking for another party's line (or none) is audited, alike.
        let Some(item) = c.lines.iter().filter(|l| l.org == p.user.org).flat_map(|l| &l.items).find(|i| i.key == key)
        else {
            let detail: String = input.key.trim().chars().take(200).collect();
            let audit = self.audit(
                Actor::Person(&p.user),
                &p.origin,
                "worklist.line_refused",
                Some(format!("outage:{id}")),
                detail,
            );
            self.store.append_audit(audit).await?;
            return Err(AppError::NotFound);
        };
        let Some(status) = &item.status else {
            return Err(DomainError::Invalid {
                field: reserv_core::Field::WorkItem,
                message: "raden ska inte efterregistreras och behöver ingen åtgärd.".into(),
            }
            .into());
        };
        let change = worklist::check_change(status, change)?;
        let action = match change {
            WorkChange::Assigned { .. } => "worklist.assigned",
            WorkChange::Done { .. } => "worklist.done",
            WorkChange::Skipped { .. } => "worklist.skipped",
            WorkChange::Reopened { .. } => "worklist.reopened",
        };
        let event = WorkEvent {
            id: EntryId(Uuid::now_v7()),
            outage_id: id,
            key,
            at: self.now(),
            actor: TimelineActor { user_id: Some(p.user.id), name: p.user.display_name.clone() },
            org: p.user.org.clone(),
            node: self.store.node_id().to_owned(),
            change,
        };
        let after = status.history.iter().max_by_key(|e| (e.at, e.id)).map(|e| e.id);
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, action, Some(format!("outage:{id}")), key.to_string());
        self.store.append_work_event(event.clone(), after, audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        let mut history = status.history.clone();
        history.push(event);
        Ok(WorkStatus::fold(&history))
    }

    /// The completion report and statistics of an outage's back-entry.
    pub async fn backentry_report(&self, p: &Principal, id: OutageId) -> Result<BackEntryReport, AppError> {
        if !may_read_report(p.user.role) {
            return Err(AppError::Forbidden);
        }
        let c = self.compute_backentry(id).await?;
        self.report_of(c).await
    }

    /// The completion report of an outage already read and folded (the
    /// caller has checked that `p` may read it).
    pub(crate) async fn backentry_report_for(&self, outage: Outage) -> Result<BackEntryReport, AppError> {
        let c = self.compute_backentry_for(outage).await?;
        self.report_of(c).await
    }

    async fn report_of(&self, c: Computed) -> Result<BackEntryReport, AppError> {
        let id = c.outage.id;
        let (by_org, total) = worklist::progress_by_org(&c.lines);
        let org_names: BTreeMap<OrgId, String> =
            self.store.organisations().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let names = &org_names;
        let units = by_org
            .into_iter()
            .map(|(org, progress)| OrgProgress {
                name: names.get(&org).cloned().unwrap_or_else(|| org.to_string()),
                org,
                progress,
            })
            .collect();
        let statistics = statistics::statistics(c.window, &c.inputs, &c.lines, &c.payments);
        Ok(BackEntryReport {
            outage_id: id,
            system: c.outage.system.clone(),
            policy: Self::policy_info(&c.policy),
            window: c.window,
            generated_at: self.now(),
            episodes: c.inputs.len(),
            complete: total.complete(),
            total,
            units,
            progress_over_time: worklist::progress_over_time(&c.lines),
            statistics,
            org_names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_policies_load_without_problems() {
        let p = load_policies(BUILTIN_POLICIES).expect("built-in policies are valid");
        assert_eq!(p.len(), 3);
        let defaults = crate::Settings::default().backentry_policies;
        for id in defaults.values() {
            assert!(p.contains_key(id), "{id}");
        }
    }

    #[test]
    fn a_broken_or_duplicate_policy_is_refused_with_the_file_named() {
        let (name, text) = BUILTIN_POLICIES[0];
        let err = load_policies([(name, text), ("kopia.toml", text)]).unwrap_err();
        assert!(err.contains("kopia.toml"), "{err}");
        let err = load_policies([("trasig.toml", "[policy\nid=")]).unwrap_err();
        assert!(err.contains("trasig.toml"), "{err}");
    }
}
