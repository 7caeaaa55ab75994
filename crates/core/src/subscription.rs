//! E-mail subscriptions to the public status ("Prenumerera på
//! driftinformation"): double opt-in, expiry of unconfirmed requests, a
//! rate limit per address, and which outage changes a subscriber hears of.
//!
//! A subscription is an append-only timeline of [`SubscriptionEvent`]s
//! (requested, confirmed, unsubscribed) folded into a [`Subscription`].
//! Nothing is sent to an address that has not confirmed, except the one
//! confirmation mail per request (at most [`MAX_REQUESTS_PER_HOUR`] an hour
//! per address). A request not confirmed within [`CONFIRM_VALIDITY`]
//! expires. A confirmed subscriber gets one mail each time the *public*
//! facts of an outage of their systems change (declared, start, expected
//! end or kind amended, ended): what the public status page shows, never
//! the notice, never a drill. The mails go through the outbox (a message to
//! the [`GROUP`] pseudo-group whose recipient snapshot carries the address),
//! so they share its delivery guarantees.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};
use crate::ids::{EntryId, SystemId};
use crate::outage::{Outage, OutageEvent, OutageKind, OutageStatus};
use crate::outbox::valid_email;

/// How long a confirmation link works after the request.
pub const CONFIRM_VALIDITY: SignedDuration = SignedDuration::from_hours(48);
/// How many confirmation mails one address may be sent per hour.
pub const MAX_REQUESTS_PER_HOUR: usize = 3;
/// The outbox's recipient group of subscription mails (never a group of the
/// recipients file: the address travels in the message's recipient snapshot).
pub const GROUP: &str = "reserv:prenumeranter";
/// The outbox rule of subscription mails.
pub const RULE: &str = "subscription";
/// The outbox key prefix of confirmation mails.
pub const CONFIRM_KEY: &str = "subscription:confirm";
/// The outbox key prefix of outage mails.
pub const OUTAGE_KEY: &str = "subscription:outage";

/// One change of a subscription. Immutable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionEvent {
    pub id: EntryId,
    pub subscription_id: EntryId,
    /// Position in the subscription's timeline: 0, 1, 2, …
    pub seq: u32,
    pub at: Timestamp,
    /// The normalised address (the same on every entry of a subscription).
    pub email: String,
    pub change: SubscriptionChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubscriptionChange {
    /// Somebody asked for mail to this address; empty `systems`: all systems.
    Requested { systems: Vec<SystemId> },
    /// The confirmation link was used (double opt-in).
    Confirmed,
    /// The subscriber unsubscribed (`reason`: how), or a newer subscription
    /// of the same address replaced this one.
    Unsubscribed { reason: String },
}

/// Where a subscription stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubStatus {
    /// Requested, not yet confirmed.
    Pending,
    /// Confirmed: gets mail.
    Active,
    /// Not confirmed in time.
    Expired,
    Unsubscribed,
}

/// The fold of a subscription's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: EntryId,
    pub email: String,
    pub systems: Vec<SystemId>,
    pub requested_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub unsubscribed_at: Option<Timestamp>,
    pub next_seq: u32,
}

impl Subscription {
    /// Folds a timeline ordered by `seq`; `None` without a request.
    pub fn fold(events: &[SubscriptionEvent]) -> Option<Subscription> {
        let mut s: Option<Subscription> = None;
        for e in events {
            match (&mut s, &e.change) {
                (None, SubscriptionChange::Requested { systems }) => {
                    s = Some(Subscription {
                        id: e.subscription_id,
                        email: e.email.clone(),
                        systems: systems.clone(),
                        requested_at: e.at,
                        confirmed_at: None,
                        unsubscribed_at: None,
                        next_seq: e.seq + 1,
                    })
                }
                (None, _) => return None,
                (Some(s), change) => {
                    s.next_seq = e.seq + 1;
                    match change {
                        SubscriptionChange::Requested { .. } => {}
                        SubscriptionChange::Confirmed => {
                            s.confirmed_at.get_or_insert(e.at);
                        }
                        SubscriptionChange::Unsubscribed { .. } => {
                            s.unsubscribed_at.get_or_insert(e.at);
                        }
                    }
                }
            }
        }
        s
    }

