//! Tests of the outbox: expansion, the delivery fold, scheduling,
//! acknowledgement and the recipients file.

use super::*;
use uuid::Uuid;

/// Increasing ids for test records (the core makes none of its own).
fn next_uuid() -> Uuid {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    Uuid::from_u128(u128::from(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn person(id: &str, email: Option<&str>, phone: Option<&str>) -> Recipient {
    Recipient {
        id: id.into(),
        name: format!("Person {id}"),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        username: None,
    }
}

fn planned(key: &str, channel: Channel, group: &str) -> Planned {
    Planned {
        key: key.into(),
        rule: "r1".into(),
        cite: "Rutin 001, avsnitt 2".into(),
        channel,
        sender: "it".into(),
        group: group.into(),
        due_at: t("2026-11-23T08:00:00Z"),
        subject: "Driftstörning i Lifecare SP".into(),
        body: "Lifecare SP går inte att nå. Använd reservrutinen – logga samtal i Reserv.".into(),
        unless_acknowledged: None,
    }
}

fn one(p: &Planned, recipients: &Recipients) -> Vec<OutboxMessage> {
    expand(OutageId(Uuid::nil()), p, recipients, t("2026-11-23T07:00:00Z"), "n", &mut || EntryId(next_uuid()))
}

fn ev(msg: &OutboxMessage, seq: u32, at: &str, change: DeliveryChange) -> DeliveryEvent {
    DeliveryEvent { id: EntryId(next_uuid()), message_id: msg.id, seq, at: t(at), node: "n".into(), change }
}

fn recipients() -> Recipients {
    [
        (
            "it-jour".to_owned(),
            vec![person("a", Some("a@example.org"), Some("070-123 45 67")), person("b", None, None)],
        ),
        ("tom".to_owned(), vec![]),
    ]
    .into()
}

#[test]
fn per_person_channels_expand_to_each_person_and_empty_groups_stay_visible() {
    let r = recipients();
    let mails = one(&planned("k", Channel::Email, "it-jour"), &r);
    assert_eq!(mails.iter().map(|m| m.recipient_key()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(mails[0].address(), Ok(Address::Email("a@example.org".into())));
    assert_eq!(mails[1].address(), Err(NoAddress::NoEmail { name: "Person b".into() }));
    for group in ["tom", "no-such-group"] {
        let m = one(&planned("k", Channel::Sms, group), &r);
        assert_eq!(m.len(), 1, "a group with nobody still gives one message");
        assert_eq!(m[0].address(), Err(NoAddress::EmptyGroup { group: group.into() }));
    }
    let hook = one(&planned("k", Channel::Webhook, "it-jour"), &r);
    assert_eq!((hook.len(), hook[0].address()), (1, Ok(Address::Endpoint)));
    let sms = one(&planned("k", Channel::Sms, "it-jour"), &r);
    assert_eq!(sms[0].address(), Ok(Address::Phone("+46701234567".into())));
    assert_eq!(sms[1].address(), Err(NoAddress::NoPhone { name: "Person b".into() }));
}

#[test]
fn phone_numbers_and_addresses() {
    assert_eq!(normalize_phone("070-123 45 67").as_deref(), Some("+46701234567"));
    assert_eq!(normalize_phone("+46 70 123 45 67").as_deref(), Some("+46701234567"));
    assert_eq!(normalize_phone("0046701234567").as_deref(), Some("+46701234567"));
    for bad in ["", "abc", "12345", "+46 70 12x", "701234567"] {
        assert_eq!(normalize_phone(bad), None, "{bad:?}");
    }
    assert!(valid_email("anna.andersson@rvn.se"));
    for bad in ["", "anna", "anna@", "@rvn.se", "a b@rvn.se", "a@rvn", "a@rvn.se\r\nBcc: x@y.z", "<a@b.se>"] {
        assert!(!valid_email(bad), "{bad:?}");
    }
}

#[test]
fn a_message_is_due_at_its_time_and_not_before() {
    let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
    let s = fold(m, &[]);
    assert_eq!((s.status, s.next_at), (Status::Queued, Some(m.due_at)));
    assert_eq!(step(m, &s, t("2026-11-23T07:59:59Z"), None), Step::Wait);
    let send = Step::Send { attempt: 1, address: Address::Email("a@example.org".into()) };
    assert_eq!(step(m, &s, t("2026-11-23T08:00:00Z"), None), send);
    // After a week of downtime, still due (catch-up).
    assert_eq!(step(m, &s, t("2026-11-30T08:00:00Z"), None), send);
}

#[test]
fn backoff_doubles_to_a_cap_and_gives_up_after_the_maximum() {
    let p = RetryPolicy::default();
    let delays: Vec<i64> = (1..=8).map(|a| p.delay(a).as_secs()).collect();
    assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1800, 1800]);
    assert_eq!(p.delay(u32::MAX), p.max_delay, "no overflow");
    let now = t("2026-11-23T08:00:00Z");
    assert_eq!(
        outcome(Err(Failure::transient("421 upptaget")), 1, now, &p),
        DeliveryChange::Retrying { error: "421 upptaget".into(), next_at: t("2026-11-23T08:00:30Z") }
    );
    assert!(matches!(outcome(Err(Failure::transient("x")), 8, now, &p), DeliveryChange::Failed { .. }));
    assert!(matches!(outcome(Err(Failure::permanent("550")), 1, now, &p), DeliveryChange::Failed { .. }));
    assert!(matches!(outcome(Err(Failure::ambiguous("time-out")), 1, now, &p), DeliveryChange::Unknown { .. }));
    assert_eq!(outcome(Ok("250 OK".into()), 3, now, &p), DeliveryChange::Sent { receipt: "250 OK".into() });
}

#[test]
fn the_timeline_folds_through_retry_to_sent() {
    let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
    let claim = |attempt| DeliveryChange::Claimed { attempt, token_hash: None };
    let retry = DeliveryChange::Retrying { error: "421".into(), next_at: t("2026-11-23T08:00:40Z") };
    let events = vec![
        ev(m, 0, "2026-11-23T08:00:05Z", claim(1)),
        ev(m, 1, "2026-11-23T08:00:10Z", retry),
        ev(m, 2, "2026-11-23T08:00:45Z", claim(2)),
    ];
    let s = fold(m, &events[..2]);
    assert_eq!((s.status, s.attempts, s.next_at), (Status::Retrying, 1, Some(t("2026-11-23T08:00:40Z"))));
    assert_eq!(step(m, &s, t("2026-11-23T08:00:39Z"), None), Step::Wait);
    assert!(matches!(step(m, &s, t("2026-11-23T08:00:40Z"), None), Step::Send { attempt: 2, .. }));
    let s = fold(m, &events);
    assert_eq!((s.status, s.next_seq), (Status::Sending, 3));
    // A live claim is left alone; a stale one becomes unknown, never resent.
    assert_eq!(step(m, &s, t("2026-11-23T08:01:00Z"), None), Step::Wait);
    assert!(matches!(step(m, &s, t("2026-11-23T08:05:45Z"), None), Step::Record(DeliveryChange::Unknown { .. })));
    let mut done = events.clone();
    done.push(ev(m, 3, "2026-11-23T08:00:46Z", DeliveryChange::Sent { receipt: "250".into() }));
    let s = fold(m, &done);
    assert_eq!((s.status, s.next_at, s.error.clone()), (Status::Sent, None, None));
    assert_eq!(step(m, &s, t("2026-12-23T08:00:00Z"), None), Step::Wait, "sent is final");
}

#[test]
fn escalation_goes_out_only_if_the_earlier_message_is_unacknowledged() {
    let mut p = planned("r:chefer:2", Channel::Sms, "it-jour");
    p.unless_acknowledged = Some("r:it-jour:1".into());
    let m = &one(&p, &recipients())[0];
    let s = fold(m, &[]);
    let now = t("2026-11-23T08:30:00Z");
    assert!(matches!(step(m, &s, now, None), Step::Send { .. }));
    let ack = Ack { at: t("2026-11-23T08:10:00Z"), by: "Anna".into(), user_id: None, via: AckVia::Link };
    assert!(matches!(step(m, &s, now, Some(&ack)), Step::Record(DeliveryChange::Skipped { .. })));
}

#[test]
fn acknowledgements_stand_once_and_links_expire() {
    let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[0];
    let s = fold(m, &[]);
    let now = t("2026-11-23T09:00:00Z");
    let issued = Some(t("2026-11-23T08:00:00Z"));
    let change = acknowledge(&s, "Anna", None, AckVia::Link, issued, now).unwrap().unwrap();
    let s = fold(m, &[ev(m, 0, "2026-11-23T09:00:00Z", change)]);
    assert_eq!(s.acknowledged.as_ref().map(|a| a.by.as_str()), Some("Anna"));
    assert_eq!(acknowledge(&s, "Bo", None, AckVia::Ui, None, now), Ok(None), "the first acknowledgement stands");
    let late = t("2026-12-24T08:00:00Z");
    assert_eq!(acknowledge(&fold(m, &[]), "Anna", None, AckVia::Link, issued, late), Err(AckRefused::Expired));
    assert!(acknowledge(&fold(m, &[]), "IT", None, AckVia::Ui, None, late).unwrap().is_some());
    // Acknowledged before it was due: not sent at all.
    assert!(matches!(step(m, &s, now, None), Step::Record(DeliveryChange::Skipped { .. })));
    assert!(is_ack_token(&"ab".repeat(32)));
    assert!(!is_ack_token(&"AB".repeat(32)) && !is_ack_token("abc"));
}

#[test]
fn a_message_without_an_address_fails_with_the_reason_and_only_bad_ends_are_requeued() {
    let m = &one(&planned("k", Channel::Email, "it-jour"), &recipients())[1];
    let s = fold(m, &[]);
    let Step::Record(DeliveryChange::Failed { error }) = step(m, &s, t("2026-11-23T08:00:00Z"), None) else {
        panic!("must fail");
    };
    assert!(error.contains("saknar e-postadress"), "{error}");
    let failed = fold(m, &[ev(m, 0, "2026-11-23T08:00:00Z", DeliveryChange::Failed { error })]);
    let again = requeue(&failed, "IT", None).unwrap();
    let s = fold(
        m,
        &[
            ev(m, 0, "2026-11-23T08:00:00Z", DeliveryChange::Failed { error: "x".into() }),
            ev(m, 1, "2026-11-23T09:00:00Z", again),
        ],
    );
    assert_eq!((s.status, s.next_at), (Status::Queued, Some(t("2026-11-23T09:00:00Z"))));
    assert_eq!(requeue(&s, "IT", None), Err(RequeueRefused::NotFinishedBadly(Status::Queued)));
}

#[test]
fn composed_texts_carry_the_link_and_no_header_breaks() {
    let r = recipients();
    let mut p = planned("k", Channel::Email, "it-jour");
    p.subject = "Driftstörning\r\nBcc: x@y.z".into();
    let m = &one(&p, &r)[0];
    let (subject, body) =
        compose(m, Some("https://reserv.example/status/outages/1"), Some("https://reserv.example/ack/abc"));
    assert_eq!(subject, "Driftstörning  Bcc: x@y.z");
    assert!(body.starts_with("Lifecare SP går inte att nå.") && body.contains("https://reserv.example/ack/abc"));
    assert!(body.contains("Avbrottet i Reserv: https://reserv.example/status/outages/1"), "{body}");
    let sms = &one(&planned("k", Channel::Sms, "it-jour"), &r)[0];
    let (_, text) = compose(sms, Some("https://r/status/outages/1"), Some("https://r/ack/x"));
    assert!(
        text.starts_with("Driftstörning i Lifecare SP: Lifecare SP") && text.ends_with("Kvittera: https://r/ack/x")
    );
}

#[test]
fn an_unsent_message_follows_the_plan_and_a_sent_one_keeps_what_it_was_sent_with() {
    let r = recipients();
    let p = planned("k", Channel::Email, "it-jour");
    let m = &one(&p, &r)[0];
    let s = fold(m, &[]);
    assert_eq!(replan(m, &s, &p), None, "nothing changed");
    let mut later = p.clone();
    later.due_at = t("2026-11-24T08:00:00Z");
    later.body = "Nytt beräknat slut: 14.00.".into();
    let change = replan(m, &s, &later).unwrap();
    let s = fold(m, &[ev(m, 0, "2026-11-23T07:30:00Z", change.clone())]);
    assert_eq!(s.next_at, Some(later.due_at));
    assert_eq!(effective(m, &s).body, "Nytt beräknat slut: 14.00.");
    assert_eq!(replan(m, &s, &later), None, "already up to date");
    assert_eq!(step(m, &s, t("2026-11-23T08:00:00Z"), None), Step::Wait, "the old due time no longer counts");
    assert!(matches!(withdraw(&s), Some(DeliveryChange::Skipped { .. })));
    let claimed = DeliveryChange::Claimed { attempt: 1, token_hash: None };
    let sent = fold(
        m,
        &[
            ev(m, 0, "2026-11-23T08:00:00Z", claimed),
            ev(m, 1, "2026-11-23T08:00:01Z", DeliveryChange::Sent { receipt: "250".into() }),
        ],
    );
    assert_eq!((replan(m, &sent, &later), withdraw(&sent)), (None, None));
}

#[test]
fn recipients_files_are_checked() {
    let ok = "[[person]]\nid = \"a\"\nname = \"Anna Å\"\nemail = \"a@example.org\"\nphone = \"070-1234567\"\ngroups = [\"it-jour\", \"chefer\"]\n";
    let r = parse_recipients("r.toml", ok).unwrap();
    assert_eq!(r["chefer"][0].name, "Anna Å");
    let bad = "[[person]]\nid = \"a\"\nname = \"A\"\nemail = \"nope\"\nphone = \"12\"\ngroups = []\n";
    let errs = parse_recipients("r.toml", bad).unwrap_err();
    let got: Vec<(Option<usize>, String)> = errs.iter().map(|e| (e.line, e.code())).collect();
    assert_eq!(
        got,
        [
            (Some(4), "recipients_invalid_email".to_owned()),
            (Some(5), "recipients_invalid_phone".to_owned()),
            (Some(6), "recipients_no_recipients".to_owned()),
        ]
    );
    let twice = format!("{ok}{}", ok.replace("\"it-jour\", ", "\"it-jour\", \"it-jour\", "));
    let errs = parse_recipients("r.toml", &twice).unwrap_err();
    let codes: Vec<String> = errs.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["recipients_duplicate_person", "recipients_duplicate_recipient"], "{errs:?}");
    let e = parse_recipients("r.toml", "[[persn]]\n").unwrap_err();
    assert!(e[0].to_string().starts_with("r.toml:1: not a recipients file"), "{}", e[0]);
}
