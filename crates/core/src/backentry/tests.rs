//! Tests of back-entry policies and the reconcile engine.

use super::*;
use crate::episode::DischargeDestination;
use crate::ids::OrgId;
use crate::org::WardType;
use proptest::prelude::*;

const P000: &str = include_str!("../../../../data/policies/prator-vasterbotten-2023.toml");
const P001: &str = include_str!("../../../../data/policies/lifecare-sp-vasternorrland-2025.toml");
const P002: &str = include_str!("../../../../data/policies/prator-long-outage-2024.toml");

fn policy(text: &str) -> Policy {
    check_policy("test.toml", text)
        .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.message_en()).collect::<Vec<_>>()))
}

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

/// A 2023 PRATOR outage: 2023-05-02 08:00 – 2023-05-03 16:00.
fn window() -> Window {
    Window { start: ts("2023-05-02 08:00"), end: ts("2023-05-03 16:00") }
}

fn org(s: &str) -> OrgId {
    OrgId::parse(s).unwrap()
}

fn ep(n: u128, admitted: &str, ready: Option<&str>, discharged: Option<&str>, psych: bool) -> EpisodeInput {
    EpisodeInput {
        id: EpisodeId(uuid::Uuid::from_u128(n)),
        facts: EpisodeFacts {
            ward: org("avd-1"),
            ward_type: if psych { WardType::Psychiatric } else { WardType::Somatic },
            municipality: org("umea-kommun"),
            primary_care: org("hc-ersboda"),
            outpatient_psychiatry: Some(org("psyk-oppen")),
            admitted_at: ts(admitted),
            estimated_discharge_known_at: None,
            ready_for_discharge_at: ready.map(ts),
            discharged_at: discharged.map(ts),
        },
        designated_care_contact: Some("Ssk Anna Berg".into()),
        calls: Vec::new(),
        patient: None,
        discharge_destination: None,
        extensive_long_term_services: None,
        sips_agreed: Vec::new(),
    }
}

fn decide(p: &Policy, e: EpisodeInput, today: &str) -> Vec<Decision> {
    reconcile(p, window(), &[e], date(today))
}

fn of(ds: &[Decision], party: Party) -> &Decision {
    ds.iter().find(|d| d.party == party).expect("a decision for the party")
}

fn item(d: &Decision, kind: ItemKind, code: ItemCode) -> &Item {
    d.items
        .iter()
        .find(|i| i.kind == kind && i.code == code)
        .unwrap_or_else(|| panic!("{kind:?} {code:?} missing in {:?}", d.items))
}

fn has(d: &Decision, kind: ItemKind, code: ItemCode) -> bool {
    d.items.iter().any(|i| i.kind == kind && i.code == code)
}

fn messages(text: &str) -> Vec<String> {
    check_policy("bad.toml", text).unwrap_err().iter().map(|e| e.message_en()).collect()
}

// --- The shipped policies ---

#[test]
fn shipped_policies_pass_the_checks() {
    for (text, id) in [
        (P000, "prator-vasterbotten-2023"),
        (P001, "lifecare-sp-vasternorrland-2025"),
        (P002, "prator-long-outage-2024"),
    ] {
        assert_eq!(policy(text).id, id);
    }
    let p = policy(P002);
    assert_eq!(p.dates["period_start"], date("2024-01-17"));
    assert_eq!(p.dates["cutover"], date("2024-02-01"));
    assert_eq!(p.parameters["restored_at"], "2024-02-02T08:00:00");
}

// --- 000: PRATOR Västerbotten ---

/// "Inskrivning: Patienter som lagts in under avbrottet skrivs in för att fullfölja processen i Prator."
#[test]
fn p000_admitted_during_and_still_in_is_entered_by_the_ward() {
    let ds = decide(&policy(P000), ep(1, "2023-05-02 10:30", None, None, false), "2023-05-04");
    let w = of(&ds, Party::Ward);
    let i = item(w, ItemKind::Enter, ItemCode::AdmissionNotice);
    assert_eq!(i.rule, "admitted-during");
    assert!(i.cite.starts_with("Inskrivning: Patienter som lagts in under avbrottet"));
    assert_eq!(i.values["admitted_at"], "2023-05-02 10:30");
    assert_eq!(w.outcome, Outcome::BackEnter);
    // "Slutenvården skriver in": the municipality does not enter the admission.
    assert!(!has(of(&ds, Party::Municipality), ItemKind::Enter, ItemCode::AdmissionNotice));
}

/// "Övrig sedan tidigare kommunicerad information skrivs ej in i efterhand."
#[test]
fn p000_previously_communicated_information_is_not_entered() {
    let ds = decide(&policy(P000), ep(1, "2023-05-02 10:30", None, None, false), "2023-05-04");
    for party in [Party::Ward, Party::Municipality, Party::PrimaryCare] {
        let i = item(of(&ds, party), ItemKind::DoNotEnter, ItemCode::PreviouslyCommunicatedInformation);
        assert_eq!(i.cite, "Övrig sedan tidigare kommunicerad information skrivs ej in i efterhand.");
    }
}

/// "Patienter som både skrivits in och ut under avbrottet registreras inte."
#[test]
fn p000_admitted_and_discharged_during_is_not_registered() {
    let ds = decide(&policy(P000), ep(1, "2023-05-02 09:00", None, Some("2023-05-03 11:00"), false), "2023-05-04");
    assert_eq!(ds.len(), 3);
    for d in &ds {
        assert_eq!(d.rule.as_deref(), Some("admitted-and-discharged-during"));
        assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
        assert_eq!(
            item(d, ItemKind::DoNotEnter, ItemCode::Episode).cite,
            "Patienter som både skrivits in och ut under avbrottet registreras inte."
        );
    }
}

/// "Utskrivning: Patienter som skrivs ut från sjukhuset under avbrottet, skrivs även ut i Prator."
#[test]
fn p000_admitted_before_and_discharged_during_gets_a_discharge_notice_with_its_date() {
    let ds = decide(&policy(P000), ep(1, "2023-04-28 14:00", None, Some("2023-05-03 09:15"), false), "2023-05-04");
    let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::DischargeNotice);
    assert_eq!(i.rule, "discharged-during");
    assert_eq!(i.values["discharged_at"], "2023-05-03 09:15");
    assert!(!has(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::AdmissionNotice));
}

