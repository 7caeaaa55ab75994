//! E-mail subscriptions to the public status as a service: an injected
//! clock, a real SQLite file and a fake `Deliver` that records what it was
//! asked to send. Double opt-in, one mail per public change, none for drills
//! or notice-only amendments, unsubscribe, rate limit and expiry.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use reserv_app::notifications::{Deliver, Notifications, Outgoing};
use reserv_app::outages::{AmendInput, DeclareInput};
use reserv_app::subscriptions::LinkResult;
use reserv_app::{App, AppError, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::outbox::{Address, Failure, RetryPolicy};
use reserv_store::SessionKind;
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
const T0: &str = "2026-11-23T08:00:00Z";

#[derive(Default)]
struct Fake {
    sent: Mutex<Vec<Outgoing>>,
}

#[async_trait]
impl Deliver for Fake {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        self.sent.lock().unwrap().push(m.clone());
        Ok("250 2.0.0 OK".into())
    }
}

struct Env {
    app: App,
    clock: Arc<ManualClock>,
    fake: Arc<Fake>,
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn origin() -> Origin {
    Origin("test".into())
}

async fn setup(dir: &Path) -> Env {
    let clock = Arc::new(ManualClock::new(t(T0)));
    let fake = Arc::new(Fake::default());
    let store = SqliteStore::open(dir).unwrap();
    let app = App::new(Arc::new(store), clock.clone(), Catalogue::parse(CATALOGUE).unwrap(), Settings::default())
        .with_notifications(Notifications {
            deliver: fake.clone(),
            recipients: Default::default(),
            retry: RetryPolicy::default(),
            public_url: Some("https://reserv.example.org/".into()),
        });
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    Env { app, clock, fake }
}

impl Env {
    /// One scheduler step `mins` minutes later; the mails it sent to `to`.
    async fn step(&self, mins: i64, to: &str) -> Vec<Outgoing> {
        let before = self.fake.sent.lock().unwrap().len();
        let at = self.clock.now_ts() + SignedDuration::from_mins(mins);
        self.clock.set(at);
        self.app.run_due(at).await.unwrap();
        self.fake.sent.lock().unwrap()[before..]
            .iter()
            .filter(|m| m.address == Address::Email(to.into()))
            .cloned()
            .collect()
    }
    async fn it(&self) -> Principal {
        let s = self.app.login("demo-it", "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
        self.app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap()
    }
    /// Subscribes and confirms through the link of the confirmation mail.
    async fn confirmed(&self, email: &str, systems: &[&str]) -> String {
        let systems: Vec<String> = systems.iter().map(|s| s.to_string()).collect();
        self.app.subscribe(email, &systems, &origin()).await.unwrap();
        let mails = self.step(0, email).await;
        assert_eq!(mails.len(), 1, "one confirmation mail");
        let token = link_token(&mails[0].body, "/subscriptions/confirm/");
        let (r, v) = self.app.confirm_subscription(&token, &origin()).await.unwrap();
        assert_eq!(r, LinkResult::Done);
        assert_eq!(v.email, format!("{}***@{}", &email[..1], email.split('@').nth(1).unwrap()));
        token
    }
}

trait Now {
    fn now_ts(&self) -> Timestamp;
}
impl Now for ManualClock {
    fn now_ts(&self) -> Timestamp {
        reserv_app::Clock::now(self)
    }
}

fn link_token(body: &str, path: &str) -> String {
    let i = body.find(path).unwrap_or_else(|| panic!("no {path} in {body}")) + path.len();
    body[i..i + 64].to_owned()
}

fn declare(system: &str, drill: bool) -> DeclareInput {
    DeclareInput {
        system: system.into(),
        kind: "unplanned".into(),
        scope: "region".into(),
        start: "2026-11-23 09:00".into(),
        expected_end: None,
        notice: "Intern notis: ring jouren på 1234".into(),
        public_notice: String::new(),
        drill,
        // The demo region has an ongoing Lifecare SP outage already.
        confirm_same_system: true,
    }
}

#[tokio::test]
async fn unconfirmed_gets_nothing_but_the_confirmation_and_confirmed_gets_one_mail_per_public_change() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path()).await;
    env.step(0, "x").await;
    env.app.subscribe("vantar@example.org", &[], &origin()).await.unwrap();
    let confirm = env.step(0, "vantar@example.org").await;
    assert_eq!(confirm.len(), 1);
    assert!(confirm[0].body.contains("https://reserv.example.org/subscriptions/confirm/"), "{}", confirm[0].body);
    assert!(confirm[0].body.contains("https://reserv.example.org/subscriptions/unsubscribe/"));
    assert!(confirm[0].ack_url.is_none());
    assert!(confirm[0].list_unsubscribe.as_deref().unwrap().contains("/api/v1/public/subscriptions/unsubscribe/"));
    env.confirmed("anna@example.org", &[]).await;
    env.confirmed("bo@example.org", &["prator"]).await;

