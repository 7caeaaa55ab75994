//! Deviation reports on an outage over HTTP (seed 004): a real server on port
//! 0 over a fresh SQLite file per test, the demo data loaded, driven through
//! the JSON API and the HTML form by a minimal HTTP/1.1 client.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

mod support;
use support::*;

impl TestApp {
    /// The id of the demo's ongoing Lifecare SP outage.
    async fn lifecare_outage(&self, token: &str) -> String {
        let all = self.get("/api/v1/outages", Some(token)).await.json();
        let o = all
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["system"] == "lifecare-sp" && o["status"] == "ongoing")
            .expect("the demo has an ongoing Lifecare SP outage");
        o["id"].as_str().unwrap().to_owned()
    }

    async fn report(&self, token: &str, outage: &str, body: &Value) -> Resp {
        self.send_json("POST", &format!("/api/v1/outages/{outage}/deviations"), Some(token), body).await
    }

    async fn list(&self, token: &str, outage: &str) -> Value {
        let r = self.get(&format!("/api/v1/outages/{outage}/deviations"), Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }

    async fn post_form(&self, path: &str, cookies: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookies)],
            body.as_bytes(),
        )
        .await
    }

    async fn audit_actions(&self, prefix: &str) -> Vec<String> {
        let auditor = self.token("demo-auditor").await;
        let r = self.get(&format!("/api/v1/audit?limit=1000&action={prefix}"), Some(&auditor)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json().as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap().to_owned()).collect()
    }
}

fn ago(mins: i64) -> String {
    (Timestamp::now() - SignedDuration::from_mins(mins)).to_string()
}

/// A valid incident report, to vary one field at a time.
fn incident() -> Value {
    json!({
        "subject": "incident",
        "occurred_at": ago(60),
        "category": "medication",
        "severity": "minor",
        "description": "Kvällens läkemedel gavs en timme sent: utdelningslistan var inte utskriven.",
        "consequence": "Ingen skada.",
        "action_taken": "Jourhavande läkare kontaktad.",
        "reported_elsewhere": true,
        "external_reference": "AV-2026-0042"
    })
}

fn breakdown() -> Value {
    json!({
        "subject": "outage",
        "occurred_at": ago(170),
        "severity": "none",
        "description": "Lifecare SP gick inte att nå från avdelningen; reservrutinen startades."
    })
}

