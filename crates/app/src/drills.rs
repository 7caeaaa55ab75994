//! Drills (övning): a practice outage runs the same routines, handover log,
//! worklists and deviation reports as a real one, on practice data that is
//! marked as such and kept apart — an episode registered while only drills
//! are ongoing is a drill episode; a drill's calls, worklists and statistics
//! count drill episodes only, a real outage's never do; drills never reach
//! the public status page. At the end, the drill report says what was
//! practised: episodes, calls, who was still not told, back-entry progress
//! and deviation reports. No patient data: counts only.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::Serialize;

use reserv_core::episode::{Episode, EpisodeEvent, LogEntry};
use reserv_core::handover;
use reserv_core::ids::{EpisodeId, OutageId};
use reserv_core::org::Role;
use reserv_core::outage::Outage;
use reserv_core::worklist::Progress;

use crate::{Actor, App, AppError, Principal};

/// What a drill produced, in numbers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrillReport {
    pub outage_id: OutageId,
    pub system: reserv_core::ids::SystemId,
    pub start: Timestamp,
    pub restored_at: Option<Timestamp>,
    pub generated_at: Timestamp,
    /// Practice episodes registered during the drill or with a call logged in it.
    pub episodes: usize,
    /// Calls logged during the drill (corrections included, as logged).
    pub calls: usize,
    /// Calls that corrected an earlier call.
    pub corrections: usize,
    /// Handover information still not confirmed as given, over all episodes.
    pub open_gaps: usize,
    /// Episodes with at least one open gap.
    pub episodes_with_gaps: usize,
    /// Back-entry progress, if the drill was of a coordinated-discharge system and has ended.
    pub backentry: Option<Progress>,
    pub deviation_reports: usize,
    /// Timeline entries of the drill (declared, amended, ended).
    pub timeline_entries: usize,
}

fn may_read(role: Role) -> bool {
    reserv_core::access::Permissions::of(role).reads_reports
}

impl App {
    /// The report of a drill. Refused for real outages (`NotFound`: there is
    /// no drill report to see) and for roles without the overview.
    pub async fn drill_report(&self, p: &Principal, id: OutageId) -> Result<DrillReport, AppError> {
        if !may_read(p.user.role) {
            return Err(AppError::Forbidden);
        }
        let events = self.store.outage_events(id).await?;
        if events.is_empty() {
            return Err(AppError::NotFound);
        }
        let outage = Outage::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
        if !outage.drill {
            return Err(AppError::NotFound);
        }
        let end = outage.restored_at.unwrap_or_else(|| self.now());
        let mut by: BTreeMap<EpisodeId, Vec<EpisodeEvent>> = BTreeMap::new();
        for ev in self.store.episodes_of_outage(id, outage.start, end).await? {
            by.entry(ev.episode_id).or_default().push(ev);
        }
        let ids: Vec<EpisodeId> = by.keys().copied().collect();
        let mut entries: HashMap<EpisodeId, Vec<LogEntry>> = HashMap::new();
        for e in self.store.log_entries(&ids).await? {
            entries.entry(e.episode_id).or_default().push(e);
        }
        let (mut episodes, mut calls, mut corrections, mut open_gaps, mut episodes_with_gaps) = (0, 0, 0, 0, 0);
        for events in by.into_values() {
            let registered_during = events.first().is_some_and(|e| e.at >= outage.start && e.at <= end);
            let e = Episode::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
            let log = entries.remove(&e.id).unwrap_or_default();
            let in_drill: Vec<&LogEntry> = log.iter().filter(|x| x.outages.contains(&id)).collect();
            if !e.drill || (!registered_during && in_drill.is_empty()) {
                continue;
            }
            episodes += 1;
            calls += in_drill.len();
            corrections += in_drill.iter().filter(|x| x.supersedes.is_some()).count();
            let contacts: Vec<_> = log.iter().map(LogEntry::contact).collect();
            let gaps = handover::gaps(crate::episodes::routine(&e.routine), &e.facts, &contacts);
            open_gaps += gaps.len();
            episodes_with_gaps += usize::from(!gaps.is_empty());
        }
        let backentry = match self.backentry_report(p, id).await {
            Ok(r) => Some(r.total),
            Err(AppError::Invalid(_)) => None,
            Err(e) => return Err(e),
        };
        let deviation_reports = self.store.deviations(id).await?.len();
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, "drill.report", Some(format!("outage:{id}")), String::new());
        self.store.append_audit(audit).await?;
        Ok(DrillReport {
            outage_id: id,
            system: outage.system.clone(),
            start: outage.start,
            restored_at: outage.restored_at,
            generated_at: self.now(),
            episodes,
            calls,
            corrections,
            open_gaps,
            episodes_with_gaps,
            backentry,
            deviation_reports,
            timeline_entries: outage.timeline.len(),
        })
    }
}
