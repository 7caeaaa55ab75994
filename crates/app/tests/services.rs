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
    // One address alone cannot lock an account (issue 19): two addresses.
    for i in 0..5 {
        let from = Origin(format!("192.0.2.{}", i % 2));
        assert!(app.login("demo-manager", "wrong", SessionKind::Browser, &from).await.is_err());
    }
    // Locked; the answer is the same as for a wrong password.
    let locked = app.login("demo-manager", "reserv-demo", SessionKind::Browser, &origin()).await;
    assert!(matches!(locked, Err(AppError::BadCredentials)));
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
        public_notice: "Planerat underhåll av PRATOR.".into(),
        drill: false,
        confirm_same_system: false,
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

/// A second outage of a system that is already down is usually the same
/// failure reported twice: it is refused unless the declaration confirms it,
/// and nothing is written until then.
#[tokio::test]
async fn a_second_ongoing_outage_of_the_same_system_needs_a_confirmation() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let it = principal(&app, "demo-it").await;
    let demo = app.outages().await.unwrap();
    let ongoing = demo
        .iter()
        .find(|o| o.status == OutageStatus::Ongoing && o.outage.system.as_str() == "lifecare-sp")
        .expect("the demo has an ongoing Lifecare SP outage")
        .outage
        .id;
    let input = |system: &str, confirm: bool| DeclareInput {
        system: system.into(),
        kind: "unplanned".into(),
        scope: "both".into(),
        start: "2026-11-23T08:50".into(),
        notice: "Lifecare SP svarar inte".into(),
        public_notice: String::new(),
        confirm_same_system: confirm,
        ..Default::default()
    };
    clock.set("2026-11-23T09:00:00Z".parse().unwrap());
    let refused = app.declare_outage(&it, input("lifecare-sp", false)).await;
    match &refused {
        Err(e @ AppError::OngoingOnSameSystem { outage, system_name, .. }) => {
            assert_eq!(*outage, ongoing);
            assert_eq!(system_name, "Lifecare SP");
            assert_eq!(e.code(), "ongoing_outage_same_system");
            assert!(e.message_sv().contains("har redan ett pågående avbrott"), "{}", e.message_sv());
        }
        other => panic!("expected the same-system question, got {other:?}"),
    }
    assert_eq!(app.outages().await.unwrap().len(), demo.len(), "nothing written");
    // Invalid input is reported first, whatever the system.
    let mut bad = input("lifecare-sp", false);
    bad.start = "2026-11-23T23:00".into();
    assert_eq!(code(app.declare_outage(&it, bad).await), "in_future");
    // Another system is not asked about; a confirmed one is declared.
    app.declare_outage(&it, input("prator", false)).await.unwrap();
    let second = app.declare_outage(&it, input("lifecare-sp", true)).await.unwrap();
    assert_eq!(second.status, OutageStatus::Ongoing);
    // Once the first has ended, a new one needs no confirmation.
    for o in app.outages().await.unwrap().iter().filter(|o| o.outage.system.as_str() == "lifecare-sp") {
        if o.status == OutageStatus::Ongoing {
            app.end_outage(&it, o.outage.id, "2026-11-23T09:55", None).await.unwrap();
        }
    }
    clock.set("2026-11-23T10:00:00Z".parse().unwrap());
    let mut again = input("lifecare-sp", false);
    again.start = "2026-11-23T09:58".into();
    app.declare_outage(&it, again).await.unwrap();
}