/// "Kvittera meddelanden" (all three parties).
#[test]
fn p000_every_party_acknowledges_messages() {
    let ds = decide(&policy(P000), ep(1, "2023-04-28 14:00", None, None, true), "2023-05-04");
    assert_eq!(ds.len(), 4);
    for d in &ds {
        assert_eq!(item(d, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).cite, "Kvittera meddelanden");
    }
}

/// The handover log fills in when an item was told by phone, and how many calls a party must
/// acknowledge; calls outside the outage window do not count.
#[test]
fn calls_in_the_window_fill_told_by_phone_and_calls_to_acknowledge() {
    let call =
        |at: &str, from, to, m: &[MessageType]| Call { at: ts(at), from, to, messages: m.iter().copied().collect() };
    let mut e = ep(1, "2023-05-02 10:30", None, None, false);
    e.calls = vec![
        call("2023-05-02 11:40", Party::Ward, Party::Municipality, &[MessageType::Admission]),
        call("2023-05-02 11:05", Party::Ward, Party::Municipality, &[MessageType::Admission]),
        call("2023-05-02 12:00", Party::Ward, Party::PrimaryCare, &[MessageType::Admission]),
        call("2023-05-04 09:00", Party::Ward, Party::Municipality, &[MessageType::PlanningInformation]),
    ];
    let ds = decide(&policy(P000), e, "2023-05-04");
    let ward = of(&ds, Party::Ward);
    assert_eq!(item(ward, ItemKind::Enter, ItemCode::AdmissionNotice).values["told_by_phone_at"], "2023-05-02 11:05");
    assert_eq!(item(ward, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).values["calls_received"], "0");
    let kommun = of(&ds, Party::Municipality);
    assert_eq!(item(kommun, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).values["calls_received"], "2");
}

/// "An episode in two wards at once": both episodes go to a person, the rest is still answered;
/// a transfer (one stay ends when the next begins) is no contradiction.
#[test]
fn one_patient_in_two_wards_at_once_needs_review_but_a_transfer_does_not() {
    let p = policy(P001);
    let mut a = ep(1, "2023-05-01 10:00", None, None, false);
    let mut b = ep(2, "2023-05-02 12:00", None, None, false);
    b.facts.ward = org("avd-2");
    let other = ep(3, "2023-05-02 12:00", None, None, false);
    a.patient = Some("194101019806".into());
    b.patient = a.patient.clone();
    let ds = reconcile(&p, window(), &[a.clone(), b.clone(), other], date("2023-05-04"));
    for id in [1u128, 2] {
        for d in ds.iter().filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(id))) {
            assert_eq!(d.outcome, Outcome::NeedsReview);
            assert!(d.items[0].cite.contains("annat vårdtillfälle under samma tid"), "{:?}", d.items);
        }
    }
    assert!(
        ds.iter()
            .filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(3)))
            .all(|d| d.outcome != Outcome::NeedsReview)
    );
    a.facts.discharged_at = Some(ts("2023-05-02 12:00"));
    let ds = reconcile(&p, window(), &[b, a], date("2023-05-04"));
    assert!(ds.iter().all(|d| d.outcome != Outcome::NeedsReview), "a transfer is not a contradiction");
}

/// A received call reverses the direction; a correction replaces the corrected call; a call with
/// an organisation outside the episode is not the episode's.
#[test]
fn calls_come_from_the_effective_contacts_of_the_log() {
    let e = ep(1, "2023-05-02 10:30", None, None, false);
    let contact = |n: u128, by: &str, with: &str, direction, supersedes: Option<u128>| Contact {
        id: crate::ids::EntryId(uuid::Uuid::from_u128(n)),
        supersedes: supersedes.map(|s| crate::ids::EntryId(uuid::Uuid::from_u128(s))),
        at: ts("2023-05-02 11:00"),
        logged_by: org(by),
        counterpart: org(with),
        direction,
        messages: [MessageType::Admission].into(),
    };
    let contacts = [
        contact(1, "avd-1", "umea-kommun", Direction::Given, None),
        contact(2, "umea-kommun", "avd-1", Direction::Received, Some(1)),
        contact(3, "hc-ersboda", "avd-1", Direction::Received, None),
        contact(4, "avd-1", "nagon-annan", Direction::Given, None),
    ];
    let calls = Call::from_contacts(&e.facts, &contacts);
    let pairs: Vec<(Party, Party)> = calls.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(pairs, vec![(Party::Ward, Party::Municipality), (Party::Ward, Party::PrimaryCare)]);
}

/// "Skicka kallelser till SIP där man kommit överens om datum per telefon" — outpatient care only,
/// including outpatient psychiatry for a patient on a psychiatric ward.
#[test]
fn p000_outpatient_care_sends_sip_invitations() {
    // 000: "Skicka kallelser till SIP där man kommit överens om datum per telefon": only where a
    // date was agreed by phone, i.e. a call during the outage carried the SIP invitation.
    let p = policy(P000);
    let none = decide(&p, ep(1, "2023-05-02 10:30", None, None, true), "2023-05-04");
    for party in [Party::PrimaryCare, Party::OutpatientPsychiatry, Party::Ward, Party::Municipality] {
        assert!(!has(of(&none, party), ItemKind::FollowUp, ItemCode::SendSipInvitation), "no SIP agreed: {party:?}");
    }
    let mut e = ep(1, "2023-05-02 10:30", None, None, true);
    e.calls = vec![sip_call("2023-05-02 14:00", Party::PrimaryCare, Party::Municipality)];
    let ds = decide(&p, e, "2023-05-04");
    let pc = item(of(&ds, Party::PrimaryCare), ItemKind::FollowUp, ItemCode::SendSipInvitation);
    assert_eq!(pc.values["told_by_phone_at"], "2023-05-02 14:00");
    assert!(!has(of(&ds, Party::OutpatientPsychiatry), ItemKind::FollowUp, ItemCode::SendSipInvitation));
    assert!(!has(of(&ds, Party::Ward), ItemKind::FollowUp, ItemCode::SendSipInvitation));
    assert!(!has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::SendSipInvitation));
}

