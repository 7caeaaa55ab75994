//! The downtime routines as people read them: which systems have routines,
//! and one system's routines for a role (its own steps and everyone's) by
//! phase and area. The routine page, `reserv print routine` and
//! `GET /api/v1/routines[/{system}]` present this; the choices (which
//! routines apply, which steps a role sees, what is not found) are made here.

use serde::Serialize;

use reserv_core::catalogue::Catalogue;
use reserv_core::error::{DomainError, Field};
use reserv_core::ids::SystemId;
use reserv_core::routine::{Approval, Area, Phase, Routine, RoutineRole, RoutineSet, Step};

use crate::{App, AppError};

/// A system that has downtime routines.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutineSystem {
    pub system: SystemId,
    pub name: String,
    /// Its routines: organisation-wide ones first, then the system's own.
    pub routines: Vec<RoutineSummary>,
}

/// A routine's title and size.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutineSummary {
    pub title: String,
    /// Its steps, for every role.
    pub steps: usize,
}

/// Every routine of one system, with the steps of one role (and everyone's)
/// or of all roles.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemRoutines {
    pub system: SystemId,
    pub system_name: String,
    /// The role chosen; absent: every role's steps.
    pub role: Option<RoutineRole>,
    pub routines: Vec<RoutineDoc>,
}

/// One routine document: its metadata, steps and dependencies.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutineDoc {
    pub title: String,
    pub document_type: String,
    pub approval: Approval,
    /// Absent when the source does not state it.
    pub date: Option<jiff::civil::Date>,
    /// Absent when the source does not state it.
    pub version: Option<String>,
    pub owner: String,
    pub source: String,
    /// The systems an organisation-wide routine covers; empty for a system's own.
    pub applies_to: Vec<SystemRef>,
    /// The phases with steps for the role, in order.
    pub phases: Vec<PhaseSteps>,
    /// What happens to or because of this system while it is down.
    pub dependencies: Vec<DependencyRef>,
}

/// A system by id and name (the id when the catalogue does not know it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemRef {
    pub id: String,
    pub name: String,
}

/// The steps of one phase, by area.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseSteps {
    pub phase: Phase,
    pub areas: Vec<AreaSteps>,
}

/// The steps of one area of a phase.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaSteps {
    pub area: Area,
    pub steps: Vec<Step>,
}

/// A dependency between this system and another.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyRef {
    pub from: SystemRef,
    pub to: SystemRef,
    pub consequence: String,
    pub cite: String,
}

/// Parses a role as typed (`?role=`): empty means every role.
pub fn parse_role(raw: Option<&str>) -> Result<Option<RoutineRole>, DomainError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => RoutineRole::parse(r)
            .map(Some)
            .ok_or_else(|| DomainError::UnknownValue { field: Field::Role, value: r.chars().take(40).collect() }),
    }
}

fn system_ref(catalogue: &Catalogue, id: &str) -> SystemRef {
    let name = SystemId::parse(id).ok().and_then(|s| catalogue.get(&s).map(|x| x.name.clone()));
    SystemRef { id: id.to_owned(), name: name.unwrap_or_else(|| id.to_owned()) }
}

fn routine_doc(catalogue: &Catalogue, system: &SystemId, r: &Routine, role: Option<RoutineRole>) -> RoutineDoc {
    let phases = Phase::ALL
        .iter()
        .map(|&phase| PhaseSteps {
            phase,
            areas: Area::ALL
                .iter()
                .map(|&area| AreaSteps {
                    area,
                    steps: r
                        .steps
                        .iter()
                        .filter(|s| s.phase == phase && s.area == area)
                        .filter(|s| role.is_none_or(|x| s.is_for(x)))
                        .cloned()
                        .collect(),
                })
                .filter(|a| !a.steps.is_empty())
                .collect(),
        })
        .filter(|p: &PhaseSteps| !p.areas.is_empty())
        .collect();
    RoutineDoc {
        title: r.title.clone(),
        document_type: r.document_type.clone(),
        approval: r.approval.clone(),
        date: r.date,
        version: r.version.clone(),
        owner: r.owner.clone(),
        source: r.source.clone(),
        applies_to: if r.systems.len() > 1 {
            r.systems.iter().map(|s| system_ref(catalogue, s.as_str())).collect()
        } else {
            Vec::new()
        },
        phases,
        dependencies: r
            .dependencies
            .iter()
            .filter(|d| d.from == system.as_str() || d.to == system.as_str())
            .map(|d| DependencyRef {
                from: system_ref(catalogue, &d.from),
                to: system_ref(catalogue, &d.to),
                consequence: d.consequence.clone(),
                cite: d.cite.clone(),
            })
            .collect(),
    }
}

impl App {
    /// The systems of the catalogue that have routines, in catalogue order.
    pub fn routine_systems(&self) -> Vec<RoutineSystem> {
        let Some(set) = self.routines() else { return Vec::new() };
        self.catalogue()
            .systems()
            .iter()
            .filter_map(|s| {
                let routines = set.routines_for(&s.id);
                (!routines.is_empty()).then(|| RoutineSystem {
                    system: s.id.clone(),
                    name: s.name.clone(),
                    routines: routines
                        .iter()
                        .map(|r| RoutineSummary { title: r.title.clone(), steps: r.steps.len() })
                        .collect(),
                })
            })
            .collect()
    }

    /// The routines of `system` with the steps of `role` (and everyone's),
    /// or every step when no role is given. An unknown role is invalid
    /// (`role`); a system without routines is not found.
    pub fn system_routines(&self, system: &str, role: Option<&str>) -> Result<SystemRoutines, AppError> {
        let role = parse_role(role)?;
        let id = SystemId::parse(system.trim()).map_err(|_| AppError::NotFound)?;
        let set = self.routines().ok_or(AppError::NotFound)?;
        system_routines_of(&set, self.catalogue(), &id, role).ok_or(AppError::NotFound)
    }
}

/// The routines of `system` in `set` with the steps of `role` (and
/// everyone's), or every step; `None` when the system has no routines. The
/// one rule behind the page, the API and `reserv print routine` (which reads
/// a routine directory without a running service).
pub fn system_routines_of(
    set: &RoutineSet,
    catalogue: &Catalogue,
    system: &SystemId,
    role: Option<RoutineRole>,
) -> Option<SystemRoutines> {
    let routines = set.routines_for(system);
    if routines.is_empty() {
        return None;
    }
    Some(SystemRoutines {
        system_name: system_ref(catalogue, system.as_str()).name,
        role,
        routines: routines.iter().map(|r| routine_doc(catalogue, system, r, role)).collect(),
        system: system.clone(),
    })
}
