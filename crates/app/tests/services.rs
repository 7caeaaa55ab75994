//! Service tests with an injected clock over a real SQLite file: time moves
//! only when the test says so.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use reserv_app::outages::DeclareInput;
use reserv_app::{App, AppError, ManualClock, Origin, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::outage::{DurationClass, OutageStatus};
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

#[tokio::test]
async fn lockout_lifts_after_the_configured_time_and_sessions_expire() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    for _ in 0..5 {
        assert!(app.login("demo-manager", "wrong", SessionKind::Browser, &origin()).await.is_err());
    }
    let locked = app.login("demo-manager", "reserv-demo", SessionKind::Browser, &origin()).await;
    assert!(matches!(locked, Err(AppError::Locked { .. })));
    clock.advance(SignedDuration::from_mins(16));
    let s = app.login("demo-manager", "reserv-demo", SessionKind::Browser, &origin()).await.unwrap();
    assert!(app.authenticate(&s.token, SessionKind::Browser, origin()).await.is_ok());
    // A browser session is not an API token.
    assert!(app.authenticate(&s.token, SessionKind::Api, origin()).await.is_err());
    clock.advance(SignedDuration::from_hours(12));
    assert!(matches!(app.authenticate(&s.token, SessionKind::Browser, origin()).await, Err(AppError::Unauthenticated)));
}

#[tokio::test]
async fn a_planned_outage_moves_from_upcoming_to_ongoing_to_ended() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let s = app.login("demo-it", "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
    let p = app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap();
    let input = DeclareInput {
        system: "prator".into(),
        kind: "planned".into(),
        scope: "both".into(),
        start: "2026-11-24T11:30".into(),
        expected_end: Some("2026-11-24T12:30".into()),
        notice: "Planerad uppgradering".into(),
    };
    let v = app.declare_outage(&p, input).await.unwrap();
    assert_eq!(v.status, OutageStatus::Upcoming);
    assert_eq!(v.assessment.class, DurationClass::Short);
    assert!(v.assessment.noon_warning, "a short PRATOR outage over 12:00 warns");
    clock.set("2026-11-24T10:45:00Z".parse().unwrap());
    assert_eq!(app.outage(v.outage.id).await.unwrap().status, OutageStatus::Ongoing);
    // Ending it in the future is refused; at the real time it is accepted.
    let future = app.end_outage(&p, v.outage.id, "2026-11-24T13:00", None).await;
    assert!(matches!(future, Err(AppError::Invalid(ref e)) if e.code() == "in_future"), "{future:?}");
    clock.set("2026-11-24T11:40:00Z".parse::<Timestamp>().unwrap());
    let ended = app.end_outage(&p, v.outage.id, "2026-11-24T12:35", Some("Åter i drift".into())).await.unwrap();
    assert_eq!(ended.status, OutageStatus::Ended);
    assert_eq!(ended.outage.timeline.len(), 2);
    let public = app.public_status().await.unwrap();
    assert!(public.iter().any(|o| o.system.as_str() == "prator" && o.restored_at.is_some()));
}
