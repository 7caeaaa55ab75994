//! The contract test suite every storage backend must pass. A backend's own
//! tests call [`run_all`] with a fresh, empty store.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use reserv_core::backentry::ItemCode;
use reserv_core::checklist::TickEvent;
use reserv_core::deviation::{Category, DeviationReport, Severity, Subject};
use reserv_core::episode::{Channel, EpisodeChange, EpisodeEvent, LogEntry};
use reserv_core::handover::Party;
use reserv_core::handover::{Direction, MessageType};
use reserv_core::identity::PatientId;
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, SystemId, UserId};
use reserv_core::org::WardType;
use reserv_core::org::{OrgKind, Organisation, Role};
use reserv_core::outage::{Actor, Outage, OutageChange, OutageEvent, OutageKind, Scope};
use reserv_core::routine::RoutineRole;
use reserv_core::worklist::{ItemKey, WorkChange, WorkEvent};

use crate::{
    AuditPatient, AuditQuery, AuditRecord, AuditScope, OutageSpan, PatientReadQuery, SessionKind, SessionRecord, Store,
    StoreError, UserRecord,
};

fn t0() -> Timestamp {
    "2026-11-23T08:00:00Z".parse().unwrap()
}

fn audit(action: &str) -> AuditRecord {
    AuditRecord {
        id: EntryId(Uuid::now_v7()),
        at: t0(),
        actor_id: None,
        actor: "contract".into(),
        org: None,
        action: action.into(),
        target: None,
        origin: "test".into(),
        detail: String::new(),
        node: "test".into(),
    }
}

fn org(id: &str, kind: OrgKind, parent: Option<&str>) -> Organisation {
    Organisation {
        id: OrgId::parse(id).unwrap(),
        kind,
        name: format!("Org {id}"),
        parent: parent.map(|p| OrgId::parse(p).unwrap()),
        ward_type: None,
        switchboard: Some("0611-800 00".into()),
        direct_phone: None,
    }
}

fn user(name: &str) -> UserRecord {
    UserRecord {
        id: UserId(Uuid::now_v7()),
        username: name.into(),
        display_name: format!("Person {name}"),
        org: OrgId::parse("region-c").unwrap(),
        role: Role::It,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".into(),
        failed_logins: 0,
        locked_until: None,
        created_at: t0(),
        routine_roles: vec![RoutineRole::It, RoutineRole::Nurse],
    }
}

fn event(outage: OutageId, seq: u32, change: OutageChange) -> OutageEvent {
    OutageEvent {
        id: EntryId(Uuid::now_v7()),
        outage_id: outage,
        seq,
        at: t0() + SignedDuration::from_mins(i64::from(seq)),
        actor: Actor { user_id: None, name: "contract".into() },
        node: "test".into(),
        change,
    }
}

/// Appends `e` to the timeline `before` (the store's copy), with the span of
/// the fold of both, as the service does.
async fn append(
    store: &dyn Store,
    before: &mut Vec<OutageEvent>,
    e: OutageEvent,
    action: &str,
) -> Result<(), StoreError> {
    let mut all = before.clone();
    all.push(e.clone());
    let span = OutageSpan::of(&Outage::fold(&all).expect("a valid timeline"));
    store.append_outage_event(e, span, audit(action)).await?;
    *before = all;
    Ok(())
}

/// Runs every contract check against one fresh store.
pub async fn run_all(store: &dyn Store) {
    organisations(store).await;
    users_and_sessions(store).await;
    assert!(!store.has_outages().await.unwrap() && !store.has_episodes().await.unwrap(), "a fresh store is empty");
    outage_timelines(store).await;
    outage_spans(store).await;
    audit_log(store).await;
    episodes_and_log(store).await;
    sip_records(store).await;
    worklist_work(store).await;
    deviation_reports(store).await;
    checklist_ticks(store).await;
    outbox_messages(store).await;
    subscriptions(store).await;
    store.health_check(t0()).await.expect("health check writes");
    assert!(!store.node_id().is_empty());
    audit_chain(store).await;
}

/// Every audit record written above is a link of its node's chain, and the
/// chain verifies; the backend's append-only guards are all in place.
async fn audit_chain(store: &dyn Store) {
    let rows = store.audit_chain().await.unwrap();
    assert!(rows.len() > 20, "the checks above wrote audit records: {}", rows.len());
    assert!(rows.iter().all(|r| r.link.is_some()), "every record is chained");
    let report = crate::chain::verify(&rows);
    assert_eq!(report.broken, None, "{:?}", report.broken.as_ref().map(|b| b.message_sv()));
    assert_eq!(report.unchained, 0);
    assert_eq!(report.heads.iter().map(|h| h.records as usize).sum::<usize>(), rows.len());
    assert!(store.missing_audit_guards().await.unwrap().is_empty());
}

async fn organisations(store: &dyn Store) {
    let orgs = vec![org("region-c", OrgKind::Region, None), org("kommun-c", OrgKind::Municipality, None)];
    store.upsert_organisations(orgs.clone(), audit("directory.imported")).await.unwrap();
    // Idempotent: importing again changes nothing and duplicates nothing.
    store.upsert_organisations(orgs.clone(), audit("directory.imported")).await.unwrap();
    let mut got = store.organisations().await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got.len(), 2);
    assert_eq!(store.organisation(&OrgId::parse("kommun-c").unwrap()).await.unwrap(), Some(orgs[1].clone()));
    assert_eq!(store.organisation(&OrgId::parse("nowhere").unwrap()).await.unwrap(), None);
}

