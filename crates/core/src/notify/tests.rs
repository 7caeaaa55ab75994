//! Tests of notification policies, recipients files and the planner.

use super::*;
use crate::error::Field;
use crate::outage::{Actor, Declaration, OutageEvent, Scope, amend, declare, end};
use crate::time::parse_user_time;

const P003: &str = include_str!("../../../../data/notifications/003-gavleborg.toml");
const P004: &str = include_str!("../../../../data/notifications/004-solvesborg.toml");
const RECIPIENTS: &str = include_str!("../../../../data/notifications/recipients.example.toml");
const SYSTEMS: &str = include_str!("../../../../data/systems.toml");
const LINK: &str = "https://reserv.example.org/outages/1";

fn t(s: &str) -> Timestamp {
    parse_user_time(Field::Start, s).unwrap()
}

fn catalogue() -> Catalogue {
    Catalogue::parse(SYSTEMS).unwrap()
}

fn policy(file: &str, text: &str) -> Policy {
    load(file, text, &catalogue())
        .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")))
}

fn p003() -> Policy {
    policy("003-gavleborg.toml", P003)
}

fn p004() -> Policy {
    policy("004-solvesborg.toml", P004)
}

fn sys(id: &str) -> SystemId {
    SystemId::parse(id).unwrap()
}

fn facts(system: &str, kind: OutageKind, declared: &str, start: &str, end: Option<&str>) -> OutageFacts {
    let name = match system {
        "melior" => "Melior",
        "municipal-record" => "Kommunal journal (HSL)",
        other => other,
    };
    OutageFacts::declared(sys(system), name, t(declared), kind, t(start), end.map(t)).with_routine_link(LINK)
}

fn unplanned(declared: &str, start: &str, end: Option<&str>) -> OutageFacts {
    facts("melior", OutageKind::Unplanned, declared, start, end)
}

fn planned(declared: &str, start: &str, end: &str) -> OutageFacts {
    facts("melior", OutageKind::Planned, declared, start, Some(end))
}

/// The plan as lines `due (Stockholm) key channel sender`, and after an
/// escalation ` unless <key>`: what the tests compare.
fn lines(msgs: &[PlannedMessage]) -> Vec<String> {
    msgs.iter()
        .map(|m| {
            let unless = m.unless_acknowledged.as_deref().map(|k| format!(" unless {k}")).unwrap_or_default();
            format!("{} {} {} {}{unless}", format_local(m.due_at), m.key, m.channel, m.sender)
        })
        .collect()
}

fn check(policy: &Policy, facts: &OutageFacts, expect: &[&str]) {
    let got = lines(&plan(policy, facts));
    assert_eq!(got, expect, "\ngot:\n{}\n", got.join("\n"));
}

fn find<'a>(msgs: &'a [PlannedMessage], key: &str) -> &'a PlannedMessage {
    msgs.iter().find(|m| m.key == key).unwrap_or_else(|| panic!("no {key} in {:#?}", lines(msgs)))
}

// --- Seed 003 §4.2: unplanned outages -------------------------------

// 003 §4.2: "Information kommuniceras via Plexus vid samtliga
// driftstörningar eller driftstopp."
#[test]
fn every_unplanned_outage_is_published_on_plexus() {
    let short = unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T10:20"));
    check(&p003(), &short, &["2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it"]);
}

// 003 §4.2: "Om driftstoppet beräknas överstiga 30 minuter går
// information ut enligt följande." Over, not at: 30 minutes is not enough;
// an outage with no expected end counts as long.
#[test]
fn the_thirty_minute_rule() {
    let sms = |end: Option<&str>| {
        plan(&p003(), &unplanned("2026-11-23T10:00", "2026-11-23T10:00", end))
            .iter()
            .filter(|m| m.channel == Channel::Sms)
            .count()
    };
    assert_eq!(sms(Some("2026-11-23T10:30")), 0);
    assert_eq!(sms(Some("2026-11-23T10:31")), 3);
    assert_eq!(sms(None), 3);
    // Counted from the start, not from the declaration.
    assert_eq!(sms(Some("2026-11-23T10:40")), 3);
    let declared_late = unplanned("2026-11-23T10:20", "2026-11-23T09:50", Some("2026-11-23T10:25"));
    assert_eq!(plan(&p003(), &declared_late).iter().filter(|m| m.channel == Channel::Sms).count(), 3);
}

// 003 §4.2: "Dagtid 07.30-16.30: IT kontaktar HSD, bitr. HSD och VC via
// SMS (”Stopp i NN System”)." — and in office hours nobody is phoned.
#[test]
fn office_hours_sms_to_directors_and_heads() {
    let o = unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T12:00"));
    check(
        &p003(),
        &o,
        &[
            "2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it",
            "2026-11-23 10:05 unplanned-sms-directors:health-care-director:0 sms it",
            "2026-11-23 10:05 unplanned-sms-directors:deputy-health-care-director:0 sms it",
            "2026-11-23 10:05 unplanned-sms-directors:heads-of-department:0 sms it",
            "2026-11-23 10:05 unplanned-samverkanswebben:private-providers:0 status_page_public it",
        ],
    );
    let msgs = plan(&p003(), &o);
    let sms = find(&msgs, "unplanned-sms-directors:heads-of-department:0");
    assert_eq!(sms.subject, "Stopp i Melior");
    assert!(sms.body.starts_with("Stopp i Melior. Beräknat slut: 2026-11-23 12:00."), "{}", sms.body);
    assert!(sms.cite.starts_with("003 §4.2"));
}