fn sip_call(at: &str, from: Party, to: Party) -> Call {
    Call { at: ts(at), from, to, messages: [MessageType::SipInvitation].into_iter().collect() }
}

/// 000: "Patienter som både skrivits in och ut under avbrottet registreras inte." is about the
/// episode; "Skicka kallelser till SIP där man kommit överens om datum per telefon" still holds.
#[test]
fn p000_a_sip_agreed_by_phone_outlives_an_episode_that_is_not_entered() {
    let mut e = ep(1, "2023-05-02 10:30", None, Some("2023-05-03 09:00"), false);
    e.calls = vec![sip_call("2023-05-02 15:00", Party::Municipality, Party::PrimaryCare)];
    let ds = decide(&policy(P000), e, "2023-05-04");
    let pc = of(&ds, Party::PrimaryCare);
    assert_eq!(pc.rule.as_deref(), Some("admitted-and-discharged-during"));
    assert!(has(pc, ItemKind::DoNotEnter, ItemCode::Episode));
    assert!(has(pc, ItemKind::FollowUp, ItemCode::SendSipInvitation));
    assert_eq!(pc.outcome, Outcome::BackEnter);
    let ward = of(&ds, Party::Ward);
    assert!(matches!(ward.outcome, Outcome::NothingToEnter { .. }), "the ward has nothing to do");
}

/// 001: "Om ni under driftstoppet har kommit överens om datum för SIP per telefon, ska formell
/// kallelse skickas via Lifecare SP när systemet är i drift igen." — also when "Patienter som under
/// avbrottet har hunnit bli både inskrivna och utskrivna: Behöver inte registreras i efterhand".
#[test]
fn p001_a_sip_agreed_by_phone_outlives_an_episode_that_is_not_entered() {
    let p = policy(P001);
    let plain = decide(&p, ep(1, "2023-05-02 10:30", None, Some("2023-05-03 09:00"), false), "2023-05-04");
    assert!(matches!(of(&plain, Party::PrimaryCare).outcome, Outcome::NothingToEnter { .. }));
    let mut e = ep(1, "2023-05-02 10:30", None, Some("2023-05-03 09:00"), false);
    e.calls = vec![sip_call("2023-05-02 15:00", Party::PrimaryCare, Party::Municipality)];
    let ds = decide(&p, e, "2023-05-04");
    let pc = of(&ds, Party::PrimaryCare);
    assert!(has(pc, ItemKind::DoNotEnter, ItemCode::Episode));
    let i = item(pc, ItemKind::FollowUp, ItemCode::SendSipInvitation);
    assert_eq!(i.cite, "Skicka kallelse till SIP där man har kommit överens om datum.");
    assert_eq!(i.values["told_by_phone_at"], "2023-05-02 15:00");
    assert!(!has(pc, ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact), "the episode is not in Lifecare SP");
}

/// A SIP date agreed before the outage is not "under driftstoppet": no formal invitation from Reserv.
#[test]
fn a_sip_call_outside_the_outage_does_not_count() {
    let mut e = ep(1, "2023-04-28 10:30", None, None, false);
    e.calls = vec![sip_call("2023-04-29 10:00", Party::PrimaryCare, Party::Municipality)];
    for text in [P000, P001] {
        let ds = decide(&policy(text), e.clone(), "2023-05-04");
        assert!(!has(of(&ds, Party::PrimaryCare), ItemKind::FollowUp, ItemCode::SendSipInvitation));
    }
}

fn agreed(at: &str, via: SipAgreedVia, parties: &[Party]) -> SipAgreed {
    SipAgreed { at: ts(at), via, meeting_on: date("2023-05-10"), parties: parties.iter().copied().collect() }
}

/// 001: "Om ni under driftstoppet har kommit överens om datum för SIP per telefon, ska formell
/// kallelse skickas via Lifecare SP när systemet är i drift igen." From a SIP record, with no call
/// logged: the invitation follows, with the meeting date and the participants as values.
#[test]
fn p001_a_sip_record_agreed_by_phone_during_the_outage_gives_primary_care_the_invitation() {
    let p = policy(P001);
    let mut e = ep(1, "2023-05-02 10:30", None, Some("2023-05-03 09:00"), false);
    e.sips_agreed = vec![agreed("2023-05-02 15:00", SipAgreedVia::Phone, &[Party::PrimaryCare, Party::Municipality])];
    let ds = decide(&p, e, "2023-05-04");
    let pc = of(&ds, Party::PrimaryCare);
    let i = item(pc, ItemKind::FollowUp, ItemCode::SendSipInvitation);
    assert_eq!(i.values["sip_meeting_on"], "2023-05-10");
    assert_eq!(i.values["sip_agreed_at"], "2023-05-02 15:00");
    assert_eq!(i.values["sip_participants"], "municipality,primary_care");
    assert_eq!(pc.outcome, Outcome::BackEnter);
}

/// The same sentence decides the negatives: "per telefon" (a date agreed in the system or at a
/// meeting needs no formal invitation afterwards) and "under driftstoppet" (not before it), and only
/// for the parties of that SIP.
#[test]
fn p001_a_sip_record_not_by_phone_or_outside_the_outage_gives_no_invitation() {
    let p = policy(P001);
    for a in [
        agreed("2023-05-02 15:00", SipAgreedVia::System, &[Party::PrimaryCare, Party::Municipality]),
        agreed("2023-05-02 15:00", SipAgreedVia::InPerson, &[Party::PrimaryCare, Party::Municipality]),
        agreed("2023-04-30 15:00", SipAgreedVia::Phone, &[Party::PrimaryCare, Party::Municipality]),
        agreed("2023-05-02 15:00", SipAgreedVia::Phone, &[Party::Ward, Party::Municipality]),
    ] {
        let mut e = ep(1, "2023-04-28 10:30", None, None, false);
        e.sips_agreed = vec![a.clone()];
        let ds = decide(&p, e, "2023-05-04");
        assert!(!has(of(&ds, Party::PrimaryCare), ItemKind::FollowUp, ItemCode::SendSipInvitation), "{a:?}");
    }
}

