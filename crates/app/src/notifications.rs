//! Notifications: the outbox service. Planned messages are enqueued per
//! recipient (idempotent on outage, key and recipient); the scheduler step
//! [`App::run_due`] sends what is due through a [`Deliver`] implementation
//! (SMTP, SMS gateway, webhook: `reserv-delivery`); recipients acknowledge
//! through the link in the message or when logged in; everyone logged in
//! sees every message's delivery state on the outage page.
//!
//! The rules (what is due, retries and backoff, escalation, stale claims,
//! acknowledgement) are pure functions in `reserv_core::outbox`, whose
//! module doc also explains the delivery guarantee: a message is claimed in
//! the store before it is handed to an adapter, so it is never sent twice;
//! a send interrupted by a crash, or one that timed out after the request
//! was written, is shown as "unknown" and not repeated automatically, and
//! escalation (the next wave when nobody has acknowledged) covers silence.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::ids::{EntryId, OutageId};
use reserv_core::notify;
use reserv_core::org::Role;
use reserv_core::outbox::{
    self, Ack, AckRefused, AckVia, Address, Channel, DeliveryChange, DeliveryEvent, DeliveryState, Failure,
    OutboxMessage, Planned, Recipients, RetryPolicy, Status, Step,
};
use reserv_core::subscription;
use reserv_store::{OutboxEntry, StoreError};

use crate::auth::{random_token, token_hash};
use crate::{Actor, App, AppError, Origin, Principal};

/// One message as an adapter sends it: the text with its acknowledgement
/// link already in it.
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    pub message_id: EntryId,
    pub outage_id: OutageId,
    pub key: String,
    pub rule: String,
    pub cite: String,
    pub channel: Channel,
    pub address: Address,
    pub recipient_name: Option<String>,
    pub group: String,
    pub sender: String,
    pub subject: String,
    pub body: String,
    /// The link that acknowledges this message, if Reserv knows its own address.
    pub ack_url: Option<String>,
    /// For a subscription mail: the one-click unsubscribe address (RFC 8058
    /// `List-Unsubscribe`, answering a `POST` without a form).
    pub list_unsubscribe: Option<String>,
    pub due_at: Timestamp,
}

/// Sends one message over its channel. `Ok` carries what the far side
/// answered (a receipt). An implementation must give up well within
/// [`outbox::CLAIM_LEASE`] and must classify its failures honestly: only
/// [`outbox::FailureKind::Transient`] when nothing can have been sent.
#[async_trait]
pub trait Deliver: Send + Sync + 'static {
    async fn send(&self, message: &Outgoing) -> Result<String, Failure>;
}

/// How notifications are sent: set with [`App::with_notifications`].
pub struct Notifications {
    pub deliver: Arc<dyn Deliver>,
    /// Recipient groups and their people (the region's recipients file).
    pub recipients: Recipients,
    pub retry: RetryPolicy,
    /// Reserv's address as recipients reach it (`https://reserv.region.se`),
    /// for acknowledgement links; without it messages carry no link.
    pub public_url: Option<String>,
}

/// The notification state an [`App`] carries.
#[derive(Default)]
pub struct NotifyState {
    pub(crate) config: Option<Arc<Notifications>>,
    /// The notification policies planned for every outage they cover.
    pub(crate) policies: Vec<Arc<notify::Policy>>,
    /// One scheduler step at a time within this process.
    running: tokio::sync::Mutex<()>,
}

/// What one scheduler step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    pub unknown: usize,
    pub skipped: usize,
}

/// What following a plan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanReport {
    pub added: usize,
    /// Unsent messages that took a new due time or text.
    pub replanned: usize,
    /// Unsent messages the plan no longer calls for.
    pub withdrawn: usize,
}

/// A message's acknowledgement, for people.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AckView {
    pub at: Timestamp,
    pub by: String,
    pub via: AckVia,
}

impl From<&Ack> for AckView {
    fn from(a: &Ack) -> Self {
        AckView { at: a.at, by: a.by.clone(), via: a.via }
    }
}

