//! Snapshot tests of back-entry worklists: for each shipped policy, one
//! outage with a patient of every kind (outside the window, in hospital
//! throughout, discharged during, admitted during, psychiatric, a
//! contradiction), a few logged calls and some work done, rendered as the
//! plain text a ward, municipality or primary-care centre would read. The
//! expected text is in `tests/snapshots/`; a change to a policy or the engine
//! shows up as a readable diff. Set `RESERV_UPDATE_SNAPSHOTS=1` to rewrite
//! the files after checking the change is intended.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use jiff::{SignedDuration, Timestamp};

use reserv_core::backentry::{Call, EpisodeInput, Outcome, Window, check_policy, reconcile};
use reserv_core::handover::{EpisodeFacts, MessageType, Party};
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId};
use reserv_core::org::WardType;
use reserv_core::outage::Actor;
use reserv_core::worklist::{self, WorkChange, WorkEvent, WorkLine, WorkState};

fn org(s: &str) -> OrgId {
    OrgId::parse(s).unwrap()
}

fn hours(w: Window, h: i64) -> Timestamp {
    w.start + SignedDuration::from_hours(h)
}

struct Case {
    name: &'static str,
    admitted: i64,
    ready: Option<i64>,
    discharged: Option<i64>,
    psych: bool,
    calls: &'static [(i64, Party, Party, MessageType)],
}

const CASES: &[Case] = &[
    Case { name: "ended before", admitted: -200, ready: None, discharged: Some(-100), psych: false, calls: &[] },
    Case { name: "in throughout", admitted: -50, ready: None, discharged: None, psych: false, calls: &[] },
    Case {
        name: "ready during",
        admitted: -50,
        ready: Some(3),
        discharged: None,
        psych: false,
        calls: &[(3, Party::Ward, Party::Municipality, MessageType::ReadyForDischarge)],
    },
    Case {
        name: "discharged during",
        admitted: -50,
        ready: Some(-10),
        discharged: Some(5),
        psych: false,
        calls: &[(5, Party::Ward, Party::Municipality, MessageType::DischargeNotice)],
    },
    Case {
        name: "admitted during",
        admitted: 2,
        ready: None,
        discharged: None,
        psych: false,
        calls: &[
            (2, Party::Ward, Party::Municipality, MessageType::Admission),
            (3, Party::Municipality, Party::Ward, MessageType::CurrentServices),
        ],
    },
    Case {
        name: "in and out during",
        admitted: 1,
        ready: None,
        discharged: Some(6),
        psych: false,
        calls: &[(3, Party::PrimaryCare, Party::Municipality, MessageType::SipInvitation)],
    },
    Case { name: "psychiatric during", admitted: 2, ready: None, discharged: None, psych: true, calls: &[] },
    Case { name: "admitted after", admitted: 40, ready: None, discharged: None, psych: false, calls: &[] },
    Case { name: "contradiction", admitted: 4, ready: None, discharged: Some(1), psych: false, calls: &[] },
];

fn episodes(w: Window) -> Vec<EpisodeInput> {
    CASES
        .iter()
        .enumerate()
        .map(|(n, c)| EpisodeInput {
            id: EpisodeId(uuid::Uuid::from_u128(n as u128 + 1)),
            facts: EpisodeFacts {
                ward: org(if c.psych { "avd-psyk" } else { "avd-med" }),
                ward_type: if c.psych { WardType::Psychiatric } else { WardType::Somatic },
                municipality: org("kommun-a"),
                primary_care: org("hc-a"),
                outpatient_psychiatry: Some(org("psyk-oppen")),
                admitted_at: hours(w, c.admitted),
                estimated_discharge_known_at: None,
                ready_for_discharge_at: c.ready.map(|h| hours(w, h)),
                discharged_at: c.discharged.map(|h| hours(w, h)),
            },
            designated_care_contact: Some("Distriktssköterska".into()),
            calls: c
                .calls
                .iter()
                .map(|(h, from, to, m)| Call { at: hours(w, *h), from: *from, to: *to, messages: BTreeSet::from([*m]) })
                .collect(),
            patient: None,
            discharge_destination: None,
            extensive_long_term_services: None,
            sips_agreed: Vec::new(),
        })
        .collect()
}

