//! Embedded SQLite backend of the Reserv storage contract: one file in the
//! data directory, created on first start, migrated by `PRAGMA user_version`,
//! WAL with `synchronous = FULL` so a commit is on disk before it returns.
//! Writes go through the group-commit [`writer`]; reads use a small pool of
//! their own connections on blocking threads.

mod outbox;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, params};
use uuid::Uuid;

use reserv_core::checklist::TickEvent;
use reserv_core::deviation::DeviationReport;
use reserv_core::episode::{EpisodeEvent, LogEntry};
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use reserv_core::org::{Organisation, Role};
use reserv_core::outage::{Actor, OutageEvent};
use reserv_core::worklist::WorkEvent;
use reserv_store::{AuditQuery, AuditRecord, SessionKind, SessionRecord, Store, StoreError, UserRecord};

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
];

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

fn subscription_rows(
    c: &Connection,
    sql: &str,
    arg: &str,
) -> Result<Vec<reserv_core::subscription::SubscriptionEvent>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map([arg], |r| r.get::<_, String>(0)).map_err(map_err)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(unjson(&r.map_err(map_err)?)?);
    }
    Ok(out)
}

fn micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

fn from_micros(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn unjson<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn open_conn(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStore, OpenError> {
        std::fs::create_dir_all(dir).map_err(|e| OpenError::CreateDir(dir.to_owned(), e))?;
        let path = dir.join(DB_FILE);
        let open = |e| OpenError::Open(path.clone(), e);
        let mut conn =
            open_conn(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE).map_err(open)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(open)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(open)?;
        if version as usize > MIGRATIONS.len() {
            return Err(OpenError::TooNew(path, version, MIGRATIONS.len()));
        }
        let migrate = |e| OpenError::Migrate(path.clone(), e);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction().map_err(migrate)?;
            tx.execute_batch(sql).map_err(migrate)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(migrate)?;
            tx.commit().map_err(migrate)?;
            tracing::info!(version = i + 1, "database migrated");
        }
        let node: String = match conn
            .query_row("SELECT value FROM meta WHERE key = 'node_id'", [], |r| r.get(0))
            .optional()
            .map_err(open)?
        {
            Some(n) => n,
            None => {
                let n = Uuid::now_v7().to_string();
                conn.execute("INSERT INTO meta (key, value) VALUES ('node_id', ?1)", [&n]).map_err(open)?;
                n
            }
        };
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

fn insert_audit(c: &Connection, a: &AuditRecord) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO audit_log (id, at, actor_id, actor, org_id, action, target, origin, detail, node_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
    ])
    .map_err(map_err)?;
    Ok(())
}

const USER_COLUMNS: &str =
    "id, username, display_name, org_id, role, password_hash, failed_logins, locked_until, created_at, routine_roles";

fn user_from_row(r: &Row<'_>) -> Result<UserRecord, StoreError> {
    let get = |e: rusqlite::Error| map_err(e);
    let id: String = r.get(0).map_err(get)?;
    let org: String = r.get(3).map_err(get)?;
    let role: String = r.get(4).map_err(get)?;
    let locked: Option<i64> = r.get(7).map_err(get)?;
    Ok(UserRecord {
        id: UserId(parse_uuid(&id)?),
        username: r.get(1).map_err(get)?,
        display_name: r.get(2).map_err(get)?,
        org: OrgId::parse(&org).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: r.get(5).map_err(get)?,
        failed_logins: r.get(6).map_err(get)?,
        locked_until: locked.map(from_micros).transpose()?,
        created_at: from_micros(r.get(8).map_err(get)?)?,
        // A key this version does not know is left out rather than locking the
        // person out: their checklist falls back to their other roles.
        routine_roles: unjson::<Vec<String>>(&r.get::<_, String>(9).map_err(get)?)?
            .iter()
            .filter_map(|k| reserv_core::routine::RoutineRole::parse(k))
            .collect(),
    })
}

fn query_users(c: &Connection, where_clause: &str, arg: &str) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users {where_clause} ORDER BY username");
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = if where_clause.is_empty() { stmt.query([]) } else { stmt.query([arg]) }.map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        out.push(user_from_row(r)?);
    }
    Ok(out)
}

/// A timeline table: outage or episode changes share one shape.
struct Timeline {
    table: &'static str,
    owner: &'static str,
    what: &'static str,
}

const OUTAGES: Timeline = Timeline { table: "outage_events", owner: "outage_id", what: "outage" };
const EPISODES: Timeline = Timeline { table: "episode_events", owner: "episode_id", what: "episode" };