// 003 §4.2: "Information om driftstopp läggs upp på Plexus under
// Driftinformation samt länk till driftstoppsrutin bifogas för
// regionens verksamheter."
#[test]
fn plexus_notice_carries_the_routine_link() {
    let o = unplanned("2026-11-23T10:05", "2026-11-23T10:00", None).with_notice("Melior går inte att nå.");
    let msgs = plan(&p003(), &o);
    let plexus = find(&msgs, "unplanned-plexus:region-units:0");
    assert_eq!(plexus.subject, "Driftstopp i Melior");
    assert_eq!(
        plexus.body,
        "Driftstopp i Melior sedan 2026-11-23 10:00. Beräknat slut: okänt.\nMelior går inte att nå.\n\
             Arbeta enligt driftstoppsrutinen: https://reserv.example.org/outages/1"
    );
    // Without a notice the notice line is left out, not left blank.
    let bare = plan(&p003(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
    assert!(!find(&bare, "unplanned-plexus:region-units:0").body.contains("\n\n"));
}

// 003 §4.2: "Information om driftstopp läggs upp på Samverkanswebben i
// form av nyhet samt länk till driftstoppsrutin bifogas för de privata
// vårdgivarna."
#[test]
fn private_providers_get_the_news_on_samverkanswebben() {
    let msgs = plan(&p003(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
    let news = find(&msgs, "unplanned-samverkanswebben:private-providers:0");
    assert_eq!(news.channel, Channel::StatusPagePublic);
    assert!(news.body.contains(LINK));
}

// 003 §4.2: "Jourtid, övrig tid: Enligt ovan samt IT-förvaltningen
// kontaktar akutmottagningar och familjeläkarjourer via telefon och ger
// information att driftstopp föreligger."
#[test]
fn on_call_time_adds_phone_tasks_for_it() {
    let at = |declared: &str| {
        let o = unplanned(declared, declared, None);
        plan(&p003(), &o).into_iter().filter(|m| m.channel == Channel::PhoneTask).map(|m| m.key).collect::<Vec<_>>()
    };
    let phoned =
        vec!["unplanned-phone-emergency:emergency-departments:0", "unplanned-phone-emergency:primary-care-on-call:0"];
    // Monday 2026-11-23 at the edges of office hours.
    assert_eq!(at("2026-11-23T07:29"), phoned);
    assert!(at("2026-11-23T07:30").is_empty());
    assert!(at("2026-11-23T16:29").is_empty());
    assert_eq!(at("2026-11-23T16:30"), phoned);
    assert_eq!(at("2026-11-23T16:31"), phoned);
    // A Saturday, Midsummer Eve (a Friday) and Christmas Eve (a Thursday).
    assert_eq!(at("2026-11-21T10:00"), phoned);
    assert_eq!(at("2026-06-19T10:00"), phoned);
    assert_eq!(at("2026-12-24T10:00"), phoned);
    // "Enligt ovan": the SMS and the publications go out on-call too.
    let msgs = plan(&p003(), &unplanned("2026-11-21T10:00", "2026-11-21T09:50", None));
    assert_eq!(msgs.iter().filter(|m| m.channel == Channel::Sms).count(), 3);
    let task = find(&msgs, "unplanned-phone-emergency:emergency-departments:0");
    assert_eq!(task.sender, SenderRole::It);
    assert_eq!(task.subject, "Ring akutmottagningar: driftstopp i Melior");
    assert!(task.body.starts_with("Ring akutmottagningar och informera om att driftstopp föreligger i Melior"));
}

// 003 §4.2 "beräknas överstiga 30 minuter": an estimate that grows past
// 30 minutes triggers the messages at that moment, judged as office
// hours or on-call time then; they stay even if the estimate shrinks.
#[test]
fn an_estimate_growing_past_thirty_minutes_triggers_at_the_amendment() {
    let o = unplanned("2026-11-23T16:10", "2026-11-23T16:00", Some("2026-11-23T16:25"));
    check(&p003(), &o, &["2026-11-23 16:10 unplanned-plexus:region-units:0 status_page_internal it"]);
    let longer = Amendment { expected_end: Some(t("2026-11-23T19:00")), ..Default::default() };
    let o = o.amended(t("2026-11-23T17:10"), &longer);
    let expect = [
        "2026-11-23 16:10 unplanned-plexus:region-units:0 status_page_internal it",
        "2026-11-23 17:10 unplanned-sms-directors:health-care-director:0 sms it",
        "2026-11-23 17:10 unplanned-sms-directors:deputy-health-care-director:0 sms it",
        "2026-11-23 17:10 unplanned-sms-directors:heads-of-department:0 sms it",
        "2026-11-23 17:10 unplanned-samverkanswebben:private-providers:0 status_page_public it",
        "2026-11-23 17:10 unplanned-phone-emergency:emergency-departments:0 phone_task it",
        "2026-11-23 17:10 unplanned-phone-emergency:primary-care-on-call:0 phone_task it",
    ];
    check(&p003(), &o, &expect);
    let shorter = Amendment { expected_end: Some(t("2026-11-23T17:20")), ..Default::default() };
    check(&p003(), &o.amended(t("2026-11-23T17:15"), &shorter), &expect);
}

// --- Seed 003 §4.3: planned outages ---------------------------------

// 003 §4.3: "Informationsmaterial mailas ut till HSD, bitr. HSD och VC
// tre veckor innan planerat stopp." "Påminnelse och informationsmaterial
// mailas ut till VC en vecka respektive en dag innan planerat
// driftstopp." "Information om driftstopp mailas till Hälsovalskontoret
// som förmedlar vidare till de privata vårdgivarna." "Information om
// driftstopp läggs upp på Plexus … [och] på Samverkanswebben …"
#[test]
fn planned_outage_three_weeks_one_week_one_day() {
    // Tuesday 14:00: every nominal time is a Tuesday or Monday in office hours.
    let o = planned("2026-10-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
    check(
        &p003(),
        &o,
        &[
            "2026-10-01 10:00 planned-plexus:region-units:0 status_page_internal it",
            "2026-10-01 10:00 planned-samverkanswebben:private-providers:0 status_page_public it",
            "2026-11-03 14:00 planned-info-three-weeks:health-care-director:0 email it",
            "2026-11-03 14:00 planned-info-three-weeks:deputy-health-care-director:0 email it",
            "2026-11-03 14:00 planned-info-three-weeks:heads-of-department:0 email it",
            "2026-11-03 14:00 planned-private-provider-office:private-provider-office:0 email it",
            "2026-11-17 14:00 planned-reminder-one-week:heads-of-department:0 email it",
            "2026-11-23 14:00 planned-reminder-one-day:heads-of-department:0 email it",
        ],
    );
    let msgs = plan(&p003(), &o);
    let info = find(&msgs, "planned-info-three-weeks:heads-of-department:0");
    assert_eq!(info.subject, "Planerat driftstopp i Melior 2026-11-24 14:00");
    assert!(info.body.contains("Start: 2026-11-24 14:00. Beräknat slut: 2026-11-24 16:00."));
    assert!(
        info.body
            .ends_with("Det är varje VC:s uppdrag att skicka ut information i linje till medarbetarna i verksamheten.")
    );
    assert!(find(&msgs, "planned-reminder-one-day:heads-of-department:0").body.contains("i morgon"));
}

// 003 §4.3 "en dag innan planerat driftstopp", for a stop on a weekend
// or early in the morning: mail goes out in office hours, brought
// forward to 07:30 on the last working day, never later.
#[test]
fn reminders_outside_office_hours_are_brought_forward() {
    let due = |start: &str, rule: &str| {
        let msgs = plan(&p003(), &planned("2026-09-01T10:00", start, "2026-12-31T10:00"));
        format_local(find(&msgs, &format!("{rule}:heads-of-department:0")).due_at)
    };
    // Saturday 20:00 stop: a day before is Friday 20:00 → Friday 07:30.
    assert_eq!(due("2026-11-28T20:00", "planned-reminder-one-day"), "2026-11-27 07:30");
    // Sunday 08:00 stop: Saturday 08:00 → Friday 07:30; a week before
    // and three weeks before are Sundays too.
    assert_eq!(due("2026-11-29T08:00", "planned-reminder-one-day"), "2026-11-27 07:30");
    assert_eq!(due("2026-11-29T08:00", "planned-reminder-one-week"), "2026-11-20 07:30");
    assert_eq!(due("2026-11-29T08:00", "planned-info-three-weeks"), "2026-11-06 07:30");
    // Tuesday 06:00 stop: Monday 06:00 is before office hours → Friday.
    assert_eq!(due("2026-11-24T06:00", "planned-reminder-one-day"), "2026-11-20 07:30");
    // Tuesday 18:00 stop: Monday 18:00 → Monday 07:30.
    assert_eq!(due("2026-11-24T18:00", "planned-reminder-one-day"), "2026-11-23 07:30");
    // A stop on Christmas Day: Christmas Eve is no working day.
    assert_eq!(due("2026-12-25T10:00", "planned-reminder-one-day"), "2026-12-23 07:30");
}

// 003 §4.3, declared less than three weeks ahead (the seed is silent):
// the information goes out at once, whatever the hour; a reminder whose
// time has passed is dropped, since the information just sent says the same.
#[test]
fn planned_outage_declared_late() {
    let start = "2026-11-24T14:00";
    let ten_days = planned("2026-11-14T11:00", start, "2026-11-24T16:00");
    check(
        &p003(),
        &ten_days,
        &[
            "2026-11-14 11:00 planned-info-three-weeks:health-care-director:0 email it",
            "2026-11-14 11:00 planned-info-three-weeks:deputy-health-care-director:0 email it",
            "2026-11-14 11:00 planned-info-three-weeks:heads-of-department:0 email it",
            "2026-11-14 11:00 planned-private-provider-office:private-provider-office:0 email it",
            "2026-11-14 11:00 planned-plexus:region-units:0 status_page_internal it",
            "2026-11-14 11:00 planned-samverkanswebben:private-providers:0 status_page_public it",
            "2026-11-17 14:00 planned-reminder-one-week:heads-of-department:0 email it",
            "2026-11-23 14:00 planned-reminder-one-day:heads-of-department:0 email it",
        ],
    );
    let three_days = plan(&p003(), &planned("2026-11-21T11:00", start, "2026-11-24T16:00"));
    assert!(three_days.iter().all(|m| m.rule != "planned-reminder-one-week"));
    assert_eq!(
        format_local(find(&three_days, "planned-reminder-one-day:heads-of-department:0").due_at),
        "2026-11-23 14:00"
    );
    let same_day = plan(&p003(), &planned("2026-11-24T08:00", start, "2026-11-24T16:00"));
    assert!(same_day.iter().all(|m| !m.rule.starts_with("planned-reminder")));
    assert_eq!(same_day.iter().filter(|m| m.rule == "planned-info-three-weeks").count(), 3);
    assert!(same_day.iter().all(|m| m.due_at == t("2026-11-24T08:00")));
}

// A planned outage registered only after it began gets no "before" messages,
// and is not news of a planned stop ("Planerat driftstopp … Förbered"): 003
// §4.3's path ("Informationsmaterial mailas ut … tre veckor innan planerat
// stopp") presumes the stop is known before it starts, so its readers hear
// of it as of "akuta/oväntade driftstopp" (§4.2): "Information kommuniceras
// via Plexus vid samtliga driftstörningar eller driftstopp. Om
// driftstoppet beräknas överstiga 30 minuter … IT kontaktar HSD, bitr. HSD
// och VC via SMS".
#[test]
fn a_planned_outage_declared_after_its_start_is_not_news() {
    let o = planned("2026-11-24T15:00", "2026-11-24T14:00", "2026-11-24T16:00");
    check(
        &p003(),
        &o,
        &[
            "2026-11-24 15:00 unplanned-plexus:region-units:0 status_page_internal it",
            "2026-11-24 15:00 unplanned-sms-directors:health-care-director:0 sms it",
            "2026-11-24 15:00 unplanned-sms-directors:deputy-health-care-director:0 sms it",
            "2026-11-24 15:00 unplanned-sms-directors:heads-of-department:0 sms it",
            "2026-11-24 15:00 unplanned-samverkanswebben:private-providers:0 status_page_public it",
        ],
    );
    let msgs = plan(&p003(), &o);
    assert!(msgs.iter().all(|m| !m.subject.contains("Planerat") && !m.body.contains("Förbered")));
    // Declared a minute before its start, it is still news of a planned stop.
    let in_time = plan(&p003(), &planned("2026-11-24T13:59", "2026-11-24T14:00", "2026-11-24T16:00"));
    assert!(in_time.iter().any(|m| m.rule == "planned-plexus"));
    assert!(in_time.iter().all(|m| !m.rule.starts_with("unplanned")));
}

// --- Seed 003 §4.4: restart -----------------------------------------

// 003 §4.4: "Information publiceras på Plexus under Driftinformation."
// "Information publiceras på Samverkanswebben." "Mail till HSD, bitr. HSD
// och VC." Those who were not told of the stop (a short unplanned one)
// are not told of the restart; Plexus always is.
#[test]
fn restart_is_published_and_mailed() {
    let long = unplanned("2026-11-23T10:05", "2026-11-23T10:00", None).restored(t("2026-11-23T13:40"));
    let msgs = plan(&p003(), &long);
    let restart: Vec<String> = lines(&msgs).into_iter().filter(|l| l.starts_with("2026-11-23 13:40")).collect();
    assert_eq!(
        restart,
        [
            "2026-11-23 13:40 restored-plexus:region-units:0 status_page_internal it",
            "2026-11-23 13:40 restored-samverkanswebben-unplanned:private-providers:0 status_page_public it",
            "2026-11-23 13:40 restored-mail-unplanned:health-care-director:0 email it",
            "2026-11-23 13:40 restored-mail-unplanned:deputy-health-care-director:0 email it",
            "2026-11-23 13:40 restored-mail-unplanned:heads-of-department:0 email it",
        ]
    );
    let mail = find(&msgs, "restored-mail-unplanned:heads-of-department:0");
    assert_eq!(mail.subject, "Melior är åter i drift");
    assert!(mail.body.starts_with("Melior är åter i drift sedan 2026-11-23 13:40."));

    let short =
        unplanned("2026-11-23T10:05", "2026-11-23T10:00", Some("2026-11-23T10:20")).restored(t("2026-11-23T10:18"));
    check(
        &p003(),
        &short,
        &[
            "2026-11-23 10:05 unplanned-plexus:region-units:0 status_page_internal it",
            "2026-11-23 10:18 restored-plexus:region-units:0 status_page_internal it",
        ],
    );
}

// --- Seed 004 ---------------------------------------------------------

// 004: "Dagtid meddelas sjuksköterskor av enhetschef eller annan person
// som täcker för enhetschefen. Meddelande om driftstopp når enhetschef
// via appen Cosafe." Flow "ej jour": IT skickar ut information i Cosafe
// till chefer → EC meddelar Sjuksköterskor.
#[test]
fn solvesborg_office_hours() {
    let o = facts("municipal-record", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None);
    check(
        &p004(),
        &o,
        &[
            "2026-11-23 10:05 unplanned-office-cosafe-managers:unit-managers:0 crisis_app it",
            "2026-11-23 10:05 unplanned-office-unit-manager-informs-nurses:nurses:0 phone_task unit_manager",
            "2026-11-23 10:20 unplanned-office-cosafe-managers:unit-manager-deputies:1 crisis_app it \
                 unless unplanned-office-cosafe-managers:unit-managers:0",
        ],
    );
    let msgs = plan(&p004(), &o);
    let deputies = find(&msgs, "unplanned-office-cosafe-managers:unit-manager-deputies:1");
    assert_eq!(deputies.subject, "Ej kvitterat av enhetschef: driftavbrott i Kommunal journal (HSL)");
    assert_eq!(deputies.cite, find(&msgs, "unplanned-office-cosafe-managers:unit-managers:0").cite);
}

// 004: "Jourtid går meddelande ut i Cosafe samt meddelas chef i
// beredskap (CIB) via telefon som i sin tur meddelar sjuksköterska via
// telefon." 004 has no duration threshold: ten minutes is enough.
#[test]
fn solvesborg_on_call_time() {
    let o = facts(
        "municipal-record",
        OutageKind::Unplanned,
        "2026-11-23T22:05",
        "2026-11-23T22:00",
        Some("2026-11-23T22:10"),
    );
    check(
        &p004(),
        &o,
        &[
            "2026-11-23 22:05 unplanned-on-call-cosafe-managers:unit-managers:0 crisis_app it",
            "2026-11-23 22:05 unplanned-on-call-phone-cib:on-call-manager:0 phone_task it",
            "2026-11-23 22:05 unplanned-on-call-cib-informs-nurses:nurses:0 phone_task on_call_manager",
        ],
    );
    let restored = o.restored(t("2026-11-24T07:45"));
    let later: Vec<String> =
        lines(&plan(&p004(), &restored)).into_iter().filter(|l| l.starts_with("2026-11-24")).collect();
    assert_eq!(
        later,
        [
            "2026-11-24 07:45 restored-cosafe-managers:unit-managers:0 crisis_app it",
            "2026-11-24 07:45 restored-office-unit-manager-informs-nurses:nurses:0 phone_task unit_manager",
        ]
    );
}

// 004: "IT avdelningen har som mål att minst en vecka i förväg meddela
// planerade driftavbrott … IT meddelar estimerad avbrottstid." Flow:
// IT informerar berörda verksamheter via Insidan → EC meddelar PAS:ar.
#[test]
fn solvesborg_planned() {
    let o = facts(
        "municipal-record",
        OutageKind::Planned,
        "2026-11-02T09:00",
        "2026-11-24T19:00",
        Some("2026-11-24T21:00"),
    );
    check(
        &p004(),
        &o,
        &[
            "2026-11-02 09:00 planned-insidan:affected-units:0 status_page_internal it",
            "2026-11-17 07:30 planned-unit-manager-informs-pas:patient-responsible-nurses:0 phone_task unit_manager",
        ],
    );
    let msgs = plan(&p004(), &o);
    assert!(
        find(&msgs, "planned-insidan:affected-units:0").body.contains("Estimerad avbrottstid till: 2026-11-24 21:00")
    );
}

// A policy speaks only for the systems it covers.
#[test]
fn policies_cover_their_own_systems() {
    assert!(plan(&p004(), &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None)).is_empty());
    let prator = facts("prator", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None);
    assert!(plan(&p003(), &prator).is_empty());
}

// --- Keys, amendments, the timeline ---------------------------------

#[test]
fn keys_are_unique_and_stable_across_an_amendment() {
    let o = planned("2026-10-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
    let before = plan(&p003(), &o);
    let later = Amendment { expected_end: Some(t("2026-11-24T18:00")), ..Default::default() };
    let after = plan(&p003(), &o.clone().amended(t("2026-11-10T09:00"), &later));
    let keys = |m: &[PlannedMessage]| m.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&before), keys(&after));
    let mut unique = keys(&before);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), before.len());
    // Same keys and due times; the texts carry the new end.
    let reminder = find(&after, "planned-reminder-one-week:heads-of-department:0");
    assert_eq!(reminder.due_at, find(&before, "planned-reminder-one-week:heads-of-department:0").due_at);
    assert!(reminder.body.contains("Beräknat slut: 2026-11-24 18:00."));
}

#[test]
fn facts_from_a_folded_timeline_match_the_builder() {
    let actor = Actor { user_id: None, name: "IT".into() };
    let event = |seq: u32, at: &str, change: OutageChange| OutageEvent {
        id: crate::ids::EntryId(uuid::Uuid::from_u128(u128::from(seq) + 1)),
        outage_id: crate::ids::OutageId(uuid::Uuid::from_u128(7)),
        seq,
        at: t(at),
        actor: actor.clone(),
        node: "n1".into(),
        change,
    };
    let d = Declaration {
        system: sys("melior"),
        kind: OutageKind::Unplanned,
        scope: Scope::Region,
        start: t("2026-11-23T16:00"),
        expected_end: Some(t("2026-11-23T16:25")),
        notice: "Melior svarar inte.".into(),
        drill: false,
        public_notice: String::new(),
    };
    let mut events = vec![event(0, "2026-11-23T16:10", declare(d, t("2026-11-23T16:10")).unwrap())];
    let o = Outage::fold(&events).unwrap();
    let a = Amendment { expected_end: Some(t("2026-11-23T19:00")), ..Default::default() };
    events.push(event(1, "2026-11-23T17:10", amend(&o, a.clone(), t("2026-11-23T17:10")).unwrap()));
    let o = Outage::fold(&events).unwrap();
    events.push(event(2, "2026-11-23T18:30", end(&o, t("2026-11-23T18:30"), None, t("2026-11-23T18:30")).unwrap()));
    let o = Outage::fold(&events).unwrap();

    let from_timeline = OutageFacts::from_outage(&o, "Melior", LINK);
    let built = unplanned("2026-11-23T16:10", "2026-11-23T16:00", Some("2026-11-23T16:25"))
        .with_notice("Melior svarar inte.")
        .amended(t("2026-11-23T17:10"), &a)
        .restored(t("2026-11-23T18:30"));
    assert_eq!(from_timeline, built);
    assert_eq!(from_timeline.estimates().len(), 2);
    assert_eq!(from_timeline.declared_at(), t("2026-11-23T16:10"));
    assert_eq!(plan(&p003(), &from_timeline), plan(&p003(), &built));
}

#[test]
fn planned_messages_convert_to_the_outbox_form() {
    for c in Channel::ALL {
        assert_eq!(crate::outbox::Channel::from(*c).key(), c.key());
    }
    let msgs =
        plan(&p004(), &facts("municipal-record", OutageKind::Unplanned, "2026-11-23T10:05", "2026-11-23T10:00", None));
    let m = find(&msgs, "unplanned-office-cosafe-managers:unit-manager-deputies:1").clone();
    let out = crate::outbox::Planned::from(m.clone());
    assert_eq!((out.key, out.sender, out.due_at), (m.key, "it".to_owned(), m.due_at));
    assert_eq!(out.unless_acknowledged.as_deref(), Some("unplanned-office-cosafe-managers:unit-managers:0"));
}

#[test]
fn durations_and_templates() {
    assert_eq!(Period::parse("21d").unwrap().to_string(), "21d");
    assert_eq!(Period::parse("30 min").unwrap().duration(), SignedDuration::from_mins(30));
    assert_eq!(Period::parse("2h").unwrap().duration(), SignedDuration::from_hours(2));
    for bad in ["", "30", "0min", "-1d", "1w", "1.5h", "10000min", "d"] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
    // Calendar days keep the wall-clock time across the spring DST switch.
    let d = Period::parse("1d").unwrap();
    // (the clocks went forward at 02:00 on 2026-03-29, back on 2026-10-25).
    assert_eq!(format_local(d.before(t("2026-03-29T20:00"))), "2026-03-28 20:00");
    assert_eq!(t("2026-03-29T20:00").duration_since(d.before(t("2026-03-29T20:00"))), SignedDuration::from_hours(23));
    assert_eq!(t("2026-10-25T20:00").duration_since(d.before(t("2026-10-25T20:00"))), SignedDuration::from_hours(25));
    assert_eq!(format_local(d.after(t("2026-10-24T20:00"))), "2026-10-25 20:00");

    let tpl = Template::parse("Stopp i {system}\n{notice}\nSlut: {expected_end}").unwrap();
    let filled = tpl.fill(|p| match p {
        Placeholder::System => "Melior".into(),
        Placeholder::ExpectedEnd => "okänt".into(),
        _ => String::new(),
    });
    assert_eq!(filled, "Stopp i Melior\nSlut: okänt");
    assert_eq!(Template::parse("a {sytem}"), Err((NotifyProblem::UnknownPlaceholder("sytem".into()), 2)));
    assert_eq!(Template::parse("a {system"), Err((NotifyProblem::UnclosedPlaceholder, 2)));
    assert_eq!(Template::parse("a }"), Err((NotifyProblem::StrayBrace, 2)));
}

// --- Malformed policy files ------------------------------------------

const GOOD: &str = r#"id = "test"
title = "Test"
owner = "Region Test"
source = "003 §4.2"
systems = ["melior"]

[[recipient_group]]
id = "vc"
name = "Verksamhetschefer"

[[recipient_group]]
id = "hsd"
name = "Hälso- och sjukvårdsdirektör"

[[rule]]
id = "sms"
kind = "unplanned"
trigger = "declared"
time = "any"
channel = "sms"
sender = "it"
recipients = ["vc"]
subject = "Stopp i {system}"
body = """
Stopp i {system}.
Rutin: {routine_link}"""
cite = "003 §4.2"
"#;

/// The errors of a variant of GOOD, as `file:line: reason`.
fn errors(text: &str) -> Vec<String> {
    match load("bad.toml", text, &catalogue()) {
        Ok(_) => panic!("expected errors for\n{text}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

/// The 1-based line of the first line containing `needle`.
fn line(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in text")) + 1
}

fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn good_policy_and_shipped_policies_load() {
    let p = policy("test.toml", GOOD);
    assert_eq!(p.rules.len(), 1);
    assert_eq!(p.rule("sms").unwrap().trigger, Trigger::Declared);
    assert!(p.covers(&sys("melior")) && !p.covers(&sys("pmo")));
    let p = p003();
    assert_eq!((p.groups.len(), p.rules.len()), (8, 15));
    assert!(p.rules.iter().all(|r| r.cite.starts_with("003 §4.")));
    let p = p004();
    assert!(p.rules.iter().all(|r| r.cite.starts_with("004 ")));
    assert_eq!(p.rule("unplanned-office-cosafe-managers").unwrap().escalations.len(), 1);
}

#[test]
fn unknown_channel_and_sender_are_named_with_their_line() {
    let text = with("channel = \"sms\"", "channel = \"fax\"");
    assert_eq!(
        errors(&text),
        [format!(
            "bad.toml:{}: unknown channel `fax` (valid: sms, email, phone_task, crisis_app, webhook, \
                 status_page_internal, status_page_public)",
            line(&text, "\"fax\"")
        )]
    );
    let text = with("sender = \"it\"", "sender = \"nurse\"");
    assert_eq!(
        errors(&text),
        [format!(
            "bad.toml:{}: unknown sender `nurse` (valid: it, unit_manager, on_call_manager)",
            line(&text, "\"nurse\"")
        )]
    );
    // The Swedish message too, and the stable code.
    let e = load("bad.toml", &with("time = \"any\"", "time = \"nights\""), &catalogue()).unwrap_err();
    assert_eq!(e[0].code(), "notification_unknown_time");
    assert!(e[0].message_sv().contains("okänd tidsvillkor ”nights”"), "{}", e[0].message_sv());
}

#[test]
fn unknown_group_and_placeholder_are_named_with_their_line() {
    let text = with("recipients = [\"vc\"]", "recipients = [\"vc\", \"chefer\", \"vc\"]");
    assert_eq!(
        errors(&text),
        [
            format!(
                "bad.toml:{}: unknown recipient group `chefer` (name a group defined under [[recipient_group]])",
                line(&text, "\"chefer\"")
            ),
            format!("bad.toml:{}: recipient group `vc` is listed twice", line(&text, "\"chefer\"")),
        ]
    );
    // In a multi-line body the error points at the placeholder's own line.
    let text = with("Rutin: {routine_link}", "Rutin: {rutin_link}");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(&format!("bad.toml:{}: unknown placeholder `{{rutin_link}}`", line(&text, "{rutin_link}"))),
        "{e:?}"
    );
    let text = with("Stopp i {system}.", "Stopp i {system}. Åter {restored_at}.");
    assert_eq!(
        errors(&text),
        [format!(
            "bad.toml:{}: `{{restored_at}}` is known only at restart; use it only in rules with trigger = \"restored\"",
            line(&text, "{restored_at}")
        )]
    );
}

#[test]
fn trigger_options_must_fit_the_trigger() {
    let text = with("trigger = \"declared\"", "trigger = \"before_start\"");
    let e = errors(&text);
    assert!(e.iter().any(|e| e.contains("needs kind = \"planned\"")), "{e:?}");
    assert!(e.iter().any(|e| e.contains("needs `before`")), "{e:?}");
    let text = with("trigger = \"declared\"", "trigger = \"declared\"\nbefore = \"7d\"\nwhen_late = \"skip\"");
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with(&format!("bad.toml:{}: `before` applies only", line(&text, "before ="))));
    assert!(e[1].starts_with(&format!("bad.toml:{}: `when_late` applies only", line(&text, "when_late ="))));
    let text = with("kind = \"unplanned\"", "kind = \"unplanned\"\nexpected_longer_than = \"half an hour\"");
    assert_eq!(
        errors(&text),
        [format!(
            "bad.toml:{}: `half an hour` is not a valid duration (a whole number 1–9999 then d, h or min, e.g. `21d`, `30min`)",
            line(&text, "half an hour")
        )]
    );
}

// `time` on a before_start rule: `any` keeps the nominal time,
// `on_call` plans the message only when that time is on-call time.
#[test]
fn before_start_time_conditions() {
    let rule = |time: &str| {
        let text = with("kind = \"unplanned\"", "kind = \"planned\"")
            .replacen("trigger = \"declared\"", "trigger = \"before_start\"\nbefore = \"1d\"", 1)
            .replacen("time = \"any\"", &format!("time = \"{time}\""), 1);
        policy("t.toml", &text)
    };
    let saturday = planned("2026-11-01T10:00", "2026-11-29T08:00", "2026-11-29T10:00");
    let tuesday = planned("2026-11-01T10:00", "2026-11-24T14:00", "2026-11-24T16:00");
    check(&rule("any"), &saturday, &["2026-11-28 08:00 sms:vc:0 sms it"]);
    check(&rule("on_call"), &saturday, &["2026-11-28 08:00 sms:vc:0 sms it"]);
    check(&rule("on_call"), &tuesday, &[]);
    check(&rule("office_hours"), &tuesday, &["2026-11-23 14:00 sms:vc:0 sms it"]);
}

#[test]
fn escalations_must_be_acknowledgeable_and_unambiguous() {
    let esc = "cite = \"003 §4.2\"\n\n[[rule.escalation]]\nafter = \"15min\"\nrecipients = [\"hsd\"]\n";
    let two_groups =
        with("recipients = [\"vc\"]", "recipients = [\"vc\", \"hsd\"]").replacen("cite = \"003 §4.2\"\n", esc, 1);
    let e = errors(&two_groups);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with(&format!(
        "bad.toml:{}: a wave followed by an escalation",
        line(&two_groups, "[\"vc\", \"hsd\"]")
    )));
    let status =
        with("channel = \"sms\"", "channel = \"status_page_internal\"").replacen("cite = \"003 §4.2\"\n", esc, 1);
    let e = errors(&status);
    assert_eq!(
        e,
        [format!(
            "bad.toml:{}: channel `status_page_internal` cannot be acknowledged, so it cannot escalate",
            line(&status, "after =")
        )]
    );
    let ok = GOOD.replacen("cite = \"003 §4.2\"\n", esc, 1);
    let p = policy("ok.toml", &ok);
    let msgs = plan(&p, &unplanned("2026-11-23T10:05", "2026-11-23T10:00", None));
    assert_eq!(lines(&msgs), ["2026-11-23 10:05 sms:vc:0 sms it", "2026-11-23 10:20 sms:hsd:1 sms it unless sms:vc:0"]);
}

#[test]
fn ids_systems_and_syntax() {
    let text = format!("{GOOD}\n[[rule]]\nid = \"sms\"\n{}", &GOOD[GOOD.find("kind =").unwrap()..]);
    assert_eq!(
        errors(&text),
        [format!(
            "bad.toml:{}: rule `sms` already exists (line {})",
            text.lines().collect::<Vec<_>>().iter().rposition(|l| *l == "id = \"sms\"").unwrap() + 1,
            line(&text, "id = \"sms\"")
        )]
    );
    let text = with("id = \"vc\"", "id = \"VC\"");
    let e = errors(&text);
    assert!(
        e[0].starts_with(&format!("bad.toml:{}: `recipient_group.id` = `VC` is invalid", line(&text, "\"VC\""))),
        "{e:?}"
    );
    let text = with("systems = [\"melior\"]", "systems = [\"melior\", \"cosmic\"]");
    assert_eq!(
        errors(&text),
        [format!("bad.toml:{}: system `cosmic` is not in the system catalogue", line(&text, "cosmic"))]
    );
    let text = with("kind = \"unplanned\"", "kind = \"unplanned\"\nsystems = [\"pmo\"]");
    assert_eq!(
        errors(&text),
        [format!("bad.toml:{}: system `pmo` is not among the policy's `systems`", line(&text, "[\"pmo\"]"))]
    );
    let text = with("time = \"any\"", "time = \"any\"\ncolour = \"red\"");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(&format!(
            "bad.toml:{}: not a notification policy: unknown field `colour`",
            line(&text, "colour")
        )),
        "{e:?}"
    );
    let text = with("subject = \"Stopp i {system}\"", "subject = \"Stopp i {system}");
    assert!(errors(&text)[0].starts_with(&format!("bad.toml:{}: not a notification policy", line(&text, "subject ="))));
    let e = errors("id = \"x\"\ntitle = \"t\"\nowner = \"o\"\nsource = \"s\"\nsystems = \"all\"\n");
    assert_eq!(
        e,
        [
            "bad.toml: the policy has no recipient groups ([[recipient_group]])",
            "bad.toml: the policy has no rules ([[rule]])"
        ]
    );
}

