//! Store round trips per request, counted by a wrapper around a real SQLite
//! store: logging a call makes at most four store calls, and none of them
//! reads every outage or every episode. Also: two processes (two stores on
//! one file, two apps) cannot both correct the same entry.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;

use reserv_app::episodes::{EntryInput, RegisterInput};
use reserv_app::outages::DeclareInput;
use reserv_app::{App, AppError, ManualClock, Origin, Principal, Settings};
use reserv_core::catalogue::Catalogue;
use reserv_core::checklist::TickEvent;
use reserv_core::deviation::DeviationReport;
use reserv_core::episode::{EpisodeEvent, LogEntry};
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use reserv_core::org::Organisation;
use reserv_core::outage::OutageEvent;
use reserv_core::outbox::{DeliveryEvent, OutboxMessage};
use reserv_core::subscription::SubscriptionEvent;
use reserv_core::worklist::WorkEvent;
use reserv_store::{
    AuditQuery, AuditRecord, EpisodeRecord, OutageSpan, OutboxEntry, SessionKind, SessionRecord, Store, StoreError,
    UserRecord,
};
use reserv_store_sqlite::SqliteStore;

const CATALOGUE: &str = include_str!("../../../data/systems.toml");
const DIRECTORY: &str = include_str!("../../../data/directory/region-vasternorrland.toml");

/// A real store that writes down the name of every call made to it.
struct Counting(SqliteStore, Mutex<Vec<&'static str>>);

impl Counting {
    fn hit(&self, name: &'static str) {
        self.1.lock().unwrap().push(name);
    }
    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.1.lock().unwrap())
    }
}

