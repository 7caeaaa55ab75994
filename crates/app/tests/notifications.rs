//! The notification outbox as a service: an injected clock, a real SQLite
//! file, and a fake `Deliver` that records what it was asked to send and
//! answers as scripted. Time moves only when a test says so.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use reserv_app::notifications::{Deliver, LinkOutcome, Notifications, Outgoing, RunReport};
use reserv_app::{Actor, App, AppError, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::ids::{EntryId, OutageId};
use reserv_core::outbox::{
    AckVia, CLAIM_LEASE, Channel, DeliveryChange, DeliveryEvent, Failure, Planned, Recipient, Recipients, RetryPolicy,
    Status,
};
use reserv_store::SessionKind;
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
const T0: &str = "2026-11-23T08:00:00Z";

/// Records every message and answers from a script (then "250 OK").
#[derive(Default)]
struct Fake {
    sent: Mutex<Vec<Outgoing>>,
    script: Mutex<VecDeque<Result<String, Failure>>>,
}

impl Fake {
    fn answer(&self, r: Result<String, Failure>) {
        self.script.lock().unwrap().push_back(r);
    }
    fn sent(&self) -> Vec<Outgoing> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl Deliver for Fake {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        self.sent.lock().unwrap().push(m.clone());
        self.script.lock().unwrap().pop_front().unwrap_or_else(|| Ok("250 2.0.0 OK".into()))
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn person(id: &str, name: &str, email: Option<&str>, phone: Option<&str>, username: Option<&str>) -> Recipient {
    Recipient {
        id: id.into(),
        name: name.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        username: username.map(Into::into),
    }
}

fn recipients() -> Recipients {
    [
        (
            "it-jour".to_owned(),
            vec![
                person("anna", "Anna Åberg", Some("anna@example.org"), Some("070-111 11 11"), Some("demo-it")),
                person("bo", "Bo Öst", Some("bo@example.org"), None, None),
            ],
        ),
        ("chefer".to_owned(), vec![person("cecilia", "Cecilia", None, Some("070-222 22 22"), Some("demo-manager"))]),
        ("utan-adress".to_owned(), vec![person("dan", "Dan Utan", None, None, None)]),
        ("tom".to_owned(), vec![]),
    ]
    .into()
}

fn plan(key: &str, channel: Channel, group: &str, due: Timestamp) -> Planned {
    Planned {
        key: key.into(),
        rule: key.split(':').next().unwrap_or(key).into(),
        cite: "Rutin 001: IT meddelar berörda enheter".into(),
        channel,
        sender: "it".into(),
        group: group.into(),
        due_at: due,
        subject: "Driftstörning i Lifecare SP".into(),
        body: "Lifecare SP går inte att nå. Använd reservrutinen och logga samtal i Reserv.".into(),
        unless_acknowledged: None,
    }
}

struct Env {
    app: App,
    clock: Arc<ManualClock>,
    fake: Arc<Fake>,
    outage: OutageId,
}

fn open(dir: &Path, clock: Arc<ManualClock>, fake: Arc<Fake>, retry: RetryPolicy) -> App {
    let store = SqliteStore::open(dir).unwrap();
    App::new(Arc::new(store), clock, Catalogue::parse(CATALOGUE).unwrap(), Settings::default()).with_notifications(
        Notifications {
            deliver: fake,
            recipients: recipients(),
            retry,
            public_url: Some("https://reserv.example.org/".into()),
        },
    )
}

async fn setup(dir: &Path, retry: RetryPolicy) -> Env {
    let clock = Arc::new(ManualClock::new(t(T0)));
    let fake = Arc::new(Fake::default());
    let app = open(dir, clock.clone(), fake.clone(), retry);
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let outage = app.outages().await.unwrap()[0].outage.id;
    Env { app, clock, fake, outage }
}

fn origin() -> Origin {
    Origin("test".into())
}

async fn principal(app: &App, username: &str) -> Principal {
    let s = app.login(username, "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
    app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap()
}

impl Env {
    async fn enqueue(&self, planned: Vec<Planned>) -> usize {
        self.app.enqueue_messages(self.outage, planned, Actor::System("test"), &origin()).await.unwrap()
    }
    async fn run_at(&self, at: Timestamp) -> RunReport {
        self.clock.set(at);
        self.app.run_due(at).await.unwrap()
    }
    async fn views(&self) -> Vec<reserv_app::notifications::MessageView> {
        let it = principal(&self.app, "demo-it").await;
        self.app.messages(&it, self.outage).await.unwrap()
    }
}

#[tokio::test]
async fn messages_go_when_due_not_before_and_catch_up_after_downtime() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    let now = t(T0);
    let n = env
        .enqueue(vec![
            plan("r:it-jour:1", Channel::Email, "it-jour", now + SignedDuration::from_mins(10)),
            plan("r:chefer:1", Channel::Sms, "chefer", now + SignedDuration::from_hours(1)),
        ])
        .await;
    assert_eq!(n, 3, "two people in it-jour, one in chefer");
    assert_eq!(env.run_at(now).await, RunReport::default(), "nothing is due yet");
    assert_eq!(env.run_at(now + SignedDuration::from_mins(9)).await.sent, 0);
    assert_eq!(env.run_at(now + SignedDuration::from_mins(10)).await.sent, 2);
    let sent = env.fake.sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].body.contains("https://reserv.example.org/ack/"), "{}", sent[0].body);
    // Reserv was down for five hours: the SMS due meanwhile goes at the first step after.
    let r = env.run_at(now + SignedDuration::from_hours(5)).await;
    assert_eq!(r.sent, 1);
    let sms = &env.fake.sent()[2];
    assert_eq!(
        (sms.channel, sms.address.clone()),
        (Channel::Sms, reserv_core::outbox::Address::Phone("+46702222222".into()))
    );
    assert!(sms.body.starts_with("Driftstörning i Lifecare SP: "), "{}", sms.body);
    // Steps after that send nothing again.
    assert_eq!(env.run_at(now + SignedDuration::from_hours(6)).await, RunReport::default());
    assert_eq!(env.fake.sent().len(), 3);
    let views = env.views().await;
    assert!(views.iter().all(|v| v.status == Status::Sent && v.attempts == 1), "{views:#?}");
    assert_eq!(views[0].address.as_deref(), Some("anna@example.org"), "IT sees addresses");
}

#[tokio::test]
async fn enqueueing_the_same_plan_again_adds_nothing() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    let p = vec![
        plan("r:it-jour:1", Channel::Email, "it-jour", t(T0)),
        plan("r:hook:1", Channel::Webhook, "it-jour", t(T0)),
    ];
    assert_eq!(env.enqueue(p.clone()).await, 3);
    assert_eq!(env.enqueue(p.clone()).await, 0);
    env.run_at(t(T0)).await;
    assert_eq!(env.enqueue(p).await, 0, "also after they were sent");
    assert_eq!(env.views().await.len(), 3);
    assert_eq!(env.fake.sent().len(), 3);
    // An unknown outage is refused.
    let e =
        env.app.enqueue_messages(OutageId(Uuid::now_v7()), vec![], Actor::System("test"), &origin()).await.unwrap_err();
    assert!(matches!(e, AppError::NotFound), "{e:?}");
}

