//! Issue 19, items 8 and 11, over real HTTP against real SQLite files:
//! subscription requests throttled per client address and in all, IT's
//! subscribers page, `Secure` cookies and HSTS, "log out everywhere", the
//! cap on live API tokens (held across two servers over one database), a
//! browser login that ends the browser's earlier session, and the client
//! address behind a trusted proxy.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use reserv_app::notifications::{Deliver, Notifications, Outgoing};
use reserv_app::{App, Settings};
use reserv_core::outbox::{Failure, RetryPolicy};
use reserv_store_sqlite::SqliteStore;
use reserv_web::AppState;
use reserv_web::kit::proxy::TrustedProxies;

mod support;
use support::{TestApp, app_with, spawn_app, spawn_state};

struct Nowhere;

#[async_trait]
impl Deliver for Nowhere {
    async fn send(&self, _: &Outgoing) -> Result<String, Failure> {
        Ok("250 OK".into())
    }
}

/// The demo application over a fresh SQLite file, with these settings and
/// e-mail subscriptions switched on.
async fn app(settings: Settings) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let app = app_with(Arc::new(store), settings).with_notifications(Notifications {
        deliver: Arc::new(Nowhere),
        recipients: Default::default(),
        retry: RetryPolicy::default(),
        public_url: Some("http://reserv.test".into()),
    });
    reserv_app::demo::load(&app, support::DIRECTORY).await.unwrap();
    (app, dir)
}

async fn server(settings: Settings, configure: impl FnOnce(&mut AppState)) -> TestApp {
    let (app, dir) = app(settings).await;
    let mut state = AppState::new(Arc::new(app));
    configure(&mut state);
    spawn_state(state, Some(dir)).await
}

fn trusting_localhost(st: &mut AppState) {
    st.trusted_proxies = Arc::new(TrustedProxies::parse(&["127.0.0.1"]).unwrap());
}

async fn subscribe(t: &TestApp, email: &str, forwarded_for: Option<&str>) -> support::Resp {
    let mut h = vec![("Content-Type", "application/json")];
    if let Some(x) = forwarded_for {
        h.push(("X-Forwarded-For", x));
    }
    t.request("POST", "/api/v1/public/subscriptions", &h, json!({ "email": email }).to_string().as_bytes()).await
}

async fn audit(t: &TestApp, action: &str) -> Vec<Value> {
    let admin = t.token("demo-admin").await;
    let r = t.get(&format!("/api/v1/audit?limit=1000&action={action}"), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

/// The CSRF token in a page's forms.
fn csrf_in(body: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let i = body.find(key).expect("a form with a CSRF token") + key.len();
    body[i..i + 64].to_owned()
}

async fn post_form(t: &TestApp, path: &str, cookies: &str, form: &str) -> support::Resp {
    t.request(
        "POST",
        path,
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookies)],
        form.as_bytes(),
    )
    .await
}

/// Whether the browser with these cookies is logged in.
async fn logged_in(t: &TestApp, cookies: &str) -> bool {
    let r = t.page("/", cookies).await;
    r.status == 200 && r.body.contains("action=\"/logout\"")
}

// ---- item 8: mail to anyone ----

#[tokio::test]
async fn subscription_requests_are_throttled_per_client_address() {
    let t = server(Settings::default(), |_| {}).await;
    for i in 0..5 {
        let r = subscribe(&t, &format!("person{i}@example.org"), None).await;
        assert_eq!(r.status, 202, "{i}: {}", r.body);
    }
    // Another address each time: before, the 60 addresses from one client all got mail.
    let r = subscribe(&t, "person5@example.org", None).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.error_code(), "subscription_throttled");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("För många prenumerationer"), "{}", r.body);
    assert!(!r.body.contains("person5"), "the address is not echoed");

    // The form on /status is the same request, and is refused too.
    let status = t.get("/status", None).await;
    let cookie = status.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    let csrf = cookie.split_once('=').unwrap().1.to_owned();
    let r = post_form(&t, "/subscriptions", &cookie, &format!("csrf={csrf}&email=person6%40example.org")).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("För många prenumerationer"), "{}", r.body);
}

#[tokio::test]
async fn subscription_requests_are_throttled_in_all_and_per_forwarded_client() {
    let settings = Settings { subscriptions_per_hour: 12, ..Settings::default() };
    let t = server(settings, trusting_localhost).await;
    // Behind the trusted proxy each client has its own count ...
    for i in 0..5 {
        assert_eq!(subscribe(&t, &format!("a{i}@example.org"), Some("203.0.113.1")).await.status, 202);
    }
    assert_eq!(subscribe(&t, "a5@example.org", Some("203.0.113.1")).await.error_code(), "subscription_throttled");
    for i in 0..5 {
        assert_eq!(subscribe(&t, &format!("b{i}@example.org"), Some("203.0.113.2")).await.status, 202, "{i}");
    }
    // ... and everyone together has 12 an hour.
    for i in 0..2 {
        assert_eq!(subscribe(&t, &format!("c{i}@example.org"), Some("203.0.113.3")).await.status, 202, "{i}");
    }
    let r = subscribe(&t, "d@example.org", Some("203.0.113.4")).await;
    assert_eq!((r.status, r.error_code()), (429, "subscription_throttled".to_owned()), "{}", r.body);
}