// --- The recipients file ---------------------------------------------

#[test]
fn recipients_example_fits_the_003_policy() {
    let r = parse_recipients("recipients.example.toml", RECIPIENTS, &p003())
        .unwrap_or_else(|e| panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")));
    assert_eq!(r["heads-of-department"].len(), 3);
    assert_eq!(r["deputy-health-care-director"].len(), 2);
    // Only fictitious addresses: example.org and 070-174 06 05 … 99.
    for person in r.values().flatten() {
        assert!(person.email.as_deref().is_none_or(|e| e.ends_with("@example.org")), "{person:?}");
        let phone = person.phone.as_deref().map(|p| p.replace([' ', '-'], ""));
        assert!(phone.is_none_or(|p| p.starts_with("07017406") && (5..=99).contains(&p[8..].parse::<u32>().unwrap())));
    }
}

#[test]
fn recipients_problems_are_named_with_their_line() {
    let p = policy("test.toml", GOOD);
    let text = "[[person]]\nid = \"a\"\nname = \"VC A\"\nemail = \"a@example.org\"\ngroups = [\"vc\"]\n\n\
                    [[person]]\nid = \"b\"\nname = \"B\"\nphone = \"070-174 06 40\"\ngroups = [\"chefer\"]\n";
    let e: Vec<String> = parse_recipients("r.toml", text, &p).unwrap_err().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        e,
        [
            "r.toml:2: group `vc` is reached by sms but the person has no `phone`",
            "r.toml:11: unknown recipient group `chefer` (name a group defined under [[recipient_group]])",
        ]
    );
    let e = parse_recipients("r.toml", "", &p).unwrap_err();
    assert_eq!(e[0].to_string(), "r.toml: group `vc` is reached by sms but nobody belongs to it");
    let text = "[[person]]\nid = \"a\"\nname = \"A\"\nphone = \"12\"\nemail = \"nope\"\ngroups = [\"vc\"]\n";
    let errs = parse_recipients("r.toml", text, &p).unwrap_err();
    let codes: Vec<String> = errs.iter().map(DataFileError::code).collect();
    assert_eq!(codes, ["recipients_invalid_phone", "recipients_invalid_email"]);
}

