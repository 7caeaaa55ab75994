//! Records without a timeline of their own: deviation reports (a
//! correction `supersedes` a report at most once, `UNIQUE` since migration
//! 004), e-mail subscription timelines, and the audit log.

use rusqlite::{Connection, params};

use reserv_core::deviation::DeviationReport;
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId, UserId};
use reserv_core::subscription::SubscriptionEvent;
use reserv_store::{AuditPatient, AuditQuery, AuditRecord, AuditScope, PatientRead, PatientReadQuery, StoreError};

use crate::{from_micros, insert_audit, map_err, micros, parse_uuid, unjson};

/// Rows of one JSON column, decoded.
fn json_rows<T: serde::de::DeserializeOwned>(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map(args, |r| r.get::<_, String>(0)).map_err(map_err)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(unjson(&r.map_err(map_err)?)?);
    }
    Ok(out)
}

pub(crate) fn append_deviation(
    c: &Connection,
    report: &DeviationReport,
    data: &str,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO deviation_reports (id, outage_id, occurred_at, supersedes, report) VALUES (?1, ?2, ?3, ?4, ?5)",
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
    insert_audit(c, audit)
}

pub(crate) fn deviations(c: &Connection, outage: OutageId) -> Result<Vec<DeviationReport>, StoreError> {
    json_rows(
        c,
        "SELECT report FROM deviation_reports WHERE outage_id = ?1 ORDER BY occurred_at, id",
        [outage.to_string()],
    )
}

pub(crate) fn append_subscription_event(
    c: &Connection,
    event: &SubscriptionEvent,
    data: &str,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO subscription_events (id, subscription_id, seq, at, email, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
    insert_audit(c, audit)
}

pub(crate) fn subscription_events(c: &Connection, id: EntryId) -> Result<Vec<SubscriptionEvent>, StoreError> {
    json_rows(c, "SELECT event FROM subscription_events WHERE subscription_id = ?1 ORDER BY seq", [id.to_string()])
}

pub(crate) fn subscription_events_by_email(c: &Connection, email: &str) -> Result<Vec<SubscriptionEvent>, StoreError> {
    json_rows(c, "SELECT event FROM subscription_events WHERE email = ?1 ORDER BY subscription_id, seq", [email])
}

pub(crate) fn all_subscription_events(c: &Connection) -> Result<Vec<SubscriptionEvent>, StoreError> {
    json_rows(c, "SELECT event FROM subscription_events ORDER BY subscription_id, seq", [])
}

/// The scope as two JSON arrays for `json_each` (orgs, episode ids), or
/// nulls for an unscoped reader.
fn scope_params(scope: Option<&AuditScope>) -> (Option<String>, Option<String>) {
    match scope {
        None => (None, None),
        Some(s) => {
            let orgs: Vec<&str> = s.orgs.iter().map(|o| o.as_str()).collect();
            let eps: Vec<String> = s.episodes.iter().map(|e| e.to_string()).collect();
            (Some(serde_json::json!(orgs).to_string()), Some(serde_json::json!(eps).to_string()))
        }
    }
}

const AUDIT_COLUMNS: &str =
    "a.id, a.at, a.actor_id, a.actor, a.org_id, a.action, a.target, a.origin, a.detail, a.node_id";

fn audit_row(r: &rusqlite::Row<'_>) -> Result<AuditRecord, StoreError> {
    let g = |e: rusqlite::Error| map_err(e);
    let id: String = r.get(0).map_err(g)?;
    let actor_id: Option<String> = r.get(2).map_err(g)?;
    let org: Option<String> = r.get(4).map_err(g)?;
    Ok(AuditRecord {
        id: EntryId(parse_uuid(&id)?),
        at: from_micros(r.get(1).map_err(g)?)?,
        actor_id: actor_id.as_deref().map(parse_uuid).transpose()?.map(UserId),
        actor: r.get(3).map_err(g)?,
        org: org.as_deref().map(OrgId::parse).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?,
        action: r.get(5).map_err(g)?,
        target: r.get(6).map_err(g)?,
        origin: r.get(7).map_err(g)?,
        detail: r.get(8).map_err(g)?,
        node: r.get(9).map_err(g)?,
    })
}

pub(crate) fn audit_log(c: &Connection, q: AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
    let before = q.before.map(|b| b.to_string()).unwrap_or_else(|| "~".into());
    let prefix = q.action_prefix.unwrap_or_default();
    let (orgs, eps) = scope_params(q.scope.as_ref());
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log a
         WHERE a.id < ?1 AND substr(a.action, 1, length(?2)) = ?2
           AND (?4 IS NULL
                OR a.org_id IN (SELECT value FROM json_each(?4))
                OR a.target IN (SELECT 'episode:' || value FROM json_each(?5))
                OR EXISTS (SELECT 1 FROM audit_patients p WHERE p.audit_id = a.id
                           AND p.episode_id IN (SELECT value FROM json_each(?5))))
         ORDER BY a.id DESC LIMIT ?3"
    );
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = stmt.query(params![before, prefix, q.limit.clamp(1, 1000), orgs, eps]).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        out.push(audit_row(r)?);
    }
    Ok(out)
}

