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
use crate::datafile::{DataFileError, FileCheck, FileKind, Kind, OneOrMany, Reason, sorted, vocabulary};
use crate::ids::SystemId;

mod parse;
mod queries;
mod set;
#[cfg(test)]
mod tests;

pub use parse::*;
pub use queries::*;
pub use set::*;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Approval {
    Approved(String),
    /// Seed 001: "Fastställd av: EJ BESLUTAD".
    NotYetApproved,
    /// The source document does not say.
    NotStated,
}

impl Approval {
    /// The approval a data file's `approved_by` states (routines and
    /// contact files share the key): none, [`NOT_YET_APPROVED`], or by whom.
    pub fn from_approved_by(approved_by: Option<String>) -> Approval {
        match approved_by {
            None => Approval::NotStated,
            Some(a) if NOT_YET_APPROVED.iter().any(|n| a.eq_ignore_ascii_case(n)) => Approval::NotYetApproved,
            Some(a) => Approval::Approved(a),
        }
    }

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
