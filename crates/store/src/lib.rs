//! The storage contract of Reserv. The application services talk to a
//! `dyn Store`; each backend (embedded SQLite now, PostgreSQL later) lives in
//! its own crate with its own migrations and must pass the shared
//! [`contract`] suite. Every write method returns only once the write is
//! durable (on disk), and clinical facts and the audit log are append-only.

pub mod chain;
pub mod contract;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use reserv_core::checklist::TickEvent;
use reserv_core::deviation::DeviationReport;
use reserv_core::episode::{EpisodeEvent, LogEntry};
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, SystemId, UserId};
use reserv_core::org::{Organisation, Role};
use reserv_core::outage::{Outage, OutageEvent, OutageKind};
use reserv_core::outbox::{DeliveryEvent, OutboxMessage};
use reserv_core::routine::RoutineRole;
use reserv_core::sip::SipRecord;
use reserv_core::subscription::SubscriptionEvent;
use reserv_core::worklist::WorkEvent;

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (a username taken, a timeline position
    /// already used by a concurrent writer).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store cannot take writes now (disk full, read-only, I/O error).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A referenced record does not exist.
    #[error("missing reference: {0}")]
    MissingReference(String),
    /// Stored data could not be decoded: a bug or damaged file.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub org: OrgId,
    pub role: Role,
    /// PHC string (argon2id); never printed or serialised to clients.
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub failed_logins: u32,
    pub locked_until: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The routine roles the person works as (nurse, inpatient care, …),
    /// which choose their checklist; empty: their organisation's default.
    #[serde(default)]
    pub routine_roles: Vec<RoutineRole>,
}

/// What kind of credential a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser session (cookie), with a CSRF token.
    Browser,
    /// An API bearer token.
    Api,
}

impl SessionKind {
    pub fn key(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A login session or API token. Only a hash of the secret token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: UserId,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// One append-only audit record: who, when, what, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub id: EntryId,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    /// Username, or `cli`/`system` for actions without a person.
    pub actor: String,
    pub org: Option<OrgId>,
    /// A stable action code, e.g. `login.success`, `outage.declared`.
    pub action: String,
    /// What was acted on, e.g. `outage:0192…`.
    pub target: Option<String>,
    /// Where from: client address, or `cli`.
    pub origin: String,
    /// A short detail; never a password or token.
    pub detail: String,
    pub node: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub limit: u32,
    /// Only records older than this one (for paging).
    pub before: Option<EntryId>,
    pub action_prefix: Option<String>,
    /// Only the records this reader may see (`None`: every record).
    pub scope: Option<AuditScope>,
}

/// The part of the audit log a scoped auditor sees (`reserv_core::access::
/// audit_scope`): records by actors of these organisations, and records
/// about these episodes (their target, or a patient a read returned).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditScope {
    pub orgs: Vec<OrgId>,
    pub episodes: Vec<EpisodeId>,
}

/// One patient (episode) that a read returned, stored with the read's audit
/// record so the log answers "who has read patient X".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPatient {
    pub episode: EpisodeId,
    /// The patient's personnummer (or reserve number) as the episode holds it.
    pub patient: String,
}

/// One read of one patient: the read's audit record and one episode it returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientRead {
    pub audit: AuditRecord,
    pub episode: EpisodeId,
    pub patient: String,
}

/// A page of patient reads, newest first; the filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct PatientReadQuery {
    pub limit: u32,
    /// Only rows after this one in the order (for paging): its audit record
    /// id and episode.
    pub before: Option<(EntryId, EpisodeId)>,
    /// Only reads of this patient (personnummer as stored).
    pub patient: Option<String>,
    pub episode: Option<EpisodeId>,
    /// Only reads by this username.
    pub actor: Option<String>,
    /// Only rows this reader may see: the actor's organisation or the
    /// episode in the scope.
    pub scope: Option<AuditScope>,
}

/// One outbox message with its delivery timeline, ordered by `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub message: OutboxMessage,
    pub events: Vec<DeliveryEvent>,
}