async fn users_and_sessions(store: &dyn Store) {
    let u = user("Anna");
    store.insert_user(u.clone(), audit("user.created")).await.unwrap();
    let dup = store.insert_user(user("anna"), audit("user.created")).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "usernames are unique regardless of case: {dup:?}");
    let mut orphan = user("orphan");
    orphan.org = OrgId::parse("no-such-org").unwrap();
    let r = store.insert_user(orphan, audit("user.created")).await;
    assert!(matches!(r, Err(StoreError::MissingReference(_))), "{r:?}");
    assert_eq!(store.user_by_username("ANNA").await.unwrap().map(|x| x.id), Some(u.id));
    assert_eq!(store.user(u.id).await.unwrap().map(|x| x.username), Some("Anna".into()));
    assert!(store.users().await.unwrap().iter().any(|x| x.id == u.id));

    let until = t0() + SignedDuration::from_mins(15);
    store.record_login_failure(u.id, 5, Some(until), audit("login.failed")).await.unwrap();
    let locked = store.user(u.id).await.unwrap().unwrap();
    assert_eq!((locked.failed_logins, locked.locked_until), (5, Some(until)));

    let s = SessionRecord {
        token_hash: "hash-1".into(),
        user_id: u.id,
        kind: SessionKind::Browser,
        csrf_token: "csrf-1".into(),
        created_at: t0(),
        expires_at: t0() + SignedDuration::from_hours(12),
    };
    store.record_login_success(s.clone(), audit("login.success")).await.unwrap();
    let after = store.user(u.id).await.unwrap().unwrap();
    assert_eq!((after.failed_logins, after.locked_until), (0, None), "a success resets the failure count");
    let (got, who) = store.session("hash-1", t0()).await.unwrap().expect("live session");
    assert_eq!((got, who.id), (s.clone(), u.id));
    assert!(store.session("hash-1", s.expires_at).await.unwrap().is_none(), "expired sessions are not returned");
    assert!(store.session("other", t0()).await.unwrap().is_none());
    store.delete_session("hash-1", audit("logout")).await.unwrap();
    assert!(store.session("hash-1", t0()).await.unwrap().is_none());

    // API tokens capped: the insert deletes the oldest live ones of its kind.
    let token = |n: i64, kind: SessionKind| SessionRecord {
        token_hash: format!("t-{n}-{}", kind.key()),
        kind,
        created_at: t0() + SignedDuration::from_mins(n),
        expires_at: t0() + SignedDuration::from_hours(12),
        ..s.clone()
    };
    store.record_login_success(token(0, SessionKind::Browser), audit("login.success")).await.unwrap();
    for n in 1..=3 {
        let gone = store.record_login_success_capped(token(n, SessionKind::Api), 2, audit("login.success")).await;
        assert_eq!(gone.unwrap(), u64::from(n == 3), "{n}");
    }
    let live = |h: String| async move { store.session(&h, t0() + SignedDuration::from_mins(5)).await.unwrap() };
    assert!(live("t-1-api".into()).await.is_none(), "the oldest token went");
    assert!(live("t-2-api".into()).await.is_some() && live("t-3-api".into()).await.is_some());
    assert!(live("t-0-browser".into()).await.is_some(), "browser sessions do not count");
    // Log out everywhere: every session of the user, both kinds.
    assert_eq!(store.delete_user_sessions(u.id, audit("logout.everywhere")).await.unwrap(), 3);
    assert!(live("t-0-browser".into()).await.is_none() && live("t-3-api".into()).await.is_none());
}

