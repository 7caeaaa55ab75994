//! Every link Reserv puts in a message opens for the person it is sent to
//! (issue 11 item 6). Seed 003 §4.2/§4.3: "länk till driftstoppsrutin
//! bifogas för de privata vårdgivarna" and "Information om driftstopp mailas
//! till Hälsovalskontoret som förmedlar vidare till de privata
//! vårdgivarna": readers without a Reserv account get links that open
//! without a login and show no patient data; readers with an account get the
//! outage's own page, which opens with their session.
//!
//! A real server with the shipped routines, the 003 policy and a recipients
//! file where some people have an account and some have none; an unplanned
//! and a planned Melior outage (declared, then ended) go through the outbox;
//! every link of every message sent (e-mail, SMS, phone task, both status
//! pages, acknowledgement links) is fetched as its reader would.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::json;

use reserv_app::notifications::{Deliver, Notifications, Outgoing};
use reserv_core::outbox::{Failure, Recipient, Recipients, RetryPolicy};
use reserv_store_sqlite::SqliteStore;

mod support;
use support::{DIRECTORY, app_over, spawn_shared};

const BASE: &str = "http://reserv.test";
const POLICY: &str = include_str!("../../../data/notifications/003-gavleborg.toml");

#[derive(Default)]
struct Recorder(Mutex<Vec<Outgoing>>);

#[async_trait]
impl Deliver for Recorder {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        self.0.lock().unwrap().push(m.clone());
        Ok("250 OK".into())
    }
}

/// One person per group of the 003 policy: the directors and heads of
/// department have Reserv accounts (demo accounts), Hälsovalskontoret and
/// the emergency departments have none.
fn recipients(policy: &reserv_core::notify::Policy) -> Recipients {
    let mut out = Recipients::new();
    for (i, g) in policy.groups.iter().enumerate() {
        let username = match g.id.as_str() {
            "health-care-director" | "deputy-health-care-director" => Some("demo-manager".to_owned()),
            "heads-of-department" => Some("demo-clinician".to_owned()),
            _ => None,
        };
        let person = Recipient {
            id: format!("p{i}"),
            name: format!("Person {i} ({})", g.id),
            email: Some(format!("p{i}@example.org")),
            phone: Some(format!("070-174 06 {}", 10 + i)),
            username,
        };
        out.entry(g.id.clone()).or_default().push(person);
    }
    out
}

/// Every `http://reserv.test/...` link in a text, as a path.
fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix(BASE))
        .map(|p| p.trim_end_matches(['.', ',', ')']).to_owned())
        .collect()
}

fn has_patient_data(body: &str) -> bool {
    // A personnummer or samordningsnummer as the demo data writes them.
    body.as_bytes().windows(13).any(|w| {
        w[..8].iter().all(u8::is_ascii_digit) && (w[8] == b'-' || w[8] == b'+') && w[9..].iter().all(u8::is_ascii_digit)
    })
}

#[tokio::test]
async fn every_link_in_every_message_opens_for_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let app = app_over(Arc::new(store));
    let policy = reserv_core::notify::load("003-gavleborg.toml", POLICY, app.catalogue()).unwrap();
    let people = recipients(&policy);
    let sent = Arc::new(Recorder::default());
    let app = app
        .with_notifications(Notifications {
            deliver: sent.clone(),
            recipients: people.clone(),
            retry: RetryPolicy::default(),
            public_url: Some(BASE.into()),
        })
        .with_notification_policies(vec![policy]);
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let app = Arc::new(app);
    let t = spawn_shared(app.clone(), dir).await;
    let it = t.token("demo-it").await;

    // An unplanned stop (no expected end: counted as long), then its end.
    let now = app.now();
    let start = (now - jiff::SignedDuration::from_mins(30)).to_string();
    let declared = t
        .send_json(
            "POST",
            "/api/v1/outages",
            Some(&it),
            &json!({"system": "melior", "kind": "unplanned", "scope": "region", "start": start, "notice": "Melior svarar inte."}),
        )
        .await;
    assert_eq!(declared.status, 201, "{}", declared.body);
    let unplanned = declared.json()["id"].as_str().unwrap().to_owned();
    let restored = json!({"restored_at": now.to_string()});
    let ended = t.send_json("POST", &format!("/api/v1/outages/{unplanned}/end"), Some(&it), &restored).await;
    assert!(ended.status < 300, "{}", ended.body);
    // A planned stop five weeks ahead: information, reminders.
    let start = (now + jiff::SignedDuration::from_hours(24 * 35)).to_string();
    let end = (now + jiff::SignedDuration::from_hours(24 * 35 + 2)).to_string();
    let planned = t
        .send_json(
            "POST",
            "/api/v1/outages",
            Some(&it),
            &json!({"system": "melior", "kind": "planned", "scope": "region", "start": start, "expected_end": end, "notice": ""}),
        )
        .await;
    assert_eq!(planned.status, 201, "{}", planned.body);
    // Everything due until the planned stop has started.
    app.run_due(now).await.unwrap();
    app.run_due(now + jiff::SignedDuration::from_hours(24 * 35 + 1)).await.unwrap();

    let messages = sent.0.lock().unwrap().clone();
    let channels: std::collections::BTreeSet<String> = messages.iter().map(|m| m.channel.to_string()).collect();
    for c in ["email", "sms", "status_page_internal", "status_page_public"] {
        assert!(channels.contains(c), "a {c} message was sent: {channels:?}");
    }
    let username_of = |name: &str| people.values().flatten().find(|p| p.name == name).and_then(|p| p.username.clone());
    let mut cookies: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let (mut opened_without, mut opened_with) = (0, 0);
    for m in &messages {
        let found = links(&m.body);
        assert!(!found.is_empty(), "{} ({}) carries a link: {}", m.key, m.channel, m.body);
        let reader = m.recipient_name.as_deref().and_then(username_of);
        for path in found {
            match &reader {
                None => {
                    let r = t.request("GET", &path, &[], b"").await;
                    assert_eq!(r.status, 200, "{path} in {} must open without a login", m.key);
                    assert!(!r.body.contains("name=\"password\""), "{path}: no login form");
                    assert!(!has_patient_data(&r.body), "{path}: no patient data");
                    opened_without += 1;
                }
                Some(user) => {
                    if !cookies.contains_key(user) {
                        cookies.insert(user.clone(), t.browser_login(user).await);
                    }
                    let r = t.page(&path, &cookies[user]).await;
                    assert_eq!(r.status, 200, "{path} in {} must open for {user}", m.key);
                    opened_with += 1;
                }
            }
        }
    }
    assert!(opened_without > 0 && opened_with > 0, "both kinds of reader were tried");
    // Hälsovalskontoret has no account: its mail links the routine and the
    // outage's public facts, never the page behind the login.
    let office = messages.iter().find(|m| m.group == "private-provider-office").expect("the office was mailed");
    assert!(office.body.contains("/routines/melior"), "{}", office.body);
    assert!(office.body.contains("/status/outages/"), "{}", office.body);
    assert!(!links(&office.body).iter().any(|p| p.starts_with("/outages/")), "{}", office.body);
    // A director with an account gets the outage's own page.
    let director = messages.iter().find(|m| m.group == "health-care-director" && m.channel.to_string() == "email");
    let director = director.expect("the director was mailed");
    assert!(links(&director.body).iter().any(|p| p.starts_with("/outages/")), "{}", director.body);
    // The public page of the outage does not open for a drill or nonsense.
    assert_eq!(t.request("GET", "/status/outages/not-an-id", &[], b"").await.status, 404);
}
