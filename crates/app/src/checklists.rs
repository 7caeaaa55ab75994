//! "Vad gör jag nu?": each person's checklist of the downtime routine for one
//! outage (`reserv_core::checklist`), ticks and unticks, and the progress of
//! a unit for its manager.
//!
//! The roles a list is for are the account's routine roles, else the
//! default of the person's organisation (a ward → inpatient care, …); a
//! person may also choose one role for the page (`?role=`), so nobody is
//! stuck with a list that is not theirs. A tick is checked against the list
//! of the roles it was made with: a step not on it is refused, a waiting one
//! too. Ticks are append-only; two tabs of one person changing the same step
//! at once get a `Conflict` for the second. Every tick and untick, and every
//! read of a unit's progress, is audited. A person's own list carries no
//! patient data and its reads are not audited.

use serde::Serialize;
use uuid::Uuid;

use reserv_core::DomainError;
use reserv_core::checklist::{self, Checklist, ChecklistStep, Member, TickEvent, UnitProgress};
use reserv_core::error::Field;
use reserv_core::ids::{EntryId, OrgId, OutageId, SystemId};
use reserv_core::org::{OrgKind, Role};
use reserv_core::outage::OutageStatus;
use reserv_core::routine::{RoutineRole, RoutineSet};
use reserv_store::StoreError;

use crate::{Actor, App, AppError, Principal};

/// Where the roles of a checklist come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoleSource {
    /// The account's routine roles.
    Account,
    /// The account has none: the default of the person's organisation.
    Organisation,
    /// Chosen on the page (`?role=`).
    Chosen,
    /// None known: only the all-staff steps.
    None,
}

/// A person's checklist for one outage.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistView {
    pub outage_id: OutageId,
    pub system_name: String,
    pub org: OrgId,
    /// The organisation's name as the directory gives it.
    pub org_name: String,
    pub role_source: RoleSource,
    /// Whether the caller may open the unit-progress view.
    pub unit_progress: bool,
    #[serde(flatten)]
    pub checklist: Checklist,
}

/// A tick or untick as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TickInput {
    pub step: String,
    pub ticked: bool,
    /// The role chosen on the page, if any (the list the tick was made on).
    #[serde(default)]
    pub role: Option<String>,
}

/// A unit's checklist progress for one outage.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProgressView {
    pub outage_id: OutageId,
    pub system_name: String,
    pub org_name: String,
    /// The units the caller may switch to (id, name): every organisation for
    /// those who read every unit, else none.
    pub units: Vec<(OrgId, String)>,
    #[serde(flatten)]
    pub progress: UnitProgress,
}

/// Who may read a unit's progress: its unit manager; IT and system
/// administrators any unit's.
fn may_read_unit(role: Role, own: &OrgId, unit: &OrgId) -> bool {
    reserv_core::access::may_read_unit_progress(role, own, unit)
}

struct Context {
    system: SystemId,
    system_name: String,
    status: OutageStatus,
}

impl App {
    /// Runs `f` with the loaded routines, or with none (an empty checklist).
    fn with_routine_set<R>(&self, f: impl FnOnce(&RoutineSet) -> R) -> Result<R, AppError> {
        match self.routines() {
            Some(set) => Ok(f(&set)),
            None => {
                let empty = reserv_core::routine::validate(Vec::new(), self.catalogue())
                    .map_err(|_| AppError::Internal("an empty routine set is invalid".into()))?;
                Ok(f(&empty))
            }
        }
    }

    async fn checklist_context(&self, id: OutageId) -> Result<Context, AppError> {
        let v = self.outage(id).await?;
        Ok(Context { system: v.outage.system.clone(), system_name: v.system_name, status: v.status })
    }

    async fn org_kind(&self, org: &OrgId) -> Result<Option<OrgKind>, AppError> {
        Ok(self.store.organisation(org).await?.map(|o| o.kind))
    }

    /// The roles a person's list is for, and where they come from.
    async fn roles_of(&self, p: &Principal, chosen: Option<&str>) -> Result<(Vec<RoutineRole>, RoleSource), AppError> {
        if let Some(key) = chosen.map(str::trim).filter(|k| !k.is_empty()) {
            let role = RoutineRole::parse(key).ok_or_else(|| DomainError::UnknownValue {
                field: Field::Role,
                value: key.chars().take(40).collect(),
            })?;
            return Ok((vec![role], RoleSource::Chosen));
        }
        if !p.user.routine_roles.is_empty() {
            return Ok((p.user.routine_roles.clone(), RoleSource::Account));
        }
        let roles = checklist::effective_roles(&[], self.org_kind(&p.user.org).await?);
        let source = if roles.is_empty() { RoleSource::None } else { RoleSource::Organisation };
        Ok((roles, source))
    }

