//! A person's work: the open gaps their organisation owes (must give) and
//! awaits (must get), the most urgent first, each with the organisation to
//! call and its numbers from the contacts; and the home page built on it
//! (one call, [`App::home_page`]): for those who work with patients the
//! counts that matter, their work and then the outages; for everyone else
//! the outages alone. The ward-wide gaps view lists the same work
//! ([`App::work`]): a municipality never sees primary care ↔ ward items.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use reserv_core::access::{Permissions, works_with_patients};
use reserv_core::contacts::{ContactBook, Phone};
use reserv_core::handover::Gap;
use reserv_core::identity::PatientId;
use reserv_core::ids::{EpisodeId, OrgId};
use reserv_core::org::Organisation;
use reserv_core::severity::{self, Severity, Side};

use crate::outages::OutageView;
use crate::{App, AppError, Principal};

/// One open gap as one person's work.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    pub episode_id: EpisodeId,
    pub patient: PatientId,
    pub gap: Gap,
    pub severity: Severity,
    /// Whether the viewer's organisation owes or awaits the information.
    pub side: Side,
    /// The other organisation: the one to call.
    pub counterpart: OrgId,
    pub counterpart_name: String,
    /// Its numbers (contacts first, then the directory; a unit without
    /// numbers is reached through the switchboard above it).
    pub phones: Vec<Phone>,
}

/// The counts the home page's banner shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WorkCounts {
    /// Patients with information missing (owed or awaited).
    pub patients_missing_information: usize,
    /// Patients discharged while information due before discharge is unconfirmed.
    pub discharged_unconfirmed: usize,
}

/// Everything the home page shows.
#[derive(Debug, Clone)]
pub struct HomePage {
    /// The viewer works with patients: the page leads with their work.
    pub works_with_patients: bool,
    pub permissions: Permissions,
    pub counts: WorkCounts,
    /// What the viewer's organisation must give, the most urgent first.
    pub owed: Vec<WorkItem>,
    /// What it waits for, the most urgent first.
    pub awaited: Vec<WorkItem>,
    /// The outages of the list (ongoing, upcoming, recently ended).
    pub outages: Vec<OutageView>,
}

/// The counts of a list of work items.
pub fn counts(items: &[WorkItem]) -> WorkCounts {
    let patients: BTreeSet<EpisodeId> = items.iter().map(|i| i.episode_id).collect();
    let unconfirmed: BTreeSet<EpisodeId> =
        items.iter().filter(|i| i.severity == Severity::DischargedUnconfirmed).map(|i| i.episode_id).collect();
    WorkCounts { patients_missing_information: patients.len(), discharged_unconfirmed: unconfirmed.len() }
}

impl App {
    /// The caller's work: every open gap of their episodes that their
    /// organisation owes or awaits (calls still to make, as
    /// [`App::open_gaps`]), the most urgent first (`reserv_core::severity`).
    /// An audited read of the episodes.
    pub async fn work(&self, p: &Principal) -> Result<Vec<WorkItem>, AppError> {
        let views = self.episodes_with_calls_to_make(p, "work.read").await?;
        let orgs = self.store.organisations().await?;
        let names: HashMap<&OrgId, &Organisation> = orgs.iter().map(|o| (&o.id, o)).collect();
        let empty = ContactBook::default();
        let book = self.contacts.as_deref().unwrap_or(&empty);
        let mut numbers: HashMap<OrgId, Vec<Phone>> = HashMap::new();
        let mut keyed = Vec::new();
        for v in views {
            let facts = &v.episode.facts;
            for gap in &v.gaps {
                let Some((side, other)) = severity::side_of(facts, gap, &p.user.org) else { continue };
                let key = severity::order_key(facts, gap, v.episode.id);
                let phones = numbers.entry(other.clone()).or_insert_with(|| book.numbers_of(&orgs, other)).clone();
                let item = WorkItem {
                    episode_id: v.episode.id,
                    patient: v.episode.patient.clone(),
                    gap: gap.clone(),
                    severity: key.0,
                    side,
                    counterpart: other.clone(),
                    counterpart_name: names.get(other).map(|o| o.name.clone()).unwrap_or_else(|| other.to_string()),
                    phones,
                };
                keyed.push((key, item));
            }
        }
        keyed.sort_by_key(|a| a.0);
        Ok(keyed.into_iter().map(|(_, i)| i).collect())
    }

    /// The home page: for a person who works with patients (`reserv_core::
    /// access::works_with_patients`) their work split into owed and awaited
    /// with the banner's counts, then the outages; for anyone else the
    /// outages alone (no patient data is read).
    pub async fn home_page(&self, p: &Principal) -> Result<HomePage, AppError> {
        let kind = self.organisation(&p.user.org).await?.map(|o| o.kind);
        let works = kind.is_some_and(|k| works_with_patients(p.user.role, k));
        let (counts, owed, awaited) = if works {
            let items = self.work(p).await?;
            let c = counts(&items);
            let (owed, awaited) = items.into_iter().partition(|i| i.side == Side::Owes);
            (c, owed, awaited)
        } else {
            (WorkCounts::default(), Vec::new(), Vec::new())
        };
        Ok(HomePage {
            works_with_patients: works,
            permissions: Permissions::of(p.user.role),
            counts,
            owed,
            awaited,
            outages: self.outages().await?,
        })
    }
}