#[tokio::test]
async fn it_sees_and_removes_subscribers_and_the_removal_is_audited() {
    let t = server(Settings::default(), |_| {}).await;
    assert_eq!(subscribe(&t, "greta@example.org", None).await.status, 202);
    assert_eq!(subscribe(&t, "harald@example.org", None).await.status, 202);

    let it = t.browser_login("demo-it").await;
    let page = t.page("/", &it).await;
    assert!(page.body.contains("href=\"/subscribers\""), "IT has the link");
    let list = t.page("/subscribers", &it).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("greta@example.org") && list.body.contains("harald@example.org"), "{}", list.body);

    let admin = t.browser_login("demo-admin").await;
    let masked = t.page("/subscribers", &admin).await;
    assert_eq!(masked.status, 200);
    assert!(masked.body.contains("g***@example.org") && !masked.body.contains("greta@"), "{}", masked.body);

    let nurse = t.browser_login("demo-clinician").await;
    assert_eq!(t.page("/subscribers", &nurse).await.status, 403);
    assert!(!t.page("/", &nurse).await.body.contains("href=\"/subscribers\""));

    // Remove Greta.
    let i = list.body.find("greta@example.org").unwrap();
    let key = "action=\"/subscribers/";
    let j = list.body[i..].find(key).unwrap() + i + key.len();
    let id = &list.body[j..j + 36];
    let refused = post_form(
        &t,
        &format!("/subscribers/{id}/remove"),
        &nurse,
        &format!("csrf={}", csrf_in(&t.page("/", &nurse).await.body)),
    )
    .await;
    assert_eq!(refused.status, 403);
    let csrf = csrf_in(&list.body);
    let r = post_form(&t, &format!("/subscribers/{id}/remove"), &it, &format!("csrf={csrf}")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = t.page("/subscribers?removed=1", &it).await;
    assert!(!after.body.contains("greta@example.org") && after.body.contains("harald@example.org"), "{}", after.body);
    let removed = audit(&t, "subscription.removed").await;
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(removed[0]["actor"].as_str().unwrap().contains("demo-it"), "{removed:?}");
    assert_eq!(removed[0]["detail"], "g***@example.org");
    let csrf = csrf_in(&after.body);
    assert_eq!(post_form(&t, "/subscribers/not-an-id/remove", &it, &format!("csrf={csrf}")).await.status, 404);
}

// ---- item 11: Secure cookies and HSTS ----

