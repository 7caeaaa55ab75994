//! Reserv's application services: the one path that the HTML pages, the JSON
//! API and the CLI all call. A service checks who is asking, calls the pure
//! core for the rule, and writes the result with its audit record through the
//! storage contract. No rule lives in a handler or a template.

pub mod audit;
pub mod auth;
pub mod checklists;
pub mod clock;
pub mod contacts;
pub mod demo;
pub mod deviations;
pub mod drills;
pub mod episodes;
pub mod error;
pub mod home;
pub mod notifications;
pub mod outages;
pub mod plan_trial;
pub mod routines;
pub mod sips;
pub mod subscriptions;
pub mod throttle;
pub mod users;
pub mod views;
pub mod worklists;

use std::sync::Arc;

use jiff::Timestamp;
use uuid::Uuid;

use reserv_core::catalogue::Catalogue;
use reserv_core::directory::parse_directory;
use reserv_core::ids::{EntryId, OrgId};
use reserv_core::org::Organisation;
use reserv_store::{AuditRecord, SessionRecord, Store, UserRecord};

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;

/// Tunable rules of the service layer.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a login (browser or API token) lasts.
    pub session_hours: i64,
    /// Consecutive failed logins before the account is locked.
    pub max_failed_logins: u32,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// Failed logins from one client address (any usernames) per
    /// `throttle_minutes` before that address must wait; 0: no limit. Per
    /// server, in memory (`throttle`).
    pub throttle_per_address: u32,
    /// Failed logins from one address for one username before that address
    /// waits `throttle_minutes` for it; only these count towards the lock,
    /// so keep it below `max_failed_logins`; 0: no limit.
    pub throttle_per_address_and_user: u32,
    /// The window of both throttles.
    pub throttle_minutes: i64,
    /// Subscription requests (each sends a confirmation mail) per client
    /// address per hour; 0: no limit. Per server, in memory (`throttle`).
    pub subscriptions_per_address: u32,
    /// Subscription requests per hour from everyone together; 0: no limit.
    pub subscriptions_per_hour: u32,
    /// Live API tokens per person; creating one more revokes the oldest.
    pub max_api_tokens: u32,
    /// The handover routine for episodes registered when no outage of a
    /// coordinated-discharge system is ongoing (`prator-000`, `lifecare-sp-001`).
    pub handover_routine: String,
    /// The back-entry policy (by id) for each coordinated-discharge system.
    pub backentry_policies: std::collections::BTreeMap<String, String>,
    /// The regional agreement on municipal payment responsibility.
    pub payment: reserv_core::payment::PaymentAgreement,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            throttle_per_address: 30,
            throttle_per_address_and_user: 4,
            throttle_minutes: 15,
            subscriptions_per_address: 5,
            subscriptions_per_hour: 200,
            max_api_tokens: 20,
            handover_routine: reserv_core::handover::LIFECARE_001.id.to_owned(),
            backentry_policies: [
                ("prator".to_owned(), "prator-vasterbotten-2023".to_owned()),
                ("lifecare-sp".to_owned(), "lifecare-sp-vasternorrland-2025".to_owned()),
            ]
            .into(),
            payment: reserv_core::payment::PaymentAgreement::default(),
        }
    }
}

/// Where a request came from, for the audit log: a client address or `cli`.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// The logged-in person making a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub session: SessionRecord,
    pub origin: Origin,
}