fn render(lines: &[WorkLine]) -> String {
    let mut out = String::new();
    let mut sorted: Vec<&WorkLine> = lines.iter().collect();
    sorted.sort_by_key(|l| (l.org.clone(), l.episode, l.party));
    let mut current: Option<&OrgId> = None;
    for l in sorted {
        if current != Some(&l.org) {
            let (_, all) =
                worklist::progress_by_org(&lines.iter().filter(|x| x.org == l.org).cloned().collect::<Vec<_>>());
            writeln!(out, "== {} ({} of {} resolved) ==", l.org, all.done + all.skipped, all.total).unwrap();
            current = Some(&l.org);
        }
        let case = CASES[(l.episode.0.as_u128() - 1) as usize].name;
        let outcome = match &l.outcome {
            Outcome::BackEnter => "back-enter".to_owned(),
            Outcome::NothingToEnter { reason } => format!("nothing to enter: {reason}"),
            Outcome::NeedsReview => "needs review".to_owned(),
        };
        writeln!(out, "{case} / {} [{}]: {outcome}", l.party.key(), l.rule.as_deref().unwrap_or("-")).unwrap();
        for i in &l.items {
            let values: Vec<String> = i.item.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let state = match &i.status {
                None => String::new(),
                Some(s) => match s.state {
                    WorkState::Open => " → open".to_owned(),
                    WorkState::Done => format!(" → done by {}", s.resolved_by.as_deref().unwrap_or("?")),
                    WorkState::Skipped => format!(" → skipped: {}", s.note.as_deref().unwrap_or("")),
                },
            };
            writeln!(
                out,
                "  {} {}{}{state}\n      “{}”",
                i.item.kind.key(),
                i.item.code.key(),
                if values.is_empty() { String::new() } else { format!(" ({})", values.join(", ")) },
                i.item.cite
            )
            .unwrap();
        }
    }
    out
}

fn check(name: &str, policy_text: &str, window: Window, today: &str) {
    let policy = check_policy(name, policy_text).unwrap();
    let eps = episodes(window);
    let decisions = reconcile(&policy, window, &eps, today.parse().unwrap());
    let blank = worklist::build(&decisions, &eps, &[]);
    // Some work done: the first tracked item of each party's first line.
    let mut events = Vec::new();
    for (n, party) in [Party::Ward, Party::Municipality].into_iter().enumerate() {
        if let Some(item) =
            blank.iter().filter(|l| l.party == party).flat_map(|l| &l.items).find(|i| i.status.is_some())
        {
            events.push(WorkEvent {
                id: EntryId(uuid::Uuid::from_u128(1000 + n as u128)),
                outage_id: OutageId(uuid::Uuid::from_u128(99)),
                key: item.key,
                at: window.end + SignedDuration::from_hours(1),
                actor: Actor { user_id: None, name: "Ssk Test".into() },
                org: org("avd-med"),
                node: "test".into(),
                change: if n == 0 {
                    WorkChange::Done { note: String::new() }
                } else {
                    WorkChange::Skipped { reason: "Redan registrerat".into() }
                },
            });
        }
    }
    let text = render(&worklist::build(&decisions, &eps, &events));
    let path = format!("{}/tests/snapshots/worklist-{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("RESERV_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (RESERV_UPDATE_SNAPSHOTS=1 writes it)"));
    if want != text {
        let first = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(text.lines().count()));
        panic!(
            "{path} differs from the computed worklist at line {}:\n  expected: {:?}\n  computed: {:?}\n(RESERV_UPDATE_SNAPSHOTS=1 rewrites it)",
            first + 1,
            want.lines().nth(first),
            text.lines().nth(first)
        );
    }
}

fn at(s: &str) -> Timestamp {
    jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
        .unwrap()
        .to_zoned(reserv_core::time::stockholm())
        .unwrap()
        .timestamp()
}

#[test]
fn prator_vasterbotten_2023() {
    let w = Window { start: at("2023-05-02 08:00"), end: at("2023-05-03 16:00") };
    check(
        "prator-vasterbotten-2023",
        include_str!("../../../data/policies/prator-vasterbotten-2023.toml"),
        w,
        "2023-05-04",
    );
}

#[test]
fn lifecare_sp_vasternorrland_2025() {
    let w = Window { start: at("2025-11-03 08:00"), end: at("2025-11-04 10:00") };
    check(
        "lifecare-sp-vasternorrland-2025",
        include_str!("../../../data/policies/lifecare-sp-vasternorrland-2025.toml"),
        w,
        "2025-11-05",
    );
}

#[test]
fn prator_long_outage_2024() {
    // Seed 002: 2024-01-17 to 2024-02-01, back on 2024-02-02 08:00.
    let w = Window { start: at("2024-01-17 08:00"), end: at("2024-02-02 08:00") };
    check(
        "prator-long-outage-2024",
        include_str!("../../../data/policies/prator-long-outage-2024.toml"),
        w,
        "2024-02-02",
    );
}
