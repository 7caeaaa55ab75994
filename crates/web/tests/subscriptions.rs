//! Subscriptions over HTTP: the form on /status, the API (202, 422 with a
//! Swedish message, 429), the confirmation and unsubscribe pages (GET shows
//! and changes nothing; POST with the echoed token acts) and the RFC 8058
//! one-click address. The router is called without a socket; mails go to a
//! recording `Deliver`.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
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

#[derive(Default)]
struct Recorder(Mutex<Vec<Outgoing>>);

#[async_trait]
impl Deliver for Recorder {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        self.0.lock().unwrap().push(m.clone());
        Ok("250 OK".into())
    }
}

struct T {
    state: AppState,
    sent: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

struct Resp {
    status: u16,
    body: String,
    cookie: Option<String>,
}

async fn setup() -> T {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let sent = Arc::new(Recorder::default());
    let app =
        App::new(Arc::new(store), Arc::new(SystemClock), Catalogue::parse(CATALOGUE).unwrap(), Settings::default())
            .with_notifications(Notifications {
                deliver: sent.clone(),
                recipients: Default::default(),
                retry: RetryPolicy::default(),
                public_url: Some("http://reserv.test".into()),
            });
    T { state: AppState::new(Arc::new(app)), sent, _dir: dir }
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
        let cookie =
            resp.headers().get(header::SET_COOKIE).map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
        let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        if path.starts_with("/api/v1/") {
            check_api_response(method, path, status, content_type.as_deref(), &body);
        }
        Resp { status, body, cookie }
    }
    async fn api_subscribe(&self, body: &str) -> Resp {
        self.call("POST", "/api/v1/public/subscriptions", &[("content-type", "application/json")], body).await
    }
    /// Runs the scheduler; the last mail sent.
    async fn last_mail(&self) -> Outgoing {
        self.state.app.run_due(self.state.app.now()).await.unwrap();
        self.sent.0.lock().unwrap().last().cloned().expect("a mail")
    }
    /// A form post with a fresh CSRF cookie and token.
    async fn form(&self, path: &str, fields: &str) -> Resp {
        let page = self.call("GET", "/status", &[], "").await;
        let cookie = page.cookie.unwrap();
        let csrf = cookie.split_once('=').unwrap().1.to_owned();
        let body = format!("csrf={csrf}&{fields}");
        self.call("POST", path, &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")], &body)
            .await
    }
}

fn token_after(body: &str, path: &str) -> String {
    let i = body.find(path).unwrap() + path.len();
    body[i..i + 64].to_owned()
}

#[tokio::test]
async fn the_status_page_has_the_form_and_the_api_answers_202_422_and_429() {
    let t = setup().await;
    let page = t.call("GET", "/status", &[], "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Prenumerera på driftinformation via e-post"), "{}", page.body);
    assert!(page.body.contains("name=\"systems\" value=\"lifecare-sp\""));

    let r = t.api_subscribe(r#"{"email":"inte-en-adress"}"#).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("invalid_email") && r.body.contains("Ange en giltig e-postadress"), "{}", r.body);
    for _ in 0..3 {
        let r = t.api_subscribe(r#"{"email":"anna@example.org","systems":["lifecare-sp"]}"#).await;
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let r = t.api_subscribe(r#"{"email":"anna@example.org"}"#).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(!r.body.contains("anna@"), "the address is never echoed");

    // The form: an invalid address shows the Swedish error with the form again.
    let r = t.form("/subscriptions", "email=nope&systems=prator").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Ange en giltig e-postadress") && r.body.contains("value=\"prator\" checked"));
    let r = t.form("/subscriptions", "email=bo%40example.org&systems=prator").await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.body.contains("bekräfta prenumerationen"), "{}", r.body);
}

#[tokio::test]
async fn confirm_and_unsubscribe_pages_act_only_on_post_with_the_echoed_token() {
    let t = setup().await;
    assert_eq!(t.api_subscribe(r#"{"email":"cecilia@example.org"}"#).await.status, 202);
    let mail = t.last_mail().await;
    let token = token_after(&mail.body, "http://reserv.test/subscriptions/confirm/");
    let confirm = format!("/subscriptions/confirm/{token}");
    let get = t.call("GET", &confirm, &[], "").await;
    assert_eq!(get.status, 200);
    assert!(get.body.contains("Bekräfta prenumerationen") && get.body.contains("c***@example.org"));
    assert!(!get.body.contains("cecilia@"), "never the whole address");
    // Prefetching changed nothing.
    assert!(t.call("GET", &confirm, &[], "").await.body.contains("Väntar på bekräftelse"), "GET confirms nothing");
    let wrong = t.form(&confirm, &format!("token={}", "0".repeat(64))).await;
    assert_eq!(wrong.status, 400);
    let ok = t.form(&confirm, &format!("token={token}")).await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("Prenumerationen är bekräftad"), "{}", ok.body);

    let unsub = format!("/subscriptions/unsubscribe/{token}");
    let get = t.call("GET", &unsub, &[], "").await;
    assert_eq!(get.status, 200);
    assert!(get.body.contains(">Avsluta prenumerationen</button>"), "{}", get.body);
    let ok = t.form(&unsub, &format!("token={token}")).await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("Prenumerationen är avslutad"), "{}", ok.body);
    assert_eq!(t.call("GET", "/subscriptions/unsubscribe/abc", &[], "").await.status, 404);
}

#[tokio::test]
async fn one_click_unsubscribe_needs_no_form() {
    let t = setup().await;
    assert_eq!(t.api_subscribe(r#"{"email":"dan@example.org"}"#).await.status, 202);
    let mail = t.last_mail().await;
    let url = mail.list_unsubscribe.clone().unwrap();
    let path = url.strip_prefix("http://reserv.test").unwrap();
    let get = t.call("GET", path, &[], "").await;
    assert_eq!(get.status, 303, "a GET goes to the page with the button");
    let r = t
        .call("POST", path, &[("content-type", "application/x-www-form-urlencoded")], "List-Unsubscribe=One-Click")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("\"unsubscribed\""), "{}", r.body);
    let r = t.call("POST", path, &[], "List-Unsubscribe=One-Click").await;
    assert!(r.body.contains("already_unsubscribed"), "{}", r.body);
    assert_eq!(t.call("POST", "/api/v1/public/subscriptions/unsubscribe/nope", &[], "").await.status, 400);
}
