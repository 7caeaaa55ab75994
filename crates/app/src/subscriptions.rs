//! E-mail subscriptions to the public status: request (double opt-in, a
//! confirmation mail through the outbox), confirm and unsubscribe through
//! the links in the mails (no login; the link is the secret), and the
//! subscribers' mails when the public facts of an outage change.
//!
//! The rules are in `reserv_core::subscription`. Every mail is an outbox
//! message to the pseudo-group [`subscription::GROUP`] whose recipient
//! snapshot carries the address, so it has the outbox's guarantees (claimed
//! before sending, never sent twice, retried only when certainly unsent,
//! failures recorded and audited). The links in a mail use the token of the
//! message's claim, stored only as a hash (`outbox_ack_tokens`). Addresses
//! are never logged or audited in full ([`subscription::mask_email`]).

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::error::{DomainError, Field};
use reserv_core::ids::{EntryId, OutageId, SystemId};
use reserv_core::outage::Outage;
use reserv_core::outbox::{self, Channel, OutboxMessage, Recipient};
use reserv_core::subscription::{
    self, ConfirmRefused, PublicFacts, SubStatus, Subscription, SubscriptionChange, SubscriptionEvent,
};
use reserv_store::{OutboxEntry, StoreError};

use crate::auth::token_hash;
use crate::{Actor, App, AppError, Origin, Principal};
use reserv_core::access::Permissions;

/// What a subscription link shows: never the whole address.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionView {
    /// The address, masked (`a***@example.org`).
    pub email: String,
    /// The chosen systems' names; empty: all systems.
    pub systems: Vec<String>,
    pub status: SubStatus,
    /// The link came in the confirmation mail (it may confirm).
    pub confirm_link: bool,
}

/// What following a link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkResult {
    Done,
    /// Nothing to do: confirmed or unsubscribed already.
    Already,
    /// The request was not confirmed in time.
    Expired,
    /// The subscription has ended; it cannot be confirmed.
    Ended,
}

const RETRIES: usize = 5;

/// One subscriber as IT sees it (`App::subscribers`).
#[derive(Debug, Clone, Serialize)]
pub struct SubscriberView {
    pub id: EntryId,
    /// In full for IT, masked for others (`access::Permissions::sees_subscriber_addresses`).
    pub email: String,
    /// The chosen systems' names; empty: all systems.
    pub systems: Vec<String>,
    pub status: SubStatus,
    pub requested_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    /// Whether it can still be removed (it has not ended).
    pub removable: bool,
}

impl App {
    /// The next entry of a subscription's timeline, now.
    fn next_event(&self, s: &Subscription, change: SubscriptionChange) -> SubscriptionEvent {
        SubscriptionEvent {
            id: EntryId(Uuid::now_v7()),
            subscription_id: s.id,
            seq: s.next_seq,
            at: self.now(),
            email: s.email.clone(),
            change,
        }
    }

    /// Whether e-mail subscriptions work here: notifications configured
    /// with Reserv's public address (the links need it).
    pub fn subscriptions_enabled(&self) -> bool {
        self.notify.config.as_ref().is_some_and(|c| c.public_url.is_some())
    }

    fn subscription_system_names(&self, systems: &[SystemId]) -> Vec<String> {
        systems
            .iter()
            .map(|s| self.catalogue().get(s).map(|x| x.name.clone()).unwrap_or(s.as_str().to_owned()))
            .collect()
    }

