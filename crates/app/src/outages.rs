//! The outage register: IT declares, amends and ends outages; everyone sees
//! them with Reserv's assessment; the public sees systems and times only.
//! Each change is validated by the core and appended to the timeline with its
//! audit record in one durable write; a concurrent change is retried against
//! the new timeline.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::error::Field;
use reserv_core::ids::{EntryId, OutageId, SystemId};
use reserv_core::outage::{
    self, Actor as TimelineActor, Amendment, Assessment, Declaration, Outage, OutageChange, OutageEvent, OutageKind,
    OutageStatus, Scope,
};
use reserv_core::time::parse_user_time;
use reserv_store::{OutageSpan, StoreError, UserRecord};

use crate::{Actor, App, AppError, Origin, Principal};

/// A declaration as typed into the form or sent to the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclareInput {
    pub system: String,
    pub kind: String,
    pub scope: String,
    pub start: String,
    #[serde(default)]
    pub expected_end: Option<String>,
    #[serde(default)]
    pub notice: String,
    /// The notice for the public: shown without login on the status page and
    /// the outage's public page (no personnummer; `notice` is for staff).
    #[serde(default)]
    pub public_notice: String,
    /// A practice outage (övning).
    #[serde(default)]
    pub drill: bool,
    /// Declare even though the same system already has an ongoing outage
    /// (without it, that answers `409 ongoing_outage_same_system`).
    #[serde(default)]
    pub confirm_same_system: bool,
}

/// An amendment as typed: empty or absent fields keep their value.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AmendInput {
    pub kind: Option<String>,
    pub scope: Option<String>,
    pub start: Option<String>,
    pub expected_end: Option<String>,
    pub notice: Option<String>,
    /// The notice for the public (an empty text removes it).
    #[serde(default)]
    pub public_notice: Option<String>,
}

/// An outage with what Reserv says about it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutageView {
    #[serde(flatten)]
    pub outage: Outage,
    pub system_name: String,
    pub status: OutageStatus,
    pub assessment: Assessment,
}

/// What the public status page shows: systems, times and the notice written
/// for the public, nothing else.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicOutage {
    pub id: OutageId,
    /// When the outage last changed (its latest timeline entry).
    pub updated_at: Timestamp,
    pub system: SystemId,
    pub system_name: String,
    pub kind: OutageKind,
    pub status: OutageStatus,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    /// The notice written for the public (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub public_notice: String,
}

/// One outage as its public page shows it: no notice written for staff,
/// no patient data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicOutageDetail {
    #[serde(flatten)]
    pub outage: PublicOutage,
    pub scope: reserv_core::outage::Scope,
    /// The system has routines (`/routines/{system}`, no login).
    pub has_routines: bool,
}

/// Ongoing first (oldest start first), then upcoming (soonest first), then
/// ended (most recently restored first).
fn sort_for_list(views: &mut [OutageView]) {
    views.sort_by_key(|v| match v.status {
        OutageStatus::Ongoing => (0, v.outage.start.as_microsecond()),
        OutageStatus::Upcoming => (1, v.outage.start.as_microsecond()),
        OutageStatus::Ended => (2, -v.outage.restored_at.unwrap_or(v.outage.start).as_microsecond()),
    });
}

