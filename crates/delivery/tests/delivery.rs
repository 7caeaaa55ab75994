//! The adapters against real servers on this machine: a real SMTP server
//! (Python aiosmtpd, started by the test from `tests/smtp_sink.py`), and a
//! small HTTP server playing the SMS gateway and the webhook. Each test runs
//! the outbox service (`App::run_due`) with an injected clock over a fresh
//! SQLite file, so what is checked is what a person would see: the message
//! arrived (once), or it is shown as retrying or failed with the reason.
//!
//! aiosmtpd must be installed (`python3 -m pip install --user aiosmtpd` or
//! Debian's `python3-aiosmtpd`; `.ci/run` does it). The test fails, loudly,
//! if it is missing: delivery by e-mail is not tested by skipping it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use reserv_app::notifications::{MessageView, Notifications, RunReport};
use reserv_app::{Actor, App, ManualClock, Origin, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::ids::OutageId;
use reserv_core::outbox::{Channel, Planned, Recipient, Recipients, RetryPolicy, Status};
use reserv_delivery::{DeliveryConfig, Dispatcher, HttpTarget, Secret, SmtpConfig, SmtpTls};
use reserv_store::SessionKind;
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");
const T0: &str = "2026-11-23T08:00:00Z";
const SUBJECT: &str = "Driftstörning i Lifecare SP – åäö ÅÄÖ";
const BODY: &str = "Lifecare SP går inte att nå sedan 07.40. Använd reservrutinen: ring kommunens växel och logga varje samtal i Reserv. Hälsningar, IT-förvaltningen";

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn person(id: &str, name: &str, email: Option<&str>, phone: Option<&str>) -> Recipient {
    Recipient {
        id: id.into(),
        name: name.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        username: None,
    }
}

fn recipients() -> Recipients {
    [
        ("it-jour".to_owned(), vec![person("anna", "Anna Åberg", Some("anna@example.org"), Some("070-111 11 11"))]),
        ("nekad".to_owned(), vec![person("rolf", "Rolf Nekad", Some("refuse@example.org"), Some("070-222 22 22"))]),
        ("upptagen".to_owned(), vec![person("berit", "Berit Väntar", Some("busy@example.org"), None)]),
    ]
    .into()
}

fn plan(key: &str, channel: Channel, group: &str) -> Planned {
    Planned {
        key: key.into(),
        rule: "it-first".into(),
        cite: "Rutin 001".into(),
        channel,
        sender: "it".into(),
        group: group.into(),
        due_at: t(T0),
        subject: SUBJECT.into(),
        body: BODY.into(),
        unless_acknowledged: None,
    }
}

struct Env {
    app: App,
    clock: Arc<ManualClock>,
    outage: OutageId,
    _dir: tempfile::TempDir,
}

async fn setup(config: DeliveryConfig) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t(T0)));
    let store = SqliteStore::open(dir.path()).unwrap();
    let deliver = Dispatcher::new(config).unwrap();
    let app = App::new(Arc::new(store), clock.clone(), Catalogue::parse(CATALOGUE).unwrap(), Settings::default())
        .with_notifications(Notifications {
            deliver: Arc::new(deliver),
            recipients: recipients(),
            retry: RetryPolicy::default(),
            public_url: Some("https://reserv.example.org".into()),
        });
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let outage = app.outages().await.unwrap()[0].outage.id;
    Env { app, clock, outage, _dir: dir }
}

impl Env {
    async fn enqueue(&self, planned: Vec<Planned>) {
        self.app.enqueue_messages(self.outage, planned, Actor::System("test"), &Origin("test".into())).await.unwrap();
    }
    async fn run_at(&self, at: Timestamp) -> RunReport {
        self.clock.set(at);
        self.app.run_due(at).await.unwrap()
    }
    async fn views(&self) -> Vec<MessageView> {
        let o = Origin("test".into());
        let s = self.app.login("demo-it", "reserv-demo", SessionKind::Api, &o).await.unwrap();
        let p = self.app.authenticate(&s.token, SessionKind::Api, o).await.unwrap();
        self.app.messages(&p, self.outage).await.unwrap()
    }
    async fn view_of(&self, name: &str) -> MessageView {
        self.views().await.into_iter().find(|v| v.recipient.as_deref() == Some(name)).unwrap()
    }
}

