//! "Vad gör jag nu?" over HTTP: a real server on port 0 over a fresh SQLite
//! file per test, the demo data and the shipped routines loaded, driven
//! through the JSON API and the HTML forms by a minimal HTTP/1.1 client.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

mod support;
use support::*;
const WARD: &str = "rvn-sundsvall-avd-medicin-3";

impl TestApp {
    async fn post_form(&self, path: &str, cookies: &str, form: &str) -> Resp {
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookies)],
            form.as_bytes(),
        )
        .await
    }

    /// IT declares an unplanned ELVIS outage that began 20 minutes ago.
    async fn elvis_down(&self) -> String {
        let it = self.token("demo-it").await;
        let now = Timestamp::now();
        let body = json!({"system": "elvis", "kind": "unplanned", "scope": "both",
            "start": (now - SignedDuration::from_mins(20)).to_string(),
            "expected_end": (now + SignedDuration::from_hours(3)).to_string(), "notice": "ELVIS går inte att nå."});
        let r = self.send_json("POST", "/api/v1/outages", Some(&it), &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["id"].as_str().unwrap().to_owned()
    }
}

fn csrf_of(page: &Resp) -> String {
    page.body.split("name=\"csrf\" value=\"").nth(1).expect("a csrf field").split('"').next().unwrap().to_owned()
}

