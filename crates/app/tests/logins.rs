//! Logins that cannot be turned against staff (issue 19, findings 5 and 6):
//! the lock's count starts again when a lock expires, an unknown username,
//! a wrong password and a locked account get the same answer, one client
//! address cannot lock an account, a flood from one address is throttled
//! without touching other addresses, and the audit log keeps a typed
//! username only when it is an account. An injected clock over a real
//! SQLite file.

use std::sync::Arc;

use jiff::SignedDuration;

use reserv_app::{App, AppError, ManualClock, Origin, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_store::{AuditQuery, AuditRecord, SessionKind, Store};
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
const RIGHT: &str = "reserv-demo";

struct T {
    app: App,
    clock: Arc<ManualClock>,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

async fn setup() -> T {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-23T08:00:00Z".parse().unwrap()));
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let app = App::new(store.clone(), clock.clone(), Catalogue::parse(CATALOGUE).unwrap(), Settings::default());
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    T { app, clock, store, _dir: dir }
}

fn from(address: &str) -> Origin {
    Origin(address.into())
}

impl T {
    async fn login(&self, user: &str, password: &str, address: &str) -> Result<(), AppError> {
        self.app.login(user, password, SessionKind::Api, &from(address)).await.map(|_| ())
    }

    /// Locks `user` the only way left: failures from two addresses (three
    /// and two), each within its own share.
    async fn lock(&self, user: &str) {
        for address in ["192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2"] {
            assert!(matches!(self.login(user, "fel", address).await, Err(AppError::BadCredentials)));
        }
        let r = self.login(user, RIGHT, "192.0.2.3").await;
        assert!(matches!(r, Err(AppError::BadCredentials)), "locked: even the right password is refused: {r:?}");
    }

    async fn audit(&self) -> Vec<AuditRecord> {
        self.store
            .audit_log(AuditQuery { limit: 1000, before: None, action_prefix: Some("login.".into()), scope: None })
            .await
            .unwrap()
    }
}

fn code(r: Result<(), AppError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

#[tokio::test]
async fn one_wrong_password_after_a_lock_expires_does_not_lock_again() {
    let t = setup().await;
    t.lock("demo-it").await;
    t.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(code(t.login("demo-it", "fel igen", "192.0.2.9").await), "bad_credentials");
    assert_eq!(code(t.login("demo-it", RIGHT, "192.0.2.10").await), "ok", "one failure after the lock is one failure");
}

#[tokio::test]
async fn an_unknown_username_a_wrong_password_and_a_locked_account_answer_alike() {
    let t = setup().await;
    t.lock("demo-it").await;
    // Five more failures for a name that is no account, from as many addresses.
    let mut answers = Vec::new();
    for i in 0..6 {
        answers.push(code(t.login("ingen-sadan", "fel", &format!("198.51.100.{i}")).await));
    }
    answers.push(code(t.login("demo-it", "fel", "198.51.100.20").await));
    answers.push(code(t.login("demo-it", RIGHT, "198.51.100.21").await));
    answers.push(code(t.login("demo-admin", "fel", "198.51.100.22").await));
    assert!(answers.iter().all(|a| a == "bad_credentials"), "{answers:?}");
    let e = t.login("demo-it", RIGHT, "198.51.100.23").await.unwrap_err();
    assert!(e.message_sv().starts_with("Fel användarnamn eller lösenord."), "{}", e.message_sv());
}

#[tokio::test]
async fn one_address_hammering_an_account_does_not_lock_it_out() {
    let t = setup().await;
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(code(t.login("demo-it", "gissning", "203.0.113.66").await));
    }
    assert_eq!(answers[..4], ["bad_credentials"; 4]);
    assert!(answers[4..].iter().all(|a| a == "login_throttled"), "{answers:?}");
    // IT logs in from its own computer meanwhile.
    assert_eq!(code(t.login("demo-it", RIGHT, "10.1.2.3").await), "ok");
    // The attacker comes back after every wait; those tries are checked but
    // never count towards the lock.
    t.login("demo-it", "fel", "10.1.2.3").await.unwrap_err();
    for _ in 0..6 {
        t.clock.advance(SignedDuration::from_mins(16));
        assert_eq!(code(t.login("demo-it", "gissning", "203.0.113.66").await), "bad_credentials");
    }
    assert_eq!(code(t.login("demo-it", RIGHT, "10.1.2.3").await), "ok");
    // The throttle's refusal says when, and is the same for a name that is no account.
    let e = t.login("demo-it", "gissning", "203.0.113.66").await.unwrap_err();
    assert!(matches!(e, AppError::LoginThrottled { .. }), "{e:?}");
    assert!(e.message_sv().starts_with("För många misslyckade inloggningar från den här datorn. Försök igen efter"));
}

#[tokio::test]
async fn a_flood_from_one_address_is_throttled_for_every_username_and_no_other_address() {
    let t = setup().await;
    for i in 0..30 {
        assert_eq!(code(t.login(&format!("gissat-{i}"), "Sommar2026!", "203.0.113.7").await), "bad_credentials", "{i}");
    }
    assert_eq!(code(t.login("demo-clinician", RIGHT, "203.0.113.7").await), "login_throttled");
    assert_eq!(code(t.login("nobody", "x", "203.0.113.7").await), "login_throttled");
    assert_eq!(code(t.login("demo-clinician", RIGHT, "203.0.113.8").await), "ok");
    // It drains: one failure's worth every 30 s.
    t.clock.advance(SignedDuration::from_secs(30));
    assert_eq!(code(t.login("demo-clinician", RIGHT, "203.0.113.7").await), "ok");
    // The refusal is audited once, with the address, not every time.
    let throttled: Vec<_> = t.audit().await.into_iter().filter(|r| r.action == "login.throttled").collect();
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    assert_eq!(throttled[0].origin, "203.0.113.7");
}

#[tokio::test]
async fn a_typed_username_is_audited_only_when_it_is_an_account() {
    let t = setup().await;
    t.login("Hunter2-MyPassword!", "demo-it", "192.0.2.50").await.unwrap_err();
    t.login("demo-it", "Hunter2-MyPassword!", "192.0.2.50").await.unwrap_err();
    let records = t.audit().await;
    let unknown = records.iter().find(|r| r.action == "login.failed" && r.actor_id.is_none()).unwrap();
    assert!(!format!("{unknown:?}").contains("Hunter2"), "{unknown:?}");
    let hash = reserv_app::auth::unknown_username_hash(t.store.node_id(), "Hunter2-MyPassword!");
    assert_eq!(unknown.detail, format!("unknown username (hash {hash})"));
    assert_eq!(unknown.actor, "anonymous");
    let known = records.iter().find(|r| r.action == "login.failed" && r.actor_id.is_some()).unwrap();
    assert_eq!(known.actor, "demo-it");
    assert!(records.iter().all(|r| !format!("{r:?}").contains("Hunter2")), "{records:?}");
}