    /// The caller's checklist for an outage (ongoing, upcoming or ended),
    /// for their roles or the one `role` chosen.
    pub async fn checklist(&self, p: &Principal, id: OutageId, role: Option<&str>) -> Result<ChecklistView, AppError> {
        let c = self.checklist_context(id).await?;
        let (roles, role_source) = self.roles_of(p, role).await?;
        let ticks = self.store.ticks(id).await?;
        let list = self.with_routine_set(|set| {
            checklist::checklist(set, &c.system, c.status, &roles, p.user.id, &p.user.org, &ticks)
        })?;
        Ok(ChecklistView {
            outage_id: id,
            system_name: c.system_name,
            org: p.user.org.clone(),
            org_name: self
                .store
                .organisation(&p.user.org)
                .await?
                .map(|o| o.name)
                .unwrap_or_else(|| p.user.org.to_string()),
            role_source,
            unit_progress: reserv_core::access::may_open_unit_progress(p.user.role),
            checklist: list,
        })
    }

    /// Ticks (or unticks) a step of the caller's checklist. Asking for the
    /// state the step already has changes nothing (a form sent twice).
    pub async fn tick(&self, p: &Principal, id: OutageId, input: TickInput) -> Result<ChecklistStep, AppError> {
        let list = self.checklist(p, id, input.role.as_deref()).await?.checklist;
        let current = checklist::check_tick(&list, &input.step)?;
        if current.ticked() == input.ticked {
            return Ok(current.clone());
        }
        let event = TickEvent {
            id: EntryId(Uuid::now_v7()),
            outage_id: id,
            step: current.step.id.clone(),
            user_id: p.user.id,
            user_name: p.user.display_name.clone(),
            org: p.user.org.clone(),
            at: self.now(),
            node: self.store.node_id().to_owned(),
            ticked: input.ticked,
        };
        let action = if input.ticked { "checklist.ticked" } else { "checklist.unticked" };
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, action, Some(format!("outage:{id}")), event.step.clone());
        let after = current.mine.as_ref().map(|m| m.last);
        self.store.append_tick(event.clone(), after, audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        let mut history = current.mine.as_ref().map(|m| m.history.clone()).unwrap_or_default();
        history.push(event);
        let mut step = current.clone();
        step.mine = checklist::fold(&history).into_values().next();
        Ok(step)
    }

    /// The checklist progress of a unit (default: the caller's own) for an
    /// outage: per step, how many of its people have it and who ticked it.
    /// For its unit manager, and for IT and system administrators (any unit).
    pub async fn unit_checklist(
        &self,
        p: &Principal,
        id: OutageId,
        unit: Option<&str>,
    ) -> Result<UnitProgressView, AppError> {
        let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
            None => p.user.org.clone(),
            Some(raw) => OrgId::parse(raw).map_err(|_| DomainError::UnknownValue {
                field: Field::Organisation,
                value: raw.chars().take(64).collect(),
            })?,
        };
        if !may_read_unit(p.user.role, &p.user.org, &unit) {
            return Err(AppError::Forbidden);
        }
        let org = self
            .store
            .organisation(&unit)
            .await?
            .ok_or_else(|| DomainError::UnknownValue { field: Field::Organisation, value: unit.to_string() })?;
        let c = self.checklist_context(id).await?;
        let members: Vec<Member> = self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.org == unit)
            .map(|u| Member {
                id: u.id,
                name: u.display_name,
                roles: checklist::effective_roles(&u.routine_roles, Some(org.kind)),
            })
            .collect();
        let ticks = self.store.ticks(id).await?;
        let progress =
            self.with_routine_set(|set| checklist::unit_progress(set, &c.system, c.status, &unit, &members, &ticks))?;
        let audit = self.audit(
            Actor::Person(&p.user),
            &p.origin,
            "checklist.unit_read",
            Some(format!("outage:{id}")),
            format!("unit {unit}"),
        );
        self.store.append_audit(audit).await?;
        let units = if reserv_core::access::Permissions::of(p.user.role).reads_every_unit {
            self.store.organisations().await?.into_iter().map(|o| (o.id, o.name)).collect()
        } else {
            Vec::new()
        };
        Ok(UnitProgressView { outage_id: id, system_name: c.system_name, org_name: org.name, units, progress })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_progress_is_for_the_units_manager_and_for_it() {
        let (own, other) = (OrgId::parse("avd-1").unwrap(), OrgId::parse("avd-2").unwrap());
        assert!(may_read_unit(Role::UnitManager, &own, &own));
        assert!(!may_read_unit(Role::UnitManager, &own, &other));
        assert!(may_read_unit(Role::It, &own, &other));
        assert!(may_read_unit(Role::SystemAdministrator, &own, &other));
        assert!(!may_read_unit(Role::Clinician, &own, &own));
        assert!(!may_read_unit(Role::Auditor, &own, &own));
    }
}
