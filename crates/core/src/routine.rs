//! Downtime routines as data: per system, phase, role and area the steps
//! people take before a planned stop, during an outage and after restore,
//! and the dependencies between systems (seed 003's "Beroenden till andra
//! system" and each "Integrationen är avstängd").
//!
//! A region keeps one TOML file per system and source document in
//! `data/routines/` (e.g. `003-melior.toml`): document metadata as the source
//! carries it (`system`, `title`, `document_type`, `approved_by`, `date`,
//! `version`, `owner`, `source`), then `[[step]]`s and `[[dependency]]`s.
//! `system` is one catalogue id, or a list of ids for an organisation-wide
//! routine that applies whichever of them is down (`003-general.toml`).
//!
//! Everything here is pure: [`parse_routine`] takes a file name and its text,
//! [`validate`] checks a set of parsed files against the system catalogue,
//! and [`load`] does both and returns every problem at once, each naming the
//! file, the line and the reason. Vocabularies ([`Phase`], [`RoutineRole`],
//! [`Area`]) are closed: a typo is an error, never a silently lost step.
//!
//! Rules a file must keep:
//! - every `phase`, `role` and `area` is a key of its vocabulary; `all_staff`
//!   stands alone; every `system` is in the catalogue;
//! - step ids are slugs, unique across the whole set (checklist ticks refer
//!   to them, so they must stay stable when a region edits the text);
//! - a dependency joins two catalogue systems, or — with `external = true` —
//!   a catalogue system and one named system outside it (BOV, Syngo via,
//!   1177/Mina vårdkontakter, Upplysningstjänsten, PAF); it must concern a
//!   system of its file, and no system depends on itself.
//!
//! Cycles of length two or more are allowed on purpose: the seed itself has
//! them (ELVIS ↔ Svarsdatabasen, ELVIS ↔ Provisio, Melior ↔ PMO, Melior ↔
//! Svarsdatabasen), because integrations run both ways. [`RoutineSet::impact`]
//! walks the graph breadth-first, so cycles cannot make it loop.
//!
//! Phone numbers may appear in a step's text but nothing requires them;
//! contacts live in the catalogue and the contact files.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::catalogue::Catalogue;
use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, OneOrMany, Reason, is_slug, sorted, vocabulary};
use crate::ids::SystemId;

/// The longest step text, consequence or condition accepted: a step is one
/// instruction, read on a phone or a printed page.
pub const MAX_TEXT: usize = 800;

/// The literal values of `approved_by` that mean "not yet approved" (seed 001:
/// "Fastställd av: EJ BESLUTAD"), compared without regard to case.
pub const NOT_YET_APPROVED: [&str; 2] = ["not yet approved", "ej beslutad"];

vocabulary!(
    /// When a step is done, relative to the outage.
    Phase, "fas", "phase" {
        /// Before a planned stop; also the standing preparations the seeds
        /// ask for every day (their `condition` says so).
        BeforePlannedStop = "before_planned_stop", "Före planerat driftstopp", "Before a planned stop";
        During = "during", "Under driftstoppet", "During the outage";
        AfterRestore = "after_restore", "När systemet är i drift igen", "After restore";
    }
);

vocabulary!(
    /// Who does a step (glossary: roles and places, parties of the chain of
    /// care). Only the roles the seeds name.
    RoutineRole, "roll", "role" {
        /// Everyone who works with the system; shown to every role.
        AllStaff = "all_staff", "All personal", "All staff";
        Physician = "physician", "Läkare", "Physician";
        Nurse = "nurse", "Sjuksköterska", "Nurse";
        MedicalSecretary = "medical_secretary", "Sekreterare", "Medical secretary";
        /// "Övriga yrkeskategorier" (seed 003 §4.5.2).
        OtherStaff = "other_staff", "Övriga yrkeskategorier", "Other professions";
        /// EC, enhetschef.
        UnitManager = "unit_manager", "Enhetschef (EC)", "Unit manager";
        /// VC, verksamhetschef.
        HeadOfDepartment = "head_of_department", "Verksamhetschef (VC)", "Head of department";
        /// HSD and bitr. HSD.
        HealthCareDirector = "health_care_director", "HSD / bitr. HSD", "Director of health care / deputy";
        /// CIB, chef i beredskap.
        OnCallManager = "on_call_manager", "Chef i beredskap (CIB)", "On-call manager";
        It = "it", "IT-förvaltning", "IT application management";
        InpatientCare = "inpatient_care", "Slutenvård", "Inpatient care";
        Municipality = "municipality", "Kommun", "Municipality";
        PrimaryCare = "primary_care", "Primärvård/öppenvård", "Primary/outpatient care";
        OutpatientPsychiatry = "outpatient_psychiatry", "Psykiatrisk öppenvård", "Outpatient psychiatry";
        EmergencyDepartmentStaff = "emergency_department_staff", "Personal på akutmottagning", "Emergency department staff";
        Radiology = "radiology", "Röntgen", "Radiology";
        /// Fyslab.
        ClinicalPhysiologyLab = "clinical_physiology_lab", "Fyslab", "Clinical physiology lab";
        /// Patologi, cytlab and mikrobiologen.
        PathologyLab = "pathology_lab", "Patologi, cytlab och mikrobiologi", "Pathology, cytology and microbiology";
        SurgeryStaff = "surgery_staff", "Personal på operationsavdelning", "Operating department staff";
    }
);

