//! The routine's presentation model, free of HTTP: every step of a system's
//! downtime routines by phase and area, with document metadata and the
//! dependencies on other systems, and the page's texts in both languages
//! ([`RoutineTexts`]). The page and `reserv print routine` both render it.

use reserv_core::catalogue::Catalogue;
use reserv_core::error::{DomainError, Field};
use reserv_core::ids::SystemId;
use reserv_core::routine::{Approval, Area, Phase, RoutineRole, RoutineSet};

use crate::kit::i18n::Lang;

/// The texts of the routine page and its printout.
pub struct RoutineTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub role: &'static str,
    pub all_roles: &'static str,
    pub show: &'static str,
    pub document_type: &'static str,
    pub approved_by: &'static str,
    pub date: &'static str,
    pub version: &'static str,
    pub owner: &'static str,
    pub source: &'static str,
    pub applies_to: &'static str,
    pub dependencies: &'static str,
    pub no_steps: &'static str,
    pub printed: &'static str,
    pub back: &'static str,
    pub print_hint: &'static str,
    pub for_role: &'static str,
    pub not_stated: &'static str,
    pub who: &'static str,
    pub step: &'static str,
    pub area: &'static str,
    pub dependency: &'static str,
    pub consequence: &'static str,
}

pub const SV: RoutineTexts = RoutineTexts {
    title: "Rutin vid driftstopp",
    intro: "Alla steg före, under och efter driftstoppet, per fas och område, med vem som gör vad och var i \
            rutinen det står.",
    role: "Roll",
    all_roles: "Alla roller",
    show: "Visa",
    document_type: "Dokumenttyp",
    approved_by: "Fastställd av",
    date: "Datum",
    version: "Version",
    owner: "Ägare",
    source: "Källa",
    applies_to: "Gäller systemen",
    dependencies: "Beroenden till andra system",
    no_steps: "Inga steg för den här rollen i rutinen.",
    printed: "Utskriven",
    back: "Till systemen",
    print_hint: "Skriv ut sidan (Ctrl+P) eller spara den som PDF.",
    for_role: "Steg för",
    not_stated: "Anges inte i källan",
    who: "Vem",
    step: "Steg",
    area: "Område",
    dependency: "Beroende",
    consequence: "Följd",
};

pub const EN: RoutineTexts = RoutineTexts {
    title: "Downtime routine",
    intro: "Every step before, during and after the outage, by phase and area, with who does what and where in \
            the routine it says so.",
    role: "Role",
    all_roles: "All roles",
    show: "Show",
    document_type: "Document type",
    approved_by: "Approved by",
    date: "Date",
    version: "Version",
    owner: "Owner",
    source: "Source",
    applies_to: "Applies to the systems",
    dependencies: "Dependencies on other systems",
    no_steps: "No steps for this role in the routine.",
    printed: "Printed",
    back: "Back to the systems",
    print_hint: "Print the page (Ctrl+P) or save it as PDF.",
    for_role: "Steps for",
    not_stated: "Not stated in the source",
    who: "Who",
    step: "Step",
    area: "Area",
    dependency: "Dependency",
    consequence: "Consequence",
};

pub fn texts(lang: Lang) -> &'static RoutineTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

