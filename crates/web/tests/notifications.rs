//! Notifications over HTTP: the outage's messages in the API and on the
//! outage page, acknowledging by the link (GET shows, only POST with the
//! echoed token acknowledges), by the UI and by the API, and requeueing.
//! The router is called without a socket; the demo data and the demo's
//! messages are loaded and sent through a recording `Deliver`.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use reserv_app::notifications::{Deliver, Notifications, Outgoing};
use reserv_app::{App, Settings, SystemClock};
use reserv_core::catalogue::Catalogue;
use reserv_core::outbox::{Failure, RetryPolicy};
use reserv_store_sqlite::SqliteStore;
use reserv_web::AppState;

mod support;
use support::check_api_response;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

#[derive(Default)]
struct Recorder(Mutex<Vec<Outgoing>>);

#[async_trait]
impl Deliver for Recorder {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        self.0.lock().unwrap().push(m.clone());
        match m.channel {
            reserv_core::outbox::Channel::Sms => Err(Failure::permanent("SMS är inte konfigurerat i Reserv.")),
            _ => Ok("250 OK".into()),
        }
    }
}

struct T {
    state: AppState,
    sent: Arc<Recorder>,
    outage: String,
    _dir: tempfile::TempDir,
}

struct Resp {
    status: u16,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn setup() -> T {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let sent = Arc::new(Recorder::default());
    let app =
        App::new(Arc::new(store), Arc::new(SystemClock), Catalogue::parse(CATALOGUE).unwrap(), Settings::default())
            .with_notifications(Notifications {
                deliver: sent.clone(),
                recipients: reserv_app::demo::demo_recipients(),
                retry: RetryPolicy::default(),
                public_url: Some("http://reserv.test".into()),
            });
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    assert_eq!(reserv_app::demo::load_messages(&app).await.unwrap(), 6);
    assert_eq!(reserv_app::demo::load_messages(&app).await.unwrap(), 0, "idempotent");
    app.run_due(app.now()).await.unwrap();
    let outage = sent.0.lock().unwrap()[0].outage_id.to_string();
    T { state: AppState::new(Arc::new(app)), sent, outage, _dir: dir }
}

impl T {
    async fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = reserv_web::router(self.state.clone())
            .oneshot(req.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let content_type = resp.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
        let headers = resp.headers().clone();
        let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        if path.starts_with("/api/v1/") {
            check_api_response(method, path, status, content_type.as_deref(), &body);
        }
        Resp { status, headers, body }
    }

    async fn token(&self, username: &str) -> String {
        let body = format!("{{\"username\":\"{username}\",\"password\":\"reserv-demo\"}}");
        let r = self.call("POST", "/api/v1/auth/token", &[("content-type", "application/json")], &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_owned()
    }

    async fn api(&self, method: &str, path: &str, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        self.call(method, path, &[("authorization", &auth)], "").await
    }

    async fn messages(&self, token: &str) -> Vec<Value> {
        let r = self.api("GET", &format!("/api/v1/outages/{}/messages", self.outage), token).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json().as_array().unwrap().clone()
    }

    /// Logs in through the form; returns the cookie header to send.
    async fn browser(&self, username: &str) -> (String, String) {
        let login = self.call("GET", "/login", &[], "").await;
        let cookie = login.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        let csrf = cookie.split_once('=').unwrap().1.to_owned();
        let form = format!("csrf={csrf}&username={username}&password=reserv-demo");
        let r = self
            .call(
                "POST",
                "/login",
                &[("content-type", "application/x-www-form-urlencoded"), ("cookie", &cookie)],
                &form,
            )
            .await;
        assert_eq!(r.status, 303);
        let session = r.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        let cookies = format!("{session}; {cookie}");
        let page = self.call("GET", &format!("/outages/{}", self.outage), &[("cookie", &cookies)], "").await;
        let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        (cookies, csrf)
    }
}

fn by<'a>(list: &'a [Value], recipient: &str) -> &'a Value {
    list.iter().find(|m| m["recipient"] == recipient).unwrap_or_else(|| panic!("no message to {recipient}"))
}

