//! Service tests of "Vad gör jag nu?" with an injected clock over a real
//! SQLite file and the shipped routines: a nurse's checklist during an ELVIS
//! outage, ticks and unticks, what is refused, the unit's progress and who
//! may read it, and the list after restore.

use std::sync::Arc;

use jiff::SignedDuration;

use reserv_app::checklists::{RoleSource, TickInput};
use reserv_app::outages::DeclareInput;
use reserv_app::users::NewUserInput;
use reserv_app::{App, AppError, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::checklist::Timing;
use reserv_core::ids::OutageId;
use reserv_core::routine::{Phase, RoutineRole};
use reserv_store::{AuditQuery, SessionKind};
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

/// The shipped routine files (data/routines/*.toml).
fn routine_files() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

async fn setup(at: &str) -> (App, Arc<ManualClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at.parse().unwrap()));
    let store = SqliteStore::open(dir.path()).unwrap();
    let catalogue = Catalogue::parse(CATALOGUE).unwrap();
    let routines =
        reserv_core::routine::load(routine_files().iter().map(|(n, t)| (n.as_str(), t.as_str())), &catalogue).unwrap();
    let app = App::new(Arc::new(store), clock.clone(), catalogue, Settings::default()).with_routines(routines);
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    (app, clock, dir)
}

fn origin() -> Origin {
    Origin("test".into())
}