// --- Recipient-group names inside a sentence --------------------------

// 003 §4.2: "IT-förvaltningen kontaktar akutmottagningar och
// familjeläkarjourer via telefon": a group's name inside a sentence reads
// in lower case, as the seed writes it; abbreviations stay.
#[test]
fn group_names_mid_sentence_are_lower_case() {
    assert_eq!(lower_first("Akutmottagningar"), "akutmottagningar");
    assert_eq!(lower_first("Chef i beredskap (CIB)"), "chef i beredskap (CIB)");
    assert_eq!(lower_first("HSD"), "HSD");
    assert_eq!(lower_first("Ärendeansvariga"), "ärendeansvariga");
    let t = Template::parse("{group}: ring {group}. {group} svarar").unwrap();
    assert_eq!(t.fill(|_| "Sjuksköterskor".into()), "Sjuksköterskor: ring sjuksköterskor. Sjuksköterskor svarar");
    let msgs =
        plan(&p004(), &facts("municipal-record", OutageKind::Unplanned, "2026-11-21T10:00", "2026-11-21T10:00", None));
    let cib = find(&msgs, "unplanned-on-call-phone-cib:on-call-manager:0");
    assert!(cib.body.starts_with("Ring chef i beredskap (CIB) och meddela"), "{}", cib.body);
}