/// One entry of a message's delivery history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryRow {
    pub at: Timestamp,
    /// `claimed`, `sent`, `retrying`, `failed`, `unknown`, `skipped`, `acknowledged`, `requeued`.
    pub event: &'static str,
    pub detail: String,
}

/// One message (for one recipient) with its delivery state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: EntryId,
    pub outage_id: OutageId,
    pub key: String,
    pub rule: String,
    pub cite: String,
    pub channel: Channel,
    pub sender: String,
    pub group: String,
    /// The person's name; `None` for a group message.
    pub recipient: Option<String>,
    /// The e-mail address or phone number: shown to IT, system
    /// administrators and unit managers only.
    pub address: Option<String>,
    pub due_at: Timestamp,
    pub subject: String,
    pub body: String,
    pub unless_acknowledged: Option<String>,
    pub status: Status,
    pub attempts: u32,
    /// When the next attempt is due (queued or retrying).
    pub next_attempt_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub receipt: Option<String>,
    /// The latest error or reason (retrying, failed, unknown, skipped).
    pub error: Option<String>,
    /// A problem known before sending (no address for this person).
    pub address_problem: Option<String>,
    pub acknowledged: Option<AckView>,
    /// Whether the caller may acknowledge it (as the recipient, or IT on their behalf).
    pub may_acknowledge: bool,
    /// Whether the caller may put it back in the queue (IT, failed or unknown).
    pub may_requeue: bool,
    pub history: Vec<HistoryRow>,
}

/// What an acknowledgement link shows: the message, not its address.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub message_id: EntryId,
    pub outage_id: OutageId,
    pub system_name: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub body: String,
    pub sent_at: Option<Timestamp>,
    pub acknowledged: Option<AckView>,
    /// The link is too old to acknowledge with (log in instead).
    pub expired: bool,
}

/// What acknowledging through a link did.
#[derive(Debug, Clone)]
pub enum LinkOutcome {
    Acknowledged(LinkView),
    /// Somebody acknowledged it before; the first acknowledgement stands.
    AlreadyAcknowledged(LinkView),
    Expired(LinkView),
}

/// How often a change is retried when the scheduler took the position first.
const RETRIES: usize = 5;
/// How many due messages one store read takes.
const BATCH: u32 = 100;

fn may_see_addresses(role: Role) -> bool {
    reserv_core::access::Permissions::of(role).sees_addresses
}

fn history(events: &[DeliveryEvent]) -> Vec<HistoryRow> {
    events
        .iter()
        .map(|e| {
            let (event, detail) = match &e.change {
                DeliveryChange::Claimed { attempt, .. } => ("claimed", format!("{attempt}")),
                DeliveryChange::Sent { receipt } => ("sent", receipt.clone()),
                DeliveryChange::Retrying { error, .. } => ("retrying", error.clone()),
                DeliveryChange::Failed { error } => ("failed", error.clone()),
                DeliveryChange::Unknown { reason } => ("unknown", reason.clone()),
                DeliveryChange::Skipped { reason } => ("skipped", reason.clone()),
                DeliveryChange::Acknowledged { by, .. } => ("acknowledged", by.clone()),
                DeliveryChange::Requeued { by, .. } => ("requeued", by.clone()),
                DeliveryChange::Replanned { due_at, .. } => ("replanned", reserv_core::time::format_local(*due_at)),
            };
            HistoryRow { at: e.at, event, detail }
        })
        .collect()
}

fn address_text(a: &Address) -> Option<String> {
    match a {
        Address::Email(e) | Address::Phone(e) => Some(e.clone()),
        Address::Endpoint | Address::Internal => None,
    }
}

impl App {
    /// Configures how notifications are sent (the scheduler's adapters,
    /// the recipients, retries and Reserv's public address).
    pub fn with_notifications(mut self, n: Notifications) -> App {
        self.notify.config = Some(Arc::new(n));
        self
    }

    fn notify_config(&self) -> Result<Arc<Notifications>, AppError> {
        self.notify.config.clone().ok_or_else(|| AppError::Internal("notifications are not configured".into()))
    }