    pub fn status(&self, now: Timestamp) -> SubStatus {
        match (self.unsubscribed_at, self.confirmed_at) {
            (Some(_), _) => SubStatus::Unsubscribed,
            (None, Some(_)) => SubStatus::Active,
            (None, None) if now >= self.requested_at + CONFIRM_VALIDITY => SubStatus::Expired,
            (None, None) => SubStatus::Pending,
        }
    }

    /// Whether the subscription covers a system (no systems chosen: all).
    pub fn covers(&self, system: &SystemId) -> bool {
        self.systems.is_empty() || self.systems.contains(system)
    }

    /// Whether an outage change of `system` at `now` is mailed to this subscriber.
    pub fn wants(&self, system: &SystemId, now: Timestamp) -> bool {
        self.status(now) == SubStatus::Active && self.covers(system)
    }
}

/// Why a confirmation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmRefused {
    Expired,
    Unsubscribed,
}

/// Confirms a subscription: `Ok(None)` if it was confirmed already.
pub fn confirm(s: &Subscription, now: Timestamp) -> Result<Option<SubscriptionChange>, ConfirmRefused> {
    match s.status(now) {
        SubStatus::Pending => Ok(Some(SubscriptionChange::Confirmed)),
        SubStatus::Active => Ok(None),
        SubStatus::Expired => Err(ConfirmRefused::Expired),
        SubStatus::Unsubscribed => Err(ConfirmRefused::Unsubscribed),
    }
}

/// Ends a subscription (pending or active); `None` if it has ended already.
pub fn unsubscribe(s: &Subscription, reason: &str) -> Option<SubscriptionChange> {
    s.unsubscribed_at.is_none().then(|| SubscriptionChange::Unsubscribed { reason: reason.to_owned() })
}

/// Whether another confirmation mail may go to an address, given every
/// event of every subscription of that address.
pub fn may_request(events_of_address: &[SubscriptionEvent], now: Timestamp) -> bool {
    let since = now - SignedDuration::from_hours(1);
    let recent = events_of_address
        .iter()
        .filter(|e| e.at > since && matches!(e.change, SubscriptionChange::Requested { .. }))
        .count();
    recent < MAX_REQUESTS_PER_HOUR
}

/// Trims and checks an address; the domain is lower-cased (the local part
/// is kept as typed, as RFC 5321 allows it to matter).
pub fn normalize_email(raw: &str) -> Result<String, DomainError> {
    let s = raw.trim();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(DomainError::InvalidEmail { field: Field::Email });
    };
    let e = format!("{local}@{}", domain.to_lowercase());
    if valid_email(&e) { Ok(e) } else { Err(DomainError::InvalidEmail { field: Field::Email }) }
}

/// An address as logs and staff see it: `a***@example.org`.
pub fn mask_email(e: &str) -> String {
    match e.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The subscriber's id in the outbox (the message's recipient id).
pub fn recipient_id(id: EntryId) -> String {
    format!("sub-{id}")
}

/// The subscription an outbox recipient id names.
pub fn parse_recipient_id(s: &str) -> Option<EntryId> {
    s.strip_prefix("sub-")?.parse().ok()
}

/// What the public may know of an outage: the facts of the public status page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicFacts {
    pub system: SystemId,
    pub kind: OutageKind,
    pub start: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    /// The notice IT wrote for the public (empty: none).
    pub public_notice: String,
}

impl PublicFacts {
    pub fn of(o: &Outage) -> PublicFacts {
        PublicFacts {
            system: o.system.clone(),
            kind: o.kind,
            start: o.start,
            expected_end: o.expected_end,
            restored_at: o.restored_at,
            public_notice: o.public_notice.clone(),
        }
    }
}