async fn principal(app: &App, username: &str) -> Principal {
    let s = app.login(username, "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
    app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap()
}

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> (String, Option<&'static str>) {
    match r {
        Err(e) => (e.code().to_owned(), e.field()),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn tick(step: &str, ticked: bool) -> TickInput {
    TickInput { step: step.into(), ticked, role: None }
}

async fn declare(app: &App, system: &str, kind: &str, start: &str, end: &str) -> OutageId {
    let it = principal(app, "demo-it").await;
    let input = DeclareInput {
        system: system.into(),
        kind: kind.into(),
        scope: "both".into(),
        start: start.into(),
        expected_end: Some(end.into()),
        notice: "ELVIS går inte att nå.".into(),
        public_notice: String::new(),
        ..Default::default()
    };
    app.declare_outage(&it, input).await.unwrap().outage.id
}

async fn actions(app: &App, prefix: &str) -> Vec<(String, String)> {
    let q = AuditQuery { limit: 1000, before: None, action_prefix: Some(prefix.into()), scope: None };
    app.store().audit_log(q).await.unwrap().into_iter().map(|a| (a.action, a.detail)).collect()
}

#[tokio::test]
async fn a_nurse_works_through_her_checklist_during_an_elvis_outage() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let id = declare(&app, "elvis", "unplanned", "2026-11-23T08:30", "2026-11-23T16:00").await;
    let nurse = principal(&app, "demo-clinician").await;

    let v = app.checklist(&nurse, id, None).await.unwrap();
    assert_eq!(v.role_source, RoleSource::Account);
    assert_eq!(v.checklist.roles, [RoutineRole::Nurse, RoutineRole::InpatientCare]);
    let phases: Vec<(Phase, Timing)> = v.checklist.sections.iter().map(|s| (s.phase, s.timing)).collect();
    assert_eq!(phases, [(Phase::During, Timing::Now), (Phase::AfterRestore, Timing::Waiting)]);
    assert!(v.checklist.step("elvis-during-no-booking").is_some());
    assert!(v.checklist.step("general-during-report-fault").is_some(), "the organisation-wide routine lists ELVIS");
    assert!(v.checklist.step("elvis-during-ed-manual-contacts").is_none(), "not a ward nurse's step");
    assert_eq!(v.checklist.ticked, 0);

    // Tick: signed and timed.
    clock.advance(SignedDuration::from_mins(5));
    let s = app.tick(&nurse, id, tick("elvis-during-no-booking", true)).await.unwrap();
    let mine = s.mine.clone().unwrap();
    assert!(mine.ticked);
    assert_eq!((mine.by.as_str(), mine.at), ("Demo Sjuksköterska", app.now()));
    // The same form sent twice changes nothing.
    app.tick(&nurse, id, tick("elvis-during-no-booking", true)).await.unwrap();
    assert_eq!(app.store().ticks(id).await.unwrap().len(), 1);

    // Refused: a step after restore while ELVIS is down, a step not on her
    // list, a step that does not exist, an unknown role.
    assert_eq!(code(app.tick(&nurse, id, tick("elvis-after-bookings", true)).await).0, "checklist_step_not_yet");
    assert_eq!(
        code(app.tick(&nurse, id, tick("elvis-during-ed-manual-contacts", true)).await),
        ("unknown_value".into(), Some("step"))
    );
    assert_eq!(code(app.tick(&nurse, id, tick("no-such-step", true)).await).0, "unknown_value");
    assert_eq!(code(app.checklist(&nurse, id, Some("doctor")).await), ("unknown_value".into(), Some("role")));
    assert_eq!(code(app.checklist(&nurse, OutageId(uuid::Uuid::now_v7()), None).await).0, "not_found");

    // With another role chosen on the page, that role's steps can be ticked.
    let ed =
        TickInput { role: Some("emergency_department_staff".into()), ..tick("elvis-during-ed-manual-contacts", true) };
    app.tick(&nurse, id, ed).await.unwrap();
    let chosen = app.checklist(&nurse, id, Some("emergency_department_staff")).await.unwrap();
    assert_eq!(chosen.role_source, RoleSource::Chosen);
    assert!(chosen.checklist.step("elvis-during-ed-manual-contacts").unwrap().ticked());

    // Untick: a new event, both stay.
    clock.advance(SignedDuration::from_mins(1));
    let s = app.tick(&nurse, id, tick("elvis-during-no-booking", false)).await.unwrap();
    assert!(!s.ticked());
    assert_eq!(s.mine.as_ref().unwrap().history.len(), 2);
    app.tick(&nurse, id, tick("general-during-report-fault", true)).await.unwrap();
    let v = app.checklist(&nurse, id, None).await.unwrap();
    assert_eq!(v.checklist.ticked, 1);
    assert_eq!(app.store().ticks(id).await.unwrap().len(), 4);
    let audited = actions(&app, "checklist.").await;
    assert!(audited.contains(&("checklist.ticked".into(), "elvis-during-no-booking".into())), "{audited:?}");
    assert!(audited.contains(&("checklist.unticked".into(), "elvis-during-no-booking".into())), "{audited:?}");

    // The unit manager sees who ticked what at the unit.
    let manager = principal(&app, "demo-manager").await;
    let unit = app.unit_checklist(&manager, id, None).await.unwrap();
    assert_eq!(unit.progress.org.as_str(), "rvn-sundsvall-avd-medicin-3");
    assert_eq!(unit.progress.people, 2, "the nurse and the manager");
    let step = |id: &str| unit.progress.sections.iter().flat_map(|s| &s.steps).find(|s| s.step.id == id).cloned();
    let fault = step("general-during-report-fault").unwrap();
    assert_eq!(fault.expected, 2);
    assert_eq!(fault.ticked_by.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Demo Sjuksköterska"]);
    assert!(step("elvis-during-no-booking").unwrap().ticked_by.is_empty(), "unticked");
    assert_eq!(step("elvis-during-ed-manual-contacts").unwrap().expected, 0, "ticked with a chosen role");
    assert!(actions(&app, "checklist.unit_read").await.iter().any(|(_, d)| d.contains("rvn-sundsvall-avd-medicin-3")));

    // Who may read a unit's progress.
    let other = Some("kommun-timra");
    assert_eq!(code(app.unit_checklist(&manager, id, other).await).0, "forbidden");
    assert_eq!(code(app.unit_checklist(&nurse, id, None).await).0, "forbidden");
    let auditor = principal(&app, "demo-auditor").await;
    assert_eq!(code(app.unit_checklist(&auditor, id, None).await).0, "forbidden");
    let it = principal(&app, "demo-it").await;
    let seen = app.unit_checklist(&it, id, Some("rvn-sundsvall-avd-medicin-3")).await.unwrap();
    assert_eq!(seen.progress.people, 2);
    assert_eq!(code(app.unit_checklist(&it, id, Some("no-such-unit")).await), ("unknown_value".into(), Some("org")));

    // ELVIS is back: the steps after restore are now, the steps during can
    // still be ticked.
    clock.advance(SignedDuration::from_hours(2));
    app.end_outage(&it, id, "2026-11-23T10:30", None).await.unwrap();
    let v = app.checklist(&nurse, id, None).await.unwrap();
    let phases: Vec<(Phase, Timing)> = v.checklist.sections.iter().map(|s| (s.phase, s.timing)).collect();
    assert_eq!(phases, [(Phase::AfterRestore, Timing::Now), (Phase::During, Timing::Earlier)]);
    assert!(app.tick(&nurse, id, tick("elvis-after-bookings", true)).await.unwrap().ticked());
    assert!(app.tick(&nurse, id, tick("elvis-during-no-booking", true)).await.unwrap().ticked());
}

#[tokio::test]
async fn roles_come_from_the_account_or_the_organisation_and_unknown_ones_are_refused() {
    let (app, _clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let admin = principal(&app, "demo-admin").await;
    let new = |username: &str, org: &str, roles: &[&str]| NewUserInput {
        username: username.into(),
        display_name: String::new(),
        org: org.into(),
        role: "clinician".into(),
        password: "ett-langt-losenord".into(),
        routine_roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    };
    let bad = app.create_user(Some(&admin), new("fel.roll", "kommun-timra", &["nurse", "doctor"]), &origin()).await;
    assert_eq!(code(bad), ("unknown_value".into(), Some("routine_roles")));
    assert!(app.store().user_by_username("fel.roll").await.unwrap().is_none(), "nothing was written");
    let lisa = new("lakare.lisa", "rvn-sundsvall-avd-medicin-3", &["physician"]);
    let u = app.create_user(Some(&admin), lisa, &origin()).await.unwrap();
    assert_eq!(u.routine_roles, [RoutineRole::Physician]);
    app.create_user(Some(&admin), new("kommun.karl", "kommun-timra", &[]), &origin()).await.unwrap();
    app.create_user(Some(&admin), new("region.rut", "rvn", &[]), &origin()).await.unwrap();

    let id = declare(&app, "elvis", "unplanned", "2026-11-23T08:30", "2026-11-23T16:00").await;
    let karl = app.login("kommun.karl", "ett-langt-losenord", SessionKind::Api, &origin()).await.unwrap();
    let karl = app.authenticate(&karl.token, SessionKind::Api, origin()).await.unwrap();
    let v = app.checklist(&karl, id, None).await.unwrap();
    assert_eq!((v.role_source, v.checklist.roles.clone()), (RoleSource::Organisation, vec![RoutineRole::Municipality]));
    let rut = app.login("region.rut", "ett-langt-losenord", SessionKind::Api, &origin()).await.unwrap();
    let rut = app.authenticate(&rut.token, SessionKind::Api, origin()).await.unwrap();
    let v = app.checklist(&rut, id, None).await.unwrap();
    assert_eq!(v.role_source, RoleSource::None);
    assert!(v.checklist.sections.iter().flat_map(|s| &s.steps).all(|s| s.step.roles == [RoutineRole::AllStaff]));
    assert!(v.checklist.tickable > 0, "the all-staff steps are there to tick");
}

#[tokio::test]
async fn before_a_planned_stop_the_preparations_come_first() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let id = declare(&app, "elvis", "planned", "2026-11-24T18:00", "2026-11-24T20:00").await;
    let it = principal(&app, "demo-it").await;
    let v = app.checklist(&it, id, None).await.unwrap();
    assert_eq!(v.checklist.sections[0].phase, Phase::BeforePlannedStop);
    assert!(v.checklist.step("general-before-it-plexus").is_some_and(|s| s.tickable));
    assert_eq!(code(app.tick(&it, id, tick("general-during-it-plexus", true)).await).0, "checklist_step_not_yet");
    app.tick(&it, id, tick("general-before-it-plexus", true)).await.unwrap();
    // Once the stop has begun, the steps during are now.
    clock.set("2026-11-24T17:05:00Z".parse().unwrap());
    let v = app.checklist(&it, id, None).await.unwrap();
    assert_eq!((v.checklist.sections[0].phase, v.checklist.sections[0].timing), (Phase::During, Timing::Now));
    assert!(app.tick(&it, id, tick("general-during-it-plexus", true)).await.unwrap().ticked());
}

/// The routines as people read them: which systems have routines, and one
/// system's steps for a role (its own and everyone's) or for all roles.
#[tokio::test]
async fn routines_are_chosen_by_system_and_role() {
    let (app, _clock, _dir) = setup("2026-03-10T09:00:00Z").await;
    let systems = app.routine_systems();
    let elvis = systems.iter().find(|s| s.system.as_str() == "elvis").expect("elvis has routines");
    let total: usize = elvis.routines.iter().map(|r| r.steps).sum();
    let count = |v: &reserv_app::routines::SystemRoutines| -> usize {
        v.routines.iter().flat_map(|r| &r.phases).flat_map(|p| &p.areas).map(|a| a.steps.len()).sum()
    };
    let all = app.system_routines("elvis", None).unwrap();
    assert_eq!((all.role, count(&all)), (None, total));
    assert_eq!(count(&app.system_routines(" elvis ", Some("  ")).unwrap()), total, "blank role: every role");
    let nurse = app.system_routines("elvis", Some("nurse")).unwrap();
    assert_eq!(nurse.role, Some(RoutineRole::Nurse));
    assert!(count(&nurse) > 0 && count(&nurse) < total);
    let mut steps = nurse.routines.iter().flat_map(|r| &r.phases).flat_map(|p| &p.areas).flat_map(|a| &a.steps);
    assert!(steps.all(|s| s.is_for(RoutineRole::Nurse)));
    assert!(matches!(app.system_routines("elvis", Some("astronaut")), Err(AppError::Invalid(_))));
    assert!(matches!(app.system_routines("cosmos", None), Err(AppError::NotFound)));
    assert!(matches!(app.system_routines("Not A Slug", None), Err(AppError::NotFound)));
}