#[tokio::test]
async fn a_transient_failure_is_retried_with_backoff_then_sent() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    env.enqueue(vec![plan("r:chefer:1", Channel::Sms, "chefer", t(T0))]).await;
    env.fake.answer(Err(Failure::transient("SMS-gatewayen svarade 500 Internal Server Error")));
    let r = env.run_at(t(T0)).await;
    assert_eq!((r.sent, r.retrying), (0, 1));
    let v = &env.views().await[0];
    assert_eq!(v.status, Status::Retrying);
    assert_eq!(v.next_attempt_at, Some(t(T0) + SignedDuration::from_secs(30)));
    assert!(v.error.as_deref().unwrap().contains("500"), "the error is kept and shown");
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(29)).await, RunReport::default());
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(30)).await.sent, 1);
    let v = &env.views().await[0];
    assert_eq!((v.status, v.attempts, v.error.clone()), (Status::Sent, 2, None));
    assert_eq!(env.fake.sent().len(), 2);
    let events: Vec<&str> = v.history.iter().map(|h| h.event).collect();
    assert_eq!(events, ["claimed", "retrying", "claimed", "sent"]);
}

#[tokio::test]
async fn repeated_failures_give_up_after_the_maximum_and_permanent_ones_at_once() {
    let d = tempfile::tempdir().unwrap();
    let retry = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
    let env = setup(d.path(), retry).await;
    env.enqueue(vec![plan("r:chefer:1", Channel::Sms, "chefer", t(T0))]).await;
    for _ in 0..3 {
        env.fake.answer(Err(Failure::transient("anslutning nekad")));
    }
    let mut at = t(T0);
    for _ in 0..6 {
        env.run_at(at).await;
        at += SignedDuration::from_hours(1);
    }
    assert_eq!(env.fake.sent().len(), 3, "three attempts, then no more");
    let v = &env.views().await[0];
    assert_eq!(v.status, Status::Failed);
    assert!(v.error.as_deref().unwrap().contains("Gav upp efter 3 försök"), "{:?}", v.error);

    env.enqueue(vec![plan("r:it-jour:1", Channel::Email, "it-jour", at)]).await;
    env.fake.answer(Err(Failure::permanent("550 5.1.1 mottagaren finns inte")));
    let r = env.run_at(at).await;
    assert_eq!((r.failed, r.sent), (1, 1), "one person's address was refused; the other got it");
}

