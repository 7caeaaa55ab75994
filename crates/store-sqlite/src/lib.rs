//! Embedded SQLite backend of the Reserv storage contract: one file in the
//! data directory, created on first start, migrated by `PRAGMA user_version`,
//! WAL with `synchronous = FULL` so a commit is on disk before it returns.
//! Writes go through the group-commit [`writer`]; reads use a small pool of
//! their own connections on blocking threads.
//!
//! This file holds opening, migrating, the pools and the [`Store`]
//! implementation, which hands each call to the module of its tables:
//! [`directory`] (organisations, accounts, sessions), [`outages`] (outage
//! timelines and spans), [`episodes`] (episode timelines, the handover log),
//! [`chains`] (worklist work, checklist ticks), [`records`] (deviation
//! reports, subscriptions, the audit log) and [`outbox`].

mod chains;
mod directory;
mod episodes;
mod outages;
mod outbox;
mod records;
mod timeline;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use uuid::Uuid;

use reserv_core::checklist::TickEvent;
use reserv_core::deviation::DeviationReport;
use reserv_core::episode::{EpisodeEvent, LogEntry};
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use reserv_core::org::Organisation;
use reserv_core::outage::OutageEvent;
use reserv_core::sip::SipRecord;
use reserv_core::subscription::SubscriptionEvent;
use reserv_core::worklist::WorkEvent;
use reserv_store::{
    AuditPatient, AuditQuery, AuditRecord, EpisodeRecord, OutageSpan, OutboxEntry, PatientRead, PatientReadQuery,
    SessionRecord, Store, StoreError, UserRecord,
};

use writer::Writer;

/// The versioned migrations, applied in order; index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_handover_log.sql"),
    include_str!("migrations/003_worklists.sql"),
    include_str!("migrations/004_deviations.sql"),
    include_str!("migrations/005_checklists.sql"),
    include_str!("migrations/006_outbox.sql"),
    include_str!("migrations/007_subscriptions.sql"),
    include_str!("migrations/008_integrity_and_spans.sql"),
    include_str!("migrations/009_paper_signer.sql"),
    include_str!("migrations/010_sip_records.sql"),
    include_str!("migrations/011_audit_patients.sql"),
    include_str!("migrations/012_audit_chain.sql"),
];

/// The schema version whose migration also fills `outage_spans` in Rust.
const SPANS_VERSION: usize = 8;

/// How many reads run at once (each on its own pooled connection).
const MAX_READERS: usize = 8;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "reserv.sqlite3";

/// Why the store could not be opened; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data directory {0}: {1}")]
    CreateDir(PathBuf, std::io::Error),
    #[error("cannot open the database {0}: {1} (is the data directory writable?)")]
    Open(PathBuf, rusqlite::Error),
    #[error("the database {0} has schema version {1}, newer than this Reserv knows ({2}); upgrade Reserv")]
    TooNew(PathBuf, i64, usize),
    #[error("cannot migrate the database {0}: {1}")]
    Migrate(PathBuf, rusqlite::Error),
    #[error("cannot migrate the database {0}: {1}")]
    Backfill(PathBuf, StoreError),
    #[error("cannot start the writer thread: {0}")]
    Thread(std::io::Error),
}

pub struct SqliteStore {
    path: PathBuf,
    node: String,
    writer: Writer,
    readers: Arc<Mutex<Vec<Connection>>>,
    /// At most `MAX_READERS` reads run at once, each on a pooled connection
    /// (opened once, statements cached), instead of opening one per read.
    read_permits: Arc<tokio::sync::Semaphore>,
}

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            ErrorCode::ConstraintViolation => {
                let msg = e.to_string();
                if msg.contains("FOREIGN KEY") { StoreError::MissingReference(msg) } else { StoreError::Conflict(msg) }
            }
            _ => StoreError::Unavailable(e.to_string()),
        },
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

pub(crate) fn micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