/// Where an outage stands in time: the part of its fold (`Outage::fold`)
/// that finding outages by time needs. The store keeps one per outage next
/// to its timeline, written in the same transaction as the timeline entry it
/// follows, so "which outages overlap this time" is an indexed query instead
/// of a fold of every timeline ever stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageSpan {
    pub id: OutageId,
    pub system: SystemId,
    pub kind: OutageKind,
    pub drill: bool,
    pub start: Timestamp,
    /// When the system was back (`restored_at`); `None` while not ended.
    pub end: Option<Timestamp>,
    /// The position of the latest timeline entry folded in.
    pub seq: u32,
}

impl OutageSpan {
    /// The span of a folded outage (as of its latest timeline entry).
    pub fn of(o: &Outage) -> OutageSpan {
        OutageSpan {
            id: o.id,
            system: o.system.clone(),
            kind: o.kind,
            drill: o.drill,
            start: o.start,
            end: o.restored_at,
            seq: o.next_seq().saturating_sub(1),
        }
    }

    /// Whether the outage is ongoing at some moment of `[from, to]` (both
    /// ends included; an outage not ended lasts for ever).
    pub fn overlaps(&self, from: Timestamp, to: Timestamp) -> bool {
        self.start <= to && self.end.is_none_or(|e| e >= from)
    }
}

/// One episode's timeline and its handover log, read together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpisodeRecord {
    /// The timeline, ordered by `seq` (empty if the episode is unknown).
    pub events: Vec<EpisodeEvent>,
    /// The log entries, ordered by call time then id.
    pub entries: Vec<LogEntry>,
    /// Every version of the episode's SIPs, ordered by recording time then id.
    pub sips: Vec<SipRecord>,
}