// 004 Icke planerade avbrott: "Jourtid … meddelas chef i beredskap (CIB)
// via telefon": the Cosafe alert goes out at the same moment as IT's call to
// the on-call manager, so it must not say the manager "är informerad".
#[test]
fn no_message_claims_a_call_is_done_before_it_is() {
    let o = facts("municipal-record", OutageKind::Unplanned, "2026-11-21T10:00", "2026-11-21T10:00", None);
    for m in plan(&p004(), &o) {
        assert!(!m.body.contains("är informerad"), "{}: {}", m.key, m.body);
    }
    let p = plan(&p003(), &unplanned("2026-11-21T10:00", "2026-11-21T10:00", None));
    assert!(p.iter().all(|m| !m.body.contains("är informerad")));
}

// --- Trying a plan before an outage ------------------------------------

fn try_003(kind: OutageKind, start: &str, end: Option<&str>, declared: Option<&str>) -> TrialPlan {
    let trial_input = Trial {
        system: sys("melior"),
        system_name: "Melior".into(),
        kind,
        start: t(start),
        expected_end: end.map(t),
        declared_at: declared.map(t),
        restored_at: None,
        routine_link: LINK.into(),
    };
    trial(&p003(), &trial_input).unwrap()
}

/// The channels of a tried plan, as `channel×count` in plan order.
fn channels(p: &TrialPlan) -> String {
    let mut out: Vec<(Channel, usize)> = Vec::new();
    for m in &p.messages {
        match out.iter_mut().find(|(c, _)| *c == m.message.channel) {
            Some((_, n)) => *n += 1,
            None => out.push((m.message.channel, 1)),
        }
    }
    out.iter().map(|(c, n)| format!("{c}×{n}")).collect::<Vec<_>>().join(" ")
}