#[tokio::test]
async fn reports_on_the_outage_itself_and_on_an_incident() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let outage = t.lifecare_outage(&nurse).await;
    let r = t.report(&nurse, &outage, &incident()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let inc = r.json();
    assert_eq!(inc["subject"], "incident");
    assert_eq!(inc["category"], "medication");
    assert_eq!(inc["severity"], "minor");
    assert_eq!(inc["unit"], "rvn-sundsvall-avd-medicin-3", "the unit is the reporter's organisation");
    assert_eq!(inc["author_name"], "Demo Sjuksköterska");
    assert_eq!(inc["external_reference"], "AV-2026-0042");
    assert_eq!(inc["outage_id"], outage.as_str());
    assert!(inc["supersedes"].is_null() && inc["superseded_by"].is_null());
    assert_eq!(inc["id"].as_str().unwrap().as_bytes()[14], b'7', "a UUIDv7 id");

    let r = t.report(&nurse, &outage, &breakdown()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let out = r.json();
    assert!(out["category"].is_null(), "no category on the outage itself");

    let list = t.list(&nurse, &outage).await;
    assert_eq!(list["system"], "lifecare-sp");
    assert_eq!(list["all_units"], false);
    let ids: Vec<&str> = list["reports"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![out["id"].as_str().unwrap(), inc["id"].as_str().unwrap()], "ordered by event time");
    let actions = t.audit_actions("deviation.").await;
    assert_eq!(actions.iter().filter(|a| *a == "deviation.reported").count(), 2, "{actions:?}");
    assert!(actions.contains(&"deviation.list".to_owned()));
}

#[tokio::test]
async fn bad_input_is_refused_with_stable_codes_and_nothing_is_stored() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let outage = t.lifecare_outage(&nurse).await;
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("description", Value::Null, "required", "description"),
        ("description", json!("   "), "required", "description"),
        ("occurred_at", json!(ago(-30)), "in_future", "occurred_at"),
        ("occurred_at", json!("igår kväll"), "invalid_datetime", "occurred_at"),
        ("occurred_at", json!(ago(60 * 30)), "invalid", "occurred_at"),
        ("category", json!("weather"), "unknown_value", "category"),
        ("category", Value::Null, "required", "category"),
        ("subject", json!("patient"), "unknown_value", "subject"),
        ("severity", json!(""), "required", "severity"),
        ("consequence", json!("Patienten 19121212-1212 fick dubbel dos."), "contains_personal_number", "consequence"),
        // Issue 19: an en dash, spaces around a dash, full-width digits.
        ("description", json!("Pat 19121212–1212 föll."), "contains_personal_number", "description"),
        ("action_taken", json!("Ringde om 1912 12 12 - 1212."), "contains_personal_number", "action_taken"),
        ("consequence", json!("pnr １２１２１２-１２１２"), "contains_personal_number", "consequence"),
        ("description", json!("x".repeat(4001)), "text_too_long", "description"),
        ("supersedes", json!("0190aaaa-0000-7000-8000-000000000000"), "unknown_value", "supersedes"),
    ];
    for (key, value, code, field) in cases {
        let mut body = incident();
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
        let r = t.report(&nurse, &outage, &body).await;
        assert_eq!(r.error(), (422, code.to_owned(), Some(field.to_owned())), "{key}={value}: {}", r.body);
    }
    // The message names the field, in Swedish or in English.
    let mut body = incident();
    body["description"] = json!("");
    let r = t.report(&nurse, &outage, &body).await;
    assert_eq!(r.json()["error"]["message"], "Beskrivning av händelsen: fältet måste fyllas i.");
    let en = t
        .request(
            "POST",
            &format!("/api/v1/outages/{outage}/deviations"),
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &format!("Bearer {nurse}")),
                ("Accept-Language", "en"),
            ],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(en.json()["error"]["message"], "Description of the event: this field is required.");
    // The outage must exist; the body must be JSON of known fields.
    let unknown = t.report(&nurse, "0190aaaa-0000-7000-8000-000000000000", &incident()).await;
    assert_eq!(unknown.error().1, "not_found");
    assert_eq!(t.report(&nurse, "not-a-uuid", &incident()).await.status, 404);
    let mut extra = incident();
    extra["patient_id"] = json!("19121212-1212");
    assert_eq!(t.report(&nurse, &outage, &extra).await.error().1, "unknown_field");
    assert!(t.list(&nurse, &outage).await["reports"].as_array().unwrap().is_empty(), "nothing was stored");
    assert!(!t.audit_actions("deviation.reported").await.iter().any(|a| a == "deviation.reported"));
}

#[tokio::test]
async fn a_correction_supersedes_and_both_stay_visible() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let manager = t.token("demo-manager").await;
    let kommun = t.token("demo-kommun").await;
    let outage = t.lifecare_outage(&nurse).await;
    let first = t.report(&nurse, &outage, &incident()).await.json();
    let first_id = first["id"].as_str().unwrap();
    let mut fix = incident();
    fix["severity"] = json!("serious");
    fix["supersedes"] = json!(first_id);
    // Another organisation may not correct it.
    assert_eq!(t.report(&kommun, &outage, &fix).await.error().1, "forbidden");
    // A colleague of the same unit may.
    let r = t.report(&manager, &outage, &fix).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let second = r.json();
    assert_eq!(second["supersedes"], first_id);
    // Once corrected, the old report cannot be corrected again.
    let again = t.report(&nurse, &outage, &fix).await;
    assert_eq!((again.status, again.error().1.as_str()), (409, "conflict"));
    let reports = t.list(&nurse, &outage).await["reports"].as_array().unwrap().clone();
    assert_eq!(reports.len(), 2, "both stay");
    let old = reports.iter().find(|r| r["id"] == first_id).unwrap();
    assert_eq!(old["superseded_by"], second["id"]);
    assert_eq!(old["severity"], "minor", "the old report is unchanged");
    assert!(t.audit_actions("deviation.corrected").await.iter().any(|a| a == "deviation.corrected"));
}