async fn outage_timelines(store: &dyn Store) {
    let a = OutageId(Uuid::now_v7());
    let b = OutageId(Uuid::now_v7());
    let declared = OutageChange::Declared {
        system: SystemId::parse("prator").unwrap(),
        kind: OutageKind::Unplanned,
        scope: Scope::Both,
        start: t0(),
        expected_end: None,
        notice: "Stopp i PRATOR – åäö".into(),
        drill: false,
        public_notice: "Journalsystemet fungerar inte just nu.".into(),
    };
    let ended = OutageChange::Ended { restored_at: t0() + SignedDuration::from_hours(3), notice: None };
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    append(store, &mut ta, event(a, 0, declared.clone()), "outage.declared").await.unwrap();
    append(store, &mut tb, event(b, 0, declared.clone()), "outage.declared").await.unwrap();
    let seen = ta.clone();
    append(store, &mut ta, event(a, 1, ended.clone()), "outage.ended").await.unwrap();
    // Two writers that read the same timeline: the second one loses cleanly.
    let lost = append(store, &mut seen.clone(), event(a, 1, ended.clone()), "outage.ended").await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    // A span must belong to the entry it comes with.
    let wrong = store
        .append_outage_event(event(b, 1, ended.clone()), OutageSpan::of(&Outage::fold(&ta).unwrap()), audit("outage.x"))
        .await;
    assert!(matches!(wrong, Err(StoreError::Corrupt(_))), "{wrong:?}");
    let tl = store.outage_events(a).await.unwrap();
    assert_eq!(tl.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!(tl[0].change, declared, "entries round-trip exactly");
    assert_eq!(tl[1].change, ended);
    assert_eq!(store.outage_events(b).await.unwrap().len(), 1);
    assert!(store.outage_events(OutageId(Uuid::now_v7())).await.unwrap().is_empty());
    let all = store.all_outage_events().await.unwrap();
    assert_eq!(all.iter().filter(|e| e.outage_id == a || e.outage_id == b).count(), 3);
    assert!(store.has_outages().await.unwrap());
    // The losing write left no audit record behind.
    let ended_audits = store
        .audit_log(AuditQuery { limit: 100, before: None, action_prefix: Some("outage.ended".into()), scope: None })
        .await
        .unwrap();
    assert_eq!(ended_audits.len(), 1, "a rejected write stores nothing, not even its audit record");
}

/// Outages found by time: each span follows its timeline's latest entry.
async fn outage_spans(store: &dyn Store) {
    let h = |n: i64| t0() + SignedDuration::from_hours(n);
    let declared = |start: Timestamp, kind: OutageKind, drill: bool| OutageChange::Declared {
        system: SystemId::parse("lifecare-sp").unwrap(),
        kind,
        scope: Scope::Both,
        start,
        expected_end: None,
        notice: String::new(),
        drill,
        public_notice: String::new(),
    };
    let ended = |at: Timestamp| OutageChange::Ended { restored_at: at, notice: None };
    // Far from the other checks' outages: days 100-110 after t0.
    let d = |n: i64| h(24 * 100 + n);
    let (past, open, upcoming, amended) =
        (OutageId(Uuid::now_v7()), OutageId(Uuid::now_v7()), OutageId(Uuid::now_v7()), OutageId(Uuid::now_v7()));
    let mut t = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    append(store, &mut t[0], event(past, 0, declared(d(0), OutageKind::Unplanned, false)), "outage.declared")
        .await
        .unwrap();
    append(store, &mut t[0], event(past, 1, ended(d(2))), "outage.ended").await.unwrap();
    append(store, &mut t[1], event(open, 0, declared(d(10), OutageKind::Unplanned, true)), "outage.declared")
        .await
        .unwrap();
    append(store, &mut t[2], event(upcoming, 0, declared(d(100), OutageKind::Planned, false)), "outage.declared")
        .await
        .unwrap();
    // Declared to start late, then moved earlier and ended: the span follows.
    append(store, &mut t[3], event(amended, 0, declared(d(50), OutageKind::Planned, false)), "outage.declared")
        .await
        .unwrap();
    let moved = OutageChange::Updated {
        kind: Some(OutageKind::Unplanned),
        scope: None,
        start: Some(d(4)),
        expected_end: None,
        notice: None,
        public_notice: None,
    };
    append(store, &mut t[3], event(amended, 1, moved), "outage.amended").await.unwrap();
    append(store, &mut t[3], event(amended, 2, ended(d(6))), "outage.ended").await.unwrap();

    let ours = [past, open, upcoming, amended];
    let at = |from: Timestamp, to: Timestamp| async move {
        let spans = store.outage_spans_overlapping(from, to).await.unwrap();
        spans.into_iter().filter(|s| ours.contains(&s.id)).map(|s| s.id).collect::<Vec<_>>()
    };
    assert_eq!(at(d(1), d(1)).await, vec![past]);
    assert_eq!(at(d(2), d(2)).await, vec![past], "both ends count");
    assert_eq!(at(d(3), d(3)).await, Vec::<OutageId>::new());
    assert_eq!(at(d(5), d(5)).await, vec![amended], "the amended start counts, not the declared one");
    assert_eq!(at(d(7), d(11)).await, vec![open]);
    assert_eq!(at(d(60), d(60)).await, vec![open], "an open outage lasts until it ends");
    assert_eq!(at(d(-5), d(1)).await, vec![past], "a window sees what overlaps it");
    assert_eq!(at(d(0), d(200)).await, vec![past, amended, open, upcoming], "ordered by start");

    let spans = store.outage_spans(&[amended, upcoming, OutageId(Uuid::now_v7())]).await.unwrap();
    let mut want = vec![OutageSpan::of(&Outage::fold(&t[2]).unwrap()), OutageSpan::of(&Outage::fold(&t[3]).unwrap())];
    want.sort_by_key(|s| s.id);
    assert_eq!(spans, want, "unknown ids are left out");
    assert_eq!(
        (spans.iter().find(|s| s.id == amended).unwrap().start, spans.iter().find(|s| s.id == amended).unwrap().seq),
        (d(4), 2)
    );
    assert_eq!(spans.iter().find(|s| s.id == amended).unwrap().end, Some(d(6)));

    let recent = |since: Timestamp, limit: u32| async move {
        let events = store.recent_outages(since, limit).await.unwrap();
        let mut ids: Vec<OutageId> = events.iter().map(|e| e.outage_id).filter(|o| ours.contains(o)).collect();
        ids.dedup();
        (ids, events)
    };
    let (ids, events) = recent(d(1), 10).await;
    let mut want = vec![past, open, upcoming, amended];
    want.sort();
    assert_eq!(ids, want, "open ones and those ended since, ordered by outage");
    assert_eq!(events.iter().filter(|e| e.outage_id == amended).count(), 3, "whole timelines, in seq order");
    assert!(events.iter().filter(|e| e.outage_id == amended).map(|e| e.seq).eq(0..3));
    let (ids, _) = recent(d(3), 10).await;
    let mut want = vec![open, upcoming, amended];
    want.sort();
    assert_eq!(ids, want);
    let (ids, _) = recent(d(-100), 1).await;
    let mut want = vec![open, upcoming, amended];
    want.sort();
    assert_eq!(ids, want, "at most `limit` ended ones, the most recently ended first");
    let (ids, _) = recent(d(1), 0).await;
    let mut want = vec![open, upcoming];
    want.sort();
    assert_eq!(ids, want);
}

async fn audit_log(store: &dyn Store) {
    for i in 0..5 {
        let mut r = audit("test.paging");
        r.detail = format!("n{i}");
        store.append_audit(r).await.unwrap();
    }
    let page = store
        .audit_log(AuditQuery { limit: 3, before: None, action_prefix: Some("test.".into()), scope: None })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|r| r.detail.as_str()).collect::<Vec<_>>(), vec!["n4", "n3", "n2"]);
    let next = store
        .audit_log(AuditQuery { limit: 3, before: Some(page[2].id), action_prefix: Some("test.".into()), scope: None })
        .await
        .unwrap();
    assert_eq!(next.iter().map(|r| r.detail.as_str()).collect::<Vec<_>>(), vec!["n1", "n0"]);
    let everything = store.audit_log(AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(everything.iter().any(|r| r.action == "login.success"));
    assert!(everything.iter().any(|r| r.action == "outage.declared"));
    patient_reads(store).await;
}