    /// Someone asks for mail about the public status. Nothing but one
    /// confirmation mail goes to the address until the link in it is used;
    /// at most a few such mails an hour per address, and at most a few
    /// requests an hour per client address and a bounded number from
    /// everyone (`Settings::subscriptions_per_address`, `_per_hour`). The answer is the same
    /// whether or not the address was known (no enumeration).
    pub async fn subscribe(&self, email: &str, systems: &[String], origin: &Origin) -> Result<(), AppError> {
        let email = subscription::normalize_email(email)?;
        let mut chosen = Vec::new();
        for s in systems.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let id = SystemId::parse(s)?;
            if self.catalogue().get(&id).is_none() {
                return Err(
                    DomainError::UnknownValue { field: Field::System, value: s.chars().take(64).collect() }.into()
                );
            }
            if !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        if !self.subscriptions_enabled() {
            return Err(AppError::Unavailable("subscriptions need notifications with a public_url".into()));
        }
        let masked = subscription::mask_email(&email);
        let now = self.now();
        // Per client address and for everyone (per server, in memory),
        // before anything is looked up or sent.
        if let Err(until) = self.subscription_throttle.admit(&origin.0, now) {
            tracing::warn!(origin = %origin.0, "subscription request refused: throttled");
            return Err(AppError::SubscriptionThrottled { until });
        }
        let earlier = self.store.subscription_events_by_email(&email).await?;
        if !subscription::may_request(&earlier, now) {
            tracing::warn!(email = %masked, "subscription request refused: too many this hour");
            return Err(AppError::RateLimited);
        }
        let sub = EntryId(Uuid::now_v7());
        let event = SubscriptionEvent {
            id: EntryId(Uuid::now_v7()),
            subscription_id: sub,
            seq: 0,
            at: now,
            email: email.clone(),
            change: SubscriptionChange::Requested { systems: chosen.clone() },
        };
        let detail = format!("{masked}, {} system", chosen.len());
        let audit = self.audit(
            Actor::System("subscription"),
            origin,
            "subscription.requested",
            Some(format!("subscription:{sub}")),
            detail,
        );
        self.store.append_subscription_event(event.clone(), audit).await?;
        let (subject, body) = subscription::confirmation_mail(&self.subscription_system_names(&chosen));
        let msg = self.subscriber_message(
            OutageId(Uuid::nil()),
            format!("{}:{}", subscription::CONFIRM_KEY, event.id),
            sub,
            &email,
            subject,
            body,
        );
        let audit = self.audit(
            Actor::System("subscription"),
            origin,
            "notify.enqueued",
            Some(format!("subscription:{sub}")),
            "bekräftelse av prenumeration".into(),
        );
        self.store.enqueue_messages(vec![msg], audit).await?;
        tracing::info!(email = %masked, "subscription requested; confirmation mail queued");
        Ok(())
    }

    fn subscriber_message(
        &self,
        outage: OutageId,
        key: String,
        sub: EntryId,
        email: &str,
        subject: String,
        body: String,
    ) -> OutboxMessage {
        let now = self.now();
        OutboxMessage {
            id: EntryId(Uuid::now_v7()),
            outage_id: outage,
            key,
            rule: subscription::RULE.into(),
            cite: "Prenumeration på driftinformation (bekräftad via e-post)".into(),
            channel: Channel::Email,
            sender: "reserv".into(),
            group: subscription::GROUP.into(),
            recipient: Some(Recipient {
                id: subscription::recipient_id(sub),
                name: "Prenumerant".into(),
                email: Some(email.to_owned()),
                phone: None,
                username: None,
            }),
            due_at: now,
            subject,
            body,
            unless_acknowledged: None,
            created_at: now,
            node: self.store.node_id().to_owned(),
        }
    }

    /// The subscription a subscriber message belongs to.
    pub(crate) async fn subscription_of(&self, m: &OutboxMessage) -> Result<Option<Subscription>, AppError> {
        let Some(id) = m.recipient.as_ref().and_then(|r| subscription::parse_recipient_id(&r.id)) else {
            return Ok(None);
        };
        Ok(Subscription::fold(&self.store.subscription_events(id).await?))
    }

    /// Why a due subscriber message must not go out any more, if so: the
    /// subscription ended, expired, or (for a confirmation) was confirmed.
    pub(crate) async fn subscriber_gone(&self, m: &OutboxMessage, now: Timestamp) -> Result<Option<String>, AppError> {
        let status = self.subscription_of(m).await?.map(|s| s.status(now));
        let confirmation = m.key.starts_with(subscription::CONFIRM_KEY);
        Ok(match status {
            None => Some("Prenumerationen finns inte.".into()),
            Some(SubStatus::Unsubscribed) => Some("Prenumerationen är avslutad.".into()),
            Some(SubStatus::Expired) => Some("Prenumerationen bekräftades inte i tid.".into()),
            Some(SubStatus::Pending) if !confirmation => Some("Prenumerationen är inte bekräftad.".into()),
            Some(SubStatus::Active) if confirmation => Some("Prenumerationen är redan bekräftad.".into()),
            Some(_) => None,
        })
    }

