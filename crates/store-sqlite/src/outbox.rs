//! The notification outbox in SQLite (migration 006): messages written once,
//! their append-only delivery timelines, and the hashes of acknowledgement
//! links. The status columns of `outbox_messages` are the fold of the
//! timeline (`reserv_core::outbox::fold`), rewritten in the same transaction
//! as each entry, so "what is due" is one indexed query.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use reserv_core::ids::{EntryId, OutageId};
use reserv_core::outbox::{self, DeliveryChange, DeliveryEvent, OutboxMessage};
use reserv_store::{AuditRecord, OutboxEntry, StoreError};

use crate::{from_micros, insert_audit, json, map_err, micros, parse_uuid, unjson};

/// A message ready to insert: the message and its JSON.
pub(crate) struct NewRow {
    message: OutboxMessage,
    data: String,
}

pub(crate) fn rows(messages: Vec<OutboxMessage>) -> Result<Vec<NewRow>, StoreError> {
    messages.into_iter().map(|m| Ok(NewRow { data: json(&m)?, message: m })).collect()
}

pub(crate) fn enqueue(c: &Connection, rows: &[NewRow], audit: &AuditRecord) -> Result<Vec<EntryId>, StoreError> {
    let mut added = Vec::new();
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO outbox_messages (id, outage_id, msg_key, recipient_key, due_at, message, status, next_at, next_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?5, 0)
             ON CONFLICT (outage_id, msg_key, recipient_key) DO NOTHING",
        )
        .map_err(map_err)?;
    for r in rows {
        let m = &r.message;
        let n = stmt
            .execute(params![
                m.id.to_string(),
                m.outage_id.to_string(),
                m.key,
                m.recipient_key(),
                micros(m.due_at),
                r.data
            ])
            .map_err(map_err)?;
        if n == 1 {
            added.push(m.id);
        }
    }
    insert_audit(c, audit)?;
    Ok(added)
}

/// Reads messages (`sql` selects `id, message`) and their timelines.
fn entries(c: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let found = stmt.query_map(args, |r| r.get::<_, String>(1)).map_err(map_err)?;
    let mut out = Vec::new();
    for data in found {
        out.push(OutboxEntry { message: unjson(&data.map_err(map_err)?)?, events: Vec::new() });
    }
    let mut events =
        c.prepare_cached("SELECT event FROM outbox_events WHERE message_id = ?1 ORDER BY seq").map_err(map_err)?;
    for e in &mut out {
        let rows = events.query_map([e.message.id.to_string()], |r| r.get::<_, String>(0)).map_err(map_err)?;
        for r in rows {
            e.events.push(unjson::<DeliveryEvent>(&r.map_err(map_err)?)?);
        }
    }
    Ok(out)
}

pub(crate) fn of_outage(c: &Connection, outage: OutageId) -> Result<Vec<OutboxEntry>, StoreError> {
    entries(
        c,
        "SELECT id, message FROM outbox_messages WHERE outage_id = ?1 ORDER BY due_at, msg_key, recipient_key",
        &[&outage.to_string()],
    )
}

pub(crate) fn one(c: &Connection, id: EntryId) -> Result<Option<OutboxEntry>, StoreError> {
    Ok(entries(c, "SELECT id, message FROM outbox_messages WHERE id = ?1", &[&id.to_string()])?.pop())
}

pub(crate) fn due(c: &Connection, now: Timestamp, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
    entries(
        c,
        "SELECT id, message FROM outbox_messages WHERE next_at IS NOT NULL AND next_at <= ?1
         ORDER BY next_at, id LIMIT ?2",
        &[&micros(now), &limit.clamp(1, 1000)],
    )
}

pub(crate) fn by_token(c: &Connection, token_hash: &str) -> Result<Option<(OutboxEntry, Timestamp)>, StoreError> {
    let found: Option<(String, i64)> = c
        .prepare_cached("SELECT message_id, issued_at FROM outbox_ack_tokens WHERE token_hash = ?1")
        .map_err(map_err)?
        .query_row([token_hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(map_err)?;
    let Some((id, issued)) = found else {
        return Ok(None);
    };
    let entry = one(c, EntryId(parse_uuid(&id)?))?
        .ok_or_else(|| StoreError::Corrupt(format!("acknowledgement link of a missing message {id}")))?;
    Ok(Some((entry, from_micros(issued)?)))
}

pub(crate) fn append(c: &Connection, event: &DeliveryEvent, audit: Option<&AuditRecord>) -> Result<(), StoreError> {
    let id = event.message_id.to_string();
    let Some(mut entry) = one(c, event.message_id)? else {
        return Err(StoreError::MissingReference(format!("outbox message {id}")));
    };
    let expected = entry.events.len() as u32;
    if event.seq != expected {
        return Err(StoreError::Conflict(format!(
            "outbox message {id} was changed by someone else (timeline position {})",
            event.seq
        )));
    }
    c.prepare_cached("INSERT INTO outbox_events (id, message_id, seq, at, event) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(map_err)?
        .execute(params![event.id.to_string(), id, event.seq, micros(event.at), json(event)?])
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("outbox message {id} was changed by someone else")),
            other => other,
        })?;
    if let DeliveryChange::Claimed { token_hash: Some(hash), .. } = &event.change {
        c.prepare_cached("INSERT INTO outbox_ack_tokens (token_hash, message_id, issued_at) VALUES (?1, ?2, ?3)")
            .map_err(map_err)?
            .execute(params![hash, id, micros(event.at)])
            .map_err(map_err)?;
    }
    entry.events.push(event.clone());
    let state = outbox::fold(&entry.message, &entry.events);
    c.prepare_cached("UPDATE outbox_messages SET status = ?2, next_at = ?3, next_seq = ?4 WHERE id = ?1")
        .map_err(map_err)?
        .execute(params![id, state.status.key(), state.next_at.map(micros), state.next_seq])
        .map_err(map_err)?;
    if let Some(a) = audit {
        insert_audit(c, a)?;
    }
    Ok(())
}