/// 000: "Skicka kallelser till SIP där man kommit överens om datum per telefon" from a SIP record.
#[test]
fn p000_a_sip_record_agreed_by_phone_gives_the_invitation() {
    let mut e = ep(1, "2023-05-02 10:30", None, None, false);
    e.sips_agreed = vec![agreed("2023-05-03 09:00", SipAgreedVia::Phone, &[Party::PrimaryCare])];
    let ds = decide(&policy(P000), e, "2023-05-04");
    assert!(has(of(&ds, Party::PrimaryCare), ItemKind::FollowUp, ItemCode::SendSipInvitation));
}

#[test]
fn p000_episodes_outside_the_outage_have_nothing_to_enter_with_a_reason() {
    let p = policy(P000);
    let before = decide(&p, ep(1, "2023-04-20 10:00", None, Some("2023-04-25 10:00"), false), "2023-05-04");
    let after = decide(&p, ep(2, "2023-05-03 17:00", None, None, false), "2023-05-04");
    for (ds, rule) in [(before, "outside-ended-before"), (after, "outside-admitted-after")] {
        for d in ds {
            assert_eq!(d.rule.as_deref(), Some(rule));
            assert!(d.items.is_empty());
            let Outcome::NothingToEnter { reason } = d.outcome else { panic!("expected nothing to enter") };
            assert!(reason.contains("inget att efterregistrera"));
        }
    }
}

// --- 001: Lifecare SP Västernorrland ---

/// "Patienter inskrivna under avbrottet: Ska registreras i Lifecare SP … för att slutföra processen."
/// "Inskrivningsmeddelande." "Patientinformation (fyll i om det är möjligt) …"
#[test]
fn p001_admitted_during_and_still_in_gets_admission_notice_and_patient_information() {
    let ds = decide(&policy(P001), ep(1, "2023-05-02 12:00", None, None, false), "2023-05-04");
    let w = of(&ds, Party::Ward);
    assert_eq!(item(w, ItemKind::Enter, ItemCode::AdmissionNotice).cite, "Inskrivningsmeddelande.");
    assert!(has(w, ItemKind::Enter, ItemCode::PatientInformation));
    assert!(has(of(&ds, Party::Municipality), ItemKind::Enter, ItemCode::PatientInformation));
    assert!(!has(w, ItemKind::Enter, ItemCode::PatientInformationSendHome));
}

/// "Patientinformation (fyll i om det är möjligt) – om patenten gått hem ska den skickas hem till patienten."
#[test]
fn p001_patient_information_is_sent_home_when_the_patient_has_gone_home() {
    let ds = decide(&policy(P001), ep(1, "2023-04-30 12:00", None, Some("2023-05-03 10:00"), false), "2023-05-04");
    for party in [Party::Ward, Party::Municipality, Party::PrimaryCare] {
        let i = item(of(&ds, party), ItemKind::Enter, ItemCode::PatientInformationSendHome);
        assert!(i.cite.contains("skickas hem till patienten"));
    }
}

/// "… om patenten gått hem ska den skickas hem till patienten." [sic]: only when the patient went home.
/// Known to have gone elsewhere: plain patient information; not known: the sentence stands, with its "om".
#[test]
fn p001_patient_information_goes_home_only_when_the_patient_went_home() {
    let p = policy(P001);
    let with = |d: Option<DischargeDestination>| {
        let mut e = ep(1, "2023-04-30 12:00", None, Some("2023-05-03 10:00"), false);
        e.discharge_destination = d;
        decide(&p, e, "2023-05-04")
    };
    for d in [DischargeDestination::ShortTermCare, DischargeDestination::OtherUnit, DischargeDestination::Deceased] {
        let ds = with(Some(d));
        for party in [Party::Ward, Party::Municipality, Party::PrimaryCare] {
            assert!(!has(of(&ds, party), ItemKind::Enter, ItemCode::PatientInformationSendHome), "{d:?} {party:?}");
            let i = item(of(&ds, party), ItemKind::Enter, ItemCode::PatientInformation);
            assert_eq!(i.values["discharge_destination"], d.key());
        }
        let notice = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::DischargeNotice);
        assert_eq!(notice.values["discharge_destination"], d.key());
    }
    for d in [Some(DischargeDestination::Home), None] {
        let ds = with(d);
        assert!(has(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::PatientInformationSendHome), "{d:?}");
    }
}

/// "Patienter som skrivs ut under avbrottet: Ska registreras som utskrivna …" "Utskrivningsmeddelande."
#[test]
fn p001_discharged_during_gets_a_discharge_notice() {
    let ds = decide(&policy(P001), ep(1, "2023-04-30 12:00", None, Some("2023-05-03 10:00"), false), "2023-05-04");
    let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::DischargeNotice);
    assert_eq!(i.rule, "discharged-during");
    assert_eq!(i.values["discharged_at"], "2023-05-03 10:00");
}

/// "Dessa uppgifter ska inte efterregistreras: • Utskrivningsklar meddelande" and
/// "Planeringsunderlag (om patienten blivit utskrivningsklar eller gått hem)".
#[test]
fn p001_ready_for_discharge_and_planning_information_are_not_entered() {
    let p = policy(P001);
    let ready = decide(&p, ep(1, "2023-05-02 12:00", Some("2023-05-03 09:00"), None, false), "2023-05-04");
    let w = of(&ready, Party::Ward);
    assert_eq!(w.rule.as_deref(), Some("admitted-during-still-in-ready"));
    assert!(has(w, ItemKind::DoNotEnter, ItemCode::ReadyForDischargeNotice));
    assert!(has(w, ItemKind::DoNotEnter, ItemCode::PlanningInformation));
    // Not ready and still in: planning information is not forbidden.
    let not_ready = decide(&p, ep(2, "2023-05-02 12:00", None, None, false), "2023-05-04");
    assert!(!has(of(&not_ready, Party::Ward), ItemKind::DoNotEnter, ItemCode::PlanningInformation));
}

/// "Patienter som under avbrottet har hunnit bli både inskrivna och utskrivna: Behöver inte registreras …"
#[test]
fn p001_admitted_and_discharged_during_need_not_be_registered() {
    let ds = decide(&policy(P001), ep(1, "2023-05-02 12:00", None, Some("2023-05-03 12:00"), true), "2023-05-04");
    assert_eq!(ds.len(), 4);
    for d in &ds {
        assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
        assert!(has(d, ItemKind::DoNotEnter, ItemCode::Episode));
    }
}