#[tokio::test]
async fn a_group_or_person_without_an_address_fails_visibly_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    env.enqueue(vec![
        plan("r:utan:1", Channel::Email, "utan-adress", t(T0)),
        plan("r:tom:1", Channel::Sms, "tom", t(T0)),
        plan("r:okand:1", Channel::Email, "ingen-sadan-grupp", t(T0)),
    ])
    .await;
    let before = env.views().await;
    assert!(before.iter().all(|v| v.status == Status::Queued && v.address_problem.is_some()), "warned before due");
    let r = env.run_at(t(T0)).await;
    assert_eq!((r.failed, r.sent), (3, 0));
    assert!(env.fake.sent().is_empty(), "nothing was handed to a channel");
    let views = env.views().await;
    let errors: Vec<String> = views.iter().map(|v| v.error.clone().unwrap()).collect();
    assert!(errors.iter().any(|e| e.contains("Dan Utan saknar e-postadress")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("”tom” har ingen mottagare")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("”ingen-sadan-grupp” har ingen mottagare")), "{errors:?}");
}

#[tokio::test]
async fn a_restart_mid_schedule_sends_nothing_twice() {
    let d = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t(T0)));
    let outage;
    {
        let env = setup(d.path(), RetryPolicy::default()).await;
        outage = env.outage;
        env.enqueue(vec![
            plan("r:it-jour:1", Channel::Email, "it-jour", t(T0)),
            plan("r:chefer:1", Channel::Sms, "chefer", t(T0) + SignedDuration::from_hours(2)),
        ])
        .await;
        assert_eq!(env.run_at(t(T0) + SignedDuration::from_hours(1)).await.sent, 2);
        // A crash in the middle of a send: the claim is written, the outcome never is.
        let entry = env.app.store().outbox(outage).await.unwrap().into_iter().last().unwrap();
        let claim = DeliveryEvent {
            id: EntryId(Uuid::now_v7()),
            message_id: entry.message.id,
            seq: 0,
            at: t(T0) + SignedDuration::from_hours(2),
            node: "crashed".into(),
            change: DeliveryChange::Claimed { attempt: 1, token_hash: None },
        };
        env.app.store().append_delivery_event(claim, None).await.unwrap();
    }
    // A new server over the same data directory.
    let fake = Arc::new(Fake::default());
    let app = open(d.path(), clock.clone(), fake.clone(), RetryPolicy::default());
    let it = principal(&app, "demo-it").await;
    let after = t(T0) + SignedDuration::from_hours(2) + SignedDuration::from_mins(1);
    clock.set(after);
    assert_eq!(app.run_due(after).await.unwrap(), RunReport::default(), "a live claim is left alone");
    let stale = t(T0) + SignedDuration::from_hours(2) + CLAIM_LEASE;
    clock.set(stale);
    assert_eq!(app.run_due(stale).await.unwrap().unknown, 1);
    assert!(fake.sent().is_empty(), "the new server sent nothing: the two mails went before, the SMS is unknown");
    let views = app.messages(&it, outage).await.unwrap();
    let sms = views.iter().find(|v| v.channel == Channel::Sms).unwrap();
    assert_eq!(sms.status, Status::Unknown);
    assert!(sms.error.as_deref().unwrap().contains("okänt om meddelandet kom fram"), "{:?}", sms.error);
    // IT decides to send it again; then it goes, once.
    let again = app.requeue_message(&it, sms.id).await.unwrap();
    assert_eq!(again.status, Status::Queued);
    app.run_due(stale).await.unwrap();
    app.run_due(stale + SignedDuration::from_hours(1)).await.unwrap();
    assert_eq!(fake.sent().len(), 1);
    let clinician = principal(&app, "demo-clinician").await;
    assert!(matches!(app.requeue_message(&clinician, sms.id).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn escalation_goes_out_only_if_nobody_acknowledged_the_earlier_wave() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    let wave = |n: u32, group: &str, unless: Option<&str>, mins: i64| {
        let mut p = plan(&format!("r:{group}:{n}"), Channel::Sms, group, t(T0) + SignedDuration::from_mins(mins));
        p.channel = if n == 1 { Channel::Email } else { Channel::Sms };
        p.unless_acknowledged = unless.map(Into::into);
        p
    };
    env.enqueue(vec![
        wave(1, "it-jour", None, 0),
        wave(2, "chefer", Some("r:it-jour:1"), 30),
        wave(1, "tom", None, 0),
        wave(2, "it-jour", Some("r:tom:1"), 30),
    ])
    .await;
    env.run_at(t(T0)).await;
    // Anna (demo-it) acknowledges in the UI; nobody can acknowledge for the empty group.
    let anna = principal(&env.app, "demo-it").await;
    let mine = env.views().await.into_iter().find(|v| v.recipient.as_deref() == Some("Anna Åberg")).unwrap();
    let acked = env.app.acknowledge_message(&anna, mine.id, AckVia::Ui).await.unwrap();
    assert_eq!(acked.acknowledged.as_ref().map(|a| a.by.as_str()), Some("Demo IT-förvaltning"));
    let before = env.fake.sent().len();
    let r = env.run_at(t(T0) + SignedDuration::from_mins(30)).await;
    // Bo has no phone number: his SMS fails with the reason.
    assert_eq!((r.skipped, r.sent, r.failed), (1, 1, 1), "{r:?}");
    let new: Vec<_> = env.fake.sent()[before..].iter().map(|m| m.key.clone()).collect();
    assert_eq!(new, ["r:it-jour:2"], "the chefer wave was not needed");
    let skipped = env.views().await.into_iter().find(|v| v.key == "r:chefer:2").unwrap();
    assert_eq!(skipped.status, Status::Skipped);
    assert!(skipped.error.unwrap().contains("kvitterades av Demo IT-förvaltning"));
}

#[tokio::test]
async fn recipients_acknowledge_through_the_link_once_and_others_only_on_their_behalf() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    env.enqueue(vec![plan("r:it-jour:1", Channel::Email, "it-jour", t(T0))]).await;
    env.run_at(t(T0)).await;
    let sent = env.fake.sent();
    let link = sent[0].ack_url.clone().unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(sent[0].body.contains(&link));
    let view = env.app.ack_link(token).await.unwrap();
    assert_eq!((view.recipient.as_deref(), view.acknowledged.is_none()), (Some("Anna Åberg"), true));
    assert_eq!(view.system_name, "Lifecare SP");
    env.clock.advance(SignedDuration::from_mins(3));
    let LinkOutcome::Acknowledged(v) = env.app.acknowledge_by_link(token, &origin()).await.unwrap() else {
        panic!("first acknowledgement");
    };
    assert_eq!(v.acknowledged.unwrap().by, "Anna Åberg");
    assert!(matches!(
        env.app.acknowledge_by_link(token, &origin()).await.unwrap(),
        LinkOutcome::AlreadyAcknowledged(_)
    ));
    assert!(matches!(env.app.ack_link(&"0".repeat(64)).await, Err(AppError::NotFound)));
    assert!(matches!(env.app.ack_link("kort").await, Err(AppError::NotFound)));

    // Bo's link is a month old: it no longer works, logging in does.
    let bo_link = sent[1].ack_url.clone().unwrap();
    let bo_token = bo_link.rsplit('/').next().unwrap();
    env.clock.advance(SignedDuration::from_hours(31 * 24));
    assert!(matches!(env.app.acknowledge_by_link(bo_token, &origin()).await.unwrap(), LinkOutcome::Expired(_)));
    let views = env.views().await;
    let bo = views.iter().find(|v| v.recipient.as_deref() == Some("Bo Öst")).unwrap();
    assert!(bo.acknowledged.is_none());
    // A clinician sees the list without addresses and may not acknowledge for others.
    let clinician = principal(&env.app, "demo-clinician").await;
    let theirs = env.app.messages(&clinician, env.outage).await.unwrap();
    assert!(theirs.iter().all(|v| v.address.is_none() && !v.may_acknowledge));
    assert!(matches!(env.app.acknowledge_message(&clinician, bo.id, AckVia::Api).await, Err(AppError::Forbidden)));
    // IT may, on Bo's behalf, and it says so.
    let it = principal(&env.app, "demo-admin").await;
    let v = env.app.acknowledge_message(&it, bo.id, AckVia::Api).await.unwrap();
    assert_eq!(v.acknowledged.unwrap().by, "Demo Systemförvaltare för Bo Öst");
    let summary = App::acknowledgement_summary(&env.views().await);
    assert_eq!(summary["r:it-jour:1"], (vec!["Anna Åberg".to_owned(), "Bo Öst".to_owned()], vec![]));
    let audit = env
        .app
        .store()
        .audit_log(reserv_store::AuditQuery {
            limit: 50,
            before: None,
            action_prefix: Some("notify.acknowledged".into()),
            scope: None,
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "each acknowledgement is audited once");
}

#[tokio::test]
async fn an_ambiguous_failure_is_unknown_and_never_resent_automatically() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    env.enqueue(vec![plan("r:chefer:1", Channel::Sms, "chefer", t(T0))]).await;
    env.fake.answer(Err(Failure::ambiguous("inget svar från SMS-gatewayen inom 30 s")));
    assert_eq!(env.run_at(t(T0)).await.unknown, 1);
    for h in 1..4 {
        env.run_at(t(T0) + SignedDuration::from_hours(h)).await;
    }
    assert_eq!(env.fake.sent().len(), 1);
    assert_eq!(env.views().await[0].status, Status::Unknown);
}

