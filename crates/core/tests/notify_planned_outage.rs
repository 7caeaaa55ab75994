//! Walks a planned Melior outage under Region Gävleborg's notification
//! policy (seed 003 §4.3–§4.4) from its declaration, through three weeks,
//! one week and one day before, an amendment and the restart, with an
//! injected clock that moves in 15-minute steps. At every step the facts
//! known at that moment are folded from the outage's timeline, the plan is
//! made again, and a minimal outbox inserts new keys and sends what is due.
//! The test asserts every message sent, its channel, group and time, and
//! that re-planning never produced a second message for a key.
//!
//! The stop is on Easter Monday 2026-04-06, 08:00–12:00, so the walk
//! crosses the switch to summer time (2026-03-29) and the Easter holidays.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use reserv_core::catalogue::Catalogue;
use reserv_core::ids::{EntryId, OutageId, SystemId};
use reserv_core::notify::{self, Channel, OutageFacts, PlannedMessage};
use reserv_core::outage::{Actor, Amendment, Declaration, Outage, OutageChange, OutageEvent, OutageKind, Scope};
use uuid::Uuid;

const POLICY: &str = include_str!("../../../data/notifications/003-gavleborg.toml");
const SYSTEMS: &str = include_str!("../../../data/systems.toml");
const LINK: &str = "https://reserv.example.org/outages/melior-2026-04-06";