#[async_trait]
impl Store for Counting {
    fn node_id(&self) -> &str {
        self.0.node_id()
    }
    async fn health_check(&self, now: Timestamp) -> Result<(), StoreError> {
        self.hit("health_check");
        self.0.health_check(now).await
    }
    async fn upsert_organisations(&self, orgs: Vec<Organisation>, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("upsert_organisations");
        self.0.upsert_organisations(orgs, a).await
    }
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.hit("organisations");
        self.0.organisations().await
    }
    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError> {
        self.hit("organisation");
        self.0.organisation(id).await
    }
    async fn insert_user(&self, u: UserRecord, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("insert_user");
        self.0.insert_user(u, a).await
    }
    async fn user_by_username(&self, n: &str) -> Result<Option<UserRecord>, StoreError> {
        self.hit("user_by_username");
        self.0.user_by_username(n).await
    }
    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        self.hit("user");
        self.0.user(id).await
    }
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.hit("users");
        self.0.users().await
    }
    async fn record_login_failure(
        &self,
        u: UserId,
        n: u32,
        l: Option<Timestamp>,
        a: AuditRecord,
    ) -> Result<(), StoreError> {
        self.hit("record_login_failure");
        self.0.record_login_failure(u, n, l, a).await
    }
    async fn record_login_success(&self, s: SessionRecord, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("record_login_success");
        self.0.record_login_success(s, a).await
    }
    async fn session(&self, h: &str, now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        self.hit("session");
        self.0.session(h, now).await
    }
    async fn delete_session(&self, h: &str, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("delete_session");
        self.0.delete_session(h, a).await
    }
    async fn record_login_success_capped(&self, s: SessionRecord, n: u32, a: AuditRecord) -> Result<u64, StoreError> {
        self.hit("record_login_success_capped");
        self.0.record_login_success_capped(s, n, a).await
    }
    async fn delete_user_sessions(&self, u: UserId, a: AuditRecord) -> Result<u64, StoreError> {
        self.hit("delete_user_sessions");
        self.0.delete_user_sessions(u, a).await
    }
    async fn append_outage_event(&self, e: OutageEvent, s: OutageSpan, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_outage_event");
        self.0.append_outage_event(e, s, a).await
    }
    async fn outage_events(&self, id: OutageId) -> Result<Vec<OutageEvent>, StoreError> {
        self.hit("outage_events");
        self.0.outage_events(id).await
    }
    async fn all_outage_events(&self) -> Result<Vec<OutageEvent>, StoreError> {
        self.hit("all_outage_events");
        self.0.all_outage_events().await
    }
    async fn has_outages(&self) -> Result<bool, StoreError> {
        self.hit("has_outages");
        self.0.has_outages().await
    }
    async fn outage_spans_overlapping(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OutageSpan>, StoreError> {
        self.hit("outage_spans_overlapping");
        self.0.outage_spans_overlapping(from, to).await
    }
    async fn outage_spans(&self, ids: &[OutageId]) -> Result<Vec<OutageSpan>, StoreError> {
        self.hit("outage_spans");
        self.0.outage_spans(ids).await
    }
    async fn recent_outages(&self, since: Timestamp, limit: u32) -> Result<Vec<OutageEvent>, StoreError> {
        self.hit("recent_outages");
        self.0.recent_outages(since, limit).await
    }
    async fn append_episode_event(&self, e: EpisodeEvent, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_episode_event");
        self.0.append_episode_event(e, a).await
    }
    async fn episode_events(&self, id: EpisodeId) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.hit("episode_events");
        self.0.episode_events(id).await
    }
    async fn all_episode_events(&self) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.hit("all_episode_events");
        self.0.all_episode_events().await
    }
    async fn has_episodes(&self) -> Result<bool, StoreError> {
        self.hit("has_episodes");
        self.0.has_episodes().await
    }
    async fn episode_record(&self, id: EpisodeId) -> Result<EpisodeRecord, StoreError> {
        self.hit("episode_record");
        self.0.episode_record(id).await
    }
    async fn episodes_naming(&self, org: &OrgId) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.hit("episodes_naming");
        self.0.episodes_naming(org).await
    }
    async fn episodes_of_outage(
        &self,
        outage: OutageId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.hit("episodes_of_outage");
        self.0.episodes_of_outage(outage, from, to).await
    }
    async fn append_log_entry(&self, e: LogEntry, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_log_entry");
        self.0.append_log_entry(e, a).await
    }
    async fn log_entries(&self, e: &[EpisodeId]) -> Result<Vec<LogEntry>, StoreError> {
        self.hit("log_entries");
        self.0.log_entries(e).await
    }
    async fn append_sip_record(&self, r: reserv_core::sip::SipRecord, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_sip_record");
        self.0.append_sip_record(r, a).await
    }
    async fn sip_records(&self, e: &[EpisodeId]) -> Result<Vec<reserv_core::sip::SipRecord>, StoreError> {
        self.hit("sip_records");
        self.0.sip_records(e).await
    }
    async fn append_work_event(&self, e: WorkEvent, after: Option<EntryId>, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_work_event");
        self.0.append_work_event(e, after, a).await
    }
    async fn work_events(&self, id: OutageId) -> Result<Vec<WorkEvent>, StoreError> {
        self.hit("work_events");
        self.0.work_events(id).await
    }
    async fn append_deviation(&self, r: DeviationReport, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_deviation");
        self.0.append_deviation(r, a).await
    }
    async fn deviations(&self, id: OutageId) -> Result<Vec<DeviationReport>, StoreError> {
        self.hit("deviations");
        self.0.deviations(id).await
    }
    async fn append_tick(&self, t: TickEvent, after: Option<EntryId>, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_tick");
        self.0.append_tick(t, after, a).await
    }
    async fn ticks(&self, id: OutageId) -> Result<Vec<TickEvent>, StoreError> {
        self.hit("ticks");
        self.0.ticks(id).await
    }
    async fn enqueue_messages(&self, m: Vec<OutboxMessage>, a: AuditRecord) -> Result<Vec<EntryId>, StoreError> {
        self.hit("enqueue_messages");
        self.0.enqueue_messages(m, a).await
    }
    async fn outbox(&self, id: OutageId) -> Result<Vec<OutboxEntry>, StoreError> {
        self.hit("outbox");
        self.0.outbox(id).await
    }
    async fn outbox_message(&self, id: EntryId) -> Result<Option<OutboxEntry>, StoreError> {
        self.hit("outbox_message");
        self.0.outbox_message(id).await
    }
    async fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        self.hit("outbox_due");
        self.0.outbox_due(now, limit).await
    }
    async fn append_delivery_event(&self, e: DeliveryEvent, a: Option<AuditRecord>) -> Result<(), StoreError> {
        self.hit("append_delivery_event");
        self.0.append_delivery_event(e, a).await
    }
    async fn outbox_by_token(&self, h: &str) -> Result<Option<(OutboxEntry, Timestamp)>, StoreError> {
        self.hit("outbox_by_token");
        self.0.outbox_by_token(h).await
    }
    async fn append_subscription_event(&self, e: SubscriptionEvent, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_subscription_event");
        self.0.append_subscription_event(e, a).await
    }
    async fn subscription_events(&self, id: EntryId) -> Result<Vec<SubscriptionEvent>, StoreError> {
        self.hit("subscription_events");
        self.0.subscription_events(id).await
    }
    async fn subscription_events_by_email(&self, email: &str) -> Result<Vec<SubscriptionEvent>, StoreError> {
        self.hit("subscription_events_by_email");
        self.0.subscription_events_by_email(email).await
    }
    async fn all_subscription_events(&self) -> Result<Vec<SubscriptionEvent>, StoreError> {
        self.hit("all_subscription_events");
        self.0.all_subscription_events().await
    }
    async fn append_audit(&self, a: AuditRecord) -> Result<(), StoreError> {
        self.hit("append_audit");
        self.0.append_audit(a).await
    }
    async fn audit_log(&self, q: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.hit("audit_log");
        self.0.audit_log(q).await
    }
    async fn append_read_audit(&self, a: AuditRecord, p: Vec<reserv_store::AuditPatient>) -> Result<(), StoreError> {
        self.hit("append_read_audit");
        self.0.append_read_audit(a, p).await
    }
    async fn audit_chain(&self) -> Result<Vec<reserv_store::chain::ChainedRecord>, StoreError> {
        self.0.audit_chain().await
    }
    async fn missing_audit_guards(&self) -> Result<Vec<String>, StoreError> {
        self.0.missing_audit_guards().await
    }
    async fn patient_reads(
        &self,
        q: reserv_store::PatientReadQuery,
    ) -> Result<Vec<reserv_store::PatientRead>, StoreError> {
        self.hit("patient_reads");
        self.0.patient_reads(q).await
    }
}

