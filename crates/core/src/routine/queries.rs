//! Queries on a routine set: the steps of a system by role and phase, and
//! what else a down system affects through the dependency graph
//! ([`RoutineSet::impact`]).

use super::*;

/// A step together with the routine it belongs to (for its metadata and cite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepRef<'a> {
    pub routine: &'a Routine,
    pub step: &'a Step,
}

/// One consequence of an outage, reached through the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consequence {
    /// From the system that is down to the affected one, e.g.
    /// `["elvis", "svarsdatabasen"]` (direct) or
    /// `["elvis", "svarsdatabasen", "melior"]` (indirect).
    pub path: Vec<String>,
    /// The dependency whose consequence this is (its `from` is the
    /// second-to-last item of the path, its `to` the last).
    pub dependency: Dependency,
    /// The routine file that states it.
    pub file: String,
}

impl Consequence {
    /// The system that is down at the start of the path.
    pub fn down(&self) -> &str {
        &self.path[0]
    }

    /// The system affected.
    pub fn affected(&self) -> &str {
        &self.dependency.to
    }

    /// Stated for the down system itself, not for a system it affects.
    pub fn is_direct(&self) -> bool {
        self.path.len() == 2
    }
}

impl RoutineSet {
    /// All routines, sorted by file name.
    pub fn routines(&self) -> &[Routine] {
        &self.routines
    }

    /// The routines that apply when `system` is down: organisation-wide
    /// routines (several systems) first, then the system's own.
    pub fn routines_for(&self, system: &SystemId) -> Vec<&Routine> {
        let mut found: Vec<&Routine> = self.routines.iter().filter(|r| r.systems.contains(system)).collect();
        found.sort_by_key(|r| r.systems.len() == 1);
        found
    }

    /// The steps for `system`, for one role (its own and `all_staff` steps)
    /// or every role, in one phase or all; ordered by phase, then routine
    /// (organisation-wide first), then as written.
    pub fn steps(&self, system: &SystemId, role: Option<RoutineRole>, phase: Option<Phase>) -> Vec<StepRef<'_>> {
        let mut found: Vec<StepRef<'_>> = self
            .routines_for(system)
            .into_iter()
            .flat_map(|routine| routine.steps.iter().map(move |step| StepRef { routine, step }))
            .filter(|s| role.is_none_or(|r| s.step.is_for(r)))
            .filter(|s| phase.is_none_or(|p| s.step.phase == p))
            .collect();
        found.sort_by_key(|s| s.step.phase);
        found
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<StepRef<'_>> {
        self.routines
            .iter()
            .find_map(|routine| routine.steps.iter().find(|s| s.id == id).map(|step| StepRef { routine, step }))
    }

    /// Every dependency with the file that states it.
    pub fn dependencies(&self) -> impl Iterator<Item = (&Routine, &Dependency)> {
        self.routines.iter().flat_map(|r| r.dependencies.iter().map(move |d| (r, d)))
    }

    /// The consequences of `down` being down: every dependency whose `from`
    /// is down (direct) or is reached from a down system through other
    /// dependencies (indirect, with the shortest path). Dependencies into a
    /// system that is itself down, or back to a system already on the path,
    /// are left out. Each dependency appears at most once; direct ones first.
    ///
    /// An indirect consequence is one the routine states for an outage of
    /// the intermediate system, which is affected but not down; it holds
    /// only as far as that system is impaired. Show it as "kan också
    /// påverka", apart from the direct ones.
    pub fn impact(&self, down: &[SystemId]) -> Vec<Consequence> {
        let down_set: HashSet<&str> = down.iter().map(SystemId::as_str).collect();
        let edges: Vec<(&Routine, &Dependency)> = self.dependencies().collect();
        let mut path_to: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut queue = VecDeque::new();
        for d in down {
            if !path_to.contains_key(d.as_str()) {
                path_to.insert(d.as_str(), vec![d.as_str()]);
                queue.push_back(d.as_str());
            }
        }
        while let Some(node) = queue.pop_front() {
            for (_, dep) in edges.iter().filter(|(_, dep)| dep.from == node) {
                if down_set.contains(dep.to.as_str()) || path_to.contains_key(dep.to.as_str()) {
                    continue;
                }
                let mut path = path_to[node].clone();
                path.push(&dep.to);
                path_to.insert(&dep.to, path);
                queue.push_back(&dep.to);
            }
        }
        let mut found: Vec<Consequence> = edges
            .iter()
            .filter(|(_, dep)| !down_set.contains(dep.to.as_str()))
            .filter_map(|(routine, dep)| {
                let via = path_to.get(dep.from.as_str())?;
                if via.contains(&dep.to.as_str()) {
                    return None; // back to a system already on the way: no new consequence
                }
                let mut path: Vec<String> = via.iter().map(|s| (*s).to_owned()).collect();
                path.push(dep.to.clone());
                Some(Consequence { path, dependency: (*dep).clone(), file: routine.file.clone() })
            })
            .collect();
        found.sort_by_key(|c| c.path.len());
        found
    }
}