    /// Adds planned messages for an outage to the outbox, one per recipient.
    /// Enqueueing the same plan again adds nothing (keyed on outage, message
    /// key and recipient), so it is safe whenever an outage changes; a
    /// message not yet sent takes the plan's new due time and text.
    /// Returns how many messages were new.
    pub async fn enqueue_messages(
        &self,
        outage: OutageId,
        planned: Vec<Planned>,
        actor: Actor<'_>,
        origin: &Origin,
    ) -> Result<usize, AppError> {
        Ok(self.sync_plan(outage, planned, None, actor, origin).await?.added)
    }

    /// Makes the outbox follow an outage's complete plan (the planner's
    /// answer after a declaration, amendment or end): new messages are
    /// added, unsent ones take their new due time and text, and unsent
    /// messages of `rules` that the plan no longer calls for are withdrawn
    /// (skipped, with the reason). Messages of other rules (enqueued by hand,
    /// or by another policy) are left alone.
    pub async fn apply_plan(
        &self,
        outage: OutageId,
        planned: Vec<Planned>,
        rules: &BTreeSet<String>,
        actor: Actor<'_>,
        origin: &Origin,
    ) -> Result<PlanReport, AppError> {
        self.sync_plan(outage, planned, Some(rules), actor, origin).await
    }

    async fn sync_plan(
        &self,
        outage: OutageId,
        planned: Vec<Planned>,
        complete: Option<&BTreeSet<String>>,
        actor: Actor<'_>,
        origin: &Origin,
    ) -> Result<PlanReport, AppError> {
        let added = self.insert_plan(outage, &planned, actor, origin).await?;
        let mut report = PlanReport { added: added.len(), ..PlanReport::default() };
        let by_key: HashMap<&str, &Planned> = planned.iter().map(|p| (p.key.as_str(), p)).collect();
        let now = self.now();
        for entry in self.store.outbox(outage).await? {
            if added.contains(&entry.message.id) {
                continue;
            }
            let state = outbox::fold(&entry.message, &entry.events);
            let change = match by_key.get(entry.message.key.as_str()) {
                Some(p) => outbox::replan(&entry.message, &state, p),
                None if complete.is_some_and(|rules| rules.contains(&entry.message.rule)) => outbox::withdraw(&state),
                None => None,
            };
            let Some(change) = change else { continue };
            let replanned = matches!(change, DeliveryChange::Replanned { .. });
            match self.record(&entry.message, state.next_seq, now, change).await {
                // The scheduler took it meanwhile: it goes out as it was.
                Err(AppError::Conflict(_)) => {}
                Err(e) => return Err(e),
                Ok(()) if replanned => report.replanned += 1,
                Ok(()) => report.withdrawn += 1,
            }
        }
        Ok(report)
    }

    async fn insert_plan(
        &self,
        outage: OutageId,
        planned: &[Planned],
        actor: Actor<'_>,
        origin: &Origin,
    ) -> Result<Vec<EntryId>, AppError> {
        let cfg = self.notify_config()?;
        self.outage(outage).await?;
        let now = self.now();
        let node = self.store.node_id().to_owned();
        let mut ids = || EntryId(Uuid::now_v7());
        let messages: Vec<OutboxMessage> =
            planned.iter().flat_map(|p| outbox::expand(outage, p, &cfg.recipients, now, &node, &mut ids)).collect();
        let total = messages.len();
        let audit = self.audit(
            actor,
            origin,
            "notify.enqueued",
            Some(format!("outage:{outage}")),
            format!("{} planned, {total} messages", planned.len()),
        );
        Ok(self.store.enqueue_messages(messages, audit).await?)
    }

    /// Adds the notification policies (`reserv_core::notify`): from now on
    /// every declaration, amendment and end of an outage a policy covers is
    /// planned and its messages enqueued ([`App::plan_outage`]).
    pub fn with_notification_policies(mut self, policies: Vec<notify::Policy>) -> App {
        self.notify.policies = policies.into_iter().map(Arc::new).collect();
        self
    }