pub(crate) fn from_micros(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn unjson<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn open_conn(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(conn)
}

pub(crate) fn insert_audit(c: &Connection, a: &AuditRecord) -> Result<(), StoreError> {
    insert_chained_audit(c, a, &[])
}

/// Writes an audit record as the next link of its node's chain
/// (`reserv_store::chain`): inside the caller's write transaction, so the
/// position read here is the one written (a second writer on the same file
/// waits for the lock; the unique index refuses a position taken twice).
pub(crate) fn insert_chained_audit(
    c: &Connection,
    a: &AuditRecord,
    patients: &[reserv_store::AuditPatient],
) -> Result<(), StoreError> {
    let last: Option<(i64, String)> = c
        .prepare_cached(
            "SELECT chain_seq, hash FROM audit_log WHERE node_id = ?1 AND chain_seq IS NOT NULL
             ORDER BY chain_seq DESC LIMIT 1",
        )
        .map_err(map_err)?
        .query_row(params![a.node], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(map_err)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s as u64 + 1, h),
        None => (1, reserv_store::chain::GENESIS.to_owned()),
    };
    let hash = reserv_store::chain::link_hash(&prev, seq, a, patients);
    c.prepare_cached(
        "INSERT INTO audit_log (id, at, actor_id, actor, org_id, action, target, origin, detail, node_id,
                                chain_seq, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .map_err(map_err)?
    .execute(params![
        a.id.to_string(),
        micros(a.at),
        a.actor_id.map(|u| u.to_string()),
        a.actor,
        a.org.as_ref().map(|o| o.as_str().to_owned()),
        a.action,
        a.target,
        a.origin,
        a.detail,
        a.node,
        seq as i64,
        prev,
        hash,
    ])
    .map_err(map_err)?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`. Several stores (or
    /// processes) may open the same file: SQLite serialises their writers,
    /// and the schema's unique constraints keep every "at most once" rule.
    pub fn open(dir: &Path) -> Result<SqliteStore, OpenError> {
        std::fs::create_dir_all(dir).map_err(|e| OpenError::CreateDir(dir.to_owned(), e))?;
        let path = dir.join(DB_FILE);
        let open = |e| OpenError::Open(path.clone(), e);
        let mut conn =
            open_conn(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE).map_err(open)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(open)?;
        let migrate = |e| OpenError::Migrate(path.clone(), e);
        // Two processes opening a fresh file at once: the second waits for
        // the first one's migration and then finds nothing left to do.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(migrate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(open)?;
        if version as usize > MIGRATIONS.len() {
            return Err(OpenError::TooNew(path.clone(), version, MIGRATIONS.len()));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(migrate)?;
            if i + 1 == SPANS_VERSION {
                let n = outages::backfill_spans(&tx).map_err(|e| OpenError::Backfill(path.clone(), e))?;
                tracing::info!(outages = n, "outage spans filled from the stored timelines");
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(migrate)?;
            tracing::info!(version = i + 1, "database migrated");
        }
        let node: String = match tx
            .query_row("SELECT value FROM meta WHERE key = 'node_id'", [], |r| r.get(0))
            .optional()
            .map_err(open)?
        {
            Some(n) => n,
            None => {
                let n = Uuid::now_v7().to_string();
                tx.execute("INSERT INTO meta (key, value) VALUES ('node_id', ?1)", [&n]).map_err(open)?;
                n
            }
        };
        tx.commit().map_err(migrate)?;
        let writer = Writer::spawn(conn).map_err(OpenError::Thread)?;
        Ok(SqliteStore {
            path,
            node,
            writer,
            readers: Arc::new(Mutex::new(Vec::new())),
            read_permits: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let permit = self
            .read_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closing".into()))?;
        let pool = self.readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = pool.lock().map(|mut p| p.pop()).unwrap_or(None);
            let conn = match pooled {
                Some(c) => c,
                None => open_conn(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(map_err)?,
            };
            let r = f(&conn);
            // With the permits, the pool never holds more than MAX_READERS connections.
            if let Ok(mut p) = pool.lock() {
                p.push(conn);
            }
            r
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("reader task failed: {e}")))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn node_id(&self) -> &str {
        &self.node
    }

    async fn health_check(&self, now: Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO health (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                )
                .map_err(map_err)?
                .execute([micros(now)])
                .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn upsert_organisations(&self, orgs: Vec<Organisation>, audit: AuditRecord) -> Result<(), StoreError> {
        let rows = directory::org_rows(&orgs)?;
        self.writer.write(move |c| directory::upsert_organisations(c, &rows, &audit)).await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.read(directory::organisations).await
    }

    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError> {
        let id = id.to_string();
        self.read(move |c| directory::organisation(c, &id)).await
    }

    async fn insert_user(&self, u: UserRecord, audit: AuditRecord) -> Result<(), StoreError> {
        let routine_roles = json(&u.routine_roles)?;
        self.writer.write(move |c| directory::insert_user(c, &u, &routine_roles, &audit)).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let name = username.to_owned();
        self.read(move |c| Ok(directory::users(c, "WHERE username = ?1", &name)?.into_iter().next())).await
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let id = id.to_string();
        self.read(move |c| Ok(directory::users(c, "WHERE id = ?1", &id)?.into_iter().next())).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.read(|c| directory::users(c, "", "")).await
    }

    async fn record_login_failure(
        &self,
        user: UserId,
        failed_logins: u32,
        locked_until: Option<Timestamp>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.writer.write(move |c| directory::record_login_failure(c, user, failed_logins, locked_until, &audit)).await
    }

    async fn record_login_success(&self, s: SessionRecord, audit: AuditRecord) -> Result<(), StoreError> {
        self.writer.write(move |c| directory::record_login_success(c, &s, &audit)).await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        let hash = token_hash.to_owned();
        self.read(move |c| directory::session(c, hash, now)).await
    }

    async fn delete_session(&self, token_hash: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.writer.write(move |c| directory::delete_session(c, &hash, &audit)).await
    }

    async fn record_login_success_capped(
        &self,
        s: SessionRecord,
        max_live: u32,
        audit: AuditRecord,
    ) -> Result<u64, StoreError> {
        self.writer.write(move |c| directory::record_login_success_capped(c, &s, max_live, &audit)).await
    }

    async fn delete_user_sessions(&self, user: UserId, audit: AuditRecord) -> Result<u64, StoreError> {
        self.writer.write(move |c| directory::delete_user_sessions(c, user, &audit)).await
    }

    async fn append_outage_event(
        &self,
        event: OutageEvent,
        span: OutageSpan,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let e = outages::new_event(event, span)?;
        self.writer.write(move |c| outages::append(c, &e, &audit)).await
    }

    async fn outage_events(&self, id: OutageId) -> Result<Vec<OutageEvent>, StoreError> {
        let rows = self.read(move |c| timeline::of_one(c, timeline::OUTAGES, id.0)).await?;
        rows.into_iter().map(timeline::TimelineRow::into_outage_event).collect()
    }

    async fn all_outage_events(&self) -> Result<Vec<OutageEvent>, StoreError> {
        let rows = self.read(|c| timeline::of_all(c, timeline::OUTAGES)).await?;
        rows.into_iter().map(timeline::TimelineRow::into_outage_event).collect()
    }

    async fn has_outages(&self) -> Result<bool, StoreError> {
        self.read(outages::any).await
    }

    async fn outage_spans_overlapping(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OutageSpan>, StoreError> {
        self.read(move |c| outages::overlapping(c, from, to)).await
    }

    async fn outage_spans(&self, ids: &[OutageId]) -> Result<Vec<OutageSpan>, StoreError> {
        let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        self.read(move |c| outages::of_ids(c, &ids)).await
    }

    async fn recent_outages(&self, ended_since: Timestamp, ended_limit: u32) -> Result<Vec<OutageEvent>, StoreError> {
        self.read(move |c| outages::recent(c, ended_since, ended_limit)).await
    }

    async fn append_episode_event(&self, event: EpisodeEvent, audit: AuditRecord) -> Result<(), StoreError> {
        let e = episodes::new_event(event)?;
        self.writer.write(move |c| episodes::append(c, &e, &audit)).await
    }

    async fn episode_events(&self, id: EpisodeId) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.read(move |c| episodes::of_one(c, id)).await
    }

    async fn all_episode_events(&self) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.read(episodes::of_all).await
    }

    async fn has_episodes(&self) -> Result<bool, StoreError> {
        self.read(episodes::any).await
    }

    async fn episode_record(&self, id: EpisodeId) -> Result<EpisodeRecord, StoreError> {
        self.read(move |c| episodes::record(c, id)).await
    }

    async fn episodes_naming(&self, org: &OrgId) -> Result<Vec<EpisodeEvent>, StoreError> {
        let org = org.clone();
        self.read(move |c| episodes::naming(c, &org)).await
    }

    async fn episodes_of_outage(
        &self,
        outage: OutageId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EpisodeEvent>, StoreError> {
        self.read(move |c| episodes::of_outage(c, outage, from, to)).await
    }

    async fn append_log_entry(&self, entry: LogEntry, audit: AuditRecord) -> Result<(), StoreError> {
        let e = episodes::new_entry(entry)?;
        self.writer.write(move |c| episodes::append_entry(c, &e, &audit)).await
    }

    async fn log_entries(&self, ids: &[EpisodeId]) -> Result<Vec<LogEntry>, StoreError> {
        let ids: Vec<String> = ids.iter().map(|e| e.to_string()).collect();
        self.read(move |c| episodes::entries(c, &ids)).await
    }

    async fn append_sip_record(&self, record: SipRecord, audit: AuditRecord) -> Result<(), StoreError> {
        let n = episodes::new_sip(record)?;
        self.writer.write(move |c| episodes::append_sip(c, &n, &audit)).await
    }

    async fn sip_records(&self, ids: &[EpisodeId]) -> Result<Vec<SipRecord>, StoreError> {
        let ids: Vec<String> = ids.iter().map(|e| e.to_string()).collect();
        self.read(move |c| episodes::sips(c, &ids)).await
    }

    async fn append_work_event(
        &self,
        event: WorkEvent,
        after: Option<EntryId>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let n = chains::new_work(event)?;
        self.writer.write(move |c| chains::append_work(c, &n, after, &audit)).await
    }

    async fn work_events(&self, outage: OutageId) -> Result<Vec<WorkEvent>, StoreError> {
        self.read(move |c| chains::work(c, outage)).await
    }

    async fn append_deviation(&self, report: DeviationReport, audit: AuditRecord) -> Result<(), StoreError> {
        let data = json(&report)?;
        self.writer.write(move |c| records::append_deviation(c, &report, &data, &audit)).await
    }

    async fn deviations(&self, outage: OutageId) -> Result<Vec<DeviationReport>, StoreError> {
        self.read(move |c| records::deviations(c, outage)).await
    }

    async fn append_tick(&self, tick: TickEvent, after: Option<EntryId>, audit: AuditRecord) -> Result<(), StoreError> {
        let n = chains::new_tick(tick)?;
        self.writer.write(move |c| chains::append_tick(c, &n, after, &audit)).await
    }

    async fn ticks(&self, outage: OutageId) -> Result<Vec<TickEvent>, StoreError> {
        self.read(move |c| chains::ticks(c, outage)).await
    }

    async fn enqueue_messages(
        &self,
        messages: Vec<reserv_core::outbox::OutboxMessage>,
        audit: AuditRecord,
    ) -> Result<Vec<EntryId>, StoreError> {
        let rows = outbox::rows(messages)?;
        self.writer.write(move |c| outbox::enqueue(c, &rows, &audit)).await
    }

    async fn outbox(&self, outage: OutageId) -> Result<Vec<OutboxEntry>, StoreError> {
        self.read(move |c| outbox::of_outage(c, outage)).await
    }

    async fn outbox_message(&self, id: EntryId) -> Result<Option<OutboxEntry>, StoreError> {
        self.read(move |c| outbox::one(c, id)).await
    }

    async fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        self.read(move |c| outbox::due(c, now, limit)).await
    }

    async fn append_delivery_event(
        &self,
        event: reserv_core::outbox::DeliveryEvent,
        audit: Option<AuditRecord>,
    ) -> Result<(), StoreError> {
        self.writer.write(move |c| outbox::append(c, &event, audit.as_ref())).await
    }

    async fn outbox_by_token(&self, token_hash: &str) -> Result<Option<(OutboxEntry, Timestamp)>, StoreError> {
        let hash = token_hash.to_owned();
        self.read(move |c| outbox::by_token(c, &hash)).await
    }

    async fn append_subscription_event(&self, event: SubscriptionEvent, audit: AuditRecord) -> Result<(), StoreError> {
        let data = json(&event)?;
        self.writer.write(move |c| records::append_subscription_event(c, &event, &data, &audit)).await
    }

    async fn subscription_events(&self, id: EntryId) -> Result<Vec<SubscriptionEvent>, StoreError> {
        self.read(move |c| records::subscription_events(c, id)).await
    }

    async fn subscription_events_by_email(&self, email: &str) -> Result<Vec<SubscriptionEvent>, StoreError> {
        let email = email.to_lowercase();
        self.read(move |c| records::subscription_events_by_email(c, &email)).await
    }

    async fn all_subscription_events(&self) -> Result<Vec<SubscriptionEvent>, StoreError> {
        self.read(records::all_subscription_events).await
    }

    async fn append_audit(&self, audit: AuditRecord) -> Result<(), StoreError> {
        self.writer.write(move |c| insert_audit(c, &audit)).await
    }

    async fn audit_log(&self, q: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(move |c| records::audit_log(c, q)).await
    }

    async fn append_read_audit(&self, audit: AuditRecord, patients: Vec<AuditPatient>) -> Result<(), StoreError> {
        self.writer.write(move |c| records::insert_read_audit(c, &audit, &patients)).await
    }

    async fn audit_chain(&self) -> Result<Vec<reserv_store::chain::ChainedRecord>, StoreError> {
        self.read(records::audit_chain).await
    }

    async fn missing_audit_guards(&self) -> Result<Vec<String>, StoreError> {
        self.read(records::missing_audit_guards).await
    }

    async fn patient_reads(&self, q: PatientReadQuery) -> Result<Vec<PatientRead>, StoreError> {
        self.read(move |c| records::patient_reads(c, q)).await
    }
}

#[cfg(test)]
mod tests;