pub(crate) fn pick(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

pub struct StepView {
    pub id: String,
    pub roles: String,
    pub condition: String,
    pub text: String,
    pub cite: String,
}

pub struct AreaView {
    pub label: &'static str,
    pub steps: Vec<StepView>,
}

pub struct PhaseView {
    pub key: &'static str,
    pub label: &'static str,
    pub areas: Vec<AreaView>,
}

pub struct DependencyView {
    pub from: String,
    pub to: String,
    pub consequence: String,
    pub cite: String,
}

/// One routine document with its metadata and steps.
pub struct RoutineView {
    pub anchor: String,
    pub title: String,
    pub document_type: String,
    pub approved_by: String,
    pub date: String,
    pub version: String,
    pub owner: String,
    pub source: String,
    /// The systems an organisation-wide routine covers; empty for a system's own.
    pub applies_to: String,
    pub phases: Vec<PhaseView>,
    pub dependencies: Vec<DependencyView>,
}

/// Every routine of one system, as shown.
pub struct RoutineDocView {
    pub system: String,
    pub system_name: String,
    /// The role chosen, or empty for all.
    pub role: String,
    pub role_label: String,
    pub routines: Vec<RoutineView>,
}

impl RoutineDocView {
    pub fn step_count(&self) -> usize {
        self.routines.iter().flat_map(|r| &r.phases).flat_map(|p| &p.areas).map(|a| a.steps.len()).sum()
    }
}

fn approval(lang: Lang, a: &Approval) -> String {
    match (lang, a) {
        (_, Approval::Approved(by)) => by.clone(),
        (Lang::Sv, _) => a.label_sv(),
        (Lang::En, Approval::NotYetApproved) => "Not yet approved".into(),
        (Lang::En, Approval::NotStated) => "Not stated in the source".into(),
    }
}

/// The routines of `system` as shown, only the steps of `role` (and
/// everyone's) when given; `None` if the system has no routine.
pub fn routine_view(
    lang: Lang,
    set: &RoutineSet,
    catalogue: &Catalogue,
    system: &SystemId,
    role: Option<RoutineRole>,
) -> Option<RoutineDocView> {
    let t = texts(lang);
    let routines = set.routines_for(system);
    if routines.is_empty() {
        return None;
    }
    let name = |id: &str| {
        SystemId::parse(id)
            .ok()
            .and_then(|s| catalogue.get(&s).map(|x| x.name.clone()))
            .unwrap_or_else(|| id.to_owned())
    };
    let or_not_stated = |v: Option<String>| v.unwrap_or_else(|| t.not_stated.to_owned());
    let views = routines
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let phases = Phase::ALL
                .iter()
                .map(|phase| PhaseView {
                    key: phase.key(),
                    label: pick(lang, phase.label_sv(), phase.label_en()),
                    areas: Area::ALL
                        .iter()
                        .map(|area| AreaView {
                            label: pick(lang, area.label_sv(), area.label_en()),
                            steps: r
                                .steps
                                .iter()
                                .filter(|s| s.phase == *phase && s.area == *area)
                                .filter(|s| role.is_none_or(|x| s.is_for(x)))
                                .map(|s| StepView {
                                    id: s.id.clone(),
                                    roles: s
                                        .roles
                                        .iter()
                                        .map(|x| pick(lang, x.label_sv(), x.label_en()))
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                    condition: s.condition.clone().unwrap_or_default(),
                                    text: s.text.clone(),
                                    cite: s.cite.clone(),
                                })
                                .collect(),
                        })
                        .filter(|a| !a.steps.is_empty())
                        .collect(),
                })
                .filter(|p| !p.areas.is_empty())
                .collect();
            RoutineView {
                anchor: format!("routine-{i}"),
                title: r.title.clone(),
                document_type: r.document_type.clone(),
                approved_by: approval(lang, &r.approval),
                date: or_not_stated(r.date.map(|d| d.to_string())),
                version: or_not_stated(r.version.clone()),
                owner: r.owner.clone(),
                source: r.source.clone(),
                applies_to: if r.systems.len() > 1 {
                    r.systems.iter().map(|s| name(s.as_str())).collect::<Vec<_>>().join(", ")
                } else {
                    String::new()
                },
                phases,
                dependencies: r
                    .dependencies
                    .iter()
                    .filter(|d| d.from == system.as_str() || d.to == system.as_str())
                    .map(|d| DependencyView {
                        from: name(&d.from),
                        to: name(&d.to),
                        consequence: d.consequence.clone(),
                        cite: d.cite.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Some(RoutineDocView {
        system: system.to_string(),
        system_name: name(system.as_str()),
        role: role.map(|r| r.key().to_owned()).unwrap_or_default(),
        role_label: role.map(|r| pick(lang, r.label_sv(), r.label_en()).to_owned()).unwrap_or_default(),
        routines: views,
    })
}

/// Parses `?role=`: empty means every role.
pub fn parse_role(raw: Option<&str>) -> Result<Option<RoutineRole>, DomainError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => RoutineRole::parse(r)
            .map(Some)
            .ok_or_else(|| DomainError::UnknownValue { field: Field::Role, value: r.chars().take(40).collect() }),
    }
}
