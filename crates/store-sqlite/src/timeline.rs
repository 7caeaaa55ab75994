//! Timelines in SQLite: outage and episode changes share one table shape
//! (`id`, owner, `seq`, `at`, actor, node, JSON `change`) with a unique
//! `(owner, seq)`, so appending at a taken position is a `Conflict`.

use jiff::Timestamp;
use rusqlite::{Connection, params};
use uuid::Uuid;

use reserv_core::episode::EpisodeEvent;
use reserv_core::ids::{EntryId, EpisodeId, OutageId, UserId};
use reserv_core::outage::{Actor, OutageEvent};
use reserv_store::StoreError;

use crate::{from_micros, map_err, micros, parse_uuid, unjson};

/// Which timeline table.
#[derive(Clone, Copy)]
pub(crate) struct Timeline {
    pub(crate) table: &'static str,
    pub(crate) owner: &'static str,
    what: &'static str,
}

pub(crate) const OUTAGES: Timeline = Timeline { table: "outage_events", owner: "outage_id", what: "outage" };
pub(crate) const EPISODES: Timeline = Timeline { table: "episode_events", owner: "episode_id", what: "episode" };

/// One timeline entry as stored; `change` is the JSON of the typed change.
pub(crate) struct TimelineRow {
    pub(crate) id: EntryId,
    pub(crate) owner: Uuid,
    pub(crate) seq: u32,
    pub(crate) at: Timestamp,
    pub(crate) actor: Actor,
    pub(crate) node: String,
    pub(crate) change: String,
}

impl TimelineRow {
    pub(crate) fn into_outage_event(self) -> Result<OutageEvent, StoreError> {
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

    pub(crate) fn into_episode_event(self) -> Result<EpisodeEvent, StoreError> {
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
/// else changed the same record first). The caller adds the audit record.
pub(crate) fn append(c: &Connection, t: Timeline, r: &TimelineRow) -> Result<(), StoreError> {
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
    Ok(())
}

const COLUMNS: &str = "id, seq, at, actor_id, actor_name, node_id, change";

fn rows(stmt: &mut rusqlite::CachedStatement<'_>, args: impl rusqlite::Params) -> Result<Vec<TimelineRow>, StoreError> {
    let mut rows = stmt.query(args).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let g = |e: rusqlite::Error| map_err(e);
        let id: String = r.get(0).map_err(g)?;
        let owner: String = r.get(7).map_err(g)?;
        let actor_id: Option<String> = r.get(3).map_err(g)?;
        out.push(TimelineRow {
            id: EntryId(parse_uuid(&id)?),
            owner: parse_uuid(&owner)?,
            seq: r.get(1).map_err(g)?,
            at: from_micros(r.get(2).map_err(g)?)?,
            actor: Actor {
                user_id: actor_id.as_deref().map(parse_uuid).transpose()?.map(UserId),
                name: r.get(4).map_err(g)?,
            },
            node: r.get(5).map_err(g)?,
            change: r.get(6).map_err(g)?,
        });
    }
    Ok(out)
}

/// One record's timeline ordered by `seq`.
pub(crate) fn of_one(c: &Connection, t: Timeline, owner: Uuid) -> Result<Vec<TimelineRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, {o} FROM {} WHERE {o} = ?1 ORDER BY seq", t.table, o = t.owner);
    rows(&mut c.prepare_cached(&sql).map_err(map_err)?, [owner.to_string()])
}

/// Every timeline ordered by record and `seq` (a full scan).
pub(crate) fn of_all(c: &Connection, t: Timeline) -> Result<Vec<TimelineRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, {o} FROM {} ORDER BY {o}, seq", t.table, o = t.owner);
    rows(&mut c.prepare_cached(&sql).map_err(map_err)?, [])
}

/// The timelines of the records that `ids_sql` selects (one column of ids,
/// bound to `args`), ordered by record and `seq`.
pub(crate) fn of_selected(
    c: &Connection,
    t: Timeline,
    ids_sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<TimelineRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, {o} FROM {} WHERE {o} IN ({ids_sql}) ORDER BY {o}, seq", t.table, o = t.owner);
    rows(&mut c.prepare_cached(&sql).map_err(map_err)?, args)
}