/// "Kvittera alla meddelanden i efterhand", "Bekräfta fast vårdkontakt",
/// "Skicka kallelse till SIP där man har kommit överens om datum."
#[test]
fn p001_primary_care_acknowledges_confirms_contact_and_sends_sip_invitations() {
    let mut e = ep(1, "2023-05-02 12:00", None, None, false);
    e.calls = vec![sip_call("2023-05-02 13:00", Party::PrimaryCare, Party::Municipality)];
    let ds = decide(&policy(P001), e, "2023-05-04");
    let pc = of(&ds, Party::PrimaryCare);
    assert_eq!(
        item(pc, ItemKind::FollowUp, ItemCode::AcknowledgeMessages).cite,
        "Kvittera alla meddelanden i efterhand"
    );
    let c = item(pc, ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact);
    assert_eq!(c.values["designated_care_contact"], "Ssk Anna Berg");
    assert!(has(pc, ItemKind::FollowUp, ItemCode::SendSipInvitation));
    assert!(has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::AcknowledgeMessages));
    assert!(!has(of(&ds, Party::Municipality), ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact));
}

/// 001, "Öppenvårdens/primärvårdens ansvar vid efterregistrering: … Bekräfta fast vårdkontakt":
/// also for a patient admitted before and discharged during the outage (registered afterwards as
/// discharged), and for one in hospital throughout who went home after it.
#[test]
fn p001_primary_care_confirms_the_designated_care_contact_of_every_patient_in_hospital_during() {
    let p = policy(P001);
    for (discharged, rule) in
        [("2023-05-03 09:00", "discharged-during"), ("2023-05-04 09:00", "in-hospital-during-gone-home-after")]
    {
        let ds = decide(&p, ep(1, "2023-04-28 10:00", None, Some(discharged), true), "2023-05-05");
        for party in [Party::PrimaryCare, Party::OutpatientPsychiatry] {
            let d = of(&ds, party);
            assert_eq!(d.rule.as_deref(), Some(rule));
            let c = item(d, ItemKind::FollowUp, ItemCode::ConfirmDesignatedCareContact);
            assert_eq!(c.cite, "Bekräfta fast vårdkontakt");
            assert_eq!(c.values["designated_care_contact"], "Ssk Anna Berg");
        }
    }
}

#[test]
fn an_item_condition_must_be_known_and_only_on_episode_rows() {
    let unknown = P001.replacen(r#"only_if = "sip_date_agreed_by_phone""#, r#"only_if = "sip_agreed""#, 1);
    let m = messages(&unknown);
    assert!(m.iter().any(|m| m.contains("unknown only_if = sip_agreed")), "{m:?}");
    let on_sip = P002.replacen(
        r#"{ kind = "enter", item = "sip_invitation","#,
        r#"{ kind = "enter", item = "sip_invitation", only_if = "sip_date_agreed_by_phone","#,
        1,
    );
    assert_ne!(on_sip, P002);
    let m = messages(&on_sip);
    assert!(m.iter().any(|m| m.contains("only_if does not apply to rows about sip")), "{m:?}");
}

// --- 002: the long PRATOR outage of 2024 ---

/// "Vårdtillfällen som fanns i Prator sedan innan 2024-01-17 och patienten har gått hem avslutas …
/// *Utklar* till dagens datum och *Faktiskt Utskriven* sätts till det faktiska dagen patient gick hem"
#[test]
fn p002_existed_before_and_gone_home_is_closed_with_utklar_today() {
    let ds = decide(&policy(P002), ep(1, "2024-01-10 10:00", None, Some("2024-01-25 13:00"), false), "2024-02-05");
    let i = item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::CloseEpisode);
    assert_eq!(i.rule, "existed-before-gone-home");
    assert_eq!(i.values["ready_for_discharge"], "2024-02-05");
    assert_eq!(i.values["actual_discharge"], "2024-01-25");
    let Outcome::NothingToEnter { reason } = &of(&ds, Party::Municipality).outcome else { panic!() };
    assert_eq!(reason, "Slutenvården avslutar vårdtillfället i Prator.");
}

/// "Vårdtillfällen som fanns i Prator sedan innan 2024-01-17 och patienten är fortsatt kvar på sjukhus
/// kan fortsättas hanteras i Prator."
#[test]
fn p002_existed_before_and_still_in_continues_in_prator() {
    let ds = decide(&policy(P002), ep(1, "2024-01-16 23:00", None, None, false), "2024-02-05");
    assert!(has(of(&ds, Party::Ward), ItemKind::FollowUp, ItemCode::ContinueInSystem));
    assert_eq!(of(&ds, Party::Ward).rule.as_deref(), Some("existed-before-still-in-hospital"));
}

/// "Vårdtillfällen som skapats under 2024-01-17 till 2024-01-31 fortsätts hanteras manuellt enligt
/// avbrottsrutin. Registreras inte in i Prator."
#[test]
fn p002_created_in_the_period_is_handled_manually_and_not_registered() {
    let p = policy(P002);
    for e in
        [ep(1, "2024-01-17 00:30", None, None, false), ep(2, "2024-01-31 22:00", None, Some("2024-02-03 10:00"), false)]
    {
        for d in decide(&p, e, "2024-02-05") {
            assert_eq!(d.rule.as_deref(), Some("created-in-period"));
            assert!(has(&d, ItemKind::DoNotEnter, ItemCode::Episode));
            assert!(has(&d, ItemKind::FollowUp, ItemCode::ManualHandling));
            assert!(has(&d, ItemKind::FollowUp, ItemCode::AgreeOnBackEntry));
        }
    }
}

/// "Om det finns behov av omfattande och långvariga insatser efter inskrivning kan vårdtillfället
/// efterregistreras i Prator efter överenskommelse mellan involverade enheter.": a fact of the episode.
/// Recorded as no need: no agreement to seek; recorded as a need, or not known: the item is listed.
#[test]
fn p002_the_back_entry_agreement_follows_the_extensive_services_fact() {
    let p = policy(P002);
    for (fact, listed) in [(Some(false), false), (Some(true), true), (None, true)] {
        let mut e = ep(1, "2024-01-20 10:00", None, None, false);
        e.extensive_long_term_services = fact;
        for d in decide(&p, e, "2024-02-05") {
            assert_eq!(has(&d, ItemKind::FollowUp, ItemCode::AgreeOnBackEntry), listed, "{fact:?} {:?}", d.party);
            assert!(has(&d, ItemKind::FollowUp, ItemCode::ManualHandling));
        }
    }
}