// 003 §4.1–§4.2: "Dagtid, vardagar 07.30-16.30 … Jourtid, övrig tid";
// "Om driftstoppet beräknas överstiga 30 minuter …"; "Jourtid, övrig tid:
// Enligt ovan samt IT-förvaltningen kontaktar akutmottagningar och
// familjeläkarjourer via telefon". Judged at the given times, never the clock.
#[test]
fn trial_of_an_unplanned_outage_across_office_hours_holidays_and_daylight_saving() {
    use OutageKind::Unplanned;
    let office = "status_page_internal×1 sms×3 status_page_public×1";
    let on_call = "status_page_internal×1 sms×3 status_page_public×1 phone_task×2";
    let table: &[(&str, &str, &str, &str)] = &[
        // (start, expected end, what is sent, why)
        ("2026-11-23T10:00", "2026-11-23T10:45", office, "a Monday in office hours"),
        ("2026-11-23T07:29", "2026-11-23T08:15", on_call, "a minute before office hours"),
        ("2026-11-23T16:30", "2026-11-23T17:15", on_call, "office hours end at 16:30"),
        ("2026-11-21T10:00", "2026-11-21T10:45", on_call, "a Saturday"),
        ("2026-06-19T10:00", "2026-06-19T10:45", on_call, "Midsummer Eve"),
        ("2026-12-24T10:00", "2026-12-24T10:45", on_call, "Christmas Eve"),
        ("2026-04-02T10:00", "2026-04-02T10:45", office, "Maundy Thursday is a working day"),
        ("2026-04-03T10:00", "2026-04-03T10:45", on_call, "Good Friday"),
        ("2026-04-06T10:00", "2026-04-06T10:45", on_call, "Easter Monday"),
        ("2026-11-23T10:00", "2026-11-23T10:30", "status_page_internal×1", "30 minutes is not over 30"),
        // Spring forward (2026-03-29): 01:50 CET to 03:10 CEST reads 80
        // minutes on the wall but lasts 20.
        ("2026-03-29T01:50", "2026-03-29T03:10", "status_page_internal×1", "20 real minutes"),
        ("2026-03-29T01:30", "2026-03-29T03:30", on_call, "60 real minutes"),
        // Fall back (2026-10-25): 02:10 CEST to 02:20 CET reads ten
        // minutes on the wall but lasts 70.
        ("2026-10-25T02:10+02:00", "2026-10-25T02:20+01:00", on_call, "70 real minutes"),
        ("2026-10-25T02:10+01:00", "2026-10-25T02:30+01:00", "status_page_internal×1", "20 real minutes"),
    ];
    for (start, end, expect, why) in table {
        let p = try_003(Unplanned, start, Some(end), None);
        assert_eq!(channels(&p), *expect, "{start}–{end}: {why}");
        assert!(p.declared_at_assumed);
        assert_eq!(p.declared_at, t(start), "an unplanned outage is declared when it starts");
        for m in &p.messages {
            assert_eq!(m.office_hours, is_office_hours(m.message.due_at));
            assert!(!m.rule_text.is_empty() && !m.message.cite.is_empty());
        }
    }
    let midsummer = try_003(Unplanned, "2026-06-19T10:00", Some("2026-06-19T10:45"), None);
    assert!(midsummer.messages.iter().all(|m| m.holiday == Some("Midsommarafton") && !m.office_hours));
    let task = midsummer.messages.iter().find(|m| m.message.channel == Channel::PhoneTask).unwrap();
    assert_eq!(task.group_name, "Akutmottagningar");
    assert_eq!(
        task.rule_text,
        "Oplanerade avbrott som beräknas pågå längre än 30 minuter; när avbrottet registreras; jourtid"
    );
}

