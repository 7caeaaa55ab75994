//! Care episodes and the handover log: episode timelines
//! (`episode_events`), log entries (`log_entries`, one row per call, with
//! the entry it `supersedes` unique since migration 008), and two lookup
//! tables written with them: the organisations a registration names
//! (`episode_orgs`) and the outages an entry was tagged with
//! (`log_entry_outages`).

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, params};

use reserv_core::episode::{EpisodeChange, EpisodeEvent, LogEntry};
use reserv_core::ids::{EpisodeId, OrgId, OutageId};
use reserv_core::sip::SipRecord;
use reserv_store::{AuditRecord, EpisodeRecord, StoreError};

use crate::timeline::{self, EPISODES, TimelineRow};
use crate::{insert_audit, json, map_err, micros, unjson};

/// An episode timeline entry ready to write.
pub(crate) struct NewEvent {
    row: TimelineRow,
    /// The organisations a registration names (empty for later entries).
    orgs: Vec<String>,
}

pub(crate) fn new_event(e: EpisodeEvent) -> Result<NewEvent, StoreError> {
    let orgs = match &e.change {
        EpisodeChange::Registered { ward, municipality, primary_care, outpatient_psychiatry, .. } if e.seq == 0 => {
            [Some(ward), Some(municipality), Some(primary_care), outpatient_psychiatry.as_ref()]
                .into_iter()
                .flatten()
                .map(|o| o.to_string())
                .collect()
        }
        _ => Vec::new(),
    };
    let row = TimelineRow {
        id: e.id,
        owner: e.episode_id.0,
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        node: e.node,
        change: json(&e.change)?,
    };
    Ok(NewEvent { row, orgs })
}

pub(crate) fn append(c: &Connection, e: &NewEvent, audit: &AuditRecord) -> Result<(), StoreError> {
    timeline::append(c, EPISODES, &e.row)?;
    let mut stmt =
        c.prepare_cached("INSERT OR IGNORE INTO episode_orgs (org_id, episode_id) VALUES (?1, ?2)").map_err(map_err)?;
    for org in &e.orgs {
        stmt.execute(params![org, e.row.owner.to_string()]).map_err(map_err)?;
    }
    insert_audit(c, audit)
}

fn events(rows: Vec<TimelineRow>) -> Result<Vec<EpisodeEvent>, StoreError> {
    rows.into_iter().map(TimelineRow::into_episode_event).collect()
}

pub(crate) fn of_one(c: &Connection, id: EpisodeId) -> Result<Vec<EpisodeEvent>, StoreError> {
    events(timeline::of_one(c, EPISODES, id.0)?)
}

pub(crate) fn of_all(c: &Connection) -> Result<Vec<EpisodeEvent>, StoreError> {
    events(timeline::of_all(c, EPISODES)?)
}

pub(crate) fn any(c: &Connection) -> Result<bool, StoreError> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM episode_events)")
        .map_err(map_err)?
        .query_row([], |r| r.get(0))
        .map_err(map_err)
}

pub(crate) fn record(c: &Connection, id: EpisodeId) -> Result<EpisodeRecord, StoreError> {
    let ids = [id.to_string()];
    Ok(EpisodeRecord { events: of_one(c, id)?, entries: entries(c, &ids)?, sips: sips(c, &ids)? })
}

pub(crate) fn naming(c: &Connection, org: &OrgId) -> Result<Vec<EpisodeEvent>, StoreError> {
    events(timeline::of_selected(c, EPISODES, "SELECT episode_id FROM episode_orgs WHERE org_id = ?1", [org.as_str()])?)
}

