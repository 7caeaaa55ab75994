//! Every CSV export opened as a Swedish Excel opens it: a real server with
//! the demo data, each export fetched over HTTP (API and page) and read by a
//! parser of the dialect (`;` between cells, RFC 4180 quotes, CRLF, UTF-8
//! with a byte-order mark). The headers and the labels are Swedish; the codes
//! follow in extra columns.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

mod support;
use support::*;

/// Reads a whole CSV file: the BOM must come first; cells are split on `;`
/// outside quotes, `""` inside quotes is one quote, records end in CRLF.
fn parse(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("no UTF-8 BOM first: {body:?}"));
    assert!(text.ends_with("\r\n"), "the last record ends in CRLF");
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ';') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends no record in this dialect: {body:?}"),
            (false, c) => cell.push(c),
        }
    }
    assert!(!quoted && cell.is_empty() && record.is_empty(), "the file ends inside a record");
    let width = records[0].len();
    for r in &records {
        assert_eq!(r.len(), width, "every record has the header's {width} cells: {r:?}");
    }
    records
}

fn column<'a>(records: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = records[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name:?}: {:?}", records[0]));
    records[1..].iter().map(|r| r[i].as_str()).collect()
}

/// The ended demo outage of Lifecare SP, with one line marked done.
async fn ended_outage_with_work(t: &TestApp) -> String {
    let ward = t.token("demo-clinician").await;
    let all = t.get("/api/v1/outages", Some(&ward)).await.json();
    let id = all
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["system"] == "lifecare-sp" && !o["restored_at"].is_null())
        .expect("the demo has an ended Lifecare SP outage")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = t.get(&format!("/api/v1/outages/{id}/worklist"), Some(&ward)).await.json();
    let key = list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["items"].as_array().unwrap())
        .find(|i| i["kind"] == "enter")
        .expect("an item to enter")["key"]
        .clone();
    let r = t
        .send_json(
            "POST",
            &format!("/api/v1/outages/{id}/worklist"),
            Some(&ward),
            &json!({"key": key, "action": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

#[tokio::test]
async fn the_statistics_csv_has_swedish_headers_and_labels_and_the_codes_after() {
    let t = spawn_app().await;
    let id = ended_outage_with_work(&t).await;
    let manager = t.token("demo-manager").await;
    let r = t.get(&format!("/api/v1/outages/{id}/statistics.csv"), Some(&manager)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let records = parse(&r.body);
    assert_eq!(
        records[0],
        [
            "Kommun",
            "Typ",
            "Meddelande eller rad",
            "Loggade samtal",
            "Registrera",
            "Följ upp",
            "Kräver granskning",
            "Registrera inte",
            "Klara",
            "Överhoppade",
            "Kvar",
            "Utskrivningsklar meddelad",
            "Dagar med betalningsansvar",
            "Kommunens id",
            "Kod",
        ]
    );
    let municipalities = column(&records, "Kommun");
    assert!(municipalities.contains(&"Timrå kommun"), "municipalities by name: {municipalities:?}");
    assert!(municipalities.iter().all(|m| !m.starts_with("kommun-")), "no ids as names: {municipalities:?}");
    let types = column(&records, "Typ");
    for want in ["Samtal med meddelande", "Rad", "Totalt"] {
        assert!(types.contains(&want), "{want} among {types:?}");
    }
    let labels = column(&records, "Meddelande eller rad");
    assert!(labels.contains(&"Inskrivningsmeddelande"), "Swedish labels: {labels:?}");
    assert!(labels.iter().all(|l| !l.contains('_')), "no codes as labels: {labels:?}");
    // The codes follow, for machines.
    assert!(column(&records, "Kommunens id").contains(&"kommun-timra"));
    let codes = column(&records, "Kod");
    assert!(codes.contains(&"total") && codes.iter().any(|c| c.starts_with("item:")), "{codes:?}");
    // Counts are numbers; a total row counts the line marked done.
    let done: usize = column(&records, "Klara")
        .iter()
        .zip(&codes)
        .filter(|(_, c)| **c == "total")
        .map(|(d, _)| d.parse::<usize>().unwrap())
        .sum();
    assert_eq!(done, 1);

    // The page's download is the same file, in the page's language.
    let cookies = t.browser_login("demo-manager").await;
    let page = t.page(&format!("/outages/{id}/statistics.csv"), &cookies).await;
    assert_eq!(page.status, 200);
    assert_eq!(parse(&page.body), records);
    // English on request: the headings and labels follow the language, the codes stay.
    let en = t
        .request(
            "GET",
            &format!("/api/v1/outages/{id}/statistics.csv"),
            &[("Authorization", &format!("Bearer {manager}")), ("Accept-Language", "en")],
            b"",
        )
        .await;
    let en = parse(&en.body);
    assert_eq!(en[0][0], "Municipality");
    assert_eq!(column(&en, "Code"), codes);
}

#[tokio::test]
async fn the_deviations_csv_has_swedish_headers_and_labels() {
    let t = spawn_app().await;
    let nurse = t.token("demo-clinician").await;
    let all = t.get("/api/v1/outages", Some(&nurse)).await.json();
    let outage = all
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["system"] == "lifecare-sp" && o["status"] == "ongoing")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let occurred = (Timestamp::now() - SignedDuration::from_mins(30)).to_string();
    let body = json!({
        "subject": "incident", "occurred_at": occurred, "category": "medication", "severity": "minor",
        "description": "Fel dos; \"dubbel\"\nupptäcktes sent", "consequence": "", "action_taken": "=SUMMA(A1)",
        "reported_elsewhere": false, "external_reference": ""
    });
    let r = t.send_json("POST", &format!("/api/v1/outages/{outage}/deviations"), Some(&nurse), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let cookies = t.browser_login("demo-clinician").await;
    for csv in [
        t.get(&format!("/api/v1/outages/{outage}/deviations.csv"), Some(&nurse)).await.body,
        t.page(&format!("/outages/{outage}/deviations.csv"), &cookies).await.body,
    ] {
        let records = parse(&csv);
        assert_eq!(records.len(), 2, "{csv}");
        assert_eq!(&records[0][..5], ["Id", "Status", "Ersatt av", "Rättar post", "Rapporten gäller"]);
        for name in ["Allvarlighetsgrad", "Beskrivning av händelsen", "Rapporterad av", "Avbrott"] {
            assert!(records[0].iter().any(|h| h == name), "{name} among {:?}", records[0]);
        }
        assert_eq!(column(&records, "Status"), ["Gällande"]);
        assert_eq!(column(&records, "Beskrivning av händelsen"), ["Fel dos; \"dubbel\"\nupptäcktes sent"]);
        assert!(column(&records, "Vidtagen åtgärd").iter().all(|a| a.starts_with('\'')), "formula guarded");
    }
}