fn origin() -> Origin {
    Origin("test".into())
}

async fn principal(app: &App, username: &str) -> Principal {
    let s = app.login(username, "reserv-demo", SessionKind::Api, &origin()).await.unwrap();
    app.authenticate(&s.token, SessionKind::Api, origin()).await.unwrap()
}

fn call(at: &str, supersedes: Option<EntryId>) -> EntryInput {
    EntryInput {
        at: Some(at.into()),
        counterpart_name: "Handläggare".into(),
        counterpart_role: "biståndshandläggare".into(),
        counterpart_org: "kommun-timra".into(),
        direction: "given".into(),
        messages: vec!["admission".into()],
        supersedes: supersedes.map(|s| s.to_string()),
        paper_signer: None,
        ..Default::default()
    }
}

fn patient() -> RegisterInput {
    RegisterInput {
        patient_id: "19520303-9812".into(),
        reserve_number: false,
        municipality: "kommun-timra".into(),
        primary_care: "rvn-hc-timra".into(),
        outpatient_psychiatry: None,
        admitted_at: "2026-11-23 08:30".into(),
        expected_discharge: None,
        existed_before_outage: false,
    }
}

fn app_on(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> App {
    App::new(store, clock, Catalogue::parse(CATALOGUE).unwrap(), Settings::default())
}

/// Calls that would make a request's cost grow with everything ever stored.
const SCANS: [&str; 2] = ["all_outage_events", "all_episode_events"];

#[tokio::test]
async fn logging_a_call_makes_at_most_four_store_calls_and_scans_nothing() {
    // 2026-11-23 10:00 Stockholm; the demo has an ongoing Lifecare SP outage.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let store = Arc::new(Counting(SqliteStore::open(dir.path()).unwrap(), Mutex::new(Vec::new())));
    let app = app_on(store.clone(), clock.clone());
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let it = principal(&app, "demo-it").await;
    let ward = principal(&app, "demo-clinician").await;
    // Past outages that have nothing to do with the call.
    for day in 1..=20 {
        let start = format!("2026-10-{day:02} 08:00");
        let v = app
            .declare_outage(
                &it,
                DeclareInput {
                    system: "prator".into(),
                    kind: "unplanned".into(),
                    scope: "both".into(),
                    start,
                    expected_end: None,
                    notice: String::new(),
                    public_notice: String::new(),
                    drill: false,
                    confirm_same_system: false,
                },
            )
            .await
            .unwrap();
        app.end_outage(&it, v.outage.id, &format!("2026-10-{day:02} 12:00"), None).await.unwrap();
    }
    let episode = app.register_episode(&ward, patient()).await.unwrap().episode.id;
    store.take();

    let logged = app.log_call(&ward, episode, call("2026-11-23 09:55", None)).await.unwrap();
    let calls = store.take();
    assert!(calls.len() <= 4, "logging a call: {calls:?}");
    assert!(calls.iter().all(|c| !SCANS.contains(c)), "no scans: {calls:?}");
    assert_eq!(calls.iter().filter(|c| c.starts_with("append_")).count(), 1, "one write: {calls:?}");
    let entry = &logged.entries.last().unwrap().entry;
    assert_eq!(entry.outages.len(), 1, "tagged with the demo's ongoing outage only");
    assert_eq!(logged.entries.len(), 1, "the answer holds the new entry");

    // A correction too.
    let fixed = app.log_call(&ward, episode, call("2026-11-23 09:50", Some(entry.id))).await.unwrap();
    let calls = store.take();
    assert!(calls.len() <= 4 && calls.iter().all(|c| !SCANS.contains(c)), "correcting a call: {calls:?}");
    assert_eq!(fixed.entries.len(), 2);
    let old = fixed.entries.iter().find(|x| x.entry.id == entry.id).unwrap();
    assert!(old.superseded_by.is_some(), "the answer shows the correction");
    let again = app.log_call(&ward, episode, call("2026-11-23 09:51", Some(entry.id))).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // The status pages and the outage list do not fold every outage either.
    app.outages().await.unwrap();
    app.public_status().await.unwrap();
    app.planned_calendar().await.unwrap();
    app.episodes(&ward).await.unwrap();
    app.open_gaps(&ward).await.unwrap();
    let calls = store.take();
    assert!(calls.iter().all(|c| !SCANS.contains(c)), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_cannot_both_correct_one_entry() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let first = app_on(Arc::new(SqliteStore::open(dir.path()).unwrap()), clock.clone());
    reserv_app::demo::load(&first, DIRECTORY).await.unwrap();
    // A second "process": its own store (own writer thread and connections) on the same file.
    let second = app_on(Arc::new(SqliteStore::open(dir.path()).unwrap()), clock.clone());
    let ward1 = principal(&first, "demo-clinician").await;
    let ward2 = principal(&second, "demo-clinician").await;
    let episode = first.register_episode(&ward1, patient()).await.unwrap().episode.id;
    for round in 0..5 {
        let logged = first.log_call(&ward1, episode, call("2026-11-23 09:55", None)).await.unwrap();
        let old = logged.entries.iter().find(|x| x.superseded_by.is_none() && x.entry.supersedes.is_none());
        let old = old.map(|x| x.entry.id).unwrap();
        let (a, b) = tokio::join!(
            first.log_call(&ward1, episode, call("2026-11-23 09:50", Some(old))),
            second.log_call(&ward2, episode, call("2026-11-23 09:51", Some(old))),
        );
        assert!(a.is_ok() != b.is_ok(), "round {round}: exactly one correction wins: {a:?} / {b:?}");
        let lost = if a.is_ok() { b } else { a };
        assert!(matches!(lost, Err(AppError::Conflict(_))), "{lost:?}");
        let view = second.episode(&ward2, episode).await.unwrap();
        let corrections = view.entries.iter().filter(|x| x.entry.supersedes == Some(old)).count();
        assert_eq!(corrections, 1, "round {round}: one correction stored");
    }
}
