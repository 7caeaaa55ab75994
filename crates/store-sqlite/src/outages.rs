//! Outage timelines (`outage_events`, migration 001) and their spans
//! (`outage_spans`, migration 008): where each outage stands in time, the
//! projection of its fold that the service hands in with every timeline
//! entry and that is written in the same transaction. Finding the outages
//! around a moment, or the open and recently ended ones, reads the spans
//! through their indexes instead of folding every timeline.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rusqlite::{Connection, Row, params};

use reserv_core::ids::{OutageId, SystemId};
use reserv_core::outage::{Outage, OutageEvent, OutageKind};
use reserv_store::{AuditRecord, OutageSpan, StoreError};

use crate::timeline::{self, OUTAGES, TimelineRow};
use crate::{from_micros, insert_audit, json, map_err, micros, parse_uuid};

/// An outage timeline entry ready to write, with its span.
pub(crate) struct NewEvent {
    row: TimelineRow,
    span: OutageSpan,
}

pub(crate) fn new_event(e: OutageEvent, span: OutageSpan) -> Result<NewEvent, StoreError> {
    if span.id != e.outage_id || span.seq != e.seq {
        return Err(StoreError::Corrupt(format!(
            "the span of outage {} at position {} does not belong to the entry for outage {} at position {}",
            span.id, span.seq, e.outage_id, e.seq
        )));
    }
    let row = TimelineRow {
        id: e.id,
        owner: e.outage_id.0,
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        node: e.node,
        change: json(&e.change)?,
    };
    Ok(NewEvent { row, span })
}

/// Appends the entry (`Conflict` if its position is taken), replaces the
/// span and writes the audit record, all in the caller's transaction.
pub(crate) fn append(c: &Connection, e: &NewEvent, audit: &AuditRecord) -> Result<(), StoreError> {
    timeline::append(c, OUTAGES, &e.row)?;
    write_span(c, &e.span)?;
    insert_audit(c, audit)
}

fn write_span(c: &Connection, s: &OutageSpan) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO outage_spans (outage_id, system, kind, drill, start_at, end_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (outage_id) DO UPDATE SET system = excluded.system, kind = excluded.kind,
         drill = excluded.drill, start_at = excluded.start_at, end_at = excluded.end_at, seq = excluded.seq
         WHERE excluded.seq > outage_spans.seq",
    )
    .map_err(map_err)?
    .execute(params![
        s.id.to_string(),
        s.system.as_str(),
        s.kind.key(),
        s.drill,
        micros(s.start),
        s.end.map(micros),
        s.seq
    ])
    .map_err(map_err)?;
    Ok(())
}

const SPAN_COLUMNS: &str = "outage_id, system, kind, drill, start_at, end_at, seq";

fn span_from_row(r: &Row<'_>) -> Result<OutageSpan, StoreError> {
    let g = |e: rusqlite::Error| map_err(e);
    let id: String = r.get(0).map_err(g)?;
    let system: String = r.get(1).map_err(g)?;
    let kind: String = r.get(2).map_err(g)?;
    let end: Option<i64> = r.get(5).map_err(g)?;
    Ok(OutageSpan {
        id: OutageId(parse_uuid(&id)?),
        system: SystemId::parse(&system).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        kind: OutageKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        drill: r.get(3).map_err(g)?,
        start: from_micros(r.get(4).map_err(g)?)?,
        end: end.map(from_micros).transpose()?,
        seq: r.get(6).map_err(g)?,
    })
}

fn spans(c: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<OutageSpan>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let mut rows = stmt.query(args).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        out.push(span_from_row(r)?);
    }
    Ok(out)
}

/// The outages ongoing at some moment of `[from, to]`: the open ones that
/// started by `to` (partial index on open spans) and the ended ones that
/// ended at or after `from` (index on the end), ordered by start then id.
pub(crate) fn overlapping(c: &Connection, from: Timestamp, to: Timestamp) -> Result<Vec<OutageSpan>, StoreError> {
    let sql = format!(
        "SELECT {SPAN_COLUMNS} FROM outage_spans WHERE end_at IS NULL AND start_at <= ?2
         UNION ALL
         SELECT {SPAN_COLUMNS} FROM outage_spans WHERE end_at >= ?1 AND start_at <= ?2
         ORDER BY start_at, outage_id"
    );
    spans(c, &sql, params![micros(from), micros(to)])
}

/// The spans of the given outages, ordered by id.
pub(crate) fn of_ids(c: &Connection, ids: &[String]) -> Result<Vec<OutageSpan>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("SELECT {SPAN_COLUMNS} FROM outage_spans WHERE outage_id IN ({marks})");
        out.extend(spans(c, &sql, rusqlite::params_from_iter(chunk))?);
    }
    out.sort_by_key(|s| s.id);
    Ok(out)
}

/// The timelines of the open outages and of at most `limit` ended at or
/// after `since`, most recently ended first.
pub(crate) fn recent(c: &Connection, since: Timestamp, limit: u32) -> Result<Vec<OutageEvent>, StoreError> {
    let rows = timeline::of_selected(
        c,
        OUTAGES,
        "SELECT outage_id FROM outage_spans WHERE end_at IS NULL
         UNION ALL
         SELECT * FROM (SELECT outage_id FROM outage_spans WHERE end_at >= ?1 ORDER BY end_at DESC LIMIT ?2)",
        params![micros(since), limit],
    )?;
    rows.into_iter().map(TimelineRow::into_outage_event).collect()
}

pub(crate) fn any(c: &Connection) -> Result<bool, StoreError> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM outage_events)")
        .map_err(map_err)?
        .query_row([], |r| r.get(0))
        .map_err(map_err)
}

/// Fills `outage_spans` from the timelines already stored (migration 008),
/// folding each with the core's `Outage::fold`, in the migration's
/// transaction. A timeline that does not fold (damaged data) gets no span
/// and is listed in `legacy_exceptions`; before v8 it made every list of
/// outages fail. Returns how many spans were written.
pub(crate) fn backfill_spans(c: &Connection) -> Result<usize, StoreError> {
    let mut by: BTreeMap<OutageId, Vec<OutageEvent>> = BTreeMap::new();
    for row in timeline::of_all(c, OUTAGES)? {
        let e = row.into_outage_event()?;
        by.entry(e.outage_id).or_default().push(e);
    }
    let mut written = 0;
    for (id, events) in by {
        match Outage::fold(&events) {
            Ok(o) => {
                write_span(c, &OutageSpan::of(&o))?;
                written += 1;
            }
            Err(e) => {
                tracing::warn!(outage = %id, error = %e, "outage timeline does not fold; it gets no span");
                c.execute(
                    "INSERT OR IGNORE INTO legacy_exceptions (table_name, row_id, rule) VALUES ('outage_events', ?1, ?2)",
                    params![id.to_string(), e.to_string()],
                )
                .map_err(map_err)?;
            }
        }
    }
    Ok(written)
}