/// "Nya vårdtillfällen från och med **2024-02-01** läggs in i Prator och hanteras via systemet."
#[test]
fn p002_new_from_the_cutover_is_entered_in_prator() {
    let ds = decide(&policy(P002), ep(1, "2024-02-01 09:00", None, None, false), "2024-02-05");
    assert_eq!(item(of(&ds, Party::Ward), ItemKind::Enter, ItemCode::AdmissionNotice).rule, "new-from-cutover");
}

#[test]
fn p002_dates_are_parameters() {
    let moved = P002.replace("period_start = 2024-01-17", "period_start = 2024-01-05");
    let ds = decide(&policy(&moved), ep(1, "2024-01-10 10:00", None, None, false), "2024-02-05");
    assert_eq!(of(&ds, Party::Ward).rule.as_deref(), Some("created-in-period"));
}

// --- 002: SIPs ---

fn sip(n: u128, created: &str, state: SipState) -> SipInput {
    SipInput {
        id: uuid::Uuid::from_u128(n),
        episode: None,
        created_at: ts(created),
        state,
        initiator: Party::PrimaryCare,
        participants: [Party::Municipality].into_iter().collect(),
        meeting_on: None,
        held_on: None,
        goals: Vec::new(),
        activities: Vec::new(),
    }
}

fn sip_decide(text: &str, s: SipInput) -> Vec<SipDecision> {
    reconcile_sips(&policy(text), &[s], date("2024-02-05"))
}

fn sip_has(d: &SipDecision, kind: ItemKind, code: ItemCode) -> bool {
    d.items.iter().any(|i| i.kind == kind && i.code == code)
}

/// "Uppstartad SIP där SIP mötet ej genomförts": "Skapa ett SIP initiativ. Välj deltagare men bocka ur
/// "Ska kvittera"", "Skapa kallelse till möte.", "Hanteras vidare enligt normal rutin".
#[test]
fn p002_sip_not_held_in_period_gets_initiative_without_must_acknowledge_and_invitation() {
    let ds = sip_decide(P002, sip(1, "2024-01-20 10:00", SipState::NotHeld));
    assert_eq!(ds.len(), 2);
    let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
    assert_eq!(init.rule.as_deref(), Some("sip-not-held-in-period"));
    let i = init.items.iter().find(|i| i.code == ItemCode::SipInitiative).unwrap();
    assert_eq!(i.values["must_acknowledge"], "no");
    assert!(sip_has(init, ItemKind::Enter, ItemCode::SipInvitation));
    assert!(sip_has(init, ItemKind::FollowUp, ItemCode::NormalRoutine));
    let other = ds.iter().find(|d| d.party == Party::Municipality).unwrap();
    assert!(matches!(other.outcome, Outcome::NothingToEnter { .. }));
}

/// "Pågående SIP där en SIP plan har skapats": "Behöver ej skapa och skicka kallelse till möte som redan
/// skett." "Registrera in SIP planen med de Mål och Aktiviteter som ni kommit överens om."
#[test]
fn p002_sip_with_a_plan_in_period_registers_the_plan_but_no_invitation() {
    let ds = sip_decide(P002, sip(1, "2024-01-25 10:00", SipState::PlanCreated));
    let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
    assert!(sip_has(init, ItemKind::Enter, ItemCode::SipInitiative));
    assert!(sip_has(init, ItemKind::DoNotEnter, ItemCode::SipInvitation));
    assert!(sip_has(init, ItemKind::Enter, ItemCode::SipPlan));
}

/// "Välj deltagare men bocka ur "Ska kvittera"" and "Registrera in SIP planen med de Mål och
/// Aktiviteter som ni kommit överens om": the items carry the participants, the dates and the plan.
#[test]
fn p002_sip_items_carry_participants_dates_and_the_plan() {
    let mut s = sip(1, "2024-01-25 10:00", SipState::PlanCreated);
    s.held_on = Some(date("2024-01-29"));
    s.goals = vec!["Bo kvar hemma".into()];
    s.activities = vec!["Hemtjänst morgon och kväll".into(), "Uppföljning om 4 veckor".into()];
    let ds = sip_decide(P002, s);
    let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
    let i = init.items.iter().find(|i| i.code == ItemCode::SipInitiative).unwrap();
    assert_eq!(i.values["must_acknowledge"], "no");
    assert_eq!(i.values["sip_participants"], "municipality,primary_care");
    assert_eq!(i.values["sip_initiator"], "primary_care");
    assert_eq!(i.values["sip_initiated_on"], "2024-01-25");
    let plan = init.items.iter().find(|i| i.code == ItemCode::SipPlan).unwrap();
    assert_eq!(plan.values["sip_held_on"], "2024-01-29");
    assert_eq!(plan.values["sip_goals"], "Bo kvar hemma");
    assert_eq!(plan.values["sip_activities"], "Hemtjänst morgon och kväll; Uppföljning om 4 veckor");
}

/// "SIP som initierats och avslutats under avbrottsperioden registreras ej in i Prator"
#[test]
fn p002_sip_started_and_closed_in_period_is_not_registered() {
    for d in sip_decide(P002, sip(1, "2024-01-18 10:00", SipState::Closed)) {
        assert!(sip_has(&d, ItemKind::DoNotEnter, ItemCode::Sip));
        assert!(matches!(d.outcome, Outcome::NothingToEnter { .. }));
    }
}

/// "Om SIP skapats innan 2024-01-17 avslutas enligt normalt rutin."
#[test]
fn p002_sip_created_before_is_closed_by_the_normal_routine() {
    let ds = sip_decide(P002, sip(1, "2024-01-10 10:00", SipState::Closed));
    let init = ds.iter().find(|d| d.party == Party::PrimaryCare).unwrap();
    // The seed's typo is quoted as written, marked [sic].
    assert_eq!(init.items[0].cite, "Om SIP skapats innan 2024-01-17 avslutas enligt normalt [sic] rutin.");
}