vocabulary!(
    /// What a step is about, to group a checklist.
    Area, "område", "area" {
        Medication = "medication", "Läkemedel", "Medication";
        Lab = "lab", "Labb", "Laboratory";
        Radiology = "radiology", "Röntgen", "Radiology";
        Referrals = "referrals", "Remisser", "Referrals";
        Documentation = "documentation", "Dokumentation", "Documentation";
        Dictation = "dictation", "Diktering", "Dictation";
        Booking = "booking", "Bokning", "Booking";
        Registration = "registration", "Registrering", "Registration";
        PatientContact = "patient_contact", "Patientkontakt", "Patient contact";
        Communication = "communication", "Information och kommunikation", "Information and communication";
        Discharge = "discharge", "Utskrivning", "Discharge";
        Sip = "sip", "SIP", "Coordinated individual plan";
        Certificates = "certificates", "Intyg", "Certificates";
        Surgery = "surgery", "Operation", "Surgery";
        Lists = "lists", "Listor och utskrifter", "Lists and print-outs";
        Other = "other", "Övrigt", "Other";
    }
);

/// Whether and by whom a routine document was approved (fastställd).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "by", rename_all = "snake_case")]
pub enum Approval {
    Approved(String),
    /// Seed 001: "Fastställd av: EJ BESLUTAD".
    NotYetApproved,
    /// The source document does not say.
    NotStated,
}

impl Approval {
    /// The text the Swedish UI shows.
    pub fn label_sv(&self) -> String {
        match self {
            Approval::Approved(by) => by.clone(),
            Approval::NotYetApproved => "Ej beslutad".into(),
            Approval::NotStated => "Anges inte i källan".into(),
        }
    }
}

/// One instruction of a routine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Stable id, unique across the set (checklist ticks refer to it).
    pub id: String,
    pub phase: Phase,
    /// Who does it; `[AllStaff]` for everyone.
    pub roles: Vec<RoutineRole>,
    pub area: Area,
    /// When the step applies, e.g. "akut röntgenundersökning (inom 48 h)".
    pub condition: Option<String>,
    /// The instruction, in Swedish.
    pub text: String,
    /// The seed file and section, e.g. "003 §4.5.2".
    pub cite: String,
    /// The line of the step's `id` in its file.
    pub line: usize,
}

impl Step {
    /// Whether a person with `role` does this step (`all_staff` steps are
    /// everyone's).
    pub fn is_for(&self, role: RoutineRole) -> bool {
        self.roles.contains(&role) || self.roles.contains(&RoutineRole::AllStaff)
    }
}

/// What happens to `to` while `from` is down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The system that is down: a catalogue id, or an external name.
    pub from: String,
    /// The system affected: a catalogue id, or an external name.
    pub to: String,
    /// One end lies outside the catalogue (e.g. "BOV").
    pub external: bool,
    /// What happens, in Swedish.
    pub consequence: String,
    pub cite: String,
    /// The line of the dependency's `from` in its file.
    pub line: usize,
    #[serde(skip)]
    to_line: usize,
}

/// One parsed routine file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routine {
    /// The file name it was read from, e.g. `003-melior.toml`.
    pub file: String,
    /// The systems it applies to: one, or several for an organisation-wide routine.
    pub systems: Vec<SystemId>,
    pub title: String,
    pub document_type: String,
    pub approval: Approval,
    pub date: Option<jiff::civil::Date>,
    pub version: Option<String>,
    pub owner: String,
    /// The seed file and section the routine restates.
    pub source: String,
    pub steps: Vec<Step>,
    pub dependencies: Vec<Dependency>,
    #[serde(skip)]
    system_lines: Vec<usize>,
}

/// What only a routine file can get wrong (the reasons every data file
/// shares are in [`Reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutineProblem {
    /// `all_staff` listed with other roles.
    AllStaffCombined,
    DuplicateRole(String),
    NoSystem,
    NoSteps,
    InvalidStepId(String),
    DuplicateStepId {
        id: String,
        first_file: String,
        first_line: usize,
    },
    SelfDependency(String),
    /// A dependency end that is not in the catalogue, without `external = true`.
    DependencyOnUnknownSystem(String),
    /// `external = true` but both ends are catalogue systems.
    ExternalButBothKnown {
        from: String,
        to: String,
    },
    /// Neither end of a dependency is a catalogue system.
    NoKnownEnd {
        from: String,
        to: String,
    },
    /// Neither end of a dependency is a system of its file.
    DependencyOutsideFile {
        from: String,
        to: String,
    },
}