#[tokio::test]
async fn cookies_are_secure_and_hsts_is_sent_only_when_served_over_https() {
    let plain = spawn_app().await;
    let r = plain.get("/login", None).await;
    assert!(!r.header("set-cookie").unwrap().contains("Secure"));
    assert!(r.header("strict-transport-security").is_none());

    let https = server(Settings::default(), |st| {
        st.secure_cookies = true;
        st.hsts = true;
    })
    .await;
    let r = https.get("/login", None).await;
    assert!(r.header("set-cookie").unwrap().contains("; Secure"), "{:?}", r.headers);
    assert_eq!(r.header("strict-transport-security"), Some("max-age=31536000"));
    assert_eq!(
        https.get("/api/v1/public/status", None).await.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    // The session cookie too.
    let cookies = https.browser_login("demo-it").await;
    assert!(cookies.contains("reserv_session="));
}

// ---- item 11: logout, log out everywhere, tokens capped ----

#[tokio::test]
async fn log_out_everywhere_ends_every_session_and_revokes_every_token() {
    let t = spawn_app().await;
    let browser1 = t.browser_login("demo-it").await;
    let browser2 = t.browser_login("demo-it").await;
    let token = t.token("demo-it").await;
    let other = t.token("demo-admin").await;
    assert!(logged_in(&t, &browser1).await && logged_in(&t, &browser2).await);
    let home = t.page("/", &browser1).await;
    assert!(home.body.contains("Logga ut överallt"), "the button is in the header");

    let r = post_form(&t, "/logout/everywhere", &browser1, &format!("csrf={}", csrf_in(&home.body))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert!(!logged_in(&t, &browser1).await && !logged_in(&t, &browser2).await, "every browser");
    assert_eq!(t.get("/api/v1/me", Some(&token)).await.status, 401, "every token");
    assert_eq!(t.get("/api/v1/me", Some(&other)).await.status, 200, "nobody else's");
    let a = audit(&t, "logout.everywhere").await;
    assert_eq!(a.len(), 1, "{a:?}");
}

#[tokio::test]
async fn a_new_browser_login_ends_the_browsers_earlier_session() {
    let t = spawn_app().await;
    let first = t.browser_login("demo-it").await;
    let (session1, csrf_cookie) = first.split_once("; ").unwrap();
    // Logging in again from the same browser (its cookies and a form of a
    // page it has): the earlier session must not live on beside the new one.
    let csrf = csrf_in(&t.page("/", &first).await.body);
    let r = post_form(&t, "/login", &first, &format!("csrf={csrf}&username=demo-admin&password=reserv-demo")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let session2 = r.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(session1, session2);
    assert!(!logged_in(&t, &format!("{session1}; {csrf_cookie}")).await, "the earlier session has ended");
    let second = format!("{session2}; {csrf_cookie}");
    assert!(logged_in(&t, &second).await);
    // And logout ends the one that is left: the browser has none.
    let csrf = csrf_in(&t.page("/", &second).await.body);
    assert_eq!(post_form(&t, "/logout", &second, &format!("csrf={csrf}")).await.status, 303);
    assert!(!logged_in(&t, &second).await && !logged_in(&t, &format!("{session1}; {csrf_cookie}")).await);
}

#[tokio::test]
async fn live_api_tokens_are_capped_across_servers_sharing_one_database() {
    let settings = Settings { max_api_tokens: 3, ..Settings::default() };
    let (app_a, dir) = app(settings.clone()).await;
    let store_b = SqliteStore::open(dir.path()).unwrap();
    let app_b = app_with(Arc::new(store_b), settings);
    let b = spawn_state(AppState::new(Arc::new(app_b)), None).await;
    let a = spawn_state(AppState::new(Arc::new(app_a)), Some(dir)).await;

    let t1 = a.token("demo-it").await;
    let t2 = b.token("demo-it").await;
    let t3 = a.token("demo-it").await;
    for t in [&t1, &t2, &t3] {
        assert_eq!(b.get("/api/v1/me", Some(t)).await.status, 200);
    }
    let t4 = b.token("demo-it").await;
    assert_eq!(a.get("/api/v1/me", Some(&t1)).await.status, 401, "the oldest is revoked");
    assert_eq!(b.get("/api/v1/me", Some(&t1)).await.status, 401);
    for t in [&t2, &t3, &t4] {
        assert_eq!(a.get("/api/v1/me", Some(t)).await.status, 200);
    }
    let t5 = a.token("demo-it").await;
    assert_eq!(b.get("/api/v1/me", Some(&t2)).await.status, 401);
    assert_eq!(b.get("/api/v1/me", Some(&t5)).await.status, 200);
    // Browser sessions are not API tokens: they do not count.
    let browser = a.browser_login("demo-it").await;
    assert!(logged_in(&a, &browser).await);
    assert_eq!(a.get("/api/v1/me", Some(&t3)).await.status, 200);
    let revoked = audit(&a, "token.revoked_oldest").await;
    assert_eq!(revoked.len(), 2, "{revoked:?}");
}

// ---- item 11: the client address behind a trusted proxy ----

#[tokio::test]
async fn the_forwarded_client_address_is_used_only_behind_a_trusted_proxy() {
    let bad_login = json!({"username": "demo-it", "password": "fel"});
    for (trust, expected) in [(false, "127.0.0.1"), (true, "203.0.113.9")] {
        let t = server(Settings::default(), |st| {
            if trust {
                trusting_localhost(st);
            }
        })
        .await;
        let r = t
            .request(
                "POST",
                "/api/v1/auth/token",
                &[("Content-Type", "application/json"), ("X-Forwarded-For", "198.51.100.1, 203.0.113.9")],
                bad_login.to_string().as_bytes(),
            )
            .await;
        assert_eq!(r.status, 401);
        let failed = audit(&t, "login.failed").await;
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0]["origin"], expected, "trusted: {trust}");
        // The browser pages use the same address.
        let login = t.get("/login", None).await;
        let cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
        let csrf = cookie.split_once('=').unwrap().1.to_owned();
        let r = t
            .request(
                "POST",
                "/login",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", &cookie),
                    ("X-Forwarded-For", "203.0.113.9"),
                ],
                format!("csrf={csrf}&username=demo-admin&password=fel").as_bytes(),
            )
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        let failed = audit(&t, "login.failed").await;
        assert_eq!(failed[0]["origin"], expected, "pages, trusted: {trust}");
    }
}
