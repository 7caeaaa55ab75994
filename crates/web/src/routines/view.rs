//! The routine's presentation model, free of HTTP: every step of a system's
//! downtime routines by phase and area, with document metadata and the
//! dependencies on other systems, and the page's texts in both languages
//! ([`RoutineTexts`]). The page and `reserv print routine` both render it.

use reserv_app::routines::SystemRoutines;
use reserv_core::routine::Approval;

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
    printed: "Utskrift",
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

/// The page's (and the printout's) view of a system's routines, as the
/// service chose them: labels in `lang`, "ej angivet" for what the source
/// does not state.
pub fn routine_view(lang: Lang, v: &SystemRoutines) -> RoutineDocView {
    let t = texts(lang);
    let or_not_stated = |x: Option<String>| x.unwrap_or_else(|| t.not_stated.to_owned());
    let routines = v
        .routines
        .iter()
        .enumerate()
        .map(|(i, r)| RoutineView {
            anchor: format!("routine-{i}"),
            title: r.title.clone(),
            document_type: r.document_type.clone(),
            approved_by: approval(lang, &r.approval),
            date: or_not_stated(r.date.map(|d| d.to_string())),
            version: or_not_stated(r.version.clone()),
            owner: r.owner.clone(),
            source: r.source.clone(),
            applies_to: r.applies_to.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "),
            phases: r
                .phases
                .iter()
                .map(|p| PhaseView {
                    key: p.phase.key(),
                    label: pick(lang, p.phase.label_sv(), p.phase.label_en()),
                    areas: p
                        .areas
                        .iter()
                        .map(|a| AreaView {
                            label: pick(lang, a.area.label_sv(), a.area.label_en()),
                            steps: a
                                .steps
                                .iter()
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
                        .collect(),
                })
                .collect(),
            dependencies: r
                .dependencies
                .iter()
                .map(|d| DependencyView {
                    from: d.from.name.clone(),
                    to: d.to.name.clone(),
                    consequence: d.consequence.clone(),
                    cite: d.cite.clone(),
                })
                .collect(),
        })
        .collect();
    RoutineDocView {
        system: v.system.to_string(),
        system_name: v.system_name.clone(),
        role: v.role.map(|r| r.key().to_owned()).unwrap_or_default(),
        role_label: v.role.map(|r| pick(lang, r.label_sv(), r.label_en()).to_owned()).unwrap_or_default(),
        routines,
    }
}