/// One timeline entry as stored; `change` is the JSON of the typed change.
struct TimelineRow {
    id: EntryId,
    owner: Uuid,
    seq: u32,
    at: Timestamp,
    actor: Actor,
    node: String,
    change: String,
}

impl TimelineRow {
    fn into_outage_event(self) -> Result<OutageEvent, StoreError> {
        Ok(OutageEvent {
            id: self.id,
            outage_id: OutageId(self.owner),
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            node: self.node,
            change: unjson(&self.change)?,
        })
    }

    fn into_episode_event(self) -> Result<EpisodeEvent, StoreError> {
        Ok(EpisodeEvent {
            id: self.id,
            episode_id: EpisodeId(self.owner),
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            node: self.node,
            change: unjson(&self.change)?,
        })
    }
}

/// Appends an entry at its `seq`; a taken position is a `Conflict` (someone
/// else changed the same record first).
fn append_timeline(c: &Connection, t: Timeline, r: TimelineRow, audit: AuditRecord) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {} (id, {}, seq, at, actor_id, actor_name, node_id, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        t.table, t.owner
    );
    c.prepare_cached(&sql)
        .map_err(map_err)?
        .execute(params![
            r.id.to_string(),
            r.owner.to_string(),
            r.seq,
            micros(r.at),
            r.actor.user_id.map(|u| u.to_string()),
            r.actor.name,
            r.node,
            r.change
        ])
        .map_err(|err| match map_err(err) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "{} {} was changed by someone else (timeline position {})",
                t.what, r.owner, r.seq
            )),
            other => other,
        })?;
    insert_audit(c, &audit)
}