/// Who an audit record names when there is no logged-in person.
pub enum Actor<'a> {
    Person(&'a UserRecord),
    System(&'a str),
}

pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    catalogue: Arc<Catalogue>,
    settings: Settings,
    /// The routines as data, when loaded (`with_routines`); replaced whole
    /// on a reload, so a reader always sees one valid set.
    routines: std::sync::RwLock<Option<Arc<reserv_core::routine::RoutineSet>>>,
    /// Why the last reload of the routines was refused, if it was.
    routines_problem: std::sync::RwLock<Option<String>>,
    /// What the server's last check of the audit chain found (`audit::ChainState`).
    audit_chain_state: std::sync::RwLock<audit::ChainState>,
    /// The contact files, when loaded (`with_contacts`, in `contacts.rs`).
    contacts: Option<Arc<reserv_core::contacts::ContactBook>>,
    /// The back-entry policies by id (the built-in ones unless replaced).
    policies: std::collections::BTreeMap<String, Arc<reserv_core::backentry::Policy>>,
    /// One lock per outage, so concurrent changes to it queue (see `outages`).
    outage_locks: std::sync::Mutex<std::collections::HashMap<reserv_core::ids::OutageId, Arc<tokio::sync::Mutex<()>>>>,
    /// One lock per episode, likewise.
    episode_locks:
        std::sync::Mutex<std::collections::HashMap<reserv_core::ids::EpisodeId, Arc<tokio::sync::Mutex<()>>>>,
    /// How notifications are sent, and the scheduler's lock (`notifications.rs`).
    notify: notifications::NotifyState,
    /// Failed logins per client address, in this server's memory (`throttle.rs`).
    login_throttle: throttle::LoginThrottle,
    /// Subscription requests per client address and in all (`throttle.rs`).
    subscription_throttle: throttle::SubscriptionThrottle,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, catalogue: Catalogue, settings: Settings) -> App {
        App {
            store,
            clock,
            catalogue: Arc::new(catalogue),
            routines: Default::default(),
            routines_problem: Default::default(),
            audit_chain_state: Default::default(),
            contacts: None,
            policies: worklists::builtin_policies(),
            outage_locks: Default::default(),
            episode_locks: Default::default(),
            notify: Default::default(),
            login_throttle: throttle::LoginThrottle::new(throttle::Limits::of(&settings)),
            subscription_throttle: throttle::SubscriptionThrottle::new(
                settings.subscriptions_per_address,
                settings.subscriptions_per_hour,
            ),
            settings,
        }
    }

    /// Adds the validated routines (shown with each outage).
    pub fn with_routines(self, routines: reserv_core::routine::RoutineSet) -> App {
        *self.routines.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(routines));
        self
    }

    /// Takes a reloaded set of routines: a valid set replaces the current one
    /// at once; a refused one (its problems, one per line) leaves the last
    /// valid set in service and is remembered for the administrators.
    pub fn reload_routines(&self, reloaded: Result<reserv_core::routine::RoutineSet, String>) {
        match reloaded {
            Ok(set) => {
                *self.routines.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(set));
                *self.routines_problem.write().unwrap_or_else(|p| p.into_inner()) = None;
            }
            Err(problem) => {
                *self.routines_problem.write().unwrap_or_else(|p| p.into_inner()) = Some(problem);
            }
        }
    }

    /// Why the last reload of the routines was refused (the previous routines are still in use).
    pub fn routines_problem(&self) -> Option<String> {
        self.routines_problem.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the back-entry policies (checked with `worklists::load_policies`).
    pub fn with_policies(
        mut self,
        policies: std::collections::BTreeMap<String, Arc<reserv_core::backentry::Policy>>,
    ) -> App {
        self.policies = policies;
        self
    }

    /// The back-entry policies by id.
    pub fn policies(&self) -> &std::collections::BTreeMap<String, Arc<reserv_core::backentry::Policy>> {
        &self.policies
    }

    /// The routines in service, if loaded.
    pub fn routines(&self) -> Option<Arc<reserv_core::routine::RoutineSet>> {
        self.routines.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Builds an audit record stamped with the clock and this node.
    pub(crate) fn audit(
        &self,
        actor: Actor<'_>,
        origin: &Origin,
        action: &str,
        target: Option<String>,
        detail: String,
    ) -> AuditRecord {
        let (actor_id, name, org) = match actor {
            Actor::Person(u) => (Some(u.id), u.username.clone(), Some(u.org.clone())),
            Actor::System(s) => (None, s.to_owned(), None),
        };
        AuditRecord {
            id: EntryId(Uuid::now_v7()),
            at: self.now(),
            actor_id,
            actor: name,
            org,
            action: action.to_owned(),
            target,
            origin: origin.0.clone(),
            detail,
            node: self.store.node_id().to_owned(),
        }
    }

    /// `GET /healthz`: the store takes a durable write.
    pub async fn health(&self) -> Result<(), AppError> {
        Ok(self.store.health_check(self.now()).await?)
    }

    /// Imports (inserts or updates) a region's organisation directory file.
    pub async fn import_directory(&self, text: &str, actor: Actor<'_>, origin: &Origin) -> Result<usize, AppError> {
        let orgs = parse_directory(text).map_err(reserv_core::DomainError::from)?;
        let n = orgs.len();
        let audit = self.audit(actor, origin, "directory.imported", None, format!("{n} organisations"));
        self.store.upsert_organisations(orgs, audit).await?;
        Ok(n)
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        Ok(self.store.organisations().await?)
    }

    pub async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, AppError> {
        Ok(self.store.organisation(id).await?)
    }
}