#[tokio::test]
async fn an_address_corrected_in_the_recipients_file_is_used_when_the_message_is_sent_again() {
    let d = tempfile::tempdir().unwrap();
    let outage;
    {
        let env = setup(d.path(), RetryPolicy::default()).await;
        outage = env.outage;
        env.enqueue(vec![plan("r:utan:1", Channel::Email, "utan-adress", t(T0))]).await;
        assert_eq!(env.run_at(t(T0)).await.failed, 1);
        let it = principal(&env.app, "demo-it").await;
        let v = &env.app.messages(&it, outage).await.unwrap()[0];
        assert!(!v.may_requeue, "sending again without an address would fail again");
    }
    // IT adds Dan's address to the file and restarts Reserv.
    let mut fixed = recipients();
    fixed.get_mut("utan-adress").unwrap()[0].email = Some("dan@example.org".into());
    let clock = Arc::new(ManualClock::new(t(T0) + SignedDuration::from_mins(10)));
    let fake = Arc::new(Fake::default());
    let store = SqliteStore::open(d.path()).unwrap();
    let app =
        App::new(Arc::new(store), clock, Catalogue::parse(CATALOGUE).unwrap(), Settings::default()).with_notifications(
            Notifications { deliver: fake.clone(), recipients: fixed, retry: RetryPolicy::default(), public_url: None },
        );
    let it = principal(&app, "demo-it").await;
    let v = app.messages(&it, outage).await.unwrap().remove(0);
    assert_eq!((v.may_requeue, v.address.as_deref()), (true, Some("dan@example.org")));
    app.requeue_message(&it, v.id).await.unwrap();
    assert_eq!(app.run_due(app.now()).await.unwrap().sent, 1);
    let sent = fake.sent();
    assert_eq!(sent[0].address, reserv_core::outbox::Address::Email("dan@example.org".into()));
    assert_eq!(sent[0].ack_url, None, "without a public address there is no link");
}