#[tokio::test]
async fn the_api_lists_states_and_shows_addresses_only_to_those_who_need_them() {
    let t = setup().await;
    let it = t.token("demo-it").await;
    let list = t.messages(&it).await;
    assert_eq!(list.len(), 6);
    let mail = by(&list, "Demo IT-förvaltning");
    assert_eq!((mail["status"].as_str(), mail["address"].as_str()), (Some("sent"), Some("it-jour@example.org")));
    let sms = by(&list, "Demo Enhetschef");
    assert_eq!(sms["status"], "failed");
    assert!(sms["error"].as_str().unwrap().contains("SMS är inte konfigurerat"));
    let nobody = by(&list, "Samverkansfunktion (demo, saknar adress)");
    assert_eq!(nobody["status"], "failed");
    assert!(nobody["error"].as_str().unwrap().contains("saknar e-postadress"), "{nobody}");
    let escalation = by(&list, "Tjänsteman i beredskap (demo)");
    assert_eq!(
        (escalation["status"].as_str(), escalation["unless_acknowledged"].as_str()),
        (Some("queued"), Some("demo-it:it-forvaltning:1"))
    );
    let clinician = t.token("demo-clinician").await;
    assert!(t.messages(&clinician).await.iter().all(|m| m["address"].is_null() && m["may_acknowledge"] == false));
    let r = t.api("GET", "/api/v1/outages/00000000-0000-0000-0000-000000000000/messages", &it).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_link_shows_on_get_and_acknowledges_only_on_a_post_that_echoes_it() {
    let t = setup().await;
    let link = t
        .sent
        .0
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.recipient_name.as_deref() == Some("Demo IT-förvaltning"))
        .unwrap()
        .ack_url
        .clone()
        .unwrap();
    let path = link.strip_prefix("http://reserv.test").unwrap().to_owned();
    let token = path.rsplit('/').next().unwrap().to_owned();
    // A mail scanner fetching the link twice acknowledges nothing.
    for _ in 0..2 {
        let page = t.call("GET", &path, &[], "").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Driftstörning: Lifecare SP går inte att nå"), "{}", page.body);
        assert!(page.body.contains("Jag har tagit emot meddelandet"));
    }
    let it = t.token("demo-it").await;
    assert!(by(&t.messages(&it).await, "Demo IT-förvaltning")["acknowledged"].is_null());
    let page = t.call("GET", &path, &[], "").await;
    let cookie = page.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = cookie.split_once('=').unwrap().1.to_owned();
    let form = [("content-type", "application/x-www-form-urlencoded"), ("cookie", cookie.as_str())];
    assert_eq!(t.call("POST", &path, &form, &format!("token={token}")).await.status, 403, "no CSRF token");
    assert_eq!(t.call("POST", &path, &form, &format!("csrf={csrf}&token=x")).await.status, 400, "token not echoed");
    let done = t.call("POST", &path, &form, &format!("csrf={csrf}&token={token}")).await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Tack! Meddelandet är kvitterat."), "{}", done.body);
    let again = t.call("POST", &path, &form, &format!("csrf={csrf}&token={token}")).await;
    assert!(again.body.contains("redan kvitterat"));
    let m = by(&t.messages(&it).await, "Demo IT-förvaltning").clone();
    assert_eq!(
        (m["acknowledged"]["by"].as_str(), m["acknowledged"]["via"].as_str()),
        (Some("Demo IT-förvaltning"), Some("link"))
    );
    assert_eq!(t.call("GET", &format!("/ack/{}", "0".repeat(64)), &[], "").await.status, 404);
    // The escalation is no longer needed.
    t.state.app.run_due(t.state.app.now() + jiff::SignedDuration::from_hours(1)).await.unwrap();
    assert_eq!(by(&t.messages(&it).await, "Tjänsteman i beredskap (demo)")["status"], "skipped");
}

#[tokio::test]
async fn the_outage_page_shows_who_has_and_has_not_acknowledged_and_recipients_acknowledge_there() {
    let t = setup().await;
    let (cookies, csrf) = t.browser("demo-manager").await;
    let page = t.call("GET", &format!("/outages/{}", t.outage), &[("cookie", &cookies)], "").await;
    assert!(page.body.contains("Utskick och kvittenser"), "the section is on the page");
    assert!(page.body.contains("Kvitterade mottagare: 0 av"));
    assert!(page.body.contains("Misslyckades") && page.body.contains("SMS är inte konfigurerat"));
    let manager = t.token("demo-manager").await;
    let mine = by(&t.messages(&manager).await, "Demo Enhetschef")["id"].as_str().unwrap().to_owned();
    let action = format!("/outages/{}/messages/{mine}/acknowledge", t.outage);
    assert!(page.body.contains(&action), "a button for the recipient's own message");
    let form = [("content-type", "application/x-www-form-urlencoded"), ("cookie", cookies.as_str())];
    let r = t.call("POST", &action, &form, &format!("csrf={csrf}")).await;
    assert_eq!(r.status, 303);
    let page = t.call("GET", &format!("/outages/{}", t.outage), &[("cookie", &cookies)], "").await;
    assert!(page.body.contains("Kvitterat av Demo Enhetschef"), "{}", page.body);
    assert!(page.body.contains("Kvitterade mottagare: 1 av"));
    // The API: a clinician may not acknowledge another's message; IT may, on their behalf.
    let it = t.token("demo-it").await;
    let list = t.messages(&it).await;
    let other = by(&list, "Biståndshandläggare Timrå (demo)")["id"].as_str().unwrap().to_owned();
    let clinician = t.token("demo-clinician").await;
    assert_eq!(t.api("POST", &format!("/api/v1/messages/{other}/acknowledge"), &clinician).await.status, 403);
    let r = t.api("POST", &format!("/api/v1/messages/{other}/acknowledge"), &it).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["acknowledged"]["by"], "Demo IT-förvaltning för Biståndshandläggare Timrå (demo)");
    // Requeue: a failed message goes back in the queue; a sent one cannot.
    let failed = by(&list, "Samverkansfunktion (demo, saknar adress)")["id"].as_str().unwrap().to_owned();
    let r = t.api("POST", &format!("/api/v1/messages/{failed}/requeue"), &it).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("queued")));
    let sent = by(&list, "Demo IT-förvaltning")["id"].as_str().unwrap().to_owned();
    assert_eq!(t.api("POST", &format!("/api/v1/messages/{sent}/requeue"), &it).await.status, 409);
    assert_eq!(t.api("POST", &format!("/api/v1/messages/{failed}/requeue"), &manager).await.status, 403);
}