fn present(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// How often a change is retried when a concurrent writer took its timeline position.
const RETRIES: usize = 5;

/// The outage list shows every outage not ended and the ones ended in the
/// last `LIST_ENDED_DAYS` days, at most `LIST_ENDED_MAX` of them, so its cost
/// does not grow with every outage ever stored. Older ones stay reachable by id.
const LIST_ENDED_DAYS: i64 = 30;
const LIST_ENDED_MAX: u32 = 200;

/// The public status shows outages restored in the last 24 hours, at most this many.
const PUBLIC_ENDED_MAX: u32 = 500;

impl App {
    pub(crate) fn view(&self, outage: Outage, now: Timestamp) -> OutageView {
        let system = self.catalogue.get(&outage.system);
        OutageView {
            system_name: system.map(|s| s.name.clone()).unwrap_or_else(|| outage.system.to_string()),
            status: outage.status(now),
            assessment: outage.assess(system),
            outage,
        }
    }

    fn require_manager(p: &Principal) -> Result<(), AppError> {
        if p.user.role.may_manage_outages() { Ok(()) } else { Err(AppError::Forbidden) }
    }

    fn parse_declaration(&self, input: &DeclareInput) -> Result<Declaration, AppError> {
        let system = self.catalogue.resolve(&input.system)?.id.clone();
        let kind = OutageKind::parse(&input.kind)?;
        let scope = Scope::parse(&input.scope)?;
        let start = parse_user_time(Field::Start, &input.start)?;
        let expected_end =
            present(input.expected_end.clone()).map(|e| parse_user_time(Field::ExpectedEnd, &e)).transpose()?;
        Ok(Declaration {
            system,
            kind,
            scope,
            start,
            expected_end,
            notice: input.notice.clone(),
            drill: input.drill,
            public_notice: input.public_notice.clone(),
        })
    }

    /// IT declares an outage. If the system already has an ongoing outage,
    /// only a declaration that confirms it (`confirm_same_system`) is taken.
    pub async fn declare_outage(&self, p: &Principal, input: DeclareInput) -> Result<OutageView, AppError> {
        Self::require_manager(p)?;
        self.declare_as(&p.user, &p.origin, input).await
    }

    /// The same system's ongoing outage, unless the declaration confirms it.
    async fn check_same_system(&self, d: &Declaration, confirmed: bool) -> Result<(), AppError> {
        if confirmed {
            return Ok(());
        }
        let now = self.now();
        // Not ended ones only: bounded by what is going on, not by history.
        let open = self.fold_all(self.store.recent_outages(now, 0).await?, now)?;
        match outage::ongoing_on_same_system(&d.system, open.iter().map(|v| &v.outage), now) {
            Some(o) => Err(AppError::OngoingOnSameSystem {
                outage: o.id,
                system_name: self
                    .catalogue
                    .get(&o.system)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| o.system.to_string()),
                start: o.start,
            }),
            None => Ok(()),
        }
    }

    /// Declares an outage in the name of `user` (also used by the demo loader).
    pub(crate) async fn declare_as(
        &self,
        user: &UserRecord,
        origin: &Origin,
        input: DeclareInput,
    ) -> Result<OutageView, AppError> {
        let declaration = self.parse_declaration(&input)?;
        // Invalid input is reported before the question about the same system.
        let change = outage::declare(declaration.clone(), self.now())?;
        self.check_same_system(&declaration, input.confirm_same_system).await?;
        let id = OutageId(Uuid::now_v7());
        let outage = self.append(user, origin, id, Vec::new(), change, "outage.declared").await?;
        let view = self.view(outage, self.now());
        // The notification plan follows every change (notifications.rs).
        self.outage_changed(id).await;
        Ok(view)
    }

    /// IT amends an outage (expected end, notice, scope, …).
    pub async fn amend_outage(&self, p: &Principal, id: OutageId, input: AmendInput) -> Result<OutageView, AppError> {
        Self::require_manager(p)?;
        let amendment = Amendment {
            kind: present(input.kind).map(|k| OutageKind::parse(&k)).transpose()?,
            scope: present(input.scope).map(|s| Scope::parse(&s)).transpose()?,
            start: present(input.start).map(|s| parse_user_time(Field::Start, &s)).transpose()?,
            expected_end: present(input.expected_end).map(|s| parse_user_time(Field::ExpectedEnd, &s)).transpose()?,
            notice: input.notice,
            public_notice: input.public_notice,
        };
        self.change(p, id, "outage.amended", |o, now| Ok(outage::amend(o, amendment.clone(), now)?)).await
    }

    /// IT ends an outage: the system is back in service at `restored_at`.
    pub async fn end_outage(
        &self,
        p: &Principal,
        id: OutageId,
        restored_at: &str,
        notice: Option<String>,
    ) -> Result<OutageView, AppError> {
        Self::require_manager(p)?;
        let restored = parse_user_time(Field::RestoredAt, restored_at)?;
        let notice = present(notice);
        self.change(p, id, "outage.ended", |o, now| Ok(outage::end(o, restored, notice.clone(), now)?)).await
    }

    async fn change(
        &self,
        p: &Principal,
        id: OutageId,
        action: &str,
        decide: impl Fn(&Outage, Timestamp) -> Result<OutageChange, AppError>,
    ) -> Result<OutageView, AppError> {
        // Changes to one outage are serialised within this process, so that
        // concurrent editors queue instead of racing; the retry below covers
        // writers in other processes sharing the store.
        let lock = self.outage_lock(id);
        let _guard = lock.lock().await;
        for _ in 0..RETRIES {
            let current = self.load(id).await?;
            let change = decide(&current, self.now())?;
            match self.append(&p.user, &p.origin, id, current.timeline, change, action).await {
                Err(AppError::Conflict(_)) => continue,
                other => {
                    let view = self.view(other?, self.now());
                    self.outage_changed(id).await;
                    return Ok(view);
                }
            }
        }
        Err(AppError::Conflict(format!("outage {id} is being changed by others")))
    }

    /// Appends `change` to the timeline `before` (as read), with the span of
    /// the new fold in the same write; returns the outage after the change.
    async fn append(
        &self,
        user: &UserRecord,
        origin: &Origin,
        id: OutageId,
        before: Vec<OutageEvent>,
        change: OutageChange,
        action: &str,
    ) -> Result<Outage, AppError> {
        let detail = serde_json::to_string(&change).map_err(|e| AppError::Internal(e.to_string()))?;
        let event = OutageEvent {
            id: EntryId(Uuid::now_v7()),
            outage_id: id,
            seq: before.len() as u32,
            at: self.now(),
            actor: TimelineActor { user_id: Some(user.id), name: user.display_name.clone() },
            node: self.store.node_id().to_owned(),
            change,
        };
        let audit = self.audit(Actor::Person(user), origin, action, Some(format!("outage:{id}")), detail);
        let mut timeline = before;
        timeline.push(event.clone());
        let outage = Outage::fold(&timeline).map_err(|e| AppError::Internal(e.to_string()))?;
        self.store.append_outage_event(event, OutageSpan::of(&outage), audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        Ok(outage)
    }

    fn outage_lock(&self, id: OutageId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.outage_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(id).or_default().clone()
    }

    pub(crate) async fn load(&self, id: OutageId) -> Result<Outage, AppError> {
        let events = self.store.outage_events(id).await?;
        if events.is_empty() {
            return Err(AppError::NotFound);
        }
        Outage::fold(&events).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// One outage with its timeline and assessment.
    pub async fn outage(&self, id: OutageId) -> Result<OutageView, AppError> {
        let o = self.load(id).await?;
        Ok(self.view(o, self.now()))
    }

    /// Folds the timelines of a store answer (ordered by outage and `seq`).
    fn fold_all(&self, events: Vec<OutageEvent>, now: Timestamp) -> Result<Vec<OutageView>, AppError> {
        let mut by_outage: BTreeMap<OutageId, Vec<OutageEvent>> = BTreeMap::new();
        for e in events {
            by_outage.entry(e.outage_id).or_default().push(e);
        }
        by_outage
            .into_values()
            .map(|events| Outage::fold(&events).map(|o| self.view(o, now)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The outage list: ongoing first (oldest start first), then upcoming
    /// (soonest first), then those ended in the last 30 days (most recently
    /// restored first, at most 200). Its cost does not depend on how many
    /// outages the store has ever held.
    pub async fn outages(&self) -> Result<Vec<OutageView>, AppError> {
        let now = self.now();
        let since = now - jiff::SignedDuration::from_hours(24 * LIST_ENDED_DAYS);
        let mut views = self.fold_all(self.store.recent_outages(since, LIST_ENDED_MAX).await?, now)?;
        sort_for_list(&mut views);
        Ok(views)
    }

    /// The public status: ongoing and upcoming outages, and those restored in
    /// the last 24 hours; systems and times only.
    pub async fn public_status(&self) -> Result<Vec<PublicOutage>, AppError> {
        let now = self.now();
        let since = now - jiff::SignedDuration::from_hours(24);
        let mut views = self.fold_all(self.store.recent_outages(since, PUBLIC_ENDED_MAX).await?, now)?;
        sort_for_list(&mut views);
        Ok(views
            .into_iter()
            // Practice outages never reach the public page.
            .filter(|v| !v.outage.drill && v.outage.restored_at.is_none_or(|r| r >= since))
            .map(Self::public)
            .collect())
    }

    /// One outage's public facts (`/status/outages/{id}`, no login): what
    /// the status page shows, and which principals it affects. A drill has
    /// no public page (`NotFound`, as for an outage that does not exist).
    pub async fn public_outage(&self, id: OutageId) -> Result<PublicOutageDetail, AppError> {
        let v = self.outage(id).await?;
        if v.outage.drill {
            return Err(AppError::NotFound);
        }
        let scope = v.outage.scope;
        let has_routines = self.routines().is_some_and(|set| {
            crate::routines::system_routines_of(&set, self.catalogue(), &v.outage.system, None).is_some()
        });
        Ok(PublicOutageDetail { outage: Self::public(v), scope, has_routines })
    }

    fn public(v: OutageView) -> PublicOutage {
        PublicOutage {
            id: v.outage.id,
            updated_at: v.outage.timeline.last().map(|e| e.at).unwrap_or(v.outage.declared_at),
            system: v.outage.system.clone(),
            system_name: v.system_name,
            kind: v.outage.kind,
            status: v.status,
            start: v.outage.start,
            expected_end: v.outage.expected_end,
            restored_at: v.outage.restored_at,
            public_notice: v.outage.public_notice,
        }
    }

    /// The planned-downtime calendar: every planned outage that has not yet
    /// ended, soonest first (never drills); systems and times only.
    pub async fn planned_calendar(&self) -> Result<Vec<PublicOutage>, AppError> {
        let now = self.now();
        // Not ended: no ended ones at all.
        let mut out: Vec<PublicOutage> = self
            .fold_all(self.store.recent_outages(now, 0).await?, now)?
            .into_iter()
            .filter(|v| !v.outage.drill && v.outage.kind == OutageKind::Planned && v.outage.restored_at.is_none())
            .map(Self::public)
            .collect();
        out.sort_by_key(|o| (o.start, o.id));
        Ok(out)
    }
}