#[tokio::test]
async fn who_reads_what() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let kommun = t.token("demo-kommun").await;
    let outage = t.lifecare_outage(&nurse).await;
    assert_eq!(t.report(&nurse, &outage, &incident()).await.status, 201);
    assert_eq!(t.report(&kommun, &outage, &breakdown()).await.status, 201);
    let units = |v: &Value| -> Vec<String> {
        v["reports"].as_array().unwrap().iter().map(|r| r["unit"].as_str().unwrap().to_owned()).collect()
    };
    // Everyone reads their own organisation's reports.
    assert_eq!(units(&t.list(&nurse, &outage).await), vec!["rvn-sundsvall-avd-medicin-3"]);
    assert_eq!(units(&t.list(&kommun, &outage).await), vec!["kommun-timra"]);
    let psyk = t.token("demo-psyk").await;
    assert!(units(&t.list(&psyk, &outage).await).is_empty());
    // Unit managers, IT, system administrators and auditors read them all.
    for who in ["demo-manager", "demo-it", "demo-admin", "demo-auditor"] {
        let token = t.token(who).await;
        let list = t.list(&token, &outage).await;
        assert_eq!(list["all_units"], true, "{who}");
        assert_eq!(units(&list).len(), 2, "{who}");
    }
    // Without a token, nothing.
    let anon = t.get(&format!("/api/v1/outages/{outage}/deviations"), None).await;
    assert_eq!(anon.error().1, "unauthenticated");
    assert_eq!(t.get(&format!("/api/v1/outages/{outage}/deviations.csv"), None).await.status, 401);
}

#[tokio::test]
async fn the_csv_export_has_one_row_per_report_with_superseded_ones_marked() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let outage = t.lifecare_outage(&nurse).await;
    let mut with_comma = incident();
    with_comma["description"] = json!("Fel dos, \"dubbel\" –\nupptäcktes vid kvällsrundan");
    let first = t.report(&nurse, &outage, &with_comma).await.json();
    let mut fix = with_comma.clone();
    fix["supersedes"] = first["id"].clone();
    fix["description"] = json!("=Rättad beskrivning");
    let second = t.report(&nurse, &outage, &fix).await.json();
    assert_eq!(t.report(&nurse, &outage, &breakdown()).await.status, 201);

    let r = t.get(&format!("/api/v1/outages/{outage}/deviations.csv"), Some(&nurse)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8; header=present"));
    let disposition = r.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment; filename=\"avvikelser-lifecare-sp-"), "{disposition}");
    let csv = &r.body;
    assert!(
        csv.starts_with("\u{feff}Id;Status;Ersatt av;Rättar post;Rapporten gäller;Tidpunkt för händelsen;Enhet;"),
        "{csv}"
    );
    assert!(csv.ends_with("\r\n"));
    // Four records: the header and three reports (one field spans two lines inside its quotes).
    let records = csv.split("\r\n").filter(|l| !l.is_empty()).count();
    assert_eq!(records, 4, "{csv}");
    let first_id = first["id"].as_str().unwrap();
    let second_id = second["id"].as_str().unwrap();
    assert!(csv.contains(&format!("{first_id};Ersatt av rättelse;{second_id};;")), "{csv}");
    assert!(csv.contains(&format!("{second_id};Gällande;;{first_id};")), "{csv}");
    assert!(csv.contains(";\"Fel dos, \"\"dubbel\"\" –\nupptäcktes vid kvällsrundan\";"), "quoted per RFC 4180: {csv}");
    assert!(csv.contains(";'=Rättad beskrivning;"), "a formula is neutralised: {csv}");
    assert!(csv.contains(";Själva driftstoppet (haveriet);"), "{csv}");
    assert!(csv.contains(";Ja;AV-2026-0042;Demo Sjuksköterska;"), "{csv}");
    // English on request.
    let en = t
        .request(
            "GET",
            &format!("/api/v1/outages/{outage}/deviations.csv"),
            &[("Authorization", &format!("Bearer {nurse}")), ("Accept-Language", "en")],
            b"",
        )
        .await;
    assert!(en.body.starts_with("\u{feff}Id;Status;Superseded by;Corrects entry;The report concerns;"), "{}", en.body);
    // The same export from the page, for a logged-in browser.
    let cookies = t.browser_login("demo-clinician").await;
    let page_csv = t.page(&format!("/outages/{outage}/deviations.csv"), &cookies).await;
    assert_eq!(page_csv.status, 200);
    assert_eq!(page_csv.body.split("\r\n").filter(|l| !l.is_empty()).count(), 4);
    let actions = t.audit_actions("deviation.exported").await;
    assert_eq!(actions.len(), 3, "every export is audited: {actions:?}");
}