fn utc(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The clock the test moves; nothing here reads the real one.
struct Clock(Timestamp);

impl Clock {
    fn now(&self) -> Timestamp {
        self.0
    }
    fn advance(&mut self, by: SignedDuration) {
        self.0 += by;
    }
}

/// The outage's timeline as IT records it, each change at its instant.
fn timeline() -> Vec<OutageEvent> {
    let event = |seq: u32, at: &str, change: OutageChange| OutageEvent {
        id: EntryId(Uuid::from_u128(u128::from(seq) + 1)),
        outage_id: OutageId(Uuid::from_u128(42)),
        seq,
        at: utc(at),
        actor: Actor { user_id: None, name: "IT-förvaltningen".into() },
        node: "n1".into(),
        change,
    };
    // Tuesday 2026-02-10 09:15 CET: IT declares the stop, Easter Monday
    // 08:00–12:00 CEST (06:00Z–10:00Z).
    let declared = reserv_core::outage::declare(
        Declaration {
            system: SystemId::parse("melior").unwrap(),
            kind: OutageKind::Planned,
            scope: Scope::Region,
            start: utc("2026-04-06T06:00:00Z"),
            expected_end: Some(utc("2026-04-06T10:00:00Z")),
            notice: "Uppgradering av Melior. Läsdatabasen är tillgänglig.".into(),
            drill: false,
            public_notice: String::new(),
        },
        utc("2026-02-10T08:15:00Z"),
    )
    .unwrap();
    let mut events = vec![event(0, "2026-02-10T08:15:00Z", declared)];
    // Thursday 2026-04-02 10:00 CEST: the end moves to 13:00.
    let o = Outage::fold(&events).unwrap();
    let later = Amendment { expected_end: Some(utc("2026-04-06T11:00:00Z")), ..Default::default() };
    events.push(event(
        1,
        "2026-04-02T08:00:00Z",
        reserv_core::outage::amend(&o, later, utc("2026-04-02T08:00:00Z")).unwrap(),
    ));
    // Easter Monday 11:45 CEST: back in service.
    let o = Outage::fold(&events).unwrap();
    let restored =
        reserv_core::outage::end(&o, utc("2026-04-06T09:45:00Z"), None, utc("2026-04-06T09:45:00Z")).unwrap();
    events.push(event(2, "2026-04-06T09:45:00Z", restored));
    events
}

/// What was known at `now`: the timeline entries recorded so far, folded.
fn facts_at(events: &[OutageEvent], now: Timestamp) -> Option<OutageFacts> {
    let known: Vec<OutageEvent> = events.iter().filter(|e| e.at <= now).cloned().collect();
    let o = Outage::fold(&known).ok()?;
    Some(OutageFacts::from_outage(&o, "Melior", LINK))
}

/// A minimal outbox: inserts keys it has not seen, ignores the rest, and
/// sends a message once when it is due.
#[derive(Default)]
struct Outbox {
    messages: BTreeMap<String, PlannedMessage>,
    sent: Vec<(Timestamp, PlannedMessage)>,
}

impl Outbox {
    fn insert(&mut self, plan: Vec<PlannedMessage>) -> usize {
        let mut new = 0;
        for m in plan {
            if !self.messages.contains_key(&m.key) {
                self.messages.insert(m.key.clone(), m);
                new += 1;
            }
        }
        new
    }

    fn send_due(&mut self, now: Timestamp) {
        for m in self.messages.values() {
            if m.due_at <= now && !self.sent.iter().any(|(_, s)| s.key == m.key) {
                self.sent.push((now, m.clone()));
            }
        }
        self.sent.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
    }
}

#[test]
fn planned_melior_outage_from_declaration_to_restart() {
    let catalogue = Catalogue::parse(SYSTEMS).unwrap();
    let policy = notify::load("003-gavleborg.toml", POLICY, &catalogue).unwrap();
    let events = timeline();

    let mut clock = Clock(utc("2026-02-10T08:15:00Z"));
    let mut outbox = Outbox::default();
    let mut inserted_at: Vec<(Timestamp, usize)> = Vec::new();
    while clock.now() <= utc("2026-04-07T10:00:00Z") {
        let facts = facts_at(&events, clock.now()).expect("the walk starts at the declaration");
        let new = outbox.insert(notify::plan(&policy, &facts));
        if new > 0 {
            inserted_at.push((clock.now(), new));
        }
        outbox.send_due(clock.now());
        clock.advance(SignedDuration::from_mins(15));
    }

    let sent: Vec<String> =
        outbox.sent.iter().map(|(at, m)| format!("{at} {} {} {}", m.channel, m.group, m.rule)).collect();
    assert_eq!(
        sent,
        [
            // At the declaration (09:15 CET): the status pages, §4.3.
            "2026-02-10T08:15:00Z status_page_internal region-units planned-plexus",
            "2026-02-10T08:15:00Z status_page_public private-providers planned-samverkanswebben",
            // Three weeks before: Monday 2026-03-16 08:00 CET (still winter time).
            "2026-03-16T07:00:00Z email deputy-health-care-director planned-info-three-weeks",
            "2026-03-16T07:00:00Z email heads-of-department planned-info-three-weeks",
            "2026-03-16T07:00:00Z email health-care-director planned-info-three-weeks",
            "2026-03-16T07:00:00Z email private-provider-office planned-private-provider-office",
            // One week before: Monday 2026-03-30 08:00 CEST (summer time since the 29th).
            "2026-03-30T06:00:00Z email heads-of-department planned-reminder-one-week",
            // One day before is Easter Day; Easter Eve and Good Friday are no
            // working days either: Maundy Thursday 07:30 CEST.
            "2026-04-02T05:30:00Z email heads-of-department planned-reminder-one-day",
            // The restart, Easter Monday 11:45 CEST, §4.4.
            "2026-04-06T09:45:00Z email deputy-health-care-director restored-mail-planned",
            "2026-04-06T09:45:00Z email heads-of-department restored-mail-planned",
            "2026-04-06T09:45:00Z email health-care-director restored-mail-planned",
            "2026-04-06T09:45:00Z status_page_internal region-units restored-plexus",
            "2026-04-06T09:45:00Z status_page_public private-providers restored-samverkanswebben-planned",
        ]
    );
    // Every message went out at its due time, to the minute.
    for (at, m) in &outbox.sent {
        assert_eq!(*at, m.due_at, "{}", m.key);
    }
    // The declaration planned eight messages ahead (all but the restart's
    // five); the amendment of 2026-04-02 added none: same keys. Only the
    // restart added new keys.
    assert_eq!(inserted_at, [(utc("2026-02-10T08:15:00Z"), 8), (utc("2026-04-06T09:45:00Z"), 5)]);
    assert_eq!(outbox.messages.len(), outbox.sent.len());

    // The texts: the three-week mail as it was planned at the declaration,
    // the restart mail with the restore time, the SMS channel never used.
    let info = &outbox.messages["planned-info-three-weeks:heads-of-department:0"];
    assert_eq!(info.subject, "Planerat driftstopp i Melior 2026-04-06 08:00");
    assert_eq!(
        info.body,
        "Informationsmaterial: planerat driftstopp i Melior.\n\
         Start: 2026-04-06 08:00. Beräknat slut: 2026-04-06 12:00.\n\
         Uppgradering av Melior. Läsdatabasen är tillgänglig.\n\
         Driftstoppsrutin: https://reserv.example.org/outages/melior-2026-04-06\n\
         Det är varje VC:s uppdrag att skicka ut information i linje till medarbetarna i verksamheten."
    );
    assert!(info.cite.starts_with("003 §4.3: Informationsmaterial mailas ut till HSD, bitr. HSD och VC tre veckor"));
    let restart = &outbox.messages["restored-mail-planned:heads-of-department:0"];
    assert_eq!(restart.subject, "Melior är åter i drift");
    assert!(restart.body.starts_with("Melior är åter i drift sedan 2026-04-06 11:45."));
    assert!(outbox.messages.values().all(|m| m.channel != Channel::Sms && m.unless_acknowledged.is_none()));
}

#[test]
fn replanning_after_amending_the_end_keeps_every_key() {
    let catalogue = Catalogue::parse(SYSTEMS).unwrap();
    let policy = notify::load("003-gavleborg.toml", POLICY, &catalogue).unwrap();
    let events = timeline();
    let before = notify::plan(&policy, &facts_at(&events, utc("2026-04-01T08:00:00Z")).unwrap());
    let after = notify::plan(&policy, &facts_at(&events, utc("2026-04-02T08:00:00Z")).unwrap());
    let keys = |plan: &[PlannedMessage]| plan.iter().map(|m| (m.key.clone(), m.due_at)).collect::<Vec<_>>();
    assert_eq!(keys(&before), keys(&after));
    // The plan made after the amendment carries the new end in its texts.
    let reminder = after.iter().find(|m| m.key == "planned-reminder-one-day:heads-of-department:0").unwrap();
    assert!(reminder.body.contains("Beräknat slut: 2026-04-06 13:00."), "{}", reminder.body);
}