/// One record's timeline ordered by `seq`, or every timeline ordered by record and `seq`.
fn query_timeline(c: &Connection, t: Timeline, owner: Option<Uuid>) -> Result<Vec<TimelineRow>, StoreError> {
    let columns = format!("id, {}, seq, at, actor_id, actor_name, node_id, change", t.owner);
    let sql = match owner {
        Some(_) => format!("SELECT {columns} FROM {} WHERE {} = ?1 ORDER BY seq", t.table, t.owner),
        None => format!("SELECT {columns} FROM {} ORDER BY {}, seq", t.table, t.owner),
    };
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = match owner {
        Some(o) => stmt.query([o.to_string()]),
        None => stmt.query([]),
    }
    .map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let g = |e: rusqlite::Error| map_err(e);
        let id: String = r.get(0).map_err(g)?;
        let owner: String = r.get(1).map_err(g)?;
        let actor_id: Option<String> = r.get(4).map_err(g)?;
        out.push(TimelineRow {
            id: EntryId(parse_uuid(&id)?),
            owner: parse_uuid(&owner)?,
            seq: r.get(2).map_err(g)?,
            at: from_micros(r.get(3).map_err(g)?)?,
            actor: Actor {
                user_id: actor_id.as_deref().map(parse_uuid).transpose()?.map(UserId),
                name: r.get(5).map_err(g)?,
            },
            node: r.get(6).map_err(g)?,
            change: r.get(7).map_err(g)?,
        });
    }
    Ok(out)
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
        let rows = orgs
            .iter()
            .map(|o| Ok((o.id.to_string(), json(&o.kind)?, o.parent.as_ref().map(|p| p.to_string()), json(o)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.writer
            .write(move |c| {
                let mut stmt = c
                    .prepare_cached(
                        "INSERT INTO organisations (id, kind, parent_id, data) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, parent_id = excluded.parent_id,
                         data = excluded.data",
                    )
                    .map_err(map_err)?;
                for (id, kind, parent, data) in &rows {
                    stmt.execute(params![id, kind, parent, data]).map_err(map_err)?;
                }
                insert_audit(c, &audit)
            })
            .await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT data FROM organisations ORDER BY id").map_err(map_err)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(map_err)?;
            rows.map(|r| unjson(&r.map_err(map_err)?)).collect()
        })
        .await
    }

    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError> {
        let id = id.to_string();
        self.read(move |c| {
            let data: Option<String> = c
                .query_row("SELECT data FROM organisations WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(map_err)?;
            data.map(|d| unjson(&d)).transpose()
        })
        .await
    }

    async fn insert_user(&self, u: UserRecord, audit: AuditRecord) -> Result<(), StoreError> {
        let routine_roles = json(&u.routine_roles)?;
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO users (id, username, display_name, org_id, role, password_hash, failed_logins,
                     locked_until, created_at, routine_roles) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(map_err)?
                .execute(params![
                    u.id.to_string(),
                    u.username,
                    u.display_name,
                    u.org.as_str(),
                    u.role.key(),
                    u.password_hash,
                    u.failed_logins,
                    u.locked_until.map(micros),
                    micros(u.created_at),
                    routine_roles,
                ])
                .map_err(|e| match map_err(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!("username {} is taken", u.username)),
                    StoreError::MissingReference(_) => {
                        StoreError::MissingReference(format!("organisation {} does not exist", u.org))
                    }
                    other => other,
                })?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let name = username.to_owned();
        self.read(move |c| Ok(query_users(c, "WHERE username = ?1", &name)?.into_iter().next())).await
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let id = id.to_string();
        self.read(move |c| Ok(query_users(c, "WHERE id = ?1", &id)?.into_iter().next())).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.read(|c| query_users(c, "", "")).await
    }

    async fn record_login_failure(
        &self,
        user: UserId,
        failed_logins: u32,
        locked_until: Option<Timestamp>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                c.prepare_cached("UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1")
                    .map_err(map_err)?
                    .execute(params![user.to_string(), failed_logins, locked_until.map(micros)])
                    .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn record_login_success(&self, s: SessionRecord, audit: AuditRecord) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                c.prepare_cached("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1")
                    .map_err(map_err)?
                    .execute([s.user_id.to_string()])
                    .map_err(map_err)?;
                // Expired sessions are of no use to anyone: clear them here.
                c.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")
                    .map_err(map_err)?
                    .execute([micros(s.created_at)])
                    .map_err(map_err)?;
                c.prepare_cached(
                    "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(map_err)?
                .execute(params![
                    s.token_hash,
                    s.user_id.to_string(),
                    s.kind.key(),
                    s.csrf_token,
                    micros(s.created_at),
                    micros(s.expires_at)
                ])
                .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        let hash = token_hash.to_owned();
        self.read(move |c| {
            let row = c
                .query_row(
                    "SELECT user_id, kind, csrf_token, created_at, expires_at FROM sessions
                     WHERE token_hash = ?1 AND expires_at > ?2",
                    params![hash, micros(now)],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    },
                )
                .optional()
                .map_err(map_err)?;
            let Some((user_id, kind, csrf, created, expires)) = row else {
                return Ok(None);
            };
            let Some(user) = query_users(c, "WHERE id = ?1", &user_id)?.into_iter().next() else {
                return Ok(None);
            };
            let kind = match kind.as_str() {
                "browser" => SessionKind::Browser,
                "api" => SessionKind::Api,
                other => return Err(StoreError::Corrupt(format!("session kind {other}"))),
            };
            Ok(Some((
                SessionRecord {
                    token_hash: hash,
                    user_id: user.id,
                    kind,
                    csrf_token: csrf,
                    created_at: from_micros(created)?,
                    expires_at: from_micros(expires)?,
                },
                user,
            )))
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.writer
            .write(move |c| {
                c.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
                    .map_err(map_err)?
                    .execute([hash])
                    .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn append_outage_event(&self, e: OutageEvent, audit: AuditRecord) -> Result<(), StoreError> {
        let row = TimelineRow {
            id: e.id,
            owner: e.outage_id.0,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            node: e.node,
            change: json(&e.change)?,
        };
        self.writer.write(move |c| append_timeline(c, OUTAGES, row, audit)).await
    }

    async fn outage_events(&self, id: OutageId) -> Result<Vec<OutageEvent>, StoreError> {
        let rows = self.read(move |c| query_timeline(c, OUTAGES, Some(id.0))).await?;
        rows.into_iter().map(TimelineRow::into_outage_event).collect()
    }

    async fn all_outage_events(&self) -> Result<Vec<OutageEvent>, StoreError> {
        let rows = self.read(|c| query_timeline(c, OUTAGES, None)).await?;
        rows.into_iter().map(TimelineRow::into_outage_event).collect()
    }

    async fn append_episode_event(&self, e: EpisodeEvent, audit: AuditRecord) -> Result<(), StoreError> {
        let row = TimelineRow {
            id: e.id,
            owner: e.episode_id.0,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            node: e.node,
            change: json(&e.change)?,
        };
        self.writer.write(move |c| append_timeline(c, EPISODES, row, audit)).await
    }

    async fn episode_events(&self, id: EpisodeId) -> Result<Vec<EpisodeEvent>, StoreError> {
        let rows = self.read(move |c| query_timeline(c, EPISODES, Some(id.0))).await?;
        rows.into_iter().map(TimelineRow::into_episode_event).collect()
    }

    async fn all_episode_events(&self) -> Result<Vec<EpisodeEvent>, StoreError> {
        let rows = self.read(|c| query_timeline(c, EPISODES, None)).await?;
        rows.into_iter().map(TimelineRow::into_episode_event).collect()
    }

    async fn append_log_entry(&self, entry: LogEntry, audit: AuditRecord) -> Result<(), StoreError> {
        let data = json(&entry)?;
        self.writer
            .write(move |c| {
                c.prepare_cached("INSERT INTO log_entries (id, episode_id, at, entry) VALUES (?1, ?2, ?3, ?4)")
                    .map_err(map_err)?
                    .execute(params![entry.id.to_string(), entry.episode_id.to_string(), micros(entry.at), data])
                    .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn log_entries(&self, episodes: &[EpisodeId]) -> Result<Vec<LogEntry>, StoreError> {
        let ids: Vec<String> = episodes.iter().map(|e| e.to_string()).collect();
        self.read(move |c| {
            let mut out = Vec::new();
            // One query per chunk of episodes (SQLite limits bound parameters).
            for chunk in ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let sql = format!("SELECT entry FROM log_entries WHERE episode_id IN ({marks})");
                let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(chunk.iter()), |r| r.get::<_, String>(0))
                    .map_err(map_err)?;
                for r in rows {
                    out.push(unjson::<LogEntry>(&r.map_err(map_err)?)?);
                }
            }
            out.sort_by_key(|e| (e.at, e.id));
            Ok(out)
        })
        .await
    }

    async fn append_work_event(
        &self,
        event: WorkEvent,
        after: Option<EntryId>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let data = json(&event)?;
        self.writer
            .write(move |c| {
                let (outage, key) = (event.outage_id.to_string(), event.key.to_string());
                let last: Option<String> = c
                    .prepare_cached(
                        "SELECT id FROM worklist_events WHERE outage_id = ?1 AND item_key = ?2
                         ORDER BY at DESC, id DESC LIMIT 1",
                    )
                    .map_err(map_err)?
                    .query_row(params![outage, key], |r| r.get(0))
                    .optional()
                    .map_err(map_err)?;
                if last != after.map(|a| a.to_string()) {
                    return Err(StoreError::Conflict(format!("work item {key} changed meanwhile")));
                }
                c.prepare_cached(
                    "INSERT INTO worklist_events (id, outage_id, item_key, at, event) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(map_err)?
                .execute(params![event.id.to_string(), outage, key, micros(event.at), data])
                .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn work_events(&self, outage: OutageId) -> Result<Vec<WorkEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT event FROM worklist_events WHERE outage_id = ?1 ORDER BY at, id")
                .map_err(map_err)?;
            let rows = stmt.query_map(params![outage.to_string()], |r| r.get::<_, String>(0)).map_err(map_err)?;
            let mut out = Vec::new();
            for r in rows {
                out.push(unjson::<WorkEvent>(&r.map_err(map_err)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn append_deviation(&self, report: DeviationReport, audit: AuditRecord) -> Result<(), StoreError> {
        let data = json(&report)?;
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO deviation_reports (id, outage_id, occurred_at, supersedes, report)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(map_err)?
                .execute(params![
                    report.id.to_string(),
                    report.outage_id.to_string(),
                    micros(report.occurred_at),
                    report.supersedes.map(|s| s.to_string()),
                    data
                ])
                .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn deviations(&self, outage: OutageId) -> Result<Vec<DeviationReport>, StoreError> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT report FROM deviation_reports WHERE outage_id = ?1 ORDER BY occurred_at, id")
                .map_err(map_err)?;
            let rows = stmt.query_map(params![outage.to_string()], |r| r.get::<_, String>(0)).map_err(map_err)?;
            let mut out = Vec::new();
            for r in rows {
                out.push(unjson::<DeviationReport>(&r.map_err(map_err)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn append_tick(&self, tick: TickEvent, after: Option<EntryId>, audit: AuditRecord) -> Result<(), StoreError> {
        let data = json(&tick)?;
        self.writer
            .write(move |c| {
                let (outage, user) = (tick.outage_id.to_string(), tick.user_id.to_string());
                let last: Option<String> = c
                    .prepare_cached(
                        "SELECT id FROM checklist_ticks WHERE outage_id = ?1 AND user_id = ?2 AND step_id = ?3
                         ORDER BY at DESC, id DESC LIMIT 1",
                    )
                    .map_err(map_err)?
                    .query_row(params![outage, user, tick.step], |r| r.get(0))
                    .optional()
                    .map_err(map_err)?;
                if last != after.map(|a| a.to_string()) {
                    return Err(StoreError::Conflict(format!("checklist step {} changed meanwhile", tick.step)));
                }
                c.prepare_cached(
                    "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(map_err)?
                .execute(params![tick.id.to_string(), outage, user, tick.step, micros(tick.at), data])
                .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn ticks(&self, outage: OutageId) -> Result<Vec<TickEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT tick FROM checklist_ticks WHERE outage_id = ?1 ORDER BY at, id")
                .map_err(map_err)?;
            let rows = stmt.query_map(params![outage.to_string()], |r| r.get::<_, String>(0)).map_err(map_err)?;
            let mut out = Vec::new();
            for r in rows {
                out.push(unjson::<TickEvent>(&r.map_err(map_err)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn enqueue_messages(
        &self,
        messages: Vec<reserv_core::outbox::OutboxMessage>,
        audit: AuditRecord,
    ) -> Result<Vec<EntryId>, StoreError> {
        let rows = outbox::rows(messages)?;
        self.writer.write(move |c| outbox::enqueue(c, &rows, &audit)).await
    }

    async fn outbox(&self, outage: OutageId) -> Result<Vec<reserv_store::OutboxEntry>, StoreError> {
        self.read(move |c| outbox::of_outage(c, outage)).await
    }

    async fn outbox_message(&self, id: EntryId) -> Result<Option<reserv_store::OutboxEntry>, StoreError> {
        self.read(move |c| outbox::one(c, id)).await
    }

    async fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<reserv_store::OutboxEntry>, StoreError> {
        self.read(move |c| outbox::due(c, now, limit)).await
    }

    async fn append_delivery_event(
        &self,
        event: reserv_core::outbox::DeliveryEvent,
        audit: Option<AuditRecord>,
    ) -> Result<(), StoreError> {
        self.writer.write(move |c| outbox::append(c, &event, audit.as_ref())).await
    }

    async fn outbox_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(reserv_store::OutboxEntry, Timestamp)>, StoreError> {
        let hash = token_hash.to_owned();
        self.read(move |c| outbox::by_token(c, &hash)).await
    }

    async fn append_subscription_event(
        &self,
        event: reserv_core::subscription::SubscriptionEvent,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let data = json(&event)?;
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO subscription_events (id, subscription_id, seq, at, email, event)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(map_err)?
                .execute(params![
                    event.id.to_string(),
                    event.subscription_id.to_string(),
                    event.seq,
                    micros(event.at),
                    event.email.to_lowercase(),
                    data
                ])
                .map_err(map_err)?;
                insert_audit(c, &audit)
            })
            .await
    }

    async fn subscription_events(
        &self,
        id: EntryId,
    ) -> Result<Vec<reserv_core::subscription::SubscriptionEvent>, StoreError> {
        self.read(move |c| {
            subscription_rows(
                c,
                "SELECT event FROM subscription_events WHERE subscription_id = ?1 ORDER BY seq",
                &id.to_string(),
            )
        })
        .await
    }

    async fn subscription_events_by_email(
        &self,
        email: &str,
    ) -> Result<Vec<reserv_core::subscription::SubscriptionEvent>, StoreError> {
        let email = email.to_lowercase();
        self.read(move |c| {
            subscription_rows(
                c,
                "SELECT event FROM subscription_events WHERE email = ?1 ORDER BY subscription_id, seq",
                &email,
            )
        })
        .await
    }

    async fn all_subscription_events(&self) -> Result<Vec<reserv_core::subscription::SubscriptionEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT event FROM subscription_events ORDER BY subscription_id, seq")
                .map_err(map_err)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(map_err)?;
            let mut out = Vec::new();
            for r in rows {
                out.push(unjson(&r.map_err(map_err)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn append_audit(&self, audit: AuditRecord) -> Result<(), StoreError> {
        self.writer.write(move |c| insert_audit(c, &audit)).await
    }

    async fn audit_log(&self, q: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(move |c| {
            let before = q.before.map(|b| b.to_string()).unwrap_or_else(|| "~".into());
            let prefix = q.action_prefix.unwrap_or_default();
            let mut stmt = c
                .prepare(
                    "SELECT id, at, actor_id, actor, org_id, action, target, origin, detail, node_id FROM audit_log
                     WHERE id < ?1 AND substr(action, 1, length(?2)) = ?2 ORDER BY id DESC LIMIT ?3",
                )
                .map_err(map_err)?;
            let mut rows = stmt.query(params![before, prefix, q.limit.clamp(1, 1000)]).map_err(map_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(map_err)? {
                let g = |e: rusqlite::Error| map_err(e);
                let id: String = r.get(0).map_err(g)?;
                let actor_id: Option<String> = r.get(2).map_err(g)?;
                let org: Option<String> = r.get(4).map_err(g)?;
                out.push(AuditRecord {
                    id: EntryId(parse_uuid(&id)?),
                    at: from_micros(r.get(1).map_err(g)?)?,
                    actor_id: actor_id.as_deref().map(parse_uuid).transpose()?.map(UserId),
                    actor: r.get(3).map_err(g)?,
                    org: org
                        .as_deref()
                        .map(OrgId::parse)
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    action: r.get(5).map_err(g)?,
                    target: r.get(6).map_err(g)?,
                    origin: r.get(7).map_err(g)?,
                    detail: r.get(8).map_err(g)?,
                    node: r.get(9).map_err(g)?,
                });
            }
            Ok(out)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn passes_the_storage_contract() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        reserv_store::contract::run_all(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reopening_keeps_data_and_node_id() {
        let dir = tempfile::tempdir().unwrap();
        let node = {
            let store = SqliteStore::open(dir.path()).unwrap();
            reserv_store::contract::run_all(&store).await;
            store.node_id().to_owned()
        };
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.node_id(), node);
        assert!(!store.users().await.unwrap().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_are_all_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let mut tasks = Vec::new();
        for i in 0..200u32 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut a = AuditRecord {
                    id: EntryId(Uuid::now_v7()),
                    at: Timestamp::UNIX_EPOCH,
                    actor_id: None,
                    actor: "t".into(),
                    org: None,
                    action: "test.concurrent".into(),
                    target: None,
                    origin: "test".into(),
                    detail: String::new(),
                    node: "n".into(),
                };
                a.detail = i.to_string();
                s.append_audit(a).await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        // A fresh connection (as after a crash and restart) sees every acknowledged write.
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM audit_log WHERE action = 'test.concurrent'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 200);
    }

    #[test]
    fn audit_log_and_timelines_refuse_updates_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute(
            "INSERT INTO audit_log (id, at, actor, action, origin, detail, node_id) VALUES ('a', 0, 'x', 'y', 'z', '', 'n')",
            [],
        )
        .unwrap();
        assert!(conn.execute("UPDATE audit_log SET actor = 'evil'", []).is_err());
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
        conn.execute(
            "INSERT INTO deviation_reports (id, outage_id, occurred_at, report) VALUES ('d', 'o', 0, '{}')",
            [],
        )
        .unwrap();
        assert!(conn.execute("UPDATE deviation_reports SET report = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM deviation_reports", []).is_err());
    }

    #[test]
    fn checklist_ticks_refuse_updates_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute(
            "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick) VALUES ('t', 'o', 'u', 's', 0, '{}')",
            [],
        )
        .unwrap();
        assert!(conn.execute("UPDATE checklist_ticks SET tick = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM checklist_ticks", []).is_err());
    }

    #[test]
    fn outbox_timelines_are_append_only_and_messages_never_change() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute(
            "INSERT INTO outbox_messages (id, outage_id, msg_key, recipient_key, due_at, message, status, next_at)
             VALUES ('m', 'o', 'k', '', 0, '{}', 'queued', 0)",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO outbox_events (id, message_id, seq, at, event) VALUES ('e', 'm', 0, 0, '{}')", [])
            .unwrap();
        assert!(conn.execute("UPDATE outbox_events SET event = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM outbox_events", []).is_err());
        assert!(conn.execute("UPDATE outbox_messages SET message = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM outbox_messages", []).is_err());
        // The fold's cache may change.
        assert!(conn.execute("UPDATE outbox_messages SET status = 'sent', next_at = NULL", []).is_ok());
    }

    #[test]
    fn unwritable_directory_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = SqliteStore::open(&file.join("data")).err().expect("must fail");
        assert!(err.to_string().contains("cannot create the data directory"), "{err}");
    }
}