    /// Plans an outage with every policy that covers its system and makes
    /// the outbox follow the plan. Nothing happens without notifications or
    /// policies configured.
    pub async fn plan_outage(&self, id: OutageId) -> Result<PlanReport, AppError> {
        let Some(cfg) = self.notify.config.clone() else {
            return Ok(PlanReport::default());
        };
        if self.notify.policies.is_empty() {
            return Ok(PlanReport::default());
        }
        let v = self.outage(id).await?;
        // Read by people with and without an account: the routine opens without a login.
        let link = cfg.public_url.as_deref().map(|u| notify::routine_url(u, &v.outage.system)).unwrap_or_default();
        let facts = notify::OutageFacts::from_outage(&v.outage, &v.system_name, &link);
        let mut planned: Vec<Planned> = Vec::new();
        let mut rules = BTreeSet::new();
        for policy in self.notify.policies.iter().filter(|p| p.covers(&v.outage.system)) {
            rules.extend(policy.rules.iter().map(|r| r.id.clone()));
            for m in notify::plan(policy, &facts) {
                if !planned.iter().any(|p| p.key == m.key) {
                    let mut p: Planned = m.into();
                    if v.outage.drill {
                        outbox::mark_drill(&mut p);
                    }
                    planned.push(p);
                }
            }
        }
        if rules.is_empty() {
            return Ok(PlanReport::default());
        }
        self.apply_plan(id, planned, &rules, Actor::System("planner"), &Origin("planner".into())).await
    }

    /// After an outage changed: plan it; a failure is logged, not returned
    /// (the change itself is saved), and the next change or start plans again.
    pub(crate) async fn outage_changed(&self, id: OutageId) {
        match self.plan_outage(id).await {
            Ok(r) if r != PlanReport::default() => {
                tracing::info!(outage = %id, added = r.added, replanned = r.replanned, withdrawn = r.withdrawn, "notification plan")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(outage = %id, error = %e, "cannot plan the outage's notifications"),
        }
        match self.notify_subscribers(id).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(outage = %id, mails = n, "subscribers notified"),
            Err(e) => tracing::error!(outage = %id, error = %e, "cannot queue the subscribers' mails"),
        }
    }

    /// Plans every outage that is ongoing, upcoming, or ended in the last
    /// 24 hours (at start: catches up on changes made while planning failed
    /// or before the policies were configured). Older outages are left alone,
    /// so configuring a policy never sends news of last month's outages.
    pub async fn plan_open_outages(&self) -> Result<PlanReport, AppError> {
        let since = self.now() - jiff::SignedDuration::from_hours(24);
        let mut total = PlanReport::default();
        for v in self.outages().await? {
            if v.outage.restored_at.is_some_and(|r| r < since) {
                continue;
            }
            let r = self.plan_outage(v.outage.id).await?;
            total.added += r.added;
            total.replanned += r.replanned;
            total.withdrawn += r.withdrawn;
        }
        Ok(total)
    }