/// A read's patients are stored with its record; reads are found by patient,
/// episode and actor, paged, and scoped by actor organisation or episode.
async fn patient_reads(store: &dyn Store) {
    let (a, b, c) = (EpisodeId(Uuid::now_v7()), EpisodeId(Uuid::now_v7()), EpisodeId(Uuid::now_v7()));
    let p = |e: EpisodeId, pnr: &str| AuditPatient { episode: e, patient: pnr.into() };
    let mut list = audit("episode.list");
    list.actor = "reader-1".into();
    list.org = Some(OrgId::parse("avd-1").unwrap());
    store
        .append_read_audit(list.clone(), vec![p(a, "19121212-1212"), p(b, "19380412-9819"), p(c, "19121212-1212")])
        .await
        .unwrap();
    let mut other = audit("episode.read");
    other.actor = "reader-2".into();
    other.org = Some(OrgId::parse("kommun-x").unwrap());
    other.target = Some(format!("episode:{b}"));
    store.append_read_audit(other.clone(), vec![p(b, "19380412-9819")]).await.unwrap();

    let q = |f: fn(&mut PatientReadQuery)| {
        let mut q = PatientReadQuery { limit: 100, ..Default::default() };
        f(&mut q);
        q
    };
    let by_patient = store.patient_reads(q(|q| q.patient = Some("19380412-9819".into()))).await.unwrap();
    assert_eq!(by_patient.iter().map(|r| r.audit.actor.as_str()).collect::<Vec<_>>(), ["reader-2", "reader-1"]);
    let mut by_actor = q(|q| q.actor = Some("reader-1".into()));
    by_actor.limit = 2;
    let first = store.patient_reads(by_actor.clone()).await.unwrap();
    assert_eq!(first.len(), 2);
    by_actor.before = Some((first[1].audit.id, first[1].episode));
    let rest = store.patient_reads(by_actor).await.unwrap();
    assert_eq!(rest.len(), 1, "paging continues inside one read's patients");
    let mut all: Vec<EpisodeId> = first.iter().chain(&rest).map(|r| r.episode).collect();
    all.sort();
    let mut want = vec![a, b, c];
    want.sort();
    assert_eq!(all, want);
    // Scoped to the municipality with episode b: its own actor's read, and the ward's read of b only.
    let scope = AuditScope { orgs: vec![OrgId::parse("kommun-x").unwrap()], episodes: vec![b] };
    let mut scoped = q(|_| {});
    scoped.scope = Some(scope.clone());
    let rows = store.patient_reads(scoped).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.episode == b));
    let records = store.audit_log(AuditQuery { limit: 1000, scope: Some(scope), ..Default::default() }).await.unwrap();
    let ids: Vec<EntryId> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids, [other.id, list.id], "the actor's organisation's records and the records about its episodes");
    let none = AuditScope { orgs: vec![OrgId::parse("nobody").unwrap()], episodes: vec![] };
    let records = store.audit_log(AuditQuery { limit: 1000, scope: Some(none), ..Default::default() }).await.unwrap();
    assert!(records.is_empty());
}