#[test]
fn policies_without_sip_rows_say_so() {
    let ds = sip_decide(P000, sip(1, "2024-01-20 10:00", SipState::NotHeld));
    let Outcome::NothingToEnter { reason } = &ds[0].outcome else { panic!() };
    assert!(reason.contains("har inga rader om SIP"));
}

#[test]
fn incomplete_sip_rows_name_the_sip_case() {
    let text = P002.replace("sip_state = [\"not_held\", \"plan_created\"]", "sip_state = \"not_held\"");
    let m = messages(&text);
    assert!(
            m.iter()
                .any(|m| m
                    .contains("incomplete: no row covers the SIP case created=before_period, sip_state=plan_created")),
            "{m:?}"
        );
}

// --- Contradictions ---

#[test]
fn discharged_before_admitted_needs_review_and_the_rest_is_answered() {
    let bad = ep(1, "2023-05-03 10:00", None, Some("2023-05-02 10:00"), false);
    let good = ep(2, "2023-05-02 10:30", None, None, false);
    let ds = reconcile(&policy(P000), window(), &[bad, good], date("2023-05-04"));
    assert_eq!(ds.len(), 6);
    for d in ds.iter().filter(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(1))) {
        assert_eq!(d.outcome, Outcome::NeedsReview);
        assert_eq!(d.rule, None);
        assert_eq!(d.items[0].cite, "Underlaget motsäger sig självt: utskriven före inskrivningen.");
        assert_eq!(d.items[0].kind, ItemKind::NeedsReview);
    }
    let w2 = ds.iter().find(|d| d.episode == EpisodeId(uuid::Uuid::from_u128(2)) && d.party == Party::Ward).unwrap();
    assert_eq!(w2.outcome, Outcome::BackEnter);
}

// --- The checker ---

const HEAD: &str = "[policy]\nid = \"t\"\nname = \"t\"\nversion = \"1\"\nsource = \"seed\"\n";

#[test]
fn malformed_toml_is_rejected() {
    let m = messages("[policy\nid = ");
    assert!(m[0].starts_with("bad.toml, line 1: not a back-entry policy: "), "{m:?}");
}

#[test]
fn ambiguous_rows_are_named_with_the_case() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"a\"\ncite = \"x\"\nwhen = {{ location = \"in_hospital\" }}\n\
             [[rule]]\nid = \"b\"\ncite = \"x\"\nwhen = {{ location = [\"in_hospital\", \"gone_home\"] }}\n"
    );
    let m = messages(&text);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("ambiguous: rows a, b all match the case location=in_hospital"), "{m:?}");
}

#[test]
fn incomplete_policies_name_the_uncovered_case() {
    let text = P000.replace(
        "when = { admitted = \"before\", discharged = \"before\" }",
        "when = { admitted = \"before\", discharged = \"no\" }",
    );
    let m = messages(&text);
    assert!(
        m.iter().any(|m| m.contains("incomplete: no row covers the case admitted=before, discharged=before")),
        "{m:?}"
    );
    assert!(m.iter().any(|m| m.contains("ambiguous: rows outside-ended-before, in-hospital-throughout")), "{m:?}");
}

#[test]
fn unknown_values_items_parties_and_conditions_name_the_row() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r1\"\ncite = \"x\"\nwhen = {{ admitted = \"yesterday\", colour = \"red\" }}\n\
             ward = [{{ kind = \"enter\", item = \"fax\" }}, {{ kind = \"maybe\", item = \"episode\" }}, \
             {{ kind = \"needs_review\", item = \"episode\" }}]\n\
             pharmacy = [{{ kind = \"enter\", item = \"episode\" }}]\n"
    );
    let m = messages(&text);
    for want in [
        "row r1: unknown value admitted=yesterday",
        "row r1: unknown condition colour",
        "row r1: ward: unknown item fax",
        "row r1: ward: unknown kind maybe",
        // The engine's own answer to contradictory facts is not a policy's to give.
        "row r1: ward: unknown kind needs_review",
        "row r1: unknown party or key pharmacy",
    ] {
        assert!(m.iter().any(|m| m.contains(want)), "{want} not in {m:?}");
    }
}

#[test]
fn created_needs_its_date_parameters_and_rows_need_a_cite() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r1\"\ncite = \" \"\nwhen = {{ created = [\"before_period\", \"in_period\", \"from_cutover\"] }}\n"
    );
    let m = messages(&text);
    assert!(m.iter().any(|m| m.contains("row r1: cite is empty")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("needs the date parameter period_start")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("needs the date parameter cutover")), "{m:?}");
}

#[test]
fn conditions_must_fit_the_subject() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r1\"\ncite = \"x\"\nwhen = {{ sip_state = \"closed\" }}\n\
             [[rule]]\nid = \"r2\"\nsubject = \"sip\"\ncite = \"x\"\nwhen = {{ admitted = \"during\" }}\n\
             [[rule]]\nid = \"r3\"\nsubject = \"letter\"\ncite = \"x\"\n"
    );
    let m = messages(&text);
    for want in [
        "row r1: condition sip_state does not apply to rows about episode",
        "row r2: condition admitted does not apply to rows about sip",
        "row r3: unknown subject letter",
    ] {
        assert!(m.iter().any(|m| m.contains(want)), "{want} not in {m:?}");
    }
}

// --- Properties ---