// ---- a real SMTP server ----

/// The Python that has aiosmtpd: `RESERV_TEST_PYTHON`, `python3` or Debian's.
fn python() -> String {
    let candidates: Vec<String> =
        std::env::var("RESERV_TEST_PYTHON").into_iter().chain(["python3".into(), "/usr/bin/python3".into()]).collect();
    for py in &candidates {
        let ok = Command::new(py).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status();
        if ok.is_ok_and(|s| s.success()) {
            return py.clone();
        }
    }
    panic!(
        "aiosmtpd is missing for {candidates:?}: install it with `python3 -m pip install --user aiosmtpd` \
         (or `apt-get install python3-aiosmtpd`); `.ci/run` does this. The e-mail tests need a real SMTP server."
    );
}

struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(dir.path())
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the SMTP sink did not start: {line:?}")
        });
        SmtpSink { child, port, dir }
    }

    /// The messages received so far, in order.
    fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort_by_key(|p| p.file_stem().unwrap().to_string_lossy().parse::<u32>().unwrap());
        files.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..100 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the SMTP server received {} messages, expected {n}", self.received().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_config(port: u16) -> DeliveryConfig {
    DeliveryConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: SmtpTls::None,
            from: "Reserv Västernorrland <reserv@example.org>".into(),
            username: None,
            password: None,
            timeout: Duration::from_secs(10),
        }),
        ..Default::default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_reaches_a_real_smtp_server_in_swedish_and_refusals_show() {
    let sink = SmtpSink::start(0);
    let env = setup(smtp_config(sink.port)).await;
    env.enqueue(vec![
        plan("r:it-jour:1", Channel::Email, "it-jour"),
        plan("r:nekad:1", Channel::Email, "nekad"),
        plan("r:upptagen:1", Channel::Email, "upptagen"),
    ])
    .await;
    let r = env.run_at(t(T0)).await;
    assert_eq!((r.sent, r.failed, r.retrying), (1, 1, 1), "{r:?}");
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["subject"], SUBJECT, "the subject arrives in UTF-8");
    let body = mail["body"].as_str().unwrap();
    assert!(body.starts_with(BODY), "{body}");
    assert!(body.contains("Kvittera att du har tagit emot meddelandet"), "{body}");
    assert!(body.contains("https://reserv.example.org/ack/"), "{body}");
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["anna@example.org"]));
    assert!(mail["to"].as_str().unwrap().contains("Anna Åberg"), "{}", mail["to"]);
    assert!(mail["from"].as_str().unwrap().contains("reserv@example.org"));
    let anna = env.view_of("Anna Åberg").await;
    assert_eq!(anna.status, Status::Sent);
    assert!(anna.receipt.as_deref().unwrap().starts_with("250"), "{:?}", anna.receipt);
    // 550: failed at once, with the server's words.
    let rolf = env.view_of("Rolf Nekad").await;
    assert_eq!(rolf.status, Status::Failed);
    assert!(rolf.error.as_deref().unwrap().contains("550"), "{:?}", rolf.error);
    // 451: retried after the backoff, then delivered.
    let berit = env.view_of("Berit Väntar").await;
    assert_eq!(berit.status, Status::Retrying);
    assert!(berit.error.as_deref().unwrap().contains("451"), "{:?}", berit.error);
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(30)).await.sent, 1);
    let got = sink.wait_for(2).await;
    assert_eq!(got[1]["rcpt_tos"], serde_json::json!(["busy@example.org"]));
    env.run_at(t(T0) + SignedDuration::from_hours(2)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2, "nothing is sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_server_that_is_down_keeps_the_message_retrying_until_it_is_back() {
    let port = free_port();
    let env = setup(smtp_config(port)).await;
    env.enqueue(vec![plan("r:it-jour:1", Channel::Email, "it-jour")]).await;
    assert_eq!(env.run_at(t(T0)).await.retrying, 1);
    let v = env.view_of("Anna Åberg").await;
    assert_eq!(v.status, Status::Retrying);
    assert!(v.error.as_deref().unwrap().contains(&format!("127.0.0.1:{port}")), "{:?}", v.error);
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(30)).await.retrying, 1, "still down");
    // The server comes up on its address; the next attempt (after 60 s) delivers it once.
    let sink = SmtpSink::start(port);
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(89)).await, RunReport::default());
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(90)).await.sent, 1);
    assert_eq!(sink.wait_for(1).await[0]["subject"], SUBJECT);
    let v = env.view_of("Anna Åberg").await;
    assert_eq!((v.status, v.attempts), (Status::Sent, 3));
    env.run_at(t(T0) + SignedDuration::from_hours(1)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1);
}