    /// One scheduler step: everything due at `now` is sent, skipped, failed
    /// or marked unknown. Run every few seconds and once at start (catch-up
    /// after Reserv itself was down). Steps never overlap within a process,
    /// and a message is claimed in the store before it is sent, so two
    /// processes never send the same message either.
    pub async fn run_due(&self, now: Timestamp) -> Result<RunReport, AppError> {
        let cfg = self.notify_config()?;
        let _one_at_a_time = self.notify.running.lock().await;
        let mut report = RunReport::default();
        let mut seen = BTreeSet::new();
        // The acknowledgements of each outage's messages, read once per step.
        let mut acks: HashMap<OutageId, Vec<(OutboxMessage, DeliveryState)>> = HashMap::new();
        loop {
            let due = self.store.outbox_due(now, BATCH).await?;
            let fresh: Vec<OutboxEntry> = due.into_iter().filter(|e| seen.insert(e.message.id)).collect();
            if fresh.is_empty() {
                break;
            }
            for entry in fresh {
                let earlier = match &entry.message.unless_acknowledged {
                    None => None,
                    Some(key) => {
                        let outage = entry.message.outage_id;
                        let states = match acks.entry(outage) {
                            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                            std::collections::hash_map::Entry::Vacant(v) => {
                                let all = self.store.outbox(outage).await?;
                                v.insert(
                                    all.into_iter()
                                        .map(|e| {
                                            let s = outbox::fold(&e.message, &e.events);
                                            (e.message, s)
                                        })
                                        .collect(),
                                )
                            }
                        };
                        outbox::acknowledged_key(states.iter().map(|(m, s)| (m, s)), key, now)
                    }
                };
                match self.process(&cfg, entry, now, earlier.as_ref()).await {
                    Ok(Some(change)) => match change {
                        DeliveryChange::Sent { .. } => report.sent += 1,
                        DeliveryChange::Retrying { .. } => report.retrying += 1,
                        DeliveryChange::Failed { .. } => report.failed += 1,
                        DeliveryChange::Unknown { .. } => report.unknown += 1,
                        DeliveryChange::Skipped { .. } => report.skipped += 1,
                        _ => {}
                    },
                    Ok(None) => {}
                    // Another scheduler got there first: it is theirs.
                    Err(AppError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(report)
    }

    /// Decides and carries out one due message; the change recorded last.
    async fn process(
        &self,
        cfg: &Notifications,
        entry: OutboxEntry,
        now: Timestamp,
        earlier: Option<&Ack>,
    ) -> Result<Option<DeliveryChange>, AppError> {
        let state = outbox::fold(&entry.message, &entry.events);
        let msg = current(&cfg.recipients, outbox::effective(&entry.message, &state));
        match outbox::step(&msg, &state, now, earlier) {
            Step::Wait => Ok(None),
            Step::Record(change) => {
                self.record(&msg, state.next_seq, now, change.clone()).await?;
                Ok(Some(change))
            }
            Step::Send { attempt, address } => {
                let subscriber = msg.group == subscription::GROUP;
                if subscriber && let Some(reason) = self.subscriber_gone(&msg, now).await? {
                    let change = DeliveryChange::Skipped { reason };
                    self.record(&msg, state.next_seq, now, change.clone()).await?;
                    return Ok(Some(change));
                }
                let token = random_token()?;
                let claim = DeliveryChange::Claimed { attempt, token_hash: Some(token_hash(&token)) };
                self.record(&msg, state.next_seq, now, claim).await?;
                let base = cfg.public_url.as_deref().map(|b| b.trim_end_matches('/'));
                let (ack_url, list_unsubscribe, subject, body) = if subscriber {
                    // Subscription mails carry their own links (same token):
                    // confirm (the confirmation mail) and unsubscribe.
                    let confirm = base
                        .filter(|_| msg.key.starts_with(subscription::CONFIRM_KEY))
                        .map(|b| format!("{b}/subscriptions/confirm/{token}"));
                    let unsubscribe = base.map(|b| format!("{b}/subscriptions/unsubscribe/{token}"));
                    let one_click = base.map(|b| format!("{b}/api/v1/public/subscriptions/unsubscribe/{token}"));
                    let body = subscription::compose(&msg.body, confirm.as_deref(), unsubscribe.as_deref());
                    (None, one_click, msg.subject.trim().replace(['\r', '\n'], " "), body)
                } else {
                    let ack_url = base.map(|b| format!("{b}/ack/{token}"));
                    let reader = notify::reader_of(msg.recipient.as_ref());
                    let drill = outbox::is_drill(&msg.subject);
                    let outage_url = base.and_then(|b| notify::outage_url_for(b, msg.outage_id, reader, drill));
                    let (subject, body) = outbox::compose(&msg, outage_url.as_deref(), ack_url.as_deref());
                    (ack_url, None, subject, body)
                };
                let out = Outgoing {
                    message_id: msg.id,
                    outage_id: msg.outage_id,
                    key: msg.key.clone(),
                    rule: msg.rule.clone(),
                    cite: msg.cite.clone(),
                    channel: msg.channel,
                    address,
                    recipient_name: msg.recipient.as_ref().map(|r| r.name.clone()),
                    group: msg.group.clone(),
                    sender: msg.sender.clone(),
                    subject,
                    body,
                    ack_url,
                    list_unsubscribe,
                    due_at: msg.due_at,
                };
                // A safety net under the adapters' own time-outs: the claim
                // must be settled long before it could be taken for a crash.
                let limit = std::time::Duration::from_secs((outbox::CLAIM_LEASE.as_secs() / 2).max(1) as u64);
                let result = match tokio::time::timeout(limit, cfg.deliver.send(&out)).await {
                    Ok(r) => r,
                    Err(_) => Err(Failure::ambiguous("ingen avslutning från kanalen inom tidsgränsen")),
                };
                let done_at = self.now().max(now);
                let change = outbox::outcome(result, attempt, done_at, &cfg.retry);
                self.record(&msg, state.next_seq + 1, done_at, change.clone()).await?;
                Ok(Some(change))
            }
        }
    }

    /// Appends one change to a message's timeline; outcomes are audited.
    async fn record(
        &self,
        msg: &OutboxMessage,
        seq: u32,
        at: Timestamp,
        change: DeliveryChange,
    ) -> Result<(), AppError> {
        let action = match &change {
            DeliveryChange::Sent { .. } => Some("notify.sent"),
            DeliveryChange::Failed { .. } => Some("notify.failed"),
            DeliveryChange::Unknown { .. } => Some("notify.unknown"),
            DeliveryChange::Skipped { .. } => Some("notify.skipped"),
            _ => None,
        };
        let audit = action.map(|a| {
            let who = msg.recipient.as_ref().map(|r| r.name.as_str()).unwrap_or(msg.group.as_str());
            let mut rec = self.audit(
                Actor::System("scheduler"),
                &Origin("scheduler".into()),
                a,
                Some(format!("message:{}", msg.id)),
                format!("{} via {} till {who}", msg.key, msg.channel.key()),
            );
            rec.at = at;
            rec
        });
        let event = DeliveryEvent {
            id: EntryId(Uuid::now_v7()),
            message_id: msg.id,
            seq,
            at,
            node: self.store.node_id().to_owned(),
            change,
        };
        self.store.append_delivery_event(event, audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })
    }

    fn message_view(&self, p: &Principal, entry: &OutboxEntry) -> MessageView {
        let s = outbox::fold(&entry.message, &entry.events);
        let m = &match &self.notify.config {
            Some(cfg) => current(&cfg.recipients, outbox::effective(&entry.message, &s)),
            None => outbox::effective(&entry.message, &s),
        };
        let address = m.address();
        let may_ack = s.acknowledged.is_none() && may_acknowledge(p, m);
        MessageView {
            id: m.id,
            outage_id: m.outage_id,
            key: m.key.clone(),
            rule: m.rule.clone(),
            cite: m.cite.clone(),
            channel: m.channel,
            sender: m.sender.clone(),
            group: m.group.clone(),
            recipient: m.recipient.as_ref().map(|r| r.name.clone()),
            address: if may_see_addresses(p.user.role) {
                let a = address.as_ref().ok().and_then(address_text);
                // A member of the public's address: masked even for IT.
                if m.group == subscription::GROUP { a.map(|a| subscription::mask_email(&a)) } else { a }
            } else {
                None
            },
            due_at: m.due_at,
            subject: m.subject.clone(),
            body: m.body.clone(),
            unless_acknowledged: m.unless_acknowledged.clone(),
            status: s.status,
            attempts: s.attempts,
            next_attempt_at: matches!(s.status, Status::Queued | Status::Retrying).then_some(s.next_at).flatten(),
            sent_at: s.sent_at,
            receipt: s.receipt.clone(),
            error: s.error.clone(),
            address_problem: address.as_ref().err().map(|e| e.message_sv()),
            acknowledged: s.acknowledged.as_ref().map(AckView::from),
            may_acknowledge: may_ack,
            may_requeue: p.user.role.may_manage_outages()
                && matches!(s.status, Status::Failed | Status::Unknown)
                && address.is_ok(),
            history: history(&entry.events),
        }
    }

    /// Every message of an outage with its delivery state, for anyone
    /// logged in; addresses only for IT, system administrators and unit managers.
    pub async fn messages(&self, p: &Principal, outage: OutageId) -> Result<Vec<MessageView>, AppError> {
        self.outage(outage).await?;
        self.messages_of(p, outage).await
    }

    /// The messages of an outage known to exist.
    pub(crate) async fn messages_of(&self, p: &Principal, outage: OutageId) -> Result<Vec<MessageView>, AppError> {
        let entries = self.store.outbox(outage).await?;
        Ok(entries.iter().map(|e| self.message_view(p, e)).collect())
    }

    async fn message_entry(&self, id: EntryId) -> Result<OutboxEntry, AppError> {
        self.store.outbox_message(id).await?.ok_or(AppError::NotFound)
    }

    /// A logged-in person acknowledges a message: the recipient, or IT on
    /// their behalf (e.g. after reaching them by phone). Acknowledging again
    /// changes nothing; the first acknowledgement stands.
    pub async fn acknowledge_message(&self, p: &Principal, id: EntryId, via: AckVia) -> Result<MessageView, AppError> {
        for _ in 0..RETRIES {
            let entry = self.message_entry(id).await?;
            let m = &entry.message;
            if !may_acknowledge(p, m) {
                return Err(AppError::Forbidden);
            }
            let state = outbox::fold(m, &entry.events);
            let by = match &m.recipient {
                Some(r) if r.username.as_deref() != Some(p.user.username.as_str()) => {
                    format!("{} för {}", p.user.display_name, r.name)
                }
                _ => p.user.display_name.clone(),
            };
            let change = match outbox::acknowledge(&state, &by, Some(p.user.id), via, None, self.now()) {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(self.message_view(p, &entry)),
                Err(AckRefused::Expired) => return Err(AppError::Internal("expiry applies to links only".into())),
            };
            match self.acknowledged(m, state.next_seq, change, Actor::Person(&p.user), &p.origin).await {
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
                Ok(()) => return self.message_entry(id).await.map(|e| self.message_view(p, &e)),
            }
        }
        Err(AppError::Conflict(format!("message {id} is being changed by others")))
    }

    async fn acknowledged(
        &self,
        m: &OutboxMessage,
        seq: u32,
        change: DeliveryChange,
        actor: Actor<'_>,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let DeliveryChange::Acknowledged { by, via, .. } = &change else {
            return Err(AppError::Internal("not an acknowledgement".into()));
        };
        let detail = format!("{} kvitterat av {by} via {}", m.key, via.key());
        let audit = self.audit(actor, origin, "notify.acknowledged", Some(format!("message:{}", m.id)), detail);
        let event = DeliveryEvent {
            id: EntryId(Uuid::now_v7()),
            message_id: m.id,
            seq,
            at: self.now(),
            node: self.store.node_id().to_owned(),
            change,
        };
        self.store.append_delivery_event(event, Some(audit)).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })
    }