/// The storage contract.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The id of this Reserv node, created with the store.
    fn node_id(&self) -> &str;

    /// Performs a small durable write; `Ok` means the store takes writes.
    async fn health_check(&self, now: Timestamp) -> Result<(), StoreError>;

    /// Inserts or replaces directory entries (reference data, not clinical).
    async fn upsert_organisations(&self, orgs: Vec<Organisation>, audit: AuditRecord) -> Result<(), StoreError>;
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError>;
    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError>;

    /// Fails with `Conflict` if the username is taken (case-insensitive) and
    /// `MissingReference` if the organisation does not exist.
    async fn insert_user(&self, user: UserRecord, audit: AuditRecord) -> Result<(), StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;

    /// Records a failed login: the new failure count and lock.
    async fn record_login_failure(
        &self,
        user: UserId,
        failed_logins: u32,
        locked_until: Option<Timestamp>,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Resets the failure count and stores the new session.
    async fn record_login_success(&self, session: SessionRecord, audit: AuditRecord) -> Result<(), StoreError>;
    /// The live session with this token hash at `now`, with its user.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError>;
    async fn delete_session(&self, token_hash: &str, audit: AuditRecord) -> Result<(), StoreError>;
    /// Like [`Store::record_login_success`], and in the same transaction
    /// deletes the user's oldest live sessions of the same kind beyond
    /// `max_live` (the new one included), so the cap holds whichever
    /// server creates them. Returns how many were deleted.
    async fn record_login_success_capped(
        &self,
        session: SessionRecord,
        max_live: u32,
        audit: AuditRecord,
    ) -> Result<u64, StoreError>;
    /// Deletes every session (browser and API) of a user ("log out
    /// everywhere"); returns how many there were.
    async fn delete_user_sessions(&self, user: UserId, audit: AuditRecord) -> Result<u64, StoreError>;

    /// Appends a timeline entry; `Conflict` if its `seq` is already taken.
    /// `span` is the outage's fold including this entry (same id and `seq`,
    /// else `Corrupt`); it replaces the stored span in the same transaction.
    async fn append_outage_event(
        &self,
        event: OutageEvent,
        span: OutageSpan,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// One outage's timeline ordered by `seq` (empty if unknown).
    async fn outage_events(&self, id: OutageId) -> Result<Vec<OutageEvent>, StoreError>;
    /// All timelines, ordered by outage and `seq`. A full scan: for exports
    /// and checks, never for a request path.
    async fn all_outage_events(&self) -> Result<Vec<OutageEvent>, StoreError>;
    /// Whether any outage has been declared (cheap).
    async fn has_outages(&self) -> Result<bool, StoreError>;
    /// The spans of the outages ongoing at some moment of `[from, to]`
    /// (`OutageSpan::overlaps`), ordered by start then id.
    async fn outage_spans_overlapping(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OutageSpan>, StoreError>;
    /// The spans of the given outages (unknown ids are left out), ordered by id.
    async fn outage_spans(&self, ids: &[OutageId]) -> Result<Vec<OutageSpan>, StoreError>;
    /// The timelines of every outage not ended (ongoing or upcoming) and of
    /// the ones ended at or after `ended_since`, of those at most
    /// `ended_limit`, the most recently ended first. Ordered by outage and `seq`.
    async fn recent_outages(&self, ended_since: Timestamp, ended_limit: u32) -> Result<Vec<OutageEvent>, StoreError>;

    /// Appends an episode timeline entry; `Conflict` if its `seq` is taken.
    async fn append_episode_event(&self, event: EpisodeEvent, audit: AuditRecord) -> Result<(), StoreError>;
    /// One episode's timeline ordered by `seq` (empty if unknown).
    async fn episode_events(&self, id: EpisodeId) -> Result<Vec<EpisodeEvent>, StoreError>;
    /// All episode timelines, ordered by episode and `seq`. A full scan: for
    /// exports and checks, never for a request path.
    async fn all_episode_events(&self) -> Result<Vec<EpisodeEvent>, StoreError>;
    /// Whether any episode has been registered (cheap).
    async fn has_episodes(&self) -> Result<bool, StoreError>;
    /// One episode's timeline and log in one read.
    async fn episode_record(&self, id: EpisodeId) -> Result<EpisodeRecord, StoreError>;
    /// The timelines of the episodes whose registration names `org` (as
    /// ward, municipality, primary care or outpatient psychiatry), ordered
    /// by episode and `seq`. A superset of the chain of care: the caller
    /// still applies `episode::in_chain_of_care`.
    async fn episodes_naming(&self, org: &OrgId) -> Result<Vec<EpisodeEvent>, StoreError>;
    /// The timelines of the episodes registered (their first entry) within
    /// `[from, to]` or with a log entry tagged with `outage`, ordered by
    /// episode and `seq`.
    async fn episodes_of_outage(
        &self,
        outage: OutageId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EpisodeEvent>, StoreError>;

    /// Appends a handover log entry; `Conflict` if its id exists, or if the
    /// entry it supersedes has already been superseded (an entry is
    /// corrected at most once; a further correction supersedes the correction).
    async fn append_log_entry(&self, entry: LogEntry, audit: AuditRecord) -> Result<(), StoreError>;
    /// The log entries of the given episodes, ordered by call time then id.
    async fn log_entries(&self, episodes: &[EpisodeId]) -> Result<Vec<LogEntry>, StoreError>;

    /// Appends a version of a SIP; `Conflict` if its id exists, if the
    /// version it supersedes has already been superseded, or if that version
    /// belongs to another SIP or episode. Tags the episode with the record's
    /// outages like a log entry.
    async fn append_sip_record(&self, record: SipRecord, audit: AuditRecord) -> Result<(), StoreError>;
    /// Every SIP version of the given episodes, ordered by recording time then id.
    async fn sip_records(&self, episodes: &[EpisodeId]) -> Result<Vec<SipRecord>, StoreError>;

    /// Appends a change to a back-entry work item. `after` is the id of the
    /// item's latest change the caller saw (`None`: no change yet); if another
    /// change came in between, nothing is written and `Conflict` is returned.
    /// The schema enforces this too: a change has at most one successor and
    /// an item at most one first change, so two writers that saw the same
    /// change cannot both append, whatever process they run in.
    async fn append_work_event(
        &self,
        event: WorkEvent,
        after: Option<EntryId>,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// All work on one outage's worklists, ordered by time then id.
    async fn work_events(&self, outage: OutageId) -> Result<Vec<WorkEvent>, StoreError>;

    /// Appends a deviation report; `Conflict` if its id exists or if the
    /// report it supersedes has already been superseded (a report is
    /// corrected once; a further correction supersedes the correction).
    async fn append_deviation(&self, report: DeviationReport, audit: AuditRecord) -> Result<(), StoreError>;
    /// The deviation reports on one outage, ordered by event time then id.
    async fn deviations(&self, outage: OutageId) -> Result<Vec<DeviationReport>, StoreError>;

    /// Appends a checklist tick or untick. `after` is the id of the latest
    /// change to the same person's same step that the caller saw (`None`:
    /// none yet); if another came in between, nothing is written and
    /// `Conflict` is returned (enforced by the schema as for work events).
    async fn append_tick(&self, tick: TickEvent, after: Option<EntryId>, audit: AuditRecord) -> Result<(), StoreError>;
    /// Every checklist tick on one outage, ordered by time then id.
    async fn ticks(&self, outage: OutageId) -> Result<Vec<TickEvent>, StoreError>;

    /// Adds notification messages to the outbox. A message whose (outage,
    /// key, recipient) is already there is left as it is, so enqueueing the
    /// same plan twice adds nothing. Returns the ids of the messages added.
    async fn enqueue_messages(
        &self,
        messages: Vec<OutboxMessage>,
        audit: AuditRecord,
    ) -> Result<Vec<EntryId>, StoreError>;
    /// One outage's messages with their timelines, ordered by due time,
    /// key and recipient.
    async fn outbox(&self, outage: OutageId) -> Result<Vec<OutboxEntry>, StoreError>;
    async fn outbox_message(&self, id: EntryId) -> Result<Option<OutboxEntry>, StoreError>;
    /// The messages that need the scheduler at `now` (the fold's `next_at`
    /// is at or before `now`: due, due for a retry, or a claim gone stale),
    /// earliest first, at most `limit`.
    async fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxEntry>, StoreError>;
    /// Appends a delivery event at its `seq`. If that position is taken
    /// (someone else changed the message first) nothing is written and
    /// `Conflict` is returned: this is what makes a claim safe. A `claimed`
    /// event with a token hash registers that acknowledgement link.
    async fn append_delivery_event(&self, event: DeliveryEvent, audit: Option<AuditRecord>) -> Result<(), StoreError>;
    /// The message an acknowledgement link belongs to (by the hash of its
    /// secret), and when that link was sent.
    async fn outbox_by_token(&self, token_hash: &str) -> Result<Option<(OutboxEntry, Timestamp)>, StoreError>;

    /// Appends an entry to a subscription's timeline; `Conflict` if its
    /// `seq` (or id) is taken.
    async fn append_subscription_event(&self, event: SubscriptionEvent, audit: AuditRecord) -> Result<(), StoreError>;
    /// One subscription's timeline ordered by `seq` (empty if unknown).
    async fn subscription_events(&self, id: EntryId) -> Result<Vec<SubscriptionEvent>, StoreError>;
    /// Every entry of every subscription of an address (compared without
    /// regard to case), ordered by subscription and `seq`.
    async fn subscription_events_by_email(&self, email: &str) -> Result<Vec<SubscriptionEvent>, StoreError>;
    /// All subscription timelines, ordered by subscription and `seq`.
    async fn all_subscription_events(&self) -> Result<Vec<SubscriptionEvent>, StoreError>;

    async fn append_audit(&self, audit: AuditRecord) -> Result<(), StoreError>;
    /// Appends a read's audit record with the patients it returned, in one
    /// transaction.
    async fn append_read_audit(&self, audit: AuditRecord, patients: Vec<AuditPatient>) -> Result<(), StoreError>;
    /// Every audit record with its chain link and the patients of a read, for
    /// verifying the chain (`chain::verify`). A full scan: never on a request path.
    async fn audit_chain(&self) -> Result<Vec<chain::ChainedRecord>, StoreError>;
    /// The backend's append-only guards of the audit tables that are missing
    /// (e.g. a trigger dropped); empty when all are in place.
    async fn missing_audit_guards(&self) -> Result<Vec<String>, StoreError>;
    /// Reads of patients, one row per (read, episode), newest first.
    async fn patient_reads(&self, query: PatientReadQuery) -> Result<Vec<PatientRead>, StoreError>;
    async fn audit_log(&self, query: AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
}
