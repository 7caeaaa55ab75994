//! The outage's view models: its card (facts, assessment, timeline) and
//! what the routines say about it (consequences, steps by phase).

use reserv_app::App;
use reserv_app::outages::OutageView;
use reserv_core::outage::{OutageChange, OutageStatus};
use reserv_core::time::{format_input, format_local};

use crate::kit::i18n::{Lang, class_label, kind_label, note_text, scope_label, status_label};

use crate::kit::view::TimelineRow;

pub struct OutageCard {
    pub id: String,
    pub system_name: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub kind: &'static str,
    pub scope: &'static str,
    pub scope_key: &'static str,
    pub class: &'static str,
    pub class_key: &'static str,
    pub start: String,
    pub expected_end: String,
    pub expected_end_input: String,
    pub restored_at: String,
    pub notice: String,
    /// The notice for the public (shown without login).
    pub public_notice: String,
    pub routine_applies: bool,
    pub noon_warning: bool,
    pub notes: Vec<&'static str>,
    pub declared_by: String,
    /// A practice outage (övning).
    pub drill: bool,
    pub timeline: Vec<TimelineRow>,
}

fn opt_time(t: Option<jiff::Timestamp>) -> String {
    t.map(format_local).unwrap_or_else(|| "–".into())
}

fn describe(lang: Lang, c: &OutageChange) -> String {
    let t = lang.texts();
    match c {
        OutageChange::Declared { kind, scope, start, expected_end, .. } => {
            let head = match lang {
                Lang::Sv => "Registrerade avbrottet",
                Lang::En => "Declared the outage",
            };
            format!(
                "{head}: {}, {}, {} {}, {} {}",
                kind_label(lang, *kind),
                scope_label(lang, *scope),
                t.start.to_lowercase(),
                format_local(*start),
                t.expected_end.to_lowercase(),
                opt_time(*expected_end)
            )
        }
        OutageChange::Updated { kind, scope, start, expected_end, notice, public_notice } => {
            let mut parts = Vec::new();
            if let Some(k) = kind {
                parts.push(format!("{} → {}", t.kind, kind_label(lang, *k)));
            }
            if let Some(s) = scope {
                parts.push(format!("{} → {}", t.scope, scope_label(lang, *s)));
            }
            if let Some(s) = start {
                parts.push(format!("{} → {}", t.start, format_local(*s)));
            }
            if let Some(e) = expected_end {
                parts.push(format!("{} → {}", t.expected_end, format_local(*e)));
            }
            if let Some(n) = notice {
                parts.push(format!("{} → ”{}”", t.notice, n));
            }
            if let Some(n) = public_notice {
                parts.push(format!("{} → ”{}”", t.public_notice, n));
            }
            let head = match lang {
                Lang::Sv => "Uppdaterade",
                Lang::En => "Updated",
            };
            format!("{head}: {}", parts.join("; "))
        }
        OutageChange::Ended { restored_at, .. } => match lang {
            Lang::Sv => format!("Avslutade avbrottet: åter i drift {}", format_local(*restored_at)),
            Lang::En => format!("Ended the outage: back in service {}", format_local(*restored_at)),
        },
    }
}

impl OutageCard {
    pub fn new(lang: Lang, v: &OutageView) -> OutageCard {
        let o = &v.outage;
        OutageCard {
            id: o.id.to_string(),
            system_name: v.system_name.clone(),
            status: status_label(lang, v.status),
            status_key: match v.status {
                OutageStatus::Upcoming => "upcoming",
                OutageStatus::Ongoing => "ongoing",
                OutageStatus::Ended => "ended",
            },
            kind: kind_label(lang, o.kind),
            scope: scope_label(lang, o.scope),
            scope_key: o.scope.key(),
            class: class_label(lang, v.assessment.class),
            class_key: match v.assessment.class {
                reserv_core::outage::DurationClass::Short => "short",
                reserv_core::outage::DurationClass::Long => "long",
                reserv_core::outage::DurationClass::Unknown => "unknown",
            },
            start: format_local(o.start),
            expected_end: opt_time(o.expected_end),
            expected_end_input: o.expected_end.map(format_input).unwrap_or_default(),
            restored_at: o.restored_at.map(format_local).unwrap_or_default(),
            notice: o.notice.clone(),
            public_notice: o.public_notice.clone(),
            routine_applies: v.assessment.routine_applies,
            noon_warning: v.assessment.noon_warning,
            notes: v.assessment.notes.iter().map(|n| note_text(lang, *n)).collect(),
            declared_by: format!("{}, {}", o.declared_by.name, format_local(o.declared_at)),
            drill: v.outage.drill,
            timeline: o
                .timeline
                .iter()
                .map(|e| TimelineRow {
                    at: format_local(e.at),
                    who: e.actor.name.clone(),
                    what: describe(lang, &e.change),
                })
                .collect(),
        }
    }
}

/// One consequence of an outage for another system (seed 003's dependencies).
pub struct ImpactRow {
    pub affected: String,
    pub consequence: String,
    pub direct: bool,
    pub via: String,
    pub cite: String,
}

/// One routine step as shown with an outage.
pub struct StepRow {
    pub roles: String,
    pub area: &'static str,
    pub condition: String,
    pub text: String,
    pub cite: String,
}

/// The steps of one phase (before a planned stop, during, after restore).
pub struct PhaseGroup {
    pub key: &'static str,
    pub label: &'static str,
    pub steps: Vec<StepRow>,
}

/// What the routines say about an outage of `system`: the consequences for
/// other systems (direct first) and every step of its routines by phase.
pub fn guidance(
    lang: Lang,
    routines: Option<&reserv_core::routine::RoutineSet>,
    app: &App,
    system: &reserv_core::ids::SystemId,
) -> (Vec<ImpactRow>, Vec<PhaseGroup>) {
    use reserv_core::routine::Phase;
    let Some(set) = routines else { return (Vec::new(), Vec::new()) };
    let name = |id: &str| {
        reserv_core::ids::SystemId::parse(id)
            .ok()
            .and_then(|s| app.catalogue().get(&s).map(|x| x.name.clone()))
            .unwrap_or_else(|| id.to_owned())
    };
    let impact = set
        .impact(std::slice::from_ref(system))
        .into_iter()
        .map(|c| ImpactRow {
            affected: name(c.affected()),
            consequence: c.dependency.consequence.clone(),
            direct: c.is_direct(),
            via: c.path.iter().map(|p| name(p)).collect::<Vec<_>>().join(" → "),
            cite: c.dependency.cite.clone(),
        })
        .collect();
    let label = |sv: &'static str, en: &'static str| match lang {
        Lang::Sv => sv,
        Lang::En => en,
    };
    let phases = Phase::ALL
        .iter()
        .map(|phase| PhaseGroup {
            key: phase.key(),
            label: label(phase.label_sv(), phase.label_en()),
            steps: set
                .steps(system, None, Some(*phase))
                .into_iter()
                .map(|r| StepRow {
                    roles: r
                        .step
                        .roles
                        .iter()
                        .map(|x| label(x.label_sv(), x.label_en()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    area: label(r.step.area.label_sv(), r.step.area.label_en()),
                    condition: r.step.condition.clone().unwrap_or_default(),
                    text: r.step.text.clone(),
                    cite: r.step.cite.clone(),
                })
                .collect(),
        })
        .filter(|g| !g.steps.is_empty())
        .collect();
    (impact, phases)
}
