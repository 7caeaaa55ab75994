//! The audit log as an auditor reads it (issue 19): which patients each read
//! returned ("who has read patient X", "what has user Y read"), refused
//! reads, and the part of the log each reader sees (`reserv_core::access::
//! audit_reach`: a region's auditor everything, any other auditor their own
//! organisation's actors and the episodes in its chain of care).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use reserv_core::access::{AuditReach, audit_reach};
use reserv_core::csv::CsvWriter;
use reserv_core::episode::{self, Episode, EpisodeEvent};
use reserv_core::identity::PatientId;
use reserv_core::ids::{EntryId, EpisodeId, OrgId};
use reserv_core::time::{format_local, local};
use reserv_store::{AuditPatient, AuditQuery, AuditRecord, AuditScope, PatientRead, PatientReadQuery};

use crate::deviations::CsvExport;
use crate::{Actor, App, AppError, Origin, Principal};

/// What an auditor asks of the patient reads; the filters combine.
#[derive(Debug, Clone, Default)]
pub struct PatientReadsInput {
    /// A personnummer or reserve number, in any spelling the register takes.
    pub patient: Option<String>,
    pub episode: Option<EpisodeId>,
    /// A username.
    pub actor: Option<String>,
    /// At most this many rows (1-1000).
    pub limit: u32,
    /// Continue after this row (its audit record id and episode).
    pub before: Option<(EntryId, EpisodeId)>,
}

impl App {
    /// Appends a read's audit record with the patients it returned (one
    /// transaction: the read is not recorded without its patients).
    pub(crate) async fn audit_read<'a>(
        &self,
        actor: Actor<'_>,
        origin: &Origin,
        action: &str,
        target: Option<String>,
        detail: String,
        patients: impl IntoIterator<Item = (EpisodeId, &'a PatientId)>,
    ) -> Result<(), AppError> {
        let patients: Vec<AuditPatient> =
            patients.into_iter().map(|(episode, p)| AuditPatient { episode, patient: p.as_str().to_owned() }).collect();
        let audit = self.audit(actor, origin, action, target, detail);
        Ok(self.store.append_read_audit(audit, patients).await?)
    }

    /// Records that the caller asked for an episode they may not see (or
    /// that does not exist: the record, like the answer, does not say which).
    pub(crate) async fn audit_refused(&self, p: &Principal, target: String) -> Result<(), AppError> {
        let audit = self.audit(Actor::Person(&p.user), &p.origin, "episode.read_refused", Some(target), String::new());
        Ok(self.store.append_audit(audit).await?)
    }

    /// The part of the audit log the caller sees: `None` for everything;
    /// `Forbidden` for who may not read it.
    async fn audit_scope(&self, p: &Principal) -> Result<Option<AuditScope>, AppError> {
        let orgs = self.store.organisations().await?;
        let kind = orgs.iter().find(|o| o.id == p.user.org).map(|o| o.kind);
        match audit_reach(p.user.role, kind) {
            AuditReach::Nothing => Err(AppError::Forbidden),
            AuditReach::Everything => Ok(None),
            AuditReach::OwnOrganisation => {
                // The organisation and its units, however deep.
                let mut own: BTreeSet<OrgId> = [p.user.org.clone()].into();
                loop {
                    let before = own.len();
                    for o in &orgs {
                        if o.parent.as_ref().is_some_and(|parent| own.contains(parent)) {
                            own.insert(o.id.clone());
                        }
                    }
                    if own.len() == before {
                        break;
                    }
                }
                let mut by: BTreeMap<EpisodeId, Vec<EpisodeEvent>> = BTreeMap::new();
                for org in &own {
                    for ev in self.store.episodes_naming(org).await? {
                        by.entry(ev.episode_id).or_default().push(ev);
                    }
                }
                let mut episodes = Vec::new();
                for mut events in by.into_values() {
                    events.sort_by_key(|e| e.seq);
                    events.dedup_by_key(|e| e.seq);
                    let e = Episode::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
                    if own.iter().any(|o| episode::in_chain_of_care(&e.facts, o)) {
                        episodes.push(e.id);
                    }
                }
                Ok(Some(AuditScope { orgs: own.into_iter().collect(), episodes }))
            }
        }
    }

    /// The audit log (as [`App::audit_log`]) and what the server's last check
    /// of the hash chain found, for the audit page.
    pub async fn audit_overview(
        &self,
        p: &Principal,
        query: AuditQuery,
    ) -> Result<(Vec<AuditRecord>, ChainState), AppError> {
        let records = self.audit_log(p, query).await?;
        Ok((records, self.audit_chain_state.read().unwrap_or_else(|p| p.into_inner()).clone()))
    }

    /// Remembers what the server's check of the audit chain found (no
    /// problems: intact), with the time of the check.
    pub fn note_audit_chain_problems(&self, problems: Vec<String>) {
        let state = ChainState { checked_at: Some(self.now()), problems };
        *self.audit_chain_state.write().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// The audit log, for auditors and system administrators, scoped to
    /// what the caller may see.
    pub async fn audit_log(&self, p: &Principal, mut query: AuditQuery) -> Result<Vec<AuditRecord>, AppError> {
        query.scope = self.audit_scope(p).await?;
        let records = self.store.audit_log(query).await?;
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, "audit.read", None, format!("{} records", records.len()));
        self.store.append_audit(audit).await?;
        Ok(records)
    }