#[tokio::test]
async fn after_an_amendment_unsent_messages_follow_the_new_plan_and_dropped_ones_are_withdrawn() {
    let d = tempfile::tempdir().unwrap();
    let env = setup(d.path(), RetryPolicy::default()).await;
    let now = t(T0);
    let first = vec![
        plan("declared:it-jour:0", Channel::Email, "it-jour", now),
        plan("reminder:chefer:0", Channel::Sms, "chefer", now + SignedDuration::from_hours(2)),
        plan("restored:chefer:0", Channel::Sms, "chefer", now + SignedDuration::from_hours(3)),
    ];
    let rules: std::collections::BTreeSet<String> = ["declared", "reminder", "restored"].map(String::from).into();
    let r = env.app.apply_plan(env.outage, first, &rules, Actor::System("test"), &origin()).await.unwrap();
    assert_eq!((r.added, r.replanned, r.withdrawn), (4, 0, 0));
    env.run_at(now).await;
    // The outage is amended: the reminder moves and changes, the restart
    // message is no longer called for, the declaration was sent already.
    let mut declared = plan("declared:it-jour:0", Channel::Email, "it-jour", now);
    declared.body = "Ändrad text som inte ska gå ut igen.".into();
    let mut reminder = plan("reminder:chefer:0", Channel::Sms, "chefer", now + SignedDuration::from_hours(4));
    reminder.body = "Nytt beräknat slut: 14.00.".into();
    let r = env
        .app
        .apply_plan(env.outage, vec![declared, reminder], &rules, Actor::System("test"), &origin())
        .await
        .unwrap();
    assert_eq!((r.added, r.replanned, r.withdrawn), (0, 1, 1));
    assert_eq!(env.run_at(now + SignedDuration::from_hours(3)).await, RunReport::default(), "not at the old time");
    assert_eq!(env.run_at(now + SignedDuration::from_hours(4)).await.sent, 1);
    let sent = env.fake.sent();
    assert_eq!(sent.len(), 3, "two e-mails, then the moved reminder; the withdrawn message never");
    assert!(sent[2].body.contains("Nytt beräknat slut: 14.00."), "{}", sent[2].body);
    let views = env.views().await;
    let withdrawn = views.iter().find(|v| v.key == "restored:chefer:0").unwrap();
    assert_eq!(withdrawn.status, Status::Skipped);
    assert!(withdrawn.error.as_deref().unwrap().contains("utskicksplanen tar inte längre med"));
    let reminder = views.iter().find(|v| v.key == "reminder:chefer:0").unwrap();
    assert_eq!(
        (reminder.due_at, reminder.body.as_str()),
        (now + SignedDuration::from_hours(4), "Nytt beräknat slut: 14.00.")
    );
}