pub(crate) fn of_outage(
    c: &Connection,
    outage: OutageId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<EpisodeEvent>, StoreError> {
    events(timeline::of_selected(
        c,
        EPISODES,
        "SELECT episode_id FROM episode_events WHERE seq = 0 AND at >= ?2 AND at <= ?3
         UNION SELECT episode_id FROM log_entry_outages WHERE outage_id = ?1",
        params![outage.to_string(), micros(from), micros(to)],
    )?)
}

/// A log entry ready to write.
pub(crate) struct NewEntry {
    entry: LogEntry,
    data: String,
}

pub(crate) fn new_entry(entry: LogEntry) -> Result<NewEntry, StoreError> {
    Ok(NewEntry { data: json(&entry)?, entry })
}

pub(crate) fn append_entry(c: &Connection, n: &NewEntry, audit: &AuditRecord) -> Result<(), StoreError> {
    let e = &n.entry;
    c.prepare_cached(
        "INSERT INTO log_entries (id, episode_id, at, supersedes, entry, paper_signer_name, paper_signer_title) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .map_err(map_err)?
    .execute(params![
        e.id.to_string(),
        e.episode_id.to_string(),
        micros(e.at),
        e.supersedes.map(|s| s.to_string()),
        n.data,
        e.paper_signer.as_ref().map(|s| s.name.as_str()),
        e.paper_signer.as_ref().map(|s| s.title.as_str()),
    ])
    .map_err(|err| {
        let superseded = matches!(&err, rusqlite::Error::SqliteFailure(f, Some(m))
                if f.code == ErrorCode::ConstraintViolation && m.contains("log_entries.supersedes"));
        match (superseded, e.supersedes) {
            (true, Some(old)) => StoreError::Conflict(format!("entry {old} has already been corrected")),
            _ => map_err(err),
        }
    })?;
    tag_outages(c, &e.outages, e.episode_id, &e.id.to_string())?;
    insert_audit(c, audit)
}

/// Tags an episode with the outages a log entry or SIP version was recorded
/// in, so an outage's episodes are found without reading every log.
fn tag_outages(c: &Connection, outages: &[OutageId], episode: EpisodeId, entry: &str) -> Result<(), StoreError> {
    let mut tag = c
        .prepare_cached("INSERT OR IGNORE INTO log_entry_outages (outage_id, episode_id, entry_id) VALUES (?1, ?2, ?3)")
        .map_err(map_err)?;
    for o in outages {
        tag.execute(params![o.to_string(), episode.to_string(), entry]).map_err(map_err)?;
    }
    Ok(())
}

/// The JSON column of `table` for every row of the given episodes, decoded.
fn of_episodes<T: serde::de::DeserializeOwned>(
    c: &Connection,
    table: &str,
    column: &str,
    ids: &[String],
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    // One query per chunk of episodes (SQLite limits bound parameters).
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("SELECT {column} FROM {table} WHERE episode_id IN ({marks})");
        let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
        let rows =
            stmt.query_map(rusqlite::params_from_iter(chunk.iter()), |r| r.get::<_, String>(0)).map_err(map_err)?;
        for r in rows {
            out.push(unjson::<T>(&r.map_err(map_err)?)?);
        }
    }
    Ok(out)
}

/// The log entries of the given episodes, ordered by call time then id.
pub(crate) fn entries(c: &Connection, ids: &[String]) -> Result<Vec<LogEntry>, StoreError> {
    let mut out: Vec<LogEntry> = of_episodes(c, "log_entries", "entry", ids)?;
    out.sort_by_key(|e| (e.at, e.id));
    Ok(out)
}

/// A SIP version ready to write.
pub(crate) struct NewSip {
    record: SipRecord,
    data: String,
}

pub(crate) fn new_sip(record: SipRecord) -> Result<NewSip, StoreError> {
    Ok(NewSip { data: json(&record)?, record })
}

pub(crate) fn append_sip(c: &Connection, n: &NewSip, audit: &AuditRecord) -> Result<(), StoreError> {
    let r = &n.record;
    c.prepare_cached(
        "INSERT INTO sip_records (id, sip_id, episode_id, supersedes, recorded_at, record) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(map_err)?
    .execute(params![
        r.id.to_string(),
        r.sip_id.to_string(),
        r.episode_id.to_string(),
        r.supersedes.map(|s| s.to_string()),
        micros(r.recorded_at),
        n.data,
    ])
    .map_err(|err| {
        let conflict = matches!(&err, rusqlite::Error::SqliteFailure(f, Some(m))
                if f.code == ErrorCode::ConstraintViolation
                    && (m.contains("sip_records.supersedes") || m.contains("same SIP")));
        match (conflict, r.supersedes) {
            (true, Some(old)) => {
                StoreError::Conflict(format!("SIP version {old} has already been corrected or is of another SIP"))
            }
            _ => map_err(err),
        }
    })?;
    tag_outages(c, &r.outages, r.episode_id, &r.id.to_string())?;
    insert_audit(c, audit)
}

/// Every SIP version of the given episodes, ordered by recording time then id.
pub(crate) fn sips(c: &Connection, ids: &[String]) -> Result<Vec<SipRecord>, StoreError> {
    let mut out: Vec<SipRecord> = of_episodes(c, "sip_records", "record", ids)?;
    out.sort_by_key(|r| (r.recorded_at, r.id));
    Ok(out)
}
