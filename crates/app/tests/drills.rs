//! Drills (övning): practice data stays apart from real data, end to end
//! through the services, over a real SQLite file with an injected clock.

use std::sync::Arc;

use reserv_app::episodes::{EntryInput, RegisterInput};
use reserv_app::outages::DeclareInput;
use reserv_app::{App, AppError, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_store::SessionKind;
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

async fn setup(at: &str) -> (App, Arc<ManualClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at.parse().unwrap()));
    let store = SqliteStore::open(dir.path()).unwrap();
    let app = App::new(Arc::new(store), clock.clone(), Catalogue::parse(CATALOGUE).unwrap(), Settings::default());
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

fn declare(system: &str, start: &str, drill: bool) -> DeclareInput {
    DeclareInput {
        system: system.into(),
        kind: "unplanned".into(),
        scope: "both".into(),
        start: start.into(),
        expected_end: None,
        notice: if drill { "Övning: PRATOR nere" } else { "PRATOR nere" }.into(),
        public_notice: String::new(),
        drill,
        confirm_same_system: false,
    }
}

fn patient(pnr: &str, admitted: &str) -> RegisterInput {
    RegisterInput {
        patient_id: pnr.into(),
        reserve_number: false,
        municipality: "kommun-timra".into(),
        primary_care: "rvn-hc-timra".into(),
        outpatient_psychiatry: None,
        admitted_at: admitted.into(),
        expected_discharge: None,
        existed_before_outage: false,
    }
}

fn call(at: &str) -> EntryInput {
    EntryInput {
        at: Some(at.into()),
        counterpart_name: "Handläggare".into(),
        counterpart_role: "biståndshandläggare".into(),
        counterpart_org: "kommun-timra".into(),
        direction: "given".into(),
        messages: vec!["admission".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_drill_runs_the_same_flow_on_practice_data_that_never_mixes_with_real_data() {
    // 2026-11-23 09:00 Stockholm. End the demo's real Lifecare SP outage first.
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let it = principal(&app, "demo-it").await;
    let ward = principal(&app, "demo-clinician").await;
    let manager = principal(&app, "demo-manager").await;
    let real = app
        .outages()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.outage.system.as_str() == "lifecare-sp" && o.outage.restored_at.is_none())
        .unwrap();
    app.end_outage(&it, real.outage.id, "2026-11-23 09:00", None).await.unwrap();

    clock.set("2026-11-23T09:00:00Z".parse().unwrap());
    let drill = app.declare_outage(&it, declare("prator", "2026-11-23 09:55", true)).await.unwrap();
    assert!(drill.outage.drill);
    assert!(
        app.public_status().await.unwrap().iter().all(|o| o.system.as_str() != "prator"),
        "drills never reach the public page"
    );

    let practice = app.register_episode(&ward, patient("19520303-9812", "2026-11-23 09:58")).await.unwrap();
    assert!(practice.episode.drill, "registered while only a drill is ongoing: practice data");
    let logged = app.log_call(&ward, practice.episode.id, call("2026-11-23 10:01")).await.unwrap();
    assert_eq!(logged.entries[0].entry.outages, vec![drill.outage.id]);

    // A real outage at the same time: a new registration is real, and its calls belong to the real outage only.
    let real2 = app.declare_outage(&it, declare("lifecare-sp", "2026-11-23 10:02", false)).await.unwrap();
    clock.set("2026-11-23T09:10:00Z".parse().unwrap());
    let genuine = app.register_episode(&ward, patient("19480611-9824", "2026-11-23 10:05")).await.unwrap();
    assert!(!genuine.episode.drill, "a real outage always wins");
    let logged = app.log_call(&ward, genuine.episode.id, call("2026-11-23 10:08")).await.unwrap();
    assert_eq!(logged.entries[0].entry.outages, vec![real2.outage.id]);
    let logged = app.log_call(&ward, practice.episode.id, call("2026-11-23 10:09")).await.unwrap();
    assert!(
        logged.entries.iter().all(|e| e.entry.outages == vec![drill.outage.id]),
        "practice calls stay in the drill"
    );

    clock.set("2026-11-23T09:30:00Z".parse().unwrap());
    app.end_outage(&it, drill.outage.id, "2026-11-23 10:25", None).await.unwrap();
    app.end_outage(&it, real2.outage.id, "2026-11-23 10:26", None).await.unwrap();

    let drill_list = app.worklist(&ward, drill.outage.id).await.unwrap();
    assert!(!drill_list.lines.is_empty());
    assert!(
        drill_list.lines.iter().all(|l| l.line.episode == practice.episode.id),
        "the drill's worklist: practice episodes only"
    );
    let real_list = app.worklist(&ward, real2.outage.id).await.unwrap();
    assert!(
        real_list.lines.iter().all(|l| l.line.episode != practice.episode.id),
        "a real worklist never holds practice data"
    );
    assert!(real_list.lines.iter().any(|l| l.line.episode == genuine.episode.id));

    let report = app.drill_report(&manager, drill.outage.id).await.unwrap();
    assert_eq!((report.episodes, report.calls), (1, 2));
    assert!(report.backentry.is_some_and(|b| b.total > 0));
    assert!(
        matches!(app.drill_report(&manager, real2.outage.id).await, Err(AppError::NotFound)),
        "a real outage has no drill report"
    );
    assert!(matches!(app.drill_report(&ward, drill.outage.id).await, Err(AppError::Forbidden)));
    let real_stats = app.backentry_report(&manager, real2.outage.id).await.unwrap();
    assert_eq!(real_stats.episodes, 1, "real statistics count the real episode only");
}