#[tokio::test]
async fn declaring_and_amending_an_outage_plans_its_messages_by_the_policy() {
    use reserv_app::outages::{AmendInput, DeclareInput};
    let d = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t(T0)));
    let fake = Arc::new(Fake::default());
    let catalogue = Catalogue::parse(CATALOGUE).unwrap();
    let policy = reserv_core::notify::load(
        "003-gavleborg.toml",
        include_str!("../../../data/notifications/003-gavleborg.toml"),
        &catalogue,
    )
    .unwrap();
    let people = reserv_core::outbox::parse_recipients(
        "recipients.example.toml",
        include_str!("../../../data/notifications/recipients.example.toml"),
    )
    .unwrap();
    let store = SqliteStore::open(d.path()).unwrap();
    let app = App::new(Arc::new(store), clock.clone(), catalogue, Settings::default())
        .with_notifications(Notifications {
            deliver: fake.clone(),
            recipients: people,
            retry: RetryPolicy::default(),
            public_url: Some("https://reserv.example.org".into()),
        })
        .with_notification_policies(vec![policy]);
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let it = principal(&app, "demo-it").await;
    // Melior is down on a Monday morning, for two hours: seed 003's SMS to the directors.
    let input = DeclareInput {
        system: "melior".into(),
        kind: "unplanned".into(),
        scope: "region".into(),
        start: "2026-11-23T08:50".into(),
        expected_end: Some("2026-11-23T11:00".into()),
        notice: "Melior svarar inte.".into(),
        public_notice: String::new(),
        ..Default::default()
    };
    let v = app.declare_outage(&it, input).await.unwrap();
    let id = v.outage.id;
    let views = app.messages(&it, id).await.unwrap();
    assert!(!views.is_empty(), "the plan was enqueued at the declaration");
    let sms: Vec<_> = views.iter().filter(|m| m.key.starts_with("unplanned-sms-directors:")).collect();
    assert!(sms.iter().any(|m| m.recipient.as_deref() == Some("Hälso- och sjukvårdsdirektör")), "{views:#?}");
    app.run_due(app.now()).await.unwrap();
    let sent = fake.sent();
    let to_hsd = sent.iter().find(|m| m.recipient_name.as_deref() == Some("Hälso- och sjukvårdsdirektör")).unwrap();
    assert!(
        to_hsd.body.starts_with("Stopp i Melior: Stopp i Melior. Beräknat slut: 2026-11-23 11:00"),
        "{}",
        to_hsd.body
    );
    // 003 §4.2: "länk till driftstoppsrutin": the routine, which opens without a login.
    assert!(to_hsd.body.contains("https://reserv.example.org/routines/melior"), "{}", to_hsd.body);
    assert!(!to_hsd.body.contains(&format!("/outages/{id}")), "an SMS carries no page that needs a login");
    let before = sent.len();
    // An amendment re-plans; what was sent is not sent again.
    clock.advance(SignedDuration::from_mins(20));
    let amend = AmendInput { expected_end: Some("2026-11-23T14:00".into()), ..Default::default() };
    app.amend_outage(&it, id, amend).await.unwrap();
    app.run_due(app.now()).await.unwrap();
    assert_eq!(fake.sent().len(), before, "nothing new is due and nothing is sent twice");
    assert_eq!(app.messages(&it, id).await.unwrap().len(), views.len());
    // A restart of the server plans the open outages again: still nothing new.
    assert_eq!(app.plan_open_outages().await.unwrap().added, 0);
}