/// A read's audit record and the patients it returned, in the caller's transaction.
pub(crate) fn insert_read_audit(c: &Connection, a: &AuditRecord, patients: &[AuditPatient]) -> Result<(), StoreError> {
    // One row per episode (the table's key), and the chain hashes what is stored.
    let mut seen = std::collections::BTreeSet::new();
    let patients: Vec<AuditPatient> = patients.iter().filter(|p| seen.insert(p.episode)).cloned().collect();
    crate::insert_chained_audit(c, a, &patients)?;
    let mut stmt = c
        .prepare_cached("INSERT OR IGNORE INTO audit_patients (audit_id, episode_id, patient) VALUES (?1, ?2, ?3)")
        .map_err(map_err)?;
    let id = a.id.to_string();
    for p in patients {
        stmt.execute(params![id, p.episode.to_string(), p.patient]).map_err(map_err)?;
    }
    Ok(())
}

pub(crate) fn patient_reads(c: &Connection, q: PatientReadQuery) -> Result<Vec<PatientRead>, StoreError> {
    let (before_audit, before_episode) = match q.before {
        Some((a, e)) => (a.to_string(), e.to_string()),
        None => ("~".to_owned(), String::new()),
    };
    let (orgs, eps) = scope_params(q.scope.as_ref());
    let sql = format!(
        "SELECT {AUDIT_COLUMNS}, p.episode_id, p.patient FROM audit_patients p JOIN audit_log a ON a.id = p.audit_id
         WHERE (p.audit_id < ?1 OR (p.audit_id = ?1 AND p.episode_id > ?2))
           AND (?3 IS NULL OR p.patient = ?3)
           AND (?4 IS NULL OR p.episode_id = ?4)
           AND (?5 IS NULL OR a.actor = ?5)
           AND (?6 IS NULL
                OR a.org_id IN (SELECT value FROM json_each(?6))
                OR p.episode_id IN (SELECT value FROM json_each(?7)))
         ORDER BY p.audit_id DESC, p.episode_id ASC LIMIT ?8"
    );
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = stmt
        .query(params![
            before_audit,
            before_episode,
            q.patient,
            q.episode.map(|e| e.to_string()),
            q.actor,
            orgs,
            eps,
            q.limit.clamp(1, 1000)
        ])
        .map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let episode: String = r.get(10).map_err(map_err)?;
        out.push(PatientRead {
            audit: audit_row(r)?,
            episode: EpisodeId(parse_uuid(&episode)?),
            patient: r.get(11).map_err(map_err)?,
        });
    }
    Ok(out)
}

/// Every audit record with its chain link and the patients of a read, for
/// `reserv audit verify` (a full scan, never on a request path).
pub(crate) fn audit_chain(c: &Connection) -> Result<Vec<reserv_store::chain::ChainedRecord>, StoreError> {
    use reserv_store::chain::{ChainLink, ChainedRecord};
    let mut patients: std::collections::HashMap<String, Vec<AuditPatient>> = std::collections::HashMap::new();
    let mut stmt = c.prepare("SELECT audit_id, episode_id, patient FROM audit_patients").map_err(map_err)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .map_err(map_err)?;
    for row in rows {
        let (audit, episode, patient) = row.map_err(map_err)?;
        let episode = reserv_core::ids::EpisodeId(parse_uuid(&episode)?);
        patients.entry(audit).or_default().push(AuditPatient { episode, patient });
    }
    let sql = format!(
        "SELECT {AUDIT_COLUMNS}, a.chain_seq, a.prev_hash, a.hash FROM audit_log a ORDER BY a.node_id, a.chain_seq"
    );
    let mut stmt = c.prepare(&sql).map_err(map_err)?;
    let mut rows = stmt.query([]).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let record = audit_row(r)?;
        let seq: Option<i64> = r.get(10).map_err(map_err)?;
        let prev_hash: Option<String> = r.get(11).map_err(map_err)?;
        let hash: Option<String> = r.get(12).map_err(map_err)?;
        let link = match (seq, prev_hash, hash) {
            (Some(seq), Some(prev_hash), Some(hash)) => Some(ChainLink { seq: seq.max(0) as u64, prev_hash, hash }),
            _ => None,
        };
        let patients = patients.remove(&record.id.to_string()).unwrap_or_default();
        out.push(ChainedRecord { record, link, patients });
    }
    Ok(out)
}

/// The append-only guards (triggers) of the audit tables that are missing.
pub(crate) fn missing_audit_guards(c: &Connection) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for name in ["audit_log_no_update", "audit_log_no_delete", "audit_patients_no_update", "audit_patients_no_delete"] {
        let n: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1", params![name], |r| {
                r.get(0)
            })
            .map_err(map_err)?;
        if n == 0 {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}
