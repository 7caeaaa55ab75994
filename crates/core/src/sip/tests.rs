//! Tests of SIP records: the checks of bad input, the state, corrections.

use super::*;
use crate::org::WardType;

fn ts(s: &str) -> Timestamp {
    jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
        .unwrap()
        .to_zoned(crate::time::stockholm())
        .unwrap()
        .timestamp()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn facts() -> EpisodeFacts {
    EpisodeFacts {
        ward: OrgId::parse("avd-1").unwrap(),
        ward_type: WardType::Somatic,
        municipality: OrgId::parse("umea-kommun").unwrap(),
        primary_care: OrgId::parse("hc-ersboda").unwrap(),
        outpatient_psychiatry: None,
        admitted_at: ts("2026-11-20 10:00"),
        estimated_discharge_known_at: None,
        ready_for_discharge_at: None,
        discharged_at: None,
    }
}

fn now() -> Timestamp {
    ts("2026-11-25 12:00")
}

fn draft() -> SipDraft {
    SipDraft {
        need_raised_by: Some(Party::Ward),
        initiated_at: Some(ts("2026-11-21 09:00")),
        initiator: Some(Party::PrimaryCare),
        participants: [Party::Municipality, Party::Ward].into(),
        ..SipDraft::default()
    }
}

fn code(d: SipDraft) -> (&'static str, Option<Field>) {
    let e = check_sip(d, &facts(), now()).unwrap_err();
    (e.code(), e.field())
}

#[test]
fn a_sip_initiated_is_not_held_and_names_its_parties() {
    let f = check_sip(draft(), &facts(), now()).unwrap();
    assert_eq!(f.state(), SipState::NotHeld);
    assert_eq!(f.parties(), [Party::Ward, Party::Municipality, Party::PrimaryCare].into());
}

#[test]
fn required_choices_start_empty_and_are_asked_for() {
    for (d, field) in [
        (SipDraft { need_raised_by: None, ..draft() }, Field::SipNeedRaisedBy),
        (SipDraft { initiated_at: None, ..draft() }, Field::SipInitiatedAt),
        (SipDraft { initiator: None, ..draft() }, Field::SipInitiator),
    ] {
        assert_eq!(code(d), ("required", Some(field)));
    }
}

#[test]
fn a_party_without_a_part_in_the_episode_is_refused() {
    let d = SipDraft { participants: [Party::OutpatientPsychiatry].into(), ..draft() };
    assert_eq!(code(d), ("unknown_value", Some(Field::SipParticipants)));
}

#[test]
fn a_meeting_before_the_initiative_is_refused() {
    let d = SipDraft { held_on: Some(date("2026-11-20")), goals: vec!["Mål".into()], ..draft() };
    assert_eq!(code(d), ("sip_meeting_before_initiative", Some(Field::SipHeldOn)));
}

#[test]
fn a_plan_without_a_meeting_is_refused() {
    let d = SipDraft { goals: vec!["Bo kvar hemma".into()], ..draft() };
    assert_eq!(code(d), ("sip_plan_without_meeting", Some(Field::SipGoals)));
    let d = SipDraft { activities: vec!["Hemtjänst".into()], ..draft() };
    assert_eq!(code(d), ("sip_plan_without_meeting", Some(Field::SipActivities)));
}

#[test]
fn a_meeting_held_is_documented_with_its_plan() {
    let d = SipDraft { held_on: Some(date("2026-11-24")), goals: vec!["  ".into()], ..draft() };
    assert_eq!(code(d), ("required", Some(Field::SipGoals)));
    let d = SipDraft {
        held_on: Some(date("2026-11-24")),
        goals: vec!["Bo kvar hemma".into(), String::new()],
        activities: vec!["Hemtjänst".into()],
        ..draft()
    };
    let f = check_sip(d, &facts(), now()).unwrap();
    assert_eq!(f.state(), SipState::PlanCreated);
    assert_eq!(f.meeting.unwrap().goals, vec!["Bo kvar hemma".to_owned()]);
}

#[test]
fn an_agreement_needs_date_time_and_way_and_cannot_precede_the_initiative() {
    let d = SipDraft { meeting_on: Some(date("2026-11-28")), ..draft() };
    assert_eq!(code(d), ("required", Some(Field::SipAgreedAt)));
    let d = SipDraft { agreed_at: Some(ts("2026-11-22 10:00")), ..draft() };
    assert_eq!(code(d), ("required", Some(Field::SipMeetingOn)));
    let d = SipDraft { meeting_on: Some(date("2026-11-28")), agreed_at: Some(ts("2026-11-22 10:00")), ..draft() };
    assert_eq!(code(d), ("required", Some(Field::SipAgreedVia)));
    let d = SipDraft {
        meeting_on: Some(date("2026-11-28")),
        agreed_at: Some(ts("2026-11-21 08:00")),
        agreed_via: Some(SipAgreedVia::Phone),
        ..draft()
    };
    assert_eq!(code(d), ("invalid", Some(Field::SipAgreedAt)));
    let d = SipDraft {
        meeting_on: Some(date("2026-11-21")),
        agreed_at: Some(ts("2026-11-22 10:00")),
        agreed_via: Some(SipAgreedVia::Phone),
        ..draft()
    };
    assert_eq!(code(d), ("invalid", Some(Field::SipMeetingOn)));
    // A meeting date may lie in the future: it is agreed, not held.
    let d = SipDraft {
        meeting_on: Some(date("2026-12-03")),
        agreed_at: Some(ts("2026-11-22 10:00")),
        agreed_via: Some(SipAgreedVia::Phone),
        ..draft()
    };
    assert!(check_sip(d, &facts(), now()).is_ok());
}

#[test]
fn times_in_the_future_and_impossible_dates_are_refused() {
    let d = SipDraft { initiated_at: Some(ts("2026-11-26 12:00")), ..draft() };
    assert_eq!(code(d), ("in_future", Some(Field::SipInitiatedAt)));
    let d = SipDraft { held_on: Some(date("2026-11-26")), goals: vec!["Mål".into()], ..draft() };
    assert_eq!(code(d), ("in_future", Some(Field::SipHeldOn)));
    let d = SipDraft { closed_on: Some(date("2026-11-20")), ..draft() };
    assert_eq!(code(d), ("end_before_start", Some(Field::SipClosedOn)));
    let d = SipDraft { closed_on: Some(date("1999-11-20")), ..draft() };
    assert_eq!(code(d), ("implausible_date", Some(Field::SipClosedOn)));
}

#[test]
fn closed_is_the_state_whatever_came_before() {
    let d = SipDraft { closed_on: Some(date("2026-11-23")), ..draft() };
    assert_eq!(check_sip(d, &facts(), now()).unwrap().state(), SipState::Closed);
}

fn record(n: u128, sip: u128, supersedes: Option<u128>, at: &str, f: &SipFacts) -> SipRecord {
    SipRecord {
        id: EntryId(uuid::Uuid::from_u128(n)),
        sip_id: EntryId(uuid::Uuid::from_u128(sip)),
        episode_id: EpisodeId(uuid::Uuid::from_u128(99)),
        supersedes: supersedes.map(|s| EntryId(uuid::Uuid::from_u128(s))),
        recorded_at: ts(at),
        author_id: UserId(uuid::Uuid::from_u128(7)),
        author_name: "Test".into(),
        author_org: OrgId::parse("hc-ersboda").unwrap(),
        outages: Vec::new(),
        node: "central".into(),
        facts: f.clone(),
    }
}

#[test]
fn the_current_version_is_the_one_nothing_supersedes_in_any_order() {
    let first = check_sip(draft(), &facts(), now()).unwrap();
    let held = check_sip(
        SipDraft { held_on: Some(date("2026-11-24")), goals: vec!["Mål".into()], ..draft() },
        &facts(),
        now(),
    )
    .unwrap();
    let other = check_sip(SipDraft { initiated_at: Some(ts("2026-11-22 09:00")), ..draft() }, &facts(), now()).unwrap();
    let mut rs = vec![
        record(1, 1, None, "2026-11-21 09:05", &first),
        record(2, 1, Some(1), "2026-11-24 15:00", &held),
        record(3, 3, None, "2026-11-22 09:05", &other),
    ];
    for _ in 0..2 {
        let cur = current(&rs);
        assert_eq!(cur.len(), 2);
        assert_eq!(cur[0].id, EntryId(uuid::Uuid::from_u128(2)));
        assert_eq!(cur[0].input().state, SipState::PlanCreated);
        assert_eq!(cur[0].input().id, uuid::Uuid::from_u128(1));
        assert_eq!(cur[1].id, EntryId(uuid::Uuid::from_u128(3)));
        rs.reverse();
    }
}