// ---- an HTTP SMS gateway and webhook ----

/// A request the gateway saw: its Authorization header and JSON body.
type Hit = (Option<String>, Value);

#[derive(Clone, Default)]
struct Gateway {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Answers to give, in order (then 200); a delay makes it hang first.
    answers: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
    delay: Duration,
}

async fn gateway_handler(State(gw): State<Gateway>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
    gw.hits.lock().unwrap().push((auth, serde_json::from_slice(&body).unwrap_or(Value::Null)));
    tokio::time::sleep(gw.delay).await;
    let (status, text) = gw.answers.lock().unwrap().pop_front().unwrap_or((200, "{\"id\":\"sms-1\"}"));
    (StatusCode::from_u16(status).unwrap(), text.to_owned())
}

async fn start_gateway(gw: Gateway) -> String {
    let app = axum::Router::new().route("/send", axum::routing::post(gateway_handler)).with_state(gw);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/send?apikey=hemlig-nyckel")
}

fn target(url: String, timeout: Duration) -> Option<HttpTarget> {
    Some(HttpTarget { url, authorization: Some(Secret::new("Bearer test-token-123")), timeout })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_gateway_answering_500_is_retried_and_then_sent_once() {
    let gw = Gateway::default();
    gw.answers.lock().unwrap().extend([(500, "Internal Server Error"), (400, "{\"error\":\"ogiltigt nummer\"}")]);
    let url = start_gateway(gw.clone()).await;
    let env = setup(DeliveryConfig { sms: target(url, Duration::from_secs(10)), ..Default::default() }).await;
    env.enqueue(vec![plan("r:it-jour:1", Channel::Sms, "it-jour")]).await;
    assert_eq!(env.run_at(t(T0)).await.retrying, 1);
    let v = env.view_of("Anna Åberg").await;
    assert_eq!(v.status, Status::Retrying);
    let error = v.error.unwrap();
    assert!(error.contains("500") && error.contains("Internal Server Error"), "{error}");
    assert!(!error.contains("test-token") && !error.contains("hemlig"), "no secret in the error: {error}");
    assert_eq!(v.next_attempt_at, Some(t(T0) + SignedDuration::from_secs(30)));
    // The second person's number is refused (400): failed at once.
    env.enqueue(vec![plan("r:nekad:1", Channel::Sms, "nekad")]).await;
    env.run_at(t(T0) + SignedDuration::from_secs(10)).await;
    let rolf = env.view_of("Rolf Nekad").await;
    assert_eq!(rolf.status, Status::Failed);
    assert!(rolf.error.as_deref().unwrap().contains("400"), "{:?}", rolf.error);
    // Anna's next attempt gets 200.
    assert_eq!(env.run_at(t(T0) + SignedDuration::from_secs(30)).await.sent, 1);
    let v = env.view_of("Anna Åberg").await;
    assert_eq!((v.status, v.attempts), (Status::Sent, 2));
    assert!(v.receipt.as_deref().unwrap().starts_with("200"), "{:?}", v.receipt);
    env.run_at(t(T0) + SignedDuration::from_hours(1)).await;
    let hits = gw.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 3, "two attempts for Anna, one for Rolf, nothing more");
    for (auth, body) in &hits {
        assert_eq!(auth.as_deref(), Some("Bearer test-token-123"));
        assert!(body["message"].as_str().unwrap().starts_with(SUBJECT), "{body}");
    }
    assert_eq!(hits[0].1["to"], "+46701111111");
    assert!(hits[0].1["message"].as_str().unwrap().contains("Kvittera: https://reserv.example.org/ack/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_does_not_answer_in_time_leaves_the_message_unknown_not_resent() {
    let gw = Gateway { delay: Duration::from_secs(3), ..Default::default() };
    let url = start_gateway(gw.clone()).await;
    let env = setup(DeliveryConfig { sms: target(url, Duration::from_millis(500)), ..Default::default() }).await;
    env.enqueue(vec![plan("r:it-jour:1", Channel::Sms, "it-jour")]).await;
    assert_eq!(env.run_at(t(T0)).await.unknown, 1);
    env.run_at(t(T0) + SignedDuration::from_hours(1)).await;
    let v = env.view_of("Anna Åberg").await;
    assert_eq!(v.status, Status::Unknown);
    assert!(v.error.as_deref().unwrap().contains("svarade inte inom"), "{:?}", v.error);
    assert_eq!(gw.hits.lock().unwrap().len(), 1, "maybe sent: never sent again automatically");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_gets_json_with_the_link_and_unconfigured_channels_fail_clearly() {
    let gw = Gateway::default();
    let url = start_gateway(gw.clone()).await;
    let env = setup(DeliveryConfig { webhook: target(url, Duration::from_secs(10)), ..Default::default() }).await;
    env.enqueue(vec![plan("r:krisapp:1", Channel::CrisisApp, "it-jour"), plan("r:sms:1", Channel::Sms, "it-jour")])
        .await;
    let r = env.run_at(t(T0)).await;
    assert_eq!((r.sent, r.failed), (1, 1), "{r:?}");
    let hits = gw.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 1);
    let body = &hits[0].1;
    assert_eq!((body["channel"].as_str(), body["key"].as_str()), (Some("crisis_app"), Some("r:krisapp:1")));
    assert_eq!(body["subject"], SUBJECT);
    assert!(body["ack_url"].as_str().unwrap().starts_with("https://reserv.example.org/ack/"));
    let sms = env.view_of("Anna Åberg").await;
    assert_eq!(sms.status, Status::Failed);
    assert!(sms.error.as_deref().unwrap().contains("SMS är inte konfigurerat"), "{:?}", sms.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_writes_mail_to_files_instead_of_sending() {
    let drop_dir = tempfile::tempdir().unwrap();
    let env = setup(DeliveryConfig { mail_dir: Some(drop_dir.path().to_owned()), ..Default::default() }).await;
    env.enqueue(vec![plan("r:it-jour:1", Channel::Email, "it-jour")]).await;
    assert_eq!(env.run_at(t(T0)).await.sent, 1);
    let files: Vec<_> = std::fs::read_dir(drop_dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains(&format!("Subject: {SUBJECT}")) && text.contains("https://reserv.example.org/ack/"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_confirmation_arrives_with_a_working_link_and_one_click_headers() {
    let sink = SmtpSink::start(0);
    let env = setup(smtp_config(sink.port)).await;
    let origin = reserv_app::Origin("test".into());
    env.app.subscribe("prenumerant@example.org", &[], &origin).await.unwrap();
    assert_eq!(env.run_at(t(T0)).await.sent, 1);
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["prenumerant@example.org"]));
    assert_eq!(mail["subject"], "Bekräfta prenumerationen på driftinformation");
    let body = mail["body"].as_str().unwrap();
    let prefix = "https://reserv.example.org/subscriptions/confirm/";
    let i = body.find(prefix).unwrap_or_else(|| panic!("no link: {body}")) + prefix.len();
    let token = &body[i..i + 64];
    let one_click = format!("<https://reserv.example.org/api/v1/public/subscriptions/unsubscribe/{token}>");
    assert_eq!(mail["list_unsubscribe"], one_click.as_str());
    assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    // The link works: it confirms the subscription.
    let (r, v) = env.app.confirm_subscription(token, &origin).await.unwrap();
    assert_eq!(r, reserv_app::subscriptions::LinkResult::Done);
    assert_eq!(v.email, "p***@example.org");
}