    async fn link_entry(&self, token: &str) -> Result<(OutboxEntry, Timestamp), AppError> {
        if !outbox::is_ack_token(token) {
            return Err(AppError::NotFound);
        }
        let (entry, issued) = self.store.outbox_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)?;
        // A subscription mail's token works on the subscription pages only.
        if entry.message.group == subscription::GROUP {
            return Err(AppError::NotFound);
        }
        Ok((entry, issued))
    }

    async fn link_view(&self, entry: &OutboxEntry, issued: Timestamp) -> LinkView {
        let m = &entry.message;
        let s = outbox::fold(m, &entry.events);
        let system_name = match self.outage(m.outage_id).await {
            Ok(v) => v.system_name,
            Err(_) => String::new(),
        };
        LinkView {
            message_id: m.id,
            outage_id: m.outage_id,
            system_name,
            recipient: m.recipient.as_ref().map(|r| r.name.clone()),
            subject: m.subject.clone(),
            body: m.body.clone(),
            sent_at: s.sent_at,
            acknowledged: s.acknowledged.as_ref().map(AckView::from),
            expired: self.now() >= issued + outbox::ACK_TOKEN_VALIDITY,
        }
    }

    /// What an acknowledgement link shows (no login; the link is the secret).
    pub async fn ack_link(&self, token: &str) -> Result<LinkView, AppError> {
        let (entry, issued) = self.link_entry(token).await?;
        Ok(self.link_view(&entry, issued).await)
    }

    /// Acknowledges through the link in the message, in the recipient's name.
    pub async fn acknowledge_by_link(&self, token: &str, origin: &Origin) -> Result<LinkOutcome, AppError> {
        for _ in 0..RETRIES {
            let (entry, issued) = self.link_entry(token).await?;
            let m = &entry.message;
            let state = outbox::fold(m, &entry.events);
            let by = m.recipient.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| m.group.clone());
            let change = match outbox::acknowledge(&state, &by, None, AckVia::Link, Some(issued), self.now()) {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(LinkOutcome::AlreadyAcknowledged(self.link_view(&entry, issued).await)),
                Err(AckRefused::Expired) => return Ok(LinkOutcome::Expired(self.link_view(&entry, issued).await)),
            };
            match self.acknowledged(m, state.next_seq, change, Actor::System("ack-link"), origin).await {
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
                Ok(()) => {
                    let (entry, issued) = self.link_entry(token).await?;
                    return Ok(LinkOutcome::Acknowledged(self.link_view(&entry, issued).await));
                }
            }
        }
        Err(AppError::Conflict("the message is being changed by others".into()))
    }

    /// IT puts a failed or unknown message back in the queue: it is sent at
    /// the next scheduler step (a person's informed decision to risk a duplicate).
    pub async fn requeue_message(&self, p: &Principal, id: EntryId) -> Result<MessageView, AppError> {
        if !p.user.role.may_manage_outages() {
            return Err(AppError::Forbidden);
        }
        let entry = self.message_entry(id).await?;
        let m = &entry.message;
        let state = outbox::fold(m, &entry.events);
        let change = outbox::requeue(&state, &p.user.display_name, Some(p.user.id))
            .map_err(|_| AppError::Conflict(format!("message {id} is {}", state.status.key())))?;
        let audit = self.audit(
            Actor::Person(&p.user),
            &p.origin,
            "notify.requeued",
            Some(format!("message:{id}")),
            format!("{} ({})", m.key, state.status.key()),
        );
        let event = DeliveryEvent {
            id: EntryId(Uuid::now_v7()),
            message_id: id,
            seq: state.next_seq,
            at: self.now(),
            node: self.store.node_id().to_owned(),
            change,
        };
        self.store.append_delivery_event(event, Some(audit)).await?;
        self.message_entry(id).await.map(|e| self.message_view(p, &e))
    }

    /// Who has and has not acknowledged each message key of an outage.
    pub fn acknowledgement_summary(views: &[MessageView]) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        let mut out: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for v in views.iter().filter(|v| v.status != Status::Skipped && v.group != subscription::GROUP) {
            let who = v.recipient.clone().unwrap_or_else(|| v.group.clone());
            let e = out.entry(v.key.clone()).or_default();
            if v.acknowledged.is_some() { e.0.push(who) } else { e.1.push(who) }
        }
        out
    }
}

/// The message with its recipient as the recipients file has them now
/// (same person id, same group): an address corrected in the file after the
/// message was planned is used when it is sent.
fn current(recipients: &Recipients, mut m: OutboxMessage) -> OutboxMessage {
    if let Some(r) = &m.recipient
        && let Some(now) = recipients.get(&m.group).and_then(|people| people.iter().find(|p| p.id == r.id))
    {
        m.recipient = Some(now.clone());
    }
    m
}

fn may_acknowledge(p: &Principal, m: &OutboxMessage) -> bool {
    let own = m
        .recipient
        .as_ref()
        .and_then(|r| r.username.as_deref())
        .is_some_and(|u| u.eq_ignore_ascii_case(&p.user.username));
    own || p.user.role.may_manage_outages()
}