async fn principal(app: &App, username: &str) -> reserv_app::Principal {
    let s = app.login(username, "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
    app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap()
}

fn work(key: &str, action: &str, reason: &str) -> reserv_app::worklists::WorkInput {
    reserv_app::worklists::WorkInput {
        key: key.into(),
        action: action.into(),
        reason: reason.into(),
        assignee: String::new(),
    }
}

fn code(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(e) => e.code().to_owned(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// The demo's Lifecare SP outage ends; each party gets its own worklist from
/// the handover log, works through it, and the report counts it.
#[tokio::test]
async fn an_ended_outage_gives_each_party_its_worklist_and_the_work_is_counted() {
    let (app, clock, _d) = setup("2026-11-23T08:00:00Z").await;
    let it = principal(&app, "demo-it").await;
    let ward = principal(&app, "demo-clinician").await;
    let kommun = principal(&app, "demo-kommun").await;
    let manager = principal(&app, "demo-manager").await;
    let outage = app.outages().await.unwrap().into_iter().find(|o| o.outage.system.as_str() == "lifecare-sp").unwrap();
    let id = outage.outage.id;
    assert_eq!(code(app.worklist(&ward, id).await), "outage_not_ended");

    // The ready-for-discharge notice for the Sundsvall patient, by phone before 12:00.
    let sundsvall = app
        .episodes(&ward)
        .await
        .unwrap()
        .into_iter()
        .find(|v| {
            v.episode.facts.municipality.as_str() == "kommun-sundsvall" && v.episode.facts.discharged_at.is_some()
        })
        .unwrap();
    let notice = reserv_app::episodes::EntryInput {
        at: Some("2026-11-23 08:15".into()),
        counterpart_name: "Handläggare".into(),
        counterpart_role: "biståndshandläggare".into(),
        counterpart_org: "kommun-sundsvall".into(),
        direction: "given".into(),
        messages: vec!["ready_for_discharge".into()],
        ..Default::default()
    };
    app.log_call(&ward, sundsvall.episode.id, notice).await.unwrap();

    let gaps_before = app.open_gaps(&ward).await.unwrap();
    clock.set("2026-11-23T09:00:00Z".parse().unwrap());
    app.end_outage(&it, id, "2026-11-23 09:30", Some("Åter i drift".into())).await.unwrap();
    // Once the outage has ended, its episodes' gaps are back-entry work, not calls to make.
    let gaps_after = app.open_gaps(&ward).await.unwrap();
    assert!(gaps_after.len() < gaps_before.len());
    for g in &gaps_after {
        let v = app.episode(&ward, g.episode_id).await.unwrap();
        assert!(v.entries.iter().all(|x| x.entry.outages.iter().all(|o| *o != id)), "{:?}", g.patient);
    }

    let list = app.worklist(&ward, id).await.unwrap();
    assert_eq!(list.policy.id, "lifecare-sp-vasternorrland-2025");
    assert!(list.lines.iter().all(|l| l.line.org == ward.user.org));
    assert!(list.progress.total > 0 && list.progress.open == list.progress.total);
    let admitted_during = list
        .lines
        .iter()
        .flat_map(|l| &l.line.items)
        .find(|i| {
            i.key.code == reserv_core::backentry::ItemCode::AdmissionNotice
                && i.item.values.contains_key("told_by_phone_at")
        })
        .expect("an admission notice told by phone during the outage");
    let key = admitted_during.key.to_string();
    let with_payment = list.lines.iter().find(|l| l.line.episode == sundsvall.episode.id).unwrap();
    let pay = with_payment.payment.expect("payment start from the logged notice");
    assert_eq!(pay.day_zero.to_string(), "2026-11-23");
    assert_eq!(pay.starts.to_string(), "2026-11-26");
    assert_eq!((pay.payable_days, pay.ongoing), (0, false), "discharged before payment started");

    // The municipality sees its own lines only; the ward's line does not exist for it.
    let theirs = app.worklist(&kommun, id).await.unwrap();
    assert!(theirs.lines.iter().all(|l| l.line.party == reserv_core::handover::Party::Municipality));
    assert_eq!(code(app.work_on_item(&kommun, id, work(&key, "done", "")).await), "not_found");

    assert_eq!(code(app.work_on_item(&ward, id, work(&key, "skip", "  ")).await), "required");
    assert_eq!(code(app.work_on_item(&ward, id, work(&key, "reopen", "fel")).await), "work_item_open");
    assert_eq!(code(app.work_on_item(&ward, id, work(&key, "explode", "")).await), "unknown_value");
    assert_eq!(code(app.work_on_item(&ward, id, work("not-a-key", "done", "")).await), "invalid_id");
    app.work_on_item(&ward, id, work(&key, "assign", "")).await.unwrap();
    clock.advance(SignedDuration::from_mins(10));
    let done = app.work_on_item(&ward, id, work(&key, "done", "Registrerat i Lifecare SP")).await.unwrap();
    assert_eq!(done.resolved_by.as_deref(), Some("Demo Sjuksköterska"));
    assert_eq!(done.assigned_to.as_deref(), Some("Demo Sjuksköterska"));
    assert_eq!(code(app.work_on_item(&ward, id, work(&key, "done", "")).await), "work_item_resolved");

    let after = app.worklist(&ward, id).await.unwrap();
    assert_eq!(after.progress.done, 1);
    assert_eq!(code(app.backentry_report(&ward, id).await), "forbidden");
    let report = app.backentry_report(&manager, id).await.unwrap();
    assert_eq!(report.total.done, 1);
    assert!(!report.complete);
    assert_eq!(report.progress_over_time.len(), 1);
    let ward_unit = report.units.iter().find(|u| u.org == ward.user.org).unwrap();
    assert_eq!(ward_unit.progress.done, 1);
    let s = &report.statistics.municipalities;
    let sundsvall_sum = &s[&reserv_core::ids::OrgId::parse("kommun-sundsvall").unwrap()];
    assert_eq!(sundsvall_sum.notices, 1);
    assert!(report.statistics.rows.iter().any(|r| r.code == "ready_for_discharge" && r.counts.contacts == 1));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("19380412") && !json.contains("RES-2026"), "the report holds no patient identity");
}
