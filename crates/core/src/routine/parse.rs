//! Parsing one routine file ([`parse_routine`]) with the shared data-file
//! checker.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    system: Spanned<OneOrMany>,
    title: Spanned<String>,
    document_type: Spanned<String>,
    #[serde(default)]
    approved_by: Option<Spanned<String>>,
    #[serde(default)]
    date: Option<Spanned<String>>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    owner: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    step: Vec<RawStep>,
    #[serde(default)]
    dependency: Vec<RawDependency>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    id: Spanned<String>,
    phase: Spanned<String>,
    role: Spanned<OneOrMany>,
    area: Spanned<String>,
    #[serde(default)]
    condition: Option<Spanned<String>>,
    text: Spanned<String>,
    cite: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDependency {
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    external: bool,
    consequence: Spanned<String>,
    cite: Spanned<String>,
}

impl Kind for Routine {
    const KIND: FileKind = FileKind::Routine;
    const MAX_TEXT: usize = MAX_TEXT;
    type Problem = RoutineProblem;
}

impl FileCheck<'_, Routine> {
    fn roles(&mut self, role: &Spanned<OneOrMany>) -> Vec<RoutineRole> {
        let mut roles = Vec::new();
        let items = OneOrMany::items(role);
        if items.is_empty() {
            self.at(role.span(), "role", Reason::Required);
        }
        for (value, span) in items {
            let Some(r) = self.vocabulary::<RoutineRole>("role", &value, span.clone()) else {
                continue;
            };
            if roles.contains(&r) {
                self.at(span, "role", RoutineProblem::DuplicateRole(value));
            } else {
                roles.push(r);
            }
        }
        if roles.len() > 1 && roles.contains(&RoutineRole::AllStaff) {
            self.at(role.span(), "role", RoutineProblem::AllStaffCombined);
        }
        roles
    }

    fn step(&mut self, raw: &RawStep, ids: &mut HashMap<String, usize>) -> Option<Step> {
        let (id, line) = self.unique_id(&raw.id, ids, RoutineProblem::InvalidStepId, |id, first_file, first_line| {
            RoutineProblem::DuplicateStepId { id, first_file, first_line }
        });
        let phase = self.vocabulary::<Phase>("phase", raw.phase.get_ref(), raw.phase.span());
        let area = self.vocabulary::<Area>("area", raw.area.get_ref(), raw.area.span());
        let roles = self.roles(&raw.role);
        let condition = self.optional_text("condition", &raw.condition);
        let text = self.text("text", &raw.text);
        let cite = self.text("cite", &raw.cite);
        Some(Step { id, phase: phase?, roles, area: area?, condition, text, cite, line })
    }

    fn dependency(&mut self, raw: &RawDependency) -> Dependency {
        let from = self.text("from", &raw.from);
        let to = self.text("to", &raw.to);
        if !from.is_empty() && from == to {
            self.at(raw.to.span(), "to", RoutineProblem::SelfDependency(from.clone()));
        }
        Dependency {
            consequence: self.text("consequence", &raw.consequence),
            cite: self.text("cite", &raw.cite),
            line: self.line(raw.from.span()),
            to_line: self.line(raw.to.span()),
            from,
            to,
            external: raw.external,
        }
    }
}

/// Parses one routine file. Checks everything that needs no other file:
/// TOML shape, vocabularies, required texts, step ids, the date, self
/// dependencies. Returns every problem found, each with file and line.
pub fn parse_routine(file: &str, text: &str) -> Result<Routine, Vec<DataFileError>> {
    let raw: RawFile = FileCheck::<Routine>::toml(file, text)?;
    let mut check = FileCheck::<Routine>::new(file, text);

    let mut systems = Vec::new();
    let mut system_lines = Vec::new();
    let items = OneOrMany::items(&raw.system);
    if items.is_empty() {
        check.at(raw.system.span(), "system", RoutineProblem::NoSystem);
    }
    for (value, span) in items {
        if let Some(id) = check.system_id("system", &value, span.clone()) {
            systems.push(id);
            system_lines.push(check.line(span));
        }
    }

    let title = check.text("title", &raw.title);
    let document_type = check.text("document_type", &raw.document_type);
    let owner = check.text("owner", &raw.owner);
    let source = check.text("source", &raw.source);
    let version = check.optional_text("version", &raw.version);
    let approval = Approval::from_approved_by(check.optional_text("approved_by", &raw.approved_by));
    let date = check.date("date", &raw.date);

    if raw.step.is_empty() {
        check.push(None, Some("step"), RoutineProblem::NoSteps);
    }
    let mut ids = HashMap::new();
    let steps: Vec<Step> = raw.step.iter().filter_map(|s| check.step(s, &mut ids)).collect();
    let dependencies = raw.dependency.iter().map(|d| check.dependency(d)).collect();

    check.finish(Routine {
        file: file.to_owned(),
        systems,
        title,
        document_type,
        approval,
        date,
        version,
        owner,
        source,
        steps,
        dependencies,
        system_lines,
    })
}
