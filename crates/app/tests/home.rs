//! A person's work and home page over the demo data: what a ward owes and
//! awaits, the most urgent first, with the counterpart's numbers; what a
//! municipality sees (never primary care ↔ ward); IT keeps the status page.

use std::sync::Arc;

use reserv_app::contacts::{BUILTIN_CONTACTS, load_contacts};
use reserv_app::home::WorkItem;
use reserv_app::{App, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::handover::Party;
use reserv_core::severity::{Severity, Side};
use reserv_store::SessionKind;
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

async fn setup() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let store = SqliteStore::open(dir.path()).unwrap();
    let catalogue = Catalogue::parse(CATALOGUE).unwrap();
    let orgs = reserv_core::directory::parse_directory(DIRECTORY).unwrap();
    let book = load_contacts(BUILTIN_CONTACTS.iter().copied(), &orgs, &catalogue).unwrap();
    let app = App::new(Arc::new(store), clock, catalogue, Settings::default()).with_contacts(book);
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    (app, dir)
}

async fn principal(app: &App, username: &str) -> Principal {
    let origin = Origin("test".into());
    let s = app.login(username, "reserv-demo", SessionKind::Api, &origin).await.unwrap();
    app.authenticate(&s.token, SessionKind::Api, origin).await.unwrap()
}

fn sorted_by_severity(items: &[WorkItem]) -> bool {
    items.windows(2).all(|w| (w[0].severity, w[0].gap.due_since) <= (w[1].severity, w[1].gap.due_since))
}

#[tokio::test]
async fn a_ward_owes_and_awaits_the_most_urgent_first_with_the_number_to_call() {
    let (app, _d) = setup().await;
    let ward = principal(&app, "demo-clinician").await;
    let home = app.home_page(&ward).await.unwrap();
    assert!(home.works_with_patients);
    assert!(!home.owed.is_empty() && !home.awaited.is_empty());
    assert!(home.owed.iter().all(|i| i.side == Side::Owes && i.gap.from == Party::Ward));
    assert!(home.awaited.iter().all(|i| i.side == Side::Awaits && i.gap.to == Party::Ward));
    assert!(sorted_by_severity(&home.owed) && sorted_by_severity(&home.awaited));
    // The demo patient discharged with planning information unconfirmed comes first.
    let first = &home.owed[0];
    assert_eq!(first.severity, Severity::DischargedUnconfirmed);
    assert_eq!(first.patient.to_string(), "19450117-9834");
    assert_eq!(home.counts.discharged_unconfirmed, 1);
    let patients: std::collections::BTreeSet<_> = home.owed.iter().chain(&home.awaited).map(|i| i.episode_id).collect();
    assert_eq!(home.counts.patients_missing_information, patients.len());
    // The counterpart and its number from the contacts.
    let timra = home.awaited.iter().find(|i| i.counterpart.as_str() == "kommun-timra").unwrap();
    assert_eq!(timra.counterpart_name, "Timrå kommun");
    assert_eq!(timra.phones.iter().map(|p| p.number.as_str()).collect::<Vec<_>>(), ["060-16 31 00"]);
    // The gaps view lists the same work, in the same order.
    let work = app.work(&ward).await.unwrap();
    assert_eq!(work.len(), home.owed.len() + home.awaited.len());
    assert!(sorted_by_severity(&work));
}

#[tokio::test]
async fn a_municipality_sees_only_what_it_owes_or_awaits() {
    let (app, _d) = setup().await;
    let kommun = principal(&app, "demo-kommun").await;
    let work = app.work(&kommun).await.unwrap();
    assert!(!work.is_empty());
    for i in &work {
        assert!(i.gap.from == Party::Municipality || i.gap.to == Party::Municipality, "{:?}", i.gap);
        assert_ne!(i.counterpart.as_str(), "kommun-timra");
    }
    // The open gaps of its episodes do include primary care ↔ ward; the work does not.
    let all = app.open_gaps(&kommun).await.unwrap();
    assert!(all.iter().any(|g| g.gap.from == Party::PrimaryCare && g.gap.to == Party::Ward));
    assert!(work.len() < all.len());
    // The ward it waits for is reached through the hospital's switchboard.
    let ward = work.iter().find(|i| i.counterpart.as_str() == "rvn-sundsvall-avd-medicin-3").unwrap();
    assert_eq!(ward.phones[0].number.as_str(), "0611-800 00");
}

#[tokio::test]
async fn it_keeps_the_status_page() {
    let (app, _d) = setup().await;
    let it = principal(&app, "demo-it").await;
    let home = app.home_page(&it).await.unwrap();
    assert!(!home.works_with_patients);
    assert!(home.owed.is_empty() && home.awaited.is_empty());
    assert!(!home.outages.is_empty(), "the demo's outages");
}