proptest! {
    /// The SIP invitation follows from logged facts only: listed for a party exactly when a call
    /// during the outage, to or from it, carried a SIP invitation (and the episode's row has the
    /// follow-up at all), whatever the order of the calls.
    #[test]
    fn the_sip_invitation_follows_from_the_log_in_any_order(
        raw in arb_episode(),
        calls in proptest::collection::vec((0u32..20 * 24 * 60, 0usize..4, 0usize..4, any::<bool>()), 0..6),
        which in 0usize..2,
    ) {
        let p = policy([P000, P001][which]);
        let base = ts("2023-04-25 00:00");
        let at = |m: u32| base.checked_add(jiff::SignedDuration::from_mins(m as i64)).unwrap();
        let mut e = build(0, raw);
        e.calls = calls
            .iter()
            .map(|&(m, f, t, sip)| Call {
                at: at(m),
                from: Party::ALL[f],
                to: Party::ALL[t],
                messages: [if sip { MessageType::SipInvitation } else { MessageType::Admission }].into_iter().collect(),
            })
            .collect();
        let today = date("2023-05-20");
        let ds = reconcile(&p, window(), std::slice::from_ref(&e), today);
        let w = window();
        for d in &ds {
            let agreed = e.calls.iter().any(|c| {
                c.at >= w.start && c.at <= w.end && (c.from == d.party || c.to == d.party)
                    && c.messages.contains(&MessageType::SipInvitation)
            });
            let listed = has(d, ItemKind::FollowUp, ItemCode::SendSipInvitation);
            prop_assert!(!listed || agreed, "listed without a SIP agreed by phone: {:?}", d);
            let row_has_it = d.rule.as_ref().is_some_and(|r| {
                p.rules.iter().any(|row| &row.id == r
                    && row.actions.get(&d.party).is_some_and(|items| items.iter().any(|i| i.code == ItemCode::SendSipInvitation)))
            });
            prop_assert_eq!(listed, agreed && row_has_it);
        }
        let mut reversed = e.clone();
        reversed.calls.reverse();
        prop_assert_eq!(reconcile(&p, window(), &[reversed], today), ds);
    }
}

fn arb_episode() -> impl Strategy<Value = (u32, u32, Option<u32>, Option<u32>, bool)> {
    // Minutes from 2023-04-25 00:00 over ~20 days; the window is 2023-05-02 08:00 – 2023-05-03 16:00.
    let m = 0u32..20 * 24 * 60;
    (m.clone(), m.clone(), proptest::option::of(m.clone()), proptest::option::of(m), any::<bool>())
}

fn build(n: usize, (a, _, r, d, psych): (u32, u32, Option<u32>, Option<u32>, bool)) -> EpisodeInput {
    let base = ts("2023-04-25 00:00");
    let at = |m: u32| base.checked_add(jiff::SignedDuration::from_mins(m as i64)).unwrap();
    let mut e = ep(n as u128, "2023-04-25 00:00", None, None, psych);
    e.facts.admitted_at = at(a);
    e.facts.ready_for_discharge_at = r.map(at);
    e.facts.discharged_at = d.map(at);
    e
}

proptest! {
    #[test]
    fn one_decision_per_episode_and_party_independent_of_order(
        raw in proptest::collection::vec(arb_episode(), 0..30),
        which in 0usize..3,
        seed in any::<u64>(),
    ) {
        let p = policy([P000, P001, P002][which]);
        let eps: Vec<EpisodeInput> = raw.into_iter().enumerate().map(|(n, r)| build(n, r)).collect();
        let today = date("2023-05-20");
        let ds = reconcile(&p, window(), &eps, today);
        let want: usize = eps.iter().map(|e| e.facts.parties().len()).sum();
        prop_assert_eq!(ds.len(), want);
        for e in &eps {
            for party in e.facts.parties() {
                prop_assert_eq!(ds.iter().filter(|d| d.episode == e.id && d.party == party).count(), 1);
            }
        }
        let mut shuffled = eps.clone();
        let len = shuffled.len();
        if len > 1 {
            let mut s = seed;
            for i in (1..len).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        prop_assert_eq!(reconcile(&p, window(), &shuffled, today), ds);
    }
}

proptest! {
    #[test]
    fn one_sip_decision_per_party_independent_of_order(
        raw in proptest::collection::vec((0u32..40 * 24 * 60, 0usize..3, 0usize..4, any::<bool>()), 0..20),
    ) {
        let p = policy(P002);
        let base = ts("2024-01-01 00:00");
        let parties = [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];
        let sips: Vec<SipInput> = raw
            .iter()
            .enumerate()
            .map(|(n, (m, st, ini, with_ward))| SipInput {
                id: uuid::Uuid::from_u128(n as u128),
                episode: None,
                created_at: base.checked_add(jiff::SignedDuration::from_mins(*m as i64)).unwrap(),
                state: [SipState::NotHeld, SipState::PlanCreated, SipState::Closed][*st],
                initiator: parties[*ini],
                participants: if *with_ward { [Party::Ward, Party::Municipality].into() } else { BTreeSet::new() },
                meeting_on: None,
                held_on: None,
                goals: Vec::new(),
                activities: Vec::new(),
            })
            .collect();
        let today = date("2024-02-20");
        let ds = reconcile_sips(&p, &sips, today);
        for s in &sips {
            let mut want = s.participants.clone();
            want.insert(s.initiator);
            let got: Vec<Party> = ds.iter().filter(|d| d.sip == s.id).map(|d| d.party).collect();
            prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        }
        let mut rev = sips.clone();
        rev.reverse();
        prop_assert_eq!(reconcile_sips(&p, &rev, today), ds);
    }
}

proptest! {
    /// The SIP agreements of an episode give the same decisions in any order
    /// (several agreements at one instant included).
    #[test]
    fn sip_agreements_in_any_order_give_the_same_decisions(
        raw in proptest::collection::vec((0u8..3, 0u8..2, 0u32..20, 0usize..4, 0usize..4), 0..8),
        which in 0usize..2,
    ) {
        let p = policy([P000, P001][which]);
        let parties = [Party::Ward, Party::Municipality, Party::PrimaryCare, Party::OutpatientPsychiatry];
        let mut e = ep(1, "2023-05-02 10:30", None, None, false);
        e.sips_agreed = raw
            .iter()
            .map(|(hour, via, day, a, b)| SipAgreed {
                at: ts(&format!("2023-05-02 {:02}:00", 10 + hour)),
                via: if *via == 0 { SipAgreedVia::Phone } else { SipAgreedVia::System },
                meeting_on: date("2023-05-10").checked_add(jiff::Span::new().days(i64::from(*day))).unwrap(),
                parties: [parties[*a], parties[*b]].into_iter().collect(),
            })
            .collect();
        let ds = decide(&p, e.clone(), "2023-05-04");
        e.sips_agreed.reverse();
        prop_assert_eq!(decide(&p, e, "2023-05-04"), ds);
    }
}