// 003 §4.3: "Informationsmaterial mailas ut till HSD, bitr. HSD och VC tre
// veckor innan planerat stopp" and "Påminnelse … en vecka respektive en dag
// innan": across the spring daylight-saving change the mail keeps the wall
// clock; a reminder due on a holiday is brought forward to the last working
// day (a stop on Easter Monday: Maundy Thursday 07:30).
#[test]
fn trial_of_a_planned_outage_across_easter_and_daylight_saving() {
    let p = try_003(OutageKind::Planned, "2026-04-06T08:00", Some("2026-04-06T10:00"), None);
    let due = |rule: &str| {
        let m = p.messages.iter().find(|m| m.message.rule == rule).unwrap();
        (format_local(m.message.due_at), m.message.due_at.to_string())
    };
    // Three weeks before Easter Monday 08:00 CEST is Monday 16 March 08:00 CET.
    assert_eq!(due("planned-info-three-weeks"), ("2026-03-16 08:00".into(), "2026-03-16T07:00:00Z".into()));
    assert_eq!(due("planned-reminder-one-week").0, "2026-03-30 08:00");
    assert_eq!(due("planned-reminder-one-day"), ("2026-04-02 07:30".into(), "2026-04-02T05:30:00Z".into()));
    // Assumed declared in good time: a day before the first message.
    assert!(p.declared_at_assumed);
    assert_eq!(format_local(p.declared_at), "2026-03-15 08:00");
    // Given a declaration ten days ahead, the three-week mail goes out at once.
    let late = try_003(OutageKind::Planned, "2026-04-06T08:00", Some("2026-04-06T10:00"), Some("2026-03-27T11:00"));
    let info = late.messages.iter().find(|m| m.message.rule == "planned-info-three-weeks").unwrap();
    assert_eq!(format_local(info.message.due_at), "2026-03-27 11:00");
    assert!(!late.declared_at_assumed);
}

