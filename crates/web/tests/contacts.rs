//! Contacts, phone lists and the printable routine page over HTTP: a real
//! server on port 0 over a fresh SQLite file per test, the demo data, the
//! shipped routines and contact files loaded, driven through the JSON API
//! and the HTML pages by a minimal HTTP/1.1 client.

use serde_json::Value;

mod support;
use support::*;

impl TestApp {}

/// Percent-encodes a query value (UTF-8 bytes; space as `+`).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The names of all entries of a search answer, in order.
fn names(v: &Value) -> Vec<String> {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["entries"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_api_searches_with_and_without_a_ring_a_umlaut_o_umlaut_and_by_number() {
    let t = spawn_app().await;
    assert_eq!(t.get("/api/v1/contacts?q=Ange", None).await.error().0, 401);
    let token = t.token("demo-clinician").await;
    for q in ["Ånge", "Ange", "ange kommun", "0690-25 01 00", "0690250100", "+46 690 25 01 00"] {
        let r = t.get(&format!("/api/v1/contacts?q={}", enc(q)), Some(&token)).await;
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        let v = r.json();
        assert_eq!(names(&v)[0], "Ånge kommun, växel", "{q}: {:?}", names(&v));
        let e = &v["groups"][0]["entries"][0];
        assert_eq!(v["groups"][0]["region"], "Region Västernorrland");
        assert_eq!(e["phones"][0]["number"], "0690-25 01 00");
        assert_eq!(e["phones"][0]["tel"], "tel:+46690250100");
        assert_eq!(e["phones"][0]["kind"], "switchboard");
        assert_eq!(e["org"], "kommun-ange");
        assert!(e["cite"].as_str().unwrap().starts_with("001"));
    }
    // Härnösand without its umlauts.
    let v = t.get("/api/v1/contacts?q=harnosand", Some(&token)).await.json();
    assert_eq!(names(&v)[0], "Härnösands kommun, växel");
    // IT support of seed 003, office hours and on-call, tagged with its region.
    let v = t.get("/api/v1/contacts?q=melior", Some(&token)).await.json();
    assert_eq!(v["groups"][0]["region"], "Region Gävleborg");
    let whens: Vec<&str> =
        v["groups"][0]["entries"].as_array().unwrap().iter().map(|e| e["when"].as_str().unwrap()).collect();
    assert!(whens.contains(&"office_hours") && whens.contains(&"on_call"), "{whens:?}");
    // Everything when the query is empty; nothing for nonsense.
    let all = t.get("/api/v1/contacts", Some(&token)).await.json();
    assert!(all["total"].as_u64().unwrap() >= 24, "{}", all["total"]);
    assert_eq!(t.get("/api/v1/contacts?q=atlantis", Some(&token)).await.json()["total"], 0);
}

#[tokio::test]
async fn the_api_gives_a_units_phone_list() {
    let t = spawn_app().await;
    assert_eq!(t.get("/api/v1/contacts/phone-list", None).await.error().0, 401);
    let token = t.token("demo-clinician").await;
    // Default: the caller's own unit (a ward).
    let v = t.get("/api/v1/contacts/phone-list", Some(&token)).await.json();
    assert_eq!(v["unit"], "rvn-sundsvall-avd-medicin-3");
    assert_eq!(v["region"], "Region Västernorrland");
    let kinds: Vec<&str> = v["sections"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["own_unit", "switchboards", "it_support", "municipalities", "primary_care"]);
    let munis = &v["sections"][3];
    let numbers: Vec<&str> =
        munis["rows"].as_array().unwrap().iter().map(|r| r["phones"][0]["number"].as_str().unwrap()).collect();
    assert_eq!(
        numbers,
        [
            "0611-34 80 00",
            "0612-800 00",
            "0620-68 20 00",
            "060-19 10 00",
            "060-16 31 00",
            "0690-25 01 00",
            "0660-880 00"
        ]
    );
    let notes = munis["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["id"] == "rvn-en-vag-in"));
    // Never another region's routine on a unit's phone list.
    assert!(
        notes.iter().all(|n| n["region"] == "Region Västernorrland" && n.get("other_region").is_none()),
        "{notes:?}"
    );
    // Another unit by id; errors in the API's format.
    let v = t.get("/api/v1/contacts/phone-list?unit=kommun-timra", Some(&token)).await.json();
    assert_eq!(v["unit_kind"], "municipality");
    assert_eq!(v["sections"][0]["rows"][0]["phones"][0]["number"], "060-16 31 00");
    for bad in ["atlantis", "N%C3%A5gon%20enhet"] {
        let r = t.get(&format!("/api/v1/contacts/phone-list?unit={bad}"), Some(&token)).await;
        assert_eq!(r.error(), (422, "unknown_value".into(), Some("org".into())), "{bad}");
    }
    let en = t
        .request(
            "GET",
            "/api/v1/contacts/phone-list?unit=atlantis",
            &[("Authorization", &format!("Bearer {token}")), ("Accept-Language", "en")],
            b"",
        )
        .await;
    assert!(en.json()["error"]["message"].as_str().unwrap().contains("unknown value"));
}

#[tokio::test]
async fn the_contacts_page_searches_and_links_numbers() {
    let t = spawn_app().await;
    let r = t.get("/contacts", None).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    let cookies = t.browser_login("demo-clinician").await;
    let home = t.page("/", &cookies).await;
    assert!(home.body.contains("<a href=\"/contacts\">Telefonlista</a>"), "the nav links the phone list");
    for q in ["Ånge", "Ange"] {
        let r = t.page(&format!("/contacts?q={}", enc(q)), &cookies).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Ånge kommun, växel"), "{q}");
        assert!(r.body.contains("<a href=\"tel:+46690250100\">0690-25 01 00</a>"), "{q}");
        assert!(!r.body.contains("Timrå kommun, växel"), "{q}: only what matches");
    }
    let r = t.page(&format!("/contacts?q={}", enc("0611 80000")), &cookies).await;
    assert!(r.body.contains("Region Västernorrland, växel") && r.body.contains("Organisationskatalogen"));
    let r = t.page("/contacts?q=atlantis", &cookies).await;
    assert!(r.body.contains("Inga träffar"));
    // The query is echoed escaped.
    let r = t.page(&format!("/contacts?q={}", enc("<script>")), &cookies).await;
    assert!(!r.body.contains("<script>") && r.body.contains("&#60;script&#62;"));
    // The print form offers every unit, the person's own chosen.
    let r = t.page("/contacts", &cookies).await;
    assert!(r.body.contains("<option value=\"rvn-sundsvall-avd-medicin-3\" selected>"));
}

#[tokio::test]
async fn the_printable_phone_list() {
    let t = spawn_app().await;
    let cookies = t.browser_login("demo-kommun").await;
    // Default: the person's own organisation (a municipality).
    let r = t.page("/contacts/print", &cookies).await;
    assert_eq!(r.status, 200);
    for want in
        ["Telefonlista vid driftstopp", "Timrå kommun", "060-16 31 00", "Region Västernorrland, växel", "Sjukhus"]
    {
        assert!(r.body.contains(want), "lacks {want}");
    }
    assert!(r.body.contains("class=\"print-page\""), "the print layout, no navigation");
    // A ward's list has the municipalities and the one way in; never another
    // region's routine (seed 000's weekend route is Västerbotten's).
    let r = t.page("/contacts/print?unit=rvn-sundsvall-avd-medicin-3", &cookies).await;
    for want in [
        "Medicinavdelning 3, Sundsvalls sjukhus",
        "Kommuner",
        "0611-34 80 00",
        "0620-68 20 00",
        "En väg in",
        "biståndshandläggare",
        "Nummer saknas i katalogen",
    ] {
        assert!(r.body.contains(want), "lacks {want}");
    }
    for unwanted in ["Västerbotten", "Enligt Region", "hemsjukvården", "[000", "[003"] {
        assert!(!r.body.contains(unwanted), "cites another region: {unwanted}");
    }
    let harnosand = r.body.find("Härnösands kommun").unwrap();
    let ornskoldsvik = r.body.find("Örnsköldsviks kommun").unwrap();
    assert!(harnosand < ornskoldsvik, "Swedish alphabetical order");
    let r = t.page("/contacts/print?unit=atlantis", &cookies).await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn the_printable_routine_page() {
    let t = spawn_app().await;
    let cookies = t.browser_login("demo-clinician").await;
    let systems = t.page("/systems", &cookies).await;
    assert!(systems.body.contains("href=\"/routines/elvis\""), "the systems page links each routine");
    let r = t.page("/routines/elvis", &cookies).await;
    assert_eq!(r.status, 200);
    for want in [
        "Rutin vid driftstopp: ELVIS",
        "Fastställd av",
        "Före planerat driftstopp",
        "Under driftstoppet",
        "Beroenden till andra system",
        "003",
    ] {
        assert!(r.body.contains(want), "lacks {want}");
    }
    let all_steps = r.body.matches("<li id=\"step-").count();
    let nurse = t.page("/routines/elvis?role=nurse", &cookies).await;
    assert!(nurse.body.contains("Steg för: Sjuksköterska"));
    assert!(nurse.body.matches("<li id=\"step-").count() < all_steps);
    // Seed 001 is not yet approved, and says so.
    let r = t.page("/routines/lifecare-sp", &cookies).await;
    assert!(r.body.contains("Ej beslutad") && r.body.contains("2025-10-02") && r.body.contains("1.0"));
    assert_eq!(t.page("/routines/elvis?role=astronaut", &cookies).await.status, 422);
    assert_eq!(t.page("/routines/cosmos", &cookies).await.status, 404);
    // Readable without a login (seed 003 sends private care providers a
    // link to the routine; they have no account), with a way back to /status.
    let anonymous = t.get("/routines/elvis", None).await;
    assert_eq!(anonymous.status, 200);
    assert!(anonymous.body.contains("Rutin vid driftstopp: ELVIS") && anonymous.body.contains("href=\"/status\""));
}

#[tokio::test]
async fn the_contacts_api_is_documented() {
    let t = spawn_app().await;
    let doc = t.get("/api/v1/openapi.json", None).await.json();
    assert_eq!(&doc, openapi(), "the generated document");
    for path in ["/api/v1/contacts", "/api/v1/contacts/phone-list"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is documented");
    }
    for schema in ["ContactEntry", "ContactPhone", "ContactSearch", "PhoneList", "PhoneListRow"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
