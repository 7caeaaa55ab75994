//! Tests of routine files, routine sets and the dependency graph.

use super::*;
use crate::error::DomainError;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
const SYSTEMS: &str = include_str!("../../../../data/systems.toml");

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
    let found: Vec<&Routine> = set.routines_for(&sys(system)).into_iter().filter(|r| r.systems.len() == 1).collect();
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
    assert!(d.message_sv().starts_with("Fil: a.toml, rad 1: filen kan inte läsas som en rutin"), "{}", d.message_sv());
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