// Impossible times are refused, each naming its field.
#[test]
fn trial_refuses_impossible_times() {
    let base = Trial {
        system: sys("melior"),
        system_name: "Melior".into(),
        kind: OutageKind::Unplanned,
        start: t("2026-11-23T10:00"),
        expected_end: None,
        declared_at: None,
        restored_at: None,
        routine_link: String::new(),
    };
    let field = |tr: Trial| trial(&p003(), &tr).unwrap_err().field();
    assert_eq!(field(Trial { expected_end: Some(t("2026-11-23T10:00")), ..base.clone() }), Some(Field::ExpectedEnd));
    assert_eq!(field(Trial { restored_at: Some(t("2026-11-23T09:00")), ..base.clone() }), Some(Field::RestoredAt));
    assert_eq!(field(Trial { declared_at: Some(t("2026-11-23T09:59")), ..base.clone() }), Some(Field::DeclaredAt));
    let planned_restored_before_declared = Trial {
        kind: OutageKind::Planned,
        declared_at: Some(t("2026-11-23T12:00")),
        restored_at: Some(t("2026-11-23T11:00")),
        ..base.clone()
    };
    assert_eq!(field(planned_restored_before_declared), Some(Field::RestoredAt));
    assert_eq!(
        field(Trial { system: sys("prator"), system_name: "PRATOR".into(), ..base.clone() }),
        Some(Field::System)
    );
    // A restart is planned too, judged at the restore time.
    let restored = trial(&p003(), &Trial { restored_at: Some(t("2026-11-23T17:00")), ..base }).unwrap();
    let last = restored.messages.last().unwrap();
    assert_eq!(last.message.due_at, t("2026-11-23T17:00"));
    assert!(!last.office_hours);
}

/// Issue 19: `reserv notifications check --recipients` counted every
/// person's line from the start of the file, so 8 000 persons took seconds.
/// The line starts are now found once per file: the text scanned for lines
/// stays proportional to the file, however many persons (and problems) it
/// holds. (Scanning from the start for each person's id, as before, reads
/// about persons × size / 2 bytes: 1 000 times the file here.)
#[test]
fn recipients_lines_are_found_in_one_pass_over_the_file() {
    use crate::datafile::tests::SCANNED;
    let policy = p003();
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!(
            "[[person]]\nid = \"p{i}\"\nname = \"Person {i}\"\nphone = \"070-17O {i:05}\"\ngroups = [\"heads-of-department\"]\n\n"
        ));
    }
    SCANNED.with(|s| s.set(0));
    let problems = parse_recipients("r.toml", &text, &policy).unwrap_err();
    let scanned = SCANNED.with(|s| s.get());
    assert!(problems.len() >= 2000, "every person's phone is a problem: {}", problems.len());
    assert!(problems.iter().any(|p| p.line == Some(1999 * 6 + 4)), "the last person's phone is on its line");
    assert!(scanned <= 2 * text.len(), "scanned {scanned} bytes for lines in a file of {}", text.len());
}
