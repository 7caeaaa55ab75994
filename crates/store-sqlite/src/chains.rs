//! Append-only chains: work on back-entry items (`worklist_events`,
//! migration 003) and checklist ticks (`checklist_ticks`, migration 005).
//!
//! A writer names the latest change it saw (`after`, latest by time then id,
//! as the service folds them); inside the write transaction that is checked
//! against the stored latest, and a stale one is a `Conflict`. The schema
//! (migration 008) holds the same rule for any number of processes: every
//! row records the row it was appended after (`after_id`, the current end
//! of the item's chain, NULL for the first), and unique indexes allow an
//! item one first row and a row one successor. Two writers that passed the
//! check on the same state therefore cannot both append, even on a backend
//! whose transactions would let both checks pass. The chain end is found by
//! structure (the row without a successor), not by time, so a change
//! stamped earlier than its predecessor (clocks of two nodes) never leaves
//! an item stuck.

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

use reserv_core::checklist::TickEvent;
use reserv_core::ids::{EntryId, OutageId};
use reserv_core::worklist::WorkEvent;
use reserv_store::{AuditRecord, StoreError};

use crate::{insert_audit, json, map_err, micros, unjson};

/// A lost race on a chain position: the unique indexes on `after_id` (a
/// successor) and on the item's columns where `after_id IS NULL` (a first change).
fn lost_race(err: rusqlite::Error, what: &str) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(f, Some(m))
            if f.code == ErrorCode::ConstraintViolation
                && [".after_id", ".item_key", ".step_id"].iter().any(|c| m.contains(c)) =>
        {
            StoreError::Conflict(format!("{what} changed meanwhile"))
        }
        _ => map_err(err),
    }
}

fn check_latest(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    after: Option<EntryId>,
    what: &str,
) -> Result<(), StoreError> {
    let last: Option<String> =
        c.prepare_cached(sql).map_err(map_err)?.query_row(args, |r| r.get(0)).optional().map_err(map_err)?;
    if last != after.map(|a| a.to_string()) {
        return Err(StoreError::Conflict(format!("{what} changed meanwhile")));
    }
    Ok(())
}

/// The end of an item's chain: the row no other row was appended after.
fn chain_end(c: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Option<String>, StoreError> {
    c.prepare_cached(sql).map_err(map_err)?.query_row(args, |r| r.get(0)).optional().map_err(map_err)
}

pub(crate) struct NewWork {
    event: WorkEvent,
    data: String,
}

pub(crate) fn new_work(event: WorkEvent) -> Result<NewWork, StoreError> {
    Ok(NewWork { data: json(&event)?, event })
}

pub(crate) fn append_work(
    c: &Connection,
    n: &NewWork,
    after: Option<EntryId>,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    let (outage, key) = (n.event.outage_id.to_string(), n.event.key.to_string());
    let what = format!("work item {key}");
    check_latest(
        c,
        "SELECT id FROM worklist_events WHERE outage_id = ?1 AND item_key = ?2 ORDER BY at DESC, id DESC LIMIT 1",
        params![outage, key],
        after,
        &what,
    )?;
    let end = chain_end(
        c,
        "SELECT id FROM worklist_events w WHERE outage_id = ?1 AND item_key = ?2
         AND NOT EXISTS (SELECT 1 FROM worklist_events n WHERE n.after_id = w.id)",
        params![outage, key],
    )?;
    c.prepare_cached(
        "INSERT INTO worklist_events (id, outage_id, item_key, at, event, after_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(map_err)?
    .execute(params![n.event.id.to_string(), outage, key, micros(n.event.at), n.data, end])
    .map_err(|e| lost_race(e, &what))?;
    insert_audit(c, audit)
}

fn events<T: serde::de::DeserializeOwned>(c: &Connection, sql: &str, outage: OutageId) -> Result<Vec<T>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map(params![outage.to_string()], |r| r.get::<_, String>(0)).map_err(map_err)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(unjson::<T>(&r.map_err(map_err)?)?);
    }
    Ok(out)
}

pub(crate) fn work(c: &Connection, outage: OutageId) -> Result<Vec<WorkEvent>, StoreError> {
    events(c, "SELECT event FROM worklist_events WHERE outage_id = ?1 ORDER BY at, id", outage)
}

pub(crate) struct NewTick {
    tick: TickEvent,
    data: String,
}

pub(crate) fn new_tick(tick: TickEvent) -> Result<NewTick, StoreError> {
    Ok(NewTick { data: json(&tick)?, tick })
}

pub(crate) fn append_tick(
    c: &Connection,
    n: &NewTick,
    after: Option<EntryId>,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    let t = &n.tick;
    let (outage, user) = (t.outage_id.to_string(), t.user_id.to_string());
    let what = format!("checklist step {}", t.step);
    check_latest(
        c,
        "SELECT id FROM checklist_ticks WHERE outage_id = ?1 AND user_id = ?2 AND step_id = ?3
         ORDER BY at DESC, id DESC LIMIT 1",
        params![outage, user, t.step],
        after,
        &what,
    )?;
    let end = chain_end(
        c,
        "SELECT id FROM checklist_ticks t WHERE outage_id = ?1 AND user_id = ?2 AND step_id = ?3
         AND NOT EXISTS (SELECT 1 FROM checklist_ticks n WHERE n.after_id = t.id)",
        params![outage, user, t.step],
    )?;
    c.prepare_cached(
        "INSERT INTO checklist_ticks (id, outage_id, user_id, step_id, at, tick, after_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .map_err(map_err)?
    .execute(params![t.id.to_string(), outage, user, t.step, micros(t.at), n.data, end])
    .map_err(|e| lost_race(e, &what))?;
    insert_audit(c, audit)
}

pub(crate) fn ticks(c: &Connection, outage: OutageId) -> Result<Vec<TickEvent>, StoreError> {
    events(c, "SELECT tick FROM checklist_ticks WHERE outage_id = ?1 ORDER BY at, id", outage)
}