    /// After an outage changed: one mail to each confirmed subscriber of its
    /// system if its public facts changed (never for a drill, never for a
    /// change of the notice alone). Keyed on the outbox's (outage, key,
    /// recipient), so asking again adds nothing.
    pub(crate) async fn notify_subscribers(&self, id: OutageId) -> Result<usize, AppError> {
        let Some(cfg) = self.notify.config.clone() else {
            return Ok(0);
        };
        let events = self.store.outage_events(id).await?;
        let Some(seq) = subscription::public_change_seq(&events) else {
            return Ok(0);
        };
        let o = Outage::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.now();
        let all = self.store.all_subscription_events().await?;
        let subs: Vec<Subscription> = all
            .chunk_by(|a, b| a.subscription_id == b.subscription_id)
            .filter_map(Subscription::fold)
            .filter(|s| s.wants(&o.system, now))
            .collect();
        if subs.is_empty() {
            return Ok(0);
        }
        let name = self.subscription_system_names(std::slice::from_ref(&o.system)).remove(0);
        // Subscribers have no account: the outage's public facts.
        let status_url = cfg.public_url.as_deref().map(|u| reserv_core::notify::public_outage_url(u, id));
        let (subject, body) =
            subscription::outage_mail(&PublicFacts::of(&o), &name, o.status(now), status_url.as_deref());
        let messages: Vec<OutboxMessage> = subs
            .iter()
            .map(|s| {
                self.subscriber_message(
                    id,
                    subscription::outage_key(seq),
                    s.id,
                    &s.email,
                    subject.clone(),
                    body.clone(),
                )
            })
            .collect();
        let audit = self.audit(
            Actor::System("subscription"),
            &Origin("planner".into()),
            "notify.enqueued",
            Some(format!("outage:{id}")),
            format!("driftinformation till {} prenumeranter", messages.len()),
        );
        Ok(self.store.enqueue_messages(messages, audit).await?.len())
    }

