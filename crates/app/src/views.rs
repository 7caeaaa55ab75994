//! Composite views: one service call for each page that shows several
//! things at once, so the page's handler only renders, the outage is read
//! and folded once per request, and what the viewer may see is decided here
//! (by [`reserv_core::access`]), never in the web layer.

use std::sync::Arc;

use serde::Serialize;

use reserv_core::access::Permissions;
use reserv_core::contacts::{Group, region_name_of, swedish_order_key};
use reserv_core::ids::{EpisodeId, OutageId};
use reserv_core::org::{OrgKind, Organisation};
use reserv_core::routine::RoutineSet;
use reserv_core::suggest::{Suggestion, suggested_counterpart};

use reserv_store::UserRecord;

use crate::episodes::EpisodeView;
use crate::notifications::MessageView;
use crate::outages::OutageView;
use crate::worklists::BackEntryReport;
use crate::{App, AppError, Principal};

/// Everything an outage's page shows.
#[derive(Debug, Clone)]
pub struct OutagePage {
    pub outage: OutageView,
    /// What the viewer may do and read.
    pub permissions: Permissions,
    /// The routines in service (for the consequences and the steps), if any.
    pub routines: Option<Arc<RoutineSet>>,
    /// Back-entry, when the outage has worklists (ended, with a policy).
    pub backentry: Option<BackEntrySummary>,
    /// The outage's messages with their delivery state (empty when none).
    pub messages: Vec<MessageView>,
}

/// What the outage page shows about back-entry.
#[derive(Debug, Clone, Serialize)]
pub struct BackEntrySummary {
    /// The completion report, for those who may read reports.
    pub report: Option<BackEntryReport>,
}

impl App {
    /// An outage's page for a logged-in person: the outage with its
    /// timeline and assessment, the routines, back-entry progress (the
    /// report only for those who may read it) and the messages.
    pub async fn outage_page(&self, p: &Principal, id: OutageId) -> Result<OutagePage, AppError> {
        let outage = self.load(id).await?;
        let permissions = Permissions::of(p.user.role);
        let backentry = if self.has_worklists(&outage) {
            let report =
                if permissions.reads_reports { Some(self.backentry_report_for(outage.clone()).await?) } else { None };
            Some(BackEntrySummary { report })
        } else {
            None
        };
        let messages = self.messages_of(p, id).await?;
        Ok(OutagePage {
            outage: self.view(outage, self.now()),
            permissions,
            routines: self.routines(),
            backentry,
            messages,
        })
    }
}

/// Everything the episode's page shows: the episode with its log and gaps,
/// the counterpart its call form suggests (this patient's own record only),
/// and the organisations to choose from, in Swedish order.
#[derive(Debug, Clone)]
pub struct EpisodePage {
    pub view: EpisodeView,
    pub suggested: Option<Suggestion>,
    pub organisations: Vec<Organisation>,
    /// The dates the call form offers, newest first (today, the outage's days).
    pub call_dates: Vec<jiff::civil::Date>,
}

/// What the registration form offers a ward: its own organisation and the
/// organisations a patient's episode names, each list in Swedish order.
#[derive(Debug, Clone)]
pub struct RegistrationChoices {
    pub ward: Organisation,
    pub municipalities: Vec<Organisation>,
    pub primary_care: Vec<Organisation>,
    pub outpatient_psychiatry: Vec<Organisation>,
}

/// Organisations sorted as a Swedish reader expects (Å, Ä, Ö last).
fn in_swedish_order(mut orgs: Vec<Organisation>) -> Vec<Organisation> {
    orgs.sort_by(|a, b| swedish_order_key(&a.name).cmp(&swedish_order_key(&b.name)).then(a.id.cmp(&b.id)));
    orgs
}

impl App {
    /// An episode's page for a logged-in person (an audited read, as
    /// [`App::episode`]).
    pub async fn episode_page(&self, p: &Principal, id: EpisodeId) -> Result<EpisodePage, AppError> {
        let view = self.episode(p, id).await?;
        let log: Vec<_> = view.entries.iter().map(|e| e.entry.clone()).collect();
        let suggested = suggested_counterpart(&view.episode.facts, &log, &view.gaps, &p.user.org);
        let organisations = in_swedish_order(self.store.organisations().await?);
        let call_dates = self.call_dates(&view).await?;
        Ok(EpisodePage { view, suggested, organisations, call_dates })
    }