fn step_ids(v: &Value, phase: &str) -> Vec<String> {
    v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["phase"] == phase)
        .flat_map(|s| s["steps"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_checklist_api_lists_ticks_and_refuses_with_stable_codes() {
    let t = spawn_app().await;
    let id = t.elvis_down().await;
    let nurse = t.token("demo-clinician").await;
    let path = format!("/api/v1/outages/{id}/checklist");

    assert_eq!(t.get(&path, None).await.error(), (401, "unauthenticated".into(), None));
    let v = t.get(&path, Some(&nurse)).await.json();
    assert_eq!((v["role_source"].as_str(), v["status"].as_str()), (Some("account"), Some("ongoing")));
    assert_eq!(v["roles"], json!(["nurse", "inpatient_care"]));
    assert_eq!(
        (v["sections"][0]["phase"].as_str(), v["sections"][0]["timing"].as_str()),
        (Some("during"), Some("now"))
    );
    assert_eq!(v["sections"][1]["timing"], "waiting");
    assert!(step_ids(&v, "during").contains(&"elvis-during-no-booking".to_owned()));
    assert!(step_ids(&v, "after_restore").contains(&"elvis-after-bookings".to_owned()));

    let r = t.send_json("POST", &path, Some(&nurse), &json!({"step": "elvis-during-no-booking", "ticked": true})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!((s["mine"]["ticked"].as_bool(), s["mine"]["by"].as_str()), (Some(true), Some("Demo Sjuksköterska")));

    let waiting = json!({"step": "elvis-after-bookings", "ticked": true});
    assert_eq!(
        t.send_json("POST", &path, Some(&nurse), &waiting).await.error(),
        (422, "checklist_step_not_yet".into(), None)
    );
    let other = json!({"step": "elvis-during-ed-manual-contacts", "ticked": true});
    assert_eq!(
        t.send_json("POST", &path, Some(&nurse), &other).await.error(),
        (422, "unknown_value".into(), Some("step".into()))
    );
    let chosen =
        json!({"step": "elvis-during-ed-manual-contacts", "ticked": true, "role": "emergency_department_staff"});
    assert_eq!(t.send_json("POST", &path, Some(&nurse), &chosen).await.status, 200);
    let extra = json!({"step": "elvis-during-no-booking", "ticked": false, "colour": "red"});
    assert_eq!(t.send_json("POST", &path, Some(&nurse), &extra).await.error().1, "unknown_field");
    assert_eq!(
        t.get(&format!("{path}?role=doctor"), Some(&nurse)).await.error(),
        (422, "unknown_value".into(), Some("role".into()))
    );
    let ed = t.get(&format!("{path}?role=emergency_department_staff"), Some(&nurse)).await.json();
    assert_eq!(ed["role_source"], "chosen");
    assert_eq!(t.get("/api/v1/outages/not-a-uuid/checklist", Some(&nurse)).await.status, 404);

    // The unit's progress: for its manager, not for the nurse.
    let unit = format!("{path}/unit");
    assert_eq!(t.get(&unit, Some(&nurse)).await.error().1, "forbidden");
    let manager = t.token("demo-manager").await;
    let u = t.get(&unit, Some(&manager)).await.json();
    assert_eq!((u["org"].as_str(), u["people"].as_u64()), (Some(WARD), Some(2)));
    let booking = u["sections"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "elvis-during-no-booking")
        .cloned()
        .unwrap();
    assert_eq!(
        (booking["expected"].as_u64(), booking["ticked_by"][0]["name"].as_str()),
        (Some(2), Some("Demo Sjuksköterska"))
    );
    assert_eq!(t.get(&format!("{unit}?unit=kommun-timra"), Some(&manager)).await.error().1, "forbidden");
    let it = t.token("demo-it").await;
    assert_eq!(t.get(&format!("{unit}?unit={WARD}"), Some(&it)).await.status, 200);
}

#[tokio::test]
async fn accounts_carry_routine_roles_and_unknown_ones_are_refused() {
    let t = spawn_app().await;
    let admin = t.token("demo-admin").await;
    let me = t.get("/api/v1/me", Some(&t.token("demo-hc").await)).await.json();
    assert_eq!(me["routine_roles"], json!(["primary_care", "nurse"]));
    let mut body = json!({"username": "ssk.sara", "org": WARD, "role": "clinician", "password": "ett-langt-losenord",
                          "routine_roles": ["nurse", "doktor"]});
    assert_eq!(
        t.send_json("POST", "/api/v1/users", Some(&admin), &body).await.error(),
        (422, "unknown_value".into(), Some("routine_roles".into()))
    );
    body["routine_roles"] = json!(["nurse", "inpatient_care"]);
    let r = t.send_json("POST", "/api/v1/users", Some(&admin), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["routine_roles"], json!(["nurse", "inpatient_care"]));

    // The users page: checkboxes, repeated in the form body.
    let cookies = t.browser_login("demo-admin").await;
    let page = t.page("/users", &cookies).await;
    assert!(page.body.contains("name=\"routine_roles\" value=\"nurse\""), "a checkbox per role");
    assert!(page.body.contains("Sjuksköterska, Slutenvård"), "the listed accounts show their roles");
    let csrf = csrf_of(&page);
    let form = |roles: &str| {
        format!(
            "csrf={csrf}&username=ssk.stina&display_name=&org={WARD}&role=clinician&password=ett-langt-losenord{roles}"
        )
    };
    let bad = t.post_form("/users", &cookies, &form("&routine_roles=nurse&routine_roles=doktor")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Roller i rutinerna: okänt värde ”doktor”"), "{}", bad.body);
    assert!(bad.body.contains("value=\"nurse\" checked"), "the choices are kept");
    let ok = t.post_form("/users", &cookies, &form("&routine_roles=physician&routine_roles=inpatient_care")).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let list = t.get("/api/v1/users", Some(&admin)).await.json();
    let stina = list.as_array().unwrap().iter().find(|u| u["username"] == "ssk.stina").unwrap();
    assert_eq!(stina["routine_roles"], json!(["physician", "inpatient_care"]));
}

#[tokio::test]
async fn the_checklist_page_ticks_without_script_and_prints() {
    let t = spawn_app().await;
    let id = t.elvis_down().await;
    let cookies = t.browser_login("demo-clinician").await;
    let path = format!("/outages/{id}/checklist");

    // Linked prominently from the outage page and from the home page's card.
    let outage = t.page(&format!("/outages/{id}"), &cookies).await;
    assert!(outage.body.contains(&format!("href=\"{path}\"")) && outage.body.contains("Vad gör jag nu?"));
    assert!(t.page("/", &cookies).await.body.contains(&format!("href=\"{path}\"")));

    let page = t.page(&path, &cookies).await;
    assert_eq!(page.status, 200);
    for want in [
        "Vad gör jag nu?",
        "Under avbrottet",
        "Efter återstart",
        "väntar",
        "Vänta med bokningar i ELVIS tidböcker",
        "Skriv ut telefonlista",
        &format!("href=\"/contacts/print?unit={WARD}\""),
        "Sjuksköterska, Slutenvård",
        "☐",
    ] {
        assert!(page.body.contains(want), "{want} missing");
    }
    assert!(!page.body.contains("Sköt alla akutvårdskontakter manuellt"), "not a ward nurse's step");
    assert!(!page.body.contains("<script"), "no script");
    let csrf = csrf_of(&page);

    // A tick is a form post answered with a redirect to the step.
    let no_csrf = t.post_form(&path, &cookies, "step=elvis-during-no-booking&ticked=true").await;
    assert_eq!(no_csrf.status, 403);
    let r = t.post_form(&path, &cookies, &format!("csrf={csrf}&step=elvis-during-no-booking&ticked=true")).await;
    assert_eq!((r.status, r.header("location")), (303, Some(format!("{path}#step-elvis-during-no-booking").as_str())));
    let page = t.page(&path, &cookies).await;
    assert!(page.body.contains("Gjort av Demo Sjuksköterska"), "who and when");
    assert!(page.body.contains("☑"));
    assert!(page.body.contains("1 av "), "the count");

    // A waiting step is refused on the page with a Swedish message.
    let r = t.post_form(&path, &cookies, &format!("csrf={csrf}&step=elvis-after-bookings&ticked=true")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Steget väntar"), "{}", r.body);

    // Untick; the role selector keeps its role through a tick.
    let r = t.post_form(&path, &cookies, &format!("csrf={csrf}&step=elvis-during-no-booking&ticked=false")).await;
    assert_eq!(r.status, 303);
    assert!(t.page(&path, &cookies).await.body.contains("Inte avbockat (avbockningen ångrad av Demo Sjuksköterska"));
    let ed = format!("csrf={csrf}&step=elvis-during-ed-manual-contacts&ticked=true&role=emergency_department_staff");
    let r = t.post_form(&path, &cookies, &ed).await;
    assert_eq!(
        r.header("location"),
        Some(format!("{path}?role=emergency_department_staff#step-elvis-during-ed-manual-contacts").as_str())
    );
    let bad_role = t.page(&format!("{path}?role=doctor"), &cookies).await;
    assert_eq!(bad_role.status, 422);
    assert!(bad_role.body.contains("Roll: okänt värde ”doctor”"));

    // The unit page: the manager sees it, the nurse does not.
    assert_eq!(t.page(&format!("{path}/unit"), &cookies).await.status, 403);
    let manager = t.browser_login("demo-manager").await;
    let unit = t.page(&format!("{path}/unit"), &manager).await;
    assert_eq!(unit.status, 200);
    assert!(unit.body.contains("Enhetens checklista") && unit.body.contains("Demo Sjuksköterska"), "{}", unit.body);
    assert!(t.page(&path, &manager).await.body.contains(&format!("href=\"{path}/unit\"")));
}