/// The timeline position at which an outage's public facts last changed:
/// the outbox key of the subscribers' mail about it (so a change of the
/// notice alone, which the public never sees, sends nothing new). `None`
/// for a drill, an empty or a damaged timeline.
pub fn public_change_seq(events: &[OutageEvent]) -> Option<u32> {
    let mut last: Option<(u32, PublicFacts)> = None;
    for i in 1..=events.len() {
        let o = Outage::fold(&events[..i]).ok()?;
        if o.drill {
            return None;
        }
        let facts = PublicFacts::of(&o);
        if last.as_ref().is_none_or(|(_, f)| *f != facts) {
            last = Some((events[i - 1].seq, facts));
        }
    }
    last.map(|(seq, _)| seq)
}

/// The outbox key of the subscribers' mail about a public change.
pub fn outage_key(seq: u32) -> String {
    format!("{OUTAGE_KEY}:{seq}")
}

fn kind_sv(k: OutageKind) -> &'static str {
    match k {
        OutageKind::Planned => "Planerat avbrott",
        OutageKind::Unplanned => "Oplanerat avbrott",
    }
}

fn status_sv(s: OutageStatus) -> &'static str {
    match s {
        OutageStatus::Upcoming => "Kommande",
        OutageStatus::Ongoing => "Pågår",
        OutageStatus::Ended => "Avslutat – systemet fungerar igen",
    }
}

/// The subscribers' mail about an outage: subject and body, the public
/// facts only (times, status and the notice written for the public). `status_url`: the public status page.
pub fn outage_mail(
    facts: &PublicFacts,
    system_name: &str,
    status: OutageStatus,
    status_url: Option<&str>,
) -> (String, String) {
    let fmt = crate::time::format_local;
    let subject = format!("Driftinformation: {system_name} – {}", status_sv(status));
    let mut body = format!(
        "Driftinformation från Reserv.\n\nSystem: {system_name}\nTyp: {}\nStatus: {}\nStart: {}\nBeräknat slut: {}\n",
        kind_sv(facts.kind),
        status_sv(status),
        fmt(facts.start),
        facts.expected_end.map(fmt).unwrap_or_else(|| "inte känt".into()),
    );
    if let Some(r) = facts.restored_at {
        body.push_str(&format!("Återställt: {}\n", fmt(r)));
    }
    if !facts.public_notice.is_empty() {
        body.push_str(&format!("\n{}\n", facts.public_notice));
    }
    if let Some(u) = status_url {
        body.push_str(&format!("\nAktuell driftstatus: {u}\n"));
    }
    (subject.replace(['\r', '\n'], " "), body)
}

/// The confirmation mail (double opt-in); the link is added when sent.
pub fn confirmation_mail(system_names: &[String]) -> (String, String) {
    let which = if system_names.is_empty() { "alla system".to_owned() } else { system_names.join(", ") };
    (
        "Bekräfta prenumerationen på driftinformation".into(),
        format!(
            "Någon (förhoppningsvis du) har bett om driftinformation från Reserv via e-post till den här adressen, för: {which}.\n\nInget skickas förrän du har bekräftat. Om du inte bad om detta kan du bortse från meddelandet; förfrågan upphör efter 48 timmar."
        ),
    )
}