async fn episodes_and_log(store: &dyn Store) {
    let ep = EpisodeId(Uuid::now_v7());
    let registered = EpisodeChange::Registered {
        patient: PatientId::parse("19121212-1212", jiff::civil::date(2026, 11, 23)).unwrap(),
        ward: OrgId::parse("avd-c").unwrap(),
        ward_type: WardType::Psychiatric,
        municipality: OrgId::parse("kommun-c").unwrap(),
        primary_care: OrgId::parse("hc-c").unwrap(),
        outpatient_psychiatry: Some(OrgId::parse("psyk-c").unwrap()),
        admitted_at: t0(),
        expected_discharge: Some(jiff::civil::date(2026, 11, 30)),
        existed_before_outage: false,
        routine: "lifecare-sp-001".into(),
        drill: false,
    };
    let ev = |seq: u32, change: EpisodeChange| EpisodeEvent {
        id: EntryId(Uuid::now_v7()),
        episode_id: ep,
        seq,
        at: t0(),
        actor: Actor { user_id: None, name: "contract".into() },
        node: "test".into(),
        change,
    };
    let discharged = EpisodeChange::Updated {
        expected_discharge: None,
        ready_for_discharge_at: None,
        discharged_at: Some(t0() + SignedDuration::from_hours(30)),
        designated_care_contact: Some("Distriktssköterska på HC".into()),
        discharge_destination: Some(reserv_core::episode::DischargeDestination::ShortTermCare),
        extensive_long_term_services: Some(true),
    };
    store.append_episode_event(ev(0, registered.clone()), audit("episode.registered")).await.unwrap();
    store.append_episode_event(ev(1, discharged.clone()), audit("episode.updated")).await.unwrap();
    let lost = store.append_episode_event(ev(1, discharged.clone()), audit("episode.updated")).await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let tl = store.episode_events(ep).await.unwrap();
    assert_eq!(tl.iter().map(|e| e.change.clone()).collect::<Vec<_>>(), vec![registered, discharged]);
    assert_eq!(store.all_episode_events().await.unwrap().len(), 2);
    assert!(store.has_episodes().await.unwrap());
    let ids = |events: Vec<EpisodeEvent>| events.into_iter().map(|e| (e.episode_id, e.seq)).collect::<Vec<_>>();
    for named in ["avd-c", "kommun-c", "hc-c", "psyk-c"] {
        let got = store.episodes_naming(&OrgId::parse(named).unwrap()).await.unwrap();
        assert_eq!(ids(got), vec![(ep, 0), (ep, 1)], "every organisation the registration names finds it");
    }
    assert!(store.episodes_naming(&OrgId::parse("kommun-x").unwrap()).await.unwrap().is_empty());

    let tagged = OutageId(Uuid::now_v7());
    let entry = |n: u64, supersedes: Option<EntryId>| LogEntry {
        id: EntryId(Uuid::now_v7()),
        episode_id: ep,
        at: t0() + SignedDuration::from_mins(n as i64),
        recorded_at: t0() + SignedDuration::from_hours(1),
        author_id: UserId(Uuid::now_v7()),
        author_name: "Sjuksköterska Å".into(),
        author_org: OrgId::parse("avd-c").unwrap(),
        counterpart_name: "Biståndshandläggare Ö".into(),
        counterpart_role: "biståndshandläggare".into(),
        counterpart_org: OrgId::parse("kommun-c").unwrap(),
        direction: Direction::Given,
        channel: Channel::Phone,
        messages: [MessageType::Admission, MessageType::EstimatedDischargeDate].into_iter().collect(),
        comment: "Ringde växeln, fick tala med handläggaren.".into(),
        supersedes,
        outages: vec![tagged],
        node: "test".into(),
        paper_signer: None,
    };
    let first = entry(5, None);
    // A line transcribed from a paper form keeps who signed the paper.
    let fix = LogEntry {
        paper_signer: Some(reserv_core::episode::PaperSigner {
            name: "Eva Ek".into(), title: "undersköterska".into()
        }),
        ..entry(1, Some(first.id))
    };
    store.append_log_entry(first.clone(), audit("episode.entry_logged")).await.unwrap();
    store.append_log_entry(fix.clone(), audit("episode.entry_corrected")).await.unwrap();
    let dup = store.append_log_entry(first.clone(), audit("episode.entry_logged")).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let got = store.log_entries(&[ep]).await.unwrap();
    assert_eq!(got, vec![fix.clone(), first.clone()], "entries round-trip exactly, ordered by call time");
    assert!(store.log_entries(&[EpisodeId(Uuid::now_v7())]).await.unwrap().is_empty());
    // An entry is corrected at most once: a second correction of it loses,
    // leaving nothing behind; correcting the correction is the way on.
    let twice = store.append_log_entry(entry(7, Some(first.id)), audit("episode.x")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let refused = store
        .audit_log(AuditQuery { limit: 10, before: None, action_prefix: Some("episode.x".into()), scope: None })
        .await
        .unwrap();
    assert!(refused.is_empty(), "a refused correction leaves no audit record");
    let fix2 = entry(2, Some(fix.id));
    store.append_log_entry(fix2.clone(), audit("episode.entry_corrected")).await.unwrap();
    let record = store.episode_record(ep).await.unwrap();
    assert_eq!(record.entries, vec![fix.clone(), fix2, first], "one read: the log, by call time");
    assert_eq!(record.events, store.episode_events(ep).await.unwrap(), "and the timeline");
    assert_eq!(store.episode_record(EpisodeId(Uuid::now_v7())).await.unwrap(), Default::default());
    // An outage's episodes: registered in its window, or with a call tagged with it.
    let h = |n: i64| t0() + SignedDuration::from_hours(n);
    let other = OutageId(Uuid::now_v7());
    assert_eq!(ids(store.episodes_of_outage(other, h(-1), h(1)).await.unwrap()), vec![(ep, 0), (ep, 1)]);
    assert!(store.episodes_of_outage(other, h(1), h(2)).await.unwrap().is_empty(), "registered at t0");
    assert_eq!(ids(store.episodes_of_outage(tagged, h(1), h(2)).await.unwrap()), vec![(ep, 0), (ep, 1)]);
}

async fn sip_records(store: &dyn Store) {
    use reserv_core::backentry::SipAgreedVia;
    use reserv_core::sip::{SipAgreement, SipFacts, SipRecord};
    let ep = EpisodeId(Uuid::now_v7());
    let tagged = OutageId(Uuid::now_v7());
    let facts = SipFacts {
        need_raised_by: Party::Ward,
        initiated_at: t0(),
        initiator: Party::PrimaryCare,
        participants: [Party::Municipality, Party::Ward].into(),
        agreement: Some(SipAgreement {
            meeting_on: jiff::civil::date(2026, 11, 30),
            agreed_at: t0() + SignedDuration::from_mins(10),
            via: SipAgreedVia::Phone,
        }),
        meeting: None,
        closed_on: None,
    };
    let version = |id: EntryId, sip: EntryId, supersedes: Option<EntryId>, mins: i64| SipRecord {
        id,
        sip_id: sip,
        episode_id: ep,
        supersedes,
        recorded_at: t0() + SignedDuration::from_mins(mins),
        author_id: UserId(Uuid::now_v7()),
        author_name: "Distriktssköterska Ä".into(),
        author_org: OrgId::parse("hc-c").unwrap(),
        outages: vec![tagged],
        node: "test".into(),
        facts: facts.clone(),
    };
    let first_id = EntryId(Uuid::now_v7());
    let first = version(first_id, first_id, None, 1);
    store.append_sip_record(first.clone(), audit("episode.sip_recorded")).await.unwrap();
    let dup = store.append_sip_record(first.clone(), audit("episode.sip_recorded")).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let second = version(EntryId(Uuid::now_v7()), first_id, Some(first_id), 2);
    store.append_sip_record(second.clone(), audit("episode.sip_corrected")).await.unwrap();
    // A version is superseded at most once, and only by a version of the same SIP.
    let twice =
        store.append_sip_record(version(EntryId(Uuid::now_v7()), first_id, Some(first_id), 3), audit("sip.x")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let other_sip = EntryId(Uuid::now_v7());
    let stray =
        store.append_sip_record(version(EntryId(Uuid::now_v7()), other_sip, Some(second.id), 3), audit("sip.x")).await;
    assert!(stray.is_err(), "a correction of another SIP's version: {stray:?}");
    let refused = store
        .audit_log(AuditQuery { limit: 10, before: None, action_prefix: Some("sip.x".into()), scope: None })
        .await
        .unwrap();
    assert!(refused.is_empty(), "a refused version leaves no audit record");
    assert_eq!(store.sip_records(&[ep]).await.unwrap(), vec![first, second.clone()], "round-trip, by recording time");
    assert_eq!(store.episode_record(ep).await.unwrap().sips.len(), 2, "read with the episode");
    assert!(store.sip_records(&[EpisodeId(Uuid::now_v7())]).await.unwrap().is_empty());
    // Recorded during an outage, the SIP brings its episode to that outage's back-entry.
    let registered = EpisodeChange::Registered {
        patient: PatientId::parse("19121212-1212", jiff::civil::date(2026, 11, 23)).unwrap(),
        ward: OrgId::parse("avd-c").unwrap(),
        ward_type: WardType::Somatic,
        municipality: OrgId::parse("kommun-c").unwrap(),
        primary_care: OrgId::parse("hc-c").unwrap(),
        outpatient_psychiatry: None,
        admitted_at: t0(),
        expected_discharge: None,
        existed_before_outage: false,
        routine: "lifecare-sp-001".into(),
        drill: false,
    };
    let ev = EpisodeEvent {
        id: EntryId(Uuid::now_v7()),
        episode_id: ep,
        seq: 0,
        at: t0(),
        actor: Actor { user_id: None, name: "contract".into() },
        node: "test".into(),
        change: registered,
    };
    store.append_episode_event(ev, audit("episode.registered")).await.unwrap();
    let far = t0() + SignedDuration::from_hours(1000);
    let found = store.episodes_of_outage(tagged, far, far).await.unwrap();
    assert_eq!(found.iter().map(|e| e.episode_id).collect::<Vec<_>>(), vec![ep]);
}

async fn worklist_work(store: &dyn Store) {
    let outage = OutageId(Uuid::now_v7());
    let key = ItemKey {
        episode: EpisodeId(Uuid::now_v7()),
        party: Party::Municipality,
        code: ItemCode::AdmissionNotice,
        n: 0,
        sip: None,
    };
    let ev = |mins: i64, change: WorkChange| WorkEvent {
        id: EntryId(Uuid::now_v7()),
        outage_id: outage,
        key,
        at: t0() + SignedDuration::from_mins(mins),
        actor: Actor { user_id: None, name: "Biståndshandläggare Ö".into() },
        org: OrgId::parse("kommun-c").unwrap(),
        node: "test".into(),
        change,
    };
    let assigned = ev(1, WorkChange::Assigned { to: "Biståndshandläggare Ö".into() });
    let done = ev(2, WorkChange::Done { note: String::new() });
    store.append_work_event(assigned.clone(), None, audit("worklist.assigned")).await.unwrap();
    // A writer that did not see the assignment loses: nothing is written.
    let stale = store.append_work_event(ev(2, WorkChange::Skipped { reason: "x".into() }), None, audit("w")).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store.append_work_event(done.clone(), Some(assigned.id), audit("worklist.done")).await.unwrap();
    // So does one that saw only the assignment, after `done` came in.
    let late = store
        .append_work_event(ev(3, WorkChange::Reopened { reason: "x".into() }), Some(assigned.id), audit("w"))
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    // A change stamped earlier than the one it follows (the clocks of two
    // nodes) leaves the item workable: the latest by time is still the one
    // a writer names.
    let other_item = ItemKey { n: 1, ..key };
    let on = |mins: i64| WorkEvent { key: other_item, ..ev(mins, WorkChange::Done { note: String::new() }) };
    let (a, b, c) = (on(10), on(9), on(11));
    store.append_work_event(a.clone(), None, audit("worklist.done")).await.unwrap();
    store.append_work_event(b.clone(), Some(a.id), audit("worklist.done")).await.unwrap();
    store.append_work_event(c.clone(), Some(a.id), audit("worklist.done")).await.unwrap();
    let other = OutageId(Uuid::now_v7());
    assert!(store.work_events(other).await.unwrap().is_empty());
    let got = store.work_events(outage).await.unwrap();
    let of = |k: ItemKey| got.iter().filter(|e| e.key == k).cloned().collect::<Vec<_>>();
    assert_eq!(of(key), vec![assigned, done], "round-trip, in time order");
    assert_eq!(of(other_item), vec![b, a, c], "in time order");
}

async fn deviation_reports(store: &dyn Store) {
    let outage = OutageId(Uuid::now_v7());
    let report = |mins: i64, subject: Subject, supersedes: Option<EntryId>| DeviationReport {
        id: EntryId(Uuid::now_v7()),
        outage_id: outage,
        subject,
        category: (subject == Subject::Incident).then_some(Category::InformationTransfer),
        occurred_at: t0() + SignedDuration::from_mins(mins),
        recorded_at: t0() + SignedDuration::from_hours(2),
        unit: OrgId::parse("avd-c").unwrap(),
        author_id: UserId(Uuid::now_v7()),
        author_name: "Sjuksköterska Å".into(),
        description: "Utskrivningsmeddelandet nådde inte kommunen – åäö \"citat\", komma.".into(),
        consequence: "Hemtjänsten kom en dag för sent.".into(),
        action_taken: String::new(),
        severity: Severity::Minor,
        reported_elsewhere: true,
        external_reference: "AV-2026-0042".into(),
        supersedes,
        node: "test".into(),
    };
    let breakdown = report(30, Subject::Outage, None);
    let incident = report(10, Subject::Incident, None);
    let fix = report(20, Subject::Incident, Some(incident.id));
    store.append_deviation(breakdown.clone(), audit("deviation.reported")).await.unwrap();
    store.append_deviation(incident.clone(), audit("deviation.reported")).await.unwrap();
    store.append_deviation(fix.clone(), audit("deviation.corrected")).await.unwrap();
    let dup = store.append_deviation(breakdown.clone(), audit("deviation.reported")).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // A report is superseded once; a second correction of it loses cleanly.
    let twice = store.append_deviation(report(25, Subject::Incident, Some(incident.id)), audit("deviation.x")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let got = store.deviations(outage).await.unwrap();
    assert_eq!(got, vec![incident, fix, breakdown], "reports round-trip exactly, ordered by event time");
    assert!(store.deviations(OutageId(Uuid::now_v7())).await.unwrap().is_empty());
    let refused = store
        .audit_log(AuditQuery { limit: 100, before: None, action_prefix: Some("deviation.x".into()), scope: None })
        .await
        .unwrap();
    assert!(refused.is_empty(), "a refused report leaves no audit record");
}

async fn checklist_ticks(store: &dyn Store) {
    // Accounts keep their routine roles, in order; none is an empty list.
    let anna = store.user_by_username("anna").await.unwrap().expect("created above");
    assert_eq!(anna.routine_roles, [RoutineRole::It, RoutineRole::Nurse]);
    let plain = UserRecord { routine_roles: Vec::new(), ..user("utan-roll") };
    store.insert_user(plain.clone(), audit("user.created")).await.unwrap();
    assert_eq!(store.user(plain.id).await.unwrap().unwrap().routine_roles, []);

    let outage = OutageId(Uuid::now_v7());
    let tick = |mins: i64, who: &UserRecord, step: &str, ticked: bool| TickEvent {
        id: EntryId(Uuid::now_v7()),
        outage_id: outage,
        step: step.into(),
        user_id: who.id,
        user_name: who.display_name.clone(),
        org: who.org.clone(),
        at: t0() + SignedDuration::from_mins(mins),
        node: "test".into(),
        ticked,
    };
    let first = tick(1, &anna, "elvis-during-no-booking", true);
    let undo = tick(2, &anna, "elvis-during-no-booking", false);
    let other = tick(3, &plain, "elvis-during-no-booking", true);
    store.append_tick(first.clone(), None, audit("checklist.ticked")).await.unwrap();
    // A writer that did not see the first tick loses: nothing is written.
    let stale = store.append_tick(tick(2, &anna, "elvis-during-no-booking", false), None, audit("checklist.x")).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store.append_tick(undo.clone(), Some(first.id), audit("checklist.unticked")).await.unwrap();
    // Another person's tick of the same step is their own sequence.
    store.append_tick(other.clone(), None, audit("checklist.ticked")).await.unwrap();
    let dup = store.append_tick(other.clone(), None, audit("checklist.x")).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(store.ticks(outage).await.unwrap(), vec![first, undo, other], "round-trip, in time order");
    assert!(store.ticks(OutageId(Uuid::now_v7())).await.unwrap().is_empty());
    let refused = store
        .audit_log(AuditQuery { limit: 100, before: None, action_prefix: Some("checklist.x".into()), scope: None })
        .await
        .unwrap();
    assert!(refused.is_empty(), "a refused tick leaves no audit record");
}

async fn outbox_messages(store: &dyn Store) {
    use reserv_core::outbox::{
        self, CLAIM_LEASE, Channel as Ch, DeliveryChange, DeliveryEvent, OutboxMessage, Recipient, Status,
    };
    let outage = OutageId(Uuid::now_v7());
    let msg = |key: &str, channel: Ch, who: Option<&str>, due_mins: i64| OutboxMessage {
        id: EntryId(Uuid::now_v7()),
        outage_id: outage,
        key: key.into(),
        rule: "it-first".into(),
        cite: "Rutin 001 – ”IT meddelar”".into(),
        channel,
        sender: "it".into(),
        group: "it-jour".into(),
        recipient: who.map(|w| Recipient {
            id: w.into(),
            name: format!("Person {w} Åström"),
            email: Some(format!("{w}@example.org")),
            phone: None,
            username: None,
        }),
        due_at: t0() + SignedDuration::from_mins(due_mins),
        subject: "Driftstörning: Lifecare SP".into(),
        body: "Använd reservrutinen – åäö.".into(),
        unless_acknowledged: None,
        created_at: t0(),
        node: "test".into(),
    };
    let a = msg("r:it-jour:1", Ch::Email, Some("a"), 0);
    let b = msg("r:it-jour:1", Ch::Email, Some("b"), 0);
    let mut hook = msg("r:krisapp:1", Ch::Webhook, None, 10);
    hook.unless_acknowledged = Some("r:it-jour:1".into());
    let added =
        store.enqueue_messages(vec![a.clone(), b.clone(), hook.clone()], audit("notify.enqueued")).await.unwrap();
    assert_eq!(added, vec![a.id, b.id, hook.id]);
    // The same plan again (new ids, same outage, key and recipient) adds nothing.
    let again = vec![msg("r:it-jour:1", Ch::Email, Some("a"), 5), msg("r:krisapp:1", Ch::Webhook, None, 10)];
    assert!(store.enqueue_messages(again, audit("notify.enqueued")).await.unwrap().is_empty());
    let list = store.outbox(outage).await.unwrap();
    assert_eq!(list.iter().map(|e| e.message.clone()).collect::<Vec<_>>(), vec![a.clone(), b.clone(), hook.clone()]);
    assert!(list.iter().all(|e| e.events.is_empty()));
    assert!(store.outbox(OutageId(Uuid::now_v7())).await.unwrap().is_empty());

    // Due: at or after due_at, earliest first, bounded.
    let due_ids = |v: Vec<crate::OutboxEntry>| v.into_iter().map(|e| e.message.id).collect::<Vec<_>>();
    assert!(store.outbox_due(t0() - SignedDuration::from_secs(1), 100).await.unwrap().is_empty());
    let mut first_two = vec![a.id, b.id];
    first_two.sort();
    assert_eq!(due_ids(store.outbox_due(t0(), 100).await.unwrap()), first_two);
    assert_eq!(store.outbox_due(t0() + SignedDuration::from_hours(1), 2).await.unwrap().len(), 2);

    // A claim is a compare-and-set on the timeline position.
    let ev = |m: &OutboxMessage, seq: u32, mins: i64, change: DeliveryChange| DeliveryEvent {
        id: EntryId(Uuid::now_v7()),
        message_id: m.id,
        seq,
        at: t0() + SignedDuration::from_mins(mins),
        node: "test".into(),
        change,
    };
    let claim = ev(&a, 0, 1, DeliveryChange::Claimed { attempt: 1, token_hash: Some("hash-a".into()) });
    store.append_delivery_event(claim.clone(), None).await.unwrap();
    let rival = ev(&a, 0, 1, DeliveryChange::Claimed { attempt: 1, token_hash: Some("hash-r".into()) });
    let lost = store.append_delivery_event(rival, Some(audit("notify.x"))).await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    assert!(store.outbox_by_token("hash-r").await.unwrap().is_none(), "the losing claim registered no link");
    let skip = ev(&a, 5, 1, DeliveryChange::Sent { receipt: "250".into() });
    assert!(matches!(store.append_delivery_event(skip, None).await, Err(StoreError::Conflict(_))));
    let orphan = DeliveryEvent { message_id: EntryId(Uuid::now_v7()), ..claim.clone() };
    assert!(matches!(store.append_delivery_event(orphan, None).await, Err(StoreError::MissingReference(_))));
    // A live claim is not due; once its lease has passed, it is (to be marked unknown).
    let now = t0() + SignedDuration::from_mins(2);
    assert_eq!(due_ids(store.outbox_due(now, 100).await.unwrap()), vec![b.id]);
    let stale = t0() + SignedDuration::from_mins(1) + CLAIM_LEASE;
    assert!(due_ids(store.outbox_due(stale, 100).await.unwrap()).contains(&a.id));
    let sent = ev(&a, 1, 2, DeliveryChange::Sent { receipt: "250 2.0.0 Ok: queued".into() });
    store.append_delivery_event(sent.clone(), Some(audit("notify.sent"))).await.unwrap();
    assert!(!due_ids(store.outbox_due(t0() + SignedDuration::from_hours(99), 100).await.unwrap()).contains(&a.id));

    // Round trip, and the link's token finds its message.
    let got = store.outbox_message(a.id).await.unwrap().unwrap();
    assert_eq!((got.message, got.events.clone()), (a.clone(), vec![claim.clone(), sent]));
    assert_eq!(outbox::fold(&a, &got.events).status, Status::Sent);
    let (entry, issued) = store.outbox_by_token("hash-a").await.unwrap().unwrap();
    assert_eq!((entry.message.id, issued), (a.id, claim.at));
    assert!(store.outbox_by_token("nope").await.unwrap().is_none());
    assert!(store.outbox_message(EntryId(Uuid::now_v7())).await.unwrap().is_none());
    let refused = store
        .audit_log(AuditQuery { limit: 100, before: None, action_prefix: Some("notify.x".into()), scope: None })
        .await
        .unwrap();
    assert!(refused.is_empty(), "a refused change leaves no audit record");
}

async fn subscriptions(store: &dyn Store) {
    use reserv_core::subscription::{SubscriptionChange, SubscriptionEvent};
    let sub = EntryId(Uuid::now_v7());
    let other = EntryId(Uuid::now_v7());
    let ev = |id: EntryId, seq: u32, mins: i64, email: &str, change: SubscriptionChange| SubscriptionEvent {
        id: EntryId(Uuid::now_v7()),
        subscription_id: id,
        seq,
        at: t0() + SignedDuration::from_mins(mins),
        email: email.into(),
        change,
    };
    let req = ev(sub, 0, 0, "Åsa@Example.org", SubscriptionChange::Requested { systems: vec![] });
    store.append_subscription_event(req.clone(), audit("subscription.requested")).await.unwrap();
    let confirmed = ev(sub, 1, 5, "Åsa@Example.org", SubscriptionChange::Confirmed);
    store.append_subscription_event(confirmed.clone(), audit("subscription.confirmed")).await.unwrap();
    // The position is a compare-and-set: a second writer at seq 1 loses.
    let late = ev(sub, 1, 6, "Åsa@Example.org", SubscriptionChange::Unsubscribed { reason: "x".into() });
    let r = store.append_subscription_event(late, audit("subscription.unsubscribed")).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    let o = ev(other, 0, 1, "bo@example.org", SubscriptionChange::Requested { systems: vec![] });
    store.append_subscription_event(o.clone(), audit("subscription.requested")).await.unwrap();
    assert_eq!(store.subscription_events(sub).await.unwrap(), vec![req.clone(), confirmed.clone()]);
    assert_eq!(store.subscription_events(EntryId(Uuid::now_v7())).await.unwrap(), vec![]);
    assert_eq!(store.subscription_events_by_email("åsa@example.org").await.unwrap(), vec![req, confirmed]);
    let all = store.all_subscription_events().await.unwrap();
    assert!(all.contains(&o) && all.len() >= 3, "{all:?}");
}
