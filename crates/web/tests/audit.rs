//! The audit log as an auditor reads it (issue 19): bulk reads say which
//! patients they returned, refused reads leave a trace without telling the
//! reader whether the episode exists, and an auditor sees their own
//! organisation's part of the log unless they audit for the region.

use std::sync::Arc;

use reserv_store_sqlite::SqliteStore;
use serde_json::Value;

mod support;
use support::*;

const PATIENT: &str = "19380412-9819";
const OTHER_MUNICIPALITY_PATIENT: &str = "19450117-9834";

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

/// The id of the listed episode of a patient.
fn episode_of(list: &Value, patient: &str) -> String {
    rows(list).iter().find(|e| e["patient"]["value"] == patient).unwrap_or_else(|| panic!("{patient} not listed"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_list_read_says_which_patients_it_returned() {
    let t = spawn_app().await;
    let clinician = t.token("demo-clinician").await;
    let list = t.get("/api/v1/episodes", Some(&clinician)).await;
    assert_eq!(list.status, 200);
    let episode = episode_of(&list.json(), PATIENT);
    assert_eq!(t.get("/api/v1/gaps", Some(&clinician)).await.status, 200);

    let auditor = t.token("demo-auditor").await;
    // Who has read the patient (any spelling of the personnummer)?
    let reads = t.get("/api/v1/audit/patient-reads?patient=193804129819", Some(&auditor)).await;
    assert_eq!(reads.status, 200, "{}", reads.body);
    check_api_response("GET", "/api/v1/audit/patient-reads", reads.status, reads.header("content-type"), &reads.body);
    let reads = reads.json();
    let list_read = rows(&reads)
        .iter()
        .find(|r| r["audit"]["actor"] == "demo-clinician" && r["audit"]["action"] == "episode.list")
        .unwrap_or_else(|| panic!("the list read is not among the reads of {PATIENT}: {reads}"));
    assert_eq!(list_read["episode"], episode.as_str());
    assert_eq!(list_read["patient"], PATIENT);
    assert!(!list_read["audit"]["origin"].as_str().unwrap().is_empty(), "from where");
    assert!(
        rows(&reads).iter().any(|r| r["audit"]["actor"] == "demo-clinician" && r["audit"]["action"] == "gaps.read"),
        "the gaps view is named as the view: {reads}"
    );
    // The same by episode; the auditor's own search named the patient, so it is a read too.
    let by_episode = t.get(&format!("/api/v1/audit/patient-reads?episode={episode}"), Some(&auditor)).await.json();
    assert!(rows(&by_episode).iter().any(|r| r["audit"]["actor"] == "demo-clinician"));
    assert!(
        rows(&by_episode)
            .iter()
            .any(|r| r["audit"]["actor"] == "demo-auditor" && r["audit"]["action"] == "audit.patient_reads")
    );
    // What has the clinician read? Every episode of the list, paged.
    let listed = rows(&list.json()).len();
    let mine = t.get("/api/v1/audit/patient-reads?actor=demo-clinician&limit=1000", Some(&auditor)).await.json();
    let first_list = rows(&mine).iter().filter(|r| r["audit"]["action"] == "episode.list").count();
    assert_eq!(first_list, listed, "one row per listed episode");
    let page = t.get("/api/v1/audit/patient-reads?actor=demo-clinician&limit=2", Some(&auditor)).await.json();
    let last = &rows(&page)[1];
    let cursor = format!("{}:{}", last["audit"]["id"].as_str().unwrap(), last["episode"].as_str().unwrap());
    let next = t
        .get(&format!("/api/v1/audit/patient-reads?actor=demo-clinician&limit=1000&before={cursor}"), Some(&auditor))
        .await;
    assert_eq!(rows(&next.json()).len(), rows(&mine).len() - 2, "paging loses and repeats nothing");

    // As CSV: the one dialect, Swedish headings.
    let csv = t.get("/api/v1/audit/patient-reads.csv?patient=19380412-9819", Some(&auditor)).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.starts_with("\u{feff}Tid;Användare;Organisation;Vy;Varifrån;Vårdtillfälle;Patient\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(";episode.list;") && csv.body.contains(&episode));
    // And as a page, for an auditor's browser.
    let cookies = t.browser_login("demo-auditor").await;
    let page = t.page("/audit/patients?patient=19380412-9819", &cookies).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("demo-clinician") && page.body.contains(&episode));

    // Bad input: a malformed id, not a personnummer; and only for auditors.
    let bad = t.get("/api/v1/audit/patient-reads?episode=nope", Some(&auditor)).await;
    assert_eq!(bad.error(), (400, "invalid_id".to_owned(), Some("episode".to_owned())));
    let bad = t.get("/api/v1/audit/patient-reads?patient=a%20b%3B", Some(&auditor)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(t.get("/api/v1/audit/patient-reads", Some(&clinician)).await.status, 403);
}

#[tokio::test]
async fn a_refused_read_is_audited_and_answered_as_a_missing_episode() {
    let t = spawn_app().await;
    let clinician = t.token("demo-clinician").await;
    let episode = episode_of(&t.get("/api/v1/episodes", Some(&clinician)).await.json(), PATIENT);
    let missing = "01900000-0000-7000-8000-000000000000";

    // The psychiatric ward is no party to the medical ward's episode.
    let outsider = t.token("demo-psyk").await;
    let refused = t.get(&format!("/api/v1/episodes/{episode}"), Some(&outsider)).await;
    let absent = t.get(&format!("/api/v1/episodes/{missing}"), Some(&outsider)).await;
    assert_eq!((refused.status, absent.status), (404, 404));
    assert_eq!(refused.body, absent.body, "the answer does not tell whether the episode exists");
    // The page too.
    let cookies = t.browser_login("demo-psyk").await;
    assert_eq!(t.page(&format!("/episodes/{episode}"), &cookies).await.status, 404);
    // And a call logged on it: the write is refused alike, and audited.
    let call = serde_json::json!({"counterpart_name": "Demo Person", "counterpart_role": "handläggare",
        "counterpart_org": "kommun-timra", "direction": "given", "messages": ["other"], "comment": "Telefon"});
    let write = t.send_json("POST", &format!("/api/v1/episodes/{episode}/entries"), Some(&outsider), &call).await;
    assert_eq!(write.status, 404, "{}", write.body);

    let auditor = t.token("demo-auditor").await;
    let log = t.get("/api/v1/audit?action=episode.read_refused&limit=1000", Some(&auditor)).await.json();
    let targets: Vec<&str> =
        rows(&log).iter().filter(|r| r["actor"] == "demo-psyk").map(|r| r["target"].as_str().unwrap()).collect();
    let (refused_target, missing_target) = (format!("episode:{episode}"), format!("episode:{missing}"));
    assert_eq!(targets.iter().filter(|t| **t == refused_target).count(), 3, "API, page, write: {targets:?}");
    assert!(targets.contains(&missing_target.as_str()), "{targets:?}");
    // The refused read returned no patient.
    let reads = t.get(&format!("/api/v1/audit/patient-reads?episode={episode}"), Some(&auditor)).await.json();
    assert!(rows(&reads).iter().all(|r| r["audit"]["actor"] != "demo-psyk"));
}

#[tokio::test]
async fn a_municipal_auditor_sees_their_own_part_of_the_log_a_region_auditor_all_of_it() {
    let t = spawn_app().await;
    let clinician = t.token("demo-clinician").await;
    assert_eq!(t.get("/api/v1/episodes", Some(&clinician)).await.status, 200);
    let kommun = t.token("demo-kommun").await;
    assert_eq!(t.get("/api/v1/episodes", Some(&kommun)).await.status, 200);
    let _ = t.token("demo-it").await;

    let region = t.token("demo-auditor").await;
    let municipal = t.token("demo-auditor-kommun").await;
    let log = |token: String| {
        let t = &t;
        async move { t.get("/api/v1/audit?limit=1000", Some(&token)).await.json() }
    };
    let (all, own) = (log(region.clone()).await, log(municipal.clone()).await);
    let actors =
        |v: &Value| -> Vec<String> { rows(v).iter().map(|r| r["actor"].as_str().unwrap().to_owned()).collect() };
    assert!(actors(&all).contains(&"demo-it".to_owned()), "the region auditor sees the region's IT");
    assert!(!actors(&own).contains(&"demo-it".to_owned()), "the municipal auditor does not: {:?}", actors(&own));
    assert!(actors(&own).contains(&"demo-kommun".to_owned()), "their own organisation's staff");
    assert!(rows(&own).len() < rows(&all).len());
    // The ward's list read of a Timrå resident is about the municipality's
    // chain of care; of that read only the Timrå residents show.
    let reads = |token: String, patient: &'static str| {
        let t = &t;
        async move {
            let v = t.get(&format!("/api/v1/audit/patient-reads?patient={patient}"), Some(&token)).await.json();
            rows(&v).iter().filter(|r| r["audit"]["actor"] == "demo-clinician").count()
        }
    };
    assert!(reads(municipal.clone(), PATIENT).await > 0, "a read of its resident");
    assert_eq!(reads(municipal.clone(), OTHER_MUNICIPALITY_PATIENT).await, 0, "not another municipality's resident");
    assert!(reads(region.clone(), OTHER_MUNICIPALITY_PATIENT).await > 0, "the region auditor sees every read");
    let by_ward = rows(&own).iter().filter(|r| r["actor"] == "demo-clinician").count();
    assert!(by_ward > 0, "the ward's reads of the municipality's residents are in its log");
}

#[tokio::test]
async fn the_worklist_read_names_its_patients_and_another_partys_line_is_audited_when_refused() {
    let t = spawn_app().await;
    let ward = t.token("demo-clinician").await;
    let kommun = t.token("demo-kommun").await;
    let all = t.get("/api/v1/outages", Some(&ward)).await.json();
    let id = rows(&all)
        .iter()
        .find(|o| o["system"] == "lifecare-sp" && !o["restored_at"].is_null())
        .expect("the demo has an ended Lifecare SP outage")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/outages/{id}/worklist");
    let list = t.get(&path, Some(&ward)).await.json();
    let lines = list["lines"].as_array().unwrap();
    let patients: std::collections::BTreeSet<&str> =
        lines.iter().map(|l| l["patient"]["value"].as_str().unwrap()).collect();
    assert!(!patients.is_empty());
    let key = lines.iter().flat_map(|l| l["items"].as_array().unwrap()).next().unwrap()["key"].clone();
    let r = t.send_json("POST", &path, Some(&kommun), &serde_json::json!({"key": key, "action": "done"})).await;
    assert_eq!(r.status, 404, "another party's line does not exist for the municipality");

    let auditor = t.token("demo-auditor").await;
    let reads = t.get("/api/v1/audit/patient-reads?actor=demo-clinician&limit=1000", Some(&auditor)).await.json();
    let read: std::collections::BTreeSet<&str> = rows(&reads)
        .iter()
        .filter(|r| r["audit"]["action"] == "worklist.read")
        .map(|r| r["patient"].as_str().unwrap())
        .collect();
    assert_eq!(read, patients, "the worklist read names every patient of its lines");
    let log = t.get("/api/v1/audit?action=worklist.line_refused", Some(&auditor)).await.json();
    assert!(
        rows(&log).iter().any(|r| r["actor"] == "demo-kommun" && r["target"] == format!("outage:{id}").as_str()),
        "{log}"
    );
}

/// The audit page says what the server's last check of the hash chain found:
/// nothing before the first check, "unbroken" with its time, or an alert
/// listing the problems (the checker in `reserv serve` records them).
#[tokio::test]
async fn the_audit_page_shows_the_last_chain_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let app = Arc::new(app_over(Arc::new(store)));
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let t = spawn_shared(app.clone(), dir).await;
    let cookies = t.browser_login("demo-auditor").await;
    let page = t.page("/audit", &cookies).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Granskningsloggens kedja") && !page.body.contains("Granskningsloggen är bruten"));

    app.note_audit_chain_problems(Vec::new());
    let page = t.page("/audit", &cookies).await;
    assert!(page.body.contains("Granskningsloggens kedja var obruten"), "{}", page.body);

    app.note_audit_chain_problems(vec!["post 7 på nod n1 saknas".into()]);
    let page = t.page("/audit", &cookies).await;
    assert!(page.body.contains("Granskningsloggen är bruten"), "{}", page.body);
    assert!(page.body.contains("role=\"alert\"") && page.body.contains("post 7 på nod n1 saknas"));
}