impl RoutineProblem {
    /// The stable code, after `routine_`.
    pub fn code(&self) -> &'static str {
        match self {
            RoutineProblem::AllStaffCombined => "all_staff_combined",
            RoutineProblem::DuplicateRole(_) => "duplicate_role",
            RoutineProblem::NoSystem => "no_system",
            RoutineProblem::NoSteps => "no_steps",
            RoutineProblem::InvalidStepId(_) => "invalid_step_id",
            RoutineProblem::DuplicateStepId { .. } => "duplicate_step_id",
            RoutineProblem::SelfDependency(_) => "self_dependency",
            RoutineProblem::DependencyOnUnknownSystem(_) => "dependency_unknown_system",
            RoutineProblem::ExternalButBothKnown { .. } => "external_both_known",
            RoutineProblem::NoKnownEnd { .. } => "dependency_no_known_end",
            RoutineProblem::DependencyOutsideFile { .. } => "dependency_outside_file",
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            RoutineProblem::AllStaffCombined => {
                "”all_staff” gäller alla och kan inte kombineras med andra roller".into()
            }
            RoutineProblem::DuplicateRole(v) => format!("rollen ”{v}” står två gånger"),
            RoutineProblem::NoSystem => "”system” måste ange minst ett system".into(),
            RoutineProblem::NoSteps => "rutinen har inga steg ([[step]])".into(),
            RoutineProblem::InvalidStepId(v) => {
                format!("steg-id ”{v}” är ogiltigt (1–64 tecken: små bokstäver a–z, siffror och bindestreck)")
            }
            RoutineProblem::DuplicateStepId { id, first_file, first_line } => {
                format!("steg-id ”{id}” används redan i {first_file}, rad {first_line}")
            }
            RoutineProblem::SelfDependency(v) => format!("systemet ”{v}” kan inte vara beroende av sig självt"),
            RoutineProblem::DependencyOnUnknownSystem(v) => format!(
                "beroendet gäller ”{v}”, som inte finns i systemkatalogen (ange external = true om systemet ligger utanför katalogen)"
            ),
            RoutineProblem::ExternalButBothKnown { from, to } => {
                format!("external = true, men både ”{from}” och ”{to}” finns i systemkatalogen")
            }
            RoutineProblem::NoKnownEnd { from, to } => {
                format!("varken ”{from}” eller ”{to}” finns i systemkatalogen; minst ena änden måste finnas där")
            }
            RoutineProblem::DependencyOutsideFile { from, to } => {
                format!("beroendet ”{from}” → ”{to}” gäller inget av filens system")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            RoutineProblem::AllStaffCombined => {
                "`all_staff` means everyone and cannot be combined with other roles".into()
            }
            RoutineProblem::DuplicateRole(v) => format!("role `{v}` is listed twice"),
            RoutineProblem::NoSystem => "`system` must name at least one system".into(),
            RoutineProblem::NoSteps => "the routine has no steps ([[step]])".into(),
            RoutineProblem::InvalidStepId(v) => {
                format!("step id `{v}` is invalid (1–64 characters: lowercase a–z, digits and dashes)")
            }
            RoutineProblem::DuplicateStepId { id, first_file, first_line } => {
                format!("step id `{id}` is already used in {first_file}:{first_line}")
            }
            RoutineProblem::SelfDependency(v) => format!("system `{v}` cannot depend on itself"),
            RoutineProblem::DependencyOnUnknownSystem(v) => format!(
                "the dependency names `{v}`, which is not in the system catalogue (set external = true for a system outside it)"
            ),
            RoutineProblem::ExternalButBothKnown { from, to } => {
                format!("external = true, but both `{from}` and `{to}` are in the system catalogue")
            }
            RoutineProblem::NoKnownEnd { from, to } => {
                format!("neither `{from}` nor `{to}` is in the system catalogue; one end must be")
            }
            RoutineProblem::DependencyOutsideFile { from, to } => {
                format!("the dependency `{from}` → `{to}` concerns none of the file's systems")
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Parsing one file
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
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
struct RawStep {
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
struct RawDependency {
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
        let line = self.line(raw.id.span());
        let id = raw.id.get_ref().trim().to_owned();
        if !is_slug(&id) {
            self.at(raw.id.span(), "id", RoutineProblem::InvalidStepId(id.clone()));
        } else if let Some(first_line) = ids.get(&id) {
            let problem = RoutineProblem::DuplicateStepId {
                id: id.clone(),
                first_file: self.file.to_owned(),
                first_line: *first_line,
            };
            self.at(raw.id.span(), "id", problem);
        } else {
            ids.insert(id.clone(), line);
        }
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
    let approval = match check.optional_text("approved_by", &raw.approved_by) {
        None => Approval::NotStated,
        Some(a) if NOT_YET_APPROVED.iter().any(|n| a.eq_ignore_ascii_case(n)) => Approval::NotYetApproved,
        Some(a) => Approval::Approved(a),
    };
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

// ---------------------------------------------------------------------------
// Validating a set
// ---------------------------------------------------------------------------

/// A validated set of routines, sorted by file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutineSet {
    routines: Vec<Routine>,
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

// ---------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DomainError;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    const SYSTEMS: &str = include_str!("../../../data/systems.toml");

    fn catalogue() -> Catalogue {
        Catalogue::parse(SYSTEMS).unwrap()
    }

    /// Every shipped routine file as (name, text), sorted by name.
    fn shipped_files() -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(DIR)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    fn shipped() -> RoutineSet {
        let files = shipped_files();
        match load(files.iter().map(|(n, t)| (n.as_str(), t.as_str())), &catalogue()) {
            Ok(set) => set,
            Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
        }
    }

    fn sys(id: &str) -> SystemId {
        SystemId::parse(id).unwrap()
    }

    /// The routine file of one system alone (not the organisation-wide one).
    fn own<'a>(set: &'a RoutineSet, system: &str) -> &'a Routine {
        let found: Vec<&Routine> =
            set.routines_for(&sys(system)).into_iter().filter(|r| r.systems.len() == 1).collect();
        assert_eq!(found.len(), 1, "{system}: {found:?}");
        found[0]
    }

    fn phases(r: &Routine) -> HashSet<Phase> {
        r.steps.iter().map(|s| s.phase).collect()
    }

    fn texts(steps: &[StepRef<'_>]) -> String {
        steps
            .iter()
            .map(|s| format!("{} | {}", s.step.condition.as_deref().unwrap_or(""), s.step.text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Loads the given files against the real catalogue and returns the
    /// errors as `file:line: reason` lines.
    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        match load(files.iter().copied(), &catalogue()) {
            Ok(_) => panic!("expected errors"),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    /// Asserts that loading `text` as `bad.toml` fails with exactly one error
    /// that starts with `bad.toml:LINE:` and contains `reason`.
    fn check_bad(text: &str, line: usize, reason: &str) {
        let errs = errors(&[("bad.toml", text)]);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        let prefix = format!("bad.toml:{line}: ");
        assert!(
            errs[0].starts_with(&prefix) && errs[0].contains(reason),
            "{:?} should start with {prefix:?} and contain {reason:?}",
            errs[0]
        );
    }

    const GOOD: &str = r#"system = "melior"
title = "Test"
document_type = "Rutin"
owner = "Region Gävleborg"
source = "test"

[[step]]
id = "test-step"
phase = "during"
role = "nurse"
area = "medication"
text = "Skriv ut utdelningslistor."
cite = "003 §4.5.2"
"#;

    // --- Shipped data -------------------------------------------------------

    #[test]
    fn routine_files_shipped_all_load_and_validate() {
        let set = shipped();
        assert_eq!(set.routines().len(), 11);
        for s in catalogue().systems() {
            assert!(!set.routines_for(&s.id).is_empty(), "no routine for {}", s.id);
        }
        for r in set.routines() {
            let seed = &r.file[..3];
            assert!(r.source.starts_with(seed), "{}: source {:?}", r.file, r.source);
            for s in &r.steps {
                assert!(s.cite.starts_with(seed), "{}: step {} cites {:?}", r.file, s.id, s.cite);
                assert!(s.id.starts_with(r.file[4..].trim_end_matches(".toml")), "{}: id {}", r.file, s.id);
            }
            for d in &r.dependencies {
                assert!(d.cite.starts_with(seed), "{}: dependency cites {:?}", r.file, d.cite);
            }
        }
    }

    #[test]
    fn routine_files_name_no_private_person() {
        // Seed 001 names the Lifecare SP system administrator; the routine
        // names the function and the address instead.
        for (name, text) in shipped_files() {
            assert!(!text.contains("Victoria") && !text.contains("Bäcklund"), "{name}");
        }
    }

    #[test]
    fn routine_seed_003_every_system_has_its_sections() {
        let set = shipped();
        for system in ["clinic24", "melior", "svarsdatabasen", "pmo", "elvis", "provisio", "medspeech"] {
            let r = own(&set, system);
            let p = phases(r);
            assert!(p.contains(&Phase::BeforePlannedStop), "{system}: no before-steps");
            assert!(p.contains(&Phase::During), "{system}: no during-steps");
            assert_eq!(
                r.title,
                format!(
                    "Driftstoppsrutiner för prioriterade vårdsystem: vid driftstopp i {}",
                    match system {
                        "clinic24" => "Clinic24/Min vård Gävleborg",
                        "melior" => "Melior",
                        "svarsdatabasen" => "Svarsdatabasen",
                        "pmo" => "PMO",
                        "elvis" => "ELVIS",
                        "provisio" => "Provisio",
                        _ => "MedSpeech",
                    }
                )
            );
            assert_eq!(r.approval, Approval::NotStated);
            // The organisation-wide routine (§4.1–§4.4) applies to every one.
            let general = set.routines_for(&sys(system))[0];
            assert_eq!(general.file, "003-general.toml");
        }
        // "Beroenden till andra system" / "Integrationen är avstängd".
        for system in ["svarsdatabasen", "elvis", "provisio", "medspeech"] {
            assert!(!own(&set, system).dependencies.is_empty(), "{system}: no dependencies");
        }
        assert!(own(&set, "clinic24").dependencies.is_empty());
    }

    #[test]
    fn routine_seed_003_general_communication() {
        let set = shipped();
        let it = |phase| texts(&set.steps(&sys("elvis"), Some(RoutineRole::It), Some(phase)));
        let before = it(Phase::BeforePlannedStop);
        assert!(before.contains("tre veckor") && before.contains("en vecka före och en dag före"), "{before}");
        assert!(before.contains("Hälsovalskontoret"), "{before}");
        let during = it(Phase::During);
        assert!(during.contains("överstiga 30 minuter") && during.contains("”Stopp i NN System”"), "{during}");
        assert!(during.contains("jourtid") && during.contains("familjeläkarjourerna"), "{during}");
        let after = it(Phase::AfterRestore);
        assert!(after.contains("Plexus") && after.contains("Samverkanswebben"), "{after}");
        let staff = texts(&set.steps(&sys("melior"), Some(RoutineRole::Nurse), Some(Phase::During)));
        assert!(staff.starts_with(" | Kontrollera driftinformationen på Plexus"), "{staff}");
        assert!(staff.contains("07.30–16.30"), "{staff}");
        let vc = texts(&set.steps(&sys("pmo"), Some(RoutineRole::HeadOfDepartment), None));
        assert!(vc.contains("vidare i linjen"), "{vc}");
    }

    #[test]
    fn routine_seed_003_melior_medication_for_nurse_and_physician() {
        let set = shipped();
        let melior = sys("melior");
        let med = |role, phase| {
            set.steps(&melior, Some(role), Some(phase))
                .into_iter()
                .filter(|s| s.step.area == Area::Medication)
                .collect::<Vec<_>>()
        };
        let nurse = texts(&med(RoutineRole::Nurse, Phase::During));
        assert!(nurse.contains("utdelningslistor via läsdatabasen"), "{nurse}");
        assert!(nurse.contains("ordinationer som läkaren har upprättat på papper"), "{nurse}");
        assert!(!nurse.contains("pappersrecept"), "physician-only steps leak to nurses: {nurse}");
        let nurse_after = texts(&med(RoutineRole::Nurse, Phase::AfterRestore));
        assert!(nurse_after.contains("alla läkemedelsutdelningar"), "{nurse_after}");
        let physician = texts(&med(RoutineRole::Physician, Phase::During));
        assert!(physician.contains("på pappersdokument") && physician.contains("pappersrecept"), "{physician}");
        let physician_after = texts(&med(RoutineRole::Physician, Phase::AfterRestore));
        assert!(physician_after.contains("ordinationsöversikten för slutenvård"), "{physician_after}");
        assert!(physician_after.contains("Aktuella ordinationer"), "{physician_after}");
        // Read-only replica and the dictation cross-reference of §4.5.7.
        let all = texts(&set.steps(&melior, None, Some(Phase::During)));
        assert!(all.contains("Melior läsläge"), "{all}");
        assert!(all.contains("även i läsläge"), "{all}");
    }

    #[test]
    fn routine_seed_003_svarsdatabasen_acute_within_48h() {
        let set = shipped();
        let steps = set.steps(&sys("svarsdatabasen"), Some(RoutineRole::Physician), Some(Phase::During));
        let acute: Vec<_> =
            steps.iter().filter(|s| s.step.condition.as_deref().is_some_and(|c| c.contains("inom 48 h"))).collect();
        assert_eq!(acute.len(), 2, "röntgen and fyslab: {}", texts(&steps));
        assert!(acute.iter().all(|s| s.step.text.contains("faxas")));
        let radiology = texts(&set.steps(&sys("svarsdatabasen"), Some(RoutineRole::Radiology), None));
        assert!(radiology.contains("faxa svaret"), "{radiology}");
        let kemlab = texts(&set.steps(&sys("svarsdatabasen"), Some(RoutineRole::Nurse), Some(Phase::During)));
        assert!(kemlab.contains("Meliors kemlabmodul"), "{kemlab}");
    }

    #[test]
    fn routine_seed_004_municipal_record() {
        let set = shipped();
        let r = own(&set, "municipal-record");
        assert_eq!(r.owner, "Sölvesborgs kommun");
        let mr = sys("municipal-record");
        let before = texts(&set.steps(&mr, Some(RoutineRole::Nurse), Some(Phase::BeforePlannedStop)));
        assert!(before.contains("kl. 07.00 och kl. 14.30"), "{before}");
        assert!(before.contains("krypterade USB-minnet") && before.contains("upp till 8 timmar"), "{before}");
        assert!(before.contains("läkemedelslistor") && before.contains("saknar hemtjänst"), "{before}");
        assert!(before.contains("beläggningslista och anhöriglista"), "{before}");
        let during = texts(&set.steps(&mr, Some(RoutineRole::Nurse), Some(Phase::During)));
        assert!(during.contains("wifi") && during.contains("4G"), "{during}");
        assert!(during.contains("jourrummet på Slottsgården"), "{during}");
        assert!(during.contains("på papper"), "{during}");
        let office = texts(&set.steps(&mr, Some(RoutineRole::UnitManager), Some(Phase::During)));
        assert!(office.contains("dagtid") && office.contains("Cosafe"), "{office}");
        let on_call = texts(&set.steps(&mr, Some(RoutineRole::OnCallManager), Some(Phase::During)));
        assert!(on_call.contains("jourtid") && on_call.contains("per telefon"), "{on_call}");
        let after = texts(&set.steps(&mr, Some(RoutineRole::Nurse), Some(Phase::AfterRestore)));
        assert!(after.contains("genast") && after.contains("avvikelserapport"), "{after}");
    }

    #[test]
    fn routine_seed_000_prator_per_party() {
        let set = shipped();
        let r = own(&set, "prator");
        assert_eq!(r.date, Some(jiff::civil::date(2023, 4, 3)));
        let prator = sys("prator");
        for role in [
            RoutineRole::InpatientCare,
            RoutineRole::Municipality,
            RoutineRole::PrimaryCare,
            RoutineRole::OutpatientPsychiatry,
        ] {
            let own_steps = |phase| r.steps.iter().filter(|s| s.phase == phase && s.roles.contains(&role)).count();
            assert!(own_steps(Phase::During) >= 3, "{role}: during");
            assert!(own_steps(Phase::AfterRestore) >= 1, "{role}: after");
            let after = texts(&set.steps(&prator, Some(role), Some(Phase::AfterRestore)));
            assert!(after.contains("Kvittera meddelandena"), "{role}: {after}");
        }
        let all = texts(&set.steps(&prator, None, Some(Phase::During)));
        assert!(all.contains("kl. 12.00"), "{all}");
        let inpatient = texts(&set.steps(&prator, Some(RoutineRole::InpatientCare), Some(Phase::During)));
        assert!(inpatient.contains("psykiatriska öppenvården om patienten är inskriven på psykiatrisk avdelning"));
        let inpatient_after = texts(&set.steps(&prator, Some(RoutineRole::InpatientCare), Some(Phase::AfterRestore)));
        assert!(inpatient_after.contains("lagts in under avbrottet"), "{inpatient_after}");
        assert!(inpatient_after.contains("både skrivits in och ut"), "{inpatient_after}");
        let outpatient = texts(&set.steps(&prator, Some(RoutineRole::PrimaryCare), None));
        assert!(outpatient.contains("öppenvårdens ansvar att ringa alla"), "{outpatient}");
        assert!(outpatient.contains("datum per telefon"), "{outpatient}");
    }

    #[test]
    fn routine_seed_001_lifecare_sp_per_party() {
        let set = shipped();
        let r = own(&set, "lifecare-sp");
        assert_eq!(r.approval, Approval::NotYetApproved);
        assert_eq!(r.approval.label_sv(), "Ej beslutad");
        assert_eq!(r.date, Some(jiff::civil::date(2025, 10, 2)));
        assert_eq!(r.version.as_deref(), Some("1.0"));
        let lc = sys("lifecare-sp");
        for role in [
            RoutineRole::InpatientCare,
            RoutineRole::Municipality,
            RoutineRole::PrimaryCare,
            RoutineRole::OutpatientPsychiatry,
        ] {
            let after = set.steps(&lc, Some(role), Some(Phase::AfterRestore));
            let home = after.iter().find(|s| s.step.condition.as_deref() == Some("om patienten har gått hem"));
            assert!(home.is_some_and(|s| s.step.text.contains("hem till patienten")), "{role}: {}", texts(&after));
            assert!(texts(&after).contains("kvittera alla nya eller fördröjda meddelanden"), "{role}");
            assert!(!set.steps(&lc, Some(role), Some(Phase::During)).is_empty());
        }
        let inpatient = texts(&set.steps(&lc, Some(RoutineRole::InpatientCare), None));
        for m in ["inskrivning, beräknat utskrivningsdatum, planeringsunderlag", "inte meddelandet utskrivningsklar"] {
            assert!(inpatient.contains(m), "{m}: {inpatient}");
        }
        assert!(inpatient.contains("IT-enheten Skeppet, Örnsköldsviks sjukhus"), "{inpatient}");
        let outpatient = texts(&set.steps(&lc, Some(RoutineRole::OutpatientPsychiatry), None));
        assert!(outpatient.contains("Bekräfta fast vårdkontakt") && outpatient.contains("formell kallelse"));
        let municipality = texts(&set.steps(&lc, Some(RoutineRole::Municipality), Some(Phase::During)));
        assert!(municipality.contains("när kommunen kan ta emot patienten"), "{municipality}");
    }

    #[test]
    fn routine_steps_for_a_role_include_all_staff_and_exclude_others() {
        let set = shipped();
        let steps = set.steps(&sys("melior"), Some(RoutineRole::Nurse), Some(Phase::During));
        assert!(steps.iter().all(|s| s.step.is_for(RoutineRole::Nurse) && s.step.phase == Phase::During));
        assert!(steps.iter().any(|s| s.step.roles == [RoutineRole::AllStaff]));
        assert!(!steps.iter().any(|s| s.step.roles == [RoutineRole::Physician]));
        // Organisation-wide steps first, then Melior's own.
        let first_own = steps.iter().position(|s| s.routine.file == "003-melior.toml").unwrap();
        assert!(steps[..first_own].iter().all(|s| s.routine.file == "003-general.toml"));
        assert!(steps[first_own..].iter().all(|s| s.routine.file == "003-melior.toml"));
        // Without a phase, the phases come in order.
        let all = set.steps(&sys("melior"), None, None);
        assert!(all.windows(2).all(|w| w[0].step.phase <= w[1].step.phase));
        let by_id = set.step("melior-during-nurse-administration-lists").unwrap();
        assert_eq!(by_id.routine.file, "003-melior.toml");
        assert!(set.step("no-such-step").is_none());
    }

    // --- Dependencies -------------------------------------------------------

    fn direct_to(consequences: &[Consequence]) -> Vec<&str> {
        consequences.iter().filter(|c| c.is_direct()).map(Consequence::affected).collect()
    }

    #[test]
    fn routine_impact_elvis_down() {
        let set = shipped();
        let c = set.impact(&[sys("elvis")]);
        let direct = direct_to(&c);
        for to in ["svarsdatabasen", "provisio", "melior", "Syngo via", "BOV", "Upplysningstjänsten"] {
            assert!(direct.contains(&to), "{to} missing from {direct:?}");
        }
        let get = |to: &str| c.iter().find(|c| c.is_direct() && c.affected() == to).unwrap();
        assert!(get("svarsdatabasen").dependency.consequence.contains("inga vårdkontakter från ELVIS"));
        assert!(get("provisio").dependency.consequence.contains("sparas om"));
        assert!(get("BOV").dependency.external && get("BOV").dependency.consequence.contains("uppdateras inte"));
        // Indirect: through Provisio to 1177, with the path.
        let health = c.iter().find(|c| c.affected() == "1177/Mina vårdkontakter").unwrap();
        assert_eq!(health.path, ["elvis", "provisio", "1177/Mina vårdkontakter"]);
        assert!(!health.is_direct() && health.down() == "elvis");
        // Nothing about ELVIS itself, no path through a system twice, direct
        // ones first, each dependency once.
        assert!(c.iter().all(|c| c.affected() != "elvis"));
        assert!(c.iter().all(|c| c.path.iter().collect::<HashSet<_>>().len() == c.path.len()), "{c:#?}");
        assert!(!c.iter().any(|c| c.path == ["elvis", "melior", "pmo", "melior"]));
        assert!(c.windows(2).all(|w| w[0].path.len() <= w[1].path.len()));
        let mut seen = HashSet::new();
        assert!(c.iter().all(|c| seen.insert((&c.dependency.from, &c.dependency.to, &c.dependency.consequence))));
    }

    #[test]
    fn routine_impact_svarsdatabasen_down_lab_results_still_reach_melior() {
        let set = shipped();
        let c = set.impact(&[sys("svarsdatabasen")]);
        let melior = c.iter().find(|c| c.is_direct() && c.affected() == "melior").unwrap();
        assert!(melior.dependency.consequence.contains("Kemlabsvaren går in elektroniskt i Melior under stoppet"));
        assert_eq!(melior.file, "003-svarsdatabasen.toml");
        assert_eq!(melior.dependency.cite, "003 §4.5.3");
        let elvis = c.iter().find(|c| c.is_direct() && c.affected() == "elvis").unwrap();
        assert!(elvis.dependency.consequence.contains("efter stoppet"));
    }

    #[test]
    fn routine_impact_handles_cycles_and_several_down_systems() {
        let set = shipped();
        // The seed itself has two-way dependencies, so cycles are allowed.
        let edges: HashSet<(&str, &str)> = set.dependencies().map(|(_, d)| (d.from.as_str(), d.to.as_str())).collect();
        assert!(edges.contains(&("elvis", "provisio")) && edges.contains(&("provisio", "elvis")));
        assert!(edges.contains(&("elvis", "svarsdatabasen")) && edges.contains(&("svarsdatabasen", "elvis")));
        // With both ends down, the dependency between them is left out.
        let c = set.impact(&[sys("elvis"), sys("provisio")]);
        assert!(c.iter().all(|c| c.affected() != "elvis" && c.affected() != "provisio"));
        assert!(direct_to(&c).contains(&"1177/Mina vårdkontakter"));
        // MedSpeech's dependencies: Melior and PMO down affect dictation.
        assert!(direct_to(&set.impact(&[sys("pmo")])).contains(&"medspeech"));
        assert!(set.impact(&[sys("prator")]).is_empty());
        assert!(set.impact(&[]).is_empty());
    }

    // --- Bad input ----------------------------------------------------------

    #[test]
    fn routine_good_minimal_file_parses() {
        let r = parse_routine("good.toml", GOOD).unwrap();
        assert_eq!(r.steps[0].line, 8);
        assert_eq!(r.steps[0].roles, [RoutineRole::Nurse]);
        assert_eq!(r.approval, Approval::NotStated);
        assert!(load([("good.toml", GOOD)], &catalogue()).is_ok());
    }

    #[test]
    fn routine_unknown_role_names_file_line_and_reason() {
        check_bad(&GOOD.replace(r#"role = "nurse""#, r#"role = "nurze""#), 10, "unknown role `nurze`");
        let list = GOOD.replace(r#"role = "nurse""#, "role = [\n  \"nurse\",\n  \"doctor\",\n]");
        check_bad(&list, 12, "unknown role `doctor`");
        let combined = GOOD.replace(r#"role = "nurse""#, r#"role = ["nurse", "all_staff"]"#);
        check_bad(&combined, 10, "cannot be combined");
        let errs = errors(&[("bad.toml", &GOOD.replace(r#"role = "nurse""#, r#"role = "nurze""#))]);
        let e = load([("bad.toml", GOOD.replace("nurse", "nurze").as_str())], &catalogue()).unwrap_err();
        assert_eq!(e[0].code(), "routine_unknown_role");
        assert_eq!(e[0].message_sv().split(" (giltiga").next().unwrap(), "bad.toml, rad 10: okänd roll ”nurze”");
        assert!(errs[0].contains("physician, nurse"), "lists the valid keys: {}", errs[0]);
    }

    #[test]
    fn routine_unknown_phase_and_area() {
        check_bad(&GOOD.replace(r#"phase = "during""#, r#"phase = "under""#), 9, "unknown phase `under`");
        check_bad(&GOOD.replace(r#"area = "medication""#, r#"area = "drugs""#), 11, "unknown area `drugs`");
    }

    #[test]
    fn routine_unknown_system_names_file_and_line() {
        check_bad(
            &GOOD.replace(r#"system = "melior""#, r#"system = "cosmic""#),
            1,
            "system `cosmic` is not in the system catalogue",
        );
        let list = GOOD.replace(r#"system = "melior""#, "system = [\n  \"melior\",\n  \"cosmic\",\n]");
        check_bad(&list, 3, "system `cosmic`");
        check_bad(&GOOD.replace(r#"system = "melior""#, r#"system = "Melior""#), 1, "not a valid system id");
        check_bad(&GOOD.replace(r#"system = "melior""#, "system = []"), 1, "at least one system");
    }

    #[test]
    fn routine_dependency_on_missing_system() {
        let dep = |from: &str, to: &str, external: bool| {
            format!(
                "{GOOD}\n[[dependency]]\nfrom = \"{from}\"\nto = \"{to}\"\nexternal = {external}\nconsequence = \"Något.\"\ncite = \"003\"\n"
            )
        };
        // GOOD has 13 lines; then a blank line 14, [[dependency]] 15, from 16, to 17.
        check_bad(
            &dep("melior", "BOV", false),
            17,
            "names `BOV`, which is not in the system catalogue (set external = true",
        );
        check_bad(&dep("PAF", "melior", false), 16, "names `PAF`");
        assert!(load([("ok.toml", dep("melior", "BOV", true).as_str())], &catalogue()).is_ok());
        check_bad(&dep("melior", "elvis", true), 16, "external = true, but both");
        let errs = errors(&[("bad.toml", &dep("PAF", "BOV", true))]);
        assert!(errs[0].starts_with("bad.toml:16: ") && errs[0].contains("one end must be"), "{errs:?}");
        check_bad(&dep("elvis", "pmo", false), 16, "concerns none of the file's systems");
        check_bad(&dep("melior", "melior", false), 17, "cannot depend on itself");
    }

    #[test]
    fn routine_malformed_toml_names_the_line() {
        check_bad(&GOOD.replace(r#"area = "medication""#, r#"area = "medication"#), 11, "not a routine file");
        check_bad(
            &GOOD.replace(r#"cite = "003 §4.5.2""#, "cite = \"003\"\ncolour = \"red\""),
            14,
            "unknown field `colour`",
        );
        let missing = GOOD.replace("text = \"Skriv ut utdelningslistor.\"\n", "");
        let errs = errors(&[("bad.toml", &missing)]);
        assert!(
            errs.len() == 1 && errs[0].starts_with("bad.toml:") && errs[0].contains("missing field `text`"),
            "{errs:?}"
        );
        check_bad(&GOOD.replace(r#"text = "Skriv ut utdelningslistor.""#, r#"text = "  ""#), 12, "`text` is required");
        check_bad(&GOOD.replace("[[step]]", "version = 1.0\n[[step]]"), 7, "not a routine file");
        let long = GOOD.replace("Skriv ut utdelningslistor.", &"x".repeat(MAX_TEXT + 1));
        check_bad(&long, 12, "too long");
        let no_steps = &GOOD[..GOOD.find("[[step]]").unwrap()];
        let errs = errors(&[("bad.toml", no_steps)]);
        assert_eq!(errs, ["bad.toml: the routine has no steps ([[step]])"]);
    }

    #[test]
    fn routine_metadata_date_and_approval() {
        let with = |extra: &str| GOOD.replace("source = \"test\"", &format!("source = \"test\"\n{extra}"));
        check_bad(&with(r#"date = "2025-13-01""#), 6, "date `2025-13-01` is invalid");
        check_bad(&with(r#"date = "3 april 2023""#), 6, "is invalid");
        let r = parse_routine("a.toml", &with(r#"approved_by = "EJ BESLUTAD""#)).unwrap();
        assert_eq!(r.approval, Approval::NotYetApproved);
        let r = parse_routine("a.toml", &with(r#"approved_by = "Hälso- och sjukvårdsdirektören""#)).unwrap();
        assert_eq!(r.approval, Approval::Approved("Hälso- och sjukvårdsdirektören".into()));
    }

    #[test]
    fn routine_duplicate_step_ids_within_and_across_files() {
        let twice = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[step]]").unwrap()..]);
        check_bad(&twice, 16, "step id `test-step` is already used in bad.toml:8");
        let errs = errors(&[("a.toml", GOOD), ("b.toml", GOOD)]);
        assert_eq!(errs, ["b.toml:8: step id `test-step` is already used in a.toml:8"]);
        check_bad(&GOOD.replace("test-step", "Test step"), 8, "step id `Test step` is invalid");
    }

    #[test]
    fn routine_every_error_of_every_file_is_reported() {
        let bad_role = GOOD.replace("nurse", "nurze").replace("test-step", "other-step");
        let bad_syntax = "system = ";
        let errs = errors(&[("c.toml", &bad_role), ("a.toml", bad_syntax), ("b.toml", GOOD)]);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].starts_with("a.toml:1: not a routine file"), "{errs:?}");
        assert!(errs[1].starts_with("c.toml:10: unknown role"), "{errs:?}");
        let e = load([("a.toml", bad_syntax)], &catalogue()).unwrap_err().remove(0);
        let d: DomainError = e.into();
        assert_eq!(d.code(), "invalid");
        assert!(
            d.message_sv().starts_with("Fil: a.toml, rad 1: filen kan inte läsas som en rutin"),
            "{}",
            d.message_sv()
        );
    }

    #[test]
    fn routine_vocabularies_round_trip() {
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.key()), Some(*p));
        }
        for r in RoutineRole::ALL {
            assert_eq!(RoutineRole::parse(r.key()), Some(*r));
            assert!(!r.label_sv().is_empty() && !r.label_en().is_empty());
        }
        for a in Area::ALL {
            assert_eq!(Area::parse(a.key()), Some(*a));
        }
        assert_eq!(serde_json_like(RoutineRole::MedicalSecretary), "medical_secretary");
    }

    fn serde_json_like(r: RoutineRole) -> String {
        // No JSON crate in the core: serialise through TOML's value serializer.
        toml::Value::try_from(r).unwrap().as_str().unwrap().to_owned()
    }
}