    /// The choices of the registration form; only a ward registers episodes.
    pub async fn registration_choices(&self, p: &Principal) -> Result<RegistrationChoices, AppError> {
        let orgs = self.store.organisations().await?;
        let ward = orgs.iter().find(|o| o.id == p.user.org && o.kind == OrgKind::Ward).cloned();
        let Some(ward) = ward else { return Err(AppError::Forbidden) };
        let orgs = in_swedish_order(orgs);
        let of = |k: OrgKind| orgs.iter().filter(|o| o.kind == k).cloned().collect::<Vec<_>>();
        Ok(RegistrationChoices {
            ward,
            municipalities: of(OrgKind::Municipality),
            primary_care: of(OrgKind::PrimaryCareCentre),
            outpatient_psychiatry: of(OrgKind::OutpatientPsychiatry),
        })
    }
}

/// The episodes a person may see, with the directory to name their parties
/// and whether the person may register episodes (a ward's staff).
#[derive(Debug, Clone)]
pub struct EpisodesPage {
    pub episodes: Vec<EpisodeView>,
    pub organisations: Vec<Organisation>,
    pub may_register: bool,
}

/// The accounts, with the directory to name their organisations.
#[derive(Debug, Clone)]
pub struct UsersPage {
    pub users: Vec<UserRecord>,
    pub organisations: Vec<Organisation>,
}

/// A contact search, the viewer's own region's groups apart from the other
/// regions', with the units whose phone list can be printed (in Swedish
/// order).
#[derive(Debug, Clone)]
pub struct ContactsPage {
    /// The query as searched (trimmed).
    pub query: String,
    pub total: usize,
    /// The viewer's region, when the directory says.
    pub own_region: Option<String>,
    /// The groups of the viewer's own region (all groups if it is unknown).
    pub own: Vec<Group>,
    /// The other regions' groups.
    pub others: Vec<Group>,
    pub units: Vec<Organisation>,
}

impl App {
    /// The episode list and the unit's print of every episode (an audited
    /// read, as [`App::episodes`]).
    pub async fn episodes_page(&self, p: &Principal) -> Result<EpisodesPage, AppError> {
        self.episodes_page_as(p, "episode.list").await
    }

    /// The same for the unit's print of every episode, audited as `episode.unit_printed`.
    pub async fn unit_print_page(&self, p: &Principal) -> Result<EpisodesPage, AppError> {
        self.episodes_page_as(p, "episode.unit_printed").await
    }

    async fn episodes_page_as(&self, p: &Principal, action: &str) -> Result<EpisodesPage, AppError> {
        let episodes = self.episodes_read(p, action).await?;
        let organisations = self.store.organisations().await?;
        let may_register = organisations.iter().any(|o| o.id == p.user.org && o.kind == OrgKind::Ward);
        Ok(EpisodesPage { episodes, organisations, may_register })
    }

    /// The accounts page (for those who manage users, as [`App::users`]).
    pub async fn users_page(&self, p: &Principal) -> Result<UsersPage, AppError> {
        let users = self.users(p).await?;
        let organisations = in_swedish_order(self.store.organisations().await?);
        Ok(UsersPage { users, organisations })
    }

    /// The contacts page: the search, the viewer's own region first, and
    /// the units to print a list for.
    pub async fn contacts_page(&self, p: &Principal, query: &str) -> Result<ContactsPage, AppError> {
        let result = self.search_contacts(query).await?;
        let orgs = self.store.organisations().await?;
        let own_region = region_name_of(&orgs, &p.user.org);
        let (query, total) = (result.query.clone(), result.total);
        let (own, others) = result.split_by_region(own_region.as_deref());
        Ok(ContactsPage { query, total, own_region, own, others, units: in_swedish_order(orgs) })
    }
}