    async fn subscription_link_entry(&self, token: &str) -> Result<(OutboxEntry, Subscription), AppError> {
        if !outbox::is_ack_token(token) {
            return Err(AppError::NotFound);
        }
        let (entry, _) = self.store.outbox_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)?;
        if entry.message.group != subscription::GROUP {
            return Err(AppError::NotFound);
        }
        let sub = self.subscription_of(&entry.message).await?.ok_or(AppError::NotFound)?;
        Ok((entry, sub))
    }

    fn subscription_view(&self, entry: &OutboxEntry, s: &Subscription) -> SubscriptionView {
        SubscriptionView {
            email: subscription::mask_email(&s.email),
            systems: self.subscription_system_names(&s.systems),
            status: s.status(self.now()),
            confirm_link: entry.message.key.starts_with(subscription::CONFIRM_KEY),
        }
    }

    /// What a link in a subscription mail shows (no login; changes nothing).
    pub async fn subscription_link(&self, token: &str) -> Result<SubscriptionView, AppError> {
        let (entry, s) = self.subscription_link_entry(token).await?;
        Ok(self.subscription_view(&entry, &s))
    }

    async fn append_subscription(
        &self,
        s: &Subscription,
        change: SubscriptionChange,
        action: &str,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let event = self.next_event(s, change);
        let audit = self.audit(
            Actor::System("subscription"),
            origin,
            action,
            Some(format!("subscription:{}", s.id)),
            subscription::mask_email(&s.email),
        );
        self.store.append_subscription_event(event, audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })
    }

    /// Every subscription that has not ended (pending or active), newest
    /// first: IT and system administrators only (`access::Permissions::
    /// manages_subscriptions`); addresses in full only for those who
    /// `sees_subscriber_addresses`. Reading the list is audited.
    pub async fn subscribers(&self, p: &Principal) -> Result<Vec<SubscriberView>, AppError> {
        let perms = Permissions::of(p.user.role);
        if !perms.manages_subscriptions {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let all = self.store.all_subscription_events().await?;
        let mut list: Vec<SubscriberView> = all
            .chunk_by(|a, b| a.subscription_id == b.subscription_id)
            .filter_map(Subscription::fold)
            .filter(|s| matches!(s.status(now), SubStatus::Pending | SubStatus::Active))
            .map(|s| SubscriberView {
                id: s.id,
                email: if perms.sees_subscriber_addresses {
                    s.email.clone()
                } else {
                    subscription::mask_email(&s.email)
                },
                systems: self.subscription_system_names(&s.systems),
                status: s.status(now),
                requested_at: s.requested_at,
                confirmed_at: s.confirmed_at,
                removable: s.unsubscribed_at.is_none(),
            })
            .collect();
        list.sort_by_key(|s| std::cmp::Reverse(s.requested_at));
        let detail = format!("{} subscribers", list.len());
        let audit = self.audit(Actor::Person(&p.user), &p.origin, "subscription.list", None, detail);
        self.store.append_audit(audit).await?;
        Ok(list)
    }

    /// IT removes a subscriber: an `Unsubscribed` entry on its timeline
    /// (append-only; nothing is deleted), audited with the person; no more
    /// mail goes to it. Removing an ended subscription changes nothing.
    pub async fn remove_subscriber(&self, p: &Principal, id: EntryId) -> Result<LinkResult, AppError> {
        if !Permissions::of(p.user.role).manages_subscriptions {
            return Err(AppError::Forbidden);
        }
        for _ in 0..RETRIES {
            let s = Subscription::fold(&self.store.subscription_events(id).await?).ok_or(AppError::NotFound)?;
            let Some(change) = subscription::unsubscribe(&s, &format!("borttagen av {}", p.user.username)) else {
                return Ok(LinkResult::Already);
            };
            let event = self.next_event(&s, change);
            let audit = self.audit(
                Actor::Person(&p.user),
                &p.origin,
                "subscription.removed",
                Some(format!("subscription:{}", s.id)),
                subscription::mask_email(&s.email),
            );
            match self.store.append_subscription_event(event, audit).await {
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
                Ok(()) => return Ok(LinkResult::Done),
            }
        }
        Err(AppError::Conflict("the subscription is being changed by others".into()))
    }

    /// Confirms a subscription with the link of its confirmation mail. A
    /// newer confirmed subscription replaces the address's older ones.
    pub async fn confirm_subscription(
        &self,
        token: &str,
        origin: &Origin,
    ) -> Result<(LinkResult, SubscriptionView), AppError> {
        for _ in 0..RETRIES {
            let (entry, s) = self.subscription_link_entry(token).await?;
            if !entry.message.key.starts_with(subscription::CONFIRM_KEY) {
                return Err(AppError::NotFound);
            }
            let change = match subscription::confirm(&s, self.now()) {
                Ok(Some(c)) => c,
                Ok(None) => return Ok((LinkResult::Already, self.subscription_view(&entry, &s))),
                Err(ConfirmRefused::Expired) => return Ok((LinkResult::Expired, self.subscription_view(&entry, &s))),
                Err(ConfirmRefused::Unsubscribed) => {
                    return Ok((LinkResult::Ended, self.subscription_view(&entry, &s)));
                }
            };
            match self.append_subscription(&s, change, "subscription.confirmed", origin).await {
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
                Ok(()) => {}
            }
            let all = self.store.subscription_events_by_email(&s.email).await?;
            for older in all.chunk_by(|a, b| a.subscription_id == b.subscription_id).filter_map(Subscription::fold) {
                if older.id != s.id && older.status(self.now()) == SubStatus::Active {
                    let reason = "ersatt av en nyare prenumeration";
                    if let Some(c) = subscription::unsubscribe(&older, reason) {
                        self.append_subscription(&older, c, "subscription.replaced", origin).await?;
                    }
                }
            }
            tracing::info!(email = %subscription::mask_email(&s.email), "subscription confirmed");
            let (entry, s) = self.subscription_link_entry(token).await?;
            return Ok((LinkResult::Done, self.subscription_view(&entry, &s)));
        }
        Err(AppError::Conflict("the subscription is being changed by others".into()))
    }

    /// Ends a subscription with the link of any of its mails; from now on
    /// nothing more is sent to it (queued mails are skipped).
    pub async fn unsubscribe_by_link(
        &self,
        token: &str,
        origin: &Origin,
    ) -> Result<(LinkResult, SubscriptionView), AppError> {
        for _ in 0..RETRIES {
            let (entry, s) = self.subscription_link_entry(token).await?;
            let Some(change) = subscription::unsubscribe(&s, "länken i e-postmeddelandet") else {
                return Ok((LinkResult::Already, self.subscription_view(&entry, &s)));
            };
            match self.append_subscription(&s, change, "subscription.unsubscribed", origin).await {
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
                Ok(()) => {
                    tracing::info!(email = %subscription::mask_email(&s.email), "unsubscribed");
                    let (entry, s) = self.subscription_link_entry(token).await?;
                    return Ok((LinkResult::Done, self.subscription_view(&entry, &s)));
                }
            }
        }
        Err(AppError::Conflict("the subscription is being changed by others".into()))
    }
}
