//! Reference data: the organisation directory, accounts and sessions. These
//! may change in place (each change is audited); only a hash of a session's
//! secret token is stored.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use reserv_core::ids::{OrgId, UserId};
use reserv_core::org::{Organisation, Role};
use reserv_store::{AuditRecord, SessionKind, SessionRecord, StoreError, UserRecord};

use crate::{from_micros, insert_audit, json, map_err, micros, parse_uuid, unjson};

/// Organisations ready to write: (id, kind, parent, JSON).
pub(crate) type OrgRows = Vec<(String, String, Option<String>, String)>;

pub(crate) fn org_rows(orgs: &[Organisation]) -> Result<OrgRows, StoreError> {
    orgs.iter()
        .map(|o| Ok((o.id.to_string(), json(&o.kind)?, o.parent.as_ref().map(|p| p.to_string()), json(o)?)))
        .collect()
}

pub(crate) fn upsert_organisations(c: &Connection, rows: &OrgRows, audit: &AuditRecord) -> Result<(), StoreError> {
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO organisations (id, kind, parent_id, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, parent_id = excluded.parent_id,
             data = excluded.data",
        )
        .map_err(map_err)?;
    for (id, kind, parent, data) in rows {
        stmt.execute(params![id, kind, parent, data]).map_err(map_err)?;
    }
    insert_audit(c, audit)
}

pub(crate) fn organisations(c: &Connection) -> Result<Vec<Organisation>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT data FROM organisations ORDER BY id").map_err(map_err)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(map_err)?;
    rows.map(|r| unjson(&r.map_err(map_err)?)).collect()
}

pub(crate) fn organisation(c: &Connection, id: &str) -> Result<Option<Organisation>, StoreError> {
    let data: Option<String> = c
        .prepare_cached("SELECT data FROM organisations WHERE id = ?1")
        .map_err(map_err)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(map_err)?;
    data.map(|d| unjson(&d)).transpose()
}

pub(crate) fn insert_user(
    c: &Connection,
    u: &UserRecord,
    routine_roles: &str,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
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
    insert_audit(c, audit)
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

/// Accounts matching `where_clause` (with one argument `arg`, or none if empty), by username.
pub(crate) fn users(c: &Connection, where_clause: &str, arg: &str) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users {where_clause} ORDER BY username");
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = if where_clause.is_empty() { stmt.query([]) } else { stmt.query([arg]) }.map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        out.push(user_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn record_login_failure(
    c: &Connection,
    user: UserId,
    failed_logins: u32,
    locked_until: Option<Timestamp>,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1")
        .map_err(map_err)?
        .execute(params![user.to_string(), failed_logins, locked_until.map(micros)])
        .map_err(map_err)?;
    insert_audit(c, audit)
}

pub(crate) fn record_login_success(c: &Connection, s: &SessionRecord, audit: &AuditRecord) -> Result<(), StoreError> {
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
    insert_audit(c, audit)
}

pub(crate) fn session(
    c: &Connection,
    hash: String,
    now: Timestamp,
) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
    let row = c
        .prepare_cached(
            "SELECT user_id, kind, csrf_token, created_at, expires_at FROM sessions
             WHERE token_hash = ?1 AND expires_at > ?2",
        )
        .map_err(map_err)?
        .query_row(params![hash, micros(now)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .optional()
        .map_err(map_err)?;
    let Some((user_id, kind, csrf, created, expires)) = row else {
        return Ok(None);
    };
    let Some(user) = users(c, "WHERE id = ?1", &user_id)?.into_iter().next() else {
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
}

pub(crate) fn record_login_success_capped(
    c: &Connection,
    s: &SessionRecord,
    max_live: u32,
    audit: &AuditRecord,
) -> Result<u64, StoreError> {
    record_login_success(c, s, audit)?;
    // The newest `max_live` live sessions of this kind stay; ties by token
    // hash so every server deletes the same ones.
    let n = c
        .prepare_cached(
            "DELETE FROM sessions WHERE user_id = ?1 AND kind = ?2 AND token_hash IN (
                 SELECT token_hash FROM sessions WHERE user_id = ?1 AND kind = ?2 AND expires_at > ?3
                 ORDER BY created_at DESC, token_hash DESC LIMIT -1 OFFSET ?4)",
        )
        .map_err(map_err)?
        .execute(params![s.user_id.to_string(), s.kind.key(), micros(s.created_at), i64::from(max_live.max(1))])
        .map_err(map_err)?;
    Ok(n as u64)
}

pub(crate) fn delete_user_sessions(c: &Connection, user: UserId, audit: &AuditRecord) -> Result<u64, StoreError> {
    let n = c
        .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")
        .map_err(map_err)?
        .execute([user.to_string()])
        .map_err(map_err)?;
    insert_audit(c, audit)?;
    Ok(n as u64)
}

pub(crate) fn delete_session(c: &Connection, hash: &str, audit: &AuditRecord) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
        .map_err(map_err)?
        .execute([hash])
        .map_err(map_err)?;
    insert_audit(c, audit)
}
