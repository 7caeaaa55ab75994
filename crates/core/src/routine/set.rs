//! Validating a set of routines against the catalogue and each other
//! ([`validate`], [`load`]), giving a [`RoutineSet`].

use super::*;

/// A validated set of routines, sorted by file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutineSet {
    pub(super) routines: Vec<Routine>,
}

/// Checks parsed routines against the catalogue and each other: systems
/// exist, dependencies join known systems (or declare one end external) and
/// concern a system of their file, step ids are unique across the set.
pub fn validate(mut routines: Vec<Routine>, catalogue: &Catalogue) -> Result<RoutineSet, Vec<DataFileError>> {
    routines.sort_by(|a, b| a.file.cmp(&b.file));
    let mut errors = Vec::new();
    let known = |s: &str| SystemId::parse(s).ok().is_some_and(|id| catalogue.get(&id).is_some());
    let mut files = HashSet::new();
    let mut step_ids: HashMap<&str, (&str, usize)> = HashMap::new();
    for r in &routines {
        if !files.insert(r.file.as_str()) {
            errors.push(FileCheck::<Routine>::problem(&r.file, None, Reason::DuplicateFile));
        }
        for (id, line) in r.systems.iter().zip(&r.system_lines) {
            if catalogue.get(id).is_none() {
                errors.push(FileCheck::<Routine>::problem(&r.file, Some(*line), Reason::UnknownSystem(id.to_string())));
            }
        }
        for s in &r.steps {
            match step_ids.get(s.id.as_str()) {
                Some((first_file, first_line)) if *first_file != r.file => {
                    let problem = RoutineProblem::DuplicateStepId {
                        id: s.id.clone(),
                        first_file: (*first_file).to_owned(),
                        first_line: *first_line,
                    };
                    errors.push(FileCheck::<Routine>::problem(&r.file, Some(s.line), problem));
                }
                Some(_) => {} // reported by parse_routine
                None => {
                    step_ids.insert(&s.id, (&r.file, s.line));
                }
            }
        }
        for d in &r.dependencies {
            let bad = |p: RoutineProblem| FileCheck::<Routine>::problem(&r.file, Some(d.line), p);
            let (kf, kt) = (known(&d.from), known(&d.to));
            if d.external {
                if kf && kt {
                    errors.push(bad(RoutineProblem::ExternalButBothKnown { from: d.from.clone(), to: d.to.clone() }));
                } else if !kf && !kt {
                    errors.push(bad(RoutineProblem::NoKnownEnd { from: d.from.clone(), to: d.to.clone() }));
                }
            } else {
                for (end, ok, line) in [(&d.from, kf, d.line), (&d.to, kt, d.to_line)] {
                    if !ok {
                        let problem = RoutineProblem::DependencyOnUnknownSystem(end.clone());
                        errors.push(FileCheck::<Routine>::problem(&r.file, Some(line), problem));
                    }
                }
            }
            if !r.systems.iter().any(|s| s.as_str() == d.from || s.as_str() == d.to) {
                errors.push(bad(RoutineProblem::DependencyOutsideFile { from: d.from.clone(), to: d.to.clone() }));
            }
        }
    }
    if errors.is_empty() { Ok(RoutineSet { routines }) } else { Err(sorted(errors)) }
}

/// Parses and validates a set of files given as (file name, text), and
/// returns every problem of every file. This is what `reserv routines check`
/// and the server's loader call.
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    catalogue: &Catalogue,
) -> Result<RoutineSet, Vec<DataFileError>> {
    let mut errors = Vec::new();
    let mut routines = Vec::new();
    for (file, text) in files {
        match parse_routine(file, text) {
            Ok(r) => routines.push(r),
            Err(e) => errors.extend(e),
        }
    }
    match validate(routines, catalogue) {
        Ok(set) if errors.is_empty() => Ok(set),
        Ok(_) => Err(sorted(errors)),
        Err(e) => {
            errors.extend(e);
            Err(sorted(errors))
        }
    }
}