#[tokio::test]
async fn the_page_lists_reports_and_files_one_through_the_form() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let outage = t.lifecare_outage(&nurse).await;
    let path = format!("/outages/{outage}/deviations");
    let cookies = t.browser_login("demo-clinician").await;
    let page = t.page(&path, &cookies).await;
    assert_eq!(page.status, 200);
    for want in [
        "<h1>Avvikelserapporter: Lifecare SP</h1>",
        "Inga avvikelserapporter ännu.",
        "<legend>Rapporten gäller</legend>",
        "<label for=\"f-description\">Beskrivning av händelsen</label>",
        "Skriv aldrig personnummer",
        "name=\"csrf\"",
    ] {
        assert!(page.body.contains(want), "the page lacks {want:?}");
    }
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let local = |mins: i64| reserv_core::time::format_input(Timestamp::now() - SignedDuration::from_mins(mins));
    let at = local(45);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("subject", "incident"),
        ("occurred_at", at.as_str()),
        ("category", "information_transfer"),
        ("severity", "minor"),
        ("description", ""),
        ("consequence", "Hemtjänsten fick besked en dag för sent."),
        ("action_taken", ""),
        ("reported_elsewhere", "no"),
        ("external_reference", ""),
        ("supersedes", ""),
    ];
    // Without the CSRF token: refused before anything happens.
    let forged = t.post_form(&path, &cookies, &fields[1..]).await;
    assert_eq!(forged.status, 403);
    // Missing description: the form again, 422, the values kept, the field named.
    let r = t.post_form(&path, &cookies, &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Beskrivning av händelsen: fältet måste fyllas i."), "{}", r.body);
    assert!(r.body.contains("href=\"#f-description\""));
    assert!(r.body.contains(">Hemtjänsten fick besked en dag för sent.</textarea>"), "the values are kept");
    assert!(r.body.contains("value=\"information_transfer\" selected"));
    assert!(r.body.contains("value=\"incident\" checked"));
    // A category on the report on the outage itself is explained.
    fields[1] = ("subject", "outage");
    fields[5] = ("description", "Utskrivningsmeddelandet kunde inte skickas.");
    let r = t.post_form(&path, &cookies, &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Kategori: anges bara för tillbud och avvikelser"), "{}", r.body);
    assert!(t.list(&nurse, &outage).await["reports"].as_array().unwrap().is_empty(), "nothing stored");
    // Valid: stored, back to the list.
    fields[1] = ("subject", "incident");
    let r = t.post_form(&path, &cookies, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("location").unwrap().starts_with(&format!("{path}#d-")));
    let page = t.page(&path, &cookies).await;
    assert!(page.body.contains("Utskrivningsmeddelandet kunde inte skickas."));
    assert!(page.body.contains("Informationsöverföring"));
    assert!(page.body.contains("?correct="), "the own unit's report can be corrected");
    // The print view lists it without the form.
    let print = t.page(&format!("{path}/print"), &cookies).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("Utskrivningsmeddelandet kunde inte skickas."));
    assert!(!print.body.contains("<form"));
    // An unknown outage is not found.
    let none = t.page("/outages/0190aaaa-0000-7000-8000-000000000000/deviations", &cookies).await;
    assert_eq!(none.status, 404);
}