/// The text actually sent: the body, then the confirmation link (if any)
/// and the unsubscribe link.
pub fn compose(body: &str, confirm_url: Option<&str>, unsubscribe_url: Option<&str>) -> String {
    let mut out = body.trim().to_owned();
    if let Some(u) = confirm_url {
        out.push_str(&format!("\n\nBekräfta prenumerationen (öppna länken och tryck på knappen):\n{u}\n"));
    }
    if let Some(u) = unsubscribe_url {
        out.push_str(&format!("\n\nAvsluta prenumerationen:\n{u}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Increasing ids for test records (the core makes none of its own).
    fn next_uuid() -> Uuid {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Uuid::from_u128(u128::from(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
    }
    use crate::outage::{self, Amendment, Declaration, Scope};
    use uuid::Uuid;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ev(seq: u32, at: &str, change: SubscriptionChange) -> SubscriptionEvent {
        SubscriptionEvent {
            id: EntryId(next_uuid()),
            subscription_id: EntryId(Uuid::nil()),
            seq,
            at: t(at),
            email: "anna@example.org".into(),
            change,
        }
    }

    fn requested(systems: &[&str]) -> SubscriptionChange {
        SubscriptionChange::Requested { systems: systems.iter().map(|s| SystemId::parse(s).unwrap()).collect() }
    }

    #[test]
    fn a_subscription_is_pending_until_confirmed_and_expires_after_48_hours() {
        let req = ev(0, "2026-11-23T08:00:00Z", requested(&[]));
        let s = Subscription::fold(std::slice::from_ref(&req)).unwrap();
        let sys = SystemId::parse("lifecare-sp").unwrap();
        assert_eq!(s.status(t("2026-11-25T07:59:59Z")), SubStatus::Pending);
        assert!(!s.wants(&sys, t("2026-11-23T09:00:00Z")), "nothing to an unconfirmed address");
        assert_eq!(s.status(t("2026-11-25T08:00:00Z")), SubStatus::Expired);
        assert_eq!(confirm(&s, t("2026-11-25T08:00:00Z")), Err(ConfirmRefused::Expired));
        let change = confirm(&s, t("2026-11-24T08:00:00Z")).unwrap().unwrap();
        let s = Subscription::fold(&[req.clone(), ev(1, "2026-11-24T08:00:00Z", change)]).unwrap();
        assert_eq!(s.status(t("2027-01-01T00:00:00Z")), SubStatus::Active, "a confirmed one does not expire");
        assert!(s.wants(&sys, t("2026-11-24T08:00:00Z")));
        assert_eq!(confirm(&s, t("2026-11-24T09:00:00Z")), Ok(None));
        let off = unsubscribe(&s, "länk").unwrap();
        let s = Subscription::fold(&[
            req,
            ev(1, "2026-11-24T08:00:00Z", SubscriptionChange::Confirmed),
            ev(2, "2026-11-24T10:00:00Z", off),
        ])
        .unwrap();
        assert_eq!((s.status(t("2026-11-24T10:00:00Z")), s.next_seq), (SubStatus::Unsubscribed, 3));
        assert!(!s.wants(&sys, t("2026-11-24T10:00:00Z")));
        assert_eq!(unsubscribe(&s, "igen"), None);
        assert_eq!(confirm(&s, t("2026-11-24T10:00:00Z")), Err(ConfirmRefused::Unsubscribed));
        assert_eq!(Subscription::fold(&[ev(0, "2026-11-23T08:00:00Z", SubscriptionChange::Confirmed)]), None);
    }

    #[test]
    fn chosen_systems_limit_what_a_subscriber_hears_of() {
        let s = Subscription::fold(&[
            ev(0, "2026-11-23T08:00:00Z", requested(&["prator"])),
            ev(1, "2026-11-23T08:01:00Z", SubscriptionChange::Confirmed),
        ])
        .unwrap();
        let now = t("2026-11-23T09:00:00Z");
        assert!(s.wants(&SystemId::parse("prator").unwrap(), now));
        assert!(!s.wants(&SystemId::parse("lifecare-sp").unwrap(), now));
    }

    #[test]
    fn an_address_gets_a_few_confirmation_mails_an_hour() {
        let mut events = Vec::new();
        let now = t("2026-11-23T08:30:00Z");
        for (i, at) in ["2026-11-23T07:40:00Z", "2026-11-23T08:00:00Z", "2026-11-23T08:20:00Z"].iter().enumerate() {
            assert!(may_request(&events, now), "request {i}");
            events.push(ev(0, at, requested(&[])));
        }
        assert!(!may_request(&events, now));
        assert!(may_request(&events, t("2026-11-23T08:40:01Z")), "the oldest is more than an hour old");
    }

    #[test]
    fn addresses_are_checked_normalised_and_masked() {
        assert_eq!(normalize_email("  Anna.A@RVN.Example.SE ").unwrap(), "Anna.A@rvn.example.se");
        for bad in ["", "anna", "a b@rvn.se", "a@rvn", "a@rvn.se\r\nBcc: x@y.z"] {
            let e = normalize_email(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_email");
            assert!(e.message_sv().contains("giltig e-postadress"), "{}", e.message_sv());
        }
        assert_eq!(mask_email("anna@example.org"), "a***@example.org");
        let id = EntryId(next_uuid());
        assert_eq!(parse_recipient_id(&recipient_id(id)), Some(id));
        assert_eq!(parse_recipient_id("anna"), None);
    }

    fn declared(drill: bool) -> Vec<OutageEvent> {
        let d = Declaration {
            system: SystemId::parse("lifecare-sp").unwrap(),
            kind: OutageKind::Unplanned,
            scope: Scope::Region,
            start: t("2026-11-23T08:00:00Z"),
            expected_end: None,
            notice: "Intern notis".into(),
            drill,
            public_notice: String::new(),
        };
        vec![timeline(0, outage::declare(d, t("2026-11-23T08:00:00Z")).unwrap())]
    }

    fn timeline(seq: u32, change: outage::OutageChange) -> OutageEvent {
        OutageEvent {
            id: EntryId(next_uuid()),
            outage_id: crate::ids::OutageId(Uuid::nil()),
            seq,
            at: t("2026-11-23T08:00:00Z"),
            actor: outage::Actor { user_id: None, name: "IT".into() },
            node: "n".into(),
            change,
        }
    }

    #[test]
    fn only_changes_of_the_public_facts_make_a_new_mail_and_drills_none() {
        let mut events = declared(false);
        assert_eq!(public_change_seq(&events), Some(0), "declared");
        let now = t("2026-11-23T08:10:00Z");
        let notice_only = Amendment { notice: Some("Ny intern notis".into()), ..Amendment::default() };
        let o = Outage::fold(&events).unwrap();
        events.push(timeline(1, outage::amend(&o, notice_only, now).unwrap()));
        assert_eq!(public_change_seq(&events), Some(0), "the notice is not public");
        let times = Amendment { expected_end: Some(t("2026-11-23T12:00:00Z")), ..Amendment::default() };
        let o = Outage::fold(&events).unwrap();
        events.push(timeline(2, outage::amend(&o, times, now).unwrap()));
        assert_eq!(public_change_seq(&events), Some(2), "times amended");
        let o = Outage::fold(&events).unwrap();
        events.push(timeline(3, outage::end(&o, t("2026-11-23T11:00:00Z"), None, t("2026-11-23T11:05:00Z")).unwrap()));
        assert_eq!(public_change_seq(&events), Some(3), "ended");
        assert_eq!(public_change_seq(&declared(true)), None, "drills never");
        // The notice written for the public is a public fact: its change is news, and the mail carries it.
        let mut open = declared(false);
        let o = Outage::fold(&open).unwrap();
        let public =
            Amendment { public_notice: Some("Journalen kan inte läsas just nu.".into()), ..Amendment::default() };
        open.push(timeline(1, outage::amend(&o, public, now).unwrap()));
        assert_eq!(public_change_seq(&open), Some(1), "public notice amended");
        let facts = PublicFacts::of(&Outage::fold(&open).unwrap());
        let (_, body) = outage_mail(&facts, "Lifecare SP", OutageStatus::Ongoing, None);
        assert!(body.contains("\nJournalen kan inte läsas just nu.\n"), "{body}");
        let facts = PublicFacts::of(&Outage::fold(&events).unwrap());
        let (subject, body) = outage_mail(&facts, "Lifecare SP", OutageStatus::Ended, Some("https://r/status"));
        assert!(subject.starts_with("Driftinformation: Lifecare SP"), "{subject}");
        assert!(body.contains("Återställt: ") && body.contains("https://r/status"), "{body}");
        assert!(!body.contains("notis"), "never the notice: {body}");
        let sent = compose(&body, None, Some("https://r/subscriptions/unsubscribe/x"));
        assert!(sent.ends_with("Avsluta prenumerationen:\nhttps://r/subscriptions/unsubscribe/x\n"), "{sent}");
    }
}