    /// Who has read which patient, when, from where and through which view
    /// (newest first), scoped like the audit log. An audited read.
    pub async fn patient_reads(&self, p: &Principal, input: PatientReadsInput) -> Result<Vec<PatientRead>, AppError> {
        let scope = self.audit_scope(p).await?;
        let patient = match input.patient.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                PatientId::parse(s, local(self.now()).date())
                    .or_else(|e| PatientId::parse_reserve(s).map_err(|_| e))?
                    .as_str()
                    .to_owned(),
            ),
        };
        let actor = input.actor.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
        let query = PatientReadQuery {
            limit: input.limit.clamp(1, 1000),
            before: input.before,
            patient,
            episode: input.episode,
            actor,
            scope,
        };
        let rows = self.store.patient_reads(query).await?;
        let detail = format!("{} rows", rows.len());
        // The answer names patients: the auditor's read is itself a read of them.
        let mut seen = BTreeSet::new();
        let patients: Vec<AuditPatient> = rows
            .iter()
            .filter(|r| seen.insert(r.episode))
            .map(|r| AuditPatient { episode: r.episode, patient: r.patient.clone() })
            .collect();
        let audit = self.audit(Actor::Person(&p.user), &p.origin, "audit.patient_reads", None, detail);
        self.store.append_read_audit(audit, patients).await?;
        Ok(rows)
    }

    /// The same rows as a CSV file (the one CSV dialect, Swedish headers).
    pub async fn patient_reads_csv(&self, p: &Principal, input: PatientReadsInput) -> Result<CsvExport, AppError> {
        let rows = self.patient_reads(p, input).await?;
        let mut body = String::new();
        let mut w = CsvWriter::string(&mut body);
        let _ = w.text_row(&["Tid", "Användare", "Organisation", "Vy", "Varifrån", "Vårdtillfälle", "Patient"]);
        for r in &rows {
            let a = &r.audit;
            let org = a.org.as_ref().map(|o| o.to_string()).unwrap_or_default();
            let _ = w.text_row(&[
                format_local(a.at),
                a.actor.clone(),
                org,
                a.action.clone(),
                a.origin.clone(),
                r.episode.to_string(),
                r.patient.clone(),
            ]);
        }
        let date = local(self.now()).date();
        Ok(CsvExport { filename: format!("patientlasningar-{date}.csv"), body: body.into_bytes() })
    }
}

/// What the server's last check of the audit chain found: when (none yet),
/// and its problems in Swedish (none: intact).
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    pub checked_at: Option<Timestamp>,
    pub problems: Vec<String>,
}

/// What a check of the audit log's hash chain found (`reserv audit verify`,
/// and the server at start and daily).
#[derive(Debug, Clone)]
pub struct ChainCheck {
    pub report: reserv_store::chain::ChainReport,
    /// The first checkpoint the chain no longer holds, if any.
    pub checkpoint_break: Option<reserv_store::chain::ChainBreak>,
    /// Checkpoints whose signature does not match the key (forged or changed).
    pub forged_checkpoints: usize,
    /// The backend's append-only guards that are missing.
    pub missing_guards: Vec<String>,
}

impl ChainCheck {
    /// Whether anything was found.
    pub fn intact(&self) -> bool {
        self.report.broken.is_none()
            && self.checkpoint_break.is_none()
            && self.forged_checkpoints == 0
            && self.missing_guards.is_empty()
    }

    /// The findings, one line each, in Swedish (the first broken link first).
    pub fn problems_sv(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(b) = &self.report.broken {
            out.push(b.message_sv());
        }
        if let Some(b) = &self.checkpoint_break {
            out.push(b.message_sv());
        }
        if self.forged_checkpoints > 0 {
            out.push(format!(
                "{} kontrollpunkt(er) har en signatur som inte stämmer med nyckeln (ändrade eller förfalskade)",
                self.forged_checkpoints
            ));
        }
        for g in &self.missing_guards {
            out.push(format!("skyddet {g} saknas: granskningsloggen går att ändra"));
        }
        out
    }
}

impl App {
    /// Walks the audit log's hash chain (a full scan: the CLI and the daily
    /// check call it, never a request), checks the given checkpoints with
    /// `key`, and lists missing append-only guards.
    pub async fn check_audit_chain(
        &self,
        checkpoints: &[reserv_store::chain::Checkpoint],
        key: Option<&[u8]>,
    ) -> Result<ChainCheck, AppError> {
        let rows = self.store.audit_chain().await?;
        let report = reserv_store::chain::verify(&rows);
        let (authentic, forged): (Vec<_>, Vec<_>) =
            checkpoints.iter().cloned().partition(|c| key.is_some_and(|k| c.authentic(k)));
        let checkpoint_break = reserv_store::chain::check_checkpoints(&rows, &authentic);
        let missing_guards = self.store.missing_audit_guards().await?;
        Ok(ChainCheck { report, checkpoint_break, forged_checkpoints: forged.len(), missing_guards })
    }
}