    let it = env.it().await;
    env.clock.set(t("2026-11-23T09:30:00Z"));
    let o = env.app.declare_outage(&it, declare("lifecare-sp", false)).await.unwrap();
    let mails = env.step(1, "anna@example.org").await;
    assert_eq!(mails.len(), 1, "declared");
    assert!(mails[0].body.contains("Lifecare SP") && mails[0].body.contains("Pågår"), "{}", mails[0].body);
    assert!(!mails[0].body.contains("notis") && !mails[0].body.contains("1234"), "never the notice");
    assert!(mails[0].body.contains("/subscriptions/unsubscribe/"));
    assert_eq!(env.step(1, "vantar@example.org").await.len(), 0, "unconfirmed: nothing");
    assert_eq!(env.step(1, "bo@example.org").await.len(), 0, "another system");

    let id = o.outage.id;
    let notice = AmendInput { notice: Some("Ny intern notis".into()), ..AmendInput::default() };
    env.app.amend_outage(&it, id, notice).await.unwrap();
    assert_eq!(env.step(1, "anna@example.org").await.len(), 0, "notice only: nothing");
    let times = AmendInput { expected_end: Some("2026-11-23 14:00".into()), ..AmendInput::default() };
    env.app.amend_outage(&it, id, times).await.unwrap();
    let mails = env.step(1, "anna@example.org").await;
    assert_eq!(mails.len(), 1, "times amended");
    assert!(mails[0].body.contains("14:00"), "{}", mails[0].body);
    env.app.end_outage(&it, id, "2026-11-23 10:00", None).await.unwrap();
    let mails = env.step(1, "anna@example.org").await;
    assert_eq!(mails.len(), 1, "ended");
    assert!(mails[0].body.contains("Återställt"), "{}", mails[0].body);
    assert_eq!(env.step(60, "anna@example.org").await.len(), 0, "nothing twice");

    // A drill never reaches subscribers.
    env.app.declare_outage(&it, declare("lifecare-sp", true)).await.unwrap();
    assert_eq!(env.step(1, "anna@example.org").await.len(), 0, "drill");
    // Staff see the subscriber's message, address masked.
    let views = env.app.messages(&it, id).await.unwrap();
    let sub: Vec<_> = views.iter().filter(|v| v.group == reserv_core::subscription::GROUP).collect();
    assert!(!sub.is_empty() && sub.iter().all(|v| !v.address.as_deref().unwrap_or("").contains("anna@")));
}

#[tokio::test]
async fn unsubscribe_stops_mails_and_queued_ones_are_skipped() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path()).await;
    env.step(0, "x").await;
    let token = env.confirmed("anna@example.org", &[]).await;
    let it = env.it().await;
    env.clock.set(t("2026-11-23T09:30:00Z"));
    env.app.declare_outage(&it, declare("lifecare-sp", false)).await.unwrap();
    // Unsubscribed before the scheduler ran: the queued mail is skipped.
    let v = env.app.subscription_link(&token).await.unwrap();
    assert_eq!(v.status, reserv_core::subscription::SubStatus::Active, "GET changes nothing");
    let (r, _) = env.app.unsubscribe_by_link(&token, &origin()).await.unwrap();
    assert_eq!(r, LinkResult::Done);
    assert_eq!(env.step(1, "anna@example.org").await.len(), 0);
    let (r, _) = env.app.unsubscribe_by_link(&token, &origin()).await.unwrap();
    assert_eq!(r, LinkResult::Already);
    // The acknowledgement page does not take a subscription token.
    assert!(matches!(env.app.ack_link(&token).await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn an_address_gets_a_few_confirmation_mails_an_hour_and_bad_addresses_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path()).await;
    for _ in 0..3 {
        env.app.subscribe("anna@example.org", &[], &origin()).await.unwrap();
    }
    let e = env.app.subscribe("Anna@EXAMPLE.org", &[], &origin()).await.unwrap_err();
    assert!(matches!(e, AppError::RateLimited), "{e:?}");
    assert_eq!(env.step(0, "anna@example.org").await.len(), 3);
    env.step(61, "x").await;
    env.app.subscribe("anna@example.org", &[], &origin()).await.unwrap();
    let e = env.app.subscribe("inte en adress", &[], &origin()).await.unwrap_err();
    assert_eq!(e.code(), "invalid_email");
    assert!(e.message_sv().contains("giltig e-postadress"));
    let e = env.app.subscribe("a@example.org", &["inget-system".into()], &origin()).await.unwrap_err();
    assert!(matches!(e, AppError::Invalid(_)), "{e:?}");
}

#[tokio::test]
async fn an_unconfirmed_request_expires_after_48_hours() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path()).await;
    env.app.subscribe("anna@example.org", &[], &origin()).await.unwrap();
    let mails = env.step(0, "anna@example.org").await;
    let token = link_token(&mails[0].body, "/subscriptions/confirm/");
    env.step(48 * 60, "x").await;
    let (r, _) = env.app.confirm_subscription(&token, &origin()).await.unwrap();
    assert_eq!(r, LinkResult::Expired);
    let it = env.it().await;
    env.app.declare_outage(&it, declare("lifecare-sp", false)).await.unwrap();
    assert_eq!(env.step(1, "anna@example.org").await.len(), 0);
}
